"""Attention: Single-head scaled dot-product attention with its own projections and no
biases: q = x @ query_weight.T, k and v likewise from kv (the cross form) or from x, y =
normalizer(q k^T / sqrt(A) + mask) v, as F.scaled_dot_product_attention of the
projections. The activation slot is the score normaliser: softmax by default, or
sparsemax (softmin is not offered: it would turn a mask's -inf into +inf). A boolean
attn_mask is True where a query may not see a key; a float one is added to the scores; a
query that sees no key gets NaN, as torch's softmax.
Generated from layers_spec/layers/attention.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_nonempty,
    activation_module,
    check_options,
    in_row_blocks,
    blas_flags_ignored,
    in_chunks,
)
from layerforge._cupy_runtime import (
    ElementwiseKernel,
    RowBlockKernel,
    RowKernel,
    on_gpu,
)

__all__ = ["forward", "backward"]

INPUTS = ("x", "kv", "attn_mask")
PARAMETERS = ("query_weight", "key_weight", "value_weight")
OUTPUTS = ("y",)


def forward(
    x,
    query_weight,
    key_weight,
    value_weight,
    kv=None,
    attn_mask=None,
    *,
    activation="softmax",
    activation_options=None,
):
    """Attention forward pass.

    Single-head scaled dot-product attention with its own projections and no biases: q =
    x @ query_weight.T, k and v likewise from kv (the cross form) or from x, y =
    normalizer(q k^T / sqrt(A) + mask) v, as F.scaled_dot_product_attention of the
    projections. The activation slot is the score normaliser: softmax by default, or
    sparsemax (softmin is not offered: it would turn a mask's -inf into +inf). A boolean
    attn_mask is True where a query may not see a key; a float one is added to the
    scores; a query that sees no key gets NaN, as torch's softmax.

    Args:
        x: float32 or float64 input of shape [..., S, I]. Queries [..., S, I]; also keys
            and values when kv is None.
        query_weight: float32 or float64 parameter of shape [A, I]. W_q in
            torch.nn.Linear's layout [out, in].
        key_weight: float32 or float64 parameter of shape [A, I].
        value_weight: float32 or float64 parameter of shape [A, I].
        kv: float32 or float64 input of shape [..., S_kv, I], None to leave it out. Keys
            and values [..., S_kv, I] of the cross form.
        attn_mask: bool or float mask (no gradient) input of shape [S, S_kv], None to
            leave it out. True (or -inf) where query i may not attend to key j; a float
            mask is added to the scores.
        activation: name of the activation applied to the result, default 'softmax';
            softmax, sparsemax are fused into specialized code, and only these: the slot
            is not the layer's last step.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "attention",
        {
            "x": x,
            "query_weight": query_weight,
            "key_weight": key_weight,
            "value_weight": value_weight,
            "kv": kv,
            "attn_mask": attn_mask,
        },
        {
            "x": ("...", "S", "I"),
            "query_weight": ("A", "I"),
            "key_weight": ("A", "I"),
            "value_weight": ("A", "I"),
            "kv": ("...", "S_kv", "I"),
            "attn_mask": ("S", "S_kv"),
        },
        optional=("kv", "attn_mask"),
        kinds={"attn_mask": "mask"},
        same=(("S_kv", "S"),) if kv is None else (),
    )
    check_nonempty("attention", "x", x.shape, -1)
    check_nonempty("attention", "query_weight", query_weight.shape, 0)
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get((activation, kv is not None, attn_mask is not None))
        fixed = _FUSED_FIXED.get(activation, {})
        if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
            options = {k: v for k, v in options.items() if k not in fixed}
            forward_variant, backward_variant = fused
            if options:
                check_options("attention", activation, options)
            y, saved = forward_variant(
                x, query_weight, key_weight, value_weight, kv, attn_mask, **options
            )
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        raise ValueError(
            f"attention: activation {activation!r} cannot fill this layer's slot, "
            "which is not its last step (no composition); choose one of "
            f"{', '.join(dict.fromkeys(key[0] for key in _CUPY_FUSED))}"
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get((activation, kv is not None, attn_mask is not None))
    fixed = _FUSED_FIXED.get(activation, {})
    if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
        options = {k: v for k, v in options.items() if k not in fixed}
        forward_variant, backward_variant = fused
        if options:
            check_options("attention", activation, options)
        y, saved = forward_variant(
            x, query_weight, key_weight, value_weight, kv, attn_mask, **options
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    raise ValueError(
        f"attention: activation {activation!r} cannot fill this layer's slot, "
        "which is not its last step (no composition); choose one of "
        f"{', '.join(dict.fromkeys(key[0] for key in _FUSED))}"
    )


def backward(grad_y, ctx):
    """Attention backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_query_weight, grad_key_weight, grad_value_weight, grad_kv:
            gradients with respect to x, query_weight, key_weight, value_weight, kv, in
            that order.
    """
    backward_variant, saved = check_context(
        "attention", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_softmax_part1(k, q, attn_mask, v):
    _t1 = np.swapaxes(k, -1, -2)
    scores = _bmm(q, _t1)
    allowed = _apply_mask(scores, attn_mask)
    softmax_shifted = allowed - _amax(allowed, -1)
    softmax_exponentials = np.exp(softmax_shifted, out=softmax_shifted)
    weights = np.divide(
        softmax_exponentials, _sum(softmax_exponentials, -1), out=softmax_exponentials
    )
    y = _bmm(weights, v)
    return _t1, weights, y


def _forward_softmax(x, query_weight, key_weight, value_weight, kv, attn_mask):
    _t1 = query_weight.shape[0] ** -0.5
    q = _linear(x, query_weight)
    q *= _t1
    k = _linear(kv, key_weight)
    v = _linear(kv, value_weight)
    _t2, weights, y = in_row_blocks(
        _forward_softmax_part1, k, q, attn_mask, v, named=(2, 2, None, 2)
    )
    return y, (x, kv, query_weight, key_weight, value_weight, _t1, q, v, _t2, weights)


def _backward_softmax_part1(v, grad_y, weights, _t1, q):
    grad_weights = _bmm(grad_y, np.swapaxes(v, -1, -2))
    grad_v = _bmm(np.swapaxes(weights, -1, -2), grad_y)
    grad_allowed = np.subtract(
        grad_weights, _sum(grad_weights * weights, -1), out=grad_weights
    )
    grad_allowed *= weights
    grad_q = _bmm(grad_allowed, np.swapaxes(_t1, -1, -2))
    grad_k = np.swapaxes(_bmm(np.swapaxes(q, -1, -2), grad_allowed), -1, -2)
    return grad_v, grad_q, grad_k


def _backward_softmax(
    grad_y, x, kv, query_weight, key_weight, value_weight, _t1, q, v, _t2, weights
):
    grad_v, grad_q, grad_k = in_row_blocks(
        _backward_softmax_part1, v, grad_y, weights, _t2, q, named=(2, 2, 2, 2, 2)
    )
    grad_value_weight = _rows(grad_v).T @ _rows(kv)
    grad_key_weight = _rows(grad_k).T @ _rows(kv)
    _t3 = grad_q * _t1
    grad_x = _linear_backward_input(_t3, query_weight)
    grad_query_weight = _rows(_t3).T @ _rows(x)
    grad_kv = _linear_backward_input(grad_v, value_weight) + _linear_backward_input(
        grad_k, key_weight
    )
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, grad_kv


def _forward_sparsemax(x, query_weight, key_weight, value_weight, kv, attn_mask):
    _t1 = query_weight.shape[0] ** -0.5
    q = _linear(x, query_weight)
    q *= _t1
    k = _linear(kv, key_weight)
    v = _linear(kv, value_weight)
    _t2 = np.swapaxes(k, -1, -2)
    scores = _bmm(q, _t2)
    allowed = _apply_mask(scores, attn_mask)
    sparsemax_tau = _sparsemax_threshold(allowed)
    weights = allowed - sparsemax_tau
    np.clip(weights, 0, np.inf, out=weights)
    y = _bmm(weights, v)
    return y, (
        x,
        kv,
        query_weight,
        key_weight,
        value_weight,
        _t1,
        q,
        v,
        _t2,
        scores,
        weights,
    )


def _backward_sparsemax_part1(v, grad_y, weights, scores, _t1, q):
    grad_weights = _bmm(grad_y, np.swapaxes(v, -1, -2))
    grad_v = _bmm(np.swapaxes(weights, -1, -2), grad_y)
    _t2 = (weights > 0).astype(scores.dtype)
    grad_allowed = np.subtract(
        grad_weights, _sum(grad_weights * _t2, -1) / _sum(_t2, -1), out=grad_weights
    )
    grad_allowed *= _t2
    grad_q = _bmm(grad_allowed, np.swapaxes(_t1, -1, -2))
    grad_k = np.swapaxes(_bmm(np.swapaxes(q, -1, -2), grad_allowed), -1, -2)
    return grad_v, grad_q, grad_k


def _backward_sparsemax(
    grad_y,
    x,
    kv,
    query_weight,
    key_weight,
    value_weight,
    _t1,
    q,
    v,
    _t2,
    scores,
    weights,
):
    grad_v, grad_q, grad_k = in_row_blocks(
        _backward_sparsemax_part1,
        v,
        grad_y,
        weights,
        scores,
        _t2,
        q,
        named=(2, 2, 2, 2, 2, 2),
    )
    grad_value_weight = _rows(grad_v).T @ _rows(kv)
    grad_key_weight = _rows(grad_k).T @ _rows(kv)
    _t3 = grad_q * _t1
    grad_x = _linear_backward_input(_t3, query_weight)
    grad_query_weight = _rows(_t3).T @ _rows(x)
    grad_kv = _linear_backward_input(grad_v, value_weight) + _linear_backward_input(
        grad_k, key_weight
    )
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, grad_kv


def _forward_softmax_no_attn_mask_part1(k, q, v):
    _t1 = np.swapaxes(k, -1, -2)
    scores = _bmm(q, _t1)
    softmax_shifted = np.subtract(scores, _amax(scores, -1), out=scores)
    softmax_exponentials = np.exp(softmax_shifted, out=softmax_shifted)
    weights = np.divide(
        softmax_exponentials, _sum(softmax_exponentials, -1), out=softmax_exponentials
    )
    y = _bmm(weights, v)
    return _t1, weights, y


def _forward_softmax_no_attn_mask(
    x, query_weight, key_weight, value_weight, kv, attn_mask
):
    _t1 = query_weight.shape[0] ** -0.5
    q = _linear(x, query_weight)
    q *= _t1
    k = _linear(kv, key_weight)
    v = _linear(kv, value_weight)
    _t2, weights, y = in_row_blocks(
        _forward_softmax_no_attn_mask_part1, k, q, v, named=(2, 2, 2)
    )
    return y, (x, kv, query_weight, key_weight, value_weight, _t1, q, v, _t2, weights)


def _backward_softmax_no_attn_mask_part1(v, grad_y, weights, _t1, q):
    grad_weights = _bmm(grad_y, np.swapaxes(v, -1, -2))
    grad_v = _bmm(np.swapaxes(weights, -1, -2), grad_y)
    grad_scores = np.subtract(
        grad_weights, _sum(grad_weights * weights, -1), out=grad_weights
    )
    grad_scores *= weights
    grad_q = _bmm(grad_scores, np.swapaxes(_t1, -1, -2))
    grad_k = np.swapaxes(_bmm(np.swapaxes(q, -1, -2), grad_scores), -1, -2)
    return grad_v, grad_q, grad_k


def _backward_softmax_no_attn_mask(
    grad_y, x, kv, query_weight, key_weight, value_weight, _t1, q, v, _t2, weights
):
    grad_v, grad_q, grad_k = in_row_blocks(
        _backward_softmax_no_attn_mask_part1,
        v,
        grad_y,
        weights,
        _t2,
        q,
        named=(2, 2, 2, 2, 2),
    )
    grad_value_weight = _rows(grad_v).T @ _rows(kv)
    grad_key_weight = _rows(grad_k).T @ _rows(kv)
    _t3 = grad_q * _t1
    grad_x = _linear_backward_input(_t3, query_weight)
    grad_query_weight = _rows(_t3).T @ _rows(x)
    grad_kv = _linear_backward_input(grad_v, value_weight) + _linear_backward_input(
        grad_k, key_weight
    )
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, grad_kv


def _forward_sparsemax_no_attn_mask(
    x, query_weight, key_weight, value_weight, kv, attn_mask
):
    _t1 = query_weight.shape[0] ** -0.5
    q = _linear(x, query_weight)
    q *= _t1
    k = _linear(kv, key_weight)
    v = _linear(kv, value_weight)
    _t2 = np.swapaxes(k, -1, -2)
    scores = _bmm(q, _t2)
    sparsemax_tau = _sparsemax_threshold(scores)
    weights = scores - sparsemax_tau
    np.clip(weights, 0, np.inf, out=weights)
    y = _bmm(weights, v)
    return y, (
        x,
        kv,
        query_weight,
        key_weight,
        value_weight,
        _t1,
        q,
        v,
        _t2,
        scores,
        weights,
    )


def _backward_sparsemax_no_attn_mask_part1(v, grad_y, weights, scores, _t1, q):
    grad_weights = _bmm(grad_y, np.swapaxes(v, -1, -2))
    grad_v = _bmm(np.swapaxes(weights, -1, -2), grad_y)
    _t2 = (weights > 0).astype(scores.dtype)
    grad_scores = np.subtract(
        grad_weights, _sum(grad_weights * _t2, -1) / _sum(_t2, -1), out=grad_weights
    )
    grad_scores *= _t2
    grad_q = _bmm(grad_scores, np.swapaxes(_t1, -1, -2))
    grad_k = np.swapaxes(_bmm(np.swapaxes(q, -1, -2), grad_scores), -1, -2)
    return grad_v, grad_q, grad_k


def _backward_sparsemax_no_attn_mask(
    grad_y,
    x,
    kv,
    query_weight,
    key_weight,
    value_weight,
    _t1,
    q,
    v,
    _t2,
    scores,
    weights,
):
    grad_v, grad_q, grad_k = in_row_blocks(
        _backward_sparsemax_no_attn_mask_part1,
        v,
        grad_y,
        weights,
        scores,
        _t2,
        q,
        named=(2, 2, 2, 2, 2, 2),
    )
    grad_value_weight = _rows(grad_v).T @ _rows(kv)
    grad_key_weight = _rows(grad_k).T @ _rows(kv)
    _t3 = grad_q * _t1
    grad_x = _linear_backward_input(_t3, query_weight)
    grad_query_weight = _rows(_t3).T @ _rows(x)
    grad_kv = _linear_backward_input(grad_v, value_weight) + _linear_backward_input(
        grad_k, key_weight
    )
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, grad_kv


def _forward_softmax_no_kv(x, query_weight, key_weight, value_weight, kv, attn_mask):
    _t1 = query_weight.shape[0] ** -0.5
    q = _linear(x, query_weight)
    q *= _t1
    k = _linear(x, key_weight)
    v = _linear(x, value_weight)
    _t2, weights, y = in_row_blocks(
        _forward_softmax_part1, k, q, attn_mask, v, named=(2, 2, None, 2)
    )
    return y, (x, kv, query_weight, key_weight, value_weight, _t1, q, v, _t2, weights)


def _backward_softmax_no_kv(
    grad_y, x, kv, query_weight, key_weight, value_weight, _t1, q, v, _t2, weights
):
    grad_v, grad_q, grad_k = in_row_blocks(
        _backward_softmax_part1, v, grad_y, weights, _t2, q, named=(2, 2, 2, 2, 2)
    )
    grad_value_weight = _rows(grad_v).T @ _rows(x)
    grad_key_weight = _rows(grad_k).T @ _rows(x)
    _t3 = grad_q * _t1
    grad_query_weight = _rows(_t3).T @ _rows(x)
    grad_x = (
        _linear_backward_input(grad_v, value_weight)
        + _linear_backward_input(grad_k, key_weight)
        + _linear_backward_input(_t3, query_weight)
    )
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, None


def _forward_sparsemax_no_kv(x, query_weight, key_weight, value_weight, kv, attn_mask):
    _t1 = query_weight.shape[0] ** -0.5
    q = _linear(x, query_weight)
    q *= _t1
    k = _linear(x, key_weight)
    v = _linear(x, value_weight)
    _t2 = np.swapaxes(k, -1, -2)
    scores = _bmm(q, _t2)
    allowed = _apply_mask(scores, attn_mask)
    sparsemax_tau = _sparsemax_threshold(allowed)
    weights = allowed - sparsemax_tau
    np.clip(weights, 0, np.inf, out=weights)
    y = _bmm(weights, v)
    return y, (
        x,
        kv,
        query_weight,
        key_weight,
        value_weight,
        _t1,
        q,
        v,
        _t2,
        scores,
        weights,
    )


def _backward_sparsemax_no_kv(
    grad_y,
    x,
    kv,
    query_weight,
    key_weight,
    value_weight,
    _t1,
    q,
    v,
    _t2,
    scores,
    weights,
):
    grad_v, grad_q, grad_k = in_row_blocks(
        _backward_sparsemax_part1,
        v,
        grad_y,
        weights,
        scores,
        _t2,
        q,
        named=(2, 2, 2, 2, 2, 2),
    )
    grad_value_weight = _rows(grad_v).T @ _rows(x)
    grad_key_weight = _rows(grad_k).T @ _rows(x)
    _t3 = grad_q * _t1
    grad_query_weight = _rows(_t3).T @ _rows(x)
    grad_x = (
        _linear_backward_input(grad_v, value_weight)
        + _linear_backward_input(grad_k, key_weight)
        + _linear_backward_input(_t3, query_weight)
    )
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, None


def _forward_softmax_no_kv_no_attn_mask(
    x, query_weight, key_weight, value_weight, kv, attn_mask
):
    _t1 = query_weight.shape[0] ** -0.5
    q = _linear(x, query_weight)
    q *= _t1
    k = _linear(x, key_weight)
    v = _linear(x, value_weight)
    _t2, weights, y = in_row_blocks(
        _forward_softmax_no_attn_mask_part1, k, q, v, named=(2, 2, 2)
    )
    return y, (x, kv, query_weight, key_weight, value_weight, _t1, q, v, _t2, weights)


def _backward_softmax_no_kv_no_attn_mask(
    grad_y, x, kv, query_weight, key_weight, value_weight, _t1, q, v, _t2, weights
):
    grad_v, grad_q, grad_k = in_row_blocks(
        _backward_softmax_no_attn_mask_part1,
        v,
        grad_y,
        weights,
        _t2,
        q,
        named=(2, 2, 2, 2, 2),
    )
    grad_value_weight = _rows(grad_v).T @ _rows(x)
    grad_key_weight = _rows(grad_k).T @ _rows(x)
    _t3 = grad_q * _t1
    grad_query_weight = _rows(_t3).T @ _rows(x)
    grad_x = (
        _linear_backward_input(grad_v, value_weight)
        + _linear_backward_input(grad_k, key_weight)
        + _linear_backward_input(_t3, query_weight)
    )
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, None


def _forward_sparsemax_no_kv_no_attn_mask(
    x, query_weight, key_weight, value_weight, kv, attn_mask
):
    _t1 = query_weight.shape[0] ** -0.5
    q = _linear(x, query_weight)
    q *= _t1
    k = _linear(x, key_weight)
    v = _linear(x, value_weight)
    _t2 = np.swapaxes(k, -1, -2)
    scores = _bmm(q, _t2)
    sparsemax_tau = _sparsemax_threshold(scores)
    weights = scores - sparsemax_tau
    np.clip(weights, 0, np.inf, out=weights)
    y = _bmm(weights, v)
    return y, (
        x,
        kv,
        query_weight,
        key_weight,
        value_weight,
        _t1,
        q,
        v,
        _t2,
        scores,
        weights,
    )


def _backward_sparsemax_no_kv_no_attn_mask(
    grad_y,
    x,
    kv,
    query_weight,
    key_weight,
    value_weight,
    _t1,
    q,
    v,
    _t2,
    scores,
    weights,
):
    grad_v, grad_q, grad_k = in_row_blocks(
        _backward_sparsemax_no_attn_mask_part1,
        v,
        grad_y,
        weights,
        scores,
        _t2,
        q,
        named=(2, 2, 2, 2, 2, 2),
    )
    grad_value_weight = _rows(grad_v).T @ _rows(x)
    grad_key_weight = _rows(grad_k).T @ _rows(x)
    _t3 = grad_q * _t1
    grad_query_weight = _rows(_t3).T @ _rows(x)
    grad_x = (
        _linear_backward_input(grad_v, value_weight)
        + _linear_backward_input(grad_k, key_weight)
        + _linear_backward_input(_t3, query_weight)
    )
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, None


_FUSED = {
    ("softmax", True, True): (_forward_softmax, _backward_softmax),
    ("sparsemax", True, True): (_forward_sparsemax, _backward_sparsemax),
    ("softmax", True, False): (
        _forward_softmax_no_attn_mask,
        _backward_softmax_no_attn_mask,
    ),
    ("sparsemax", True, False): (
        _forward_sparsemax_no_attn_mask,
        _backward_sparsemax_no_attn_mask,
    ),
    ("softmax", False, True): (_forward_softmax_no_kv, _backward_softmax_no_kv),
    ("sparsemax", False, True): (_forward_sparsemax_no_kv, _backward_sparsemax_no_kv),
    ("softmax", False, False): (
        _forward_softmax_no_kv_no_attn_mask,
        _backward_softmax_no_kv_no_attn_mask,
    ),
    ("sparsemax", False, False): (
        _forward_sparsemax_no_kv_no_attn_mask,
        _backward_sparsemax_no_kv_no_attn_mask,
    ),
}
# The options each fused activation is specialized at; other values run it composed.
_FUSED_FIXED = {
    "softmax": {"dim": -1},
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


def _sparsemax_threshold(z):
    """The sparsemax threshold tau along the last axis, kept as a trailing axis of 1."""
    if not z.shape[-1]:  # an empty row: tau is never used
        return np.zeros((*z.shape[:-1], 1), z.dtype)
    z_sorted = -np.sort(-z, axis=-1)
    cumulative = np.cumsum(z_sorted, axis=-1)
    k = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    support_size = np.sum(1 + k * z_sorted > cumulative, axis=-1, keepdims=True)
    total = np.take_along_axis(cumulative, support_size - 1, axis=-1)
    return (total - 1) / support_size.astype(z.dtype)


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


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# attention_softmax_fwd_0: layers_spec/layers/attention.yaml:23
_attention_softmax_fwd_0 = ElementwiseKernel(
    "attention_softmax_fwd_0",
    "T _t1, T _t3",
    "T q",
    """
    q = _t1 * _t3;
    """,
    scalars=("_t3",),
)


# attention_softmax_fwd_1: layers_spec/activations/softmax.yaml:10,11,12
_attention_softmax_fwd_1 = RowBlockKernel(
    "attention_softmax_fwd_1",
    "row T allowed",
    "row T weights",
    """
    T _c_allowed[LF_REGISTERS];
    T _t5 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T allowed = _at.fill(_c_allowed, _row_allowed, _j);
        _t5 = _Max()(_t5, allowed);
    )
    _t5 = _row_reduce(_t5, _Max());
    const T _t6 = _t5;
    T _t7 = T(0);
    LF_ROW_LOOP(
        const T allowed = _at.get(_c_allowed, _row_allowed, _j);
        const T softmax_shifted = allowed - _t6;
        const T softmax_exponentials = exp(softmax_shifted);
        _t7 = _Sum()(_t7, softmax_exponentials);
    )
    _t7 = _row_reduce(_t7, _Sum());
    LF_ROW_LOOP(
        const T allowed = _at.get(_c_allowed, _row_allowed, _j);
        const T softmax_shifted = allowed - _t6;
        const T softmax_exponentials = exp(softmax_shifted);
        const T weights = softmax_exponentials / _t7;
        _row_weights[_j] = weights;
    )
    """,
)


def _cupy_forward_softmax(x, query_weight, key_weight, value_weight, kv, attn_mask):
    import cupy as cp

    _t1 = _linear(x, query_weight)
    _t2 = query_weight.shape[0]
    _t3 = _t2 ** (-0.5)
    q = _attention_softmax_fwd_0(_t1, _t3)
    k = _linear(kv, key_weight)
    v = _linear(kv, value_weight)
    _t4 = cp.swapaxes(k, -1, -2)
    scores = _cupy_bmm(q, _t4)
    allowed = _cupy_apply_mask(scores, attn_mask)
    weights = _attention_softmax_fwd_1(allowed)
    y = _cupy_bmm(weights, v)
    return y, (x, kv, query_weight, key_weight, value_weight, _t3, q, v, _t4, weights)


# attention_softmax_bwd_0: layers_spec/activations/softmax.yaml:14
_attention_softmax_bwd_0 = RowBlockKernel(
    "attention_softmax_bwd_0",
    "row T grad_weights, row T weights",
    "row T grad_allowed",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t13 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        const T _t12 = grad_weights * weights;
        _t13 = _Sum()(_t13, _t12);
    )
    _t13 = _row_reduce(_t13, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t14 = grad_weights - _t13;
        const T grad_allowed = weights * _t14;
        _row_grad_allowed[_j] = grad_allowed;
    )
    """,
)


# attention_softmax_bwd_1: layers_spec/primitives.yaml:61
_attention_softmax_bwd_1 = ElementwiseKernel(
    "attention_softmax_bwd_1",
    "T grad_q, T _t3",
    "T _t25",
    """
    _t25 = grad_q * _t3;
    """,
    scalars=("_t3",),
)


# attention_softmax_bwd_2: layers_spec/primitives.yaml:522
_attention_softmax_bwd_2 = ElementwiseKernel(
    "attention_softmax_bwd_2",
    "T _t21, T _t23",
    "T grad_kv",
    """
    grad_kv = _t21 + _t23;
    """,
)


def _cupy_backward_softmax(
    grad_y, x, kv, query_weight, key_weight, value_weight, _t3, q, v, _t4, weights
):
    import cupy as cp

    _t8 = cp.swapaxes(v, -1, -2)
    grad_weights = _cupy_bmm(grad_y, _t8)
    _t10 = cp.swapaxes(weights, -1, -2)
    grad_v = _cupy_bmm(_t10, grad_y)
    grad_allowed = _attention_softmax_bwd_0(grad_weights, weights)
    _t16 = cp.swapaxes(_t4, -1, -2)
    grad_q = _cupy_bmm(grad_allowed, _t16)
    _t18 = cp.swapaxes(q, -1, -2)
    _t19 = _cupy_bmm(_t18, grad_allowed)
    grad_k = cp.swapaxes(_t19, -1, -2)
    _t21 = _linear_backward_input(grad_v, value_weight)
    grad_value_weight = _rows(grad_v).T @ _rows(kv)
    _t23 = _linear_backward_input(grad_k, key_weight)
    grad_key_weight = _rows(grad_k).T @ _rows(kv)
    _t25 = _attention_softmax_bwd_1(grad_q, _t3)
    grad_x = _linear_backward_input(_t25, query_weight)
    grad_query_weight = _rows(_t25).T @ _rows(x)
    grad_kv = _attention_softmax_bwd_2(_t21, _t23)
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, grad_kv


# attention_sparsemax_fwd_1: layers_spec/activations/sparsemax.yaml:10
_attention_sparsemax_fwd_1 = RowKernel(
    "attention_sparsemax_fwd_1",
    "sparsemax_threshold_row",
    row_width=1,
    preamble="""
    template <typename T>
    __device__ void sparsemax_threshold_row(const T* z, T* out, long long n) {
        // Michelot's iteration: tau = (sum of the support - 1) / its size, the support being
        // {z > tau}; from the whole row tau only grows and the support only shrinks.
        T total = T(0);
        for (long long k = 0; k < n; ++k) total += z[k];
        T tau = (total - T(1)) / T(n);
        long long size = n;
        for (long long round = 0; round < n && tau == tau; ++round) {
            T kept = T(0);
            long long count = 0;
            for (long long k = 0; k < n; ++k) {
                if (z[k] > tau) {
                    kept += z[k];
                    ++count;
                }
            }
            if (count == size || count == 0) break;
            size = count;
            tau = (kept - T(1)) / T(size);
        }
        out[0] = tau;
    }
    """,
)


# attention_sparsemax_fwd_2: layers_spec/activations/sparsemax.yaml:11
_attention_sparsemax_fwd_2 = ElementwiseKernel(
    "attention_sparsemax_fwd_2",
    "T allowed, T sparsemax_tau",
    "T weights",
    """
    T _t5 = allowed - sparsemax_tau;
    weights = _t5 > T(0) || _t5 != _t5 ? _t5 : T(0);
    """,
)


def _cupy_forward_sparsemax(x, query_weight, key_weight, value_weight, kv, attn_mask):
    import cupy as cp

    _t1 = _linear(x, query_weight)
    _t2 = query_weight.shape[0]
    _t3 = _t2 ** (-0.5)
    q = _attention_softmax_fwd_0(_t1, _t3)
    k = _linear(kv, key_weight)
    v = _linear(kv, value_weight)
    _t4 = cp.swapaxes(k, -1, -2)
    scores = _cupy_bmm(q, _t4)
    allowed = _cupy_apply_mask(scores, attn_mask)
    sparsemax_tau = _attention_sparsemax_fwd_1(allowed)
    weights = _attention_sparsemax_fwd_2(allowed, sparsemax_tau)
    y = _cupy_bmm(weights, v)
    return y, (
        x,
        kv,
        query_weight,
        key_weight,
        value_weight,
        _t3,
        q,
        v,
        _t4,
        scores,
        weights,
    )


# attention_sparsemax_bwd_0: layers_spec/activations/sparsemax.yaml:13
_attention_sparsemax_bwd_0 = ElementwiseKernel(
    "attention_sparsemax_bwd_0",
    "T weights, T scores",
    "T _t11",
    """
    bool _t10 = weights > T(0);
    _t11 = _t10;
    """,
)


# attention_sparsemax_bwd_1: layers_spec/activations/sparsemax.yaml:14
_attention_sparsemax_bwd_1 = RowBlockKernel(
    "attention_sparsemax_bwd_1",
    "row T grad_weights, row T _t11",
    "row T grad_allowed",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c__t11[LF_REGISTERS];
    T _t13 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T _t11 = _at.fill(_c__t11, _row__t11, _j);
        const T _t12 = grad_weights * _t11;
        _t13 = _Sum()(_t13, _t12);
    )
    _t13 = _row_reduce(_t13, _Sum());
    T _t14 = T(0);
    LF_ROW_LOOP(
        const T _t11 = _at.get(_c__t11, _row__t11, _j);
        _t14 = _Sum()(_t14, _t11);
    )
    _t14 = _row_reduce(_t14, _Sum());
    const T _t15 = _t13 / _t14;
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T _t11 = _at.get(_c__t11, _row__t11, _j);
        const T _t16 = grad_weights - _t15;
        const T grad_allowed = _t11 * _t16;
        _row_grad_allowed[_j] = grad_allowed;
    )
    """,
)


# attention_sparsemax_bwd_2: layers_spec/primitives.yaml:61
_attention_sparsemax_bwd_2 = ElementwiseKernel(
    "attention_sparsemax_bwd_2",
    "T grad_q, T _t3",
    "T _t27",
    """
    _t27 = grad_q * _t3;
    """,
    scalars=("_t3",),
)


# attention_sparsemax_bwd_3: layers_spec/primitives.yaml:522
_attention_sparsemax_bwd_3 = ElementwiseKernel(
    "attention_sparsemax_bwd_3",
    "T _t23, T _t25",
    "T grad_kv",
    """
    grad_kv = _t23 + _t25;
    """,
)


def _cupy_backward_sparsemax(
    grad_y,
    x,
    kv,
    query_weight,
    key_weight,
    value_weight,
    _t3,
    q,
    v,
    _t4,
    scores,
    weights,
):
    import cupy as cp

    _t6 = cp.swapaxes(v, -1, -2)
    grad_weights = _cupy_bmm(grad_y, _t6)
    _t8 = cp.swapaxes(weights, -1, -2)
    grad_v = _cupy_bmm(_t8, grad_y)
    _t11 = _attention_sparsemax_bwd_0(weights, scores)
    grad_allowed = _attention_sparsemax_bwd_1(grad_weights, _t11)
    _t18 = cp.swapaxes(_t4, -1, -2)
    grad_q = _cupy_bmm(grad_allowed, _t18)
    _t20 = cp.swapaxes(q, -1, -2)
    _t21 = _cupy_bmm(_t20, grad_allowed)
    grad_k = cp.swapaxes(_t21, -1, -2)
    _t23 = _linear_backward_input(grad_v, value_weight)
    grad_value_weight = _rows(grad_v).T @ _rows(kv)
    _t25 = _linear_backward_input(grad_k, key_weight)
    grad_key_weight = _rows(grad_k).T @ _rows(kv)
    _t27 = _attention_sparsemax_bwd_2(grad_q, _t3)
    grad_x = _linear_backward_input(_t27, query_weight)
    grad_query_weight = _rows(_t27).T @ _rows(x)
    grad_kv = _attention_sparsemax_bwd_3(_t23, _t25)
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, grad_kv


# attention_softmax_no_attn_mask_fwd_1: layers_spec/activations/softmax.yaml:10,11,12
_attention_softmax_no_attn_mask_fwd_1 = RowBlockKernel(
    "attention_softmax_no_attn_mask_fwd_1",
    "row T scores",
    "row T weights",
    """
    T _c_scores[LF_REGISTERS];
    T _t5 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T scores = _at.fill(_c_scores, _row_scores, _j);
        _t5 = _Max()(_t5, scores);
    )
    _t5 = _row_reduce(_t5, _Max());
    const T _t6 = _t5;
    T _t7 = T(0);
    LF_ROW_LOOP(
        const T scores = _at.get(_c_scores, _row_scores, _j);
        const T softmax_shifted = scores - _t6;
        const T softmax_exponentials = exp(softmax_shifted);
        _t7 = _Sum()(_t7, softmax_exponentials);
    )
    _t7 = _row_reduce(_t7, _Sum());
    LF_ROW_LOOP(
        const T scores = _at.get(_c_scores, _row_scores, _j);
        const T softmax_shifted = scores - _t6;
        const T softmax_exponentials = exp(softmax_shifted);
        const T weights = softmax_exponentials / _t7;
        _row_weights[_j] = weights;
    )
    """,
)


def _cupy_forward_softmax_no_attn_mask(
    x, query_weight, key_weight, value_weight, kv, attn_mask
):
    import cupy as cp

    _t1 = _linear(x, query_weight)
    _t2 = query_weight.shape[0]
    _t3 = _t2 ** (-0.5)
    q = _attention_softmax_fwd_0(_t1, _t3)
    k = _linear(kv, key_weight)
    v = _linear(kv, value_weight)
    _t4 = cp.swapaxes(k, -1, -2)
    scores = _cupy_bmm(q, _t4)
    weights = _attention_softmax_no_attn_mask_fwd_1(scores)
    y = _cupy_bmm(weights, v)
    return y, (x, kv, query_weight, key_weight, value_weight, _t3, q, v, _t4, weights)


# attention_softmax_no_attn_mask_bwd_0: layers_spec/activations/softmax.yaml:14
_attention_softmax_no_attn_mask_bwd_0 = RowBlockKernel(
    "attention_softmax_no_attn_mask_bwd_0",
    "row T grad_weights, row T weights",
    "row T grad_scores",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    T _t13 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        const T _t12 = grad_weights * weights;
        _t13 = _Sum()(_t13, _t12);
    )
    _t13 = _row_reduce(_t13, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const T _t14 = grad_weights - _t13;
        const T grad_scores = weights * _t14;
        _row_grad_scores[_j] = grad_scores;
    )
    """,
)


def _cupy_backward_softmax_no_attn_mask(
    grad_y, x, kv, query_weight, key_weight, value_weight, _t3, q, v, _t4, weights
):
    import cupy as cp

    _t8 = cp.swapaxes(v, -1, -2)
    grad_weights = _cupy_bmm(grad_y, _t8)
    _t10 = cp.swapaxes(weights, -1, -2)
    grad_v = _cupy_bmm(_t10, grad_y)
    grad_scores = _attention_softmax_no_attn_mask_bwd_0(grad_weights, weights)
    _t16 = cp.swapaxes(_t4, -1, -2)
    grad_q = _cupy_bmm(grad_scores, _t16)
    _t18 = cp.swapaxes(q, -1, -2)
    _t19 = _cupy_bmm(_t18, grad_scores)
    grad_k = cp.swapaxes(_t19, -1, -2)
    _t21 = _linear_backward_input(grad_v, value_weight)
    grad_value_weight = _rows(grad_v).T @ _rows(kv)
    _t23 = _linear_backward_input(grad_k, key_weight)
    grad_key_weight = _rows(grad_k).T @ _rows(kv)
    _t25 = _attention_softmax_bwd_1(grad_q, _t3)
    grad_x = _linear_backward_input(_t25, query_weight)
    grad_query_weight = _rows(_t25).T @ _rows(x)
    grad_kv = _attention_softmax_bwd_2(_t21, _t23)
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, grad_kv


# attention_sparsemax_no_attn_mask_fwd_1: layers_spec/activations/sparsemax.yaml:10
_attention_sparsemax_no_attn_mask_fwd_1 = RowKernel(
    "attention_sparsemax_no_attn_mask_fwd_1",
    "sparsemax_threshold_row",
    row_width=1,
    preamble="""
    template <typename T>
    __device__ void sparsemax_threshold_row(const T* z, T* out, long long n) {
        // Michelot's iteration: tau = (sum of the support - 1) / its size, the support being
        // {z > tau}; from the whole row tau only grows and the support only shrinks.
        T total = T(0);
        for (long long k = 0; k < n; ++k) total += z[k];
        T tau = (total - T(1)) / T(n);
        long long size = n;
        for (long long round = 0; round < n && tau == tau; ++round) {
            T kept = T(0);
            long long count = 0;
            for (long long k = 0; k < n; ++k) {
                if (z[k] > tau) {
                    kept += z[k];
                    ++count;
                }
            }
            if (count == size || count == 0) break;
            size = count;
            tau = (kept - T(1)) / T(size);
        }
        out[0] = tau;
    }
    """,
)


# attention_sparsemax_no_attn_mask_fwd_2: layers_spec/activations/sparsemax.yaml:11
_attention_sparsemax_no_attn_mask_fwd_2 = ElementwiseKernel(
    "attention_sparsemax_no_attn_mask_fwd_2",
    "T scores, T sparsemax_tau",
    "T weights",
    """
    T _t5 = scores - sparsemax_tau;
    weights = _t5 > T(0) || _t5 != _t5 ? _t5 : T(0);
    """,
)


def _cupy_forward_sparsemax_no_attn_mask(
    x, query_weight, key_weight, value_weight, kv, attn_mask
):
    import cupy as cp

    _t1 = _linear(x, query_weight)
    _t2 = query_weight.shape[0]
    _t3 = _t2 ** (-0.5)
    q = _attention_softmax_fwd_0(_t1, _t3)
    k = _linear(kv, key_weight)
    v = _linear(kv, value_weight)
    _t4 = cp.swapaxes(k, -1, -2)
    scores = _cupy_bmm(q, _t4)
    sparsemax_tau = _attention_sparsemax_no_attn_mask_fwd_1(scores)
    weights = _attention_sparsemax_no_attn_mask_fwd_2(scores, sparsemax_tau)
    y = _cupy_bmm(weights, v)
    return y, (
        x,
        kv,
        query_weight,
        key_weight,
        value_weight,
        _t3,
        q,
        v,
        _t4,
        scores,
        weights,
    )


# attention_sparsemax_no_attn_mask_bwd_1: layers_spec/activations/sparsemax.yaml:14
_attention_sparsemax_no_attn_mask_bwd_1 = RowBlockKernel(
    "attention_sparsemax_no_attn_mask_bwd_1",
    "row T grad_weights, row T _t11",
    "row T grad_scores",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c__t11[LF_REGISTERS];
    T _t13 = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T _t11 = _at.fill(_c__t11, _row__t11, _j);
        const T _t12 = grad_weights * _t11;
        _t13 = _Sum()(_t13, _t12);
    )
    _t13 = _row_reduce(_t13, _Sum());
    T _t14 = T(0);
    LF_ROW_LOOP(
        const T _t11 = _at.get(_c__t11, _row__t11, _j);
        _t14 = _Sum()(_t14, _t11);
    )
    _t14 = _row_reduce(_t14, _Sum());
    const T _t15 = _t13 / _t14;
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T _t11 = _at.get(_c__t11, _row__t11, _j);
        const T _t16 = grad_weights - _t15;
        const T grad_scores = _t11 * _t16;
        _row_grad_scores[_j] = grad_scores;
    )
    """,
)


def _cupy_backward_sparsemax_no_attn_mask(
    grad_y,
    x,
    kv,
    query_weight,
    key_weight,
    value_weight,
    _t3,
    q,
    v,
    _t4,
    scores,
    weights,
):
    import cupy as cp

    _t6 = cp.swapaxes(v, -1, -2)
    grad_weights = _cupy_bmm(grad_y, _t6)
    _t8 = cp.swapaxes(weights, -1, -2)
    grad_v = _cupy_bmm(_t8, grad_y)
    _t11 = _attention_sparsemax_bwd_0(weights, scores)
    grad_scores = _attention_sparsemax_no_attn_mask_bwd_1(grad_weights, _t11)
    _t18 = cp.swapaxes(_t4, -1, -2)
    grad_q = _cupy_bmm(grad_scores, _t18)
    _t20 = cp.swapaxes(q, -1, -2)
    _t21 = _cupy_bmm(_t20, grad_scores)
    grad_k = cp.swapaxes(_t21, -1, -2)
    _t23 = _linear_backward_input(grad_v, value_weight)
    grad_value_weight = _rows(grad_v).T @ _rows(kv)
    _t25 = _linear_backward_input(grad_k, key_weight)
    grad_key_weight = _rows(grad_k).T @ _rows(kv)
    _t27 = _attention_sparsemax_bwd_2(grad_q, _t3)
    grad_x = _linear_backward_input(_t27, query_weight)
    grad_query_weight = _rows(_t27).T @ _rows(x)
    grad_kv = _attention_sparsemax_bwd_3(_t23, _t25)
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, grad_kv


def _cupy_forward_softmax_no_kv(
    x, query_weight, key_weight, value_weight, kv, attn_mask
):
    import cupy as cp

    _t1 = _linear(x, query_weight)
    _t2 = query_weight.shape[0]
    _t3 = _t2 ** (-0.5)
    q = _attention_softmax_fwd_0(_t1, _t3)
    k = _linear(x, key_weight)
    v = _linear(x, value_weight)
    _t4 = cp.swapaxes(k, -1, -2)
    scores = _cupy_bmm(q, _t4)
    allowed = _cupy_apply_mask(scores, attn_mask)
    weights = _attention_softmax_fwd_1(allowed)
    y = _cupy_bmm(weights, v)
    return y, (x, kv, query_weight, key_weight, value_weight, _t3, q, v, _t4, weights)


# attention_softmax_no_kv_bwd_2: layers_spec/primitives.yaml:522
_attention_softmax_no_kv_bwd_2 = ElementwiseKernel(
    "attention_softmax_no_kv_bwd_2",
    "T _t21, T _t23, T _t26",
    "T grad_x",
    """
    T _t28 = _t21 + _t23;
    grad_x = _t28 + _t26;
    """,
)


def _cupy_backward_softmax_no_kv(
    grad_y, x, kv, query_weight, key_weight, value_weight, _t3, q, v, _t4, weights
):
    import cupy as cp

    _t8 = cp.swapaxes(v, -1, -2)
    grad_weights = _cupy_bmm(grad_y, _t8)
    _t10 = cp.swapaxes(weights, -1, -2)
    grad_v = _cupy_bmm(_t10, grad_y)
    grad_allowed = _attention_softmax_bwd_0(grad_weights, weights)
    _t16 = cp.swapaxes(_t4, -1, -2)
    grad_q = _cupy_bmm(grad_allowed, _t16)
    _t18 = cp.swapaxes(q, -1, -2)
    _t19 = _cupy_bmm(_t18, grad_allowed)
    grad_k = cp.swapaxes(_t19, -1, -2)
    _t21 = _linear_backward_input(grad_v, value_weight)
    grad_value_weight = _rows(grad_v).T @ _rows(x)
    _t23 = _linear_backward_input(grad_k, key_weight)
    grad_key_weight = _rows(grad_k).T @ _rows(x)
    _t25 = _attention_softmax_bwd_1(grad_q, _t3)
    _t26 = _linear_backward_input(_t25, query_weight)
    grad_query_weight = _rows(_t25).T @ _rows(x)
    grad_x = _attention_softmax_no_kv_bwd_2(_t21, _t23, _t26)
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, None


def _cupy_forward_sparsemax_no_kv(
    x, query_weight, key_weight, value_weight, kv, attn_mask
):
    import cupy as cp

    _t1 = _linear(x, query_weight)
    _t2 = query_weight.shape[0]
    _t3 = _t2 ** (-0.5)
    q = _attention_softmax_fwd_0(_t1, _t3)
    k = _linear(x, key_weight)
    v = _linear(x, value_weight)
    _t4 = cp.swapaxes(k, -1, -2)
    scores = _cupy_bmm(q, _t4)
    allowed = _cupy_apply_mask(scores, attn_mask)
    sparsemax_tau = _attention_sparsemax_fwd_1(allowed)
    weights = _attention_sparsemax_fwd_2(allowed, sparsemax_tau)
    y = _cupy_bmm(weights, v)
    return y, (
        x,
        kv,
        query_weight,
        key_weight,
        value_weight,
        _t3,
        q,
        v,
        _t4,
        scores,
        weights,
    )


# attention_sparsemax_no_kv_bwd_3: layers_spec/primitives.yaml:522
_attention_sparsemax_no_kv_bwd_3 = ElementwiseKernel(
    "attention_sparsemax_no_kv_bwd_3",
    "T _t23, T _t25, T _t28",
    "T grad_x",
    """
    T _t30 = _t23 + _t25;
    grad_x = _t30 + _t28;
    """,
)


def _cupy_backward_sparsemax_no_kv(
    grad_y,
    x,
    kv,
    query_weight,
    key_weight,
    value_weight,
    _t3,
    q,
    v,
    _t4,
    scores,
    weights,
):
    import cupy as cp

    _t6 = cp.swapaxes(v, -1, -2)
    grad_weights = _cupy_bmm(grad_y, _t6)
    _t8 = cp.swapaxes(weights, -1, -2)
    grad_v = _cupy_bmm(_t8, grad_y)
    _t11 = _attention_sparsemax_bwd_0(weights, scores)
    grad_allowed = _attention_sparsemax_bwd_1(grad_weights, _t11)
    _t18 = cp.swapaxes(_t4, -1, -2)
    grad_q = _cupy_bmm(grad_allowed, _t18)
    _t20 = cp.swapaxes(q, -1, -2)
    _t21 = _cupy_bmm(_t20, grad_allowed)
    grad_k = cp.swapaxes(_t21, -1, -2)
    _t23 = _linear_backward_input(grad_v, value_weight)
    grad_value_weight = _rows(grad_v).T @ _rows(x)
    _t25 = _linear_backward_input(grad_k, key_weight)
    grad_key_weight = _rows(grad_k).T @ _rows(x)
    _t27 = _attention_sparsemax_bwd_2(grad_q, _t3)
    _t28 = _linear_backward_input(_t27, query_weight)
    grad_query_weight = _rows(_t27).T @ _rows(x)
    grad_x = _attention_sparsemax_no_kv_bwd_3(_t23, _t25, _t28)
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, None


def _cupy_forward_softmax_no_kv_no_attn_mask(
    x, query_weight, key_weight, value_weight, kv, attn_mask
):
    import cupy as cp

    _t1 = _linear(x, query_weight)
    _t2 = query_weight.shape[0]
    _t3 = _t2 ** (-0.5)
    q = _attention_softmax_fwd_0(_t1, _t3)
    k = _linear(x, key_weight)
    v = _linear(x, value_weight)
    _t4 = cp.swapaxes(k, -1, -2)
    scores = _cupy_bmm(q, _t4)
    weights = _attention_softmax_no_attn_mask_fwd_1(scores)
    y = _cupy_bmm(weights, v)
    return y, (x, kv, query_weight, key_weight, value_weight, _t3, q, v, _t4, weights)


def _cupy_backward_softmax_no_kv_no_attn_mask(
    grad_y, x, kv, query_weight, key_weight, value_weight, _t3, q, v, _t4, weights
):
    import cupy as cp

    _t8 = cp.swapaxes(v, -1, -2)
    grad_weights = _cupy_bmm(grad_y, _t8)
    _t10 = cp.swapaxes(weights, -1, -2)
    grad_v = _cupy_bmm(_t10, grad_y)
    grad_scores = _attention_softmax_no_attn_mask_bwd_0(grad_weights, weights)
    _t16 = cp.swapaxes(_t4, -1, -2)
    grad_q = _cupy_bmm(grad_scores, _t16)
    _t18 = cp.swapaxes(q, -1, -2)
    _t19 = _cupy_bmm(_t18, grad_scores)
    grad_k = cp.swapaxes(_t19, -1, -2)
    _t21 = _linear_backward_input(grad_v, value_weight)
    grad_value_weight = _rows(grad_v).T @ _rows(x)
    _t23 = _linear_backward_input(grad_k, key_weight)
    grad_key_weight = _rows(grad_k).T @ _rows(x)
    _t25 = _attention_softmax_bwd_1(grad_q, _t3)
    _t26 = _linear_backward_input(_t25, query_weight)
    grad_query_weight = _rows(_t25).T @ _rows(x)
    grad_x = _attention_softmax_no_kv_bwd_2(_t21, _t23, _t26)
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, None


def _cupy_forward_sparsemax_no_kv_no_attn_mask(
    x, query_weight, key_weight, value_weight, kv, attn_mask
):
    import cupy as cp

    _t1 = _linear(x, query_weight)
    _t2 = query_weight.shape[0]
    _t3 = _t2 ** (-0.5)
    q = _attention_softmax_fwd_0(_t1, _t3)
    k = _linear(x, key_weight)
    v = _linear(x, value_weight)
    _t4 = cp.swapaxes(k, -1, -2)
    scores = _cupy_bmm(q, _t4)
    sparsemax_tau = _attention_sparsemax_no_attn_mask_fwd_1(scores)
    weights = _attention_sparsemax_no_attn_mask_fwd_2(scores, sparsemax_tau)
    y = _cupy_bmm(weights, v)
    return y, (
        x,
        kv,
        query_weight,
        key_weight,
        value_weight,
        _t3,
        q,
        v,
        _t4,
        scores,
        weights,
    )


def _cupy_backward_sparsemax_no_kv_no_attn_mask(
    grad_y,
    x,
    kv,
    query_weight,
    key_weight,
    value_weight,
    _t3,
    q,
    v,
    _t4,
    scores,
    weights,
):
    import cupy as cp

    _t6 = cp.swapaxes(v, -1, -2)
    grad_weights = _cupy_bmm(grad_y, _t6)
    _t8 = cp.swapaxes(weights, -1, -2)
    grad_v = _cupy_bmm(_t8, grad_y)
    _t11 = _attention_sparsemax_bwd_0(weights, scores)
    grad_scores = _attention_sparsemax_no_attn_mask_bwd_1(grad_weights, _t11)
    _t18 = cp.swapaxes(_t4, -1, -2)
    grad_q = _cupy_bmm(grad_scores, _t18)
    _t20 = cp.swapaxes(q, -1, -2)
    _t21 = _cupy_bmm(_t20, grad_scores)
    grad_k = cp.swapaxes(_t21, -1, -2)
    _t23 = _linear_backward_input(grad_v, value_weight)
    grad_value_weight = _rows(grad_v).T @ _rows(x)
    _t25 = _linear_backward_input(grad_k, key_weight)
    grad_key_weight = _rows(grad_k).T @ _rows(x)
    _t27 = _attention_sparsemax_bwd_2(grad_q, _t3)
    _t28 = _linear_backward_input(_t27, query_weight)
    grad_query_weight = _rows(_t27).T @ _rows(x)
    grad_x = _attention_sparsemax_no_kv_bwd_3(_t23, _t25, _t28)
    return grad_x, grad_query_weight, grad_key_weight, grad_value_weight, None


_CUPY_FUSED = {
    ("softmax", True, True): (_cupy_forward_softmax, _cupy_backward_softmax),
    ("sparsemax", True, True): (_cupy_forward_sparsemax, _cupy_backward_sparsemax),
    ("softmax", True, False): (
        _cupy_forward_softmax_no_attn_mask,
        _cupy_backward_softmax_no_attn_mask,
    ),
    ("sparsemax", True, False): (
        _cupy_forward_sparsemax_no_attn_mask,
        _cupy_backward_sparsemax_no_attn_mask,
    ),
    ("softmax", False, True): (
        _cupy_forward_softmax_no_kv,
        _cupy_backward_softmax_no_kv,
    ),
    ("sparsemax", False, True): (
        _cupy_forward_sparsemax_no_kv,
        _cupy_backward_sparsemax_no_kv,
    ),
    ("softmax", False, False): (
        _cupy_forward_softmax_no_kv_no_attn_mask,
        _cupy_backward_softmax_no_kv_no_attn_mask,
    ),
    ("sparsemax", False, False): (
        _cupy_forward_sparsemax_no_kv_no_attn_mask,
        _cupy_backward_sparsemax_no_kv_no_attn_mask,
    ),
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
