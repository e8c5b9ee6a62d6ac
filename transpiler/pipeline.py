"""The whole flow: specs -> IR -> grad -> codegen -> passes -> format, all in memory.

Nothing here writes files; ``writer`` does that once everything has succeeded, so a bad spec
leaves ``generated/`` untouched.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import itertools
import os
import types
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Callable, Iterator

import black

from . import codegen, entry, loop, scan
from .compose import resolve_calls
from .errors import Collector, Diagnostic, Location, SpecError, did_you_mean
from .fmt import format_code
from .grad import build_backward, saved_values
from .ir import build_forward, called_ops, fused_fixed, next_temporary, variants
from .nnapi import render_nn
from .passes import Facts, optimize
from .primitives import Primitives, load_primitives
from .spec import KIND_DIRS, OpSpec, load_spec

PACKAGE = "layerforge"
libcst_version = version("libcst")


class UnknownOp(LookupError):
    """``--only`` or ``explain`` named an op that has no spec."""


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def specs(self) -> Path:
        return self.root / "layers_spec"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def generated(self) -> Path:
        return self.root / "generated"

    def display(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


@dataclass
class Catalog:
    prims: Primitives
    ops: dict[str, OpSpec]  # by name, activations and layers

    def of_kind(self, kind: str) -> dict[str, OpSpec]:
        return {name: spec for name, spec in self.ops.items() if spec.kind == kind}


def load_catalog(paths: Paths, errors: Collector | None = None) -> Catalog:
    """Read the primitive table and every spec, reporting all errors of all files together.

    With ``errors`` given, problems are added there and the specs that did load are returned,
    so later stages can report their own errors in the same run."""
    collect = errors is not None
    errors = errors if errors is not None else Collector()
    prims: Primitives = {}
    table = paths.specs / "primitives.yaml"
    try:
        if not _inside(table, paths.specs):
            raise SpecError([Diagnostic(Location(paths.display(table)), "the primitive table is a link to a file outside layers_spec/; refused")])
        prims = load_primitives(paths.specs / "primitives.yaml", paths.display(paths.specs / "primitives.yaml"))
    except SpecError as exc:
        errors.extend(exc)
    ops: dict[str, OpSpec] = {}
    for kind, folder in KIND_DIRS.items():
        for path in sorted((paths.specs / folder).glob("*.yaml")):
            if not _inside(path, paths.specs):
                errors.error(Location(paths.display(path)), "the spec is a link to a file outside layers_spec/; refused")
                continue
            try:
                spec = load_spec(path, paths.display(path))
            except SpecError as exc:
                errors.extend(exc)
                continue
            if spec.kind != kind:
                errors.error(spec.loc, f"spec.kind: a spec under {folder}/ must have kind '{kind}'")
                continue
            if spec.name in ops:
                errors.error(spec.loc, f"spec.name: '{spec.name}' is also the name of {ops[spec.name].path}; op names are unique across folders")
                continue
            ops[spec.name] = spec
    _check_catalog(ops, errors)
    ops = resolve_calls(ops, errors)
    if not collect:
        errors.check()
    return Catalog(prims, ops)


# Names that layerforge/nn.py defines itself: a layer's module (imported there by its name)
# or class (named by its title) may not take them.
NN_NAMES = frozenset({"np", "binary_cross_entropy", "cross_entropy", "mean_squared_error", "save", "load",
                      "load_torch_state_dict", "Module", "Sequential", "CrossEntropyLoss", "MSELoss",
                      "BCEWithLogitsLoss", "TransformerEncoderLayer",
                      "TransformerDecoderLayer", "RNN", "LSTM", "GRU"})


def _inside(path: Path, folder: Path) -> bool:
    """Does ``path``, links resolved, lie under ``folder`` (links resolved)?"""
    return path.resolve().is_relative_to(folder.resolve())


def _check_catalog(ops: dict[str, OpSpec], errors: Collector) -> None:
    """What one spec cannot tell alone: layer titles (class names of layerforge.nn) are unique,
    layers take no name nn.py uses, and activation slots name known activations."""
    titles: dict[str, OpSpec] = {}
    activations = sorted(n for n, s in ops.items() if s.kind == "activation")
    for name, spec in sorted(ops.items()):
        if spec.kind == "layer":
            if spec.title in titles:
                errors.error(spec.loc, f"spec.title: '{spec.title}' is also the title of {titles[spec.title].path}; layer titles (class names) are unique")
            titles.setdefault(spec.title, spec)
            for taken in {spec.name, spec.title} & NN_NAMES:
                errors.error(spec.loc, f"spec: '{taken}' is a name layerforge.nn defines; a layer may not take it")
        if spec.slot is not None and spec.slot.default not in activations:
            errors.error(spec.slot.default_loc or spec.slot.loc,
                         f"spec.activation.default: unknown activation '{spec.slot.default}'{did_you_mean(spec.slot.default, activations)}")


def compile_op(spec: OpSpec, catalog: Catalog, errors: Collector, explicit: bool = True) -> list[codegen.CompiledVariant]:
    """Forward and backward IR for every variant of ``spec``."""
    compiled: list[codegen.CompiledVariant] = []
    if spec.wrap is not None:
        return compiled  # a wrapper has no statements: it runs its inner layer's functions
    entry.compile_entries(spec, catalog.prims, errors)  # their errors, with forward's
    activations = catalog.of_kind("activation")
    for variant in variants(spec):
        if spec.scan is not None or spec.repeat is not None:
            build = scan.build if spec.repeat is None else loop.build
            built = build(spec, variant, catalog.prims, errors, activations)
            if built is not None:
                compiled.append(codegen.CompiledVariant(variant, *built))
            continue
        forward = build_forward(spec, variant, catalog.prims, errors, activations, catalog.ops)
        if forward is None:
            continue
        counter = itertools.count(next_temporary(forward))
        backward = build_backward(spec, forward, catalog.prims, errors, counter, explicit=explicit,
                                  structural=variant.conditions)
        if backward is None:
            continue
        saved = tuple(saved_values(backward, len(spec.grad_outputs)))
        compiled.append(codegen.CompiledVariant(variant, forward, backward, saved))
    return [_aligned(c, compiled) for c in compiled]


def _aligned(c: codegen.CompiledVariant, compiled: list[codegen.CompiledVariant]) -> codegen.CompiledVariant:
    """A variant without some optional arrays whose context is its full variant's less
    those arrays saves them too (None), so that every variant's context has one layout:
    blocked execution writes each variant's results into the same buffers (``Blocking``)."""
    if not c.variant.absent:
        return c
    full = next((f for f in compiled if not f.variant.absent and f.variant.structural == c.variant.structural
                 and f.variant.activation == c.variant.activation), None)
    if full is None or full.saved == c.saved or tuple(n for n in full.saved if n not in c.variant.absent) != c.saved:
        return c
    grads = c.backward.params[: len(c.backward.params) - len(c.saved)]
    backward = dataclasses.replace(c.backward, params=grads + list(full.saved))
    return dataclasses.replace(c, backward=backward, saved=full.saved)


