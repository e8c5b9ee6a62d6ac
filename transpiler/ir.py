"""The IR: straight-line SSA statements over primitives, with symbolic shapes.

A spec's forward body is flattened into one ``Function`` per variant (one value of every
structural attribute, and one fused activation for layers with an activation slot). Nested
expressions become compiler temporaries named ``_t<n>``; names chosen in the spec are kept.
Every name is assigned exactly once, which is what makes the libcst passes scope-safe.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator, Union

from . import shapes
from .errors import Collector, Location, did_you_mean
from .expr import INT_LIMIT, Assign, Call, Expr, If, Name, Num, Stmt as SpecStmt, constant_problem
from .primitives import Primitive, Primitives
from .shapes import SCALAR, Dim, Shape, ShapeError
from .spec import AttrValue, CallDecl, OpSpec, check_name

ConstValue = Union[int, float, bool, tuple]


@dataclass(frozen=True)
class Const:
    value: ConstValue


Operand = Union[str, Const]

# An optional parameter or buffer that this variant goes without (``optional: true``, given
# as None): it is the identity of the operation it meets, 0 in ``a + p`` and ``a - p``, 1 in
# ``a * p`` and ``a / p``; a view or reshape of it is absent too. Anything else is an error.
ABSENT = Const(None)
# Each absent-aware primitive: the operand positions an absent operand may take, and what the
# result is then (the other operand's position, or None: absent).
_ABSENT_RULES: dict[str, dict[int, int | None]] = {
    "add": {0: 1, 1: 0},
    "sub": {1: 0},
    "mul": {0: 1, 1: 0},
    "div": {1: 0},
}


@dataclass(frozen=True)
class Stmt:
    target: str
    prim: str
    args: tuple[Operand, ...]
    statics: tuple[tuple[str, Operand], ...]
    loc: Location

    def operands(self) -> Iterator[Operand]:
        yield from self.args
        for _, value in self.statics:
            yield value

    def reads(self) -> Iterator[str]:
        return (o for o in self.operands() if isinstance(o, str))


@dataclass(frozen=True)
class Value:
    shape: Shape | None  # None: known only at run time
    dtype: str  # float | bool | int
    role: str  # input | param | attr | temp | grad


@dataclass(frozen=True)
class Region:
    """Statements spliced in from a fused activation or a called op that declares an
    explicit backward.

    The grad stage differentiates the region as a whole with that backward instead of
    walking its statements, so a fused layer gets the same closed form as the activation,
    and a composite the closed forms of the ops it calls.
    """

    activation: OpSpec  # the spliced op: a fused activation, or a called op (``_inline_call``)
    targets: frozenset[str]
    output: str
    env: tuple[tuple[str, Operand], ...]  # the activation's names -> operands in this function
    # a called op's structural values (for the ``if`` of its backward) and the prefix its
    # backward's names take (``norm1_``)
    structural: tuple[tuple[str, AttrValue], ...] = ()
    prefix: str = ""


@dataclass
class Function:
    name: str
    params: list[str]
    body: list[Stmt]
    outputs: list[Operand]
    values: dict[str, Value]
    attr_defaults: dict[str, AttrValue] = field(default_factory=dict)
    regions: list[Region] = field(default_factory=list)
    # A scan variant's driver: no statements of its own; it runs the parts of the loop
    # (``scan.Scan``), which the codegen renders as a loop around calls of them.
    loop: object | None = None

    def defining(self, name: str) -> Stmt | None:
        for stmt in self.body:
            if stmt.target == name:
                return stmt
        return None

    def row_sums(self) -> int | None:
        """How the function may run block by block along the leading axis, or None.

        Row-local: every array either has a known shape led by '...' or is passed whole (a
        scalar, or a parameter of rank at most 1, which broadcasts over rows), and no
        statement makes a value without '...' from row arrays, except ``sum_to`` values that
        only leave as the last outputs (parameter gradients): blocks give partial sums to
        add. The size of a trailing axis of a row array (``axis_size`` with a negative axis
        within its named dimensions) is the same in every block. Returns how many such
        trailing outputs there are."""
        def whole(name: str) -> bool:
            shape = self.values[name].shape
            return shape is not None and not shape.ellipsis and shape.rank <= 1

        def trailing_size(stmt: Stmt) -> bool:
            axis = dict(stmt.statics).get("axis", Const(-1))
            shape = self.values[stmt.args[0]].shape if isinstance(stmt.args[0], str) else None
            return (stmt.prim == "axis_size" and isinstance(axis, Const) and isinstance(axis.value, int)
                    and shape is not None and -shape.rank <= axis.value < 0)

        for name in self.params:
            if name in self.values and not (whole(name) or (self.values[name].shape or SCALAR).ellipsis):
                return None
        read = {r for stmt in self.body for r in stmt.reads()}
        sums: list[str] = []
        for stmt in self.body:
            shape = self.values[stmt.target].shape
            if shape is None:
                return None
            if shape.ellipsis or all(isinstance(a, Const) or whole(a) for a in stmt.args) or trailing_size(stmt):
                continue
            if stmt.prim not in ("sum_to", "sum_leading") or stmt.target in read or shape.rank > 1:
                return None
            sums.append(stmt.target)
        # an absent parameter's gradient (None) counts as a row sum where the others are
        trailing = 0
        for output in reversed(self.outputs):
            if output != ABSENT and output not in sums:
                break
            trailing += 1
        if [o for o in self.outputs[len(self.outputs) - trailing:] if o != ABSENT] != sums:
            return None
        return trailing


class FoldLimit(ArithmeticError):
    """A constant expression whose value lies beyond what generation folds."""


def power_fits(base: object, exponent: object) -> bool:
    """Would ``base ** exponent`` of integers stay below ``INT_LIMIT``? Decided from bit
    lengths, without computing it (``9 ** 999999999`` takes minutes and gigabytes)."""
    if not (isinstance(base, int) and isinstance(exponent, int)) or exponent <= 0 or abs(base) <= 1:
        return True
    return (abs(base).bit_length() - 1) * exponent < INT_LIMIT.bit_length() - 1


def _fold(prim: str, values: list[ConstValue]) -> ConstValue | None:
    """Evaluate arithmetic on constants at generation time; ``FoldLimit`` if the result
    would be an integer beyond ``INT_LIMIT`` or a float that is not finite."""
    if prim == "pow" and len(values) == 2 and not power_fits(*values):
        raise FoldLimit("an integer beyond 2**63")
    ops: dict[str, Callable[..., ConstValue]] = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "pow": lambda a, b: a**b,
        "neg": lambda a: -a,
        "sqrt": math.sqrt,
        "exp": math.exp,
        "log": math.log,
    }
    if prim not in ops:
        return None
    try:
        result = ops[prim](*values)
    except OverflowError:
        raise FoldLimit("a float beyond the largest finite number") from None
    except (ArithmeticError, ValueError, TypeError):
        return None
    if isinstance(result, complex):
        return None
    problem = constant_problem(result)
    if problem is not None:
        raise FoldLimit("an integer beyond 2**63" if isinstance(result, int) else "a number that is not finite")
    return result


class Builder:
    """Appends SSA statements to a body, checking names, primitives and shapes as it goes."""

    def __init__(self, prims: Primitives, errors: Collector, values: dict[str, Value],
                 counter: Iterator[int], body: list[Stmt] | None = None):
        self.prims = prims
        self.errors = errors
        self.values = values
        self.counter = counter
        self.body: list[Stmt] = [] if body is None else body
        self.poisoned: set[str] = set()  # names whose assignment already failed
        self.spec_calls: set[str] = set()  # names that call a spec (inlined by ``_statements``)
        self.maybe_none: set[str] = set()  # optional inputs without variants: None at run time
        self.leading_sums = False  # sum_leading for sums over every leading axis (grad._sum_to)

    def fresh(self) -> str:
        return f"_t{next(self.counter)}"

    def shape_of(self, operand: Operand) -> Shape | None:
        if isinstance(operand, Const):
            return SCALAR
        return self.values[operand].shape

    def dtype_of(self, operand: Operand) -> str:
        if isinstance(operand, Const):
            return "bool" if isinstance(operand.value, bool) else "scalar"
        return self.values[operand].dtype

    # -- expressions ---------------------------------------------------------------------
    def expr(self, expr: Expr, env: dict[str, Operand], target: str | None = None,
             role: str = "temp") -> Operand | None:
        if isinstance(expr, Num) and isinstance(expr.value, str):
            self.errors.error(expr.loc, f"the string {expr.value!r} may only choose a called spec's structural attribute")
            return None
        if isinstance(expr, Num):
            return Const(expr.value)
        if isinstance(expr, Name):
            if expr.id in self.poisoned:
                return None
            if expr.id not in env:
                self.errors.error(expr.loc, f"undefined name '{expr.id}'{did_you_mean(expr.id, env)}")
                return None
            return env[expr.id]
        prim = self.prims.get(expr.func)
        if prim is None and expr.func in self.spec_calls:
            self.errors.error(expr.loc, f"'{expr.func}' calls a spec: the call must be a statement's whole right-hand side ('h = {expr.func}(...)')")
            return None
        if prim is None:
            self.errors.error(expr.loc, f"unknown primitive '{expr.func}'{did_you_mean(expr.func, self.prims)}")
            return None
        if len(expr.args) != len(prim.args):
            self.errors.error(expr.loc, f"'{prim.name}' takes {len(prim.args)} operand(s) ({', '.join(prim.args)}), got {len(expr.args)}")
            return None
        args = [self.expr(a, env) for a in expr.args]
        statics: dict[str, Operand] = {}
        for key, value_expr in expr.kwargs:
            if key not in prim.static_names:
                known = ", ".join(prim.static_names) or "none"
                self.errors.error(value_expr.loc, f"'{prim.name}' has no keyword '{key}' (keywords: {known}){did_you_mean(key, prim.static_names)}")
                return None
            value = self.expr(value_expr, env)
            if value is None:
                return None
            if self.shape_of(value) != SCALAR:
                self.errors.error(value_expr.loc, f"'{prim.name}': keyword '{key}' must be a number or attribute, not an array")
                return None
            statics[key] = value
        for key, default in prim.statics:
            if key not in statics:
                if default is None:
                    self.errors.error(expr.loc, f"'{prim.name}' needs the keyword '{key}'")
                    return None
                statics[key] = Const(default)
        if any(a is None for a in args):
            return None
        if ABSENT in args:
            return self._without(prim, args, expr.loc)  # type: ignore[arg-type]
        return self.call(prim, args, statics, expr.loc, target, role)  # type: ignore[arg-type]

    def rename_last(self, target: str) -> str:
        """Give the temporary that the last statement made the name ``target``."""
        last = self.body[-1]
        self.values[target] = self.values.pop(last.target)
        self.body[-1] = replace(last, target=target)
        return target

    def _without(self, prim: Primitive, args: list[Operand], loc: Location) -> Operand | None:
        """A call that meets an absent optional array (see ``ABSENT``)."""
        position = args.index(ABSENT)
        if all(prim.args[i] in prim.takes_none for i, a in enumerate(args) if a == ABSENT):
            return args[0]  # a mask left out: the scores as they are
        rule = _ABSENT_RULES.get(prim.name)
        if rule is not None and position in rule and args.count(ABSENT) == 1:
            return args[rule[position]]  # type: ignore[index]
        if rule is not None and args.count(ABSENT) == len(args):
            return ABSENT
        others = [n for i, n in enumerate(prim.args) if i != position]
        if rule is None and prim.kind == "shape" and position == 0 and all(n in prim.shape_only for n in others):
            return ABSENT  # a reshape of an absent array
        self.errors.error(loc, f"'{prim.name}': an optional array that this variant goes without (given as None) "
                               f"cannot be dropped from it; put the statement under 'if <array>:'")
        return None

    def call(self, prim: Primitive, args: list[Operand], statics: dict[str, Operand], loc: Location,
             target: str | None = None, role: str = "temp") -> Operand | None:
        for name, arg in zip(prim.args, args):
            if arg in self.maybe_none and name not in prim.takes_none:
                takers = ", ".join(n for n, p in self.prims.items() if p.takes_none)
                self.errors.error(loc, f"'{prim.name}' cannot take the optional input '{arg}', which may be None at run "
                                       f"time (variants: false); only {takers} take one")
                return None
        if not statics and all(isinstance(a, Const) for a in args):
            try:
                folded = _fold(prim.name, [a.value for a in args])  # type: ignore[union-attr]
            except FoldLimit as exc:
                shown = ", ".join(_show(a) if len(_show(a)) < 40 else "..." for a in args)
                self.errors.error(loc, f"'{prim.name}' of the constants {shown} folds to {exc} (limit: integers below 2**63, finite floats)")
                return None
            if folded is not None:
                return Const(folded)
        args = [self._representative(a) if n in prim.shape_only else a for n, a in zip(prim.args, args)]
        try:
            shape = self._shape(prim, args, statics)
        except ShapeError as exc:
            self.errors.error(loc, f"'{prim.name}': {exc}")
            return None
        name = target or self.fresh()
        self.values[name] = Value(shape, self._dtype(prim, args), role)
        self.body.append(Stmt(name, prim.name, tuple(args), tuple(sorted(statics.items())), loc))
        return name

    def _representative(self, operand: Operand) -> Operand:
        """The first input, parameter or earlier value with the same symbolic shape and dtype:
        read for its shape alone, it spares computing or saving a temporary (a gradient is
        kept: backward has it without saving anything)."""
        if isinstance(operand, Const):
            return operand
        value = self.values[operand]
        if value.shape is None or value.role == "grad":
            return operand  # a gradient is at hand in backward already: nothing to save
        for name, other in self.values.items():
            if name == operand:
                break
            if other.shape == value.shape and other.dtype == value.dtype and other.role not in ("grad", "absent"):
                return name
        return operand

    def _dtype(self, prim: Primitive, args: list[Operand]) -> str:
        if prim.dtype in ("bool", "int"):
            return prim.dtype
        if prim.dtype.startswith("like:"):
            return self.dtype_of(args[prim.args.index(prim.dtype[5:])])
        if prim.kind == "shape" and args and isinstance(args[0], str):
            return self.dtype_of(args[0])  # a reshape or view of a mask is a mask
        kinds = {self.dtype_of(a) for a in args}
        if prim.name == "div" or any(isinstance(a, Const) and isinstance(a.value, float) for a in args):
            return "float"  # Python's true division, and a float constant, give floats
        return "float" if "float" in kinds or not kinds else ("int" if "int" in kinds else "float")

    def _shape(self, prim: Primitive, args: list[Operand], statics: dict[str, Operand]) -> Shape | None:
        arg_shapes = [self.shape_of(a) for a in args]
        rule = prim.shape
        if rule == "unknown":
            return None
        if rule == "scalar":
            return SCALAR
        if rule.startswith("like:"):
            return arg_shapes[prim.args.index(rule[5:])]
        if any(s is None for s in arg_shapes):
            return None
        known: list[Shape] = arg_shapes  # type: ignore[assignment]
        if rule == "broadcast":
            out = SCALAR
            for s in known:
                out = shapes.broadcast(out, s)
            return out
        if rule == "reduce":
            axis = statics.get("axis", Const(-1))
            if not isinstance(axis, Const):
                return None  # an attribute: the axis is known at run time only
            axes = axis.value if isinstance(axis.value, tuple) else (axis.value,)
            if not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
                raise ShapeError("the axis must be an integer or a tuple of integers")
            out = known[0]
            for a in axes:
                out = out.with_dim(a, 1)
            return out
        if rule == "planes":
            (a,) = known
            if a.rank != 1 or a.ellipsis:
                raise ShapeError(f"expected a vector of per-channel values, got {a}")
            return Shape((a.dims[0], 1, 1))
        if rule == "channels":
            (a,) = known
            if a.rank != 1 or a.ellipsis:
                raise ShapeError(f"expected a vector of per-channel values, got {a}")
            return Shape((1, a.dims[0], 1, 1))
        if rule == "column":
            (a,) = known
            if a.rank != 1 or a.ellipsis:
                raise ShapeError(f"expected a vector of per-channel values, got {a}")
            return Shape((a.dims[0], 1))
        if rule in ("conv_same", "conv_same_input"):
            return _conv_same_shape(rule, known)
        if rule in ("window", "global", "im2col", "conv_apply"):
            return _window_shape(rule, known)
        if rule == "conv_transpose":
            return _transposed_shape(known, statics.get("groups", Const(1)))
        if rule in ("linear", "matmul", "outer"):
            a, b = known
            if rule == "outer":
                if a.rank < 1 or b.rank < 1:
                    raise ShapeError(f"expected arrays with a last axis, got {a} and {b}")
                return Shape((a.dims[-1], b.dims[-1]))
            if a.rank < 1 or b.rank != 2:
                raise ShapeError(f"expected a matrix operand, got {a} and {b}")
            if rule == "linear":
                if a.dims[-1] != b.dims[-1]:
                    raise ShapeError(f"inner dimensions differ: {a} against weight {b}")
                return Shape(a.dims[:-1] + (b.dims[0],), a.ellipsis)
            if rule == "matmul":
                if a.dims[-1] != b.dims[0]:
                    raise ShapeError(f"inner dimensions differ: {a} @ {b}")
                return Shape(a.dims[:-1] + (b.dims[1],), a.ellipsis)
            return Shape((a.dims[-1], b.dims[-1]))
        if rule == "transpose":
            (a,) = known
            if a.rank != 2 or a.ellipsis:
                raise ShapeError(f"transpose needs a matrix, got {a}")
            return Shape(tuple(reversed(a.dims)))
        if rule == "split_last":
            (a,) = known
            pieces = statics["pieces"]
            label = pieces.value if isinstance(pieces, Const) else pieces
            return Shape(a.dims[:-1] + (f"{a.dims[-1]}_over_{label}", f"{label}"), a.ellipsis)
        if rule == "chunk":
            (a,) = known
            pieces, axis = statics["pieces"], statics["axis"]
            if not (isinstance(pieces, Const) and isinstance(axis, Const)):
                return None  # attributes: the block's shape is known at run time only
            index = a.normalize_axis(axis.value)  # type: ignore[arg-type]
            dim = a.dims[index]
            if pieces.value == 1:
                return a
            multiple = shapes.MULTIPLE.fullmatch(dim) if isinstance(dim, str) else None
            if multiple is not None and int(multiple.group(1)) == pieces.value:
                return a.with_dim(axis.value, multiple.group(2))  # type: ignore[arg-type]  # a gate of 4*H: H
            return a.with_dim(axis.value, f"{dim}_over_{pieces.value}")  # type: ignore[arg-type]
        if rule in ("bmm", "swap_last", "split_heads", "merge_heads", "take_rows", "last_two"):
            return _batched_shape(rule, known, statics)
        if rule == "squeeze_axis":
            (a,) = known
            axis = statics["axis"]
            if not isinstance(axis, Const) or (a.ellipsis and (axis.value >= 0 or -axis.value > a.rank)):  # type: ignore[operator]
                return None  # an attribute's axis, or one counted past ``...``: known at run time only
            index = a.normalize_axis(axis.value)  # type: ignore[arg-type]
            if a.dims[index] != 1:
                raise ShapeError(f"dimension {index} of {a} must be 1")
            return Shape(a.dims[:index] + a.dims[index + 1 :], a.ellipsis)
        if rule in ("permute", "unpermute"):
            (a,) = known
            axes = statics["axes"]
            if not isinstance(axes, Const) or not isinstance(axes.value, tuple) or len(axes.value) > a.rank:
                return None  # an attribute's axes, or more than the named ones: known at run time only
            order = list(axes.value)
            if not all(isinstance(o, int) and not isinstance(o, bool) for o in order) or sorted(order) != list(range(-len(order), 0)):
                raise ShapeError(f"axes {tuple(order)} must be a permutation of the last {len(order)} axes, counted from the end")
            lead, tail = a.dims[: a.rank - len(order)], a.dims[a.rank - len(order) :]
            if rule == "permute":  # axis i of the result is axis order[i] of a
                moved = tuple(tail[len(order) + o] for o in order)
            else:  # the inverse: axis order[i] of the result is axis i of a
                placed: list = [None] * len(order)
                for i, o in enumerate(order):
                    placed[len(order) + o] = tail[i]
                moved = tuple(placed)
            return Shape(lead + moved, a.ellipsis)
        if rule == "linear_heads":
            x, weight = known
            if x.rank < 2 or weight.rank != 3 or weight.ellipsis:
                raise ShapeError(f"expected x [..., S, F] and per-head weights [H, C, F], got {x} and {weight}")
            if x.dims[-1] != weight.dims[-1]:
                raise ShapeError(f"inner dimensions differ: {x} against weight {weight}")
            return Shape(x.dims[:-2] + (weight.dims[0], x.dims[-2], weight.dims[1]), x.ellipsis)
        if rule == "unsqueeze":
            (a,) = known
            axis = statics["axis"]
            if not isinstance(axis, Const) or not isinstance(axis.value, int) or axis.value >= 0:
                raise ShapeError("the new axis must be a negative integer (counted from the end)")
            index = a.rank + 1 + axis.value
            if index < 0:
                raise ShapeError(f"axis {axis.value} is out of range for a new axis of {a}")
            return Shape(a.dims[:index] + (1,) + a.dims[index:], a.ellipsis)
        if rule == "resize_last":
            (a,) = known
            if a.rank < 1:
                raise ShapeError(f"expected an operand with a last axis, got {a}")
            return Shape(a.dims[:-1] + (_label(statics["size"]),), a.ellipsis)
        if rule == "capsule_votes":
            x, weight = known
            if x.rank < 2 or weight.rank != 4 or weight.ellipsis:
                raise ShapeError(f"expected capsules x [..., N_i, D_i] and weight [N_i, D_i, N_o, D_o], got {x} and {weight}")
            if x.dims[-2:] != weight.dims[:2]:
                raise ShapeError(f"the capsules {x} do not match the weight {weight} (N_i, D_i)")
            return Shape(x.dims[:-1] + weight.dims[2:], x.ellipsis)
        if rule == "squeeze_last":
            (a,) = known
            if not a.dims or a.dims[-1] != 1:
                raise ShapeError(f"the last dimension of {a} must be 1")
            return Shape(a.dims[:-1], a.ellipsis)
        raise ShapeError(f"unknown shape rule '{rule}'")  # pragma: no cover - checked on load


def _label(static: Operand) -> str:
    """A static as a dimension name's part: its value, or the attribute that gives it."""
    return str(static.value) if isinstance(static, Const) else str(static)


