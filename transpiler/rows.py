"""Row programs for the CuPy target: a run of kernels over the rows of one array, with sums
and maxima along the rows between them, as one kernel (``RowBlockKernel``).

``cuda._plan`` makes a kernel of each elementwise run and of each reduction along the last
axis. A softmax is then four kernels (the maximum, the exponentials, their sum, the
quotients), which read and write the [..., n] array six times. Here consecutive entries of the
plan whose values are all

- ``row``: of the row shape R (the reduced operand's, ``[..., F]``),
- ``per_row``: R with its last axis 1 (a reduction's result, the statistics of a row),
- ``column``: ``[F]``, one value per position of the row (a layer norm's weight), or
- ``scalar``: a number,

merge into one program: for each reduction a loop over the row's elements that computes what
the reduction reads and reduces it across the row's threads, the statements over per-row
values between the loops, and a last loop that writes the row outputs. Statements of row
shape are computed in the loops that need them (again in a later loop: arithmetic is cheap,
a write and a read of the array are not). A statement in the run that is not part of this form
ends it, except

- a number computed in Python from values the program does not make (``x.shape[-1]``),
  which moves ahead of the program, and
- a call that reads only values that exist once the program has run and whose result the
  program does not read (a layer norm's ``sum_to`` of the weight's gradient), which moves
  after it; the row values it reads become outputs of the program.

A program is made only where it replaces at least two kernels, one of them a reduction.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .ir import Const, Function, Stmt
from .primitives import Primitives
from .shapes import SCALAR, Shape

# The reductions a program computes: the combining functor of the runtime's _row_reduce and
# the identity each thread's partial result starts from; ``mean`` divides by the row length.
COMBINE = {"sum": "_Sum", "sum_axes_keepdims": "_Sum", "mean": "_Sum", "amax": "_Max", "dot_last": "_Sum"}
IDENTITY = {"_Sum": "T(0)", "_Max": "LF_MINUS_INF"}
LOOP = "LF_ROW_LOOP("
END = ")"


@dataclass(frozen=True)
class Program:
    """A row program's parameters (``(kind, CuPy type, name)``) and C body."""

    inputs: tuple[tuple[str, str, str], ...]
    outputs: tuple[tuple[str, str, str], ...]
    body: tuple[str, ...]
    helpers: tuple[str, ...]


def _is_reduction(stmt: Stmt) -> bool:
    """A reduction a program computes: along the last axis (kept, as the target's shape says)."""
    if stmt.prim not in COMBINE:
        return False
    axis = dict(stmt.statics).get("axis", Const(-1))
    return isinstance(axis, Const) and axis.value in (-1, (-1,))


class _Shapes:
    """The kind of each value against the row shape R."""

    def __init__(self, fn: Function, row: Shape):
        self.fn = fn
        # a row shape [F] is its own column: a single row
        self.kinds = {Shape((row.dims[-1],)): "column", row: "row",
                      Shape(row.dims[:-1] + (1,), row.ellipsis): "per_row", SCALAR: "scalar"}

    def kind(self, operand) -> str | None:
        if isinstance(operand, Const):
            return "scalar" if isinstance(operand.value, (int, float, bool)) else None
        value = self.fn.values.get(operand)
        if value is None or value.shape is None:
            return None
        kind = self.kinds.get(value.shape)
        if kind in ("row", "per_row", "column") and value.dtype not in ("float", "bool"):
            return None
        return kind


def _row_shape(stmt: Stmt, fn: Function, prims: Primitives) -> Shape | None:
    """R for a program that starts at ``stmt``: a reduction's operand's shape, or an
    elementwise statement's shape (not a per-row one)."""
    if _is_reduction(stmt) and isinstance(stmt.args[0], str):
        shape = fn.values[stmt.args[0]].shape
    elif prims[stmt.prim].kind == "elementwise" and prims[stmt.prim].cuda is not None:
        shape = fn.values[stmt.target].shape
    else:
        return None
    if shape is None or shape.rank < 1 or shape.dims[-1] == 1 or fn.values[stmt.target].dtype != "float":
        return None
    return shape


