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
    pooled_size,
)
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(
    x,
    *,
    kernel_size=2,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    kind="max",
):
    """Pooling forward pass.

    Max or average pooling of NCHW feature maps over kernel_size x kernel_size windows
    every stride pixels, as max_pooling and avg_pooling; the kind is baked in, one
    specialized function each.

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
            less than the kernel (PyTorch allows at most half the kernel).
        ceil_mode: bool, default False. Count windows rounding up: a last, partial
            window is kept if it starts inside the input or its leading padding.
        count_include_pad: bool, default True. Average pooling: whether the zero padding
            counts in each window's size (the divisor of its mean).
        kind: str, default 'max'. max or average.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("pooling", {"x": x}, {"x": ("B", "C", "H", "W")})
    check_attribute("pooling", "ceil_mode", ceil_mode, "bool")
    check_attribute("pooling", "count_include_pad", count_include_pad, "bool")
    check_attribute("pooling", "kind", kind, "str", choices=("max", "average"))
    kernel_size, stride, padding = check_window(
        "pooling", "x", x, stride, padding, kernel=kernel_size, ceil_mode=ceil_mode
    )
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[kind]
        y, saved = forward_variant(
            x, kernel_size, stride, padding, ceil_mode, count_include_pad
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[kind]
    y, saved = forward_variant(
        x, kernel_size, stride, padding, ceil_mode, count_include_pad
    )
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


def _forward_max(x, kernel_size, stride, padding, ceil_mode, count_include_pad):
    y = _max_pool2d(x, kernel_size, stride, padding, 1, ceil_mode)
    return y, (x, kernel_size, stride, padding, y)


def _backward_max(grad_y, x, kernel_size, stride, padding, y):
    grad_x = _max_pool2d_grad(grad_y, x, y, kernel_size, stride, padding, 1)
    return grad_x


def _forward_average(x, kernel_size, stride, padding, ceil_mode, count_include_pad):
    y = _avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad, 1)
    return y, (x, kernel_size, stride, padding, ceil_mode, count_include_pad)


def _backward_average(
    grad_y, x, kernel_size, stride, padding, ceil_mode, count_include_pad
):
    grad_x = _avg_pool2d_grad(
        grad_y, x, kernel_size, stride, padding, ceil_mode, count_include_pad, 1
    )
    return grad_x


_VARIANTS = {
    "max": (_forward_max, _backward_max),
    "average": (_forward_average, _backward_average),
}


def _avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, dilation=1):
    """Means of the (dilated) kernel windows of x [N, C, H, W], every ``stride`` pixels.
    Separable: window sums down the rows (whole rows added at a time), then along them,
    kH + kW adds where the windows would take kH * kW strided ones; then divided by the
    window sizes (_pool_divisor: one number unless windows are cut short)."""
    dilation = (dilation, dilation) if isinstance(dilation, int) else dilation
    h, w = x.shape[2:]
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
            x, ((0, 0), (0, 0), (padding[0][0], ends[0]), (padding[1][0], ends[1]))
        )
    total = x
    for axis in (2, 3):
        k, step, count, gap = (
            kernel[axis - 2],
            stride[axis - 2],
            counts[axis - 2],
            dilation[axis - 2],
        )
        index = [slice(None)] * 4
        windows = []
        for u in range(k):
            index[axis] = slice(u * gap, u * gap + step * (count - 1) + 1, step)
            windows.append(total[tuple(index)])
        total = windows[0].copy() if k == 1 else np.add(windows[0], windows[1])
        for window in windows[2:]:
            total += window
    total /= _pool_divisor(
        h, w, kernel, stride, padding, ceil_mode, count_include_pad, x.dtype, dilation
    )
    return total


def _avg_pool2d_grad(
    grad, like, kernel, stride, padding, ceil_mode, count_include_pad, dilation=1
):
    """Each window's gradient, divided by its size, added to every cell (tap) of it:
    spread along the rows, then down them (whole rows at a time)."""
    dilation = (dilation, dilation) if isinstance(dilation, int) else dilation
    h, w = like.shape[2:]
    counts = list(grad.shape[2:])
    spread = grad / _pool_divisor(
        h,
        w,
        kernel,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        grad.dtype,
        dilation,
    )
    for axis, size in ((3, w), (2, h)):
        k, step, count, gap = (
            kernel[axis - 2],
            stride[axis - 2],
            counts[axis - 2],
            dilation[axis - 2],
        )
        before, after = padding[axis - 2]
        span = gap * (k - 1) + 1
        size = max(size + before + after, (count - 1) * step + span)
        shape = list(spread.shape)
        shape[axis] = size
        # Windows apart: each entry is written once; tiled: nothing is left to zero.
        apart = step >= span
        tiled = step == k and gap == 1 and size == k * count
        result = np.empty(shape, grad.dtype) if tiled else np.zeros(shape, grad.dtype)
        index = [slice(None)] * 4
        for u in range(k):
            index[axis] = slice(u * gap, u * gap + step * (count - 1) + 1, step)
            if apart:
                result[tuple(index)] = spread
            else:
                result[tuple(index)] += spread
        spread = result
    top, left = padding[0][0], padding[1][0]
    return spread[:, :, top : top + h, left : left + w]


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


def _pool_divisor(
    h, w, kernel, stride, padding, ceil_mode, count_include_pad, dtype, dilation=(1, 1)
):
    """The cell count of each average-pooling window over an input of h x w pixels: a
    scalar kH * kW where every window is whole, else an [out_h, out_w] array, the
    product of each axis's count (PyTorch's rule: the padding counts with
    count_include_pad, what lies past it never). A dilated window counts its taps."""
    if not ceil_mode and (count_include_pad or not any(padding[0] + padding[1])):
        return dtype.type(kernel[0] * kernel[1])  # every window whole
    sizes = []
    for size, k, step, (before, after), gap in zip(
        (h, w), kernel, stride, padding, dilation
    ):
        count = pooled_size(size, k, step, before, after, gap, ceil_mode)
        starts = np.arange(count) * step
        low, high = (
            (0, size + before + after) if count_include_pad else (before, before + size)
        )
        if gap == 1:
            sizes.append(np.minimum(starts + k, high) - np.maximum(starts, low))
        else:
            taps = starts[:, None] + gap * np.arange(k)
            sizes.append(((taps >= low) & (taps < high)).sum(axis=1))
    if (sizes[0] == kernel[0]).all() and (sizes[1] == kernel[1]).all():
        return dtype.type(kernel[0] * kernel[1])
    return (sizes[0][:, None] * sizes[1][None, :]).astype(dtype)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward_max(x, kernel_size, stride, padding, ceil_mode, count_include_pad):
    y = _cupy_max_pool2d(x, kernel_size, stride, padding, 1, ceil_mode)
    return y, (x, kernel_size, stride, padding, y)


def _cupy_backward_max(grad_y, x, kernel_size, stride, padding, y):
    grad_x = _cupy_max_pool2d_grad(grad_y, x, y, kernel_size, stride, padding, 1)
    return grad_x


def _cupy_forward_average(
    x, kernel_size, stride, padding, ceil_mode, count_include_pad
):
    y = _cupy_avg_pool2d(
        x, kernel_size, stride, padding, ceil_mode, count_include_pad, 1
    )
    return y, (x, kernel_size, stride, padding, ceil_mode, count_include_pad)


def _cupy_backward_average(
    grad_y, x, kernel_size, stride, padding, ceil_mode, count_include_pad
):
    grad_x = _cupy_avg_pool2d_grad(
        grad_y, x, kernel_size, stride, padding, ceil_mode, count_include_pad, 1
    )
    return grad_x


_CUPY_VARIANTS = {
    "max": (_cupy_forward_max, _cupy_backward_max),
    "average": (_cupy_forward_average, _cupy_backward_average),
}


def _cupy_avg_pool2d(
    x, kernel, stride, padding, ceil_mode, count_include_pad, dilation=1
):
    """Means of the (dilated) kernel windows of x [N, C, H, W], every ``stride`` pixels.
    Separable: window sums down the rows (whole rows added at a time), then along them,
    kH + kW adds where the windows would take kH * kW strided ones; then divided by the
    window sizes (_pool_divisor: one number unless windows are cut short)."""
    import cupy as cp

    dilation = (dilation, dilation) if isinstance(dilation, int) else dilation
    h, w = x.shape[2:]
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
            x, ((0, 0), (0, 0), (padding[0][0], ends[0]), (padding[1][0], ends[1]))
        )
    total = x
    for axis in (2, 3):
        k, step, count, gap = (
            kernel[axis - 2],
            stride[axis - 2],
            counts[axis - 2],
            dilation[axis - 2],
        )
        index = [slice(None)] * 4
        windows = []
        for u in range(k):
            index[axis] = slice(u * gap, u * gap + step * (count - 1) + 1, step)
            windows.append(total[tuple(index)])
        total = windows[0].copy() if k == 1 else cp.add(windows[0], windows[1])
        for window in windows[2:]:
            total += window
    total /= _cupy_pool_divisor(
        h, w, kernel, stride, padding, ceil_mode, count_include_pad, x.dtype, dilation
    )
    return total


def _cupy_avg_pool2d_grad(
    grad, like, kernel, stride, padding, ceil_mode, count_include_pad, dilation=1
):
    """Each window's gradient, divided by its size, added to every cell (tap) of it:
    spread along the rows, then down them (whole rows at a time)."""
    import cupy as cp

    dilation = (dilation, dilation) if isinstance(dilation, int) else dilation
    h, w = like.shape[2:]
    counts = list(grad.shape[2:])
    spread = grad / _cupy_pool_divisor(
        h,
        w,
        kernel,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        grad.dtype,
        dilation,
    )
    for axis, size in ((3, w), (2, h)):
        k, step, count, gap = (
            kernel[axis - 2],
            stride[axis - 2],
            counts[axis - 2],
            dilation[axis - 2],
        )
        before, after = padding[axis - 2]
        span = gap * (k - 1) + 1
        size = max(size + before + after, (count - 1) * step + span)
        shape = list(spread.shape)
        shape[axis] = size
        # Windows apart: each entry is written once; tiled: nothing is left to zero.
        apart = step >= span
        tiled = step == k and gap == 1 and size == k * count
        result = cp.empty(shape, grad.dtype) if tiled else cp.zeros(shape, grad.dtype)
        index = [slice(None)] * 4
        for u in range(k):
            index[axis] = slice(u * gap, u * gap + step * (count - 1) + 1, step)
            if apart:
                result[tuple(index)] = spread
            else:
                result[tuple(index)] += spread
        spread = result
    top, left = padding[0][0], padding[1][0]
    return spread[:, :, top : top + h, left : left + w]


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


def _cupy_pool_divisor(
    h, w, kernel, stride, padding, ceil_mode, count_include_pad, dtype, dilation=(1, 1)
):
    """The cell count of each average-pooling window over an input of h x w pixels: a
    scalar kH * kW where every window is whole, else an [out_h, out_w] array, the
    product of each axis's count (PyTorch's rule: the padding counts with
    count_include_pad, what lies past it never). A dilated window counts its taps."""
    import cupy as cp

    if not ceil_mode and (count_include_pad or not any(padding[0] + padding[1])):
        return dtype.type(kernel[0] * kernel[1])  # every window whole
    sizes = []
    for size, k, step, (before, after), gap in zip(
        (h, w), kernel, stride, padding, dilation
    ):
        count = pooled_size(size, k, step, before, after, gap, ceil_mode)
        starts = cp.arange(count) * step
        low, high = (
            (0, size + before + after) if count_include_pad else (before, before + size)
        )
        if gap == 1:
            sizes.append(cp.minimum(starts + k, high) - cp.maximum(starts, low))
        else:
            taps = starts[:, None] + gap * cp.arange(k)
            sizes.append(((taps >= low) & (taps < high)).sum(axis=1))
    if (sizes[0] == kernel[0]).all() and (sizes[1] == kernel[1]).all():
        return dtype.type(kernel[0] * kernel[1])
    return (sizes[0][:, None] * sizes[1][None, :]).astype(dtype)
