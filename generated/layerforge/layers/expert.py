"""Expert: One expert of a mixture of experts, the preset of AiDotNet's builder: y =
activation(fc2(relu(fc1(x)))), two fully connected layers with weights in
torch.nn.Linear layout, ReLU between them (fixed), the output activation the slot
(identity by default).
Generated from layers_spec/layers/expert.yaml by the layerforge transpiler 0.1.0.
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
PARAMETERS = ("fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias")
OUTPUTS = ("y",)


def forward(
    x,
    fc1_weight,
    fc1_bias,
    fc2_weight,
    fc2_bias,
    *,
    activation="identity",
    activation_options=None,
):
    """Expert forward pass.

    One expert of a mixture of experts, the preset of AiDotNet's builder: y =
    activation(fc2(relu(fc1(x)))), two fully connected layers with weights in
    torch.nn.Linear layout, ReLU between them (fixed), the output activation the slot
    (identity by default).

    Args:
        x: float32 or float64 input of shape [B, in_features]. A batch of feature
            vectors.
        fc1_weight: float32 or float64 parameter of shape [hidden_features,
            in_features].
        fc1_bias: float32 or float64 parameter of shape [hidden_features].
        fc2_weight: float32 or float64 parameter of shape [out_features,
            hidden_features].
        fc2_bias: float32 or float64 parameter of shape [out_features].
        activation: name of the activation applied to the result, default 'identity';
            identity, relu, tanh, softmax, gelu, silu are fused into specialized code,
            any other activation of layerforge.activations is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "expert",
        {
            "x": x,
            "fc1_weight": fc1_weight,
            "fc1_bias": fc1_bias,
            "fc2_weight": fc2_weight,
            "fc2_bias": fc2_bias,
        },
        {
            "x": ("B", "in_features"),
            "fc1_weight": ("hidden_features", "in_features"),
            "fc1_bias": ("hidden_features",),
            "fc2_weight": ("out_features", "hidden_features"),
            "fc2_bias": ("out_features",),
        },
    )
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get(activation)
        if fused is not None:
            forward_variant, backward_variant = fused
            if options:
                check_options("expert", activation, options)
            y, saved = forward_variant(
                x, fc1_weight, fc1_bias, fc2_weight, fc2_bias, **options
            )
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("expert", activation)
        y_linear, linear_saved = _cupy_forward_identity(
            x, fc1_weight, fc1_bias, fc2_weight, fc2_bias
        )
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
            check_options("expert", activation, options)
        y, saved = forward_variant(
            x, fc1_weight, fc1_bias, fc2_weight, fc2_bias, **options
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("expert", activation)
    y_linear, linear_saved = _forward_identity(
        x, fc1_weight, fc1_bias, fc2_weight, fc2_bias
    )
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """Expert backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias:
            gradients with respect to x, fc1_weight, fc1_bias, fc2_weight, fc2_bias, in
            that order.
    """
    backward_variant, saved = check_context("expert", __name__, ctx, {"grad_y": grad_y})
    return backward_variant(grad_y, *saved)


def _forward_identity(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = x @ fc1_weight.T + fc1_bias
    hidden = np.clip(_t1, 0, np.inf)
    z = hidden @ fc2_weight.T + fc2_bias
    return z, (x, fc1_weight, fc2_weight, _t1)


def _backward_identity(grad_y, x, fc1_weight, fc2_weight, _t1):
    hidden = np.clip(_t1, 0, np.inf)
    grad_fc2_bias = np.sum(grad_y, axis=0)
    grad_hidden = grad_y @ fc2_weight
    grad_fc2_weight = grad_y.T @ hidden
    _t2 = np.multiply(grad_hidden, _t1 > 0, out=hidden)
    grad_fc1_bias = np.sum(_t2, axis=0)
    grad_x = _t2 @ fc1_weight
    grad_fc1_weight = _t2.T @ x
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _forward_relu(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = x @ fc1_weight.T + fc1_bias
    hidden = np.clip(_t1, 0, np.inf)
    z = hidden @ fc2_weight.T + fc2_bias
    y = np.clip(z, 0, np.inf)
    return y, (x, fc1_weight, fc2_weight, _t1, z)


def _backward_relu(grad_y, x, fc1_weight, fc2_weight, _t1, z):
    hidden = np.clip(_t1, 0, np.inf)
    grad_z = grad_y * (z > 0)
    grad_fc2_bias = np.sum(grad_z, axis=0)
    grad_hidden = grad_z @ fc2_weight
    grad_fc2_weight = grad_z.T @ hidden
    _t2 = np.multiply(grad_hidden, _t1 > 0, out=hidden)
    grad_fc1_bias = np.sum(_t2, axis=0)
    grad_x = _t2 @ fc1_weight
    grad_fc1_weight = _t2.T @ x
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _forward_tanh(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = x @ fc1_weight.T + fc1_bias
    hidden = np.clip(_t1, 0, np.inf)
    z = hidden @ fc2_weight.T + fc2_bias
    y = np.tanh(z, out=z)
    return y, (x, fc1_weight, fc2_weight, _t1, y)


def _backward_tanh(grad_y, x, fc1_weight, fc2_weight, _t1, y):
    hidden = np.clip(_t1, 0, np.inf)
    grad_z = y * y
    np.subtract(1, grad_z, out=grad_z)
    grad_z *= grad_y
    grad_fc2_bias = np.sum(grad_z, axis=0)
    grad_hidden = grad_z @ fc2_weight
    grad_fc2_weight = grad_z.T @ hidden
    _t2 = np.multiply(grad_hidden, _t1 > 0, out=hidden)
    grad_fc1_bias = np.sum(_t2, axis=0)
    grad_x = _t2 @ fc1_weight
    grad_fc1_weight = _t2.T @ x
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _forward_softmax(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = x @ fc1_weight.T + fc1_bias
    hidden = np.clip(_t1, 0, np.inf)
    z = hidden @ fc2_weight.T + fc2_bias
    softmax_shifted = np.subtract(z, _amax(z, -1), out=z)
    softmax_exponentials = np.exp(softmax_shifted, out=softmax_shifted)
    y = np.divide(
        softmax_exponentials, _sum(softmax_exponentials, -1), out=softmax_exponentials
    )
    return y, (x, fc1_weight, fc2_weight, _t1, y)


def _backward_softmax(grad_y, x, fc1_weight, fc2_weight, _t1, y):
    hidden = np.clip(_t1, 0, np.inf)
    grad_z = grad_y - _sum(grad_y * y, -1)
    grad_z *= y
    grad_fc2_bias = np.sum(grad_z, axis=0)
    grad_hidden = grad_z @ fc2_weight
    grad_fc2_weight = grad_z.T @ hidden
    _t2 = np.multiply(grad_hidden, _t1 > 0, out=hidden)
    grad_fc1_bias = np.sum(_t2, axis=0)
    grad_x = _t2 @ fc1_weight
    grad_fc1_weight = _t2.T @ x
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _forward_gelu(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = x @ fc1_weight.T + fc1_bias
    hidden = np.clip(_t1, 0, np.inf)
    z = hidden @ fc2_weight.T + fc2_bias
    gelu_inner = z * z
    gelu_inner *= z
    gelu_inner *= 0.044715
    gelu_inner += z
    gelu_inner *= 0.7978845608028654
    y = np.tanh(gelu_inner, out=gelu_inner)
    y += 1
    y *= 0.5
    y *= z
    return y, (x, fc1_weight, fc2_weight, _t1, z)


def _backward_gelu(grad_y, x, fc1_weight, fc2_weight, _t1, z):
    hidden = np.clip(_t1, 0, np.inf)
    gelu_inner = z * z
    gelu_inner *= z
    gelu_inner *= 0.044715
    gelu_inner += z
    gelu_inner *= 0.7978845608028654
    _t2 = np.tanh(gelu_inner, out=gelu_inner)
    grad_gelu_inner = _t2 * _t2
    np.subtract(1, grad_gelu_inner, out=grad_gelu_inner)
    grad_gelu_inner *= grad_y
    grad_gelu_inner *= 0.5
    grad_gelu_inner *= z
    _t3 = grad_gelu_inner * 0.7978845608028654
    grad_z = np.add(1, _t2, out=_t2)
    grad_z *= grad_y
    grad_z *= 0.5
    grad_z += _t3
    _t4 = _t3 * 0.044715
    _t4 *= 3
    _t5 = z * z
    _t4 *= _t5
    grad_z += _t4
    grad_fc2_bias = np.sum(grad_z, axis=0)
    grad_hidden = grad_z @ fc2_weight
    grad_fc2_weight = grad_z.T @ hidden
    _t6 = np.multiply(grad_hidden, _t1 > 0, out=hidden)
    grad_fc1_bias = np.sum(_t6, axis=0)
    grad_x = _t6 @ fc1_weight
    grad_fc1_weight = _t6.T @ x
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _forward_silu(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = x @ fc1_weight.T + fc1_bias
    hidden = np.clip(_t1, 0, np.inf)
    z = hidden @ fc2_weight.T + fc2_bias
    y = _sigmoid(z)
    y *= z
    return y, (x, fc1_weight, fc2_weight, _t1, z)


def _backward_silu(grad_y, x, fc1_weight, fc2_weight, _t1, z):
    hidden = np.clip(_t1, 0, np.inf)
    _t2 = _sigmoid(z)
    grad_z = grad_y * _t2
    _t3 = 1 - _t2
    _t3 *= grad_y
    _t3 *= z
    _t3 *= _t2
    grad_z += _t3
    grad_fc2_bias = np.sum(grad_z, axis=0)
    grad_hidden = grad_z @ fc2_weight
    grad_fc2_weight = grad_z.T @ hidden
    _t4 = np.multiply(grad_hidden, _t1 > 0, out=hidden)
    grad_fc1_bias = np.sum(_t4, axis=0)
    grad_x = _t4 @ fc1_weight
    grad_fc1_weight = _t4.T @ x
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _backward_composed(grad_y, module, activation_ctx, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return _backward_identity(grad_linear, *linear_saved)


_FUSED = {
    "identity": (_forward_identity, _backward_identity),
    "relu": (_forward_relu, _backward_relu),
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


# expert_identity_fwd_0: layers_spec/layers/expert.yaml:19
_expert_identity_fwd_0 = ElementwiseKernel(
    "expert_identity_fwd_0",
    "T _t1, T fc1_bias",
    "T _t2, T hidden",
    """
    _t2 = _t1 + fc1_bias;
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_identity_fwd_1: layers_spec/layers/expert.yaml:20
_expert_identity_fwd_1 = ElementwiseKernel(
    "expert_identity_fwd_1",
    "T _t3, T fc2_bias",
    "T z",
    """
    z = _t3 + fc2_bias;
    """,
)


def _cupy_forward_identity(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = x @ fc1_weight.T
    _t2, hidden = _expert_identity_fwd_0(_t1, fc1_bias)
    _t3 = hidden @ fc2_weight.T
    z = _expert_identity_fwd_1(_t3, fc2_bias)
    return z, (x, fc1_weight, fc2_weight, _t2)


# expert_identity_bwd_0: layers_spec/layers/expert.yaml:19
_expert_identity_bwd_0 = ElementwiseKernel(
    "expert_identity_bwd_0",
    "T _t2",
    "T hidden",
    """
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_identity_bwd_1: layers_spec/primitives.yaml:252
_expert_identity_bwd_1 = ElementwiseKernel(
    "expert_identity_bwd_1",
    "T _t2, T grad_hidden",
    "T _t8",
    """
    bool _t7 = _t2 > T(0);
    _t8 = grad_hidden * _t7;
    """,
)


def _cupy_backward_identity(grad_y, x, fc1_weight, fc2_weight, _t2):
    import cupy as cp

    hidden = _expert_identity_bwd_0(_t2)
    grad_fc2_bias = cp.sum(grad_y, axis=0)
    grad_hidden = grad_y @ fc2_weight
    grad_fc2_weight = grad_y.T @ hidden
    _t8 = _expert_identity_bwd_1(_t2, grad_hidden)
    grad_fc1_bias = cp.sum(_t8, axis=0)
    grad_x = _t8 @ fc1_weight
    grad_fc1_weight = _t8.T @ x
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


# expert_relu_fwd_0: layers_spec/layers/expert.yaml:19
_expert_relu_fwd_0 = ElementwiseKernel(
    "expert_relu_fwd_0",
    "T _t1, T fc1_bias",
    "T _t2, T hidden",
    """
    _t2 = _t1 + fc1_bias;
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_relu_fwd_1: layers_spec/layers/expert.yaml:20; layers_spec/activations/relu.yaml:8
_expert_relu_fwd_1 = ElementwiseKernel(
    "expert_relu_fwd_1",
    "T _t3, T fc2_bias",
    "T z, T y",
    """
    z = _t3 + fc2_bias;
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = x @ fc1_weight.T
    _t2, hidden = _expert_relu_fwd_0(_t1, fc1_bias)
    _t3 = hidden @ fc2_weight.T
    z, y = _expert_relu_fwd_1(_t3, fc2_bias)
    return y, (x, fc1_weight, fc2_weight, _t2, z)


# expert_relu_bwd_0: layers_spec/layers/expert.yaml:19
_expert_relu_bwd_0 = ElementwiseKernel(
    "expert_relu_bwd_0",
    "T _t2",
    "T hidden",
    """
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_relu_bwd_1: layers_spec/primitives.yaml:252
_expert_relu_bwd_1 = ElementwiseKernel(
    "expert_relu_bwd_1",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t4 = z > T(0);
    grad_z = grad_y * _t4;
    """,
)


# expert_relu_bwd_2: layers_spec/primitives.yaml:252
_expert_relu_bwd_2 = ElementwiseKernel(
    "expert_relu_bwd_2",
    "T _t2, T grad_hidden",
    "T _t10",
    """
    bool _t9 = _t2 > T(0);
    _t10 = grad_hidden * _t9;
    """,
)


def _cupy_backward_relu(grad_y, x, fc1_weight, fc2_weight, _t2, z):
    import cupy as cp

    hidden = _expert_relu_bwd_0(_t2)
    grad_z = _expert_relu_bwd_1(z, grad_y)
    grad_fc2_bias = cp.sum(grad_z, axis=0)
    grad_hidden = grad_z @ fc2_weight
    grad_fc2_weight = grad_z.T @ hidden
    _t10 = _expert_relu_bwd_2(_t2, grad_hidden)
    grad_fc1_bias = cp.sum(_t10, axis=0)
    grad_x = _t10 @ fc1_weight
    grad_fc1_weight = _t10.T @ x
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


# expert_tanh_fwd_0: layers_spec/layers/expert.yaml:19
_expert_tanh_fwd_0 = ElementwiseKernel(
    "expert_tanh_fwd_0",
    "T _t1, T fc1_bias",
    "T _t2, T hidden",
    """
    _t2 = _t1 + fc1_bias;
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_tanh_fwd_1: layers_spec/layers/expert.yaml:20; layers_spec/activations/tanh.yaml:8
_expert_tanh_fwd_1 = ElementwiseKernel(
    "expert_tanh_fwd_1",
    "T _t3, T fc2_bias",
    "T y",
    """
    T z = _t3 + fc2_bias;
    y = tanh(z);
    """,
)


def _cupy_forward_tanh(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = x @ fc1_weight.T
    _t2, hidden = _expert_tanh_fwd_0(_t1, fc1_bias)
    _t3 = hidden @ fc2_weight.T
    y = _expert_tanh_fwd_1(_t3, fc2_bias)
    return y, (x, fc1_weight, fc2_weight, _t2, y)


# expert_tanh_bwd_0: layers_spec/layers/expert.yaml:19
_expert_tanh_bwd_0 = ElementwiseKernel(
    "expert_tanh_bwd_0",
    "T _t2",
    "T hidden",
    """
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_tanh_bwd_1: layers_spec/primitives.yaml:180
_expert_tanh_bwd_1 = ElementwiseKernel(
    "expert_tanh_bwd_1",
    "T y, T grad_y",
    "T grad_z",
    """
    T _t4 = y * y;
    T _t5 = T(1) - _t4;
    grad_z = grad_y * _t5;
    """,
)


# expert_tanh_bwd_2: layers_spec/primitives.yaml:252
_expert_tanh_bwd_2 = ElementwiseKernel(
    "expert_tanh_bwd_2",
    "T _t2, T grad_hidden",
    "T _t11",
    """
    bool _t10 = _t2 > T(0);
    _t11 = grad_hidden * _t10;
    """,
)


def _cupy_backward_tanh(grad_y, x, fc1_weight, fc2_weight, _t2, y):
    import cupy as cp

    hidden = _expert_tanh_bwd_0(_t2)
    grad_z = _expert_tanh_bwd_1(y, grad_y)
    grad_fc2_bias = cp.sum(grad_z, axis=0)
    grad_hidden = grad_z @ fc2_weight
    grad_fc2_weight = grad_z.T @ hidden
    _t11 = _expert_tanh_bwd_2(_t2, grad_hidden)
    grad_fc1_bias = cp.sum(_t11, axis=0)
    grad_x = _t11 @ fc1_weight
    grad_fc1_weight = _t11.T @ x
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


# expert_softmax_fwd_0: layers_spec/layers/expert.yaml:19
_expert_softmax_fwd_0 = ElementwiseKernel(
    "expert_softmax_fwd_0",
    "T _t1, T fc1_bias",
    "T _t2, T hidden",
    """
    _t2 = _t1 + fc1_bias;
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_softmax_fwd_1: layers_spec/layers/expert.yaml:20
_expert_softmax_fwd_1 = ElementwiseKernel(
    "expert_softmax_fwd_1",
    "T _t3, T fc2_bias",
    "T z",
    """
    z = _t3 + fc2_bias;
    """,
)


# expert_softmax_fwd_2: layers_spec/activations/softmax.yaml:8
_expert_softmax_fwd_2 = ReductionKernel(
    "expert_softmax_fwd_2",
    "T X0",
    map_expr="expert_softmax_fwd_2_map(X0)",
    reduce_expr="(a > b || a != a) ? a : b",
    identity="__longlong_as_double(0xfff0000000000000ULL)",
    preamble="""
    template <typename T>
    __device__ T expert_softmax_fwd_2_map(const T z) {
        return z;
    }
    """,
)


# expert_softmax_fwd_3: layers_spec/activations/softmax.yaml:8,9
_expert_softmax_fwd_3 = ElementwiseKernel(
    "expert_softmax_fwd_3",
    "T z, T _t5",
    "T softmax_exponentials",
    """
    T softmax_shifted = z - _t5;
    softmax_exponentials = exp(softmax_shifted);
    """,
)


# expert_softmax_fwd_4: layers_spec/activations/softmax.yaml:10
_expert_softmax_fwd_4 = ReductionKernel(
    "expert_softmax_fwd_4",
    "T X0",
    map_expr="expert_softmax_fwd_4_map(X0)",
    reduce_expr="a + b",
    identity="0",
    preamble="""
    template <typename T>
    __device__ T expert_softmax_fwd_4_map(const T softmax_exponentials) {
        return softmax_exponentials;
    }
    """,
)


# expert_softmax_fwd_5: layers_spec/activations/softmax.yaml:10
_expert_softmax_fwd_5 = ElementwiseKernel(
    "expert_softmax_fwd_5",
    "T softmax_exponentials, T _t6",
    "T y",
    """
    y = softmax_exponentials / _t6;
    """,
)


def _cupy_forward_softmax(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = x @ fc1_weight.T
    _t2, hidden = _expert_softmax_fwd_0(_t1, fc1_bias)
    _t3 = hidden @ fc2_weight.T
    z = _expert_softmax_fwd_1(_t3, fc2_bias)
    _t4 = _expert_softmax_fwd_2(z)
    _t5 = _t4
    softmax_exponentials = _expert_softmax_fwd_3(z, _t5)
    _t6 = _expert_softmax_fwd_4(softmax_exponentials)
    y = _expert_softmax_fwd_5(softmax_exponentials, _t6)
    return y, (x, fc1_weight, fc2_weight, _t2, y)


# expert_softmax_bwd_0: layers_spec/layers/expert.yaml:19
_expert_softmax_bwd_0 = ElementwiseKernel(
    "expert_softmax_bwd_0",
    "T _t2",
    "T hidden",
    """
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_softmax_bwd_1: layers_spec/activations/softmax.yaml:12
_expert_softmax_bwd_1 = ReductionKernel(
    "expert_softmax_bwd_1",
    "T X0, T X1",
    map_expr="expert_softmax_bwd_1_map(X0, X1)",
    reduce_expr="a + b",
    identity="0",
    preamble="""
    template <typename T>
    __device__ T expert_softmax_bwd_1_map(const T grad_y, const T y) {
        T _t7 = grad_y * y;
        return _t7;
    }
    """,
)


# expert_softmax_bwd_2: layers_spec/activations/softmax.yaml:12
_expert_softmax_bwd_2 = ElementwiseKernel(
    "expert_softmax_bwd_2",
    "T grad_y, T _t8, T y",
    "T grad_z",
    """
    T _t9 = grad_y - _t8;
    grad_z = y * _t9;
    """,
)


# expert_softmax_bwd_3: layers_spec/primitives.yaml:252
_expert_softmax_bwd_3 = ElementwiseKernel(
    "expert_softmax_bwd_3",
    "T _t2, T grad_hidden",
    "T _t15",
    """
    bool _t14 = _t2 > T(0);
    _t15 = grad_hidden * _t14;
    """,
)


def _cupy_backward_softmax(grad_y, x, fc1_weight, fc2_weight, _t2, y):
    import cupy as cp

    hidden = _expert_softmax_bwd_0(_t2)
    _t8 = _expert_softmax_bwd_1(grad_y, y)
    grad_z = _expert_softmax_bwd_2(grad_y, _t8, y)
    grad_fc2_bias = cp.sum(grad_z, axis=0)
    grad_hidden = grad_z @ fc2_weight
    grad_fc2_weight = grad_z.T @ hidden
    _t15 = _expert_softmax_bwd_3(_t2, grad_hidden)
    grad_fc1_bias = cp.sum(_t15, axis=0)
    grad_x = _t15 @ fc1_weight
    grad_fc1_weight = _t15.T @ x
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


# expert_gelu_fwd_0: layers_spec/layers/expert.yaml:19
_expert_gelu_fwd_0 = ElementwiseKernel(
    "expert_gelu_fwd_0",
    "T _t1, T fc1_bias",
    "T _t2, T hidden",
    """
    _t2 = _t1 + fc1_bias;
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_gelu_fwd_1: layers_spec/layers/expert.yaml:20; layers_spec/activations/gelu.yaml:10,11
_expert_gelu_fwd_1 = ElementwiseKernel(
    "expert_gelu_fwd_1",
    "T _t3, T fc2_bias",
    "T z, T y",
    """
    z = _t3 + fc2_bias;
    T _t4 = z * z * z;
    T _t5 = T(0.044715) * _t4;
    T _t6 = z + _t5;
    T gelu_inner = T(0.7978845608028654) * _t6;
    T _t7 = T(0.5) * z;
    T _t8 = tanh(gelu_inner);
    T _t9 = T(1) + _t8;
    y = _t7 * _t9;
    """,
)


def _cupy_forward_gelu(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = x @ fc1_weight.T
    _t2, hidden = _expert_gelu_fwd_0(_t1, fc1_bias)
    _t3 = hidden @ fc2_weight.T
    z, y = _expert_gelu_fwd_1(_t3, fc2_bias)
    return y, (x, fc1_weight, fc2_weight, _t2, z)


# expert_gelu_bwd_0: layers_spec/layers/expert.yaml:19
_expert_gelu_bwd_0 = ElementwiseKernel(
    "expert_gelu_bwd_0",
    "T _t2",
    "T hidden",
    """
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_gelu_bwd_1: layers_spec/activations/gelu.yaml:10,11; layers_spec/primitives.yaml:61,62,180,90
_expert_gelu_bwd_1 = ElementwiseKernel(
    "expert_gelu_bwd_1",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t4 = z * z * z;
    T _t5 = T(0.044715) * _t4;
    T _t6 = z + _t5;
    T gelu_inner = T(0.7978845608028654) * _t6;
    T _t7 = T(0.5) * z;
    T _t8 = tanh(gelu_inner);
    T _t9 = T(1) + _t8;
    T _t10 = grad_y * _t9;
    T _t11 = grad_y * _t7;
    T _t12 = _t8 * _t8;
    T _t13 = T(1) - _t12;
    T grad_gelu_inner = _t11 * _t13;
    T _t15 = _t10 * T(0.5);
    T _t16 = grad_gelu_inner * T(0.7978845608028654);
    T _t17 = _t16 * T(0.044715);
    T _t18 = _t17 * T(3);
    T _t19 = z * z;
    T _t20 = _t18 * _t19;
    T _t21 = _t15 + _t16;
    grad_z = _t21 + _t20;
    """,
)


# expert_gelu_bwd_2: layers_spec/primitives.yaml:252
_expert_gelu_bwd_2 = ElementwiseKernel(
    "expert_gelu_bwd_2",
    "T _t2, T grad_hidden",
    "T _t26",
    """
    bool _t25 = _t2 > T(0);
    _t26 = grad_hidden * _t25;
    """,
)


def _cupy_backward_gelu(grad_y, x, fc1_weight, fc2_weight, _t2, z):
    import cupy as cp

    hidden = _expert_gelu_bwd_0(_t2)
    grad_z = _expert_gelu_bwd_1(z, grad_y)
    grad_fc2_bias = cp.sum(grad_z, axis=0)
    grad_hidden = grad_z @ fc2_weight
    grad_fc2_weight = grad_z.T @ hidden
    _t26 = _expert_gelu_bwd_2(_t2, grad_hidden)
    grad_fc1_bias = cp.sum(_t26, axis=0)
    grad_x = _t26 @ fc1_weight
    grad_fc1_weight = _t26.T @ x
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


# expert_silu_fwd_0: layers_spec/layers/expert.yaml:19
_expert_silu_fwd_0 = ElementwiseKernel(
    "expert_silu_fwd_0",
    "T _t1, T fc1_bias",
    "T _t2, T hidden",
    """
    _t2 = _t1 + fc1_bias;
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_silu_fwd_1: layers_spec/layers/expert.yaml:20; layers_spec/activations/silu.yaml:8
_expert_silu_fwd_1 = ElementwiseKernel(
    "expert_silu_fwd_1",
    "T _t3, T fc2_bias",
    "T z, T y",
    """
    z = _t3 + fc2_bias;
    T _t4 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    y = z * _t4;
    """,
)


def _cupy_forward_silu(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = x @ fc1_weight.T
    _t2, hidden = _expert_silu_fwd_0(_t1, fc1_bias)
    _t3 = hidden @ fc2_weight.T
    z, y = _expert_silu_fwd_1(_t3, fc2_bias)
    return y, (x, fc1_weight, fc2_weight, _t2, z)


# expert_silu_bwd_0: layers_spec/layers/expert.yaml:19
_expert_silu_bwd_0 = ElementwiseKernel(
    "expert_silu_bwd_0",
    "T _t2",
    "T hidden",
    """
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_silu_bwd_1: layers_spec/activations/silu.yaml:8; layers_spec/primitives.yaml:61,62,201
_expert_silu_bwd_1 = ElementwiseKernel(
    "expert_silu_bwd_1",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t4 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    T _t5 = grad_y * _t4;
    T _t6 = grad_y * z;
    T _t7 = _t6 * _t4;
    T _t8 = T(1) - _t4;
    T _t9 = _t7 * _t8;
    grad_z = _t5 + _t9;
    """,
)


# expert_silu_bwd_2: layers_spec/primitives.yaml:252
_expert_silu_bwd_2 = ElementwiseKernel(
    "expert_silu_bwd_2",
    "T _t2, T grad_hidden",
    "T _t14",
    """
    bool _t13 = _t2 > T(0);
    _t14 = grad_hidden * _t13;
    """,
)


def _cupy_backward_silu(grad_y, x, fc1_weight, fc2_weight, _t2, z):
    import cupy as cp

    hidden = _expert_silu_bwd_0(_t2)
    grad_z = _expert_silu_bwd_1(z, grad_y)
    grad_fc2_bias = cp.sum(grad_z, axis=0)
    grad_hidden = grad_z @ fc2_weight
    grad_fc2_weight = grad_z.T @ hidden
    _t14 = _expert_silu_bwd_2(_t2, grad_hidden)
    grad_fc1_bias = cp.sum(_t14, axis=0)
    grad_x = _t14 @ fc1_weight
    grad_fc1_weight = _t14.T @ x
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _cupy_backward_composed(grad_y, module, activation_ctx, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return _cupy_backward_identity(grad_linear, *linear_saved)


_CUPY_FUSED = {
    "identity": (_cupy_forward_identity, _cupy_backward_identity),
    "relu": (_cupy_forward_relu, _cupy_backward_relu),
    "tanh": (_cupy_forward_tanh, _cupy_backward_tanh),
    "softmax": (_cupy_forward_softmax, _cupy_backward_softmax),
    "gelu": (_cupy_forward_gelu, _cupy_backward_gelu),
    "silu": (_cupy_forward_silu, _cupy_backward_silu),
}
