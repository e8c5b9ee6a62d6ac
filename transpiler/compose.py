"""Composition: a spec that calls other specs (``calls:``), resolved once every spec is read.

A caller declares instances of other ops, ``calls: {linear1: {op: dense, dims: {...}}}``, and
forward calls them by the instance's name (``h = linear1(x)``); ``ir`` inlines the callee's
statements there. Here each instance's parameters become the caller's, after its own: the
callee's ``weight`` is the caller's ``linear1_weight``, PyTorch's ``linear1.weight``, its
dimensions renamed as ``dims`` says. Callees are resolved first (depth first), so an
instance of a composite op brings that op's namespaced parameters too
(``self_attn_out_proj_weight``, PyTorch's ``self_attn.out_proj.weight``). Calls may not form
a cycle.

An instance with ``count: levels`` (a structural int attribute) stands for copies
``level0``, ``level1``, ... called in a chain (``_copies``); the parameters of the copies
that the smallest count does not reach are given only where the count reaches them
(``TensorDecl.counted``).
"""

from __future__ import annotations

import dataclasses

from .errors import Collector, did_you_mean
from .ir import uncallable
from .spec import CallDecl, OpSpec, TensorDecl
from .shapes import Shape


def resolve_calls(ops: dict[str, OpSpec], errors: Collector,
                  done: dict[str, OpSpec] | None = None) -> dict[str, OpSpec]:
    """Every op with its called instances' parameters added; ops whose calls are wrong (an
    unknown op, a cycle, unbound dimensions, clashing names) are reported and left out.
    ``done`` holds ops resolved before (layerforge's own, under a user's specs)."""
    resolved: dict[str, OpSpec] = dict(done or {})
    failed: set[str] = set()
    for name in sorted(ops):
        _resolve(name, ops, resolved, failed, [], errors)
    return resolved


def _resolve(name: str, ops: dict[str, OpSpec], resolved: dict[str, OpSpec], failed: set[str],
             path: list[str], errors: Collector) -> OpSpec | None:
    if name in resolved:
        return resolved[name]
    if name in failed:
        return None
    spec = ops[name]
    if not spec.calls:
        resolved[name] = spec
        return spec
    path = path + [name]
    added: list[TensorDecl] = []
    torch_names: list[tuple[str, str]] = list(spec.torch_names)
    taken = {d.name: "an array" for d in spec.arrays} | {a.name: "an attribute" for a in spec.attributes}
    taken |= {c.name: "an instance" for c in spec.calls}
    ok = True
    copies: list[CallDecl] = []
    instances: list[CallDecl] = []
    for decl in spec.calls:
        if decl.count is None:
            instances.append(decl)
            continue
        counted = _copies(spec, decl, errors)
        if counted is None:
            ok = False
            continue
        clashes = [copy for copy in counted if copy.name in taken]
        for copy in clashes:
            errors.error(decl.loc, f"spec.calls.{decl.name}: its copy {copy.of[1]} would be named '{copy.name}', which is already {taken[copy.name]}; rename the instance")  # type: ignore[index]
        if clashes:
            ok = False
            continue
        taken |= {copy.name: f"a copy of '{decl.name}'" for copy in counted}
        copies += counted
        instances += counted
    for decl in instances:
        where = f"spec.calls.{decl.name}"
        if decl.op not in ops:
            errors.error(decl.op_loc, f"{where}.op: unknown op '{decl.op}'{did_you_mean(decl.op, ops)}")
            ok = False
            continue
        if decl.op in path:
            cycle = path[path.index(decl.op):] + [decl.op]
            message = ("calls itself" if len(cycle) == 2 else
                       "closes the cycle " + " -> ".join(cycle))
            errors.error(decl.op_loc, f"{where}.op: '{spec.name}' {message}; a spec may not call itself, directly or through others")
            ok = False
            continue
        callee = _resolve(decl.op, ops, resolved, failed, path, errors)
        if callee is None:
            ok = False
            continue
        problem = uncallable(callee)
        if problem is not None:
            errors.error(decl.op_loc, f"{where}.op: '{callee.name}' {problem} and cannot be called")
            ok = False
            continue
        if decl.activation is not None:
            if callee.slot is None:
                errors.error(decl.activation_loc or decl.loc, f"{where}.activation: '{callee.name}' has no activation slot")
                ok = False
            elif ops.get(decl.activation) is None or ops[decl.activation].kind != "activation":
                known = [n for n, s in ops.items() if s.kind == "activation"]
                errors.error(decl.activation_loc or decl.loc, f"{where}.activation: unknown activation '{decl.activation}'{did_you_mean(decl.activation, known)}")
                ok = False
        params = _instance_parameters(decl, callee, where, errors)
        if params is None:
            ok = False
            continue
        if decl.of is not None and decl.of[1] >= min(_choices(spec, decl.of[0])):
            # a later copy: given only where the count reaches it
            count = spec.call(decl.of[0]).count  # type: ignore[union-attr]
            params = [dataclasses.replace(p, optional=True, variants=False, counted=(count, decl.of[1]))
                      for p in params]
        theirs = dict(callee.torch_names)
        for param in params:
            own = param.name[len(decl.name) + 1:]
            if param.name in taken:
                errors.error(decl.loc, f"{where}: its parameter '{own}' would be named '{param.name}', which is already {taken[param.name]}; rename the instance")
                ok = False
                continue
            taken[param.name] = f"a parameter of '{decl.name}'"
            added.append(param)
            torch_names.append((param.name, f"{decl.name}.{theirs.get(own, own)}"))
    if not ok:
        failed.add(name)
        return None
    out = dataclasses.replace(spec, parameters=spec.parameters + tuple(added), torch_names=tuple(torch_names),
                              calls=spec.calls + tuple(copies))
    resolved[name] = out
    return out


