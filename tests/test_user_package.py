"""The transpiler as a tool for a user's project: a folder of the user's specs becomes a
package of their own (``generate --specs DIR --package NAME --out OUT``) that runs on
layerforge's runtime and composes with ``layerforge.nn`` and ``layerforge.optim``."""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

from harness import central_differences
from layerforge import nn
from layerforge.optim import Adam
from transpiler.cli import main

ACTIVATION = """\
name: x_tanh
kind: activation
title: x tanh
summary: x tanh(beta x), a smooth activation.
inputs:
  x: {shape: [..., F]}
attributes:
  beta: {type: float, default: 1.0, min: 0.0, doc: "Slope inside the tanh."}
forward: |
  y = x * tanh(beta * x)
outputs: [y]
"""

# A layer of the user's that composes layerforge's dense (calls:) and fuses the user's
# activation in its slot.
LAYER = """\
name: gated_dense
kind: layer
title: GatedDense
summary: A dense layer gated by a sigmoid of a second one, y = act(value(x) * sigmoid(gate(x))).
inputs:
  x: {shape: [..., in_features], doc: "Feature vectors."}
calls:
  value: {op: dense, dims: {in_features: in_features, out_features: out_features}}
  gate: {op: dense, dims: {in_features: in_features, out_features: out_features}}
activation:
  default: identity
  fused: [identity, x_tanh]
forward: |
  v = value(x)
  g = gate(x)
  z = v * sigmoid(g)
  y = activation(z)
outputs: [y]
"""


def write_specs(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")) if folder.exists() else []:
        digest.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """The user's project, generated into a temporary folder and imported from there."""
    base = tmp_path_factory.mktemp("project")
    specs = write_specs(base / "myspecs", {"x_tanh.yaml": ACTIVATION, "layers/gated_dense.yaml": LAYER})
    assert main(["generate", "--specs", str(specs), "--package", "mylayers", "--out", str(base / "out")]) == 0
    sys.path.insert(0, str(base / "out"))
    try:
        yield importlib.import_module("mylayers"), base
    finally:
        sys.path.remove(str(base / "out"))
        for name in [n for n in sys.modules if n == "mylayers" or n.startswith("mylayers.")]:
            del sys.modules[name]


def test_the_package_has_its_modules_classes_and_registry(package):
    pkg, base = package
    files = sorted(p.relative_to(base / "out").as_posix() for p in (base / "out").rglob("*.py"))
    assert files == ["mylayers/__init__.py", "mylayers/activations/__init__.py", "mylayers/activations/x_tanh.py",
                     "mylayers/layers/__init__.py", "mylayers/layers/gated_dense.py", "mylayers/nn.py"]
    assert pkg.OPS == {"gated_dense": "layers.gated_dense", "x_tanh": "activations.x_tanh"}
    layer = pkg.op("gated_dense")
    assert layer.PARAMETERS == ("value_weight", "value_bias", "gate_weight", "gate_bias")
    with pytest.raises(ValueError, match="mylayers: unknown op 'gelu'"):
        pkg.op("gelu")
    text = (base / "out" / "mylayers" / "layers" / "gated_dense.py").read_text()
    assert "from layerforge._runtime import" in text  # layerforge's runtime, not a copy
    assert "Generated from myspecs/layers/gated_dense.yaml" in text
    nn_module = importlib.import_module("mylayers.nn")
    assert issubclass(nn_module.GatedDense, nn.Module) and issubclass(nn_module.XTanh, nn.Module)


def test_activation_matches_finite_differences(package):
    act = package[0].op("x_tanh")
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    y, ctx = act.forward(x, beta=0.7)
    np.testing.assert_allclose(y, x * np.tanh(0.7 * x), rtol=1e-14)
    grad = act.backward(g, ctx)
    numeric = central_differences(lambda v: float(np.sum(act.forward(v[0], beta=0.7)[0] * g)), [x], 0)
    np.testing.assert_allclose(grad, numeric, rtol=1e-7, atol=1e-9)  # float64 central differences


@pytest.mark.parametrize("activation", ["x_tanh", "tanh"])  # fused (the user's), composed (layerforge's)
def test_layer_matches_finite_differences(package, activation):
    layer = package[0].op("gated_dense")
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in [(2, 3), (4, 3), (4,), (4, 3), (4,)]]
    g = rng.standard_normal((2, 4))
    y, ctx = layer.forward(*arrays, activation=activation)
    x, vw, vb, gw, gb = arrays
    z = (x @ vw.T + vb) / (1 + np.exp(-(x @ gw.T + gb)))
    np.testing.assert_allclose(y, z * np.tanh(z) if activation == "x_tanh" else np.tanh(z), rtol=1e-13)
    grads = layer.backward(g, ctx)
    for index, grad in enumerate(grads):
        numeric = central_differences(lambda v: float(np.sum(layer.forward(*v, activation=activation)[0] * g)),
                                      arrays, index)
        np.testing.assert_allclose(grad, numeric, rtol=1e-7, atol=1e-9)


