"""The hand-written convolution kernels of the compiled target (_jit_runtime: depthwise_conv,
depthwise_weight_grad, window_columns, transposed_scatter, gather_columns) against F.conv2d,
F.conv_transpose2d and F.unfold in float64, and the layers that use them under the numba backend
against the same layers under the numpy backend.

The kernels sum in another order than PyTorch and NumPy (tap by tap per output row; the weight
gradient's column sums per tap, then float64), so float64 agrees to about 1e-13 of the sums'
scale and float32 to a few float32 roundings of it. Shapes are small: compiling a kernel costs
about a second, once (numba's on-disk cache keeps it); one case has enough images to run on
two threads (in_chunks' runs, each one call of the kernel).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import layerforge
from layerforge._jit_runtime import (
    RowKernel,
    depthwise_conv,
    depthwise_weight_grad,
    gather_columns,
    transposed_scatter,
    window_columns,
)
from layerforge.layers import convolutional, deconvolutional, depthwise_separable_convolutional

pytest.importorskip("numba")  # the dev extra pins it; without it the kernels run as Python

# Absolute tolerance per dtype, for values of order 1 (the sums of a few dozen products).
TOL = {np.float32: 2e-5, np.float64: 1e-12}


@pytest.fixture
def backend():
    """Runs a test's body under a backend of its choosing and restores the one before."""
    before = layerforge.get_backend()
    yield layerforge.set_backend
    layerforge.set_backend(before)


def padded_input(x, top, bottom, left, right):
    """x [N, C, H, W] zero-padded, with one spare image of zeros as _im2col lays it out."""
    n, c, h, w = x.shape
    padded = np.zeros((n + 1, c, h + top + bottom, w + left + right), dtype=x.dtype)
    padded[:n, :, top : top + h, left : left + w] = x
    return padded


