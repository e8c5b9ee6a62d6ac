"""TransformerDecoder: A transformer decoder block as torch.nn.TransformerDecoderLayer(E,
nhead, F, dropout=0, batch_first=True): self-attention over x (tgt_mask, causal for a
language model), cross-attention from x to memory (memory_mask; the masks and key
padding masks optional, as nn.TransformerDecoderLayer's, and making no variants), then
the feed-forward network linear2(activation(linear1(h))), each with a residual add and a
layer normalization, after it (post-LN, norm_first false, the default) or before it
(norm_first true); the activation is relu, gelu (erf) or gelu_tanh. Gradients for x and
memory. Parameters are named as torch's state_dict (self_attn.*, multihead_attn.*,
linear1/2.*, norm1/2/3.*), in its order.
Generated from layers_spec/layers/transformer_decoder.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_divides,
    check_nonempty,
    check_blocks,
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

INPUTS = (
    "x",
    "memory",
    "tgt_mask",
    "memory_mask",
    "tgt_key_padding_mask",
    "memory_key_padding_mask",
)
PARAMETERS = (
    "self_attn_in_proj_weight",
    "self_attn_in_proj_bias",
    "self_attn_out_proj_weight",
    "self_attn_out_proj_bias",
    "multihead_attn_in_proj_weight",
    "multihead_attn_in_proj_bias",
    "multihead_attn_out_proj_weight",
    "multihead_attn_out_proj_bias",
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
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask=None,
    memory_mask=None,
    tgt_key_padding_mask=None,
    memory_key_padding_mask=None,
    *,
    nhead=8,
    eps=1e-05,
    norm_first=False,
    ffn_activation="relu",
):
    """TransformerDecoder forward pass.

    A transformer decoder block as torch.nn.TransformerDecoderLayer(E, nhead, F,
    dropout=0, batch_first=True): self-attention over x (tgt_mask, causal for a language
    model), cross-attention from x to memory (memory_mask; the masks and key padding
    masks optional, as nn.TransformerDecoderLayer's, and making no variants), then the
    feed-forward network linear2(activation(linear1(h))), each with a residual add and a
    layer normalization, after it (post-LN, norm_first false, the default) or before it
    (norm_first true); the activation is relu, gelu (erf) or gelu_tanh. Gradients for x
    and memory. Parameters are named as torch's state_dict (self_attn.*,
    multihead_attn.*, linear1/2.*, norm1/2/3.*), in its order.

    Args:
        x: float32 or float64 input of shape [..., S, E]. Target token features [batch,
            S, E].
        memory: float32 or float64 input of shape [..., S_m, E]. The encoder's output
            [batch, S_m, E].
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
        multihead_attn_in_proj_weight: float32 or float64 parameter of shape [3*E, E].
            PyTorch's multihead_attn.in_proj_weight: the in_proj_weight of
            MultiHeadAttention 'multihead_attn'.
        multihead_attn_in_proj_bias: float32 or float64 parameter of shape [3*E].
            PyTorch's multihead_attn.in_proj_bias: the in_proj_bias of
            MultiHeadAttention 'multihead_attn'.
        multihead_attn_out_proj_weight: float32 or float64 parameter of shape [E, E].
            PyTorch's multihead_attn.out_proj_weight: the out_proj_weight of
            MultiHeadAttention 'multihead_attn'.
        multihead_attn_out_proj_bias: float32 or float64 parameter of shape [E].
            PyTorch's multihead_attn.out_proj_bias: the out_proj_bias of
            MultiHeadAttention 'multihead_attn'.
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
        norm3_weight: float32 or float64 parameter of shape [E]. PyTorch's norm3.weight:
            the weight of LayerNormalization 'norm3'.
        norm3_bias: float32 or float64 parameter of shape [E]. PyTorch's norm3.bias: the
            bias of LayerNormalization 'norm3'.
        tgt_mask: bool or float mask (no gradient) input of shape [S, S], None to leave
            it out. True (or -inf) where target i may not attend to target j (causal: j
            > i).
        memory_mask: bool or float mask (no gradient) input of shape [S, S_m], None to
            leave it out. True (or -inf) where target i may not attend to memory
            position j.
        tgt_key_padding_mask: bool or float mask (no gradient) input of shape [..., S],
            None to leave it out. True (or -inf) where target j of a sequence is padding
            [batch, S].
        memory_key_padding_mask: bool or float mask (no gradient) input of shape [...,
            S_m], None to leave it out. True (or -inf) where memory position j of a
            sequence is padding [batch, S_m].
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
        "transformer_decoder",
        {
            "x": x,
            "memory": memory,
            "self_attn_in_proj_weight": self_attn_in_proj_weight,
            "self_attn_in_proj_bias": self_attn_in_proj_bias,
            "self_attn_out_proj_weight": self_attn_out_proj_weight,
            "self_attn_out_proj_bias": self_attn_out_proj_bias,
            "multihead_attn_in_proj_weight": multihead_attn_in_proj_weight,
            "multihead_attn_in_proj_bias": multihead_attn_in_proj_bias,
            "multihead_attn_out_proj_weight": multihead_attn_out_proj_weight,
            "multihead_attn_out_proj_bias": multihead_attn_out_proj_bias,
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
            "tgt_mask": tgt_mask,
            "memory_mask": memory_mask,
            "tgt_key_padding_mask": tgt_key_padding_mask,
            "memory_key_padding_mask": memory_key_padding_mask,
        },
        {
            "x": ("...", "S", "E"),
            "memory": ("...", "S_m", "E"),
            "self_attn_in_proj_weight": ("3*E", "E"),
            "self_attn_in_proj_bias": ("3*E",),
            "self_attn_out_proj_weight": ("E", "E"),
            "self_attn_out_proj_bias": ("E",),
            "multihead_attn_in_proj_weight": ("3*E", "E"),
            "multihead_attn_in_proj_bias": ("3*E",),
            "multihead_attn_out_proj_weight": ("E", "E"),
            "multihead_attn_out_proj_bias": ("E",),
            "linear1_weight": ("F", "E"),
            "linear1_bias": ("F",),
            "linear2_weight": ("E", "F"),
            "linear2_bias": ("E",),
            "norm1_weight": ("E",),
            "norm1_bias": ("E",),
            "norm2_weight": ("E",),
            "norm2_bias": ("E",),
            "norm3_weight": ("E",),
            "norm3_bias": ("E",),
            "tgt_mask": ("S", "S"),
            "memory_mask": ("S", "S_m"),
            "tgt_key_padding_mask": ("...", "S"),
            "memory_key_padding_mask": ("...", "S_m"),
        },
        optional=(
            "tgt_mask",
            "memory_mask",
            "tgt_key_padding_mask",
            "memory_key_padding_mask",
        ),
        kinds={
            "tgt_mask": "mask",
            "memory_mask": "mask",
            "tgt_key_padding_mask": "mask",
            "memory_key_padding_mask": "mask",
        },
    )
    check_attribute("transformer_decoder", "nhead", nhead, "int", minimum=1)
    check_divides("transformer_decoder", "nhead", nhead, "x", x.shape[-1])
    check_attribute("transformer_decoder", "eps", eps, "float", minimum=0.0)
    check_attribute("transformer_decoder", "norm_first", norm_first, "bool")
    check_attribute(
        "transformer_decoder",
        "ffn_activation",
        ffn_activation,
        "str",
        choices=("relu", "gelu", "gelu_tanh"),
    )
    check_nonempty("transformer_decoder", "x", x.shape, -1)
    check_nonempty("transformer_decoder", "x", x.shape, -2)
    check_nonempty("transformer_decoder", "memory", memory.shape, -2)
    check_blocks(
        "transformer_decoder",
        "multihead_attn_in_proj_weight",
        multihead_attn_in_proj_weight,
        3,
        0,
    )
    check_blocks(
        "transformer_decoder",
        "multihead_attn_in_proj_bias",
        multihead_attn_in_proj_bias,
        3,
        -1,
    )
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[(norm_first, ffn_activation)]
        y, saved = forward_variant(
            x,
            memory,
            self_attn_in_proj_weight,
            self_attn_in_proj_bias,
            self_attn_out_proj_weight,
            self_attn_out_proj_bias,
            multihead_attn_in_proj_weight,
            multihead_attn_in_proj_bias,
            multihead_attn_out_proj_weight,
            multihead_attn_out_proj_bias,
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
            tgt_mask,
            memory_mask,
            tgt_key_padding_mask,
            memory_key_padding_mask,
            nhead,
            eps,
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[(norm_first, ffn_activation)]
    y, saved = forward_variant(
        x,
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_in_proj_weight,
        multihead_attn_in_proj_bias,
        multihead_attn_out_proj_weight,
        multihead_attn_out_proj_bias,
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
        tgt_mask,
        memory_mask,
        tgt_key_padding_mask,
        memory_key_padding_mask,
        nhead,
        eps,
    )
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """TransformerDecoder backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_memory, grad_self_attn_in_proj_weight, grad_self_attn_in_proj_bias,
            grad_self_attn_out_proj_weight, grad_self_attn_out_proj_bias,
            grad_multihead_attn_in_proj_weight, grad_multihead_attn_in_proj_bias,
            grad_multihead_attn_out_proj_weight, grad_multihead_attn_out_proj_bias,
            grad_linear1_weight, grad_linear1_bias, grad_linear2_weight,
            grad_linear2_bias, grad_norm1_weight, grad_norm1_bias, grad_norm2_weight,
            grad_norm2_bias, grad_norm3_weight, grad_norm3_bias: gradients with respect
            to x, memory, self_attn_in_proj_weight, self_attn_in_proj_bias,
            self_attn_out_proj_weight, self_attn_out_proj_bias,
            multihead_attn_in_proj_weight, multihead_attn_in_proj_bias,
            multihead_attn_out_proj_weight, multihead_attn_out_proj_bias,
            linear1_weight, linear1_bias, linear2_weight, linear2_bias, norm1_weight,
            norm1_bias, norm2_weight, norm2_bias, norm3_weight, norm3_bias, in that
            order.
    """
    backward_variant, saved = check_context(
        "transformer_decoder", __name__, ctx, {"grad_y": grad_y}
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
    h1 = np.add(x, attended, out=attended)
    norm2_mu = _mean(h1, -1)
    norm2_centered = h1 - norm2_mu
    norm2_variance = _dot_last(norm2_centered, norm2_centered)
    norm2_variance /= x.shape[-1]
    norm2_rstd = np.add(norm2_variance, eps, out=norm2_variance)
    np.sqrt(norm2_rstd, out=norm2_rstd)
    np.divide(1, norm2_rstd, out=norm2_rstd)
    norm2_normalized = np.multiply(norm2_centered, norm2_rstd, out=norm2_centered)
    cross_input = np.multiply(norm2_normalized, norm2_weight, out=norm2_normalized)
    cross_input += norm2_bias
    return h1, norm2_mu, norm2_rstd, cross_input


def _forward_norm_first_relu_part3(
    _t1, multihead_attn_out_proj_bias, h1, x, eps, norm3_weight, norm3_bias
):
    crossed = _t1 + multihead_attn_out_proj_bias
    h2 = np.add(h1, crossed, out=crossed)
    norm3_mu = _mean(h2, -1)
    norm3_centered = h2 - norm3_mu
    norm3_variance = _dot_last(norm3_centered, norm3_centered)
    norm3_variance /= x.shape[-1]
    norm3_rstd = np.add(norm3_variance, eps, out=norm3_variance)
    np.sqrt(norm3_rstd, out=norm3_rstd)
    np.divide(1, norm3_rstd, out=norm3_rstd)
    norm3_normalized = np.multiply(norm3_centered, norm3_rstd, out=norm3_centered)
    ffn_input = np.multiply(norm3_normalized, norm3_weight, out=norm3_normalized)
    ffn_input += norm3_bias
    return h2, norm3_mu, norm3_rstd, ffn_input


def _forward_norm_first_relu(
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask,
    memory_mask,
    tgt_key_padding_mask,
    memory_key_padding_mask,
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
    self_attn_allowed = _apply_mask(self_attn_scores, tgt_mask)
    self_attn_unpadded = _apply_key_padding(self_attn_allowed, tgt_key_padding_mask)
    self_attn_weights = _masked_softmax(self_attn_unpadded)
    self_attn_attended = _merge_heads(_bmm(self_attn_weights, self_attn_heads_v), nhead)
    _t3 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t4 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    h1, norm2_mu, norm2_rstd, cross_input = in_row_blocks(
        _forward_norm_first_relu_part2,
        _t3,
        self_attn_out_proj_bias,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, None, 2, None, None, None),
    )
    multihead_attn_q = _linear(cross_input, _t4) + _chunk(
        multihead_attn_in_proj_bias, 3, 0, -1
    )
    _t5 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    multihead_attn_k = _linear(memory, _t5) + _chunk(
        multihead_attn_in_proj_bias, 3, 1, -1
    )
    _t6 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    multihead_attn_v = _linear(memory, _t6) + _chunk(
        multihead_attn_in_proj_bias, 3, 2, -1
    )
    multihead_attn_heads_q = _split_heads(multihead_attn_q, nhead) * _t2
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t7 = np.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _bmm(multihead_attn_heads_q, _t7)
    multihead_attn_allowed = _apply_mask(multihead_attn_scores, memory_mask)
    multihead_attn_unpadded = _apply_key_padding(
        multihead_attn_allowed, memory_key_padding_mask
    )
    multihead_attn_weights = _masked_softmax(multihead_attn_unpadded)
    multihead_attn_attended = _merge_heads(
        _bmm(multihead_attn_weights, multihead_attn_heads_v), nhead
    )
    _t8 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    h2, norm3_mu, norm3_rstd, ffn_input = in_row_blocks(
        _forward_norm_first_relu_part3,
        _t8,
        multihead_attn_out_proj_bias,
        h1,
        x,
        eps,
        norm3_weight,
        norm3_bias,
        named=(2, None, 2, 2, None, None, None),
    )
    linear1_z = _linear(ffn_input, linear1_weight)
    linear1_z += linear1_bias
    hidden = np.clip(linear1_z, 0, np.inf)
    linear2_z = _linear(hidden, linear2_weight)
    linear2_z += linear2_bias
    y = np.add(h2, linear2_z, out=linear2_z)
    return y, (
        x,
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_out_proj_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        nhead,
        norm1_mu,
        norm1_rstd,
        normalized,
        _t1,
        _t2,
        self_attn_weights,
        self_attn_attended,
        h1,
        norm2_mu,
        norm2_rstd,
        cross_input,
        _t4,
        _t5,
        _t6,
        _t2,
        multihead_attn_heads_q,
        multihead_attn_heads_v,
        _t7,
        multihead_attn_weights,
        multihead_attn_attended,
        h2,
        norm3_mu,
        norm3_rstd,
        ffn_input,
        linear1_z,
    )


def _backward_norm_first_relu_part1(
    h2,
    norm3_mu,
    norm3_rstd,
    grad_ffn_input,
    self_attn_out_proj_bias,
    x,
    norm3_weight,
    grad_y,
):
    norm3_x_hat = h2 - norm3_mu
    norm3_x_hat *= norm3_rstd
    norm3_p = grad_ffn_input * norm3_x_hat
    grad_norm3_weight = _sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _sum_to(grad_ffn_input, self_attn_out_proj_bias.shape)
    norm3_scale = norm3_rstd / x.shape[-1]
    grad_norm3_x = grad_ffn_input * norm3_weight
    grad_norm3_x *= norm3_rstd
    _t1 = norm3_x_hat * (_dot_last(norm3_p, norm3_weight) * norm3_scale)
    grad_norm3_x -= _t1
    grad_norm3_x -= _dot_last(grad_ffn_input, norm3_weight) * norm3_scale
    grad_h2 = np.add(grad_y, grad_norm3_x, out=grad_norm3_x)
    grad_multihead_attn_out_proj_bias = _sum_to(grad_h2, self_attn_out_proj_bias.shape)
    return (
        grad_h2,
        grad_norm3_weight,
        grad_norm3_bias,
        grad_multihead_attn_out_proj_bias,
    )


def _backward_norm_first_relu_part2(
    multihead_attn_heads_v, _t1, multihead_attn_weights, _t2, multihead_attn_heads_q
):
    grad_multihead_attn_weights = _bmm(_t1, np.swapaxes(multihead_attn_heads_v, -1, -2))
    grad_multihead_attn_heads_v = _bmm(np.swapaxes(multihead_attn_weights, -1, -2), _t1)
    grad_multihead_attn_unpadded = np.subtract(
        grad_multihead_attn_weights,
        _dot_last(grad_multihead_attn_weights, multihead_attn_weights),
        out=grad_multihead_attn_weights,
    )
    grad_multihead_attn_unpadded *= multihead_attn_weights
    grad_multihead_attn_heads_q = _bmm(
        grad_multihead_attn_unpadded, np.swapaxes(_t2, -1, -2)
    )
    grad_multihead_attn_heads_k = np.swapaxes(
        _bmm(np.swapaxes(multihead_attn_heads_q, -1, -2), grad_multihead_attn_unpadded),
        -1,
        -2,
    )
    return (
        grad_multihead_attn_heads_v,
        grad_multihead_attn_heads_q,
        grad_multihead_attn_heads_k,
    )


def _backward_norm_first_relu_part3(
    h1,
    norm2_mu,
    norm2_rstd,
    grad_cross_input,
    self_attn_out_proj_bias,
    x,
    norm2_weight,
    grad_h2,
):
    norm2_x_hat = h1 - norm2_mu
    norm2_x_hat *= norm2_rstd
    norm2_p = grad_cross_input * norm2_x_hat
    grad_norm2_weight = _sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _sum_to(grad_cross_input, self_attn_out_proj_bias.shape)
    norm2_scale = norm2_rstd / x.shape[-1]
    grad_norm2_x = grad_cross_input * norm2_weight
    grad_norm2_x *= norm2_rstd
    _t1 = norm2_x_hat * (_dot_last(norm2_p, norm2_weight) * norm2_scale)
    grad_norm2_x -= _t1
    grad_norm2_x -= _dot_last(grad_cross_input, norm2_weight) * norm2_scale
    grad_h1 = np.add(grad_h2, grad_norm2_x, out=grad_norm2_x)
    grad_self_attn_out_proj_bias = _sum_to(grad_h1, self_attn_out_proj_bias.shape)
    return grad_h1, grad_norm2_weight, grad_norm2_bias, grad_self_attn_out_proj_bias


def _backward_norm_first_relu_part4(
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


def _backward_norm_first_relu_part5(
    x,
    norm1_mu,
    norm1_rstd,
    grad_normalized,
    self_attn_out_proj_bias,
    norm1_weight,
    grad_h1,
    _t1,
    _t2,
):
    norm1_x_hat = x - norm1_mu
    norm1_x_hat *= norm1_rstd
    norm1_p = grad_normalized * norm1_x_hat
    grad_norm1_weight = _sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _sum_to(grad_normalized, self_attn_out_proj_bias.shape)
    norm1_scale = norm1_rstd / x.shape[-1]
    grad_norm1_x = grad_normalized * norm1_weight
    grad_norm1_x *= norm1_rstd
    _t3 = norm1_x_hat * (_dot_last(norm1_p, norm1_weight) * norm1_scale)
    grad_norm1_x -= _t3
    grad_norm1_x -= _dot_last(grad_normalized, norm1_weight) * norm1_scale
    grad_x = np.add(grad_h1, grad_norm1_x, out=grad_norm1_x)
    grad_memory = _t1 + _t2
    return grad_x, grad_memory, grad_norm1_weight, grad_norm1_bias


def _backward_norm_first_relu(
    grad_y,
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_out_proj_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    nhead,
    norm1_mu,
    norm1_rstd,
    normalized,
    _t1,
    _t2,
    self_attn_weights,
    self_attn_attended,
    h1,
    norm2_mu,
    norm2_rstd,
    cross_input,
    _t3,
    _t4,
    _t5,
    _t6,
    multihead_attn_heads_q,
    multihead_attn_heads_v,
    _t7,
    multihead_attn_weights,
    multihead_attn_attended,
    h2,
    norm3_mu,
    norm3_rstd,
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
    _t8 = np.swapaxes(self_attn_heads_k, -1, -2)
    hidden = np.clip(linear1_z, 0, np.inf)
    grad_linear2_bias = _sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(hidden)
    grad_linear1_z = grad_hidden * (linear1_z > 0)
    grad_linear1_bias = _sum_to(grad_linear1_z, linear1_bias.shape)
    grad_ffn_input = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(ffn_input)
    grad_h2, grad_norm3_weight, grad_norm3_bias, grad_multihead_attn_out_proj_bias = (
        in_row_blocks(
            _backward_norm_first_relu_part1,
            h2,
            norm3_mu,
            norm3_rstd,
            grad_ffn_input,
            self_attn_out_proj_bias,
            x,
            norm3_weight,
            grad_y,
            sums=3,
            named=(2, 2, 2, 2, None, 2, None, 2),
        )
    )
    grad_multihead_attn_attended = _linear_backward_input(
        grad_h2, multihead_attn_out_proj_weight
    )
    grad_multihead_attn_out_proj_weight = _rows(grad_h2).T @ _rows(
        multihead_attn_attended
    )
    _t9 = _split_heads(grad_multihead_attn_attended, nhead)
    (
        grad_multihead_attn_heads_v,
        grad_multihead_attn_heads_q,
        grad_multihead_attn_heads_k,
    ) = in_row_blocks(
        _backward_norm_first_relu_part2,
        multihead_attn_heads_v,
        _t9,
        multihead_attn_weights,
        _t7,
        multihead_attn_heads_q,
        named=(3, 3, 3, 3, 3),
    )
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    grad_multihead_attn_q = _merge_heads(grad_multihead_attn_heads_q * _t6, nhead)
    _t10 = _linear_backward_input(grad_multihead_attn_v, _t5)
    _t11 = _linear_backward_input(grad_multihead_attn_k, _t4)
    grad_cross_input = _linear_backward_input(grad_multihead_attn_q, _t3)
    grad_h1, grad_norm2_weight, grad_norm2_bias, grad_self_attn_out_proj_bias = (
        in_row_blocks(
            _backward_norm_first_relu_part3,
            h1,
            norm2_mu,
            norm2_rstd,
            grad_cross_input,
            self_attn_out_proj_bias,
            x,
            norm2_weight,
            grad_h2,
            sums=3,
            named=(2, 2, 2, 2, None, 2, None, 2),
        )
    )
    grad_self_attn_attended = _linear_backward_input(grad_h1, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h1).T @ _rows(self_attn_attended)
    _t12 = _split_heads(grad_self_attn_attended, nhead)
    grad_self_attn_heads_v, grad_self_attn_heads_k, _t13 = in_row_blocks(
        _backward_norm_first_relu_part4,
        self_attn_heads_v,
        _t12,
        self_attn_weights,
        _t8,
        self_attn_heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_self_attn_qkv = _join_heads(
        (_t13, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_normalized = _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(normalized)
    grad_multihead_attn_in_proj_weight = np.concatenate(
        (
            _rows(grad_multihead_attn_q).T @ _rows(cross_input),
            _rows(grad_multihead_attn_k).T @ _rows(memory),
            _rows(grad_multihead_attn_v).T @ _rows(memory),
        ),
        axis=0,
    )
    grad_multihead_attn_in_proj_bias = np.concatenate(
        (
            _sum_to(grad_multihead_attn_q, self_attn_out_proj_bias.shape),
            _sum_to(grad_multihead_attn_k, self_attn_out_proj_bias.shape),
            _sum_to(grad_multihead_attn_v, self_attn_out_proj_bias.shape),
        ),
        axis=-1,
    )
    grad_x, grad_memory, grad_norm1_weight, grad_norm1_bias = in_row_blocks(
        _backward_norm_first_relu_part5,
        x,
        norm1_mu,
        norm1_rstd,
        grad_normalized,
        self_attn_out_proj_bias,
        norm1_weight,
        grad_h1,
        _t10,
        _t11,
        sums=2,
        named=(2, 2, 2, 2, None, None, 2, 2, 2),
    )
    return (
        grad_x,
        grad_memory,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_multihead_attn_in_proj_weight,
        grad_multihead_attn_in_proj_bias,
        grad_multihead_attn_out_proj_weight,
        grad_multihead_attn_out_proj_bias,
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


def _forward_norm_first_gelu_part4(_t1, linear1_bias):
    linear1_z = _t1 + linear1_bias
    hidden = _erf(0.7071067811865476 * linear1_z)
    hidden *= 0.5
    hidden += 0.5
    hidden *= linear1_z
    return linear1_z, hidden


def _forward_norm_first_gelu(
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask,
    memory_mask,
    tgt_key_padding_mask,
    memory_key_padding_mask,
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
    self_attn_allowed = _apply_mask(self_attn_scores, tgt_mask)
    self_attn_unpadded = _apply_key_padding(self_attn_allowed, tgt_key_padding_mask)
    self_attn_weights = _masked_softmax(self_attn_unpadded)
    self_attn_attended = _merge_heads(_bmm(self_attn_weights, self_attn_heads_v), nhead)
    _t3 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t4 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    h1, norm2_mu, norm2_rstd, cross_input = in_row_blocks(
        _forward_norm_first_relu_part2,
        _t3,
        self_attn_out_proj_bias,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, None, 2, None, None, None),
    )
    multihead_attn_q = _linear(cross_input, _t4) + _chunk(
        multihead_attn_in_proj_bias, 3, 0, -1
    )
    _t5 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    multihead_attn_k = _linear(memory, _t5) + _chunk(
        multihead_attn_in_proj_bias, 3, 1, -1
    )
    _t6 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    multihead_attn_v = _linear(memory, _t6) + _chunk(
        multihead_attn_in_proj_bias, 3, 2, -1
    )
    multihead_attn_heads_q = _split_heads(multihead_attn_q, nhead) * _t2
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t7 = np.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _bmm(multihead_attn_heads_q, _t7)
    multihead_attn_allowed = _apply_mask(multihead_attn_scores, memory_mask)
    multihead_attn_unpadded = _apply_key_padding(
        multihead_attn_allowed, memory_key_padding_mask
    )
    multihead_attn_weights = _masked_softmax(multihead_attn_unpadded)
    multihead_attn_attended = _merge_heads(
        _bmm(multihead_attn_weights, multihead_attn_heads_v), nhead
    )
    _t8 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    h2, norm3_mu, norm3_rstd, ffn_input = in_row_blocks(
        _forward_norm_first_relu_part3,
        _t8,
        multihead_attn_out_proj_bias,
        h1,
        x,
        eps,
        norm3_weight,
        norm3_bias,
        named=(2, None, 2, 2, None, None, None),
    )
    _t9 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = in_row_blocks(
        _forward_norm_first_gelu_part4, _t9, linear1_bias, named=(2, None)
    )
    linear2_z = _linear(hidden, linear2_weight)
    linear2_z += linear2_bias
    y = np.add(h2, linear2_z, out=linear2_z)
    return y, (
        x,
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_out_proj_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        nhead,
        norm1_mu,
        norm1_rstd,
        normalized,
        _t1,
        _t2,
        self_attn_weights,
        self_attn_attended,
        h1,
        norm2_mu,
        norm2_rstd,
        cross_input,
        _t4,
        _t5,
        _t6,
        _t2,
        multihead_attn_heads_q,
        multihead_attn_heads_v,
        _t7,
        multihead_attn_weights,
        multihead_attn_attended,
        h2,
        norm3_mu,
        norm3_rstd,
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
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_out_proj_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    nhead,
    norm1_mu,
    norm1_rstd,
    normalized,
    _t1,
    _t2,
    self_attn_weights,
    self_attn_attended,
    h1,
    norm2_mu,
    norm2_rstd,
    cross_input,
    _t3,
    _t4,
    _t5,
    _t6,
    multihead_attn_heads_q,
    multihead_attn_heads_v,
    _t7,
    multihead_attn_weights,
    multihead_attn_attended,
    h2,
    norm3_mu,
    norm3_rstd,
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
    _t8 = np.swapaxes(self_attn_heads_k, -1, -2)
    _t9 = 0.7071067811865476 * linear1_z
    _t10 = _erf(_t9)
    _t10 *= 0.5
    _t10 += 0.5
    hidden = linear1_z * _t10
    grad_linear2_bias = _sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(hidden)
    grad_linear1_z, grad_linear1_bias = in_row_blocks(
        _backward_norm_first_gelu_part1,
        grad_hidden,
        _t10,
        linear1_z,
        _t9,
        linear1_bias,
        sums=1,
        named=(2, 2, 2, 2, None),
    )
    grad_ffn_input = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(ffn_input)
    grad_h2, grad_norm3_weight, grad_norm3_bias, grad_multihead_attn_out_proj_bias = (
        in_row_blocks(
            _backward_norm_first_relu_part1,
            h2,
            norm3_mu,
            norm3_rstd,
            grad_ffn_input,
            self_attn_out_proj_bias,
            x,
            norm3_weight,
            grad_y,
            sums=3,
            named=(2, 2, 2, 2, None, 2, None, 2),
        )
    )
    grad_multihead_attn_attended = _linear_backward_input(
        grad_h2, multihead_attn_out_proj_weight
    )
    grad_multihead_attn_out_proj_weight = _rows(grad_h2).T @ _rows(
        multihead_attn_attended
    )
    _t11 = _split_heads(grad_multihead_attn_attended, nhead)
    (
        grad_multihead_attn_heads_v,
        grad_multihead_attn_heads_q,
        grad_multihead_attn_heads_k,
    ) = in_row_blocks(
        _backward_norm_first_relu_part2,
        multihead_attn_heads_v,
        _t11,
        multihead_attn_weights,
        _t7,
        multihead_attn_heads_q,
        named=(3, 3, 3, 3, 3),
    )
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    grad_multihead_attn_q = _merge_heads(grad_multihead_attn_heads_q * _t6, nhead)
    _t12 = _linear_backward_input(grad_multihead_attn_v, _t5)
    _t13 = _linear_backward_input(grad_multihead_attn_k, _t4)
    grad_cross_input = _linear_backward_input(grad_multihead_attn_q, _t3)
    grad_h1, grad_norm2_weight, grad_norm2_bias, grad_self_attn_out_proj_bias = (
        in_row_blocks(
            _backward_norm_first_relu_part3,
            h1,
            norm2_mu,
            norm2_rstd,
            grad_cross_input,
            self_attn_out_proj_bias,
            x,
            norm2_weight,
            grad_h2,
            sums=3,
            named=(2, 2, 2, 2, None, 2, None, 2),
        )
    )
    grad_self_attn_attended = _linear_backward_input(grad_h1, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h1).T @ _rows(self_attn_attended)
    _t14 = _split_heads(grad_self_attn_attended, nhead)
    grad_self_attn_heads_v, grad_self_attn_heads_k, _t15 = in_row_blocks(
        _backward_norm_first_relu_part4,
        self_attn_heads_v,
        _t14,
        self_attn_weights,
        _t8,
        self_attn_heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_self_attn_qkv = _join_heads(
        (_t15, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_normalized = _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(normalized)
    grad_multihead_attn_in_proj_weight = np.concatenate(
        (
            _rows(grad_multihead_attn_q).T @ _rows(cross_input),
            _rows(grad_multihead_attn_k).T @ _rows(memory),
            _rows(grad_multihead_attn_v).T @ _rows(memory),
        ),
        axis=0,
    )
    grad_multihead_attn_in_proj_bias = np.concatenate(
        (
            _sum_to(grad_multihead_attn_q, self_attn_out_proj_bias.shape),
            _sum_to(grad_multihead_attn_k, self_attn_out_proj_bias.shape),
            _sum_to(grad_multihead_attn_v, self_attn_out_proj_bias.shape),
        ),
        axis=-1,
    )
    grad_x, grad_memory, grad_norm1_weight, grad_norm1_bias = in_row_blocks(
        _backward_norm_first_relu_part5,
        x,
        norm1_mu,
        norm1_rstd,
        grad_normalized,
        self_attn_out_proj_bias,
        norm1_weight,
        grad_h1,
        _t12,
        _t13,
        sums=2,
        named=(2, 2, 2, 2, None, None, 2, 2, 2),
    )
    return (
        grad_x,
        grad_memory,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_multihead_attn_in_proj_weight,
        grad_multihead_attn_in_proj_bias,
        grad_multihead_attn_out_proj_weight,
        grad_multihead_attn_out_proj_bias,
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


def _forward_norm_first_gelu_tanh_part4(_t1, linear1_bias):
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
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask,
    memory_mask,
    tgt_key_padding_mask,
    memory_key_padding_mask,
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
    self_attn_allowed = _apply_mask(self_attn_scores, tgt_mask)
    self_attn_unpadded = _apply_key_padding(self_attn_allowed, tgt_key_padding_mask)
    self_attn_weights = _masked_softmax(self_attn_unpadded)
    self_attn_attended = _merge_heads(_bmm(self_attn_weights, self_attn_heads_v), nhead)
    _t3 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t4 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    h1, norm2_mu, norm2_rstd, cross_input = in_row_blocks(
        _forward_norm_first_relu_part2,
        _t3,
        self_attn_out_proj_bias,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, None, 2, None, None, None),
    )
    multihead_attn_q = _linear(cross_input, _t4) + _chunk(
        multihead_attn_in_proj_bias, 3, 0, -1
    )
    _t5 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    multihead_attn_k = _linear(memory, _t5) + _chunk(
        multihead_attn_in_proj_bias, 3, 1, -1
    )
    _t6 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    multihead_attn_v = _linear(memory, _t6) + _chunk(
        multihead_attn_in_proj_bias, 3, 2, -1
    )
    multihead_attn_heads_q = _split_heads(multihead_attn_q, nhead) * _t2
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t7 = np.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _bmm(multihead_attn_heads_q, _t7)
    multihead_attn_allowed = _apply_mask(multihead_attn_scores, memory_mask)
    multihead_attn_unpadded = _apply_key_padding(
        multihead_attn_allowed, memory_key_padding_mask
    )
    multihead_attn_weights = _masked_softmax(multihead_attn_unpadded)
    multihead_attn_attended = _merge_heads(
        _bmm(multihead_attn_weights, multihead_attn_heads_v), nhead
    )
    _t8 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    h2, norm3_mu, norm3_rstd, ffn_input = in_row_blocks(
        _forward_norm_first_relu_part3,
        _t8,
        multihead_attn_out_proj_bias,
        h1,
        x,
        eps,
        norm3_weight,
        norm3_bias,
        named=(2, None, 2, 2, None, None, None),
    )
    _t9 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = in_row_blocks(
        _forward_norm_first_gelu_tanh_part4, _t9, linear1_bias, named=(2, None)
    )
    linear2_z = _linear(hidden, linear2_weight)
    linear2_z += linear2_bias
    y = np.add(h2, linear2_z, out=linear2_z)
    return y, (
        x,
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_out_proj_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        nhead,
        norm1_mu,
        norm1_rstd,
        normalized,
        _t1,
        _t2,
        self_attn_weights,
        self_attn_attended,
        h1,
        norm2_mu,
        norm2_rstd,
        cross_input,
        _t4,
        _t5,
        _t6,
        _t2,
        multihead_attn_heads_q,
        multihead_attn_heads_v,
        _t7,
        multihead_attn_weights,
        multihead_attn_attended,
        h2,
        norm3_mu,
        norm3_rstd,
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
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_out_proj_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    nhead,
    norm1_mu,
    norm1_rstd,
    normalized,
    _t1,
    _t2,
    self_attn_weights,
    self_attn_attended,
    h1,
    norm2_mu,
    norm2_rstd,
    cross_input,
    _t3,
    _t4,
    _t5,
    _t6,
    multihead_attn_heads_q,
    multihead_attn_heads_v,
    _t7,
    multihead_attn_weights,
    multihead_attn_attended,
    h2,
    norm3_mu,
    norm3_rstd,
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
    _t8 = np.swapaxes(self_attn_heads_k, -1, -2)
    gelu_inner = linear1_z * linear1_z
    gelu_inner *= linear1_z
    gelu_inner *= 0.044715
    gelu_inner += linear1_z
    gelu_inner *= 0.7978845608028654
    _t9 = 0.5 * linear1_z
    _t10 = np.tanh(gelu_inner, out=gelu_inner)
    _t11 = 1 + _t10
    hidden = _t9 * _t11
    grad_linear2_bias = _sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(hidden)
    grad_linear1_z, grad_linear1_bias = in_row_blocks(
        _backward_norm_first_gelu_tanh_part1,
        grad_hidden,
        _t11,
        _t9,
        _t10,
        linear1_z,
        linear1_bias,
        sums=1,
        named=(2, 2, 2, 2, 2, None),
    )
    grad_ffn_input = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(ffn_input)
    grad_h2, grad_norm3_weight, grad_norm3_bias, grad_multihead_attn_out_proj_bias = (
        in_row_blocks(
            _backward_norm_first_relu_part1,
            h2,
            norm3_mu,
            norm3_rstd,
            grad_ffn_input,
            self_attn_out_proj_bias,
            x,
            norm3_weight,
            grad_y,
            sums=3,
            named=(2, 2, 2, 2, None, 2, None, 2),
        )
    )
    grad_multihead_attn_attended = _linear_backward_input(
        grad_h2, multihead_attn_out_proj_weight
    )
    grad_multihead_attn_out_proj_weight = _rows(grad_h2).T @ _rows(
        multihead_attn_attended
    )
    _t12 = _split_heads(grad_multihead_attn_attended, nhead)
    (
        grad_multihead_attn_heads_v,
        grad_multihead_attn_heads_q,
        grad_multihead_attn_heads_k,
    ) = in_row_blocks(
        _backward_norm_first_relu_part2,
        multihead_attn_heads_v,
        _t12,
        multihead_attn_weights,
        _t7,
        multihead_attn_heads_q,
        named=(3, 3, 3, 3, 3),
    )
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    grad_multihead_attn_q = _merge_heads(grad_multihead_attn_heads_q * _t6, nhead)
    _t13 = _linear_backward_input(grad_multihead_attn_v, _t5)
    _t14 = _linear_backward_input(grad_multihead_attn_k, _t4)
    grad_cross_input = _linear_backward_input(grad_multihead_attn_q, _t3)
    grad_h1, grad_norm2_weight, grad_norm2_bias, grad_self_attn_out_proj_bias = (
        in_row_blocks(
            _backward_norm_first_relu_part3,
            h1,
            norm2_mu,
            norm2_rstd,
            grad_cross_input,
            self_attn_out_proj_bias,
            x,
            norm2_weight,
            grad_h2,
            sums=3,
            named=(2, 2, 2, 2, None, 2, None, 2),
        )
    )
    grad_self_attn_attended = _linear_backward_input(grad_h1, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h1).T @ _rows(self_attn_attended)
    _t15 = _split_heads(grad_self_attn_attended, nhead)
    grad_self_attn_heads_v, grad_self_attn_heads_k, _t16 = in_row_blocks(
        _backward_norm_first_relu_part4,
        self_attn_heads_v,
        _t15,
        self_attn_weights,
        _t8,
        self_attn_heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_self_attn_qkv = _join_heads(
        (_t16, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_normalized = _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(normalized)
    grad_multihead_attn_in_proj_weight = np.concatenate(
        (
            _rows(grad_multihead_attn_q).T @ _rows(cross_input),
            _rows(grad_multihead_attn_k).T @ _rows(memory),
            _rows(grad_multihead_attn_v).T @ _rows(memory),
        ),
        axis=0,
    )
    grad_multihead_attn_in_proj_bias = np.concatenate(
        (
            _sum_to(grad_multihead_attn_q, self_attn_out_proj_bias.shape),
            _sum_to(grad_multihead_attn_k, self_attn_out_proj_bias.shape),
            _sum_to(grad_multihead_attn_v, self_attn_out_proj_bias.shape),
        ),
        axis=-1,
    )
    grad_x, grad_memory, grad_norm1_weight, grad_norm1_bias = in_row_blocks(
        _backward_norm_first_relu_part5,
        x,
        norm1_mu,
        norm1_rstd,
        grad_normalized,
        self_attn_out_proj_bias,
        norm1_weight,
        grad_h1,
        _t13,
        _t14,
        sums=2,
        named=(2, 2, 2, 2, None, None, 2, 2, 2),
    )
    return (
        grad_x,
        grad_memory,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_multihead_attn_in_proj_weight,
        grad_multihead_attn_in_proj_bias,
        grad_multihead_attn_out_proj_weight,
        grad_multihead_attn_out_proj_bias,
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
    h1 = np.multiply(norm1_normalized, norm1_weight, out=norm1_normalized)
    h1 += norm1_bias
    return _t2, norm1_mu, norm1_rstd, h1


def _forward_no_norm_first_relu_part2(
    _t1, multihead_attn_out_proj_bias, h1, x, eps, norm2_weight, norm2_bias
):
    crossed = _t1 + multihead_attn_out_proj_bias
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
    return _t2, norm2_mu, norm2_rstd, h2


def _forward_no_norm_first_relu_part3(
    _t1, linear2_bias, h2, x, eps, norm3_weight, norm3_bias
):
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


def _forward_no_norm_first_relu(
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask,
    memory_mask,
    tgt_key_padding_mask,
    memory_key_padding_mask,
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
    self_attn_allowed = _apply_mask(self_attn_scores, tgt_mask)
    self_attn_unpadded = _apply_key_padding(self_attn_allowed, tgt_key_padding_mask)
    self_attn_weights = _masked_softmax(self_attn_unpadded)
    self_attn_attended = _merge_heads(_bmm(self_attn_weights, self_attn_heads_v), nhead)
    _t3 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t4 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t5, norm1_mu, norm1_rstd, h1 = in_row_blocks(
        _forward_no_norm_first_relu_part1,
        _t3,
        self_attn_out_proj_bias,
        x,
        eps,
        norm1_weight,
        norm1_bias,
        named=(2, None, 2, None, None, None),
    )
    multihead_attn_q = _linear(h1, _t4) + _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    _t6 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    multihead_attn_k = _linear(memory, _t6) + _chunk(
        multihead_attn_in_proj_bias, 3, 1, -1
    )
    _t7 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    multihead_attn_v = _linear(memory, _t7) + _chunk(
        multihead_attn_in_proj_bias, 3, 2, -1
    )
    multihead_attn_heads_q = _split_heads(multihead_attn_q, nhead) * _t2
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t8 = np.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _bmm(multihead_attn_heads_q, _t8)
    multihead_attn_allowed = _apply_mask(multihead_attn_scores, memory_mask)
    multihead_attn_unpadded = _apply_key_padding(
        multihead_attn_allowed, memory_key_padding_mask
    )
    multihead_attn_weights = _masked_softmax(multihead_attn_unpadded)
    multihead_attn_attended = _merge_heads(
        _bmm(multihead_attn_weights, multihead_attn_heads_v), nhead
    )
    _t9 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    _t10, norm2_mu, norm2_rstd, h2 = in_row_blocks(
        _forward_no_norm_first_relu_part2,
        _t9,
        multihead_attn_out_proj_bias,
        h1,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, None, 2, 2, None, None, None),
    )
    linear1_z = _linear(h2, linear1_weight)
    linear1_z += linear1_bias
    hidden = np.clip(linear1_z, 0, np.inf)
    _t11 = _linear(hidden, linear2_weight)
    _t12, norm3_mu, norm3_rstd, y = in_row_blocks(
        _forward_no_norm_first_relu_part3,
        _t11,
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
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_out_proj_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        nhead,
        _t1,
        _t2,
        self_attn_weights,
        self_attn_attended,
        _t5,
        norm1_mu,
        norm1_rstd,
        h1,
        _t4,
        _t6,
        _t7,
        _t2,
        multihead_attn_heads_q,
        multihead_attn_heads_v,
        _t8,
        multihead_attn_weights,
        multihead_attn_attended,
        _t10,
        norm2_mu,
        norm2_rstd,
        h2,
        linear1_z,
        _t12,
        norm3_mu,
        norm3_rstd,
    )


def _backward_no_norm_first_relu_part1(
    self_attn_heads_k,
    linear1_z,
    _t1,
    norm3_mu,
    norm3_rstd,
    grad_y,
    self_attn_out_proj_bias,
    x,
    norm3_weight,
):
    _t2 = np.swapaxes(self_attn_heads_k, -1, -2)
    hidden = np.clip(linear1_z, 0, np.inf)
    norm3_x_hat = _t1 - norm3_mu
    norm3_x_hat *= norm3_rstd
    norm3_p = grad_y * norm3_x_hat
    grad_norm3_weight = _sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _sum_to(grad_y, self_attn_out_proj_bias.shape)
    norm3_scale = norm3_rstd / x.shape[-1]
    grad_norm3_x = grad_y * norm3_weight
    grad_norm3_x *= norm3_rstd
    _t3 = norm3_x_hat * (_dot_last(norm3_p, norm3_weight) * norm3_scale)
    grad_norm3_x -= _t3
    grad_norm3_x -= _dot_last(grad_y, norm3_weight) * norm3_scale
    grad_linear2_bias = _sum_to(grad_norm3_x, self_attn_out_proj_bias.shape)
    return (
        _t2,
        hidden,
        grad_norm3_x,
        grad_norm3_weight,
        grad_norm3_bias,
        grad_linear2_bias,
    )


def _backward_no_norm_first_relu_part2(
    grad_norm3_x,
    _t1,
    _t2,
    norm2_mu,
    norm2_rstd,
    self_attn_out_proj_bias,
    x,
    norm2_weight,
):
    grad_h2 = grad_norm3_x + _t1
    norm2_x_hat = _t2 - norm2_mu
    norm2_x_hat *= norm2_rstd
    norm2_p = grad_h2 * norm2_x_hat
    grad_norm2_weight = _sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _sum_to(grad_h2, self_attn_out_proj_bias.shape)
    norm2_scale = norm2_rstd / x.shape[-1]
    grad_norm2_x = grad_h2 * norm2_weight
    grad_norm2_x *= norm2_rstd
    _t3 = norm2_x_hat * (_dot_last(norm2_p, norm2_weight) * norm2_scale)
    grad_norm2_x -= _t3
    grad_norm2_x -= _dot_last(grad_h2, norm2_weight) * norm2_scale
    grad_multihead_attn_out_proj_bias = _sum_to(
        grad_norm2_x, self_attn_out_proj_bias.shape
    )
    return (
        grad_norm2_x,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_multihead_attn_out_proj_bias,
    )


def _backward_no_norm_first_relu_part4(
    grad_norm2_x,
    _t1,
    _t2,
    norm1_mu,
    norm1_rstd,
    self_attn_out_proj_bias,
    x,
    norm1_weight,
):
    grad_h1 = grad_norm2_x + _t1
    norm1_x_hat = _t2 - norm1_mu
    norm1_x_hat *= norm1_rstd
    norm1_p = grad_h1 * norm1_x_hat
    grad_norm1_weight = _sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _sum_to(grad_h1, self_attn_out_proj_bias.shape)
    norm1_scale = norm1_rstd / x.shape[-1]
    grad_norm1_x = grad_h1 * norm1_weight
    grad_norm1_x *= norm1_rstd
    _t3 = norm1_x_hat * (_dot_last(norm1_p, norm1_weight) * norm1_scale)
    grad_norm1_x -= _t3
    grad_norm1_x -= _dot_last(grad_h1, norm1_weight) * norm1_scale
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
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_out_proj_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    nhead,
    _t1,
    _t2,
    self_attn_weights,
    self_attn_attended,
    _t3,
    norm1_mu,
    norm1_rstd,
    h1,
    _t4,
    _t5,
    _t6,
    _t7,
    multihead_attn_heads_q,
    multihead_attn_heads_v,
    _t8,
    multihead_attn_weights,
    multihead_attn_attended,
    _t9,
    norm2_mu,
    norm2_rstd,
    h2,
    linear1_z,
    _t10,
    norm3_mu,
    norm3_rstd,
):
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    (
        _t11,
        hidden,
        grad_norm3_x,
        grad_norm3_weight,
        grad_norm3_bias,
        grad_linear2_bias,
    ) = in_row_blocks(
        _backward_no_norm_first_relu_part1,
        self_attn_heads_k,
        linear1_z,
        _t10,
        norm3_mu,
        norm3_rstd,
        grad_y,
        self_attn_out_proj_bias,
        x,
        norm3_weight,
        sums=3,
        named=(3, 2, 2, 2, 2, 2, None, 2, None),
    )
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z = grad_hidden * (linear1_z > 0)
    grad_linear1_bias = _sum_to(grad_linear1_z, linear1_bias.shape)
    _t12 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    (
        grad_norm2_x,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_multihead_attn_out_proj_bias,
    ) = in_row_blocks(
        _backward_no_norm_first_relu_part2,
        grad_norm3_x,
        _t12,
        _t9,
        norm2_mu,
        norm2_rstd,
        self_attn_out_proj_bias,
        x,
        norm2_weight,
        sums=3,
        named=(2, 2, 2, 2, 2, None, 2, None),
    )
    grad_multihead_attn_attended = _linear_backward_input(
        grad_norm2_x, multihead_attn_out_proj_weight
    )
    grad_multihead_attn_out_proj_weight = _rows(grad_norm2_x).T @ _rows(
        multihead_attn_attended
    )
    _t13 = _split_heads(grad_multihead_attn_attended, nhead)
    (
        grad_multihead_attn_heads_v,
        grad_multihead_attn_heads_q,
        grad_multihead_attn_heads_k,
    ) = in_row_blocks(
        _backward_norm_first_relu_part2,
        multihead_attn_heads_v,
        _t13,
        multihead_attn_weights,
        _t8,
        multihead_attn_heads_q,
        named=(3, 3, 3, 3, 3),
    )
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    grad_multihead_attn_q = _merge_heads(grad_multihead_attn_heads_q * _t7, nhead)
    _t14 = _linear_backward_input(grad_multihead_attn_q, _t4)
    grad_norm1_x, grad_norm1_weight, grad_norm1_bias, grad_self_attn_out_proj_bias = (
        in_row_blocks(
            _backward_no_norm_first_relu_part4,
            grad_norm2_x,
            _t14,
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
    _t15 = _split_heads(grad_self_attn_attended, nhead)
    grad_self_attn_heads_v, grad_self_attn_heads_k, _t16 = in_row_blocks(
        _backward_norm_first_relu_part4,
        self_attn_heads_v,
        _t15,
        self_attn_weights,
        _t11,
        self_attn_heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_self_attn_qkv = _join_heads(
        (_t16, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = grad_norm1_x + _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_memory = _linear_backward_input(
        grad_multihead_attn_v, _t6
    ) + _linear_backward_input(grad_multihead_attn_k, _t5)
    grad_multihead_attn_in_proj_weight = np.concatenate(
        (
            _rows(grad_multihead_attn_q).T @ _rows(h1),
            _rows(grad_multihead_attn_k).T @ _rows(memory),
            _rows(grad_multihead_attn_v).T @ _rows(memory),
        ),
        axis=0,
    )
    grad_multihead_attn_in_proj_bias = np.concatenate(
        (
            _sum_to(grad_multihead_attn_q, self_attn_out_proj_bias.shape),
            _sum_to(grad_multihead_attn_k, self_attn_out_proj_bias.shape),
            _sum_to(grad_multihead_attn_v, self_attn_out_proj_bias.shape),
        ),
        axis=-1,
    )
    return (
        grad_x,
        grad_memory,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_multihead_attn_in_proj_weight,
        grad_multihead_attn_in_proj_bias,
        grad_multihead_attn_out_proj_weight,
        grad_multihead_attn_out_proj_bias,
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


def _forward_no_norm_first_gelu(
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask,
    memory_mask,
    tgt_key_padding_mask,
    memory_key_padding_mask,
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
    self_attn_allowed = _apply_mask(self_attn_scores, tgt_mask)
    self_attn_unpadded = _apply_key_padding(self_attn_allowed, tgt_key_padding_mask)
    self_attn_weights = _masked_softmax(self_attn_unpadded)
    self_attn_attended = _merge_heads(_bmm(self_attn_weights, self_attn_heads_v), nhead)
    _t3 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t4 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t5, norm1_mu, norm1_rstd, h1 = in_row_blocks(
        _forward_no_norm_first_relu_part1,
        _t3,
        self_attn_out_proj_bias,
        x,
        eps,
        norm1_weight,
        norm1_bias,
        named=(2, None, 2, None, None, None),
    )
    multihead_attn_q = _linear(h1, _t4) + _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    _t6 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    multihead_attn_k = _linear(memory, _t6) + _chunk(
        multihead_attn_in_proj_bias, 3, 1, -1
    )
    _t7 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    multihead_attn_v = _linear(memory, _t7) + _chunk(
        multihead_attn_in_proj_bias, 3, 2, -1
    )
    multihead_attn_heads_q = _split_heads(multihead_attn_q, nhead) * _t2
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t8 = np.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _bmm(multihead_attn_heads_q, _t8)
    multihead_attn_allowed = _apply_mask(multihead_attn_scores, memory_mask)
    multihead_attn_unpadded = _apply_key_padding(
        multihead_attn_allowed, memory_key_padding_mask
    )
    multihead_attn_weights = _masked_softmax(multihead_attn_unpadded)
    multihead_attn_attended = _merge_heads(
        _bmm(multihead_attn_weights, multihead_attn_heads_v), nhead
    )
    _t9 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    _t10, norm2_mu, norm2_rstd, h2 = in_row_blocks(
        _forward_no_norm_first_relu_part2,
        _t9,
        multihead_attn_out_proj_bias,
        h1,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, None, 2, 2, None, None, None),
    )
    _t11 = _linear(h2, linear1_weight)
    linear1_z, hidden = in_row_blocks(
        _forward_norm_first_gelu_part4, _t11, linear1_bias, named=(2, None)
    )
    _t12 = _linear(hidden, linear2_weight)
    _t13, norm3_mu, norm3_rstd, y = in_row_blocks(
        _forward_no_norm_first_relu_part3,
        _t12,
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
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_out_proj_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        nhead,
        _t1,
        _t2,
        self_attn_weights,
        self_attn_attended,
        _t5,
        norm1_mu,
        norm1_rstd,
        h1,
        _t4,
        _t6,
        _t7,
        _t2,
        multihead_attn_heads_q,
        multihead_attn_heads_v,
        _t8,
        multihead_attn_weights,
        multihead_attn_attended,
        _t10,
        norm2_mu,
        norm2_rstd,
        h2,
        linear1_z,
        _t13,
        norm3_mu,
        norm3_rstd,
    )


def _backward_no_norm_first_gelu_part1(
    self_attn_heads_k,
    linear1_z,
    _t1,
    norm3_mu,
    norm3_rstd,
    grad_y,
    self_attn_out_proj_bias,
    x,
    norm3_weight,
):
    _t2 = np.swapaxes(self_attn_heads_k, -1, -2)
    _t3 = 0.7071067811865476 * linear1_z
    _t4 = _erf(_t3)
    _t4 *= 0.5
    _t4 += 0.5
    hidden = linear1_z * _t4
    norm3_x_hat = _t1 - norm3_mu
    norm3_x_hat *= norm3_rstd
    norm3_p = grad_y * norm3_x_hat
    grad_norm3_weight = _sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _sum_to(grad_y, self_attn_out_proj_bias.shape)
    norm3_scale = norm3_rstd / x.shape[-1]
    grad_norm3_x = grad_y * norm3_weight
    grad_norm3_x *= norm3_rstd
    _t5 = norm3_x_hat * (_dot_last(norm3_p, norm3_weight) * norm3_scale)
    grad_norm3_x -= _t5
    grad_norm3_x -= _dot_last(grad_y, norm3_weight) * norm3_scale
    grad_linear2_bias = _sum_to(grad_norm3_x, self_attn_out_proj_bias.shape)
    return (
        _t2,
        _t3,
        _t4,
        hidden,
        grad_norm3_x,
        grad_norm3_weight,
        grad_norm3_bias,
        grad_linear2_bias,
    )


def _backward_no_norm_first_gelu(
    grad_y,
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_out_proj_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    nhead,
    _t1,
    _t2,
    self_attn_weights,
    self_attn_attended,
    _t3,
    norm1_mu,
    norm1_rstd,
    h1,
    _t4,
    _t5,
    _t6,
    _t7,
    multihead_attn_heads_q,
    multihead_attn_heads_v,
    _t8,
    multihead_attn_weights,
    multihead_attn_attended,
    _t9,
    norm2_mu,
    norm2_rstd,
    h2,
    linear1_z,
    _t10,
    norm3_mu,
    norm3_rstd,
):
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    (
        _t11,
        _t12,
        _t13,
        hidden,
        grad_norm3_x,
        grad_norm3_weight,
        grad_norm3_bias,
        grad_linear2_bias,
    ) = in_row_blocks(
        _backward_no_norm_first_gelu_part1,
        self_attn_heads_k,
        linear1_z,
        _t10,
        norm3_mu,
        norm3_rstd,
        grad_y,
        self_attn_out_proj_bias,
        x,
        norm3_weight,
        sums=3,
        named=(3, 2, 2, 2, 2, 2, None, 2, None),
    )
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z, grad_linear1_bias = in_row_blocks(
        _backward_norm_first_gelu_part1,
        grad_hidden,
        _t13,
        linear1_z,
        _t12,
        linear1_bias,
        sums=1,
        named=(2, 2, 2, 2, None),
    )
    _t14 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    (
        grad_norm2_x,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_multihead_attn_out_proj_bias,
    ) = in_row_blocks(
        _backward_no_norm_first_relu_part2,
        grad_norm3_x,
        _t14,
        _t9,
        norm2_mu,
        norm2_rstd,
        self_attn_out_proj_bias,
        x,
        norm2_weight,
        sums=3,
        named=(2, 2, 2, 2, 2, None, 2, None),
    )
    grad_multihead_attn_attended = _linear_backward_input(
        grad_norm2_x, multihead_attn_out_proj_weight
    )
    grad_multihead_attn_out_proj_weight = _rows(grad_norm2_x).T @ _rows(
        multihead_attn_attended
    )
    _t15 = _split_heads(grad_multihead_attn_attended, nhead)
    (
        grad_multihead_attn_heads_v,
        grad_multihead_attn_heads_q,
        grad_multihead_attn_heads_k,
    ) = in_row_blocks(
        _backward_norm_first_relu_part2,
        multihead_attn_heads_v,
        _t15,
        multihead_attn_weights,
        _t8,
        multihead_attn_heads_q,
        named=(3, 3, 3, 3, 3),
    )
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    grad_multihead_attn_q = _merge_heads(grad_multihead_attn_heads_q * _t7, nhead)
    _t16 = _linear_backward_input(grad_multihead_attn_q, _t4)
    grad_norm1_x, grad_norm1_weight, grad_norm1_bias, grad_self_attn_out_proj_bias = (
        in_row_blocks(
            _backward_no_norm_first_relu_part4,
            grad_norm2_x,
            _t16,
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
    _t17 = _split_heads(grad_self_attn_attended, nhead)
    grad_self_attn_heads_v, grad_self_attn_heads_k, _t18 = in_row_blocks(
        _backward_norm_first_relu_part4,
        self_attn_heads_v,
        _t17,
        self_attn_weights,
        _t11,
        self_attn_heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_self_attn_qkv = _join_heads(
        (_t18, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = grad_norm1_x + _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_memory = _linear_backward_input(
        grad_multihead_attn_v, _t6
    ) + _linear_backward_input(grad_multihead_attn_k, _t5)
    grad_multihead_attn_in_proj_weight = np.concatenate(
        (
            _rows(grad_multihead_attn_q).T @ _rows(h1),
            _rows(grad_multihead_attn_k).T @ _rows(memory),
            _rows(grad_multihead_attn_v).T @ _rows(memory),
        ),
        axis=0,
    )
    grad_multihead_attn_in_proj_bias = np.concatenate(
        (
            _sum_to(grad_multihead_attn_q, self_attn_out_proj_bias.shape),
            _sum_to(grad_multihead_attn_k, self_attn_out_proj_bias.shape),
            _sum_to(grad_multihead_attn_v, self_attn_out_proj_bias.shape),
        ),
        axis=-1,
    )
    return (
        grad_x,
        grad_memory,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_multihead_attn_in_proj_weight,
        grad_multihead_attn_in_proj_bias,
        grad_multihead_attn_out_proj_weight,
        grad_multihead_attn_out_proj_bias,
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


def _forward_no_norm_first_gelu_tanh(
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask,
    memory_mask,
    tgt_key_padding_mask,
    memory_key_padding_mask,
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
    self_attn_allowed = _apply_mask(self_attn_scores, tgt_mask)
    self_attn_unpadded = _apply_key_padding(self_attn_allowed, tgt_key_padding_mask)
    self_attn_weights = _masked_softmax(self_attn_unpadded)
    self_attn_attended = _merge_heads(_bmm(self_attn_weights, self_attn_heads_v), nhead)
    _t3 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t4 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t5, norm1_mu, norm1_rstd, h1 = in_row_blocks(
        _forward_no_norm_first_relu_part1,
        _t3,
        self_attn_out_proj_bias,
        x,
        eps,
        norm1_weight,
        norm1_bias,
        named=(2, None, 2, None, None, None),
    )
    multihead_attn_q = _linear(h1, _t4) + _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    _t6 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    multihead_attn_k = _linear(memory, _t6) + _chunk(
        multihead_attn_in_proj_bias, 3, 1, -1
    )
    _t7 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    multihead_attn_v = _linear(memory, _t7) + _chunk(
        multihead_attn_in_proj_bias, 3, 2, -1
    )
    multihead_attn_heads_q = _split_heads(multihead_attn_q, nhead) * _t2
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t8 = np.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _bmm(multihead_attn_heads_q, _t8)
    multihead_attn_allowed = _apply_mask(multihead_attn_scores, memory_mask)
    multihead_attn_unpadded = _apply_key_padding(
        multihead_attn_allowed, memory_key_padding_mask
    )
    multihead_attn_weights = _masked_softmax(multihead_attn_unpadded)
    multihead_attn_attended = _merge_heads(
        _bmm(multihead_attn_weights, multihead_attn_heads_v), nhead
    )
    _t9 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    _t10, norm2_mu, norm2_rstd, h2 = in_row_blocks(
        _forward_no_norm_first_relu_part2,
        _t9,
        multihead_attn_out_proj_bias,
        h1,
        x,
        eps,
        norm2_weight,
        norm2_bias,
        named=(2, None, 2, 2, None, None, None),
    )
    _t11 = _linear(h2, linear1_weight)
    linear1_z, hidden = in_row_blocks(
        _forward_norm_first_gelu_tanh_part4, _t11, linear1_bias, named=(2, None)
    )
    _t12 = _linear(hidden, linear2_weight)
    _t13, norm3_mu, norm3_rstd, y = in_row_blocks(
        _forward_no_norm_first_relu_part3,
        _t12,
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
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_out_proj_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        nhead,
        _t1,
        _t2,
        self_attn_weights,
        self_attn_attended,
        _t5,
        norm1_mu,
        norm1_rstd,
        h1,
        _t4,
        _t6,
        _t7,
        _t2,
        multihead_attn_heads_q,
        multihead_attn_heads_v,
        _t8,
        multihead_attn_weights,
        multihead_attn_attended,
        _t10,
        norm2_mu,
        norm2_rstd,
        h2,
        linear1_z,
        _t13,
        norm3_mu,
        norm3_rstd,
    )


def _backward_no_norm_first_gelu_tanh_part1(
    self_attn_heads_k,
    linear1_z,
    _t1,
    norm3_mu,
    norm3_rstd,
    grad_y,
    self_attn_out_proj_bias,
    x,
    norm3_weight,
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
    norm3_x_hat = _t1 - norm3_mu
    norm3_x_hat *= norm3_rstd
    norm3_p = grad_y * norm3_x_hat
    grad_norm3_weight = _sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _sum_to(grad_y, self_attn_out_proj_bias.shape)
    norm3_scale = norm3_rstd / x.shape[-1]
    grad_norm3_x = grad_y * norm3_weight
    grad_norm3_x *= norm3_rstd
    _t6 = norm3_x_hat * (_dot_last(norm3_p, norm3_weight) * norm3_scale)
    grad_norm3_x -= _t6
    grad_norm3_x -= _dot_last(grad_y, norm3_weight) * norm3_scale
    grad_linear2_bias = _sum_to(grad_norm3_x, self_attn_out_proj_bias.shape)
    return (
        _t2,
        _t3,
        _t4,
        _t5,
        hidden,
        grad_norm3_x,
        grad_norm3_weight,
        grad_norm3_bias,
        grad_linear2_bias,
    )


def _backward_no_norm_first_gelu_tanh(
    grad_y,
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_out_proj_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    nhead,
    _t1,
    _t2,
    self_attn_weights,
    self_attn_attended,
    _t3,
    norm1_mu,
    norm1_rstd,
    h1,
    _t4,
    _t5,
    _t6,
    _t7,
    multihead_attn_heads_q,
    multihead_attn_heads_v,
    _t8,
    multihead_attn_weights,
    multihead_attn_attended,
    _t9,
    norm2_mu,
    norm2_rstd,
    h2,
    linear1_z,
    _t10,
    norm3_mu,
    norm3_rstd,
):
    self_attn_qkv = _t1 + self_attn_in_proj_bias
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    self_attn_heads_q = _split_heads(self_attn_q, nhead) * _t2
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    (
        _t11,
        _t12,
        _t13,
        _t14,
        hidden,
        grad_norm3_x,
        grad_norm3_weight,
        grad_norm3_bias,
        grad_linear2_bias,
    ) = in_row_blocks(
        _backward_no_norm_first_gelu_tanh_part1,
        self_attn_heads_k,
        linear1_z,
        _t10,
        norm3_mu,
        norm3_rstd,
        grad_y,
        self_attn_out_proj_bias,
        x,
        norm3_weight,
        sums=3,
        named=(3, 2, 2, 2, 2, 2, None, 2, None),
    )
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z, grad_linear1_bias = in_row_blocks(
        _backward_norm_first_gelu_tanh_part1,
        grad_hidden,
        _t14,
        _t12,
        _t13,
        linear1_z,
        linear1_bias,
        sums=1,
        named=(2, 2, 2, 2, 2, None),
    )
    _t15 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    (
        grad_norm2_x,
        grad_norm2_weight,
        grad_norm2_bias,
        grad_multihead_attn_out_proj_bias,
    ) = in_row_blocks(
        _backward_no_norm_first_relu_part2,
        grad_norm3_x,
        _t15,
        _t9,
        norm2_mu,
        norm2_rstd,
        self_attn_out_proj_bias,
        x,
        norm2_weight,
        sums=3,
        named=(2, 2, 2, 2, 2, None, 2, None),
    )
    grad_multihead_attn_attended = _linear_backward_input(
        grad_norm2_x, multihead_attn_out_proj_weight
    )
    grad_multihead_attn_out_proj_weight = _rows(grad_norm2_x).T @ _rows(
        multihead_attn_attended
    )
    _t16 = _split_heads(grad_multihead_attn_attended, nhead)
    (
        grad_multihead_attn_heads_v,
        grad_multihead_attn_heads_q,
        grad_multihead_attn_heads_k,
    ) = in_row_blocks(
        _backward_norm_first_relu_part2,
        multihead_attn_heads_v,
        _t16,
        multihead_attn_weights,
        _t8,
        multihead_attn_heads_q,
        named=(3, 3, 3, 3, 3),
    )
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    grad_multihead_attn_q = _merge_heads(grad_multihead_attn_heads_q * _t7, nhead)
    _t17 = _linear_backward_input(grad_multihead_attn_q, _t4)
    grad_norm1_x, grad_norm1_weight, grad_norm1_bias, grad_self_attn_out_proj_bias = (
        in_row_blocks(
            _backward_no_norm_first_relu_part4,
            grad_norm2_x,
            _t17,
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
    _t18 = _split_heads(grad_self_attn_attended, nhead)
    grad_self_attn_heads_v, grad_self_attn_heads_k, _t19 = in_row_blocks(
        _backward_norm_first_relu_part4,
        self_attn_heads_v,
        _t18,
        self_attn_weights,
        _t11,
        self_attn_heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_self_attn_qkv = _join_heads(
        (_t19, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = grad_norm1_x + _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_memory = _linear_backward_input(
        grad_multihead_attn_v, _t6
    ) + _linear_backward_input(grad_multihead_attn_k, _t5)
    grad_multihead_attn_in_proj_weight = np.concatenate(
        (
            _rows(grad_multihead_attn_q).T @ _rows(h1),
            _rows(grad_multihead_attn_k).T @ _rows(memory),
            _rows(grad_multihead_attn_v).T @ _rows(memory),
        ),
        axis=0,
    )
    grad_multihead_attn_in_proj_bias = np.concatenate(
        (
            _sum_to(grad_multihead_attn_q, self_attn_out_proj_bias.shape),
            _sum_to(grad_multihead_attn_k, self_attn_out_proj_bias.shape),
            _sum_to(grad_multihead_attn_v, self_attn_out_proj_bias.shape),
        ),
        axis=-1,
    )
    return (
        grad_x,
        grad_memory,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_multihead_attn_in_proj_weight,
        grad_multihead_attn_in_proj_bias,
        grad_multihead_attn_out_proj_weight,
        grad_multihead_attn_out_proj_bias,
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


# transformer_decoder_norm_first_relu_fwd_0: layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_decoder_norm_first_relu_fwd_0 = RowBlockKernel(
    "transformer_decoder_norm_first_relu_fwd_0",
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


# transformer_decoder_norm_first_relu_fwd_1: layers_spec/layers/multi_head_attention.yaml:32
_transformer_decoder_norm_first_relu_fwd_1 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_1",
    "T _t6, T self_attn_in_proj_bias",
    "T self_attn_qkv",
    """
    self_attn_qkv = _t6 + self_attn_in_proj_bias;
    """,
)


# transformer_decoder_norm_first_relu_fwd_2: layers_spec/layers/multi_head_attention.yaml:36
_transformer_decoder_norm_first_relu_fwd_2 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_2",
    "T _t7, T _t10",
    "T self_attn_heads_q",
    """
    self_attn_heads_q = _t7 * _t10;
    """,
    scalars=("_t10",),
)


# transformer_decoder_norm_first_relu_fwd_3: layers_spec/layers/multi_head_attention.yaml:40,41,46
_transformer_decoder_norm_first_relu_fwd_3 = RowKernel(
    "transformer_decoder_norm_first_relu_fwd_3",
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


# transformer_decoder_norm_first_relu_fwd_4: layers_spec/layers/multi_head_attention.yaml:48; layers_spec/layers/transformer_decoder.yaml:43; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_decoder_norm_first_relu_fwd_4 = RowBlockKernel(
    "transformer_decoder_norm_first_relu_fwd_4",
    "row T _t13, column T self_attn_out_proj_bias, row T x, scalar int64 _t15, scalar T eps, column T norm2_weight, column T norm2_bias",
    "row T h1, per_row T norm2_mu, per_row T norm2_rstd, row T cross_input",
    """
    T _c__t13[LF_REGISTERS];
    T _c_x[LF_REGISTERS];
    T norm2_mu = T(0);
    LF_ROW_LOOP(
        const T _t13 = _at.fill(_c__t13, _row__t13, _j);
        const T self_attn_out_proj_bias = _p_self_attn_out_proj_bias[_j];
        const T x = _at.fill(_c_x, _row_x, _j);
        const T attended = _t13 + self_attn_out_proj_bias;
        const T h1 = x + attended;
        norm2_mu = _Sum()(norm2_mu, h1);
    )
    norm2_mu = _row_reduce(norm2_mu, _Sum());
    norm2_mu = norm2_mu / T(_n);
    T _t14 = T(0);
    LF_ROW_LOOP(
        const T _t13 = _at.get(_c__t13, _row__t13, _j);
        const T self_attn_out_proj_bias = _p_self_attn_out_proj_bias[_j];
        const T x = _at.get(_c_x, _row_x, _j);
        const T attended = _t13 + self_attn_out_proj_bias;
        const T h1 = x + attended;
        const T norm2_centered = h1 - norm2_mu;
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
        const T h1 = x + attended;
        const T norm2_centered = h1 - norm2_mu;
        const T norm2_normalized = norm2_centered * norm2_rstd;
        const T _t18 = norm2_normalized * norm2_weight;
        const T cross_input = _t18 + norm2_bias;
        _row_h1[_j] = h1;
        _row_cross_input[_j] = cross_input;
    )
    """,
)


# transformer_decoder_norm_first_relu_fwd_5: layers_spec/layers/multi_head_attention.yaml:28
_transformer_decoder_norm_first_relu_fwd_5 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_5",
    "T _t20, T _t21",
    "T multihead_attn_q",
    """
    multihead_attn_q = _t20 + _t21;
    """,
)


# transformer_decoder_norm_first_relu_fwd_6: layers_spec/layers/multi_head_attention.yaml:29
_transformer_decoder_norm_first_relu_fwd_6 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_6",
    "T _t23, T _t24",
    "T multihead_attn_k",
    """
    multihead_attn_k = _t23 + _t24;
    """,
)


# transformer_decoder_norm_first_relu_fwd_7: layers_spec/layers/multi_head_attention.yaml:30
_transformer_decoder_norm_first_relu_fwd_7 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_7",
    "T _t26, T _t27",
    "T multihead_attn_v",
    """
    multihead_attn_v = _t26 + _t27;
    """,
)


# transformer_decoder_norm_first_relu_fwd_8: layers_spec/layers/multi_head_attention.yaml:36
_transformer_decoder_norm_first_relu_fwd_8 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_8",
    "T _t28, T _t31",
    "T multihead_attn_heads_q",
    """
    multihead_attn_heads_q = _t28 * _t31;
    """,
    scalars=("_t31",),
)


# transformer_decoder_norm_first_relu_fwd_9: layers_spec/layers/multi_head_attention.yaml:40,41,46
_transformer_decoder_norm_first_relu_fwd_9 = RowKernel(
    "transformer_decoder_norm_first_relu_fwd_9",
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


# transformer_decoder_norm_first_relu_fwd_10: layers_spec/layers/multi_head_attention.yaml:48; layers_spec/layers/transformer_decoder.yaml:46; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_decoder_norm_first_relu_fwd_10 = RowBlockKernel(
    "transformer_decoder_norm_first_relu_fwd_10",
    "row T _t34, column T multihead_attn_out_proj_bias, row T h1, scalar int64 _t36, scalar T eps, column T norm3_weight, column T norm3_bias",
    "row T h2, per_row T norm3_mu, per_row T norm3_rstd, row T ffn_input",
    """
    T _c__t34[LF_REGISTERS];
    T _c_h1[LF_REGISTERS];
    T norm3_mu = T(0);
    LF_ROW_LOOP(
        const T _t34 = _at.fill(_c__t34, _row__t34, _j);
        const T multihead_attn_out_proj_bias = _p_multihead_attn_out_proj_bias[_j];
        const T h1 = _at.fill(_c_h1, _row_h1, _j);
        const T crossed = _t34 + multihead_attn_out_proj_bias;
        const T h2 = h1 + crossed;
        norm3_mu = _Sum()(norm3_mu, h2);
    )
    norm3_mu = _row_reduce(norm3_mu, _Sum());
    norm3_mu = norm3_mu / T(_n);
    T _t35 = T(0);
    LF_ROW_LOOP(
        const T _t34 = _at.get(_c__t34, _row__t34, _j);
        const T multihead_attn_out_proj_bias = _p_multihead_attn_out_proj_bias[_j];
        const T h1 = _at.get(_c_h1, _row_h1, _j);
        const T crossed = _t34 + multihead_attn_out_proj_bias;
        const T h2 = h1 + crossed;
        const T norm3_centered = h2 - norm3_mu;
        _t35 = _Sum()(_t35, norm3_centered * norm3_centered);
    )
    _t35 = _row_reduce(_t35, _Sum());
    const T norm3_variance = _t35 / _t36;
    const T _t37 = norm3_variance + eps;
    const T _t38 = sqrt(_t37);
    const T norm3_rstd = T(1) / _t38;
    LF_ROW_LOOP(
        const T _t34 = _at.get(_c__t34, _row__t34, _j);
        const T multihead_attn_out_proj_bias = _p_multihead_attn_out_proj_bias[_j];
        const T h1 = _at.get(_c_h1, _row_h1, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T norm3_bias = _p_norm3_bias[_j];
        const T crossed = _t34 + multihead_attn_out_proj_bias;
        const T h2 = h1 + crossed;
        const T norm3_centered = h2 - norm3_mu;
        const T norm3_normalized = norm3_centered * norm3_rstd;
        const T _t39 = norm3_normalized * norm3_weight;
        const T ffn_input = _t39 + norm3_bias;
        _row_h2[_j] = h2;
        _row_ffn_input[_j] = ffn_input;
    )
    """,
)


# transformer_decoder_norm_first_relu_fwd_11: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_transformer_decoder_norm_first_relu_fwd_11 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_11",
    "T _t40, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t40 + linear1_bias;
    hidden = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# transformer_decoder_norm_first_relu_fwd_12: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_decoder.yaml:63
_transformer_decoder_norm_first_relu_fwd_12 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_12",
    "T _t41, T linear2_bias, T h2",
    "T y",
    """
    T linear2_z = _t41 + linear2_bias;
    y = h2 + linear2_z;
    """,
)


def _cupy_forward_norm_first_relu(
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask,
    memory_mask,
    tgt_key_padding_mask,
    memory_key_padding_mask,
    nhead,
    eps,
):
    import cupy as cp

    _t2 = x.shape[-1]
    norm1_mu, norm1_rstd, normalized = _transformer_decoder_norm_first_relu_fwd_0(
        x, _t2, eps, norm1_weight, norm1_bias
    )
    _t6 = _linear(normalized, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_decoder_norm_first_relu_fwd_1(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    _t8 = x.shape[-1]
    _t9 = _t8 / nhead
    _t10 = _t9 ** (-0.5)
    self_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_2(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t11)
    self_attn_weights = _transformer_decoder_norm_first_relu_fwd_3(
        self_attn_scores, tgt_mask, tgt_key_padding_mask
    )
    _t12 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t12, nhead)
    _t13 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t15 = x.shape[-1]
    h1, norm2_mu, norm2_rstd, cross_input = _transformer_decoder_norm_first_relu_fwd_4(
        _t13, self_attn_out_proj_bias, x, _t15, eps, norm2_weight, norm2_bias
    )
    _t19 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t20 = _linear(cross_input, _t19)
    _t21 = _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    multihead_attn_q = _transformer_decoder_norm_first_relu_fwd_5(_t20, _t21)
    _t22 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    _t23 = _linear(memory, _t22)
    _t24 = _chunk(multihead_attn_in_proj_bias, 3, 1, -1)
    multihead_attn_k = _transformer_decoder_norm_first_relu_fwd_6(_t23, _t24)
    _t25 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    _t26 = _linear(memory, _t25)
    _t27 = _chunk(multihead_attn_in_proj_bias, 3, 2, -1)
    multihead_attn_v = _transformer_decoder_norm_first_relu_fwd_7(_t26, _t27)
    _t28 = _split_heads(multihead_attn_q, nhead)
    _t29 = x.shape[-1]
    _t30 = _t29 / nhead
    _t31 = _t30 ** (-0.5)
    multihead_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_8(_t28, _t31)
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t32 = cp.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _cupy_bmm(multihead_attn_heads_q, _t32)
    multihead_attn_weights = _transformer_decoder_norm_first_relu_fwd_9(
        multihead_attn_scores, memory_mask, memory_key_padding_mask
    )
    _t33 = _cupy_bmm(multihead_attn_weights, multihead_attn_heads_v)
    multihead_attn_attended = _merge_heads(_t33, nhead)
    _t34 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    _t36 = x.shape[-1]
    h2, norm3_mu, norm3_rstd, ffn_input = _transformer_decoder_norm_first_relu_fwd_10(
        _t34, multihead_attn_out_proj_bias, h1, _t36, eps, norm3_weight, norm3_bias
    )
    _t40 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = _transformer_decoder_norm_first_relu_fwd_11(_t40, linear1_bias)
    _t41 = _linear(hidden, linear2_weight)
    y = _transformer_decoder_norm_first_relu_fwd_12(_t41, linear2_bias, h2)
    return y, (
        x,
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_out_proj_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        nhead,
        norm1_mu,
        norm1_rstd,
        normalized,
        _t6,
        _t10,
        self_attn_weights,
        self_attn_attended,
        h1,
        norm2_mu,
        norm2_rstd,
        cross_input,
        _t19,
        _t22,
        _t25,
        _t31,
        multihead_attn_heads_q,
        multihead_attn_heads_v,
        _t32,
        multihead_attn_weights,
        multihead_attn_attended,
        h2,
        norm3_mu,
        norm3_rstd,
        ffn_input,
        linear1_z,
    )


# transformer_decoder_norm_first_relu_bwd_2: layers_spec/activations/relu.yaml:8
_transformer_decoder_norm_first_relu_bwd_2 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_2",
    "T linear1_z",
    "T hidden",
    """
    hidden = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# transformer_decoder_norm_first_relu_bwd_3: layers_spec/primitives.yaml:252
_transformer_decoder_norm_first_relu_bwd_3 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_3",
    "T linear1_z, T grad_hidden",
    "T grad_linear1_z",
    """
    bool _t45 = linear1_z > T(0);
    grad_linear1_z = grad_hidden * _t45;
    """,
)


# transformer_decoder_norm_first_relu_bwd_4: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_norm_first_relu_bwd_4 = RowBlockKernel(
    "transformer_decoder_norm_first_relu_bwd_4",
    "row T h2, per_row T norm3_mu, per_row T norm3_rstd, row T grad_ffn_input, scalar int64 _t51, column T norm3_weight, row T grad_y",
    "row T norm3_p, row T grad_h2",
    """
    T _c_h2[LF_REGISTERS];
    T _c_grad_ffn_input[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm3_scale = norm3_rstd / _t51;
    T _t54 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_y, _row_grad_y, _j);
        const T h2 = _at.fill(_c_h2, _row_h2, _j);
        const T grad_ffn_input = _at.fill(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t50 = h2 - norm3_mu;
        const T norm3_x_hat = _t50 * norm3_rstd;
        const T norm3_p = grad_ffn_input * norm3_x_hat;
        _t54 = _Sum()(_t54, norm3_p * norm3_weight);
    )
    _t54 = _row_reduce(_t54, _Sum());
    const T _t55 = _t54 * norm3_scale;
    T _t58 = T(0);
    LF_ROW_LOOP(
        const T grad_ffn_input = _at.get(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        _t58 = _Sum()(_t58, grad_ffn_input * norm3_weight);
    )
    _t58 = _row_reduce(_t58, _Sum());
    const T _t59 = _t58 * norm3_scale;
    LF_ROW_LOOP(
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T grad_ffn_input = _at.get(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t50 = h2 - norm3_mu;
        const T norm3_x_hat = _t50 * norm3_rstd;
        const T norm3_p = grad_ffn_input * norm3_x_hat;
        const T _t52 = grad_ffn_input * norm3_weight;
        const T _t53 = _t52 * norm3_rstd;
        const T _t56 = norm3_x_hat * _t55;
        const T _t57 = _t53 - _t56;
        const T grad_norm3_x = _t57 - _t59;
        const T grad_h2 = grad_y + grad_norm3_x;
        _row_norm3_p[_j] = norm3_p;
        _row_grad_h2[_j] = grad_h2;
    )
    """,
)


# transformer_decoder_norm_first_relu_bwd_5: layers_spec/primitives.yaml:2973
_transformer_decoder_norm_first_relu_bwd_5 = RowBlockKernel(
    "transformer_decoder_norm_first_relu_bwd_5",
    "row T grad_multihead_attn_weights, row T multihead_attn_weights",
    "row T grad_multihead_attn_unpadded",
    """
    T _c_grad_multihead_attn_weights[LF_REGISTERS];
    T _c_multihead_attn_weights[LF_REGISTERS];
    T _t68 = T(0);
    LF_ROW_LOOP(
        const T grad_multihead_attn_weights = _at.fill(_c_grad_multihead_attn_weights, _row_grad_multihead_attn_weights, _j);
        const T multihead_attn_weights = _at.fill(_c_multihead_attn_weights, _row_multihead_attn_weights, _j);
        _t68 = _Sum()(_t68, grad_multihead_attn_weights * multihead_attn_weights);
    )
    _t68 = _row_reduce(_t68, _Sum());
    LF_ROW_LOOP(
        const T grad_multihead_attn_weights = _at.get(_c_grad_multihead_attn_weights, _row_grad_multihead_attn_weights, _j);
        const T multihead_attn_weights = _at.get(_c_multihead_attn_weights, _row_multihead_attn_weights, _j);
        const T _t69 = grad_multihead_attn_weights - _t68;
        const T grad_multihead_attn_unpadded = multihead_attn_weights * _t69;
        _row_grad_multihead_attn_unpadded[_j] = grad_multihead_attn_unpadded;
    )
    """,
)


# transformer_decoder_norm_first_relu_bwd_6: layers_spec/primitives.yaml:61
_transformer_decoder_norm_first_relu_bwd_6 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_6",
    "T grad_multihead_attn_heads_q, T _t31",
    "T _t78",
    """
    _t78 = grad_multihead_attn_heads_q * _t31;
    """,
    scalars=("_t31",),
)


# transformer_decoder_norm_first_relu_bwd_7: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_norm_first_relu_bwd_7 = RowBlockKernel(
    "transformer_decoder_norm_first_relu_bwd_7",
    "row T h1, per_row T norm2_mu, per_row T norm2_rstd, row T grad_cross_input, scalar int64 _t96, column T norm2_weight, row T grad_h2",
    "row T norm2_p, row T grad_h1",
    """
    T _c_h1[LF_REGISTERS];
    T _c_grad_cross_input[LF_REGISTERS];
    T _c_grad_h2[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t96;
    T _t99 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_h2, _row_grad_h2, _j);
        const T h1 = _at.fill(_c_h1, _row_h1, _j);
        const T grad_cross_input = _at.fill(_c_grad_cross_input, _row_grad_cross_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T _t95 = h1 - norm2_mu;
        const T norm2_x_hat = _t95 * norm2_rstd;
        const T norm2_p = grad_cross_input * norm2_x_hat;
        _t99 = _Sum()(_t99, norm2_p * norm2_weight);
    )
    _t99 = _row_reduce(_t99, _Sum());
    const T _t100 = _t99 * norm2_scale;
    T _t103 = T(0);
    LF_ROW_LOOP(
        const T grad_cross_input = _at.get(_c_grad_cross_input, _row_grad_cross_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        _t103 = _Sum()(_t103, grad_cross_input * norm2_weight);
    )
    _t103 = _row_reduce(_t103, _Sum());
    const T _t104 = _t103 * norm2_scale;
    LF_ROW_LOOP(
        const T h1 = _at.get(_c_h1, _row_h1, _j);
        const T grad_cross_input = _at.get(_c_grad_cross_input, _row_grad_cross_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = _at.get(_c_grad_h2, _row_grad_h2, _j);
        const T _t95 = h1 - norm2_mu;
        const T norm2_x_hat = _t95 * norm2_rstd;
        const T norm2_p = grad_cross_input * norm2_x_hat;
        const T _t97 = grad_cross_input * norm2_weight;
        const T _t98 = _t97 * norm2_rstd;
        const T _t101 = norm2_x_hat * _t100;
        const T _t102 = _t98 - _t101;
        const T grad_norm2_x = _t102 - _t104;
        const T grad_h1 = grad_h2 + grad_norm2_x;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_h1[_j] = grad_h1;
    )
    """,
)


# transformer_decoder_norm_first_relu_bwd_8: layers_spec/primitives.yaml:2973
_transformer_decoder_norm_first_relu_bwd_8 = RowBlockKernel(
    "transformer_decoder_norm_first_relu_bwd_8",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_unpadded",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t113 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        _t113 = _Sum()(_t113, grad_self_attn_weights * self_attn_weights);
    )
    _t113 = _row_reduce(_t113, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t114 = grad_self_attn_weights - _t113;
        const T grad_self_attn_unpadded = self_attn_weights * _t114;
        _row_grad_self_attn_unpadded[_j] = grad_self_attn_unpadded;
    )
    """,
)


# transformer_decoder_norm_first_relu_bwd_9: layers_spec/primitives.yaml:61
_transformer_decoder_norm_first_relu_bwd_9 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_9",
    "T grad_self_attn_heads_q, T _t10",
    "T _t123",
    """
    _t123 = grad_self_attn_heads_q * _t10;
    """,
    scalars=("_t10",),
)


# transformer_decoder_norm_first_relu_bwd_10: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_norm_first_relu_bwd_10 = RowBlockKernel(
    "transformer_decoder_norm_first_relu_bwd_10",
    "row T x, per_row T norm1_mu, per_row T norm1_rstd, row T grad_normalized, scalar int64 _t132, column T norm1_weight, row T grad_h1",
    "row T norm1_p, row T grad_x",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_normalized[LF_REGISTERS];
    T _c_grad_h1[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t132;
    T _t135 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_h1, _row_grad_h1, _j);
        const T x = _at.fill(_c_x, _row_x, _j);
        const T grad_normalized = _at.fill(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T _t131 = x - norm1_mu;
        const T norm1_x_hat = _t131 * norm1_rstd;
        const T norm1_p = grad_normalized * norm1_x_hat;
        _t135 = _Sum()(_t135, norm1_p * norm1_weight);
    )
    _t135 = _row_reduce(_t135, _Sum());
    const T _t136 = _t135 * norm1_scale;
    T _t139 = T(0);
    LF_ROW_LOOP(
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        _t139 = _Sum()(_t139, grad_normalized * norm1_weight);
    )
    _t139 = _row_reduce(_t139, _Sum());
    const T _t140 = _t139 * norm1_scale;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = _at.get(_c_grad_h1, _row_grad_h1, _j);
        const T _t131 = x - norm1_mu;
        const T norm1_x_hat = _t131 * norm1_rstd;
        const T norm1_p = grad_normalized * norm1_x_hat;
        const T _t133 = grad_normalized * norm1_weight;
        const T _t134 = _t133 * norm1_rstd;
        const T _t137 = norm1_x_hat * _t136;
        const T _t138 = _t134 - _t137;
        const T grad_norm1_x = _t138 - _t140;
        const T grad_x = grad_h1 + grad_norm1_x;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


# transformer_decoder_norm_first_relu_bwd_11: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_11 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_11",
    "T _t82, T _t87",
    "T grad_memory",
    """
    grad_memory = _t82 + _t87;
    """,
)


def _cupy_backward_norm_first_relu(
    grad_y,
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_out_proj_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    nhead,
    norm1_mu,
    norm1_rstd,
    normalized,
    _t6,
    _t10,
    self_attn_weights,
    self_attn_attended,
    h1,
    norm2_mu,
    norm2_rstd,
    cross_input,
    _t19,
    _t22,
    _t25,
    _t31,
    multihead_attn_heads_q,
    multihead_attn_heads_v,
    _t32,
    multihead_attn_weights,
    multihead_attn_attended,
    h2,
    norm3_mu,
    norm3_rstd,
    ffn_input,
    linear1_z,
):
    import cupy as cp

    self_attn_qkv = _transformer_decoder_norm_first_relu_fwd_1(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_2(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    hidden = _transformer_decoder_norm_first_relu_bwd_2(linear1_z)
    grad_linear2_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(hidden)
    grad_linear1_z = _transformer_decoder_norm_first_relu_bwd_3(linear1_z, grad_hidden)
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    grad_ffn_input = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(ffn_input)
    _t51 = x.shape[-1]
    norm3_p, grad_h2 = _transformer_decoder_norm_first_relu_bwd_4(
        h2, norm3_mu, norm3_rstd, grad_ffn_input, _t51, norm3_weight, grad_y
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_ffn_input, self_attn_out_proj_bias.shape)
    grad_multihead_attn_out_proj_bias = _cupy_sum_to(
        grad_h2, self_attn_out_proj_bias.shape
    )
    grad_multihead_attn_attended = _linear_backward_input(
        grad_h2, multihead_attn_out_proj_weight
    )
    grad_multihead_attn_out_proj_weight = _rows(grad_h2).T @ _rows(
        multihead_attn_attended
    )
    _t63 = _split_heads(grad_multihead_attn_attended, nhead)
    _t64 = cp.swapaxes(multihead_attn_heads_v, -1, -2)
    grad_multihead_attn_weights = _cupy_bmm(_t63, _t64)
    _t66 = cp.swapaxes(multihead_attn_weights, -1, -2)
    grad_multihead_attn_heads_v = _cupy_bmm(_t66, _t63)
    grad_multihead_attn_unpadded = _transformer_decoder_norm_first_relu_bwd_5(
        grad_multihead_attn_weights, multihead_attn_weights
    )
    _t71 = cp.swapaxes(_t32, -1, -2)
    grad_multihead_attn_heads_q = _cupy_bmm(grad_multihead_attn_unpadded, _t71)
    _t73 = cp.swapaxes(multihead_attn_heads_q, -1, -2)
    _t74 = _cupy_bmm(_t73, grad_multihead_attn_unpadded)
    grad_multihead_attn_heads_k = cp.swapaxes(_t74, -1, -2)
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    _t78 = _transformer_decoder_norm_first_relu_bwd_6(grad_multihead_attn_heads_q, _t31)
    grad_multihead_attn_q = _merge_heads(_t78, nhead)
    _t80 = _cupy_sum_to(grad_multihead_attn_v, self_attn_out_proj_bias.shape)
    _t82 = _linear_backward_input(grad_multihead_attn_v, _t25)
    _t83 = _rows(grad_multihead_attn_v).T @ _rows(memory)
    _t85 = _cupy_sum_to(grad_multihead_attn_k, self_attn_out_proj_bias.shape)
    _t87 = _linear_backward_input(grad_multihead_attn_k, _t22)
    _t88 = _rows(grad_multihead_attn_k).T @ _rows(memory)
    _t90 = _cupy_sum_to(grad_multihead_attn_q, self_attn_out_proj_bias.shape)
    grad_cross_input = _linear_backward_input(grad_multihead_attn_q, _t19)
    _t93 = _rows(grad_multihead_attn_q).T @ _rows(cross_input)
    _t96 = x.shape[-1]
    norm2_p, grad_h1 = _transformer_decoder_norm_first_relu_bwd_7(
        h1, norm2_mu, norm2_rstd, grad_cross_input, _t96, norm2_weight, grad_h2
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_cross_input, self_attn_out_proj_bias.shape)
    grad_self_attn_out_proj_bias = _cupy_sum_to(grad_h1, self_attn_out_proj_bias.shape)
    grad_self_attn_attended = _linear_backward_input(grad_h1, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h1).T @ _rows(self_attn_attended)
    _t108 = _split_heads(grad_self_attn_attended, nhead)
    _t109 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t108, _t109)
    _t111 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t111, _t108)
    grad_self_attn_unpadded = _transformer_decoder_norm_first_relu_bwd_8(
        grad_self_attn_weights, self_attn_weights
    )
    _t116 = cp.swapaxes(_t11, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t116)
    _t118 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t119 = _cupy_bmm(_t118, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t119, -1, -2)
    _t123 = _transformer_decoder_norm_first_relu_bwd_9(grad_self_attn_heads_q, _t10)
    grad_self_attn_qkv = _cupy_join_heads(
        (_t123, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_normalized = _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(normalized)
    _t132 = x.shape[-1]
    norm1_p, grad_x = _transformer_decoder_norm_first_relu_bwd_10(
        x, norm1_mu, norm1_rstd, grad_normalized, _t132, norm1_weight, grad_h1
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_normalized, self_attn_out_proj_bias.shape)
    grad_memory = _transformer_decoder_norm_first_relu_bwd_11(_t82, _t87)
    grad_multihead_attn_in_proj_weight = cp.concatenate((_t93, _t88, _t83), axis=0)
    grad_multihead_attn_in_proj_bias = cp.concatenate((_t90, _t85, _t80), axis=-1)
    return (
        grad_x,
        grad_memory,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_multihead_attn_in_proj_weight,
        grad_multihead_attn_in_proj_bias,
        grad_multihead_attn_out_proj_weight,
        grad_multihead_attn_out_proj_bias,
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


# transformer_decoder_norm_first_gelu_fwd_11: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:23
_transformer_decoder_norm_first_gelu_fwd_11 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_fwd_11",
    "T _t40, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t40 + linear1_bias;
    T _t41 = T(0.7071067811865476) * linear1_z;
    T _t42 = erf(_t41);
    T _t43 = T(0.5) * _t42;
    T _t44 = T(0.5) + _t43;
    hidden = linear1_z * _t44;
    """,
)


# transformer_decoder_norm_first_gelu_fwd_12: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_decoder.yaml:63
_transformer_decoder_norm_first_gelu_fwd_12 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_fwd_12",
    "T _t45, T linear2_bias, T h2",
    "T y",
    """
    T linear2_z = _t45 + linear2_bias;
    y = h2 + linear2_z;
    """,
)


def _cupy_forward_norm_first_gelu(
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask,
    memory_mask,
    tgt_key_padding_mask,
    memory_key_padding_mask,
    nhead,
    eps,
):
    import cupy as cp

    _t2 = x.shape[-1]
    norm1_mu, norm1_rstd, normalized = _transformer_decoder_norm_first_relu_fwd_0(
        x, _t2, eps, norm1_weight, norm1_bias
    )
    _t6 = _linear(normalized, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_decoder_norm_first_relu_fwd_1(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    _t8 = x.shape[-1]
    _t9 = _t8 / nhead
    _t10 = _t9 ** (-0.5)
    self_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_2(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t11)
    self_attn_weights = _transformer_decoder_norm_first_relu_fwd_3(
        self_attn_scores, tgt_mask, tgt_key_padding_mask
    )
    _t12 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t12, nhead)
    _t13 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t15 = x.shape[-1]
    h1, norm2_mu, norm2_rstd, cross_input = _transformer_decoder_norm_first_relu_fwd_4(
        _t13, self_attn_out_proj_bias, x, _t15, eps, norm2_weight, norm2_bias
    )
    _t19 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t20 = _linear(cross_input, _t19)
    _t21 = _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    multihead_attn_q = _transformer_decoder_norm_first_relu_fwd_5(_t20, _t21)
    _t22 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    _t23 = _linear(memory, _t22)
    _t24 = _chunk(multihead_attn_in_proj_bias, 3, 1, -1)
    multihead_attn_k = _transformer_decoder_norm_first_relu_fwd_6(_t23, _t24)
    _t25 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    _t26 = _linear(memory, _t25)
    _t27 = _chunk(multihead_attn_in_proj_bias, 3, 2, -1)
    multihead_attn_v = _transformer_decoder_norm_first_relu_fwd_7(_t26, _t27)
    _t28 = _split_heads(multihead_attn_q, nhead)
    _t29 = x.shape[-1]
    _t30 = _t29 / nhead
    _t31 = _t30 ** (-0.5)
    multihead_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_8(_t28, _t31)
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t32 = cp.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _cupy_bmm(multihead_attn_heads_q, _t32)
    multihead_attn_weights = _transformer_decoder_norm_first_relu_fwd_9(
        multihead_attn_scores, memory_mask, memory_key_padding_mask
    )
    _t33 = _cupy_bmm(multihead_attn_weights, multihead_attn_heads_v)
    multihead_attn_attended = _merge_heads(_t33, nhead)
    _t34 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    _t36 = x.shape[-1]
    h2, norm3_mu, norm3_rstd, ffn_input = _transformer_decoder_norm_first_relu_fwd_10(
        _t34, multihead_attn_out_proj_bias, h1, _t36, eps, norm3_weight, norm3_bias
    )
    _t40 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = _transformer_decoder_norm_first_gelu_fwd_11(_t40, linear1_bias)
    _t45 = _linear(hidden, linear2_weight)
    y = _transformer_decoder_norm_first_gelu_fwd_12(_t45, linear2_bias, h2)
    return y, (
        x,
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_out_proj_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        nhead,
        norm1_mu,
        norm1_rstd,
        normalized,
        _t6,
        _t10,
        self_attn_weights,
        self_attn_attended,
        h1,
        norm2_mu,
        norm2_rstd,
        cross_input,
        _t19,
        _t22,
        _t25,
        _t31,
        multihead_attn_heads_q,
        multihead_attn_heads_v,
        _t32,
        multihead_attn_weights,
        multihead_attn_attended,
        h2,
        norm3_mu,
        norm3_rstd,
        ffn_input,
        linear1_z,
    )


# transformer_decoder_norm_first_gelu_bwd_2: layers_spec/activations/gelu.yaml:23
_transformer_decoder_norm_first_gelu_bwd_2 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_2",
    "T linear1_z",
    "T _t41, T _t44, T hidden",
    """
    _t41 = T(0.7071067811865476) * linear1_z;
    T _t42 = erf(_t41);
    T _t43 = T(0.5) * _t42;
    _t44 = T(0.5) + _t43;
    hidden = linear1_z * _t44;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_3: layers_spec/primitives.yaml:61,62,1973
_transformer_decoder_norm_first_gelu_bwd_3 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_3",
    "T grad_hidden, T _t44, T linear1_z, T _t41",
    "T grad_linear1_z",
    """
    T _t49 = grad_hidden * _t44;
    T _t50 = grad_hidden * linear1_z;
    T _t51 = _t50 * T(0.5);
    T _t52 = _t51 * T(1.1283791670955126);
    T _t53 = _t41 * _t41;
    T _t54 = -_t53;
    T _t55 = exp(_t54);
    T _t56 = _t52 * _t55;
    T _t57 = _t56 * T(0.7071067811865476);
    grad_linear1_z = _t49 + _t57;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_4: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_norm_first_gelu_bwd_4 = RowBlockKernel(
    "transformer_decoder_norm_first_gelu_bwd_4",
    "row T h2, per_row T norm3_mu, per_row T norm3_rstd, row T grad_ffn_input, scalar int64 _t62, column T norm3_weight, row T grad_y",
    "row T norm3_p, row T grad_h2",
    """
    T _c_h2[LF_REGISTERS];
    T _c_grad_ffn_input[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm3_scale = norm3_rstd / _t62;
    T _t65 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_y, _row_grad_y, _j);
        const T h2 = _at.fill(_c_h2, _row_h2, _j);
        const T grad_ffn_input = _at.fill(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t61 = h2 - norm3_mu;
        const T norm3_x_hat = _t61 * norm3_rstd;
        const T norm3_p = grad_ffn_input * norm3_x_hat;
        _t65 = _Sum()(_t65, norm3_p * norm3_weight);
    )
    _t65 = _row_reduce(_t65, _Sum());
    const T _t66 = _t65 * norm3_scale;
    T _t69 = T(0);
    LF_ROW_LOOP(
        const T grad_ffn_input = _at.get(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        _t69 = _Sum()(_t69, grad_ffn_input * norm3_weight);
    )
    _t69 = _row_reduce(_t69, _Sum());
    const T _t70 = _t69 * norm3_scale;
    LF_ROW_LOOP(
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T grad_ffn_input = _at.get(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t61 = h2 - norm3_mu;
        const T norm3_x_hat = _t61 * norm3_rstd;
        const T norm3_p = grad_ffn_input * norm3_x_hat;
        const T _t63 = grad_ffn_input * norm3_weight;
        const T _t64 = _t63 * norm3_rstd;
        const T _t67 = norm3_x_hat * _t66;
        const T _t68 = _t64 - _t67;
        const T grad_norm3_x = _t68 - _t70;
        const T grad_h2 = grad_y + grad_norm3_x;
        _row_norm3_p[_j] = norm3_p;
        _row_grad_h2[_j] = grad_h2;
    )
    """,
)


# transformer_decoder_norm_first_gelu_bwd_5: layers_spec/primitives.yaml:2973
_transformer_decoder_norm_first_gelu_bwd_5 = RowBlockKernel(
    "transformer_decoder_norm_first_gelu_bwd_5",
    "row T grad_multihead_attn_weights, row T multihead_attn_weights",
    "row T grad_multihead_attn_unpadded",
    """
    T _c_grad_multihead_attn_weights[LF_REGISTERS];
    T _c_multihead_attn_weights[LF_REGISTERS];
    T _t79 = T(0);
    LF_ROW_LOOP(
        const T grad_multihead_attn_weights = _at.fill(_c_grad_multihead_attn_weights, _row_grad_multihead_attn_weights, _j);
        const T multihead_attn_weights = _at.fill(_c_multihead_attn_weights, _row_multihead_attn_weights, _j);
        _t79 = _Sum()(_t79, grad_multihead_attn_weights * multihead_attn_weights);
    )
    _t79 = _row_reduce(_t79, _Sum());
    LF_ROW_LOOP(
        const T grad_multihead_attn_weights = _at.get(_c_grad_multihead_attn_weights, _row_grad_multihead_attn_weights, _j);
        const T multihead_attn_weights = _at.get(_c_multihead_attn_weights, _row_multihead_attn_weights, _j);
        const T _t80 = grad_multihead_attn_weights - _t79;
        const T grad_multihead_attn_unpadded = multihead_attn_weights * _t80;
        _row_grad_multihead_attn_unpadded[_j] = grad_multihead_attn_unpadded;
    )
    """,
)


# transformer_decoder_norm_first_gelu_bwd_6: layers_spec/primitives.yaml:61
_transformer_decoder_norm_first_gelu_bwd_6 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_6",
    "T grad_multihead_attn_heads_q, T _t31",
    "T _t89",
    """
    _t89 = grad_multihead_attn_heads_q * _t31;
    """,
    scalars=("_t31",),
)


# transformer_decoder_norm_first_gelu_bwd_7: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_norm_first_gelu_bwd_7 = RowBlockKernel(
    "transformer_decoder_norm_first_gelu_bwd_7",
    "row T h1, per_row T norm2_mu, per_row T norm2_rstd, row T grad_cross_input, scalar int64 _t107, column T norm2_weight, row T grad_h2",
    "row T norm2_p, row T grad_h1",
    """
    T _c_h1[LF_REGISTERS];
    T _c_grad_cross_input[LF_REGISTERS];
    T _c_grad_h2[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t107;
    T _t110 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_h2, _row_grad_h2, _j);
        const T h1 = _at.fill(_c_h1, _row_h1, _j);
        const T grad_cross_input = _at.fill(_c_grad_cross_input, _row_grad_cross_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T _t106 = h1 - norm2_mu;
        const T norm2_x_hat = _t106 * norm2_rstd;
        const T norm2_p = grad_cross_input * norm2_x_hat;
        _t110 = _Sum()(_t110, norm2_p * norm2_weight);
    )
    _t110 = _row_reduce(_t110, _Sum());
    const T _t111 = _t110 * norm2_scale;
    T _t114 = T(0);
    LF_ROW_LOOP(
        const T grad_cross_input = _at.get(_c_grad_cross_input, _row_grad_cross_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        _t114 = _Sum()(_t114, grad_cross_input * norm2_weight);
    )
    _t114 = _row_reduce(_t114, _Sum());
    const T _t115 = _t114 * norm2_scale;
    LF_ROW_LOOP(
        const T h1 = _at.get(_c_h1, _row_h1, _j);
        const T grad_cross_input = _at.get(_c_grad_cross_input, _row_grad_cross_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = _at.get(_c_grad_h2, _row_grad_h2, _j);
        const T _t106 = h1 - norm2_mu;
        const T norm2_x_hat = _t106 * norm2_rstd;
        const T norm2_p = grad_cross_input * norm2_x_hat;
        const T _t108 = grad_cross_input * norm2_weight;
        const T _t109 = _t108 * norm2_rstd;
        const T _t112 = norm2_x_hat * _t111;
        const T _t113 = _t109 - _t112;
        const T grad_norm2_x = _t113 - _t115;
        const T grad_h1 = grad_h2 + grad_norm2_x;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_h1[_j] = grad_h1;
    )
    """,
)


# transformer_decoder_norm_first_gelu_bwd_8: layers_spec/primitives.yaml:2973
_transformer_decoder_norm_first_gelu_bwd_8 = RowBlockKernel(
    "transformer_decoder_norm_first_gelu_bwd_8",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_unpadded",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t124 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        _t124 = _Sum()(_t124, grad_self_attn_weights * self_attn_weights);
    )
    _t124 = _row_reduce(_t124, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t125 = grad_self_attn_weights - _t124;
        const T grad_self_attn_unpadded = self_attn_weights * _t125;
        _row_grad_self_attn_unpadded[_j] = grad_self_attn_unpadded;
    )
    """,
)


# transformer_decoder_norm_first_gelu_bwd_9: layers_spec/primitives.yaml:61
_transformer_decoder_norm_first_gelu_bwd_9 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_9",
    "T grad_self_attn_heads_q, T _t10",
    "T _t134",
    """
    _t134 = grad_self_attn_heads_q * _t10;
    """,
    scalars=("_t10",),
)


# transformer_decoder_norm_first_gelu_bwd_10: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_norm_first_gelu_bwd_10 = RowBlockKernel(
    "transformer_decoder_norm_first_gelu_bwd_10",
    "row T x, per_row T norm1_mu, per_row T norm1_rstd, row T grad_normalized, scalar int64 _t143, column T norm1_weight, row T grad_h1",
    "row T norm1_p, row T grad_x",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_normalized[LF_REGISTERS];
    T _c_grad_h1[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t143;
    T _t146 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_h1, _row_grad_h1, _j);
        const T x = _at.fill(_c_x, _row_x, _j);
        const T grad_normalized = _at.fill(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T _t142 = x - norm1_mu;
        const T norm1_x_hat = _t142 * norm1_rstd;
        const T norm1_p = grad_normalized * norm1_x_hat;
        _t146 = _Sum()(_t146, norm1_p * norm1_weight);
    )
    _t146 = _row_reduce(_t146, _Sum());
    const T _t147 = _t146 * norm1_scale;
    T _t150 = T(0);
    LF_ROW_LOOP(
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        _t150 = _Sum()(_t150, grad_normalized * norm1_weight);
    )
    _t150 = _row_reduce(_t150, _Sum());
    const T _t151 = _t150 * norm1_scale;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = _at.get(_c_grad_h1, _row_grad_h1, _j);
        const T _t142 = x - norm1_mu;
        const T norm1_x_hat = _t142 * norm1_rstd;
        const T norm1_p = grad_normalized * norm1_x_hat;
        const T _t144 = grad_normalized * norm1_weight;
        const T _t145 = _t144 * norm1_rstd;
        const T _t148 = norm1_x_hat * _t147;
        const T _t149 = _t145 - _t148;
        const T grad_norm1_x = _t149 - _t151;
        const T grad_x = grad_h1 + grad_norm1_x;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


# transformer_decoder_norm_first_gelu_bwd_11: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_11 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_11",
    "T _t93, T _t98",
    "T grad_memory",
    """
    grad_memory = _t93 + _t98;
    """,
)


def _cupy_backward_norm_first_gelu(
    grad_y,
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_out_proj_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    nhead,
    norm1_mu,
    norm1_rstd,
    normalized,
    _t6,
    _t10,
    self_attn_weights,
    self_attn_attended,
    h1,
    norm2_mu,
    norm2_rstd,
    cross_input,
    _t19,
    _t22,
    _t25,
    _t31,
    multihead_attn_heads_q,
    multihead_attn_heads_v,
    _t32,
    multihead_attn_weights,
    multihead_attn_attended,
    h2,
    norm3_mu,
    norm3_rstd,
    ffn_input,
    linear1_z,
):
    import cupy as cp

    self_attn_qkv = _transformer_decoder_norm_first_relu_fwd_1(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_2(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    _t41, _t44, hidden = _transformer_decoder_norm_first_gelu_bwd_2(linear1_z)
    grad_linear2_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(hidden)
    grad_linear1_z = _transformer_decoder_norm_first_gelu_bwd_3(
        grad_hidden, _t44, linear1_z, _t41
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    grad_ffn_input = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(ffn_input)
    _t62 = x.shape[-1]
    norm3_p, grad_h2 = _transformer_decoder_norm_first_gelu_bwd_4(
        h2, norm3_mu, norm3_rstd, grad_ffn_input, _t62, norm3_weight, grad_y
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_ffn_input, self_attn_out_proj_bias.shape)
    grad_multihead_attn_out_proj_bias = _cupy_sum_to(
        grad_h2, self_attn_out_proj_bias.shape
    )
    grad_multihead_attn_attended = _linear_backward_input(
        grad_h2, multihead_attn_out_proj_weight
    )
    grad_multihead_attn_out_proj_weight = _rows(grad_h2).T @ _rows(
        multihead_attn_attended
    )
    _t74 = _split_heads(grad_multihead_attn_attended, nhead)
    _t75 = cp.swapaxes(multihead_attn_heads_v, -1, -2)
    grad_multihead_attn_weights = _cupy_bmm(_t74, _t75)
    _t77 = cp.swapaxes(multihead_attn_weights, -1, -2)
    grad_multihead_attn_heads_v = _cupy_bmm(_t77, _t74)
    grad_multihead_attn_unpadded = _transformer_decoder_norm_first_gelu_bwd_5(
        grad_multihead_attn_weights, multihead_attn_weights
    )
    _t82 = cp.swapaxes(_t32, -1, -2)
    grad_multihead_attn_heads_q = _cupy_bmm(grad_multihead_attn_unpadded, _t82)
    _t84 = cp.swapaxes(multihead_attn_heads_q, -1, -2)
    _t85 = _cupy_bmm(_t84, grad_multihead_attn_unpadded)
    grad_multihead_attn_heads_k = cp.swapaxes(_t85, -1, -2)
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    _t89 = _transformer_decoder_norm_first_gelu_bwd_6(grad_multihead_attn_heads_q, _t31)
    grad_multihead_attn_q = _merge_heads(_t89, nhead)
    _t91 = _cupy_sum_to(grad_multihead_attn_v, self_attn_out_proj_bias.shape)
    _t93 = _linear_backward_input(grad_multihead_attn_v, _t25)
    _t94 = _rows(grad_multihead_attn_v).T @ _rows(memory)
    _t96 = _cupy_sum_to(grad_multihead_attn_k, self_attn_out_proj_bias.shape)
    _t98 = _linear_backward_input(grad_multihead_attn_k, _t22)
    _t99 = _rows(grad_multihead_attn_k).T @ _rows(memory)
    _t101 = _cupy_sum_to(grad_multihead_attn_q, self_attn_out_proj_bias.shape)
    grad_cross_input = _linear_backward_input(grad_multihead_attn_q, _t19)
    _t104 = _rows(grad_multihead_attn_q).T @ _rows(cross_input)
    _t107 = x.shape[-1]
    norm2_p, grad_h1 = _transformer_decoder_norm_first_gelu_bwd_7(
        h1, norm2_mu, norm2_rstd, grad_cross_input, _t107, norm2_weight, grad_h2
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_cross_input, self_attn_out_proj_bias.shape)
    grad_self_attn_out_proj_bias = _cupy_sum_to(grad_h1, self_attn_out_proj_bias.shape)
    grad_self_attn_attended = _linear_backward_input(grad_h1, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h1).T @ _rows(self_attn_attended)
    _t119 = _split_heads(grad_self_attn_attended, nhead)
    _t120 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t119, _t120)
    _t122 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t122, _t119)
    grad_self_attn_unpadded = _transformer_decoder_norm_first_gelu_bwd_8(
        grad_self_attn_weights, self_attn_weights
    )
    _t127 = cp.swapaxes(_t11, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t127)
    _t129 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t130 = _cupy_bmm(_t129, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t130, -1, -2)
    _t134 = _transformer_decoder_norm_first_gelu_bwd_9(grad_self_attn_heads_q, _t10)
    grad_self_attn_qkv = _cupy_join_heads(
        (_t134, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_normalized = _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(normalized)
    _t143 = x.shape[-1]
    norm1_p, grad_x = _transformer_decoder_norm_first_gelu_bwd_10(
        x, norm1_mu, norm1_rstd, grad_normalized, _t143, norm1_weight, grad_h1
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_normalized, self_attn_out_proj_bias.shape)
    grad_memory = _transformer_decoder_norm_first_gelu_bwd_11(_t93, _t98)
    grad_multihead_attn_in_proj_weight = cp.concatenate((_t104, _t99, _t94), axis=0)
    grad_multihead_attn_in_proj_bias = cp.concatenate((_t101, _t96, _t91), axis=-1)
    return (
        grad_x,
        grad_memory,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_multihead_attn_in_proj_weight,
        grad_multihead_attn_in_proj_bias,
        grad_multihead_attn_out_proj_weight,
        grad_multihead_attn_out_proj_bias,
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


# transformer_decoder_norm_first_gelu_tanh_fwd_11: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:20,21
_transformer_decoder_norm_first_gelu_tanh_fwd_11 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_fwd_11",
    "T _t40, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t40 + linear1_bias;
    T _t41 = linear1_z * linear1_z * linear1_z;
    T _t42 = T(0.044715) * _t41;
    T _t43 = linear1_z + _t42;
    T gelu_inner = T(0.7978845608028654) * _t43;
    T _t44 = T(0.5) * linear1_z;
    T _t45 = tanh(gelu_inner);
    T _t46 = T(1) + _t45;
    hidden = _t44 * _t46;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_fwd_12: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_decoder.yaml:63
_transformer_decoder_norm_first_gelu_tanh_fwd_12 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_fwd_12",
    "T _t47, T linear2_bias, T h2",
    "T y",
    """
    T linear2_z = _t47 + linear2_bias;
    y = h2 + linear2_z;
    """,
)


def _cupy_forward_norm_first_gelu_tanh(
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask,
    memory_mask,
    tgt_key_padding_mask,
    memory_key_padding_mask,
    nhead,
    eps,
):
    import cupy as cp

    _t2 = x.shape[-1]
    norm1_mu, norm1_rstd, normalized = _transformer_decoder_norm_first_relu_fwd_0(
        x, _t2, eps, norm1_weight, norm1_bias
    )
    _t6 = _linear(normalized, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_decoder_norm_first_relu_fwd_1(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    _t8 = x.shape[-1]
    _t9 = _t8 / nhead
    _t10 = _t9 ** (-0.5)
    self_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_2(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t11)
    self_attn_weights = _transformer_decoder_norm_first_relu_fwd_3(
        self_attn_scores, tgt_mask, tgt_key_padding_mask
    )
    _t12 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t12, nhead)
    _t13 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t15 = x.shape[-1]
    h1, norm2_mu, norm2_rstd, cross_input = _transformer_decoder_norm_first_relu_fwd_4(
        _t13, self_attn_out_proj_bias, x, _t15, eps, norm2_weight, norm2_bias
    )
    _t19 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t20 = _linear(cross_input, _t19)
    _t21 = _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    multihead_attn_q = _transformer_decoder_norm_first_relu_fwd_5(_t20, _t21)
    _t22 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    _t23 = _linear(memory, _t22)
    _t24 = _chunk(multihead_attn_in_proj_bias, 3, 1, -1)
    multihead_attn_k = _transformer_decoder_norm_first_relu_fwd_6(_t23, _t24)
    _t25 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    _t26 = _linear(memory, _t25)
    _t27 = _chunk(multihead_attn_in_proj_bias, 3, 2, -1)
    multihead_attn_v = _transformer_decoder_norm_first_relu_fwd_7(_t26, _t27)
    _t28 = _split_heads(multihead_attn_q, nhead)
    _t29 = x.shape[-1]
    _t30 = _t29 / nhead
    _t31 = _t30 ** (-0.5)
    multihead_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_8(_t28, _t31)
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t32 = cp.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _cupy_bmm(multihead_attn_heads_q, _t32)
    multihead_attn_weights = _transformer_decoder_norm_first_relu_fwd_9(
        multihead_attn_scores, memory_mask, memory_key_padding_mask
    )
    _t33 = _cupy_bmm(multihead_attn_weights, multihead_attn_heads_v)
    multihead_attn_attended = _merge_heads(_t33, nhead)
    _t34 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    _t36 = x.shape[-1]
    h2, norm3_mu, norm3_rstd, ffn_input = _transformer_decoder_norm_first_relu_fwd_10(
        _t34, multihead_attn_out_proj_bias, h1, _t36, eps, norm3_weight, norm3_bias
    )
    _t40 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = _transformer_decoder_norm_first_gelu_tanh_fwd_11(
        _t40, linear1_bias
    )
    _t47 = _linear(hidden, linear2_weight)
    y = _transformer_decoder_norm_first_gelu_tanh_fwd_12(_t47, linear2_bias, h2)
    return y, (
        x,
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_out_proj_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        nhead,
        norm1_mu,
        norm1_rstd,
        normalized,
        _t6,
        _t10,
        self_attn_weights,
        self_attn_attended,
        h1,
        norm2_mu,
        norm2_rstd,
        cross_input,
        _t19,
        _t22,
        _t25,
        _t31,
        multihead_attn_heads_q,
        multihead_attn_heads_v,
        _t32,
        multihead_attn_weights,
        multihead_attn_attended,
        h2,
        norm3_mu,
        norm3_rstd,
        ffn_input,
        linear1_z,
    )


# transformer_decoder_norm_first_gelu_tanh_bwd_2: layers_spec/activations/gelu.yaml:20,21
_transformer_decoder_norm_first_gelu_tanh_bwd_2 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_2",
    "T linear1_z",
    "T _t44, T _t45, T _t46, T hidden",
    """
    T _t41 = linear1_z * linear1_z * linear1_z;
    T _t42 = T(0.044715) * _t41;
    T _t43 = linear1_z + _t42;
    T gelu_inner = T(0.7978845608028654) * _t43;
    _t44 = T(0.5) * linear1_z;
    _t45 = tanh(gelu_inner);
    _t46 = T(1) + _t45;
    hidden = _t44 * _t46;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_3: layers_spec/primitives.yaml:61,62,180,90
_transformer_decoder_norm_first_gelu_tanh_bwd_3 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_3",
    "T grad_hidden, T _t46, T _t44, T _t45, T linear1_z",
    "T grad_linear1_z",
    """
    T _t51 = grad_hidden * _t46;
    T _t52 = grad_hidden * _t44;
    T _t53 = _t45 * _t45;
    T _t54 = T(1) - _t53;
    T grad_gelu_inner = _t52 * _t54;
    T _t56 = _t51 * T(0.5);
    T _t57 = grad_gelu_inner * T(0.7978845608028654);
    T _t58 = _t57 * T(0.044715);
    T _t59 = _t58 * T(3);
    T _t60 = linear1_z * linear1_z;
    T _t61 = _t59 * _t60;
    T _t62 = _t56 + _t57;
    grad_linear1_z = _t62 + _t61;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_4: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_norm_first_gelu_tanh_bwd_4 = RowBlockKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_4",
    "row T h2, per_row T norm3_mu, per_row T norm3_rstd, row T grad_ffn_input, scalar int64 _t67, column T norm3_weight, row T grad_y",
    "row T norm3_p, row T grad_h2",
    """
    T _c_h2[LF_REGISTERS];
    T _c_grad_ffn_input[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm3_scale = norm3_rstd / _t67;
    T _t70 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_y, _row_grad_y, _j);
        const T h2 = _at.fill(_c_h2, _row_h2, _j);
        const T grad_ffn_input = _at.fill(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t66 = h2 - norm3_mu;
        const T norm3_x_hat = _t66 * norm3_rstd;
        const T norm3_p = grad_ffn_input * norm3_x_hat;
        _t70 = _Sum()(_t70, norm3_p * norm3_weight);
    )
    _t70 = _row_reduce(_t70, _Sum());
    const T _t71 = _t70 * norm3_scale;
    T _t74 = T(0);
    LF_ROW_LOOP(
        const T grad_ffn_input = _at.get(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        _t74 = _Sum()(_t74, grad_ffn_input * norm3_weight);
    )
    _t74 = _row_reduce(_t74, _Sum());
    const T _t75 = _t74 * norm3_scale;
    LF_ROW_LOOP(
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T grad_ffn_input = _at.get(_c_grad_ffn_input, _row_grad_ffn_input, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t66 = h2 - norm3_mu;
        const T norm3_x_hat = _t66 * norm3_rstd;
        const T norm3_p = grad_ffn_input * norm3_x_hat;
        const T _t68 = grad_ffn_input * norm3_weight;
        const T _t69 = _t68 * norm3_rstd;
        const T _t72 = norm3_x_hat * _t71;
        const T _t73 = _t69 - _t72;
        const T grad_norm3_x = _t73 - _t75;
        const T grad_h2 = grad_y + grad_norm3_x;
        _row_norm3_p[_j] = norm3_p;
        _row_grad_h2[_j] = grad_h2;
    )
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_5: layers_spec/primitives.yaml:2973
_transformer_decoder_norm_first_gelu_tanh_bwd_5 = RowBlockKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_5",
    "row T grad_multihead_attn_weights, row T multihead_attn_weights",
    "row T grad_multihead_attn_unpadded",
    """
    T _c_grad_multihead_attn_weights[LF_REGISTERS];
    T _c_multihead_attn_weights[LF_REGISTERS];
    T _t84 = T(0);
    LF_ROW_LOOP(
        const T grad_multihead_attn_weights = _at.fill(_c_grad_multihead_attn_weights, _row_grad_multihead_attn_weights, _j);
        const T multihead_attn_weights = _at.fill(_c_multihead_attn_weights, _row_multihead_attn_weights, _j);
        _t84 = _Sum()(_t84, grad_multihead_attn_weights * multihead_attn_weights);
    )
    _t84 = _row_reduce(_t84, _Sum());
    LF_ROW_LOOP(
        const T grad_multihead_attn_weights = _at.get(_c_grad_multihead_attn_weights, _row_grad_multihead_attn_weights, _j);
        const T multihead_attn_weights = _at.get(_c_multihead_attn_weights, _row_multihead_attn_weights, _j);
        const T _t85 = grad_multihead_attn_weights - _t84;
        const T grad_multihead_attn_unpadded = multihead_attn_weights * _t85;
        _row_grad_multihead_attn_unpadded[_j] = grad_multihead_attn_unpadded;
    )
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_6: layers_spec/primitives.yaml:61
_transformer_decoder_norm_first_gelu_tanh_bwd_6 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_6",
    "T grad_multihead_attn_heads_q, T _t31",
    "T _t94",
    """
    _t94 = grad_multihead_attn_heads_q * _t31;
    """,
    scalars=("_t31",),
)


# transformer_decoder_norm_first_gelu_tanh_bwd_7: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_norm_first_gelu_tanh_bwd_7 = RowBlockKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_7",
    "row T h1, per_row T norm2_mu, per_row T norm2_rstd, row T grad_cross_input, scalar int64 _t112, column T norm2_weight, row T grad_h2",
    "row T norm2_p, row T grad_h1",
    """
    T _c_h1[LF_REGISTERS];
    T _c_grad_cross_input[LF_REGISTERS];
    T _c_grad_h2[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t112;
    T _t115 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_h2, _row_grad_h2, _j);
        const T h1 = _at.fill(_c_h1, _row_h1, _j);
        const T grad_cross_input = _at.fill(_c_grad_cross_input, _row_grad_cross_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T _t111 = h1 - norm2_mu;
        const T norm2_x_hat = _t111 * norm2_rstd;
        const T norm2_p = grad_cross_input * norm2_x_hat;
        _t115 = _Sum()(_t115, norm2_p * norm2_weight);
    )
    _t115 = _row_reduce(_t115, _Sum());
    const T _t116 = _t115 * norm2_scale;
    T _t119 = T(0);
    LF_ROW_LOOP(
        const T grad_cross_input = _at.get(_c_grad_cross_input, _row_grad_cross_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        _t119 = _Sum()(_t119, grad_cross_input * norm2_weight);
    )
    _t119 = _row_reduce(_t119, _Sum());
    const T _t120 = _t119 * norm2_scale;
    LF_ROW_LOOP(
        const T h1 = _at.get(_c_h1, _row_h1, _j);
        const T grad_cross_input = _at.get(_c_grad_cross_input, _row_grad_cross_input, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = _at.get(_c_grad_h2, _row_grad_h2, _j);
        const T _t111 = h1 - norm2_mu;
        const T norm2_x_hat = _t111 * norm2_rstd;
        const T norm2_p = grad_cross_input * norm2_x_hat;
        const T _t113 = grad_cross_input * norm2_weight;
        const T _t114 = _t113 * norm2_rstd;
        const T _t117 = norm2_x_hat * _t116;
        const T _t118 = _t114 - _t117;
        const T grad_norm2_x = _t118 - _t120;
        const T grad_h1 = grad_h2 + grad_norm2_x;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_h1[_j] = grad_h1;
    )
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_8: layers_spec/primitives.yaml:2973
_transformer_decoder_norm_first_gelu_tanh_bwd_8 = RowBlockKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_8",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_unpadded",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t129 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        _t129 = _Sum()(_t129, grad_self_attn_weights * self_attn_weights);
    )
    _t129 = _row_reduce(_t129, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t130 = grad_self_attn_weights - _t129;
        const T grad_self_attn_unpadded = self_attn_weights * _t130;
        _row_grad_self_attn_unpadded[_j] = grad_self_attn_unpadded;
    )
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_9: layers_spec/primitives.yaml:61
_transformer_decoder_norm_first_gelu_tanh_bwd_9 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_9",
    "T grad_self_attn_heads_q, T _t10",
    "T _t139",
    """
    _t139 = grad_self_attn_heads_q * _t10;
    """,
    scalars=("_t10",),
)


# transformer_decoder_norm_first_gelu_tanh_bwd_10: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_norm_first_gelu_tanh_bwd_10 = RowBlockKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_10",
    "row T x, per_row T norm1_mu, per_row T norm1_rstd, row T grad_normalized, scalar int64 _t148, column T norm1_weight, row T grad_h1",
    "row T norm1_p, row T grad_x",
    """
    T _c_x[LF_REGISTERS];
    T _c_grad_normalized[LF_REGISTERS];
    T _c_grad_h1[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t148;
    T _t151 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_h1, _row_grad_h1, _j);
        const T x = _at.fill(_c_x, _row_x, _j);
        const T grad_normalized = _at.fill(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T _t147 = x - norm1_mu;
        const T norm1_x_hat = _t147 * norm1_rstd;
        const T norm1_p = grad_normalized * norm1_x_hat;
        _t151 = _Sum()(_t151, norm1_p * norm1_weight);
    )
    _t151 = _row_reduce(_t151, _Sum());
    const T _t152 = _t151 * norm1_scale;
    T _t155 = T(0);
    LF_ROW_LOOP(
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        _t155 = _Sum()(_t155, grad_normalized * norm1_weight);
    )
    _t155 = _row_reduce(_t155, _Sum());
    const T _t156 = _t155 * norm1_scale;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T grad_normalized = _at.get(_c_grad_normalized, _row_grad_normalized, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = _at.get(_c_grad_h1, _row_grad_h1, _j);
        const T _t147 = x - norm1_mu;
        const T norm1_x_hat = _t147 * norm1_rstd;
        const T norm1_p = grad_normalized * norm1_x_hat;
        const T _t149 = grad_normalized * norm1_weight;
        const T _t150 = _t149 * norm1_rstd;
        const T _t153 = norm1_x_hat * _t152;
        const T _t154 = _t150 - _t153;
        const T grad_norm1_x = _t154 - _t156;
        const T grad_x = grad_h1 + grad_norm1_x;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_11: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_11 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_11",
    "T _t98, T _t103",
    "T grad_memory",
    """
    grad_memory = _t98 + _t103;
    """,
)


def _cupy_backward_norm_first_gelu_tanh(
    grad_y,
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_out_proj_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    nhead,
    norm1_mu,
    norm1_rstd,
    normalized,
    _t6,
    _t10,
    self_attn_weights,
    self_attn_attended,
    h1,
    norm2_mu,
    norm2_rstd,
    cross_input,
    _t19,
    _t22,
    _t25,
    _t31,
    multihead_attn_heads_q,
    multihead_attn_heads_v,
    _t32,
    multihead_attn_weights,
    multihead_attn_attended,
    h2,
    norm3_mu,
    norm3_rstd,
    ffn_input,
    linear1_z,
):
    import cupy as cp

    self_attn_qkv = _transformer_decoder_norm_first_relu_fwd_1(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_2(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    _t44, _t45, _t46, hidden = _transformer_decoder_norm_first_gelu_tanh_bwd_2(
        linear1_z
    )
    grad_linear2_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_y, linear2_weight)
    grad_linear2_weight = _rows(grad_y).T @ _rows(hidden)
    grad_linear1_z = _transformer_decoder_norm_first_gelu_tanh_bwd_3(
        grad_hidden, _t46, _t44, _t45, linear1_z
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    grad_ffn_input = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(ffn_input)
    _t67 = x.shape[-1]
    norm3_p, grad_h2 = _transformer_decoder_norm_first_gelu_tanh_bwd_4(
        h2, norm3_mu, norm3_rstd, grad_ffn_input, _t67, norm3_weight, grad_y
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_ffn_input, self_attn_out_proj_bias.shape)
    grad_multihead_attn_out_proj_bias = _cupy_sum_to(
        grad_h2, self_attn_out_proj_bias.shape
    )
    grad_multihead_attn_attended = _linear_backward_input(
        grad_h2, multihead_attn_out_proj_weight
    )
    grad_multihead_attn_out_proj_weight = _rows(grad_h2).T @ _rows(
        multihead_attn_attended
    )
    _t79 = _split_heads(grad_multihead_attn_attended, nhead)
    _t80 = cp.swapaxes(multihead_attn_heads_v, -1, -2)
    grad_multihead_attn_weights = _cupy_bmm(_t79, _t80)
    _t82 = cp.swapaxes(multihead_attn_weights, -1, -2)
    grad_multihead_attn_heads_v = _cupy_bmm(_t82, _t79)
    grad_multihead_attn_unpadded = _transformer_decoder_norm_first_gelu_tanh_bwd_5(
        grad_multihead_attn_weights, multihead_attn_weights
    )
    _t87 = cp.swapaxes(_t32, -1, -2)
    grad_multihead_attn_heads_q = _cupy_bmm(grad_multihead_attn_unpadded, _t87)
    _t89 = cp.swapaxes(multihead_attn_heads_q, -1, -2)
    _t90 = _cupy_bmm(_t89, grad_multihead_attn_unpadded)
    grad_multihead_attn_heads_k = cp.swapaxes(_t90, -1, -2)
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    _t94 = _transformer_decoder_norm_first_gelu_tanh_bwd_6(
        grad_multihead_attn_heads_q, _t31
    )
    grad_multihead_attn_q = _merge_heads(_t94, nhead)
    _t96 = _cupy_sum_to(grad_multihead_attn_v, self_attn_out_proj_bias.shape)
    _t98 = _linear_backward_input(grad_multihead_attn_v, _t25)
    _t99 = _rows(grad_multihead_attn_v).T @ _rows(memory)
    _t101 = _cupy_sum_to(grad_multihead_attn_k, self_attn_out_proj_bias.shape)
    _t103 = _linear_backward_input(grad_multihead_attn_k, _t22)
    _t104 = _rows(grad_multihead_attn_k).T @ _rows(memory)
    _t106 = _cupy_sum_to(grad_multihead_attn_q, self_attn_out_proj_bias.shape)
    grad_cross_input = _linear_backward_input(grad_multihead_attn_q, _t19)
    _t109 = _rows(grad_multihead_attn_q).T @ _rows(cross_input)
    _t112 = x.shape[-1]
    norm2_p, grad_h1 = _transformer_decoder_norm_first_gelu_tanh_bwd_7(
        h1, norm2_mu, norm2_rstd, grad_cross_input, _t112, norm2_weight, grad_h2
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_cross_input, self_attn_out_proj_bias.shape)
    grad_self_attn_out_proj_bias = _cupy_sum_to(grad_h1, self_attn_out_proj_bias.shape)
    grad_self_attn_attended = _linear_backward_input(grad_h1, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h1).T @ _rows(self_attn_attended)
    _t124 = _split_heads(grad_self_attn_attended, nhead)
    _t125 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t124, _t125)
    _t127 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t127, _t124)
    grad_self_attn_unpadded = _transformer_decoder_norm_first_gelu_tanh_bwd_8(
        grad_self_attn_weights, self_attn_weights
    )
    _t132 = cp.swapaxes(_t11, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t132)
    _t134 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t135 = _cupy_bmm(_t134, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t135, -1, -2)
    _t139 = _transformer_decoder_norm_first_gelu_tanh_bwd_9(
        grad_self_attn_heads_q, _t10
    )
    grad_self_attn_qkv = _cupy_join_heads(
        (_t139, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    grad_normalized = _linear_backward_input(
        grad_self_attn_qkv, self_attn_in_proj_weight
    )
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(normalized)
    _t148 = x.shape[-1]
    norm1_p, grad_x = _transformer_decoder_norm_first_gelu_tanh_bwd_10(
        x, norm1_mu, norm1_rstd, grad_normalized, _t148, norm1_weight, grad_h1
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_normalized, self_attn_out_proj_bias.shape)
    grad_memory = _transformer_decoder_norm_first_gelu_tanh_bwd_11(_t98, _t103)
    grad_multihead_attn_in_proj_weight = cp.concatenate((_t109, _t104, _t99), axis=0)
    grad_multihead_attn_in_proj_bias = cp.concatenate((_t106, _t101, _t96), axis=-1)
    return (
        grad_x,
        grad_memory,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_multihead_attn_in_proj_weight,
        grad_multihead_attn_in_proj_bias,
        grad_multihead_attn_out_proj_weight,
        grad_multihead_attn_out_proj_bias,
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


# transformer_decoder_no_norm_first_relu_fwd_0: layers_spec/layers/multi_head_attention.yaml:32
_transformer_decoder_no_norm_first_relu_fwd_0 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_0",
    "T _t1, T self_attn_in_proj_bias",
    "T self_attn_qkv",
    """
    self_attn_qkv = _t1 + self_attn_in_proj_bias;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_1: layers_spec/layers/multi_head_attention.yaml:36
_transformer_decoder_no_norm_first_relu_fwd_1 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_1",
    "T _t2, T _t5",
    "T self_attn_heads_q",
    """
    self_attn_heads_q = _t2 * _t5;
    """,
    scalars=("_t5",),
)


# transformer_decoder_no_norm_first_relu_fwd_3: layers_spec/layers/multi_head_attention.yaml:48; layers_spec/layers/transformer_decoder.yaml:50; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_decoder_no_norm_first_relu_fwd_3 = RowBlockKernel(
    "transformer_decoder_no_norm_first_relu_fwd_3",
    "row T _t8, column T self_attn_out_proj_bias, row T x, scalar int64 _t11, scalar T eps, column T norm1_weight, column T norm1_bias",
    "row T _t9, per_row T norm1_mu, per_row T norm1_rstd, row T h1",
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
        const T h1 = _t14 + norm1_bias;
        _row__t9[_j] = _t9;
        _row_h1[_j] = h1;
    )
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_4: layers_spec/layers/multi_head_attention.yaml:28
_transformer_decoder_no_norm_first_relu_fwd_4 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_4",
    "T _t16, T _t17",
    "T multihead_attn_q",
    """
    multihead_attn_q = _t16 + _t17;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_5: layers_spec/layers/multi_head_attention.yaml:29
_transformer_decoder_no_norm_first_relu_fwd_5 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_5",
    "T _t19, T _t20",
    "T multihead_attn_k",
    """
    multihead_attn_k = _t19 + _t20;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_6: layers_spec/layers/multi_head_attention.yaml:30
_transformer_decoder_no_norm_first_relu_fwd_6 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_6",
    "T _t22, T _t23",
    "T multihead_attn_v",
    """
    multihead_attn_v = _t22 + _t23;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_7: layers_spec/layers/multi_head_attention.yaml:36
_transformer_decoder_no_norm_first_relu_fwd_7 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_7",
    "T _t24, T _t27",
    "T multihead_attn_heads_q",
    """
    multihead_attn_heads_q = _t24 * _t27;
    """,
    scalars=("_t27",),
)


# transformer_decoder_no_norm_first_relu_fwd_9: layers_spec/layers/multi_head_attention.yaml:48; layers_spec/layers/transformer_decoder.yaml:52; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_decoder_no_norm_first_relu_fwd_9 = RowBlockKernel(
    "transformer_decoder_no_norm_first_relu_fwd_9",
    "row T _t30, column T multihead_attn_out_proj_bias, row T h1, scalar int64 _t33, scalar T eps, column T norm2_weight, column T norm2_bias",
    "row T _t31, per_row T norm2_mu, per_row T norm2_rstd, row T h2",
    """
    T _c__t30[LF_REGISTERS];
    T _c_h1[LF_REGISTERS];
    T norm2_mu = T(0);
    LF_ROW_LOOP(
        const T _t30 = _at.fill(_c__t30, _row__t30, _j);
        const T multihead_attn_out_proj_bias = _p_multihead_attn_out_proj_bias[_j];
        const T h1 = _at.fill(_c_h1, _row_h1, _j);
        const T crossed = _t30 + multihead_attn_out_proj_bias;
        const T _t31 = h1 + crossed;
        norm2_mu = _Sum()(norm2_mu, _t31);
    )
    norm2_mu = _row_reduce(norm2_mu, _Sum());
    norm2_mu = norm2_mu / T(_n);
    T _t32 = T(0);
    LF_ROW_LOOP(
        const T _t30 = _at.get(_c__t30, _row__t30, _j);
        const T multihead_attn_out_proj_bias = _p_multihead_attn_out_proj_bias[_j];
        const T h1 = _at.get(_c_h1, _row_h1, _j);
        const T crossed = _t30 + multihead_attn_out_proj_bias;
        const T _t31 = h1 + crossed;
        const T norm2_centered = _t31 - norm2_mu;
        _t32 = _Sum()(_t32, norm2_centered * norm2_centered);
    )
    _t32 = _row_reduce(_t32, _Sum());
    const T norm2_variance = _t32 / _t33;
    const T _t34 = norm2_variance + eps;
    const T _t35 = sqrt(_t34);
    const T norm2_rstd = T(1) / _t35;
    LF_ROW_LOOP(
        const T _t30 = _at.get(_c__t30, _row__t30, _j);
        const T multihead_attn_out_proj_bias = _p_multihead_attn_out_proj_bias[_j];
        const T h1 = _at.get(_c_h1, _row_h1, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T norm2_bias = _p_norm2_bias[_j];
        const T crossed = _t30 + multihead_attn_out_proj_bias;
        const T _t31 = h1 + crossed;
        const T norm2_centered = _t31 - norm2_mu;
        const T norm2_normalized = norm2_centered * norm2_rstd;
        const T _t36 = norm2_normalized * norm2_weight;
        const T h2 = _t36 + norm2_bias;
        _row__t31[_j] = _t31;
        _row_h2[_j] = h2;
    )
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_10: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_transformer_decoder_no_norm_first_relu_fwd_10 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_10",
    "T _t37, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t37 + linear1_bias;
    hidden = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_11: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_decoder.yaml:65; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_decoder_no_norm_first_relu_fwd_11 = RowBlockKernel(
    "transformer_decoder_no_norm_first_relu_fwd_11",
    "row T _t38, column T linear2_bias, row T h2, scalar int64 _t41, scalar T eps, column T norm3_weight, column T norm3_bias",
    "row T _t39, per_row T norm3_mu, per_row T norm3_rstd, row T y",
    """
    T _c__t38[LF_REGISTERS];
    T _c_h2[LF_REGISTERS];
    T norm3_mu = T(0);
    LF_ROW_LOOP(
        const T _t38 = _at.fill(_c__t38, _row__t38, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.fill(_c_h2, _row_h2, _j);
        const T linear2_z = _t38 + linear2_bias;
        const T _t39 = h2 + linear2_z;
        norm3_mu = _Sum()(norm3_mu, _t39);
    )
    norm3_mu = _row_reduce(norm3_mu, _Sum());
    norm3_mu = norm3_mu / T(_n);
    T _t40 = T(0);
    LF_ROW_LOOP(
        const T _t38 = _at.get(_c__t38, _row__t38, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T linear2_z = _t38 + linear2_bias;
        const T _t39 = h2 + linear2_z;
        const T norm3_centered = _t39 - norm3_mu;
        _t40 = _Sum()(_t40, norm3_centered * norm3_centered);
    )
    _t40 = _row_reduce(_t40, _Sum());
    const T norm3_variance = _t40 / _t41;
    const T _t42 = norm3_variance + eps;
    const T _t43 = sqrt(_t42);
    const T norm3_rstd = T(1) / _t43;
    LF_ROW_LOOP(
        const T _t38 = _at.get(_c__t38, _row__t38, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T norm3_bias = _p_norm3_bias[_j];
        const T linear2_z = _t38 + linear2_bias;
        const T _t39 = h2 + linear2_z;
        const T norm3_centered = _t39 - norm3_mu;
        const T norm3_normalized = norm3_centered * norm3_rstd;
        const T _t44 = norm3_normalized * norm3_weight;
        const T y = _t44 + norm3_bias;
        _row__t39[_j] = _t39;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_no_norm_first_relu(
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask,
    memory_mask,
    tgt_key_padding_mask,
    memory_key_padding_mask,
    nhead,
    eps,
):
    import cupy as cp

    _t1 = _linear(x, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_decoder_no_norm_first_relu_fwd_0(
        _t1, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = _split_heads(self_attn_q, nhead)
    _t3 = x.shape[-1]
    _t4 = _t3 / nhead
    _t5 = _t4 ** (-0.5)
    self_attn_heads_q = _transformer_decoder_no_norm_first_relu_fwd_1(_t2, _t5)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t6 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t6)
    self_attn_weights = _transformer_decoder_norm_first_relu_fwd_3(
        self_attn_scores, tgt_mask, tgt_key_padding_mask
    )
    _t7 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t7, nhead)
    _t8 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t11 = x.shape[-1]
    _t9, norm1_mu, norm1_rstd, h1 = _transformer_decoder_no_norm_first_relu_fwd_3(
        _t8, self_attn_out_proj_bias, x, _t11, eps, norm1_weight, norm1_bias
    )
    _t15 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t16 = _linear(h1, _t15)
    _t17 = _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    multihead_attn_q = _transformer_decoder_no_norm_first_relu_fwd_4(_t16, _t17)
    _t18 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    _t19 = _linear(memory, _t18)
    _t20 = _chunk(multihead_attn_in_proj_bias, 3, 1, -1)
    multihead_attn_k = _transformer_decoder_no_norm_first_relu_fwd_5(_t19, _t20)
    _t21 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    _t22 = _linear(memory, _t21)
    _t23 = _chunk(multihead_attn_in_proj_bias, 3, 2, -1)
    multihead_attn_v = _transformer_decoder_no_norm_first_relu_fwd_6(_t22, _t23)
    _t24 = _split_heads(multihead_attn_q, nhead)
    _t25 = x.shape[-1]
    _t26 = _t25 / nhead
    _t27 = _t26 ** (-0.5)
    multihead_attn_heads_q = _transformer_decoder_no_norm_first_relu_fwd_7(_t24, _t27)
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t28 = cp.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _cupy_bmm(multihead_attn_heads_q, _t28)
    multihead_attn_weights = _transformer_decoder_norm_first_relu_fwd_9(
        multihead_attn_scores, memory_mask, memory_key_padding_mask
    )
    _t29 = _cupy_bmm(multihead_attn_weights, multihead_attn_heads_v)
    multihead_attn_attended = _merge_heads(_t29, nhead)
    _t30 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    _t33 = x.shape[-1]
    _t31, norm2_mu, norm2_rstd, h2 = _transformer_decoder_no_norm_first_relu_fwd_9(
        _t30, multihead_attn_out_proj_bias, h1, _t33, eps, norm2_weight, norm2_bias
    )
    _t37 = _linear(h2, linear1_weight)
    linear1_z, hidden = _transformer_decoder_no_norm_first_relu_fwd_10(
        _t37, linear1_bias
    )
    _t38 = _linear(hidden, linear2_weight)
    _t41 = x.shape[-1]
    _t39, norm3_mu, norm3_rstd, y = _transformer_decoder_no_norm_first_relu_fwd_11(
        _t38, linear2_bias, h2, _t41, eps, norm3_weight, norm3_bias
    )
    return y, (
        x,
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_out_proj_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        nhead,
        _t1,
        _t5,
        self_attn_weights,
        self_attn_attended,
        _t9,
        norm1_mu,
        norm1_rstd,
        h1,
        _t15,
        _t18,
        _t21,
        _t27,
        multihead_attn_heads_q,
        multihead_attn_heads_v,
        _t28,
        multihead_attn_weights,
        multihead_attn_attended,
        _t31,
        norm2_mu,
        norm2_rstd,
        h2,
        linear1_z,
        _t39,
        norm3_mu,
        norm3_rstd,
    )


# transformer_decoder_no_norm_first_relu_bwd_3: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_no_norm_first_relu_bwd_3 = RowBlockKernel(
    "transformer_decoder_no_norm_first_relu_bwd_3",
    "row T _t39, per_row T norm3_mu, per_row T norm3_rstd, row T grad_y, scalar int64 _t46, column T norm3_weight",
    "row T norm3_p, row T grad_norm3_x",
    """
    T _c__t39[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm3_scale = norm3_rstd / _t46;
    T _t49 = T(0);
    LF_ROW_LOOP(
        const T _t39 = _at.fill(_c__t39, _row__t39, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t45 = _t39 - norm3_mu;
        const T norm3_x_hat = _t45 * norm3_rstd;
        const T norm3_p = grad_y * norm3_x_hat;
        _t49 = _Sum()(_t49, norm3_p * norm3_weight);
    )
    _t49 = _row_reduce(_t49, _Sum());
    const T _t50 = _t49 * norm3_scale;
    T _t53 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        _t53 = _Sum()(_t53, grad_y * norm3_weight);
    )
    _t53 = _row_reduce(_t53, _Sum());
    const T _t54 = _t53 * norm3_scale;
    LF_ROW_LOOP(
        const T _t39 = _at.get(_c__t39, _row__t39, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t45 = _t39 - norm3_mu;
        const T norm3_x_hat = _t45 * norm3_rstd;
        const T norm3_p = grad_y * norm3_x_hat;
        const T _t47 = grad_y * norm3_weight;
        const T _t48 = _t47 * norm3_rstd;
        const T _t51 = norm3_x_hat * _t50;
        const T _t52 = _t48 - _t51;
        const T grad_norm3_x = _t52 - _t54;
        _row_norm3_p[_j] = norm3_p;
        _row_grad_norm3_x[_j] = grad_norm3_x;
    )
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_4: layers_spec/primitives.yaml:252
_transformer_decoder_no_norm_first_relu_bwd_4 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_4",
    "T linear1_z, T grad_hidden",
    "T grad_linear1_z",
    """
    bool _t58 = linear1_z > T(0);
    grad_linear1_z = grad_hidden * _t58;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_5: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_no_norm_first_relu_bwd_5 = RowBlockKernel(
    "transformer_decoder_no_norm_first_relu_bwd_5",
    "row T grad_norm3_x, row T _t61, row T _t31, per_row T norm2_mu, per_row T norm2_rstd, scalar int64 _t64, column T norm2_weight",
    "row T grad_h2, row T norm2_p, row T grad_norm2_x",
    """
    T _c_grad_norm3_x[LF_REGISTERS];
    T _c__t61[LF_REGISTERS];
    T _c__t31[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t64;
    T _t67 = T(0);
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.fill(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t61 = _at.fill(_c__t61, _row__t61, _j);
        const T _t31 = _at.fill(_c__t31, _row__t31, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t61;
        const T _t63 = _t31 - norm2_mu;
        const T norm2_x_hat = _t63 * norm2_rstd;
        const T norm2_p = grad_h2 * norm2_x_hat;
        _t67 = _Sum()(_t67, norm2_p * norm2_weight);
    )
    _t67 = _row_reduce(_t67, _Sum());
    const T _t68 = _t67 * norm2_scale;
    T _t71 = T(0);
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.get(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t61 = _at.get(_c__t61, _row__t61, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t61;
        _t71 = _Sum()(_t71, grad_h2 * norm2_weight);
    )
    _t71 = _row_reduce(_t71, _Sum());
    const T _t72 = _t71 * norm2_scale;
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.get(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t61 = _at.get(_c__t61, _row__t61, _j);
        const T _t31 = _at.get(_c__t31, _row__t31, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t61;
        const T _t63 = _t31 - norm2_mu;
        const T norm2_x_hat = _t63 * norm2_rstd;
        const T norm2_p = grad_h2 * norm2_x_hat;
        const T _t65 = grad_h2 * norm2_weight;
        const T _t66 = _t65 * norm2_rstd;
        const T _t69 = norm2_x_hat * _t68;
        const T _t70 = _t66 - _t69;
        const T grad_norm2_x = _t70 - _t72;
        _row_grad_h2[_j] = grad_h2;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_norm2_x[_j] = grad_norm2_x;
    )
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_6: layers_spec/primitives.yaml:2973
_transformer_decoder_no_norm_first_relu_bwd_6 = RowBlockKernel(
    "transformer_decoder_no_norm_first_relu_bwd_6",
    "row T grad_multihead_attn_weights, row T multihead_attn_weights",
    "row T grad_multihead_attn_unpadded",
    """
    T _c_grad_multihead_attn_weights[LF_REGISTERS];
    T _c_multihead_attn_weights[LF_REGISTERS];
    T _t81 = T(0);
    LF_ROW_LOOP(
        const T grad_multihead_attn_weights = _at.fill(_c_grad_multihead_attn_weights, _row_grad_multihead_attn_weights, _j);
        const T multihead_attn_weights = _at.fill(_c_multihead_attn_weights, _row_multihead_attn_weights, _j);
        _t81 = _Sum()(_t81, grad_multihead_attn_weights * multihead_attn_weights);
    )
    _t81 = _row_reduce(_t81, _Sum());
    LF_ROW_LOOP(
        const T grad_multihead_attn_weights = _at.get(_c_grad_multihead_attn_weights, _row_grad_multihead_attn_weights, _j);
        const T multihead_attn_weights = _at.get(_c_multihead_attn_weights, _row_multihead_attn_weights, _j);
        const T _t82 = grad_multihead_attn_weights - _t81;
        const T grad_multihead_attn_unpadded = multihead_attn_weights * _t82;
        _row_grad_multihead_attn_unpadded[_j] = grad_multihead_attn_unpadded;
    )
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_7: layers_spec/primitives.yaml:61
_transformer_decoder_no_norm_first_relu_bwd_7 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_7",
    "T grad_multihead_attn_heads_q, T _t27",
    "T _t91",
    """
    _t91 = grad_multihead_attn_heads_q * _t27;
    """,
    scalars=("_t27",),
)


# transformer_decoder_no_norm_first_relu_bwd_8: layers_spec/primitives.yaml:875; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_no_norm_first_relu_bwd_8 = RowBlockKernel(
    "transformer_decoder_no_norm_first_relu_bwd_8",
    "row T grad_norm2_x, row T _t105, row T _t9, per_row T norm1_mu, per_row T norm1_rstd, scalar int64 _t109, column T norm1_weight",
    "row T grad_h1, row T norm1_p, row T grad_norm1_x",
    """
    T _c_grad_norm2_x[LF_REGISTERS];
    T _c__t105[LF_REGISTERS];
    T _c__t9[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t109;
    T _t112 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.fill(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t105 = _at.fill(_c__t105, _row__t105, _j);
        const T _t9 = _at.fill(_c__t9, _row__t9, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t105;
        const T _t108 = _t9 - norm1_mu;
        const T norm1_x_hat = _t108 * norm1_rstd;
        const T norm1_p = grad_h1 * norm1_x_hat;
        _t112 = _Sum()(_t112, norm1_p * norm1_weight);
    )
    _t112 = _row_reduce(_t112, _Sum());
    const T _t113 = _t112 * norm1_scale;
    T _t116 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t105 = _at.get(_c__t105, _row__t105, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t105;
        _t116 = _Sum()(_t116, grad_h1 * norm1_weight);
    )
    _t116 = _row_reduce(_t116, _Sum());
    const T _t117 = _t116 * norm1_scale;
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t105 = _at.get(_c__t105, _row__t105, _j);
        const T _t9 = _at.get(_c__t9, _row__t9, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t105;
        const T _t108 = _t9 - norm1_mu;
        const T norm1_x_hat = _t108 * norm1_rstd;
        const T norm1_p = grad_h1 * norm1_x_hat;
        const T _t110 = grad_h1 * norm1_weight;
        const T _t111 = _t110 * norm1_rstd;
        const T _t114 = norm1_x_hat * _t113;
        const T _t115 = _t111 - _t114;
        const T grad_norm1_x = _t115 - _t117;
        _row_grad_h1[_j] = grad_h1;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_norm1_x[_j] = grad_norm1_x;
    )
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_9: layers_spec/primitives.yaml:2973
_transformer_decoder_no_norm_first_relu_bwd_9 = RowBlockKernel(
    "transformer_decoder_no_norm_first_relu_bwd_9",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_unpadded",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t126 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        _t126 = _Sum()(_t126, grad_self_attn_weights * self_attn_weights);
    )
    _t126 = _row_reduce(_t126, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t127 = grad_self_attn_weights - _t126;
        const T grad_self_attn_unpadded = self_attn_weights * _t127;
        _row_grad_self_attn_unpadded[_j] = grad_self_attn_unpadded;
    )
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_10: layers_spec/primitives.yaml:61
_transformer_decoder_no_norm_first_relu_bwd_10 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_10",
    "T grad_self_attn_heads_q, T _t5",
    "T _t136",
    """
    _t136 = grad_self_attn_heads_q * _t5;
    """,
    scalars=("_t5",),
)


# transformer_decoder_no_norm_first_relu_bwd_11: layers_spec/primitives.yaml:522
_transformer_decoder_no_norm_first_relu_bwd_11 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_11",
    "T grad_norm1_x, T _t142",
    "T grad_x",
    """
    grad_x = grad_norm1_x + _t142;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_12: layers_spec/primitives.yaml:522
_transformer_decoder_no_norm_first_relu_bwd_12 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_12",
    "T _t95, T _t100",
    "T grad_memory",
    """
    grad_memory = _t95 + _t100;
    """,
)


def _cupy_backward_no_norm_first_relu(
    grad_y,
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_out_proj_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    nhead,
    _t1,
    _t5,
    self_attn_weights,
    self_attn_attended,
    _t9,
    norm1_mu,
    norm1_rstd,
    h1,
    _t15,
    _t18,
    _t21,
    _t27,
    multihead_attn_heads_q,
    multihead_attn_heads_v,
    _t28,
    multihead_attn_weights,
    multihead_attn_attended,
    _t31,
    norm2_mu,
    norm2_rstd,
    h2,
    linear1_z,
    _t39,
    norm3_mu,
    norm3_rstd,
):
    import cupy as cp

    self_attn_qkv = _transformer_decoder_no_norm_first_relu_fwd_0(
        _t1, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_decoder_no_norm_first_relu_fwd_1(_t2, _t5)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t6 = cp.swapaxes(self_attn_heads_k, -1, -2)
    hidden = _transformer_decoder_norm_first_relu_bwd_2(linear1_z)
    _t46 = x.shape[-1]
    norm3_p, grad_norm3_x = _transformer_decoder_no_norm_first_relu_bwd_3(
        _t39, norm3_mu, norm3_rstd, grad_y, _t46, norm3_weight
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_linear2_bias = _cupy_sum_to(grad_norm3_x, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z = _transformer_decoder_no_norm_first_relu_bwd_4(
        linear1_z, grad_hidden
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t61 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    _t64 = x.shape[-1]
    grad_h2, norm2_p, grad_norm2_x = _transformer_decoder_no_norm_first_relu_bwd_5(
        grad_norm3_x, _t61, _t31, norm2_mu, norm2_rstd, _t64, norm2_weight
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_h2, self_attn_out_proj_bias.shape)
    grad_multihead_attn_out_proj_bias = _cupy_sum_to(
        grad_norm2_x, self_attn_out_proj_bias.shape
    )
    grad_multihead_attn_attended = _linear_backward_input(
        grad_norm2_x, multihead_attn_out_proj_weight
    )
    grad_multihead_attn_out_proj_weight = _rows(grad_norm2_x).T @ _rows(
        multihead_attn_attended
    )
    _t76 = _split_heads(grad_multihead_attn_attended, nhead)
    _t77 = cp.swapaxes(multihead_attn_heads_v, -1, -2)
    grad_multihead_attn_weights = _cupy_bmm(_t76, _t77)
    _t79 = cp.swapaxes(multihead_attn_weights, -1, -2)
    grad_multihead_attn_heads_v = _cupy_bmm(_t79, _t76)
    grad_multihead_attn_unpadded = _transformer_decoder_no_norm_first_relu_bwd_6(
        grad_multihead_attn_weights, multihead_attn_weights
    )
    _t84 = cp.swapaxes(_t28, -1, -2)
    grad_multihead_attn_heads_q = _cupy_bmm(grad_multihead_attn_unpadded, _t84)
    _t86 = cp.swapaxes(multihead_attn_heads_q, -1, -2)
    _t87 = _cupy_bmm(_t86, grad_multihead_attn_unpadded)
    grad_multihead_attn_heads_k = cp.swapaxes(_t87, -1, -2)
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    _t91 = _transformer_decoder_no_norm_first_relu_bwd_7(
        grad_multihead_attn_heads_q, _t27
    )
    grad_multihead_attn_q = _merge_heads(_t91, nhead)
    _t93 = _cupy_sum_to(grad_multihead_attn_v, self_attn_out_proj_bias.shape)
    _t95 = _linear_backward_input(grad_multihead_attn_v, _t21)
    _t96 = _rows(grad_multihead_attn_v).T @ _rows(memory)
    _t98 = _cupy_sum_to(grad_multihead_attn_k, self_attn_out_proj_bias.shape)
    _t100 = _linear_backward_input(grad_multihead_attn_k, _t18)
    _t101 = _rows(grad_multihead_attn_k).T @ _rows(memory)
    _t103 = _cupy_sum_to(grad_multihead_attn_q, self_attn_out_proj_bias.shape)
    _t105 = _linear_backward_input(grad_multihead_attn_q, _t15)
    _t106 = _rows(grad_multihead_attn_q).T @ _rows(h1)
    _t109 = x.shape[-1]
    grad_h1, norm1_p, grad_norm1_x = _transformer_decoder_no_norm_first_relu_bwd_8(
        grad_norm2_x, _t105, _t9, norm1_mu, norm1_rstd, _t109, norm1_weight
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_h1, self_attn_out_proj_bias.shape)
    grad_self_attn_out_proj_bias = _cupy_sum_to(
        grad_norm1_x, self_attn_out_proj_bias.shape
    )
    grad_self_attn_attended = _linear_backward_input(
        grad_norm1_x, self_attn_out_proj_weight
    )
    grad_self_attn_out_proj_weight = _rows(grad_norm1_x).T @ _rows(self_attn_attended)
    _t121 = _split_heads(grad_self_attn_attended, nhead)
    _t122 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t121, _t122)
    _t124 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t124, _t121)
    grad_self_attn_unpadded = _transformer_decoder_no_norm_first_relu_bwd_9(
        grad_self_attn_weights, self_attn_weights
    )
    _t129 = cp.swapaxes(_t6, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t129)
    _t131 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t132 = _cupy_bmm(_t131, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t132, -1, -2)
    _t136 = _transformer_decoder_no_norm_first_relu_bwd_10(grad_self_attn_heads_q, _t5)
    grad_self_attn_qkv = _cupy_join_heads(
        (_t136, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    _t142 = _linear_backward_input(grad_self_attn_qkv, self_attn_in_proj_weight)
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = _transformer_decoder_no_norm_first_relu_bwd_11(grad_norm1_x, _t142)
    grad_memory = _transformer_decoder_no_norm_first_relu_bwd_12(_t95, _t100)
    grad_multihead_attn_in_proj_weight = cp.concatenate((_t106, _t101, _t96), axis=0)
    grad_multihead_attn_in_proj_bias = cp.concatenate((_t103, _t98, _t93), axis=-1)
    return (
        grad_x,
        grad_memory,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_multihead_attn_in_proj_weight,
        grad_multihead_attn_in_proj_bias,
        grad_multihead_attn_out_proj_weight,
        grad_multihead_attn_out_proj_bias,
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


# transformer_decoder_no_norm_first_gelu_fwd_10: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:23
_transformer_decoder_no_norm_first_gelu_fwd_10 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_fwd_10",
    "T _t37, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t37 + linear1_bias;
    T _t38 = T(0.7071067811865476) * linear1_z;
    T _t39 = erf(_t38);
    T _t40 = T(0.5) * _t39;
    T _t41 = T(0.5) + _t40;
    hidden = linear1_z * _t41;
    """,
)


# transformer_decoder_no_norm_first_gelu_fwd_11: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_decoder.yaml:65; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_decoder_no_norm_first_gelu_fwd_11 = RowBlockKernel(
    "transformer_decoder_no_norm_first_gelu_fwd_11",
    "row T _t42, column T linear2_bias, row T h2, scalar int64 _t45, scalar T eps, column T norm3_weight, column T norm3_bias",
    "row T _t43, per_row T norm3_mu, per_row T norm3_rstd, row T y",
    """
    T _c__t42[LF_REGISTERS];
    T _c_h2[LF_REGISTERS];
    T norm3_mu = T(0);
    LF_ROW_LOOP(
        const T _t42 = _at.fill(_c__t42, _row__t42, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.fill(_c_h2, _row_h2, _j);
        const T linear2_z = _t42 + linear2_bias;
        const T _t43 = h2 + linear2_z;
        norm3_mu = _Sum()(norm3_mu, _t43);
    )
    norm3_mu = _row_reduce(norm3_mu, _Sum());
    norm3_mu = norm3_mu / T(_n);
    T _t44 = T(0);
    LF_ROW_LOOP(
        const T _t42 = _at.get(_c__t42, _row__t42, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T linear2_z = _t42 + linear2_bias;
        const T _t43 = h2 + linear2_z;
        const T norm3_centered = _t43 - norm3_mu;
        _t44 = _Sum()(_t44, norm3_centered * norm3_centered);
    )
    _t44 = _row_reduce(_t44, _Sum());
    const T norm3_variance = _t44 / _t45;
    const T _t46 = norm3_variance + eps;
    const T _t47 = sqrt(_t46);
    const T norm3_rstd = T(1) / _t47;
    LF_ROW_LOOP(
        const T _t42 = _at.get(_c__t42, _row__t42, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T norm3_bias = _p_norm3_bias[_j];
        const T linear2_z = _t42 + linear2_bias;
        const T _t43 = h2 + linear2_z;
        const T norm3_centered = _t43 - norm3_mu;
        const T norm3_normalized = norm3_centered * norm3_rstd;
        const T _t48 = norm3_normalized * norm3_weight;
        const T y = _t48 + norm3_bias;
        _row__t43[_j] = _t43;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_no_norm_first_gelu(
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask,
    memory_mask,
    tgt_key_padding_mask,
    memory_key_padding_mask,
    nhead,
    eps,
):
    import cupy as cp

    _t1 = _linear(x, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_decoder_no_norm_first_relu_fwd_0(
        _t1, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = _split_heads(self_attn_q, nhead)
    _t3 = x.shape[-1]
    _t4 = _t3 / nhead
    _t5 = _t4 ** (-0.5)
    self_attn_heads_q = _transformer_decoder_no_norm_first_relu_fwd_1(_t2, _t5)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t6 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t6)
    self_attn_weights = _transformer_decoder_norm_first_relu_fwd_3(
        self_attn_scores, tgt_mask, tgt_key_padding_mask
    )
    _t7 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t7, nhead)
    _t8 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t11 = x.shape[-1]
    _t9, norm1_mu, norm1_rstd, h1 = _transformer_decoder_no_norm_first_relu_fwd_3(
        _t8, self_attn_out_proj_bias, x, _t11, eps, norm1_weight, norm1_bias
    )
    _t15 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t16 = _linear(h1, _t15)
    _t17 = _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    multihead_attn_q = _transformer_decoder_no_norm_first_relu_fwd_4(_t16, _t17)
    _t18 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    _t19 = _linear(memory, _t18)
    _t20 = _chunk(multihead_attn_in_proj_bias, 3, 1, -1)
    multihead_attn_k = _transformer_decoder_no_norm_first_relu_fwd_5(_t19, _t20)
    _t21 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    _t22 = _linear(memory, _t21)
    _t23 = _chunk(multihead_attn_in_proj_bias, 3, 2, -1)
    multihead_attn_v = _transformer_decoder_no_norm_first_relu_fwd_6(_t22, _t23)
    _t24 = _split_heads(multihead_attn_q, nhead)
    _t25 = x.shape[-1]
    _t26 = _t25 / nhead
    _t27 = _t26 ** (-0.5)
    multihead_attn_heads_q = _transformer_decoder_no_norm_first_relu_fwd_7(_t24, _t27)
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t28 = cp.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _cupy_bmm(multihead_attn_heads_q, _t28)
    multihead_attn_weights = _transformer_decoder_norm_first_relu_fwd_9(
        multihead_attn_scores, memory_mask, memory_key_padding_mask
    )
    _t29 = _cupy_bmm(multihead_attn_weights, multihead_attn_heads_v)
    multihead_attn_attended = _merge_heads(_t29, nhead)
    _t30 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    _t33 = x.shape[-1]
    _t31, norm2_mu, norm2_rstd, h2 = _transformer_decoder_no_norm_first_relu_fwd_9(
        _t30, multihead_attn_out_proj_bias, h1, _t33, eps, norm2_weight, norm2_bias
    )
    _t37 = _linear(h2, linear1_weight)
    linear1_z, hidden = _transformer_decoder_no_norm_first_gelu_fwd_10(
        _t37, linear1_bias
    )
    _t42 = _linear(hidden, linear2_weight)
    _t45 = x.shape[-1]
    _t43, norm3_mu, norm3_rstd, y = _transformer_decoder_no_norm_first_gelu_fwd_11(
        _t42, linear2_bias, h2, _t45, eps, norm3_weight, norm3_bias
    )
    return y, (
        x,
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_out_proj_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        nhead,
        _t1,
        _t5,
        self_attn_weights,
        self_attn_attended,
        _t9,
        norm1_mu,
        norm1_rstd,
        h1,
        _t15,
        _t18,
        _t21,
        _t27,
        multihead_attn_heads_q,
        multihead_attn_heads_v,
        _t28,
        multihead_attn_weights,
        multihead_attn_attended,
        _t31,
        norm2_mu,
        norm2_rstd,
        h2,
        linear1_z,
        _t43,
        norm3_mu,
        norm3_rstd,
    )


# transformer_decoder_no_norm_first_gelu_bwd_2: layers_spec/activations/gelu.yaml:23
_transformer_decoder_no_norm_first_gelu_bwd_2 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_2",
    "T linear1_z",
    "T _t38, T _t41, T hidden",
    """
    _t38 = T(0.7071067811865476) * linear1_z;
    T _t39 = erf(_t38);
    T _t40 = T(0.5) * _t39;
    _t41 = T(0.5) + _t40;
    hidden = linear1_z * _t41;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_3: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_no_norm_first_gelu_bwd_3 = RowBlockKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_3",
    "row T _t43, per_row T norm3_mu, per_row T norm3_rstd, row T grad_y, scalar int64 _t50, column T norm3_weight",
    "row T norm3_p, row T grad_norm3_x",
    """
    T _c__t43[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm3_scale = norm3_rstd / _t50;
    T _t53 = T(0);
    LF_ROW_LOOP(
        const T _t43 = _at.fill(_c__t43, _row__t43, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t49 = _t43 - norm3_mu;
        const T norm3_x_hat = _t49 * norm3_rstd;
        const T norm3_p = grad_y * norm3_x_hat;
        _t53 = _Sum()(_t53, norm3_p * norm3_weight);
    )
    _t53 = _row_reduce(_t53, _Sum());
    const T _t54 = _t53 * norm3_scale;
    T _t57 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        _t57 = _Sum()(_t57, grad_y * norm3_weight);
    )
    _t57 = _row_reduce(_t57, _Sum());
    const T _t58 = _t57 * norm3_scale;
    LF_ROW_LOOP(
        const T _t43 = _at.get(_c__t43, _row__t43, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t49 = _t43 - norm3_mu;
        const T norm3_x_hat = _t49 * norm3_rstd;
        const T norm3_p = grad_y * norm3_x_hat;
        const T _t51 = grad_y * norm3_weight;
        const T _t52 = _t51 * norm3_rstd;
        const T _t55 = norm3_x_hat * _t54;
        const T _t56 = _t52 - _t55;
        const T grad_norm3_x = _t56 - _t58;
        _row_norm3_p[_j] = norm3_p;
        _row_grad_norm3_x[_j] = grad_norm3_x;
    )
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_4: layers_spec/primitives.yaml:61,62,1973
_transformer_decoder_no_norm_first_gelu_bwd_4 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_4",
    "T grad_hidden, T _t41, T linear1_z, T _t38",
    "T grad_linear1_z",
    """
    T _t62 = grad_hidden * _t41;
    T _t63 = grad_hidden * linear1_z;
    T _t64 = _t63 * T(0.5);
    T _t65 = _t64 * T(1.1283791670955126);
    T _t66 = _t38 * _t38;
    T _t67 = -_t66;
    T _t68 = exp(_t67);
    T _t69 = _t65 * _t68;
    T _t70 = _t69 * T(0.7071067811865476);
    grad_linear1_z = _t62 + _t70;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_5: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_no_norm_first_gelu_bwd_5 = RowBlockKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_5",
    "row T grad_norm3_x, row T _t72, row T _t31, per_row T norm2_mu, per_row T norm2_rstd, scalar int64 _t75, column T norm2_weight",
    "row T grad_h2, row T norm2_p, row T grad_norm2_x",
    """
    T _c_grad_norm3_x[LF_REGISTERS];
    T _c__t72[LF_REGISTERS];
    T _c__t31[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t75;
    T _t78 = T(0);
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.fill(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t72 = _at.fill(_c__t72, _row__t72, _j);
        const T _t31 = _at.fill(_c__t31, _row__t31, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t72;
        const T _t74 = _t31 - norm2_mu;
        const T norm2_x_hat = _t74 * norm2_rstd;
        const T norm2_p = grad_h2 * norm2_x_hat;
        _t78 = _Sum()(_t78, norm2_p * norm2_weight);
    )
    _t78 = _row_reduce(_t78, _Sum());
    const T _t79 = _t78 * norm2_scale;
    T _t82 = T(0);
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.get(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t72 = _at.get(_c__t72, _row__t72, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t72;
        _t82 = _Sum()(_t82, grad_h2 * norm2_weight);
    )
    _t82 = _row_reduce(_t82, _Sum());
    const T _t83 = _t82 * norm2_scale;
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.get(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t72 = _at.get(_c__t72, _row__t72, _j);
        const T _t31 = _at.get(_c__t31, _row__t31, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t72;
        const T _t74 = _t31 - norm2_mu;
        const T norm2_x_hat = _t74 * norm2_rstd;
        const T norm2_p = grad_h2 * norm2_x_hat;
        const T _t76 = grad_h2 * norm2_weight;
        const T _t77 = _t76 * norm2_rstd;
        const T _t80 = norm2_x_hat * _t79;
        const T _t81 = _t77 - _t80;
        const T grad_norm2_x = _t81 - _t83;
        _row_grad_h2[_j] = grad_h2;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_norm2_x[_j] = grad_norm2_x;
    )
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_6: layers_spec/primitives.yaml:2973
_transformer_decoder_no_norm_first_gelu_bwd_6 = RowBlockKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_6",
    "row T grad_multihead_attn_weights, row T multihead_attn_weights",
    "row T grad_multihead_attn_unpadded",
    """
    T _c_grad_multihead_attn_weights[LF_REGISTERS];
    T _c_multihead_attn_weights[LF_REGISTERS];
    T _t92 = T(0);
    LF_ROW_LOOP(
        const T grad_multihead_attn_weights = _at.fill(_c_grad_multihead_attn_weights, _row_grad_multihead_attn_weights, _j);
        const T multihead_attn_weights = _at.fill(_c_multihead_attn_weights, _row_multihead_attn_weights, _j);
        _t92 = _Sum()(_t92, grad_multihead_attn_weights * multihead_attn_weights);
    )
    _t92 = _row_reduce(_t92, _Sum());
    LF_ROW_LOOP(
        const T grad_multihead_attn_weights = _at.get(_c_grad_multihead_attn_weights, _row_grad_multihead_attn_weights, _j);
        const T multihead_attn_weights = _at.get(_c_multihead_attn_weights, _row_multihead_attn_weights, _j);
        const T _t93 = grad_multihead_attn_weights - _t92;
        const T grad_multihead_attn_unpadded = multihead_attn_weights * _t93;
        _row_grad_multihead_attn_unpadded[_j] = grad_multihead_attn_unpadded;
    )
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_7: layers_spec/primitives.yaml:61
_transformer_decoder_no_norm_first_gelu_bwd_7 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_7",
    "T grad_multihead_attn_heads_q, T _t27",
    "T _t102",
    """
    _t102 = grad_multihead_attn_heads_q * _t27;
    """,
    scalars=("_t27",),
)


# transformer_decoder_no_norm_first_gelu_bwd_8: layers_spec/primitives.yaml:875; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_no_norm_first_gelu_bwd_8 = RowBlockKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_8",
    "row T grad_norm2_x, row T _t116, row T _t9, per_row T norm1_mu, per_row T norm1_rstd, scalar int64 _t120, column T norm1_weight",
    "row T grad_h1, row T norm1_p, row T grad_norm1_x",
    """
    T _c_grad_norm2_x[LF_REGISTERS];
    T _c__t116[LF_REGISTERS];
    T _c__t9[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t120;
    T _t123 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.fill(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t116 = _at.fill(_c__t116, _row__t116, _j);
        const T _t9 = _at.fill(_c__t9, _row__t9, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t116;
        const T _t119 = _t9 - norm1_mu;
        const T norm1_x_hat = _t119 * norm1_rstd;
        const T norm1_p = grad_h1 * norm1_x_hat;
        _t123 = _Sum()(_t123, norm1_p * norm1_weight);
    )
    _t123 = _row_reduce(_t123, _Sum());
    const T _t124 = _t123 * norm1_scale;
    T _t127 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t116 = _at.get(_c__t116, _row__t116, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t116;
        _t127 = _Sum()(_t127, grad_h1 * norm1_weight);
    )
    _t127 = _row_reduce(_t127, _Sum());
    const T _t128 = _t127 * norm1_scale;
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t116 = _at.get(_c__t116, _row__t116, _j);
        const T _t9 = _at.get(_c__t9, _row__t9, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t116;
        const T _t119 = _t9 - norm1_mu;
        const T norm1_x_hat = _t119 * norm1_rstd;
        const T norm1_p = grad_h1 * norm1_x_hat;
        const T _t121 = grad_h1 * norm1_weight;
        const T _t122 = _t121 * norm1_rstd;
        const T _t125 = norm1_x_hat * _t124;
        const T _t126 = _t122 - _t125;
        const T grad_norm1_x = _t126 - _t128;
        _row_grad_h1[_j] = grad_h1;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_norm1_x[_j] = grad_norm1_x;
    )
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_9: layers_spec/primitives.yaml:2973
_transformer_decoder_no_norm_first_gelu_bwd_9 = RowBlockKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_9",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_unpadded",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t137 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        _t137 = _Sum()(_t137, grad_self_attn_weights * self_attn_weights);
    )
    _t137 = _row_reduce(_t137, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t138 = grad_self_attn_weights - _t137;
        const T grad_self_attn_unpadded = self_attn_weights * _t138;
        _row_grad_self_attn_unpadded[_j] = grad_self_attn_unpadded;
    )
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_10: layers_spec/primitives.yaml:61
_transformer_decoder_no_norm_first_gelu_bwd_10 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_10",
    "T grad_self_attn_heads_q, T _t5",
    "T _t147",
    """
    _t147 = grad_self_attn_heads_q * _t5;
    """,
    scalars=("_t5",),
)


# transformer_decoder_no_norm_first_gelu_bwd_11: layers_spec/primitives.yaml:522
_transformer_decoder_no_norm_first_gelu_bwd_11 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_11",
    "T grad_norm1_x, T _t153",
    "T grad_x",
    """
    grad_x = grad_norm1_x + _t153;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_12: layers_spec/primitives.yaml:522
_transformer_decoder_no_norm_first_gelu_bwd_12 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_12",
    "T _t106, T _t111",
    "T grad_memory",
    """
    grad_memory = _t106 + _t111;
    """,
)


def _cupy_backward_no_norm_first_gelu(
    grad_y,
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_out_proj_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    nhead,
    _t1,
    _t5,
    self_attn_weights,
    self_attn_attended,
    _t9,
    norm1_mu,
    norm1_rstd,
    h1,
    _t15,
    _t18,
    _t21,
    _t27,
    multihead_attn_heads_q,
    multihead_attn_heads_v,
    _t28,
    multihead_attn_weights,
    multihead_attn_attended,
    _t31,
    norm2_mu,
    norm2_rstd,
    h2,
    linear1_z,
    _t43,
    norm3_mu,
    norm3_rstd,
):
    import cupy as cp

    self_attn_qkv = _transformer_decoder_no_norm_first_relu_fwd_0(
        _t1, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_decoder_no_norm_first_relu_fwd_1(_t2, _t5)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t6 = cp.swapaxes(self_attn_heads_k, -1, -2)
    _t38, _t41, hidden = _transformer_decoder_no_norm_first_gelu_bwd_2(linear1_z)
    _t50 = x.shape[-1]
    norm3_p, grad_norm3_x = _transformer_decoder_no_norm_first_gelu_bwd_3(
        _t43, norm3_mu, norm3_rstd, grad_y, _t50, norm3_weight
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_linear2_bias = _cupy_sum_to(grad_norm3_x, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z = _transformer_decoder_no_norm_first_gelu_bwd_4(
        grad_hidden, _t41, linear1_z, _t38
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t72 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    _t75 = x.shape[-1]
    grad_h2, norm2_p, grad_norm2_x = _transformer_decoder_no_norm_first_gelu_bwd_5(
        grad_norm3_x, _t72, _t31, norm2_mu, norm2_rstd, _t75, norm2_weight
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_h2, self_attn_out_proj_bias.shape)
    grad_multihead_attn_out_proj_bias = _cupy_sum_to(
        grad_norm2_x, self_attn_out_proj_bias.shape
    )
    grad_multihead_attn_attended = _linear_backward_input(
        grad_norm2_x, multihead_attn_out_proj_weight
    )
    grad_multihead_attn_out_proj_weight = _rows(grad_norm2_x).T @ _rows(
        multihead_attn_attended
    )
    _t87 = _split_heads(grad_multihead_attn_attended, nhead)
    _t88 = cp.swapaxes(multihead_attn_heads_v, -1, -2)
    grad_multihead_attn_weights = _cupy_bmm(_t87, _t88)
    _t90 = cp.swapaxes(multihead_attn_weights, -1, -2)
    grad_multihead_attn_heads_v = _cupy_bmm(_t90, _t87)
    grad_multihead_attn_unpadded = _transformer_decoder_no_norm_first_gelu_bwd_6(
        grad_multihead_attn_weights, multihead_attn_weights
    )
    _t95 = cp.swapaxes(_t28, -1, -2)
    grad_multihead_attn_heads_q = _cupy_bmm(grad_multihead_attn_unpadded, _t95)
    _t97 = cp.swapaxes(multihead_attn_heads_q, -1, -2)
    _t98 = _cupy_bmm(_t97, grad_multihead_attn_unpadded)
    grad_multihead_attn_heads_k = cp.swapaxes(_t98, -1, -2)
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    _t102 = _transformer_decoder_no_norm_first_gelu_bwd_7(
        grad_multihead_attn_heads_q, _t27
    )
    grad_multihead_attn_q = _merge_heads(_t102, nhead)
    _t104 = _cupy_sum_to(grad_multihead_attn_v, self_attn_out_proj_bias.shape)
    _t106 = _linear_backward_input(grad_multihead_attn_v, _t21)
    _t107 = _rows(grad_multihead_attn_v).T @ _rows(memory)
    _t109 = _cupy_sum_to(grad_multihead_attn_k, self_attn_out_proj_bias.shape)
    _t111 = _linear_backward_input(grad_multihead_attn_k, _t18)
    _t112 = _rows(grad_multihead_attn_k).T @ _rows(memory)
    _t114 = _cupy_sum_to(grad_multihead_attn_q, self_attn_out_proj_bias.shape)
    _t116 = _linear_backward_input(grad_multihead_attn_q, _t15)
    _t117 = _rows(grad_multihead_attn_q).T @ _rows(h1)
    _t120 = x.shape[-1]
    grad_h1, norm1_p, grad_norm1_x = _transformer_decoder_no_norm_first_gelu_bwd_8(
        grad_norm2_x, _t116, _t9, norm1_mu, norm1_rstd, _t120, norm1_weight
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_h1, self_attn_out_proj_bias.shape)
    grad_self_attn_out_proj_bias = _cupy_sum_to(
        grad_norm1_x, self_attn_out_proj_bias.shape
    )
    grad_self_attn_attended = _linear_backward_input(
        grad_norm1_x, self_attn_out_proj_weight
    )
    grad_self_attn_out_proj_weight = _rows(grad_norm1_x).T @ _rows(self_attn_attended)
    _t132 = _split_heads(grad_self_attn_attended, nhead)
    _t133 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t132, _t133)
    _t135 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t135, _t132)
    grad_self_attn_unpadded = _transformer_decoder_no_norm_first_gelu_bwd_9(
        grad_self_attn_weights, self_attn_weights
    )
    _t140 = cp.swapaxes(_t6, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t140)
    _t142 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t143 = _cupy_bmm(_t142, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t143, -1, -2)
    _t147 = _transformer_decoder_no_norm_first_gelu_bwd_10(grad_self_attn_heads_q, _t5)
    grad_self_attn_qkv = _cupy_join_heads(
        (_t147, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    _t153 = _linear_backward_input(grad_self_attn_qkv, self_attn_in_proj_weight)
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = _transformer_decoder_no_norm_first_gelu_bwd_11(grad_norm1_x, _t153)
    grad_memory = _transformer_decoder_no_norm_first_gelu_bwd_12(_t106, _t111)
    grad_multihead_attn_in_proj_weight = cp.concatenate((_t117, _t112, _t107), axis=0)
    grad_multihead_attn_in_proj_bias = cp.concatenate((_t114, _t109, _t104), axis=-1)
    return (
        grad_x,
        grad_memory,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_multihead_attn_in_proj_weight,
        grad_multihead_attn_in_proj_bias,
        grad_multihead_attn_out_proj_weight,
        grad_multihead_attn_out_proj_bias,
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


# transformer_decoder_no_norm_first_gelu_tanh_fwd_10: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:20,21
_transformer_decoder_no_norm_first_gelu_tanh_fwd_10 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_fwd_10",
    "T _t37, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t37 + linear1_bias;
    T _t38 = linear1_z * linear1_z * linear1_z;
    T _t39 = T(0.044715) * _t38;
    T _t40 = linear1_z + _t39;
    T gelu_inner = T(0.7978845608028654) * _t40;
    T _t41 = T(0.5) * linear1_z;
    T _t42 = tanh(gelu_inner);
    T _t43 = T(1) + _t42;
    hidden = _t41 * _t43;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_fwd_11: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_decoder.yaml:65; layers_spec/layers/layer_normalization.yaml:20,21,22,23,24,25
_transformer_decoder_no_norm_first_gelu_tanh_fwd_11 = RowBlockKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_fwd_11",
    "row T _t44, column T linear2_bias, row T h2, scalar int64 _t47, scalar T eps, column T norm3_weight, column T norm3_bias",
    "row T _t45, per_row T norm3_mu, per_row T norm3_rstd, row T y",
    """
    T _c__t44[LF_REGISTERS];
    T _c_h2[LF_REGISTERS];
    T norm3_mu = T(0);
    LF_ROW_LOOP(
        const T _t44 = _at.fill(_c__t44, _row__t44, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.fill(_c_h2, _row_h2, _j);
        const T linear2_z = _t44 + linear2_bias;
        const T _t45 = h2 + linear2_z;
        norm3_mu = _Sum()(norm3_mu, _t45);
    )
    norm3_mu = _row_reduce(norm3_mu, _Sum());
    norm3_mu = norm3_mu / T(_n);
    T _t46 = T(0);
    LF_ROW_LOOP(
        const T _t44 = _at.get(_c__t44, _row__t44, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T linear2_z = _t44 + linear2_bias;
        const T _t45 = h2 + linear2_z;
        const T norm3_centered = _t45 - norm3_mu;
        _t46 = _Sum()(_t46, norm3_centered * norm3_centered);
    )
    _t46 = _row_reduce(_t46, _Sum());
    const T norm3_variance = _t46 / _t47;
    const T _t48 = norm3_variance + eps;
    const T _t49 = sqrt(_t48);
    const T norm3_rstd = T(1) / _t49;
    LF_ROW_LOOP(
        const T _t44 = _at.get(_c__t44, _row__t44, _j);
        const T linear2_bias = _p_linear2_bias[_j];
        const T h2 = _at.get(_c_h2, _row_h2, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T norm3_bias = _p_norm3_bias[_j];
        const T linear2_z = _t44 + linear2_bias;
        const T _t45 = h2 + linear2_z;
        const T norm3_centered = _t45 - norm3_mu;
        const T norm3_normalized = norm3_centered * norm3_rstd;
        const T _t50 = norm3_normalized * norm3_weight;
        const T y = _t50 + norm3_bias;
        _row__t45[_j] = _t45;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_no_norm_first_gelu_tanh(
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_in_proj_weight,
    multihead_attn_in_proj_bias,
    multihead_attn_out_proj_weight,
    multihead_attn_out_proj_bias,
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
    tgt_mask,
    memory_mask,
    tgt_key_padding_mask,
    memory_key_padding_mask,
    nhead,
    eps,
):
    import cupy as cp

    _t1 = _linear(x, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_decoder_no_norm_first_relu_fwd_0(
        _t1, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = _split_heads(self_attn_q, nhead)
    _t3 = x.shape[-1]
    _t4 = _t3 / nhead
    _t5 = _t4 ** (-0.5)
    self_attn_heads_q = _transformer_decoder_no_norm_first_relu_fwd_1(_t2, _t5)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t6 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t6)
    self_attn_weights = _transformer_decoder_norm_first_relu_fwd_3(
        self_attn_scores, tgt_mask, tgt_key_padding_mask
    )
    _t7 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t7, nhead)
    _t8 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t11 = x.shape[-1]
    _t9, norm1_mu, norm1_rstd, h1 = _transformer_decoder_no_norm_first_relu_fwd_3(
        _t8, self_attn_out_proj_bias, x, _t11, eps, norm1_weight, norm1_bias
    )
    _t15 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t16 = _linear(h1, _t15)
    _t17 = _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    multihead_attn_q = _transformer_decoder_no_norm_first_relu_fwd_4(_t16, _t17)
    _t18 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    _t19 = _linear(memory, _t18)
    _t20 = _chunk(multihead_attn_in_proj_bias, 3, 1, -1)
    multihead_attn_k = _transformer_decoder_no_norm_first_relu_fwd_5(_t19, _t20)
    _t21 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    _t22 = _linear(memory, _t21)
    _t23 = _chunk(multihead_attn_in_proj_bias, 3, 2, -1)
    multihead_attn_v = _transformer_decoder_no_norm_first_relu_fwd_6(_t22, _t23)
    _t24 = _split_heads(multihead_attn_q, nhead)
    _t25 = x.shape[-1]
    _t26 = _t25 / nhead
    _t27 = _t26 ** (-0.5)
    multihead_attn_heads_q = _transformer_decoder_no_norm_first_relu_fwd_7(_t24, _t27)
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t28 = cp.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _cupy_bmm(multihead_attn_heads_q, _t28)
    multihead_attn_weights = _transformer_decoder_norm_first_relu_fwd_9(
        multihead_attn_scores, memory_mask, memory_key_padding_mask
    )
    _t29 = _cupy_bmm(multihead_attn_weights, multihead_attn_heads_v)
    multihead_attn_attended = _merge_heads(_t29, nhead)
    _t30 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    _t33 = x.shape[-1]
    _t31, norm2_mu, norm2_rstd, h2 = _transformer_decoder_no_norm_first_relu_fwd_9(
        _t30, multihead_attn_out_proj_bias, h1, _t33, eps, norm2_weight, norm2_bias
    )
    _t37 = _linear(h2, linear1_weight)
    linear1_z, hidden = _transformer_decoder_no_norm_first_gelu_tanh_fwd_10(
        _t37, linear1_bias
    )
    _t44 = _linear(hidden, linear2_weight)
    _t47 = x.shape[-1]
    _t45, norm3_mu, norm3_rstd, y = _transformer_decoder_no_norm_first_gelu_tanh_fwd_11(
        _t44, linear2_bias, h2, _t47, eps, norm3_weight, norm3_bias
    )
    return y, (
        x,
        memory,
        self_attn_in_proj_weight,
        self_attn_in_proj_bias,
        self_attn_out_proj_weight,
        self_attn_out_proj_bias,
        multihead_attn_out_proj_weight,
        linear1_weight,
        linear1_bias,
        linear2_weight,
        norm1_weight,
        norm2_weight,
        norm3_weight,
        nhead,
        _t1,
        _t5,
        self_attn_weights,
        self_attn_attended,
        _t9,
        norm1_mu,
        norm1_rstd,
        h1,
        _t15,
        _t18,
        _t21,
        _t27,
        multihead_attn_heads_q,
        multihead_attn_heads_v,
        _t28,
        multihead_attn_weights,
        multihead_attn_attended,
        _t31,
        norm2_mu,
        norm2_rstd,
        h2,
        linear1_z,
        _t45,
        norm3_mu,
        norm3_rstd,
    )


# transformer_decoder_no_norm_first_gelu_tanh_bwd_2: layers_spec/activations/gelu.yaml:20,21
_transformer_decoder_no_norm_first_gelu_tanh_bwd_2 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_2",
    "T linear1_z",
    "T _t41, T _t42, T _t43, T hidden",
    """
    T _t38 = linear1_z * linear1_z * linear1_z;
    T _t39 = T(0.044715) * _t38;
    T _t40 = linear1_z + _t39;
    T gelu_inner = T(0.7978845608028654) * _t40;
    _t41 = T(0.5) * linear1_z;
    _t42 = tanh(gelu_inner);
    _t43 = T(1) + _t42;
    hidden = _t41 * _t43;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_3: layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_3 = RowBlockKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_3",
    "row T _t45, per_row T norm3_mu, per_row T norm3_rstd, row T grad_y, scalar int64 _t52, column T norm3_weight",
    "row T norm3_p, row T grad_norm3_x",
    """
    T _c__t45[LF_REGISTERS];
    T _c_grad_y[LF_REGISTERS];
    const T norm3_scale = norm3_rstd / _t52;
    T _t55 = T(0);
    LF_ROW_LOOP(
        const T _t45 = _at.fill(_c__t45, _row__t45, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t51 = _t45 - norm3_mu;
        const T norm3_x_hat = _t51 * norm3_rstd;
        const T norm3_p = grad_y * norm3_x_hat;
        _t55 = _Sum()(_t55, norm3_p * norm3_weight);
    )
    _t55 = _row_reduce(_t55, _Sum());
    const T _t56 = _t55 * norm3_scale;
    T _t59 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        _t59 = _Sum()(_t59, grad_y * norm3_weight);
    )
    _t59 = _row_reduce(_t59, _Sum());
    const T _t60 = _t59 * norm3_scale;
    LF_ROW_LOOP(
        const T _t45 = _at.get(_c__t45, _row__t45, _j);
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T norm3_weight = _p_norm3_weight[_j];
        const T _t51 = _t45 - norm3_mu;
        const T norm3_x_hat = _t51 * norm3_rstd;
        const T norm3_p = grad_y * norm3_x_hat;
        const T _t53 = grad_y * norm3_weight;
        const T _t54 = _t53 * norm3_rstd;
        const T _t57 = norm3_x_hat * _t56;
        const T _t58 = _t54 - _t57;
        const T grad_norm3_x = _t58 - _t60;
        _row_norm3_p[_j] = norm3_p;
        _row_grad_norm3_x[_j] = grad_norm3_x;
    )
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_4: layers_spec/primitives.yaml:61,62,180,90
_transformer_decoder_no_norm_first_gelu_tanh_bwd_4 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_4",
    "T grad_hidden, T _t43, T _t41, T _t42, T linear1_z",
    "T grad_linear1_z",
    """
    T _t64 = grad_hidden * _t43;
    T _t65 = grad_hidden * _t41;
    T _t66 = _t42 * _t42;
    T _t67 = T(1) - _t66;
    T grad_gelu_inner = _t65 * _t67;
    T _t69 = _t64 * T(0.5);
    T _t70 = grad_gelu_inner * T(0.7978845608028654);
    T _t71 = _t70 * T(0.044715);
    T _t72 = _t71 * T(3);
    T _t73 = linear1_z * linear1_z;
    T _t74 = _t72 * _t73;
    T _t75 = _t69 + _t70;
    grad_linear1_z = _t75 + _t74;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_5: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_5 = RowBlockKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_5",
    "row T grad_norm3_x, row T _t77, row T _t31, per_row T norm2_mu, per_row T norm2_rstd, scalar int64 _t80, column T norm2_weight",
    "row T grad_h2, row T norm2_p, row T grad_norm2_x",
    """
    T _c_grad_norm3_x[LF_REGISTERS];
    T _c__t77[LF_REGISTERS];
    T _c__t31[LF_REGISTERS];
    const T norm2_scale = norm2_rstd / _t80;
    T _t83 = T(0);
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.fill(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t77 = _at.fill(_c__t77, _row__t77, _j);
        const T _t31 = _at.fill(_c__t31, _row__t31, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t77;
        const T _t79 = _t31 - norm2_mu;
        const T norm2_x_hat = _t79 * norm2_rstd;
        const T norm2_p = grad_h2 * norm2_x_hat;
        _t83 = _Sum()(_t83, norm2_p * norm2_weight);
    )
    _t83 = _row_reduce(_t83, _Sum());
    const T _t84 = _t83 * norm2_scale;
    T _t87 = T(0);
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.get(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t77 = _at.get(_c__t77, _row__t77, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t77;
        _t87 = _Sum()(_t87, grad_h2 * norm2_weight);
    )
    _t87 = _row_reduce(_t87, _Sum());
    const T _t88 = _t87 * norm2_scale;
    LF_ROW_LOOP(
        const T grad_norm3_x = _at.get(_c_grad_norm3_x, _row_grad_norm3_x, _j);
        const T _t77 = _at.get(_c__t77, _row__t77, _j);
        const T _t31 = _at.get(_c__t31, _row__t31, _j);
        const T norm2_weight = _p_norm2_weight[_j];
        const T grad_h2 = grad_norm3_x + _t77;
        const T _t79 = _t31 - norm2_mu;
        const T norm2_x_hat = _t79 * norm2_rstd;
        const T norm2_p = grad_h2 * norm2_x_hat;
        const T _t81 = grad_h2 * norm2_weight;
        const T _t82 = _t81 * norm2_rstd;
        const T _t85 = norm2_x_hat * _t84;
        const T _t86 = _t82 - _t85;
        const T grad_norm2_x = _t86 - _t88;
        _row_grad_h2[_j] = grad_h2;
        _row_norm2_p[_j] = norm2_p;
        _row_grad_norm2_x[_j] = grad_norm2_x;
    )
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_6: layers_spec/primitives.yaml:2973
_transformer_decoder_no_norm_first_gelu_tanh_bwd_6 = RowBlockKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_6",
    "row T grad_multihead_attn_weights, row T multihead_attn_weights",
    "row T grad_multihead_attn_unpadded",
    """
    T _c_grad_multihead_attn_weights[LF_REGISTERS];
    T _c_multihead_attn_weights[LF_REGISTERS];
    T _t97 = T(0);
    LF_ROW_LOOP(
        const T grad_multihead_attn_weights = _at.fill(_c_grad_multihead_attn_weights, _row_grad_multihead_attn_weights, _j);
        const T multihead_attn_weights = _at.fill(_c_multihead_attn_weights, _row_multihead_attn_weights, _j);
        _t97 = _Sum()(_t97, grad_multihead_attn_weights * multihead_attn_weights);
    )
    _t97 = _row_reduce(_t97, _Sum());
    LF_ROW_LOOP(
        const T grad_multihead_attn_weights = _at.get(_c_grad_multihead_attn_weights, _row_grad_multihead_attn_weights, _j);
        const T multihead_attn_weights = _at.get(_c_multihead_attn_weights, _row_multihead_attn_weights, _j);
        const T _t98 = grad_multihead_attn_weights - _t97;
        const T grad_multihead_attn_unpadded = multihead_attn_weights * _t98;
        _row_grad_multihead_attn_unpadded[_j] = grad_multihead_attn_unpadded;
    )
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_7: layers_spec/primitives.yaml:61
_transformer_decoder_no_norm_first_gelu_tanh_bwd_7 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_7",
    "T grad_multihead_attn_heads_q, T _t27",
    "T _t107",
    """
    _t107 = grad_multihead_attn_heads_q * _t27;
    """,
    scalars=("_t27",),
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_8: layers_spec/primitives.yaml:875; layers_spec/layers/layer_normalization.yaml:34,35,38,40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_8 = RowBlockKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_8",
    "row T grad_norm2_x, row T _t121, row T _t9, per_row T norm1_mu, per_row T norm1_rstd, scalar int64 _t125, column T norm1_weight",
    "row T grad_h1, row T norm1_p, row T grad_norm1_x",
    """
    T _c_grad_norm2_x[LF_REGISTERS];
    T _c__t121[LF_REGISTERS];
    T _c__t9[LF_REGISTERS];
    const T norm1_scale = norm1_rstd / _t125;
    T _t128 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.fill(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t121 = _at.fill(_c__t121, _row__t121, _j);
        const T _t9 = _at.fill(_c__t9, _row__t9, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t121;
        const T _t124 = _t9 - norm1_mu;
        const T norm1_x_hat = _t124 * norm1_rstd;
        const T norm1_p = grad_h1 * norm1_x_hat;
        _t128 = _Sum()(_t128, norm1_p * norm1_weight);
    )
    _t128 = _row_reduce(_t128, _Sum());
    const T _t129 = _t128 * norm1_scale;
    T _t132 = T(0);
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t121 = _at.get(_c__t121, _row__t121, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t121;
        _t132 = _Sum()(_t132, grad_h1 * norm1_weight);
    )
    _t132 = _row_reduce(_t132, _Sum());
    const T _t133 = _t132 * norm1_scale;
    LF_ROW_LOOP(
        const T grad_norm2_x = _at.get(_c_grad_norm2_x, _row_grad_norm2_x, _j);
        const T _t121 = _at.get(_c__t121, _row__t121, _j);
        const T _t9 = _at.get(_c__t9, _row__t9, _j);
        const T norm1_weight = _p_norm1_weight[_j];
        const T grad_h1 = grad_norm2_x + _t121;
        const T _t124 = _t9 - norm1_mu;
        const T norm1_x_hat = _t124 * norm1_rstd;
        const T norm1_p = grad_h1 * norm1_x_hat;
        const T _t126 = grad_h1 * norm1_weight;
        const T _t127 = _t126 * norm1_rstd;
        const T _t130 = norm1_x_hat * _t129;
        const T _t131 = _t127 - _t130;
        const T grad_norm1_x = _t131 - _t133;
        _row_grad_h1[_j] = grad_h1;
        _row_norm1_p[_j] = norm1_p;
        _row_grad_norm1_x[_j] = grad_norm1_x;
    )
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_9: layers_spec/primitives.yaml:2973
_transformer_decoder_no_norm_first_gelu_tanh_bwd_9 = RowBlockKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_9",
    "row T grad_self_attn_weights, row T self_attn_weights",
    "row T grad_self_attn_unpadded",
    """
    T _c_grad_self_attn_weights[LF_REGISTERS];
    T _c_self_attn_weights[LF_REGISTERS];
    T _t142 = T(0);
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.fill(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.fill(_c_self_attn_weights, _row_self_attn_weights, _j);
        _t142 = _Sum()(_t142, grad_self_attn_weights * self_attn_weights);
    )
    _t142 = _row_reduce(_t142, _Sum());
    LF_ROW_LOOP(
        const T grad_self_attn_weights = _at.get(_c_grad_self_attn_weights, _row_grad_self_attn_weights, _j);
        const T self_attn_weights = _at.get(_c_self_attn_weights, _row_self_attn_weights, _j);
        const T _t143 = grad_self_attn_weights - _t142;
        const T grad_self_attn_unpadded = self_attn_weights * _t143;
        _row_grad_self_attn_unpadded[_j] = grad_self_attn_unpadded;
    )
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_10: layers_spec/primitives.yaml:61
_transformer_decoder_no_norm_first_gelu_tanh_bwd_10 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_10",
    "T grad_self_attn_heads_q, T _t5",
    "T _t152",
    """
    _t152 = grad_self_attn_heads_q * _t5;
    """,
    scalars=("_t5",),
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_11: layers_spec/primitives.yaml:522
_transformer_decoder_no_norm_first_gelu_tanh_bwd_11 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_11",
    "T grad_norm1_x, T _t158",
    "T grad_x",
    """
    grad_x = grad_norm1_x + _t158;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_12: layers_spec/primitives.yaml:522
_transformer_decoder_no_norm_first_gelu_tanh_bwd_12 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_12",
    "T _t111, T _t116",
    "T grad_memory",
    """
    grad_memory = _t111 + _t116;
    """,
)


def _cupy_backward_no_norm_first_gelu_tanh(
    grad_y,
    x,
    memory,
    self_attn_in_proj_weight,
    self_attn_in_proj_bias,
    self_attn_out_proj_weight,
    self_attn_out_proj_bias,
    multihead_attn_out_proj_weight,
    linear1_weight,
    linear1_bias,
    linear2_weight,
    norm1_weight,
    norm2_weight,
    norm3_weight,
    nhead,
    _t1,
    _t5,
    self_attn_weights,
    self_attn_attended,
    _t9,
    norm1_mu,
    norm1_rstd,
    h1,
    _t15,
    _t18,
    _t21,
    _t27,
    multihead_attn_heads_q,
    multihead_attn_heads_v,
    _t28,
    multihead_attn_weights,
    multihead_attn_attended,
    _t31,
    norm2_mu,
    norm2_rstd,
    h2,
    linear1_z,
    _t45,
    norm3_mu,
    norm3_rstd,
):
    import cupy as cp

    self_attn_qkv = _transformer_decoder_no_norm_first_relu_fwd_0(
        _t1, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t2 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_decoder_no_norm_first_relu_fwd_1(_t2, _t5)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t6 = cp.swapaxes(self_attn_heads_k, -1, -2)
    _t41, _t42, _t43, hidden = _transformer_decoder_no_norm_first_gelu_tanh_bwd_2(
        linear1_z
    )
    _t52 = x.shape[-1]
    norm3_p, grad_norm3_x = _transformer_decoder_no_norm_first_gelu_tanh_bwd_3(
        _t45, norm3_mu, norm3_rstd, grad_y, _t52, norm3_weight
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    grad_linear2_bias = _cupy_sum_to(grad_norm3_x, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z = _transformer_decoder_no_norm_first_gelu_tanh_bwd_4(
        grad_hidden, _t43, _t41, _t42, linear1_z
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t77 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    _t80 = x.shape[-1]
    grad_h2, norm2_p, grad_norm2_x = _transformer_decoder_no_norm_first_gelu_tanh_bwd_5(
        grad_norm3_x, _t77, _t31, norm2_mu, norm2_rstd, _t80, norm2_weight
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_h2, self_attn_out_proj_bias.shape)
    grad_multihead_attn_out_proj_bias = _cupy_sum_to(
        grad_norm2_x, self_attn_out_proj_bias.shape
    )
    grad_multihead_attn_attended = _linear_backward_input(
        grad_norm2_x, multihead_attn_out_proj_weight
    )
    grad_multihead_attn_out_proj_weight = _rows(grad_norm2_x).T @ _rows(
        multihead_attn_attended
    )
    _t92 = _split_heads(grad_multihead_attn_attended, nhead)
    _t93 = cp.swapaxes(multihead_attn_heads_v, -1, -2)
    grad_multihead_attn_weights = _cupy_bmm(_t92, _t93)
    _t95 = cp.swapaxes(multihead_attn_weights, -1, -2)
    grad_multihead_attn_heads_v = _cupy_bmm(_t95, _t92)
    grad_multihead_attn_unpadded = _transformer_decoder_no_norm_first_gelu_tanh_bwd_6(
        grad_multihead_attn_weights, multihead_attn_weights
    )
    _t100 = cp.swapaxes(_t28, -1, -2)
    grad_multihead_attn_heads_q = _cupy_bmm(grad_multihead_attn_unpadded, _t100)
    _t102 = cp.swapaxes(multihead_attn_heads_q, -1, -2)
    _t103 = _cupy_bmm(_t102, grad_multihead_attn_unpadded)
    grad_multihead_attn_heads_k = cp.swapaxes(_t103, -1, -2)
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    _t107 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_7(
        grad_multihead_attn_heads_q, _t27
    )
    grad_multihead_attn_q = _merge_heads(_t107, nhead)
    _t109 = _cupy_sum_to(grad_multihead_attn_v, self_attn_out_proj_bias.shape)
    _t111 = _linear_backward_input(grad_multihead_attn_v, _t21)
    _t112 = _rows(grad_multihead_attn_v).T @ _rows(memory)
    _t114 = _cupy_sum_to(grad_multihead_attn_k, self_attn_out_proj_bias.shape)
    _t116 = _linear_backward_input(grad_multihead_attn_k, _t18)
    _t117 = _rows(grad_multihead_attn_k).T @ _rows(memory)
    _t119 = _cupy_sum_to(grad_multihead_attn_q, self_attn_out_proj_bias.shape)
    _t121 = _linear_backward_input(grad_multihead_attn_q, _t15)
    _t122 = _rows(grad_multihead_attn_q).T @ _rows(h1)
    _t125 = x.shape[-1]
    grad_h1, norm1_p, grad_norm1_x = _transformer_decoder_no_norm_first_gelu_tanh_bwd_8(
        grad_norm2_x, _t121, _t9, norm1_mu, norm1_rstd, _t125, norm1_weight
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_h1, self_attn_out_proj_bias.shape)
    grad_self_attn_out_proj_bias = _cupy_sum_to(
        grad_norm1_x, self_attn_out_proj_bias.shape
    )
    grad_self_attn_attended = _linear_backward_input(
        grad_norm1_x, self_attn_out_proj_weight
    )
    grad_self_attn_out_proj_weight = _rows(grad_norm1_x).T @ _rows(self_attn_attended)
    _t137 = _split_heads(grad_self_attn_attended, nhead)
    _t138 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t137, _t138)
    _t140 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t140, _t137)
    grad_self_attn_unpadded = _transformer_decoder_no_norm_first_gelu_tanh_bwd_9(
        grad_self_attn_weights, self_attn_weights
    )
    _t145 = cp.swapaxes(_t6, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t145)
    _t147 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t148 = _cupy_bmm(_t147, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t148, -1, -2)
    _t152 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_10(
        grad_self_attn_heads_q, _t5
    )
    grad_self_attn_qkv = _cupy_join_heads(
        (_t152, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    _t158 = _linear_backward_input(grad_self_attn_qkv, self_attn_in_proj_weight)
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = _transformer_decoder_no_norm_first_gelu_tanh_bwd_11(grad_norm1_x, _t158)
    grad_memory = _transformer_decoder_no_norm_first_gelu_tanh_bwd_12(_t111, _t116)
    grad_multihead_attn_in_proj_weight = cp.concatenate((_t122, _t117, _t112), axis=0)
    grad_multihead_attn_in_proj_bias = cp.concatenate((_t119, _t114, _t109), axis=-1)
    return (
        grad_x,
        grad_memory,
        grad_self_attn_in_proj_weight,
        grad_self_attn_in_proj_bias,
        grad_self_attn_out_proj_weight,
        grad_self_attn_out_proj_bias,
        grad_multihead_attn_in_proj_weight,
        grad_multihead_attn_in_proj_bias,
        grad_multihead_attn_out_proj_weight,
        grad_multihead_attn_out_proj_bias,
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
