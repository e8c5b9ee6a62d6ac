"""LogSoftmax: x_i - log sum_j exp(x_j) over axis dim (the last by default, as torch's
dim=-1), shifted by the row maximum for stability.
Generated from layers_spec/activations/log_softmax.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_axis,
    in_row_blocks,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import RowBlockKernel, on_gpu
from layerforge._jit_runtime import (
    fast_exp,
    fast_log,
    fast_max,
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
ATTRIBUTES = {"dim": {"kind": "int"}}


def forward(x, *, dim=-1):
    """LogSoftmax forward pass.

    x_i - log sum_j exp(x_j) over axis dim (the last by default, as torch's dim=-1),
    shifted by the row maximum for stability.

    Args:
        x: float32 or float64 input of shape [..., F].
        dim: int, default -1. The axis to normalize over.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("log_softmax", {"x": x}, {"x": ("...", "F")})
    check_attribute("log_softmax", "dim", dim, "int")
    check_axis("log_softmax", "dim", dim, "x", x.ndim)
    if dim != -1 and dim != x.ndim - 1:
        y, moved_ctx = forward(x.swapaxes(dim, -1))
        y = y.swapaxes(dim, -1)
        return y, (_backward_along, (moved_ctx, dim), (y.dtype, y.shape), None)
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """LogSoftmax backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "log_softmax", __name__, ctx, {"grad_y": grad_y}
    )
    if backward_variant is _backward_along:
        return _backward_along(grad_y, *saved)
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, *, out_y=None):
    shifted = x - _amax(x, -1)
    y = np.subtract(shifted, np.log(_sum(np.exp(shifted), -1)), out=out_y)
    return y, (y,)


def _backward(grad_y, y, *, out_grad_x=None):
    grad_x = np.exp(y, out=out_grad_x)
    grad_x *= _sum(grad_y, -1)
    np.subtract(grad_y, grad_x, out=grad_x)
    return grad_x


def _backward_along(grad_y, ctx, axis):
    """The backward of a forward along axis ``axis`` (moved last and back)."""
    return backward(grad_y.swapaxes(axis, -1), ctx).swapaxes(axis, -1)


def _amax(x, axis):
    """The maximum along ``axis``, kept as a length-1 axis, NaN if any is. A short axis
    (maxout's pieces) is folded with np.maximum over its slices: NumPy's reduction loop
    is slow on a few elements at a time. Over an empty axis it is -inf (the identity of
    the maximum), so that softmax and its kin return empty rows."""
    if not x.shape[axis]:
        return np.full(
            x.shape[: axis % x.ndim] + (1,) + x.shape[axis % x.ndim + 1 :],
            -np.inf,
            x.dtype,
        )
    if x.shape[axis] > 8:
        return np.max(x, axis=axis, keepdims=True)
    pieces = np.moveaxis(x, axis, 0)
    top = pieces[0].copy()
    for piece in pieces[1:]:
        np.maximum(top, piece, out=top)
    return np.expand_dims(top, axis)


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


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# log_softmax_fwd_0: layers_spec/activations/log_softmax.yaml:10,11
_log_softmax_fwd_0 = RowBlockKernel(
    "log_softmax_fwd_0",
    "row T x",
    "row T y",
    """
    T _c_x[LF_REGISTERS];
    T _t1 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        _t1 = _Max()(_t1, x);
    )
    _t1 = _row_reduce(_t1, _Max());
    const T _t2 = _t1;
    T _t4 = T(0);
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T shifted = x - _t2;
        const T _t3 = exp(shifted);
        _t4 = _Sum()(_t4, _t3);
    )
    _t4 = _row_reduce(_t4, _Sum());
    const T _t5 = log(_t4);
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T shifted = x - _t2;
        const T y = shifted - _t5;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward(x):
    y = _log_softmax_fwd_0(x)
    return y, (y,)


# log_softmax_bwd_0: layers_spec/activations/log_softmax.yaml:13
_log_softmax_bwd_0 = RowBlockKernel(
    "log_softmax_bwd_0",
    "row T y, row T grad_y",
    "row T grad_x",
    """
    T _c_y[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    T _t7 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_y, _row_y, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        _t7 = _Sum()(_t7, grad_y);
    )
    _t7 = _row_reduce(_t7, _Sum());
    LF_ROW_LOOP(
        const T y = _at.get(_c_y, _row_y, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t6 = exp(y);
        const T _t8 = _t6 * _t7;
        const T grad_x = grad_y - _t8;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward(grad_y, y):
    grad_x = _log_softmax_bwd_0(y, grad_y)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# log_softmax_fwd_loops_0: layers_spec/activations/log_softmax.yaml:10,11
@row_kernel
def _log_softmax_fwd_loops_0(x, y_out):
    _rows, _n = x.shape
    _zero = x.dtype.type(0.0)
    for _row in range(_rows):
        _t1 = fast_max(x[_row])  # log_softmax.yaml:10
        _t2 = _zero  # log_softmax.yaml:11
        for _j in range(_n):
            shifted = x[_row, _j] - _t1  # log_softmax.yaml:10
            _t3 = fast_exp(shifted)  # log_softmax.yaml:11
            _t2 += _t3
        _t4 = fast_log(_t2)  # log_softmax.yaml:11
        for _j in range(_n):
            shifted = x[_row, _j] - _t1  # log_softmax.yaml:10
            y = shifted - _t4  # log_softmax.yaml:11
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_log_softmax_fwd_loops_0, rows(x), rows(y))
    return y, (y,)


# log_softmax_bwd_loops_0: layers_spec/activations/log_softmax.yaml:13
@row_kernel
def _log_softmax_bwd_loops_0(y, grad_y, grad_x_out):
    _rows, _n = y.shape
    _zero = y.dtype.type(0.0)
    for _row in range(_rows):
        _t1 = _zero  # log_softmax.yaml:13
        for _j in range(_n):
            _t1 += grad_y[_row, _j]
        for _j in range(_n):
            _t2 = fast_exp(y[_row, _j])  # log_softmax.yaml:13
            _t3 = _t2 * _t1  # log_softmax.yaml:13
            grad_x = grad_y[_row, _j] - _t3  # log_softmax.yaml:13
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, y):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_log_softmax_bwd_loops_0, rows(y), rows(grad_y), rows(grad_x))
    return grad_x
