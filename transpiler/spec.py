"""Op specs: one YAML file per activation or layer, read into frozen dataclasses.

Every key is popped with its expected type; unknown keys are errors with a did-you-mean.
The format is documented in ``layers_spec/README.md``.
"""

from __future__ import annotations

import builtins
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from . import shapes
from .errors import Collector, Location, SpecError, did_you_mean
from .expr import Stmt, parse_block
from .source import Fields, Node, load

KINDS = ("activation", "layer", "loss")
ATTRIBUTE_TYPES = {"float": (float,), "int": (int,), "bool": (bool,), "str": (str,), "ints": (tuple,)}
# Names the generated code itself uses; a spec may not take them.
RESERVED = frozenset({"np", "rng", "ctx", "saved", "training", "activation", "result", "grad"})
AttrValue = Union[int, float, bool, str, tuple]
FLOAT_DTYPES = ("float16", "float32", "float64")
DEFAULT_DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class TensorDecl:
    name: str
    shape: shapes.Shape
    doc: str
    loc: Location
    # How the object API initialises a parameter or buffer: "zeros", "ones", or a tuple of
    # dimension names whose product is the fan-in of PyTorch's default uniform(+-1/sqrt(fan_in)).
    init: str | tuple[str, ...] = "zeros"
    # ``optional: true`` (parameters and buffers): forward takes None for it, which picks a
    # variant specialized without it (see ``ir.ABSENT``); backward returns None as its gradient
    optional: bool = False
    # ``variadic: true`` (the second of two inputs): forward takes any number more
    # (``*more``), folded from the left: forward(forward(a, b), c), ...
    variadic: bool = False


# ``below: x.shape[axis]``: an array, then an integer axis or an int attribute
BELOW = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\.shape\[(-?[0-9]+|[A-Za-z][A-Za-z0-9_]*)\]")


@dataclass(frozen=True)
class AttrDecl:
    name: str
    type: str
    default: AttrValue | None  # None: required keyword
    doc: str
    structural: bool  # baked in: one specialized function per value
    minimum: float | None
    maximum: float | None
    choices: tuple[AttrValue, ...]
    loc: Location
    divides: str | None = None  # a dimension name this attribute must divide
    axis_of: str | None = None  # an array argument this attribute is an axis of
    # ``(array, axis)``: the attribute must be less than that array's size along the axis
    # (an int, or the name of an int attribute), checked at run time
    below: tuple[str, str] | None = None


@dataclass(frozen=True)
class ActivationSlot:
    default: str
    fused: tuple[str, ...]
    loc: Location


@dataclass(frozen=True)
class WindowDecl:
    """A 2-D sliding window over an NCHW input, checked at run time before forward runs:
    ``kernel`` is an int attribute or a parameter whose last two dimensions are the kernel;
    without ``dilation`` it is a pooling window (padding at most half the kernel)."""

    input: str
    kernel: str
    stride: str
    padding: str
    dilation: str | None
    loc: Location


@dataclass(frozen=True)
class OpSpec:
    name: str
    kind: str
    path: str  # as shown in messages and headers, relative to the repository
    title: str
    summary: str
    inputs: tuple[TensorDecl, ...]
    parameters: tuple[TensorDecl, ...]
    attributes: tuple[AttrDecl, ...]
    random: bool
    slot: ActivationSlot | None
    forward: tuple[Stmt, ...]
    backward: tuple[Stmt, ...] | None
    outputs: tuple[str, ...]
    test: dict[str, Any] = field(default_factory=dict)
    loc: Location = Location("")
    dtypes: tuple[str, ...] = DEFAULT_DTYPES
    buffers: tuple[TensorDecl, ...] = ()  # state arrays read by forward, without gradients
    nondifferentiable: tuple[str, ...] = ()  # outputs that backward takes no gradient for
    window: WindowDecl | None = None
    # the inputs led by '...' broadcast against each other as in NumPy, each gradient summed
    # back to its own input's shape
    broadcast: bool = False
    # what the op reduces over, which must not be empty: (array, axis or None for all of it,
    # a structural bool attribute that must be true for the check to apply, or None)
    nonempty: tuple[tuple[str, str | None, str | None], ...] = ()

    @property
    def arrays(self) -> tuple[TensorDecl, ...]:
        """Inputs, parameters, then buffers: the positional arguments of ``forward``."""
        return self.inputs + self.parameters + self.buffers

    @property
    def differentiable(self) -> tuple[TensorDecl, ...]:
        """Inputs then parameters: the arrays backward returns gradients for, in order."""
        return self.inputs + self.parameters

    @property
    def grad_outputs(self) -> tuple[str, ...]:
        """The outputs backward takes a gradient for, in order."""
        return tuple(o for o in self.outputs if o not in self.nondifferentiable)

    def array(self, name: str) -> TensorDecl | None:
        for decl in self.arrays:
            if decl.name == name:
                return decl
        return None

    def attribute(self, name: str) -> AttrDecl | None:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        return None

    @property
    def optional(self) -> tuple[TensorDecl, ...]:
        """The parameters and buffers that forward may be given as None."""
        return tuple(d for d in self.arrays if d.optional)

    @property
    def variadic(self) -> bool:
        """Forward takes more inputs like the last one (``*more``), folded from the left."""
        return bool(self.inputs) and self.inputs[-1].variadic

    @property
    def structural(self) -> tuple[AttrDecl, ...]:
        return tuple(a for a in self.attributes if a.structural)

    @property
    def module_name(self) -> str:
        return self.name


