"""Capsule routing (issue 20): capsule and digit_capsule against PyTorch compositions of the
routing loop differentiated by autograd, with c.detach() in every iteration for
routing_gradient='stop' and without for 'full', float32 and float64, over several routing
iterations (the generic harness runs one, where 'stop' is the true derivative). Float64
finite differences: in 'full' mode of the layer itself; in 'stop' mode of the last routing
iteration with the coupling coefficients held at their forward values, which is the function
'stop' differentiates. Tolerances are test_layer_parity's (float64 1e-9 relative; float32
1e-4 relative, scaled by the largest value)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from harness import central_differences
from layerforge import nn
from layerforge.layers import capsule, digit_capsule
from test_layer_parity import DTYPES, TOL

B, N_IN, D_IN, N_OUT, D_OUT = 3, 5, 4, 3, 6


def draw(shape, dtype, seed, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def close(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert ours.dtype == dtype and ours.shape == theirs.shape, what
    tol = dict(TOL[dtype])
    if dtype == np.float32:
        tol["atol"] *= max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    np.testing.assert_allclose(ours, theirs, err_msg=what, **tol)


def torch_routing(u_hat, bias, iterations, mode):
    """Dynamic routing over votes u_hat [B, N_i, N_o, D_o], written in torch."""
    logits = torch.zeros(u_hat.shape[:3], dtype=u_hat.dtype)
    for r in range(iterations):
        c = torch.softmax(logits, -1)
        if mode == "stop":
            c = c.detach()
        s = (c[..., None] * u_hat).sum(1)
        if bias is not None:
            s = s + bias
        squared = (s * s).sum(-1, keepdim=True)
        v = s * torch.sqrt(squared + 1e-7) / (1 + squared)
        if r < iterations - 1:
            logits = logits + (u_hat * v[:, None]).sum(-1)
    return v


def torch_capsule(x, weight, bias, iterations, mode):
    return torch_routing(torch.einsum("bid,idjk->bijk", x, weight), bias, iterations, mode)


def torch_digit_capsule(x, weight, iterations, mode):
    return torch_routing(torch.einsum("bid,ijdk->bijk", x, weight), None, iterations, mode)


CASES = [("stop", 3, np.float64), ("full", 3, np.float64), ("stop", 2, np.float32), ("full", 4, np.float32)]


@pytest.mark.parametrize("mode, iterations, dtype", CASES)
def test_capsule_matches_torch(mode, iterations, dtype):
    x, weight = draw((B, N_IN, D_IN), dtype, 1), draw((N_IN, D_IN, N_OUT, D_OUT), dtype, 2, 0.5)
    bias = draw((N_OUT, D_OUT), dtype, 3, 0.1)
    y, ctx = capsule.forward(x, weight, bias, routing_iterations=iterations, routing_gradient=mode)
    g = draw(y.shape, dtype, 4)
    grads = capsule.backward(g, ctx)
    leaves = [torch.tensor(a, requires_grad=True) for a in (x, weight, bias)]
    expected = torch_capsule(*leaves, iterations, mode)
    expected.backward(torch.tensor(g))
    close(y, expected, dtype, "y")
    for name, ours, leaf in zip(("x", "weight", "bias"), grads, leaves):
        close(ours, leaf.grad, dtype, f"grad_{name}")


@pytest.mark.parametrize("mode, iterations, dtype", CASES)
def test_digit_capsule_matches_torch(mode, iterations, dtype):
    x, weight = draw((B, N_IN, D_IN), dtype, 5), draw((N_IN, N_OUT, D_IN, D_OUT), dtype, 6, 0.5)
    y, ctx = digit_capsule.forward(x, weight, routing_iterations=iterations, routing_gradient=mode)
    g = draw(y.shape, dtype, 7)
    grad_x, grad_weight = digit_capsule.backward(g, ctx)
    leaves = [torch.tensor(a, requires_grad=True) for a in (x, weight)]
    expected = torch_digit_capsule(*leaves, iterations, mode)
    expected.backward(torch.tensor(g))
    close(y, expected, dtype, "y")
    close(grad_x, leaves[0].grad, dtype, "grad_x")
    close(grad_weight, leaves[1].grad, dtype, "grad_weight")


def numpy_last_iteration(x, weight, bias, c):
    """The last routing iteration with the coupling coefficients c [B, N_i, N_o] fixed."""
    s = np.einsum("bij,bid,idjk->bjk", c, x, weight) + bias
    squared = np.sum(s * s, -1, keepdims=True)
    return s * np.sqrt(squared + 1e-7) / (1 + squared)


@pytest.mark.parametrize("mode", ["stop", "full"])
def test_capsule_finite_differences(mode):
    arrays = [draw((2, 4, 3), np.float64, 8), draw((4, 3, 2, 3), np.float64, 9, 0.7),
              draw((2, 3), np.float64, 10, 0.1)]
    y, ctx = capsule.forward(*arrays, routing_iterations=3, routing_gradient=mode)
    g = draw(y.shape, np.float64, 11)
    grads = capsule.backward(g, ctx)
    if mode == "full":
        def loss(values):
            return float(np.sum(capsule.forward(*values, routing_iterations=3, routing_gradient="full")[0] * g))
    else:
        # the coefficients of the last iteration, from the torch composition at this point
        with torch.no_grad():
            u_hat = torch.einsum("bid,idjk->bijk", *(torch.tensor(a) for a in arrays[:2]))
            logits = torch.zeros(u_hat.shape[:3], dtype=u_hat.dtype)
            for _ in range(2):
                v = torch_routing_step(u_hat, torch.tensor(arrays[2]), logits)
                logits = logits + (u_hat * v[:, None]).sum(-1)
            c = torch.softmax(logits, -1).numpy()
        np.testing.assert_allclose(numpy_last_iteration(*arrays, c), y, rtol=1e-12, atol=1e-14)

        def loss(values):
            return float(np.sum(numpy_last_iteration(*values, c) * g))
    for index, ours in enumerate(grads):
        np.testing.assert_allclose(ours, central_differences(loss, arrays, index), rtol=1e-6, atol=1e-8,
                                   err_msg=f"{mode}: gradient {index}")


def torch_routing_step(u_hat, bias, logits):
    c = torch.softmax(logits, -1)
    s = (c[..., None] * u_hat).sum(1) + bias
    squared = (s * s).sum(-1, keepdim=True)
    return s * torch.sqrt(squared + 1e-7) / (1 + squared)


def test_digit_capsule_full_finite_differences():
    arrays = [draw((2, 4, 3), np.float64, 12), draw((4, 2, 3, 3), np.float64, 13, 0.7)]
    y, ctx = digit_capsule.forward(*arrays, routing_iterations=3, routing_gradient="full")
    g = draw(y.shape, np.float64, 14)
    grads = digit_capsule.backward(g, ctx)

    def loss(values):
        return float(np.sum(digit_capsule.forward(*values, routing_iterations=3, routing_gradient="full")[0] * g))

    for index, ours in enumerate(grads):
        np.testing.assert_allclose(ours, central_differences(loss, arrays, index), rtol=1e-6, atol=1e-8)


def test_stop_keeps_nothing_of_the_iterations():
    """'stop' has no backward loop: its context holds no per-iteration history."""
    x, weight, bias = draw((2, 4, 3), np.float64, 15), draw((4, 3, 2, 3), np.float64, 16), np.zeros((2, 3))
    _, stop_ctx = capsule.forward(x, weight, bias, routing_iterations=5)
    _, full_ctx = capsule.forward(x, weight, bias, routing_iterations=5, routing_gradient="full")
    assert not any(isinstance(item, list) for item in stop_ctx[1])
    assert [len(item) for item in full_ctx[1] if isinstance(item, list)] == [4]


def test_bad_input_names_op_and_argument():
    x = np.zeros((2, 4, 3))
    with pytest.raises(ValueError, match="capsule.*weight"):
        capsule.forward(x, np.zeros((4, 2, 2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="capsule.*routing_iterations"):
        capsule.forward(x, np.zeros((4, 3, 2, 3)), np.zeros((2, 3)), routing_iterations=0)
    with pytest.raises(ValueError, match="digit_capsule.*x"):
        digit_capsule.forward(np.zeros((2, 5, 3)), np.zeros((4, 2, 3, 3)))


def test_nn_classes_train_step():
    rng = np.random.default_rng(0)
    layer = nn.DigitCapsule(6, 4, 3, 5, rng=rng, dtype=np.float64)  # in_capsules, in_dim, num_classes, out_dim
    x = rng.standard_normal((2, 6, 4))
    y = layer(x)
    assert y.shape == (2, 3, 5)
    grad_x = layer.backward(np.ones_like(y))
    assert grad_x.shape == x.shape and layer.grads["weight"].shape == (6, 3, 4, 5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_margin_loss_matches_torch(dtype):
    from layerforge.losses import margin_loss

    capsules = draw((6, 4, 3), dtype, 17, 0.4)
    labels = np.array([0, 3, 1, 2, 3, 0])
    target = np.eye(4, dtype=dtype)[labels]
    loss, ctx = margin_loss.forward(capsules, target)
    grad = margin_loss.backward(np.asarray(1.0, dtype=dtype), ctx)
    leaf = torch.tensor(capsules, requires_grad=True)
    lengths = torch.sqrt((leaf * leaf).sum(-1) + 1e-12)
    t = torch.tensor(target)
    expected = (t * torch.relu(0.9 - lengths) ** 2 + 0.5 * (1 - t) * torch.relu(lengths - 0.1) ** 2).sum(-1).mean()
    expected.backward()
    close(np.asarray(loss), expected, dtype, "loss")
    close(grad, leaf.grad, dtype, "grad_capsules")
    assert nn.MarginLoss()(capsules, labels) == pytest.approx(float(loss))
    with pytest.raises(ValueError, match="MarginLoss: labels must lie in"):
        nn.MarginLoss()(capsules, labels + 1)
