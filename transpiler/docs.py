"""Reference documentation generated from the specs: ``python -m transpiler docs`` (``make
docs``) writes ``docs/ops/``, one Markdown page per op and an index.

A page holds what the spec declares (title, summary, the forward statements as the formula,
the arrays with their shapes, the attributes with defaults and ranges, the variants), the
PyTorch equivalent that the specs and tests already name (``torch.*`` in the spec's prose,
the oracle of ``tests/oracles.py`` or the peer of ``scripts/bench.py``), and the generated
source: the default variant's forward and backward functions, cut from the module in
``generated/``, with a link to the whole module. Everything is read, nothing is rendered
again, so the docs cost seconds; they are deterministic and written as ``generated/`` is
(atomically, with a manifest), and ``--check`` compares them like ``generate --check``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from .ir import variants
from .pipeline import Catalog, Paths, load_catalog, module_path
from .spec import OpSpec

DOCS = Path("docs") / "ops"
CATALOG_SIZE = 114  # ops when every issue's layers exist
TORCH_RE = re.compile(r"\b(?:torch|F|nn)\.[A-Za-z_][\w.]*[A-Za-z_]\w*")


def _oracle_sources(path: Path, function: str | None, target: str) -> dict[str, str]:
    """The source text of each entry of a dict literal ``target = {...}`` (module level) or of
    the dict a function returns (``layer_cases``): for an activation, its torch function; for
    a layer case, the last element of its tuple (the torch computation)."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    found: dict[str, str] = {}
    scopes = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function] if function else [tree]
    for scope in scopes:
        for node in ast.walk(scope):
            value = None
            if function is None and isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == target for t in node.targets):
                value = node.value
            elif function is not None and isinstance(node, ast.Return):
                value = node.value
            if not isinstance(value, ast.Dict):
                continue
            for key, item in zip(value.keys, value.values):
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    continue
                name = key.value.split()[0]
                if isinstance(item, ast.Tuple) and item.elts:
                    item = item.elts[0] if function is None else item.elts[-1]
                segment = ast.get_source_segment(text, item)
                if segment and ("torch" in segment or segment.startswith(("F.", "_"))):
                    found.setdefault(name, " ".join(segment.split()))
    return found


def torch_equivalents(paths: Paths) -> dict[str, str]:
    """Per op, the PyTorch computation the parity tests or the benchmark compare it with."""
    out = _oracle_sources(paths.root / "tests" / "oracles.py", None, "ORACLES")
    for name, text in _oracle_sources(paths.root / "scripts" / "bench.py", "layer_cases", "").items():
        out.setdefault(name, text)
    return out


def _functions(module_text: str, names: list[str]) -> str:
    """The functions ``names``, each after the batched parts it runs (``in_row_blocks(part,
    ...)``: transpiler/batched.py)."""
    tree = ast.parse(module_text)
    lines = module_text.splitlines()
    by_name = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    parts = []
    for name in (n for n in names if n in by_name):
        parts += [by_name[call.args[0].id] for call in ast.walk(by_name[name]) if isinstance(call, ast.Call)
                  and isinstance(call.func, ast.Name) and call.func.id == "in_row_blocks"
                  and call.args and isinstance(call.args[0], ast.Name) and call.args[0].id in by_name]
        parts.append(by_name[name])
    return "\n\n\n".join("\n".join(lines[n.lineno - 1: n.end_lineno]) for n in parts)


def default_variant_source(spec: OpSpec, module_text: str) -> tuple[str, str]:
    """The default variant's label and its forward and backward functions as generated
    (the variant of the attributes' defaults, the slot's default activation, every optional
    array given); a wrapper's public forward and backward."""
    if spec.wrap is not None:
        return "(a wrapper: forward and backward compose at run time)", _functions(module_text, ["forward", "backward"])
    defaults = {a.name: a.default for a in spec.attributes}
    every = variants(spec)
    chosen = next((v for v in every if not v.absent
                   and all(defaults.get(name) == value for name, value in v.structural)
                   and (spec.slot is None or v.activation == spec.slot.default)), every[0])
    suffix = f"_{chosen.suffix}" if chosen.suffix else ""
    source = _functions(module_text, [f"_forward{suffix}", f"_backward{suffix}"])
    return (chosen.suffix or "(the only one)"), source


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _shape(decl) -> str:
    return str(decl.shape)


def _range(attr) -> str:
    parts = []
    if attr.choices:
        parts.append("one of " + ", ".join(f"`{c!r}`" for c in attr.choices))
    if attr.minimum is not None or attr.maximum is not None:
        low = "-inf" if attr.minimum is None else attr.minimum
        high = "inf" if attr.maximum is None else attr.maximum
        parts.append(f"[{low}, {high}]")
    if attr.structural:
        parts.append("structural (a variant per value)" + (f", true only with `{attr.only_with}` nonzero" if attr.only_with else ""))
    return "; ".join(parts) or "any"


