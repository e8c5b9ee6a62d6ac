"""Constant folding and strength reduction: local rewrites of one expression at a time.

Both are shape-preserving: an array operand is never dropped for a constant (``x * 0`` stays,
since for an array it is an array of zeros, NaN where x is NaN, and of x's shape), and every
rewrite keeps results within float rounding of the original.

FoldConstants
    ``2 * 0.5`` -> ``1.0``; ``(x * 0.5) * 2`` is left alone (reassociating changes rounding).
    Identities that leave an array operand alone: ``x * 1``, ``x / 1``, ``x + 0``, ``x - 0``,
    ``x ** 1`` -> ``x``; ``-(-x)`` -> ``x``; ``x + -c`` -> ``x - c``; ``x - -c`` -> ``x + c``.
StrengthReduce
    small integer powers to products (``x ** 3`` -> ``x * x * x``), ``x ** 0.5`` ->
    ``np.sqrt(x)``, ``x ** -1`` -> ``1 / x``, division by a constant to multiplication by its
    reciprocal when that reciprocal is exact in binary (``x / 2`` -> ``x * 0.5``); the
    maximum or minimum of a float array and a constant to a clip between the constant and
    an infinity (``np.maximum(x, 0)`` -> ``np.clip(x, 0, np.inf)``): the same values (NaN
    stays NaN; a zero may keep its sign, which compares equal), and NumPy 2.4 runs a clip
    2.2x faster in float32 (1.2x in float64) than a maximum against a broadcast scalar,
    measured on AVX2. Only where the IR knows the array is float: a clip of an integer
    array with an infinite bound would be float64.
"""

from __future__ import annotations

import math

import libcst as cst

from ..expr import constant_problem
from ..ir import power_fits
from ..shapes import SCALAR
from .common import is_kernel, literal, nodes, number
from .values import Facts, Values, callee

_FOLDABLE = {
    cst.Add: lambda a, b: a + b,
    cst.Subtract: lambda a, b: a - b,
    cst.Multiply: lambda a, b: a * b,
    cst.Divide: lambda a, b: a / b,
    cst.Power: lambda a, b: a**b,
}


class _KernelTransformer(cst.CSTTransformer):
    def __init__(self) -> None:
        super().__init__()
        self.changed = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return is_kernel(node)


class FoldConstants(_KernelTransformer):
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        # A function without a node to rewrite is left unvisited (rewrites only ever start
        # at such a node): most are, once the first round has folded what there was.
        return is_kernel(node) and any(_foldable(n) for n in nodes(node.body))

    def leave_BinaryOperation(self, original: cst.BinaryOperation, updated: cst.BinaryOperation) -> cst.BaseExpression:
        left, right, op = number(updated.left), number(updated.right), type(updated.operator)
        if left is not None and right is not None and op in _FOLDABLE:
            if op is cst.Power and not power_fits(left, right):
                return updated  # never computed: 9 ** 999999999 would take minutes
            try:
                value = _FOLDABLE[op](left, right)
            except (ArithmeticError, ValueError):
                return updated
            if isinstance(value, complex) or constant_problem(value) is not None:
                return updated
            self.changed = True
            return literal(value)
        identity = (op in (cst.Multiply, cst.Divide, cst.Power) and right == 1) or (
            op in (cst.Add, cst.Subtract) and right == 0)
        if identity and left is None:
            self.changed = True
            return updated.left.with_changes(lpar=[], rpar=[]) if isinstance(updated.left, (cst.Name, cst.Call, cst.Attribute, cst.Subscript)) else updated.left
        if right is not None and right < 0 and op in (cst.Add, cst.Subtract) and left is None:
            self.changed = True
            flipped = cst.Subtract() if op is cst.Add else cst.Add()
            return updated.with_changes(operator=flipped, right=literal(-right))
        return updated

    def leave_UnaryOperation(self, original: cst.UnaryOperation, updated: cst.UnaryOperation) -> cst.BaseExpression:
        inner = updated.expression
        if (isinstance(updated.operator, cst.Minus) and isinstance(inner, cst.UnaryOperation)
                and isinstance(inner.operator, cst.Minus)):
            self.changed = True
            return inner.expression
        return updated


