"""SphericalSoftmax: softmax(x / |x|) over the last axis, with the norm floored at 1e-12
and the logits shifted by their maximum.
Generated from layers_spec/activations/spherical_softmax.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import math

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    in_row_blocks,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, RowBlockKernel, on_gpu
from layerforge._jit_runtime import (
    fast_exp,
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
ATTRIBUTES = {}


def forward(x):
    """SphericalSoftmax forward pass.

    softmax(x / |x|) over the last axis, with the norm floored at 1e-12 and the logits
    shifted by their maximum.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("spherical_softmax", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(
            _jit_forward, x, outs=("out_y", None, None, "out_exponentials")
        )
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(
        _forward, x, outs=("out_y", None, None, "out_exponentials")
    )
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """SphericalSoftmax backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "spherical_softmax", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, *, out_y=None, out_exponentials=None):
    _t1 = _sum(x * x, -1)
    norm = np.clip(_t1, 1e-24, np.inf)
    np.sqrt(norm, out=norm)
    scaled = x / norm
    shifted = np.subtract(scaled, _amax(scaled, -1), out=scaled)
    exponentials = np.exp(shifted, out=out_exponentials)
    _t2 = _sum(exponentials, -1)
    y = np.divide(exponentials, _t2, out=out_y)
    return y, (x, _t1, exponentials, _t2, y)


def _backward(grad_y, x, _t1, exponentials, _t2, y, *, out_grad_x=None):
    norm = np.clip(_t1, 1e-24, np.inf)
    np.sqrt(norm, out=norm)
    scaled = x / norm
    grad_exponentials = grad_y / _t2 + np.broadcast_to(
        np.sum(-grad_y * y / _t2, axis=-1, keepdims=True), x.shape
    )
    grad_shifted = np.multiply(grad_exponentials, exponentials, out=grad_exponentials)
    grad_norm = np.sum(-grad_shifted * scaled / norm, axis=-1, keepdims=True)
    _t3 = np.broadcast_to(0.5 * grad_norm / norm * (_t1 > 1e-24), x.shape) * x
    grad_x = np.divide(grad_shifted, norm, out=out_grad_x)
    grad_x += _t3
    grad_x += _t3
    return grad_x


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


# spherical_softmax_fwd_0: layers_spec/activations/spherical_softmax.yaml:10,11,12,13,14
_spherical_softmax_fwd_0 = RowBlockKernel(
    "spherical_softmax_fwd_0",
    "row T x",
    "per_row T _t2, row T exponentials, per_row T _t6, row T y",
    """
    T _c_x[LF_REGISTERS];
    T _t2 = T(0);
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        const T _t1 = x * x;
        _t2 = _Sum()(_t2, _t1);
    )
    _t2 = _row_reduce(_t2, _Sum());
    const T _t3 = _t2 > T(1e-24) || _t2 != _t2 ? _t2 : T(1e-24);
    const T norm = sqrt(_t3);
    T _t4 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T scaled = x / norm;
        _t4 = _Max()(_t4, scaled);
    )
    _t4 = _row_reduce(_t4, _Max());
    const T _t5 = _t4;
    T _t6 = T(0);
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T scaled = x / norm;
        const T shifted = scaled - _t5;
        const T exponentials = exp(shifted);
        _t6 = _Sum()(_t6, exponentials);
    )
    _t6 = _row_reduce(_t6, _Sum());
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T scaled = x / norm;
        const T shifted = scaled - _t5;
        const T exponentials = exp(shifted);
        const T y = exponentials / _t6;
        _row_exponentials[_j] = exponentials;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward(x):
    _t2, exponentials, _t6, y = _spherical_softmax_fwd_0(x)
    return y, (x, _t2, exponentials, _t6, y)


# spherical_softmax_bwd_0: layers_spec/activations/spherical_softmax.yaml:10
_spherical_softmax_bwd_0 = ElementwiseKernel(
    "spherical_softmax_bwd_0",
    "T _t2",
    "T norm",
    """
    T _t3 = _t2 > T(1e-24) || _t2 != _t2 ? _t2 : T(1e-24);
    norm = sqrt(_t3);
    """,
)