def _batched_shape(rule: str, known: list[Shape], statics: dict[str, Operand]) -> Shape:
    """Shapes of the attention primitives. ``bmm``: a [..., M, K] @ b [..., K, N] to
    [..., M, N], the leading axes broadcast; ``swap_last``: the last two axes swapped;
    ``split_heads``: [..., S, E] to [..., heads, S, E_over_heads]; ``merge_heads``: its
    inverse; ``last_two``: the last two axes alone; ``take_rows``: rows of a table [V, D] picked by ids [...] to [..., D]."""
    if rule == "take_rows":
        table, ids = known
        if table.rank != 2 or table.ellipsis:
            raise ShapeError(f"the table must be a matrix [V, D], got {table}")
        return Shape(ids.dims + (table.dims[1],), ids.ellipsis)
    a = known[0]
    if a.rank < 2:
        raise ShapeError(f"expected an operand with two trailing axes, got {a}")
    if rule == "last_two":
        return Shape(a.dims[-2:])
    if rule == "bmm":
        b = known[1]
        if b.rank < 2:
            raise ShapeError(f"expected an operand with two trailing axes, got {b}")
        if a.dims[-1] != b.dims[-2]:
            raise ShapeError(f"inner dimensions differ: {a} @ {b}")
        lead = shapes.broadcast(Shape(a.dims[:-2], a.ellipsis), Shape(b.dims[:-2], b.ellipsis))
        return Shape(lead.dims + (a.dims[-2], b.dims[-1]), lead.ellipsis)
    if rule == "swap_last":
        return Shape(a.dims[:-2] + (a.dims[-1], a.dims[-2]), a.ellipsis)
    heads = _label(statics["heads"])
    if rule == "split_heads":
        return Shape(a.dims[:-2] + (heads, a.dims[-2], f"{a.dims[-1]}_over_{heads}"), a.ellipsis)
    if a.rank < 3:
        raise ShapeError(f"expected heads [..., heads, S, D], got {a}")
    width = a.dims[-1]
    whole = str(width)[: -len(f"_over_{heads}")] if str(width).endswith(f"_over_{heads}") else f"{heads}*{width}"
    return Shape(a.dims[:-3] + (a.dims[-2], whole), a.ellipsis)


