"""LeakyReLU: x for x > 0 and alpha x otherwise.
Generated from layers_spec/activations/leaky_relu.yaml by the layerforge transpiler 0.1.0.
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
from layerforge._jit_runtime import in_row_runs, row_kernel, rows, use_jit, whole_rows

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {"alpha": {"kind": "float"}}


def forward(x, *, alpha=0.01):
    """LeakyReLU forward pass.

    x for x > 0 and alpha x otherwise.

    Args:
        x: float32 or float64 input of shape [..., F].
        alpha: float, default 0.01. Slope of the negative part.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "leaky_relu",
        {"x": x},
        {"x": ("...", "F")},
        dtypes=("float16", "float32", "float64"),
    )
    check_attribute("leaky_relu", "alpha", alpha, "float")
    if on_gpu(x):
        y, saved = _cupy_forward(x, alpha)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, alpha, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, alpha, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """LeakyReLU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "leaky_relu", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, alpha, *, out_y=None):
    y = np.clip(x, 0, np.inf, out=out_y)
    _t1 = np.clip(x, -np.inf, 0)
    _t1 *= alpha
    y += _t1
    return y, (x, alpha)


def _backward(grad_y, x, alpha, *, out_grad_x=None):
    grad_x = np.multiply(grad_y, alpha, out=out_grad_x)
    grad_x *= x < 0
    _t1 = grad_y * (x > 0)
    grad_x += _t1
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# leaky_relu_fwd_0: layers_spec/activations/leaky_relu.yaml:10
_leaky_relu_fwd_0 = ElementwiseKernel(
    "leaky_relu_fwd_0",
    "T x, T alpha",
    "T y",
    """
    T _t1 = x > T(0) || x != x ? x : T(0);
    T _t2 = x < T(0) || x != x ? x : T(0);
    T _t3 = alpha * _t2;
    y = _t1 + _t3;
    """,
    scalars=("alpha",),
)


def _cupy_forward(x, alpha):
    y = _leaky_relu_fwd_0(x, alpha)
    return y, (x, alpha)


# leaky_relu_bwd_0: layers_spec/primitives.yaml:62,262,252
_leaky_relu_bwd_0 = ElementwiseKernel(
    "leaky_relu_bwd_0",
    "T grad_y, T alpha, T x",
    "T grad_x",
    """
    T _t4 = grad_y * alpha;
    bool _t5 = x < T(0);
    T _t6 = _t4 * _t5;
    bool _t7 = x > T(0);
    T _t8 = grad_y * _t7;
    grad_x = _t6 + _t8;
    """,
    scalars=("alpha",),
)


def _cupy_backward(grad_y, x, alpha):
    grad_x = _leaky_relu_bwd_0(grad_y, alpha, x)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# leaky_relu_fwd_loops_0: layers_spec/activations/leaky_relu.yaml:10
@row_kernel
def _leaky_relu_fwd_loops_0(x, alpha, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = (
                x[_row, _j]
                if x[_row, _j] > _float(0.0) or x[_row, _j] != x[_row, _j]
                else _float(0.0)
            )  # leaky_relu.yaml:10
            _t2 = (
                x[_row, _j]
                if x[_row, _j] < _float(0.0) or x[_row, _j] != x[_row, _j]
                else _float(0.0)
            )  # leaky_relu.yaml:10
            _t3 = _float(alpha) * _t2  # leaky_relu.yaml:10
            y = _t1 + _t3  # leaky_relu.yaml:10
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x, alpha):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_leaky_relu_fwd_loops_0, rows(x), alpha, rows(y))
    return y, (x, alpha)


# leaky_relu_bwd_loops_0: layers_spec/primitives.yaml:62,262,252
@row_kernel
def _leaky_relu_bwd_loops_0(grad_y, alpha, x, grad_x_out):
    _rows, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = grad_y[_row, _j] * _float(alpha)  # primitives.yaml:62
            _t2 = x[_row, _j] < _float(0.0)  # primitives.yaml:262
            _t3 = _t1 * _t2  # primitives.yaml:262
            _t4 = x[_row, _j] > _float(0.0)  # primitives.yaml:252
            _t5 = grad_y[_row, _j] * _t4  # primitives.yaml:252
            grad_x = _t3 + _t5  # primitives.yaml:252
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, x, alpha):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_leaky_relu_bwd_loops_0, rows(grad_y), alpha, rows(x), rows(grad_x))
    return grad_x
