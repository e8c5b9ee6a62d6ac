"""Gaussian: exp(-x^2).
Generated from layers_spec/activations/gaussian.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """Gaussian forward pass.

    exp(-x^2).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("gaussian", {"x": x}, {"x": ("...", "F")})
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """Gaussian backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("gaussian", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    y = x * x
    np.negative(y, out=y)
    np.exp(y, out=y)
    return y, (x, y)


def _backward(grad_y, x, y):
    _t1 = grad_y * y
    np.negative(_t1, out=_t1)
    _t1 *= x
    grad_x = _t1 + _t1
    return grad_x
