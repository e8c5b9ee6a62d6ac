"""layer_normalization's normalized_shape: normalization over the last k axes, weight and bias
of that shape, as F.layer_norm, forward and backward, float32 and float64.

Tolerances: float64 row sums of at most 60 terms in another order than PyTorch's, rtol
1e-9 (atol 1e-12 where values cancel); float32 (eps 1.2e-7) the same sums and the batch
sums of the weight gradient (up to 12 rows), rtol 1e-4 with an absolute floor of 2e-5.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from layerforge import nn
from layerforge.layers import layer_normalization as ln

TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=1e-4, atol=2e-5)}
DTYPES = [np.float32, np.float64]
CASES = [  # x shape, normalized_shape, weight, bias
    ((4, 5), 5, True, True),
    ((3, 4, 5), (5,), True, False),
    ((3, 4, 5), (4, 5), True, True),
    ((2, 3, 4, 5), (3, 4, 5), False, False),
    ((3, 4, 5), [3, 4, 5], True, True),  # every axis: one row
    ((0, 4, 5), (4, 5), True, True),  # no rows
]


def draw(shape, dtype, seed=0):
    return np.random.default_rng(seed).uniform(-2.0, 2.0, shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, normalized_shape, has_weight, has_bias", CASES)
def test_normalized_shape_matches_f_layer_norm(dtype, shape, normalized_shape, has_weight, has_bias):
    norm = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x, g = draw(shape, dtype), draw(shape, dtype, 5)
    weight = draw(norm, dtype, 1) if has_weight else None
    bias = draw(norm, dtype, 2) if has_bias else None
    y, ctx = ln.forward(x, weight, bias, normalized_shape=normalized_shape, eps=1e-3)
    tensors = [None if a is None else torch.tensor(a, requires_grad=True) for a in (x, weight, bias)]
    expected = F.layer_norm(tensors[0], norm, tensors[1], tensors[2], eps=1e-3)
    expected.backward(torch.tensor(g))
    assert y.shape == shape and y.dtype == dtype
    np.testing.assert_allclose(y, expected.detach().numpy(), **TOL[dtype])
    grads = ln.backward(g, ctx)
    for ours, tensor in zip(grads, tensors):
        if tensor is None:
            assert ours is None
        else:
            assert ours.shape == tensor.shape and ours.dtype == dtype
            np.testing.assert_allclose(ours, tensor.grad.numpy(), **TOL[dtype])


def test_gradient_by_finite_differences_over_two_axes():
    x, w, b = draw((2, 3, 4), np.float64), draw((3, 4), np.float64, 1), draw((3, 4), np.float64, 2)
    cot = draw(x.shape, np.float64, 3)

    def loss(x, w):
        y, _ = ln.forward(x, w, b, normalized_shape=(3, 4))
        return float(np.sum(cot * y))

    _, ctx = ln.forward(x, w, b, normalized_shape=(3, 4))
    grad_x, grad_w, _ = ln.backward(cot, ctx)
    for value, grad, which in ((x, grad_x, 0), (w, grad_w, 1)):
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus, minus = value.copy(), value.copy()
            plus[index] += 1e-6
            minus[index] -= 1e-6
            args = [(plus, w), (minus, w)] if which == 0 else [(x, plus), (x, minus)]
            numeric[index] = (loss(*args[0]) - loss(*args[1])) / 2e-6
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


REFUSALS = [
    (lambda: ln.forward(np.ones((3, 4, 5)), None, None, normalized_shape=(3, 5)), ValueError,
     "layer_normalization: argument 'x' of shape (3, 4, 5) does not end in normalized_shape (3, 5)"),
    (lambda: ln.forward(np.ones((3, 4, 5)), np.ones(20), None, normalized_shape=(4, 5)), ValueError,
     "layer_normalization: argument 'weight' must have shape normalized_shape (4, 5), got (20,)"),
    (lambda: ln.forward(np.ones((3, 4, 5)), None, None, normalized_shape=(4, 0)), ValueError,
     "layer_normalization: attribute 'normalized_shape' must be at least 1"),
    (lambda: ln.forward(np.ones((3, 4, 5)), None, None, normalized_shape=()), ValueError,
     "layer_normalization: attribute 'normalized_shape' must name at least one axis, got ()"),
    (lambda: ln.forward(np.ones((3, 4, 5)), None, None, normalized_shape=4.0), TypeError,
     "layer_normalization: attribute 'normalized_shape' must be an int or a tuple of ints"),
    (lambda: ln.forward([[1.0]], None, None, normalized_shape=1), TypeError,
     "layer_normalization: argument 'x' must be a NumPy or CuPy array, got list"),
]


@pytest.mark.parametrize("call, error, message", REFUSALS)
def test_refusals_name_the_argument(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_backward_checks_the_gradient_against_the_unjoined_output():
    _, ctx = ln.forward(np.ones((3, 4, 5)), None, None, normalized_shape=(4, 5))
    with pytest.raises(ValueError, match=re.escape(
            "layer_normalization: argument 'grad_y' must have shape (3, 4, 5), the shape of 'y' from forward, "
            "got (3, 20)")):
        ln.backward(np.ones((3, 20)), ctx)


def test_nn_layernorm_keeps_its_parameters_in_normalized_shape():
    ours = nn.LayerNorm((4, 5), dtype=np.float64)
    theirs = torch.nn.LayerNorm((4, 5)).double()
    x = draw((3, 4, 5), np.float64)
    np.testing.assert_allclose(ours(x), theirs(torch.tensor(x)).detach().numpy(), **TOL[np.float64])
    ours.backward(np.ones_like(x))
    assert ours.weight.shape == (4, 5) and ours.grads["weight"].shape == (4, 5)
