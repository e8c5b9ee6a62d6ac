"""Dropout: Inverted dropout: in training each element is kept with probability 1 - p and
scaled by 1 / (1 - p), else zeroed (torch.nn.functional.dropout); the mask is drawn from
rng and kept for backward. In inference the identity.
Generated from layers_spec/layers/dropout.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    in_row_blocks,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu, default_gpu_rng

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, p=0.5, training=True, rng=None):
    """Dropout forward pass.

    Inverted dropout: in training each element is kept with probability 1 - p and scaled
    by 1 / (1 - p), else zeroed (torch.nn.functional.dropout); the mask is drawn from
    rng and kept for backward. In inference the identity.

    Args:
        x: float32 or float64 input of shape [..., F].
        p: float, default 0.5. Probability of zeroing an element; 1 zeroes all.
        training: bool, default True. Drop elements if true, the identity if false.
        rng: a numpy.random.Generator (or CuPy's) for the random draws; a fresh one if
            None.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("dropout", {"x": x}, {"x": ("...", "F")})
    check_attribute("dropout", "p", p, "float", minimum=0.0, maximum=1.0)
    check_attribute("dropout", "training", training, "bool")
    if on_gpu(x):
        if rng is None:
            rng = default_gpu_rng()
        forward_variant, backward_variant = _CUPY_VARIANTS[training]
        y, saved = forward_variant(rng, x, p)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    if rng is None:
        rng = np.random.default_rng()
    forward_variant, backward_variant = _VARIANTS[training]
    y, saved = in_row_blocks(forward_variant, x, p, rng=rng)
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Dropout backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.

    Gradients are writable, and no copy is made: grad_x may be grad_y itself or a view
    of it. Copy one before updating it in place if the others must not change.
    """
    backward_variant, saved = check_context(
        "dropout", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_train(rng, x, p):
    mask = _dropout_mask(rng, x, p)
    y = x * mask
    return y, (mask,)


def _backward_train(grad_y, mask):
    grad_x = grad_y * mask
    return grad_x


def _forward_eval(rng, x, p):
    return x, ()


def _backward_eval(grad_y):
    return grad_y


_VARIANTS = {
    True: (_forward_train, _backward_train),
    False: (_forward_eval, _backward_eval),
}


def _dropout_mask(rng, like, p):
    """Keep each element with probability 1 - p, scaled by 1 / (1 - p); 0 elsewhere."""
    keep = rng.random(like.shape, dtype=like.dtype) >= p
    return keep * like.dtype.type(1 / (1 - p) if p < 1 else 0)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# dropout_train_fwd_0: layers_spec/layers/dropout.yaml:17
_dropout_train_fwd_0 = ElementwiseKernel(
    "dropout_train_fwd_0",
    "T x, T mask",
    "T y",
    """
    y = x * mask;
    """,
)


def _cupy_forward_train(rng, x, p):
    mask = _dropout_mask(rng, x, p)
    y = _dropout_train_fwd_0(x, mask)
    return y, (mask,)


# dropout_train_bwd_0: layers_spec/primitives.yaml:61
_dropout_train_bwd_0 = ElementwiseKernel(
    "dropout_train_bwd_0",
    "T grad_y, T mask",
    "T grad_x",
    """
    grad_x = grad_y * mask;
    """,
)


def _cupy_backward_train(grad_y, mask):
    grad_x = _dropout_train_bwd_0(grad_y, mask)
    return grad_x


def _cupy_forward_eval(rng, x, p):
    return x, ()


def _cupy_backward_eval(grad_y):
    return grad_y


_CUPY_VARIANTS = {
    True: (_cupy_forward_train, _cupy_backward_train),
    False: (_cupy_forward_eval, _cupy_backward_eval),
}
