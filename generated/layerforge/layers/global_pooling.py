"""GlobalPooling: The maximum or the mean of each channel's whole feature map, [B, C, H, W]
to [B, C, 1, 1] (torch.nn.AdaptiveMaxPool2d(1) / AdaptiveAvgPool2d(1)); the max gradient
goes to the first maximum in row-major order, the mean's is spread evenly.
Generated from layers_spec/layers/global_pooling.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_nonempty,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, kind="average"):
    """GlobalPooling forward pass.

    The maximum or the mean of each channel's whole feature map, [B, C, H, W] to [B, C,
    1, 1] (torch.nn.AdaptiveMaxPool2d(1) / AdaptiveAvgPool2d(1)); the max gradient goes
    to the first maximum in row-major order, the mean's is spread evenly.

    Args:
        x: float32 or float64 input of shape [B, C, H, W]. A batch of feature maps.
        kind: str, default 'average'. average or max.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("global_pooling", {"x": x}, {"x": ("B", "C", "H", "W")})
    check_attribute("global_pooling", "kind", kind, "str", choices=("average", "max"))
    check_nonempty("global_pooling", "x", x.shape, 2)
    check_nonempty("global_pooling", "x", x.shape, 3)
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[kind]
        y, saved = forward_variant(x)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[kind]
    y, saved = forward_variant(x)
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """GlobalPooling backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "global_pooling", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_average(x):
    _t1 = x.shape[2] * x.shape[3]
    y = _sum(x, (2, 3)) / _t1
    return y, (x, _t1)


def _backward_average(grad_y, x, _t1):
    grad_x = np.broadcast_to(grad_y / _t1, x.shape).copy()
    return grad_x


def _forward_max(x):
    y = np.max(x, axis=(2, 3), keepdims=True)
    return y, (x,)


def _backward_max(grad_y, x):
    grad_x = _global_max_pool_grad(grad_y, x)
    return grad_x


_VARIANTS = {
    "average": (_forward_average, _backward_average),
    "max": (_forward_max, _backward_max),
}


def _global_max_pool_grad(grad, x):
    """The gradient of each channel's maximum goes to its first position in row-major order."""
    flat = x.reshape(*x.shape[:2], -1)
    first = np.argmax(flat, axis=-1)[..., None]
    grad_x = np.zeros_like(flat)
    np.put_along_axis(grad_x, first, grad.reshape(*grad.shape[:2], 1), axis=-1)
    return grad_x.reshape(x.shape)


def _sum(x, axis):
    """The sum along ``axis`` (one axis or a tuple), kept as length-1 axes. Along the last
    axis of a float array it is a matrix-vector product with ones (BLAS), several times
    faster than NumPy's reduction loop on rows; over several trailing axes of a
    C-contiguous one (per-channel sums over H and W) those are flattened into one such
    product, and any leading axes are then summed over the much smaller result."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        with blas_flags_ignored(x):
            return np.matmul(x, np.ones(x.shape[-1], x.dtype))[..., None]
    axes = sorted(a % x.ndim for a in axis) if isinstance(axis, tuple) else None
    trailing = 0
    while axes and x.ndim - 1 - trailing in axes:
        trailing += 1
    if trailing < 2 or x.dtype.kind != "f" or not x.flags.c_contiguous or not x.size:
        return np.sum(x, axis=axis, keepdims=True)
    inner = 1
    for n in x.shape[x.ndim - trailing :]:
        inner *= n
    sums = np.matmul(x.reshape(-1, inner), np.ones(inner, x.dtype))
    sums = sums.reshape(x.shape[: x.ndim - trailing] + (1,) * trailing)
    rest = tuple(a for a in axes if a < x.ndim - trailing)
    return np.sum(sums, axis=rest, keepdims=True) if rest else sums


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# global_pooling_average_fwd_0: layers_spec/layers/global_pooling.yaml:17
_global_pooling_average_fwd_0 = ElementwiseKernel(
    "global_pooling_average_fwd_0",
    "T _t1, int64 _t4",
    "T y",
    """
    y = _t1 / _t4;
    """,
    scalars=("_t4",),
)


def _cupy_forward_average(x):
    _t1 = _cupy_sum(x, (2, 3))
    _t2 = x.shape[2]
    _t3 = x.shape[3]
    _t4 = _t2 * _t3
    y = _global_pooling_average_fwd_0(_t1, _t4)
    return y, (x, _t4)


# global_pooling_average_bwd_0: layers_spec/primitives.yaml:71
_global_pooling_average_bwd_0 = ElementwiseKernel(
    "global_pooling_average_bwd_0",
    "T grad_y, int64 _t4",
    "T _t5",
    """
    _t5 = grad_y / _t4;
    """,
    scalars=("_t4",),
)


def _cupy_backward_average(grad_y, x, _t4):
    import cupy as cp

    _t5 = _global_pooling_average_bwd_0(grad_y, _t4)
    grad_x = cp.broadcast_to(_t5, x.shape).copy()
    return grad_x


def _cupy_forward_max(x):
    import cupy as cp

    y = cp.max(x, axis=(2, 3), keepdims=True)
    return y, (x,)


def _cupy_backward_max(grad_y, x):
    grad_x = _cupy_global_max_pool_grad(grad_y, x)
    return grad_x


_CUPY_VARIANTS = {
    "average": (_cupy_forward_average, _cupy_backward_average),
    "max": (_cupy_forward_max, _cupy_backward_max),
}


def _cupy_global_max_pool_grad(grad, x):
    """The gradient of each channel's maximum goes to its first position in row-major order."""
    import cupy as cp

    flat = x.reshape(*x.shape[:2], -1)
    first = cp.argmax(flat, axis=-1)[..., None]
    grad_x = cp.zeros_like(flat)
    cp.put_along_axis(grad_x, first, grad.reshape(*grad.shape[:2], 1), axis=-1)
    return grad_x.reshape(x.shape)


def _cupy_sum(x, axis):
    """The sum along ``axis`` (one axis or a tuple), kept as length-1 axes. Along the last
    axis of a float array it is a matrix-vector product with ones (BLAS), several times
    faster than NumPy's reduction loop on rows; over several trailing axes of a
    C-contiguous one (per-channel sums over H and W) those are flattened into one such
    product, and any leading axes are then summed over the much smaller result."""
    import cupy as cp

    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        with blas_flags_ignored(x):
            return cp.matmul(x, cp.ones(x.shape[-1], x.dtype))[..., None]
    axes = sorted(a % x.ndim for a in axis) if isinstance(axis, tuple) else None
    trailing = 0
    while axes and x.ndim - 1 - trailing in axes:
        trailing += 1
    if trailing < 2 or x.dtype.kind != "f" or not x.flags.c_contiguous or not x.size:
        return cp.sum(x, axis=axis, keepdims=True)
    inner = 1
    for n in x.shape[x.ndim - trailing :]:
        inner *= n
    sums = cp.matmul(x.reshape(-1, inner), cp.ones(inner, x.dtype))
    sums = sums.reshape(x.shape[: x.ndim - trailing] + (1,) * trailing)
    rest = tuple(a for a in axes if a < x.ndim - trailing)
    return cp.sum(sums, axis=rest, keepdims=True) if rest else sums
