"""Issue 19, the convolution family and resampling, against PyTorch (CPU) forward and
backward in float64 and float32, and against finite differences in float64.

Tolerances: float64 results agree to the rounding of the sums they are made of (a few dozen
terms per output: rtol 1e-9, atol 1e-12 for sums that cancel to near zero); float32 (eps
1.2e-7) sums taken in another order than PyTorch's differ by tens of ulps of the terms'
magnitude (rtol 2e-5, atol 2e-5 for outputs that cancel, whose terms are of order 1-10).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import finite_differences, module, spec
from oracles import ORACLES

TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=2e-5, atol=2e-5)}
DTYPES = [np.float64, np.float32]


def draw(shape, dtype, seed=0, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def compare(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert ours.dtype == dtype, f"{what}: dtype {ours.dtype}, expected {np.dtype(dtype)}"
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, expected {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, err_msg=what, **TOL[dtype])


def check(name, arrays, torch_fn, dtype, attrs=None, seed=10):
    """Our forward and backward against PyTorch's autograd on the same arrays and cotangent:
    the output and the gradient of every input and parameter."""
    mod = module(spec(name))
    y, ctx = mod.forward(*arrays, **(attrs or {}))
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    expected = torch_fn(*tensors)
    compare(y, expected, dtype, f"{name} forward {attrs}")
    dy = np.random.default_rng(seed).uniform(-2, 2, y.shape).astype(dtype)
    expected.backward(torch.tensor(dy))
    grads = mod.backward(dy, ctx)
    grads = grads if isinstance(grads, tuple) else (grads,)
    assert grads[len(arrays):] == (None,) * (len(grads) - len(arrays))  # absent optional parameters
    for i, (grad, tensor) in enumerate(zip(grads, tensors)):
        compare(grad, tensor.grad, dtype, f"{name} grad[{i}] {attrs}")
    return y


def refused(error, call, *fragments):
    with pytest.raises(error) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


# -- convolutional: the block sizes and special paths of the stride-1 helpers ------------------

# The stride-1 convolution gathers its column matrix in blocks of rows of at most 1.5 MiB
# (16 MiB with one output channel per group). Shapes large enough for several blocks with a
# smaller last one: float64, 32 channels of width 40 (42 padded) are 95 KiB per row, blocks
# of 14, 14 and 12 rows; depthwise, 32 channels of width 128 are 292 KiB per row, blocks of
# 43, 43 and 42 rows. A 1 x 1 kernel without padding reads x in place. float64 only: the
# paths are the same in float32, and these larger sums keep float64's tolerance.
BLOCKED = [  # (x shape, weight shape, keywords)
    ((2, 32, 40, 40), (16, 16, 3, 3), dict(padding=1, groups=2)),
    ((1, 32, 128, 128), (32, 1, 3, 3), dict(padding=1, groups=32)),
    ((2, 8, 5, 6), (4, 8, 1, 1), dict(padding=0)),
    ((2, 4, 9, 8), (6, 2, 3, 2), dict(stride=2, padding=(1, 2), dilation=2, groups=2)),
]


@pytest.mark.parametrize("x_shape, w_shape, keywords", BLOCKED)
def test_convolution_blocks_and_special_paths(x_shape, w_shape, keywords):
    x, w, b = draw(x_shape, np.float64, 1), draw(w_shape, np.float64, 2), draw(w_shape[:1], np.float64, 3)
    check("convolutional", [x, w, b], lambda x, w, b: F.conv2d(x, w, b, **keywords), np.float64, keywords)


# -- deconvolutional: torch.nn.ConvTranspose2d -------------------------------------------------

DECONV = [  # (C_in, C_out, kernel, keywords)
    (4, 6, (3, 3), dict(stride=1)),
    (4, 6, (3, 2), dict(stride=2, padding=1, output_padding=1)),
    (4, 6, (3, 3), dict(stride=3, padding=(2, 1), output_padding=(2, 0), dilation=2)),
    (4, 8, (2, 3), dict(stride=2, output_padding=(0, 1), groups=2)),
    (4, 4, (3, 3), dict(stride=1, padding=1, dilation=(2, 1), groups=4)),
    (6, 3, (1, 1), dict(stride=(1, 3), padding=0, output_padding=(0, 2), groups=3)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("c_in, c_out, kernel, keywords", DECONV)
def test_deconvolution_as_conv_transpose2d(c_in, c_out, kernel, keywords, dtype):
    groups = keywords.get("groups", 1)
    x = draw((2, c_in, 5, 4), dtype, 1)
    w = draw((c_in, c_out // groups, *kernel), dtype, 2)
    b = draw((c_out,), dtype, 3)
    check("deconvolutional", [x, w, b], lambda x, w, b: F.conv_transpose2d(x, w, b, **keywords), dtype, keywords)


@pytest.mark.parametrize("keywords", [DECONV[2][3], DECONV[3][3]])
def test_deconvolution_finite_differences(keywords):
    groups = keywords.get("groups", 1)
    arrays = [draw((2, 4, 4, 3), np.float64, 1), draw((4, 6 // groups if groups == 1 else 4, 3, 2), np.float64, 2),
              draw((6 if groups == 1 else 8,), np.float64, 3)]
    finite_differences("deconvolutional", arrays, {**keywords, "activation": "tanh"})


def test_deconvolution_without_bias_and_activation():
    x, w = draw((3, 4, 5, 5), np.float32, 4), draw((4, 2, 3, 3), np.float32, 5)
    keywords = dict(stride=2, padding=1, output_padding=1, groups=2)
    check("deconvolutional", [x, w], lambda x, w: torch.sigmoid(F.conv_transpose2d(x, w, None, **keywords)),
          np.float32, {**keywords, "activation": "sigmoid"})


def test_deconvolution_bad_input():
    from layerforge.layers import deconvolutional

    x, w, b = draw((2, 4, 5, 5), np.float64), draw((4, 3, 3, 3), np.float64), draw((3,), np.float64)
    refused(ValueError, lambda: deconvolutional.forward(x, w, b, stride=2, output_padding=2),
            "deconvolutional: attribute 'output_padding'", "less than the stride (2, 2)")
    refused(ValueError, lambda: deconvolutional.forward(x, w, b, output_padding=1), "'output_padding'")
    refused(ValueError, lambda: deconvolutional.forward(x, w, b, padding="same"), "deconvolutional: attribute 'padding'")
    refused(ValueError, lambda: deconvolutional.forward(x, w[:3], b), "deconvolutional: argument 'weight' has C_in = 3")
    refused(ValueError, lambda: deconvolutional.forward(x, w, draw((8,), np.float64), groups=2),
            "deconvolutional: argument 'weight' has C_out_over_groups = 3, expected 8 / groups = 4")
    refused(ValueError, lambda: deconvolutional.forward(x, w[:, :1], b, groups=3), "deconvolutional: groups = 3 must divide the input channels (4)")
    refused(ValueError, lambda: deconvolutional.forward(x[:, :, :1, :1], w, b, padding=2), "deconvolutional: the output height")


def test_conv_transpose2d_nn_class_loads_torch_weights():
    from layerforge import nn

    theirs = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, dtype=torch.float64)
    ours = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, dtype=np.float64)
    assert ours.weight.shape == tuple(theirs.weight.shape) and ours.bias.shape == tuple(theirs.bias.shape)
    ours.weight, ours.bias = theirs.weight.detach().numpy().copy(), theirs.bias.detach().numpy().copy()
    x = draw((2, 4, 5, 6), np.float64, 6)
    t = torch.tensor(x, requires_grad=True)
    expected = theirs(t)
    compare(ours(x), expected, np.float64, "nn.ConvTranspose2d forward")
    dy = draw(tuple(expected.shape), np.float64, 7)
    expected.backward(torch.tensor(dy))
    compare(ours.backward(dy), t.grad, np.float64, "nn.ConvTranspose2d backward")
    compare(ours.grads["weight"], theirs.weight.grad, np.float64, "nn.ConvTranspose2d weight gradient")


# -- pixel shuffle and the sub-pixel convolution -----------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("factor, inverse", [(2, False), (3, False), (2, True), (3, True)])
def test_pixel_shuffle_and_unshuffle(factor, inverse, dtype):
    shape = (2, 3, 3 * factor, 2 * factor) if inverse else (2, 3 * factor * factor, 3, 2)
    x = draw(shape, dtype, 1)
    oracle = F.pixel_unshuffle if inverse else F.pixel_shuffle
    y = check("pixel_shuffle", [x], lambda x: oracle(x, factor), dtype, {"upscale_factor": factor, "inverse": inverse})
    assert y.flags.c_contiguous


def test_pixel_shuffle_is_channel_major():
    """Channel c r^2 + i r + j lands on pixel (i, j) of each r x r block (PyTorch's order,
    not the offset-major one): checked on the channel indices themselves."""
    from layerforge.layers import pixel_shuffle

    r, c = 2, 3
    x = np.broadcast_to(np.arange(c * r * r, dtype=np.float64)[None, :, None, None], (1, c * r * r, 2, 2)).copy()
    y, _ = pixel_shuffle.forward(x, upscale_factor=r)
    for channel in range(c):
        for i in range(r):
            for j in range(r):
                assert np.all(y[0, channel, i::r, j::r] == channel * r * r + i * r + j)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("factor, kernel, keywords", [(2, 3, {}), (3, 1, {}), (2, 3, {"padding": 0, "stride": 2})])
def test_subpixel_convolution(factor, kernel, keywords, dtype):
    x = draw((2, 3, 6, 5), dtype, 1)
    w, b = draw((2 * factor * factor, 3, kernel, kernel), dtype, 2), draw((2 * factor * factor,), dtype, 3)
    padding = keywords.get("padding", kernel // 2)
    stride = keywords.get("stride", 1)
    check("subpixel_convolutional", [x, w, b],
          lambda x, w, b: torch.tanh(F.pixel_shuffle(F.conv2d(x, w, b, padding=padding, stride=stride), factor)),
          dtype, {"upscale_factor": factor, "activation": "tanh", **keywords})


def test_subpixel_convolution_finite_differences():
    arrays = [draw((2, 2, 4, 3), np.float64, 1), draw((8, 2, 3, 3), np.float64, 2), draw((8,), np.float64, 3)]
    finite_differences("subpixel_convolutional", arrays, {"upscale_factor": 2, "activation": "gelu"})
    finite_differences("pixel_shuffle", [draw((2, 8, 3, 2), np.float64, 4)], {"upscale_factor": 2})


def test_pixel_shuffle_bad_input():
    from layerforge.layers import pixel_shuffle, subpixel_convolutional

    x = draw((2, 6, 4, 4), np.float64)
    refused(ValueError, lambda: pixel_shuffle.forward(x, upscale_factor=2),
            "attribute 'upscale_factor' = 2", "channels (6) must be divisible by upscale_factor squared (4)")
    refused(ValueError, lambda: pixel_shuffle.forward(x, upscale_factor=3, inverse=True),
            "attribute 'downscale_factor' = 3 must divide the input's height (4) and width (4)")
    refused(ValueError, lambda: pixel_shuffle.forward(x, upscale_factor=0), "pixel_shuffle: attribute 'upscale_factor'")
    refused(ValueError, lambda: subpixel_convolutional.forward(x, draw((6, 6, 3, 3), np.float64), upscale_factor=2),
            "channels (6) must be divisible by upscale_factor squared (4)")


def test_pixel_shuffle_nn_classes():
    from layerforge import nn

    x = draw((2, 8, 3, 5), np.float64, 5)
    for ours, theirs in ((nn.PixelShuffle(2), torch.nn.PixelShuffle(2)), (nn.PixelUnshuffle(3), torch.nn.PixelUnshuffle(3))):
        source = x if isinstance(ours, nn.PixelShuffle) else draw((2, 2, 6, 9), np.float64, 6)
        t = torch.tensor(source, requires_grad=True)
        expected = theirs(t)
        compare(ours(source), expected, np.float64, f"nn.{type(ours).__name__} forward")
        dy = draw(tuple(expected.shape), np.float64, 7)
        expected.backward(torch.tensor(dy))
        compare(ours.backward(dy), t.grad, np.float64, f"nn.{type(ours).__name__} backward")


# -- depthwise-separable and separable convolutions ----------------------------------------------


def separable_oracle(stride=1, padding=0, dilation=1):
    def run(x, depthwise_weight, pointwise_weight, bias=None):
        depthwise = F.conv2d(x, depthwise_weight, stride=stride, padding=padding, dilation=dilation, groups=x.shape[1])
        return F.conv2d(depthwise, pointwise_weight, bias)

    return run


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, multiplier, keywords", [
    ("depthwise_separable_convolutional", 1, dict(padding=1)),
    ("depthwise_separable_convolutional", 1, dict(stride=2, padding=(1, 0), dilation=(1, 2))),
    ("separable_convolutional", 1, dict(stride=1, padding="same")),
    ("separable_convolutional", 2, dict(stride=2, padding=1)),
    ("separable_convolutional", 3, dict(stride=1, padding=0, dilation=2)),
])
def test_separable_convolutions_as_two_conv2d(name, multiplier, keywords, dtype):
    c_in = 3
    x = draw((2, c_in, 7, 8), dtype, 1)
    arrays = [x, draw((c_in * multiplier, 1, 3, 3), dtype, 2), draw((5, c_in * multiplier, 1, 1), dtype, 3), draw((5,), dtype, 4)]
    check(name, arrays, separable_oracle(**keywords), dtype, keywords)


def test_separable_convolution_finite_differences_and_without_bias():
    arrays = [draw((2, 3, 5, 6), np.float64, 1), draw((6, 1, 3, 2), np.float64, 2), draw((4, 6, 1, 1), np.float64, 3),
              draw((4,), np.float64, 4)]
    finite_differences("separable_convolutional", arrays, {"stride": 2, "padding": 1, "activation": "tanh"})
    check("depthwise_separable_convolutional", [arrays[0], arrays[1][:3], arrays[2][:, :3]],
          lambda x, d, p: F.relu(separable_oracle(padding=1)(x, d, p)), np.float64, {"padding": 1, "activation": "relu"})


def test_separable_convolution_bad_input():
    from layerforge.layers import depthwise_separable_convolutional, separable_convolutional

    x = draw((2, 3, 5, 6), np.float64)
    refused(ValueError, lambda: separable_convolutional.forward(x, draw((4, 1, 3, 3), np.float64), draw((2, 4, 1, 1), np.float64)),
            "separable_convolutional: groups = 3 must divide the input channels (3) and the output channels (4)")
    refused(ValueError, lambda: depthwise_separable_convolutional.forward(x, draw((6, 1, 3, 3), np.float64), draw((2, 6, 1, 1), np.float64)),
            "depthwise_separable_convolutional: argument 'depthwise_weight'")
    refused(ValueError, lambda: separable_convolutional.forward(x, draw((3, 2, 3, 3), np.float64), draw((2, 3, 1, 1), np.float64)),
            "separable_convolutional: argument 'depthwise_weight' must have shape [C_mid, 1, kH, kW]")


# -- bilinear grid sampling --------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_as_torch(align_corners, dtype):
    """Points inside, near the edges and outside the image (zeros padding)."""
    x = draw((2, 3, 5, 6), dtype, 1)
    grid = draw((2, 4, 7, 2), dtype, 2, low=-1.3, high=1.3)
    check("grid_sample", [x, grid],
          lambda x, g: F.grid_sample(x, g, mode="bilinear", padding_mode="zeros", align_corners=align_corners),
          dtype, {"align_corners": align_corners})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_sampling_as_torch(align_corners, dtype):
    """F.affine_grid's points for a rotation, scale and shift, sampled: the grid's gradient
    carried on to theta by autograd on both sides."""
    from layerforge.layers import grid_sample

    x = draw((2, 3, 6, 5), dtype, 1)
    theta = np.array([[[0.8, -0.3, 0.1], [0.4, 0.9, -0.2]], [[1.1, 0.2, 0.0], [-0.1, 0.7, 0.3]]], dtype=dtype)
    t_theta = torch.tensor(theta, requires_grad=True)
    t_grid = F.affine_grid(t_theta, (2, 3, 4, 7), align_corners=align_corners)
    grid = t_grid.detach().numpy()
    y, ctx = grid_sample.forward(x, grid, align_corners=align_corners)
    t_x = torch.tensor(x, requires_grad=True)
    expected = F.grid_sample(t_x, t_grid, align_corners=align_corners)
    compare(y, expected, dtype, "grid_sample of an affine grid")
    dy = draw(y.shape, dtype, 3)
    expected.backward(torch.tensor(dy))
    grad_x, grad_grid = grid_sample.backward(dy, ctx)
    compare(grad_x, t_x.grad, dtype, "grid_sample grad x (affine)")
    ours_theta = torch.autograd.grad(t_grid, t_theta, torch.tensor(grad_grid))[0]
    compare(ours_theta.numpy(), t_theta.grad, dtype, "grid_sample grad theta (affine)")


@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_finite_differences(align_corners):
    arrays = [draw((2, 2, 4, 5), np.float64, 1), draw((2, 3, 3, 2), np.float64, 2, low=-1.2, high=1.2)]
    finite_differences("grid_sample", arrays, {"align_corners": align_corners})


def test_grid_sample_bad_input():
    from layerforge.layers import grid_sample

    x = draw((2, 3, 4, 5), np.float64)
    refused(ValueError, lambda: grid_sample.forward(x, draw((2, 3, 3, 3), np.float64)),
            "grid_sample: argument 'grid' must have shape [N, H_out, W_out, 2]")
    refused(ValueError, lambda: grid_sample.forward(x, draw((3, 3, 3, 2), np.float64)), "grid_sample: argument 'grid'")
    refused(ValueError, lambda: grid_sample.forward(x, draw((2, 3, 2), np.float64)), "grid_sample: argument 'grid'")
    refused(ValueError, lambda: grid_sample.forward(x[:, :, :0], draw((2, 3, 3, 2), np.float64)),
            "grid_sample: argument 'x' has no pixels to sample")



@pytest.mark.parametrize("dtype", DTYPES)
def test_grid_sample_far_off_the_image(dtype):
    """Points far outside (|x| up to 1e6 pixels) and exactly on the edges: zeros and the edge
    pixels' values as PyTorch's, with their gradients."""
    x = draw((1, 2, 3, 4), dtype, 1)
    grid = np.array([[[[-1e6, 0.2], [1e6, -0.4], [0.3, 1e5], [-1.0, -1.0], [1.0, 1.0], [-1.5, 1.5]]]], dtype=dtype)
    check("grid_sample", [x, grid],
          lambda x, g: F.grid_sample(x, g, mode="bilinear", padding_mode="zeros", align_corners=True),
          dtype, {"align_corners": True})


@pytest.mark.parametrize("dtype", DTYPES)
def test_take_columns_is_fancy_indexing(dtype):
    """The runtime's take_columns (np.take without its range check) against a[:, index]:
    repeated, unordered and edge indices, a C-ordered and a transposed a, bit for bit."""
    from layerforge._runtime import take_columns

    a = draw((5, 9), dtype, 1)
    index = np.array([8, 0, 3, 3, 8, 1, 0, 7], dtype=np.intp)
    for source in (a, np.ascontiguousarray(a.T).T):
        taken = take_columns(source, index)
        np.testing.assert_array_equal(taken, a[:, index])
        assert taken.dtype == dtype and taken.flags.c_contiguous


# -- locally connected: F.unfold + einsum ------------------------------------------------------


def locally_connected_oracle(stride, kernel):
    def run(x, weight, bias=None):
        out_h, out_w, c_out = weight.shape[:3]
        columns = F.unfold(x, kernel, stride=stride)  # [B, C k k, L]
        y = torch.einsum("bkl,lok->bol", columns, weight.reshape(out_h * out_w, c_out, -1))
        y = y.reshape(x.shape[0], c_out, out_h, out_w)
        return y if bias is None else y + bias[None, :, None, None]

    return run


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("stride, kernel", [(1, (3, 2)), (2, (3, 3)), (3, (2, 2))])
def test_locally_connected_as_unfold_einsum(stride, kernel, dtype):
    x = draw((2, 3, 8, 7), dtype, 1)
    out_h, out_w = (8 - kernel[0]) // stride + 1, (7 - kernel[1]) // stride + 1
    w, b = draw((out_h, out_w, 4, 3, *kernel), dtype, 2), draw((4,), dtype, 3)
    check("locally_connected", [x, w, b], locally_connected_oracle(stride, kernel), dtype, {"stride": stride})


def test_locally_connected_finite_differences_and_without_bias():
    arrays = [draw((2, 2, 5, 6), np.float64, 1), draw((2, 3, 3, 2, 3, 2), np.float64, 2), draw((3,), np.float64, 3)]
    finite_differences("locally_connected", arrays, {"stride": 2, "activation": "tanh"})
    check("locally_connected", arrays[:2], lambda x, w: torch.relu(locally_connected_oracle(2, (3, 2))(x, w)),
          np.float64, {"stride": 2, "activation": "relu"})


def test_locally_connected_bad_input():
    from layerforge.layers import locally_connected

    x, b = draw((2, 2, 5, 6), np.float64), draw((3,), np.float64)
    refused(ValueError, lambda: locally_connected.forward(x, draw((3, 3, 3, 2, 3, 2), np.float64), b, stride=2),
            "locally_connected: argument 'weight' [H_out, W_out, C_out, C_in, kH, kW]", "(H_out, W_out = (2, 3))")
    refused(ValueError, lambda: locally_connected.forward(x, draw((2, 3, 3, 2, 7, 2), np.float64), b),
            "locally_connected: argument 'weight'", "the kernel is larger than x")
    refused(ValueError, lambda: locally_connected.forward(x, draw((2, 3, 3, 2, 3, 2), np.float64), b, stride=0),
            "locally_connected: attribute 'stride'")


# -- affine grids ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(4, 7), (1, 3), (5, 1)])
@pytest.mark.filterwarnings("ignore:Since version 1.3.0, affine_grid behavior has changed:UserWarning")
def test_affine_grid_as_torch(size, align_corners, dtype):
    theta = draw((2, 2, 3), dtype, 1)
    check("affine_grid", [theta], lambda t: F.affine_grid(t, (2, 3, *size), align_corners=align_corners), dtype,
          {"size": size, "align_corners": align_corners})


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_then_grid_sample_finite_differences(align_corners):
    """The spatial transformer's sampler: theta -> grid -> samples, chained by hand, against
    finite differences of theta through both layers."""
    from layerforge.layers import affine_grid, grid_sample

    rng = np.random.default_rng(9)
    x, theta = draw((2, 2, 5, 4), np.float64, 1), draw((2, 2, 3), np.float64, 2)
    attrs = {"size": (3, 4), "align_corners": align_corners}

    def forward(theta):
        grid, grid_ctx = affine_grid.forward(theta, **attrs)
        y, ctx = grid_sample.forward(x, grid, align_corners=align_corners)
        return y, (grid_ctx, ctx)

    y, (grid_ctx, ctx) = forward(theta)
    dy = rng.standard_normal(y.shape)
    grad_theta = affine_grid.backward(grid_sample.backward(dy, ctx)[1], grid_ctx)
    v, step = rng.standard_normal(theta.shape), 1e-6
    numeric = (np.sum(forward(theta + step * v)[0] * dy) - np.sum(forward(theta - step * v)[0] * dy)) / (2 * step)
    assert abs(numeric - np.sum(grad_theta * v)) <= 1e-6 * max(1.0, float(np.sum(np.abs(grad_theta * v))))


def test_affine_grid_bad_input():
    from layerforge.layers import affine_grid

    refused(ValueError, lambda: affine_grid.forward(draw((2, 3, 3), np.float64), size=(3, 4)),
            "affine_grid: argument 'theta' must have shape [N, 2, 3]")
    refused(ValueError, lambda: affine_grid.forward(draw((2, 2, 3), np.float64), size=(0, 4)),
            "affine_grid: attribute 'size' must be two positive ints")
    refused(ValueError, lambda: affine_grid.forward(draw((2, 2, 3), np.float64), size=(3, 4, 5)),
            "affine_grid: attribute 'size'")


# -- primary capsules: conv2d, reshape and permute, squash --------------------------------------


def primary_capsule_oracle(capsule_dim, stride, padding=0, activation="squash"):
    """F.conv2d, the channels read as [C_caps, capsule_dim], permuted to [B, C_caps, H_out,
    W_out, capsule_dim] and joined into [B, C_caps H_out W_out, capsule_dim], then squash
    (tests/oracles.py) over each capsule."""
    squash = ORACLES["squash"][0]

    def run(x, weight, bias=None):
        u = F.conv2d(x, weight, bias, stride=stride, padding=padding)
        batch, channels, height, width = u.shape
        u = u.reshape(batch, channels // capsule_dim, capsule_dim, height, width).permute(0, 1, 3, 4, 2)
        u = u.reshape(batch, -1, capsule_dim)
        return squash(u) if activation == "squash" else u

    return run


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("c_out, kernel, keywords", [
    (12, (3, 3), dict(capsule_dim=4, stride=2)),
    (6, (3, 2), dict(capsule_dim=2, stride=(1, 2), padding=1, activation="identity")),
])
def test_primary_capsule_as_conv2d_permute_squash(c_out, kernel, keywords, dtype):
    x = draw((2, 3, 9, 8), dtype, 1)
    w, b = draw((c_out, 3, *kernel), dtype, 2), draw((c_out,), dtype, 3)
    y = check("primary_capsule", [x, w, b], primary_capsule_oracle(**keywords), dtype, keywords)
    assert y.shape[-1] == keywords["capsule_dim"]


def test_primary_capsule_capsule_order():
    """Channel c * capsule_dim + d of position (i, j) is entry d of capsule (c, i, j), the
    capsules listed type-major, then row-major over the positions: checked on the indices
    themselves through a 1 x 1 identity convolution."""
    from layerforge.layers import primary_capsule

    types, dim, height, width = 3, 2, 2, 3
    channel = np.arange(types * dim, dtype=np.float64)[:, None, None]
    position = np.arange(height * width, dtype=np.float64).reshape(height, width)[None]
    x = (100 * position + channel)[None]  # [1, C, H, W]: the value names channel and position
    eye = np.eye(types * dim).reshape(types * dim, types * dim, 1, 1)
    y, _ = primary_capsule.forward(x, eye, None, capsule_dim=dim, stride=1, activation="identity")
    for c in range(types):
        for p in range(height * width):
            assert list(y[0, c * height * width + p]) == [100 * p + c * dim + d for d in range(dim)]


def test_primary_capsule_finite_differences_and_without_bias():
    arrays = [draw((2, 2, 6, 5), np.float64, 1), draw((6, 2, 3, 2), np.float64, 2), draw((6,), np.float64, 3)]
    finite_differences("primary_capsule", arrays, {"capsule_dim": 3, "stride": 2})
    check("primary_capsule", arrays[:2], primary_capsule_oracle(3, 2), np.float64, {"capsule_dim": 3})


def test_primary_capsule_bad_input():
    from layerforge.layers import primary_capsule

    x, w, b = draw((2, 3, 6, 6), np.float64), draw((12, 3, 3, 3), np.float64), draw((12,), np.float64)
    refused(ValueError, lambda: primary_capsule.forward(x, w, b, capsule_dim=5),
            "primary_capsule: attribute 'capsule_dim' = 5 must divide dimension C_out of 'weight', which is 12")
    refused(ValueError, lambda: primary_capsule.forward(x, w, b, capsule_dim=0), "primary_capsule: attribute 'capsule_dim'")
    refused(ValueError, lambda: primary_capsule.forward(x[:, :, :2], w, b), "primary_capsule")
    refused(ValueError, lambda: primary_capsule.forward(x, w[:, :2], b), "primary_capsule: argument 'weight' has C_in = 2")
    refused(ValueError, lambda: primary_capsule.forward(x, w, b[:4]), "primary_capsule: argument 'bias' has C_out = 4")
    refused(TypeError, lambda: primary_capsule.forward(x, w, b, capsule_dim=4, activation="relu", activation_options={"alpha": 1.0}),
            "primary_capsule: activation 'relu' has no attribute 'alpha'")


def test_primary_capsule_nn_class_loads_torch_conv_weights():
    """CapsNet's PrimaryCaps at a small size: nn.PrimaryCapsule with a torch.nn.Conv2d's
    weights, composed with the reshape, permute and squash, and composed with relu."""
    from layerforge import nn

    conv = torch.nn.Conv2d(4, 16, 5, stride=2, dtype=torch.float64)
    ours = nn.PrimaryCapsule(4, 16, 5, 5, capsule_dim=8, dtype=np.float64)
    assert (ours.weight.shape, ours.bias.shape) == (tuple(conv.weight.shape), tuple(conv.bias.shape))
    nn.load_torch_state_dict(ours, conv.state_dict())
    x = draw((2, 4, 12, 11), np.float64, 6)
    t = torch.tensor(x, requires_grad=True)
    expected = ORACLES["squash"][0](primary_capsule_oracle(8, 2, activation="identity")(t, conv.weight, conv.bias))
    compare(ours(x), expected, np.float64, "nn.PrimaryCapsule forward")
    dy = draw(tuple(expected.shape), np.float64, 7)
    expected.backward(torch.tensor(dy))
    compare(ours.backward(dy), t.grad, np.float64, "nn.PrimaryCapsule backward")
    compare(ours.grads["weight"], conv.weight.grad, np.float64, "nn.PrimaryCapsule weight gradient")
    relu = nn.PrimaryCapsule(4, 16, 5, 5, capsule_dim=8, activation="relu", dtype=np.float64)
    relu.weight, relu.bias = ours.weight, ours.bias
    compare(relu(x), F.relu(primary_capsule_oracle(8, 2, activation="identity")(t, conv.weight, conv.bias)),
            np.float64, "nn.PrimaryCapsule composed with relu")


# -- spatial transformer: localisation network, affine grid, bilinear sampling ------------------


def spatial_transformer_oracle(parametrisation="direct", activation="tanh", output_size=None):
    """The torch composition: two F.linear on x.flatten(1), theta [B, 2, 3] (tanh(0.1 raw) +
    the identity for tanh_scaled), F.affine_grid and F.grid_sample with align_corners=True
    (PyTorch's default is False)."""
    act = {"tanh": torch.tanh, "relu": F.relu}[activation]

    def run(x, loc_weight1, loc_bias1, loc_weight2, loc_bias2):
        raw = F.linear(act(F.linear(x.flatten(1), loc_weight1.flatten(1), loc_bias1)), loc_weight2, loc_bias2)
        theta = raw.reshape(-1, 2, 3)
        if parametrisation == "tanh_scaled":
            theta = torch.tanh(0.1 * theta) + torch.eye(2, 3, dtype=x.dtype)
        size = (*x.shape[:2], *(output_size or x.shape[2:]))
        grid = F.affine_grid(theta, size, align_corners=True)
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=True)

    return run


