"""LogSoftmax: x_i - log sum_j exp(x_j) over the last axis, shifted by the row maximum for
stability.
Generated from layers_spec/activations/log_softmax.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """LogSoftmax forward pass.

    x_i - log sum_j exp(x_j) over the last axis, shifted by the row maximum for
    stability.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("log_softmax", {"x": x}, {"x": ("...", "F")})
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """LogSoftmax backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("log_softmax", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    y = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return y, (y,)


def _backward(grad_y, y):
    grad_x = grad_y - np.exp(y) * np.sum(grad_y, axis=-1, keepdims=True)
    return grad_x
