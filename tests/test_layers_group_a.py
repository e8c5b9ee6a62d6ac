"""Layers of group A (issue 16) against PyTorch, forward and backward, float32 and float64,
at batch sizes 1, 32 and 128: a PyTorch layer where PyTorch has one, else a composition of
torch ops differentiated by autograd. Tolerances are those of test_layer_parity (see its
docstring). Also: the object API's parameter names and initialisation, errors for bad
attributes and inputs, and that nothing the caller passes is modified.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import BATCH_SIZES, as_tuple, attributes, grad_outputs, make_arrays, module, modes, run_forward, spec
from layerforge import nn
from test_layer_parity import DTYPES, check, compare, draw

GATES = {
    "sigmoid": torch.sigmoid,
    "gelu": lambda z: F.gelu(z, approximate="tanh"),
    "swish": F.silu,
    "relu": F.relu,
}


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("gate", list(GATES))
def test_gated_linear_unit(dtype, gate, batch):
    """sigmoid: torch's glu of the stacked projections (value first, gate second); other
    gates (GEGLU, SwiGLU, ReGLU) by composition."""
    arrays = {"x": draw((batch, 6), dtype, 1), "weight_linear": draw((4, 6), dtype, 2),
              "bias_linear": draw((4,), dtype, 3), "weight_gate": draw((4, 6), dtype, 4),
              "bias_gate": draw((4,), dtype, 5)}

    def reference(x, weight_linear, bias_linear, weight_gate, bias_gate):
        if gate == "sigmoid":
            stacked = F.linear(x, torch.cat([weight_linear, weight_gate]), torch.cat([bias_linear, bias_gate]))
            return F.glu(stacked, dim=-1)
        return F.linear(x, weight_linear, bias_linear) * GATES[gate](F.linear(x, weight_gate, bias_gate))

    check("gated_linear_unit", arrays, reference, dtype, {"activation": gate})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [-1, 0, 1, -2])
def test_log_variance(dtype, axis):
    check("log_variance", {"x": draw((6, 5, 4), dtype)},
          lambda x: torch.log(torch.var(x, dim=axis, unbiased=False) + 1e-8), dtype, {"axis": axis})


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_rep_parameterization_with_the_noise_it_drew(dtype, batch):
    """The noise comes from rng (standard normal draws of the mean's shape): the oracle is
    given the same draws, from a generator of the same seed."""
    x = draw((batch, 10), dtype)
    noise = np.random.default_rng(7).standard_normal((batch, 5)).astype(dtype)

    def reference(x):
        mu, log_variance = x.chunk(2, dim=-1)
        return mu + torch.exp(0.5 * log_variance) * torch.tensor(noise)

    check("rep_parameterization", {"x": x}, reference, dtype, {"rng": np.random.default_rng(7)})
    check("rep_parameterization", {"x": x}, lambda x: x.chunk(2, dim=-1)[0] * 1, dtype, {"training": False})


def test_rep_parameterization_noise_is_standard_normal():
    z, _ = module(spec("rep_parameterization")).forward(np.zeros((400, 500)), rng=np.random.default_rng(0))
    assert z.shape == (400, 250)
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01  # 1e5 draws: 0.003 standard error


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_highway(dtype, batch):
    arrays = {"x": draw((batch, 6), dtype, 1), "weight_hidden": draw((6, 6), dtype, 2), "bias_hidden": draw((6,), dtype, 3),
              "weight_transform": draw((6, 6), dtype, 4), "bias_transform": draw((6,), dtype, 5)}

    def reference(x, weight_hidden, bias_hidden, weight_transform, bias_transform):
        t = torch.sigmoid(F.linear(x, weight_transform, bias_transform))
        return t * torch.tanh(F.linear(x, weight_hidden, bias_hidden)) + (1 - t) * x

    check("highway", arrays, reference, dtype)


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_rbf(dtype, batch):
    """Against the direct [B, out, in] difference (not torch.cdist, whose gradient at
    distance 0 differs); one sample sits on a centre."""
    x, centers = draw((batch, 5), dtype, 1, -1, 1), draw((4, 5), dtype, 2, -1, 1)
    x[0] = centers[1]
    arrays = {"x": x, "centers": centers, "widths": draw((4,), dtype, 3, 0.5, 1.5)}

    def reference(x, centers, widths):
        return torch.exp(-((x[:, None] - centers[None]) ** 2).sum(-1) / (2 * widths**2))

    check("rbf", arrays, reference, dtype)


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation, torch_act", [("identity", lambda z: z), ("softmax", lambda z: F.softmax(z, -1)),
                                                    ("tanh", torch.tanh)])
def test_readout(dtype, activation, torch_act, batch):
    arrays = {"x": draw((batch, 7), dtype, 1), "weight": draw((3, 7), dtype, 2), "bias": draw((3,), dtype, 3)}
    check("readout", arrays, lambda x, weight, bias: torch_act(F.linear(x, weight, bias)), dtype,
          {"activation": activation})


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_measurement(dtype, batch):
    check("measurement", {"x": draw((batch, 3, 8), dtype)}, lambda x: x**2 / (x**2).sum(-1, keepdim=True), dtype)


def test_measurement_of_a_zero_row_is_zero():
    x = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, 4.0]])
    y, ctx = module(spec("measurement")).forward(x)
    np.testing.assert_allclose(y, [[0.0, 0.0, 0.0], [0.36, 0.0, 0.64]])
    assert np.all(np.isfinite(module(spec("measurement")).backward(np.ones_like(x), ctx)))


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_reconstruction_against_torch_sequential(dtype, batch):
    torch.manual_seed(0)
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    model = torch.nn.Sequential(torch.nn.Linear(6, 9), torch.nn.ReLU(), torch.nn.Linear(9, 8), torch.nn.ReLU(),
                                torch.nn.Linear(8, 5), torch.nn.Sigmoid()).to(torch_dtype)
    ours = nn.Reconstruction(6, 9, 8, 5, dtype=dtype)
    nn.load_torch_state_dict(ours, model.state_dict())
    _against_torch_module(ours, model, draw((batch, 6), dtype), dtype, "reconstruction")


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_expert_against_torch_sequential(dtype, batch):
    torch.manual_seed(1)
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    model = torch.nn.Sequential(torch.nn.Linear(6, 10), torch.nn.ReLU(), torch.nn.Linear(10, 4)).to(torch_dtype)
    ours = nn.Expert(6, 10, 4, dtype=dtype)
    nn.load_torch_state_dict(ours, model.state_dict())
    _against_torch_module(ours, model, draw((batch, 6), dtype), dtype, "expert")


def _against_torch_module(ours, model, x, dtype, name):
    """Forward, the input's gradient and every parameter's, ours against a torch module with
    the same weights (parameters in the same order)."""
    xt = torch.tensor(x, requires_grad=True)
    expected = model(xt)
    y = ours(x)
    compare(y, expected, dtype, f"{name} forward")
    dy = draw(y.shape, dtype, 11)
    expected.backward(torch.tensor(dy))
    dx = ours.backward(dy)
    compare(dx, xt.grad, dtype, f"{name} grad_x")
    for (key, grad), (their_name, tensor) in zip(ours.grads.items(), model.named_parameters()):
        compare(grad, tensor.grad, dtype, f"{name} grad_{key} ({their_name})")


# -- the object API ----------------------------------------------------------------------


def test_object_api_names_and_initialisation():
    rng = np.random.default_rng(0)
    highway = nn.Highway(16, rng=rng)
    assert list(highway.named_parameters()) == ["weight_hidden", "bias_hidden", "weight_transform", "bias_transform"]
    np.testing.assert_array_equal(highway.bias_transform, np.full(16, -1.0, np.float32))
    np.testing.assert_array_equal(highway.bias_hidden, np.zeros(16, np.float32))
    assert np.abs(highway.weight_hidden).max() <= 1 / 4
    readout = nn.Readout(200, 50, rng=rng)
    assert readout.weight.dtype == np.float32 and readout.weight.shape == (50, 200)
    assert 0.045 < np.abs(readout.weight).max() <= 0.05 and not readout.bias.any()
    rbf = nn.RBF(5, 7, rng=rng, dtype=np.float64)
    np.testing.assert_array_equal(rbf.widths, np.ones(7))
    assert rbf.centers.shape == (7, 5) and np.abs(rbf.centers).max() <= 1
    glu = nn.GatedLinearUnit(8, 3, rng=rng)
    assert glu.activation == "sigmoid"
    assert list(glu.named_parameters()) == ["weight_linear", "bias_linear", "weight_gate", "bias_gate"]
    assert nn.Reconstruction(4, 6, 5, 3).activation == "sigmoid"
    assert nn.Expert(4, 6, 3).activation == "identity"


def test_object_api_trains_a_highway_layer():
    layer = nn.Highway(4, rng=np.random.default_rng(0), dtype=np.float64)
    x = np.random.default_rng(1).standard_normal((5, 4))
    y = layer(x)
    dx = layer.backward(np.ones_like(y))
    assert dx.shape == x.shape and set(layer.grads) == set(layer.named_parameters())


# -- errors and inputs left alone -------------------------------------------------------------


BAD_CALLS = [
    ("rep_parameterization", lambda m: m.forward(np.ones((2, 5))), ValueError,
     "rep_parameterization: argument 'x' has 5 entries along axis -1, which do not split into 2 equal blocks"),
    ("log_variance", lambda m: m.forward(np.ones((2, 3)), axis=2), ValueError,
     "log_variance: attribute 'axis' = 2 is not an axis of 'x'"),
    ("log_variance", lambda m: m.forward(np.ones((2, 3)), epsilon=-1.0), ValueError,
     "log_variance: attribute 'epsilon' must be at least 0.0"),
    ("measurement", lambda m: m.forward(np.ones((2, 3)), epsilon=-1.0), ValueError,
     "measurement: attribute 'epsilon' must be at least 0.0"),
    ("gated_linear_unit", lambda m: m.forward(np.ones((2, 3)), *[np.ones((4, 3)), np.ones(4)] * 2, activation="softsign"),
     ValueError, "gated_linear_unit: activation 'softsign' cannot fill this layer's slot"),
    ("gated_linear_unit", lambda m: m.forward(np.ones((2, 3)), np.ones((4, 3)), np.ones(4), np.ones((5, 3)), np.ones(4)),
     ValueError, "gated_linear_unit: argument 'weight_gate' has out_features = 5"),
    ("highway", lambda m: m.forward(np.ones((2, 3)), np.ones((3, 4)), *[np.ones(3), np.ones((3, 3)), np.ones(3)]),
     ValueError, "highway: argument 'weight_hidden' has F = 4"),
    ("rbf", lambda m: m.forward(np.ones((2, 3)), np.ones((4, 2)), np.ones(4)), ValueError,
     "rbf: argument 'centers' has in_features = 2"),
    ("reconstruction", lambda m: m.forward(np.ones((2, 3)), np.ones((4, 3)), np.ones(4), np.ones((5, 3)), np.ones(5),
                                           np.ones((2, 5)), np.ones(2)),
     ValueError, "reconstruction: argument 'fc2_weight' has hidden1 = 3"),
]


@pytest.mark.parametrize("name, call, error, message", BAD_CALLS, ids=[m for *_, m in BAD_CALLS])
def test_bad_arguments_name_the_op_and_argument(name, call, error, message):
    with pytest.raises(error) as info:
        call(module(spec(name)))
    assert message in str(info.value)


GROUP_A = ["gated_linear_unit", "log_variance", "rep_parameterization", "highway", "rbf", "readout", "measurement",
           "reconstruction", "expert"]


@pytest.mark.parametrize("name", GROUP_A)
def test_arguments_are_never_written(name):
    s = spec(name)
    for training in modes(s):
        arrays = make_arrays(s, 16, np.float64)
        copies = {k: v.copy() for k, v in arrays.items()}
        y, ctx = run_forward(s, arrays, attributes(s, training))
        dys = [np.ones_like(o) for o in grad_outputs(s, y)]
        as_tuple(module(s).backward(*dys, ctx))
        for k in arrays:
            np.testing.assert_array_equal(arrays[k], copies[k], err_msg=f"{name} wrote into {k}")
        for dy in dys:
            np.testing.assert_array_equal(dy, np.ones_like(dy), err_msg=f"{name} wrote into a gradient")
