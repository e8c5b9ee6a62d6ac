"""Common-subexpression elimination inside one generated function.

Two assignments whose right-hand sides are the same pure expression compute the same value
(every name is assigned once, so the operands cannot have changed in between): the second
becomes a use of the first's name. Comparison is on the code of the expression, so it also
catches a value that backward recomputes next to an identical one. Calls that draw random
numbers (``rng``) or write in place (``out=``) are never merged.
"""

from __future__ import annotations

import libcst as cst

from .common import is_kernel
from .inline import reads, writes


def _pure(value: cst.BaseExpression) -> bool:
    return "rng" not in reads(value) and not writes(value).mutated


class EliminateCommonSubexpressions(cst.CSTTransformer):
    def __init__(self) -> None:
        super().__init__()
        self.changed = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        if not is_kernel(updated):
            return updated
        module = cst.Module(body=[])
        written = writes(updated.body)
        assigned, mutated = written.assigned, written.mutated
        seen: dict[str, str] = {}  # code of a value -> the name that holds it
        renames: dict[str, str] = {}
        body: list[cst.BaseStatement] = []
        for stmt in updated.body.body:
            if renames:
                stmt = stmt.visit(_Rename(renames))  # type: ignore[assignment]
            single = _assignment(stmt)
            if single is not None:
                name, value = single
                key = module.code_for_node(value)
                if assigned[name] == 1 and name not in mutated and _pure(value):
                    if key in seen:
                        renames[name] = seen[key]
                        self.changed = True
                        continue
                    seen[key] = name
            body.append(stmt)
        return updated.with_changes(body=updated.body.with_changes(body=body))


def _assignment(stmt: cst.BaseStatement) -> tuple[str, cst.BaseExpression] | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
        assign = stmt.body[0]
        if len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name):
            return assign.targets[0].target.value, assign.value
    return None


class _Rename(cst.CSTTransformer):
    def __init__(self, names: dict[str, str]):
        self.names = names

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        return updated.with_changes(value=self.names.get(original.value, original.value))

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)
