"""ThresholdedReLU: x for x > theta and 0 otherwise (NaN stays NaN, as in PyTorch).
Generated from layers_spec/activations/thresholded_relu.yaml by the layerforge transpiler 0.1.0.
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
ATTRIBUTES = {"theta": {"kind": "float"}}


def forward(x, *, theta=1.0):
    """ThresholdedReLU forward pass.

    x for x > theta and 0 otherwise (NaN stays NaN, as in PyTorch).

    Args:
        x: float32 or float64 input of shape [..., F].
        theta: float, default 1.0. The threshold.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("thresholded_relu", {"x": x}, {"x": ("...", "F")})
    check_attribute("thresholded_relu", "theta", theta, "float")
    if on_gpu(x):
        y, saved = _cupy_forward(x, theta)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, theta, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, theta, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """ThresholdedReLU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "thresholded_relu", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, theta, *, out_y=None):
    y = np.maximum(x, theta, out=out_y)
    y *= x > theta
    return y, (x, theta)


def _backward(grad_y, x, theta):
    grad_x = grad_y * (x > theta)
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# thresholded_relu_fwd_0: layers_spec/activations/thresholded_relu.yaml:12
_thresholded_relu_fwd_0 = ElementwiseKernel(
    "thresholded_relu_fwd_0",
    "T x, T theta",
    "T y",
    """
    T _t1 = x > theta || x != x ? x : theta;
    bool _t2 = x > theta;
    y = _t1 * _t2;
    """,
    scalars=("theta",),
)


def _cupy_forward(x, theta):
    y = _thresholded_relu_fwd_0(x, theta)
    return y, (x, theta)


# thresholded_relu_bwd_0: layers_spec/activations/thresholded_relu.yaml:15
_thresholded_relu_bwd_0 = ElementwiseKernel(
    "thresholded_relu_bwd_0",
    "T x, T theta, T grad_y",
    "T grad_x",
    """
    bool _t3 = x > theta;
    grad_x = grad_y * _t3;
    """,
    scalars=("theta",),
)


def _cupy_backward(grad_y, x, theta):
    grad_x = _thresholded_relu_bwd_0(x, theta, grad_y)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# thresholded_relu_fwd_loops_0: layers_spec/activations/thresholded_relu.yaml:12
@row_kernel
def _thresholded_relu_fwd_loops_0(x, theta, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = (
                x[_row, _j]
                if x[_row, _j] > _float(theta) or x[_row, _j] != x[_row, _j]
                else _float(theta)
            )  # thresholded_relu.yaml:12
            _t2 = x[_row, _j] > _float(theta)  # thresholded_relu.yaml:12
            y = _t1 * _t2  # thresholded_relu.yaml:12
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x, theta):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_thresholded_relu_fwd_loops_0, rows(x), theta, rows(y))
    return y, (x, theta)


# thresholded_relu_bwd_loops_0: layers_spec/activations/thresholded_relu.yaml:15
@row_kernel
def _thresholded_relu_bwd_loops_0(x, theta, grad_y, grad_x_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = x[_row, _j] > _float(theta)  # thresholded_relu.yaml:15
            grad_x = grad_y[_row, _j] * _t1  # thresholded_relu.yaml:15
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, x, theta):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(
        _thresholded_relu_bwd_loops_0, rows(x), theta, rows(grad_y), rows(grad_x)
    )
    return grad_x
