"""The quantum layer (issue 20) against a torch.kron chain of RY gates under autograd
(qubit q is bit q of the basis index, so the chain is RY(theta[n-1]) x ... x RY(theta[0])),
float32 and float64, with fewer, exactly 2^n and more features than amplitudes; float64
finite differences for x and theta; the output_size check; PennyLane's circuit as a second
check (forward and the theta gradient). Tolerances are
test_layer_parity's (float64 1e-9 relative; float32 1e-4 relative, scaled by the largest value)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from harness import central_differences
from layerforge import nn
from layerforge.layers import quantum
from test_layer_parity import TOL


def ry(t):
    c, s = torch.cos(t / 2), torch.sin(t / 2)
    return torch.stack([torch.stack([c, -s]), torch.stack([s, c])])


def torch_quantum(x, theta, eps=1e-12):
    size = 2 ** theta.shape[0]
    psi = torch.nn.functional.pad(x, (0, max(0, size - x.shape[-1])))[:, :size]
    psi = psi / torch.sqrt((psi * psi).sum(-1, keepdim=True) + eps)
    gates = ry(theta[-1])
    for q in range(theta.shape[0] - 2, -1, -1):
        gates = torch.kron(gates, ry(theta[q]))
    return (psi @ gates.T) ** 2


@pytest.mark.parametrize("features, qubits, dtype", [(6, 3, np.float64), (8, 3, np.float32), (11, 3, np.float64),
                                                     (20, 4, np.float32), (3, 1, np.float64)])
def test_quantum_matches_torch_kron(features, qubits, dtype):
    rng = np.random.default_rng(features)
    x = rng.standard_normal((5, features)).astype(dtype)
    theta = rng.uniform(0, 2 * np.pi, qubits).astype(dtype)
    y, ctx = quantum.forward(x, theta, output_size=2 ** qubits)
    g = rng.standard_normal(y.shape).astype(dtype)
    grad_x, grad_theta = quantum.backward(g, ctx)
    tx, tt = torch.tensor(x, requires_grad=True), torch.tensor(theta, requires_grad=True)
    expected = torch_quantum(tx, tt)
    expected.backward(torch.tensor(g))
    for what, ours, theirs in (("y", y, expected), ("grad_x", grad_x, tx.grad), ("grad_theta", grad_theta, tt.grad)):
        theirs = theirs.detach().numpy()
        assert ours.dtype == dtype and ours.shape == theirs.shape, what
        tol = dict(TOL[dtype])
        if dtype == np.float32:
            tol["atol"] *= max(1.0, float(np.max(np.abs(theirs))))
        np.testing.assert_allclose(ours, theirs, err_msg=what, **tol)
    # probabilities (up to epsilon = 1e-12 under the norm, relative to |psi|^2)
    np.testing.assert_allclose(y.sum(-1), 1, rtol=1e-5 if dtype == np.float32 else 1e-9)


@pytest.mark.parametrize("features", [5, 8, 10])
def test_quantum_finite_differences(features):
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((3, features)), rng.uniform(0, 2 * np.pi, 3)]
    y, ctx = quantum.forward(*arrays, output_size=8)
    g = rng.standard_normal(y.shape)
    grads = quantum.backward(g, ctx)

    def loss(values):
        return float(np.sum(quantum.forward(*values, output_size=8)[0] * g))

    for index, ours in enumerate(grads):
        np.testing.assert_allclose(ours, central_differences(loss, arrays, index), rtol=1e-6, atol=1e-8)


def test_output_size_must_be_two_to_the_qubits():
    with pytest.raises(ValueError, match=r"quantum: attribute 'output_size' = 6 must be 2 \*\* 3 = 8.*'theta'"):
        quantum.forward(np.ones((2, 8)), np.zeros(3), output_size=6)
    with pytest.raises(ValueError, match="quantum.*theta"):
        quantum.forward(np.ones((2, 8)), np.zeros((3, 1)), output_size=8)


def test_nn_quantum_draws_angles_in_a_turn():
    layer = nn.Quantum(4, output_size=16, rng=np.random.default_rng(0), dtype=np.float64)
    assert layer.theta.shape == (4,) and np.all((0 <= layer.theta) & (layer.theta < 2 * np.pi))
    y = layer(np.ones((2, 16)))
    assert y.shape == (2, 16)


@pytest.mark.parametrize("features, qubits", [(6, 3), (16, 4)])
def test_quantum_matches_pennylane(features, qubits):
    """PennyLane, the issue's second check: the amplitudes prepared as a state (qml.StatePrep,
    normalised by PennyLane), RY(theta[q]) on the wire of bit q (PennyLane's wire 0 is the most
    significant bit: qubit q is wire n - 1 - q), the basis probabilities out; and the gradient
    for theta from PennyLane's own differentiation (autograd interface), float64."""
    import pennylane as qml
    import pennylane.numpy as pnp
    rng = np.random.default_rng(features)
    x = rng.standard_normal((3, features))
    theta = rng.uniform(0, 2 * np.pi, qubits)
    y, ctx = quantum.forward(x, theta, output_size=2 ** qubits, epsilon=0.0)
    weights = rng.standard_normal(y.shape)
    _, grad_theta = quantum.backward(weights, ctx)

    device = qml.device("default.qubit", wires=qubits)

    @qml.qnode(device, interface="autograd")
    def circuit(angles, amplitudes):
        qml.StatePrep(amplitudes, wires=range(qubits), normalize=True)
        for q in range(qubits):
            qml.RY(angles[q], wires=qubits - 1 - q)
        return qml.probs(wires=range(qubits))

    psi = np.zeros((3, 2 ** qubits))
    psi[:, :min(features, 2 ** qubits)] = x[:, :2 ** qubits]
    expected = np.stack([circuit(theta, row) for row in psi])
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)

    def loss(angles):
        return sum(pnp.sum(circuit(angles, row) * w) for row, w in zip(psi, weights))

    expected_grad = qml.grad(loss)(pnp.array(theta, requires_grad=True))
    np.testing.assert_allclose(grad_theta, expected_grad, rtol=1e-9, atol=1e-12)