# spherical_softmax_bwd_1: layers_spec/activations/spherical_softmax.yaml:11,14; layers_spec/primitives.yaml:71,72
_spherical_softmax_bwd_1 = RowBlockKernel(
    "spherical_softmax_bwd_1",
    "row T x, per_row T norm, row T grad_y, per_row T _t6, row T y",
    "row T scaled, row T _t7, per_row T _t11",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    T _t11 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_x, _row_x, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T y = _row_y[_j];
        const T _t8 = -grad_y;
        const T _t9 = _t8 * y;
        const T _t10 = _t9 / _t6;
        _t11 = _Sum()(_t11, _t10);
    )
    _t11 = _row_reduce(_t11, _Sum());
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T scaled = x / norm;
        const T _t7 = grad_y / _t6;
        _row_scaled[_j] = scaled;
        _row__t7[_j] = _t7;
    )
    """,
)


# spherical_softmax_bwd_2: layers_spec/primitives.yaml:355,100,71,72,171,252; layers_spec/activations/spherical_softmax.yaml:11
_spherical_softmax_bwd_2 = RowBlockKernel(
    "spherical_softmax_bwd_2",
    "row T _t7, row T _t12, row T exponentials, per_row T norm, row T scaled, per_row T _t2",
    "row T _t14, per_row T _t22",
    """
    T _c__t7[LF_REGISTERS];
    T _c__t12[LF_REGISTERS];
    T _c_exponentials[LF_REGISTERS];
    T grad_norm = T(0);
    LF_ROW_LOOP(
        const T _t7 = _at.fill(_c__t7, _row__t7, _j);
        const T _t12 = _at.fill(_c__t12, _row__t12, _j);
        const T exponentials = _at.fill(_c_exponentials, _row_exponentials, _j);
        const T scaled = _row_scaled[_j];
        const T grad_exponentials = _t7 + _t12;
        const T grad_shifted = grad_exponentials * exponentials;
        const T _t15 = -grad_shifted;
        const T _t16 = _t15 * scaled;
        const T _t17 = _t16 / norm;
        grad_norm = _Sum()(grad_norm, _t17);
    )
    grad_norm = _row_reduce(grad_norm, _Sum());
    const T _t19 = T(0.5) * grad_norm;
    const T _t20 = _t19 / norm;
    const bool _t21 = _t2 > T(1e-24);
    const T _t22 = _t20 * _t21;
    LF_ROW_LOOP(
        const T _t7 = _at.get(_c__t7, _row__t7, _j);
        const T _t12 = _at.get(_c__t12, _row__t12, _j);
        const T exponentials = _at.get(_c_exponentials, _row_exponentials, _j);
        const T grad_exponentials = _t7 + _t12;
        const T grad_shifted = grad_exponentials * exponentials;
        const T _t14 = grad_shifted / norm;
        _row__t14[_j] = _t14;
    )
    """,
)


# spherical_softmax_bwd_3: layers_spec/primitives.yaml:61,62
_spherical_softmax_bwd_3 = ElementwiseKernel(
    "spherical_softmax_bwd_3",
    "T _t23, T x, T _t14",
    "T grad_x",
    """
    T _t24 = _t23 * x;
    T _t25 = _t23 * x;
    T _t26 = _t14 + _t24;
    grad_x = _t26 + _t25;
    """,
)


def _cupy_backward(grad_y, x, _t2, exponentials, _t6, y):
    import cupy as cp

    norm = _spherical_softmax_bwd_0(_t2)
    scaled, _t7, _t11 = _spherical_softmax_bwd_1(x, norm, grad_y, _t6, y)
    _t12 = cp.broadcast_to(_t11, x.shape)
    _t14, _t22 = _spherical_softmax_bwd_2(_t7, _t12, exponentials, norm, scaled, _t2)
    _t23 = cp.broadcast_to(_t22, x.shape)
    grad_x = _spherical_softmax_bwd_3(_t23, x, _t14)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# spherical_softmax_fwd_loops_0: layers_spec/activations/spherical_softmax.yaml:10,11
@row_kernel
def _spherical_softmax_fwd_loops_0(x, _t1_out, scaled_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    _zero = x.dtype.type(0.0)
    for _row in range(_rows):
        _t1 = _zero  # spherical_softmax.yaml:10
        for _j in range(_n):
            _t2 = x[_row, _j] * x[_row, _j]  # spherical_softmax.yaml:10
            _t1 += _t2
        _t1_out[_row, 0] = _t1
        _t3 = (
            _t1 if _t1 > _float(1e-24) or _t1 != _t1 else _float(1e-24)
        )  # spherical_softmax.yaml:10
        norm = math.sqrt(_t3)  # spherical_softmax.yaml:10
        for _j in range(_n):
            scaled = x[_row, _j] / norm  # spherical_softmax.yaml:11
            scaled_out[_row, _j] = scaled


# spherical_softmax_fwd_loops_1: layers_spec/activations/spherical_softmax.yaml:12,13,14
@row_kernel
def _spherical_softmax_fwd_loops_1(scaled, exponentials_out, _t1_out, y_out):
    _rows, _n = scaled.shape
    _zero = scaled.dtype.type(0.0)
    for _row in range(_rows):
        _t2 = fast_max(scaled[_row])  # spherical_softmax.yaml:12
        _t1 = _zero  # spherical_softmax.yaml:14
        for _j in range(_n):
            shifted = scaled[_row, _j] - _t2  # spherical_softmax.yaml:12
            exponentials = fast_exp(shifted)  # spherical_softmax.yaml:13
            exponentials_out[_row, _j] = exponentials
            _t1 += exponentials
        _t1_out[_row, 0] = _t1
        for _j in range(_n):
            y = exponentials_out[_row, _j] / _t1  # spherical_softmax.yaml:14
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x):
    _t2 = np.empty(x.shape[:-1] + (1,), x.dtype)
    scaled = np.empty(x.shape, x.dtype)
    in_row_runs(_spherical_softmax_fwd_loops_0, rows(x), rows(_t2), rows(scaled))
    exponentials = np.empty(x.shape, x.dtype)
    _t6 = np.empty(x.shape[:-1] + (1,), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_row_runs(
        _spherical_softmax_fwd_loops_1,
        rows(scaled),
        rows(exponentials),
        rows(_t6),
        rows(y),
    )
    return y, (x, _t2, exponentials, _t6, y)


# spherical_softmax_bwd_loops_0: layers_spec/activations/spherical_softmax.yaml:10,11; layers_spec/primitives.yaml:71,72
@row_kernel
def _spherical_softmax_bwd_loops_0(
    _t1, x, grad_y, _t2, y, norm_out, scaled_out, _t3_out, _t4_out
):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        _t5 = (
            _t1[_row, 0]
            if _t1[_row, 0] > _float(1e-24) or _t1[_row, 0] != _t1[_row, 0]
            else _float(1e-24)
        )  # spherical_softmax.yaml:10
        norm = math.sqrt(_t5)  # spherical_softmax.yaml:10
        norm_out[_row, 0] = norm
        for _j in range(_n):
            scaled = x[_row, _j] / norm  # spherical_softmax.yaml:11
            scaled_out[_row, _j] = scaled
            _t3 = grad_y[_row, _j] / _t2[_row, 0]  # primitives.yaml:71
            _t3_out[_row, _j] = _t3
            _t6 = -grad_y[_row, _j]  # primitives.yaml:72
            _t7 = _t6 * y[_row, _j]  # primitives.yaml:72
            _t4 = _t7 / _t2[_row, 0]  # primitives.yaml:72
            _t4_out[_row, _j] = _t4


# spherical_softmax_bwd_loops_1: layers_spec/primitives.yaml:355,100,71,72
@row_kernel
def _spherical_softmax_bwd_loops_1(
    _t1, _t2, exponentials, norm, scaled, _t3_out, _t4_out
):
    _rows, _n = _t1.shape
    for _row in range(_rows):
        for _j in range(_n):
            grad_exponentials = _t1[_row, _j] + _t2[_row, _j]  # primitives.yaml:355
            grad_shifted = (
                grad_exponentials * exponentials[_row, _j]
            )  # primitives.yaml:100
            _t3 = grad_shifted / norm[_row, 0]  # primitives.yaml:71
            _t3_out[_row, _j] = _t3
            _t5 = -grad_shifted  # primitives.yaml:72
            _t6 = _t5 * scaled[_row, _j]  # primitives.yaml:72
            _t4 = _t6 / norm[_row, 0]  # primitives.yaml:72
            _t4_out[_row, _j] = _t4


# spherical_softmax_bwd_loops_2: layers_spec/primitives.yaml:61,62
@row_kernel
def _spherical_softmax_bwd_loops_2(_t1, x, _t2, grad_x_out):
    _rows, _n = _t1.shape
    for _row in range(_rows):
        for _j in range(_n):
            _t3 = _t1[_row, _j] * x[_row, _j]  # primitives.yaml:61
            _t4 = _t1[_row, _j] * x[_row, _j]  # primitives.yaml:62
            _t5 = _t2[_row, _j] + _t3  # primitives.yaml:62
            grad_x = _t5 + _t4  # primitives.yaml:62
            grad_x_out[_row, _j] = grad_x


def _jit_backward(grad_y, x, _t2, exponentials, _t6, y, *, out_grad_x=None):
    norm = np.empty(grad_y.shape[:-1] + (1,), grad_y.dtype)
    scaled = np.empty(grad_y.shape, grad_y.dtype)
    _t7 = np.empty(grad_y.shape, grad_y.dtype)
    _t10 = np.empty(grad_y.shape, grad_y.dtype)
    _spherical_softmax_bwd_loops_0(
        rows(_t2),
        rows(x),
        rows(grad_y),
        rows(_t6),
        rows(y),
        rows(norm),
        rows(scaled),
        rows(_t7),
        rows(_t10),
    )
    _t11 = np.sum(_t10, axis=-1, keepdims=True)
    _t12 = np.broadcast_to(_t11, x.shape)
    _t14 = np.empty(grad_y.shape, grad_y.dtype)
    _t17 = np.empty(grad_y.shape, grad_y.dtype)
    _spherical_softmax_bwd_loops_1(
        rows(_t7),
        rows(_t12),
        rows(exponentials),
        rows(norm),
        rows(scaled),
        rows(_t14),
        rows(_t17),
    )
    grad_norm = np.sum(_t17, axis=-1, keepdims=True)
    _t19 = 0.5 * grad_norm
    _t20 = _t19 / norm
    _t21 = _t2 > 1e-24
    _t22 = _t20 * _t21
    _t23 = np.broadcast_to(_t22, x.shape)
    grad_x = np.empty(grad_y.shape, grad_y.dtype) if out_grad_x is None else out_grad_x
    _spherical_softmax_bwd_loops_2(rows(_t23), rows(x), rows(_t14), rows(grad_x))
    return grad_x
