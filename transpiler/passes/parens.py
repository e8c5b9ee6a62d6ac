"""Parenthesization by precedence: parentheses wherever the tree needs them.

Not an optimization but the companion of every pass that moves expressions: after a
substitution the tree is right but its parentheses may not be. This transformer adds one
pair of parentheses wherever Python's precedence requires it, and removes the pairs around
atoms (names, calls, negative literals) where they are not needed. Other parentheses a
person wrote (``(a >> b) & 1`` in a helper) stay. Operands of equal precedence on the right
of a left-associative operator keep their parentheses, so ``a - (b - c)`` and ``a + (b + c)``
stay as written: floating-point addition is not associative, and the rewrite must not change
results.
"""

from __future__ import annotations

from typing import TypeVar

import libcst as cst

from .common import _fields, is_kernel, is_node

_BINARY = {
    cst.BitOr: 6, cst.BitXor: 7, cst.BitAnd: 8, cst.LeftShift: 9, cst.RightShift: 9,
    cst.Add: 10, cst.Subtract: 10, cst.Multiply: 11, cst.Divide: 11, cst.FloorDivide: 11,
    cst.Modulo: 11, cst.MatrixMultiply: 11, cst.Power: 13,
}
_PRIMARY = 15
_ATOM = 16
# Nodes whose parentheses carry no meaning of their own (tuples and generators do).
_NORMALIZED = (cst.BinaryOperation, cst.UnaryOperation, cst.Comparison, cst.BooleanOperation,
               cst.Name, cst.Integer, cst.Float, cst.Call, cst.Attribute, cst.Subscript, cst.IfExp)

N = TypeVar("N", bound=cst.CSTNode)


def precedence(node: cst.CSTNode) -> int:
    if isinstance(node, cst.IfExp):
        return 1
    if isinstance(node, cst.BooleanOperation):
        return 2 if isinstance(node.operator, cst.Or) else 3
    if isinstance(node, cst.UnaryOperation):
        return 4 if isinstance(node.operator, cst.Not) else 12
    if isinstance(node, cst.Comparison):
        return 5
    if isinstance(node, cst.BinaryOperation):
        return _BINARY[type(node.operator)]
    if isinstance(node, (cst.Call, cst.Attribute, cst.Subscript)):
        return _PRIMARY
    return _ATOM


def _atomic(node: cst.CSTNode) -> bool:
    if precedence(node) >= _PRIMARY:
        return True
    return isinstance(node, cst.UnaryOperation) and isinstance(node.expression, (cst.Integer, cst.Float))


def with_parens(node: N, needed: bool) -> N:
    if not isinstance(node, _NORMALIZED):
        return node
    if needed:
        if node.lpar:  # type: ignore[attr-defined]
            return node
        return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])  # type: ignore[return-value]
    if _atomic(node) and (node.lpar or node.rpar):  # type: ignore[attr-defined]
        return node.with_changes(lpar=[], rpar=[])  # type: ignore[return-value]
    return node


def _with(node: N, **fields: object) -> N:
    """``node.with_changes(**fields)``, or the node itself when every field is already so
    (nothing above it is rebuilt then)."""
    if all(getattr(node, name) is value for name, value in fields.items()):
        return node
    return node.with_changes(**fields)


class Reparenthesize(cst.CSTTransformer):
    """Set the parentheses of every operand from its parent's precedence, inside the
    generated variant functions (the rest of a module is written by hand in templates)."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return is_kernel(node)

    def apply(self, node: N) -> N:
        """``node.visit(self)`` without libcst's visitor, which rebuilds every node it passes:
        only the nodes whose parentheses change, and those above them, are rebuilt."""
        return self._walk(node)  # type: ignore[return-value]

    def _walk(self, node: cst.CSTNode) -> cst.CSTNode:
        kind = type(node)
        if kind is cst.FunctionDef and not is_kernel(node):  # type: ignore[arg-type]
            return node
        changes: dict[str, object] = {}
        for field in _fields(kind):
            value = getattr(node, field)
            if is_node(value):
                new = self._walk(value)
                if new is not value:
                    changes[field] = new
            elif type(value) in (list, tuple) and value and is_node(value[0]):
                items = [self._walk(item) for item in value]
                if any(a is not b for a, b in zip(items, value)):
                    changes[field] = type(value)(items)
        updated = node.with_changes(**changes) if changes else node
        leave = getattr(self, f"leave_{kind.__name__}", None)
        return leave(node, updated) if leave is not None else updated

    def leave_BinaryOperation(self, original: cst.BinaryOperation, updated: cst.BinaryOperation) -> cst.BaseExpression:
        p = precedence(updated)
        left, right = precedence(updated.left), precedence(updated.right)
        power = isinstance(updated.operator, cst.Power)
        left_needed = left < p or (left == p and power)
        right_needed = right < 12 if power else right <= p
        return _with(updated, left=with_parens(updated.left, left_needed),
                                    right=with_parens(updated.right, right_needed))

    def leave_UnaryOperation(self, original: cst.UnaryOperation, updated: cst.UnaryOperation) -> cst.BaseExpression:
        return _with(updated, expression=with_parens(updated.expression, precedence(updated.expression) < precedence(updated)))

    def leave_Comparison(self, original: cst.Comparison, updated: cst.Comparison) -> cst.BaseExpression:
        targets = [_with(t, comparator=with_parens(t.comparator, precedence(t.comparator) <= 5)) for t in updated.comparisons]
        if all(a is b for a, b in zip(targets, updated.comparisons)):
            targets = updated.comparisons  # type: ignore[assignment]
        return _with(updated, left=with_parens(updated.left, precedence(updated.left) <= 5), comparisons=targets)

    def leave_BooleanOperation(self, original: cst.BooleanOperation, updated: cst.BooleanOperation) -> cst.BaseExpression:
        p = precedence(updated)
        return _with(updated, left=with_parens(updated.left, precedence(updated.left) < p),
                                    right=with_parens(updated.right, precedence(updated.right) <= p))

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        value = updated.value
        return _with(updated, value=with_parens(value, precedence(value) < _PRIMARY or isinstance(value, cst.Integer)))

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        return _with(updated, value=with_parens(updated.value, precedence(updated.value) < _PRIMARY))

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        return _with(updated, func=with_parens(updated.func, precedence(updated.func) < _PRIMARY))

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return _with(updated, value=with_parens(updated.value, False))

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        return _with(updated, value=with_parens(updated.value, False))

    def leave_Element(self, original: cst.Element, updated: cst.Element) -> cst.Element:
        return _with(updated, value=with_parens(updated.value, False))

    def leave_Index(self, original: cst.Index, updated: cst.Index) -> cst.Index:
        return _with(updated, value=with_parens(updated.value, False))
