"""LayerStatistics: The statistics layer normalization computes, returned: the mean and the
reciprocal standard deviation 1 / sqrt(var + eps) (the biased variance) of each feature
vector over the last axis, or the last axes that normalized_shape names, kept as
length-1 axes (the mean and rstd of torch.native_layer_norm, ONNX LayerNormalization's
Mean and InvStdDev), with their gradients.
Generated from layers_spec/layers/layer_statistics.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import math

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_shape_of,
    join_last,
    check_nonempty,
    in_row_blocks,
)
from layerforge._cupy_runtime import ElementwiseKernel, RowBlockKernel, on_gpu
from layerforge._jit_runtime import in_row_runs, row_kernel, rows, use_jit, whole_rows

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("mu", "rstd")


def forward(x, *, normalized_shape=None, eps=1e-05):
    """LayerStatistics forward pass.

    The statistics layer normalization computes, returned: the mean and the reciprocal
    standard deviation 1 / sqrt(var + eps) (the biased variance) of each feature vector
    over the last axis, or the last axes that normalized_shape names, kept as length-1
    axes (the mean and rstd of torch.native_layer_norm, ONNX LayerNormalization's Mean
    and InvStdDev), with their gradients.

    Args:
        x: float32 or float64 input of shape [..., F].
        normalized_shape: int_or_ints, default None. The shape of the last axes the
            statistics are over, as F.layer_norm's; None: the last axis.
        eps: float, default 1e-05. Added to the variance.

    Returns:
        ((mu, rstd), ctx): the outputs and the context that backward needs.
    """
    if normalized_shape is not None:
        normalized_shape = check_shape_of(
            "layer_statistics", "normalized_shape", normalized_shape, {"x": x}
        )
        (mu, rstd), joined_ctx = forward(join_last(x, len(normalized_shape)), eps=eps)
        mu, rstd = mu.reshape(
            x.shape[: x.ndim - len(normalized_shape)] + (1,) * len(normalized_shape)
        ), rstd.reshape(
            x.shape[: x.ndim - len(normalized_shape)] + (1,) * len(normalized_shape)
        )
        return (mu, rstd), (
            _backward_shape_of,
            (joined_ctx, x.shape, normalized_shape),
            (mu.dtype, mu.shape, rstd.shape),
            None,
        )
    check_arrays("layer_statistics", {"x": x}, {"x": ("...", "F")})
    check_attribute("layer_statistics", "eps", eps, "float", minimum=0.0)
    check_nonempty("layer_statistics", "x", x.shape, -1)
    if on_gpu(x):
        mu, rstd, saved = _cupy_forward(x, eps)
        return (mu, rstd), (
            _cupy_backward,
            saved,
            (mu.dtype, mu.shape, rstd.shape),
            None,
        )
    if use_jit(x):
        mu, rstd, saved = in_row_blocks(
            _jit_forward, x, eps, outs=(None, "out_rstd", None, "out_centered")
        )
        return (mu, rstd), (
            _jit_backward,
            saved,
            (mu.dtype, mu.shape, rstd.shape),
            None,
        )
    mu, rstd, saved = in_row_blocks(
        _forward, x, eps, outs=(None, "out_rstd", None, "out_centered")
    )
    return (mu, rstd), (_backward, saved, (mu.dtype, mu.shape, rstd.shape), None)


def backward(grad_mu, grad_rstd, ctx):
    """LayerStatistics backward pass.

    Args:
        grad_mu, grad_rstd: gradient of the loss with respect to mu, rstd.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "layer_statistics", __name__, ctx, {"grad_mu": grad_mu, "grad_rstd": grad_rstd}
    )
    if backward_variant is _backward_shape_of:
        return _backward_shape_of(grad_mu, grad_rstd, *saved)
    return in_row_blocks(
        backward_variant, grad_mu, grad_rstd, *saved, outs=("out_grad_x",)
    )


def _forward(x, eps, *, out_rstd=None, out_centered=None):
    mu = _mean(x, -1)
    centered = np.subtract(x, mu, out=out_centered)
    variance = _dot_last(centered, centered)
    variance /= x.shape[-1]
    rstd = np.add(variance, eps, out=out_rstd)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    return mu, rstd, (x, centered, rstd)


def _backward(grad_mu, grad_rstd, x, centered, rstd, *, out_grad_x=None):
    grad_x = np.multiply(grad_rstd * rstd * rstd * rstd, centered, out=out_grad_x)
    np.subtract(grad_mu, grad_x, out=grad_x)
    grad_x /= x.shape[-1]
    return grad_x


def _backward_shape_of(grad_mu, grad_rstd, ctx, shape, normalized_shape):
    """The backward of a forward with the axes of F (normalized_shape) joined into one."""
    grad_x = backward(grad_mu.reshape(ctx[2][1]), grad_rstd.reshape(ctx[2][2]), ctx)
    return grad_x.reshape(shape)


def _dot_last(a, b):
    """The sum over the last axis of a * b, kept as a length-1 axis, as matrix products
    (BLAS) that never form a * b: with a vector b [F] one matrix-vector product, with
    rows b [..., F] a stack of row-times-column ones."""
    if b.ndim == 1:
        return np.matmul(a, b)[..., None]
    return np.matmul(a[..., None, :], b[..., :, None])[..., 0]


