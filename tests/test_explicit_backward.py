"""Where a spec gives an explicit backward (a closed form), it must agree with the backward
the transpiler derives by reverse-mode differentiation of the forward statements."""

from __future__ import annotations

import types

import numpy as np
import pytest

from harness import PATHS, as_tuple, attributes, catalog, grad_outputs, make_arrays, module, modes, names, run_forward, spec
from transpiler.pipeline import load_op

EXPLICIT = [n for n in names("activation") + names("layer") if spec(n).backward is not None]


def derived_module(name: str) -> types.ModuleType:
    return load_op(spec(name), catalog(), PATHS, explicit=False, name=f"derived_{name}")


def test_there_are_explicit_backwards():
    assert {"softmax", "log_softmax", "sparsemax"} <= set(EXPLICIT)


@pytest.mark.parametrize("name", EXPLICIT + ["dense"])
def test_explicit_backward_agrees_with_derived(name):
    s = spec(name)
    derived = derived_module(name)
    # float64: both are exact formulas for the same derivative; they differ by rounding only.
    options = [{"activation": "softmax"}] if name == "dense" else [attributes(s, t) for t in modes(s)]
    for attrs in options:
        arrays = make_arrays(s, 16, np.float64)
        y1, ctx1 = run_forward(s, arrays, attrs)
        y2, ctx2 = run_forward(s, arrays, attrs, mod=derived)
        for out1, out2 in zip(as_tuple(y1), as_tuple(y2)):
            np.testing.assert_allclose(out1, out2, rtol=1e-13, atol=1e-15)
        rng = np.random.default_rng(4)
        dys = [rng.standard_normal(o.shape) for o in grad_outputs(s, y1)]
        grads1, grads2 = as_tuple(module(s).backward(*dys, ctx1)), as_tuple(derived.backward(*dys, ctx2))
        assert len(grads1) == len(grads2) == len(s.differentiable)
        for g1, g2 in zip(grads1, grads2):
            np.testing.assert_allclose(g1, g2, rtol=1e-10, atol=1e-12)
