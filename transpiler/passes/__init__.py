"""Optimization passes over generated modules, as libcst transformers.

Each pass is an independent transformer with its own golden tests. ``optimize`` runs the
selected passes to a fixed point, merges the functions that came out identical, then sets
parentheses by precedence. ``-O0`` runs none of the passes (parenthesization still runs: it
changes the text, never the tree).
"""

from __future__ import annotations

from typing import Callable

import libcst as cst

from .algebra import FoldConstants, StrengthReduce
from .cse import EliminateCommonSubexpressions
from .dce import EliminateDeadCode
from .fuse import Facts, FuseElementwise
from .inline import InlineTemporaries, RenumberKernelTemporaries, RenumberTemporaries
from .merge import MergeIdenticalFunctions
from .parens import Reparenthesize
from .reuse import ReuseBuffers

PassFactory = Callable[[Facts], cst.CSTTransformer]

# The optimizing pipeline, in order. Each entry is (name, transformer factory).
PIPELINE: list[tuple[str, PassFactory]] = [
    ("fold", lambda facts: FoldConstants()),
    ("strength", StrengthReduce),
    ("cse", lambda facts: EliminateCommonSubexpressions()),
    ("dce", lambda facts: EliminateDeadCode()),
    ("inline", lambda facts: InlineTemporaries()),
    ("fuse", FuseElementwise),
    ("reuse", ReuseBuffers),
]
# Run once the pipeline has settled: renaming earlier would detach names from their IR facts.
FINAL: list[tuple[str, PassFactory]] = [
    ("renumber", lambda facts: RenumberTemporaries()),
    ("renumber kernels", lambda facts: RenumberKernelTemporaries()),
]

MAX_ROUNDS = 10


def optimize(code: str, level: int = 1, facts: Facts | None = None) -> str:
    """Run the pipeline until no pass changes anything (each pass reports ``changed``).

    ``facts`` gives the IR's symbolic shape and dtype of every name of every generated
    function; the fusion pass needs them to know where an update may be done in place."""
    module = cst.parse_module(code)
    if level > 0:
        # The passes in pipeline order, round after round, until every pass has run once on
        # the tree as it stands without changing it (a pass is a function of the tree, so a
        # further round would change nothing): the passes that follow the last change of a
        # round are not run again.
        unchanged = 0
        for step in range(MAX_ROUNDS * len(PIPELINE)):
            if unchanged == len(PIPELINE):
                break
            transformer = PIPELINE[step % len(PIPELINE)][1](facts or {})
            module = module.visit(transformer)
            unchanged = 0 if getattr(transformer, "changed", True) else unchanged + 1
        for _, factory in FINAL:
            module = module.visit(factory(facts or {}))
        # Last, once every function has its final text: the ones that came out the same.
        module = MergeIdenticalFunctions().apply(module)
    return Reparenthesize().apply(module).code


__all__ = ["optimize", "PIPELINE", "Facts", "FuseElementwise", "FoldConstants", "StrengthReduce", "EliminateCommonSubexpressions",
           "EliminateDeadCode", "InlineTemporaries", "MergeIdenticalFunctions", "RenumberKernelTemporaries",
           "RenumberTemporaries", "Reparenthesize", "ReuseBuffers"]
