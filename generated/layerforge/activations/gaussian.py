"""Gaussian: exp(-x^2).
Generated from layers_spec/activations/gaussian.yaml by the layerforge transpiler 0.1.0.
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
    """Gaussian forward pass.

    exp(-x^2).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("gaussian", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Gaussian backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "gaussian", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, *, out_y=None):
    y = np.multiply(x, x, out=out_y)
    np.negative(y, out=y)
    np.exp(y, out=y)
    return y, (x, y)


def _backward(grad_y, x, y, *, out_grad_x=None):
    _t1 = grad_y * y
    np.negative(_t1, out=_t1)
    _t1 *= x
    grad_x = np.add(_t1, _t1, out=out_grad_x)
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# gaussian_fwd_0: layers_spec/activations/gaussian.yaml:8
_gaussian_fwd_0 = ElementwiseKernel(
    "gaussian_fwd_0",
    "T x",
    "T y",
    """
    T _t1 = x * x;
    T _t2 = -_t1;
    y = exp(_t2);
    """,
)


def _cupy_forward(x):
    y = _gaussian_fwd_0(x)
    return y, (x, y)


# gaussian_bwd_0: layers_spec/primitives.yaml:100,81,61,62
_gaussian_bwd_0 = ElementwiseKernel(
    "gaussian_bwd_0",
    "T grad_y, T y, T x",
    "T grad_x",
    """
    T _t3 = grad_y * y;
    T _t4 = -_t3;
    T _t5 = _t4 * x;
    T _t6 = _t4 * x;
    grad_x = _t5 + _t6;
    """,
)


def _cupy_backward(grad_y, x, y):
    grad_x = _gaussian_bwd_0(grad_y, y, x)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# gaussian_fwd_loops_0: layers_spec/activations/gaussian.yaml:8
@row_kernel
def _gaussian_fwd_loops_0(x, y_out):
    _rows, _n = x.shape
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = x[_row, _j] * x[_row, _j]  # gaussian.yaml:8
            _t2 = -_t1  # gaussian.yaml:8
            y = fast_exp(_t2)  # gaussian.yaml:8
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_gaussian_fwd_loops_0, rows(x), rows(y))
    return y, (x, y)


# gaussian_bwd_loops_0: layers_spec/primitives.yaml:100,81,61,62
@row_kernel
def _gaussian_bwd_loops_0(grad_y, y, x, grad_x_out):
    _rows, _n = grad_y.shape
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = grad_y[_row, _j] * y[_row, _j]  # primitives.yaml:100
            _t2 = -_t1  # primitives.yaml:81
            _t3 = _t2 * x[_row, _j]  # primitives.yaml:61
            _t4 = _t2 * x[_row, _j]  # primitives.yaml:62
            grad_x = _t3 + _t4  # primitives.yaml:62
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, x, y):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_gaussian_bwd_loops_0, rows(grad_y), rows(y), rows(x), rows(grad_x))
    return grad_x
