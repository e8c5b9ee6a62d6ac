"""What the passes share."""

from __future__ import annotations

import libcst as cst


def is_kernel(node: cst.FunctionDef) -> bool:
    """The generated variant functions (``_forward...``/``_backward...``) are what passes
    rewrite; the public wrappers and helpers are left as written."""
    name = node.name.value
    return name.startswith("_forward") or name.startswith("_backward")
