"""lambda_, both honest paths: (1) ``python -m transpiler lambda NAME EXPRESSION`` (or
``transpiler.generate_lambda``) compiles an expression of the spec language into a user
module with a derived backward; (2) the catalog's ``lambda_`` layer composes a user's Python
function and its derivative at run time, y = activation(function(x))."""

from __future__ import annotations

import importlib
import subprocess
import sys

import numpy as np
import pytest
import torch

import transpiler
from harness import ROOT, central_differences
from layerforge import nn
from layerforge.layers import lambda_
from transpiler.errors import SpecError

# Each expression with the same function written in torch (autograd is the oracle).
EXPRESSIONS = {
    "x_tanh_x": ("y = x * tanh(x)", lambda t: t * torch.tanh(t)),
    "soft_gate": ("s = softplus(x); y = s * sigmoid(x) + sin(x)",
                  lambda t: torch.nn.functional.softplus(t) * torch.sigmoid(t) + torch.sin(t)),
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """Each expression compiled: the first through the command line (its own package, the
    op's name), the second through the Python API; both imported from the folder."""
    out = tmp_path_factory.mktemp("lambdas")
    cli = subprocess.run([sys.executable, "-m", "transpiler", "lambda", "x_tanh_x", EXPRESSIONS["x_tanh_x"][0],
                          "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    root = transpiler.generate_lambda("soft_gate", EXPRESSIONS["soft_gate"][0], out, package="gates")
    assert root == out / "gates"
    sys.path.insert(0, str(out))
    try:
        yield {"x_tanh_x": importlib.import_module("x_tanh_x.activations.x_tanh_x"),
               "soft_gate": importlib.import_module("gates.activations.soft_gate")}, out
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n.split(".")[0] in ("x_tanh_x", "gates")]:
            del sys.modules[name]


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_compiled_expression_against_torch_and_finite_differences(compiled, name):
    module = compiled[0][name]
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((4, 6)) * 2, rng.standard_normal((4, 6))
    y, ctx = module.forward(x)
    grad = module.backward(g, ctx)
    t = torch.tensor(x, requires_grad=True)
    want = EXPRESSIONS[name][1](t)
    want.backward(torch.tensor(g))
    np.testing.assert_allclose(y, want.detach().numpy(), rtol=1e-13, atol=1e-15)  # float64, a few ulps
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-12, atol=1e-14)
    numeric = central_differences(lambda v: float(np.sum(module.forward(v[0])[0] * g)), [x], 0)
    np.testing.assert_allclose(grad, numeric, rtol=1e-7, atol=1e-9)  # central differences, float64
    y32, ctx32 = module.forward(x.astype(np.float32))  # float32 too, as every activation
    np.testing.assert_allclose(y32, y, rtol=2e-6, atol=2e-6)


def test_the_package_of_a_lambda(compiled):
    out = compiled[1]
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.py"))
    assert files == ["gates/__init__.py", "gates/activations/__init__.py", "gates/activations/soft_gate.py",
                     "gates/nn.py", "x_tanh_x/__init__.py", "x_tanh_x/activations/__init__.py",
                     "x_tanh_x/activations/x_tanh_x.py", "x_tanh_x/nn.py"]
    text = (out / "x_tanh_x" / "activations" / "x_tanh_x.py").read_text()
    assert "def _backward(grad_y, x" in text and "python -m transpiler lambda NAME EXPRESSION" in text
    assert importlib.import_module("gates.nn").SoftGate().forward(np.ones(3)).shape == (3,)


def test_an_unknown_primitive_is_a_clear_error_and_writes_nothing(tmp_path):
    cli = subprocess.run([sys.executable, "-m", "transpiler", "lambda", "bad", "y = x * tahn(x)", "--out", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True)
    assert cli.returncode == 2
    assert cli.stderr == ("<lambda bad>:1:9: error: unknown primitive 'tahn'; did you mean 'tanh'?\n"
                          "1 error; nothing was written.\n")
    with pytest.raises(SpecError, match=r"<lambda bad>:2:5: error: unknown primitive 'foo'"):
        transpiler.generate_lambda("bad", "h = x * x; y = foo(h)", tmp_path)
    with pytest.raises(SpecError, match="output 'y' is never assigned"):
        transpiler.generate_lambda("bad", "z = x * x", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_load_lambda_in_memory():
    module = transpiler.load_lambda("cube", "y = x * x * x")
    x = np.linspace(-2, 2, 7)
    y, ctx = module.forward(x[None])
    np.testing.assert_allclose(module.backward(np.ones_like(y), ctx)[0], 3 * x * x, rtol=1e-14)
    assert "kind: activation" in transpiler.lambda_spec("cube", "y = x * x * x")


# The lambda_ layer: a user's Python function and its derivative, composed at run time.

def function(x):
    return np.sin(x) * x


def derivative(x, grad):
    return grad * (np.cos(x) * x + np.sin(x))


@pytest.mark.parametrize("activation, options, torch_activation", [
    ("identity", None, lambda t: t),
    ("elu", {"alpha": 0.5}, lambda t: torch.nn.functional.elu(t, alpha=0.5)),
    ("softmax", None, lambda t: torch.softmax(t, -1)),  # a row-wise activation: its own Jacobian
])
def test_lambda_layer_against_torch_autograd(activation, options, torch_activation):
    rng = np.random.default_rng(1)
    x, g = rng.standard_normal((3, 5)) * 2, rng.standard_normal((3, 5))
    y, ctx = lambda_.forward(x, function=function, derivative=derivative, activation=activation,
                             activation_options=options)
    grad = lambda_.backward(g, ctx)
    t = torch.tensor(x, requires_grad=True)
    want = torch_activation(torch.sin(t) * t)
    want.backward(torch.tensor(g))
    np.testing.assert_allclose(y, want.detach().numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_nn_lambda_in_a_model():
    rng = np.random.default_rng(2)
    dense = nn.Dense(4, 3, rng=rng, dtype=np.float64)
    model = nn.Sequential(dense, nn.Lambda(function, derivative, activation="tanh"))
    x, g = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    y = model(x)
    model.backward(g)
    t = torch.tensor(x)
    w = torch.tensor(dense.weight, requires_grad=True)
    b = torch.tensor(dense.bias, requires_grad=True)
    z = t @ w.T + b
    want = torch.tanh(torch.sin(z) * z)
    want.backward(torch.tensor(g))
    np.testing.assert_allclose(y, want.detach().numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(model.gradients()[0], w.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_lambda_layer_errors():
    x = np.ones((2, 3))
    y, ctx = lambda_.forward(x, function=function)
    with pytest.raises(ValueError, match=r"lambda_: backward needs the gradient of 'function': pass forward derivative="):
        lambda_.backward(np.ones_like(y), ctx)
    with pytest.raises(TypeError, match="lambda_: argument 'function' must be a callable of one array, got int"):
        lambda_.forward(x, function=3)
    with pytest.raises(TypeError, match="lambda_: argument 'derivative' must be a callable"):
        lambda_.forward(x, function=function, derivative="cos")
    with pytest.raises(TypeError, match="lambda_: 'function' must return an array of x's dtype float64, got dtype float32"):
        lambda_.forward(x, function=lambda v: v.astype(np.float32))
    with pytest.raises(ValueError, match=r"lambda_: 'derivative' must return the gradient of x, shape \(2, 3\)"):
        _, ctx = lambda_.forward(x, function=function, derivative=lambda v, g: g[0])
        lambda_.backward(np.ones((2, 3)), ctx)
    with pytest.raises(ValueError, match="lambda_: unknown activation 'tahn'"):
        lambda_.forward(x, function=function, activation="tahn")
    with pytest.raises(TypeError, match="lambda_: argument 'grad_y' must have dtype float64"):
        lambda_.backward(np.ones((2, 3), np.float32), lambda_.forward(x, function=function, derivative=derivative)[1])
    with pytest.raises(TypeError, match="lambda_: argument 'x' must be a NumPy or CuPy array, got list"):
        lambda_.forward([1.0], function=function)
