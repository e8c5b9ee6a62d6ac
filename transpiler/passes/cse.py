"""Common-subexpression elimination inside one generated function.

Two assignments whose right-hand sides are the same pure expression compute the same value
(every name is assigned once, so the operands cannot have changed in between): the second
becomes a use of the first's name. Comparison is on the code of the expression, so it also
catches a value that backward recomputes next to an identical one. Calls that draw random
numbers (``rng``) or write in place (``out=``) are never merged.
"""

from __future__ import annotations

import libcst as cst

from .common import KernelPass, assignment, pure, rename, with_body, writes


class EliminateCommonSubexpressions(KernelPass):
    def rewrite(self, updated: cst.FunctionDef) -> cst.FunctionDef | None:
        module = cst.Module(body=[])
        written = writes(updated.body)
        assigned, mutated = written.assigned, written.mutated
        seen: dict[str, str] = {}  # code of a value -> the name that holds it
        renames: dict[str, str] = {}
        substitute = rename({})  # one transformer, its table grown as names merge (not rebuilt per statement)
        body: list[cst.BaseStatement] = []
        for stmt in updated.body.body:
            if renames:
                stmt = stmt.visit(substitute)  # type: ignore[assignment]
            single = assignment(stmt)
            if single is not None:
                name, value = single
                key = module.code_for_node(value)
                if assigned[name] == 1 and name not in mutated and pure(value):
                    if key in seen:
                        renames[name] = seen[key]
                        substitute.values[name] = cst.Name(seen[key])
                        continue
                    seen[key] = name
            body.append(stmt)
        return with_body(updated, body) if renames else None
