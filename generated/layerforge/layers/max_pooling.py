"""MaxPooling: The maximum of each kernel_size x kernel_size window of NCHW feature maps,
windows every stride pixels, padding counting as -inf (torch.nn.functional.max_pool2d);
backward sends each window's gradient to its first maximum in row-major order,
accumulating where windows overlap.
Generated from layers_spec/layers/max_pooling.yaml by the layerforge transpiler 0.1.0.
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
    """MaxPooling forward pass.

    The maximum of each kernel_size x kernel_size window of NCHW feature maps, windows
    every stride pixels, padding counting as -inf (torch.nn.functional.max_pool2d);
    backward sends each window's gradient to its first maximum in row-major order,
    accumulating where windows overlap.

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
    check_arrays("max_pooling", {"x": x}, {"x": ("B", "C", "H", "W")})
    check_attribute("max_pooling", "kernel_size", kernel_size, "int", minimum=1)
    check_attribute("max_pooling", "stride", stride, "int", minimum=1)
    check_attribute("max_pooling", "padding", padding, "int", minimum=0)
    check_window("max_pooling", "x", x, kernel_size, stride, padding)
    if on_gpu(x):
        y, saved = _cupy_forward(x, kernel_size, stride, padding)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, kernel_size, stride, padding)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """MaxPooling backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "max_pooling", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, kernel_size, stride, padding):
    y = _max_pool2d(x, kernel_size, stride, padding)
    return y, (x, kernel_size, stride, padding, y)


def _backward(grad_y, x, kernel_size, stride, padding, y):
    grad_x = _max_pool2d_grad(grad_y, x, y, kernel_size, stride, padding)
    return grad_x


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


def _cupy_forward(x, kernel_size, stride, padding):
    y = _cupy_max_pool2d(x, kernel_size, stride, padding)
    return y, (x, kernel_size, stride, padding, y)


def _cupy_backward(grad_y, x, kernel_size, stride, padding, y):
    grad_x = _cupy_max_pool2d_grad(grad_y, x, y, kernel_size, stride, padding)
    return grad_x


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
