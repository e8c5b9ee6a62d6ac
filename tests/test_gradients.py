"""Backward against float64 central finite differences, for every generated op.

For each array argument a, a random direction v and a random output cotangent dy:
    (L(a + h v) - L(a - h v)) / 2h  ==  <grad_a, v>,  with L = sum(forward(...) * dy).
h = 1e-5 in float64 keeps truncation error (O(h^2)) near 1e-10 and rounding error
(about eps * N / h for N summed terms, N <= ~1000 here) near 1e-8, so a relative tolerance
of 1e-6 on the scale sum(|grad_a * v|) separates real mistakes from noise by two orders.
Inputs stay 1e-2 away from each op's declared kinks.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness import (BATCH_SIZES, as_tuple, attributes, counted_to, differentiable, grad_outputs, make_arrays,
                     module, modes, names, run_forward, spec)

STEP = 1e-5
RTOL = 1e-6

ACTIVATIONS = [n for n in names("activation") if not spec(n).test.get("surrogate")]
# Dense with every activation: the ten fused ones and the rest by composition.
DENSE_ACTIVATIONS = [n for n in names("activation") if not spec(n).parameters and not spec(n).test.get("surrogate")]


def check_gradients(spec_, arrays, attrs, options=None, seed=7):
    rng = np.random.default_rng(seed)
    mod = module(spec_)
    arrays = counted_to(spec_, arrays, attrs)  # a counted copy beyond the count: None
    kwargs = dict(attrs)
    if options:
        kwargs.update(options)
    y, ctx = run_forward(spec_, arrays, kwargs)
    outputs = grad_outputs(spec_, y)
    # outputs whose derivative is a declared surrogate (``test: {surrogate: [spikes]}``, a
    # spiking layer's steps) get a zero cotangent: the rest of backward is exact
    surrogate = spec_.test.get("surrogate")
    stepped = surrogate if isinstance(surrogate, list) else []
    cotangents = [np.zeros(o.shape) if name in stepped else rng.standard_normal(o.shape)
                  for name, o in zip(spec_.grad_outputs, outputs)]
    grads = as_tuple(mod.backward(*cotangents, ctx))
    assert len(grads) == len(spec_.differentiable)

    def loss(values):
        out = grad_outputs(spec_, run_forward(spec_, values, kwargs)[0])
        return sum(float(np.sum(o * c)) for o, c in zip(out, cotangents))

    for (name, value), grad in zip(differentiable(spec_, arrays).items(), grads):
        if value is None:  # left out: no gradient
            assert grad is None, f"{spec_.name}: a gradient for '{name}', which was left out"
            continue
        assert grad.shape == value.shape, f"{spec_.name}: grad of {name} has shape {grad.shape}, expected {value.shape}"
        assert grad.dtype == value.dtype
        direction = rng.standard_normal(value.shape)
        plus, minus = dict(arrays), dict(arrays)
        plus[name] = value + STEP * direction
        minus[name] = value - STEP * direction
        numeric = (loss(plus) - loss(minus)) / (2 * STEP)
        analytic = float(np.sum(grad * direction))
        scale = max(1.0, float(np.sum(np.abs(grad * direction))))
        assert abs(numeric - analytic) <= RTOL * scale, (
            f"{spec_.name}: d/d{name}: finite differences {numeric!r}, backward {analytic!r}"
        )


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradient(name, batch):
    s = spec(name)
    for training in modes(s):
        check_gradients(s, make_arrays(s, batch, np.float64), attributes(s, training))


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("activation", DENSE_ACTIVATIONS)
def test_dense_gradient(activation, batch):
    s = spec("dense")
    act = spec(activation)
    options = dict(act.test.get("attributes", {}))
    if act.random:
        options["rng"] = np.random.default_rng(3)
        options["training"] = False
    arrays = make_arrays(s, batch, np.float64, seed=batch)
    if activation == "maxout":
        arrays["weight"] = np.random.default_rng(0).uniform(-1, 1, (4, 5))
        arrays["bias"] = np.zeros(4)
    check_gradients(s, arrays, {"activation": activation, "activation_options": options})


@pytest.mark.parametrize("name", [n for n in names("activation") if spec(n).test.get("surrogate")])
def test_surrogate_gradient(name):
    """A step function's true derivative is zero; backward must give the declared surrogate."""
    s = spec(name)
    x = np.linspace(0.5, 1.5, 101)[None, :]
    y, ctx = module(s).forward(x)
    assert np.array_equal(y, (x >= 1.0).astype(x.dtype))
    dy = np.full_like(x, 2.0)
    dx = module(s).backward(dy, ctx)
    expected = 2.0 * 1.0 * np.maximum(1 - np.abs(x - 1.0) / 0.2, 0)
    np.testing.assert_allclose(dx, expected, rtol=1e-12, atol=1e-12)
