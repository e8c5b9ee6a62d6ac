"""Softsign: x / (1 + |x|).
Generated from layers_spec/activations/softsign.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """Softsign forward pass.

    x / (1 + |x|).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("softsign", {"x": x}, {"x": ("...", "F")})
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """Softsign backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("softsign", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    y = np.abs(x)
    y += 1
    np.divide(x, y, out=y)
    return y, (x, y)


def _backward(grad_y, x, y):
    _t1 = np.abs(x)
    _t1 += 1
    grad_x = grad_y / _t1
    _t2 = -grad_y
    _t2 *= y
    _t2 /= _t1
    _t3 = np.sign(x)
    _t2 *= _t3
    grad_x += _t2
    return grad_x
