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
    pooled_size,
)
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, kernel_size=2, stride=None, padding=0, dilation=1, ceil_mode=False):
    """MaxPooling forward pass.

    The maximum of each kernel_size x kernel_size window of NCHW feature maps, windows
    every stride pixels, padding counting as -inf (torch.nn.functional.max_pool2d);
    backward sends each window's gradient to its first maximum in row-major order,
    accumulating where windows overlap.

    Args:
        x: float32 or float64 input of shape [B, C, H, W]. A batch of feature maps.
        kernel_size: int or (int, int), default 2. The window: one int (square), or
            (height, width).
        stride: int or (int, int), default None. Step between windows: one int, or
            (height, width); None (the default) is the kernel size, as PyTorch.
        padding: int, (int, int), 4 ints per side, 'same' or 'valid', default 0.
            Implicit padding: one int or (height, width) on both sides of each axis, per
            side as F.pad's (left, right, top, bottom) or ((top, bottom), (left, right))
            (ONNX's begin and end pads), 'valid' (none) or 'same' (stride 1); each side
            less than the dilated kernel (PyTorch allows at most half the kernel).
        dilation: int or (int, int), default 1. Spacing between window elements: one
            int, or (height, width).
        ceil_mode: bool, default False. Count windows rounding up: a last, partial
            window is kept if it starts inside the input or its leading padding.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("max_pooling", {"x": x}, {"x": ("B", "C", "H", "W")})
    check_attribute("max_pooling", "ceil_mode", ceil_mode, "bool")
    kernel_size, stride, padding, dilation = check_window(
        "max_pooling",
        "x",
        x,
        stride,
        padding,
        dilation,
        kernel=kernel_size,
        ceil_mode=ceil_mode,
    )
    if on_gpu(x):
        y, saved = _cupy_forward(x, kernel_size, stride, padding, dilation, ceil_mode)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, kernel_size, stride, padding, dilation, ceil_mode)
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


def _forward(x, kernel_size, stride, padding, dilation, ceil_mode):
    y = _max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode)
    return y, (x, kernel_size, stride, padding, dilation, y)


def _backward(grad_y, x, kernel_size, stride, padding, dilation, y):
    grad_x = _max_pool2d_grad(grad_y, x, y, kernel_size, stride, padding, dilation)
    return grad_x


def _max_pool2d(x, kernel, stride, padding, dilation, ceil_mode):
    """Maxima of the (dilated) kernel windows of x [N, C, H, W], every ``stride`` pixels:
    one strided np.maximum per kernel offset. With ``ceil_mode`` a last, partial window
    reads -inf past the padding."""
    dilation = (dilation, dilation) if isinstance(dilation, int) else dilation
    counts = [
        pooled_size(
            x.shape[2 + i], kernel[i], stride[i], *padding[i], dilation[i], ceil_mode
        )
        for i in (0, 1)
    ]
    ends = [
        max(
            padding[i][1],
            (counts[i] - 1) * stride[i]
            + dilation[i] * (kernel[i] - 1)
            + 1
            - x.shape[2 + i]
            - padding[i][0],
        )
        for i in (0, 1)
    ]
    if any(padding[0]) or any(padding[1]) or ends != [padding[0][1], padding[1][1]]:
        x = np.pad(
            x,
            ((0, 0), (0, 0), (padding[0][0], ends[0]), (padding[1][0], ends[1])),
            constant_values=-np.inf,
        )
    (out_h, out_w), (step_h, step_w) = counts, stride
    result = None
    for u in range(kernel[0]):
        for v in range(kernel[1]):
            top, left = u * dilation[0], v * dilation[1]
            window = x[
                :,
                :,
                top : top + step_h * (out_h - 1) + 1 : step_h,
                left : left + step_w * (out_w - 1) + 1 : step_w,
            ]
            if result is None:
                result = window.copy()
            else:
                np.maximum(result, window, out=result)
    return result


def _max_pool2d_grad(grad, x, y, kernel, stride, padding, dilation):
    """Each window's gradient goes to its first maximum in row-major order: one strided
    pass per kernel offset, no scatter. Windows that do not overlap (stride at least the
    dilated kernel's span) write their cells directly; overlapping ones accumulate."""
    dilation = (dilation, dilation) if isinstance(dilation, int) else dilation
    h, w = x.shape[2], x.shape[3]
    out_h, out_w = y.shape[2], y.shape[3]
    spans = [dilation[i] * (kernel[i] - 1) + 1 for i in (0, 1)]
    ends = [
        max(
            padding[i][1],
            (y.shape[2 + i] - 1) * stride[i]
            + spans[i]
            - x.shape[2 + i]
            - padding[i][0],
        )
        for i in (0, 1)
    ]
    if padding[0][0] or padding[1][0] or ends[0] or ends[1]:
        x = np.pad(
            x,
            ((0, 0), (0, 0), (padding[0][0], ends[0]), (padding[1][0], ends[1])),
            constant_values=-np.inf,
        )
    grad_x = np.zeros_like(x)
    apart = stride[0] >= spans[0] and stride[1] >= spans[1]
    unclaimed = None  # windows whose maximum no earlier offset has taken
    for u in range(kernel[0]):
        for v in range(kernel[1]):
            top, left = u * dilation[0], v * dilation[1]
            rows = slice(top, top + stride[0] * (out_h - 1) + 1, stride[0])
            cols = slice(left, left + stride[1] * (out_w - 1) + 1, stride[1])
            first = x[:, :, rows, cols] == y
            if unclaimed is None:
                unclaimed = ~first
            else:
                first &= unclaimed
                unclaimed &= ~first
            if apart:
                np.multiply(grad, first, out=grad_x[:, :, rows, cols])
            else:
                grad_x[:, :, rows, cols] += grad * first
    return grad_x[
        :, :, padding[0][0] : padding[0][0] + h, padding[1][0] : padding[1][0] + w
    ]


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x, kernel_size, stride, padding, dilation, ceil_mode):
    y = _cupy_max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode)
    return y, (x, kernel_size, stride, padding, dilation, y)


