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
from dataclasses import dataclass
from typing import Iterator

import libcst as cst

from .. import shapes
from ..shapes import SCALAR, Shape, ShapeError
from .algebra import number
from .common import KernelPass, with_body

# Shapes and dtypes of the names of each generated function, from the IR.
Facts = dict[str, dict[str, tuple[Shape | None, str]]]

UNARY_UFUNCS = {"exp", "expm1", "log", "log1p", "sqrt", "tanh", "abs", "negative", "sign", "square", "reciprocal"}
BINARY_UFUNCS = {"maximum", "minimum"}
# The helpers of the broadcasting elementwise primitives of layers_spec/primitives.yaml (a
# test keeps them in step): fresh arrays of their arguments' broadcast shape.
ELEMENTWISE_HELPERS = {"_expm1", "_log1p", "_sigmoid", "_softplus", "_taylor_exp"}
ELEMENTWISE = UNARY_UFUNCS | BINARY_UFUNCS | {"where", "clip"} | ELEMENTWISE_HELPERS
REDUCTIONS = {"sum", "mean", "max"}  # with keepdims=True: operands of known (reduced) shape
REDUCTION_HELPERS = {"_amax", "_mean", "_sum"}  # (a, axis), the axis kept: the reduction primitives' helpers
REDUCING = REDUCTIONS | REDUCTION_HELPERS
OPERATORS = {cst.Add: "add", cst.Subtract: "subtract", cst.Multiply: "multiply", cst.Divide: "divide"}
AUGMENTED = {cst.Add: cst.AddAssign, cst.Subtract: cst.SubtractAssign, cst.Multiply: cst.MultiplyAssign,
             cst.Divide: cst.DivideAssign}


def _np(name: str) -> cst.Attribute:
    return cst.Attribute(cst.Name("np"), cst.Name(name))


@dataclass
class _Env:
    facts: dict[str, tuple[Shape | None, str]]

    def shape(self, node: cst.BaseExpression) -> Shape | None:
        """The symbolic shape of an expression, or None when not known."""
        if number(node) is not None:
            return SCALAR
        if isinstance(node, cst.Name):
            fact = self.facts.get(node.value)
            return fact[0] if fact else None
        if isinstance(node, cst.BinaryOperation) and type(node.operator) in OPERATORS:
            return self._broadcast([node.left, node.right])
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.BitInvert)):
            return self.shape(node.expression)
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            return self._broadcast([node.left, node.comparisons[0].comparator])
        if isinstance(node, cst.Call):
            name = _callee(node)
            args = [a.value for a in node.args if a.keyword is None]
            if name in ELEMENTWISE:
                return self._broadcast(args)
            if name in REDUCING and len(args) in (1, 2):
                return self._reduced(node, args[0])
            if _is_reshape(node):
                return self._reshaped(node)
        return None

    def _reshaped(self, node: cst.Call) -> Shape | None:
        """``v.reshape(1, -1, 1, 1)`` of a vector-like ``v`` (one dimension other than 1):
        that dimension at the -1, ones elsewhere (a per-channel vector as [1, C, 1, 1])."""
        assert isinstance(node.func, cst.Attribute)
        shape = self.shape(node.func.value)
        sizes = [number(a.value) for a in node.args]
        if shape is None or shape.ellipsis or any(a.keyword is not None for a in node.args) or sizes.count(-1) != 1:
            return None
        if any(size not in (1, -1) for size in sizes):
            return None
        others = [d for d in shape.dims if d != 1]
        if len(others) > 1:
            return None
        kept = others[0] if others else 1
        return Shape(tuple(kept if size == -1 else 1 for size in sizes))

    def _reduced(self, node: cst.Call, operand: cst.BaseExpression) -> Shape | None:
        """``np.sum(a, axis=k, keepdims=True)`` or ``_sum(a, k)``: a's shape with a 1 at k."""
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        if _callee(node) in REDUCTION_HELPERS:
            positional = [a.value for a in node.args if a.keyword is None]
            keywords = {"axis": positional[-1], "keepdims": cst.Name("True")} if len(positional) == 2 else {}
        keepdims = keywords.get("keepdims")
        axis = number(keywords["axis"]) if "axis" in keywords else None
        shape = self.shape(operand)
        if shape is None or not (isinstance(keepdims, cst.Name) and keepdims.value == "True") or not isinstance(axis, int):
            return None
        try:
            return shape.with_dim(axis, 1)
        except ShapeError:
            return None

    def _broadcast(self, nodes: list[cst.BaseExpression]) -> Shape | None:
        out = SCALAR
        for node in nodes:
            shape = self.shape(node)
            if shape is None:
                return None
            try:
                out = shapes.broadcast(out, shape)
            except ShapeError:
                return None
        return out

    def is_float(self, node: cst.BaseExpression) -> bool:
        """Whether an expression is a float array (masks are bool; attributes are scalars)."""
        if isinstance(node, cst.Name):
            fact = self.facts.get(node.value)
            return bool(fact) and fact[1] == "float"
        if isinstance(node, cst.BinaryOperation):
            return self.is_float(node.left) or self.is_float(node.right)
        if isinstance(node, cst.UnaryOperation):
            return isinstance(node.operator, cst.Minus) and self.is_float(node.expression)
        if _is_reshape(node):
            return self.is_float(node.func.value)  # type: ignore[union-attr]
        if isinstance(node, cst.Call):
            return _callee(node) in ELEMENTWISE | REDUCING and any(
                self.is_float(a.value) for a in node.args if a.keyword is None)
        return False


def _is_reshape(node: cst.BaseExpression) -> bool:
    """``value.reshape(...)``: a view, known in shape but never a buffer to write into."""
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "reshape"


def _callee(node: cst.Call) -> str | None:
    func = node.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "np":
        return func.attr.value
    if isinstance(func, cst.Name) and func.value in ELEMENTWISE_HELPERS | REDUCTION_HELPERS:
        return func.value
    return None


def _line(node: cst.BaseSmallStatement) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[node])


class _Emitter:
    """Turns one expression into statements that compute it into ``target``."""

    def __init__(self, env: _Env, result: Shape, fresh: Iterator[str]):
        self.env = env
        self.result = result
        self.fresh = fresh
        self.lines: list[cst.SimpleStatementLine] = []

    def full(self, node: cst.BaseExpression) -> bool:
        """Can ``node`` be computed into a fresh buffer of the full result shape?"""
        if isinstance(node, (cst.Name, cst.Integer, cst.Float)) or number(node) is not None:
            return False
        if not (isinstance(node, (cst.BinaryOperation, cst.UnaryOperation)) or (
                isinstance(node, cst.Call) and not _is_reshape(node) and self.env.shape(node) is not None)):
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
            name = _callee(node)
            args = [a.value for a in node.args]
            if name in UNARY_UFUNCS and len(args) == 1 and self.full(args[0]):
                self.emit(args[0], target)
                self.call_into(name, [cst.Name(target)], target)
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
        out = cst.Arg(cst.Name(target), keyword=cst.Name("out"), equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
        call = cst.Call(_np(ufunc), [cst.Arg(a) for a in args] + [out])
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
        env = _Env(self.facts[updated.name.value])
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

    def _statement(self, stmt: cst.BaseStatement, env: _Env, fresh: Iterator[str]):
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