def test_trains_in_a_layerforge_model(package):
    user_nn = importlib.import_module("mylayers.nn")
    rng = np.random.default_rng(2)
    x = rng.standard_normal((64, 6)).astype(np.float32)
    target = np.sin(x[:, :1] * 2) + x[:, 1:2] ** 2
    model = nn.Sequential(user_nn.GatedDense(6, 16, activation="x_tanh", rng=rng), user_nn.XTanh(beta=0.5),
                          nn.Dense(16, 1, rng=rng))
    loss_fn, optimizer = nn.MSELoss(), Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(150):
        losses.append(loss_fn(model(x), target))
        model.backward(loss_fn.backward())
        optimizer.step(model.gradients())
    assert np.isfinite(losses).all()
    assert losses[-1] < 0.2 * losses[0], (losses[0], losses[-1])


def test_generating_again_writes_nothing(package, capsys):
    _, base = package
    before = tree_digest(base / "out")
    argv = ["generate", "--specs", str(base / "myspecs"), "--package", "mylayers", "--out", str(base / "out")]
    assert main(argv) == 0
    assert "6 files generated, 0 written or removed" in capsys.readouterr().out
    assert main([*argv, "--check"]) == 0
    assert tree_digest(base / "out") == before


def run_errors(tmp_path, files, capsys, package="mine"):
    specs = write_specs(tmp_path / "specs", files) if files is not None else tmp_path / "nowhere"
    out = tmp_path / "out"
    code = main(["generate", "--specs", str(specs), "--package", package, "--out", str(out)])
    assert not out.exists()  # nothing written
    return code, capsys.readouterr().err


def test_a_folder_that_does_not_exist(tmp_path, capsys):
    code, err = run_errors(tmp_path, None, capsys)
    assert code == 2 and f"error: --specs: {tmp_path / 'nowhere'} does not exist; nothing was written." in err


def test_an_op_named_twice(tmp_path, capsys):
    code, err = run_errors(tmp_path, {"x_tanh.yaml": ACTIVATION, "activations/x_tanh.yaml": ACTIVATION}, capsys)
    assert code == 2
    assert ("specs/activations/x_tanh.yaml:1:1: error: spec.name: 'x_tanh' is also the name of specs/x_tanh.yaml; "
            "op names are unique") in err


def test_a_layerforge_op_name_is_refused(tmp_path, capsys):
    code, err = run_errors(tmp_path, {"gelu.yaml": ACTIVATION.replace("x_tanh", "gelu")}, capsys)
    assert code == 2
    assert ("specs/gelu.yaml:1:1: error: spec.name: 'gelu' is the name of layerforge's "
            "layers_spec/activations/gelu.yaml; a user's op takes a name of its own") in err


def test_spec_errors_read_file_line_col(tmp_path, capsys):
    bad = ACTIVATION.replace("tanh(beta * x)", "tahn(beta * x)")
    code, err = run_errors(tmp_path, {"x_tanh.yaml": bad, "layers/gated_dense.yaml": LAYER}, capsys)
    assert code == 2
    assert "specs/x_tanh.yaml:10:11: error: unknown primitive 'tahn'; did you mean 'tanh'?" in err
    assert "nothing was written" in err


def test_a_bad_package_name(tmp_path, capsys):
    code, err = run_errors(tmp_path, {"x_tanh.yaml": ACTIVATION}, capsys, package="layerforge")
    assert code == 2 and "--package: 'layerforge' is taken" in err


def test_an_existing_folder_of_the_users_is_not_replaced(tmp_path, capsys):
    specs = write_specs(tmp_path / "specs", {"x_tanh.yaml": ACTIVATION})
    own = tmp_path / "out" / "mine"
    own.mkdir(parents=True)
    (own / "code.py").write_text("print('mine')\n")
    assert main(["generate", "--specs", str(specs), "--package", "mine", "--out", str(tmp_path / "out")]) == 3
    assert "was not written by the transpiler" in capsys.readouterr().err
    assert sorted(p.name for p in own.iterdir()) == ["code.py"]
