"""HardSigmoid: clip(alpha x + beta, 0, 1), as ONNX's HardSigmoid; the default alpha = beta
= 1/2 is the catalog's clip((x + 1) / 2, 0, 1), alpha = 1/6 and beta = 1/2 PyTorch's
hardsigmoid.
Generated from layers_spec/activations/hard_sigmoid.yaml by the layerforge transpiler 0.1.0.
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
ATTRIBUTES = {"alpha": {"kind": "float"}, "beta": {"kind": "float"}}


def forward(x, *, alpha=0.5, beta=0.5):
    """HardSigmoid forward pass.

    clip(alpha x + beta, 0, 1), as ONNX's HardSigmoid; the default alpha = beta = 1/2 is
    the catalog's clip((x + 1) / 2, 0, 1), alpha = 1/6 and beta = 1/2 PyTorch's
    hardsigmoid.

    Args:
        x: float32 or float64 input of shape [..., F].
        alpha: float, default 0.5. The slope.
        beta: float, default 0.5. The offset.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("hard_sigmoid", {"x": x}, {"x": ("...", "F")})
    check_attribute("hard_sigmoid", "alpha", alpha, "float")
    check_attribute("hard_sigmoid", "beta", beta, "float")
    if on_gpu(x):
        y, saved = _cupy_forward(x, alpha, beta)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, alpha, beta, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, alpha, beta, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """HardSigmoid backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "hard_sigmoid", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, alpha, beta, *, out_y=None):
    _t1 = alpha * x
    _t1 += beta
    y = np.clip(_t1, 0, 1, out=out_y)
    return y, (alpha, _t1)


def _backward(grad_y, alpha, _t1, *, out_grad_x=None):
    grad_x = np.multiply(grad_y, (_t1 > 0) & (_t1 < 1), out=out_grad_x)
    grad_x *= alpha
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# hard_sigmoid_fwd_0: layers_spec/activations/hard_sigmoid.yaml:13
_hard_sigmoid_fwd_0 = ElementwiseKernel(
    "hard_sigmoid_fwd_0",
    "T alpha, T x, T beta",
    "T _t2, T y",
    """
    T _t1 = alpha * x;
    _t2 = _t1 + beta;
    y = _t2 < T(0) ? (T(0) > T(1) ? T(1) : T(0)) : _t2 > T(1) ? T(1) : _t2;
    """,
    scalars=("alpha", "beta"),
)


def _cupy_forward(x, alpha, beta):
    _t2, y = _hard_sigmoid_fwd_0(alpha, x, beta)
    return y, (alpha, _t2)


# hard_sigmoid_bwd_0: layers_spec/primitives.yaml:272,62
_hard_sigmoid_bwd_0 = ElementwiseKernel(
    "hard_sigmoid_bwd_0",
    "T _t2, T grad_y, T alpha",
    "T grad_x",
    """
    bool _t3 = _t2 > T(0);
    bool _t4 = _t2 < T(1);
    bool _t5 = _t3 && _t4;
    T _t6 = grad_y * _t5;
    grad_x = _t6 * alpha;
    """,
    scalars=("alpha",),
)


def _cupy_backward(grad_y, alpha, _t2):
    grad_x = _hard_sigmoid_bwd_0(_t2, grad_y, alpha)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# hard_sigmoid_fwd_loops_0: layers_spec/activations/hard_sigmoid.yaml:13
@row_kernel
def _hard_sigmoid_fwd_loops_0(alpha, x, beta, _t1_out, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t2 = _float(alpha) * x[_row, _j]  # hard_sigmoid.yaml:13
            _t1 = _t2 + _float(beta)  # hard_sigmoid.yaml:13
            _t1_out[_row, _j] = _t1
            y = (
                (_float(1.0) if _float(0.0) > _float(1.0) else _float(0.0))
                if _t1 < _float(0.0)
                else _float(1.0) if _t1 > _float(1.0) else _t1
            )  # hard_sigmoid.yaml:13
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x, alpha, beta):
    _t2 = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_hard_sigmoid_fwd_loops_0, alpha, rows(x), beta, rows(_t2), rows(y))
    return y, (alpha, _t2)


# hard_sigmoid_bwd_loops_0: layers_spec/primitives.yaml:272,62
@row_kernel
def _hard_sigmoid_bwd_loops_0(_t1, grad_y, alpha, grad_x_out):
    _rows, _n = _t1.shape
    _float = _t1.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t2 = _t1[_row, _j] > _float(0.0)  # primitives.yaml:272
            _t3 = _t1[_row, _j] < _float(1.0)  # primitives.yaml:272
            _t4 = _t2 and _t3  # primitives.yaml:272
            _t5 = grad_y[_row, _j] * _t4  # primitives.yaml:272
            grad_x = _t5 * _float(alpha)  # primitives.yaml:62
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, alpha, _t2):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_hard_sigmoid_bwd_loops_0, rows(_t2), rows(grad_y), alpha, rows(grad_x))
    return grad_x
