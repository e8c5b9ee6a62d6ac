"""Spec errors: every problem in a spec is reported as ``path:line:col: error: message``.

Errors are collected, not raised one at a time, so a run reports every mistake it found.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True, order=True)
class Location:
    """A position in a spec file; ``line`` and ``col`` are 1-based."""

    path: str
    line: int = 1
    col: int = 1

    def shifted(self, lines: int = 0, col: int | None = None) -> "Location":
        return Location(self.path, self.line + lines, self.col if col is None else col)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    loc: Location
    message: str

    def __str__(self) -> str:
        return f"{self.loc}: error: {self.message}"


class SpecError(Exception):
    """One or more problems in the specs. ``str()`` gives one diagnostic per line."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.loc, d.message))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class Collector:
    """Gathers diagnostics while a stage runs; ``check()`` raises them all at once."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[Diagnostic] = set()

    def error(self, loc: Location, message: str) -> None:
        # A statement compiled once per variant reports a problem once, not once per variant.
        diagnostic = Diagnostic(loc, message)
        if diagnostic not in self._seen:
            self._seen.add(diagnostic)
            self.diagnostics.append(diagnostic)

    def extend(self, error: SpecError) -> None:
        self.diagnostics.extend(error.diagnostics)
        self._seen.update(error.diagnostics)

    def __bool__(self) -> bool:
        return bool(self.diagnostics)

    def check(self) -> None:
        if self.diagnostics:
            raise SpecError(self.diagnostics)


# How much of a spec's own text a message quotes: enough to recognise it, never a whole file.
QUOTE_LIMIT = 60


def quoted(value: object) -> str:
    """``repr(value)``, cut to ``QUOTE_LIMIT`` characters with an ellipsis: a message names
    a value, it never echoes a file."""
    text = repr(value)
    if len(text) <= QUOTE_LIMIT:
        return text
    return text[: QUOTE_LIMIT - 4] + "...'" if text[0] == "'" else text[: QUOTE_LIMIT - 3] + "..."


def short(text: str) -> str:
    """A spec-given string for a message inside quotes, cut like ``quoted``."""
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 3] + "..."


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A ``; did you mean 'x'?`` suffix for a misspelled name, or an empty string."""
    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
