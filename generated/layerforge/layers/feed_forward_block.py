"""FeedForwardBlock: The feed-forward sublayer of a transformer with its residual
connection and layer normalization, composed of two Dense layers and a
LayerNormalization: y = norm(x + linear2(activation(linear1(x)))) (post-LN, norm_first
false, the default), or y = x + linear2(activation(linear1(norm(x)))) (norm_first true),
parameters named as in torch.nn.TransformerEncoderLayer (linear1.weight [F, E],
linear2.weight [E, F], norm.weight).
Generated from layers_spec/layers/feed_forward_block.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_nonempty,
    activation_module,
    check_options,
    in_row_blocks,
)
from layerforge._cupy_runtime import ElementwiseKernel, RowBlockKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = (
    "linear1_weight",
    "linear1_bias",
    "linear2_weight",
    "linear2_bias",
    "norm_weight",
    "norm_bias",
)
OUTPUTS = ("y",)


def forward(
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_bias,
    *,
    eps=1e-05,
    norm_first=False,
    activation="relu",
    activation_options=None,
):
    """FeedForwardBlock forward pass.

    The feed-forward sublayer of a transformer with its residual connection and layer
    normalization, composed of two Dense layers and a LayerNormalization: y = norm(x +
    linear2(activation(linear1(x)))) (post-LN, norm_first false, the default), or y = x
    + linear2(activation(linear1(norm(x)))) (norm_first true), parameters named as in
    torch.nn.TransformerEncoderLayer (linear1.weight [F, E], linear2.weight [E, F],
    norm.weight).

    Args:
        x: float32 or float64 input of shape [..., E]. Token features, any leading
            dimensions.
        linear1_weight: float32 or float64 parameter of shape [F, E]. PyTorch's
            linear1.weight: the weight of Dense 'linear1'.
        linear1_bias: float32 or float64 parameter of shape [F]. PyTorch's linear1.bias:
            the bias of Dense 'linear1'.
        linear2_weight: float32 or float64 parameter of shape [E, F]. PyTorch's
            linear2.weight: the weight of Dense 'linear2'.
        linear2_bias: float32 or float64 parameter of shape [E]. PyTorch's linear2.bias:
            the bias of Dense 'linear2'.
        norm_weight: float32 or float64 parameter of shape [E]. PyTorch's norm.weight:
            the weight of LayerNormalization 'norm'.
        norm_bias: float32 or float64 parameter of shape [E]. PyTorch's norm.bias: the
            bias of LayerNormalization 'norm'.
        eps: float, default 1e-05. The layer normalization's eps.
        norm_first: bool, default False. Normalize before the feed-forward step (pre-LN)
            instead of after the residual add.
        activation: name of the activation applied to the result, default 'relu'; relu,
            gelu are fused into specialized code, and only these: the slot is not the
            layer's last step.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "feed_forward_block",
        {
            "x": x,
            "linear1_weight": linear1_weight,
            "linear1_bias": linear1_bias,
            "linear2_weight": linear2_weight,
            "linear2_bias": linear2_bias,
            "norm_weight": norm_weight,
            "norm_bias": norm_bias,
        },
        {
            "x": ("...", "E"),
            "linear1_weight": ("F", "E"),
            "linear1_bias": ("F",),
            "linear2_weight": ("E", "F"),
            "linear2_bias": ("E",),
            "norm_weight": ("E",),
            "norm_bias": ("E",),
        },
    )
    check_attribute("feed_forward_block", "eps", eps, "float", minimum=0.0)
    check_attribute("feed_forward_block", "norm_first", norm_first, "bool")
    check_nonempty("feed_forward_block", "x", x.shape, -1)
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get((activation, norm_first))
        fixed = _FUSED_FIXED.get(activation, {})
        if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
            options = {k: v for k, v in options.items() if k not in fixed}
            forward_variant, backward_variant = fused
            if options:
                check_options("feed_forward_block", activation, options)
            y, saved = forward_variant(
                x,
                linear1_weight,
                linear1_bias,
                linear2_weight,
                linear2_bias,
                norm_weight,
                norm_bias,
                eps,
                **options,
            )
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        raise ValueError(
            f"feed_forward_block: activation {activation!r} cannot fill this layer's slot, "
            "which is not its last step (no composition); choose one of "
            f"{', '.join(dict.fromkeys(key[0] for key in _CUPY_FUSED))}"
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get((activation, norm_first))
    fixed = _FUSED_FIXED.get(activation, {})
    if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
        options = {k: v for k, v in options.items() if k not in fixed}
        forward_variant, backward_variant = fused
        if options:
            check_options("feed_forward_block", activation, options)
        y, saved = forward_variant(
            x,
            linear1_weight,
            linear1_bias,
            linear2_weight,
            linear2_bias,
            norm_weight,
            norm_bias,
            eps,
            **options,
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    raise ValueError(
        f"feed_forward_block: activation {activation!r} cannot fill this layer's slot, "
        "which is not its last step (no composition); choose one of "
        f"{', '.join(dict.fromkeys(key[0] for key in _FUSED))}"
    )


def backward(grad_y, ctx):
    """FeedForwardBlock backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_linear1_weight, grad_linear1_bias, grad_linear2_weight,
            grad_linear2_bias, grad_norm_weight, grad_norm_bias: gradients with respect
            to x, linear1_weight, linear1_bias, linear2_weight, linear2_bias,
            norm_weight, norm_bias, in that order.
    """
    backward_variant, saved = check_context(
        "feed_forward_block", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_norm_first_relu_part1(x, eps, norm_weight, norm_bias):
    norm_mu = _mean(x, -1)
    norm_centered = x - norm_mu
    norm_variance = _dot_last(norm_centered, norm_centered)
    norm_variance /= x.shape[-1]
    norm_rstd = np.add(norm_variance, eps, out=norm_variance)
    np.sqrt(norm_rstd, out=norm_rstd)
    np.divide(1, norm_rstd, out=norm_rstd)
    norm_normalized = np.multiply(norm_centered, norm_rstd, out=norm_centered)
    normalized = np.multiply(norm_normalized, norm_weight, out=norm_normalized)
    normalized += norm_bias
    return norm_mu, norm_rstd, normalized


def _forward_norm_first_relu(
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_bias,
    eps,
):
    norm_mu, norm_rstd, normalized = in_row_blocks(
        _forward_norm_first_relu_part1,
        x,
        eps,
        norm_weight,
        norm_bias,
        named=(1, None, None, None),
    )
    linear1_z = _linear(normalized, linear1_weight)
    linear1_z += linear1_bias
    h = np.clip(linear1_z, 0, np.inf)
    linear2_z = _linear(h, linear2_weight)
    linear2_z += linear2_bias
    y = np.add(x, linear2_z, out=linear2_z)
    return y, (
        x,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm_weight,
        norm_mu,
        norm_rstd,
        normalized,
        linear1_z,
    )


def _backward_norm_first_relu_part1(
    x, norm_mu, norm_rstd, grad_normalized, linear2_bias, norm_weight, grad_y
):
    norm_x_hat = x - norm_mu
    norm_x_hat *= norm_rstd
    norm_p = grad_normalized * norm_x_hat
    grad_norm_weight = _sum_to(norm_p, linear2_bias.shape)
    grad_norm_bias = _sum_to(grad_normalized, linear2_bias.shape)
    norm_scale = norm_rstd / x.shape[-1]
    grad_norm_x = grad_normalized * norm_weight
    grad_norm_x *= norm_rstd
    _t1 = norm_x_hat * (_dot_last(norm_p, norm_weight) * norm_scale)
    grad_norm_x -= _t1
    grad_norm_x -= _dot_last(grad_normalized, norm_weight) * norm_scale
    grad_x = np.add(grad_y, grad_norm_x, out=grad_norm_x)
    return grad_x, grad_norm_weight, grad_norm_bias


def _backward_norm_first_relu(
    grad_y,
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_mu,
    norm_rstd,
    normalized,
    linear1_z,
):
    h = np.clip(linear1_z, 0, np.inf)
    grad_linear2_bias = _sum_to(grad_y, linear2_bias.shape)
    grad_h = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(h)
    grad_linear1_z = grad_h * (linear1_z > 0)
    grad_linear1_bias = _sum_to(grad_linear1_z, linear1_bias.shape)
    grad_normalized = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(normalized)
    grad_x, grad_norm_weight, grad_norm_bias = in_row_blocks(
        _backward_norm_first_relu_part1,
        x,
        norm_mu,
        norm_rstd,
        grad_normalized,
        linear2_bias,
        norm_weight,
        grad_y,
        sums=2,
        named=(1, 1, 1, 1, None, None, 1),
    )
    return (
        grad_x,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm_weight,
        grad_norm_bias,
    )


def _forward_norm_first_gelu_part2(_t1, linear1_bias):
    linear1_z = _t1 + linear1_bias
    h = _erf(0.7071067811865476 * linear1_z)
    h *= 0.5
    h += 0.5
    h *= linear1_z
    return linear1_z, h


def _forward_norm_first_gelu(
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_bias,
    eps,
):
    norm_mu, norm_rstd, normalized = in_row_blocks(
        _forward_norm_first_relu_part1,
        x,
        eps,
        norm_weight,
        norm_bias,
        named=(1, None, None, None),
    )
    _t1 = _linear(normalized, linear1_weight)
    linear1_z, h = in_row_blocks(
        _forward_norm_first_gelu_part2, _t1, linear1_bias, named=(1, None)
    )
    linear2_z = _linear(h, linear2_weight)
    linear2_z += linear2_bias
    y = np.add(x, linear2_z, out=linear2_z)
    return y, (
        x,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm_weight,
        norm_mu,
        norm_rstd,
        normalized,
        linear1_z,
    )


def _backward_norm_first_gelu_part1(grad_h, _t1, linear1_z, _t2, linear1_bias):
    grad_linear1_z = grad_h * _t1
    _t3 = _t2 * _t2
    np.negative(_t3, out=_t3)
    np.exp(_t3, out=_t3)
    _t3 *= grad_h
    _t3 *= linear1_z
    _t3 *= 0.5
    _t3 *= 1.1283791670955126
    _t3 *= 0.7071067811865476
    grad_linear1_z += _t3
    grad_linear1_bias = _sum_to(grad_linear1_z, linear1_bias.shape)
    return grad_linear1_z, grad_linear1_bias


def _backward_norm_first_gelu(
    grad_y,
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_mu,
    norm_rstd,
    normalized,
    linear1_z,
):
    _t1 = 0.7071067811865476 * linear1_z
    _t2 = _erf(_t1)
    _t2 *= 0.5
    _t2 += 0.5
    h = linear1_z * _t2
    grad_linear2_bias = _sum_to(grad_y, linear2_bias.shape)
    grad_h = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(h)
    grad_linear1_z, grad_linear1_bias = in_row_blocks(
        _backward_norm_first_gelu_part1,
        grad_h,
        _t2,
        linear1_z,
        _t1,
        linear1_bias,
        sums=1,
        named=(1, 1, 1, 1, None),
    )
    grad_normalized = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(normalized)
    grad_x, grad_norm_weight, grad_norm_bias = in_row_blocks(
        _backward_norm_first_relu_part1,
        x,
        norm_mu,
        norm_rstd,
        grad_normalized,
        linear2_bias,
        norm_weight,
        grad_y,
        sums=2,
        named=(1, 1, 1, 1, None, None, 1),
    )
    return (
        grad_x,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm_weight,
        grad_norm_bias,
    )


def _forward_no_norm_first_relu_part1(
    _t1, linear2_bias, x, eps, norm_weight, norm_bias
):
    linear2_z = _t1 + linear2_bias
    _t2 = np.add(x, linear2_z, out=linear2_z)
    norm_mu = _mean(_t2, -1)
    norm_centered = _t2 - norm_mu
    norm_variance = _dot_last(norm_centered, norm_centered)
    norm_variance /= x.shape[-1]
    norm_rstd = np.add(norm_variance, eps, out=norm_variance)
    np.sqrt(norm_rstd, out=norm_rstd)
    np.divide(1, norm_rstd, out=norm_rstd)
    norm_normalized = np.multiply(norm_centered, norm_rstd, out=norm_centered)
    y = np.multiply(norm_normalized, norm_weight, out=norm_normalized)
    y += norm_bias
    return _t2, norm_mu, norm_rstd, y


def _forward_no_norm_first_relu(
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_bias,
    eps,
):
    linear1_z = _linear(x, linear1_weight)
    linear1_z += linear1_bias
    h = np.clip(linear1_z, 0, np.inf)
    _t1 = _linear(h, linear2_weight)
    _t2, norm_mu, norm_rstd, y = in_row_blocks(
        _forward_no_norm_first_relu_part1,
        _t1,
        linear2_bias,
        x,
        eps,
        norm_weight,
        norm_bias,
        named=(1, None, 1, None, None, None),
    )
    return y, (
        x,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm_weight,
        linear1_z,
        _t2,
        norm_mu,
        norm_rstd,
    )


def _backward_no_norm_first_relu_part1(
    linear1_z, _t1, norm_mu, norm_rstd, grad_y, linear2_bias, x, norm_weight
):
    h = np.clip(linear1_z, 0, np.inf)
    norm_x_hat = _t1 - norm_mu
    norm_x_hat *= norm_rstd
    norm_p = grad_y * norm_x_hat
    grad_norm_weight = _sum_to(norm_p, linear2_bias.shape)
    grad_norm_bias = _sum_to(grad_y, linear2_bias.shape)
    norm_scale = norm_rstd / x.shape[-1]
    grad_norm_x = grad_y * norm_weight
    grad_norm_x *= norm_rstd
    _t2 = norm_x_hat * (_dot_last(norm_p, norm_weight) * norm_scale)
    grad_norm_x -= _t2
    grad_norm_x -= _dot_last(grad_y, norm_weight) * norm_scale
    grad_linear2_bias = _sum_to(grad_norm_x, linear2_bias.shape)
    return h, grad_norm_x, grad_norm_weight, grad_norm_bias, grad_linear2_bias


def _backward_no_norm_first_relu(
    grad_y,
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    linear1_z,
    _t1,
    norm_mu,
    norm_rstd,
):
    h, grad_norm_x, grad_norm_weight, grad_norm_bias, grad_linear2_bias = in_row_blocks(
        _backward_no_norm_first_relu_part1,
        linear1_z,
        _t1,
        norm_mu,
        norm_rstd,
        grad_y,
        linear2_bias,
        x,
        norm_weight,
        sums=3,
        named=(1, 1, 1, 1, 1, None, 1, None),
    )
    grad_h = _linear_backward_input(grad_norm_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm_x).T @ _rows(h)
    grad_linear1_z = grad_h * (linear1_z > 0)
    grad_linear1_bias = _sum_to(grad_linear1_z, linear1_bias.shape)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(x)
    grad_x = grad_norm_x + _linear_backward_input(grad_linear1_z, linear1_weight)
    return (
        grad_x,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm_weight,
        grad_norm_bias,
    )


def _forward_no_norm_first_gelu(
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_bias,
    eps,
):
    _t1 = _linear(x, linear1_weight)
    linear1_z, h = in_row_blocks(
        _forward_norm_first_gelu_part2, _t1, linear1_bias, named=(1, None)
    )
    _t2 = _linear(h, linear2_weight)
    _t3, norm_mu, norm_rstd, y = in_row_blocks(
        _forward_no_norm_first_relu_part1,
        _t2,
        linear2_bias,
        x,
        eps,
        norm_weight,
        norm_bias,
        named=(1, None, 1, None, None, None),
    )
    return y, (
        x,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm_weight,
        linear1_z,
        _t3,
        norm_mu,
        norm_rstd,
    )


def _backward_no_norm_first_gelu_part1(
    linear1_z, _t1, norm_mu, norm_rstd, grad_y, linear2_bias, x, norm_weight
):
    _t2 = 0.7071067811865476 * linear1_z
    _t3 = _erf(_t2)
    _t3 *= 0.5
    _t3 += 0.5
    h = linear1_z * _t3
    norm_x_hat = _t1 - norm_mu
    norm_x_hat *= norm_rstd
    norm_p = grad_y * norm_x_hat
    grad_norm_weight = _sum_to(norm_p, linear2_bias.shape)
    grad_norm_bias = _sum_to(grad_y, linear2_bias.shape)
    norm_scale = norm_rstd / x.shape[-1]
    grad_norm_x = grad_y * norm_weight
    grad_norm_x *= norm_rstd
    _t4 = norm_x_hat * (_dot_last(norm_p, norm_weight) * norm_scale)
    grad_norm_x -= _t4
    grad_norm_x -= _dot_last(grad_y, norm_weight) * norm_scale
    grad_linear2_bias = _sum_to(grad_norm_x, linear2_bias.shape)
    return _t2, _t3, h, grad_norm_x, grad_norm_weight, grad_norm_bias, grad_linear2_bias


def _backward_no_norm_first_gelu(
    grad_y,
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    linear1_z,
    _t1,
    norm_mu,
    norm_rstd,
):
    _t2, _t3, h, grad_norm_x, grad_norm_weight, grad_norm_bias, grad_linear2_bias = (
        in_row_blocks(
            _backward_no_norm_first_gelu_part1,
            linear1_z,
            _t1,
            norm_mu,
            norm_rstd,
            grad_y,
            linear2_bias,
            x,
            norm_weight,
            sums=3,
            named=(1, 1, 1, 1, 1, None, 1, None),
        )
    )
    grad_h = _linear_backward_input(grad_norm_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm_x).T @ _rows(h)
    grad_linear1_z, grad_linear1_bias = in_row_blocks(
        _backward_norm_first_gelu_part1,
        grad_h,
        _t3,
        linear1_z,
        _t2,
        linear1_bias,
        sums=1,
        named=(1, 1, 1, 1, None),
    )
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(x)
    grad_x = grad_norm_x + _linear_backward_input(grad_linear1_z, linear1_weight)
    return (
        grad_x,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm_weight,
        grad_norm_bias,
    )


_FUSED = {
    ("relu", True): (_forward_norm_first_relu, _backward_norm_first_relu),
    ("gelu", True): (_forward_norm_first_gelu, _backward_norm_first_gelu),
    ("relu", False): (_forward_no_norm_first_relu, _backward_no_norm_first_relu),
    ("gelu", False): (_forward_no_norm_first_gelu, _backward_no_norm_first_gelu),
}
# The options each fused activation is specialized at; other values run it composed.
_FUSED_FIXED = {
    "gelu": {"approximate": "none"},
}


def _dot_last(a, b):
    """The sum over the last axis of a * b, kept as a length-1 axis, as matrix products
    (BLAS) that never form a * b: with a vector b [F] one matrix-vector product, with
    rows b [..., F] a stack of row-times-column ones."""
    if b.ndim == 1:
        return np.matmul(a, b)[..., None]
    return np.matmul(a[..., None, :], b[..., :, None])[..., 0]


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


def _mean(x, axis):
    """The mean along ``axis``, kept as a length-1 axis; along the last axis of a float
    array a matrix-vector product with 1 / n (BLAS), as in _sum."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        return np.matmul(x, np.full(x.shape[-1], 1 / x.shape[-1], x.dtype))[..., None]
    return np.mean(x, axis=axis, keepdims=True)


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


# feed_forward_block_norm_first_relu_fwd_0: layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_feed_forward_block_norm_first_relu_fwd_0 = RowBlockKernel(
    "feed_forward_block_norm_first_relu_fwd_0",
    "row T x, scalar int64 _t2, scalar T eps, column T norm_weight, column T norm_bias",
    "per_row T norm_mu, per_row T norm_rstd, row T normalized",
    """
    T _c_x[LF_REGISTERS];
    T norm_mu = T(0);
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        norm_mu = _Sum()(norm_mu, x);
    )
    norm_mu = _row_reduce(norm_mu, _Sum());
    norm_mu = norm_mu / T(_n);
    T _t1 = T(0);
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T norm_centered = x - norm_mu;
        _t1 = _Sum()(_t1, norm_centered * norm_centered);
    )
    _t1 = _row_reduce(_t1, _Sum());
    const T norm_variance = _t1 / _t2;
    const T _t3 = norm_variance + eps;
    const T _t4 = sqrt(_t3);
    const T norm_rstd = T(1) / _t4;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T norm_weight = _p_norm_weight[_j];
        const T norm_bias = _p_norm_bias[_j];
        const T norm_centered = x - norm_mu;
        const T norm_normalized = norm_centered * norm_rstd;
        const T _t5 = norm_normalized * norm_weight;
        const T normalized = _t5 + norm_bias;
        _row_normalized[_j] = normalized;
    )
    """,
)


# feed_forward_block_norm_first_relu_fwd_1: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_feed_forward_block_norm_first_relu_fwd_1 = ElementwiseKernel(
    "feed_forward_block_norm_first_relu_fwd_1",
    "T _t6, T linear1_bias",
    "T linear1_z, T h",
    """
    linear1_z = _t6 + linear1_bias;
    h = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# feed_forward_block_norm_first_relu_fwd_2: layers_spec/layers/dense.yaml:17; layers_spec/layers/feed_forward_block.yaml:29