def _conv_same_shape(rule: str, known: list[Shape]) -> Shape:
    """``conv_same``: x [..., C, H, W] and weight [F, C, kH, kW] to [..., F, H, W];
    ``conv_same_input``: grad [..., F, H, W] and weight to [..., C, H, W]."""
    image, weight = known
    if image.rank < 3 or weight.rank != 4 or weight.ellipsis:
        raise ShapeError(f"expected [..., C, H, W] and a weight [F, C, kH, kW], got {image} and {weight}")
    channels = weight.dims[1] if rule == "conv_same" else weight.dims[0]
    if image.dims[-3] != channels:
        raise ShapeError(f"channels {image.dims[-3]} differ from the weight's: {image} against {weight}")
    return Shape(image.dims[:-3] + (weight.dims[0 if rule == "conv_same" else 1],) + image.dims[-2:], image.ellipsis)


def _window_shape(rule: str, known: list[Shape]) -> Shape:
    """Shapes of the 2-D window primitives over NCHW arrays. ``window``: [N, C, H, W] to
    [N, C, H_out, W_out]; ``global``: to [N, C, 1, 1]; ``im2col``: x [N, C, H, W] and weight
    [C_out, C, kH, kW] to columns [N, C*kH*kW, H_out, W_out]; ``conv_apply``: weight and
    columns to [N, C_out, H_out, W_out]."""
    for s in known:
        if s.rank != 4 or s.ellipsis:
            raise ShapeError(f"expected arrays of rank 4 ([N, C, H, W] or [C_out, C, kH, kW]), got {s}")
    if rule == "window":
        n, c, h, w = known[0].dims
        return Shape((n, c, f"{h}_out", f"{w}_out"))
    if rule == "global":
        n, c, _, _ = known[0].dims
        return Shape((n, c, 1, 1))
    if rule == "im2col":  # the weight's channels are the input's, or a group's (checked at run time)
        (n, c, h, w), (_, _, kh, kw) = known[0].dims, known[1].dims
        return Shape((f"{c}*{kh}*{kw}", n, f"{h}_out", f"{w}_out"))
    (c_out, c, kh, kw), (size, n, h, w) = known[0].dims, known[1].dims
    if not str(size).endswith(f"*{kh}*{kw}"):
        raise ShapeError(f"columns {known[1]} do not match weight {known[0]}")
    return Shape((n, c_out, h, w))


