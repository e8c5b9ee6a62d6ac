"""Codegen: render an op's IR functions into a Python module through ``templates/``.

Each IR statement becomes one assignment from its primitive's NumPy template; the passes
then inline and tidy. Logic lives here; the jinja2 templates only place fragments.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import jinja2

from . import batched, cuda, jit
from .expr import Call, If
from .ir import Const, Function, Operand, Variant
from .primitives import Primitives, with_called_helpers
from .shapes import Shape
from .spec import DEFAULT_DTYPES, DEPTHWISE, WINDOW_TYPES, AttrDecl, AttrValue, OpSpec

VERSION = "0.1.0"
RUNTIME = "layerforge._runtime"
# Runtime functions that helpers may call; a module imports those its helpers use.
HELPER_RUNTIME = ("blas_flags_ignored", "check_grid", "copy_by_images", "in_chunks", "in_row_products", "pooled_size",
                  "scatter_add_rows", "take_columns")
# Functions of the compiled target's runtime (jit.RUNTIME) that helpers may call: the
# hand-written kernels of the convolution helpers and the choice of the backend.
HELPER_JIT_RUNTIME = ("use_jit", "depthwise_conv", "depthwise_weight_grad", "compiled_conv_input_grad",
                      "gather_columns", "window_columns")


@dataclass(frozen=True)
class CompiledVariant:
    variant: Variant
    forward: Function
    backward: Function
    saved: tuple[str, ...]


def load_templates(templates: Path) -> dict[str, str]:
    """The text of every template, read once: what is rendered is what was fingerprinted."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(templates.glob("*.j2"))}


