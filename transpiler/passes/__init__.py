"""Optimization passes over generated modules, as libcst transformers.

Each pass is an independent transformer with its own golden tests. ``optimize`` runs the
selected passes to a fixed point, then sets parentheses by precedence. ``-O0`` runs none of
the passes (parenthesization still runs: it changes the text, never the tree).
"""

from __future__ import annotations

from typing import Callable

import libcst as cst

from .inline import InlineTemporaries, RenumberTemporaries
from .parens import Reparenthesize

PassFactory = Callable[[], cst.CSTTransformer]

# The optimizing pipeline, in order. Each entry is (name, transformer factory).
PIPELINE: list[tuple[str, PassFactory]] = [
    ("inline", InlineTemporaries),
    ("renumber", RenumberTemporaries),
]

MAX_ROUNDS = 10


def optimize(code: str, level: int = 1) -> str:
    """Run the pipeline until no pass changes anything (each pass reports ``changed``)."""
    module = cst.parse_module(code)
    if level > 0:
        for _ in range(MAX_ROUNDS):
            changed = False
            for _, factory in PIPELINE:
                transformer = factory()
                module = module.visit(transformer)
                changed |= bool(getattr(transformer, "changed", True))
            if not changed:
                break
    return module.visit(Reparenthesize()).code


__all__ = ["optimize", "PIPELINE", "InlineTemporaries", "RenumberTemporaries", "Reparenthesize"]
