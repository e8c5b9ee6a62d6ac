"""Quantum: A simulated layer of single-qubit rotations on real amplitudes: the first 2^n
features of each row (zero-padded when fewer), normalized to a unit state psi /
sqrt(|psi|^2 + epsilon), go through RY(theta_q) = [[cos theta_q/2, -sin theta_q/2], [sin
theta_q/2, cos theta_q/2]] on every qubit q (bit q of the basis index), and the output
is the probability of each basis state, phi^2 [B, 2^n]. The gates are applied one qubit
axis at a time; the 2^n x 2^n matrix is never formed.
Generated from layers_spec/layers/quantum.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_states,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, RowBlockKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("theta",)
OUTPUTS = ("y",)


def forward(x, theta, *, output_size, epsilon=1e-12):
    """Quantum forward pass.

    A simulated layer of single-qubit rotations on real amplitudes: the first 2^n
    features of each row (zero-padded when fewer), normalized to a unit state psi /
    sqrt(|psi|^2 + epsilon), go through RY(theta_q) = [[cos theta_q/2, -sin theta_q/2],
    [sin theta_q/2, cos theta_q/2]] on every qubit q (bit q of the basis index), and the
    output is the probability of each basis state, phi^2 [B, 2^n]. The gates are applied
    one qubit axis at a time; the 2^n x 2^n matrix is never formed.

    Args:
        x: float32 or float64 input of shape [B, F]. Features; the first output_size of
            each row are the amplitudes (zeros after the end).
        theta: float32 or float64 parameter of shape [num_qubits]. One RY angle per
            qubit.
        output_size: int, required. 2 ** num_qubits: the basis states, the output's last
            size.
        epsilon: float, default 1e-12. Added under the square root of the norm (a row of
            zeros stays zeros).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "quantum", {"x": x, "theta": theta}, {"x": ("B", "F"), "theta": ("num_qubits",)}
    )
    check_attribute("quantum", "output_size", output_size, "int", minimum=2)
    check_attribute("quantum", "epsilon", epsilon, "float", minimum=0.0)
    check_states("quantum", "output_size", output_size, "theta", theta.shape, 0)
    if on_gpu(x):
        y, saved = _cupy_forward(x, theta, output_size, epsilon)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, theta, output_size, epsilon)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Quantum backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_theta: gradients with respect to x, theta, in that order.
    """
    backward_variant, saved = check_context(
        "quantum", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, theta, output_size, epsilon):
    psi = _resize_last(x, output_size)
    _t1 = _sum(psi * psi, -1)
    _t1 += epsilon
    np.sqrt(_t1, out=_t1)
    state = psi / _t1
    phi = _ry_gates(state, theta)
    y = phi * phi
    return y, (x, theta, psi, _t1, phi)


def _backward(grad_y, x, theta, psi, _t1, phi):
    state = psi / _t1
    _t2 = grad_y * phi
    grad_phi = np.add(_t2, _t2, out=_t2)
    grad_state = _ry_gates_adjoint(grad_phi, theta)
    grad_theta = _ry_gates_theta_grad(grad_phi, phi, theta)
    _t3 = (
        np.broadcast_to(
            0.5 * np.sum(-grad_state * state / _t1, axis=-1, keepdims=True) / _t1,
            psi.shape,
        )
        * psi
    )
    grad_psi = grad_state / _t1
    grad_psi += _t3
    grad_psi += _t3
    grad_x = _resize_last_like(grad_psi, x)
    return grad_x, grad_theta


def _resize_last(x, size):
    """x [..., F] as [..., size]: its first size entries (a view), or x followed by zeros."""
    if x.shape[-1] >= size:
        return x[..., :size]
    out = np.zeros(x.shape[:-1] + (size,), dtype=x.dtype)
    out[..., : x.shape[-1]] = x
    return out


def _resize_last_like(grad, x):
    """grad resized along the last axis to x's length."""
    return _resize_last(grad, x.shape[-1])


def _ry_gates(psi, theta, adjoint=False):
    """psi [..., 2^n] through RY(theta[q]) on qubit q for q = 0..n-1 (the gates commute:
    each acts on its own axis); ``adjoint``: the transposed gates, RY(-theta[q]). Qubit q
    is axis n - q of psi as [rows, 2, ..., 2] (bit q of the basis index, C order)."""
    n = theta.shape[0]
    state = psi.reshape((-1,) + (2,) * n)
    for q in range(n):
        half = theta[q] / 2
        cos, sin = np.cos(half), (-np.sin(half) if adjoint else np.sin(half))
        zero, one = state.take(0, axis=n - q), state.take(1, axis=n - q)
        state = np.stack((cos * zero - sin * one, sin * zero + cos * one), axis=n - q)
    return state.reshape(psi.shape)


