"""Dead-code elimination: drop assignments nobody reads.

An assignment to a name that is never read afterwards in the function (nor returned) is
removed when its value is pure: no random draws, no in-place writes. Repeated to a fixed
point by the pipeline, so chains of dead values disappear.
"""

from __future__ import annotations

import libcst as cst

from .common import is_kernel
from .cse import _assignment, _pure
from .inline import reads


class EliminateDeadCode(cst.CSTTransformer):
    def __init__(self) -> None:
        super().__init__()
        self.changed = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        if not is_kernel(updated):
            return updated
        statements = list(updated.body.body)
        kept: list[cst.BaseStatement] = []
        live: set[str] = set()
        for stmt in reversed(statements):
            single = _assignment(stmt)
            if single is not None and single[0] not in live and _pure(single[1]):
                self.changed = True
                continue
            live |= set(reads(stmt))
            kept.append(stmt)
        if not self.changed:
            return updated
        return updated.with_changes(body=updated.body.with_changes(body=list(reversed(kept))))
