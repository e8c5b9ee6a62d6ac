"""Attention, embeddings and positions (issue 18) against PyTorch and NumPy references,
forward and backward, float32 and float64: multi_head_attention against
torch.nn.MultiheadAttention (batch_first; self and cross; no mask, bool and float masks, a
fully masked query; causal), attention against F.scaled_dot_product_attention of the
projections, self_attention against its composition, embedding against F.embedding
(padding_idx), positional_encoding against the sinusoid table in float64 NumPy, and
patch_embedding against conv2d + flatten + transpose. Tolerances are test_layer_parity's
(float64 1e-9 relative; float32 1e-4 relative, scaled by the largest value). Also finite
differences in float64, and the errors for bad input.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from layerforge.layers import attention, embedding, multi_head_attention, patch_embedding, positional_encoding
from harness import central_differences
from layerforge.layers import self_attention
from test_layer_parity import DTYPES, TOL

B, S, S_KV, E, HEADS = 2, 5, 4, 8, 2


def draw(shape, dtype, seed):
    return np.random.default_rng(seed).uniform(-1.5, 1.5, shape).astype(dtype)


def close(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert ours.dtype == dtype, f"{what}: dtype {ours.dtype}"
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, expected {theirs.shape}"
    tol = dict(TOL[dtype])
    if dtype == np.float32:
        tol["atol"] *= max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    np.testing.assert_allclose(ours, theirs, err_msg=what, **tol)


def mask_of(kind, rows, cols, dtype):
    """None, a bool mask (True = hidden) with its first query hiding every key, or a float one."""
    if kind is None:
        return None
    rng = np.random.default_rng(3)
    if kind == "bool":
        mask = rng.random((rows, cols)) < 0.4
        mask[0] = True
        return mask
    return rng.uniform(-2.0, 0.0, (rows, cols)).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cross", [False, True])
@pytest.mark.parametrize("mask", [None, "bool", "float"])
@pytest.mark.parametrize("causal", [False, True])
def test_multi_head_attention_against_torch(dtype, cross, mask, causal):
    keys = S_KV if cross else S
    x, kv = draw((B, S, E), dtype, 1), draw((B, S_KV, E), dtype, 2) if cross else None
    params = [draw((3 * E, E), dtype, 3), draw((3 * E,), dtype, 4), draw((E, E), dtype, 5), draw((E,), dtype, 6)]
    attn_mask = mask_of(mask, S, keys, dtype)
    y, ctx = multi_head_attention.forward(x, *params, kv=kv, attn_mask=attn_mask, num_heads=HEADS, causal=causal)
    g = draw(y.shape, dtype, 7)
    grads = multi_head_attention.backward(g, ctx)

    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    module = torch.nn.MultiheadAttention(E, HEADS, batch_first=True, dtype=torch_dtype)
    with torch.no_grad():
        for p, value in zip([module.in_proj_weight, module.in_proj_bias, module.out_proj.weight, module.out_proj.bias],
                            params):
            p.copy_(torch.from_numpy(value))
    tx = torch.tensor(x, requires_grad=True)
    tkv = torch.tensor(kv, requires_grad=True) if cross else tx
    hidden = torch.zeros(S, keys, dtype=torch.bool) if attn_mask is None or attn_mask.dtype == bool else None
    if attn_mask is not None and attn_mask.dtype == bool:
        hidden |= torch.from_numpy(attn_mask)
    if causal and hidden is not None:
        hidden |= torch.triu(torch.ones(S, keys, dtype=torch.bool), 1)
    if hidden is not None:
        # torch's MultiheadAttention gives NaN for a query that sees no key: -1e30 instead of
        # -inf keeps the row finite, and the rows we set to zeros are compared to zeros
        torch_mask = torch.zeros(S, keys, dtype=torch_dtype).masked_fill(hidden, -1e30)
    else:
        torch_mask = torch.from_numpy(attn_mask)
        if causal:
            torch_mask = torch_mask.masked_fill(torch.triu(torch.ones(S, keys, dtype=torch.bool), 1), float("-inf"))
    blind = hidden.all(-1) if hidden is not None else torch.zeros(S, dtype=torch.bool)
    out, _ = module(tx, tkv, tkv, need_weights=False, attn_mask=torch_mask)
    # a query that sees no key: ours is the output projection of zeros, its bias
    out = torch.where(blind[:, None], module.out_proj.bias, out)
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    names = ["x", "in_proj_weight", "in_proj_bias", "out_proj_weight", "out_proj_bias", "kv"]
    expected = [tx.grad, module.in_proj_weight.grad, module.in_proj_bias.grad, module.out_proj.weight.grad,
                module.out_proj.bias.grad, tkv.grad if cross else None]
    assert len(grads) == len(names)
    for name, ours, theirs in zip(names, grads, expected):
        if theirs is None:
            assert ours is None, name
        else:
            close(ours, theirs, dtype, f"grad_{name}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cross", [False, True])
@pytest.mark.parametrize("mask", [None, "float"])
def test_attention_against_scaled_dot_product_attention(dtype, cross, mask):
    inner, width = 6, 3
    keys = S_KV if cross else S
    x, kv = draw((B, S, inner), dtype, 1), draw((B, S_KV, inner), dtype, 2) if cross else None
    weights = [draw((width, inner), dtype, seed) for seed in (3, 4, 5)]
    attn_mask = mask_of(mask, S, keys, dtype)
    y, ctx = attention.forward(x, *weights, kv=kv, attn_mask=attn_mask)
    g = draw(y.shape, dtype, 7)
    grads = attention.backward(g, ctx)
    tx = torch.tensor(x, requires_grad=True)
    tkv = torch.tensor(kv, requires_grad=True) if cross else tx
    tw = [torch.tensor(w, requires_grad=True) for w in weights]
    q, k, v = F.linear(tx, tw[0]), F.linear(tkv, tw[1]), F.linear(tkv, tw[2])
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=None if attn_mask is None else torch.from_numpy(attn_mask))
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    expected = [tx.grad, *(w.grad for w in tw), tkv.grad if cross else None]
    for i, (ours, theirs) in enumerate(zip(grads, expected)):
        if theirs is None:
            assert ours is None
        else:
            close(ours, theirs, dtype, f"gradient {i}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_attention_with_sparsemax_scores_sum_to_one(dtype):
    """The slot is the score normaliser: sparsemax weights are sparse rows summing to 1, so
    y is a convex combination of value rows."""
    x = draw((B, S, 6), dtype, 1)
    weights = [draw((3, 6), dtype, seed) for seed in (3, 4, 5)]
    y, _ = attention.forward(x, *weights, activation="sparsemax")
    values = x @ weights[2].T
    assert np.all(y <= values.max(axis=1, keepdims=True) + 1e-5)
    assert np.all(y >= values.min(axis=1, keepdims=True) - 1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mask", [None, "bool"])
def test_self_attention_against_composition(dtype, mask):
    x = draw((B, S, E), dtype, 1)
    weight, bias = draw((3 * E, E), dtype, 2), draw((E,), dtype, 3)
    attn_mask = mask_of(mask, S, S, dtype)
    y, ctx = self_attention.forward(x, weight, bias, attn_mask=attn_mask, num_heads=HEADS, activation="gelu")
    g = draw(y.shape, dtype, 7)
    grad_x, grad_weight, grad_bias = self_attention.backward(g, ctx)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, weight, bias))
    q, k, v = F.linear(tx, tw).chunk(3, dim=-1)
    heads = [t.reshape(B, S, HEADS, E // HEADS).transpose(1, 2) for t in (q, k, v)]
    allowed = None if attn_mask is None else ~torch.from_numpy(attn_mask)  # torch's: True = may attend
    out = F.scaled_dot_product_attention(*heads, attn_mask=allowed)
    out = torch.nan_to_num(out)  # a query that sees no key: NaN in torch, zeros in ours
    out = F.gelu(out.transpose(1, 2).reshape(B, S, E) + tb)
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    for name, ours, theirs in (("x", grad_x, tx.grad), ("weight", grad_weight, tw.grad), ("bias", grad_bias, tb.grad)):
        close(ours, theirs, dtype, f"grad_{name}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
@pytest.mark.parametrize("id_dtype", [np.int64, np.int32])
def test_embedding_against_torch(dtype, padding_idx, id_dtype):
    weight = draw((7, 4), dtype, 1)
    ids = np.array([[0, 2, 6, 2], [3, 2, 1, 6], [5, 5, 5, 0]], dtype=id_dtype)
    y, ctx = embedding.forward(ids, weight, padding_idx=padding_idx)
    g = draw(y.shape, dtype, 2)
    grad_weight = embedding.backward(g, ctx)
    tw = torch.tensor(weight, requires_grad=True)
    out = F.embedding(torch.from_numpy(ids.astype(np.int64)), tw, padding_idx=padding_idx)
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    close(grad_weight, tw.grad, dtype, "grad_weight")


def test_embedding_backward_adds_repeated_ids_in_order():
    # scatter_add_rows's three paths: ids met once (one assignment), ids repeated a few
    # times each (one fancy addition per repeat) and one id repeated most (np.add.at for
    # its tail); the sums are np.add.at's, in the order the ids come, bit for bit.
    rng = np.random.default_rng(3)
    ids = np.concatenate([np.arange(40, 90), np.repeat(np.arange(20), 5), np.full(30, 99)])
    ids = rng.permutation(ids).reshape(6, 30)
    weight = draw((100, 64), np.float32, 4)
    y, ctx = embedding.forward(ids, weight)
    g = draw(y.shape, np.float32, 5)
    grad_weight = embedding.backward(g, ctx)
    expected = np.zeros_like(weight)
    np.add.at(expected, ids.reshape(-1), g.reshape(-1, 64))
    np.testing.assert_array_equal(grad_weight, expected)
    tw = torch.tensor(weight, requires_grad=True)
    F.embedding(torch.from_numpy(ids), tw).backward(torch.from_numpy(g))
    close(grad_weight, tw.grad, np.float32, "grad_weight")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("features", [6, 7])
def test_positional_encoding_against_the_sinusoid_table(dtype, features):
    x = draw((B, S, features), dtype, 1)
    y, ctx = positional_encoding.forward(x, max_sequence_length=S)
    table = np.zeros((S, features))
    for p in range(S):
        for i in range(features):
            angle = p / 10000 ** (2 * (i // 2) / features)
            table[p, i] = np.sin(angle) if i % 2 == 0 else np.cos(angle)
    close(y, (x.astype(np.float64) + table).astype(dtype), dtype, "y")
    g = draw(y.shape, dtype, 2)
    np.testing.assert_array_equal(positional_encoding.backward(g, ctx), g)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
def test_patch_embedding_against_conv2d(dtype, bias):
    x = draw((2, 3, 8, 12), dtype, 1)
    weight, b = draw((5, 3, 4, 4), dtype, 2), draw((5,), dtype, 3) if bias else None
    y, ctx = patch_embedding.forward(x, weight, b, activation="relu")
    g = draw(y.shape, dtype, 4)
    grads = patch_embedding.backward(g, ctx)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(weight, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True) if bias else None
    out = F.relu(F.conv2d(tx, tw, tb, stride=4).flatten(2).transpose(1, 2))
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    close(grads[0], tx.grad, dtype, "grad_x")
    close(grads[1], tw.grad, dtype, "grad_weight")
    if bias:
        close(grads[2], tb.grad, dtype, "grad_bias")
    else:
        assert grads[2] is None


@pytest.mark.parametrize("case", ["mha_self_causal", "mha_cross_mask", "attention", "self_attention"])
def test_finite_differences_float64(case):
    """float64 central differences (eps 1e-6: truncation and rounding both near 1e-9) of
    <g, y> against every gradient, on small shapes."""
    rng = np.random.default_rng(11)
    mask = rng.random((3, 2)) < 0.3
    if case == "mha_self_causal":
        arrays = [rng.standard_normal(s) for s in ((2, 3, 4), (12, 4), (12,), (4, 4), (4,))]
        run = lambda *a: multi_head_attention.forward(*a, num_heads=2, causal=True)  # noqa: E731
    elif case == "mha_cross_mask":
        arrays = [rng.standard_normal(s) for s in ((2, 3, 4), (12, 4), (12,), (4, 4), (4,), (2, 2, 4))]
        run = lambda *a: multi_head_attention.forward(*a, attn_mask=mask, num_heads=2)  # noqa: E731
    elif case == "attention":
        arrays = [rng.standard_normal(s) for s in ((2, 3, 4), (3, 4), (3, 4), (3, 4), (2, 2, 4))]
        run = lambda *a: attention.forward(*a)  # noqa: E731
    else:
        arrays = [rng.standard_normal(s) for s in ((2, 3, 4), (12, 4), (4,))]
        run = lambda *a: self_attention.forward(*a, num_heads=2, activation="tanh")  # noqa: E731
    op = multi_head_attention if case.startswith("mha") else attention if case == "attention" else self_attention
    y, ctx = run(*arrays)
    g = rng.standard_normal(y.shape)
    grads = [grad for grad in op.backward(g, ctx) if grad is not None]  # None: kv left out
    assert len(grads) == len(arrays)
    for index, ours in enumerate(grads):
        expected = central_differences(lambda a: float(np.sum(run(*a)[0] * g)), arrays, index)
        np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-8, err_msg=f"{case}: gradient {index}")


def test_masked_softmax_gives_zeros_for_a_query_that_sees_no_key():
    x = draw((1, S, E), np.float64, 1)
    mask = np.zeros((S, S), bool)
    mask[2] = True
    params = [draw((3 * E, E), np.float64, 3), np.zeros(3 * E), np.eye(E), np.zeros(E)]
    y, ctx = multi_head_attention.forward(x, *params, attn_mask=mask, num_heads=HEADS)
    assert np.all(np.isfinite(y)) and np.all(y[0, 2] == 0)
    grads = multi_head_attention.backward(np.ones_like(y), ctx)
    assert all(np.all(np.isfinite(g)) for g in grads if g is not None)


BAD = [
    (lambda: embedding.forward(np.array([0, 7]), np.zeros((7, 4))), ValueError,
     "embedding: argument 'ids' has ids from 0 to 7, out of range"),
    (lambda: embedding.forward(np.array([-1, 2]), np.zeros((7, 4))), ValueError, "argument 'ids'"),
    (lambda: embedding.forward(np.array([0.0, 2.0]), np.zeros((7, 4))), TypeError,
     "embedding: argument 'ids' must have an integer dtype"),
    (lambda: multi_head_attention.forward(np.zeros((2, 5, 6)), np.zeros((18, 6)), np.zeros(18), np.zeros((6, 6)),
                                          np.zeros(6), num_heads=4), ValueError,
     "multi_head_attention: attribute 'num_heads'"),
    (lambda: multi_head_attention.forward(np.zeros((2, 5, 8)), np.zeros((24, 8)), np.zeros(24), np.zeros((8, 8)),
                                          np.zeros(8), attn_mask=np.zeros((5, 4), bool), num_heads=2), ValueError,
     "multi_head_attention: argument 'attn_mask' has S_kv = 4"),
    (lambda: multi_head_attention.forward(np.zeros((2, 5, 8)), np.zeros((24, 8)), np.zeros(24), np.zeros((8, 8)),
                                          np.zeros(8), attn_mask=np.zeros((4, 5), bool), num_heads=2), ValueError,
     "multi_head_attention: argument 'attn_mask' has S = 4"),
    (lambda: multi_head_attention.forward(np.zeros((2, 5, 8)), np.zeros((24, 8)), np.zeros(24), np.zeros((8, 8)),
                                          np.zeros(8), attn_mask=np.zeros((5, 5), np.int8), num_heads=2), TypeError,
     "multi_head_attention: argument 'attn_mask' must be a bool mask"),
    (lambda: multi_head_attention.forward(np.zeros((2, 5, 8)), np.zeros((20, 8)), np.zeros(24), np.zeros((8, 8)),
                                          np.zeros(8), num_heads=2), ValueError,
     "multi_head_attention: argument 'in_proj_weight' must have shape [3*E, E]"),
    (lambda: embedding.forward(np.array([0, 2]), np.zeros((7, 4)), padding_idx=-8), ValueError,
     "embedding: attribute 'padding_idx' = -8 must be less than the size of 'weight' along axis 0, which is 7"),
    (lambda: positional_encoding.forward(np.zeros((2, 9, 4)), max_sequence_length=8), ValueError,
     "positional_encoding: argument 'x' has 9 entries along axis -2 (shape (2, 9, 4)), more than max_sequence_length = 8"),
    (lambda: patch_embedding.forward(np.zeros((1, 3, 8, 10)), np.zeros((5, 3, 4, 4))), ValueError,
     "patch_embedding: argument 'x' of shape (1, 3, 8, 10) does not split into 4 x 4 patches"),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input_names_op_and_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


@pytest.mark.parametrize("cross", [False, True])
def test_nn_multihead_attention_loads_torch_state_dict_and_matches(cross):
    """nn.MultiheadAttention takes torch's state_dict as it is and gives torch's output and
    gradients (float64), in the self and the cross form, causal."""
    from layerforge import nn

    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(E, HEADS, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        theirs.in_proj_bias.uniform_(-0.5, 0.5)
        theirs.out_proj.bias.uniform_(-0.5, 0.5)
    ours = nn.MultiheadAttention(E, HEADS, dtype=np.float64)
    nn.load_torch_state_dict(ours, theirs.state_dict())
    x, memory = draw((B, S, E), np.float64, 1), draw((B, S_KV, E), np.float64, 2)
    tx, tm = torch.tensor(x, requires_grad=True), torch.tensor(memory, requires_grad=True)
    kv = tm if cross else tx
    causal_mask = torch.triu(torch.ones(S, kv.shape[1], dtype=torch.bool), 1)
    out, _ = theirs(tx, kv, kv, attn_mask=causal_mask, need_weights=False)
    y, weights = ours(x, memory if cross else x, memory if cross else x, is_causal=True)
    assert weights is None
    g = draw(y.shape, np.float64, 3)
    out.backward(torch.from_numpy(g))
    grads = ours.backward(g)
    close(y, out, np.float64, "y")
    if cross:
        close(grads[0], tx.grad, np.float64, "grad_query")
        close(grads[1], tm.grad, np.float64, "grad_key_value")
    else:
        close(grads, tx.grad, np.float64, "grad_query")
    close(ours.grads["in_proj_weight"], theirs.in_proj_weight.grad, np.float64, "in_proj_weight")
    close(ours.grads["out_proj_weight"], theirs.out_proj.weight.grad, np.float64, "out_proj.weight")
    with pytest.raises(ValueError, match="MultiheadAttention: dropout other than torch's default is not supported"):
        nn.MultiheadAttention(E, HEADS, dropout=0.1)
    with pytest.raises(ValueError, match="embed_dim 8 is not divisible by num_heads 3"):
        nn.MultiheadAttention(E, 3)


def test_nn_embedding_and_positional_encoding_train_a_step():
    from layerforge import nn

    table = nn.Embedding(10, 4, padding_idx=0, rng=np.random.default_rng(0), dtype=np.float64)
    ids = np.array([[0, 3, 3, 9]])
    y = nn.PositionalEncoding()(table(ids))
    assert y.shape == (1, 4, 4)
    assert table.backward(np.ones((1, 4, 4))) is None  # ids take no gradient
    grad = table.grads["weight"]
    np.testing.assert_array_equal(grad[0], 0)  # the padding row
    np.testing.assert_array_equal(grad[3], 2)
    np.testing.assert_array_equal(grad[9], 1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cross", [False, True])
def test_multi_head_attention_key_padding_mask_against_torch(dtype, cross):
    """key_padding_mask [B, S_kv] as torch's: bool (True = a padding key) beside a bool
    attn_mask in the self form, float (added) alone in the cross form; forward and every
    gradient. The first key is never hidden, so every query sees one (torch gives NaN else)."""
    keys = S_KV if cross else S
    x, kv = draw((B, S, E), dtype, 1), draw((B, S_KV, E), dtype, 2) if cross else None
    params = [draw((3 * E, E), dtype, 3), draw((3 * E,), dtype, 4), draw((E, E), dtype, 5), draw((E,), dtype, 6)]
    rng = np.random.default_rng(8)
    padding = rng.random((B, keys)) < 0.4
    padding[:, 0] = False
    attn_mask = None
    if cross:
        padding = np.where(padding, -3.0, rng.uniform(-1.0, 0.0, (B, keys))).astype(dtype)
    else:
        attn_mask = rng.random((S, keys)) < 0.3
        attn_mask[:, 0] = False
    y, ctx = multi_head_attention.forward(x, *params, kv=kv, attn_mask=attn_mask, key_padding_mask=padding,
                                          num_heads=HEADS)
    g = draw(y.shape, dtype, 7)
    grads = multi_head_attention.backward(g, ctx)
    module = torch.nn.MultiheadAttention(E, HEADS, batch_first=True,
                                         dtype=torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():
        for p, value in zip([module.in_proj_weight, module.in_proj_bias, module.out_proj.weight, module.out_proj.bias],
                            params):
            p.copy_(torch.from_numpy(value))
    tx = torch.tensor(x, requires_grad=True)
    tkv = torch.tensor(kv, requires_grad=True) if cross else tx
    out, _ = module(tx, tkv, tkv, key_padding_mask=torch.from_numpy(padding), need_weights=False,
                    attn_mask=None if attn_mask is None else torch.from_numpy(attn_mask))
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    expected = [tx.grad, module.in_proj_weight.grad, module.in_proj_bias.grad, module.out_proj.weight.grad,
                module.out_proj.bias.grad, tkv.grad if cross else None]
    for index, (ours, theirs) in enumerate(zip(grads, expected)):
        if theirs is None:
            assert ours is None
        else:
            close(ours, theirs, dtype, f"gradient {index}")


def test_key_padding_mask_is_checked():
    arrays = [np.zeros((2, 5, 8)), np.zeros((24, 8)), np.zeros(24), np.zeros((8, 8)), np.zeros(8)]
    with pytest.raises(ValueError, match="multi_head_attention: argument 'key_padding_mask'"):
        multi_head_attention.forward(*arrays, key_padding_mask=np.zeros((2, 4), bool), num_heads=2)
    with pytest.raises(ValueError, match="multi_head_attention: argument 'key_padding_mask'"):
        multi_head_attention.forward(*arrays, key_padding_mask=np.zeros((3, 5), bool), num_heads=2)
    with pytest.raises(TypeError, match="multi_head_attention: argument 'key_padding_mask'"):
        multi_head_attention.forward(*arrays, key_padding_mask=np.zeros((2, 5), np.int32), num_heads=2)


def test_a_left_out_mask_does_no_work():
    """The masks make no variants: None reaches the mask steps, which hand the scores back
    as they are (no copy), and a left-out mask gives the numbers of an all-False one."""
    scores = draw((B, HEADS, S, S), np.float64, 1)
    assert multi_head_attention._apply_mask(scores, None) is scores
    assert multi_head_attention._apply_key_padding(scores, None) is scores
    out = np.empty_like(scores)
    assert multi_head_attention._apply_key_padding(scores, None, out=out) is out
    np.testing.assert_array_equal(out, scores)
    x = draw((B, S, E), np.float64, 2)
    params = [draw((3 * E, E), np.float64, 3), draw((3 * E,), np.float64, 4), draw((E, E), np.float64, 5),
              draw((E,), np.float64, 6)]
    y, _ = multi_head_attention.forward(x, *params, num_heads=HEADS)
    y_masked, _ = multi_head_attention.forward(x, *params, attn_mask=np.zeros((S, S), bool),
                                               key_padding_mask=np.zeros((B, S), bool), num_heads=HEADS)
    np.testing.assert_array_equal(y, y_masked)
