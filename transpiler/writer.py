"""Writing ``generated/``: all or nothing, only when something changed, with a manifest of
every file's hash so hand edits are detected.

A run that changes anything builds the complete new tree beside the old one (unchanged files
hard-linked, so they keep their identity), then swaps the two directories in one atomic
``renameat2(RENAME_EXCHANGE)`` on Linux. A process killed at any point leaves
``generated/`` entirely old or entirely new; leftovers of a killed run are removed by the next.
Where the exchange is not available, two renames are used and the next run restores the old
tree if a kill fell between them.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".manifest.json"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Plan:
    """What a run would change under the output root, relative paths throughout."""

    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    hand_edited: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.changed or self.missing or self.orphaned)


def _foreign(rel: Path) -> bool:
    """Files that tools put beside generated code (bytecode, packaging metadata)."""
    return any(part == "__pycache__" or part.endswith(".egg-info") for part in rel.parts)


def _existing(root: Path) -> dict[str, Path]:
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): p
        for p in sorted(root.rglob("*"))
        if p.is_file() and not _foreign(p.relative_to(root)) and p.name != MANIFEST
    }


def _manifest(root: Path) -> dict[str, str]:
    path = root / MANIFEST
    if not path.exists():
        return {}
    try:
        return dict(json.loads(path.read_text(encoding="utf-8"))["files"])
    except (ValueError, KeyError, TypeError):
        return {}


def plan(root: Path, files: dict[str, str]) -> Plan:
    result = Plan()
    existing = _existing(root)
    recorded = _manifest(root)
    for rel in sorted(files):
        path = existing.get(rel)
        if path is None:
            result.missing.append(rel)
            continue
        current = path.read_text(encoding="utf-8")
        if current != files[rel]:
            result.changed.append(rel)
            if rel in recorded and recorded[rel] != digest(current):
                result.hand_edited.append(rel)
    result.orphaned = sorted(set(existing) - set(files))
    return result


def write_file(path: Path, text: str) -> None:
    """Write one file through a temporary file and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def manifest_text(files: dict[str, str]) -> str:
    entries = {rel: digest(text) for rel, text in sorted(files.items())}
    return json.dumps({"generator": "layerforge transpiler", "files": entries}, indent=2, sort_keys=True) + "\n"


def _staging(root: Path) -> Path:
    return root.parent / f".{root.name}.staging"


def _old(root: Path) -> Path:
    return root.parent / f".{root.name}.old"


def recover(root: Path) -> None:
    """Undo what a killed run left behind: the old tree comes back if the new one never
    arrived; stray staging or old trees are removed."""
    old, staging = _old(root), _staging(root)
    if not root.exists() and old.exists():
        os.rename(old, root)
    for leftover in (old, staging):
        if leftover.exists():
            shutil.rmtree(leftover)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result != 0:
        return False
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _build(staging: Path, root: Path, files: dict[str, str], unchanged: set[str]) -> None:
    for rel, text in sorted(files.items()):
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel in unchanged:
            try:
                os.link(root / rel, target)
                continue
            except OSError:
                pass
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    with open(staging / MANIFEST, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(manifest_text(files))
        handle.flush()
        os.fsync(handle.fileno())
    for directory in sorted({p.parent for p in staging.rglob("*")}, reverse=True):
        _fsync_dir(directory)


def write(root: Path, files: dict[str, str]) -> list[str]:
    """Bring ``root`` to exactly ``files``, atomically; return the relative paths written or
    removed (empty when nothing changed)."""
    recover(root)
    todo = plan(root, files)
    manifest_path = root / MANIFEST
    manifest_ok = manifest_path.exists() and manifest_path.read_text(encoding="utf-8") == manifest_text(files)
    if todo.clean and manifest_ok:
        return []
    touched = todo.missing + todo.changed + todo.orphaned
    staging = _staging(root)
    unchanged = set(files) - set(todo.missing) - set(todo.changed)
    _build(staging, root, files, unchanged)
    if not root.exists():
        os.rename(staging, root)
    elif _exchange(staging, root):
        shutil.rmtree(staging)
    else:
        os.rename(root, _old(root))
        os.rename(staging, root)
        shutil.rmtree(_old(root))
    _fsync_dir(root.parent)
    return sorted(touched)