def environment(templates: dict[str, str]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader(templates),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.globals["regenerate"] = "`make generate`"  # a user's package names its own command
    return env


def operand(value: Operand, bare: bool = False) -> str:
    """Python text of an operand; a negative number in parentheses unless ``bare`` (a
    static, which templates place only as a call argument or an index)."""
    if isinstance(value, Const):
        v = value.value
        if isinstance(v, tuple):
            return repr(tuple(v))
        text = repr(v)
        negative = isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0
        return f"({text})" if negative and not bare else text
    return value


def template_names(stmt, prims: Primitives) -> dict[str, str]:
    """The texts of a statement's operands and statics, by the names of its template."""
    names = dict(zip(prims[stmt.prim].args, (operand(a) for a in stmt.args)))
    names.update((k, operand(v, bare=True)) for k, v in stmt.statics)
    return names


def render_statement(stmt, prims: Primitives) -> str:
    return f"{stmt.target} = {prims[stmt.prim].numpy.format(**template_names(stmt, prims))}"


def _param_list(fn: Function, rng: bool, defaults: dict[str, AttrValue]) -> str:
    params = (["rng"] if rng else []) + [f"{n}={defaults[n]!r}" if n in defaults else n for n in fn.params]
    return ", ".join(params)


def uses_rng(fn: Function, prims: Primitives) -> bool:
    return any(prims[s.prim].kind == "random" for s in fn.body)


def render_function(fn: Function, prims: Primitives, returns: str, rng: bool = False,
                    defaults: dict[str, AttrValue] | None = None, outs: tuple[str | None, ...] = (),
                    parts: Sequence[batched.Part] = ()) -> str:
    """``def name(params): statements; return returns``; ``defaults`` gives keyword defaults
    (a fused activation's attributes, which the layer's own signature does not carry);
    ``outs``, keyword parameters for buffers that outputs are written into (see Blocking);
    ``parts``, runs of statements rendered as calls of their own functions (batched parts,
    rendered by ``render_parts``) through in_row_blocks."""
    if fn.loop is not None:
        from . import loop, scan

        driver = loop if isinstance(fn.loop, loop.Repeat) else scan
        return driver.render_forward(fn) if fn.name.startswith("_forward") else driver.render_backward(fn)
    params = _param_list(fn, rng or uses_rng(fn, prims), defaults or {})
    if any(outs):
        params += ", *, " + ", ".join(f"{name}=None" for name in outs if name)
    lines = [f"def {fn.name}({params}):"]
    starts = {part.start: part for part in parts}
    index = 0
    while index < len(fn.body):
        part = starts.get(index)
        if part is None:
            lines.append(f"    {render_statement(fn.body[index], prims)}")
            index += 1
            continue
        part_fn = part.function
        lines += [f"    {render_statement(s, prims)}" for s in part.before]
        keywords = (f", sums={part.sums}" if part.sums else "") + f", named={_tuple([repr(n) for n in part.named])}"
        lines.append(f"    {_outputs([operand(o) for o in part_fn.outputs])} = "
                     f"in_row_blocks({part_fn.name}, {', '.join(part_fn.params)}{keywords})")
        index = part.stop
    lines.append(f"    return {returns}")
    return "\n".join(lines)


def render_parts(parts: Sequence[batched.Part], prims: Primitives) -> list[str]:
    """The functions of batched parts (see transpiler/batched.py)."""
    return [render_function(p.function, prims, _outputs([operand(o) for o in p.function.outputs])) for p in parts]


def owns_threads(c: CompiledVariant, prims: Primitives) -> bool:
    """Does a variant call a product that decides its threads itself (a primitive marked
    ``owns_threads``), in its forward, its backward or the parts its loop calls?"""
    parts = c.forward.loop.functions() if c.forward.loop is not None else []  # type: ignore[attr-defined]
    return any(prims[s.prim].owns_threads for fn in (c.forward, c.backward, *parts) for s in fn.body)


def owning_threads(own: bool, text: str) -> str:
    """``text`` (a variant's forward or backward) decorated with ``@blas_on_one_thread`` where
    the variant owns threads: BLAS then keeps to one thread through the whole call, so that no
    product BLAS shares out itself leaves its threads spinning on the cores the pool's blocks
    run on, or wakes them once per step of a loop."""
    return f"@blas_on_one_thread\n{text}" if own else text


def all_functions(c: CompiledVariant) -> list[Function]:
    """A variant's forward and backward, and the parts a scan's loop calls."""
    if c.forward.loop is None:
        return [c.forward, c.backward]
    return [c.forward, c.backward] + c.forward.loop.functions()  # type: ignore[attr-defined]


def _scan_parts(c: CompiledVariant, prims: Primitives) -> list[str]:
    """The straight-line functions a scan variant's loop calls (the passes optimize them)."""
    return [render_function(fn, prims, scan_part_returns(c, fn), defaults=fn.attr_defaults)
            for fn in c.forward.loop.functions()]  # type: ignore[attr-defined]


def scan_part_returns(c: CompiledVariant, fn: Function) -> str:
    """What a part of a scan's loop returns: its outputs (each once), and for the hoisted
    part the values its backward reads."""
    parts = c.forward.loop
    # each once (a step's carry and its stack may be one value), but the hoisted backward's
    # results are the gradients of its arrays, in order, as the driver unpacks them (two
    # biases added together share one gradient)
    once = fn.outputs if fn is parts.hoisted_backward else dict.fromkeys(fn.outputs)  # type: ignore[attr-defined]
    outputs = [operand(o) for o in once]
    if fn is parts.hoisted:  # type: ignore[attr-defined]
        return f"{_outputs(outputs)}, {_tuple(list(parts.hoisted_saved)) if parts.hoisted_saved else '()'}"  # type: ignore[attr-defined]
    return _outputs(outputs)


def _declared_shape(spec: OpSpec, decl) -> str:
    """An array's declared shape for ``check_arrays``; a scan's sequence [T, B, ...] is
    [B, T, ...] when its batch_first attribute is true."""
    scan = spec.scan
    if scan is None or scan.batch_first is None or decl.name not in scan.sequences:
        return _shape_literal(decl.shape)
    dims = decl.shape.dims
    swapped = _shape_literal(type(decl.shape)((dims[1], dims[0], *dims[2:]), False))
    return f"{swapped} if {scan.batch_first} else {_shape_literal(decl.shape)}"


def _tuple(items: list[str]) -> str:
    if len(items) == 1:
        return f"({items[0]},)"
    return f"({', '.join(items)})"


def _outputs(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items)


def _shape_literal(dims) -> str:
    parts = (['"..."'] if dims.ellipsis else []) + [f'"{d}"' if isinstance(d, str) else str(d) for d in dims.dims]
    return _tuple(parts) if parts else "()"


def _attribute_entry(attr: AttrDecl) -> str:
    """``"alpha": {"kind": "float", "minimum": 0.0}``: check_attribute's keywords."""
    keywords = {"kind": attr.type, "minimum": attr.minimum, "maximum": attr.maximum,
                "choices": attr.choices or None}
    return f'"{attr.name}": {{{", ".join(f"{chr(34)}{k}{chr(34)}: {v!r}" for k, v in keywords.items() if v is not None)}}}'


def _type_text(attr: AttrDecl) -> str:
    """An attribute's type as the docstring gives it (window types in words)."""
    return {"pair": "int or (int, int)", "padding": "int, (int, int), 4 ints per side, 'same' or 'valid'"}.get(attr.type, attr.type)


def keyword(attr: AttrDecl) -> str:
    """An attribute as a keyword parameter: ``alpha=1.0``, ``size=None`` (optional), or the
    bare name of a required one."""
    if attr.default is None:
        return f"{attr.name}=None" if attr.optional else attr.name
    return f"{attr.name}={attr.default!r}"


def _window_check(spec: OpSpec) -> str:
    """The call of check_window, assigning the window's attributes as it returns them (per
    spatial axis, the padding per side)."""
    w = spec.window
    assert w is not None
    op = spec.name
    if w.output_size is not None:
        optional = ", optional=True" if spec.attribute(w.output_size).optional else ""
        return f'{w.output_size} = check_adaptive_window("{op}", "{w.input}", {w.input}, {w.output_size}{optional})'
    if w.kernel_is_array:
        names = [w.stride, w.padding] + ([w.dilation] if w.dilation else []) + ([w.output_padding] if w.output_padding else [])
        args = [w.stride, w.padding] + ([w.dilation] if w.dilation else []) + [f"weight={w.kernel}"]
    else:
        names = [w.kernel, w.stride, w.padding] + ([w.dilation] if w.dilation else [])
        args = [w.stride, w.padding] + ([w.dilation] if w.dilation else []) + [f"kernel={w.kernel}"]
    for key in ("groups", "padding_mode", "ceil_mode", "output_padding"):
        name = getattr(w, key)
        if key == "groups" and name == DEPTHWISE and not any(a.name == DEPTHWISE for a in spec.attributes):
            args.append(f"groups={w.input}.shape[1]")  # one group per input channel
        elif name is not None:
            args.append(f"{key}={name}")
    return f'{", ".join(names)} = check_window("{op}", "{w.input}", {w.input}, {", ".join(args)})'


def _attr_check(op: str, attr: AttrDecl) -> str:
    extra = ""
    if attr.minimum is not None:
        extra += f", minimum={attr.minimum!r}"
    if attr.maximum is not None:
        extra += f", maximum={attr.maximum!r}"
    if attr.choices:
        extra += f", choices={attr.choices!r}"
    return f'check_attribute("{op}", "{attr.name}", {attr.name}, "{attr.type}"{extra})'


def _docstring(spec: OpSpec, slot_doc: bool) -> list[str]:
    lines = [f"{spec.title} forward pass.", ""]
    lines += textwrap.wrap(spec.summary, 84)
    lines += ["", "Args:"]
    for decl in spec.arrays:
        kind = "parameter" if decl in spec.parameters else ("buffer" if decl in spec.buffers else "input")
        dtype = {"int": "integer (no gradient)", "mask": "bool or float mask (no gradient)"}.get(
            decl.dtype, "float32 or float64" + (" (no gradient)" if not decl.takes_grad else ""))
        given = ", None to leave it out" if decl.optional and decl in spec.inputs else ""
        text = f"{decl.name}: {dtype} {kind} of shape {decl.shape}{given}." + (f" {decl.doc}" if decl.doc else "")
        lines += _indent_wrap(text)
        if decl.variadic:
            lines += _indent_wrap(f"*more: any number of further inputs like {decl.name}, folded from the left: "
                                  f"forward(forward({spec.inputs[0].name}, {decl.name}), more[0]), ..., "
                                  "the activation applied once, at the end." if spec.slot else
                                  f"*more: any number of further inputs like {decl.name}, folded from the left: "
                                  f"forward(forward({spec.inputs[0].name}, {decl.name}), more[0]), ....")
    for attr in spec.attributes:
        default = ("default None" if attr.optional else "required") if attr.default is None else f"default {attr.default!r}"
        text = f"{attr.name}: {_type_text(attr)}, {default}." + (f" {attr.doc}" if attr.doc else "")
        lines += _indent_wrap(text)
    if slot_doc and spec.slot:
        lines += _indent_wrap(
            f"activation: name of the activation applied to the result, default {spec.slot.default!r}; "
            f"{', '.join(spec.slot.fused)} are fused into specialized code, "
            + ("any other activation of layerforge.activations is composed." if slot_is_final(spec)
               else "and only these: the slot is not the layer's last step.")
        )
        lines += _indent_wrap("activation_options: keyword arguments for the activation, such as {'alpha': 0.5}.")
    if spec.random:
        lines += _indent_wrap("rng: a numpy.random.Generator (or CuPy's) for the random draws; a fresh one if None.")
    lines += ["", "Returns:"]
    outs = spec.outputs[0] if len(spec.outputs) == 1 else f"({', '.join(spec.outputs)})"
    if spec.parts is not None:
        lines += _indent_wrap(f"(parts, ctx): a tuple of the parts along {spec.parts.parts_along}, as "
                              f"{spec.parts.name} gives them, and the context that backward needs.")
    else:
        lines += _indent_wrap(f"({outs}, ctx): the output{'s' if len(spec.outputs) > 1 else ''} and the context that backward needs.")
    return lines


# Primitives whose NumPy result may be a view of their first operand (a reshape, an index,
# a slice, a broadcast): a gradient made by them shares memory with what they read.
VIEW_PRIMS = frozenset({"broadcast_like", "reshape_like", "split_last", "squeeze_last", "transpose",
                        "flatten_batch", "reshape_batch", "squeeze_axis", "unsqueeze", "slice_axis", "crop2d", "as_channels"})


def _alias_doc(spec: OpSpec, compiled: list[CompiledVariant], prims: Primitives) -> list[str]:
    """A note for backward's docstring on the gradients that may share memory with a
    gradient argument or with each other (no copy is made: add's two gradients are one
    array, and its identity variant's is ``grad_y`` itself); none if none may."""
    grads = {f"grad_{o}" for o in spec.grad_outputs}
    names = [f"grad_{d.name}" for d in spec.differentiable]
    with_argument: set[str] = set()
    with_other: set[str] = set()
    for c in compiled:
        fn = c.backward
        roots: dict[str, set[str]] = {p: {p} for p in fn.params}
        for s in fn.body:
            first = s.args[0] if s.args else None
            view = (s.prim in VIEW_PRIMS or prims[s.prim].view) and isinstance(first, str)
            roots[s.target] = roots.get(first, set()) if view else {s.target}  # type: ignore[arg-type]
        outs = [roots.get(o, set()) if isinstance(o, str) else set() for o in fn.outputs]
        for i, (name, root) in enumerate(zip(names, outs)):
            if root & grads:
                with_argument.add(name)
            if any(root & other for j, other in enumerate(outs) if j != i):
                with_other.add(name)
    if not with_argument and not with_other:
        return []
    parts = []
    if len(with_other) > 1:
        parts.append(f"{' and '.join(n for n in names if n in with_other)} may be one array")
    if with_argument:
        owned = [n for n in names if n in with_argument]
        parts.append(f"{', '.join(owned)} may be {' or '.join(sorted(grads))} itself or a view of it")
    note = ("Gradients are writable, and no copy is made: " + "; ".join(parts)
            + ". Copy one before updating it in place if the others must not change.")
    return ["", *textwrap.wrap(note, 84)]


def _leading(spec: OpSpec) -> str:
    """How check_arrays relates the leading ('...') dimensions of the arguments that have
    them: "broadcast" for an op that broadcasts its inputs; "any" where an axis attribute
    may name one of them (concatenate joins along it, and checks the others itself);
    otherwise "equal", one shape for all."""
    if spec.broadcast:
        return "broadcast"
    led = [d.name for d in spec.arrays if d.shape.ellipsis]
    if len(led) > 1 and any(a.axis_of in led for a in spec.attributes):
        return "any"
    return "equal"


def _indent_wrap(text: str) -> list[str]:
    return textwrap.wrap(text, 84, initial_indent="    ", subsequent_indent="        ")


def docstring_text(text: str) -> str:
    """Spec text (titles, summaries, docs) as it may stand inside a triple-quoted docstring:
    backslashes escaped, and the double quotes of a run of two or more or at the end (where
    the closing quotes follow), so no text can end the string early; a lone quote in prose
    (``approximate="tanh"``) stays as written."""
    return re.sub(r'"(?="|$)|(?<=")"', r'\\"', text.replace("\\", "\\\\"))


def _doc_block(lines: list[str]) -> str:
    body = "\n".join(f"    {docstring_text(line)}" if line else "" for line in lines)
    return f'    """{body.lstrip()}\n    """'


# Fewer IR statements than this make one or two passes over memory: nothing for cache
# blocking to save, only its per-block call overhead to pay. A statement whose primitive has
# a helper (sigmoid, softplus, expm1: several passes each) counts as this many.
MIN_BLOCKED_STATEMENTS = 3


@dataclass(frozen=True)
class Blocking:
    """Which directions run block by block along the leading axis (``in_row_blocks``), and
    how many trailing results of backward are sums over rows (parameter gradients)."""

    forward: bool = False
    backward: bool = False
    sums: int = 0
    # Keyword parameters ``out_<name>`` of the blocked functions, result by result (None for a
    # result without one): in_row_blocks passes the slices of the full results, and the
    # statement making each result writes there.
    forward_outs: tuple[str | None, ...] = ()
    backward_outs: tuple[str | None, ...] = ()


def blocking(spec: OpSpec, compiled: list[CompiledVariant], prims: Primitives) -> Blocking:
    """A direction runs blocked when every variant's function is row-local (its row sums, if
    any, the same in number) and long enough to gain; ops with buffers run whole, and so do
    ops with matrix products (BLAS wants the whole batch): the runs of their statements that
    are local to each batch item run blocked instead (``batched_parts``). A layer with an activation slot
    runs its fused variants blocked; a composed activation runs whole. Random draws must be
    shaped like a row array: drawn block by block, in order on one thread, they are the very
    numbers one call draws (a NumPy Generator consumes its stream element by element) if a
    function draws once: two draws would interleave block by block; a draw of another shape
    would be repeated in every block."""
    if spec.buffers or spec.scan is not None or spec.repeat is not None or any(prims[s.prim].kind == "linalg" for c in compiled for fn in (c.forward, c.backward)
                           for s in fn.body):
        return Blocking()
    for fn in (fn for c in compiled for fn in (c.forward, c.backward)):
        draws = [fn.values[s.target].shape for s in fn.body if prims[s.prim].kind == "random"]
        if len(draws) > 1 or not all(shape is not None and shape.ellipsis for shape in draws):
            return Blocking()

    def passes(fn: Function) -> int:
        return sum(MIN_BLOCKED_STATEMENTS if prims[s.prim].helper else 1 for s in fn.body)

    def sums(fns: list[Function]) -> int | None:
        rows = [fn.values.get(fn.params[0]) for fn in fns]  # what in_row_blocks cuts: not a scalar
        counts = {fn.row_sums() for fn in fns}
        if (len(counts) != 1 or None in counts or max(passes(fn) for fn in fns) < MIN_BLOCKED_STATEMENTS
                or not all(r is not None and r.shape is not None and r.shape.ellipsis for r in rows)):
            return None
        return counts.pop()

    given = [not c.variant.absent for c in compiled]
    forward = sums([c.forward for c in compiled])
    backward = sums([c.backward for c in compiled])
    forwards, backwards = [c.forward for c in compiled], [c.backward for c in compiled]
    return Blocking(forward == 0, backward is not None, backward or 0,
                    _out_buffers(forwards, [(*fn.outputs, *c.saved) for fn, c in zip(forwards, compiled)], prims, given)
                    if forward == 0 else (),
                    _out_buffers(backwards, [tuple(fn.outputs[:len(fn.outputs) - (backward or 0)]) for fn in backwards], prims,
                                 given)
                    if backward is not None else ())


def _out_buffers(fns: list[Function], results: list[tuple[str, ...]], prims: Primitives,
                 given: list[bool] | None = None) -> tuple[str | None, ...]:
    """Result by result (``results``: each variant's, in the order the function returns them
    and in_row_blocks flattens them: outputs, then saved values; the row sums left out),
    ``out_<name>`` where every variant has the same value there and makes it by one
    elementwise statement the passes can write into a given buffer (an operator, a ufunc or
    a helper taking ``out=``), shaped like the rows, under a name from the spec (a
    temporary's is renumbered later); None elsewhere, and trailing Nones cut."""
    outs: list[str | None] = []
    given = given or [True] * len(fns)
    for position in range(min(len(names) for names in results)):
        # A variant without some optional arrays may hold another value there, one it makes
        # under no name that has a buffer (the kernel returns it, and it is copied in).
        names = {names[position] for names, full in zip(results, given) if full}
        name = names.pop() if len(names) == 1 else None
        others = [(fn, names[position]) for fn, names, full in zip(fns, results, given) if not full]
        writable = (name is not None and not name.startswith("_") and f"out_{name}" not in outs
                    and all(_writable(fn, name, prims) for fn, full in zip(fns, given) if full)
                    and all(other == name and _writable(fn, name, prims) or fn.defining(name) is None
                            for fn, other in others))
        outs.append(f"out_{name}" if writable else None)
    while outs and outs[-1] is None:
        outs.pop()
    return tuple(outs)


def _writable(fn: Function, name: str, prims: Primitives) -> bool:
    made = [s for s in fn.body if s.target == name]
    value = fn.values.get(name)
    if len(made) != 1 or value is None or value.shape is None or not value.shape.ellipsis or value.dtype != "float":
        return False
    prim = prims[made[0].prim]
    return prim.kind == "elementwise" and (not prim.helper or takes_out(prim.helper_name or "", prim.helper))


def _outs_keyword(outs: tuple[str | None, ...]) -> str:
    """``, outs=("out_y",)`` for an in_row_blocks call, or nothing (quoted as black quotes)."""
    quoted = ["None" if o is None else f'"{o}"' for o in outs]
    return f", outs={_tuple(quoted)}" if outs else ""


def quotient_dimension(attr: AttrDecl) -> str:
    """The name of the dimension D / attribute for an attribute that divides D
    (``C_over_reduction``): arrays may use it, and it is checked to be exactly that size."""
    return f"{attr.divides}_over_{attr.name}"


def slot_is_final(spec: OpSpec) -> bool:
    """Whether the activation slot is the layer's last step (``y = activation(z)`` with y its
    only output), so that an activation that is not fused can be composed at run time after
    the identity variant. A slot elsewhere (a gate) takes fused activations only."""
    def targets(stmts) -> set[str]:
        found: set[str] = set()
        for stmt in stmts:
            if isinstance(stmt, If):
                found |= targets(stmt.body) | targets(stmt.orelse)
            elif isinstance(stmt.value, Call) and stmt.value.func == "activation":
                found.add(stmt.target)
        return found

    return spec.slot is not None and len(spec.outputs) == 1 and targets(spec.forward) == {spec.outputs[0]}


def _chunked_inputs(spec: OpSpec, compiled: list[CompiledVariant]) -> list[tuple[str, str, str]]:
    """(input, pieces, axis) of every ``chunk`` of an array argument in a forward: checked up
    front, so that a length that does not split evenly is an error naming the op and the
    argument rather than a silently short block."""
    arrays = {d.name for d in spec.arrays}
    found: list[tuple[str, str, str]] = []
    for c in compiled:
        for stmt in c.forward.body:
            if stmt.prim == "chunk" and stmt.args[0] in arrays:
                statics = dict(stmt.statics)
                key = (str(stmt.args[0]), operand(statics["pieces"], bare=True), operand(statics["axis"], bare=True))
                if key not in found:
                    found.append(key)
    return found


def takes_out(name: str, helper: str) -> bool:
    """Does the helper ``name`` take ``out=None`` (a buffer for its result) last?"""
    return re.search(rf"def {re.escape(name)}\([^)]*\bout=None\):", helper) is not None


def batched_parts(compiled: list[CompiledVariant], prims: Primitives,
                  blocked: Blocking) -> dict[str, list[batched.Part]]:
    """The batched parts (transpiler/batched.py) of the variant functions, by name, in the
    directions that do not run blocked as a whole."""
    found: dict[str, list[batched.Part]] = {}
    for c in map(writable_gradients, compiled):
        for fn, whole in ((c.forward, blocked.forward), (c.backward, blocked.backward)):
            parts = [] if whole else batched.split(fn, prims, c.saved if fn is c.forward else ())
            if parts:
                found[fn.name] = parts
    return found


def writable_gradients(c: CompiledVariant) -> CompiledVariant:
    """A gradient that backward returns is the caller's to update in place: one made by
    ``broadcast_like`` (a read-only view, in CuPy one whose elements share memory) is made
    by ``broadcast_copy`` instead."""
    fn = c.backward
    outputs = {o for o in fn.outputs if isinstance(o, str)}
    if not any(s.prim == "broadcast_like" and s.target in outputs for s in fn.body):
        return c
    body = [dataclasses.replace(s, prim="broadcast_copy") if s.prim == "broadcast_like" and s.target in outputs
            else s for s in fn.body]
    return dataclasses.replace(c, backward=dataclasses.replace(fn, body=body))


def argument_checks(op: str, spec: OpSpec, attributes: Iterable[AttrDecl]) -> list[str]:
    """The checks a public function makes of its arguments first, forward's and each entry
    point's (``spec`` is then the entry point as an op, ``entry.entry_spec``) alike: the
    arrays' ranks, shapes and dtypes, the ids against the dimension they index, and each of
    ``attributes`` (its type and range, the dimension it divides, the axis it names)."""
    body: list[str] = []
    arrays = [d.name for d in spec.arrays]
    optional = [d.name for d in spec.optional]
    array_dict = ", ".join(f'"{n}": {n}' for n in arrays)
    shape_dict = ", ".join(f'"{d.name}": {_declared_shape(spec, d)}' for d in spec.arrays)
    dtypes = "" if spec.dtypes == DEFAULT_DTYPES else f", dtypes={spec.dtypes!r}"
    leading = _leading(spec)
    leading_arg = "" if leading == "equal" else f', leading="{leading}"'
    optional_arg = f", optional={_tuple([repr(n) for n in optional])}" if optional else ""
    kinds = ", ".join(f'"{d.name}": "{d.dtype}"' for d in spec.arrays if d.dtype != "float" and d in spec.inputs)
    kinds_arg = f", kinds={{{kinds}}}" if kinds else ""
    same = [f'{_tuple([repr(p) for p in d.otherwise])} if {d.name} is None else ()' for d in spec.inputs if d.otherwise]
    same_arg = f", same={' + '.join(f'({s})' for s in same) if len(same) > 1 else same[0]}" if same else ""
    body.append(f'check_arrays("{op}", {{{array_dict}}}, {{{shape_dict}}}{dtypes}{leading_arg}{optional_arg}{kinds_arg}{same_arg})')
    for decl in spec.inputs:
        if decl.below:  # the ids index that dimension of another array
            holder = next(d for d in spec.arrays if decl.below in d.shape.dims)
            axis = list(holder.shape.dims).index(decl.below) - len(holder.shape.dims)
            body.append(f'check_ids("{op}", "{decl.name}", {decl.name}, {holder.name}.shape[{axis}], "{decl.below}", "{holder.name}")')
    for attr in attributes:
        if attr.type in WINDOW_TYPES or attr.shape_of:  # checked by check_window, check_shape_of
            continue
        if attr.none:  # None stands for an expression of the attributes before it
            body += [f"if {attr.name} is None:", f"    {attr.name} = {attr.none}"]
        if attr.optional:
            body += [f"if {attr.name} is not None:", f"    {_attr_check(op, attr)}"]
        else:
            body.append(_attr_check(op, attr))
        if attr.divides:
            holder = next(d for d in spec.arrays if attr.divides in d.shape.dims)
            axis = list(holder.shape.dims).index(attr.divides) - len(holder.shape.dims)
            named = "" if axis == -1 else f', dimension="{attr.divides}"'
            whole = f"{holder.name}.shape[{axis}]"
            checks = [f'check_divides("{op}", "{attr.name}", {attr.name}, "{holder.name}", {whole}{named})']
            quotient = quotient_dimension(attr)
            part = next((d for d in spec.arrays if quotient in d.shape.dims), None)
            if part is not None:
                index = list(part.shape.dims).index(quotient) - len(part.shape.dims)
                checks.append(f'check_quotient("{op}", "{part.name}", {part.name}.shape[{index}], "{quotient}", '
                              f'{whole}, "{attr.name}", {attr.name})')
            if holder.optional:  # an absent array fixes nothing: the dimension is the quotient's multiple
                body += [f"if {holder.name} is not None:", *(f"    {c}" for c in checks)]
            else:
                body += checks
        if attr.axis_of:
            body.append(f'check_axis("{op}", "{attr.name}", {attr.name}, "{attr.axis_of}", {attr.axis_of}.ndim)')
    return body


def render_module(spec: OpSpec, compiled: list[CompiledVariant], prims: Primitives,
                  env: jinja2.Environment, blocked: Blocking = Blocking(),
                  fixed: dict[str, dict[str, AttrValue]] | None = None, entries: list | None = None,
                  compiled_target: bool = False, batched_runs: dict[str, list[batched.Part]] | None = None) -> str:
    """The module's source; ``entries``: the compiled entry points (``entry.compile_entries``);
    ``blocked``: the directions whose variant functions run through
    ``in_row_blocks`` (in the optimized build); ``fixed``: per fused activation, the options
    its fused code is specialized at (other values of them run it composed);
    ``compiled_target``: add the numba row kernels and twins (jit.py; not at -O0);
    ``batched_runs``: the batched parts of the variant functions, by name (``batched_parts``)."""
    batched_runs = batched_runs or {}
    compiled = [writable_gradients(c) for c in compiled]
    op = spec.name
    arrays = [d.name for d in spec.arrays]
    numeric = [a for a in spec.attributes if spec.passed(a)]
    along = next((a for a in spec.attributes if a.along), None)
    structural = [a for a in spec.structural]
    fused = spec.slot is not None
    imports = ["import numpy as np", ""]
    runtime_names = ["check_arrays", "check_context"]
    if spec.broadcast:
        runtime_names += ["broadcast_inputs", "sum_to_shapes"]
    if any(a.type not in WINDOW_TYPES for a in spec.attributes):
        runtime_names.append("check_attribute")
    if any(a.divides for a in spec.attributes):
        runtime_names.append("check_divides")
    if any(a.divides and any(quotient_dimension(a) in d.shape.dims for d in spec.arrays) for a in spec.attributes):
        runtime_names.append("check_quotient")
    if any(a.axis_of for a in spec.attributes):
        runtime_names.append("check_axis")
    if any(a.below for a in spec.attributes):
        runtime_names.append("check_below")
    if spec.parts is not None:
        runtime_names.append("check_parts")
    if any(d.trailing for d in spec.inputs):
        runtime_names.append("join_trailing")
    if spec.shape_of is not None:
        runtime_names += ["check_shape_of", "join_last"]
    if any(d.below for d in spec.inputs):
        runtime_names.append("check_ids")
    if any(d.counted is not None for d in spec.arrays):
        runtime_names.append("check_counted")
    if any(a.bounds for a in spec.attributes):
        runtime_names.append("check_at_most")
    if any(a.at_most for a in spec.attributes):
        runtime_names.append("check_not_above")
    if any(a.states_of for a in spec.attributes):
        runtime_names.append("check_states")
    if spec.nonempty:
        runtime_names.append("check_nonempty")
    if spec.scan is not None:
        runtime_names.append("check_steps")
        if any(spec.array(n).dtype == "mask" for n in spec.scan.sequences):  # type: ignore[union-attr]
            runtime_names.append("check_first_step")
    if spec.window is not None:
        runtime_names.append("check_window" if spec.window.output_size is None else "check_adaptive_window")
    blocks = _chunked_inputs(spec, compiled)
    if blocks:
        runtime_names.append("check_blocks")
    if fused:
        runtime_names += ["activation_module", "check_options"]
    if blocked.forward or blocked.backward or batched_runs:
        runtime_names.append("in_row_blocks")
    if any(owns_threads(c, prims) for c in compiled):
        runtime_names.append("blas_on_one_thread")
    from . import entry as entry_points

    compiled_entries = entries or []
    extra = entry_points.render(spec, compiled_entries, prims)
    runtime_names += sorted(n for n in extra.runtime if n not in runtime_names)
    entry_fns = [f for variants_ in compiled_entries for c in variants_ for f in c.functions()]
    used = sorted({prims[s.prim].name for f in [*(f for c in compiled for f in all_functions(c)), *entry_fns]
                   for s in f.body if prims[s.prim].helper})
    helper_prims = with_called_helpers(used, prims)
    helpers = [prims[p].helper.rstrip() for p in sorted(helper_prims, key=lambda p: prims[p].helper_name or p)]  # type: ignore[union-attr]
    runtime_names += [name for name in HELPER_RUNTIME if any(f"{name}(" in helper for helper in helpers)]
    imports.append(f"from {RUNTIME} import {', '.join(runtime_names)}")

    # -- public forward ----------------------------------------------------------------
    optional = [d.name for d in spec.optional]
    # an optional array defaults to None where every array after it is optional too
    signature = [f"{n}=None" if all(m in optional for m in arrays[i:]) else n for i, n in enumerate(arrays)]
    keywords = []
    for attr in spec.attributes:
        keywords.append(keyword(attr))
    if fused:
        assert spec.slot is not None
        keywords += [f'activation="{spec.slot.default}"', "activation_options=None"]
    if spec.random:
        keywords.append("rng=None")
    if spec.variadic:  # more inputs like the last: folded from the left
        signature.insert(len(spec.inputs), "*more")
    params = ", ".join(signature + (["*"] + keywords if keywords and not spec.variadic else keywords))
    body = argument_checks(op, spec, spec.attributes)
    counted = [d for d in spec.arrays if d.counted is not None]
    for count in dict.fromkeys(d.counted[0] for d in counted):  # type: ignore[index]
        # a counted instance's copies: given up to the count, None beyond
        entries = ", ".join(f'"{d.name}": ({d.counted[1]}, {d.name})' for d in counted if d.counted[0] == count)  # type: ignore[index]
        body.append(f'check_counted("{op}", "{count}", {count}, {{{entries}}})')
    if spec.scan is not None:  # time is the first axis of a sequence, or the second batch first
        axis = f"1 if {spec.scan.batch_first} else 0" if spec.scan.batch_first else "0"
        for name in spec.scan.sequences:
            decl = spec.array(name)
            assert decl is not None
            checks = [f'check_steps("{op}", "{name}", {name}.shape, {axis})']
            if decl.dtype == "mask":  # the steps that count: every row's first one must
                checks.append(f'check_first_step("{op}", "{name}", {name}, {axis})')
            if decl.optional:
                body += [f"if {name} is not None:", *(f"    {c}" for c in checks)]
            else:
                body += checks

    for array, axis, condition in spec.nonempty:
        applies = f", applies={condition}" if condition else ""
        where = "" if axis is None else f", {axis}"
        body.append(f'check_nonempty("{op}", "{array}", {array}.shape{where}{applies})')
    for attr in spec.attributes:
        if attr.below:
            array, axis = attr.below
            check = f'check_below("{op}", "{attr.name}", {attr.name}, "{array}", {array}.shape, {axis})'
            body += [f"if {attr.name} is not None:", f"    {check}"] if attr.optional else [check]
        if attr.bounds:
            array, axis = attr.bounds
            body.append(f'check_at_most("{op}", "{attr.name}", {attr.name}, "{array}", {array}.shape, {axis})')
        if attr.at_most:
            array, axis = attr.at_most
            body.append(f'check_not_above("{op}", "{attr.name}", {attr.name}, "{array}", {array}.shape, {axis})')
        if attr.states_of:
            array, axis = attr.states_of
            body.append(f'check_states("{op}", "{attr.name}", {attr.name}, "{array}", {array}.shape, {axis})')
    if spec.parts is not None:  # other than two parts: a fold of the two-part cut
        parts, x, axis = spec.parts, spec.inputs[0].name, spec.parts.parts_along
        body.append(f'sizes = check_parts("{op}", "{parts.name}", {parts.name}, "{x}", {x}.shape, {axis})')
        body.append("if len(sizes) != 2:")
        body.append(f"    return _parts_forward({x}, sizes{''.join(f', {a.name}={a.name}' for a in spec.attributes if a is not parts)})")
        body.append(f"{parts.name} = sizes[0]")
    if spec.window is not None:
        body.append(_window_check(spec))
    for name, pieces, axis in blocks:
        body.append(f'check_blocks("{op}", "{name}", {name}, {pieces}, {axis})')
    # What backward checks its gradients against: the outputs' dtype and shapes; and, for
    # an op that broadcasts its inputs, their own shapes (to sum each gradient back to).
    grad_outs = list(spec.grad_outputs)
    expected = _tuple([f"{grad_outs[0]}.dtype"] + [f"{o}.shape" for o in grad_outs])
    sum_to = "input_shapes" if spec.broadcast else "None"
    outs = _outputs(list(spec.outputs))
    # Several outputs come back as one tuple, so that ``outputs, ctx = forward(...)`` always holds.
    result = outs if len(spec.outputs) == 1 else f"({outs})"
    trailing = next((d for d in spec.inputs if d.trailing), None)
    if trailing is not None:  # [N, C, *]: the code on the trailing axes joined, outputs unjoined
        body[:0] = _join_trailing(spec, compiled, trailing, outs, result, expected)
    if spec.shape_of is not None:  # a dimension that stands for several axes: joined into one
        body[:0] = _join_shape(spec, compiled, outs, result, expected)
    if along is not None:  # the last-axis code on the axis moved last, then moved back
        moved = [f"{a}.swapaxes({along.name}, -1)" if a == along.along else a for a in arrays]
        others = [f"{a.name}={a.name}" for a in spec.attributes if a is not along]
        body.append(f"if {along.name} != -1 and {along.name} != {along.along}.ndim - 1:")
        body.append(f"    {outs}, moved_ctx = forward({', '.join(moved + others)})")
        body.append(f"    {outs} = {', '.join(f'{o}.swapaxes({along.name}, -1)' for o in spec.outputs)}")
        body.append(f"    return {result}, (_backward_along, (moved_ctx, {along.name}), {expected}, None)")
    if spec.broadcast:  # NumPy or CuPy arrays alike
        broadcast = [d.name for d in spec.arrays if d.shape.ellipsis]
        body.append(f"{', '.join(broadcast)}, input_shapes = broadcast_inputs({', '.join(broadcast)})")
    preamble = len(body)  # checks, the move of an axis, the broadcast: not repeated for CuPy
    if spec.random:
        body.append("if rng is None:")
        body.append("    rng = np.random.default_rng()")
    call_args = arrays + [a.name for a in numeric]
    first = compiled[0]
    keyed_optional = [d.name for d in spec.keyed_optional]  # variants: false makes none
    given = [f"{n} is not None" for n in keyed_optional]  # the optional arrays in a variant's key
    # a fused variant's key: the activation, the structural values, the optional arrays given
    keyed = [structural_key(a) for a in structural] + given
    fused_args = (["rng"] if spec.random else []) + call_args  # a random op's variants take rng first
    if fused:
        body.append("options = {} if activation_options is None else activation_options")
        body.append(f"fused = _FUSED.get({_tuple(['activation'] + keyed) if keyed else 'activation'})")
        if fixed:
            body.append("fixed = _FUSED_FIXED.get(activation, {})")
            body.append("if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):")
            body.append("    options = {k: v for k, v in options.items() if k not in fixed}")
        else:
            body.append("if fused is not None:")
        body.append("    forward_variant, backward_variant = fused")
        body.append("    if options:")
        body.append(f'        check_options("{op}", activation, options)')
        if blocked.forward:
            rng_keyword = ", rng=rng" if spec.random else ""
            body.append(f"    {outs}, saved = in_row_blocks({', '.join(['forward_variant'] + call_args)}{rng_keyword}, options=options"
                        f"{_outs_keyword(blocked.forward_outs)})")
        else:
            body.append(f"    {outs}, saved = forward_variant({', '.join(fused_args + ['**options'])})")
        body.append(f"    return {result}, (backward_variant, saved, {expected}, {sum_to})")
        if slot_is_final(spec):
            identity = next(c for c in compiled if c.variant.activation == "identity")
            body.append(f'module = activation_module("{op}", activation)')
            body.append("if options:")
            body.append(f'    check_options("{op}", activation, options)')
            pre = _outputs([f"{o}_linear" for o in spec.outputs])
            if keyed:  # the identity variant with these structural values and optional arrays
                body.append(f"linear_forward, linear_backward = _FUSED[{', '.join(['{!r}'.format('identity')] + keyed)}]")
                body.append(f"{pre}, linear_saved = linear_forward({', '.join(fused_args)})")
                linear_saved = "linear_backward, linear_saved"
            else:
                body.append(f"{pre}, linear_saved = {identity.forward.name}({', '.join(fused_args)})")
                linear_saved = "linear_saved"
            body.append(f"{outs}, activation_ctx = module.forward({pre}, **options)")
            body.append(f"return {result}, (_backward_composed, (module, activation_ctx, {linear_saved}), {expected}, {sum_to})")
        else:
            body.append("raise ValueError(")
            body.append(f'    f"{op}: activation {{activation!r}} cannot fill this layer\'s slot, "')
            body.append('    "which is not its last step (no composition); choose one of "')
            if keyed:  # keyed by the activation, structural values and the optional arrays given
                body.append("    f\"{', '.join(dict.fromkeys(key[0] for key in _FUSED))}\"")
            else:
                body.append("    f\"{', '.join(_FUSED)}\"")
            body.append(")")
    else:
        if structural or keyed_optional:
            keys = [structural_key(a) for a in structural] + given
            key = keys[0] if len(keys) == 1 else _tuple(keys)
            body.append(f"forward_variant, backward_variant = _VARIANTS[{key}]")
            fwd, bwd = "forward_variant", "backward_variant"
        else:
            fwd, bwd = first.forward.name, first.backward.name
        rng_arg = ["rng"] if spec.random else []
        call = (f"in_row_blocks({', '.join([fwd] + call_args + [f'{a}={a}' for a in rng_arg])}{_outs_keyword(blocked.forward_outs)})"
                if blocked.forward
                else f"{fwd}({', '.join(rng_arg + call_args)})")
        body.append(f"{outs}, saved = {call}")
        body.append(f"return {result}, ({bwd}, saved, {expected}, {sum_to})")
    cupy = cuda.render_section(spec, compiled, prims, compiled_entries, extra.cupy_tables)
    imports += cupy.imports
    compiled_section = jit.render_section(spec, compiled, prims, compiled_target, blocked)
    imports += compiled_section.imports
    jit_names = [name for name in HELPER_JIT_RUNTIME if any(f"{name}(" in helper for helper in helpers)
                 and not any(f" {name}" in line for line in compiled_section.imports)]
    if jit_names:
        imports.append(f"from {jit.RUNTIME} import {', '.join(jit_names)}")
    if compiled_section.uses_math:
        imports[:0] = ["import math", ""]
    selection = body[preamble:]
    on_gpu = cupy.dispatch(spec, selection)
    body = body[:preamble] + on_gpu[:len(on_gpu) - len(selection)] + compiled_section.dispatch(spec, selection)
    folded: list[str] = []
    if spec.variadic:
        body = _fold_call(spec) + body
        folded = _folded_functions(spec)
    public_forward = "\n".join(
        [f"def forward({params}):", _doc_block(_docstring(spec, fused))] + [f"    {line}" for line in body]
    )

    # -- public backward ---------------------------------------------------------------
    grads = [f"grad_{o}" for o in spec.grad_outputs]
    differentiable = [d.name for d in spec.differentiable]
    grad_inputs = ", ".join(f"grad_{n}" for n in differentiable)
    bdoc = [
        f"{spec.title} backward pass.",
        "",
        "Args:",
        *_indent_wrap(f"{', '.join(grads)}: gradient of the loss with respect to {', '.join(spec.grad_outputs)}."),
        *_indent_wrap("ctx: the context returned by forward."),
        "",
        "Returns:",
        *_indent_wrap(f"{grad_inputs}: gradients with respect to {', '.join(differentiable)}, in that order"
                      + (" (and one more for each input of *more)." if spec.variadic else ".")),
    ]
    bdoc += _alias_doc(spec, compiled, prims)
    grad_arrays = ", ".join(f'"{g}": {g}' for g in grads)

    def returned(call: str) -> str:
        # an op that broadcast its inputs sums each gradient back to its input's shape
        return f"sum_to_shapes({call}, ctx[3])" if spec.broadcast else call

    if spec.parts is not None:
        public_backward = _parts_backward_entry(spec, bdoc)
        functions_parts = _parts_functions(spec)
    else:
        functions_parts = []
    public_backward = public_backward if spec.parts is not None else "\n".join([
        f"def backward({', '.join(grads)}, ctx):",
        _doc_block(bdoc),
        f'    backward_variant, saved = check_context("{op}", __name__, ctx, {{{grad_arrays}}})',
        *([
            "    if backward_variant is _backward_along:",
            f"        return _backward_along({', '.join(grads)}, *saved)",
        ] if along is not None else []),
        *([
            "    if backward_variant is _backward_shape_of:",
            f"        return _backward_shape_of({', '.join(grads)}, *saved)",
        ] if spec.shape_of is not None else []),
        *([
            "    if backward_variant is _backward_joined:",
            f"        return _backward_joined({', '.join(grads)}, *saved)",
        ] if any(d.trailing for d in spec.inputs) else []),
        *([  # a fold's context holds the contexts of its steps
            "    if backward_variant is _folded_backward:",
            f"        return _folded_backward({', '.join(grads)}, *saved)",
        ] if spec.variadic else []),
        *([  # a composed activation's context holds whole arrays: never cut into blocks
            "    if backward_variant is _backward_composed:",
            f"        return {returned(f'_backward_composed({chr(44).join(grads)}, *saved)')}",
        ] if blocked.backward and fused and slot_is_final(spec) else []),
        "    return " + returned(
            f"in_row_blocks(backward_variant, {', '.join(grads)}, *saved{f', sums={blocked.sums}' if blocked.sums else ''}"
            f"{_outs_keyword(blocked.backward_outs)})"
            if blocked.backward
            else f"backward_variant({', '.join(grads)}, *saved)"),
    ])

    # -- variant functions ---------------------------------------------------------------
    functions: list[str] = []
    for c in compiled:
        returns = f"{_outputs([operand(o) for o in c.forward.outputs])}, {_tuple(list(c.saved)) if c.saved else '()'}"
        fwd = c.forward
        own = {a.name for a in spec.attributes}
        defaults = {n: v for n, v in fwd.attr_defaults.items() if fused and n not in own}
        held = owns_threads(c, prims)
        functions += render_parts(batched_runs.get(fwd.name, ()), prims)
        functions.append(owning_threads(held, render_function(fwd, prims, returns, rng=spec.random, defaults=defaults,
                                                             outs=blocked.forward_outs,
                                                             parts=batched_runs.get(fwd.name, ()))))
        functions += render_parts(batched_runs.get(c.backward.name, ()), prims)
        functions.append(owning_threads(held, render_function(
            c.backward, prims, _outputs([operand(o) for o in c.backward.outputs]), outs=blocked.backward_outs,
            parts=batched_runs.get(c.backward.name, ()))))
        if c.forward.loop is not None:
            functions += [f for f in _scan_parts(c, prims) if f not in functions]  # shared by variants
    if fused and slot_is_final(spec):
        linear = "linear_backward" if keyed_optional or structural else identity.backward.name
        functions.append("\n".join([
            f"def _backward_composed({', '.join(grads)}, module, activation_ctx, {'linear_backward, ' if keyed_optional or structural else ''}linear_saved):",
            f"    grad_linear = module.backward({', '.join(grads)}, activation_ctx)",
            f"    return {linear}(grad_linear, *linear_saved)",
        ]))

    if along is not None:
        moved_grads = ", ".join(f"{g}.swapaxes(axis, -1)" for g in grads)
        functions.append("\n".join([
            f"def _backward_along({', '.join(grads)}, ctx, axis):",
            f'    """The backward of a forward along axis ``axis`` (moved last and back)."""',
            f"    return backward({moved_grads}, ctx).swapaxes(axis, -1)",
        ]))
    if trailing is not None:
        functions.append(_backward_joined(spec, compiled, trailing))
    if spec.shape_of is not None:
        functions.append(_backward_shape_of(spec, compiled))
    functions += folded + functions_parts + extra.functions
    variant_table = ""
    if fused:
        entries = "".join(f'    {variant_key(c.variant, keyed_optional)}: ({c.forward.name}, {c.backward.name}),\n' for c in compiled)
        variant_table = f"_FUSED = {{\n{entries}}}"
        if fixed:
            entries = "".join(f'    "{name}": {values!r},\n' for name, values in fixed.items())
            variant_table += ("\n# The options each fused activation is specialized at; other values run it composed."
                              f"\n_FUSED_FIXED = {{\n{entries}}}")
    elif structural or keyed_optional:
        entries = ""
        for c in compiled:
            values = [v for _, v in c.variant.structural] + [n not in c.variant.absent for n in keyed_optional]
            key = repr(values[0]) if len(values) == 1 else repr(tuple(values))
            entries += f"    {key}: ({c.forward.name}, {c.backward.name}),\n"
        variant_table = f"_VARIANTS = {{\n{entries}}}"
    variant_table = "\n\n\n".join([t for t in [variant_table] if t] + extra.tables)

    metadata = [
        f"INPUTS = {_tuple([f'{chr(34)}{d.name}{chr(34)}' for d in spec.inputs])}",
        f"PARAMETERS = {_tuple([f'{chr(34)}{d.name}{chr(34)}' for d in spec.parameters]) if spec.parameters else '()'}",
        f"OUTPUTS = {_tuple([f'{chr(34)}{o}{chr(34)}' for o in spec.outputs])}",
    ]
    if spec.buffers:
        metadata.insert(2, f"BUFFERS = {_tuple([f'{chr(34)}{d.name}{chr(34)}' for d in spec.buffers])}")
    if spec.scan is not None:
        # what a wrapper (bidirectional) needs to know of a sequence layer: which inputs are
        # sequences, which outputs are stacked over the steps (the rest: final states), and
        # the attribute that puts the batch first
        metadata.append(f"SEQUENCES = {_tuple([f'{chr(34)}{s}{chr(34)}' for s in spec.scan.sequences])}")
        metadata.append(f"STACKED = {_tuple([f'{chr(34)}{o}{chr(34)}' for o, _ in spec.scan.stack])}")
        metadata.append(f"BATCH_FIRST = {chr(34) + spec.scan.batch_first + chr(34) if spec.scan.batch_first else None}")
    if extra.names:  # functions beside forward and backward (learning rules, decoders)
        metadata.append(f"ENTRY_POINTS = {_tuple([f'{chr(34)}{n}{chr(34)}' for n in extra.names])}")
    if spec.kind == "activation":
        # what check_attribute checks of each attribute: a layer that fuses this activation
        # checks its activation_options with it (check_options)
        metadata.append(f"ATTRIBUTES = {{{', '.join(_attribute_entry(a) for a in spec.attributes)}}}")
        if spec.random:  # its forward takes a generator, rng: a composed slot passes it on
            metadata.append("RANDOM = True")
    summary = textwrap.wrap(f"{spec.title}: {spec.summary}", 88)
    return env.get_template("module.py.j2").render(
        title=docstring_text(summary[0].split(": ", 1)[0]),
        summary_line=docstring_text(summary[0].split(": ", 1)[1] if ": " in summary[0] else ""),
        summary_rest=docstring_text("\n".join(summary[1:])),
        spec_path=docstring_text(spec.path),
        version=VERSION,
        imports=imports,
        metadata=metadata,
        public_forward=public_forward,
        public_backward=public_backward,
        entry_points=extra.public,
        exported=["forward", "backward"] + extra.names,
        functions=functions,
        variant_table=variant_table,
        helpers=helpers,
        cupy=cupy.blocks + compiled_section.blocks,
    )


def _fold_call(spec: OpSpec) -> list[str]:
    """The public forward's first lines for a variadic op: more inputs than declared go to
    ``_folded_forward``."""
    names = [d.name for d in spec.inputs]
    keywords = [a.name for a in spec.attributes] + (["activation", "activation_options"] if spec.slot else [])
    keywords += ["rng"] if spec.random else []
    return ["if more:",
            f"    return _folded_forward(({', '.join(names)}, *more){''.join(f', {k}={k}' for k in keywords)})"]


def _folded_functions(spec: OpSpec) -> list[str]:
    """``_folded_forward`` and ``_folded_backward``: a variadic (binary) op on more than two
    inputs, as a left fold of its forward, forward(forward(a, b), c), ..., the activation
    applied once, at the end; backward runs the steps' backward passes in reverse."""
    (grad,) = [f"grad_{o}" for o in spec.grad_outputs]
    (out,) = spec.outputs
    attrs = [a.name for a in spec.attributes] + (["rng"] if spec.random else [])
    step = "".join(f", {a}={a}" for a in attrs)
    last = step + (", activation=activation, activation_options=activation_options" if spec.slot else "")
    params = ", ".join(["arrays", "*"] + attrs + (["activation", "activation_options"] if spec.slot else []))
    forward_folded = "\n".join([
        f"def _folded_forward({params}):",
        '    """forward over more than two inputs: a left fold of it, the activation at the end."""',
        "    partial, contexts = arrays[0], []",
        "    for array in arrays[1:-1]:",
        f"        partial, ctx = forward(partial, array{step})",
        "        contexts.append(ctx)",
        f"    {out}, ctx = forward(partial, arrays[-1]{last})",
        "    contexts.append(ctx)",
        f"    return {out}, (_folded_backward, (contexts,), ctx[2], None)",
    ])
    backward_folded = "\n".join([
        f"def _folded_backward({grad}, contexts):",
        '    """backward of _folded_forward: its steps\' backward passes in reverse."""',
        "    grads = []",
        "    for ctx in reversed(contexts):",
        f"        {grad}, grad_array = backward({grad}, ctx)",
        "        grads.append(grad_array)",
        f"    return ({grad}, *reversed(grads))",
    ])
    return [forward_folded, backward_folded]


def _shape_of_outputs(spec: OpSpec, compiled: list, attr) -> list[tuple[str, str]]:
    """The outputs given back in the caller's shape after a forward with the axes of a
    dimension joined (``shape_of``): (name, shape expression) for those of the first
    input's shape, and for those of it with that dimension reduced to 1 (statistics kept
    as length-1 axes: one per joined axis)."""
    first = spec.inputs[0]
    dims = first.shape.dims
    reduced = Shape(dims[:-1] + (1,), first.shape.ellipsis) if dims and dims[-1] == attr.shape_of else None
    given = []
    for i, out in enumerate(spec.outputs):
        for c in compiled:
            operand = c.forward.outputs[i]
            if isinstance(operand, str) and c.forward.values[operand].shape is not None:
                shape = c.forward.values[operand].shape
                if shape == first.shape:
                    given.append((out, f"{first.name}.shape"))
                elif shape == reduced:
                    lead = f"{first.name}.shape[: {first.name}.ndim - len({attr.name})]"
                    given.append((out, f"{lead} + (1,) * len({attr.name})"))
                break
    return given


def _unjoined_shape(shape, trailing) -> str | None:
    """The caller's shape of a forward result of ``shape`` on the input with trailing axes
    joined, as an expression: that input's shape for its own shape, the matching axes of it
    for a shape that ends in the joined dimension ([B, L]: a loss per position); None for
    any other (a per-channel statistic, a number)."""
    dims, name = trailing.shape.dims, trailing.name
    if shape == trailing.shape:
        return f"{name}.shape"
    if shape.ellipsis or not shape.dims or shape.dims[-1] != dims[-1]:
        return None
    if any(d not in dims[:-1] for d in shape.dims[:-1]):
        return None
    lead = "".join(f"{name}.shape[{dims.index(d)}], " for d in shape.dims[:-1])
    return f"({lead}*{name}.shape[{len(dims) - 1}:])"


def _joined_outputs(spec: OpSpec, compiled: list, trailing) -> list[tuple[str, str, str | None]]:
    """The outputs given back in the caller's shape (see ``_unjoined_shape``): (name, shape
    expression, the condition on a structural attribute under which it is, None: always)."""
    joined = []
    for i, out in enumerate(spec.outputs):
        shapes = {}
        for c in compiled:
            operand = c.forward.outputs[i]
            value = c.forward.values[operand].shape if isinstance(operand, str) else None
            shapes[c.variant] = None if value is None else _unjoined_shape(value, trailing)
        forms = {e for e in shapes.values() if e is not None}
        if not forms:
            continue
        assert len(forms) == 1, f"{spec.name}: output {out} has several shapes with trailing axes"
        (form,) = forms
        if all(e is not None for e in shapes.values()):
            joined.append((out, form, None))
            continue
        # The variants that give it back differ in one structural attribute's values.
        for attr in sorted({a for v in shapes for a, _ in v.structural}):
            given = {dict(v.structural)[attr] for v, e in shapes.items() if e is not None}
            other = {dict(v.structural)[attr] for v, e in shapes.items() if e is None}
            if not given & other:
                values = sorted(given, key=repr)
                test = f"{attr} == {values[0]!r}" if len(values) == 1 else f"{attr} in {tuple(values)!r}"
                joined.append((out, form, test))
                break
        else:  # pragma: no cover - no spec needs it
            raise AssertionError(f"{spec.name}: output {out} has trailing axes in some variants only")
    return joined


def _join_trailing(spec: OpSpec, compiled: list, trailing, outs: str, result: str, expected: str) -> list[str]:
    """The public forward's first lines for an input with trailing axes (``trailing: true``):
    another rank than the spec's runs forward on the input with those axes joined into one
    (and the arrays declared with its shape, which must have its shape), and the outputs of
    its shape, or of its shape without some leading dimensions, come back in the caller's."""
    name, rank = trailing.name, trailing.shape.rank
    form = "[" + ", ".join([str(d) for d in trailing.shape.dims[:-1]] + ["*"]) + "]"

    def join(d) -> str:
        if d is trailing:
            return f'join_trailing("{spec.name}", "{name}", {name}, {rank - 1}, "{form}")'
        if d.shape == trailing.shape:
            return f'join_trailing("{spec.name}", "{d.name}", {d.name}, {rank - 1}, "{form}", like=("{name}", {name}))'
        return d.name

    arrays = [join(d) for d in spec.arrays]
    keywords = [f"{a.name}={a.name}" for a in spec.attributes]
    keywords += ["activation=activation", "activation_options=activation_options"] if spec.slot else []
    keywords += ["rng=rng"] if spec.random else []
    lines = [
        f'if hasattr({name}, "ndim") and {name}.ndim != {rank}:',
        f"    {result}, joined_ctx = forward({', '.join(arrays + keywords)})",
    ]
    always = [(o, e) for o, e, test in _joined_outputs(spec, compiled, trailing) if test is None]
    if always:
        lines.append(f"    {', '.join(o for o, _ in always)} = {', '.join(f'{o}.reshape({e})' for o, e in always)}")
    for out, shape, test in _joined_outputs(spec, compiled, trailing):
        if test is not None:
            lines += [f"    if {test}:", f"        {out} = {out}.reshape({shape})"]
    lines.append(f"    return {result}, (_backward_joined, (joined_ctx, {name}.shape), {expected}, None)")
    return lines


def _backward_joined(spec: OpSpec, compiled: list, trailing) -> str:
    """``_backward_joined``: the backward of a forward on an input with its trailing axes
    joined: the gradients of the outputs given back unjoined joined the same way, and those
    of the arrays joined given back in the caller's shape."""
    grads = [f"grad_{o}" for o in spec.grad_outputs]
    joined = {o for o, _, _ in _joined_outputs(spec, compiled, trailing)}
    given = [f"{g}.reshape(ctx[2][{i + 1}])" if g[5:] in joined else g for i, g in enumerate(grads)]
    results = [f"grad_{d.name}" for d in spec.differentiable]
    shaped = {f"grad_{d.name}" for d in spec.differentiable if d is trailing or d.shape == trailing.shape}
    back = [f"{r}.reshape(shape)" if r in shaped else r for r in results]
    return "\n".join([
        f"def _backward_joined({', '.join(grads)}, ctx, shape):",
        f'    """The backward of a forward on {trailing.name} with its trailing axes joined into one."""',
        f"    {', '.join(results)} = backward({', '.join(given + ['ctx'])})",
        f"    return {', '.join(back)}",
    ])


def _join_shape(spec: OpSpec, compiled: list, outs: str, result: str, expected: str) -> list[str]:
    """The public forward's first lines for an attribute that is the shape a dimension D
    stands for (``shape_of``): checked against every array with D, and where it has several
    axes, forward runs on the arrays with them joined into one; outputs of the first
    input's shape come back in the caller's."""
    attr = spec.shape_of
    assert attr is not None
    dim, name = attr.shape_of, attr.name
    holders = [d for d in spec.arrays if dim in d.shape.dims]
    held = ", ".join(f'"{d.name}": {d.name}' for d in holders)
    exact = [f'"{d.name}"' for d in holders if d.shape.rank == 1 and not d.shape.ellipsis]
    whole = f", whole={_tuple(exact)}" if exact else ""
    first = spec.inputs[0].name

    def joined(d) -> str:
        view = f"join_last({d.name}, len({name}))"
        return f"None if {d.name} is None else {view}" if d.optional else view

    arrays = [joined(d) if d in holders else d.name for d in spec.arrays]
    keywords = [f"{a.name}={a.name}" for a in spec.attributes if a is not attr]
    out = _shape_of_outputs(spec, compiled, attr)
    return [
        f"if {name} is not None:",
        f'    {name} = check_shape_of("{spec.name}", "{name}", {name}, {{{held}}}{whole})',
        f"    {result}, joined_ctx = forward({', '.join(arrays + keywords)})",
        f"    {', '.join(o for o, _ in out)} = {', '.join(f'{o}.reshape({e})' for o, e in out)}",
        f"    return {result}, (_backward_shape_of, (joined_ctx, {first}.shape, {name}), {expected}, None)",
    ]


def _backward_shape_of(spec: OpSpec, compiled: list) -> str:
    """``_backward_shape_of``: the backward of a forward with a dimension's axes joined: the
    gradients of the outputs of the first input's shape joined the same way, those of the
    arrays with the dimension given back their shapes."""
    attr = spec.shape_of
    assert attr is not None
    first = spec.inputs[0]
    grads = [f"grad_{o}" for o in spec.grad_outputs]
    out = {o for o, _ in _shape_of_outputs(spec, compiled, attr)}
    given = [f"{g}.reshape(ctx[2][{i + 1}])" if g[5:] in out else g for i, g in enumerate(grads)]
    results = [f"grad_{d.name}" for d in spec.differentiable]
    back = []
    for d in spec.differentiable:
        if attr.shape_of not in d.shape.dims:
            back.append(f"grad_{d.name}")
        elif d is first:
            back.append(f"grad_{d.name}.reshape(shape)")
        else:
            view = f"grad_{d.name}.reshape({attr.name})"
            back.append(f"None if grad_{d.name} is None else {view}" if d.optional else view)
    return "\n".join([
        f"def _backward_shape_of({', '.join(grads)}, ctx, shape, {attr.name}):",
        f'    """The backward of a forward with the axes of {attr.shape_of} ({attr.name}) joined into one."""',
        f"    {', '.join(results)} = backward({', '.join(given + ['ctx'])})",
        f"    return {', '.join(back)}",
    ])


def _parts_backward_entry(spec: OpSpec, bdoc: list[str]) -> str:
    """The public backward of an op with parts: one gradient per part, then ctx."""
    assert spec.parts is not None
    op = spec.name
    (x,) = [d.name for d in spec.inputs]
    grads = [f"grad_{o}" for o in spec.grad_outputs]
    args = ["Args:", *_indent_wrap("*args: the gradient of the loss with respect to each part that forward returned, "
                                   "in order, then ctx, the context returned by forward.")]
    start, stop = bdoc.index("Args:"), bdoc.index("Returns:")
    bdoc = bdoc[:start] + args + [""] + bdoc[stop:]
    bdoc += _indent_wrap(f"With one part, grad_{x} is its gradient itself (not a copy).")
    return "\n".join([
        "def backward(*args):",
        _doc_block(bdoc),
        "    *grads, ctx = args or (None,)",
        "    # two parts are the outputs of the cut; others, the parts of its fold",
        f"    names = {_tuple([repr(g) for g in grads])} if len(grads) == 2 else "
        '[f"grad_parts[{i}]" for i in range(len(grads))]',
        f'    backward_variant, saved = check_context("{op}", __name__, ctx, dict(zip(names, grads)))',
        "    if backward_variant is _parts_backward:",
        "        return _parts_backward(grads, *saved)",
        f"    {', '.join(grads)} = grads",
        f"    return backward_variant({', '.join(grads)}, *saved)",
    ])


def _parts_functions(spec: OpSpec) -> list[str]:
    """``_parts_forward`` and ``_parts_backward``: an op with parts (``parts_along``) cut into
    other than two parts, as a fold of its two-part cut: each step cuts the next part off the
    rest; backward runs the steps' backward passes in reverse."""
    parts = spec.parts
    assert parts is not None
    (x,) = [d.name for d in spec.inputs]
    axis = parts.parts_along
    others = [a.name for a in spec.attributes if a is not parts]
    step = "".join(f", {a}={a}" for a in others)
    forward_parts = "\n".join([
        f"def _parts_forward({x}, sizes, *, {', '.join(others)}):",
        '    """forward into other than two parts: the cut folded over the sizes, part by part."""',
        f"    parts, contexts, rest = [], [], {x}",
        "    for size in sizes[:-1]:",
        f"        remaining = rest.shape[{axis}] - size",
        f"        (part, rest), ctx = forward(rest, {parts.name}=(size, remaining){step})",
        "        parts.append(part)",
        "        contexts.append(ctx)",
        "    parts.append(rest)",
        f"    return tuple(parts), (_parts_backward, (contexts,), ({x}.dtype, *(p.shape for p in parts)), None)",
    ])
    backward_parts = "\n".join([
        "def _parts_backward(grads, contexts):",
        '    """backward of _parts_forward: its steps\' backward passes in reverse."""',
        "    grad_rest = grads[-1]",
        "    for grad_part, ctx in zip(reversed(grads[:-1]), reversed(contexts)):",
        "        grad_rest = backward(grad_part, grad_rest, ctx)",
        "    return grad_rest",
    ])
    return [forward_parts, backward_parts]


def structural_key(attr: AttrDecl) -> str:
    """What picks a structural attribute's variant in forward: its value, and with
    ``only_with`` its value and that attribute's being nonzero (training with dropout 0
    runs the inference variant)."""
    return f"{attr.name} and {attr.only_with} != 0" if attr.only_with else attr.name


def variant_key(variant: Variant, optional: list[str]) -> str:
    """A fused variant's key in ``_FUSED``: its activation, its structural values, and
    whether each optional array is given."""
    if not optional and not variant.structural:
        return f'"{variant.activation}"'
    return repr((variant.activation, *(v for _, v in variant.structural), *(n not in variant.absent for n in optional)))


def render_wrapper(spec: OpSpec, env: jinja2.Environment) -> str:
    """The module of a wrapper layer (``wrap:``): forward and backward fold the time axis of
    the sequence into the batch around the inner layer's own forward and backward (per_step),
    or run the inner sequence layer over the sequence and its time reversal and merge the two
    (both_directions), or run a user's callable and its derivative (function)."""
    assert spec.wrap is not None
    summary = textwrap.wrap(f"{spec.title}: {spec.summary}", 88)
    template = {"per_step": "wrapper.py.j2", "both_directions": "wrapper_bidirectional.py.j2",
                "function": "wrapper_function.py.j2"}[spec.wrap.runs]
    return env.get_template(template).render(
        title=docstring_text(summary[0].split(": ", 1)[0]),
        summary_line=docstring_text(summary[0].split(": ", 1)[1] if ": " in summary[0] else ""),
        summary_rest=docstring_text("\n".join(summary[1:])),
        spec_path=docstring_text(spec.path),
        version=VERSION,
        op=spec.name,
        input=spec.wrap.input,
        output=spec.outputs[0],
        doc=docstring_text(spec.wrap.doc),
    )


def render_package_init(
    env: jinja2.Environment, doc: str, names: list[str], runtime_names: tuple[str, ...] = ()
) -> str:
    """A package's ``__init__``: its submodules in ``__all__``, and ``runtime_names`` taken
    from the generated runtime."""
    return env.get_template("package_init.py.j2").render(
        doc=doc, names=sorted([*names, *runtime_names]), runtime_names=runtime_names, version=VERSION)


def render_runtime(env: jinja2.Environment) -> str:
    return env.get_template("runtime.py.j2").render(version=VERSION)
