"""AvgPooling: The mean of each kernel_size x kernel_size window of NCHW feature maps,
windows every stride pixels, zero padding included in the count
(torch.nn.functional.avg_pool2d with count_include_pad=True); backward spreads each
window's gradient evenly over its cells.
Generated from layers_spec/layers/avg_pooling.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_attribute, check_window
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
        return y, (_cupy_backward, saved)
    y, saved = _forward(x, kernel_size, stride, padding)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """AvgPooling backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("avg_pooling", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x, kernel_size, stride, padding):
    y = _avg_pool2d(x, kernel_size, stride, padding)
    return y, (x, kernel_size, stride, padding)


def _backward(grad_y, x, kernel_size, stride, padding):
    grad_x = _avg_pool2d_grad(grad_y, x, kernel_size, stride, padding)
    return grad_x


def _avg_pool2d(x, kernel, stride, padding):
    """Means of the kernel x kernel windows of x [N, C, H, W], every ``stride`` pixels."""
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out_h = (x.shape[2] - kernel) // stride + 1
    out_w = (x.shape[3] - kernel) // stride + 1
    total = np.zeros((*x.shape[:2], out_h, out_w), dtype=x.dtype)
    for u in range(kernel):
        for v in range(kernel):
            total += x[
                :,
                :,
                u : u + stride * (out_h - 1) + 1 : stride,
                v : v + stride * (out_w - 1) + 1 : stride,
            ]
    return total / x.dtype.type(kernel * kernel)


def _avg_pool2d_grad(grad, like, kernel, stride, padding):
    """Each window's gradient, divided by kernel * kernel, added to every cell of it."""
    n, c, h, w = like.shape
    out_h, out_w = grad.shape[2], grad.shape[3]
    grad_x = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=grad.dtype)
    share = grad / grad.dtype.type(kernel * kernel)
    for u in range(kernel):
        for v in range(kernel):
            grad_x[
                :,
                :,
                u : u + stride * (out_h - 1) + 1 : stride,
                v : v + stride * (out_w - 1) + 1 : stride,
            ] += share
    return grad_x[:, :, padding : padding + h, padding : padding + w]


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x, kernel_size, stride, padding):
    y = _cupy_avg_pool2d(x, kernel_size, stride, padding)
    return y, (x, kernel_size, stride, padding)


def _cupy_backward(grad_y, x, kernel_size, stride, padding):
    grad_x = _cupy_avg_pool2d_grad(grad_y, x, kernel_size, stride, padding)
    return grad_x


def _cupy_avg_pool2d(x, kernel, stride, padding):
    """Means of the kernel x kernel windows of x [N, C, H, W], every ``stride`` pixels."""
    import cupy as cp

    if padding:
        x = cp.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out_h = (x.shape[2] - kernel) // stride + 1
    out_w = (x.shape[3] - kernel) // stride + 1
    total = cp.zeros((*x.shape[:2], out_h, out_w), dtype=x.dtype)
    for u in range(kernel):
        for v in range(kernel):
            total += x[
                :,
                :,
                u : u + stride * (out_h - 1) + 1 : stride,
                v : v + stride * (out_w - 1) + 1 : stride,
            ]
    return total / x.dtype.type(kernel * kernel)


def _cupy_avg_pool2d_grad(grad, like, kernel, stride, padding):
    """Each window's gradient, divided by kernel * kernel, added to every cell of it."""
    import cupy as cp

    n, c, h, w = like.shape
    out_h, out_w = grad.shape[2], grad.shape[3]
    grad_x = cp.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=grad.dtype)
    share = grad / grad.dtype.type(kernel * kernel)
    for u in range(kernel):
        for v in range(kernel):
            grad_x[
                :,
                :,
                u : u + stride * (out_h - 1) + 1 : stride,
                v : v + stride * (out_w - 1) + 1 : stride,
            ] += share
    return grad_x[:, :, padding : padding + h, padding : padding + w]
