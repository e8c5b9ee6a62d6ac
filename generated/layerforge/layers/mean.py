"""Mean: The mean over one axis, which is removed, as torch.mean(x, dim=axis); backward
spreads the gradient evenly.
Generated from layers_spec/layers/mean.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_axis,
    check_nonempty,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, axis=-1):
    """Mean forward pass.

    The mean over one axis, which is removed, as torch.mean(x, dim=axis); backward
    spreads the gradient evenly.

    Args:
        x: float32 or float64 input of shape [..., F].
        axis: int, default -1. The axis to average over (counting the batch axis).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("mean", {"x": x}, {"x": ("...", "F")})
    check_attribute("mean", "axis", axis, "int")
    check_axis("mean", "axis", axis, "x", x.ndim)
    check_nonempty("mean", "x", x.shape, axis)
    if on_gpu(x):
        y, saved = _cupy_forward(x, axis)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, axis)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Mean backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("mean", __name__, ctx, {"grad_y": grad_y})
    return backward_variant(grad_y, *saved)


def _forward(x, axis):
    _t1 = _mean(x, axis)
    y = np.squeeze(_t1, axis=axis)
    return y, (x, axis, _t1)


def _backward(grad_y, x, axis, _t1):
    grad_x = np.broadcast_to(grad_y.reshape(_t1.shape), x.shape) / x.shape[axis]
    return grad_x


def _mean(x, axis):
    """The mean along ``axis``, kept as a length-1 axis; along the last axis of a float
    array a matrix-vector product with 1 / n (BLAS), as in _sum."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        return np.matmul(x, np.full(x.shape[-1], 1 / x.shape[-1], x.dtype))[..., None]
    return np.mean(x, axis=axis, keepdims=True)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x, axis):
    import cupy as cp

    _t1 = _cupy_mean(x, axis)
    y = cp.squeeze(_t1, axis=axis)
    return y, (x, axis, _t1)


# mean_bwd_0: layers_spec/primitives.yaml:370
_mean_bwd_0 = ElementwiseKernel(
    "mean_bwd_0",
    "T _t3, int32 _t4",
    "T grad_x",
    """
    grad_x = _t3 / _t4;
    """,
    scalars=("_t4",),
)


def _cupy_backward(grad_y, x, axis, _t1):
    import cupy as cp

    _t2 = grad_y.reshape(_t1.shape)
    _t3 = cp.broadcast_to(_t2, x.shape)
    _t4 = x.shape[axis]
    grad_x = _mean_bwd_0(_t3, _t4)
    return grad_x


def _cupy_mean(x, axis):
    """The mean along ``axis``, kept as a length-1 axis; along the last axis of a float
    array a matrix-vector product with 1 / n (BLAS), as in _sum."""
    import cupy as cp

    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        return cp.matmul(x, cp.full(x.shape[-1], 1 / x.shape[-1], x.dtype))[..., None]
    return cp.mean(x, axis=axis, keepdims=True)
