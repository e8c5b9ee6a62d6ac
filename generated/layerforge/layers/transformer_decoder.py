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
    ReductionKernel,
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


# transformer_decoder_norm_first_relu_fwd_0: layers_spec/layers/layer_normalization.yaml:20
_transformer_decoder_norm_first_relu_fwd_0 = ReductionKernel(
    "transformer_decoder_norm_first_relu_fwd_0",
    "T X0",
    map_expr="transformer_decoder_norm_first_relu_fwd_0_map(X0)",
    reduce_expr="a + b",
    identity="0",
    mean=True,
    preamble="""
    template <typename T>
    __device__ T transformer_decoder_norm_first_relu_fwd_0_map(const T x) {
        return x;
    }
    """,
)


# transformer_decoder_norm_first_relu_fwd_1: layers_spec/layers/layer_normalization.yaml:21
_transformer_decoder_norm_first_relu_fwd_1 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_1",
    "T x, T norm1_mu",
    "T norm1_centered",
    """
    norm1_centered = x - norm1_mu;
    """,
)


# transformer_decoder_norm_first_relu_fwd_2: layers_spec/layers/layer_normalization.yaml:22,23
_transformer_decoder_norm_first_relu_fwd_2 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_2",
    "T _t1, int32 _t2, T eps",
    "T norm1_rstd",
    """
    T norm1_variance = _t1 / _t2;
    T _t3 = norm1_variance + eps;
    T _t4 = sqrt(_t3);
    norm1_rstd = T(1) / _t4;
    """,
    scalars=("_t2", "eps"),
)


# transformer_decoder_norm_first_relu_fwd_3: layers_spec/layers/layer_normalization.yaml:24,25
_transformer_decoder_norm_first_relu_fwd_3 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_3",
    "T norm1_centered, T norm1_rstd, T norm1_weight, T norm1_bias",
    "T normalized",
    """
    T norm1_normalized = norm1_centered * norm1_rstd;
    T _t5 = norm1_normalized * norm1_weight;
    normalized = _t5 + norm1_bias;
    """,
)


# transformer_decoder_norm_first_relu_fwd_4: layers_spec/layers/multi_head_attention.yaml:32
_transformer_decoder_norm_first_relu_fwd_4 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_4",
    "T _t6, T self_attn_in_proj_bias",
    "T self_attn_qkv",
    """
    self_attn_qkv = _t6 + self_attn_in_proj_bias;
    """,
)


# transformer_decoder_norm_first_relu_fwd_5: layers_spec/layers/multi_head_attention.yaml:36
_transformer_decoder_norm_first_relu_fwd_5 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_5",
    "T _t7, T _t10",
    "T self_attn_heads_q",
    """
    self_attn_heads_q = _t7 * _t10;
    """,
    scalars=("_t10",),
)


# transformer_decoder_norm_first_relu_fwd_6: layers_spec/layers/multi_head_attention.yaml:40,41,46
_transformer_decoder_norm_first_relu_fwd_6 = RowKernel(
    "transformer_decoder_norm_first_relu_fwd_6",
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


# transformer_decoder_norm_first_relu_fwd_7: layers_spec/layers/multi_head_attention.yaml:48; layers_spec/layers/transformer_decoder.yaml:43
_transformer_decoder_norm_first_relu_fwd_7 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_7",
    "T _t13, T self_attn_out_proj_bias, T x",
    "T h1",
    """
    T attended = _t13 + self_attn_out_proj_bias;
    h1 = x + attended;
    """,
)


# transformer_decoder_norm_first_relu_fwd_8: layers_spec/layers/layer_normalization.yaml:20
_transformer_decoder_norm_first_relu_fwd_8 = ReductionKernel(
    "transformer_decoder_norm_first_relu_fwd_8",
    "T X0",
    map_expr="transformer_decoder_norm_first_relu_fwd_8_map(X0)",
    reduce_expr="a + b",
    identity="0",
    mean=True,
    preamble="""
    template <typename T>
    __device__ T transformer_decoder_norm_first_relu_fwd_8_map(const T h1) {
        return h1;
    }
    """,
)


# transformer_decoder_norm_first_relu_fwd_9: layers_spec/layers/layer_normalization.yaml:21
_transformer_decoder_norm_first_relu_fwd_9 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_9",
    "T h1, T norm2_mu",
    "T norm2_centered",
    """
    norm2_centered = h1 - norm2_mu;
    """,
)


# transformer_decoder_norm_first_relu_fwd_10: layers_spec/layers/layer_normalization.yaml:22,23
_transformer_decoder_norm_first_relu_fwd_10 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_10",
    "T _t14, int32 _t15, T eps",
    "T norm2_rstd",
    """
    T norm2_variance = _t14 / _t15;
    T _t16 = norm2_variance + eps;
    T _t17 = sqrt(_t16);
    norm2_rstd = T(1) / _t17;
    """,
    scalars=("_t15", "eps"),
)


# transformer_decoder_norm_first_relu_fwd_11: layers_spec/layers/layer_normalization.yaml:24,25
_transformer_decoder_norm_first_relu_fwd_11 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_11",
    "T norm2_centered, T norm2_rstd, T norm2_weight, T norm2_bias",
    "T cross_input",
    """
    T norm2_normalized = norm2_centered * norm2_rstd;
    T _t18 = norm2_normalized * norm2_weight;
    cross_input = _t18 + norm2_bias;
    """,
)


# transformer_decoder_norm_first_relu_fwd_12: layers_spec/layers/multi_head_attention.yaml:28
_transformer_decoder_norm_first_relu_fwd_12 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_12",
    "T _t20, T _t21",
    "T multihead_attn_q",
    """
    multihead_attn_q = _t20 + _t21;
    """,
)


# transformer_decoder_norm_first_relu_fwd_13: layers_spec/layers/multi_head_attention.yaml:29
_transformer_decoder_norm_first_relu_fwd_13 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_13",
    "T _t23, T _t24",
    "T multihead_attn_k",
    """
    multihead_attn_k = _t23 + _t24;
    """,
)


# transformer_decoder_norm_first_relu_fwd_14: layers_spec/layers/multi_head_attention.yaml:30
_transformer_decoder_norm_first_relu_fwd_14 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_14",
    "T _t26, T _t27",
    "T multihead_attn_v",
    """
    multihead_attn_v = _t26 + _t27;
    """,
)


# transformer_decoder_norm_first_relu_fwd_15: layers_spec/layers/multi_head_attention.yaml:36
_transformer_decoder_norm_first_relu_fwd_15 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_15",
    "T _t28, T _t31",
    "T multihead_attn_heads_q",
    """
    multihead_attn_heads_q = _t28 * _t31;
    """,
    scalars=("_t31",),
)


# transformer_decoder_norm_first_relu_fwd_16: layers_spec/layers/multi_head_attention.yaml:40,41,46
_transformer_decoder_norm_first_relu_fwd_16 = RowKernel(
    "transformer_decoder_norm_first_relu_fwd_16",
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


# transformer_decoder_norm_first_relu_fwd_17: layers_spec/layers/multi_head_attention.yaml:48; layers_spec/layers/transformer_decoder.yaml:46
_transformer_decoder_norm_first_relu_fwd_17 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_17",
    "T _t34, T multihead_attn_out_proj_bias, T h1",
    "T h2",
    """
    T crossed = _t34 + multihead_attn_out_proj_bias;
    h2 = h1 + crossed;
    """,
)


# transformer_decoder_norm_first_relu_fwd_18: layers_spec/layers/layer_normalization.yaml:20
_transformer_decoder_norm_first_relu_fwd_18 = ReductionKernel(
    "transformer_decoder_norm_first_relu_fwd_18",
    "T X0",
    map_expr="transformer_decoder_norm_first_relu_fwd_18_map(X0)",
    reduce_expr="a + b",
    identity="0",
    mean=True,
    preamble="""
    template <typename T>
    __device__ T transformer_decoder_norm_first_relu_fwd_18_map(const T h2) {
        return h2;
    }
    """,
)


# transformer_decoder_norm_first_relu_fwd_19: layers_spec/layers/layer_normalization.yaml:21
_transformer_decoder_norm_first_relu_fwd_19 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_19",
    "T h2, T norm3_mu",
    "T norm3_centered",
    """
    norm3_centered = h2 - norm3_mu;
    """,
)


# transformer_decoder_norm_first_relu_fwd_20: layers_spec/layers/layer_normalization.yaml:22,23
_transformer_decoder_norm_first_relu_fwd_20 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_20",
    "T _t35, int32 _t36, T eps",
    "T norm3_rstd",
    """
    T norm3_variance = _t35 / _t36;
    T _t37 = norm3_variance + eps;
    T _t38 = sqrt(_t37);
    norm3_rstd = T(1) / _t38;
    """,
    scalars=("_t36", "eps"),
)


# transformer_decoder_norm_first_relu_fwd_21: layers_spec/layers/layer_normalization.yaml:24,25
_transformer_decoder_norm_first_relu_fwd_21 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_21",
    "T norm3_centered, T norm3_rstd, T norm3_weight, T norm3_bias",
    "T ffn_input",
    """
    T norm3_normalized = norm3_centered * norm3_rstd;
    T _t39 = norm3_normalized * norm3_weight;
    ffn_input = _t39 + norm3_bias;
    """,
)


# transformer_decoder_norm_first_relu_fwd_22: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_transformer_decoder_norm_first_relu_fwd_22 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_22",
    "T _t40, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t40 + linear1_bias;
    hidden = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# transformer_decoder_norm_first_relu_fwd_23: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_decoder.yaml:63
_transformer_decoder_norm_first_relu_fwd_23 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_fwd_23",
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

    norm1_mu = _transformer_decoder_norm_first_relu_fwd_0(x)
    norm1_centered = _transformer_decoder_norm_first_relu_fwd_1(x, norm1_mu)
    _t1 = _cupy_dot_last(norm1_centered, norm1_centered)
    _t2 = x.shape[-1]
    norm1_rstd = _transformer_decoder_norm_first_relu_fwd_2(_t1, _t2, eps)
    normalized = _transformer_decoder_norm_first_relu_fwd_3(
        norm1_centered, norm1_rstd, norm1_weight, norm1_bias
    )
    _t6 = _linear(normalized, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_decoder_norm_first_relu_fwd_4(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    _t8 = x.shape[-1]
    _t9 = _t8 / nhead
    _t10 = _t9 ** (-0.5)
    self_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_5(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t11)
    self_attn_weights = _transformer_decoder_norm_first_relu_fwd_6(
        self_attn_scores, tgt_mask, tgt_key_padding_mask
    )
    _t12 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t12, nhead)
    _t13 = _linear(self_attn_attended, self_attn_out_proj_weight)
    h1 = _transformer_decoder_norm_first_relu_fwd_7(_t13, self_attn_out_proj_bias, x)
    norm2_mu = _transformer_decoder_norm_first_relu_fwd_8(h1)
    norm2_centered = _transformer_decoder_norm_first_relu_fwd_9(h1, norm2_mu)
    _t14 = _cupy_dot_last(norm2_centered, norm2_centered)
    _t15 = x.shape[-1]
    norm2_rstd = _transformer_decoder_norm_first_relu_fwd_10(_t14, _t15, eps)
    cross_input = _transformer_decoder_norm_first_relu_fwd_11(
        norm2_centered, norm2_rstd, norm2_weight, norm2_bias
    )
    _t19 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t20 = _linear(cross_input, _t19)
    _t21 = _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    multihead_attn_q = _transformer_decoder_norm_first_relu_fwd_12(_t20, _t21)
    _t22 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    _t23 = _linear(memory, _t22)
    _t24 = _chunk(multihead_attn_in_proj_bias, 3, 1, -1)
    multihead_attn_k = _transformer_decoder_norm_first_relu_fwd_13(_t23, _t24)
    _t25 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    _t26 = _linear(memory, _t25)
    _t27 = _chunk(multihead_attn_in_proj_bias, 3, 2, -1)
    multihead_attn_v = _transformer_decoder_norm_first_relu_fwd_14(_t26, _t27)
    _t28 = _split_heads(multihead_attn_q, nhead)
    _t29 = x.shape[-1]
    _t30 = _t29 / nhead
    _t31 = _t30 ** (-0.5)
    multihead_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_15(_t28, _t31)
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t32 = cp.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _cupy_bmm(multihead_attn_heads_q, _t32)
    multihead_attn_weights = _transformer_decoder_norm_first_relu_fwd_16(
        multihead_attn_scores, memory_mask, memory_key_padding_mask
    )
    _t33 = _cupy_bmm(multihead_attn_weights, multihead_attn_heads_v)
    multihead_attn_attended = _merge_heads(_t33, nhead)
    _t34 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    h2 = _transformer_decoder_norm_first_relu_fwd_17(
        _t34, multihead_attn_out_proj_bias, h1
    )
    norm3_mu = _transformer_decoder_norm_first_relu_fwd_18(h2)
    norm3_centered = _transformer_decoder_norm_first_relu_fwd_19(h2, norm3_mu)
    _t35 = _cupy_dot_last(norm3_centered, norm3_centered)
    _t36 = x.shape[-1]
    norm3_rstd = _transformer_decoder_norm_first_relu_fwd_20(_t35, _t36, eps)
    ffn_input = _transformer_decoder_norm_first_relu_fwd_21(
        norm3_centered, norm3_rstd, norm3_weight, norm3_bias
    )
    _t40 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = _transformer_decoder_norm_first_relu_fwd_22(_t40, linear1_bias)
    _t41 = _linear(hidden, linear2_weight)
    y = _transformer_decoder_norm_first_relu_fwd_23(_t41, linear2_bias, h2)
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


# transformer_decoder_norm_first_relu_bwd_4: layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_norm_first_relu_bwd_4 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_4",
    "T h2, T norm3_mu, T norm3_rstd, T grad_ffn_input",
    "T norm3_x_hat, T norm3_p",
    """
    T _t50 = h2 - norm3_mu;
    norm3_x_hat = _t50 * norm3_rstd;
    norm3_p = grad_ffn_input * norm3_x_hat;
    """,
)


# transformer_decoder_norm_first_relu_bwd_5: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_norm_first_relu_bwd_5 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_5",
    "T norm3_rstd, int32 _t51",
    "T norm3_scale",
    """
    norm3_scale = norm3_rstd / _t51;
    """,
    scalars=("_t51",),
)


# transformer_decoder_norm_first_relu_bwd_6: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_6 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_6",
    "T grad_ffn_input, T norm3_weight, T norm3_rstd",
    "T _t53",
    """
    T _t52 = grad_ffn_input * norm3_weight;
    _t53 = _t52 * norm3_rstd;
    """,
)


# transformer_decoder_norm_first_relu_bwd_7: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_7 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_7",
    "T _t54, T norm3_scale",
    "T _t55",
    """
    _t55 = _t54 * norm3_scale;
    """,
)


# transformer_decoder_norm_first_relu_bwd_8: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_8 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_8",
    "T norm3_x_hat, T _t55, T _t53",
    "T _t57",
    """
    T _t56 = norm3_x_hat * _t55;
    _t57 = _t53 - _t56;
    """,
)


# transformer_decoder_norm_first_relu_bwd_9: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_9 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_9",
    "T _t58, T norm3_scale",
    "T _t59",
    """
    _t59 = _t58 * norm3_scale;
    """,
)


# transformer_decoder_norm_first_relu_bwd_10: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_10 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_10",
    "T _t57, T _t59, T grad_y",
    "T grad_h2",
    """
    T grad_norm3_x = _t57 - _t59;
    grad_h2 = grad_y + grad_norm3_x;
    """,
)


