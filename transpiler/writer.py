"""Writing ``generated/``: only changed files, each through a temporary file and an atomic
rename, orphans removed, and a manifest of every file's hash so hand edits are detected."""

from __future__ import annotations

import hashlib
import json
import os
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


def _existing(root: Path) -> dict[str, Path]:
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): p
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.name != MANIFEST
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


def _atomic_write(path: Path, text: str) -> None:
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


def write(root: Path, files: dict[str, str]) -> list[str]:
    """Bring ``root`` to exactly ``files``; return the relative paths written or removed."""
    todo = plan(root, files)
    touched: list[str] = []
    for rel in todo.missing + todo.changed:
        _atomic_write(root / rel, files[rel])
        touched.append(rel)
    for rel in todo.orphaned:
        (root / rel).unlink()
        touched.append(rel)
    manifest = manifest_text(files)
    manifest_path = root / MANIFEST
    if not manifest_path.exists() or manifest_path.read_text(encoding="utf-8") != manifest:
        _atomic_write(manifest_path, manifest)
    _remove_empty_dirs(root)
    return touched


def _remove_empty_dirs(root: Path) -> None:
    for directory in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        if directory.name != "__pycache__" and not any(directory.iterdir()):
            directory.rmdir()
