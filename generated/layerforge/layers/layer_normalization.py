"""LayerNormalization: Normalizes each feature vector over the last axis to zero mean and
unit variance (the biased variance), then scales and shifts it, y = (x - mean) /
sqrt(var + epsilon) * weight + bias, as torch.nn.LayerNorm(F).
Generated from layers_spec/layers/layer_normalization.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_nonempty,
    in_row_blocks,
)
from layerforge._cupy_runtime import ElementwiseKernel, ReductionKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
OUTPUTS = ("y",)


def forward(x, weight, bias, *, epsilon=1e-05):
    """LayerNormalization forward pass.

    Normalizes each feature vector over the last axis to zero mean and unit variance
    (the biased variance), then scales and shifts it, y = (x - mean) / sqrt(var +
    epsilon) * weight + bias, as torch.nn.LayerNorm(F).

    Args:
        x: float32 or float64 input of shape [..., F].
        weight: float32 or float64 parameter of shape [F]. Per-feature scale (gamma), 1
            at initialisation.
        bias: float32 or float64 parameter of shape [F]. Per-feature shift (beta), 0 at
            initialisation.
        epsilon: float, default 1e-05. Added to the variance.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "layer_normalization",
        {"x": x, "weight": weight, "bias": bias},
        {"x": ("...", "F"), "weight": ("F",), "bias": ("F",)},
    )
    check_attribute("layer_normalization", "epsilon", epsilon, "float", minimum=0.0)
    check_nonempty("layer_normalization", "x", x.shape, -1)
    if on_gpu(x):
        y, saved = _cupy_forward(x, weight, bias, epsilon)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(
        _forward,
        x,
        weight,
        bias,
        epsilon,
        outs=("out_y", None, None, "out_rstd", "out_normalized"),
    )
    return y, (_backward, saved, (y.dtype, y.shape), None)


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
    return in_row_blocks(backward_variant, grad_y, *saved, sums=2, outs=("out_grad_x",))


def _forward(
    x, weight, bias, epsilon, *, out_y=None, out_rstd=None, out_normalized=None
):
    mu = _mean(x, -1)
    centered = x - mu
    variance = _dot_last(centered, centered) / x.shape[-1]
    rstd = np.add(variance, epsilon, out=out_rstd)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=out_normalized)
    y = np.multiply(normalized, weight, out=out_y)
    y += bias
    return y, (x, weight, rstd, normalized)


def _backward(grad_y, x, weight, rstd, normalized, *, out_grad_x=None):
    p = grad_y * normalized
    grad_weight = _sum_to(p, weight.shape)
    grad_bias = _sum_to(grad_y, weight.shape)
    scale = rstd / x.shape[-1]
    grad_x = np.multiply(grad_y, weight, out=out_grad_x)
    grad_x *= rstd
    _t1 = normalized * (_dot_last(p, weight) * scale)
    grad_x -= _t1
    grad_x -= _dot_last(grad_y, weight) * scale
    return grad_x, grad_weight, grad_bias


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


# layer_normalization_fwd_0: layers_spec/layers/layer_normalization.yaml:17
_layer_normalization_fwd_0 = ReductionKernel(
    "layer_normalization_fwd_0",
    "T X0",
    map_expr="layer_normalization_fwd_0_map(X0)",
    reduce_expr="a + b",
    identity="0",
    mean=True,
    preamble="""
    template <typename T>
    __device__ T layer_normalization_fwd_0_map(const T x) {
        return x;
    }
    """,
)


# layer_normalization_fwd_1: layers_spec/layers/layer_normalization.yaml:18
_layer_normalization_fwd_1 = ElementwiseKernel(
    "layer_normalization_fwd_1",
    "T x, T mu",
    "T centered",
    """
    centered = x - mu;
    """,
)


# layer_normalization_fwd_2: layers_spec/layers/layer_normalization.yaml:19,20
_layer_normalization_fwd_2 = ElementwiseKernel(
    "layer_normalization_fwd_2",
    "T _t1, int32 _t2, T epsilon",
    "T rstd",
    """
    T variance = _t1 / _t2;
    T _t3 = variance + epsilon;
    T _t4 = sqrt(_t3);
    rstd = T(1) / _t4;
    """,
    scalars=("_t2", "epsilon"),
)


