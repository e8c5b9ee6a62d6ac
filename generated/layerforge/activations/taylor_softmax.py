"""TaylorSoftmax: t(x_i) / sum_j t(x_j) over the last axis, with t the Taylor polynomial of
exp of degree order, floored at 1e-10 (even orders keep t positive).
Generated from layers_spec/activations/taylor_softmax.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    in_row_blocks,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, RowBlockKernel, on_gpu
from layerforge._jit_runtime import row_kernel, rows, use_jit

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {"order": {"kind": "int", "minimum": 1}}


def forward(x, *, order=2):
    """TaylorSoftmax forward pass.

    t(x_i) / sum_j t(x_j) over the last axis, with t the Taylor polynomial of exp of
    degree order, floored at 1e-10 (even orders keep t positive).

    Args:
        x: float32 or float64 input of shape [..., F].
        order: int, default 2. Degree of the Taylor polynomial.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("taylor_softmax", {"x": x}, {"x": ("...", "F")})
    check_attribute("taylor_softmax", "order", order, "int", minimum=1)
    if on_gpu(x):
        y, saved = _cupy_forward(x, order)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, order, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, order, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """TaylorSoftmax backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "taylor_softmax", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, order, *, out_y=None):
    t = _taylor_exp(x, order)
    np.clip(t, 1e-10, np.inf, out=t)
    _t1 = _sum(t, -1)
    y = np.divide(t, _t1, out=out_y)
    return y, (x, order, _t1, y)


def _backward(grad_y, x, order, _t1, y, *, out_grad_x=None):
    grad_t = grad_y / _t1 + np.broadcast_to(
        np.sum(-grad_y * y / _t1, axis=-1, keepdims=True), x.shape
    )
    grad_x = _taylor_exp(x, order - 1, out=out_grad_x)
    grad_x *= grad_t
    grad_x *= _taylor_exp(x, order) > 1e-10
    return grad_x


def _sum(x, axis):
    """The sum along ``axis`` (one axis or a tuple), kept as length-1 axes. Along the last
    axis of a float array it is a matrix-vector product with ones (BLAS), several times
    faster than NumPy's reduction loop on rows; over several trailing axes of a
    C-contiguous one (per-channel sums over H and W) those are flattened into one such
    product, and any leading axes are then summed over the much smaller result."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        with blas_flags_ignored(x):
            return np.matmul(x, np.ones(x.shape[-1], x.dtype))[..., None]
    axes = sorted(a % x.ndim for a in axis) if isinstance(axis, tuple) else None
    trailing = 0
    while axes and x.ndim - 1 - trailing in axes:
        trailing += 1
    if trailing < 2 or x.dtype.kind != "f" or not x.flags.c_contiguous or not x.size:
        return np.sum(x, axis=axis, keepdims=True)
    inner = 1
    for n in x.shape[x.ndim - trailing :]:
        inner *= n
    sums = np.matmul(x.reshape(-1, inner), np.ones(inner, x.dtype))
    sums = sums.reshape(x.shape[: x.ndim - trailing] + (1,) * trailing)
    rest = tuple(a for a in axes if a < x.ndim - trailing)
    return np.sum(sums, axis=rest, keepdims=True) if rest else sums


def _taylor_exp(x, order, out=None):
    """The Taylor polynomial of exp of degree ``order``, by Horner's rule. ``out``, if
    given, receives the result and must not overlap ``x``."""
    result = np.ones_like(x) if out is None else out
    result[...] = 1
    for n in range(order, 0, -1):
        result *= x
        result /= n
        result += 1
    return result


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# taylor_softmax_fwd_0: layers_spec/activations/taylor_softmax.yaml:12,13
_taylor_softmax_fwd_0 = RowBlockKernel(
    "taylor_softmax_fwd_0",
    "row T x, scalar T order",
    "per_row T _t2, row T y",
    """
    T _c_x[LF_REGISTERS];
    T _t2 = T(0);
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        const T _t1 = taylor_exp(x, order);
        const T t = _t1 > T(1e-10) || _t1 != _t1 ? _t1 : T(1e-10);
        _t2 = _Sum()(_t2, t);
    )
    _t2 = _row_reduce(_t2, _Sum());
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T _t1 = taylor_exp(x, order);
        const T t = _t1 > T(1e-10) || _t1 != _t1 ? _t1 : T(1e-10);
        const T y = t / _t2;
        _row_y[_j] = y;
    )
    """,
    preamble="""
    template <typename T> __device__ T taylor_exp(T x, int order) {
        T result = 1;
        for (int n = order; n > 0; --n) {
            result = 1 + result * x / n;
        }
        return result;
    }
    """,
)


def _cupy_forward(x, order):
    _t2, y = _taylor_softmax_fwd_0(x, order)
    return y, (x, order, _t2, y)


