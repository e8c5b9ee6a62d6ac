"""Buffer reuse by liveness: compute a new array into the buffer of one that is dead.

After fusion every elementwise statement allocates once, for its first operation. When an
earlier array of the same symbolic shape (from the IR) is read for the last time by that
statement, or before it, the statement can write into that array's memory instead::

    centered = x - mu
    variance = _mean(centered * centered, -1)
    ...
    normalized = np.multiply(centered, rstd, out=centered)

which saves an allocation (and, for arrays too large for the allocator's free lists, the
page faults of fresh memory) and keeps fewer buffers live, so a block's working set stays
in cache. A function run block by block takes keyword parameters ``out_<name>`` for its
outputs (slices of the full results, from ``in_row_blocks``, or None): the statement that
makes ``<name>`` writes there, so no block is copied afterwards. Elementwise helpers take
``out=`` too, which must not overlap their arguments: they get buffers they do not read.
Attention's helpers that work row by row (its causal mask, its softmax) may also write
over their first argument: ``weights = _masked_softmax(scores, out=scores)``, where the
scores die there; the arrays its batched product (``_bmm``) makes are buffers to reuse.
Rules that keep it safe:
  * Only buffers this function allocated itself are reused: a name assigned once, by an
    operator, a NumPy ufunc, an elementwise helper or one of ``FRESH_HELPERS`` (all return
    fresh arrays), or by an earlier reuse. Arguments (a caller's arrays, values saved by forward) never are.
  * The buffer never escapes: its name is read only as an operand of operators, NumPy
    ufuncs and reductions, and the elementwise and reduction helpers, all of which return
    fresh arrays. A name that is returned, saved, put in a tuple, sliced, reshaped or
    passed to any other call may have a view or an alias alive and is never reused.
  * No statement after the rewritten one reads the buffer under its old name, and the new
    value (as the IR names it, and as its expression's operands give it) has the same
    symbolic shape and is a float array like it (one dtype per op).
  * Only straight-line functions are rewritten.
"""

from __future__ import annotations

import heapq

import libcst as cst

from ..shapes import SCALAR
from .common import KernelPass, assignment, out_arg, reads, with_body, writes
from .values import (
    BINARY_UFUNCS,
    ELEMENTWISE_HELPERS,
    FRESH_HELPERS,
    IN_PLACE_HELPERS,
    OPERATORS,
    REDUCING,
    REDUCTIONS,
    UNARY_UFUNCS,
    Facts,
    Values,
    callee,
)

# Calls whose results are fresh arrays that never alias an argument.
_FRESH_CALLS = UNARY_UFUNCS | BINARY_UFUNCS | {"clip", "where"} | ELEMENTWISE_HELPERS | REDUCING | FRESH_HELPERS
# Ufuncs a statement can be rewritten into, with an ``out=`` argument.
_INTO = UNARY_UFUNCS | BINARY_UFUNCS | {"clip"}


class ReuseBuffers(KernelPass):
    """Write a statement's first allocation into the buffer of a dead array of its shape."""

    def __init__(self, facts: Facts | None = None) -> None:
        super().__init__()
        self.facts = facts or {}

    def rewrite(self, updated: cst.FunctionDef) -> cst.FunctionDef | None:
        if updated.name.value not in self.facts:
            return None
        body = list(updated.body.body)
        if not all(isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 for stmt in body):
            return None
        values = Values(self.facts[updated.name.value])
        params = {p.name.value for p in (*updated.params.params, *updated.params.kwonly_params)}
        assigned = writes(updated.body).assigned
        escaped: set[str] = set()
        last_read: dict[str, int] = {}
        for index, stmt in enumerate(body):
            escaped |= _escaping(stmt.body[0])  # type: ignore[attr-defined]
            for name in reads(stmt):
                last_read[name] = index
        owned: dict[str, int] = {}  # buffer name -> statement that allocated it
        taken = _lent(body)  # buffers an earlier round already gave to another name
        pools = _Pools(values, last_read, escaped, taken)
        changed = False
        for index, stmt in enumerate(body):
            single = assignment(stmt)
            if single is None:
                continue
            target, value = single
            if assigned[target] != 1 or not _array(values, cst.Name(target)):
                continue
            buffer = None
            if _into(values, value) and values.shape(value) == values.shape(cst.Name(target)):
                output = f"out_{target}"  # the caller's buffer for this output, if it gives one
                buffer = output if output in params else pools.dead_buffer(target, value, owned, index)
            if buffer is None:
                if _fresh(value, owned):
                    owned[target] = index
                    pools.add(target)
                continue
            body[index] = stmt.with_changes(body=[stmt.body[0].with_changes(value=_with_out(value, buffer))])  # type: ignore[attr-defined]
            changed = True
            if buffer in owned:  # a dead buffer passes to the target; an output buffer stays the caller's
                taken.add(buffer)
                owned[target] = index
                pools.add(target)
        return with_body(updated, body) if changed else None


