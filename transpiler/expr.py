"""The statement language of the specs, a small subset of Python.

Forward and backward bodies, and the derivative rules of the primitive table, are written as
Python-syntax statements over primitives::

    inner = 0.7978845608028654 * (x + 0.044715 * x * x * x)
    y = 0.5 * x * (1 + tanh(inner))

Only single-name assignments, ``if``/``else`` on a structural attribute, calls of primitives,
names, numbers and the operators ``+ - * / ** @ < <= > >= == & | ~`` are allowed. Operators are
sugar for primitives (``a * b`` is ``mul(a, b)``). Python's own parser does the work; this
module maps its tree to a small typed tree that carries spec-file locations.
"""

from __future__ import annotations

import ast
import math
import warnings
from dataclasses import dataclass
from typing import Union

from .errors import Collector, Location, short
from .source import Node

BINARY_OPERATORS: dict[type, str] = {
    ast.Add: "add",
    ast.Sub: "sub",
    ast.Mult: "mul",
    ast.Div: "div",
    ast.Pow: "pow",
    ast.MatMult: "matmul",
    ast.BitAnd: "logical_and",
    ast.BitOr: "logical_or",
}
UNARY_OPERATORS: dict[type, str] = {ast.USub: "neg", ast.Invert: "logical_not"}
COMPARISONS: dict[type, str] = {
    ast.Gt: "gt",
    ast.GtE: "ge",
    ast.Lt: "lt",
    ast.LtE: "le",
    ast.Eq: "eq",
}


# Limits of one statement's expression (a spec needing more splits it into statements):
# how deeply operators and calls nest, and how many names, numbers and operations it holds.
MAX_EXPRESSION_DEPTH = 64
MAX_EXPRESSION_SIZE = 1000
# Integer constants, written or folded: beyond this they are no spec's sizes or exponents.
INT_LIMIT = 2**63


