"""The repeat construct: the scan over a count instead of a sequence.

A spec with ``repeat:`` writes in ``forward`` the body of one iteration over carried state
(``carry``: arrays that start as zeros of their declared shape) and declares how many times it
runs (``count``: an int attribute). The outputs are the values of the last iteration. For each
variant the transpiler builds the body as an SSA ``Function`` and splits it, and its derived
backward, into straight-line parts that a driver loop calls:

- ``hoisted``: the statements that do not read the carry (loop invariants), run once;
- ``step``: what the next carry needs, run ``count - 1`` times;
- ``last``: what the outputs need, run once, from the carry after those iterations (the
  last iteration is peeled: its next carry would be dead, so it is never computed);
- ``last_backward`` and ``step_backward``: their derived backwards; the step's runs in reverse
  once per iteration, carrying the carry's gradient, and its gradients of the loop invariants
  are summed over the iterations. When the last iteration's backward gives the carry no
  gradient (a ``stop_gradient`` before the carry reaches the outputs), the loop has no
  backward at all and forward keeps nothing of its iterations;
- ``hoisted_backward``: the derived backward of ``hoisted``, once, after that.

Every backward is derived by the per-primitive rules (``grad.build_backward``).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

from .errors import Collector
from .grad import build_backward, grad_name
from .ir import ABSENT, Builder, Function, Operand, Scope, Value, Variant, _statements, eliminate_dead_code, next_temporary
from .primitives import Primitives
from .scan import _call, _display, _finish, _unpack, bind_weights_and_attributes, driver_functions
from .spec import OpSpec


@dataclass
class Repeat:
    """The parts of one repeat variant and how its driver wires them (see the module doc)."""

    spec: OpSpec
    variant: Variant
    hoisted: Function | None
    hoisted_saved: list[str]
    hoisted_backward: Function | None
    step: Function
    step_saved: list[str]  # step values the step's backward reads: kept per iteration
    step_backward: Function | None  # None: the carry takes no gradient
    last: Function
    last_saved: list[str]
    last_backward: Function
    boundary: list[str]  # hoisted values the iterations read
    arrays: list[str]  # the iteration's differentiable arrays (carries, boundary, inputs, parameters)
    step_results: list[Operand]  # step_backward's gradients, one per ``arrays``
    last_results: list[Operand]
    carries: list[str]
    constant: set[str]  # boundary values that take no gradient

    def functions(self) -> list[Function]:
        return [f for f in (self.hoisted, self.step, self.last, self.last_backward, self.step_backward,
                            self.hoisted_backward) if f is not None]


def build(spec: OpSpec, variant: Variant, prims: Primitives, errors: Collector,
          activations: dict[str, OpSpec]) -> tuple[Function, Function, tuple[str, ...]] | None:
    """The driver functions (forward, backward) of one variant and its context layout; their
    ``loop`` holds the parts (``Repeat``). None if the spec has errors (reported)."""
    repeat = spec.repeat
    assert repeat is not None
    values: dict[str, Value] = {}
    env: dict[str, Operand] = {}
    for decl in spec.inputs:
        values[decl.name] = Value(decl.shape, "float", "input" if decl.grad else "buffer")
        env[decl.name] = decl.name
    carries = [name for name, _, _ in repeat.carries]
    for name, shape, _ in repeat.carries:
        values[name] = Value(shape, "float", "input")
        env[name] = name
    defaults = bind_weights_and_attributes(spec, variant, values, env, None)
    suffix = f"_{variant.suffix}" if variant.suffix else ""
    builder = Builder(prims, errors, values, itertools.count(1))
    whole = Function(f"_forward{suffix}_iteration", list(env), builder.body, [], values, defaults)
    if not _statements(spec, spec.forward, env, variant.conditions, builder, whole, variant, activations,
                       Scope(dict(activations))):
        return None
    ok = True
    for name, _, nxt in repeat.carries:
        if nxt not in env:
            errors.error(repeat.loc, f"spec.repeat.carry.{name}.next: '{nxt}' is not assigned in spec.forward")
            ok = False
    if not ok:
        return None
    nexts = [env[nxt] for _, _, nxt in repeat.carries]
    outs = [env[o] for o in spec.outputs]
    if not all(isinstance(o, str) for o in nexts + outs):
        errors.error(repeat.loc, "spec.repeat: a next carry or an output must be an array computed by the iteration")
        return None
    whole.outputs = nexts + outs
    eliminate_dead_code(whole)

    # -- what reads the carry runs in the loop; the rest once, before it -------------------
    on_carry = set(carries)
    for stmt in whole.body:
        if any(r in on_carry for r in stmt.reads()):
            on_carry.add(stmt.target)
    for name, value in [(f"carry.{c}.next", n) for c, n in zip(carries, nexts)] + list(zip(spec.outputs, outs)):
        if value not in on_carry:
            errors.error(repeat.loc, f"spec.repeat: '{name}' does not depend on the carried state; a next carry and every output must")
            return None
    hoisted_body = [s for s in whole.body if s.target not in on_carry]
    loop_body = [s for s in whole.body if s.target in on_carry]
    boundary = [s.target for s in hoisted_body if any(s.target in t.reads() for t in loop_body)]
    differentiable_roots = {n for n, v in values.items() if v.role in ("input", "param") and n not in carries}
    counter = itertools.count(next_temporary(whole))

    hoisted = hoisted_backward = None
    hoisted_saved: list[str] = []
    constant: set[str] = set()
    if hoisted_body:
        reads = _reads_outside(hoisted_body)
        params = [n for n in values if n in reads and values[n].role in ("input", "param", "buffer", "attr")]
        targets = {s.target for s in hoisted_body}
        constant = {b for b in boundary if not _depends(b, hoisted_body, differentiable_roots)}
        hvalues = {n: v for n, v in values.items() if n in params or n in targets}
        hoisted = Function(f"_forward{suffix}_hoisted", params, list(hoisted_body), list(boundary), hvalues,
                           {n: d for n, d in defaults.items() if n in params})
        fake = dataclasses.replace(spec, outputs=tuple(boundary), nondifferentiable=tuple(constant), backward=None)
        hoisted_backward = build_backward(fake, hoisted, prims, errors, counter, explicit=False)
        if hoisted_backward is None:
            return None
        hoisted_backward.name = f"_backward{suffix}_hoisted"
        hoisted_saved = hoisted_backward.params[len(boundary) - len(constant):]

    # -- the iterations: count - 1 steps to the next carry, then the last to the outputs ---
    def part(name: str, outputs: list[str]) -> Function:
        body = list(loop_body)
        fn = Function(name, [], body, list(outputs), dict(values))
        eliminate_dead_code(fn)
        reads = _reads_outside(fn.body) | {o for o in outputs if o not in {s.target for s in fn.body}}
        fn.params = [n for n in carries + boundary if n in reads or n in carries]
        fn.params += [n for n in values if n in reads and values[n].role in ("input", "param", "buffer", "attr")
                      and n not in fn.params]
        fn.values = {n: v for n, v in values.items() if n in fn.params or n in {s.target for s in fn.body}}
        for b in boundary:
            if b in fn.values:
                fn.values[b] = dataclasses.replace(values[b], role="buffer" if b in constant else "param")
        fn.attr_defaults = {n: d for n, d in defaults.items() if n in fn.params}
        return fn

    step = part(f"_forward{suffix}_step", nexts)  # type: ignore[arg-type]
    last = part(f"_forward{suffix}_last", outs)  # type: ignore[arg-type]
    last_fake = dataclasses.replace(spec, backward=None)
    last_backward = build_backward(last_fake, last, prims, errors, counter, explicit=False)
    if last_backward is None:
        return None
    last_backward.name = f"_backward{suffix}_last"
    arrays = [n for n in last.params if last.values[n].role in ("input", "param")]
    last_results = list(last_backward.outputs)
    n_grads = len(spec.grad_outputs)
    zeros = {s.target for s in last_backward.body if s.prim == "zeros_like"}
    flowing = any(isinstance(r, str) and r not in zeros for c, r in zip(arrays, last_results) if c in carries)
    step_backward = None
    step_saved: list[str] = []
    step_results: list[Operand] = []
    if flowing:
        fake = dataclasses.replace(spec, outputs=tuple(f"next_{c}" for c in carries), nondifferentiable=(),
                                   backward=None)
        step_backward = build_backward(fake, step, prims, errors, counter, explicit=False)
        if step_backward is None:
            return None
        step_backward.name = f"_backward{suffix}_step"
        step_results = list(step_backward.outputs)
        step_arrays = [n for n in step.params if step.values[n].role in ("input", "param")]
        assert set(step_arrays) <= set(arrays), (step_arrays, arrays)
        step_results = [step_results[step_arrays.index(a)] if a in step_arrays else ABSENT for a in arrays]
        step_backward.outputs = [r for r in step_results if r is not ABSENT]
        rest = step_backward.params[len(carries):]
        step_saved = [n for n in rest if n in {s.target for s in step.body} or n in carries]
        # the per-iteration values first, then the loop invariants
        step_backward.params = step_backward.params[: len(carries)] + step_saved + [n for n in rest if n not in step_saved]
        step.outputs = list(nexts) + [n for n in step_saved if n not in carries]  # type: ignore[arg-type]
    else:
        # the carry takes no gradient: the last iteration's backward is the whole backward
        last_results = [ABSENT if a in carries else r for a, r in zip(arrays, last_results)]
        last_backward.outputs = [r for r in last_results if r is not ABSENT]
        eliminate_dead_code(last_backward)
        read = {r for s in last_backward.body for r in s.reads()} | {r for r in last_backward.outputs if isinstance(r, str)}
        last_backward.params = last_backward.params[:n_grads] + [p for p in last_backward.params[n_grads:] if p in read]
    last_saved = [n for n in last_backward.params[n_grads:] if n in {s.target for s in last.body}]
    last.outputs = list(outs) + last_saved  # type: ignore[arg-type]
    parts = Repeat(spec, variant, hoisted, hoisted_saved, hoisted_backward, step, step_saved, step_backward, last,
                   last_saved, last_backward, boundary, arrays, step_results, last_results, carries, constant)
    return driver_functions(parts, tuple(_context(parts)))


def _depends(name: str, body, roots: set[str]) -> bool:
    reached = set(roots)
    for stmt in body:
        if any(r in reached for r in stmt.reads()):
            reached.add(stmt.target)
    return name in reached


def _reads_outside(body) -> set[str]:
    defined = {s.target for s in body}
    return {r for s in body for r in s.reads() if r not in defined}


def _context(parts: Repeat) -> list[str]:
    """What the forward driver saves for the backward driver, in order."""
    out: list[str] = []
    if parts.hoisted is not None:
        out.append("hoisted_saved")
    if parts.step_backward is not None:
        out.append("history")
    n_grads = len(parts.spec.grad_outputs)
    reads = list(parts.last_backward.params[n_grads:])
    if parts.step_backward is not None:
        reads += parts.step_backward.params[len(parts.carries):]
    for name in reads:
        if name in parts.step_saved and name not in parts.last_saved and name not in parts.carries:
            continue  # per iteration: in the history
        shown = _display(name)
        if shown not in out:
            out.append(shown)
    return out


def _zeros_shape(parts: Repeat, shape) -> str:
    """A carry's declared shape, its sizes read from the arrays given in this variant."""
    spec = parts.spec
    dims = []
    for dim in shape.dims:
        if isinstance(dim, int):
            dims.append(str(dim))
            continue
        holder = next((d for d in spec.arrays if d.name not in parts.variant.absent and dim in d.shape.dims
                       and not d.shape.ellipsis), None)
        assert holder is not None, dim
        dims.append(f"{holder.name}.shape[{list(holder.shape.dims).index(dim)}]")
    return f"({', '.join(dims)}{',' if len(dims) == 1 else ''})"


