"""Behaviour of the layers that the generic tests do not pin: masked time steps, several
outputs, attribute and shape errors that name the op and the argument, state outputs."""

from __future__ import annotations

import numpy as np
import pytest

from harness import module, spec


def layer(name):
    return module(spec(name))


def test_masking_zeroes_whole_time_steps_and_their_gradient():
    x = np.random.default_rng(0).standard_normal((2, 4, 3))
    x[0, 1] = 0.0  # every feature equals mask_value: masked
    x[1, 2, 0] = 0.0  # one feature only: kept
    y, ctx = layer("masking").forward(x)
    expected = x.copy()
    expected[0, 1] = 0.0
    np.testing.assert_array_equal(y, expected)
    dx = layer("masking").backward(np.ones_like(x), ctx)
    keep = np.ones_like(x)
    keep[0, 1] = 0.0
    np.testing.assert_array_equal(dx, keep)
    y, _ = layer("masking").forward(np.full((1, 2, 3), 7.0), mask_value=7.0)
    np.testing.assert_array_equal(y, np.zeros((1, 2, 3)))


def test_split_returns_a_tuple_and_takes_one_gradient_per_output():
    x = np.arange(12.0).reshape(2, 6)
    (first, second), ctx = layer("split").forward(x, split_size_or_sections=(2, 4))
    np.testing.assert_array_equal(first, x[:, :2])
    np.testing.assert_array_equal(second, x[:, 2:])
    dx = layer("split").backward(np.ones_like(first), 2 * np.ones_like(second), ctx)
    np.testing.assert_array_equal(dx, np.where(np.arange(6) < 2, 1.0, 2.0) * np.ones((2, 1)))


def test_add_returns_one_gradient_per_input():
    a, b = np.ones((2, 3)), np.full((2, 3), 2.0)
    y, ctx = layer("multiply").forward(a, b)
    da, db = layer("multiply").backward(np.ones_like(y), ctx)
    np.testing.assert_array_equal(da, b)
    np.testing.assert_array_equal(db, a)


def test_flatten_and_reshape_invert_each_other():
    x = np.random.default_rng(1).standard_normal((3, 2, 4, 5))
    flat, _ = layer("flatten").forward(x)
    assert flat.shape == (3, 40)
    back, _ = layer("reshape").forward(flat, shape=(3, 2, 4, -1))
    np.testing.assert_array_equal(back, x)


BAD_CALLS = [
    ("concatenate", lambda m: m.forward(np.ones((2, 3)), np.ones((4, 5))), ValueError,
     "concatenate: 'a' (2, 3) and 'b' (4, 5) must have the same shape except along axis -1"),
    ("concatenate", lambda m: m.forward(np.ones((2, 3)), np.ones((2, 5)), axis=2), ValueError,
     "concatenate: attribute 'axis' = 2 is not an axis of 'a', which has 2 axes"),
    ("split", lambda m: m.forward(np.ones((2, 3)), split_size_or_sections=1, dim=-3), ValueError,
     "split: attribute 'dim' = -3 is not an axis of 'x'"),
    ("split", lambda m: m.forward(np.ones((2, 3)), split_size_or_sections=-1), ValueError,
     "split: attribute 'split_size_or_sections' must be at least 0"),
    ("mean", lambda m: m.forward(np.ones((2, 3)), dim=1.0), TypeError,
     "mean: attribute 'dim' must be an int or a tuple of ints"),
    ("mean", lambda m: m.forward(np.ones((2, 3)), dim=(0, 2)), ValueError,
     "mean: attribute 'dim' = (0, 2) is not an axis of 'x', which has 2 axes"),
    ("reshape", lambda m: m.forward(np.ones((2, 12)), shape=(5, -1)), ValueError,
     "reshape: cannot reshape an input of shape (2, 12) (24 elements) into (5, -1)"),
    ("reshape", lambda m: m.forward(np.ones((2, 12)), shape=3), TypeError,
     "reshape: attribute 'shape' must be a tuple of ints, got 3"),
    ("cropping", lambda m: m.forward(np.ones((1, 1, 4, 4)), crop=(1, 1, 2, 2)), ValueError,
     "cropping: cannot remove 2 + 2 entries from axis 2 of an input of shape (1, 1, 4, 4)"),
    ("padding", lambda m: m.forward(np.ones((1, 1, 4, 4)), pad=(4, 0), mode="reflect"), ValueError,
     "padding: cannot pad an axis of length 4 by (4, 0) in reflect mode"),
    ("padding", lambda m: m.forward(np.ones((1, 1, 4, 4)), mode="edge"), ValueError,
     "padding: attribute 'mode' must be one of 'constant', 'reflect', 'replicate', 'circular'"),
    ("upsampling", lambda m: m.forward(np.ones((1, 4, 4))), ValueError,
     "upsampling: argument 'x' must have rank 4"),
    ("masking", lambda m: m.forward(np.ones((2, 3))), ValueError, "masking: argument 'x' must have rank 3"),
]


