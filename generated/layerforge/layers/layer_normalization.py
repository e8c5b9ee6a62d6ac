"""LayerNormalization: Normalizes each feature vector over the last axis (or the last axes
that normalized_shape names) to zero mean and unit variance (the biased variance), then
scales and shifts it, y = (x - mean) / sqrt(var + eps) * weight + bias, as
torch.nn.LayerNorm(F) and F.layer_norm. weight and bias may each be left out (None):
without both it is LayerNorm(F, elementwise_affine=False), without bias LayerNorm(F,
bias=False).
Generated from layers_spec/layers/layer_normalization.yaml by the layerforge transpiler 0.1.0.
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
    blas_flags_ignored,
)
from layerforge._cupy_runtime import RowBlockKernel, on_gpu
from layerforge._jit_runtime import in_row_runs, row_kernel, rows, use_jit, whole_rows

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
OUTPUTS = ("y",)


def forward(x, weight=None, bias=None, *, normalized_shape=None, eps=1e-05):
    """LayerNormalization forward pass.

    Normalizes each feature vector over the last axis (or the last axes that
    normalized_shape names) to zero mean and unit variance (the biased variance), then
    scales and shifts it, y = (x - mean) / sqrt(var + eps) * weight + bias, as
    torch.nn.LayerNorm(F) and F.layer_norm. weight and bias may each be left out (None):
    without both it is LayerNorm(F, elementwise_affine=False), without bias LayerNorm(F,
    bias=False).

    Args:
        x: float32 or float64 input of shape [..., F].
        weight: float32 or float64 parameter of shape [F]. Per-feature scale (gamma), 1
            at initialisation; None for none.
        bias: float32 or float64 parameter of shape [F]. Per-feature shift (beta), 0 at
            initialisation; None for none.
        normalized_shape: int_or_ints, default None. The shape of the last axes to
            normalize over, as F.layer_norm's (weight and bias have it); None: the last
            axis.
        eps: float, default 1e-05. Added to the variance.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    if normalized_shape is not None:
        normalized_shape = check_shape_of(
            "layer_normalization",
            "normalized_shape",
            normalized_shape,
            {"x": x, "weight": weight, "bias": bias},
            whole=("weight", "bias"),
        )
        y, joined_ctx = forward(
            join_last(x, len(normalized_shape)),
            None if weight is None else join_last(weight, len(normalized_shape)),
            None if bias is None else join_last(bias, len(normalized_shape)),
            eps=eps,
        )
        y = y.reshape(x.shape)
        return y, (
            _backward_shape_of,
            (joined_ctx, x.shape, normalized_shape),
            (y.dtype, y.shape),
            None,
        )
    check_arrays(
        "layer_normalization",
        {"x": x, "weight": weight, "bias": bias},
        {"x": ("...", "F"), "weight": ("F",), "bias": ("F",)},
        optional=("weight", "bias"),
    )
    check_attribute("layer_normalization", "eps", eps, "float", minimum=0.0)
    check_nonempty("layer_normalization", "x", x.shape, -1)
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[
            (weight is not None, bias is not None)
        ]
        y, saved = forward_variant(x, weight, bias, eps)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        forward_variant, backward_variant = _JIT_VARIANTS[
            (weight is not None, bias is not None)
        ]
        y, saved = in_row_blocks(
            forward_variant,
            x,
            weight,
            bias,
            eps,
            outs=("out_y", None, None, None, "out_rstd"),
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[
        (weight is not None, bias is not None)
    ]
    y, saved = in_row_blocks(
        forward_variant,
        x,
        weight,
        bias,
        eps,
        outs=("out_y", None, None, None, "out_rstd"),
    )
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """LayerNormalization backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    backward_variant, saved = check_context(
        "layer_normalization", __name__, ctx, {"grad_y": grad_y}
    )
    if backward_variant is _backward_shape_of:
        return _backward_shape_of(grad_y, *saved)
    return in_row_blocks(backward_variant, grad_y, *saved, sums=2, outs=("out_grad_x",))


def _forward(x, weight, bias, eps, *, out_y=None, out_rstd=None):
    mu = _mean(x, -1)
    centered = x - mu
    variance = _dot_last(centered, centered)
    variance /= x.shape[-1]
    rstd = np.add(variance, eps, out=out_rstd)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    y = np.multiply(normalized, weight, out=out_y)
    y += bias
    return y, (x, weight, mu, rstd)


def _backward(grad_y, x, weight, mu, rstd, *, out_grad_x=None):
    x_hat = x - mu
    x_hat *= rstd
    p = grad_y * x_hat
    grad_weight = _sum_to(p, weight.shape)
    grad_bias = _sum_to(grad_y, weight.shape)
    scale = rstd / x.shape[-1]
    grad_x = np.multiply(grad_y, weight, out=out_grad_x)
    grad_x *= rstd
    _t1 = x_hat * (_dot_last(p, weight) * scale)
    grad_x -= _t1
    grad_x -= _dot_last(grad_y, weight) * scale
    return grad_x, grad_weight, grad_bias


def _forward_no_bias(x, weight, bias, eps, *, out_y=None, out_rstd=None):
    mu = _mean(x, -1)
    centered = x - mu
    variance = _dot_last(centered, centered)
    variance /= x.shape[-1]
    rstd = np.add(variance, eps, out=out_rstd)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    y = np.multiply(normalized, weight, out=out_y)
    return y, (x, weight, mu, rstd)


def _backward_no_bias(grad_y, x, weight, mu, rstd, *, out_grad_x=None):
    x_hat = x - mu
    x_hat *= rstd
    p = grad_y * x_hat
    grad_weight = _sum_to(p, weight.shape)
    scale = rstd / x.shape[-1]
    grad_x = np.multiply(grad_y, weight, out=out_grad_x)
    grad_x *= rstd
    _t1 = x_hat * (_dot_last(p, weight) * scale)
    grad_x -= _t1
    grad_x -= _dot_last(grad_y, weight) * scale
    return grad_x, grad_weight, None


def _forward_no_weight(x, weight, bias, eps, *, out_y=None, out_rstd=None):
    mu = _mean(x, -1)
    centered = x - mu
    variance = _dot_last(centered, centered)
    variance /= x.shape[-1]
    rstd = np.add(variance, eps, out=out_rstd)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    y = np.add(normalized, bias, out=out_y)
    return y, (x, bias, mu, rstd)


def _backward_no_weight(grad_y, x, bias, mu, rstd, *, out_grad_x=None):
    x_hat = x - mu
    x_hat *= rstd
    p = grad_y * x_hat
    grad_bias = _sum_to(grad_y, bias.shape)
    scale = rstd / x.shape[-1]
    grad_x = np.multiply(grad_y, rstd, out=out_grad_x)
    _t1 = x_hat * (_sum(p, -1) * scale)
    grad_x -= _t1
    grad_x -= _sum(grad_y, -1) * scale
    return grad_x, None, grad_bias


def _forward_no_weight_no_bias(x, weight, bias, eps, *, out_y=None, out_rstd=None):
    mu = _mean(x, -1)
    centered = x - mu
    variance = _dot_last(centered, centered)
    variance /= x.shape[-1]
    rstd = np.add(variance, eps, out=out_rstd)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    return normalized, (x, weight, mu, rstd)


def _backward_no_weight_no_bias(grad_y, x, weight, mu, rstd, *, out_grad_x=None):
    x_hat = x - mu
    x_hat *= rstd
    p = grad_y * x_hat
    scale = rstd / x.shape[-1]
    grad_x = np.multiply(grad_y, rstd, out=out_grad_x)
    _t1 = x_hat * (_sum(p, -1) * scale)
    grad_x -= _t1
    grad_x -= _sum(grad_y, -1) * scale
    return grad_x, None, None


def _backward_shape_of(grad_y, ctx, shape, normalized_shape):
    """The backward of a forward with the axes of F (normalized_shape) joined into one."""
    grad_x, grad_weight, grad_bias = backward(grad_y.reshape(ctx[2][1]), ctx)
    return (
        grad_x.reshape(shape),
        None if grad_weight is None else grad_weight.reshape(normalized_shape),
        None if grad_bias is None else grad_bias.reshape(normalized_shape),
    )


_VARIANTS = {
    (True, True): (_forward, _backward),
    (True, False): (_forward_no_bias, _backward_no_bias),
    (False, True): (_forward_no_weight, _backward_no_weight),
    (False, False): (_forward_no_weight_no_bias, _backward_no_weight_no_bias),
}


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


def _sum_to(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast; over
    leading axes only (a bias gradient) as a vector-matrix product with ones (BLAS)."""
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes == tuple(range(lead)) and lead and grad.size and grad.dtype.kind == "f":
        rows = grad.reshape(-1, grad[(0,) * lead].size)
        return np.matmul(np.ones(rows.shape[0], grad.dtype), rows).reshape(shape)
    return np.sum(grad, axis=axes).reshape(shape) if axes else grad


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# layer_normalization_fwd_0: layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_layer_normalization_fwd_0 = RowBlockKernel(
    "layer_normalization_fwd_0",
    "row T x, scalar int64 _t2, scalar T eps, column T weight, column T bias",
    "per_row T mu, per_row T rstd, row T y",
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
        const T weight = _p_weight[_j];
        const T bias = _p_bias[_j];
        const T centered = x - mu;
        const T normalized = centered * rstd;
        const T _t5 = normalized * weight;
        const T y = _t5 + bias;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward(x, weight, bias, eps):
    _t2 = x.shape[-1]
    mu, rstd, y = _layer_normalization_fwd_0(x, _t2, eps, weight, bias)
    return y, (x, weight, mu, rstd)


# layer_normalization_bwd_0: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_layer_normalization_bwd_0 = RowBlockKernel(
    "layer_normalization_bwd_0",
    "row T x, per_row T mu, per_row T rstd, row T grad_y, scalar int64 _t7, column T weight",
    "row T p, row T grad_x",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T scale = rstd / _t7;
    T _t10 = T(0);
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T weight = _p_weight[_j];
        const T _t6 = x - mu;
        const T x_hat = _t6 * rstd;
        const T p = grad_y * x_hat;
        _t10 = _Sum()(_t10, p * weight);
    )
    _t10 = _row_reduce(_t10, _Sum());
    const T _t11 = _t10 * scale;
    T _t14 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T weight = _p_weight[_j];
        _t14 = _Sum()(_t14, grad_y * weight);
    )
    _t14 = _row_reduce(_t14, _Sum());
    const T _t15 = _t14 * scale;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T weight = _p_weight[_j];
        const T _t6 = x - mu;
        const T x_hat = _t6 * rstd;
        const T p = grad_y * x_hat;
        const T _t8 = grad_y * weight;
        const T _t9 = _t8 * rstd;
        const T _t12 = x_hat * _t11;
        const T _t13 = _t9 - _t12;
        const T grad_x = _t13 - _t15;
        _row_p[_j] = p;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward(grad_y, x, weight, mu, rstd):
    _t7 = x.shape[-1]
    p, grad_x = _layer_normalization_bwd_0(x, mu, rstd, grad_y, _t7, weight)
    grad_weight = _cupy_sum_to(p, weight.shape)
    grad_bias = _cupy_sum_to(grad_y, weight.shape)
    return grad_x, grad_weight, grad_bias


