"""Op specs: one YAML file per activation or layer, read into frozen dataclasses.

Every key is popped with its expected type; unknown keys are errors with a did-you-mean.
The format is documented in ``layers_spec/README.md``.
"""

from __future__ import annotations

import ast
import builtins
import functools
import keyword
import math
import re
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from . import shapes
from .errors import Collector, Location, SpecError, did_you_mean, quoted, short
from .expr import Stmt, parse_block
from .source import Fields, Node, load

KINDS = ("activation", "layer", "loss")
ATTRIBUTE_TYPES = {"float": (float,), "int": (int,), "bool": (bool,), "str": (str,), "ints": (tuple,),
                   "pair": (int, tuple), "padding": (int, tuple, str),
                   "int_or_ints": (int, tuple), "float_or_floats": (float, tuple)}
# A convolution window's groups: one per input channel (a depthwise convolution).
DEPTHWISE = "depthwise"
# Attribute types only a window may name: check_window checks them and gives them per axis.
WINDOW_TYPES = ("pair", "padding")
# Names the generated code itself uses; a spec may not take them.
RESERVED = frozenset({"np", "rng", "ctx", "saved", "training", "activation", "result", "grad",
                      # the public functions' own locals, and what a module imports or defines:
                      # a spec name equal to one would silently replace it
                      "options", "fused", "module", "forward_variant", "backward_variant", "linear_saved",
                      "activation_ctx", "activation_options", "forward", "backward", "cp",
                      "check_arrays", "check_attribute", "check_divides", "check_axis", "check_window",
                      "activation_module", "in_row_blocks", "in_chunks", "in_row_products", "blas_on_one_thread",
                      "scatter_add_rows", "take_columns", "on_gpu",
                      "default_gpu_rng", "check_grid", "use_jit", "blas_flags_ignored", "copy_by_images",
                      "INPUTS", "PARAMETERS", "BUFFERS", "OUTPUTS"})
AttrValue = Union[int, float, bool, str, tuple]
FLOAT_DTYPES = ("float16", "float32", "float64")
# The package folder of each kind of op (generated/layerforge/<folder>/, a user's package too).
KIND_DIRS = {"activation": "activations", "layer": "layers", "loss": "losses"}

# An op's name is its module's name: ASCII snake case ('lambda_' for a keyword), no dunders.
OP_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*_?")
# A layer's title is its class name in layerforge.nn; every title begins its docstrings.
TITLE = re.compile(r"[A-Z][A-Za-z0-9]*")
# Names the object API's constructors take besides a layer's dimensions.
CONSTRUCTOR_NAMES = frozenset({"self", "dtype", "rng", "activation", "activation_options"})
DEFAULT_DTYPES = ("float32", "float64")
INPUT_DTYPES = ("float", "int", "mask")


@dataclass(frozen=True)
class Init:
    """A drawn or constant initial value: ``constant`` (values = (v,)), ``entries`` (the
    array's every entry in C order, written ``{constant: [v, ...]}``), ``normal`` (values =
    (std,), mean 0) or ``uniform`` (values = (a, b))."""

    kind: str
    values: tuple[float, ...]


INIT_KINDS = {"constant": 1, "normal": 1, "uniform": 2}


@dataclass(frozen=True)
class TensorDecl:
    name: str
    shape: shapes.Shape
    doc: str
    loc: Location
    # How the object API initialises a parameter or buffer: "zeros", "ones", or a tuple of
    # dimension names whose product is the fan-in of PyTorch's default uniform(+-1/sqrt(fan_in)),
    # or an ``Init``: a constant (also written as a bare number, as nn.PReLU's 0.25),
    # N(0, std^2) or U(a, b).
    init: str | tuple[str, ...] | Init = "zeros"
    # ``optional: true`` (parameters and buffers): forward takes None for it, which picks a
    # variant specialized without it (see ``ir.ABSENT``); backward returns None as its gradient
    optional: bool = False
    # ``variadic: true`` (the second of two inputs): forward takes any number more
    # (``*more``), folded from the left: forward(forward(a, b), c), ...
    variadic: bool = False
    # ``trailing: true`` (an input): its last dimension stands for every trailing axis, any
    # number of them, none included (PyTorch's [N, C, *]): forward joins them into one and
    # gives outputs of the input's shape back in the caller's shape
    trailing: bool = False
    # ``dtype`` (inputs only): "float" (the op's dtype, with a gradient), "int" (ids of an
    # integer dtype) or "mask" (bool, or the op's float dtype); the last two take no gradient
    dtype: str = "float"
    # an "int" input's ids index this dimension (of another array): 0 <= id < it, checked
    below: str | None = None
    # an optional input's ``otherwise: {S_kv: S}``: when it is left out, each of its
    # dimensions is the one named (a mask's key length is then the queries' length), checked
    otherwise: tuple[tuple[str, str], ...] = ()
    # ``grad: false`` (a float input): data of the op's dtype that backward takes no gradient
    # for (a graph's adjacency, a reservoir's weights passed per call), read-only as a buffer
    takes_grad: bool = True
    # ``variants: false`` (an optional mask input): leaving it out makes no variant of its
    # own; forward hands None on to the primitives that read it, which then do nothing
    # (``apply_mask``, ``apply_key_padding``: their ``takes_none``)
    variants: bool = True
    # ``(levels, k)``: a parameter of the copy k of a counted instance (``calls: {level:
    # {count: levels}}``), given when ``levels > k`` and None otherwise; the structural
    # attribute, not its absence, picks the variant
    counted: tuple[str, int] | None = None

    @property
    def grad(self) -> bool:
        """Does backward return a gradient for it (a float input or a parameter)?"""
        return self.dtype == "float" and self.takes_grad


@dataclass(frozen=True)
class CarryDecl:
    """State carried from step to step: ``init`` is the input it starts from (an optional
    input: zeros when absent), a parameter [...] that every row starts from, or None (zeros
    of ``shape``, [B, ...]); ``next`` the step value that becomes it for the next step, and
    ``final`` the output that returns it after the last step (or None)."""

    name: str
    init: str | None
    next: str
    final: str | None
    loc: Location
    shape: shapes.Shape | None = None  # without an init: the zeros' shape [B, ...]


@dataclass(frozen=True)
class RepeatDecl:
    """``repeat:``: the scan over a count instead of a sequence. Forward is the body of one
    iteration, run ``count`` times (an int attribute, at least 1) with carried state that
    starts at zeros of its declared shape; the outputs are the last iteration's values."""

    count: str
    carries: tuple[tuple[str, shapes.Shape, str], ...]  # (name, shape, next)
    loc: Location


@dataclass(frozen=True)
class ScanDecl:
    """``scan:``: forward is the body of one step, run over the time axis of the sequence
    inputs (each [T, B, ...]; the step sees one slice [B, ...]) with carried state. ``stack``
    maps an output to the step value stacked over the steps ([T, B, ...]); ``batch_first``
    names a structural bool attribute that puts time on axis 1 of sequences and stacks."""

    sequences: tuple[str, ...]
    carries: tuple[CarryDecl, ...]
    stack: tuple[tuple[str, str], ...]
    batch_first: str | None
    loc: Location
    # An entry point's loop (see ``StageDecl``): ``reverse: true`` runs the steps from the
    # last to the first (a Viterbi backtrack); ``length: k`` (an int attribute) runs k steps
    # over no sequence (k Gibbs steps)
    reverse: bool = False
    length: str | None = None

    @property
    def finals(self) -> tuple[tuple[str, str], ...]:
        return tuple((c.final, c.name) for c in self.carries if c.final is not None)


@dataclass(frozen=True)
class StageDecl:
    """One stage of an entry point: statements run once, or, with ``scan``, the step of a
    loop over the time axis of its sequences (or ``length`` times) with carried state. The
    names a stage assigns (a loop's stacked values and final carries) are read by the
    stages after it."""

    body: tuple[Stmt, ...]
    scan: ScanDecl | None
    loc: Location


