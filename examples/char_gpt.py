"""Train a small GPT character by character on the Python documentation text that ships with
Python (``pydoc_data.topics``: nothing is downloaded), with layerforge on the CPU.

    python examples/char_gpt.py [--steps N] [--batch B] [--context T] [--seed S]

Token embedding plus a learned position embedding (E = 128), two pre-LN transformer blocks
(nn.TransformerEncoderLayer, 4 heads, feed-forward 512, exact GELU, norm_first=True) with a
causal mask, a final layer norm and a linear layer to the characters; cross-entropy on the
next character at every position, Adam. The model is written as torch's would be (a Module
holding its layers as attributes), so torch's state_dict of the same model loads into it.
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

EMBED, HEADS, HIDDEN, BLOCKS = 128, 4, 512, 2


def load_text() -> str:
    """The pydoc topics (the help() texts of Python's statements and operators), in the
    order of their names."""
    from pydoc_data.topics import topics

    return "\n".join(topics[name] for name in sorted(topics))


class Vocabulary:
    """The characters of a text, numbered in code-point order."""

    def __init__(self, text: str):
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        return np.array([self.index[c] for c in text], dtype=np.int64)

    def decode(self, ids) -> str:
        return "".join(self.chars[i] for i in ids)


class CharGPT(nn.Module):
    """ids [B, T] -> token + position embeddings -> BLOCKS causal pre-LN blocks -> layer norm
    -> Linear(E, vocabulary): next-character logits [B, T, vocabulary]."""

    def __init__(self, vocabulary: int, context: int, rng: np.random.Generator, dtype=np.float32,
                 embed: int = EMBED, heads: int = HEADS, hidden: int = HIDDEN, blocks: int = BLOCKS):
        super().__init__()
        self.context = context
        self.token_embedding = nn.Embedding(vocabulary, embed, rng=rng, dtype=dtype)
        self.position_embedding = nn.Embedding(context, embed, rng=rng, dtype=dtype)
        for table in (self.token_embedding, self.position_embedding):  # GPT-2's N(0, 0.02)
            table.weight *= 0.02
        self.blocks = nn.Sequential(*[
            nn.TransformerEncoderLayer(embed, heads, hidden, dropout=0.0, activation="gelu", batch_first=True,
                                       norm_first=True, rng=rng, dtype=dtype)
            for _ in range(blocks)])
        self.norm = nn.LayerNorm(embed, dtype=dtype)
        self.head = nn.Linear(embed, vocabulary, rng=rng, dtype=dtype)
        self._masks = {}

    def causal_mask(self, length: int) -> np.ndarray:
        """True above the diagonal: position i may not see j > i."""
        if length not in self._masks:
            self._masks[length] = np.triu(np.ones((length, length), dtype=bool), 1)
        return self._masks[length]

    def forward(self, ids):
        length = ids.shape[-1]
        if length > self.context:
            raise ValueError(f"CharGPT: {length} characters, more than the context of {self.context}")
        h = self.token_embedding(ids) + self.position_embedding(np.arange(length))
        mask = self.causal_mask(length)
        for block in self.blocks.layers:
            h = block(h, src_mask=mask)
        return self.head(self.norm(h))

    def backward(self, grad_logits):
        grad = self.norm.backward(self.head.backward(grad_logits))
        for block in reversed(self.blocks.layers):
            grad = block.backward(grad)
        self.token_embedding.backward(grad)
        self.position_embedding.backward(grad.sum(axis=0))  # one position table for the batch
        return None  # ids take no gradient


def batches(data: np.ndarray, batch: int, context: int, rng: np.random.Generator):
    """Endless random windows of the text: inputs [batch, context] and their next
    characters (the targets, shifted by one)."""
    while True:
        starts = rng.integers(0, len(data) - context - 1, batch)
        windows = np.stack([data[s:s + context + 1] for s in starts])
        yield windows[:, :-1], windows[:, 1:]


def train_step(model: CharGPT, loss_fn, optimizer: Adam, inputs, targets) -> float:
    logits = model(inputs)
    vocabulary = logits.shape[-1]
    loss = loss_fn(logits.reshape(-1, vocabulary), targets.reshape(-1))
    model.backward(loss_fn.backward().reshape(logits.shape))
    optimizer.step(model.gradients())
    return loss


def sample(model: CharGPT, vocab: Vocabulary, prompt: str, length: int, rng: np.random.Generator,
           temperature: float = 0.8) -> str:
    """Continue ``prompt`` by ``length`` characters, each drawn from the softmax of the last
    position's logits / temperature (the window slides over the last ``context``)."""
    ids = list(vocab.encode(prompt))
    for _ in range(length):
        window = np.array(ids[-model.context:])[None]
        logits = model(window)[0, -1].astype(np.float64) / temperature
        p = np.exp(logits - logits.max())
        ids.append(int(rng.choice(len(p), p=p / p.sum())))
    return vocab.decode(ids)


def train(steps: int = 1000, batch: int = 32, context: int = 64, seed: int = 0, lr: float = 3e-3,
          verbose: bool = True, every: int = 100):
    text = load_text()
    vocab = Vocabulary(text)
    data = vocab.encode(text)
    rng = np.random.default_rng(seed)
    model = CharGPT(len(vocab), context, rng)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=lr)
    if verbose:
        print(f"{len(text):,} characters, a vocabulary of {len(vocab)}, "
              f"{sum(p.size for p in model.parameters()):,} parameters")
    started, losses = time.perf_counter(), []
    for step, (inputs, targets) in zip(range(1, steps + 1), batches(data, batch, context, rng)):
        losses.append(train_step(model, loss_fn, optimizer, inputs, targets))
        if verbose and (step % every == 0 or step == steps):
            print(f"step {step:>5}/{steps} loss {np.mean(losses[-every:]):.4f} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
    if verbose:
        print("sample:", repr(sample(model, vocab, "The ", 200, rng)))
    return model, vocab, losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--context", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    train(args.steps, args.batch, args.context, args.seed, args.lr)


if __name__ == "__main__":
    main()
