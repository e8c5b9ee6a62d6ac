"""Cropping: Removes rows and columns at the borders of [B, C, H, W] feature maps (Keras
Cropping2D), then the activation; backward zero-pads the gradient back.
Generated from layers_spec/layers/cropping.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_attribute, activation_module

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(
    x,
    *,
    top=1,
    bottom=1,
    left=1,
    right=1,
    activation="identity",
    activation_options=None,
):
    """Cropping forward pass.

    Removes rows and columns at the borders of [B, C, H, W] feature maps (Keras
    Cropping2D), then the activation; backward zero-pads the gradient back.

    Args:
        x: float32 or float64 input of shape [B, C, H, W].
        top: int, default 1. Rows removed at the top.
        bottom: int, default 1. Rows removed at the bottom.
        left: int, default 1. Columns removed on the left.
        right: int, default 1. Columns removed on the right.
        activation: name of the activation applied to the result, default 'identity';
            relu, sigmoid, tanh, softmax, identity, gelu, elu, mish, swish, silu are
            fused into specialized code, any other activation of layerforge.activations
            is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("cropping", {"x": x}, {"x": ("B", "C", "H", "W")})
    check_attribute("cropping", "top", top, "int", minimum=0)
    check_attribute("cropping", "bottom", bottom, "int", minimum=0)
    check_attribute("cropping", "left", left, "int", minimum=0)
    check_attribute("cropping", "right", right, "int", minimum=0)
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get(activation)
    if fused is not None:
        forward_variant, backward_variant = fused
        y, saved = forward_variant(x, top, bottom, left, right, **options)
        return y, (backward_variant, saved)
    module = activation_module("cropping", activation)
    y_linear, linear_saved = _forward_identity(x, top, bottom, left, right)
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (_backward_composed, (module, activation_ctx, linear_saved))


