"""bidirectional (``wrap: runs: both_directions``): a sequence layer over x and over x reversed.

The oracle is torch.nn.LSTM / GRU / RNN(bidirectional=True) (merge concat; merge sum is its
output's two halves added, stack the halves stacked), for outputs, final states and the
gradients of the input, the initial states and all parameters (the forward direction's,
then the ``_reverse`` ones); central finite differences in float64; nn.Bidirectional loading a
bidirectional nn.LSTM's state_dict as it is; bad input.

Tolerances as test_recurrence's: float64 to rounding (1e-10 relative), float32 to 2e-4
relative and 2e-5 absolute (the BLAS sums in another order, rounding carried along the steps).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from layerforge import nn
from harness import central_differences
from layerforge.layers import bidirectional

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=2e-4, atol=2e-5)}
I, H = 5, 4
TORCH = {"recurrent": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}

CASES = [
    # inner layer, options, merge, T, B, batch_first, initial states given
    ("lstm", {}, "concat", 6, 3, False, True),
    ("lstm", {}, "sum", 5, 2, True, False),
    ("gru", {}, "concat", 6, 3, True, True),
    ("gru", {}, "stack", 1, 1, False, False),
    ("recurrent", {"activation": "relu"}, "concat", 4, 2, False, True),
]


def _torch_run(kind, module, x, states, merge, rng):
    """PyTorch's merged output and final states, and its gradients for a random linear loss."""
    xt = torch.tensor(x, requires_grad=True)
    st = [None if s is None else torch.tensor(s, requires_grad=True) for s in states]
    if kind == "lstm":
        y, (h_n, c_n) = module(xt, None if st[0] is None else (st[0], st[1]))
        finals = [h_n, c_n]
    else:
        y, h_n = module(xt, st[0])
        finals = [h_n]
    ahead, behind = y[..., :H], y[..., H:]
    y = {"concat": y, "sum": ahead + behind, "stack": torch.stack((ahead, behind))}[merge]
    outs = [y, *finals]
    grads = [rng.standard_normal(o.shape).astype(x.dtype) for o in outs]
    torch.autograd.backward(outs, [torch.tensor(g) for g in grads])
    expected_grads = [xt.grad, *(p.grad for p in module.parameters()), *(None if s is None else s.grad for s in st)]
    return [o.detach().numpy() for o in outs], grads, [None if g is None else g.numpy() for g in expected_grads]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind, options, merge, steps, batch, batch_first, given", CASES)
def test_parity_with_torch_bidirectional(kind, options, merge, steps, batch, batch_first, given, dtype):
    torch.manual_seed(4)
    extra = {"nonlinearity": options["activation"]} if options else {}
    module = TORCH[kind](I, H, batch_first=batch_first, bidirectional=True, **extra)
    module = module.to(torch.float64 if dtype == np.float64 else torch.float32)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((batch, steps, I) if batch_first else (steps, batch, I)).astype(dtype)
    states = [rng.standard_normal((2, batch, H)).astype(dtype) if given else None
              for _ in range(2 if kind == "lstm" else 1)]
    expected, grads, expected_grads = _torch_run(kind, module, x, states, merge, rng)
    params = [p.detach().numpy() for p in module.parameters()]  # weight_ih_l0, ..., bias_hh_l0_reverse
    outputs, ctx = bidirectional.forward(x, *params, states=tuple(states), layer=kind, merge=merge,
                                         batch_first=batch_first, layer_options=options)
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        assert got.dtype == dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, **TOL[dtype])
    results = bidirectional.backward(*grads, ctx)
    assert len(results) == len(expected_grads)
    for index, (got, want) in enumerate(zip(results, expected_grads)):
        if want is None:
            assert got is None, f"gradient {index}: a state left out has no gradient"
            continue
        assert got.dtype == dtype and got.shape == want.shape, f"gradient {index}"
        np.testing.assert_allclose(got, want, err_msg=f"gradient {index}", **TOL[dtype])


