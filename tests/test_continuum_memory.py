"""continuum_memory_system: nn.ContinuumMemorySystem, a chain of Dense + ReLU levels, against
torch.nn.Sequential(Linear, ReLU, ...); its multi-frequency schedule (per-level periods and
learning rates) through layerforge.optim's parameter groups, against a reference loop of
torch.optim.SGD steps; consolidate()."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from layerforge import nn
from layerforge.optim import SGD, Adam


def torch_twin(model):
    layers = []
    for level in range(model.levels):
        dense = model.layers[level]
        linear = torch.nn.Linear(dense.weight.shape[1], dense.weight.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(dense.weight))
            linear.bias.copy_(torch.tensor(dense.bias))
        layers += [linear, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("levels", [1, 3])
def test_forward_backward_match_torch_sequential(levels):
    rng = np.random.default_rng(0)
    model = nn.ContinuumMemorySystem(5, 7, levels=levels, rng=rng, dtype=np.float64)
    twin = torch_twin(model)
    x, g = rng.standard_normal((4, 5)), rng.standard_normal((4, 7))
    y = model(x)
    grad_x = model.backward(g)
    t = torch.tensor(x, requires_grad=True)
    want = twin(t)
    want.backward(torch.tensor(g))
    np.testing.assert_allclose(y, want.detach().numpy(), rtol=1e-13, atol=1e-15)  # float64, rounding only
    np.testing.assert_allclose(grad_x, t.grad.numpy(), rtol=1e-12, atol=1e-14)
    names = list(model.named_parameters())
    assert names == [f"level{l}.{n}" for l in range(levels) for n in ("weight", "bias")]
    for ours, theirs in zip(model.gradients(), twin.parameters()):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("periods, rates, steps", [
    ([4, 2, 1], [0.1, 0.05, 0.02], 9),
    (None, None, 21),  # the defaults: [100, 10, 1] and [0.01, 0.001, 0.0001]
])
def test_schedule_matches_a_torch_sgd_reference_loop(periods, rates, steps):
    rng = np.random.default_rng(1)
    model = nn.ContinuumMemorySystem(3, 4, levels=3, periods=periods, learning_rates=rates, rng=rng,
                                     dtype=np.float64)
    twin = torch_twin(model)
    groups = model.param_groups()
    assert [g["period"] for g in groups] == (periods or [100, 10, 1])
    assert [g["lr"] for g in groups] == (rates or [0.01, 0.001, 0.0001])
    optimizer = SGD(groups, lr=0.0)
    # The reference: torch accumulates .grad between a level's updates; level l steps its own
    # torch.optim.SGD every period_l steps and then zeroes its gradients.
    linears = [m for m in twin if isinstance(m, torch.nn.Linear)]
    references = [torch.optim.SGD(linear.parameters(), lr=g["lr"]) for linear, g in zip(linears, groups)]
    for step in range(1, steps + 1):
        x, target = rng.standard_normal((6, 3)), rng.standard_normal((6, 4))
        y = model(x)
        model.backward(2 * (y - target) / y.size)  # MSE
        optimizer.step(model.gradients())
        loss = torch.mean((twin(torch.tensor(x)) - torch.tensor(target)) ** 2)
        loss.backward()
        for reference, group in zip(references, groups):
            if step % group["period"] == 0:
                reference.step()
                reference.zero_grad()
        for ours, theirs in zip(model.parameters(), twin.parameters()):
            np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_adam_takes_parameter_groups_as_torch():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((3, 2)), rng.standard_normal(4)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ours = Adam([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.01, "weight_decay": 0.1}], lr=0.5)
    theirs = torch.optim.Adam([{"params": [ta], "lr": 0.1}, {"params": [tb], "lr": 0.01, "weight_decay": 0.1}], lr=0.5)
    for _ in range(4):
        ga, gb = rng.standard_normal((3, 2)), rng.standard_normal(4)
        ours.step([ga, gb])
        ta.grad, tb.grad = torch.tensor(ga), torch.tensor(gb)
        theirs.step()
    np.testing.assert_allclose(a, ta.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(b, tb.detach().numpy(), rtol=1e-12)


def test_consolidate_returns_the_blend_and_changes_nothing():
    rng = np.random.default_rng(3)
    model = nn.ContinuumMemorySystem(4, 4, levels=3, rng=rng, dtype=np.float64)
    before = model.state_dict()
    new = model.consolidate()
    assert sorted(new) == ["level1.bias", "level1.weight", "level2.bias", "level2.weight"]
    np.testing.assert_allclose(new["level2.weight"], 0.99 * before["level2.weight"] + 0.01 * before["level1.weight"],
                               rtol=1e-15)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])
    narrow = nn.ContinuumMemorySystem(3, 4, levels=2, rng=rng)
    assert sorted(narrow.consolidate()) == ["level1.bias"]  # [4, 3] and [4, 4] weights do not blend


def test_errors():
    with pytest.raises(ValueError, match="ContinuumMemorySystem: attribute 'levels' must be at most 10, got 11"):
        nn.ContinuumMemorySystem(3, 4, levels=11)
    with pytest.raises(ValueError, match="ContinuumMemorySystem: attribute 'levels' must be at least 1, got 0"):
        nn.ContinuumMemorySystem(3, 4, levels=0)
    with pytest.raises(ValueError, match=r"'periods' must have one entry per level \(3\), got 2"):
        nn.ContinuumMemorySystem(3, 4, periods=[10, 1])
    with pytest.raises(ValueError, match="SGD: parameter group 0: 'period' must be an int >= 1, got 0"):
        SGD([{"params": [np.zeros(2)], "period": 0}], lr=0.1)
    with pytest.raises(ValueError, match="SGD: parameter group 0 has unknown key"):
        SGD([{"params": [np.zeros(2)], "betas": (0.9, 0.99)}], lr=0.1)
    with pytest.raises(ValueError, match="SGD.step: got 1 gradients for 2 parameters"):
        SGD([{"params": [np.zeros(2)]}, {"params": [np.zeros(3)], "period": 2}], lr=0.1).step([np.zeros(2)])


def level_arrays(rng, D, H, levels, dtype):
    """The generated module's parameters: level<l>_weight, level<l>_bias for l < levels, None beyond."""
    out = {}
    for level in range(10):
        given = level < levels
        out[f"level{level}_weight"] = rng.standard_normal((H, D if level == 0 else H)).astype(dtype) * 0.5 if given else None
        out[f"level{level}_bias"] = rng.standard_normal(H).astype(dtype) * 0.5 if given else None
    return out


