"""Recurrent layers through the scan construct: recurrent (Elman), lstm, gru.

Parity against torch.nn.RNN / LSTM / GRU (one layer) for outputs, final states and the
gradients of the input, the initial states and every parameter; central finite differences
in float64; bad input; and the shape of the generated loop (the hoisting the construct
promises: one matrix product per step in each direction).

Tolerances: float64 agrees with PyTorch to rounding (1e-10 relative, errors of a few ulps
passed through at most 7 steps); float32 to 2e-4 relative and 2e-5 absolute (PyTorch's
and NumPy's BLAS sum in different orders, and a step's rounding passes into every later one).
"""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest
import torch

from harness import central_differences
from layerforge.layers import gru, lstm, recurrent

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=2e-4, atol=2e-5)}
I, H = 5, 4
LAYERS = {"recurrent": (recurrent, torch.nn.RNN), "lstm": (lstm, torch.nn.LSTM), "gru": (gru, torch.nn.GRU)}
PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _torch_run(kind, module, x, states, batch_first, dtype):
    """PyTorch's outputs, and its gradients for a random linear loss over every output."""
    xt = torch.tensor(x, requires_grad=True)
    st = [None if s is None else torch.tensor(s[None], requires_grad=True) for s in states]
    if kind == "lstm":
        y, (h_n, c_n) = module(xt, None if st[0] is None else (st[0], st[1]))
        outs = [y, h_n[0], c_n[0]]
    else:
        y, h_n = module(xt, st[0])
        outs = [y, h_n[0]]
    rng = np.random.default_rng(7)
    grads = [rng.standard_normal(o.shape).astype(dtype) for o in outs]
    torch.autograd.backward(outs, [torch.tensor(g) for g in grads])
    state_grads = [None if s is None else s.grad[0].numpy() for s in st]
    param_grads = [getattr(module, f"{p}_l0").grad.numpy() for p in PARAMS]
    return [o.detach().numpy() for o in outs], grads, [xt.grad.numpy(), *state_grads, *param_grads]


CASES = [
    # kind, activation, T, B, batch_first, initial states given
    ("recurrent", "tanh", 6, 3, False, True),
    ("recurrent", "relu", 6, 3, True, False),
    ("recurrent", "tanh", 1, 1, True, True),
    ("lstm", None, 6, 3, False, True),
    ("lstm", None, 6, 3, True, False),
    ("lstm", None, 1, 1, False, False),
    ("lstm", None, 7, 1, True, True),
    ("gru", None, 6, 3, False, False),
    ("gru", None, 6, 3, True, True),
    ("gru", None, 1, 2, False, True),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind, activation, steps, batch, batch_first, given", CASES)
def test_parity_with_torch(kind, activation, steps, batch, batch_first, given, dtype):
    ours, theirs = LAYERS[kind]
    torch.manual_seed(3)
    options = {"nonlinearity": activation} if activation else {}
    module = theirs(I, H, batch_first=batch_first, **options).to(torch.float64 if dtype == np.float64 else torch.float32)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((batch, steps, I) if batch_first else (steps, batch, I)).astype(dtype)
    n_states = 2 if kind == "lstm" else 1
    states = [rng.standard_normal((batch, H)).astype(dtype) if given else None for _ in range(n_states)]
    expected, grads, expected_grads = _torch_run(kind, module, x, states, batch_first, dtype)
    params = [getattr(module, f"{p}_l0").detach().numpy() for p in PARAMS]
    keywords = {"batch_first": batch_first} | ({"activation": activation} if activation else {})
    outputs, ctx = ours.forward(x, *params, *states, **keywords)  # optional inputs come last
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        assert got.dtype == dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, **TOL[dtype])
    results = ours.backward(*grads, ctx)
    assert len(results) == 1 + n_states + 4
    names = ("x", "h0", "c0")[: 1 + n_states] + PARAMS
    order = [0, *range(1 + n_states, len(names)), *range(1, 1 + n_states)]  # x, parameters, states
    for name, got, want in zip([names[i] for i in order], results, [expected_grads[i] for i in order]):
        if want is None:  # an initial state given as None: its gradient is None
            assert got is None, name
            continue
        assert got.dtype == dtype and got.shape == want.shape, name
        np.testing.assert_allclose(got, want, **TOL[dtype], err_msg=name)