@pytest.mark.parametrize("kind, merge", [("lstm", "concat"), ("gru", "sum")])
def test_finite_differences_bidirectional(kind, merge):
    """Every gradient (x, both directions' parameters, the initial states) against central
    differences of a random linear loss over every output, float64."""
    rng = np.random.default_rng(12)
    steps, batch, inputs, hidden = 3, 2, 2, 2
    gates = {"lstm": 4, "gru": 3}[kind]
    shapes = [(gates * hidden, inputs), (gates * hidden, hidden), (gates * hidden,), (gates * hidden,)]
    arrays = [rng.standard_normal((batch, steps, inputs))] + [rng.uniform(-0.8, 0.8, s) for s in shapes * 2]
    states = [rng.standard_normal((2, batch, hidden)) for _ in range(2 if kind == "lstm" else 1)]
    keywords = dict(layer=kind, merge=merge, batch_first=True)
    outputs, ctx = bidirectional.forward(*arrays, states=tuple(states), **keywords)
    weights = [rng.standard_normal(o.shape) for o in outputs]

    def loss(values):
        outs, _ = bidirectional.forward(*values[:9], states=tuple(values[9:]), **keywords)
        return sum(float(np.sum(w * o)) for w, o in zip(weights, outs))

    grads = bidirectional.backward(*weights, ctx)
    values = arrays + states
    for index, (array, grad) in enumerate(zip(values, grads, strict=True)):
        numeric = central_differences(loss, values, index)
        # truncation O(eps**2) ~ 1e-12, rounding ~ 1e-16 / eps = 1e-10 relative
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8, err_msg=f"{kind} argument {index}")


