"""ONNX's backend node tests as a conformance suite (issue 15, section 3).

Every case of an ONNX op with a layerforge counterpart either passes by comparison with
ONNX's expected outputs or is outside layerforge with a recorded reason; none may fail.
The mapping, the comparison and the report live in tests/onnx_conformance.py; the report,
results/onnx_conformance.md, must be what the suite computes now.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import onnx_conformance as conformance

REPORT = Path(__file__).resolve().parent.parent / "results" / "onnx_conformance.md"
RESULTS = {r.case: r for r in conformance.results()}


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_case_passes_or_has_a_reason(name):
    result = RESULTS[name]
    assert result.status != "fail", f"{name} ({result.target}): {result.detail}"
    if result.status == "unsupported":
        assert result.reasons and all(r.key and r.text for r in result.reasons)
    else:
        assert result.status == "pass" and not result.reasons and result.compared > 0


def test_every_case_of_a_mapped_op_is_accounted_for():
    cases = conformance.onnx_cases()
    relevant = [c.name for c in cases if c.op in conformance.MAPPERS]
    assert sorted(relevant) == sorted(RESULTS)
    assert not any("_expanded" in c.name for c in cases)
    # Every mapped op exists among the ONNX cases (a renamed op would silently drop out).
    assert set(conformance.MAPPERS) <= {c.op for c in cases}


def test_a_pass_needs_agreeing_numbers():
    """The same mapped case fails once its expected output is perturbed, or reshaped."""
    case = next(c for c in conformance.onnx_cases() if c.name == "test_conv_with_strides_padding")
    assert conformance.run_case(case).status == "pass"
    (expected,) = case.expected
    off = expected.copy()
    off.flat[3] += 1e-2 * max(1.0, abs(off.flat[3]))
    result = conformance.run_case(conformance.replace_expected(case, (off,)))
    assert result.status == "fail" and "1 of" in result.detail
    result = conformance.run_case(conformance.replace_expected(case, (expected.reshape(1, -1),)))
    assert result.status == "fail" and "shape" in result.detail
    result = conformance.run_case(conformance.replace_expected(case, (expected.astype(np.float64),)))
    assert result.status == "fail" and "dtype" in result.detail


def test_outputs_computed_for_an_unsupported_case_are_compared():
    """LayerNormalization's Y is compared although Mean and InvStdDev are not returned."""
    case = next(c for c in conformance.onnx_cases() if c.name == "test_layer_normalization_default_axis")
    result = conformance.run_case(case)
    assert result.status == "unsupported" and result.compared == 1
    y, mean, inv_std = case.expected
    result = conformance.run_case(conformance.replace_expected(case, (y + 1, mean, inv_std)))
    assert result.status == "fail"


def test_report_is_current():
    expected = conformance.render(conformance.results())
    assert (
        REPORT.read_text() == expected
    ), "results/onnx_conformance.md is stale: run python scripts/onnx_conformance.py"