@dataclass(frozen=True)
class EntryDecl:
    """``entry_points: {learn: {...}}``: a function of the op's module beside forward and
    backward (a learning rule, a decoder), generated from statements like forward, with the
    same run-time checks, returning new values; it has no backward. Its ``inputs`` are the
    op's arrays (named alone: their declarations) or new ones; it reads the op's attributes
    and its own ``attributes``."""

    name: str
    doc: str
    inputs: tuple[TensorDecl, ...]
    attributes: tuple[AttrDecl, ...]  # its own, besides the op's
    random: bool
    stages: tuple[StageDecl, ...]
    outputs: tuple[str, ...]
    loc: Location
    # the op's arrays among the inputs: a layer object passes its own (``nn.RBM.reconstruct``)
    shared: tuple[str, ...] = ()


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
    # The op acts along this axis of an array (the last by default): forward moves it last,
    # runs the last-axis code and moves it back; the variant functions never see it.
    along: str | None = None
    optional: bool = False  # default None: the keyword may be left out (F.interpolate's size)
    # ``parts_along: AXIS``: the attribute gives the parts of an array along the int
    # attribute AXIS (itself ``axis_of`` that array), as torch.split's split_size_or_sections:
    # an int, parts of that size (the last smaller), or a tuple of sizes summing to the axis'
    # length. The op's statements cut one part off (its two outputs: the part and the rest);
    # forward returns any number of parts, a fold of that cut (see ``OpSpec.parts``).
    parts_along: str | None = None
    # ``none: EXPR``: the attribute may be None, which stands for EXPR, an arithmetic
    # expression of numbers and attributes declared before it (batch norm's momentum=None,
    # ``1 / num_batches_tracked``); rendered as Python in forward before the checks
    none: str | None = None
    # ``shape_of: D``: the attribute (int_or_ints, optional) is the shape that dimension D,
    # the last of every array that has it, stands for: x's last len(shape) axes, the whole
    # shape of a [D] parameter (F.layer_norm's normalized_shape); forward joins them into one
    shape_of: str | None = None
    # ``(array, axis)``: that array's size along the axis may not exceed the attribute (a
    # table's length), checked at run time
    bounds: tuple[str, str] | None = None
    # ``(array, axis)``: the attribute may not exceed that array's size along the axis (a
    # count of entries to keep: mixture_of_experts' top_k), checked at run time
    at_most: tuple[str, str] | None = None
    # ``states_of: "theta.shape[0]"``: the int attribute must be 2 ** that size (the basis
    # states of that many qubits), checked at run time
    states_of: tuple[str, str] | None = None
    # ``only_with: ATTR`` on a structural bool: its True variant is taken only when the int
    # or float attribute ATTR (declared before it) is nonzero as well, the False one
    # otherwise (graph attention's training with dropout 0 does no dropout work)
    only_with: str | None = None


@dataclass(frozen=True)
class ActivationSlot:
    default: str
    fused: tuple[str, ...]
    loc: Location
    default_loc: Location | None = None


@dataclass(frozen=True)
class WindowDecl:
    """A 2-D sliding window over an NCHW input, checked at run time before forward runs:
    ``kernel`` is an int or pair attribute (a pooling window, padding at most half the
    kernel) or a parameter whose last two dimensions are the kernel (a convolution, which
    may name ``groups``, an int attribute or ``depthwise``, one group per input channel,
    and ``padding_mode``); ``ceil_mode`` names a bool attribute. An
    adaptive window names only its ``output_size`` (a pair attribute). A convolution window
    that names ``output_padding`` (a pair attribute) is transposed: its kernel is [C_in,
    C_out / groups, kH, kW] and the window slides over the output."""

    input: str
    kernel: str | None
    stride: str | None
    padding: str | None
    dilation: str | None
    loc: Location
    groups: str | None = None
    padding_mode: str | None = None
    ceil_mode: str | None = None
    kernel_is_array: bool = False
    output_size: str | None = None  # an adaptive window: no kernel, stride or padding
    output_padding: str | None = None  # a transposed convolution's window (a pair attribute)

    @property
    def pooling(self) -> bool:
        return not self.kernel_is_array


@dataclass(frozen=True)
class CallDecl:
    """``calls: {linear1: {op: dense, dims: {in_features: E, out_features: F}}}``: an instance
    of another op that forward calls by the instance's name (``h = linear1(x)``), inlined at
    generation time. Its parameters become the caller's, named ``<instance>_<parameter>``
    (PyTorch's ``<instance>.<parameter>``); ``dims`` maps the callee's dimension names to
    the caller's (or to 1); ``activation`` fixes the callee's activation slot (its default
    otherwise)."""

    name: str
    op: str
    dims: tuple[tuple[str, str | int], ...]
    loc: Location
    op_loc: Location
    activation: str | None = None
    activation_loc: Location | None = None
    # ``count: levels`` (a structural int attribute with choices): the instance stands for
    # ``levels`` instances ``<name>0``, ``<name>1``, ... called in a chain, each one's output
    # the next one's input; ``chain`` binds the dimensions of the instances after the first
    # (``{in_features: H}``) over ``dims``. ``compose`` expands it: the resolved spec's
    # ``calls`` hold the copies (``of`` names the counted instance and its index) after it.
    count: str | None = None
    count_loc: Location | None = None
    chain: tuple[tuple[str, str | int], ...] = ()
    of: tuple[str, int] | None = None


@dataclass(frozen=True)
class WrapDecl:
    """``wrap: {input: x, runs: per_step | both_directions | function, doc: ...}``: a wrapper layer, whose
    forward runs another layer (its ``layer=`` keyword, composed at run time) over the sequence
    ``x``. ``per_step`` (the default): x [B, T, ...] with the time axis folded into the batch
    ([B * T, ...]), the result unfolded to [B, T, ...]. ``both_directions``: a sequence layer
    (a scan) run forward over x and, with its own parameters, over x reversed in time, the
    second output re-reversed and the two merged. ``function``: a user's Python callable and
    its derivative, composed at run time (lambda_). It has no statements or parameters of its
    own: they are the inner layer's (or the function's)."""

    input: str
    doc: str
    loc: Location
    runs: str = "per_step"


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
    # instances of other ops that forward calls (see ``CallDecl``), in declaration order
    calls: tuple[CallDecl, ...] = ()
    # parameters taken from the called ops: their PyTorch names (``linear1.weight``) by ours
    torch_names: tuple[tuple[str, str], ...] = ()
    wrap: WrapDecl | None = None  # a wrapper of another layer (see ``WrapDecl``)

    def call(self, name: str) -> CallDecl | None:
        for decl in self.calls:
            if decl.name == name:
                return decl
        return None
    scan: ScanDecl | None = None  # forward is one step of a loop over time (see ScanDecl)
    repeat: RepeatDecl | None = None  # forward is one iteration of a loop over a count (RepeatDecl)
    entry_points: tuple[EntryDecl, ...] = ()  # functions beside forward and backward (see EntryDecl)

    @property
    def arrays(self) -> tuple[TensorDecl, ...]:
        """Inputs, parameters, buffers, then the optional inputs (default None): the
        positional arguments of ``forward``."""
        given = tuple(d for d in self.inputs if not d.optional)
        return given + self.parameters + self.buffers + tuple(d for d in self.inputs if d.optional)

    @property
    def differentiable(self) -> tuple[TensorDecl, ...]:
        """The arrays backward returns gradients for, in argument order: float inputs and
        parameters."""
        return tuple(d for d in self.arrays if d.grad and d not in self.buffers)

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
        """The arrays that forward may be given as None."""
        return tuple(d for d in self.arrays if d.optional)

    @property
    def keyed_optional(self) -> tuple[TensorDecl, ...]:
        """The optional arrays whose absence picks a variant (all but ``variants: false``)."""
        return tuple(d for d in self.arrays if d.optional and d.variants)

    @property
    def variadic(self) -> bool:
        """Forward takes more inputs like the last one (``*more``), folded from the left."""
        return bool(self.inputs) and self.inputs[-1].variadic

    @functools.cached_property
    def statement_names(self) -> frozenset[str]:
        """Every name that forward's or backward's statements read."""
        from .expr import Assign, If, names_in

        def walk(stmts) -> set[str]:
            out: set[str] = set()
            for stmt in stmts or ():
                if isinstance(stmt, If):
                    out |= {stmt.attribute} | walk(stmt.body) | walk(stmt.orelse)
                elif isinstance(stmt, Assign):
                    out |= {n.id for n in names_in(stmt.value)}
            return out

        return frozenset(walk(self.forward) | walk(self.backward))

    def passed(self, attr: AttrDecl) -> bool:
        """Whether the variant functions take the attribute: a numeric one that the
        statements read (one read only by another's ``none`` expression is not), or a
        repeat's count."""
        counted = self.repeat is not None and attr.name == self.repeat.count
        return not attr.structural and not attr.along and (attr.name in self.statement_names or counted)

    @property
    def shape_of(self) -> AttrDecl | None:
        """The attribute that gives the shape a dimension stands for (``shape_of``)."""
        return next((a for a in self.attributes if a.shape_of), None)

    @property
    def parts(self) -> AttrDecl | None:
        """The attribute that gives the parts (``parts_along``): forward returns one output per
        part, a fold of the op's cut (its first output) from its second output."""
        return next((a for a in self.attributes if a.parts_along), None)

    @property
    def structural(self) -> tuple[AttrDecl, ...]:
        return tuple(a for a in self.attributes if a.structural)

    @property
    def module_name(self) -> str:
        return self.name