def _foldable(node: cst.CSTNode) -> bool:
    """Could FoldConstants rewrite this node as it stands?"""
    if isinstance(node, cst.BinaryOperation):
        left, right = number(node.left), number(node.right)
        return (left is not None and right is not None) or right in (0, 1) or (right is not None and right < 0)
    return (isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
            and isinstance(node.expression, cst.UnaryOperation) and isinstance(node.expression.operator, cst.Minus))


def _reducible(node: cst.CSTNode) -> bool:
    """Could StrengthReduce rewrite this node?"""
    if isinstance(node, cst.BinaryOperation):
        return isinstance(node.operator, (cst.Power, cst.Divide)) and number(node.right) is not None
    return isinstance(node, cst.Call) and callee(node) in ("maximum", "minimum")


MAX_PRODUCT_POWER = 4


class StrengthReduce(_KernelTransformer):
    def __init__(self, facts: Facts | None = None) -> None:
        super().__init__()
        self.facts = facts or {}
        self.values = Values({})

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.values = Values(self.facts.get(node.name.value, {}))
        return super().visit_FunctionDef(node) and any(_reducible(n) for n in nodes(node.body))

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        name = callee(updated)
        positional = [a for a in updated.args if a.keyword is None]
        if name not in ("maximum", "minimum") or len(positional) != 2:
            return updated
        keywords = [a for a in updated.args if a.keyword is not None]
        if any(a.keyword.value != "out" for a in keywords):  # type: ignore[union-attr]
            return updated
        for array, constant in ((positional[0], positional[1]), (positional[1], positional[0])):
            bound = number(constant.value)
            if bound is not None and self.values.is_float(array.value) and self.values.shape(array.value) != SCALAR:
                infinity = cst.Attribute(cst.Name("np"), cst.Name("inf"))
                low, high = (constant.value, infinity) if name == "maximum" else (
                    cst.UnaryOperation(cst.Minus(), infinity), constant.value)
                self.changed = True
                args = [cst.Arg(array.value), cst.Arg(low), cst.Arg(high)] + keywords
                return cst.Call(cst.Attribute(cst.Name("np"), cst.Name("clip")), args)
        return updated

    def leave_BinaryOperation(self, original: cst.BinaryOperation, updated: cst.BinaryOperation) -> cst.BaseExpression:
        op = updated.operator
        exponent = number(updated.right)
        if isinstance(op, cst.Power) and exponent is not None and _cheap(updated.left):
            base = updated.left
            if exponent in (2, 3, 4) and float(exponent).is_integer():
                self.changed = True
                product: cst.BaseExpression = base
                for _ in range(int(exponent) - 1):
                    product = cst.BinaryOperation(product, cst.Multiply(), base)
                return product
            if exponent == 0.5:
                self.changed = True
                return cst.Call(cst.Attribute(cst.Name("np"), cst.Name("sqrt")), [cst.Arg(base)])
            if exponent == -1:
                self.changed = True
                return cst.BinaryOperation(cst.Integer("1"), cst.Divide(), base)
        if isinstance(op, cst.Divide) and exponent not in (None, 0):
            reciprocal = 1 / exponent
            mantissa, _ = math.frexp(abs(exponent))
            if mantissa == 0.5:  # a power of two: the reciprocal is exact
                self.changed = True
                return updated.with_changes(operator=cst.Multiply(), right=literal(float(reciprocal)))
        return updated


def _cheap(node: cst.BaseExpression) -> bool:
    """Repeating it in a product costs nothing: a name or an attribute of one."""
    return isinstance(node, cst.Name) or (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name))