# transformer_decoder_norm_first_relu_bwd_11: layers_spec/primitives.yaml:2956
_transformer_decoder_norm_first_relu_bwd_11 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_11",
    "T grad_multihead_attn_weights, T _t68, T multihead_attn_weights",
    "T grad_multihead_attn_unpadded",
    """
    T _t69 = grad_multihead_attn_weights - _t68;
    grad_multihead_attn_unpadded = multihead_attn_weights * _t69;
    """,
)


# transformer_decoder_norm_first_relu_bwd_12: layers_spec/primitives.yaml:61
_transformer_decoder_norm_first_relu_bwd_12 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_12",
    "T grad_multihead_attn_heads_q, T _t31",
    "T _t78",
    """
    _t78 = grad_multihead_attn_heads_q * _t31;
    """,
    scalars=("_t31",),
)


# transformer_decoder_norm_first_relu_bwd_13: layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_norm_first_relu_bwd_13 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_13",
    "T h1, T norm2_mu, T norm2_rstd, T grad_cross_input",
    "T norm2_x_hat, T norm2_p",
    """
    T _t95 = h1 - norm2_mu;
    norm2_x_hat = _t95 * norm2_rstd;
    norm2_p = grad_cross_input * norm2_x_hat;
    """,
)


# transformer_decoder_norm_first_relu_bwd_14: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_norm_first_relu_bwd_14 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_14",
    "T norm2_rstd, int32 _t96",
    "T norm2_scale",
    """
    norm2_scale = norm2_rstd / _t96;
    """,
    scalars=("_t96",),
)


# transformer_decoder_norm_first_relu_bwd_15: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_15 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_15",
    "T grad_cross_input, T norm2_weight, T norm2_rstd",
    "T _t98",
    """
    T _t97 = grad_cross_input * norm2_weight;
    _t98 = _t97 * norm2_rstd;
    """,
)


# transformer_decoder_norm_first_relu_bwd_16: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_16 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_16",
    "T _t99, T norm2_scale",
    "T _t100",
    """
    _t100 = _t99 * norm2_scale;
    """,
)


# transformer_decoder_norm_first_relu_bwd_17: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_17 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_17",
    "T norm2_x_hat, T _t100, T _t98",
    "T _t102",
    """
    T _t101 = norm2_x_hat * _t100;
    _t102 = _t98 - _t101;
    """,
)


# transformer_decoder_norm_first_relu_bwd_18: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_18 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_18",
    "T _t103, T norm2_scale",
    "T _t104",
    """
    _t104 = _t103 * norm2_scale;
    """,
)


# transformer_decoder_norm_first_relu_bwd_19: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_19 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_19",
    "T _t102, T _t104, T grad_h2",
    "T grad_h1",
    """
    T grad_norm2_x = _t102 - _t104;
    grad_h1 = grad_h2 + grad_norm2_x;
    """,
)


# transformer_decoder_norm_first_relu_bwd_20: layers_spec/primitives.yaml:2956
_transformer_decoder_norm_first_relu_bwd_20 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_20",
    "T grad_self_attn_weights, T _t113, T self_attn_weights",
    "T grad_self_attn_unpadded",
    """
    T _t114 = grad_self_attn_weights - _t113;
    grad_self_attn_unpadded = self_attn_weights * _t114;
    """,
)


# transformer_decoder_norm_first_relu_bwd_21: layers_spec/primitives.yaml:61
_transformer_decoder_norm_first_relu_bwd_21 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_21",
    "T grad_self_attn_heads_q, T _t10",
    "T _t123",
    """
    _t123 = grad_self_attn_heads_q * _t10;
    """,
    scalars=("_t10",),
)


# transformer_decoder_norm_first_relu_bwd_22: layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_norm_first_relu_bwd_22 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_22",
    "T x, T norm1_mu, T norm1_rstd, T grad_normalized",
    "T norm1_x_hat, T norm1_p",
    """
    T _t131 = x - norm1_mu;
    norm1_x_hat = _t131 * norm1_rstd;
    norm1_p = grad_normalized * norm1_x_hat;
    """,
)


# transformer_decoder_norm_first_relu_bwd_23: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_norm_first_relu_bwd_23 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_23",
    "T norm1_rstd, int32 _t132",
    "T norm1_scale",
    """
    norm1_scale = norm1_rstd / _t132;
    """,
    scalars=("_t132",),
)


# transformer_decoder_norm_first_relu_bwd_24: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_24 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_24",
    "T grad_normalized, T norm1_weight, T norm1_rstd",
    "T _t134",
    """
    T _t133 = grad_normalized * norm1_weight;
    _t134 = _t133 * norm1_rstd;
    """,
)


# transformer_decoder_norm_first_relu_bwd_25: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_25 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_25",
    "T _t135, T norm1_scale",
    "T _t136",
    """
    _t136 = _t135 * norm1_scale;
    """,
)


# transformer_decoder_norm_first_relu_bwd_26: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_26 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_26",
    "T norm1_x_hat, T _t136, T _t134",
    "T _t138",
    """
    T _t137 = norm1_x_hat * _t136;
    _t138 = _t134 - _t137;
    """,
)


# transformer_decoder_norm_first_relu_bwd_27: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_27 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_27",
    "T _t139, T norm1_scale",
    "T _t140",
    """
    _t140 = _t139 * norm1_scale;
    """,
)


# transformer_decoder_norm_first_relu_bwd_28: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_28 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_28",
    "T _t138, T _t140, T grad_h1",
    "T grad_x",
    """
    T grad_norm1_x = _t138 - _t140;
    grad_x = grad_h1 + grad_norm1_x;
    """,
)


# transformer_decoder_norm_first_relu_bwd_29: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_relu_bwd_29 = ElementwiseKernel(
    "transformer_decoder_norm_first_relu_bwd_29",
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

    self_attn_qkv = _transformer_decoder_norm_first_relu_fwd_4(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_5(_t7, _t10)
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
    norm3_x_hat, norm3_p = _transformer_decoder_norm_first_relu_bwd_4(
        h2, norm3_mu, norm3_rstd, grad_ffn_input
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_ffn_input, self_attn_out_proj_bias.shape)
    _t51 = x.shape[-1]
    norm3_scale = _transformer_decoder_norm_first_relu_bwd_5(norm3_rstd, _t51)
    _t53 = _transformer_decoder_norm_first_relu_bwd_6(
        grad_ffn_input, norm3_weight, norm3_rstd
    )
    _t54 = _cupy_dot_last(norm3_p, norm3_weight)
    _t55 = _transformer_decoder_norm_first_relu_bwd_7(_t54, norm3_scale)
    _t57 = _transformer_decoder_norm_first_relu_bwd_8(norm3_x_hat, _t55, _t53)
    _t58 = _cupy_dot_last(grad_ffn_input, norm3_weight)
    _t59 = _transformer_decoder_norm_first_relu_bwd_9(_t58, norm3_scale)
    grad_h2 = _transformer_decoder_norm_first_relu_bwd_10(_t57, _t59, grad_y)
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
    _t68 = _cupy_dot_last(grad_multihead_attn_weights, multihead_attn_weights)
    grad_multihead_attn_unpadded = _transformer_decoder_norm_first_relu_bwd_11(
        grad_multihead_attn_weights, _t68, multihead_attn_weights
    )
    _t71 = cp.swapaxes(_t32, -1, -2)
    grad_multihead_attn_heads_q = _cupy_bmm(grad_multihead_attn_unpadded, _t71)
    _t73 = cp.swapaxes(multihead_attn_heads_q, -1, -2)
    _t74 = _cupy_bmm(_t73, grad_multihead_attn_unpadded)
    grad_multihead_attn_heads_k = cp.swapaxes(_t74, -1, -2)
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    _t78 = _transformer_decoder_norm_first_relu_bwd_12(
        grad_multihead_attn_heads_q, _t31
    )
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
    norm2_x_hat, norm2_p = _transformer_decoder_norm_first_relu_bwd_13(
        h1, norm2_mu, norm2_rstd, grad_cross_input
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_cross_input, self_attn_out_proj_bias.shape)
    _t96 = x.shape[-1]
    norm2_scale = _transformer_decoder_norm_first_relu_bwd_14(norm2_rstd, _t96)
    _t98 = _transformer_decoder_norm_first_relu_bwd_15(
        grad_cross_input, norm2_weight, norm2_rstd
    )
    _t99 = _cupy_dot_last(norm2_p, norm2_weight)
    _t100 = _transformer_decoder_norm_first_relu_bwd_16(_t99, norm2_scale)
    _t102 = _transformer_decoder_norm_first_relu_bwd_17(norm2_x_hat, _t100, _t98)
    _t103 = _cupy_dot_last(grad_cross_input, norm2_weight)
    _t104 = _transformer_decoder_norm_first_relu_bwd_18(_t103, norm2_scale)
    grad_h1 = _transformer_decoder_norm_first_relu_bwd_19(_t102, _t104, grad_h2)
    grad_self_attn_out_proj_bias = _cupy_sum_to(grad_h1, self_attn_out_proj_bias.shape)
    grad_self_attn_attended = _linear_backward_input(grad_h1, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h1).T @ _rows(self_attn_attended)
    _t108 = _split_heads(grad_self_attn_attended, nhead)
    _t109 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t108, _t109)
    _t111 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t111, _t108)
    _t113 = _cupy_dot_last(grad_self_attn_weights, self_attn_weights)
    grad_self_attn_unpadded = _transformer_decoder_norm_first_relu_bwd_20(
        grad_self_attn_weights, _t113, self_attn_weights
    )
    _t116 = cp.swapaxes(_t11, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t116)
    _t118 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t119 = _cupy_bmm(_t118, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t119, -1, -2)
    _t123 = _transformer_decoder_norm_first_relu_bwd_21(grad_self_attn_heads_q, _t10)
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
    norm1_x_hat, norm1_p = _transformer_decoder_norm_first_relu_bwd_22(
        x, norm1_mu, norm1_rstd, grad_normalized
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_normalized, self_attn_out_proj_bias.shape)
    _t132 = x.shape[-1]
    norm1_scale = _transformer_decoder_norm_first_relu_bwd_23(norm1_rstd, _t132)
    _t134 = _transformer_decoder_norm_first_relu_bwd_24(
        grad_normalized, norm1_weight, norm1_rstd
    )
    _t135 = _cupy_dot_last(norm1_p, norm1_weight)
    _t136 = _transformer_decoder_norm_first_relu_bwd_25(_t135, norm1_scale)
    _t138 = _transformer_decoder_norm_first_relu_bwd_26(norm1_x_hat, _t136, _t134)
    _t139 = _cupy_dot_last(grad_normalized, norm1_weight)
    _t140 = _transformer_decoder_norm_first_relu_bwd_27(_t139, norm1_scale)
    grad_x = _transformer_decoder_norm_first_relu_bwd_28(_t138, _t140, grad_h1)
    grad_memory = _transformer_decoder_norm_first_relu_bwd_29(_t82, _t87)
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


# transformer_decoder_norm_first_gelu_fwd_22: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:23
_transformer_decoder_norm_first_gelu_fwd_22 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_fwd_22",
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


# transformer_decoder_norm_first_gelu_fwd_23: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_decoder.yaml:63
_transformer_decoder_norm_first_gelu_fwd_23 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_fwd_23",
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

    norm1_mu = _transformer_decoder_norm_first_relu_fwd_0(x)
    norm1_centered = _transformer_decoder_norm_first_relu_fwd_1(x, norm1_mu)
    _t1 = _cupy_dot_last(norm1_centered, norm1_centered)
    _t2 = x.shape[-1]
    norm1_rstd = _transformer_decoder_norm_first_relu_fwd_2(_t1, _t2, eps)
    normalized = _transformer_decoder_norm_first_relu_fwd_3(
        norm1_centered, norm1_rstd, norm1_weight, norm1_bias
    )
    _t6 = _linear(normalized, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_decoder_norm_first_relu_fwd_4(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    _t8 = x.shape[-1]
    _t9 = _t8 / nhead
    _t10 = _t9 ** (-0.5)
    self_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_5(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t11)
    self_attn_weights = _transformer_decoder_norm_first_relu_fwd_6(
        self_attn_scores, tgt_mask, tgt_key_padding_mask
    )
    _t12 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t12, nhead)
    _t13 = _linear(self_attn_attended, self_attn_out_proj_weight)
    h1 = _transformer_decoder_norm_first_relu_fwd_7(_t13, self_attn_out_proj_bias, x)
    norm2_mu = _transformer_decoder_norm_first_relu_fwd_8(h1)
    norm2_centered = _transformer_decoder_norm_first_relu_fwd_9(h1, norm2_mu)
    _t14 = _cupy_dot_last(norm2_centered, norm2_centered)
    _t15 = x.shape[-1]
    norm2_rstd = _transformer_decoder_norm_first_relu_fwd_10(_t14, _t15, eps)
    cross_input = _transformer_decoder_norm_first_relu_fwd_11(
        norm2_centered, norm2_rstd, norm2_weight, norm2_bias
    )
    _t19 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t20 = _linear(cross_input, _t19)
    _t21 = _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    multihead_attn_q = _transformer_decoder_norm_first_relu_fwd_12(_t20, _t21)
    _t22 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    _t23 = _linear(memory, _t22)
    _t24 = _chunk(multihead_attn_in_proj_bias, 3, 1, -1)
    multihead_attn_k = _transformer_decoder_norm_first_relu_fwd_13(_t23, _t24)
    _t25 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    _t26 = _linear(memory, _t25)
    _t27 = _chunk(multihead_attn_in_proj_bias, 3, 2, -1)
    multihead_attn_v = _transformer_decoder_norm_first_relu_fwd_14(_t26, _t27)
    _t28 = _split_heads(multihead_attn_q, nhead)
    _t29 = x.shape[-1]
    _t30 = _t29 / nhead
    _t31 = _t30 ** (-0.5)
    multihead_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_15(_t28, _t31)
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t32 = cp.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _cupy_bmm(multihead_attn_heads_q, _t32)
    multihead_attn_weights = _transformer_decoder_norm_first_relu_fwd_16(
        multihead_attn_scores, memory_mask, memory_key_padding_mask
    )
    _t33 = _cupy_bmm(multihead_attn_weights, multihead_attn_heads_v)
    multihead_attn_attended = _merge_heads(_t33, nhead)
    _t34 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    h2 = _transformer_decoder_norm_first_relu_fwd_17(
        _t34, multihead_attn_out_proj_bias, h1
    )
    norm3_mu = _transformer_decoder_norm_first_relu_fwd_18(h2)
    norm3_centered = _transformer_decoder_norm_first_relu_fwd_19(h2, norm3_mu)
    _t35 = _cupy_dot_last(norm3_centered, norm3_centered)
    _t36 = x.shape[-1]
    norm3_rstd = _transformer_decoder_norm_first_relu_fwd_20(_t35, _t36, eps)
    ffn_input = _transformer_decoder_norm_first_relu_fwd_21(
        norm3_centered, norm3_rstd, norm3_weight, norm3_bias
    )
    _t40 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = _transformer_decoder_norm_first_gelu_fwd_22(_t40, linear1_bias)
    _t45 = _linear(hidden, linear2_weight)
    y = _transformer_decoder_norm_first_gelu_fwd_23(_t45, linear2_bias, h2)
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


# transformer_decoder_norm_first_gelu_bwd_3: layers_spec/primitives.yaml:61,62,1957
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


# transformer_decoder_norm_first_gelu_bwd_4: layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_norm_first_gelu_bwd_4 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_4",
    "T h2, T norm3_mu, T norm3_rstd, T grad_ffn_input",
    "T norm3_x_hat, T norm3_p",
    """
    T _t61 = h2 - norm3_mu;
    norm3_x_hat = _t61 * norm3_rstd;
    norm3_p = grad_ffn_input * norm3_x_hat;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_5: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_norm_first_gelu_bwd_5 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_5",
    "T norm3_rstd, int32 _t62",
    "T norm3_scale",
    """
    norm3_scale = norm3_rstd / _t62;
    """,
    scalars=("_t62",),
)


# transformer_decoder_norm_first_gelu_bwd_6: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_6 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_6",
    "T grad_ffn_input, T norm3_weight, T norm3_rstd",
    "T _t64",
    """
    T _t63 = grad_ffn_input * norm3_weight;
    _t64 = _t63 * norm3_rstd;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_7: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_7 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_7",
    "T _t65, T norm3_scale",
    "T _t66",
    """
    _t66 = _t65 * norm3_scale;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_8: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_8 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_8",
    "T norm3_x_hat, T _t66, T _t64",
    "T _t68",
    """
    T _t67 = norm3_x_hat * _t66;
    _t68 = _t64 - _t67;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_9: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_9 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_9",
    "T _t69, T norm3_scale",
    "T _t70",
    """
    _t70 = _t69 * norm3_scale;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_10: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_10 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_10",
    "T _t68, T _t70, T grad_y",
    "T grad_h2",
    """
    T grad_norm3_x = _t68 - _t70;
    grad_h2 = grad_y + grad_norm3_x;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_11: layers_spec/primitives.yaml:2956
_transformer_decoder_norm_first_gelu_bwd_11 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_11",
    "T grad_multihead_attn_weights, T _t79, T multihead_attn_weights",
    "T grad_multihead_attn_unpadded",
    """
    T _t80 = grad_multihead_attn_weights - _t79;
    grad_multihead_attn_unpadded = multihead_attn_weights * _t80;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_12: layers_spec/primitives.yaml:61
_transformer_decoder_norm_first_gelu_bwd_12 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_12",
    "T grad_multihead_attn_heads_q, T _t31",
    "T _t89",
    """
    _t89 = grad_multihead_attn_heads_q * _t31;
    """,
    scalars=("_t31",),
)


# transformer_decoder_norm_first_gelu_bwd_13: layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_norm_first_gelu_bwd_13 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_13",
    "T h1, T norm2_mu, T norm2_rstd, T grad_cross_input",
    "T norm2_x_hat, T norm2_p",
    """
    T _t106 = h1 - norm2_mu;
    norm2_x_hat = _t106 * norm2_rstd;
    norm2_p = grad_cross_input * norm2_x_hat;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_14: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_norm_first_gelu_bwd_14 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_14",
    "T norm2_rstd, int32 _t107",
    "T norm2_scale",
    """
    norm2_scale = norm2_rstd / _t107;
    """,
    scalars=("_t107",),
)