# float32: a few products of 6 terms through up to 10 levels, rounding ~1e-6 relative; float64: ~1e-15
TOLERANCES = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-13)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("levels", [1, 2, 10])
def test_generated_module_matches_torch_sequential(levels, dtype):
    from layerforge.layers import continuum_memory_system as cms

    rng = np.random.default_rng(10 + levels)
    params = level_arrays(rng, 5, 6, levels, dtype)
    x = rng.standard_normal((2, 3, 5)).astype(dtype)
    g = rng.standard_normal((2, 3, 6)).astype(dtype)
    y, ctx = cms.forward(x, *params.values(), levels=levels)
    grads = cms.backward(g, ctx)
    assert y.dtype == dtype and len(grads) == 21
    modules = []
    for level in range(levels):
        linear = torch.nn.Linear(5 if level == 0 else 6, 6).to(torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(params[f"level{level}_weight"].astype(np.float64)))
            linear.bias.copy_(torch.tensor(params[f"level{level}_bias"].astype(np.float64)))
        modules += [linear, torch.nn.ReLU()]
    twin = torch.nn.Sequential(*modules)
    t = torch.tensor(x.astype(np.float64), requires_grad=True)
    want = twin(t)
    want.backward(torch.tensor(g.astype(np.float64)))
    tol = TOLERANCES[dtype]
    np.testing.assert_allclose(y, want.detach().numpy(), **tol)
    np.testing.assert_allclose(grads[0], t.grad.numpy(), **tol)
    theirs = [p.grad.numpy() for p in twin.parameters()]
    ours = grads[1:]
    for got, want_grad in zip(ours[: 2 * levels], theirs):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want_grad, **tol)
    assert all(grad is None for grad in ours[2 * levels:])  # the copies beyond the count


def test_generated_module_finite_differences_float64():
    from layerforge.layers import continuum_memory_system as cms

    rng = np.random.default_rng(20)
    params = level_arrays(rng, 4, 5, 3, np.float64)
    x = rng.standard_normal((3, 4))
    g = rng.standard_normal((3, 5))
    names = ["x"] + [n for n, v in params.items() if v is not None]
    values = {"x": x, **params}

    def loss(vals):
        return float(np.sum(cms.forward(*vals.values(), levels=3)[0] * g))

    _, ctx = cms.forward(*values.values(), levels=3)
    grads = dict(zip(["x", *params], cms.backward(g, ctx)))
    step = 1e-6
    for name in names:
        direction = rng.standard_normal(values[name].shape)
        plus, minus = dict(values), dict(values)
        plus[name] = values[name] + step * direction
        minus[name] = values[name] - step * direction
        numeric = (loss(plus) - loss(minus)) / (2 * step)
        analytic = float(np.sum(grads[name] * direction))
        # central differences of a piecewise-linear function away from its kinks: rounding only
        assert abs(numeric - analytic) <= 1e-7 * max(1.0, abs(analytic)), name


def test_consolidate_entry_point_against_numpy():
    from layerforge.layers import continuum_memory_system as cms

    rng = np.random.default_rng(21)
    lower, upper = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    lower_copy, upper_copy = lower.copy(), upper.copy()
    new = cms.consolidate(lower, upper)
    np.testing.assert_allclose(new, 0.99 * upper + 0.01 * lower, rtol=1e-15, atol=1e-16)
    np.testing.assert_array_equal(lower, lower_copy)  # a rule returning new arrays
    np.testing.assert_array_equal(upper, upper_copy)
    np.testing.assert_allclose(cms.consolidate(lower, upper, rate=0.5), (lower + upper) / 2, rtol=1e-15)
    with pytest.raises(ValueError, match=r"continuum_memory_system\.consolidate: argument 'upper' has H = 3"):
        cms.consolidate(lower, upper[:, :3])


def test_counted_parameters_are_checked():
    from layerforge.layers import continuum_memory_system as cms

    rng = np.random.default_rng(22)
    params = level_arrays(rng, 4, 5, 3, np.float64)
    x = rng.standard_normal((2, 4))
    with pytest.raises(ValueError, match="continuum_memory_system: argument 'level3_weight' is None, but levels=4 "
                                         r"takes the parameters of copies 0 to 3"):
        cms.forward(x, *params.values(), levels=4)
    with pytest.raises(ValueError, match="continuum_memory_system: argument 'level1_weight' is given, but levels=1 "
                                         "takes the parameters of copies 0 to 0 only"):
        cms.forward(x, *params.values(), levels=1)
    with pytest.raises(ValueError, match="continuum_memory_system: attribute 'levels' must be one of"):
        cms.forward(x, *params.values(), levels=11)
    bad = dict(params, level1_weight=params["level1_weight"][:, :4])
    with pytest.raises(ValueError, match="continuum_memory_system: argument 'level1_weight' has H = 4"):
        cms.forward(x, *bad.values(), levels=3)
