"""ReLU: Rectified linear unit, max(0, x); the derivative at 0 is taken as 0.
Generated from layers_spec/activations/relu.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import in_row_runs, row_kernel, rows, use_jit, whole_rows

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
    if use_jit(x):
        y, saved = _jit_forward(x)
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
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


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# relu_fwd_loops_0: layers_spec/activations/relu.yaml:8
@row_kernel
def _relu_fwd_loops_0(x, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            y = (
                x[_row, _j]
                if x[_row, _j] > _float(0.0) or x[_row, _j] != x[_row, _j]
                else _float(0.0)
            )  # relu.yaml:8
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_relu_fwd_loops_0, rows(x), rows(y))
    return y, (x,)


# relu_bwd_loops_0: layers_spec/primitives.yaml:252
@row_kernel
def _relu_bwd_loops_0(x, grad_y, grad_x_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = x[_row, _j] > _float(0.0)  # primitives.yaml:252
            grad_x = grad_y[_row, _j] * _t1  # primitives.yaml:252
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, x):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_relu_bwd_loops_0, rows(x), rows(grad_y), rows(grad_x))
    return grad_x
