"""Entry points: functions of an op's module beside forward and backward.

A learning rule (``learn``, ``contrastive_divergence``, ``stdp_update``) or a decoder
(``decode``) is declared under ``entry_points:`` and generated from statements like forward:
the same primitives, shape rules and run-time checks, one specialized function per variant
(structural attributes, optional inputs), a CuPy twin, and no backward. An entry point is a
sequence of stages; a stage is straight-line statements or the step of a loop (``scan``):
over the time axis of its sequences, forward or in reverse, or a fixed number of times. The
names a stage assigns are read by the stages after it, so a Viterbi decoder is a forward
loop (max-product, stacking back-pointers) followed by a reverse one (the backtrack).

Layout of the generated code for ``learn`` (one stage, no structural attribute):

    def learn(x, prev, S, *, ...):        # checks, then the CPU or the CuPy function
    def _entry_learn(x, prev, S, ...):    # the statements (optimized by the passes)
    def _cupy_entry_learn(...):           # its CuPy twin

With several stages or a loop, ``_driver_<name>`` calls the stages' functions
(``_entry_<name>_<i>``, a loop's step ``_entry_<name>_step<i>``) in order.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import textwrap
from dataclasses import dataclass

from .errors import Collector
from .expr import Assign, If, names_in
from .ir import ABSENT, Builder, Const, Function, Operand, Scope, Value, Variant, _statements, eliminate_dead_code, variants
from .primitives import Primitives
from .shapes import SCALAR, Shape
from .spec import EntryDecl, OpSpec, ScanDecl, StageDecl


@dataclass
class Stage:
    """A built stage: its function (a loop's step), what it returns under which names, and
    for a loop its declaration and the time dimension of its sequences."""

    fn: Function
    exports: list[tuple[str, Operand]]  # (the name later stages read, the value the function returns)
    scan: ScanDecl | None = None
    time: object = None  # a loop's time dimension (its sequences' first)


@dataclass
class CompiledEntry:
    """One variant of an entry point: its stages; ``driver`` names the function the public
    entry point calls (the single stage's function, or the driver that runs them)."""

    entry: EntryDecl
    variant: Variant
    stages: list[Stage]
    params: list[str]  # the driver's parameters: the entry point's arrays, then its attributes
    outputs: list[str]
    random: bool

    @property
    def single(self) -> bool:
        return len(self.stages) == 1 and self.stages[0].scan is None

    @property
    def driver(self) -> str:
        return self.stages[0].fn.name if self.single else f"_driver_{self.entry.name}{_suffix(self.variant)}"

    def functions(self) -> list[Function]:
        return [s.fn for s in self.stages]


def _suffix(variant: Variant) -> str:
    return f"_{variant.suffix}" if variant.suffix else ""


def statements(entry: EntryDecl) -> tuple:
    """Every statement of every stage (what the entry point reads)."""
    return tuple(s for stage in entry.stages for s in stage.body)


def entry_spec(spec: OpSpec, entry: EntryDecl) -> OpSpec:
    """The entry point as an op of its own, for what it shares with forward: its arrays are
    its inputs (none takes a gradient), its attributes those of the op that it reads (or
    loops over) and its own; its statements are its stages'."""
    read = _read_names(entry)
    attrs = tuple(a for a in spec.attributes if a.name in read) + entry.attributes
    inputs = tuple(dataclasses.replace(d, takes_grad=False) if d.dtype == "float" else d for d in entry.inputs)
    return dataclasses.replace(
        spec, inputs=inputs, parameters=(), buffers=(), attributes=attrs, random=entry.random, slot=None,
        forward=statements(entry), backward=None, outputs=entry.outputs, nondifferentiable=(), window=None,
        broadcast=False, nonempty=(), calls=(), torch_names=(), wrap=None, scan=None, entry_points=())


def _read_names(entry: EntryDecl) -> set[str]:
    out: set[str] = set()

    def walk(stmts) -> None:
        for stmt in stmts:
            if isinstance(stmt, If):
                out.add(stmt.attribute)
                walk(stmt.body)
                walk(stmt.orelse)
            elif isinstance(stmt, Assign):
                out.update(n.id for n in names_in(stmt.value))

    for stage in entry.stages:
        walk(stage.body)
        if stage.scan is not None and stage.scan.length:
            out.add(stage.scan.length)
    return out


def compile_entries(spec: OpSpec, prims: Primitives, errors: Collector) -> list[list[CompiledEntry]]:
    """Every entry point of ``spec``, each as its variants."""
    out = []
    for entry in spec.entry_points:
        sub = entry_spec(spec, entry)
        built = [_build(spec, sub, entry, v, prims, errors) for v in variants(sub)]
        out.append([b for b in built if b is not None])
    return out


def _build(spec: OpSpec, sub: OpSpec, entry: EntryDecl, variant: Variant, prims: Primitives,
           errors: Collector) -> CompiledEntry | None:
    where = f"spec.entry_points.{entry.name}"
    available: dict[str, Value] = {}
    env: dict[str, Operand] = {}
    params: list[str] = []
    for decl in sub.arrays:
        params.append(decl.name)
        if decl.name in variant.absent:
            env[decl.name] = ABSENT
            continue
        available[decl.name] = Value(decl.shape, decl.dtype, "buffer")
        env[decl.name] = decl.name
    for attr in sub.attributes:
        if sub.passed(attr) or any(s.scan is not None and s.scan.length == attr.name for s in entry.stages):
            available[attr.name] = Value(SCALAR, "bool" if attr.type == "bool" else "float", "attr")
            env[attr.name] = attr.name
            params.append(attr.name)
    counter = itertools.count(1)
    stages: list[Stage] = []
    suffix = _suffix(variant)
    several = len(entry.stages) > 1
    for index, stage in enumerate(entry.stages, start=1):
        later = _later_reads(entry, index) | set(entry.outputs)
        if stage.scan is None:
            name = f"_entry_{entry.name}{suffix}" + (f"_{index}" if several else "")
            order = list(entry.outputs) + sorted(later - set(entry.outputs))  # a single stage returns the outputs
            built = _straight(sub, stage, name, available, env, order, variant, prims, errors, counter)
        else:
            name = f"_entry_{entry.name}{suffix}_step" + (f"{index}" if several else "")
            built = _loop(sub, stage, name, available, env, variant, prims, errors, counter, where)
        if built is None:
            return None
        stages.append(built)
    missing = [o for o in entry.outputs if o not in env]
    for out in missing:
        errors.error(entry.loc, f"{where}: output '{out}' is never assigned")
    if missing:
        return None
    return CompiledEntry(entry, variant, stages, params, list(entry.outputs), entry.random)


def _later_reads(entry: EntryDecl, index: int) -> set[str]:
    """The names the stages after stage ``index`` (1-based) read, loop declarations included."""
    out: set[str] = set()
    for stage in entry.stages[index:]:
        for stmt in stage.body:
            if isinstance(stmt, Assign):
                out.update(n.id for n in names_in(stmt.value))
            elif isinstance(stmt, If):
                out.add(stmt.attribute)
        if stage.scan is not None:
            out.update(stage.scan.sequences)
            out.update(c.init for c in stage.scan.carries)
    return out


def _straight(sub: OpSpec, stage: StageDecl, name: str, available: dict[str, Value], env: dict[str, Operand],
              later: list[str], variant: Variant, prims: Primitives, errors: Collector, counter) -> Stage | None:
    values = dict(available)
    local = dict(env)
    builder = Builder(prims, errors, values, counter)
    builder.maybe_none = {d.name for d in sub.optional if not d.variants}
    fn = Function(name, [], builder.body, [], values)
    if not _statements(sub, stage.body, local, variant.conditions, builder, fn, variant, {}, Scope({})):
        return None
    exports = [(n, local[n]) for n in later if n in local and n not in env]
    fn.outputs = [o for _, o in exports]
    eliminate_dead_code(fn)
    reads = {r for s in fn.body for r in s.reads()} | {o for o in fn.outputs if isinstance(o, str)}
    fn.params = [n for n in available if n in reads]
    for n, o in exports:
        available[n] = values[o] if isinstance(o, str) else Value(SCALAR, "float", "temp")
        env[n] = n
    return Stage(fn, exports)


def _loop(sub: OpSpec, stage: StageDecl, name: str, available: dict[str, Value], env: dict[str, Operand],
          variant: Variant, prims: Primitives, errors: Collector, counter, where: str) -> Stage | None:
    scan = stage.scan
    assert scan is not None
    values = {n: v for n, v in available.items()}
    local = dict(env)
    time = None
    for seq in scan.sequences:
        value = available.get(seq)
        shape = value.shape if value is not None else None
        if value is None or shape is None or shape.ellipsis or shape.rank < 1:
            errors.error(scan.loc, f"{where}.scan.sequences: '{seq}' must be an array with a leading time axis "
                                   f"[T, ...] (an input or a value of an earlier stage)")
            return None
        if time is None:
            time = shape.dims[0]
        elif shape.dims[0] != time:
            errors.error(scan.loc, f"{where}.scan.sequences: '{seq}' has {shape.dims[0]} steps where the first sequence has {time}")
            return None
        values[seq] = Value(Shape(shape.dims[1:]), value.dtype, "buffer")
    for carry in scan.carries:
        init = available.get(carry.init)
        if init is None or init.shape is None:
            errors.error(carry.loc, f"{where}.scan.carry.{carry.name}.init: '{carry.init}' is not an array of the entry point or an earlier stage")
            return None
        if carry.name in local and carry.name not in scan.sequences:
            errors.error(carry.loc, f"{where}.scan.carry: '{carry.name}' is already a name")
            return None
        values[carry.name] = dataclasses.replace(init, role="buffer")
        local[carry.name] = carry.name
    builder = Builder(prims, errors, values, counter)
    fn = Function(name, [], builder.body, [], values)
    if not _statements(sub, stage.body, local, variant.conditions, builder, fn, variant, {}, Scope({})):
        return None
    ok = True
    for carry in scan.carries:
        nxt = local.get(carry.next)
        if nxt is None or not isinstance(nxt, str):
            errors.error(carry.loc, f"{where}.scan.carry.{carry.name}.next: '{carry.next}' is not an array the step assigns")
            ok = False
        elif values[nxt].shape != values[carry.name].shape or values[nxt].dtype != values[carry.name].dtype:
            errors.error(carry.loc, f"{where}.scan.carry.{carry.name}.next: '{carry.next}' is {values[nxt].dtype}{values[nxt].shape}, "
                                    f"but the carry is {values[carry.name].dtype}{values[carry.name].shape}")
            ok = False
    for out, value in scan.stack:
        if not isinstance(local.get(value), str):
            errors.error(scan.loc, f"{where}.scan.stack.{out}: '{value}' is not an array the step assigns")
            ok = False
    if not ok:
        return None
    fn.outputs = [local[c.next] for c in scan.carries] + [local[v] for _, v in scan.stack]
    eliminate_dead_code(fn)
    reads = {r for s in fn.body for r in s.reads()} | {o for o in fn.outputs if isinstance(o, str)}
    fn.params = [c.name for c in scan.carries if c.name in reads] + [s for s in scan.sequences if s in reads]
    fn.params += [n for n in available if n in reads and n not in fn.params]
    exports: list[tuple[str, Operand]] = []
    for carry in scan.carries:
        if carry.final is not None:
            available[carry.final] = values[carry.name]
            env[carry.final] = carry.final
            exports.append((carry.final, carry.name))
    for out, value in scan.stack:
        step = values[local[value]]  # type: ignore[index]
        stacked = Shape((time, *step.shape.dims)) if step.shape is not None and not step.shape.ellipsis else None
        available[out] = Value(stacked, step.dtype, "buffer")
        env[out] = out
        exports.append((out, local[value]))
    return Stage(fn, exports, scan, time)


# -- rendering ------------------------------------------------------------------------------


@dataclass
class Rendered:
    """What an op's entry points add to its module."""

    public: list[str]  # the public functions, after backward
    functions: list[str]  # stage functions and drivers (NumPy)
    tables: list[str]  # variant tables
    runtime: set[str]  # names imported from the runtime
    names: list[str]  # the public names, for __all__
    cupy_tables: list[str]  # the CuPy variant tables, after the CuPy twins


def _table_name(entry: EntryDecl, cupy: bool = False) -> str:
    return f"_{'CUPY_' if cupy else ''}{entry.name.upper()}_VARIANTS"


def _returns(stage: Stage) -> str:
    """What a stage's function returns: a loop's step, its next carries and stacked values;
    straight statements, the values later stages read."""
    from .codegen import _outputs, operand

    values = stage.fn.outputs if stage.scan is not None else [o for _, o in stage.exports]
    return _outputs([operand(o) for o in values]) if values else "None"


def _stage_params(fn: Function, prims: Primitives) -> list[str]:
    from .codegen import uses_rng

    return (["rng"] if uses_rng(fn, prims) else []) + list(fn.params)


def render_stage(fn: Function, stage: Stage, prims: Primitives) -> str:
    from .codegen import render_function

    return render_function(fn, prims, _returns(stage))


def render_driver(c: CompiledEntry, prims: Primitives, cupy: bool = False) -> str | None:
    """The function that runs a multi-stage or looping entry point's stages in order."""
    if c.single:
        return None
    prefix = "_cupy" if cupy else ""
    lib = "cp" if cupy else "np"
    taken = {n for s in c.stages for n in s.fn.values} | set(c.params)
    steps, t = ("steps", "t") if not {"steps", "t"} & taken else ("_steps", "_t")
    params = (["rng"] if c.random else []) + c.params
    lines = [f"def {prefix}{c.driver}({', '.join(params)}):"]
    if cupy:
        lines += ["    import cupy as cp", ""]
    for stage in c.stages:
        fn = stage.fn
        call = f"{prefix}{fn.name}({', '.join(_stage_params(fn, prims))})"
        scan = stage.scan
        if scan is None:
            names = [n for n, _ in stage.exports]
            lines.append(f"    {', '.join(names)} = {call}" if names else f"    {call}")
            continue
        carries = [c_.name for c_ in scan.carries]
        lines += [f"    {carry.name} = {carry.init}" for carry in scan.carries]
        nexts = [carry.next for carry in scan.carries]
        stacked = [value for _, value in scan.stack]
        sliced = {s: f"{s}[{t}]" for s in scan.sequences}
        args = [sliced.get(p, p) for p in _stage_params(fn, prims)]
        step_call = f"{prefix}{fn.name}({', '.join(args)})"
        targets = nexts + [f"{v}_{t.lstrip('_')}" if v in nexts else v for v in stacked]
        if scan.length:
            lines.append(f"    for _ in range({scan.length}):")
        else:
            lines.append(f"    {steps} = {scan.sequences[0]}.shape[0]")
            order = f"range({steps} - 1, -1, -1)" if scan.reverse else f"range({steps})"
            lines.append(f"    for {t} in {order}:")
        lines.append(f"        {', '.join(targets)} = {step_call}")
        first = f"{steps} - 1" if scan.reverse else "0"
        for (out, _), value in zip(scan.stack, targets[len(nexts):]):
            lines.append(f"        if {t} == {first}:")
            lines.append(f"            {out} = {lib}.empty(({steps}, *{value}.shape), dtype={value}.dtype)")
            lines.append(f"        {out}[{t}] = {value}")
        lines += [f"        {carry} = {nxt}" for carry, nxt in zip(carries, nexts)]
        lines += [f"    {carry.final} = {carry.name}" for carry in scan.carries if carry.final and carry.final != carry.name]
    from .codegen import _outputs

    lines.append(f"    return {_outputs(c.outputs)}")
    return "\n".join(lines)


def render(spec: OpSpec, compiled: list[list[CompiledEntry]], prims: Primitives) -> Rendered:
    from .codegen import _doc_block, _indent_wrap, _tuple, _type_text, argument_checks, keyword

    public: list[str] = []
    functions: list[str] = []
    tables: list[str] = []
    cupy_tables: list[str] = []
    runtime: set[str] = set()
    names: list[str] = []
    for entry, variants_ in zip(spec.entry_points, compiled):
        if not variants_:
            continue
        sub = entry_spec(spec, entry)
        op = f"{spec.name}.{entry.name}"
        first = variants_[0]
        arrays = [d.name for d in sub.arrays]
        optional = [d.name for d in sub.optional]
        signature = [f"{n}=None" if all(m in optional for m in arrays[i:]) else n for i, n in enumerate(arrays)]
        attrs = [a for a in sub.attributes if a.name in first.params or a.structural]
        keywords = [keyword(a) for a in attrs] + (["rng=None"] if entry.random else [])
        params = ", ".join(signature + (["*"] + keywords if keywords else []))
        # the docstring: what it computes, its arguments, what it returns
        doc = [f"{spec.title} {entry.name}: an entry point beside forward and backward.", ""]
        doc += (textwrap.wrap(" ".join(entry.doc.split()), 84) + [""]) if entry.doc else []
        doc += ["Args:"]
        for decl in sub.arrays:
            dtype = {"int": "integer", "mask": "bool or float mask"}.get(decl.dtype, "float32 or float64")
            given = ", None to leave it out" if decl.optional else ""
            whose = " (the layer's)" if decl.name in entry.shared and spec.array(decl.name) not in spec.inputs else ""
            doc += _indent_wrap(f"{decl.name}: {dtype} array of shape {decl.shape}{whose}{given}." + (f" {decl.doc}" if decl.doc else ""))
        for attr in attrs:
            default = ("default None" if attr.optional else "required") if attr.default is None else f"default {attr.default!r}"
            doc += _indent_wrap(f"{attr.name}: {_type_text(attr)}, {default}." + (f" {attr.doc}" if attr.doc else ""))
        if entry.random:
            doc += _indent_wrap("rng: a numpy.random.Generator (or CuPy's) for the random draws; a fresh one if None.")
        outs = entry.outputs[0] if len(entry.outputs) == 1 else f"({', '.join(entry.outputs)})"
        doc += ["", "Returns:"] + _indent_wrap(f"{outs}: new arrays; no argument is changed. There is no backward: "
                                              "this is not a gradient.")
        checked = [a for a in sub.attributes if a.name in first.params or a.structural]
        body = argument_checks(op, sub, checked)
        runtime.update(re.findall(r"\b(check_\w+)\(", "\n".join(body)))
        # a loop over time needs a step: the arrays that lead with its time dimension have one
        times = {s.time for s in first.stages if s.time is not None}
        sequences = [d.name for d in sub.arrays if not d.shape.ellipsis and d.shape.dims and d.shape.dims[0] in times]
        for seq in sequences:
            body.append(f'check_steps("{op}", "{seq}", {seq}.shape, 0)')
            runtime.add("check_steps")
        # a mask named as one of the op's mask sequences means what it means there: its
        # first step (along the op's time dimension) must be on, as forward checks
        for decl in sub.arrays:
            own = spec.array(decl.name) if spec.scan is not None and decl.name in spec.scan.sequences else None
            if decl.dtype != "mask" or own is None or own.dtype != "mask" or own.shape.dims[0] not in decl.shape.dims:
                continue
            axis = list(decl.shape.dims).index(own.shape.dims[0])
            check = f'check_first_step("{op}", "{decl.name}", {decl.name}, {axis})'
            body += [f"if {decl.name} is not None:", f"    {check}"] if decl.optional else [check]
            runtime.add("check_first_step")
        keyed = [a.name for a in sub.structural] + [f"{d.name} is not None" for d in sub.keyed_optional]
        args = (["rng"] if entry.random else []) + first.params
        if keyed:
            key = keyed[0] if len(keyed) == 1 else _tuple(keyed)
            cpu, gpu = f"{_table_name(entry)}[{key}]", f"{_table_name(entry, True)}[{key}]"
        else:
            cpu, gpu = first.driver, f"_cupy{first.driver}"
        gpu_args = ["default_gpu_rng() if rng is None else rng"] + args[1:] if entry.random else args
        body.append(f"if on_gpu({arrays[0]}):")
        body.append(f"    return {gpu}({', '.join(gpu_args)})")
        if entry.random:
            body += ["if rng is None:", "    rng = np.random.default_rng()"]
        body.append(f"return {cpu}({', '.join(args)})")
        public.append("\n".join([f"def {entry.name}({params}):", _doc_block(doc)] + [f"    {line}" for line in body]))
        names.append(entry.name)
        for c in variants_:
            for stage in c.stages:
                text = render_stage(stage.fn, stage, prims)
                if text not in functions:
                    functions.append(text)
            driver = render_driver(c, prims)
            if driver is not None:
                functions.append(driver)
        if keyed:
            cpu_entries, gpu_entries = "", ""
            optional_keyed = [d.name for d in sub.keyed_optional]
            for c in variants_:
                values = [v for _, v in c.variant.structural] + [n not in c.variant.absent for n in optional_keyed]
                key = repr(values[0]) if len(values) == 1 else repr(tuple(values))
                cpu_entries += f"    {key}: {c.driver},\n"
                gpu_entries += f"    {key}: _cupy{c.driver},\n"
            tables.append(f"{_table_name(entry)} = {{\n{cpu_entries}}}")
            cupy_tables.append(f"{_table_name(entry, True)} = {{\n{gpu_entries}}}")
    return Rendered(public, functions, tables, runtime, names, cupy_tables)


def cupy_blocks(spec: OpSpec, compiled: list[list[CompiledEntry]], prims: Primitives, shared, helper_prims) -> list[str]:
    """The CuPy twins of the entry points' functions (kernels shared with the module's)."""
    from . import cuda

    blocks: list[str] = []
    for variants_ in compiled:
        for c in variants_:
            for stage in c.stages:
                fn = stage.fn
                if any(f"def _cupy{fn.name}(" in block for block in blocks):
                    continue
                kernel_blocks, function = cuda.render_function(spec, fn, prims, _returns(stage),
                                                               ", ".join(_stage_params(fn, prims)), (), shared, helper_prims)
                blocks += kernel_blocks + [function]
            driver = render_driver(c, prims, cupy=True)
            if driver is not None:
                blocks.append(driver)
    return blocks
