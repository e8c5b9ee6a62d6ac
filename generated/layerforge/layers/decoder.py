"""Decoder: A transformer decoder block of single-head attention layers (the catalog's
decoder, made coherent): h1 = norm1(x + self_attn(x, mask)), h2 = norm2(h1 +
cross_attn(h1, encoder_output, memory_mask)), y = norm3(h2 +
linear2(activation(linear1(h2)))). Each attention is the attention layer (one head,
softmax, q, k and v projections [D, D] without biases, no output projection), the feed-
forward network two Dense layers, the norms layer normalizations (post-LN). The masks
are optional and make no variants: left out, nothing is masked. Gradients for x, the
encoder output and every parameter.
Generated from layers_spec/layers/decoder.yaml by the layerforge transpiler 0.1.0.
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
    blas_flags_ignored,
    in_chunks,
)
from layerforge._cupy_runtime import ElementwiseKernel, RowBlockKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x", "encoder_output", "mask", "memory_mask")
PARAMETERS = (
    "self_attn_query_weight",
    "self_attn_key_weight",
    "self_attn_value_weight",
    "cross_attn_query_weight",
    "cross_attn_key_weight",
    "cross_attn_value_weight",
    "linear1_weight",
    "linear1_bias",
    "linear2_weight",
    "linear2_bias",
    "norm1_weight",
    "norm1_bias",
    "norm2_weight",
    "norm2_bias",
    "norm3_weight",
    "norm3_bias",
)
OUTPUTS = ("y",)


def forward(
    x,
    encoder_output,
    self_attn_query_weight,
    self_attn_key_weight,
    self_attn_value_weight,
    cross_attn_query_weight,
    cross_attn_key_weight,
    cross_attn_value_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    norm3_weight,
    norm3_bias,
    mask=None,
    memory_mask=None,
    *,
    eps=1e-05,
    activation="relu",
    activation_options=None,
):
    """Decoder forward pass.

    A transformer decoder block of single-head attention layers (the catalog's decoder,
    made coherent): h1 = norm1(x + self_attn(x, mask)), h2 = norm2(h1 + cross_attn(h1,
    encoder_output, memory_mask)), y = norm3(h2 + linear2(activation(linear1(h2)))).
    Each attention is the attention layer (one head, softmax, q, k and v projections [D,
    D] without biases, no output projection), the feed-forward network two Dense layers,
    the norms layer normalizations (post-LN). The masks are optional and make no
    variants: left out, nothing is masked. Gradients for x, the encoder output and every
    parameter.

    Args:
        x: float32 or float64 input of shape [..., S, D]. Target token features [batch,
            S, D].
        encoder_output: float32 or float64 input of shape [..., S_e, D]. The encoder's
            output [batch, S_e, D]: keys and values of the cross-attention.
        self_attn_query_weight: float32 or float64 parameter of shape [D, D]. PyTorch's
            self_attn.query_weight: the query_weight of Attention 'self_attn'.
        self_attn_key_weight: float32 or float64 parameter of shape [D, D]. PyTorch's
            self_attn.key_weight: the key_weight of Attention 'self_attn'.
        self_attn_value_weight: float32 or float64 parameter of shape [D, D]. PyTorch's
            self_attn.value_weight: the value_weight of Attention 'self_attn'.
        cross_attn_query_weight: float32 or float64 parameter of shape [D, D]. PyTorch's
            cross_attn.query_weight: the query_weight of Attention 'cross_attn'.
        cross_attn_key_weight: float32 or float64 parameter of shape [D, D]. PyTorch's
            cross_attn.key_weight: the key_weight of Attention 'cross_attn'.
        cross_attn_value_weight: float32 or float64 parameter of shape [D, D]. PyTorch's
            cross_attn.value_weight: the value_weight of Attention 'cross_attn'.
        linear1_weight: float32 or float64 parameter of shape [F, D]. PyTorch's
            linear1.weight: the weight of Dense 'linear1'.
        linear1_bias: float32 or float64 parameter of shape [F]. PyTorch's linear1.bias:
            the bias of Dense 'linear1'.
        linear2_weight: float32 or float64 parameter of shape [D, F]. PyTorch's
            linear2.weight: the weight of Dense 'linear2'.
        linear2_bias: float32 or float64 parameter of shape [D]. PyTorch's linear2.bias:
            the bias of Dense 'linear2'.
        norm1_weight: float32 or float64 parameter of shape [D]. PyTorch's norm1.weight:
            the weight of LayerNormalization 'norm1'.
        norm1_bias: float32 or float64 parameter of shape [D]. PyTorch's norm1.bias: the
            bias of LayerNormalization 'norm1'.
        norm2_weight: float32 or float64 parameter of shape [D]. PyTorch's norm2.weight:
            the weight of LayerNormalization 'norm2'.
        norm2_bias: float32 or float64 parameter of shape [D]. PyTorch's norm2.bias: the
            bias of LayerNormalization 'norm2'.
        norm3_weight: float32 or float64 parameter of shape [D]. PyTorch's norm3.weight:
            the weight of LayerNormalization 'norm3'.
        norm3_bias: float32 or float64 parameter of shape [D]. PyTorch's norm3.bias: the
            bias of LayerNormalization 'norm3'.
        mask: bool or float mask (no gradient) input of shape [S, S], None to leave it
            out. Self-attention mask: True (or -inf) where target i may not attend to
            target j (causal: j > i); a float mask is added to the scores.
        memory_mask: bool or float mask (no gradient) input of shape [S, S_e], None to
            leave it out. Cross-attention mask: True (or -inf) where target i may not
            attend to encoder position j.
        eps: float, default 1e-05. The layer normalizations' eps.
        activation: name of the activation applied to the result, default 'relu'; relu,
            gelu are fused into specialized code, and only these: the slot is not the
            layer's last step.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "decoder",
        {
            "x": x,
            "encoder_output": encoder_output,
            "self_attn_query_weight": self_attn_query_weight,
            "self_attn_key_weight": self_attn_key_weight,
            "self_attn_value_weight": self_attn_value_weight,
            "cross_attn_query_weight": cross_attn_query_weight,
            "cross_attn_key_weight": cross_attn_key_weight,
            "cross_attn_value_weight": cross_attn_value_weight,
            "linear1_weight": linear1_weight,
            "linear1_bias": linear1_bias,
            "linear2_weight": linear2_weight,
            "linear2_bias": linear2_bias,
            "norm1_weight": norm1_weight,
            "norm1_bias": norm1_bias,
            "norm2_weight": norm2_weight,
            "norm2_bias": norm2_bias,
            "norm3_weight": norm3_weight,
            "norm3_bias": norm3_bias,
            "mask": mask,
            "memory_mask": memory_mask,
        },
        {
            "x": ("...", "S", "D"),
            "encoder_output": ("...", "S_e", "D"),
            "self_attn_query_weight": ("D", "D"),
            "self_attn_key_weight": ("D", "D"),
            "self_attn_value_weight": ("D", "D"),
            "cross_attn_query_weight": ("D", "D"),
            "cross_attn_key_weight": ("D", "D"),
            "cross_attn_value_weight": ("D", "D"),
            "linear1_weight": ("F", "D"),
            "linear1_bias": ("F",),
            "linear2_weight": ("D", "F"),
            "linear2_bias": ("D",),
            "norm1_weight": ("D",),
            "norm1_bias": ("D",),
            "norm2_weight": ("D",),
            "norm2_bias": ("D",),
            "norm3_weight": ("D",),
            "norm3_bias": ("D",),
            "mask": ("S", "S"),
            "memory_mask": ("S", "S_e"),
        },
        optional=("mask", "memory_mask"),
        kinds={"mask": "mask", "memory_mask": "mask"},
    )
    check_attribute("decoder", "eps", eps, "float", minimum=0.0)
    check_nonempty("decoder", "x", x.shape, -1)
    check_nonempty("decoder", "x", x.shape, -2)
    check_nonempty("decoder", "encoder_output", encoder_output.shape, -2)
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get(activation)
        fixed = _FUSED_FIXED.get(activation, {})
        if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
            options = {k: v for k, v in options.items() if k not in fixed}
            forward_variant, backward_variant = fused
            if options:
                check_options("decoder", activation, options)
            y, saved = forward_variant(
                x,
                encoder_output,
                self_attn_query_weight,
                self_attn_key_weight,
                self_attn_value_weight,
                cross_attn_query_weight,
                cross_attn_key_weight,
                cross_attn_value_weight,
                linear1_weight,
                linear1_bias,
                linear2_weight,
                linear2_bias,
                norm1_weight,
                norm1_bias,
                norm2_weight,
                norm2_bias,
                norm3_weight,
                norm3_bias,
                mask,
                memory_mask,
                eps,
                **options,
            )
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        raise ValueError(
            f"decoder: activation {activation!r} cannot fill this layer's slot, "
            "which is not its last step (no composition); choose one of "
            f"{', '.join(_CUPY_FUSED)}"
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get(activation)
    fixed = _FUSED_FIXED.get(activation, {})
    if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
        options = {k: v for k, v in options.items() if k not in fixed}
        forward_variant, backward_variant = fused
        if options:
            check_options("decoder", activation, options)
        y, saved = forward_variant(
            x,
            encoder_output,
            self_attn_query_weight,
            self_attn_key_weight,
            self_attn_value_weight,
            cross_attn_query_weight,
            cross_attn_key_weight,
            cross_attn_value_weight,
            linear1_weight,
            linear1_bias,
            linear2_weight,
            linear2_bias,
            norm1_weight,
            norm1_bias,
            norm2_weight,
            norm2_bias,
            norm3_weight,
            norm3_bias,
            mask,
            memory_mask,
            eps,
            **options,
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    raise ValueError(
        f"decoder: activation {activation!r} cannot fill this layer's slot, "
        "which is not its last step (no composition); choose one of "
        f"{', '.join(_FUSED)}"
    )


def backward(grad_y, ctx):
    """Decoder backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_encoder_output, grad_self_attn_query_weight,
            grad_self_attn_key_weight, grad_self_attn_value_weight,
            grad_cross_attn_query_weight, grad_cross_attn_key_weight,
            grad_cross_attn_value_weight, grad_linear1_weight, grad_linear1_bias,
            grad_linear2_weight, grad_linear2_bias, grad_norm1_weight, grad_norm1_bias,
            grad_norm2_weight, grad_norm2_bias, grad_norm3_weight, grad_norm3_bias:
            gradients with respect to x, encoder_output, self_attn_query_weight,
            self_attn_key_weight, self_attn_value_weight, cross_attn_query_weight,
            cross_attn_key_weight, cross_attn_value_weight, linear1_weight,
            linear1_bias, linear2_weight, linear2_bias, norm1_weight, norm1_bias,
            norm2_weight, norm2_bias, norm3_weight, norm3_bias, in that order.
    """
    backward_variant, saved = check_context(
        "decoder", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_relu_part1(
    self_attn_k, self_attn_q, mask, self_attn_v, x, eps, norm1_weight, norm1_bias
):
    _t1 = np.swapaxes(self_attn_k, -1, -2)
    self_attn_scores = _bmm(self_attn_q, _t1)
    self_attn_allowed = _apply_mask(self_attn_scores, mask)
    self_attn_softmax_shifted = self_attn_allowed - _amax(self_attn_allowed, -1)
    self_attn_softmax_exponentials = np.exp(
        self_attn_softmax_shifted, out=self_attn_softmax_shifted
    )
    self_attn_weights = np.divide(
        self_attn_softmax_exponentials,
        _sum(self_attn_softmax_exponentials, -1),
        out=self_attn_softmax_exponentials,
    )
    attended = _bmm(self_attn_weights, self_attn_v)
    _t2 = np.add(x, attended, out=attended)
    norm1_mu = _mean(_t2, -1)
    norm1_centered = _t2 - norm1_mu
    norm1_variance = _dot_last(norm1_centered, norm1_centered)
    norm1_variance /= x.shape[-1]
    norm1_rstd = np.add(norm1_variance, eps, out=norm1_variance)
    np.sqrt(norm1_rstd, out=norm1_rstd)
    np.divide(1, norm1_rstd, out=norm1_rstd)
    norm1_normalized = np.multiply(norm1_centered, norm1_rstd, out=norm1_centered)
    h1 = np.multiply(norm1_normalized, norm1_weight, out=norm1_normalized)
    h1 += norm1_bias
    return _t1, self_attn_weights, _t2, norm1_mu, norm1_rstd, h1


def _forward_relu_part2(
    cross_attn_k,
    cross_attn_q,
    memory_mask,
    cross_attn_v,
    h1,
    x,
    eps,
    norm2_weight,
    norm2_bias,
):
    _t1 = np.swapaxes(cross_attn_k, -1, -2)
    cross_attn_scores = _bmm(cross_attn_q, _t1)
    cross_attn_allowed = _apply_mask(cross_attn_scores, memory_mask)
    cross_attn_softmax_shifted = cross_attn_allowed - _amax(cross_attn_allowed, -1)
    cross_attn_softmax_exponentials = np.exp(
        cross_attn_softmax_shifted, out=cross_attn_softmax_shifted
    )
    cross_attn_weights = np.divide(
        cross_attn_softmax_exponentials,
        _sum(cross_attn_softmax_exponentials, -1),
        out=cross_attn_softmax_exponentials,
    )
    crossed = _bmm(cross_attn_weights, cross_attn_v)
    _t2 = np.add(h1, crossed, out=crossed)
    norm2_mu = _mean(_t2, -1)
    norm2_centered = _t2 - norm2_mu
    norm2_variance = _dot_last(norm2_centered, norm2_centered)
    norm2_variance /= x.shape[-1]
    norm2_rstd = np.add(norm2_variance, eps, out=norm2_variance)
    np.sqrt(norm2_rstd, out=norm2_rstd)
    np.divide(1, norm2_rstd, out=norm2_rstd)
    norm2_normalized = np.multiply(norm2_centered, norm2_rstd, out=norm2_centered)
    h2 = np.multiply(norm2_normalized, norm2_weight, out=norm2_normalized)
    h2 += norm2_bias
    return _t1, cross_attn_weights, _t2, norm2_mu, norm2_rstd, h2


def _forward_relu_part3(_t1, linear2_bias, h2, x, eps, norm3_weight, norm3_bias):
    linear2_z = _t1 + linear2_bias
    _t2 = np.add(h2, linear2_z, out=linear2_z)
    norm3_mu = _mean(_t2, -1)
    norm3_centered = _t2 - norm3_mu
    norm3_variance = _dot_last(norm3_centered, norm3_centered)
    norm3_variance /= x.shape[-1]
    norm3_rstd = np.add(norm3_variance, eps, out=norm3_variance)
    np.sqrt(norm3_rstd, out=norm3_rstd)
    np.divide(1, norm3_rstd, out=norm3_rstd)
    norm3_normalized = np.multiply(norm3_centered, norm3_rstd, out=norm3_centered)
    y = np.multiply(norm3_normalized, norm3_weight, out=norm3_normalized)
    y += norm3_bias
    return _t2, norm3_mu, norm3_rstd, y


def _forward_relu(
    x,
    encoder_output,
    self_attn_query_weight,
    self_attn_key_weight,
    self_attn_value_weight,
    cross_attn_query_weight,
    cross_attn_key_weight,
    cross_attn_value_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    norm3_weight,
    norm3_bias,
    mask,
    memory_mask,
    eps,
):
    _t1 = self_attn_query_weight.shape[0] ** -0.5
    self_attn_q = _linear(x, self_attn_query_weight)
    self_attn_q *= _t1
    self_attn_k = _linear(x, self_attn_key_weight)
    self_attn_v = _linear(x, self_attn_value_weight)
    _t2, self_attn_weights, _t3, norm1_mu, norm1_rstd, h1 = in_row_blocks(
        _forward_relu_part1,
        self_attn_k,
        self_attn_q,
        mask,
        self_attn_v,
        x,
        eps,
        norm1_weight,
        norm1_bias,
        named=(2, 2, None, 2, 2, None, None, None),
    )
    cross_attn_q = _linear(h1, cross_attn_query_weight)
    cross_attn_q *= _t1
    cross_attn_k = _linear(encoder_output, cross_attn_key_weight)
    cross_attn_v = _linear(encoder_output, cross_attn_value_weight)
    _t4, cross_attn_weights, _t5, norm2_mu, norm2_rstd, h2 = in_row_blocks(
        _forward_relu_part2,
        cross_attn_k,
        cross_attn_q,
        memory_mask,
        cross_attn_v,
        h1,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, 2, None, 2, 2, 2, None, None, None),
    )
    linear1_z = _linear(h2, linear1_weight)
    linear1_z += linear1_bias
    hidden = np.clip(linear1_z, 0, np.inf)
    _t6 = _linear(hidden, linear2_weight)
    _t7, norm3_mu, norm3_rstd, y = in_row_blocks(
        _forward_relu_part3,
        _t6,
        linear2_bias,
        h2,
        x,
        eps,
        norm3_weight,
        norm3_bias,
        named=(2, None, 2, 2, None, None, None),
    )
    return y, (
        x,
        encoder_output,
        self_attn_query_weight,
        self_attn_key_weight,
        self_attn_value_weight,
        cross_attn_query_weight,
        cross_attn_key_weight,
        cross_attn_value_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        _t1,
        self_attn_q,
        self_attn_v,
        _t2,
        self_attn_weights,
        _t3,
        norm1_mu,
        norm1_rstd,
        h1,
        _t1,
        cross_attn_q,
        cross_attn_v,
        _t4,
        cross_attn_weights,
        _t5,
        norm2_mu,
        norm2_rstd,
        h2,
        linear1_z,
        _t7,
        norm3_mu,
        norm3_rstd,
    )


def _backward_relu_part1(
    linear1_z, _t1, norm3_mu, norm3_rstd, grad_y, linear2_bias, x, norm3_weight
):
    hidden = np.clip(linear1_z, 0, np.inf)
    norm3_x_hat = _t1 - norm3_mu
    norm3_x_hat *= norm3_rstd
    norm3_p = grad_y * norm3_x_hat
    grad_norm3_weight = _sum_to(norm3_p, linear2_bias.shape)
    grad_norm3_bias = _sum_to(grad_y, linear2_bias.shape)
    norm3_scale = norm3_rstd / x.shape[-1]
    grad_norm3_x = grad_y * norm3_weight
    grad_norm3_x *= norm3_rstd
    _t2 = norm3_x_hat * (_dot_last(norm3_p, norm3_weight) * norm3_scale)
    grad_norm3_x -= _t2
    grad_norm3_x -= _dot_last(grad_y, norm3_weight) * norm3_scale
    grad_linear2_bias = _sum_to(grad_norm3_x, linear2_bias.shape)
    return hidden, grad_norm3_x, grad_norm3_weight, grad_norm3_bias, grad_linear2_bias


def _backward_relu_part2(
    grad_norm3_x,
    _t1,
    _t2,
    norm2_mu,
    norm2_rstd,
    linear2_bias,
    x,
    norm2_weight,
    cross_attn_v,
    cross_attn_weights,
    _t3,
    cross_attn_q,
):
    grad_h2 = grad_norm3_x + _t1
    norm2_x_hat = _t2 - norm2_mu
    norm2_x_hat *= norm2_rstd
    norm2_p = grad_h2 * norm2_x_hat
    grad_norm2_weight = _sum_to(norm2_p, linear2_bias.shape)
    grad_norm2_bias = _sum_to(grad_h2, linear2_bias.shape)
    norm2_scale = norm2_rstd / x.shape[-1]
    grad_norm2_x = grad_h2 * norm2_weight
    grad_norm2_x *= norm2_rstd
    _t4 = norm2_x_hat * (_dot_last(norm2_p, norm2_weight) * norm2_scale)
    grad_norm2_x -= _t4
    grad_norm2_x -= _dot_last(grad_h2, norm2_weight) * norm2_scale
    grad_cross_attn_weights = _bmm(grad_norm2_x, np.swapaxes(cross_attn_v, -1, -2))
    grad_cross_attn_v = _bmm(np.swapaxes(cross_attn_weights, -1, -2), grad_norm2_x)
    grad_cross_attn_allowed = np.subtract(
        grad_cross_attn_weights,
        _sum(grad_cross_attn_weights * cross_attn_weights, -1),
        out=grad_cross_attn_weights,
    )
    grad_cross_attn_allowed *= cross_attn_weights
    grad_cross_attn_q = _bmm(grad_cross_attn_allowed, np.swapaxes(_t3, -1, -2))
    grad_cross_attn_k = np.swapaxes(
        _bmm(np.swapaxes(cross_attn_q, -1, -2), grad_cross_attn_allowed), -1, -2
    )
    return (
        grad_norm2_x,
        grad_cross_attn_v,
        grad_cross_attn_q,
        grad_cross_attn_k,
        grad_norm2_weight,
        grad_norm2_bias,
    )


def _backward_relu_part3(
    grad_norm2_x,
    _t1,
    _t2,
    norm1_mu,
    norm1_rstd,
    linear2_bias,
    x,
    norm1_weight,
    self_attn_v,
    self_attn_weights,
    _t3,
    self_attn_q,
):
    grad_h1 = grad_norm2_x + _t1
    norm1_x_hat = _t2 - norm1_mu
    norm1_x_hat *= norm1_rstd
    norm1_p = grad_h1 * norm1_x_hat
    grad_norm1_weight = _sum_to(norm1_p, linear2_bias.shape)
    grad_norm1_bias = _sum_to(grad_h1, linear2_bias.shape)
    norm1_scale = norm1_rstd / x.shape[-1]
    grad_norm1_x = grad_h1 * norm1_weight
    grad_norm1_x *= norm1_rstd
    _t4 = norm1_x_hat * (_dot_last(norm1_p, norm1_weight) * norm1_scale)
    grad_norm1_x -= _t4
    grad_norm1_x -= _dot_last(grad_h1, norm1_weight) * norm1_scale
    grad_self_attn_weights = _bmm(grad_norm1_x, np.swapaxes(self_attn_v, -1, -2))
    grad_self_attn_v = _bmm(np.swapaxes(self_attn_weights, -1, -2), grad_norm1_x)
    grad_self_attn_allowed = np.subtract(
        grad_self_attn_weights,
        _sum(grad_self_attn_weights * self_attn_weights, -1),
        out=grad_self_attn_weights,
    )
    grad_self_attn_allowed *= self_attn_weights
    grad_self_attn_q = _bmm(grad_self_attn_allowed, np.swapaxes(_t3, -1, -2))
    grad_self_attn_k = np.swapaxes(
        _bmm(np.swapaxes(self_attn_q, -1, -2), grad_self_attn_allowed), -1, -2
    )
    return (
        grad_norm1_x,
        grad_self_attn_v,
        grad_self_attn_q,
        grad_self_attn_k,
        grad_norm1_weight,
        grad_norm1_bias,
    )


def _backward_relu(
    grad_y,
    x,
    encoder_output,
    self_attn_query_weight,
    self_attn_key_weight,
    self_attn_value_weight,
    cross_attn_query_weight,
    cross_attn_key_weight,
    cross_attn_value_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    _t1,
    self_attn_q,
    self_attn_v,
    _t2,
    self_attn_weights,
    _t3,
    norm1_mu,
    norm1_rstd,
    h1,
    _t4,
    cross_attn_q,
    cross_attn_v,
    _t5,
    cross_attn_weights,
    _t6,
    norm2_mu,
    norm2_rstd,
    h2,
    linear1_z,
    _t7,
    norm3_mu,
    norm3_rstd,
):
    hidden, grad_norm3_x, grad_norm3_weight, grad_norm3_bias, grad_linear2_bias = (
        in_row_blocks(
            _backward_relu_part1,
            linear1_z,
            _t7,
            norm3_mu,
            norm3_rstd,
            grad_y,
            linear2_bias,
            x,
            norm3_weight,
            sums=3,
            named=(2, 2, 2, 2, 2, None, 2, None),
        )
    )
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z = grad_hidden * (linear1_z > 0)
    grad_linear1_bias = _sum_to(grad_linear1_z, linear1_bias.shape)
    _t8 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    (
        grad_norm2_x,
        grad_cross_attn_v,
        grad_cross_attn_q,
        grad_cross_attn_k,
        grad_norm2_weight,
        grad_norm2_bias,
    ) = in_row_blocks(
        _backward_relu_part2,
        grad_norm3_x,
        _t8,
        _t6,
        norm2_mu,
        norm2_rstd,
        linear2_bias,
        x,
        norm2_weight,
        cross_attn_v,
        cross_attn_weights,
        _t5,
        cross_attn_q,
        sums=2,
        named=(2, 2, 2, 2, 2, None, 2, None, 2, 2, 2, 2),
    )
    grad_cross_attn_value_weight = _rows(grad_cross_attn_v).T @ _rows(encoder_output)
    grad_cross_attn_key_weight = _rows(grad_cross_attn_k).T @ _rows(encoder_output)
    _t9 = grad_cross_attn_q * _t4
    _t10 = _linear_backward_input(_t9, cross_attn_query_weight)
    grad_cross_attn_query_weight = _rows(_t9).T @ _rows(h1)
    (
        grad_norm1_x,
        grad_self_attn_v,
        grad_self_attn_q,
        grad_self_attn_k,
        grad_norm1_weight,
        grad_norm1_bias,
    ) = in_row_blocks(
        _backward_relu_part3,
        grad_norm2_x,
        _t10,
        _t3,
        norm1_mu,
        norm1_rstd,
        linear2_bias,
        x,
        norm1_weight,
        self_attn_v,
        self_attn_weights,
        _t2,
        self_attn_q,
        sums=2,
        named=(2, 2, 2, 2, 2, None, 2, None, 2, 2, 2, 2),
    )
    grad_self_attn_value_weight = _rows(grad_self_attn_v).T @ _rows(x)
    grad_self_attn_key_weight = _rows(grad_self_attn_k).T @ _rows(x)
    _t11 = grad_self_attn_q * _t1
    grad_self_attn_query_weight = _rows(_t11).T @ _rows(x)
    grad_x = (
        grad_norm1_x
        + _linear_backward_input(grad_self_attn_v, self_attn_value_weight)
        + _linear_backward_input(grad_self_attn_k, self_attn_key_weight)
        + _linear_backward_input(_t11, self_attn_query_weight)
    )
    grad_encoder_output = _linear_backward_input(
        grad_cross_attn_v, cross_attn_value_weight
    ) + _linear_backward_input(grad_cross_attn_k, cross_attn_key_weight)
    return (
        grad_x,
        grad_encoder_output,
        grad_self_attn_query_weight,
        grad_self_attn_key_weight,
        grad_self_attn_value_weight,
        grad_cross_attn_query_weight,
        grad_cross_attn_key_weight,
        grad_cross_attn_value_weight,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_norm3_weight,
        grad_norm3_bias,
    )


def _forward_gelu_part3(_t1, linear1_bias):
    linear1_z = _t1 + linear1_bias
    hidden = _erf(0.7071067811865476 * linear1_z)
    hidden *= 0.5
    hidden += 0.5
    hidden *= linear1_z
    return linear1_z, hidden


def _forward_gelu(
    x,
    encoder_output,
    self_attn_query_weight,
    self_attn_key_weight,
    self_attn_value_weight,
    cross_attn_query_weight,
    cross_attn_key_weight,
    cross_attn_value_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    norm3_weight,
    norm3_bias,
    mask,
    memory_mask,
    eps,
):
    _t1 = self_attn_query_weight.shape[0] ** -0.5
    self_attn_q = _linear(x, self_attn_query_weight)
    self_attn_q *= _t1
    self_attn_k = _linear(x, self_attn_key_weight)
    self_attn_v = _linear(x, self_attn_value_weight)
    _t2, self_attn_weights, _t3, norm1_mu, norm1_rstd, h1 = in_row_blocks(
        _forward_relu_part1,
        self_attn_k,
        self_attn_q,
        mask,
        self_attn_v,
        x,
        eps,
        norm1_weight,
        norm1_bias,
        named=(2, 2, None, 2, 2, None, None, None),
    )
    cross_attn_q = _linear(h1, cross_attn_query_weight)
    cross_attn_q *= _t1
    cross_attn_k = _linear(encoder_output, cross_attn_key_weight)
    cross_attn_v = _linear(encoder_output, cross_attn_value_weight)
    _t4, cross_attn_weights, _t5, norm2_mu, norm2_rstd, h2 = in_row_blocks(
        _forward_relu_part2,
        cross_attn_k,
        cross_attn_q,
        memory_mask,
        cross_attn_v,
        h1,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, 2, None, 2, 2, 2, None, None, None),
    )
    _t6 = _linear(h2, linear1_weight)
    linear1_z, hidden = in_row_blocks(
        _forward_gelu_part3, _t6, linear1_bias, named=(2, None)
    )
    _t7 = _linear(hidden, linear2_weight)
    _t8, norm3_mu, norm3_rstd, y = in_row_blocks(
        _forward_relu_part3,
        _t7,
        linear2_bias,
        h2,
        x,
        eps,
        norm3_weight,
        norm3_bias,
        named=(2, None, 2, 2, None, None, None),
    )
    return y, (
        x,
        encoder_output,
        self_attn_query_weight,
        self_attn_key_weight,
        self_attn_value_weight,
        cross_attn_query_weight,
        cross_attn_key_weight,
        cross_attn_value_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        _t1,
        self_attn_q,
        self_attn_v,
        _t2,
        self_attn_weights,
        _t3,
        norm1_mu,
        norm1_rstd,
        h1,
        _t1,
        cross_attn_q,
        cross_attn_v,
        _t4,
        cross_attn_weights,
        _t5,
        norm2_mu,
        norm2_rstd,
        h2,
        linear1_z,
        _t8,
        norm3_mu,
        norm3_rstd,
    )


def _backward_gelu_part1(
    linear1_z, _t1, norm3_mu, norm3_rstd, grad_y, linear2_bias, x, norm3_weight
):
    _t2 = 0.7071067811865476 * linear1_z
    _t3 = _erf(_t2)
    _t3 *= 0.5
    _t3 += 0.5
    hidden = linear1_z * _t3
    norm3_x_hat = _t1 - norm3_mu
    norm3_x_hat *= norm3_rstd
    norm3_p = grad_y * norm3_x_hat
    grad_norm3_weight = _sum_to(norm3_p, linear2_bias.shape)
    grad_norm3_bias = _sum_to(grad_y, linear2_bias.shape)
    norm3_scale = norm3_rstd / x.shape[-1]
    grad_norm3_x = grad_y * norm3_weight
    grad_norm3_x *= norm3_rstd
    _t4 = norm3_x_hat * (_dot_last(norm3_p, norm3_weight) * norm3_scale)
    grad_norm3_x -= _t4
    grad_norm3_x -= _dot_last(grad_y, norm3_weight) * norm3_scale
    grad_linear2_bias = _sum_to(grad_norm3_x, linear2_bias.shape)
    return (
        _t2,
        _t3,
        hidden,
        grad_norm3_x,
        grad_norm3_weight,
        grad_norm3_bias,
        grad_linear2_bias,
    )


def _backward_gelu_part2(grad_hidden, _t1, linear1_z, _t2, linear1_bias):
    grad_linear1_z = grad_hidden * _t1
    _t3 = _t2 * _t2
    np.negative(_t3, out=_t3)
    np.exp(_t3, out=_t3)
    _t3 *= grad_hidden
    _t3 *= linear1_z
    _t3 *= 0.5
    _t3 *= 1.1283791670955126
    _t3 *= 0.7071067811865476
    grad_linear1_z += _t3
    grad_linear1_bias = _sum_to(grad_linear1_z, linear1_bias.shape)
    return grad_linear1_z, grad_linear1_bias


def _backward_gelu(
    grad_y,
    x,
    encoder_output,
    self_attn_query_weight,
    self_attn_key_weight,
    self_attn_value_weight,
    cross_attn_query_weight,
    cross_attn_key_weight,
    cross_attn_value_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    _t1,
    self_attn_q,
    self_attn_v,
    _t2,
    self_attn_weights,
    _t3,
    norm1_mu,
    norm1_rstd,
    h1,
    _t4,
    cross_attn_q,
    cross_attn_v,
    _t5,
    cross_attn_weights,
    _t6,
    norm2_mu,
    norm2_rstd,
    h2,
    linear1_z,
    _t7,
    norm3_mu,
    norm3_rstd,
):
    (
        _t8,
        _t9,
        hidden,
        grad_norm3_x,
        grad_norm3_weight,
        grad_norm3_bias,
        grad_linear2_bias,
    ) = in_row_blocks(
        _backward_gelu_part1,
        linear1_z,
        _t7,
        norm3_mu,
        norm3_rstd,
        grad_y,
        linear2_bias,
        x,
        norm3_weight,
        sums=3,
        named=(2, 2, 2, 2, 2, None, 2, None),
    )
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z, grad_linear1_bias = in_row_blocks(
        _backward_gelu_part2,
        grad_hidden,
        _t9,
        linear1_z,
        _t8,
        linear1_bias,
        sums=1,
        named=(2, 2, 2, 2, None),
    )
    _t10 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    (
        grad_norm2_x,
        grad_cross_attn_v,
        grad_cross_attn_q,
        grad_cross_attn_k,
        grad_norm2_weight,
        grad_norm2_bias,
    ) = in_row_blocks(
        _backward_relu_part2,
        grad_norm3_x,
        _t10,
        _t6,
        norm2_mu,
        norm2_rstd,
        linear2_bias,
        x,
        norm2_weight,
        cross_attn_v,
        cross_attn_weights,
        _t5,
        cross_attn_q,
        sums=2,
        named=(2, 2, 2, 2, 2, None, 2, None, 2, 2, 2, 2),
    )
    grad_cross_attn_value_weight = _rows(grad_cross_attn_v).T @ _rows(encoder_output)
    grad_cross_attn_key_weight = _rows(grad_cross_attn_k).T @ _rows(encoder_output)
    _t11 = grad_cross_attn_q * _t4
    _t12 = _linear_backward_input(_t11, cross_attn_query_weight)
    grad_cross_attn_query_weight = _rows(_t11).T @ _rows(h1)
    (
        grad_norm1_x,
        grad_self_attn_v,
        grad_self_attn_q,
        grad_self_attn_k,
        grad_norm1_weight,
        grad_norm1_bias,
    ) = in_row_blocks(
        _backward_relu_part3,
        grad_norm2_x,
        _t12,
        _t3,
        norm1_mu,
        norm1_rstd,
        linear2_bias,
        x,
        norm1_weight,
        self_attn_v,
        self_attn_weights,
        _t2,
        self_attn_q,
        sums=2,
        named=(2, 2, 2, 2, 2, None, 2, None, 2, 2, 2, 2),
    )
    grad_self_attn_value_weight = _rows(grad_self_attn_v).T @ _rows(x)
    grad_self_attn_key_weight = _rows(grad_self_attn_k).T @ _rows(x)
    _t13 = grad_self_attn_q * _t1
    grad_self_attn_query_weight = _rows(_t13).T @ _rows(x)
    grad_x = (
        grad_norm1_x
        + _linear_backward_input(grad_self_attn_v, self_attn_value_weight)
        + _linear_backward_input(grad_self_attn_k, self_attn_key_weight)
        + _linear_backward_input(_t13, self_attn_query_weight)
    )
    grad_encoder_output = _linear_backward_input(
        grad_cross_attn_v, cross_attn_value_weight
    ) + _linear_backward_input(grad_cross_attn_k, cross_attn_key_weight)
    return (
        grad_x,
        grad_encoder_output,
        grad_self_attn_query_weight,
        grad_self_attn_key_weight,
        grad_self_attn_value_weight,
        grad_cross_attn_query_weight,
        grad_cross_attn_key_weight,
        grad_cross_attn_value_weight,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_norm3_weight,
        grad_norm3_bias,
    )


_FUSED = {
    "relu": (_forward_relu, _backward_relu),
    "gelu": (_forward_gelu, _backward_gelu),
}
# The options each fused activation is specialized at; other values run it composed.
_FUSED_FIXED = {
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


def _apply_mask(scores, mask, out=None):
    """scores with -inf where a bool mask is True, or plus a float mask; ``out``, if
    given, receives the result (it may be ``scores``). No mask (None): the scores
    themselves (or their copy in ``out``)."""
    if mask is None:
        if out is None or out is scores:
            return scores
        np.copyto(out, scores)
        return out
    if mask.dtype != bool:
        return np.add(scores, mask, out=out)
    if out is None:
        out = scores.copy()
    elif out is not scores:
        np.copyto(out, scores)
    np.copyto(out, -np.inf, where=mask)
    return out


def _bmm(a, b):
    """a [..., M, K] @ b [..., K, N]. Stacks of equal leading shape are shared out over
    the threads (set_num_threads) by their first axis, each product with one BLAS
    thread: attention's many small per-head products run several times faster so than
    with BLAS's own threads (which spin and contend for the cores); others are np.matmul.
    """
    if a.ndim < 3 or a.shape[:-2] != b.shape[:-2]:
        return np.matmul(a, b)
    out = np.empty(a.shape[:-1] + b.shape[-1:], dtype=a.dtype)

    def products(first, last):
        np.matmul(a[first:last], b[first:last], out=out[first:last])

    in_chunks(products, a.shape[0], a)
    return out


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


# decoder_relu_fwd_0: layers_spec/layers/attention.yaml:23
_decoder_relu_fwd_0 = ElementwiseKernel(
    "decoder_relu_fwd_0",
    "T _t1, T _t3",
    "T self_attn_q",
    """
    self_attn_q = _t1 * _t3;
    """,
    scalars=("_t3",),
)


# decoder_relu_fwd_1: layers_spec/activations/softmax.yaml:10,11,12
_decoder_relu_fwd_1 = RowBlockKernel(
    "decoder_relu_fwd_1",
    "row T self_attn_allowed",
    "row T self_attn_weights",
    """
    T _c_self_attn_allowed[LF_REGISTERS];
    T _t5 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T self_attn_allowed = _at.fill(_c_self_attn_allowed, _row_self_attn_allowed, _j);
        _t5 = _Max()(_t5, self_attn_allowed);
    )
    _t5 = _row_reduce(_t5, _Max());
    const T _t6 = _t5;
    T _t7 = T(0);
    LF_ROW_LOOP(
        const T self_attn_allowed = _at.get(_c_self_attn_allowed, _row_self_attn_allowed, _j);
        const T self_attn_softmax_shifted = self_attn_allowed - _t6;
        const T self_attn_softmax_exponentials = exp(self_attn_softmax_shifted);
        _t7 = _Sum()(_t7, self_attn_softmax_exponentials);
    )
    _t7 = _row_reduce(_t7, _Sum());
    LF_ROW_LOOP(
        const T self_attn_allowed = _at.get(_c_self_attn_allowed, _row_self_attn_allowed, _j);
        const T self_attn_softmax_shifted = self_attn_allowed - _t6;
        const T self_attn_softmax_exponentials = exp(self_attn_softmax_shifted);
        const T self_attn_weights = self_attn_softmax_exponentials / _t7;
        _row_self_attn_weights[_j] = self_attn_weights;
    )
    """,
)


# decoder_relu_fwd_2: layers_spec/layers/decoder.yaml:33; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_decoder_relu_fwd_2 = RowBlockKernel(
    "decoder_relu_fwd_2",
    "row T x, row T attended, scalar int64 _t10, scalar T eps, column T norm1_weight, column T norm1_bias",
    "row T _t8, per_row T norm1_mu, per_row T norm1_rstd, row T h1",
    """
    T _c_x[LF_REGISTERS];
    T _c_attended[LF_REGISTERS];
    T norm1_mu = T(0);
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        const T attended = _at.fill(_c_attended, _row_attended, _j);
        const T _t8 = x + attended;
        norm1_mu = _Sum()(norm1_mu, _t8);
    )
    norm1_mu = _row_reduce(norm1_mu, _Sum());
    norm1_mu = norm1_mu / T(_n);
    T _t9 = T(0);
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T attended = _at.get(_c_attended, _row_attended, _j);
        const T _t8 = x + attended;
        const T norm1_centered = _t8 - norm1_mu;
        _t9 = _Sum()(_t9, norm1_centered * norm1_centered);
    )
    _t9 = _row_reduce(_t9, _Sum());
    const T norm1_variance = _t9 / _t10;
    const T _t11 = norm1_variance + eps;
    const T _t12 = sqrt(_t11);
    const T norm1_rstd = T(1) / _t12;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T attended = _at.get(_c_attended, _row_attended, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T norm1_bias = _p_norm1_bias[_j];
        const T _t8 = x + attended;
        const T norm1_centered = _t8 - norm1_mu;
        const T norm1_normalized = norm1_centered * norm1_rstd;
        const T _t13 = norm1_normalized * norm1_weight;
        const T h1 = _t13 + norm1_bias;
        _row__t8[_j] = _t8;
        _row_h1[_j] = h1;
    )
    """,
)


# decoder_relu_fwd_3: layers_spec/layers/attention.yaml:23
_decoder_relu_fwd_3 = ElementwiseKernel(
    "decoder_relu_fwd_3",
    "T _t14, T _t16",
    "T cross_attn_q",
    """
    cross_attn_q = _t14 * _t16;
    """,
    scalars=("_t16",),
)


# decoder_relu_fwd_4: layers_spec/activations/softmax.yaml:10,11,12
_decoder_relu_fwd_4 = RowBlockKernel(
    "decoder_relu_fwd_4",
    "row T cross_attn_allowed",
    "row T cross_attn_weights",
    """
    T _c_cross_attn_allowed[LF_REGISTERS];
    T _t18 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T cross_attn_allowed = _at.fill(_c_cross_attn_allowed, _row_cross_attn_allowed, _j);
        _t18 = _Max()(_t18, cross_attn_allowed);
    )
    _t18 = _row_reduce(_t18, _Max());
    const T _t19 = _t18;
    T _t20 = T(0);
    LF_ROW_LOOP(
        const T cross_attn_allowed = _at.get(_c_cross_attn_allowed, _row_cross_attn_allowed, _j);
        const T cross_attn_softmax_shifted = cross_attn_allowed - _t19;
        const T cross_attn_softmax_exponentials = exp(cross_attn_softmax_shifted);
        _t20 = _Sum()(_t20, cross_attn_softmax_exponentials);
    )
    _t20 = _row_reduce(_t20, _Sum());
    LF_ROW_LOOP(
        const T cross_attn_allowed = _at.get(_c_cross_attn_allowed, _row_cross_attn_allowed, _j);
        const T cross_attn_softmax_shifted = cross_attn_allowed - _t19;
        const T cross_attn_softmax_exponentials = exp(cross_attn_softmax_shifted);
        const T cross_attn_weights = cross_attn_softmax_exponentials / _t20;
        _row_cross_attn_weights[_j] = cross_attn_weights;
    )
    """,
)


# decoder_relu_fwd_5: layers_spec/layers/decoder.yaml:35; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_decoder_relu_fwd_5 = RowBlockKernel(
    "decoder_relu_fwd_5",
    "row T h1, row T crossed, scalar int64 _t23, scalar T eps, column T norm2_weight, column T norm2_bias",
    "row T _t21, per_row T norm2_mu, per_row T norm2_rstd, row T h2",
    """
    T _c_h1[LF_REGISTERS];
    T _c_crossed[LF_REGISTERS];
    T norm2_mu = T(0);
    LF_ROW_LOOP(
        const T h1 = _at.fill(_c_h1, _row_h1, _j);
        const T crossed = _at.fill(_c_crossed, _row_crossed, _j);
        const T _t21 = h1 + crossed;
        norm2_mu = _Sum()(norm2_mu, _t21);
    )
    norm2_mu = _row_reduce(norm2_mu, _Sum());
    norm2_mu = norm2_mu / T(_n);
    T _t22 = T(0);
    LF_ROW_LOOP(
        const T h1 = _at.get(_c_h1, _row_h1, _j);
        const T crossed = _at.get(_c_crossed, _row_crossed, _j);
        const T _t21 = h1 + crossed;
        const T norm2_centered = _t21 - norm2_mu;
        _t22 = _Sum()(_t22, norm2_centered * norm2_centered);
    )
    _t22 = _row_reduce(_t22, _Sum());
    const T norm2_variance = _t22 / _t23;
    const T _t24 = norm2_variance + eps;
    const T _t25 = sqrt(_t24);
    const T norm2_rstd = T(1) / _t25;
    LF_ROW_LOOP(
        const T h1 = _at.get(_c_h1, _row_h1, _j);
        const T crossed = _at.get(_c_crossed, _row_crossed, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T norm2_bias = _p_norm2_bias[_j];
        const T _t21 = h1 + crossed;
        const T norm2_centered = _t21 - norm2_mu;
        const T norm2_normalized = norm2_centered * norm2_rstd;
        const T _t26 = norm2_normalized * norm2_weight;
        const T h2 = _t26 + norm2_bias;
        _row__t21[_j] = _t21;
        _row_h2[_j] = h2;
    )
    """,
)


