"""ISRU: Inverse square root unit, x / sqrt(1 + alpha x^2).
Generated from layers_spec/activations/isru.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import math

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    in_row_blocks,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import in_row_runs, row_kernel, rows, use_jit, whole_rows

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {"alpha": {"kind": "float", "minimum": 0.0}}


def forward(x, *, alpha=1.0):
    """ISRU forward pass.

    Inverse square root unit, x / sqrt(1 + alpha x^2).

    Args:
        x: float32 or float64 input of shape [..., F].
        alpha: float, default 1.0. Must not be negative.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("isru", {"x": x}, {"x": ("...", "F")})
    check_attribute("isru", "alpha", alpha, "float", minimum=0.0)
    if on_gpu(x):
        y, saved = _cupy_forward(x, alpha)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, alpha, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, alpha, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """ISRU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("isru", __name__, ctx, {"grad_y": grad_y})
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, alpha, *, out_y=None):
    y = np.multiply(alpha, x, out=out_y)
    y *= x
    y += 1
    np.sqrt(y, out=y)
    np.divide(x, y, out=y)
    return y, (x, alpha, y)


def _backward(grad_y, x, alpha, y, *, out_grad_x=None):
    _t1 = alpha * x
    _t2 = _t1 * x
    _t2 += 1
    np.sqrt(_t2, out=_t2)
    _t3 = -grad_y
    _t3 *= y
    _t3 /= _t2
    _t3 *= 0.5
    _t3 /= _t2
    grad_x = np.divide(grad_y, _t2, out=out_grad_x)
    _t4 = _t3 * _t1
    grad_x += _t4
    _t5 = _t3 * x
    _t5 *= alpha
    grad_x += _t5
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# isru_fwd_0: layers_spec/activations/isru.yaml:10
_isru_fwd_0 = ElementwiseKernel(
    "isru_fwd_0",
    "T alpha, T x",
    "T y",
    """
    T _t1 = alpha * x;
    T _t2 = _t1 * x;
    T _t3 = T(1) + _t2;
    T _t4 = sqrt(_t3);
    y = x / _t4;
    """,
    scalars=("alpha",),
)


def _cupy_forward(x, alpha):
    y = _isru_fwd_0(alpha, x)
    return y, (x, alpha, y)


# isru_bwd_0: layers_spec/activations/isru.yaml:10; layers_spec/primitives.yaml:71,72,171,61,62
_isru_bwd_0 = ElementwiseKernel(
    "isru_bwd_0",
    "T alpha, T x, T grad_y, T y",
    "T grad_x",
    """
    T _t1 = alpha * x;
    T _t2 = _t1 * x;
    T _t3 = T(1) + _t2;
    T _t4 = sqrt(_t3);
    T _t5 = grad_y / _t4;
    T _t6 = -grad_y;
    T _t7 = _t6 * y;
    T _t8 = _t7 / _t4;
    T _t9 = T(0.5) * _t8;
    T _t10 = _t9 / _t4;
    T _t11 = _t10 * x;
    T _t12 = _t10 * _t1;
    T _t13 = _t11 * alpha;
    T _t14 = _t5 + _t12;
    grad_x = _t14 + _t13;
    """,
    scalars=("alpha",),
)


def _cupy_backward(grad_y, x, alpha, y):
    grad_x = _isru_bwd_0(alpha, x, grad_y, y)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# isru_fwd_loops_0: layers_spec/activations/isru.yaml:10
@row_kernel
def _isru_fwd_loops_0(alpha, x, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = _float(alpha) * x[_row, _j]  # isru.yaml:10
            _t2 = _t1 * x[_row, _j]  # isru.yaml:10
            _t3 = _float(1.0) + _t2  # isru.yaml:10
            _t4 = math.sqrt(_t3)  # isru.yaml:10
            y = x[_row, _j] / _t4  # isru.yaml:10
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x, alpha):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_isru_fwd_loops_0, alpha, rows(x), rows(y))
    return y, (x, alpha, y)


# isru_bwd_loops_0: layers_spec/activations/isru.yaml:10; layers_spec/primitives.yaml:71,72,171,61,62
@row_kernel
def _isru_bwd_loops_0(alpha, x, grad_y, y, grad_x_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = _float(alpha) * x[_row, _j]  # isru.yaml:10
            _t2 = _t1 * x[_row, _j]  # isru.yaml:10
            _t3 = _float(1.0) + _t2  # isru.yaml:10
            _t4 = math.sqrt(_t3)  # isru.yaml:10
            _t5 = grad_y[_row, _j] / _t4  # primitives.yaml:71
            _t6 = -grad_y[_row, _j]  # primitives.yaml:72
            _t7 = _t6 * y[_row, _j]  # primitives.yaml:72
            _t8 = _t7 / _t4  # primitives.yaml:72
            _t9 = _float(0.5) * _t8  # primitives.yaml:171
            _t10 = _t9 / _t4  # primitives.yaml:171
            _t11 = _t10 * x[_row, _j]  # primitives.yaml:61
            _t12 = _t10 * _t1  # primitives.yaml:62
            _t13 = _t11 * _float(alpha)  # primitives.yaml:62
            _t14 = _t5 + _t12  # primitives.yaml:62
            grad_x = _t14 + _t13  # primitives.yaml:62
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, x, alpha, y):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_isru_bwd_loops_0, alpha, rows(x), rows(grad_y), rows(y), rows(grad_x))
    return grad_x
