"""LiSHT: Linearly scaled hyperbolic tangent, x tanh(x).
Generated from layers_spec/activations/lisht.yaml by the layerforge transpiler 0.1.0.
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
    """LiSHT forward pass.

    Linearly scaled hyperbolic tangent, x tanh(x).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("lisht", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = _jit_forward(x)
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """LiSHT backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("lisht", __name__, ctx, {"grad_y": grad_y})
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x):
    y = np.tanh(x)
    y *= x
    return y, (x,)


def _backward(grad_y, x, *, out_grad_x=None):
    _t1 = np.tanh(x)
    grad_x = np.multiply(grad_y, _t1, out=out_grad_x)
    _t2 = _t1 * _t1
    np.subtract(1, _t2, out=_t2)
    _t2 *= grad_y
    _t2 *= x
    grad_x += _t2
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# lisht_fwd_0: layers_spec/activations/lisht.yaml:8
_lisht_fwd_0 = ElementwiseKernel(
    "lisht_fwd_0",
    "T x",
    "T y",
    """
    T _t1 = tanh(x);
    y = x * _t1;
    """,
)


def _cupy_forward(x):
    y = _lisht_fwd_0(x)
    return y, (x,)


# lisht_bwd_0: layers_spec/activations/lisht.yaml:8; layers_spec/primitives.yaml:61,62,180
_lisht_bwd_0 = ElementwiseKernel(
    "lisht_bwd_0",
    "T x, T grad_y",
    "T grad_x",
    """
    T _t1 = tanh(x);
    T _t2 = grad_y * _t1;
    T _t3 = grad_y * x;
    T _t4 = _t1 * _t1;
    T _t5 = T(1) - _t4;
    T _t6 = _t3 * _t5;
    grad_x = _t2 + _t6;
    """,
)


def _cupy_backward(grad_y, x):
    grad_x = _lisht_bwd_0(x, grad_y)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# lisht_fwd_loops_0: layers_spec/activations/lisht.yaml:8
@row_kernel
def _lisht_fwd_loops_0(x, y_out):
    _rows, _n = x.shape
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = fast_tanh(x[_row, _j])  # lisht.yaml:8
            y = x[_row, _j] * _t1  # lisht.yaml:8
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_lisht_fwd_loops_0, rows(x), rows(y))
    return y, (x,)


# lisht_bwd_loops_0: layers_spec/activations/lisht.yaml:8; layers_spec/primitives.yaml:61,62,180
@row_kernel
def _lisht_bwd_loops_0(x, grad_y, grad_x_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = fast_tanh(x[_row, _j])  # lisht.yaml:8
            _t2 = grad_y[_row, _j] * _t1  # primitives.yaml:61
            _t3 = grad_y[_row, _j] * x[_row, _j]  # primitives.yaml:62
            _t4 = _t1 * _t1  # primitives.yaml:180
            _t5 = _float(1.0) - _t4  # primitives.yaml:180
            _t6 = _t3 * _t5  # primitives.yaml:180
            grad_x = _t2 + _t6  # primitives.yaml:180
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, x):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_lisht_bwd_loops_0, rows(x), rows(grad_y), rows(grad_x))
    return grad_x
