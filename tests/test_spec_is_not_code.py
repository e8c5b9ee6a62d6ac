"""Nothing in a spec becomes code it does not declare (issue 23, section 1).

The second line of defence: every generated module is parsed and checked against what the
templates may emit (top-level statements, imports, module-level calls, names), so that no
template or codegen change can let spec text through unnoticed. Then hostile specs: prose
that tries to end its docstring stays text; a file stem, a duplicate name across folders, a
spec linking outside layers_spec/ and a YAML alias bomb are refused with file:line:col errors.
"""

from __future__ import annotations

import ast
import shutil
import time
from pathlib import Path

import pytest

from transpiler.cli import main
from transpiler.pipeline import Paths, generate

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated" / "layerforge"
OP_FOLDERS = ("activations", "layers", "losses")

# What templates/*.j2 and codegen put at the top of a module.
# copy: nn.Bidirectional copies its inner layer for the backward direction (copy.deepcopy)
# hashlib: the compiled runtime keys numba's disk cache on its own content (a SHA-256).
IMPORTS = {"numpy": "np", "contextlib": None, "copy": None, "functools": None, "hashlib": None, "importlib": None,
           "importlib.util": None, "math": None, "os": None, "textwrap": None, "threading": None}
# math: the compiled target's row kernels (numba) call math.exp and the like in op modules.
OP_MODULE_IMPORTS = {"numpy", "math"}
IMPORT_FROM = {"layerforge._runtime", "layerforge._cupy_runtime", "layerforge._jit_runtime", "layerforge.activations",
               "layerforge.layers",
               "layerforge.losses",
               "concurrent.futures", None}  # None: ``from . import name`` in a package's __init__
MODULE_CALLS = {"ElementwiseKernel", "ReductionKernel", "RowKernel", "RowBlockKernel", "threading.local", "frozenset"}
# The decorators an op module's functions may carry: the compiled target's kernel wrapper and
# its mark of a twin of row kernels alone (whole_rows), and the runtime's hold of BLAS on one
# thread (a function whose products own the threads). The hand-written kernels of the
# compiled runtime (_jit_runtime.py) are plain RowKernels (row_kernel's noalias mark is for
# generated kernels, whose twins allocate what they write).
OP_DECORATORS = (["row_kernel"], ["whole_rows"], ["blas_on_one_thread"])
JIT_RUNTIME_DECORATORS = (["RowKernel"],)
# Never in generated code: what would run or load code, or reach the system.
FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__", "breakpoint", "globals", "locals", "vars", "open",
                   "setattr", "delattr", "exit", "quit", "subprocess", "sys", "builtins"}
# Where the runtime modules differ: what only they may hold.
RUNTIME_FILES = {"_runtime.py", "_cupy_runtime.py", "_jit_runtime.py"}
# Dunder attributes a runtime reads: the compiled target's kernel wrapper takes its function's
# name and docstring, and whether its code has a file (numba's disk cache).
RUNTIME_ATTRIBUTES = {"__doc__", "__code__"}
# Forbidden names a template's own code needs, per file: nn.Module.named_children lists a
# model's layers from vars(self), in assignment order, as torch does; the compiled runtime
# reads its own file (open(__file__)) for the hash that keys numba's disk cache.
ALLOWED_NAMES = {"nn.py": {"vars"}, "_jit_runtime.py": {"open"}}


def _literal(node: ast.expr) -> bool:
    """A constant, or a tuple/list/dict/set of constants and names (metadata, tables)."""
    if isinstance(node, (ast.Constant, ast.Name)):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _literal(node.operand)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _literal(k) for k in node.keys) and all(_literal(v) for v in node.values)
    return False


