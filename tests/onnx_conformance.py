"""The ONNX backend node tests as a conformance suite for layerforge's forward passes.

The ``onnx`` wheel ships the official node test cases
(``onnx.backend.test.case.node.collect_testcases``): a one-node model, its input arrays and
the expected outputs. Every ONNX op that has a layerforge counterpart has a mapper here that
turns the node's inputs and attributes into a call of the generated ``forward``, and the
outputs are compared with the expected ones. A case ends in one of three states:

* ``pass``: every expected output was computed by layerforge and agrees;
* ``fail``: an output disagrees, has the wrong shape or dtype, or the call raised;
* ``unsupported``: the mapper recorded why layerforge cannot express the case (a dtype, a
  rank, an attribute value, an output it does not return). Outputs it can compute are still
  compared, and a disagreement makes the case fail.

Capabilities are detected, not assumed: a keyword is used only when the generated
``forward`` has it (``inspect.signature``) and layerforge's own attribute check accepts the
value for the spec's declared type; ranks, dtypes and named dimensions come from the spec's
declarations. When a layer gains ``groups=``, ``ceil_mode=``, ``dim=``... (PyTorch's names,
as issue 15 asks), the cases that need it are mapped onto it and compared, with no change
here. Detection can only turn an ``unsupported`` case into a comparison, never into a pass:
a keyword whose meaning differs from what the mapper assumes shows up as a failure.

The ``_expanded`` cases (the same tests on the op's function body) are left out.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import math
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from harness import catalog, module

# Tolerances of the comparison, by the dtype of the expected output. ONNX's own backend
# runner uses rtol 1e-3, atol 1e-7 for every node test (TestCase.rtol/atol); its references
# are NumPy computations in float32 or float64, so an op computed in float32 in another order
# differs by a few ulps (1.2e-7 each), far inside 1e-3. float16 (the ops whose spec allows
# it) has an ulp of 9.8e-4: one rounding apart stays inside 1e-3 relative, so the same
# tolerances hold. Integer and boolean outputs must be equal.
FLOAT_DTYPES = ("float16", "float32", "float64")


# ---------------------------------------------------------------------------------------
# Cases


@dataclass(frozen=True)
class Case:
    """One ONNX node test: inputs by the node's input positions (None where omitted)."""

    name: str
    op: str
    opset: int
    attrs: dict[str, Any]
    inputs: tuple[Any, ...]
    input_names: tuple[str, ...]
    expected: tuple[Any, ...]
    output_names: tuple[str, ...]
    rtol: float
    atol: float

    def input(self, index: int):
        return self.inputs[index] if index < len(self.inputs) else None

    def attr(self, name: str, default=None):
        return self.attrs.get(name, default)


def _attribute_value(attribute) -> Any:
    from onnx import helper

    value = helper.get_attribute_value(attribute)
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list):
        return [v.decode() if isinstance(v, bytes) else v for v in value]
    return value


def _as_value(value):
    """An input or output of a case: arrays as ndarrays, sequences and optionals as is."""
    from onnx import TensorProto, numpy_helper

    if isinstance(value, TensorProto):
        return numpy_helper.to_array(value)
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value)
    return value


@functools.lru_cache(maxsize=1)
def onnx_cases() -> tuple[Case, ...]:
    """Every node test case of the installed onnx wheel, without the ``_expanded`` ones."""
    with warnings.catch_warnings():
        # Some case generators (Cast, reductions of empty sets) overflow or divide by zero
        # on purpose while they build their expected values.
        warnings.simplefilter("ignore")
        from onnx.backend.test.case.node import collect_testcases

        raw = collect_testcases(None)
    cases = []
    for test in raw:
        if "_expanded" in test.name:
            continue
        (node,) = test.model.graph.node
        # The default domain's opset; ops of other domains (ai.onnx.ml...) get 0.
        opset = next((o.version for o in test.model.opset_import if o.domain in ("", "ai.onnx")), 0)
        (data,) = test.data_sets
        present_inputs = iter(data[0])
        inputs = tuple(_as_value(next(present_inputs)) if n else None for n in node.input)
        cases.append(
            Case(
                name=test.name,
                op=node.op_type,
                opset=opset,
                attrs={a.name: _attribute_value(a) for a in node.attribute},
                inputs=inputs,
                input_names=tuple(node.input),
                expected=tuple(_as_value(v) for v in data[1]),
                output_names=tuple(n for n in node.output if n),
                rtol=test.rtol,
                atol=test.atol,
            )
        )
    return tuple(sorted(cases, key=lambda c: (c.op, c.name)))


# ---------------------------------------------------------------------------------------
# layerforge targets and their capabilities


@dataclass(frozen=True)
class Reason:
    """Why a case (or one of its outputs) is outside layerforge: ``key`` names the missing
    capability (cases are ranked by it), ``text`` gives this case's particulars."""

    key: str
    text: str


class Target:
    """A generated op, with what its signature and spec say it accepts."""

    def __init__(self, name: str):
        self.name = name
        self.spec = catalog().ops[name]
        self.module = module(self.spec)
        self.params = inspect.signature(self.module.forward).parameters

    def has(self, keyword: str) -> bool:
        return keyword in self.params

    def first(self, *keywords: str) -> str | None:
        return next((k for k in keywords if self.has(k)), None)

    def accepts(self, keyword: str, value) -> bool:
        """``forward`` has ``keyword`` and layerforge's attribute check takes ``value``."""
        if not self.has(keyword):
            return False
        decl = next((a for a in self.spec.attributes if a.name == keyword), None)
        if decl is None:
            return True
        runtime = importlib.import_module("layerforge._runtime")
        try:
            if decl.type in ("pair", "padding"):  # window attributes: check_window's own check
                runtime.check_window_attribute(self.name, keyword, value, decl.type)
            else:
                runtime.check_attribute(self.name, keyword, value, decl.type, decl.minimum, decl.maximum, decl.choices or None)
        except (TypeError, ValueError):
            return False
        return True

    def optional(self, argument: str) -> bool:
        """``forward`` takes None for this array argument (an optional bias)."""
        param = self.params.get(argument)
        return param is not None and param.default is None

    @property
    def arity(self) -> tuple[int, bool]:
        """The number of positional array arguments, and whether there may be more."""
        positional = [
            p
            for p in self.params.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
        ]
        variadic = any(p.kind is p.VAR_POSITIONAL for p in self.params.values())
        return len(positional), variadic

    def declared(self, argument: str):
        return next((d for d in self.spec.arrays if d.name == argument), None)


@functools.lru_cache(maxsize=None)
def target(name: str) -> Target:
    return Target(name)


def _shape_text(decl) -> str:
    dims = (["..."] if decl.shape.ellipsis else []) + [str(d) for d in decl.shape.dims]
    if getattr(decl, "trailing", False):  # the last dimension stands for any number of trailing axes
        dims[-1] = "*"
    return "[" + ", ".join(dims) + "]"