# decoder_relu_fwd_6: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_decoder_relu_fwd_6 = ElementwiseKernel(
    "decoder_relu_fwd_6",
    "T _t27, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t27 + linear1_bias;
    hidden = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# decoder_relu_fwd_7: layers_spec/layers/dense.yaml:17; layers_spec/layers/decoder.yaml:39; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_decoder_relu_fwd_7 = RowBlockKernel(
    "decoder_relu_fwd_7",
    "row T _t28, column T linear2_bias, row T h2, scalar int64 _t31, scalar T eps, column T norm3_weight, column T norm3_bias",
    "row T _t29, per_row T norm3_mu, per_row T norm3_rstd, row T y",
    """
    T _c__t28[LF_REGISTERS];
    T _c_h2[LF_REGISTERS];
    T norm3_mu = T(0);
    LF_ROW_LOOP(
        const T _t28 = _at.fill(_c__t28, _row__t28, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.fill(_c_h2, _row_h2, _j);
        const T linear2_z = _t28 + linear2_bias;
        const T _t29 = h2 + linear2_z;
        norm3_mu = _Sum()(norm3_mu, _t29);
    )
    norm3_mu = _row_reduce(norm3_mu, _Sum());
    norm3_mu = norm3_mu / T(_n);
    T _t30 = T(0);
    LF_ROW_LOOP(
        const T _t28 = _at.get(_c__t28, _row__t28, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T linear2_z = _t28 + linear2_bias;
        const T _t29 = h2 + linear2_z;
        const T norm3_centered = _t29 - norm3_mu;
        _t30 = _Sum()(_t30, norm3_centered * norm3_centered);
    )
    _t30 = _row_reduce(_t30, _Sum());
    const T norm3_variance = _t30 / _t31;
    const T _t32 = norm3_variance + eps;
    const T _t33 = sqrt(_t32);
    const T norm3_rstd = T(1) / _t33;
    LF_ROW_LOOP(
        const T _t28 = _at.get(_c__t28, _row__t28, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T norm3_bias = _p_norm3_bias[_j];
        const T linear2_z = _t28 + linear2_bias;
        const T _t29 = h2 + linear2_z;
        const T norm3_centered = _t29 - norm3_mu;
        const T norm3_normalized = norm3_centered * norm3_rstd;
        const T _t34 = norm3_normalized * norm3_weight;
        const T y = _t34 + norm3_bias;
        _row__t29[_j] = _t29;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_relu(
    x,
    encoder_output,
    self_attn_query_weight,
    self_attn_key_weight,
    self_attn_value_weight,
    cross_attn_query_weight,
    cross_attn_key_weight,
    cross_attn_value_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    norm3_weight,
    norm3_bias,
    mask,
    memory_mask,
    eps,
):
    import cupy as cp

    _t1 = _linear(x, self_attn_query_weight)
    _t2 = self_attn_query_weight.shape[0]
    _t3 = _t2 ** (-0.5)
    self_attn_q = _decoder_relu_fwd_0(_t1, _t3)
    self_attn_k = _linear(x, self_attn_key_weight)
    self_attn_v = _linear(x, self_attn_value_weight)
    _t4 = cp.swapaxes(self_attn_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_q, _t4)
    self_attn_allowed = _cupy_apply_mask(self_attn_scores, mask)
    self_attn_weights = _decoder_relu_fwd_1(self_attn_allowed)
    attended = _cupy_bmm(self_attn_weights, self_attn_v)
    _t10 = x.shape[-1]
    _t8, norm1_mu, norm1_rstd, h1 = _decoder_relu_fwd_2(
        x, attended, _t10, eps, norm1_weight, norm1_bias
    )
    _t14 = _linear(h1, cross_attn_query_weight)
    _t15 = self_attn_query_weight.shape[0]
    _t16 = _t15 ** (-0.5)
    cross_attn_q = _decoder_relu_fwd_3(_t14, _t16)
    cross_attn_k = _linear(encoder_output, cross_attn_key_weight)
    cross_attn_v = _linear(encoder_output, cross_attn_value_weight)
    _t17 = cp.swapaxes(cross_attn_k, -1, -2)
    cross_attn_scores = _cupy_bmm(cross_attn_q, _t17)
    cross_attn_allowed = _cupy_apply_mask(cross_attn_scores, memory_mask)
    cross_attn_weights = _decoder_relu_fwd_4(cross_attn_allowed)
    crossed = _cupy_bmm(cross_attn_weights, cross_attn_v)
    _t23 = x.shape[-1]
    _t21, norm2_mu, norm2_rstd, h2 = _decoder_relu_fwd_5(
        h1, crossed, _t23, eps, norm2_weight, norm2_bias
    )
    _t27 = _linear(h2, linear1_weight)
    linear1_z, hidden = _decoder_relu_fwd_6(_t27, linear1_bias)
    _t28 = _linear(hidden, linear2_weight)
    _t31 = x.shape[-1]
    _t29, norm3_mu, norm3_rstd, y = _decoder_relu_fwd_7(
        _t28, linear2_bias, h2, _t31, eps, norm3_weight, norm3_bias
    )
    return y, (
        x,
        encoder_output,
        self_attn_query_weight,
        self_attn_key_weight,
        self_attn_value_weight,
        cross_attn_query_weight,
        cross_attn_key_weight,
        cross_attn_value_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        _t3,
        self_attn_q,
        self_attn_v,
        _t4,
        self_attn_weights,
        _t8,
        norm1_mu,
        norm1_rstd,
        h1,
        _t16,
        cross_attn_q,
        cross_attn_v,
        _t17,
        cross_attn_weights,
        _t21,
        norm2_mu,
        norm2_rstd,
        h2,
        linear1_z,
        _t29,
        norm3_mu,
        norm3_rstd,
    )


# decoder_relu_bwd_0: layers_spec/activations/relu.yaml:8
_decoder_relu_bwd_0 = ElementwiseKernel(
    "decoder_relu_bwd_0",
    "T linear1_z",
    "T hidden",
    """
    hidden = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# decoder_relu_bwd_1: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_decoder_relu_bwd_1 = RowBlockKernel(
    "decoder_relu_bwd_1",
    "row T _t29, per_row T norm3_mu, per_row T norm3_rstd, row T grad_y, scalar int64 _t36, column T norm3_weight",
    "row T norm3_p, row T grad_norm3_x",
    """
    T _c__t29[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm3_scale = norm3_rstd / _t36;
    T _t39 = T(0);
    LF_ROW_LOOP(
        const T _t29 = _at.fill(_c__t29, _row__t29, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t35 = _t29 - norm3_mu;
        const T norm3_x_hat = _t35 * norm3_rstd;
        const T norm3_p = grad_y * norm3_x_hat;
        _t39 = _Sum()(_t39, norm3_p * norm3_weight);
    )
    _t39 = _row_reduce(_t39, _Sum());
    const T _t40 = _t39 * norm3_scale;
    T _t43 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        _t43 = _Sum()(_t43, grad_y * norm3_weight);
    )
    _t43 = _row_reduce(_t43, _Sum());
    const T _t44 = _t43 * norm3_scale;
    LF_ROW_LOOP(
        const T _t29 = _at.get(_c__t29, _row__t29, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t35 = _t29 - norm3_mu;
        const T norm3_x_hat = _t35 * norm3_rstd;
        const T norm3_p = grad_y * norm3_x_hat;
        const T _t37 = grad_y * norm3_weight;
        const T _t38 = _t37 * norm3_rstd;
        const T _t41 = norm3_x_hat * _t40;
        const T _t42 = _t38 - _t41;
        const T grad_norm3_x = _t42 - _t44;
        _row_norm3_p[_j] = norm3_p;
        _row_grad_norm3_x[_j] = grad_norm3_x;
    )
    """,
)


