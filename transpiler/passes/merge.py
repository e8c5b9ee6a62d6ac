"""Merge identical functions: variants that came out the same are defined once.

Variants of an op that differ in a choice some of their code does not depend on
(BatchNorm's train and eval without running statistics, an activation and its alias,
the input projection hoisted out of a recurrent layer's loop, whatever its activation)
render functions that are the same to the letter but for their own names. Each such
group keeps its first definition; the others are dropped and every reference to them
(dispatch tables, drivers, other functions) names the one kept. Callers that differed
only in which of the merged names they called are then the same in turn: the pass
repeats until no two functions match.

Only private functions merge, and the compiled twins (``_jit_...``, which numba compiles
apart) only among themselves. A CuPy helper (``_cupy_...``) the same as a NumPy one is
array code that names neither ``np`` nor ``cp`` (only array methods and operators): it
runs on either backend's arrays, so it merges into the NumPy helper, which keeps its
name. The CuPy twins of the variant functions stay the CuPy path's own, even where one
came out the same as NumPy's (an identity): forward's ``on_gpu`` branch would otherwise
repeat the NumPy call below it. A function that names itself (recursion) is left alone,
and so is every public function.
"""

from __future__ import annotations

import libcst as cst

from .common import Substitute, nodes

# The names of the variant functions (and their steps), as ``common.is_kernel`` knows them.
VARIANT_PREFIXES = ("_forward", "_backward", "_entry_")


def family(name: str) -> str:
    """Which functions one may merge with: the compiled twins', the CuPy variant functions'
    or the array code's (NumPy's functions and CuPy's helpers)."""
    if name.startswith("_jit_"):
        return "_jit_"
    if name.startswith("_cupy_") and name.removeprefix("_cupy").startswith(VARIANT_PREFIXES):
        return "_cupy_"
    return ""


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
        """Each function that repeats an earlier one it may merge with, to the earlier one's name."""
        first: dict[tuple[str, str], str] = {}
        renames: dict[str, str] = {}
        functions = [stmt for stmt in module.body if isinstance(stmt, cst.FunctionDef)]
        # the NumPy functions first, so that a CuPy twin merges into its NumPy original
        for stmt in sorted(functions, key=lambda f: f.name.value.startswith("_cupy_")):
            name = stmt.name.value
            if not name.startswith("_") or name.startswith("__") or _reads_itself(stmt):
                continue
            text = module.code_for_node(stmt.with_changes(name=cst.Name("_"), leading_lines=()))
            kept = first.setdefault((family(name), text), name)
            if kept != name:
                renames[name] = kept
        return renames