def check_name(name: str, loc: Location, where: str, errors: Collector) -> bool:
    """A spec-chosen name must be a plain identifier that shadows nothing."""
    if not name.isidentifier():
        errors.error(loc, f"{where}: '{name}' is not a valid name")
    elif keyword.iskeyword(name) or keyword.issoftkeyword(name):
        errors.error(loc, f"{where}: '{name}' is a Python keyword")
    elif hasattr(builtins, name):
        errors.error(loc, f"{where}: '{name}' shadows the Python builtin of that name")
    elif name in RESERVED:
        errors.error(loc, f"{where}: '{name}' is reserved for the generated code")
    elif name.startswith("_") or name.startswith("grad_"):
        errors.error(loc, f"{where}: names starting with '_' or 'grad_' are reserved for the transpiler")
    else:
        return True
    return False


def load_spec(path: Path, display: str) -> OpSpec:
    """Read one op spec; raise ``SpecError`` with every problem found."""
    return parse_spec(path.read_text(encoding="utf-8"), display, path.stem)


def parse_spec(text: str, display: str, stem: str) -> OpSpec:
    """An op spec from its text; ``stem`` is the file name it must be named after."""
    root = load(text, display)
    errors = Collector()
    spec = _op_spec(root, stem, display, errors)
    errors.check()
    assert spec is not None
    return spec