def _transposed_shape(known: list[Shape], groups: Operand) -> Shape | None:
    """x [N, C_in, H, W] and weight [C_in, C_group, kH, kW] to [N, C_out, H_out, W_out]:
    C_out is C_group with groups 1, or D for a weight dimension ``D_over_<groups>`` (the
    name an attribute that divides D gives the quotient); otherwise known at run time only."""
    x, weight = known
    for s in known:
        if s.rank != 4 or s.ellipsis:
            raise ShapeError(f"expected arrays of rank 4 ([N, C, H, W] or [C_in, C_group, kH, kW]), got {s}")
    if x.dims[1] != weight.dims[0]:
        raise ShapeError(f"input channels {x.dims[1]} differ from the weight's first dimension: {x} against {weight}")
    c_group = weight.dims[1]
    suffix = f"_over_{groups}"
    if groups == Const(1):
        c_out: Dim = c_group
    elif isinstance(groups, str) and isinstance(c_group, str) and c_group.endswith(suffix):
        c_out = c_group[: -len(suffix)]
    else:
        return None
    n, _, h, w = x.dims
    return Shape((n, c_out, f"{h}_out", f"{w}_out"))


@dataclass(frozen=True)
class Variant:
    """One specialization: values of the structural attributes, and a fused activation."""

    structural: tuple[tuple[str, AttrValue], ...] = ()
    activation: str | None = None
    absent: tuple[str, ...] = ()  # the optional arrays this variant goes without
    # those of them that are a counted instance's copies beyond its count (not in the name)
    counted: tuple[str, ...] = ()

    @property
    def conditions(self) -> dict[str, AttrValue]:
        """What ``if`` statements test: the structural values, and False for each optional
        array left out (an optional array not named here is given)."""
        return dict(self.structural) | {name: False for name in self.absent}

    @property
    def suffix(self) -> str:
        parts = []
        for name, value in self.structural:
            if isinstance(value, bool):
                parts.append(("train" if value else "eval") if name == "training" else (name if value else f"no_{name}"))
            elif isinstance(value, int):  # a count: levels_3
                parts.append(f"{name}_{value}")
            else:
                parts.append(str(value))
        if self.activation is not None:
            parts.append(self.activation)
        parts += [f"no_{name}" for name in self.absent if name not in self.counted]
        return "_".join(parts)


