"""The object API: classes over the generated layers, Sequential, losses, state and weights,
and training that matches PyTorch step by step."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

from harness import ROOT, names, spec
from layerforge import nn
from layerforge.optim import SGD, Adam

sys.path.insert(0, str(ROOT / "examples"))
import lenet_digits  # noqa: E402


def test_every_layer_has_a_class():
    for name in names("layer"):
        assert hasattr(nn, spec(name).title), name


def test_dense_matches_torch_linear_layout_and_initialisation_bounds():
    layer = nn.Dense(20, 7, rng=np.random.default_rng(0))
    assert layer.weight.shape == (7, 20) and layer.bias.shape == (7,)
    assert np.abs(layer.weight).max() <= 1 / np.sqrt(20) and layer.weight.dtype == np.float32
    assert list(layer.named_parameters()) == ["weight", "bias"]


def test_backward_stores_gradients_by_name():
    layer = nn.Dense(4, 3, rng=np.random.default_rng(0), dtype=np.float64)
    x = np.random.default_rng(1).standard_normal((5, 4))
    y = layer(x)
    dx = layer.backward(np.ones_like(y))
    np.testing.assert_allclose(layer.grads["weight"], np.ones((5, 3)).T @ x)
    np.testing.assert_allclose(layer.grads["bias"], np.full(3, 5.0))
    np.testing.assert_allclose(dx, np.ones((5, 3)) @ layer.weight)


def test_modes_switch_dropout_and_batch_norm():
    drop = nn.Dropout(p=0.5, rng=np.random.default_rng(0))
    x = np.ones((4, 10), np.float32)
    assert (drop(x) == 0).any()
    drop.eval()
    np.testing.assert_array_equal(drop(x), x)
    norm = nn.BatchNormalization(3)
    images = np.random.default_rng(0).standard_normal((4, 3, 5, 5)).astype(np.float32) + 2
    norm(images)
    assert np.all(norm.running_mean > 0.1)  # updated from the batch in training
    before = norm.running_mean.copy()
    norm.eval()
    norm(images)
    np.testing.assert_array_equal(norm.running_mean, before)


def test_state_dict_round_trip_and_npz(tmp_path):
    model = lenet_digits.build_model(np.random.default_rng(0))
    other = lenet_digits.build_model(np.random.default_rng(1))
    other.load_state_dict(model.state_dict())
    for a, b in zip(model.parameters(), other.parameters()):
        np.testing.assert_array_equal(a, b)
    path = tmp_path / "model.npz"
    nn.save(model, path)
    third = lenet_digits.build_model(np.random.default_rng(2))
    nn.load(third, path)
    for a, b in zip(model.parameters(), third.parameters()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="'0.weight' has shape"):
        third.load_state_dict({**model.state_dict(), "0.weight": np.zeros((1, 1, 3, 3))})
    with pytest.raises(KeyError, match="missing"):
        third.load_state_dict({})


def torch_lenet(dtype):
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10),
    ).to(dtype)


def test_importing_torch_weights_and_mismatch_errors():
    theirs = torch_lenet(torch.float32)
    ours = lenet_digits.build_model(np.random.default_rng(0))
    nn.load_torch_state_dict(ours, theirs.state_dict())
    np.testing.assert_array_equal(ours.layers[0].weight, theirs[0].weight.detach().numpy())
    with pytest.raises(ValueError, match="does not match"):
        nn.load_torch_state_dict(nn.Sequential(nn.Dense(64, 10)), {"0.weight": torch.zeros(10, 63), "0.bias": torch.zeros(10)})
    with pytest.raises(ValueError, match="has 8 tensors"):
        nn.load_torch_state_dict(nn.Sequential(nn.Dense(64, 10)), theirs.state_dict())


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-6), (np.float32, 1e-4)])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_training_matches_torch_for_50_steps(dtype, rtol, optimizer):
    """Same initial weights, same batches, same optimizer: the losses agree at every step
    (float64 within 1e-6 relative, float32 within 1e-4: float32 rounding compounds over 50
    updates of a 10k-parameter network)."""
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    theirs = torch_lenet(torch_dtype)
    ours = lenet_digits.build_model(np.random.default_rng(0), dtype=dtype)
    nn.load_torch_state_dict(ours, theirs.state_dict())
    (x, y), _ = lenet_digits.load_data(0, dtype=dtype)
    if optimizer == "adam":
        opt_ours, opt_theirs = Adam(ours.parameters(), lr=3e-3), torch.optim.Adam(theirs.parameters(), lr=3e-3)
    else:
        opt_ours = SGD(ours.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
        opt_theirs = torch.optim.SGD(theirs.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    loss_ours, loss_theirs = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(1)
    for step in range(50):
        index = rng.choice(len(y), 32, replace=False)
        ours_value = loss_ours(ours(x[index]), y[index])
        ours.backward(loss_ours.backward())
        opt_ours.step(ours.gradients())
        opt_theirs.zero_grad()
        theirs_value = loss_theirs(theirs(torch.tensor(x[index])), torch.tensor(y[index]))
        theirs_value.backward()
        opt_theirs.step()
        assert ours_value == pytest.approx(theirs_value.item(), rel=rtol), f"step {step}"


def test_example_reaches_97_percent_in_under_a_minute():
    _, result = lenet_digits.train(verbose=False)
    assert result["test_accuracy"] >= 0.97
    assert result["seconds"] < 60


def test_losses_check_labels():
    with pytest.raises(ValueError, match="labels must be integers"):
        nn.CrossEntropyLoss()(np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        nn.CrossEntropyLoss()(np.zeros((2, 3)), np.array([0, 3]))