@pytest.mark.parametrize("name, call, error, message", BAD_CALLS, ids=[m for *_, m in BAD_CALLS])
def test_bad_arguments_name_the_op_and_argument(name, call, error, message):
    with pytest.raises(error) as info:
        call(layer(name))
    assert message in str(info.value)


def test_gaussian_noise_is_seeded_has_the_right_moments_and_is_off_in_inference():
    noise = layer("gaussian_noise")
    x = np.zeros((200, 500))
    a, ctx = noise.forward(x, stddev=0.5, mean=0.2, rng=np.random.default_rng(1))
    b, _ = noise.forward(x, stddev=0.5, mean=0.2, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    assert abs(a.mean() - 0.2) < 0.005 and abs(a.std() - 0.5) < 0.005  # 1e5 draws
    dy = np.random.default_rng(2).standard_normal(x.shape)
    np.testing.assert_array_equal(noise.backward(dy, ctx), dy)
    c, _ = noise.forward(x, training=False)
    np.testing.assert_array_equal(c, x)


def test_dropout_draws_a_fresh_mask_per_seed_and_keeps_the_dtype():
    dropout = layer("dropout")
    x = np.ones((50, 40), np.float32)
    a, _ = dropout.forward(x, p=0.25, rng=np.random.default_rng(1))
    b, _ = dropout.forward(x, p=0.25, rng=np.random.default_rng(2))
    assert a.dtype == np.float32 and not np.array_equal(a, b)
    assert set(np.unique(a)) == {0.0, np.float32(1 / 0.75)}
    with pytest.raises(ValueError, match="dropout: attribute 'p' must be at most 1.0"):
        dropout.forward(x, p=1.5)


WINDOW_CALLS = [
    ("max_pooling", lambda m: m.forward(np.ones((1, 1, 2, 5)), kernel_size=3), ValueError,
     "max_pooling: the window spans 3 along the height, more than the height of 'x' plus padding (2 + 0 + 0)"),
    ("avg_pooling", lambda m: m.forward(np.ones((1, 1, 6, 6)), kernel_size=2, padding=2), ValueError,
     "avg_pooling: padding 2 along the height must be less than the window's span 2 (the dilated kernel), "
     "so that every window overlaps the input"),
    ("pooling", lambda m: m.forward(np.ones((1, 1, 6, 6)), kind="min"), ValueError,
     "pooling: attribute 'kind' must be one of 'max', 'average', got 'min'"),
    ("pooling", lambda m: m.forward(np.ones((1, 1, 6, 6)), stride=0), ValueError,
     "pooling: attribute 'stride' must be at least 1"),
    ("global_pooling", lambda m: m.forward(np.ones((1, 6, 6))), ValueError,
     "global_pooling: argument 'x' must have rank 4"),
    ("convolutional", lambda m: m.forward(np.ones((1, 2, 4, 4)), np.ones((3, 2, 3, 3)), np.ones(3), dilation=2),
     ValueError, "convolutional: the window spans 5 along the height, more than the height of 'x'"),
    ("convolutional", lambda m: m.forward(np.ones((1, 2, 4, 4)), np.ones((3, 5, 3, 3)), np.ones(3)),
     ValueError, "convolutional: weight [C_out, C_in / groups, kH, kW] must have 2 input channels (C_in = 2, groups = 1), got shape (3, 5, 3, 3)"),
    ("convolutional", lambda m: m.forward(np.ones((1, 2, 4, 4)), np.ones((3, 2, 3, 3)), np.ones(3), padding=1.5),
     TypeError, "convolutional: attribute 'padding' must be an int, a pair (height, width), four ints"),
    ("batch_normalization", lambda m: m.forward(np.ones((1, 2, 1, 1)), *[np.ones(2)] * 4), ValueError,
     "batch_normalization: training needs more than one value per channel, got N * H * W = 1"),
]


@pytest.mark.parametrize("name, call, error, message", WINDOW_CALLS, ids=[m for *_, m in WINDOW_CALLS])
def test_window_and_state_errors_name_the_op(name, call, error, message):
    with pytest.raises(error) as info:
        call(layer(name))
    assert message in str(info.value)


def test_batch_normalization_in_inference_uses_and_returns_the_running_statistics():
    bn = layer("batch_normalization")
    x = np.random.default_rng(0).standard_normal((4, 2, 3, 3))
    weight, bias = np.array([1.0, 2.0]), np.array([0.0, 1.0])
    mean, var = np.array([0.5, -1.0]), np.array([4.0, 0.25])
    (y, new_mean, new_var), ctx = bn.forward(x, weight, bias, mean, var, training=False, eps=0.0)
    expected = (x - mean[:, None, None]) / np.sqrt(var[:, None, None]) * weight[:, None, None] + bias[:, None, None]
    np.testing.assert_allclose(y, expected)
    assert new_mean is mean and new_var is var
    dx, dweight, dbias = bn.backward(np.ones_like(y), ctx)
    np.testing.assert_allclose(dx, np.ones_like(x) * (weight / np.sqrt(var))[:, None, None])
