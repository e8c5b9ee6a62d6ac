"""MultiHeadAttention: Multi-head attention as torch.nn.MultiheadAttention(E, num_heads,
batch_first=True) without dropout: q, k, v = x @ in_proj_weight.T + in_proj_bias (keys
and values from kv in the cross form), split into num_heads heads of E / num_heads
features, softmax(q k^T / sqrt(E / num_heads) + mask) v per head, the heads joined and
projected by out_proj. A boolean attn_mask is True where a query may not see a key
(torch's convention), a float one is added to the scores; a key_padding_mask [batch,
S_kv] hides padding keys from every query; causal hides the keys after each query; a
query that sees no key gets zeros, not NaN. The masks make no variants: left out (None),
nothing is masked and no masking work is done.
Generated from layers_spec/layers/multi_head_attention.yaml by the layerforge transpiler 0.1.0.
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
from layerforge._jit_runtime import compiled_masked_softmax, use_jit

__all__ = ["forward", "backward"]

INPUTS = ("x", "kv", "attn_mask", "key_padding_mask")
PARAMETERS = ("in_proj_weight", "in_proj_bias", "out_proj_weight", "out_proj_bias")
OUTPUTS = ("y",)


def forward(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv=None,
    attn_mask=None,
    key_padding_mask=None,
    *,
    num_heads=8,
    causal=False,
):
    """MultiHeadAttention forward pass.

    Multi-head attention as torch.nn.MultiheadAttention(E, num_heads, batch_first=True)
    without dropout: q, k, v = x @ in_proj_weight.T + in_proj_bias (keys and values from
    kv in the cross form), split into num_heads heads of E / num_heads features,
    softmax(q k^T / sqrt(E / num_heads) + mask) v per head, the heads joined and
    projected by out_proj. A boolean attn_mask is True where a query may not see a key
    (torch's convention), a float one is added to the scores; a key_padding_mask [batch,
    S_kv] hides padding keys from every query; causal hides the keys after each query; a
    query that sees no key gets zeros, not NaN. The masks make no variants: left out
    (None), nothing is masked and no masking work is done.

    Args:
        x: float32 or float64 input of shape [..., S, E]. Queries [batch, S, E]; also
            keys and values when kv is None (self-attention).
        in_proj_weight: float32 or float64 parameter of shape [3*E, E]. The q, k and v
            projections stacked, as torch's in_proj_weight.
        in_proj_bias: float32 or float64 parameter of shape [3*E]. Their biases (torch
            initialises them to 0).
        out_proj_weight: float32 or float64 parameter of shape [E, E]. torch's
            out_proj.weight.
        out_proj_bias: float32 or float64 parameter of shape [E]. torch's out_proj.bias
            (0 at first, as torch's).
        kv: float32 or float64 input of shape [..., S_kv, E], None to leave it out. Keys
            and values [batch, S_kv, E] of the cross form (an encoder's memory).
        attn_mask: bool or float mask (no gradient) input of shape [S, S_kv], None to
            leave it out. True (or -inf) where query i may not attend to key j; a float
            mask is added to the scores.
        key_padding_mask: bool or float mask (no gradient) input of shape [..., S_kv],
            None to leave it out. torch's key_padding_mask [batch, S_kv]: True (or -inf)
            where key j is padding, hidden from every query; a float mask is added to
            the scores.
        num_heads: int, default 8. The number of heads; it must divide E.
        causal: bool, default False. Hide from each query the keys after it (torch's
            is_causal).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "multi_head_attention",
        {
            "x": x,
            "in_proj_weight": in_proj_weight,
            "in_proj_bias": in_proj_bias,
            "out_proj_weight": out_proj_weight,
            "out_proj_bias": out_proj_bias,
            "kv": kv,
            "attn_mask": attn_mask,
            "key_padding_mask": key_padding_mask,
        },
        {
            "x": ("...", "S", "E"),
            "in_proj_weight": ("3*E", "E"),
            "in_proj_bias": ("3*E",),
            "out_proj_weight": ("E", "E"),
            "out_proj_bias": ("E",),
            "kv": ("...", "S_kv", "E"),
            "attn_mask": ("S", "S_kv"),
            "key_padding_mask": ("...", "S_kv"),
        },
        optional=("kv", "attn_mask", "key_padding_mask"),
        kinds={"attn_mask": "mask", "key_padding_mask": "mask"},
        same=(("S_kv", "S"),) if kv is None else (),
    )
    check_attribute("multi_head_attention", "num_heads", num_heads, "int", minimum=1)
    check_divides("multi_head_attention", "num_heads", num_heads, "x", x.shape[-1])
    check_attribute("multi_head_attention", "causal", causal, "bool")
    check_nonempty("multi_head_attention", "x", x.shape, -1)
    check_blocks("multi_head_attention", "in_proj_weight", in_proj_weight, 3, 0)
    check_blocks("multi_head_attention", "in_proj_bias", in_proj_bias, 3, -1)
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[(causal, kv is not None)]
        y, saved = forward_variant(
            x,
            in_proj_weight,
            in_proj_bias,
            out_proj_weight,
            out_proj_bias,
            kv,
            attn_mask,
            key_padding_mask,
            num_heads,
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        forward_variant, backward_variant = _JIT_VARIANTS[(causal, kv is not None)]
        y, saved = forward_variant(
            x,
            in_proj_weight,
            in_proj_bias,
            out_proj_weight,
            out_proj_bias,
            kv,
            attn_mask,
            key_padding_mask,
            num_heads,
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[(causal, kv is not None)]
    y, saved = forward_variant(
        x,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        kv,
        attn_mask,
        key_padding_mask,
        num_heads,
    )
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """MultiHeadAttention backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_in_proj_weight, grad_in_proj_bias, grad_out_proj_weight,
            grad_out_proj_bias, grad_kv: gradients with respect to x, in_proj_weight,
            in_proj_bias, out_proj_weight, out_proj_bias, kv, in that order.
    """
    backward_variant, saved = check_context(
        "multi_head_attention", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_causal(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv,
    attn_mask,
    key_padding_mask,
    num_heads,
):
    q = _linear(x, _chunk(in_proj_weight, 3, 0, 0)) + _chunk(in_proj_bias, 3, 0, -1)
    k = _linear(kv, _chunk(in_proj_weight, 3, 1, 0)) + _chunk(in_proj_bias, 3, 1, -1)
    v = _linear(kv, _chunk(in_proj_weight, 3, 2, 0)) + _chunk(in_proj_bias, 3, 2, -1)
    _t1 = (x.shape[-1] / num_heads) ** -0.5
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t2 = np.swapaxes(heads_k, -1, -2)
    scores = _bmm(heads_q, _t2)
    allowed = _apply_mask(scores, attn_mask)
    unpadded = _apply_key_padding(allowed, key_padding_mask)
    ordered = _apply_causal(unpadded)
    weights = _masked_softmax(ordered, out=ordered)
    attended = _merge_heads(_bmm(weights, heads_v), num_heads)
    y = _linear(attended, out_proj_weight)
    y += out_proj_bias
    return y, (
        x,
        kv,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        _t1,
        heads_q,
        heads_v,
        _t2,
        weights,
        attended,
    )


def _backward_causal_part1(heads_v, _t1, weights, _t2, heads_q):
    grad_weights = _bmm(_t1, np.swapaxes(heads_v, -1, -2))
    grad_heads_v = _bmm(np.swapaxes(weights, -1, -2), _t1)
    grad_ordered = np.subtract(
        grad_weights, _dot_last(grad_weights, weights), out=grad_weights
    )
    grad_ordered *= weights
    grad_heads_q = _bmm(grad_ordered, np.swapaxes(_t2, -1, -2))
    grad_heads_k = np.swapaxes(_bmm(np.swapaxes(heads_q, -1, -2), grad_ordered), -1, -2)
    return grad_heads_v, grad_heads_q, grad_heads_k


def _backward_causal(
    grad_y,
    x,
    kv,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    num_heads,
    _t1,
    heads_q,
    heads_v,
    _t2,
    weights,
    attended,
):
    grad_out_proj_bias = _sum_to(grad_y, out_proj_bias.shape)
    grad_attended = _linear_backward_input(grad_y, out_proj_weight)
    grad_out_proj_weight = _rows(grad_y).T @ _rows(attended)
    _t3 = _split_heads(grad_attended, num_heads)
    grad_heads_v, grad_heads_q, grad_heads_k = in_row_blocks(
        _backward_causal_part1,
        heads_v,
        _t3,
        weights,
        _t2,
        heads_q,
        named=(3, 3, 3, 3, 3),
    )
    grad_v = _merge_heads(grad_heads_v, num_heads)
    grad_k = _merge_heads(grad_heads_k, num_heads)
    grad_q = _merge_heads(grad_heads_q * _t1, num_heads)
    grad_x = _linear_backward_input(grad_q, _chunk(in_proj_weight, 3, 0, 0))
    grad_in_proj_weight = np.concatenate(
        (
            _rows(grad_q).T @ _rows(x),
            _rows(grad_k).T @ _rows(kv),
            _rows(grad_v).T @ _rows(kv),
        ),
        axis=0,
    )
    grad_in_proj_bias = np.concatenate(
        (
            _sum_to(grad_q, out_proj_bias.shape),
            _sum_to(grad_k, out_proj_bias.shape),
            _sum_to(grad_v, out_proj_bias.shape),
        ),
        axis=-1,
    )
    grad_kv = _linear_backward_input(
        grad_v, _chunk(in_proj_weight, 3, 2, 0)
    ) + _linear_backward_input(grad_k, _chunk(in_proj_weight, 3, 1, 0))
    return (
        grad_x,
        grad_in_proj_weight,
        grad_in_proj_bias,
        grad_out_proj_weight,
        grad_out_proj_bias,
        grad_kv,
    )


def _forward_causal_no_kv(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv,
    attn_mask,
    key_padding_mask,
    num_heads,
):
    _t1 = _linear(x, in_proj_weight)
    qkv = _t1 + in_proj_bias
    q = _chunk(qkv, 3, 0, -1)
    k = _chunk(qkv, 3, 1, -1)
    v = _chunk(qkv, 3, 2, -1)
    _t2 = (x.shape[-1] / num_heads) ** -0.5
    heads_q = _split_heads(q, num_heads) * _t2
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    scores = _bmm(heads_q, np.swapaxes(heads_k, -1, -2))
    allowed = _apply_mask(scores, attn_mask)
    unpadded = _apply_key_padding(allowed, key_padding_mask)
    ordered = _apply_causal(unpadded)
    weights = _masked_softmax(ordered, out=ordered)
    attended = _merge_heads(_bmm(weights, heads_v), num_heads)
    y = _linear(attended, out_proj_weight)
    y += out_proj_bias
    return y, (
        x,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        _t1,
        _t2,
        weights,
        attended,
    )


def _backward_causal_no_kv_part1(heads_v, _t1, weights, _t2, heads_q, _t3):
    grad_weights = _bmm(_t1, np.swapaxes(heads_v, -1, -2))
    grad_heads_v = _bmm(np.swapaxes(weights, -1, -2), _t1)
    grad_ordered = np.subtract(
        grad_weights, _dot_last(grad_weights, weights), out=grad_weights
    )
    grad_ordered *= weights
    grad_heads_q = _bmm(grad_ordered, np.swapaxes(_t2, -1, -2))
    grad_heads_k = np.swapaxes(_bmm(np.swapaxes(heads_q, -1, -2), grad_ordered), -1, -2)
    _t4 = np.multiply(grad_heads_q, _t3, out=grad_heads_q)
    return grad_heads_v, grad_heads_k, _t4


def _backward_causal_no_kv(
    grad_y,
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    num_heads,
    _t1,
    _t2,
    weights,
    attended,
):
    qkv = _t1 + in_proj_bias
    q = _chunk(qkv, 3, 0, -1)
    k = _chunk(qkv, 3, 1, -1)
    v = _chunk(qkv, 3, 2, -1)
    heads_q = _split_heads(q, num_heads) * _t2
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t3 = np.swapaxes(heads_k, -1, -2)
    grad_out_proj_bias = _sum_to(grad_y, out_proj_bias.shape)
    grad_attended = _linear_backward_input(grad_y, out_proj_weight)
    grad_out_proj_weight = _rows(grad_y).T @ _rows(attended)
    _t4 = _split_heads(grad_attended, num_heads)
    grad_heads_v, grad_heads_k, _t5 = in_row_blocks(
        _backward_causal_no_kv_part1,
        heads_v,
        _t4,
        weights,
        _t3,
        heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_qkv = _join_heads((_t5, grad_heads_k, grad_heads_v), num_heads)
    grad_in_proj_bias = _sum_to(grad_qkv, in_proj_bias.shape)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return (
        grad_x,
        grad_in_proj_weight,
        grad_in_proj_bias,
        grad_out_proj_weight,
        grad_out_proj_bias,
        None,
    )


def _forward_no_causal(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv,
    attn_mask,
    key_padding_mask,
    num_heads,
):
    q = _linear(x, _chunk(in_proj_weight, 3, 0, 0)) + _chunk(in_proj_bias, 3, 0, -1)
    k = _linear(kv, _chunk(in_proj_weight, 3, 1, 0)) + _chunk(in_proj_bias, 3, 1, -1)
    v = _linear(kv, _chunk(in_proj_weight, 3, 2, 0)) + _chunk(in_proj_bias, 3, 2, -1)
    _t1 = (x.shape[-1] / num_heads) ** -0.5
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t2 = np.swapaxes(heads_k, -1, -2)
    scores = _bmm(heads_q, _t2)
    allowed = _apply_mask(scores, attn_mask)
    unpadded = _apply_key_padding(allowed, key_padding_mask)
    weights = _masked_softmax(unpadded)
    attended = _merge_heads(_bmm(weights, heads_v), num_heads)
    y = _linear(attended, out_proj_weight)
    y += out_proj_bias
    return y, (
        x,
        kv,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        _t1,
        heads_q,
        heads_v,
        _t2,
        weights,
        attended,
    )


def _backward_no_causal_part1(heads_v, _t1, weights, _t2, heads_q):
    grad_weights = _bmm(_t1, np.swapaxes(heads_v, -1, -2))
    grad_heads_v = _bmm(np.swapaxes(weights, -1, -2), _t1)
    grad_unpadded = np.subtract(
        grad_weights, _dot_last(grad_weights, weights), out=grad_weights
    )
    grad_unpadded *= weights
    grad_heads_q = _bmm(grad_unpadded, np.swapaxes(_t2, -1, -2))
    grad_heads_k = np.swapaxes(
        _bmm(np.swapaxes(heads_q, -1, -2), grad_unpadded), -1, -2
    )
    return grad_heads_v, grad_heads_q, grad_heads_k


def _backward_no_causal(
    grad_y,
    x,
    kv,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    num_heads,
    _t1,
    heads_q,
    heads_v,
    _t2,
    weights,
    attended,
):
    grad_out_proj_bias = _sum_to(grad_y, out_proj_bias.shape)
    grad_attended = _linear_backward_input(grad_y, out_proj_weight)
    grad_out_proj_weight = _rows(grad_y).T @ _rows(attended)
    _t3 = _split_heads(grad_attended, num_heads)
    grad_heads_v, grad_heads_q, grad_heads_k = in_row_blocks(
        _backward_no_causal_part1,
        heads_v,
        _t3,
        weights,
        _t2,
        heads_q,
        named=(3, 3, 3, 3, 3),
    )
    grad_v = _merge_heads(grad_heads_v, num_heads)
    grad_k = _merge_heads(grad_heads_k, num_heads)
    grad_q = _merge_heads(grad_heads_q * _t1, num_heads)
    grad_x = _linear_backward_input(grad_q, _chunk(in_proj_weight, 3, 0, 0))
    grad_in_proj_weight = np.concatenate(
        (
            _rows(grad_q).T @ _rows(x),
            _rows(grad_k).T @ _rows(kv),
            _rows(grad_v).T @ _rows(kv),
        ),
        axis=0,
    )
    grad_in_proj_bias = np.concatenate(
        (
            _sum_to(grad_q, out_proj_bias.shape),
            _sum_to(grad_k, out_proj_bias.shape),
            _sum_to(grad_v, out_proj_bias.shape),
        ),
        axis=-1,
    )
    grad_kv = _linear_backward_input(
        grad_v, _chunk(in_proj_weight, 3, 2, 0)
    ) + _linear_backward_input(grad_k, _chunk(in_proj_weight, 3, 1, 0))
    return (
        grad_x,
        grad_in_proj_weight,
        grad_in_proj_bias,
        grad_out_proj_weight,
        grad_out_proj_bias,
        grad_kv,
    )


def _forward_no_causal_no_kv(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv,
    attn_mask,
    key_padding_mask,
    num_heads,
):
    _t1 = _linear(x, in_proj_weight)
    qkv = _t1 + in_proj_bias
    q = _chunk(qkv, 3, 0, -1)
    k = _chunk(qkv, 3, 1, -1)
    v = _chunk(qkv, 3, 2, -1)
    _t2 = (x.shape[-1] / num_heads) ** -0.5
    heads_q = _split_heads(q, num_heads) * _t2
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    scores = _bmm(heads_q, np.swapaxes(heads_k, -1, -2))
    allowed = _apply_mask(scores, attn_mask)
    unpadded = _apply_key_padding(allowed, key_padding_mask)
    weights = _masked_softmax(unpadded)
    attended = _merge_heads(_bmm(weights, heads_v), num_heads)
    y = _linear(attended, out_proj_weight)
    y += out_proj_bias
    return y, (
        x,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        _t1,
        _t2,
        weights,
        attended,
    )


def _backward_no_causal_no_kv_part1(heads_v, _t1, weights, _t2, heads_q, _t3):
    grad_weights = _bmm(_t1, np.swapaxes(heads_v, -1, -2))
    grad_heads_v = _bmm(np.swapaxes(weights, -1, -2), _t1)
    grad_unpadded = np.subtract(
        grad_weights, _dot_last(grad_weights, weights), out=grad_weights
    )
    grad_unpadded *= weights
    grad_heads_q = _bmm(grad_unpadded, np.swapaxes(_t2, -1, -2))
    grad_heads_k = np.swapaxes(
        _bmm(np.swapaxes(heads_q, -1, -2), grad_unpadded), -1, -2
    )
    _t4 = np.multiply(grad_heads_q, _t3, out=grad_heads_q)
    return grad_heads_v, grad_heads_k, _t4


def _backward_no_causal_no_kv(
    grad_y,
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    num_heads,
    _t1,
    _t2,
    weights,
    attended,
):
    qkv = _t1 + in_proj_bias
    q = _chunk(qkv, 3, 0, -1)
    k = _chunk(qkv, 3, 1, -1)
    v = _chunk(qkv, 3, 2, -1)
    heads_q = _split_heads(q, num_heads) * _t2
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t3 = np.swapaxes(heads_k, -1, -2)
    grad_out_proj_bias = _sum_to(grad_y, out_proj_bias.shape)
    grad_attended = _linear_backward_input(grad_y, out_proj_weight)
    grad_out_proj_weight = _rows(grad_y).T @ _rows(attended)
    _t4 = _split_heads(grad_attended, num_heads)
    grad_heads_v, grad_heads_k, _t5 = in_row_blocks(
        _backward_no_causal_no_kv_part1,
        heads_v,
        _t4,
        weights,
        _t3,
        heads_q,
        _t2,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_qkv = _join_heads((_t5, grad_heads_k, grad_heads_v), num_heads)
    grad_in_proj_bias = _sum_to(grad_qkv, in_proj_bias.shape)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return (
        grad_x,
        grad_in_proj_weight,
        grad_in_proj_bias,
        grad_out_proj_weight,
        grad_out_proj_bias,
        None,
    )


_VARIANTS = {
    (True, True): (_forward_causal, _backward_causal),
    (True, False): (_forward_causal_no_kv, _backward_causal_no_kv),
    (False, True): (_forward_no_causal, _backward_no_causal),
    (False, False): (_forward_no_causal_no_kv, _backward_no_causal_no_kv),
}


def _apply_causal(scores, out=None):
    """scores with -inf where the key comes after the query (column j > row i);
    ``out``, if given, receives the result (it may be ``scores``)."""
    if out is None:
        out = scores.copy()
    elif out is not scores:
        np.copyto(out, scores)
    rows, cols = scores.shape[-2:]
    np.copyto(out, -np.inf, where=np.triu(np.ones((rows, cols), dtype=bool), 1))
    return out


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


# multi_head_attention_causal_fwd_0: layers_spec/layers/multi_head_attention.yaml:28
_multi_head_attention_causal_fwd_0 = ElementwiseKernel(
    "multi_head_attention_causal_fwd_0",
    "T _t2, T _t3",
    "T q",
    """
    q = _t2 + _t3;
    """,
)


# multi_head_attention_causal_fwd_1: layers_spec/layers/multi_head_attention.yaml:29
_multi_head_attention_causal_fwd_1 = ElementwiseKernel(
    "multi_head_attention_causal_fwd_1",
    "T _t5, T _t6",
    "T k",
    """
    k = _t5 + _t6;
    """,
)


# multi_head_attention_causal_fwd_2: layers_spec/layers/multi_head_attention.yaml:30
_multi_head_attention_causal_fwd_2 = ElementwiseKernel(
    "multi_head_attention_causal_fwd_2",
    "T _t8, T _t9",
    "T v",
    """
    v = _t8 + _t9;
    """,
)


# multi_head_attention_causal_fwd_3: layers_spec/layers/multi_head_attention.yaml:36
_multi_head_attention_causal_fwd_3 = ElementwiseKernel(
    "multi_head_attention_causal_fwd_3",
    "T _t10, T _t13",
    "T heads_q",
    """
    heads_q = _t10 * _t13;
    """,
    scalars=("_t13",),
)


# multi_head_attention_causal_fwd_4: layers_spec/layers/multi_head_attention.yaml:40,41,43,46
_multi_head_attention_causal_fwd_4 = RowKernel(
    "multi_head_attention_causal_fwd_4",
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
    masks=("mask", "key_padding", "causal"),
)


# multi_head_attention_causal_fwd_5: layers_spec/layers/multi_head_attention.yaml:48
_multi_head_attention_causal_fwd_5 = ElementwiseKernel(
    "multi_head_attention_causal_fwd_5",
    "T _t16, T out_proj_bias",
    "T y",
    """
    y = _t16 + out_proj_bias;
    """,
)


def _cupy_forward_causal(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv,
    attn_mask,
    key_padding_mask,
    num_heads,
):
    import cupy as cp

    _t1 = _chunk(in_proj_weight, 3, 0, 0)
    _t2 = _linear(x, _t1)
    _t3 = _chunk(in_proj_bias, 3, 0, -1)
    q = _multi_head_attention_causal_fwd_0(_t2, _t3)
    _t4 = _chunk(in_proj_weight, 3, 1, 0)
    _t5 = _linear(kv, _t4)
    _t6 = _chunk(in_proj_bias, 3, 1, -1)
    k = _multi_head_attention_causal_fwd_1(_t5, _t6)
    _t7 = _chunk(in_proj_weight, 3, 2, 0)
    _t8 = _linear(kv, _t7)
    _t9 = _chunk(in_proj_bias, 3, 2, -1)
    v = _multi_head_attention_causal_fwd_2(_t8, _t9)
    _t10 = _split_heads(q, num_heads)
    _t11 = x.shape[-1]
    _t12 = _t11 / num_heads
    _t13 = _t12 ** (-0.5)
    heads_q = _multi_head_attention_causal_fwd_3(_t10, _t13)
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t14 = cp.swapaxes(heads_k, -1, -2)
    scores = _cupy_bmm(heads_q, _t14)
    weights = _multi_head_attention_causal_fwd_4(scores, attn_mask, key_padding_mask)
    _t15 = _cupy_bmm(weights, heads_v)
    attended = _merge_heads(_t15, num_heads)
    _t16 = _linear(attended, out_proj_weight)
    y = _multi_head_attention_causal_fwd_5(_t16, out_proj_bias)
    return y, (
        x,
        kv,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        _t13,
        heads_q,
        heads_v,
        _t14,
        weights,
        attended,
    )


# multi_head_attention_causal_bwd_0: layers_spec/primitives.yaml:2973
_multi_head_attention_causal_bwd_0 = RowBlockKernel(
    "multi_head_attention_causal_bwd_0",
    "row T grad_weights, row T weights",
    "row T grad_ordered",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t25 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t25 = _Sum()(_t25, grad_weights * weights);
    )
    _t25 = _row_reduce(_t25, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t26 = grad_weights - _t25;
        const T grad_ordered = weights * _t26;
        _row_grad_ordered[_j] = grad_ordered;
    )
    """,
)


# multi_head_attention_causal_bwd_1: layers_spec/primitives.yaml:61
_multi_head_attention_causal_bwd_1 = ElementwiseKernel(
    "multi_head_attention_causal_bwd_1",
    "T grad_heads_q, T _t13",
    "T _t35",
    """
    _t35 = grad_heads_q * _t13;
    """,
    scalars=("_t13",),
)


# multi_head_attention_causal_bwd_2: layers_spec/primitives.yaml:875
_multi_head_attention_causal_bwd_2 = ElementwiseKernel(
    "multi_head_attention_causal_bwd_2",
    "T _t39, T _t44",
    "T grad_kv",
    """
    grad_kv = _t39 + _t44;
    """,
)


def _cupy_backward_causal(
    grad_y,
    x,
    kv,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    num_heads,
    _t13,
    heads_q,
    heads_v,
    _t14,
    weights,
    attended,
):
    import cupy as cp

    _t1 = _chunk(in_proj_weight, 3, 0, 0)
    _t4 = _chunk(in_proj_weight, 3, 1, 0)
    _t7 = _chunk(in_proj_weight, 3, 2, 0)
    grad_out_proj_bias = _cupy_sum_to(grad_y, out_proj_bias.shape)
    grad_attended = _linear_backward_input(grad_y, out_proj_weight)
    grad_out_proj_weight = _rows(grad_y).T @ _rows(attended)
    _t20 = _split_heads(grad_attended, num_heads)
    _t21 = cp.swapaxes(heads_v, -1, -2)
    grad_weights = _cupy_bmm(_t20, _t21)
    _t23 = cp.swapaxes(weights, -1, -2)
    grad_heads_v = _cupy_bmm(_t23, _t20)
    grad_ordered = _multi_head_attention_causal_bwd_0(grad_weights, weights)
    _t28 = cp.swapaxes(_t14, -1, -2)
    grad_heads_q = _cupy_bmm(grad_ordered, _t28)
    _t30 = cp.swapaxes(heads_q, -1, -2)
    _t31 = _cupy_bmm(_t30, grad_ordered)
    grad_heads_k = cp.swapaxes(_t31, -1, -2)
    grad_v = _merge_heads(grad_heads_v, num_heads)
    grad_k = _merge_heads(grad_heads_k, num_heads)
    _t35 = _multi_head_attention_causal_bwd_1(grad_heads_q, _t13)
    grad_q = _merge_heads(_t35, num_heads)
    _t37 = _cupy_sum_to(grad_v, out_proj_bias.shape)
    _t39 = _linear_backward_input(grad_v, _t7)
    _t40 = _rows(grad_v).T @ _rows(kv)
    _t42 = _cupy_sum_to(grad_k, out_proj_bias.shape)
    _t44 = _linear_backward_input(grad_k, _t4)
    _t45 = _rows(grad_k).T @ _rows(kv)
    _t47 = _cupy_sum_to(grad_q, out_proj_bias.shape)
    grad_x = _linear_backward_input(grad_q, _t1)
    _t50 = _rows(grad_q).T @ _rows(x)
    grad_in_proj_weight = cp.concatenate((_t50, _t45, _t40), axis=0)
    grad_in_proj_bias = cp.concatenate((_t47, _t42, _t37), axis=-1)
    grad_kv = _multi_head_attention_causal_bwd_2(_t39, _t44)
    return (
        grad_x,
        grad_in_proj_weight,
        grad_in_proj_bias,
        grad_out_proj_weight,
        grad_out_proj_bias,
        grad_kv,
    )


# multi_head_attention_causal_no_kv_fwd_0: layers_spec/layers/multi_head_attention.yaml:32
_multi_head_attention_causal_no_kv_fwd_0 = ElementwiseKernel(
    "multi_head_attention_causal_no_kv_fwd_0",
    "T _t1, T in_proj_bias",
    "T qkv",
    """
    qkv = _t1 + in_proj_bias;
    """,
)


# multi_head_attention_causal_no_kv_fwd_1: layers_spec/layers/multi_head_attention.yaml:36
_multi_head_attention_causal_no_kv_fwd_1 = ElementwiseKernel(
    "multi_head_attention_causal_no_kv_fwd_1",
    "T _t2, T _t5",
    "T heads_q",
    """
    heads_q = _t2 * _t5;
    """,
    scalars=("_t5",),
)


# multi_head_attention_causal_no_kv_fwd_3: layers_spec/layers/multi_head_attention.yaml:48
_multi_head_attention_causal_no_kv_fwd_3 = ElementwiseKernel(
    "multi_head_attention_causal_no_kv_fwd_3",
    "T _t8, T out_proj_bias",
    "T y",
    """
    y = _t8 + out_proj_bias;
    """,
)


def _cupy_forward_causal_no_kv(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv,
    attn_mask,
    key_padding_mask,
    num_heads,
):
    import cupy as cp

    _t1 = _linear(x, in_proj_weight)
    qkv = _multi_head_attention_causal_no_kv_fwd_0(_t1, in_proj_bias)
    q = _chunk(qkv, 3, 0, -1)
    k = _chunk(qkv, 3, 1, -1)
    v = _chunk(qkv, 3, 2, -1)
    _t2 = _split_heads(q, num_heads)
    _t3 = x.shape[-1]
    _t4 = _t3 / num_heads
    _t5 = _t4 ** (-0.5)
    heads_q = _multi_head_attention_causal_no_kv_fwd_1(_t2, _t5)
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t6 = cp.swapaxes(heads_k, -1, -2)
    scores = _cupy_bmm(heads_q, _t6)
    weights = _multi_head_attention_causal_fwd_4(scores, attn_mask, key_padding_mask)
    _t7 = _cupy_bmm(weights, heads_v)
    attended = _merge_heads(_t7, num_heads)
    _t8 = _linear(attended, out_proj_weight)
    y = _multi_head_attention_causal_no_kv_fwd_3(_t8, out_proj_bias)
    return y, (
        x,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        _t1,
        _t5,
        weights,
        attended,
    )


# multi_head_attention_causal_no_kv_bwd_2: layers_spec/primitives.yaml:2973
_multi_head_attention_causal_no_kv_bwd_2 = RowBlockKernel(
    "multi_head_attention_causal_no_kv_bwd_2",
    "row T grad_weights, row T weights",
    "row T grad_ordered",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t17 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t17 = _Sum()(_t17, grad_weights * weights);
    )
    _t17 = _row_reduce(_t17, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t18 = grad_weights - _t17;
        const T grad_ordered = weights * _t18;
        _row_grad_ordered[_j] = grad_ordered;
    )
    """,
)


# multi_head_attention_causal_no_kv_bwd_3: layers_spec/primitives.yaml:61
_multi_head_attention_causal_no_kv_bwd_3 = ElementwiseKernel(
    "multi_head_attention_causal_no_kv_bwd_3",
    "T grad_heads_q, T _t5",
    "T _t27",
    """
    _t27 = grad_heads_q * _t5;
    """,
    scalars=("_t5",),
)


def _cupy_backward_causal_no_kv(
    grad_y,
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    num_heads,
    _t1,
    _t5,
    weights,
    attended,
):
    import cupy as cp

    qkv = _multi_head_attention_causal_no_kv_fwd_0(_t1, in_proj_bias)
    q = _chunk(qkv, 3, 0, -1)
    k = _chunk(qkv, 3, 1, -1)
    v = _chunk(qkv, 3, 2, -1)
    _t2 = _split_heads(q, num_heads)
    heads_q = _multi_head_attention_causal_no_kv_fwd_1(_t2, _t5)
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t6 = cp.swapaxes(heads_k, -1, -2)
    grad_out_proj_bias = _cupy_sum_to(grad_y, out_proj_bias.shape)
    grad_attended = _linear_backward_input(grad_y, out_proj_weight)
    grad_out_proj_weight = _rows(grad_y).T @ _rows(attended)
    _t12 = _split_heads(grad_attended, num_heads)
    _t13 = cp.swapaxes(heads_v, -1, -2)
    grad_weights = _cupy_bmm(_t12, _t13)
    _t15 = cp.swapaxes(weights, -1, -2)
    grad_heads_v = _cupy_bmm(_t15, _t12)
    grad_ordered = _multi_head_attention_causal_no_kv_bwd_2(grad_weights, weights)
    _t20 = cp.swapaxes(_t6, -1, -2)
    grad_heads_q = _cupy_bmm(grad_ordered, _t20)
    _t22 = cp.swapaxes(heads_q, -1, -2)
    _t23 = _cupy_bmm(_t22, grad_ordered)
    grad_heads_k = cp.swapaxes(_t23, -1, -2)
    _t27 = _multi_head_attention_causal_no_kv_bwd_3(grad_heads_q, _t5)
    grad_qkv = _cupy_join_heads((_t27, grad_heads_k, grad_heads_v), num_heads)
    grad_in_proj_bias = _cupy_sum_to(grad_qkv, in_proj_bias.shape)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return (
        grad_x,
        grad_in_proj_weight,
        grad_in_proj_bias,
        grad_out_proj_weight,
        grad_out_proj_bias,
        None,
    )


# multi_head_attention_no_causal_fwd_4: layers_spec/layers/multi_head_attention.yaml:40,41,46
_multi_head_attention_no_causal_fwd_4 = RowKernel(
    "multi_head_attention_no_causal_fwd_4",
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


def _cupy_forward_no_causal(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv,
    attn_mask,
    key_padding_mask,
    num_heads,
):
    import cupy as cp

    _t1 = _chunk(in_proj_weight, 3, 0, 0)
    _t2 = _linear(x, _t1)
    _t3 = _chunk(in_proj_bias, 3, 0, -1)
    q = _multi_head_attention_causal_fwd_0(_t2, _t3)
    _t4 = _chunk(in_proj_weight, 3, 1, 0)
    _t5 = _linear(kv, _t4)
    _t6 = _chunk(in_proj_bias, 3, 1, -1)
    k = _multi_head_attention_causal_fwd_1(_t5, _t6)
    _t7 = _chunk(in_proj_weight, 3, 2, 0)
    _t8 = _linear(kv, _t7)
    _t9 = _chunk(in_proj_bias, 3, 2, -1)
    v = _multi_head_attention_causal_fwd_2(_t8, _t9)
    _t10 = _split_heads(q, num_heads)
    _t11 = x.shape[-1]
    _t12 = _t11 / num_heads
    _t13 = _t12 ** (-0.5)
    heads_q = _multi_head_attention_causal_fwd_3(_t10, _t13)
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t14 = cp.swapaxes(heads_k, -1, -2)
    scores = _cupy_bmm(heads_q, _t14)
    weights = _multi_head_attention_no_causal_fwd_4(scores, attn_mask, key_padding_mask)
    _t15 = _cupy_bmm(weights, heads_v)
    attended = _merge_heads(_t15, num_heads)
    _t16 = _linear(attended, out_proj_weight)
    y = _multi_head_attention_causal_fwd_5(_t16, out_proj_bias)
    return y, (
        x,
        kv,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        _t13,
        heads_q,
        heads_v,
        _t14,
        weights,
        attended,
    )


# multi_head_attention_no_causal_bwd_0: layers_spec/primitives.yaml:2973
_multi_head_attention_no_causal_bwd_0 = RowBlockKernel(
    "multi_head_attention_no_causal_bwd_0",
    "row T grad_weights, row T weights",
    "row T grad_unpadded",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t25 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t25 = _Sum()(_t25, grad_weights * weights);
    )
    _t25 = _row_reduce(_t25, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t26 = grad_weights - _t25;
        const T grad_unpadded = weights * _t26;
        _row_grad_unpadded[_j] = grad_unpadded;
    )
    """,
)


def _cupy_backward_no_causal(
    grad_y,
    x,
    kv,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    num_heads,
    _t13,
    heads_q,
    heads_v,
    _t14,
    weights,
    attended,
):
    import cupy as cp

    _t1 = _chunk(in_proj_weight, 3, 0, 0)
    _t4 = _chunk(in_proj_weight, 3, 1, 0)
    _t7 = _chunk(in_proj_weight, 3, 2, 0)
    grad_out_proj_bias = _cupy_sum_to(grad_y, out_proj_bias.shape)
    grad_attended = _linear_backward_input(grad_y, out_proj_weight)
    grad_out_proj_weight = _rows(grad_y).T @ _rows(attended)
    _t20 = _split_heads(grad_attended, num_heads)
    _t21 = cp.swapaxes(heads_v, -1, -2)
    grad_weights = _cupy_bmm(_t20, _t21)
    _t23 = cp.swapaxes(weights, -1, -2)
    grad_heads_v = _cupy_bmm(_t23, _t20)
    grad_unpadded = _multi_head_attention_no_causal_bwd_0(grad_weights, weights)
    _t28 = cp.swapaxes(_t14, -1, -2)
    grad_heads_q = _cupy_bmm(grad_unpadded, _t28)
    _t30 = cp.swapaxes(heads_q, -1, -2)
    _t31 = _cupy_bmm(_t30, grad_unpadded)
    grad_heads_k = cp.swapaxes(_t31, -1, -2)
    grad_v = _merge_heads(grad_heads_v, num_heads)
    grad_k = _merge_heads(grad_heads_k, num_heads)
    _t35 = _multi_head_attention_causal_bwd_1(grad_heads_q, _t13)
    grad_q = _merge_heads(_t35, num_heads)
    _t37 = _cupy_sum_to(grad_v, out_proj_bias.shape)
    _t39 = _linear_backward_input(grad_v, _t7)
    _t40 = _rows(grad_v).T @ _rows(kv)
    _t42 = _cupy_sum_to(grad_k, out_proj_bias.shape)
    _t44 = _linear_backward_input(grad_k, _t4)
    _t45 = _rows(grad_k).T @ _rows(kv)
    _t47 = _cupy_sum_to(grad_q, out_proj_bias.shape)
    grad_x = _linear_backward_input(grad_q, _t1)
    _t50 = _rows(grad_q).T @ _rows(x)
    grad_in_proj_weight = cp.concatenate((_t50, _t45, _t40), axis=0)
    grad_in_proj_bias = cp.concatenate((_t47, _t42, _t37), axis=-1)
    grad_kv = _multi_head_attention_causal_bwd_2(_t39, _t44)
    return (
        grad_x,
        grad_in_proj_weight,
        grad_in_proj_bias,
        grad_out_proj_weight,
        grad_out_proj_bias,
        grad_kv,
    )


def _cupy_forward_no_causal_no_kv(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv,
    attn_mask,
    key_padding_mask,
    num_heads,
):
    import cupy as cp

    _t1 = _linear(x, in_proj_weight)
    qkv = _multi_head_attention_causal_no_kv_fwd_0(_t1, in_proj_bias)
    q = _chunk(qkv, 3, 0, -1)
    k = _chunk(qkv, 3, 1, -1)
    v = _chunk(qkv, 3, 2, -1)
    _t2 = _split_heads(q, num_heads)
    _t3 = x.shape[-1]
    _t4 = _t3 / num_heads
    _t5 = _t4 ** (-0.5)
    heads_q = _multi_head_attention_causal_no_kv_fwd_1(_t2, _t5)
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t6 = cp.swapaxes(heads_k, -1, -2)
    scores = _cupy_bmm(heads_q, _t6)
    weights = _multi_head_attention_no_causal_fwd_4(scores, attn_mask, key_padding_mask)
    _t7 = _cupy_bmm(weights, heads_v)
    attended = _merge_heads(_t7, num_heads)
    _t8 = _linear(attended, out_proj_weight)
    y = _multi_head_attention_causal_no_kv_fwd_3(_t8, out_proj_bias)
    return y, (
        x,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        _t1,
        _t5,
        weights,
        attended,
    )


# multi_head_attention_no_causal_no_kv_bwd_2: layers_spec/primitives.yaml:2973
_multi_head_attention_no_causal_no_kv_bwd_2 = RowBlockKernel(
    "multi_head_attention_no_causal_no_kv_bwd_2",
    "row T grad_weights, row T weights",
    "row T grad_unpadded",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t17 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t17 = _Sum()(_t17, grad_weights * weights);
    )
    _t17 = _row_reduce(_t17, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t18 = grad_weights - _t17;
        const T grad_unpadded = weights * _t18;
        _row_grad_unpadded[_j] = grad_unpadded;
    )
    """,
)


def _cupy_backward_no_causal_no_kv(
    grad_y,
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    num_heads,
    _t1,
    _t5,
    weights,
    attended,
):
    import cupy as cp

    qkv = _multi_head_attention_causal_no_kv_fwd_0(_t1, in_proj_bias)
    q = _chunk(qkv, 3, 0, -1)
    k = _chunk(qkv, 3, 1, -1)
    v = _chunk(qkv, 3, 2, -1)
    _t2 = _split_heads(q, num_heads)
    heads_q = _multi_head_attention_causal_no_kv_fwd_1(_t2, _t5)
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t6 = cp.swapaxes(heads_k, -1, -2)
    grad_out_proj_bias = _cupy_sum_to(grad_y, out_proj_bias.shape)
    grad_attended = _linear_backward_input(grad_y, out_proj_weight)
    grad_out_proj_weight = _rows(grad_y).T @ _rows(attended)
    _t12 = _split_heads(grad_attended, num_heads)
    _t13 = cp.swapaxes(heads_v, -1, -2)
    grad_weights = _cupy_bmm(_t12, _t13)
    _t15 = cp.swapaxes(weights, -1, -2)
    grad_heads_v = _cupy_bmm(_t15, _t12)
    grad_unpadded = _multi_head_attention_no_causal_no_kv_bwd_2(grad_weights, weights)
    _t20 = cp.swapaxes(_t6, -1, -2)
    grad_heads_q = _cupy_bmm(grad_unpadded, _t20)
    _t22 = cp.swapaxes(heads_q, -1, -2)
    _t23 = _cupy_bmm(_t22, grad_unpadded)
    grad_heads_k = cp.swapaxes(_t23, -1, -2)
    _t27 = _multi_head_attention_causal_no_kv_bwd_3(grad_heads_q, _t5)
    grad_qkv = _cupy_join_heads((_t27, grad_heads_k, grad_heads_v), num_heads)
    grad_in_proj_bias = _cupy_sum_to(grad_qkv, in_proj_bias.shape)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return (
        grad_x,
        grad_in_proj_weight,
        grad_in_proj_bias,
        grad_out_proj_weight,
        grad_out_proj_bias,
        None,
    )


_CUPY_VARIANTS = {
    (True, True): (_cupy_forward_causal, _cupy_backward_causal),
    (True, False): (_cupy_forward_causal_no_kv, _cupy_backward_causal_no_kv),
    (False, True): (_cupy_forward_no_causal, _cupy_backward_no_causal),
    (False, False): (_cupy_forward_no_causal_no_kv, _cupy_backward_no_causal_no_kv),
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


# The compiled CPU target: compiled twins of the functions above, which call the
# runtime's hand-written kernels (numba, compiled on first use).


def _jit_forward_causal(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv,
    attn_mask,
    key_padding_mask,
    num_heads,
):
    _t1 = _chunk(in_proj_weight, 3, 0, 0)
    _t2 = _linear(x, _t1)
    _t3 = _chunk(in_proj_bias, 3, 0, -1)
    q = _t2 + _t3
    _t4 = _chunk(in_proj_weight, 3, 1, 0)
    _t5 = _linear(kv, _t4)
    _t6 = _chunk(in_proj_bias, 3, 1, -1)
    k = _t5 + _t6
    _t7 = _chunk(in_proj_weight, 3, 2, 0)
    _t8 = _linear(kv, _t7)
    _t9 = _chunk(in_proj_bias, 3, 2, -1)
    v = _t8 + _t9
    _t10 = _split_heads(q, num_heads)
    _t11 = x.shape[-1]
    _t12 = _t11 / num_heads
    _t13 = _t12 ** (-0.5)
    heads_q = _t10 * _t13
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t14 = np.swapaxes(heads_k, -1, -2)
    scores = _bmm(heads_q, _t14)
    allowed = _apply_mask(scores, attn_mask)
    unpadded = _apply_key_padding(allowed, key_padding_mask)
    ordered = _apply_causal(unpadded)
    weights = compiled_masked_softmax(ordered)
    _t15 = _bmm(weights, heads_v)
    attended = _merge_heads(_t15, num_heads)
    _t16 = _linear(attended, out_proj_weight)
    y = _t16 + out_proj_bias
    return y, (
        x,
        kv,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        _t13,
        heads_q,
        heads_v,
        _t14,
        weights,
        attended,
    )


def _jit_forward_causal_no_kv(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv,
    attn_mask,
    key_padding_mask,
    num_heads,
):
    _t1 = _linear(x, in_proj_weight)
    qkv = _t1 + in_proj_bias
    q = _chunk(qkv, 3, 0, -1)
    k = _chunk(qkv, 3, 1, -1)
    v = _chunk(qkv, 3, 2, -1)
    _t2 = _split_heads(q, num_heads)
    _t3 = x.shape[-1]
    _t4 = _t3 / num_heads
    _t5 = _t4 ** (-0.5)
    heads_q = _t2 * _t5
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t6 = np.swapaxes(heads_k, -1, -2)
    scores = _bmm(heads_q, _t6)
    allowed = _apply_mask(scores, attn_mask)
    unpadded = _apply_key_padding(allowed, key_padding_mask)
    ordered = _apply_causal(unpadded)
    weights = compiled_masked_softmax(ordered)
    _t7 = _bmm(weights, heads_v)
    attended = _merge_heads(_t7, num_heads)
    _t8 = _linear(attended, out_proj_weight)
    y = _t8 + out_proj_bias
    return y, (
        x,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        _t1,
        _t5,
        weights,
        attended,
    )


def _jit_forward_no_causal(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv,
    attn_mask,
    key_padding_mask,
    num_heads,
):
    _t1 = _chunk(in_proj_weight, 3, 0, 0)
    _t2 = _linear(x, _t1)
    _t3 = _chunk(in_proj_bias, 3, 0, -1)
    q = _t2 + _t3
    _t4 = _chunk(in_proj_weight, 3, 1, 0)
    _t5 = _linear(kv, _t4)
    _t6 = _chunk(in_proj_bias, 3, 1, -1)
    k = _t5 + _t6
    _t7 = _chunk(in_proj_weight, 3, 2, 0)
    _t8 = _linear(kv, _t7)
    _t9 = _chunk(in_proj_bias, 3, 2, -1)
    v = _t8 + _t9
    _t10 = _split_heads(q, num_heads)
    _t11 = x.shape[-1]
    _t12 = _t11 / num_heads
    _t13 = _t12 ** (-0.5)
    heads_q = _t10 * _t13
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t14 = np.swapaxes(heads_k, -1, -2)
    scores = _bmm(heads_q, _t14)
    allowed = _apply_mask(scores, attn_mask)
    unpadded = _apply_key_padding(allowed, key_padding_mask)
    weights = compiled_masked_softmax(unpadded)
    _t15 = _bmm(weights, heads_v)
    attended = _merge_heads(_t15, num_heads)
    _t16 = _linear(attended, out_proj_weight)
    y = _t16 + out_proj_bias
    return y, (
        x,
        kv,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        _t13,
        heads_q,
        heads_v,
        _t14,
        weights,
        attended,
    )


def _jit_forward_no_causal_no_kv(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    kv,
    attn_mask,
    key_padding_mask,
    num_heads,
):
    _t1 = _linear(x, in_proj_weight)
    qkv = _t1 + in_proj_bias
    q = _chunk(qkv, 3, 0, -1)
    k = _chunk(qkv, 3, 1, -1)
    v = _chunk(qkv, 3, 2, -1)
    _t2 = _split_heads(q, num_heads)
    _t3 = x.shape[-1]
    _t4 = _t3 / num_heads
    _t5 = _t4 ** (-0.5)
    heads_q = _t2 * _t5
    heads_k = _split_heads(k, num_heads)
    heads_v = _split_heads(v, num_heads)
    _t6 = np.swapaxes(heads_k, -1, -2)
    scores = _bmm(heads_q, _t6)
    allowed = _apply_mask(scores, attn_mask)
    unpadded = _apply_key_padding(allowed, key_padding_mask)
    weights = compiled_masked_softmax(unpadded)
    _t7 = _bmm(weights, heads_v)
    attended = _merge_heads(_t7, num_heads)
    _t8 = _linear(attended, out_proj_weight)
    y = _t8 + out_proj_bias
    return y, (
        x,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        _t1,
        _t5,
        weights,
        attended,
    )


_JIT_VARIANTS = {
    (True, True): (_jit_forward_causal, _backward_causal),
    (True, False): (_jit_forward_causal_no_kv, _backward_causal_no_kv),
    (False, True): (_jit_forward_no_causal, _backward_no_causal),
    (False, False): (_jit_forward_no_causal_no_kv, _backward_no_causal_no_kv),
}
