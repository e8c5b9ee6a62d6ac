"""Squash: The capsule squashing function over the last axis, v |v| / (1 + |v|^2), with |v|
= sqrt(sum v^2 + epsilon) so that the gradient at v = 0 is finite.
Generated from layers_spec/activations/squash.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import math

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    in_row_blocks,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, RowBlockKernel, on_gpu
from layerforge._jit_runtime import in_row_runs, row_kernel, rows, use_jit, whole_rows

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {"epsilon": {"kind": "float", "minimum": 0.0}}


def forward(x, *, epsilon=1e-07):
    """Squash forward pass.

    The capsule squashing function over the last axis, v |v| / (1 + |v|^2), with |v| =
    sqrt(sum v^2 + epsilon) so that the gradient at v = 0 is finite.

    Args:
        x: float32 or float64 input of shape [..., F].
        epsilon: float, default 1e-07. Added under the square root of the norm.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("squash", {"x": x}, {"x": ("...", "F")})
    check_attribute("squash", "epsilon", epsilon, "float", minimum=0.0)
    if on_gpu(x):
        y, saved = _cupy_forward(x, epsilon)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(
            _jit_forward, x, epsilon, outs=("out_y", None, "out_norm")
        )
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, epsilon, outs=("out_y", None, "out_norm"))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Squash backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("squash", __name__, ctx, {"grad_y": grad_y})
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, epsilon, *, out_y=None, out_norm=None):
    squared_norm = _sum(x * x, -1)
    norm = np.add(squared_norm, epsilon, out=out_norm)
    np.sqrt(norm, out=norm)
    _t1 = np.add(1, squared_norm, out=squared_norm)
    y = np.multiply(x, norm / _t1, out=out_y)
    return y, (x, norm, _t1)