def is_identifier(name: str) -> bool:
    """An ASCII Python identifier (Python folds other letters by NFKC: two spec names could
    become one Python name)."""
    return name.isascii() and name.isidentifier()


def check_name(name: str, loc: Location, where: str, errors: Collector) -> bool:
    """A spec-chosen name must be a plain ASCII identifier that shadows nothing."""
    if not is_identifier(name):
        errors.error(loc, f"{where}: {quoted(name)} is not a valid name (ASCII letters, digits and '_')")
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


def check_op_name(name: str, loc: Location, where: str, errors: Collector) -> bool:
    """An op's name (a module and file name): ASCII snake case, not a keyword."""
    if not OP_NAME.fullmatch(name):
        errors.error(loc, f"{where}: {quoted(name)} is not an op name (ASCII snake case: lower-case letters, digits, single '_')")
    elif keyword.iskeyword(name) or keyword.issoftkeyword(name):
        errors.error(loc, f"{where}: '{name}' is a Python keyword; add '_' ('{name}_')")
    else:
        return True
    return False


def check_prose(node: Node, where: str, errors: Collector, one_line: bool = False) -> str:
    """Text for docstrings (titles, summaries, docs): printable characters only; the
    templates escape quotes and backslashes, so it stays text."""
    text = str(node.value)
    allowed = "" if one_line else "\n\t"
    bad = next((c for c in text if not c.isprintable() and c not in allowed), None)
    if bad is not None:
        errors.error(node.loc, f"{where}: the character {bad!r} is not allowed in text")
    return text


def check_finite(node: Node, where: str, errors: Collector) -> bool:
    """Numbers of a spec (defaults, bounds, choices) must be finite: ``.nan`` or ``.inf``
    would be written as ``nan``/``inf``, which are not Python literals."""
    values = node.value if isinstance(node.value, list) else [node]
    for item in values:
        value = item.value if isinstance(item, Node) else item
        if isinstance(value, float) and not math.isfinite(value):
            errors.error(item.loc if isinstance(item, Node) else node.loc, f"{where}: {value} is not a finite number")
            return False
    return True


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
    wrap = fields.take("wrap", dict)
    inputs = fields.take("inputs", dict, required=wrap is None)
    parameters = fields.take("parameters", dict)
    buffers = fields.take("buffers", dict)
    attributes = fields.take("attributes", dict)
    random = fields.take("random", bool)
    slot = fields.take("activation", dict)
    forward = fields.take("forward", str, required=wrap is None)
    backward = fields.take("backward", str)
    outputs = fields.take("outputs", list, required=True)
    nondiff = fields.take("nondifferentiable", list)
    window = fields.take("window", dict)
    broadcast = fields.take("broadcast", bool)
    nonempty = fields.take("nonempty", (list, dict))
    test = fields.take("test", dict)
    dtypes = fields.take("dtypes", list)
    calls = fields.take("calls", dict)
    scan = fields.take("scan", dict)
    repeat = fields.take("repeat", dict)
    entries = fields.take("entry_points", dict)
    fields.finish()
    dtype_names = DEFAULT_DTYPES
    if dtypes is not None:
        dtype_names = tuple(str(d.value) for d in dtypes.value)
        bad = [d for d in dtype_names if d not in FLOAT_DTYPES]
        if bad or not dtype_names:
            errors.error(dtypes.loc, f"spec.dtypes: each must be one of {', '.join(FLOAT_DTYPES)}")

    if name is not None and check_op_name(name.value, name.loc, "spec.name", errors) and name.value != stem:
        errors.error(name.loc, f"spec.name: '{name.value}' must match the file name {quoted(stem)}")
    if kind is not None and kind.value not in KINDS:
        errors.error(kind.loc, f"spec.kind: must be one of {', '.join(KINDS)}, got {quoted(kind.value)}")
    if title is not None and kind is not None and kind.value == "layer" and not TITLE.fullmatch(title.value):
        errors.error(title.loc, f"spec.title: {quoted(title.value)} is not a layer's title (ASCII CamelCase: it names the layer's class)")
    elif title is not None:
        check_prose(title, "spec.title", errors, one_line=True)
    if summary is not None:
        check_prose(summary, "spec.summary", errors)
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
    for decl in input_decls:
        for mine, other in decl.otherwise:
            if mine not in decl.shape.dims or other not in dims:
                errors.error(decl.loc, f"spec.inputs.{decl.name}.otherwise: '{short(mine)}' must be a dimension of '{decl.name}' and '{short(other)}' one of the arrays")
        if decl.below is not None and decl.below not in dims:
            errors.error(decl.loc, f"spec.inputs.{decl.name}.below: no input or parameter has a dimension '{short(decl.below)}'{did_you_mean(decl.below, [d for d in dims if isinstance(d, str)])}")
    for attr in attr_decls:
        if attr.divides is not None and attr.divides not in dims:
            errors.error(attr.loc, f"spec.attributes.{attr.name}.divides: no input or parameter has a dimension '{short(attr.divides)}'{did_you_mean(attr.divides, [d for d in dims if isinstance(d, str)])}")
        if attr.below is not None:
            array, axis = attr.below
            ints = [a.name for a in attr_decls if a.type == "int"]
            if array not in array_names:
                errors.error(attr.loc, f"spec.attributes.{attr.name}.below: '{short(array)}' is not an array argument{did_you_mean(array, array_names)}")
            if not axis.lstrip("-").isdigit() and axis not in ints:
                errors.error(attr.loc, f"spec.attributes.{attr.name}.below: '{short(axis)}' is neither an integer nor an int attribute{did_you_mean(axis, ints)}")
        if attr.parts_along is not None:
            axis_attr = next((a for a in attr_decls if a.name == attr.parts_along and a.axis_of), None)
            axes = [a.name for a in attr_decls if a.axis_of]
            if axis_attr is None:
                errors.error(attr.loc, f"spec.attributes.{attr.name}.parts_along: '{short(attr.parts_along)}' is not an int attribute with axis_of{did_you_mean(attr.parts_along, axes)}")
            parts_attrs = [a for a in attr_decls if a.parts_along]
            if attr is not parts_attrs[0]:
                errors.error(attr.loc, f"spec.attributes.{attr.name}.parts_along: an op has one attribute that gives parts")
            elif outputs is not None and (len(outputs.value) != 2 or nondiff is not None or input_decls[1:] or param_decls or slot is not None):
                errors.error(attr.loc, f"spec.attributes.{attr.name}.parts_along: an op with parts has one input, no parameters or activation, and two outputs with gradients (the part cut off and the rest)")
        if attr.shape_of is not None:
            holders = [d for d in (*input_decls, *param_decls, *buffer_decls) if attr.shape_of in d.shape.dims]
            if not holders or any(d.shape.dims[-1] != attr.shape_of for d in holders):
                errors.error(attr.loc, f"spec.attributes.{attr.name}.shape_of: '{short(attr.shape_of)}' must be the last dimension of every array that has it, and of one at least")
        if attr.bounds is not None and attr.bounds[0] not in array_names:
            errors.error(attr.loc, f"spec.attributes.{attr.name}.bounds: '{short(attr.bounds[0])}' is not an array argument{did_you_mean(attr.bounds[0], array_names)}")
        if attr.at_most is not None and attr.at_most[0] not in array_names:
            errors.error(attr.loc, f"spec.attributes.{attr.name}.at_most: '{short(attr.at_most[0])}' is not an array argument{did_you_mean(attr.at_most[0], array_names)}")
        if attr.states_of is not None and attr.states_of[0] not in array_names:
            errors.error(attr.loc, f"spec.attributes.{attr.name}.states_of: '{short(attr.states_of[0])}' is not an array argument{did_you_mean(attr.states_of[0], array_names)}")
        if attr.axis_of is not None and attr.axis_of not in array_names:
            errors.error(attr.loc, f"spec.attributes.{attr.name}.axis_of: '{short(attr.axis_of)}' is not an array argument{did_you_mean(attr.axis_of, array_names)}")
    if broadcast is not None and broadcast.value:
        decls = (*input_decls, *param_decls, *buffer_decls)
        if len(decls) < 2 or not all(d.shape.ellipsis for d in decls):
            errors.error(broadcast.loc, "spec.broadcast: only an op whose arrays (two or more) all start with '...' broadcasts them")
    nonempty_decl = _nonempty(nonempty, (*input_decls, *param_decls, *buffer_decls), attr_decls, errors) if nonempty else ()
    slot_decl = _slot(slot, errors) if slot else None
    call_decls = _calls(calls, errors) if calls else ()
    for decl in call_decls:
        if decl.name in seen:
            errors.error(decl.loc, f"spec.calls: '{decl.name}' is also the name of an array or attribute (declared at line {seen[decl.name].line})")
        seen[decl.name] = decl.loc
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
                errors.error(item.loc, f"spec.nondifferentiable: '{short(str(item.value))}' is not an output{did_you_mean(str(item.value), output_names)}")
            else:
                nondiff_names.append(item.value)
        if output_names and len(nondiff_names) == len(output_names):
            errors.error(nondiff.loc, "spec.nondifferentiable: at least one output must have a gradient")
    wrap_decl = None
    if wrap is not None:
        wrap_decl = _wrap(wrap, kind.value if kind is not None else None, errors)
        given = {"inputs": inputs, "parameters": parameters, "buffers": buffers, "attributes": attributes,
                 "activation": slot, "forward": forward, "backward": backward, "window": window, "calls": calls,
                 "nondifferentiable": nondiff, "broadcast": broadcast, "nonempty": nonempty, "random": random,
                 "entry_points": entries}
        for key, node in given.items():
            if node is not None:
                errors.error(node.loc, f"spec.{key}: a wrapper has no {key} of its own (they are its inner layer's)")
        if len(output_names) != 1:
            errors.error(outputs.loc if outputs is not None else root.loc, "spec.outputs: a wrapper has one output")
        if wrap_decl is None:
            return None
        input_decls = (TensorDecl(wrap_decl.input, shapes.Shape(("B", "T")), wrap_decl.doc, wrap_decl.loc),)
        forward_stmts = ()
    scan_decl = _scan(scan, input_decls, param_decls, attr_decls, output_names, errors) if scan else None
    repeat_decl = _repeat(repeat, attr_decls, errors) if repeat else None
    if scan is not None and repeat is not None:
        errors.error(repeat.loc, "spec.repeat: a spec has a scan or a repeat, not both")
    entry_decls = _entry_points(entries, (*input_decls, *param_decls, *buffer_decls), attr_decls, errors) if entries else ()
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
        calls=call_decls,
        wrap=wrap_decl,
        scan=scan_decl,
        repeat=repeat_decl,
        entry_points=entry_decls,
    )


