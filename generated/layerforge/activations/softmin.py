"""Softmin: exp(-x_i) / sum_j exp(-x_j) over the last axis, shifted by the row minimum for
stability.
Generated from layers_spec/activations/softmin.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """Softmin forward pass.

    exp(-x_i) / sum_j exp(-x_j) over the last axis, shifted by the row minimum for
    stability.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("softmin", {"x": x}, {"x": ("...", "F")})
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """Softmin backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("softmin", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    negated = -x
    shifted = negated - np.max(negated, axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    y = exponentials / np.sum(exponentials, axis=-1, keepdims=True)
    return y, (y,)


def _backward(grad_y, y):
    grad_x = y * (np.sum(grad_y * y, axis=-1, keepdims=True) - grad_y)
    return grad_x
