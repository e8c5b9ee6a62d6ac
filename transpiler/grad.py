"""Reverse-mode differentiation of a forward ``Function`` at generation time.

Walks the forward statements backwards; for each operand that needs a gradient it
instantiates the primitive's derivative rule (an expression over ``grad``, ``result``, the
operands and the statics) and sums it back to the operand's shape. Contributions to one value
are added together when the walk reaches the value's definition.

What backward reads from forward becomes the saved context, so rules written in terms of
``result`` (sigmoid, tanh, exp) make forward save its output rather than its input.
"""

from __future__ import annotations

from typing import Iterator

from . import shapes
from .errors import Collector, Location
from .expr import Assign, Expr, If
from .ir import ABSENT, Builder, Const, Function, Operand, Stmt, Value, branch_taken, eliminate_dead_code
from .primitives import Primitives
from .shapes import ShapeError
from .spec import AttrValue, OpSpec


def grad_name(name: str) -> str:
    return f"grad_{name}"


def differentiable_values(fn: Function, prims: Primitives) -> set[str]:
    """Forward values that depend on an input or parameter through differentiable operands."""
    needs = {n for n in fn.params if fn.values[n].role in ("input", "param")}
    for stmt in fn.body:
        prim = prims[stmt.prim]
        for arg_name, operand in zip(prim.args, stmt.args):
            if isinstance(operand, str) and operand in needs and arg_name not in prim.nondifferentiable:
                needs.add(stmt.target)
                break
    return needs


def build_backward(spec: OpSpec, fn: Function, prims: Primitives, errors: Collector,
                   counter: Iterator[int], explicit: bool = True,
                   structural: dict[str, AttrValue] | None = None, in_scan: bool = False) -> Function | None:
    """The backward function of ``fn``: from the spec's ``backward:`` if it has one (and
    ``explicit``), else derived by reverse-mode differentiation. ``structural`` holds the
    variant's structural values, for ``if`` statements of an explicit backward.
    ``in_scan``: ``fn`` is a part of a scan's step, whose values the driver stacks over
    the steps while a parameter is one array for all of them. An operand broadcast over
    every leading axis of rows [..., F] (a bias) then gets its gradient summed by the
    gradient's shape alone (``sum_leading``), so that it is not saved for its shape, and a
    parameter counts as at hand for recomputing values (see ``rematerialize``)."""
    values = dict(fn.values)
    builder = Builder(prims, errors, values, counter)
    builder.leading_sums = in_scan
    arrays = [n for n in fn.params if fn.values[n].role in ("input", "param")]
    absent = [n for n in fn.params if fn.values[n].role == "absent"]
    grad_outputs: list[str] = []
    for out_name, operand in zip(spec.outputs, fn.outputs):
        if out_name in spec.nondifferentiable:
            continue
        name = grad_name(out_name)
        shape = values[operand].shape if isinstance(operand, str) else None
        values[name] = Value(shape, "float", "grad")
        grad_outputs.append(name)
    if explicit and spec.backward is not None:
        results = _explicit(spec, fn, builder, grad_outputs, structural or {})
    else:
        results = _derive(spec, fn, builder, grad_outputs, arrays, regions=explicit)
    if results is None:
        return None
    if absent:  # an absent parameter's gradient is None, in its place
        given = iter(results) if not (explicit and spec.backward is not None) else None
        if given is not None:
            results = [ABSENT if d.name in absent else next(given) for d in spec.differentiable]
    body = rematerialize(fn, builder.body, results, prims, in_scan)
    forward_names = [n for n in values if n in fn.values]
    read = {r for s in body for r in s.reads()} | {r for r in results if isinstance(r, str)}
    defined = {s.target for s in body}
    saved = [n for n in forward_names if n in read and n not in defined and n not in grad_outputs]
    backward = Function(fn.name.replace("_forward", "_backward", 1), grad_outputs + saved,
                        body, list(results), values)
    eliminate_dead_code(backward)
    defined = {s.target for s in backward.body}
    for name in list(values):
        if name not in fn.values and name not in grad_outputs and name not in defined:
            del values[name]
    return backward


