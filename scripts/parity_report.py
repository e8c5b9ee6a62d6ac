"""Largest forward and backward differences from PyTorch, per op and dtype.

    python scripts/parity_report.py

Prints a markdown table (for closing notes and reviews); the tests in
tests/test_torch_parity.py enforce the tolerances.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "generated"), str(ROOT)]

from harness import make_arrays, module, run_forward, spec  # noqa: E402
from oracles import FUSED, ORACLES  # noqa: E402


def relative(ours: np.ndarray, theirs: torch.Tensor) -> float:
    theirs = theirs.detach().numpy()
    return float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-6)))


def row(name, dtype, y, expected, grads, expected_grads):
    errors = [relative(y, expected)] + [relative(g, e) for g, e in zip(grads, expected_grads)]
    return f"| {name} | {np.dtype(dtype).name} | {errors[0]:.1e} | {max(errors[1:]):.1e} |"


def main() -> None:
    print("| op | dtype | forward max rel. error | backward max rel. error |")
    print("| --- | --- | --- | --- |")
    for dtype in (np.float64, np.float32):
        for name, (oracle, attrs) in sorted(ORACLES.items()):
            s = spec(name)
            arrays = make_arrays(s, 32, dtype)
            y, ctx = run_forward(s, arrays, attrs)
            x = torch.tensor(arrays["x"], requires_grad=True)
            expected = oracle(x)
            dy = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
            expected.backward(torch.tensor(dy))
            line = row(name, dtype, y, expected, [module(s).backward(dy, ctx)], [x.grad])
            print(line)
        for activation, oracle in sorted(FUSED.items()):
            s = spec("dense")
            arrays = make_arrays(s, 32, dtype)
            y, ctx = module(s).forward(arrays["x"], arrays["weight"], arrays["bias"], activation=activation)
            tensors = [torch.tensor(arrays[k], requires_grad=True) for k in ("x", "weight", "bias")]
            expected = oracle(torch.nn.functional.linear(*tensors))
            dy = np.random.default_rng(2).standard_normal(y.shape).astype(dtype)
            expected.backward(torch.tensor(dy))
            print(row(f"dense+{activation}", dtype, y, expected, module(s).backward(dy, ctx), [t.grad for t in tensors]))


if __name__ == "__main__":
    main()
