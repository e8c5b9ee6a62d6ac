"""Reshape: The input in C order as the target shape (one entry may be -1), as
torch.reshape on the whole array (the batch axis included: shape=(B, *per_sample) for
Keras' Reshape); backward reshapes the gradient back.
Generated from layers_spec/layers/reshape.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, check_attribute
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, shape):
    """Reshape forward pass.

    The input in C order as the target shape (one entry may be -1), as torch.reshape on
    the whole array (the batch axis included: shape=(B, *per_sample) for Keras'
    Reshape); backward reshapes the gradient back.

    Args:
        x: float32 or float64 input of shape [..., F]. An array of any rank.
        shape: ints, required. The target shape, with at most one -1.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("reshape", {"x": x}, {"x": ("...", "F")})
    check_attribute("reshape", "shape", shape, "ints")
    if on_gpu(x):
        y, saved = _cupy_forward(x, shape)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, shape)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Reshape backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.

    Gradients are writable, and no copy is made: grad_x may be grad_y itself or a view
    of it. Copy one before updating it in place if the others must not change.
    """
    backward_variant, saved = check_context(
        "reshape", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, shape):
    y = _reshape_to(x, shape)
    return y, (x,)


def _backward(grad_y, x):
    grad_x = grad_y.reshape(x.shape)
    return grad_x


def _reshape_to(x, shape):
    """x as ``shape`` in C order (one entry may be -1); a clear error if the sizes differ."""
    known = 1
    for n in shape:
        known *= 1 if n == -1 else n
    unknown = sum(n == -1 for n in shape)
    if (
        unknown > 1
        or any(n < -1 for n in shape)
        or (x.size != known if unknown == 0 else known == 0 or x.size % known)
    ):
        raise ValueError(
            f"reshape: cannot reshape an input of shape {tuple(x.shape)} ({x.size} elements) "
            f"into {tuple(shape)}"
        )
    return x.reshape(tuple(shape))


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x, shape):
    y = _reshape_to(x, shape)
    return y, (x,)


def _cupy_backward(grad_y, x):
    grad_x = grad_y.reshape(x.shape)
    return grad_x
