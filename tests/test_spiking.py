"""The spiking layer (leaky integrate-and-fire, snnTorch's Leaky) through the scan construct.

snnTorch is not installed here (no network), so the oracle is snnTorch's Leaky written out
as a loop under torch autograd: mem = beta mem + cur - threshold reset, reset = H(mem_prev -
threshold) detached, spk = H(mem - threshold) through a torch.autograd.Function whose
backward is snnTorch's surrogate (ATan: alpha / 2 / (1 + (pi / 2 alpha u)^2), as
snntorch/surrogate.py's ATan.backward; Sigmoid: slope e^(-slope u) / (e^(-slope u) + 1)^2),
or the triangle of the heaviside primitive. Every output and gradient is compared.

Finite differences cannot check a surrogate (the step's true derivative is 0): they check
every gradient with the spikes' cotangent 0, where backward is exact almost everywhere (the
reset takes no gradient, so v_n is a smooth function of every input between spike flips).

Tolerances: float64 to rounding (1e-10 relative); float32 2e-4 relative, 2e-5 absolute (the
summation orders of the two BLAS differ); spikes exactly (no membrane lies within rounding
of the threshold for these seeds).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from harness import central_differences
from layerforge.layers import spiking

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=2e-4, atol=2e-5)}
I, O = 4, 5


class Spike(torch.autograd.Function):
    """H(u) = [u > 0] ([u >= 0] for the triangle) with a surrogate derivative."""

    @staticmethod
    def forward(ctx, u, surrogate, scale):
        ctx.save_for_backward(u)
        ctx.surrogate, ctx.scale = surrogate, scale
        return (u >= 0 if surrogate == "triangle" else u > 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad):
        (u,) = ctx.saved_tensors
        k = ctx.scale
        if ctx.surrogate == "atan":
            return k / 2 / (1 + (math.pi / 2 * k * u) ** 2) * grad, None, None
        if ctx.surrogate == "sigmoid":
            return grad * k * torch.exp(-k * u) / (torch.exp(-k * u) + 1) ** 2, None, None
        return grad * torch.clamp(1 - u.abs() / k, min=0), None, None


def _torch_leaky(x, weight, bias, v0, beta, threshold, surrogate, scale):
    """snnTorch's Leaky(beta, threshold, reset_mechanism="subtract") after nn.Linear, over
    time-major x [T, B, I]."""
    mem, spikes = v0, []
    for t in range(x.shape[0]):
        shifted = mem - threshold
        reset = (shifted >= 0 if surrogate == "triangle" else shifted > 0).to(mem.dtype).detach()
        mem = beta * mem + torch.nn.functional.linear(x[t], weight, bias) - threshold * reset
        spikes.append(Spike.apply(mem - threshold, surrogate, scale))
    return torch.stack(spikes), mem


SCALE = {"atan": "alpha", "sigmoid": "slope", "triangle": "width"}
CASES = [
    # surrogate, scale, T, B, batch_first, v0 given, tau, beta
    ("atan", 2.0, 8, 3, True, True, 10.0, None),
    ("sigmoid", 5.0, 8, 3, False, False, 4.0, None),
    ("triangle", 0.7, 6, 2, True, True, 10.0, 0.8),
    ("atan", 3.0, 1, 1, False, True, 10.0, 0.5),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("surrogate, scale, steps, batch, batch_first, given, tau, beta", CASES)
def test_parity_with_a_torch_leaky_loop(surrogate, scale, steps, batch, batch_first, given, tau, beta, dtype):
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 2, (batch, steps, I) if batch_first else (steps, batch, I)).astype(dtype)
    weight, bias = rng.uniform(-0.8, 0.8, (O, I)).astype(dtype), rng.uniform(-0.3, 0.5, O).astype(dtype)
    v0 = rng.uniform(0, 1.5, (batch, O)).astype(dtype) if given else None
    threshold = 0.9
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, weight, bias))
    v0t = torch.tensor(v0 if given else np.zeros((batch, O), dtype), requires_grad=given)
    spikes_t, v_n_t = _torch_leaky(xt.transpose(0, 1) if batch_first else xt, wt, bt, v0t,
                                   1 - 1 / tau if beta is None else beta, threshold, surrogate, scale)
    if batch_first:
        spikes_t = spikes_t.transpose(0, 1)
    grad_spikes = rng.standard_normal(spikes_t.shape).astype(dtype)
    grad_v_n = rng.standard_normal(v_n_t.shape).astype(dtype)
    torch.autograd.backward([spikes_t, v_n_t], [torch.from_numpy(grad_spikes), torch.from_numpy(grad_v_n)])

    (spikes, v_n), ctx = spiking.forward(x, weight, bias, v0, tau=tau, beta=beta, threshold=threshold,
                                         surrogate=surrogate, batch_first=batch_first, **{SCALE[surrogate]: scale})
    assert spikes.dtype == dtype and spikes.shape == spikes_t.shape
    np.testing.assert_array_equal(spikes, spikes_t.detach().numpy())
    assert 0 < spikes.mean() < 1  # both kinds of step occur
    np.testing.assert_allclose(v_n, v_n_t.detach().numpy(), **TOL[dtype])
    grads = spiking.backward(grad_spikes, grad_v_n, ctx)
    expected = [xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy(), v0t.grad.numpy() if given else None]
    for name, got, want in zip(("x", "weight", "bias", "v0"), grads, expected):
        if want is None:
            assert got is None
            continue
        assert got.dtype == dtype and got.shape == want.shape, name
        np.testing.assert_allclose(got, want, **TOL[dtype], err_msg=name)


@pytest.mark.parametrize("surrogate", ["atan", "triangle"])
def test_finite_differences_of_the_membrane(surrogate):
    """With the spikes' cotangent 0 every gradient is the true one (float64)."""
    rng = np.random.default_rng(8)
    arrays = [rng.uniform(-1, 2, (2, 5, 3)), rng.uniform(-0.8, 0.8, (O, 3)), rng.uniform(-0.3, 0.5, O),
              rng.uniform(0, 1.5, (2, O))]
    options = dict(threshold=0.9, surrogate=surrogate, tau=5.0)
    (spikes, v_n), ctx = spiking.forward(*arrays, **options)
    assert 0 < spikes.mean() < 1
    weights = rng.standard_normal(v_n.shape)
    grads = spiking.backward(np.zeros_like(spikes), weights, ctx)

    def loss(values):
        return float(np.sum(weights * spiking.forward(*values, **options)[0][1]))

    for index, (array, grad) in enumerate(zip(arrays, grads)):
        numeric = central_differences(loss, arrays, index)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8, err_msg=f"argument {index}")


