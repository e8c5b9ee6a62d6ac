"""The CuPy target: the same IR functions as fused GPU kernels, rendered into each module.

Every forward and backward function of an op gets a CuPy twin (``_cupy_forward...``; the
prefix keeps the NumPy passes off it). Its body is split into runs: a maximal run of
consecutive elementwise statements of one symbolic shape whose primitives all have a
``cuda`` template becomes one ``cupy.ElementwiseKernel`` named ``<op>[_<variant>]_<fwd|bwd>_<n>``,
with one C statement per IR statement (``T`` is float or double, masks are ``bool``). The
kernel reads the values the run uses but does not define, and writes the values that later
statements or the function's results read. A sum, mean or max along the last axis becomes
one ``cupy.ReductionKernel`` (one pass over each row), and the statements of the run before
it whose values only it reads move into its map function instead of being written out.
Consecutive kernels and reductions over the rows of one array (a softmax, a layer norm) then
merge into one row program (``rows.py``: a ``RowBlockKernel``, a block of threads per row). A
primitive with a ``cuda_row`` device function (sparsemax's threshold, maxout's first-max
mask) is one ``RowKernel``: a thread per row along the last axis; the masking steps right
before attention's softmax (``ROW_MASKS``) fold into it, their masks its operands.
Every other statement (other reductions, products, shape and random operations) runs as a
CuPy array call: its NumPy template with ``cp.``, and helpers get a ``_cupy_`` copy with
``cp.`` for ``np.``.

The public ``forward`` sends CuPy arrays (decided by the type of the first array argument) to
the twins; ``backward`` needs no dispatch since the context carries the backward function.
Kernels are module-level ``ElementwiseKernel`` objects of ``layerforge._cupy_runtime`` that
build the CuPy kernel on their first call, so importing a module never imports CuPy.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from .ir import Const, Function, Operand, Stmt, Value, next_temporary
from . import rows
from .primitives import Primitive, Primitives, call_of, with_called_helpers
from .shapes import SCALAR, Shape
from .spec import OpSpec

RUNTIME = "layerforge._cupy_runtime"
_NUMPY = re.compile(r"(?<![.\w])np[.]")
_CUPY = re.compile(r"(?<![.\w])cp[.]")
# Names a kernel may not use for its values: C++ keywords and types, the math functions the
# templates call, CuPy's loop index ``i`` and type placeholder ``T``. Such names get a ``_``.
RESERVED = frozenset(
    "auto bool break case char const continue default do double else enum extern float for "
    "goto if inline int long register return short signed sizeof static struct switch "
    "typedef union unsigned void volatile while class delete new operator private protected "
    "public template this throw try catch namespace using true false "
    "i T exp expm1 log log1p sqrt tanh pow fabs taylor_exp".split()
)
CTYPES = {"float": "T", "bool": "bool", "int": "int64", "mask": "bool"}  # a mask kernels read as bool


@dataclass(frozen=True)
class Kernel:
    """One fused elementwise kernel: what it reads and writes and its C body."""

    name: str
    inputs: tuple[tuple[str, str], ...]  # (CuPy type, value name), in order of first use
    outputs: tuple[tuple[str, str], ...]  # (CuPy type, value name), in order of definition
    body: tuple[str, ...]  # C statements
    helpers: tuple[str, ...]  # C++ helper templates, in the order the body first calls them
    sources: tuple[str, ...]  # "file:line" of the spec statements, in order, without repeats
    reduction: str | None = None  # a row reduction (sum, mean, amax) of the body's last value
    row: str | None = None  # a primitive's cuda_row device function, run once per row
    row_width: int | None = None  # outputs per row: 1 for a reduction, None for the row's width
    scalars: tuple[str, ...] = ()  # inputs that are Python numbers at run time, not arrays
    masks: tuple[str, ...] = ()  # a row kernel's folded masking steps (ROW_MASKS), in order
    kinds: tuple[str, ...] = ()  # a row program's: each input's, then each output's (rows.py)

    @property
    def variable(self) -> str:
        return f"_{self.name}"

    @property
    def provenance(self) -> str:
        """``layers_spec/activations/gelu.yaml:10,11``: the spec lines, grouped by file."""
        files: dict[str, list[str]] = {}
        for where in self.sources:
            path, line = where.rsplit(":", 1)
            files.setdefault(path, []).append(line)
        return "; ".join(f"{path}:{','.join(lines)}" for path, lines in files.items())


@dataclass
class CupySection:
    """What ``codegen.render_module`` adds to a module for the CuPy target."""

    imports: list[str]
    blocks: list[str]  # kernels, functions, tables and helpers, in module order
    rng: bool

    def dispatch(self, spec: OpSpec, body: list[str]) -> list[str]:
        """The choice of a variant in the public forward (what follows its checks), with a
        branch for CuPy arrays in front that repeats the choice with the CuPy twins (and a
        CuPy generator for random ops)."""
        selection = [_gpu_names(line) for line in body]
        first = spec.arrays[0].name
        return [f"if on_gpu({first}):"] + [f"    {line}" for line in selection] + body


def _gpu_names(line: str) -> str:
    line = re.sub(r", outs=\([^)]*\)", "", line)  # CuPy runs whole arrays
    line = re.sub(r"\bin_row_blocks\((\w+), (.*), rng=rng\)", r"\1(rng, \2)", line)
    line = re.sub(r"\bin_row_blocks\((\w+), ", r"\1(", line)
    line = line.replace(", options=options)", ", **options)")  # a fused variant's attributes
    line = re.sub(r"\b(_forward|_backward)", r"_cupy\1", line)
    line = re.sub(r"\b_(VARIANTS|FUSED)\b", r"_CUPY_\1", line)
    return line.replace("np.random.default_rng()", "default_gpu_rng()")


def kernel_base(spec: OpSpec, fn: Function) -> str:
    """``gelu_fwd``, ``dense_relu_bwd``: the op, the variant and the direction."""
    if fn.name.startswith("_entry_"):  # an entry point's function: ``rbm_contrastive_divergence_step``
        return f"{spec.name}_{fn.name[len('_entry_'):]}"
    direction = "fwd" if fn.name.startswith("_forward") else "bwd"
    suffix = fn.name.split("_", 2)[2] if fn.name.count("_") >= 2 else ""
    return "_".join(p for p in (spec.name, suffix, direction) if p)


def is_fusable(stmt: Stmt, fn: Function, prims: Primitives) -> bool:
    prim = prims[stmt.prim]
    shape = fn.values[stmt.target].shape
    return prim.kind == "elementwise" and prim.cuda is not None and shape != SCALAR


def _hoistable(stmt: Stmt, fn: Function, run_targets: set[str]) -> bool:
    """A number computed in Python (``1 - alpha``) that reads nothing of the open run (whose
    targets are ``run_targets``): it can be computed before the run, so it does not cut the
    run into two kernels."""
    return fn.values[stmt.target].shape == SCALAR and not set(stmt.reads()) & run_targets


def split(fn: Function, prims: Primitives) -> list[list[Stmt] | Stmt]:
    """The body as kernel runs (lists) and single statements, in program order.

    A run is a maximal sequence of fusable statements of one known shape; a statement of
    unknown shape is a run of its own (the kernel broadcasts its operands at run time). A run
    that only renames a value (``stop_gradient``) stays a plain assignment."""
    parts: list[list[Stmt] | Stmt] = []
    run: list[Stmt] = []
    run_targets: set[str] = set()

    def flush() -> None:
        if run and all(prims[s.prim].cuda == "{a}" and prims[s.prim].dtype == "same" for s in run):
            parts.extend(run)
        elif run:
            parts.append(list(run))
        run.clear()
        run_targets.clear()

    for stmt in fn.body:
        if not is_fusable(stmt, fn, prims):
            if run and _hoistable(stmt, fn, run_targets):
                parts.append(stmt)  # ahead of the open run, which goes on after it
                continue
            flush()
            parts.append(stmt)
            continue
        shape = fn.values[stmt.target].shape
        if run and (shape is None or shape != fn.values[run[0].target].shape):
            flush()
        run.append(stmt)
        run_targets.add(stmt.target)
        if shape is None:
            flush()
    flush()
    return parts


def _last_axis_chunk(stmt: Stmt) -> tuple[int, int] | None:
    """(pieces, index) of a ``chunk`` along the last axis with constant statics, else None."""
    if stmt.prim != "chunk":
        return None
    statics = dict(stmt.statics)
    values = [statics.get(k) for k in ("pieces", "index", "axis")]
    if not all(isinstance(v, Const) for v in values) or values[2].value != -1:  # type: ignore[union-attr]
        return None
    return int(values[0].value), int(values[1].value)  # type: ignore[union-attr]


def sink_chunks(fn: Function, prims: Primitives) -> Function:
    """``fn`` with each last-axis block of an elementwise value computed from the blocks of
    its operands, when blocks are all that is read of the value: ``chunk(h_part + bias, 4, k)``
    becomes ``chunk(h_part, 4, k) + chunk(bias, 4, k)``. The blocks of arrays are views (no
    kernel), so the gate math of a recurrent step, which reads the four blocks of the packed
    gates, is one elementwise run instead of a kernel for the sum and one per block. Only
    blocks that elementwise statements read are rewritten so. An operand
    that broadcasts along the last axis (a number, a size-1 axis) is read as it is. The NumPy
    path keeps the packed form (one product, one sum, views): the rewrite is the CuPy twin's."""
    defs = {s.target: s for s in fn.body}
    outputs = {o for o in fn.outputs if isinstance(o, str)}

    def readers(name: str, body: list[Stmt]) -> list[Stmt]:
        return [s for s in body if name in s.reads()]

    def sinkable(name: str, pieces: int, body: list[Stmt]) -> bool:
        stmt = defs.get(name)
        if stmt is None or name in outputs or not is_fusable(stmt, fn, prims):
            return False
        shape = fn.values[name].shape
        if shape is None or not shape.dims or prims[stmt.prim].dtype != "same":
            return False
        for operand in stmt.args:
            if isinstance(operand, str):
                other = values[operand].shape
                if other is None or (other.dims and other.dims[-1] not in (shape.dims[-1], 1)):
                    return False
        # every block feeds elementwise math it can fuse into (attention's q, k, v blocks go
        # to head reshapes: one kernel for the sum and views stay the better plan there)
        blocks = readers(name, body)
        return all((_last_axis_chunk(r) or (0, 0))[0] == pieces for r in blocks) and all(
            any(is_fusable(t, current, prims) for t in readers(r.target, body)) for r in blocks)

    body = list(fn.body)
    values = dict(fn.values)
    current = dataclasses.replace(fn, values=values)  # with the blocks made so far (a chain of sums sinks whole)
    counter = next_temporary(fn)
    changed = True
    while changed:
        changed = False
        for position, stmt in enumerate(body):
            block = _last_axis_chunk(stmt)
            source = stmt.args[0] if block else None
            if not block or not isinstance(source, str) or not sinkable(source, block[0], body):
                continue
            producer = defs[source]
            made: list[Stmt] = []
            args: list[Operand] = []
            for operand in producer.args:
                shape = values[operand].shape if isinstance(operand, str) else None
                if shape is None or not shape.dims or shape.dims[-1] == 1:
                    args.append(operand)  # a number, or broadcast along the last axis
                    continue
                cached = next((s.target for s in body + made if s.prim == "chunk"
                               and s.args[0] == operand and _last_axis_chunk(s) == block), None)
                if cached is None:
                    cached = f"_t{counter}"
                    counter += 1
                    values[cached] = Value(Shape(shape.dims[:-1] + values[stmt.target].shape.dims[-1:],  # type: ignore[union-attr]
                                                 shape.ellipsis), values[operand].dtype, "temp")
                    made.append(Stmt(cached, "chunk", (operand,), stmt.statics, stmt.loc))
                args.append(cached)
            rewritten = Stmt(stmt.target, producer.prim, tuple(args), producer.statics, producer.loc)
            body[position] = rewritten
            for view in made:  # each view right after its array is computed (so it cuts no run)
                at = next((i for i, s in enumerate(body) if s.target == view.args[0]), -1) + 1
                while at < len(body) and body[at].prim == "chunk":
                    at += 1  # after the views made before, in the order they were made
                body.insert(at, view)
            defs[stmt.target] = rewritten
            if not readers(source, body):
                body.remove(producer)
                del defs[source]
            changed = True
            break
    if body == fn.body:
        return fn
    return dataclasses.replace(fn, body=body, values=values)