def constant_problem(value: object) -> str | None:
    """Why a number may not be a constant of the generated code, or None: an integer of
    2**63 or more in magnitude, or a float that is not finite (``inf`` and ``nan`` are not
    Python literals)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) >= INT_LIMIT:
        return f"the integer constant {_digits(value)} is too large (limit 2**63)"
    if isinstance(value, float) and not math.isfinite(value):
        return f"the number {value} is not finite"
    return None


def _digits(value: int) -> str:
    """An integer for a message: its digits, or how many there are."""
    bits = value.bit_length()
    return str(value) if bits < 200 else f"of about {int(bits * 0.30103) + 1} digits"


def _measure(node: ast.AST) -> tuple[int, int]:
    """(depth, size) of an expression tree, without recursion."""
    depth = size = 0
    stack = [(node, 1)]
    while stack:
        item, level = stack.pop()
        size += 1
        depth = max(depth, level)
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(item)
                     if isinstance(child, ast.expr))
    return depth, size


@dataclass(frozen=True)
class Name:
    id: str
    loc: Location


@dataclass(frozen=True)
class Num:
    value: Union[int, float, bool, tuple, str]  # str: a keyword's value only (a spec call's choice)
    loc: Location


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple["Expr", ...]
    kwargs: tuple[tuple[str, "Expr"], ...]
    loc: Location


Expr = Union[Name, Num, Call]


@dataclass(frozen=True)
class Assign:
    target: str
    value: Expr
    loc: Location


@dataclass(frozen=True)
class If:
    """``if attr:`` / ``if not attr:`` / ``if attr == value:`` on a structural
    (generation-time) attribute; ``value`` is None for the bool forms."""

    attribute: str
    negated: bool
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    loc: Location
    value: Union[int, float, bool, str, None] = None


Stmt = Union[Assign, If]


def _int_literal(node: ast.expr) -> int | tuple | None:
    """The value of an integer literal such as ``2`` or ``-1``, or of a tuple of them (or of
    such tuples: a window's padding ((top, bottom), (left, right))), else None."""
    if isinstance(node, ast.Tuple) and node.elts:
        items = [_int_literal(e) for e in node.elts]
        return None if any(i is None for i in items) else tuple(items)
    negative = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
    inner = node.operand if negative else node  # type: ignore[attr-defined]
    if isinstance(inner, ast.Constant) and type(inner.value) is int and abs(inner.value) < INT_LIMIT:
        return -inner.value if negative else inner.value
    return None


class _Mapper:
    def __init__(self, origin: Location, errors: Collector):
        self.origin = origin
        self.errors = errors
        self.ok = True

    def loc(self, lineno: int, col_offset: int) -> Location:
        if lineno == 1:
            return Location(self.origin.path, self.origin.line, self.origin.col + col_offset)
        return Location(self.origin.path, self.origin.line + lineno - 1, self.origin.col + col_offset)

    def fail(self, node: ast.AST, message: str) -> None:
        self.errors.error(self.loc(node.lineno, node.col_offset), message)  # type: ignore[attr-defined]
        self.ok = False

    def stmts(self, nodes: list[ast.stmt]) -> tuple[Stmt, ...]:
        out: list[Stmt] = []
        for node in nodes:
            stmt = self.stmt(node)
            if stmt is not None:
                out.append(stmt)
        return tuple(out)

    def stmt(self, node: ast.stmt) -> Stmt | None:
        loc = self.loc(node.lineno, node.col_offset)
        if isinstance(node, ast.Assign) and not self.within_limits(node.value):
            return None
        if isinstance(node, ast.Assign):
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
                self.fail(node, "an assignment must have exactly one plain name on its left")
                return None
            value = self.expr(node.value)
            if value is None:
                return None
            return Assign(node.targets[0].id, value, loc)
        if isinstance(node, ast.If):
            test = node.test
            negated = False
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                negated, test = True, test.operand
            value = None
            if (isinstance(test, ast.Compare) and not negated and len(test.ops) == 1
                    and isinstance(test.ops[0], ast.Eq) and isinstance(test.left, ast.Name)
                    and isinstance(test.comparators[0], ast.Constant)):
                value, test = test.comparators[0].value, test.left
            if not isinstance(test, ast.Name):
                self.fail(node, "an 'if' may only test a structural attribute: 'if name:', "
                          "'if not name:' or 'if name == value:'")
                return None
            return If(test.id, negated, self.stmts(node.body), self.stmts(node.orelse), loc, value)
        self.fail(node, f"unsupported statement '{type(node).__name__}': only 'name = expression' and 'if' are allowed")
        return None

    def within_limits(self, node: ast.expr) -> bool:
        depth, size = _measure(node)
        if depth > MAX_EXPRESSION_DEPTH:
            self.fail(node, f"expression nested {depth} deep (limit {MAX_EXPRESSION_DEPTH}); split it into statements")
        elif size > MAX_EXPRESSION_SIZE:
            self.fail(node, f"expression of {size} terms (limit {MAX_EXPRESSION_SIZE}); split it into statements")
        else:
            return True
        return False

    def expr(self, node: ast.expr) -> Expr | None:
        loc = self.loc(node.lineno, node.col_offset)
        if isinstance(node, ast.Name):
            return Name(node.id, loc)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, bool)):
            problem = constant_problem(node.value)
            if problem is not None:
                self.fail(node, problem)
                return None
            return Num(node.value, loc)
        if isinstance(node, ast.Tuple) and node.elts and all(_int_literal(e) is not None for e in node.elts):
            return Num(tuple(_int_literal(e) for e in node.elts), loc)  # axes (0, 2, 3), a shape (2, -1)
        if isinstance(node, ast.BinOp) and type(node.op) in BINARY_OPERATORS:
            return self.call(BINARY_OPERATORS[type(node.op)], [node.left, node.right], [], loc)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return self.expr(node.operand)
        if isinstance(node, ast.UnaryOp) and type(node.op) in UNARY_OPERATORS:
            operand = node.operand
            if isinstance(node.op, ast.USub) and isinstance(operand, ast.Constant) and isinstance(operand.value, (int, float)) and not isinstance(operand.value, bool):
                problem = constant_problem(operand.value)
                if problem is not None:
                    self.fail(operand, problem)
                    return None
                return Num(-operand.value, loc)
            return self.call(UNARY_OPERATORS[type(node.op)], [operand], [], loc)
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1 or type(node.ops[0]) not in COMPARISONS:
                self.fail(node, "only single comparisons with < <= > >= == are allowed")
                return None
            return self.call(COMPARISONS[type(node.ops[0])], [node.left, node.comparators[0]], [], loc)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                self.fail(node, "only primitives can be called, by their plain name")
                return None
            if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
                self.fail(node, "'*' and '**' arguments are not allowed")
                return None
            return self.call(node.func.id, node.args, [(k.arg, k.value) for k in node.keywords], loc)
        self.fail(node, f"unsupported expression '{short(ast.unparse(node))}'")
        return None

    def call(self, func: str, args: list[ast.expr], kwargs: list[tuple[str | None, ast.expr]], loc: Location) -> Call | None:
        parsed_args = [self.expr(a) for a in args]
        # a string only as a keyword's value: a called spec's structural choice (approximate="tanh")
        parsed_kwargs = [(k, Num(v.value, self.loc(v.lineno, v.col_offset)) if isinstance(v, ast.Constant)
                          and isinstance(v.value, str) and v.value.isascii() and v.value.isidentifier()
                          else self.expr(v)) for k, v in kwargs]
        if any(a is None for a in parsed_args) or any(v is None for _, v in parsed_kwargs):
            return None
        return Call(func, tuple(parsed_args), tuple((str(k), v) for k, v in parsed_kwargs), loc)  # type: ignore[arg-type]