def variants(spec: OpSpec) -> list[Variant]:
    """All specializations of an op, in a fixed order."""
    axes: list[list[tuple[str, AttrValue]]] = []
    for attr in spec.structural:
        values: tuple[AttrValue, ...] = attr.choices or (True, False)
        axes.append([(attr.name, v) for v in values])
    combos = [tuple(c) for c in itertools.product(*axes)] or [()]
    activations: list[str | None] = list(spec.slot.fused) if spec.slot else [None]
    # every subset of the optional arrays left out, all given first
    optional = [d.name for d in spec.keyed_optional]
    leaving = [tuple(n for n, given in zip(optional, flags) if not given)
               for flags in itertools.product((True, False), repeat=len(optional))]
    out = []
    for combo in combos:
        values = dict(combo)  # a counted instance's copies beyond its count are absent
        counted = tuple(d.name for d in spec.arrays if d.counted is not None and not values[d.counted[0]] > d.counted[1])
        out += [Variant(combo, act, absent + counted, counted) for absent in leaving for act in activations]
    return out


@dataclass(frozen=True)
class Scope:
    """Where statements are being flattened: the ops that may be called, and, inside an
    inlined call, the prefix of the callee's names (``norm1_``) and which callee output takes
    the caller's name (``(callee output, caller target)``)."""

    ops: dict[str, OpSpec]
    prefix: str = ""
    output: tuple[str, str] | None = None
    depth: int = 0


def build_forward(spec: OpSpec, variant: Variant, prims: Primitives, errors: Collector,
                  activations: dict[str, OpSpec] | None = None,
                  ops: dict[str, OpSpec] | None = None) -> Function | None:
    """Flatten ``spec.forward`` for one variant into an SSA ``Function``."""
    values: dict[str, Value] = {}
    env: dict[str, Operand] = {}
    params: list[str] = []
    for decl in spec.inputs:  # ids and masks take no gradient: read-only, as buffers are
        values[decl.name] = Value(decl.shape, decl.dtype, "input" if decl.grad else "buffer")
    for decl in spec.parameters:
        values[decl.name] = Value(decl.shape, "float", "param")
    for decl in spec.buffers:
        values[decl.name] = Value(decl.shape, "float", "buffer")
    defaults: dict[str, AttrValue] = {}
    for decl in spec.arrays:
        env[decl.name] = ABSENT if decl.name in variant.absent else decl.name
        params.append(decl.name)
        if decl.name in variant.absent:  # taken (as None, for one call signature) but never read
            values[decl.name] = Value(decl.shape, "float", "absent")
    structural = variant.conditions
    for attr in spec.attributes:
        if not spec.passed(attr):
            continue
        values[attr.name] = Value(SCALAR, "bool" if attr.type == "bool" else "float", "attr")
        env[attr.name] = attr.name
        params.append(attr.name)
        if attr.default is not None:
            defaults[attr.name] = attr.default
    builder = Builder(prims, errors, values, itertools.count(1))
    builder.spec_calls = {c.name for c in spec.calls} | {n for n in (ops or {}) if n not in prims}
    builder.maybe_none = {d.name for d in spec.optional if not d.variants and d.counted is None}
    fn = Function(f"_forward_{variant.suffix}" if variant.suffix else "_forward", params, builder.body, [], values, defaults)
    ok = _statements(spec, spec.forward, env, structural, builder, fn, variant, activations or {},
                     Scope(ops if ops is not None else dict(activations or {})))
    if not ok:
        return None  # the errors are reported; a missing output now would only echo them
    for out in spec.outputs:
        if out not in env:
            errors.error(spec.loc, f"output '{out}' is never assigned in spec.forward")
            ok = False
        else:
            fn.outputs.append(env[out])
    if not ok:
        return None
    eliminate_dead_code(fn)
    return fn


