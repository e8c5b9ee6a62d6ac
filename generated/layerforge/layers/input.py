"""Input: The identity, marking where data enters a network; the gradient passes through
unchanged.
Generated from layers_spec/layers/input.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context
from layerforge._cupy_runtime import on_gpu

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
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Input backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.

    Gradients are writable, and no copy is made: grad_x may be grad_y itself or a view
    of it. Copy one before updating it in place if the others must not change.
    """
    backward_variant, saved = check_context("input", __name__, ctx, {"grad_y": grad_y})
    return backward_variant(grad_y, *saved)


def _forward(x):
    return x, ()


def _backward(grad_y):
    return grad_y


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x):
    return x, ()


def _cupy_backward(grad_y):
    return grad_y
