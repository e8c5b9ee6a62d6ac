"""HardTanh: clip(x, min_val, max_val), as torch.nn.Hardtanh (default [-1, 1]).
Generated from layers_spec/activations/hard_tanh.yaml by the layerforge transpiler 0.1.0.
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
ATTRIBUTES = {"min_val": {"kind": "float"}, "max_val": {"kind": "float"}}


def forward(x, *, min_val=-1.0, max_val=1.0):
    """HardTanh forward pass.

    clip(x, min_val, max_val), as torch.nn.Hardtanh (default [-1, 1]).

    Args:
        x: float32 or float64 input of shape [..., F].
        min_val: float, default -1.0. The lower bound.
        max_val: float, default 1.0. The upper bound (at least min_val).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "hard_tanh",
        {"x": x},
        {"x": ("...", "F")},
        dtypes=("float16", "float32", "float64"),
    )
    check_attribute("hard_tanh", "min_val", min_val, "float")
    check_attribute("hard_tanh", "max_val", max_val, "float")
    if on_gpu(x):
        y, saved = _cupy_forward(x, min_val, max_val)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = _jit_forward(x, min_val, max_val)
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, min_val, max_val)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """HardTanh backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "hard_tanh", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, min_val, max_val):
    y = np.clip(x, min_val, max_val)
    return y, (x, min_val, max_val)


def _backward(grad_y, x, min_val, max_val, *, out_grad_x=None):
    grad_x = np.multiply(grad_y, (x > min_val) & (x < max_val), out=out_grad_x)
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# hard_tanh_fwd_0: layers_spec/activations/hard_tanh.yaml:11
_hard_tanh_fwd_0 = ElementwiseKernel(
    "hard_tanh_fwd_0",
    "T x, T min_val, T max_val",
    "T y",
    """
    y = x < min_val ? (min_val > max_val ? max_val : min_val) : x > max_val ? max_val : x;
    """,
    scalars=("min_val", "max_val"),
)


def _cupy_forward(x, min_val, max_val):
    y = _hard_tanh_fwd_0(x, min_val, max_val)
    return y, (x, min_val, max_val)


# hard_tanh_bwd_0: layers_spec/primitives.yaml:272
_hard_tanh_bwd_0 = ElementwiseKernel(
    "hard_tanh_bwd_0",
    "T x, T min_val, T max_val, T grad_y",
    "T grad_x",
    """
    bool _t1 = x > min_val;
    bool _t2 = x < max_val;
    bool _t3 = _t1 && _t2;
    grad_x = grad_y * _t3;
    """,
    scalars=("min_val", "max_val"),
)


def _cupy_backward(grad_y, x, min_val, max_val):
    grad_x = _hard_tanh_bwd_0(x, min_val, max_val, grad_y)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# hard_tanh_fwd_loops_0: layers_spec/activations/hard_tanh.yaml:11
@row_kernel
def _hard_tanh_fwd_loops_0(x, min_val, max_val, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            y = (
                (
                    _float(max_val)
                    if _float(min_val) > _float(max_val)
                    else _float(min_val)
                )
                if x[_row, _j] < _float(min_val)
                else _float(max_val) if x[_row, _j] > _float(max_val) else x[_row, _j]
            )  # hard_tanh.yaml:11
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x, min_val, max_val):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_hard_tanh_fwd_loops_0, rows(x), min_val, max_val, rows(y))
    return y, (x, min_val, max_val)


# hard_tanh_bwd_loops_0: layers_spec/primitives.yaml:272
@row_kernel
def _hard_tanh_bwd_loops_0(x, min_val, max_val, grad_y, grad_x_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = x[_row, _j] > _float(min_val)  # primitives.yaml:272
            _t2 = x[_row, _j] < _float(max_val)  # primitives.yaml:272
            _t3 = _t1 and _t2  # primitives.yaml:272
            grad_x = grad_y[_row, _j] * _t3  # primitives.yaml:272
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, x, min_val, max_val):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(
        _hard_tanh_bwd_loops_0, rows(x), min_val, max_val, rows(grad_y), rows(grad_x)
    )
    return grad_x
