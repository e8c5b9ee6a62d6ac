"""Masking: Zeroes the time steps of [B, T, F] sequences whose features all equal
mask_value (Keras Masking: a step is kept if any feature differs, so a NaN is kept and
reaches the output); the gradient of a masked step is 0, of any other step passes
through.
Generated from layers_spec/layers/masking.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, check_attribute
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, mask_value=0.0):
    """Masking forward pass.

    Zeroes the time steps of [B, T, F] sequences whose features all equal mask_value
    (Keras Masking: a step is kept if any feature differs, so a NaN is kept and reaches
    the output); the gradient of a masked step is 0, of any other step passes through.

    Args:
        x: float32 or float64 input of shape [B, T, F]. A batch of sequences.
        mask_value: float, default 0.0. The value that marks a padded time step.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("masking", {"x": x}, {"x": ("B", "T", "F")})
    check_attribute("masking", "mask_value", mask_value, "float")
    if on_gpu(x):
        y, saved = _cupy_forward(x, mask_value)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, mask_value)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Masking backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "masking", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, mask_value):
    keep = np.any(~(x == mask_value), axis=-1, keepdims=True)
    y = np.where(keep, x, 0)
    return y, (keep,)


def _backward(grad_y, keep):
    grad_x = grad_y * keep
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# masking_fwd_0: layers_spec/layers/masking.yaml:13
_masking_fwd_0 = ElementwiseKernel(
    "masking_fwd_0",
    "T x, T mask_value",
    "bool _t2",
    """
    bool _t1 = x == mask_value;
    _t2 = !_t1;
    """,
    scalars=("mask_value",),
)


# masking_fwd_1: layers_spec/layers/masking.yaml:14
_masking_fwd_1 = ElementwiseKernel(
    "masking_fwd_1",
    "bool keep, T x",
    "T y",
    """
    y = keep ? x : T(0);
    """,
)


def _cupy_forward(x, mask_value):
    import cupy as cp

    _t2 = _masking_fwd_0(x, mask_value)
    keep = cp.any(_t2, axis=-1, keepdims=True)
    y = _masking_fwd_1(keep, x)
    return y, (keep,)


# masking_bwd_0: layers_spec/primitives.yaml:282
_masking_bwd_0 = ElementwiseKernel(
    "masking_bwd_0",
    "T grad_y, bool keep",
    "T grad_x",
    """
    grad_x = grad_y * keep;
    """,
)


def _cupy_backward(grad_y, keep):
    grad_x = _masking_bwd_0(grad_y, keep)
    return grad_x
