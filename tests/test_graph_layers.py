"""Graph and expert layers of issue 20 against PyTorch compositions, forward and backward,
float32 and float64: graph_convolutional against torch.bmm(A, F.linear(X, W)) + b,
graph_attention against a dense composition of PyTorch Geometric's GATConv (concat=False,
add_self_loops=False; PyG itself is not installed), mixture_of_experts against a dense
evaluation of every expert with a torch.topk mask. Tolerances are test_layer_parity's
(float64 1e-9 relative; float32 1e-4 relative, scaled by the largest value). Also float64
finite differences of every gradient, and the errors for bad input.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from layerforge.layers import graph_convolutional
from test_layer_parity import DTYPES, TOL

B, N, F_IN, F_OUT = 2, 5, 4, 3


def draw(shape, dtype, seed, low=-1.5, high=1.5):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def close(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert ours.dtype == dtype, f"{what}: dtype {ours.dtype}"
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, expected {theirs.shape}"
    tol = dict(TOL[dtype])
    if dtype == np.float32:
        tol["atol"] *= max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    np.testing.assert_allclose(ours, theirs, err_msg=what, **tol)


def adjacency_of(shape, dtype, seed):
    """Edge weights with about a third of the entries 0 (no edge), node 0 isolated."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.1, 1.0, shape) * (rng.random(shape) < 0.65)
    a[..., 0, :] = 0
    return a.astype(dtype)


def numeric_gradient(f, arrays, index, eps=1e-6):
    """Central differences of the scalar f(*arrays) with respect to arrays[index]."""
    target = arrays[index]
    grad = np.zeros_like(target)
    for position in np.ndindex(target.shape):
        saved = target[position]
        target[position] = saved + eps
        up = f(*arrays)
        target[position] = saved - eps
        down = f(*arrays)
        target[position] = saved
        grad[position] = (up - down) / (2 * eps)
    return grad


def check_finite_differences(op, run, arrays, what):
    """float64 central differences (eps 1e-6: truncation and rounding both near 1e-9) of
    <g, y> against every gradient backward returns."""
    y, ctx = run(*arrays)
    g = np.random.default_rng(5).standard_normal(y.shape)
    grads = op.backward(g, ctx)
    assert len(grads) == len(arrays)
    for index, ours in enumerate(grads):
        expected = numeric_gradient(lambda *a: float(np.sum(run(*a)[0] * g)), arrays, index)
        np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-8, err_msg=f"{what}: gradient {index}")


# -- graph_convolutional --------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias, activation, shared", [(True, "identity", False), (False, "relu", False),
                                                       (True, "tanh", True)])
def test_graph_convolutional_against_torch_bmm(dtype, bias, activation, shared):
    """One adjacency per graph, or one shared by the batch (broadcast, a view); the fused
    activations and a composed one (tanh)."""
    x, weight = draw((B, N, F_IN), dtype, 1), draw((F_OUT, F_IN), dtype, 2)
    b = draw((F_OUT,), dtype, 3) if bias else None
    a = adjacency_of((N, N) if shared else (B, N, N), dtype, 4)
    given = np.broadcast_to(a, (B, N, N)) if shared else a
    y, ctx = graph_convolutional.forward(x, given, weight, b, activation=activation)
    g = draw(y.shape, dtype, 5)
    grads = graph_convolutional.backward(g, ctx)

    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(weight, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True) if bias else None
    z = torch.bmm(torch.from_numpy(np.ascontiguousarray(given)), F.linear(tx, tw))
    z = z + tb if bias else z
    out = {"identity": z, "relu": torch.relu(z), "tanh": torch.tanh(z)}[activation]
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    close(grads[0], tx.grad, dtype, "grad_x")
    close(grads[1], tw.grad, dtype, "grad_weight")
    if bias:
        close(grads[2], tb.grad, dtype, "grad_bias")
    else:
        assert grads[2] is None
    assert len(grads) == 3  # the adjacency takes no gradient


def test_graph_convolutional_of_one_graph_without_batch():
    x, weight, b = draw((N, F_IN), np.float64, 1), draw((F_OUT, F_IN), np.float64, 2), draw((F_OUT,), np.float64, 3)
    a = adjacency_of((N, N), np.float64, 4)
    y, _ = graph_convolutional.forward(x, a, weight, b)
    np.testing.assert_allclose(y, a @ (x @ weight.T) + b, rtol=1e-12, atol=1e-12)


def test_graph_convolutional_finite_differences_float64():
    rng = np.random.default_rng(11)
    arrays = [rng.standard_normal(s) for s in ((2, 3, 4), (3, 4), (3,))]
    a = adjacency_of((2, 3, 3), np.float64, 2)
    check_finite_differences(graph_convolutional, lambda x, w, b: graph_convolutional.forward(x, a, w, b, activation="elu"),
                             arrays, "graph_convolutional")


def test_nn_graph_convolutional_trains_a_step():
    from layerforge import nn

    layer = nn.GraphConvolutional(F_IN, F_OUT, activation="relu", rng=np.random.default_rng(0), dtype=np.float64)
    x, a = draw((B, N, F_IN), np.float64, 1), adjacency_of((B, N, N), np.float64, 2)
    y = layer(x, a)
    grad_x = layer.backward(np.ones_like(y))
    assert y.shape == (B, N, F_OUT) and grad_x.shape == x.shape
    assert set(layer.grads) == {"weight", "bias"}
    np.testing.assert_allclose(layer.grads["bias"], np.sum(y > 0, axis=(0, 1)))


BAD = [
    (lambda: graph_convolutional.forward(np.zeros((2, 5, 4)), np.zeros((2, 5, 4)), np.zeros((3, 4))), ValueError,
     "graph_convolutional: argument 'adjacency' has N = 4 (shape (2, 5, 4), expected [..., N, N]), but 'x' has N = 5"),
    (lambda: graph_convolutional.forward(np.zeros((2, 5, 4)), np.zeros((3, 5, 5)), np.zeros((3, 4))), ValueError,
     "graph_convolutional: argument 'adjacency' has leading dimensions (3,)"),
    (lambda: graph_convolutional.forward(np.zeros((2, 5, 4)), np.zeros((2, 5, 5), np.float32), np.zeros((3, 4))),
     TypeError, "graph_convolutional: argument 'adjacency' has dtype float32 but 'x' has float64"),
    (lambda: graph_convolutional.forward(np.zeros((2, 5, 4)), np.zeros((2, 5, 5), bool), np.zeros((3, 4))),
     TypeError, "graph_convolutional: argument 'adjacency' must have dtype float32 or float64, got bool"),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input_names_op_and_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
