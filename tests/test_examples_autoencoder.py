"""examples/autoencoder_digits.py against PyTorch: the same model (strided Conv2d down,
ConvTranspose2d up, MSE loss, Adam) from the same initial weights on the same batches gives
the same losses for 50 steps, in float64 to 1e-6 relative (the two sides round sums in
different orders: about 1e-15 per step, grown by Adam's division by the gradient's running
root mean square, still far below 1e-6 after 50 steps)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import torch

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "autoencoder_digits.py"


def load_example():
    example = importlib.util.module_from_spec(spec := importlib.util.spec_from_file_location("autoencoder_digits", EXAMPLE))
    spec.loader.exec_module(example)
    return example


def torch_twin(model) -> torch.nn.Sequential:
    """The example's model written in torch.nn, its weights copied from ours."""
    twin = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, stride=2, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 8, 3, stride=2, padding=1), torch.nn.ReLU(),
        torch.nn.ConvTranspose2d(8, 16, 3, stride=2, padding=1, output_padding=1), torch.nn.ReLU(),
        torch.nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), torch.nn.Sigmoid(),
    ).double()
    with torch.no_grad():
        for ours, theirs in zip(model.parameters(), twin.parameters()):
            assert ours.shape == tuple(theirs.shape)
            theirs.copy_(torch.from_numpy(ours))
    return twin


def test_autoencoder_example_matches_torch_for_50_steps():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny products: torch's threads only spin against each other
    try:
        run_50_steps()
    finally:
        torch.set_num_threads(threads)


def run_50_steps():
    from layerforge.optim import Adam

    example = load_example()
    x_train, _ = example.load_data(0, np.float64)
    model = example.build_model(np.random.default_rng(0), np.float64)
    twin = torch_twin(model)
    optimizer = Adam(model.parameters(), lr=1e-2)
    optimizer_t = torch.optim.Adam(twin.parameters(), lr=1e-2)
    loss_fn, loss_t_fn = example.nn.MSELoss(), torch.nn.MSELoss()
    rng = np.random.default_rng(1)
    epochs = (index for _ in range(2) for index in example.batches(len(x_train), 32, rng))  # 45 batches each
    losses, losses_t = [], []
    for _ in range(50):
        images = x_train[next(epochs)]
        losses.append(loss_fn(model(images), images))
        model.backward(loss_fn.backward())
        optimizer.step(model.gradients())
        optimizer_t.zero_grad()
        target = torch.from_numpy(images)
        loss_t = loss_t_fn(twin(target), target)
        loss_t.backward()
        optimizer_t.step()
        losses_t.append(loss_t.item())
    np.testing.assert_allclose(losses, losses_t, rtol=1e-6, atol=0)
    assert losses[-1] < 0.5 * losses[0]  # it learns
