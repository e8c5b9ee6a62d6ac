"""Concatenate: Two arrays joined along an axis (counting the batch axis; negative counts
from the end), as torch.cat, then the activation; backward slices the gradient back, one
per input.
Generated from layers_spec/layers/concatenate.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_attribute,
    check_axis,
    activation_module,
)

__all__ = ["forward", "backward"]

INPUTS = ("a", "b")
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(a, b, *, axis=-1, activation="identity", activation_options=None):
    """Concatenate forward pass.

    Two arrays joined along an axis (counting the batch axis; negative counts from the
    end), as torch.cat, then the activation; backward slices the gradient back, one per
    input.

    Args:
        a: float32 or float64 input of shape [..., F_a].
        b: float32 or float64 input of shape [..., F_b].
        axis: int, default -1. The axis to join along; a and b must agree on every other
            axis.
        activation: name of the activation applied to the result, default 'identity';
            relu, sigmoid, tanh, softmax, identity, gelu, elu, mish, swish, silu are
            fused into specialized code, any other activation of layerforge.activations
            is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "concatenate", {"a": a, "b": b}, {"a": ("...", "F_a"), "b": ("...", "F_b")}
    )
    check_attribute("concatenate", "axis", axis, "int")
    check_axis("concatenate", "axis", axis, "a", a.ndim)
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get(activation)
    if fused is not None:
        forward_variant, backward_variant = fused
        y, saved = forward_variant(a, b, axis, **options)
        return y, (backward_variant, saved)
    module = activation_module("concatenate", activation)
    y_linear, linear_saved = _forward_identity(a, b, axis)
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (_backward_composed, (module, activation_ctx, linear_saved))


def backward(grad_y, ctx):
    """Concatenate backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_a, grad_b: gradients with respect to a, b, in that order.
    """
    check_arrays("concatenate", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward_relu(a, b, axis):
    z = _concatenate(a, b, axis)
    y = np.maximum(z, 0)
    return y, (a, axis, z)


def _backward_relu(grad_y, a, axis, z):
    grad_z = grad_y * (z > 0)
    _t1 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t1, axis)
    grad_b = _slice_axis(grad_z, _t1, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_sigmoid(a, b, axis):
    z = _concatenate(a, b, axis)
    y = _sigmoid(z)
    return y, (a, axis, y)


def _backward_sigmoid(grad_y, a, axis, y):
    grad_z = grad_y * y * (1 - y)
    _t1 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t1, axis)
    grad_b = _slice_axis(grad_z, _t1, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_tanh(a, b, axis):
    z = _concatenate(a, b, axis)
    y = np.tanh(z)
    return y, (a, axis, y)


def _backward_tanh(grad_y, a, axis, y):
    grad_z = grad_y * (1 - y * y)
    _t1 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t1, axis)
    grad_b = _slice_axis(grad_z, _t1, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_softmax(a, b, axis):
    z = _concatenate(a, b, axis)
    softmax_shifted = z - np.max(z, axis=-1, keepdims=True)
    softmax_exponentials = np.exp(softmax_shifted)
    y = softmax_exponentials / np.sum(softmax_exponentials, axis=-1, keepdims=True)
    return y, (a, axis, y)


def _backward_softmax(grad_y, a, axis, y):
    grad_z = y * (grad_y - np.sum(grad_y * y, axis=-1, keepdims=True))
    _t1 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t1, axis)
    grad_b = _slice_axis(grad_z, _t1, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_identity(a, b, axis):
    z = _concatenate(a, b, axis)
    return z, (a, axis)


def _backward_identity(grad_y, a, axis):
    _t1 = a.shape[axis]
    grad_a = _slice_axis(grad_y, 0, _t1, axis)
    grad_b = _slice_axis(grad_y, _t1, grad_y.shape[axis], axis)
    return grad_a, grad_b


def _forward_gelu(a, b, axis):
    z = _concatenate(a, b, axis)
    gelu_inner = 0.7978845608028654 * (z + 0.044715 * (z * z * z))
    y = 0.5 * z * (1 + np.tanh(gelu_inner))
    return y, (a, axis, z)


def _backward_gelu(grad_y, a, axis, z):
    gelu_inner = 0.7978845608028654 * (z + 0.044715 * (z * z * z))
    _t1 = np.tanh(gelu_inner)
    grad_gelu_inner = grad_y * (0.5 * z) * (1 - _t1 * _t1)
    _t2 = grad_gelu_inner * 0.7978845608028654
    grad_z = grad_y * (1 + _t1) * 0.5 + _t2 + _t2 * 0.044715 * 3 * (z * z)
    _t3 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t3, axis)
    grad_b = _slice_axis(grad_z, _t3, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_elu(a, b, axis, alpha=1.0):
    z = _concatenate(a, b, axis)
    y = np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))
    return y, (a, axis, z, alpha)


def _backward_elu(grad_y, a, axis, z, alpha):
    _t1 = z > 0
    grad_z = grad_y * _t1 + grad_y * ~_t1 * alpha * (np.expm1(np.minimum(z, 0)) + 1) * (
        z < 0
    )
    _t2 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t2, axis)
    grad_b = _slice_axis(grad_z, _t2, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_mish(a, b, axis):
    z = _concatenate(a, b, axis)
    y = z * np.tanh(_softplus(z))
    return y, (a, axis, z)


def _backward_mish(grad_y, a, axis, z):
    _t1 = np.tanh(_softplus(z))
    grad_z = grad_y * _t1 + grad_y * z * (1 - _t1 * _t1) * _sigmoid(z)
    _t2 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t2, axis)
    grad_b = _slice_axis(grad_z, _t2, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_swish(a, b, axis):
    z = _concatenate(a, b, axis)
    y = z * _sigmoid(z)
    return y, (a, axis, z)


def _backward_swish(grad_y, a, axis, z):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1 + grad_y * z * _t1 * (1 - _t1)
    _t2 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t2, axis)
    grad_b = _slice_axis(grad_z, _t2, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_silu(a, b, axis):
    z = _concatenate(a, b, axis)
    y = z * _sigmoid(z)
    return y, (a, axis, z)


def _backward_silu(grad_y, a, axis, z):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1 + grad_y * z * _t1 * (1 - _t1)
    _t2 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t2, axis)
    grad_b = _slice_axis(grad_z, _t2, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _backward_composed(grad_y, module, activation_ctx, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return _backward_identity(grad_linear, *linear_saved)


_FUSED = {
    "relu": (_forward_relu, _backward_relu),
    "sigmoid": (_forward_sigmoid, _backward_sigmoid),
    "tanh": (_forward_tanh, _backward_tanh),
    "softmax": (_forward_softmax, _backward_softmax),
    "identity": (_forward_identity, _backward_identity),
    "gelu": (_forward_gelu, _backward_gelu),
    "elu": (_forward_elu, _backward_elu),
    "mish": (_forward_mish, _backward_mish),
    "swish": (_forward_swish, _backward_swish),
    "silu": (_forward_silu, _backward_silu),
}


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


def _sigmoid(x):
    """Logistic sigmoid exp(min(x, 0)) / (1 + exp(-|x|)): exp only of non-positive numbers."""
    numerator = np.exp(np.minimum(x, 0))
    numerator /= 1 + np.exp(-np.abs(x))
    return numerator


def _slice_axis(x, start, stop, axis):
    """The view x[start:stop] along ``axis``."""
    index = [slice(None)] * x.ndim
    index[axis] = slice(start, stop)
    return x[tuple(index)]


def _softplus(x):
    """log(1 + exp(x)) without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