# transformer_decoder_norm_first_gelu_bwd_15: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_15 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_15",
    "T grad_cross_input, T norm2_weight, T norm2_rstd",
    "T _t109",
    """
    T _t108 = grad_cross_input * norm2_weight;
    _t109 = _t108 * norm2_rstd;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_16: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_16 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_16",
    "T _t110, T norm2_scale",
    "T _t111",
    """
    _t111 = _t110 * norm2_scale;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_17: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_17 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_17",
    "T norm2_x_hat, T _t111, T _t109",
    "T _t113",
    """
    T _t112 = norm2_x_hat * _t111;
    _t113 = _t109 - _t112;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_18: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_18 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_18",
    "T _t114, T norm2_scale",
    "T _t115",
    """
    _t115 = _t114 * norm2_scale;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_19: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_19 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_19",
    "T _t113, T _t115, T grad_h2",
    "T grad_h1",
    """
    T grad_norm2_x = _t113 - _t115;
    grad_h1 = grad_h2 + grad_norm2_x;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_20: layers_spec/primitives.yaml:2956
_transformer_decoder_norm_first_gelu_bwd_20 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_20",
    "T grad_self_attn_weights, T _t124, T self_attn_weights",
    "T grad_self_attn_unpadded",
    """
    T _t125 = grad_self_attn_weights - _t124;
    grad_self_attn_unpadded = self_attn_weights * _t125;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_21: layers_spec/primitives.yaml:61
_transformer_decoder_norm_first_gelu_bwd_21 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_21",
    "T grad_self_attn_heads_q, T _t10",
    "T _t134",
    """
    _t134 = grad_self_attn_heads_q * _t10;
    """,
    scalars=("_t10",),
)


# transformer_decoder_norm_first_gelu_bwd_22: layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_norm_first_gelu_bwd_22 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_22",
    "T x, T norm1_mu, T norm1_rstd, T grad_normalized",
    "T norm1_x_hat, T norm1_p",
    """
    T _t142 = x - norm1_mu;
    norm1_x_hat = _t142 * norm1_rstd;
    norm1_p = grad_normalized * norm1_x_hat;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_23: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_norm_first_gelu_bwd_23 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_23",
    "T norm1_rstd, int32 _t143",
    "T norm1_scale",
    """
    norm1_scale = norm1_rstd / _t143;
    """,
    scalars=("_t143",),
)


# transformer_decoder_norm_first_gelu_bwd_24: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_24 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_24",
    "T grad_normalized, T norm1_weight, T norm1_rstd",
    "T _t145",
    """
    T _t144 = grad_normalized * norm1_weight;
    _t145 = _t144 * norm1_rstd;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_25: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_25 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_25",
    "T _t146, T norm1_scale",
    "T _t147",
    """
    _t147 = _t146 * norm1_scale;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_26: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_26 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_26",
    "T norm1_x_hat, T _t147, T _t145",
    "T _t149",
    """
    T _t148 = norm1_x_hat * _t147;
    _t149 = _t145 - _t148;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_27: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_27 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_27",
    "T _t150, T norm1_scale",
    "T _t151",
    """
    _t151 = _t150 * norm1_scale;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_28: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_28 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_28",
    "T _t149, T _t151, T grad_h1",
    "T grad_x",
    """
    T grad_norm1_x = _t149 - _t151;
    grad_x = grad_h1 + grad_norm1_x;
    """,
)


# transformer_decoder_norm_first_gelu_bwd_29: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_bwd_29 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_bwd_29",
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

    self_attn_qkv = _transformer_decoder_norm_first_relu_fwd_4(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_5(_t7, _t10)
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
    norm3_x_hat, norm3_p = _transformer_decoder_norm_first_gelu_bwd_4(
        h2, norm3_mu, norm3_rstd, grad_ffn_input
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_ffn_input, self_attn_out_proj_bias.shape)
    _t62 = x.shape[-1]
    norm3_scale = _transformer_decoder_norm_first_gelu_bwd_5(norm3_rstd, _t62)
    _t64 = _transformer_decoder_norm_first_gelu_bwd_6(
        grad_ffn_input, norm3_weight, norm3_rstd
    )
    _t65 = _cupy_dot_last(norm3_p, norm3_weight)
    _t66 = _transformer_decoder_norm_first_gelu_bwd_7(_t65, norm3_scale)
    _t68 = _transformer_decoder_norm_first_gelu_bwd_8(norm3_x_hat, _t66, _t64)
    _t69 = _cupy_dot_last(grad_ffn_input, norm3_weight)
    _t70 = _transformer_decoder_norm_first_gelu_bwd_9(_t69, norm3_scale)
    grad_h2 = _transformer_decoder_norm_first_gelu_bwd_10(_t68, _t70, grad_y)
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
    _t79 = _cupy_dot_last(grad_multihead_attn_weights, multihead_attn_weights)
    grad_multihead_attn_unpadded = _transformer_decoder_norm_first_gelu_bwd_11(
        grad_multihead_attn_weights, _t79, multihead_attn_weights
    )
    _t82 = cp.swapaxes(_t32, -1, -2)
    grad_multihead_attn_heads_q = _cupy_bmm(grad_multihead_attn_unpadded, _t82)
    _t84 = cp.swapaxes(multihead_attn_heads_q, -1, -2)
    _t85 = _cupy_bmm(_t84, grad_multihead_attn_unpadded)
    grad_multihead_attn_heads_k = cp.swapaxes(_t85, -1, -2)
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    _t89 = _transformer_decoder_norm_first_gelu_bwd_12(
        grad_multihead_attn_heads_q, _t31
    )
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
    norm2_x_hat, norm2_p = _transformer_decoder_norm_first_gelu_bwd_13(
        h1, norm2_mu, norm2_rstd, grad_cross_input
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_cross_input, self_attn_out_proj_bias.shape)
    _t107 = x.shape[-1]
    norm2_scale = _transformer_decoder_norm_first_gelu_bwd_14(norm2_rstd, _t107)
    _t109 = _transformer_decoder_norm_first_gelu_bwd_15(
        grad_cross_input, norm2_weight, norm2_rstd
    )
    _t110 = _cupy_dot_last(norm2_p, norm2_weight)
    _t111 = _transformer_decoder_norm_first_gelu_bwd_16(_t110, norm2_scale)
    _t113 = _transformer_decoder_norm_first_gelu_bwd_17(norm2_x_hat, _t111, _t109)
    _t114 = _cupy_dot_last(grad_cross_input, norm2_weight)
    _t115 = _transformer_decoder_norm_first_gelu_bwd_18(_t114, norm2_scale)
    grad_h1 = _transformer_decoder_norm_first_gelu_bwd_19(_t113, _t115, grad_h2)
    grad_self_attn_out_proj_bias = _cupy_sum_to(grad_h1, self_attn_out_proj_bias.shape)
    grad_self_attn_attended = _linear_backward_input(grad_h1, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h1).T @ _rows(self_attn_attended)
    _t119 = _split_heads(grad_self_attn_attended, nhead)
    _t120 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t119, _t120)
    _t122 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t122, _t119)
    _t124 = _cupy_dot_last(grad_self_attn_weights, self_attn_weights)
    grad_self_attn_unpadded = _transformer_decoder_norm_first_gelu_bwd_20(
        grad_self_attn_weights, _t124, self_attn_weights
    )
    _t127 = cp.swapaxes(_t11, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t127)
    _t129 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t130 = _cupy_bmm(_t129, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t130, -1, -2)
    _t134 = _transformer_decoder_norm_first_gelu_bwd_21(grad_self_attn_heads_q, _t10)
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
    norm1_x_hat, norm1_p = _transformer_decoder_norm_first_gelu_bwd_22(
        x, norm1_mu, norm1_rstd, grad_normalized
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_normalized, self_attn_out_proj_bias.shape)
    _t143 = x.shape[-1]
    norm1_scale = _transformer_decoder_norm_first_gelu_bwd_23(norm1_rstd, _t143)
    _t145 = _transformer_decoder_norm_first_gelu_bwd_24(
        grad_normalized, norm1_weight, norm1_rstd
    )
    _t146 = _cupy_dot_last(norm1_p, norm1_weight)
    _t147 = _transformer_decoder_norm_first_gelu_bwd_25(_t146, norm1_scale)
    _t149 = _transformer_decoder_norm_first_gelu_bwd_26(norm1_x_hat, _t147, _t145)
    _t150 = _cupy_dot_last(grad_normalized, norm1_weight)
    _t151 = _transformer_decoder_norm_first_gelu_bwd_27(_t150, norm1_scale)
    grad_x = _transformer_decoder_norm_first_gelu_bwd_28(_t149, _t151, grad_h1)
    grad_memory = _transformer_decoder_norm_first_gelu_bwd_29(_t93, _t98)
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


# transformer_decoder_norm_first_gelu_tanh_fwd_22: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:20,21
_transformer_decoder_norm_first_gelu_tanh_fwd_22 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_fwd_22",
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


# transformer_decoder_norm_first_gelu_tanh_fwd_23: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_decoder.yaml:63
_transformer_decoder_norm_first_gelu_tanh_fwd_23 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_fwd_23",
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

    norm1_mu = _transformer_decoder_norm_first_relu_fwd_0(x)
    norm1_centered = _transformer_decoder_norm_first_relu_fwd_1(x, norm1_mu)
    _t1 = _cupy_dot_last(norm1_centered, norm1_centered)
    _t2 = x.shape[-1]
    norm1_rstd = _transformer_decoder_norm_first_relu_fwd_2(_t1, _t2, eps)
    normalized = _transformer_decoder_norm_first_relu_fwd_3(
        norm1_centered, norm1_rstd, norm1_weight, norm1_bias
    )
    _t6 = _linear(normalized, self_attn_in_proj_weight)
    self_attn_qkv = _transformer_decoder_norm_first_relu_fwd_4(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    _t8 = x.shape[-1]
    _t9 = _t8 / nhead
    _t10 = _t9 ** (-0.5)
    self_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_5(_t7, _t10)
    self_attn_heads_k = _split_heads(self_attn_k, nhead)
    self_attn_heads_v = _split_heads(self_attn_v, nhead)
    _t11 = cp.swapaxes(self_attn_heads_k, -1, -2)
    self_attn_scores = _cupy_bmm(self_attn_heads_q, _t11)
    self_attn_weights = _transformer_decoder_norm_first_relu_fwd_6(
        self_attn_scores, tgt_mask, tgt_key_padding_mask
    )
    _t12 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t12, nhead)
    _t13 = _linear(self_attn_attended, self_attn_out_proj_weight)
    h1 = _transformer_decoder_norm_first_relu_fwd_7(_t13, self_attn_out_proj_bias, x)
    norm2_mu = _transformer_decoder_norm_first_relu_fwd_8(h1)
    norm2_centered = _transformer_decoder_norm_first_relu_fwd_9(h1, norm2_mu)
    _t14 = _cupy_dot_last(norm2_centered, norm2_centered)
    _t15 = x.shape[-1]
    norm2_rstd = _transformer_decoder_norm_first_relu_fwd_10(_t14, _t15, eps)
    cross_input = _transformer_decoder_norm_first_relu_fwd_11(
        norm2_centered, norm2_rstd, norm2_weight, norm2_bias
    )
    _t19 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t20 = _linear(cross_input, _t19)
    _t21 = _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    multihead_attn_q = _transformer_decoder_norm_first_relu_fwd_12(_t20, _t21)
    _t22 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    _t23 = _linear(memory, _t22)
    _t24 = _chunk(multihead_attn_in_proj_bias, 3, 1, -1)
    multihead_attn_k = _transformer_decoder_norm_first_relu_fwd_13(_t23, _t24)
    _t25 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    _t26 = _linear(memory, _t25)
    _t27 = _chunk(multihead_attn_in_proj_bias, 3, 2, -1)
    multihead_attn_v = _transformer_decoder_norm_first_relu_fwd_14(_t26, _t27)
    _t28 = _split_heads(multihead_attn_q, nhead)
    _t29 = x.shape[-1]
    _t30 = _t29 / nhead
    _t31 = _t30 ** (-0.5)
    multihead_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_15(_t28, _t31)
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t32 = cp.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _cupy_bmm(multihead_attn_heads_q, _t32)
    multihead_attn_weights = _transformer_decoder_norm_first_relu_fwd_16(
        multihead_attn_scores, memory_mask, memory_key_padding_mask
    )
    _t33 = _cupy_bmm(multihead_attn_weights, multihead_attn_heads_v)
    multihead_attn_attended = _merge_heads(_t33, nhead)
    _t34 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    h2 = _transformer_decoder_norm_first_relu_fwd_17(
        _t34, multihead_attn_out_proj_bias, h1
    )
    norm3_mu = _transformer_decoder_norm_first_relu_fwd_18(h2)
    norm3_centered = _transformer_decoder_norm_first_relu_fwd_19(h2, norm3_mu)
    _t35 = _cupy_dot_last(norm3_centered, norm3_centered)
    _t36 = x.shape[-1]
    norm3_rstd = _transformer_decoder_norm_first_relu_fwd_20(_t35, _t36, eps)
    ffn_input = _transformer_decoder_norm_first_relu_fwd_21(
        norm3_centered, norm3_rstd, norm3_weight, norm3_bias
    )
    _t40 = _linear(ffn_input, linear1_weight)
    linear1_z, hidden = _transformer_decoder_norm_first_gelu_tanh_fwd_22(
        _t40, linear1_bias
    )
    _t47 = _linear(hidden, linear2_weight)
    y = _transformer_decoder_norm_first_gelu_tanh_fwd_23(_t47, linear2_bias, h2)
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


# transformer_decoder_norm_first_gelu_tanh_bwd_4: layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_norm_first_gelu_tanh_bwd_4 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_4",
    "T h2, T norm3_mu, T norm3_rstd, T grad_ffn_input",
    "T norm3_x_hat, T norm3_p",
    """
    T _t66 = h2 - norm3_mu;
    norm3_x_hat = _t66 * norm3_rstd;
    norm3_p = grad_ffn_input * norm3_x_hat;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_5: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_norm_first_gelu_tanh_bwd_5 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_5",
    "T norm3_rstd, int32 _t67",
    "T norm3_scale",
    """
    norm3_scale = norm3_rstd / _t67;
    """,
    scalars=("_t67",),
)