def _repeat(node: Node, attrs: tuple[AttrDecl, ...], errors: Collector) -> RepeatDecl | None:
    """``repeat: {count: iterations, carry: {logits: {shape: [B, N], next: logits_next}}}``."""
    fields = Fields(node, "spec.repeat", errors)
    count = fields.take("count", str, required=True)
    carry = fields.take("carry", dict, required=True)
    fields.finish()
    if count is None or carry is None:
        return None
    ok = True
    attr = next((a for a in attrs if a.name == count.value), None)
    if attr is None or attr.type != "int" or attr.structural or attr.optional or attr.minimum is None or attr.minimum < 1:
        errors.error(count.loc, f"spec.repeat.count: '{short(count.value)}' must be a non-structural int attribute with min: 1 or more"
                                f"{did_you_mean(count.value, [a.name for a in attrs if a.type == 'int'])}")
        ok = False
    carries: list[tuple[str, shapes.Shape, str]] = []
    for carry_name, decl_node in carry.items():
        where = f"spec.repeat.carry.{carry_name}"
        if not check_name(carry_name, carry.key_locs[carry_name], "spec.repeat.carry", errors):
            ok = False
            continue
        sub = Fields(decl_node, where, errors)
        shape_node = sub.take("shape", list, required=True)
        nxt = sub.take("next", str, required=True)
        sub.finish()
        if shape_node is None or nxt is None:
            ok = False
            continue
        try:
            shape = shapes.parse(shape_node.plain(), fixed=True)
        except shapes.ShapeError as exc:
            errors.error(shape_node.loc, f"{where}.shape: {exc}")
            ok = False
            continue
        carries.append((carry_name, shape, nxt.value))
    if not carries and ok:
        errors.error(carry.loc, "spec.repeat.carry: a repeat carries at least one array")
        ok = False
    return RepeatDecl(count.value, tuple(carries), node.loc) if ok else None


def _scan(node: Node, inputs: tuple[TensorDecl, ...], params: tuple[TensorDecl, ...] | None,
          attrs: tuple[AttrDecl, ...], outputs: list[str], errors: Collector) -> ScanDecl | None:
    """``scan: {sequences: [x], carry: {h: {init: h0, next: h_next, final: h_n}},
    stack: {y: h_next}, batch_first: batch_first}``."""
    fields = Fields(node, "spec.scan", errors)
    sequences = fields.take("sequences", list, required=True)
    carry = fields.take("carry", dict, required=True)
    stack = fields.take("stack", dict)
    batch_first = fields.take("batch_first", str)
    fields.finish()
    if sequences is None or carry is None:
        return None
    names = {d.name: d for d in inputs}
    ok = True
    seq_names: list[str] = []
    for item in sequences.value:
        decl = names.get(str(item.value))
        # a mask without variants may be None: the primitives that read it then take None
        if decl is None or (decl.optional and (decl.variants or decl.dtype != "mask")):
            errors.error(item.loc, f"spec.scan.sequences: '{short(str(item.value))}' is not a required input{did_you_mean(str(item.value), list(names))}")
            ok = False
        elif decl.shape.ellipsis or decl.shape.rank < 2:
            errors.error(item.loc, f"spec.scan.sequences: '{decl.name}' must be declared [T, B, ...] (time, batch, features), got {decl.shape}")
            ok = False
        else:
            seq_names.append(decl.name)
    if not seq_names and ok:
        errors.error(sequences.loc, "spec.scan.sequences: a scan runs over at least one sequence input")
        ok = False
    carries: list[CarryDecl] = []
    for carry_name, decl_node in carry.items():
        where = f"spec.scan.carry.{carry_name}"
        loc = carry.key_locs[carry_name]
        if not check_name(carry_name, loc, "spec.scan.carry", errors):
            ok = False
            continue
        sub = Fields(decl_node, where, errors)
        init = sub.take("init", str)
        shape_node = sub.take("shape", list)
        nxt = sub.take("next", str, required=True)
        final = sub.take("final", str)
        sub.finish()
        if nxt is None:
            ok = False
            continue
        zeros_shape = None
        if init is None:
            # no initial state: zeros of the declared shape [B, ...]
            try:
                zeros_shape = shapes.parse(shape_node.plain()) if shape_node is not None else None
            except shapes.ShapeError as exc:
                errors.error(shape_node.loc, f"{where}.shape: {exc}")  # type: ignore[union-attr]
                ok = False
                continue
            if zeros_shape is None or zeros_shape.ellipsis or zeros_shape.rank < 1:
                errors.error(loc, f"{where}: a carry without an init starts at zeros of its 'shape', [B, ...]")
                ok = False
                continue
        elif shape_node is not None:
            errors.error(shape_node.loc, f"{where}.shape: only a carry without an init declares its shape (the init has one)")
            ok = False
            continue
        else:
            decl = names.get(init.value)
            param = next((p for p in params or () if p.name == init.value), None)
            if param is not None and not param.optional and not param.shape.ellipsis:
                decl = param  # every row starts from the parameter (its gradient: the rows' sum)
            elif decl is None or init.value in seq_names or decl.shape.ellipsis or decl.shape.rank < 1:
                errors.error(init.loc, f"{where}.init: '{short(init.value)}' must be an input [B, ...] other than the sequences, or a parameter{did_you_mean(init.value, list(names) + [p.name for p in params or ()])}")
                ok = False
                continue
        if final is not None and final.value not in outputs:
            errors.error(final.loc, f"{where}.final: '{short(final.value)}' is not an output{did_you_mean(final.value, outputs)}")
            ok = False
            continue
        carries.append(CarryDecl(carry_name, init.value if init else None, nxt.value,
                                 final.value if final else None, loc, zeros_shape))
    stacked: list[tuple[str, str]] = []
    for out_name, value in (stack.items() if stack is not None else []):
        if out_name not in outputs or not isinstance(value.value, str):
            errors.error(stack.key_locs[out_name], f"spec.scan.stack: '{short(out_name)}' must be an output, stacking a step value{did_you_mean(out_name, outputs)}")  # type: ignore[union-attr]
            ok = False
            continue
        stacked.append((out_name, value.value))
    returned = {o for o, _ in stacked} | {c.final for c in carries if c.final}
    for out in outputs:
        if out not in returned and ok:  # (a carry already reported has no final to show)
            errors.error(node.loc, f"spec.scan: output '{out}' is neither stacked (stack) nor a carry's final value")
            ok = False
    if batch_first is not None:
        attr = next((a for a in attrs if a.name == batch_first.value), None)
        if attr is None or not attr.structural or attr.type != "bool":
            errors.error(batch_first.loc, f"spec.scan.batch_first: '{short(batch_first.value)}' is not a structural bool attribute")
            ok = False
    if not ok:
        return None
    return ScanDecl(tuple(seq_names), tuple(carries), tuple(stacked),
                    batch_first.value if batch_first else None, node.loc)


