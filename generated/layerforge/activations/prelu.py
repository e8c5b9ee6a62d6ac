"""PReLU: Parametric ReLU, max(0, x) + alpha min(0, x), with alpha a fixed scalar as in the
catalog (pass it explicitly for PyTorch's default of 0.25).
Generated from layers_spec/activations/prelu.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_attribute

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, alpha=0.01):
    """PReLU forward pass.

    Parametric ReLU, max(0, x) + alpha min(0, x), with alpha a fixed scalar as in the
    catalog (pass it explicitly for PyTorch's default of 0.25).

    Args:
        x: float32 or float64 input of shape [..., F].
        alpha: float, default 0.01. Slope of the negative part.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("prelu", {"x": x}, {"x": ("...", "F")})
    check_attribute("prelu", "alpha", alpha, "float")
    y, saved = _forward(x, alpha)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """PReLU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("prelu", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x, alpha):
    y = np.maximum(x, 0)
    _t1 = np.minimum(x, 0)
    _t1 *= alpha
    y += _t1
    return y, (x, alpha)


def _backward(grad_y, x, alpha):
    grad_x = grad_y * alpha
    grad_x *= x < 0
    _t1 = grad_y * (x > 0)
    grad_x += _t1
    return grad_x
