"""Softplus: log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|)) so it never
overflows.
Generated from layers_spec/activations/softplus.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, in_row_blocks
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import (
    fast_exp,
    fast_log1p,
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
    """Softplus forward pass.

    log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|)) so it never overflows.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("softplus", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Softplus backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "softplus", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, *, out_y=None):
    y = _softplus(x, out=out_y)
    return y, (x,)


def _backward(grad_y, x, *, out_grad_x=None):
    grad_x = _sigmoid(x, out=out_grad_x)
    grad_x *= grad_y
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


def _softplus(x, out=None):
    """log(1 + exp(x)) without overflow, max(x, 0) + log1p(u) for u = exp(-|x|), with
    log1p(u) = log(w) + (u - (w - 1)) / w for w = 1 + u as in _log1p. ``out``, if given,
    receives the result and must not overlap ``x``."""
    u = np.abs(x)
    np.negative(u, out=u)
    np.exp(u, out=u)
    w = 1 + u
    result = np.subtract(w, 1, out=out)
    np.subtract(u, result, out=result)
    result /= w
    np.log(w, out=w)
    result += w
    result += np.clip(
        x, 0, np.inf
    )  # max(x, 0); NumPy clips faster than it takes a maximum
    return result


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# softplus_fwd_0: layers_spec/activations/softplus.yaml:8
_softplus_fwd_0 = ElementwiseKernel(
    "softplus_fwd_0",
    "T x",
    "T y",
    """
    y = (x > 0 ? x : T(0)) + log1p(exp(-fabs(x)));
    """,
)


def _cupy_forward(x):
    y = _softplus_fwd_0(x)
    return y, (x,)


# softplus_bwd_0: layers_spec/primitives.yaml:226
_softplus_bwd_0 = ElementwiseKernel(
    "softplus_bwd_0",
    "T x, T grad_y",
    "T grad_x",
    """
    T _t1 = exp(x < 0 ? x : T(0)) / (1 + exp(-fabs(x)));
    grad_x = grad_y * _t1;
    """,
)


def _cupy_backward(grad_y, x):
    grad_x = _softplus_bwd_0(x, grad_y)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# softplus_fwd_loops_0: layers_spec/activations/softplus.yaml:8
@row_kernel
def _softplus_fwd_loops_0(x, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            y = (
                x[_row, _j] if x[_row, _j] > _float(0.0) else _float(0.0)
            ) + fast_log1p(
                fast_exp(-abs(x[_row, _j]))
            )  # softplus.yaml:8
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_softplus_fwd_loops_0, rows(x), rows(y))
    return y, (x,)


# softplus_bwd_loops_0: layers_spec/primitives.yaml:226
@row_kernel
def _softplus_bwd_loops_0(x, grad_y, grad_x_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = _float(1.0) / (
                _float(1.0) + fast_exp(-x[_row, _j])
            )  # primitives.yaml:226
            grad_x = grad_y[_row, _j] * _t1  # primitives.yaml:226
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, x):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_softplus_bwd_loops_0, rows(x), rows(grad_y), rows(grad_x))
    return grad_x