def rematerialize(fn: Function, body: list[Stmt], results: list[Operand], prims: Primitives,
                  in_scan: bool = False) -> list[Stmt]:
    """Recompute cheap forward values in backward instead of saving them.

    A forward value that backward reads is recomputed when it comes from elementwise or view
    (reshape, index), non-random statements down to leaves that are saved anyway (inputs,
    parameters, attributes, other saved values). GELU then saves ``x`` alone rather than six
    temporaries; Dense keeps ``z`` because recomputing it would mean saving the matrix
    product instead, and Dense+GELU recomputes its GELU values from that ``z``. ``in_scan``
    (a scan's part, see ``build_backward``): a parameter is such a leaf even where backward
    would not read it otherwise (it is then kept for the recomputation).
    """
    cheap = {
        s.target: s for s in fn.body
        if (prims[s.prim].kind == "elementwise" or prims[s.prim].view) and s.target not in fn.outputs
    }
    read = {r for s in body for r in s.reads()} | {r for r in results if isinstance(r, str)}
    if in_scan:  # a value read for its shape alone is not worth recomputing others from
        read = {r for s in body for r in _value_reads(s, prims)} | {r for r in results if isinstance(r, str)}
    saved = {n for n in fn.values if n in read}
    # attributes cost nothing to keep; in a scan's step a parameter is one array beside a
    # value of every step: worth keeping to recompute from (`alpha + end_transitions`)
    free = {n for n, v in fn.values.items() if v.role == "attr" or in_scan and v.role == "param"}
    # Whether an unsaved cheap value can be recomputed from saved or free values. Once known
    # it holds for the rest of the walk: ``saved`` only loses values whose own operands can
    # be had, and a value that cannot be had stays so (it reaches an unsaved costly one).
    known: dict[str, bool] = {}

    def available(name: str) -> bool:
        """Can backward have ``name``: saved, free, or recomputed from such? (Iterative:
        chains of cheap values may be thousands of statements long.)"""
        stack = [name]
        while stack:
            current = stack[-1]
            if current in saved or current in free or current in known:
                stack.pop()
                continue
            if current not in cheap:
                known[current] = False
                stack.pop()
                continue
            pending = [d for d in cheap[current].reads() if not (d in saved or d in free or d in known)]
            if pending:
                stack.extend(pending)
                continue
            known[current] = all(d in saved or d in free or known[d] for d in cheap[current].reads())
            stack.pop()
        return name in saved or name in free or known[name]

    recomputed: set[str] = set()
    changed = True
    while changed:
        changed = False
        for stmt in fn.body:
            name = stmt.target
            if name in saved and name in cheap and all(available(d) for d in cheap[name].reads()):
                saved.discard(name)
                known[name] = True
                recomputed.add(name)
                changed = True
    if not recomputed:
        return body
    needed: set[str] = set()
    stack = list(recomputed)
    while stack:
        name = stack.pop()
        if name in cheap and name not in saved and name not in needed:
            needed.add(name)
            stack.extend(cheap[name].reads())
    prefix = [s for s in fn.body if s.target in needed]
    return prefix + body


def _value_reads(stmt: Stmt, prims: Primitives) -> list[str]:
    """The names ``stmt`` reads for their values: not an operand read for its shape alone."""
    prim = prims[stmt.prim]
    names = [prim.args[i] if i < len(prim.args) else None for i in range(len(stmt.args))]
    return [a for n, a in zip(names, stmt.args) if isinstance(a, str) and n not in prim.shape_only] + [
        v for _, v in stmt.statics if isinstance(v, str)]


def saved_values(backward: Function, n_grad_outputs: int) -> list[str]:
    """Forward values that backward reads, in forward order: what ``ctx`` must hold."""
    return backward.params[n_grad_outputs:]