def _statements(spec: OpSpec, stmts: tuple[SpecStmt, ...], env: dict[str, Operand],
                structural: dict[str, AttrValue], builder: Builder, fn: Function,
                variant: Variant, activations: dict[str, OpSpec], scope: Scope) -> bool:
    ok = True
    errors = builder.errors
    for stmt in stmts:
        if isinstance(stmt, If):
            taken = branch_taken(spec, stmt, structural, errors)
            if taken is None:
                ok = False
                continue
            ok &= _statements(spec, stmt.body if taken else stmt.orelse, env, structural, builder, fn, variant,
                              activations, scope)
            continue
        assert isinstance(stmt, Assign)
        if not check_name(stmt.target, stmt.loc, "statement", errors):
            ok = False
            builder.poisoned.add(stmt.target)  # later reads of it are not reported again
            continue
        if stmt.target in env:
            errors.error(stmt.loc, f"'{stmt.target}' is assigned twice; every name is assigned once")
            ok = False
            continue
        # Inside an inlined call the callee's names take its instance's prefix (norm1_mu),
        # and its output the caller's name.
        if scope.output is not None and stmt.target == scope.output[0]:
            target = scope.output[1]
        elif scope.prefix:
            target = _unique(scope.prefix + stmt.target, fn.values)
        else:
            target = stmt.target
        value = stmt.value
        if isinstance(value, Call) and value.func == "activation":
            result = _activation_slot(spec, stmt, target, env, builder, fn, variant, activations, scope.prefix)
        elif isinstance(value, Call) and (decl := spec.call(value.func)) is not None and decl.count is not None:
            result = _inline_chain(spec, decl, value, target, env, structural, builder, fn, activations, scope)
        elif isinstance(value, Call) and is_spec_call(spec, value.func, builder.prims, scope.ops):
            result = _inline_call(spec, value, target, env, structural, builder, fn, activations, scope)
        else:
            result = builder.expr(value, env, target=target)
            if (isinstance(result, str) and result.startswith("_t") and builder.body
                    and builder.body[-1].target == result):
                result = builder.rename_last(target)  # 'z = x @ w + bias' without bias: z
        if result is None:
            ok = False
            builder.poisoned.add(stmt.target)
            continue
        env[stmt.target] = result
    return ok


def is_spec_call(spec: OpSpec, func: str, prims: Primitives, ops: dict[str, OpSpec]) -> bool:
    """Does ``func(...)`` call another spec: an instance of ``calls:``, or an op without
    parameters by its name (a primitive of the same name wins)?"""
    return spec.call(func) is not None or (func not in prims and func in ops and ops[func].kind != "loss")


def called_ops(spec: OpSpec) -> list[str]:
    """The names called by the whole right-hand sides of ``spec.forward`` (ops or primitives)."""
    out: list[str] = []
    stack = list(spec.forward)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, If):
            stack.extend(stmt.body + stmt.orelse)
        elif isinstance(stmt.value, Call) and stmt.value.func not in out:
            out.append(stmt.value.func)
    return out


# How deeply calls may nest (the catalog refuses cycles; this bounds a long chain).
MAX_CALL_DEPTH = 16


