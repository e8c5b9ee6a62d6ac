"""Composition: a spec that calls other specs (``calls:``), resolved once every spec is read.

A caller declares instances of other ops, ``calls: {linear1: {op: dense, dims: {...}}}``, and
forward calls them by the instance's name (``h = linear1(x)``); ``ir`` inlines the callee's
statements there. Here each instance's parameters become the caller's, after its own: the
callee's ``weight`` is the caller's ``linear1_weight``, PyTorch's ``linear1.weight``, its
dimensions renamed as ``dims`` says. Callees are resolved first (depth first), so an
instance of a composite op brings that op's namespaced parameters too
(``self_attn_out_proj_weight``, PyTorch's ``self_attn.out_proj.weight``). Calls may not form
a cycle.
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
    for decl in spec.calls:
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
    out = dataclasses.replace(spec, parameters=spec.parameters + tuple(added), torch_names=tuple(torch_names))
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
