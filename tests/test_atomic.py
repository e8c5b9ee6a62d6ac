"""Generation killed at random points (SIGKILL) leaves generated/ entirely old or entirely new.

A subprocess writes a tree whose files are large enough for the write to take a while; it is
killed at a random moment of that window, 24 times. After each kill the tree must equal the
old or the new one byte for byte (once the next run's recovery has removed leftovers, which
never touch generated/ itself when the atomic exchange is available).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from transpiler import writer

ROOT = Path(__file__).resolve().parent.parent
TRIALS = 24

WRITER = """
import json, sys
from pathlib import Path
from transpiler import writer
files = json.loads(Path(sys.argv[2]).read_text())
print("start", flush=True)
writer.write(Path(sys.argv[1]), files)
print("done", flush=True)
"""


def tree(files_seed: int) -> dict[str, str]:
    rng = random.Random(files_seed)
    return {
        f"layerforge/{group}/m{i}.py": f"# {files_seed}\\n" + "".join(rng.choice("abcdefgh") for _ in range(200_000))
        for group in ("activations", "layers")
        for i in range(12)
    }


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def expected_digest(files: dict[str, str], tmp: Path) -> str:
    out = tmp / "reference"
    writer.write(out, files)
    return digest(out)


def test_killed_generation_is_all_or_nothing(tmp_path):
    old, new = tree(1), tree(2)
    old_digest, new_digest = expected_digest(old, tmp_path / "a"), expected_digest(new, tmp_path / "b")
    new_file = tmp_path / "new.json"
    new_file.write_text(json.dumps(new))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # How long a full write takes here, to spread the kills over it.
    probe = tmp_path / "probe"
    writer.write(probe, old)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", WRITER, str(probe), str(new_file)], env=env, check=True, capture_output=True)
    window = time.perf_counter() - started
    rng = random.Random(0)
    outcomes = {"old": 0, "new": 0}
    for trial in range(TRIALS):
        root = tmp_path / f"trial{trial}" / "generated"
        writer.write(root, old)
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(root), str(new_file)], env=env,
                                stdout=subprocess.PIPE, text=True)
        proc.stdout.readline()  # "start": the interpreter is up and the write begins
        time.sleep(rng.uniform(0, window * 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        writer.recover(root)
        state = digest(root)
        assert state in (old_digest, new_digest), f"trial {trial}: generated/ is a mix of old and new"
        outcomes["old" if state == old_digest else "new"] += 1
        assert not any(p.name.startswith(".generated.") for p in root.parent.iterdir())
    assert sum(outcomes.values()) == TRIALS
