"""The reservoir layer (echo state network) through the scan construct.

With leaking_rate 1 the reservoir is an Elman RNN without biases, so torch.nn.RNN(I, N,
bias=False) with weight_ih_l0 = s W_in and weight_hh_l0 = W_res is its oracle; any other
leaking rate is checked against a loop under torch autograd. The buffers take no gradient:
backward returns the gradients of u and r0 only (full backpropagation through time), and
the object API draws the buffers at the spectral radius it is asked for.

Tolerances as test_recurrence's: float64 to rounding (1e-10 relative), float32 to 2e-4
relative and 2e-5 absolute (BLAS summation orders differ and each step's rounding passes on).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from harness import central_differences
from layerforge.layers import reservoir

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=2e-4, atol=2e-5)}
I, N = 3, 6


def _arrays(dtype, steps=5, batch=2, batch_first=True, seed=0):
    rng = np.random.default_rng(seed)
    u = rng.standard_normal((batch, steps, I) if batch_first else (steps, batch, I)).astype(dtype)
    weight_in = rng.uniform(-0.5, 0.5, (N, I)).astype(dtype)
    weight_res = rng.uniform(-0.5, 0.5, (N, N)).astype(dtype)
    r0 = rng.standard_normal((batch, N)).astype(dtype)
    return u, weight_in, weight_res, r0


def _check(ours, expected, dtype):
    for name, got, want in zip(("states", "r_n", "grad_u", "grad_r0"), ours, expected):
        if want is None:
            assert got is None, name
            continue
        assert got.dtype == dtype and got.shape == want.shape, name
        np.testing.assert_allclose(got, want, **TOL[dtype], err_msg=name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("given", [True, False])
def test_leaking_rate_1_is_torch_rnn_without_bias(given, dtype):
    u, weight_in, weight_res, r0 = _arrays(dtype)
    r0 = r0 if given else None
    scaling = 0.7
    rnn = torch.nn.RNN(I, N, bias=False, batch_first=True).to(torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(scaling * weight_in))
        rnn.weight_hh_l0.copy_(torch.from_numpy(weight_res))
    ut = torch.tensor(u, requires_grad=True)
    r0t = None if r0 is None else torch.tensor(r0[None], requires_grad=True)
    states_t, r_n_t = rnn(ut, r0t)
    rng = np.random.default_rng(1)
    grad_states, grad_r_n = rng.standard_normal(states_t.shape).astype(dtype), rng.standard_normal((2, N)).astype(dtype)
    torch.autograd.backward([states_t, r_n_t[0]], [torch.from_numpy(grad_states), torch.from_numpy(grad_r_n)])
    (states, r_n), ctx = reservoir.forward(u, weight_in, weight_res, r0, input_scaling=scaling)
    grad_u, grad_r0 = reservoir.backward(grad_states, grad_r_n, ctx)
    expected = [states_t.detach().numpy(), r_n_t[0].detach().numpy(), ut.grad.numpy(),
                None if r0t is None else r0t.grad[0].numpy()]
    _check([states, r_n, grad_u, grad_r0], expected, dtype)


def _torch_loop(u, weight_in, weight_res, r0, leaking_rate, scaling):
    """The reservoir as a loop over time-major u [T, B, I] under autograd."""
    r, states = r0, []
    for t in range(u.shape[0]):
        r = (1 - leaking_rate) * r + leaking_rate * torch.tanh((scaling * u[t]) @ weight_in.T + r @ weight_res.T)
        states.append(r)
    return torch.stack(states), r


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("batch_first, steps, batch", [(False, 5, 3), (True, 1, 1)])
def test_leaky_reservoir_against_a_torch_loop(batch_first, steps, batch, dtype):
    u, weight_in, weight_res, r0 = _arrays(dtype, steps, batch, batch_first, seed=3)
    leaking_rate, scaling = 0.3, 1.5
    ut, r0t = torch.tensor(u, requires_grad=True), torch.tensor(r0, requires_grad=True)
    states_t, r_n_t = _torch_loop(ut.transpose(0, 1) if batch_first else ut, torch.from_numpy(weight_in),
                                  torch.from_numpy(weight_res), r0t, leaking_rate, scaling)
    if batch_first:
        states_t = states_t.transpose(0, 1)
    rng = np.random.default_rng(2)
    grad_states, grad_r_n = rng.standard_normal(states_t.shape).astype(dtype), rng.standard_normal(r0.shape).astype(dtype)
    torch.autograd.backward([states_t, r_n_t], [torch.from_numpy(grad_states), torch.from_numpy(grad_r_n)])
    (states, r_n), ctx = reservoir.forward(u, weight_in, weight_res, r0, leaking_rate=leaking_rate,
                                           input_scaling=scaling, batch_first=batch_first)
    grad_u, grad_r0 = reservoir.backward(grad_states, grad_r_n, ctx)
    _check([states, r_n, grad_u, grad_r0],
           [states_t.detach().numpy(), r_n_t.detach().numpy(), ut.grad.numpy(), r0t.grad.numpy()], dtype)


def test_finite_differences():
    """Gradients of u and r0 against central differences of a random linear loss (float64)."""
    u, weight_in, weight_res, r0 = _arrays(np.float64, steps=3, seed=5)
    options = dict(leaking_rate=0.6, input_scaling=0.8)
    outputs, ctx = reservoir.forward(u, weight_in, weight_res, r0, **options)
    rng = np.random.default_rng(6)
    weights = [rng.standard_normal(o.shape) for o in outputs]
    grads = reservoir.backward(*weights, ctx)
    assert len(grads) == 2  # u and r0: the buffers take none

    def loss(u, r0):
        return sum(float(np.sum(w * o)) for w, o in zip(weights, reservoir.forward(u, weight_in, weight_res, r0, **options)[0]))

    for index, grad in enumerate(grads):
        numeric = central_differences(lambda values: loss(*values), [u, r0], index)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8, err_msg=f"argument {index}")


def test_bad_input_names_the_op_and_the_argument():
    u, weight_in, weight_res, r0 = _arrays(np.float64)
    with pytest.raises(ValueError, match=r"^reservoir: argument 'r0' has reservoir_size = 5"):
        reservoir.forward(u, weight_in, weight_res, r0[:, :5])
    with pytest.raises(ValueError, match=r"^reservoir: argument 'u' of shape \(2, 0, 3\) has no time steps \(T = 0 along axis 1\)"):
        reservoir.forward(u[:, :0], weight_in, weight_res)
    with pytest.raises(ValueError, match=r"^reservoir: attribute 'leaking_rate' must be at most 1\.0, got 1\.5$"):
        reservoir.forward(u, weight_in, weight_res, leaking_rate=1.5)


def test_nn_reservoir_draws_its_buffers_and_trains_nothing():
    from layerforge import nn

    layer = nn.Reservoir(I, 50, connection_probability=0.2, spectral_radius=0.8, leaking_rate=0.5, seed=4,
                         dtype=np.float64)
    assert layer.parameters() == [] and set(layer.named_buffers()) == {"weight_in", "weight_res"}
    assert layer.weight_in.shape == (50, I) and np.abs(layer.weight_in).max() <= 0.5
    density = np.count_nonzero(layer.weight_res) / layer.weight_res.size
    assert 0.15 < density < 0.25
    # power iteration against the eigenvalues: within 2%
    assert abs(np.abs(np.linalg.eigvals(layer.weight_res)).max() - 0.8) < 0.016
    again = nn.Reservoir(I, 50, connection_probability=0.2, spectral_radius=0.8, seed=4, dtype=np.float64)
    np.testing.assert_array_equal(again.weight_res, layer.weight_res)  # seeded
    u = np.random.default_rng(0).standard_normal((2, 4, I))
    states, r_n = layer(u)
    (want, _), _ = reservoir.forward(u, layer.weight_in, layer.weight_res, leaking_rate=0.5)
    np.testing.assert_array_equal(states, want)
    grad_u, grad_r0 = layer.backward(np.ones_like(states), np.zeros_like(r_n))
    assert grad_u.shape == u.shape and grad_r0 is None and layer.gradients() == []
    with pytest.raises(ValueError, match=r"^Reservoir: connection_probability must be in \[0, 1\], got 1\.5"):
        nn.Reservoir(I, 5, connection_probability=1.5)


PROBE = """
name: probe
kind: layer
title: Probe
summary: a fixed mixing matrix passed with every call, which takes no gradient
inputs:
  x: {shape: [..., F]}
  mix: {shape: [F, F], grad: false}