def _op_spec(root: Node, stem: str, display: str, errors: Collector) -> OpSpec | None:
    fields = Fields(root, "spec", errors)
    name = fields.take("name", str, required=True)
    kind = fields.take("kind", str, required=True)
    title = fields.take("title", str, required=True)
    summary = fields.take("summary", str, required=True)
    inputs = fields.take("inputs", dict, required=True)
    parameters = fields.take("parameters", dict)
    buffers = fields.take("buffers", dict)
    attributes = fields.take("attributes", dict)
    random = fields.take("random", bool)
    slot = fields.take("activation", dict)
    forward = fields.take("forward", str, required=True)
    backward = fields.take("backward", str)
    outputs = fields.take("outputs", list, required=True)
    nondiff = fields.take("nondifferentiable", list)
    window = fields.take("window", dict)
    broadcast = fields.take("broadcast", bool)
    nonempty = fields.take("nonempty", (list, dict))
    test = fields.take("test", dict)
    dtypes = fields.take("dtypes", list)
    fields.finish()
    dtype_names = DEFAULT_DTYPES
    if dtypes is not None:
        dtype_names = tuple(str(d.value) for d in dtypes.value)
        bad = [d for d in dtype_names if d not in FLOAT_DTYPES]
        if bad or not dtype_names:
            errors.error(dtypes.loc, f"spec.dtypes: each must be one of {', '.join(FLOAT_DTYPES)}")

    if name is not None and name.value != stem:
        errors.error(name.loc, f"spec.name: '{name.value}' must match the file name '{stem}'")
    if kind is not None and kind.value not in KINDS:
        errors.error(kind.loc, f"spec.kind: must be one of {', '.join(KINDS)}, got '{kind.value}'")
    input_decls = _tensors(inputs, "inputs", errors) if inputs else ()
    param_decls = _tensors(parameters, "parameters", errors) if parameters else ()
    buffer_decls = _tensors(buffers, "buffers", errors) if buffers else ()
    attr_decls = _attributes(attributes, errors) if attributes else ()
    if inputs is not None and not input_decls and not errors:
        errors.error(inputs.loc, "spec.inputs: an op needs at least one input")
    seen: dict[str, Location] = {}
    for decl in (*input_decls, *param_decls, *buffer_decls, *attr_decls):
        if decl.name in seen:
            errors.error(decl.loc, f"'{decl.name}' is declared twice (first at line {seen[decl.name].line})")
        seen[decl.name] = decl.loc
    dims = {d for decl in (*input_decls, *param_decls) for d in decl.shape.dims}
    array_names = [d.name for d in (*input_decls, *param_decls, *buffer_decls)]
    for decl in (*param_decls, *buffer_decls):
        unknown = [d for d in decl.init if d not in dims] if isinstance(decl.init, tuple) else []
        if unknown:
            errors.error(decl.loc, f"'{decl.name}'.init: fan_in names unknown dimension(s) {', '.join(unknown)}")
    for attr in attr_decls:
        if attr.divides is not None and attr.divides not in dims:
            errors.error(attr.loc, f"spec.attributes.{attr.name}.divides: no input or parameter has a dimension '{attr.divides}'{did_you_mean(attr.divides, [d for d in dims if isinstance(d, str)])}")
        if attr.below is not None:
            array, axis = attr.below
            ints = [a.name for a in attr_decls if a.type == "int"]
            if array not in array_names:
                errors.error(attr.loc, f"spec.attributes.{attr.name}.below: '{array}' is not an array argument{did_you_mean(array, array_names)}")
            if not axis.lstrip("-").isdigit() and axis not in ints:
                errors.error(attr.loc, f"spec.attributes.{attr.name}.below: '{axis}' is neither an integer nor an int attribute{did_you_mean(axis, ints)}")
        if attr.axis_of is not None and attr.axis_of not in array_names:
            errors.error(attr.loc, f"spec.attributes.{attr.name}.axis_of: '{attr.axis_of}' is not an array argument{did_you_mean(attr.axis_of, array_names)}")
    if broadcast is not None and broadcast.value:
        decls = (*input_decls, *param_decls, *buffer_decls)
        if len(decls) < 2 or not all(d.shape.ellipsis for d in decls):
            errors.error(broadcast.loc, "spec.broadcast: only an op whose arrays (two or more) all start with '...' broadcasts them")
    nonempty_decl = _nonempty(nonempty, (*input_decls, *param_decls, *buffer_decls), attr_decls, errors) if nonempty else ()
    slot_decl = _slot(slot, errors) if slot else None
    window_decl = _window(window, input_decls, param_decls, attr_decls, errors) if window else None
    forward_stmts = parse_block(forward, errors, "spec.forward") if forward else None
    backward_stmts = parse_block(backward, errors, "spec.backward") if backward else None
    output_names: list[str] = []
    if outputs is not None:
        for item in outputs.value:
            if not isinstance(item.value, str):
                errors.error(item.loc, "spec.outputs: each output is a name")
            elif check_name(item.value, item.loc, "spec.outputs", errors):
                output_names.append(item.value)
        if not outputs.value:
            errors.error(outputs.loc, "spec.outputs: an op needs at least one output")
    nondiff_names: list[str] = []
    if nondiff is not None:
        for item in nondiff.value:
            if item.value not in output_names:
                errors.error(item.loc, f"spec.nondifferentiable: '{item.value}' is not an output{did_you_mean(str(item.value), output_names)}")
            else:
                nondiff_names.append(item.value)
        if output_names and len(nondiff_names) == len(output_names):
            errors.error(nondiff.loc, "spec.nondifferentiable: at least one output must have a gradient")
    if None in (name, kind, title, summary, forward_stmts) or outputs is None:
        return None
    assert name and kind and title and summary and forward_stmts is not None
    return OpSpec(
        name=name.value,
        kind=kind.value,
        path=display,
        title=title.value,
        summary=" ".join(str(summary.value).split()),
        inputs=input_decls,
        parameters=param_decls,
        attributes=attr_decls,
        random=bool(random.value) if random else False,
        slot=slot_decl,
        forward=forward_stmts,
        backward=backward_stmts,
        outputs=tuple(output_names),
        test=test.plain() if test else {},
        loc=root.loc,
        dtypes=dtype_names,
        buffers=buffer_decls,
        nondifferentiable=tuple(nondiff_names),
        window=window_decl,
        broadcast=bool(broadcast.value) if broadcast else False,
        nonempty=nonempty_decl,
    )