def test_beta_defaults_to_one_minus_one_over_tau():
    """Below the threshold the membrane is a leaky sum: v_T = sum_t beta^(T - t) I_t."""
    rng = np.random.default_rng(1)
    x, weight, bias = rng.uniform(0, 0.1, (1, 4, 2)), rng.uniform(0, 0.1, (3, 2)), np.zeros(3)
    (spikes, v_n), _ = spiking.forward(x, weight, bias, tau=4.0, threshold=10.0)
    currents = x[0] @ weight.T
    np.testing.assert_allclose(v_n[0], sum(0.75 ** (3 - t) * currents[t] for t in range(4)), rtol=1e-14)
    assert not spikes.any()


def test_bad_input_names_the_op_and_the_argument():
    x, weight, bias = np.ones((2, 3, I)), np.ones((O, I)), np.zeros(O)
    with pytest.raises(ValueError, match=r"^spiking: argument 'x' must have rank 3"):
        spiking.forward(np.ones((3, I)), weight, bias)
    with pytest.raises(ValueError, match=r"^spiking: argument 'v0' has output_size = 4"):
        spiking.forward(x, weight, bias, np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"^spiking: argument 'x' of shape \(2, 0, 4\) has no time steps"):
        spiking.forward(x[:, :0], weight, bias)
    with pytest.raises(ValueError, match=r"^spiking: attribute 'surrogate' must be one of"):
        spiking.forward(x, weight, bias, surrogate="fast_sigmoid")
    with pytest.raises(ValueError, match=r"^spiking: attribute 'beta' must be at most 1\.0, got 1\.5$"):
        spiking.forward(x, weight, bias, beta=1.5)


def test_nn_spiking():
    from layerforge import nn

    layer = nn.Spiking(I, O, surrogate="sigmoid", rng=np.random.default_rng(0), dtype=np.float64)
    assert layer.weight.shape == (O, I) and np.abs(layer.weight).max() <= I ** -0.5
    x = np.random.default_rng(1).uniform(0, 3, (2, 6, I))
    spikes, v_n = layer(x)
    (want, want_v), _ = spiking.forward(x, layer.weight, layer.bias, surrogate="sigmoid")
    np.testing.assert_array_equal(spikes, want)
    grad_x, grad_v0 = layer.backward(np.ones_like(spikes), np.ones_like(v_n))
    assert grad_x.shape == x.shape and grad_v0 is None
    assert [g.shape for g in layer.gradients()] == [(O, I), (O,)]