# taylor_softmax_bwd_0: layers_spec/activations/taylor_softmax.yaml:12,13; layers_spec/primitives.yaml:71,72
_taylor_softmax_bwd_0 = RowBlockKernel(
    "taylor_softmax_bwd_0",
    "row T x, scalar T order, row T grad_y, per_row T _t2, row T y",
    "row T _t1, row T _t3, per_row T _t7",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    T _t7 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_x, _row_x, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T y = _row_y[_j];
        const T _t4 = -grad_y;
        const T _t5 = _t4 * y;
        const T _t6 = _t5 / _t2;
        _t7 = _Sum()(_t7, _t6);
    )
    _t7 = _row_reduce(_t7, _Sum());
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t1 = taylor_exp(x, order);
        const T _t3 = grad_y / _t2;
        _row__t1[_j] = _t1;
        _row__t3[_j] = _t3;
    )
    """,
    preamble="""
    template <typename T> __device__ T taylor_exp(T x, int order) {
        T result = 1;
        for (int n = order; n > 0; --n) {
            result = 1 + result * x / n;
        }
        return result;
    }
    """,
)


# taylor_softmax_bwd_1: layers_spec/primitives.yaml:355,252,729
_taylor_softmax_bwd_1 = ElementwiseKernel(
    "taylor_softmax_bwd_1",
    "T _t3, T _t8, T _t1, T x, T _t11",
    "T grad_x",
    """
    T grad_t = _t3 + _t8;
    bool _t9 = _t1 > T(1e-10);
    T _t10 = grad_t * _t9;
    T _t12 = taylor_exp(x, _t11);
    grad_x = _t10 * _t12;
    """,
    scalars=("_t11",),
    preamble="""
    template <typename T> __device__ T taylor_exp(T x, int order) {
        T result = 1;
        for (int n = order; n > 0; --n) {
            result = 1 + result * x / n;
        }
        return result;
    }
    """,
)


def _cupy_backward(grad_y, x, order, _t2, y):
    import cupy as cp

    _t1, _t3, _t7 = _taylor_softmax_bwd_0(x, order, grad_y, _t2, y)
    _t8 = cp.broadcast_to(_t7, x.shape)
    _t11 = order - 1
    grad_x = _taylor_softmax_bwd_1(_t3, _t8, _t1, x, _t11)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# taylor_softmax_fwd_loops_0: layers_spec/activations/taylor_softmax.yaml:12,13
@row_kernel
def _taylor_softmax_fwd_loops_0(_t1, _t2_out, y_out):
    _rows, _n = _t1.shape
    _float = _t1.dtype.type
    _zero = _t1.dtype.type(0.0)
    for _row in range(_rows):
        _t2 = _zero  # taylor_softmax.yaml:13
        for _j in range(_n):
            t = (
                _t1[_row, _j]
                if _t1[_row, _j] > _float(1e-10) or _t1[_row, _j] != _t1[_row, _j]
                else _float(1e-10)
            )  # taylor_softmax.yaml:12
            _t2 += t
        _t2_out[_row, 0] = _t2
        for _j in range(_n):
            t = (
                _t1[_row, _j]
                if _t1[_row, _j] > _float(1e-10) or _t1[_row, _j] != _t1[_row, _j]
                else _float(1e-10)
            )  # taylor_softmax.yaml:12
            y = t / _t2  # taylor_softmax.yaml:13
            y_out[_row, _j] = y


def _jit_forward(x, order, *, out_y=None):
    _t1 = _taylor_exp(x, order)
    _t2 = np.empty(x.shape[:-1] + (1,), x.dtype)
    y = np.empty(x.shape, x.dtype) if out_y is None else out_y
    _taylor_softmax_fwd_loops_0(rows(_t1), rows(_t2), rows(y))
    return y, (x, order, _t2, y)


# taylor_softmax_bwd_loops_0: layers_spec/primitives.yaml:71,72
@row_kernel
def _taylor_softmax_bwd_loops_0(grad_y, _t1, y, _t2_out, _t3_out):
    _rows, _n = grad_y.shape
    for _row in range(_rows):
        for _j in range(_n):
            _t2 = grad_y[_row, _j] / _t1[_row, 0]  # primitives.yaml:71
            _t2_out[_row, _j] = _t2
            _t4 = -grad_y[_row, _j]  # primitives.yaml:72
            _t5 = _t4 * y[_row, _j]  # primitives.yaml:72
            _t3 = _t5 / _t1[_row, 0]  # primitives.yaml:72
            _t3_out[_row, _j] = _t3


# taylor_softmax_bwd_loops_1: layers_spec/primitives.yaml:355,252
@row_kernel
def _taylor_softmax_bwd_loops_1(_t1, _t2, _t3, _t4_out):
    _rows, _n = _t1.shape
    _float = _t1.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            grad_t = _t1[_row, _j] + _t2[_row, _j]  # primitives.yaml:355
            _t5 = _t3[_row, _j] > _float(1e-10)  # primitives.yaml:252
            _t4 = grad_t * _t5  # primitives.yaml:252
            _t4_out[_row, _j] = _t4


def _jit_backward(grad_y, x, order, _t2, y, *, out_grad_x=None):
    _t1 = _taylor_exp(x, order)
    _t3 = np.empty(grad_y.shape, grad_y.dtype)
    _t6 = np.empty(grad_y.shape, grad_y.dtype)
    _taylor_softmax_bwd_loops_0(rows(grad_y), rows(_t2), rows(y), rows(_t3), rows(_t6))
    _t7 = np.sum(_t6, axis=-1, keepdims=True)
    _t8 = np.broadcast_to(_t7, x.shape)
    _t11 = order - 1
    _t10 = np.empty(grad_y.shape, grad_y.dtype)
    _taylor_softmax_bwd_loops_1(rows(_t3), rows(_t8), rows(_t1), rows(_t10))
    _t12 = _taylor_exp(x, _t11)
    grad_x = _t10 * _t12
    return grad_x