def _instance_parameters(decl: CallDecl, callee: OpSpec, where: str, errors: Collector) -> list[TensorDecl] | None:
    """The callee's parameters as the caller's: named ``<instance>_<name>``, dimensions
    renamed by ``dims``, always given (an optional parameter of the callee is required)."""
    dims = dict(decl.dims)
    used = {n for p in callee.parameters for d in p.shape.dims if isinstance(d, str) for n in _names(d)}
    ok = True
    for dim in dims:
        if dim not in used:
            errors.error(decl.loc, f"{where}.dims: '{dim}' is no dimension of a parameter of '{callee.name}'{did_you_mean(dim, used)}")
            ok = False
    for param in callee.parameters:
        for dim in (n for d in param.shape.dims if isinstance(d, str) for n in _names(d)):
            if dim not in dims:
                errors.error(decl.loc, f"{where}.dims: the dimension '{dim}' of '{callee.name}'.{param.name} {param.shape} is not bound (dims: {{{dim}: ...}})")
                ok = False
                dims[dim] = dim  # reported once
    if not ok:
        return None
    out = []
    for param in callee.parameters:
        shape = Shape(tuple(_renamed(d, dims) if isinstance(d, str) else d for d in param.shape.dims), param.shape.ellipsis)
        init = tuple(str(dims.get(d, d)) for d in param.init) if isinstance(param.init, tuple) else param.init
        theirs = dict(callee.torch_names).get(param.name, param.name)
        doc = f"PyTorch's {decl.name}.{theirs}: the {param.name} of {callee.title} '{decl.name}'."
        out.append(dataclasses.replace(param, name=f"{decl.name}_{param.name}", shape=shape, init=init,
                                       optional=False, loc=decl.loc, doc=doc))
    return out


def _names(dim: str) -> list[str]:
    """The dimension names in a dimension: ``E``, or ``E`` of ``3*E`` (a stack of three)."""
    return [part for part in dim.split("*") if not part.isdigit()]


def _renamed(dim: str, dims: dict[str, str | int]) -> str | int:
    """A callee's dimension in the caller's names (``3*E`` with E bound to d_model: ``3*d_model``)."""
    if "*" not in dim:
        return dims.get(dim, dim)
    return "*".join(part if part.isdigit() else str(dims.get(part, part)) for part in dim.split("*"))


def _choices(spec: OpSpec, instance: str) -> tuple[int, ...]:
    decl = spec.call(instance)
    attr = spec.attribute(decl.count) if decl is not None and decl.count else None
    return tuple(int(c) for c in attr.choices) if attr is not None else (1,)


def _copies(spec: OpSpec, decl: CallDecl, errors: Collector) -> list[CallDecl] | None:
    """``level: {op: dense, count: levels, chain: {in_features: H}}``: the instances
    ``level0``, ``level1``, ... up to the largest choice of ``levels``, the first bound by
    ``dims``, the others by ``dims`` updated with ``chain``."""
    where = f"spec.calls.{decl.name}"
    attr = spec.attribute(decl.count or "")
    choices = attr.choices if attr is not None else ()
    if (attr is None or attr.type != "int" or not attr.structural or not choices
            or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 1 for c in choices)):
        known = [a.name for a in spec.attributes if a.type == "int" and a.structural]
        errors.error(decl.count_loc or decl.loc,
                     f"{where}.count: '{decl.count}' must be a structural int attribute whose choices are 1 or more"
                     f"{did_you_mean(decl.count or '', known)}")
        return None
    if max(choices) > MAX_COUNT:  # type: ignore[type-var]
        errors.error(decl.count_loc or decl.loc,
                     f"{where}.count: '{decl.count}' goes up to {max(choices)} copies (each choice a variant with "  # type: ignore[type-var]
                     f"code of its own); a count may reach at most {MAX_COUNT}")
        return None
    later = dict(decl.dims) | dict(decl.chain)
    return [dataclasses.replace(decl, name=f"{decl.name}{k}", dims=decl.dims if k == 0 else tuple(later.items()),
                                count=None, count_loc=None, chain=(), of=(decl.name, k))
            for k in range(max(int(c) for c in choices))]


# A counted instance makes one variant per choice of its count, each with its own chain of
# inlined calls (and CuPy kernels), of up to this many copies: 10 keeps a module readable.
MAX_COUNT = 10