def c_name(name: str) -> str:
    return f"{name}_" if name in RESERVED else name


def c_constant(value, generic: bool = True) -> str:
    """A constant in C: of the kernel's float type ``T``, or as written in a kernel without
    floats (``generic`` False: one over masks and integers, where no ``T`` is defined)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"no C form for the constant {value!r}")
    return f"T({value!r})" if generic else repr(value)


def c_operand(operand: Operand, generic: bool = True) -> str:
    return c_constant(operand.value, generic) if isinstance(operand, Const) else c_name(operand)


def build_kernel(name: str, run: list[Stmt], fn: Function, prims: Primitives, live_after: "set[str] | _Live") -> Kernel:
    defined = {s.target for s in run}
    # Insertion-ordered dicts as ordered sets: a kernel may hold thousands of statements.
    inputs = dict.fromkeys(read for stmt in run for read in stmt.reads() if read not in defined)
    reduction = run[-1].prim if run[-1].prim in ROW_REDUCTIONS and prims[run[-1].prim].cuda is None else None
    outputs = dict.fromkeys([run[-1].target] if reduction else [s.target for s in run if s.target in live_after])
    body: list[str] = []
    helpers: list[str] = []
    sources: dict[str, None] = {}
    generic = any(fn.values[n].dtype == "float" for n in (*inputs, *defined) if n in fn.values)
    for stmt in run:
        prim = prims[stmt.prim]
        if stmt is run[-1] and reduction:  # the map function returns the reduced value
            body.append(f"return {c_operand(stmt.args[0])};")
            sources[f"{stmt.loc.path}:{stmt.loc.line}"] = None
            continue
        names = dict(zip(prim.args, (c_operand(a, generic) for a in stmt.args)))
        names.update((k, c_operand(v, generic)) for k, v in stmt.statics)
        expr = _small_power(stmt) or prim.cuda.format(**names)  # type: ignore[union-attr]
        target = c_name(stmt.target)
        ctype = CTYPES[fn.values[stmt.target].dtype].replace("int64", "long long")
        body.append(f"{target} = {expr};" if stmt.target in outputs else f"{ctype} {target} = {expr};")
        if prim.cuda_helper and prim.cuda_helper not in helpers:
            helpers.append(prim.cuda_helper)
        sources[f"{stmt.loc.path}:{stmt.loc.line}"] = None
    return Kernel(
        name=name,
        inputs=tuple((_cupy_type(fn, n), n) for n in inputs),
        outputs=tuple((_cupy_type(fn, n), n) for n in outputs),
        body=tuple(body),
        helpers=tuple(helpers),
        sources=tuple(sources),
        reduction=reduction,
        scalars=tuple(n for n in inputs if fn.values[n].shape == SCALAR),
    )


def _small_power(stmt: Stmt) -> str | None:
    """``a ** 2`` and ``a ** 3`` as products (CUDA's pow is a long general routine; the
    products are within a rounding of it), as the NumPy passes' strength reduction does."""
    if stmt.prim != "pow" or not isinstance(stmt.args[1], Const) or stmt.args[1].value not in (2, 3):
        return None
    return " * ".join([c_operand(stmt.args[0])] * int(stmt.args[1].value))


