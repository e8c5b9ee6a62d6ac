"""numba's disk cache of the compiled kernels follows the runtime they inline.

A kernel that calls the runtime's fast_exp has fast_exp compiled into its machine code, so a
change to generated/layerforge/_jit_runtime.py alone must not leave the old kernel in use
(numba keys its cache on the kernel's own file only; the runtime's cache adds its own content
to the key). On a copy of the package in a temporary directory (its __pycache__ is the cache),
each step a fresh process: the first run compiles gaussian's forward kernel (exp(-x^2)
through fast_exp) and saves it, the second loads it, and after fast_exp is changed to return
twice its value the third compiles again and its result is twice the first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numba")

PACKAGE = Path(__file__).resolve().parent.parent / "generated" / "layerforge"
# the package's import chain and one op whose forward kernel calls fast_exp
FILES = ("__init__.py", "_runtime.py", "_cupy_runtime.py", "_jit_runtime.py", "activations/__init__.py",
         "activations/gaussian.py")

RUN = """
import json
import numpy as np
from layerforge._jit_runtime import RowKernel
from layerforge.activations import gaussian
x = np.linspace(-2.0, 2.0, 64).reshape(8, 8)
y, _ = gaussian.forward(x)
kernels = [k._compiled for k in vars(gaussian).values() if isinstance(k, RowKernel) and k._compiled is not None]
print(json.dumps({
    "y": y.tolist(),
    "kernels": len(kernels),
    "hits": sum(sum(k.stats.cache_hits.values()) for k in kernels),
    "misses": sum(sum(k.stats.cache_misses.values()) for k in kernels),
}))
"""


def run(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CACHE")}
    env.update(PYTHONPATH=str(root), LAYERFORGE_BACKEND="numba", LAYERFORGE_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", RUN], capture_output=True, text=True, env=env, cwd=root,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_changed_runtime_recompiles_the_kernels_that_inline_it(tmp_path):
    for name in FILES:
        (tmp_path / "layerforge" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE / name, tmp_path / "layerforge" / name)

    first = run(tmp_path)
    assert first["kernels"] == 1 and (first["hits"], first["misses"]) == (0, 1)
    again = run(tmp_path)  # unchanged: the kernel comes from the disk cache
    assert (again["hits"], again["misses"]) == (1, 0)
    assert again["y"] == first["y"]

    runtime = tmp_path / "layerforge" / "_jit_runtime.py"
    source = runtime.read_text()
    assert source.count("return y if x == x else x") == 2  # _exp64's and _exp32's results
    runtime.write_text(source.replace("return y if x == x else x", "return 2.0 * y if x == x else x"))
    changed = run(tmp_path)
    assert (changed["hits"], changed["misses"]) == (0, 1)
    # float64 exp(-x^2) doubled: exactly twice the old kernel's values (a product by 2 is exact)
    assert changed["y"] == [[2.0 * v for v in row] for row in first["y"]]
