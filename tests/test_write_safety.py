"""Writes are safe (issue 23, section 3): two generate runs at once, --only through a link,
the mode of written files, a read-only or linked generated/.

Each test works on a small project (the primitive table, two activations and the templates)
in a temporary folder, so that a generation takes seconds.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from transpiler import writer
from transpiler.cli import main

ROOT = Path(__file__).resolve().parent.parent
OPS = ("relu", "elu")


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "layers_spec" / "activations").mkdir(parents=True)
    shutil.copy(ROOT / "layers_spec" / "primitives.yaml", root / "layers_spec")
    for op in OPS:
        shutil.copy(ROOT / "layers_spec" / "activations" / f"{op}.yaml", root / "layers_spec" / "activations")
    shutil.copytree(ROOT / "templates", root / "templates")
    return root


def _generate(root: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "transpiler", "--root", str(root), "generate", "--no-cache", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_runs_at_once_both_succeed_and_leave_a_complete_tree(tmp_path):
    root = _project(tmp_path)
    first, second = _generate(root), _generate(root)
    results = [proc.communicate(timeout=300) + (proc.returncode,) for proc in (first, second)]
    assert [code for _, _, code in results] == [0, 0], results
    assert main(["--root", str(root), "generate", "--check"]) == 0
    generated = _files(root / "generated")
    assert {f"layerforge/activations/{op}.py" for op in OPS} <= set(generated)
    assert not [p.name for p in root.iterdir() if p.name.startswith(".generated")]


def test_a_second_writer_waits_for_the_lock(tmp_path):
    root = _project(tmp_path)
    assert main(["--root", str(root), "generate"]) == 0
    (root / "generated" / "layerforge" / "activations" / "relu.py").write_text("# stale\n")
    with writer.locked(root / "generated"):
        proc = _generate(root)
        deadline = time.monotonic() + 120
        line = ""
        while time.monotonic() < deadline and "waiting" not in line:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                break
        assert "another generate run is writing generated/; waiting" in line
        time.sleep(0.5)
        assert proc.poll() is None  # still waiting: it wrote nothing while the lock was held
        assert (root / "generated" / "layerforge" / "activations" / "relu.py").read_text() == "# stale\n"
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    assert main(["--root", str(root), "generate", "--check"]) == 0


def test_only_refuses_to_write_through_a_link_to_outside(tmp_path, capsys):
    root = _project(tmp_path)
    assert main(["--root", str(root), "generate"]) == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    activations = root / "generated" / "layerforge" / "activations"
    shutil.rmtree(activations)
    activations.symlink_to(outside, target_is_directory=True)
    capsys.readouterr()
    assert main(["--root", str(root), "generate", "--only", "relu"]) == 3
    err = capsys.readouterr().err
    assert "is a symbolic link" in err and "nothing was written" in err
    assert list(outside.iterdir()) == []


def test_written_files_have_the_usual_mode(tmp_path):
    root = _project(tmp_path)
    previous = os.umask(0o022)
    try:
        assert main(["--root", str(root), "generate"]) == 0
        target = root / "generated" / "layerforge" / "activations" / "relu.py"
        target.write_text("# stale\n")
        os.chmod(target, 0o600)
        assert main(["--root", str(root), "generate", "--only", "relu"]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert stat.S_IMODE((root / "generated" / "layerforge" / "activations" / "elu.py").stat().st_mode) == 0o644


def test_a_linked_generated_folder_is_refused_before_building_and_left_alone(tmp_path, capsys):
    root = _project(tmp_path)
    real = tmp_path / "elsewhere"
    assert main(["--root", str(root), "generate"]) == 0
    (root / "generated").rename(real)
    (root / "generated").symlink_to(real, target_is_directory=True)
    before = _files(real)
    capsys.readouterr()
    assert main(["--root", str(root), "generate", "--no-cache"]) == 3
    err = capsys.readouterr().err
    assert "generated/ is a symbolic link" in err
    assert (root / "generated").is_symlink() and _files(real) == before
    # Made a real folder again, the next run works: nothing was left for it to trip on.
    (root / "generated").unlink()
    assert main(["--root", str(root), "generate"]) == 0
    assert main(["--root", str(root), "generate", "--check"]) == 0


def _honest_access(monkeypatch):
    """As root, permission bits do not bind (root writes into a read-only folder, so there
    is nothing to refuse): answer ``os.access`` from the bits, as for any other user."""
    if os.geteuid() != 0:
        return
    real = os.access

    def access(path, mode):
        if mode & os.W_OK and not os.stat(path).st_mode & stat.S_IWUSR:
            return False
        return real(path, mode)

    monkeypatch.setattr(writer.os, "access", access)


def test_a_read_only_generated_folder_is_refused_before_building(tmp_path, capsys, monkeypatch):
    root = _project(tmp_path)
    assert main(["--root", str(root), "generate"]) == 0
    (root / "generated" / "layerforge" / "activations" / "relu.py").write_text("# stale\n")
    folder = root / "generated" / "layerforge" / "activations"
    os.chmod(folder, 0o555)
    _honest_access(monkeypatch)
    try:
        capsys.readouterr()
        assert main(["--root", str(root), "generate"]) == 3
        err = capsys.readouterr().err
        assert "generated/layerforge/activations is read-only" in err and "nothing was written" in err
        assert not [p.name for p in root.iterdir() if p.name.startswith(".generated")]
    finally:
        os.chmod(folder, 0o755)
    assert main(["--root", str(root), "generate"]) == 0
    assert main(["--root", str(root), "generate", "--check"]) == 0


def test_recovery_removes_leftovers_that_are_links_or_read_only(tmp_path):
    root = tmp_path / "generated"
    writer.write(root, {"a.py": "a = 1\n"})
    staging, old = tmp_path / ".generated.staging", tmp_path / ".generated.old"
    (staging / "sub").mkdir(parents=True)
    (staging / "sub" / "f.py").write_text("x\n")
    os.chmod(staging / "sub", 0o555)
    old.symlink_to(tmp_path / "nowhere")
    writer.recover(root)
    assert not staging.exists() and not old.is_symlink()
    assert writer.write(root, {"a.py": "a = 2\n"}) == ["a.py"]
    assert (root / "a.py").read_text() == "a = 2\n"


@pytest.mark.parametrize("rel", ["../outside.py", "layerforge/../../outside.py"])
def test_write_some_refuses_paths_that_leave_the_root(tmp_path, rel):
    root = tmp_path / "generated"
    root.mkdir()
    with pytest.raises(writer.WriteError):
        writer.write_some(root, {rel: "x = 1\n"})
    assert not (tmp_path / "outside.py").exists()
