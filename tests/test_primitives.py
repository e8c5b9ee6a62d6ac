"""Every derivative rule of the primitive table against float64 finite differences.

Each case is a one-line probe op, y = <expression>, over an input x [B, F] and a parameter w
of the shape given; the probe goes through the real pipeline (IR, grad, codegen, passes) and
its backward is checked in random directions like the ops themselves (see test_gradients).
"""

from __future__ import annotations

import types

import numpy as np
import pytest

from harness import PATHS, catalog
from transpiler.errors import Collector
from transpiler.pipeline import Catalog, render_op
from transpiler.spec import load_spec

PROBE = """name: probe
kind: layer
title: Probe
summary: one primitive
inputs:
  x: {{shape: [B, F]}}
parameters:
  w: {{shape: {w_shape}}}
forward: |
  y = {expr}
outputs: [y]
"""

# primitive -> (expression, shape of w, how to draw x, how to draw w)
CASES = {
    "add": ("x + w", "[F]", "any", "any"),
    "sub": ("x - w", "[B, 1]", "any", "any"),
    "mul": ("x * w", "[F]", "any", "any"),
    "div": ("x / w", "[B, F]", "any", "positive"),
    "neg": ("-x * w", "[F]", "any", "any"),
    "pow": ("w ** x + x ** 3", "[B, F]", "any", "positive"),
    "exp": ("exp(x) * w", "[F]", "any", "any"),
    "expm1": ("expm1(x * w)", "[F]", "any", "any"),
    "log": ("log(w) * x", "[B, F]", "any", "positive"),
    "log1p": ("log1p(w) * x", "[B, F]", "any", "positive"),
    "sqrt": ("sqrt(w) * x", "[B, F]", "any", "positive"),
    "tanh": ("tanh(x * w)", "[F]", "any", "any"),
    "sigmoid": ("sigmoid(x + w)", "[F]", "any", "any"),
    "softplus": ("softplus(x * w)", "[F]", "any", "any"),
    "abs": ("abs(x) * w", "[F]", "nonzero", "any"),
    "maximum": ("maximum(x, w)", "[B, F]", "any", "any"),
    "minimum": ("minimum(x, w)", "[F]", "any", "any"),
    "clip": ("clip(x * w, -0.5, 0.5)", "[B, F]", "any", "any"),
    "where": ("where(x > 0, x * w, w)", "[B, F]", "nonzero", "any"),
    "sum": ("sum(x * w) * x", "[F]", "any", "any"),
    "mean": ("mean(x * w, axis=0) * x", "[B, F]", "any", "any"),
    "amax": ("amax(x + w) * x", "[B, F]", "any", "any"),
    "linear": ("linear(x, w)", "[G, F]", "any", "any"),
    "matmul": ("matmul(x, w)", "[F, G]", "any", "any"),
    "transpose": ("matmul(transpose(x), w)", "[B, G]", "any", "any"),
    "split_last": ("squeeze_last(amax(split_last(x * w, pieces=2)))", "[B, F]", "any", "any"),
    "squeeze_last": ("squeeze_last(sum(x * w)) * 2", "[B, F]", "any", "any"),
    "sparsemax_threshold": ("sparsemax_threshold(x * w) * x", "[B, F]", "any", "any"),
    "taylor_exp": ("taylor_exp(x * w, order=3)", "[B, F]", "any", "any"),
    "broadcast_like": ("broadcast_like(sum(x), w) * w", "[B, F]", "any", "any"),
    "reshape_like": ("reshape_like(transpose(w), x) * x", "[F, B]", "any", "any"),
}
# Covered elsewhere: heaviside's derivative is a declared surrogate (test_gradients);
# linear_weight_grad, sum_to, sum_axes* and the masks are only ever produced by the grad stage.
SIZES = {"B": 6, "F": 4, "G": 3, "1": 1}


def probe_module(expr: str, w_shape: str, tmp_path) -> types.ModuleType:
    path = tmp_path / "probe.yaml"
    path.write_text(PROBE.format(expr=expr, w_shape=w_shape))
    spec = load_spec(path, "probe.yaml")
    text = render_op(spec, Catalog(catalog().prims, {**catalog().ops, "probe": spec}), PATHS)
    mod = types.ModuleType("probe")
    exec(compile(text, "<probe>", "exec"), mod.__dict__)
    return mod


def draw(kind: str, shape, rng):
    values = rng.uniform(-2, 2, shape)
    if kind == "positive":
        return rng.uniform(0.5, 2, shape)
    if kind == "nonzero":
        return np.where(np.abs(values) < 0.1, 0.5, values)
    return values


def test_every_differentiable_primitive_has_a_case():
    ruled = {name for name, prim in catalog().prims.items() if prim.derivatives}
    assert ruled - {"heaviside"} <= set(CASES) | {"linear_weight_grad"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_matches_finite_differences(name, tmp_path):
    expr, w_shape, x_kind, w_kind = CASES[name]
    mod = probe_module(expr, w_shape, tmp_path)
    rng = np.random.default_rng(0)
    dims = [SIZES[d] for d in w_shape.strip("[]").replace(" ", "").split(",")]
    x, w = draw(x_kind, (SIZES["B"], SIZES["F"]), rng), draw(w_kind, dims, rng)
    y, ctx = mod.forward(x, w)
    dy = rng.standard_normal(y.shape)
    grads = mod.backward(dy, ctx)
    step = 1e-6
    for index, value in enumerate((x, w)):
        assert grads[index].shape == value.shape
        direction = rng.standard_normal(value.shape)
        args_plus, args_minus = [x, w], [x, w]
        args_plus[index] = value + step * direction
        args_minus[index] = value - step * direction
        numeric = (np.sum(mod.forward(*args_plus)[0] * dy) - np.sum(mod.forward(*args_minus)[0] * dy)) / (2 * step)
        analytic = np.sum(grads[index] * direction)
        assert abs(numeric - analytic) <= 1e-6 * max(1.0, np.sum(np.abs(grads[index] * direction))), (name, index)