def _nonempty(node: Node, arrays: tuple[TensorDecl, ...], attrs: tuple[AttrDecl, ...],
              errors: Collector) -> tuple[tuple[str, str | None, str | None], ...]:
    """``nonempty: [x, "x.shape[axis]"]`` (a whole array, or its size along an axis), or
    ``nonempty: {training: [...]}``, the same when a structural bool attribute is true."""
    condition = None
    items = node.value
    if node.is_map:
        if len(node.value) != 1:
            errors.error(node.loc, "spec.nonempty: a mapping holds one structural bool attribute")
            return ()
        condition, inner = next(iter(node.value.items()))
        attr = next((a for a in attrs if a.name == condition), None)
        if attr is None or not attr.structural or attr.type != "bool":
            errors.error(node.key_locs[condition], f"spec.nonempty: '{condition}' is not a structural bool attribute")
            return ()
        if not isinstance(inner.value, list):
            errors.error(inner.loc, "spec.nonempty: expected a list of arrays and sizes")
            return ()
        items = inner.value
    names = [d.name for d in arrays]
    ints = [a.name for a in attrs if a.type == "int"]
    out = []
    for item in items:
        text = str(item.value)
        match = BELOW.fullmatch(text)
        array, axis = (match.group(1), match.group(2)) if match else (text, None)
        if array not in names:
            errors.error(item.loc, f"spec.nonempty: '{array}' is not an array argument{did_you_mean(array, names)}")
        elif axis is not None and not axis.lstrip("-").isdigit() and axis not in ints:
            errors.error(item.loc, f"spec.nonempty: '{axis}' is neither an integer nor an int attribute")
        else:
            out.append((array, axis, condition))
    return tuple(out)


def _tensors(node: Node, where: str, errors: Collector) -> tuple[TensorDecl, ...]:
    out: list[TensorDecl] = []
    for tensor_name, decl in node.items():
        loc = node.key_locs[tensor_name]
        if not check_name(tensor_name, loc, f"spec.{where}", errors):
            continue
        fields = Fields(decl, f"spec.{where}.{tensor_name}", errors)
        shape_node = fields.take("shape", list, required=True)
        doc = fields.take("doc", str)
        init_node = fields.take("init", (str, dict))
        optional = fields.take("optional", bool)
        variadic = fields.take("variadic", bool)
        fields.finish()
        if variadic is not None and variadic.value and (where != "inputs" or tensor_name != list(node.value)[-1]
                                                        or len(node.value) != 2):
            errors.error(variadic.loc, f"spec.{where}.{tensor_name}.variadic: only the second of two inputs may be variadic (a binary op, folded from the left)")
        if optional is not None and optional.value and where == "inputs":
            errors.error(optional.loc, f"spec.{where}.{tensor_name}.optional: only a parameter or a buffer may be optional")
        if shape_node is None:
            continue
        try:
            shape = shapes.parse(shape_node.plain())
        except shapes.ShapeError as exc:
            errors.error(shape_node.loc, f"spec.{where}.{tensor_name}.shape: {exc}")
            continue
        init = _init(init_node, f"spec.{where}.{tensor_name}.init", errors) if init_node else "zeros"
        out.append(TensorDecl(tensor_name, shape, doc.value if doc else "", loc, init,
                              bool(optional.value) if optional is not None else False,
                              bool(variadic.value) if variadic is not None else False))
    return tuple(out)


def _init(node: Node, where: str, errors: Collector) -> str | tuple[str, ...]:
    if isinstance(node.value, str):
        if node.value not in ("zeros", "ones"):
            errors.error(node.loc, f"{where}: must be zeros, ones or {{fan_in: [dimensions]}}, got '{node.value}'")
        return node.value
    fields = Fields(node, where, errors)
    fan_in = fields.take("fan_in", list, required=True)
    fields.finish()
    if fan_in is None:
        return "zeros"
    return tuple(str(d.value) for d in fan_in.value)