def render_forward(fn: Function, cupy: bool = False) -> str:
    parts: Repeat = fn.loop  # type: ignore[assignment]
    spec = parts.spec
    repeat = spec.repeat
    assert repeat is not None
    lines = [f"def {fn.name}({', '.join(fn.params)}):"]
    body: list[str] = []
    if parts.hoisted is not None:
        body.append(f"{_unpack(parts.boundary + ['hoisted_saved'])} = {_call(parts.hoisted, parts.hoisted.params, cupy)}")
    first = next(d.name for d in spec.inputs)
    for name, shape, _ in repeat.carries:
        body.append(f"{name} = np.zeros({_zeros_shape(parts, shape)}, dtype={first}.dtype)")
    step_outs = [_display(str(o)) for o in parts.step.outputs]
    if parts.step_backward is not None:
        body.append("history = []  # what each iteration's backward reads")
    body.append(f"for _ in range({repeat.count} - 1):")
    loop = []
    if parts.step_backward is not None:
        kept = [_display(n) for n in parts.step_saved]
        loop.append(f"{_unpack(step_outs)} = {_call(parts.step, parts.step.params, cupy)}")
        loop.append(f"history.append(({_unpack(kept)}{',' if len(kept) == 1 else ''}))")
        nexts = step_outs[: len(parts.carries)]
    else:  # nothing kept: the step's results are the next carries themselves
        loop.append(f"{_unpack(parts.carries)} = {_call(parts.step, parts.step.params, cupy)}")
        nexts = parts.carries
    loop += [f"{c} = {n}" for c, n in zip(parts.carries, nexts) if c != n]
    body += [f"    {line}" for line in loop]
    last_outs = [_display(str(o)) for o in parts.last.outputs]
    body.append(f"{_unpack(last_outs)} = {_call(parts.last, parts.last.params, cupy)}")
    context = _context(parts)
    body.append(f"return {', '.join(spec.outputs)}, ({', '.join(context)}{',' if len(context) == 1 else ''})")
    return _finish(lines, body, cupy)