# transformer_decoder_norm_first_gelu_tanh_bwd_6: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_6 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_6",
    "T grad_ffn_input, T norm3_weight, T norm3_rstd",
    "T _t69",
    """
    T _t68 = grad_ffn_input * norm3_weight;
    _t69 = _t68 * norm3_rstd;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_7: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_7 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_7",
    "T _t70, T norm3_scale",
    "T _t71",
    """
    _t71 = _t70 * norm3_scale;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_8: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_8 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_8",
    "T norm3_x_hat, T _t71, T _t69",
    "T _t73",
    """
    T _t72 = norm3_x_hat * _t71;
    _t73 = _t69 - _t72;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_9: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_9 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_9",
    "T _t74, T norm3_scale",
    "T _t75",
    """
    _t75 = _t74 * norm3_scale;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_10: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_10 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_10",
    "T _t73, T _t75, T grad_y",
    "T grad_h2",
    """
    T grad_norm3_x = _t73 - _t75;
    grad_h2 = grad_y + grad_norm3_x;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_11: layers_spec/primitives.yaml:2956
_transformer_decoder_norm_first_gelu_tanh_bwd_11 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_11",
    "T grad_multihead_attn_weights, T _t84, T multihead_attn_weights",
    "T grad_multihead_attn_unpadded",
    """
    T _t85 = grad_multihead_attn_weights - _t84;
    grad_multihead_attn_unpadded = multihead_attn_weights * _t85;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_12: layers_spec/primitives.yaml:61
_transformer_decoder_norm_first_gelu_tanh_bwd_12 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_12",
    "T grad_multihead_attn_heads_q, T _t31",
    "T _t94",
    """
    _t94 = grad_multihead_attn_heads_q * _t31;
    """,
    scalars=("_t31",),
)


# transformer_decoder_norm_first_gelu_tanh_bwd_13: layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_norm_first_gelu_tanh_bwd_13 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_13",
    "T h1, T norm2_mu, T norm2_rstd, T grad_cross_input",
    "T norm2_x_hat, T norm2_p",
    """
    T _t111 = h1 - norm2_mu;
    norm2_x_hat = _t111 * norm2_rstd;
    norm2_p = grad_cross_input * norm2_x_hat;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_14: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_norm_first_gelu_tanh_bwd_14 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_14",
    "T norm2_rstd, int32 _t112",
    "T norm2_scale",
    """
    norm2_scale = norm2_rstd / _t112;
    """,
    scalars=("_t112",),
)


# transformer_decoder_norm_first_gelu_tanh_bwd_15: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_15 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_15",
    "T grad_cross_input, T norm2_weight, T norm2_rstd",
    "T _t114",
    """
    T _t113 = grad_cross_input * norm2_weight;
    _t114 = _t113 * norm2_rstd;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_16: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_16 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_16",
    "T _t115, T norm2_scale",
    "T _t116",
    """
    _t116 = _t115 * norm2_scale;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_17: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_17 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_17",
    "T norm2_x_hat, T _t116, T _t114",
    "T _t118",
    """
    T _t117 = norm2_x_hat * _t116;
    _t118 = _t114 - _t117;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_18: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_18 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_18",
    "T _t119, T norm2_scale",
    "T _t120",
    """
    _t120 = _t119 * norm2_scale;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_19: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_19 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_19",
    "T _t118, T _t120, T grad_h2",
    "T grad_h1",
    """
    T grad_norm2_x = _t118 - _t120;
    grad_h1 = grad_h2 + grad_norm2_x;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_20: layers_spec/primitives.yaml:2956
_transformer_decoder_norm_first_gelu_tanh_bwd_20 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_20",
    "T grad_self_attn_weights, T _t129, T self_attn_weights",
    "T grad_self_attn_unpadded",
    """
    T _t130 = grad_self_attn_weights - _t129;
    grad_self_attn_unpadded = self_attn_weights * _t130;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_21: layers_spec/primitives.yaml:61
_transformer_decoder_norm_first_gelu_tanh_bwd_21 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_21",
    "T grad_self_attn_heads_q, T _t10",
    "T _t139",
    """
    _t139 = grad_self_attn_heads_q * _t10;
    """,
    scalars=("_t10",),
)


# transformer_decoder_norm_first_gelu_tanh_bwd_22: layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_norm_first_gelu_tanh_bwd_22 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_22",
    "T x, T norm1_mu, T norm1_rstd, T grad_normalized",
    "T norm1_x_hat, T norm1_p",
    """
    T _t147 = x - norm1_mu;
    norm1_x_hat = _t147 * norm1_rstd;
    norm1_p = grad_normalized * norm1_x_hat;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_23: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_norm_first_gelu_tanh_bwd_23 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_23",
    "T norm1_rstd, int32 _t148",
    "T norm1_scale",
    """
    norm1_scale = norm1_rstd / _t148;
    """,
    scalars=("_t148",),
)


# transformer_decoder_norm_first_gelu_tanh_bwd_24: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_24 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_24",
    "T grad_normalized, T norm1_weight, T norm1_rstd",
    "T _t150",
    """
    T _t149 = grad_normalized * norm1_weight;
    _t150 = _t149 * norm1_rstd;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_25: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_25 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_25",
    "T _t151, T norm1_scale",
    "T _t152",
    """
    _t152 = _t151 * norm1_scale;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_26: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_26 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_26",
    "T norm1_x_hat, T _t152, T _t150",
    "T _t154",
    """
    T _t153 = norm1_x_hat * _t152;
    _t154 = _t150 - _t153;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_27: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_27 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_27",
    "T _t155, T norm1_scale",
    "T _t156",
    """
    _t156 = _t155 * norm1_scale;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_28: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_28 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_28",
    "T _t154, T _t156, T grad_h1",
    "T grad_x",
    """
    T grad_norm1_x = _t154 - _t156;
    grad_x = grad_h1 + grad_norm1_x;
    """,
)


# transformer_decoder_norm_first_gelu_tanh_bwd_29: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_norm_first_gelu_tanh_bwd_29 = ElementwiseKernel(
    "transformer_decoder_norm_first_gelu_tanh_bwd_29",
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

    self_attn_qkv = _transformer_decoder_norm_first_relu_fwd_4(
        _t6, self_attn_in_proj_bias
    )
    self_attn_q = _chunk(self_attn_qkv, 3, 0, -1)
    self_attn_k = _chunk(self_attn_qkv, 3, 1, -1)
    self_attn_v = _chunk(self_attn_qkv, 3, 2, -1)
    _t7 = _split_heads(self_attn_q, nhead)
    self_attn_heads_q = _transformer_decoder_norm_first_relu_fwd_5(_t7, _t10)
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
    norm3_x_hat, norm3_p = _transformer_decoder_norm_first_gelu_tanh_bwd_4(
        h2, norm3_mu, norm3_rstd, grad_ffn_input
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_ffn_input, self_attn_out_proj_bias.shape)
    _t67 = x.shape[-1]
    norm3_scale = _transformer_decoder_norm_first_gelu_tanh_bwd_5(norm3_rstd, _t67)
    _t69 = _transformer_decoder_norm_first_gelu_tanh_bwd_6(
        grad_ffn_input, norm3_weight, norm3_rstd
    )
    _t70 = _cupy_dot_last(norm3_p, norm3_weight)
    _t71 = _transformer_decoder_norm_first_gelu_tanh_bwd_7(_t70, norm3_scale)
    _t73 = _transformer_decoder_norm_first_gelu_tanh_bwd_8(norm3_x_hat, _t71, _t69)
    _t74 = _cupy_dot_last(grad_ffn_input, norm3_weight)
    _t75 = _transformer_decoder_norm_first_gelu_tanh_bwd_9(_t74, norm3_scale)
    grad_h2 = _transformer_decoder_norm_first_gelu_tanh_bwd_10(_t73, _t75, grad_y)
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
    _t84 = _cupy_dot_last(grad_multihead_attn_weights, multihead_attn_weights)
    grad_multihead_attn_unpadded = _transformer_decoder_norm_first_gelu_tanh_bwd_11(
        grad_multihead_attn_weights, _t84, multihead_attn_weights
    )
    _t87 = cp.swapaxes(_t32, -1, -2)
    grad_multihead_attn_heads_q = _cupy_bmm(grad_multihead_attn_unpadded, _t87)
    _t89 = cp.swapaxes(multihead_attn_heads_q, -1, -2)
    _t90 = _cupy_bmm(_t89, grad_multihead_attn_unpadded)
    grad_multihead_attn_heads_k = cp.swapaxes(_t90, -1, -2)
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    _t94 = _transformer_decoder_norm_first_gelu_tanh_bwd_12(
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
    norm2_x_hat, norm2_p = _transformer_decoder_norm_first_gelu_tanh_bwd_13(
        h1, norm2_mu, norm2_rstd, grad_cross_input
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_cross_input, self_attn_out_proj_bias.shape)
    _t112 = x.shape[-1]
    norm2_scale = _transformer_decoder_norm_first_gelu_tanh_bwd_14(norm2_rstd, _t112)
    _t114 = _transformer_decoder_norm_first_gelu_tanh_bwd_15(
        grad_cross_input, norm2_weight, norm2_rstd
    )
    _t115 = _cupy_dot_last(norm2_p, norm2_weight)
    _t116 = _transformer_decoder_norm_first_gelu_tanh_bwd_16(_t115, norm2_scale)
    _t118 = _transformer_decoder_norm_first_gelu_tanh_bwd_17(norm2_x_hat, _t116, _t114)
    _t119 = _cupy_dot_last(grad_cross_input, norm2_weight)
    _t120 = _transformer_decoder_norm_first_gelu_tanh_bwd_18(_t119, norm2_scale)
    grad_h1 = _transformer_decoder_norm_first_gelu_tanh_bwd_19(_t118, _t120, grad_h2)
    grad_self_attn_out_proj_bias = _cupy_sum_to(grad_h1, self_attn_out_proj_bias.shape)
    grad_self_attn_attended = _linear_backward_input(grad_h1, self_attn_out_proj_weight)
    grad_self_attn_out_proj_weight = _rows(grad_h1).T @ _rows(self_attn_attended)
    _t124 = _split_heads(grad_self_attn_attended, nhead)
    _t125 = cp.swapaxes(self_attn_heads_v, -1, -2)
    grad_self_attn_weights = _cupy_bmm(_t124, _t125)
    _t127 = cp.swapaxes(self_attn_weights, -1, -2)
    grad_self_attn_heads_v = _cupy_bmm(_t127, _t124)
    _t129 = _cupy_dot_last(grad_self_attn_weights, self_attn_weights)
    grad_self_attn_unpadded = _transformer_decoder_norm_first_gelu_tanh_bwd_20(
        grad_self_attn_weights, _t129, self_attn_weights
    )
    _t132 = cp.swapaxes(_t11, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t132)
    _t134 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t135 = _cupy_bmm(_t134, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t135, -1, -2)
    _t139 = _transformer_decoder_norm_first_gelu_tanh_bwd_21(
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
    norm1_x_hat, norm1_p = _transformer_decoder_norm_first_gelu_tanh_bwd_22(
        x, norm1_mu, norm1_rstd, grad_normalized
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_normalized, self_attn_out_proj_bias.shape)
    _t148 = x.shape[-1]
    norm1_scale = _transformer_decoder_norm_first_gelu_tanh_bwd_23(norm1_rstd, _t148)
    _t150 = _transformer_decoder_norm_first_gelu_tanh_bwd_24(
        grad_normalized, norm1_weight, norm1_rstd
    )
    _t151 = _cupy_dot_last(norm1_p, norm1_weight)
    _t152 = _transformer_decoder_norm_first_gelu_tanh_bwd_25(_t151, norm1_scale)
    _t154 = _transformer_decoder_norm_first_gelu_tanh_bwd_26(norm1_x_hat, _t152, _t150)
    _t155 = _cupy_dot_last(grad_normalized, norm1_weight)
    _t156 = _transformer_decoder_norm_first_gelu_tanh_bwd_27(_t155, norm1_scale)
    grad_x = _transformer_decoder_norm_first_gelu_tanh_bwd_28(_t154, _t156, grad_h1)
    grad_memory = _transformer_decoder_norm_first_gelu_tanh_bwd_29(_t98, _t103)
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


# transformer_decoder_no_norm_first_relu_fwd_3: layers_spec/layers/multi_head_attention.yaml:48; layers_spec/layers/transformer_decoder.yaml:50
_transformer_decoder_no_norm_first_relu_fwd_3 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_3",
    "T _t8, T self_attn_out_proj_bias, T x",
    "T _t9",
    """
    T attended = _t8 + self_attn_out_proj_bias;
    _t9 = x + attended;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_4: layers_spec/layers/layer_normalization.yaml:20
_transformer_decoder_no_norm_first_relu_fwd_4 = ReductionKernel(
    "transformer_decoder_no_norm_first_relu_fwd_4",
    "T X0",
    map_expr="transformer_decoder_no_norm_first_relu_fwd_4_map(X0)",
    reduce_expr="a + b",
    identity="0",
    mean=True,
    preamble="""
    template <typename T>
    __device__ T transformer_decoder_no_norm_first_relu_fwd_4_map(const T _t9) {
        return _t9;
    }
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_5: layers_spec/layers/layer_normalization.yaml:21
_transformer_decoder_no_norm_first_relu_fwd_5 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_5",
    "T _t9, T norm1_mu",
    "T norm1_centered",
    """
    norm1_centered = _t9 - norm1_mu;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_6: layers_spec/layers/layer_normalization.yaml:22,23
_transformer_decoder_no_norm_first_relu_fwd_6 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_6",
    "T _t10, int32 _t11, T eps",
    "T norm1_rstd",
    """
    T norm1_variance = _t10 / _t11;
    T _t12 = norm1_variance + eps;
    T _t13 = sqrt(_t12);
    norm1_rstd = T(1) / _t13;
    """,
    scalars=("_t11", "eps"),
)


# transformer_decoder_no_norm_first_relu_fwd_7: layers_spec/layers/layer_normalization.yaml:24,25
_transformer_decoder_no_norm_first_relu_fwd_7 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_7",
    "T norm1_centered, T norm1_rstd, T norm1_weight, T norm1_bias",
    "T h1",
    """
    T norm1_normalized = norm1_centered * norm1_rstd;
    T _t14 = norm1_normalized * norm1_weight;
    h1 = _t14 + norm1_bias;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_8: layers_spec/layers/multi_head_attention.yaml:28
_transformer_decoder_no_norm_first_relu_fwd_8 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_8",
    "T _t16, T _t17",
    "T multihead_attn_q",
    """
    multihead_attn_q = _t16 + _t17;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_9: layers_spec/layers/multi_head_attention.yaml:29
_transformer_decoder_no_norm_first_relu_fwd_9 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_9",
    "T _t19, T _t20",
    "T multihead_attn_k",
    """
    multihead_attn_k = _t19 + _t20;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_10: layers_spec/layers/multi_head_attention.yaml:30
_transformer_decoder_no_norm_first_relu_fwd_10 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_10",
    "T _t22, T _t23",
    "T multihead_attn_v",
    """
    multihead_attn_v = _t22 + _t23;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_11: layers_spec/layers/multi_head_attention.yaml:36
_transformer_decoder_no_norm_first_relu_fwd_11 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_11",
    "T _t24, T _t27",
    "T multihead_attn_heads_q",
    """
    multihead_attn_heads_q = _t24 * _t27;
    """,
    scalars=("_t27",),
)


# transformer_decoder_no_norm_first_relu_fwd_13: layers_spec/layers/multi_head_attention.yaml:48; layers_spec/layers/transformer_decoder.yaml:52
_transformer_decoder_no_norm_first_relu_fwd_13 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_13",
    "T _t30, T multihead_attn_out_proj_bias, T h1",
    "T _t31",
    """
    T crossed = _t30 + multihead_attn_out_proj_bias;
    _t31 = h1 + crossed;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_14: layers_spec/layers/layer_normalization.yaml:20
_transformer_decoder_no_norm_first_relu_fwd_14 = ReductionKernel(
    "transformer_decoder_no_norm_first_relu_fwd_14",
    "T X0",
    map_expr="transformer_decoder_no_norm_first_relu_fwd_14_map(X0)",
    reduce_expr="a + b",
    identity="0",
    mean=True,
    preamble="""
    template <typename T>
    __device__ T transformer_decoder_no_norm_first_relu_fwd_14_map(const T _t31) {
        return _t31;
    }
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_15: layers_spec/layers/layer_normalization.yaml:21
_transformer_decoder_no_norm_first_relu_fwd_15 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_15",
    "T _t31, T norm2_mu",
    "T norm2_centered",
    """
    norm2_centered = _t31 - norm2_mu;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_16: layers_spec/layers/layer_normalization.yaml:22,23
_transformer_decoder_no_norm_first_relu_fwd_16 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_16",
    "T _t32, int32 _t33, T eps",
    "T norm2_rstd",
    """
    T norm2_variance = _t32 / _t33;
    T _t34 = norm2_variance + eps;
    T _t35 = sqrt(_t34);
    norm2_rstd = T(1) / _t35;
    """,
    scalars=("_t33", "eps"),
)


# transformer_decoder_no_norm_first_relu_fwd_17: layers_spec/layers/layer_normalization.yaml:24,25
_transformer_decoder_no_norm_first_relu_fwd_17 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_17",
    "T norm2_centered, T norm2_rstd, T norm2_weight, T norm2_bias",
    "T h2",
    """
    T norm2_normalized = norm2_centered * norm2_rstd;
    T _t36 = norm2_normalized * norm2_weight;
    h2 = _t36 + norm2_bias;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_18: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_transformer_decoder_no_norm_first_relu_fwd_18 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_18",
    "T _t37, T linear1_bias",
    "T linear1_z, T hidden",
    """
    linear1_z = _t37 + linear1_bias;
    hidden = linear1_z > T(0) || linear1_z != linear1_z ? linear1_z : T(0);
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_19: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_decoder.yaml:65
_transformer_decoder_no_norm_first_relu_fwd_19 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_19",
    "T _t38, T linear2_bias, T h2",
    "T _t39",
    """
    T linear2_z = _t38 + linear2_bias;
    _t39 = h2 + linear2_z;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_20: layers_spec/layers/layer_normalization.yaml:20
_transformer_decoder_no_norm_first_relu_fwd_20 = ReductionKernel(
    "transformer_decoder_no_norm_first_relu_fwd_20",
    "T X0",
    map_expr="transformer_decoder_no_norm_first_relu_fwd_20_map(X0)",
    reduce_expr="a + b",
    identity="0",
    mean=True,
    preamble="""
    template <typename T>
    __device__ T transformer_decoder_no_norm_first_relu_fwd_20_map(const T _t39) {
        return _t39;
    }
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_21: layers_spec/layers/layer_normalization.yaml:21
_transformer_decoder_no_norm_first_relu_fwd_21 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_21",
    "T _t39, T norm3_mu",
    "T norm3_centered",
    """
    norm3_centered = _t39 - norm3_mu;
    """,
)


# transformer_decoder_no_norm_first_relu_fwd_22: layers_spec/layers/layer_normalization.yaml:22,23
_transformer_decoder_no_norm_first_relu_fwd_22 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_22",
    "T _t40, int32 _t41, T eps",
    "T norm3_rstd",
    """
    T norm3_variance = _t40 / _t41;
    T _t42 = norm3_variance + eps;
    T _t43 = sqrt(_t42);
    norm3_rstd = T(1) / _t43;
    """,
    scalars=("_t41", "eps"),
)


