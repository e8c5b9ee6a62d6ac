"""conv_lstm: a convolutional LSTM through the scan construct (Shi et al's, no peepholes).

PyTorch has no ConvLSTM: the oracle is a Python loop of F.conv2d(padding="same") and the gate
math under autograd, for outputs, final states and the gradients of the input, the initial
states and every parameter; central finite differences in float64 on tiny shapes; the
hoisting (one convolution per direction in the loop, the input convolution of all steps
before it); bad input.

Tolerances: float64 to rounding (1e-10 relative; sums of a few hundred products through a
few steps); float32 2e-4 relative and 2e-5 absolute (PyTorch's convolution sums in another
order, and a step's rounding passes into every later one).
"""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from layerforge import nn
from harness import central_differences
from layerforge.layers import conv_lstm

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=2e-4, atol=2e-5)}
# PyTorch warns that padding="same" with an even kernel copies the input: the oracle may.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")


def _oracle(x, weight_ih, weight_hh, bias, h0, c0, batch_first=True):
    """The loop: x [B, T, C, H, W] (or time first), states [B, F, H, W] (None: zeros)."""
    frames = x.unbind(1 if batch_first else 0)
    hidden = weight_hh.shape[1]
    shape = (frames[0].shape[0], hidden, *frames[0].shape[2:])
    h = torch.zeros(shape, dtype=x.dtype) if h0 is None else h0
    c = torch.zeros(shape, dtype=x.dtype) if c0 is None else c0
    ys = []
    for frame in frames:
        gates = F.conv2d(frame, weight_ih, bias, padding="same") + F.conv2d(h, weight_hh, padding="same")
        i, f, g, o = gates.chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        ys.append(h)
    return torch.stack(ys, 1 if batch_first else 0), h, c


CASES = [
    # T, B, C, F, H, W, k, batch_first, initial states given
    (3, 2, 3, 2, 5, 6, 3, True, True),
    (4, 1, 2, 3, 4, 4, 3, False, False),
    (1, 2, 2, 2, 5, 3, 2, True, False),  # an even kernel: the extra padding at the end, as PyTorch's "same"
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("steps, batch, channels, hidden, height, width, kernel, batch_first, given", CASES)
def test_parity_with_a_torch_loop(steps, batch, channels, hidden, height, width, kernel, batch_first, given, dtype):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((batch, steps, channels, height, width) if batch_first
                            else (steps, batch, channels, height, width)).astype(dtype)
    params = [rng.uniform(-0.4, 0.4, shape).astype(dtype) for shape in (
        (4 * hidden, channels, kernel, kernel), (4 * hidden, hidden, kernel, kernel), (4 * hidden,))]
    states = [rng.standard_normal((batch, hidden, height, width)).astype(dtype) if given else None for _ in range(2)]
    outputs, ctx = conv_lstm.forward(x, *params, *states, batch_first=batch_first)
    tensors = [None if a is None else torch.tensor(a, requires_grad=True) for a in (x, *params, *states)]
    expected = _oracle(*tensors, batch_first=batch_first)
    assert len(outputs) == 3
    for got, want in zip(outputs, expected):
        assert got.dtype == dtype and got.shape == tuple(want.shape)
        np.testing.assert_allclose(got, want.detach().numpy(), **TOL[dtype])
    grads = [rng.standard_normal(o.shape).astype(dtype) for o in outputs]
    torch.autograd.backward(expected, [torch.tensor(g) for g in grads])
    results = conv_lstm.backward(*grads, ctx)
    assert len(results) == 6
    for index, (got, tensor) in enumerate(zip(results, tensors)):
        if tensor is None:
            assert got is None
            continue
        assert got.dtype == dtype and got.shape == tuple(tensor.shape), f"gradient {index}"
        np.testing.assert_allclose(got, tensor.grad.numpy(), err_msg=f"gradient {index}", **TOL[dtype])


def test_finite_differences():
    """Every gradient against central differences of a random linear loss (float64)."""
    rng = np.random.default_rng(13)
    arrays = [rng.standard_normal((1, 2, 2, 3, 3)), rng.uniform(-0.5, 0.5, (4, 2, 3, 3)),
              rng.uniform(-0.5, 0.5, (4, 1, 3, 3)), rng.uniform(-0.5, 0.5, (4,)),
              rng.standard_normal((1, 1, 3, 3)), rng.standard_normal((1, 1, 3, 3))]
    outputs, ctx = conv_lstm.forward(*arrays)
    weights = [rng.standard_normal(o.shape) for o in outputs]

    def loss(values):
        outs, _ = conv_lstm.forward(*values)
        return sum(float(np.sum(w * o)) for w, o in zip(weights, outs))

    grads = conv_lstm.backward(*weights, ctx)
    for index, (array, grad) in enumerate(zip(arrays, grads, strict=True)):
        numeric = central_differences(loss, arrays, index)
        # truncation O(eps**2) ~ 1e-12, rounding ~ 1e-16 / eps = 1e-10 relative
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8, err_msg=f"argument {index}")


def _calls(function, name) -> int:
    tree = ast.parse(inspect.getsource(function))
    return sum(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name for n in ast.walk(tree))