def _backward(grad_y, x, norm, _t1, *, out_grad_x=None):
    _t2 = norm / _t1
    _t3 = np.sum(grad_y * x, axis=-1, keepdims=True)
    grad_norm = _t3 / _t1
    grad_squared_norm = -_t3
    grad_squared_norm *= _t2
    grad_squared_norm /= _t1
    _t4 = 0.5 * grad_norm
    _t4 /= norm
    grad_squared_norm += _t4
    _t5 = np.broadcast_to(grad_squared_norm, x.shape) * x
    grad_x = np.multiply(grad_y, _t2, out=out_grad_x)
    grad_x += _t5
    grad_x += _t5
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


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# squash_fwd_0: layers_spec/activations/squash.yaml:12,13,14
_squash_fwd_0 = RowBlockKernel(
    "squash_fwd_0",
    "row T x, scalar T epsilon",
    "per_row T norm, per_row T _t3, row T y",
    """
    T _c_x[LF_REGISTERS];
    T squared_norm = T(0);
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        const T _t1 = x * x;
        squared_norm = _Sum()(squared_norm, _t1);
    )
    squared_norm = _row_reduce(squared_norm, _Sum());
    const T _t2 = squared_norm + epsilon;
    const T norm = sqrt(_t2);
    const T _t3 = T(1) + squared_norm;
    const T _t4 = norm / _t3;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T y = x * _t4;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward(x, epsilon):
    norm, _t3, y = _squash_fwd_0(x, epsilon)
    return y, (x, norm, _t3)


# squash_bwd_0: layers_spec/activations/squash.yaml:14
_squash_bwd_0 = ElementwiseKernel(
    "squash_bwd_0",
    "T norm, T _t3",
    "T _t4",
    """
    _t4 = norm / _t3;
    """,
)


# squash_bwd_1: layers_spec/primitives.yaml:61,62,71,72,171; layers_spec/activations/squash.yaml:14
_squash_bwd_1 = RowBlockKernel(
    "squash_bwd_1",
    "row T grad_y, per_row T _t4, row T x, per_row T _t3, per_row T norm",
    "row T _t5, per_row T grad_squared_norm",
    """
    T _c_grad_y[LF_REGISTERS];
    T _t7 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T x = _row_x[_j];
        const T _t6 = grad_y * x;
        _t7 = _Sum()(_t7, _t6);
    )
    _t7 = _row_reduce(_t7, _Sum());
    const T grad_norm = _t7 / _t3;
    const T _t9 = -_t7;
    const T _t10 = _t9 * _t4;
    const T _t11 = _t10 / _t3;
    const T _t12 = T(0.5) * grad_norm;
    const T _t13 = _t12 / norm;
    const T grad_squared_norm = _t11 + _t13;
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t5 = grad_y * _t4;
        _row__t5[_j] = _t5;
    )
    """,
)


# squash_bwd_2: layers_spec/primitives.yaml:61,62
_squash_bwd_2 = ElementwiseKernel(
    "squash_bwd_2",
    "T _t14, T x, T _t5",
    "T grad_x",
    """
    T _t15 = _t14 * x;
    T _t16 = _t14 * x;
    T _t17 = _t5 + _t15;
    grad_x = _t17 + _t16;
    """,
)


def _cupy_backward(grad_y, x, norm, _t3):
    import cupy as cp

    _t4 = _squash_bwd_0(norm, _t3)
    _t5, grad_squared_norm = _squash_bwd_1(grad_y, _t4, x, _t3, norm)
    _t14 = cp.broadcast_to(grad_squared_norm, x.shape)
    grad_x = _squash_bwd_2(_t14, x, _t5)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# squash_fwd_loops_0: layers_spec/activations/squash.yaml:12,13,14
@row_kernel
def _squash_fwd_loops_0(x, epsilon, norm_out, _t1_out, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    _zero = x.dtype.type(0.0)
    for _row in range(_rows):
        squared_norm = _zero  # squash.yaml:12
        for _j in range(_n):
            _t2 = x[_row, _j] * x[_row, _j]  # squash.yaml:12
            squared_norm += _t2
        _t3 = squared_norm + _float(epsilon)  # squash.yaml:13
        norm = math.sqrt(_t3)  # squash.yaml:13
        norm_out[_row, 0] = norm
        _t1 = _float(1.0) + squared_norm  # squash.yaml:14
        _t1_out[_row, 0] = _t1
        _t4 = norm / _t1  # squash.yaml:14
        for _j in range(_n):
            y = x[_row, _j] * _t4  # squash.yaml:14
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x, epsilon):
    norm = np.empty(x.shape[:-1] + (1,), x.dtype)
    _t3 = np.empty(x.shape[:-1] + (1,), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_squash_fwd_loops_0, rows(x), epsilon, rows(norm), rows(_t3), rows(y))
    return y, (x, norm, _t3)


# squash_bwd_loops_0: layers_spec/activations/squash.yaml:14; layers_spec/primitives.yaml:61,62
@row_kernel
def _squash_bwd_loops_0(norm, _t1, grad_y, x, _t2_out, _t3_out, _t4_out):
    _rows, _n = grad_y.shape
    for _row in range(_rows):
        _t2 = norm[_row, 0] / _t1[_row, 0]  # squash.yaml:14
        _t2_out[_row, 0] = _t2
        for _j in range(_n):
            _t3 = grad_y[_row, _j] * _t2  # primitives.yaml:61
            _t3_out[_row, _j] = _t3
            _t4 = grad_y[_row, _j] * x[_row, _j]  # primitives.yaml:62
            _t4_out[_row, _j] = _t4


# squash_bwd_loops_1: layers_spec/primitives.yaml:61,62
@row_kernel
def _squash_bwd_loops_1(_t1, x, _t2, grad_x_out):
    _rows, _n = _t1.shape
    for _row in range(_rows):
        for _j in range(_n):
            _t3 = _t1[_row, _j] * x[_row, _j]  # primitives.yaml:61
            _t4 = _t1[_row, _j] * x[_row, _j]  # primitives.yaml:62
            _t5 = _t2[_row, _j] + _t3  # primitives.yaml:62
            grad_x = _t5 + _t4  # primitives.yaml:62
            grad_x_out[_row, _j] = grad_x


def _jit_backward(grad_y, x, norm, _t3, *, out_grad_x=None):
    _t4 = np.empty(grad_y.shape[:-1] + (1,), grad_y.dtype)
    _t5 = np.empty(grad_y.shape, grad_y.dtype)
    _t6 = np.empty(grad_y.shape, grad_y.dtype)
    _squash_bwd_loops_0(
        rows(norm), rows(_t3), rows(grad_y), rows(x), rows(_t4), rows(_t5), rows(_t6)
    )
    _t7 = np.sum(_t6, axis=-1, keepdims=True)
    grad_norm = _t7 / _t3
    _t9 = -_t7
    _t10 = _t9 * _t4
    _t11 = _t10 / _t3
    _t12 = 0.5 * grad_norm
    _t13 = _t12 / norm
    grad_squared_norm = _t11 + _t13
    _t14 = np.broadcast_to(grad_squared_norm, x.shape)
    grad_x = np.empty(grad_y.shape, grad_y.dtype) if out_grad_x is None else out_grad_x
    _squash_bwd_loops_1(rows(_t14), rows(x), rows(_t5), rows(grad_x))
    return grad_x