def _attributes(node: Node, errors: Collector) -> tuple[AttrDecl, ...]:
    out: list[AttrDecl] = []
    for attr_name, decl in node.items():
        loc = node.key_locs[attr_name]
        where = f"spec.attributes.{attr_name}"
        if attr_name != "training" and not check_name(attr_name, loc, "spec.attributes", errors):
            continue
        fields = Fields(decl, where, errors)
        type_node = fields.take("type", str, required=True)
        default = fields.take("default", (float, int, bool, str, list))
        doc = fields.take("doc", str)
        structural = fields.take("structural", bool)
        minimum = fields.take("min", float)
        maximum = fields.take("max", float)
        choices = fields.take("choices", list)
        divides = fields.take("divides", str)
        axis_of = fields.take("axis_of", str)
        below = fields.take("below", str)
        fields.finish()
        if type_node is None:
            continue
        if type_node.value not in ATTRIBUTE_TYPES:
            errors.error(type_node.loc, f"{where}.type: must be one of {', '.join(ATTRIBUTE_TYPES)}")
            continue
        kinds = ATTRIBUTE_TYPES[type_node.value]
        default_value = default.plain() if default is not None else None
        if isinstance(default_value, list):
            default_value = tuple(default_value)
        if default is not None and not _fits(default_value, kinds):
            errors.error(default.loc, f"{where}.default: {default_value!r} is not of type {type_node.value}")
            continue
        if axis_of is not None and type_node.value != "int":
            errors.error(axis_of.loc, f"{where}.axis_of: only an int attribute can be an axis")
        below_size = None
        if below is not None:
            match = BELOW.fullmatch(str(below.value))
            if type_node.value != "int" or match is None:
                errors.error(below.loc, f"{where}.below: an int attribute may be below a size written ARRAY.shape[AXIS], AXIS an int or an int attribute")
            else:
                below_size = (match.group(1), match.group(2))
        lo = minimum.value if minimum else None
        hi = maximum.value if maximum else None
        if default is not None and isinstance(default.value, (int, float)) and not isinstance(default.value, bool):
            if (lo is not None and default.value < lo) or (hi is not None and default.value > hi):
                errors.error(default.loc, f"{where}.default: {default.value} is outside [{lo}, {hi}]")
        choice_values = tuple(c.value for c in choices.value) if choices else ()
        if default is not None and choice_values and default.value not in choice_values:
            errors.error(default.loc, f"{where}.default: {default.value!r} is not one of the choices {list(choice_values)}")
        is_structural = bool(structural.value) if structural else False
        if is_structural and type_node.value != "bool" and not choice_values:
            errors.error(loc, f"{where}: a structural attribute must be a bool or have 'choices'")
        out.append(
            AttrDecl(
                name=attr_name,
                type=type_node.value,
                default=default_value,
                doc=doc.value if doc else "",
                structural=is_structural,
                minimum=lo,
                maximum=hi,
                choices=choice_values,
                loc=loc,
                divides=divides.value if divides else None,
                axis_of=axis_of.value if axis_of else None,
                below=below_size,
            )
        )
    return tuple(out)


def _fits(value: object, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, tuple):
        return tuple in kinds and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, int):
        return int in kinds or float in kinds
    return isinstance(value, kinds)


def _window(node: Node, inputs: tuple[TensorDecl, ...], parameters: tuple[TensorDecl, ...],
            attributes: tuple[AttrDecl, ...], errors: Collector) -> WindowDecl | None:
    fields = Fields(node, "spec.window", errors)
    taken = {key: fields.take(key, str, required=key != "dilation")
             for key in ("input", "kernel", "stride", "padding", "dilation")}
    fields.finish()
    if any(taken[k] is None for k in ("input", "kernel", "stride", "padding")):
        return None
    ints = [a.name for a in attributes if a.type == "int" and not a.structural]
    ok = True
    source = taken["input"]
    holder = next((d for d in inputs if d.name == source.value), None)  # type: ignore[union-attr]
    if holder is None or holder.shape.rank != 4 or holder.shape.ellipsis:
        errors.error(source.loc, f"spec.window.input: '{source.value}' must be an input of shape [N, C, H, W]")  # type: ignore[union-attr]
        ok = False
    for key in ("kernel", "stride", "padding", "dilation"):
        item = taken[key]
        if item is None or item.value in ints:
            continue
        weight = next((d for d in parameters if d.name == item.value), None)
        if key == "kernel" and weight is not None and weight.shape.rank == 4:
            continue
        allowed = "an int attribute or a parameter [C_out, C_in, kH, kW]" if key == "kernel" else "an int attribute"
        errors.error(item.loc, f"spec.window.{key}: '{item.value}' must be {allowed}{did_you_mean(str(item.value), ints)}")
        ok = False
    if not ok:
        return None
    return WindowDecl(*(taken[k].value if taken[k] is not None else None  # type: ignore[union-attr]
                        for k in ("input", "kernel", "stride", "padding", "dilation")), node.loc)


def _slot(node: Node, errors: Collector) -> ActivationSlot | None:
    fields = Fields(node, "spec.activation", errors)
    default = fields.take("default", str, required=True)
    fused = fields.take("fused", list, required=True)
    fields.finish()
    if default is None or fused is None:
        return None
    return ActivationSlot(default.value, tuple(str(f.value) for f in fused.value), node.loc)


__all__ = ["OpSpec", "TensorDecl", "AttrDecl", "ActivationSlot", "WindowDecl", "load_spec", "SpecError"]