def render_backward(fn: Function, cupy: bool = False) -> str:
    parts: Repeat = fn.loop  # type: ignore[assignment]
    spec, variant = parts.spec, parts.variant
    lines = [f"def {fn.name}({', '.join(fn.params)}):"]
    body: list[str] = []
    n_grads = len(spec.grad_outputs)
    contributions: dict[str, list[str]] = {}
    last_args = [grad_name(o) for o in spec.grad_outputs] + [_display(n) for n in parts.last_backward.params[n_grads:]]
    last_names = [f"grad_{a}" if isinstance(r, str) else None for a, r in zip(parts.arrays, parts.last_results)]
    returned = [n for n in last_names if n is not None]
    body.append(f"{_unpack(returned)} = {_call(parts.last_backward, last_args, cupy)}")
    if parts.step_backward is not None:
        nc = len(parts.carries)
        carried = [f"grad_{c}" for c in parts.carries]
        per_iteration = [_display(n) for n in parts.step_saved]
        invariant = [_display(n) for n in parts.step_backward.params[nc:] if n not in parts.step_saved]
        step_names = [f"grad_{a}" if a in parts.carries else f"step_grad_{a}"
                      for a, r in zip(parts.arrays, parts.step_results) if r is not ABSENT]
        body.append("for iteration in reversed(history):")
        loop = [f"{_unpack(per_iteration)}, = iteration" if len(per_iteration) == 1
                else f"{_unpack(per_iteration)} = iteration"]
        loop.append(f"{_unpack(step_names)} = {_call(parts.step_backward, carried + per_iteration + invariant, cupy)}")
        for name in step_names:
            if name.startswith("step_"):
                total = name.removeprefix("step_")
                if total in returned:
                    loop.append(f"{total} = {total} + {name}")
                else:
                    loop.append(f"{total} = {name}")  # pragma: no cover - the last iteration reads every array
        body += [f"    {line}" for line in loop]
    grads = {a: f"grad_{a}" for a, r in zip(parts.arrays, parts.last_results) if isinstance(r, str) and a not in parts.carries}
    if parts.hoisted_backward is not None:
        hoisted = parts.hoisted
        assert hoisted is not None
        inputs = [grads[b] for b in parts.boundary if b not in parts.constant]
        hoisted_arrays = [n for n in hoisted.params if hoisted.values[n].role in ("input", "param")]
        names = [f"grad_{n}" if n not in grads else f"hoisted_grad_{n}" for n in hoisted_arrays]
        body.append(f"{_unpack(names)} = {_call(parts.hoisted_backward, inputs + ['*hoisted_saved'], cupy)}")
        for n, g in zip(hoisted_arrays, names):
            if g.startswith("hoisted_"):
                body.append(f"grad_{n} = grad_{n} + {g}")
            grads[n] = f"grad_{n}"
    out = []
    for decl in spec.differentiable:
        if decl.name in variant.absent:
            out.append("None")
        elif decl.name in grads:
            out.append(grads[decl.name])
        else:
            body.append(f"grad_{decl.name} = np.zeros_like({decl.name})")
            out.append(f"grad_{decl.name}")
    body.append(f"return {', '.join(out)}")
    return _finish(lines, body, cupy)
