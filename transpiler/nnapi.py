"""The object API: one class per layer spec, rendered into ``layerforge/nn.py``.

The classes are thin shells over the generated functional modules; everything they need
(constructor arguments, parameter initialisation, which outputs update which buffers) is
read from the specs.
"""

from __future__ import annotations

import dataclasses
import textwrap

import jinja2

from .codegen import VERSION, docstring_text, keyword
from .errors import Collector
from .shapes import base_dimension
from .spec import KIND_DIRS, Init, OpSpec, TensorDecl

# Layer titles whose class templates/nn.py.j2 defines itself, over the shell, which is emitted
# as ``_<title>``: torch.nn class names whose PyTorch constructor signature differs from the
# shell's (positional arguments), and layers whose buffers the constructor draws by a rule of
# its own (Reservoir: a sparse matrix rescaled to a spectral radius), and layers whose
# object API keeps a form of its own (ContinuumMemorySystem: Dense children, a schedule).
TORCH_SIGNATURES = frozenset({"ContinuumMemorySystem", "Dropout", "Flatten", "Reservoir"})


def _quotients(spec: OpSpec) -> dict[str, str]:
    """Dimensions named ``<D>_over_<attribute>`` (the attribute divides D), as the expression
    the constructor computes them by: ``(C // reduction)``."""
    return {f"{a.divides}_over_{a.name}": f"({a.divides} // {a.name})" for a in spec.attributes if a.divides}


def _dims(spec: OpSpec) -> list[str]:
    """Constructor dimensions: the named sizes of parameters and buffers, ordered by where
    they first appear (inputs first), like torch's ``Linear(in_features, out_features)``;
    a dimension that an attribute divides into another is computed, not asked for."""
    derived = _quotients(spec)
    wanted = {base_dimension(d) for decl in spec.parameters + spec.buffers for d in decl.shape.dims
              if isinstance(d, str) and d not in derived}
    order: list[str] = []
    for decl in spec.inputs + spec.parameters + spec.buffers:
        for dim in map(base_dimension, decl.shape.dims):
            if isinstance(dim, str) and dim in wanted and dim not in order:
                order.append(dim)
    return order


