"""Dense: Fully connected layer, y = activation(x @ weight.T + bias), with weight stored
[out_features, in_features] as in torch.nn.Linear; x may have any leading dimensions and
the bias may be left out (None).
Generated from layers_spec/layers/dense.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    activation_module,
    check_options,
    in_row_blocks,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, RowBlockKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
OUTPUTS = ("y",)


def forward(x, weight, bias=None, *, activation="identity", activation_options=None):
    """Dense forward pass.

    Fully connected layer, y = activation(x @ weight.T + bias), with weight stored
    [out_features, in_features] as in torch.nn.Linear; x may have any leading dimensions
    and the bias may be left out (None).

    Args:
        x: float32 or float64 input of shape [..., in_features]. Feature vectors, any
            leading dimensions.
        weight: float32 or float64 parameter of shape [out_features, in_features].
        bias: float32 or float64 parameter of shape [out_features]. None for a layer
            without bias (bias=False).
        activation: name of the activation applied to the result, default 'identity';
            relu, sigmoid, tanh, softmax, identity, gelu, elu, mish, swish, silu are
            fused into specialized code, any other activation of layerforge.activations
            is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "dense",
        {"x": x, "weight": weight, "bias": bias},
        {
            "x": ("...", "in_features"),
            "weight": ("out_features", "in_features"),
            "bias": ("out_features",),
        },
        optional=("bias",),
    )
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get((activation, bias is not None))
        fixed = _FUSED_FIXED.get(activation, {})
        if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
            options = {k: v for k, v in options.items() if k not in fixed}
            forward_variant, backward_variant = fused
            if options:
                check_options("dense", activation, options)
            y, saved = forward_variant(x, weight, bias, **options)
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("dense", activation)
        if options:
            check_options("dense", activation, options)
        linear_forward, linear_backward = _CUPY_FUSED["identity", bias is not None]
        y_linear, linear_saved = linear_forward(x, weight, bias)
        y, activation_ctx = module.forward(y_linear, **options)
        return y, (
            _cupy_backward_composed,
            (module, activation_ctx, linear_backward, linear_saved),
            (y.dtype, y.shape),
            None,
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get((activation, bias is not None))
    fixed = _FUSED_FIXED.get(activation, {})
    if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
        options = {k: v for k, v in options.items() if k not in fixed}
        forward_variant, backward_variant = fused
        if options:
            check_options("dense", activation, options)
        y, saved = forward_variant(x, weight, bias, **options)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("dense", activation)
    if options:
        check_options("dense", activation, options)
    linear_forward, linear_backward = _FUSED["identity", bias is not None]
    y_linear, linear_saved = linear_forward(x, weight, bias)
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_backward, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """Dense backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    backward_variant, saved = check_context("dense", __name__, ctx, {"grad_y": grad_y})
    return backward_variant(grad_y, *saved)


def _forward_relu(x, weight, bias):
    z = _linear(x, weight)
    z += bias
    y = np.clip(z, 0, np.inf)
    return y, (x, weight, bias, z)


def _backward_relu(grad_y, x, weight, bias, z):
    grad_z = grad_y * (z > 0)
    grad_bias = _sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


def _forward_sigmoid(x, weight, bias):
    z = _linear(x, weight)
    z += bias
    y = _sigmoid(z)
    return y, (x, weight, bias, y)


def _backward_sigmoid(grad_y, x, weight, bias, y):
    grad_z = 1 - y
    grad_z *= grad_y
    grad_z *= y
    grad_bias = _sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


def _forward_tanh(x, weight, bias):
    z = _linear(x, weight)
    z += bias
    y = np.tanh(z, out=z)
    return y, (x, weight, bias, y)


def _backward_tanh(grad_y, x, weight, bias, y):
    grad_z = y * y
    np.subtract(1, grad_z, out=grad_z)
    grad_z *= grad_y
    grad_bias = _sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


def _forward_softmax_part1(_t1, bias):
    z = _t1 + bias
    softmax_shifted = np.subtract(z, _amax(z, -1), out=z)
    softmax_exponentials = np.exp(softmax_shifted, out=softmax_shifted)
    y = np.divide(
        softmax_exponentials, _sum(softmax_exponentials, -1), out=softmax_exponentials
    )
    return y


def _forward_softmax(x, weight, bias):
    y = in_row_blocks(_forward_softmax_part1, _linear(x, weight), bias, named=(1, None))
    return y, (x, weight, bias, y)


def _backward_softmax(grad_y, x, weight, bias, y):
    grad_z = grad_y - _sum(grad_y * y, -1)
    grad_z *= y
    grad_bias = _sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


def _forward_identity(x, weight, bias):
    z = _linear(x, weight)
    z += bias
    return z, (x, weight, bias)


def _backward_identity(grad_y, x, weight, bias):
    grad_bias = _sum_to(grad_y, bias.shape)
    grad_x = _linear_backward_input(grad_y, weight)
    grad_weight = _rows(grad_y).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


def _forward_gelu_part1(_t1, bias):
    z = _t1 + bias
    y = _erf(0.7071067811865476 * z)
    y *= 0.5
    y += 0.5
    y *= z
    return z, y


def _forward_gelu(x, weight, bias):
    _t1 = _linear(x, weight)
    z, y = in_row_blocks(_forward_gelu_part1, _t1, bias, named=(1, None))
    return y, (x, weight, bias, z)


def _backward_gelu_part1(z, grad_y, bias):
    _t1 = 0.7071067811865476 * z
    grad_z = _erf(_t1)
    grad_z *= 0.5
    grad_z += 0.5
    grad_z *= grad_y
    _t2 = _t1 * _t1
    np.negative(_t2, out=_t2)
    np.exp(_t2, out=_t2)
    _t2 *= grad_y
    _t2 *= z
    _t2 *= 0.5
    _t2 *= 1.1283791670955126
    _t2 *= 0.7071067811865476
    grad_z += _t2
    grad_bias = _sum_to(grad_z, bias.shape)
    return grad_z, grad_bias


def _backward_gelu(grad_y, x, weight, bias, z):
    grad_z, grad_bias = in_row_blocks(
        _backward_gelu_part1, z, grad_y, bias, sums=1, named=(1, 1, None)
    )
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


def _forward_elu_part1(_t1, bias, alpha):
    z = _t1 + bias
    y = np.clip(z, 0, np.inf)
    _t2 = _expm1(np.clip(z, -np.inf, 0))
    _t2 *= alpha
    y += _t2
    return y


def _forward_elu(x, weight, bias, alpha=1.0):
    y = in_row_blocks(
        _forward_elu_part1, _linear(x, weight), bias, alpha, named=(1, None, None)
    )
    return y, (x, weight, bias, alpha, y)


def _backward_elu(grad_y, x, weight, bias, alpha, y):
    grad_z = np.clip(y, -np.inf, 0)
    grad_z += alpha
    grad_z *= grad_y
    _t1 = grad_y * (y > 0)
    _t1 *= 1 - alpha
    grad_z += _t1
    grad_bias = _sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


def _forward_mish_part1(_t1, bias):
    z = _t1 + bias
    mish_e = np.clip(z, -np.inf, 20)
    np.exp(mish_e, out=mish_e)
    mish_n = mish_e + 2
    mish_n *= mish_e
    y = np.multiply(z, mish_n, out=mish_e)
    _t2 = mish_n + 2
    y /= _t2
    return z, y


def _forward_mish(x, weight, bias):
    _t1 = _linear(x, weight)
    z, y = in_row_blocks(_forward_mish_part1, _t1, bias, named=(1, None))
    return y, (x, weight, bias, z)


def _backward_mish_part1(z, grad_y, bias):
    mish_e = np.clip(z, -np.inf, 20)
    np.exp(mish_e, out=mish_e)
    mish_n = mish_e + 2
    mish_n *= mish_e
    _t1 = mish_n + 2
    np.divide(1, _t1, out=_t1)
    grad_z = np.multiply(mish_n, _t1, out=mish_n)
    _t2 = mish_e + 1
    _t2 *= 4
    _t2 *= z
    _t2 *= mish_e
    _t2 *= _t1
    _t2 *= _t1
    grad_z += _t2
    grad_z *= grad_y
    grad_bias = _sum_to(grad_z, bias.shape)
    return grad_z, grad_bias


def _backward_mish(grad_y, x, weight, bias, z):
    grad_z, grad_bias = in_row_blocks(
        _backward_mish_part1, z, grad_y, bias, sums=1, named=(1, 1, None)
    )
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


def _forward_swish(x, weight, bias):
    z = _linear(x, weight)
    z += bias
    y = _sigmoid(z)
    y *= z
    return y, (x, weight, bias, z)


def _backward_swish_part1(z, grad_y, bias):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1
    _t2 = 1 - _t1
    _t2 *= grad_y
    _t2 *= z
    _t2 *= _t1
    grad_z += _t2
    grad_bias = _sum_to(grad_z, bias.shape)
    return grad_z, grad_bias


def _backward_swish(grad_y, x, weight, bias, z):
    grad_z, grad_bias = in_row_blocks(
        _backward_swish_part1, z, grad_y, bias, sums=1, named=(1, 1, None)
    )
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


def _forward_relu_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = np.clip(z, 0, np.inf)
    return y, (x, weight, bias, z)


def _backward_relu_no_bias(grad_y, x, weight, bias, z):
    grad_z = grad_y * (z > 0)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


def _forward_sigmoid_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = _sigmoid(z)
    return y, (x, weight, bias, y)


def _backward_sigmoid_no_bias(grad_y, x, weight, bias, y):
    grad_z = 1 - y
    grad_z *= grad_y
    grad_z *= y
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


def _forward_tanh_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = np.tanh(z, out=z)
    return y, (x, weight, bias, y)


def _backward_tanh_no_bias(grad_y, x, weight, bias, y):
    grad_z = y * y
    np.subtract(1, grad_z, out=grad_z)
    grad_z *= grad_y
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


def _forward_softmax_no_bias_part1(z):
    softmax_shifted = z - _amax(z, -1)
    softmax_exponentials = np.exp(softmax_shifted, out=softmax_shifted)
    y = np.divide(
        softmax_exponentials, _sum(softmax_exponentials, -1), out=softmax_exponentials
    )
    return y


def _forward_softmax_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = in_row_blocks(_forward_softmax_no_bias_part1, z, named=(1,))
    return y, (x, weight, bias, y)


def _backward_softmax_no_bias(grad_y, x, weight, bias, y):
    grad_z = grad_y - _sum(grad_y * y, -1)
    grad_z *= y
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


def _forward_identity_no_bias(x, weight, bias):
    z = _linear(x, weight)
    return z, (x, weight, bias)


def _backward_identity_no_bias(grad_y, x, weight, bias):
    grad_x = _linear_backward_input(grad_y, weight)
    grad_weight = _rows(grad_y).T @ _rows(x)
    return grad_x, grad_weight, None


def _forward_gelu_no_bias_part1(z):
    y = _erf(0.7071067811865476 * z)
    y *= 0.5
    y += 0.5
    y *= z
    return y


def _forward_gelu_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = in_row_blocks(_forward_gelu_no_bias_part1, z, named=(1,))
    return y, (x, weight, bias, z)


def _backward_gelu_no_bias_part1(z, grad_y):
    _t1 = 0.7071067811865476 * z
    grad_z = _erf(_t1)
    grad_z *= 0.5
    grad_z += 0.5
    grad_z *= grad_y
    _t2 = _t1 * _t1
    np.negative(_t2, out=_t2)
    np.exp(_t2, out=_t2)
    _t2 *= grad_y
    _t2 *= z
    _t2 *= 0.5
    _t2 *= 1.1283791670955126
    _t2 *= 0.7071067811865476
    grad_z += _t2
    return grad_z


def _backward_gelu_no_bias(grad_y, x, weight, bias, z):
    grad_z = in_row_blocks(_backward_gelu_no_bias_part1, z, grad_y, named=(1, 1))
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


def _forward_elu_no_bias_part1(z, alpha):
    y = np.clip(z, 0, np.inf)
    _t1 = _expm1(np.clip(z, -np.inf, 0))
    _t1 *= alpha
    y += _t1
    return y


def _forward_elu_no_bias(x, weight, bias, alpha=1.0):
    z = _linear(x, weight)
    y = in_row_blocks(_forward_elu_no_bias_part1, z, alpha, named=(1, None))
    return y, (x, weight, bias, alpha, y)


def _backward_elu_no_bias(grad_y, x, weight, bias, alpha, y):
    grad_z = np.clip(y, -np.inf, 0)
    grad_z += alpha
    grad_z *= grad_y
    _t1 = grad_y * (y > 0)
    _t1 *= 1 - alpha
    grad_z += _t1
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


def _forward_mish_no_bias_part1(z):
    mish_e = np.clip(z, -np.inf, 20)
    np.exp(mish_e, out=mish_e)
    mish_n = mish_e + 2
    mish_n *= mish_e
    y = np.multiply(z, mish_n, out=mish_e)
    _t1 = mish_n + 2
    y /= _t1
    return y


def _forward_mish_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = in_row_blocks(_forward_mish_no_bias_part1, z, named=(1,))
    return y, (x, weight, bias, z)


def _backward_mish_no_bias_part1(z, grad_y):
    mish_e = np.clip(z, -np.inf, 20)
    np.exp(mish_e, out=mish_e)
    mish_n = mish_e + 2
    mish_n *= mish_e
    _t1 = mish_n + 2
    np.divide(1, _t1, out=_t1)
    grad_z = np.multiply(mish_n, _t1, out=mish_n)
    _t2 = mish_e + 1
    _t2 *= 4
    _t2 *= z
    _t2 *= mish_e
    _t2 *= _t1
    _t2 *= _t1
    grad_z += _t2
    grad_z *= grad_y
    return grad_z


def _backward_mish_no_bias(grad_y, x, weight, bias, z):
    grad_z = in_row_blocks(_backward_mish_no_bias_part1, z, grad_y, named=(1, 1))
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


def _forward_swish_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = _sigmoid(z)
    y *= z
    return y, (x, weight, bias, z)


def _backward_swish_no_bias_part1(z, grad_y):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1
    _t2 = 1 - _t1
    _t2 *= grad_y
    _t2 *= z
    _t2 *= _t1
    grad_z += _t2
    return grad_z


def _backward_swish_no_bias(grad_y, x, weight, bias, z):
    grad_z = in_row_blocks(_backward_swish_no_bias_part1, z, grad_y, named=(1, 1))
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


def _backward_composed(grad_y, module, activation_ctx, linear_backward, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_FUSED = {
    ("relu", True): (_forward_relu, _backward_relu),
    ("sigmoid", True): (_forward_sigmoid, _backward_sigmoid),
    ("tanh", True): (_forward_tanh, _backward_tanh),
    ("softmax", True): (_forward_softmax, _backward_softmax),
    ("identity", True): (_forward_identity, _backward_identity),
    ("gelu", True): (_forward_gelu, _backward_gelu),
    ("elu", True): (_forward_elu, _backward_elu),
    ("mish", True): (_forward_mish, _backward_mish),
    ("swish", True): (_forward_swish, _backward_swish),
    ("silu", True): (_forward_swish, _backward_swish),
    ("relu", False): (_forward_relu_no_bias, _backward_relu_no_bias),
    ("sigmoid", False): (_forward_sigmoid_no_bias, _backward_sigmoid_no_bias),
    ("tanh", False): (_forward_tanh_no_bias, _backward_tanh_no_bias),
    ("softmax", False): (_forward_softmax_no_bias, _backward_softmax_no_bias),
    ("identity", False): (_forward_identity_no_bias, _backward_identity_no_bias),
    ("gelu", False): (_forward_gelu_no_bias, _backward_gelu_no_bias),
    ("elu", False): (_forward_elu_no_bias, _backward_elu_no_bias),
    ("mish", False): (_forward_mish_no_bias, _backward_mish_no_bias),
    ("swish", False): (_forward_swish_no_bias, _backward_swish_no_bias),
    ("silu", False): (_forward_swish_no_bias, _backward_swish_no_bias),
}
# The options each fused activation is specialized at; other values run it composed.
_FUSED_FIXED = {
    "softmax": {"dim": -1},
    "gelu": {"approximate": "none"},
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


def _erf(x, out=None):
    """The error function, elementwise, by W. J. Cody's rational Chebyshev approximations
    (Math. Comp. 23, 1969), accurate to a few ulps in float64: x P(x^2) / Q(x^2) for
    |x| <= 0.46875, 1 - exp(-x^2) R(|x|) up to 4 with R rational in |x|, and in 1 / x^2
    beyond, exp(-x^2) split as exp(-s^2) exp(-(|x| - s)(|x| + s)) for s = |x| rounded
    down to 1/16 so that no rounding of x^2 is magnified. The first two are computed for
    every entry (clamped to their ranges) and selected, which runs at NumPy's speed on
    cache-sized blocks; the rare entries beyond 4 (and inf) are patched. NaN stays NaN;
    computed in x's dtype. ``out``, if given, receives the result.

    float32 takes a shorter road, 25 passes instead of about 60: x P(x^2) / Q(x^2) with x
    clamped to [-4, 4] (beyond, erf is 1 in float32), P of degree 6 and Q of degree 5
    fitted by this project to erf's relative error on [0, 4] (2e-9 in exact arithmetic;
    float32's roundings give at most 7 ulps, 4e-7, against 5.5 ulps for the steps above
    in float32), the result clamped to [-1, 1]."""
    if x.dtype == np.float32:
        z = np.clip(x, -4.0, 4.0)
        t = z * z
        num = t * -2.0916970806414932e-4
        for a in (
            7.422902684888677e-2,
            6.015142938213274e00,
            6.100214860057954e01,
            8.607209142664759e02,
            2.934813762236417e03,
        ):
            num += a
            num *= t
        num += 1.7880702929117764e04
        den = t + 2.0719813199168364e01
        for b in (
            2.450165158979446e02,
            1.8058271607889747e03,
            7.883032367986196e03,
            1.5846360349782708e04,
        ):
            den *= t
            den += b
        num *= z
        num /= den
        return np.clip(num, -1.0, 1.0, out=num if out is None else out)
    y = np.abs(x)
    z = np.minimum(y, 0.46875)
    z *= z
    num = 1.85777706184603153e-1 * z
    den = z + 2.36012909523441209e01
    for a, b in (
        (3.16112374387056560e00, 2.44024637934444173e02),
        (1.13864154151050156e02, 1.28261652607737228e03),
    ):
        num += a
        num *= z
        den *= z
        den += b
    num += 3.77485237685302021e02
    num *= z
    den *= z
    num += 3.20937758913846947e03
    den += 2.84423683343917062e03
    small = np.multiply(x, num, out=num)
    small /= den
    u = np.clip(y, 0.46875, 4.0)
    num = 2.15311535474403846e-8 * u
    den = u + 1.57449261107098347e01
    for a, b in (
        (5.64188496988670089e-1, 1.17693950891312499e02),
        (8.88314979438837594e00, 5.37181101862009858e02),
        (6.61191906371416295e01, 1.62138957456669019e03),
        (2.98635138197400131e02, 3.29079923573345963e03),
        (8.81952221241769090e02, 4.36261909014324716e03),
        (1.71204761263407058e03, 3.43936767414372164e03),
    ):
        num += a
        num *= u
        den *= u
        den += b
    num += 2.05107837782607147e03
    num *= u
    den *= u
    num += 1.23033935479799725e03
    den += 1.23033935480374942e03
    num /= den
    s = np.trunc(u * 16)
    s *= 1 / 16
    u -= s  # |x| - s, then times |x| + s
    u *= u + 2 * s
    s *= s
    s += u
    np.negative(s, out=s)
    np.exp(s, out=s)
    num *= s
    result = np.subtract(1, num, out=out)
    np.copysign(result, x, out=result)
    np.copyto(result, small, where=y <= 0.46875)
    far = np.nonzero(y > 4.0)
    if far[0].size:
        t = y[far]
        w = 1 / (t * t)
        num = 1.63153871373020978e-2 * w
        den = w.copy()
        for a, b in (
            (3.05326634961232344e-1, 2.56852019228982242e00),
            (3.60344899949804439e-1, 1.87295284992346725e00),
            (1.25781726111229246e-1, 5.27905102951428412e-1),
            (1.60837851487422766e-2, 6.05183413124413191e-2),
        ):
            num += a
            num *= w
            den += b
            den *= w
        tail = (
            5.6418958354775628695e-1
            - w * (num + 6.58749161529837803e-4) / (den + 2.33520497626869185e-3)
        ) / t
        s = np.trunc(t * 16) / 16
        with np.errstate(invalid="ignore"):  # inf - inf for x = inf, replaced below
            tail *= np.exp(-s * s) * np.exp(-(t - s) * (t + s))
        tail[t > 26.6] = 0  # past where erfc underflows (and for inf)
        result[far] = np.copysign((0.5 - tail) + 0.5, x[far])
    return result


def _expm1(x, out=None):
    """exp(x) - 1 without cancellation near 0. Where no argument exceeds 1/2 (an ELU's
    never do) it is 2t / (1 - t) for t = tanh(x / 2): one transcendental, and 1 - t is at
    least 3/4, so nothing cancels; otherwise tanh(x / 2) (exp(x) + 1), accurate for all x.
    ``out``, if given, receives the result and must not overlap ``x``.

    NumPy's float32 expm1 has no SIMD loop; tanh and exp do (3-5x faster).
    """
    if np.any(x > 0.5):
        half_tanh = np.tanh(0.5 * x)
        result = np.exp(x, out=out)
        result += 1
        result *= half_tanh
        return result
    half_tanh = np.multiply(x, 0.5)
    np.tanh(half_tanh, out=half_tanh)
    result = np.subtract(1, half_tanh, out=out)
    np.divide(half_tanh, result, out=result)
    result *= 2
    return result


def _linear(x, weight):
    """x @ weight.T over x's last axis, as one matrix product of its rows: NumPy's
    product of a stack [..., in] calls BLAS once per leading index, several times
    slower for a batch of sequences."""
    if x.ndim <= 2:
        return x @ weight.T
    rows = 1
    for size in x.shape[:-1]:
        rows *= size
    return (x.reshape(rows, x.shape[-1]) @ weight.T).reshape(
        *x.shape[:-1], weight.shape[0]
    )


def _linear_backward_input(a, weight):
    """a @ weight over a's last axis, as one matrix product of its rows (see _linear)."""
    if a.ndim <= 2:
        return a @ weight
    rows = 1
    for size in a.shape[:-1]:
        rows *= size
    return (a.reshape(rows, a.shape[-1]) @ weight).reshape(
        *a.shape[:-1], weight.shape[1]
    )


