"""Convolutional: 2-D convolution (cross-correlation) of NCHW feature maps with stride,
zero padding and dilation, then the activation, as torch.nn.Conv2d: y =
activation(conv2d(x, weight) + bias) with weight [C_out, C_in, kH, kW]. Computed as one
im2col copy and one matrix product; the input gradient is summed back with one strided
add per kernel offset.
Generated from layers_spec/layers/convolutional.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_attribute,
    check_window,
    activation_module,
)

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
OUTPUTS = ("y",)


def forward(
    x,
    weight,
    bias,
    *,
    stride=1,
    padding=0,
    dilation=1,
    activation="identity",
    activation_options=None,
):
    """Convolutional forward pass.

    2-D convolution (cross-correlation) of NCHW feature maps with stride, zero padding
    and dilation, then the activation, as torch.nn.Conv2d: y = activation(conv2d(x,
    weight) + bias) with weight [C_out, C_in, kH, kW]. Computed as one im2col copy and
    one matrix product; the input gradient is summed back with one strided add per
    kernel offset.

    Args:
        x: float32 or float64 input of shape [B, C_in, H, W]. A batch of feature maps.
        weight: float32 or float64 parameter of shape [C_out, C_in, kH, kW]. Filters, as
            torch.nn.Conv2d.weight.
        bias: float32 or float64 parameter of shape [C_out].
        stride: int, default 1. Step between windows, in both directions.
        padding: int, default 0. Zero padding on every side.
        dilation: int, default 1. Spacing between kernel elements.
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
        "convolutional",
        {"x": x, "weight": weight, "bias": bias},
        {
            "x": ("B", "C_in", "H", "W"),
            "weight": ("C_out", "C_in", "kH", "kW"),
            "bias": ("C_out",),
        },
    )
    check_attribute("convolutional", "stride", stride, "int", minimum=1)
    check_attribute("convolutional", "padding", padding, "int", minimum=0)
    check_attribute("convolutional", "dilation", dilation, "int", minimum=1)
    check_window(
        "convolutional", "x", x, weight.shape[2:], stride, padding, dilation=dilation
    )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get(activation)
    if fused is not None:
        forward_variant, backward_variant = fused
        y, saved = forward_variant(
            x, weight, bias, stride, padding, dilation, **options
        )
        return y, (backward_variant, saved)
    module = activation_module("convolutional", activation)
    y_linear, linear_saved = _forward_identity(
        x, weight, bias, stride, padding, dilation
    )
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (_backward_composed, (module, activation_ctx, linear_saved))


