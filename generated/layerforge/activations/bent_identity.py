"""BentIdentity: (sqrt(x^2 + 1) - 1) / 2 + x.
Generated from layers_spec/activations/bent_identity.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import math

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
    """BentIdentity forward pass.

    (sqrt(x^2 + 1) - 1) / 2 + x.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("bent_identity", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """BentIdentity backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "bent_identity", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, *, out_y=None):
    y = np.multiply(x, x, out=out_y)
    y += 1
    np.sqrt(y, out=y)
    y -= 1
    y *= 0.5
    y += x
    return y, (x,)


def _backward(grad_y, x, *, out_grad_x=None):
    _t1 = grad_y * 0.5
    _t1 *= 0.5
    _t2 = x * x
    _t2 += 1
    np.sqrt(_t2, out=_t2)
    _t1 /= _t2
    _t1 *= x
    grad_x = np.add(grad_y, _t1, out=out_grad_x)
    grad_x += _t1
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# bent_identity_fwd_0: layers_spec/activations/bent_identity.yaml:8
_bent_identity_fwd_0 = ElementwiseKernel(
    "bent_identity_fwd_0",
    "T x",
    "T y",
    """
    T _t1 = x * x;
    T _t2 = _t1 + T(1);
    T _t3 = sqrt(_t2);
    T _t4 = _t3 - T(1);
    T _t5 = T(0.5) * _t4;
    y = _t5 + x;
    """,
)


def _cupy_forward(x):
    y = _bent_identity_fwd_0(x)
    return y, (x,)


# bent_identity_bwd_0: layers_spec/activations/bent_identity.yaml:8; layers_spec/primitives.yaml:62,171,61
_bent_identity_bwd_0 = ElementwiseKernel(
    "bent_identity_bwd_0",
    "T x, T grad_y",
    "T grad_x",
    """
    T _t1 = x * x;
    T _t2 = _t1 + T(1);
    T _t3 = sqrt(_t2);
    T _t6 = grad_y * T(0.5);
    T _t7 = T(0.5) * _t6;
    T _t8 = _t7 / _t3;
    T _t9 = _t8 * x;
    T _t10 = _t8 * x;
    T _t11 = grad_y + _t9;
    grad_x = _t11 + _t10;
    """,
)


def _cupy_backward(grad_y, x):
    grad_x = _bent_identity_bwd_0(x, grad_y)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# bent_identity_fwd_loops_0: layers_spec/activations/bent_identity.yaml:8
@row_kernel
def _bent_identity_fwd_loops_0(x, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = x[_row, _j] * x[_row, _j]  # bent_identity.yaml:8
            _t2 = _t1 + _float(1.0)  # bent_identity.yaml:8
            _t3 = math.sqrt(_t2)  # bent_identity.yaml:8
            _t4 = _t3 - _float(1.0)  # bent_identity.yaml:8
            _t5 = _float(0.5) * _t4  # bent_identity.yaml:8
            y = _t5 + x[_row, _j]  # bent_identity.yaml:8
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_bent_identity_fwd_loops_0, rows(x), rows(y))
    return y, (x,)


# bent_identity_bwd_loops_0: layers_spec/activations/bent_identity.yaml:8; layers_spec/primitives.yaml:62,171,61
@row_kernel
def _bent_identity_bwd_loops_0(x, grad_y, grad_x_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = x[_row, _j] * x[_row, _j]  # bent_identity.yaml:8
            _t2 = _t1 + _float(1.0)  # bent_identity.yaml:8
            _t3 = math.sqrt(_t2)  # bent_identity.yaml:8
            _t4 = grad_y[_row, _j] * _float(0.5)  # primitives.yaml:62
            _t5 = _float(0.5) * _t4  # primitives.yaml:171
            _t6 = _t5 / _t3  # primitives.yaml:171
            _t7 = _t6 * x[_row, _j]  # primitives.yaml:61
            _t8 = _t6 * x[_row, _j]  # primitives.yaml:62
            _t9 = grad_y[_row, _j] + _t7  # primitives.yaml:62
            grad_x = _t9 + _t8  # primitives.yaml:62
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, x):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_bent_identity_bwd_loops_0, rows(x), rows(grad_y), rows(grad_x))
    return grad_x
