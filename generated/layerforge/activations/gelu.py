"""GELU: Gaussian error linear unit in its tanh approximation (as the catalog and PyTorch's
approximate="tanh"), 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
Generated from layers_spec/activations/gelu.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """GELU forward pass.

    Gaussian error linear unit in its tanh approximation (as the catalog and PyTorch's
    approximate="tanh"), 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("gelu", {"x": x}, {"x": ("...", "F")})
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """GELU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("gelu", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    inner = x * x
    inner *= x
    inner *= 0.044715
    inner += x
    inner *= 0.7978845608028654
    y = np.tanh(inner)
    y += 1
    y *= 0.5
    y *= x
    return y, (x,)


def _backward(grad_y, x):
    inner = x * x
    inner *= x
    inner *= 0.044715
    inner += x
    inner *= 0.7978845608028654
    _t1 = np.tanh(inner)
    grad_inner = _t1 * _t1
    np.subtract(1, grad_inner, out=grad_inner)
    grad_inner *= grad_y
    grad_inner *= 0.5
    grad_inner *= x
    _t2 = grad_inner * 0.7978845608028654
    grad_x = 1 + _t1
    grad_x *= grad_y
    grad_x *= 0.5
    grad_x += _t2
    _t3 = _t2 * 0.044715
    _t3 *= 3
    _t4 = x * x
    _t3 *= _t4
    grad_x += _t3
    return grad_x
