"""The scan construct: a loop over the time axis with carried state, differentiated in reverse.

A spec with ``scan:`` writes in ``forward`` the body of one step, over the carried state and
one time slice of each sequence input. For each variant the transpiler builds that step as
an SSA ``Function`` and splits it, and its derived backward, into straight-line parts that a
driver loop calls:

- ``hoisted``: the step statements that do not read the carry, run once over all T steps
  before the loop (the input projection of every step is one matrix product);
- ``step``: the statements that read the carry, run once per step; it returns the next
  carries, the stacked values, and what the backward reads, which the driver stacks into
  [T, ...] buffers;
- ``step_backward``: the part of the step's derived backward that the carry's gradient needs
  (the recurrence), run once per step in reverse;
- ``deferred``: the rest of the step's backward (parameter gradients, gradients of the
  hoisted values), run once after the loop over the stacked arrays: every step value is
  led by '...', so a value of all steps is the same statements over one more leading axis,
  and a parameter's gradient, summed over the leading axes, is the sum over the steps;
- ``hoisted_backward``: the derived backward of ``hoisted``, once, after that.

Every backward is derived by the per-primitive rules (``grad.build_backward``); nothing is
written by hand. The same split serves a scan over a count instead of a sequence later (no
sequence: nothing is hoisted but loop invariants).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass, replace

from .errors import Collector
from .grad import build_backward, grad_name
from .ir import (ABSENT, Builder, Function, Operand, Scope, Stmt, Value, Variant, _statements, eliminate_dead_code,
                 next_temporary)
from .primitives import Primitives
from .shapes import Shape
from .spec import AttrValue, OpSpec

# Primitives whose result over stacked steps is the sum over the steps of their per-step
# results (a reduction over every leading axis): they may run after the loop.
SUMMING = {"sum_to", "sum_leading", "linear_weight_grad", "sum_axes", "conv_same_weight_grad", "log_matmul_exp_grad_b"}


@dataclass
class Scan:
    """The parts of one scan variant and how its driver wires them (see the module doc)."""

    spec: OpSpec
    variant: Variant
    hoisted: Function | None
    hoisted_saved: list[str]
    hoisted_backward: Function | None
    step: Function
    step_saved: list[str]  # step values the backward reads, stacked by the forward driver
    step_backward: Function
    deferred: Function | None
    chain: list[str]  # values of step_backward that deferred reads, stacked by the backward driver
    boundary: list[str]  # hoisted values the step reads
    sliced: set[str]  # those that are per step (read at [t])
    carries_read: list[str]  # carries whose history the backward reads
    grad_carried: list[str]  # gradients of the next carries (the backward's carried state)
    results: list[Operand]  # the step's backward results: carries, boundary, sequences, parameters
    arrays: list[str]  # the step's differentiable arrays, in the order of ``results``
    constant: set[str] = dataclasses.field(default_factory=set)  # boundary values that take no gradient

    def functions(self) -> list[Function]:
        return [f for f in (self.hoisted, self.step, self.step_backward, self.deferred, self.hoisted_backward)
                if f is not None]


def step_shape(shape: Shape, lead: int) -> Shape:
    """A sequence [T, B, ...] or a carry [B, ...] as the step sees it: [..., ...]."""
    return Shape(shape.dims[lead:], True)


def carry_step_shape(spec: OpSpec, carry) -> Shape:
    """A carry as the step sees it, [..., ...]: its initial input [B, ...] less B, a
    parameter's shape (every row starts from it), or its declared zeros' shape less B."""
    if carry.init is None:
        return step_shape(carry.shape, 1)
    param = next((p for p in spec.parameters if p.name == carry.init), None)
    if param is not None:
        return Shape(param.shape.dims, True)
    init = spec.array(carry.init)
    assert init is not None
    return step_shape(init.shape, 1)


def initial_name(spec: OpSpec, carry) -> str:
    """The driver's name of a carry's initial state [B, ...]: the input itself, or the array
    the driver makes (``<carry>_init``) from a parameter or as zeros."""
    if carry.init is not None and spec.array(carry.init) in spec.inputs:
        return carry.init
    return f"{carry.name}_init"


def from_parameter(spec: OpSpec, carry) -> bool:
    return carry.init is not None and any(p.name == carry.init for p in spec.parameters)


def bind_weights_and_attributes(spec: OpSpec, variant: Variant, values: dict[str, Value], env: dict[str, Operand],
                                attr_shape: Shape | None) -> dict[str, AttrValue]:
    """Bind what a scan's or a repeat's parts read besides their inputs and carries, into
    ``values`` and ``env``: the parameters, the buffers (read, never differentiated: a
    reservoir's weights), each ABSENT where ``variant`` leaves it out, and the attributes
    passed at run time (scalars of ``attr_shape``); return those attributes' defaults."""
    for decl in spec.parameters:
        absent = decl.name in variant.absent
        values[decl.name] = Value(decl.shape, "float", "absent" if absent else "param")
        env[decl.name] = ABSENT if absent else decl.name
    for decl in spec.buffers:
        absent = decl.name in variant.absent
        values[decl.name] = Value(decl.shape, "float", "absent" if absent else "buffer")
        env[decl.name] = ABSENT if absent else decl.name
    defaults: dict[str, AttrValue] = {}
    for attr in spec.attributes:
        if attr.structural or attr.along:
            continue
        values[attr.name] = Value(attr_shape, "bool" if attr.type == "bool" else "float", "attr")
        env[attr.name] = attr.name
        if attr.default is not None:
            defaults[attr.name] = attr.default
    return defaults


def build(spec: OpSpec, variant: Variant, prims: Primitives, errors: Collector,
          activations: dict[str, OpSpec]) -> tuple[Function, Function, tuple[str, ...]] | None:
    """The driver functions (forward, backward) of one variant and its context layout; their
    ``loop`` holds the parts (``Scan``). None if the spec has errors (reported)."""
    scan = spec.scan
    assert scan is not None
    values: dict[str, Value] = {}
    env: dict[str, Operand] = {}
    carries = {c.name: c for c in scan.carries}
    for decl in spec.inputs:
        if decl.name in scan.sequences:  # ids and masks too: a step's slice, no gradient
            values[decl.name] = Value(step_shape(decl.shape, 2), decl.dtype, "input" if decl.grad else "buffer")
            env[decl.name] = decl.name
    for carry in scan.carries:
        values[carry.name] = Value(carry_step_shape(spec, carry), "float", "input")
        env[carry.name] = carry.name
    defaults = bind_weights_and_attributes(spec, variant, values, env, Shape(()))
    # The parts do not depend on batch_first or on which initial states are given (only the
    # driver does): every such variant shares the time-major, all-given variant's parts.
    shared = Variant(tuple((k, False if k == scan.batch_first else v) for k, v in variant.structural),
                     variant.activation, tuple(n for n in variant.absent if n not in {c.init for c in scan.carries
                                                                                        if c.init is not None}))
    suffix = f"_{shared.suffix}" if shared.suffix else ""
    builder = Builder(prims, errors, values, itertools.count(1))
    builder.maybe_none = {d.name for d in spec.optional if not d.variants}
    whole = Function(f"_forward{suffix}_whole_step", list(env), builder.body, [], values, defaults)
    if not _statements(spec, spec.forward, env, variant.conditions, builder, whole, variant, activations,
                       Scope(dict(activations))):
        return None
    ok = True
    for carry in scan.carries:
        if carry.next not in env:
            errors.error(carry.loc, f"spec.scan.carry.{carry.name}.next: '{carry.next}' is not assigned in spec.forward")
            ok = False
    for out, value in scan.stack:
        if value not in env:
            errors.error(scan.loc, f"spec.scan.stack.{out}: '{value}' is not assigned in spec.forward")
            ok = False
    if not ok:
        return None
    nexts = [env[c.next] for c in scan.carries]
    stacked = [env[v] for _, v in scan.stack]
    if not all(isinstance(o, str) for o in nexts + stacked):
        errors.error(scan.loc, "spec.scan: a next carry or stacked value must be an array computed by the step")
        return None
    whole.outputs = list(nexts) + list(stacked)
    eliminate_dead_code(whole)

    # -- forward split: what does not read the carry is hoisted out of the loop -----------
    on_carry = set(carries)
    on_sequence = set(scan.sequences)
    for stmt in whole.body:
        if any(r in on_carry for r in stmt.reads()):
            on_carry.add(stmt.target)
        if any(r in on_sequence for r in stmt.reads()):
            on_sequence.add(stmt.target)
    for out in whole.outputs:
        if out not in on_carry:
            errors.error(scan.loc, f"spec.scan: '{out}' does not depend on the carried state; a next carry or stacked value must")
            return None
    sunk = _sunk(whole, on_carry, values)
    hoisted_body = [s for s in whole.body if s.target not in on_carry | sunk]
    # a step's product has a few rows (the batch): BLAS's faster order for it
    loop_body = _before_first_reader([replace(s, prim="linear_few_rows") if s.prim == "linear" else s
                                      for s in whole.body if s.target in on_carry | sunk], sunk)
    on_carry |= sunk
    hoisted_targets = {s.target for s in hoisted_body}
    boundary = [s.target for s in hoisted_body if any(s.target in t.reads() for t in loop_body)]
    renames = {name: _readable(f"hoisted_{i}", values) for i, name in enumerate(boundary, 1) if name.startswith("_t")}
    if renames:
        hoisted_body, loop_body, boundary, whole = _rename(renames, hoisted_body, loop_body, boundary, whole)
    sliced = {b for b in boundary if _depends(b, hoisted_body, set(scan.sequences))}
    # hoisted values of attributes and buffers only ((1 - leaking_rate)): read, never differentiated
    differentiable_roots = {n for n, v in values.items() if v.role in ("input", "param")}
    constant = {b for b in boundary if not _depends(b, hoisted_body, differentiable_roots)}
    counter_start = next_temporary(whole)

    hoisted = hoisted_backward = None
    hoisted_saved: list[str] = []
    if hoisted_body:
        reads = _reads_outside(hoisted_body)
        params = [n for n in values if n in reads and values[n].role in ("input", "param", "buffer", "attr")]
        hvalues = {n: v for n, v in values.items() if n in params or n in hoisted_targets | set(boundary)}
        hoisted = Function(f"_forward{suffix}_hoisted", params, list(hoisted_body), list(boundary), hvalues,
                           {n: d for n, d in defaults.items() if n in params})
        fake = dataclasses.replace(spec, outputs=tuple(boundary), nondifferentiable=tuple(constant), backward=None)
        hoisted_backward = build_backward(fake, hoisted, prims, errors, itertools.count(counter_start), explicit=False,
                                          in_scan=True)
        if hoisted_backward is None:
            return None
        hoisted_backward.name = f"_backward{suffix}_hoisted"
        n_hoisted_grads = len(boundary) - len(constant)
        _unsave_dead(hoisted_backward, n_hoisted_grads)
        hoisted_saved = hoisted_backward.params[n_hoisted_grads:]

    # -- the step: the statements that read the carry --------------------------------------
    reads = _reads_outside(loop_body) | {o for o in whole.outputs if o not in {s.target for s in loop_body}}
    step_inputs = [c.name for c in scan.carries] + [b for b in boundary]
    step_inputs += [s for s in scan.sequences if s in reads]
    step_inputs += [n for n in values if n in reads and values[n].role in ("param", "buffer", "attr")
                    and n not in step_inputs]
    svalues = {n: v for n, v in values.items() if n in step_inputs or n in {s.target for s in loop_body}}
    for name in boundary:
        role = "buffer" if name in constant else "input" if name in sliced else "param"
        svalues[name] = dataclasses.replace(values[name], role=role)
    step = Function(f"_forward{suffix}_step", step_inputs, list(loop_body), list(whole.outputs), svalues,
                    {n: d for n, d in defaults.items() if n in step_inputs})
    # the carried gradients are named after the carries (grad_next_h): grad_h_next is the
    # gradient of the step value h_next, which sums them with the stacked outputs' ones
    grad_names = [f"next_{c.name}" for c in scan.carries] + [out for out, _ in scan.stack]
    fake = dataclasses.replace(spec, outputs=tuple(grad_names), nondifferentiable=(), backward=None)
    full_backward = build_backward(fake, step, prims, errors, itertools.count(counter_start), explicit=False,
                                   in_scan=True)
    if full_backward is None:
        return None
    n_grads = len(grad_names)
    _unsave_dead(full_backward, n_grads)
    grad_params = full_backward.params[:n_grads]
    saved = full_backward.params[n_grads:]
    arrays = [n for n in step.params if step.values[n].role in ("input", "param")]
    results = list(full_backward.outputs)

    # -- backward split: the recurrence in the loop, the rest after it ---------------------
    carry_results = [results[arrays.index(c.name)] for c in scan.carries]
    needed = {r for r in carry_results if isinstance(r, str)}
    chain_body: list[Stmt] = []
    for stmt in reversed(full_backward.body):
        if stmt.target in needed:
            chain_body.append(stmt)
            needed.update(stmt.reads())
    chain_body.reverse()
    chain_targets = {s.target for s in chain_body}
    rest = [s for s in full_backward.body if s.target not in chain_targets]
    rest_reads = _reads_outside(rest) | {r for r in results if isinstance(r, str) and r not in carry_results}
    chain = [s.target for s in chain_body if s.target in rest_reads]
    chain += [g for g in grad_params[: len(scan.carries)] if g in rest_reads]
    chain_reads = _reads_outside(chain_body) | {r for r in carry_results if isinstance(r, str)}
    chain_saved = [n for n in saved if n in chain_reads]
    bvalues = full_backward.values
    step_backward = Function(f"_backward{suffix}_step", grad_params[: len(scan.carries)]
                             + [g for g in grad_params[len(scan.carries):] if g in chain_reads] + chain_saved,
                             chain_body, carry_results + [c for c in chain if c not in grad_params], dict(bvalues))
    deferred = None
    for stmt in rest:
        shape = bvalues[stmt.target].shape
        row = shape is not None and shape.ellipsis
        if not row and stmt.prim not in SUMMING and any(
                isinstance(a, str) and (bvalues[a].shape is None or bvalues[a].shape.ellipsis) for a in stmt.args):
            errors.error(stmt.loc, f"spec.scan: the backward statement '{stmt.prim}' mixes steps in a way that cannot run after the loop")
            return None
    other_results = [r for r, n in zip(results, arrays) if n not in carries]
    rest_targets = {s.target for s in rest}
    if any(r in rest_targets for r in other_results):
        rparams = [n for n in bvalues if n in _reads_outside(rest)]
        # what the deferred part computes itself; the driver has the rest (stacked from the loop)
        deferred = Function(f"_backward{suffix}_deferred", rparams, rest,
                            [r for r in other_results if r in rest_targets], dict(bvalues))
        eliminate_dead_code(deferred)
    carries_read = [c.name for c in scan.carries if c.name in saved]
    # forward values of the step that the backward reads: stacked by the forward driver
    step_saved = [n for n in saved if n in {s.target for s in loop_body}]
    step.outputs = list(whole.outputs) + [n for n in step_saved if n not in whole.outputs]
    parts = Scan(spec, variant, hoisted, hoisted_saved, hoisted_backward, step, step_saved, step_backward,
                 deferred, chain, boundary, sliced, carries_read, grad_params[: len(scan.carries)], results, arrays,
                 constant)
    return _drivers(parts, values)


# What the step computes again from a hoisted value rather than have it hoisted: a view
# (the gate blocks of a packed projection) and the addition of a bias vector, when only the
# step reads them. Hoisted, the bias makes one more pass over all T steps' rows in memory (8
# MB for the LSTM of the bench: 0.8 ms) and its gradient one more sum over them, where the
# step's own pass runs on rows in cache (the compiled step's kernel adds it as it reads) and
# the deferred part sums the gradient once for both biases (the same rows). The views keep
# the boundary one packed array: the compiled step reads its blocks in place, where a hoisted
# block is strided and had to be copied each step.
SUNK = {"chunk", "add"}


def _sunk(whole: Function, on_carry: set[str], values: dict[str, Value]) -> set[str]:
    """The hoisted statements of ``whole`` that the step computes instead (``SUNK``):
    read only by the step, until none is left; an addition only of a parameter vector."""
    sunk: set[str] = set()
    readers: dict[str, list[Stmt]] = {}
    for stmt in whole.body:
        for name in stmt.reads():
            readers.setdefault(name, []).append(stmt)
    changed = True
    while changed:
        changed = False
        for stmt in reversed(whole.body):
            if stmt.target in on_carry | sunk or stmt.prim not in SUNK or stmt.target in whole.outputs:
                continue
            if stmt.prim == "add" and not any(
                    isinstance(a, str) and values.get(a) is not None and values[a].role == "param"
                    and values[a].shape is not None and values[a].shape.rank == 1 and not values[a].shape.ellipsis
                    for a in stmt.args):
                continue
            users = readers.get(stmt.target, [])
            if users and all(u.target in on_carry | sunk for u in users):
                sunk.add(stmt.target)
                changed = True
    return sunk


def _before_first_reader(body: list[Stmt], moved: set[str]) -> list[Stmt]:
    """``body`` with each statement of ``moved`` just before the first statement that reads
    it (the order otherwise kept): a sunk bias addition then comes after the step's product
    rather than before it, in the run of statements that the compiled step's kernel takes."""
    staying = [s for s in body if s.target not in moved]
    waiting = [s for s in body if s.target in moved]
    order: list[Stmt] = []

    def place(stmt: Stmt) -> None:
        for name in stmt.reads():
            ready = next((w for w in waiting if w.target == name), None)
            if ready is not None:
                waiting.remove(ready)
                place(ready)
        order.append(stmt)

    for stmt in staying:
        place(stmt)
    return order + waiting


def _unsave_dead(backward: Function, n_grads: int) -> None:
    """Drop the saved values that only dead statements read (the blocks that a join of
    placed blocks made unused): what a part does not read, the forward does not stack."""
    live = {r for s in backward.body for r in s.reads()} | {r for r in backward.outputs if isinstance(r, str)}
    backward.params = backward.params[:n_grads] + [n for n in backward.params[n_grads:] if n in live]


def _depends(name: str, body: list[Stmt], roots: set[str]) -> bool:
    reached = set(roots)
    for stmt in body:
        if any(r in reached for r in stmt.reads()):
            reached.add(stmt.target)
    return name in reached


def _reads_outside(body: list[Stmt]) -> set[str]:
    defined = {s.target for s in body}
    return {r for s in body for r in s.reads() if r not in defined}


def _readable(name: str, values: dict[str, Value]) -> str:
    candidate, n = name, 1
    while candidate in values:
        n += 1
        candidate = f"{name}_{n}"
    return candidate


def _rename(renames: dict[str, str], hoisted_body: list[Stmt], loop_body: list[Stmt], boundary: list[str],
            whole: Function):
    def fix(o: Operand) -> Operand:
        return renames.get(o, o) if isinstance(o, str) else o

    def stmt(s: Stmt) -> Stmt:
        return Stmt(renames.get(s.target, s.target), s.prim, tuple(fix(a) for a in s.args),
                    tuple((k, fix(v)) for k, v in s.statics), s.loc)

    renamed = {renames.get(n, n): v for n, v in whole.values.items()}  # in place: shape stand-ins pick it first
    whole.values.clear()
    whole.values.update(renamed)
    whole.body[:] = [stmt(s) for s in whole.body]
    whole.outputs = [fix(o) for o in whole.outputs]
    return ([stmt(s) for s in hoisted_body], [stmt(s) for s in loop_body], [renames.get(b, b) for b in boundary],
            whole)


def _drivers(parts: Scan, values: dict[str, Value]) -> tuple[Function, Function, tuple[str, ...]]:
    """The forward and backward variant functions: no statements of their own, their loop
    (``Function.loop``) rendered by ``render_forward`` / ``render_backward``."""
    return driver_functions(parts, tuple(_context(parts)))


def driver_functions(parts, saved: tuple[str, ...]) -> tuple[Function, Function, tuple[str, ...]]:
    """A loop's forward and backward driver functions (a scan's, or a repeat's: ``parts``
    has its ``spec`` and ``variant``), the backward taking the context ``saved``."""
    spec, variant = parts.spec, parts.variant
    suffix = f"_{variant.suffix}" if variant.suffix else ""
    params = [d.name for d in spec.arrays] + [a.name for a in spec.attributes if spec.passed(a)]
    fvalues = {n: Value(None, "float", "absent" if n in variant.absent else "input") for n in params}
    forward = Function(f"_forward{suffix}", params, [], list(spec.outputs), fvalues, loop=parts)
    grads = [grad_name(o) for o in spec.grad_outputs]
    outputs: list[Operand] = [ABSENT if d.name in variant.absent else grad_name(d.name) for d in spec.differentiable]
    bvalues = {n: Value(None, "float", "grad") for n in grads}
    backward = Function(f"_backward{suffix}", grads + list(saved), [], outputs, bvalues, loop=parts)
    return forward, backward, saved


def _display(name: str, kind: str = "saved") -> str:
    """A step temporary as the driver names it: ``saved_<n>`` (a forward value the backward
    reads), ``chain_<n>`` (a value of the step's backward that the deferred part reads)."""
    return f"{kind}_{name[2:]}" if name.startswith("_t") else name


def _buffers(parts: Scan) -> dict[str, str]:
    """The [T, ...] buffer of each per-step value the forward driver stacks."""
    scan = parts.spec.scan
    assert scan is not None
    nc = len(scan.carries)
    outs = parts.step.outputs
    buffers: dict[str, str] = {}
    for (out, _), operand in zip(scan.stack, outs[nc:nc + len(scan.stack)]):
        buffers.setdefault(operand, out)  # type: ignore[arg-type]
    for carry, operand in zip(scan.carries, outs[:nc]):
        if carry.name in parts.carries_read:
            buffers.setdefault(operand, f"{_display(operand)}_steps")  # type: ignore[arg-type]
    for name in parts.step_saved:
        buffers.setdefault(name, f"{_display(name)}_steps")
    return buffers


def _context(parts: Scan) -> list[str]:
    """What the forward driver saves for the backward driver, in order."""
    scan = parts.spec.scan
    assert scan is not None
    reads = set(parts.step_backward.params) | set(parts.deferred.params if parts.deferred else [])
    out: list[str] = []
    if parts.hoisted is not None:
        out.append("hoisted_saved")
    out += [b for b in parts.boundary if b in reads]
    buffers = _buffers(parts)
    out += [b for b in dict.fromkeys(buffers.values())]
    step_outs = parts.step.outputs
    out += [initial_name(parts.spec, c) for i, c in enumerate(scan.carries) if c.name in parts.carries_read
            or (c.final not in parts.spec.grad_outputs and step_outs[i] not in buffers)]
    op_arrays = [d.name for d in parts.spec.arrays] + [a.name for a in parts.spec.attributes]
    out += [n for n in op_arrays if n in reads and n not in out]
    return out


def _call(fn: Function, args: list[str], cupy: bool = False) -> str:
    return f"{'_cupy' if cupy else ''}{fn.name}({', '.join(args)})"


def _finish(lines: list[str], body: list[str], cupy: bool) -> str:
    """The driver's text; the CuPy twin allocates with CuPy."""
    if cupy:
        lines = [lines[0].replace("def _", "def _cupy_", 1), "    import cupy as cp", ""] + lines[1:]
        body = [line.replace("np.", "cp.") for line in body]
    return "\n".join(lines + [f"    {line}" for line in body])


def _step_into_buffers(step: str, first: str, buffers: dict[str, tuple[str, str]], written: tuple[str, ...]) -> list[str]:
    """A driver loop's call of its step (``step``, an assignment) and the copies of the step's
    results into their [T, ...] buffers (``buffers``: a result's name -> its buffer and the
    name the driver gives it), which the step's first run (``first``) sizes. After that run,
    a result in ``written`` the step writes into its row itself (``out_<name>=buffer[t]``)."""
    allocations = [f"    {buffer} = np.empty((steps, *{value}.shape), dtype={value}.dtype)"
                   for buffer, value in buffers.values()]
    copies = {name: f"{buffer}[t] = {value}" for name, (buffer, value) in buffers.items()}
    in_place = [name for name in buffers if name in written]
    if not in_place:
        return [step] + ([f"if {first}:", *allocations] if allocations else []) + list(copies.values())
    keywords = ", ".join(f"out_{name}={buffers[name][0]}[t]" for name in in_place)
    return [f"if {first}:", f"    {step}", *allocations, *(f"    {c}" for c in copies.values()),
            "else:  # the step writes these results into their rows", f"    {step[:-1]}, {keywords})",
            *(f"    {c}" for name, c in copies.items() if name not in in_place)]


def _unpack(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names)


def render_forward(fn: Function, cupy: bool = False, written: tuple[str, ...] = ()) -> str:
    """The forward driver. ``written``: the step's results that it can write into given
    buffers (its ``out_<name>`` keywords: a compiled step's kernel outputs); after the first
    step, which sizes the [T, ...] buffers, those results go straight into their rows."""
    parts: Scan = fn.loop  # type: ignore[assignment]
    spec, variant = parts.spec, parts.variant
    scan = spec.scan
    assert scan is not None
    batch_first = scan.batch_first is not None and dict(variant.structural).get(scan.batch_first) is True
    lines = [f"def {fn.name}({', '.join(fn.params)}):"]
    body: list[str] = []
    maybe_none = {d.name for d in spec.optional if not d.variants}
    if batch_first:
        body += [f"{s} = {s}.swapaxes(0, 1)  # time first" if s not in maybe_none
                 else f"{s} = None if {s} is None else {s}.swapaxes(0, 1)" for s in scan.sequences]
    first = next(s for s in scan.sequences if s not in maybe_none)
    floating = next((s for s in scan.sequences if spec.array(s).dtype == "float"), first)  # type: ignore[union-attr]
    body.append(f"steps = {first}.shape[0]")
    if parts.hoisted is not None:
        # all steps at once, each sequence's [T, B] joined into one axis of rows (one matrix
        # product for the input projection of every step)
        args = [f"{n}.reshape(-1, *{n}.shape[2:])" if n in scan.sequences else n for n in parts.hoisted.params]
        targets = list(parts.boundary) + ["hoisted_saved"]
        body.append(f"{_unpack(targets)} = {_call(parts.hoisted, args, cupy)}")
        body += [f"{b} = {b}.reshape(steps, -1, *{b}.shape[1:])" for b in parts.boundary if b in parts.sliced]
    for carry in scan.carries:
        init = initial_name(spec, carry)
        if carry.init is None or carry.init in variant.absent:
            body.append(f"{init} = np.zeros({_zeros_shape(parts, carry, first)}, dtype={floating}.dtype)")
        elif from_parameter(spec, carry):  # every row starts from the parameter
            body.append(f"{init} = np.repeat({carry.init}[None], {first}.shape[1], axis=0)")
        body.append(f"{carry.name} = {init}")
    buffers = _buffers(parts)
    outs = [o for o in parts.step.outputs]
    unique = list(dict.fromkeys(outs))  # type: ignore[arg-type]
    args = [_at_forward(n, parts) for n in parts.step.params]
    body.append("for t in range(steps):")
    step = f"{_unpack([_display(n) for n in unique])} = {_call(parts.step, args, cupy)}"
    loop = _step_into_buffers(step, "t == 0", {n: (b, _display(n)) for n, b in buffers.items()}, written)
    for carry, operand in zip(scan.carries, outs):
        loop.append(f"{carry.name} = {_display(operand)}")  # type: ignore[arg-type]
    body += [f"    {line}" for line in loop]
    results = []
    for out in spec.outputs:
        final = next((c for c in scan.carries if c.final == out), None)
        value = final.name if final is not None else out
        results.append(f"{value}.swapaxes(0, 1)" if batch_first and final is None else value)
    # an absent initial state is zeros: the backward makes its own rather than keep one
    saved = ["None" if n in variant.absent else n for n in _context(parts)]
    body.append(f"return {', '.join(results)}, {_tuple_text(saved)}")
    return _finish(lines, body, cupy)


def _tuple_text(items: list[str]) -> str:
    if not items:
        return "()"
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _zeros_shape(parts: Scan, carry, sequence: str) -> str:
    """The shape of an absent initial state [B, ...] (or a carry's declared zeros): B from
    the sequence, the other sizes from an array given in this variant that has them."""
    spec = parts.spec
    init = carry.init
    shape = carry.shape if init is None else spec.array(init).shape  # type: ignore[union-attr]
    dims = [f"{sequence}.shape[1]"]
    for dim in shape.dims[1:]:
        if isinstance(dim, int):
            dims.append(str(dim))
            continue
        holder = next((d for d in spec.arrays if d.name not in parts.variant.absent and d.name != init
                       and dim in d.shape.dims), None)
        assert holder is not None, dim
        dims.append(f"{holder.name}.shape[{list(holder.shape.dims).index(dim)}]")
    return f"({', '.join(dims)}{',' if len(dims) == 1 else ''})"


def _at_forward(name: str, parts: Scan) -> str:
    if name in parts.sliced or name in parts.spec.scan.sequences:  # type: ignore[union-attr]
        decl = parts.spec.array(name)
        if decl is not None and decl.optional and not decl.variants:  # a mask that may be None
            return f"(None if {name} is None else {name}[t])"
        return f"{name}[t]"
    return name


def render_backward(fn: Function, cupy: bool = False, written: tuple[str, ...] = ()) -> str:
    """The backward driver; ``written`` as in ``render_forward``, for the step backward's
    results that the deferred part reads stacked."""
    parts: Scan = fn.loop  # type: ignore[assignment]
    spec, variant = parts.spec, parts.variant
    scan = spec.scan
    assert scan is not None
    batch_first = scan.batch_first is not None and dict(variant.structural).get(scan.batch_first) is True
    buffers = _buffers(parts)
    nc = len(scan.carries)
    stack_grads = {grad_name(out): grad_name(out) for out, _ in scan.stack}
    lines = [f"def {fn.name}({', '.join(fn.params)}):"]
    body: list[str] = []
    if batch_first:
        body += [f"{g} = {g}.swapaxes(0, 1)  # time first" for g in stack_grads]
    source = next(iter(stack_grads), None) or next(iter(buffers.values()))
    body.append(f"steps = {source}.shape[0]")
    step_outs = parts.step.outputs
    history = {c.name: (buffers[step_outs[i]], initial_name(spec, c)) for i, c in enumerate(scan.carries)  # type: ignore[index]
               if c.name in parts.carries_read}
    for name, (buffer, init) in history.items():
        if init in variant.absent:  # zeros, not kept by the forward (render_forward saves None)
            body.append(f"{init} = np.zeros_like({buffer}[0])")
    for carry, carried in zip(scan.carries, parts.grad_carried):
        if carry.final is not None and carry.final in spec.grad_outputs:
            body.append(f"{carried} = {grad_name(carry.final)}")
        else:
            buffered = buffers.get(step_outs[scan.carries.index(carry)])  # type: ignore[arg-type]
            body.append(f"{carried} = np.zeros_like({buffered}[0])" if buffered
                        else f"{carried} = np.zeros_like({initial_name(spec, carry)})")

    def at(name: str) -> str:
        if name in parts.grad_carried:
            return name
        if name in history:
            buffer, init = history[name]
            return f"({buffer}[t - 1] if t else {init})"
        if name in buffers:
            return f"{buffers[name]}[t]"
        if name in parts.sliced or name in scan.sequences or name in stack_grads:
            return _at_forward(name, parts) if name in scan.sequences else f"{name}[t]"
        return name

    chain_outs = [o for o in parts.step_backward.outputs[nc:]]
    stacked_chain = {c: f"{_display(c, 'chain')}_steps" for c in parts.chain}
    # a carried gradient that the deferred part reads is stacked as the step receives it
    carried = {c: b for c, b in stacked_chain.items() if c in parts.grad_carried}
    body += [f"{b} = np.empty((steps, *{c}.shape), dtype={c}.dtype)" for c, b in carried.items()]
    body.append("for t in range(steps - 1, -1, -1):")
    loop = [f"{b}[t] = {c}" for c, b in carried.items()]
    step = (f"{_unpack(list(parts.grad_carried) + [_display(c, 'chain') for c in chain_outs])} = "
            f"{_call(parts.step_backward, [at(p) for p in parts.step_backward.params], cupy)}")
    stacked_chain_outs = {c: (b, _display(c, "chain")) for c, b in stacked_chain.items() if c not in carried}
    loop += _step_into_buffers(step, "t == steps - 1", stacked_chain_outs, written)
    body += [f"    {line}" for line in loop]

    def whole(name: str) -> str:
        if name in stacked_chain:
            return stacked_chain[name]
        if name in history:
            buffer, init = history[name]
            return f"np.concatenate(({init}[None], {buffer}[:-1]))"
        if name in buffers:
            return buffers[name]
        return name

    contributions: dict[str, list[str]] = {}
    results = dict(zip(parts.arrays, parts.results))
    for carry, carried in zip(scan.carries, parts.grad_carried):
        if from_parameter(spec, carry):  # every row started from it: the rows' sum
            contributions.setdefault(carry.init, []).append(f"{carried}.sum(axis=0)")  # type: ignore[arg-type]
        elif carry.init is not None and carry.init not in variant.absent:
            contributions.setdefault(carry.init, []).append(carried)
    deferred_results: dict[str, str] = {}
    if parts.deferred is not None:
        computed = list(parts.deferred.outputs)
        names = [f"deferred_{i}" for i in range(len(computed))]
        body.append(f"{_unpack(names)} = {_call(parts.deferred, [whole(p) for p in parts.deferred.params], cupy)}")
        for name in parts.arrays:
            if name not in {c.name for c in scan.carries} and results[name] in computed:
                deferred_results[name] = names[computed.index(results[name])]
    for name in parts.arrays:
        if name in {c.name for c in scan.carries}:
            continue
        result = results[name]
        if result == ABSENT:
            continue
        text = deferred_results.get(name) or whole(result)  # type: ignore[arg-type]
        if name in parts.boundary:
            contributions.setdefault(f"hoisted:{name}", []).append(text)
        else:
            contributions.setdefault(name, []).append(text)
    if parts.hoisted_backward is not None:
        grads = []
        for b in parts.boundary:
            if b in parts.constant:
                continue
            terms = contributions.pop(f"hoisted:{b}", [])
            total = f"({' + '.join(terms)})" if len(terms) > 1 else (terms[0] if terms else f"np.zeros_like({b})")
            grads.append(f"{total}.reshape(-1, *{total}.shape[2:])" if b in parts.sliced and terms else total)
        hoisted_arrays = [n for n in parts.hoisted.params if parts.hoisted.values[n].role in ("input", "param")]  # type: ignore[union-attr]
        names = [f"hoisted_{grad_name(n)}" for n in hoisted_arrays]
        body.append(f"{_unpack(names)} = {'_cupy' if cupy else ''}{parts.hoisted_backward.name}({', '.join(grads)}, *hoisted_saved)")
        for n, g in zip(hoisted_arrays, names):
            if n in scan.sequences:  # rows back to [T, B, ...]
                body.append(f"{g} = {g}.reshape(steps, -1, *{g}.shape[1:])")
            contributions.setdefault(n, []).append(g)
    returned = []
    for decl in spec.differentiable:
        if decl.name in variant.absent:
            returned.append("None")
            continue
        terms = contributions.get(decl.name)
        name = grad_name(decl.name)
        if not terms:
            body.append(f"{name} = np.zeros_like({decl.name})")
        elif len(terms) == 1 and re.fullmatch(r"(deferred_[0-9]+|hoisted_grad_\w+)", terms[0]):
            # the one contribution: the part's result takes the gradient's name
            body = [re.sub(rf"\b{terms[0]}\b", name, line) for line in body]
        elif terms != [name]:
            body.append(f"{name} = {' + '.join(terms)}")
        if batch_first and decl.name in scan.sequences:
            body.append(f"{name} = {name}.swapaxes(0, 1)")
        returned.append(name)
    body.append(f"return {', '.join(returned)}")
    return _finish(lines, body, cupy)