# decoder_relu_bwd_2: layers_spec/primitives.yaml:252
_decoder_relu_bwd_2 = ElementwiseKernel(
    "decoder_relu_bwd_2",
    "T linear1_z, T grad_hidden",
    "T grad_linear1_z",
    """
    bool _t48 = linear1_z > T(0);
    grad_linear1_z = grad_hidden * _t48;
    """,
)


# decoder_relu_bwd_3: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_decoder_relu_bwd_3 = RowBlockKernel(
    "decoder_relu_bwd_3",
    "row T grad_norm3_x, row T _t51, row T _t21, per_row T norm2_mu, per_row T norm2_rstd, scalar int64 _t54, column T norm2_weight",
    "row T grad_h2, row T norm2_p, row T grad_norm2_x",
    """
    T _c_grad_norm3_x[LF_REGISTERS];
    T _c__t51[LF_REGISTERS];
    T _c__t21[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t54;
    T _t57 = T(0);
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.fill(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t51 = _at.fill(_c__t51, _row__t51, _j);
        const T _t21 = _at.fill(_c__t21, _row__t21, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t51;
        const T _t53 = _t21 - norm2_mu;
        const T norm2_x_hat = _t53 * norm2_rstd;
        const T norm2_p = grad_h2 * norm2_x_hat;
        _t57 = _Sum()(_t57, norm2_p * norm2_weight);
    )
    _t57 = _row_reduce(_t57, _Sum());
    const T _t58 = _t57 * norm2_scale;
    T _t61 = T(0);
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.get(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t51 = _at.get(_c__t51, _row__t51, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t51;
        _t61 = _Sum()(_t61, grad_h2 * norm2_weight);
    )
    _t61 = _row_reduce(_t61, _Sum());
    const T _t62 = _t61 * norm2_scale;
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.get(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t51 = _at.get(_c__t51, _row__t51, _j);
        const T _t21 = _at.get(_c__t21, _row__t21, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t51;
        const T _t53 = _t21 - norm2_mu;
        const T norm2_x_hat = _t53 * norm2_rstd;
        const T norm2_p = grad_h2 * norm2_x_hat;
        const T _t55 = grad_h2 * norm2_weight;
        const T _t56 = _t55 * norm2_rstd;
        const T _t59 = norm2_x_hat * _t58;
        const T _t60 = _t56 - _t59;
        const T grad_norm2_x = _t60 - _t62;
        _row_grad_h2[_j] = grad_h2;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_norm2_x[_j] = grad_norm2_x;
    )
    """,
)


