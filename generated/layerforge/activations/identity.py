"""Identity: Returns its input unchanged; the gradient passes straight through.
Generated from layers_spec/activations/identity.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {}


def forward(x):
    """Identity forward pass.

    Returns its input unchanged; the gradient passes straight through.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "identity",
        {"x": x},
        {"x": ("...", "F")},
        dtypes=("float16", "float32", "float64"),
    )
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Identity backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.

    Gradients are writable, and no copy is made: grad_x may be grad_y itself or a view
    of it. Copy one before updating it in place if the others must not change.
    """
    backward_variant, saved = check_context(
        "identity", __name__, ctx, {"grad_y": grad_y}
    )
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