@pytest.mark.parametrize("kind", ["recurrent", "lstm", "gru"])
def test_finite_differences(kind):
    """Every gradient against central differences of a random linear loss (float64)."""
    ours, _ = LAYERS[kind]
    rng = np.random.default_rng(11)
    steps, batch, inputs, hidden = 3, 2, 3, 2
    gates = {"recurrent": 1, "lstm": 4, "gru": 3}[kind]
    arrays = [rng.standard_normal((steps, batch, inputs))]
    arrays += [rng.standard_normal((batch, hidden)) for _ in range(2 if kind == "lstm" else 1)]
    arrays += [rng.uniform(-0.8, 0.8, shape) for shape in ((gates * hidden, inputs), (gates * hidden, hidden),
                                                          (gates * hidden,), (gates * hidden,))]
    states = 2 if kind == "lstm" else 1
    arrays = [arrays[0], *arrays[1 + states:], *arrays[1:1 + states]]  # optional inputs come last
    outputs, ctx = ours.forward(*arrays)
    weights = [rng.standard_normal(o.shape) for o in outputs]

    def loss(values):
        outs, _ = ours.forward(*values)
        return sum(float(np.sum(w * o)) for w, o in zip(weights, outs))

    grads = ours.backward(*weights, ctx)
    for index, (array, grad) in enumerate(zip(arrays, grads)):
        numeric = central_differences(loss, arrays, index)
        # central differences are exact to O(eps**2) ~ 1e-12 times the third derivative,
        # plus rounding of about 1e-16 / eps = 1e-10 relative
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8, err_msg=f"{kind} argument {index}")


def _arrays(kind, steps=4, batch=2, **overrides):
    gates = {"recurrent": 1, "lstm": 4, "gru": 3}[kind]
    arrays = {"x": np.ones((steps, batch, I)), "h0": np.zeros((batch, H))}
    if kind == "lstm":
        arrays["c0"] = np.zeros((batch, H))
    arrays |= {"weight_ih": np.ones((gates * H, I)), "weight_hh": np.ones((gates * H, H)),
               "bias_ih": np.zeros(gates * H), "bias_hh": np.zeros(gates * H)}
    return arrays | overrides


@pytest.mark.parametrize("kind", ["recurrent", "lstm", "gru"])
def test_bad_input_names_the_op_and_the_argument(kind):
    ours, _ = LAYERS[kind]
    with pytest.raises(ValueError, match=rf"^{kind}: argument 'x' must have rank 3 \(shape \[T, B, input_size\]\)"):
        ours.forward(**_arrays(kind, x=np.ones((4, I))))
    with pytest.raises(ValueError, match=rf"^{kind}: argument 'h0' has B = 3 \(shape \(3, {H}\)"):
        ours.forward(**_arrays(kind, h0=np.zeros((3, H))))
    with pytest.raises(ValueError, match=rf"^{kind}: argument 'h0' has hidden_size = 5 .*, but '\w+' has hidden_size = {H}$"):
        ours.forward(**_arrays(kind, h0=np.zeros((2, 5))))
    with pytest.raises(ValueError, match=rf"^{kind}: argument 'x' of shape \(0, 2, {I}\) has no time steps \(T = 0 along axis 0\)"):
        ours.forward(**_arrays(kind, steps=0))
    with pytest.raises(ValueError, match=rf"^{kind}: argument 'x' of shape \(2, 0, {I}\) has no time steps \(T = 0 along axis 1\)"):
        arrays = _arrays(kind, steps=0)
        ours.forward(**(arrays | {"x": arrays["x"].swapaxes(0, 1)}), batch_first=True)
    if kind != "recurrent":
        gates = 4 if kind == "lstm" else 3
        with pytest.raises(ValueError, match=rf"^{kind}: argument 'weight_ih' must have shape \[{gates}\*hidden_size, input_size\], got \({gates * H + 1}, {I}\): {gates * H + 1} is not a multiple of {gates}$"):
            ours.forward(**_arrays(kind, weight_ih=np.ones((gates * H + 1, I))))