def spatial_transformer_arrays(dtype, channels=2, height=5, width=6, hidden=4, seed=1):
    """A localisation network whose theta is the identity plus a rotation, scale and shift of
    a few tenths, different per image: points inside, near and outside the image."""
    return [draw((2, channels, height, width), dtype, seed), draw((hidden, channels, height, width), dtype, seed + 1, -0.3, 0.3),
            draw((hidden,), dtype, seed + 2), draw((6, hidden), dtype, seed + 3, -0.4, 0.4),
            (np.array([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]) + draw((6,), np.float64, seed + 4, -0.2, 0.2)).astype(dtype)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keywords", [
    dict(),
    dict(parametrisation="tanh_scaled", activation="relu", output_size=(3, 7)),
])
def test_spatial_transformer_as_affine_grid_grid_sample(keywords, dtype):
    arrays = spatial_transformer_arrays(dtype)
    y = check("spatial_transformer", arrays, spatial_transformer_oracle(**keywords), dtype, keywords)
    assert y.shape == (2, 2, *keywords.get("output_size", (5, 6)))


@pytest.mark.parametrize("parametrisation", ["direct", "tanh_scaled"])
def test_spatial_transformer_finite_differences(parametrisation):
    arrays = spatial_transformer_arrays(np.float64, channels=2, height=4, width=3, hidden=3, seed=5)
    finite_differences("spatial_transformer", arrays, {"parametrisation": parametrisation, "output_size": (3, 5)})