def backward(grad_y, ctx):
    """Cropping backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("cropping", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward_relu(x, top, bottom, left, right):
    z = _crop2d(x, top, bottom, left, right)
    y = np.maximum(z, 0)
    return y, (top, bottom, left, right, z)


def _backward_relu(grad_y, top, bottom, left, right, z):
    grad_z = grad_y * (z > 0)
    grad_x = _pad2d(grad_z, top, bottom, left, right)
    return grad_x


def _forward_sigmoid(x, top, bottom, left, right):
    z = _crop2d(x, top, bottom, left, right)
    y = _sigmoid(z)
    return y, (top, bottom, left, right, y)


def _backward_sigmoid(grad_y, top, bottom, left, right, y):
    grad_z = grad_y * y * (1 - y)
    grad_x = _pad2d(grad_z, top, bottom, left, right)
    return grad_x


def _forward_tanh(x, top, bottom, left, right):
    z = _crop2d(x, top, bottom, left, right)
    y = np.tanh(z)
    return y, (top, bottom, left, right, y)


def _backward_tanh(grad_y, top, bottom, left, right, y):
    grad_z = grad_y * (1 - y * y)
    grad_x = _pad2d(grad_z, top, bottom, left, right)
    return grad_x


def _forward_softmax(x, top, bottom, left, right):
    z = _crop2d(x, top, bottom, left, right)
    softmax_shifted = z - np.max(z, axis=-1, keepdims=True)
    softmax_exponentials = np.exp(softmax_shifted)
    y = softmax_exponentials / np.sum(softmax_exponentials, axis=-1, keepdims=True)
    return y, (top, bottom, left, right, y)


def _backward_softmax(grad_y, top, bottom, left, right, y):
    grad_z = y * (grad_y - np.sum(grad_y * y, axis=-1, keepdims=True))
    grad_x = _pad2d(grad_z, top, bottom, left, right)
    return grad_x


def _forward_identity(x, top, bottom, left, right):
    z = _crop2d(x, top, bottom, left, right)
    return z, (top, bottom, left, right)


def _backward_identity(grad_y, top, bottom, left, right):
    grad_x = _pad2d(grad_y, top, bottom, left, right)
    return grad_x


def _forward_gelu(x, top, bottom, left, right):
    z = _crop2d(x, top, bottom, left, right)
    gelu_inner = 0.7978845608028654 * (z + 0.044715 * (z * z * z))
    y = 0.5 * z * (1 + np.tanh(gelu_inner))
    return y, (top, bottom, left, right, z)


def _backward_gelu(grad_y, top, bottom, left, right, z):
    gelu_inner = 0.7978845608028654 * (z + 0.044715 * (z * z * z))
    _t1 = np.tanh(gelu_inner)
    grad_gelu_inner = grad_y * (0.5 * z) * (1 - _t1 * _t1)
    _t2 = grad_gelu_inner * 0.7978845608028654
    grad_z = grad_y * (1 + _t1) * 0.5 + _t2 + _t2 * 0.044715 * 3 * (z * z)
    grad_x = _pad2d(grad_z, top, bottom, left, right)
    return grad_x


def _forward_elu(x, top, bottom, left, right, alpha=1.0):
    z = _crop2d(x, top, bottom, left, right)
    y = np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))
    return y, (top, bottom, left, right, z, alpha)


def _backward_elu(grad_y, top, bottom, left, right, z, alpha):
    _t1 = z > 0
    grad_z = grad_y * _t1 + grad_y * ~_t1 * alpha * (np.expm1(np.minimum(z, 0)) + 1) * (
        z < 0
    )
    grad_x = _pad2d(grad_z, top, bottom, left, right)
    return grad_x


def _forward_mish(x, top, bottom, left, right):
    z = _crop2d(x, top, bottom, left, right)
    y = z * np.tanh(_softplus(z))
    return y, (top, bottom, left, right, z)


def _backward_mish(grad_y, top, bottom, left, right, z):
    _t1 = np.tanh(_softplus(z))
    grad_z = grad_y * _t1 + grad_y * z * (1 - _t1 * _t1) * _sigmoid(z)
    grad_x = _pad2d(grad_z, top, bottom, left, right)
    return grad_x


def _forward_swish(x, top, bottom, left, right):
    z = _crop2d(x, top, bottom, left, right)
    y = z * _sigmoid(z)
    return y, (top, bottom, left, right, z)


def _backward_swish(grad_y, top, bottom, left, right, z):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1 + grad_y * z * _t1 * (1 - _t1)
    grad_x = _pad2d(grad_z, top, bottom, left, right)
    return grad_x


def _forward_silu(x, top, bottom, left, right):
    z = _crop2d(x, top, bottom, left, right)
    y = z * _sigmoid(z)
    return y, (top, bottom, left, right, z)


def _backward_silu(grad_y, top, bottom, left, right, z):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1 + grad_y * z * _t1 * (1 - _t1)
    grad_x = _pad2d(grad_z, top, bottom, left, right)
    return grad_x


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


def _crop2d(x, top, bottom, left, right):
    """x [N, C, H, W] without ``top``/``bottom`` rows and ``left``/``right`` columns."""
    height, width = x.shape[2], x.shape[3]
    if top + bottom >= height or left + right >= width:
        raise ValueError(
            f"cropping: cannot remove {top} + {bottom} rows and {left} + {right} columns "
            f"from an input of shape {tuple(x.shape)}; at least one of each must remain"
        )
    return x[:, :, top : height - bottom, left : width - right]


def _pad2d(x, top, bottom, left, right):
    """x [N, C, H, W] with zero rows above and below and zero columns left and right."""
    height, width = x.shape[2], x.shape[3]
    out = np.zeros(
        (*x.shape[:2], top + height + bottom, left + width + right), dtype=x.dtype
    )
    out[:, :, top : top + height, left : left + width] = x
    return out


def _sigmoid(x):
    """Logistic sigmoid exp(min(x, 0)) / (1 + exp(-|x|)): exp only of non-positive numbers."""
    numerator = np.exp(np.minimum(x, 0))
    numerator /= 1 + np.exp(-np.abs(x))
    return numerator


def _softplus(x):
    """log(1 + exp(x)) without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
