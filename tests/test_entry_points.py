"""Entry points beside forward and backward (issue 21): functions generated from spec
statements like forward (stages, loops forward, in reverse or a fixed number of times),
with forward's run-time checks, returning new arrays, without a backward.

A probe spec (rendered in memory) exercises stages, loops forward, in reverse and a fixed
number of times, an int input, an optional input and a structural attribute, against a
float64 NumPy reference. Tolerances: float64 to rounding (1e-12); float32 1e-6 relative
(a few roundings per entry).
"""

from __future__ import annotations

import numpy as np
import pytest

from harness import PATHS, catalog
from transpiler import codegen, pipeline
from transpiler.errors import Collector
from transpiler.spec import parse_spec

TOL = {np.float64: dict(rtol=1e-12, atol=1e-12), np.float32: dict(rtol=1e-6, atol=1e-6)}

PROBE = """
name: probe
kind: layer
title: Probe
summary: A probe of entry points.
inputs:
  x: {shape: [..., F]}
buffers:
  scale: {shape: [F]}
attributes:
  decay: {type: float, default: 0.5, min: 0.0}
  mode: {type: str, default: plain, choices: [plain, shifted], structural: true}
forward: |
  y = x * scale
outputs: [y]
entry_points:
  sweep:
    doc: "Running sums forward, then running sums of those in reverse; a loop of k steps."
    inputs:
      xs: {shape: [T, B, F]}
      start: {shape: [B, F]}
      ids: {shape: [T, B], dtype: int}
      scale:
      bias: {shape: [F], optional: true}
    attributes:
      k: {type: int, default: 2, min: 0}
    stages:
      - body: |
          scaled = xs * scale + bias
      - scan: {sequences: [scaled], carry: {acc: {init: start, next: acc_next, final: acc_last}}, stack: {sums: acc_next}}
        body: |
          acc_next = acc + scaled
      - scan: {sequences: [sums], carry: {back: {init: acc_last, next: back_next}}, stack: {rsums: back_next}, reverse: true}
        body: |
          back_next = back + sums
      - scan: {length: k, carry: {h: {init: start, next: h_next, final: h_k}}}
        body: |
          if mode == "shifted":
            h_next = h * decay + 1
          if mode == "plain":
            h_next = h * decay
    outputs: [rsums, h_k]
"""


@pytest.fixture(scope="module")
def probe():
    spec = parse_spec(PROBE, "layers/probe.yaml", "probe")
    errors = Collector()
    compiled = pipeline.compile_op(spec, catalog(), errors)
    errors.check()
    env = codegen.environment(codegen.load_templates(PATHS.templates))
    return pipeline.module_from_source("probe", pipeline.render(spec, compiled, catalog(), env, 1))


def _sweep_reference(xs, start, scale, bias, k, decay, shifted):
    scaled = xs * scale + (0 if bias is None else bias)
    sums = start + np.cumsum(scaled, axis=0)
    rsums, back = np.empty_like(sums), sums[-1]
    for t in range(len(sums) - 1, -1, -1):
        back = back + sums[t]
        rsums[t] = back
    h = start
    for _ in range(k):
        h = h * decay + (1 if shifted else 0)
    return rsums, h


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bias, k, mode", [(True, 3, "shifted"), (False, 0, "plain")])
def test_stages_loops_and_variants(probe, dtype, bias, k, mode):
    rng = np.random.default_rng(0)
    xs, start = rng.standard_normal((4, 2, 3)).astype(dtype), rng.standard_normal((2, 3)).astype(dtype)
    ids, scale = np.zeros((4, 2), np.int64), rng.standard_normal(3).astype(dtype)
    b = rng.standard_normal(3).astype(dtype) if bias else None
    before = [a.copy() for a in (xs, start, scale)]
    rsums, h_k = probe.sweep(xs, start, ids, scale, b, k=k, decay=0.5, mode=mode)
    want = _sweep_reference(*(a.astype(np.float64) if a is not None else None for a in (xs, start, scale, b)),
                            k, 0.5, mode == "shifted")
    for got, ref in zip((rsums, h_k), want):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, ref, **TOL[dtype])
    for a, was in zip((xs, start, scale), before):
        np.testing.assert_array_equal(a, was)  # nothing updated in place
    assert probe.ENTRY_POINTS == ("sweep",) and "sweep" in probe.__all__
    assert len(probe._SWEEP_VARIANTS) == 4  # mode x bias given


def test_entry_point_checks_name_the_op_and_argument(probe):
    xs, start, ids, scale = np.zeros((4, 2, 3)), np.zeros((2, 3)), np.zeros((4, 2), np.int64), np.zeros(3)
    with pytest.raises(ValueError, match=r"probe\.sweep: argument 'start' has F = 2 .*but 'xs' has F = 3"):
        probe.sweep(xs, start[:, :2], ids, scale)
    with pytest.raises(TypeError, match=r"probe\.sweep: argument 'ids'"):
        probe.sweep(xs, start, ids.astype(np.float64), scale)
    with pytest.raises(TypeError, match=r"probe\.sweep"):
        probe.sweep(xs, start.astype(np.float32), ids, scale)
    with pytest.raises(ValueError, match=r"probe\.sweep: attribute 'k'"):
        probe.sweep(xs, start, ids, scale, k=-1)
    with pytest.raises(ValueError, match=r"probe\.sweep: argument 'xs' of shape \(0, 2, 3\) has no time steps"):
        probe.sweep(xs[:0], start, ids[:0], scale)
