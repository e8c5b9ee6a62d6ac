"""Forward and backward against PyTorch (CPU) as an independent oracle, float32 and float64.

Tolerances: float64 results agree to rounding of a few dozen operations (rtol 1e-9). In
float32 (eps 1.2e-7) formulas that are mathematically equal but ordered differently (a fused
tanh-GELU, a log-sum-exp, the sums of a row) differ by tens of ulps, so rtol 2e-5 and an
absolute floor of 1e-6 for values near zero.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import make_arrays, module, run_forward, spec
from oracles import FUSED, ORACLES

TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=2e-5, atol=1e-6)}

def _torch(array: np.ndarray) -> torch.Tensor:
    return torch.tensor(array, requires_grad=True)


def _compare(ours, theirs, dtype, what):
    assert ours.dtype == dtype, f"{what}: dtype {ours.dtype}, expected {np.dtype(dtype)}"
    np.testing.assert_allclose(ours, theirs.detach().numpy(), err_msg=what, **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(ORACLES))
def test_activation_matches_torch(name, dtype):
    s = spec(name)
    oracle, attrs = ORACLES[name]
    arrays = make_arrays(s, 32, dtype)
    y, ctx = run_forward(s, arrays, attrs)
    x = _torch(arrays["x"])
    expected = oracle(x)
    _compare(y, expected, dtype, f"{name} forward")
    dy = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    expected.backward(torch.tensor(dy))
    _compare(module(s).backward(dy, ctx), x.grad, dtype, f"{name} backward")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hierarchical_softmax_matches_torch(dtype):
    s = spec("hierarchical_softmax")
    arrays = make_arrays(s, 32, dtype)
    y, ctx = run_forward(s, arrays, {"num_classes": 6})
    x, weight = _torch(arrays["x"]), _torch(arrays["weight"])
    bits = torch.tensor([[(c >> (2 - d)) & 1 for d in range(3)] for c in range(6)], dtype=x.dtype)
    p = torch.sigmoid(x @ weight.T)  # [B, depth]
    expected = torch.prod(bits * p[:, None, :] + (1 - bits) * (1 - p[:, None, :]), dim=-1)
    _compare(y, expected, dtype, "hierarchical_softmax forward")
    dy = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    expected.backward(torch.tensor(dy))
    dx, dweight = module(s).backward(dy, ctx)
    _compare(dx, x.grad, dtype, "hierarchical_softmax dx")
    _compare(dweight, weight.grad, dtype, "hierarchical_softmax dweight")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", sorted(FUSED))
def test_dense_matches_torch(activation, dtype):
    s = spec("dense")
    arrays = make_arrays(s, 32, dtype)
    y, ctx = module(s).forward(arrays["x"], arrays["weight"], arrays["bias"], activation=activation)
    x, w, b = (_torch(arrays[k]) for k in ("x", "weight", "bias"))
    expected = FUSED[activation](F.linear(x, w, b))
    _compare(y, expected, dtype, f"dense+{activation} forward")
    dy = np.random.default_rng(2).standard_normal(y.shape).astype(dtype)
    expected.backward(torch.tensor(dy))
    dx, dw, db = module(s).backward(dy, ctx)
    for ours, theirs, label in ((dx, x.grad, "dx"), (dw, w.grad, "dweight"), (db, b.grad, "dbias")):
        _compare(ours, theirs, dtype, f"dense+{activation} {label}")