def test_an_activation_outside_the_fused_ones_is_refused():
    with pytest.raises(ValueError, match="^recurrent: activation 'softsign' cannot fill this layer's slot.*tanh, relu, identity"):
        recurrent.forward(**_arrays("recurrent"), activation="softsign")


PRODUCT_HELPERS = {"_linear", "_linear_backward_input"}  # one matrix product of rows each


def _matrix_products(function) -> int:
    tree = ast.parse(inspect.getsource(function))
    return sum(isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)
               or isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in PRODUCT_HELPERS
               for node in ast.walk(tree))


@pytest.mark.parametrize("kind, suffix", [("recurrent", "_no_batch_first_tanh"), ("lstm", "_no_batch_first"),
                                          ("gru", "_no_batch_first")])
def test_the_loop_body_holds_one_matrix_product_per_direction(kind, suffix):
    """What does not read the carry is hoisted: the input projection of all steps is one
    product before the loop, dx and dW_ih one product each after it, dW_hh one product
    after the loop too; each step runs h @ W_hh.T forward and its transpose backward."""
    ours, _ = LAYERS[kind]
    step = getattr(ours, f"_forward{suffix}_step")
    step_backward = getattr(ours, f"_backward{suffix}_step")
    assert _matrix_products(step) == 1
    assert _matrix_products(step_backward) == 1
    assert _matrix_products(getattr(ours, f"_forward{suffix}_hoisted")) == 1
    assert _matrix_products(getattr(ours, f"_backward{suffix}_hoisted")) == 2
    assert _matrix_products(getattr(ours, f"_backward{suffix}_deferred")) == 1
    for driver in (getattr(ours, f"_forward{suffix}"), getattr(ours, f"_backward{suffix}")):
        source = inspect.getsource(driver)
        loops = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.For)]
        assert len(loops) == 1 and _matrix_products(driver) == 0
        calls = {n.func.id for statement in loops[0].body for n in ast.walk(statement)
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert calls == {step.__name__ if "_forward" in driver.__name__ else step_backward.__name__}


@pytest.mark.parametrize("kind, suffix", [("recurrent", "_no_batch_first_tanh"), ("lstm", "_no_batch_first"),
                                          ("gru", "_no_batch_first")])
def test_the_input_bias_is_added_in_the_step(kind, suffix):
    """The hoisted part is the input projection alone: its bias is added by the step (a pass
    over one step's rows in cache, where hoisted it was a pass over all T steps' rows in
    memory), and the GRU's gate blocks are taken there too (the step reads one packed
    array). bias_ih's gradient is summed after the loop with bias_hh's, and where the two
    are the same sum (every gate of the LSTM and the Elman RNN) bias_ih's is a copy."""
    ours, _ = LAYERS[kind]
    hoisted = inspect.getsource(getattr(ours, f"_forward{suffix}_hoisted"))
    assert "bias_ih" not in hoisted and "_chunk" not in hoisted
    step = getattr(ours, f"_forward{suffix}_step")
    assert "bias_ih" in inspect.signature(step).parameters
    assert "bias_ih" not in inspect.getsource(getattr(ours, f"_backward{suffix}_hoisted"))
    deferred = inspect.getsource(getattr(ours, f"_backward{suffix}_deferred"))
    assert "grad_bias_ih" in deferred
    assert ("grad_bias_ih = grad_bias_hh.copy()" in deferred) == (kind != "gru")


def test_lstm_saves_at_most_what_it_needs():
    """Per step the context holds the four gate activations, c_t, tanh(c_t) and h_t (which
    is the output y itself): 7 H values per row. Nothing else is per step: the input
    projection is not kept (its backward needs x, which is saved once)."""
    rng = np.random.default_rng(0)
    steps, batch = 5, 3
    x = rng.standard_normal((steps, batch, I))
    outputs, ctx = lstm.forward(x, *(rng.standard_normal(s) for s in ((4 * H, I), (4 * H, H), (4 * H,), (4 * H,))))
    per_step = [a for a in ctx[1] if isinstance(a, np.ndarray) and a.shape[:2] == (steps, batch)]
    assert sum(a.shape[-1] for a in per_step) == 7 * H
    assert any(a is outputs[0] or a.base is outputs[0] for a in per_step)  # y is saved as it is returned


def _context_bytes(saved) -> int:
    """Bytes of the distinct arrays of a context (nested tuples too; a view counts its base once)."""
    owners: dict[int, int] = {}
    stack = [saved]
    while stack:
        value = stack.pop()
        if isinstance(value, tuple):
            stack.extend(value)
        elif isinstance(value, np.ndarray):
            owner = value if value.base is None else value.base
            owners[id(owner)] = owner.nbytes
    return sum(owners.values())


@pytest.mark.parametrize("kind", ["lstm", "gru", "recurrent"])
def test_saved_bytes_at_most_torchs(kind):
    """The context holds no more bytes than PyTorch's autograd saves for the same layer
    (its saved tensors, each storage once): a bias is not kept for its shape (its gradient
    sums the gradient's rows), and GRU keeps of its recurrent part only the third that
    backward reads."""
    module, torch_class = LAYERS[kind]
    steps, batch, hidden = 8, 4, 16
    torch.manual_seed(0)
    layer = torch_class(I, hidden)
    x = torch.randn(steps, batch, I, requires_grad=True)
    storages: dict[int, int] = {}

    def pack(tensor):
        storages[tensor.untyped_storage().data_ptr()] = tensor.untyped_storage().nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        layer(x)
    params = [getattr(layer, f"{p}_l0").detach().numpy() for p in PARAMS]
    _, ctx = module.forward(x.detach().numpy(), *params)
    assert _context_bytes(ctx[1]) <= sum(storages.values())


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_nn_classes_load_torch_weights_and_match_torch(kind, batch_first):
    """layerforge.nn.RNN/LSTM/GRU take PyTorch's constructor arguments and states of shape
    [1, B, H]; load_torch_state_dict maps weight_ih_l0, ... directly (float64: 1e-10)."""
    from layerforge import nn

    torch.manual_seed(1)
    theirs = getattr(torch.nn, kind)(I, H, batch_first=batch_first).double()
    ours = getattr(nn, kind)(I, H, batch_first=batch_first, dtype=np.float64)
    nn.load_torch_state_dict(ours, theirs.state_dict())
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 5, I) if batch_first else (5, 3, I))
    h0 = rng.standard_normal((1, 3, H))
    hx = (h0, rng.standard_normal((1, 3, H))) if kind == "LSTM" else h0
    xt = torch.tensor(x, requires_grad=True)
    hxt = tuple(torch.tensor(h, requires_grad=True) for h in hx) if kind == "LSTM" else torch.tensor(hx, requires_grad=True)
    y_t, state_t = theirs(xt, hxt)
    y, state = ours.forward(x, hx)
    np.testing.assert_allclose(y, y_t.detach().numpy(), **TOL[np.float64])
    for a, b in zip(state if kind == "LSTM" else (state,), state_t if kind == "LSTM" else (state_t,)):
        assert a.shape == (1, 3, H)
        np.testing.assert_allclose(a, b.detach().numpy(), **TOL[np.float64])
    grad_y = rng.standard_normal(y.shape)
    y_t.backward(torch.tensor(grad_y))
    grad_x, grad_state = ours.backward(grad_y)
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), **TOL[np.float64])
    for a, b in zip(grad_state if kind == "LSTM" else (grad_state,), hxt if kind == "LSTM" else (hxt,)):
        np.testing.assert_allclose(a, b.grad.numpy(), **TOL[np.float64])
    for name in PARAMS:
        np.testing.assert_allclose(ours.grads[name], getattr(theirs, f"{name}_l0").grad.numpy(), **TOL[np.float64])


