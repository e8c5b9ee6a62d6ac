"""Mean: The mean over one axis or several, as torch.mean(x, dim, keepdim): the reduced
axes are removed, or kept as length 1 with keepdim; backward spreads the gradient
evenly.
Generated from layers_spec/layers/mean.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_nonempty,
)
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, dim=-1, keepdim=False):
    """Mean forward pass.

    The mean over one axis or several, as torch.mean(x, dim, keepdim): the reduced axes
    are removed, or kept as length 1 with keepdim; backward spreads the gradient evenly.

    Args:
        x: float32 or float64 input of shape [..., F].
        dim: int_or_ints, default -1. The axis, or a tuple of axes (() for all),
            counting the batch axis.
        keepdim: bool, default False. Keep the reduced axes as length 1.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("mean", {"x": x}, {"x": ("...", "F")})
    check_attribute("mean", "dim", dim, "int_or_ints")
    check_attribute("mean", "keepdim", keepdim, "bool")
    check_nonempty("mean", "x", x.shape)
    if on_gpu(x):
        y, saved = _cupy_forward(x, dim, keepdim)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, dim, keepdim)
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


def _forward(x, dim, keepdim):
    y = _mean_dims(x, dim, keepdim)
    return y, (x, dim, keepdim)


def _backward(grad_y, x, dim, keepdim):
    grad_x = _mean_dims_grad(grad_y, x, dim, keepdim)
    return grad_x


def _mean_dims(x, dim, keepdim):
    """The mean over axis ``dim`` (an int, or a tuple of axes: all of them for ()), the
    reduced axes kept as length 1 if ``keepdim``; over the last axis of a float array a
    matrix-vector product with 1 / n (BLAS), as in _mean."""
    axes = _reduced_axes(x, dim)
    if axes == (x.ndim - 1,) and x.dtype.kind == "f":
        y = np.matmul(x, np.full(x.shape[-1], 1 / x.shape[-1], x.dtype))
        return y[..., None] if keepdim else y
    return np.mean(x, axis=axes, keepdims=bool(keepdim))


def _mean_dims_grad(grad, x, dim, keepdim):
    """The gradient of _mean_dims: ``grad`` spread evenly over the reduced axes."""
    axes = _reduced_axes(x, dim)
    count = 1
    for a in axes:
        count *= x.shape[a]
    kept = grad if keepdim else np.expand_dims(grad, axes)
    return np.broadcast_to(kept, x.shape) * np.asarray(1 / count, x.dtype)


def _reduced_axes(x, dim):
    """``dim`` (an int or a tuple of ints, () for every axis) as sorted non-negative axes
    of x; a clear error for an axis x does not have or one given twice."""
    dims = tuple(range(x.ndim)) if isinstance(dim, (tuple, list)) and not dim else dim
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    for d in dims:
        if not -max(x.ndim, 1) <= d < max(x.ndim, 1):
            raise ValueError(
                f"mean: attribute 'dim' = {dim} is not an axis of 'x', which has {x.ndim} axes "
                f"(valid: {-x.ndim} to {x.ndim - 1})"
            )
    axes = tuple(sorted(d % x.ndim for d in dims))
    if len(set(axes)) != len(axes):
        raise ValueError(f"mean: attribute 'dim' = {dim} names an axis twice")
    return axes


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x, dim, keepdim):
    y = _cupy_mean_dims(x, dim, keepdim)
    return y, (x, dim, keepdim)


def _cupy_backward(grad_y, x, dim, keepdim):
    grad_x = _cupy_mean_dims_grad(grad_y, x, dim, keepdim)
    return grad_x


def _cupy_mean_dims(x, dim, keepdim):
    """The mean over axis ``dim`` (an int, or a tuple of axes: all of them for ()), the
    reduced axes kept as length 1 if ``keepdim``; over the last axis of a float array a
    matrix-vector product with 1 / n (BLAS), as in _mean."""
    import cupy as cp

    axes = _reduced_axes(x, dim)
    if axes == (x.ndim - 1,) and x.dtype.kind == "f":
        y = cp.matmul(x, cp.full(x.shape[-1], 1 / x.shape[-1], x.dtype))
        return y[..., None] if keepdim else y
    return cp.mean(x, axis=axes, keepdims=bool(keepdim))


def _cupy_mean_dims_grad(grad, x, dim, keepdim):
    """The gradient of _mean_dims: ``grad`` spread evenly over the reduced axes."""
    import cupy as cp

    axes = _reduced_axes(x, dim)
    count = 1
    for a in axes:
        count *= x.shape[a]
    kept = grad if keepdim else cp.expand_dims(grad, axes)
    return cp.broadcast_to(kept, x.shape) * cp.asarray(1 / count, x.dtype)
