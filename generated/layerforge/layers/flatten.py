"""Flatten: Feature maps [B, C, H, W] to vectors [B, C * H * W] in C order, as
torch.nn.Flatten; backward reshapes the gradient back.
Generated from layers_spec/layers/flatten.yaml by the layerforge transpiler 0.1.0.
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
    """Flatten forward pass.

    Feature maps [B, C, H, W] to vectors [B, C * H * W] in C order, as torch.nn.Flatten;
    backward reshapes the gradient back.

    Args:
        x: float32 or float64 input of shape [B, C, H, W]. A batch of feature maps.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("flatten", {"x": x}, {"x": ("B", "C", "H", "W")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Flatten backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.

    Gradients are writable, and no copy is made: grad_x may be grad_y itself or a view
    of it. Copy one before updating it in place if the others must not change.
    """
    backward_variant, saved = check_context(
        "flatten", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x):
    y = _flatten_batch(x)
    return y, (x,)


def _backward(grad_y, x):
    grad_x = grad_y.reshape(x.shape)
    return grad_x


def _flatten_batch(x):
    """x [N, ...] as [N, features] in C order; the features counted from the shape, which
    NumPy cannot infer (-1) for an empty batch."""
    features = 1
    for n in x.shape[1:]:
        features *= n
    return x.reshape(x.shape[0], features)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x):
    y = _cupy_flatten_batch(x)
    return y, (x,)


def _cupy_backward(grad_y, x):
    grad_x = grad_y.reshape(x.shape)
    return grad_x


def _cupy_flatten_batch(x):
    """x [N, ...] as [N, features] in C order; the features counted from the shape, which
    NumPy cannot infer (-1) for an empty batch."""
    features = 1
    for n in x.shape[1:]:
        features *= n
    return x.reshape(x.shape[0], features)
