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

import libcst as cst

from .common import KernelPass, Substitute, assignment, nodes, reads, rename, with_body, writes

TEMPORARY_PREFIX = "_t"


class InlineTemporaries(KernelPass):
    """Substitute single-use, single-assignment temporaries into their one reader."""

    def rewrite(self, updated: cst.FunctionDef) -> cst.FunctionDef | None:
        body = list(updated.body.body)
        written = writes(updated.body)
        assigned, mutated = written.assigned, written.mutated
        used = reads(updated.body)
        readers: dict[str, set[str]] = {}  # name -> kinds of statement that read it
        for stmt in body:
            kind = "assign" if assignment(stmt) else "other"
            for name in reads(stmt):
                readers.setdefault(name, set()).add(kind)
        candidates: set[str] = set()
        for stmt in body:
            single = assignment(stmt)
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
            return None
        values: dict[str, cst.BaseExpression] = {}
        substitute = Substitute(values)  # its table grows as temporaries are taken
        new_body: list[cst.BaseStatement] = []
        for stmt in body:
            substituted = substitute.apply(stmt)
            single = assignment(substituted)  # type: ignore[arg-type]
            if single is not None and single[0] in candidates:
                values[single[0]] = single[1]
                continue
            new_body.append(substituted)  # type: ignore[arg-type]
        return with_body(updated, new_body)


class RenumberTemporaries(KernelPass):
    """Renumber the temporaries that survive inlining ``_t1, _t2, ...`` per function, in order
    of first appearance, so names do not depend on how many were inlined away.

    Forward and backward functions exchange saved values by position, not by name, so each
    function's numbering is its own.
    """

    def rewrite(self, updated: cst.FunctionDef) -> cst.FunctionDef | None:
        order: dict[str, str] = {}
        for name in (n.value for n in nodes(updated) if type(n) is cst.Name):
            if _is_temporary(name) and name not in order:
                order[name] = f"{TEMPORARY_PREFIX}{len(order) + 1}"
        if all(old == new for old, new in order.items()):
            return None
        return rename(order).apply(updated)


class RenumberKernelTemporaries(cst.CSTTransformer):
    """Renumber the temporaries of each compiled row kernel (a function decorated
    ``@row_kernel``) ``_t1, _t2, ...`` in order of first appearance, with the names made from
    them (``_t3_out``, the kernel's output of ``_t3``; ``_t3_row``, its scratch row) renamed
    alike. A kernel's numbers come from the IR of its direction, where a backward's continue
    from its forward's; renumbered, the kernels of two variants that compute the same (the
    backward of gumbel_softmax in training and in evaluation) are the same text, which
    ``MergeIdenticalFunctions`` then merges. Kernels are called with positional arguments
    only, so their parameters are renamed too. ``changed`` says whether it renamed any."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        if not any(isinstance(d.decorator, cst.Name) and d.decorator.value == "row_kernel" for d in updated.decorators):
            return updated
        numbers: dict[str, str] = {}
        order: dict[str, str] = {}
        for name in (n.value for n in nodes(updated) if type(n) is cst.Name):
            base, suffix = _kernel_temporary(name)
            if base is None:
                continue
            numbers.setdefault(base, str(len(numbers) + 1))
            order[name] = f"{TEMPORARY_PREFIX}{numbers[base]}{suffix}"
        if all(old == new for old, new in order.items()):
            return updated
        self.changed = True
        return rename(order).apply(updated)


def _kernel_temporary(name: str) -> tuple[str | None, str]:
    """A kernel's temporary ``_t<n>``, or a name made from one (``_t<n>_out``, ``_t<n>_row``):
    its number and suffix, else (None, "")."""
    for suffix in ("_out", "_row", ""):
        if name.endswith(suffix) and _is_temporary(name[: len(name) - len(suffix)]):
            return name[len(TEMPORARY_PREFIX) : len(name) - len(suffix)], suffix
    return None, ""


def _is_temporary(name: str) -> bool:
    return name.startswith(TEMPORARY_PREFIX) and name[len(TEMPORARY_PREFIX):].isdigit()
