"""decoder (the catalog's card #42, made coherent), a composite of two single-head attention
layers, three layer normalizations and a two-layer feed-forward network, against the same
composition written in PyTorch (F.linear, F.scaled_dot_product_attention, F.layer_norm,
differentiated by autograd): forward and the gradients of x, the encoder output and every
parameter, float32 and float64 (test_layer_parity's tolerances: float64 1e-9 relative,
float32 1e-4 relative scaled by the largest value), without masks and with a causal bool
self-attention mask and an additive float memory mask; float64 finite differences; the
runtime errors; nn.Decoder.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import spec
from layerforge import nn
from layerforge.layers import decoder
from test_gradients import check_gradients
from test_layer_parity import DTYPES, compare, draw

B, S, S_E, D, FF = 2, 5, 4, 6, 10
NAMES = ["self_attn_query_weight", "self_attn_key_weight", "self_attn_value_weight", "cross_attn_query_weight",
         "cross_attn_key_weight", "cross_attn_value_weight", "linear1_weight", "linear1_bias", "linear2_weight",
         "linear2_bias", "norm1_weight", "norm1_bias", "norm2_weight", "norm2_bias", "norm3_weight", "norm3_bias"]


def parameters(dtype, seed=10):
    """Every parameter drawn (norm weights near 1, the rest around 0), in forward's order."""
    shapes = [(D, D)] * 6 + [(FF, D), (FF,), (D, FF), (D,)] + [(D,)] * 6
    out = {}
    for index, (name, shape) in enumerate(zip(NAMES, shapes)):
        value = draw(shape, dtype, seed + index) * (0.5 if "weight" in name else 1.0)
        out[name] = value + 1 if name.startswith("norm") and name.endswith("weight") else value
    return out


def masks(kind, dtype):
    if kind is None:
        return None, None
    causal = np.triu(np.ones((S, S), dtype=bool), 1)
    return causal, draw((S, S_E), dtype, 30)  # a bool self mask, an additive memory mask


def torch_decoder(x, memory, p, mask, memory_mask, activation, eps=1e-5):
    """The decoder as PyTorch ops: SDPA's attn_mask is True where attention is allowed, so
    the bool mask (True = hidden) is inverted; a float mask is added as ours."""
    def attend(q_in, kv_in, prefix, attn_mask):
        q = F.linear(q_in, p[f"{prefix}_query_weight"])
        k = F.linear(kv_in, p[f"{prefix}_key_weight"])
        v = F.linear(kv_in, p[f"{prefix}_value_weight"])
        if attn_mask is not None and attn_mask.dtype == torch.bool:
            attn_mask = ~attn_mask
        return F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)

    def norm(t, name):
        return F.layer_norm(t, (D,), p[f"{name}_weight"], p[f"{name}_bias"], eps)

    h1 = norm(x + attend(x, x, "self_attn", mask), "norm1")
    h2 = norm(h1 + attend(h1, memory, "cross_attn", memory_mask), "norm2")
    hidden = F.linear(h2, p["linear1_weight"], p["linear1_bias"])
    hidden = F.relu(hidden) if activation == "relu" else F.gelu(hidden)
    return norm(h2 + F.linear(hidden, p["linear2_weight"], p["linear2_bias"]), "norm3")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation, mask", [("relu", None), ("gelu", "given")])
def test_matches_the_torch_composition(activation, mask, dtype):
    x, memory = draw((B, S, D), dtype, 1), draw((B, S_E, D), dtype, 2)
    params = parameters(dtype)
    mask_, memory_mask = masks(mask, dtype)
    y, ctx = decoder.forward(x, memory, *params.values(), mask_, memory_mask, activation=activation)
    grad_y = draw(y.shape, dtype, 3)
    grads = decoder.backward(grad_y, ctx)

    leaves = {name: torch.tensor(value, requires_grad=True) for name, value in
              {"x": x, "encoder_output": memory, **params}.items()}
    expected = torch_decoder(leaves["x"], leaves["encoder_output"], leaves,
                             None if mask_ is None else torch.from_numpy(mask_),
                             None if memory_mask is None else torch.from_numpy(memory_mask), activation)
    what = f"decoder({activation}, masks {mask})"
    compare(y, expected, dtype, f"{what} forward")
    expected.backward(torch.from_numpy(grad_y))
    assert len(grads) == len(leaves) == 18
    for (name, leaf), ours in zip(leaves.items(), grads):
        compare(ours, leaf.grad, dtype, f"{what} grad {name}")


