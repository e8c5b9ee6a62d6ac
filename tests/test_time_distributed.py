"""time_distributed (``wrap:``): an inner layer on every step of [B, T, ...] sequences.

The oracle is the inner layer's PyTorch oracle on ``x.reshape(B * T, ...)``, reshaped back
(tolerances of test_layer_parity: float64 to rounding, float32 to a few hundred ulps of the
products' sums); the backward is also checked against float64 central finite differences
(step 1e-6: truncation ~1e-12 and rounding ~1e-10 relative, so rtol 1e-6 holds with a wide
margin while a wrong gradient is off by O(1)).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from layerforge import nn
from layerforge.layers import time_distributed
from test_layer_parity import DTYPES, compare, draw

B, T = 3, 4

CASES = {
    # inner layer: (x shape per step, inner arrays, layer_options, torch oracle on [B*T, ...])
    "convolutional": ((2, 5, 6), {"weight": (3, 2, 3, 3), "bias": (3,)}, {"padding": 1},
                      lambda x, weight, bias: F.conv2d(x, weight, bias, padding=1)),
    "dense": ((5,), {"weight": (7, 5), "bias": (7,)}, {"activation": "tanh"},
              lambda x, weight, bias: torch.tanh(F.linear(x, weight, bias))),
    "layer_normalization": ((6,), {"weight": (6,), "bias": (6,)}, {},
                            lambda x, weight, bias: F.layer_norm(x, (6,), weight, bias)),
    "max_pooling": ((2, 6, 6), {}, {"kernel_size": 2}, lambda x: F.max_pool2d(x, 2)),
}


def inputs(name, dtype, seed=0):
    step, params, _, _ = CASES[name]
    arrays = {"x": draw((B, T, *step), dtype, seed)}
    for i, (key, shape) in enumerate(params.items()):
        arrays[key] = draw(shape, dtype, seed + 1 + i, 0.5 if key == "weight" and name == "layer_normalization" else -1.0,
                           1.5 if key == "weight" and name == "layer_normalization" else 1.0)
    return arrays


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_the_inner_oracle_on_folded_steps(name, dtype):
    _, _, options, oracle = CASES[name]
    arrays = inputs(name, dtype)
    y, ctx = time_distributed.forward(*arrays.values(), layer=name, layer_options=options)
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    folded = tensors["x"].reshape(B * T, *arrays["x"].shape[2:])
    expected = oracle(folded, *[tensors[k] for k in arrays if k != "x"])
    expected = expected.reshape(B, T, *expected.shape[1:])
    compare(y, expected, dtype, f"time_distributed({name}) forward")
    grad_y = draw(y.shape, dtype, seed=11)
    expected.backward(torch.tensor(grad_y))
    grads = time_distributed.backward(grad_y, ctx)
    grads = grads if isinstance(grads, tuple) else (grads,)
    assert len(grads) == len(arrays)
    for (key, tensor), grad in zip(tensors.items(), grads):
        compare(grad, tensor.grad, dtype, f"time_distributed({name}) grad_{key}")


@pytest.mark.parametrize("name", ["convolutional", "dense"])
def test_finite_differences(name):
    _, _, options, _ = CASES[name]
    arrays = inputs(name, np.float64, seed=5)
    rng = np.random.default_rng(1)
    y, ctx = time_distributed.forward(*arrays.values(), layer=name, layer_options=options)
    cotangent = rng.standard_normal(y.shape)
    grads = time_distributed.backward(cotangent, ctx)

    def loss(values):
        return float(np.sum(time_distributed.forward(*values.values(), layer=name, layer_options=options)[0] * cotangent))

    step = 1e-6
    for (key, value), grad in zip(arrays.items(), grads):
        direction = rng.standard_normal(value.shape)
        plus, minus = dict(arrays), dict(arrays)
        plus[key], minus[key] = value + step * direction, value - step * direction
        numeric = (loss(plus) - loss(minus)) / (2 * step)
        analytic = float(np.sum(grad * direction))
        assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(analytic)), (key, numeric, analytic)


def test_the_object_api_wraps_a_layer_and_names_its_parameters():
    rng = np.random.default_rng(0)
    conv = nn.Conv2d(2, 3, 3, padding=1, rng=rng, dtype=np.float64)
    model = nn.TimeDistributed(conv)
    assert list(model.state_dict()) == ["layer.weight", "layer.bias"]
    x = draw((B, T, 2, 5, 6), np.float64, 3)
    y = model(x)
    weight = torch.tensor(conv.weight, requires_grad=True)
    bias = torch.tensor(conv.bias, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    expected = F.conv2d(xt.reshape(B * T, 2, 5, 6), weight, bias, padding=1).reshape(B, T, 3, 5, 6)
    np.testing.assert_allclose(y, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    grad_y = draw(y.shape, np.float64, 4)
    expected.backward(torch.tensor(grad_y))
    grad_x = model.backward(grad_y)
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    grad_weight, grad_bias = model.gradients()
    np.testing.assert_allclose(grad_weight, weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_bias, bias.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("call, error, message", [
    (lambda: time_distributed.forward(np.ones((2, 3, 4)), layer="nope"), ValueError,
     "time_distributed: argument 'layer' must name a layer of layerforge.layers, got 'nope'"),
    (lambda: time_distributed.forward(np.ones((2, 3, 4)), np.ones((4, 4)), layer=np.ones(3)), ValueError,
     "time_distributed: argument 'layer' must name a layer of layerforge.layers"),
    (lambda: time_distributed.forward(np.ones((2, 3, 4)), np.ones((2, 3, 4)), layer="add"), ValueError,
     "time_distributed: argument 'layer': 'add' takes 2 inputs and gives 1 outputs; a wrapped layer takes one"),
    (lambda: time_distributed.forward(np.ones((2, 4)), np.ones((3, 4)), layer="dense"), ValueError,
     "time_distributed: argument 'x' must have shape [B, T, ...] (rank 3 or more), got shape (2, 4)"),
    (lambda: time_distributed.forward(np.ones((2, 0, 4)), np.ones((3, 4)), layer="dense"), ValueError,
     "time_distributed: argument 'x' has T = 0 steps"),
    (lambda: time_distributed.forward([[[1.0]]], np.ones((3, 1)), layer="dense"), TypeError,
     "time_distributed: argument 'x' must be a NumPy or CuPy array, got list"),
    (lambda: time_distributed.forward(np.ones((2, 3, 4)), np.ones((3, 5)), layer="dense"), ValueError,
     "dense: argument 'weight'"),
    (lambda: nn.TimeDistributed("dense"), TypeError, "TimeDistributed: layer must be a layerforge.nn layer, got str"),
])
def test_bad_input_is_refused_naming_the_op_and_the_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_backward_refuses_a_foreign_context_and_a_wrong_gradient():
    from layerforge.layers import dense

    _, ctx = dense.forward(np.ones((2, 4)), np.ones((3, 4)))
    with pytest.raises(ValueError, match="time_distributed: ctx was made by"):
        time_distributed.backward(np.ones((2, 3)), ctx)
    y, ctx = time_distributed.forward(np.ones((2, 3, 4)), np.ones((5, 4)), layer="dense")
    with pytest.raises(ValueError, match="time_distributed: argument 'grad_y'"):
        time_distributed.backward(np.ones((2, 3, 4)), ctx)
