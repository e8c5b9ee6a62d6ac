"""batch_normalization in the functional API at PyTorch's generality: any rank [N, C, *]
(BatchNorm1d/2d/3d), momentum=None (the cumulative average over num_batches_tracked) and no
running statistics (track_running_stats=False), forward and backward against PyTorch.

Tolerances: float64 sums of at most a few hundred terms in another order than PyTorch's,
rtol 1e-9 (atol 1e-12 for values that cancel to near zero); float32 (eps 1.2e-7) the same
sums, rtol 1e-4 with an absolute floor of 2e-5 (the gradient terms of size ~1 cancel).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from layerforge import nn
from layerforge.layers import batch_normalization as bn

TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=1e-4, atol=2e-5)}
DTYPES = [np.float32, np.float64]
SHAPES = [(6, 3), (4, 3, 5), (3, 3, 4, 5), (2, 3, 2, 3, 4)]


def draw(shape, dtype, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def _t(a):
    return None if a is None else torch.tensor(a, requires_grad=a.ndim > 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_any_rank_matches_f_batch_norm(dtype, shape, training):
    c = shape[1]
    x, weight, bias = draw(shape, dtype), draw((c,), dtype, 1), draw((c,), dtype, 2)
    mean, var = draw((c,), dtype, 3), draw((c,), dtype, 4, 0.5, 1.5)
    (y, new_mean, new_var), ctx = bn.forward(x, weight, bias, mean, var, momentum=0.3, eps=1e-3,
                                             training=training)
    tx, tw, tb = _t(x), _t(weight), _t(bias)
    tm, tv = torch.tensor(mean), torch.tensor(var)
    expected = F.batch_norm(tx, tm, tv, tw, tb, training=training, momentum=0.3, eps=1e-3)
    g = draw(shape, dtype, 5)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(y, expected.detach().numpy(), **TOL[dtype])
    np.testing.assert_allclose(new_mean, tm.numpy(), **TOL[dtype])  # torch updates in place
    np.testing.assert_allclose(new_var, tv.numpy(), **TOL[dtype])
    assert y.shape == shape and y.dtype == dtype
    grad_x, grad_w, grad_b = bn.backward(g, ctx)
    for ours, theirs in ((grad_x, tx.grad), (grad_w, tw.grad), (grad_b, tb.grad)):
        np.testing.assert_allclose(ours, theirs.numpy(), **TOL[dtype])
    assert grad_x.shape == shape


@pytest.mark.parametrize("dtype", DTYPES)
def test_momentum_none_is_the_cumulative_average_of_batchnorm1d(dtype):
    theirs = torch.nn.BatchNorm1d(3, momentum=None, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    mean, var = np.zeros(3, dtype), np.ones(3, dtype)
    for step in range(3):
        x = draw((5, 3, 4), dtype, 10 + step)
        (y, mean, var), _ = bn.forward(x, None, None, mean, var, momentum=None, num_batches_tracked=step)
        expected = theirs(torch.tensor(x))
        np.testing.assert_allclose(y, expected.detach().numpy(), **TOL[dtype])
        np.testing.assert_allclose(mean, theirs.running_mean.numpy(), **TOL[dtype])
        np.testing.assert_allclose(var, theirs.running_var.numpy(), **TOL[dtype])
    assert int(theirs.num_batches_tracked) == 3


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("training", [True, False])
def test_without_running_statistics_the_batch_normalizes(dtype, training):
    """As BatchNorm2d(track_running_stats=False): the batch statistics in training and
    evaluation alike; no running statistics come back."""
    x, g = draw((4, 3, 2, 5), dtype), draw((4, 3, 2, 5), dtype, 5)
    weight, bias = draw((3,), dtype, 1), draw((3,), dtype, 2)
    (y, new_mean, new_var), ctx = bn.forward(x, weight, bias, None, None, training=training)
    assert new_mean is None and new_var is None
    theirs = torch.nn.BatchNorm2d(3, track_running_stats=False, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    theirs.train(training)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(weight))
        theirs.bias.copy_(torch.tensor(bias))
    tx = _t(x)
    expected = theirs(tx)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(y, expected.detach().numpy(), **TOL[dtype])
    grad_x, grad_w, grad_b = bn.backward(g, ctx)
    np.testing.assert_allclose(grad_x, tx.grad.numpy(), **TOL[dtype])
    np.testing.assert_allclose(grad_w, theirs.weight.grad.numpy(), **TOL[dtype])
    np.testing.assert_allclose(grad_b, theirs.bias.grad.numpy(), **TOL[dtype])


def test_gradient_by_finite_differences_at_rank_five():
    x, w = draw((3, 2, 2, 2, 3), np.float64), draw((2,), np.float64, 1)
    cot = draw(x.shape, np.float64, 2)

    def loss(x):
        (y, _, _), _ = bn.forward(x, w, None, None, None)
        return float(np.sum(cot * y))

    (y, _, _), ctx = bn.forward(x, w, None, None, None)
    grad_x, _, _ = bn.backward(cot, ctx)
    step, numeric = 1e-6, np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += step
        minus[index] -= step
        numeric[index] = (loss(plus) - loss(minus)) / (2 * step)
    np.testing.assert_allclose(grad_x, numeric, rtol=1e-6, atol=1e-8)


def test_refusals_name_the_argument():
    with pytest.raises(ValueError, match=re.escape(
            "batch_normalization: argument 'x' must have at least 2 axes ([B, C, *]), got shape (5,)")):
        bn.forward(np.ones(5), None, None, None, None)
    with pytest.raises(ValueError, match=re.escape("batch_normalization: argument 'running_mean'")):
        bn.forward(np.ones((4, 3, 2, 2)), None, None, np.zeros(4), np.ones(3))
    with pytest.raises(ValueError, match=re.escape(
            "batch_normalization: attribute 'num_batches_tracked' must be at least 0")):
        bn.forward(np.ones((4, 3)), None, None, np.zeros(3), np.ones(3), momentum=None, num_batches_tracked=-1)
    (y, _, _), ctx = bn.forward(np.ones((4, 3, 2, 2)), None, None, np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match=re.escape(
            "batch_normalization: argument 'grad_y' must have shape (4, 3, 2, 2), the shape of 'y' from forward, "
            "got (4, 3, 4)")):
        bn.backward(np.ones((4, 3, 4)), ctx)


def test_nn_batchnorm3d_with_momentum_none_tracks_like_torch():
    ours, theirs = nn.BatchNorm3d(2, momentum=None, dtype=np.float64), torch.nn.BatchNorm3d(2, momentum=None).double()
    for step in range(2):
        x = draw((2, 2, 2, 3, 2), np.float64, step)
        np.testing.assert_allclose(ours(x), theirs(torch.tensor(x)).detach().numpy(), **TOL[np.float64])
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), **TOL[np.float64])
    assert ours.num_batches_tracked == 2