# layer_normalization_no_bias_fwd_0: layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_layer_normalization_no_bias_fwd_0 = RowBlockKernel(
    "layer_normalization_no_bias_fwd_0",
    "row T x, scalar int64 _t2, scalar T eps, column T weight",
    "per_row T mu, per_row T rstd, row T y",
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
        const T weight = _p_weight[_j];
        const T centered = x - mu;
        const T normalized = centered * rstd;
        const T y = normalized * weight;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_no_bias(x, weight, bias, eps):
    _t2 = x.shape[-1]
    mu, rstd, y = _layer_normalization_no_bias_fwd_0(x, _t2, eps, weight)
    return y, (x, weight, mu, rstd)


# layer_normalization_no_bias_bwd_0: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_layer_normalization_no_bias_bwd_0 = RowBlockKernel(
    "layer_normalization_no_bias_bwd_0",
    "row T x, per_row T mu, per_row T rstd, row T grad_y, scalar int64 _t6, column T weight",
    "row T p, row T grad_x",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T scale = rstd / _t6;
    T _t9 = T(0);
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T weight = _p_weight[_j];
        const T _t5 = x - mu;
        const T x_hat = _t5 * rstd;
        const T p = grad_y * x_hat;
        _t9 = _Sum()(_t9, p * weight);
    )
    _t9 = _row_reduce(_t9, _Sum());
    const T _t10 = _t9 * scale;
    T _t13 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T weight = _p_weight[_j];
        _t13 = _Sum()(_t13, grad_y * weight);
    )
    _t13 = _row_reduce(_t13, _Sum());
    const T _t14 = _t13 * scale;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T weight = _p_weight[_j];
        const T _t5 = x - mu;
        const T x_hat = _t5 * rstd;
        const T p = grad_y * x_hat;
        const T _t7 = grad_y * weight;
        const T _t8 = _t7 * rstd;
        const T _t11 = x_hat * _t10;
        const T _t12 = _t8 - _t11;
        const T grad_x = _t12 - _t14;
        _row_p[_j] = p;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward_no_bias(grad_y, x, weight, mu, rstd):
    _t6 = x.shape[-1]
    p, grad_x = _layer_normalization_no_bias_bwd_0(x, mu, rstd, grad_y, _t6, weight)
    grad_weight = _cupy_sum_to(p, weight.shape)
    return grad_x, grad_weight, None


