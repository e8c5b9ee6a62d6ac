"""transformer_encoder, a composite of multi_head_attention, two dense and two
layer_normalization instances, against torch.nn.TransformerEncoderLayer (dropout 0,
batch_first=True, norm_first False and True, relu, gelu and tanh-gelu, without a mask, with a
causal boolean mask and with an additive float mask), forward and the gradients of the input
and every parameter, float32 and float64 (the tolerances of test_layer_parity: float64 to
the rounding of the sums, float32 to a few hundred ulps of them); float64 finite
differences; torch's state_dict loads as it is.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import spec
from layerforge import nn
from layerforge.layers import transformer_encoder
from test_gradients import check_gradients
from test_layer_parity import DTYPES, compare, draw

B, S, E, H, FF = 2, 5, 8, 2, 12
ACTIVATIONS = {"relu": "relu", "gelu": "gelu", "gelu_tanh": lambda t: F.gelu(t, approximate="tanh")}


def torch_layer(norm_first, activation, dtype, seed=0):
    torch.manual_seed(seed)
    layer = torch.nn.TransformerEncoderLayer(E, H, FF, dropout=0.0, activation=ACTIVATIONS[activation],
                                             batch_first=True, norm_first=norm_first)
    with torch.no_grad():  # biases and norms away from their 0/1 initial values
        for name, p in layer.named_parameters():
            if "bias" in name or "norm" in name:
                p.uniform_(0.5, 1.5) if name.endswith("weight") else p.uniform_(-0.5, 0.5)
    return layer.to(torch.float64 if dtype == np.float64 else torch.float32)


def mask_of(kind, dtype):
    if kind == "causal":
        return np.triu(np.ones((S, S), dtype=bool), 1)
    if kind == "float":
        return draw((S, S), dtype, 21)
    return None  # none: the mask is left out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mask", [None, "causal", "float"])
@pytest.mark.parametrize("activation", ["relu", "gelu", "gelu_tanh"])
@pytest.mark.parametrize("norm_first", [False, True])
def test_matches_torch_transformer_encoder_layer(norm_first, activation, mask, dtype):
    layer = torch_layer(norm_first, activation, dtype)
    params = {k: v.detach().numpy().copy() for k, v in layer.named_parameters()}
    x = draw((B, S, E), dtype, 1)
    src_mask = mask_of(mask, dtype)
    y, ctx = transformer_encoder.forward(x, *params.values(), src_mask, nhead=H, norm_first=norm_first,
                                         ffn_activation=activation)
    xt = torch.tensor(x, requires_grad=True)
    expected = layer(xt, src_mask=None if mask is None else torch.tensor(src_mask))
    compare(y, expected, dtype, f"transformer_encoder({norm_first}, {activation}, {mask}) forward")
    grad_y = draw(y.shape, dtype, 2)
    expected.backward(torch.tensor(grad_y))
    grads = transformer_encoder.backward(grad_y, ctx)
    theirs = [xt.grad] + [p.grad for p in layer.parameters()]
    names = ["x"] + list(params)
    assert len(grads) == len(theirs)
    for name, ours, their in zip(names, grads, theirs):
        compare(ours, their, dtype, f"transformer_encoder({norm_first}, {activation}, {mask}) grad {name}")


@pytest.mark.parametrize("activation", ["relu", "gelu_tanh"])
@pytest.mark.parametrize("norm_first", [False, True])
def test_finite_differences(norm_first, activation):
    layer = torch_layer(norm_first, activation, np.float64, seed=3)
    padding = np.zeros((B, S), bool)
    padding[1, 2:] = True  # the second sequence's last keys are padding
    arrays = {"x": draw((B, S, E), np.float64, 4), "src_mask": mask_of("causal", np.float64),
              "src_key_padding_mask": padding}
    arrays |= {k.replace(".", "_"): v.detach().numpy().copy() for k, v in layer.named_parameters()}
    check_gradients(spec("transformer_encoder"), arrays,
                    {"nhead": H, "norm_first": norm_first, "ffn_activation": activation})


def test_load_torch_state_dict_takes_the_state_dict_as_it_is():
    layer = torch_layer(True, "gelu", np.float64)
    ours = nn.TransformerEncoderLayer(E, H, FF, dropout=0.0, activation="gelu", batch_first=True, norm_first=True,
                                      dtype=np.float64)
    nn.load_torch_state_dict(ours, layer.state_dict())
    assert [k.replace(".", "_") for k in layer.state_dict()] == list(ours.state_dict())
    x = draw((B, S, E), np.float64, 5)
    mask = mask_of("causal", np.float64)
    y = ours(x, src_mask=mask)
    np.testing.assert_allclose(ours(x, is_causal=True), y, rtol=0, atol=0)  # the same causal mask
    expected = layer(torch.tensor(x), src_mask=torch.tensor(mask))
    np.testing.assert_allclose(y, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    grad_x = ours.backward(np.ones_like(y))
    assert grad_x.shape == x.shape and len(ours.gradients()) == 12


def test_the_torch_named_class_refuses_what_it_does_not_do():
    with pytest.raises(ValueError, match="TransformerEncoderLayer: dropout"):
        nn.TransformerEncoderLayer(E, H, FF, dropout=0.1)
    with pytest.raises(ValueError, match="TransformerEncoderLayer: batch_first"):
        nn.TransformerEncoderLayer(E, H, FF, dropout=0.0)
    with pytest.raises(ValueError, match="TransformerEncoderLayer: activation"):
        nn.TransformerEncoderLayer(E, H, FF, dropout=0.0, batch_first=True, activation="tanh")
    with pytest.raises(ValueError, match="nhead"):
        transformer_encoder.forward(np.ones((B, S, 9)), np.ones((27, 9)), np.ones(27), np.ones((9, 9)), np.ones(9),
                                    np.ones((FF, 9)), np.ones(FF), np.ones((9, FF)), np.ones(9), np.ones(9),
                                    np.ones(9), np.ones(9), np.ones(9), nhead=2)


def torch_decoder(norm_first, activation, dtype, seed=0):
    torch.manual_seed(seed)
    layer = torch.nn.TransformerDecoderLayer(E, H, FF, dropout=0.0, activation=ACTIVATIONS[activation],
                                             batch_first=True, norm_first=norm_first)
    with torch.no_grad():
        for name, p in layer.named_parameters():
            if "bias" in name or "norm" in name:
                p.uniform_(0.5, 1.5) if name.endswith("weight") else p.uniform_(-0.5, 0.5)
    return layer.to(torch.float64 if dtype == np.float64 else torch.float32)


SM = 4  # memory length


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("masks", [(None, None), ("causal", None), ("causal", "float")])
@pytest.mark.parametrize("activation", ["relu", "gelu", "gelu_tanh"])
@pytest.mark.parametrize("norm_first", [False, True])
def test_matches_torch_transformer_decoder_layer(norm_first, activation, masks, dtype):
    from layerforge.layers import transformer_decoder

    layer = torch_decoder(norm_first, activation, dtype)
    params = {k: v.detach().numpy().copy() for k, v in layer.named_parameters()}
    x, memory = draw((B, S, E), dtype, 1), draw((B, SM, E), dtype, 2)
    tgt_mask = mask_of(masks[0], dtype)
    memory_mask = None if masks[1] is None else draw((S, SM), dtype, 22)
    y, ctx = transformer_decoder.forward(x, memory, *params.values(), tgt_mask, memory_mask,
                                         nhead=H, norm_first=norm_first, ffn_activation=activation)
    xt, mt = torch.tensor(x, requires_grad=True), torch.tensor(memory, requires_grad=True)
    expected = layer(xt, mt, tgt_mask=None if masks[0] is None else torch.tensor(tgt_mask),
                     memory_mask=None if masks[1] is None else torch.tensor(memory_mask))
    what = f"transformer_decoder({norm_first}, {activation}, {masks})"
    compare(y, expected, dtype, f"{what} forward")
    grad_y = draw(y.shape, dtype, 3)
    expected.backward(torch.tensor(grad_y))
    grads = transformer_decoder.backward(grad_y, ctx)
    theirs = [xt.grad, mt.grad] + [p.grad for p in layer.parameters()]
    assert len(grads) == len(theirs) == 20
    for name, ours, their in zip(["x", "memory"] + list(params), grads, theirs):
        compare(ours, their, dtype, f"{what} grad {name}")


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_finite_differences(norm_first):
    layer = torch_decoder(norm_first, "gelu", np.float64, seed=3)
    arrays = {"x": draw((B, S, E), np.float64, 4), "memory": draw((B, SM, E), np.float64, 5),
              "tgt_mask": mask_of("causal", np.float64), "memory_mask": draw((S, SM), np.float64, 6),
              "tgt_key_padding_mask": None, "memory_key_padding_mask": np.array([[False] * SM, [False, True] * (SM // 2)])}
    arrays |= {k.replace(".", "_"): v.detach().numpy().copy() for k, v in layer.named_parameters()}
    check_gradients(spec("transformer_decoder"), arrays, {"nhead": H, "norm_first": norm_first, "ffn_activation": "gelu"})


def test_decoder_load_torch_state_dict_and_causal_hint():
    layer = torch_decoder(False, "relu", np.float64)
    ours = nn.TransformerDecoderLayer(E, H, FF, dropout=0.0, batch_first=True, dtype=np.float64)
    nn.load_torch_state_dict(ours, layer.state_dict())
    assert [k.replace(".", "_") for k in layer.state_dict()] == list(ours.state_dict())
    x, memory = draw((B, S, E), np.float64, 6), draw((B, SM, E), np.float64, 7)
    y = ours(x, memory, tgt_is_causal=True)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(S, dtype=torch.float64)
    expected = layer(torch.tensor(x), torch.tensor(memory), tgt_mask=mask, tgt_is_causal=True)
    np.testing.assert_allclose(y, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    grad_x, grad_memory = ours.backward(np.ones_like(y))
    assert grad_x.shape == x.shape and grad_memory.shape == memory.shape and len(ours.gradients()) == 18


def test_the_vit_example_builds_and_runs_a_step():
    """examples/vit_digits.py's model (patch embedding, positions, two pre-LN encoder blocks,
    the token mean and a classifier): one forward and backward on a batch of digits."""
    import sys

    from harness import ROOT

    sys.path.insert(0, str(ROOT / "examples"))
    import vit_digits

    model = vit_digits.build_model(np.random.default_rng(0))
    images = np.random.default_rng(1).uniform(0, 1, (4, 1, 8, 8)).astype(np.float32)
    logits = model(images)
    assert logits.shape == (4, 10) and logits.dtype == np.float32
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(logits, np.arange(4))
    grad = model.backward(loss_fn.backward())
    assert grad.shape == images.shape
    assert len(model.gradients()) == len(model.parameters()) == 2 + 2 * 12 + 2
    assert all(np.all(np.isfinite(g)) for g in model.gradients())


@pytest.mark.parametrize("dtype", DTYPES)
def test_key_padding_masks_match_torch(dtype):
    """nn.TransformerEncoderLayer's src_key_padding_mask and nn.TransformerDecoderLayer's
    tgt_ and memory_key_padding_mask (bool, True = padding) beside a causal mask, against
    torch's layers: forward and the inputs' gradients (pre-LN encoder, post-LN decoder)."""
    padding = np.zeros((B, S), bool)
    padding[0, 3:] = True
    padding[1, 1] = True
    memory_padding = np.zeros((B, SM), bool)
    memory_padding[1, 2:] = True
    causal = np.triu(np.ones((S, S), dtype=bool), 1)
    x, memory = draw((B, S, E), dtype, 11), draw((B, SM, E), dtype, 12)
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32

    encoder = torch_layer(True, "gelu", dtype)
    ours = nn.TransformerEncoderLayer(E, H, FF, dropout=0.0, activation="gelu", batch_first=True, norm_first=True,
                                      dtype=dtype)
    nn.load_torch_state_dict(ours, encoder.state_dict())
    y = ours(x, src_mask=causal, src_key_padding_mask=padding)
    xt = torch.tensor(x, requires_grad=True)
    expected = encoder(xt, src_mask=torch.from_numpy(causal), src_key_padding_mask=torch.from_numpy(padding))
    compare(y, expected, dtype, "transformer_encoder key padding forward")
    grad_y = draw(y.shape, dtype, 13)
    expected.backward(torch.tensor(grad_y, dtype=torch_dtype))
    compare(ours.backward(grad_y), xt.grad, dtype, "transformer_encoder key padding grad x")

    decoder = torch_decoder(False, "relu", dtype)
    ours = nn.TransformerDecoderLayer(E, H, FF, dropout=0.0, batch_first=True, dtype=dtype)
    nn.load_torch_state_dict(ours, decoder.state_dict())
    y = ours(x, memory, tgt_is_causal=True, tgt_key_padding_mask=padding, memory_key_padding_mask=memory_padding)
    xt, mt = torch.tensor(x, requires_grad=True), torch.tensor(memory, requires_grad=True)
    expected = decoder(xt, mt, tgt_mask=torch.from_numpy(causal), tgt_key_padding_mask=torch.from_numpy(padding),
                       memory_key_padding_mask=torch.from_numpy(memory_padding))
    compare(y, expected, dtype, "transformer_decoder key padding forward")
    expected.backward(torch.tensor(grad_y, dtype=torch_dtype))
    grad_x, grad_memory = ours.backward(grad_y)
    compare(grad_x, xt.grad, dtype, "transformer_decoder key padding grad x")
    compare(grad_memory, mt.grad, dtype, "transformer_decoder key padding grad memory")
