"""What the passes share."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Iterator, TypeVar

import libcst as cst

N = TypeVar("N", bound=cst.CSTNode)


def is_kernel(node: cst.FunctionDef) -> bool:
    """The generated variant functions (``_forward...``/``_backward...``, and the entry
    points' ``_entry...``) are what passes rewrite; the public wrappers, drivers and helpers
    are left as written."""
    name = node.name.value
    if any(isinstance(stmt, cst.For) for stmt in node.body.body):
        return False  # a scan's driver loop: the straight-line functions it calls are kernels
    return name.startswith(("_forward", "_backward", "_entry_"))


class KernelPass(cst.CSTTransformer):
    """A pass that rewrites each generated variant function as a whole.

    Subclasses implement ``rewrite``; it returns the new function or None when nothing
    changed. ``changed`` tells the pipeline whether another round is needed."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # the work is done in leave_FunctionDef, on the whole function at once

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        if not is_kernel(updated):
            return updated
        rewritten = self.rewrite(updated)
        if rewritten is None:
            return updated
        self.changed = True
        return rewritten

    def rewrite(self, function: cst.FunctionDef) -> cst.FunctionDef | None:
        raise NotImplementedError


def with_body(function: cst.FunctionDef, body: list[cst.BaseStatement]) -> cst.FunctionDef:
    return function.with_changes(body=function.body.with_changes(body=body))


class _Reads(cst.CSTVisitor):
    """Names read in a subtree, skipping attribute names and keyword names."""

    def __init__(self) -> None:
        self.names: Counter[str] = Counter()

    def visit_Name(self, node: cst.Name) -> None:
        self.names[node.value] += 1

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        return False


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """A node's children that can hold names, without libcst's visitor machinery for the
    node types generated code is made of (a visit rebuilds every node it passes: a pass
    asking what each statement reads would cost as much as rewriting the function)."""
    kind = type(node)
    if kind in _LEAVES:
        return []
    if kind is cst.BinaryOperation:
        return [node.left, node.right]  # type: ignore[attr-defined]
    if kind is cst.Call:
        return [node.func, *node.args]  # type: ignore[attr-defined]
    if kind is cst.Arg:
        return [node.value] if node.keyword is None else [node.value, node.keyword]  # type: ignore[attr-defined]
    if kind is cst.Attribute:
        return [node.value, node.attr]  # type: ignore[attr-defined]
    if kind is cst.UnaryOperation:
        return [node.expression]  # type: ignore[attr-defined]
    if kind in (cst.SimpleStatementLine, cst.IndentedBlock):
        return list(node.body)  # type: ignore[attr-defined]
    if kind is cst.Assign:
        return [*node.targets, node.value]  # type: ignore[attr-defined]
    if kind is cst.AssignTarget:
        return [node.target]  # type: ignore[attr-defined]
    if kind is cst.AugAssign:
        return [node.target, node.value]  # type: ignore[attr-defined]
    if kind in (cst.Expr, cst.Return):
        return [] if node.value is None else [node.value]  # type: ignore[attr-defined]
    if kind is cst.Comparison:
        return [node.left, *(c.comparator for c in node.comparisons)]  # type: ignore[attr-defined]
    if kind in (cst.Tuple, cst.List):
        return [e.value for e in node.elements]  # type: ignore[attr-defined]
    return list(node.children)


# Nodes with no child that can hold a name (a name's children are its parentheses).
_LEAVES = (cst.Name, cst.Integer, cst.Float, cst.SimpleString, cst.Pass, cst.SimpleWhitespace, cst.Comma,
           cst.EmptyLine, cst.Newline, cst.AssignEqual)


def nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node of a subtree that can hold a name, in source order (pre-order)."""
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(reversed(_children(item)))


def reads(node: cst.CSTNode) -> Counter[str]:
    """How often each name is read in a subtree, skipping attribute names, keyword names,
    assignment targets and parameters."""
    names: Counter[str] = Counter()
    stack = [node]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is cst.Name:
            names[item.value] += 1  # type: ignore[attr-defined]
        elif kind is cst.Attribute or kind is cst.Arg:
            stack.append(item.value)  # type: ignore[attr-defined]
        elif kind is not cst.AssignTarget and kind is not cst.Param:
            stack.extend(_children(item))
    return names


class _Writes(cst.CSTVisitor):
    """How often each name is assigned, and which names are mutated in place."""

    def __init__(self) -> None:
        self.assigned: Counter[str] = Counter()
        self.mutated: set[str] = set()

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if isinstance(node.target, cst.Name):
            self.assigned[node.target.value] += 1

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.mutated.add(node.target.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and node.keyword.value == "out" and isinstance(node.value, cst.Name):
            self.mutated.add(node.value.value)


def writes(node: cst.CSTNode) -> _Writes:
    """How often each name is assigned, and which names are mutated in place (augmented
    assignments, ``out=`` arguments), in a subtree."""
    found = _Writes()
    stack = [node]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is cst.AssignTarget:
            found.visit_AssignTarget(item)  # type: ignore[arg-type]
        elif kind is cst.AugAssign:
            found.visit_AugAssign(item)  # type: ignore[arg-type]
        elif kind is cst.Arg:
            found.visit_Arg(item)  # type: ignore[arg-type]
        stack.extend(_children(item))
    return found


def assignment(stmt: cst.BaseStatement) -> tuple[str, cst.BaseExpression] | None:
    """``(name, value)`` of a statement ``name = value``, else None."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
        assign = stmt.body[0]
        if len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name):
            return assign.targets[0].target.value, assign.value
    return None


