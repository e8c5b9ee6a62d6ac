"""GaussianNoise: Adds noise drawn from N(mean, stddev^2) to every element in training
(Keras GaussianNoise); the noise is a constant for backward, so the gradient passes
through. In inference the identity.
Generated from layers_spec/layers/gaussian_noise.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, check_attribute
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu, default_gpu_rng

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, stddev=0.1, mean=0.0, training=True, rng=None):
    """GaussianNoise forward pass.

    Adds noise drawn from N(mean, stddev^2) to every element in training (Keras
    GaussianNoise); the noise is a constant for backward, so the gradient passes
    through. In inference the identity.

    Args:
        x: float32 or float64 input of shape [..., F].
        stddev: float, default 0.1. Standard deviation of the noise.
        mean: float, default 0.0. Mean of the noise.
        training: bool, default True. Add noise if true, the identity if false.
        rng: a numpy.random.Generator (or CuPy's) for the random draws; a fresh one if
            None.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("gaussian_noise", {"x": x}, {"x": ("...", "F")})
    check_attribute("gaussian_noise", "stddev", stddev, "float", minimum=0.0)
    check_attribute("gaussian_noise", "mean", mean, "float")
    check_attribute("gaussian_noise", "training", training, "bool")
    if on_gpu(x):
        if rng is None:
            rng = default_gpu_rng()
        forward_variant, backward_variant = _CUPY_VARIANTS[training]
        y, saved = forward_variant(rng, x, stddev, mean)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    if rng is None:
        rng = np.random.default_rng()
    forward_variant, backward_variant = _VARIANTS[training]
    y, saved = forward_variant(rng, x, stddev, mean)
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """GaussianNoise backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.

    Gradients are writable, and no copy is made: grad_x may be grad_y itself or a view
    of it. Copy one before updating it in place if the others must not change.
    """
    backward_variant, saved = check_context(
        "gaussian_noise", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_train(rng, x, stddev, mean):
    noise = (mean + stddev * rng.standard_normal(x.shape, dtype=x.dtype)).astype(
        x.dtype, copy=False
    )
    y = x + noise
    return y, ()


def _backward_train(grad_y):
    return grad_y


def _forward_eval(rng, x, stddev, mean):
    return x, ()


_VARIANTS = {
    True: (_forward_train, _backward_train),
    False: (_forward_eval, _backward_train),
}


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# gaussian_noise_train_fwd_0: layers_spec/layers/gaussian_noise.yaml:18
_gaussian_noise_train_fwd_0 = ElementwiseKernel(
    "gaussian_noise_train_fwd_0",
    "T x, T noise",
    "T y",
    """
    y = x + noise;
    """,
)


def _cupy_forward_train(rng, x, stddev, mean):
    noise = (mean + stddev * rng.standard_normal(x.shape, dtype=x.dtype)).astype(
        x.dtype, copy=False
    )
    y = _gaussian_noise_train_fwd_0(x, noise)
    return y, ()


def _cupy_backward_train(grad_y):
    return grad_y


def _cupy_forward_eval(rng, x, stddev, mean):
    return x, ()


_CUPY_VARIANTS = {
    True: (_cupy_forward_train, _cupy_backward_train),
    False: (_cupy_forward_eval, _cupy_backward_train),
}
