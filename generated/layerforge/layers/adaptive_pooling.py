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
    return y, (x,)


def _backward_max(grad_y, x):
    grad_x = _adaptive_max_pool2d_grad(grad_y, x)
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


def _adaptive_max_pool2d(x, output_size):
    """Adaptive window maxima of x [N, C, H, W], separably: each window's rows reduced,
    then its columns (one np.max per window and axis)."""
    result = x
    for axis, count in ((2, output_size[0]), (3, output_size[1])):
        size = result.shape[axis]
        index = [slice(None)] * 4
        parts = []
        for i in range(count):
            index[axis] = slice(i * size // count, -(-(i + 1) * size // count))
            parts.append(np.max(result[tuple(index)], axis=axis, keepdims=True))
        result = np.concatenate(parts, axis=axis)
    return result


def _adaptive_max_pool2d_grad(grad, x):
    """Each window's gradient goes to its first maximum in row-major order (added up
    where windows overlap): one argmax per window."""
    n, c, h, w = x.shape
    out_h, out_w = grad.shape[2], grad.shape[3]
    grad_x = np.zeros_like(x)
    for i in range(out_h):
        rows = slice(i * h // out_h, -(-(i + 1) * h // out_h))
        for j in range(out_w):
            cols = slice(j * w // out_w, -(-(j + 1) * w // out_w))
            window = x[:, :, rows, cols]
            first = np.argmax(window.reshape(n, c, -1), axis=-1)[..., None]
            cells = np.arange(window.shape[2] * window.shape[3]) == first
            grad_x[:, :, rows, cols] += (cells * grad[:, :, i, j, None]).reshape(
                window.shape
            )
    return grad_x


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
    return y, (x,)


def _cupy_backward_max(grad_y, x):
    grad_x = _cupy_adaptive_max_pool2d_grad(grad_y, x)
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


def _cupy_adaptive_max_pool2d(x, output_size):
    """Adaptive window maxima of x [N, C, H, W], separably: each window's rows reduced,
    then its columns (one np.max per window and axis)."""
    import cupy as cp

    result = x
    for axis, count in ((2, output_size[0]), (3, output_size[1])):
        size = result.shape[axis]
        index = [slice(None)] * 4
        parts = []
        for i in range(count):
            index[axis] = slice(i * size // count, -(-(i + 1) * size // count))
            parts.append(cp.max(result[tuple(index)], axis=axis, keepdims=True))
        result = cp.concatenate(parts, axis=axis)
    return result


def _cupy_adaptive_max_pool2d_grad(grad, x):
    """Each window's gradient goes to its first maximum in row-major order (added up
    where windows overlap): one argmax per window."""
    import cupy as cp

    n, c, h, w = x.shape
    out_h, out_w = grad.shape[2], grad.shape[3]
    grad_x = cp.zeros_like(x)
    for i in range(out_h):
        rows = slice(i * h // out_h, -(-(i + 1) * h // out_h))
        for j in range(out_w):
            cols = slice(j * w // out_w, -(-(j + 1) * w // out_w))
            window = x[:, :, rows, cols]
            first = cp.argmax(window.reshape(n, c, -1), axis=-1)[..., None]
            cells = cp.arange(window.shape[2] * window.shape[3]) == first
            grad_x[:, :, rows, cols] += (cells * grad[:, :, i, j, None]).reshape(
                window.shape
            )
    return grad_x


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
