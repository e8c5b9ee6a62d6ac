"""Losses: forward and backward against PyTorch (float32 and float64) and float64 finite
differences, with a scalar (0-d) loss and a gradient for every input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import BATCH_SIZES, module, names, spec
from test_gradients import check_gradients

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}


def inputs(name: str, batch: int, dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    if name == "cross_entropy":
        logits = rng.standard_normal((batch, 5))
        labels = rng.integers(0, 5, batch)
        return {"logits": logits.astype(dtype), "target": np.eye(5)[labels].astype(dtype)}
    if name == "margin_loss":  # class capsules of lengths around the margins, one-hot targets
        labels = rng.integers(0, 4, batch)
        return {"capsules": (0.5 * rng.standard_normal((batch, 4, 3))).astype(dtype),
                "target": np.eye(4)[labels].astype(dtype)}
    if name == "mean_squared_error":
        return {"prediction": rng.standard_normal((batch, 3)).astype(dtype), "target": rng.standard_normal((batch, 3)).astype(dtype)}
    return {"logits": (3 * rng.standard_normal((batch, 4))).astype(dtype), "target": rng.uniform(0, 1, (batch, 4)).astype(dtype)}


ORACLES = {
    "cross_entropy": lambda a, b: F.cross_entropy(a, b),
    "mean_squared_error": F.mse_loss,
    "binary_cross_entropy": F.binary_cross_entropy_with_logits,
    "margin_loss": lambda v, t: (t * F.relu(0.9 - torch.sqrt((v * v).sum(-1) + 1e-12)) ** 2
                                 + 0.5 * (1 - t) * F.relu(torch.sqrt((v * v).sum(-1) + 1e-12) - 0.1) ** 2).sum(-1).mean(),
}


def test_every_loss_has_an_oracle():
    assert sorted(ORACLES) == names("loss")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(ORACLES))
def test_loss_matches_torch(name, dtype):
    arrays = inputs(name, 32, dtype)
    loss, ctx = module(spec(name)).forward(*arrays.values())
    assert np.ndim(loss) == 0 and loss.dtype == dtype
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays.values()]
    expected = ORACLES[name](*tensors)
    np.testing.assert_allclose(loss, expected.item(), **TOL[dtype])
    expected.backward(torch.tensor(2.0, dtype=tensors[0].dtype))
    grads = module(spec(name)).backward(np.asarray(2.0, dtype=dtype), ctx)
    grads = grads if isinstance(grads, tuple) else (grads,)  # margin_loss's target takes none
    for ours, tensor in zip(grads, tensors):
        assert ours.dtype == dtype
        np.testing.assert_allclose(ours, tensor.grad.numpy(), **TOL[dtype])


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("name", sorted(ORACLES))
def test_loss_gradient(name, batch):
    arrays = inputs(name, batch, np.float64, seed=batch)
    arrays |= {d.name: None for d in spec(name).arrays if d.name not in arrays}  # cross_entropy's weight
    # cross_entropy's mean holds its divisor (the weighted count of the target) constant, as
    # torch does: its target gradient is checked along such directions in
    # test_onnx_generality.py; here the sum, a plain function of both inputs.
    check_gradients(spec(name), arrays, {"reduction": "sum"} if name == "cross_entropy" else {})
