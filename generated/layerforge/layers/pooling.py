"""Pooling: Max or average pooling of NCHW feature maps over kernel_size x kernel_size
windows every stride pixels, as max_pooling and avg_pooling; the kind is baked in, one
specialized function each.
Generated from layers_spec/layers/pooling.yaml by the layerforge transpiler 0.1.0.
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


def forward(x, *, kernel_size=2, stride=2, padding=0, kind="max"):
    """Pooling forward pass.

    Max or average pooling of NCHW feature maps over kernel_size x kernel_size windows
    every stride pixels, as max_pooling and avg_pooling; the kind is baked in, one
    specialized function each.

    Args:
        x: float32 or float64 input of shape [B, C, H, W]. A batch of feature maps.
        kernel_size: int, default 2. Height and width of the square window.
        stride: int, default 2. Step between windows (PyTorch defaults it to
            kernel_size; here 2, matching the default kernel).
        padding: int, default 0. Implicit padding on every side; at most half the
            kernel.
        kind: str, default 'max'. max or average.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("pooling", {"x": x}, {"x": ("B", "C", "H", "W")})
    check_attribute("pooling", "kernel_size", kernel_size, "int", minimum=1)
    check_attribute("pooling", "stride", stride, "int", minimum=1)
    check_attribute("pooling", "padding", padding, "int", minimum=0)
    check_attribute("pooling", "kind", kind, "str", choices=("max", "average"))
    check_window("pooling", "x", x, kernel_size, stride, padding)
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[kind]
        y, saved = forward_variant(x, kernel_size, stride, padding)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[kind]
    y, saved = forward_variant(x, kernel_size, stride, padding)
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Pooling backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "pooling", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_max(x, kernel_size, stride, padding):
    y = _max_pool2d(x, kernel_size, stride, padding)
    return y, (x, kernel_size, stride, padding, y)


def _backward_max(grad_y, x, kernel_size, stride, padding, y):
    grad_x = _max_pool2d_grad(grad_y, x, y, kernel_size, stride, padding)
    return grad_x


def _forward_average(x, kernel_size, stride, padding):
    y = _avg_pool2d(x, kernel_size, stride, padding)
    return y, (x, kernel_size, stride, padding)


def _backward_average(grad_y, x, kernel_size, stride, padding):
    grad_x = _avg_pool2d_grad(grad_y, x, kernel_size, stride, padding)
    return grad_x


_VARIANTS = {
    "max": (_forward_max, _backward_max),
    "average": (_forward_average, _backward_average),
}


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


def _max_pool2d(x, kernel, stride, padding):
    """Maxima of the kernel x kernel windows of x [N, C, H, W], every ``stride`` pixels:
    one strided np.maximum per kernel offset."""
    if padding:
        x = np.pad(
            x,
            ((0, 0), (0, 0), (padding, padding), (padding, padding)),
            constant_values=-np.inf,
        )
    out_h = (x.shape[2] - kernel) // stride + 1
    out_w = (x.shape[3] - kernel) // stride + 1
    result = None
    for u in range(kernel):
        for v in range(kernel):
            window = x[
                :,
                :,
                u : u + stride * (out_h - 1) + 1 : stride,
                v : v + stride * (out_w - 1) + 1 : stride,
            ]
            if result is None:
                result = window.copy()
            else:
                np.maximum(result, window, out=result)
    return result