# transformer_decoder_no_norm_first_relu_fwd_23: layers_spec/layers/layer_normalization.yaml:24,25
_transformer_decoder_no_norm_first_relu_fwd_23 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_fwd_23",
    "T norm3_centered, T norm3_rstd, T norm3_weight, T norm3_bias",
    "T y",
    """
    T norm3_normalized = norm3_centered * norm3_rstd;
    T _t44 = norm3_normalized * norm3_weight;
    y = _t44 + norm3_bias;
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
    self_attn_weights = _transformer_decoder_norm_first_relu_fwd_6(
        self_attn_scores, tgt_mask, tgt_key_padding_mask
    )
    _t7 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t7, nhead)
    _t8 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t9 = _transformer_decoder_no_norm_first_relu_fwd_3(_t8, self_attn_out_proj_bias, x)
    norm1_mu = _transformer_decoder_no_norm_first_relu_fwd_4(_t9)
    norm1_centered = _transformer_decoder_no_norm_first_relu_fwd_5(_t9, norm1_mu)
    _t10 = _cupy_dot_last(norm1_centered, norm1_centered)
    _t11 = x.shape[-1]
    norm1_rstd = _transformer_decoder_no_norm_first_relu_fwd_6(_t10, _t11, eps)
    h1 = _transformer_decoder_no_norm_first_relu_fwd_7(
        norm1_centered, norm1_rstd, norm1_weight, norm1_bias
    )
    _t15 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t16 = _linear(h1, _t15)
    _t17 = _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    multihead_attn_q = _transformer_decoder_no_norm_first_relu_fwd_8(_t16, _t17)
    _t18 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    _t19 = _linear(memory, _t18)
    _t20 = _chunk(multihead_attn_in_proj_bias, 3, 1, -1)
    multihead_attn_k = _transformer_decoder_no_norm_first_relu_fwd_9(_t19, _t20)
    _t21 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    _t22 = _linear(memory, _t21)
    _t23 = _chunk(multihead_attn_in_proj_bias, 3, 2, -1)
    multihead_attn_v = _transformer_decoder_no_norm_first_relu_fwd_10(_t22, _t23)
    _t24 = _split_heads(multihead_attn_q, nhead)
    _t25 = x.shape[-1]
    _t26 = _t25 / nhead
    _t27 = _t26 ** (-0.5)
    multihead_attn_heads_q = _transformer_decoder_no_norm_first_relu_fwd_11(_t24, _t27)
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t28 = cp.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _cupy_bmm(multihead_attn_heads_q, _t28)
    multihead_attn_weights = _transformer_decoder_norm_first_relu_fwd_16(
        multihead_attn_scores, memory_mask, memory_key_padding_mask
    )
    _t29 = _cupy_bmm(multihead_attn_weights, multihead_attn_heads_v)
    multihead_attn_attended = _merge_heads(_t29, nhead)
    _t30 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    _t31 = _transformer_decoder_no_norm_first_relu_fwd_13(
        _t30, multihead_attn_out_proj_bias, h1
    )
    norm2_mu = _transformer_decoder_no_norm_first_relu_fwd_14(_t31)
    norm2_centered = _transformer_decoder_no_norm_first_relu_fwd_15(_t31, norm2_mu)
    _t32 = _cupy_dot_last(norm2_centered, norm2_centered)
    _t33 = x.shape[-1]
    norm2_rstd = _transformer_decoder_no_norm_first_relu_fwd_16(_t32, _t33, eps)
    h2 = _transformer_decoder_no_norm_first_relu_fwd_17(
        norm2_centered, norm2_rstd, norm2_weight, norm2_bias
    )
    _t37 = _linear(h2, linear1_weight)
    linear1_z, hidden = _transformer_decoder_no_norm_first_relu_fwd_18(
        _t37, linear1_bias
    )
    _t38 = _linear(hidden, linear2_weight)
    _t39 = _transformer_decoder_no_norm_first_relu_fwd_19(_t38, linear2_bias, h2)
    norm3_mu = _transformer_decoder_no_norm_first_relu_fwd_20(_t39)
    norm3_centered = _transformer_decoder_no_norm_first_relu_fwd_21(_t39, norm3_mu)
    _t40 = _cupy_dot_last(norm3_centered, norm3_centered)
    _t41 = x.shape[-1]
    norm3_rstd = _transformer_decoder_no_norm_first_relu_fwd_22(_t40, _t41, eps)
    y = _transformer_decoder_no_norm_first_relu_fwd_23(
        norm3_centered, norm3_rstd, norm3_weight, norm3_bias
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


# transformer_decoder_no_norm_first_relu_bwd_3: layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_no_norm_first_relu_bwd_3 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_3",
    "T _t39, T norm3_mu, T norm3_rstd, T grad_y",
    "T norm3_x_hat, T norm3_p",
    """
    T _t45 = _t39 - norm3_mu;
    norm3_x_hat = _t45 * norm3_rstd;
    norm3_p = grad_y * norm3_x_hat;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_4: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_no_norm_first_relu_bwd_4 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_4",
    "T norm3_rstd, int32 _t46",
    "T norm3_scale",
    """
    norm3_scale = norm3_rstd / _t46;
    """,
    scalars=("_t46",),
)


# transformer_decoder_no_norm_first_relu_bwd_5: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_5 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_5",
    "T grad_y, T norm3_weight, T norm3_rstd",
    "T _t48",
    """
    T _t47 = grad_y * norm3_weight;
    _t48 = _t47 * norm3_rstd;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_6: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_6 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_6",
    "T _t49, T norm3_scale",
    "T _t50",
    """
    _t50 = _t49 * norm3_scale;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_7: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_7 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_7",
    "T norm3_x_hat, T _t50, T _t48",
    "T _t52",
    """
    T _t51 = norm3_x_hat * _t50;
    _t52 = _t48 - _t51;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_8: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_8 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_8",
    "T _t53, T norm3_scale",
    "T _t54",
    """
    _t54 = _t53 * norm3_scale;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_9: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_9 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_9",
    "T _t52, T _t54",
    "T grad_norm3_x",
    """
    grad_norm3_x = _t52 - _t54;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_10: layers_spec/primitives.yaml:252
_transformer_decoder_no_norm_first_relu_bwd_10 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_10",
    "T linear1_z, T grad_hidden",
    "T grad_linear1_z",
    """
    bool _t58 = linear1_z > T(0);
    grad_linear1_z = grad_hidden * _t58;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_11: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_no_norm_first_relu_bwd_11 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_11",
    "T grad_norm3_x, T _t61, T _t31, T norm2_mu, T norm2_rstd",
    "T grad_h2, T norm2_x_hat, T norm2_p",
    """
    grad_h2 = grad_norm3_x + _t61;
    T _t63 = _t31 - norm2_mu;
    norm2_x_hat = _t63 * norm2_rstd;
    norm2_p = grad_h2 * norm2_x_hat;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_12: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_no_norm_first_relu_bwd_12 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_12",
    "T norm2_rstd, int32 _t64",
    "T norm2_scale",
    """
    norm2_scale = norm2_rstd / _t64;
    """,
    scalars=("_t64",),
)


# transformer_decoder_no_norm_first_relu_bwd_13: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_13 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_13",
    "T grad_h2, T norm2_weight, T norm2_rstd",
    "T _t66",
    """
    T _t65 = grad_h2 * norm2_weight;
    _t66 = _t65 * norm2_rstd;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_14: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_14 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_14",
    "T _t67, T norm2_scale",
    "T _t68",
    """
    _t68 = _t67 * norm2_scale;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_15: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_15 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_15",
    "T norm2_x_hat, T _t68, T _t66",
    "T _t70",
    """
    T _t69 = norm2_x_hat * _t68;
    _t70 = _t66 - _t69;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_16: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_16 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_16",
    "T _t71, T norm2_scale",
    "T _t72",
    """
    _t72 = _t71 * norm2_scale;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_17: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_17 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_17",
    "T _t70, T _t72",
    "T grad_norm2_x",
    """
    grad_norm2_x = _t70 - _t72;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_18: layers_spec/primitives.yaml:2956
_transformer_decoder_no_norm_first_relu_bwd_18 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_18",
    "T grad_multihead_attn_weights, T _t81, T multihead_attn_weights",
    "T grad_multihead_attn_unpadded",
    """
    T _t82 = grad_multihead_attn_weights - _t81;
    grad_multihead_attn_unpadded = multihead_attn_weights * _t82;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_19: layers_spec/primitives.yaml:61
_transformer_decoder_no_norm_first_relu_bwd_19 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_19",
    "T grad_multihead_attn_heads_q, T _t27",
    "T _t91",
    """
    _t91 = grad_multihead_attn_heads_q * _t27;
    """,
    scalars=("_t27",),
)


# transformer_decoder_no_norm_first_relu_bwd_20: layers_spec/primitives.yaml:860; layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_no_norm_first_relu_bwd_20 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_20",
    "T grad_norm2_x, T _t105, T _t9, T norm1_mu, T norm1_rstd",
    "T grad_h1, T norm1_x_hat, T norm1_p",
    """
    grad_h1 = grad_norm2_x + _t105;
    T _t108 = _t9 - norm1_mu;
    norm1_x_hat = _t108 * norm1_rstd;
    norm1_p = grad_h1 * norm1_x_hat;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_21: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_no_norm_first_relu_bwd_21 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_21",
    "T norm1_rstd, int32 _t109",
    "T norm1_scale",
    """
    norm1_scale = norm1_rstd / _t109;
    """,
    scalars=("_t109",),
)