def backward(grad_y, ctx):
    """Convolutional backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    check_arrays("convolutional", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward_relu(x, weight, bias, stride, padding, dilation):
    columns = _im2col(x, weight, stride, padding, dilation)
    z = _conv_apply(weight, columns) + bias.reshape(1, -1, 1, 1)
    y = np.maximum(z, 0)
    return y, (x, weight, bias, stride, padding, dilation, columns, z)


def _backward_relu(grad_y, x, weight, bias, stride, padding, dilation, columns, z):
    grad_z = grad_y * (z > 0)
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(grad_z, columns, weight)
    grad_columns = _conv_columns_grad(grad_z, weight, columns)
    grad_x = _col2im(grad_columns, x, weight, stride, padding, dilation)
    return grad_x, grad_weight, grad_bias


def _forward_sigmoid(x, weight, bias, stride, padding, dilation):
    columns = _im2col(x, weight, stride, padding, dilation)
    z = _conv_apply(weight, columns) + bias.reshape(1, -1, 1, 1)
    y = _sigmoid(z)
    return y, (x, weight, bias, stride, padding, dilation, columns, y)


def _backward_sigmoid(grad_y, x, weight, bias, stride, padding, dilation, columns, y):
    grad_z = grad_y * y * (1 - y)
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(grad_z, columns, weight)
    grad_columns = _conv_columns_grad(grad_z, weight, columns)
    grad_x = _col2im(grad_columns, x, weight, stride, padding, dilation)
    return grad_x, grad_weight, grad_bias


def _forward_tanh(x, weight, bias, stride, padding, dilation):
    columns = _im2col(x, weight, stride, padding, dilation)
    z = _conv_apply(weight, columns) + bias.reshape(1, -1, 1, 1)
    y = np.tanh(z)
    return y, (x, weight, bias, stride, padding, dilation, columns, y)


def _backward_tanh(grad_y, x, weight, bias, stride, padding, dilation, columns, y):
    grad_z = grad_y * (1 - y * y)
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(grad_z, columns, weight)
    grad_columns = _conv_columns_grad(grad_z, weight, columns)
    grad_x = _col2im(grad_columns, x, weight, stride, padding, dilation)
    return grad_x, grad_weight, grad_bias


def _forward_softmax(x, weight, bias, stride, padding, dilation):
    columns = _im2col(x, weight, stride, padding, dilation)
    z = _conv_apply(weight, columns) + bias.reshape(1, -1, 1, 1)
    softmax_shifted = z - np.max(z, axis=-1, keepdims=True)
    softmax_exponentials = np.exp(softmax_shifted)
    y = softmax_exponentials / np.sum(softmax_exponentials, axis=-1, keepdims=True)
    return y, (x, weight, bias, stride, padding, dilation, columns, y)


def _backward_softmax(grad_y, x, weight, bias, stride, padding, dilation, columns, y):
    grad_z = y * (grad_y - np.sum(grad_y * y, axis=-1, keepdims=True))
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(grad_z, columns, weight)
    grad_columns = _conv_columns_grad(grad_z, weight, columns)
    grad_x = _col2im(grad_columns, x, weight, stride, padding, dilation)
    return grad_x, grad_weight, grad_bias


def _forward_identity(x, weight, bias, stride, padding, dilation):
    columns = _im2col(x, weight, stride, padding, dilation)
    z = _conv_apply(weight, columns) + bias.reshape(1, -1, 1, 1)
    return z, (x, weight, bias, stride, padding, dilation, columns)


def _backward_identity(grad_y, x, weight, bias, stride, padding, dilation, columns):
    grad_bias = np.sum(grad_y, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(grad_y, columns, weight)
    grad_columns = _conv_columns_grad(grad_y, weight, columns)
    grad_x = _col2im(grad_columns, x, weight, stride, padding, dilation)
    return grad_x, grad_weight, grad_bias


def _forward_gelu(x, weight, bias, stride, padding, dilation):
    columns = _im2col(x, weight, stride, padding, dilation)
    z = _conv_apply(weight, columns) + bias.reshape(1, -1, 1, 1)
    gelu_inner = 0.7978845608028654 * (z + 0.044715 * z**3)
    _t1 = 0.5 * z
    _t2 = np.tanh(gelu_inner)
    _t3 = 1 + _t2
    y = _t1 * _t3
    return y, (x, weight, bias, stride, padding, dilation, columns, z, _t1, _t2, _t3)


def _backward_gelu(
    grad_y, x, weight, bias, stride, padding, dilation, columns, z, _t1, _t2, _t3
):
    grad_gelu_inner = grad_y * _t1 * (1 - _t2 * _t2)
    _t4 = grad_gelu_inner * 0.7978845608028654
    grad_z = grad_y * _t3 * 0.5 + _t4 + _t4 * 0.044715 * 3 * z**2
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(grad_z, columns, weight)
    grad_columns = _conv_columns_grad(grad_z, weight, columns)
    grad_x = _col2im(grad_columns, x, weight, stride, padding, dilation)
    return grad_x, grad_weight, grad_bias


def _forward_elu(x, weight, bias, stride, padding, dilation, alpha=1.0):
    columns = _im2col(x, weight, stride, padding, dilation)
    z = _conv_apply(weight, columns) + bias.reshape(1, -1, 1, 1)
    _t1 = z > 0
    _t2 = np.expm1(np.minimum(z, 0))
    y = np.where(_t1, z, alpha * _t2)
    return y, (x, weight, bias, stride, padding, dilation, columns, z, alpha, _t1, _t2)


def _backward_elu(
    grad_y, x, weight, bias, stride, padding, dilation, columns, z, alpha, _t1, _t2
):
    grad_z = np.where(_t1, grad_y, 0) + np.where(_t1, 0, grad_y) * alpha * (_t2 + 1) * (
        z < 0
    )
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(grad_z, columns, weight)
    grad_columns = _conv_columns_grad(grad_z, weight, columns)
    grad_x = _col2im(grad_columns, x, weight, stride, padding, dilation)
    return grad_x, grad_weight, grad_bias


def _forward_mish(x, weight, bias, stride, padding, dilation):
    columns = _im2col(x, weight, stride, padding, dilation)
    z = _conv_apply(weight, columns) + bias.reshape(1, -1, 1, 1)
    _t1 = np.tanh(_softplus(z))
    y = z * _t1
    return y, (x, weight, bias, stride, padding, dilation, columns, z, _t1)


def _backward_mish(grad_y, x, weight, bias, stride, padding, dilation, columns, z, _t1):
    grad_z = grad_y * _t1 + grad_y * z * (1 - _t1 * _t1) * _sigmoid(z)
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(grad_z, columns, weight)
    grad_columns = _conv_columns_grad(grad_z, weight, columns)
    grad_x = _col2im(grad_columns, x, weight, stride, padding, dilation)
    return grad_x, grad_weight, grad_bias


def _forward_swish(x, weight, bias, stride, padding, dilation):
    columns = _im2col(x, weight, stride, padding, dilation)
    z = _conv_apply(weight, columns) + bias.reshape(1, -1, 1, 1)
    _t1 = _sigmoid(z)
    y = z * _t1
    return y, (x, weight, bias, stride, padding, dilation, columns, z, _t1)


def _backward_swish(
    grad_y, x, weight, bias, stride, padding, dilation, columns, z, _t1
):
    grad_z = grad_y * _t1 + grad_y * z * _t1 * (1 - _t1)
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(grad_z, columns, weight)
    grad_columns = _conv_columns_grad(grad_z, weight, columns)
    grad_x = _col2im(grad_columns, x, weight, stride, padding, dilation)
    return grad_x, grad_weight, grad_bias


def _forward_silu(x, weight, bias, stride, padding, dilation):
    columns = _im2col(x, weight, stride, padding, dilation)
    z = _conv_apply(weight, columns) + bias.reshape(1, -1, 1, 1)
    _t1 = _sigmoid(z)
    y = z * _t1
    return y, (x, weight, bias, stride, padding, dilation, columns, z, _t1)


def _backward_silu(grad_y, x, weight, bias, stride, padding, dilation, columns, z, _t1):
    grad_z = grad_y * _t1 + grad_y * z * _t1 * (1 - _t1)
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(grad_z, columns, weight)
    grad_columns = _conv_columns_grad(grad_z, weight, columns)
    grad_x = _col2im(grad_columns, x, weight, stride, padding, dilation)
    return grad_x, grad_weight, grad_bias


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


def _col2im(columns, x, weight, stride, padding, dilation):
    """Sum columns [C * kH * kW, N, H_out, W_out] back onto the pixels of x [N, C, H, W]:
    one strided slice add per kernel offset (kH * kW of them), no scatter."""
    n, c, h, w = x.shape
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    out_h, out_w = columns.shape[2], columns.shape[3]
    parts = columns.reshape(c, kernel_h, kernel_w, n, out_h, out_w)
    grad_x = np.zeros((c, n, h + 2 * padding, w + 2 * padding), dtype=columns.dtype)
    for u in range(kernel_h):
        for v in range(kernel_w):
            top, left = u * dilation, v * dilation
            rows = slice(top, top + stride * (out_h - 1) + 1, stride)
            cols = slice(left, left + stride * (out_w - 1) + 1, stride)
            grad_x[:, :, rows, cols] += parts[:, u, v]
    cropped = grad_x[:, :, padding : padding + h, padding : padding + w]
    return np.ascontiguousarray(cropped.transpose(1, 0, 2, 3))


def _conv_apply(weight, columns):
    """weight [C_out, K...] times columns [K, N, H_out, W_out] -> [N, C_out, H_out, W_out]."""
    size, n, out_h, out_w = columns.shape
    product = weight.reshape(weight.shape[0], size) @ columns.reshape(
        size, n * out_h * out_w
    )
    return np.ascontiguousarray(
        product.reshape(-1, n, out_h, out_w).transpose(1, 0, 2, 3)
    )


def _conv_columns_grad(grad, weight, columns):
    """weight.T [K, C_out] times grad [C_out, P], shaped like columns [K, N, H_out, W_out]."""
    per_channel = grad.transpose(1, 0, 2, 3).reshape(grad.shape[1], -1)
    return (weight.reshape(weight.shape[0], -1).T @ per_channel).reshape(columns.shape)


def _conv_weight_grad(grad, columns, weight):
    """grad [N, C_out, H_out, W_out] times columns [K, N, H_out, W_out] summed over all
    positions: one matmul [K, P] @ [P, C_out] (the faster order for OpenBLAS, with the
    long P axis contiguous in both), transposed and shaped like weight."""
    per_channel = grad.transpose(1, 0, 2, 3).reshape(grad.shape[1], -1)
    return (columns.reshape(columns.shape[0], -1) @ per_channel.T).T.reshape(
        weight.shape
    )


def _im2col(x, weight, stride, padding, dilation):
    """The windows of x [N, C, H, W] that a weight [C_out, C, kH, kW] sees, as columns
    [C * kH * kW, N, H_out, W_out]: one strided view and one copy, no loop over pixels.
    """
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    span_h, span_w = dilation * (kernel_h - 1) + 1, dilation * (kernel_w - 1) + 1
    windows = np.lib.stride_tricks.sliding_window_view(x, (span_h, span_w), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride, ::dilation, ::dilation]
    n, c, out_h, out_w = windows.shape[:4]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(
        c * kernel_h * kernel_w, n, out_h, out_w
    )


def _sigmoid(x):
    """Logistic sigmoid without overflow: exp is only taken of non-positive numbers."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(x):
    """log(1 + exp(x)) without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