def test_the_input_convolution_of_all_steps_is_hoisted():
    """The loop body holds one convolution per direction (the recurrent one, h with
    weight_hh, and its input gradient); the input convolution of all T steps is one call on
    [T * B, C, H, W] before the loop, and both weight gradients and the input gradient one
    call each after it."""
    suffix = "_no_batch_first"
    step = getattr(conv_lstm, f"_forward{suffix}_step")
    step_backward = getattr(conv_lstm, f"_backward{suffix}_step")
    hoisted = getattr(conv_lstm, f"_forward{suffix}_hoisted")
    assert _calls(step, "_conv_same") == 1 and _calls(step_backward, "_conv_same_input_grad") == 1
    assert _calls(step_backward, "_conv_same_weight_grad") == 0
    assert _calls(hoisted, "_conv_same") == 1
    deferred = getattr(conv_lstm, f"_backward{suffix}_deferred")
    hoisted_backward = getattr(conv_lstm, f"_backward{suffix}_hoisted")
    assert _calls(deferred, "_conv_same_weight_grad") == 1
    assert _calls(hoisted_backward, "_conv_same_weight_grad") == 1
    assert _calls(hoisted_backward, "_conv_same_input_grad") == 1
    driver = inspect.getsource(conv_lstm._forward_batch_first)
    assert "_forward_no_batch_first_hoisted(\n        x.reshape(-1, *x.shape[2:])" in driver


def test_nn_conv_lstm_trains_its_parameters():
    layer = nn.ConvLSTM(2, 3, 3, 3, rng=np.random.default_rng(0), dtype=np.float64)
    x = np.random.default_rng(1).standard_normal((2, 4, 2, 5, 5))
    y, h_n, c_n = layer(x)
    assert y.shape == (2, 4, 3, 5, 5) and h_n.shape == c_n.shape == (2, 3, 5, 5)
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, layer.weight_ih, layer.weight_hh, layer.bias)]
    expected = _oracle(*tensors, None, None)
    np.testing.assert_allclose(y, expected[0].detach().numpy(), **TOL[np.float64])
    grad_y = np.ones_like(y)
    expected[0].backward(torch.tensor(grad_y))
    grad_x, grad_h0, grad_c0 = layer.backward(grad_y, np.zeros_like(h_n), np.zeros_like(c_n))
    assert grad_h0 is None and grad_c0 is None
    np.testing.assert_allclose(grad_x, tensors[0].grad.numpy(), **TOL[np.float64])
    for got, tensor in zip(layer.gradients(), tensors[1:], strict=True):
        np.testing.assert_allclose(got, tensor.grad.numpy(), **TOL[np.float64])


def _arrays(**overrides):
    rng = np.random.default_rng(0)
    arrays = {"x": rng.standard_normal((2, 3, 2, 4, 4)), "weight_ih": rng.standard_normal((8, 2, 3, 3)),
              "weight_hh": rng.standard_normal((8, 2, 3, 3)), "bias": rng.standard_normal(8), "h0": None, "c0": None}
    return arrays | overrides


@pytest.mark.parametrize("overrides, message", [
    ({"x": np.zeros((2, 3, 2, 4))}, "conv_lstm: argument 'x'"),
    ({"x": np.zeros((2, 0, 2, 4, 4))}, "conv_lstm: argument 'x' of shape (2, 0, 2, 4, 4) has no time steps"),
    ({"weight_ih": np.zeros((8, 3, 3, 3))}, "conv_lstm: argument 'weight_ih'"),
    ({"weight_hh": np.zeros((8, 3, 3, 3))}, "conv_lstm: argument 'weight_hh'"),
    ({"h0": np.zeros((2, 2, 4, 5))}, "conv_lstm: argument 'h0'"),
    ({"c0": np.zeros((3, 2, 4, 4))}, "conv_lstm: argument 'c0'"),
    ({"weight_ih": np.zeros((8, 2, 0, 3)), "weight_hh": np.zeros((8, 2, 0, 3))},
     "conv_lstm: argument 'weight_ih' of shape (8, 2, 0, 3) is empty along axis -2"),
])
def test_bad_input_names_the_op_and_the_argument(overrides, message):
    with pytest.raises(ValueError) as caught:
        conv_lstm.forward(*_arrays(**overrides).values())
    assert str(caught.value).startswith(message), str(caught.value)


def test_bidirectional_runs_a_conv_lstm_both_ways():
    """bidirectional wraps conv_lstm too: concat along the channels (axis 2), against the
    loop on x and on x reversed in time (float64)."""
    from layerforge.layers import bidirectional

    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 2, 4, 4))
    params = [rng.uniform(-0.4, 0.4, s) for s in ((8, 2, 3, 3), (8, 2, 3, 3), (8,))] * 2
    (y, h_n, c_n), _ = bidirectional.forward(x, *params, layer="conv_lstm", batch_first=True)
    tensors = [torch.tensor(a) for a in (x, *params)]
    ahead = _oracle(tensors[0], *tensors[1:4], None, None)
    behind = _oracle(tensors[0].flip(1), *tensors[4:7], None, None)
    np.testing.assert_allclose(y, torch.cat((ahead[0], behind[0].flip(1)), dim=2).numpy(), **TOL[np.float64])
    np.testing.assert_allclose(h_n, torch.stack((ahead[1], behind[1])).numpy(), **TOL[np.float64])
    np.testing.assert_allclose(c_n, torch.stack((ahead[2], behind[2])).numpy(), **TOL[np.float64])
