"""Dead-code elimination: drop assignments nobody reads.

An assignment to a name that is never read afterwards in the function (nor returned) is
removed when its value is pure: no random draws, no in-place writes. Repeated to a fixed
point by the pipeline, so chains of dead values disappear.
"""

from __future__ import annotations

import libcst as cst

from .common import KernelPass, assignment, pure, reads, with_body


class EliminateDeadCode(KernelPass):
    def rewrite(self, updated: cst.FunctionDef) -> cst.FunctionDef | None:
        kept: list[cst.BaseStatement] = []
        live: set[str] = set()
        removed = False
        for stmt in reversed(updated.body.body):
            single = assignment(stmt)
            if single is not None and single[0] not in live and pure(single[1]):
                removed = True
                continue
            live |= set(reads(stmt))
            kept.append(stmt)
        return with_body(updated, list(reversed(kept))) if removed else None