# layer_normalization_no_weight_fwd_0: layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_layer_normalization_no_weight_fwd_0 = RowBlockKernel(
    "layer_normalization_no_weight_fwd_0",
    "row T x, scalar int64 _t2, scalar T eps, column T bias",
    "per_row T mu, per_row T rstd, row T y",
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
        const T bias = _p_bias[_j];
        const T centered = x - mu;
        const T normalized = centered * rstd;
        const T y = normalized + bias;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_no_weight(x, weight, bias, eps):
    _t2 = x.shape[-1]
    mu, rstd, y = _layer_normalization_no_weight_fwd_0(x, _t2, eps, bias)
    return y, (x, bias, mu, rstd)


# layer_normalization_no_weight_bwd_0: layers_spec/layers/layer_normalization.yaml:34,35,38,42
_layer_normalization_no_weight_bwd_0 = RowBlockKernel(
    "layer_normalization_no_weight_bwd_0",
    "row T x, per_row T mu, per_row T rstd, row T grad_y, scalar int64 _t6",
    "row T grad_x",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T scale = rstd / _t6;
    T _t8 = T(0);
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T _t5 = x - mu;
        const T x_hat = _t5 * rstd;
        const T p = grad_y * x_hat;
        _t8 = _Sum()(_t8, p);
    )
    _t8 = _row_reduce(_t8, _Sum());
    const T _t9 = _t8 * scale;
    T _t12 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        _t12 = _Sum()(_t12, grad_y);
    )
    _t12 = _row_reduce(_t12, _Sum());
    const T _t13 = _t12 * scale;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t5 = x - mu;
        const T x_hat = _t5 * rstd;
        const T _t7 = grad_y * rstd;
        const T _t10 = x_hat * _t9;
        const T _t11 = _t7 - _t10;
        const T grad_x = _t11 - _t13;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward_no_weight(grad_y, x, bias, mu, rstd):
    _t6 = x.shape[-1]
    grad_x = _layer_normalization_no_weight_bwd_0(x, mu, rstd, grad_y, _t6)
    grad_bias = _cupy_sum_to(grad_y, bias.shape)
    return grad_x, None, grad_bias