def test_spatial_transformer_output_size_entries_default_to_the_input():
    from layerforge.layers import spatial_transformer

    arrays = spatial_transformer_arrays(np.float64)
    y, _ = spatial_transformer.forward(*arrays, output_size=(None, 4))
    expected = spatial_transformer_oracle(output_size=(5, 4))(*map(torch.tensor, arrays))
    compare(y, expected, np.float64, "spatial_transformer output_size=(None, 4)")


def test_spatial_transformer_bad_input():
    from layerforge.layers import spatial_transformer

    x, w1, b1, w2, b2 = spatial_transformer_arrays(np.float64)
    refused(ValueError, lambda: spatial_transformer.forward(x[:, :, :4], w1, b1, w2, b2),
            "spatial_transformer: argument 'loc_weight1' has H = 5 (shape (4, 2, 5, 6), expected [loc_hidden, C, H, W]), but 'x' has H = 4")
    refused(ValueError, lambda: spatial_transformer.forward(x, w1, b1, w2[:5], b2),
            "spatial_transformer: argument 'loc_weight2' must have shape [6, loc_hidden], got (5, 4)")
    refused(ValueError, lambda: spatial_transformer.forward(x, w1, b1, w2, b2[:4]), "spatial_transformer: argument 'loc_bias2'")
    refused(ValueError, lambda: spatial_transformer.forward(x, w1, b1, w2, b2, output_size=(0, 3)),
            "spatial_transformer: the output size must be at least 1")
    refused(ValueError, lambda: spatial_transformer.forward(x, w1, b1, w2, b2, parametrisation="tanh"),
            "spatial_transformer: attribute 'parametrisation'")
    refused(ValueError, lambda: spatial_transformer.forward(x[0], w1, b1, w2, b2), "spatial_transformer: argument 'x' must have rank 4")