@pytest.mark.parametrize("compiled", [True, False], ids=["numba", "python"])
@pytest.mark.parametrize("dilation", [(1, 1), (2, 1)])
def test_depthwise_kernels_match_torch(compiled, dilation):
    """Forward and weight gradient of a depthwise convolution (asymmetric padding, a 3 x 2
    kernel) over images 1..2 of 3, compiled and as the same loops in plain Python."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4, 7, 6))
    weight = rng.standard_normal((4, 1, 3, 2))
    grad = rng.standard_normal((3, 4, 8 - 2 * dilation[0], 7 - dilation[1]))
    padded = padded_input(x, 1, 0, 0, 1)
    kernels = {k: (k if compiled else k.function) for k in (depthwise_conv, depthwise_weight_grad)}
    assert all(isinstance(k, RowKernel) for k in kernels)

    out = np.full(grad.shape, np.nan)
    kernels[depthwise_conv](padded, weight.reshape(4, 3, 2), out, 1, 3, *dilation)
    t_x = torch.tensor(x[1:3])
    t_weight = torch.tensor(weight, requires_grad=True)
    expected = F.conv2d(F.pad(t_x, (0, 1, 1, 0)), t_weight, dilation=dilation, groups=4)
    assert np.isnan(out[0]).all()  # image 0 is outside the range
    np.testing.assert_allclose(out[1:], expected.detach().numpy(), rtol=0, atol=1e-13)

    total = kernels[depthwise_weight_grad](padded, grad, 1, 3, 3, 2, *dilation)
    expected.backward(torch.tensor(grad[1:3]))
    assert total.shape == (4, 3, 2) and total.dtype == np.float64
    np.testing.assert_allclose(total, t_weight.grad.numpy().reshape(4, 3, 2), rtol=0, atol=1e-12)


@pytest.mark.parametrize("compiled", [True, False], ids=["numba", "python"])
@pytest.mark.parametrize("groups, dilation, implicit", [(2, (1, 2), True), (4, (2, 1), False)],
                         ids=["groups2-implicit", "groups4-padded"])
def test_window_columns_times_weight_is_conv2d(compiled, groups, dilation, implicit):
    """The columns of a block of output rows (rows 2..4 of image 1), times the weight batched
    over the groups, are those rows of F.conv2d (padding 2 above, 1 elsewhere, a 3 x 2
    kernel), gathered from x itself (the padding read as zeros) or from _im2col's padded x."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 8, 9, 7))
    weight = rng.standard_normal((12, 8 // groups, 3, 2))
    source, corner = (x, (2, 1)) if implicit else (padded_input(x, 2, 1, 1, 1), (0, 0))
    expected = F.conv2d(F.pad(torch.tensor(x), (1, 1, 2, 1)), torch.tensor(weight), dilation=dilation,
                        groups=groups).numpy()
    out_w = expected.shape[3]
    block = np.full((8, 3, 2, 3, out_w), np.nan)
    kernel = window_columns if compiled else window_columns.function
    kernel(source, block, 1, 2, *corner, *dilation)
    product = np.matmul(weight.reshape(groups, 12 // groups, -1), block.reshape(groups, -1, 3 * out_w))
    np.testing.assert_allclose(product.reshape(12, 3, out_w), expected[1, :, 2:5], rtol=0, atol=1e-13)


@pytest.mark.parametrize("compiled", [True, False], ids=["numba", "python"])
@pytest.mark.parametrize("stride, padding, dilation, output_padding", [((2, 2), (1, 1), (1, 1), (1, 1)),
                                                                      ((3, 2), (0, 2), (2, 1), (2, 0))])
def test_transposed_scatter_matches_conv_transpose(compiled, stride, padding, dilation, output_padding):
    """The kernel times each input pixel, scattered by transposed_scatter onto images 1..2 of
    3, is F.conv_transpose2d (cropped by padding, grown by output_padding)."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 4, 5))
    weight = rng.standard_normal((3, 2, 3, 2))  # [C_in, C_out, kH, kW]
    expected = F.conv_transpose2d(torch.tensor(x), torch.tensor(weight), stride=stride, padding=padding,
                                  output_padding=output_padding, dilation=dilation).numpy()
    spread = np.einsum("iouv,nihw->nouvhw", weight, x)  # [N, C_out, kH, kW, H, W]
    out = np.full((3, *expected.shape[1:]), np.nan)
    kernel = transposed_scatter if compiled else transposed_scatter.function
    kernel(spread, out, 1, *stride, *dilation, *padding)
    assert np.isnan(out[0]).all()
    np.testing.assert_allclose(out[1:], expected, rtol=0, atol=1e-13)



@pytest.mark.parametrize("compiled", [True, False], ids=["numba", "python"])
@pytest.mark.parametrize("stride, padding, dilation", [((2, 2), (1, 1, 1, 1), (1, 1)), ((3, 2), (0, 2, 1, 0), (2, 1))])
def test_gather_columns_matches_unfold(compiled, stride, padding, dilation):
    """The columns of images 1..2 of 3 (zero padding never copied: top and left shift the
    windows, the others are positions off the image) are F.unfold of the padded images."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((3, 2, 9, 8))
    (top, bottom), (left, right) = padding[:2], padding[2:]
    padded = F.pad(torch.tensor(x[1:3]), (left, right, top, bottom))
    expected = F.unfold(padded, (3, 2), dilation=dilation, stride=stride).numpy()  # [2, C * kH * kW, L]
    out_h = (9 + top + bottom - dilation[0] * 2 - 1) // stride[0] + 1
    out_w = (8 + left + right - dilation[1] - 1) // stride[1] + 1
    columns = np.full((2, 2, 3, 2, out_h, out_w), np.nan)
    kernel = gather_columns if compiled else gather_columns.function
    kernel(x, columns, 1, 3, *stride, *dilation, top, left)
    np.testing.assert_array_equal(columns.reshape(2, 12, -1), expected)


@pytest.mark.parametrize("stride, padding, output_padding, dilation, groups", [
    (1, 1, 0, 1, 1), (3, (0, 2), (2, 0), (2, 1), 2), ((2, 3), 2, (1, 2), (1, 2), 3)])
def test_transposed_gradients_match_torch(backend, stride, padding, output_padding, dilation, groups):
    """Forward and every gradient of the transposed convolution, numba and numpy backends,
    against F.conv_transpose2d in float64, eight images on two threads (each thread's run
    of images gathers an image's columns at a time) and on one: the same results."""
    rng = np.random.default_rng(13)
    x = rng.standard_normal((8, 6, 5, 4))
    weight = rng.standard_normal((6, 6 // groups, 3, 2))
    bias = rng.standard_normal(6)
    attributes = {"stride": stride, "padding": padding, "output_padding": output_padding,
                  "dilation": dilation, "groups": groups}
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, weight, bias)]
    expected = F.conv_transpose2d(*tensors, **attributes)
    grad = rng.standard_normal(tuple(expected.shape))
    expected.backward(torch.tensor(grad))
    wanted = [expected.detach().numpy()] + [t.grad.numpy() for t in tensors]
    before = layerforge.get_num_threads()
    try:
        for name in ("numba", "numpy"):
            backend(name)
            runs = []
            for threads in (2, 1):
                layerforge.set_num_threads(threads)
                y, ctx = deconvolutional.forward(x, weight, bias, **attributes)
                runs.append((y, *deconvolutional.backward(grad, ctx)))
            for got, want in zip(runs[0], wanted):
                np.testing.assert_allclose(got, want, rtol=0, atol=TOL[np.float64] * max(1.0, np.abs(want).max()))
            for two, one in zip(*runs):
                np.testing.assert_allclose(two, one, rtol=0, atol=1e-13 * max(1.0, np.abs(one).max()))
    finally:
        layerforge.set_num_threads(before)

def conv_layer_cases():
    # (module, arrays' shapes, attributes): depthwise convolutions that take the kernels
    yield "zeros", convolutional, {"x": (2, 3, 6, 5), "weight": (3, 1, 3, 3), "bias": (3,)}, {"padding": 1, "groups": 3}
    yield "reflect-dilated", convolutional, {"x": (2, 3, 7, 6), "weight": (3, 1, 2, 3), "bias": (3,)}, {
        "padding": (1, 2), "dilation": (2, 1), "groups": 3, "padding_mode": "reflect"}
    # grouped convolutions (not depthwise): stride 1 gathers with window_columns
    yield "groups2-dilated", convolutional, {"x": (2, 4, 7, 6), "weight": (6, 2, 3, 2), "bias": (6,)}, {
        "padding": (2, 1), "dilation": (2, 1), "groups": 2}
    yield "groups4-replicate", convolutional, {"x": (3, 8, 6, 5), "weight": (8, 2, 3, 3), "bias": (8,)}, {
        "padding": 1, "groups": 4, "padding_mode": "replicate"}
    yield "groups2-1x1-padded", convolutional, {"x": (2, 4, 5, 4), "weight": (6, 2, 1, 1), "bias": (6,)}, {
        "padding": 1, "groups": 2}
    yield "groups4-strided", convolutional, {"x": (2, 8, 7, 6), "weight": (4, 2, 3, 3), "bias": (4,)}, {
        "stride": 2, "padding": 1, "groups": 4}
    yield "separable", depthwise_separable_convolutional, {
        "x": (2, 3, 6, 5), "depthwise_weight": (3, 1, 3, 3), "pointwise_weight": (4, 3, 1, 1), "bias": (4,)}, {"padding": 1}
    yield "transposed", deconvolutional, {"x": (2, 4, 5, 4), "weight": (4, 3, 3, 2), "bias": (6,)}, {
        "stride": 2, "padding": 1, "output_padding": 1, "dilation": (1, 2), "groups": 2}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("label, module, shapes, attributes", list(conv_layer_cases()),
                         ids=[c[0] for c in conv_layer_cases()])
def test_layers_under_numba_match_numpy_and_torch(backend, dtype, label, module, shapes, attributes):
    """Forward and every gradient, numba backend against numpy backend and against PyTorch
    (depthwise and grouped convolutions, and a transposed one whose forward scatters)."""
    rng = np.random.default_rng(7)
    arrays = {k: rng.standard_normal(s).astype(dtype) for k, s in shapes.items()}
    results = {}
    for name in ("numba", "numpy"):
        backend(name)
        y, ctx = module.forward(*arrays.values(), **attributes)
        grad = np.linspace(-1, 1, y.size).reshape(y.shape).astype(dtype)
        results[name] = (y, *module.backward(grad, ctx))
    for compiled, plain in zip(results["numba"], results["numpy"]):
        assert compiled.dtype == plain.dtype == dtype and compiled.shape == plain.shape
        np.testing.assert_allclose(compiled, plain, rtol=0, atol=TOL[dtype] * max(1.0, np.abs(plain).max()))

    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in arrays.items()}
    if module is convolutional:
        mode = attributes.get("padding_mode", "zeros")
        (ph, pw), x = attributes["padding"] if isinstance(attributes["padding"], tuple) else (1, 1), tensors["x"]
        if mode != "zeros":
            x = F.pad(x, (pw, pw, ph, ph), mode=mode)
        expected = F.conv2d(x, tensors["weight"], tensors["bias"], stride=attributes.get("stride", 1),
                            padding=0 if mode != "zeros" else (ph, pw), dilation=attributes.get("dilation", 1),
                            groups=attributes["groups"])
    elif module is deconvolutional:
        expected = F.conv_transpose2d(tensors["x"], tensors["weight"], tensors["bias"], stride=2, padding=1,
                                      output_padding=1, dilation=(1, 2), groups=2)
    else:
        depthwise = F.conv2d(tensors["x"], tensors["depthwise_weight"], padding=1, groups=shapes["x"][1])
        expected = F.conv2d(depthwise, tensors["pointwise_weight"], tensors["bias"])
    expected.backward(torch.tensor(grad, dtype=torch.float64))
    wanted = [expected.detach()] + [tensors[k].grad for k in arrays]
    for got, want in zip(results["numba"], wanted):
        np.testing.assert_allclose(got, want.numpy(), rtol=0, atol=TOL[dtype] * max(1.0, want.abs().max().item()))


@pytest.mark.parametrize("channels, per_group, seed", [(4, 1, 11), (8, 2, 12)], ids=["depthwise", "grouped"])
def test_on_two_threads_matches_one(backend, channels, per_group, seed):
    """Eight images in 4 groups on two threads (in_chunks' runs, one kernel call each: the
    depthwise kernel, or window_columns' gathered blocks for 2 channels a group; the weight
    gradients added run by run) give one thread's results; the output and the input gradient
    bit for bit (each image's calls are the same)."""
    backend("numba")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((8, channels, 9, 9)).astype(np.float32)
    weight = rng.standard_normal((channels, per_group, 3, 3)).astype(np.float32)
    before = layerforge.get_num_threads()
    runs = []
    try:
        for threads in (1, 2):
            layerforge.set_num_threads(threads)
            y, ctx = convolutional.forward(x, weight, None, padding=1, groups=4)
            runs.append((y, *convolutional.backward(np.ones_like(y), ctx)))
    finally:
        layerforge.set_num_threads(before)
    (y1, gx1, gw1, _), (y2, gx2, gw2, _) = runs
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(gx1, gx2)
    np.testing.assert_allclose(gw1, gw2, rtol=1e-6)


def test_grouped_backward_after_a_backend_change(backend):
    """A grouped forward under numba saves x itself as its columns (the padding implicit);
    a backward run after set_backend("numpy") still reads them so (PyTorch's gradients)."""
    rng = np.random.default_rng(13)
    x, weight = rng.standard_normal((2, 4, 6, 5)), rng.standard_normal((6, 2, 3, 3))
    backend("numba")
    y, ctx = convolutional.forward(x, weight, None, padding=(1, 2), groups=2)
    assert ctx[1][-1] is x  # the columns saved: x itself, no padded copy
    backend("numpy")
    grad_x, grad_weight, _ = convolutional.backward(np.ones_like(y), ctx)
    t_x, t_weight = torch.tensor(x, requires_grad=True), torch.tensor(weight, requires_grad=True)
    F.conv2d(t_x, t_weight, padding=(1, 2), groups=2).sum().backward()
    np.testing.assert_allclose(grad_x, t_x.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(grad_weight, t_weight.grad.numpy(), rtol=0, atol=1e-12)
