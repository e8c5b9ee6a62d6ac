"""Train a LeNet-style network on scikit-learn's digits (8x8 images, shipped with the
package: nothing is downloaded) with layerforge on the CPU.

    python examples/lenet_digits.py [--epochs N] [--seed S]

Convolution, pooling, flatten and dense layers from layerforge.nn, cross-entropy loss, Adam.
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


def build_model(rng: np.random.Generator, dtype=np.float32) -> nn.Sequential:
    """conv 1->8 (3x3, relu) - max pool - conv 8->16 (3x3, relu) - max pool - flatten -
    dense 64->64 (relu) - dense 64->10."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, activation="relu", rng=rng, dtype=dtype),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1, activation="relu", rng=rng, dtype=dtype),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dense(64, 64, activation="relu", rng=rng, dtype=dtype),
        nn.Dense(64, 10, rng=rng, dtype=dtype),
    )


def load_data(seed: int, dtype=np.float32):
    """Images scaled to [0, 1] as [N, 1, 8, 8], labels 0-9, split 80/20 after a seeded shuffle."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / 16.0).astype(dtype)[:, None, :, :]
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))
    split = int(0.8 * len(labels))
    train, test = order[:split], order[split:]
    return (images[train], labels[train]), (images[test], labels[test])


def batches(n: int, size: int, rng: np.random.Generator):
    order = rng.permutation(n)
    for start in range(0, n, size):
        yield order[start:start + size]


def accuracy(model: nn.Sequential, images, labels) -> float:
    model.eval()
    predictions = np.argmax(model(images), axis=1)
    model.train()
    return float(np.mean(predictions == labels))


def progress(epoch: int, epochs: int, done: int, total: int, loss: float) -> None:
    width = 30
    filled = int(width * done / total)
    bar = "#" * filled + "." * (width - filled)
    end = "\n" if done == total else ""
    sys.stdout.write(f"\repoch {epoch:>2}/{epochs} [{bar}] {done:>4}/{total} loss {loss:.4f}{end}")
    sys.stdout.flush()


def train(epochs: int = 30, seed: int = 0, batch_size: int = 32, lr: float = 3e-3, verbose: bool = True):
    (x_train, y_train), (x_test, y_test) = load_data(seed)
    rng = np.random.default_rng(seed)
    model = build_model(rng)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=lr)
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        seen, total_loss = 0, 0.0
        for index in batches(len(y_train), batch_size, rng):
            loss = loss_fn(model(x_train[index]), y_train[index])
            model.backward(loss_fn.backward())
            optimizer.step(model.gradients())
            seen += len(index)
            total_loss += loss * len(index)
            if verbose and (sys.stdout.isatty() or seen == len(y_train)):
                progress(epoch, epochs, seen, len(y_train), total_loss / seen)
    elapsed = time.perf_counter() - started
    result = {
        "train_accuracy": accuracy(model, x_train, y_train),
        "test_accuracy": accuracy(model, x_test, y_test),
        "seconds": elapsed,
        "epochs": epochs,
    }
    if verbose:
        print(f"\ntrained {epochs} epochs on {len(y_train)} images in {elapsed:.1f} s")
        print(f"train accuracy {result['train_accuracy']:.4f}, test accuracy {result['test_accuracy']:.4f} "
              f"on {len(y_test)} held-out images")
    return model, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    train(args.epochs, args.seed)


if __name__ == "__main__":
    main()
