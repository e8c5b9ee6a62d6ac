"""AvgPooling: The mean of each kernel_size x kernel_size window of NCHW feature maps,
windows every stride pixels, zero padding included in the count
(torch.nn.functional.avg_pool2d with count_include_pad=True); backward spreads each
window's gradient evenly over its cells.
Generated from layers_spec/layers/avg_pooling.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_window,
)
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, kernel_size=2, stride=2, padding=0):
    """AvgPooling forward pass.

    The mean of each kernel_size x kernel_size window of NCHW feature maps, windows
    every stride pixels, zero padding included in the count
    (torch.nn.functional.avg_pool2d with count_include_pad=True); backward spreads each
    window's gradient evenly over its cells.

    Args:
        x: float32 or float64 input of shape [B, C, H, W]. A batch of feature maps.
        kernel_size: int, default 2. Height and width of the square window.
        stride: int, default 2. Step between windows (PyTorch defaults it to
            kernel_size; here 2, matching the default kernel).
        padding: int, default 0. Implicit padding on every side; at most half the
            kernel.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("avg_pooling", {"x": x}, {"x": ("B", "C", "H", "W")})
    check_attribute("avg_pooling", "kernel_size", kernel_size, "int", minimum=1)
    check_attribute("avg_pooling", "stride", stride, "int", minimum=1)
    check_attribute("avg_pooling", "padding", padding, "int", minimum=0)
    check_window("avg_pooling", "x", x, kernel_size, stride, padding)
    if on_gpu(x):
        y, saved = _cupy_forward(x, kernel_size, stride, padding)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, kernel_size, stride, padding)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """AvgPooling backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "avg_pooling", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, kernel_size, stride, padding):
    y = _avg_pool2d(x, kernel_size, stride, padding)
    return y, (x, kernel_size, stride, padding)


def _backward(grad_y, x, kernel_size, stride, padding):
    grad_x = _avg_pool2d_grad(grad_y, x, kernel_size, stride, padding)
    return grad_x


def _avg_pool2d(x, kernel, stride, padding):
    """Means of the kernel x kernel windows of x [N, C, H, W], every ``stride`` pixels.
    Separable: window sums down the rows (whole rows added at a time), then along them,
    2 * kernel adds where the windows would take kernel * kernel strided ones."""
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    total = x
    for axis in (2, 3):
        count = (total.shape[axis] - kernel) // stride + 1
        index = [slice(None)] * 4
        windows = []
        for u in range(kernel):
            index[axis] = slice(u, u + stride * (count - 1) + 1, stride)
            windows.append(total[tuple(index)])
        total = windows[0].copy() if kernel == 1 else np.add(windows[0], windows[1])
        for window in windows[2:]:
            total += window
    total /= x.dtype.type(kernel * kernel)
    return total


def _avg_pool2d_grad(grad, like, kernel, stride, padding):
    """Each window's gradient, divided by kernel * kernel, added to every cell of it:
    spread along the rows, then down them (whole rows at a time)."""
    h, w = like.shape[2:]
    spread = grad / grad.dtype.type(kernel * kernel)
    for axis, size in ((3, w + 2 * padding), (2, h + 2 * padding)):
        count = spread.shape[axis]
        shape = list(spread.shape)
        shape[axis] = size
        # Windows apart: each entry is written once; tiled: nothing is left to zero.
        apart = stride >= kernel
        tiled = stride == kernel and size == kernel * count
        result = np.empty(shape, grad.dtype) if tiled else np.zeros(shape, grad.dtype)
        index = [slice(None)] * 4
        for u in range(kernel):
            index[axis] = slice(u, u + stride * (count - 1) + 1, stride)
            if apart:
                result[tuple(index)] = spread
            else:
                result[tuple(index)] += spread
        spread = result
    return spread[:, :, padding : padding + h, padding : padding + w]


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x, kernel_size, stride, padding):
    y = _cupy_avg_pool2d(x, kernel_size, stride, padding)
    return y, (x, kernel_size, stride, padding)


def _cupy_backward(grad_y, x, kernel_size, stride, padding):
    grad_x = _cupy_avg_pool2d_grad(grad_y, x, kernel_size, stride, padding)
    return grad_x


def _cupy_avg_pool2d(x, kernel, stride, padding):
    """Means of the kernel x kernel windows of x [N, C, H, W], every ``stride`` pixels.
    Separable: window sums down the rows (whole rows added at a time), then along them,
    2 * kernel adds where the windows would take kernel * kernel strided ones."""
    import cupy as cp

    if padding:
        x = cp.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    total = x
    for axis in (2, 3):
        count = (total.shape[axis] - kernel) // stride + 1
        index = [slice(None)] * 4
        windows = []
        for u in range(kernel):
            index[axis] = slice(u, u + stride * (count - 1) + 1, stride)
            windows.append(total[tuple(index)])
        total = windows[0].copy() if kernel == 1 else cp.add(windows[0], windows[1])
        for window in windows[2:]:
            total += window
    total /= x.dtype.type(kernel * kernel)
    return total


def _cupy_avg_pool2d_grad(grad, like, kernel, stride, padding):
    """Each window's gradient, divided by kernel * kernel, added to every cell of it:
    spread along the rows, then down them (whole rows at a time)."""
    import cupy as cp

    h, w = like.shape[2:]
    spread = grad / grad.dtype.type(kernel * kernel)
    for axis, size in ((3, w + 2 * padding), (2, h + 2 * padding)):
        count = spread.shape[axis]
        shape = list(spread.shape)
        shape[axis] = size
        # Windows apart: each entry is written once; tiled: nothing is left to zero.
        apart = stride >= kernel
        tiled = stride == kernel and size == kernel * count
        result = cp.empty(shape, grad.dtype) if tiled else cp.zeros(shape, grad.dtype)
        index = [slice(None)] * 4
        for u in range(kernel):
            index[axis] = slice(u, u + stride * (count - 1) + 1, stride)
            if apart:
                result[tuple(index)] = spread
            else:
                result[tuple(index)] += spread
        spread = result
    return spread[:, :, padding : padding + h, padding : padding + w]
