"""Train a convolutional autoencoder on scikit-learn's digits (8x8 images, shipped with the
package: nothing is downloaded) with layerforge on the CPU.

    python examples/autoencoder_digits.py [--epochs N] [--seed S]

Two strided convolutions squeeze each image into a 8 x 2 x 2 code (32 numbers for 64
pixels); two transposed convolutions (deconvolutions) bring it back to 8 x 8; the loss is
the mean squared error between the reconstruction and the image, minimised by Adam. With the
defaults (30 epochs, seed 0) the test loss, the mean squared error per pixel on the 360
held-out images (pixels in [0, 1]), falls below 0.01 (0.0049 in 19 s on one core; predicting
every image as the mean image scores 0.074).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "generated"))

from layerforge import nn  # noqa: E402
from layerforge.optim import Adam  # noqa: E402

TEST_LOSS_THRESHOLD = 0.01


def build_model(rng: np.random.Generator, dtype=np.float32) -> nn.Sequential:
    """conv 1->16 (3x3, stride 2, relu: 8x8 -> 4x4) - conv 16->8 (3x3, stride 2, relu: the
    code, 2x2) - deconv 8->16 (3x3, stride 2, relu: 4x4) - deconv 16->1 (3x3, stride 2,
    sigmoid: 8x8); each transposed convolution's output_padding 1 doubles the size exactly."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, stride=2, padding=1, activation="relu", rng=rng, dtype=dtype),
        nn.Conv2d(16, 8, 3, stride=2, padding=1, activation="relu", rng=rng, dtype=dtype),
        nn.ConvTranspose2d(8, 16, 3, stride=2, padding=1, output_padding=1, activation="relu", rng=rng, dtype=dtype),
        nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1, activation="sigmoid", rng=rng, dtype=dtype),
    )


def load_data(seed: int, dtype=np.float32):
    """Images scaled to [0, 1] as [N, 1, 8, 8], split 80/20 after a seeded shuffle (the
    labels are not needed)."""
    from sklearn.datasets import load_digits

    images = (load_digits().images / 16.0).astype(dtype)[:, None, :, :]
    order = np.random.default_rng(seed).permutation(len(images))
    split = int(0.8 * len(images))
    return images[order[:split]], images[order[split:]]


def batches(n: int, size: int, rng: np.random.Generator):
    order = rng.permutation(n)
    for start in range(0, n, size):
        yield order[start:start + size]


def mean_squared_error(model: nn.Sequential, images) -> float:
    return float(np.mean((model(images) - images) ** 2))


def train(epochs: int = 30, seed: int = 0, batch_size: int = 32, lr: float = 1e-2, verbose: bool = True,
          dtype=np.float32):
    x_train, x_test = load_data(seed, dtype)
    rng = np.random.default_rng(seed)
    model = build_model(rng, dtype)
    loss_fn = nn.MSELoss()
    optimizer = Adam(model.parameters(), lr=lr)
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        seen, total_loss = 0, 0.0
        for index in batches(len(x_train), batch_size, rng):
            loss = loss_fn(model(x_train[index]), x_train[index])
            model.backward(loss_fn.backward())
            optimizer.step(model.gradients())
            seen += len(index)
            total_loss += loss * len(index)
        if verbose:
            print(f"epoch {epoch:>2}/{epochs} train loss {total_loss / seen:.5f}", flush=True)
    elapsed = time.perf_counter() - started
    result = {"train_loss": mean_squared_error(model, x_train), "test_loss": mean_squared_error(model, x_test),
              "baseline_loss": float(np.mean((x_test - x_train.mean(axis=0)) ** 2)), "seconds": elapsed,
              "epochs": epochs}
    if verbose:
        print(f"trained {epochs} epochs on {len(x_train)} digits in {elapsed:.1f} s")
        print(f"test loss {result['test_loss']:.5f} (mean squared error per pixel on {len(x_test)} held-out "
              f"digits; threshold {TEST_LOSS_THRESHOLD}, the mean image scores {result['baseline_loss']:.5f})")
    return model, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    _, result = train(args.epochs, args.seed)
    if result["test_loss"] >= TEST_LOSS_THRESHOLD:
        sys.exit(f"test loss {result['test_loss']:.5f} is not below {TEST_LOSS_THRESHOLD}")


if __name__ == "__main__":
    main()