def _inline_call(spec: OpSpec, call: Call, target: str, env: dict[str, Operand],
                 structural: dict[str, AttrValue], builder: Builder, fn: Function,
                 activations: dict[str, OpSpec], scope: Scope) -> Operand | None:
    """``h = norm1(x + a, eps=eps)``: flatten the called op's forward into this function.

    Positional operands are the callee's inputs; keywords bind its attributes to numbers
    or to this spec's attributes (structural ones to structural ones, decided per variant);
    the others take their defaults. Its parameters are this spec's ``<instance>_<name>``
    (see ``compose``); its names take the instance's prefix and its output ``target``."""
    errors = builder.errors
    decl = spec.call(call.func)
    callee = scope.ops.get(decl.op if decl is not None else call.func)
    if callee is None:  # an unknown op of an instance is reported by the catalog
        return None
    label = f"'{call.func}' ({callee.name})" if decl is not None else f"'{callee.name}'"
    if decl is None and callee.parameters:
        errors.error(call.loc, f"{label} has parameters: declare an instance of it under 'calls:' (its parameters are named after the instance)")
        return None
    if scope.depth >= MAX_CALL_DEPTH:
        errors.error(call.loc, f"{label}: calls nest more than {MAX_CALL_DEPTH} deep")
        return None
    if decl is None and uncallable(callee):
        errors.error(call.loc, f"{label} {uncallable(callee)} and cannot be called")
        return None
    # Inputs: positional in order, or by keyword (``self_attn(h, attn_mask=mask)``); an
    # optional input left out, or given one that this variant goes without, is absent.
    input_names = [d.name for d in callee.inputs]
    given_inputs = dict(zip(input_names, call.args))
    given_inputs.update((k, v) for k, v in call.kwargs if k in input_names)
    required = [d.name for d in callee.inputs if not d.optional]
    if len(call.args) > len(input_names) or any(n not in given_inputs for n in required):
        names = ", ".join(d.name + (" (optional)" if d.optional else "") for d in callee.inputs)
        given = len(call.args) + sum(1 for k, _ in call.kwargs if k in input_names)
        errors.error(call.loc, f"{label} takes {len(required)} input(s) ({names}), got {given}")
        return None
    inner_env: dict[str, Operand] = {}
    inner_structural: dict[str, AttrValue] = {}
    for decl_in in callee.inputs:
        operand = builder.expr(given_inputs[decl_in.name], env) if decl_in.name in given_inputs else ABSENT
        if operand is None:
            return None
        if operand == ABSENT and not decl_in.optional:
            errors.error(call.loc, f"{label}: its input '{decl_in.name}' is required, but this variant goes without the array given")
            return None
        if operand == ABSENT:
            inner_structural[decl_in.name] = False  # 'if kv:' takes the side without it
        inner_env[decl_in.name] = operand
    prefix = scope.prefix + f"{decl.name if decl is not None else callee.name}_"
    for param in callee.parameters:
        inner_env[param.name] = env[f"{decl.name}_{param.name}"]  # type: ignore[union-attr]
    bound = {k: v for k, v in call.kwargs if k not in input_names}
    known = [a.name for a in callee.attributes]
    for key, value in bound.items():
        attr = callee.attribute(key)
        if attr is None:
            errors.error(value.loc, f"{label} has no attribute '{key}'{did_you_mean(key, known)}")
            return None
        if attr.along:
            errors.error(value.loc, f"{label}: '{key}' is the axis it acts along, which a call fixes at the last")
            return None
    for attr in callee.attributes:
        given = bound.get(attr.name)
        if attr.along:
            continue
        if attr.structural:
            value = _structural_binding(spec, label, attr, given, structural, errors, call)
            if value is None:
                return None
            inner_structural[attr.name] = value
            continue
        if given is not None:
            operand = builder.expr(given, env)
            if operand is None:
                return None
            if builder.shape_of(operand) != SCALAR:
                errors.error(given.loc, f"{label}: attribute '{attr.name}' must be a number or an attribute, not an array")
                return None
            inner_env[attr.name] = operand
        elif attr.default is not None:
            inner_env[attr.name] = Const(attr.default)
        elif attr.optional and attr.name not in callee.statement_names:
            continue  # None, handled by the callee's preamble only (layer norm's normalized_shape)
        else:
            errors.error(call.loc, f"{label} needs the attribute '{attr.name}' (it has no default)")
            return None
    activation = (decl.activation if decl is not None else None) or (callee.slot.default if callee.slot else None)
    absent = tuple(n for n, v in inner_structural.items() if v is False and callee.array(n) is not None)
    inner_variant = Variant(tuple((n, v) for n, v in inner_structural.items() if n not in absent), activation, absent)
    inner_scope = Scope(scope.ops, prefix, (callee.outputs[0], target), scope.depth + 1)
    first = len(builder.body)
    if not _statements(callee, callee.forward, inner_env, inner_structural, builder, fn, inner_variant,
                       activations, inner_scope):
        return None
    if callee.outputs[0] not in inner_env:
        errors.error(call.loc, f"{label}: its output '{callee.outputs[0]}' is never assigned")
        return None
    output = inner_env[callee.outputs[0]]
    if callee.backward is not None and isinstance(output, str) and len(builder.body) > first:
        # its closed-form backward serves the composite too (layer normalization's)
        targets = frozenset(st.target for st in builder.body[first:])
        fn.regions.append(Region(callee, targets, output, tuple(sorted(inner_env.items())),
                                 tuple(sorted(inner_structural.items())), prefix))
    return output


def _inline_chain(spec: OpSpec, decl: CallDecl, call: Call, target: str, env: dict[str, Operand],
                  structural: dict[str, AttrValue], builder: Builder, fn: Function,
                  activations: dict[str, OpSpec], scope: Scope) -> Operand | None:
    """``y = level(x)`` of a counted instance (``count: levels``): ``level0(x)``, then each
    copy on the one before, up to this variant's count; the intermediate outputs are named
    ``level0_y``, ... and the last is ``target``."""
    if len(call.args) != 1:
        builder.errors.error(call.loc, f"'{call.func}' (counted by '{decl.count}') is called in a chain on one input, got {len(call.args)}")
        return None
    count = structural[decl.count]  # type: ignore[index]
    assert isinstance(count, int)
    operand: Expr = call.args[0]
    result: Operand | None = None
    for k in range(count):
        copy = f"{decl.name}{k}"
        step = target if k == count - 1 else _unique(f"{scope.prefix}{copy}_out", fn.values)
        result = _inline_call(spec, Call(copy, (operand,), call.kwargs, call.loc), step, env, structural, builder, fn,
                              activations, scope)
        if result is None:
            return None
        if k < count - 1:
            env[step] = result
            operand = Name(step, call.loc)
    return result


def uncallable(callee: OpSpec) -> str | None:
    """Why an op cannot be inlined into another (None if it can)."""
    if callee.kind == "loss":
        return "is a loss"
    if callee.buffers or callee.nondifferentiable:
        return "has buffers"
    if callee.random:
        return "draws random numbers"
    if callee.window is not None:
        return "has a window"
    if callee.variadic:
        return "is variadic"
    if len(callee.outputs) != 1:
        return "has several outputs"
    return None


def _structural_binding(spec: OpSpec, label: str, attr, given: Expr | None, structural: dict[str, AttrValue],
                        errors: Collector, call: Call) -> AttrValue | None:
    """A callee's structural attribute: a literal, this spec's structural attribute of this
    variant (by name), or its default."""
    if given is None:
        if attr.default is None:
            errors.error(call.loc, f"{label} needs the structural attribute '{attr.name}'")
        return attr.default
    if isinstance(given, Num):
        value: AttrValue = given.value
    elif isinstance(given, Name) and given.id in structural and spec.attribute(given.id) is not None:
        value = structural[given.id]
    else:
        errors.error(given.loc, f"{label}: the structural attribute '{attr.name}' takes a number, a bool or a structural attribute of '{spec.name}'")
        return None
    allowed = attr.choices or ((True, False) if attr.type == "bool" else ())
    if allowed and value not in allowed:
        errors.error(given.loc, f"{label}: '{attr.name}' = {value!r} is not one of {list(allowed)}")
        return None
    return value