def page(spec: OpSpec, module_text: str, torch: str | None, forward: str) -> str:
    rel = module_path(spec)
    out = [f"# {spec.title} (`{spec.name}`)", "",
           f"A{'n' if spec.kind[0] in 'aeiou' else ''} {spec.kind}. {spec.summary.strip()}", "",
           f"Spec: [`{spec.path}`](../../{spec.path}); module: [`generated/{rel}`](../../generated/{rel}); "
           "[index](README.md).", ""]
    out += ["## Formula", ""]
    if spec.wrap is not None:
        out += [f"A wrapper (`wrap: runs: {spec.wrap.runs}`): no statements of its own; see the summary.", ""]
    else:
        out += ["The spec's forward statements (primitives of `layers_spec/primitives.yaml`):", "",
                "```python", forward, "```", ""]
    arrays = [(d, "input") for d in spec.inputs] + [(d, "parameter") for d in spec.parameters] + [
        (d, "buffer") for d in spec.buffers]
    out += ["## Shapes", ""]
    if arrays:
        out += ["| array | role | shape | notes |", "| --- | --- | --- | --- |"]
        for decl, role in arrays:
            notes = "optional (None); " if decl.optional else ""
            out.append(f"| `{decl.name}` | {role} | `{_shape(decl)}` | {_cell(notes + (decl.doc or ''))} |")
    else:
        out.append("Those of the wrapped layer or function.")
    out += ["", f"Outputs: {', '.join(f'`{o}`' for o in spec.outputs)}"
            + (f" (no gradient: {', '.join(spec.nondifferentiable)})" if spec.nondifferentiable else "") + ".", ""]
    out += ["## Attributes", ""]
    attrs = list(spec.attributes)
    if attrs or spec.slot:
        out += ["| attribute | type | default | range | meaning |", "| --- | --- | --- | --- | --- |"]
        for a in attrs:
            default = "required" if a.default is None and not a.optional else f"`{a.default!r}`"
            out.append(f"| `{a.name}` | {a.type} | {default} | {_cell(_range(a))} | {_cell(a.doc)} |")
        if spec.slot:
            out.append(f"| `activation` | str | `{spec.slot.default!r}` | fused: {', '.join(spec.slot.fused)}; "
                       "others composed | the activation applied to the result |")
    else:
        out.append("None.")
    out += ["", "## PyTorch equivalent", ""]
    named = sorted(set(TORCH_RE.findall(spec.summary)))
    if torch:
        out += ["What the parity tests or the benchmark compare it with:", "", "```python", torch, "```", ""]
    if named:
        out += ["Named in the spec: " + ", ".join(f"`{n}`" for n in named) + ".", ""]
    if not torch and not named:
        out += ["None named in the specs or tests.", ""]
    every = variants(spec) if spec.wrap is None else []
    out += ["## Variants", ""]
    if len(every) > 1:
        out += [f"{len(every)} specialized variants (structural attributes x fused activations x optional arrays "
                "left out): " + ", ".join(f"`{v.suffix}`" for v in every) + ".", ""]
    else:
        out += ["One.", ""]
    label, source = default_variant_source(spec, module_text)
    out += ["## Generated source", "",
            f"The default variant (`{label}`), as generated; the whole module, with the other variants and "
            f"the CuPy twins: [`generated/{rel}`](../../generated/{rel}).", "",
            "```python", source, "```", ""]
    return "\n".join(out)


def _forward_text(paths: Paths, spec: OpSpec) -> str:
    """The spec's forward statements as written (the formula)."""
    data = yaml.safe_load((paths.root / spec.path).read_text(encoding="utf-8"))
    return str(data.get("forward") or "").rstrip()


def index(catalog: Catalog) -> str:
    ops = sorted(catalog.ops.values(), key=lambda s: (s.kind, s.name))
    out = ["# Operator reference", "",
           f"Generated from the specs by `make docs` (`python -m transpiler docs`); do not edit by hand. "
           f"{len(ops)} ops exist of the {CATALOG_SIZE} the catalog will hold when every issue's layers exist.", ""]
    for kind in ("activation", "layer", "loss"):
        some = [s for s in ops if s.kind == kind]
        if not some:
            continue
        out += [f"## {kind.capitalize()}s ({len(some)})", "", "| op | title | summary |", "| --- | --- | --- |"]
        for s in some:
            first = s.summary.strip().split(". ")[0].rstrip(".")
            out.append(f"| [`{s.name}`]({s.name}.md) | {_cell(s.title)} | {_cell(first)}. |")
        out.append("")
    return "\n".join(out)


def render_docs(paths: Paths) -> dict[str, str]:
    """Every page, keyed by its path under ``docs/ops/``."""
    catalog = load_catalog(paths)
    torch = torch_equivalents(paths)
    files = {"README.md": index(catalog)}
    for name, spec in sorted(catalog.ops.items()):
        module = paths.generated / module_path(spec)
        text = module.read_text(encoding="utf-8") if module.exists() else ""
        files[f"{name}.md"] = page(spec, text, torch.get(name), _forward_text(paths, spec))
    return files
