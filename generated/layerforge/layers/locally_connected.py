"""LocallyConnected: Locally connected (unshared) 2-D layer over NCHW feature maps, as
Keras's LocallyConnected2D with padding 'valid' and one bias per output channel shared
over the positions: y[b, o, i, j] = activation(bias[o] + sum over c, u, v of weight[i,
j, o, c, u, v] x[b, c, i stride + u, j stride + v]); weight [H_out, W_out, C_out, C_in,
kH, kW] holds a Conv2d weight per output position. As the composition F.unfold(x, k,
stride) then one einsum with the per-position weights.
Generated from layers_spec/layers/locally_connected.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    activation_module,
    check_options,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
OUTPUTS = ("y",)


def forward(
    x, weight, bias=None, *, stride=1, activation="identity", activation_options=None
):
    """LocallyConnected forward pass.

    Locally connected (unshared) 2-D layer over NCHW feature maps, as Keras's
    LocallyConnected2D with padding 'valid' and one bias per output channel shared over
    the positions: y[b, o, i, j] = activation(bias[o] + sum over c, u, v of weight[i, j,
    o, c, u, v] x[b, c, i stride + u, j stride + v]); weight [H_out, W_out, C_out, C_in,
    kH, kW] holds a Conv2d weight per output position. As the composition F.unfold(x, k,
    stride) then one einsum with the per-position weights.

    Args:
        x: float32 or float64 input of shape [B, C_in, H, W]. A batch of feature maps.
        weight: float32 or float64 parameter of shape [H_out, W_out, C_out, C_in, kH,
            kW]. One [C_out, C_in, kH, kW] filter bank per output position; H_out = (H -
            kH) // stride + 1, likewise W_out.
        bias: float32 or float64 parameter of shape [C_out]. One bias per output
            channel, shared over the positions; None for none.
        stride: int, default 1. Step between windows, along both axes.
        activation: name of the activation applied to the result, default 'identity';
            relu, sigmoid, tanh, identity, gelu, elu, mish, swish, silu are fused into
            specialized code, any other activation of layerforge.activations is
            composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "locally_connected",
        {"x": x, "weight": weight, "bias": bias},
        {
            "x": ("B", "C_in", "H", "W"),
            "weight": ("H_out", "W_out", "C_out", "C_in", "kH", "kW"),
            "bias": ("C_out",),
        },
        optional=("bias",),
    )
    check_attribute("locally_connected", "stride", stride, "int", minimum=1)
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get((activation, bias is not None))
        fixed = _FUSED_FIXED.get(activation, {})
        if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
            options = {k: v for k, v in options.items() if k not in fixed}
            forward_variant, backward_variant = fused
            if options:
                check_options("locally_connected", activation, options)
            y, saved = forward_variant(x, weight, bias, stride, **options)
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("locally_connected", activation)
        if options:
            check_options("locally_connected", activation, options)
        linear_forward, linear_backward = _CUPY_FUSED["identity", bias is not None]
        y_linear, linear_saved = linear_forward(x, weight, bias, stride)
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
            check_options("locally_connected", activation, options)
        y, saved = forward_variant(x, weight, bias, stride, **options)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("locally_connected", activation)
    if options:
        check_options("locally_connected", activation, options)
    linear_forward, linear_backward = _FUSED["identity", bias is not None]
    y_linear, linear_saved = linear_forward(x, weight, bias, stride)
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_backward, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """LocallyConnected backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    backward_variant, saved = check_context(
        "locally_connected", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_relu(x, weight, bias, stride):
    _t1 = bias.reshape(1, -1, 1, 1)
    z = _local_apply(x, weight, stride) + _t1
    y = np.clip(z, 0, np.inf)
    return y, (x, weight, bias, stride, _t1, z)


def _backward_relu(grad_y, x, weight, bias, stride, _t1, z):
    grad_z = grad_y * (z > 0)
    grad_bias = _sum_to(grad_z, _t1.shape).reshape(bias.shape)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


def _forward_sigmoid(x, weight, bias, stride):
    _t1 = bias.reshape(1, -1, 1, 1)
    z = _local_apply(x, weight, stride) + _t1
    y = _sigmoid(z)
    return y, (x, weight, bias, stride, _t1, y)


def _backward_sigmoid(grad_y, x, weight, bias, stride, _t1, y):
    grad_z = grad_y * y * (1 - y)
    grad_bias = _sum_to(grad_z, _t1.shape).reshape(bias.shape)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


def _forward_tanh(x, weight, bias, stride):
    _t1 = bias.reshape(1, -1, 1, 1)
    z = _local_apply(x, weight, stride) + _t1
    y = np.tanh(z)
    return y, (x, weight, bias, stride, _t1, y)


def _backward_tanh(grad_y, x, weight, bias, stride, _t1, y):
    grad_z = grad_y * (1 - y * y)
    grad_bias = _sum_to(grad_z, _t1.shape).reshape(bias.shape)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


def _forward_identity(x, weight, bias, stride):
    _t1 = bias.reshape(1, -1, 1, 1)
    z = _local_apply(x, weight, stride) + _t1
    return z, (x, weight, bias, stride, _t1)


def _backward_identity(grad_y, x, weight, bias, stride, _t1):
    grad_bias = _sum_to(grad_y, _t1.shape).reshape(bias.shape)
    grad_x = _local_input_grad(grad_y, weight, x, stride)
    grad_weight = _local_weight_grad(grad_y, x, weight, stride)
    return grad_x, grad_weight, grad_bias


def _forward_gelu(x, weight, bias, stride):
    _t1 = bias.reshape(1, -1, 1, 1)
    z = _local_apply(x, weight, stride) + _t1
    y = z * (0.5 + 0.5 * _erf(0.7071067811865476 * z))
    return y, (x, weight, bias, stride, _t1, z)


def _backward_gelu(grad_y, x, weight, bias, stride, _t1, z):
    _t2 = 0.7071067811865476 * z
    grad_z = (
        grad_y * (0.5 + 0.5 * _erf(_t2))
        + grad_y
        * z
        * 0.5
        * 1.1283791670955126
        * np.exp(-(_t2 * _t2))
        * 0.7071067811865476
    )
    grad_bias = _sum_to(grad_z, _t1.shape).reshape(bias.shape)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


def _forward_elu(x, weight, bias, stride, alpha=1.0):
    _t1 = bias.reshape(1, -1, 1, 1)
    z = _local_apply(x, weight, stride) + _t1
    y = np.clip(z, 0, np.inf) + alpha * _expm1(np.clip(z, -np.inf, 0))
    return y, (x, weight, bias, stride, _t1, alpha, y)


def _backward_elu(grad_y, x, weight, bias, stride, _t1, alpha, y):
    grad_z = grad_y * (np.clip(y, -np.inf, 0) + alpha) + grad_y * (y > 0) * (1 - alpha)
    grad_bias = _sum_to(grad_z, _t1.shape).reshape(bias.shape)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


def _forward_mish(x, weight, bias, stride):
    _t1 = bias.reshape(1, -1, 1, 1)
    z = _local_apply(x, weight, stride) + _t1
    mish_e = np.exp(np.clip(z, -np.inf, 20))
    mish_n = mish_e * (mish_e + 2)
    y = z * mish_n / (mish_n + 2)
    return y, (x, weight, bias, stride, _t1, z)


def _backward_mish(grad_y, x, weight, bias, stride, _t1, z):
    mish_e = np.exp(np.clip(z, -np.inf, 20))
    mish_n = mish_e * (mish_e + 2)
    _t2 = 1 / (mish_n + 2)
    grad_z = grad_y * (mish_n * _t2 + 4 * z * mish_e * (mish_e + 1) * _t2 * _t2)
    grad_bias = _sum_to(grad_z, _t1.shape).reshape(bias.shape)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


def _forward_swish(x, weight, bias, stride):
    _t1 = bias.reshape(1, -1, 1, 1)
    z = _local_apply(x, weight, stride) + _t1
    y = z * _sigmoid(z)
    return y, (x, weight, bias, stride, _t1, z)


def _backward_swish(grad_y, x, weight, bias, stride, _t1, z):
    _t2 = _sigmoid(z)
    grad_z = grad_y * _t2 + grad_y * z * _t2 * (1 - _t2)
    grad_bias = _sum_to(grad_z, _t1.shape).reshape(bias.shape)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


def _forward_relu_no_bias(x, weight, bias, stride):
    z = _local_apply(x, weight, stride)
    y = np.clip(z, 0, np.inf)
    return y, (x, weight, stride, z)


def _backward_relu_no_bias(grad_y, x, weight, stride, z):
    grad_z = grad_y * (z > 0)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


def _forward_sigmoid_no_bias(x, weight, bias, stride):
    z = _local_apply(x, weight, stride)
    y = _sigmoid(z)
    return y, (x, weight, stride, y)


def _backward_sigmoid_no_bias(grad_y, x, weight, stride, y):
    grad_z = grad_y * y * (1 - y)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


def _forward_tanh_no_bias(x, weight, bias, stride):
    z = _local_apply(x, weight, stride)
    y = np.tanh(z)
    return y, (x, weight, stride, y)


def _backward_tanh_no_bias(grad_y, x, weight, stride, y):
    grad_z = grad_y * (1 - y * y)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


def _forward_identity_no_bias(x, weight, bias, stride):
    z = _local_apply(x, weight, stride)
    return z, (x, weight, stride)


def _backward_identity_no_bias(grad_y, x, weight, stride):
    grad_x = _local_input_grad(grad_y, weight, x, stride)
    grad_weight = _local_weight_grad(grad_y, x, weight, stride)
    return grad_x, grad_weight, None


def _forward_gelu_no_bias(x, weight, bias, stride):
    z = _local_apply(x, weight, stride)
    y = z * (0.5 + 0.5 * _erf(0.7071067811865476 * z))
    return y, (x, weight, stride, z)


def _backward_gelu_no_bias(grad_y, x, weight, stride, z):
    _t1 = 0.7071067811865476 * z
    grad_z = (
        grad_y * (0.5 + 0.5 * _erf(_t1))
        + grad_y
        * z
        * 0.5
        * 1.1283791670955126
        * np.exp(-(_t1 * _t1))
        * 0.7071067811865476
    )
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


def _forward_elu_no_bias(x, weight, bias, stride, alpha=1.0):
    z = _local_apply(x, weight, stride)
    y = np.clip(z, 0, np.inf) + alpha * _expm1(np.clip(z, -np.inf, 0))
    return y, (x, weight, stride, alpha, y)


def _backward_elu_no_bias(grad_y, x, weight, stride, alpha, y):
    grad_z = grad_y * (np.clip(y, -np.inf, 0) + alpha) + grad_y * (y > 0) * (1 - alpha)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


def _forward_mish_no_bias(x, weight, bias, stride):
    z = _local_apply(x, weight, stride)
    mish_e = np.exp(np.clip(z, -np.inf, 20))
    mish_n = mish_e * (mish_e + 2)
    y = z * mish_n / (mish_n + 2)
    return y, (x, weight, stride, z)


def _backward_mish_no_bias(grad_y, x, weight, stride, z):
    mish_e = np.exp(np.clip(z, -np.inf, 20))
    mish_n = mish_e * (mish_e + 2)
    _t1 = 1 / (mish_n + 2)
    grad_z = grad_y * (mish_n * _t1 + 4 * z * mish_e * (mish_e + 1) * _t1 * _t1)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


def _forward_swish_no_bias(x, weight, bias, stride):
    z = _local_apply(x, weight, stride)
    y = z * _sigmoid(z)
    return y, (x, weight, stride, z)


def _backward_swish_no_bias(grad_y, x, weight, stride, z):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1 + grad_y * z * _t1 * (1 - _t1)
    grad_x = _local_input_grad(grad_z, weight, x, stride)
    grad_weight = _local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


def _backward_composed(grad_y, module, activation_ctx, linear_backward, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_FUSED = {
    ("relu", True): (_forward_relu, _backward_relu),
    ("sigmoid", True): (_forward_sigmoid, _backward_sigmoid),
    ("tanh", True): (_forward_tanh, _backward_tanh),
    ("identity", True): (_forward_identity, _backward_identity),
    ("gelu", True): (_forward_gelu, _backward_gelu),
    ("elu", True): (_forward_elu, _backward_elu),
    ("mish", True): (_forward_mish, _backward_mish),
    ("swish", True): (_forward_swish, _backward_swish),
    ("silu", True): (_forward_swish, _backward_swish),
    ("relu", False): (_forward_relu_no_bias, _backward_relu_no_bias),
    ("sigmoid", False): (_forward_sigmoid_no_bias, _backward_sigmoid_no_bias),
    ("tanh", False): (_forward_tanh_no_bias, _backward_tanh_no_bias),
    ("identity", False): (_forward_identity_no_bias, _backward_identity_no_bias),
    ("gelu", False): (_forward_gelu_no_bias, _backward_gelu_no_bias),
    ("elu", False): (_forward_elu_no_bias, _backward_elu_no_bias),
    ("mish", False): (_forward_mish_no_bias, _backward_mish_no_bias),
    ("swish", False): (_forward_swish_no_bias, _backward_swish_no_bias),
    ("silu", False): (_forward_swish_no_bias, _backward_swish_no_bias),
}
# The options each fused activation is specialized at; other values run it composed.
_FUSED_FIXED = {
    "gelu": {"approximate": "none"},
}


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


def _local_apply(x, weight, stride):
    """One [N, C_in kH kW] x [C_in kH kW, C_out] product per output position (a batched
    matmul over the positions)."""
    out_h, out_w, c_out = weight.shape[:3]
    n, size = x.shape[0], weight.shape[3] * weight.shape[4] * weight.shape[5]
    windows = _local_windows(x, weight, stride)
    columns = np.ascontiguousarray(windows.transpose(2, 3, 0, 1, 4, 5)).reshape(
        out_h * out_w, n, size
    )
    banks = weight.reshape(out_h * out_w, c_out, size)
    product = np.matmul(columns, banks.transpose(0, 2, 1))  # [P, N, C_out]
    return np.ascontiguousarray(
        product.reshape(out_h, out_w, n, c_out).transpose(2, 3, 0, 1)
    )


def _local_input_grad(grad, weight, x, stride):
    """Per output position, grad [N, C_out] times its filter bank [C_out, C_in kH kW]
    (a batched matmul), each window's gradient then added onto the pixels it read (one
    strided add per kernel offset)."""
    out_h, out_w, c_out, c, kernel_h, kernel_w = weight.shape
    n = grad.shape[0]
    per_position = np.ascontiguousarray(grad.transpose(2, 3, 0, 1)).reshape(
        out_h * out_w, n, c_out
    )
    windows = np.matmul(
        per_position, weight.reshape(out_h * out_w, c_out, c * kernel_h * kernel_w)
    )
    windows = windows.reshape(out_h, out_w, n, c, kernel_h, kernel_w)
    grad_x = np.zeros(x.shape, dtype=grad.dtype)
    for u in range(kernel_h):
        for v in range(kernel_w):
            rows = slice(u, u + stride * (out_h - 1) + 1, stride)
            cols = slice(v, v + stride * (out_w - 1) + 1, stride)
            grad_x[:, :, rows, cols] += windows[..., u, v].transpose(2, 3, 0, 1)
    return grad_x


def _local_weight_grad(grad, x, weight, stride):
    """Per output position, grad [C_out, N] times that position's window columns [N,
    C_in kH kW] (a batched matmul over the positions), shaped like weight."""
    out_h, out_w, c_out = weight.shape[:3]
    n, size = x.shape[0], weight.shape[3] * weight.shape[4] * weight.shape[5]
    windows = _local_windows(x, weight, stride)
    columns = np.ascontiguousarray(windows.transpose(2, 3, 0, 1, 4, 5)).reshape(
        out_h * out_w, n, size
    )
    per_position = np.ascontiguousarray(grad.transpose(2, 3, 1, 0)).reshape(
        out_h * out_w, c_out, n
    )
    return np.matmul(per_position, columns).reshape(weight.shape)


def _local_windows(x, weight, stride):
    """The windows of x [N, C, H, W] that weight [H_out, W_out, C_out, C, kH, kW] sees,
    as a strided view [N, C, H_out, W_out, kH, kW]; a clear error where the weight's
    positions are not the windows' (locally_connected is the layer that has one)."""
    out_h, out_w, _, c, kernel_h, kernel_w = weight.shape
    n, channels, h, w = x.shape
    expected = ((h - kernel_h) // stride + 1, (w - kernel_w) // stride + 1)
    if channels != c or kernel_h > h or kernel_w > w or (out_h, out_w) != expected:
        raise ValueError(
            f"locally_connected: argument 'weight' [H_out, W_out, C_out, C_in, kH, kW] must have "
            f"C_in = {channels} and one filter bank per window of 'x' {tuple(x.shape)} at stride {stride} "
            f"(H_out, W_out = {expected if kernel_h <= h and kernel_w <= w else 'none: the kernel is larger than x'}), "
            f"got shape {tuple(weight.shape)}"
        )
    windows = np.lib.stride_tricks.sliding_window_view(
        x, (kernel_h, kernel_w), axis=(2, 3)
    )
    return windows[:, :, ::stride, ::stride]


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


# locally_connected_relu_fwd_0: layers_spec/layers/locally_connected.yaml:22
_locally_connected_relu_fwd_0 = ElementwiseKernel(
    "locally_connected_relu_fwd_0",
    "T _t1, T _t2",
    "T z",
    """
    z = _t1 + _t2;
    """,
)


# locally_connected_relu_fwd_1: layers_spec/activations/relu.yaml:8
_locally_connected_relu_fwd_1 = ElementwiseKernel(
    "locally_connected_relu_fwd_1",
    "T z",
    "T y",
    """
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu(x, weight, bias, stride):
    _t1 = _cupy_local_apply(x, weight, stride)
    _t2 = bias.reshape(1, -1, 1, 1)
    z = _locally_connected_relu_fwd_0(_t1, _t2)
    y = _locally_connected_relu_fwd_1(z)
    return y, (x, weight, bias, stride, _t2, z)


# locally_connected_relu_bwd_0: layers_spec/primitives.yaml:252
_locally_connected_relu_bwd_0 = ElementwiseKernel(
    "locally_connected_relu_bwd_0",
    "T z",
    "bool _t3",
    """
    _t3 = z > T(0);
    """,
)


# locally_connected_relu_bwd_1: layers_spec/primitives.yaml:252
_locally_connected_relu_bwd_1 = ElementwiseKernel(
    "locally_connected_relu_bwd_1",
    "T grad_y, bool _t3",
    "T grad_z",
    """
    grad_z = grad_y * _t3;
    """,
)


def _cupy_backward_relu(grad_y, x, weight, bias, stride, _t2, z):
    _t3 = _locally_connected_relu_bwd_0(z)
    grad_z = _locally_connected_relu_bwd_1(grad_y, _t3)
    _t5 = _cupy_sum_to(grad_z, _t2.shape)
    grad_bias = _t5.reshape(bias.shape)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


# locally_connected_sigmoid_fwd_1: layers_spec/activations/sigmoid.yaml:8
_locally_connected_sigmoid_fwd_1 = ElementwiseKernel(
    "locally_connected_sigmoid_fwd_1",
    "T z",
    "T y",
    """
    y = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    """,
)


def _cupy_forward_sigmoid(x, weight, bias, stride):
    _t1 = _cupy_local_apply(x, weight, stride)
    _t2 = bias.reshape(1, -1, 1, 1)
    z = _locally_connected_relu_fwd_0(_t1, _t2)
    y = _locally_connected_sigmoid_fwd_1(z)
    return y, (x, weight, bias, stride, _t2, y)


# locally_connected_sigmoid_bwd_0: layers_spec/primitives.yaml:201
_locally_connected_sigmoid_bwd_0 = ElementwiseKernel(
    "locally_connected_sigmoid_bwd_0",
    "T grad_y, T y",
    "T _t3",
    """
    _t3 = grad_y * y;
    """,
)


# locally_connected_sigmoid_bwd_1: layers_spec/primitives.yaml:201
_locally_connected_sigmoid_bwd_1 = ElementwiseKernel(
    "locally_connected_sigmoid_bwd_1",
    "T y",
    "T _t4",
    """
    _t4 = T(1) - y;
    """,
)


# locally_connected_sigmoid_bwd_2: layers_spec/primitives.yaml:201
_locally_connected_sigmoid_bwd_2 = ElementwiseKernel(
    "locally_connected_sigmoid_bwd_2",
    "T _t3, T _t4",
    "T grad_z",
    """
    grad_z = _t3 * _t4;
    """,
)


def _cupy_backward_sigmoid(grad_y, x, weight, bias, stride, _t2, y):
    _t3 = _locally_connected_sigmoid_bwd_0(grad_y, y)
    _t4 = _locally_connected_sigmoid_bwd_1(y)
    grad_z = _locally_connected_sigmoid_bwd_2(_t3, _t4)
    _t6 = _cupy_sum_to(grad_z, _t2.shape)
    grad_bias = _t6.reshape(bias.shape)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


# locally_connected_tanh_fwd_1: layers_spec/activations/tanh.yaml:8
_locally_connected_tanh_fwd_1 = ElementwiseKernel(
    "locally_connected_tanh_fwd_1",
    "T z",
    "T y",
    """
    y = tanh(z);
    """,
)


def _cupy_forward_tanh(x, weight, bias, stride):
    _t1 = _cupy_local_apply(x, weight, stride)
    _t2 = bias.reshape(1, -1, 1, 1)
    z = _locally_connected_relu_fwd_0(_t1, _t2)
    y = _locally_connected_tanh_fwd_1(z)
    return y, (x, weight, bias, stride, _t2, y)


# locally_connected_tanh_bwd_0: layers_spec/primitives.yaml:180
_locally_connected_tanh_bwd_0 = ElementwiseKernel(
    "locally_connected_tanh_bwd_0",
    "T y",
    "T _t3",
    """
    _t3 = y * y;
    """,
)


# locally_connected_tanh_bwd_1: layers_spec/primitives.yaml:180
_locally_connected_tanh_bwd_1 = ElementwiseKernel(
    "locally_connected_tanh_bwd_1",
    "T _t3",
    "T _t4",
    """
    _t4 = T(1) - _t3;
    """,
)


# locally_connected_tanh_bwd_2: layers_spec/primitives.yaml:180
_locally_connected_tanh_bwd_2 = ElementwiseKernel(
    "locally_connected_tanh_bwd_2",
    "T grad_y, T _t4",
    "T grad_z",
    """
    grad_z = grad_y * _t4;
    """,
)


def _cupy_backward_tanh(grad_y, x, weight, bias, stride, _t2, y):
    _t3 = _locally_connected_tanh_bwd_0(y)
    _t4 = _locally_connected_tanh_bwd_1(_t3)
    grad_z = _locally_connected_tanh_bwd_2(grad_y, _t4)
    _t6 = _cupy_sum_to(grad_z, _t2.shape)
    grad_bias = _t6.reshape(bias.shape)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


def _cupy_forward_identity(x, weight, bias, stride):
    _t1 = _cupy_local_apply(x, weight, stride)
    _t2 = bias.reshape(1, -1, 1, 1)
    z = _locally_connected_relu_fwd_0(_t1, _t2)
    return z, (x, weight, bias, stride, _t2)


def _cupy_backward_identity(grad_y, x, weight, bias, stride, _t2):
    _t3 = _cupy_sum_to(grad_y, _t2.shape)
    grad_bias = _t3.reshape(bias.shape)
    grad_x = _cupy_local_input_grad(grad_y, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_y, x, weight, stride)
    return grad_x, grad_weight, grad_bias


# locally_connected_gelu_fwd_1: layers_spec/activations/gelu.yaml:23
_locally_connected_gelu_fwd_1 = ElementwiseKernel(
    "locally_connected_gelu_fwd_1",
    "T z",
    "T _t3",
    """
    _t3 = T(0.7071067811865476) * z;
    """,
)


# locally_connected_gelu_fwd_2: layers_spec/activations/gelu.yaml:23
_locally_connected_gelu_fwd_2 = ElementwiseKernel(
    "locally_connected_gelu_fwd_2",
    "T _t3",
    "T _t4",
    """
    _t4 = erf(_t3);
    """,
)


# locally_connected_gelu_fwd_3: layers_spec/activations/gelu.yaml:23
_locally_connected_gelu_fwd_3 = ElementwiseKernel(
    "locally_connected_gelu_fwd_3",
    "T _t4",
    "T _t5",
    """
    _t5 = T(0.5) * _t4;
    """,
)


# locally_connected_gelu_fwd_4: layers_spec/activations/gelu.yaml:23
_locally_connected_gelu_fwd_4 = ElementwiseKernel(
    "locally_connected_gelu_fwd_4",
    "T _t5",
    "T _t6",
    """
    _t6 = T(0.5) + _t5;
    """,
)


# locally_connected_gelu_fwd_5: layers_spec/activations/gelu.yaml:23
_locally_connected_gelu_fwd_5 = ElementwiseKernel(
    "locally_connected_gelu_fwd_5",
    "T z, T _t6",
    "T y",
    """
    y = z * _t6;
    """,
)


def _cupy_forward_gelu(x, weight, bias, stride):
    _t1 = _cupy_local_apply(x, weight, stride)
    _t2 = bias.reshape(1, -1, 1, 1)
    z = _locally_connected_relu_fwd_0(_t1, _t2)
    _t3 = _locally_connected_gelu_fwd_1(z)
    _t4 = _locally_connected_gelu_fwd_2(_t3)
    _t5 = _locally_connected_gelu_fwd_3(_t4)
    _t6 = _locally_connected_gelu_fwd_4(_t5)
    y = _locally_connected_gelu_fwd_5(z, _t6)
    return y, (x, weight, bias, stride, _t2, z)


# locally_connected_gelu_bwd_4: layers_spec/primitives.yaml:61
_locally_connected_gelu_bwd_4 = ElementwiseKernel(
    "locally_connected_gelu_bwd_4",
    "T grad_y, T _t6",
    "T _t7",
    """
    _t7 = grad_y * _t6;
    """,
)


# locally_connected_gelu_bwd_5: layers_spec/primitives.yaml:62
_locally_connected_gelu_bwd_5 = ElementwiseKernel(
    "locally_connected_gelu_bwd_5",
    "T grad_y, T z",
    "T _t8",
    """
    _t8 = grad_y * z;
    """,
)


# locally_connected_gelu_bwd_6: layers_spec/primitives.yaml:62
_locally_connected_gelu_bwd_6 = ElementwiseKernel(
    "locally_connected_gelu_bwd_6",
    "T _t8",
    "T _t9",
    """
    _t9 = _t8 * T(0.5);
    """,
)


# locally_connected_gelu_bwd_7: layers_spec/primitives.yaml:1973
_locally_connected_gelu_bwd_7 = ElementwiseKernel(
    "locally_connected_gelu_bwd_7",
    "T _t9",
    "T _t10",
    """
    _t10 = _t9 * T(1.1283791670955126);
    """,
)


# locally_connected_gelu_bwd_8: layers_spec/primitives.yaml:1973
_locally_connected_gelu_bwd_8 = ElementwiseKernel(
    "locally_connected_gelu_bwd_8",
    "T _t3",
    "T _t11",
    """
    _t11 = _t3 * _t3;
    """,
)


# locally_connected_gelu_bwd_9: layers_spec/primitives.yaml:1973
_locally_connected_gelu_bwd_9 = ElementwiseKernel(
    "locally_connected_gelu_bwd_9",
    "T _t11",
    "T _t12",
    """
    _t12 = -_t11;
    """,
)


# locally_connected_gelu_bwd_10: layers_spec/primitives.yaml:1973
_locally_connected_gelu_bwd_10 = ElementwiseKernel(
    "locally_connected_gelu_bwd_10",
    "T _t12",
    "T _t13",
    """
    _t13 = exp(_t12);
    """,
)


# locally_connected_gelu_bwd_11: layers_spec/primitives.yaml:1973
_locally_connected_gelu_bwd_11 = ElementwiseKernel(
    "locally_connected_gelu_bwd_11",
    "T _t10, T _t13",
    "T _t14",
    """
    _t14 = _t10 * _t13;
    """,
)


# locally_connected_gelu_bwd_12: layers_spec/primitives.yaml:62
_locally_connected_gelu_bwd_12 = ElementwiseKernel(
    "locally_connected_gelu_bwd_12",
    "T _t14",
    "T _t15",
    """
    _t15 = _t14 * T(0.7071067811865476);
    """,
)


# locally_connected_gelu_bwd_13: layers_spec/primitives.yaml:62
_locally_connected_gelu_bwd_13 = ElementwiseKernel(
    "locally_connected_gelu_bwd_13",
    "T _t7, T _t15",
    "T grad_z",
    """
    grad_z = _t7 + _t15;
    """,
)


def _cupy_backward_gelu(grad_y, x, weight, bias, stride, _t2, z):
    _t3 = _locally_connected_gelu_fwd_1(z)
    _t4 = _locally_connected_gelu_fwd_2(_t3)
    _t5 = _locally_connected_gelu_fwd_3(_t4)
    _t6 = _locally_connected_gelu_fwd_4(_t5)
    _t7 = _locally_connected_gelu_bwd_4(grad_y, _t6)
    _t8 = _locally_connected_gelu_bwd_5(grad_y, z)
    _t9 = _locally_connected_gelu_bwd_6(_t8)
    _t10 = _locally_connected_gelu_bwd_7(_t9)
    _t11 = _locally_connected_gelu_bwd_8(_t3)
    _t12 = _locally_connected_gelu_bwd_9(_t11)
    _t13 = _locally_connected_gelu_bwd_10(_t12)
    _t14 = _locally_connected_gelu_bwd_11(_t10, _t13)
    _t15 = _locally_connected_gelu_bwd_12(_t14)
    grad_z = _locally_connected_gelu_bwd_13(_t7, _t15)
    _t16 = _cupy_sum_to(grad_z, _t2.shape)
    grad_bias = _t16.reshape(bias.shape)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


# locally_connected_elu_fwd_1: layers_spec/activations/elu.yaml:10
_locally_connected_elu_fwd_1 = ElementwiseKernel(
    "locally_connected_elu_fwd_1",
    "T z",
    "T _t3",
    """
    _t3 = z > T(0) || z != z ? z : T(0);
    """,
)


# locally_connected_elu_fwd_2: layers_spec/activations/elu.yaml:10
_locally_connected_elu_fwd_2 = ElementwiseKernel(
    "locally_connected_elu_fwd_2",
    "T z",
    "T _t4",
    """
    _t4 = z < T(0) || z != z ? z : T(0);
    """,
)


# locally_connected_elu_fwd_3: layers_spec/activations/elu.yaml:10
_locally_connected_elu_fwd_3 = ElementwiseKernel(
    "locally_connected_elu_fwd_3",
    "T _t4",
    "T _t5",
    """
    _t5 = expm1(_t4);
    """,
)


# locally_connected_elu_fwd_4: layers_spec/activations/elu.yaml:10
_locally_connected_elu_fwd_4 = ElementwiseKernel(
    "locally_connected_elu_fwd_4",
    "T alpha, T _t5",
    "T _t6",
    """
    _t6 = alpha * _t5;
    """,
    scalars=("alpha",),
)


# locally_connected_elu_fwd_5: layers_spec/activations/elu.yaml:10
_locally_connected_elu_fwd_5 = ElementwiseKernel(
    "locally_connected_elu_fwd_5",
    "T _t3, T _t6",
    "T y",
    """
    y = _t3 + _t6;
    """,
)


def _cupy_forward_elu(x, weight, bias, stride, alpha=1.0):
    _t1 = _cupy_local_apply(x, weight, stride)
    _t2 = bias.reshape(1, -1, 1, 1)
    z = _locally_connected_relu_fwd_0(_t1, _t2)
    _t3 = _locally_connected_elu_fwd_1(z)
    _t4 = _locally_connected_elu_fwd_2(z)
    _t5 = _locally_connected_elu_fwd_3(_t4)
    _t6 = _locally_connected_elu_fwd_4(alpha, _t5)
    y = _locally_connected_elu_fwd_5(_t3, _t6)
    return y, (x, weight, bias, stride, _t2, alpha, y)


# locally_connected_elu_bwd_0: layers_spec/activations/elu.yaml:15
_locally_connected_elu_bwd_0 = ElementwiseKernel(
    "locally_connected_elu_bwd_0",
    "T y",
    "T _t7",
    """
    _t7 = y < T(0) || y != y ? y : T(0);
    """,
)


# locally_connected_elu_bwd_1: layers_spec/activations/elu.yaml:15
_locally_connected_elu_bwd_1 = ElementwiseKernel(
    "locally_connected_elu_bwd_1",
    "T _t7, T alpha",
    "T _t8",
    """
    _t8 = _t7 + alpha;
    """,
    scalars=("alpha",),
)


# locally_connected_elu_bwd_2: layers_spec/activations/elu.yaml:15
_locally_connected_elu_bwd_2 = ElementwiseKernel(
    "locally_connected_elu_bwd_2",
    "T grad_y, T _t8",
    "T _t9",
    """
    _t9 = grad_y * _t8;
    """,
)


# locally_connected_elu_bwd_3: layers_spec/activations/elu.yaml:15
_locally_connected_elu_bwd_3 = ElementwiseKernel(
    "locally_connected_elu_bwd_3",
    "T y",
    "bool _t10",
    """
    _t10 = y > T(0);
    """,
)


# locally_connected_elu_bwd_4: layers_spec/activations/elu.yaml:15
_locally_connected_elu_bwd_4 = ElementwiseKernel(
    "locally_connected_elu_bwd_4",
    "T grad_y, bool _t10",
    "T _t11",
    """
    _t11 = grad_y * _t10;
    """,
)


# locally_connected_elu_bwd_5: layers_spec/activations/elu.yaml:15
_locally_connected_elu_bwd_5 = ElementwiseKernel(
    "locally_connected_elu_bwd_5",
    "T _t11, T _t12",
    "T _t13",
    """
    _t13 = _t11 * _t12;
    """,
    scalars=("_t12",),
)


# locally_connected_elu_bwd_6: layers_spec/activations/elu.yaml:15
_locally_connected_elu_bwd_6 = ElementwiseKernel(
    "locally_connected_elu_bwd_6",
    "T _t9, T _t13",
    "T grad_z",
    """
    grad_z = _t9 + _t13;
    """,
)


def _cupy_backward_elu(grad_y, x, weight, bias, stride, _t2, alpha, y):
    _t7 = _locally_connected_elu_bwd_0(y)
    _t8 = _locally_connected_elu_bwd_1(_t7, alpha)
    _t9 = _locally_connected_elu_bwd_2(grad_y, _t8)
    _t10 = _locally_connected_elu_bwd_3(y)
    _t11 = _locally_connected_elu_bwd_4(grad_y, _t10)
    _t12 = 1 - alpha
    _t13 = _locally_connected_elu_bwd_5(_t11, _t12)
    grad_z = _locally_connected_elu_bwd_6(_t9, _t13)
    _t15 = _cupy_sum_to(grad_z, _t2.shape)
    grad_bias = _t15.reshape(bias.shape)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


# locally_connected_mish_fwd_1: layers_spec/activations/mish.yaml:12
_locally_connected_mish_fwd_1 = ElementwiseKernel(
    "locally_connected_mish_fwd_1",
    "T z",
    "T _t3",
    """
    _t3 = z < T(20) || z != z ? z : T(20);
    """,
)


# locally_connected_mish_fwd_2: layers_spec/activations/mish.yaml:12
_locally_connected_mish_fwd_2 = ElementwiseKernel(
    "locally_connected_mish_fwd_2",
    "T _t3",
    "T mish_e",
    """
    mish_e = exp(_t3);
    """,
)


# locally_connected_mish_fwd_3: layers_spec/activations/mish.yaml:13
_locally_connected_mish_fwd_3 = ElementwiseKernel(
    "locally_connected_mish_fwd_3",
    "T mish_e",
    "T _t4",
    """
    _t4 = mish_e + T(2);
    """,
)


# locally_connected_mish_fwd_4: layers_spec/activations/mish.yaml:13
_locally_connected_mish_fwd_4 = ElementwiseKernel(
    "locally_connected_mish_fwd_4",
    "T mish_e, T _t4",
    "T mish_n",
    """
    mish_n = mish_e * _t4;
    """,
)


# locally_connected_mish_fwd_5: layers_spec/activations/mish.yaml:14
_locally_connected_mish_fwd_5 = ElementwiseKernel(
    "locally_connected_mish_fwd_5",
    "T z, T mish_n",
    "T _t5",
    """
    _t5 = z * mish_n;
    """,
)


# locally_connected_mish_fwd_6: layers_spec/activations/mish.yaml:14
_locally_connected_mish_fwd_6 = ElementwiseKernel(
    "locally_connected_mish_fwd_6",
    "T mish_n",
    "T _t6",
    """
    _t6 = mish_n + T(2);
    """,
)


# locally_connected_mish_fwd_7: layers_spec/activations/mish.yaml:14
_locally_connected_mish_fwd_7 = ElementwiseKernel(
    "locally_connected_mish_fwd_7",
    "T _t5, T _t6",
    "T y",
    """
    y = _t5 / _t6;
    """,
)


def _cupy_forward_mish(x, weight, bias, stride):
    _t1 = _cupy_local_apply(x, weight, stride)
    _t2 = bias.reshape(1, -1, 1, 1)
    z = _locally_connected_relu_fwd_0(_t1, _t2)
    _t3 = _locally_connected_mish_fwd_1(z)
    mish_e = _locally_connected_mish_fwd_2(_t3)
    _t4 = _locally_connected_mish_fwd_3(mish_e)
    mish_n = _locally_connected_mish_fwd_4(mish_e, _t4)
    _t5 = _locally_connected_mish_fwd_5(z, mish_n)
    _t6 = _locally_connected_mish_fwd_6(mish_n)
    y = _locally_connected_mish_fwd_7(_t5, _t6)
    return y, (x, weight, bias, stride, _t2, z)


# locally_connected_mish_bwd_4: layers_spec/activations/mish.yaml:17
_locally_connected_mish_bwd_4 = ElementwiseKernel(
    "locally_connected_mish_bwd_4",
    "T mish_n",
    "T _t7",
    """
    _t7 = mish_n + T(2);
    """,
)


# locally_connected_mish_bwd_5: layers_spec/activations/mish.yaml:17
_locally_connected_mish_bwd_5 = ElementwiseKernel(
    "locally_connected_mish_bwd_5",
    "T _t7",
    "T _t8",
    """
    _t8 = T(1) / _t7;
    """,
)


# locally_connected_mish_bwd_6: layers_spec/activations/mish.yaml:18
_locally_connected_mish_bwd_6 = ElementwiseKernel(
    "locally_connected_mish_bwd_6",
    "T mish_n, T _t8",
    "T _t9",
    """
    _t9 = mish_n * _t8;
    """,
)


# locally_connected_mish_bwd_7: layers_spec/activations/mish.yaml:18
_locally_connected_mish_bwd_7 = ElementwiseKernel(
    "locally_connected_mish_bwd_7",
    "T z",
    "T _t10",
    """
    _t10 = T(4) * z;
    """,
)


# locally_connected_mish_bwd_8: layers_spec/activations/mish.yaml:18
_locally_connected_mish_bwd_8 = ElementwiseKernel(
    "locally_connected_mish_bwd_8",
    "T _t10, T mish_e",
    "T _t11",
    """
    _t11 = _t10 * mish_e;
    """,
)


# locally_connected_mish_bwd_9: layers_spec/activations/mish.yaml:18
_locally_connected_mish_bwd_9 = ElementwiseKernel(
    "locally_connected_mish_bwd_9",
    "T mish_e",
    "T _t12",
    """
    _t12 = mish_e + T(1);
    """,
)


# locally_connected_mish_bwd_10: layers_spec/activations/mish.yaml:18
_locally_connected_mish_bwd_10 = ElementwiseKernel(
    "locally_connected_mish_bwd_10",
    "T _t11, T _t12",
    "T _t13",
    """
    _t13 = _t11 * _t12;
    """,
)


# locally_connected_mish_bwd_11: layers_spec/activations/mish.yaml:18
_locally_connected_mish_bwd_11 = ElementwiseKernel(
    "locally_connected_mish_bwd_11",
    "T _t13, T _t8",
    "T _t14",
    """
    _t14 = _t13 * _t8;
    """,
)


# locally_connected_mish_bwd_12: layers_spec/activations/mish.yaml:18
_locally_connected_mish_bwd_12 = ElementwiseKernel(
    "locally_connected_mish_bwd_12",
    "T _t14, T _t8",
    "T _t15",
    """
    _t15 = _t14 * _t8;
    """,
)


# locally_connected_mish_bwd_13: layers_spec/activations/mish.yaml:18
_locally_connected_mish_bwd_13 = ElementwiseKernel(
    "locally_connected_mish_bwd_13",
    "T _t9, T _t15",
    "T _t16",
    """
    _t16 = _t9 + _t15;
    """,
)


# locally_connected_mish_bwd_14: layers_spec/activations/mish.yaml:18
_locally_connected_mish_bwd_14 = ElementwiseKernel(
    "locally_connected_mish_bwd_14",
    "T grad_y, T _t16",
    "T grad_z",
    """
    grad_z = grad_y * _t16;
    """,
)


def _cupy_backward_mish(grad_y, x, weight, bias, stride, _t2, z):
    _t3 = _locally_connected_mish_fwd_1(z)
    mish_e = _locally_connected_mish_fwd_2(_t3)
    _t4 = _locally_connected_mish_fwd_3(mish_e)
    mish_n = _locally_connected_mish_fwd_4(mish_e, _t4)
    _t7 = _locally_connected_mish_bwd_4(mish_n)
    _t8 = _locally_connected_mish_bwd_5(_t7)
    _t9 = _locally_connected_mish_bwd_6(mish_n, _t8)
    _t10 = _locally_connected_mish_bwd_7(z)
    _t11 = _locally_connected_mish_bwd_8(_t10, mish_e)
    _t12 = _locally_connected_mish_bwd_9(mish_e)
    _t13 = _locally_connected_mish_bwd_10(_t11, _t12)
    _t14 = _locally_connected_mish_bwd_11(_t13, _t8)
    _t15 = _locally_connected_mish_bwd_12(_t14, _t8)
    _t16 = _locally_connected_mish_bwd_13(_t9, _t15)
    grad_z = _locally_connected_mish_bwd_14(grad_y, _t16)
    _t18 = _cupy_sum_to(grad_z, _t2.shape)
    grad_bias = _t18.reshape(bias.shape)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


# locally_connected_swish_fwd_1: layers_spec/activations/swish.yaml:8
_locally_connected_swish_fwd_1 = ElementwiseKernel(
    "locally_connected_swish_fwd_1",
    "T z",
    "T _t3",
    """
    _t3 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    """,
)


# locally_connected_swish_fwd_2: layers_spec/activations/swish.yaml:8
_locally_connected_swish_fwd_2 = ElementwiseKernel(
    "locally_connected_swish_fwd_2",
    "T z, T _t3",
    "T y",
    """
    y = z * _t3;
    """,
)


def _cupy_forward_swish(x, weight, bias, stride):
    _t1 = _cupy_local_apply(x, weight, stride)
    _t2 = bias.reshape(1, -1, 1, 1)
    z = _locally_connected_relu_fwd_0(_t1, _t2)
    _t3 = _locally_connected_swish_fwd_1(z)
    y = _locally_connected_swish_fwd_2(z, _t3)
    return y, (x, weight, bias, stride, _t2, z)


# locally_connected_swish_bwd_1: layers_spec/primitives.yaml:61
_locally_connected_swish_bwd_1 = ElementwiseKernel(
    "locally_connected_swish_bwd_1",
    "T grad_y, T _t3",
    "T _t4",
    """
    _t4 = grad_y * _t3;
    """,
)


# locally_connected_swish_bwd_2: layers_spec/primitives.yaml:62
_locally_connected_swish_bwd_2 = ElementwiseKernel(
    "locally_connected_swish_bwd_2",
    "T grad_y, T z",
    "T _t5",
    """
    _t5 = grad_y * z;
    """,
)


# locally_connected_swish_bwd_3: layers_spec/primitives.yaml:201
_locally_connected_swish_bwd_3 = ElementwiseKernel(
    "locally_connected_swish_bwd_3",
    "T _t5, T _t3",
    "T _t6",
    """
    _t6 = _t5 * _t3;
    """,
)


# locally_connected_swish_bwd_4: layers_spec/primitives.yaml:201
_locally_connected_swish_bwd_4 = ElementwiseKernel(
    "locally_connected_swish_bwd_4",
    "T _t3",
    "T _t7",
    """
    _t7 = T(1) - _t3;
    """,
)


# locally_connected_swish_bwd_5: layers_spec/primitives.yaml:201
_locally_connected_swish_bwd_5 = ElementwiseKernel(
    "locally_connected_swish_bwd_5",
    "T _t6, T _t7",
    "T _t8",
    """
    _t8 = _t6 * _t7;
    """,
)


# locally_connected_swish_bwd_6: layers_spec/primitives.yaml:201
_locally_connected_swish_bwd_6 = ElementwiseKernel(
    "locally_connected_swish_bwd_6",
    "T _t4, T _t8",
    "T grad_z",
    """
    grad_z = _t4 + _t8;
    """,
)


def _cupy_backward_swish(grad_y, x, weight, bias, stride, _t2, z):
    _t3 = _locally_connected_swish_fwd_1(z)
    _t4 = _locally_connected_swish_bwd_1(grad_y, _t3)
    _t5 = _locally_connected_swish_bwd_2(grad_y, z)
    _t6 = _locally_connected_swish_bwd_3(_t5, _t3)
    _t7 = _locally_connected_swish_bwd_4(_t3)
    _t8 = _locally_connected_swish_bwd_5(_t6, _t7)
    grad_z = _locally_connected_swish_bwd_6(_t4, _t8)
    _t9 = _cupy_sum_to(grad_z, _t2.shape)
    grad_bias = _t9.reshape(bias.shape)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, grad_bias


def _cupy_forward_relu_no_bias(x, weight, bias, stride):
    z = _cupy_local_apply(x, weight, stride)
    y = _locally_connected_relu_fwd_1(z)
    return y, (x, weight, stride, z)


# locally_connected_relu_no_bias_bwd_0: layers_spec/primitives.yaml:252
_locally_connected_relu_no_bias_bwd_0 = ElementwiseKernel(
    "locally_connected_relu_no_bias_bwd_0",
    "T z",
    "bool _t1",
    """
    _t1 = z > T(0);
    """,
)


# locally_connected_relu_no_bias_bwd_1: layers_spec/primitives.yaml:252
_locally_connected_relu_no_bias_bwd_1 = ElementwiseKernel(
    "locally_connected_relu_no_bias_bwd_1",
    "T grad_y, bool _t1",
    "T grad_z",
    """
    grad_z = grad_y * _t1;
    """,
)


def _cupy_backward_relu_no_bias(grad_y, x, weight, stride, z):
    _t1 = _locally_connected_relu_no_bias_bwd_0(z)
    grad_z = _locally_connected_relu_no_bias_bwd_1(grad_y, _t1)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


def _cupy_forward_sigmoid_no_bias(x, weight, bias, stride):
    z = _cupy_local_apply(x, weight, stride)
    y = _locally_connected_sigmoid_fwd_1(z)
    return y, (x, weight, stride, y)


# locally_connected_sigmoid_no_bias_bwd_0: layers_spec/primitives.yaml:201
_locally_connected_sigmoid_no_bias_bwd_0 = ElementwiseKernel(
    "locally_connected_sigmoid_no_bias_bwd_0",
    "T grad_y, T y",
    "T _t1",
    """
    _t1 = grad_y * y;
    """,
)


# locally_connected_sigmoid_no_bias_bwd_1: layers_spec/primitives.yaml:201
_locally_connected_sigmoid_no_bias_bwd_1 = ElementwiseKernel(
    "locally_connected_sigmoid_no_bias_bwd_1",
    "T y",
    "T _t2",
    """
    _t2 = T(1) - y;
    """,
)


# locally_connected_sigmoid_no_bias_bwd_2: layers_spec/primitives.yaml:201
_locally_connected_sigmoid_no_bias_bwd_2 = ElementwiseKernel(
    "locally_connected_sigmoid_no_bias_bwd_2",
    "T _t1, T _t2",
    "T grad_z",
    """
    grad_z = _t1 * _t2;
    """,
)


def _cupy_backward_sigmoid_no_bias(grad_y, x, weight, stride, y):
    _t1 = _locally_connected_sigmoid_no_bias_bwd_0(grad_y, y)
    _t2 = _locally_connected_sigmoid_no_bias_bwd_1(y)
    grad_z = _locally_connected_sigmoid_no_bias_bwd_2(_t1, _t2)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


def _cupy_forward_tanh_no_bias(x, weight, bias, stride):
    z = _cupy_local_apply(x, weight, stride)
    y = _locally_connected_tanh_fwd_1(z)
    return y, (x, weight, stride, y)


# locally_connected_tanh_no_bias_bwd_0: layers_spec/primitives.yaml:180
_locally_connected_tanh_no_bias_bwd_0 = ElementwiseKernel(
    "locally_connected_tanh_no_bias_bwd_0",
    "T y",
    "T _t1",
    """
    _t1 = y * y;
    """,
)


# locally_connected_tanh_no_bias_bwd_1: layers_spec/primitives.yaml:180
_locally_connected_tanh_no_bias_bwd_1 = ElementwiseKernel(
    "locally_connected_tanh_no_bias_bwd_1",
    "T _t1",
    "T _t2",
    """
    _t2 = T(1) - _t1;
    """,
)


# locally_connected_tanh_no_bias_bwd_2: layers_spec/primitives.yaml:180
_locally_connected_tanh_no_bias_bwd_2 = ElementwiseKernel(
    "locally_connected_tanh_no_bias_bwd_2",
    "T grad_y, T _t2",
    "T grad_z",
    """
    grad_z = grad_y * _t2;
    """,
)


def _cupy_backward_tanh_no_bias(grad_y, x, weight, stride, y):
    _t1 = _locally_connected_tanh_no_bias_bwd_0(y)
    _t2 = _locally_connected_tanh_no_bias_bwd_1(_t1)
    grad_z = _locally_connected_tanh_no_bias_bwd_2(grad_y, _t2)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


def _cupy_forward_identity_no_bias(x, weight, bias, stride):
    z = _cupy_local_apply(x, weight, stride)
    return z, (x, weight, stride)


def _cupy_backward_identity_no_bias(grad_y, x, weight, stride):
    grad_x = _cupy_local_input_grad(grad_y, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_y, x, weight, stride)
    return grad_x, grad_weight, None


# locally_connected_gelu_no_bias_fwd_0: layers_spec/activations/gelu.yaml:23
_locally_connected_gelu_no_bias_fwd_0 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_fwd_0",
    "T z",
    "T _t2",
    """
    _t2 = T(0.7071067811865476) * z;
    """,
)


# locally_connected_gelu_no_bias_fwd_1: layers_spec/activations/gelu.yaml:23
_locally_connected_gelu_no_bias_fwd_1 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_fwd_1",
    "T _t2",
    "T _t3",
    """
    _t3 = erf(_t2);
    """,
)


# locally_connected_gelu_no_bias_fwd_2: layers_spec/activations/gelu.yaml:23
_locally_connected_gelu_no_bias_fwd_2 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_fwd_2",
    "T _t3",
    "T _t4",
    """
    _t4 = T(0.5) * _t3;
    """,
)


# locally_connected_gelu_no_bias_fwd_3: layers_spec/activations/gelu.yaml:23
_locally_connected_gelu_no_bias_fwd_3 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_fwd_3",
    "T _t4",
    "T _t5",
    """
    _t5 = T(0.5) + _t4;
    """,
)


# locally_connected_gelu_no_bias_fwd_4: layers_spec/activations/gelu.yaml:23
_locally_connected_gelu_no_bias_fwd_4 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_fwd_4",
    "T z, T _t5",
    "T y",
    """
    y = z * _t5;
    """,
)


def _cupy_forward_gelu_no_bias(x, weight, bias, stride):
    z = _cupy_local_apply(x, weight, stride)
    _t2 = _locally_connected_gelu_no_bias_fwd_0(z)
    _t3 = _locally_connected_gelu_no_bias_fwd_1(_t2)
    _t4 = _locally_connected_gelu_no_bias_fwd_2(_t3)
    _t5 = _locally_connected_gelu_no_bias_fwd_3(_t4)
    y = _locally_connected_gelu_no_bias_fwd_4(z, _t5)
    return y, (x, weight, stride, z)


# locally_connected_gelu_no_bias_bwd_4: layers_spec/primitives.yaml:61
_locally_connected_gelu_no_bias_bwd_4 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_bwd_4",
    "T grad_y, T _t5",
    "T _t6",
    """
    _t6 = grad_y * _t5;
    """,
)


# locally_connected_gelu_no_bias_bwd_5: layers_spec/primitives.yaml:62
_locally_connected_gelu_no_bias_bwd_5 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_bwd_5",
    "T grad_y, T z",
    "T _t7",
    """
    _t7 = grad_y * z;
    """,
)


# locally_connected_gelu_no_bias_bwd_6: layers_spec/primitives.yaml:62
_locally_connected_gelu_no_bias_bwd_6 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_bwd_6",
    "T _t7",
    "T _t8",
    """
    _t8 = _t7 * T(0.5);
    """,
)


# locally_connected_gelu_no_bias_bwd_7: layers_spec/primitives.yaml:1973
_locally_connected_gelu_no_bias_bwd_7 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_bwd_7",
    "T _t8",
    "T _t9",
    """
    _t9 = _t8 * T(1.1283791670955126);
    """,
)


# locally_connected_gelu_no_bias_bwd_8: layers_spec/primitives.yaml:1973
_locally_connected_gelu_no_bias_bwd_8 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_bwd_8",
    "T _t2",
    "T _t10",
    """
    _t10 = _t2 * _t2;
    """,
)


# locally_connected_gelu_no_bias_bwd_9: layers_spec/primitives.yaml:1973
_locally_connected_gelu_no_bias_bwd_9 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_bwd_9",
    "T _t10",
    "T _t11",
    """
    _t11 = -_t10;
    """,
)


# locally_connected_gelu_no_bias_bwd_10: layers_spec/primitives.yaml:1973
_locally_connected_gelu_no_bias_bwd_10 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_bwd_10",
    "T _t11",
    "T _t12",
    """
    _t12 = exp(_t11);
    """,
)


# locally_connected_gelu_no_bias_bwd_11: layers_spec/primitives.yaml:1973
_locally_connected_gelu_no_bias_bwd_11 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_bwd_11",
    "T _t9, T _t12",
    "T _t13",
    """
    _t13 = _t9 * _t12;
    """,
)


# locally_connected_gelu_no_bias_bwd_12: layers_spec/primitives.yaml:62
_locally_connected_gelu_no_bias_bwd_12 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_bwd_12",
    "T _t13",
    "T _t14",
    """
    _t14 = _t13 * T(0.7071067811865476);
    """,
)


# locally_connected_gelu_no_bias_bwd_13: layers_spec/primitives.yaml:62
_locally_connected_gelu_no_bias_bwd_13 = ElementwiseKernel(
    "locally_connected_gelu_no_bias_bwd_13",
    "T _t6, T _t14",
    "T grad_z",
    """
    grad_z = _t6 + _t14;
    """,
)


def _cupy_backward_gelu_no_bias(grad_y, x, weight, stride, z):
    _t2 = _locally_connected_gelu_no_bias_fwd_0(z)
    _t3 = _locally_connected_gelu_no_bias_fwd_1(_t2)
    _t4 = _locally_connected_gelu_no_bias_fwd_2(_t3)
    _t5 = _locally_connected_gelu_no_bias_fwd_3(_t4)
    _t6 = _locally_connected_gelu_no_bias_bwd_4(grad_y, _t5)
    _t7 = _locally_connected_gelu_no_bias_bwd_5(grad_y, z)
    _t8 = _locally_connected_gelu_no_bias_bwd_6(_t7)
    _t9 = _locally_connected_gelu_no_bias_bwd_7(_t8)
    _t10 = _locally_connected_gelu_no_bias_bwd_8(_t2)
    _t11 = _locally_connected_gelu_no_bias_bwd_9(_t10)
    _t12 = _locally_connected_gelu_no_bias_bwd_10(_t11)
    _t13 = _locally_connected_gelu_no_bias_bwd_11(_t9, _t12)
    _t14 = _locally_connected_gelu_no_bias_bwd_12(_t13)
    grad_z = _locally_connected_gelu_no_bias_bwd_13(_t6, _t14)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


# locally_connected_elu_no_bias_fwd_0: layers_spec/activations/elu.yaml:10
_locally_connected_elu_no_bias_fwd_0 = ElementwiseKernel(
    "locally_connected_elu_no_bias_fwd_0",
    "T z",
    "T _t2",
    """
    _t2 = z > T(0) || z != z ? z : T(0);
    """,
)


# locally_connected_elu_no_bias_fwd_1: layers_spec/activations/elu.yaml:10
_locally_connected_elu_no_bias_fwd_1 = ElementwiseKernel(
    "locally_connected_elu_no_bias_fwd_1",
    "T z",
    "T _t3",
    """
    _t3 = z < T(0) || z != z ? z : T(0);
    """,
)


# locally_connected_elu_no_bias_fwd_2: layers_spec/activations/elu.yaml:10
_locally_connected_elu_no_bias_fwd_2 = ElementwiseKernel(
    "locally_connected_elu_no_bias_fwd_2",
    "T _t3",
    "T _t4",
    """
    _t4 = expm1(_t3);
    """,
)


# locally_connected_elu_no_bias_fwd_3: layers_spec/activations/elu.yaml:10
_locally_connected_elu_no_bias_fwd_3 = ElementwiseKernel(
    "locally_connected_elu_no_bias_fwd_3",
    "T alpha, T _t4",
    "T _t5",
    """
    _t5 = alpha * _t4;
    """,
    scalars=("alpha",),
)


# locally_connected_elu_no_bias_fwd_4: layers_spec/activations/elu.yaml:10
_locally_connected_elu_no_bias_fwd_4 = ElementwiseKernel(
    "locally_connected_elu_no_bias_fwd_4",
    "T _t2, T _t5",
    "T y",
    """
    y = _t2 + _t5;
    """,
)


def _cupy_forward_elu_no_bias(x, weight, bias, stride, alpha=1.0):
    z = _cupy_local_apply(x, weight, stride)
    _t2 = _locally_connected_elu_no_bias_fwd_0(z)
    _t3 = _locally_connected_elu_no_bias_fwd_1(z)
    _t4 = _locally_connected_elu_no_bias_fwd_2(_t3)
    _t5 = _locally_connected_elu_no_bias_fwd_3(alpha, _t4)
    y = _locally_connected_elu_no_bias_fwd_4(_t2, _t5)
    return y, (x, weight, stride, alpha, y)


# locally_connected_elu_no_bias_bwd_0: layers_spec/activations/elu.yaml:15
_locally_connected_elu_no_bias_bwd_0 = ElementwiseKernel(
    "locally_connected_elu_no_bias_bwd_0",
    "T y",
    "T _t6",
    """
    _t6 = y < T(0) || y != y ? y : T(0);
    """,
)


# locally_connected_elu_no_bias_bwd_1: layers_spec/activations/elu.yaml:15
_locally_connected_elu_no_bias_bwd_1 = ElementwiseKernel(
    "locally_connected_elu_no_bias_bwd_1",
    "T _t6, T alpha",
    "T _t7",
    """
    _t7 = _t6 + alpha;
    """,
    scalars=("alpha",),
)


# locally_connected_elu_no_bias_bwd_2: layers_spec/activations/elu.yaml:15
_locally_connected_elu_no_bias_bwd_2 = ElementwiseKernel(
    "locally_connected_elu_no_bias_bwd_2",
    "T grad_y, T _t7",
    "T _t8",
    """
    _t8 = grad_y * _t7;
    """,
)


# locally_connected_elu_no_bias_bwd_3: layers_spec/activations/elu.yaml:15
_locally_connected_elu_no_bias_bwd_3 = ElementwiseKernel(
    "locally_connected_elu_no_bias_bwd_3",
    "T y",
    "bool _t9",
    """
    _t9 = y > T(0);
    """,
)


# locally_connected_elu_no_bias_bwd_4: layers_spec/activations/elu.yaml:15
_locally_connected_elu_no_bias_bwd_4 = ElementwiseKernel(
    "locally_connected_elu_no_bias_bwd_4",
    "T grad_y, bool _t9",
    "T _t10",
    """
    _t10 = grad_y * _t9;
    """,
)


# locally_connected_elu_no_bias_bwd_5: layers_spec/activations/elu.yaml:15
_locally_connected_elu_no_bias_bwd_5 = ElementwiseKernel(
    "locally_connected_elu_no_bias_bwd_5",
    "T _t10, T _t11",
    "T _t12",
    """
    _t12 = _t10 * _t11;
    """,
    scalars=("_t11",),
)


# locally_connected_elu_no_bias_bwd_6: layers_spec/activations/elu.yaml:15
_locally_connected_elu_no_bias_bwd_6 = ElementwiseKernel(
    "locally_connected_elu_no_bias_bwd_6",
    "T _t8, T _t12",
    "T grad_z",
    """
    grad_z = _t8 + _t12;
    """,
)


def _cupy_backward_elu_no_bias(grad_y, x, weight, stride, alpha, y):
    _t6 = _locally_connected_elu_no_bias_bwd_0(y)
    _t7 = _locally_connected_elu_no_bias_bwd_1(_t6, alpha)
    _t8 = _locally_connected_elu_no_bias_bwd_2(grad_y, _t7)
    _t9 = _locally_connected_elu_no_bias_bwd_3(y)
    _t10 = _locally_connected_elu_no_bias_bwd_4(grad_y, _t9)
    _t11 = 1 - alpha
    _t12 = _locally_connected_elu_no_bias_bwd_5(_t10, _t11)
    grad_z = _locally_connected_elu_no_bias_bwd_6(_t8, _t12)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


# locally_connected_mish_no_bias_fwd_0: layers_spec/activations/mish.yaml:12
_locally_connected_mish_no_bias_fwd_0 = ElementwiseKernel(
    "locally_connected_mish_no_bias_fwd_0",
    "T z",
    "T _t2",
    """
    _t2 = z < T(20) || z != z ? z : T(20);
    """,
)


# locally_connected_mish_no_bias_fwd_1: layers_spec/activations/mish.yaml:12
_locally_connected_mish_no_bias_fwd_1 = ElementwiseKernel(
    "locally_connected_mish_no_bias_fwd_1",
    "T _t2",
    "T mish_e",
    """
    mish_e = exp(_t2);
    """,
)


# locally_connected_mish_no_bias_fwd_2: layers_spec/activations/mish.yaml:13
_locally_connected_mish_no_bias_fwd_2 = ElementwiseKernel(
    "locally_connected_mish_no_bias_fwd_2",
    "T mish_e",
    "T _t3",
    """
    _t3 = mish_e + T(2);
    """,
)


# locally_connected_mish_no_bias_fwd_3: layers_spec/activations/mish.yaml:13
_locally_connected_mish_no_bias_fwd_3 = ElementwiseKernel(
    "locally_connected_mish_no_bias_fwd_3",
    "T mish_e, T _t3",
    "T mish_n",
    """
    mish_n = mish_e * _t3;
    """,
)


# locally_connected_mish_no_bias_fwd_4: layers_spec/activations/mish.yaml:14
_locally_connected_mish_no_bias_fwd_4 = ElementwiseKernel(
    "locally_connected_mish_no_bias_fwd_4",
    "T z, T mish_n",
    "T _t4",
    """
    _t4 = z * mish_n;
    """,
)


# locally_connected_mish_no_bias_fwd_5: layers_spec/activations/mish.yaml:14
_locally_connected_mish_no_bias_fwd_5 = ElementwiseKernel(
    "locally_connected_mish_no_bias_fwd_5",
    "T mish_n",
    "T _t5",
    """
    _t5 = mish_n + T(2);
    """,
)


# locally_connected_mish_no_bias_fwd_6: layers_spec/activations/mish.yaml:14
_locally_connected_mish_no_bias_fwd_6 = ElementwiseKernel(
    "locally_connected_mish_no_bias_fwd_6",
    "T _t4, T _t5",
    "T y",
    """
    y = _t4 / _t5;
    """,
)


def _cupy_forward_mish_no_bias(x, weight, bias, stride):
    z = _cupy_local_apply(x, weight, stride)
    _t2 = _locally_connected_mish_no_bias_fwd_0(z)
    mish_e = _locally_connected_mish_no_bias_fwd_1(_t2)
    _t3 = _locally_connected_mish_no_bias_fwd_2(mish_e)
    mish_n = _locally_connected_mish_no_bias_fwd_3(mish_e, _t3)
    _t4 = _locally_connected_mish_no_bias_fwd_4(z, mish_n)
    _t5 = _locally_connected_mish_no_bias_fwd_5(mish_n)
    y = _locally_connected_mish_no_bias_fwd_6(_t4, _t5)
    return y, (x, weight, stride, z)


# locally_connected_mish_no_bias_bwd_5: layers_spec/activations/mish.yaml:17
_locally_connected_mish_no_bias_bwd_5 = ElementwiseKernel(
    "locally_connected_mish_no_bias_bwd_5",
    "T _t6",
    "T _t7",
    """
    _t7 = T(1) / _t6;
    """,
)


# locally_connected_mish_no_bias_bwd_6: layers_spec/activations/mish.yaml:18
_locally_connected_mish_no_bias_bwd_6 = ElementwiseKernel(
    "locally_connected_mish_no_bias_bwd_6",
    "T mish_n, T _t7",
    "T _t8",
    """
    _t8 = mish_n * _t7;
    """,
)


# locally_connected_mish_no_bias_bwd_7: layers_spec/activations/mish.yaml:18
_locally_connected_mish_no_bias_bwd_7 = ElementwiseKernel(
    "locally_connected_mish_no_bias_bwd_7",
    "T z",
    "T _t9",
    """
    _t9 = T(4) * z;
    """,
)


# locally_connected_mish_no_bias_bwd_8: layers_spec/activations/mish.yaml:18
_locally_connected_mish_no_bias_bwd_8 = ElementwiseKernel(
    "locally_connected_mish_no_bias_bwd_8",
    "T _t9, T mish_e",
    "T _t10",
    """
    _t10 = _t9 * mish_e;
    """,
)


# locally_connected_mish_no_bias_bwd_9: layers_spec/activations/mish.yaml:18
_locally_connected_mish_no_bias_bwd_9 = ElementwiseKernel(
    "locally_connected_mish_no_bias_bwd_9",
    "T mish_e",
    "T _t11",
    """
    _t11 = mish_e + T(1);
    """,
)


# locally_connected_mish_no_bias_bwd_10: layers_spec/activations/mish.yaml:18
_locally_connected_mish_no_bias_bwd_10 = ElementwiseKernel(
    "locally_connected_mish_no_bias_bwd_10",
    "T _t10, T _t11",
    "T _t12",
    """
    _t12 = _t10 * _t11;
    """,
)


# locally_connected_mish_no_bias_bwd_11: layers_spec/activations/mish.yaml:18
_locally_connected_mish_no_bias_bwd_11 = ElementwiseKernel(
    "locally_connected_mish_no_bias_bwd_11",
    "T _t12, T _t7",
    "T _t13",
    """
    _t13 = _t12 * _t7;
    """,
)


# locally_connected_mish_no_bias_bwd_12: layers_spec/activations/mish.yaml:18
_locally_connected_mish_no_bias_bwd_12 = ElementwiseKernel(
    "locally_connected_mish_no_bias_bwd_12",
    "T _t13, T _t7",
    "T _t14",
    """
    _t14 = _t13 * _t7;
    """,
)


# locally_connected_mish_no_bias_bwd_13: layers_spec/activations/mish.yaml:18
_locally_connected_mish_no_bias_bwd_13 = ElementwiseKernel(
    "locally_connected_mish_no_bias_bwd_13",
    "T _t8, T _t14",
    "T _t15",
    """
    _t15 = _t8 + _t14;
    """,
)


# locally_connected_mish_no_bias_bwd_14: layers_spec/activations/mish.yaml:18
_locally_connected_mish_no_bias_bwd_14 = ElementwiseKernel(
    "locally_connected_mish_no_bias_bwd_14",
    "T grad_y, T _t15",
    "T grad_z",
    """
    grad_z = grad_y * _t15;
    """,
)


def _cupy_backward_mish_no_bias(grad_y, x, weight, stride, z):
    _t2 = _locally_connected_mish_no_bias_fwd_0(z)
    mish_e = _locally_connected_mish_no_bias_fwd_1(_t2)
    _t3 = _locally_connected_mish_no_bias_fwd_2(mish_e)
    mish_n = _locally_connected_mish_no_bias_fwd_3(mish_e, _t3)
    _t6 = _locally_connected_mish_fwd_6(mish_n)
    _t7 = _locally_connected_mish_no_bias_bwd_5(_t6)
    _t8 = _locally_connected_mish_no_bias_bwd_6(mish_n, _t7)
    _t9 = _locally_connected_mish_no_bias_bwd_7(z)
    _t10 = _locally_connected_mish_no_bias_bwd_8(_t9, mish_e)
    _t11 = _locally_connected_mish_no_bias_bwd_9(mish_e)
    _t12 = _locally_connected_mish_no_bias_bwd_10(_t10, _t11)
    _t13 = _locally_connected_mish_no_bias_bwd_11(_t12, _t7)
    _t14 = _locally_connected_mish_no_bias_bwd_12(_t13, _t7)
    _t15 = _locally_connected_mish_no_bias_bwd_13(_t8, _t14)
    grad_z = _locally_connected_mish_no_bias_bwd_14(grad_y, _t15)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
    return grad_x, grad_weight, None


# locally_connected_swish_no_bias_fwd_0: layers_spec/activations/swish.yaml:8
_locally_connected_swish_no_bias_fwd_0 = ElementwiseKernel(
    "locally_connected_swish_no_bias_fwd_0",
    "T z",
    "T _t2",
    """
    _t2 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    """,
)


# locally_connected_swish_no_bias_fwd_1: layers_spec/activations/swish.yaml:8
_locally_connected_swish_no_bias_fwd_1 = ElementwiseKernel(
    "locally_connected_swish_no_bias_fwd_1",
    "T z, T _t2",
    "T y",
    """
    y = z * _t2;
    """,
)


def _cupy_forward_swish_no_bias(x, weight, bias, stride):
    z = _cupy_local_apply(x, weight, stride)
    _t2 = _locally_connected_swish_no_bias_fwd_0(z)
    y = _locally_connected_swish_no_bias_fwd_1(z, _t2)
    return y, (x, weight, stride, z)


# locally_connected_swish_no_bias_bwd_1: layers_spec/primitives.yaml:61
_locally_connected_swish_no_bias_bwd_1 = ElementwiseKernel(
    "locally_connected_swish_no_bias_bwd_1",
    "T grad_y, T _t2",
    "T _t3",
    """
    _t3 = grad_y * _t2;
    """,
)


# locally_connected_swish_no_bias_bwd_2: layers_spec/primitives.yaml:62
_locally_connected_swish_no_bias_bwd_2 = ElementwiseKernel(
    "locally_connected_swish_no_bias_bwd_2",
    "T grad_y, T z",
    "T _t4",
    """
    _t4 = grad_y * z;
    """,
)


# locally_connected_swish_no_bias_bwd_3: layers_spec/primitives.yaml:201
_locally_connected_swish_no_bias_bwd_3 = ElementwiseKernel(
    "locally_connected_swish_no_bias_bwd_3",
    "T _t4, T _t2",
    "T _t5",
    """
    _t5 = _t4 * _t2;
    """,
)


# locally_connected_swish_no_bias_bwd_4: layers_spec/primitives.yaml:201
_locally_connected_swish_no_bias_bwd_4 = ElementwiseKernel(
    "locally_connected_swish_no_bias_bwd_4",
    "T _t2",
    "T _t6",
    """
    _t6 = T(1) - _t2;
    """,
)


# locally_connected_swish_no_bias_bwd_5: layers_spec/primitives.yaml:201
_locally_connected_swish_no_bias_bwd_5 = ElementwiseKernel(
    "locally_connected_swish_no_bias_bwd_5",
    "T _t5, T _t6",
    "T _t7",
    """
    _t7 = _t5 * _t6;
    """,
)


# locally_connected_swish_no_bias_bwd_6: layers_spec/primitives.yaml:201
_locally_connected_swish_no_bias_bwd_6 = ElementwiseKernel(
    "locally_connected_swish_no_bias_bwd_6",
    "T _t3, T _t7",
    "T grad_z",
    """
    grad_z = _t3 + _t7;
    """,
)


def _cupy_backward_swish_no_bias(grad_y, x, weight, stride, z):
    _t2 = _locally_connected_swish_no_bias_fwd_0(z)
    _t3 = _locally_connected_swish_no_bias_bwd_1(grad_y, _t2)
    _t4 = _locally_connected_swish_no_bias_bwd_2(grad_y, z)
    _t5 = _locally_connected_swish_no_bias_bwd_3(_t4, _t2)
    _t6 = _locally_connected_swish_no_bias_bwd_4(_t2)
    _t7 = _locally_connected_swish_no_bias_bwd_5(_t5, _t6)
    grad_z = _locally_connected_swish_no_bias_bwd_6(_t3, _t7)
    grad_x = _cupy_local_input_grad(grad_z, weight, x, stride)
    grad_weight = _cupy_local_weight_grad(grad_z, x, weight, stride)
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
    ("identity", True): (_cupy_forward_identity, _cupy_backward_identity),
    ("gelu", True): (_cupy_forward_gelu, _cupy_backward_gelu),
    ("elu", True): (_cupy_forward_elu, _cupy_backward_elu),
    ("mish", True): (_cupy_forward_mish, _cupy_backward_mish),
    ("swish", True): (_cupy_forward_swish, _cupy_backward_swish),
    ("silu", True): (_cupy_forward_swish, _cupy_backward_swish),
    ("relu", False): (_cupy_forward_relu_no_bias, _cupy_backward_relu_no_bias),
    ("sigmoid", False): (_cupy_forward_sigmoid_no_bias, _cupy_backward_sigmoid_no_bias),
    ("tanh", False): (_cupy_forward_tanh_no_bias, _cupy_backward_tanh_no_bias),
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


def _cupy_local_apply(x, weight, stride):
    """One [N, C_in kH kW] x [C_in kH kW, C_out] product per output position (a batched
    matmul over the positions)."""
    import cupy as cp

    out_h, out_w, c_out = weight.shape[:3]
    n, size = x.shape[0], weight.shape[3] * weight.shape[4] * weight.shape[5]
    windows = _cupy_local_windows(x, weight, stride)
    columns = cp.ascontiguousarray(windows.transpose(2, 3, 0, 1, 4, 5)).reshape(
        out_h * out_w, n, size
    )
    banks = weight.reshape(out_h * out_w, c_out, size)
    product = cp.matmul(columns, banks.transpose(0, 2, 1))  # [P, N, C_out]
    return cp.ascontiguousarray(
        product.reshape(out_h, out_w, n, c_out).transpose(2, 3, 0, 1)
    )


def _cupy_local_input_grad(grad, weight, x, stride):
    """Per output position, grad [N, C_out] times its filter bank [C_out, C_in kH kW]
    (a batched matmul), each window's gradient then added onto the pixels it read (one
    strided add per kernel offset)."""
    import cupy as cp

    out_h, out_w, c_out, c, kernel_h, kernel_w = weight.shape
    n = grad.shape[0]
    per_position = cp.ascontiguousarray(grad.transpose(2, 3, 0, 1)).reshape(
        out_h * out_w, n, c_out
    )
    windows = cp.matmul(
        per_position, weight.reshape(out_h * out_w, c_out, c * kernel_h * kernel_w)
    )
    windows = windows.reshape(out_h, out_w, n, c, kernel_h, kernel_w)
    grad_x = cp.zeros(x.shape, dtype=grad.dtype)
    for u in range(kernel_h):
        for v in range(kernel_w):
            rows = slice(u, u + stride * (out_h - 1) + 1, stride)
            cols = slice(v, v + stride * (out_w - 1) + 1, stride)
            grad_x[:, :, rows, cols] += windows[..., u, v].transpose(2, 3, 0, 1)
    return grad_x


def _cupy_local_weight_grad(grad, x, weight, stride):
    """Per output position, grad [C_out, N] times that position's window columns [N,
    C_in kH kW] (a batched matmul over the positions), shaped like weight."""
    import cupy as cp

    out_h, out_w, c_out = weight.shape[:3]
    n, size = x.shape[0], weight.shape[3] * weight.shape[4] * weight.shape[5]
    windows = _cupy_local_windows(x, weight, stride)
    columns = cp.ascontiguousarray(windows.transpose(2, 3, 0, 1, 4, 5)).reshape(
        out_h * out_w, n, size
    )
    per_position = cp.ascontiguousarray(grad.transpose(2, 3, 1, 0)).reshape(
        out_h * out_w, c_out, n
    )
    return cp.matmul(per_position, columns).reshape(weight.shape)


def _cupy_local_windows(x, weight, stride):
    """The windows of x [N, C, H, W] that weight [H_out, W_out, C_out, C, kH, kW] sees,
    as a strided view [N, C, H_out, W_out, kH, kW]; a clear error where the weight's
    positions are not the windows' (locally_connected is the layer that has one)."""
    import cupy as cp

    out_h, out_w, _, c, kernel_h, kernel_w = weight.shape
    n, channels, h, w = x.shape
    expected = ((h - kernel_h) // stride + 1, (w - kernel_w) // stride + 1)
    if channels != c or kernel_h > h or kernel_w > w or (out_h, out_w) != expected:
        raise ValueError(
            f"locally_connected: argument 'weight' [H_out, W_out, C_out, C_in, kH, kW] must have "
            f"C_in = {channels} and one filter bank per window of 'x' {tuple(x.shape)} at stride {stride} "
            f"(H_out, W_out = {expected if kernel_h <= h and kernel_w <= w else 'none: the kernel is larger than x'}), "
            f"got shape {tuple(weight.shape)}"
        )
    windows = cp.lib.stride_tricks.sliding_window_view(
        x, (kernel_h, kernel_w), axis=(2, 3)
    )
    return windows[:, :, ::stride, ::stride]


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
