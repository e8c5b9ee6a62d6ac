"""RepParameterization: The reparameterization trick of a variational autoencoder: x [...,
2L] holds the mean (first half) and the log variance (second half); in training z = mean
+ exp(log_variance / 2) * noise with noise ~ N(0, 1) drawn from rng and held fixed for
backward, in inference z = mean. The feature count must be even.
Generated from layers_spec/layers/rep_parameterization.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_blocks,
    in_row_blocks,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu, default_gpu_rng

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("z",)


def forward(x, *, training=True, rng=None):
    """RepParameterization forward pass.

    The reparameterization trick of a variational autoencoder: x [..., 2L] holds the
    mean (first half) and the log variance (second half); in training z = mean +
    exp(log_variance / 2) * noise with noise ~ N(0, 1) drawn from rng and held fixed for
    backward, in inference z = mean. The feature count must be even.

    Args:
        x: float32 or float64 input of shape [..., F]. Means then log variances, F = 2L.
        training: bool, default True. Sample if true, the mean if false.
        rng: a numpy.random.Generator (or CuPy's) for the random draws; a fresh one if
            None.

    Returns:
        (z, ctx): the output and the context that backward needs.
    """
    check_arrays("rep_parameterization", {"x": x}, {"x": ("...", "F")})
    check_attribute("rep_parameterization", "training", training, "bool")
    check_blocks("rep_parameterization", "x", x, 2, -1)
    if on_gpu(x):
        if rng is None:
            rng = default_gpu_rng()
        forward_variant, backward_variant = _CUPY_VARIANTS[training]
        z, saved = forward_variant(rng, x)
        return z, (backward_variant, saved, (z.dtype, z.shape), None)
    if rng is None:
        rng = np.random.default_rng()
    forward_variant, backward_variant = _VARIANTS[training]
    z, saved = in_row_blocks(forward_variant, x, rng=rng)
    return z, (backward_variant, saved, (z.dtype, z.shape), None)


def backward(grad_z, ctx):
    """RepParameterization backward pass.

    Args:
        grad_z: gradient of the loss with respect to z.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "rep_parameterization", __name__, ctx, {"grad_z": grad_z}
    )
    return backward_variant(grad_z, *saved)


def _forward_train(rng, x):
    mu = _chunk(x, 2, 0, -1)
    log_variance = _chunk(x, 2, 1, -1)
    noise = (0.0 + 1.0 * rng.standard_normal(mu.shape, dtype=mu.dtype)).astype(
        mu.dtype, copy=False
    )
    z = 0.5 * log_variance
    np.exp(z, out=z)
    z *= noise
    z += mu
    return z, (log_variance, noise)


def _backward_train_part1(grad_z, noise, log_variance):
    _t1 = 0.5 * log_variance
    np.exp(_t1, out=_t1)
    _t1 *= grad_z
    _t1 *= noise
    _t1 *= 0.5
    return _t1


def _backward_train(grad_z, log_variance, noise):
    grad_x = _concatenate(
        grad_z,
        in_row_blocks(
            _backward_train_part1, grad_z, noise, log_variance, named=(1, 1, 1)
        ),
        -1,
    )
    return grad_x


def _forward_eval(rng, x):
    mu = _chunk(x, 2, 0, -1)
    return mu, (x,)


def _backward_eval(grad_z, x):
    grad_x = _chunk_place(grad_z, x, 2, 0, -1)
    return grad_x


_VARIANTS = {
    True: (_forward_train, _backward_train),
    False: (_forward_eval, _backward_eval),
}


def _chunk(x, pieces, index, axis):
    """The view of block ``index`` of ``pieces`` equal blocks of x along ``axis``."""
    size = x.shape[axis] // pieces
    where = [slice(None)] * x.ndim
    where[axis] = slice(index * size, (index + 1) * size)
    return x[tuple(where)]