parameters:
  scale: {shape: [F]}
forward: |
  y = tanh(linear(x, mix)) * scale
outputs: [y]
"""


def test_a_float_input_that_takes_no_gradient(tmp_path):
    """``grad: false`` on a float input (what a graph's adjacency needs; the reservoir holds its
    fixed weights as buffers instead): checked as data of the op's dtype, read by forward,
    left out of backward's results; against torch autograd (float64)."""
    from harness import PATHS, catalog
    from transpiler.pipeline import Catalog, load_op
    from transpiler.spec import load_spec

    path = tmp_path / "probe.yaml"
    path.write_text(PROBE)
    spec = load_spec(path, "probe.yaml")
    probe = load_op(spec, Catalog(catalog().prims, {**catalog().ops, "probe": spec}), PATHS, name="probe")
    assert [d.name for d in spec.differentiable] == ["x", "scale"]
    rng = np.random.default_rng(9)
    x, mix, scale = rng.standard_normal((3, 4)), rng.standard_normal((4, 4)), rng.standard_normal(4)
    y, ctx = probe.forward(x, mix, scale)
    grad_y = rng.standard_normal(y.shape)
    grads = probe.backward(grad_y, ctx)
    assert len(grads) == 2
    xt, scale_t = torch.tensor(x, requires_grad=True), torch.tensor(scale, requires_grad=True)
    yt = torch.tanh(xt @ torch.from_numpy(mix).T) * scale_t
    yt.backward(torch.from_numpy(grad_y))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL[np.float64])
    for got, want in zip(grads, (xt.grad, scale_t.grad)):
        np.testing.assert_allclose(got, want.numpy(), **TOL[np.float64])
    with pytest.raises(TypeError, match=r"^probe: "):
        probe.forward(x, mix.astype(np.float32), scale)