# transformer_decoder_no_norm_first_relu_bwd_22: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_22 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_22",
    "T grad_h1, T norm1_weight, T norm1_rstd",
    "T _t111",
    """
    T _t110 = grad_h1 * norm1_weight;
    _t111 = _t110 * norm1_rstd;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_23: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_23 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_23",
    "T _t112, T norm1_scale",
    "T _t113",
    """
    _t113 = _t112 * norm1_scale;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_24: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_24 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_24",
    "T norm1_x_hat, T _t113, T _t111",
    "T _t115",
    """
    T _t114 = norm1_x_hat * _t113;
    _t115 = _t111 - _t114;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_25: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_25 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_25",
    "T _t116, T norm1_scale",
    "T _t117",
    """
    _t117 = _t116 * norm1_scale;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_26: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_relu_bwd_26 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_26",
    "T _t115, T _t117",
    "T grad_norm1_x",
    """
    grad_norm1_x = _t115 - _t117;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_27: layers_spec/primitives.yaml:2956
_transformer_decoder_no_norm_first_relu_bwd_27 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_27",
    "T grad_self_attn_weights, T _t126, T self_attn_weights",
    "T grad_self_attn_unpadded",
    """
    T _t127 = grad_self_attn_weights - _t126;
    grad_self_attn_unpadded = self_attn_weights * _t127;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_28: layers_spec/primitives.yaml:61
_transformer_decoder_no_norm_first_relu_bwd_28 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_28",
    "T grad_self_attn_heads_q, T _t5",
    "T _t136",
    """
    _t136 = grad_self_attn_heads_q * _t5;
    """,
    scalars=("_t5",),
)


# transformer_decoder_no_norm_first_relu_bwd_29: layers_spec/primitives.yaml:522
_transformer_decoder_no_norm_first_relu_bwd_29 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_29",
    "T grad_norm1_x, T _t142",
    "T grad_x",
    """
    grad_x = grad_norm1_x + _t142;
    """,
)


# transformer_decoder_no_norm_first_relu_bwd_30: layers_spec/primitives.yaml:522
_transformer_decoder_no_norm_first_relu_bwd_30 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_relu_bwd_30",
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
    norm3_x_hat, norm3_p = _transformer_decoder_no_norm_first_relu_bwd_3(
        _t39, norm3_mu, norm3_rstd, grad_y
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    _t46 = x.shape[-1]
    norm3_scale = _transformer_decoder_no_norm_first_relu_bwd_4(norm3_rstd, _t46)
    _t48 = _transformer_decoder_no_norm_first_relu_bwd_5(
        grad_y, norm3_weight, norm3_rstd
    )
    _t49 = _cupy_dot_last(norm3_p, norm3_weight)
    _t50 = _transformer_decoder_no_norm_first_relu_bwd_6(_t49, norm3_scale)
    _t52 = _transformer_decoder_no_norm_first_relu_bwd_7(norm3_x_hat, _t50, _t48)
    _t53 = _cupy_dot_last(grad_y, norm3_weight)
    _t54 = _transformer_decoder_no_norm_first_relu_bwd_8(_t53, norm3_scale)
    grad_norm3_x = _transformer_decoder_no_norm_first_relu_bwd_9(_t52, _t54)
    grad_linear2_bias = _cupy_sum_to(grad_norm3_x, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z = _transformer_decoder_no_norm_first_relu_bwd_10(
        linear1_z, grad_hidden
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t61 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    grad_h2, norm2_x_hat, norm2_p = _transformer_decoder_no_norm_first_relu_bwd_11(
        grad_norm3_x, _t61, _t31, norm2_mu, norm2_rstd
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_h2, self_attn_out_proj_bias.shape)
    _t64 = x.shape[-1]
    norm2_scale = _transformer_decoder_no_norm_first_relu_bwd_12(norm2_rstd, _t64)
    _t66 = _transformer_decoder_no_norm_first_relu_bwd_13(
        grad_h2, norm2_weight, norm2_rstd
    )
    _t67 = _cupy_dot_last(norm2_p, norm2_weight)
    _t68 = _transformer_decoder_no_norm_first_relu_bwd_14(_t67, norm2_scale)
    _t70 = _transformer_decoder_no_norm_first_relu_bwd_15(norm2_x_hat, _t68, _t66)
    _t71 = _cupy_dot_last(grad_h2, norm2_weight)
    _t72 = _transformer_decoder_no_norm_first_relu_bwd_16(_t71, norm2_scale)
    grad_norm2_x = _transformer_decoder_no_norm_first_relu_bwd_17(_t70, _t72)
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
    _t81 = _cupy_dot_last(grad_multihead_attn_weights, multihead_attn_weights)
    grad_multihead_attn_unpadded = _transformer_decoder_no_norm_first_relu_bwd_18(
        grad_multihead_attn_weights, _t81, multihead_attn_weights
    )
    _t84 = cp.swapaxes(_t28, -1, -2)
    grad_multihead_attn_heads_q = _cupy_bmm(grad_multihead_attn_unpadded, _t84)
    _t86 = cp.swapaxes(multihead_attn_heads_q, -1, -2)
    _t87 = _cupy_bmm(_t86, grad_multihead_attn_unpadded)
    grad_multihead_attn_heads_k = cp.swapaxes(_t87, -1, -2)
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    _t91 = _transformer_decoder_no_norm_first_relu_bwd_19(
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
    grad_h1, norm1_x_hat, norm1_p = _transformer_decoder_no_norm_first_relu_bwd_20(
        grad_norm2_x, _t105, _t9, norm1_mu, norm1_rstd
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_h1, self_attn_out_proj_bias.shape)
    _t109 = x.shape[-1]
    norm1_scale = _transformer_decoder_no_norm_first_relu_bwd_21(norm1_rstd, _t109)
    _t111 = _transformer_decoder_no_norm_first_relu_bwd_22(
        grad_h1, norm1_weight, norm1_rstd
    )
    _t112 = _cupy_dot_last(norm1_p, norm1_weight)
    _t113 = _transformer_decoder_no_norm_first_relu_bwd_23(_t112, norm1_scale)
    _t115 = _transformer_decoder_no_norm_first_relu_bwd_24(norm1_x_hat, _t113, _t111)
    _t116 = _cupy_dot_last(grad_h1, norm1_weight)
    _t117 = _transformer_decoder_no_norm_first_relu_bwd_25(_t116, norm1_scale)
    grad_norm1_x = _transformer_decoder_no_norm_first_relu_bwd_26(_t115, _t117)
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
    _t126 = _cupy_dot_last(grad_self_attn_weights, self_attn_weights)
    grad_self_attn_unpadded = _transformer_decoder_no_norm_first_relu_bwd_27(
        grad_self_attn_weights, _t126, self_attn_weights
    )
    _t129 = cp.swapaxes(_t6, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t129)
    _t131 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t132 = _cupy_bmm(_t131, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t132, -1, -2)
    _t136 = _transformer_decoder_no_norm_first_relu_bwd_28(grad_self_attn_heads_q, _t5)
    grad_self_attn_qkv = _cupy_join_heads(
        (_t136, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    _t142 = _linear_backward_input(grad_self_attn_qkv, self_attn_in_proj_weight)
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = _transformer_decoder_no_norm_first_relu_bwd_29(grad_norm1_x, _t142)
    grad_memory = _transformer_decoder_no_norm_first_relu_bwd_30(_t95, _t100)
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


# transformer_decoder_no_norm_first_gelu_fwd_18: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:23
_transformer_decoder_no_norm_first_gelu_fwd_18 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_fwd_18",
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


# transformer_decoder_no_norm_first_gelu_fwd_19: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_decoder.yaml:65
_transformer_decoder_no_norm_first_gelu_fwd_19 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_fwd_19",
    "T _t42, T linear2_bias, T h2",
    "T _t43",
    """
    T linear2_z = _t42 + linear2_bias;
    _t43 = h2 + linear2_z;
    """,
)


# transformer_decoder_no_norm_first_gelu_fwd_20: layers_spec/layers/layer_normalization.yaml:20
_transformer_decoder_no_norm_first_gelu_fwd_20 = ReductionKernel(
    "transformer_decoder_no_norm_first_gelu_fwd_20",
    "T X0",
    map_expr="transformer_decoder_no_norm_first_gelu_fwd_20_map(X0)",
    reduce_expr="a + b",
    identity="0",
    mean=True,
    preamble="""
    template <typename T>
    __device__ T transformer_decoder_no_norm_first_gelu_fwd_20_map(const T _t43) {
        return _t43;
    }
    """,
)


# transformer_decoder_no_norm_first_gelu_fwd_21: layers_spec/layers/layer_normalization.yaml:21
_transformer_decoder_no_norm_first_gelu_fwd_21 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_fwd_21",
    "T _t43, T norm3_mu",
    "T norm3_centered",
    """
    norm3_centered = _t43 - norm3_mu;
    """,
)


# transformer_decoder_no_norm_first_gelu_fwd_22: layers_spec/layers/layer_normalization.yaml:22,23
_transformer_decoder_no_norm_first_gelu_fwd_22 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_fwd_22",
    "T _t44, int32 _t45, T eps",
    "T norm3_rstd",
    """
    T norm3_variance = _t44 / _t45;
    T _t46 = norm3_variance + eps;
    T _t47 = sqrt(_t46);
    norm3_rstd = T(1) / _t47;
    """,
    scalars=("_t45", "eps"),
)


# transformer_decoder_no_norm_first_gelu_fwd_23: layers_spec/layers/layer_normalization.yaml:24,25
_transformer_decoder_no_norm_first_gelu_fwd_23 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_fwd_23",
    "T norm3_centered, T norm3_rstd, T norm3_weight, T norm3_bias",
    "T y",
    """
    T norm3_normalized = norm3_centered * norm3_rstd;
    T _t48 = norm3_normalized * norm3_weight;
    y = _t48 + norm3_bias;
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
    self_attn_weights = _transformer_decoder_norm_first_relu_fwd_6(
        self_attn_scores, tgt_mask, tgt_key_padding_mask
    )
    _t7 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t7, nhead)
    _t8 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t9 = _transformer_decoder_no_norm_first_relu_fwd_3(_t8, self_attn_out_proj_bias, x)
    norm1_mu = _transformer_decoder_no_norm_first_relu_fwd_4(_t9)
    norm1_centered = _transformer_decoder_no_norm_first_relu_fwd_5(_t9, norm1_mu)
    _t10 = _cupy_dot_last(norm1_centered, norm1_centered)
    _t11 = x.shape[-1]
    norm1_rstd = _transformer_decoder_no_norm_first_relu_fwd_6(_t10, _t11, eps)
    h1 = _transformer_decoder_no_norm_first_relu_fwd_7(
        norm1_centered, norm1_rstd, norm1_weight, norm1_bias
    )
    _t15 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t16 = _linear(h1, _t15)
    _t17 = _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    multihead_attn_q = _transformer_decoder_no_norm_first_relu_fwd_8(_t16, _t17)
    _t18 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    _t19 = _linear(memory, _t18)
    _t20 = _chunk(multihead_attn_in_proj_bias, 3, 1, -1)
    multihead_attn_k = _transformer_decoder_no_norm_first_relu_fwd_9(_t19, _t20)
    _t21 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    _t22 = _linear(memory, _t21)
    _t23 = _chunk(multihead_attn_in_proj_bias, 3, 2, -1)
    multihead_attn_v = _transformer_decoder_no_norm_first_relu_fwd_10(_t22, _t23)
    _t24 = _split_heads(multihead_attn_q, nhead)
    _t25 = x.shape[-1]
    _t26 = _t25 / nhead
    _t27 = _t26 ** (-0.5)
    multihead_attn_heads_q = _transformer_decoder_no_norm_first_relu_fwd_11(_t24, _t27)
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t28 = cp.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _cupy_bmm(multihead_attn_heads_q, _t28)
    multihead_attn_weights = _transformer_decoder_norm_first_relu_fwd_16(
        multihead_attn_scores, memory_mask, memory_key_padding_mask
    )
    _t29 = _cupy_bmm(multihead_attn_weights, multihead_attn_heads_v)
    multihead_attn_attended = _merge_heads(_t29, nhead)
    _t30 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    _t31 = _transformer_decoder_no_norm_first_relu_fwd_13(
        _t30, multihead_attn_out_proj_bias, h1
    )
    norm2_mu = _transformer_decoder_no_norm_first_relu_fwd_14(_t31)
    norm2_centered = _transformer_decoder_no_norm_first_relu_fwd_15(_t31, norm2_mu)
    _t32 = _cupy_dot_last(norm2_centered, norm2_centered)
    _t33 = x.shape[-1]
    norm2_rstd = _transformer_decoder_no_norm_first_relu_fwd_16(_t32, _t33, eps)
    h2 = _transformer_decoder_no_norm_first_relu_fwd_17(
        norm2_centered, norm2_rstd, norm2_weight, norm2_bias
    )
    _t37 = _linear(h2, linear1_weight)
    linear1_z, hidden = _transformer_decoder_no_norm_first_gelu_fwd_18(
        _t37, linear1_bias
    )
    _t42 = _linear(hidden, linear2_weight)
    _t43 = _transformer_decoder_no_norm_first_gelu_fwd_19(_t42, linear2_bias, h2)
    norm3_mu = _transformer_decoder_no_norm_first_gelu_fwd_20(_t43)
    norm3_centered = _transformer_decoder_no_norm_first_gelu_fwd_21(_t43, norm3_mu)
    _t44 = _cupy_dot_last(norm3_centered, norm3_centered)
    _t45 = x.shape[-1]
    norm3_rstd = _transformer_decoder_no_norm_first_gelu_fwd_22(_t44, _t45, eps)
    y = _transformer_decoder_no_norm_first_gelu_fwd_23(
        norm3_centered, norm3_rstd, norm3_weight, norm3_bias
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


# transformer_decoder_no_norm_first_gelu_bwd_3: layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_no_norm_first_gelu_bwd_3 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_3",
    "T _t43, T norm3_mu, T norm3_rstd, T grad_y",
    "T norm3_x_hat, T norm3_p",
    """
    T _t49 = _t43 - norm3_mu;
    norm3_x_hat = _t49 * norm3_rstd;
    norm3_p = grad_y * norm3_x_hat;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_4: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_no_norm_first_gelu_bwd_4 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_4",
    "T norm3_rstd, int32 _t50",
    "T norm3_scale",
    """
    norm3_scale = norm3_rstd / _t50;
    """,
    scalars=("_t50",),
)


# transformer_decoder_no_norm_first_gelu_bwd_5: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_5 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_5",
    "T grad_y, T norm3_weight, T norm3_rstd",
    "T _t52",
    """
    T _t51 = grad_y * norm3_weight;
    _t52 = _t51 * norm3_rstd;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_7: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_7 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_7",
    "T norm3_x_hat, T _t54, T _t52",
    "T _t56",
    """
    T _t55 = norm3_x_hat * _t54;
    _t56 = _t52 - _t55;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_8: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_8 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_8",
    "T _t57, T norm3_scale",
    "T _t58",
    """
    _t58 = _t57 * norm3_scale;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_9: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_9 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_9",
    "T _t56, T _t58",
    "T grad_norm3_x",
    """
    grad_norm3_x = _t56 - _t58;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_10: layers_spec/primitives.yaml:61,62,1957
_transformer_decoder_no_norm_first_gelu_bwd_10 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_10",
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


# transformer_decoder_no_norm_first_gelu_bwd_11: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_no_norm_first_gelu_bwd_11 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_11",
    "T grad_norm3_x, T _t72, T _t31, T norm2_mu, T norm2_rstd",
    "T grad_h2, T norm2_x_hat, T norm2_p",
    """
    grad_h2 = grad_norm3_x + _t72;
    T _t74 = _t31 - norm2_mu;
    norm2_x_hat = _t74 * norm2_rstd;
    norm2_p = grad_h2 * norm2_x_hat;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_12: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_no_norm_first_gelu_bwd_12 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_12",
    "T norm2_rstd, int32 _t75",
    "T norm2_scale",
    """
    norm2_scale = norm2_rstd / _t75;
    """,
    scalars=("_t75",),
)


# transformer_decoder_no_norm_first_gelu_bwd_13: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_13 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_13",
    "T grad_h2, T norm2_weight, T norm2_rstd",
    "T _t77",
    """
    T _t76 = grad_h2 * norm2_weight;
    _t77 = _t76 * norm2_rstd;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_14: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_14 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_14",
    "T _t78, T norm2_scale",
    "T _t79",
    """
    _t79 = _t78 * norm2_scale;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_15: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_15 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_15",
    "T norm2_x_hat, T _t79, T _t77",
    "T _t81",
    """
    T _t80 = norm2_x_hat * _t79;
    _t81 = _t77 - _t80;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_16: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_16 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_16",
    "T _t82, T norm2_scale",
    "T _t83",
    """
    _t83 = _t82 * norm2_scale;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_17: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_17 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_17",
    "T _t81, T _t83",
    "T grad_norm2_x",
    """
    grad_norm2_x = _t81 - _t83;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_18: layers_spec/primitives.yaml:2956
_transformer_decoder_no_norm_first_gelu_bwd_18 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_18",
    "T grad_multihead_attn_weights, T _t92, T multihead_attn_weights",
    "T grad_multihead_attn_unpadded",
    """
    T _t93 = grad_multihead_attn_weights - _t92;
    grad_multihead_attn_unpadded = multihead_attn_weights * _t93;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_19: layers_spec/primitives.yaml:61
_transformer_decoder_no_norm_first_gelu_bwd_19 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_19",
    "T grad_multihead_attn_heads_q, T _t27",
    "T _t102",
    """
    _t102 = grad_multihead_attn_heads_q * _t27;
    """,
    scalars=("_t27",),
)


# transformer_decoder_no_norm_first_gelu_bwd_20: layers_spec/primitives.yaml:860; layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_no_norm_first_gelu_bwd_20 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_20",
    "T grad_norm2_x, T _t116, T _t9, T norm1_mu, T norm1_rstd",
    "T grad_h1, T norm1_x_hat, T norm1_p",
    """
    grad_h1 = grad_norm2_x + _t116;
    T _t119 = _t9 - norm1_mu;
    norm1_x_hat = _t119 * norm1_rstd;
    norm1_p = grad_h1 * norm1_x_hat;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_21: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_no_norm_first_gelu_bwd_21 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_21",
    "T norm1_rstd, int32 _t120",
    "T norm1_scale",
    """
    norm1_scale = norm1_rstd / _t120;
    """,
    scalars=("_t120",),
)


# transformer_decoder_no_norm_first_gelu_bwd_22: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_22 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_22",
    "T grad_h1, T norm1_weight, T norm1_rstd",
    "T _t122",
    """
    T _t121 = grad_h1 * norm1_weight;
    _t122 = _t121 * norm1_rstd;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_23: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_23 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_23",
    "T _t123, T norm1_scale",
    "T _t124",
    """
    _t124 = _t123 * norm1_scale;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_24: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_24 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_24",
    "T norm1_x_hat, T _t124, T _t122",
    "T _t126",
    """
    T _t125 = norm1_x_hat * _t124;
    _t126 = _t122 - _t125;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_25: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_25 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_25",
    "T _t127, T norm1_scale",
    "T _t128",
    """
    _t128 = _t127 * norm1_scale;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_26: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_bwd_26 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_26",
    "T _t126, T _t128",
    "T grad_norm1_x",
    """
    grad_norm1_x = _t126 - _t128;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_27: layers_spec/primitives.yaml:2956
_transformer_decoder_no_norm_first_gelu_bwd_27 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_27",
    "T grad_self_attn_weights, T _t137, T self_attn_weights",
    "T grad_self_attn_unpadded",
    """
    T _t138 = grad_self_attn_weights - _t137;
    grad_self_attn_unpadded = self_attn_weights * _t138;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_28: layers_spec/primitives.yaml:61
_transformer_decoder_no_norm_first_gelu_bwd_28 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_28",
    "T grad_self_attn_heads_q, T _t5",
    "T _t147",
    """
    _t147 = grad_self_attn_heads_q * _t5;
    """,
    scalars=("_t5",),
)