# decoder_relu_bwd_4: layers_spec/activations/softmax.yaml:14
_decoder_relu_bwd_4 = RowBlockKernel(
    "decoder_relu_bwd_4",
    "row T grad_cross_attn_weights, row T cross_attn_weights",
    "row T grad_cross_attn_allowed",
    """
    T _c_grad_cross_attn_weights[LF_REGISTERS];
    T _c_cross_attn_weights[LF_REGISTERS];
    T _t68 = T(0);
    LF_ROW_LOOP(
        const T grad_cross_attn_weights = _at.fill(_c_grad_cross_attn_weights, _row_grad_cross_attn_weights, _j);
        const T cross_attn_weights = _at.fill(_c_cross_attn_weights, _row_cross_attn_weights, _j);
        const T _t67 = grad_cross_attn_weights * cross_attn_weights;
        _t68 = _Sum()(_t68, _t67);
    )
    _t68 = _row_reduce(_t68, _Sum());
    LF_ROW_LOOP(
        const T grad_cross_attn_weights = _at.get(_c_grad_cross_attn_weights, _row_grad_cross_attn_weights, _j);
        const T cross_attn_weights = _at.get(_c_cross_attn_weights, _row_cross_attn_weights, _j);
        const T _t69 = grad_cross_attn_weights - _t68;
        const T grad_cross_attn_allowed = cross_attn_weights * _t69;
        _row_grad_cross_attn_allowed[_j] = grad_cross_attn_allowed;
    )
    """,
)