SCAN_PROBE = """
name: probe
kind: layer
title: Probe
summary: a recurrence driven by a sequence that takes no gradient
inputs:
  x: {shape: [T, B, F]}
  gate: {shape: [T, B, F], grad: false}
  h0: {shape: [B, F], optional: true}
parameters:
  w: {shape: [F]}
scan:
  sequences: [x, gate]
  carry:
    h: {init: h0, next: h_next, final: h_n}
  stack: {y: h_next}
forward: |
  h_next = tanh(h * w + x * gate)
outputs: [y, h_n]
"""


def test_a_scan_sequence_that_takes_no_gradient(tmp_path):
    """A sequence with ``grad: false`` is sliced per step and read, and backward returns the
    gradients of x, w and h0 only; against torch autograd (float64)."""
    from harness import PATHS, catalog
    from transpiler.pipeline import Catalog, load_op
    from transpiler.spec import load_spec

    path = tmp_path / "probe.yaml"
    path.write_text(SCAN_PROBE)
    spec = load_spec(path, "probe.yaml")
    probe = load_op(spec, Catalog(catalog().prims, {**catalog().ops, "probe": spec}), PATHS, name="probe")
    rng = np.random.default_rng(0)
    x, gate, w, h0 = (rng.standard_normal(s) for s in ((4, 2, 3), (4, 2, 3), (3,), (2, 3)))
    (y, h_n), ctx = probe.forward(x, gate, w, h0)
    grad_y, grad_h_n = rng.standard_normal(y.shape), rng.standard_normal(h_n.shape)
    grads = probe.backward(grad_y, grad_h_n, ctx)
    xt, wt, h0t = (torch.tensor(a, requires_grad=True) for a in (x, w, h0))
    h, ys = h0t, []
    for t in range(4):
        h = torch.tanh(h * wt + xt[t] * torch.from_numpy(gate[t]))
        ys.append(h)
    torch.autograd.backward([torch.stack(ys), h], [torch.from_numpy(grad_y), torch.from_numpy(grad_h_n)])
    np.testing.assert_allclose(y, torch.stack(ys).detach().numpy(), **TOL[np.float64])
    assert len(grads) == 3
    for got, want in zip(grads, (xt, wt, h0t)):
        np.testing.assert_allclose(got, want.grad.numpy(), **TOL[np.float64])
