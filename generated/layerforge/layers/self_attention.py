"""SelfAttention: Multi-head self-attention without an output projection: q, k, v = x @
in_proj_weight.T (stacked as torch's MultiheadAttention), split into num_heads heads,
softmax(q k^T / sqrt(E / num_heads) + mask) v per head, the heads joined, plus bias,
then the activation (identity by default). A boolean attn_mask is True where a query may
not see a key (a query that sees none gets zeros); a float one is added to the scores.
Generated from layers_spec/layers/self_attention.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_divides,
    check_nonempty,
    activation_module,
    check_options,
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

INPUTS = ("x", "attn_mask")
PARAMETERS = ("in_proj_weight", "bias")
OUTPUTS = ("y",)


def forward(
    x,
    in_proj_weight,
    bias,
    attn_mask=None,
    *,
    num_heads=8,
    activation="identity",
    activation_options=None,
):
    """SelfAttention forward pass.

    Multi-head self-attention without an output projection: q, k, v = x @
    in_proj_weight.T (stacked as torch's MultiheadAttention), split into num_heads
    heads, softmax(q k^T / sqrt(E / num_heads) + mask) v per head, the heads joined,
    plus bias, then the activation (identity by default). A boolean attn_mask is True
    where a query may not see a key (a query that sees none gets zeros); a float one is
    added to the scores.

    Args:
        x: float32 or float64 input of shape [..., S, E]. A sequence [..., S, E].
        in_proj_weight: float32 or float64 parameter of shape [3*E, E]. The q, k and v
            projections stacked [3E, E].
        bias: float32 or float64 parameter of shape [E]. Added to the joined heads.
        attn_mask: bool or float mask (no gradient) input of shape [S, S], None to leave
            it out. True (or -inf) where query i may not attend to key j.
        num_heads: int, default 8. The number of heads; it must divide E.
        activation: name of the activation applied to the result, default 'identity';
            identity, relu, gelu, tanh are fused into specialized code, any other
            activation of layerforge.activations is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "self_attention",
        {
            "x": x,
            "in_proj_weight": in_proj_weight,
            "bias": bias,
            "attn_mask": attn_mask,
        },
        {
            "x": ("...", "S", "E"),
            "in_proj_weight": ("3*E", "E"),
            "bias": ("E",),
            "attn_mask": ("S", "S"),
        },
        optional=("attn_mask",),
        kinds={"attn_mask": "mask"},
    )
    check_attribute("self_attention", "num_heads", num_heads, "int", minimum=1)
    check_divides("self_attention", "num_heads", num_heads, "x", x.shape[-1])
    check_nonempty("self_attention", "x", x.shape, -1)
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get((activation, attn_mask is not None))
        fixed = _FUSED_FIXED.get(activation, {})
        if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
            options = {k: v for k, v in options.items() if k not in fixed}
            forward_variant, backward_variant = fused
            if options:
                check_options("self_attention", activation, options)
            y, saved = forward_variant(
                x, in_proj_weight, bias, attn_mask, num_heads, **options
            )
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("self_attention", activation)
        if options:
            check_options("self_attention", activation, options)
        linear_forward, linear_backward = _CUPY_FUSED["identity", attn_mask is not None]
        y_linear, linear_saved = linear_forward(
            x, in_proj_weight, bias, attn_mask, num_heads
        )
        y, activation_ctx = module.forward(y_linear, **options)
        return y, (
            _cupy_backward_composed,
            (module, activation_ctx, linear_backward, linear_saved),
            (y.dtype, y.shape),
            None,
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get((activation, attn_mask is not None))
    fixed = _FUSED_FIXED.get(activation, {})
    if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
        options = {k: v for k, v in options.items() if k not in fixed}
        forward_variant, backward_variant = fused
        if options:
            check_options("self_attention", activation, options)
        y, saved = forward_variant(
            x, in_proj_weight, bias, attn_mask, num_heads, **options
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("self_attention", activation)
    if options:
        check_options("self_attention", activation, options)
    linear_forward, linear_backward = _FUSED["identity", attn_mask is not None]
    y_linear, linear_saved = linear_forward(
        x, in_proj_weight, bias, attn_mask, num_heads
    )
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_backward, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """SelfAttention backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_in_proj_weight, grad_bias: gradients with respect to x,
            in_proj_weight, bias, in that order.
    """
    backward_variant, saved = check_context(
        "self_attention", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_identity(x, in_proj_weight, bias, attn_mask, num_heads):
    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = (x.shape[-1] / num_heads) ** -0.5
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    scores = _bmm(heads_q, np.swapaxes(heads_k, -1, -2))
    allowed = _apply_mask(scores, attn_mask)
    weights = _masked_softmax(allowed)
    z = _merge_heads(_bmm(weights, heads_v), num_heads) + bias
    return z, (x, in_proj_weight, bias, num_heads, qkv, _t1, weights)


def _backward_identity_part1(heads_v, _t1, weights, _t2, heads_q, _t3):
    grad_weights = _bmm(_t1, np.swapaxes(heads_v, -1, -2))
    grad_heads_v = _bmm(np.swapaxes(weights, -1, -2), _t1)
    grad_allowed = np.subtract(
        grad_weights, _dot_last(grad_weights, weights), out=grad_weights
    )
    grad_allowed *= weights
    grad_heads_q = _bmm(grad_allowed, np.swapaxes(_t2, -1, -2))
    grad_heads_k = np.swapaxes(_bmm(np.swapaxes(heads_q, -1, -2), grad_allowed), -1, -2)
    _t4 = np.multiply(grad_heads_q, _t3, out=grad_heads_q)
    return grad_heads_v, grad_heads_k, _t4


def _backward_identity(grad_y, x, in_proj_weight, bias, num_heads, qkv, _t1, weights):
    q = _chunk(qkv, 3, 0, -1)
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    _t2 = np.swapaxes(heads_k, -1, -2)
    grad_bias = _sum_to(grad_y, bias.shape)
    _t3 = _split_heads(grad_y, num_heads)
    grad_heads_v, grad_heads_k, _t4 = in_row_blocks(
        _backward_identity_part1,
        heads_v,
        _t3,
        weights,
        _t2,
        heads_q,
        _t1,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_qkv = _join_heads((_t4, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


def _forward_relu(x, in_proj_weight, bias, attn_mask, num_heads):
    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = (x.shape[-1] / num_heads) ** -0.5
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    scores = _bmm(heads_q, np.swapaxes(heads_k, -1, -2))
    allowed = _apply_mask(scores, attn_mask)
    weights = _masked_softmax(allowed)
    z = _merge_heads(_bmm(weights, heads_v), num_heads) + bias
    y = np.clip(z, 0, np.inf)
    return y, (x, in_proj_weight, bias, num_heads, qkv, _t1, weights, z)


def _backward_relu(grad_y, x, in_proj_weight, bias, num_heads, qkv, _t1, weights, z):
    q = _chunk(qkv, 3, 0, -1)
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    _t2 = np.swapaxes(heads_k, -1, -2)
    grad_z = grad_y * (z > 0)
    grad_bias = _sum_to(grad_z, bias.shape)
    _t3 = _split_heads(grad_z, num_heads)
    grad_heads_v, grad_heads_k, _t4 = in_row_blocks(
        _backward_identity_part1,
        heads_v,
        _t3,
        weights,
        _t2,
        heads_q,
        _t1,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_qkv = _join_heads((_t4, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


def _forward_gelu_part1(_t1, bias):
    z = _t1 + bias
    y = _erf(0.7071067811865476 * z)
    y *= 0.5
    y += 0.5
    y *= z
    return z, y


def _forward_gelu(x, in_proj_weight, bias, attn_mask, num_heads):
    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = (x.shape[-1] / num_heads) ** -0.5
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    scores = _bmm(heads_q, np.swapaxes(heads_k, -1, -2))
    allowed = _apply_mask(scores, attn_mask)
    weights = _masked_softmax(allowed)
    _t2 = _merge_heads(_bmm(weights, heads_v), num_heads)
    z, y = in_row_blocks(_forward_gelu_part1, _t2, bias, named=(2, None))
    return y, (x, in_proj_weight, bias, num_heads, qkv, _t1, weights, z)


def _backward_gelu_part1(heads_k, z, grad_y, bias):
    _t1 = np.swapaxes(heads_k, -1, -2)
    _t2 = 0.7071067811865476 * z
    grad_z = _erf(_t2)
    grad_z *= 0.5
    grad_z += 0.5
    grad_z *= grad_y
    _t3 = _t2 * _t2
    np.negative(_t3, out=_t3)
    np.exp(_t3, out=_t3)
    _t3 *= grad_y
    _t3 *= z
    _t3 *= 0.5
    _t3 *= 1.1283791670955126
    _t3 *= 0.7071067811865476
    grad_z += _t3
    grad_bias = _sum_to(grad_z, bias.shape)
    return _t1, grad_z, grad_bias


def _backward_gelu(grad_y, x, in_proj_weight, bias, num_heads, qkv, _t1, weights, z):
    q = _chunk(qkv, 3, 0, -1)
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    _t2, grad_z, grad_bias = in_row_blocks(
        _backward_gelu_part1, heads_k, z, grad_y, bias, sums=1, named=(3, 2, 2, None)
    )
    _t3 = _split_heads(grad_z, num_heads)
    grad_heads_v, grad_heads_k, _t4 = in_row_blocks(
        _backward_identity_part1,
        heads_v,
        _t3,
        weights,
        _t2,
        heads_q,
        _t1,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_qkv = _join_heads((_t4, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


def _forward_tanh(x, in_proj_weight, bias, attn_mask, num_heads):
    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = (x.shape[-1] / num_heads) ** -0.5
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    scores = _bmm(heads_q, np.swapaxes(heads_k, -1, -2))
    allowed = _apply_mask(scores, attn_mask)
    weights = _masked_softmax(allowed)
    z = _merge_heads(_bmm(weights, heads_v), num_heads) + bias
    y = np.tanh(z, out=z)
    return y, (x, in_proj_weight, bias, num_heads, qkv, _t1, weights, y)


def _backward_tanh(grad_y, x, in_proj_weight, bias, num_heads, qkv, _t1, weights, y):
    q = _chunk(qkv, 3, 0, -1)
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    _t2 = np.swapaxes(heads_k, -1, -2)
    grad_z = y * y
    np.subtract(1, grad_z, out=grad_z)
    grad_z *= grad_y
    grad_bias = _sum_to(grad_z, bias.shape)
    _t3 = _split_heads(grad_z, num_heads)
    grad_heads_v, grad_heads_k, _t4 = in_row_blocks(
        _backward_identity_part1,
        heads_v,
        _t3,
        weights,
        _t2,
        heads_q,
        _t1,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_qkv = _join_heads((_t4, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


def _forward_identity_no_attn_mask(x, in_proj_weight, bias, attn_mask, num_heads):
    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = (x.shape[-1] / num_heads) ** -0.5
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    scores = _bmm(heads_q, np.swapaxes(heads_k, -1, -2))
    weights = _masked_softmax(scores, out=scores)
    z = _merge_heads(_bmm(weights, heads_v), num_heads) + bias
    return z, (x, in_proj_weight, bias, num_heads, qkv, _t1, weights)


def _backward_identity_no_attn_mask_part1(heads_v, _t1, weights, _t2, heads_q, _t3):
    grad_weights = _bmm(_t1, np.swapaxes(heads_v, -1, -2))
    grad_heads_v = _bmm(np.swapaxes(weights, -1, -2), _t1)
    grad_scores = np.subtract(
        grad_weights, _dot_last(grad_weights, weights), out=grad_weights
    )
    grad_scores *= weights
    grad_heads_q = _bmm(grad_scores, np.swapaxes(_t2, -1, -2))
    grad_heads_k = np.swapaxes(_bmm(np.swapaxes(heads_q, -1, -2), grad_scores), -1, -2)
    _t4 = np.multiply(grad_heads_q, _t3, out=grad_heads_q)
    return grad_heads_v, grad_heads_k, _t4


def _backward_identity_no_attn_mask(
    grad_y, x, in_proj_weight, bias, num_heads, qkv, _t1, weights
):
    q = _chunk(qkv, 3, 0, -1)
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    _t2 = np.swapaxes(heads_k, -1, -2)
    grad_bias = _sum_to(grad_y, bias.shape)
    _t3 = _split_heads(grad_y, num_heads)
    grad_heads_v, grad_heads_k, _t4 = in_row_blocks(
        _backward_identity_no_attn_mask_part1,
        heads_v,
        _t3,
        weights,
        _t2,
        heads_q,
        _t1,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_qkv = _join_heads((_t4, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


def _forward_relu_no_attn_mask(x, in_proj_weight, bias, attn_mask, num_heads):
    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = (x.shape[-1] / num_heads) ** -0.5
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    scores = _bmm(heads_q, np.swapaxes(heads_k, -1, -2))
    weights = _masked_softmax(scores, out=scores)
    z = _merge_heads(_bmm(weights, heads_v), num_heads) + bias
    y = np.clip(z, 0, np.inf)
    return y, (x, in_proj_weight, bias, num_heads, qkv, _t1, weights, z)


def _backward_relu_no_attn_mask(
    grad_y, x, in_proj_weight, bias, num_heads, qkv, _t1, weights, z
):
    q = _chunk(qkv, 3, 0, -1)
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    _t2 = np.swapaxes(heads_k, -1, -2)
    grad_z = grad_y * (z > 0)
    grad_bias = _sum_to(grad_z, bias.shape)
    _t3 = _split_heads(grad_z, num_heads)
    grad_heads_v, grad_heads_k, _t4 = in_row_blocks(
        _backward_identity_no_attn_mask_part1,
        heads_v,
        _t3,
        weights,
        _t2,
        heads_q,
        _t1,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_qkv = _join_heads((_t4, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


def _forward_gelu_no_attn_mask(x, in_proj_weight, bias, attn_mask, num_heads):
    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = (x.shape[-1] / num_heads) ** -0.5
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    scores = _bmm(heads_q, np.swapaxes(heads_k, -1, -2))
    weights = _masked_softmax(scores, out=scores)
    _t2 = _merge_heads(_bmm(weights, heads_v), num_heads)
    z, y = in_row_blocks(_forward_gelu_part1, _t2, bias, named=(2, None))
    return y, (x, in_proj_weight, bias, num_heads, qkv, _t1, weights, z)


def _backward_gelu_no_attn_mask(
    grad_y, x, in_proj_weight, bias, num_heads, qkv, _t1, weights, z
):
    q = _chunk(qkv, 3, 0, -1)
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    _t2, grad_z, grad_bias = in_row_blocks(
        _backward_gelu_part1, heads_k, z, grad_y, bias, sums=1, named=(3, 2, 2, None)
    )
    _t3 = _split_heads(grad_z, num_heads)
    grad_heads_v, grad_heads_k, _t4 = in_row_blocks(
        _backward_identity_no_attn_mask_part1,
        heads_v,
        _t3,
        weights,
        _t2,
        heads_q,
        _t1,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_qkv = _join_heads((_t4, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


def _forward_tanh_no_attn_mask(x, in_proj_weight, bias, attn_mask, num_heads):
    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = (x.shape[-1] / num_heads) ** -0.5
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    scores = _bmm(heads_q, np.swapaxes(heads_k, -1, -2))
    weights = _masked_softmax(scores, out=scores)
    z = _merge_heads(_bmm(weights, heads_v), num_heads) + bias
    y = np.tanh(z, out=z)
    return y, (x, in_proj_weight, bias, num_heads, qkv, _t1, weights, y)


def _backward_tanh_no_attn_mask(
    grad_y, x, in_proj_weight, bias, num_heads, qkv, _t1, weights, y
):
    q = _chunk(qkv, 3, 0, -1)
    heads_q = _split_heads(q, num_heads) * _t1
    heads_k = _split_heads(_chunk(qkv, 3, 1, -1), num_heads)
    heads_v = _split_heads(_chunk(qkv, 3, 2, -1), num_heads)
    _t2 = np.swapaxes(heads_k, -1, -2)
    grad_z = y * y
    np.subtract(1, grad_z, out=grad_z)
    grad_z *= grad_y
    grad_bias = _sum_to(grad_z, bias.shape)
    _t3 = _split_heads(grad_z, num_heads)
    grad_heads_v, grad_heads_k, _t4 = in_row_blocks(
        _backward_identity_no_attn_mask_part1,
        heads_v,
        _t3,
        weights,
        _t2,
        heads_q,
        _t1,
        named=(3, 3, 3, 3, 3, None),
    )
    grad_qkv = _join_heads((_t4, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


def _backward_composed(grad_y, module, activation_ctx, linear_backward, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_FUSED = {
    ("identity", True): (_forward_identity, _backward_identity),
    ("relu", True): (_forward_relu, _backward_relu),
    ("gelu", True): (_forward_gelu, _backward_gelu),
    ("tanh", True): (_forward_tanh, _backward_tanh),
    ("identity", False): (
        _forward_identity_no_attn_mask,
        _backward_identity_no_attn_mask,
    ),
    ("relu", False): (_forward_relu_no_attn_mask, _backward_relu_no_attn_mask),
    ("gelu", False): (_forward_gelu_no_attn_mask, _backward_gelu_no_attn_mask),
    ("tanh", False): (_forward_tanh_no_attn_mask, _backward_tanh_no_attn_mask),
}
# The options each fused activation is specialized at; other values run it composed.
_FUSED_FIXED = {
    "gelu": {"approximate": "none"},
}


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


# self_attention_identity_fwd_0: layers_spec/layers/self_attention.yaml:24
_self_attention_identity_fwd_0 = ElementwiseKernel(
    "self_attention_identity_fwd_0",
    "T _t1, T _t4",
    "T heads_q",
    """
    heads_q = _t1 * _t4;
    """,
    scalars=("_t4",),
)


# self_attention_identity_fwd_1: layers_spec/layers/self_attention.yaml:29,32
_self_attention_identity_fwd_1 = RowKernel(
    "self_attention_identity_fwd_1",
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
    masks=("mask",),
)


# self_attention_identity_fwd_2: layers_spec/layers/self_attention.yaml:33
_self_attention_identity_fwd_2 = ElementwiseKernel(
    "self_attention_identity_fwd_2",
    "T _t9, T bias",
    "T z",
    """
    z = _t9 + bias;
    """,
)


def _cupy_forward_identity(x, in_proj_weight, bias, attn_mask, num_heads):
    import cupy as cp

    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    _t2 = x.shape[-1]
    _t3 = _t2 / num_heads
    _t4 = _t3 ** (-0.5)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    scores = _cupy_bmm(heads_q, _t7)
    weights = _self_attention_identity_fwd_1(scores, attn_mask)
    _t8 = _cupy_bmm(weights, heads_v)
    _t9 = _merge_heads(_t8, num_heads)
    z = _self_attention_identity_fwd_2(_t9, bias)
    return z, (x, in_proj_weight, bias, num_heads, qkv, _t4, weights)


# self_attention_identity_bwd_1: layers_spec/primitives.yaml:2973
_self_attention_identity_bwd_1 = RowBlockKernel(
    "self_attention_identity_bwd_1",
    "row T grad_weights, row T weights",
    "row T grad_allowed",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t16 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t16 = _Sum()(_t16, grad_weights * weights);
    )
    _t16 = _row_reduce(_t16, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t17 = grad_weights - _t16;
        const T grad_allowed = weights * _t17;
        _row_grad_allowed[_j] = grad_allowed;
    )
    """,
)


# self_attention_identity_bwd_2: layers_spec/primitives.yaml:61
_self_attention_identity_bwd_2 = ElementwiseKernel(
    "self_attention_identity_bwd_2",
    "T grad_heads_q, T _t4",
    "T _t28",
    """
    _t28 = grad_heads_q * _t4;
    """,
    scalars=("_t4",),
)


def _cupy_backward_identity(
    grad_y, x, in_proj_weight, bias, num_heads, qkv, _t4, weights
):
    import cupy as cp

    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    grad_bias = _cupy_sum_to(grad_y, bias.shape)
    _t11 = _split_heads(grad_y, num_heads)
    _t12 = cp.swapaxes(heads_v, -1, -2)
    grad_weights = _cupy_bmm(_t11, _t12)
    _t14 = cp.swapaxes(weights, -1, -2)
    grad_heads_v = _cupy_bmm(_t14, _t11)
    grad_allowed = _self_attention_identity_bwd_1(grad_weights, weights)
    _t19 = cp.swapaxes(_t7, -1, -2)
    grad_heads_q = _cupy_bmm(grad_allowed, _t19)
    _t21 = cp.swapaxes(heads_q, -1, -2)
    _t22 = _cupy_bmm(_t21, grad_allowed)
    grad_heads_k = cp.swapaxes(_t22, -1, -2)
    _t28 = _self_attention_identity_bwd_2(grad_heads_q, _t4)
    grad_qkv = _cupy_join_heads((_t28, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


# self_attention_relu_fwd_2: layers_spec/layers/self_attention.yaml:33; layers_spec/activations/relu.yaml:8
_self_attention_relu_fwd_2 = ElementwiseKernel(
    "self_attention_relu_fwd_2",
    "T _t9, T bias",
    "T z, T y",
    """
    z = _t9 + bias;
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu(x, in_proj_weight, bias, attn_mask, num_heads):
    import cupy as cp

    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    _t2 = x.shape[-1]
    _t3 = _t2 / num_heads
    _t4 = _t3 ** (-0.5)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    scores = _cupy_bmm(heads_q, _t7)
    weights = _self_attention_identity_fwd_1(scores, attn_mask)
    _t8 = _cupy_bmm(weights, heads_v)
    _t9 = _merge_heads(_t8, num_heads)
    z, y = _self_attention_relu_fwd_2(_t9, bias)
    return y, (x, in_proj_weight, bias, num_heads, qkv, _t4, weights, z)


# self_attention_relu_bwd_1: layers_spec/primitives.yaml:252
_self_attention_relu_bwd_1 = ElementwiseKernel(
    "self_attention_relu_bwd_1",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t10 = z > T(0);
    grad_z = grad_y * _t10;
    """,
)


# self_attention_relu_bwd_2: layers_spec/primitives.yaml:2973
_self_attention_relu_bwd_2 = RowBlockKernel(
    "self_attention_relu_bwd_2",
    "row T grad_weights, row T weights",
    "row T grad_allowed",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t18 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t18 = _Sum()(_t18, grad_weights * weights);
    )
    _t18 = _row_reduce(_t18, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t19 = grad_weights - _t18;
        const T grad_allowed = weights * _t19;
        _row_grad_allowed[_j] = grad_allowed;
    )
    """,
)


# self_attention_relu_bwd_3: layers_spec/primitives.yaml:61
_self_attention_relu_bwd_3 = ElementwiseKernel(
    "self_attention_relu_bwd_3",
    "T grad_heads_q, T _t4",
    "T _t30",
    """
    _t30 = grad_heads_q * _t4;
    """,
    scalars=("_t4",),
)


def _cupy_backward_relu(
    grad_y, x, in_proj_weight, bias, num_heads, qkv, _t4, weights, z
):
    import cupy as cp

    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    grad_z = _self_attention_relu_bwd_1(z, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    _t13 = _split_heads(grad_z, num_heads)
    _t14 = cp.swapaxes(heads_v, -1, -2)
    grad_weights = _cupy_bmm(_t13, _t14)
    _t16 = cp.swapaxes(weights, -1, -2)
    grad_heads_v = _cupy_bmm(_t16, _t13)
    grad_allowed = _self_attention_relu_bwd_2(grad_weights, weights)
    _t21 = cp.swapaxes(_t7, -1, -2)
    grad_heads_q = _cupy_bmm(grad_allowed, _t21)
    _t23 = cp.swapaxes(heads_q, -1, -2)
    _t24 = _cupy_bmm(_t23, grad_allowed)
    grad_heads_k = cp.swapaxes(_t24, -1, -2)
    _t30 = _self_attention_relu_bwd_3(grad_heads_q, _t4)
    grad_qkv = _cupy_join_heads((_t30, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


# self_attention_gelu_fwd_2: layers_spec/layers/self_attention.yaml:33; layers_spec/activations/gelu.yaml:23
_self_attention_gelu_fwd_2 = ElementwiseKernel(
    "self_attention_gelu_fwd_2",
    "T _t9, T bias",
    "T z, T y",
    """
    z = _t9 + bias;
    T _t10 = T(0.7071067811865476) * z;
    T _t11 = erf(_t10);
    T _t12 = T(0.5) * _t11;
    T _t13 = T(0.5) + _t12;
    y = z * _t13;
    """,
)


def _cupy_forward_gelu(x, in_proj_weight, bias, attn_mask, num_heads):
    import cupy as cp

    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    _t2 = x.shape[-1]
    _t3 = _t2 / num_heads
    _t4 = _t3 ** (-0.5)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    scores = _cupy_bmm(heads_q, _t7)
    weights = _self_attention_identity_fwd_1(scores, attn_mask)
    _t8 = _cupy_bmm(weights, heads_v)
    _t9 = _merge_heads(_t8, num_heads)
    z, y = _self_attention_gelu_fwd_2(_t9, bias)
    return y, (x, in_proj_weight, bias, num_heads, qkv, _t4, weights, z)


# self_attention_gelu_bwd_1: layers_spec/activations/gelu.yaml:23; layers_spec/primitives.yaml:61,62,1973
_self_attention_gelu_bwd_1 = ElementwiseKernel(
    "self_attention_gelu_bwd_1",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t10 = T(0.7071067811865476) * z;
    T _t11 = erf(_t10);
    T _t12 = T(0.5) * _t11;
    T _t13 = T(0.5) + _t12;
    T _t14 = grad_y * _t13;
    T _t15 = grad_y * z;
    T _t16 = _t15 * T(0.5);
    T _t17 = _t16 * T(1.1283791670955126);
    T _t18 = _t10 * _t10;
    T _t19 = -_t18;
    T _t20 = exp(_t19);
    T _t21 = _t17 * _t20;
    T _t22 = _t21 * T(0.7071067811865476);
    grad_z = _t14 + _t22;
    """,
)


# self_attention_gelu_bwd_2: layers_spec/primitives.yaml:2973
_self_attention_gelu_bwd_2 = RowBlockKernel(
    "self_attention_gelu_bwd_2",
    "row T grad_weights, row T weights",
    "row T grad_allowed",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t29 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t29 = _Sum()(_t29, grad_weights * weights);
    )
    _t29 = _row_reduce(_t29, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t30 = grad_weights - _t29;
        const T grad_allowed = weights * _t30;
        _row_grad_allowed[_j] = grad_allowed;
    )
    """,
)


# self_attention_gelu_bwd_3: layers_spec/primitives.yaml:61
_self_attention_gelu_bwd_3 = ElementwiseKernel(
    "self_attention_gelu_bwd_3",
    "T grad_heads_q, T _t4",
    "T _t41",
    """
    _t41 = grad_heads_q * _t4;
    """,
    scalars=("_t4",),
)


def _cupy_backward_gelu(
    grad_y, x, in_proj_weight, bias, num_heads, qkv, _t4, weights, z
):
    import cupy as cp

    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    grad_z = _self_attention_gelu_bwd_1(z, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    _t24 = _split_heads(grad_z, num_heads)
    _t25 = cp.swapaxes(heads_v, -1, -2)
    grad_weights = _cupy_bmm(_t24, _t25)
    _t27 = cp.swapaxes(weights, -1, -2)
    grad_heads_v = _cupy_bmm(_t27, _t24)
    grad_allowed = _self_attention_gelu_bwd_2(grad_weights, weights)
    _t32 = cp.swapaxes(_t7, -1, -2)
    grad_heads_q = _cupy_bmm(grad_allowed, _t32)
    _t34 = cp.swapaxes(heads_q, -1, -2)
    _t35 = _cupy_bmm(_t34, grad_allowed)
    grad_heads_k = cp.swapaxes(_t35, -1, -2)
    _t41 = _self_attention_gelu_bwd_3(grad_heads_q, _t4)
    grad_qkv = _cupy_join_heads((_t41, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


# self_attention_tanh_fwd_2: layers_spec/layers/self_attention.yaml:33; layers_spec/activations/tanh.yaml:8
_self_attention_tanh_fwd_2 = ElementwiseKernel(
    "self_attention_tanh_fwd_2",
    "T _t9, T bias",
    "T y",
    """
    T z = _t9 + bias;
    y = tanh(z);
    """,
)


def _cupy_forward_tanh(x, in_proj_weight, bias, attn_mask, num_heads):
    import cupy as cp

    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    _t2 = x.shape[-1]
    _t3 = _t2 / num_heads
    _t4 = _t3 ** (-0.5)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    scores = _cupy_bmm(heads_q, _t7)
    weights = _self_attention_identity_fwd_1(scores, attn_mask)
    _t8 = _cupy_bmm(weights, heads_v)
    _t9 = _merge_heads(_t8, num_heads)
    y = _self_attention_tanh_fwd_2(_t9, bias)
    return y, (x, in_proj_weight, bias, num_heads, qkv, _t4, weights, y)


# self_attention_tanh_bwd_1: layers_spec/primitives.yaml:180
_self_attention_tanh_bwd_1 = ElementwiseKernel(
    "self_attention_tanh_bwd_1",
    "T y, T grad_y",
    "T grad_z",
    """
    T _t10 = y * y;
    T _t11 = T(1) - _t10;
    grad_z = grad_y * _t11;
    """,
)


# self_attention_tanh_bwd_2: layers_spec/primitives.yaml:2973
_self_attention_tanh_bwd_2 = RowBlockKernel(
    "self_attention_tanh_bwd_2",
    "row T grad_weights, row T weights",
    "row T grad_allowed",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t19 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t19 = _Sum()(_t19, grad_weights * weights);
    )
    _t19 = _row_reduce(_t19, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t20 = grad_weights - _t19;
        const T grad_allowed = weights * _t20;
        _row_grad_allowed[_j] = grad_allowed;
    )
    """,
)


# self_attention_tanh_bwd_3: layers_spec/primitives.yaml:61
_self_attention_tanh_bwd_3 = ElementwiseKernel(
    "self_attention_tanh_bwd_3",
    "T grad_heads_q, T _t4",
    "T _t31",
    """
    _t31 = grad_heads_q * _t4;
    """,
    scalars=("_t4",),
)


def _cupy_backward_tanh(
    grad_y, x, in_proj_weight, bias, num_heads, qkv, _t4, weights, y
):
    import cupy as cp

    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    grad_z = _self_attention_tanh_bwd_1(y, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    _t14 = _split_heads(grad_z, num_heads)
    _t15 = cp.swapaxes(heads_v, -1, -2)
    grad_weights = _cupy_bmm(_t14, _t15)
    _t17 = cp.swapaxes(weights, -1, -2)
    grad_heads_v = _cupy_bmm(_t17, _t14)
    grad_allowed = _self_attention_tanh_bwd_2(grad_weights, weights)
    _t22 = cp.swapaxes(_t7, -1, -2)
    grad_heads_q = _cupy_bmm(grad_allowed, _t22)
    _t24 = cp.swapaxes(heads_q, -1, -2)
    _t25 = _cupy_bmm(_t24, grad_allowed)
    grad_heads_k = cp.swapaxes(_t25, -1, -2)
    _t31 = _self_attention_tanh_bwd_3(grad_heads_q, _t4)
    grad_qkv = _cupy_join_heads((_t31, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


# self_attention_identity_no_attn_mask_fwd_1: layers_spec/layers/self_attention.yaml:32
_self_attention_identity_no_attn_mask_fwd_1 = RowKernel(
    "self_attention_identity_no_attn_mask_fwd_1",
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
)


def _cupy_forward_identity_no_attn_mask(x, in_proj_weight, bias, attn_mask, num_heads):
    import cupy as cp

    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    _t2 = x.shape[-1]
    _t3 = _t2 / num_heads
    _t4 = _t3 ** (-0.5)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    scores = _cupy_bmm(heads_q, _t7)
    weights = _self_attention_identity_no_attn_mask_fwd_1(scores)
    _t8 = _cupy_bmm(weights, heads_v)
    _t9 = _merge_heads(_t8, num_heads)
    z = _self_attention_identity_fwd_2(_t9, bias)
    return z, (x, in_proj_weight, bias, num_heads, qkv, _t4, weights)


# self_attention_identity_no_attn_mask_bwd_1: layers_spec/primitives.yaml:2973
_self_attention_identity_no_attn_mask_bwd_1 = RowBlockKernel(
    "self_attention_identity_no_attn_mask_bwd_1",
    "row T grad_weights, row T weights",
    "row T grad_scores",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t16 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t16 = _Sum()(_t16, grad_weights * weights);
    )
    _t16 = _row_reduce(_t16, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t17 = grad_weights - _t16;
        const T grad_scores = weights * _t17;
        _row_grad_scores[_j] = grad_scores;
    )
    """,
)


def _cupy_backward_identity_no_attn_mask(
    grad_y, x, in_proj_weight, bias, num_heads, qkv, _t4, weights
):
    import cupy as cp

    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    grad_bias = _cupy_sum_to(grad_y, bias.shape)
    _t11 = _split_heads(grad_y, num_heads)
    _t12 = cp.swapaxes(heads_v, -1, -2)
    grad_weights = _cupy_bmm(_t11, _t12)
    _t14 = cp.swapaxes(weights, -1, -2)
    grad_heads_v = _cupy_bmm(_t14, _t11)
    grad_scores = _self_attention_identity_no_attn_mask_bwd_1(grad_weights, weights)
    _t19 = cp.swapaxes(_t7, -1, -2)
    grad_heads_q = _cupy_bmm(grad_scores, _t19)
    _t21 = cp.swapaxes(heads_q, -1, -2)
    _t22 = _cupy_bmm(_t21, grad_scores)
    grad_heads_k = cp.swapaxes(_t22, -1, -2)
    _t28 = _self_attention_identity_bwd_2(grad_heads_q, _t4)
    grad_qkv = _cupy_join_heads((_t28, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


def _cupy_forward_relu_no_attn_mask(x, in_proj_weight, bias, attn_mask, num_heads):
    import cupy as cp

    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    _t2 = x.shape[-1]
    _t3 = _t2 / num_heads
    _t4 = _t3 ** (-0.5)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    scores = _cupy_bmm(heads_q, _t7)
    weights = _self_attention_identity_no_attn_mask_fwd_1(scores)
    _t8 = _cupy_bmm(weights, heads_v)
    _t9 = _merge_heads(_t8, num_heads)
    z, y = _self_attention_relu_fwd_2(_t9, bias)
    return y, (x, in_proj_weight, bias, num_heads, qkv, _t4, weights, z)


# self_attention_relu_no_attn_mask_bwd_2: layers_spec/primitives.yaml:2973
_self_attention_relu_no_attn_mask_bwd_2 = RowBlockKernel(
    "self_attention_relu_no_attn_mask_bwd_2",
    "row T grad_weights, row T weights",
    "row T grad_scores",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t18 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t18 = _Sum()(_t18, grad_weights * weights);
    )
    _t18 = _row_reduce(_t18, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t19 = grad_weights - _t18;
        const T grad_scores = weights * _t19;
        _row_grad_scores[_j] = grad_scores;
    )
    """,
)


def _cupy_backward_relu_no_attn_mask(
    grad_y, x, in_proj_weight, bias, num_heads, qkv, _t4, weights, z
):
    import cupy as cp

    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    grad_z = _self_attention_relu_bwd_1(z, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    _t13 = _split_heads(grad_z, num_heads)
    _t14 = cp.swapaxes(heads_v, -1, -2)
    grad_weights = _cupy_bmm(_t13, _t14)
    _t16 = cp.swapaxes(weights, -1, -2)
    grad_heads_v = _cupy_bmm(_t16, _t13)
    grad_scores = _self_attention_relu_no_attn_mask_bwd_2(grad_weights, weights)
    _t21 = cp.swapaxes(_t7, -1, -2)
    grad_heads_q = _cupy_bmm(grad_scores, _t21)
    _t23 = cp.swapaxes(heads_q, -1, -2)
    _t24 = _cupy_bmm(_t23, grad_scores)
    grad_heads_k = cp.swapaxes(_t24, -1, -2)
    _t30 = _self_attention_relu_bwd_3(grad_heads_q, _t4)
    grad_qkv = _cupy_join_heads((_t30, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


def _cupy_forward_gelu_no_attn_mask(x, in_proj_weight, bias, attn_mask, num_heads):
    import cupy as cp

    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    _t2 = x.shape[-1]
    _t3 = _t2 / num_heads
    _t4 = _t3 ** (-0.5)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    scores = _cupy_bmm(heads_q, _t7)
    weights = _self_attention_identity_no_attn_mask_fwd_1(scores)
    _t8 = _cupy_bmm(weights, heads_v)
    _t9 = _merge_heads(_t8, num_heads)
    z, y = _self_attention_gelu_fwd_2(_t9, bias)
    return y, (x, in_proj_weight, bias, num_heads, qkv, _t4, weights, z)


# self_attention_gelu_no_attn_mask_bwd_2: layers_spec/primitives.yaml:2973
_self_attention_gelu_no_attn_mask_bwd_2 = RowBlockKernel(
    "self_attention_gelu_no_attn_mask_bwd_2",
    "row T grad_weights, row T weights",
    "row T grad_scores",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t29 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t29 = _Sum()(_t29, grad_weights * weights);
    )
    _t29 = _row_reduce(_t29, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t30 = grad_weights - _t29;
        const T grad_scores = weights * _t30;
        _row_grad_scores[_j] = grad_scores;
    )
    """,
)


def _cupy_backward_gelu_no_attn_mask(
    grad_y, x, in_proj_weight, bias, num_heads, qkv, _t4, weights, z
):
    import cupy as cp

    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    grad_z = _self_attention_gelu_bwd_1(z, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    _t24 = _split_heads(grad_z, num_heads)
    _t25 = cp.swapaxes(heads_v, -1, -2)
    grad_weights = _cupy_bmm(_t24, _t25)
    _t27 = cp.swapaxes(weights, -1, -2)
    grad_heads_v = _cupy_bmm(_t27, _t24)
    grad_scores = _self_attention_gelu_no_attn_mask_bwd_2(grad_weights, weights)
    _t32 = cp.swapaxes(_t7, -1, -2)
    grad_heads_q = _cupy_bmm(grad_scores, _t32)
    _t34 = cp.swapaxes(heads_q, -1, -2)
    _t35 = _cupy_bmm(_t34, grad_scores)
    grad_heads_k = cp.swapaxes(_t35, -1, -2)
    _t41 = _self_attention_gelu_bwd_3(grad_heads_q, _t4)
    grad_qkv = _cupy_join_heads((_t41, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


def _cupy_forward_tanh_no_attn_mask(x, in_proj_weight, bias, attn_mask, num_heads):
    import cupy as cp

    qkv = _linear(x, in_proj_weight)
    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    _t2 = x.shape[-1]
    _t3 = _t2 / num_heads
    _t4 = _t3 ** (-0.5)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    scores = _cupy_bmm(heads_q, _t7)
    weights = _self_attention_identity_no_attn_mask_fwd_1(scores)
    _t8 = _cupy_bmm(weights, heads_v)
    _t9 = _merge_heads(_t8, num_heads)
    y = _self_attention_tanh_fwd_2(_t9, bias)
    return y, (x, in_proj_weight, bias, num_heads, qkv, _t4, weights, y)


# self_attention_tanh_no_attn_mask_bwd_2: layers_spec/primitives.yaml:2973
_self_attention_tanh_no_attn_mask_bwd_2 = RowBlockKernel(
    "self_attention_tanh_no_attn_mask_bwd_2",
    "row T grad_weights, row T weights",
    "row T grad_scores",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t19 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t19 = _Sum()(_t19, grad_weights * weights);
    )
    _t19 = _row_reduce(_t19, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t20 = grad_weights - _t19;
        const T grad_scores = weights * _t20;
        _row_grad_scores[_j] = grad_scores;
    )
    """,
)


def _cupy_backward_tanh_no_attn_mask(
    grad_y, x, in_proj_weight, bias, num_heads, qkv, _t4, weights, y
):
    import cupy as cp

    q = _chunk(qkv, 3, 0, -1)
    _t1 = _split_heads(q, num_heads)
    heads_q = _self_attention_identity_fwd_0(_t1, _t4)
    _t5 = _chunk(qkv, 3, 1, -1)
    heads_k = _split_heads(_t5, num_heads)
    _t6 = _chunk(qkv, 3, 2, -1)
    heads_v = _split_heads(_t6, num_heads)
    _t7 = cp.swapaxes(heads_k, -1, -2)
    grad_z = _self_attention_tanh_bwd_1(y, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    _t14 = _split_heads(grad_z, num_heads)
    _t15 = cp.swapaxes(heads_v, -1, -2)
    grad_weights = _cupy_bmm(_t14, _t15)
    _t17 = cp.swapaxes(weights, -1, -2)
    grad_heads_v = _cupy_bmm(_t17, _t14)
    grad_scores = _self_attention_tanh_no_attn_mask_bwd_2(grad_weights, weights)
    _t22 = cp.swapaxes(_t7, -1, -2)
    grad_heads_q = _cupy_bmm(grad_scores, _t22)
    _t24 = cp.swapaxes(heads_q, -1, -2)
    _t25 = _cupy_bmm(_t24, grad_scores)
    grad_heads_k = cp.swapaxes(_t25, -1, -2)
    _t31 = _self_attention_tanh_bwd_3(grad_heads_q, _t4)
    grad_qkv = _cupy_join_heads((_t31, grad_heads_k, grad_heads_v), num_heads)
    grad_x = _linear_backward_input(grad_qkv, in_proj_weight)
    grad_in_proj_weight = _rows(grad_qkv).T @ _rows(x)
    return grad_x, grad_in_proj_weight, grad_bias


def _cupy_backward_composed(
    grad_y, module, activation_ctx, linear_backward, linear_saved
):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_CUPY_FUSED = {
    ("identity", True): (_cupy_forward_identity, _cupy_backward_identity),
    ("relu", True): (_cupy_forward_relu, _cupy_backward_relu),
    ("gelu", True): (_cupy_forward_gelu, _cupy_backward_gelu),
    ("tanh", True): (_cupy_forward_tanh, _cupy_backward_tanh),
    ("identity", False): (
        _cupy_forward_identity_no_attn_mask,
        _cupy_backward_identity_no_attn_mask,
    ),
    ("relu", False): (
        _cupy_forward_relu_no_attn_mask,
        _cupy_backward_relu_no_attn_mask,
    ),
    ("gelu", False): (
        _cupy_forward_gelu_no_attn_mask,
        _cupy_backward_gelu_no_attn_mask,
    ),
    ("tanh", False): (
        _cupy_forward_tanh_no_attn_mask,
        _cupy_backward_tanh_no_attn_mask,
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