def test_spatial_transformer_nn_class_starts_as_the_identity():
    """loc_weight2 zeros and loc_bias2 (1, 0, 0, 0, 1, 0) (the spec's init entries): a new
    transformer samples every pixel at its own centre; then forward and backward against the
    torch composition with the same parameters, the localisation network's first layer
    included (its gradient is not zero once loc_weight2 is)."""
    from layerforge import nn

    x = draw((2, 3, 4, 5), np.float64, 1)
    ours = nn.SpatialTransformer(3, 4, 5, 6, rng=np.random.default_rng(0), dtype=np.float64)  # C, H, W, loc_hidden
    assert ours.loc_weight1.shape == (6, 3, 4, 5) and ours.loc_weight2.shape == (6, 6)
    assert not ours.loc_weight2.any() and list(ours.loc_bias2) == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    np.testing.assert_allclose(ours(x), x, rtol=0, atol=1e-12)
    ours.loc_weight2 = draw((6, 6), np.float64, 2, -0.3, 0.3)
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, ours.loc_weight1, ours.loc_bias1, ours.loc_weight2,
                                                             ours.loc_bias2)]
    expected = spatial_transformer_oracle()(*tensors)
    compare(ours(x), expected, np.float64, "nn.SpatialTransformer forward")
    dy = draw(tuple(expected.shape), np.float64, 3)
    expected.backward(torch.tensor(dy))
    compare(ours.backward(dy), tensors[0].grad, np.float64, "nn.SpatialTransformer backward")
    for name, tensor in zip(ours.PARAMETERS, tensors[1:]):
        compare(ours.grads[name], tensor.grad, np.float64, f"nn.SpatialTransformer {name} gradient")
