"""The transpiler for a user's own project: a folder of specs to a package of their own.

``python -m transpiler generate --specs DIR --package NAME --out OUT`` reads the specs under
DIR (``*.yaml`` at its top, or in ``activations/``, ``layers/`` and ``losses/`` as in
``layers_spec/``), compiles them with layerforge's primitive table and ops (a user's layer may
call layerforge's through ``calls:`` and fuse its activations), and renders them through the
same pipeline (IR, grad, codegen, passes, black) into ``OUT/NAME``:

  NAME/__init__.py               the registry: ``OPS`` (every op by name) and ``op(name)``
  NAME/activations/<op>.py       one module per op, importing ``layerforge._runtime``
  NAME/layers/<op>.py
  NAME/nn.py                     a class per op, subclasses of ``layerforge.nn.Module``

``OUT/NAME`` is written as ``generated/`` is: all or nothing, in one atomic swap, with a
manifest of hashes, and only once every spec compiled. ``lambda_spec`` turns one expression
(``y = x * tanh(x)``) into such a spec, the path of ``python -m transpiler lambda``.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from . import codegen
from .compose import resolve_calls
from .errors import Collector, Diagnostic, Location, SpecError
from .fmt import format_code
from .nnapi import describe
from .pipeline import KIND_DIRS, Catalog, Paths, _check_catalog, compile_op, load_catalog, render
from .spec import parse_spec

PACKAGE_RE = re.compile(r"[a-z][a-z0-9_]*\Z")
# Packages a user's may not be named after: the ones its modules import.
TAKEN_PACKAGES = frozenset({"layerforge", "transpiler", "numpy", "cupy", "np"})


class UserError(ValueError):
    """A user's command cannot run as given (a folder that does not exist, a bad package
    name); reported as ``error: ...`` with nothing written."""


@dataclass(frozen=True)
class Source:
    """One user spec: the path shown in messages and headers, its file stem, its text and
    the kind folder it lies in (None at the top of the folder: its ``kind`` decides)."""

    display: str
    stem: str
    text: str
    folder: str | None = None


def check_package(package: str) -> None:
    if not PACKAGE_RE.match(package) or keyword.iskeyword(package) or "__" in package:
        raise UserError(f"--package: {package!r} is not a package name (lower-case ASCII letters, digits and single '_', "
                        "starting with a letter)")
    if package in TAKEN_PACKAGES:
        raise UserError(f"--package: {package!r} is taken (a package the generated modules import); choose another name")


def check_replaceable(root: Path) -> None:
    """Refuse to replace a folder that the transpiler did not write (a user's own code that
    happens to bear the package's name): a generated package holds its manifest."""
    from .writer import MANIFEST

    if root.exists() and (not root.is_dir() or (any(root.iterdir()) and not (root / MANIFEST).is_file())):
        raise UserError(f"{root} exists and was not written by the transpiler (no {MANIFEST}); "
                        "refusing to replace it: remove it or choose another --package or --out")


def read_folder(specs: Path) -> list[Source]:
    """Every spec of a user's folder, by path, with paths shown as ``<folder name>/...``
    (the same whatever the working directory, so the generated headers are deterministic)."""
    if not specs.is_dir():
        what = "is not a folder" if specs.exists() else "does not exist"
        raise UserError(f"--specs: {specs} {what}")
    folders = {folder: kind for kind, folder in KIND_DIRS.items()}
    found: list[Source] = []
    paths = sorted(specs.glob("*.yaml")) + sorted(p for f in folders for p in (specs / f).glob("*.yaml"))
    for path in paths:
        rel = path.relative_to(specs).as_posix()
        folder = path.parent.name if path.parent != specs else None
        found.append(Source(f"{specs.resolve().name}/{rel}", path.stem, path.read_text(encoding="utf-8"), folder))
    if not found:
        raise UserError(f"--specs: {specs} holds no spec (*.yaml at its top or in activations/, layers/, losses/)")
    return found


def load_user(catalog: Catalog, sources: list[Source], errors: Collector) -> dict[str, object]:
    """The user's specs, checked against each other and against layerforge's catalog, with
    their ``calls:`` resolved (layerforge's ops may be called; they are resolved already)."""
    folders = {folder: kind for kind, folder in KIND_DIRS.items()}
    ops = {}
    for source in sources:
        try:
            spec = parse_spec(source.text, source.display, source.stem)
        except SpecError as exc:
            errors.extend(exc)
            continue
        if source.folder is not None and spec.kind != folders[source.folder]:
            errors.error(spec.loc, f"spec.kind: a spec under {source.folder}/ must have kind '{folders[source.folder]}'")
            continue
        if spec.wrap is not None:
            errors.error(spec.loc, "spec.wrap: a wrapper cannot be a user's op (its inner layer is looked up in layerforge.layers)")
            continue
        if spec.name in catalog.ops:
            errors.error(spec.loc, f"spec.name: '{spec.name}' is the name of layerforge's {catalog.ops[spec.name].path}; "
                                   "a user's op takes a name of its own (calls: and activation slots name ops across both)")
            continue
        if spec.name in ops:
            errors.error(spec.loc, f"spec.name: '{spec.name}' is also the name of {ops[spec.name].path}; op names are unique")
            continue
        ops[spec.name] = spec
    merged = dict(catalog.ops) | ops
    _check_catalog(merged, errors)  # titles, reserved nn names, slot defaults: across both
    classes: dict[str, object] = {}
    for name, spec in sorted(ops.items()):
        cls = class_name(spec)
        if cls in classes:
            errors.error(spec.loc, f"spec: its class name '{cls}' in the package's nn is also {classes[cls].path}'s")
        classes.setdefault(cls, spec)
    resolved = resolve_calls(merged, errors, done=catalog.ops)
    return {name: resolved[name] for name in sorted(ops) if name in resolved}


def class_name(spec) -> str:
    """A layer's class is its title (as in layerforge.nn); an activation's, its name in
    CamelCase (``x_tanh``: ``XTanh``), since activation titles are prose."""
    if spec.kind == "layer":
        return spec.title
    return "".join(part[:1].upper() + part[1:] for part in spec.name.split("_") if part)


def generate_user(paths: Paths, sources: list[Source], package: str, level: int = 1,
                  command: str = "python -m transpiler generate --specs ...") -> dict[str, str]:
    """Every file of the user's package, keyed by its path under ``OUT/<package>``; raises
    ``SpecError`` with every problem of every spec (then nothing is to be written)."""
    check_package(package)
    catalog = load_catalog(paths)
    errors = Collector()
    ops = load_user(catalog, sources, errors)
    full = catalog_with(catalog, ops)
    compiled = {name: compile_op(spec, full, errors) for name, spec in ops.items()}
    errors.check()
    env = codegen.environment(codegen.load_templates(paths.templates))
    env.globals["regenerate"] = f"`{command}`"
    files: dict[str, str] = {}
    for name, spec in ops.items():
        files[f"{KIND_DIRS[spec.kind]}/{spec.module_name}.py"] = render(spec, compiled[name], full, env, level)
    for kind, folder in KIND_DIRS.items():
        names = sorted(s.module_name for s in ops.values() if s.kind == kind)
        if names:
            files[f"{folder}/__init__.py"] = format_code(codegen.render_package_init(
                env, f"The {folder} of {package}, generated by the layerforge transpiler.", names))
    described = []
    for spec in ops.values():
        if spec.kind == "loss":
            continue
        item = describe(spec, errors, package=package)
        item["cls"] = class_name(spec)
        item["kind_dir"] = KIND_DIRS[spec.kind]
        described.append(item)
    errors.check()
    registry = [(spec.name, KIND_DIRS[spec.kind], spec.module_name) for spec in ops.values()]
    files["__init__.py"] = format_code(env.get_template("user_package_init.py.j2").render(
        package=package, ops=registry, version=codegen.VERSION, command=command))
    files["nn.py"] = format_code(env.get_template("user_nn.py.j2").render(
        package=package, layers=described, version=codegen.VERSION))
    return files


def catalog_with(catalog: Catalog, ops: dict) -> Catalog:
    """layerforge's catalog with the user's ops beside its own (for calls and fused slots)."""
    return Catalog(catalog.prims, dict(catalog.ops) | ops)


# One expression (or a few statements, separated by ';') of the spec language, y of x.
LAMBDA_HEADER = 6  # the line of the spec text below where the first statement stands


LAMBDA_COMMAND = "python -m transpiler lambda NAME EXPRESSION"


def lambda_spec(name: str, expression: str) -> str:
    """The spec text of an elementwise activation ``y = f(x)`` named ``name``: ``expression``
    is one statement or several separated by ';' (or new lines), assigning y from x."""
    statements = [s.strip() for s in expression.replace(";", "\n").splitlines() if s.strip()]
    body = "".join(f"  {s}\n" for s in statements)
    summary = "; ".join(statements).replace("\\", "\\\\").replace('"', '\\"')
    return (f"name: {name}\n"
            "kind: activation\n"
            f"title: {name}\n"
            f'summary: "{summary}, compiled from one expression by `python -m transpiler lambda`; backward derived."\n'
            "inputs: {x: {shape: [..., F]}}\n"
            "forward: |\n"
            f"{body}"
            "outputs: [y]\n")


def lambda_source(name: str, expression: str) -> Source:
    return Source(f"<lambda {name}>", name, lambda_spec(name, expression), "activations")


def expression_errors(error: SpecError, name: str, expression: str) -> SpecError:
    """Diagnostics in a lambda's spec text, placed in the expression the user typed:
    ``<lambda NAME>:1:9: error: ...`` (statement 1, column 9), or at 1:1 for the rest."""
    display = f"<lambda {name}>"
    out = []
    for d in error.diagnostics:
        if d.loc.path == display and d.loc.line > LAMBDA_HEADER:
            loc = Location(display, d.loc.line - LAMBDA_HEADER, max(1, d.loc.col - 2))
        elif d.loc.path == display:
            loc = Location(display, 1, 1)
        else:
            loc = d.loc
        out.append(Diagnostic(loc, d.message))
    return SpecError(out)


def _repository() -> Paths:
    return Paths(Path(__file__).resolve().parent.parent)


def lambda_files(name: str, expression: str, package: str | None = None, level: int = 1) -> dict[str, str]:
    """The files of the package ``package`` (default ``name``) holding the activation
    ``name``: ``y = expression(x)`` with its derived backward. Raises ``SpecError`` with the
    problems placed in the expression (``<lambda NAME>:1:9: error: unknown primitive ...``)."""
    try:
        return generate_user(_repository(), [lambda_source(name, expression)], package or name, level=level,
                             command=LAMBDA_COMMAND)
    except SpecError as exc:
        raise expression_errors(exc, name, expression) from None


def generate_lambda(name: str, expression: str, out: Path | str, package: str | None = None) -> Path:
    """``python -m transpiler lambda NAME EXPRESSION`` from Python: compile one expression of
    the spec language (``"y = x * tanh(x)"``) into the package ``out/package`` (default: the
    op's name) and return the package's folder; on any error nothing is written."""
    from . import writer

    files = lambda_files(name, expression, package)
    root = Path(out) / (package or name)
    check_replaceable(root)
    writer.write(root, files)
    return root


def load_lambda(name: str, expression: str):
    """The compiled activation as a module in memory (nothing written): ``forward(x)`` and
    ``backward(grad_y, ctx)``."""
    from .pipeline import module_from_source

    files = lambda_files(name, expression)
    return module_from_source(f"lambda_{name}", files[f"activations/{name}.py"])
