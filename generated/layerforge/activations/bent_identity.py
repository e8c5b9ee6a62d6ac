"""BentIdentity: (sqrt(x^2 + 1) - 1) / 2 + x.
Generated from layers_spec/activations/bent_identity.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """BentIdentity forward pass.

    (sqrt(x^2 + 1) - 1) / 2 + x.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("bent_identity", {"x": x}, {"x": ("...", "F")})
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """BentIdentity backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("bent_identity", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    y = x * x
    y += 1
    np.sqrt(y, out=y)
    y -= 1
    y *= 0.5
    y += x
    return y, (x,)


def _backward(grad_y, x):
    _t1 = grad_y * 0.5
    _t1 *= 0.5
    _t2 = x * x
    _t2 += 1
    np.sqrt(_t2, out=_t2)
    _t1 /= _t2
    _t1 *= x
    grad_x = grad_y + _t1
    grad_x += _t1
    return grad_x