def _cupy_type(fn: Function, name: str) -> str:
    return CTYPES[fn.values[name].dtype]


def kernels(spec: OpSpec, fn: Function, prims: Primitives, saved: tuple[str, ...] = ()) -> list[tuple[Kernel, list[Stmt]]]:
    """The kernels of one function, with the statements each fuses (``saved``: the values a
    forward function returns for backward besides its outputs)."""
    return [(k, run) for k, run in _plan(spec, fn, prims, saved) if isinstance(k, Kernel)]  # type: ignore[misc]


# Reductions along the last axis that become one ``cupy.ReductionKernel`` each: the C
# expression combining two partial results ``a`` and ``b``, the identity every partial
# result starts from (CuPy casts it to T), and whether the result is divided by the count.
# ``amax`` starts from -inf (bit pattern, as NVRTC has no INFINITY) and propagates NaN.
ROW_REDUCTIONS = {
    "sum": ("a + b", "0", False),
    "sum_axes_keepdims": ("a + b", "0", False),  # the gradient stage's sums, here along -1
    "mean": ("a + b", "0", True),
    "amax": ("(a > b || a != a) ? a : b", "__longlong_as_double(0xfff0000000000000ULL)", False),
}


def _along_last_axis(stmt: Stmt, fn: Function) -> bool:
    """A statement over one float value whose ``axis`` (default -1) is the last axis."""
    operand = stmt.args[0] if len(stmt.args) == 1 else None
    axis = dict(stmt.statics).get("axis", Const(-1))
    return (isinstance(axis, Const) and axis.value in (-1, (-1,))
            and isinstance(operand, str) and fn.values[operand].dtype == "float")


