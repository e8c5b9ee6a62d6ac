"""Inline pass: substitute compiler temporaries that are assigned once and read once.

Codegen emits one assignment per IR statement, with temporaries named ``_t<n>``. Inside one
function, a temporary that is assigned exactly once and read exactly once, by a later
assignment, is replaced by its value at the point of use and its assignment is dropped.

Scope safety rests on the SSA invariant of codegen (libcst's scope analysis is
flow-insensitive, so it cannot prove this on its own): no name is assigned twice. The pass
checks the invariant rather than trusting it, and also refuses to move:
  * a value that reads a name which is mutated anywhere in the function (augmented
    assignment, or an ``out=`` argument), since moving it could cross the mutation;
  * a value that draws random numbers (reads ``rng``), since draws must keep their order;
  * a temporary whose single use is not an assignment (a ``return``, say), to keep returns
    plain names.
"""

from __future__ import annotations

from collections import Counter

import libcst as cst
import libcst.matchers as m

from .common import is_kernel

TEMPORARY_PREFIX = "_t"


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


def reads(node: cst.CSTNode) -> Counter[str]:
    visitor = _Reads()
    node.visit(visitor)
    return visitor.names


def _single_assignment(stmt: cst.BaseStatement) -> tuple[str, cst.BaseExpression] | None:
    if m.matches(stmt, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Name())])])):
        assign = stmt.body[0]  # type: ignore[attr-defined]
        return assign.targets[0].target.value, assign.value
    return None


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
    visitor = _Writes()
    node.visit(visitor)
    return visitor


class _Substitute(cst.CSTTransformer):
    def __init__(self, values: dict[str, cst.BaseExpression]):
        self.values = values

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return True

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        # ``attr`` is never a variable; only ``value`` may have been replaced.
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self.values.get(original.value, updated)


class InlineTemporaries(cst.CSTTransformer):
    """Substitute single-use, single-assignment temporaries into their one reader."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # the work is done in leave_FunctionDef, on the whole function at once

    def __init__(self) -> None:
        super().__init__()
        self.changed = False

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        if not is_kernel(updated):
            return updated
        body = list(updated.body.body)
        written = writes(updated.body)
        assigned, mutated = written.assigned, written.mutated
        used = reads(updated.body)
        readers: dict[str, set[str]] = {}  # name -> kinds of statement that read it
        for stmt in body:
            kind = "assign" if _single_assignment(stmt) else "other"
            for name in reads(stmt):
                readers.setdefault(name, set()).add(kind)
        candidates: set[str] = set()
        for stmt in body:
            single = _single_assignment(stmt)
            if single is None:
                continue
            name, value = single
            value_reads = reads(value)
            if (
                name.startswith(TEMPORARY_PREFIX)
                and assigned[name] == 1
                and used[name] == 1
                and readers.get(name) == {"assign"}
                and "rng" not in value_reads
                and not (set(value_reads) & mutated)
            ):
                candidates.add(name)
        if not candidates:
            return updated
        self.changed = True
        values: dict[str, cst.BaseExpression] = {}
        new_body: list[cst.BaseStatement] = []
        for stmt in body:
            substituted = stmt.visit(_Substitute(values)) if values else stmt
            single = _single_assignment(substituted)  # type: ignore[arg-type]
            if single is not None and single[0] in candidates:
                values[single[0]] = single[1]
                continue
            new_body.append(substituted)  # type: ignore[arg-type]
        return updated.with_changes(body=updated.body.with_changes(body=new_body))


class RenumberTemporaries(cst.CSTTransformer):
    """Renumber the temporaries that survive inlining ``_t1, _t2, ...`` per function, in order
    of first appearance, so names do not depend on how many were inlined away.

    Forward and backward functions exchange saved values by position, not by name, so each
    function's numbering is its own.
    """

    def __init__(self) -> None:
        super().__init__()
        self.changed = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        if not is_kernel(updated):
            return updated
        names = _Names()
        updated.visit(names)
        order: dict[str, str] = {}
        for name in names.seen:
            if _is_temporary(name) and name not in order:
                order[name] = f"{TEMPORARY_PREFIX}{len(order) + 1}"
        if all(old == new for old, new in order.items()):
            return updated
        self.changed = True
        return updated.visit(_Rename(order))  # type: ignore[return-value]


class _Names(cst.CSTVisitor):
    """Every name in order of appearance (parameters included)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.seen.append(node.value)


def _is_temporary(name: str) -> bool:
    return name.startswith(TEMPORARY_PREFIX) and name[len(TEMPORARY_PREFIX):].isdigit()


class _Rename(cst.CSTTransformer):
    def __init__(self, names: dict[str, str]):
        self.names = names

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        new = self.names.get(original.value)
        return updated.with_changes(value=new) if new else updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)
