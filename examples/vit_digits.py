"""Train a small vision transformer on scikit-learn's digits (8x8 images, shipped with the
package: nothing is downloaded) with layerforge on the CPU.

    python examples/vit_digits.py [--epochs N] [--seed S]

Patch embedding (2x2 patches: 16 tokens of 48 features), sinusoidal positions, two
transformer encoder blocks (4 heads, feed-forward 96, pre-LN, exact GELU), the mean over the
tokens and a dense classifier; cross-entropy loss, Adam with a cosine learning-rate decay.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "generated"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from layerforge import nn  # noqa: E402
from layerforge.optim import Adam  # noqa: E402
from lenet_digits import batches, load_data  # noqa: E402

EMBED, HEADS, HIDDEN, PATCH = 48, 4, 96, 2


def build_model(rng: np.random.Generator, dtype=np.float32) -> nn.Sequential:
    """patches [N, 16, 48] + positions - 2 encoder blocks - mean over tokens - dense 48->10."""
    def block():
        return nn.TransformerEncoderLayer(EMBED, HEADS, HIDDEN, dropout=0.0, activation="gelu", batch_first=True,
                                          norm_first=True, rng=rng, dtype=dtype)

    return nn.Sequential(
        nn.PatchEmbedding(1, EMBED, PATCH, rng=rng, dtype=dtype),
        nn.PositionalEncoding(),
        block(),
        block(),
        nn.Mean(dim=1),
        nn.Dense(EMBED, 10, rng=rng, dtype=dtype),
    )


def accuracy(model: nn.Sequential, images, labels) -> float:
    return float(np.mean(np.argmax(model(images), axis=1) == labels))


def train(epochs: int = 25, seed: int = 0, batch_size: int = 32, lr: float = 1e-3, verbose: bool = True):
    (x_train, y_train), (x_test, y_test) = load_data(seed)
    rng = np.random.default_rng(seed)
    model = build_model(rng)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=lr)
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        optimizer.lr = lr * 0.5 * (1 + np.cos(np.pi * (epoch - 1) / epochs))  # cosine decay to 0
        losses = []
        for index in batches(len(y_train), batch_size, rng):
            loss = loss_fn(model(x_train[index]), y_train[index])
            model.backward(loss_fn.backward())
            optimizer.step(model.gradients())
            losses.append(loss)
        if verbose:
            print(f"epoch {epoch:>2}/{epochs} loss {np.mean(losses):.4f} "
                  f"test accuracy {accuracy(model, x_test, y_test):.3f} ({time.perf_counter() - started:.0f} s)")
    return model, accuracy(model, x_test, y_test)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    _, test_accuracy = train(args.epochs, args.seed)
    print(f"test accuracy: {test_accuracy:.3f}")


if __name__ == "__main__":
    main()