def _row_reduction(stmt: Stmt, fn: Function) -> bool:
    """A sum, mean or max of a float value of known shape along its last axis (kept)."""
    return (stmt.prim in ROW_REDUCTIONS and _along_last_axis(stmt, fn)
            and fn.values[stmt.args[0]].shape is not None)  # type: ignore[index]


def _row_function(stmt: Stmt, fn: Function, prims: Primitives) -> bool:
    """A primitive with a ``cuda_row`` function, applied along the last axis of a float value."""
    return prims[stmt.prim].cuda_row is not None and _along_last_axis(stmt, fn)


def _row_kernel(name: str, stmt: Stmt, fn: Function, prims: Primitives) -> Kernel:
    prim = prims[stmt.prim]
    assert prim.cuda_row is not None and isinstance(stmt.args[0], str)
    return Kernel(
        name=name,
        inputs=(("T", stmt.args[0]),),
        outputs=(("T", stmt.target),),
        body=(),
        helpers=(prim.cuda_row,),
        sources=(f"{stmt.loc.path}:{stmt.loc.line}",),
        row=prim.cuda_row_name,
        row_width=1 if prim.shape == "reduce" else None,
    )


# Masking steps that fold into a following row kernel whose primitive gives -inf entries
# weight 0 (``masked_softmax``): the statement's kind for RowKernel, and whether it takes a
# mask operand (its second argument).
ROW_MASKS = {"apply_mask": ("mask", True), "apply_key_padding": ("key_padding", True), "apply_causal": ("causal", False)}
MASKABLE_ROWS = ("masked_softmax",)


def _fold_masks(plan: list[tuple["Kernel | None", list[Stmt]]], stmt: Stmt, live_after: "_Live") -> list[Stmt]:
    """The masking statements at the end of ``plan`` (array calls) that only feed ``stmt``,
    a maskable row function, in program order, taken off the plan: each one's value is read
    by the next one only (then by ``stmt``) and by nothing after it, nor kept for backward."""
    folded: list[Stmt] = []
    operand = stmt.args[0]
    while plan and plan[-1][0] is None:
        producer = plan[-1][1][0]
        if producer.prim not in ROW_MASKS or producer.target != operand or producer.target in live_after:
            break
        readers = [s for s in folded + [stmt] if producer.target in s.reads()]
        if len(readers) != 1 or not isinstance(producer.args[0], str):
            break
        folded.insert(0, producer)
        plan.pop()
        operand = producer.args[0]
    return folded