def _ry_gates_adjoint(grad, theta):
    """grad [..., 2^n] through RY(theta[q]).T = RY(-theta[q]) on every qubit q."""
    return _ry_gates(grad, theta, adjoint=True)


def _ry_gates_theta_grad(grad, phi, theta):
    """[n]: for each qubit q, (grad[bit q = 1] . phi[bit q = 0] - grad[bit q = 0] .
    phi[bit q = 1]) / 2, summed over the rows: one pass per qubit over the output."""
    n = theta.shape[0]
    out = phi.reshape((-1,) + (2,) * n)
    grad = grad.reshape(out.shape)
    result = np.empty_like(theta)
    for q in range(n):
        zero, one = out.take(0, axis=n - q), out.take(1, axis=n - q)
        result[q] = (
            np.vdot(grad.take(1, axis=n - q), zero)
            - np.vdot(grad.take(0, axis=n - q), one)
        ) / 2
    return result


def _sum(x, axis):
    """The sum along ``axis`` (one axis or a tuple), kept as length-1 axes. Along the last
    axis of a float array it is a matrix-vector product with ones (BLAS), several times
    faster than NumPy's reduction loop on rows; over several trailing axes of a
    C-contiguous one (per-channel sums over H and W) those are flattened into one such
    product, and any leading axes are then summed over the much smaller result."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        with blas_flags_ignored(x):
            return np.matmul(x, np.ones(x.shape[-1], x.dtype))[..., None]
    axes = sorted(a % x.ndim for a in axis) if isinstance(axis, tuple) else None
    trailing = 0
    while axes and x.ndim - 1 - trailing in axes:
        trailing += 1
    if trailing < 2 or x.dtype.kind != "f" or not x.flags.c_contiguous or not x.size:
        return np.sum(x, axis=axis, keepdims=True)
    inner = 1
    for n in x.shape[x.ndim - trailing :]:
        inner *= n
    sums = np.matmul(x.reshape(-1, inner), np.ones(inner, x.dtype))
    sums = sums.reshape(x.shape[: x.ndim - trailing] + (1,) * trailing)
    rest = tuple(a for a in axes if a < x.ndim - trailing)
    return np.sum(sums, axis=rest, keepdims=True) if rest else sums


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# quantum_fwd_0: layers_spec/layers/quantum.yaml:20
_quantum_fwd_0 = RowBlockKernel(
    "quantum_fwd_0",
    "row T psi, scalar T epsilon",
    "per_row T _t4, row T state",
    """
    T _c_psi[LF_REGISTERS];
    T _t2 = T(0);
    LF_ROW_LOOP(
        const T psi = _at.fill(_c_psi, _row_psi, _j);
        const T _t1 = psi * psi;
        _t2 = _Sum()(_t2, _t1);
    )
    _t2 = _row_reduce(_t2, _Sum());
    const T _t3 = _t2 + epsilon;
    const T _t4 = sqrt(_t3);
    LF_ROW_LOOP(
        const T psi = _at.get(_c_psi, _row_psi, _j);
        const T state = psi / _t4;
        _row_state[_j] = state;
    )
    """,
)


# quantum_fwd_1: layers_spec/layers/quantum.yaml:22
_quantum_fwd_1 = ElementwiseKernel(
    "quantum_fwd_1",
    "T phi",
    "T y",
    """
    y = phi * phi;
    """,
)


def _cupy_forward(x, theta, output_size, epsilon):
    psi = _cupy_resize_last(x, output_size)
    _t4, state = _quantum_fwd_0(psi, epsilon)
    phi = _cupy_ry_gates(state, theta)
    y = _quantum_fwd_1(phi)
    return y, (x, theta, psi, _t4, phi)


# quantum_bwd_0: layers_spec/layers/quantum.yaml:20; layers_spec/primitives.yaml:61,62
_quantum_bwd_0 = ElementwiseKernel(
    "quantum_bwd_0",
    "T psi, T _t4, T grad_y, T phi",
    "T state, T grad_phi",
    """
    state = psi / _t4;
    T _t5 = grad_y * phi;
    T _t6 = grad_y * phi;
    grad_phi = _t5 + _t6;
    """,
)


# quantum_bwd_1: layers_spec/primitives.yaml:71,72,171; layers_spec/layers/quantum.yaml:20
_quantum_bwd_1 = RowBlockKernel(
    "quantum_bwd_1",
    "row T grad_state, per_row T _t4, row T state",
    "row T _t9, per_row T _t15",
    """
    T _c_grad_state[LF_REGISTERS];
    T _t13 = T(0);
    LF_ROW_LOOP(
        const T grad_state = _at.fill(_c_grad_state, _row_grad_state, _j);
        const T state = _row_state[_j];
        const T _t10 = -grad_state;
        const T _t11 = _t10 * state;
        const T _t12 = _t11 / _t4;
        _t13 = _Sum()(_t13, _t12);
    )
    _t13 = _row_reduce(_t13, _Sum());
    const T _t14 = T(0.5) * _t13;
    const T _t15 = _t14 / _t4;
    LF_ROW_LOOP(
        const T grad_state = _at.get(_c_grad_state, _row_grad_state, _j);
        const T _t9 = grad_state / _t4;
        _row__t9[_j] = _t9;
    )
    """,
)


# quantum_bwd_2: layers_spec/primitives.yaml:61,62
_quantum_bwd_2 = ElementwiseKernel(
    "quantum_bwd_2",
    "T _t16, T psi, T _t9",
    "T grad_psi",
    """
    T _t17 = _t16 * psi;
    T _t18 = _t16 * psi;
    T _t19 = _t9 + _t17;
    grad_psi = _t19 + _t18;
    """,
)


def _cupy_backward(grad_y, x, theta, psi, _t4, phi):
    import cupy as cp

    state, grad_phi = _quantum_bwd_0(psi, _t4, grad_y, phi)
    grad_state = _cupy_ry_gates_adjoint(grad_phi, theta)
    grad_theta = _cupy_ry_gates_theta_grad(grad_phi, phi, theta)
    _t9, _t15 = _quantum_bwd_1(grad_state, _t4, state)
    _t16 = cp.broadcast_to(_t15, psi.shape)
    grad_psi = _quantum_bwd_2(_t16, psi, _t9)
    grad_x = _cupy_resize_last_like(grad_psi, x)
    return grad_x, grad_theta


def _cupy_resize_last(x, size):
    """x [..., F] as [..., size]: its first size entries (a view), or x followed by zeros."""
    import cupy as cp

    if x.shape[-1] >= size:
        return x[..., :size]
    out = cp.zeros(x.shape[:-1] + (size,), dtype=x.dtype)
    out[..., : x.shape[-1]] = x
    return out


def _cupy_resize_last_like(grad, x):
    """grad resized along the last axis to x's length."""
    return _cupy_resize_last(grad, x.shape[-1])


