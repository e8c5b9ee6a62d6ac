"""Command line of the layerforge transpiler.

  python -m transpiler generate            regenerate generated/ from layers_spec/
  python -m transpiler generate --check    write nothing; list changed, missing, orphaned
                                           and hand-edited files with a diff (exit 1)
  python -m transpiler generate -O0        unoptimized code (no libcst passes)
  python -m transpiler generate --only relu gelu
  python -m transpiler explain NAME        the IR of each variant and what forward saves
  python -m transpiler generate --specs DIR --package NAME --out OUT
                                           a user's own specs to the package OUT/NAME
  python -m transpiler docs [--check]      the reference pages of docs/ops/ (make docs)
  python -m transpiler lambda NAME "y = x * tanh(x)" [--package P] [--out OUT]
                                           one expression to an activation with its backward

Exit codes: 0 success, 1 --check found differences, 2 the specs have errors (each reported
as path:line:col: error: message; nothing is written), 3 generated/ cannot be written (a
symbolic link, read-only, or --only through a link to outside it; checked before building).
A user's package: exit 2 also for a --specs folder that does not exist or a bad --package;
OUT/NAME is replaced as generated/ is (atomically, with a manifest), and a folder there that
the transpiler did not write (no .manifest.json) is refused (exit 3).
Two runs at once are safe: the second waits for the first to finish writing. On a terminal,
generation shows its progress.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import sys
from pathlib import Path

from . import user, writer
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
    gen.add_argument("--specs", type=Path, help="a folder of your own specs: generate the package --package in --out from them")
    gen.add_argument("--package", help="with --specs: the name of the package to write")
    gen.add_argument("--out", type=Path, help="with --specs: the folder to write the package in (OUT/PACKAGE)")
    docs = sub.add_parser("docs", help="write docs/ops/: a reference page per op and an index, from the specs and generated/")
    docs.add_argument("--check", action="store_true", help="write nothing; exit 1 if docs/ops/ is not what the specs give")
    lam = sub.add_parser("lambda", help="compile one expression y = f(x) into an activation with its derived backward")
    lam.add_argument("name", help="the op's name (snake case)")
    lam.add_argument("expression", help='statements assigning y from x, separated by ";" (e.g. "y = x * tanh(x)")')
    lam.add_argument("--package", help="the package to write (default: the op's name)")
    lam.add_argument("--out", type=Path, default=Path("."), help="the folder to write the package in (default: .)")
    lam.add_argument("--check", action="store_true", help="write nothing; exit 1 if OUT/PACKAGE differs")
    explain = sub.add_parser("explain", help="print an op's IR, what forward saves for backward, and its generated path")
    explain.add_argument("name")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths = Paths(args.root.resolve())
    try:
        if args.command == "generate" and (args.specs or args.package or args.out):
            return _generate_user(paths, args)
        if args.command == "generate":
            return _generate(paths, args)
        if args.command == "lambda":
            return _lambda(paths, args)
        if args.command == "docs":
            return _docs(paths, args.check)
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


def _generate_user(paths: Paths, args: argparse.Namespace) -> int:
    missing = [flag for flag, value in (("--specs", args.specs), ("--package", args.package), ("--out", args.out)) if not value]
    if missing or args.only:
        problem = f"{', '.join(missing)} missing" if missing else "--only does not apply"
        print(f"error: a user's package takes --specs, --package and --out together ({problem}); nothing was written.", file=sys.stderr)
        return 2
    try:
        sources = user.read_folder(args.specs)
        user.check_package(args.package)
    except user.UserError as exc:
        print(f"error: {exc}; nothing was written.", file=sys.stderr)
        return 2
    return _write_user(user.generate_user(paths, sources, args.package, level=args.level), args.out / args.package, args.check)


def _lambda(paths: Paths, args: argparse.Namespace) -> int:
    package = args.package or args.name
    try:
        user.check_package(package)
        files = user.generate_user(paths, [user.lambda_source(args.name, args.expression)], package,
                                   command=user.LAMBDA_COMMAND)
    except user.UserError as exc:
        print(f"error: {exc}; nothing was written.", file=sys.stderr)
        return 2
    except SpecError as exc:  # placed in the expression the user typed
        raise user.expression_errors(exc, args.name, args.expression) from None
    return _write_user(files, args.out / package, args.check)


def _write_user(files: dict[str, str], root: Path, check: bool) -> int:
    """Write a user's package (or, with ``check``, compare it) as generated/ is written."""
    if check:
        plan = writer.plan(root, files)
        for label, rels in (("changed", plan.changed), ("missing", plan.missing), ("orphaned", plan.orphaned)):
            for rel in rels:
                print(f"{label}: {root}/{rel}")
        print(f"{root} is up to date ({len(files)} files)." if plan.clean else f"{root} is out of date.")
        return 0 if plan.clean else 1
    try:
        user.check_replaceable(root)
        touched = writer.write(root, files, waiting=_waiting)
    except (writer.WriteError, user.UserError) as exc:
        print(f"error: {exc}; nothing was written.", file=sys.stderr)
        return 3
    print(f"{root}: {len(files)} files generated, {len(touched)} written or removed.")
    return 0


def _docs(paths: Paths, check: bool) -> int:
    from .docs import DOCS, render_docs

    root = paths.root / DOCS
    files = render_docs(paths)
    if check:
        plan = writer.plan(root, files)
        for label, rels in (("changed", plan.changed), ("missing", plan.missing), ("orphaned", plan.orphaned)):
            for rel in rels:
                print(f"{label}: {DOCS.as_posix()}/{rel}")
        if plan.clean:
            print(f"{DOCS.as_posix()}/ is up to date ({len(files)} files).")
            return 0
        print(f"{DOCS.as_posix()}/ is out of date; run `make docs` (python -m transpiler docs) to fix it.")
        return 1
    try:
        touched = writer.write(root, files, waiting=_waiting)
    except writer.WriteError as exc:
        print(f"error: {exc}; nothing was written.", file=sys.stderr)
        return 3
    print(f"{len(files)} pages, {len(touched)} written or removed.")
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