def _fold(run: list[Stmt], reduction: Stmt, live_after: "set[str] | _Live") -> tuple[list[Stmt], list[Stmt]]:
    """Split a run before a row reduction into (statements that stay, statements that only
    feed the reduction and move into its map function): a value moves when every reader is
    the reduction or another moving value, and nothing after the reduction reads it."""
    moving: set[str] = set()
    readers_of: dict[str, list[Stmt]] = {}
    for s in run:
        for name in dict.fromkeys(s.reads()):
            readers_of.setdefault(name, []).append(s)
    for stmt in reversed(run):
        readers = readers_of.get(stmt.target, [])
        feeds = stmt.target in reduction.reads() or any(s.target in moving for s in readers)
        if feeds and stmt.target not in live_after and all(s.target in moving for s in readers):
            moving.add(stmt.target)
    return [s for s in run if s.target not in moving], [s for s in run if s.target in moving]


@dataclass(frozen=True)
class _Live:
    """The names read from part ``position`` on, or results (and ``extra``): a view, not a
    set built per part (that was quadratic in the number of parts)."""

    last_read: dict[str, int]
    results: set[str]
    position: int
    extra: frozenset[str] = frozenset()

    def __contains__(self, name: object) -> bool:
        return name in self.extra or name in self.results or self.last_read.get(name, -1) >= self.position  # type: ignore[arg-type]

    def __or__(self, other: set[str]) -> "_Live":
        return _Live(self.last_read, self.results, self.position, self.extra | frozenset(other))


def _plan(spec: OpSpec, fn: Function, prims: Primitives, saved: tuple[str, ...]) -> list[tuple[Kernel | None, list[Stmt]]]:
    fn = sink_chunks(fn, prims)
    parts = split(fn, prims)
    plan: list[tuple[Kernel | None, list[Stmt]]] = []
    base = kernel_base(spec, fn)
    index = 0
    results = {o for o in fn.outputs if isinstance(o, str)} | set(saved)

    last_read: dict[str, int] = {}  # the last part that reads each name
    for position, part in enumerate(parts):
        for stmt in part if isinstance(part, list) else [part]:
            for name in stmt.reads():
                last_read[name] = position

    def live(position: int) -> _Live:
        return _Live(last_read, results, position)

    for position, part in enumerate(parts):
        if isinstance(part, Stmt) and _row_function(part, fn, prims):
            kernel = _row_kernel(f"{base}_{index}", part, fn, prims)
            masking = _fold_masks(plan, part, live(position + 1)) if part.prim in MASKABLE_ROWS else []
            if masking:
                operands = tuple(("T", s.args[1]) for s in masking if ROW_MASKS[s.prim][1])
                kernel = dataclasses.replace(kernel, inputs=(("T", masking[0].args[0]),) + operands,  # type: ignore[arg-type]
                                             masks=tuple(ROW_MASKS[s.prim][0] for s in masking),
                                             sources=tuple(dict.fromkeys(f"{s.loc.path}:{s.loc.line}" for s in masking + [part])))
            plan.append((kernel, masking + [part]))
            index += 1
            continue
        if isinstance(part, Stmt) and _row_reduction(part, fn):
            folded: list[Stmt] = []
            if plan and plan[-1][0] is not None and plan[-1][0].reduction is None:
                stays, folded = _fold(plan[-1][1], part, live(position + 1))
                if folded:
                    plan.pop()
                    index -= 1
                    if stays:
                        live_after = live(position) | {r for s in folded for r in s.reads()}
                        plan.append((build_kernel(f"{base}_{index}", stays, fn, prims, live_after), stays))
                        index += 1
            kernel = build_kernel(f"{base}_{index}", folded + [part], fn, prims, {part.target})
            plan.append((kernel, folded + [part]))
            index += 1
            continue
        if isinstance(part, Stmt):
            plan.append((None, [part]))
            continue
        plan.append((build_kernel(f"{base}_{index}", part, fn, prims, live(position + 1)), part))
        index += 1

    def program_kernel(program: rows.Program, stmts: list[Stmt]) -> tuple[Kernel, list[Stmt]]:
        kernel = Kernel(
            name="", inputs=tuple((t, n) for _, t, n in program.inputs), outputs=tuple((t, n) for _, t, n in program.outputs),
            body=program.body, helpers=program.helpers,
            sources=tuple(dict.fromkeys(f"{s.loc.path}:{s.loc.line}" for s in stmts)),
            kinds=tuple(k for k, _, _ in program.inputs + program.outputs))
        return kernel, stmts

    plan = rows.fuse(plan, fn, prims, results, program_kernel)
    numbered = iter(range(len(plan)))  # the kernels named in order again
    return [(None if k is None else dataclasses.replace(k, name=f"{base}_{next(numbered)}"), run) for k, run in plan]