_feed_forward_block_norm_first_relu_fwd_2 = ElementwiseKernel(
    "feed_forward_block_norm_first_relu_fwd_2",
    "T _t7, T linear2_bias, T x",
    "T y",
    """
    T linear2_z = _t7 + linear2_bias;
    y = x + linear2_z;
    """,
)


def _cupy_forward_norm_first_relu(
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_bias,
    eps,
):
    _t2 = x.shape[-1]
    norm_mu, norm_rstd, normalized = _feed_forward_block_norm_first_relu_fwd_0(
        x, _t2, eps, norm_weight, norm_bias
    )
    _t6 = _linear(normalized, linear1_weight)
    linear1_z, h = _feed_forward_block_norm_first_relu_fwd_1(_t6, linear1_bias)
    _t7 = _linear(h, linear2_weight)
    y = _feed_forward_block_norm_first_relu_fwd_2(_t7, linear2_bias, x)
    return y, (
        x,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm_weight,
        norm_mu,
        norm_rstd,
        normalized,
        linear1_z,
    )


# feed_forward_block_norm_first_relu_bwd_0: layers_spec/activations/relu.yaml:8
_feed_forward_block_norm_first_relu_bwd_0 = ElementwiseKernel(
    "feed_forward_block_norm_first_relu_bwd_0",
    "T linear1_z",
    "T h",
    """
    h = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# feed_forward_block_norm_first_relu_bwd_1: layers_spec/primitives.yaml:252
_feed_forward_block_norm_first_relu_bwd_1 = ElementwiseKernel(
    "feed_forward_block_norm_first_relu_bwd_1",
    "T linear1_z, T grad_h",
    "T grad_linear1_z",
    """
    bool _t11 = linear1_z > T(0);
    grad_linear1_z = grad_h * _t11;
    """,
)


# feed_forward_block_norm_first_relu_bwd_2: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_feed_forward_block_norm_first_relu_bwd_2 = RowBlockKernel(
    "feed_forward_block_norm_first_relu_bwd_2",
    "row T x, per_row T norm_mu, per_row T norm_rstd, row T grad_normalized, scalar int64 _t17, column T norm_weight, row T grad_y",
    "row T norm_p, row T grad_x",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_normalized[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm_scale = norm_rstd / _t17;
    T _t20 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_y, _row_grad_y, _j);
        const T x = _at.fill(_c_x, _row_x, _j);
        const T grad_normalized = _at.fill(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm_weight = _p_norm_weight[_j];
        const T _t16 = x - norm_mu;
        const T norm_x_hat = _t16 * norm_rstd;
        const T norm_p = grad_normalized * norm_x_hat;
        _t20 = _Sum()(_t20, norm_p * norm_weight);
    )
    _t20 = _row_reduce(_t20, _Sum());
    const T _t21 = _t20 * norm_scale;
    T _t24 = T(0);
    LF_ROW_LOOP(
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm_weight = _p_norm_weight[_j];
        _t24 = _Sum()(_t24, grad_normalized * norm_weight);
    )
    _t24 = _row_reduce(_t24, _Sum());
    const T _t25 = _t24 * norm_scale;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm_weight = _p_norm_weight[_j];
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t16 = x - norm_mu;
        const T norm_x_hat = _t16 * norm_rstd;
        const T norm_p = grad_normalized * norm_x_hat;
        const T _t18 = grad_normalized * norm_weight;
        const T _t19 = _t18 * norm_rstd;
        const T _t22 = norm_x_hat * _t21;
        const T _t23 = _t19 - _t22;
        const T grad_norm_x = _t23 - _t25;
        const T grad_x = grad_y + grad_norm_x;
        _row_norm_p[_j] = norm_p;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward_norm_first_relu(
    grad_y,
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_mu,
    norm_rstd,
    normalized,
    linear1_z,
):
    h = _feed_forward_block_norm_first_relu_bwd_0(linear1_z)
    grad_linear2_bias = _cupy_sum_to(grad_y, linear2_bias.shape)
    grad_h = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(h)
    grad_linear1_z = _feed_forward_block_norm_first_relu_bwd_1(linear1_z, grad_h)
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    grad_normalized = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(normalized)
    _t17 = x.shape[-1]
    norm_p, grad_x = _feed_forward_block_norm_first_relu_bwd_2(
        x, norm_mu, norm_rstd, grad_normalized, _t17, norm_weight, grad_y
    )
    grad_norm_weight = _cupy_sum_to(norm_p, linear2_bias.shape)
    grad_norm_bias = _cupy_sum_to(grad_normalized, linear2_bias.shape)
    return (
        grad_x,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm_weight,
        grad_norm_bias,
    )


# feed_forward_block_norm_first_gelu_fwd_1: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:23
_feed_forward_block_norm_first_gelu_fwd_1 = ElementwiseKernel(
    "feed_forward_block_norm_first_gelu_fwd_1",
    "T _t6, T linear1_bias",
    "T linear1_z, T h",
    """
    linear1_z = _t6 + linear1_bias;
    T _t7 = T(0.7071067811865476) * linear1_z;
    T _t8 = erf(_t7);
    T _t9 = T(0.5) * _t8;
    T _t10 = T(0.5) + _t9;
    h = linear1_z * _t10;
    """,
)


# feed_forward_block_norm_first_gelu_fwd_2: layers_spec/layers/dense.yaml:17; layers_spec/layers/feed_forward_block.yaml:29
_feed_forward_block_norm_first_gelu_fwd_2 = ElementwiseKernel(
    "feed_forward_block_norm_first_gelu_fwd_2",
    "T _t11, T linear2_bias, T x",
    "T y",
    """
    T linear2_z = _t11 + linear2_bias;
    y = x + linear2_z;
    """,
)


def _cupy_forward_norm_first_gelu(
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_bias,
    eps,
):
    _t2 = x.shape[-1]
    norm_mu, norm_rstd, normalized = _feed_forward_block_norm_first_relu_fwd_0(
        x, _t2, eps, norm_weight, norm_bias
    )
    _t6 = _linear(normalized, linear1_weight)
    linear1_z, h = _feed_forward_block_norm_first_gelu_fwd_1(_t6, linear1_bias)
    _t11 = _linear(h, linear2_weight)
    y = _feed_forward_block_norm_first_gelu_fwd_2(_t11, linear2_bias, x)
    return y, (
        x,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm_weight,
        norm_mu,
        norm_rstd,
        normalized,
        linear1_z,
    )


# feed_forward_block_norm_first_gelu_bwd_0: layers_spec/activations/gelu.yaml:23
_feed_forward_block_norm_first_gelu_bwd_0 = ElementwiseKernel(
    "feed_forward_block_norm_first_gelu_bwd_0",
    "T linear1_z",
    "T _t7, T _t10, T h",
    """
    _t7 = T(0.7071067811865476) * linear1_z;
    T _t8 = erf(_t7);
    T _t9 = T(0.5) * _t8;
    _t10 = T(0.5) + _t9;
    h = linear1_z * _t10;
    """,
)


# feed_forward_block_norm_first_gelu_bwd_1: layers_spec/primitives.yaml:61,62,1973
_feed_forward_block_norm_first_gelu_bwd_1 = ElementwiseKernel(
    "feed_forward_block_norm_first_gelu_bwd_1",
    "T grad_h, T _t10, T linear1_z, T _t7",
    "T grad_linear1_z",
    """
    T _t15 = grad_h * _t10;
    T _t16 = grad_h * linear1_z;
    T _t17 = _t16 * T(0.5);
    T _t18 = _t17 * T(1.1283791670955126);
    T _t19 = _t7 * _t7;
    T _t20 = -_t19;
    T _t21 = exp(_t20);
    T _t22 = _t18 * _t21;
    T _t23 = _t22 * T(0.7071067811865476);
    grad_linear1_z = _t15 + _t23;
    """,
)


# feed_forward_block_norm_first_gelu_bwd_2: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_feed_forward_block_norm_first_gelu_bwd_2 = RowBlockKernel(
    "feed_forward_block_norm_first_gelu_bwd_2",
    "row T x, per_row T norm_mu, per_row T norm_rstd, row T grad_normalized, scalar int64 _t28, column T norm_weight, row T grad_y",
    "row T norm_p, row T grad_x",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_normalized[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm_scale = norm_rstd / _t28;
    T _t31 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_y, _row_grad_y, _j);
        const T x = _at.fill(_c_x, _row_x, _j);
        const T grad_normalized = _at.fill(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm_weight = _p_norm_weight[_j];
        const T _t27 = x - norm_mu;
        const T norm_x_hat = _t27 * norm_rstd;
        const T norm_p = grad_normalized * norm_x_hat;
        _t31 = _Sum()(_t31, norm_p * norm_weight);
    )
    _t31 = _row_reduce(_t31, _Sum());
    const T _t32 = _t31 * norm_scale;
    T _t35 = T(0);
    LF_ROW_LOOP(
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm_weight = _p_norm_weight[_j];
        _t35 = _Sum()(_t35, grad_normalized * norm_weight);
    )
    _t35 = _row_reduce(_t35, _Sum());
    const T _t36 = _t35 * norm_scale;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm_weight = _p_norm_weight[_j];
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t27 = x - norm_mu;
        const T norm_x_hat = _t27 * norm_rstd;
        const T norm_p = grad_normalized * norm_x_hat;
        const T _t29 = grad_normalized * norm_weight;
        const T _t30 = _t29 * norm_rstd;
        const T _t33 = norm_x_hat * _t32;
        const T _t34 = _t30 - _t33;
        const T grad_norm_x = _t34 - _t36;
        const T grad_x = grad_y + grad_norm_x;
        _row_norm_p[_j] = norm_p;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward_norm_first_gelu(
    grad_y,
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_mu,
    norm_rstd,
    normalized,
    linear1_z,
):
    _t7, _t10, h = _feed_forward_block_norm_first_gelu_bwd_0(linear1_z)
    grad_linear2_bias = _cupy_sum_to(grad_y, linear2_bias.shape)
    grad_h = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(h)
    grad_linear1_z = _feed_forward_block_norm_first_gelu_bwd_1(
        grad_h, _t10, linear1_z, _t7
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    grad_normalized = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(normalized)
    _t28 = x.shape[-1]
    norm_p, grad_x = _feed_forward_block_norm_first_gelu_bwd_2(
        x, norm_mu, norm_rstd, grad_normalized, _t28, norm_weight, grad_y
    )
    grad_norm_weight = _cupy_sum_to(norm_p, linear2_bias.shape)
    grad_norm_bias = _cupy_sum_to(grad_normalized, linear2_bias.shape)
    return (
        grad_x,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm_weight,
        grad_norm_bias,
    )


# feed_forward_block_no_norm_first_relu_fwd_0: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_feed_forward_block_no_norm_first_relu_fwd_0 = ElementwiseKernel(
    "feed_forward_block_no_norm_first_relu_fwd_0",
    "T _t1, T linear1_bias",
    "T linear1_z, T h",
    """
    linear1_z = _t1 + linear1_bias;
    h = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# feed_forward_block_no_norm_first_relu_fwd_1: layers_spec/layers/dense.yaml:17; layers_spec/layers/feed_forward_block.yaml:34; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_feed_forward_block_no_norm_first_relu_fwd_1 = RowBlockKernel(
    "feed_forward_block_no_norm_first_relu_fwd_1",
    "row T _t2, column T linear2_bias, row T x, scalar int64 _t5, scalar T eps, column T norm_weight, column T norm_bias",
    "row T _t3, per_row T norm_mu, per_row T norm_rstd, row T y",
    """
    T _c__t2[LF_REGISTERS];
    T _c_x[LF_REGISTERS];
    T norm_mu = T(0);
    LF_ROW_LOOP(
        const T _t2 = _at.fill(_c__t2, _row__t2, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T x = _at.fill(_c_x, _row_x, _j);
        const T linear2_z = _t2 + linear2_bias;
        const T _t3 = x + linear2_z;
        norm_mu = _Sum()(norm_mu, _t3);
    )
    norm_mu = _row_reduce(norm_mu, _Sum());
    norm_mu = norm_mu / T(_n);
    T _t4 = T(0);
    LF_ROW_LOOP(
        const T _t2 = _at.get(_c__t2, _row__t2, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T x = _at.get(_c_x, _row_x, _j);
        const T linear2_z = _t2 + linear2_bias;
        const T _t3 = x + linear2_z;
        const T norm_centered = _t3 - norm_mu;
        _t4 = _Sum()(_t4, norm_centered * norm_centered);
    )
    _t4 = _row_reduce(_t4, _Sum());
    const T norm_variance = _t4 / _t5;
    const T _t6 = norm_variance + eps;
    const T _t7 = sqrt(_t6);
    const T norm_rstd = T(1) / _t7;
    LF_ROW_LOOP(
        const T _t2 = _at.get(_c__t2, _row__t2, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T x = _at.get(_c_x, _row_x, _j);
        const T norm_weight = _p_norm_weight[_j];
        const T norm_bias = _p_norm_bias[_j];
        const T linear2_z = _t2 + linear2_bias;
        const T _t3 = x + linear2_z;
        const T norm_centered = _t3 - norm_mu;
        const T norm_normalized = norm_centered * norm_rstd;
        const T _t8 = norm_normalized * norm_weight;
        const T y = _t8 + norm_bias;
        _row__t3[_j] = _t3;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_no_norm_first_relu(
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_bias,
    eps,
):
    _t1 = _linear(x, linear1_weight)
    linear1_z, h = _feed_forward_block_no_norm_first_relu_fwd_0(_t1, linear1_bias)
    _t2 = _linear(h, linear2_weight)
    _t5 = x.shape[-1]
    _t3, norm_mu, norm_rstd, y = _feed_forward_block_no_norm_first_relu_fwd_1(
        _t2, linear2_bias, x, _t5, eps, norm_weight, norm_bias
    )
    return y, (
        x,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm_weight,
        linear1_z,
        _t3,
        norm_mu,
        norm_rstd,
    )


# feed_forward_block_no_norm_first_relu_bwd_1: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_feed_forward_block_no_norm_first_relu_bwd_1 = RowBlockKernel(
    "feed_forward_block_no_norm_first_relu_bwd_1",
    "row T _t3, per_row T norm_mu, per_row T norm_rstd, row T grad_y, scalar int64 _t10, column T norm_weight",
    "row T norm_p, row T grad_norm_x",
    """
    T _c__t3[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm_scale = norm_rstd / _t10;
    T _t13 = T(0);
    LF_ROW_LOOP(
        const T _t3 = _at.fill(_c__t3, _row__t3, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T norm_weight = _p_norm_weight[_j];
        const T _t9 = _t3 - norm_mu;
        const T norm_x_hat = _t9 * norm_rstd;
        const T norm_p = grad_y * norm_x_hat;
        _t13 = _Sum()(_t13, norm_p * norm_weight);
    )
    _t13 = _row_reduce(_t13, _Sum());
    const T _t14 = _t13 * norm_scale;
    T _t17 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm_weight = _p_norm_weight[_j];
        _t17 = _Sum()(_t17, grad_y * norm_weight);
    )
    _t17 = _row_reduce(_t17, _Sum());
    const T _t18 = _t17 * norm_scale;
    LF_ROW_LOOP(
        const T _t3 = _at.get(_c__t3, _row__t3, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm_weight = _p_norm_weight[_j];
        const T _t9 = _t3 - norm_mu;
        const T norm_x_hat = _t9 * norm_rstd;
        const T norm_p = grad_y * norm_x_hat;
        const T _t11 = grad_y * norm_weight;
        const T _t12 = _t11 * norm_rstd;
        const T _t15 = norm_x_hat * _t14;
        const T _t16 = _t12 - _t15;
        const T grad_norm_x = _t16 - _t18;
        _row_norm_p[_j] = norm_p;
        _row_grad_norm_x[_j] = grad_norm_x;
    )
    """,
)


# feed_forward_block_no_norm_first_relu_bwd_2: layers_spec/primitives.yaml:252
_feed_forward_block_no_norm_first_relu_bwd_2 = ElementwiseKernel(
    "feed_forward_block_no_norm_first_relu_bwd_2",
    "T linear1_z, T grad_h",
    "T grad_linear1_z",
    """
    bool _t22 = linear1_z > T(0);
    grad_linear1_z = grad_h * _t22;
    """,
)


# feed_forward_block_no_norm_first_relu_bwd_3: layers_spec/primitives.yaml:522
_feed_forward_block_no_norm_first_relu_bwd_3 = ElementwiseKernel(
    "feed_forward_block_no_norm_first_relu_bwd_3",
    "T grad_norm_x, T _t25",
    "T grad_x",
    """
    grad_x = grad_norm_x + _t25;
    """,
)


def _cupy_backward_no_norm_first_relu(
    grad_y,
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    linear1_z,
    _t3,
    norm_mu,
    norm_rstd,
):
    h = _feed_forward_block_norm_first_relu_bwd_0(linear1_z)
    _t10 = x.shape[-1]
    norm_p, grad_norm_x = _feed_forward_block_no_norm_first_relu_bwd_1(
        _t3, norm_mu, norm_rstd, grad_y, _t10, norm_weight
    )
    grad_norm_weight = _cupy_sum_to(norm_p, linear2_bias.shape)
    grad_norm_bias = _cupy_sum_to(grad_y, linear2_bias.shape)
    grad_linear2_bias = _cupy_sum_to(grad_norm_x, linear2_bias.shape)
    grad_h = _linear_backward_input(grad_norm_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm_x).T @ _rows(h)
    grad_linear1_z = _feed_forward_block_no_norm_first_relu_bwd_2(linear1_z, grad_h)
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t25 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(x)
    grad_x = _feed_forward_block_no_norm_first_relu_bwd_3(grad_norm_x, _t25)
    return (
        grad_x,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm_weight,
        grad_norm_bias,
    )


# feed_forward_block_no_norm_first_gelu_fwd_0: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:23
_feed_forward_block_no_norm_first_gelu_fwd_0 = ElementwiseKernel(
    "feed_forward_block_no_norm_first_gelu_fwd_0",
    "T _t1, T linear1_bias",
    "T linear1_z, T h",
    """
    linear1_z = _t1 + linear1_bias;
    T _t2 = T(0.7071067811865476) * linear1_z;
    T _t3 = erf(_t2);
    T _t4 = T(0.5) * _t3;
    T _t5 = T(0.5) + _t4;
    h = linear1_z * _t5;
    """,
)


# feed_forward_block_no_norm_first_gelu_fwd_1: layers_spec/layers/dense.yaml:17; layers_spec/layers/feed_forward_block.yaml:34; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_feed_forward_block_no_norm_first_gelu_fwd_1 = RowBlockKernel(
    "feed_forward_block_no_norm_first_gelu_fwd_1",
    "row T _t6, column T linear2_bias, row T x, scalar int64 _t9, scalar T eps, column T norm_weight, column T norm_bias",
    "row T _t7, per_row T norm_mu, per_row T norm_rstd, row T y",
    """
    T _c__t6[LF_REGISTERS];
    T _c_x[LF_REGISTERS];
    T norm_mu = T(0);
    LF_ROW_LOOP(
        const T _t6 = _at.fill(_c__t6, _row__t6, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T x = _at.fill(_c_x, _row_x, _j);
        const T linear2_z = _t6 + linear2_bias;
        const T _t7 = x + linear2_z;
        norm_mu = _Sum()(norm_mu, _t7);
    )
    norm_mu = _row_reduce(norm_mu, _Sum());
    norm_mu = norm_mu / T(_n);
    T _t8 = T(0);
    LF_ROW_LOOP(
        const T _t6 = _at.get(_c__t6, _row__t6, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T x = _at.get(_c_x, _row_x, _j);
        const T linear2_z = _t6 + linear2_bias;
        const T _t7 = x + linear2_z;
        const T norm_centered = _t7 - norm_mu;
        _t8 = _Sum()(_t8, norm_centered * norm_centered);
    )
    _t8 = _row_reduce(_t8, _Sum());
    const T norm_variance = _t8 / _t9;
    const T _t10 = norm_variance + eps;
    const T _t11 = sqrt(_t10);
    const T norm_rstd = T(1) / _t11;
    LF_ROW_LOOP(
        const T _t6 = _at.get(_c__t6, _row__t6, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T x = _at.get(_c_x, _row_x, _j);
        const T norm_weight = _p_norm_weight[_j];
        const T norm_bias = _p_norm_bias[_j];
        const T linear2_z = _t6 + linear2_bias;
        const T _t7 = x + linear2_z;
        const T norm_centered = _t7 - norm_mu;
        const T norm_normalized = norm_centered * norm_rstd;
        const T _t12 = norm_normalized * norm_weight;
        const T y = _t12 + norm_bias;
        _row__t7[_j] = _t7;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_no_norm_first_gelu(
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    norm_bias,
    eps,
):
    _t1 = _linear(x, linear1_weight)
    linear1_z, h = _feed_forward_block_no_norm_first_gelu_fwd_0(_t1, linear1_bias)
    _t6 = _linear(h, linear2_weight)
    _t9 = x.shape[-1]
    _t7, norm_mu, norm_rstd, y = _feed_forward_block_no_norm_first_gelu_fwd_1(
        _t6, linear2_bias, x, _t9, eps, norm_weight, norm_bias
    )
    return y, (
        x,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm_weight,
        linear1_z,
        _t7,
        norm_mu,
        norm_rstd,
    )


# feed_forward_block_no_norm_first_gelu_bwd_0: layers_spec/activations/gelu.yaml:23
_feed_forward_block_no_norm_first_gelu_bwd_0 = ElementwiseKernel(
    "feed_forward_block_no_norm_first_gelu_bwd_0",
    "T linear1_z",
    "T _t2, T _t5, T h",
    """
    _t2 = T(0.7071067811865476) * linear1_z;
    T _t3 = erf(_t2);
    T _t4 = T(0.5) * _t3;
    _t5 = T(0.5) + _t4;
    h = linear1_z * _t5;
    """,
)


# feed_forward_block_no_norm_first_gelu_bwd_1: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_feed_forward_block_no_norm_first_gelu_bwd_1 = RowBlockKernel(
    "feed_forward_block_no_norm_first_gelu_bwd_1",
    "row T _t7, per_row T norm_mu, per_row T norm_rstd, row T grad_y, scalar int64 _t14, column T norm_weight",
    "row T norm_p, row T grad_norm_x",
    """
    T _c__t7[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm_scale = norm_rstd / _t14;
    T _t17 = T(0);
    LF_ROW_LOOP(
        const T _t7 = _at.fill(_c__t7, _row__t7, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T norm_weight = _p_norm_weight[_j];
        const T _t13 = _t7 - norm_mu;
        const T norm_x_hat = _t13 * norm_rstd;
        const T norm_p = grad_y * norm_x_hat;
        _t17 = _Sum()(_t17, norm_p * norm_weight);
    )
    _t17 = _row_reduce(_t17, _Sum());
    const T _t18 = _t17 * norm_scale;
    T _t21 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm_weight = _p_norm_weight[_j];
        _t21 = _Sum()(_t21, grad_y * norm_weight);
    )
    _t21 = _row_reduce(_t21, _Sum());
    const T _t22 = _t21 * norm_scale;
    LF_ROW_LOOP(
        const T _t7 = _at.get(_c__t7, _row__t7, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm_weight = _p_norm_weight[_j];
        const T _t13 = _t7 - norm_mu;
        const T norm_x_hat = _t13 * norm_rstd;
        const T norm_p = grad_y * norm_x_hat;
        const T _t15 = grad_y * norm_weight;
        const T _t16 = _t15 * norm_rstd;
        const T _t19 = norm_x_hat * _t18;
        const T _t20 = _t16 - _t19;
        const T grad_norm_x = _t20 - _t22;
        _row_norm_p[_j] = norm_p;
        _row_grad_norm_x[_j] = grad_norm_x;
    )
    """,
)


# feed_forward_block_no_norm_first_gelu_bwd_2: layers_spec/primitives.yaml:61,62,1973
_feed_forward_block_no_norm_first_gelu_bwd_2 = ElementwiseKernel(
    "feed_forward_block_no_norm_first_gelu_bwd_2",
    "T grad_h, T _t5, T linear1_z, T _t2",
    "T grad_linear1_z",
    """
    T _t26 = grad_h * _t5;
    T _t27 = grad_h * linear1_z;
    T _t28 = _t27 * T(0.5);
    T _t29 = _t28 * T(1.1283791670955126);
    T _t30 = _t2 * _t2;
    T _t31 = -_t30;
    T _t32 = exp(_t31);
    T _t33 = _t29 * _t32;
    T _t34 = _t33 * T(0.7071067811865476);
    grad_linear1_z = _t26 + _t34;
    """,
)


# feed_forward_block_no_norm_first_gelu_bwd_3: layers_spec/primitives.yaml:522
_feed_forward_block_no_norm_first_gelu_bwd_3 = ElementwiseKernel(
    "feed_forward_block_no_norm_first_gelu_bwd_3",
    "T grad_norm_x, T _t36",
    "T grad_x",
    """
    grad_x = grad_norm_x + _t36;
    """,
)


def _cupy_backward_no_norm_first_gelu(
    grad_y,
    x,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm_weight,
    linear1_z,
    _t7,
    norm_mu,
    norm_rstd,
):
    _t2, _t5, h = _feed_forward_block_no_norm_first_gelu_bwd_0(linear1_z)
    _t14 = x.shape[-1]
    norm_p, grad_norm_x = _feed_forward_block_no_norm_first_gelu_bwd_1(
        _t7, norm_mu, norm_rstd, grad_y, _t14, norm_weight
    )
    grad_norm_weight = _cupy_sum_to(norm_p, linear2_bias.shape)
    grad_norm_bias = _cupy_sum_to(grad_y, linear2_bias.shape)
    grad_linear2_bias = _cupy_sum_to(grad_norm_x, linear2_bias.shape)
    grad_h = _linear_backward_input(grad_norm_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm_x).T @ _rows(h)
    grad_linear1_z = _feed_forward_block_no_norm_first_gelu_bwd_2(
        grad_h, _t5, linear1_z, _t2
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t36 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(x)
    grad_x = _feed_forward_block_no_norm_first_gelu_bwd_3(grad_norm_x, _t36)
    return (
        grad_x,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm_weight,
        grad_norm_bias,
    )


_CUPY_FUSED = {
    ("relu", True): (_cupy_forward_norm_first_relu, _cupy_backward_norm_first_relu),
    ("gelu", True): (_cupy_forward_norm_first_gelu, _cupy_backward_norm_first_gelu),
    ("relu", False): (
        _cupy_forward_no_norm_first_relu,
        _cupy_backward_no_norm_first_relu,
    ),
    ("gelu", False): (
        _cupy_forward_no_norm_first_gelu,
        _cupy_backward_no_norm_first_gelu,
    ),
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
