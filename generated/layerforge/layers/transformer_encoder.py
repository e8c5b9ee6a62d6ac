"""TransformerEncoder: A transformer encoder block as torch.nn.TransformerEncoderLayer(E,
nhead, F, dropout=0, batch_first=True): self-attention (multi_head_attention; src_mask
and src_key_padding_mask optional, as nn.TransformerEncoderLayer's, and making no
variants) then the feed-forward network linear2(activation(linear1(h))), each with a
residual add and a layer normalization, after it (post-LN, norm_first false, the
default) or before it (norm_first true); the activation is relu, gelu (erf) or
gelu_tanh. Parameters are named as torch's state_dict (self_attn.in_proj_weight, ...,
norm2.bias), in its order.
Generated from layers_spec/layers/transformer_encoder.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_divides,
    check_nonempty,
    in_row_blocks,
    in_chunks,
)
from layerforge._cupy_runtime import (
    ElementwiseKernel,
    RowBlockKernel,
    RowKernel,
    on_gpu,
)

__all__ = ["forward", "backward"]

INPUTS = ("x", "src_mask", "src_key_padding_mask")
PARAMETERS = (
    "self_attn_in_proj_weight",
    "self_attn_in_proj_bias",
    "self_attn_out_proj_weight",
    "self_attn_out_proj_bias",
    "linear1_weight",
    "linear1_bias",
    "linear2_weight",
    "linear2_bias",
    "norm1_weight",
    "norm1_bias",
    "norm2_weight",
    "norm2_bias",
)
OUTPUTS = ("y",)


def forward(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask=None,
    src_key_padding_mask=None,
    *,
    nhead=8,
    eps=1e-05,
    norm_first=False,
    ffn_activation="relu",
):
    """TransformerEncoder forward pass.

    A transformer encoder block as torch.nn.TransformerEncoderLayer(E, nhead, F,
    dropout=0, batch_first=True): self-attention (multi_head_attention; src_mask and
    src_key_padding_mask optional, as nn.TransformerEncoderLayer's, and making no
    variants) then the feed-forward network linear2(activation(linear1(h))), each with a
    residual add and a layer normalization, after it (post-LN, norm_first false, the
    default) or before it (norm_first true); the activation is relu, gelu (erf) or
    gelu_tanh. Parameters are named as torch's state_dict (self_attn.in_proj_weight,
    ..., norm2.bias), in its order.

    Args:
        x: float32 or float64 input of shape [..., S, E]. Token features [batch, S, E].
        self_attn_in_proj_weight: float32 or float64 parameter of shape [3*E, E].
            PyTorch's self_attn.in_proj_weight: the in_proj_weight of MultiHeadAttention
            'self_attn'.
        self_attn_in_proj_bias: float32 or float64 parameter of shape [3*E]. PyTorch's
            self_attn.in_proj_bias: the in_proj_bias of MultiHeadAttention 'self_attn'.
        self_attn_out_proj_weight: float32 or float64 parameter of shape [E, E].
            PyTorch's self_attn.out_proj_weight: the out_proj_weight of
            MultiHeadAttention 'self_attn'.
        self_attn_out_proj_bias: float32 or float64 parameter of shape [E]. PyTorch's
            self_attn.out_proj_bias: the out_proj_bias of MultiHeadAttention
            'self_attn'.
        linear1_weight: float32 or float64 parameter of shape [F, E]. PyTorch's
            linear1.weight: the weight of Dense 'linear1'.
        linear1_bias: float32 or float64 parameter of shape [F]. PyTorch's linear1.bias:
            the bias of Dense 'linear1'.
        linear2_weight: float32 or float64 parameter of shape [E, F]. PyTorch's
            linear2.weight: the weight of Dense 'linear2'.
        linear2_bias: float32 or float64 parameter of shape [E]. PyTorch's linear2.bias:
            the bias of Dense 'linear2'.
        norm1_weight: float32 or float64 parameter of shape [E]. PyTorch's norm1.weight:
            the weight of LayerNormalization 'norm1'.
        norm1_bias: float32 or float64 parameter of shape [E]. PyTorch's norm1.bias: the
            bias of LayerNormalization 'norm1'.
        norm2_weight: float32 or float64 parameter of shape [E]. PyTorch's norm2.weight:
            the weight of LayerNormalization 'norm2'.
        norm2_bias: float32 or float64 parameter of shape [E]. PyTorch's norm2.bias: the
            bias of LayerNormalization 'norm2'.
        src_mask: bool or float mask (no gradient) input of shape [S, S], None to leave
            it out. True (or -inf) where query i may not attend to key j; a float mask
            is added to the scores.
        src_key_padding_mask: bool or float mask (no gradient) input of shape [..., S],
            None to leave it out. True (or -inf) where key j of a sequence is padding
            [batch, S]; a float mask is added to the scores.
        nhead: int, default 8. The number of attention heads; it must divide E.
        eps: float, default 1e-05. The layer normalizations' eps (torch's
            layer_norm_eps).
        norm_first: bool, default False. Normalize before each sublayer (pre-LN) instead
            of after its residual add.
        ffn_activation: str, default 'relu'. The feed-forward activation: relu, gelu
            (exact, erf) or gelu_tanh (the tanh approximation).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "transformer_encoder",
        {
            "x": x,
            "self_attn_in_proj_weight": self_attn_in_proj_weight,
            "self_attn_in_proj_bias": self_attn_in_proj_bias,
            "self_attn_out_proj_weight": self_attn_out_proj_weight,
            "self_attn_out_proj_bias": self_attn_out_proj_bias,
            "linear1_weight": linear1_weight,
            "linear1_bias": linear1_bias,
            "linear2_weight": linear2_weight,
            "linear2_bias": linear2_bias,
            "norm1_weight": norm1_weight,
            "norm1_bias": norm1_bias,
            "norm2_weight": norm2_weight,
            "norm2_bias": norm2_bias,
            "src_mask": src_mask,
            "src_key_padding_mask": src_key_padding_mask,
        },
        {
            "x": ("...", "S", "E"),
            "self_attn_in_proj_weight": ("3*E", "E"),
            "self_attn_in_proj_bias": ("3*E",),
            "self_attn_out_proj_weight": ("E", "E"),
            "self_attn_out_proj_bias": ("E",),
            "linear1_weight": ("F", "E"),
            "linear1_bias": ("F",),
            "linear2_weight": ("E", "F"),
            "linear2_bias": ("E",),
            "norm1_weight": ("E",),
            "norm1_bias": ("E",),
            "norm2_weight": ("E",),
            "norm2_bias": ("E",),
            "src_mask": ("S", "S"),
            "src_key_padding_mask": ("...", "S"),
        },
        optional=("src_mask", "src_key_padding_mask"),
        kinds={"src_mask": "mask", "src_key_padding_mask": "mask"},
    )
    check_attribute("transformer_encoder", "nhead", nhead, "int", minimum=1)
    check_divides("transformer_encoder", "nhead", nhead, "x", x.shape[-1])
    check_attribute("transformer_encoder", "eps", eps, "float", minimum=0.0)
    check_attribute("transformer_encoder", "norm_first", norm_first, "bool")
    check_attribute(
        "transformer_encoder",
        "ffn_activation",
        ffn_activation,
        "str",
        choices=("relu", "gelu", "gelu_tanh"),
    )
    check_nonempty("transformer_encoder", "x", x.shape, -1)
    check_nonempty("transformer_encoder", "x", x.shape, -2)
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[(norm_first, ffn_activation)]
        y, saved = forward_variant(
            x,
            self_attn_in_proj_weight,
            self_attn_in_proj_bias,
            self_attn_out_proj_weight,
            self_attn_out_proj_bias,
            linear1_weight,
            linear1_bias,
            linear2_weight,
            linear2_bias,
            norm1_weight,
            norm1_bias,
            norm2_weight,
            norm2_bias,
            src_mask,
            src_key_padding_mask,
            nhead,
            eps,
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[(norm_first, ffn_activation)]
    y, saved = forward_variant(
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        linear2_bias,
        norm1_weight,
        norm1_bias,
        norm2_weight,
        norm2_bias,
        src_mask,
        src_key_padding_mask,
        nhead,
        eps,
    )
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """TransformerEncoder backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_self_attn_in_proj_weight, grad_self_attn_in_proj_bias,
            grad_self_attn_out_proj_weight, grad_self_attn_out_proj_bias,
            grad_linear1_weight, grad_linear1_bias, grad_linear2_weight,
            grad_linear2_bias, grad_norm1_weight, grad_norm1_bias, grad_norm2_weight,
            grad_norm2_bias: gradients with respect to x, self_attn_in_proj_weight,
            self_attn_in_proj_bias, self_attn_out_proj_weight, self_attn_out_proj_bias,
            linear1_weight, linear1_bias, linear2_weight, linear2_bias, norm1_weight,
            norm1_bias, norm2_weight, norm2_bias, in that order.
    """
    backward_variant, saved = check_context(
        "transformer_encoder", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_norm_first_relu_part1(x, eps, norm1_weight, norm1_bias):
    norm1_mu = _mean(x, -1)
    norm1_centered = x - norm1_mu
    norm1_variance = _dot_last(norm1_centered, norm1_centered)
    norm1_variance /= x.shape[-1]
    norm1_rstd = np.add(norm1_variance, eps, out=norm1_variance)
    np.sqrt(norm1_rstd, out=norm1_rstd)
    np.divide(1, norm1_rstd, out=norm1_rstd)
    norm1_normalized = np.multiply(norm1_centered, norm1_rstd, out=norm1_centered)
    normalized = np.multiply(norm1_normalized, norm1_weight, out=norm1_normalized)
    normalized += norm1_bias
    return norm1_mu, norm1_rstd, normalized


def _forward_norm_first_relu_part2(
    _t1, self_attn_out_proj_bias, x, eps, norm2_weight, norm2_bias
):
    attended = _t1 + self_attn_out_proj_bias
    h = np.add(x, attended, out=attended)
    norm2_mu = _mean(h, -1)
    norm2_centered = h - norm2_mu
    norm2_variance = _dot_last(norm2_centered, norm2_centered)
    norm2_variance /= x.shape[-1]
    norm2_rstd = np.add(norm2_variance, eps, out=norm2_variance)
    np.sqrt(norm2_rstd, out=norm2_rstd)
    np.divide(1, norm2_rstd, out=norm2_rstd)
    norm2_normalized = np.multiply(norm2_centered, norm2_rstd, out=norm2_centered)
    ffn_input = np.multiply(norm2_normalized, norm2_weight, out=norm2_normalized)
    ffn_input += norm2_bias
    return h, norm2_mu, norm2_rstd, ffn_input


def _forward_norm_first_relu(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask,
    src_key_padding_mask,
    nhead,
    eps,
):
    norm1_mu, norm1_rstd, normalized = in_row_blocks(
        _forward_norm_first_relu_part1,
        x,
        eps,
        norm1_weight,
        norm1_bias,
        named=(2, None, None, None),
    )
    _t1 = _linear(normalized, self_attn_in_proj_weight)
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = (x.shape[-1] / nhead) ** -0.5
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    self_attn_scores = _bmm(self_attn_heads_q, np.swapaxes(self_attn_heads_k, -1, -2))
    self_attn_allowed = _apply_mask(self_attn_scores, src_mask)
    self_attn_unpadded = _apply_key_padding(self_attn_allowed, src_key_padding_mask)
    self_attn_weights = _masked_softmax(self_attn_unpadded)
    self_attn_attended = _merge_heads(_bmm(self_attn_weights, self_attn_heads_v), nhead)
    _t3 = _linear(self_attn_attended, self_attn_out_proj_weight)
    h, norm2_mu, norm2_rstd, ffn_input = in_row_blocks(
        _forward_norm_first_relu_part2,
        _t3,
        self_attn_out_proj_bias,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, None, 2, None, None, None),
    )
    linear1_z = _linear(ffn_input, linear1_weight)
    linear1_z += linear1_bias
    hidden = np.clip(linear1_z, 0, np.inf)
    linear2_z = _linear(hidden, linear2_weight)
    linear2_z += linear2_bias
    y = np.add(h, linear2_z, out=linear2_z)
    return y, (
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        nhead,
        norm1_mu,
        norm1_rstd,
        normalized,
        _t1,
        _t2,
        self_attn_weights,
        self_attn_attended,
        h,
        norm2_mu,
        norm2_rstd,
        ffn_input,
        linear1_z,
    )


def _backward_norm_first_relu_part1(
    h,
    norm2_mu,
    norm2_rstd,
    grad_ffn_input,
    self_attn_out_proj_bias,
    x,
    norm2_weight,
    grad_y,
):
    norm2_x_hat = h - norm2_mu
    norm2_x_hat *= norm2_rstd
    norm2_p = grad_ffn_input * norm2_x_hat
    grad_norm2_weight = _sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _sum_to(grad_ffn_input, self_attn_out_proj_bias.shape)
    norm2_scale = norm2_rstd / x.shape[-1]
    grad_norm2_x = grad_ffn_input * norm2_weight
    grad_norm2_x *= norm2_rstd
    _t1 = norm2_x_hat * (_dot_last(norm2_p, norm2_weight) * norm2_scale)
    grad_norm2_x -= _t1
    grad_norm2_x -= _dot_last(grad_ffn_input, norm2_weight) * norm2_scale
    grad_h = np.add(grad_y, grad_norm2_x, out=grad_norm2_x)
    grad_self_attn_out_proj_bias = _sum_to(grad_h, self_attn_out_proj_bias.shape)
    return grad_h, grad_norm2_weight, grad_norm2_bias, grad_self_attn_out_proj_bias


def _backward_norm_first_relu_part2(
    self_attn_heads_v, _t1, self_attn_weights, _t2, self_attn_heads_q, _t3
):
    grad_self_attn_weights = _bmm(_t1, np.swapaxes(self_attn_heads_v, -1, -2))
    grad_self_attn_heads_v = _bmm(np.swapaxes(self_attn_weights, -1, -2), _t1)
    grad_self_attn_unpadded = np.subtract(
        grad_self_attn_weights,
        _dot_last(grad_self_attn_weights, self_attn_weights),
        out=grad_self_attn_weights,
    )
    grad_self_attn_unpadded *= self_attn_weights
    grad_self_attn_heads_q = _bmm(grad_self_attn_unpadded, np.swapaxes(_t2, -1, -2))
    grad_self_attn_heads_k = np.swapaxes(
        _bmm(np.swapaxes(self_attn_heads_q, -1, -2), grad_self_attn_unpadded), -1, -2
    )
    _t4 = np.multiply(grad_self_attn_heads_q, _t3, out=grad_self_attn_heads_q)
    return grad_self_attn_heads_v, grad_self_attn_heads_k, _t4


def _backward_norm_first_relu_part3(
    x,
    norm1_mu,
    norm1_rstd,
    grad_normalized,
    self_attn_out_proj_bias,
    norm1_weight,
    grad_h,
):
    norm1_x_hat = x - norm1_mu
    norm1_x_hat *= norm1_rstd
    norm1_p = grad_normalized * norm1_x_hat
    grad_norm1_weight = _sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _sum_to(grad_normalized, self_attn_out_proj_bias.shape)
    norm1_scale = norm1_rstd / x.shape[-1]
    grad_norm1_x = grad_normalized * norm1_weight
    grad_norm1_x *= norm1_rstd
    _t1 = norm1_x_hat * (_dot_last(norm1_p, norm1_weight) * norm1_scale)
    grad_norm1_x -= _t1
    grad_norm1_x -= _dot_last(grad_normalized, norm1_weight) * norm1_scale
    grad_x = np.add(grad_h, grad_norm1_x, out=grad_norm1_x)
    return grad_x, grad_norm1_weight, grad_norm1_bias


def _backward_norm_first_relu(
    grad_y,
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    nhead,
    norm1_mu,
    norm1_rstd,
    normalized,
    _t1,
    _t2,
    self_attn_weights,
    self_attn_attended,
    h,
    norm2_mu,
    norm2_rstd,
    ffn_input,
    linear1_z,
):
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t3 = np.swapaxes(self_attn_heads_k, -1, -2)
    hidden = np.clip(linear1_z, 0, np.inf)
    grad_linear2_bias = _sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(hidden)
    grad_linear1_z = grad_hidden * (linear1_z > 0)
    grad_linear1_bias = _sum_to(grad_linear1_z, linear1_bias.shape)
    grad_ffn_input = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(ffn_input)
    grad_h, grad_norm2_weight, grad_norm2_bias, grad_self_attn_out_proj_bias = (
        in_row_blocks(
            _backward_norm_first_relu_part1,
            h,
            norm2_mu,
            norm2_rstd,
            grad_ffn_input,
            self_attn_out_proj_bias,
            x,
            norm2_weight,
            grad_y,
            sums=3,
            named=(2, 2, 2, 2, None, 2, None, 2),
        )
    )
    grad_self_attn_attended = _linear_backward_input(grad_h, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h).T @ _rows(self_attn_attended)
    _t4 = _split_heads(grad_self_attn_attended, nhead)
    grad_self_attn_heads_v, grad_self_attn_heads_k, _t5 = in_row_blocks(
        _backward_norm_first_relu_part2,
        self_attn_heads_v,
        _t4,
        self_attn_weights,
        _t3,
        self_attn_heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_self_attn_qkv = _join_heads(
        (_t5, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_normalized = _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(normalized)
    grad_x, grad_norm1_weight, grad_norm1_bias = in_row_blocks(
        _backward_norm_first_relu_part3,
        x,
        norm1_mu,
        norm1_rstd,
        grad_normalized,
        self_attn_out_proj_bias,
        norm1_weight,
        grad_h,
        sums=2,
        named=(2, 2, 2, 2, None, None, 2),
    )
    return (
        grad_x,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
    )


def _forward_norm_first_gelu_part3(_t1, linear1_bias):
    linear1_z = _t1 + linear1_bias
    hidden = _erf(0.7071067811865476 * linear1_z)
    hidden *= 0.5
    hidden += 0.5
    hidden *= linear1_z
    return linear1_z, hidden


def _forward_norm_first_gelu(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask,
    src_key_padding_mask,
    nhead,
    eps,
):
    norm1_mu, norm1_rstd, normalized = in_row_blocks(
        _forward_norm_first_relu_part1,
        x,
        eps,
        norm1_weight,
        norm1_bias,
        named=(2, None, None, None),
    )
    _t1 = _linear(normalized, self_attn_in_proj_weight)
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = (x.shape[-1] / nhead) ** -0.5
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    self_attn_scores = _bmm(self_attn_heads_q, np.swapaxes(self_attn_heads_k, -1, -2))
    self_attn_allowed = _apply_mask(self_attn_scores, src_mask)
    self_attn_unpadded = _apply_key_padding(self_attn_allowed, src_key_padding_mask)
    self_attn_weights = _masked_softmax(self_attn_unpadded)
    self_attn_attended = _merge_heads(_bmm(self_attn_weights, self_attn_heads_v), nhead)
    _t3 = _linear(self_attn_attended, self_attn_out_proj_weight)
    h, norm2_mu, norm2_rstd, ffn_input = in_row_blocks(
        _forward_norm_first_relu_part2,
        _t3,
        self_attn_out_proj_bias,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, None, 2, None, None, None),
    )
    _t4 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = in_row_blocks(
        _forward_norm_first_gelu_part3, _t4, linear1_bias, named=(2, None)
    )
    linear2_z = _linear(hidden, linear2_weight)
    linear2_z += linear2_bias
    y = np.add(h, linear2_z, out=linear2_z)
    return y, (
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        nhead,
        norm1_mu,
        norm1_rstd,
        normalized,
        _t1,
        _t2,
        self_attn_weights,
        self_attn_attended,
        h,
        norm2_mu,
        norm2_rstd,
        ffn_input,
        linear1_z,
    )


def _backward_norm_first_gelu_part1(grad_hidden, _t1, linear1_z, _t2, linear1_bias):
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


def _backward_norm_first_gelu(
    grad_y,
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    nhead,
    norm1_mu,
    norm1_rstd,
    normalized,
    _t1,
    _t2,
    self_attn_weights,
    self_attn_attended,
    h,
    norm2_mu,
    norm2_rstd,
    ffn_input,
    linear1_z,
):
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t3 = np.swapaxes(self_attn_heads_k, -1, -2)
    _t4 = 0.7071067811865476 * linear1_z
    _t5 = _erf(_t4)
    _t5 *= 0.5
    _t5 += 0.5
    hidden = linear1_z * _t5
    grad_linear2_bias = _sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(hidden)
    grad_linear1_z, grad_linear1_bias = in_row_blocks(
        _backward_norm_first_gelu_part1,
        grad_hidden,
        _t5,
        linear1_z,
        _t4,
        linear1_bias,
        sums=1,
        named=(2, 2, 2, 2, None),
    )
    grad_ffn_input = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(ffn_input)
    grad_h, grad_norm2_weight, grad_norm2_bias, grad_self_attn_out_proj_bias = (
        in_row_blocks(
            _backward_norm_first_relu_part1,
            h,
            norm2_mu,
            norm2_rstd,
            grad_ffn_input,
            self_attn_out_proj_bias,
            x,
            norm2_weight,
            grad_y,
            sums=3,
            named=(2, 2, 2, 2, None, 2, None, 2),
        )
    )
    grad_self_attn_attended = _linear_backward_input(grad_h, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h).T @ _rows(self_attn_attended)
    _t6 = _split_heads(grad_self_attn_attended, nhead)
    grad_self_attn_heads_v, grad_self_attn_heads_k, _t7 = in_row_blocks(
        _backward_norm_first_relu_part2,
        self_attn_heads_v,
        _t6,
        self_attn_weights,
        _t3,
        self_attn_heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_self_attn_qkv = _join_heads(
        (_t7, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_normalized = _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(normalized)
    grad_x, grad_norm1_weight, grad_norm1_bias = in_row_blocks(
        _backward_norm_first_relu_part3,
        x,
        norm1_mu,
        norm1_rstd,
        grad_normalized,
        self_attn_out_proj_bias,
        norm1_weight,
        grad_h,
        sums=2,
        named=(2, 2, 2, 2, None, None, 2),
    )
    return (
        grad_x,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
    )


def _forward_norm_first_gelu_tanh_part3(_t1, linear1_bias):
    linear1_z = _t1 + linear1_bias
    gelu_inner = linear1_z * linear1_z
    gelu_inner *= linear1_z
    gelu_inner *= 0.044715
    gelu_inner += linear1_z
    gelu_inner *= 0.7978845608028654
    hidden = np.tanh(gelu_inner, out=gelu_inner)
    hidden += 1
    hidden *= 0.5
    hidden *= linear1_z
    return linear1_z, hidden


def _forward_norm_first_gelu_tanh(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask,
    src_key_padding_mask,
    nhead,
    eps,
):
    norm1_mu, norm1_rstd, normalized = in_row_blocks(
        _forward_norm_first_relu_part1,
        x,
        eps,
        norm1_weight,
        norm1_bias,
        named=(2, None, None, None),
    )
    _t1 = _linear(normalized, self_attn_in_proj_weight)
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = (x.shape[-1] / nhead) ** -0.5
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    self_attn_scores = _bmm(self_attn_heads_q, np.swapaxes(self_attn_heads_k, -1, -2))
    self_attn_allowed = _apply_mask(self_attn_scores, src_mask)
    self_attn_unpadded = _apply_key_padding(self_attn_allowed, src_key_padding_mask)
    self_attn_weights = _masked_softmax(self_attn_unpadded)
    self_attn_attended = _merge_heads(_bmm(self_attn_weights, self_attn_heads_v), nhead)
    _t3 = _linear(self_attn_attended, self_attn_out_proj_weight)
    h, norm2_mu, norm2_rstd, ffn_input = in_row_blocks(
        _forward_norm_first_relu_part2,
        _t3,
        self_attn_out_proj_bias,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, None, 2, None, None, None),
    )
    _t4 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = in_row_blocks(
        _forward_norm_first_gelu_tanh_part3, _t4, linear1_bias, named=(2, None)
    )
    linear2_z = _linear(hidden, linear2_weight)
    linear2_z += linear2_bias
    y = np.add(h, linear2_z, out=linear2_z)
    return y, (
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        nhead,
        norm1_mu,
        norm1_rstd,
        normalized,
        _t1,
        _t2,
        self_attn_weights,
        self_attn_attended,
        h,
        norm2_mu,
        norm2_rstd,
        ffn_input,
        linear1_z,
    )


def _backward_norm_first_gelu_tanh_part1(
    grad_hidden, _t1, _t2, _t3, linear1_z, linear1_bias
):
    grad_gelu_inner = _t3 * _t3
    np.subtract(1, grad_gelu_inner, out=grad_gelu_inner)
    grad_gelu_inner *= grad_hidden
    grad_gelu_inner *= _t2
    _t4 = grad_gelu_inner * 0.7978845608028654
    grad_linear1_z = grad_hidden * _t1
    grad_linear1_z *= 0.5
    grad_linear1_z += _t4
    _t5 = _t4 * 0.044715
    _t5 *= 3
    _t6 = linear1_z * linear1_z
    _t5 *= _t6
    grad_linear1_z += _t5
    grad_linear1_bias = _sum_to(grad_linear1_z, linear1_bias.shape)
    return grad_linear1_z, grad_linear1_bias


def _backward_norm_first_gelu_tanh(
    grad_y,
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    nhead,
    norm1_mu,
    norm1_rstd,
    normalized,
    _t1,
    _t2,
    self_attn_weights,
    self_attn_attended,
    h,
    norm2_mu,
    norm2_rstd,
    ffn_input,
    linear1_z,
):
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t3 = np.swapaxes(self_attn_heads_k, -1, -2)
    gelu_inner = linear1_z * linear1_z
    gelu_inner *= linear1_z
    gelu_inner *= 0.044715
    gelu_inner += linear1_z
    gelu_inner *= 0.7978845608028654
    _t4 = 0.5 * linear1_z
    _t5 = np.tanh(gelu_inner, out=gelu_inner)
    _t6 = 1 + _t5
    hidden = _t4 * _t6
    grad_linear2_bias = _sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(hidden)
    grad_linear1_z, grad_linear1_bias = in_row_blocks(
        _backward_norm_first_gelu_tanh_part1,
        grad_hidden,
        _t6,
        _t4,
        _t5,
        linear1_z,
        linear1_bias,
        sums=1,
        named=(2, 2, 2, 2, 2, None),
    )
    grad_ffn_input = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(ffn_input)
    grad_h, grad_norm2_weight, grad_norm2_bias, grad_self_attn_out_proj_bias = (
        in_row_blocks(
            _backward_norm_first_relu_part1,
            h,
            norm2_mu,
            norm2_rstd,
            grad_ffn_input,
            self_attn_out_proj_bias,
            x,
            norm2_weight,
            grad_y,
            sums=3,
            named=(2, 2, 2, 2, None, 2, None, 2),
        )
    )
    grad_self_attn_attended = _linear_backward_input(grad_h, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h).T @ _rows(self_attn_attended)
    _t7 = _split_heads(grad_self_attn_attended, nhead)
    grad_self_attn_heads_v, grad_self_attn_heads_k, _t8 = in_row_blocks(
        _backward_norm_first_relu_part2,
        self_attn_heads_v,
        _t7,
        self_attn_weights,
        _t3,
        self_attn_heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_self_attn_qkv = _join_heads(
        (_t8, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_normalized = _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(normalized)
    grad_x, grad_norm1_weight, grad_norm1_bias = in_row_blocks(
        _backward_norm_first_relu_part3,
        x,
        norm1_mu,
        norm1_rstd,
        grad_normalized,
        self_attn_out_proj_bias,
        norm1_weight,
        grad_h,
        sums=2,
        named=(2, 2, 2, 2, None, None, 2),
    )
    return (
        grad_x,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
    )


def _forward_no_norm_first_relu_part1(
    _t1, self_attn_out_proj_bias, x, eps, norm1_weight, norm1_bias
):
    attended = _t1 + self_attn_out_proj_bias
    _t2 = np.add(x, attended, out=attended)
    norm1_mu = _mean(_t2, -1)
    norm1_centered = _t2 - norm1_mu
    norm1_variance = _dot_last(norm1_centered, norm1_centered)
    norm1_variance /= x.shape[-1]
    norm1_rstd = np.add(norm1_variance, eps, out=norm1_variance)
    np.sqrt(norm1_rstd, out=norm1_rstd)
    np.divide(1, norm1_rstd, out=norm1_rstd)
    norm1_normalized = np.multiply(norm1_centered, norm1_rstd, out=norm1_centered)
    h = np.multiply(norm1_normalized, norm1_weight, out=norm1_normalized)
    h += norm1_bias
    return _t2, norm1_mu, norm1_rstd, h


def _forward_no_norm_first_relu_part2(
    _t1, linear2_bias, h, x, eps, norm2_weight, norm2_bias
):
    linear2_z = _t1 + linear2_bias
    _t2 = np.add(h, linear2_z, out=linear2_z)
    norm2_mu = _mean(_t2, -1)
    norm2_centered = _t2 - norm2_mu
    norm2_variance = _dot_last(norm2_centered, norm2_centered)
    norm2_variance /= x.shape[-1]
    norm2_rstd = np.add(norm2_variance, eps, out=norm2_variance)
    np.sqrt(norm2_rstd, out=norm2_rstd)
    np.divide(1, norm2_rstd, out=norm2_rstd)
    norm2_normalized = np.multiply(norm2_centered, norm2_rstd, out=norm2_centered)
    y = np.multiply(norm2_normalized, norm2_weight, out=norm2_normalized)
    y += norm2_bias
    return _t2, norm2_mu, norm2_rstd, y


def _forward_no_norm_first_relu(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask,
    src_key_padding_mask,
    nhead,
    eps,
):
    _t1 = _linear(x, self_attn_in_proj_weight)
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = (x.shape[-1] / nhead) ** -0.5
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    self_attn_scores = _bmm(self_attn_heads_q, np.swapaxes(self_attn_heads_k, -1, -2))
    self_attn_allowed = _apply_mask(self_attn_scores, src_mask)
    self_attn_unpadded = _apply_key_padding(self_attn_allowed, src_key_padding_mask)
    self_attn_weights = _masked_softmax(self_attn_unpadded)
    self_attn_attended = _merge_heads(_bmm(self_attn_weights, self_attn_heads_v), nhead)
    _t3 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t4, norm1_mu, norm1_rstd, h = in_row_blocks(
        _forward_no_norm_first_relu_part1,
        _t3,
        self_attn_out_proj_bias,
        x,
        eps,
        norm1_weight,
        norm1_bias,
        named=(2, None, 2, None, None, None),
    )
    linear1_z = _linear(h, linear1_weight)
    linear1_z += linear1_bias
    hidden = np.clip(linear1_z, 0, np.inf)
    _t5 = _linear(hidden, linear2_weight)
    _t6, norm2_mu, norm2_rstd, y = in_row_blocks(
        _forward_no_norm_first_relu_part2,
        _t5,
        linear2_bias,
        h,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, None, 2, 2, None, None, None),
    )
    return y, (
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        nhead,
        _t1,
        _t2,
        self_attn_weights,
        self_attn_attended,
        _t4,
        norm1_mu,
        norm1_rstd,
        h,
        linear1_z,
        _t6,
        norm2_mu,
        norm2_rstd,
    )


def _backward_no_norm_first_relu_part1(
    self_attn_heads_k,
    linear1_z,
    _t1,
    norm2_mu,
    norm2_rstd,
    grad_y,
    self_attn_out_proj_bias,
    x,
    norm2_weight,
):
    _t2 = np.swapaxes(self_attn_heads_k, -1, -2)
    hidden = np.clip(linear1_z, 0, np.inf)
    norm2_x_hat = _t1 - norm2_mu
    norm2_x_hat *= norm2_rstd
    norm2_p = grad_y * norm2_x_hat
    grad_norm2_weight = _sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _sum_to(grad_y, self_attn_out_proj_bias.shape)
    norm2_scale = norm2_rstd / x.shape[-1]
    grad_norm2_x = grad_y * norm2_weight
    grad_norm2_x *= norm2_rstd
    _t3 = norm2_x_hat * (_dot_last(norm2_p, norm2_weight) * norm2_scale)
    grad_norm2_x -= _t3
    grad_norm2_x -= _dot_last(grad_y, norm2_weight) * norm2_scale
    grad_linear2_bias = _sum_to(grad_norm2_x, self_attn_out_proj_bias.shape)
    return (
        _t2,
        hidden,
        grad_norm2_x,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_linear2_bias,
    )


def _backward_no_norm_first_relu_part2(
    grad_norm2_x,
    _t1,
    _t2,
    norm1_mu,
    norm1_rstd,
    self_attn_out_proj_bias,
    x,
    norm1_weight,
):
    grad_h = grad_norm2_x + _t1
    norm1_x_hat = _t2 - norm1_mu
    norm1_x_hat *= norm1_rstd
    norm1_p = grad_h * norm1_x_hat
    grad_norm1_weight = _sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _sum_to(grad_h, self_attn_out_proj_bias.shape)
    norm1_scale = norm1_rstd / x.shape[-1]
    grad_norm1_x = grad_h * norm1_weight
    grad_norm1_x *= norm1_rstd
    _t3 = norm1_x_hat * (_dot_last(norm1_p, norm1_weight) * norm1_scale)
    grad_norm1_x -= _t3
    grad_norm1_x -= _dot_last(grad_h, norm1_weight) * norm1_scale
    grad_self_attn_out_proj_bias = _sum_to(grad_norm1_x, self_attn_out_proj_bias.shape)
    return (
        grad_norm1_x,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_self_attn_out_proj_bias,
    )


def _backward_no_norm_first_relu(
    grad_y,
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    nhead,
    _t1,
    _t2,
    self_attn_weights,
    self_attn_attended,
    _t3,
    norm1_mu,
    norm1_rstd,
    h,
    linear1_z,
    _t4,
    norm2_mu,
    norm2_rstd,
):
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t5, hidden, grad_norm2_x, grad_norm2_weight, grad_norm2_bias, grad_linear2_bias = (
        in_row_blocks(
            _backward_no_norm_first_relu_part1,
            self_attn_heads_k,
            linear1_z,
            _t4,
            norm2_mu,
            norm2_rstd,
            grad_y,
            self_attn_out_proj_bias,
            x,
            norm2_weight,
            sums=3,
            named=(3, 2, 2, 2, 2, 2, None, 2, None),
        )
    )
    grad_hidden = _linear_backward_input(grad_norm2_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm2_x).T @ _rows(hidden)
    grad_linear1_z = grad_hidden * (linear1_z > 0)
    grad_linear1_bias = _sum_to(grad_linear1_z, linear1_bias.shape)
    _t6 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h)
    grad_norm1_x, grad_norm1_weight, grad_norm1_bias, grad_self_attn_out_proj_bias = (
        in_row_blocks(
            _backward_no_norm_first_relu_part2,
            grad_norm2_x,
            _t6,
            _t3,
            norm1_mu,
            norm1_rstd,
            self_attn_out_proj_bias,
            x,
            norm1_weight,
            sums=3,
            named=(2, 2, 2, 2, 2, None, 2, None),
        )
    )
    grad_self_attn_attended = _linear_backward_input(
        grad_norm1_x, self_attn_out_proj_weight
    )
    grad_self_attn_out_proj_weight = _rows(grad_norm1_x).T @ _rows(self_attn_attended)
    _t7 = _split_heads(grad_self_attn_attended, nhead)
    grad_self_attn_heads_v, grad_self_attn_heads_k, _t8 = in_row_blocks(
        _backward_norm_first_relu_part2,
        self_attn_heads_v,
        _t7,
        self_attn_weights,
        _t5,
        self_attn_heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_self_attn_qkv = _join_heads(
        (_t8, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = grad_norm1_x + _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    return (
        grad_x,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
    )


def _forward_no_norm_first_gelu(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask,
    src_key_padding_mask,
    nhead,
    eps,
):
    _t1 = _linear(x, self_attn_in_proj_weight)
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = (x.shape[-1] / nhead) ** -0.5
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    self_attn_scores = _bmm(self_attn_heads_q, np.swapaxes(self_attn_heads_k, -1, -2))
    self_attn_allowed = _apply_mask(self_attn_scores, src_mask)
    self_attn_unpadded = _apply_key_padding(self_attn_allowed, src_key_padding_mask)
    self_attn_weights = _masked_softmax(self_attn_unpadded)
    self_attn_attended = _merge_heads(_bmm(self_attn_weights, self_attn_heads_v), nhead)
    _t3 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t4, norm1_mu, norm1_rstd, h = in_row_blocks(
        _forward_no_norm_first_relu_part1,
        _t3,
        self_attn_out_proj_bias,
        x,
        eps,
        norm1_weight,
        norm1_bias,
        named=(2, None, 2, None, None, None),
    )
    _t5 = _linear(h, linear1_weight)
    linear1_z, hidden = in_row_blocks(
        _forward_norm_first_gelu_part3, _t5, linear1_bias, named=(2, None)
    )
    _t6 = _linear(hidden, linear2_weight)
    _t7, norm2_mu, norm2_rstd, y = in_row_blocks(
        _forward_no_norm_first_relu_part2,
        _t6,
        linear2_bias,
        h,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, None, 2, 2, None, None, None),
    )
    return y, (
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        nhead,
        _t1,
        _t2,
        self_attn_weights,
        self_attn_attended,
        _t4,
        norm1_mu,
        norm1_rstd,
        h,
        linear1_z,
        _t7,
        norm2_mu,
        norm2_rstd,
    )


def _backward_no_norm_first_gelu_part1(
    self_attn_heads_k,
    linear1_z,
    _t1,
    norm2_mu,
    norm2_rstd,
    grad_y,
    self_attn_out_proj_bias,
    x,
    norm2_weight,
):
    _t2 = np.swapaxes(self_attn_heads_k, -1, -2)
    _t3 = 0.7071067811865476 * linear1_z
    _t4 = _erf(_t3)
    _t4 *= 0.5
    _t4 += 0.5
    hidden = linear1_z * _t4
    norm2_x_hat = _t1 - norm2_mu
    norm2_x_hat *= norm2_rstd
    norm2_p = grad_y * norm2_x_hat
    grad_norm2_weight = _sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _sum_to(grad_y, self_attn_out_proj_bias.shape)
    norm2_scale = norm2_rstd / x.shape[-1]
    grad_norm2_x = grad_y * norm2_weight
    grad_norm2_x *= norm2_rstd
    _t5 = norm2_x_hat * (_dot_last(norm2_p, norm2_weight) * norm2_scale)
    grad_norm2_x -= _t5
    grad_norm2_x -= _dot_last(grad_y, norm2_weight) * norm2_scale
    grad_linear2_bias = _sum_to(grad_norm2_x, self_attn_out_proj_bias.shape)
    return (
        _t2,
        _t3,
        _t4,
        hidden,
        grad_norm2_x,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_linear2_bias,
    )


def _backward_no_norm_first_gelu(
    grad_y,
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    nhead,
    _t1,
    _t2,
    self_attn_weights,
    self_attn_attended,
    _t3,
    norm1_mu,
    norm1_rstd,
    h,
    linear1_z,
    _t4,
    norm2_mu,
    norm2_rstd,
):
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    (
        _t5,
        _t6,
        _t7,
        hidden,
        grad_norm2_x,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_linear2_bias,
    ) = in_row_blocks(
        _backward_no_norm_first_gelu_part1,
        self_attn_heads_k,
        linear1_z,
        _t4,
        norm2_mu,
        norm2_rstd,
        grad_y,
        self_attn_out_proj_bias,
        x,
        norm2_weight,
        sums=3,
        named=(3, 2, 2, 2, 2, 2, None, 2, None),
    )
    grad_hidden = _linear_backward_input(grad_norm2_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm2_x).T @ _rows(hidden)
    grad_linear1_z, grad_linear1_bias = in_row_blocks(
        _backward_norm_first_gelu_part1,
        grad_hidden,
        _t7,
        linear1_z,
        _t6,
        linear1_bias,
        sums=1,
        named=(2, 2, 2, 2, None),
    )
    _t8 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h)
    grad_norm1_x, grad_norm1_weight, grad_norm1_bias, grad_self_attn_out_proj_bias = (
        in_row_blocks(
            _backward_no_norm_first_relu_part2,
            grad_norm2_x,
            _t8,
            _t3,
            norm1_mu,
            norm1_rstd,
            self_attn_out_proj_bias,
            x,
            norm1_weight,
            sums=3,
            named=(2, 2, 2, 2, 2, None, 2, None),
        )
    )
    grad_self_attn_attended = _linear_backward_input(
        grad_norm1_x, self_attn_out_proj_weight
    )
    grad_self_attn_out_proj_weight = _rows(grad_norm1_x).T @ _rows(self_attn_attended)
    _t9 = _split_heads(grad_self_attn_attended, nhead)
    grad_self_attn_heads_v, grad_self_attn_heads_k, _t10 = in_row_blocks(
        _backward_norm_first_relu_part2,
        self_attn_heads_v,
        _t9,
        self_attn_weights,
        _t5,
        self_attn_heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_self_attn_qkv = _join_heads(
        (_t10, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = grad_norm1_x + _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    return (
        grad_x,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
    )


def _forward_no_norm_first_gelu_tanh(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask,
    src_key_padding_mask,
    nhead,
    eps,
):
    _t1 = _linear(x, self_attn_in_proj_weight)
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = (x.shape[-1] / nhead) ** -0.5
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    self_attn_scores = _bmm(self_attn_heads_q, np.swapaxes(self_attn_heads_k, -1, -2))
    self_attn_allowed = _apply_mask(self_attn_scores, src_mask)
    self_attn_unpadded = _apply_key_padding(self_attn_allowed, src_key_padding_mask)
    self_attn_weights = _masked_softmax(self_attn_unpadded)
    self_attn_attended = _merge_heads(_bmm(self_attn_weights, self_attn_heads_v), nhead)
    _t3 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t4, norm1_mu, norm1_rstd, h = in_row_blocks(
        _forward_no_norm_first_relu_part1,
        _t3,
        self_attn_out_proj_bias,
        x,
        eps,
        norm1_weight,
        norm1_bias,
        named=(2, None, 2, None, None, None),
    )
    _t5 = _linear(h, linear1_weight)
    linear1_z, hidden = in_row_blocks(
        _forward_norm_first_gelu_tanh_part3, _t5, linear1_bias, named=(2, None)
    )
    _t6 = _linear(hidden, linear2_weight)
    _t7, norm2_mu, norm2_rstd, y = in_row_blocks(
        _forward_no_norm_first_relu_part2,
        _t6,
        linear2_bias,
        h,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, None, 2, 2, None, None, None),
    )
    return y, (
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        nhead,
        _t1,
        _t2,
        self_attn_weights,
        self_attn_attended,
        _t4,
        norm1_mu,
        norm1_rstd,
        h,
        linear1_z,
        _t7,
        norm2_mu,
        norm2_rstd,
    )


def _backward_no_norm_first_gelu_tanh_part1(
    self_attn_heads_k,
    linear1_z,
    _t1,
    norm2_mu,
    norm2_rstd,
    grad_y,
    self_attn_out_proj_bias,
    x,
    norm2_weight,
):
    _t2 = np.swapaxes(self_attn_heads_k, -1, -2)
    gelu_inner = linear1_z * linear1_z
    gelu_inner *= linear1_z
    gelu_inner *= 0.044715
    gelu_inner += linear1_z
    gelu_inner *= 0.7978845608028654
    _t3 = 0.5 * linear1_z
    _t4 = np.tanh(gelu_inner, out=gelu_inner)
    _t5 = 1 + _t4
    hidden = _t3 * _t5
    norm2_x_hat = _t1 - norm2_mu
    norm2_x_hat *= norm2_rstd
    norm2_p = grad_y * norm2_x_hat
    grad_norm2_weight = _sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _sum_to(grad_y, self_attn_out_proj_bias.shape)
    norm2_scale = norm2_rstd / x.shape[-1]
    grad_norm2_x = grad_y * norm2_weight
    grad_norm2_x *= norm2_rstd
    _t6 = norm2_x_hat * (_dot_last(norm2_p, norm2_weight) * norm2_scale)
    grad_norm2_x -= _t6
    grad_norm2_x -= _dot_last(grad_y, norm2_weight) * norm2_scale
    grad_linear2_bias = _sum_to(grad_norm2_x, self_attn_out_proj_bias.shape)
    return (
        _t2,
        _t3,
        _t4,
        _t5,
        hidden,
        grad_norm2_x,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_linear2_bias,
    )


def _backward_no_norm_first_gelu_tanh(
    grad_y,
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    nhead,
    _t1,
    _t2,
    self_attn_weights,
    self_attn_attended,
    _t3,
    norm1_mu,
    norm1_rstd,
    h,
    linear1_z,
    _t4,
    norm2_mu,
    norm2_rstd,
):
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    (
        _t5,
        _t6,
        _t7,
        _t8,
        hidden,
        grad_norm2_x,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_linear2_bias,
    ) = in_row_blocks(
        _backward_no_norm_first_gelu_tanh_part1,
        self_attn_heads_k,
        linear1_z,
        _t4,
        norm2_mu,
        norm2_rstd,
        grad_y,
        self_attn_out_proj_bias,
        x,
        norm2_weight,
        sums=3,
        named=(3, 2, 2, 2, 2, 2, None, 2, None),
    )
    grad_hidden = _linear_backward_input(grad_norm2_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm2_x).T @ _rows(hidden)
    grad_linear1_z, grad_linear1_bias = in_row_blocks(
        _backward_norm_first_gelu_tanh_part1,
        grad_hidden,
        _t8,
        _t6,
        _t7,
        linear1_z,
        linear1_bias,
        sums=1,
        named=(2, 2, 2, 2, 2, None),
    )
    _t9 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h)
    grad_norm1_x, grad_norm1_weight, grad_norm1_bias, grad_self_attn_out_proj_bias = (
        in_row_blocks(
            _backward_no_norm_first_relu_part2,
            grad_norm2_x,
            _t9,
            _t3,
            norm1_mu,
            norm1_rstd,
            self_attn_out_proj_bias,
            x,
            norm1_weight,
            sums=3,
            named=(2, 2, 2, 2, 2, None, 2, None),
        )
    )
    grad_self_attn_attended = _linear_backward_input(
        grad_norm1_x, self_attn_out_proj_weight
    )
    grad_self_attn_out_proj_weight = _rows(grad_norm1_x).T @ _rows(self_attn_attended)
    _t10 = _split_heads(grad_self_attn_attended, nhead)
    grad_self_attn_heads_v, grad_self_attn_heads_k, _t11 = in_row_blocks(
        _backward_norm_first_relu_part2,
        self_attn_heads_v,
        _t10,
        self_attn_weights,
        _t5,
        self_attn_heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_self_attn_qkv = _join_heads(
        (_t11, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = grad_norm1_x + _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    return (
        grad_x,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
    )


_VARIANTS = {
    (True, "relu"): (_forward_norm_first_relu, _backward_norm_first_relu),
    (True, "gelu"): (_forward_norm_first_gelu, _backward_norm_first_gelu),
    (True, "gelu_tanh"): (
        _forward_norm_first_gelu_tanh,
        _backward_norm_first_gelu_tanh,
    ),
    (False, "relu"): (_forward_no_norm_first_relu, _backward_no_norm_first_relu),
    (False, "gelu"): (_forward_no_norm_first_gelu, _backward_no_norm_first_gelu),
    (False, "gelu_tanh"): (
        _forward_no_norm_first_gelu_tanh,
        _backward_no_norm_first_gelu_tanh,
    ),
}


def _apply_key_padding(scores, mask, out=None):
    """scores [..., S_q, S_k] with a key padding mask [..., S_k] (its leading axes the
    scores' first ones) applied to every query's row, as _apply_mask; None: the scores.
    """
    if mask is not None:
        between = (1,) * (scores.ndim - mask.ndim)
        mask = mask.reshape(mask.shape[:-1] + between + mask.shape[-1:])
    return _apply_mask(scores, mask, out=out)


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


def _chunk(x, pieces, index, axis):
    """The view of block ``index`` of ``pieces`` equal blocks of x along ``axis``."""
    size = x.shape[axis] // pieces
    where = [slice(None)] * x.ndim
    where[axis] = slice(index * size, (index + 1) * size)
    return x[tuple(where)]


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


def _join_heads(blocks, heads):
    """Blocks [..., heads, S, D] as one [..., S, len(blocks) * heads * D]: the
    merge_heads of each side by side along the last axis, each copied once."""
    first = blocks[0]
    lead, length, width = first.shape[:-3], first.shape[-2], first.shape[-1]
    out = np.empty(lead + (length, len(blocks), heads, width), dtype=first.dtype)
    for index, block in enumerate(blocks):
        out[..., index, :, :] = block.swapaxes(-2, -3)
    return out.reshape(lead + (length, len(blocks) * heads * width))


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


def _masked_softmax(x, out=None):
    """exp(x - max) / sum over the last axis, in four passes over x; a row of -inf
    (fully masked) gives zeros, as torch's scaled_dot_product_attention does, where a
    plain softmax gives NaN. ``out``, if given, receives the result (it may be x)."""
    top = np.max(x, axis=-1, keepdims=True, initial=-np.inf)  # -inf over no keys
    np.putmask(top, top == -np.inf, 0)
    out = np.subtract(x, top, out=out)
    np.exp(out, out=out)
    total = np.sum(out, axis=-1, keepdims=True)
    np.putmask(total, total == 0, 1)
    out /= total
    return out


def _mean(x, axis):
    """The mean along ``axis``, kept as a length-1 axis; along the last axis of a float
    array a matrix-vector product with 1 / n (BLAS), as in _sum."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        return np.matmul(x, np.full(x.shape[-1], 1 / x.shape[-1], x.dtype))[..., None]
    return np.mean(x, axis=axis, keepdims=True)


def _merge_heads(x, heads):
    """x [..., heads, S, D] as [..., S, heads * D], head after head along the last axis."""
    moved = x.swapaxes(-2, -3)
    return moved.reshape(moved.shape[:-2] + (heads * x.shape[-1],))


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


def _split_heads(x, heads):
    """x [..., S, E] as [..., heads, S, E / heads]: head h holds the features
    h * E / heads to (h + 1) * E / heads of every position, as torch's
    MultiheadAttention splits them."""
    return x.reshape(x.shape[:-1] + (heads, x.shape[-1] // heads)).swapaxes(-2, -3)


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


# transformer_encoder_norm_first_relu_fwd_0: layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_encoder_norm_first_relu_fwd_0 = RowBlockKernel(
    "transformer_encoder_norm_first_relu_fwd_0",
    "row T x, scalar int64 _t2, scalar T eps, column T norm1_weight, column T norm1_bias",
    "per_row T norm1_mu, per_row T norm1_rstd, row T normalized",
    """
    T _c_x[LF_REGISTERS];
    T norm1_mu = T(0);
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        norm1_mu = _Sum()(norm1_mu, x);
    )
    norm1_mu = _row_reduce(norm1_mu, _Sum());
    norm1_mu = norm1_mu / T(_n);
    T _t1 = T(0);
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T norm1_centered = x - norm1_mu;
        _t1 = _Sum()(_t1, norm1_centered * norm1_centered);
    )
    _t1 = _row_reduce(_t1, _Sum());
    const T norm1_variance = _t1 / _t2;
    const T _t3 = norm1_variance + eps;
    const T _t4 = sqrt(_t3);
    const T norm1_rstd = T(1) / _t4;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T norm1_bias = _p_norm1_bias[_j];
        const T norm1_centered = x - norm1_mu;
        const T norm1_normalized = norm1_centered * norm1_rstd;
        const T _t5 = norm1_normalized * norm1_weight;
        const T normalized = _t5 + norm1_bias;
        _row_normalized[_j] = normalized;
    )
    """,
)


# transformer_encoder_norm_first_relu_fwd_1: layers_spec/layers/multi_head_attention.yaml:32
_transformer_encoder_norm_first_relu_fwd_1 = ElementwiseKernel(
    "transformer_encoder_norm_first_relu_fwd_1",
    "T _t6, T self_attn_in_proj_bias",
    "T self_attn_qkv",
    """
    self_attn_qkv = _t6 + self_attn_in_proj_bias;
    """,
)


# transformer_encoder_norm_first_relu_fwd_2: layers_spec/layers/multi_head_attention.yaml:36
_transformer_encoder_norm_first_relu_fwd_2 = ElementwiseKernel(
    "transformer_encoder_norm_first_relu_fwd_2",
    "T _t7, T _t10",
    "T self_attn_heads_q",
    """
    self_attn_heads_q = _t7 * _t10;
    """,
    scalars=("_t10",),
)


# transformer_encoder_norm_first_relu_fwd_3: layers_spec/layers/multi_head_attention.yaml:40,41,46
_transformer_encoder_norm_first_relu_fwd_3 = RowKernel(
    "transformer_encoder_norm_first_relu_fwd_3",
    "masked_softmax_row",
    row_width=None,
    preamble="""
    template <typename T>
    __device__ void masked_softmax_row(const T* row, T* out, long long n) {
        // One pass for the maximum (0 for a row of -inf, whose entries then give 0), one for
        // the exponentials and their sum, one to divide: the scores are read from memory once
        // per pass and the probabilities written once, by one kernel.
        if (n == 0) return;
        T top = row[0];
        for (long long k = 1; k < n; ++k) top = row[k] > top ? row[k] : top;
        if (isinf(top) && top < T(0)) top = T(0);
        T total = T(0);
        for (long long k = 0; k < n; ++k) {
            out[k] = exp(row[k] - top);
            total += out[k];
        }
        if (total == T(0)) total = T(1);
        for (long long k = 0; k < n; ++k) out[k] /= total;
    }
    """,
    masks=("mask", "key_padding"),
)


# transformer_encoder_norm_first_relu_fwd_4: layers_spec/layers/multi_head_attention.yaml:48; layers_spec/layers/transformer_encoder.yaml:36; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_encoder_norm_first_relu_fwd_4 = RowBlockKernel(
    "transformer_encoder_norm_first_relu_fwd_4",
    "row T _t13, column T self_attn_out_proj_bias, row T x, scalar int64 _t15, scalar T eps, column T norm2_weight, column T norm2_bias",
    "row T h, per_row T norm2_mu, per_row T norm2_rstd, row T ffn_input",
    """
    T _c__t13[LF_REGISTERS];
    T _c_x[LF_REGISTERS];
    T norm2_mu = T(0);
    LF_ROW_LOOP(
        const T _t13 = _at.fill(_c__t13, _row__t13, _j);
        const T self_attn_out_proj_bias = _p_self_attn_out_proj_bias[_j];
        const T x = _at.fill(_c_x, _row_x, _j);
        const T attended = _t13 + self_attn_out_proj_bias;
        const T h = x + attended;
        norm2_mu = _Sum()(norm2_mu, h);
    )
    norm2_mu = _row_reduce(norm2_mu, _Sum());
    norm2_mu = norm2_mu / T(_n);
    T _t14 = T(0);
    LF_ROW_LOOP(
        const T _t13 = _at.get(_c__t13, _row__t13, _j);
        const T self_attn_out_proj_bias = _p_self_attn_out_proj_bias[_j];
        const T x = _at.get(_c_x, _row_x, _j);
        const T attended = _t13 + self_attn_out_proj_bias;
        const T h = x + attended;
        const T norm2_centered = h - norm2_mu;
        _t14 = _Sum()(_t14, norm2_centered * norm2_centered);
    )
    _t14 = _row_reduce(_t14, _Sum());
    const T norm2_variance = _t14 / _t15;
    const T _t16 = norm2_variance + eps;
    const T _t17 = sqrt(_t16);
    const T norm2_rstd = T(1) / _t17;
    LF_ROW_LOOP(
        const T _t13 = _at.get(_c__t13, _row__t13, _j);
        const T self_attn_out_proj_bias = _p_self_attn_out_proj_bias[_j];
        const T x = _at.get(_c_x, _row_x, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T norm2_bias = _p_norm2_bias[_j];
        const T attended = _t13 + self_attn_out_proj_bias;
        const T h = x + attended;
        const T norm2_centered = h - norm2_mu;
        const T norm2_normalized = norm2_centered * norm2_rstd;
        const T _t18 = norm2_normalized * norm2_weight;
        const T ffn_input = _t18 + norm2_bias;
        _row_h[_j] = h;
        _row_ffn_input[_j] = ffn_input;
    )
    """,
)


# transformer_encoder_norm_first_relu_fwd_5: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_transformer_encoder_norm_first_relu_fwd_5 = ElementwiseKernel(
    "transformer_encoder_norm_first_relu_fwd_5",
    "T _t19, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t19 + linear1_bias;
    hidden = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# transformer_encoder_norm_first_relu_fwd_6: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_encoder.yaml:51
_transformer_encoder_norm_first_relu_fwd_6 = ElementwiseKernel(
    "transformer_encoder_norm_first_relu_fwd_6",
    "T _t20, T linear2_bias, T h",
    "T y",
    """
    T linear2_z = _t20 + linear2_bias;
    y = h + linear2_z;
    """,
)


def _cupy_forward_norm_first_relu(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask,
    src_key_padding_mask,
    nhead,
    eps,
):
    import cupy as cp

    _t2 = x.shape[-1]
    norm1_mu, norm1_rstd, normalized = _transformer_encoder_norm_first_relu_fwd_0(
        x, _t2, eps, norm1_weight, norm1_bias
    )
    _t6 = _linear(normalized, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_encoder_norm_first_relu_fwd_1(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    _t8 = x.shape[-1]
    _t9 = _t8 / nhead
    _t10 = _t9 ** (-0.5)
    self_attn_heads_q = _transformer_encoder_norm_first_relu_fwd_2(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t11)
    self_attn_weights = _transformer_encoder_norm_first_relu_fwd_3(
        self_attn_scores, src_mask, src_key_padding_mask
    )
    _t12 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t12, nhead)
    _t13 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t15 = x.shape[-1]
    h, norm2_mu, norm2_rstd, ffn_input = _transformer_encoder_norm_first_relu_fwd_4(
        _t13, self_attn_out_proj_bias, x, _t15, eps, norm2_weight, norm2_bias
    )
    _t19 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = _transformer_encoder_norm_first_relu_fwd_5(_t19, linear1_bias)
    _t20 = _linear(hidden, linear2_weight)
    y = _transformer_encoder_norm_first_relu_fwd_6(_t20, linear2_bias, h)
    return y, (
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        nhead,
        norm1_mu,
        norm1_rstd,
        normalized,
        _t6,
        _t10,
        self_attn_weights,
        self_attn_attended,
        h,
        norm2_mu,
        norm2_rstd,
        ffn_input,
        linear1_z,
    )


# transformer_encoder_norm_first_relu_bwd_2: layers_spec/activations/relu.yaml:8
_transformer_encoder_norm_first_relu_bwd_2 = ElementwiseKernel(
    "transformer_encoder_norm_first_relu_bwd_2",
    "T linear1_z",
    "T hidden",
    """
    hidden = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# transformer_encoder_norm_first_relu_bwd_3: layers_spec/primitives.yaml:252
_transformer_encoder_norm_first_relu_bwd_3 = ElementwiseKernel(
    "transformer_encoder_norm_first_relu_bwd_3",
    "T linear1_z, T grad_hidden",
    "T grad_linear1_z",
    """
    bool _t24 = linear1_z > T(0);
    grad_linear1_z = grad_hidden * _t24;
    """,
)


# transformer_encoder_norm_first_relu_bwd_4: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_encoder_norm_first_relu_bwd_4 = RowBlockKernel(
    "transformer_encoder_norm_first_relu_bwd_4",
    "row T h, per_row T norm2_mu, per_row T norm2_rstd, row T grad_ffn_input, scalar int64 _t30, column T norm2_weight, row T grad_y",
    "row T norm2_p, row T grad_h",
    """
    T _c_h[LF_REGISTERS];
    T _c_grad_ffn_input[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t30;
    T _t33 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_y, _row_grad_y, _j);
        const T h = _at.fill(_c_h, _row_h, _j);
        const T grad_ffn_input = _at.fill(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T _t29 = h - norm2_mu;
        const T norm2_x_hat = _t29 * norm2_rstd;
        const T norm2_p = grad_ffn_input * norm2_x_hat;
        _t33 = _Sum()(_t33, norm2_p * norm2_weight);
    )
    _t33 = _row_reduce(_t33, _Sum());
    const T _t34 = _t33 * norm2_scale;
    T _t37 = T(0);
    LF_ROW_LOOP(
        const T grad_ffn_input = _at.get(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        _t37 = _Sum()(_t37, grad_ffn_input * norm2_weight);
    )
    _t37 = _row_reduce(_t37, _Sum());
    const T _t38 = _t37 * norm2_scale;
    LF_ROW_LOOP(
        const T h = _at.get(_c_h, _row_h, _j);
        const T grad_ffn_input = _at.get(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t29 = h - norm2_mu;
        const T norm2_x_hat = _t29 * norm2_rstd;
        const T norm2_p = grad_ffn_input * norm2_x_hat;
        const T _t31 = grad_ffn_input * norm2_weight;
        const T _t32 = _t31 * norm2_rstd;
        const T _t35 = norm2_x_hat * _t34;
        const T _t36 = _t32 - _t35;
        const T grad_norm2_x = _t36 - _t38;
        const T grad_h = grad_y + grad_norm2_x;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_h[_j] = grad_h;
    )
    """,
)


# transformer_encoder_norm_first_relu_bwd_5: layers_spec/primitives.yaml:2973
_transformer_encoder_norm_first_relu_bwd_5 = RowBlockKernel(
    "transformer_encoder_norm_first_relu_bwd_5",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_unpadded",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t47 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        _t47 = _Sum()(_t47, grad_self_attn_weights * self_attn_weights);
    )
    _t47 = _row_reduce(_t47, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t48 = grad_self_attn_weights - _t47;
        const T grad_self_attn_unpadded = self_attn_weights * _t48;
        _row_grad_self_attn_unpadded[_j] = grad_self_attn_unpadded;
    )
    """,
)


# transformer_encoder_norm_first_relu_bwd_6: layers_spec/primitives.yaml:61
_transformer_encoder_norm_first_relu_bwd_6 = ElementwiseKernel(
    "transformer_encoder_norm_first_relu_bwd_6",
    "T grad_self_attn_heads_q, T _t10",
    "T _t57",
    """
    _t57 = grad_self_attn_heads_q * _t10;
    """,
    scalars=("_t10",),
)


# transformer_encoder_norm_first_relu_bwd_7: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_encoder_norm_first_relu_bwd_7 = RowBlockKernel(
    "transformer_encoder_norm_first_relu_bwd_7",
    "row T x, per_row T norm1_mu, per_row T norm1_rstd, row T grad_normalized, scalar int64 _t66, column T norm1_weight, row T grad_h",
    "row T norm1_p, row T grad_x",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_normalized[LF_REGISTERS];
    T _c_grad_h[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t66;
    T _t69 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_h, _row_grad_h, _j);
        const T x = _at.fill(_c_x, _row_x, _j);
        const T grad_normalized = _at.fill(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T _t65 = x - norm1_mu;
        const T norm1_x_hat = _t65 * norm1_rstd;
        const T norm1_p = grad_normalized * norm1_x_hat;
        _t69 = _Sum()(_t69, norm1_p * norm1_weight);
    )
    _t69 = _row_reduce(_t69, _Sum());
    const T _t70 = _t69 * norm1_scale;
    T _t73 = T(0);
    LF_ROW_LOOP(
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        _t73 = _Sum()(_t73, grad_normalized * norm1_weight);
    )
    _t73 = _row_reduce(_t73, _Sum());
    const T _t74 = _t73 * norm1_scale;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h = _at.get(_c_grad_h, _row_grad_h, _j);
        const T _t65 = x - norm1_mu;
        const T norm1_x_hat = _t65 * norm1_rstd;
        const T norm1_p = grad_normalized * norm1_x_hat;
        const T _t67 = grad_normalized * norm1_weight;
        const T _t68 = _t67 * norm1_rstd;
        const T _t71 = norm1_x_hat * _t70;
        const T _t72 = _t68 - _t71;
        const T grad_norm1_x = _t72 - _t74;
        const T grad_x = grad_h + grad_norm1_x;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward_norm_first_relu(
    grad_y,
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    nhead,
    norm1_mu,
    norm1_rstd,
    normalized,
    _t6,
    _t10,
    self_attn_weights,
    self_attn_attended,
    h,
    norm2_mu,
    norm2_rstd,
    ffn_input,
    linear1_z,
):
    import cupy as cp

    self_attn_qkv = _transformer_encoder_norm_first_relu_fwd_1(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_encoder_norm_first_relu_fwd_2(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    hidden = _transformer_encoder_norm_first_relu_bwd_2(linear1_z)
    grad_linear2_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(hidden)
    grad_linear1_z = _transformer_encoder_norm_first_relu_bwd_3(linear1_z, grad_hidden)
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    grad_ffn_input = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(ffn_input)
    _t30 = x.shape[-1]
    norm2_p, grad_h = _transformer_encoder_norm_first_relu_bwd_4(
        h, norm2_mu, norm2_rstd, grad_ffn_input, _t30, norm2_weight, grad_y
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_ffn_input, self_attn_out_proj_bias.shape)
    grad_self_attn_out_proj_bias = _cupy_sum_to(grad_h, self_attn_out_proj_bias.shape)
    grad_self_attn_attended = _linear_backward_input(grad_h, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h).T @ _rows(self_attn_attended)
    _t42 = _split_heads(grad_self_attn_attended, nhead)
    _t43 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t42, _t43)
    _t45 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t45, _t42)
    grad_self_attn_unpadded = _transformer_encoder_norm_first_relu_bwd_5(
        grad_self_attn_weights, self_attn_weights
    )
    _t50 = cp.swapaxes(_t11, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t50)
    _t52 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t53 = _cupy_bmm(_t52, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t53, -1, -2)
    _t57 = _transformer_encoder_norm_first_relu_bwd_6(grad_self_attn_heads_q, _t10)
    grad_self_attn_qkv = _cupy_join_heads(
        (_t57, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_normalized = _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(normalized)
    _t66 = x.shape[-1]
    norm1_p, grad_x = _transformer_encoder_norm_first_relu_bwd_7(
        x, norm1_mu, norm1_rstd, grad_normalized, _t66, norm1_weight, grad_h
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_normalized, self_attn_out_proj_bias.shape)
    return (
        grad_x,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
    )


# transformer_encoder_norm_first_gelu_fwd_5: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:23
_transformer_encoder_norm_first_gelu_fwd_5 = ElementwiseKernel(
    "transformer_encoder_norm_first_gelu_fwd_5",
    "T _t19, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t19 + linear1_bias;
    T _t20 = T(0.7071067811865476) * linear1_z;
    T _t21 = erf(_t20);
    T _t22 = T(0.5) * _t21;
    T _t23 = T(0.5) + _t22;
    hidden = linear1_z * _t23;
    """,
)


# transformer_encoder_norm_first_gelu_fwd_6: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_encoder.yaml:51
_transformer_encoder_norm_first_gelu_fwd_6 = ElementwiseKernel(
    "transformer_encoder_norm_first_gelu_fwd_6",
    "T _t24, T linear2_bias, T h",
    "T y",
    """
    T linear2_z = _t24 + linear2_bias;
    y = h + linear2_z;
    """,
)


def _cupy_forward_norm_first_gelu(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask,
    src_key_padding_mask,
    nhead,
    eps,
):
    import cupy as cp

    _t2 = x.shape[-1]
    norm1_mu, norm1_rstd, normalized = _transformer_encoder_norm_first_relu_fwd_0(
        x, _t2, eps, norm1_weight, norm1_bias
    )
    _t6 = _linear(normalized, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_encoder_norm_first_relu_fwd_1(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    _t8 = x.shape[-1]
    _t9 = _t8 / nhead
    _t10 = _t9 ** (-0.5)
    self_attn_heads_q = _transformer_encoder_norm_first_relu_fwd_2(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t11)
    self_attn_weights = _transformer_encoder_norm_first_relu_fwd_3(
        self_attn_scores, src_mask, src_key_padding_mask
    )
    _t12 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t12, nhead)
    _t13 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t15 = x.shape[-1]
    h, norm2_mu, norm2_rstd, ffn_input = _transformer_encoder_norm_first_relu_fwd_4(
        _t13, self_attn_out_proj_bias, x, _t15, eps, norm2_weight, norm2_bias
    )
    _t19 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = _transformer_encoder_norm_first_gelu_fwd_5(_t19, linear1_bias)
    _t24 = _linear(hidden, linear2_weight)
    y = _transformer_encoder_norm_first_gelu_fwd_6(_t24, linear2_bias, h)
    return y, (
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        nhead,
        norm1_mu,
        norm1_rstd,
        normalized,
        _t6,
        _t10,
        self_attn_weights,
        self_attn_attended,
        h,
        norm2_mu,
        norm2_rstd,
        ffn_input,
        linear1_z,
    )


# transformer_encoder_norm_first_gelu_bwd_2: layers_spec/activations/gelu.yaml:23
_transformer_encoder_norm_first_gelu_bwd_2 = ElementwiseKernel(
    "transformer_encoder_norm_first_gelu_bwd_2",
    "T linear1_z",
    "T _t20, T _t23, T hidden",
    """
    _t20 = T(0.7071067811865476) * linear1_z;
    T _t21 = erf(_t20);
    T _t22 = T(0.5) * _t21;
    _t23 = T(0.5) + _t22;
    hidden = linear1_z * _t23;
    """,
)


# transformer_encoder_norm_first_gelu_bwd_3: layers_spec/primitives.yaml:61,62,1973
_transformer_encoder_norm_first_gelu_bwd_3 = ElementwiseKernel(
    "transformer_encoder_norm_first_gelu_bwd_3",
    "T grad_hidden, T _t23, T linear1_z, T _t20",
    "T grad_linear1_z",
    """
    T _t28 = grad_hidden * _t23;
    T _t29 = grad_hidden * linear1_z;
    T _t30 = _t29 * T(0.5);
    T _t31 = _t30 * T(1.1283791670955126);
    T _t32 = _t20 * _t20;
    T _t33 = -_t32;
    T _t34 = exp(_t33);
    T _t35 = _t31 * _t34;
    T _t36 = _t35 * T(0.7071067811865476);
    grad_linear1_z = _t28 + _t36;
    """,
)


# transformer_encoder_norm_first_gelu_bwd_4: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_encoder_norm_first_gelu_bwd_4 = RowBlockKernel(
    "transformer_encoder_norm_first_gelu_bwd_4",
    "row T h, per_row T norm2_mu, per_row T norm2_rstd, row T grad_ffn_input, scalar int64 _t41, column T norm2_weight, row T grad_y",
    "row T norm2_p, row T grad_h",
    """
    T _c_h[LF_REGISTERS];
    T _c_grad_ffn_input[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t41;
    T _t44 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_y, _row_grad_y, _j);
        const T h = _at.fill(_c_h, _row_h, _j);
        const T grad_ffn_input = _at.fill(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T _t40 = h - norm2_mu;
        const T norm2_x_hat = _t40 * norm2_rstd;
        const T norm2_p = grad_ffn_input * norm2_x_hat;
        _t44 = _Sum()(_t44, norm2_p * norm2_weight);
    )
    _t44 = _row_reduce(_t44, _Sum());
    const T _t45 = _t44 * norm2_scale;
    T _t48 = T(0);
    LF_ROW_LOOP(
        const T grad_ffn_input = _at.get(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        _t48 = _Sum()(_t48, grad_ffn_input * norm2_weight);
    )
    _t48 = _row_reduce(_t48, _Sum());
    const T _t49 = _t48 * norm2_scale;
    LF_ROW_LOOP(
        const T h = _at.get(_c_h, _row_h, _j);
        const T grad_ffn_input = _at.get(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t40 = h - norm2_mu;
        const T norm2_x_hat = _t40 * norm2_rstd;
        const T norm2_p = grad_ffn_input * norm2_x_hat;
        const T _t42 = grad_ffn_input * norm2_weight;
        const T _t43 = _t42 * norm2_rstd;
        const T _t46 = norm2_x_hat * _t45;
        const T _t47 = _t43 - _t46;
        const T grad_norm2_x = _t47 - _t49;
        const T grad_h = grad_y + grad_norm2_x;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_h[_j] = grad_h;
    )
    """,
)


# transformer_encoder_norm_first_gelu_bwd_5: layers_spec/primitives.yaml:2973
_transformer_encoder_norm_first_gelu_bwd_5 = RowBlockKernel(
    "transformer_encoder_norm_first_gelu_bwd_5",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_unpadded",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t58 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        _t58 = _Sum()(_t58, grad_self_attn_weights * self_attn_weights);
    )
    _t58 = _row_reduce(_t58, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t59 = grad_self_attn_weights - _t58;
        const T grad_self_attn_unpadded = self_attn_weights * _t59;
        _row_grad_self_attn_unpadded[_j] = grad_self_attn_unpadded;
    )
    """,
)


# transformer_encoder_norm_first_gelu_bwd_6: layers_spec/primitives.yaml:61
_transformer_encoder_norm_first_gelu_bwd_6 = ElementwiseKernel(
    "transformer_encoder_norm_first_gelu_bwd_6",
    "T grad_self_attn_heads_q, T _t10",
    "T _t68",
    """
    _t68 = grad_self_attn_heads_q * _t10;
    """,
    scalars=("_t10",),
)


# transformer_encoder_norm_first_gelu_bwd_7: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_encoder_norm_first_gelu_bwd_7 = RowBlockKernel(
    "transformer_encoder_norm_first_gelu_bwd_7",
    "row T x, per_row T norm1_mu, per_row T norm1_rstd, row T grad_normalized, scalar int64 _t77, column T norm1_weight, row T grad_h",
    "row T norm1_p, row T grad_x",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_normalized[LF_REGISTERS];
    T _c_grad_h[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t77;
    T _t80 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_h, _row_grad_h, _j);
        const T x = _at.fill(_c_x, _row_x, _j);
        const T grad_normalized = _at.fill(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T _t76 = x - norm1_mu;
        const T norm1_x_hat = _t76 * norm1_rstd;
        const T norm1_p = grad_normalized * norm1_x_hat;
        _t80 = _Sum()(_t80, norm1_p * norm1_weight);
    )
    _t80 = _row_reduce(_t80, _Sum());
    const T _t81 = _t80 * norm1_scale;
    T _t84 = T(0);
    LF_ROW_LOOP(
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        _t84 = _Sum()(_t84, grad_normalized * norm1_weight);
    )
    _t84 = _row_reduce(_t84, _Sum());
    const T _t85 = _t84 * norm1_scale;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h = _at.get(_c_grad_h, _row_grad_h, _j);
        const T _t76 = x - norm1_mu;
        const T norm1_x_hat = _t76 * norm1_rstd;
        const T norm1_p = grad_normalized * norm1_x_hat;
        const T _t78 = grad_normalized * norm1_weight;
        const T _t79 = _t78 * norm1_rstd;
        const T _t82 = norm1_x_hat * _t81;
        const T _t83 = _t79 - _t82;
        const T grad_norm1_x = _t83 - _t85;
        const T grad_x = grad_h + grad_norm1_x;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward_norm_first_gelu(
    grad_y,
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    nhead,
    norm1_mu,
    norm1_rstd,
    normalized,
    _t6,
    _t10,
    self_attn_weights,
    self_attn_attended,
    h,
    norm2_mu,
    norm2_rstd,
    ffn_input,
    linear1_z,
):
    import cupy as cp

    self_attn_qkv = _transformer_encoder_norm_first_relu_fwd_1(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_encoder_norm_first_relu_fwd_2(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    _t20, _t23, hidden = _transformer_encoder_norm_first_gelu_bwd_2(linear1_z)
    grad_linear2_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(hidden)
    grad_linear1_z = _transformer_encoder_norm_first_gelu_bwd_3(
        grad_hidden, _t23, linear1_z, _t20
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    grad_ffn_input = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(ffn_input)
    _t41 = x.shape[-1]
    norm2_p, grad_h = _transformer_encoder_norm_first_gelu_bwd_4(
        h, norm2_mu, norm2_rstd, grad_ffn_input, _t41, norm2_weight, grad_y
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_ffn_input, self_attn_out_proj_bias.shape)
    grad_self_attn_out_proj_bias = _cupy_sum_to(grad_h, self_attn_out_proj_bias.shape)
    grad_self_attn_attended = _linear_backward_input(grad_h, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h).T @ _rows(self_attn_attended)
    _t53 = _split_heads(grad_self_attn_attended, nhead)
    _t54 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t53, _t54)
    _t56 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t56, _t53)
    grad_self_attn_unpadded = _transformer_encoder_norm_first_gelu_bwd_5(
        grad_self_attn_weights, self_attn_weights
    )
    _t61 = cp.swapaxes(_t11, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t61)
    _t63 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t64 = _cupy_bmm(_t63, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t64, -1, -2)
    _t68 = _transformer_encoder_norm_first_gelu_bwd_6(grad_self_attn_heads_q, _t10)
    grad_self_attn_qkv = _cupy_join_heads(
        (_t68, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_normalized = _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(normalized)
    _t77 = x.shape[-1]
    norm1_p, grad_x = _transformer_encoder_norm_first_gelu_bwd_7(
        x, norm1_mu, norm1_rstd, grad_normalized, _t77, norm1_weight, grad_h
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_normalized, self_attn_out_proj_bias.shape)
    return (
        grad_x,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
    )


# transformer_encoder_norm_first_gelu_tanh_fwd_5: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:20,21
_transformer_encoder_norm_first_gelu_tanh_fwd_5 = ElementwiseKernel(
    "transformer_encoder_norm_first_gelu_tanh_fwd_5",
    "T _t19, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t19 + linear1_bias;
    T _t20 = linear1_z * linear1_z * linear1_z;
    T _t21 = T(0.044715) * _t20;
    T _t22 = linear1_z + _t21;
    T gelu_inner = T(0.7978845608028654) * _t22;
    T _t23 = T(0.5) * linear1_z;
    T _t24 = tanh(gelu_inner);
    T _t25 = T(1) + _t24;
    hidden = _t23 * _t25;
    """,
)


# transformer_encoder_norm_first_gelu_tanh_fwd_6: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_encoder.yaml:51
_transformer_encoder_norm_first_gelu_tanh_fwd_6 = ElementwiseKernel(
    "transformer_encoder_norm_first_gelu_tanh_fwd_6",
    "T _t26, T linear2_bias, T h",
    "T y",
    """
    T linear2_z = _t26 + linear2_bias;
    y = h + linear2_z;
    """,
)


def _cupy_forward_norm_first_gelu_tanh(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask,
    src_key_padding_mask,
    nhead,
    eps,
):
    import cupy as cp

    _t2 = x.shape[-1]
    norm1_mu, norm1_rstd, normalized = _transformer_encoder_norm_first_relu_fwd_0(
        x, _t2, eps, norm1_weight, norm1_bias
    )
    _t6 = _linear(normalized, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_encoder_norm_first_relu_fwd_1(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    _t8 = x.shape[-1]
    _t9 = _t8 / nhead
    _t10 = _t9 ** (-0.5)
    self_attn_heads_q = _transformer_encoder_norm_first_relu_fwd_2(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t11)
    self_attn_weights = _transformer_encoder_norm_first_relu_fwd_3(
        self_attn_scores, src_mask, src_key_padding_mask
    )
    _t12 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t12, nhead)
    _t13 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t15 = x.shape[-1]
    h, norm2_mu, norm2_rstd, ffn_input = _transformer_encoder_norm_first_relu_fwd_4(
        _t13, self_attn_out_proj_bias, x, _t15, eps, norm2_weight, norm2_bias
    )
    _t19 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = _transformer_encoder_norm_first_gelu_tanh_fwd_5(
        _t19, linear1_bias
    )
    _t26 = _linear(hidden, linear2_weight)
    y = _transformer_encoder_norm_first_gelu_tanh_fwd_6(_t26, linear2_bias, h)
    return y, (
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        nhead,
        norm1_mu,
        norm1_rstd,
        normalized,
        _t6,
        _t10,
        self_attn_weights,
        self_attn_attended,
        h,
        norm2_mu,
        norm2_rstd,
        ffn_input,
        linear1_z,
    )


# transformer_encoder_norm_first_gelu_tanh_bwd_2: layers_spec/activations/gelu.yaml:20,21
_transformer_encoder_norm_first_gelu_tanh_bwd_2 = ElementwiseKernel(
    "transformer_encoder_norm_first_gelu_tanh_bwd_2",
    "T linear1_z",
    "T _t23, T _t24, T _t25, T hidden",
    """
    T _t20 = linear1_z * linear1_z * linear1_z;
    T _t21 = T(0.044715) * _t20;
    T _t22 = linear1_z + _t21;
    T gelu_inner = T(0.7978845608028654) * _t22;
    _t23 = T(0.5) * linear1_z;
    _t24 = tanh(gelu_inner);
    _t25 = T(1) + _t24;
    hidden = _t23 * _t25;
    """,
)


# transformer_encoder_norm_first_gelu_tanh_bwd_3: layers_spec/primitives.yaml:61,62,180,90
_transformer_encoder_norm_first_gelu_tanh_bwd_3 = ElementwiseKernel(
    "transformer_encoder_norm_first_gelu_tanh_bwd_3",
    "T grad_hidden, T _t25, T _t23, T _t24, T linear1_z",
    "T grad_linear1_z",
    """
    T _t30 = grad_hidden * _t25;
    T _t31 = grad_hidden * _t23;
    T _t32 = _t24 * _t24;
    T _t33 = T(1) - _t32;
    T grad_gelu_inner = _t31 * _t33;
    T _t35 = _t30 * T(0.5);
    T _t36 = grad_gelu_inner * T(0.7978845608028654);
    T _t37 = _t36 * T(0.044715);
    T _t38 = _t37 * T(3);
    T _t39 = linear1_z * linear1_z;
    T _t40 = _t38 * _t39;
    T _t41 = _t35 + _t36;
    grad_linear1_z = _t41 + _t40;
    """,
)


# transformer_encoder_norm_first_gelu_tanh_bwd_4: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_encoder_norm_first_gelu_tanh_bwd_4 = RowBlockKernel(
    "transformer_encoder_norm_first_gelu_tanh_bwd_4",
    "row T h, per_row T norm2_mu, per_row T norm2_rstd, row T grad_ffn_input, scalar int64 _t46, column T norm2_weight, row T grad_y",
    "row T norm2_p, row T grad_h",
    """
    T _c_h[LF_REGISTERS];
    T _c_grad_ffn_input[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t46;
    T _t49 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_y, _row_grad_y, _j);
        const T h = _at.fill(_c_h, _row_h, _j);
        const T grad_ffn_input = _at.fill(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T _t45 = h - norm2_mu;
        const T norm2_x_hat = _t45 * norm2_rstd;
        const T norm2_p = grad_ffn_input * norm2_x_hat;
        _t49 = _Sum()(_t49, norm2_p * norm2_weight);
    )
    _t49 = _row_reduce(_t49, _Sum());
    const T _t50 = _t49 * norm2_scale;
    T _t53 = T(0);
    LF_ROW_LOOP(
        const T grad_ffn_input = _at.get(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        _t53 = _Sum()(_t53, grad_ffn_input * norm2_weight);
    )
    _t53 = _row_reduce(_t53, _Sum());
    const T _t54 = _t53 * norm2_scale;
    LF_ROW_LOOP(
        const T h = _at.get(_c_h, _row_h, _j);
        const T grad_ffn_input = _at.get(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t45 = h - norm2_mu;
        const T norm2_x_hat = _t45 * norm2_rstd;
        const T norm2_p = grad_ffn_input * norm2_x_hat;
        const T _t47 = grad_ffn_input * norm2_weight;
        const T _t48 = _t47 * norm2_rstd;
        const T _t51 = norm2_x_hat * _t50;
        const T _t52 = _t48 - _t51;
        const T grad_norm2_x = _t52 - _t54;
        const T grad_h = grad_y + grad_norm2_x;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_h[_j] = grad_h;
    )
    """,
)


# transformer_encoder_norm_first_gelu_tanh_bwd_5: layers_spec/primitives.yaml:2973
_transformer_encoder_norm_first_gelu_tanh_bwd_5 = RowBlockKernel(
    "transformer_encoder_norm_first_gelu_tanh_bwd_5",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_unpadded",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t63 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        _t63 = _Sum()(_t63, grad_self_attn_weights * self_attn_weights);
    )
    _t63 = _row_reduce(_t63, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t64 = grad_self_attn_weights - _t63;
        const T grad_self_attn_unpadded = self_attn_weights * _t64;
        _row_grad_self_attn_unpadded[_j] = grad_self_attn_unpadded;
    )
    """,
)


# transformer_encoder_norm_first_gelu_tanh_bwd_6: layers_spec/primitives.yaml:61
_transformer_encoder_norm_first_gelu_tanh_bwd_6 = ElementwiseKernel(
    "transformer_encoder_norm_first_gelu_tanh_bwd_6",
    "T grad_self_attn_heads_q, T _t10",
    "T _t73",
    """
    _t73 = grad_self_attn_heads_q * _t10;
    """,
    scalars=("_t10",),
)


# transformer_encoder_norm_first_gelu_tanh_bwd_7: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_encoder_norm_first_gelu_tanh_bwd_7 = RowBlockKernel(
    "transformer_encoder_norm_first_gelu_tanh_bwd_7",
    "row T x, per_row T norm1_mu, per_row T norm1_rstd, row T grad_normalized, scalar int64 _t82, column T norm1_weight, row T grad_h",
    "row T norm1_p, row T grad_x",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_normalized[LF_REGISTERS];
    T _c_grad_h[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t82;
    T _t85 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_h, _row_grad_h, _j);
        const T x = _at.fill(_c_x, _row_x, _j);
        const T grad_normalized = _at.fill(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T _t81 = x - norm1_mu;
        const T norm1_x_hat = _t81 * norm1_rstd;
        const T norm1_p = grad_normalized * norm1_x_hat;
        _t85 = _Sum()(_t85, norm1_p * norm1_weight);
    )
    _t85 = _row_reduce(_t85, _Sum());
    const T _t86 = _t85 * norm1_scale;
    T _t89 = T(0);
    LF_ROW_LOOP(
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        _t89 = _Sum()(_t89, grad_normalized * norm1_weight);
    )
    _t89 = _row_reduce(_t89, _Sum());
    const T _t90 = _t89 * norm1_scale;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h = _at.get(_c_grad_h, _row_grad_h, _j);
        const T _t81 = x - norm1_mu;
        const T norm1_x_hat = _t81 * norm1_rstd;
        const T norm1_p = grad_normalized * norm1_x_hat;
        const T _t83 = grad_normalized * norm1_weight;
        const T _t84 = _t83 * norm1_rstd;
        const T _t87 = norm1_x_hat * _t86;
        const T _t88 = _t84 - _t87;
        const T grad_norm1_x = _t88 - _t90;
        const T grad_x = grad_h + grad_norm1_x;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward_norm_first_gelu_tanh(
    grad_y,
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    nhead,
    norm1_mu,
    norm1_rstd,
    normalized,
    _t6,
    _t10,
    self_attn_weights,
    self_attn_attended,
    h,
    norm2_mu,
    norm2_rstd,
    ffn_input,
    linear1_z,
):
    import cupy as cp

    self_attn_qkv = _transformer_encoder_norm_first_relu_fwd_1(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_encoder_norm_first_relu_fwd_2(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    _t23, _t24, _t25, hidden = _transformer_encoder_norm_first_gelu_tanh_bwd_2(
        linear1_z
    )
    grad_linear2_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(hidden)
    grad_linear1_z = _transformer_encoder_norm_first_gelu_tanh_bwd_3(
        grad_hidden, _t25, _t23, _t24, linear1_z
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    grad_ffn_input = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(ffn_input)
    _t46 = x.shape[-1]
    norm2_p, grad_h = _transformer_encoder_norm_first_gelu_tanh_bwd_4(
        h, norm2_mu, norm2_rstd, grad_ffn_input, _t46, norm2_weight, grad_y
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_ffn_input, self_attn_out_proj_bias.shape)
    grad_self_attn_out_proj_bias = _cupy_sum_to(grad_h, self_attn_out_proj_bias.shape)
    grad_self_attn_attended = _linear_backward_input(grad_h, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h).T @ _rows(self_attn_attended)
    _t58 = _split_heads(grad_self_attn_attended, nhead)
    _t59 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t58, _t59)
    _t61 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t61, _t58)
    grad_self_attn_unpadded = _transformer_encoder_norm_first_gelu_tanh_bwd_5(
        grad_self_attn_weights, self_attn_weights
    )
    _t66 = cp.swapaxes(_t11, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t66)
    _t68 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t69 = _cupy_bmm(_t68, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t69, -1, -2)
    _t73 = _transformer_encoder_norm_first_gelu_tanh_bwd_6(grad_self_attn_heads_q, _t10)
    grad_self_attn_qkv = _cupy_join_heads(
        (_t73, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_normalized = _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(normalized)
    _t82 = x.shape[-1]
    norm1_p, grad_x = _transformer_encoder_norm_first_gelu_tanh_bwd_7(
        x, norm1_mu, norm1_rstd, grad_normalized, _t82, norm1_weight, grad_h
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_normalized, self_attn_out_proj_bias.shape)
    return (
        grad_x,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
    )


# transformer_encoder_no_norm_first_relu_fwd_0: layers_spec/layers/multi_head_attention.yaml:32
_transformer_encoder_no_norm_first_relu_fwd_0 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_relu_fwd_0",
    "T _t1, T self_attn_in_proj_bias",
    "T self_attn_qkv",
    """
    self_attn_qkv = _t1 + self_attn_in_proj_bias;
    """,
)


# transformer_encoder_no_norm_first_relu_fwd_1: layers_spec/layers/multi_head_attention.yaml:36
_transformer_encoder_no_norm_first_relu_fwd_1 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_relu_fwd_1",
    "T _t2, T _t5",
    "T self_attn_heads_q",
    """
    self_attn_heads_q = _t2 * _t5;
    """,
    scalars=("_t5",),
)


# transformer_encoder_no_norm_first_relu_fwd_3: layers_spec/layers/multi_head_attention.yaml:48; layers_spec/layers/transformer_encoder.yaml:40; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_encoder_no_norm_first_relu_fwd_3 = RowBlockKernel(
    "transformer_encoder_no_norm_first_relu_fwd_3",
    "row T _t8, column T self_attn_out_proj_bias, row T x, scalar int64 _t11, scalar T eps, column T norm1_weight, column T norm1_bias",
    "row T _t9, per_row T norm1_mu, per_row T norm1_rstd, row T h",
    """
    T _c__t8[LF_REGISTERS];
    T _c_x[LF_REGISTERS];
    T norm1_mu = T(0);
    LF_ROW_LOOP(
        const T _t8 = _at.fill(_c__t8, _row__t8, _j);
        const T self_attn_out_proj_bias = _p_self_attn_out_proj_bias[_j];
        const T x = _at.fill(_c_x, _row_x, _j);
        const T attended = _t8 + self_attn_out_proj_bias;
        const T _t9 = x + attended;
        norm1_mu = _Sum()(norm1_mu, _t9);
    )
    norm1_mu = _row_reduce(norm1_mu, _Sum());
    norm1_mu = norm1_mu / T(_n);
    T _t10 = T(0);
    LF_ROW_LOOP(
        const T _t8 = _at.get(_c__t8, _row__t8, _j);
        const T self_attn_out_proj_bias = _p_self_attn_out_proj_bias[_j];
        const T x = _at.get(_c_x, _row_x, _j);
        const T attended = _t8 + self_attn_out_proj_bias;
        const T _t9 = x + attended;
        const T norm1_centered = _t9 - norm1_mu;
        _t10 = _Sum()(_t10, norm1_centered * norm1_centered);
    )
    _t10 = _row_reduce(_t10, _Sum());
    const T norm1_variance = _t10 / _t11;
    const T _t12 = norm1_variance + eps;
    const T _t13 = sqrt(_t12);
    const T norm1_rstd = T(1) / _t13;
    LF_ROW_LOOP(
        const T _t8 = _at.get(_c__t8, _row__t8, _j);
        const T self_attn_out_proj_bias = _p_self_attn_out_proj_bias[_j];
        const T x = _at.get(_c_x, _row_x, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T norm1_bias = _p_norm1_bias[_j];
        const T attended = _t8 + self_attn_out_proj_bias;
        const T _t9 = x + attended;
        const T norm1_centered = _t9 - norm1_mu;
        const T norm1_normalized = norm1_centered * norm1_rstd;
        const T _t14 = norm1_normalized * norm1_weight;
        const T h = _t14 + norm1_bias;
        _row__t9[_j] = _t9;
        _row_h[_j] = h;
    )
    """,
)


# transformer_encoder_no_norm_first_relu_fwd_4: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_transformer_encoder_no_norm_first_relu_fwd_4 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_relu_fwd_4",
    "T _t15, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t15 + linear1_bias;
    hidden = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# transformer_encoder_no_norm_first_relu_fwd_5: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_encoder.yaml:53; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_encoder_no_norm_first_relu_fwd_5 = RowBlockKernel(
    "transformer_encoder_no_norm_first_relu_fwd_5",
    "row T _t16, column T linear2_bias, row T h, scalar int64 _t19, scalar T eps, column T norm2_weight, column T norm2_bias",
    "row T _t17, per_row T norm2_mu, per_row T norm2_rstd, row T y",
    """
    T _c__t16[LF_REGISTERS];
    T _c_h[LF_REGISTERS];
    T norm2_mu = T(0);
    LF_ROW_LOOP(
        const T _t16 = _at.fill(_c__t16, _row__t16, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h = _at.fill(_c_h, _row_h, _j);
        const T linear2_z = _t16 + linear2_bias;
        const T _t17 = h + linear2_z;
        norm2_mu = _Sum()(norm2_mu, _t17);
    )
    norm2_mu = _row_reduce(norm2_mu, _Sum());
    norm2_mu = norm2_mu / T(_n);
    T _t18 = T(0);
    LF_ROW_LOOP(
        const T _t16 = _at.get(_c__t16, _row__t16, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h = _at.get(_c_h, _row_h, _j);
        const T linear2_z = _t16 + linear2_bias;
        const T _t17 = h + linear2_z;
        const T norm2_centered = _t17 - norm2_mu;
        _t18 = _Sum()(_t18, norm2_centered * norm2_centered);
    )
    _t18 = _row_reduce(_t18, _Sum());
    const T norm2_variance = _t18 / _t19;
    const T _t20 = norm2_variance + eps;
    const T _t21 = sqrt(_t20);
    const T norm2_rstd = T(1) / _t21;
    LF_ROW_LOOP(
        const T _t16 = _at.get(_c__t16, _row__t16, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h = _at.get(_c_h, _row_h, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T norm2_bias = _p_norm2_bias[_j];
        const T linear2_z = _t16 + linear2_bias;
        const T _t17 = h + linear2_z;
        const T norm2_centered = _t17 - norm2_mu;
        const T norm2_normalized = norm2_centered * norm2_rstd;
        const T _t22 = norm2_normalized * norm2_weight;
        const T y = _t22 + norm2_bias;
        _row__t17[_j] = _t17;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_no_norm_first_relu(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask,
    src_key_padding_mask,
    nhead,
    eps,
):
    import cupy as cp

    _t1 = _linear(x, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_encoder_no_norm_first_relu_fwd_0(
        _t1, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = _split_heads(self_attn_q, nhead)
    _t3 = x.shape[-1]
    _t4 = _t3 / nhead
    _t5 = _t4 ** (-0.5)
    self_attn_heads_q = _transformer_encoder_no_norm_first_relu_fwd_1(_t2, _t5)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t6 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t6)
    self_attn_weights = _transformer_encoder_norm_first_relu_fwd_3(
        self_attn_scores, src_mask, src_key_padding_mask
    )
    _t7 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t7, nhead)
    _t8 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t11 = x.shape[-1]
    _t9, norm1_mu, norm1_rstd, h = _transformer_encoder_no_norm_first_relu_fwd_3(
        _t8, self_attn_out_proj_bias, x, _t11, eps, norm1_weight, norm1_bias
    )
    _t15 = _linear(h, linear1_weight)
    linear1_z, hidden = _transformer_encoder_no_norm_first_relu_fwd_4(
        _t15, linear1_bias
    )
    _t16 = _linear(hidden, linear2_weight)
    _t19 = x.shape[-1]
    _t17, norm2_mu, norm2_rstd, y = _transformer_encoder_no_norm_first_relu_fwd_5(
        _t16, linear2_bias, h, _t19, eps, norm2_weight, norm2_bias
    )
    return y, (
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        nhead,
        _t1,
        _t5,
        self_attn_weights,
        self_attn_attended,
        _t9,
        norm1_mu,
        norm1_rstd,
        h,
        linear1_z,
        _t17,
        norm2_mu,
        norm2_rstd,
    )


# transformer_encoder_no_norm_first_relu_bwd_3: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_encoder_no_norm_first_relu_bwd_3 = RowBlockKernel(
    "transformer_encoder_no_norm_first_relu_bwd_3",
    "row T _t17, per_row T norm2_mu, per_row T norm2_rstd, row T grad_y, scalar int64 _t24, column T norm2_weight",
    "row T norm2_p, row T grad_norm2_x",
    """
    T _c__t17[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t24;
    T _t27 = T(0);
    LF_ROW_LOOP(
        const T _t17 = _at.fill(_c__t17, _row__t17, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T _t23 = _t17 - norm2_mu;
        const T norm2_x_hat = _t23 * norm2_rstd;
        const T norm2_p = grad_y * norm2_x_hat;
        _t27 = _Sum()(_t27, norm2_p * norm2_weight);
    )
    _t27 = _row_reduce(_t27, _Sum());
    const T _t28 = _t27 * norm2_scale;
    T _t31 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        _t31 = _Sum()(_t31, grad_y * norm2_weight);
    )
    _t31 = _row_reduce(_t31, _Sum());
    const T _t32 = _t31 * norm2_scale;
    LF_ROW_LOOP(
        const T _t17 = _at.get(_c__t17, _row__t17, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T _t23 = _t17 - norm2_mu;
        const T norm2_x_hat = _t23 * norm2_rstd;
        const T norm2_p = grad_y * norm2_x_hat;
        const T _t25 = grad_y * norm2_weight;
        const T _t26 = _t25 * norm2_rstd;
        const T _t29 = norm2_x_hat * _t28;
        const T _t30 = _t26 - _t29;
        const T grad_norm2_x = _t30 - _t32;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_norm2_x[_j] = grad_norm2_x;
    )
    """,
)


# transformer_encoder_no_norm_first_relu_bwd_4: layers_spec/primitives.yaml:252
_transformer_encoder_no_norm_first_relu_bwd_4 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_relu_bwd_4",
    "T linear1_z, T grad_hidden",
    "T grad_linear1_z",
    """
    bool _t36 = linear1_z > T(0);
    grad_linear1_z = grad_hidden * _t36;
    """,
)


# transformer_encoder_no_norm_first_relu_bwd_5: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_encoder_no_norm_first_relu_bwd_5 = RowBlockKernel(
    "transformer_encoder_no_norm_first_relu_bwd_5",
    "row T grad_norm2_x, row T _t39, row T _t9, per_row T norm1_mu, per_row T norm1_rstd, scalar int64 _t42, column T norm1_weight",
    "row T grad_h, row T norm1_p, row T grad_norm1_x",
    """
    T _c_grad_norm2_x[LF_REGISTERS];
    T _c__t39[LF_REGISTERS];
    T _c__t9[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t42;
    T _t45 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.fill(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t39 = _at.fill(_c__t39, _row__t39, _j);
        const T _t9 = _at.fill(_c__t9, _row__t9, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h = grad_norm2_x + _t39;
        const T _t41 = _t9 - norm1_mu;
        const T norm1_x_hat = _t41 * norm1_rstd;
        const T norm1_p = grad_h * norm1_x_hat;
        _t45 = _Sum()(_t45, norm1_p * norm1_weight);
    )
    _t45 = _row_reduce(_t45, _Sum());
    const T _t46 = _t45 * norm1_scale;
    T _t49 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t39 = _at.get(_c__t39, _row__t39, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h = grad_norm2_x + _t39;
        _t49 = _Sum()(_t49, grad_h * norm1_weight);
    )
    _t49 = _row_reduce(_t49, _Sum());
    const T _t50 = _t49 * norm1_scale;
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t39 = _at.get(_c__t39, _row__t39, _j);
        const T _t9 = _at.get(_c__t9, _row__t9, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h = grad_norm2_x + _t39;
        const T _t41 = _t9 - norm1_mu;
        const T norm1_x_hat = _t41 * norm1_rstd;
        const T norm1_p = grad_h * norm1_x_hat;
        const T _t43 = grad_h * norm1_weight;
        const T _t44 = _t43 * norm1_rstd;
        const T _t47 = norm1_x_hat * _t46;
        const T _t48 = _t44 - _t47;
        const T grad_norm1_x = _t48 - _t50;
        _row_grad_h[_j] = grad_h;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_norm1_x[_j] = grad_norm1_x;
    )
    """,
)


# transformer_encoder_no_norm_first_relu_bwd_6: layers_spec/primitives.yaml:2973
_transformer_encoder_no_norm_first_relu_bwd_6 = RowBlockKernel(
    "transformer_encoder_no_norm_first_relu_bwd_6",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_unpadded",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t59 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        _t59 = _Sum()(_t59, grad_self_attn_weights * self_attn_weights);
    )
    _t59 = _row_reduce(_t59, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t60 = grad_self_attn_weights - _t59;
        const T grad_self_attn_unpadded = self_attn_weights * _t60;
        _row_grad_self_attn_unpadded[_j] = grad_self_attn_unpadded;
    )
    """,
)


# transformer_encoder_no_norm_first_relu_bwd_7: layers_spec/primitives.yaml:61
_transformer_encoder_no_norm_first_relu_bwd_7 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_relu_bwd_7",
    "T grad_self_attn_heads_q, T _t5",
    "T _t69",
    """
    _t69 = grad_self_attn_heads_q * _t5;
    """,
    scalars=("_t5",),
)


# transformer_encoder_no_norm_first_relu_bwd_8: layers_spec/primitives.yaml:522
_transformer_encoder_no_norm_first_relu_bwd_8 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_relu_bwd_8",
    "T grad_norm1_x, T _t75",
    "T grad_x",
    """
    grad_x = grad_norm1_x + _t75;
    """,
)


def _cupy_backward_no_norm_first_relu(
    grad_y,
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    nhead,
    _t1,
    _t5,
    self_attn_weights,
    self_attn_attended,
    _t9,
    norm1_mu,
    norm1_rstd,
    h,
    linear1_z,
    _t17,
    norm2_mu,
    norm2_rstd,
):
    import cupy as cp

    self_attn_qkv = _transformer_encoder_no_norm_first_relu_fwd_0(
        _t1, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_encoder_no_norm_first_relu_fwd_1(_t2, _t5)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t6 = cp.swapaxes(self_attn_heads_k, -1, -2)
    hidden = _transformer_encoder_norm_first_relu_bwd_2(linear1_z)
    _t24 = x.shape[-1]
    norm2_p, grad_norm2_x = _transformer_encoder_no_norm_first_relu_bwd_3(
        _t17, norm2_mu, norm2_rstd, grad_y, _t24, norm2_weight
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_linear2_bias = _cupy_sum_to(grad_norm2_x, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_norm2_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm2_x).T @ _rows(hidden)
    grad_linear1_z = _transformer_encoder_no_norm_first_relu_bwd_4(
        linear1_z, grad_hidden
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t39 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h)
    _t42 = x.shape[-1]
    grad_h, norm1_p, grad_norm1_x = _transformer_encoder_no_norm_first_relu_bwd_5(
        grad_norm2_x, _t39, _t9, norm1_mu, norm1_rstd, _t42, norm1_weight
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_h, self_attn_out_proj_bias.shape)
    grad_self_attn_out_proj_bias = _cupy_sum_to(
        grad_norm1_x, self_attn_out_proj_bias.shape
    )
    grad_self_attn_attended = _linear_backward_input(
        grad_norm1_x, self_attn_out_proj_weight
    )
    grad_self_attn_out_proj_weight = _rows(grad_norm1_x).T @ _rows(self_attn_attended)
    _t54 = _split_heads(grad_self_attn_attended, nhead)
    _t55 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t54, _t55)
    _t57 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t57, _t54)
    grad_self_attn_unpadded = _transformer_encoder_no_norm_first_relu_bwd_6(
        grad_self_attn_weights, self_attn_weights
    )
    _t62 = cp.swapaxes(_t6, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t62)
    _t64 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t65 = _cupy_bmm(_t64, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t65, -1, -2)
    _t69 = _transformer_encoder_no_norm_first_relu_bwd_7(grad_self_attn_heads_q, _t5)
    grad_self_attn_qkv = _cupy_join_heads(
        (_t69, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    _t75 = _linear_backward_input(grad_self_attn_qkv, self_attn_in_proj_weight)
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = _transformer_encoder_no_norm_first_relu_bwd_8(grad_norm1_x, _t75)
    return (
        grad_x,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
    )


# transformer_encoder_no_norm_first_gelu_fwd_4: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:23
_transformer_encoder_no_norm_first_gelu_fwd_4 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_gelu_fwd_4",
    "T _t15, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t15 + linear1_bias;
    T _t16 = T(0.7071067811865476) * linear1_z;
    T _t17 = erf(_t16);
    T _t18 = T(0.5) * _t17;
    T _t19 = T(0.5) + _t18;
    hidden = linear1_z * _t19;
    """,
)


# transformer_encoder_no_norm_first_gelu_fwd_5: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_encoder.yaml:53; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_encoder_no_norm_first_gelu_fwd_5 = RowBlockKernel(
    "transformer_encoder_no_norm_first_gelu_fwd_5",
    "row T _t20, column T linear2_bias, row T h, scalar int64 _t23, scalar T eps, column T norm2_weight, column T norm2_bias",
    "row T _t21, per_row T norm2_mu, per_row T norm2_rstd, row T y",
    """
    T _c__t20[LF_REGISTERS];
    T _c_h[LF_REGISTERS];
    T norm2_mu = T(0);
    LF_ROW_LOOP(
        const T _t20 = _at.fill(_c__t20, _row__t20, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h = _at.fill(_c_h, _row_h, _j);
        const T linear2_z = _t20 + linear2_bias;
        const T _t21 = h + linear2_z;
        norm2_mu = _Sum()(norm2_mu, _t21);
    )
    norm2_mu = _row_reduce(norm2_mu, _Sum());
    norm2_mu = norm2_mu / T(_n);
    T _t22 = T(0);
    LF_ROW_LOOP(
        const T _t20 = _at.get(_c__t20, _row__t20, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h = _at.get(_c_h, _row_h, _j);
        const T linear2_z = _t20 + linear2_bias;
        const T _t21 = h + linear2_z;
        const T norm2_centered = _t21 - norm2_mu;
        _t22 = _Sum()(_t22, norm2_centered * norm2_centered);
    )
    _t22 = _row_reduce(_t22, _Sum());
    const T norm2_variance = _t22 / _t23;
    const T _t24 = norm2_variance + eps;
    const T _t25 = sqrt(_t24);
    const T norm2_rstd = T(1) / _t25;
    LF_ROW_LOOP(
        const T _t20 = _at.get(_c__t20, _row__t20, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h = _at.get(_c_h, _row_h, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T norm2_bias = _p_norm2_bias[_j];
        const T linear2_z = _t20 + linear2_bias;
        const T _t21 = h + linear2_z;
        const T norm2_centered = _t21 - norm2_mu;
        const T norm2_normalized = norm2_centered * norm2_rstd;
        const T _t26 = norm2_normalized * norm2_weight;
        const T y = _t26 + norm2_bias;
        _row__t21[_j] = _t21;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_no_norm_first_gelu(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask,
    src_key_padding_mask,
    nhead,
    eps,
):
    import cupy as cp

    _t1 = _linear(x, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_encoder_no_norm_first_relu_fwd_0(
        _t1, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = _split_heads(self_attn_q, nhead)
    _t3 = x.shape[-1]
    _t4 = _t3 / nhead
    _t5 = _t4 ** (-0.5)
    self_attn_heads_q = _transformer_encoder_no_norm_first_relu_fwd_1(_t2, _t5)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t6 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t6)
    self_attn_weights = _transformer_encoder_norm_first_relu_fwd_3(
        self_attn_scores, src_mask, src_key_padding_mask
    )
    _t7 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t7, nhead)
    _t8 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t11 = x.shape[-1]
    _t9, norm1_mu, norm1_rstd, h = _transformer_encoder_no_norm_first_relu_fwd_3(
        _t8, self_attn_out_proj_bias, x, _t11, eps, norm1_weight, norm1_bias
    )
    _t15 = _linear(h, linear1_weight)
    linear1_z, hidden = _transformer_encoder_no_norm_first_gelu_fwd_4(
        _t15, linear1_bias
    )
    _t20 = _linear(hidden, linear2_weight)
    _t23 = x.shape[-1]
    _t21, norm2_mu, norm2_rstd, y = _transformer_encoder_no_norm_first_gelu_fwd_5(
        _t20, linear2_bias, h, _t23, eps, norm2_weight, norm2_bias
    )
    return y, (
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        nhead,
        _t1,
        _t5,
        self_attn_weights,
        self_attn_attended,
        _t9,
        norm1_mu,
        norm1_rstd,
        h,
        linear1_z,
        _t21,
        norm2_mu,
        norm2_rstd,
    )


# transformer_encoder_no_norm_first_gelu_bwd_2: layers_spec/activations/gelu.yaml:23
_transformer_encoder_no_norm_first_gelu_bwd_2 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_gelu_bwd_2",
    "T linear1_z",
    "T _t16, T _t19, T hidden",
    """
    _t16 = T(0.7071067811865476) * linear1_z;
    T _t17 = erf(_t16);
    T _t18 = T(0.5) * _t17;
    _t19 = T(0.5) + _t18;
    hidden = linear1_z * _t19;
    """,
)


# transformer_encoder_no_norm_first_gelu_bwd_3: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_encoder_no_norm_first_gelu_bwd_3 = RowBlockKernel(
    "transformer_encoder_no_norm_first_gelu_bwd_3",
    "row T _t21, per_row T norm2_mu, per_row T norm2_rstd, row T grad_y, scalar int64 _t28, column T norm2_weight",
    "row T norm2_p, row T grad_norm2_x",
    """
    T _c__t21[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t28;
    T _t31 = T(0);
    LF_ROW_LOOP(
        const T _t21 = _at.fill(_c__t21, _row__t21, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T _t27 = _t21 - norm2_mu;
        const T norm2_x_hat = _t27 * norm2_rstd;
        const T norm2_p = grad_y * norm2_x_hat;
        _t31 = _Sum()(_t31, norm2_p * norm2_weight);
    )
    _t31 = _row_reduce(_t31, _Sum());
    const T _t32 = _t31 * norm2_scale;
    T _t35 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        _t35 = _Sum()(_t35, grad_y * norm2_weight);
    )
    _t35 = _row_reduce(_t35, _Sum());
    const T _t36 = _t35 * norm2_scale;
    LF_ROW_LOOP(
        const T _t21 = _at.get(_c__t21, _row__t21, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T _t27 = _t21 - norm2_mu;
        const T norm2_x_hat = _t27 * norm2_rstd;
        const T norm2_p = grad_y * norm2_x_hat;
        const T _t29 = grad_y * norm2_weight;
        const T _t30 = _t29 * norm2_rstd;
        const T _t33 = norm2_x_hat * _t32;
        const T _t34 = _t30 - _t33;
        const T grad_norm2_x = _t34 - _t36;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_norm2_x[_j] = grad_norm2_x;
    )
    """,
)


# transformer_encoder_no_norm_first_gelu_bwd_4: layers_spec/primitives.yaml:61,62,1973
_transformer_encoder_no_norm_first_gelu_bwd_4 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_gelu_bwd_4",
    "T grad_hidden, T _t19, T linear1_z, T _t16",
    "T grad_linear1_z",
    """
    T _t40 = grad_hidden * _t19;
    T _t41 = grad_hidden * linear1_z;
    T _t42 = _t41 * T(0.5);
    T _t43 = _t42 * T(1.1283791670955126);
    T _t44 = _t16 * _t16;
    T _t45 = -_t44;
    T _t46 = exp(_t45);
    T _t47 = _t43 * _t46;
    T _t48 = _t47 * T(0.7071067811865476);
    grad_linear1_z = _t40 + _t48;
    """,
)


# transformer_encoder_no_norm_first_gelu_bwd_5: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_encoder_no_norm_first_gelu_bwd_5 = RowBlockKernel(
    "transformer_encoder_no_norm_first_gelu_bwd_5",
    "row T grad_norm2_x, row T _t50, row T _t9, per_row T norm1_mu, per_row T norm1_rstd, scalar int64 _t53, column T norm1_weight",
    "row T grad_h, row T norm1_p, row T grad_norm1_x",
    """
    T _c_grad_norm2_x[LF_REGISTERS];
    T _c__t50[LF_REGISTERS];
    T _c__t9[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t53;
    T _t56 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.fill(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t50 = _at.fill(_c__t50, _row__t50, _j);
        const T _t9 = _at.fill(_c__t9, _row__t9, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h = grad_norm2_x + _t50;
        const T _t52 = _t9 - norm1_mu;
        const T norm1_x_hat = _t52 * norm1_rstd;
        const T norm1_p = grad_h * norm1_x_hat;
        _t56 = _Sum()(_t56, norm1_p * norm1_weight);
    )
    _t56 = _row_reduce(_t56, _Sum());
    const T _t57 = _t56 * norm1_scale;
    T _t60 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t50 = _at.get(_c__t50, _row__t50, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h = grad_norm2_x + _t50;
        _t60 = _Sum()(_t60, grad_h * norm1_weight);
    )
    _t60 = _row_reduce(_t60, _Sum());
    const T _t61 = _t60 * norm1_scale;
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t50 = _at.get(_c__t50, _row__t50, _j);
        const T _t9 = _at.get(_c__t9, _row__t9, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h = grad_norm2_x + _t50;
        const T _t52 = _t9 - norm1_mu;
        const T norm1_x_hat = _t52 * norm1_rstd;
        const T norm1_p = grad_h * norm1_x_hat;
        const T _t54 = grad_h * norm1_weight;
        const T _t55 = _t54 * norm1_rstd;
        const T _t58 = norm1_x_hat * _t57;
        const T _t59 = _t55 - _t58;
        const T grad_norm1_x = _t59 - _t61;
        _row_grad_h[_j] = grad_h;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_norm1_x[_j] = grad_norm1_x;
    )
    """,
)


# transformer_encoder_no_norm_first_gelu_bwd_6: layers_spec/primitives.yaml:2973
_transformer_encoder_no_norm_first_gelu_bwd_6 = RowBlockKernel(
    "transformer_encoder_no_norm_first_gelu_bwd_6",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_unpadded",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t70 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        _t70 = _Sum()(_t70, grad_self_attn_weights * self_attn_weights);
    )
    _t70 = _row_reduce(_t70, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t71 = grad_self_attn_weights - _t70;
        const T grad_self_attn_unpadded = self_attn_weights * _t71;
        _row_grad_self_attn_unpadded[_j] = grad_self_attn_unpadded;
    )
    """,
)


# transformer_encoder_no_norm_first_gelu_bwd_7: layers_spec/primitives.yaml:61
_transformer_encoder_no_norm_first_gelu_bwd_7 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_gelu_bwd_7",
    "T grad_self_attn_heads_q, T _t5",
    "T _t80",
    """
    _t80 = grad_self_attn_heads_q * _t5;
    """,
    scalars=("_t5",),
)


# transformer_encoder_no_norm_first_gelu_bwd_8: layers_spec/primitives.yaml:522
_transformer_encoder_no_norm_first_gelu_bwd_8 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_gelu_bwd_8",
    "T grad_norm1_x, T _t86",
    "T grad_x",
    """
    grad_x = grad_norm1_x + _t86;
    """,
)


def _cupy_backward_no_norm_first_gelu(
    grad_y,
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    nhead,
    _t1,
    _t5,
    self_attn_weights,
    self_attn_attended,
    _t9,
    norm1_mu,
    norm1_rstd,
    h,
    linear1_z,
    _t21,
    norm2_mu,
    norm2_rstd,
):
    import cupy as cp

    self_attn_qkv = _transformer_encoder_no_norm_first_relu_fwd_0(
        _t1, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_encoder_no_norm_first_relu_fwd_1(_t2, _t5)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t6 = cp.swapaxes(self_attn_heads_k, -1, -2)
    _t16, _t19, hidden = _transformer_encoder_no_norm_first_gelu_bwd_2(linear1_z)
    _t28 = x.shape[-1]
    norm2_p, grad_norm2_x = _transformer_encoder_no_norm_first_gelu_bwd_3(
        _t21, norm2_mu, norm2_rstd, grad_y, _t28, norm2_weight
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_linear2_bias = _cupy_sum_to(grad_norm2_x, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_norm2_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm2_x).T @ _rows(hidden)
    grad_linear1_z = _transformer_encoder_no_norm_first_gelu_bwd_4(
        grad_hidden, _t19, linear1_z, _t16
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t50 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h)
    _t53 = x.shape[-1]
    grad_h, norm1_p, grad_norm1_x = _transformer_encoder_no_norm_first_gelu_bwd_5(
        grad_norm2_x, _t50, _t9, norm1_mu, norm1_rstd, _t53, norm1_weight
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_h, self_attn_out_proj_bias.shape)
    grad_self_attn_out_proj_bias = _cupy_sum_to(
        grad_norm1_x, self_attn_out_proj_bias.shape
    )
    grad_self_attn_attended = _linear_backward_input(
        grad_norm1_x, self_attn_out_proj_weight
    )
    grad_self_attn_out_proj_weight = _rows(grad_norm1_x).T @ _rows(self_attn_attended)
    _t65 = _split_heads(grad_self_attn_attended, nhead)
    _t66 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t65, _t66)
    _t68 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t68, _t65)
    grad_self_attn_unpadded = _transformer_encoder_no_norm_first_gelu_bwd_6(
        grad_self_attn_weights, self_attn_weights
    )
    _t73 = cp.swapaxes(_t6, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t73)
    _t75 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t76 = _cupy_bmm(_t75, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t76, -1, -2)
    _t80 = _transformer_encoder_no_norm_first_gelu_bwd_7(grad_self_attn_heads_q, _t5)
    grad_self_attn_qkv = _cupy_join_heads(
        (_t80, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    _t86 = _linear_backward_input(grad_self_attn_qkv, self_attn_in_proj_weight)
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = _transformer_encoder_no_norm_first_gelu_bwd_8(grad_norm1_x, _t86)
    return (
        grad_x,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
    )


# transformer_encoder_no_norm_first_gelu_tanh_fwd_4: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:20,21
_transformer_encoder_no_norm_first_gelu_tanh_fwd_4 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_gelu_tanh_fwd_4",
    "T _t15, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t15 + linear1_bias;
    T _t16 = linear1_z * linear1_z * linear1_z;
    T _t17 = T(0.044715) * _t16;
    T _t18 = linear1_z + _t17;
    T gelu_inner = T(0.7978845608028654) * _t18;
    T _t19 = T(0.5) * linear1_z;
    T _t20 = tanh(gelu_inner);
    T _t21 = T(1) + _t20;
    hidden = _t19 * _t21;
    """,
)


# transformer_encoder_no_norm_first_gelu_tanh_fwd_5: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_encoder.yaml:53; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_encoder_no_norm_first_gelu_tanh_fwd_5 = RowBlockKernel(
    "transformer_encoder_no_norm_first_gelu_tanh_fwd_5",
    "row T _t22, column T linear2_bias, row T h, scalar int64 _t25, scalar T eps, column T norm2_weight, column T norm2_bias",
    "row T _t23, per_row T norm2_mu, per_row T norm2_rstd, row T y",
    """
    T _c__t22[LF_REGISTERS];
    T _c_h[LF_REGISTERS];
    T norm2_mu = T(0);
    LF_ROW_LOOP(
        const T _t22 = _at.fill(_c__t22, _row__t22, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h = _at.fill(_c_h, _row_h, _j);
        const T linear2_z = _t22 + linear2_bias;
        const T _t23 = h + linear2_z;
        norm2_mu = _Sum()(norm2_mu, _t23);
    )
    norm2_mu = _row_reduce(norm2_mu, _Sum());
    norm2_mu = norm2_mu / T(_n);
    T _t24 = T(0);
    LF_ROW_LOOP(
        const T _t22 = _at.get(_c__t22, _row__t22, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h = _at.get(_c_h, _row_h, _j);
        const T linear2_z = _t22 + linear2_bias;
        const T _t23 = h + linear2_z;
        const T norm2_centered = _t23 - norm2_mu;
        _t24 = _Sum()(_t24, norm2_centered * norm2_centered);
    )
    _t24 = _row_reduce(_t24, _Sum());
    const T norm2_variance = _t24 / _t25;
    const T _t26 = norm2_variance + eps;
    const T _t27 = sqrt(_t26);
    const T norm2_rstd = T(1) / _t27;
    LF_ROW_LOOP(
        const T _t22 = _at.get(_c__t22, _row__t22, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h = _at.get(_c_h, _row_h, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T norm2_bias = _p_norm2_bias[_j];
        const T linear2_z = _t22 + linear2_bias;
        const T _t23 = h + linear2_z;
        const T norm2_centered = _t23 - norm2_mu;
        const T norm2_normalized = norm2_centered * norm2_rstd;
        const T _t28 = norm2_normalized * norm2_weight;
        const T y = _t28 + norm2_bias;
        _row__t23[_j] = _t23;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_no_norm_first_gelu_tanh(
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    linear2_bias,
    norm1_weight,
    norm1_bias,
    norm2_weight,
    norm2_bias,
    src_mask,
    src_key_padding_mask,
    nhead,
    eps,
):
    import cupy as cp

    _t1 = _linear(x, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_encoder_no_norm_first_relu_fwd_0(
        _t1, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = _split_heads(self_attn_q, nhead)
    _t3 = x.shape[-1]
    _t4 = _t3 / nhead
    _t5 = _t4 ** (-0.5)
    self_attn_heads_q = _transformer_encoder_no_norm_first_relu_fwd_1(_t2, _t5)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t6 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t6)
    self_attn_weights = _transformer_encoder_norm_first_relu_fwd_3(
        self_attn_scores, src_mask, src_key_padding_mask
    )
    _t7 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t7, nhead)
    _t8 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t11 = x.shape[-1]
    _t9, norm1_mu, norm1_rstd, h = _transformer_encoder_no_norm_first_relu_fwd_3(
        _t8, self_attn_out_proj_bias, x, _t11, eps, norm1_weight, norm1_bias
    )
    _t15 = _linear(h, linear1_weight)
    linear1_z, hidden = _transformer_encoder_no_norm_first_gelu_tanh_fwd_4(
        _t15, linear1_bias
    )
    _t22 = _linear(hidden, linear2_weight)
    _t25 = x.shape[-1]
    _t23, norm2_mu, norm2_rstd, y = _transformer_encoder_no_norm_first_gelu_tanh_fwd_5(
        _t22, linear2_bias, h, _t25, eps, norm2_weight, norm2_bias
    )
    return y, (
        x,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        nhead,
        _t1,
        _t5,
        self_attn_weights,
        self_attn_attended,
        _t9,
        norm1_mu,
        norm1_rstd,
        h,
        linear1_z,
        _t23,
        norm2_mu,
        norm2_rstd,
    )


# transformer_encoder_no_norm_first_gelu_tanh_bwd_2: layers_spec/activations/gelu.yaml:20,21
_transformer_encoder_no_norm_first_gelu_tanh_bwd_2 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_gelu_tanh_bwd_2",
    "T linear1_z",
    "T _t19, T _t20, T _t21, T hidden",
    """
    T _t16 = linear1_z * linear1_z * linear1_z;
    T _t17 = T(0.044715) * _t16;
    T _t18 = linear1_z + _t17;
    T gelu_inner = T(0.7978845608028654) * _t18;
    _t19 = T(0.5) * linear1_z;
    _t20 = tanh(gelu_inner);
    _t21 = T(1) + _t20;
    hidden = _t19 * _t21;
    """,
)


# transformer_encoder_no_norm_first_gelu_tanh_bwd_3: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_encoder_no_norm_first_gelu_tanh_bwd_3 = RowBlockKernel(
    "transformer_encoder_no_norm_first_gelu_tanh_bwd_3",
    "row T _t23, per_row T norm2_mu, per_row T norm2_rstd, row T grad_y, scalar int64 _t30, column T norm2_weight",
    "row T norm2_p, row T grad_norm2_x",
    """
    T _c__t23[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t30;
    T _t33 = T(0);
    LF_ROW_LOOP(
        const T _t23 = _at.fill(_c__t23, _row__t23, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T _t29 = _t23 - norm2_mu;
        const T norm2_x_hat = _t29 * norm2_rstd;
        const T norm2_p = grad_y * norm2_x_hat;
        _t33 = _Sum()(_t33, norm2_p * norm2_weight);
    )
    _t33 = _row_reduce(_t33, _Sum());
    const T _t34 = _t33 * norm2_scale;
    T _t37 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        _t37 = _Sum()(_t37, grad_y * norm2_weight);
    )
    _t37 = _row_reduce(_t37, _Sum());
    const T _t38 = _t37 * norm2_scale;
    LF_ROW_LOOP(
        const T _t23 = _at.get(_c__t23, _row__t23, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T _t29 = _t23 - norm2_mu;
        const T norm2_x_hat = _t29 * norm2_rstd;
        const T norm2_p = grad_y * norm2_x_hat;
        const T _t31 = grad_y * norm2_weight;
        const T _t32 = _t31 * norm2_rstd;
        const T _t35 = norm2_x_hat * _t34;
        const T _t36 = _t32 - _t35;
        const T grad_norm2_x = _t36 - _t38;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_norm2_x[_j] = grad_norm2_x;
    )
    """,
)


# transformer_encoder_no_norm_first_gelu_tanh_bwd_4: layers_spec/primitives.yaml:61,62,180,90
_transformer_encoder_no_norm_first_gelu_tanh_bwd_4 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_gelu_tanh_bwd_4",
    "T grad_hidden, T _t21, T _t19, T _t20, T linear1_z",
    "T grad_linear1_z",
    """
    T _t42 = grad_hidden * _t21;
    T _t43 = grad_hidden * _t19;
    T _t44 = _t20 * _t20;
    T _t45 = T(1) - _t44;
    T grad_gelu_inner = _t43 * _t45;
    T _t47 = _t42 * T(0.5);
    T _t48 = grad_gelu_inner * T(0.7978845608028654);
    T _t49 = _t48 * T(0.044715);
    T _t50 = _t49 * T(3);
    T _t51 = linear1_z * linear1_z;
    T _t52 = _t50 * _t51;
    T _t53 = _t47 + _t48;
    grad_linear1_z = _t53 + _t52;
    """,
)


# transformer_encoder_no_norm_first_gelu_tanh_bwd_5: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_encoder_no_norm_first_gelu_tanh_bwd_5 = RowBlockKernel(
    "transformer_encoder_no_norm_first_gelu_tanh_bwd_5",
    "row T grad_norm2_x, row T _t55, row T _t9, per_row T norm1_mu, per_row T norm1_rstd, scalar int64 _t58, column T norm1_weight",
    "row T grad_h, row T norm1_p, row T grad_norm1_x",
    """
    T _c_grad_norm2_x[LF_REGISTERS];
    T _c__t55[LF_REGISTERS];
    T _c__t9[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t58;
    T _t61 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.fill(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t55 = _at.fill(_c__t55, _row__t55, _j);
        const T _t9 = _at.fill(_c__t9, _row__t9, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h = grad_norm2_x + _t55;
        const T _t57 = _t9 - norm1_mu;
        const T norm1_x_hat = _t57 * norm1_rstd;
        const T norm1_p = grad_h * norm1_x_hat;
        _t61 = _Sum()(_t61, norm1_p * norm1_weight);
    )
    _t61 = _row_reduce(_t61, _Sum());
    const T _t62 = _t61 * norm1_scale;
    T _t65 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t55 = _at.get(_c__t55, _row__t55, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h = grad_norm2_x + _t55;
        _t65 = _Sum()(_t65, grad_h * norm1_weight);
    )
    _t65 = _row_reduce(_t65, _Sum());
    const T _t66 = _t65 * norm1_scale;
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t55 = _at.get(_c__t55, _row__t55, _j);
        const T _t9 = _at.get(_c__t9, _row__t9, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h = grad_norm2_x + _t55;
        const T _t57 = _t9 - norm1_mu;
        const T norm1_x_hat = _t57 * norm1_rstd;
        const T norm1_p = grad_h * norm1_x_hat;
        const T _t59 = grad_h * norm1_weight;
        const T _t60 = _t59 * norm1_rstd;
        const T _t63 = norm1_x_hat * _t62;
        const T _t64 = _t60 - _t63;
        const T grad_norm1_x = _t64 - _t66;
        _row_grad_h[_j] = grad_h;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_norm1_x[_j] = grad_norm1_x;
    )
    """,
)


# transformer_encoder_no_norm_first_gelu_tanh_bwd_6: layers_spec/primitives.yaml:2973
_transformer_encoder_no_norm_first_gelu_tanh_bwd_6 = RowBlockKernel(
    "transformer_encoder_no_norm_first_gelu_tanh_bwd_6",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_unpadded",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t75 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        _t75 = _Sum()(_t75, grad_self_attn_weights * self_attn_weights);
    )
    _t75 = _row_reduce(_t75, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t76 = grad_self_attn_weights - _t75;
        const T grad_self_attn_unpadded = self_attn_weights * _t76;
        _row_grad_self_attn_unpadded[_j] = grad_self_attn_unpadded;
    )
    """,
)


# transformer_encoder_no_norm_first_gelu_tanh_bwd_7: layers_spec/primitives.yaml:61
_transformer_encoder_no_norm_first_gelu_tanh_bwd_7 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_gelu_tanh_bwd_7",
    "T grad_self_attn_heads_q, T _t5",
    "T _t85",
    """
    _t85 = grad_self_attn_heads_q * _t5;
    """,
    scalars=("_t5",),
)


# transformer_encoder_no_norm_first_gelu_tanh_bwd_8: layers_spec/primitives.yaml:522
_transformer_encoder_no_norm_first_gelu_tanh_bwd_8 = ElementwiseKernel(
    "transformer_encoder_no_norm_first_gelu_tanh_bwd_8",
    "T grad_norm1_x, T _t91",
    "T grad_x",
    """
    grad_x = grad_norm1_x + _t91;
    """,
)


def _cupy_backward_no_norm_first_gelu_tanh(
    grad_y,
    x,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    nhead,
    _t1,
    _t5,
    self_attn_weights,
    self_attn_attended,
    _t9,
    norm1_mu,
    norm1_rstd,
    h,
    linear1_z,
    _t23,
    norm2_mu,
    norm2_rstd,
):
    import cupy as cp

    self_attn_qkv = _transformer_encoder_no_norm_first_relu_fwd_0(
        _t1, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_encoder_no_norm_first_relu_fwd_1(_t2, _t5)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t6 = cp.swapaxes(self_attn_heads_k, -1, -2)
    _t19, _t20, _t21, hidden = _transformer_encoder_no_norm_first_gelu_tanh_bwd_2(
        linear1_z
    )
    _t30 = x.shape[-1]
    norm2_p, grad_norm2_x = _transformer_encoder_no_norm_first_gelu_tanh_bwd_3(
        _t23, norm2_mu, norm2_rstd, grad_y, _t30, norm2_weight
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_linear2_bias = _cupy_sum_to(grad_norm2_x, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_norm2_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm2_x).T @ _rows(hidden)
    grad_linear1_z = _transformer_encoder_no_norm_first_gelu_tanh_bwd_4(
        grad_hidden, _t21, _t19, _t20, linear1_z
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t55 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h)
    _t58 = x.shape[-1]
    grad_h, norm1_p, grad_norm1_x = _transformer_encoder_no_norm_first_gelu_tanh_bwd_5(
        grad_norm2_x, _t55, _t9, norm1_mu, norm1_rstd, _t58, norm1_weight
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_h, self_attn_out_proj_bias.shape)
    grad_self_attn_out_proj_bias = _cupy_sum_to(
        grad_norm1_x, self_attn_out_proj_bias.shape
    )
    grad_self_attn_attended = _linear_backward_input(
        grad_norm1_x, self_attn_out_proj_weight
    )
    grad_self_attn_out_proj_weight = _rows(grad_norm1_x).T @ _rows(self_attn_attended)
    _t70 = _split_heads(grad_self_attn_attended, nhead)
    _t71 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t70, _t71)
    _t73 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t73, _t70)
    grad_self_attn_unpadded = _transformer_encoder_no_norm_first_gelu_tanh_bwd_6(
        grad_self_attn_weights, self_attn_weights
    )
    _t78 = cp.swapaxes(_t6, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t78)
    _t80 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t81 = _cupy_bmm(_t80, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t81, -1, -2)
    _t85 = _transformer_encoder_no_norm_first_gelu_tanh_bwd_7(
        grad_self_attn_heads_q, _t5
    )
    grad_self_attn_qkv = _cupy_join_heads(
        (_t85, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    _t91 = _linear_backward_input(grad_self_attn_qkv, self_attn_in_proj_weight)
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = _transformer_encoder_no_norm_first_gelu_tanh_bwd_8(grad_norm1_x, _t91)
    return (
        grad_x,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_linear1_weight,
        grad_linear1_bias,
        grad_linear2_weight,
        grad_linear2_bias,
        grad_norm1_weight,
        grad_norm1_bias,
        grad_norm2_weight,
        grad_norm2_bias,
    )


_CUPY_VARIANTS = {
    (True, "relu"): (_cupy_forward_norm_first_relu, _cupy_backward_norm_first_relu),
    (True, "gelu"): (_cupy_forward_norm_first_gelu, _cupy_backward_norm_first_gelu),
    (True, "gelu_tanh"): (
        _cupy_forward_norm_first_gelu_tanh,
        _cupy_backward_norm_first_gelu_tanh,
    ),
    (False, "relu"): (
        _cupy_forward_no_norm_first_relu,
        _cupy_backward_no_norm_first_relu,
    ),
    (False, "gelu"): (
        _cupy_forward_no_norm_first_gelu,
        _cupy_backward_no_norm_first_gelu,
    ),
    (False, "gelu_tanh"): (
        _cupy_forward_no_norm_first_gelu_tanh,
        _cupy_backward_no_norm_first_gelu_tanh,
    ),
}


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


def _cupy_join_heads(blocks, heads):
    """Blocks [..., heads, S, D] as one [..., S, len(blocks) * heads * D]: the
    merge_heads of each side by side along the last axis, each copied once."""
    import cupy as cp

    first = blocks[0]
    lead, length, width = first.shape[:-3], first.shape[-2], first.shape[-1]
    out = cp.empty(lead + (length, len(blocks), heads, width), dtype=first.dtype)
    for index, block in enumerate(blocks):
        out[..., index, :, :] = block.swapaxes(-2, -3)
    return out.reshape(lead + (length, len(blocks) * heads * width))


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