def _problems(path: Path, text: str) -> list[str]:
    """Everything in a generated module that its templates could not have put there."""
    tree = ast.parse(text)
    rel = path.relative_to(GENERATED).as_posix() if path.is_relative_to(GENERATED) else path.name
    op_module = path.parent.name in OP_FOLDERS and path.name != "__init__.py"
    runtime = path.name in RUNTIME_FILES
    out: list[str] = []
    # an op's entry points beside forward and backward, as its module lists them
    entry_points = next((tuple(ast.literal_eval(n.value)) for n in tree.body if isinstance(n, ast.Assign)
                         and [ast.unparse(t) for t in n.targets] == ["ENTRY_POINTS"]), ())
    for index, node in enumerate(tree.body):
        where = f"{rel}:{node.lineno}"
        if isinstance(node, ast.Expr):
            if index != 0 or not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
                out.append(f"{where}: an expression statement other than the module docstring")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name not in IMPORTS or alias.asname != IMPORTS[alias.name]:
                    out.append(f"{where}: import {alias.name}")
                if op_module and alias.name not in OP_MODULE_IMPORTS:
                    out.append(f"{where}: an op module imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if node.module not in IMPORT_FROM or (node.module is None and node.level != 1):
                out.append(f"{where}: from {node.module} import ...")
        elif isinstance(node, ast.Assign):
            if not all(isinstance(t, ast.Name) for t in node.targets):
                out.append(f"{where}: an assignment to something other than a name")
            for part in ast.walk(node.value):
                if isinstance(part, ast.Call):
                    if ast.unparse(part.func) not in MODULE_CALLS or not all(_literal(a) for a in part.args) or not all(
                            _literal(k.value) for k in part.keywords):
                        out.append(f"{where}: module-level call {ast.unparse(part.func)}")
                elif not isinstance(part, (ast.Constant, ast.Name, ast.Attribute, ast.Tuple, ast.List, ast.Dict, ast.Set,
                                           ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop, ast.expr_context,
                                           ast.keyword)):
                    out.append(f"{where}: module-level {type(part).__name__} {ast.unparse(node.value)[:60]}")
        elif isinstance(node, ast.FunctionDef):
            decorators = [ast.unparse(d) for d in node.decorator_list]
            if decorators and not (runtime and decorators == ["contextlib.contextmanager"]) and not (
                    (op_module or path.name == "_jit_runtime.py") and decorators in OP_DECORATORS) and not (
                    path.name == "_jit_runtime.py" and decorators in JIT_RUNTIME_DECORATORS):
                out.append(f"{where}: decorators {decorators}")
            if op_module and node.name not in ("forward", "backward", *entry_points) and not node.name.startswith("_"):
                out.append(f"{where}: an op module defines the public function {node.name}")
        elif isinstance(node, ast.ClassDef):
            if op_module:
                out.append(f"{where}: an op module defines a class")
            if node.decorator_list:
                out.append(f"{where}: a decorated class")
        elif isinstance(node, ast.If) and runtime:
            continue  # the runtime's own fork handler, template text
        else:
            out.append(f"{where}: a top-level {type(node).__name__}")
    for node in ast.walk(tree):
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if name in FORBIDDEN_NAMES and name not in ALLOWED_NAMES.get(path.name, ()):
            out.append(f"{rel}:{node.lineno}: the name {name}")  # type: ignore[attr-defined]
        if isinstance(node, ast.Attribute) and node.attr.startswith("__") and node.attr not in (
                "__init__", "__name__", "__module__", *(RUNTIME_ATTRIBUTES if runtime else ())):
            out.append(f"{rel}:{node.lineno}: the attribute {node.attr}")
    return out


def test_every_generated_module_holds_only_what_the_templates_emit():
    files = sorted(GENERATED.rglob("*.py"))
    assert len(files) > 60
    problems = [p for path in files for p in _problems(path, path.read_text(encoding="utf-8"))]
    assert problems == []


def test_the_checker_catches_code_outside_the_templates():
    """The check is not vacuous: each of these lines, added to a real module, is caught."""
    path = GENERATED / "activations" / "relu.py"
    text = path.read_text(encoding="utf-8")
    for smuggled in ("import subprocess", "__import__('os').system('id')", "x = eval('1')",
                     "from os import system", "y = print('hello')", "class Payload:\n    pass",
                     "def helper():\n    return open('/etc/passwd')"):
        assert _problems(path, text + "\n" + smuggled + "\n"), smuggled


def _project(tmp_path: Path, specs: dict[str, str]) -> Path:
    root = tmp_path / "project"
    for folder in ("activations", "layers"):
        (root / "layers_spec" / folder).mkdir(parents=True)
    shutil.copy(ROOT / "layers_spec" / "primitives.yaml", root / "layers_spec")
    shutil.copy(ROOT / "layers_spec" / "activations" / "relu.yaml", root / "layers_spec" / "activations")
    shutil.copytree(ROOT / "templates", root / "templates")
    for rel, text in specs.items():
        (root / "layers_spec" / rel).write_text(text, encoding="utf-8")
    return root


HOSTILE_SUMMARY = 'Ends its docstring: """ + __import__("os").system("id") + """ and a backslash \\ then a quote"'
HOSTILE_DOC = "Tries too: \"\"\"\nraise SystemExit('ran') #\\"


def _hostile_prose() -> str:
    summary = HOSTILE_SUMMARY.replace("'", "''")
    doc = HOSTILE_DOC.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return (f"name: prose\nkind: activation\ntitle: 'Prose \"\"\" Title\\'\nsummary: '{summary}'\n"
            f"inputs:\n  x: {{shape: [..., F], doc: \"{doc}\"}}\n"
            f"attributes:\n  alpha: {{type: float, default: 1.0, doc: \"{doc}\"}}\n"
            "forward: |\n  y = alpha * x\noutputs: [y]\n")


def test_prose_that_tries_to_end_its_docstring_stays_text(tmp_path):
    root = _project(tmp_path, {"activations/prose.yaml": _hostile_prose()})
    text = generate(Paths(root), only=["prose"], cache=False)["layerforge/activations/prose.py"]
    path = GENERATED / "activations" / "prose.py"  # checked as an op module
    assert _problems(path, text) == []
    module = ast.parse(text)
    docstring = ast.get_docstring(module, clean=False)
    assert " ".join(HOSTILE_SUMMARY.split()) in " ".join(docstring.split())
    assert 'Prose """ Title\\' in docstring
    forward = next(n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "forward")
    assert " ".join(HOSTILE_DOC.split()) in " ".join(ast.get_docstring(forward).split())
    namespace: dict = {}
    exec(compile(text, "prose.py", "exec"), namespace)  # nothing of the prose runs
    assert namespace["forward"].__doc__ == ast.get_docstring(forward, clean=False)


def test_ordinary_prose_is_written_as_before():
    """Escaping leaves today's docstrings alone: a lone quote stays as written."""
    text = (GENERATED / "activations" / "gelu.py").read_text(encoding="utf-8")
    assert 'approximate="tanh"' in text and '\\"' not in text


def _errors(root: Path, capsys) -> list[str]:
    capsys.readouterr()
    assert main(["--root", str(root), "generate"]) == 2
    return capsys.readouterr().err.strip().splitlines()[:-1]


SPEC = "name: {name}\nkind: {kind}\ntitle: {title}\nsummary: s\ninputs:\n  x: {{shape: [..., F]}}\nforward: |\n  y = x\noutputs: [y]\n"


def test_a_file_stem_that_is_code_is_refused(tmp_path, capsys):
    stem = "e = 0; print(1); _x"
    root = _project(tmp_path, {f"activations/{stem}.yaml": SPEC.format(name=f"'{stem}'", kind="activation", title="T")})
    assert _errors(root, capsys) == [
        f"layers_spec/activations/{stem}.yaml:1:7: error: spec.name: '{stem}' is not an op name "
        "(ASCII snake case: lower-case letters, digits, single '_')"]


def test_one_name_in_two_folders_is_an_error(tmp_path, capsys):
    root = _project(tmp_path, {"layers/relu.yaml": SPEC.format(name="relu", kind="layer", title="Relu")})
    assert _errors(root, capsys) == [
        "layers_spec/layers/relu.yaml:1:1: error: spec.name: 'relu' is also the name of "
        "layers_spec/activations/relu.yaml; op names are unique across folders"]


def test_a_spec_linking_outside_layers_spec_is_refused(tmp_path, capsys):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(SPEC.format(name="linked", kind="activation", title="T"))
    root = _project(tmp_path, {})
    (root / "layers_spec" / "activations" / "linked.yaml").symlink_to(outside)
    assert _errors(root, capsys) == [
        "layers_spec/activations/linked.yaml:1:1: error: the spec is a link to a file outside layers_spec/; refused"]


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path, capsys):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    bomb = "\n".join(lines) + "\n" + SPEC.format(name="bomb", kind="activation", title="T")
    assert len(bomb.encode()) < 1000  # nine levels of nine: 9**10 strings once expanded
    root = _project(tmp_path, {"activations/bomb.yaml": bomb})
    started = time.perf_counter()
    errors = _errors(root, capsys)
    assert time.perf_counter() - started < 30
    assert errors == ["layers_spec/activations/bomb.yaml:1:5: error: YAML anchor '&a0': anchors and aliases are not allowed in specs"]


@pytest.mark.parametrize("name", ["__init__", "Relu", "relu__x", "r\u00e9lu", "lambda", "_private"])
def test_op_names_are_ascii_snake_case(tmp_path, capsys, name):
    root = _project(tmp_path, {f"activations/{name}.yaml": SPEC.format(name=f"'{name}'", kind="activation", title="T")})
    errors = _errors(root, capsys)
    assert len(errors) == 1 and "spec.name:" in errors[0] and (
        "is not an op name" in errors[0] or "is a Python keyword" in errors[0])
