"""Reshape: Feature vectors [B, F] to [B, *shape] in C order (one entry of shape may be
-1), as x.reshape(B, *shape); backward reshapes the gradient back.
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


def forward(x, *, shape=(-1, 1)):
    """Reshape forward pass.

    Feature vectors [B, F] to [B, *shape] in C order (one entry of shape may be -1), as
    x.reshape(B, *shape); backward reshapes the gradient back.

    Args:
        x: float32 or float64 input of shape [B, F]. A batch of feature vectors.
        shape: ints, default (-1, 1). Per-sample target shape, without the batch axis.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("reshape", {"x": x}, {"x": ("B", "F")})
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
    y = _reshape_batch(x, shape)
    return y, (x,)


def _backward(grad_y, x):
    grad_x = grad_y.reshape(x.shape)
    return grad_x


def _reshape_batch(x, shape):
    """x [N, ...] as [N, *shape] in C order; a clear error if the sizes do not agree."""
    size = 1
    for n in x.shape[1:]:
        size *= n
    known = 1
    for n in shape:
        known *= 1 if n == -1 else n
    unknown = sum(n == -1 for n in shape)
    if (
        unknown > 1
        or any(n < -1 or n == 0 for n in shape)
        or (size != known if unknown == 0 else known == 0 or size % known)
    ):
        raise ValueError(
            f"reshape: cannot reshape the {size} features of each sample of an input of shape "
            f"{tuple(x.shape)} into {tuple(shape)}"
        )
    if -1 in shape and not x.size:  # NumPy cannot infer -1 from an empty batch
        shape = tuple(size // known if n == -1 else n for n in shape)
    return x.reshape(x.shape[0], *shape)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x, shape):
    y = _cupy_reshape_batch(x, shape)
    return y, (x,)


def _cupy_backward(grad_y, x):
    grad_x = grad_y.reshape(x.shape)
    return grad_x


def _cupy_reshape_batch(x, shape):
    """x [N, ...] as [N, *shape] in C order; a clear error if the sizes do not agree."""
    size = 1
    for n in x.shape[1:]:
        size *= n
    known = 1
    for n in shape:
        known *= 1 if n == -1 else n
    unknown = sum(n == -1 for n in shape)
    if (
        unknown > 1
        or any(n < -1 or n == 0 for n in shape)
        or (size != known if unknown == 0 else known == 0 or size % known)
    ):
        raise ValueError(
            f"reshape: cannot reshape the {size} features of each sample of an input of shape "
            f"{tuple(x.shape)} into {tuple(shape)}"
        )
    if -1 in shape and not x.size:  # NumPy cannot infer -1 from an empty batch
        shape = tuple(size // known if n == -1 else n for n in shape)
    return x.reshape(x.shape[0], *shape)