def _explicit(spec: OpSpec, fn: Function, builder: Builder, grad_outputs: list[str],
              structural: dict[str, AttrValue]) -> list[Operand] | None:
    errors = builder.errors
    env: dict[str, Operand] = {}
    # Every forward name is visible: inputs, parameters, attributes, spec-named values.
    for name in fn.values:
        env[name] = ABSENT if fn.values[name].role == "absent" else name
    for out in grad_outputs:
        env[out] = out
    assert spec.backward is not None
    if not _explicit_statements(spec, spec.backward, builder, env, structural):
        return None
    results: list[Operand] = []
    for decl in spec.differentiable:
        name = grad_name(decl.name)
        if fn.values.get(decl.name, Value(None, "", "")).role == "absent":
            results.append(ABSENT)
            continue
        if name not in env:
            errors.error(spec.loc, f"spec.backward must assign '{name}'")
            return None
        results.append(env[name])
    return results


def _explicit_statements(spec: OpSpec, stmts, builder: Builder, env: dict[str, Operand],
                         structural: dict[str, AttrValue]) -> bool:
    """The statements of an explicit backward; ``if`` on a structural attribute picks the
    variant's side, as in forward."""
    errors = builder.errors
    for stmt in stmts:
        if isinstance(stmt, If):
            taken = branch_taken(spec, stmt, structural, errors)
            if taken is None:
                return False
            if not _explicit_statements(spec, stmt.body if taken else stmt.orelse, builder, env, structural):
                return False
            continue
        if stmt.target in env:
            errors.error(stmt.loc, f"'{stmt.target}' is assigned twice; every name is assigned once")
            return False
        if stmt.target.startswith("grad_") and env.get(stmt.target[5:]) == ABSENT:
            continue  # the gradient of an absent optional array: None, never computed
        result = builder.expr(stmt.value, env, target=stmt.target, role="grad")
        if result is None:
            return False
        env[stmt.target] = result
    return True


def _derive(spec: OpSpec, fn: Function, builder: Builder, grad_outputs: list[str],
            arrays: list[str], regions: bool = True) -> list[Operand] | None:
    prims = builder.prims
    errors = builder.errors
    needs = differentiable_values(fn, prims)
    contributions: dict[str, list[Operand]] = {}
    differentiable = [o for name, o in zip(spec.outputs, fn.outputs) if name not in spec.nondifferentiable]
    for operand, grad_out in zip(differentiable, grad_outputs):
        if isinstance(operand, str):
            contributions.setdefault(operand, []).append(grad_out)
    ok = True
    fused_regions = fn.regions if regions else []
    inside_regions = {t for r in fused_regions for t in r.targets if t != r.output}
    for stmt in reversed(fn.body):
        if stmt.target not in needs or stmt.target not in contributions:
            continue
        grad = _accumulate(builder, stmt.target, contributions.pop(stmt.target), named=not stmt.target.startswith("_"),
                           pending=contributions)
        _assume_value_shape(builder, grad, fn.values[stmt.target])
        # the outermost region ending here (a called op's, around its fused activation's)
        region = max((r for r in fused_regions if r.output == stmt.target), key=lambda r: len(r.targets), default=None)
        if region is not None:
            gradients = _region_backward(builder, region, grad)
            if gradients is None:
                ok = False
                continue
            for source, value in gradients:
                if isinstance(source, str) and source in needs:
                    contributions.setdefault(source, []).append(value)
            continue
        if stmt.target in inside_regions:
            continue
        prim = prims[stmt.prim]
        for arg_name, operand in zip(prim.args, stmt.args):
            if not isinstance(operand, str) or operand not in needs or arg_name in prim.nondifferentiable:
                continue
            rule = prim.rule(arg_name)
            if rule is None:
                errors.error(stmt.loc, f"primitive '{prim.name}' has no derivative rule for its operand '{arg_name}'")
                ok = False
                continue
            env: dict[str, Operand] = {"grad": grad, "result": stmt.target}
            env.update(zip(prim.args, stmt.args))
            env.update(stmt.statics)
            contribution = _instantiate(builder, rule, env)
            if contribution is None:
                ok = False
                continue
            contribution = _sum_to(builder, contribution, operand, stmt, fn)
            if contribution is not None:
                contributions.setdefault(operand, []).append(contribution)
    if not ok:
        return None
    results: list[Operand] = []
    for name in arrays:
        parts = contributions.pop(name, [])
        if parts:
            results.append(_accumulate(builder, name, parts, named=True, pending=contributions, given=results))
        else:
            zero = builder.call(prims["zeros_like"], [name], {}, fn.body[0].loc if fn.body else spec.loc,
                                target=grad_name(name), role="grad")
            assert zero is not None
            results.append(zero)
    return results