def pure(value: cst.BaseExpression) -> bool:
    """No random draws and no in-place writes: safe to move, merge or drop."""
    return "rng" not in reads(value) and not writes(value).mutated


class Substitute(cst.CSTTransformer):
    """Replace variables by expressions (or other names), leaving attribute names and
    keyword names alone: they are not variables.

    ``apply`` gives the same tree as ``node.visit(self)`` without libcst's visitor, which
    rebuilds every node it passes: it rebuilds only the nodes above a replaced name."""

    def __init__(self, values: dict[str, cst.BaseExpression]):
        self.values = values

    def apply(self, node: N) -> N:
        return _substitute(node, self.values) if self.values else node  # type: ignore[return-value]

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self.values.get(original.value, updated)


# Node types that never hold a variable: tokens, whitespace, operators, literals.
_NAMELESS = (cst.BaseParenthesizableWhitespace, cst.LeftParen, cst.RightParen, cst.Comma, cst.AssignEqual,
             cst.Dot, cst.Semicolon, cst.Newline, cst.TrailingWhitespace, cst.EmptyLine, cst.Comment,
             cst.BaseBinaryOp, cst.BaseUnaryOp, cst.BaseAugOp, cst.BaseCompOp, cst.BaseBooleanOp,
             cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.LeftSquareBracket,
             cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Colon, cst.Pass)
# Per node type, the fields that can hold a variable (an attribute's name and an argument's
# keyword are not variables).
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    found = _FIELDS.get(kind)
    if found is None:
        skipped = {(cst.Attribute, "attr"), (cst.Arg, "keyword")}
        found = () if issubclass(kind, _NAMELESS) else tuple(
            f.name for f in dataclasses.fields(kind) if (kind, f.name) not in skipped)
        _FIELDS[kind] = found
    return found


def is_node(value: object) -> bool:
    """``isinstance(value, cst.CSTNode)``, without the cost of an abstract class's check."""
    kind = type(value)
    found = _IS_NODE.get(kind)
    if found is None:
        found = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return found


_IS_NODE: dict[type, bool] = {}


def _substitute(node: cst.CSTNode, values: dict[str, cst.BaseExpression]) -> cst.CSTNode:
    kind = type(node)
    if kind is cst.Name:
        return values.get(node.value, node)  # type: ignore[attr-defined]
    changes: dict[str, object] = {}
    for field in _fields(kind):
        value = getattr(node, field)
        if is_node(value):
            new = _substitute(value, values)
            if new is not value:
                changes[field] = new
        elif type(value) in (list, tuple) and value and is_node(value[0]):
            items = [_substitute(item, values) for item in value]
            if any(a is not b for a, b in zip(items, value)):
                changes[field] = type(value)(items)
    return node.with_changes(**changes) if changes else node


def rename(names: dict[str, str]) -> Substitute:
    return Substitute({old: cst.Name(new) for old, new in names.items()})


def number(node: cst.BaseExpression) -> float | int | None:
    """The value of a numeric literal, possibly negated, else None."""
    kind = type(node)  # libcst's node classes are final: a type test is an isinstance test, faster
    if kind is cst.Integer:
        return int(node.value)  # type: ignore[attr-defined]
    if kind is cst.Float:
        return float(node.value)  # type: ignore[attr-defined]
    if kind is cst.UnaryOperation and type(node.operator) is cst.Minus:  # type: ignore[attr-defined]
        inner = number(node.expression)
        return -inner if inner is not None else None
    return None


def literal(value: float | int) -> cst.BaseExpression:
    text = repr(value)
    node: cst.BaseExpression = cst.Integer(text.lstrip("-")) if isinstance(value, int) else cst.Float(text.lstrip("-"))
    return cst.UnaryOperation(cst.Minus(), node) if value < 0 else node


def out_arg(name: str) -> cst.Arg:
    """``out=name``, as a ufunc's keyword argument."""
    tight = cst.SimpleWhitespace("")
    return cst.Arg(cst.Name(name), keyword=cst.Name("out"), equal=cst.AssignEqual(whitespace_before=tight, whitespace_after=tight))