def _fits(stmt: Stmt, shapes: _Shapes, prims: Primitives) -> bool:
    """Whether ``stmt`` is a statement of the program: elementwise over rows or per-row
    values, or a reduction of a row value along the row."""
    prim = prims[stmt.prim]
    target = shapes.kind(stmt.target)
    operands = [shapes.kind(a) for a in stmt.args]
    if _is_reduction(stmt):
        second = operands[1:] if stmt.prim == "dot_last" else []
        return (target == "per_row" and operands[0] == "row" and all(k in ("row", "column") for k in second)
                and shapes.fn.values[stmt.target].dtype == "float")
    if prim.kind != "elementwise" or prim.cuda is None or target not in ("row", "per_row"):
        return False
    allowed = ("row", "per_row", "column", "scalar") if target == "row" else ("per_row", "scalar")
    return all(k in allowed for k in operands)


@dataclass
class _Window:
    """The entries a program takes so far, and the ones moved ahead of or after it."""

    shapes: _Shapes
    stmts: list[Stmt] = dataclasses.field(default_factory=list)
    ahead: list[Stmt] = dataclasses.field(default_factory=list)
    after: list[Stmt] = dataclasses.field(default_factory=list)
    kernels: int = 0  # plan entries merged (kernels, and reductions that were array calls)
    reductions: int = 0
    end: int = 0  # the plan index after the last merged entry

    def defined(self) -> set[str]:
        return {s.target for s in self.stmts}


def fuse(plan: list, fn: Function, prims: Primitives, results: set[str], make_kernel) -> list:
    """``plan`` with row programs in place of the runs they replace. ``make_kernel(program,
    stmts)`` builds the plan's kernel entry for a program."""
    last_read: dict[str, int] = {}
    for position, (_, stmts) in enumerate(plan):
        for stmt in stmts:
            for name in stmt.reads():
                last_read[name] = position
    fused: list = []
    position = 0
    while position < len(plan):
        window = _grow(plan, position, fn, prims)
        if window is None:
            fused.append(plan[position])
            position += 1
            continue
        live = {n for n in window.defined()
                if n in results or last_read.get(n, -1) >= window.end or any(n in s.reads() for s in window.after)}
        program = _program(window, fn, prims, live)
        fused += [(None, [s]) for s in window.ahead]
        fused.append(make_kernel(program, window.stmts))
        fused += [(None, [s]) for s in window.after]
        position = window.end
    return fused


def _grow(plan: list, start: int, fn: Function, prims: Primitives) -> _Window | None:
    kernel, stmts = plan[start]
    if kernel is not None and (kernel.row or kernel.masks):
        return None
    row = _row_shape(stmts[0], fn, prims)
    if row is None:
        return None
    window = _Window(_Shapes(fn, row))
    best: _Window | None = None
    for position in range(start, len(plan)):
        kernel, stmts = plan[position]
        defined = window.defined()
        moved = {s.target for s in window.after}
        if any(set(s.reads()) & moved for s in stmts):
            break  # reads what a call moved after the program makes
        if kernel is not None and (kernel.row or kernel.masks):
            break
        if all(_fits(s, window.shapes, prims) for s in stmts):
            window.stmts += stmts
            window.kernels += 1
            window.reductions += sum(_is_reduction(s) for s in stmts)
            window.end = position + 1
            if window.reductions and window.kernels >= 2:
                best = dataclasses.replace(window, stmts=list(window.stmts), ahead=list(window.ahead),
                                           after=list(window.after))
            continue
        if kernel is not None or len(stmts) != 1:
            break
        stmt = stmts[0]
        if fn.values[stmt.target].shape == SCALAR and not set(stmt.reads()) & defined:
            window.ahead.append(stmt)  # a number from values made before the program
        else:
            window.after.append(stmt)  # runs after the program, on what it has made
    return best