# decoder_relu_bwd_5: layers_spec/primitives.yaml:61
_decoder_relu_bwd_5 = ElementwiseKernel(
    "decoder_relu_bwd_5",
    "T grad_cross_attn_q, T _t16",
    "T _t80",
    """
    _t80 = grad_cross_attn_q * _t16;
    """,
    scalars=("_t16",),
)


# decoder_relu_bwd_6: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_decoder_relu_bwd_6 = RowBlockKernel(
    "decoder_relu_bwd_6",
    "row T grad_norm2_x, row T _t81, row T _t8, per_row T norm1_mu, per_row T norm1_rstd, scalar int64 _t84, column T norm1_weight",
    "row T grad_h1, row T norm1_p, row T grad_norm1_x",
    """
    T _c_grad_norm2_x[LF_REGISTERS];
    T _c__t81[LF_REGISTERS];
    T _c__t8[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t84;
    T _t87 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.fill(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t81 = _at.fill(_c__t81, _row__t81, _j);
        const T _t8 = _at.fill(_c__t8, _row__t8, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t81;
        const T _t83 = _t8 - norm1_mu;
        const T norm1_x_hat = _t83 * norm1_rstd;
        const T norm1_p = grad_h1 * norm1_x_hat;
        _t87 = _Sum()(_t87, norm1_p * norm1_weight);
    )
    _t87 = _row_reduce(_t87, _Sum());
    const T _t88 = _t87 * norm1_scale;
    T _t91 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t81 = _at.get(_c__t81, _row__t81, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t81;
        _t91 = _Sum()(_t91, grad_h1 * norm1_weight);
    )
    _t91 = _row_reduce(_t91, _Sum());
    const T _t92 = _t91 * norm1_scale;
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t81 = _at.get(_c__t81, _row__t81, _j);
        const T _t8 = _at.get(_c__t8, _row__t8, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t81;
        const T _t83 = _t8 - norm1_mu;
        const T norm1_x_hat = _t83 * norm1_rstd;
        const T norm1_p = grad_h1 * norm1_x_hat;
        const T _t85 = grad_h1 * norm1_weight;
        const T _t86 = _t85 * norm1_rstd;
        const T _t89 = norm1_x_hat * _t88;
        const T _t90 = _t86 - _t89;
        const T grad_norm1_x = _t90 - _t92;
        _row_grad_h1[_j] = grad_h1;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_norm1_x[_j] = grad_norm1_x;
    )
    """,
)


