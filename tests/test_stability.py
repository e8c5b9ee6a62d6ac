"""Large float32 inputs: no nan or inf where the true value is finite, and no overflow warning
(pytest turns RuntimeWarning into an error for the whole suite)."""

from __future__ import annotations

import numpy as np
import pytest

from harness import as_tuple, attributes, make_arrays, module, modes, names, run_forward, spec

EXTREMES = np.array([-1e4, -3e3, -100.0, -30.0, -1.0, 0.5, 1.5, 30.0, 100.0, 3e3, 1e4, 9e3], dtype=np.float32)


@pytest.mark.parametrize("name", names("activation"))
def test_large_inputs_stay_finite(name):
    s = spec(name)
    for training in modes(s):
        arrays = make_arrays(s, 4, np.float32)
        x = np.resize(EXTREMES, arrays["x"].shape).astype(np.float32)
        arrays["x"] = np.random.default_rng(0).permutation(x.ravel()).reshape(x.shape)
        y, ctx = run_forward(s, arrays, attributes(s, training))
        for out in as_tuple(y):
            assert np.all(np.isfinite(out)), f"{name}: non-finite output for |x| up to 1e4"
        grads = as_tuple(module(s).backward(np.ones_like(as_tuple(y)[0]), ctx))
        for grad in grads:
            assert np.all(np.isfinite(grad)), f"{name}: non-finite gradient for |x| up to 1e4"


@pytest.mark.parametrize("name", ["softplus", "sigmoid", "log_softmax", "mish", "gelu", "softmax", "selu", "elu", "celu"])
def test_known_values_at_extremes(name):
    """Spot values where a naive formula overflows: compare with float64 references."""
    x = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]], dtype=np.float32)
    y, _ = run_forward(spec(name), {"x": x}, {})
    x64 = x.astype(np.float64)
    reference = {
        "softplus": np.logaddexp(0, x64),
        "sigmoid": np.exp(-np.logaddexp(0, -x64)),
        "log_softmax": x64 - (np.max(x64) + np.log(np.sum(np.exp(x64 - np.max(x64))))),
        "mish": x64 * np.tanh(np.logaddexp(0, x64)),
        "gelu": 0.5 * x64 * (1 + np.tanh(0.7978845608028654 * (x64 + 0.044715 * x64**3))),
        "softmax": np.exp(x64 - np.max(x64)) / np.sum(np.exp(x64 - np.max(x64))),
        "selu": 1.0507009873554805 * np.where(x64 >= 0, x64, 1.6732632423543772 * np.expm1(np.minimum(x64, 0))),
        "elu": np.where(x64 > 0, x64, np.expm1(np.minimum(x64, 0))),
        "celu": np.where(x64 > 0, x64, np.expm1(np.minimum(x64, 0))),
    }[name]
    np.testing.assert_allclose(y, reference, rtol=1e-6, atol=1e-30)
