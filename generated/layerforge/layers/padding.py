"""Padding: Symmetric zero padding of the height and width of [B, C, H, W] feature maps
(Keras ZeroPadding2D, torch.nn.ZeroPad2d), then the activation; backward crops the
gradient.
Generated from layers_spec/layers/padding.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_attribute, activation_module

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(
    x, *, padding_h=1, padding_w=1, activation="identity", activation_options=None
):
    """Padding forward pass.

    Symmetric zero padding of the height and width of [B, C, H, W] feature maps (Keras
    ZeroPadding2D, torch.nn.ZeroPad2d), then the activation; backward crops the
    gradient.

    Args:
        x: float32 or float64 input of shape [B, C, H, W].
        padding_h: int, default 1. Zero rows added above and below.
        padding_w: int, default 1. Zero columns added left and right.
        activation: name of the activation applied to the result, default 'identity';
            relu, sigmoid, tanh, softmax, identity, gelu, elu, mish, swish, silu are
            fused into specialized code, any other activation of layerforge.activations
            is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("padding", {"x": x}, {"x": ("B", "C", "H", "W")})
    check_attribute("padding", "padding_h", padding_h, "int", minimum=0)
    check_attribute("padding", "padding_w", padding_w, "int", minimum=0)
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get(activation)
    if fused is not None:
        forward_variant, backward_variant = fused
        y, saved = forward_variant(x, padding_h, padding_w, **options)
        return y, (backward_variant, saved)
    module = activation_module("padding", activation)
    y_linear, linear_saved = _forward_identity(x, padding_h, padding_w)
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (_backward_composed, (module, activation_ctx, linear_saved))


def backward(grad_y, ctx):
    """Padding backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("padding", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward_relu(x, padding_h, padding_w):
    z = _pad2d(x, padding_h, padding_h, padding_w, padding_w)
    y = np.maximum(z, 0)
    return y, (padding_h, padding_w, z)


def _backward_relu(grad_y, padding_h, padding_w, z):
    grad_z = grad_y * (z > 0)
    grad_x = _crop2d(grad_z, padding_h, padding_h, padding_w, padding_w)
    return grad_x


def _forward_sigmoid(x, padding_h, padding_w):
    z = _pad2d(x, padding_h, padding_h, padding_w, padding_w)
    y = _sigmoid(z)
    return y, (padding_h, padding_w, y)


def _backward_sigmoid(grad_y, padding_h, padding_w, y):
    grad_z = grad_y * y * (1 - y)
    grad_x = _crop2d(grad_z, padding_h, padding_h, padding_w, padding_w)
    return grad_x


def _forward_tanh(x, padding_h, padding_w):
    z = _pad2d(x, padding_h, padding_h, padding_w, padding_w)
    y = np.tanh(z)
    return y, (padding_h, padding_w, y)


def _backward_tanh(grad_y, padding_h, padding_w, y):
    grad_z = grad_y * (1 - y * y)
    grad_x = _crop2d(grad_z, padding_h, padding_h, padding_w, padding_w)
    return grad_x


def _forward_softmax(x, padding_h, padding_w):
    z = _pad2d(x, padding_h, padding_h, padding_w, padding_w)
    softmax_shifted = z - np.max(z, axis=-1, keepdims=True)
    softmax_exponentials = np.exp(softmax_shifted)
    y = softmax_exponentials / np.sum(softmax_exponentials, axis=-1, keepdims=True)
    return y, (padding_h, padding_w, y)


def _backward_softmax(grad_y, padding_h, padding_w, y):
    grad_z = y * (grad_y - np.sum(grad_y * y, axis=-1, keepdims=True))
    grad_x = _crop2d(grad_z, padding_h, padding_h, padding_w, padding_w)
    return grad_x


def _forward_identity(x, padding_h, padding_w):
    z = _pad2d(x, padding_h, padding_h, padding_w, padding_w)
    return z, (padding_h, padding_w)


def _backward_identity(grad_y, padding_h, padding_w):
    grad_x = _crop2d(grad_y, padding_h, padding_h, padding_w, padding_w)
    return grad_x


def _forward_gelu(x, padding_h, padding_w):
    z = _pad2d(x, padding_h, padding_h, padding_w, padding_w)
    gelu_inner = 0.7978845608028654 * (z + 0.044715 * (z * z * z))
    y = 0.5 * z * (1 + np.tanh(gelu_inner))
    return y, (padding_h, padding_w, z)


def _backward_gelu(grad_y, padding_h, padding_w, z):
    gelu_inner = 0.7978845608028654 * (z + 0.044715 * (z * z * z))
    _t1 = np.tanh(gelu_inner)
    grad_gelu_inner = grad_y * (0.5 * z) * (1 - _t1 * _t1)
    _t2 = grad_gelu_inner * 0.7978845608028654
    grad_z = grad_y * (1 + _t1) * 0.5 + _t2 + _t2 * 0.044715 * 3 * (z * z)
    grad_x = _crop2d(grad_z, padding_h, padding_h, padding_w, padding_w)
    return grad_x


def _forward_elu(x, padding_h, padding_w, alpha=1.0):
    z = _pad2d(x, padding_h, padding_h, padding_w, padding_w)
    y = np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))
    return y, (padding_h, padding_w, z, alpha)


def _backward_elu(grad_y, padding_h, padding_w, z, alpha):
    _t1 = z > 0
    grad_z = grad_y * _t1 + grad_y * ~_t1 * alpha * (np.expm1(np.minimum(z, 0)) + 1) * (
        z < 0
    )
    grad_x = _crop2d(grad_z, padding_h, padding_h, padding_w, padding_w)
    return grad_x


def _forward_mish(x, padding_h, padding_w):
    z = _pad2d(x, padding_h, padding_h, padding_w, padding_w)
    y = z * np.tanh(_softplus(z))
    return y, (padding_h, padding_w, z)


def _backward_mish(grad_y, padding_h, padding_w, z):
    _t1 = np.tanh(_softplus(z))
    grad_z = grad_y * _t1 + grad_y * z * (1 - _t1 * _t1) * _sigmoid(z)
    grad_x = _crop2d(grad_z, padding_h, padding_h, padding_w, padding_w)
    return grad_x


def _forward_swish(x, padding_h, padding_w):
    z = _pad2d(x, padding_h, padding_h, padding_w, padding_w)
    y = z * _sigmoid(z)
    return y, (padding_h, padding_w, z)


def _backward_swish(grad_y, padding_h, padding_w, z):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1 + grad_y * z * _t1 * (1 - _t1)
    grad_x = _crop2d(grad_z, padding_h, padding_h, padding_w, padding_w)
    return grad_x


def _forward_silu(x, padding_h, padding_w):
    z = _pad2d(x, padding_h, padding_h, padding_w, padding_w)
    y = z * _sigmoid(z)
    return y, (padding_h, padding_w, z)


def _backward_silu(grad_y, padding_h, padding_w, z):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1 + grad_y * z * _t1 * (1 - _t1)
    grad_x = _crop2d(grad_z, padding_h, padding_h, padding_w, padding_w)
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
