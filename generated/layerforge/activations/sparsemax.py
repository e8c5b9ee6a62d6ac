"""Sparsemax: Euclidean projection onto the probability simplex along the last axis, max(x
- tau, 0) with tau chosen so each row sums to 1 (Martins and Astudillo, 2016).
Generated from layers_spec/activations/sparsemax.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    in_row_blocks,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import (
    ElementwiseKernel,
    RowBlockKernel,
    RowKernel,
    on_gpu,
)
from layerforge._jit_runtime import row_kernel, rows, use_jit

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {}


def forward(x):
    """Sparsemax forward pass.

    Euclidean projection onto the probability simplex along the last axis, max(x - tau,
    0) with tau chosen so each row sums to 1 (Martins and Astudillo, 2016).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("sparsemax", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Sparsemax backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "sparsemax", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, *, out_y=None):
    tau = _sparsemax_threshold(x)
    y = np.subtract(x, tau, out=out_y)
    np.clip(y, 0, np.inf, out=y)
    return y, (x, y)


def _backward(grad_y, x, y, *, out_grad_x=None):
    support = (y > 0).astype(x.dtype)
    grad_x = np.subtract(
        grad_y, _sum(grad_y * support, -1) / _sum(support, -1), out=out_grad_x
    )
    grad_x *= support
    return grad_x


def _sparsemax_threshold(z):
    """The sparsemax threshold tau along the last axis, kept as a trailing axis of 1."""
    if not z.shape[-1]:  # an empty row: tau is never used
        return np.zeros((*z.shape[:-1], 1), z.dtype)
    z_sorted = -np.sort(-z, axis=-1)
    cumulative = np.cumsum(z_sorted, axis=-1)
    k = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    support_size = np.sum(1 + k * z_sorted > cumulative, axis=-1, keepdims=True)
    total = np.take_along_axis(cumulative, support_size - 1, axis=-1)
    return (total - 1) / support_size.astype(z.dtype)


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


# sparsemax_fwd_0: layers_spec/activations/sparsemax.yaml:10
_sparsemax_fwd_0 = RowKernel(
    "sparsemax_fwd_0",
    "sparsemax_threshold_row",
    row_width=1,
    preamble="""
    template <typename T>
    __device__ void sparsemax_threshold_row(const T* z, T* out, long long n) {
        // Michelot's iteration: tau = (sum of the support - 1) / its size, the support being
        // {z > tau}; from the whole row tau only grows and the support only shrinks.
        T total = T(0);
        for (long long k = 0; k < n; ++k) total += z[k];
        T tau = (total - T(1)) / T(n);
        long long size = n;
        for (long long round = 0; round < n && tau == tau; ++round) {
            T kept = T(0);
            long long count = 0;
            for (long long k = 0; k < n; ++k) {
                if (z[k] > tau) {
                    kept += z[k];
                    ++count;
                }
            }
            if (count == size || count == 0) break;
            size = count;
            tau = (kept - T(1)) / T(size);
        }
        out[0] = tau;
    }
    """,
)


# sparsemax_fwd_1: layers_spec/activations/sparsemax.yaml:11
_sparsemax_fwd_1 = ElementwiseKernel(
    "sparsemax_fwd_1",
    "T x, T tau",
    "T y",
    """
    T _t1 = x - tau;
    y = _t1 > T(0) || _t1 != _t1 ? _t1 : T(0);
    """,
)


def _cupy_forward(x):
    tau = _sparsemax_fwd_0(x)
    y = _sparsemax_fwd_1(x, tau)
    return y, (x, y)


# sparsemax_bwd_0: layers_spec/activations/sparsemax.yaml:13
_sparsemax_bwd_0 = ElementwiseKernel(
    "sparsemax_bwd_0",
    "T y, T x",
    "T support",
    """
    bool _t2 = y > T(0);
    support = _t2;
    """,
)


# sparsemax_bwd_1: layers_spec/activations/sparsemax.yaml:14
_sparsemax_bwd_1 = RowBlockKernel(
    "sparsemax_bwd_1",
    "row T grad_y, row T support",
    "row T grad_x",
    """
    T _c_grad_y[LF_REGISTERS];
    T _c_support[LF_REGISTERS];
    T _t4 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T support = _at.fill(_c_support, _row_support, _j);
        const T _t3 = grad_y * support;
        _t4 = _Sum()(_t4, _t3);
    )
    _t4 = _row_reduce(_t4, _Sum());
    T _t5 = T(0);
    LF_ROW_LOOP(
        const T support = _at.get(_c_support, _row_support, _j);
        _t5 = _Sum()(_t5, support);
    )
    _t5 = _row_reduce(_t5, _Sum());
    const T _t6 = _t4 / _t5;
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T support = _at.get(_c_support, _row_support, _j);
        const T _t7 = grad_y - _t6;
        const T grad_x = support * _t7;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward(grad_y, x, y):
    support = _sparsemax_bwd_0(y, x)
    grad_x = _sparsemax_bwd_1(grad_y, support)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# sparsemax_fwd_loops_0: layers_spec/activations/sparsemax.yaml:11
@row_kernel
def _sparsemax_fwd_loops_0(x, tau, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = x[_row, _j] - tau[_row, 0]  # sparsemax.yaml:11
            y = (
                _t1 if _t1 > _float(0.0) or _t1 != _t1 else _float(0.0)
            )  # sparsemax.yaml:11
            y_out[_row, _j] = y


def _jit_forward(x, *, out_y=None):
    tau = _sparsemax_threshold(x)
    y = np.empty(x.shape, x.dtype) if out_y is None else out_y
    _sparsemax_fwd_loops_0(rows(x), rows(tau), rows(y))
    return y, (x, y)


# sparsemax_bwd_loops_0: layers_spec/activations/sparsemax.yaml:14
@row_kernel
def _sparsemax_bwd_loops_0(grad_y, support, grad_x_out):
    _rows, _n = grad_y.shape
    _zero = grad_y.dtype.type(0.0)
    for _row in range(_rows):
        _t1 = _zero  # sparsemax.yaml:14
        _t2 = _zero  # sparsemax.yaml:14
        for _j in range(_n):
            _t3 = grad_y[_row, _j] * support[_row, _j]  # sparsemax.yaml:14
            _t1 += _t3
            _t2 += support[_row, _j]
        _t4 = _t1 / _t2  # sparsemax.yaml:14
        for _j in range(_n):
            _t5 = grad_y[_row, _j] - _t4  # sparsemax.yaml:14
            grad_x = support[_row, _j] * _t5  # sparsemax.yaml:14
            grad_x_out[_row, _j] = grad_x


def _jit_backward(grad_y, x, y, *, out_grad_x=None):
    _t2 = y > 0
    support = _t2.astype(x.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype) if out_grad_x is None else out_grad_x
    _sparsemax_bwd_loops_0(rows(grad_y), rows(support), rows(grad_x))
    return grad_x