def module_path(spec: OpSpec) -> str:
    return f"{PACKAGE}/{KIND_DIRS[spec.kind]}/{spec.module_name}.py"


def facts(compiled: list[codegen.CompiledVariant], entries: list | None = None,
          parts: dict[str, list] | None = None) -> Facts:
    """The IR's shape and dtype of every name, per generated function, for the passes."""
    out: Facts = {}
    functions = [fn for item in compiled for fn in codegen.all_functions(item)]
    functions += [part.function for found in (parts or {}).values() for part in found]
    functions += [fn for variants_ in entries or () for c in variants_ for fn in c.functions()]
    for fn in functions:
        out[fn.name] = {name: (value.shape, value.dtype) for name, value in fn.values.items()}
    return out


def render(spec: OpSpec, compiled: list[codegen.CompiledVariant], catalog: Catalog, env, level: int) -> str:
    if spec.wrap is not None:
        return format_code(codegen.render_wrapper(spec, env))
    blocked = codegen.blocking(spec, compiled, catalog.prims) if level > 0 else codegen.Blocking()
    activations = catalog.of_kind("activation")
    fixed = {name: dict(fused_fixed(activations[name])) for name in (spec.slot.fused if spec.slot else ())
             if name in activations and fused_fixed(activations[name])}
    errors = Collector()
    entries = entry.compile_entries(spec, catalog.prims, errors)
    errors.check()
    parts = codegen.batched_parts(compiled, catalog.prims, blocked) if level > 0 else {}
    raw = codegen.render_module(spec, compiled, catalog.prims, env, blocked=blocked, fixed=fixed, entries=entries,
                               compiled_target=level > 0, batched_runs=parts)
    with _no_cycle_collection():
        return format_code(optimize(raw, level, facts(compiled, entries, parts)))


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The passes and black build millions of short-lived tree nodes (freed by reference
    counting); Python's cycle collector would rescan every live one, over and over, making
    a long module's rendering grow faster than its length. It is paused meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def render_op(spec: OpSpec, catalog: Catalog, paths: Paths, level: int = 1, explicit: bool = True) -> str:
    errors = Collector()
    compiled = compile_op(spec, catalog, errors, explicit=explicit)
    errors.check()
    return render(spec, compiled, catalog, codegen.environment(codegen.load_templates(paths.templates)), level)


def load_op(spec: OpSpec, catalog: Catalog, paths: Paths, level: int = 1, explicit: bool = True,
            name: str | None = None) -> types.ModuleType:
    """Render an op and execute the text as a module, without writing it anywhere: how the
    tests and the benchmark get -O0 or derived-backward twins of the generated modules."""
    text = render_op(spec, catalog, paths, level=level, explicit=explicit)
    return module_from_source(name or f"{spec.name}_O{level}", text)


def module_from_source(label: str, text: str) -> types.ModuleType:
    """A module executed from rendered text (``label`` names it in tracebacks)."""
    module = types.ModuleType(label)
    exec(compile(text, f"<{label}>", "exec"), module.__dict__)
    return module