def branch_taken(spec: OpSpec, stmt: If, structural: dict[str, AttrValue], errors: Collector) -> bool | None:
    """Which side of a structural ``if`` this variant takes; None (and an error) if the test
    is not on a structural attribute or compares with a value outside its choices."""
    attr = spec.attribute(stmt.attribute)
    names = [a.name for a in spec.structural]
    optional = spec.array(stmt.attribute)
    if optional is not None and optional.optional and not optional.variants:
        errors.error(stmt.loc, f"'if {'not ' if stmt.negated else ''}{stmt.attribute}:' tests an optional input that makes no variants (variants: false); "
                               "the primitives that read it do nothing when it is None")
        return None
    if optional is not None and optional.optional and stmt.value is None:
        return bool(structural.get(stmt.attribute, True)) != stmt.negated  # 'if bias:', bias given
    if stmt.value is None:
        if attr is None or not attr.structural or attr.type != "bool":
            errors.error(stmt.loc, f"'if {stmt.attribute}:' needs a structural bool attribute{did_you_mean(stmt.attribute, names)}")
            return None
        return bool(structural[stmt.attribute]) != stmt.negated
    if attr is None or not attr.structural or not attr.choices:
        errors.error(stmt.loc, f"'if {stmt.attribute} == ...:' needs a structural attribute with choices{did_you_mean(stmt.attribute, names)}")
        return None
    if stmt.value not in attr.choices:
        errors.error(stmt.loc, f"'if {stmt.attribute} == {stmt.value!r}:' compares with a value that is not one of the choices {list(attr.choices)}")
        return None
    return structural[stmt.attribute] == stmt.value


def _activation_slot(spec: OpSpec, stmt: Assign, target_name: str, env: dict[str, Operand], builder: Builder,
                     fn: Function, variant: Variant, activations: dict[str, OpSpec], prefix: str = "") -> Operand | None:
    """``y = activation(z)``: splice the fused activation's forward in, renaming its names."""
    errors = builder.errors
    call = stmt.value
    assert isinstance(call, Call)
    if spec.slot is None:
        errors.error(call.loc, "'activation(...)' needs an 'activation:' slot in the spec")
        return None
    if len(call.args) != 1 or call.kwargs:
        errors.error(call.loc, "'activation' takes exactly one operand")
        return None
    operand = builder.expr(call.args[0], env)
    if operand is None or variant.activation is None:
        return operand
    act = activations.get(variant.activation)
    if act is None:
        errors.error(spec.slot.loc, f"unknown activation '{variant.activation}' in spec.activation.fused{did_you_mean(variant.activation, activations)}")
        return None
    if act.parameters or act.random or len(act.inputs) != 1 or len(act.outputs) != 1:
        errors.error(spec.slot.loc, f"activation '{act.name}' has parameters or randomness and cannot be fused")
        return None
    inner_env: dict[str, Operand] = {act.inputs[0].name: operand}
    for attr in act.attributes:
        if attr.structural or attr.along:  # fused at its default (see fused_fixed)
            continue
        if attr.name not in fn.values:
            fn.values[attr.name] = Value(SCALAR, "float", "attr")
            fn.params.append(attr.name)
            if attr.default is not None:
                fn.attr_defaults[attr.name] = attr.default
        inner_env[attr.name] = attr.name
    # Rename the activation's own names so they cannot clash with the layer's.
    first = len(builder.body)
    for inner in _taken(act, act.forward, dict(fused_fixed(act)), errors):
        if not isinstance(inner, Assign):
            errors.error(inner.loc, "a fused activation may not branch")
            return None
        is_output = inner.target == act.outputs[0]
        target = target_name if is_output else _unique(f"{prefix}{act.name}_{inner.target}", fn.values)
        result = builder.expr(inner.value, inner_env, target=target)
        if result is None:
            return None
        inner_env[inner.target] = result
    output = inner_env[act.outputs[0]]
    if act.backward is not None and isinstance(output, str):
        targets = frozenset(st.target for st in builder.body[first:])
        fn.regions.append(Region(act, targets, output, tuple(sorted(inner_env.items()))))
    return output


def fused_fixed(act: OpSpec) -> tuple[tuple[str, AttrValue], ...]:
    """The attributes a fused activation is specialized at: structural ones at their
    default (GELU's approximate="none"), the axis of an op along an axis at the last (-1).
    Other values of these options run the activation composed."""
    return tuple((a.name, -1 if a.along else a.default) for a in act.attributes if a.structural or a.along)


def _taken(spec: OpSpec, stmts, structural: dict[str, AttrValue], errors: Collector) -> list:
    """The statements of ``stmts`` that the given structural values select (ifs flattened)."""
    out: list = []
    for stmt in stmts:
        if isinstance(stmt, If):
            taken = branch_taken(spec, stmt, structural, errors)
            out += _taken(spec, stmt.body if taken else stmt.orelse, structural, errors)
        else:
            out.append(stmt)
    return out


def _unique(name: str, taken: dict[str, Value]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    return candidate


def next_temporary(fn: Function) -> int:
    """The first temporary number not used by ``fn``, so a second function built from it
    (its backward) continues the numbering."""
    numbers = [int(n[2:]) for n in fn.values if n.startswith("_t") and n[2:].isdigit()]
    return max(numbers, default=0) + 1


def eliminate_dead_code(fn: Function) -> None:
    """Drop statements whose results no output needs."""
    live = {o for o in fn.outputs if isinstance(o, str)}
    kept: list[Stmt] = []
    for stmt in reversed(fn.body):
        if stmt.target in live:
            kept.append(stmt)
            live.update(stmt.reads())
    fn.body[:] = list(reversed(kept))
    targets = {s.target for s in fn.body}
    for name in [n for n, v in fn.values.items() if v.role in ("temp", "grad")]:
        if name not in live and name not in targets:
            del fn.values[name]


def render_function(fn: Function) -> str:
    """A compact, human-readable listing of a function (for ``explain`` and IR goldens)."""
    lines = [f"def {fn.name}({', '.join(fn.params)}):"]
    for stmt in fn.body:
        args = ", ".join(_show(a) for a in stmt.args)
        statics = "".join(f", {k}={_show(v)}" for k, v in stmt.statics)
        value = fn.values.get(stmt.target)
        shape = str(value.shape) if value and value.shape is not None else "?"
        dtype = value.dtype if value else "?"
        where = f"{stmt.loc.path.rsplit('/', 1)[-1]}:{stmt.loc.line}"
        lines.append(f"    {stmt.target} = {stmt.prim}({args}{statics})  # {dtype}{shape}  {where}")
    lines.append(f"    return {', '.join(_show(o) for o in fn.outputs)}")
    return "\n".join(lines)


def _show(operand: Operand) -> str:
    return repr(operand.value) if isinstance(operand, Const) else operand


__all__ = ["Const", "Operand", "Stmt", "Value", "Function", "Builder", "Variant", "variants",
           "build_forward", "fused_fixed", "eliminate_dead_code", "render_function", "replace"]
