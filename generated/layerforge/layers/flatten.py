"""Flatten: The axes start_dim to end_dim joined into one in C order, as torch.flatten and
torch.nn.Flatten (by default every axis but the batch axis: [B, C, H, W] to [B, C * H *
W]); backward reshapes the gradient back.
Generated from layers_spec/layers/flatten.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, check_attribute, check_axis
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, start_dim=1, end_dim=-1):
    """Flatten forward pass.

    The axes start_dim to end_dim joined into one in C order, as torch.flatten and
    torch.nn.Flatten (by default every axis but the batch axis: [B, C, H, W] to [B, C *
    H * W]); backward reshapes the gradient back.

    Args:
        x: float32 or float64 input of shape [..., F]. An array of any rank.
        start_dim: int, default 1. The first axis joined.
        end_dim: int, default -1. The last axis joined (inclusive).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("flatten", {"x": x}, {"x": ("...", "F")})
    check_attribute("flatten", "start_dim", start_dim, "int")
    check_axis("flatten", "start_dim", start_dim, "x", x.ndim)
    check_attribute("flatten", "end_dim", end_dim, "int")
    check_axis("flatten", "end_dim", end_dim, "x", x.ndim)
    if on_gpu(x):
        y, saved = _cupy_forward(x, start_dim, end_dim)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, start_dim, end_dim)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Flatten backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.

    Gradients are writable, and no copy is made: grad_x may be grad_y itself or a view
    of it. Copy one before updating it in place if the others must not change.
    """
    backward_variant, saved = check_context(
        "flatten", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, start_dim, end_dim):
    y = _flatten_dims(x, start_dim, end_dim)
    return y, (x,)


def _backward(grad_y, x):
    grad_x = grad_y.reshape(x.shape)
    return grad_x


def _flatten_dims(x, start, end):
    """x with its axes ``start`` to ``end`` (inclusive, negative from the end) joined."""
    first, last = start % max(x.ndim, 1), end % max(x.ndim, 1)
    if first > last:
        raise ValueError(
            f"flatten: start_dim {start} comes after end_dim {end} for an input of shape "
            f"{tuple(x.shape)}"
        )
    joined = 1  # the joined size, not -1: an empty x has no size to infer from
    for size in x.shape[first : last + 1]:
        joined *= size
    return (
        x.reshape(x.shape[:first] + (joined,) + x.shape[last + 1 :])
        if x.ndim
        else x.reshape(1)
    )


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x, start_dim, end_dim):
    y = _flatten_dims(x, start_dim, end_dim)
    return y, (x,)


def _cupy_backward(grad_y, x):
    grad_x = grad_y.reshape(x.shape)
    return grad_x
