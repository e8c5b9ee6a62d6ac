"""The learning rules of group F (issue 21): layers whose state learns by a rule that is
not a gradient, exposed as entry points beside forward and backward.

temporal_memory: forward and backward against a torch composition (the product form's
gradient is exact), ``learn`` and ``predictions`` against float64 NumPy references of the
card's rule. Tolerances: float64 to rounding (1e-12); float32 1e-6 relative (a handful of
roundings per entry).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from layerforge import nn
from layerforge.layers import temporal_memory

TOL = {np.float64: dict(rtol=1e-12, atol=1e-12), np.float32: dict(rtol=1e-6, atol=1e-6)}


# -- temporal memory -----------------------------------------------------------------------

C, K = 5, 3


def _learn_reference(x, prev, S):
    """The card's rule in float64: active columns' cells whose previous state is 1 gain 0.1,
    inactive columns' cells lose 0.05, columns normalised to sum 1 (unless not positive)."""
    x, prev, S = (a.astype(np.float64) for a in (x, prev, S))
    out = S.copy()
    for i in range(len(x)):
        if x[i] == 1:
            out[i] += 0.1 * (prev[i] == 1)
        else:
            out[i] -= 0.05
        total = out[i].sum()
        if total > 0:
            out[i] /= total
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_temporal_memory_forward_backward_against_torch(dtype):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 2, (4, C)).astype(dtype)
    S = rng.uniform(0, 1, (C, K)).astype(dtype)
    y, ctx = temporal_memory.forward(x, S)
    g = rng.standard_normal(y.shape).astype(dtype)
    (grad_x,) = (temporal_memory.backward(g, ctx),)
    tx = torch.tensor(x, requires_grad=True)
    ty = (tx[..., :, None] * torch.tensor(S)).flatten(-2)
    ty.backward(torch.tensor(g))
    assert y.shape == (4, C * K) and y.dtype == dtype
    np.testing.assert_allclose(y, ty.detach().numpy(), **TOL[dtype])
    np.testing.assert_allclose(grad_x, tx.grad.numpy(), **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_temporal_memory_learn_and_predictions(dtype):
    rng = np.random.default_rng(2)
    x = np.array([1, 0, 1, 1, 0], dtype)
    prev = rng.integers(0, 2, (C, K)).astype(dtype)
    S = rng.uniform(0, 1, (C, K)).astype(dtype)
    S[3] = 0.01  # an active column whose cells are never active before: unchanged, renormalised
    prev[3] = 0
    S_before = S.copy()
    new_S = temporal_memory.learn(x, prev, S)
    assert new_S.dtype == dtype and new_S.shape == (C, K)
    np.testing.assert_allclose(new_S, _learn_reference(x, prev, S), **TOL[dtype])
    np.testing.assert_array_equal(S, S_before)  # a new array: S is not changed
    np.testing.assert_allclose(new_S.sum(axis=1), 1.0, **TOL[dtype])
    predicted = temporal_memory.predictions(new_S)
    assert predicted.dtype == np.bool_ and predicted.shape == (C,)
    np.testing.assert_array_equal(predicted, (new_S.astype(np.float64) > 0.3).any(axis=1))


def test_temporal_memory_rule_errors_name_op_and_argument():
    S = np.zeros((C, K))
    with pytest.raises(ValueError, match=r"temporal_memory\.learn: argument 'S' has K = 3 .*but 'prev' has K = 2"):
        temporal_memory.learn(np.zeros(C), np.zeros((C, 2)), S)
    with pytest.raises(ValueError, match=r"temporal_memory\.learn: argument 'S'"):
        temporal_memory.learn(np.zeros(C), np.zeros((C, K)), np.zeros((C + 1, K)))
    with pytest.raises(ValueError, match=r"temporal_memory\.predictions: argument 'S' must have rank 2"):
        temporal_memory.predictions(np.zeros(C))


def test_temporal_memory_layer_methods_use_its_buffer():
    layer = nn.TemporalMemory(C, K, dtype=np.float64)
    layer.S = np.full((C, K), 1.0 / K)
    x, prev = np.array([1.0, 0, 1, 0, 0]), np.eye(C, K)
    new_S = layer.learn(x, prev)
    np.testing.assert_allclose(new_S, _learn_reference(x, prev, layer.S), rtol=1e-12)
    assert np.all(layer.S == 1.0 / K)  # the layer is left as it is; the caller assigns
    np.testing.assert_array_equal(layer.predictions(), temporal_memory.predictions(layer.S))
    y = layer(np.ones((2, C)))
    assert y.shape == (2, C * K)