def _lent(body: list[cst.BaseStatement]) -> set[str]:
    """Names whose buffer now belongs to another: ``t = np.f(..., out=d)`` with t not d."""
    lent = set()
    for stmt in body:
        single = assignment(stmt)
        if single is not None and isinstance(single[1], cst.Call):
            for arg in single[1].args:
                if arg.keyword is not None and arg.keyword.value == "out" and isinstance(arg.value, cst.Name):
                    if arg.value.value != single[0]:
                        lent.add(arg.value.value)
    return lent


def _array(values: Values, node: cst.BaseExpression) -> bool:
    """A float array (not a scalar, not a mask) of known shape."""
    shape = values.shape(node)
    return shape is not None and shape != SCALAR and values.is_float(node)


def _fresh(value: cst.BaseExpression, owned: dict[str, int]) -> bool:
    """Does ``value`` make a new array of its own (or continue an owned buffer)?"""
    if isinstance(value, cst.BinaryOperation) and type(value.operator) in OPERATORS:
        return True
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        return True
    if isinstance(value, cst.Call) and callee(value) in _FRESH_CALLS - REDUCTIONS:
        out = [a.value for a in value.args if a.keyword is not None and a.keyword.value == "out"]
        return not out or (isinstance(out[0], cst.Name) and out[0].value in owned)
    return False


