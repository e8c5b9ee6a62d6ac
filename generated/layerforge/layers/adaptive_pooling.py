"""AdaptivePooling: Average or max pooling of NCHW feature maps to a given output size, as
torch.nn.functional.adaptive_avg_pool2d and adaptive_max_pool2d: output cell i of an
axis of size S out of O covers [floor(i * S / O), ceil((i + 1) * S / O)); the kind is
baked in, one specialized function each. Backward spreads each window's gradient evenly
(average) or sends it to the window's first maximum in row-major order (max).
Generated from layers_spec/layers/adaptive_pooling.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_adaptive_window,
)
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, output_size, kind="average"):
    """AdaptivePooling forward pass.

    Average or max pooling of NCHW feature maps to a given output size, as
    torch.nn.functional.adaptive_avg_pool2d and adaptive_max_pool2d: output cell i of an
    axis of size S out of O covers [floor(i * S / O), ceil((i + 1) * S / O)); the kind
    is baked in, one specialized function each. Backward spreads each window's gradient
    evenly (average) or sends it to the window's first maximum in row-major order (max).

    Args:
        x: float32 or float64 input of shape [B, C, H, W]. A batch of feature maps.
        output_size: int or (int, int), required. The output's height and width: one
            int, or a pair whose entries may be None (that axis keeps its size).
        kind: str, default 'average'. average or max.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("adaptive_pooling", {"x": x}, {"x": ("B", "C", "H", "W")})
    check_attribute("adaptive_pooling", "kind", kind, "str", choices=("average", "max"))
    output_size = check_adaptive_window("adaptive_pooling", "x", x, output_size)
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[kind]
        y, saved = forward_variant(x, output_size)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[kind]
    y, saved = forward_variant(x, output_size)
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """AdaptivePooling backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "adaptive_pooling", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_average(x, output_size):
    y = _adaptive_avg_pool2d(x, output_size)
    return y, (x,)


def _backward_average(grad_y, x):
    grad_x = _adaptive_avg_pool2d_grad(grad_y, x)
    return grad_x


def _forward_max(x, output_size):
    y = _adaptive_max_pool2d(x, output_size)
    return y, (x, y)


def _backward_max(grad_y, x, y):
    grad_x = _adaptive_max_pool2d_grad(grad_y, x, y)
    return grad_x


_VARIANTS = {
    "average": (_forward_average, _backward_average),
    "max": (_forward_max, _backward_max),
}


def _adaptive_avg_pool2d(x, output_size):
    """Adaptive window means of x [N, C, H, W]: separable, the rows' means matrix times
    each map times the columns' one (windows of different sizes, overlapping or not)."""
    rows = _adaptive_means(x.shape[2], output_size[0], x.dtype)
    cols = _adaptive_means(x.shape[3], output_size[1], x.dtype)
    return np.matmul(np.matmul(rows, x), cols.T)


def _adaptive_avg_pool2d_grad(grad, like):
    """Each window's gradient spread evenly over its cells: the transposed products."""
    rows = _adaptive_means(like.shape[2], grad.shape[2], grad.dtype)
    cols = _adaptive_means(like.shape[3], grad.shape[3], grad.dtype)
    return np.matmul(np.matmul(rows.T, grad), cols)


