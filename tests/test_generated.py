"""Snapshot and hygiene of generated/: it is exactly what the specs produce, a second run writes
nothing, output does not depend on the hash seed, black leaves it alone, and every module
names its spec and compiles."""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import subprocess
import sys

import pytest

from harness import PATHS, ROOT
from transpiler import writer
from transpiler.fmt import format_code
from transpiler.pipeline import generate


@pytest.fixture(scope="module")
def files():
    return generate(PATHS)


def test_generated_matches_specs(files):
    plan = writer.plan(PATHS.generated, files)
    assert plan.clean, (
        f"generated/ is stale: changed {plan.changed}, missing {plan.missing}, "
        f"orphaned {plan.orphaned}; run `make generate`"
    )


def test_second_run_writes_nothing(files, tmp_path):
    out = tmp_path / "generated"
    first = writer.write(out, files)
    assert sorted(first) == sorted(files)
    assert writer.write(out, files) == []
    (out / "layerforge" / "stale.py").write_text("x = 1\n")
    assert writer.write(out, files) == ["layerforge/stale.py"]
    assert not (out / "layerforge" / "stale.py").exists()


def test_check_reports_hand_edits(files, tmp_path):
    out = tmp_path / "generated"
    writer.write(out, files)
    edited = out / "layerforge" / "activations" / "relu.py"
    edited.write_text(edited.read_text() + "# tweak\n")
    plan = writer.plan(out, files)
    assert plan.changed == plan.hand_edited == ["layerforge/activations/relu.py"]


def _digest_under_seed(seed: str) -> str:
    code = (
        "import hashlib; from pathlib import Path\n"
        "from transpiler.pipeline import Paths, generate\n"
        "files = generate(Paths(Path('.').resolve()), cache=False)\n"
        "h = hashlib.sha256()\n"
        "for k in sorted(files): h.update(k.encode()); h.update(files[k].encode())\n"
        "print(h.hexdigest())\n"
    )
    env = dict(os.environ, PYTHONHASHSEED=seed)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_output_is_identical_under_different_hash_seeds(files):
    """One uncached generation under a fixed seed against ``files``: those were rendered (or
    read from the cache ``make check`` filled) in processes whose seed Python drew at random."""
    digest = hashlib.sha256()
    for key in sorted(files):
        digest.update(key.encode())
        digest.update(files[key].encode())
    seed = "4242" if os.environ.get("PYTHONHASHSEED") != "4242" else "1"
    assert _digest_under_seed(seed) == digest.hexdigest()


def test_black_is_stable_on_generated_code(files):
    for rel, text in files.items():
        if rel.endswith(".py"):
            assert format_code(text) == text, rel


def test_modules_name_their_spec_and_carry_no_paths_or_times(files):
    for rel, text in files.items():
        assert str(ROOT) not in text, rel
        if "/activations/" in rel or "/layers/" in rel:
            if rel.endswith("__init__.py"):
                continue
            doc = ast.get_docstring(ast.parse(text))
            name = rel.rsplit("/", 1)[1][:-3]
            assert "Generated from layers_spec/" in doc and f"/{name}.yaml" in doc, rel


def test_every_module_compiles(files):
    for rel, text in files.items():
        compile(text, rel, "exec")


def test_no_dead_temporaries(files):
    """Every assignment in a generated function is read later (no dead code)."""
    for rel, text in files.items():
        for fn in ast.walk(ast.parse(text)):
            if not isinstance(fn, ast.FunctionDef):
                continue
            loads = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            for stmt in fn.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                    assert stmt.targets[0].id in loads, f"{rel}:{fn.name}: '{stmt.targets[0].id}' is never read"


def test_check_cli_is_clean_and_detects_drift(tmp_path):
    for folder in ("layers_spec", "templates", "generated"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    # The render cache is keyed by content, not by place: the copy reuses this checkout's.
    cache = ROOT / ".cache" / "generate"
    if cache.is_dir():
        shutil.copytree(cache, tmp_path / ".cache" / "generate")
    run = [sys.executable, "-m", "transpiler", "--root", str(tmp_path), "generate", "--check"]
    clean = subprocess.run(run, cwd=ROOT, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    relu = tmp_path / "generated" / "layerforge" / "activations" / "relu.py"
    relu.write_text(relu.read_text() + "# a hand edit\n")
    (tmp_path / "generated" / "layerforge" / "activations" / "gelu.py").unlink()
    (tmp_path / "generated" / "layerforge" / "extra.py").write_text("")
    drift = subprocess.run(run, cwd=ROOT, capture_output=True, text=True)
    assert drift.returncode == 1
    assert "changed: generated/layerforge/activations/relu.py (edited by hand)" in drift.stdout
    assert "missing: generated/layerforge/activations/gelu.py" in drift.stdout
    assert "orphaned: generated/layerforge/extra.py" in drift.stdout
    assert "run `make generate`" in drift.stdout
    assert relu.read_text().endswith("# a hand edit\n")  # --check wrote nothing


def test_renders_of_code_changed_since_import_are_not_cached(monkeypatch):
    """A process whose transpiler sources changed on disk after it imported them renders with
    the old code: it must neither serve nor store renders under the new sources' digest."""
    from transpiler import pipeline

    renders = []
    real_render = pipeline.render
    monkeypatch.setattr(pipeline, "render", lambda *args: renders.append(args[0].name) or real_render(*args))
    cache = ROOT / ".cache" / "generate"
    pipeline.generate(PATHS, only=["relu"])
    entries = sorted(cache.iterdir())
    renders.clear()
    pipeline.generate(PATHS, only=["relu"])
    assert renders == []  # served from the cache
    monkeypatch.setattr(pipeline, "IMPORTED_SOURCES", "sources as imported before an edit")
    pipeline.generate(PATHS, only=["relu"])
    assert renders == ["relu"] and sorted(cache.iterdir()) == entries
