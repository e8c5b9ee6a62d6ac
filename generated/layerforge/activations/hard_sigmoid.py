"""HardSigmoid: clip((x + 1) / 2, 0, 1), the catalog's definition (not PyTorch's relu6(x +
3) / 6).
Generated from layers_spec/activations/hard_sigmoid.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """HardSigmoid forward pass.

    clip((x + 1) / 2, 0, 1), the catalog's definition (not PyTorch's relu6(x + 3) / 6).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("hard_sigmoid", {"x": x}, {"x": ("...", "F")})
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """HardSigmoid backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("hard_sigmoid", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    _t1 = x + 1
    _t1 *= 0.5
    y = np.clip(_t1, 0, 1)
    return y, (_t1,)


def _backward(grad_y, _t1):
    grad_x = grad_y * ((_t1 > 0) & (_t1 < 1)) * 0.5
    return grad_x
