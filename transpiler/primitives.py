"""The primitive table (``layers_spec/primitives.yaml``): operations and derivative rules."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from .errors import Collector, SpecError, did_you_mean
from .expr import Expr, parse_expression
from .source import Fields, Node, load

KINDS = ("elementwise", "reduction", "linalg", "shape", "random", "special")
SHAPE_RULES = ("capsule_votes", "resize_last", "broadcast", "reduce", "scalar", "linear", "matmul", "transpose", "outer",
               "split_last", "squeeze_last", "squeeze_axis", "unsqueeze", "permute", "unpermute", "linear_heads", "chunk", "channels", "planes", "column", "window", "global", "im2col", "conv_apply", "conv_same", "conv_same_input", "conv_transpose", "bmm", "swap_last",
               "split_heads", "merge_heads", "take_rows", "last_two", "unknown")
StaticValue = Union[int, float, bool, tuple, None]
JIT_CALL = re.compile(r"[A-Za-z_]\w*\(.*\)", re.S)  # a jit template: one call
CUDA_ROW = re.compile(r"template <typename T>\s+__device__ void (\w+)\(")  # a cuda_row's head


@dataclass(frozen=True)
class Primitive:
    name: str
    kind: str
    args: tuple[str, ...]
    statics: tuple[tuple[str, StaticValue], ...]  # name -> default (None: required)
    numpy: str
    helper: str | None
    shape: str
    dtype: str
    derivatives: tuple[tuple[str, Expr], ...]
    nondifferentiable: tuple[str, ...]
    shape_only: tuple[str, ...] = ()
    cuda: str | None = None  # C expression template for CuPy kernels (elementwise only)
    cuda_helper: str | None = None  # a C++ function template the cuda expression calls
    view: bool = False  # the result is a view of the first operand: free to recompute
    cuda_row: str | None = None  # a C++ device function computing one row (RowKernel)
    # operands that may be None at run time (an optional mask without variants): the
    # primitive then returns its first operand unchanged (see ``ir.ABSENT``)
    takes_none: tuple[str, ...] = ()
    # its helper decides its threads itself (shares its work out over layerforge's threads,
    # or is a product too small to share, run once per step of a loop): a forward or
    # backward calling it runs with BLAS kept to one thread throughout (codegen's
    # ``@blas_on_one_thread``)
    owns_threads: bool = False
    # the compiled CPU target's call (a template as ``numpy``) of a hand-written function of
    # layerforge._jit_runtime, which compiled twins run instead of the NumPy template
    jit: str | None = None

    @property
    def jit_name(self) -> str | None:
        """The _jit_runtime function that the ``jit`` template calls."""
        return None if self.jit is None else self.jit.split("(", 1)[0].strip()

    @property
    def cuda_row_name(self) -> str | None:
        if self.cuda_row is None:
            return None
        head = CUDA_ROW.match(self.cuda_row.lstrip())
        assert head is not None  # checked on load
        return head.group(1)

    @property
    def static_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.statics)

    def rule(self, arg: str) -> Expr | None:
        for name, expr in self.derivatives:
            if name == arg:
                return expr
        return None

    @property
    def helper_name(self) -> str | None:
        if self.helper is None:
            return None
        return self.helper.split("(", 1)[0].removeprefix("def ").strip()


Primitives = dict[str, Primitive]


def call_of(function: str) -> re.Pattern[str]:
    """A call of ``function`` by its bare name (not ``np.function(`` or ``_cupy_function(``)."""
    return re.compile(rf"(?<![\w.]){re.escape(function)}\(")


def with_called_helpers(names: list[str], prims: Primitives) -> list[str]:
    """The primitives ``names`` and, after them, those whose helper functions their helpers
    call by name (transitively): a helper may build on another's function, which is then
    emitted into the module too."""
    by_function = {p.helper_name: name for name, p in prims.items() if p.helper_name}
    result = list(names)
    for name in result:  # grows while it is walked
        helper = prims[name].helper or ""
        for function, callee in by_function.items():
            if callee not in result and call_of(function).search(helper):
                result.append(callee)
    return result


def load_primitives(path: Path, display: str) -> Primitives:
    """Read and check the primitive table; raise ``SpecError`` listing every problem."""
    root = load(path.read_text(encoding="utf-8"), display)
    errors = Collector()
    table: Primitives = {}
    if not root.is_map:
        errors.error(root.loc, "the primitive table must be a mapping of primitive names")
        errors.check()
    for name, node in root.items():
        prim = _primitive(name, node, errors)
        if prim is not None:
            table[name] = prim
    errors.check()
    return table


def _primitive(name: str, node: Node, errors: Collector) -> Primitive | None:
    where = f"primitive '{name}'"
    fields = Fields(node, where, errors)
    kind = fields.take("kind", str, required=True)
    args = fields.take("args", list, required=True)
    statics = fields.take("statics", dict)
    numpy = fields.take("numpy", str, required=True)
    helper = fields.take("helper", str)
    shape = fields.take("shape", str, required=True)
    dtype = fields.take("dtype", str)
    derivatives = fields.take("derivatives", dict)
    nondiff = fields.take("nondifferentiable", list)
    shape_only = fields.take("shape_only", list)
    cuda = fields.take("cuda", str)
    cuda_helper = fields.take("cuda_helper", str)
    view = fields.take("view", bool)
    cuda_row = fields.take("cuda_row", str)
    takes_none = fields.take("takes_none", list)
    owns_threads = fields.take("owns_threads", bool)
    jit = fields.take("jit", str)
    fields.finish()
    if kind is not None and kind.value not in KINDS:
        errors.error(kind.loc, f"{where}.kind: must be one of {', '.join(KINDS)}")
    if shape is not None:
        rule = shape.value
        if rule not in SHAPE_RULES and not rule.startswith("like:"):
            errors.error(shape.loc, f"{where}.shape: unknown shape rule '{rule}'")
    arg_names = tuple(str(a.value) for a in args.value) if args else ()
    static_items = tuple((k, v.value) for k, v in statics.items()) if statics else ()
    operands = set(arg_names) | {k for k, _ in static_items}
    rules: list[tuple[str, Expr]] = []
    if derivatives is not None:
        for arg, rule_node in derivatives.items():
            if arg not in arg_names:
                errors.error(derivatives.key_locs[arg], f"{where}.derivatives: '{arg}' is not an operand")
                continue
            text = str(rule_node.value)
            expr = parse_expression(text, rule_node.text_origin or rule_node.loc, errors)
            if expr is not None:
                rules.append((arg, expr))
    nondiff_names = tuple(str(a.value) for a in nondiff.value) if nondiff else ()
    for arg in nondiff_names:
        if arg not in operands:
            errors.error(nondiff.loc, f"{where}.nondifferentiable: '{arg}' is not an operand")  # type: ignore[union-attr]
    shape_only_names = tuple(str(a.value) for a in shape_only.value) if shape_only else ()
    for arg in shape_only_names:
        if arg not in arg_names:
            errors.error(shape_only.loc, f"{where}.shape_only: '{arg}' is not an operand")  # type: ignore[union-attr]
    takes_none_names = tuple(str(a.value) for a in takes_none.value) if takes_none else ()
    for arg in takes_none_names:
        if arg not in arg_names[1:] or arg not in nondiff_names:
            errors.error(takes_none.loc, f"{where}.takes_none: '{arg}' is not a nondifferentiable operand after the first")  # type: ignore[union-attr]
    if cuda is not None:
        _check_cuda(where, kind, cuda, cuda_helper, operands, errors)
    elif cuda_helper is not None:
        errors.error(cuda_helper.loc, f"{where}.cuda_helper: needs a 'cuda' template that calls it")
    if jit is not None:
        _check_jit(where, jit, operands, errors)
    if cuda_row is not None and not CUDA_ROW.match(cuda_row.value.lstrip()):
        errors.error(cuda_row.loc, f"{where}.cuda_row: must be 'template <typename T> __device__ void name(...)'")
    if kind is None or args is None or numpy is None or shape is None:
        return None
    return Primitive(
        name=name,
        kind=kind.value,
        args=arg_names,
        statics=static_items,
        numpy=numpy.value,
        helper=helper.value.rstrip() + "\n" if helper else None,
        shape=shape.value,
        dtype=dtype.value if dtype else "same",
        derivatives=tuple(rules),
        nondifferentiable=nondiff_names,
        shape_only=shape_only_names,
        cuda=cuda.value if cuda else None,
        cuda_helper=cuda_helper.value.rstrip() + "\n" if cuda_helper else None,
        view=bool(view.value) if view else False,
        cuda_row=cuda_row.value.rstrip() + "\n" if cuda_row else None,
        takes_none=takes_none_names,
        owns_threads=bool(owns_threads.value) if owns_threads else False,
        jit=jit.value if jit else None,
    )


def _check_placeholders(field: str, template: Node, operands: set[str], errors: Collector) -> bool:
    """A template's ``{name}`` placeholders name only operands; False if it is malformed."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template.value) if name is not None]
    except ValueError as exc:
        errors.error(template.loc, f"{field}: malformed template ({exc})")
        return False
    for name in names:
        if name not in operands:
            errors.error(template.loc, f"{field}: '{{{name}}}' is not an operand{did_you_mean(name, operands)}")
    return True


def _check_jit(where: str, jit: Node, operands: set[str], errors: Collector) -> None:
    """A ``jit`` template calls one function by name with the primitive's operands."""
    if not JIT_CALL.fullmatch(jit.value.strip()):
        errors.error(jit.loc, f"{where}.jit: must be a call of a _jit_runtime function, 'name({{operand}}, ...)'")
        return
    _check_placeholders(f"{where}.jit", jit, operands, errors)


def _check_cuda(where: str, kind: Node | None, cuda: Node, helper: Node | None, operands: set[str],
                errors: Collector) -> None:
    """A ``cuda`` template belongs to an elementwise primitive and names only its operands."""
    if kind is not None and kind.value != "elementwise":
        errors.error(cuda.loc, f"{where}.cuda: only elementwise primitives have a C template")
    if not _check_placeholders(f"{where}.cuda", cuda, operands, errors):
        return
    if helper is not None and not helper.value.lstrip().startswith("template <typename T>"):
        errors.error(helper.loc, f"{where}.cuda_helper: must be a function template over T")


__all__ = ["Primitive", "Primitives", "load_primitives", "SpecError"]
