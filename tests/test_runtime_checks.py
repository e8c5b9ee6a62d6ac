"""Every generated op checks its arguments: each class of bad input raises TypeError or
ValueError naming the op, the argument and what was expected; NaN propagates."""

from __future__ import annotations

import numpy as np
import pytest

from harness import attributes, grad_outputs, make_arrays, module, modes, names, run_forward, spec

ALL = names("activation") + names("layer") + names("loss")


def call(name, arrays):
    s = spec(name)
    return run_forward(s, arrays, attributes(s, modes(s)[0]))


@pytest.mark.parametrize("name", ALL)
def test_non_array_argument(name):
    s = spec(name)
    for decl in s.arrays:
        arrays = make_arrays(s, 4, np.float64)
        arrays[decl.name] = arrays[decl.name].tolist()
        with pytest.raises(TypeError, match=f"{name}: argument '{decl.name}' must be a NumPy or CuPy array, got list"):
            call(name, arrays)


@pytest.mark.parametrize("name", ALL)
def test_integer_array_argument(name):
    s = spec(name)
    for decl in s.arrays:
        arrays = make_arrays(s, 4, np.float64)
        if decl.dtype == "int":  # ids: a float array is the wrong one
            arrays[decl.name] = arrays[decl.name].astype(np.float64)
            expected = f"{name}: argument '{decl.name}' must have an integer dtype .*got float64"
        else:
            arrays[decl.name] = arrays[decl.name].astype(np.int32)
            expected = (f"{name}: argument '{decl.name}' must be a bool mask or a float one .*got int32"
                        if decl.dtype == "mask" else f"{name}: argument '{decl.name}' must have dtype .*float64, got int32")
        with pytest.raises(TypeError, match=expected):
            call(name, arrays)


@pytest.mark.parametrize("name", ALL)
def test_wrong_rank(name):
    s = spec(name)
    for decl in s.arrays:
        if decl.shape.ellipsis and not decl.shape.dims:  # any rank will do (ids of any shape)
            continue
        arrays = make_arrays(s, 4, np.float64)
        bad = arrays[decl.name].reshape(-1)[:1].reshape(()) if decl.shape.ellipsis else arrays[decl.name][..., None]
        arrays[decl.name] = bad
        with pytest.raises(ValueError, match=f"{name}: argument '{decl.name}' must have rank"):
            call(name, arrays)


def floats(s):
    """The float arrays (not ids or masks), which share one dtype."""
    return [d.name for d in s.arrays if d.dtype == "float"]


@pytest.mark.parametrize("name", [n for n in ALL if len(floats(spec(n))) > 1])
def test_mixed_dtypes(name):
    s = spec(name)
    arrays = make_arrays(s, 4, np.float64)
    first, *_, last = floats(s)
    arrays[last] = arrays[last].astype(np.float32)
    with pytest.raises(TypeError, match=f"{name}: argument '{last}' has dtype float32 but '{first}' has float64"):
        call(name, arrays)


@pytest.mark.parametrize("name", [n for n in ALL if any(d.dtype == "mask" for d in spec(n).arrays)])
def test_a_float_mask_has_the_dtype_of_the_other_arrays(name):
    s = spec(name)
    arrays = make_arrays(s, 4, np.float64)
    mask = next(d.name for d in s.arrays if d.dtype == "mask")
    arrays[mask] = arrays[mask].astype(np.float32)
    with pytest.raises(TypeError, match=f"{name}: argument '{mask}' is a float mask of dtype float32, but the other arrays have float64"):
        call(name, arrays)


def shared_dimension(s):
    """The last array with a named last dimension that an earlier array also has, or None:
    growing that dimension makes the two disagree. (Concatenate's inputs share no named
    dimension; its leading axes are checked when joining, see test_layers_api.)"""
    for index in range(len(s.arrays) - 1, 0, -1):
        decl = s.arrays[index]
        dim = decl.shape.dims[-1] if decl.shape.dims else None
        if isinstance(dim, str) and any(dim in other.shape.dims for other in s.arrays[:index]):
            return decl
    return None


@pytest.mark.parametrize("name", [n for n in ALL if shared_dimension(spec(n)) is not None])
def test_inconsistent_dimension(name):
    s = spec(name)
    arrays = make_arrays(s, 4, np.float64)
    last = shared_dimension(s)
    grown = np.concatenate([arrays[last.name], arrays[last.name]], axis=-1)
    arrays[last.name] = grown
    message = (f"{name}: argument '{last.name}' of shape .* does not broadcast" if s.broadcast
               else f"{name}: argument '{last.name}' has {last.shape.dims[-1]} = ")
    with pytest.raises(ValueError, match=message):
        call(name, arrays)


@pytest.mark.parametrize("name", ALL)
def test_gradient_argument_is_checked(name):
    s = spec(name)
    y, ctx = call(name, make_arrays(s, 4, np.float64))
    grads = [np.ones_like(o) for o in grad_outputs(s, y)]
    grads[0] = None
    with pytest.raises(TypeError, match=f"{name}: argument 'grad_{s.grad_outputs[0]}' must be a NumPy or CuPy array"):
        module(s).backward(*grads, ctx)


STEP_FUNCTIONS = {"binary_spiking"}  # 1 if x >= threshold else 0: NaN compares false, as a step does


@pytest.mark.parametrize("name", [n for n in names("activation") if n not in STEP_FUNCTIONS])
def test_nan_propagates(name):
    s = spec(name)
    arrays = make_arrays(s, 4, np.float64)
    arrays["x"][0, 1] = np.nan
    y, _ = call(name, arrays)
    assert np.isnan(y[0]).any(), f"{name}: NaN in row 0 vanished"
    assert not np.isnan(y[1:]).any(), f"{name}: NaN leaked into other rows"


@pytest.mark.parametrize("name", [n for n in names("activation") if "float16" in spec(n).dtypes])
def test_float16_where_declared(name):
    x = np.linspace(-3, 3, 24, dtype=np.float16).reshape(4, 6)
    y, ctx = module(spec(name)).forward(x)
    dx = module(spec(name)).backward(np.ones_like(y), ctx)
    assert y.dtype == dx.dtype == np.float16
    reference, _ = module(spec(name)).forward(x.astype(np.float32))
    np.testing.assert_allclose(y, reference, rtol=1e-3, atol=1e-3)  # float16: eps 1e-3


def test_float16_refused_where_not_declared():
    with pytest.raises(TypeError, match="gelu: argument 'x' must have dtype float32 or float64, got float16"):
        module(spec("gelu")).forward(np.ones((2, 3), np.float16))