def _max_pool2d_grad(grad, x, y, kernel, stride, padding):
    """Each window's gradient goes to its first maximum in row-major order: one strided
    pass per kernel offset, no scatter. Windows that do not overlap (stride >= kernel)
    write their cells directly; overlapping ones accumulate."""
    if padding:
        x = np.pad(
            x,
            ((0, 0), (0, 0), (padding, padding), (padding, padding)),
            constant_values=-np.inf,
        )
    out_h, out_w = y.shape[2], y.shape[3]
    grad_x = np.zeros_like(x)
    unclaimed = None  # windows whose maximum no earlier offset has taken
    for u in range(kernel):
        for v in range(kernel):
            rows = slice(u, u + stride * (out_h - 1) + 1, stride)
            cols = slice(v, v + stride * (out_w - 1) + 1, stride)
            first = x[:, :, rows, cols] == y
            if unclaimed is None:
                unclaimed = ~first
            else:
                first &= unclaimed
                unclaimed &= ~first
            if stride >= kernel:
                np.multiply(grad, first, out=grad_x[:, :, rows, cols])
            else:
                grad_x[:, :, rows, cols] += grad * first
    return grad_x[:, :, padding : x.shape[2] - padding, padding : x.shape[3] - padding]


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward_max(x, kernel_size, stride, padding):
    y = _cupy_max_pool2d(x, kernel_size, stride, padding)
    return y, (x, kernel_size, stride, padding, y)


def _cupy_backward_max(grad_y, x, kernel_size, stride, padding, y):
    grad_x = _cupy_max_pool2d_grad(grad_y, x, y, kernel_size, stride, padding)
    return grad_x


def _cupy_forward_average(x, kernel_size, stride, padding):
    y = _cupy_avg_pool2d(x, kernel_size, stride, padding)
    return y, (x, kernel_size, stride, padding)


def _cupy_backward_average(grad_y, x, kernel_size, stride, padding):
    grad_x = _cupy_avg_pool2d_grad(grad_y, x, kernel_size, stride, padding)
    return grad_x


_CUPY_VARIANTS = {
    "max": (_cupy_forward_max, _cupy_backward_max),
    "average": (_cupy_forward_average, _cupy_backward_average),
}


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


def _cupy_max_pool2d(x, kernel, stride, padding):
    """Maxima of the kernel x kernel windows of x [N, C, H, W], every ``stride`` pixels:
    one strided np.maximum per kernel offset."""
    import cupy as cp

    if padding:
        x = cp.pad(
            x,
            ((0, 0), (0, 0), (padding, padding), (padding, padding)),
            constant_values=-cp.inf,
        )
    out_h = (x.shape[2] - kernel) // stride + 1
    out_w = (x.shape[3] - kernel) // stride + 1
    result = None
    for u in range(kernel):
        for v in range(kernel):
            window = x[
                :,
                :,
                u : u + stride * (out_h - 1) + 1 : stride,
                v : v + stride * (out_w - 1) + 1 : stride,
            ]
            if result is None:
                result = window.copy()
            else:
                cp.maximum(result, window, out=result)
    return result


def _cupy_max_pool2d_grad(grad, x, y, kernel, stride, padding):
    """Each window's gradient goes to its first maximum in row-major order: one strided
    pass per kernel offset, no scatter. Windows that do not overlap (stride >= kernel)
    write their cells directly; overlapping ones accumulate."""
    import cupy as cp

    if padding:
        x = cp.pad(
            x,
            ((0, 0), (0, 0), (padding, padding), (padding, padding)),
            constant_values=-cp.inf,
        )
    out_h, out_w = y.shape[2], y.shape[3]
    grad_x = cp.zeros_like(x)
    unclaimed = None  # windows whose maximum no earlier offset has taken
    for u in range(kernel):
        for v in range(kernel):
            rows = slice(u, u + stride * (out_h - 1) + 1, stride)
            cols = slice(v, v + stride * (out_w - 1) + 1, stride)
            first = x[:, :, rows, cols] == y
            if unclaimed is None:
                unclaimed = ~first
            else:
                first &= unclaimed
                unclaimed &= ~first
            if stride >= kernel:
                cp.multiply(grad, first, out=grad_x[:, :, rows, cols])
            else:
                grad_x[:, :, rows, cols] += grad * first
    return grad_x[:, :, padding : x.shape[2] - padding, padding : x.shape[3] - padding]