def test_nn_classes_refuse_what_they_do_not_have():
    from layerforge import nn

    with pytest.raises(ValueError, match="^LSTM: num_layers=2 is not supported"):
        nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(ValueError, match="^GRU: bias=False is not supported"):
        nn.GRU(3, 4, bias=False)
    with pytest.raises(ValueError, match="^RNN: nonlinearity must be 'tanh' or 'relu', got 'gelu'"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match=r"^RNN: 'hx' must have shape \[1, B, hidden_size\] \(one layer\), got \(3, 4\)"):
        nn.RNN(3, 4).forward(np.ones((2, 3, 3), np.float32), np.ones((3, 4), np.float32))


def test_sequence_digits_example_matches_torch_for_50_steps():
    """examples/sequence_digits.py's model and training loop, against the same model in
    PyTorch from the same initial weights on the same batches: the losses of 50 Adam steps
    agree to 1e-6 (float64; a small hidden size keeps it fast)."""
    import importlib.util
    from pathlib import Path

    from layerforge.optim import Adam

    path = Path(__file__).resolve().parent.parent / "examples" / "sequence_digits.py"
    example = importlib.util.module_from_spec(spec := importlib.util.spec_from_file_location("sequence_digits", path))
    spec.loader.exec_module(example)
    (x_train, y_train), _ = example.load_data(0, np.float64)
    rng = np.random.default_rng(0)
    model = example.DigitReader(12, rng, np.float64)
    lstm_t = torch.nn.LSTM(8, 12, batch_first=True).double()
    head_t = torch.nn.Linear(12, 10).double()
    with torch.no_grad():
        for name in PARAMS:
            getattr(lstm_t, f"{name}_l0").copy_(torch.from_numpy(getattr(model.lstm, name)))
        head_t.weight.copy_(torch.from_numpy(model.head.weight))
        head_t.bias.copy_(torch.from_numpy(model.head.bias))
    optimizer = Adam(model.parameters(), lr=1e-2)
    optimizer_t = torch.optim.Adam(list(lstm_t.parameters()) + list(head_t.parameters()), lr=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss()
    ours_fn = example.nn.CrossEntropyLoss()
    order = np.random.default_rng(1).permutation(len(y_train))
    losses, losses_t = [], []
    for step in range(50):
        index = order[(step * 32) % 1408:(step * 32) % 1408 + 32]
        losses.append(ours_fn(model(x_train[index]), y_train[index]))
        model.backward(ours_fn.backward())
        optimizer.step(model.gradients())
        optimizer_t.zero_grad()
        _, (h_n, _) = lstm_t(torch.from_numpy(x_train[index]))
        loss_t = loss_fn(head_t(h_n[0]), torch.from_numpy(y_train[index]))
        loss_t.backward()
        optimizer_t.step()
        losses_t.append(loss_t.item())
    np.testing.assert_allclose(losses, losses_t, rtol=1e-6, atol=1e-9)
    assert losses[-1] < 0.8 * losses[0]  # it learns


PROBE = """
name: probe
kind: layer
title: Probe
summary: a multiplicative recurrence whose step reads its input and parameter next to the carry
inputs:
  x: {shape: [T, B, F]}
  h0: {shape: [B, F], optional: true}
parameters:
  w: {shape: [F]}
scan:
  sequences: [x]
  carry:
    h: {init: h0, next: h_next, final: h_n}
  stack: {y: out}
forward: |
  h_next = tanh(h * x + w * h + 0.5 * x)
  out = h_next * w
outputs: [y, h_n]
"""


def test_a_step_that_reads_its_input_with_the_carry(tmp_path):
    """Beyond the three layers: the sequence read inside the step (its gradient stacked from
    the loop), a parameter's gradient summed over the steps after the loop, a stacked output
    that is not the carry; against a NumPy loop and central differences (float64)."""
    from harness import PATHS, catalog
    from transpiler.pipeline import Catalog, load_op
    from transpiler.spec import load_spec

    path = tmp_path / "probe.yaml"
    path.write_text(PROBE)
    spec = load_spec(path, "probe.yaml")
    probe = load_op(spec, Catalog(catalog().prims, {**catalog().ops, "probe": spec}), PATHS, name="probe")
    rng = np.random.default_rng(4)
    x, h0, w = rng.uniform(-1, 1, (4, 2, 3)), rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, 3)

    def reference(x, h0, w):
        h, ys = h0, []
        for t in range(x.shape[0]):
            h = np.tanh(h * x[t] + w * h + 0.5 * x[t])
            ys.append(h * w)
        return np.stack(ys), h

    (y, h_n), ctx = probe.forward(x, w, h0)  # an optional input comes last
    y_ref, h_ref = reference(x, h0, w)
    np.testing.assert_allclose(y, y_ref, rtol=1e-13)
    np.testing.assert_allclose(h_n, h_ref, rtol=1e-13)
    gy, gh = rng.standard_normal(y.shape), rng.standard_normal(h_n.shape)
    grads = probe.backward(gy, gh, ctx)
    arrays = [x, w, h0]
    eps = 1e-6
    for index, (array, grad) in enumerate(zip(arrays, grads)):
        numeric = np.zeros_like(array)
        for position in np.ndindex(array.shape):
            values = [a.copy() for a in arrays]
            values[index][position] += eps
            y1, h1 = reference(values[0], values[2], values[1])
            values[index][position] -= 2 * eps
            y2, h2 = reference(values[0], values[2], values[1])
            numeric[position] = (np.sum(gy * (y1 - y2)) + np.sum(gh * (h1 - h2))) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8, err_msg=f"argument {index}")
    (y0, _), ctx0 = probe.forward(x, w)  # no initial state: zeros
    np.testing.assert_allclose(y0, reference(x, np.zeros_like(h0), w)[0], rtol=1e-13)
    assert probe.backward(gy, gh, ctx0)[2] is None


