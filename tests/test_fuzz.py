"""Fuzzed specs raise only SpecError: never KeyError, AttributeError, TypeError or any other
traceback from inside the transpiler.

Two sources of bad input: real specs mutated at the character, token and line level, and
random YAML documents built from the spec vocabulary. Each example runs the spec stage, the
IR and the grad stage; examples that still compile are rendered, passes and black included.
Derandomized, so CI sees the same examples every run.
"""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import PATHS, catalog
from transpiler.errors import Collector, SpecError
from transpiler.compose import resolve_calls
from transpiler.pipeline import Catalog, compile_op, render_op
from transpiler.spec import parse_spec

SPECS = sorted((PATHS.specs / "activations").glob("*.yaml")) + sorted((PATHS.specs / "layers").glob("*.yaml"))
TEXTS = [(p.stem, p.read_text()) for p in SPECS]
# The specs with statements to mutate (a wrapper, time_distributed, has none of its own)
WITH_STATEMENTS = [(stem, text) for stem, text in TEXTS if "forward" in yaml.safe_load(text)]
VOCABULARY = [
    "name", "kind", "title", "summary", "inputs", "parameters", "attributes", "forward", "backward",
    "outputs", "shape", "type", "default", "structural", "activation", "fused", "random", "test",
    "x", "y", "z", "grad_y", "grad_x", "weight", "bias", "alpha", "training", "...", "F", "B", "1",
    "tanh", "exp", "sum", "amax", "linear", "where", "maximum", "activation", "sigmoid", "axis",
    "+", "-", "*", "/", "**", "@", "(", ")", "[", "]", "{", "}", ":", ",", "=", "|", "\n", "  ",
    "if", "else", "not", "0", "-1", "1e308", "nan", "true", "false", "null", "'", '"', "#", "&", "*x",
]
SETTINGS = settings(max_examples=700, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check(text: str, stem: str) -> None:
    try:
        spec = parse_spec(text, f"{stem}.yaml", stem)
        errors = Collector()
        if spec.calls:  # as the pipeline loads a composite: its callees' parameters added
            plain = {name: op for name, op in catalog().ops.items() if not op.calls}  # not resolved twice
            spec = resolve_calls({**plain, spec.name: spec}, errors).get(spec.name, spec)
            errors.check()
        cat = Catalog(catalog().prims, {**catalog().ops, spec.name: spec})
        compile_op(spec, cat, errors)
        errors.check()
        render_op(spec, cat, PATHS)
    except SpecError as exc:
        assert exc.diagnostics
        for diagnostic in exc.diagnostics:
            assert str(diagnostic).startswith(f"{stem}.yaml:"), str(diagnostic)


@st.composite
def mutated(draw):
    stem, text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "token", "swap_lines", "dup_line"]))
        if kind in ("delete", "insert", "token") and text:
            at = draw(st.integers(0, len(text)))
            if kind == "delete":
                text = text[:at] + text[at + draw(st.integers(1, 12)):]
            elif kind == "insert":
                text = text[:at] + draw(st.text(max_size=6)) + text[at:]
            else:
                text = text[:at] + draw(st.sampled_from(VOCABULARY)) + text[at:]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if kind == "swap_lines":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines.insert(j, lines[i])
            text = "\n".join(lines)
    return stem, text


# A mutation that still compiles is rendered and formatted in full (seconds for a composed
# transformer): 300 examples keep this test near a minute on 2 cores.
@settings(SETTINGS, max_examples=300)
@given(mutated())
def test_mutated_specs_raise_only_spec_errors(case):
    stem, text = case
    check(text, stem)


leaf = st.one_of(st.sampled_from(VOCABULARY), st.integers(-3, 3), st.floats(allow_nan=True), st.booleans(), st.none())
documents = st.recursive(leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(VOCABULARY), inner, max_size=6),
), max_leaves=25)


@st.composite
def structured(draw):
    doc = draw(st.dictionaries(st.sampled_from(VOCABULARY[:18]), documents, max_size=10))
    if draw(st.booleans()):
        doc.setdefault("forward", draw(st.sampled_from(["y = x\n", "y = tanh(x) * alpha\n", "y = sum(x, axis=0)\n", "y = activation(linear(x, weight))\n"])))
    return "probe", yaml.safe_dump(doc)


@SETTINGS
@given(structured())
def test_random_documents_raise_only_spec_errors(case):
    stem, text = case
    check(text, stem)


STATEMENT_TOKENS = ["x", "y", "z", "alpha", "training", "grad_y", "tanh", "exp", "sum", "amax", "linear",
                    "where", "maximum", "activation", "split_last", "squeeze_last", "sparsemax_threshold",
                    "axis=-1", "axis=0", "pieces=2", "order=order", "+", "-", "*", "/", "**", "@", ">", "(", ")",
                    ",", "=", "0", "1", "-2.5", "\n", "if training:\n    ", "else:\n    ", "stop_gradient", "sign"]


@st.composite
def mutated_statements(draw):
    """Valid YAML whose forward (or backward) statements are mutated token by token."""
    stem, text = draw(st.sampled_from(WITH_STATEMENTS))
    doc = yaml.safe_load(text)
    key = "backward" if "backward" in doc and draw(st.booleans()) else "forward"
    body = doc[key]
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(body)))
        if draw(st.booleans()):
            body = body[:at] + draw(st.sampled_from(STATEMENT_TOKENS)) + body[at:]
        else:
            body = body[:at] + body[at + draw(st.integers(1, 6)):]
    doc[key] = body
    return stem, yaml.safe_dump(doc, sort_keys=False)


@SETTINGS
@given(mutated_statements())
def test_mutated_statements_raise_only_spec_errors(case):
    stem, text = case
    check(text, stem)
