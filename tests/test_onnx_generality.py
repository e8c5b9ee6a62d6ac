"""The generality that the ONNX node tests ask of layerforge's ops, against PyTorch.

Forward and backward in float32 and float64 against a PyTorch expression of the same
formula, and the backward against central finite differences in float64.

Tolerances: float64 agrees to the rounding of a few operations (rtol 1e-9); float32 (eps
1.2e-7) to a few dozen ulps of reordered sums and exp/log (rtol 2e-5, atol 1e-6). The
finite differences use h = 1e-6 in float64 (truncation error ~h^2, rounding ~1e-10 / h):
rtol 1e-6, atol 1e-8.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from harness import module, spec

TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=2e-5, atol=1e-6)}


def _compare(ours, theirs, dtype, what):
    assert ours.dtype == dtype, f"{what}: dtype {ours.dtype}, expected {np.dtype(dtype)}"
    np.testing.assert_allclose(ours, theirs.detach().numpy(), err_msg=what, **TOL[dtype])


def _finite_differences(f, x: np.ndarray, dy: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d sum(f(x) * dy) / dx by central differences, one element at a time."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = np.sum((f(plus) - f(minus)) * dy) / (2 * h)
    return grad


# ---------------------------------------------------------------------------------------
# SELU with ONNX's alpha and gamma (layerforge's scale)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("alpha, scale", [(2.0, 3.0), (0.5, 1.25)])
def test_selu_attributes_match_torch(alpha, scale, dtype):
    selu = module(spec("selu"))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 7)).astype(dtype)
    x[np.abs(x) < 1e-2] = 0.5  # away from the kink
    y, ctx = selu.forward(x, alpha=alpha, scale=scale)
    xt = torch.tensor(x, requires_grad=True)
    expected = scale * torch.where(xt > 0, xt, alpha * torch.expm1(xt))
    _compare(y, expected, dtype, "selu forward")
    dy = rng.standard_normal(y.shape).astype(dtype)
    expected.backward(torch.tensor(dy))
    _compare(selu.backward(dy, ctx), xt.grad, dtype, "selu backward")
    if dtype == np.float64:
        fd = _finite_differences(lambda v: selu.forward(v, alpha=alpha, scale=scale)[0], x, dy)
        np.testing.assert_allclose(selu.backward(dy, ctx), fd, rtol=1e-6, atol=1e-8)