class Plan:
    """What a mapper decided for one case: the reasons it is outside layerforge, and the
    call that computes the outputs layerforge offers."""

    def __init__(self, case: Case, target_name: str):
        self.case = case
        self.target = target(target_name)
        self.reasons: list[Reason] = []
        self.missing: list[Reason] = []  # outputs layerforge does not return
        self.missing_outputs = 0
        self.run: Callable[[], dict[int, Any]] | None = None

    def why(self, key: str, text: str) -> None:
        self.reasons.append(Reason(f"{self.target.name}: {key}", text))

    def why_output(self, key: str, text: str, count: int = 1) -> None:
        """``count`` expected outputs that layerforge does not return, and why."""
        self.missing.append(Reason(f"{self.target.name}: {key}", text))
        self.missing_outputs += count

    def check_arrays(self, arrays: dict[str, Any]) -> bool:
        """Dtype, rank and named dimensions against the spec; False if any is outside it."""
        spec = self.target.spec
        ok = True
        sizes: dict[str, tuple[int, str]] = {}
        for argument, value in arrays.items():
            if not isinstance(value, np.ndarray):
                kind = "a sequence" if isinstance(value, list) else type(value).__name__
                self.reasons.append(
                    Reason("input that is not a tensor", f"{argument} is {kind}: {spec.name} takes arrays")
                )
                ok = False
                continue
            if value.dtype.name not in spec.dtypes:
                self.reasons.append(
                    Reason(
                        f"dtype {value.dtype.name}",
                        f"{argument} is {value.dtype.name}: {spec.name} takes {' or '.join(spec.dtypes)}",
                    )
                )
                ok = False
            decl = self.target.declared(argument)
            if decl is None:  # one of a variadic op's inputs: no declared shape
                continue
            named = decl.shape.dims
            trailing = getattr(decl, "trailing", False)  # a stand-in declares none
            if trailing:  # [N, C, *]: the named dimensions before the trailing axes
                named = named[:-1]
                outside = value.ndim < len(named)
            else:
                outside = (value.ndim < len(named)) if decl.shape.ellipsis else (value.ndim != len(named))
            if outside:
                self.why(
                    f"rank-{value.ndim} {argument}",
                    f"{argument} of shape {list(value.shape)}: {spec.name} takes {argument} as {_shape_text(decl)}",
                )
                ok = False
                continue
            lead = value.shape[: len(named)] if trailing else value.shape[value.ndim - len(named) :]
            for dim, size in zip(named, lead):
                if isinstance(dim, str):
                    if dim in sizes and sizes[dim][0] != size:
                        self.why(
                            f"{dim} differing between arguments",
                            f"{argument} has {dim} = {size} but {sizes[dim][1]} has {sizes[dim][0]}",
                        )
                        ok = False
                    sizes.setdefault(dim, (size, argument))
        return ok

    def set_attribute(
        self, kwargs: dict, keyword: str, value, default, feature: str, text: str, spatial: bool = False
    ) -> None:
        """Pass ``value`` as ``keyword`` if layerforge takes it (a ``spatial`` int also as one
        per spatial axis, for an attribute declared as a tuple); a value equal to layerforge's
        fixed behaviour (``default``) needs no keyword; else record the reason."""
        spelled = [value]
        if spatial and isinstance(value, int):
            spelled.append((value,) * (self.case.inputs[0].ndim - 2))
        accepted = next((v for v in spelled if self.target.accepts(keyword, v)), None)
        if accepted is not None:
            kwargs[keyword] = accepted
        elif not self.target.has(keyword) and _equal(value, default):
            return
        else:
            self.why(feature, text)

    def call(self, *args, pick: Callable[[Any], dict[int, Any]] | None = None, **kwargs) -> None:
        """Run ``forward(*args, **kwargs)``; ``pick`` maps its outputs to expected outputs."""
        forward = self.target.module.forward

        def run():
            outputs, _ctx = forward(*args, **kwargs)
            return pick(outputs) if pick else {0: outputs}

        self.run = run


