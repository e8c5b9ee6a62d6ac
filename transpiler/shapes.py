"""Symbolic shapes: dimensions are names (``B``, ``in_features``) or the integer 1 (a
parameter's or buffer's may be any positive integer: an affine matrix's 6 entries).

A shape may start with ``...`` (any number of leading dimensions, as in an elementwise op that
accepts any batch layout). Broadcasting follows NumPy, right-aligned. A shape of ``None`` in
the IR means "not known at generation time"; such values are checked at run time only.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Union

Dim = Union[str, int]
# A dimension that is a whole multiple of a named size: ``3*E`` (q, k and v stacked),
# ``4*hidden_size`` (PyTorch's packed gates)
MULTIPLE = re.compile(r"([2-9]|[1-9][0-9]+)\*([A-Za-z][A-Za-z0-9_]*)")


class ShapeError(Exception):
    """A shape mismatch found at generation time."""


@dataclass(frozen=True)
class Shape:
    dims: tuple[Dim, ...]
    ellipsis: bool = False  # leading '...'

    @property
    def rank(self) -> int:
        return len(self.dims)

    @property
    def is_scalar(self) -> bool:
        return not self.dims and not self.ellipsis

    def __str__(self) -> str:
        parts = (["..."] if self.ellipsis else []) + [str(d) for d in self.dims]
        return "[" + ", ".join(parts) + "]"

    def with_dim(self, axis: int, dim: Dim) -> "Shape":
        dims = list(self.dims)
        dims[self.normalize_axis(axis)] = dim
        return Shape(tuple(dims), self.ellipsis)

    def normalize_axis(self, axis: int) -> int:
        if self.ellipsis and axis >= 0:
            raise ShapeError(f"axis {axis} counts from the front of a shape with '...'; use a negative axis")
        index = axis if axis >= 0 else self.rank + axis
        if not 0 <= index < self.rank:
            raise ShapeError(f"axis {axis} is out of range for shape {self}")
        return index


SCALAR = Shape(())


def base_dimension(dim: object) -> object:
    """The named size of a dimension: ``hidden_size`` for ``4*hidden_size``."""
    match = MULTIPLE.fullmatch(dim) if isinstance(dim, str) else None
    return match.group(2) if match else dim


def parse(dims: list[object], fixed: bool = False) -> Shape:
    """A shape from a spec's list, e.g. ``[..., F]`` or ``[B, in_features]``; with ``fixed``
    (a parameter's or buffer's) a dimension may be any positive integer, a size that the op
    itself fixes (``[6, hidden]``: the six entries of an affine matrix)."""
    ellipsis = bool(dims) and dims[0] == "..."
    body = dims[1:] if ellipsis else dims
    out: list[Dim] = []
    for dim in body:
        if dim == "...":
            raise ShapeError("'...' may only be the first dimension")
        if isinstance(dim, bool) or not isinstance(dim, (str, int)):
            raise ShapeError(f"a dimension must be a name or 1, got {dim!r}")
        if isinstance(dim, int) and dim != 1 and not (fixed and dim > 1):
            raise ShapeError(f"a fixed dimension may only be 1, got {dim}; name the dimension instead"
                             if not fixed else f"a fixed dimension must be a positive integer, got {dim}")
        multiple = MULTIPLE.fullmatch(dim) if isinstance(dim, str) else None
        if multiple is not None and not keyword.iskeyword(multiple.group(2)):
            out.append(dim)  # 4*hidden_size: packed gates
            continue
        if isinstance(dim, str) and not (dim.isascii() and dim.isidentifier()) or keyword.iskeyword(str(dim)):
            shown = repr(dim) if len(repr(dim)) <= 60 else repr(dim)[:56] + "...'"
            raise ShapeError(f"a dimension name must be an ASCII identifier, not a keyword, got {shown}")
        out.append(dim)
    return Shape(tuple(out), ellipsis)


def broadcast(a: Shape, b: Shape) -> Shape:
    dims: list[Dim] = []
    for i in range(1, max(a.rank, b.rank) + 1):
        da = a.dims[-i] if i <= a.rank else None
        db = b.dims[-i] if i <= b.rank else None
        if da is None:
            dims.append(db)  # type: ignore[arg-type]
        elif db is None or da == db or db == 1:
            dims.append(da)
        elif da == 1:
            dims.append(db)
        else:
            raise ShapeError(f"shapes {a} and {b} do not broadcast: {da} against {db}")
    return Shape(tuple(reversed(dims)), a.ellipsis or b.ellipsis)


def sum_to_axes(source: Shape, target: Shape) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """The axes to sum so that ``source`` becomes ``target`` after broadcasting.

    Returns ``(leading, kept)``: leading axes to drop, then axes of size 1 in ``target`` to
    sum with ``keepdims``. Returns ``None`` when the answer depends on a run-time rank.
    """
    if source == target:
        return (), ()
    if source.ellipsis and not target.ellipsis:
        return None
    if target.ellipsis and not source.ellipsis:
        raise ShapeError(f"cannot reduce {source} to {target}")
    extra = source.rank - target.rank
    if extra < 0:
        raise ShapeError(f"cannot reduce {source} to {target}")
    if source.ellipsis and extra:
        return None
    leading = tuple(range(extra))
    # Kept axes count from the end: after the leading ones are gone, and past any '...'.
    kept = tuple(
        i - target.rank
        for i, (s, t) in enumerate(zip(source.dims[extra:], target.dims))
        if t == 1 and s != 1
    )
    return leading, kept
