"""Command line of the layerforge transpiler.

  python -m transpiler generate            regenerate generated/ from layers_spec/
  python -m transpiler generate --check    write nothing; list changed, missing, orphaned
                                           and hand-edited files with a diff (exit 1)
  python -m transpiler generate -O0        unoptimized code (no libcst passes)
  python -m transpiler generate --only relu gelu
  python -m transpiler explain NAME        the IR of each variant and what forward saves

Exit codes: 0 success, 1 --check found differences, 2 the specs have errors (each reported
as path:line:col: error: message; nothing is written), 3 generated/ cannot be written (a
symbolic link, read-only, or --only through a link to outside it; checked before building).
Two runs at once are safe: the second waits for the first to finish writing. On a terminal,
generation shows its progress.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import sys
from pathlib import Path

from . import writer
from .errors import Collector, SpecError, did_you_mean
from .ir import render_function
from .pipeline import Paths, UnknownOp, compile_op, generate, load_catalog, module_path, render_op

ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m transpiler", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this checkout)")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="regenerate generated/ from layers_spec/")
    gen.add_argument("--check", action="store_true", help="write nothing; report changed, missing, orphaned and hand-edited files (exit 1 if any)")
    gen.add_argument("-O0", dest="level", action="store_const", const=0, default=1, help="emit unoptimized code (no passes)")
    gen.add_argument("--only", nargs="+", metavar="NAME", help="generate these ops only")
    gen.add_argument("--no-cache", dest="cache", action="store_false", help="render every module afresh, ignoring .cache/generate/")
    explain = sub.add_parser("explain", help="print an op's IR, what forward saves for backward, and its generated path")
    explain.add_argument("name")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths = Paths(args.root.resolve())
    try:
        if args.command == "generate":
            return _generate(paths, args)
        return _explain(paths, args.name)
    except SpecError as exc:
        print(str(exc), file=sys.stderr)
        count = len(exc.diagnostics)
        print(f"{count} error{'s' if count != 1 else ''}; nothing was written.", file=sys.stderr)
        return 2


def _progress(index: int, total: int, name: str) -> None:
    """One status line, rewritten in place, when a person watches a terminal."""
    end = "\n" if index == total else ""
    sys.stderr.write(f"\r\033[K[{index:>{len(str(total))}}/{total}] {name}{end}")
    sys.stderr.flush()


def _waiting() -> None:
    print("another generate run is writing generated/; waiting for it to finish", file=sys.stderr, flush=True)


def _generate(paths: Paths, args: argparse.Namespace) -> int:
    try:
        if not args.check:
            writer.check_writable(paths.generated)  # before building, not after
        return _generate_checked(paths, args)
    except writer.WriteError as exc:
        print(f"error: {exc}; nothing was written.", file=sys.stderr)
        return 3


def _generate_checked(paths: Paths, args: argparse.Namespace) -> int:
    try:
        progress = _progress if sys.stderr.isatty() else None
        files = generate(paths, level=args.level, only=args.only, cache=args.cache, progress=progress)
    except UnknownOp as exc:
        print(f"error: unknown op(s): {exc.args[0]}", file=sys.stderr)
        return 2
    root = paths.generated
    if args.only:
        # A partial run neither checks nor removes the other files.
        for rel in writer.write_some(root, files, waiting=_waiting):
            print(f"wrote generated/{rel}")
        return 0
    if args.check:
        plan = writer.plan(root, files)
        if plan.clean:
            print(f"generated/ is up to date ({len(files)} files).")
            return 0
        for rel in plan.changed:
            note = " (edited by hand)" if rel in plan.hand_edited else ""
            print(f"changed: generated/{rel}{note}")
            current = (root / rel).read_text(encoding="utf-8").splitlines(keepends=True)
            sys.stdout.writelines(difflib.unified_diff(current, files[rel].splitlines(keepends=True), f"generated/{rel}", f"generated/{rel} (from specs)"))
        for rel in plan.missing:
            print(f"missing: generated/{rel}")
        for rel in plan.orphaned:
            print(f"orphaned: generated/{rel}")
        print("generated/ is out of date; run `make generate` (python -m transpiler generate) to fix it.")
        return 1
    touched = writer.write(root, files, waiting=_waiting)
    print(f"{len(files)} files generated, {len(touched)} written or removed.")
    return 0


def _explain(paths: Paths, name: str) -> int:
    catalog = load_catalog(paths)
    if name not in catalog.ops:
        print(f"error: unknown op '{name}'{did_you_mean(name, catalog.ops)}", file=sys.stderr)
        return 2
    spec = catalog.ops[name]
    errors = Collector()
    compiled = compile_op(spec, catalog, errors)
    errors.check()
    for item in compiled:
        print(f"# variant: {item.variant.suffix or '(the only one)'}")
        print(render_function(item.forward))
        print(render_function(item.backward))
        print(f"# forward saves for backward: {', '.join(item.saved) or 'nothing'}\n")
    print("# fusion groups: each assignment below allocates once; the lines after it update")
    print("# the same buffer in place (after inlining, CSE and the other passes)")
    print(_kernels(render_op(spec, catalog, paths)))
    print(f"# generated: generated/{module_path(spec)}")
    return 0


def _kernels(module_text: str) -> str:
    """The generated variant functions of a module, without the rest."""
    tree = ast.parse(module_text)
    lines = module_text.splitlines()
    parts = [
        "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith(("_forward", "_backward"))
    ]
    return "\n\n".join(parts) + "\n"