def _entry_points(node: Node, arrays: tuple[TensorDecl, ...], attrs: tuple[AttrDecl, ...],
                  errors: Collector) -> tuple[EntryDecl, ...]:
    """``entry_points: {learn: {doc, inputs, attributes, random, body | stages, scan,
    outputs}}`` (see ``EntryDecl``)."""
    out: list[EntryDecl] = []
    by_name = {d.name: d for d in arrays}
    for entry_name, decl in node.items():
        loc = node.key_locs[entry_name]
        where = f"spec.entry_points.{entry_name}"
        if not check_name(entry_name, loc, "spec.entry_points", errors):
            continue
        fields = Fields(decl, where, errors)
        doc = fields.take("doc", str)
        inputs = fields.take("inputs", dict, required=True)
        attributes = fields.take("attributes", dict)
        random = fields.take("random", bool)
        body = fields.take("body", str)
        scan = fields.take("scan", dict)
        stages = fields.take("stages", list)
        outputs = fields.take("outputs", list, required=True)
        fields.finish()
        if inputs is None or outputs is None:
            continue
        # the op's arrays, named alone (``S:`` or ``S: {}``), keep their declarations
        decls: list[TensorDecl | None] = []
        new: dict[str, Node] = {}
        shared: list[str] = []
        for input_name, value in inputs.items():
            if value.value is None or value.value == {}:
                known = by_name.get(input_name)
                if known is None:
                    errors.error(inputs.key_locs[input_name], f"{where}.inputs.{input_name}: not an array of the op; a new input declares its shape{did_you_mean(input_name, list(by_name))}")
                    continue
                decls.append(dataclasses.replace(known, loc=inputs.key_locs[input_name], variadic=False, trailing=False))
                shared.append(input_name)
            else:  # a new array (it may take the name of one of the op's, declared anew)
                new[input_name] = value
                decls.append(None)
        declared = iter(_tensors(Node(new, inputs.loc, {k: inputs.key_locs[k] for k in new}), f"entry_points.{entry_name}.inputs", errors, "inputs")) if new else iter(())
        input_decls = tuple(d if d is not None else next(declared, None) for d in decls)
        input_decls = tuple(d for d in input_decls if d is not None)
        for d in input_decls:
            if d.variadic or d.trailing:
                errors.error(d.loc, f"{where}.inputs.{d.name}: an entry point's inputs are neither variadic nor trailing")
        if not input_decls and not errors:
            errors.error(inputs.loc, f"{where}.inputs: an entry point needs at least one input")
        own = _attributes(attributes, errors, f"{where}.attributes") if attributes else ()
        op_names = {a.name for a in attrs} | set(by_name)
        for attr in own:
            if attr.name in op_names:
                errors.error(attr.loc, f"{where}.attributes.{attr.name}: the op already has '{attr.name}'; an entry point shares the op's attributes")
            if attr.type in WINDOW_TYPES or attr.divides or attr.axis_of or attr.along or attr.parts_along or attr.shape_of:
                errors.error(attr.loc, f"{where}.attributes.{attr.name}: an entry point's own attribute is a plain number, bool or string")
        for d in input_decls:
            if d.name in {a.name for a in (*attrs, *own)}:
                errors.error(d.loc, f"{where}.inputs.{d.name}: '{d.name}' is also an attribute")
        every_attr = (*attrs, *own)
        stage_decls: list[StageDecl] = []
        if stages is not None:
            if body is not None or scan is not None:
                errors.error(stages.loc, f"{where}.stages: give either stages or one body (with its scan), not both")
            for index, item in enumerate(stages.value):
                sub = Fields(item, f"{where}.stages[{index}]", errors)
                stage_body = sub.take("body", str, required=True)
                stage_scan = sub.take("scan", dict)
                sub.finish()
                stage = _stage(stage_body, stage_scan, f"{where}.stages[{index}]", every_attr, item.loc, errors)
                if stage is not None:
                    stage_decls.append(stage)
            if not stages.value:
                errors.error(stages.loc, f"{where}.stages: an entry point needs at least one stage")
        elif body is None:
            errors.error(decl.loc, f"{where}: missing required field 'body' (or 'stages')")
        else:
            stage = _stage(body, scan, where, every_attr, decl.loc, errors)
            if stage is not None:
                stage_decls.append(stage)
        output_names: list[str] = []
        for item in outputs.value:
            if not isinstance(item.value, str):
                errors.error(item.loc, f"{where}.outputs: each output is a name")
            elif check_name(item.value, item.loc, f"{where}.outputs", errors):
                output_names.append(item.value)
        if not outputs.value:
            errors.error(outputs.loc, f"{where}.outputs: an entry point needs at least one output")
        text = check_prose(doc, f"{where}.doc", errors) if doc else ""
        out.append(EntryDecl(entry_name, text, input_decls, own, bool(random.value) if random else False,
                             tuple(stage_decls), tuple(output_names), loc, tuple(shared)))
    return tuple(out)


def _stage(body: Node | None, scan: Node | None, where: str, attrs: tuple[AttrDecl, ...], loc: Location,
           errors: Collector) -> StageDecl | None:
    """A stage of an entry point: its statements, and the loop they are the step of."""
    stmts = parse_block(body, errors, f"{where}.body") if body is not None else None
    scan_decl = _entry_scan(scan, f"{where}.scan", attrs, errors) if scan is not None else None
    if stmts is None or (scan is not None and scan_decl is None):
        return None
    return StageDecl(stmts, scan_decl, loc)


