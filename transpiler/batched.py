"""Batched parts: runs of a function's statements computed block by block along the batch axes.

A direction whose function is not row-local as a whole (it has matrix products of the
whole batch, parameter gradients summed by products, values without ``...``: ``blocking``
in codegen refuses it) runs on the calling thread but for its products, which share their
work out themselves. Its elementwise chains then run on one thread: attention's scores,
mask and softmax over [..., heads, N, N], and their backward, most of the time of a graph
attention step. A **batched part** is a maximal run of statements that is local to each
batch item, cut out into a function of its own that ``in_row_blocks`` runs block by block
along the first batch axis (the first axis of ``...``), the blocks shared out over the
threads: each block makes a few large NumPy calls, which release the GIL.

The rule, proved from the IR's shapes: every statement of the run

- makes a value led by ``...`` from operands that are values led by ``...``, numbers, or
  arrays without ``...`` (parameters, passed whole: their axes are trailing axes of the
  batched values, which they broadcast against), by a primitive that works on trailing
  axes only: an elementwise one, a batched product (``bmm``: its batch axes broadcast like
  elementwise operands; an array passed whole has no more axes than the named ones of the
  result), a view or reduction of negative axes within the named ones
  (``swap_last``, ``unsqueeze``, ``squeeze_axis``, ``sum``, ``mean``, ``dot_last``, ...),
  ``apply_mask`` and ``masked_softmax`` (along the last axis);
- or is a number (``axis_size`` of a named axis, the same in every block);
- or is ``sum_to`` of a batched value to an array without ``...`` (a parameter gradient)
  that no statement of the run reads: each block gives a partial sum, which in_row_blocks
  adds up (its ``sums``).

Random draws never join (a block would draw other numbers than the whole). A run is cut out
when it reads at least one batched array and makes at least ``MIN_PART_STATEMENTS`` more
batched values other than views than it returns batched results (each result is copied from
its blocks into a full array, one more pass over it: a run whose every value is a result,
such as a backward's recomputed activations, would gain nothing).
Statements of
the run that make values of parameters alone (a permuted parameter) run ahead of the call,
passed whole. The part's first parameter (what in_row_blocks sizes its blocks by) is the batched input of
most named axes; ``named`` tells in_row_blocks, argument by argument, how many named axes
each has (None: passed whole), so that every batched argument is cut along its first axis
and an input without batch axes (``...`` empty) runs in one call.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ir import Const, Function, Operand, Stmt
from .primitives import Primitives
from .shapes import SCALAR

MIN_PART_STATEMENTS = 4
# Primitives that compute on trailing axes only (beside every elementwise one); those of
# AXES take negative axes (statics ``axis`` or ``axes``), checked to lie within the named ones.
TRAILING = frozenset({"bmm", "swap_last", "apply_mask", "masked_softmax", "dot_last", "broadcast_like", "unsqueeze",
                      "squeeze_axis", "sum", "mean", "amax", "sum_axes_keepdims", "sum_axes"})
AXES = frozenset({"unsqueeze", "squeeze_axis", "sum", "mean", "amax", "sum_axes_keepdims", "sum_axes", "dot_last"})
VIEWS = frozenset({"swap_last", "unsqueeze", "squeeze_axis", "broadcast_like"})
SUMS = frozenset({"sum_to"})


@dataclass(frozen=True)
class Part:
    """A run ``start:stop`` of the parent's statements, as the function ``function``; its
    outputs are the batched values (and numbers) read after it, then ``sums`` parameter
    gradients; ``named``: the count of named axes of each parameter (None: passed whole)."""

    start: int
    stop: int
    function: Function
    sums: int
    named: tuple[int | None, ...]
    before: tuple[Stmt, ...] = ()  # the run's values of parameters alone, made ahead of the call


def _named(fn: Function, name: str) -> int | None:
    """The count of named axes of a batched array (shape led by ``...``), else None."""
    value = fn.values.get(name)
    if value is None or value.shape is None or not value.shape.ellipsis:
        return None
    return len(value.shape.dims)


def _number(fn: Function, operand: Operand) -> bool:
    if isinstance(operand, Const):
        return isinstance(operand.value, (int, float, bool))
    value = fn.values.get(operand)
    return value is not None and value.shape == SCALAR


def _whole(fn: Function, operand: Operand) -> bool:
    """An array without ``...`` of known shape (a parameter or a value made of them)."""
    if not isinstance(operand, str):
        return False
    value = fn.values.get(operand)
    return value is not None and value.shape is not None and not value.shape.ellipsis and value.shape != SCALAR


def _axes_trailing(stmt: Stmt, rank: int) -> bool:
    """Every axis static of ``stmt`` negative and within ``rank`` named axes."""
    found = [v for k, v in stmt.statics if k in ("axis", "axes")]
    if not found:
        return stmt.prim in ("sum", "mean", "amax", "dot_last")  # along the last axis by default
    for value in found:
        if not isinstance(value, Const):
            return False
        axes = value.value if isinstance(value.value, tuple) else (value.value,)
        if not all(isinstance(a, int) and -rank - (stmt.prim == "unsqueeze") <= a < 0 for a in axes):
            return False
    return True


def _sum(fn: Function, stmt: Stmt) -> bool:
    """A parameter gradient: ``sum_to`` of a batched value to an array without ``...``."""
    return stmt.prim in SUMS and _named(fn, stmt.args[0]) is not None and _whole(fn, stmt.target)


def batch_local(fn: Function, stmt: Stmt, prims: Primitives) -> bool:
    """Does ``stmt`` compute each batch item from that item alone (see the module docstring)?"""
    prim = prims[stmt.prim]
    if prim.kind == "random":
        return False
    if not all(_named(fn, a) is not None or _number(fn, a) or _whole(fn, a) for a in stmt.reads()):
        return False
    if _number(fn, stmt.target):
        return stmt.prim == "axis_size" and _axes_trailing(stmt, _named(fn, stmt.args[0]) or 0) \
            and _named(fn, stmt.args[0]) is not None
    rank = _named(fn, stmt.target)
    if rank is None:
        if not any(_named(fn, a) is not None for a in stmt.reads()):
            return _whole(fn, stmt.target)  # a view of a parameter: the same in every block
        return _sum(fn, stmt)
    if not any(_named(fn, a) is not None for a in stmt.reads()):
        return False  # a batched value made from parameters alone (a broadcast): left as it is
    if any(_whole(fn, a) and fn.values[a].shape.rank > rank for a in stmt.reads()):  # type: ignore[union-attr]
        return False  # an array passed whole must broadcast against the named axes alone
    if prim.kind == "elementwise" and prim.shape in ("broadcast", "like:a"):
        return True
    if stmt.prim not in TRAILING:
        return False
    if stmt.prim in AXES:
        source = _named(fn, stmt.args[0]) if isinstance(stmt.args[0], str) else None
        return source is not None and _axes_trailing(stmt, source)
    return True


def split(fn: Function, prims: Primitives, saved: tuple[str, ...] = ()) -> list[Part]:
    """The batched parts of ``fn``, in order (none for a loop's driver); ``saved``: the
    values it returns beside its outputs (a forward's context)."""
    if fn.loop is not None:
        return []
    body = fn.body
    parts: list[Part] = []
    start = 0
    while start < len(body):
        if not batch_local(fn, body[start], prims):
            start += 1
            continue
        stop = start
        while stop < len(body) and batch_local(fn, body[stop], prims) and not (
                set(body[stop].reads()) & {s.target for s in body[start:stop] if _sum(fn, s)}):
            stop += 1
        part = _part(fn, start, stop, len(parts) + 1, saved)
        if part is not None:
            parts.append(part)
        start = stop
    return parts


def _part(fn: Function, start: int, stop: int, index: int, saved: tuple[str, ...]) -> Part | None:
    # values of parameters alone (views) are made ahead of the part and passed whole: every
    # result of a block is then batched, a number or a sum
    before = [s for s in fn.body[start:stop] if not any(_named(fn, r) is not None for r in s.reads())
              and _whole(fn, s.target)]
    run = [s for s in fn.body[start:stop] if s not in before]
    made = {s.target for s in run}
    later = {r for s in fn.body[stop:] for r in s.reads()} | {o for o in fn.outputs if isinstance(o, str)} | set(saved)
    params = list(dict.fromkeys(r for s in run for r in s.reads() if r not in made))
    batched = [p for p in params if _named(fn, p) is not None]
    if not batched:
        return None
    rows = max(batched, key=lambda p: _named(fn, p))  # the first of most named axes
    params = [rows] + [p for p in params if p != rows]
    sums = [s.target for s in run if _sum(fn, s)]
    kept = [s.target for s in run if s.target in later and s.target not in sums]
    outputs: list[Operand] = [*kept, *sums]
    # each batched result is copied into its full array afterwards: one more pass over it
    work = [s for s in run if _named(fn, s.target) is not None and s.prim not in VIEWS]
    if not outputs or len(work) - len([k for k in kept if _named(fn, k) is not None]) < MIN_PART_STATEMENTS:
        return None
    values = {n: fn.values[n] for n in [*params, *made] if n in fn.values}
    name = f"{fn.name}_part{index}"
    function = Function(name, params, list(run), outputs, values)
    return Part(start, stop, function, len(sums), tuple(_named(fn, p) for p in params), tuple(before))


__all__ = ["Part", "split", "batch_local", "MIN_PART_STATEMENTS"]