def _equal(a, b) -> bool:
    """``a`` is layerforge's fixed behaviour ``b`` (floats to float32 rounding)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6)
    return a == b


def _one(values):
    """An int when every spatial axis has the same value, else a tuple (PyTorch's int or pair)."""
    values = tuple(int(v) for v in values)
    return values[0] if len(set(values)) == 1 else values


def _floats(value) -> list[float]:
    return [float(v) for v in np.asarray(value).reshape(-1)]


# ---------------------------------------------------------------------------------------
# Activations


def _unary(plan: Plan, kwargs: dict | None = None) -> Plan:
    x = plan.case.input(0)
    if plan.check_arrays({"x": x}) and not plan.reasons:
        plan.call(x, **(kwargs or {}))
    return plan


def _simple(target_name: str, attributes: dict[str, tuple[str, float]] | None = None):
    """An activation whose ONNX attributes are keywords of layerforge's (name, default)."""

    def mapper(case: Case) -> Plan:
        plan = Plan(case, target_name)
        kwargs = {}
        for onnx_name, (keyword, default) in (attributes or {}).items():
            value = float(case.attr(onnx_name, default))
            plan.set_attribute(
                kwargs,
                keyword,
                value,
                None,
                keyword,
                f"{onnx_name} {value:g}: {target_name} has no {keyword}",
            )
        return _unary(plan, kwargs)

    return mapper


def _hard_sigmoid(case: Case) -> Plan:
    plan = Plan(case, "hard_sigmoid")
    alpha, beta = float(case.attr("alpha", 0.2)), float(case.attr("beta", 0.5))
    kwargs: dict = {}
    for keyword, value in (("alpha", alpha), ("beta", beta)):
        plan.set_attribute(
            kwargs,
            keyword,
            value,
            0.5,
            "alpha/beta",
            f"alpha {alpha:g}, beta {beta:g}: hard_sigmoid is clip(0.5 x + 0.5, 0, 1) (no alpha/beta)",
        )
    plan.reasons = list(dict.fromkeys(plan.reasons))
    return _unary(plan, kwargs)


def _gelu(case: Case) -> Plan:
    plan = Plan(case, "gelu")
    approximate = case.attr("approximate", "none")
    kwargs: dict = {}
    plan.set_attribute(
        kwargs,
        "approximate",
        approximate,
        "tanh",
        f"approximate={approximate!r}",
        f"approximate={approximate!r} (erf): gelu is the tanh approximation only",
    )
    return _unary(plan, kwargs)


# SELU's constants as ONNX writes them (float32 roundings of Klambauer et al.'s).
SELU_ALPHA, SELU_GAMMA = 1.67326319217681884765625, 1.05070102214813232421875


def _selu(case: Case) -> Plan:
    plan = Plan(case, "selu")
    kwargs: dict = {}
    for onnx_name, keyword, default in (("alpha", "alpha", SELU_ALPHA), ("gamma", "scale", SELU_GAMMA)):
        value = float(case.attr(onnx_name, default))
        plan.set_attribute(
            kwargs,
            keyword,
            value,
            default,
            f"{onnx_name} other than the standard constant",
            f"{onnx_name} {value:g}: selu has the fixed constants of Klambauer et al.",
        )
    return _unary(plan, kwargs)


def _swish(case: Case) -> Plan:
    plan = Plan(case, "swish")
    kwargs: dict = {}
    alpha = float(case.attr("alpha", 1.0))
    plan.set_attribute(
        kwargs, "beta", alpha, 1.0, "beta other than 1", f"alpha {alpha:g}: swish has beta fixed at 1"
    )
    return _unary(plan, kwargs)


def _softmax(target_name: str):
    def mapper(case: Case) -> Plan:
        plan = Plan(case, target_name)
        x = case.input(0)
        if not plan.check_arrays({"x": x}):
            return plan
        axis = case.attr("axis", -1 if case.opset >= 13 else 1) % x.ndim
        kwargs: dict = {}
        if case.opset < 13 and axis != x.ndim - 1:
            plan.why(
                "opset < 13 softmax over flattened axes",
                f"opset {case.opset}: normalizes over axes {axis}..{x.ndim - 1} together",
            )
        elif axis != x.ndim - 1:
            keyword = plan.target.first("dim", "axis")
            if keyword and plan.target.accepts(keyword, axis):
                kwargs[keyword] = axis
            else:
                plan.why(
                    "axis other than the last",
                    f"axis {axis} of a rank-{x.ndim} input: {target_name} acts on the last axis (no dim)",
                )
        return _unary(plan, kwargs)

    return mapper


def _prelu(case: Case) -> Plan:
    plan = Plan(case, "prelu")
    x, slope = case.input(0), case.input(1)
    if not plan.check_arrays({"x": x}):
        return plan
    # The slope broadcasts to x from the right (ONNX's unidirectional broadcasting).
    values = np.broadcast_to(slope, x.shape)
    expanded = slope.reshape((1,) * (x.ndim - slope.ndim) + slope.shape)
    parameter = next((p.name for p in plan.target.spec.parameters), None)
    if parameter and x.ndim >= 2 and all(n == 1 for i, n in enumerate(expanded.shape) if i != 1):
        plan.call(x, expanded.reshape(-1))  # one slope per channel (or one), as nn.PReLU
    elif not parameter and plan.target.has("alpha") and values.size and np.all(values == values.flat[0]):
        plan.call(x, alpha=float(values.flat[0]))
    elif parameter:
        plan.why(
            "slope other than per channel",
            f"slope of shape {list(slope.shape)} for x {list(x.shape)}: the slope is one per channel (axis 1)",
        )
    else:
        plan.why(
            "slope that varies",
            f"slope of shape {list(slope.shape)}, values differ: prelu's slope is one scalar (alpha)",
        )
    return plan


def _clip(case: Case) -> Plan:
    plan = Plan(case, "hard_tanh")
    x = case.input(0)
    if case.opset < 11:
        low, high = case.attr("min", -math.inf), case.attr("max", math.inf)
    else:
        low = float(case.input(1)) if case.input(1) is not None else -math.inf
        high = float(case.input(2)) if case.input(2) is not None else math.inf
    if not plan.check_arrays({"x": x}):
        return plan
    kwargs: dict = {}
    for keyword, value, default in (("min_val", low, -1.0), ("max_val", high, 1.0)):
        plan.set_attribute(
            kwargs,
            keyword,
            value,
            default,
            "bounds other than [-1, 1]",
            f"min {low:g}, max {high:g}: hard_tanh clips to [-1, 1]",
        )
    plan.reasons = list(dict.fromkeys(plan.reasons))
    return _unary(plan, kwargs)


def _identity(case: Case) -> Plan:
    return _unary(Plan(case, "identity"))


# ---------------------------------------------------------------------------------------
# Elementwise and shape layers


def _nary(target_name: str):
    """Add, Mul and Sum: layerforge's op over the inputs, if it takes that many."""

    def mapper(case: Case) -> Plan:
        plan = Plan(case, target_name)
        arrays = [a for a in case.inputs if a is not None]
        count, variadic = plan.target.arity
        if len(arrays) < count or (len(arrays) > count and not variadic):
            inputs = f"{len(arrays)} input{'s' * (len(arrays) != 1)}"
            plan.why(inputs, f"{inputs}: {target_name} takes {count}")
            return plan
        named = [d.name for d in plan.target.spec.inputs]
        if len(arrays) != len(named):  # more inputs than declared: their dtypes only
            named = [f"input {i}" for i in range(len(arrays))]
        if plan.check_arrays(dict(zip(named, arrays))):
            plan.call(*arrays)
        return plan

    return mapper


def _concat(case: Case) -> Plan:
    plan = Plan(case, "concatenate")
    arrays = [a for a in case.inputs if a is not None]
    count, variadic = plan.target.arity
    if len(arrays) != count and not (variadic and len(arrays) > count):
        plan.why(f"{len(arrays)} inputs", f"{len(arrays)} inputs: concatenate takes {count}")
        return plan
    axis = int(case.attr("axis"))
    keyword = plan.target.first("dim", "axis")
    named = [d.name for d in plan.target.spec.inputs]
    if len(arrays) != len(named):  # more inputs than declared: their dtypes only
        named = [f"input {i}" for i in range(len(arrays))]
    if plan.check_arrays(dict(zip(named, arrays))):
        plan.call(*arrays, **{keyword: axis})
    return plan


def _split(case: Case) -> Plan:
    plan = Plan(case, "split")
    x = case.input(0)
    if not plan.check_arrays({"x": x}):
        return plan
    axis = int(case.attr("axis", 0)) % x.ndim
    n, outputs = x.shape[axis], len(case.output_names)
    given = case.input(1) if case.opset >= 13 else case.attr("split")
    if given is not None:
        sizes = [int(s) for s in np.asarray(given).reshape(-1)]
    elif case.attr("num_outputs") is not None:  # opset 18: parts of ceil(n / k), the last smaller
        chunk = -(-n // outputs)
        sizes = [min(chunk, n - i * chunk) for i in range(outputs)]
    else:
        sizes = [n // outputs] * outputs
    keyword = plan.target.first("dim", "axis")
    sections = plan.target.first("split_size_or_sections", "sections", "sizes")
    if sections and plan.target.accepts(sections, tuple(sizes)):
        plan.call(x, **{sections: tuple(sizes), keyword: axis}, pick=lambda parts: dict(enumerate(parts)))
        return plan
    if len(sizes) != 2:
        plan.why(
            "more than two parts", f"{len(sizes)} parts {sizes}: split cuts in two (split_size, the rest)"
        )
    if 0 in sizes:
        plan.why("empty parts", f"parts {sizes} of size 0: split's parts hold at least one entry")
    if not plan.reasons:
        plan.call(x, split_size=sizes[0], **{keyword: axis}, pick=lambda parts: dict(enumerate(parts)))
    return plan


def _flatten(case: Case) -> Plan:
    plan = Plan(case, "flatten")
    x = case.input(0)
    axis = int(case.attr("axis", 1)) % x.ndim if x.ndim else 0
    if plan.target.has("start_dim"):
        if not plan.check_arrays({"x": x}):
            return plan
        forward = plan.target.module.forward
        if axis == 0:
            plan.why("axis 0", f"axis 0: ONNX gives [1, {x.size}]; flatten never adds an axis")
        elif axis == 1:
            plan.call(x, start_dim=1, end_dim=-1)
        elif axis == x.ndim - 1:
            plan.call(x, start_dim=0, end_dim=x.ndim - 2)
        else:  # two groups of axes: flatten each in turn

            def run():
                rows, _ = forward(x, start_dim=0, end_dim=axis - 1)
                y, _ = forward(rows, start_dim=1, end_dim=-1)
                return {0: y}

            plan.run = run
        return plan
    if axis != 1:
        plan.why(
            "axis other than 1",
            f"axis {axis}: flatten keeps the batch axis and joins the rest (no start_dim/end_dim)",
        )
    if plan.check_arrays({"x": x}) and not plan.reasons:
        plan.call(x)
    return plan


def _reshape(case: Case) -> Plan:
    plan = Plan(case, "reshape")
    x, shape = case.input(0), [int(s) for s in case.input(1)]
    if not plan.check_arrays({"x": x}):
        return plan
    allowzero = int(case.attr("allowzero", 0))
    resolved = [x.shape[i] if s == 0 and not allowzero else s for i, s in enumerate(shape)]
    plan.call(x, shape=tuple(resolved))  # torch.reshape on the whole array
    return plan


def _reduce_mean(case: Case) -> Plan:
    plan = Plan(case, "mean")
    x = case.input(0)
    if not plan.check_arrays({"x": x}):
        return plan
    axes = case.input(1) if case.opset >= 18 else case.attr("axes")
    axes = [] if axes is None else [int(a) % x.ndim for a in np.asarray(axes).reshape(-1)]
    if not axes:
        if int(case.attr("noop_with_empty_axes", 0)):
            plan.why("no axes", "no axes and noop_with_empty_axes: the identity")
            return plan
        axes = list(range(x.ndim))
    keepdims = bool(case.attr("keepdims", 1))
    kwargs: dict = {}
    keyword = plan.target.first("dim", "axis")
    spelled = ([axes[0]] if len(axes) == 1 else []) + [tuple(axes)]
    value = next((v for v in spelled if plan.target.accepts(keyword, v)), None)
    if value is not None:
        kwargs[keyword] = value
    else:
        plan.why("several axes", f"axes {axes}: mean reduces one axis")
    plan.set_attribute(
        kwargs,
        "keepdim",
        keepdims,
        False,
        "keepdims",
        f"keepdims=1: mean removes the reduced axis (no keepdim)",
    )
    if not plan.reasons:
        plan.call(x, **kwargs)
    return plan


# ---------------------------------------------------------------------------------------
# Dense layers


def _bias_or_zeros(plan: Plan, bias, size: int, dtype):
    if bias is not None:
        return bias
    return None if plan.target.optional("bias") else np.zeros(size, dtype)


def _gemm(case: Case) -> Plan:
    a, b, c = case.input(0), case.input(1), case.input(2)
    trans_a, trans_b = int(case.attr("transA", 0)), int(case.attr("transB", 0))
    alpha, beta = float(case.attr("alpha", 1.0)), float(case.attr("beta", 1.0))
    # transB=1: B is [N, K], dense's [out, in] layout; else [K, N], transposed to it.
    # transA=1: A is stored [K, M], transposed to dense's x [batch, in] likewise (a layout
    # of the same numbers; dense computes the product).
    plan = Plan(case, "dense")
    b = b if trans_b else np.ascontiguousarray(b.T)
    a = np.ascontiguousarray(a.T) if trans_a else a
    if alpha != 1.0:
        plan.why("output scale (alpha)", f"alpha {alpha:g}: no scale on x @ weight")
    if c is not None and beta != 1.0 and np.any(c != 0):
        plan.why("bias scale (beta)", f"beta {beta:g}: no scale on the bias")
    if plan.reasons or not plan.check_arrays({"x": a, "weight": b}):
        return plan
    n = b.shape[0]
    if c is not None:
        if c.size == 1 or c.shape in ((n,), (1, n)):
            c = np.broadcast_to(c.reshape(-1), (n,)).copy()
        else:
            plan.why("bias per row", f"C of shape {list(c.shape)}: the bias is one row [out_features]")
            return plan
    plan.call(a, b, _bias_or_zeros(plan, c, n, a.dtype))
    return plan


def _matmul(case: Case) -> Plan:
    plan = Plan(case, "dense")  # weight [out_features, in_features]: MatMul's B transposed
    a, b = case.input(0), case.input(1)
    weight = np.ascontiguousarray(np.swapaxes(b, -1, -2)) if b.ndim >= 2 else b
    if plan.check_arrays({"x": a, "weight": weight}):
        plan.call(a, weight, _bias_or_zeros(plan, None, weight.shape[0], a.dtype))
    return plan


# ---------------------------------------------------------------------------------------
# Windows: convolution and pooling


def _window(case: Case, x: np.ndarray, kernel: tuple[int, ...], auto_pad: str | None = None):
    """ONNX's strides, dilations and pads (begins, ends) with auto_pad resolved."""
    spatial = x.ndim - 2
    strides = tuple(case.attr("strides", [1] * spatial))
    dilations = tuple(case.attr("dilations", [1] * spatial))
    pads = case.attr("pads", [0] * 2 * spatial)
    begins, ends = list(pads[:spatial]), list(pads[spatial:])
    auto_pad = auto_pad or case.attr("auto_pad", "NOTSET")
    if auto_pad == "VALID":
        begins, ends = [0] * spatial, [0] * spatial
    elif auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        for i in range(spatial):
            size = x.shape[2 + i]
            out = -(-size // strides[i])
            total = max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size)
            small, large = total // 2, total - total // 2
            begins[i], ends[i] = (small, large) if auto_pad == "SAME_UPPER" else (large, small)
    return strides, dilations, tuple(begins), tuple(ends)


def _set_padding(plan: Plan, kwargs: dict, begins, ends, same: bool = False) -> None:
    """layerforge's padding for ONNX's pads: an int or pair when symmetric; "same" where
    ONNX's pads are PyTorch's "same" (stride 1, the odd pixel at the end) and ``same`` is
    asked for, else per side as F.pad's (left, right, top, bottom) on the trailing axes,
    where the target's padding attribute takes that."""
    if begins == ends:
        value = _one(begins)
        plan.set_attribute(
            kwargs,
            "padding",
            value,
            0,
            "padding per axis",
            f"pads {list(begins)} per axis: padding is one int for all axes",
            spatial=True,
        )
        return
    if same and plan.target.accepts("padding", "same"):
        kwargs["padding"] = "same"
        return
    sides = tuple(p for b, e in zip(reversed(begins), reversed(ends)) for p in (b, e))
    if plan.target.accepts("padding", sides):
        kwargs["padding"] = sides
        return
    plan.why(
        "padding per side",
        f"pads {list(begins) + list(ends)} (begins, ends) not supported: symmetric padding only",
    )


def _output_size(size, kernel, stride, dilation, begin, end, ceil):
    span = (kernel - 1) * dilation + 1
    steps = (size + begin + end - span) / stride
    out = (math.ceil(steps) if ceil else math.floor(steps)) + 1
    if ceil and (out - 1) * stride >= size + begin:  # the last window must start inside
        out -= 1
    return out


def _conv(case: Case) -> Plan:
    plan = Plan(case, "convolutional")
    x, w, b = case.input(0), case.input(1), case.input(2)
    arrays = {"x": x, "weight": w} | ({"bias": b} if b is not None else {})
    group = int(case.attr("group", 1))
    if group != 1:  # the weight is [C_out, C_in / group, ...]: not the spec's C_in
        arrays.pop("weight")
    if not plan.check_arrays(arrays):
        return plan
    kwargs: dict = {}
    if group != 1:
        plan.set_attribute(
            kwargs, "groups", group, 1, "groups", f"group {group}: convolutional has no groups"
        )
    kernel = tuple(w.shape[2:])
    strides, dilations, begins, ends = _window(case, x, kernel)
    plan.set_attribute(
        kwargs,
        "stride",
        _one(strides),
        1,
        "stride per axis",
        f"strides {list(strides)}: stride is one int",
        spatial=True,
    )
    plan.set_attribute(
        kwargs,
        "dilation",
        _one(dilations),
        1,
        "dilation per axis",
        f"dilations {list(dilations)}: dilation is one int",
        spatial=True,
    )
    # PyTorch's padding="same" is ONNX's SAME_UPPER at stride 1.
    same = set(strides) == {1} and _window(case, x, kernel, "SAME_UPPER")[2:] == (begins, ends)
    _set_padding(plan, kwargs, begins, ends, same=same)
    if not plan.reasons:
        plan.call(x, w, _bias_or_zeros(plan, b, w.shape[0], x.dtype), **kwargs)
    return plan


def _pool(target_name: str):
    def mapper(case: Case) -> Plan:
        plan = Plan(case, target_name)
        x = case.input(0)
        if len(case.output_names) > 1:
            plan.why_output(
                "Indices output", f"{target_name} returns the pooled values only, not the argmax Indices"
            )
        kernel = tuple(case.attr("kernel_shape"))
        strides, dilations, begins, ends = _window(case, x, kernel)
        signal = x.ndim == 3
        if signal:  # [N, C, L] as an image of height 1, as layerforge.nn.MaxPool1d/AvgPool1d run it
            x = x[:, :, None, :]
            kernel, strides, dilations = (1, *kernel), (1, *strides), (1, *dilations)
            begins, ends = (0, *begins), (0, *ends)
        if not plan.check_arrays({"x": x}):
            return plan
        kwargs: dict = {}
        plan.set_attribute(
            kwargs,
            "kernel_size",
            _one(kernel),
            None,
            "kernel per axis",
            f"kernel {list(kernel)}: the kernel is square",
            spatial=True,
        )
        plan.set_attribute(
            kwargs,
            "stride",
            _one(strides),
            None,
            "stride per axis",
            f"strides {list(strides)}: stride is one int",
            spatial=True,
        )
        plan.set_attribute(
            kwargs,
            "dilation",
            _one(dilations),
            1,
            "dilation",
            f"dilations {list(dilations)}: {target_name} has no dilation",
            spatial=True,
        )
        _set_padding(plan, kwargs, begins, ends)
        for i, k in enumerate(kernel):
            span = (k - 1) * dilations[i] + 1
            if max(begins[i], ends[i]) >= span:
                plan.why(
                    "padding as wide as the window",
                    f"pads {max(begins[i], ends[i])} on a window spanning {span}: a window would lie in the padding",
                )
                break
        ceil = bool(case.attr("ceil_mode", 0))
        sizes = [
            [
                _output_size(x.shape[2 + i], kernel[i], strides[i], dilations[i], begins[i], ends[i], c)
                for i in range(len(kernel))
            ]
            for c in (False, True)
        ]
        if ceil and sizes[0] != sizes[1]:
            plan.set_attribute(
                kwargs,
                "ceil_mode",
                True,
                False,
                "ceil_mode",
                f"ceil_mode=1 gives {sizes[1]} windows, not {sizes[0]}",
            )
        if case.op == "AveragePool" and (any(begins) or any(ends)):
            include = bool(case.attr("count_include_pad", 0))
            plan.set_attribute(
                kwargs,
                "count_include_pad",
                include,
                True,
                "count_include_pad=0",
                "count_include_pad=0 with padding: avg_pooling counts the padding in each window's mean",
            )
        if not plan.reasons:
            plan.call(x, pick=(lambda y: {0: y[:, :, 0, :]}) if signal else None, **kwargs)
        return plan

    return mapper


def _global_pool(kind: str):
    def mapper(case: Case) -> Plan:
        plan = Plan(case, "global_pooling")
        if plan.check_arrays({"x": case.input(0)}):
            plan.call(case.input(0), kind=kind)
        return plan

    return mapper


# ---------------------------------------------------------------------------------------
# Normalization and dropout


def _batch_norm(case: Case) -> Plan:
    plan = Plan(case, "batch_normalization")
    x, scale, bias, mean, var = (case.input(i) for i in range(5))
    # Opset 14 on says so in training_mode; before, training is asked for by its outputs.
    training = bool(case.attr("training_mode", 0)) if case.opset >= 14 else len(case.output_names) > 1
    arrays = {"x": x, "weight": scale, "bias": bias, "running_mean": mean, "running_var": var}
    if not plan.check_arrays(arrays):
        return plan
    epsilon = float(case.attr("epsilon", 1e-5))
    # ONNX keeps `momentum` of the running value; layerforge (as PyTorch) gives it to the batch.
    momentum = 1.0 - float(case.attr("momentum", 0.9))
    count = len(case.output_names)
    if training and count >= 3:
        plan.why_output(
            "running_var from the biased variance",
            "output_var: ONNX updates the running variance with the biased batch variance, "
            "layerforge (as PyTorch) with the unbiased one",
        )
    if count > 3:
        plan.why_output(
            "saved mean and variance outputs", "saved_mean, saved_var: not returned", count=count - 3
        )
    plan.call(
        x,
        scale,
        bias,
        mean,
        var,
        **{plan.target.first("eps", "epsilon"): epsilon},
        momentum=momentum,
        training=training,
        pick=lambda outputs: {0: outputs[0]} | ({1: outputs[1]} if training and count >= 2 else {}),
    )
    return plan


def _layer_norm(case: Case) -> Plan:
    """Y from layer_normalization; Mean and InvStdDev, where asked for, from
    layer_statistics over the same axes with the same eps (the statistics layer
    normalization computes, as an op of their own)."""
    plan = Plan(case, "layer_normalization")
    x, scale, bias = case.input(0), case.input(1), case.input(2)
    axis = int(case.attr("axis", -1)) % x.ndim
    normalized = list(x.shape[axis:])
    kwargs: dict = {}
    if axis != x.ndim - 1:
        plan.set_attribute(
            kwargs,
            "normalized_shape",
            tuple(normalized),
            None,
            "normalization over several axes",
            f"axis {axis} of a rank-{x.ndim} input: layer_normalization normalizes the last axis only",
        )
    if plan.reasons:
        return plan
    if list(scale.shape) != normalized or (bias is not None and list(bias.shape) != normalized):
        plan.why(
            "broadcast scale or bias",
            f"scale {list(scale.shape)}: one weight per normalized element {normalized}",
        )
        return plan
    if bias is None and not plan.target.optional("bias"):
        bias = np.zeros_like(scale)
    arrays = {"x": x} if kwargs else {"x": x, "weight": scale} | ({"bias": bias} if bias is not None else {})
    if not plan.check_arrays(arrays):
        return plan
    eps = float(case.attr("epsilon", 1e-5))
    forward = plan.target.module.forward
    statistics = target("layer_statistics").module.forward

    def run():
        outputs = {0: forward(x, scale, bias, eps=eps, **kwargs)[0]}
        if len(case.output_names) > 1:
            (mean, inv_std_dev), _ctx = statistics(x, eps=eps, **kwargs)
            outputs |= {1: mean, 2: inv_std_dev} if len(case.output_names) > 2 else {1: mean}
        return outputs

    plan.run = run
    return plan


def _dropout(case: Case) -> Plan:
    plan = Plan(case, "dropout")
    x = case.input(0)
    if case.opset >= 12:
        ratio = float(case.input(1)) if case.input(1) is not None else 0.5
        training = bool(case.input(2)) if case.input(2) is not None else False
    else:
        ratio, training = float(case.attr("ratio", 0.5)), False
    if len(case.output_names) > 1:
        plan.why_output("mask output", "output mask: dropout returns y only (the mask stays in ctx)")
    if training and ratio > 0:
        plan.why(
            "random mask in training (not comparable)",
            f"training with ratio {ratio:g}: the expected output comes from ONNX's reference "
            "mask (np.random, seed 0); layerforge draws from a numpy Generator",
        )
    if plan.check_arrays({"x": x}) and not plan.reasons:
        plan.call(x, p=ratio, training=training, rng=np.random.default_rng(0))
    return plan


# ---------------------------------------------------------------------------------------
# Padding and resizing


PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "replicate", "wrap": "circular"}


def _pad(case: Case) -> Plan:
    plan = Plan(case, "padding")
    x = case.input(0)
    if case.opset >= 11:
        pads = [int(p) for p in case.input(1)]
        value = float(case.input(2)) if case.input(2) is not None and case.input(2).size else 0.0
        axes = case.input(3)
    else:
        pads, value, axes = list(case.attr("pads")), float(case.attr("value", 0.0)), None
    if not plan.check_arrays({"x": x}):
        return plan
    rank = x.ndim
    axes = list(range(rank)) if axes is None else [int(a) % rank for a in axes]
    begins, ends = [0] * rank, [0] * rank
    for i, axis in enumerate(axes):
        begins[axis], ends[axis] = pads[i], pads[i + len(axes)]
    mode = case.attr("mode", "constant")
    kwargs: dict = {}
    if plan.target.has("pad"):  # F.pad's (last_begin, last_end, previous_begin, ...)
        padded = [a for a in range(rank) if begins[a] or ends[a]]
        first = min(padded, default=rank - 1)
        kwargs["pad"] = tuple(p for a in range(rank - 1, first - 1, -1) for p in (begins[a], ends[a]))
    else:
        if any(begins[a] or ends[a] for a in range(rank - 2)):
            plan.why(
                "padding of leading axes", f"pads {pads} on axes {axes}: padding pads height and width only"
            )
        if begins[-2:] != ends[-2:]:
            plan.why("padding per side", f"pads {pads}: symmetric padding of height and width only")
        kwargs.update(padding_h=begins[-2], padding_w=begins[-1])
    plan.set_attribute(
        kwargs,
        "mode",
        PAD_MODES.get(mode, mode),
        "constant",
        f"mode {mode}",
        f"mode {mode}: zero padding only",
    )
    if mode == "constant":
        plan.set_attribute(
            kwargs, "value", value, 0.0, "constant value", f"value {value:g}: padding pads with zeros"
        )
    if not plan.reasons:
        plan.call(x, **kwargs)
    return plan


def _onnx_coordinates(transform: str, out: int, size: int, scale: float) -> np.ndarray:
    i = np.arange(out, dtype=np.float64)
    if transform == "half_pixel":
        return (i + 0.5) / scale - 0.5
    if transform == "half_pixel_symmetric":
        adjustment = out / (scale * size)
        return size / 2 * (1 - adjustment) + (i + 0.5) / scale - 0.5
    if transform == "pytorch_half_pixel":
        return (i + 0.5) / scale - 0.5 if out > 1 else np.zeros(out)
    if transform == "align_corners":  # over the unrounded output length, as ONNX's reference
        return i * (size - 1) / (scale * size - 1) if out > 1 else np.zeros(out)
    if transform == "asymmetric":
        return i / scale
    if transform == "tf_half_pixel_for_nn":
        return (i + 0.5) / scale
    raise ValueError(transform)


def _onnx_nearest(x: np.ndarray, rounding: str) -> np.ndarray:
    rounded = {
        "round_prefer_floor": np.ceil(x - 0.5),
        "round_prefer_ceil": np.floor(x + 0.5),
        "floor": np.floor(x),
        "ceil": np.ceil(x),
    }[rounding]
    return rounded


def _torch_coordinates(linear: bool, align_corners: bool, out: int, size: int, ratio: float) -> np.ndarray:
    """PyTorch's (F.interpolate's) source coordinates; ``ratio`` is input per output pixel."""
    i = np.arange(out, dtype=np.float64)
    if not linear:
        return np.minimum(np.floor(i * ratio), size - 1)
    if align_corners:
        return i * (size - 1) / (out - 1) if out > 1 else np.zeros(out)
    return np.clip((i + 0.5) * ratio - 0.5, 0, size - 1)  # past the last pixel: the last pixel


def _resize(case: Case) -> Plan:
    plan = Plan(case, "upsampling")
    x = case.input(0)
    if not plan.check_arrays({"x": x}):
        return plan
    rank = x.ndim
    if case.op == "Upsample" or case.opset < 11:  # Upsample-9 and Resize-10: asymmetric, floor
        scales, sizes = case.input(1), None
        transform, rounding = "asymmetric", "floor"
    else:
        scales, sizes = case.input(2), case.input(3)
        transform = case.attr("coordinate_transformation_mode", "half_pixel")
        rounding = case.attr("nearest_mode", "round_prefer_floor")
    mode = case.attr("mode", "nearest")
    axes = [int(a) % rank for a in case.attr("axes", list(range(rank)))]
    full_scale = [1.0] * rank
    out = list(x.shape)
    if scales is not None and scales.size:
        for axis, s in zip(axes, _floats(scales)):
            full_scale[axis], out[axis] = s, int(math.floor(x.shape[axis] * s))
    else:
        wanted = [int(s) for s in sizes]
        ratios = [w / x.shape[a] for a, w in zip(axes, wanted)]
        policy = case.attr("keep_aspect_ratio_policy", "stretch")
        if policy != "stretch":
            ratios = [(min if policy == "not_larger" else max)(ratios)] * len(axes)
        for axis, w, r in zip(axes, wanted, ratios):  # the sizes, or rounded under a policy
            full_scale[axis] = r
            out[axis] = w if policy == "stretch" else int(math.floor(x.shape[axis] * r + 0.5))
    if full_scale[:2] != [1.0, 1.0] or out[:2] != list(x.shape[:2]):
        plan.why(
            "resizing batch or channels", f"scales {full_scale}: upsampling resizes height and width only"
        )
    cubic = mode == "cubic" and plan.target.accepts("mode", "bicubic")
    if mode not in ("nearest", "linear") and not cubic:
        plan.why(f"mode {mode}", f"mode {mode}: upsampling interpolates nearest or bilinear only")
    if transform == "tf_crop_and_resize":
        plan.why(
            "tf_crop_and_resize", "coordinate_transformation_mode tf_crop_and_resize: no region of interest"
        )
    antialias = bool(int(case.attr("antialias", 0))) and mode in ("linear", "cubic")
    if antialias and not plan.target.accepts("antialias", True):
        plan.why("antialiased downsampling", "antialias=1 while downsampling: no antialiasing filter")
    spatial = list(range(2, rank))
    linear = mode == "linear"
    kwargs: dict = {}
    if linear:
        plan.set_attribute(
            kwargs,
            "mode",
            "bilinear",
            "nearest",
            "mode linear",
            "mode linear: upsampling is nearest-neighbour only",
        )
        align = transform == "align_corners"
        if plan.target.has("align_corners"):
            kwargs["align_corners"] = align
    elif mode == "nearest":
        plan.set_attribute(kwargs, "mode", "nearest", "nearest", "mode nearest", "mode nearest: not offered")
        align = False
    elif cubic:  # ONNX's coordinates always (PyTorch's bicubic coordinates are not clamped)
        kwargs |= {"mode": "bicubic", "cubic_coeff_a": float(case.attr("cubic_coeff_a", -0.75))}
    if cubic or antialias:
        kwargs |= {"exclude_outside": bool(case.attr("exclude_outside", 0))}
    if antialias:
        kwargs["antialias"] = True
    if plan.reasons:
        return plan
    # The ways layerforge can be told the output size, each with PyTorch's coordinate ratio.
    candidates: list[tuple[dict, list[float]]] = []
    integer = [out[a] // x.shape[a] for a in spatial]
    if all(out[a] == integer[k] * x.shape[a] for k, a in enumerate(spatial)) and min(integer) >= 1:
        candidates.append(({"scale_factor": _one(integer)}, [1 / s for s in integer]))
    if scales is not None and scales.size:
        factors = [full_scale[a] for a in spatial]
        value = factors[0] if len(set(factors)) == 1 else tuple(factors)
        candidates.append(({"scale_factor": value}, [1 / s for s in factors]))
    candidates.append(({"size": tuple(out[a] for a in spatial)}, [x.shape[a] / out[a] for a in spatial]))
    accepted = [(k, r) for k, r in candidates if all(plan.target.accepts(n, v) for n, v in k.items())]
    if not accepted:
        plan.why(
            "output size other than one integer factor",
            f"{list(x.shape[2:])} to {[out[a] for a in spatial]}: upsampling scales both axes by one integer",
        )
        return plan
    mismatch = accepted[0][0]
    for extra, ratios in accepted if not (cubic or antialias) else ():
        agree = True
        for k, a in enumerate(spatial):
            theirs = _onnx_coordinates(transform, out[a], x.shape[a], full_scale[a])
            ours = _torch_coordinates(linear, align, out[a], x.shape[a], ratios[k])
            if linear:
                agree &= np.allclose(np.clip(theirs, 0, x.shape[a] - 1), ours, atol=1e-6)
            else:
                agree &= np.array_equal(np.clip(_onnx_nearest(theirs, rounding), 0, x.shape[a] - 1), ours)
        if agree:
            plan.call(x, **kwargs, **extra)
            return plan
        mismatch = extra
    # Other source pixels than PyTorch's: ONNX's own coordinates, where layerforge takes them,
    # with the scale ONNX's coordinates use (the given factors, or the size's ratio).
    onnx_kwargs = {"coordinate_transformation_mode": transform} | ({"nearest_mode": rounding} if mode == "nearest" else {})
    if all(plan.target.accepts(k, v) for k, v in onnx_kwargs.items()):
        factors = [full_scale[a] for a in spatial]
        if scales is not None and scales.size:
            extra = {"scale_factor": factors[0] if len(set(factors)) == 1 else tuple(factors)}
        elif all(math.isclose(f, out[a] / x.shape[a], rel_tol=1e-12) for f, a in zip(factors, spatial)):
            extra = {"size": tuple(out[a] for a in spatial)}
        elif all(math.floor(x.shape[a] * f) == out[a] for f, a in zip(factors, spatial)):
            extra = {"scale_factor": tuple(factors)}  # a keep_aspect_ratio_policy's ratio
        else:
            extra = None
        if extra is not None and all(plan.target.accepts(k, v) for k, v in extra.items()):
            plan.call(x, **kwargs, **extra, **onnx_kwargs)
            return plan
        if extra is None:
            plan.why(
                "size rounded under keep_aspect_ratio_policy",
                f"output {[out[a] for a in spatial]}: ratio {factors} rounded to the nearest size, "
                "upsampling's size is floor(in * scale_factor)",
            )
            return plan
    detail = f"{transform}" + ("" if linear else f" with nearest_mode {rounding}")
    plan.why(
        f"{mode} source pixels other than PyTorch's",
        f"{detail} samples other source pixels than PyTorch's {mode} ({', '.join(f'{k}={v}' for k, v in mismatch.items())})",
    )
    return plan


# ---------------------------------------------------------------------------------------
# Losses


def _softmax_cross_entropy(case: Case) -> Plan:
    """Labels [N, d...] become one-hot rows along axis 1 of the target (the data as
    cross_entropy takes it), a label equal to ignore_index a row of zeros; the class
    weights are cross_entropy's weight and the reduction its own. The log_prob output is
    layerforge's log_softmax over axis 1 of the same scores (cross_entropy returns the
    loss alone)."""
    plan = Plan(case, "cross_entropy")
    scores, labels, weights = case.input(0), case.input(1), case.input(2)
    kwargs: dict = {}
    reduction = case.attr("reduction", "mean")
    plan.set_attribute(
        kwargs, "reduction", reduction, "mean", f"reduction {reduction}",
        f"reduction {reduction}: cross_entropy averages over the batch",
    )
    if weights is not None and not plan.target.has("weight"):
        plan.why("class weights", "class weights: cross_entropy weighs every class alike")
    ignore = case.attr("ignore_index")
    counted = np.ones(labels.shape, bool) if ignore is None else labels != ignore
    classes = scores.shape[1] if scores.ndim >= 2 else 0
    if np.any(counted & ((labels < 0) | (labels >= classes))):
        plan.why("labels out of range", f"labels outside [0, {classes}) other than ignore_index")
    if ignore is not None and not counted.all() and not plan.target.has("weight"):
        plan.why("ignore_index", f"ignore_index {ignore} occurs in the labels: every row counts")
    arrays = {"logits": scores} | ({"weight": weights} if weights is not None else {})
    if not plan.check_arrays(arrays) or plan.reasons:
        return plan
    rows = np.eye(classes, dtype=scores.dtype)[np.where(counted, labels, 0)] * counted[..., None]
    one_hot = np.moveaxis(rows, -1, 1)  # one-hot along the classes, axis 1
    log_softmax = target("log_softmax").module
    forward = plan.target.module.forward

    def run():
        loss, _ctx = forward(scores, one_hot, weights, **kwargs)
        outputs = {0: np.asarray(loss)}
        if len(case.output_names) > 1:
            outputs[1] = log_softmax.forward(scores, dim=1)[0]
        return outputs

    plan.run = run
    return plan


# ---------------------------------------------------------------------------------------
# The table of mapped ONNX ops

MAPPERS: dict[str, Callable[[Case], Plan]] = {
    # activations
    "Celu": _simple("celu", {"alpha": ("alpha", 1.0)}),
    "Clip": _clip,
    "Elu": _simple("elu", {"alpha": ("alpha", 1.0)}),
    "Gelu": _gelu,
    "HardSigmoid": _hard_sigmoid,
    "Identity": _identity,
    "LeakyRelu": _simple("leaky_relu", {"alpha": ("alpha", 0.01)}),
    "LogSoftmax": _softmax("log_softmax"),
    "Mish": _simple("mish"),
    "PRelu": _prelu,
    "Relu": _simple("relu"),
    "Selu": _selu,
    "Sigmoid": _simple("sigmoid"),
    "Sign": _simple("sign"),
    "Softmax": _softmax("softmax"),
    "Softplus": _simple("softplus"),
    "Softsign": _simple("softsign"),
    "Swish": _swish,
    "Tanh": _simple("tanh"),
    "ThresholdedRelu": _simple("thresholded_relu", {"alpha": ("theta", 1.0)}),
    # layers
    "Add": _nary("add"),
    "AveragePool": _pool("avg_pooling"),
    "BatchNormalization": _batch_norm,
    "Concat": _concat,
    "Conv": _conv,
    "Dropout": _dropout,
    "Flatten": _flatten,
    "Gemm": _gemm,
    "GlobalAveragePool": _global_pool("average"),
    "GlobalMaxPool": _global_pool("max"),
    "LayerNormalization": _layer_norm,
    "MatMul": _matmul,
    "MaxPool": _pool("max_pooling"),
    "Mul": _nary("multiply"),
    "Pad": _pad,
    "ReduceMean": _reduce_mean,
    "Reshape": _reshape,
    "Resize": _resize,
    "Split": _split,
    "Sum": _nary("add"),
    "Upsample": _resize,
    # losses
    "SoftmaxCrossEntropyLoss": _softmax_cross_entropy,
}


# ---------------------------------------------------------------------------------------
# Running and comparing


@dataclass
class Result:
    case: str
    op: str
    target: str
    status: str  # "pass", "fail" or "unsupported"
    reasons: list[Reason] = field(default_factory=list)
    compared: int = 0  # expected outputs compared (and agreeing, unless failed)
    detail: str = ""  # what failed


def compare(actual, expected, case: Case) -> str:
    """An empty string if ``actual`` agrees with ``expected``, else what differs."""
    actual = np.asarray(actual)
    if actual.shape != expected.shape:
        return f"shape {list(actual.shape)}, expected {list(expected.shape)}"
    if actual.dtype != expected.dtype:
        return f"dtype {actual.dtype}, expected {expected.dtype}"
    if expected.dtype.name in FLOAT_DTYPES:
        close = np.isclose(actual, expected, rtol=case.rtol, atol=case.atol, equal_nan=True)
        if not close.all():
            worst = float(np.nanmax(np.abs(actual.astype(np.float64) - expected)))
            return f"{int((~close).sum())} of {close.size} values differ (max abs difference {worst:.3g})"
        return ""
    return "" if np.array_equal(actual, expected) else "values differ"


def run_case(case: Case) -> Result:
    try:
        plan = MAPPERS[case.op](case)
    except Exception as exc:  # noqa: BLE001 - a mapper that breaks fails its case, loudly
        return Result(case.name, case.op, "?", "fail", detail=f"mapper: {type(exc).__name__}: {exc}")
    result = Result(case.name, case.op, plan.target.name, "unsupported", plan.reasons + plan.missing)
    if plan.run is None:
        if not plan.reasons:
            result.status, result.detail = "fail", "the mapper neither called layerforge nor gave a reason"
        return result
    try:
        outputs = plan.run()
    except Exception as exc:  # noqa: BLE001 - any error of a mapped call is a failure
        result.status, result.detail = "fail", f"{type(exc).__name__}: {exc}"
        return result
    for index, actual in sorted(outputs.items()):
        if not 0 <= index < len(case.expected):
            result.status, result.detail = (
                "fail",
                f"the mapper picked output {index}, which ONNX does not expect",
            )
            return result
        problem = compare(actual, case.expected[index], case)
        if problem:
            result.status, result.detail = "fail", f"output {case.output_names[index]}: {problem}"
            return result
    result.compared = len(outputs)
    if plan.reasons:
        result.status, result.detail = "fail", "the mapper gave reasons and still called layerforge"
    elif len(outputs) + plan.missing_outputs != len(case.expected):
        result.status, result.detail = "fail", "some expected outputs were neither compared nor explained"
    elif not plan.missing:
        result.status = "pass"
    return result


def relevant_cases() -> list[Case]:
    return [c for c in onnx_cases() if c.op in MAPPERS]


@functools.lru_cache(maxsize=1)
def results() -> tuple[Result, ...]:
    return tuple(run_case(c) for c in relevant_cases())


# ---------------------------------------------------------------------------------------
# The report


def render(results: tuple[Result, ...]) -> str:
    """results/onnx_conformance.md: deterministic (no timings, sorted everywhere)."""
    import onnx

    total = len(results)
    passes = sum(r.status == "pass" for r in results)
    fails = [r for r in results if r.status == "fail"]
    unsupported = [r for r in results if r.status == "unsupported"]
    unmapped = sorted({c.op for c in onnx_cases()} - set(MAPPERS))
    floating = [r for r in results if not any(x.key.startswith("dtype ") for x in r.reasons)]
    floating_passes = sum(r.status == "pass" for r in floating)
    lines = [
        "# ONNX node tests as a conformance suite",
        "",
        "Generated by `python scripts/onnx_conformance.py` from the node test cases of",
        f"`onnx=={onnx.__version__}` (`onnx.backend.test.case.node.collect_testcases`, the",
        "`_expanded` cases left out); `tests/test_onnx_conformance.py` runs the same cases and",
        "checks that this file is current. Each ONNX op with a layerforge counterpart is mapped",
        "onto the generated `forward` (`tests/onnx_conformance.py`); a case passes only when",
        "every expected output is computed and agrees (ONNX's tolerances: rtol 1e-3, atol",
        "1e-7). Cases outside what layerforge offers are listed with the reason; outputs that",
        "layerforge does compute for them are still compared and agree.",
        "",
        f"**{passes} of {total} relevant cases pass ({100 * passes / total:.1f}%)**: {len(unsupported)} are "
        f"outside layerforge, {len(fails)} fail ({len({r.op for r in results})} ONNX ops).",
        f"Without the {total - len(floating)} cases in dtypes layerforge does not offer (integers, bfloat16,",
        f"float16 beyond the ops that take it): {floating_passes} of {len(floating)} pass "
        f"({100 * floating_passes / len(floating):.1f}%).",
        "",
        "| ONNX op | layerforge | cases | pass | outside | fail |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    by_op: dict[str, list[Result]] = {}
    for r in results:
        by_op.setdefault(r.op, []).append(r)
    for op, rows in sorted(by_op.items()):
        targets = ", ".join(sorted({r.target for r in rows}))
        count = Counter(r.status for r in rows)
        lines.append(
            f"| {op} | {targets} | {len(rows)} | {count['pass']} | {count['unsupported']} | {count['fail']} |"
        )
    lines.append(f"| **total** | | **{total}** | **{passes}** | **{len(unsupported)}** | **{len(fails)}** |")
    alone = Counter(r.reasons[0].key for r in unsupported if len({x.key for x in r.reasons}) == 1)
    anywhere = Counter(key for r in unsupported for key in {x.key for x in r.reasons})
    lines += [
        "",
        "## What is missing, by the cases it would unlock",
        "",
        "*alone*: cases for which it is the only reason (they would pass with it, if the numbers",
        "agree); *in all*: cases that name it.",
        "",
        "| missing | alone | in all |",
        "| --- | ---: | ---: |",
    ]
    for key in sorted(anywhere, key=lambda k: (-alone[k], -anywhere[k], k)):
        lines.append(f"| {key} | {alone[key]} | {anywhere[key]} |")
    if fails:
        lines += ["", "## Failures", ""]
        lines += [f"- `{r.case}` ({r.target}): {r.detail}" for r in fails]
    lines += ["", "## Cases outside layerforge, by op", ""]
    for op, rows in sorted(by_op.items()):
        outside = [r for r in rows if r.status == "unsupported"]
        if not outside:
            continue
        lines += [f"### {op}", ""]
        for r in outside:
            checked = (
                f" ({r.compared} output{'s' * (r.compared != 1)} compared and agree)" if r.compared else ""
            )
            lines.append(f"- `{r.case}`{checked}: " + "; ".join(x.text for x in r.reasons))
        lines.append("")
    lines += [
        "## ONNX ops without a layerforge counterpart",
        "",
        f"{len(unmapped)} ops, not counted above: " + ", ".join(unmapped) + ".",
        "",
    ]
    return "\n".join(lines)


def replace_expected(case: Case, expected: tuple) -> Case:
    """The case with other expected outputs (for testing the comparison itself)."""
    return dataclasses.replace(case, expected=expected)
