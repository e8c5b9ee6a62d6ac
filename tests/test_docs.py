"""`make docs`: the reference pages of docs/ops/ are what the specs and generated/ give,
deterministic (a fresh render in another folder is byte for byte the committed tree), and
`docs --check` reports a page edited by hand without writing anything."""

from __future__ import annotations

import shutil

from harness import ROOT
from transpiler.cli import main


def test_docs_are_deterministic_and_checked(tmp_path, capsys):
    for folder in ("layers_spec", "generated"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for rel in ("tests/oracles.py", "scripts/bench.py"):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)
    assert main(["--root", str(tmp_path), "docs"]) == 0
    ours = {p.relative_to(tmp_path).as_posix(): p.read_text() for p in (tmp_path / "docs").rglob("*.md")}
    committed = {p.relative_to(ROOT).as_posix(): p.read_text() for p in (ROOT / "docs").rglob("*.md")}
    assert ours == committed  # the committed docs are current, and rendering is deterministic
    index = ours["docs/ops/README.md"]
    assert "[`gelu`](gelu.md)" in index and "[`lambda_`](lambda_.md)" in index
    gelu = ours["docs/ops/gelu.md"]
    for heading in ("# GELU (`gelu`)", "## Formula", "## Shapes", "## Attributes", "## PyTorch equivalent",
                    "## Variants", "## Generated source"):
        assert heading in gelu
    assert "| `approximate` | str | `'none'` |" in gelu and "F.gelu" in gelu
    assert "def _forward_none(x" in gelu and "def _backward_none(grad_y" in gelu
    page = tmp_path / "docs" / "ops" / "gelu.md"
    page.write_text(page.read_text() + "edited\n")
    capsys.readouterr()
    assert main(["--root", str(tmp_path), "docs", "--check"]) == 1
    out = capsys.readouterr().out
    assert "changed: docs/ops/gelu.md" in out and "out of date" in out
    assert page.read_text().endswith("edited\n")  # --check writes nothing