def _region_backward(builder: Builder, region, grad: Operand) -> list[tuple[Operand, Operand]] | None:
    """Apply a fused activation's or a called op's explicit backward to the gradient of its
    output: (operand, gradient) for each of its inputs and parameters."""
    op = region.activation
    env: dict[str, Operand] = dict(region.env)
    env[grad_name(op.outputs[0])] = grad
    structural = dict(region.structural)
    stack = list(reversed(op.backward))
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, If):
            if not region.prefix:
                builder.errors.error(stmt.loc, "spec.backward may not branch")
                return None
            taken = branch_taken(op, stmt, structural, builder.errors)
            if taken is None:
                return None
            stack.extend(reversed(stmt.body if taken else stmt.orelse))
            continue
        # a called op's names take its instance's prefix: norm1_scale, grad_norm1_weight
        plain = stmt.target.removeprefix("grad_")
        named = f"grad_{region.prefix}{plain}" if plain != stmt.target else region.prefix + plain
        target = _fresh_name(builder, named) if region.prefix else None
        result = builder.expr(stmt.value, env, target=target, role="grad")
        if result is None:
            return None
        env[stmt.target] = result
    out: list[tuple[Operand, Operand]] = []
    for decl in op.differentiable:
        name = grad_name(decl.name)
        if name not in env:
            builder.errors.error(op.loc, f"spec.backward must assign '{name}'")
            return None
        out.append((env[decl.name], env[name]))
    return out


def _fresh_name(builder: Builder, name: str) -> str:
    """``name``, or ``name_2``, ... : the first not yet taken in this function."""
    candidate, n = name, 1
    while candidate in builder.values:
        n += 1
        candidate = f"{name}_{n}"
    return candidate


def _instantiate(builder: Builder, rule: Expr, env: dict[str, Operand]) -> Operand | None:
    return builder.expr(rule, env)


def _accumulate(builder: Builder, name: str, parts: list[Operand], named: bool,
                pending: dict[str, list[Operand]] | None = None, given: list[Operand] | None = None) -> Operand:
    """The sum of the gradient contributions to ``name``, bound to ``grad_<name>`` if named.
    A lone contribution is renamed unless another value's ``pending`` contributions hold it
    too (``x + f``: both operands get the sum's gradient itself) or it was ``given`` already
    as an earlier array's gradient (``a + b`` of two parameters, each gradient the sum's
    own, accumulated one after the other: renaming it for the second would leave the first
    naming a value no statement defines). The name is taken only if
    it is free: an output that later statements also read has its incoming gradient
    ``grad_<name>`` among the contributions, and the sum is a new value."""
    target = grad_name(name) if named and grad_name(name) not in builder.values else None
    joined = _joined_blocks(builder, parts, target)
    if joined is not None:
        return joined
    if len(parts) == 1:
        only = parts[0]
        shared = (pending is not None and any(only in others for others in pending.values())) or only in (given or ())
        if target and isinstance(only, str) and not shared and _rename_last(builder, only, target):
            return target
        return only
    loc = builder.body[-1].loc if builder.body else Location("<generated>")
    while len(parts) > SUM_GROUP:
        # Many contributions (a value read by hundreds of statements) are summed in groups,
        # then the group sums: the expressions the passes inline stay shallow.
        parts = [_add_all(builder, parts[i:i + SUM_GROUP], loc, None) for i in range(0, len(parts), SUM_GROUP)]
    return _add_all(builder, parts, loc, target)


