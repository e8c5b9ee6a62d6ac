"""Formatting with black, pinned exactly (see requirements-dev.txt) and with an explicit mode,
so the same input gives the same bytes on every machine."""

from __future__ import annotations

import black

MODE = black.Mode(target_versions={black.TargetVersion.PY310}, line_length=88)


def format_code(code: str) -> str:
    return black.format_str(code, mode=MODE)