# transformer_decoder_no_norm_first_gelu_bwd_29: layers_spec/primitives.yaml:522
_transformer_decoder_no_norm_first_gelu_bwd_29 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_29",
    "T grad_norm1_x, T _t153",
    "T grad_x",
    """
    grad_x = grad_norm1_x + _t153;
    """,
)


# transformer_decoder_no_norm_first_gelu_bwd_30: layers_spec/primitives.yaml:522
_transformer_decoder_no_norm_first_gelu_bwd_30 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_bwd_30",
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
    norm3_x_hat, norm3_p = _transformer_decoder_no_norm_first_gelu_bwd_3(
        _t43, norm3_mu, norm3_rstd, grad_y
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    _t50 = x.shape[-1]
    norm3_scale = _transformer_decoder_no_norm_first_gelu_bwd_4(norm3_rstd, _t50)
    _t52 = _transformer_decoder_no_norm_first_gelu_bwd_5(
        grad_y, norm3_weight, norm3_rstd
    )
    _t53 = _cupy_dot_last(norm3_p, norm3_weight)
    _t54 = _transformer_decoder_no_norm_first_relu_bwd_8(_t53, norm3_scale)
    _t56 = _transformer_decoder_no_norm_first_gelu_bwd_7(norm3_x_hat, _t54, _t52)
    _t57 = _cupy_dot_last(grad_y, norm3_weight)
    _t58 = _transformer_decoder_no_norm_first_gelu_bwd_8(_t57, norm3_scale)
    grad_norm3_x = _transformer_decoder_no_norm_first_gelu_bwd_9(_t56, _t58)
    grad_linear2_bias = _cupy_sum_to(grad_norm3_x, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z = _transformer_decoder_no_norm_first_gelu_bwd_10(
        grad_hidden, _t41, linear1_z, _t38
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t72 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    grad_h2, norm2_x_hat, norm2_p = _transformer_decoder_no_norm_first_gelu_bwd_11(
        grad_norm3_x, _t72, _t31, norm2_mu, norm2_rstd
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_h2, self_attn_out_proj_bias.shape)
    _t75 = x.shape[-1]
    norm2_scale = _transformer_decoder_no_norm_first_gelu_bwd_12(norm2_rstd, _t75)
    _t77 = _transformer_decoder_no_norm_first_gelu_bwd_13(
        grad_h2, norm2_weight, norm2_rstd
    )
    _t78 = _cupy_dot_last(norm2_p, norm2_weight)
    _t79 = _transformer_decoder_no_norm_first_gelu_bwd_14(_t78, norm2_scale)
    _t81 = _transformer_decoder_no_norm_first_gelu_bwd_15(norm2_x_hat, _t79, _t77)
    _t82 = _cupy_dot_last(grad_h2, norm2_weight)
    _t83 = _transformer_decoder_no_norm_first_gelu_bwd_16(_t82, norm2_scale)
    grad_norm2_x = _transformer_decoder_no_norm_first_gelu_bwd_17(_t81, _t83)
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
    _t92 = _cupy_dot_last(grad_multihead_attn_weights, multihead_attn_weights)
    grad_multihead_attn_unpadded = _transformer_decoder_no_norm_first_gelu_bwd_18(
        grad_multihead_attn_weights, _t92, multihead_attn_weights
    )
    _t95 = cp.swapaxes(_t28, -1, -2)
    grad_multihead_attn_heads_q = _cupy_bmm(grad_multihead_attn_unpadded, _t95)
    _t97 = cp.swapaxes(multihead_attn_heads_q, -1, -2)
    _t98 = _cupy_bmm(_t97, grad_multihead_attn_unpadded)
    grad_multihead_attn_heads_k = cp.swapaxes(_t98, -1, -2)
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    _t102 = _transformer_decoder_no_norm_first_gelu_bwd_19(
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
    grad_h1, norm1_x_hat, norm1_p = _transformer_decoder_no_norm_first_gelu_bwd_20(
        grad_norm2_x, _t116, _t9, norm1_mu, norm1_rstd
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_h1, self_attn_out_proj_bias.shape)
    _t120 = x.shape[-1]
    norm1_scale = _transformer_decoder_no_norm_first_gelu_bwd_21(norm1_rstd, _t120)
    _t122 = _transformer_decoder_no_norm_first_gelu_bwd_22(
        grad_h1, norm1_weight, norm1_rstd
    )
    _t123 = _cupy_dot_last(norm1_p, norm1_weight)
    _t124 = _transformer_decoder_no_norm_first_gelu_bwd_23(_t123, norm1_scale)
    _t126 = _transformer_decoder_no_norm_first_gelu_bwd_24(norm1_x_hat, _t124, _t122)
    _t127 = _cupy_dot_last(grad_h1, norm1_weight)
    _t128 = _transformer_decoder_no_norm_first_gelu_bwd_25(_t127, norm1_scale)
    grad_norm1_x = _transformer_decoder_no_norm_first_gelu_bwd_26(_t126, _t128)
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
    _t137 = _cupy_dot_last(grad_self_attn_weights, self_attn_weights)
    grad_self_attn_unpadded = _transformer_decoder_no_norm_first_gelu_bwd_27(
        grad_self_attn_weights, _t137, self_attn_weights
    )
    _t140 = cp.swapaxes(_t6, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t140)
    _t142 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t143 = _cupy_bmm(_t142, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t143, -1, -2)
    _t147 = _transformer_decoder_no_norm_first_gelu_bwd_28(grad_self_attn_heads_q, _t5)
    grad_self_attn_qkv = _cupy_join_heads(
        (_t147, grad_self_attn_heads_k, grad_self_attn_heads_v), nhead
    )
    grad_self_attn_in_proj_bias = _cupy_sum_to(
        grad_self_attn_qkv, self_attn_in_proj_bias.shape
    )
    _t153 = _linear_backward_input(grad_self_attn_qkv, self_attn_in_proj_weight)
    grad_self_attn_in_proj_weight = _rows(grad_self_attn_qkv).T @ _rows(x)
    grad_x = _transformer_decoder_no_norm_first_gelu_bwd_29(grad_norm1_x, _t153)
    grad_memory = _transformer_decoder_no_norm_first_gelu_bwd_30(_t106, _t111)
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


# transformer_decoder_no_norm_first_gelu_tanh_fwd_18: layers_spec/layers/dense.yaml:17; layers_spec/activations/gelu.yaml:20,21
_transformer_decoder_no_norm_first_gelu_tanh_fwd_18 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_fwd_18",
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


# transformer_decoder_no_norm_first_gelu_tanh_fwd_19: layers_spec/layers/dense.yaml:17; layers_spec/layers/transformer_decoder.yaml:65
_transformer_decoder_no_norm_first_gelu_tanh_fwd_19 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_fwd_19",
    "T _t44, T linear2_bias, T h2",
    "T _t45",
    """
    T linear2_z = _t44 + linear2_bias;
    _t45 = h2 + linear2_z;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_fwd_20: layers_spec/layers/layer_normalization.yaml:20
_transformer_decoder_no_norm_first_gelu_tanh_fwd_20 = ReductionKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_fwd_20",
    "T X0",
    map_expr="transformer_decoder_no_norm_first_gelu_tanh_fwd_20_map(X0)",
    reduce_expr="a + b",
    identity="0",
    mean=True,
    preamble="""
    template <typename T>
    __device__ T transformer_decoder_no_norm_first_gelu_tanh_fwd_20_map(const T _t45) {
        return _t45;
    }
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_fwd_21: layers_spec/layers/layer_normalization.yaml:21
_transformer_decoder_no_norm_first_gelu_tanh_fwd_21 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_fwd_21",
    "T _t45, T norm3_mu",
    "T norm3_centered",
    """
    norm3_centered = _t45 - norm3_mu;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_fwd_22: layers_spec/layers/layer_normalization.yaml:22,23
_transformer_decoder_no_norm_first_gelu_tanh_fwd_22 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_fwd_22",
    "T _t46, int32 _t47, T eps",
    "T norm3_rstd",
    """
    T norm3_variance = _t46 / _t47;
    T _t48 = norm3_variance + eps;
    T _t49 = sqrt(_t48);
    norm3_rstd = T(1) / _t49;
    """,
    scalars=("_t47", "eps"),
)


# transformer_decoder_no_norm_first_gelu_tanh_fwd_23: layers_spec/layers/layer_normalization.yaml:24,25
_transformer_decoder_no_norm_first_gelu_tanh_fwd_23 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_fwd_23",
    "T norm3_centered, T norm3_rstd, T norm3_weight, T norm3_bias",
    "T y",
    """
    T norm3_normalized = norm3_centered * norm3_rstd;
    T _t50 = norm3_normalized * norm3_weight;
    y = _t50 + norm3_bias;
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
    self_attn_weights = _transformer_decoder_norm_first_relu_fwd_6(
        self_attn_scores, tgt_mask, tgt_key_padding_mask
    )
    _t7 = _cupy_bmm(self_attn_weights, self_attn_heads_v)
    self_attn_attended = _merge_heads(_t7, nhead)
    _t8 = _linear(self_attn_attended, self_attn_out_proj_weight)
    _t9 = _transformer_decoder_no_norm_first_relu_fwd_3(_t8, self_attn_out_proj_bias, x)
    norm1_mu = _transformer_decoder_no_norm_first_relu_fwd_4(_t9)
    norm1_centered = _transformer_decoder_no_norm_first_relu_fwd_5(_t9, norm1_mu)
    _t10 = _cupy_dot_last(norm1_centered, norm1_centered)
    _t11 = x.shape[-1]
    norm1_rstd = _transformer_decoder_no_norm_first_relu_fwd_6(_t10, _t11, eps)
    h1 = _transformer_decoder_no_norm_first_relu_fwd_7(
        norm1_centered, norm1_rstd, norm1_weight, norm1_bias
    )
    _t15 = _chunk(multihead_attn_in_proj_weight, 3, 0, 0)
    _t16 = _linear(h1, _t15)
    _t17 = _chunk(multihead_attn_in_proj_bias, 3, 0, -1)
    multihead_attn_q = _transformer_decoder_no_norm_first_relu_fwd_8(_t16, _t17)
    _t18 = _chunk(multihead_attn_in_proj_weight, 3, 1, 0)
    _t19 = _linear(memory, _t18)
    _t20 = _chunk(multihead_attn_in_proj_bias, 3, 1, -1)
    multihead_attn_k = _transformer_decoder_no_norm_first_relu_fwd_9(_t19, _t20)
    _t21 = _chunk(multihead_attn_in_proj_weight, 3, 2, 0)
    _t22 = _linear(memory, _t21)
    _t23 = _chunk(multihead_attn_in_proj_bias, 3, 2, -1)
    multihead_attn_v = _transformer_decoder_no_norm_first_relu_fwd_10(_t22, _t23)
    _t24 = _split_heads(multihead_attn_q, nhead)
    _t25 = x.shape[-1]
    _t26 = _t25 / nhead
    _t27 = _t26 ** (-0.5)
    multihead_attn_heads_q = _transformer_decoder_no_norm_first_relu_fwd_11(_t24, _t27)
    multihead_attn_heads_k = _split_heads(multihead_attn_k, nhead)
    multihead_attn_heads_v = _split_heads(multihead_attn_v, nhead)
    _t28 = cp.swapaxes(multihead_attn_heads_k, -1, -2)
    multihead_attn_scores = _cupy_bmm(multihead_attn_heads_q, _t28)
    multihead_attn_weights = _transformer_decoder_norm_first_relu_fwd_16(
        multihead_attn_scores, memory_mask, memory_key_padding_mask
    )
    _t29 = _cupy_bmm(multihead_attn_weights, multihead_attn_heads_v)
    multihead_attn_attended = _merge_heads(_t29, nhead)
    _t30 = _linear(multihead_attn_attended, multihead_attn_out_proj_weight)
    _t31 = _transformer_decoder_no_norm_first_relu_fwd_13(
        _t30, multihead_attn_out_proj_bias, h1
    )
    norm2_mu = _transformer_decoder_no_norm_first_relu_fwd_14(_t31)
    norm2_centered = _transformer_decoder_no_norm_first_relu_fwd_15(_t31, norm2_mu)
    _t32 = _cupy_dot_last(norm2_centered, norm2_centered)
    _t33 = x.shape[-1]
    norm2_rstd = _transformer_decoder_no_norm_first_relu_fwd_16(_t32, _t33, eps)
    h2 = _transformer_decoder_no_norm_first_relu_fwd_17(
        norm2_centered, norm2_rstd, norm2_weight, norm2_bias
    )
    _t37 = _linear(h2, linear1_weight)
    linear1_z, hidden = _transformer_decoder_no_norm_first_gelu_tanh_fwd_18(
        _t37, linear1_bias
    )
    _t44 = _linear(hidden, linear2_weight)
    _t45 = _transformer_decoder_no_norm_first_gelu_tanh_fwd_19(_t44, linear2_bias, h2)
    norm3_mu = _transformer_decoder_no_norm_first_gelu_tanh_fwd_20(_t45)
    norm3_centered = _transformer_decoder_no_norm_first_gelu_tanh_fwd_21(_t45, norm3_mu)
    _t46 = _cupy_dot_last(norm3_centered, norm3_centered)
    _t47 = x.shape[-1]
    norm3_rstd = _transformer_decoder_no_norm_first_gelu_tanh_fwd_22(_t46, _t47, eps)
    y = _transformer_decoder_no_norm_first_gelu_tanh_fwd_23(
        norm3_centered, norm3_rstd, norm3_weight, norm3_bias
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


# transformer_decoder_no_norm_first_gelu_tanh_bwd_3: layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_no_norm_first_gelu_tanh_bwd_3 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_3",
    "T _t45, T norm3_mu, T norm3_rstd, T grad_y",
    "T norm3_x_hat, T norm3_p",
    """
    T _t51 = _t45 - norm3_mu;
    norm3_x_hat = _t51 * norm3_rstd;
    norm3_p = grad_y * norm3_x_hat;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_4: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_no_norm_first_gelu_tanh_bwd_4 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_4",
    "T norm3_rstd, int32 _t52",
    "T norm3_scale",
    """
    norm3_scale = norm3_rstd / _t52;
    """,
    scalars=("_t52",),
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_5: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_5 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_5",
    "T grad_y, T norm3_weight, T norm3_rstd",
    "T _t54",
    """
    T _t53 = grad_y * norm3_weight;
    _t54 = _t53 * norm3_rstd;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_6: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_6 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_6",
    "T _t55, T norm3_scale",
    "T _t56",
    """
    _t56 = _t55 * norm3_scale;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_7: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_7 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_7",
    "T norm3_x_hat, T _t56, T _t54",
    "T _t58",
    """
    T _t57 = norm3_x_hat * _t56;
    _t58 = _t54 - _t57;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_8: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_8 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_8",
    "T _t59, T norm3_scale",
    "T _t60",
    """
    _t60 = _t59 * norm3_scale;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_9: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_9 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_9",
    "T _t58, T _t60",
    "T grad_norm3_x",
    """
    grad_norm3_x = _t58 - _t60;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_10: layers_spec/primitives.yaml:61,62,180,90
_transformer_decoder_no_norm_first_gelu_tanh_bwd_10 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_10",
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


# transformer_decoder_no_norm_first_gelu_tanh_bwd_11: layers_spec/primitives.yaml:522; layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_no_norm_first_gelu_tanh_bwd_11 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_11",
    "T grad_norm3_x, T _t77, T _t31, T norm2_mu, T norm2_rstd",
    "T grad_h2, T norm2_x_hat, T norm2_p",
    """
    grad_h2 = grad_norm3_x + _t77;
    T _t79 = _t31 - norm2_mu;
    norm2_x_hat = _t79 * norm2_rstd;
    norm2_p = grad_h2 * norm2_x_hat;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_12: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_no_norm_first_gelu_tanh_bwd_12 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_12",
    "T norm2_rstd, int32 _t80",
    "T norm2_scale",
    """
    norm2_scale = norm2_rstd / _t80;
    """,
    scalars=("_t80",),
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_13: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_13 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_13",
    "T grad_h2, T norm2_weight, T norm2_rstd",
    "T _t82",
    """
    T _t81 = grad_h2 * norm2_weight;
    _t82 = _t81 * norm2_rstd;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_14: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_14 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_14",
    "T _t83, T norm2_scale",
    "T _t84",
    """
    _t84 = _t83 * norm2_scale;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_15: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_15 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_15",
    "T norm2_x_hat, T _t84, T _t82",
    "T _t86",
    """
    T _t85 = norm2_x_hat * _t84;
    _t86 = _t82 - _t85;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_16: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_16 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_16",
    "T _t87, T norm2_scale",
    "T _t88",
    """
    _t88 = _t87 * norm2_scale;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_17: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_17 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_17",
    "T _t86, T _t88",
    "T grad_norm2_x",
    """
    grad_norm2_x = _t86 - _t88;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_18: layers_spec/primitives.yaml:2956
_transformer_decoder_no_norm_first_gelu_tanh_bwd_18 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_18",
    "T grad_multihead_attn_weights, T _t97, T multihead_attn_weights",
    "T grad_multihead_attn_unpadded",
    """
    T _t98 = grad_multihead_attn_weights - _t97;
    grad_multihead_attn_unpadded = multihead_attn_weights * _t98;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_19: layers_spec/primitives.yaml:61
_transformer_decoder_no_norm_first_gelu_tanh_bwd_19 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_19",
    "T grad_multihead_attn_heads_q, T _t27",
    "T _t107",
    """
    _t107 = grad_multihead_attn_heads_q * _t27;
    """,
    scalars=("_t27",),
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_20: layers_spec/primitives.yaml:860; layers_spec/layers/layer_normalization.yaml:34,35
_transformer_decoder_no_norm_first_gelu_tanh_bwd_20 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_20",
    "T grad_norm2_x, T _t121, T _t9, T norm1_mu, T norm1_rstd",
    "T grad_h1, T norm1_x_hat, T norm1_p",
    """
    grad_h1 = grad_norm2_x + _t121;
    T _t124 = _t9 - norm1_mu;
    norm1_x_hat = _t124 * norm1_rstd;
    norm1_p = grad_h1 * norm1_x_hat;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_21: layers_spec/layers/layer_normalization.yaml:38
_transformer_decoder_no_norm_first_gelu_tanh_bwd_21 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_21",
    "T norm1_rstd, int32 _t125",
    "T norm1_scale",
    """
    norm1_scale = norm1_rstd / _t125;
    """,
    scalars=("_t125",),
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_22: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_22 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_22",
    "T grad_h1, T norm1_weight, T norm1_rstd",
    "T _t127",
    """
    T _t126 = grad_h1 * norm1_weight;
    _t127 = _t126 * norm1_rstd;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_23: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_23 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_23",
    "T _t128, T norm1_scale",
    "T _t129",
    """
    _t129 = _t128 * norm1_scale;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_24: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_24 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_24",
    "T norm1_x_hat, T _t129, T _t127",
    "T _t131",
    """
    T _t130 = norm1_x_hat * _t129;
    _t131 = _t127 - _t130;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_25: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_25 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_25",
    "T _t132, T norm1_scale",
    "T _t133",
    """
    _t133 = _t132 * norm1_scale;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_26: layers_spec/layers/layer_normalization.yaml:40
_transformer_decoder_no_norm_first_gelu_tanh_bwd_26 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_26",
    "T _t131, T _t133",
    "T grad_norm1_x",
    """
    grad_norm1_x = _t131 - _t133;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_27: layers_spec/primitives.yaml:2956
_transformer_decoder_no_norm_first_gelu_tanh_bwd_27 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_27",
    "T grad_self_attn_weights, T _t142, T self_attn_weights",
    "T grad_self_attn_unpadded",
    """
    T _t143 = grad_self_attn_weights - _t142;
    grad_self_attn_unpadded = self_attn_weights * _t143;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_28: layers_spec/primitives.yaml:61
_transformer_decoder_no_norm_first_gelu_tanh_bwd_28 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_28",
    "T grad_self_attn_heads_q, T _t5",
    "T _t152",
    """
    _t152 = grad_self_attn_heads_q * _t5;
    """,
    scalars=("_t5",),
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_29: layers_spec/primitives.yaml:522
_transformer_decoder_no_norm_first_gelu_tanh_bwd_29 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_29",
    "T grad_norm1_x, T _t158",
    "T grad_x",
    """
    grad_x = grad_norm1_x + _t158;
    """,
)


# transformer_decoder_no_norm_first_gelu_tanh_bwd_30: layers_spec/primitives.yaml:522
_transformer_decoder_no_norm_first_gelu_tanh_bwd_30 = ElementwiseKernel(
    "transformer_decoder_no_norm_first_gelu_tanh_bwd_30",
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
    norm3_x_hat, norm3_p = _transformer_decoder_no_norm_first_gelu_tanh_bwd_3(
        _t45, norm3_mu, norm3_rstd, grad_y
    )
    grad_norm3_weight = _cupy_sum_to(norm3_p, self_attn_out_proj_bias.shape)
    grad_norm3_bias = _cupy_sum_to(grad_y, self_attn_out_proj_bias.shape)
    _t52 = x.shape[-1]
    norm3_scale = _transformer_decoder_no_norm_first_gelu_tanh_bwd_4(norm3_rstd, _t52)
    _t54 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_5(
        grad_y, norm3_weight, norm3_rstd
    )
    _t55 = _cupy_dot_last(norm3_p, norm3_weight)
    _t56 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_6(_t55, norm3_scale)
    _t58 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_7(norm3_x_hat, _t56, _t54)
    _t59 = _cupy_dot_last(grad_y, norm3_weight)
    _t60 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_8(_t59, norm3_scale)
    grad_norm3_x = _transformer_decoder_no_norm_first_gelu_tanh_bwd_9(_t58, _t60)
    grad_linear2_bias = _cupy_sum_to(grad_norm3_x, self_attn_out_proj_bias.shape)
    grad_hidden = _linear_backward_input(grad_norm3_x, linear2_weight)
    grad_linear2_weight = _rows(grad_norm3_x).T @ _rows(hidden)
    grad_linear1_z = _transformer_decoder_no_norm_first_gelu_tanh_bwd_10(
        grad_hidden, _t43, _t41, _t42, linear1_z
    )
    grad_linear1_bias = _cupy_sum_to(grad_linear1_z, linear1_bias.shape)
    _t77 = _linear_backward_input(grad_linear1_z, linear1_weight)
    grad_linear1_weight = _rows(grad_linear1_z).T @ _rows(h2)
    grad_h2, norm2_x_hat, norm2_p = _transformer_decoder_no_norm_first_gelu_tanh_bwd_11(
        grad_norm3_x, _t77, _t31, norm2_mu, norm2_rstd
    )
    grad_norm2_weight = _cupy_sum_to(norm2_p, self_attn_out_proj_bias.shape)
    grad_norm2_bias = _cupy_sum_to(grad_h2, self_attn_out_proj_bias.shape)
    _t80 = x.shape[-1]
    norm2_scale = _transformer_decoder_no_norm_first_gelu_tanh_bwd_12(norm2_rstd, _t80)
    _t82 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_13(
        grad_h2, norm2_weight, norm2_rstd
    )
    _t83 = _cupy_dot_last(norm2_p, norm2_weight)
    _t84 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_14(_t83, norm2_scale)
    _t86 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_15(norm2_x_hat, _t84, _t82)
    _t87 = _cupy_dot_last(grad_h2, norm2_weight)
    _t88 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_16(_t87, norm2_scale)
    grad_norm2_x = _transformer_decoder_no_norm_first_gelu_tanh_bwd_17(_t86, _t88)
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
    _t97 = _cupy_dot_last(grad_multihead_attn_weights, multihead_attn_weights)
    grad_multihead_attn_unpadded = _transformer_decoder_no_norm_first_gelu_tanh_bwd_18(
        grad_multihead_attn_weights, _t97, multihead_attn_weights
    )
    _t100 = cp.swapaxes(_t28, -1, -2)
    grad_multihead_attn_heads_q = _cupy_bmm(grad_multihead_attn_unpadded, _t100)
    _t102 = cp.swapaxes(multihead_attn_heads_q, -1, -2)
    _t103 = _cupy_bmm(_t102, grad_multihead_attn_unpadded)
    grad_multihead_attn_heads_k = cp.swapaxes(_t103, -1, -2)
    grad_multihead_attn_v = _merge_heads(grad_multihead_attn_heads_v, nhead)
    grad_multihead_attn_k = _merge_heads(grad_multihead_attn_heads_k, nhead)
    _t107 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_19(
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
    grad_h1, norm1_x_hat, norm1_p = _transformer_decoder_no_norm_first_gelu_tanh_bwd_20(
        grad_norm2_x, _t121, _t9, norm1_mu, norm1_rstd
    )
    grad_norm1_weight = _cupy_sum_to(norm1_p, self_attn_out_proj_bias.shape)
    grad_norm1_bias = _cupy_sum_to(grad_h1, self_attn_out_proj_bias.shape)
    _t125 = x.shape[-1]
    norm1_scale = _transformer_decoder_no_norm_first_gelu_tanh_bwd_21(norm1_rstd, _t125)
    _t127 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_22(
        grad_h1, norm1_weight, norm1_rstd
    )
    _t128 = _cupy_dot_last(norm1_p, norm1_weight)
    _t129 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_23(_t128, norm1_scale)
    _t131 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_24(
        norm1_x_hat, _t129, _t127
    )
    _t132 = _cupy_dot_last(grad_h1, norm1_weight)
    _t133 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_25(_t132, norm1_scale)
    grad_norm1_x = _transformer_decoder_no_norm_first_gelu_tanh_bwd_26(_t131, _t133)
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
    _t142 = _cupy_dot_last(grad_self_attn_weights, self_attn_weights)
    grad_self_attn_unpadded = _transformer_decoder_no_norm_first_gelu_tanh_bwd_27(
        grad_self_attn_weights, _t142, self_attn_weights
    )
    _t145 = cp.swapaxes(_t6, -1, -2)
    grad_self_attn_heads_q = _cupy_bmm(grad_self_attn_unpadded, _t145)
    _t147 = cp.swapaxes(self_attn_heads_q, -1, -2)
    _t148 = _cupy_bmm(_t147, grad_self_attn_unpadded)
    grad_self_attn_heads_k = cp.swapaxes(_t148, -1, -2)
    _t152 = _transformer_decoder_no_norm_first_gelu_tanh_bwd_28(
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
    grad_x = _transformer_decoder_no_norm_first_gelu_tanh_bwd_29(grad_norm1_x, _t158)
    grad_memory = _transformer_decoder_no_norm_first_gelu_tanh_bwd_30(_t111, _t116)
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


def _cupy_dot_last(a, b):
    """The sum over the last axis of a * b, kept as a length-1 axis, as matrix products
    (BLAS) that never form a * b: with a vector b [F] one matrix-vector product, with
    rows b [..., F] a stack of row-times-column ones."""
    import cupy as cp

    if b.ndim == 1:
        return cp.matmul(a, b)[..., None]
    return cp.matmul(a[..., None, :], b[..., :, None])[..., 0]


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