def _entry_scan(node: Node, where: str, attrs: tuple[AttrDecl, ...], errors: Collector) -> ScanDecl | None:
    """An entry point's loop: ``{sequences: [x], carry: {h: {init: h0, next: h_next, final:
    h_n}}, stack: {y: h_next}, reverse: bool}`` or ``{length: k, carry: ...}``. The names are
    those of the entry point's inputs and earlier stages, checked when it is built."""
    fields = Fields(node, where, errors)
    sequences = fields.take("sequences", list)
    carry = fields.take("carry", dict, required=True)
    stack = fields.take("stack", dict)
    reverse = fields.take("reverse", bool)
    length = fields.take("length", str)
    fields.finish()
    if carry is None:
        return None
    ok = True
    seq_names = [str(item.value) for item in sequences.value] if sequences is not None else []
    if (not seq_names) == (length is None):
        errors.error(node.loc, f"{where}: a loop runs over sequences or 'length' times (an int attribute), one of the two")
        ok = False
    if length is not None:
        attr = next((a for a in attrs if a.name == length.value), None)
        if attr is None or attr.type != "int" or attr.structural:
            errors.error(length.loc, f"{where}.length: '{short(length.value)}' is not an int attribute{did_you_mean(length.value, [a.name for a in attrs if a.type == 'int'])}")
            ok = False
        if stack is not None:
            errors.error(stack.loc, f"{where}.stack: a loop of 'length' steps stacks nothing (it has no time axis)")
            ok = False
    carries: list[CarryDecl] = []
    for carry_name, decl_node in carry.items():
        loc = carry.key_locs[carry_name]
        if not check_name(carry_name, loc, f"{where}.carry", errors):
            ok = False
            continue
        sub = Fields(decl_node, f"{where}.carry.{carry_name}", errors)
        init = sub.take("init", str, required=True)
        nxt = sub.take("next", str, required=True)
        final = sub.take("final", str)
        sub.finish()
        if init is None or nxt is None:
            ok = False
            continue
        carries.append(CarryDecl(carry_name, init.value, nxt.value, final.value if final else None, loc))
    stacked = [(out_name, str(value.value)) for out_name, value in (stack.items() if stack is not None else [])]
    if not carries and ok:
        errors.error(carry.loc, f"{where}.carry: a loop carries at least one value")
        ok = False
    if not ok:
        return None
    return ScanDecl(tuple(seq_names), tuple(carries), tuple(stacked), None, node.loc,
                    bool(reverse.value) if reverse else False, length.value if length else None)


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


def _tensors(node: Node, where: str, errors: Collector, role: str | None = None) -> tuple[TensorDecl, ...]:
    """Array declarations; ``role`` (inputs, parameters, buffers) is ``where`` unless given (an
    entry point's inputs)."""
    role = role or where
    out: list[TensorDecl] = []
    for tensor_name, decl in node.items():
        loc = node.key_locs[tensor_name]
        if not check_name(tensor_name, loc, f"spec.{where}", errors):
            continue
        fields = Fields(decl, f"spec.{where}.{tensor_name}", errors)
        shape_node = fields.take("shape", list, required=True)
        doc = fields.take("doc", str)
        init_node = fields.take("init", (str, float, dict))
        optional = fields.take("optional", bool)
        variadic = fields.take("variadic", bool)
        trailing = fields.take("trailing", bool)
        if trailing is not None and trailing.value and (role != "inputs" or tensor_name != list(node.value)[0]):
            errors.error(trailing.loc, f"spec.{where}.{tensor_name}.trailing: only the first input may take trailing axes")
        dtype = fields.take("dtype", str)
        below = fields.take("below", str)
        otherwise = fields.take("otherwise", dict)
        grad = fields.take("grad", bool)
        variants = fields.take("variants", bool)
        fields.finish()
        pairs: list[tuple[str, str]] = []
        if otherwise is not None and not (optional is not None and optional.value and role == "inputs"):
            errors.error(otherwise.loc, f"spec.{where}.{tensor_name}.otherwise: only an optional input has dimensions that stand in when it is left out")
        elif otherwise is not None:
            pairs = [(str(k), str(v.value)) for k, v in otherwise.value.items()]
        if dtype is not None and (role != "inputs" or dtype.value not in INPUT_DTYPES):
            errors.error(dtype.loc, f"spec.{where}.{tensor_name}.dtype: " + (
                f"must be one of {', '.join(INPUT_DTYPES)}" if role == "inputs" else "only an input has a dtype of its own"))
            dtype = None
        if grad is not None and (role != "inputs" or (dtype is not None and dtype.value != "float")):
            errors.error(grad.loc, f"spec.{where}.{tensor_name}.grad: only a float input may say whether it takes a "
                                   "gradient (parameters always do; buffers, ids and masks never do)")
            grad = None
        if below is not None and (dtype is None or dtype.value != "int"):
            errors.error(below.loc, f"spec.{where}.{tensor_name}.below: only an input of dtype int (ids) has a bound")
            below = None
        if variadic is not None and variadic.value and (role != "inputs" or tensor_name != list(node.value)[-1]
                                                        or len(node.value) != 2):
            errors.error(variadic.loc, f"spec.{where}.{tensor_name}.variadic: only the second of two inputs may be variadic (a binary op, folded from the left)")
        if variants is not None and not variants.value and not (
                role == "inputs" and optional is not None and optional.value and dtype is not None and dtype.value == "mask"):
            errors.error(variants.loc, f"spec.{where}.{tensor_name}.variants: only an optional mask input (dtype: mask) may go without variants")
            variants = None
        if optional is not None and optional.value and role == "inputs" and variadic is not None and variadic.value:
            errors.error(optional.loc, f"spec.{where}.{tensor_name}.optional: a variadic input cannot be optional")
        if shape_node is None:
            continue
        try:
            shape = shapes.parse(shape_node.plain(), fixed=role in ("parameters", "buffers"))
        except shapes.ShapeError as exc:
            errors.error(shape_node.loc, f"spec.{where}.{tensor_name}.shape: {exc}")
            continue
        init = _init(init_node, f"spec.{where}.{tensor_name}.init", errors) if init_node else "zeros"
        if isinstance(init, Init) and init.kind == "entries" and init_node is not None:
            init = _check_entries(init, shape, init_node, f"spec.{where}.{tensor_name}.init.constant", errors)
        text = check_prose(doc, f"spec.{where}.{tensor_name}.doc", errors) if doc else ""
        taken = [d for d in shape.dims if isinstance(d, str) and (d in CONSTRUCTOR_NAMES or keyword.issoftkeyword(d) or d.startswith("_"))]
        if taken:
            errors.error(shape_node.loc, f"spec.{where}.{tensor_name}.shape: the dimension name '{taken[0]}' is reserved")
            continue
        if trailing is not None and trailing.value and (shape.ellipsis or shape.rank < 2):
            errors.error(trailing.loc, f"spec.{where}.{tensor_name}.trailing: the shape needs named leading dimensions and a last one for the trailing axes, without '...'")
            continue
        out.append(TensorDecl(tensor_name, shape, text, loc, init,
                              bool(optional.value) if optional is not None else False,
                              bool(variadic.value) if variadic is not None else False,
                              bool(trailing.value) if trailing is not None else False,
                              dtype.value if dtype is not None else "float",
                              below.value if below is not None else None, tuple(pairs),
                              bool(grad.value) if grad is not None else True,
                              bool(variants.value) if variants is not None else True))
    return tuple(out)


def _none_expression(node: Node, where: str, kind: str, before: list[AttrDecl], errors: Collector) -> str | None:
    """``none: EXPR`` of an int or float attribute: numbers, the int and float attributes
    declared before it, + - * / and parentheses; returned as the Python it becomes."""
    text = str(node.value)
    names = [a.name for a in before if a.type in ("int", "float") and not a.optional and a.none is None]
    if kind not in ("int", "float"):
        errors.error(node.loc, f"{where}.none: only an int or float attribute may stand for an expression when None")
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        tree = None
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.Load)
    for sub in ast.walk(tree) if tree is not None else ():
        if isinstance(sub, ast.Name):
            if sub.id not in names:
                errors.error(node.loc, f"{where}.none: '{short(sub.id)}' is not an int or float attribute declared before it{did_you_mean(sub.id, names)}")
                return None
        elif isinstance(sub, ast.Constant):
            if not isinstance(sub.value, (int, float)) or isinstance(sub.value, bool) or not math.isfinite(sub.value):
                tree = None
                break
        elif not isinstance(sub, allowed):
            tree = None
            break
    if tree is None:
        errors.error(node.loc, f"{where}.none: {quoted(text)} is not an expression of numbers and attributes with + - * / and parentheses")
        return None
    return ast.unparse(tree)


