"""PositionalEncoding: Sinusoidal positions added to a sequence: y = x + PE[:S] for x [...,
S, D], PE[p, 2i] = sin(p / 10000^(2i / D)) and PE[p, 2i + 1] = cos(p / 10000^(2i / D))
(Vaswani et al.; an odd D ends with a sine column); the angles are reduced modulo 2 pi
in float64, then rounded to x's dtype. No parameters; the gradient passes through. S may
not exceed max_sequence_length.
Generated from layers_spec/layers/positional_encoding.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_at_most,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, max_sequence_length=5000):
    """PositionalEncoding forward pass.

    Sinusoidal positions added to a sequence: y = x + PE[:S] for x [..., S, D], PE[p,
    2i] = sin(p / 10000^(2i / D)) and PE[p, 2i + 1] = cos(p / 10000^(2i / D)) (Vaswani
    et al.; an odd D ends with a sine column); the angles are reduced modulo 2 pi in
    float64, then rounded to x's dtype. No parameters; the gradient passes through. S
    may not exceed max_sequence_length.

    Args:
        x: float32 or float64 input of shape [..., S, D]. A sequence [..., S, D].
        max_sequence_length: int, default 5000. The longest sequence the table serves.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("positional_encoding", {"x": x}, {"x": ("...", "S", "D")})
    check_attribute(
        "positional_encoding",
        "max_sequence_length",
        max_sequence_length,
        "int",
        minimum=1,
    )
    check_at_most(
        "positional_encoding",
        "max_sequence_length",
        max_sequence_length,
        "x",
        x.shape,
        -2,
    )
    if on_gpu(x):
        y, saved = _cupy_forward(x, max_sequence_length)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, max_sequence_length)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """PositionalEncoding backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.

    Gradients are writable, and no copy is made: grad_x may be grad_y itself or a view
    of it. Copy one before updating it in place if the others must not change.
    """
    backward_variant, saved = check_context(
        "positional_encoding", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, max_sequence_length):
    angles = _position_angles(x)
    table = np.where(_odd_columns(angles), np.cos(angles), np.sin(angles))
    y = x + table
    return y, ()


def _backward(grad_y):
    return grad_y


def _odd_columns(like):
    """A bool array of like's shape, True in its odd columns (along the last axis)."""
    return np.broadcast_to(np.arange(like.shape[-1]) % 2 == 1, like.shape).copy()


def _position_angles(like):
    """The angles p / 10000^(2 floor(i / 2) / D) of positions p < S and features i < D
    for ``like`` [..., S, D], modulo 2 pi (computed in float64), in like's dtype [S, D].
    """
    positions, features = like.shape[-2:]
    pairs = np.arange(features) // 2 * 2
    rates = np.exp(pairs * (-np.log(10000.0) / max(features, 1)))
    angles = np.arange(positions, dtype=np.float64)[:, None] * rates
    return np.remainder(angles, 2 * np.pi).astype(like.dtype)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# positional_encoding_fwd_0: layers_spec/layers/positional_encoding.yaml:16
_positional_encoding_fwd_0 = ElementwiseKernel(
    "positional_encoding_fwd_0",
    "T angles, bool _t1",
    "T table",
    """
    T _t2 = lf_cos(angles);
    T _t3 = lf_sin(angles);
    table = _t1 ? _t2 : _t3;
    """,
    preamble="""
    template <typename T> __device__ T lf_turns(T x) { return x; }
    template <> __device__ float lf_turns<float>(float x) {
        float k = rintf(x * 0.159154943f);
        return fmaf(-k, -1.74845553e-07f, fmaf(-k, 6.28318548f, x));
    }
    template <typename T> __device__ T lf_sin(T x) { return sin(x); }
    template <> __device__ float lf_sin<float>(float x) { return __sinf(lf_turns(x)); }
    template <typename T> __device__ T lf_cos(T x) { return cos(x); }
    template <> __device__ float lf_cos<float>(float x) { return __cosf(lf_turns(x)); }
    """,
)


# positional_encoding_fwd_1: layers_spec/layers/positional_encoding.yaml:17
_positional_encoding_fwd_1 = ElementwiseKernel(
    "positional_encoding_fwd_1",
    "T x, T table",
    "T y",
    """
    y = x + table;
    """,
)


def _cupy_forward(x, max_sequence_length):
    angles = _cupy_position_angles(x)
    _t1 = _cupy_odd_columns(angles)
    table = _positional_encoding_fwd_0(angles, _t1)
    y = _positional_encoding_fwd_1(x, table)
    return y, ()


def _cupy_backward(grad_y):
    return grad_y


def _cupy_odd_columns(like):
    """A bool array of like's shape, True in its odd columns (along the last axis)."""
    import cupy as cp

    return cp.broadcast_to(cp.arange(like.shape[-1]) % 2 == 1, like.shape).copy()


def _cupy_position_angles(like):
    """The angles p / 10000^(2 floor(i / 2) / D) of positions p < S and features i < D
    for ``like`` [..., S, D], modulo 2 pi (computed in float64), in like's dtype [S, D].
    """
    import cupy as cp

    positions, features = like.shape[-2:]
    pairs = cp.arange(features) // 2 * 2
    rates = cp.exp(pairs * (-cp.log(10000.0) / max(features, 1)))
    angles = cp.arange(positions, dtype=cp.float64)[:, None] * rates
    return cp.remainder(angles, 2 * cp.pi).astype(like.dtype)
