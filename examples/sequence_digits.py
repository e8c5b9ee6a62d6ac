"""Train an LSTM that reads each of scikit-learn's digits (8x8 images, shipped with the
package: nothing is downloaded) as a sequence of 8 rows of 8 pixels, with layerforge on the CPU.

    python examples/sequence_digits.py [--epochs N] [--hidden H] [--seed S]

nn.LSTM (batch first) reads the rows; a linear layer classifies its last hidden state;
cross-entropy loss, Adam. The model is written as torch's would be (a Module holding an LSTM
and a Linear), so its weights load from and into PyTorch unchanged.
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


class DigitReader(nn.Module):
    """rows [B, 8, 8] -> LSTM(8, hidden, batch_first) -> last hidden state -> Linear(hidden, 10)."""

    def __init__(self, hidden: int, rng: np.random.Generator, dtype=np.float32):
        super().__init__()
        self.lstm = nn.LSTM(8, hidden, batch_first=True, rng=rng, dtype=dtype)
        self.head = nn.Linear(hidden, 10, rng=rng, dtype=dtype)

    def forward(self, rows):
        self._y, (h_n, _) = self.lstm(rows)
        return self.head(h_n[0])

    def backward(self, grad_logits):
        grad_h_n = self.head.backward(grad_logits)
        zeros = np.zeros_like(grad_h_n)
        # only the last hidden state is read: the other outputs get zero gradients
        grad_rows, _ = self.lstm.backward(np.zeros_like(self._y), (grad_h_n[None], zeros[None]))
        return grad_rows


def load_data(seed: int, dtype=np.float32):
    """Images scaled to [0, 1] as [N, 8 rows, 8 pixels], labels 0-9, split 80/20 after a
    seeded shuffle."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / 16.0).astype(dtype)
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))
    split = int(0.8 * len(labels))
    train, test = order[:split], order[split:]
    return (images[train], labels[train]), (images[test], labels[test])


def batches(n: int, size: int, rng: np.random.Generator):
    order = rng.permutation(n)
    for start in range(0, n, size):
        yield order[start:start + size]


def accuracy(model: DigitReader, images, labels) -> float:
    return float(np.mean(np.argmax(model(images), axis=1) == labels))


def train(epochs: int = 25, hidden: int = 64, seed: int = 0, batch_size: int = 32, lr: float = 1e-2,
          verbose: bool = True, dtype=np.float32):
    (x_train, y_train), (x_test, y_test) = load_data(seed, dtype)
    rng = np.random.default_rng(seed)
    model = DigitReader(hidden, rng, dtype)
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
        if verbose:
            print(f"epoch {epoch:>2}/{epochs} loss {total_loss / seen:.4f}", flush=True)
    elapsed = time.perf_counter() - started
    result = {"train_accuracy": accuracy(model, x_train, y_train), "test_accuracy": accuracy(model, x_test, y_test),
              "seconds": elapsed, "epochs": epochs}
    if verbose:
        print(f"trained {epochs} epochs on {len(y_train)} digits in {elapsed:.1f} s")
        print(f"train accuracy {result['train_accuracy']:.4f}, test accuracy {result['test_accuracy']:.4f} "
              f"on {len(y_test)} held-out digits")
    return model, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    train(args.epochs, args.hidden, args.seed)


if __name__ == "__main__":
    main()