def _cupy_backward(grad_y, x, kernel_size, stride, padding, dilation, y):
    grad_x = _cupy_max_pool2d_grad(grad_y, x, y, kernel_size, stride, padding, dilation)
    return grad_x


def _cupy_max_pool2d(x, kernel, stride, padding, dilation, ceil_mode):
    """Maxima of the (dilated) kernel windows of x [N, C, H, W], every ``stride`` pixels:
    one strided np.maximum per kernel offset. With ``ceil_mode`` a last, partial window
    reads -inf past the padding."""
    import cupy as cp

    dilation = (dilation, dilation) if isinstance(dilation, int) else dilation
    counts = [
        pooled_size(
            x.shape[2 + i], kernel[i], stride[i], *padding[i], dilation[i], ceil_mode
        )
        for i in (0, 1)
    ]
    ends = [
        max(
            padding[i][1],
            (counts[i] - 1) * stride[i]
            + dilation[i] * (kernel[i] - 1)
            + 1
            - x.shape[2 + i]
            - padding[i][0],
        )
        for i in (0, 1)
    ]
    if any(padding[0]) or any(padding[1]) or ends != [padding[0][1], padding[1][1]]:
        x = cp.pad(
            x,
            ((0, 0), (0, 0), (padding[0][0], ends[0]), (padding[1][0], ends[1])),
            constant_values=-cp.inf,
        )
    (out_h, out_w), (step_h, step_w) = counts, stride
    result = None
    for u in range(kernel[0]):
        for v in range(kernel[1]):
            top, left = u * dilation[0], v * dilation[1]
            window = x[
                :,
                :,
                top : top + step_h * (out_h - 1) + 1 : step_h,
                left : left + step_w * (out_w - 1) + 1 : step_w,
            ]
            if result is None:
                result = window.copy()
            else:
                cp.maximum(result, window, out=result)
    return result


def _cupy_max_pool2d_grad(grad, x, y, kernel, stride, padding, dilation):
    """Each window's gradient goes to its first maximum in row-major order: one strided
    pass per kernel offset, no scatter. Windows that do not overlap (stride at least the
    dilated kernel's span) write their cells directly; overlapping ones accumulate."""
    import cupy as cp

    dilation = (dilation, dilation) if isinstance(dilation, int) else dilation
    h, w = x.shape[2], x.shape[3]
    out_h, out_w = y.shape[2], y.shape[3]
    spans = [dilation[i] * (kernel[i] - 1) + 1 for i in (0, 1)]
    ends = [
        max(
            padding[i][1],
            (y.shape[2 + i] - 1) * stride[i]
            + spans[i]
            - x.shape[2 + i]
            - padding[i][0],
        )
        for i in (0, 1)
    ]
    if padding[0][0] or padding[1][0] or ends[0] or ends[1]:
        x = cp.pad(
            x,
            ((0, 0), (0, 0), (padding[0][0], ends[0]), (padding[1][0], ends[1])),
            constant_values=-cp.inf,
        )
    grad_x = cp.zeros_like(x)
    apart = stride[0] >= spans[0] and stride[1] >= spans[1]
    unclaimed = None  # windows whose maximum no earlier offset has taken
    for u in range(kernel[0]):
        for v in range(kernel[1]):
            top, left = u * dilation[0], v * dilation[1]
            rows = slice(top, top + stride[0] * (out_h - 1) + 1, stride[0])
            cols = slice(left, left + stride[1] * (out_w - 1) + 1, stride[1])
            first = x[:, :, rows, cols] == y
            if unclaimed is None:
                unclaimed = ~first
            else:
                first &= unclaimed
                unclaimed &= ~first
            if apart:
                cp.multiply(grad, first, out=grad_x[:, :, rows, cols])
            else:
                grad_x[:, :, rows, cols] += grad * first
    return grad_x[
        :, :, padding[0][0] : padding[0][0] + h, padding[1][0] : padding[1][0] + w
    ]
