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
    dilation=1,
    ceil_mode=False,
    count_include_pad=True,
):
    """AvgPooling forward pass.

    The mean of each kernel_size x kernel_size window of NCHW feature maps, windows
    every stride pixels, zero padding included in the count
    (torch.nn.functional.avg_pool2d with count_include_pad=True); backward spreads each
    window's gradient evenly over its cells.

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
            int, or (height, width); each window averages its taps (ONNX AveragePool's
            dilations; PyTorch's avg_pool2d has none).
        ceil_mode: bool, default False. Count windows rounding up: a last, partial
            window is kept if it starts inside the input or its leading padding.
        count_include_pad: bool, default True. Whether the zero padding counts in each
            window's size (the divisor of its mean).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("avg_pooling", {"x": x}, {"x": ("B", "C", "H", "W")})
    check_attribute("avg_pooling", "ceil_mode", ceil_mode, "bool")
    check_attribute("avg_pooling", "count_include_pad", count_include_pad, "bool")
    kernel_size, stride, padding, dilation = check_window(
        "avg_pooling",
        "x",
        x,
        stride,
        padding,
        dilation,
        kernel=kernel_size,
        ceil_mode=ceil_mode,
    )
    if on_gpu(x):
        y, saved = _cupy_forward(
            x, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad
        )
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(
        x, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad
    )
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


def _forward(x, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad):
    y = _avg_pool2d(
        x, kernel_size, stride, padding, ceil_mode, count_include_pad, dilation
    )
    return y, (x, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad)


def _backward(
    grad_y, x, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad
):
    grad_x = _avg_pool2d_grad(
        grad_y, x, kernel_size, stride, padding, ceil_mode, count_include_pad, dilation
    )
    return grad_x


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


def _cupy_forward(
    x, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad
):
    y = _cupy_avg_pool2d(
        x, kernel_size, stride, padding, ceil_mode, count_include_pad, dilation
    )
    return y, (x, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad)


def _cupy_backward(
    grad_y, x, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad
):
    grad_x = _cupy_avg_pool2d_grad(
        grad_y, x, kernel_size, stride, padding, ceil_mode, count_include_pad, dilation
    )
    return grad_x


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
