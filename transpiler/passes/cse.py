"""Common-subexpression elimination inside one generated function.

Two assignments whose right-hand sides are the same pure expression compute the same value
(every name is assigned once, so the operands cannot have changed in between): the second
becomes a use of the first's name. Comparison is on the code of the expression, so it also
catches a value that backward recomputes next to an identical one. Calls that draw random
numbers (``rng``) or write in place (``out=``) are never merged, nor are two results the
function returns (two gradients of zeros): the caller owns each, and may update one in place.
Of two such results that are the same sum over rows (the gradients of two biases added to
the same rows, as an LSTM's two), the second is a copy of the first: a vector, where the sum
reads every row again.
"""

from __future__ import annotations

import libcst as cst

from .common import KernelPass, assignment, pure, rename, with_body, writes

# The helpers that sum a gradient over its rows down to a parameter's shape.
SUMS_OVER_ROWS = {"_sum_leading", "_sum_to"}


class EliminateCommonSubexpressions(KernelPass):
    def rewrite(self, updated: cst.FunctionDef) -> cst.FunctionDef | None:
        module = cst.Module(body=[])
        written = writes(updated.body)
        assigned, mutated = written.assigned, written.mutated
        seen: dict[str, str] = {}  # code of a value -> the name that holds it
        returned = _returned_names(updated)
        renames: dict[str, str] = {}
        substitute = rename({})  # one transformer, its table grown as names merge (not rebuilt per statement)
        body: list[cst.BaseStatement] = []
        copied = False
        for stmt in updated.body.body:
            if renames:
                stmt = substitute.apply(stmt)
            single = assignment(stmt)
            if single is not None:
                name, value = single
                if assigned[name] == 1 and name not in mutated and pure(value):
                    key = module.code_for_node(value)
                    if key in seen and not (name in returned and seen[key] in returned):
                        renames[name] = seen[key]
                        substitute.values[name] = cst.Name(seen[key])
                        continue
                    if key in seen and _sums_over_rows(value):
                        copy = cst.Call(cst.Attribute(cst.Name(seen[key]), cst.Name("copy")))
                        body.append(stmt.with_changes(body=[stmt.body[0].with_changes(value=copy)]))
                        copied = True
                        continue
                    seen[key] = name
            body.append(stmt)
        return with_body(updated, body) if renames or copied else None


def _sums_over_rows(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in SUMS_OVER_ROWS


def _returned_names(function: cst.FunctionDef) -> set[str]:
    """The names that the function's last statement, a return, hands back (at top level of
    its value or of a tuple in it)."""
    last = function.body.body[-1] if function.body.body else None
    if not isinstance(last, cst.SimpleStatementLine) or not isinstance(last.body[0], cst.Return):
        return set()
    value = last.body[0].value
    items = value.elements if isinstance(value, cst.Tuple) else [value]
    names: set[str] = set()
    for item in items:
        node = item.value if isinstance(item, cst.Element) else item
        if isinstance(node, cst.Name):
            names.add(node.value)
    return names