def render_kernel(kernel: Kernel) -> str:
    if kernel.kinds:
        return _render_row_program(kernel)
    if kernel.reduction:
        return _render_reduction(kernel)
    if kernel.row:
        return _render_row(kernel)
    params = [", ".join(f"{t} {c_name(n)}" for t, n in params) for params in (kernel.inputs, kernel.outputs)]
    lines = [f"# {kernel.name}: {kernel.provenance}"]
    lines.append(f"{kernel.variable} = ElementwiseKernel(")
    lines.append(f'    "{kernel.name}",')
    lines.append(f'    "{params[0]}",')
    lines.append(f'    "{params[1]}",')
    lines.append('    """')
    lines += [f"    {line}" for line in kernel.body]
    lines.append('    """,')
    if kernel.scalars:
        lines.append(f"    scalars={tuple(c_name(n) for n in kernel.scalars)!r},")
    if kernel.helpers:
        lines += ['    preamble="""', *_indented(kernel.helpers), '    """,']
    lines.append(")")
    return "\n".join(lines)


def _render_reduction(kernel: Kernel) -> str:
    """A ``ReductionKernel`` over the last axis: its map is a device function with the folded
    statements, the reduction and the identity come from ``ROW_REDUCTIONS``."""
    assert kernel.reduction is not None
    combine, identity, mean = ROW_REDUCTIONS[kernel.reduction]
    # The kernel's parameters are X0, X1, ... (see the runtime's ReductionKernel: CuPy's CUB
    # path renames them by text replacement); the map function keeps the spec's names.
    positional = [f"X{i}" for i in range(len(kernel.inputs))]
    params = ", ".join(f"{t} {p}" for (t, _), p in zip(kernel.inputs, positional))
    signature = ", ".join(f"const {'T' if t == 'T' else t} {c_name(n)}" for t, n in kernel.inputs)
    lines = [f"# {kernel.name}: {kernel.provenance}"]
    lines.append(f"{kernel.variable} = ReductionKernel(")
    lines.append(f'    "{kernel.name}",')
    lines.append(f'    "{params}",')
    lines.append(f'    map_expr="{kernel.name}_map({", ".join(positional)})",')
    lines.append(f'    reduce_expr="{combine}",')
    lines.append(f"    identity={identity!r},")
    lines += ["    mean=True,"] if mean else []
    lines += ['    preamble="""', *_indented(kernel.helpers)]
    lines.append("    template <typename T>")
    lines.append(f"    __device__ T {kernel.name}_map({signature}) {{")
    lines += [f"        {line}" for line in kernel.body]
    lines.append("    }")
    lines.append('    """,')
    lines.append(")")
    return "\n".join(lines)


def _render_row(kernel: Kernel) -> str:
    """A ``RowKernel``: one thread per row along the last axis runs the device function."""
    lines = [f"# {kernel.name}: {kernel.provenance}"]
    lines.append(f"{kernel.variable} = RowKernel(")
    lines.append(f'    "{kernel.name}",')
    lines.append(f'    "{kernel.row}",')
    lines.append(f"    row_width={kernel.row_width!r},")
    lines += ['    preamble="""', *_indented(kernel.helpers), '    """,']
    if kernel.masks:
        lines.append(f"    masks={kernel.masks!r},")
    lines.append(")")
    return "\n".join(lines)


def _render_row_program(kernel: Kernel) -> str:
    """A ``RowBlockKernel``: the parameters with their kinds, the row program's C body."""
    kinds = iter(kernel.kinds)
    params = [", ".join(f"{next(kinds)} {t} {c_name(n)}" for t, n in group) for group in (kernel.inputs, kernel.outputs)]
    lines = [f"# {kernel.name}: {kernel.provenance}", f"{kernel.variable} = RowBlockKernel(", f'    "{kernel.name}",',
             f'    "{params[0]}",', f'    "{params[1]}",', '    """']
    lines += [f"    {line}" for line in kernel.body]
    lines.append('    """,')
    if kernel.helpers:
        lines += ['    preamble="""', *_indented(kernel.helpers), '    """,']
    lines.append(")")
    return "\n".join(lines)


def _indented(helpers: tuple[str, ...]) -> list[str]:
    """C++ helper texts as lines of a preamble string, indented under the kernel's call."""
    return [f"    {line}" if line else "" for helper in helpers for line in helper.rstrip().splitlines()]


def _array_call(stmt: Stmt, prims: Primitives) -> str:
    from .codegen import template_names

    prim = prims[stmt.prim]
    text = prim.numpy.format(**template_names(stmt, prims))
    if prim.helper_name:
        text = text.replace(f"{prim.helper_name}(", f"_cupy{prim.helper_name}(")
    return f"{stmt.target} = {_NUMPY.sub('cp.', text)}"


