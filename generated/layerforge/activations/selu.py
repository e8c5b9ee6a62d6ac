"""SELU: Scaled exponential linear unit with the fixed constants of Klambauer et al.,
lambda x for x >= 0 and lambda alpha (exp(x) - 1) otherwise.
Generated from layers_spec/activations/selu.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """SELU forward pass.

    Scaled exponential linear unit with the fixed constants of Klambauer et al., lambda
    x for x >= 0 and lambda alpha (exp(x) - 1) otherwise.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("selu", {"x": x}, {"x": ("...", "F")})
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """SELU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("selu", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    negative = np.minimum(x, 0)
    np.expm1(negative, out=negative)
    negative *= 1.6732632423543772
    y = np.where(x >= 0, x, negative)
    y *= 1.0507009873554805
    return y, (x,)


def _backward(grad_y, x):
    _t1 = x >= 0
    _t2 = grad_y * 1.0507009873554805
    grad_negative = _t2 * ~_t1
    grad_x = _t2 * _t1
    _t3 = np.minimum(x, 0)
    np.expm1(_t3, out=_t3)
    _t3 += 1
    _t3 *= grad_negative
    _t3 *= 1.6732632423543772
    _t3 *= x < 0
    grad_x += _t3
    return grad_x