def _operands(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(value, cst.BinaryOperation):
        return [value.left, value.right]
    if isinstance(value, cst.UnaryOperation):
        return [value.expression]
    assert isinstance(value, cst.Call)
    return [a.value for a in value.args]


def _into(values: Values, value: cst.BaseExpression) -> bool:
    """Can ``value`` be computed by one ufunc call with ``out=``, from a float array?"""
    if isinstance(value, cst.BinaryOperation):
        ok = type(value.operator) in OPERATORS
    elif isinstance(value, cst.UnaryOperation):
        ok = isinstance(value.operator, cst.Minus)
    elif isinstance(value, cst.Call):
        ok = callee(value) in _INTO | ELEMENTWISE_HELPERS | IN_PLACE_HELPERS and all(a.keyword is None for a in value.args)
    else:
        ok = False
    return ok and any(_array(values, operand) for operand in _operands(value))


class _Pools:
    """The owned buffers that may be lent, by shape: those still read later wait in a heap
    by their last read, and move to a heap of dead buffers (the one that died last on top)
    when the walk passes that read. Each statement then finds its buffer in about log n steps,
    not by a scan of every buffer owned so far (quadratic in a long function)."""

    def __init__(self, values: Values, last_read: dict[str, int], escaped: set[str], taken: set[str]):
        self.values = values
        self.last_read = last_read
        self.escaped = escaped
        self.taken = taken
        self.order: dict[str, int] = {}  # when each buffer became owned: the tie-break
        self.pending: dict[object, list[tuple[int, int, str]]] = {}
        self.dead: dict[object, list[tuple[int, int, str]]] = {}

    def add(self, name: str) -> None:
        self.order[name] = len(self.order)
        if name in self.escaped:
            return  # never lent
        shape = self.values.shape(cst.Name(name))
        heapq.heappush(self.pending.setdefault(shape, []), (self.last_read.get(name, -1), self.order[name], name))

    def dead_buffer(self, target: str, value: cst.BaseExpression, owned: dict[str, int], index: int) -> str | None:
        """An owned, unescaped buffer of ``target``'s shape that nothing reads after
        ``index``; one that ``value`` reads first (the update is then truly in place), else
        the one that died last (most likely still in cache), the earliest owned of a tie."""
        shape = self.values.shape(cst.Name(target))
        pending, dead = self.pending.get(shape, []), self.dead.setdefault(shape, [])
        while pending and pending[0][0] <= index:
            last, order, name = heapq.heappop(pending)
            heapq.heappush(dead, (-last, order, name))
        operands = reads(value)
        helper = isinstance(value, cst.Call) and callee(value) in ELEMENTWISE_HELPERS
        avoid = set(operands) if helper else set()  # a helper's out= must not overlap its arguments
        if isinstance(value, cst.Call) and callee(value) in IN_PLACE_HELPERS:  # but its first one
            operands = reads(value.args[0].value)
            avoid = {n for arg in value.args[1:] for n in reads(arg.value)} - set(operands)
        if not helper:
            read_first = [(-self.last_read.get(n, -1), self.order[n], n) for n in operands
                          if n in owned and owned[n] < index and n not in self.taken and n not in self.escaped
                          and n != target and self.last_read.get(n, -1) <= index
                          and self.values.shape(cst.Name(n)) == shape]
            if read_first:
                return min(read_first)[2]
        skipped = []
        found = None
        while dead:
            entry = dead[0]
            name = entry[2]
            if name in self.taken or name == target:
                heapq.heappop(dead)  # lent already: never again
                if name == target:
                    skipped.append(entry)
                continue
            if name in avoid:
                skipped.append(heapq.heappop(dead))
                continue
            found = name
            break
        for entry in skipped:
            heapq.heappush(dead, entry)
        return found


def _with_out(value: cst.BaseExpression, buffer: str) -> cst.Call:
    if isinstance(value, cst.Call) and callee(value) in ELEMENTWISE_HELPERS | IN_PLACE_HELPERS:
        return value.with_changes(args=[*value.args, out_arg(buffer)])
    if isinstance(value, cst.BinaryOperation):
        ufunc, args = OPERATORS[type(value.operator)], [value.left, value.right]
    elif isinstance(value, cst.UnaryOperation):
        ufunc, args = "negative", [value.expression]
    else:
        assert isinstance(value, cst.Call)
        ufunc, args = callee(value), [a.value for a in value.args]
    return cst.Call(cst.Attribute(cst.Name("np"), cst.Name(ufunc)), [cst.Arg(_bare(a)) for a in args] + [out_arg(buffer)])


def _bare(node: cst.BaseExpression) -> cst.BaseExpression:
    """An operand as a call argument needs no parentheses of its own."""
    return node.with_changes(lpar=[], rpar=[]) if getattr(node, "lpar", None) else node


def _escaping(node: cst.BaseSmallStatement) -> set[str]:
    """Names a statement lets escape: everything but operands of fresh-array calls and
    operators, ``out=`` targets, in-place update targets and the assigned name."""
    if isinstance(node, cst.Assign):
        value = node.value
        return set(reads(value)) if isinstance(value, cst.Name) else _escaping_in(value)
    if isinstance(node, cst.AugAssign):
        return _escaping_in(node.value)
    if isinstance(node, cst.Expr):
        return _escaping_in(node.value)
    return set(reads(node))


def _escaping_in(node: cst.BaseExpression) -> set[str]:
    if isinstance(node, (cst.Name, cst.Integer, cst.Float)):
        return set()
    if isinstance(node, cst.BinaryOperation):
        return _escaping_in(node.left) | _escaping_in(node.right)
    if isinstance(node, cst.UnaryOperation):
        return _escaping_in(node.expression)
    if isinstance(node, cst.Comparison):
        found = _escaping_in(node.left)
        for target in node.comparisons:
            found |= _escaping_in(target.comparator)
        return found
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "np":
        return set()
    if isinstance(node, cst.Call) and callee(node) in _FRESH_CALLS:
        found: set[str] = set()
        for arg in node.args:
            found |= _escaping_in(arg.value)
        return found
    return set(reads(node))