def _init(node: Node, where: str, errors: Collector) -> str | tuple[str, ...] | Init:
    expected = "zeros, ones, a number, {fan_in: [dimensions]}, {constant: v}, {constant: [entries]}, {normal: std} or {uniform: [a, b]}"
    if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        if not check_finite(node, where, errors):
            return "zeros"
        return Init("constant", (float(node.value),))
    if isinstance(node.value, str):
        if node.value not in ("zeros", "ones"):
            errors.error(node.loc, f"{where}: must be {expected}, got {quoted(node.value)}")
        return node.value
    if len(node.value) != 1:
        errors.error(node.loc, f"{where}: must be {expected}, with exactly one key")
        return "zeros"
    (key,) = node.value
    if key == "fan_in":
        fields = Fields(node, where, errors)
        fan_in = fields.take("fan_in", list, required=True)
        fields.finish()
        return tuple(str(d.value) for d in fan_in.value) if fan_in is not None else "zeros"
    if key not in INIT_KINDS:
        errors.error(node.key_locs[key], f"{where}: unknown init kind '{key}'{did_you_mean(key, ['fan_in', *INIT_KINDS])}")
        return "zeros"
    item = node.value[key]
    raw = item.plain()
    values = raw if isinstance(raw, list) else [raw]
    if key == "constant" and isinstance(raw, list):  # every entry, in C order
        if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            errors.error(item.loc, f"{where}.constant: a list of entries must hold numbers, got {raw!r}")
            return "zeros"
        if not check_finite(item, f"{where}.constant", errors):
            return "zeros"
        return Init("entries", tuple(float(v) for v in values))
    count = INIT_KINDS[key]
    if len(values) != count or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        shape = "[a, b], two numbers" if count == 2 else "one number"
        errors.error(item.loc, f"{where}.{key}: must be {shape}, got {raw!r}")
        return "zeros"
    if not check_finite(item, f"{where}.{key}", errors):
        return "zeros"
    values = [float(v) for v in values]
    if key == "normal" and values[0] < 0:
        errors.error(item.loc, f"{where}.normal: the standard deviation must be at least 0, got {values[0]}")
    if key == "uniform" and values[0] > values[1]:
        errors.error(item.loc, f"{where}.uniform: the low end {values[0]} exceeds the high end {values[1]}")
    return Init(key, tuple(values))


def _check_entries(init: Init, shape: shapes.Shape, node: Node, where: str, errors: Collector) -> str | Init:
    """``{constant: [entries]}`` fills an array of fixed sizes (``[6]``, ``[2, 3]``), entry by
    entry in C order: the shape may name no dimension, and the list holds one number per
    entry."""
    named = [d for d in shape.dims if isinstance(d, str)]
    if shape.ellipsis or named:
        errors.error(node.loc, f"{where}: a list of entries fills an array of fixed sizes only, but the shape {shape} names {named[0] if named else '...'}; {{constant: v}} gives every entry one value")
        return "zeros"
    size = math.prod(int(d) for d in shape.dims)
    if len(init.values) != size:
        errors.error(node.loc, f"{where}: {len(init.values)} entries for an array of shape {shape}, which has {size}")
        return "zeros"
    return init


def _attributes(node: Node, errors: Collector, prefix: str = "spec.attributes") -> tuple[AttrDecl, ...]:
    out: list[AttrDecl] = []
    for attr_name, decl in node.items():
        loc = node.key_locs[attr_name]
        where = f"{prefix}.{attr_name}"
        if attr_name != "training" and not check_name(attr_name, loc, prefix, errors):
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
        along = fields.take("along", str)
        optional = fields.take("optional", bool)
        parts_along = fields.take("parts_along", str)
        none = fields.take("none", str)
        shape_of = fields.take("shape_of", str)
        bounds = fields.take("bounds", str)
        at_most = fields.take("at_most", str)
        states_of = fields.take("states_of", str)
        only_with = fields.take("only_with", str)
        fields.finish()
        if shape_of is not None and (type_node.value != "int_or_ints" or not (optional and optional.value)):
            errors.error(shape_of.loc, f"{where}.shape_of: only an optional int_or_ints attribute is the shape of a dimension")
        if type_node is None:
            continue
        if type_node.value not in ATTRIBUTE_TYPES:
            errors.error(type_node.loc, f"{where}.type: must be one of {', '.join(ATTRIBUTE_TYPES)}")
            continue
        kinds = ATTRIBUTE_TYPES[type_node.value]
        if not all(check_finite(item, f"{where}.{key}", errors) for key, item in
                   (("default", default), ("min", minimum), ("max", maximum), ("choices", choices)) if item is not None):
            continue
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
        bounds_size = None
        if bounds is not None:
            match = BELOW.fullmatch(str(bounds.value))
            if type_node.value != "int" or match is None or not match.group(2).lstrip("-").isdigit():
                errors.error(bounds.loc, f"{where}.bounds: an int attribute may bound a size written ARRAY.shape[AXIS], AXIS an integer")
            else:
                bounds_size = (match.group(1), match.group(2))
        at_most_size = None
        if at_most is not None:
            match = BELOW.fullmatch(str(at_most.value))
            if type_node.value != "int" or match is None or not match.group(2).lstrip("-").isdigit():
                errors.error(at_most.loc, f"{where}.at_most: an int attribute may be at most a size written ARRAY.shape[AXIS], AXIS an integer")
            else:
                at_most_size = (match.group(1), match.group(2))
        states_size = None
        if states_of is not None:
            match = BELOW.fullmatch(str(states_of.value))
            if match is None or not match.group(2).lstrip("-").isdigit():
                errors.error(states_of.loc, f"{where}.states_of: an int attribute may be the states of a size written ARRAY.shape[AXIS], AXIS an integer")
            else:
                states_size = (match.group(1), match.group(2))
        if along is not None and (type_node.value != "int" or axis_of is not None):
            errors.error(along.loc, f"{where}.along: only an int attribute without axis_of can be the axis an op acts along")
        if parts_along is not None and type_node.value != "int_or_ints":
            errors.error(parts_along.loc, f"{where}.parts_along: only an int_or_ints attribute gives parts (a size, or a tuple of sizes)")
        is_optional = bool(optional.value) if optional else False
        if is_optional and default is not None:
            errors.error(optional.loc, f"{where}.optional: an optional attribute has no default (it is None)")
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
        numeric = [a.name for a in out if a.type in ("int", "float") and not a.structural and not a.optional]
        if only_with is not None and not (is_structural and type_node.value == "bool"):
            errors.error(only_with.loc, f"{where}.only_with: only a structural bool attribute may depend on another one")
        elif only_with is not None and only_with.value not in numeric:
            errors.error(only_with.loc, f"{where}.only_with: '{short(str(only_with.value))}' is not a non-structural int or float attribute "
                                        f"declared before it{did_you_mean(str(only_with.value), numeric)}")
        out.append(
            AttrDecl(
                name=attr_name,
                type=type_node.value,
                default=default_value,
                doc=check_prose(doc, f"{where}.doc", errors) if doc else "",
                structural=is_structural,
                minimum=lo,
                maximum=hi,
                choices=choice_values,
                loc=loc,
                divides=divides.value if divides else None,
                axis_of=axis_of.value if axis_of else (along.value if along else None),
                below=below_size,
                along=along.value if along else None,
                optional=is_optional,
                parts_along=parts_along.value if parts_along else None,
                none=_none_expression(none, where, type_node.value, out, errors) if none else None,
                shape_of=shape_of.value if shape_of else None,
                bounds=bounds_size,
                at_most=at_most_size,
                states_of=states_size,
                only_with=only_with.value if only_with else None,
            )
        )
    return tuple(out)


def _fits(value: object, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, str) and str in kinds and int in kinds:  # window padding
        return value in ("same", "valid")
    if isinstance(value, tuple) and int in kinds:  # a pair, or padding per side
        return len(value) in ((2, 4) if str in kinds else (2,)) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value)
    if isinstance(value, tuple):
        number = (int, float) if float in kinds else int
        return tuple in kinds and all(isinstance(v, number) and not isinstance(v, bool) for v in value)
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, int):
        return int in kinds or float in kinds
    return isinstance(value, kinds)