def _chunk_place(block, like, pieces, index, axis):
    """Zeros shaped like ``like`` holding ``block`` as block ``index`` of ``pieces``
    along ``axis``."""
    out = np.zeros(like.shape, dtype=block.dtype)
    size = like.shape[axis] // pieces
    where = [slice(None)] * like.ndim
    where[axis] = slice(index * size, (index + 1) * size)
    out[tuple(where)] = block
    return out


def _concatenate(a, b, axis):
    """a and b joined along ``axis``; a clear error if their other dimensions differ."""
    if a.ndim != b.ndim or any(
        m != n for i, (m, n) in enumerate(zip(a.shape, b.shape)) if i != axis % a.ndim
    ):
        raise ValueError(
            f"concatenate: 'a' {tuple(a.shape)} and 'b' {tuple(b.shape)} must have the same "
            f"shape except along axis {axis}"
        )
    return np.concatenate((a, b), axis=axis)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# rep_parameterization_train_fwd_0: layers_spec/layers/rep_parameterization.yaml:19
_rep_parameterization_train_fwd_0 = ElementwiseKernel(
    "rep_parameterization_train_fwd_0",
    "T log_variance, T noise, T mu",
    "T z",
    """
    T _t1 = T(0.5) * log_variance;
    T _t2 = exp(_t1);
    T _t3 = _t2 * noise;
    z = mu + _t3;
    """,
)


def _cupy_forward_train(rng, x):
    mu = _chunk(x, 2, 0, -1)
    log_variance = _chunk(x, 2, 1, -1)
    noise = (0.0 + 1.0 * rng.standard_normal(mu.shape, dtype=mu.dtype)).astype(
        mu.dtype, copy=False
    )
    z = _rep_parameterization_train_fwd_0(log_variance, noise, mu)
    return z, (log_variance, noise)


# rep_parameterization_train_bwd_0: layers_spec/layers/rep_parameterization.yaml:26
_rep_parameterization_train_bwd_0 = ElementwiseKernel(
    "rep_parameterization_train_bwd_0",
    "T grad_z, T noise, T log_variance",
    "T _t8",
    """
    T _t4 = grad_z * noise;
    T _t5 = _t4 * T(0.5);
    T _t6 = T(0.5) * log_variance;
    T _t7 = exp(_t6);
    _t8 = _t5 * _t7;
    """,
)


def _cupy_backward_train(grad_z, log_variance, noise):
    _t8 = _rep_parameterization_train_bwd_0(grad_z, noise, log_variance)
    grad_x = _cupy_concatenate(grad_z, _t8, -1)
    return grad_x


def _cupy_forward_eval(rng, x):
    mu = _chunk(x, 2, 0, -1)
    return mu, (x,)


def _cupy_backward_eval(grad_z, x):
    grad_x = _cupy_chunk_place(grad_z, x, 2, 0, -1)
    return grad_x


_CUPY_VARIANTS = {
    True: (_cupy_forward_train, _cupy_backward_train),
    False: (_cupy_forward_eval, _cupy_backward_eval),
}


def _cupy_chunk_place(block, like, pieces, index, axis):
    """Zeros shaped like ``like`` holding ``block`` as block ``index`` of ``pieces``
    along ``axis``."""
    import cupy as cp

    out = cp.zeros(like.shape, dtype=block.dtype)
    size = like.shape[axis] // pieces
    where = [slice(None)] * like.ndim
    where[axis] = slice(index * size, (index + 1) * size)
    out[tuple(where)] = block
    return out


def _cupy_concatenate(a, b, axis):
    """a and b joined along ``axis``; a clear error if their other dimensions differ."""
    import cupy as cp

    if a.ndim != b.ndim or any(
        m != n for i, (m, n) in enumerate(zip(a.shape, b.shape)) if i != axis % a.ndim
    ):
        raise ValueError(
            f"concatenate: 'a' {tuple(a.shape)} and 'b' {tuple(b.shape)} must have the same "
            f"shape except along axis {axis}"
        )
    return cp.concatenate((a, b), axis=axis)