def render_function(spec: OpSpec, fn: Function, prims: Primitives, returns: str, params: str,
                    saved: tuple[str, ...] = (), shared: dict[Kernel, str] | None = None,
                    helper_prims: list[str] | None = None) -> tuple[list[str], str]:
    """The kernels and the CuPy twin of ``fn`` (``params`` as in the NumPy function's header).

    ``shared`` maps the kernels a module already defines (name and provenance left out) to
    their variables: variants that run the same statements on the same values (an op's
    variants often differ only in a fused activation or in a step elsewhere) call one
    kernel object, so the module defines it, and CuPy compiles it, once. ``helper_prims``
    collects, once each, the primitives with a helper that the twin calls as array code."""
    shared = {} if shared is None else shared
    helper_prims = [] if helper_prims is None else helper_prims
    kernels_: list[str] = []
    lines: list[str] = []
    for kernel, run in _plan(spec, fn, prims, saved):
        if kernel is None:
            lines.append(_array_call(run[0], prims))
            if prims[run[0].prim].helper and run[0].prim not in helper_prims:
                helper_prims.append(run[0].prim)
            continue
        key = dataclasses.replace(kernel, name="", sources=())
        if key not in shared:
            shared[key] = kernel.variable
            kernels_.append(render_kernel(kernel))
        outs = ", ".join(n for _, n in kernel.outputs)
        lines.append(f"{outs} = {shared[key]}({', '.join(n for _, n in kernel.inputs)})")
    head = [f"def _cupy{fn.name}({params}):"]
    if any(_CUPY.search(line) for line in lines):
        head.append("    import cupy as cp")
        head.append("")
    return kernels_, "\n".join(head + [f"    {line}" for line in lines] + [f"    return {returns}"])


def cupy_helper(prim: Primitive, called: Iterable[str] = ()) -> str:
    """A helper's CuPy copy: ``_cupy<name>``, with ``cp.`` for ``np.`` and the CuPy copies of
    the helper functions ``called`` that its body calls, importing CuPy after the docstring
    where the body calls it."""
    assert prim.helper is not None and prim.helper_name is not None
    text = prim.helper.rstrip().replace(f"def {prim.helper_name}(", f"def _cupy{prim.helper_name}(", 1)
    lines = text.splitlines()
    body_start = _after_docstring(lines)
    body = [_NUMPY.sub("cp.", line) for line in lines[body_start:]]
    for function in called:
        body = [call_of(function).sub(f"_cupy{function}(", line) for line in body]
    imports = ["    import cupy as cp", ""] if any(_CUPY.search(line) for line in body) else []
    text = "\n".join(lines[:body_start] + imports + body)
    if "cp.errstate" in text or "cp.einsum" in text:
        text = cst.parse_module(text).visit(_CupyIdioms()).code
    return text


_CP_CALL = {name: m.Call(func=m.Attribute(value=m.Name("cp"), attr=m.Name(name))) for name in ("errstate", "einsum")}


class _CupyIdioms(cst.CSTTransformer):
    """The NumPy idioms of a helper's body that CuPy lacks, in its CuPy copy: ``with
    cp.errstate(...)`` (CuPy has no errstate: a GPU raises no floating-point warnings) runs its
    body plainly, and ``cp.einsum(..., out=target)`` as a statement (CuPy's einsum takes no
    ``out``) assigns its result to ``target`` (a subscript) or ``target[...]``."""

    def leave_With(self, original: cst.With, updated: cst.With):
        if len(updated.items) == 1 and m.matches(updated.items[0].item, _CP_CALL["errstate"]):
            assert isinstance(updated.body, cst.IndentedBlock)
            first, *rest = updated.body.body
            return cst.FlattenSentinel([first.with_changes(leading_lines=updated.leading_lines), *rest])
        return updated

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if len(updated.body) != 1 or not m.matches(updated.body[0], m.Expr(_CP_CALL["einsum"])):
            return updated
        call = updated.body[0].value
        assert isinstance(call, cst.Call)
        out = [arg for arg in call.args if arg.keyword is not None and arg.keyword.value == "out"]
        if not out:
            return updated
        args = [arg for arg in call.args if arg is not out[0]]
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        target = out[0].value
        if not isinstance(target, cst.Subscript):  # a whole array: its elements
            target = cst.Subscript(value=target, slice=[cst.SubscriptElement(slice=cst.Index(value=cst.Ellipsis()))])
        assign = cst.Assign(targets=[cst.AssignTarget(target=target)], value=call.with_changes(args=args))
        return updated.with_changes(body=[assign])


def _after_docstring(lines: list[str]) -> int:
    """The index of the first line after the ``def`` line and its docstring, if any."""
    first = lines[1].strip() if len(lines) > 1 else ""
    if not first.startswith('"""'):
        return 1
    if len(first) > 6 and first.endswith('"""'):
        return 2
    closing = next(i for i in range(2, len(lines)) if lines[i].rstrip().endswith('"""'))
    return closing + 1


