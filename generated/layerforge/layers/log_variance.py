"""LogVariance: The logarithm of the biased variance over one axis, which is removed, y =
log(var(x, axis) + epsilon), as torch.log(torch.var(x, dim=axis, unbiased=False) +
epsilon).
Generated from layers_spec/layers/log_variance.yaml by the layerforge transpiler 0.1.0.
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


def forward(x, *, axis=-1, epsilon=1e-08):
    """LogVariance forward pass.

    The logarithm of the biased variance over one axis, which is removed, y = log(var(x,
    axis) + epsilon), as torch.log(torch.var(x, dim=axis, unbiased=False) + epsilon).

    Args:
        x: float32 or float64 input of shape [..., F].
        axis: int, default -1. The axis to reduce (counting the batch axis; negative
            counts from the end).
        epsilon: float, default 1e-08. Added to the variance before the logarithm.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("log_variance", {"x": x}, {"x": ("...", "F")})
    check_attribute("log_variance", "axis", axis, "int")
    check_axis("log_variance", "axis", axis, "x", x.ndim)
    check_attribute("log_variance", "epsilon", epsilon, "float", minimum=0.0)
    check_nonempty("log_variance", "x", x.shape, axis)
    if on_gpu(x):
        y, saved = _cupy_forward(x, axis, epsilon)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, axis, epsilon)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """LogVariance backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "log_variance", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, axis, epsilon):
    mu = _mean(x, axis)
    centered = x - mu
    variance = _mean(centered * centered, axis)
    y = np.squeeze(np.log(variance + epsilon), axis=axis)
    return y, (x, axis, epsilon, centered, variance)


def _backward(grad_y, x, axis, epsilon, centered, variance):
    grad_x = (
        grad_y.reshape(variance.shape)
        * (2 / x.shape[axis])
        / (variance + epsilon)
        * centered
    )
    return grad_x


def _mean(x, axis):
    """The mean along ``axis``, kept as a length-1 axis; along the last axis of a float
    array a matrix-vector product with 1 / n (BLAS), as in _sum."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        return np.matmul(x, np.full(x.shape[-1], 1 / x.shape[-1], x.dtype))[..., None]
    return np.mean(x, axis=axis, keepdims=True)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# log_variance_fwd_0: layers_spec/layers/log_variance.yaml:15
_log_variance_fwd_0 = ElementwiseKernel(
    "log_variance_fwd_0",
    "T x, T mu",
    "T centered",
    """
    centered = x - mu;
    """,
)


# log_variance_fwd_1: layers_spec/layers/log_variance.yaml:16
_log_variance_fwd_1 = ElementwiseKernel(
    "log_variance_fwd_1",
    "T centered",
    "T _t1",
    """
    _t1 = centered * centered;
    """,
)


# log_variance_fwd_2: layers_spec/layers/log_variance.yaml:17
_log_variance_fwd_2 = ElementwiseKernel(
    "log_variance_fwd_2",
    "T variance, T epsilon",
    "T _t2",
    """
    _t2 = variance + epsilon;
    """,
    scalars=("epsilon",),
)


# log_variance_fwd_3: layers_spec/layers/log_variance.yaml:17
_log_variance_fwd_3 = ElementwiseKernel(
    "log_variance_fwd_3",
    "T _t2",
    "T _t3",
    """
    _t3 = log(_t2);
    """,
)


def _cupy_forward(x, axis, epsilon):
    import cupy as cp

    mu = _cupy_mean(x, axis)
    centered = _log_variance_fwd_0(x, mu)
    _t1 = _log_variance_fwd_1(centered)
    variance = _cupy_mean(_t1, axis)
    _t2 = _log_variance_fwd_2(variance, epsilon)
    _t3 = _log_variance_fwd_3(_t2)
    y = cp.squeeze(_t3, axis=axis)
    return y, (x, axis, epsilon, centered, variance)


# log_variance_bwd_0: layers_spec/layers/log_variance.yaml:19
_log_variance_bwd_0 = ElementwiseKernel(
    "log_variance_bwd_0",
    "T _t4, T _t6",
    "T _t7",
    """
    _t7 = _t4 * _t6;
    """,
    scalars=("_t6",),
)


# log_variance_bwd_1: layers_spec/layers/log_variance.yaml:19
_log_variance_bwd_1 = ElementwiseKernel(
    "log_variance_bwd_1",
    "T variance, T epsilon",
    "T _t8",
    """
    _t8 = variance + epsilon;
    """,
    scalars=("epsilon",),
)


# log_variance_bwd_2: layers_spec/layers/log_variance.yaml:19
_log_variance_bwd_2 = ElementwiseKernel(
    "log_variance_bwd_2",
    "T _t7, T _t8",
    "T _t9",
    """
    _t9 = _t7 / _t8;
    """,
)


# log_variance_bwd_3: layers_spec/layers/log_variance.yaml:19
_log_variance_bwd_3 = ElementwiseKernel(
    "log_variance_bwd_3",
    "T _t9, T centered",
    "T grad_x",
    """
    grad_x = _t9 * centered;
    """,
)


def _cupy_backward(grad_y, x, axis, epsilon, centered, variance):
    _t4 = grad_y.reshape(variance.shape)
    _t5 = x.shape[axis]
    _t6 = 2 / _t5
    _t7 = _log_variance_bwd_0(_t4, _t6)
    _t8 = _log_variance_bwd_1(variance, epsilon)
    _t9 = _log_variance_bwd_2(_t7, _t8)
    grad_x = _log_variance_bwd_3(_t9, centered)
    return grad_x


def _cupy_mean(x, axis):
    """The mean along ``axis``, kept as a length-1 axis; along the last axis of a float
    array a matrix-vector product with 1 / n (BLAS), as in _sum."""
    import cupy as cp

    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        return cp.matmul(x, cp.full(x.shape[-1], 1 / x.shape[-1], x.dtype))[..., None]
    return cp.mean(x, axis=axis, keepdims=True)