def _program(window: _Window, fn: Function, prims: Primitives, live: set[str]) -> Program:
    from .cuda import _cupy_type, _small_power, c_name, c_operand

    shapes = window.shapes
    defined = window.defined()
    inputs = dict.fromkeys(r for s in window.stmts for r in s.reads() if r not in defined)
    row_defs = {s.target: s for s in window.stmts if shapes.kind(s.target) == "row" and not _is_reduction(s)}
    helpers: list[str] = []

    def expr(stmt: Stmt) -> str:
        prim = prims[stmt.prim]
        names = dict(zip(prim.args, (c_operand(a) for a in stmt.args)))
        names.update((k, c_operand(v)) for k, v in stmt.statics)
        if prim.cuda_helper and prim.cuda_helper not in helpers:
            helpers.append(prim.cuda_helper)
        return _small_power(stmt) or prim.cuda.format(**names)  # type: ignore[union-attr]

    def ctype(name: str) -> str:
        return _cupy_type(fn, name).replace("int64", "long long")

    def steps(needed: list[str]) -> tuple[list[Stmt], list[str]]:
        """The row statements a pass computes for ``needed``, and the inputs it reads."""
        wanted: set[str] = set()
        pending = [n for n in needed if n in row_defs]
        while pending:
            name = pending.pop()
            if name not in wanted:
                wanted.add(name)
                pending += [r for r in row_defs[name].reads() if r in row_defs]
        chosen = [s for s in window.stmts if s.target in wanted]
        read = dict.fromkeys(r for s in chosen for r in s.reads())
        read.update(dict.fromkeys(n for n in needed if n not in row_defs))
        return chosen, [n for n in read if n in inputs]

    # the passes: one per reduction, then one writing the row outputs
    reductions = [s for s in window.stmts if _is_reduction(s)]
    row_outputs = [n for n in row_defs if n in live]
    passes = [[a for a in s.args if isinstance(a, str)] for s in reductions] + ([row_outputs] if row_outputs else [])
    reads = [steps(needed)[1] for needed in passes]
    # a row input that more than one pass reads is kept in registers by the first
    # A row input that a pass after the first reads is loaded into registers by the first:
    # every load of the row is then issued together, before any store of the last pass.
    cached = [n for n in inputs if shapes.kind(n) == "row" and any(n in r for r in reads[1:])]
    filled: set[str] = set()
    first = [True]

    def loop(needed: list[str]) -> list[str]:
        """The lines of a pass's loop body that compute ``needed`` for element ``_j``."""
        chosen, read = steps(needed)
        lines = []
        if first.pop() if first else False:  # the first pass loads the cached inputs it does not read
            lines += [f"    _at.fill(_c_{c_name(n)}, _row_{c_name(n)}, _j);" for n in cached if n not in read]
            filled.update(n for n in cached if n not in read)
        for n in read:
            kind, name = shapes.kind(n), c_name(n)
            if kind == "row" and n in cached:
                lines.append(f"    const {ctype(n)} {name} = _at.{'get' if n in filled else 'fill'}(_c_{name}, _row_{name}, _j);")
                filled.add(n)
            elif kind in ("row", "column"):
                lines.append(f"    const {ctype(n)} {name} = _{'row' if kind == 'row' else 'p'}_{name}[_j];")
        return lines + [f"    const {ctype(s.target)} {c_name(s.target)} = {expr(s)};" for s in chosen]

    body: list[str] = [f"{ctype(n)} _c_{c_name(n)}[LF_REGISTERS];" for n in cached]
    for stmt in window.stmts:
        if _is_reduction(stmt):
            combine = COMBINE[stmt.prim]
            target = c_name(stmt.target)
            operands = [a for a in stmt.args if isinstance(a, str)]
            value = " * ".join(c_name(a) for a in operands) if stmt.prim == "dot_last" else c_name(operands[0])
            body += [f"T {target} = {IDENTITY[combine]};", LOOP, *loop(operands),
                     f"    {target} = {combine}()({target}, {value});", END,
                     f"{target} = _row_reduce({target}, {combine}());"]
            if stmt.prim == "mean":
                body.append(f"{target} = {target} / T(_n);")
        elif shapes.kind(stmt.target) == "per_row":
            body.append(f"const {ctype(stmt.target)} {c_name(stmt.target)} = {expr(stmt)};")
    if row_outputs:
        body += [LOOP, *loop(row_outputs), *(f"    _row_{c_name(n)}[_j] = {c_name(n)};" for n in row_outputs), END]
    outputs = tuple((shapes.kind(n) or "", _cupy_type(fn, n), n) for n in dict.fromkeys(s.target for s in window.stmts)
                    if n in live)
    return Program(
        inputs=tuple((shapes.kind(n) or "", _cupy_type(fn, n), n) for n in inputs),
        outputs=outputs,
        body=tuple(body),
        helpers=tuple(helpers),
    )
