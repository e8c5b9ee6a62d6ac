"""Mish: x tanh(softplus(x)), with an overflow-free softplus.
Generated from layers_spec/activations/mish.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """Mish forward pass.

    x tanh(softplus(x)), with an overflow-free softplus.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("mish", {"x": x}, {"x": ("...", "F")})
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """Mish backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("mish", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    y = _softplus(x)
    np.tanh(y, out=y)
    y *= x
    return y, (x,)


def _backward(grad_y, x):
    _t1 = _softplus(x)
    np.tanh(_t1, out=_t1)
    grad_x = grad_y * _t1
    _t2 = _t1 * _t1
    np.subtract(1, _t2, out=_t2)
    _t2 *= grad_y
    _t2 *= x
    _t3 = _sigmoid(x)
    _t2 *= _t3
    grad_x += _t2
    return grad_x


def _sigmoid(x):
    """Logistic sigmoid exp(min(x, 0)) / (1 + exp(-|x|)): exp only of non-positive numbers."""
    numerator = np.exp(np.minimum(x, 0))
    numerator /= 1 + np.exp(-np.abs(x))
    return numerator


def _softplus(x):
    """log(1 + exp(x)) without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
