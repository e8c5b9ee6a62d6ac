"""The distribution: `pip wheel .` builds, the wheel installs into a clean virtual environment
with NumPy as its only dependency, and importing the package is cheap: it loads no op module
(each is imported when first used) and nothing besides NumPy and the standard library. How
cheap in seconds is the benchmark's business, not a test's (a timed assertion fails on a
loaded machine)."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from harness import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (path,) = out.glob("layerforge-*.whl")
    return path


def test_wheel_holds_the_generated_package_only(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "layerforge/activations/gelu.py" in names and "layerforge/layers/dense.py" in names
    assert not any(n.startswith(("transpiler/", "tests/", "layers_spec/")) for n in names)
    metadata = next(n for n in names if n.endswith("METADATA"))
    requires = [line for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist") and "extra ==" not in line]
    assert requires == ["Requires-Dist: numpy>=2.0"]


def test_installs_in_a_clean_environment_and_imports_lazily(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True, text=True)
    installed = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], check=True, capture_output=True,
                               text=True).stdout
    packages = sorted(line.split("==")[0].lower() for line in installed.splitlines())
    assert [p for p in packages if p not in ("pip", "setuptools", "wheel")] == ["layerforge", "numpy"]
    code = (
        "import sys; before = set(sys.modules); import layerforge; "
        "loaded = {m.split('.')[0] for m in set(sys.modules) - before} - set(sys.stdlib_module_names); "
        "own = sorted(m for m in sys.modules if m.startswith('layerforge')); "
        "from layerforge.layers import dense; import numpy as np; "
        "y, ctx = dense.forward(np.ones((2, 3)), np.ones((4, 3)), np.zeros(4), activation='gelu'); "
        "print(sorted(loaded), own, y.shape)"
    )
    out = subprocess.run([python, "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    assert out.split() == ["['layerforge',", "'numpy']", "['layerforge',", "'layerforge._runtime']", "(2,", "4)"]
