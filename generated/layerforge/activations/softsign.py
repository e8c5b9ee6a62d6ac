"""Softsign: x / (1 + |x|).
Generated from layers_spec/activations/softsign.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, in_row_blocks
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import in_row_runs, row_kernel, rows, use_jit, whole_rows

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {}


def forward(x):
    """Softsign forward pass.

    x / (1 + |x|).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("softsign", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Softsign backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "softsign", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, *, out_y=None):
    y = np.abs(x, out=out_y)
    y += 1
    np.divide(x, y, out=y)
    return y, (x, y)


def _backward(grad_y, x, y, *, out_grad_x=None):
    _t1 = np.abs(x)
    _t1 += 1
    grad_x = np.divide(grad_y, _t1, out=out_grad_x)
    _t2 = -grad_y
    _t2 *= y
    _t2 /= _t1
    _t3 = np.sign(x)
    _t2 *= _t3
    grad_x += _t2
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# softsign_fwd_0: layers_spec/activations/softsign.yaml:8
_softsign_fwd_0 = ElementwiseKernel(
    "softsign_fwd_0",
    "T x",
    "T y",
    """
    T _t1 = fabs(x);
    T _t2 = T(1) + _t1;
    y = x / _t2;
    """,
)


def _cupy_forward(x):
    y = _softsign_fwd_0(x)
    return y, (x, y)


# softsign_bwd_0: layers_spec/activations/softsign.yaml:8; layers_spec/primitives.yaml:71,72,235
_softsign_bwd_0 = ElementwiseKernel(
    "softsign_bwd_0",
    "T x, T grad_y, T y",
    "T grad_x",
    """
    T _t1 = fabs(x);
    T _t2 = T(1) + _t1;
    T _t3 = grad_y / _t2;
    T _t4 = -grad_y;
    T _t5 = _t4 * y;
    T _t6 = _t5 / _t2;
    T _t7 = x != x ? x : T((x > 0) - (x < 0));
    T _t8 = _t6 * _t7;
    grad_x = _t3 + _t8;
    """,
)


def _cupy_backward(grad_y, x, y):
    grad_x = _softsign_bwd_0(x, grad_y, y)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# softsign_fwd_loops_0: layers_spec/activations/softsign.yaml:8
@row_kernel
def _softsign_fwd_loops_0(x, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = abs(x[_row, _j])  # softsign.yaml:8
            _t2 = _float(1.0) + _t1  # softsign.yaml:8
            y = x[_row, _j] / _t2  # softsign.yaml:8
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_softsign_fwd_loops_0, rows(x), rows(y))
    return y, (x, y)


# softsign_bwd_loops_0: layers_spec/activations/softsign.yaml:8; layers_spec/primitives.yaml:71,72,235
@row_kernel
def _softsign_bwd_loops_0(x, grad_y, y, grad_x_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = abs(x[_row, _j])  # softsign.yaml:8
            _t2 = _float(1.0) + _t1  # softsign.yaml:8
            _t3 = grad_y[_row, _j] / _t2  # primitives.yaml:71
            _t4 = -grad_y[_row, _j]  # primitives.yaml:72
            _t5 = _t4 * y[_row, _j]  # primitives.yaml:72
            _t6 = _t5 / _t2  # primitives.yaml:72
            _t7 = (
                _float(1.0)
                if x[_row, _j] > 0
                else _float(-1.0) if x[_row, _j] < 0 else x[_row, _j] - x[_row, _j]
            )  # primitives.yaml:235
            _t8 = _t6 * _t7  # primitives.yaml:235
            grad_x = _t3 + _t8  # primitives.yaml:235
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, x, y):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_softsign_bwd_loops_0, rows(x), rows(grad_y), rows(y), rows(grad_x))
    return grad_x
