"""split at torch.split's generality: parts of one size (the last smaller) or a list of sizes,
along any axis, any number of parts (a fold of the two-part cut), forward and backward
against PyTorch's autograd, by finite differences, and its refusals.

Tolerances: split only moves data (slices forward, a concatenation backward), so outputs
and gradients equal PyTorch's exactly, in float32 and float64 alike. The finite
differences (float64, step 1e-6) of this linear map are exact up to the rounding of the
difference quotient, about 1e-10 relative.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from layerforge import nn
from layerforge.layers import split

DTYPES = [np.float32, np.float64]


def draw(shape, dtype, seed=0):
    return np.random.default_rng(seed).uniform(-2.0, 2.0, shape).astype(dtype)


def torch_split(x, sections, dim, cotangents):
    tensor = torch.tensor(x, requires_grad=True)
    parts = torch.split(tensor, list(sections) if isinstance(sections, tuple) else sections, dim)
    torch.autograd.backward(parts, [torch.tensor(c) for c in cotangents])
    return [p.detach().numpy() for p in parts], tensor.grad.numpy()


CASES = [  # shape, split_size_or_sections, dim
    ((4, 3, 7), 2, -1),  # 2, 2, 2, 1: the last part smaller
    ((4, 3, 7), 3, 0),  # 3, 1
    ((6, 5), 2, 0),  # 2, 2, 2: equal parts
    ((4, 3, 7), 7, -1),  # one part, the whole axis
    ((4, 3, 7), 9, 2),  # one part: a size beyond the axis, as torch
    ((4, 3, 7), (1, 4, 2), -1),
    ((4, 3, 7), (0, 3, 0, 4), 2),  # empty parts
    ((5, 6, 2), (2, 0, 4), 1),
    ((2, 5, 3, 4), (1, 1, 1, 1, 1), 1),
    ((4, 0, 3), 2, 1),  # an empty axis: one empty part
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, sections, dim", CASES)
def test_split_matches_torch_split_forward_and_backward(dtype, shape, sections, dim):
    x = draw(shape, dtype)
    parts, ctx = split.forward(x, split_size_or_sections=sections, dim=dim)
    cotangents = [draw(p.shape, dtype, seed=10 + i) for i, p in enumerate(parts)]
    expected_parts, expected_grad = torch_split(x, sections, dim, cotangents)
    assert isinstance(parts, tuple) and len(parts) == len(expected_parts)
    for ours, theirs in zip(parts, expected_parts):
        assert ours.dtype == dtype
        np.testing.assert_array_equal(ours, theirs)
    grad_x = split.backward(*cotangents, ctx)
    assert grad_x.dtype == dtype and grad_x.shape == x.shape
    np.testing.assert_array_equal(grad_x, expected_grad)


def test_split_gradient_by_finite_differences():
    x = draw((3, 8), np.float64)
    sections, weights = (3, 1, 4), [draw((3, n), np.float64, seed=20 + n) for n in (3, 1, 4)]

    def loss(x):
        parts, _ = split.forward(x, split_size_or_sections=sections, dim=1)
        return sum(float(np.sum(w * p ** 2)) for w, p in zip(weights, parts))

    parts, ctx = split.forward(x, split_size_or_sections=sections, dim=1)
    grad = split.backward(*(2 * w * p for w, p in zip(weights, parts)), ctx)
    step, numeric = 1e-6, np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += step
        minus[index] -= step
        numeric[index] = (loss(plus) - loss(minus)) / (2 * step)
    np.testing.assert_allclose(grad, numeric, rtol=1e-7, atol=1e-9)


def test_parts_are_views_and_one_part_returns_its_gradient():
    x = draw((2, 6), np.float64)
    parts, ctx = split.forward(x, split_size_or_sections=2)
    assert all(np.shares_memory(p, x) for p in parts)
    (whole,), ctx = split.forward(x, split_size_or_sections=6)
    g = np.ones_like(whole)
    assert split.backward(g, ctx) is g  # documented: the gradient itself


REFUSALS = [
    (dict(split_size_or_sections=(2, 3)), ValueError,
     "split: attribute 'split_size_or_sections' = (2, 3) must be sizes that sum to the size of 'x' "
     "along axis -1, which is 6 (shape (2, 6))"),
    (dict(split_size_or_sections=(2, -1, 5)), ValueError,
     "split: attribute 'split_size_or_sections' must be at least 0"),
    (dict(split_size_or_sections=0), ValueError,
     "split: attribute 'split_size_or_sections' = 0 cuts 'x' along axis -1 into no parts"),
    (dict(split_size_or_sections=2.0), TypeError,
     "split: attribute 'split_size_or_sections' must be an int or a tuple of ints"),
    (dict(split_size_or_sections=2, dim=2), ValueError,
     "split: attribute 'dim' = 2 is not an axis of 'x', which has 2 axes"),
]


@pytest.mark.parametrize("kwargs, error, message", REFUSALS)
def test_split_refuses_bad_sizes(kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        split.forward(np.ones((2, 6)), **kwargs)


def test_backward_takes_one_gradient_per_part_of_its_shape():
    x = np.ones((2, 6))
    parts, ctx = split.forward(x, split_size_or_sections=(1, 2, 3))
    with pytest.raises(ValueError, match=re.escape(
            "split: backward takes 3 gradient(s), one per output that forward returned, got 2")):
        split.backward(np.ones((2, 1)), np.ones((2, 2)), ctx)
    with pytest.raises(ValueError, match=re.escape(
            "split: argument 'grad_parts[1]' must have shape (2, 2), the shape of 'parts[1]' from forward, "
            "got (2, 3)")):
        split.backward(np.ones((2, 1)), np.ones((2, 3)), np.ones((2, 3)), ctx)
    with pytest.raises(TypeError, match="split: ctx must be the context returned by split.forward"):
        split.backward()


def test_nn_split_returns_the_parts_and_takes_their_gradients():
    x = draw((3, 7), np.float64)
    layer = nn.Split(split_size_or_sections=3, dim=1)
    parts = layer(x)
    assert [p.shape[1] for p in parts] == [3, 3, 1]
    grad = layer.backward(*(np.full_like(p, i + 1.0) for i, p in enumerate(parts)))
    np.testing.assert_array_equal(grad, np.repeat([[1.0, 1, 1, 2, 2, 2, 3]], 3, axis=0))