# layer_normalization_no_weight_no_bias_fwd_0: layers_spec/layers/layer_normalization.yaml:20,21,22,23,24
_layer_normalization_no_weight_no_bias_fwd_0 = RowBlockKernel(
    "layer_normalization_no_weight_no_bias_fwd_0",
    "row T x, scalar int64 _t2, scalar T eps",
    "per_row T mu, per_row T rstd, row T normalized",
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
        const T normalized = centered * rstd;
        _row_normalized[_j] = normalized;
    )
    """,
)


def _cupy_forward_no_weight_no_bias(x, weight, bias, eps):
    _t2 = x.shape[-1]
    mu, rstd, normalized = _layer_normalization_no_weight_no_bias_fwd_0(x, _t2, eps)
    return normalized, (x, weight, mu, rstd)


def _cupy_backward_no_weight_no_bias(grad_y, x, weight, mu, rstd):
    _t6 = x.shape[-1]
    grad_x = _layer_normalization_no_weight_bwd_0(x, mu, rstd, grad_y, _t6)
    return grad_x, None, None


_CUPY_VARIANTS = {
    (True, True): (_cupy_forward, _cupy_backward),
    (True, False): (_cupy_forward_no_bias, _cupy_backward_no_bias),
    (False, True): (_cupy_forward_no_weight, _cupy_backward_no_weight),
    (False, False): (_cupy_forward_no_weight_no_bias, _cupy_backward_no_weight_no_bias),
}


def _cupy_sum_to(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast; over
    leading axes only (a bias gradient) as a vector-matrix product with ones (BLAS)."""
    import cupy as cp

    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes == tuple(range(lead)) and lead and grad.size and grad.dtype.kind == "f":
        rows = grad.reshape(-1, grad[(0,) * lead].size)
        return cp.matmul(cp.ones(rows.shape[0], grad.dtype), rows).reshape(shape)
    return cp.sum(grad, axis=axes).reshape(shape) if axes else grad


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# layer_normalization_fwd_loops_0: layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
@row_kernel
def _layer_normalization_fwd_loops_0(
    x, _t1, eps, weight, bias, mu_out, rstd_out, y_out
):
    _rows, _n = x.shape
    _float = x.dtype.type
    _zero = x.dtype.type(0.0)
    for _row in range(_rows):
        mu = _zero  # layer_normalization.yaml:20
        for _j in range(_n):
            mu += x[_row, _j]
        mu /= _float(_n)
        mu_out[_row, 0] = mu
        _t2 = _zero  # layer_normalization.yaml:22
        for _j in range(_n):
            centered = x[_row, _j] - mu  # layer_normalization.yaml:21
            _t2 += centered * centered
        variance = _t2 / _float(_t1)  # layer_normalization.yaml:22
        _t3 = variance + _float(eps)  # layer_normalization.yaml:23
        _t4 = math.sqrt(_t3)  # layer_normalization.yaml:23
        rstd = _float(1.0) / _t4  # layer_normalization.yaml:23
        rstd_out[_row, 0] = rstd
        for _j in range(_n):
            centered = x[_row, _j] - mu  # layer_normalization.yaml:21
            normalized = centered * rstd  # layer_normalization.yaml:24
            _t5 = normalized * weight[_j]  # layer_normalization.yaml:25
            y = _t5 + bias[_j]  # layer_normalization.yaml:25
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x, weight, bias, eps):
    _t2 = x.shape[-1]
    mu = np.empty(x.shape[:-1] + (1,), x.dtype)
    rstd = np.empty(x.shape[:-1] + (1,), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_row_runs(
        _layer_normalization_fwd_loops_0,
        rows(x),
        _t2,
        eps,
        weight,
        bias,
        rows(mu),
        rows(rstd),
        rows(y),
    )
    return y, (x, weight, mu, rstd)


# layer_normalization_bwd_loops_0: layers_spec/layers/layer_normalization.yaml:34,35,36,37,38,40
@row_kernel
def _layer_normalization_bwd_loops_0(
    x, mu, rstd, grad_y, _t1, weight, grad_weight_out, grad_bias_out, grad_x_out
):
    _rows, _n = x.shape
    _float = x.dtype.type
    _zero = x.dtype.type(0.0)
    grad_weight_sums = np.zeros(_n)
    grad_weight_part = np.zeros(_n, x.dtype)
    grad_bias_sums = np.zeros(_n)
    grad_bias_part = np.zeros(_n, x.dtype)
    for _row in range(_rows):
        scale = rstd[_row, 0] / _float(_t1)  # layer_normalization.yaml:38
        _t2 = _zero  # layer_normalization.yaml:40
        _t3 = _zero  # layer_normalization.yaml:40
        for _j in range(_n):
            _t4 = x[_row, _j] - mu[_row, 0]  # layer_normalization.yaml:34
            x_hat = _t4 * rstd[_row, 0]  # layer_normalization.yaml:34
            p = grad_y[_row, _j] * x_hat  # layer_normalization.yaml:35
            grad_weight_part[_j] += p
            grad_bias_part[_j] += grad_y[_row, _j]
            _t5 = grad_y[_row, _j] * weight[_j]  # layer_normalization.yaml:40
            _t6 = _t5 * rstd[_row, 0]  # layer_normalization.yaml:40
            _t2 += p * weight[_j]
            _t3 += grad_y[_row, _j] * weight[_j]
        _t7 = _t2 * scale  # layer_normalization.yaml:40
        _t8 = _t3 * scale  # layer_normalization.yaml:40
        for _j in range(_n):
            _t4 = x[_row, _j] - mu[_row, 0]  # layer_normalization.yaml:34
            x_hat = _t4 * rstd[_row, 0]  # layer_normalization.yaml:34
            _t5 = grad_y[_row, _j] * weight[_j]  # layer_normalization.yaml:40
            _t6 = _t5 * rstd[_row, 0]  # layer_normalization.yaml:40
            _t9 = x_hat * _t7  # layer_normalization.yaml:40
            _t10 = _t6 - _t9  # layer_normalization.yaml:40
            grad_x = _t10 - _t8  # layer_normalization.yaml:40
            grad_x_out[_row, _j] = grad_x
        if _row % 64 == 63 or _row == _rows - 1:
            for _j in range(_n):
                grad_weight_sums[_j] += grad_weight_part[_j]
                grad_weight_part[_j] = _zero
                grad_bias_sums[_j] += grad_bias_part[_j]
                grad_bias_part[_j] = _zero
    grad_weight_out[:] = grad_weight_sums
    grad_bias_out[:] = grad_bias_sums


@whole_rows
def _jit_backward(grad_y, x, weight, mu, rstd):
    _t7 = x.shape[-1]
    grad_weight = np.empty(grad_y.shape[-1:], grad_y.dtype)
    grad_bias = np.empty(grad_y.shape[-1:], grad_y.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(
        _layer_normalization_bwd_loops_0,
        rows(x),
        rows(mu),
        rows(rstd),
        rows(grad_y),
        _t7,
        weight,
        grad_weight,
        grad_bias,
        rows(grad_x),
        sums=(6, 7),
    )
    return grad_x, grad_weight, grad_bias


# layer_normalization_no_bias_fwd_loops_0: layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
@row_kernel
def _layer_normalization_no_bias_fwd_loops_0(
    x, _t1, eps, weight, mu_out, rstd_out, y_out
):
    _rows, _n = x.shape
    _float = x.dtype.type
    _zero = x.dtype.type(0.0)
    for _row in range(_rows):
        mu = _zero  # layer_normalization.yaml:20
        for _j in range(_n):
            mu += x[_row, _j]
        mu /= _float(_n)
        mu_out[_row, 0] = mu
        _t2 = _zero  # layer_normalization.yaml:22
        for _j in range(_n):
            centered = x[_row, _j] - mu  # layer_normalization.yaml:21
            _t2 += centered * centered
        variance = _t2 / _float(_t1)  # layer_normalization.yaml:22
        _t3 = variance + _float(eps)  # layer_normalization.yaml:23
        _t4 = math.sqrt(_t3)  # layer_normalization.yaml:23
        rstd = _float(1.0) / _t4  # layer_normalization.yaml:23
        rstd_out[_row, 0] = rstd
        for _j in range(_n):
            centered = x[_row, _j] - mu  # layer_normalization.yaml:21
            normalized = centered * rstd  # layer_normalization.yaml:24
            y = normalized * weight[_j]  # layer_normalization.yaml:25
            y_out[_row, _j] = y


@whole_rows
def _jit_forward_no_bias(x, weight, bias, eps):
    _t2 = x.shape[-1]
    mu = np.empty(x.shape[:-1] + (1,), x.dtype)
    rstd = np.empty(x.shape[:-1] + (1,), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_row_runs(
        _layer_normalization_no_bias_fwd_loops_0,
        rows(x),
        _t2,
        eps,
        weight,
        rows(mu),
        rows(rstd),
        rows(y),
    )
    return y, (x, weight, mu, rstd)


# layer_normalization_no_bias_bwd_loops_0: layers_spec/layers/layer_normalization.yaml:34,35,36,38,40
@row_kernel
def _layer_normalization_no_bias_bwd_loops_0(
    x, mu, rstd, grad_y, _t1, weight, grad_weight_out, grad_x_out
):
    _rows, _n = x.shape
    _float = x.dtype.type
    _zero = x.dtype.type(0.0)
    grad_weight_sums = np.zeros(_n)
    grad_weight_part = np.zeros(_n, x.dtype)
    for _row in range(_rows):
        scale = rstd[_row, 0] / _float(_t1)  # layer_normalization.yaml:38
        _t2 = _zero  # layer_normalization.yaml:40
        _t3 = _zero  # layer_normalization.yaml:40
        for _j in range(_n):
            _t4 = x[_row, _j] - mu[_row, 0]  # layer_normalization.yaml:34
            x_hat = _t4 * rstd[_row, 0]  # layer_normalization.yaml:34
            p = grad_y[_row, _j] * x_hat  # layer_normalization.yaml:35
            grad_weight_part[_j] += p
            _t5 = grad_y[_row, _j] * weight[_j]  # layer_normalization.yaml:40
            _t6 = _t5 * rstd[_row, 0]  # layer_normalization.yaml:40
            _t2 += p * weight[_j]
            _t3 += grad_y[_row, _j] * weight[_j]
        _t7 = _t2 * scale  # layer_normalization.yaml:40
        _t8 = _t3 * scale  # layer_normalization.yaml:40
        for _j in range(_n):
            _t4 = x[_row, _j] - mu[_row, 0]  # layer_normalization.yaml:34
            x_hat = _t4 * rstd[_row, 0]  # layer_normalization.yaml:34
            _t5 = grad_y[_row, _j] * weight[_j]  # layer_normalization.yaml:40
            _t6 = _t5 * rstd[_row, 0]  # layer_normalization.yaml:40
            _t9 = x_hat * _t7  # layer_normalization.yaml:40
            _t10 = _t6 - _t9  # layer_normalization.yaml:40
            grad_x = _t10 - _t8  # layer_normalization.yaml:40
            grad_x_out[_row, _j] = grad_x
        if _row % 64 == 63 or _row == _rows - 1:
            for _j in range(_n):
                grad_weight_sums[_j] += grad_weight_part[_j]
                grad_weight_part[_j] = _zero
    grad_weight_out[:] = grad_weight_sums


@whole_rows
def _jit_backward_no_bias(grad_y, x, weight, mu, rstd):
    _t6 = x.shape[-1]
    grad_weight = np.empty(grad_y.shape[-1:], grad_y.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(
        _layer_normalization_no_bias_bwd_loops_0,
        rows(x),
        rows(mu),
        rows(rstd),
        rows(grad_y),
        _t6,
        weight,
        grad_weight,
        rows(grad_x),
        sums=(6,),
    )
    return grad_x, grad_weight, None


# layer_normalization_no_weight_fwd_loops_0: layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
@row_kernel
def _layer_normalization_no_weight_fwd_loops_0(
    x, _t1, eps, bias, mu_out, rstd_out, y_out
):
    _rows, _n = x.shape
    _float = x.dtype.type
    _zero = x.dtype.type(0.0)
    for _row in range(_rows):
        mu = _zero  # layer_normalization.yaml:20
        for _j in range(_n):
            mu += x[_row, _j]
        mu /= _float(_n)
        mu_out[_row, 0] = mu
        _t2 = _zero  # layer_normalization.yaml:22
        for _j in range(_n):
            centered = x[_row, _j] - mu  # layer_normalization.yaml:21
            _t2 += centered * centered
        variance = _t2 / _float(_t1)  # layer_normalization.yaml:22
        _t3 = variance + _float(eps)  # layer_normalization.yaml:23
        _t4 = math.sqrt(_t3)  # layer_normalization.yaml:23
        rstd = _float(1.0) / _t4  # layer_normalization.yaml:23
        rstd_out[_row, 0] = rstd
        for _j in range(_n):
            centered = x[_row, _j] - mu  # layer_normalization.yaml:21
            normalized = centered * rstd  # layer_normalization.yaml:24
            y = normalized + bias[_j]  # layer_normalization.yaml:25
            y_out[_row, _j] = y


@whole_rows
def _jit_forward_no_weight(x, weight, bias, eps):
    _t2 = x.shape[-1]
    mu = np.empty(x.shape[:-1] + (1,), x.dtype)
    rstd = np.empty(x.shape[:-1] + (1,), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_row_runs(
        _layer_normalization_no_weight_fwd_loops_0,
        rows(x),
        _t2,
        eps,
        bias,
        rows(mu),
        rows(rstd),
        rows(y),
    )
    return y, (x, bias, mu, rstd)


# layer_normalization_no_weight_bwd_loops_0: layers_spec/layers/layer_normalization.yaml:34,35,37,38,42
@row_kernel
def _layer_normalization_no_weight_bwd_loops_0(
    x, mu, rstd, grad_y, _t1, grad_bias_out, grad_x_out
):
    _rows, _n = x.shape
    _float = x.dtype.type
    _zero = x.dtype.type(0.0)
    grad_bias_sums = np.zeros(_n)
    grad_bias_part = np.zeros(_n, x.dtype)
    for _row in range(_rows):
        scale = rstd[_row, 0] / _float(_t1)  # layer_normalization.yaml:38
        _t2 = _zero  # layer_normalization.yaml:42
        _t3 = _zero  # layer_normalization.yaml:42
        for _j in range(_n):
            _t4 = x[_row, _j] - mu[_row, 0]  # layer_normalization.yaml:34
            x_hat = _t4 * rstd[_row, 0]  # layer_normalization.yaml:34
            p = grad_y[_row, _j] * x_hat  # layer_normalization.yaml:35
            grad_bias_part[_j] += grad_y[_row, _j]
            _t2 += p
            _t3 += grad_y[_row, _j]
        _t5 = _t2 * scale  # layer_normalization.yaml:42
        _t6 = _t3 * scale  # layer_normalization.yaml:42
        for _j in range(_n):
            _t4 = x[_row, _j] - mu[_row, 0]  # layer_normalization.yaml:34
            x_hat = _t4 * rstd[_row, 0]  # layer_normalization.yaml:34
            _t7 = grad_y[_row, _j] * rstd[_row, 0]  # layer_normalization.yaml:42
            _t8 = x_hat * _t5  # layer_normalization.yaml:42
            _t9 = _t7 - _t8  # layer_normalization.yaml:42
            grad_x = _t9 - _t6  # layer_normalization.yaml:42
            grad_x_out[_row, _j] = grad_x
        if _row % 64 == 63 or _row == _rows - 1:
            for _j in range(_n):
                grad_bias_sums[_j] += grad_bias_part[_j]
                grad_bias_part[_j] = _zero
    grad_bias_out[:] = grad_bias_sums


@whole_rows
def _jit_backward_no_weight(grad_y, x, bias, mu, rstd):
    _t6 = x.shape[-1]
    grad_bias = np.empty(grad_y.shape[-1:], grad_y.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(
        _layer_normalization_no_weight_bwd_loops_0,
        rows(x),
        rows(mu),
        rows(rstd),
        rows(grad_y),
        _t6,
        grad_bias,
        rows(grad_x),
        sums=(5,),
    )
    return grad_x, None, grad_bias


# layer_normalization_no_weight_no_bias_fwd_loops_0: layers_spec/layers/layer_normalization.yaml:20,21,22,23,24
@row_kernel
def _layer_normalization_no_weight_no_bias_fwd_loops_0(
    x, _t1, eps, mu_out, rstd_out, normalized_out
):
    _rows, _n = x.shape
    _float = x.dtype.type
    _zero = x.dtype.type(0.0)
    for _row in range(_rows):
        mu = _zero  # layer_normalization.yaml:20
        for _j in range(_n):
            mu += x[_row, _j]
        mu /= _float(_n)
        mu_out[_row, 0] = mu
        _t2 = _zero  # layer_normalization.yaml:22
        for _j in range(_n):
            centered = x[_row, _j] - mu  # layer_normalization.yaml:21
            _t2 += centered * centered
        variance = _t2 / _float(_t1)  # layer_normalization.yaml:22
        _t3 = variance + _float(eps)  # layer_normalization.yaml:23
        _t4 = math.sqrt(_t3)  # layer_normalization.yaml:23
        rstd = _float(1.0) / _t4  # layer_normalization.yaml:23
        rstd_out[_row, 0] = rstd
        for _j in range(_n):
            centered = x[_row, _j] - mu  # layer_normalization.yaml:21
            normalized = centered * rstd  # layer_normalization.yaml:24
            normalized_out[_row, _j] = normalized


@whole_rows
def _jit_forward_no_weight_no_bias(x, weight, bias, eps):
    _t2 = x.shape[-1]
    mu = np.empty(x.shape[:-1] + (1,), x.dtype)
    rstd = np.empty(x.shape[:-1] + (1,), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    in_row_runs(
        _layer_normalization_no_weight_no_bias_fwd_loops_0,
        rows(x),
        _t2,
        eps,
        rows(mu),
        rows(rstd),
        rows(normalized),
    )
    return normalized, (x, weight, mu, rstd)


# layer_normalization_no_weight_no_bias_bwd_loops_0: layers_spec/layers/layer_normalization.yaml:34,35,38,42
@row_kernel
def _layer_normalization_no_weight_no_bias_bwd_loops_0(
    x, mu, rstd, grad_y, _t1, grad_x_out
):
    _rows, _n = x.shape
    _float = x.dtype.type
    _zero = x.dtype.type(0.0)
    for _row in range(_rows):
        scale = rstd[_row, 0] / _float(_t1)  # layer_normalization.yaml:38
        _t2 = _zero  # layer_normalization.yaml:42
        _t3 = _zero  # layer_normalization.yaml:42
        for _j in range(_n):
            _t4 = x[_row, _j] - mu[_row, 0]  # layer_normalization.yaml:34
            x_hat = _t4 * rstd[_row, 0]  # layer_normalization.yaml:34
            p = grad_y[_row, _j] * x_hat  # layer_normalization.yaml:35
            _t2 += p
            _t3 += grad_y[_row, _j]
        _t5 = _t2 * scale  # layer_normalization.yaml:42
        _t6 = _t3 * scale  # layer_normalization.yaml:42
        for _j in range(_n):
            _t4 = x[_row, _j] - mu[_row, 0]  # layer_normalization.yaml:34
            x_hat = _t4 * rstd[_row, 0]  # layer_normalization.yaml:34
            _t7 = grad_y[_row, _j] * rstd[_row, 0]  # layer_normalization.yaml:42
            _t8 = x_hat * _t5  # layer_normalization.yaml:42
            _t9 = _t7 - _t8  # layer_normalization.yaml:42
            grad_x = _t9 - _t6  # layer_normalization.yaml:42
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward_no_weight_no_bias(grad_y, x, weight, mu, rstd):
    _t6 = x.shape[-1]
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(
        _layer_normalization_no_weight_no_bias_bwd_loops_0,
        rows(x),
        rows(mu),
        rows(rstd),
        rows(grad_y),
        _t6,
        rows(grad_x),
    )
    return grad_x, None, None


_JIT_VARIANTS = {
    (True, True): (_jit_forward, _jit_backward),
    (True, False): (_jit_forward_no_bias, _jit_backward_no_bias),
    (False, True): (_jit_forward_no_weight, _jit_backward_no_weight),
    (False, False): (_jit_forward_no_weight_no_bias, _jit_backward_no_weight_no_bias),
}