# decoder_relu_bwd_7: layers_spec/activations/softmax.yaml:14
_decoder_relu_bwd_7 = RowBlockKernel(
    "decoder_relu_bwd_7",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_allowed",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t98 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t97 = grad_self_attn_weights * self_attn_weights;
        _t98 = _Sum()(_t98, _t97);
    )
    _t98 = _row_reduce(_t98, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t99 = grad_self_attn_weights - _t98;
        const T grad_self_attn_allowed = self_attn_weights * _t99;
        _row_grad_self_attn_allowed[_j] = grad_self_attn_allowed;
    )
    """,
)


# decoder_relu_bwd_8: layers_spec/primitives.yaml:61
_decoder_relu_bwd_8 = ElementwiseKernel(
    "decoder_relu_bwd_8",
    "T grad_self_attn_q, T _t3",
    "T _t110",
    """
    _t110 = grad_self_attn_q * _t3;
    """,
    scalars=("_t3",),
)


# decoder_relu_bwd_9: layers_spec/primitives.yaml:522
_decoder_relu_bwd_9 = ElementwiseKernel(
    "decoder_relu_bwd_9",
    "T grad_norm1_x, T _t106, T _t108, T _t111",
    "T grad_x",
    """
    T _t113 = grad_norm1_x + _t106;
    T _t114 = _t113 + _t108;
    grad_x = _t114 + _t111;
    """,
)


# decoder_relu_bwd_10: layers_spec/primitives.yaml:522
_decoder_relu_bwd_10 = ElementwiseKernel(
    "decoder_relu_bwd_10",
    "T _t76, T _t78",
    "T grad_encoder_output",
    """
    grad_encoder_output = _t76 + _t78;
    """,
)


def _cupy_backward_relu(
    grad_y,
    x,
    encoder_output,
    self_attn_query_weight,
    self_attn_key_weight,
    self_attn_value_weight,
    cross_attn_query_weight,
    cross_attn_key_weight,
    cross_attn_value_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    _t3,
    self_attn_q,
    self_attn_v,
    _t4,
    self_attn_weights,
    _t8,
    norm1_mu,
    norm1_rstd,
    h1,
    _t16,
    cross_attn_q,
    cross_attn_v,
    _t17,
    cross_attn_weights,
    _t21,
    norm2_mu,
    norm2_rstd,
    h2,
    linear1_z,
    _t29,
    norm3_mu,
    norm3_rstd,
):
    import cupy as cp

    hidden = _decoder_relu_bwd_0(linear1_z)
    _t36 = x.shape[-1]
    norm3_p, grad_norm3_x = _decoder_relu_bwd_1(
        _t29, norm3_mu, norm3_rstd, grad_y, _t36, norm3_weight
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, linear2_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_y, linear2_bias.shape)
    grad_linear2_bias = _cupy_sum_to(grad_norm3_x, linear2_bias.shape)
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z = _decoder_relu_bwd_2(linear1_z, grad_hidden)
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t51 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    _t54 = x.shape[-1]
    grad_h2, norm2_p, grad_norm2_x = _decoder_relu_bwd_3(
        grad_norm3_x, _t51, _t21, norm2_mu, norm2_rstd, _t54, norm2_weight
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, linear2_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_h2, linear2_bias.shape)
    _t63 = cp.swapaxes(cross_attn_v, -1, -2)
    grad_cross_attn_weights = _cupy_bmm(grad_norm2_x, _t63)
    _t65 = cp.swapaxes(cross_attn_weights, -1, -2)
    grad_cross_attn_v = _cupy_bmm(_t65, grad_norm2_x)
    grad_cross_attn_allowed = _decoder_relu_bwd_4(
        grad_cross_attn_weights, cross_attn_weights
    )
    _t71 = cp.swapaxes(_t17, -1, -2)
    grad_cross_attn_q = _cupy_bmm(grad_cross_attn_allowed, _t71)
    _t73 = cp.swapaxes(cross_attn_q, -1, -2)
    _t74 = _cupy_bmm(_t73, grad_cross_attn_allowed)
    grad_cross_attn_k = cp.swapaxes(_t74, -1, -2)
    _t76 = _linear_backward_input(grad_cross_attn_v, cross_attn_value_weight)
    grad_cross_attn_value_weight = _rows(grad_cross_attn_v).T @ _rows(encoder_output)
    _t78 = _linear_backward_input(grad_cross_attn_k, cross_attn_key_weight)
    grad_cross_attn_key_weight = _rows(grad_cross_attn_k).T @ _rows(encoder_output)
    _t80 = _decoder_relu_bwd_5(grad_cross_attn_q, _t16)
    _t81 = _linear_backward_input(_t80, cross_attn_query_weight)
    grad_cross_attn_query_weight = _rows(_t80).T @ _rows(h1)
    _t84 = x.shape[-1]
    grad_h1, norm1_p, grad_norm1_x = _decoder_relu_bwd_6(
        grad_norm2_x, _t81, _t8, norm1_mu, norm1_rstd, _t84, norm1_weight
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, linear2_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_h1, linear2_bias.shape)
    _t93 = cp.swapaxes(self_attn_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(grad_norm1_x, _t93)
    _t95 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_v = _cupy_bmm(_t95, grad_norm1_x)
    grad_self_attn_allowed = _decoder_relu_bwd_7(
        grad_self_attn_weights, self_attn_weights
    )
    _t101 = cp.swapaxes(_t4, -1, -2)
    grad_self_attn_q = _cupy_bmm(grad_self_attn_allowed, _t101)
    _t103 = cp.swapaxes(self_attn_q, -1, -2)
    _t104 = _cupy_bmm(_t103, grad_self_attn_allowed)
    grad_self_attn_k = cp.swapaxes(_t104, -1, -2)
    _t106 = _linear_backward_input(grad_self_attn_v, self_attn_value_weight)
    grad_self_attn_value_weight = _rows(grad_self_attn_v).T @ _rows(x)
    _t108 = _linear_backward_input(grad_self_attn_k, self_attn_key_weight)
    grad_self_attn_key_weight = _rows(grad_self_attn_k).T @ _rows(x)
    _t110 = _decoder_relu_bwd_8(grad_self_attn_q, _t3)
    _t111 = _linear_backward_input(_t110, self_attn_query_weight)
    grad_self_attn_query_weight = _rows(_t110).T @ _rows(x)
    grad_x = _decoder_relu_bwd_9(grad_norm1_x, _t106, _t108, _t111)
    grad_encoder_output = _decoder_relu_bwd_10(_t76, _t78)
    return (
        grad_x,
        grad_encoder_output,
        grad_self_attn_query_weight,
        grad_self_attn_key_weight,
        grad_self_attn_value_weight,
        grad_cross_attn_query_weight,
        grad_cross_attn_key_weight,
        grad_cross_attn_value_weight,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_norm3_weight,
        grad_norm3_bias,
    )


# decoder_gelu_fwd_6: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:23
_decoder_gelu_fwd_6 = ElementwiseKernel(
    "decoder_gelu_fwd_6",
    "T _t27, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t27 + linear1_bias;
    T _t28 = T(0.7071067811865476) * linear1_z;
    T _t29 = erf(_t28);
    T _t30 = T(0.5) * _t29;
    T _t31 = T(0.5) + _t30;
    hidden = linear1_z * _t31;
    """,
)