def _cupy_ry_gates(psi, theta, adjoint=False):
    """psi [..., 2^n] through RY(theta[q]) on qubit q for q = 0..n-1 (the gates commute:
    each acts on its own axis); ``adjoint``: the transposed gates, RY(-theta[q]). Qubit q
    is axis n - q of psi as [rows, 2, ..., 2] (bit q of the basis index, C order)."""
    import cupy as cp

    n = theta.shape[0]
    state = psi.reshape((-1,) + (2,) * n)
    for q in range(n):
        half = theta[q] / 2
        cos, sin = cp.cos(half), (-cp.sin(half) if adjoint else cp.sin(half))
        zero, one = state.take(0, axis=n - q), state.take(1, axis=n - q)
        state = cp.stack((cos * zero - sin * one, sin * zero + cos * one), axis=n - q)
    return state.reshape(psi.shape)


def _cupy_ry_gates_adjoint(grad, theta):
    """grad [..., 2^n] through RY(theta[q]).T = RY(-theta[q]) on every qubit q."""
    return _cupy_ry_gates(grad, theta, adjoint=True)


def _cupy_ry_gates_theta_grad(grad, phi, theta):
    """[n]: for each qubit q, (grad[bit q = 1] . phi[bit q = 0] - grad[bit q = 0] .
    phi[bit q = 1]) / 2, summed over the rows: one pass per qubit over the output."""
    import cupy as cp

    n = theta.shape[0]
    out = phi.reshape((-1,) + (2,) * n)
    grad = grad.reshape(out.shape)
    result = cp.empty_like(theta)
    for q in range(n):
        zero, one = out.take(0, axis=n - q), out.take(1, axis=n - q)
        result[q] = (
            cp.vdot(grad.take(1, axis=n - q), zero)
            - cp.vdot(grad.take(0, axis=n - q), one)
        ) / 2
    return result
