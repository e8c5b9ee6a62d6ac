"""HardTanh: clip(x, -1, 1).
Generated from layers_spec/activations/hard_tanh.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, in_row_blocks
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {}


def forward(x):
    """HardTanh forward pass.

    clip(x, -1, 1).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "hard_tanh",
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
    """HardTanh backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "hard_tanh", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x):
    y = np.clip(x, -1, 1)
    return y, (x,)


def _backward(grad_y, x, *, out_grad_x=None):
    grad_x = np.multiply(grad_y, (x > -1) & (x < 1), out=out_grad_x)
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# hard_tanh_fwd_0: layers_spec/activations/hard_tanh.yaml:8
_hard_tanh_fwd_0 = ElementwiseKernel(
    "hard_tanh_fwd_0",
    "T x",
    "T y",
    """
    y = x < T(-1) ? T(-1) : x > T(1) ? T(1) : x;
    """,
)


def _cupy_forward(x):
    y = _hard_tanh_fwd_0(x)
    return y, (x,)


# hard_tanh_bwd_0: layers_spec/primitives.yaml:272
_hard_tanh_bwd_0 = ElementwiseKernel(
    "hard_tanh_bwd_0",
    "T x, T grad_y",
    "T grad_x",
    """
    bool _t1 = x > T(-1);
    bool _t2 = x < T(1);
    bool _t3 = _t1 && _t2;
    grad_x = grad_y * _t3;
    """,
)


def _cupy_backward(grad_y, x):
    grad_x = _hard_tanh_bwd_0(x, grad_y)
    return grad_x