def _window(node: Node, inputs: tuple[TensorDecl, ...], parameters: tuple[TensorDecl, ...],
            attributes: tuple[AttrDecl, ...], errors: Collector) -> WindowDecl | None:
    fields = Fields(node, "spec.window", errors)
    keys = ("input", "kernel", "stride", "padding", "dilation", "groups", "padding_mode", "ceil_mode", "output_size",
            "output_padding")
    adaptive = "output_size" in node.key_locs
    required = ("input", "output_size") if adaptive else ("input", "kernel", "stride", "padding")
    taken = {key: fields.take(key, str, required=key in required) for key in keys}
    fields.finish()
    if any(taken[k] is None for k in required):
        return None
    extra = [k for k in keys if k not in required and taken[k] is not None] if adaptive else []
    for key in extra:
        errors.error(taken[key].loc, f"spec.window.{key}: an adaptive window (output_size) has no {key}")  # type: ignore[union-attr]
    ints = [a.name for a in attributes if a.type in ("int", "pair", "padding") and not a.structural]
    kernel_is_array = False
    kinds = {"groups": ("int",), "padding_mode": ("str",), "ceil_mode": ("bool",)}
    kinds["output_size"] = ("pair",)
    ok = not extra
    for key, types in kinds.items():
        item = taken[key]
        if key == "groups" and item is not None and item.value == DEPTHWISE and not any(a.name == DEPTHWISE for a in attributes):
            continue  # one group per input channel
        attr = next((a for a in attributes if item is not None and a.name == item.value), None)
        if item is not None and (attr is None or attr.type not in types or attr.structural):
            errors.error(item.loc, f"spec.window.{key}: '{item.value}' must be a non-structural {types[0]} attribute")
            ok = False
    per_axis = ("kernel", "stride", "padding", "dilation", "output_size", "output_padding")
    named = {taken[k].value for k in per_axis if taken[k] is not None}  # type: ignore[union-attr]
    for attr in attributes:
        if attr.type in WINDOW_TYPES and attr.name not in named:
            errors.error(attr.loc, f"spec.attributes.{attr.name}: a {attr.type} attribute must be named by the window (kernel, stride, padding, dilation, output_padding or output_size)")
            ok = False
    source = taken["input"]
    holder = next((d for d in inputs if d.name == source.value), None)  # type: ignore[union-attr]
    if holder is None or holder.shape.rank != 4 or holder.shape.ellipsis:
        errors.error(source.loc, f"spec.window.input: '{short(str(source.value))}' must be an input of shape [N, C, H, W]")  # type: ignore[union-attr]
        ok = False
    for key in ("kernel", "stride", "padding", "dilation", "output_padding"):
        item = taken[key]
        if item is None or item.value in ints:
            continue
        weight = next((d for d in parameters if d.name == item.value), None)
        if key == "kernel" and weight is not None and weight.shape.rank == 4:
            kernel_is_array = True
            continue
        allowed = "an int or pair attribute or a parameter [C_out, C_in, kH, kW]" if key == "kernel" else "an int or pair attribute"
        errors.error(item.loc, f"spec.window.{key}: '{short(str(item.value))}' must be {allowed}{did_you_mean(str(item.value), ints)}")
        ok = False
    if taken["kernel"] is not None and not kernel_is_array:
        for key in ("groups", "padding_mode", "output_padding"):
            if taken[key] is not None:
                errors.error(taken[key].loc, f"spec.window.{key}: only a convolution window (kernel a parameter) has {key}")  # type: ignore[union-attr]
                ok = False
    if taken["output_padding"] is not None and taken["padding_mode"] is not None:
        errors.error(taken["padding_mode"].loc, "spec.window.padding_mode: a transposed window (output_padding) pads with zeros only")  # type: ignore[union-attr]
        ok = False
    if not ok:
        return None
    value = {k: taken[k].value if taken[k] is not None else None for k in keys}  # type: ignore[union-attr]
    return WindowDecl(value["input"], value["kernel"], value["stride"], value["padding"], value["dilation"], node.loc,
                      groups=value["groups"], padding_mode=value["padding_mode"], ceil_mode=value["ceil_mode"],
                      kernel_is_array=kernel_is_array, output_size=value["output_size"],
                      output_padding=value["output_padding"])


# How a wrapper runs its inner layer (``WrapDecl``).
WRAP_RUNS = ("per_step", "both_directions", "function")


def _wrap(node: Node, kind: str | None, errors: Collector) -> WrapDecl | None:
    """``wrap: {input: x, runs: per_step, doc: "..."}``: the sequence the inner layer runs over,
    and how."""
    fields = Fields(node, "spec.wrap", errors)
    source = fields.take("input", str, required=True)
    runs = fields.take("runs", str)
    doc = fields.take("doc", str)
    fields.finish()
    if runs is not None and runs.value not in WRAP_RUNS:
        errors.error(runs.loc, f"spec.wrap.runs: '{short(runs.value)}' is not one of {', '.join(WRAP_RUNS)}"
                     f"{did_you_mean(runs.value, list(WRAP_RUNS))}")
        return None
    if kind is not None and kind != "layer":
        errors.error(node.loc, "spec.wrap: only a layer wraps another layer")
        return None
    if source is None or not check_name(source.value, source.loc, "spec.wrap.input", errors):
        return None
    text = check_prose(doc, "spec.wrap.doc", errors) if doc else ""
    return WrapDecl(source.value, text, node.loc, runs.value if runs is not None else "per_step")


def _calls(node: Node, errors: Collector) -> tuple[CallDecl, ...]:
    """``calls: {instance: {op: NAME, dims: {callee_dim: caller_dim}, activation: NAME}}``."""
    out: list[CallDecl] = []
    for instance, decl in node.items():
        loc = node.key_locs[instance]
        where = f"spec.calls.{instance}"
        if not check_name(instance, loc, "spec.calls", errors):
            continue
        fields = Fields(decl, where, errors)
        op = fields.take("op", str, required=True)
        dims = fields.take("dims", dict)
        activation = fields.take("activation", str)
        count = fields.take("count", str)
        chain = fields.take("chain", dict)
        fields.finish()
        if op is None or not check_op_name(op.value, op.loc, f"{where}.op", errors):
            continue
        if chain is not None and count is None:
            errors.error(node.key_locs[instance], f"{where}.chain: binds the dimensions of a counted instance's later copies; add 'count:'")
            continue
        if activation is not None and not check_op_name(activation.value, activation.loc, f"{where}.activation", errors):
            continue
        bound = _bound_dims(dims, f"{where}.dims", errors)
        chained = _bound_dims(chain, f"{where}.chain", errors)
        out.append(CallDecl(instance, op.value, bound, loc, op.loc,
                            activation.value if activation is not None else None,
                            activation.loc if activation is not None else None,
                            count.value if count is not None else None,
                            count.loc if count is not None else None, chained))
    return tuple(out)


def _bound_dims(node: Node | None, where: str, errors: Collector) -> tuple[tuple[str, str | int], ...]:
    """``{callee_dim: caller_dim or 1}`` of ``dims:`` and ``chain:``."""
    bound: list[tuple[str, str | int]] = []
    for dim, value in (node.items() if node is not None else ()):
        ok = isinstance(value.value, str) and is_identifier(value.value) and not keyword.iskeyword(value.value)
        if not ok and value.value != 1:
            errors.error(value.loc, f"{where}.{short(dim)}: must be a dimension name of this spec or 1, got {value.value!r}")
            continue
        bound.append((dim, value.value))
    return tuple(bound)


def _slot(node: Node, errors: Collector) -> ActivationSlot | None:
    fields = Fields(node, "spec.activation", errors)
    default = fields.take("default", str, required=True)
    fused = fields.take("fused", list, required=True)
    fields.finish()
    if default is None or fused is None:
        return None
    ok = check_op_name(default.value, default.loc, "spec.activation.default", errors)
    for item in fused.value:
        if not isinstance(item.value, str):
            errors.error(item.loc, "spec.activation.fused: each entry is an activation's name")
            ok = False
        else:
            ok &= check_op_name(item.value, item.loc, "spec.activation.fused", errors)
    if not ok:
        return None
    return ActivationSlot(default.value, tuple(str(f.value) for f in fused.value), node.loc, default.loc)


__all__ = ["OpSpec", "CallDecl", "WrapDecl", "TensorDecl", "Init", "AttrDecl", "ActivationSlot", "WindowDecl", "load_spec", "SpecError"]