@pytest.mark.parametrize("batch_first", [False, True])
def test_nn_bidirectional_loads_a_bidirectional_torch_lstm(batch_first):
    """nn.Bidirectional(nn.LSTM(...)) names its parameters as torch's bidirectional LSTM
    (weight_ih_l0, ..., bias_hh_l0_reverse), loads its state_dict directly (either way), and
    matches it with states [2, B, H] (float64, 1e-10)."""
    torch.manual_seed(2)
    theirs = torch.nn.LSTM(I, H, batch_first=batch_first, bidirectional=True).double()
    ours = nn.Bidirectional(nn.LSTM(I, H, batch_first=batch_first, dtype=np.float64))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if batch_first:
        ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    else:
        nn.load_torch_state_dict(ours, theirs.state_dict())
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 5, I) if batch_first else (5, 3, I))
    h0, c0 = rng.standard_normal((2, 2, 3, H))
    xt, h0t, c0t = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    y_t, (h_t, c_t) = theirs(xt, (h0t, c0t))
    y, h_n, c_n = ours(x, h0, c0)
    for got, want in ((y, y_t), (h_n, h_t), (c_n, c_t)):
        np.testing.assert_allclose(got, want.detach().numpy(), **TOL[np.float64])
    grad_y = rng.standard_normal(y.shape)
    y_t.backward(torch.tensor(grad_y))
    grad_x, grad_h0, grad_c0 = ours.backward(grad_y)  # final-state gradients left out: zeros
    for got, want in ((grad_x, xt), (grad_h0, h0t), (grad_c0, c0t)):
        np.testing.assert_allclose(got, want.grad.numpy(), **TOL[np.float64])
    for got, want in zip(ours.gradients(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(got, want.grad.numpy(), **TOL[np.float64])


def test_nn_bidirectional_directions_have_their_own_weights():
    inner = nn.GRU(3, 2, dtype=np.float64)
    layer = nn.Bidirectional(inner, merge="sum")
    params = layer.named_parameters()
    assert list(params) == [f"{n}_l0{s}" for s in ("", "_reverse") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    assert params["weight_ih_l0"] is inner.weight_ih and params["weight_ih_l0_reverse"] is not inner.weight_ih
    with pytest.raises(TypeError, match="^Bidirectional: layer must be a layerforge.nn sequence layer"):
        nn.Bidirectional(nn.Linear(3, 2))
    with pytest.raises(ValueError, match="^Bidirectional: attribute 'merge' must be one of"):
        nn.Bidirectional(inner, merge="mean")
    with pytest.raises(TypeError, match="^Bidirectional: backward_layer must be a GRU of the same sizes"):
        nn.Bidirectional(inner, backward_layer=nn.GRU(3, 5))
    with pytest.raises(ValueError, match=r"^LSTM: bidirectional=True is not supported.*nn.Bidirectional"):
        nn.LSTM(3, 4, bidirectional=True)


def _lstm_arrays(steps=4, batch=2):
    rng = np.random.default_rng(0)
    shapes = [(4 * H, I), (4 * H, H), (4 * H,), (4 * H,)]
    return rng.standard_normal((steps, batch, I)), [rng.standard_normal(s) for s in shapes * 2]


@pytest.mark.parametrize("call, error, message", [
    (lambda x, p: bidirectional.forward(x, *p, layer="dense"), ValueError,
     "bidirectional: argument 'layer': 'dense' is not a sequence layer"),
    (lambda x, p: bidirectional.forward(x, *p, layer="lsmt"), ValueError,
     "bidirectional: argument 'layer' must name a layer of layerforge.layers, got 'lsmt'"),
    (lambda x, p: bidirectional.forward(x, *p[:4], layer="lstm"), TypeError,
     "bidirectional: 'lstm' has 4 parameters (weight_ih, weight_hh, bias_ih, bias_hh); pass them for each "
     "direction, 8 arrays after 'x', got 4"),
    (lambda x, p: bidirectional.forward(x, *p, layer="lstm", merge="mean"), ValueError,
     "bidirectional: attribute 'merge' must be one of 'concat', 'sum', 'stack', got 'mean'"),
    (lambda x, p: bidirectional.forward(x[0], *p, layer="lstm"), ValueError,
     "bidirectional: argument 'x' must have shape [T, B, ...] (rank 3 or more), got shape (2, 5)"),
    (lambda x, p: bidirectional.forward(x[:0], *p, layer="lstm"), ValueError,
     "bidirectional: argument 'x' of shape (0, 2, 5) has no time steps"),
    (lambda x, p: bidirectional.forward(x, *p, states=(np.zeros((2, 2, H)),), layer="lstm"), TypeError,
     "bidirectional: argument 'states' must be None or a tuple of 2 initial state(s) of 'lstm' (h0, c0)"),
    (lambda x, p: bidirectional.forward(x, *p, states=(np.zeros((1, 2, H)), None), layer="lstm"), ValueError,
     "bidirectional: argument 'states': h0 must be None or [2, B, ...] (one state per direction), got (1, 2, 4)"),
    (lambda x, p: bidirectional.forward(x, *p, states=(np.zeros((2, 3, H)), None), layer="lstm"), ValueError,
     "lstm: argument 'h0'"),
    (lambda x, p: bidirectional.forward(x, *p, layer="lstm", layer_options={"batch_first": True}), TypeError,
     "bidirectional: pass batch_first to bidirectional itself, not in layer_options"),
])
def test_bad_input_names_the_op_and_the_argument(call, error, message):
    x, params = _lstm_arrays()
    with pytest.raises(error) as caught:
        call(x, params)
    assert str(caught.value).startswith(message), str(caught.value)


def test_backward_checks_its_gradients_and_context():
    x, params = _lstm_arrays()
    (y, h_n, c_n), ctx = bidirectional.forward(x, *params, layer="lstm")
    assert y.shape == (4, 2, 2 * H) and h_n.shape == c_n.shape == (2, 2, H)
    with pytest.raises(ValueError, match=r"^bidirectional: backward takes 3 gradient\(s\)"):
        bidirectional.backward(np.ones_like(y), ctx)
    with pytest.raises(ValueError, match=r"^bidirectional: argument 'grad_final_1' must have shape \(2, 2, 4\)"):
        bidirectional.backward(np.ones_like(y), h_n[0], c_n, ctx)
    with pytest.raises(TypeError, match="^bidirectional: ctx must be the context returned by bidirectional.forward"):
        bidirectional.backward(np.ones_like(y), h_n, c_n, None)
