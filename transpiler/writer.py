"""Writing ``generated/``: all or nothing, only when something changed, with a manifest of
every file's hash so hand edits are detected.

A run that changes anything builds the complete new tree beside the old one (unchanged files
hard-linked, so they keep their identity), then swaps the two directories in one atomic
``renameat2(RENAME_EXCHANGE)`` on Linux. A process killed at any point leaves
``generated/`` entirely old or entirely new; leftovers of a killed run are removed by the next.
Where the exchange is not available, two renames are used and the next run restores the old
tree if a kill fell between them.

Runs that write take an exclusive lock (``flock`` on the output root's parent directory, so
no lock file is left behind): a second ``generate`` waits for the first, and neither can
remove the other's staging tree. Before anything is built, ``check_writable`` refuses an
output root that is a symbolic link or that cannot be written, with a clear message, so no
run leaves a state that later runs fail on; ``write_some`` (``--only``) refuses paths that
resolve outside the root. Files get the usual mode (0644 under the usual umask).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

MANIFEST = ".manifest.json"


class WriteError(Exception):
    """The output tree cannot be written as asked (a link, no permission, a path outside)."""


def _mode() -> int:
    """The mode a new file gets from ``open``: 0666 less the process's umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def check_writable(root: Path) -> None:
    """Refuse, before any work, an output root that a run could not replace cleanly: a
    symbolic link (the swap would move the link, not the tree), or a root, directory below
    it or parent that this process cannot write (the old tree could not be removed)."""
    display = root.name + "/"
    if root.is_symlink():
        raise WriteError(f"{display} is a symbolic link (to {os.readlink(root)}); refusing to replace it: "
                         "make it a real directory")
    parent = root.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent  # created on writing: the first folder that exists must be writable
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise WriteError(f"cannot write in {parent} (the folder that holds {display})")
    if not root.exists():
        return
    if not root.is_dir():
        raise WriteError(f"{display} is not a directory")
    for directory in [root, *(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())]:
        if not os.access(directory, os.W_OK | os.X_OK):
            raise WriteError(f"{display}{directory.relative_to(root).as_posix() if directory != root else ''} "
                             "is read-only; make it writable (chmod u+w) and run again")
    links = [p for p in root.rglob("*") if p.is_symlink()]
    if links:
        raise WriteError(f"{display}{links[0].relative_to(root).as_posix()} is a symbolic link; "
                         f"{display} must hold plain files and folders only")


@contextlib.contextmanager
def locked(root: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the exclusive lock of ``root``'s writers (``flock`` on its parent directory);
    ``waiting`` is called once if another run holds it (then this one waits its turn)."""
    root.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(root.parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


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
        os.fchmod(fd, _mode())  # mkstemp makes 0600; a generated file is as any other
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_some(root: Path, files: dict[str, str], waiting: Callable[[], None] | None = None) -> list[str]:
    """Write the files that differ (``--only``), under the writers' lock; the others and
    the manifest are left alone. A path whose folder resolves outside ``root`` (a link
    inside it) is refused before anything is written."""
    check_writable(root)
    top = root.resolve()
    for rel in files:
        target = root / rel
        if not target.parent.resolve().is_relative_to(top) or target.is_symlink():
            raise WriteError(f"{root.name}/{rel} resolves outside {root.name}/ (a symbolic link or '..'); refused")
    written = []
    with locked(root, waiting):
        for rel, text in sorted(files.items()):
            target = root / rel
            if target.exists() and target.read_text(encoding="utf-8") == text:
                continue
            write_file(target, text)
            written.append(rel)
    return written


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
    if not root.exists() and old.exists() and not old.is_symlink():
        os.rename(old, root)
    for leftover in (old, staging):
        if leftover.is_symlink():
            leftover.unlink()  # a link that an older version swapped out of the way
        elif leftover.exists():
            shutil.rmtree(leftover, onerror=_force)


def _force(function, path, _excinfo) -> None:  # type: ignore[no-untyped-def]
    """rmtree's error handler: a read-only folder of a leftover is made writable and the
    removal tried again, so a leftover never blocks later runs."""
    parent = os.path.dirname(path)
    os.chmod(parent, os.stat(parent).st_mode | 0o700)
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, os.stat(path).st_mode | 0o700)
    function(path)


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


def write(root: Path, files: dict[str, str], waiting: Callable[[], None] | None = None) -> list[str]:
    """Bring ``root`` to exactly ``files``, atomically, under the writers' lock; return the
    relative paths written or removed (empty when nothing changed)."""
    check_writable(root)
    with locked(root, waiting):
        return _write(root, files)


def _write(root: Path, files: dict[str, str]) -> list[str]:
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