SHARED_BIAS = """
name: probe
kind: layer
title: Probe
summary: an Elman step whose two biases are added together before the input projection's sum
inputs:
  x: {shape: [T, B, F]}
  h0: {shape: [B, F]}
parameters:
  a: {shape: [F]}
  b: {shape: [F]}
scan:
  sequences: [x]
  carry:
    h: {init: h0, next: h_next, final: h_n}
  stack: {y: h_next}
forward: |
  h_next = tanh(x + (a + b) + 0.5 * h)
outputs: [y, h_n]
"""


def test_two_parameters_added_in_the_hoisted_part_share_their_gradient(tmp_path):
    """(a + b) does not read the carry, so it is hoisted, and its derived backward gives a
    and b the one gradient of their sum: the hoisted backward returns it for both (it once
    named it for the second only, leaving the first an undefined name). Against a NumPy
    loop's central differences (float64)."""
    from harness import PATHS, catalog
    from transpiler.pipeline import Catalog, load_op
    from transpiler.spec import load_spec

    path = tmp_path / "probe.yaml"
    path.write_text(SHARED_BIAS)
    spec = load_spec(path, "probe.yaml")
    probe = load_op(spec, Catalog(catalog().prims, {**catalog().ops, "probe": spec}), PATHS, name="probe")
    rng = np.random.default_rng(5)
    x, h0, a, b = rng.uniform(-1, 1, (4, 2, 3)), rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3)

    def loss(x, a, b, gy):
        h, total = h0, 0.0
        for t in range(x.shape[0]):
            h = np.tanh(x[t] + (a + b) + 0.5 * h)
            total += np.sum(gy[t] * h)
        return total

    (y, h_n), ctx = probe.forward(x, h0, a, b)
    gy = rng.standard_normal(y.shape)
    grad_x, _, grad_a, grad_b = probe.backward(gy, np.zeros_like(h_n), ctx)
    eps = 1e-6
    for name, grad in (("a", grad_a), ("b", grad_b)):
        numeric = np.zeros(3)
        for i in range(3):
            step = np.zeros(3)
            step[i] = eps
            up = loss(x, a + step, b, gy) if name == "a" else loss(x, a, b + step, gy)
            down = loss(x, a - step, b, gy) if name == "a" else loss(x, a, b - step, gy)
            numeric[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8, err_msg=name)
