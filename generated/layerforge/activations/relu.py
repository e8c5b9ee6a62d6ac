"""ReLU: Rectified linear unit, max(0, x); the derivative at 0 is taken as 0.
Generated from layers_spec/activations/relu.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {}


def forward(x):
    """ReLU forward pass.

    Rectified linear unit, max(0, x); the derivative at 0 is taken as 0.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "relu", {"x": x}, {"x": ("...", "F")}, dtypes=("float16", "float32", "float64")
    )
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """ReLU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("relu", __name__, ctx, {"grad_y": grad_y})
    return backward_variant(grad_y, *saved)


def _forward(x):
    y = np.clip(x, 0, np.inf)
    return y, (x,)


def _backward(grad_y, x):
    grad_x = grad_y * (x > 0)
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# relu_fwd_0: layers_spec/activations/relu.yaml:8
_relu_fwd_0 = ElementwiseKernel(
    "relu_fwd_0",
    "T x",
    "T y",
    """
    y = x > T(0) || x != x ? x : T(0);
    """,
)


def _cupy_forward(x):
    y = _relu_fwd_0(x)
    return y, (x,)


# relu_bwd_0: layers_spec/primitives.yaml:252
_relu_bwd_0 = ElementwiseKernel(
    "relu_bwd_0",
    "T x, T grad_y",
    "T grad_x",
    """
    bool _t1 = x > T(0);
    grad_x = grad_y * _t1;
    """,
)


def _cupy_backward(grad_y, x):
    grad_x = _relu_bwd_0(x, grad_y)
    return grad_x
