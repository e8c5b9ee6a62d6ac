"""The numeric test harness, driven by the specs' metadata.

Inputs are built from each spec's declared shapes (every named dimension gets its own size,
so no test is ever square by accident), its ``test:`` section (kinks to stay away from, sizes
a dimension must take, attribute values, a surrogate gradient), and the batch size.
"""

from __future__ import annotations

import functools
import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from transpiler.pipeline import KIND_DIRS, Catalog, Paths, load_catalog
from transpiler.shapes import base_dimension
from transpiler.spec import OpSpec

ROOT = Path(__file__).resolve().parent.parent
PATHS = Paths(ROOT)

# Distinct sizes for named dimensions: no two equal, none equal to a batch size used in tests.
DEFAULT_SIZES = {"F": 7, "in_features": 5, "out_features": 3}
FALLBACK_SIZES = (11, 13, 17, 19)
BATCH_SIZES = (1, 32, 128)


@functools.lru_cache(maxsize=1)
def catalog() -> Catalog:
    return load_catalog(PATHS)


def spec(name: str) -> OpSpec:
    return catalog().ops[name]


def names(kind: str) -> list[str]:
    """The ops of a kind that the spec-driven checks cover: all but wrappers (``wrap:``,
    time_distributed), which have no arrays or statements of their own and are tested with
    the layers they wrap (test_time_distributed)."""
    return sorted(n for n, s in catalog().of_kind(kind).items() if s.wrap is None)


def module(spec_: OpSpec) -> ModuleType:
    return importlib.import_module(f"layerforge.{KIND_DIRS[spec_.kind]}.{spec_.name}")


def sizes(spec_: OpSpec, batch: int) -> dict[str, int]:
    out = {"B": batch, **DEFAULT_SIZES, **spec_.test.get("dims", {})}
    chosen = spec_.test.get("attributes", {})
    for attr in spec_.attributes:  # D_over_<attribute>: D divided by the attribute's value
        if attr.divides and attr.divides in out:
            out[f"{attr.divides}_over_{attr.name}"] = out[attr.divides] // chosen.get(attr.name, attr.default)
    fallback = iter(FALLBACK_SIZES)
    for decl in spec_.arrays:
        for dim in map(base_dimension, decl.shape.dims):
            if isinstance(dim, str) and dim not in out:
                out[dim] = next(fallback)
    return out


def size_of(dim, dims: dict[str, int]) -> int:
    """A declared dimension's size: 1, a named size, or a multiple of one (4*hidden_size)."""
    if not isinstance(dim, str):
        return dim
    factor, _, name = dim.rpartition("*")
    return int(factor or 1) * dims[name]


def shape_of(decl, dims: dict[str, int], batch: int) -> tuple[int, ...]:
    lead = (batch,) if decl.shape.ellipsis else ()
    return lead + tuple(size_of(d, dims) for d in decl.shape.dims)


def away_from_kinks(x: np.ndarray, kinks: list[float], margin: float = 1e-2) -> np.ndarray:
    """Move points within ``margin`` of a kink to a safe distance on the same side."""
    x = x.copy()
    for kink in kinks:
        near = np.abs(x - kink) < margin
        x[near] = kink + np.where(x[near] >= kink, 2 * margin, -2 * margin)
    return x


