"""Mish: x tanh(softplus(x)), computed with one exp as x n / (n + 2) for n = e (e + 2), e =
exp(x), since tanh(log(1 + e)) = ((1 + e)^2 - 1) / ((1 + e)^2 + 1); e is taken of min(x,
20), past which the factor is 1 in float64. Backward: r + x dr/dx with r = n / (n + 2),
dr/dx = 4 e (e + 1) / (n + 2)^2.
Generated from layers_spec/activations/mish.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, in_row_blocks
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
ATTRIBUTES = {}


def forward(x):
    """Mish forward pass.

    x tanh(softplus(x)), computed with one exp as x n / (n + 2) for n = e (e + 2), e =
    exp(x), since tanh(log(1 + e)) = ((1 + e)^2 - 1) / ((1 + e)^2 + 1); e is taken of
    min(x, 20), past which the factor is 1 in float64. Backward: r + x dr/dx with r = n
    / (n + 2), dr/dx = 4 e (e + 1) / (n + 2)^2.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("mish", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Mish backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("mish", __name__, ctx, {"grad_y": grad_y})
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, *, out_y=None):
    e = np.clip(x, -np.inf, 20)
    np.exp(e, out=e)
    n = e + 2
    n *= e
    y = np.multiply(x, n, out=out_y)
    _t1 = n + 2
    y /= _t1
    return y, (x,)


def _backward(grad_y, x, *, out_grad_x=None):
    e = np.clip(x, -np.inf, 20)
    np.exp(e, out=e)
    n = e + 2
    n *= e
    s = n + 2
    np.divide(1, s, out=s)
    grad_x = np.multiply(n, s, out=out_grad_x)
    _t1 = e + 1
    _t1 *= 4
    _t1 *= x
    _t1 *= e
    _t1 *= s
    _t1 *= s
    grad_x += _t1
    grad_x *= grad_y
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# mish_fwd_0: layers_spec/activations/mish.yaml:12,13,14
_mish_fwd_0 = ElementwiseKernel(
    "mish_fwd_0",
    "T x",
    "T y",
    """
    T _t1 = x < T(20) || x != x ? x : T(20);
    T e = exp(_t1);
    T _t2 = e + T(2);
    T n = e * _t2;
    T _t3 = x * n;
    T _t4 = n + T(2);
    y = _t3 / _t4;
    """,
)


def _cupy_forward(x):
    y = _mish_fwd_0(x)
    return y, (x,)


# mish_bwd_0: layers_spec/activations/mish.yaml:12,13,17,18
_mish_bwd_0 = ElementwiseKernel(
    "mish_bwd_0",
    "T x, T grad_y",
    "T grad_x",
    """
    T _t1 = x < T(20) || x != x ? x : T(20);
    T e = exp(_t1);
    T _t2 = e + T(2);
    T n = e * _t2;
    T _t5 = n + T(2);
    T s = T(1) / _t5;
    T _t6 = n * s;
    T _t7 = T(4) * x;
    T _t8 = _t7 * e;
    T _t9 = e + T(1);
    T _t10 = _t8 * _t9;
    T _t11 = _t10 * s;
    T _t12 = _t11 * s;
    T _t13 = _t6 + _t12;
    grad_x = grad_y * _t13;
    """,
)


def _cupy_backward(grad_y, x):
    grad_x = _mish_bwd_0(x, grad_y)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# mish_fwd_loops_0: layers_spec/activations/mish.yaml:12,13,14
@row_kernel
def _mish_fwd_loops_0(x, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = (
                x[_row, _j]
                if x[_row, _j] < _float(20.0) or x[_row, _j] != x[_row, _j]
                else _float(20.0)
            )  # mish.yaml:12
            e = fast_exp(_t1)  # mish.yaml:12
            _t2 = e + _float(2.0)  # mish.yaml:13
            n = e * _t2  # mish.yaml:13
            _t3 = x[_row, _j] * n  # mish.yaml:14
            _t4 = n + _float(2.0)  # mish.yaml:14
            y = _t3 / _t4  # mish.yaml:14
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_mish_fwd_loops_0, rows(x), rows(y))
    return y, (x,)


# mish_bwd_loops_0: layers_spec/activations/mish.yaml:12,13,17,18
@row_kernel
def _mish_bwd_loops_0(x, grad_y, grad_x_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = (
                x[_row, _j]
                if x[_row, _j] < _float(20.0) or x[_row, _j] != x[_row, _j]
                else _float(20.0)
            )  # mish.yaml:12
            e = fast_exp(_t1)  # mish.yaml:12
            _t2 = e + _float(2.0)  # mish.yaml:13
            n = e * _t2  # mish.yaml:13
            _t3 = n + _float(2.0)  # mish.yaml:17
            s = _float(1.0) / _t3  # mish.yaml:17
            _t4 = n * s  # mish.yaml:18
            _t5 = _float(4.0) * x[_row, _j]  # mish.yaml:18
            _t6 = _t5 * e  # mish.yaml:18
            _t7 = e + _float(1.0)  # mish.yaml:18
            _t8 = _t6 * _t7  # mish.yaml:18
            _t9 = _t8 * s  # mish.yaml:18
            _t10 = _t9 * s  # mish.yaml:18
            _t11 = _t4 + _t10  # mish.yaml:18
            grad_x = grad_y[_row, _j] * _t11  # mish.yaml:18
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, x):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_mish_bwd_loops_0, rows(x), rows(grad_y), rows(grad_x))
    return grad_x
