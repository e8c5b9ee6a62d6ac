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

from harness import as_tuple, make_arrays, module, run_forward, spec

TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=2e-5, atol=1e-6)}

# name -> (torch function of x, attributes passed to both sides)
ORACLES = {
    "relu": (F.relu, {}),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), {"alpha": 0.2}),
    "gelu": (lambda x: F.gelu(x, approximate="tanh"), {}),
    "elu": (lambda x: F.elu(x, 0.7), {"alpha": 0.7}),
    "selu": (F.selu, {}),
    # alpha a power of two: PyTorch rounds 1/alpha to float32 inside celu even for float64.
    "celu": (lambda x: F.celu(x, 0.5), {"alpha": 0.5}),
    "prelu": (lambda x: F.prelu(x, torch.tensor([0.25], dtype=x.dtype)), {"alpha": 0.25}),
    "rrelu": (lambda x: F.rrelu(x, 0.1, 0.3, training=False), {"lower": 0.1, "upper": 0.3, "training": False}),
    "thresholded_relu": (lambda x: F.threshold(x, 1.0, 0.0), {}),
    "sigmoid": (torch.sigmoid, {}),
    "tanh": (torch.tanh, {}),
    "swish": (F.silu, {}),
    "silu": (F.silu, {}),
    "mish": (F.mish, {}),
    "hard_sigmoid": (lambda x: F.hardtanh(0.5 * (x + 1), 0.0, 1.0), {}),
    "hard_tanh": (F.hardtanh, {}),
    "softplus": (lambda x: F.softplus(x, threshold=1000.0), {}),
    "softsign": (F.softsign, {}),
    "softmax": (lambda x: F.softmax(x, dim=-1), {}),
    "softmin": (lambda x: F.softmin(x, dim=-1), {}),
    "log_softmax": (lambda x: F.log_softmax(x, dim=-1), {}),
    "log_softmin": (lambda x: F.log_softmax(-x, dim=-1), {}),
    "sign": (torch.sign, {}),
    "gaussian": (lambda x: torch.exp(-x * x), {}),
    "isru": (lambda x: x / torch.sqrt(1 + 0.5 * x * x), {"alpha": 0.5}),
    "lisht": (lambda x: x * torch.tanh(x), {}),
    "sqrbf": (lambda x: torch.exp(-1.5 * x * x), {"beta": 1.5}),
    "squash": (lambda x: x * torch.sqrt((x * x).sum(-1, keepdim=True) + 1e-7) / (1 + (x * x).sum(-1, keepdim=True)), {}),
    "bent_identity": (lambda x: (torch.sqrt(x * x + 1) - 1) / 2 + x, {}),
    "identity": (lambda x: x * 1, {}),
    "spherical_softmax": (lambda x: F.softmax(x / torch.linalg.vector_norm(x, dim=-1, keepdim=True), dim=-1), {}),
    "gumbel_softmax": (lambda x: F.softmax(x / 0.5, dim=-1), {"temperature": 0.5, "training": False}),
    "taylor_softmax": (lambda x: (1 + x + x * x / 2) / (1 + x + x * x / 2).sum(-1, keepdim=True), {}),
    "maxout": (lambda x: x.unflatten(-1, (-1, 2)).amax(-1), {}),
}

# The Dense layer's fused activations, with their default attributes.
FUSED = {
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda z: F.softmax(z, dim=-1),
    "identity": lambda z: z,
    "gelu": lambda z: F.gelu(z, approximate="tanh"),
    "elu": F.elu,
    "mish": F.mish,
    "swish": F.silu,
    "silu": F.silu,
}


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
