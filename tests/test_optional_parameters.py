"""Optional parameters (``optional: true`` in a spec): forward given None for one picks the
variant specialized without it, and backward returns None as its gradient. Checked against
PyTorch's functional forms with the same arguments left out (None), forward and backward, in
float32 and float64 (tolerances of test_layer_parity, which explains them), and by central
finite differences in float64: with steps of 1e-6 on values of size ~1, the difference
quotient's truncation and rounding errors are below 1e-7 relative, so rtol 1e-6.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import central_differences, module, spec
from test_layer_parity import DTYPES, compare, draw


def run(name, arrays, torch_fn, dtype, attrs=None, outputs=1):
    """Ours and PyTorch's autograd on the same arrays (None left out) and cotangent."""
    mod = module(spec(name))
    y, ctx = mod.forward(*arrays.values(), **(attrs or {}))
    y = y[0] if outputs > 1 else y
    tensors = {k: None if v is None else torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    expected = torch_fn(**tensors)
    compare(y, expected, dtype, f"{name} forward")
    dy = draw(y.shape, dtype, seed=10)
    expected.backward(torch.tensor(dy))
    grads = mod.backward(dy, ctx)
    for (key, value), grad in zip(arrays.items(), grads):
        if key in ("running_mean", "running_var"):
            continue
        if value is None:
            assert grad is None, f"{name}: the gradient of the absent {key} must be None"
        else:
            compare(grad, tensors[key].grad, dtype, f"{name} grad_{key}")
    return mod


def finite_differences(name, arrays, attrs=None, outputs=1):
    """backward against central differences of <forward, dy> (float64)."""
    mod = module(spec(name))

    def value(arrays):
        y, _ = mod.forward(*arrays.values(), **(attrs or {}))
        return y[0] if outputs > 1 else y

    y = value(arrays)
    dy = draw(y.shape, np.float64, seed=11)
    _, ctx = mod.forward(*arrays.values(), **(attrs or {}))
    grads = mod.backward(dy, ctx)
    keys = list(arrays)

    def loss(values):
        return float(np.sum(value(dict(zip(keys, values))) * dy))

    for index, ((key, array), grad) in enumerate(zip(arrays.items(), grads)):
        if array is None or key.startswith("running"):
            continue
        numeric = central_differences(loss, list(arrays.values()), index)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7, err_msg=f"{name} grad_{key}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["dense", "fully_connected", "feed_forward"])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_layers_on_any_leading_axes(dtype, name, with_bias):
    x, w = draw((2, 3, 5), dtype, 1), draw((4, 5), dtype, 2)
    b = draw((4,), dtype, 3) if with_bias else None
    run(name, {"x": x, "weight": w, "bias": b}, lambda x, weight, bias: F.linear(x, weight, bias), dtype)
    if dtype == np.float64:
        finite_differences(name, {"x": x, "weight": w, "bias": b})


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_layer_without_bias_fuses_its_activation(dtype):
    x, w = draw((6, 5), dtype, 1), draw((4, 5), dtype, 2)
    run("dense", {"x": x, "weight": w, "bias": None}, lambda x, weight, bias: F.gelu(F.linear(x, weight)),
        dtype, {"activation": "gelu"})
    run("dense", {"x": x, "weight": w, "bias": None}, lambda x, weight, bias: F.softsign(F.linear(x, weight)),
        dtype, {"activation": "softsign"})  # composed: the identity variant without bias


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("stride, groups", [(1, 1), (2, 1), (1, 3)])
def test_convolution_without_bias(dtype, stride, groups):
    """torch.nn.Conv2d(bias=False): bias=None runs the variant without bias (stride 1 and 2,
    grouped), with relu fused."""
    x, w = draw((2, 6, 7, 8), dtype, 1), draw((3, 6 // groups, 3, 3), dtype, 2)
    attrs = {"stride": stride, "padding": 1, "groups": groups, "activation": "relu"}
    run("convolutional", {"x": x, "weight": w, "bias": None},
        lambda x, weight, bias: F.relu(F.conv2d(x, weight, None, stride=stride, padding=1, groups=groups)), dtype, attrs)
    if dtype == np.float64:
        finite_differences("convolutional", {"x": x, "weight": w, "bias": None}, attrs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("given", [(True, True), (True, False), (False, True), (False, False)])
def test_layer_normalization_without_weight_or_bias(dtype, given):
    x = draw((3, 4, 7), dtype, 1)
    w = draw((7,), dtype, 2) if given[0] else None
    b = draw((7,), dtype, 3) if given[1] else None
    run("layer_normalization", {"x": x, "weight": w, "bias": b},
        lambda x, weight, bias: F.layer_norm(x, (7,), weight, bias, 1e-5), dtype)
    if dtype == np.float64:
        finite_differences("layer_normalization", {"x": x, "weight": w, "bias": b})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("given", [(True, False), (False, True), (False, False)])
def test_batch_normalization_without_weight_or_bias(dtype, training, given):
    x = draw((4, 3, 5, 2), dtype, 1)
    w = draw((3,), dtype, 2) if given[0] else None
    b = draw((3,), dtype, 3) if given[1] else None
    mean, var = draw((3,), dtype, 4), draw((3,), dtype, 5, low=0.5, high=2.0)
    arrays = {"x": x, "weight": w, "bias": b, "running_mean": mean, "running_var": var}

    def reference(x, weight, bias, running_mean, running_var):
        m, v = running_mean.detach().clone(), running_var.detach().clone()
        return F.batch_norm(x, m, v, weight, bias, training, 0.1, 1e-5)

    mod = run("batch_normalization", arrays, reference, dtype, {"training": training}, outputs=3)
    (_, new_mean, new_var), _ = mod.forward(*arrays.values(), training=training)
    m, v = torch.tensor(mean), torch.tensor(var)
    F.batch_norm(torch.tensor(x), m, v, None, None, training, 0.1, 1e-5)
    compare(new_mean, m, dtype, "batch_normalization running_mean")
    compare(new_var, v, dtype, "batch_normalization running_var")
    if dtype == np.float64:
        finite_differences("batch_normalization", arrays, {"training": training}, outputs=3)