def _joined_blocks(builder: Builder, parts: list[Operand], target: str | None) -> Operand | None:
    """Contributions that place every block of one value (``chunk_place`` of blocks 0 .. n-1
    of n, along one axis: the gradient of packed gates) joined in one allocation instead of n
    zero-filled arrays added together; None where they are not."""
    if not 2 <= len(parts) <= 4 or not all(isinstance(p, str) for p in parts):
        return None
    made = {s.target: s for s in builder.body if s.target in parts and s.prim == "chunk_place"}
    if len(made) != len(parts):
        return None
    statics = [dict(made[p].statics) for p in parts]  # type: ignore[index]
    likes = {made[p].args[1] for p in parts}  # type: ignore[index]
    keys = {(st["pieces"], st["axis"]) for st in statics}
    if len(likes) != 1 or len(keys) != 1:
        return None
    pieces, axis = next(iter(keys))
    indices = [st["index"] for st in statics]
    if not (isinstance(pieces, Const) and pieces.value == len(parts) and isinstance(axis, Const)
            and all(isinstance(i, Const) for i in indices)
            and sorted(i.value for i in indices) == list(range(len(parts)))):  # type: ignore[union-attr]
        return None
    blocks = [made[p].args[0] for _, p in sorted(zip((i.value for i in indices), parts))]  # type: ignore[union-attr, index]
    like = next(iter(likes))
    loc = made[parts[0]].loc  # type: ignore[index]
    prim, statics = builder.prims[f"join_blocks_{len(parts)}"], {"axis": axis}
    heads = _merged_heads(builder, blocks, axis, set(parts))  # type: ignore[arg-type]
    if heads is not None:  # attention's q, k, v from their heads: joined head by head, one copy
        blocks = [next(s for s in builder.body if s.target == b).args[0] for b in blocks]
        prim, statics = builder.prims["join_heads_3"], {"heads": heads}
    result = builder.call(prim, blocks, statics, loc, target=target if target not in builder.values else None, role="grad")
    if isinstance(result, str):
        builder.values[result] = Value(builder.shape_of(like), "float", "grad")
    return result


def _merged_heads(builder: Builder, blocks: list[Operand], axis: Operand, placed: set[str]) -> Operand | None:
    """The heads count, where three blocks joined along the last axis are each the
    merge_heads of a value (by the same count): they are then joined straight from those
    values (join_heads_3); a merged block nothing else reads is then dead. None otherwise."""
    if len(blocks) != 3 or not (isinstance(axis, Const) and axis.value == -1):
        return None
    made = {s.target: s for s in builder.body if s.target in blocks and s.prim == "merge_heads"}
    if len(made) != 3:
        return None
    counts = {dict(made[b].statics)["heads"] for b in blocks}  # type: ignore[index]
    if len(counts) != 1 or any(not isinstance(made[b].args[0], str) for b in blocks):  # type: ignore[index]
        return None
    readers = [s for s in builder.body if s.target not in placed and any(b in s.reads() for b in blocks)]
    if readers:  # a merged block read elsewhere than where it is placed would be made twice
        return None
    return next(iter(counts))


# How many gradient contributions are added one after another before sums are grouped.
SUM_GROUP = 8


def _add_all(builder: Builder, parts: list[Operand], loc: Location, target: str | None) -> Operand:
    total = parts[0]
    add = builder.prims["add"]
    for i, part in enumerate(parts[1:], start=2):
        last = i == len(parts)
        result = builder.call(add, [total, part], {}, loc, target=target if last else None, role="grad")
        assert result is not None
        total = result
    return total


