"""LayerNormalization: Normalizes each feature vector over the last axis to zero mean and
unit variance (the biased variance), then scales and shifts it, y = (x - mean) /
sqrt(var + epsilon) * weight + bias, as torch.nn.LayerNorm(F).
Generated from layers_spec/layers/layer_normalization.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_attribute, in_row_blocks
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
    if on_gpu(x):
        y, saved = _cupy_forward(x, weight, bias, epsilon)
        return y, (_cupy_backward, saved)
    y, saved = in_row_blocks(_forward, x, weight, bias, epsilon, outs=("out_y",))
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """LayerNormalization backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    check_arrays("layer_normalization", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return in_row_blocks(backward_variant, grad_y, *saved, sums=2, outs=("out_grad_x",))


def _forward(x, weight, bias, epsilon, *, out_y=None):
    mu = _mean(x, -1)
    centered = x - mu
    variance = _mean(centered * centered, -1)
    rstd = np.add(variance, epsilon, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    y = np.multiply(normalized, weight, out=out_y)
    y += bias
    return y, (weight, rstd, normalized)


def _backward(grad_y, weight, rstd, normalized, *, out_grad_x=None):
    grad_normalized = grad_y * weight
    grad_x = np.subtract(grad_normalized, _mean(grad_normalized, -1), out=out_grad_x)
    _t1 = normalized * _mean(grad_normalized * normalized, -1)
    grad_x -= _t1
    grad_x *= rstd
    grad_weight = _sum_to(grad_y * normalized, weight.shape)
    grad_bias = _sum_to(grad_y, weight.shape)
    return grad_x, grad_weight, grad_bias


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


# layer_normalization_fwd_0: layers_spec/layers/layer_normalization.yaml:16
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


# layer_normalization_fwd_1: layers_spec/layers/layer_normalization.yaml:17
_layer_normalization_fwd_1 = ElementwiseKernel(
    "layer_normalization_fwd_1",
    "T x, T mu",
    "T centered",
    """
    centered = x - mu;
    """,
)


# layer_normalization_fwd_2: layers_spec/layers/layer_normalization.yaml:18
_layer_normalization_fwd_2 = ReductionKernel(
    "layer_normalization_fwd_2",
    "T X0",
    map_expr="layer_normalization_fwd_2_map(X0)",
    reduce_expr="a + b",
    identity="0",
    mean=True,
    preamble="""
    template <typename T>
    __device__ T layer_normalization_fwd_2_map(const T centered) {
        T _t1 = centered * centered;
        return _t1;
    }
    """,
)


# layer_normalization_fwd_3: layers_spec/layers/layer_normalization.yaml:19
_layer_normalization_fwd_3 = ElementwiseKernel(
    "layer_normalization_fwd_3",
    "T variance, T epsilon",
    "T rstd",
    """
    T _t2 = variance + epsilon;
    T _t3 = sqrt(_t2);
    rstd = T(1) / _t3;
    """,
    scalars=("epsilon",),
)


# layer_normalization_fwd_4: layers_spec/layers/layer_normalization.yaml:20,21
_layer_normalization_fwd_4 = ElementwiseKernel(
    "layer_normalization_fwd_4",
    "T centered, T rstd, T weight, T bias",
    "T normalized, T y",
    """
    normalized = centered * rstd;
    T _t4 = normalized * weight;
    y = _t4 + bias;
    """,
)


def _cupy_forward(x, weight, bias, epsilon):
    mu = _layer_normalization_fwd_0(x)
    centered = _layer_normalization_fwd_1(x, mu)
    variance = _layer_normalization_fwd_2(centered)
    rstd = _layer_normalization_fwd_3(variance, epsilon)
    normalized, y = _layer_normalization_fwd_4(centered, rstd, weight, bias)
    return y, (weight, rstd, normalized)


# layer_normalization_bwd_0: layers_spec/layers/layer_normalization.yaml:23
_layer_normalization_bwd_0 = ElementwiseKernel(
    "layer_normalization_bwd_0",
    "T grad_y, T weight",
    "T grad_normalized",
    """
    grad_normalized = grad_y * weight;
    """,
)


# layer_normalization_bwd_1: layers_spec/layers/layer_normalization.yaml:24
_layer_normalization_bwd_1 = ReductionKernel(
    "layer_normalization_bwd_1",
    "T X0",
    map_expr="layer_normalization_bwd_1_map(X0)",
    reduce_expr="a + b",
    identity="0",
    mean=True,
    preamble="""
    template <typename T>
    __device__ T layer_normalization_bwd_1_map(const T grad_normalized) {
        return grad_normalized;
    }
    """,
)


# layer_normalization_bwd_2: layers_spec/layers/layer_normalization.yaml:24
_layer_normalization_bwd_2 = ElementwiseKernel(
    "layer_normalization_bwd_2",
    "T grad_normalized, T _t5",
    "T _t6",
    """
    _t6 = grad_normalized - _t5;
    """,
)


# layer_normalization_bwd_3: layers_spec/layers/layer_normalization.yaml:24
_layer_normalization_bwd_3 = ReductionKernel(
    "layer_normalization_bwd_3",
    "T X0, T X1",
    map_expr="layer_normalization_bwd_3_map(X0, X1)",
    reduce_expr="a + b",
    identity="0",
    mean=True,
    preamble="""
    template <typename T>
    __device__ T layer_normalization_bwd_3_map(const T grad_normalized, const T normalized) {
        T _t7 = grad_normalized * normalized;
        return _t7;
    }
    """,
)


# layer_normalization_bwd_4: layers_spec/layers/layer_normalization.yaml:24,25
_layer_normalization_bwd_4 = ElementwiseKernel(
    "layer_normalization_bwd_4",
    "T normalized, T _t8, T _t6, T rstd, T grad_y",
    "T grad_x, T _t11",
    """
    T _t9 = normalized * _t8;
    T _t10 = _t6 - _t9;
    grad_x = rstd * _t10;
    _t11 = grad_y * normalized;
    """,
)


def _cupy_backward(grad_y, weight, rstd, normalized):
    grad_normalized = _layer_normalization_bwd_0(grad_y, weight)
    _t5 = _layer_normalization_bwd_1(grad_normalized)
    _t6 = _layer_normalization_bwd_2(grad_normalized, _t5)
    _t8 = _layer_normalization_bwd_3(grad_normalized, normalized)
    grad_x, _t11 = _layer_normalization_bwd_4(normalized, _t8, _t6, rstd, grad_y)
    grad_weight = _cupy_sum_to(_t11, weight.shape)
    grad_bias = _cupy_sum_to(grad_y, weight.shape)
    return grad_x, grad_weight, grad_bias


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
