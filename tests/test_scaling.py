"""Generation scales with the size of a spec (issue 23, section 2).

Composed layers will be specs of hundreds of statements. Three shapes of 250, 500, 1,000 and
2,000 statements are generated (IR, backward, codegen, passes, black): a chain where each
statement reads the previous one and the input (the input's gradient gathers one
contribution per statement), a balanced tree of sums, and a chain of squarings (each value
read twice: rematerialization once took 2^n steps on it). Each must generate, and the time
must grow about linearly: 2,000 statements may take at most 6 times as long as 500 (4 is
linear, 4.4 is n log n; the margin absorbs a shared machine's noise, a quadratic stage
gives 16), and 2,000 statements take under MAX_UNITS times the CPU time of a fixed pure-Python
workload measured beside them (``machine_unit``). Issue 23's target was 10 CPU seconds; a bound
in seconds held on this VM for weeks (2.5 to 6.5 s) and then failed on an unchanged main
(10.1 to 11.3 s, with the machine's unit at 1.07 s in the suite): the unit carries the machine's
speed of the day, so the bound keeps its meaning and still catches generation that got 1.7
times as slow (2,000 statements took 3.9 to 10.5 units that day).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from transpiler import codegen
from transpiler.errors import Collector
from transpiler.fmt import format_code
from transpiler.passes import optimize
from transpiler.pipeline import Paths, compile_op, facts, load_catalog, render_op

ROOT = Path(__file__).resolve().parent.parent
SIZES = (250, 500, 1000, 2000)
MAX_GROWTH = 6.0  # time(2000) / time(500)
MAX_UNITS = 18.0  # CPU time for 2,000 statements, in machine units (3.9 to 10.5 measured)


@pytest.fixture(scope="module")
def machine_unit() -> float:
    """CPU seconds of a fixed pure-Python workload (dicts, lists, a sort: the object churn
    generation is made of), the least of three runs."""

    def once() -> float:
        started = time.process_time()
        table = {str(i): [i, 2 * i] for i in range(400_000)}
        sorted(table.items(), key=lambda item: item[1][0] % 977)
        return time.process_time() - started

    return min(once() for _ in range(3))


def statements(shape: str, n: int) -> list[str]:
    """``n`` statements of one shape, the last one assigning ``y``."""
    if shape == "chain":
        lines = ["t0 = x"] + [f"t{i} = t{i - 1} * 0.5 + x" for i in range(1, n - 1)]
        return lines + [f"y = t{n - 2}"]
    if shape == "squares":
        lines = ["t0 = x * 0.5"] + [f"t{i} = t{i - 1} * t{i - 1}" for i in range(1, n - 1)]
        return lines + [f"y = t{n - 2}"]
    assert shape == "sum_tree"
    leaves = n // 2
    lines = [f"a{i} = x * {i + 1}" for i in range(leaves)]
    level, count = [f"a{i}" for i in range(leaves)], 0
    while len(level) > 1:
        paired = []
        for j in range(0, len(level) - 1, 2):
            lines.append(f"s{count} = {level[j]} + {level[j + 1]}")
            paired.append(f"s{count}")
            count += 1
        level = paired + level[len(level) - len(level) % 2:]
    return lines + [f"y = {level[0]}"]  # n // 2 products, n // 2 - 1 sums, y


def spec(shape: str, n: int) -> str:
    body = "".join(f"  {line}\n" for line in statements(shape, n))
    return (f"name: big\nkind: activation\ntitle: Big\nsummary: {n} statements, {shape}.\n"
            f"inputs:\n  x: {{shape: [..., F]}}\nforward: |\n{body}outputs: [y]\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("scaling")
    (root / "layers_spec" / "activations").mkdir(parents=True)
    shutil.copy(ROOT / "layers_spec" / "primitives.yaml", root / "layers_spec")
    shutil.copytree(ROOT / "templates", root / "templates")
    return root


def _seconds(root: Path, shape: str, n: int) -> float:
    """CPU seconds to read, compile and render the op's module (the package's other files,
    the same whatever the spec, are left out). CPU time of this process, not wall time: on
    a machine shared with other jobs the ratio stays meaningful."""
    (root / "layers_spec" / "activations" / "big.yaml").write_text(spec(shape, n))
    paths = Paths(root)
    started = time.process_time()
    catalog = load_catalog(paths)
    module = render_op(catalog.ops["big"], catalog, paths)
    elapsed = time.process_time() - started
    compile(module, "big.py", "exec")  # a valid module
    assert "def _backward(" in module
    return elapsed


# A composed spec: a chain of calls of a four-statement activation, each inlined.
PIECE = ("name: piece\nkind: activation\ntitle: Piece\nsummary: four statements.\n"
         "inputs:\n  x: {shape: [..., F]}\nforward: |\n  a = x * 0.5\n  b = a + x\n  c = tanh(b)\n"
         "  y = c * x\noutputs: [y]\n")


def composed(n: int) -> str:
    """A spec of ``n // 4`` calls of ``piece``: ``n`` statements once inlined."""
    lines = ["t0 = piece(x)"] + [f"t{i} = piece(t{i - 1})" for i in range(1, n // 4 - 1)] + [f"y = piece(t{n // 4 - 2})"]
    body = "".join(f"  {line}\n" for line in lines)
    return (f"name: big\nkind: activation\ntitle: Big\nsummary: {n // 4} calls.\n"
            f"inputs:\n  x: {{shape: [..., F]}}\nforward: |\n{body}outputs: [y]\n")


@pytest.mark.slow
def test_composed_generation_grows_about_linearly(project, machine_unit):
    """Calls are inlined in time linear in the statements they bring."""
    (project / "layers_spec" / "activations" / "piece.yaml").write_text(PIECE)
    try:
        times = {}
        for n in (500, 2000):
            (project / "layers_spec" / "activations" / "big.yaml").write_text(composed(n))
            paths = Paths(project)
            started = time.process_time()
            catalog = load_catalog(paths)
            module = render_op(catalog.ops["big"], catalog, paths)
            times[n] = time.process_time() - started
            assert module.count("np.tanh(") >= n // 4  # every call inlined
    finally:
        (project / "layers_spec" / "activations" / "piece.yaml").unlink()
    shown = ", ".join(f"{n}: {t:.2f} s CPU" for n, t in times.items()) + f"; unit {machine_unit:.2f} s"
    print(f"\ncalls: {shown}")
    assert times[2000] / times[500] < MAX_GROWTH, shown
    assert times[2000] < MAX_UNITS * machine_unit, shown


def test_statement_shapes_have_their_size():
    for shape in ("chain", "squares", "sum_tree"):
        for n in SIZES:
            assert len(statements(shape, n)) == n


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["chain", "sum_tree", "squares"])
def test_generation_grows_about_linearly(project, machine_unit, shape):
    times = {n: _seconds(project, shape, n) for n in SIZES}
    shown = ", ".join(f"{n}: {t:.2f} s CPU" for n, t in times.items()) + f"; unit {machine_unit:.2f} s"
    print(f"\n{shape}: {shown}")
    assert times[2000] / times[500] < MAX_GROWTH, shown
    assert times[2000] < MAX_UNITS * machine_unit, shown


@pytest.mark.parametrize("shape", ["chain", "sum_tree", "squares"])
def test_black_formats_the_module_in_one_pass(project, shape):
    """The optimized module is already in black's layout, so ``format_str`` returns after its
    first pass (it formats a second time whenever the first changed the text): black is a
    third of a long module's generation."""
    (project / "layers_spec" / "activations" / "big.yaml").write_text(spec(shape, 250))
    paths = Paths(project)
    catalog = load_catalog(paths)
    big = catalog.ops["big"]
    errors = Collector()
    compiled = compile_op(big, catalog, errors)
    errors.check()
    env = codegen.environment(codegen.load_templates(paths.templates))
    blocked = codegen.blocking(big, compiled, catalog.prims)
    optimized = optimize(codegen.render_module(big, compiled, catalog.prims, env, blocked=blocked), 1, facts(compiled))
    assert format_code(optimized) == optimized
    assert render_op(big, catalog, paths) == optimized


def test_the_fold_pass_never_computes_a_huge_power():
    """Constant folding of generated code stops at integers below 2**63: ``9 ** 999999999``
    (minutes and gigabytes to compute) is left as written, at once."""
    source = "def _forward(x):\n    y = x * 9**999999999\n    z = x * 2**10\n    return y, z\n"
    started = time.perf_counter()
    out = optimize(source)
    assert time.perf_counter() - started < 5
    assert "9**999999999" in out.replace(" ", "") and "1024" in out
