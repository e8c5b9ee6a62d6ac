"""SQRBF: Squared radial basis function, exp(-beta x^2).
Generated from layers_spec/activations/sqrbf.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    in_row_blocks,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import (
    fast_exp,
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
ATTRIBUTES = {"beta": {"kind": "float"}}


def forward(x, *, beta=1.0):
    """SQRBF forward pass.

    Squared radial basis function, exp(-beta x^2).

    Args:
        x: float32 or float64 input of shape [..., F].
        beta: float, default 1.0. Width parameter.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("sqrbf", {"x": x}, {"x": ("...", "F")})
    check_attribute("sqrbf", "beta", beta, "float")
    if on_gpu(x):
        y, saved = _cupy_forward(x, beta)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, beta, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, beta, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """SQRBF backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("sqrbf", __name__, ctx, {"grad_y": grad_y})
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, beta, *, out_y=None):
    y = np.multiply(x, x, out=out_y)
    y *= -beta
    np.exp(y, out=y)
    return y, (x, beta, y)


def _backward(grad_y, x, beta, y, *, out_grad_x=None):
    _t1 = grad_y * y
    _t1 *= -beta
    _t1 *= x
    grad_x = np.add(_t1, _t1, out=out_grad_x)
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# sqrbf_fwd_0: layers_spec/activations/sqrbf.yaml:10
_sqrbf_fwd_0 = ElementwiseKernel(
    "sqrbf_fwd_0",
    "T x, T _t1",
    "T y",
    """
    T _t2 = x * x;
    T _t3 = _t1 * _t2;
    y = exp(_t3);
    """,
    scalars=("_t1",),
)


def _cupy_forward(x, beta):
    _t1 = -beta
    y = _sqrbf_fwd_0(x, _t1)
    return y, (x, beta, y)


# sqrbf_bwd_0: layers_spec/primitives.yaml:100,62,61
_sqrbf_bwd_0 = ElementwiseKernel(
    "sqrbf_bwd_0",
    "T grad_y, T y, T _t1, T x",
    "T grad_x",
    """
    T _t4 = grad_y * y;
    T _t5 = _t4 * _t1;
    T _t6 = _t5 * x;
    T _t7 = _t5 * x;
    grad_x = _t6 + _t7;
    """,
    scalars=("_t1",),
)


def _cupy_backward(grad_y, x, beta, y):
    _t1 = -beta
    grad_x = _sqrbf_bwd_0(grad_y, y, _t1, x)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# sqrbf_fwd_loops_0: layers_spec/activations/sqrbf.yaml:10
@row_kernel
def _sqrbf_fwd_loops_0(x, _t1, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t2 = x[_row, _j] * x[_row, _j]  # sqrbf.yaml:10
            _t3 = _float(_t1) * _t2  # sqrbf.yaml:10
            y = fast_exp(_t3)  # sqrbf.yaml:10
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x, beta):
    _t1 = -beta
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_sqrbf_fwd_loops_0, rows(x), _t1, rows(y))
    return y, (x, beta, y)


# sqrbf_bwd_loops_0: layers_spec/primitives.yaml:100,62,61
@row_kernel
def _sqrbf_bwd_loops_0(grad_y, y, _t1, x, grad_x_out):
    _rows, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t2 = grad_y[_row, _j] * y[_row, _j]  # primitives.yaml:100
            _t3 = _t2 * _float(_t1)  # primitives.yaml:62
            _t4 = _t3 * x[_row, _j]  # primitives.yaml:61
            _t5 = _t3 * x[_row, _j]  # primitives.yaml:62
            grad_x = _t4 + _t5  # primitives.yaml:62
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, x, beta, y):
    _t1 = -beta
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_sqrbf_bwd_loops_0, rows(grad_y), rows(y), _t1, rows(x), rows(grad_x))
    return grad_x