def _mean(x, axis):
    """The mean along ``axis``, kept as a length-1 axis; along the last axis of a float
    array a matrix-vector product with 1 / n (BLAS), as in _sum."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        return np.matmul(x, np.full(x.shape[-1], 1 / x.shape[-1], x.dtype))[..., None]
    return np.mean(x, axis=axis, keepdims=True)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# layer_statistics_fwd_0: layers_spec/layers/layer_statistics.yaml:17,18,19,20
_layer_statistics_fwd_0 = RowBlockKernel(
    "layer_statistics_fwd_0",
    "row T x, scalar int64 _t2, scalar T eps",
    "per_row T mu, row T centered, per_row T rstd",
    """
    T _c_x[LF_REGISTERS];
    T mu = T(0);
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        mu = _Sum()(mu, x);
    )
    mu = _row_reduce(mu, _Sum());
    mu = mu / T(_n);
    T _t1 = T(0);
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T centered = x - mu;
        _t1 = _Sum()(_t1, centered * centered);
    )
    _t1 = _row_reduce(_t1, _Sum());
    const T variance = _t1 / _t2;
    const T _t3 = variance + eps;
    const T _t4 = sqrt(_t3);
    const T rstd = T(1) / _t4;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T centered = x - mu;
        _row_centered[_j] = centered;
    )
    """,
)


def _cupy_forward(x, eps):
    _t2 = x.shape[-1]
    mu, centered, rstd = _layer_statistics_fwd_0(x, _t2, eps)
    return mu, rstd, (x, centered, rstd)


# layer_statistics_bwd_0: layers_spec/layers/layer_statistics.yaml:24
_layer_statistics_bwd_0 = ElementwiseKernel(
    "layer_statistics_bwd_0",
    "T grad_rstd, T rstd",
    "T _t7",
    """
    T _t5 = grad_rstd * rstd;
    T _t6 = _t5 * rstd;
    _t7 = _t6 * rstd;
    """,
)


# layer_statistics_bwd_1: layers_spec/layers/layer_statistics.yaml:24
_layer_statistics_bwd_1 = ElementwiseKernel(
    "layer_statistics_bwd_1",
    "T _t7, T centered, T grad_mu, int64 _t10",
    "T grad_x",
    """
    T _t8 = _t7 * centered;
    T _t9 = grad_mu - _t8;
    grad_x = _t9 / _t10;
    """,
    scalars=("_t10",),
)


def _cupy_backward(grad_mu, grad_rstd, x, centered, rstd):
    _t7 = _layer_statistics_bwd_0(grad_rstd, rstd)
    _t10 = x.shape[-1]
    grad_x = _layer_statistics_bwd_1(_t7, centered, grad_mu, _t10)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# layer_statistics_fwd_loops_0: layers_spec/layers/layer_statistics.yaml:17,18,19,20
@row_kernel
def _layer_statistics_fwd_loops_0(x, _t1, eps, mu_out, centered_out, rstd_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    _zero = x.dtype.type(0.0)
    for _row in range(_rows):
        mu = _zero  # layer_statistics.yaml:17
        for _j in range(_n):
            mu += x[_row, _j]
        mu /= _float(_n)
        mu_out[_row, 0] = mu
        _t2 = _zero  # layer_statistics.yaml:19
        for _j in range(_n):
            centered = x[_row, _j] - mu  # layer_statistics.yaml:18
            centered_out[_row, _j] = centered
            _t2 += centered * centered
        variance = _t2 / _float(_t1)  # layer_statistics.yaml:19
        _t3 = variance + _float(eps)  # layer_statistics.yaml:20
        _t4 = math.sqrt(_t3)  # layer_statistics.yaml:20
        rstd = _float(1.0) / _t4  # layer_statistics.yaml:20
        rstd_out[_row, 0] = rstd


@whole_rows
def _jit_forward(x, eps):
    _t2 = x.shape[-1]
    mu = np.empty(x.shape[:-1] + (1,), x.dtype)
    centered = np.empty(x.shape, x.dtype)
    rstd = np.empty(x.shape[:-1] + (1,), x.dtype)
    in_row_runs(
        _layer_statistics_fwd_loops_0,
        rows(x),
        _t2,
        eps,
        rows(mu),
        rows(centered),
        rows(rstd),
    )
    return mu, rstd, (x, centered, rstd)


# layer_statistics_bwd_loops_0: layers_spec/layers/layer_statistics.yaml:24
@row_kernel
def _layer_statistics_bwd_loops_0(grad_rstd, rstd, _t1_out):
    _rows, _n = grad_rstd.shape
    for _row in range(_rows):
        for _j in range(_n):
            _t2 = grad_rstd[_row, _j] * rstd[_row, _j]  # layer_statistics.yaml:24
            _t3 = _t2 * rstd[_row, _j]  # layer_statistics.yaml:24
            _t1 = _t3 * rstd[_row, _j]  # layer_statistics.yaml:24
            _t1_out[_row, _j] = _t1


def _jit_backward(grad_mu, grad_rstd, x, centered, rstd, *, out_grad_x=None):
    _t7 = np.empty(grad_mu.shape, grad_mu.dtype)
    _layer_statistics_bwd_loops_0(rows(grad_rstd), rows(rstd), rows(_t7))
    _t8 = _t7 * centered
    _t9 = grad_mu - _t8
    _t10 = x.shape[-1]
    grad_x = _t9 / _t10
    return grad_x
