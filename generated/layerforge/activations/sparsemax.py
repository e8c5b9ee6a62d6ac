"""Sparsemax: Euclidean projection onto the probability simplex along the last axis, max(x
- tau, 0) with tau chosen so each row sums to 1 (Martins and Astudillo, 2016).
Generated from layers_spec/activations/sparsemax.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """Sparsemax forward pass.

    Euclidean projection onto the probability simplex along the last axis, max(x - tau,
    0) with tau chosen so each row sums to 1 (Martins and Astudillo, 2016).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("sparsemax", {"x": x}, {"x": ("...", "F")})
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """Sparsemax backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("sparsemax", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    tau = _sparsemax_threshold(x)
    y = x - tau
    np.maximum(y, 0, out=y)
    return y, (x, y)


def _backward(grad_y, x, y):
    support = (y > 0).astype(x.dtype)
    grad_x = support * (
        grad_y
        - np.sum(grad_y * support, axis=-1, keepdims=True)
        / np.sum(support, axis=-1, keepdims=True)
    )
    return grad_x


def _sparsemax_threshold(z):
    """The sparsemax threshold tau along the last axis, kept as a trailing axis of 1."""
    z_sorted = -np.sort(-z, axis=-1)
    cumulative = np.cumsum(z_sorted, axis=-1)
    k = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    support_size = np.sum(1 + k * z_sorted > cumulative, axis=-1, keepdims=True)
    total = np.take_along_axis(cumulative, support_size - 1, axis=-1)
    return (total - 1) / support_size.astype(z.dtype)