def render_section(spec: OpSpec, compiled, prims: Primitives, compiled_entries=None, entry_tables=()) -> CupySection:
    """The CuPy kernels, twins, tables and helpers of one module; ``compiled_entries``: the compiled
    entry points (``entry.compile_entries``), whose twins and ``entry_tables`` follow."""
    from .codegen import _outputs, _tuple, operand, slot_is_final, uses_rng

    fused = spec.slot is not None
    blocks: list[str] = []
    helper_prims: list[str] = []
    shared: dict[Kernel, str] = {}
    for c in compiled:
        fwd_returns = f"{_outputs([operand(o) for o in c.forward.outputs])}, {_tuple(list(c.saved)) if c.saved else '()'}"
        for fn, returns in ((c.forward, fwd_returns), (c.backward, _outputs([operand(o) for o in c.backward.outputs]))):
            if fn is c.forward and fused:
                own = {a.name for a in spec.attributes}
                params = ", ".join((["rng"] if spec.random else []) + [
                    f"{n}={fn.attr_defaults[n]!r}" if n in fn.attr_defaults and n not in own else n for n in fn.params
                ])
            else:
                params = ", ".join((["rng"] if (fn is c.forward and spec.random) or uses_rng(fn, prims) else []) + list(fn.params))
            saved = c.saved if fn is c.forward else ()
            if fn.loop is not None:  # a scan's driver: its loop, calling the CuPy twins of its parts
                from . import loop, scan

                driver = loop if isinstance(fn.loop, loop.Repeat) else scan
                blocks.append(driver.render_forward(fn, cupy=True) if fn is c.forward else driver.render_backward(fn, cupy=True))
                continue
            kernel_blocks, function = render_function(spec, fn, prims, returns, params, saved, shared, helper_prims)
            blocks += kernel_blocks + [function]
        if c.forward.loop is not None:
            from .codegen import scan_part_returns

            for part in c.forward.loop.functions():
                if any(f"def _cupy{part.name}(" in block for block in blocks):
                    continue  # shared by the variants that differ only in their drivers
                names = ", ".join(part.params)
                kernel_blocks, function = render_function(spec, part, prims, scan_part_returns(c, part), names,
                                                          shared=shared, helper_prims=helper_prims)
                blocks += kernel_blocks + [function]
    if compiled_entries:
        from .entry import cupy_blocks

        blocks += cupy_blocks(spec, compiled_entries, prims, shared, helper_prims) + list(entry_tables)
    optional = [d.name for d in spec.keyed_optional]  # variants: false makes none
    if fused:
        from .codegen import variant_key

        if slot_is_final(spec):
            grads = ", ".join(f"grad_{o}" for o in spec.outputs)
            identity = next(c for c in compiled if c.variant.activation == "identity")
            keyed = optional or spec.structural
            linear = "linear_backward" if keyed else f"_cupy{identity.backward.name}"
            blocks.append("\n".join([
                f"def _cupy_backward_composed({grads}, module, activation_ctx, {'linear_backward, ' if keyed else ''}linear_saved):",
                f"    grad_linear = module.backward({grads}, activation_ctx)",
                f"    return {linear}(grad_linear, *linear_saved)",
            ]))
        entries = "".join(f'    {variant_key(c.variant, optional)}: (_cupy{c.forward.name}, _cupy{c.backward.name}),\n' for c in compiled)
        blocks.append(f"_CUPY_FUSED = {{\n{entries}}}")
    elif spec.structural or optional:
        entries = ""
        for c in compiled:
            values = [v for _, v in c.variant.structural] + [n not in c.variant.absent for n in optional]
            key = repr(values[0]) if len(values) == 1 else repr(tuple(values))
            entries += f"    {key}: (_cupy{c.forward.name}, _cupy{c.backward.name}),\n"
        blocks.append(f"_CUPY_VARIANTS = {{\n{entries}}}")
    helper_prims = with_called_helpers(helper_prims, prims)
    called = [prims[name].helper_name or name for name in helper_prims]
    for name in sorted(helper_prims, key=lambda p: prims[p].helper_name or p):
        blocks.append(cupy_helper(prims[name], called))
    every = list(shared)  # each kernel the twins call, once
    names = ["ElementwiseKernel"] if any(not k.reduction and not k.row and not k.kinds for k in every) else []
    names += ["ReductionKernel"] if any(k.reduction for k in every) else []
    names += ["RowBlockKernel"] if any(k.kinds for k in every) else []
    names += ["RowKernel"] if any(k.row for k in every) else []
    names.append("on_gpu")
    if spec.random or any(c.random for variants_ in compiled_entries or () for c in variants_):
        names.append("default_gpu_rng")
    header = "# The CuPy target: fused elementwise and row-reduction kernels, built on first use,\n# and CuPy twins of the functions above."
    if blocks:
        blocks[0] = f"{header}\n\n\n{blocks[0]}"
    return CupySection([f"from {RUNTIME} import {', '.join(names)}"], blocks, spec.random)


__all__ = ["Kernel", "CupySection", "ROW_REDUCTIONS", "ROW_MASKS", "split", "kernels", "render_section", "render_kernel", "kernel_base"]