def test_finite_differences():
    arrays = {"x": draw((B, S, D), np.float64, 4), "encoder_output": draw((B, S_E, D), np.float64, 5)}
    arrays |= parameters(np.float64, seed=40)
    arrays["mask"], arrays["memory_mask"] = masks("given", np.float64)
    check_gradients(spec("decoder"), arrays, {"activation": "gelu"})


def test_a_left_out_mask_is_no_mask():
    """None and an all-False mask give the same numbers (the masks make no variants: the
    same code runs, its mask step doing nothing for None)."""
    x, memory = draw((B, S, D), np.float64, 6), draw((B, S_E, D), np.float64, 7)
    params = parameters(np.float64)
    y, _ = decoder.forward(x, memory, *params.values())
    y_masked, _ = decoder.forward(x, memory, *params.values(), np.zeros((S, S), bool), np.zeros((S, S_E), bool))
    np.testing.assert_array_equal(y, y_masked)


def args(**changed):
    x, memory = np.zeros((B, S, D)), np.zeros((B, S_E, D))
    arrays = {"x": x, "encoder_output": memory, **parameters(np.float64)} | changed
    return list(arrays.values())


BAD = [
    (lambda: decoder.forward(*args(encoder_output=np.zeros((B, S_E, D + 1)))), ValueError,
     "decoder: argument 'encoder_output' has D = 7"),
    (lambda: decoder.forward(*args(encoder_output=np.zeros((B + 1, S_E, D)))), ValueError,
     "decoder: argument 'encoder_output'"),
    (lambda: decoder.forward(*args(), np.zeros((S, S + 1), bool)), ValueError, "decoder: argument 'mask'"),
    (lambda: decoder.forward(*args(), None, np.zeros((S, S), bool)), ValueError,
     "decoder: argument 'memory_mask' has S_e = 5"),
    (lambda: decoder.forward(*args(), np.zeros((S, S), np.int8)), TypeError,
     "decoder: argument 'mask' must be a bool mask"),
    (lambda: decoder.forward(*args(linear2_weight=np.zeros((D, FF + 1)))), ValueError,
     "decoder: argument 'linear2_weight'"),
    (lambda: decoder.forward(*args(x=np.zeros((B, S, D), np.float32))), TypeError, "decoder"),
    (lambda: decoder.forward(*args(), activation="tanh"), ValueError, "decoder: activation 'tanh' cannot fill"),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input_names_op_and_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_backward_checks_the_gradient():
    y, ctx = decoder.forward(*args())
    with pytest.raises(ValueError, match="decoder"):
        decoder.backward(np.zeros((B, S + 1, D)), ctx)
    with pytest.raises(TypeError, match="decoder"):
        decoder.backward(y.astype(np.float32), ctx)


def test_nn_decoder_trains_a_step():
    """nn.Decoder: parameters in forward's order, gradients for x and the encoder output,
    an Adam step lowers a squared error."""
    from layerforge.optim import Adam

    layer = nn.Decoder(D, FF, rng=np.random.default_rng(0), dtype=np.float64)
    assert list(layer.state_dict()) == NAMES
    x, memory = draw((B, S, D), np.float64, 8), draw((B, S_E, D), np.float64, 9)
    target = draw((B, S, D), np.float64, 10)
    causal = np.triu(np.ones((S, S), dtype=bool), 1)
    optimizer = Adam(layer.parameters(), lr=1e-2)
    losses = []
    for _ in range(3):
        y = layer(x, memory, causal)
        losses.append(float(np.mean((y - target) ** 2)))
        grad_x, grad_memory = layer.backward(2 * (y - target) / y.size)
        optimizer.step(layer.gradients())
    assert grad_x.shape == x.shape and grad_memory.shape == memory.shape
    assert losses[-1] < losses[0]
