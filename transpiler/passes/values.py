"""What the passes know of the values of a generated function: each name's symbolic shape
and dtype, from the IR, and from them the shape and dtype of an expression."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from .. import shapes
from ..shapes import SCALAR, Shape, ShapeError
from .common import literal, number

# Shapes and dtypes of the names of each generated function, from the IR.
Facts = dict[str, dict[str, tuple[Shape | None, str]]]

UNARY_UFUNCS = {"exp", "expm1", "log", "log1p", "sqrt", "tanh", "abs", "negative", "sign", "square", "reciprocal"}
BINARY_UFUNCS = {"maximum", "minimum"}
# The helpers of the broadcasting elementwise primitives of layers_spec/primitives.yaml (a
# test keeps them in step): fresh arrays of their arguments' broadcast shape. Each takes
# ``out=`` last, a buffer for its result that must not overlap its arguments.
ELEMENTWISE_HELPERS = {"_erf", "_expm1", "_log1p", "_sigmoid", "_softplus", "_taylor_exp"}
ELEMENTWISE = UNARY_UFUNCS | BINARY_UFUNCS | {"where", "clip"} | ELEMENTWISE_HELPERS
REDUCTIONS = {"sum", "mean", "max"}  # with keepdims=True: operands of known (reduced) shape
# The reduction primitives' helpers: (a, axis), the axis kept; _dot_last (a, b), over the last.
REDUCTION_HELPERS = {"_amax", "_mean", "_sum", "_dot_last"}
REDUCING = REDUCTIONS | REDUCTION_HELPERS
# Other helpers whose result is a fresh array that aliases none of their arguments, which
# they keep no reference to: attention's batched matrix product (an np.empty it writes, or
# np.matmul's result), its causal mask and its softmax over the last axis.
# The linear primitive's helper, x @ weight.T over x's last axis, is one too, of known shape:
# x's with the last size weight's first (a matrix product's result, or a reshape of one), so
# that ``_linear(x, weight) + bias`` adds the bias in place.
LINEAR_HELPERS = {"_linear"}
FRESH_HELPERS = {"_bmm", "_apply_causal", "_masked_softmax", *LINEAR_HELPERS}
# Of those, the ones that take ``out=`` last, a buffer of their first argument's shape
# that may be that argument itself (they work row by row, in place).
IN_PLACE_HELPERS = {"_apply_causal", "_masked_softmax"}
OPERATORS = {cst.Add: "add", cst.Subtract: "subtract", cst.Multiply: "multiply", cst.Divide: "divide"}
AUGMENTED = {cst.Add: cst.AddAssign, cst.Subtract: cst.SubtractAssign, cst.Multiply: cst.MultiplyAssign,
             cst.Divide: cst.DivideAssign}


@dataclass
class Values:
    facts: dict[str, tuple[Shape | None, str]]

    def shape(self, node: cst.BaseExpression) -> Shape | None:
        """The symbolic shape of an expression, or None when not known."""
        if number(node) is not None or (
                isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "np"
                and node.attr.value in ("inf", "nan", "pi", "e")):
            return SCALAR
        if isinstance(node, cst.Name):
            fact = self.facts.get(node.value)
            return fact[0] if fact else None
        if (isinstance(node, cst.Subscript) and isinstance(node.value, cst.Attribute)
                and node.value.attr.value == "shape"):
            return SCALAR  # a size, x.shape[-1]
        if isinstance(node, cst.BinaryOperation) and type(node.operator) in (*OPERATORS, cst.BitAnd, cst.BitOr):
            return self._broadcast([node.left, node.right])
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.BitInvert)):
            return self.shape(node.expression)
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            return self._broadcast([node.left, node.comparisons[0].comparator])
        if isinstance(node, cst.Call):
            name = callee(node)
            args = [a.value for a in node.args if a.keyword is None]
            if name in ELEMENTWISE:
                return self._broadcast(args)
            if name in REDUCING and len(args) in (1, 2):
                return self._reduced(node, args[0])
            if name in IN_PLACE_HELPERS and len(args) == 1:
                return self.shape(args[0])
            if name in LINEAR_HELPERS and len(args) == 2:
                return self._linear(*args)
            if is_reshape(node):
                return self._reshaped(node)
        return None

    def _linear(self, x: cst.BaseExpression, weight: cst.BaseExpression) -> Shape | None:
        rows, matrix = self.shape(x), self.shape(weight)
        if rows is None or matrix is None or matrix.ellipsis or matrix.rank != 2 or not rows.rank:
            return None
        return Shape(rows.dims[:-1] + matrix.dims[:1], rows.ellipsis)

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
        if callee(node) == "_dot_last":
            keywords = {"axis": literal(-1), "keepdims": cst.Name("True")}
        elif callee(node) in REDUCTION_HELPERS:
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
        if is_reshape(node):
            return self.is_float(node.func.value)  # type: ignore[union-attr]
        if isinstance(node, cst.Call):
            return callee(node) in ELEMENTWISE | REDUCING | IN_PLACE_HELPERS | LINEAR_HELPERS and any(
                self.is_float(a.value) for a in node.args if a.keyword is None)
        return False


def is_reshape(node: cst.BaseExpression) -> bool:
    """``value.reshape(...)``: a view, known in shape but never a buffer to write into."""
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "reshape"


def callee(node: cst.Call) -> str | None:
    func = node.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "np":
        return func.attr.value
    if isinstance(func, cst.Name) and func.value in ELEMENTWISE_HELPERS | REDUCTION_HELPERS | FRESH_HELPERS:
        return func.value
    return None