def make_arrays(spec_: OpSpec, batch: int, dtype, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    dims = sizes(spec_, batch)
    low, high = spec_.test.get("range", [-3.0, 3.0])
    kinks = spec_.test.get("kinks", [])
    arrays: dict[str, np.ndarray] = {}
    for decl in spec_.arrays:
        shape = shape_of(decl, dims, batch)
        if decl.dtype == "int":  # ids: every row of the table they index
            arrays[decl.name] = rng.integers(0, dims[decl.below], size=shape)
            continue
        if spec_.scan is not None and decl.dtype == "mask" and decl.name in spec_.scan.sequences:
            # the steps that count (True), about three quarters, every sequence's first one
            # on (checked); the spec's test attributes keep time first ([T, B])
            mask = rng.random(shape) < 0.75
            mask[0] = True
            arrays[decl.name] = mask
            continue
        if decl.dtype == "mask":  # a bool mask hiding about a quarter, never a whole row: a
            mask = rng.random(shape) < 0.25  # query that sees no key is a case of its own
            mask[..., 0] = False
            arrays[decl.name] = mask
            continue
        if decl in spec_.parameters:
            values = rng.uniform(-1.0, 1.0, size=shape)
        elif decl in spec_.buffers:
            values = rng.uniform(0.5, 1.5, size=shape)  # state such as running variances: positive
        else:
            values = away_from_kinks(rng.uniform(low, high, size=shape), kinks)
        arrays[decl.name] = values.astype(dtype)
    return arrays


def entry_arrays(spec_: OpSpec, entry, dtype, seed: int = 0) -> dict[str, np.ndarray]:
    """Arrays for an entry point's inputs, sized as the op's (``test: {dims: ...}``), values
    0 or 1 where the spec's ``test: {binary: [...]}`` names them (rules that compare with
    1), uniform in [0, 1) otherwise (probabilities, states, weights)."""
    from transpiler.entry import entry_spec

    rng = np.random.default_rng(seed)
    sub = entry_spec(spec_, entry)
    dims = {**sizes(spec_, 4), **sizes(sub, 4)}
    binary = spec_.test.get("binary", [])
    out = {}
    for decl in sub.arrays:
        shape = shape_of(decl, dims, 4)
        values = rng.integers(0, 2, size=shape) if decl.name in binary else rng.uniform(0.0, 1.0, size=shape)
        out[decl.name] = values.astype(dtype)
    return out


def attributes(spec_: OpSpec, training: bool | None = None) -> dict[str, Any]:
    attrs = dict(spec_.test.get("attributes", {}))
    if training is not None and spec_.attribute("training") is not None:
        attrs["training"] = training
    return attrs


def modes(spec_: OpSpec) -> list[bool | None]:
    return [True, False] if spec_.attribute("training") is not None else [None]


def run_forward(spec_: OpSpec, arrays: dict[str, np.ndarray], attrs: dict[str, Any], seed: int = 1234,
                mod: ModuleType | None = None, generator=np.random.default_rng):
    """Forward with a fresh generator of a fixed seed, so random draws repeat exactly."""
    mod = mod or module(spec_)
    arrays = counted_to(spec_, arrays, attrs)
    kwargs = dict(attrs)
    if spec_.random:
        kwargs["rng"] = generator(seed)
    return mod.forward(*(arrays[d.name] for d in spec_.arrays), **kwargs)


def counted_to(spec_: OpSpec, arrays: dict[str, Any], attrs: dict[str, Any]) -> dict[str, Any]:
    """``arrays`` with the parameters of a counted instance's copies beyond the count (``calls:
    {level: {count: levels}}``, ``attrs`` or the attribute's default) left out (None)."""
    out = dict(arrays)
    for decl in spec_.arrays:
        if decl.counted is not None:
            count, index = decl.counted
            if not attrs.get(count, spec_.attribute(count).default) > index:
                out[decl.name] = None
    return out


def as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def differentiable(spec_: OpSpec, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays backward returns gradients for (inputs and parameters, not buffers)."""
    return {d.name: arrays[d.name] for d in spec_.differentiable}


def grad_outputs(spec_: OpSpec, outputs) -> tuple:
    """The outputs backward takes gradients for (not state outputs such as running statistics)."""
    return tuple(o for name, o in zip(spec_.outputs, as_tuple(outputs)) if name not in spec_.nondifferentiable)


def central_differences(loss, arrays: list[np.ndarray], index: int, eps: float = 1e-6) -> np.ndarray:
    """The gradient of the scalar ``loss(values)`` with respect to ``arrays[index]``, entry by
    entry, by central differences (float64: truncation O(eps**2) ~ 1e-12 times the third
    derivative, rounding about 1e-16 / eps = 1e-10 relative). ``arrays`` is left as it was."""
    values = list(arrays)
    target = values[index] = arrays[index].copy()
    numeric = np.zeros_like(target)
    for position in np.ndindex(target.shape):
        saved = target[position]
        target[position] = saved + eps
        up = loss(values)
        target[position] = saved - eps
        down = loss(values)
        target[position] = saved
        numeric[position] = (up - down) / (2 * eps)
    return numeric


def finite_differences(name, arrays, attrs, step=1e-6, rtol=1e-6, seed=3):
    """<grad, v> against the central difference of sum(forward * dy) along v, in float64
    (truncation O(step^2), rounding ~eps / step: far below rtol on the scale of the terms)."""
    rng = np.random.default_rng(seed)
    mod = module(spec(name))
    y, ctx = mod.forward(*arrays, **attrs)
    dy = rng.standard_normal(y.shape)
    grads = mod.backward(dy, ctx)
    grads = grads if isinstance(grads, tuple) else (grads,)
    for i, grad in enumerate(grads):
        v = rng.standard_normal(arrays[i].shape)
        plus, minus = list(arrays), list(arrays)
        plus[i], minus[i] = arrays[i] + step * v, arrays[i] - step * v
        numeric = (np.sum(mod.forward(*plus, **attrs)[0] * dy) - np.sum(mod.forward(*minus, **attrs)[0] * dy)) / (2 * step)
        analytic = float(np.sum(grad * v))
        assert abs(numeric - analytic) <= rtol * max(1.0, float(np.sum(np.abs(grad * v)))), (name, attrs, i, numeric, analytic)
