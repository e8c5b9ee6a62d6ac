"""Readout: The read-out of a reservoir (echo state network), y = activation(x @ weight.T +
bias) with weight [out_features, in_features] drawn from U(-0.05, 0.05) and a zero bias
at initialisation. Vector activations act on the last axis through their exact
derivative.
Generated from layers_spec/layers/readout.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    activation_module,
    check_options,
)
from layerforge._cupy_runtime import ElementwiseKernel, ReductionKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
OUTPUTS = ("y",)


def forward(x, weight, bias, *, activation="identity", activation_options=None):
    """Readout forward pass.

    The read-out of a reservoir (echo state network), y = activation(x @ weight.T +
    bias) with weight [out_features, in_features] drawn from U(-0.05, 0.05) and a zero
    bias at initialisation. Vector activations act on the last axis through their exact
    derivative.

    Args:
        x: float32 or float64 input of shape [B, in_features]. A batch of reservoir
            states.
        weight: float32 or float64 parameter of shape [out_features, in_features].
        bias: float32 or float64 parameter of shape [out_features].
        activation: name of the activation applied to the result, default 'identity';
            identity, relu, sigmoid, tanh, softmax, gelu, silu are fused into
            specialized code, any other activation of layerforge.activations is
            composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "readout",
        {"x": x, "weight": weight, "bias": bias},
        {
            "x": ("B", "in_features"),
            "weight": ("out_features", "in_features"),
            "bias": ("out_features",),
        },
    )
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get(activation)
        if fused is not None:
            forward_variant, backward_variant = fused
            if options:
                check_options("readout", activation, options)
            y, saved = forward_variant(x, weight, bias, **options)
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("readout", activation)
        y_linear, linear_saved = _cupy_forward_identity(x, weight, bias)
        y, activation_ctx = module.forward(y_linear, **options)
        return y, (
            _cupy_backward_composed,
            (module, activation_ctx, linear_saved),
            (y.dtype, y.shape),
            None,
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get(activation)
    if fused is not None:
        forward_variant, backward_variant = fused
        if options:
            check_options("readout", activation, options)
        y, saved = forward_variant(x, weight, bias, **options)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("readout", activation)
    y_linear, linear_saved = _forward_identity(x, weight, bias)
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """Readout backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    backward_variant, saved = check_context(
        "readout", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_identity(x, weight, bias):
    z = x @ weight.T + bias
    return z, (x, weight)


def _backward_identity(grad_y, x, weight):
    grad_bias = np.sum(grad_y, axis=0)
    grad_x = grad_y @ weight
    grad_weight = grad_y.T @ x
    return grad_x, grad_weight, grad_bias


def _forward_relu(x, weight, bias):
    z = x @ weight.T + bias
    y = np.clip(z, 0, np.inf)
    return y, (x, weight, z)


def _backward_relu(grad_y, x, weight, z):
    grad_z = grad_y * (z > 0)
    grad_bias = np.sum(grad_z, axis=0)
    grad_x = grad_z @ weight
    grad_weight = grad_z.T @ x
    return grad_x, grad_weight, grad_bias


def _forward_sigmoid(x, weight, bias):
    z = x @ weight.T + bias
    y = _sigmoid(z)
    return y, (x, weight, y)


def _backward_sigmoid(grad_y, x, weight, y):
    grad_z = 1 - y
    grad_z *= grad_y
    grad_z *= y
    grad_bias = np.sum(grad_z, axis=0)
    grad_x = grad_z @ weight
    grad_weight = grad_z.T @ x
    return grad_x, grad_weight, grad_bias


def _forward_tanh(x, weight, bias):
    z = x @ weight.T + bias
    y = np.tanh(z, out=z)
    return y, (x, weight, y)


def _backward_tanh(grad_y, x, weight, y):
    grad_z = y * y
    np.subtract(1, grad_z, out=grad_z)
    grad_z *= grad_y
    grad_bias = np.sum(grad_z, axis=0)
    grad_x = grad_z @ weight
    grad_weight = grad_z.T @ x
    return grad_x, grad_weight, grad_bias


def _forward_softmax(x, weight, bias):
    z = x @ weight.T + bias
    softmax_shifted = np.subtract(z, _amax(z, -1), out=z)
    softmax_exponentials = np.exp(softmax_shifted, out=softmax_shifted)
    y = np.divide(
        softmax_exponentials, _sum(softmax_exponentials, -1), out=softmax_exponentials
    )
    return y, (x, weight, y)


def _backward_softmax(grad_y, x, weight, y):
    grad_z = grad_y - _sum(grad_y * y, -1)
    grad_z *= y
    grad_bias = np.sum(grad_z, axis=0)
    grad_x = grad_z @ weight
    grad_weight = grad_z.T @ x
    return grad_x, grad_weight, grad_bias


def _forward_gelu(x, weight, bias):
    z = x @ weight.T + bias
    gelu_inner = z * z
    gelu_inner *= z
    gelu_inner *= 0.044715
    gelu_inner += z
    gelu_inner *= 0.7978845608028654
    y = np.tanh(gelu_inner, out=gelu_inner)
    y += 1
    y *= 0.5
    y *= z
    return y, (x, weight, z)


def _backward_gelu(grad_y, x, weight, z):
    gelu_inner = z * z
    gelu_inner *= z
    gelu_inner *= 0.044715
    gelu_inner += z
    gelu_inner *= 0.7978845608028654
    _t1 = np.tanh(gelu_inner, out=gelu_inner)
    grad_gelu_inner = _t1 * _t1
    np.subtract(1, grad_gelu_inner, out=grad_gelu_inner)
    grad_gelu_inner *= grad_y
    grad_gelu_inner *= 0.5
    grad_gelu_inner *= z
    _t2 = grad_gelu_inner * 0.7978845608028654
    grad_z = np.add(1, _t1, out=_t1)
    grad_z *= grad_y
    grad_z *= 0.5
    grad_z += _t2
    _t3 = _t2 * 0.044715
    _t3 *= 3
    _t4 = z * z
    _t3 *= _t4
    grad_z += _t3
    grad_bias = np.sum(grad_z, axis=0)
    grad_x = grad_z @ weight
    grad_weight = grad_z.T @ x
    return grad_x, grad_weight, grad_bias


def _forward_silu(x, weight, bias):
    z = x @ weight.T + bias
    y = _sigmoid(z)
    y *= z
    return y, (x, weight, z)


def _backward_silu(grad_y, x, weight, z):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1
    _t2 = 1 - _t1
    _t2 *= grad_y
    _t2 *= z
    _t2 *= _t1
    grad_z += _t2
    grad_bias = np.sum(grad_z, axis=0)
    grad_x = grad_z @ weight
    grad_weight = grad_z.T @ x
    return grad_x, grad_weight, grad_bias


def _backward_composed(grad_y, module, activation_ctx, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return _backward_identity(grad_linear, *linear_saved)


_FUSED = {
    "identity": (_forward_identity, _backward_identity),
    "relu": (_forward_relu, _backward_relu),
    "sigmoid": (_forward_sigmoid, _backward_sigmoid),
    "tanh": (_forward_tanh, _backward_tanh),
    "softmax": (_forward_softmax, _backward_softmax),
    "gelu": (_forward_gelu, _backward_gelu),
    "silu": (_forward_silu, _backward_silu),
}


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


def _sigmoid(x, out=None):
    """Logistic sigmoid 1 / (1 + exp(-x)). Where exp(-x) overflows (x below about -88 in
    float32, -709 in float64) it is inf and the result is 0, less than the smallest
    normal number away from the true value: that overflow is expected, not reported.
    ``out``, if given, receives the result (it may be ``x`` itself)."""
    with np.errstate(over="ignore"):
        result = np.negative(x, out=out)
        np.exp(result, out=result)
    result += 1
    np.divide(1, result, out=result)
    return result


def _sum(x, axis):
    """The sum along ``axis`` (one axis or a tuple), kept as length-1 axes. Along the last
    axis of a float array it is a matrix-vector product with ones (BLAS), several times
    faster than NumPy's reduction loop on rows; over several trailing axes of a
    C-contiguous one (per-channel sums over H and W) those are flattened into one such
    product, and any leading axes are then summed over the much smaller result."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
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


# readout_identity_fwd_0: layers_spec/layers/readout.yaml:17
_readout_identity_fwd_0 = ElementwiseKernel(
    "readout_identity_fwd_0",
    "T _t1, T bias",
    "T z",
    """
    z = _t1 + bias;
    """,
)


def _cupy_forward_identity(x, weight, bias):
    _t1 = x @ weight.T
    z = _readout_identity_fwd_0(_t1, bias)
    return z, (x, weight)


def _cupy_backward_identity(grad_y, x, weight):
    import cupy as cp

    grad_bias = cp.sum(grad_y, axis=0)
    grad_x = grad_y @ weight
    grad_weight = grad_y.T @ x
    return grad_x, grad_weight, grad_bias


# readout_relu_fwd_0: layers_spec/layers/readout.yaml:17; layers_spec/activations/relu.yaml:8
_readout_relu_fwd_0 = ElementwiseKernel(
    "readout_relu_fwd_0",
    "T _t1, T bias",
    "T z, T y",
    """
    z = _t1 + bias;
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu(x, weight, bias):
    _t1 = x @ weight.T
    z, y = _readout_relu_fwd_0(_t1, bias)
    return y, (x, weight, z)


# readout_relu_bwd_0: layers_spec/primitives.yaml:252
_readout_relu_bwd_0 = ElementwiseKernel(
    "readout_relu_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t2 = z > T(0);
    grad_z = grad_y * _t2;
    """,
)


def _cupy_backward_relu(grad_y, x, weight, z):
    import cupy as cp

    grad_z = _readout_relu_bwd_0(z, grad_y)
    grad_bias = cp.sum(grad_z, axis=0)
    grad_x = grad_z @ weight
    grad_weight = grad_z.T @ x
    return grad_x, grad_weight, grad_bias


# readout_sigmoid_fwd_0: layers_spec/layers/readout.yaml:17; layers_spec/activations/sigmoid.yaml:8
_readout_sigmoid_fwd_0 = ElementwiseKernel(
    "readout_sigmoid_fwd_0",
    "T _t1, T bias",
    "T y",
    """
    T z = _t1 + bias;
    y = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    """,
)


def _cupy_forward_sigmoid(x, weight, bias):
    _t1 = x @ weight.T
    y = _readout_sigmoid_fwd_0(_t1, bias)
    return y, (x, weight, y)


# readout_sigmoid_bwd_0: layers_spec/primitives.yaml:201
_readout_sigmoid_bwd_0 = ElementwiseKernel(
    "readout_sigmoid_bwd_0",
    "T grad_y, T y",
    "T grad_z",
    """
    T _t2 = grad_y * y;
    T _t3 = T(1) - y;
    grad_z = _t2 * _t3;
    """,
)


def _cupy_backward_sigmoid(grad_y, x, weight, y):
    import cupy as cp

    grad_z = _readout_sigmoid_bwd_0(grad_y, y)
    grad_bias = cp.sum(grad_z, axis=0)
    grad_x = grad_z @ weight
    grad_weight = grad_z.T @ x
    return grad_x, grad_weight, grad_bias


# readout_tanh_fwd_0: layers_spec/layers/readout.yaml:17; layers_spec/activations/tanh.yaml:8
_readout_tanh_fwd_0 = ElementwiseKernel(
    "readout_tanh_fwd_0",
    "T _t1, T bias",
    "T y",
    """
    T z = _t1 + bias;
    y = tanh(z);
    """,
)


def _cupy_forward_tanh(x, weight, bias):
    _t1 = x @ weight.T
    y = _readout_tanh_fwd_0(_t1, bias)
    return y, (x, weight, y)


# readout_tanh_bwd_0: layers_spec/primitives.yaml:180
_readout_tanh_bwd_0 = ElementwiseKernel(
    "readout_tanh_bwd_0",
    "T y, T grad_y",
    "T grad_z",
    """
    T _t2 = y * y;
    T _t3 = T(1) - _t2;
    grad_z = grad_y * _t3;
    """,
)


def _cupy_backward_tanh(grad_y, x, weight, y):
    import cupy as cp

    grad_z = _readout_tanh_bwd_0(y, grad_y)
    grad_bias = cp.sum(grad_z, axis=0)
    grad_x = grad_z @ weight
    grad_weight = grad_z.T @ x
    return grad_x, grad_weight, grad_bias


# readout_softmax_fwd_0: layers_spec/layers/readout.yaml:17
_readout_softmax_fwd_0 = ElementwiseKernel(
    "readout_softmax_fwd_0",
    "T _t1, T bias",
    "T z",
    """
    z = _t1 + bias;
    """,
)


# readout_softmax_fwd_1: layers_spec/activations/softmax.yaml:8
_readout_softmax_fwd_1 = ReductionKernel(
    "readout_softmax_fwd_1",
    "T X0",
    map_expr="readout_softmax_fwd_1_map(X0)",
    reduce_expr="(a > b || a != a) ? a : b",
    identity="__longlong_as_double(0xfff0000000000000ULL)",
    preamble="""
    template <typename T>
    __device__ T readout_softmax_fwd_1_map(const T z) {
        return z;
    }
    """,
)


# readout_softmax_fwd_2: layers_spec/activations/softmax.yaml:8,9
_readout_softmax_fwd_2 = ElementwiseKernel(
    "readout_softmax_fwd_2",
    "T z, T _t3",
    "T softmax_exponentials",
    """
    T softmax_shifted = z - _t3;
    softmax_exponentials = exp(softmax_shifted);
    """,
)


# readout_softmax_fwd_3: layers_spec/activations/softmax.yaml:10
_readout_softmax_fwd_3 = ReductionKernel(
    "readout_softmax_fwd_3",
    "T X0",
    map_expr="readout_softmax_fwd_3_map(X0)",
    reduce_expr="a + b",
    identity="0",
    preamble="""
    template <typename T>
    __device__ T readout_softmax_fwd_3_map(const T softmax_exponentials) {
        return softmax_exponentials;
    }
    """,
)


# readout_softmax_fwd_4: layers_spec/activations/softmax.yaml:10
_readout_softmax_fwd_4 = ElementwiseKernel(
    "readout_softmax_fwd_4",
    "T softmax_exponentials, T _t4",
    "T y",
    """
    y = softmax_exponentials / _t4;
    """,
)


def _cupy_forward_softmax(x, weight, bias):
    _t1 = x @ weight.T
    z = _readout_softmax_fwd_0(_t1, bias)
    _t2 = _readout_softmax_fwd_1(z)
    _t3 = _t2
    softmax_exponentials = _readout_softmax_fwd_2(z, _t3)
    _t4 = _readout_softmax_fwd_3(softmax_exponentials)
    y = _readout_softmax_fwd_4(softmax_exponentials, _t4)
    return y, (x, weight, y)


# readout_softmax_bwd_0: layers_spec/activations/softmax.yaml:12
_readout_softmax_bwd_0 = ReductionKernel(
    "readout_softmax_bwd_0",
    "T X0, T X1",
    map_expr="readout_softmax_bwd_0_map(X0, X1)",
    reduce_expr="a + b",
    identity="0",
    preamble="""
    template <typename T>
    __device__ T readout_softmax_bwd_0_map(const T grad_y, const T y) {
        T _t5 = grad_y * y;
        return _t5;
    }
    """,
)


# readout_softmax_bwd_1: layers_spec/activations/softmax.yaml:12
_readout_softmax_bwd_1 = ElementwiseKernel(
    "readout_softmax_bwd_1",
    "T grad_y, T _t6, T y",
    "T grad_z",
    """
    T _t7 = grad_y - _t6;
    grad_z = y * _t7;
    """,
)


def _cupy_backward_softmax(grad_y, x, weight, y):
    import cupy as cp

    _t6 = _readout_softmax_bwd_0(grad_y, y)
    grad_z = _readout_softmax_bwd_1(grad_y, _t6, y)
    grad_bias = cp.sum(grad_z, axis=0)
    grad_x = grad_z @ weight
    grad_weight = grad_z.T @ x
    return grad_x, grad_weight, grad_bias


# readout_gelu_fwd_0: layers_spec/layers/readout.yaml:17; layers_spec/activations/gelu.yaml:10,11
_readout_gelu_fwd_0 = ElementwiseKernel(
    "readout_gelu_fwd_0",
    "T _t1, T bias",
    "T z, T y",
    """
    z = _t1 + bias;
    T _t2 = z * z * z;
    T _t3 = T(0.044715) * _t2;
    T _t4 = z + _t3;
    T gelu_inner = T(0.7978845608028654) * _t4;
    T _t5 = T(0.5) * z;
    T _t6 = tanh(gelu_inner);
    T _t7 = T(1) + _t6;
    y = _t5 * _t7;
    """,
)


def _cupy_forward_gelu(x, weight, bias):
    _t1 = x @ weight.T
    z, y = _readout_gelu_fwd_0(_t1, bias)
    return y, (x, weight, z)


# readout_gelu_bwd_0: layers_spec/activations/gelu.yaml:10,11; layers_spec/primitives.yaml:61,62,180,90
_readout_gelu_bwd_0 = ElementwiseKernel(
    "readout_gelu_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t2 = z * z * z;
    T _t3 = T(0.044715) * _t2;
    T _t4 = z + _t3;
    T gelu_inner = T(0.7978845608028654) * _t4;
    T _t5 = T(0.5) * z;
    T _t6 = tanh(gelu_inner);
    T _t7 = T(1) + _t6;
    T _t8 = grad_y * _t7;
    T _t9 = grad_y * _t5;
    T _t10 = _t6 * _t6;
    T _t11 = T(1) - _t10;
    T grad_gelu_inner = _t9 * _t11;
    T _t13 = _t8 * T(0.5);
    T _t14 = grad_gelu_inner * T(0.7978845608028654);
    T _t15 = _t14 * T(0.044715);
    T _t16 = _t15 * T(3);
    T _t17 = z * z;
    T _t18 = _t16 * _t17;
    T _t19 = _t13 + _t14;
    grad_z = _t19 + _t18;
    """,
)


def _cupy_backward_gelu(grad_y, x, weight, z):
    import cupy as cp

    grad_z = _readout_gelu_bwd_0(z, grad_y)
    grad_bias = cp.sum(grad_z, axis=0)
    grad_x = grad_z @ weight
    grad_weight = grad_z.T @ x
    return grad_x, grad_weight, grad_bias


# readout_silu_fwd_0: layers_spec/layers/readout.yaml:17; layers_spec/activations/silu.yaml:8
_readout_silu_fwd_0 = ElementwiseKernel(
    "readout_silu_fwd_0",
    "T _t1, T bias",
    "T z, T y",
    """
    z = _t1 + bias;
    T _t2 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    y = z * _t2;
    """,
)


def _cupy_forward_silu(x, weight, bias):
    _t1 = x @ weight.T
    z, y = _readout_silu_fwd_0(_t1, bias)
    return y, (x, weight, z)


# readout_silu_bwd_0: layers_spec/activations/silu.yaml:8; layers_spec/primitives.yaml:61,62,201
_readout_silu_bwd_0 = ElementwiseKernel(
    "readout_silu_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t2 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    T _t3 = grad_y * _t2;
    T _t4 = grad_y * z;
    T _t5 = _t4 * _t2;
    T _t6 = T(1) - _t2;
    T _t7 = _t5 * _t6;
    grad_z = _t3 + _t7;
    """,
)


def _cupy_backward_silu(grad_y, x, weight, z):
    import cupy as cp

    grad_z = _readout_silu_bwd_0(z, grad_y)
    grad_bias = cp.sum(grad_z, axis=0)
    grad_x = grad_z @ weight
    grad_weight = grad_z.T @ x
    return grad_x, grad_weight, grad_bias


def _cupy_backward_composed(grad_y, module, activation_ctx, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return _cupy_backward_identity(grad_linear, *linear_saved)


_CUPY_FUSED = {
    "identity": (_cupy_forward_identity, _cupy_backward_identity),
    "relu": (_cupy_forward_relu, _cupy_backward_relu),
    "sigmoid": (_cupy_forward_sigmoid, _cupy_backward_sigmoid),
    "tanh": (_cupy_forward_tanh, _cupy_backward_tanh),
    "softmax": (_cupy_forward_softmax, _cupy_backward_softmax),
    "gelu": (_cupy_forward_gelu, _cupy_backward_gelu),
    "silu": (_cupy_forward_silu, _cupy_backward_silu),
}
