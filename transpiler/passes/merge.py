"""Merge identical functions: variants that came out the same are defined once.

Variants of an op that differ in a choice their code does not depend on (BatchNorm's train
and eval without running statistics, an activation and its alias, a recurrent layer's
step with and without ``batch_first``) render function bodies that are the same to the
letter but for the function's own name. Each such group keeps its first definition; the
others are dropped and every reference to them (dispatch tables, drivers, other
functions) names the one kept. Callers that differed only in which of the merged names
they called are then the same in turn: the pass repeats until no two functions match.

Only private functions of one family merge: the NumPy functions with each other, the
CuPy twins (``_cupy_...``) and the compiled twins (``_jit_...``) among themselves, so
that each backend's code still reads as its own. A function that names itself
(recursion) is left alone, and so is every public function.
"""

from __future__ import annotations

import libcst as cst

from .common import Substitute, nodes

FAMILIES = ("_cupy_", "_jit_")


def family(name: str) -> str:
    """The backend a private function belongs to: its prefix, or '' for NumPy."""
    return next((prefix for prefix in FAMILIES if name.startswith(prefix)), "")


def _reads_itself(function: cst.FunctionDef) -> bool:
    name = function.name.value
    return any(type(node) is cst.Name and node.value == name for node in nodes(function.body))


class MergeIdenticalFunctions:
    """A module pass (not a transformer: it compares the module's functions with each
    other). ``changed`` says whether it merged any."""

    def __init__(self) -> None:
        self.changed = False

    def apply(self, module: cst.Module) -> cst.Module:
        while True:
            renames = self._duplicates(module)
            if not renames:
                return module
            self.changed = True
            body = [stmt for stmt in module.body
                    if not (isinstance(stmt, cst.FunctionDef) and stmt.name.value in renames)]
            module = Substitute({old: cst.Name(new) for old, new in renames.items()}).apply(module.with_changes(body=body))

    @staticmethod
    def _duplicates(module: cst.Module) -> dict[str, str]:
        """Each function that repeats an earlier one of its family, to the earlier one's name."""
        first: dict[tuple[str, str], str] = {}
        renames: dict[str, str] = {}
        for stmt in module.body:
            if not isinstance(stmt, cst.FunctionDef):
                continue
            name = stmt.name.value
            if not name.startswith("_") or name.startswith("__") or _reads_itself(stmt):
                continue
            text = module.code_for_node(stmt.with_changes(name=cst.Name("_"), leading_lines=()))
            kept = first.setdefault((family(name), text), name)
            if kept != name:
                renames[name] = kept
        return renames