def _tuple(items: list[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _init(decl: TensorDecl, derived: dict[str, str]) -> str:
    if decl.counted is not None:  # a counted instance's copy k: drawn when the count reaches it
        count, index = decl.counted
        plain = dataclasses.replace(decl, optional=False, counted=None)
        return f"{_init(plain, derived)} if {count} > {index} else None"
    if decl.optional:
        return f"{_init(dataclasses.replace(decl, optional=False), derived)} if {decl.name} else None"
    shape = _tuple([derived.get(str(d), str(d).replace("*", " * ")) for d in decl.shape.dims])
    if decl.init == "zeros":
        return f"np.zeros({shape}, dtype=dtype)"
    if decl.init == "ones":
        return f"np.ones({shape}, dtype=dtype)"
    if isinstance(decl.init, Init):
        values = decl.init.values
        if decl.init.kind == "constant":
            return f"np.full({shape}, {values[0]!r}, dtype=dtype)"
        if decl.init.kind == "entries":  # every entry, in C order, of a shape of fixed sizes
            return f"np.array({list(values)!r}, dtype=dtype).reshape({shape})"
        if decl.init.kind == "normal":
            return f"rng.normal(0.0, {values[0]!r}, size={shape}).astype(dtype)"
        return f"rng.uniform({values[0]!r}, {values[1]!r}, size={shape}).astype(dtype)"
    return f"_fan_in_uniform(rng, {shape}, {' * '.join(derived.get(d, d) for d in decl.init)}, dtype)"


def _group(names: list[str]) -> str:
    return names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"


def describe(spec: OpSpec, errors: Collector, package: str = "layerforge") -> dict:
    if spec.wrap is not None:  # a wrapper: holds its inner layer as the child ``layer``
        doc = textwrap.wrap(f"{spec.title}: {spec.summary.split('. ')[0].rstrip('.')}.", 84)
        if spec.wrap.runs == "function":
            shell = textwrap.wrap(f"A shell over ``layerforge.layers.{spec.name}``: holds ``function`` and ``derivative`` "
                                  "(callables, see there) and the activation; no parameters.", 84)
        elif spec.wrap.runs == "per_step":
            shell = textwrap.wrap(f"A shell over ``layerforge.layers.{spec.name}``; wraps ``layer`` (a layerforge.nn "
                                  f"layer of one input), whose parameters it lists as ``layer.<name>``.", 84)
        else:
            shell = textwrap.wrap(
                f"A shell over ``layerforge.layers.{spec.name}``; wraps ``layer`` (a layerforge.nn sequence layer: "
                f"LSTM, GRU, RNN or their generated bases) for the forward direction and ``layer_reverse`` (a copy, "
                f"or ``backward_layer``) for the backward one, and lists their parameters with PyTorch's names for "
                f"bidirectional=True: ``<name>_l0`` and ``<name>_l0_reverse`` (a bidirectional torch.nn.LSTM's "
                f"state_dict loads as it is).", 84)
        return {"wrapper": True, "runs": spec.wrap.runs, "cls": spec.title, "op": spec.name, "input": spec.wrap.input,
                "output": spec.outputs[0], "doc": docstring_text("\n    ".join(doc)),
                "shell": docstring_text("\n    ".join(shell))}
    attributes = [a for a in spec.attributes if a.name != "training"]
    keywords = [keyword(a) for a in attributes]
    stored = [a.name for a in attributes]
    given = [d.name for d in spec.inputs if not d.optional]
    left_out = [d.name for d in spec.inputs if d.optional]  # forward's last arrays, None by default
    call = given + (["*more"] if spec.variadic else [])
    call += [f"self.{d.name}" for d in spec.parameters + spec.buffers] + left_out
    call += [f"{a.name}=self.{a.name}" for a in attributes]
    if spec.slot:
        keywords += [f'activation="{spec.slot.default}"', "activation_options=None"]
        stored += ["activation", "activation_options"]
        call += ["activation=self.activation", "activation_options=self.activation_options"]
    if spec.attribute("training") is not None:
        call.append("training=self.training")
    # an optional parameter or buffer: a bool keyword of its name, False to leave it out (None)
    keywords += [f"{d.name}=True" for d in spec.optional  # an optional input: None; a counted copy: by the count
                 if d not in spec.inputs and d.counted is None]
    drawn = any(isinstance(d.init, tuple) or (isinstance(d.init, Init) and d.init.kind not in ("constant", "entries"))
                for d in spec.parameters + spec.buffers)
    if drawn or spec.random:
        keywords.append("rng=None")
    if spec.parameters or spec.buffers:
        keywords.append("dtype=np.float32")
    if spec.random:
        call.append("rng=self.rng")
    buffers = {d.name for d in spec.buffers}
    updates = []
    for out in spec.nondifferentiable:
        buffer = out.removeprefix("new_")
        if buffer not in buffers:
            errors.error(spec.loc, f"the object API needs nondifferentiable output '{out}' to be named new_<buffer>")
            continue
        updates.append((out, buffer))
    methods = _entry_methods(spec, errors)
    grads_all = [f"grad_{d.name}" for d in spec.differentiable]
    grads_in = [f"grad_{d.name}" for d in spec.differentiable if d in spec.inputs]
    doc = textwrap.wrap(f"{spec.title}: {spec.summary.split('. ')[0].rstrip('.')}.", 84)
    holds = "".join(
        f"; {label} {', '.join(d.name for d in decls)}"
        for label, decls in (("parameters", spec.parameters), ("buffers", spec.buffers)) if decls
    )
    shell = textwrap.wrap(f"A shell over ``{package}.{KIND_DIRS[spec.kind]}.{spec.name}``{holds}.", 84)
    return {
        "wrapper": False,
        "scan": spec.scan is not None,
        "cls": f"_{spec.title}" if spec.title in TORCH_SIGNATURES else spec.title,
        "op": spec.name,
        "doc": docstring_text("\n    ".join(doc)),
        "shell": docstring_text("\n    ".join(shell)),
        "drawn": drawn,
        "parameter_names": _tuple([f'"{d.name}"' for d in spec.parameters]) if spec.parameters else "()",
        "buffer_names": _tuple([f'"{d.name}"' for d in spec.buffers]) if spec.buffers else "()",
        "dims": _dims(spec),
        "keywords": keywords,
        "stored": stored,
        "random": spec.random,
        "params": [{"name": d.name, "init": _init(d, _quotients(spec))} for d in spec.parameters],
        "buffers": [{"name": d.name, "init": _init(d, _quotients(spec))} for d in spec.buffers],
        "inputs": given + (["*more"] if spec.variadic else []) + [f"{n}=None" for n in left_out],
        "call": ", ".join(call),
        # an op with parts returns a tuple of any length, and takes a gradient for each
        "results": "parts" if spec.parts else _group(list(spec.outputs)),
        "updates": updates,
        "returned": "parts" if spec.parts else _group(list(spec.grad_outputs)),
        "grad_args": ["*grad_parts"] if spec.parts else [f"grad_{o}" for o in spec.grad_outputs],
        # a variadic op returns one gradient per input it was given
        "grad_results": "grads" if spec.variadic else ", ".join(grads_all),
        # ids and masks take no gradient: a layer without a float input returns None
        "grad_returned": "grads" if spec.variadic else (_group(grads_in) if grads_in else "None"),
        "methods": methods,
    }


# What layerforge.nn.Module defines: an entry point of that name cannot be a method.
MODULE_NAMES = frozenset({"forward", "backward", "named_children", "named_parameters", "named_buffers", "parameters",
                          "gradients", "zero_grad", "train", "eval", "state_dict", "load_state_dict", "grads",
                          "training", "rng"})


def _entry_methods(spec: OpSpec, errors: Collector) -> list[dict]:
    """The entry points as methods over the layer's own parameters and buffers:
    ``nn.TemporalMemory.learn(x, prev)`` calls ``temporal_memory.learn(x, prev, self.S)``."""
    from .entry import entry_spec

    held = {d.name for d in spec.parameters + spec.buffers}
    out = []
    for entry in spec.entry_points:
        if entry.name in MODULE_NAMES or entry.name in {a.name for a in spec.attributes} | held:
            errors.error(entry.loc, f"spec.entry_points.{entry.name}: '{entry.name}' is a name of the layer's class in layerforge.nn")
            continue
        sub = entry_spec(spec, entry)
        own = {a.name for a in entry.attributes}
        args = [d.name for d in sub.arrays if not (d.name in entry.shared and d.name in held)]
        optional = {d.name for d in sub.optional}  # None by default when all after it are too, as the function's
        args = [f"{n}=None" if all(m in optional for m in args[i:]) else n for i, n in enumerate(args)]
        call = [f"self.{d.name}" if d.name in entry.shared and d.name in held else d.name for d in sub.arrays]
        keywords = [keyword(a) for a in entry.attributes]
        call += [f"{a.name}={a.name}" if a.name in own else f"{a.name}=self.{a.name}" for a in sub.attributes]
        if entry.random:
            keywords.append("rng=None")
            call.append("rng=self.rng if rng is None else rng" if spec.random else "rng=rng")
        signature = ", ".join(["self", *args] + (["*", *keywords] if keywords else []))
        used = [d.name for d in sub.arrays if d.name in entry.shared and d.name in held]
        doc = textwrap.wrap(f"``layerforge.layers.{spec.name}.{entry.name}``"
                            + (f" over the layer's {', '.join(used)}" if used else "")
                            + ": returns new arrays, the layer is left as it is (no gradient).", 84)
        out.append({"name": entry.name, "signature": signature, "call": ", ".join(call),
                    "doc": docstring_text("\n        ".join(doc))})
    return out


def render_nn(layers: list[OpSpec], env: jinja2.Environment) -> str:
    errors = Collector()
    described = [describe(spec, errors) for spec in layers]
    errors.check()
    return env.get_template("nn.py.j2").render(layers=described, version=VERSION)