def _transpiler_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# The transpiler's sources as this process imported them. If they change on disk while it
# runs, its renders come from the old code: they must not be cached under the new sources'
# digest (generate() then renders without the cache).
IMPORTED_SOURCES = _transpiler_digest()


def _tool_fingerprint(paths: Paths, templates: dict[str, str]) -> str:
    """A digest of everything besides the op's own spec that shapes its module."""
    digest = hashlib.sha256(f"{codegen.VERSION}\0{IMPORTED_SOURCES}".encode())
    for name, text in templates.items():
        digest.update(name.encode())
        digest.update(text.encode())
    digest.update((paths.specs / "primitives.yaml").read_bytes())
    digest.update(black.__version__.encode())
    digest.update(libcst_version.encode())
    return digest.hexdigest()


def _cache_key(tool: str, spec: OpSpec, catalog: Catalog, paths: Paths, level: int) -> str:
    digest = hashlib.sha256(f"{tool}\0{level}\0".encode())
    for rel in _sources(spec, catalog):
        digest.update(rel.encode())
        digest.update((paths.root / rel).read_bytes())
    return digest.hexdigest()


def _sources(spec: OpSpec, catalog: Catalog) -> list[str]:
    """The spec files an op's module depends on: its own, the activations it fuses, and
    those of the ops it calls (transitively), each once."""
    out: list[str] = []
    stack = [spec]
    while stack:
        current = stack.pop()
        if current.path in out:
            continue
        out.append(current.path)
        names = list(current.slot.fused) if current.slot else []
        names += [c.op for c in current.calls] + [c.activation for c in current.calls if c.activation]
        names += [n for n in called_ops(current) if n in catalog.ops and n not in catalog.prims]
        for name in names:
            other = catalog.ops.get(name)
            if other is not None and other.slot is None and not other.calls:
                if other.path not in out:
                    out.append(other.path)
            elif other is not None:
                stack.append(other)
    return out


def generate(paths: Paths, level: int = 1, only: list[str] | None = None, cache: bool = True,
             progress: Callable[[int, int, str], None] | None = None) -> dict[str, str]:
    """Every generated file, keyed by its path under ``generated/``.

    Rendered modules are cached under ``.cache/generate/`` by a digest of the op's spec, the
    specs it fuses, the primitive table, the templates, the transpiler's own source and the
    pinned tool versions, so an unchanged regeneration only rebuilds the IR (to report errors).
    """
    cache = cache and _transpiler_digest() == IMPORTED_SOURCES
    templates = codegen.load_templates(paths.templates)
    tool = _tool_fingerprint(paths, templates) if cache else ""  # read before the specs are
    errors = Collector()
    catalog = load_catalog(paths, errors)
    if not catalog.prims:
        errors.check()
    if only:
        unknown = [n for n in only if n not in catalog.ops]
        if unknown:
            raise UnknownOp(", ".join(unknown))
    env = codegen.environment(templates)
    # First every op's IR, so that all errors are found before any (slower) rendering.
    compiled = {name: compile_op(catalog.ops[name], catalog, errors) for name in sorted(catalog.ops)}
    errors.check()
    files: dict[str, str] = {}
    cache_dir = paths.root / ".cache" / "generate"
    selected = {n: v for n, v in compiled.items() if not only or n in only}
    for index, (name, variants_) in enumerate(selected.items(), start=1):
        spec = catalog.ops[name]
        if progress is not None:
            progress(index, len(selected), name)
        cached = cache_dir / f"{_cache_key(tool, spec, catalog, paths, level)}.py" if cache else None
        if cached is not None and cached.exists():
            files[module_path(spec)] = cached.read_text(encoding="utf-8")
            continue
        text = render(spec, variants_, catalog, env, level)
        files[module_path(spec)] = text
        if cached is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, cached)
    files[f"{PACKAGE}/__init__.py"] = format_code(codegen.render_package_init(
        env, "layerforge: neural-network layers and activations with forward and backward passes.",
        ["activations", "layers", "losses"], ("get_backend", "get_num_threads", "set_backend", "set_num_threads")))
    files[f"{PACKAGE}/_runtime.py"] = format_code(codegen.render_runtime(env))
    files[f"{PACKAGE}/_cupy_runtime.py"] = format_code(env.get_template("cupy_runtime.py.j2").render(version=codegen.VERSION))
    files[f"{PACKAGE}/_jit_runtime.py"] = format_code(env.get_template("jit_runtime.py.j2").render(version=codegen.VERSION))
    files[f"{PACKAGE}/optim.py"] = format_code(env.get_template("optim.py.j2").render(version=codegen.VERSION))
    layers = [catalog.ops[name] for name in sorted(catalog.of_kind("layer"))]
    files[f"{PACKAGE}/nn.py"] = format_code(render_nn(layers, env))
    for kind, folder in KIND_DIRS.items():
        names = sorted(s.module_name for s in catalog.of_kind(kind).values())
        files[f"{PACKAGE}/{folder}/__init__.py"] = format_code(codegen.render_package_init(
            env, f"The generated {folder}: one module each, with forward and backward.", names))
    if only:
        wanted = {module_path(catalog.ops[n]) for n in only}
        files = {k: v for k, v in files.items() if k in wanted}
    return files
