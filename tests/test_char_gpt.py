"""examples/char_gpt.py against PyTorch: the same GPT written with torch.nn (embeddings,
nn.TransformerEncoderLayer with norm_first=True and a causal mask, LayerNorm, Linear), the
same initial weights (torch's, loaded with load_torch_state_dict), the same batches and
torch.optim.Adam: the losses of 50 training steps agree to 1e-6 relative in float64 and 1e-4
in float32 (a small batch and context keep it fast; E, heads and blocks are the example's).
Both sides run on one thread: products of 128 rows are too small for BLAS's threads, which
on a busy machine make each one ten times slower.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_limits

import layerforge
from harness import ROOT
from layerforge import nn
from layerforge.optim import Adam

sys.path.insert(0, str(ROOT / "examples"))
import char_gpt  # noqa: E402

BATCH, CONTEXT, STEPS, LR = 4, 32, 50, 3e-3


class TorchGPT(torch.nn.Module):
    def __init__(self, vocabulary, context):
        super().__init__()
        self.token_embedding = torch.nn.Embedding(vocabulary, char_gpt.EMBED)
        self.position_embedding = torch.nn.Embedding(context, char_gpt.EMBED)
        self.blocks = torch.nn.Sequential(*[
            torch.nn.TransformerEncoderLayer(char_gpt.EMBED, char_gpt.HEADS, char_gpt.HIDDEN, dropout=0.0,
                                             activation="gelu", batch_first=True, norm_first=True)
            for _ in range(char_gpt.BLOCKS)])
        self.norm = torch.nn.LayerNorm(char_gpt.EMBED)
        self.head = torch.nn.Linear(char_gpt.EMBED, vocabulary)

    def forward(self, ids):
        length = ids.shape[-1]
        h = self.token_embedding(ids) + self.position_embedding(torch.arange(length))
        mask = torch.triu(torch.ones(length, length, dtype=torch.bool), 1)
        for block in self.blocks:
            h = block(h, src_mask=mask)
        return self.head(self.norm(h))


@pytest.fixture(autouse=True)
def one_thread():
    torch_threads, our_threads = torch.get_num_threads(), layerforge.get_num_threads()
    torch.set_num_threads(1)
    layerforge.set_num_threads(1)
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            yield
    finally:
        torch.set_num_threads(torch_threads)
        layerforge.set_num_threads(our_threads)


@pytest.fixture(scope="module")
def corpus():
    vocab = char_gpt.Vocabulary(char_gpt.load_text())
    data = vocab.encode(char_gpt.load_text())
    batches = char_gpt.batches(data, BATCH, CONTEXT, np.random.default_rng(1))
    return vocab, [next(batches) for _ in range(STEPS)]


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-6), (np.float32, 1e-4)])
def test_fifty_training_steps_match_pytorch(corpus, dtype, rtol):
    vocab, batches = corpus
    torch.manual_seed(0)
    theirs = TorchGPT(len(vocab), CONTEXT).to(torch.float64 if dtype == np.float64 else torch.float32)
    ours = char_gpt.CharGPT(len(vocab), CONTEXT, np.random.default_rng(0), dtype=dtype)
    nn.load_torch_state_dict(ours, theirs.state_dict())
    loss_fn, optimizer = nn.CrossEntropyLoss(), Adam(ours.parameters(), lr=LR)
    their_optimizer = torch.optim.Adam(theirs.parameters(), lr=LR)
    ours_losses, their_losses = [], []
    for inputs, targets in batches:
        ours_losses.append(char_gpt.train_step(ours, loss_fn, optimizer, inputs, targets))
        their_optimizer.zero_grad()
        logits = theirs(torch.from_numpy(inputs))
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), torch.from_numpy(targets).reshape(-1))
        loss.backward()
        their_optimizer.step()
        their_losses.append(loss.item())
    ours_losses, their_losses = np.array(ours_losses), np.array(their_losses)
    assert their_losses[-1] < their_losses[0] - 0.5  # it learns: the comparison is not of a flat line
    worst = float(np.max(np.abs(ours_losses - their_losses) / their_losses))
    print(f"char_gpt {np.dtype(dtype).name}: largest relative loss difference over {STEPS} steps {worst:.2e}")
    np.testing.assert_allclose(ours_losses, their_losses, rtol=rtol, atol=0)


def test_sampling_continues_the_prompt(corpus):
    vocab, _ = corpus
    model = char_gpt.CharGPT(len(vocab), CONTEXT, np.random.default_rng(0))
    text = char_gpt.sample(model, vocab, "The ", 40, np.random.default_rng(2))  # longer than the context
    assert text.startswith("The ") and len(text) == 44 and set(text) <= set(vocab.chars)
    with pytest.raises(ValueError, match="CharGPT: 33 characters, more than the context of 32"):
        model(np.zeros((1, CONTEXT + 1), np.int64))