def _adaptive_cells(size, count):
    """The windows [floor(i * size / count), ceil((i + 1) * size / count)) of an axis of
    ``size`` cells, offset by offset: item j indexes the j-th cell of every window (one
    gather for all of them). Windows hold ceil(size / count) cells or one more; a shorter
    window repeats its last cell, which changes no maximum and is never its first.
    Windows that tile the axis (size a multiple of count: max pooling with kernel =
    stride = size / count) give strided slices, no gather."""
    if size % count == 0:
        step = size // count
        return [slice(offset, size, step) for offset in range(step)]
    starts = np.arange(count) * size // count
    ends = -(-np.arange(1, count + 1) * size // count)
    return [
        np.minimum(starts + offset, ends - 1)
        for offset in range(int((ends - starts).max()))
    ]


def _adaptive_first_max(values, count, axis, nan):
    """The maxima of the ``count`` adaptive windows along ``axis`` of ``values`` and the
    index of the first cell that holds each (with ``nan``, a NaN is the maximum, the
    first one as np.argmax). The maxima by one np.maximum per cell offset; then the
    offset of the first hit counted from the offsets at which the maximum has been
    found (no masked writes, which NumPy does element by element)."""
    lead = (slice(None),) * axis
    candidates = [
        (
            values[lead + (index,)]
            if isinstance(index, slice)
            else np.take(values, index, axis=axis)
        )
        for index in _adaptive_cells(values.shape[axis], count)
    ]
    best = candidates[0].copy()
    for candidate in candidates[1:]:
        np.maximum(best, candidate, out=best)
    found = np.zeros(best.shape, bool)
    hit = np.empty(best.shape, bool)
    found_after = np.zeros(best.shape, np.int8 if len(candidates) < 128 else np.intp)
    for candidate in candidates[:-1]:
        np.equal(candidate, best, out=hit)
        if nan:
            hit |= np.isnan(candidate)
        found |= hit
        found_after += found
    first = (len(candidates) - 1) - found_after
    starts = (np.arange(count) * values.shape[axis] // count).reshape(
        (count,) + (1,) * (values.ndim - axis - 1)
    )
    return best, first + starts


def _adaptive_max_pool2d(x, output_size):
    """Adaptive window maxima of x [N, C, H, W], separably (the rows, then the columns
    of the smaller result): one np.maximum per cell offset over all the windows of an
    axis at once (_adaptive_cells), whole rows gathered first."""
    result = x
    for axis, count in ((2, output_size[0]), (3, output_size[1])):
        lead = (slice(None),) * axis
        reduced = None
        for index in _adaptive_cells(result.shape[axis], count):
            # A slice is a view; an index array is gathered by np.take, which keeps
            # the C order that fancy indexing of a last axis would not.
            cells = (
                result[lead + (index,)]
                if isinstance(index, slice)
                else np.take(result, index, axis=axis)
            )
            if reduced is None:
                reduced = cells.copy() if isinstance(index, slice) else cells
            else:
                np.maximum(reduced, cells, out=reduced)
        result = reduced
    return result


def _adaptive_max_pool2d_grad(grad, x, y):
    """Each window's gradient goes to its first maximum in row-major order (added up
    where windows overlap): within each row the first maximum of each column window,
    then the first row that holds the window's maximum (_adaptive_first_max), and one
    np.add.at of the gradients at those cells' flat positions (NaN, where y has one,
    counts as the maximum). Measured on 16 x 32 x 32 x 32 to 7 x 7: np.add.at 0.06 ms,
    np.bincount 0.15 ms (float64 sums, converted back)."""
    n, c, h, w = x.shape
    out_h, out_w = grad.shape[2], grad.shape[3]
    nan = bool(np.isnan(y).any())
    row_maxima, cols = _adaptive_first_max(x, out_w, 3, nan)
    _, rows = _adaptive_first_max(row_maxima, out_h, 2, nan)
    images = np.arange(n * c).reshape(n, c, 1, 1) * h
    cols = cols.reshape(-1)[
        (images + rows) * out_w + np.arange(out_w)
    ]  # the chosen rows' columns
    grad_x = np.zeros(x.size, x.dtype)
    np.add.at(grad_x, ((images + rows) * w + cols).reshape(-1), grad.reshape(-1))
    return grad_x.reshape(x.shape)


def _adaptive_means(size, count, dtype):
    """The [count, size] matrix whose row i averages adaptive window i of an axis of
    ``size`` cells: [floor(i * size / count), ceil((i + 1) * size / count)), as PyTorch.
    """
    starts = np.arange(count) * size // count
    ends = -(-np.arange(1, count + 1) * size // count)
    cells = np.arange(size)
    inside = (cells >= starts[:, None]) & (cells < ends[:, None])
    return (inside / (ends - starts)[:, None]).astype(dtype)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward_average(x, output_size):
    y = _cupy_adaptive_avg_pool2d(x, output_size)
    return y, (x,)


def _cupy_backward_average(grad_y, x):
    grad_x = _cupy_adaptive_avg_pool2d_grad(grad_y, x)
    return grad_x


def _cupy_forward_max(x, output_size):
    y = _cupy_adaptive_max_pool2d(x, output_size)
    return y, (x, y)


def _cupy_backward_max(grad_y, x, y):
    grad_x = _cupy_adaptive_max_pool2d_grad(grad_y, x, y)
    return grad_x


_CUPY_VARIANTS = {
    "average": (_cupy_forward_average, _cupy_backward_average),
    "max": (_cupy_forward_max, _cupy_backward_max),
}


def _cupy_adaptive_avg_pool2d(x, output_size):
    """Adaptive window means of x [N, C, H, W]: separable, the rows' means matrix times
    each map times the columns' one (windows of different sizes, overlapping or not)."""
    import cupy as cp

    rows = _cupy_adaptive_means(x.shape[2], output_size[0], x.dtype)
    cols = _cupy_adaptive_means(x.shape[3], output_size[1], x.dtype)
    return cp.matmul(cp.matmul(rows, x), cols.T)


def _cupy_adaptive_avg_pool2d_grad(grad, like):
    """Each window's gradient spread evenly over its cells: the transposed products."""
    import cupy as cp

    rows = _cupy_adaptive_means(like.shape[2], grad.shape[2], grad.dtype)
    cols = _cupy_adaptive_means(like.shape[3], grad.shape[3], grad.dtype)
    return cp.matmul(cp.matmul(rows.T, grad), cols)


def _cupy_adaptive_cells(size, count):
    """The windows [floor(i * size / count), ceil((i + 1) * size / count)) of an axis of
    ``size`` cells, offset by offset: item j indexes the j-th cell of every window (one
    gather for all of them). Windows hold ceil(size / count) cells or one more; a shorter
    window repeats its last cell, which changes no maximum and is never its first.
    Windows that tile the axis (size a multiple of count: max pooling with kernel =
    stride = size / count) give strided slices, no gather."""
    import cupy as cp

    if size % count == 0:
        step = size // count
        return [slice(offset, size, step) for offset in range(step)]
    starts = cp.arange(count) * size // count
    ends = -(-cp.arange(1, count + 1) * size // count)
    return [
        cp.minimum(starts + offset, ends - 1)
        for offset in range(int((ends - starts).max()))
    ]


def _cupy_adaptive_first_max(values, count, axis, nan):
    """The maxima of the ``count`` adaptive windows along ``axis`` of ``values`` and the
    index of the first cell that holds each (with ``nan``, a NaN is the maximum, the
    first one as np.argmax). The maxima by one np.maximum per cell offset; then the
    offset of the first hit counted from the offsets at which the maximum has been
    found (no masked writes, which NumPy does element by element)."""
    import cupy as cp

    lead = (slice(None),) * axis
    candidates = [
        (
            values[lead + (index,)]
            if isinstance(index, slice)
            else cp.take(values, index, axis=axis)
        )
        for index in _cupy_adaptive_cells(values.shape[axis], count)
    ]
    best = candidates[0].copy()
    for candidate in candidates[1:]:
        cp.maximum(best, candidate, out=best)
    found = cp.zeros(best.shape, bool)
    hit = cp.empty(best.shape, bool)
    found_after = cp.zeros(best.shape, cp.int8 if len(candidates) < 128 else cp.intp)
    for candidate in candidates[:-1]:
        cp.equal(candidate, best, out=hit)
        if nan:
            hit |= cp.isnan(candidate)
        found |= hit
        found_after += found
    first = (len(candidates) - 1) - found_after
    starts = (cp.arange(count) * values.shape[axis] // count).reshape(
        (count,) + (1,) * (values.ndim - axis - 1)
    )
    return best, first + starts


def _cupy_adaptive_max_pool2d(x, output_size):
    """Adaptive window maxima of x [N, C, H, W], separably (the rows, then the columns
    of the smaller result): one np.maximum per cell offset over all the windows of an
    axis at once (_adaptive_cells), whole rows gathered first."""
    import cupy as cp

    result = x
    for axis, count in ((2, output_size[0]), (3, output_size[1])):
        lead = (slice(None),) * axis
        reduced = None
        for index in _cupy_adaptive_cells(result.shape[axis], count):
            # A slice is a view; an index array is gathered by cp.take, which keeps
            # the C order that fancy indexing of a last axis would not.
            cells = (
                result[lead + (index,)]
                if isinstance(index, slice)
                else cp.take(result, index, axis=axis)
            )
            if reduced is None:
                reduced = cells.copy() if isinstance(index, slice) else cells
            else:
                cp.maximum(reduced, cells, out=reduced)
        result = reduced
    return result


def _cupy_adaptive_max_pool2d_grad(grad, x, y):
    """Each window's gradient goes to its first maximum in row-major order (added up
    where windows overlap): within each row the first maximum of each column window,
    then the first row that holds the window's maximum (_adaptive_first_max), and one
    np.add.at of the gradients at those cells' flat positions (NaN, where y has one,
    counts as the maximum). Measured on 16 x 32 x 32 x 32 to 7 x 7: np.add.at 0.06 ms,
    np.bincount 0.15 ms (float64 sums, converted back)."""
    import cupy as cp

    n, c, h, w = x.shape
    out_h, out_w = grad.shape[2], grad.shape[3]
    nan = bool(cp.isnan(y).any())
    row_maxima, cols = _cupy_adaptive_first_max(x, out_w, 3, nan)
    _, rows = _cupy_adaptive_first_max(row_maxima, out_h, 2, nan)
    images = cp.arange(n * c).reshape(n, c, 1, 1) * h
    cols = cols.reshape(-1)[
        (images + rows) * out_w + cp.arange(out_w)
    ]  # the chosen rows' columns
    grad_x = cp.zeros(x.size, x.dtype)
    cp.add.at(grad_x, ((images + rows) * w + cols).reshape(-1), grad.reshape(-1))
    return grad_x.reshape(x.shape)


def _cupy_adaptive_means(size, count, dtype):
    """The [count, size] matrix whose row i averages adaptive window i of an axis of
    ``size`` cells: [floor(i * size / count), ceil((i + 1) * size / count)), as PyTorch.
    """
    import cupy as cp

    starts = cp.arange(count) * size // count
    ends = -(-cp.arange(1, count + 1) * size // count)
    cells = cp.arange(size)
    inside = (cells >= starts[:, None]) & (cells < ends[:, None])
    return (inside / (ends - starts)[:, None]).astype(dtype)
