"""Elementwise fusion for NumPy: evaluate each elementwise expression into one buffer.

NumPy allocates a fresh array for every operator; an expression such as
``0.5 * x * (1 + np.tanh(inner))`` makes three full-size temporaries and passes over memory
five times. This pass rewrites the assignment so that the first operation allocates the
result and every later one updates it in place::

    y = np.tanh(inner)
    y += 1
    y *= x
    y *= 0.5

Rules that keep it safe and exact:
  * The buffer is always a fresh array made by the statement's first operation, so nothing
    that a caller passed in, nothing saved for backward and no view is ever written to.
  * An operation is done in place only when the buffer already has the full result shape
    (symbolic shapes from the IR decide it at generation time) and is a float array.
  * Only operators and NumPy ufuncs (and the elementwise helpers) are rewritten; calls that
    return views (``np.broadcast_to``, ``.T``, ``.reshape``) are never used as buffers.
  * Sums keep their association (``a + b + s`` becomes ``s += a + b``, exact because IEEE
    addition commutes); chains of products are reordered, which changes results by at most
    a few units in the last place.
"""

from __future__ import annotations

import itertools
from typing import Iterator

import libcst as cst

from ..shapes import SCALAR, Shape
from .common import KernelPass, number, out_arg, with_body
from .values import (  # noqa: F401 (ELEMENTWISE_HELPERS and REDUCTION_HELPERS are part of this pass's interface)
    AUGMENTED,
    BINARY_UFUNCS,
    ELEMENTWISE_HELPERS,
    OPERATORS,
    REDUCTION_HELPERS,
    UNARY_UFUNCS,
    Facts,
    Values,
    callee,
    is_reshape,
)

def _np(name: str) -> cst.Attribute:
    return cst.Attribute(cst.Name("np"), cst.Name(name))


def _line(node: cst.BaseSmallStatement) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[node])


class _Emitter:
    """Turns one expression into statements that compute it into ``target``."""

    def __init__(self, env: Values, result: Shape, fresh: Iterator[str]):
        self.env = env
        self.result = result
        self.fresh = fresh
        self.lines: list[cst.SimpleStatementLine] = []

    def full(self, node: cst.BaseExpression) -> bool:
        """Can ``node`` be computed into a fresh buffer of the full result shape?"""
        if isinstance(node, (cst.Name, cst.Integer, cst.Float)) or number(node) is not None:
            return False
        if not (isinstance(node, (cst.BinaryOperation, cst.UnaryOperation)) or (
                isinstance(node, cst.Call) and not is_reshape(node) and self.env.shape(node) is not None)):
            return False
        return self.env.shape(node) == self.result and self.env.is_float(node)

    def emit(self, node: cst.BaseExpression, target: str) -> None:
        """Statements that leave the value of ``node`` (a ``full`` expression) in ``target``."""
        if isinstance(node, cst.BinaryOperation) and type(node.operator) in OPERATORS:
            op = type(node.operator)
            if op is cst.Multiply:
                factors = list(_factors(node))
                spine = next((f for f in factors if self.full(f)), None)
                if spine is not None:
                    factors.remove(spine)
                    self.emit(spine, target)
                    for factor in factors:
                        self.update(target, cst.Multiply, factor)
                    return
            if self.full(node.left):
                self.emit(node.left, target)
                self.update(target, op, node.right)
                return
            if self.full(node.right):
                self.emit(node.right, target)
                if op in (cst.Add, cst.Multiply):
                    self.update(target, op, node.left)
                else:  # target = left - target, in place
                    self.call_into(OPERATORS[op], [self.operand(node.left), cst.Name(target)], target)
                return
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) and self.full(node.expression):
            self.emit(node.expression, target)
            self.call_into("negative", [cst.Name(target)], target)
            return
        if isinstance(node, cst.Call):
            name = callee(node)
            args = [a.value for a in node.args]
            if name in UNARY_UFUNCS and len(args) == 1 and self.full(args[0]):
                self.emit(args[0], target)
                self.call_into(name, [cst.Name(target)], target)
                return
            if name == "clip" and len(args) == 3 and all(a.keyword is None for a in node.args) and self.full(args[0]):
                self.emit(args[0], target)
                self.call_into("clip", [cst.Name(target), self.operand(args[1]), self.operand(args[2])], target)
                return
            if name in BINARY_UFUNCS and len(args) == 2 and all(a.keyword is None for a in node.args):
                for first, second in ((0, 1), (1, 0)):
                    if self.full(args[first]):
                        self.emit(args[first], target)
                        self.call_into(name, [cst.Name(target), self.operand(args[second])], target)
                        return
        # A leaf of the chain: one allocation, written as it was.
        self.lines.append(_line(cst.Assign([cst.AssignTarget(cst.Name(target))], node)))

    def operand(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """An operand for an in-place update: itself, or a buffer of its own if it is big."""
        if self.full(node):
            name = next(self.fresh)
            self.emit(node, name)
            return cst.Name(name)
        return node

    def update(self, target: str, op: type, node: cst.BaseExpression) -> None:
        self.lines.append(_line(cst.AugAssign(cst.Name(target), AUGMENTED[op](), self.operand(node))))

    def call_into(self, ufunc: str, args: list[cst.BaseExpression], target: str) -> None:
        call = cst.Call(_np(ufunc), [cst.Arg(a) for a in args] + [out_arg(target)])
        self.lines.append(_line(cst.Expr(call)))


def _factors(node: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply):
        yield from _factors(node.left)
        yield from _factors(node.right)
    else:
        yield node


class FuseElementwise(KernelPass):
    """Rewrite elementwise assignments into one allocation and in-place updates."""

    def __init__(self, facts: Facts | None = None) -> None:
        super().__init__()
        self.facts = facts or {}

    def rewrite(self, updated: cst.FunctionDef) -> cst.FunctionDef | None:
        if updated.name.value not in self.facts:
            return None
        env = Values(self.facts[updated.name.value])
        fresh = (f"_t{n}" for n in itertools.count(10_000))
        body: list[cst.BaseStatement] = []
        fused = False
        for stmt in updated.body.body:
            rewritten = self._statement(stmt, env, fresh)
            if rewritten is None:
                body.append(stmt)
            else:
                body.extend(rewritten)
                fused = True
        return with_body(updated, body) if fused else None

    def _statement(self, stmt: cst.BaseStatement, env: Values, fresh: Iterator[str]):
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)):
            return None
        assign = stmt.body[0]
        if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
            return None
        target, value = assign.targets[0].target.value, assign.value
        fact = env.facts.get(target)
        if fact is None or fact[0] is None or fact[1] != "float" or fact[0] == SCALAR:
            return None
        emitter = _Emitter(env, fact[0], fresh)
        if not emitter.full(value):
            return None
        emitter.emit(value, target)
        if len(emitter.lines) == 1:
            return None  # nothing in place: the statement stays as written
        return emitter.lines
