"""Tanh: Hyperbolic tangent.
Generated from layers_spec/activations/tanh.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, in_row_blocks
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import (
    fast_tanh,
    in_row_runs,
    row_kernel,
    rows,
    use_jit,
    whole_rows,
)

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {}


def forward(x):
    """Tanh forward pass.

    Hyperbolic tangent.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("tanh", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = _jit_forward(x)
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Tanh backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("tanh", __name__, ctx, {"grad_y": grad_y})
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x):
    y = np.tanh(x)
    return y, (y,)


def _backward(grad_y, y, *, out_grad_x=None):
    grad_x = np.multiply(y, y, out=out_grad_x)
    np.subtract(1, grad_x, out=grad_x)
    grad_x *= grad_y
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# tanh_fwd_0: layers_spec/activations/tanh.yaml:8
_tanh_fwd_0 = ElementwiseKernel(
    "tanh_fwd_0",
    "T x",
    "T y",
    """
    y = tanh(x);
    """,
)


def _cupy_forward(x):
    y = _tanh_fwd_0(x)
    return y, (y,)


# tanh_bwd_0: layers_spec/primitives.yaml:180
_tanh_bwd_0 = ElementwiseKernel(
    "tanh_bwd_0",
    "T y, T grad_y",
    "T grad_x",
    """
    T _t1 = y * y;
    T _t2 = T(1) - _t1;
    grad_x = grad_y * _t2;
    """,
)


def _cupy_backward(grad_y, y):
    grad_x = _tanh_bwd_0(y, grad_y)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# tanh_fwd_loops_0: layers_spec/activations/tanh.yaml:8
@row_kernel
def _tanh_fwd_loops_0(x, y_out):
    _rows, _n = x.shape
    for _row in range(_rows):
        for _j in range(_n):
            y = fast_tanh(x[_row, _j])  # tanh.yaml:8
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_tanh_fwd_loops_0, rows(x), rows(y))
    return y, (y,)


# tanh_bwd_loops_0: layers_spec/primitives.yaml:180
@row_kernel
def _tanh_bwd_loops_0(y, grad_y, grad_x_out):
    _rows, _n = y.shape
    _float = y.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = y[_row, _j] * y[_row, _j]  # primitives.yaml:180
            _t2 = _float(1.0) - _t1  # primitives.yaml:180
            grad_x = grad_y[_row, _j] * _t2  # primitives.yaml:180
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, y):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_tanh_bwd_loops_0, rows(y), rows(grad_y), rows(grad_x))
    return grad_x
