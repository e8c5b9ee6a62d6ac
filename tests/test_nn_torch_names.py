"""layerforge.nn's PyTorch-named classes against torch.nn with the same constructor
arguments and state: output and every parameter gradient in float64 (rtol 1e-9: sums of at
most a few dozen terms in a different order)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from layerforge import nn

TOL = dict(rtol=1e-9, atol=1e-12)


def _parity(ours, theirs, x):
    nn.load_torch_state_dict(ours, theirs.state_dict())
    xt = torch.tensor(x, requires_grad=True)
    expected = theirs(xt)
    y = ours(x)
    np.testing.assert_allclose(y, expected.detach().numpy(), **TOL)
    dy = np.random.default_rng(9).standard_normal(y.shape)
    expected.backward(torch.tensor(dy))
    np.testing.assert_allclose(ours.backward(dy), xt.grad.numpy(), **TOL)
    params = dict(theirs.named_parameters())
    assert list(ours.named_parameters()) == list(params)
    for name, grad in zip(ours.named_parameters(), ours.gradients()):
        np.testing.assert_allclose(grad, params[name].grad.numpy(), err_msg=name, **TOL)


@pytest.mark.parametrize("bias", [True, False])
def test_linear(bias):
    x = np.random.default_rng(0).standard_normal((2, 3, 5))
    _parity(nn.Linear(5, 4, bias=bias, dtype=np.float64), torch.nn.Linear(5, 4, bias=bias, dtype=torch.float64), x)


@pytest.mark.parametrize("affine, bias", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("shape", [6, (3, 6), [2, 3, 6]])
def test_layer_norm(affine, bias, shape):
    x = np.random.default_rng(0).standard_normal((2, 3, 6))
    theirs = torch.nn.LayerNorm(shape, eps=1e-3, elementwise_affine=affine, bias=bias, dtype=torch.float64)
    if affine:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            if bias:
                theirs.bias.uniform_(-1, 1)
    _parity(nn.LayerNorm(shape, eps=1e-3, elementwise_affine=affine, bias=bias, dtype=np.float64), theirs, x)


@pytest.mark.parametrize("cls, shape", [("BatchNorm1d", (5, 3)), ("BatchNorm1d", (5, 3, 4)), ("BatchNorm2d", (4, 3, 5, 2)),
                                        ("BatchNorm3d", (2, 3, 2, 3, 4))])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm(cls, shape, affine):
    x = np.random.default_rng(0).standard_normal(shape)
    theirs = getattr(torch.nn, cls)(3, eps=1e-3, momentum=0.2, affine=affine, dtype=torch.float64)
    ours = getattr(nn, cls)(3, eps=1e-3, momentum=0.2, affine=affine, dtype=np.float64)
    _parity(ours, theirs, x)
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), **TOL)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), **TOL)


def test_relu():
    x = np.random.default_rng(0).standard_normal((4, 7))
    _parity(nn.ReLU(), torch.nn.ReLU(), x)


@pytest.mark.parametrize("momentum", [None, 0.3])
@pytest.mark.parametrize("track", [True, False])
def test_batch_norm_cumulative_average_and_no_running_statistics(momentum, track):
    """momentum=None: the running statistics are the mean of every batch's so far (PyTorch's
    num_batches_tracked, loaded from its state_dict too); track_running_stats=False: batch
    statistics in training and evaluation, no buffers."""
    theirs = torch.nn.BatchNorm2d(3, momentum=momentum, track_running_stats=track, dtype=torch.float64)
    ours = nn.BatchNorm2d(3, momentum=momentum, track_running_stats=track, dtype=np.float64)
    rng = np.random.default_rng(1)
    with torch.no_grad():
        theirs(torch.tensor(rng.standard_normal((4, 3, 2, 2))))  # one step before the state is copied
    for step in range(3):
        if step == 0:
            nn.load_torch_state_dict(ours, theirs.state_dict())
        x = rng.standard_normal((4, 3, 2, 2)) * (step + 1)
        _parity_step(ours, theirs, x)
        if track:
            np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), **TOL)
            np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), **TOL)
            assert ours.num_batches_tracked == int(theirs.num_batches_tracked)
        else:
            assert ours.running_mean is None and not ours.named_buffers()
    ours.eval(), theirs.eval()
    _parity_step(ours, theirs, rng.standard_normal((4, 3, 2, 2)))


def _parity_step(ours, theirs, x):
    xt = torch.tensor(x, requires_grad=True)
    expected = theirs(xt)
    y = ours(x)
    np.testing.assert_allclose(y, expected.detach().numpy(), **TOL)
    dy = np.random.default_rng(2).standard_normal(y.shape)
    expected.backward(torch.tensor(dy))
    np.testing.assert_allclose(ours.backward(dy), xt.grad.numpy(), **TOL)


@pytest.mark.parametrize("args", [(), (1,), (1, 2), (0, -1), (2, 3)])
def test_flatten_takes_torch_positional_arguments(args):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    _parity(nn.Flatten(*args), torch.nn.Flatten(*args), x)


def test_dropout_takes_torch_positional_arguments():
    """torch.nn.Dropout(p, inplace): p positional; the mask is drawn from rng (another
    generator than torch's), so the check is the rule itself: every entry is 0 or x / (1 - p),
    and backward passes the gradient through the same mask."""
    x = np.random.default_rng(0).standard_normal((64, 50)) + 5.0
    drop = nn.Dropout(0.25, False, rng=np.random.default_rng(1))
    y = drop(x)
    kept = y != 0
    np.testing.assert_allclose(y[kept], x[kept] / 0.75, **TOL)
    assert 0.2 < 1 - kept.mean() < 0.3
    np.testing.assert_array_equal(drop.backward(np.ones_like(x)), kept / 0.75)
    drop.eval()
    np.testing.assert_array_equal(drop(x), x)
    assert nn.Dropout(p=0.1).p == 0.1 and nn.Dropout().p == 0.5  # the keywords as before
    assert isinstance(torch.nn.Dropout(0.25, False), torch.nn.Module)  # the signature ported
    with pytest.raises(ValueError, match="dropout: attribute 'p'"):
        nn.Dropout(1.5)(x)
