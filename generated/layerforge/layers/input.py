"""Input: The identity, marking where data enters a network; the gradient passes through
unchanged.
Generated from layers_spec/layers/input.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """Input forward pass.

    The identity, marking where data enters a network; the gradient passes through
    unchanged.

    Args:
        x: float32 or float64 input of shape [..., F]. Any array; the last axis is the
            features.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("input", {"x": x}, {"x": ("...", "F")})
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """Input backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("input", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    return x, ()


def _backward(grad_y):
    return grad_y
