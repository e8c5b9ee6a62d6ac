"""Variadic inputs (``variadic: true`` on the second of two inputs): add, multiply and
concatenate take any number of inputs, forward(a, b, *more), folded from the left with the
activation applied once at the end, and backward returns one gradient per input, of its
shape. Against PyTorch in float32 and float64 (tolerances of test_layer_parity) and central
finite differences in float64 (see test_optional_parameters)."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import module, spec
from test_layer_parity import DTYPES, compare, draw
from test_optional_parameters import finite_differences

SHAPES = [(3, 4, 5), (5,), (4, 1), (1, 4, 5)]  # broadcast against each other as NumPy


def _run(name, arrays, reference, dtype, attrs):
    mod = module(spec(name))
    y, ctx = mod.forward(*arrays, **attrs)
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    expected = reference(*tensors)
    compare(y, expected, dtype, f"{name} forward")
    dy = draw(y.shape, dtype, seed=10)
    expected.backward(torch.tensor(dy))
    grads = mod.backward(dy, ctx)
    assert len(grads) == len(arrays)
    for i, (grad, tensor) in enumerate(zip(grads, tensors)):
        compare(grad, tensor.grad, dtype, f"{name} grad_{i}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("count", [3, 4])
@pytest.mark.parametrize("name, op", [("add", torch.add), ("multiply", torch.mul)])
def test_add_and_multiply_any_number_of_inputs_broadcast(dtype, count, name, op):
    arrays = [draw(shape, dtype, seed=i) for i, shape in enumerate(SHAPES[:count])]
    _run(name, arrays, lambda *ts: torch.tanh(functools.reduce(op, ts)), dtype, {"activation": "tanh"})
    _run(name, arrays, lambda *ts: F.softsign(functools.reduce(op, ts)), dtype, {"activation": "softsign"})
    if dtype == np.float64:
        small = [draw(shape, dtype, seed=i) for i, shape in enumerate([(2, 3), (3,), (2, 1), (1, 3)][:count])]
        finite_differences(name, dict(zip("abcd", small)), {"activation": "tanh"})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_any_number_of_inputs_along_any_axis(dtype, axis):
    shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4], [2, 3, 4]]
    for i, shape in enumerate(shapes):
        shape[axis] = i + 1
    arrays = [draw(tuple(s), dtype, seed=i) for i, s in enumerate(shapes)]
    _run("concatenate", arrays, lambda *ts: torch.cat(ts, dim=axis), dtype, {"axis": axis})
    if dtype == np.float64:
        finite_differences("concatenate", dict(zip("abcd", arrays)), {"axis": axis, "activation": "sigmoid"})


def test_folded_context_is_checked_like_any_other():
    add = module(spec("add"))
    x = np.ones((2, 3))
    y, ctx = add.forward(x, x, x)
    with pytest.raises(ValueError, match="add: argument 'grad_y' must have shape"):
        add.backward(np.ones((3, 2)), ctx)
    with pytest.raises(ValueError, match="add: argument 'b' has leading dimensions|add: .*broadcast"):
        add.forward(x, x, np.ones((4, 3)))