# decoder_gelu_fwd_7: layers_spec/layers/dense.yaml:17; layers_spec/layers/decoder.yaml:39; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_decoder_gelu_fwd_7 = RowBlockKernel(
    "decoder_gelu_fwd_7",
    "row T _t32, column T linear2_bias, row T h2, scalar int64 _t35, scalar T eps, column T norm3_weight, column T norm3_bias",
    "row T _t33, per_row T norm3_mu, per_row T norm3_rstd, row T y",
    """
    T _c__t32[LF_REGISTERS];
    T _c_h2[LF_REGISTERS];
    T norm3_mu = T(0);
    LF_ROW_LOOP(
        const T _t32 = _at.fill(_c__t32, _row__t32, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.fill(_c_h2, _row_h2, _j);
        const T linear2_z = _t32 + linear2_bias;
        const T _t33 = h2 + linear2_z;
        norm3_mu = _Sum()(norm3_mu, _t33);
    )
    norm3_mu = _row_reduce(norm3_mu, _Sum());
    norm3_mu = norm3_mu / T(_n);
    T _t34 = T(0);
    LF_ROW_LOOP(
        const T _t32 = _at.get(_c__t32, _row__t32, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T linear2_z = _t32 + linear2_bias;
        const T _t33 = h2 + linear2_z;
        const T norm3_centered = _t33 - norm3_mu;
        _t34 = _Sum()(_t34, norm3_centered * norm3_centered);
    )
    _t34 = _row_reduce(_t34, _Sum());
    const T norm3_variance = _t34 / _t35;
    const T _t36 = norm3_variance + eps;
    const T _t37 = sqrt(_t36);
    const T norm3_rstd = T(1) / _t37;
    LF_ROW_LOOP(
        const T _t32 = _at.get(_c__t32, _row__t32, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T norm3_bias = _p_norm3_bias[_j];
        const T linear2_z = _t32 + linear2_bias;
        const T _t33 = h2 + linear2_z;
        const T norm3_centered = _t33 - norm3_mu;
        const T norm3_normalized = norm3_centered * norm3_rstd;
        const T _t38 = norm3_normalized * norm3_weight;
        const T y = _t38 + norm3_bias;
        _row__t33[_j] = _t33;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_gelu(
    x,
    encoder_output,
    self_attn_query_weight,
    self_attn_key_weight,
    self_attn_value_weight,
    cross_attn_query_weight,
    cross_attn_key_weight,
    cross_attn_value_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    norm3_weight,
    norm3_bias,
    mask,
    memory_mask,
    eps,
):
    import cupy as cp

    _t1 = _linear(x, self_attn_query_weight)
    _t2 = self_attn_query_weight.shape[0]
    _t3 = _t2 ** (-0.5)
    self_attn_q = _decoder_relu_fwd_0(_t1, _t3)
    self_attn_k = _linear(x, self_attn_key_weight)
    self_attn_v = _linear(x, self_attn_value_weight)
    _t4 = cp.swapaxes(self_attn_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_q, _t4)
    self_attn_allowed = _cupy_apply_mask(self_attn_scores, mask)
    self_attn_weights = _decoder_relu_fwd_1(self_attn_allowed)
    attended = _cupy_bmm(self_attn_weights, self_attn_v)
    _t10 = x.shape[-1]
    _t8, norm1_mu, norm1_rstd, h1 = _decoder_relu_fwd_2(
        x, attended, _t10, eps, norm1_weight, norm1_bias
    )
    _t14 = _linear(h1, cross_attn_query_weight)
    _t15 = self_attn_query_weight.shape[0]
    _t16 = _t15 ** (-0.5)
    cross_attn_q = _decoder_relu_fwd_3(_t14, _t16)
    cross_attn_k = _linear(encoder_output, cross_attn_key_weight)
    cross_attn_v = _linear(encoder_output, cross_attn_value_weight)
    _t17 = cp.swapaxes(cross_attn_k, -1, -2)
    cross_attn_scores = _cupy_bmm(cross_attn_q, _t17)
    cross_attn_allowed = _cupy_apply_mask(cross_attn_scores, memory_mask)
    cross_attn_weights = _decoder_relu_fwd_4(cross_attn_allowed)
    crossed = _cupy_bmm(cross_attn_weights, cross_attn_v)
    _t23 = x.shape[-1]
    _t21, norm2_mu, norm2_rstd, h2 = _decoder_relu_fwd_5(
        h1, crossed, _t23, eps, norm2_weight, norm2_bias
    )
    _t27 = _linear(h2, linear1_weight)
    linear1_z, hidden = _decoder_gelu_fwd_6(_t27, linear1_bias)
    _t32 = _linear(hidden, linear2_weight)
    _t35 = x.shape[-1]
    _t33, norm3_mu, norm3_rstd, y = _decoder_gelu_fwd_7(
        _t32, linear2_bias, h2, _t35, eps, norm3_weight, norm3_bias
    )
    return y, (
        x,
        encoder_output,
        self_attn_query_weight,
        self_attn_key_weight,
        self_attn_value_weight,
        cross_attn_query_weight,
        cross_attn_key_weight,
        cross_attn_value_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        _t3,
        self_attn_q,
        self_attn_v,
        _t4,
        self_attn_weights,
        _t8,
        norm1_mu,
        norm1_rstd,
        h1,
        _t16,
        cross_attn_q,
        cross_attn_v,
        _t17,
        cross_attn_weights,
        _t21,
        norm2_mu,
        norm2_rstd,
        h2,
        linear1_z,
        _t33,
        norm3_mu,
        norm3_rstd,
    )


# decoder_gelu_bwd_0: layers_spec/activations/gelu.yaml:23
_decoder_gelu_bwd_0 = ElementwiseKernel(
    "decoder_gelu_bwd_0",
    "T linear1_z",
    "T _t28, T _t31, T hidden",
    """
    _t28 = T(0.7071067811865476) * linear1_z;
    T _t29 = erf(_t28);
    T _t30 = T(0.5) * _t29;
    _t31 = T(0.5) + _t30;
    hidden = linear1_z * _t31;
    """,
)


# decoder_gelu_bwd_1: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_decoder_gelu_bwd_1 = RowBlockKernel(
    "decoder_gelu_bwd_1",
    "row T _t33, per_row T norm3_mu, per_row T norm3_rstd, row T grad_y, scalar int64 _t40, column T norm3_weight",
    "row T norm3_p, row T grad_norm3_x",
    """
    T _c__t33[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm3_scale = norm3_rstd / _t40;
    T _t43 = T(0);
    LF_ROW_LOOP(
        const T _t33 = _at.fill(_c__t33, _row__t33, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t39 = _t33 - norm3_mu;
        const T norm3_x_hat = _t39 * norm3_rstd;
        const T norm3_p = grad_y * norm3_x_hat;
        _t43 = _Sum()(_t43, norm3_p * norm3_weight);
    )
    _t43 = _row_reduce(_t43, _Sum());
    const T _t44 = _t43 * norm3_scale;
    T _t47 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        _t47 = _Sum()(_t47, grad_y * norm3_weight);
    )
    _t47 = _row_reduce(_t47, _Sum());
    const T _t48 = _t47 * norm3_scale;
    LF_ROW_LOOP(
        const T _t33 = _at.get(_c__t33, _row__t33, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t39 = _t33 - norm3_mu;
        const T norm3_x_hat = _t39 * norm3_rstd;
        const T norm3_p = grad_y * norm3_x_hat;
        const T _t41 = grad_y * norm3_weight;
        const T _t42 = _t41 * norm3_rstd;
        const T _t45 = norm3_x_hat * _t44;
        const T _t46 = _t42 - _t45;
        const T grad_norm3_x = _t46 - _t48;
        _row_norm3_p[_j] = norm3_p;
        _row_grad_norm3_x[_j] = grad_norm3_x;
    )
    """,
)


# decoder_gelu_bwd_2: layers_spec/primitives.yaml:61,62,1973
_decoder_gelu_bwd_2 = ElementwiseKernel(
    "decoder_gelu_bwd_2",
    "T grad_hidden, T _t31, T linear1_z, T _t28",
    "T grad_linear1_z",
    """
    T _t52 = grad_hidden * _t31;
    T _t53 = grad_hidden * linear1_z;
    T _t54 = _t53 * T(0.5);
    T _t55 = _t54 * T(1.1283791670955126);
    T _t56 = _t28 * _t28;
    T _t57 = -_t56;
    T _t58 = exp(_t57);
    T _t59 = _t55 * _t58;
    T _t60 = _t59 * T(0.7071067811865476);
    grad_linear1_z = _t52 + _t60;
    """,
)


# decoder_gelu_bwd_3: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_decoder_gelu_bwd_3 = RowBlockKernel(
    "decoder_gelu_bwd_3",
    "row T grad_norm3_x, row T _t62, row T _t21, per_row T norm2_mu, per_row T norm2_rstd, scalar int64 _t65, column T norm2_weight",
    "row T grad_h2, row T norm2_p, row T grad_norm2_x",
    """
    T _c_grad_norm3_x[LF_REGISTERS];
    T _c__t62[LF_REGISTERS];
    T _c__t21[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t65;
    T _t68 = T(0);
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.fill(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t62 = _at.fill(_c__t62, _row__t62, _j);
        const T _t21 = _at.fill(_c__t21, _row__t21, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t62;
        const T _t64 = _t21 - norm2_mu;
        const T norm2_x_hat = _t64 * norm2_rstd;
        const T norm2_p = grad_h2 * norm2_x_hat;
        _t68 = _Sum()(_t68, norm2_p * norm2_weight);
    )
    _t68 = _row_reduce(_t68, _Sum());
    const T _t69 = _t68 * norm2_scale;
    T _t72 = T(0);
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.get(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t62 = _at.get(_c__t62, _row__t62, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t62;
        _t72 = _Sum()(_t72, grad_h2 * norm2_weight);
    )
    _t72 = _row_reduce(_t72, _Sum());
    const T _t73 = _t72 * norm2_scale;
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.get(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t62 = _at.get(_c__t62, _row__t62, _j);
        const T _t21 = _at.get(_c__t21, _row__t21, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t62;
        const T _t64 = _t21 - norm2_mu;
        const T norm2_x_hat = _t64 * norm2_rstd;
        const T norm2_p = grad_h2 * norm2_x_hat;
        const T _t66 = grad_h2 * norm2_weight;
        const T _t67 = _t66 * norm2_rstd;
        const T _t70 = norm2_x_hat * _t69;
        const T _t71 = _t67 - _t70;
        const T grad_norm2_x = _t71 - _t73;
        _row_grad_h2[_j] = grad_h2;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_norm2_x[_j] = grad_norm2_x;
    )
    """,
)


# decoder_gelu_bwd_4: layers_spec/activations/softmax.yaml:14
_decoder_gelu_bwd_4 = RowBlockKernel(
    "decoder_gelu_bwd_4",
    "row T grad_cross_attn_weights, row T cross_attn_weights",
    "row T grad_cross_attn_allowed",
    """
    T _c_grad_cross_attn_weights[LF_REGISTERS];
    T _c_cross_attn_weights[LF_REGISTERS];
    T _t79 = T(0);
    LF_ROW_LOOP(
        const T grad_cross_attn_weights = _at.fill(_c_grad_cross_attn_weights, _row_grad_cross_attn_weights, _j);
        const T cross_attn_weights = _at.fill(_c_cross_attn_weights, _row_cross_attn_weights, _j);
        const T _t78 = grad_cross_attn_weights * cross_attn_weights;
        _t79 = _Sum()(_t79, _t78);
    )
    _t79 = _row_reduce(_t79, _Sum());
    LF_ROW_LOOP(
        const T grad_cross_attn_weights = _at.get(_c_grad_cross_attn_weights, _row_grad_cross_attn_weights, _j);
        const T cross_attn_weights = _at.get(_c_cross_attn_weights, _row_cross_attn_weights, _j);
        const T _t80 = grad_cross_attn_weights - _t79;
        const T grad_cross_attn_allowed = cross_attn_weights * _t80;
        _row_grad_cross_attn_allowed[_j] = grad_cross_attn_allowed;
    )
    """,
)


# decoder_gelu_bwd_5: layers_spec/primitives.yaml:61
_decoder_gelu_bwd_5 = ElementwiseKernel(
    "decoder_gelu_bwd_5",
    "T grad_cross_attn_q, T _t16",
    "T _t91",
    """
    _t91 = grad_cross_attn_q * _t16;
    """,
    scalars=("_t16",),
)


# decoder_gelu_bwd_6: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_decoder_gelu_bwd_6 = RowBlockKernel(
    "decoder_gelu_bwd_6",
    "row T grad_norm2_x, row T _t92, row T _t8, per_row T norm1_mu, per_row T norm1_rstd, scalar int64 _t95, column T norm1_weight",
    "row T grad_h1, row T norm1_p, row T grad_norm1_x",
    """
    T _c_grad_norm2_x[LF_REGISTERS];
    T _c__t92[LF_REGISTERS];
    T _c__t8[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t95;
    T _t98 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.fill(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t92 = _at.fill(_c__t92, _row__t92, _j);
        const T _t8 = _at.fill(_c__t8, _row__t8, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t92;
        const T _t94 = _t8 - norm1_mu;
        const T norm1_x_hat = _t94 * norm1_rstd;
        const T norm1_p = grad_h1 * norm1_x_hat;
        _t98 = _Sum()(_t98, norm1_p * norm1_weight);
    )
    _t98 = _row_reduce(_t98, _Sum());
    const T _t99 = _t98 * norm1_scale;
    T _t102 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t92 = _at.get(_c__t92, _row__t92, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t92;
        _t102 = _Sum()(_t102, grad_h1 * norm1_weight);
    )
    _t102 = _row_reduce(_t102, _Sum());
    const T _t103 = _t102 * norm1_scale;
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t92 = _at.get(_c__t92, _row__t92, _j);
        const T _t8 = _at.get(_c__t8, _row__t8, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t92;
        const T _t94 = _t8 - norm1_mu;
        const T norm1_x_hat = _t94 * norm1_rstd;
        const T norm1_p = grad_h1 * norm1_x_hat;
        const T _t96 = grad_h1 * norm1_weight;
        const T _t97 = _t96 * norm1_rstd;
        const T _t100 = norm1_x_hat * _t99;
        const T _t101 = _t97 - _t100;
        const T grad_norm1_x = _t101 - _t103;
        _row_grad_h1[_j] = grad_h1;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_norm1_x[_j] = grad_norm1_x;
    )
    """,
)


# decoder_gelu_bwd_7: layers_spec/activations/softmax.yaml:14
_decoder_gelu_bwd_7 = RowBlockKernel(
    "decoder_gelu_bwd_7",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_allowed",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t109 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t108 = grad_self_attn_weights * self_attn_weights;
        _t109 = _Sum()(_t109, _t108);
    )
    _t109 = _row_reduce(_t109, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t110 = grad_self_attn_weights - _t109;
        const T grad_self_attn_allowed = self_attn_weights * _t110;
        _row_grad_self_attn_allowed[_j] = grad_self_attn_allowed;
    )
    """,
)


# decoder_gelu_bwd_8: layers_spec/primitives.yaml:61
_decoder_gelu_bwd_8 = ElementwiseKernel(
    "decoder_gelu_bwd_8",
    "T grad_self_attn_q, T _t3",
    "T _t121",
    """
    _t121 = grad_self_attn_q * _t3;
    """,
    scalars=("_t3",),
)


# decoder_gelu_bwd_9: layers_spec/primitives.yaml:522
_decoder_gelu_bwd_9 = ElementwiseKernel(
    "decoder_gelu_bwd_9",
    "T grad_norm1_x, T _t117, T _t119, T _t122",
    "T grad_x",
    """
    T _t124 = grad_norm1_x + _t117;
    T _t125 = _t124 + _t119;
    grad_x = _t125 + _t122;
    """,
)


# decoder_gelu_bwd_10: layers_spec/primitives.yaml:522
_decoder_gelu_bwd_10 = ElementwiseKernel(
    "decoder_gelu_bwd_10",
    "T _t87, T _t89",
    "T grad_encoder_output",
    """
    grad_encoder_output = _t87 + _t89;
    """,
)


def _cupy_backward_gelu(
    grad_y,
    x,
    encoder_output,
    self_attn_query_weight,
    self_attn_key_weight,
    self_attn_value_weight,
    cross_attn_query_weight,
    cross_attn_key_weight,
    cross_attn_value_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    _t3,
    self_attn_q,
    self_attn_v,
    _t4,
    self_attn_weights,
    _t8,
    norm1_mu,
    norm1_rstd,
    h1,
    _t16,
    cross_attn_q,
    cross_attn_v,
    _t17,
    cross_attn_weights,
    _t21,
    norm2_mu,
    norm2_rstd,
    h2,
    linear1_z,
    _t33,
    norm3_mu,
    norm3_rstd,
):
    import cupy as cp

    _t28, _t31, hidden = _decoder_gelu_bwd_0(linear1_z)
    _t40 = x.shape[-1]
    norm3_p, grad_norm3_x = _decoder_gelu_bwd_1(
        _t33, norm3_mu, norm3_rstd, grad_y, _t40, norm3_weight
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, linear2_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_y, linear2_bias.shape)
    grad_linear2_bias = _cupy_sum_to(grad_norm3_x, linear2_bias.shape)
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z = _decoder_gelu_bwd_2(grad_hidden, _t31, linear1_z, _t28)
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t62 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    _t65 = x.shape[-1]
    grad_h2, norm2_p, grad_norm2_x = _decoder_gelu_bwd_3(
        grad_norm3_x, _t62, _t21, norm2_mu, norm2_rstd, _t65, norm2_weight
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, linear2_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_h2, linear2_bias.shape)
    _t74 = cp.swapaxes(cross_attn_v, -1, -2)
    grad_cross_attn_weights = _cupy_bmm(grad_norm2_x, _t74)
    _t76 = cp.swapaxes(cross_attn_weights, -1, -2)
    grad_cross_attn_v = _cupy_bmm(_t76, grad_norm2_x)
    grad_cross_attn_allowed = _decoder_gelu_bwd_4(
        grad_cross_attn_weights, cross_attn_weights
    )
    _t82 = cp.swapaxes(_t17, -1, -2)
    grad_cross_attn_q = _cupy_bmm(grad_cross_attn_allowed, _t82)
    _t84 = cp.swapaxes(cross_attn_q, -1, -2)
    _t85 = _cupy_bmm(_t84, grad_cross_attn_allowed)
    grad_cross_attn_k = cp.swapaxes(_t85, -1, -2)
    _t87 = _linear_backward_input(grad_cross_attn_v, cross_attn_value_weight)
    grad_cross_attn_value_weight = _rows(grad_cross_attn_v).T @ _rows(encoder_output)
    _t89 = _linear_backward_input(grad_cross_attn_k, cross_attn_key_weight)
    grad_cross_attn_key_weight = _rows(grad_cross_attn_k).T @ _rows(encoder_output)
    _t91 = _decoder_gelu_bwd_5(grad_cross_attn_q, _t16)
    _t92 = _linear_backward_input(_t91, cross_attn_query_weight)
    grad_cross_attn_query_weight = _rows(_t91).T @ _rows(h1)
    _t95 = x.shape[-1]
    grad_h1, norm1_p, grad_norm1_x = _decoder_gelu_bwd_6(
        grad_norm2_x, _t92, _t8, norm1_mu, norm1_rstd, _t95, norm1_weight
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, linear2_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_h1, linear2_bias.shape)
    _t104 = cp.swapaxes(self_attn_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(grad_norm1_x, _t104)
    _t106 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_v = _cupy_bmm(_t106, grad_norm1_x)
    grad_self_attn_allowed = _decoder_gelu_bwd_7(
        grad_self_attn_weights, self_attn_weights
    )
    _t112 = cp.swapaxes(_t4, -1, -2)
    grad_self_attn_q = _cupy_bmm(grad_self_attn_allowed, _t112)
    _t114 = cp.swapaxes(self_attn_q, -1, -2)
    _t115 = _cupy_bmm(_t114, grad_self_attn_allowed)
    grad_self_attn_k = cp.swapaxes(_t115, -1, -2)
    _t117 = _linear_backward_input(grad_self_attn_v, self_attn_value_weight)
    grad_self_attn_value_weight = _rows(grad_self_attn_v).T @ _rows(x)
    _t119 = _linear_backward_input(grad_self_attn_k, self_attn_key_weight)
    grad_self_attn_key_weight = _rows(grad_self_attn_k).T @ _rows(x)
    _t121 = _decoder_gelu_bwd_8(grad_self_attn_q, _t3)
    _t122 = _linear_backward_input(_t121, self_attn_query_weight)
    grad_self_attn_query_weight = _rows(_t121).T @ _rows(x)
    grad_x = _decoder_gelu_bwd_9(grad_norm1_x, _t117, _t119, _t122)
    grad_encoder_output = _decoder_gelu_bwd_10(_t87, _t89)
    return (
        grad_x,
        grad_encoder_output,
        grad_self_attn_query_weight,
        grad_self_attn_key_weight,
        grad_self_attn_value_weight,
        grad_cross_attn_query_weight,
        grad_cross_attn_key_weight,
        grad_cross_attn_value_weight,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_norm3_weight,
        grad_norm3_bias,
    )


_CUPY_FUSED = {
    "relu": (_cupy_forward_relu, _cupy_backward_relu),
    "gelu": (_cupy_forward_gelu, _cupy_backward_gelu),
}


def _cupy_apply_mask(scores, mask, out=None):
    """scores with -inf where a bool mask is True, or plus a float mask; ``out``, if
    given, receives the result (it may be ``scores``). No mask (None): the scores
    themselves (or their copy in ``out``)."""
    import cupy as cp

    if mask is None:
        if out is None or out is scores:
            return scores
        cp.copyto(out, scores)
        return out
    if mask.dtype != bool:
        return cp.add(scores, mask, out=out)
    if out is None:
        out = scores.copy()
    elif out is not scores:
        cp.copyto(out, scores)
    cp.copyto(out, -cp.inf, where=mask)
    return out


def _cupy_bmm(a, b):
    """a [..., M, K] @ b [..., K, N]. Stacks of equal leading shape are shared out over
    the threads (set_num_threads) by their first axis, each product with one BLAS
    thread: attention's many small per-head products run several times faster so than
    with BLAS's own threads (which spin and contend for the cores); others are np.matmul.
    """
    import cupy as cp

    if a.ndim < 3 or a.shape[:-2] != b.shape[:-2]:
        return cp.matmul(a, b)
    out = cp.empty(a.shape[:-1] + b.shape[-1:], dtype=a.dtype)

    def products(first, last):
        cp.matmul(a[first:last], b[first:last], out=out[first:last])

    in_chunks(products, a.shape[0], a)
    return out


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
