"""Bad specs: a clear ``path:line:col: error: message`` for each kind of mistake, exit code 2,
and generated/ left exactly as it was.

Each file under tests/spec_errors/ holds one mistake; GOLDEN gives the full expected output.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from transpiler.cli import main

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = HERE / "spec_errors"

# A primitive with no derivative rule, added to the table for the 'no_derivative' case.
FLOOR = '\nfloor:\n  kind: elementwise\n  args: [a]\n  numpy: "np.floor({a})"\n  shape: broadcast\n'

GOLDEN = {
    "yaml_syntax": "activations/yaml_syntax.yaml:6:21: error: YAML syntax error: expected ',' or ']', but got '}'",
    "unknown_key": "activations/unknown_key.yaml:1:1: error: spec: missing required field 'forward'\n"
                   "activations/unknown_key.yaml:7:1: error: spec: unknown key 'forwrd'; did you mean 'forward'?",
    "unknown_primitive": "activations/unknown_primitive.yaml:8:7: error: unknown primitive 'tahn'; did you mean 'tanh'?",
    "undefined_name": "activations/undefined_name.yaml:9:12: error: undefined name 'hiden'; did you mean 'hidden'?",
    "no_derivative": "activations/no_derivative.yaml:8:11: error: primitive 'floor' has no derivative rule for its operand 'a'",
    "duplicate_key": "activations/duplicate_key.yaml:9:1: error: duplicate key 'forward' (first given at line 7)",
    "wrong_type": "activations/wrong_type.yaml:9:10: error: spec.outputs: expected a list, got the string 'y'",
    "missing_field": "activations/missing_field.yaml:1:1: error: spec: missing required field 'outputs'",
    "reassigned": "activations/reassigned.yaml:9:3: error: 'y' is assigned twice; every name is assigned once",
    "output_never_assigned": "activations/output_never_assigned.yaml:1:1: error: output 'y' is never assigned in spec.forward",
    "shape_mismatch": "layers/shape_mismatch.yaml:10:7: error: 'linear': inner dimensions differ: [B, in_features] against weight [out_features, hidden]",
    "broadcast_mismatch": "layers/broadcast_mismatch.yaml:9:7: error: 'add': shapes [B, in_features] and [B, out_features] do not broadcast: in_features against out_features",
    "shadows_builtin": "activations/shadows_builtin.yaml:8:3: error: statement: 'sum' shadows the Python builtin of that name",
    "keyword_name": "activations/keyword_name.yaml:6:3: error: spec.inputs: 'lambda' is a Python keyword",
    "bad_default": "activations/bad_default.yaml:8:31: error: spec.attributes.order.default: 0 is outside [1, None]",
    "bad_attribute_type": "activations/bad_attribute_type.yaml:8:17: error: spec.attributes.alpha.type: must be one of float, int, bool, str, ints, pair, padding, int_or_ints, float_or_floats",
    "if_not_structural": "activations/if_not_structural.yaml:10:3: error: 'if alpha:' needs a structural bool attribute",
    "wrong_operand_count": "activations/wrong_operand_count.yaml:8:7: error: 'tanh' takes 1 operand(s) (a), got 2",
    "unknown_keyword": "activations/unknown_keyword.yaml:8:19: error: 'sum' has no keyword 'axes' (keywords: axis); did you mean 'axis'?",
    "unsupported_syntax": "activations/unsupported_syntax.yaml:8:7: error: unsupported expression '[x for x in range(3)]'",
    "statement_syntax": "activations/statement_syntax.yaml:8:10: error: syntax error in statement: invalid syntax",
    "bad_shape": "activations/bad_shape.yaml:6:14: error: spec.inputs.x.shape: a fixed dimension may only be 1, got 3; name the dimension instead",
    "name_mismatch": "activations/name_mismatch.yaml:1:7: error: spec.name: 'other_name' must match the file name 'name_mismatch'",
    "missing_backward_result": "activations/missing_backward_result.yaml:1:1: error: spec.backward must assign 'grad_x'",
    "wrong_rank": "layers/wrong_rank.yaml:10:7: error: 'linear': expected a matrix operand, got [B, in_features] and [in_features]",
    "bad_axis": "activations/bad_axis.yaml:8:11: error: 'sum': axis -3 is out of range for shape [..., F]",
    # Spec-language extensions for layers (issue 5).
    "if_value_not_a_choice": "layers/if_value_not_a_choice.yaml:10:3: error: 'if kind == 'min':' compares with a value that is not one of the choices ['max', 'average']",
    "bad_axis_of": "layers/bad_axis_of.yaml:8:3: error: spec.attributes.axis.axis_of: 'y' is not an array argument",
    "bad_nondifferentiable": "layers/bad_nondifferentiable.yaml:12:21: error: spec.nondifferentiable: 'stat' is not an output",
    "bad_window": "layers/bad_window.yaml:10:49: error: spec.window.stride: 'stride' must be an int or pair attribute",
    "bad_ints_default": "layers/bad_ints_default.yaml:8:32: error: spec.attributes.shape.default: (2, 1.5) is not of type ints",
    "window_pair": "layers/window_pair.yaml:9:3: error: spec.attributes.shift: a pair attribute must be named by the window (kernel, stride, padding, dilation, output_padding or output_size)",
    "transposed_padding_mode": "layers/transposed_padding_mode.yaml:14:116: error: spec.window.padding_mode: a transposed window (output_padding) pads with zeros only",
    "pooling_output_padding": "layers/pooling_output_padding.yaml:10:100: error: spec.window.output_padding: only a convolution window (kernel a parameter) has output_padding",
    "window_rank": "layers/window_rank.yaml:8:7: error: 'max_pool2d': expected arrays of rank 4 ([N, C, H, W] or [C_out, C, kH, kW]), got [B, F]",
    # An attribute that stands for an expression when None; trailing axes [N, C, *] (issue 15).
    "none_expression": "layers/none_expression.yaml:8:47: error: spec.attributes.momentum.none: 'count' is not an int or "
                       "float attribute declared before it",
    "none_code": "layers/none_code.yaml:9:47: error: spec.attributes.momentum.none: \"__import__('os').getcwd()\" is not "
                 "an expression of numbers and attributes with + - * / and parentheses",
    "trailing_input": "layers/trailing_input.yaml:7:35: error: spec.inputs.z.trailing: only the first input may take "
                      "trailing axes",
    "shape_of_dimension": "layers/shape_of_dimension.yaml:8:3: error: spec.attributes.normalized_shape.shape_of: 'F' must "
                          "be the last dimension of every array that has it, and of one at least",
    # An op with parts (torch.split's split_size_or_sections), issue 15.
    "parts_type": "layers/parts_type.yaml:8:46: error: spec.attributes.size.parts_along: only an int_or_ints attribute "
                  "gives parts (a size, or a tuple of sizes)",
    "parts_along": "layers/parts_along.yaml:8:3: error: spec.attributes.sizes.parts_along: 'dims' is not an int attribute "
                   "with axis_of; did you mean 'dim'?",
    "parts_outputs": "layers/parts_outputs.yaml:8:3: error: spec.attributes.sizes.parts_along: an op with parts has one "
                     "input, no parameters or activation, and two outputs with gradients (the part cut off and the rest)",
    # Run-time relations a spec declares (issue 15, 23).
    "bad_broadcast": "layers/bad_broadcast.yaml:5:12: error: spec.broadcast: only an op whose arrays (two or more) all start with '...' broadcasts them",
    "bad_below": "layers/bad_below.yaml:8:3: error: spec.attributes.size.below: 'y' is not an array argument",
    "bad_input_dtype": "layers/bad_input_dtype.yaml:6:31: error: spec.inputs.x.dtype: must be one of float, int, mask",
    "bad_grad_flag": "layers/bad_grad_flag.yaml:8:29: error: spec.parameters.scale.grad: only a float input may say whether it takes a gradient (parameters always do; buffers, ids and masks never do)",
    "bad_ids_below": "layers/bad_ids_below.yaml:6:3: error: spec.inputs.ids.below: no input or parameter has a dimension 'V'",
    "bad_at_most": "layers/bad_at_most.yaml:8:3: error: spec.attributes.keep.at_most: 'w' is not an array argument",
    "bad_otherwise": "layers/bad_otherwise.yaml:7:42: error: spec.inputs.kv.otherwise: only an optional input has "
                     "dimensions that stand in when it is left out",
    "bad_bounds": "layers/bad_bounds.yaml:9:44: error: spec.attributes.longest.bounds: an int attribute may bound a "
                  "size written ARRAY.shape[AXIS], AXIS an integer",
    # Init kinds and chunk (issue 16).
    "bad_init": "layers/bad_init.yaml:8:39: error: spec.parameters.scale.init.uniform: must be [a, b], two numbers, got 0.5",
    "infinite_init": "layers/infinite_init.yaml:8:43: error: spec.parameters.scale.init.uniform: inf is not a finite number",
    "init_entries_count": "layers/init_entries_count.yaml:8:30: error: spec.parameters.offset.init.constant: 5 entries for an array of shape [6], which has 6",
    "init_entries_named": "layers/init_entries_named.yaml:8:29: error: spec.parameters.scale.init.constant: a list of entries fills an array of fixed sizes only, but the shape [F] names F; {constant: v} gives every entry one value",
    "fixed_dimension_zero": "layers/fixed_dimension_zero.yaml:8:19: error: spec.parameters.offset.shape: a fixed dimension must be a positive integer, got 0",
    "unknown_init": "layers/unknown_init.yaml:8:30: error: spec.parameters.scale.init: unknown init kind 'normall'; did you mean 'normal'?",
    "chunk_axis": "layers/chunk_axis.yaml:8:7: error: 'chunk': axis 0 counts from the front of a shape with '...'; use a negative axis",
    # Hostile or careless specs (issue 23): spec text never becomes code, numbers stay finite
    # and bounded, expressions stay within limits, YAML aliases are refused, no whole file is echoed.
    "op_name_code": 'activations/op_name_code.yaml:1:7: error: spec.name: "e = 0; __import__(\'os\').system(\'id\'); _x" is not an op name (ASCII snake case: lower-case letters, digits, single \'_\')',
    "layer_title_code": "layers/layer_title_code.yaml:3:8: error: spec.title: 'Evil(object):\\n    pass\\nimport os\\nclass Evil2' is not a layer's title (ASCII CamelCase: it names the layer's class)",
    "duplicate_title": "layers/duplicate_title.yaml:1:1: error: spec.title: 'Dense' is also the title of layers_spec/layers/dense.yaml; layer titles (class names) are unique",
    "reserved_title": "layers/reserved_title.yaml:1:1: error: spec: 'Sequential' is a name layerforge.nn defines; a layer may not take it",
    "activation_default_code": 'layers/activation_default_code.yaml:8:12: error: spec.activation.default: \'relu"; import os; "\' is not an op name (ASCII snake case: lower-case letters, digits, single \'_\')',
    "unknown_activation_default": "layers/unknown_activation_default.yaml:8:12: error: spec.activation.default: unknown activation 'relux'; did you mean 'relu'?",
    "reserved_local": "activations/reserved_local.yaml:8:3: error: spec.attributes: 'options' is reserved for the generated code",
    "unicode_name": "activations/unicode_name.yaml:8:3: error: spec.attributes: '\uff41' is not a valid name (ASCII letters, digits and '_')",
    "control_character": "activations/control_character.yaml:4:10: error: spec.summary: the character '\\x07' is not allowed in text",
    "keyword_dimension": "activations/keyword_dimension.yaml:6:14: error: spec.inputs.x.shape: a dimension name must be an ASCII identifier, not a keyword, got 'lambda'",
    "nan_default": "activations/nan_default.yaml:8:33: error: spec.attributes.alpha.default: nan is not a finite number",
    "infinite_bound": "activations/infinite_bound.yaml:8:43: error: spec.attributes.alpha.max: inf is not a finite number",
    "infinite_literal": "activations/infinite_literal.yaml:8:11: error: the number inf is not finite",
    "huge_power": "activations/huge_power.yaml:8:11: error: 'pow' of the constants 9, 999999999 folds to an integer beyond 2**63 (limit: integers below 2**63, finite floats)",
    "huge_integer": "activations/huge_integer.yaml:8:11: error: the integer constant 123456789012345678901234567890 is too large (limit 2**63)",
    "overflowing_fold": "activations/overflowing_fold.yaml:8:12: error: 'mul' of the constants 1e+308, 10 folds to a number that is not finite (limit: integers below 2**63, finite floats)",
    "deep_expression": "activations/deep_expression.yaml:8:7: error: expression nested 900 deep (limit 64); split it into statements",
    "large_expression": "activations/large_expression.yaml:8:8: error: expression of 2047 terms (limit 1000); split it into statements",
    "yaml_alias": "activations/yaml_alias.yaml:7:9: error: YAML anchor '&a': anchors and aliases are not allowed in specs",
    "whole_file": "activations/whole_file.yaml:1:1: error: spec: expected a mapping, got the string 'kind: activation forward: y = x kind: activation forwar...'\n"
                  + "\n".join(f"activations/whole_file.yaml:1:1: error: spec: missing required field '{field}'"
                              for field in ("forward", "inputs", "kind", "name", "outputs", "summary", "title")),
    "bad_optional": "layers/bad_optional.yaml:11:11: error: 'exp': an optional array that this variant goes without "
                    "(given as None) cannot be dropped from it; put the statement under 'if <array>:'",
    # The scan construct (issue 17).
    "scan_sequence_shape": "layers/scan_sequence_shape.yaml:9:15: error: spec.scan.sequences: 'x' must be declared [T, B, ...] (time, batch, features), got [..., F]",
    "scan_output_not_returned": "layers/scan_output_not_returned.yaml:9:3: error: spec.scan: output 'y' is neither stacked (stack) nor a carry's final value",
    "scan_without_carry": "layers/scan_without_carry.yaml:9:3: error: spec.scan: 'h_next' does not depend on the carried state; a next carry or stacked value must",
    "repeat_count_not_int": "layers/repeat_count_not_int.yaml:10:10: error: spec.repeat.count: 'iterations' must be a non-structural int attribute with min: 1 or more",
    "repeat_without_carry": "layers/repeat_without_carry.yaml:10:3: error: spec.repeat: 'y' does not depend on the carried state; a next carry and every output must",
    "repeat_next_missing": "layers/repeat_next_missing.yaml:10:3: error: spec.repeat.carry.h.next: 'h_new' is not assigned in spec.forward",
    "only_with_not_structural": "layers/only_with_not_structural.yaml:9:49: error: spec.attributes.noisy.only_with: only a structural bool attribute may depend on another one",
    "only_with_unknown": "layers/only_with_unknown.yaml:9:70: error: spec.attributes.training.only_with: 'rates' is not a non-structural int or float attribute declared before it; did you mean 'rate'?",
    "bad_states_of": "layers/bad_states_of.yaml:10:3: error: spec.attributes.output_size.states_of: 'angles' is not an array argument",
    "states_of_format": "layers/states_of_format.yaml:10:47: error: spec.attributes.output_size.states_of: an int attribute may be the states of a size written ARRAY.shape[AXIS], AXIS an integer",
    "repeat_and_scan": "layers/repeat_and_scan.yaml:15:3: error: spec.repeat: a spec has a scan or a repeat, not both",
    "scan_carry_zeros_without_shape": "layers/scan_carry_zeros_without_shape.yaml:10:5: error: spec.scan.carry.h: a carry without an init starts at zeros of its 'shape', [B, ...]",
    "scan_carry_shape_with_init": "layers/scan_carry_shape_with_init.yaml:12:31: error: spec.scan.carry.h.shape: only a carry without an init declares its shape (the init has one)",
    "bad_squeeze_axis": "layers/bad_squeeze_axis.yaml:8:7: error: 'squeeze_axis': dimension 1 of [B, C, L] must be 1",
    "bad_variadic": "layers/bad_variadic.yaml:6:34: error: spec.inputs.a.variadic: only the second of two inputs may be "
                    "variadic (a binary op, folded from the left)",
    # Composition: a spec calls other specs (issue 18).
    "call_unknown_op": "layers/call_unknown_op.yaml:8:17: error: spec.calls.linear1.op: unknown op 'densse'; did you mean 'dense'?",
    "call_arity": "layers/call_arity.yaml:10:7: error: 'linear1' (dense) takes 1 input(s) (x), got 2",
    "call_recursion": "layers/call_recursion.yaml:10:15: error: spec.calls.inner.op: 'call_recursion' calls itself; "
                      "a spec may not call itself, directly or through others",
    "call_name_clash": "layers/call_name_clash.yaml:10:3: error: spec.calls.linear1: its parameter 'weight' would be named "
                       "'linear1_weight', which is already an array; rename the instance",
    "call_unbound_dim": "layers/call_unbound_dim.yaml:8:3: error: spec.calls.linear1.dims: the dimension 'out_features' of "
                        "'dense'.weight [out_features, in_features] is not bound (dims: {out_features: ...})",
    "call_chain_without_count": "layers/call_chain_without_count.yaml:8:3: error: spec.calls.level.chain: binds the "
                                "dimensions of a counted instance's later copies; add 'count:'",
    "call_count_not_structural": "layers/call_count_not_structural.yaml:8:70: error: spec.calls.level.count: 'levels' must "
                                 "be a structural int attribute whose choices are 1 or more",
    "call_count_too_many": "layers/call_count_too_many.yaml:8:70: error: spec.calls.level.count: 'levels' goes up to 12 "
                           "copies (each choice a variant with code of its own); a count may reach at most 10",
    "call_count_copy_clash": "layers/call_count_copy_clash.yaml:8:3: error: spec.calls.level: its copy 1 would be named "
                             "'level1', which is already an instance; rename the instance",
    "call_count_operands": "layers/call_count_operands.yaml:13:7: error: 'level' (counted by 'levels') is called in a "
                           "chain on one input, got 2",
    "call_in_expression": "layers/call_in_expression.yaml:10:11: error: 'linear1' calls a spec: the call must be a "
                          "statement's whole right-hand side ('h = linear1(...)')",
    "wrap_with_forward": "layers/wrap_with_forward.yaml:7:10: error: spec.forward: a wrapper has no forward of its own "
                         "(they are its inner layer's)",
    "wrap_bad_runs": "layers/wrap_bad_runs.yaml:7:9: error: spec.wrap.runs: 'both_direction' is not one of per_step, "
                     "both_directions, function; did you mean 'both_directions'?",
    "call_unknown_attribute": "layers/call_unknown_attribute.yaml:10:23: error: 'norm' (layer_normalization) has no "
                              "attribute 'epsilon'; did you mean 'eps'?",
    # Optional masks that make no variants (variants: false), issue 18.
    "mask_variants_not_optional": "layers/mask_variants_not_optional.yaml:7:48: error: spec.inputs.mask.variants: only "
                                  "an optional mask input (dtype: mask) may go without variants",
    "mask_none_unhandled": "layers/mask_none_unhandled.yaml:9:7: error: 'where' cannot take the optional input 'mask', "
                           "which may be None at run time (variants: false); only apply_mask, apply_key_padding, keep_where, keep_on take one",
    "mask_if_without_variants": "\n".join(
        f"layers/mask_if_without_variants.yaml:{line}:3: error: '{test}:' tests an optional input that makes no "
        "variants (variants: false); the primitives that read it do nothing when it is None"
        for line, test in ((9, "if mask"), (11, "if not mask"))),
    # Entry points beside forward and backward (issue 21).
    "entry_unknown_array": "layers/entry_unknown_array.yaml:16:7: error: spec.entry_points.learn.inputs.stat: not an array "
                           "of the op; a new input declares its shape; did you mean 'state'?",
    "entry_loop_length": "layers/entry_loop_length.yaml:16:20: error: spec.entry_points.settle.scan.length: 'rate' is not "
                         "an int attribute",
    "entry_carry_mismatch": "layers/entry_carry_mismatch.yaml:15:37: error: spec.entry_points.decode.scan.carry.h.next: "
                            "'h_next' is float[B, 1], but the carry is float[B, F]",
}


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("repo")
    for folder in ("layers_spec", "templates", "generated"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    with open(root / "layers_spec" / "primitives.yaml", "a", encoding="utf-8") as table:
        table.write(FLOOR)
    return root


def test_every_case_has_a_golden():
    assert sorted(p.stem for p in CASES.glob("*.yaml")) == sorted(GOLDEN)
    assert len(GOLDEN) >= 20


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_bad_spec_is_reported_precisely_and_writes_nothing(case, workspace, capsys):
    text = (CASES / f"{case}.yaml").read_text()
    folder = "layers" if "kind: layer" in text else "activations"
    target = workspace / "layers_spec" / folder / f"{case}.yaml"
    target.write_text(text)
    before = _tree_digest(workspace / "generated")
    try:
        code = main(["--root", str(workspace), "generate"])
    finally:
        target.unlink()
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].endswith("nothing was written.")
    assert "\n".join(err[:-1]) == "\n".join("layers_spec/" + line for line in GOLDEN[case].splitlines())
    assert _tree_digest(workspace / "generated") == before


def test_all_errors_of_a_run_are_reported_together(workspace, capsys):
    added = []
    for case in ("unknown_key", "undefined_name", "shape_mismatch"):
        text = (CASES / f"{case}.yaml").read_text()
        folder = "layers" if "kind: layer" in text else "activations"
        target = workspace / "layers_spec" / folder / f"{case}.yaml"
        target.write_text(text)
        added.append(target)
    try:
        code = main(["--root", str(workspace), "generate"])
    finally:
        for target in added:
            target.unlink()
    err = capsys.readouterr().err
    assert code == 2
    assert "4 errors; nothing was written." in err