def _rename_last(builder: Builder, temp: str, target: str) -> bool:
    """Give a fresh, not yet used temporary a readable name."""
    if not temp.startswith("_t") or target in builder.values:
        return False
    for index in range(len(builder.body) - 1, -1, -1):
        stmt = builder.body[index]
        if stmt.target == temp:
            builder.body[index] = Stmt(target, stmt.prim, stmt.args, stmt.statics, stmt.loc)
            builder.values[target] = Value(builder.values[temp].shape, builder.values[temp].dtype, "grad")
            del builder.values[temp]
            return True
        if temp in stmt.reads():
            return False
    return False


def _assume_value_shape(builder: Builder, grad: Operand, value: Value) -> None:
    """A gradient has the shape of its value: where the rules could not tell (a primitive of
    unknown shape downstream), take the forward value's shape, so broadcasting is undone."""
    if isinstance(grad, str) and value.shape is not None:
        current = builder.values[grad]
        if current.shape is None and current.role in ("grad", "temp"):
            builder.values[grad] = Value(value.shape, current.dtype, current.role)


def _sum_to(builder: Builder, contribution: Operand, operand: str, stmt: Stmt,
            forward: Function | None = None) -> Operand | None:
    """Undo broadcasting: sum ``contribution`` down to the shape of ``operand``.

    A contribution of unknown shape to an operand of known shape is summed at run time when
    it comes from a broadcasting primitive; the rules of other primitives give the operand's
    own shape."""
    source = builder.shape_of(contribution)
    target = builder.shape_of(operand)
    broadcasting = builder.prims[stmt.prim].shape == "broadcast"
    if source is None and target is not None and not target.is_scalar and broadcasting:
        return builder.call(builder.prims["sum_to"], [contribution, operand], {}, stmt.loc)
    if target is None and broadcasting and not (source is not None and source.is_scalar) and _reduced(builder, forward, operand):
        # A reduction over an attribute's axis (shape unknown until run time) kept that axis
        # as 1 and was broadcast back: only run time can tell along which axis to sum.
        return builder.call(builder.prims["sum_to"], [contribution, operand], {}, stmt.loc)
    if source is None or target is None or source == target:
        return contribution
    if source.is_scalar and not target.is_scalar:
        return contribution  # a scalar broadcasts back by itself
    try:
        axes = shapes.sum_to_axes(source, target)
    except ShapeError as exc:
        builder.errors.error(stmt.loc, f"gradient of '{operand}': {exc}")
        return None
    prims = builder.prims
    if axes is None and builder.leading_sums and not target.ellipsis and source.dims[-target.rank:] == target.dims:
        # every leading axis, whatever their count: the gradient's shape says which, and
        # backward need not keep the operand (a scan's bias) for its shape alone
        result = builder.call(prims["sum_leading"], [contribution], {"rank": Const(target.rank)}, stmt.loc)
        builder.values[result] = Value(target, "float", "temp")  # type: ignore[index]
        return result
    if axes is None:
        return builder.call(prims["sum_to"], [contribution, operand], {}, stmt.loc)
    leading, kept = axes
    result: Operand = contribution
    for axis_list, prim in ((leading, "sum_axes"), (kept, "sum_axes_keepdims")):
        if axis_list:
            axis = axis_list[0] if len(axis_list) == 1 else tuple(axis_list)
            result = builder.call(prims[prim], [result], {"axis": Const(axis)}, stmt.loc)  # type: ignore[assignment]
            last = prim == "sum_axes_keepdims" or not kept
            builder.values[result] = Value(target if last else None, "float", "temp")  # type: ignore[index]
    return result



def _reduced(builder: Builder, forward: Function | None, name: str) -> bool:
    """Is ``name`` made by a reduction that keeps its axes (shape rule ``reduce``)?"""
    made = forward.defining(name) if forward is not None else None
    return made is not None and builder.prims[made.prim].shape == "reduce"
