"""The command line: help, explain, --only, unknown names, and progress on a terminal."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from harness import ROOT
from transpiler.cli import main


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "transpiler", *args], cwd=ROOT, capture_output=True, text=True, **kwargs)


def test_help_documents_every_option():
    out = run("--help").stdout + run("generate", "--help").stdout
    for option in ("--check", "-O0", "--only", "explain", "--no-cache", "Exit codes"):
        assert option in out


def test_explain_shows_ir_saved_values_and_path(capsys):
    assert main(["explain", "tanh"]) == 0
    out = capsys.readouterr().out
    assert "y = tanh(x)" in out
    assert "# forward saves for backward: y" in out
    assert "# generated: generated/layerforge/activations/tanh.py" in out
    assert "# fusion groups" in out and "def _backward(grad_y, y):" in out


def test_unknown_names_exit_2(capsys):
    assert main(["explain", "gleu"]) == 2
    assert "did you mean 'gelu'?" in capsys.readouterr().err
    assert main(["generate", "--only", "nothing_like_this"]) == 2


def test_only_writes_just_those_modules(tmp_path):
    for folder in ("layers_spec", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    assert main(["--root", str(tmp_path), "generate", "--only", "relu", "dense"]) == 0
    written = sorted(p.relative_to(tmp_path / "generated").as_posix() for p in (tmp_path / "generated").rglob("*.py"))
    assert written == ["layerforge/activations/relu.py", "layerforge/layers/dense.py"]


def test_o0_emits_unoptimized_code(tmp_path):
    for folder in ("layers_spec", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    assert main(["--root", str(tmp_path), "generate", "-O0", "--only", "gelu"]) == 0
    text = (tmp_path / "generated" / "layerforge" / "activations" / "gelu.py").read_text()
    assert "_t1 = x**3" in text  # one statement per IR node, nothing inlined


def test_progress_is_shown_on_a_terminal():
    leader, follower = os.openpty()
    proc = subprocess.run([sys.executable, "-m", "transpiler", "generate", "--check"], cwd=ROOT,
                          stderr=follower, stdout=subprocess.DEVNULL)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.returncode == 0
    # Op names, not module paths (there is now a layer named 'activation', so match the folder).
    assert re.search(rb"\[ *1/[0-9]+\] ", seen) and b"activations/" not in seen  # [  1/103] activation
    assert b"] gelu" in seen
