"""The optimizers against torch.optim on the same parameters and gradients (float64: the
update rules are the same arithmetic, so they agree to rounding, rtol 1e-12)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from layerforge.optim import SGD, Adam

SHAPES = [(4, 3), (3,), (2, 2, 5)]


def run(ours_factory, theirs_factory, steps=25):
    rng = np.random.default_rng(0)
    params = [rng.standard_normal(s) for s in SHAPES]
    tensors = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    ours, theirs = ours_factory(params), theirs_factory(tensors)
    for _ in range(steps):
        grads = [rng.standard_normal(s) for s in SHAPES]
        ours.step(grads)
        for tensor, grad in zip(tensors, grads):
            tensor.grad = torch.tensor(grad)
        theirs.step()
    for p, t in zip(params, tensors):
        np.testing.assert_allclose(p, t.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("options", [
    dict(lr=0.1), dict(lr=0.05, momentum=0.9), dict(lr=0.05, momentum=0.9, weight_decay=1e-2),
    dict(lr=0.05, momentum=0.8, dampening=0.1), dict(lr=0.05, momentum=0.9, nesterov=True),
])
def test_sgd_matches_torch(options):
    run(lambda p: SGD(p, **options), lambda t: torch.optim.SGD(t, **options))


@pytest.mark.parametrize("options", [dict(lr=1e-2), dict(lr=3e-3, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2)])
def test_adam_matches_torch(options):
    run(lambda p: Adam(p, **options), lambda t: torch.optim.Adam(t, **options))


def test_bad_arguments():
    with pytest.raises(ValueError, match="got 1 gradients for 2 parameters"):
        SGD([np.zeros(2), np.zeros(3)], lr=0.1).step([np.zeros(2)])
    with pytest.raises(ValueError, match="gradient 0 has shape"):
        Adam([np.zeros(2)]).step([np.zeros(3)])
    with pytest.raises(ValueError, match="nesterov"):
        SGD([np.zeros(2)], lr=0.1, nesterov=True)
