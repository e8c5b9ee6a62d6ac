"""Sigmoid: Logistic function 1 / (1 + exp(-x)), computed without overflow.
Generated from layers_spec/activations/sigmoid.yaml by the layerforge transpiler 0.1.0.
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
    """Sigmoid forward pass.

    Logistic function 1 / (1 + exp(-x)), computed without overflow.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("sigmoid", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Sigmoid backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "sigmoid", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, *, out_y=None):
    y = _sigmoid(x, out=out_y)
    return y, (y,)


def _backward(grad_y, y, *, out_grad_x=None):
    grad_x = np.subtract(1, y, out=out_grad_x)
    grad_x *= grad_y
    grad_x *= y
    return grad_x


def _sigmoid(x, out=None):
    """Logistic sigmoid 1 / (1 + exp(-x)). Where exp(-x) overflows (x below about -88 in
    float32, -709 in float64) it is inf and the result is 0, less than the smallest
    normal number away from the true value: that overflow is expected, not reported.
    ``out``, if given, receives the result (it may be ``x`` itself)."""
    with np.errstate(over="ignore"):
        result = np.negative(x, out=out)
        np.exp(result, out=result)
    result += 1
    np.divide(1, result, out=result)
    return result


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# sigmoid_fwd_0: layers_spec/activations/sigmoid.yaml:8
_sigmoid_fwd_0 = ElementwiseKernel(
    "sigmoid_fwd_0",
    "T x",
    "T y",
    """
    y = exp(x < 0 ? x : T(0)) / (1 + exp(-fabs(x)));
    """,
)


def _cupy_forward(x):
    y = _sigmoid_fwd_0(x)
    return y, (y,)


# sigmoid_bwd_0: layers_spec/primitives.yaml:201
_sigmoid_bwd_0 = ElementwiseKernel(
    "sigmoid_bwd_0",
    "T grad_y, T y",
    "T grad_x",
    """
    T _t1 = grad_y * y;
    T _t2 = T(1) - y;
    grad_x = _t1 * _t2;
    """,
)


def _cupy_backward(grad_y, y):
    grad_x = _sigmoid_bwd_0(grad_y, y)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# sigmoid_fwd_loops_0: layers_spec/activations/sigmoid.yaml:8
@row_kernel
def _sigmoid_fwd_loops_0(x, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            y = _float(1.0) / (_float(1.0) + fast_exp(-x[_row, _j]))  # sigmoid.yaml:8
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_sigmoid_fwd_loops_0, rows(x), rows(y))
    return y, (y,)


# sigmoid_bwd_loops_0: layers_spec/primitives.yaml:201
@row_kernel
def _sigmoid_bwd_loops_0(grad_y, y, grad_x_out):
    _rows, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = grad_y[_row, _j] * y[_row, _j]  # primitives.yaml:201
            _t2 = _float(1.0) - y[_row, _j]  # primitives.yaml:201
            grad_x = _t1 * _t2  # primitives.yaml:201
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, y):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_sigmoid_bwd_loops_0, rows(grad_y), rows(y), rows(grad_x))
    return grad_x