def _rows(a):
    """``a`` as a matrix of its last axis: its leading axes joined into one (a view when
    ``a`` is contiguous, as a 2-D array always is); the count of rows is spelled out, so
    that an empty last axis keeps them."""
    if a.ndim == 2:
        return a
    rows = 1
    for size in a.shape[:-1]:
        rows *= size
    return a.reshape(rows, a.shape[-1])


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


# dense_relu_fwd_0: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_dense_relu_fwd_0 = ElementwiseKernel(
    "dense_relu_fwd_0",
    "T _t1, T bias",
    "T z, T y",
    """
    z = _t1 + bias;
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu(x, weight, bias):
    _t1 = _linear(x, weight)
    z, y = _dense_relu_fwd_0(_t1, bias)
    return y, (x, weight, bias, z)


# dense_relu_bwd_0: layers_spec/primitives.yaml:252
_dense_relu_bwd_0 = ElementwiseKernel(
    "dense_relu_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t2 = z > T(0);
    grad_z = grad_y * _t2;
    """,
)


def _cupy_backward_relu(grad_y, x, weight, bias, z):
    grad_z = _dense_relu_bwd_0(z, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


# dense_sigmoid_fwd_0: layers_spec/layers/dense.yaml:17; layers_spec/activations/sigmoid.yaml:8
_dense_sigmoid_fwd_0 = ElementwiseKernel(
    "dense_sigmoid_fwd_0",
    "T _t1, T bias",
    "T y",
    """
    T z = _t1 + bias;
    y = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    """,
)


def _cupy_forward_sigmoid(x, weight, bias):
    _t1 = _linear(x, weight)
    y = _dense_sigmoid_fwd_0(_t1, bias)
    return y, (x, weight, bias, y)


# dense_sigmoid_bwd_0: layers_spec/primitives.yaml:201
_dense_sigmoid_bwd_0 = ElementwiseKernel(
    "dense_sigmoid_bwd_0",
    "T grad_y, T y",
    "T grad_z",
    """
    T _t2 = grad_y * y;
    T _t3 = T(1) - y;
    grad_z = _t2 * _t3;
    """,
)


def _cupy_backward_sigmoid(grad_y, x, weight, bias, y):
    grad_z = _dense_sigmoid_bwd_0(grad_y, y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


# dense_tanh_fwd_0: layers_spec/layers/dense.yaml:17; layers_spec/activations/tanh.yaml:8
_dense_tanh_fwd_0 = ElementwiseKernel(
    "dense_tanh_fwd_0",
    "T _t1, T bias",
    "T y",
    """
    T z = _t1 + bias;
    y = tanh(z);
    """,
)


def _cupy_forward_tanh(x, weight, bias):
    _t1 = _linear(x, weight)
    y = _dense_tanh_fwd_0(_t1, bias)
    return y, (x, weight, bias, y)


# dense_tanh_bwd_0: layers_spec/primitives.yaml:180
_dense_tanh_bwd_0 = ElementwiseKernel(
    "dense_tanh_bwd_0",
    "T y, T grad_y",
    "T grad_z",
    """
    T _t2 = y * y;
    T _t3 = T(1) - _t2;
    grad_z = grad_y * _t3;
    """,
)


def _cupy_backward_tanh(grad_y, x, weight, bias, y):
    grad_z = _dense_tanh_bwd_0(y, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


# dense_softmax_fwd_0: layers_spec/layers/dense.yaml:17; layers_spec/activations/softmax.yaml:10,11,12
_dense_softmax_fwd_0 = RowBlockKernel(
    "dense_softmax_fwd_0",
    "row T _t1, column T bias",
    "row T y",
    """
    T _c__t1[LF_REGISTERS];
    T _t2 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T _t1 = _at.fill(_c__t1, _row__t1, _j);
        const T bias = _p_bias[_j];
        const T z = _t1 + bias;
        _t2 = _Max()(_t2, z);
    )
    _t2 = _row_reduce(_t2, _Max());
    const T _t3 = _t2;
    T _t4 = T(0);
    LF_ROW_LOOP(
        const T _t1 = _at.get(_c__t1, _row__t1, _j);
        const T bias = _p_bias[_j];
        const T z = _t1 + bias;
        const T softmax_shifted = z - _t3;
        const T softmax_exponentials = exp(softmax_shifted);
        _t4 = _Sum()(_t4, softmax_exponentials);
    )
    _t4 = _row_reduce(_t4, _Sum());
    LF_ROW_LOOP(
        const T _t1 = _at.get(_c__t1, _row__t1, _j);
        const T bias = _p_bias[_j];
        const T z = _t1 + bias;
        const T softmax_shifted = z - _t3;
        const T softmax_exponentials = exp(softmax_shifted);
        const T y = softmax_exponentials / _t4;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_softmax(x, weight, bias):
    _t1 = _linear(x, weight)
    y = _dense_softmax_fwd_0(_t1, bias)
    return y, (x, weight, bias, y)


# dense_softmax_bwd_0: layers_spec/activations/softmax.yaml:14
_dense_softmax_bwd_0 = RowBlockKernel(
    "dense_softmax_bwd_0",
    "row T grad_y, row T y",
    "row T grad_z",
    """
    T _c_grad_y[LF_REGISTERS];
    T _c_y[LF_REGISTERS];
    T _t6 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T y = _at.fill(_c_y, _row_y, _j);
        const T _t5 = grad_y * y;
        _t6 = _Sum()(_t6, _t5);
    )
    _t6 = _row_reduce(_t6, _Sum());
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T y = _at.get(_c_y, _row_y, _j);
        const T _t7 = grad_y - _t6;
        const T grad_z = y * _t7;
        _row_grad_z[_j] = grad_z;
    )
    """,
)


def _cupy_backward_softmax(grad_y, x, weight, bias, y):
    grad_z = _dense_softmax_bwd_0(grad_y, y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


# dense_identity_fwd_0: layers_spec/layers/dense.yaml:17
_dense_identity_fwd_0 = ElementwiseKernel(
    "dense_identity_fwd_0",
    "T _t1, T bias",
    "T z",
    """
    z = _t1 + bias;
    """,
)


def _cupy_forward_identity(x, weight, bias):
    _t1 = _linear(x, weight)
    z = _dense_identity_fwd_0(_t1, bias)
    return z, (x, weight, bias)


def _cupy_backward_identity(grad_y, x, weight, bias):
    grad_bias = _cupy_sum_to(grad_y, bias.shape)
    grad_x = _linear_backward_input(grad_y, weight)
    grad_weight = _rows(grad_y).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


# dense_gelu_fwd_0: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:23
_dense_gelu_fwd_0 = ElementwiseKernel(
    "dense_gelu_fwd_0",
    "T _t1, T bias",
    "T z, T y",
    """
    z = _t1 + bias;
    T _t2 = T(0.7071067811865476) * z;
    T _t3 = erf(_t2);
    T _t4 = T(0.5) * _t3;
    T _t5 = T(0.5) + _t4;
    y = z * _t5;
    """,
)


def _cupy_forward_gelu(x, weight, bias):
    _t1 = _linear(x, weight)
    z, y = _dense_gelu_fwd_0(_t1, bias)
    return y, (x, weight, bias, z)


# dense_gelu_bwd_0: layers_spec/activations/gelu.yaml:23; layers_spec/primitives.yaml:61,62,1973
_dense_gelu_bwd_0 = ElementwiseKernel(
    "dense_gelu_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t2 = T(0.7071067811865476) * z;
    T _t3 = erf(_t2);
    T _t4 = T(0.5) * _t3;
    T _t5 = T(0.5) + _t4;
    T _t6 = grad_y * _t5;
    T _t7 = grad_y * z;
    T _t8 = _t7 * T(0.5);
    T _t9 = _t8 * T(1.1283791670955126);
    T _t10 = _t2 * _t2;
    T _t11 = -_t10;
    T _t12 = exp(_t11);
    T _t13 = _t9 * _t12;
    T _t14 = _t13 * T(0.7071067811865476);
    grad_z = _t6 + _t14;
    """,
)


def _cupy_backward_gelu(grad_y, x, weight, bias, z):
    grad_z = _dense_gelu_bwd_0(z, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


# dense_elu_fwd_0: layers_spec/layers/dense.yaml:17; layers_spec/activations/elu.yaml:10
_dense_elu_fwd_0 = ElementwiseKernel(
    "dense_elu_fwd_0",
    "T _t1, T bias, T alpha",
    "T y",
    """
    T z = _t1 + bias;
    T _t2 = z > T(0) || z != z ? z : T(0);
    T _t3 = z < T(0) || z != z ? z : T(0);
    T _t4 = expm1(_t3);
    T _t5 = alpha * _t4;
    y = _t2 + _t5;
    """,
    scalars=("alpha",),
)


def _cupy_forward_elu(x, weight, bias, alpha=1.0):
    _t1 = _linear(x, weight)
    y = _dense_elu_fwd_0(_t1, bias, alpha)
    return y, (x, weight, bias, alpha, y)


# dense_elu_bwd_0: layers_spec/activations/elu.yaml:15
_dense_elu_bwd_0 = ElementwiseKernel(
    "dense_elu_bwd_0",
    "T y, T alpha, T grad_y, T _t11",
    "T grad_z",
    """
    T _t6 = y < T(0) || y != y ? y : T(0);
    T _t7 = _t6 + alpha;
    T _t8 = grad_y * _t7;
    bool _t9 = y > T(0);
    T _t10 = grad_y * _t9;
    T _t12 = _t10 * _t11;
    grad_z = _t8 + _t12;
    """,
    scalars=("alpha", "_t11"),
)


def _cupy_backward_elu(grad_y, x, weight, bias, alpha, y):
    _t11 = 1 - alpha
    grad_z = _dense_elu_bwd_0(y, alpha, grad_y, _t11)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


# dense_mish_fwd_0: layers_spec/layers/dense.yaml:17; layers_spec/activations/mish.yaml:12,13,14
_dense_mish_fwd_0 = ElementwiseKernel(
    "dense_mish_fwd_0",
    "T _t1, T bias",
    "T z, T y",
    """
    z = _t1 + bias;
    T _t2 = z < T(20) || z != z ? z : T(20);
    T mish_e = exp(_t2);
    T _t3 = mish_e + T(2);
    T mish_n = mish_e * _t3;
    T _t4 = z * mish_n;
    T _t5 = mish_n + T(2);
    y = _t4 / _t5;
    """,
)


def _cupy_forward_mish(x, weight, bias):
    _t1 = _linear(x, weight)
    z, y = _dense_mish_fwd_0(_t1, bias)
    return y, (x, weight, bias, z)


# dense_mish_bwd_0: layers_spec/activations/mish.yaml:12,13,17,18
_dense_mish_bwd_0 = ElementwiseKernel(
    "dense_mish_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t2 = z < T(20) || z != z ? z : T(20);
    T mish_e = exp(_t2);
    T _t3 = mish_e + T(2);
    T mish_n = mish_e * _t3;
    T _t6 = mish_n + T(2);
    T _t7 = T(1) / _t6;
    T _t8 = mish_n * _t7;
    T _t9 = T(4) * z;
    T _t10 = _t9 * mish_e;
    T _t11 = mish_e + T(1);
    T _t12 = _t10 * _t11;
    T _t13 = _t12 * _t7;
    T _t14 = _t13 * _t7;
    T _t15 = _t8 + _t14;
    grad_z = grad_y * _t15;
    """,
)


def _cupy_backward_mish(grad_y, x, weight, bias, z):
    grad_z = _dense_mish_bwd_0(z, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


# dense_swish_fwd_0: layers_spec/layers/dense.yaml:17; layers_spec/activations/swish.yaml:8
_dense_swish_fwd_0 = ElementwiseKernel(
    "dense_swish_fwd_0",
    "T _t1, T bias",
    "T z, T y",
    """
    z = _t1 + bias;
    T _t2 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    y = z * _t2;
    """,
)


def _cupy_forward_swish(x, weight, bias):
    _t1 = _linear(x, weight)
    z, y = _dense_swish_fwd_0(_t1, bias)
    return y, (x, weight, bias, z)


# dense_swish_bwd_0: layers_spec/activations/swish.yaml:8; layers_spec/primitives.yaml:61,62,201
_dense_swish_bwd_0 = ElementwiseKernel(
    "dense_swish_bwd_0",
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


def _cupy_backward_swish(grad_y, x, weight, bias, z):
    grad_z = _dense_swish_bwd_0(z, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


# dense_relu_no_bias_fwd_0: layers_spec/activations/relu.yaml:8
_dense_relu_no_bias_fwd_0 = ElementwiseKernel(
    "dense_relu_no_bias_fwd_0",
    "T z",
    "T y",
    """
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = _dense_relu_no_bias_fwd_0(z)
    return y, (x, weight, bias, z)


# dense_relu_no_bias_bwd_0: layers_spec/primitives.yaml:252
_dense_relu_no_bias_bwd_0 = ElementwiseKernel(
    "dense_relu_no_bias_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t1 = z > T(0);
    grad_z = grad_y * _t1;
    """,
)


def _cupy_backward_relu_no_bias(grad_y, x, weight, bias, z):
    grad_z = _dense_relu_no_bias_bwd_0(z, grad_y)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


# dense_sigmoid_no_bias_fwd_0: layers_spec/activations/sigmoid.yaml:8
_dense_sigmoid_no_bias_fwd_0 = ElementwiseKernel(
    "dense_sigmoid_no_bias_fwd_0",
    "T z",
    "T y",
    """
    y = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    """,
)


def _cupy_forward_sigmoid_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = _dense_sigmoid_no_bias_fwd_0(z)
    return y, (x, weight, bias, y)


# dense_sigmoid_no_bias_bwd_0: layers_spec/primitives.yaml:201
_dense_sigmoid_no_bias_bwd_0 = ElementwiseKernel(
    "dense_sigmoid_no_bias_bwd_0",
    "T grad_y, T y",
    "T grad_z",
    """
    T _t1 = grad_y * y;
    T _t2 = T(1) - y;
    grad_z = _t1 * _t2;
    """,
)


def _cupy_backward_sigmoid_no_bias(grad_y, x, weight, bias, y):
    grad_z = _dense_sigmoid_no_bias_bwd_0(grad_y, y)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


# dense_tanh_no_bias_fwd_0: layers_spec/activations/tanh.yaml:8
_dense_tanh_no_bias_fwd_0 = ElementwiseKernel(
    "dense_tanh_no_bias_fwd_0",
    "T z",
    "T y",
    """
    y = tanh(z);
    """,
)


def _cupy_forward_tanh_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = _dense_tanh_no_bias_fwd_0(z)
    return y, (x, weight, bias, y)


# dense_tanh_no_bias_bwd_0: layers_spec/primitives.yaml:180
_dense_tanh_no_bias_bwd_0 = ElementwiseKernel(
    "dense_tanh_no_bias_bwd_0",
    "T y, T grad_y",
    "T grad_z",
    """
    T _t1 = y * y;
    T _t2 = T(1) - _t1;
    grad_z = grad_y * _t2;
    """,
)


def _cupy_backward_tanh_no_bias(grad_y, x, weight, bias, y):
    grad_z = _dense_tanh_no_bias_bwd_0(y, grad_y)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


# dense_softmax_no_bias_fwd_0: layers_spec/activations/softmax.yaml:10,11,12
_dense_softmax_no_bias_fwd_0 = RowBlockKernel(
    "dense_softmax_no_bias_fwd_0",
    "row T z",
    "row T y",
    """
    T _c_z[LF_REGISTERS];
    T _t2 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T z = _at.fill(_c_z, _row_z, _j);
        _t2 = _Max()(_t2, z);
    )
    _t2 = _row_reduce(_t2, _Max());
    const T _t3 = _t2;
    T _t4 = T(0);
    LF_ROW_LOOP(
        const T z = _at.get(_c_z, _row_z, _j);
        const T softmax_shifted = z - _t3;
        const T softmax_exponentials = exp(softmax_shifted);
        _t4 = _Sum()(_t4, softmax_exponentials);
    )
    _t4 = _row_reduce(_t4, _Sum());
    LF_ROW_LOOP(
        const T z = _at.get(_c_z, _row_z, _j);
        const T softmax_shifted = z - _t3;
        const T softmax_exponentials = exp(softmax_shifted);
        const T y = softmax_exponentials / _t4;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_softmax_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = _dense_softmax_no_bias_fwd_0(z)
    return y, (x, weight, bias, y)


def _cupy_backward_softmax_no_bias(grad_y, x, weight, bias, y):
    grad_z = _dense_softmax_bwd_0(grad_y, y)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


def _cupy_forward_identity_no_bias(x, weight, bias):
    z = _linear(x, weight)
    return z, (x, weight, bias)


def _cupy_backward_identity_no_bias(grad_y, x, weight, bias):
    grad_x = _linear_backward_input(grad_y, weight)
    grad_weight = _rows(grad_y).T @ _rows(x)
    return grad_x, grad_weight, None


# dense_gelu_no_bias_fwd_0: layers_spec/activations/gelu.yaml:23
_dense_gelu_no_bias_fwd_0 = ElementwiseKernel(
    "dense_gelu_no_bias_fwd_0",
    "T z",
    "T y",
    """
    T _t2 = T(0.7071067811865476) * z;
    T _t3 = erf(_t2);
    T _t4 = T(0.5) * _t3;
    T _t5 = T(0.5) + _t4;
    y = z * _t5;
    """,
)


def _cupy_forward_gelu_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = _dense_gelu_no_bias_fwd_0(z)
    return y, (x, weight, bias, z)


def _cupy_backward_gelu_no_bias(grad_y, x, weight, bias, z):
    grad_z = _dense_gelu_bwd_0(z, grad_y)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


# dense_elu_no_bias_fwd_0: layers_spec/activations/elu.yaml:10
_dense_elu_no_bias_fwd_0 = ElementwiseKernel(
    "dense_elu_no_bias_fwd_0",
    "T z, T alpha",
    "T y",
    """
    T _t2 = z > T(0) || z != z ? z : T(0);
    T _t3 = z < T(0) || z != z ? z : T(0);
    T _t4 = expm1(_t3);
    T _t5 = alpha * _t4;
    y = _t2 + _t5;
    """,
    scalars=("alpha",),
)


def _cupy_forward_elu_no_bias(x, weight, bias, alpha=1.0):
    z = _linear(x, weight)
    y = _dense_elu_no_bias_fwd_0(z, alpha)
    return y, (x, weight, bias, alpha, y)


def _cupy_backward_elu_no_bias(grad_y, x, weight, bias, alpha, y):
    _t11 = 1 - alpha
    grad_z = _dense_elu_bwd_0(y, alpha, grad_y, _t11)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


# dense_mish_no_bias_fwd_0: layers_spec/activations/mish.yaml:12,13,14
_dense_mish_no_bias_fwd_0 = ElementwiseKernel(
    "dense_mish_no_bias_fwd_0",
    "T z",
    "T y",
    """
    T _t2 = z < T(20) || z != z ? z : T(20);
    T mish_e = exp(_t2);
    T _t3 = mish_e + T(2);
    T mish_n = mish_e * _t3;
    T _t4 = z * mish_n;
    T _t5 = mish_n + T(2);
    y = _t4 / _t5;
    """,
)


def _cupy_forward_mish_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = _dense_mish_no_bias_fwd_0(z)
    return y, (x, weight, bias, z)


def _cupy_backward_mish_no_bias(grad_y, x, weight, bias, z):
    grad_z = _dense_mish_bwd_0(z, grad_y)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


# dense_swish_no_bias_fwd_0: layers_spec/activations/swish.yaml:8
_dense_swish_no_bias_fwd_0 = ElementwiseKernel(
    "dense_swish_no_bias_fwd_0",
    "T z",
    "T y",
    """
    T _t2 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    y = z * _t2;
    """,
)


def _cupy_forward_swish_no_bias(x, weight, bias):
    z = _linear(x, weight)
    y = _dense_swish_no_bias_fwd_0(z)
    return y, (x, weight, bias, z)


def _cupy_backward_swish_no_bias(grad_y, x, weight, bias, z):
    grad_z = _dense_swish_bwd_0(z, grad_y)
    grad_x = _linear_backward_input(grad_z, weight)
    grad_weight = _rows(grad_z).T @ _rows(x)
    return grad_x, grad_weight, None


def _cupy_backward_composed(
    grad_y, module, activation_ctx, linear_backward, linear_saved
):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_CUPY_FUSED = {
    ("relu", True): (_cupy_forward_relu, _cupy_backward_relu),
    ("sigmoid", True): (_cupy_forward_sigmoid, _cupy_backward_sigmoid),
    ("tanh", True): (_cupy_forward_tanh, _cupy_backward_tanh),
    ("softmax", True): (_cupy_forward_softmax, _cupy_backward_softmax),
    ("identity", True): (_cupy_forward_identity, _cupy_backward_identity),
    ("gelu", True): (_cupy_forward_gelu, _cupy_backward_gelu),
    ("elu", True): (_cupy_forward_elu, _cupy_backward_elu),
    ("mish", True): (_cupy_forward_mish, _cupy_backward_mish),
    ("swish", True): (_cupy_forward_swish, _cupy_backward_swish),
    ("silu", True): (_cupy_forward_swish, _cupy_backward_swish),
    ("relu", False): (_cupy_forward_relu_no_bias, _cupy_backward_relu_no_bias),
    ("sigmoid", False): (_cupy_forward_sigmoid_no_bias, _cupy_backward_sigmoid_no_bias),
    ("tanh", False): (_cupy_forward_tanh_no_bias, _cupy_backward_tanh_no_bias),
    ("softmax", False): (_cupy_forward_softmax_no_bias, _cupy_backward_softmax_no_bias),
    ("identity", False): (
        _cupy_forward_identity_no_bias,
        _cupy_backward_identity_no_bias,
    ),
    ("gelu", False): (_cupy_forward_gelu_no_bias, _cupy_backward_gelu_no_bias),
    ("elu", False): (_cupy_forward_elu_no_bias, _cupy_backward_elu_no_bias),
    ("mish", False): (_cupy_forward_mish_no_bias, _cupy_backward_mish_no_bias),
    ("swish", False): (_cupy_forward_swish_no_bias, _cupy_backward_swish_no_bias),
    ("silu", False): (_cupy_forward_swish_no_bias, _cupy_backward_swish_no_bias),
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