def _parse(text: str, origin: Location, errors: Collector, mode: str) -> ast.AST | None:
    try:
        with warnings.catch_warnings():
            # Python only warns about some dubious text (``1if x``); a spec treats it as an error.
            warnings.simplefilter("error", SyntaxWarning)
            return ast.parse(text, mode=mode)
    except (RecursionError, MemoryError):
        errors.error(origin, f"statements nested too deeply for Python's parser (limit {MAX_EXPRESSION_DEPTH} levels)")
        return None
    except SyntaxError as exc:
        lineno = exc.lineno or 1
        col = (exc.offset or 1) - 1
        mapper = _Mapper(origin, errors)
        errors.error(mapper.loc(lineno, col), f"syntax error in statement: {exc.msg}")
        return None


def parse_block(node: Node, errors: Collector, where: str) -> tuple[Stmt, ...] | None:
    """Parse a YAML string node holding statements, one per line."""
    if not isinstance(node.value, str):
        errors.error(node.loc, f"{where}: expected statements as a string block ('|')")
        return None
    origin = node.text_origin or node.loc
    tree = _parse(node.value, origin, errors, "exec")
    if tree is None:
        return None
    mapper = _Mapper(origin, errors)
    stmts = mapper.stmts(tree.body)  # type: ignore[attr-defined]
    return stmts if mapper.ok else None


def parse_expression(text: str, origin: Location, errors: Collector) -> Expr | None:
    """Parse one expression, as in a derivative rule of the primitive table."""
    tree = _parse(text.strip(), origin, errors, "eval")
    if tree is None:
        return None
    mapper = _Mapper(origin, errors)
    if not mapper.within_limits(tree.body):  # type: ignore[attr-defined]
        return None
    expr = mapper.expr(tree.body)  # type: ignore[attr-defined]
    return expr if mapper.ok else None


def names_in(expr: Expr) -> list[Name]:
    """All names an expression reads, in order."""
    if isinstance(expr, Name):
        return [expr]
    if isinstance(expr, Call):
        out: list[Name] = []
        for arg in expr.args:
            out.extend(names_in(arg))
        for _, value in expr.kwargs:
            out.extend(names_in(value))
        return out
    return []
