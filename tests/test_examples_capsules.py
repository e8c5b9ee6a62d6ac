"""examples/capsules_digits.py against PyTorch: the same capsule network (convolution,
primary capsules, digit capsules routing with c.detach(), margin loss, Adam) from the same
initial weights on the same batches gives the same losses for 8 steps in float64, to 1e-8
relative (sums rounded in different orders, about 1e-15 per step, grown by Adam's division
by the gradients' running root mean square); and the losses fall."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "capsules_digits.py"


def load_example():
    example = importlib.util.module_from_spec(spec := importlib.util.spec_from_file_location("capsules_digits", EXAMPLE))
    spec.loader.exec_module(example)
    return example


def squash(s):
    squared = (s * s).sum(-1, keepdim=True)
    return s * torch.sqrt(squared + 1e-7) / (1 + squared)


def torch_model(params, images):
    """The example's model in torch: params are the example model's arrays, as tensors."""
    conv_w, conv_b, primary_w, primary_b, digit_w = params
    h = F.relu(F.conv2d(images, conv_w, conv_b, padding=1))
    u = F.conv2d(h, primary_w, primary_b, stride=2, padding=1)              # [B, 64, 4, 4]
    u = u.reshape(u.shape[0], 8, 8, 4, 4).permute(0, 1, 3, 4, 2).reshape(u.shape[0], 128, 8)
    u_hat = torch.einsum("bid,ijdk->bijk", squash(u), digit_w)
    logits = torch.zeros(u_hat.shape[:3], dtype=u_hat.dtype)
    for r in range(3):
        c = torch.softmax(logits, -1).detach()
        v = squash((c[..., None] * u_hat).sum(1))
        if r < 2:
            logits = logits + (u_hat * v[:, None]).sum(-1)
    return v


def torch_margin_loss(capsules, labels):
    lengths = torch.sqrt((capsules * capsules).sum(-1) + 1e-12)
    target = F.one_hot(torch.from_numpy(labels), 10).to(capsules.dtype)
    per_class = target * F.relu(0.9 - lengths) ** 2 + 0.5 * (1 - target) * F.relu(lengths - 0.1) ** 2
    return per_class.sum(-1).mean()


def test_capsules_example_matches_torch_for_8_steps():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small products: torch's threads only spin against each other
    try:
        run_steps(8)
    finally:
        torch.set_num_threads(threads)


def run_steps(steps):
    from layerforge.optim import Adam

    example = load_example()
    x_train, y_train, _, _ = example.load_data(0, np.float64)
    model = example.build_model(np.random.default_rng(0), np.float64)
    params = [torch.tensor(p, requires_grad=True) for p in model.parameters()]
    assert [tuple(p.shape) for p in params] == [(32, 1, 3, 3), (32,), (64, 32, 3, 3), (64,), (128, 10, 8, 16)]
    optimizer = Adam(model.parameters(), lr=3e-3)
    optimizer_t = torch.optim.Adam(params, lr=3e-3)
    loss_fn = example.nn.MarginLoss()
    batches = example.batches(len(x_train), 32, np.random.default_rng(1))
    losses, losses_t = [], []
    for _ in range(steps):
        index = next(batches)
        losses.append(loss_fn(model(x_train[index]), y_train[index]))
        model.backward(loss_fn.backward())
        optimizer.step(model.gradients())
        optimizer_t.zero_grad()
        loss_t = torch_margin_loss(torch_model(params, torch.from_numpy(x_train[index])), y_train[index])
        loss_t.backward()
        optimizer_t.step()
        losses_t.append(loss_t.item())
    np.testing.assert_allclose(losses, losses_t, rtol=1e-8, atol=0)
    assert np.mean(losses[-3:]) < 0.8 * np.mean(losses[:3])  # it learns