# layer_normalization_fwd_3: layers_spec/layers/layer_normalization.yaml:21,22
_layer_normalization_fwd_3 = ElementwiseKernel(
    "layer_normalization_fwd_3",
    "T centered, T rstd, T weight, T bias",
    "T normalized, T y",
    """
    normalized = centered * rstd;
    T _t5 = normalized * weight;
    y = _t5 + bias;
    """,
)


def _cupy_forward(x, weight, bias, epsilon):
    mu = _layer_normalization_fwd_0(x)
    centered = _layer_normalization_fwd_1(x, mu)
    _t1 = _cupy_dot_last(centered, centered)
    _t2 = x.shape[-1]
    rstd = _layer_normalization_fwd_2(_t1, _t2, epsilon)
    normalized, y = _layer_normalization_fwd_3(centered, rstd, weight, bias)
    return y, (x, weight, rstd, normalized)


# layer_normalization_bwd_0: layers_spec/layers/layer_normalization.yaml:28
_layer_normalization_bwd_0 = ElementwiseKernel(
    "layer_normalization_bwd_0",
    "T grad_y, T normalized",
    "T p",
    """
    p = grad_y * normalized;
    """,
)


# layer_normalization_bwd_1: layers_spec/layers/layer_normalization.yaml:31
_layer_normalization_bwd_1 = ElementwiseKernel(
    "layer_normalization_bwd_1",
    "T rstd, int32 _t6",
    "T scale",
    """
    scale = rstd / _t6;
    """,
    scalars=("_t6",),
)


# layer_normalization_bwd_2: layers_spec/layers/layer_normalization.yaml:32
_layer_normalization_bwd_2 = ElementwiseKernel(
    "layer_normalization_bwd_2",
    "T grad_y, T weight, T rstd",
    "T _t8",
    """
    T _t7 = grad_y * weight;
    _t8 = _t7 * rstd;
    """,
)


# layer_normalization_bwd_3: layers_spec/layers/layer_normalization.yaml:32
_layer_normalization_bwd_3 = ElementwiseKernel(
    "layer_normalization_bwd_3",
    "T _t9, T scale",
    "T _t10",
    """
    _t10 = _t9 * scale;
    """,
)


# layer_normalization_bwd_4: layers_spec/layers/layer_normalization.yaml:32
_layer_normalization_bwd_4 = ElementwiseKernel(
    "layer_normalization_bwd_4",
    "T normalized, T _t10, T _t8",
    "T _t12",
    """
    T _t11 = normalized * _t10;
    _t12 = _t8 - _t11;
    """,
)


# layer_normalization_bwd_5: layers_spec/layers/layer_normalization.yaml:32
_layer_normalization_bwd_5 = ElementwiseKernel(
    "layer_normalization_bwd_5",
    "T _t13, T scale",
    "T _t14",
    """
    _t14 = _t13 * scale;
    """,
)


# layer_normalization_bwd_6: layers_spec/layers/layer_normalization.yaml:32
_layer_normalization_bwd_6 = ElementwiseKernel(
    "layer_normalization_bwd_6",
    "T _t12, T _t14",
    "T grad_x",
    """
    grad_x = _t12 - _t14;
    """,
)


def _cupy_backward(grad_y, x, weight, rstd, normalized):
    p = _layer_normalization_bwd_0(grad_y, normalized)
    grad_weight = _cupy_sum_to(p, weight.shape)
    grad_bias = _cupy_sum_to(grad_y, weight.shape)
    _t6 = x.shape[-1]
    scale = _layer_normalization_bwd_1(rstd, _t6)
    _t8 = _layer_normalization_bwd_2(grad_y, weight, rstd)
    _t9 = _cupy_dot_last(p, weight)
    _t10 = _layer_normalization_bwd_3(_t9, scale)
    _t12 = _layer_normalization_bwd_4(normalized, _t10, _t8)
    _t13 = _cupy_dot_last(grad_y, weight)
    _t14 = _layer_normalization_bwd_5(_t13, scale)
    grad_x = _layer_normalization_bwd_6(_t12, _t14)
    return grad_x, grad_weight, grad_bias


def _cupy_dot_last(a, b):
    """The sum over the last axis of a * b, kept as a length-1 axis, as matrix products
    (BLAS) that never form a * b: with a vector b [F] one matrix-vector product, with
    rows b [..., F] a stack of row-times-column ones."""
    import cupy as cp

    if b.ndim == 1:
        return cp.matmul(a, b)[..., None]
    return cp.matmul(a[..., None, :], b[..., :, None])[..., 0]


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
