"""Convolutional: 2-D convolution (cross-correlation) of NCHW feature maps with stride,
padding, dilation and groups, then the activation, as torch.nn.Conv2d: y =
activation(conv2d(x, weight) + bias) with weight [C_out, C_in / groups, kH, kW].
Computed as im2col columns gathered in cache-sized blocks of rows and one matrix product
per block (batched over the groups, one small product per channel for depthwise
convolutions); the input gradient is the convolution of the gradient with the flipped
kernel.
Generated from layers_spec/layers/convolutional.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_window,
    activation_module,
    check_options,
    blas_flags_ignored,
    in_chunks,
)
from layerforge._cupy_runtime import ElementwiseKernel, RowBlockKernel, on_gpu
from layerforge._jit_runtime import (
    use_jit,
    depthwise_conv,
    depthwise_weight_grad,
    compiled_conv_input_grad,
    window_columns,
)

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
OUTPUTS = ("y",)


def forward(
    x,
    weight,
    bias=None,
    *,
    stride=1,
    padding=0,
    dilation=1,
    groups=1,
    padding_mode="zeros",
    activation="identity",
    activation_options=None,
):
    """Convolutional forward pass.

    2-D convolution (cross-correlation) of NCHW feature maps with stride, padding,
    dilation and groups, then the activation, as torch.nn.Conv2d: y =
    activation(conv2d(x, weight) + bias) with weight [C_out, C_in / groups, kH, kW].
    Computed as im2col columns gathered in cache-sized blocks of rows and one matrix
    product per block (batched over the groups, one small product per channel for
    depthwise convolutions); the input gradient is the convolution of the gradient with
    the flipped kernel.

    Args:
        x: float32 or float64 input of shape [B, C_in, H, W]. A batch of feature maps.
        weight: float32 or float64 parameter of shape [C_out, C_group, kH, kW]. Filters,
            as torch.nn.Conv2d.weight; C_group = C_in / groups.
        bias: float32 or float64 parameter of shape [C_out]. None (or bias=False in the
            object API) for a convolution without bias.
        stride: int or (int, int), default 1. Step between windows: one int, or (height,
            width).
        padding: int, (int, int), 4 ints per side, 'same' or 'valid', default 0.
            Padding: one int, (height, width), per side as F.pad's (left, right, top,
            bottom) or ((top, bottom), (left, right)), 'valid' (none) or 'same' (the
            output as large as the input, stride 1; an odd total puts the extra pixel at
            the end, as PyTorch).
        dilation: int or (int, int), default 1. Spacing between kernel elements: one
            int, or (height, width).
        groups: int, default 1. Channel groups: output group g sees input group g only;
            groups = C_in is a depthwise convolution.
        padding_mode: str, default 'zeros'. How the padding is filled, as
            torch.nn.Conv2d.
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
            "weight": ("C_out", "C_group", "kH", "kW"),
            "bias": ("C_out",),
        },
        optional=("bias",),
    )
    check_attribute("convolutional", "groups", groups, "int", minimum=1)
    check_attribute(
        "convolutional",
        "padding_mode",
        padding_mode,
        "str",
        choices=("zeros", "reflect", "replicate", "circular"),
    )
    stride, padding, dilation = check_window(
        "convolutional",
        "x",
        x,
        stride,
        padding,
        dilation,
        weight=weight,
        groups=groups,
        padding_mode=padding_mode,
    )
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get((activation, bias is not None))
        fixed = _FUSED_FIXED.get(activation, {})
        if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
            options = {k: v for k, v in options.items() if k not in fixed}
            forward_variant, backward_variant = fused
            if options:
                check_options("convolutional", activation, options)
            y, saved = forward_variant(
                x,
                weight,
                bias,
                stride,
                padding,
                dilation,
                groups,
                padding_mode,
                **options,
            )
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("convolutional", activation)
        if options:
            check_options("convolutional", activation, options)
        linear_forward, linear_backward = _CUPY_FUSED["identity", bias is not None]
        y_linear, linear_saved = linear_forward(
            x, weight, bias, stride, padding, dilation, groups, padding_mode
        )
        y, activation_ctx = module.forward(y_linear, **options)
        return y, (
            _cupy_backward_composed,
            (module, activation_ctx, linear_backward, linear_saved),
            (y.dtype, y.shape),
            None,
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get((activation, bias is not None))
    fixed = _FUSED_FIXED.get(activation, {})
    if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
        options = {k: v for k, v in options.items() if k not in fixed}
        forward_variant, backward_variant = fused
        if options:
            check_options("convolutional", activation, options)
        y, saved = forward_variant(
            x, weight, bias, stride, padding, dilation, groups, padding_mode, **options
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("convolutional", activation)
    if options:
        check_options("convolutional", activation, options)
    linear_forward, linear_backward = _FUSED["identity", bias is not None]
    y_linear, linear_saved = linear_forward(
        x, weight, bias, stride, padding, dilation, groups, padding_mode
    )
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_backward, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """Convolutional backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    backward_variant, saved = check_context(
        "convolutional", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_relu(x, weight, bias, stride, padding, dilation, groups, padding_mode):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(
        weight, columns, x, stride, padding, dilation, groups
    ) + bias.reshape(1, -1, 1, 1)
    y = np.clip(z, 0, np.inf)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


def _backward_relu(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    grad_z = grad_y * (z > 0)
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


def _forward_sigmoid(x, weight, bias, stride, padding, dilation, groups, padding_mode):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(
        weight, columns, x, stride, padding, dilation, groups
    ) + bias.reshape(1, -1, 1, 1)
    y = _sigmoid(z)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        y,
    )


def _backward_sigmoid(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, y
):
    grad_z = 1 - y
    grad_z *= grad_y
    grad_z *= y
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


def _forward_tanh(x, weight, bias, stride, padding, dilation, groups, padding_mode):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(
        weight, columns, x, stride, padding, dilation, groups
    ) + bias.reshape(1, -1, 1, 1)
    y = np.tanh(z, out=z)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        y,
    )


def _backward_tanh(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, y
):
    grad_z = y * y
    np.subtract(1, grad_z, out=grad_z)
    grad_z *= grad_y
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


def _forward_softmax(x, weight, bias, stride, padding, dilation, groups, padding_mode):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(
        weight, columns, x, stride, padding, dilation, groups
    ) + bias.reshape(1, -1, 1, 1)
    softmax_shifted = np.subtract(z, _amax(z, -1), out=z)
    softmax_exponentials = np.exp(softmax_shifted, out=softmax_shifted)
    y = np.divide(
        softmax_exponentials, _sum(softmax_exponentials, -1), out=softmax_exponentials
    )
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        y,
    )


def _backward_softmax(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, y
):
    grad_z = grad_y - _sum(grad_y * y, -1)
    grad_z *= y
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


def _forward_identity(x, weight, bias, stride, padding, dilation, groups, padding_mode):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(
        weight, columns, x, stride, padding, dilation, groups
    ) + bias.reshape(1, -1, 1, 1)
    return z, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
    )


def _backward_identity(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns
):
    grad_bias = np.sum(grad_y, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(
        grad_y, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_y, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


def _forward_gelu(x, weight, bias, stride, padding, dilation, groups, padding_mode):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(
        weight, columns, x, stride, padding, dilation, groups
    ) + bias.reshape(1, -1, 1, 1)
    y = _erf(0.7071067811865476 * z)
    y *= 0.5
    y += 0.5
    y *= z
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


def _backward_gelu(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    _t1 = 0.7071067811865476 * z
    grad_z = _erf(_t1)
    grad_z *= 0.5
    grad_z += 0.5
    grad_z *= grad_y
    _t2 = _t1 * _t1
    np.negative(_t2, out=_t2)
    np.exp(_t2, out=_t2)
    _t2 *= grad_y
    _t2 *= z
    _t2 *= 0.5
    _t2 *= 1.1283791670955126
    _t2 *= 0.7071067811865476
    grad_z += _t2
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


def _forward_elu(
    x, weight, bias, stride, padding, dilation, groups, padding_mode, alpha=1.0
):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(
        weight, columns, x, stride, padding, dilation, groups
    ) + bias.reshape(1, -1, 1, 1)
    y = np.clip(z, 0, np.inf)
    _t1 = _expm1(np.clip(z, -np.inf, 0))
    _t1 *= alpha
    y += _t1
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        alpha,
        y,
    )


def _backward_elu(
    grad_y,
    x,
    weight,
    bias,
    stride,
    padding,
    dilation,
    groups,
    padding_mode,
    columns,
    alpha,
    y,
):
    grad_z = np.clip(y, -np.inf, 0)
    grad_z += alpha
    grad_z *= grad_y
    _t1 = grad_y * (y > 0)
    _t1 *= 1 - alpha
    grad_z += _t1
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


def _forward_mish(x, weight, bias, stride, padding, dilation, groups, padding_mode):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(
        weight, columns, x, stride, padding, dilation, groups
    ) + bias.reshape(1, -1, 1, 1)
    mish_e = np.clip(z, -np.inf, 20)
    np.exp(mish_e, out=mish_e)
    mish_n = mish_e + 2
    mish_n *= mish_e
    y = np.multiply(z, mish_n, out=mish_e)
    _t1 = mish_n + 2
    y /= _t1
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


def _backward_mish(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    mish_e = np.clip(z, -np.inf, 20)
    np.exp(mish_e, out=mish_e)
    mish_n = mish_e + 2
    mish_n *= mish_e
    _t1 = mish_n + 2
    np.divide(1, _t1, out=_t1)
    grad_z = np.multiply(mish_n, _t1, out=mish_n)
    _t2 = mish_e + 1
    _t2 *= 4
    _t2 *= z
    _t2 *= mish_e
    _t2 *= _t1
    _t2 *= _t1
    grad_z += _t2
    grad_z *= grad_y
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


def _forward_swish(x, weight, bias, stride, padding, dilation, groups, padding_mode):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(
        weight, columns, x, stride, padding, dilation, groups
    ) + bias.reshape(1, -1, 1, 1)
    y = _sigmoid(z)
    y *= z
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


def _backward_swish(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1
    _t2 = 1 - _t1
    _t2 *= grad_y
    _t2 *= z
    _t2 *= _t1
    grad_z += _t2
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


def _forward_relu_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = np.clip(z, 0, np.inf)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


def _backward_relu_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    grad_z = grad_y * (z > 0)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


def _forward_sigmoid_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = _sigmoid(z)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        y,
    )


def _backward_sigmoid_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, y
):
    grad_z = 1 - y
    grad_z *= grad_y
    grad_z *= y
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


def _forward_tanh_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = np.tanh(z)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        y,
    )


def _backward_tanh_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, y
):
    grad_z = y * y
    np.subtract(1, grad_z, out=grad_z)
    grad_z *= grad_y
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


def _forward_softmax_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(weight, columns, x, stride, padding, dilation, groups)
    softmax_shifted = z - _amax(z, -1)
    softmax_exponentials = np.exp(softmax_shifted, out=softmax_shifted)
    y = np.divide(
        softmax_exponentials, _sum(softmax_exponentials, -1), out=softmax_exponentials
    )
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        y,
    )


def _backward_softmax_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, y
):
    grad_z = grad_y - _sum(grad_y * y, -1)
    grad_z *= y
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


def _forward_identity_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(weight, columns, x, stride, padding, dilation, groups)
    return z, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
    )


def _backward_identity_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns
):
    grad_weight = _conv_weight_grad(
        grad_y, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_y, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


def _forward_gelu_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = _erf(0.7071067811865476 * z)
    y *= 0.5
    y += 0.5
    y *= z
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


def _backward_gelu_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    _t1 = 0.7071067811865476 * z
    grad_z = _erf(_t1)
    grad_z *= 0.5
    grad_z += 0.5
    grad_z *= grad_y
    _t2 = _t1 * _t1
    np.negative(_t2, out=_t2)
    np.exp(_t2, out=_t2)
    _t2 *= grad_y
    _t2 *= z
    _t2 *= 0.5
    _t2 *= 1.1283791670955126
    _t2 *= 0.7071067811865476
    grad_z += _t2
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


def _forward_elu_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode, alpha=1.0
):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = np.clip(z, 0, np.inf)
    _t1 = _expm1(np.clip(z, -np.inf, 0))
    _t1 *= alpha
    y += _t1
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        alpha,
        y,
    )


def _backward_elu_no_bias(
    grad_y,
    x,
    weight,
    bias,
    stride,
    padding,
    dilation,
    groups,
    padding_mode,
    columns,
    alpha,
    y,
):
    grad_z = np.clip(y, -np.inf, 0)
    grad_z += alpha
    grad_z *= grad_y
    _t1 = grad_y * (y > 0)
    _t1 *= 1 - alpha
    grad_z += _t1
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


def _forward_mish_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(weight, columns, x, stride, padding, dilation, groups)
    mish_e = np.clip(z, -np.inf, 20)
    np.exp(mish_e, out=mish_e)
    mish_n = mish_e + 2
    mish_n *= mish_e
    y = np.multiply(z, mish_n, out=mish_e)
    _t1 = mish_n + 2
    y /= _t1
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


def _backward_mish_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    mish_e = np.clip(z, -np.inf, 20)
    np.exp(mish_e, out=mish_e)
    mish_n = mish_e + 2
    mish_n *= mish_e
    _t1 = mish_n + 2
    np.divide(1, _t1, out=_t1)
    grad_z = np.multiply(mish_n, _t1, out=mish_n)
    _t2 = mish_e + 1
    _t2 *= 4
    _t2 *= z
    _t2 *= mish_e
    _t2 *= _t1
    _t2 *= _t1
    grad_z += _t2
    grad_z *= grad_y
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


def _forward_swish_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = _sigmoid(z)
    y *= z
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


def _backward_swish_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1
    _t2 = 1 - _t1
    _t2 *= grad_y
    _t2 *= z
    _t2 *= _t1
    grad_z += _t2
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


def _backward_composed(grad_y, module, activation_ctx, linear_backward, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_FUSED = {
    ("relu", True): (_forward_relu, _backward_relu),
    ("sigmoid", True): (_forward_sigmoid, _backward_sigmoid),
    ("tanh", True): (_forward_tanh, _backward_tanh),
    ("softmax", True): (_forward_softmax, _backward_softmax),
    ("identity", True): (_forward_identity, _backward_identity),
    ("gelu", True): (_forward_gelu, _backward_gelu),
    ("elu", True): (_forward_elu, _backward_elu),
    ("mish", True): (_forward_mish, _backward_mish),
    ("swish", True): (_forward_swish, _backward_swish),
    ("silu", True): (_forward_swish, _backward_swish),
    ("relu", False): (_forward_relu_no_bias, _backward_relu_no_bias),
    ("sigmoid", False): (_forward_sigmoid_no_bias, _backward_sigmoid_no_bias),
    ("tanh", False): (_forward_tanh_no_bias, _backward_tanh_no_bias),
    ("softmax", False): (_forward_softmax_no_bias, _backward_softmax_no_bias),
    ("identity", False): (_forward_identity_no_bias, _backward_identity_no_bias),
    ("gelu", False): (_forward_gelu_no_bias, _backward_gelu_no_bias),
    ("elu", False): (_forward_elu_no_bias, _backward_elu_no_bias),
    ("mish", False): (_forward_mish_no_bias, _backward_mish_no_bias),
    ("swish", False): (_forward_swish_no_bias, _backward_swish_no_bias),
    ("silu", False): (_forward_swish_no_bias, _backward_swish_no_bias),
}
# The options each fused activation is specialized at; other values run it composed.
_FUSED_FIXED = {
    "softmax": {"dim": -1},
    "gelu": {"approximate": "none"},
}


def _amax(x, axis):
    """The maximum along ``axis``, kept as a length-1 axis, NaN if any is. A short axis
    (maxout's pieces) is folded with np.maximum over its slices: NumPy's reduction loop
    is slow on a few elements at a time. Over an empty axis it is -inf (the identity of
    the maximum), so that softmax and its kin return empty rows."""
    if not x.shape[axis]:
        return np.full(
            x.shape[: axis % x.ndim] + (1,) + x.shape[axis % x.ndim + 1 :],
            -np.inf,
            x.dtype,
        )
    if x.shape[axis] > 8:
        return np.max(x, axis=axis, keepdims=True)
    pieces = np.moveaxis(x, axis, 0)
    top = pieces[0].copy()
    for piece in pieces[1:]:
        np.maximum(top, piece, out=top)
    return np.expand_dims(top, axis)


def _conv_apply(weight, columns, x, stride, padding, dilation, groups):
    """weight [C_out, C / groups, kH, kW] times the columns of x -> [N, C_out, H_out,
    W_out], each group of output channels from its group of input channels.

    Stride 1: image by image (on threads, see in_chunks), on the rows of the padded
    grid, in blocks of rows: the block's column matrix [C * kH * kW, rows * W_p]
    gathered from the shifted slices of its padded input (one per kernel offset), and
    one matrix product with weight, batched over the groups (depthwise, groups = C =
    C_out: one 1 x kH * kW by kH * kW x rows * W_p product per channel). The blocks,
    of equal size, keep the gathered columns within 1.5 MiB, about what a core's L2
    cache holds (1 MiB on the Zen cores measured) so that the product reads them from
    there (2x faster for 4 groups of 8 channels of 64 x 64, smaller blocks paying in
    calls), or, with one output channel per group, within 16 MiB (matrix-vector
    products stream their operand, and gain from long rows instead). Depthwise under
    the numba backend (use_jit): the compiled depthwise_conv of the runtime, one
    GIL-free call per run of images (3x faster on one thread, and the threads' runs
    compute at the same time). Other grouped convolutions (groups > 1, a kernel larger
    than 1 x 1) under the numba backend: the block's columns [C * kH * kW, rows * W_out]
    gathered by the compiled window_columns of the runtime (one GIL-free call, without
    the grid's W_p - W_out extra columns per row), and the product written by np.matmul
    straight into the output: two calls a block instead of eleven, and no padded copy
    of x (see _im2col). 4 groups of 8 channels, 16 x 32 x 64 x 64 float32 by 3 x 3, one
    thread, CPU time (loaded machine): 6.3 ms with _im2col against 9.3.
    Larger strides: one matmul (batched over the groups)."""
    c_out, _, kernel_h, kernel_w = weight.shape
    n, c, h, w = x.shape
    (top, bottom), (left, right) = padding
    if not (n and c and c_out):  # no images or no channels: an empty sum, zeros
        out_h = (h + top + bottom - dilation[0] * (kernel_h - 1) - 1) // stride[0] + 1
        out_w = (w + left + right - dilation[1] * (kernel_w - 1) - 1) // stride[1] + 1
        return np.zeros((n, c_out, out_h, out_w), dtype=x.dtype)
    if stride[0] == 1 and stride[1] == 1:
        padded_h, padded_w = h + top + bottom, w + left + right
        out_h = padded_h - dilation[0] * (kernel_h - 1)
        out_w = padded_w - dilation[1] * (kernel_w - 1)
        image = c * padded_h * padded_w
        shifts = [
            dilation[0] * u * padded_w + dilation[1] * v
            for u in range(kernel_h)
            for v in range(kernel_w)
        ]
        flat = columns.reshape(-1)
        planes = columns.reshape(columns.shape[0], c, -1)  # [N (+ 1), C, H_p * W_p]
        result = np.empty((n, c_out, out_h, out_w), dtype=x.dtype)
        matrix = weight.reshape(groups, c_out // groups, -1)
        budget = 1 << 24 if c_out == groups else 3 << 19
        step = max(1, min(out_h, budget // (c * len(shifts) * padded_w * x.itemsize)))
        step = -(
            -out_h // -(-out_h // step)
        )  # blocks of equal size (the last one smaller)
        if c == c_out == groups and use_jit(columns):
            taps = weight.reshape(c, kernel_h, kernel_w)

            def compiled(first, last):
                depthwise_conv(
                    columns, taps, result, first, last, dilation[0], dilation[1]
                )

            in_chunks(compiled, n, x)
            return result
        # (columns that are x itself come from _im2col under numba, even if the backend changed since)
        if (
            groups > 1
            and len(shifts) > 1
            and (use_jit(columns) or columns.shape[0] == n)
        ):
            rows = max(1, min(out_h, budget // (c * len(shifts) * out_w * x.itemsize)))
            rows = -(-out_h // -(-out_h // rows))  # blocks of equal size, as above
            outputs = result.reshape(n, groups, c_out // groups, out_h * out_w)
            corner = (
                (top, left) if columns.shape[0] == n else (0, 0)
            )  # x itself: padding implicit

            def windows(first, last):
                buffer = np.empty(c * len(shifts) * rows * out_w, dtype=x.dtype)
                for image in range(first, last):
                    for row in range(0, out_h, rows):
                        end = min(row + rows, out_h)
                        block = buffer[: c * len(shifts) * (end - row) * out_w]
                        gathered = block.reshape(
                            c, kernel_h, kernel_w, end - row, out_w
                        )
                        window_columns(
                            columns, gathered, image, row, *corner, *dilation
                        )
                        product = outputs[image, :, :, row * out_w : end * out_w]
                        np.matmul(
                            matrix,
                            block.reshape(groups, -1, (end - row) * out_w),
                            out=product,
                        )

            in_chunks(windows, n, x)
            return result

        def images(first, last):
            count = last - first
            gathered = np.empty((count, c, len(shifts), step * padded_w), dtype=x.dtype)
            for row in range(0, out_h, step):
                end = min(row + step, out_h)
                span = (end - row) * padded_w
                if (
                    len(shifts) == 1
                ):  # a 1 x 1 kernel: the rows of the grid are its columns
                    block = planes[
                        first:last, :, None, row * padded_w : row * padded_w + span
                    ]
                else:
                    block = gathered[..., :span]
                    for k, shift in enumerate(shifts):
                        start = first * image + row * padded_w + shift
                        shifted = flat[start : start + count * image].reshape(
                            count, c, -1
                        )
                        block[:, :, k] = shifted[:, :, :span]
                on_grid = np.matmul(matrix, block.reshape(count, groups, -1, span))
                result[first:last, :, row:end] = on_grid.reshape(
                    count, c_out, end - row, padded_w
                )[..., :out_w]

        in_chunks(images, n, x)
        return result
    size, _, out_h, out_w = columns.shape
    if groups == 1:
        product = weight.reshape(c_out, size) @ columns.reshape(size, n * out_h * out_w)
    else:
        product = np.matmul(
            weight.reshape(groups, c_out // groups, -1),
            columns.reshape(groups, size // groups, -1),
        )
    return np.ascontiguousarray(
        product.reshape(c_out, n, out_h, out_w).transpose(1, 0, 2, 3)
    )


def _conv_input_grad(grad, weight, x, stride, padding, dilation, groups, padding_mode):
    """The gradient of a convolution with respect to x [N, C, H, W]. Stride 1: the
    convolution of grad, zero-padded by dilation * (k - 1) - padding (at least 0) on
    each side, with the kernel flipped in both directions and its channel axes swapped
    within each group (_conv_apply, depthwise where the convolution is), cropped to x's
    pixels. Otherwise image by image (on threads, see in_chunks): one product of the
    transposed kernel [C * kH * kW, C_out] (batched over the groups) with the image's
    gradient [C_out, H_out * W_out], whose [C, H_out, W_out] slab for each kernel offset
    is added onto the strided (padded) pixels that offset read, then cropped (under the
    numba backend, use_jit: the runtime's compiled_conv_input_grad, one buffer of
    products per thread's run of images and the compiled transposed_scatter). A
    padding_mode other than zeros: the gradient on the padded grid, folded back onto
    the pixels each padded one copies (_window_fold)."""
    n, c, h, w = x.shape
    c_out, c_group, kernel_h, kernel_w = weight.shape
    if not (grad.size and x.size):  # no images or no channels: an empty sum, zeros
        return np.zeros(x.shape, dtype=grad.dtype)
    out_h, out_w = grad.shape[2], grad.shape[3]
    (top, bottom), (left, right) = padding
    if padding_mode != "zeros":
        grid = np.broadcast_to(
            np.zeros((), dtype=grad.dtype), (n, c, h + top + bottom, w + left + right)
        )
        on_grid = _conv_input_grad(
            grad, weight, grid, stride, ((0, 0), (0, 0)), dilation, groups, "zeros"
        )
        return _window_fold(on_grid, x, padding, padding_mode)
    if stride[0] == 1 and stride[1] == 1:
        reach_h, reach_w = dilation[0] * (kernel_h - 1), dilation[1] * (kernel_w - 1)
        pads = (
            (max(reach_h - top, 0), max(reach_h - bottom, 0)),
            (max(reach_w - left, 0), max(reach_w - right, 0)),
        )
        flipped = weight[:, :, ::-1, ::-1].reshape(
            groups, c_out // groups, c_group, kernel_h, kernel_w
        )
        flipped = np.ascontiguousarray(flipped.transpose(0, 2, 1, 3, 4)).reshape(
            c, c_out // groups, kernel_h, kernel_w
        )
        padded = _im2col(grad, flipped, (1, 1), pads, dilation, "zeros")
        full = _conv_apply(flipped, padded, grad, (1, 1), pads, dilation, groups)
        if full.shape[2:] == (h, w):
            return full
        first_row, first_col = max(top - reach_h, 0), max(left - reach_w, 0)
        return np.ascontiguousarray(
            full[:, :, first_row : first_row + h, first_col : first_col + w]
        )
    result = np.empty(x.shape, dtype=grad.dtype)
    if use_jit(grad):
        compiled_conv_input_grad(
            grad, weight, result, groups, stride, dilation, top, left
        )
        return result
    # [G, C / G * kH * kW, C_out / G], a transposed view (BLAS reads it as it is; a strided
    # slice of weight per kernel offset is no BLAS operand, and runs NumPy's slow loop)
    taps = weight.reshape(groups, c_out // groups, -1).transpose(0, 2, 1)

    def images(first, last):
        count = last - first
        spread = np.matmul(
            taps, grad[first:last].reshape(count, groups, c_out // groups, -1)
        )
        spread = spread.reshape(count, c, kernel_h, kernel_w, out_h, out_w)
        on_grid = np.zeros(
            (count, c, h + top + bottom, w + left + right), dtype=grad.dtype
        )
        for u in range(kernel_h):
            for v in range(kernel_w):
                first_row, first_col = u * dilation[0], v * dilation[1]
                rows = slice(
                    first_row, first_row + stride[0] * (out_h - 1) + 1, stride[0]
                )
                cols = slice(
                    first_col, first_col + stride[1] * (out_w - 1) + 1, stride[1]
                )
                on_grid[:, :, rows, cols] += spread[:, :, u, v]
        result[first:last] = on_grid[:, :, top : top + h, left : left + w]

    in_chunks(images, n, grad)
    return result


def _conv_weight_grad(grad, columns, weight, x, stride, padding, dilation, groups):
    """grad [N, C_out, H_out, W_out] times the columns of x, summed over all positions,
    each group of output channels with its group of input channels.
    Stride 1: image by image (on threads, see in_chunks), in the blocks of rows of
    _conv_apply, the block's column matrix gathered as there times grad laid on the
    rows of the padded grid (zeros past W_out). Depthwise (groups = C = C_out): per
    kernel offset, one dot product per channel of its shifted rows, read in place, with
    grad's (no gathered columns: 1.7x faster on 32 channels of 64 x 64); under the
    numba backend (use_jit) the compiled depthwise_weight_grad of the runtime, one
    GIL-free call per run of images. Other grouped convolutions under the numba
    backend: the columns of _conv_apply's compiled path (window_columns) times grad's
    rows as they lie, one product a block (6.3 ms against 8.6 for the case there).
    Otherwise one matmul [K, P] @ [P, C_out] (the faster order for OpenBLAS, with the
    long P axis contiguous in both), batched over the groups, transposed, shaped like
    weight."""
    n, c_out, out_h, out_w = grad.shape
    if not (grad.size and x.size):  # no images or no channels: an empty sum, zeros
        return np.zeros(weight.shape, dtype=grad.dtype)
    if stride[0] == 1 and stride[1] == 1:
        _, _, kernel_h, kernel_w = weight.shape
        c = x.shape[1]
        (top, bottom), (left, right) = padding
        padded_h, padded_w = x.shape[2] + top + bottom, x.shape[3] + left + right
        image = c * padded_h * padded_w
        shifts = [
            dilation[0] * u * padded_w + dilation[1] * v
            for u in range(kernel_h)
            for v in range(kernel_w)
        ]
        flat = columns.reshape(-1)
        planes = columns.reshape(columns.shape[0], c, -1)  # [N (+ 1), C, H_p * W_p]
        budget = 1 << 24 if c_out == groups else 3 << 19
        step = max(
            1, min(out_h, budget // (c * len(shifts) * padded_w * grad.itemsize))
        )
        step = -(
            -out_h // -(-out_h // step)
        )  # blocks of equal size (the last one smaller)
        if c == c_out == groups and use_jit(grad):

            def compiled(first, last):
                return depthwise_weight_grad(
                    columns,
                    grad,
                    first,
                    last,
                    kernel_h,
                    kernel_w,
                    dilation[0],
                    dilation[1],
                )

            return in_chunks(compiled, n, grad).astype(grad.dtype).reshape(weight.shape)
        # (columns that are x itself come from _im2col under numba, even if the backend changed since)
        grouped = (
            groups > 1 and len(shifts) > 1 and (use_jit(grad) or columns.shape[0] == n)
        )
        if grouped:
            rows = max(
                1, min(out_h, budget // (c * len(shifts) * out_w * grad.itemsize))
            )
            rows = -(-out_h // -(-out_h // rows))  # blocks of equal size, as above
            per_group = grad.reshape(n, groups, c_out // groups, out_h * out_w)
            corner = (
                (top, left) if columns.shape[0] == n else (0, 0)
            )  # x itself: padding implicit

        def windows(first, last):
            buffer = np.empty(c * len(shifts) * rows * out_w, dtype=grad.dtype)
            total = np.zeros(
                (groups, c * len(shifts) // groups, c_out // groups), dtype=grad.dtype
            )
            product = np.empty_like(total)
            for image in range(first, last):
                for row in range(0, out_h, rows):
                    end = min(row + rows, out_h)
                    block = buffer[: c * len(shifts) * (end - row) * out_w]
                    gathered = block.reshape(c, kernel_h, kernel_w, end - row, out_w)
                    window_columns(columns, gathered, image, row, *corner, *dilation)
                    part = per_group[image, :, :, row * out_w : end * out_w].transpose(
                        0, 2, 1
                    )
                    total += np.matmul(
                        block.reshape(groups, -1, (end - row) * out_w),
                        part,
                        out=product,
                    )
            return total

        def depthwise(first, last):
            count = last - first
            on_grid = np.zeros((count, c, out_h, padded_w), dtype=grad.dtype)
            on_grid[..., :out_w] = grad[first:last]
            rows = on_grid.reshape(count, c, -1, 1)
            total = np.zeros((c, len(shifts), 1), dtype=grad.dtype)
            for k, shift in enumerate(shifts):
                start = first * image + shift
                shifted = flat[start : start + count * image].reshape(count, c, -1)
                total[:, k] = np.matmul(
                    shifted[:, :, None, : out_h * padded_w], rows
                ).sum(axis=0)[:, 0]
            return total

        def images(first, last):
            count = last - first
            gathered = np.empty(
                (count, c, len(shifts), step * padded_w), dtype=grad.dtype
            )
            on_grid = np.zeros((count, c_out, step, padded_w), dtype=grad.dtype)
            total = np.zeros(
                (groups, c * len(shifts) // groups, c_out // groups), dtype=grad.dtype
            )
            for row in range(0, out_h, step):
                end = min(row + step, out_h)
                span = (end - row) * padded_w
                if (
                    len(shifts) == 1
                ):  # a 1 x 1 kernel: the rows of the grid are its columns
                    block = planes[
                        first:last, :, None, row * padded_w : row * padded_w + span
                    ]
                else:
                    block = gathered[..., :span]
                    for k, shift in enumerate(shifts):
                        start = first * image + row * padded_w + shift
                        shifted = flat[start : start + count * image].reshape(
                            count, c, -1
                        )
                        block[:, :, k] = shifted[:, :, :span]
                if out_w == padded_w:  # no positions past W_out: grad is on the grid
                    per_group = grad[first:last, :, row:end].reshape(
                        count, groups, c_out // groups, span
                    )
                else:
                    on_grid[:, :, : end - row, :out_w] = grad[first:last, :, row:end]
                    per_group = on_grid[:, :, : end - row].reshape(
                        count, groups, c_out // groups, span
                    )
                total += np.matmul(
                    block.reshape(count, groups, -1, span),
                    per_group.transpose(0, 1, 3, 2),
                ).sum(axis=0)
            return total

        total = in_chunks(
            depthwise if c == c_out == groups else windows if grouped else images, n, x
        )
    elif groups == 1:
        per_channel = grad.transpose(1, 0, 2, 3).reshape(c_out, -1)
        total = columns.reshape(columns.shape[0], -1) @ per_channel.T
    else:
        per_channel = grad.transpose(1, 0, 2, 3).reshape(groups, c_out // groups, -1)
        total = np.matmul(
            columns.reshape(groups, columns.shape[0] // groups, -1),
            per_channel.transpose(0, 2, 1),
        )
    return np.ascontiguousarray(np.swapaxes(total, -1, -2)).reshape(weight.shape)


def _erf(x, out=None):
    """The error function, elementwise, by W. J. Cody's rational Chebyshev approximations
    (Math. Comp. 23, 1969), accurate to a few ulps in float64: x P(x^2) / Q(x^2) for
    |x| <= 0.46875, 1 - exp(-x^2) R(|x|) up to 4 with R rational in |x|, and in 1 / x^2
    beyond, exp(-x^2) split as exp(-s^2) exp(-(|x| - s)(|x| + s)) for s = |x| rounded
    down to 1/16 so that no rounding of x^2 is magnified. The first two are computed for
    every entry (clamped to their ranges) and selected, which runs at NumPy's speed on
    cache-sized blocks; the rare entries beyond 4 (and inf) are patched. NaN stays NaN;
    computed in x's dtype. ``out``, if given, receives the result.

    float32 takes a shorter road, 25 passes instead of about 60: x P(x^2) / Q(x^2) with x
    clamped to [-4, 4] (beyond, erf is 1 in float32), P of degree 6 and Q of degree 5
    fitted by this project to erf's relative error on [0, 4] (2e-9 in exact arithmetic;
    float32's roundings give at most 7 ulps, 4e-7, against 5.5 ulps for the steps above
    in float32), the result clamped to [-1, 1]."""
    if x.dtype == np.float32:
        z = np.clip(x, -4.0, 4.0)
        t = z * z
        num = t * -2.0916970806414932e-4
        for a in (
            7.422902684888677e-2,
            6.015142938213274e00,
            6.100214860057954e01,
            8.607209142664759e02,
            2.934813762236417e03,
        ):
            num += a
            num *= t
        num += 1.7880702929117764e04
        den = t + 2.0719813199168364e01
        for b in (
            2.450165158979446e02,
            1.8058271607889747e03,
            7.883032367986196e03,
            1.5846360349782708e04,
        ):
            den *= t
            den += b
        num *= z
        num /= den
        return np.clip(num, -1.0, 1.0, out=num if out is None else out)
    y = np.abs(x)
    z = np.minimum(y, 0.46875)
    z *= z
    num = 1.85777706184603153e-1 * z
    den = z + 2.36012909523441209e01
    for a, b in (
        (3.16112374387056560e00, 2.44024637934444173e02),
        (1.13864154151050156e02, 1.28261652607737228e03),
    ):
        num += a
        num *= z
        den *= z
        den += b
    num += 3.77485237685302021e02
    num *= z
    den *= z
    num += 3.20937758913846947e03
    den += 2.84423683343917062e03
    small = np.multiply(x, num, out=num)
    small /= den
    u = np.clip(y, 0.46875, 4.0)
    num = 2.15311535474403846e-8 * u
    den = u + 1.57449261107098347e01
    for a, b in (
        (5.64188496988670089e-1, 1.17693950891312499e02),
        (8.88314979438837594e00, 5.37181101862009858e02),
        (6.61191906371416295e01, 1.62138957456669019e03),
        (2.98635138197400131e02, 3.29079923573345963e03),
        (8.81952221241769090e02, 4.36261909014324716e03),
        (1.71204761263407058e03, 3.43936767414372164e03),
    ):
        num += a
        num *= u
        den *= u
        den += b
    num += 2.05107837782607147e03
    num *= u
    den *= u
    num += 1.23033935479799725e03
    den += 1.23033935480374942e03
    num /= den
    s = np.trunc(u * 16)
    s *= 1 / 16
    u -= s  # |x| - s, then times |x| + s
    u *= u + 2 * s
    s *= s
    s += u
    np.negative(s, out=s)
    np.exp(s, out=s)
    num *= s
    result = np.subtract(1, num, out=out)
    np.copysign(result, x, out=result)
    np.copyto(result, small, where=y <= 0.46875)
    far = np.nonzero(y > 4.0)
    if far[0].size:
        t = y[far]
        w = 1 / (t * t)
        num = 1.63153871373020978e-2 * w
        den = w.copy()
        for a, b in (
            (3.05326634961232344e-1, 2.56852019228982242e00),
            (3.60344899949804439e-1, 1.87295284992346725e00),
            (1.25781726111229246e-1, 5.27905102951428412e-1),
            (1.60837851487422766e-2, 6.05183413124413191e-2),
        ):
            num += a
            num *= w
            den += b
            den *= w
        tail = (
            5.6418958354775628695e-1
            - w * (num + 6.58749161529837803e-4) / (den + 2.33520497626869185e-3)
        ) / t
        s = np.trunc(t * 16) / 16
        with np.errstate(invalid="ignore"):  # inf - inf for x = inf, replaced below
            tail *= np.exp(-s * s) * np.exp(-(t - s) * (t + s))
        tail[t > 26.6] = 0  # past where erfc underflows (and for inf)
        result[far] = np.copysign((0.5 - tail) + 0.5, x[far])
    return result


def _expm1(x, out=None):
    """exp(x) - 1 without cancellation near 0. Where no argument exceeds 1/2 (an ELU's
    never do) it is 2t / (1 - t) for t = tanh(x / 2): one transcendental, and 1 - t is at
    least 3/4, so nothing cancels; otherwise tanh(x / 2) (exp(x) + 1), accurate for all x.
    ``out``, if given, receives the result and must not overlap ``x``.

    NumPy's float32 expm1 has no SIMD loop; tanh and exp do (3-5x faster).
    """
    if np.any(x > 0.5):
        half_tanh = np.tanh(0.5 * x)
        result = np.exp(x, out=out)
        result += 1
        result *= half_tanh
        return result
    half_tanh = np.multiply(x, 0.5)
    np.tanh(half_tanh, out=half_tanh)
    result = np.subtract(1, half_tanh, out=out)
    np.divide(half_tanh, result, out=result)
    result *= 2
    return result


def _im2col(x, weight, stride, padding, dilation, padding_mode):
    """The windows of x [N, C, H, W] that a weight [C_out, C / groups, kH, kW] sees.

    Stride 1: x padded (with zeros or as ``padding_mode``), [N + 1, C, H_p, W_p] (one
    spare image of zeros at the end). Laid on the padded grid, the row (c, u, v) of
    image i's column matrix is then row c of the flat image shifted by
    dilation_h * u * W_p + dilation_w * v: a slice of the flat array, so the columns are
    never copied out (positions past W_out on the grid, which read into the next row or
    image, are computed and dropped). A 1 x 1 kernel without padding: x itself (its
    columns are x's rows, read in place). A grouped convolution (groups > 1, not
    depthwise, a kernel larger than 1 x 1) with zeros under the numba backend: x itself
    too, its padding implicit (the compiled window_columns reads zeros outside x: no
    padded copy). Larger strides: the columns [C * kH * kW, N, H_out, W_out], one
    strided view and one copy."""
    n, c, h, w = x.shape
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    (top, bottom), (left, right) = padding
    if stride[0] == 1 and stride[1] == 1:
        if kernel_h == kernel_w == 1 and not (top or bottom or left or right):
            return x
        # (conv_apply's compiled grouped path: not depthwise, a kernel larger than 1 x 1)
        grouped = weight.shape[1] < c and not (
            weight.shape[1] == 1 and weight.shape[0] == c
        )
        if (
            grouped
            and kernel_h * kernel_w > 1
            and padding_mode == "zeros"
            and use_jit(x)
        ):
            return x
        padded = np.zeros((n + 1, c, h + top + bottom, w + left + right), dtype=x.dtype)
        if padding_mode == "zeros":
            padded[:n, :, top : top + h, left : left + w] = x
        else:
            padded[:n] = _window_pad(x, padding, padding_mode)
        return padded
    if top or bottom or left or right:
        x = _window_pad(x, padding, padding_mode)
    span_h, span_w = dilation[0] * (kernel_h - 1) + 1, dilation[1] * (kernel_w - 1) + 1
    windows = np.lib.stride_tricks.sliding_window_view(x, (span_h, span_w), axis=(2, 3))
    windows = windows[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]
    out_h, out_w = windows.shape[2:4]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(
        c * kernel_h * kernel_w, n, out_h, out_w
    )


def _sigmoid(x, out=None):
    """Logistic sigmoid 1 / (1 + exp(-x)). Where exp(-x) overflows (x below about -88 in
    float32, -709 in float64) it is inf and the result is 0, less than the smallest
    normal number away from the true value: that overflow is expected, not reported.
    ``out``, if given, receives the result (it may be ``x`` itself)."""
    with np.errstate(over="ignore"):
        result = np.negative(x, out=out)
        np.exp(result, out=result)
    result += 1
    np.divide(1, result, out=result)
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


def _window_fold(grad, like, padding, padding_mode):
    """The gradient of _window_pad: grad on the padded grid summed back onto the pixels
    of like [N, C, H, W] that each padded pixel copies (one product per axis with the
    0/1 matrix of the copies: exact, each pixel's copies added up)."""
    (top, bottom), (left, right) = padding
    h, w = like.shape[2], like.shape[3]
    if padding_mode == "zeros":
        return np.ascontiguousarray(grad[:, :, top : top + h, left : left + w])
    mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[padding_mode]
    result = grad
    for axis, size, sides in ((2, h, (top, bottom)), (3, w, (left, right))):
        source = np.pad(np.arange(size), sides, mode=mode)
        copies = (source[:, None] == np.arange(size)[None, :]).astype(grad.dtype)
        result = np.moveaxis(np.matmul(np.moveaxis(result, axis, -1), copies), -1, axis)
    return np.ascontiguousarray(result)


def _window_pad(x, padding, padding_mode):
    """x [N, C, H, W] padded by ((top, bottom), (left, right)): with zeros, or with
    PyTorch's reflect, replicate or circular padding (np.pad's reflect, edge, wrap)."""
    widths = ((0, 0), (0, 0), tuple(padding[0]), tuple(padding[1]))
    if padding_mode == "zeros":
        return np.pad(x, widths)
    return np.pad(
        x,
        widths,
        mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[
            padding_mode
        ],
    )


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# convolutional_relu_fwd_0: layers_spec/layers/convolutional.yaml:28; layers_spec/activations/relu.yaml:8
_convolutional_relu_fwd_0 = ElementwiseKernel(
    "convolutional_relu_fwd_0",
    "T _t1, T _t2",
    "T z, T y",
    """
    z = _t1 + _t2;
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    _t1 = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    _t2 = bias.reshape(1, -1, 1, 1)
    z, y = _convolutional_relu_fwd_0(_t1, _t2)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


# convolutional_relu_bwd_0: layers_spec/primitives.yaml:252
_convolutional_relu_bwd_0 = ElementwiseKernel(
    "convolutional_relu_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t3 = z > T(0);
    grad_z = grad_y * _t3;
    """,
)


def _cupy_backward_relu(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    import cupy as cp

    grad_z = _convolutional_relu_bwd_0(z, grad_y)
    _t5 = cp.sum(grad_z, axis=(-4, -2, -1), keepdims=True)
    grad_bias = _t5.reshape(bias.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


# convolutional_sigmoid_fwd_0: layers_spec/layers/convolutional.yaml:28; layers_spec/activations/sigmoid.yaml:8
_convolutional_sigmoid_fwd_0 = ElementwiseKernel(
    "convolutional_sigmoid_fwd_0",
    "T _t1, T _t2",
    "T y",
    """
    T z = _t1 + _t2;
    y = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    """,
)


def _cupy_forward_sigmoid(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    _t1 = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    _t2 = bias.reshape(1, -1, 1, 1)
    y = _convolutional_sigmoid_fwd_0(_t1, _t2)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        y,
    )


# convolutional_sigmoid_bwd_0: layers_spec/primitives.yaml:201
_convolutional_sigmoid_bwd_0 = ElementwiseKernel(
    "convolutional_sigmoid_bwd_0",
    "T grad_y, T y",
    "T grad_z",
    """
    T _t3 = grad_y * y;
    T _t4 = T(1) - y;
    grad_z = _t3 * _t4;
    """,
)


def _cupy_backward_sigmoid(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, y
):
    import cupy as cp

    grad_z = _convolutional_sigmoid_bwd_0(grad_y, y)
    _t6 = cp.sum(grad_z, axis=(-4, -2, -1), keepdims=True)
    grad_bias = _t6.reshape(bias.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


# convolutional_tanh_fwd_0: layers_spec/layers/convolutional.yaml:28; layers_spec/activations/tanh.yaml:8
_convolutional_tanh_fwd_0 = ElementwiseKernel(
    "convolutional_tanh_fwd_0",
    "T _t1, T _t2",
    "T y",
    """
    T z = _t1 + _t2;
    y = tanh(z);
    """,
)


def _cupy_forward_tanh(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    _t1 = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    _t2 = bias.reshape(1, -1, 1, 1)
    y = _convolutional_tanh_fwd_0(_t1, _t2)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        y,
    )


# convolutional_tanh_bwd_0: layers_spec/primitives.yaml:180
_convolutional_tanh_bwd_0 = ElementwiseKernel(
    "convolutional_tanh_bwd_0",
    "T y, T grad_y",
    "T grad_z",
    """
    T _t3 = y * y;
    T _t4 = T(1) - _t3;
    grad_z = grad_y * _t4;
    """,
)


def _cupy_backward_tanh(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, y
):
    import cupy as cp

    grad_z = _convolutional_tanh_bwd_0(y, grad_y)
    _t6 = cp.sum(grad_z, axis=(-4, -2, -1), keepdims=True)
    grad_bias = _t6.reshape(bias.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


# convolutional_softmax_fwd_0: layers_spec/layers/convolutional.yaml:28
_convolutional_softmax_fwd_0 = ElementwiseKernel(
    "convolutional_softmax_fwd_0",
    "T _t1, T _t2",
    "T z",
    """
    z = _t1 + _t2;
    """,
)


# convolutional_softmax_fwd_1: layers_spec/activations/softmax.yaml:10,11,12
_convolutional_softmax_fwd_1 = RowBlockKernel(
    "convolutional_softmax_fwd_1",
    "row T z",
    "row T y",
    """
    T _c_z[LF_REGISTERS];
    T _t3 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T z = _at.fill(_c_z, _row_z, _j);
        _t3 = _Max()(_t3, z);
    )
    _t3 = _row_reduce(_t3, _Max());
    const T _t4 = _t3;
    T _t5 = T(0);
    LF_ROW_LOOP(
        const T z = _at.get(_c_z, _row_z, _j);
        const T softmax_shifted = z - _t4;
        const T softmax_exponentials = exp(softmax_shifted);
        _t5 = _Sum()(_t5, softmax_exponentials);
    )
    _t5 = _row_reduce(_t5, _Sum());
    LF_ROW_LOOP(
        const T z = _at.get(_c_z, _row_z, _j);
        const T softmax_shifted = z - _t4;
        const T softmax_exponentials = exp(softmax_shifted);
        const T y = softmax_exponentials / _t5;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_softmax(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    _t1 = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    _t2 = bias.reshape(1, -1, 1, 1)
    z = _convolutional_softmax_fwd_0(_t1, _t2)
    y = _convolutional_softmax_fwd_1(z)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        y,
    )


# convolutional_softmax_bwd_0: layers_spec/activations/softmax.yaml:14
_convolutional_softmax_bwd_0 = RowBlockKernel(
    "convolutional_softmax_bwd_0",
    "row T grad_y, row T y",
    "row T grad_z",
    """
    T _c_grad_y[LF_REGISTERS];
    T _c_y[LF_REGISTERS];
    T _t7 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T y = _at.fill(_c_y, _row_y, _j);
        const T _t6 = grad_y * y;
        _t7 = _Sum()(_t7, _t6);
    )
    _t7 = _row_reduce(_t7, _Sum());
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T y = _at.get(_c_y, _row_y, _j);
        const T _t8 = grad_y - _t7;
        const T grad_z = y * _t8;
        _row_grad_z[_j] = grad_z;
    )
    """,
)


def _cupy_backward_softmax(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, y
):
    import cupy as cp

    grad_z = _convolutional_softmax_bwd_0(grad_y, y)
    _t10 = cp.sum(grad_z, axis=(-4, -2, -1), keepdims=True)
    grad_bias = _t10.reshape(bias.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


def _cupy_forward_identity(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    _t1 = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    _t2 = bias.reshape(1, -1, 1, 1)
    z = _convolutional_softmax_fwd_0(_t1, _t2)
    return z, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
    )


def _cupy_backward_identity(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns
):
    import cupy as cp

    _t3 = cp.sum(grad_y, axis=(-4, -2, -1), keepdims=True)
    grad_bias = _t3.reshape(bias.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_y, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_y, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


# convolutional_gelu_fwd_0: layers_spec/layers/convolutional.yaml:28; layers_spec/activations/gelu.yaml:23
_convolutional_gelu_fwd_0 = ElementwiseKernel(
    "convolutional_gelu_fwd_0",
    "T _t1, T _t2",
    "T z, T y",
    """
    z = _t1 + _t2;
    T _t3 = T(0.7071067811865476) * z;
    T _t4 = erf(_t3);
    T _t5 = T(0.5) * _t4;
    T _t6 = T(0.5) + _t5;
    y = z * _t6;
    """,
)


def _cupy_forward_gelu(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    _t1 = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    _t2 = bias.reshape(1, -1, 1, 1)
    z, y = _convolutional_gelu_fwd_0(_t1, _t2)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


# convolutional_gelu_bwd_0: layers_spec/activations/gelu.yaml:23; layers_spec/primitives.yaml:61,62,1973
_convolutional_gelu_bwd_0 = ElementwiseKernel(
    "convolutional_gelu_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t3 = T(0.7071067811865476) * z;
    T _t4 = erf(_t3);
    T _t5 = T(0.5) * _t4;
    T _t6 = T(0.5) + _t5;
    T _t7 = grad_y * _t6;
    T _t8 = grad_y * z;
    T _t9 = _t8 * T(0.5);
    T _t10 = _t9 * T(1.1283791670955126);
    T _t11 = _t3 * _t3;
    T _t12 = -_t11;
    T _t13 = exp(_t12);
    T _t14 = _t10 * _t13;
    T _t15 = _t14 * T(0.7071067811865476);
    grad_z = _t7 + _t15;
    """,
)


def _cupy_backward_gelu(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    import cupy as cp

    grad_z = _convolutional_gelu_bwd_0(z, grad_y)
    _t16 = cp.sum(grad_z, axis=(-4, -2, -1), keepdims=True)
    grad_bias = _t16.reshape(bias.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


# convolutional_elu_fwd_0: layers_spec/layers/convolutional.yaml:28; layers_spec/activations/elu.yaml:10
_convolutional_elu_fwd_0 = ElementwiseKernel(
    "convolutional_elu_fwd_0",
    "T _t1, T _t2, T alpha",
    "T y",
    """
    T z = _t1 + _t2;
    T _t3 = z > T(0) || z != z ? z : T(0);
    T _t4 = z < T(0) || z != z ? z : T(0);
    T _t5 = expm1(_t4);
    T _t6 = alpha * _t5;
    y = _t3 + _t6;
    """,
    scalars=("alpha",),
)


def _cupy_forward_elu(
    x, weight, bias, stride, padding, dilation, groups, padding_mode, alpha=1.0
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    _t1 = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    _t2 = bias.reshape(1, -1, 1, 1)
    y = _convolutional_elu_fwd_0(_t1, _t2, alpha)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        alpha,
        y,
    )


# convolutional_elu_bwd_0: layers_spec/activations/elu.yaml:15
_convolutional_elu_bwd_0 = ElementwiseKernel(
    "convolutional_elu_bwd_0",
    "T y, T alpha, T grad_y, T _t12",
    "T grad_z",
    """
    T _t7 = y < T(0) || y != y ? y : T(0);
    T _t8 = _t7 + alpha;
    T _t9 = grad_y * _t8;
    bool _t10 = y > T(0);
    T _t11 = grad_y * _t10;
    T _t13 = _t11 * _t12;
    grad_z = _t9 + _t13;
    """,
    scalars=("alpha", "_t12"),
)


def _cupy_backward_elu(
    grad_y,
    x,
    weight,
    bias,
    stride,
    padding,
    dilation,
    groups,
    padding_mode,
    columns,
    alpha,
    y,
):
    import cupy as cp

    _t12 = 1 - alpha
    grad_z = _convolutional_elu_bwd_0(y, alpha, grad_y, _t12)
    _t15 = cp.sum(grad_z, axis=(-4, -2, -1), keepdims=True)
    grad_bias = _t15.reshape(bias.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


# convolutional_mish_fwd_0: layers_spec/layers/convolutional.yaml:28; layers_spec/activations/mish.yaml:12,13,14
_convolutional_mish_fwd_0 = ElementwiseKernel(
    "convolutional_mish_fwd_0",
    "T _t1, T _t2",
    "T z, T y",
    """
    z = _t1 + _t2;
    T _t3 = z < T(20) || z != z ? z : T(20);
    T mish_e = exp(_t3);
    T _t4 = mish_e + T(2);
    T mish_n = mish_e * _t4;
    T _t5 = z * mish_n;
    T _t6 = mish_n + T(2);
    y = _t5 / _t6;
    """,
)


def _cupy_forward_mish(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    _t1 = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    _t2 = bias.reshape(1, -1, 1, 1)
    z, y = _convolutional_mish_fwd_0(_t1, _t2)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


# convolutional_mish_bwd_0: layers_spec/activations/mish.yaml:12,13,17,18
_convolutional_mish_bwd_0 = ElementwiseKernel(
    "convolutional_mish_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t3 = z < T(20) || z != z ? z : T(20);
    T mish_e = exp(_t3);
    T _t4 = mish_e + T(2);
    T mish_n = mish_e * _t4;
    T _t7 = mish_n + T(2);
    T _t8 = T(1) / _t7;
    T _t9 = mish_n * _t8;
    T _t10 = T(4) * z;
    T _t11 = _t10 * mish_e;
    T _t12 = mish_e + T(1);
    T _t13 = _t11 * _t12;
    T _t14 = _t13 * _t8;
    T _t15 = _t14 * _t8;
    T _t16 = _t9 + _t15;
    grad_z = grad_y * _t16;
    """,
)


def _cupy_backward_mish(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    import cupy as cp

    grad_z = _convolutional_mish_bwd_0(z, grad_y)
    _t18 = cp.sum(grad_z, axis=(-4, -2, -1), keepdims=True)
    grad_bias = _t18.reshape(bias.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


# convolutional_swish_fwd_0: layers_spec/layers/convolutional.yaml:28; layers_spec/activations/swish.yaml:8
_convolutional_swish_fwd_0 = ElementwiseKernel(
    "convolutional_swish_fwd_0",
    "T _t1, T _t2",
    "T z, T y",
    """
    z = _t1 + _t2;
    T _t3 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    y = z * _t3;
    """,
)


def _cupy_forward_swish(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    _t1 = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    _t2 = bias.reshape(1, -1, 1, 1)
    z, y = _convolutional_swish_fwd_0(_t1, _t2)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


# convolutional_swish_bwd_0: layers_spec/activations/swish.yaml:8; layers_spec/primitives.yaml:61,62,201
_convolutional_swish_bwd_0 = ElementwiseKernel(
    "convolutional_swish_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t3 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    T _t4 = grad_y * _t3;
    T _t5 = grad_y * z;
    T _t6 = _t5 * _t3;
    T _t7 = T(1) - _t3;
    T _t8 = _t6 * _t7;
    grad_z = _t4 + _t8;
    """,
)


def _cupy_backward_swish(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    import cupy as cp

    grad_z = _convolutional_swish_bwd_0(z, grad_y)
    _t9 = cp.sum(grad_z, axis=(-4, -2, -1), keepdims=True)
    grad_bias = _t9.reshape(bias.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, grad_bias


# convolutional_relu_no_bias_fwd_0: layers_spec/activations/relu.yaml:8
_convolutional_relu_no_bias_fwd_0 = ElementwiseKernel(
    "convolutional_relu_no_bias_fwd_0",
    "T z",
    "T y",
    """
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = _convolutional_relu_no_bias_fwd_0(z)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


# convolutional_relu_no_bias_bwd_0: layers_spec/primitives.yaml:252
_convolutional_relu_no_bias_bwd_0 = ElementwiseKernel(
    "convolutional_relu_no_bias_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t1 = z > T(0);
    grad_z = grad_y * _t1;
    """,
)


def _cupy_backward_relu_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    grad_z = _convolutional_relu_no_bias_bwd_0(z, grad_y)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


# convolutional_sigmoid_no_bias_fwd_0: layers_spec/activations/sigmoid.yaml:8
_convolutional_sigmoid_no_bias_fwd_0 = ElementwiseKernel(
    "convolutional_sigmoid_no_bias_fwd_0",
    "T z",
    "T y",
    """
    y = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    """,
)


def _cupy_forward_sigmoid_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = _convolutional_sigmoid_no_bias_fwd_0(z)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        y,
    )


# convolutional_sigmoid_no_bias_bwd_0: layers_spec/primitives.yaml:201
_convolutional_sigmoid_no_bias_bwd_0 = ElementwiseKernel(
    "convolutional_sigmoid_no_bias_bwd_0",
    "T grad_y, T y",
    "T grad_z",
    """
    T _t1 = grad_y * y;
    T _t2 = T(1) - y;
    grad_z = _t1 * _t2;
    """,
)


def _cupy_backward_sigmoid_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, y
):
    grad_z = _convolutional_sigmoid_no_bias_bwd_0(grad_y, y)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


# convolutional_tanh_no_bias_fwd_0: layers_spec/activations/tanh.yaml:8
_convolutional_tanh_no_bias_fwd_0 = ElementwiseKernel(
    "convolutional_tanh_no_bias_fwd_0",
    "T z",
    "T y",
    """
    y = tanh(z);
    """,
)


def _cupy_forward_tanh_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = _convolutional_tanh_no_bias_fwd_0(z)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        y,
    )


# convolutional_tanh_no_bias_bwd_0: layers_spec/primitives.yaml:180
_convolutional_tanh_no_bias_bwd_0 = ElementwiseKernel(
    "convolutional_tanh_no_bias_bwd_0",
    "T y, T grad_y",
    "T grad_z",
    """
    T _t1 = y * y;
    T _t2 = T(1) - _t1;
    grad_z = grad_y * _t2;
    """,
)


def _cupy_backward_tanh_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, y
):
    grad_z = _convolutional_tanh_no_bias_bwd_0(y, grad_y)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


# convolutional_softmax_no_bias_fwd_0: layers_spec/activations/softmax.yaml:10,11,12
_convolutional_softmax_no_bias_fwd_0 = RowBlockKernel(
    "convolutional_softmax_no_bias_fwd_0",
    "row T z",
    "row T y",
    """
    T _c_z[LF_REGISTERS];
    T _t2 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T z = _at.fill(_c_z, _row_z, _j);
        _t2 = _Max()(_t2, z);
    )
    _t2 = _row_reduce(_t2, _Max());
    const T _t3 = _t2;
    T _t4 = T(0);
    LF_ROW_LOOP(
        const T z = _at.get(_c_z, _row_z, _j);
        const T softmax_shifted = z - _t3;
        const T softmax_exponentials = exp(softmax_shifted);
        _t4 = _Sum()(_t4, softmax_exponentials);
    )
    _t4 = _row_reduce(_t4, _Sum());
    LF_ROW_LOOP(
        const T z = _at.get(_c_z, _row_z, _j);
        const T softmax_shifted = z - _t3;
        const T softmax_exponentials = exp(softmax_shifted);
        const T y = softmax_exponentials / _t4;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_softmax_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = _convolutional_softmax_no_bias_fwd_0(z)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        y,
    )


# convolutional_softmax_no_bias_bwd_0: layers_spec/activations/softmax.yaml:14
_convolutional_softmax_no_bias_bwd_0 = RowBlockKernel(
    "convolutional_softmax_no_bias_bwd_0",
    "row T grad_y, row T y",
    "row T grad_z",
    """
    T _c_grad_y[LF_REGISTERS];
    T _c_y[LF_REGISTERS];
    T _t6 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T y = _at.fill(_c_y, _row_y, _j);
        const T _t5 = grad_y * y;
        _t6 = _Sum()(_t6, _t5);
    )
    _t6 = _row_reduce(_t6, _Sum());
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T y = _at.get(_c_y, _row_y, _j);
        const T _t7 = grad_y - _t6;
        const T grad_z = y * _t7;
        _row_grad_z[_j] = grad_z;
    )
    """,
)


def _cupy_backward_softmax_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, y
):
    grad_z = _convolutional_softmax_no_bias_bwd_0(grad_y, y)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


def _cupy_forward_identity_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    return z, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
    )


def _cupy_backward_identity_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns
):
    grad_weight = _cupy_conv_weight_grad(
        grad_y, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_y, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


# convolutional_gelu_no_bias_fwd_0: layers_spec/activations/gelu.yaml:23
_convolutional_gelu_no_bias_fwd_0 = ElementwiseKernel(
    "convolutional_gelu_no_bias_fwd_0",
    "T z",
    "T y",
    """
    T _t2 = T(0.7071067811865476) * z;
    T _t3 = erf(_t2);
    T _t4 = T(0.5) * _t3;
    T _t5 = T(0.5) + _t4;
    y = z * _t5;
    """,
)


def _cupy_forward_gelu_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = _convolutional_gelu_no_bias_fwd_0(z)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


# convolutional_gelu_no_bias_bwd_0: layers_spec/activations/gelu.yaml:23; layers_spec/primitives.yaml:61,62,1973
_convolutional_gelu_no_bias_bwd_0 = ElementwiseKernel(
    "convolutional_gelu_no_bias_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t2 = T(0.7071067811865476) * z;
    T _t3 = erf(_t2);
    T _t4 = T(0.5) * _t3;
    T _t5 = T(0.5) + _t4;
    T _t6 = grad_y * _t5;
    T _t7 = grad_y * z;
    T _t8 = _t7 * T(0.5);
    T _t9 = _t8 * T(1.1283791670955126);
    T _t10 = _t2 * _t2;
    T _t11 = -_t10;
    T _t12 = exp(_t11);
    T _t13 = _t9 * _t12;
    T _t14 = _t13 * T(0.7071067811865476);
    grad_z = _t6 + _t14;
    """,
)


def _cupy_backward_gelu_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    grad_z = _convolutional_gelu_no_bias_bwd_0(z, grad_y)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


# convolutional_elu_no_bias_fwd_0: layers_spec/activations/elu.yaml:10
_convolutional_elu_no_bias_fwd_0 = ElementwiseKernel(
    "convolutional_elu_no_bias_fwd_0",
    "T z, T alpha",
    "T y",
    """
    T _t2 = z > T(0) || z != z ? z : T(0);
    T _t3 = z < T(0) || z != z ? z : T(0);
    T _t4 = expm1(_t3);
    T _t5 = alpha * _t4;
    y = _t2 + _t5;
    """,
    scalars=("alpha",),
)


def _cupy_forward_elu_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode, alpha=1.0
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = _convolutional_elu_no_bias_fwd_0(z, alpha)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        alpha,
        y,
    )


# convolutional_elu_no_bias_bwd_0: layers_spec/activations/elu.yaml:15
_convolutional_elu_no_bias_bwd_0 = ElementwiseKernel(
    "convolutional_elu_no_bias_bwd_0",
    "T y, T alpha, T grad_y, T _t11",
    "T grad_z",
    """
    T _t6 = y < T(0) || y != y ? y : T(0);
    T _t7 = _t6 + alpha;
    T _t8 = grad_y * _t7;
    bool _t9 = y > T(0);
    T _t10 = grad_y * _t9;
    T _t12 = _t10 * _t11;
    grad_z = _t8 + _t12;
    """,
    scalars=("alpha", "_t11"),
)


def _cupy_backward_elu_no_bias(
    grad_y,
    x,
    weight,
    bias,
    stride,
    padding,
    dilation,
    groups,
    padding_mode,
    columns,
    alpha,
    y,
):
    _t11 = 1 - alpha
    grad_z = _convolutional_elu_no_bias_bwd_0(y, alpha, grad_y, _t11)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


# convolutional_mish_no_bias_fwd_0: layers_spec/activations/mish.yaml:12,13,14
_convolutional_mish_no_bias_fwd_0 = ElementwiseKernel(
    "convolutional_mish_no_bias_fwd_0",
    "T z",
    "T y",
    """
    T _t2 = z < T(20) || z != z ? z : T(20);
    T mish_e = exp(_t2);
    T _t3 = mish_e + T(2);
    T mish_n = mish_e * _t3;
    T _t4 = z * mish_n;
    T _t5 = mish_n + T(2);
    y = _t4 / _t5;
    """,
)


def _cupy_forward_mish_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = _convolutional_mish_no_bias_fwd_0(z)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


# convolutional_mish_no_bias_bwd_0: layers_spec/activations/mish.yaml:12,13,17,18
_convolutional_mish_no_bias_bwd_0 = ElementwiseKernel(
    "convolutional_mish_no_bias_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t2 = z < T(20) || z != z ? z : T(20);
    T mish_e = exp(_t2);
    T _t3 = mish_e + T(2);
    T mish_n = mish_e * _t3;
    T _t6 = mish_n + T(2);
    T _t7 = T(1) / _t6;
    T _t8 = mish_n * _t7;
    T _t9 = T(4) * z;
    T _t10 = _t9 * mish_e;
    T _t11 = mish_e + T(1);
    T _t12 = _t10 * _t11;
    T _t13 = _t12 * _t7;
    T _t14 = _t13 * _t7;
    T _t15 = _t8 + _t14;
    grad_z = grad_y * _t15;
    """,
)


def _cupy_backward_mish_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    grad_z = _convolutional_mish_no_bias_bwd_0(z, grad_y)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


# convolutional_swish_no_bias_fwd_0: layers_spec/activations/swish.yaml:8
_convolutional_swish_no_bias_fwd_0 = ElementwiseKernel(
    "convolutional_swish_no_bias_fwd_0",
    "T z",
    "T y",
    """
    T _t2 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    y = z * _t2;
    """,
)


def _cupy_forward_swish_no_bias(
    x, weight, bias, stride, padding, dilation, groups, padding_mode
):
    columns = _cupy_im2col(x, weight, stride, padding, dilation, padding_mode)
    z = _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups)
    y = _convolutional_swish_no_bias_fwd_0(z)
    return y, (
        x,
        weight,
        bias,
        stride,
        padding,
        dilation,
        groups,
        padding_mode,
        columns,
        z,
    )


# convolutional_swish_no_bias_bwd_0: layers_spec/activations/swish.yaml:8; layers_spec/primitives.yaml:61,62,201
_convolutional_swish_no_bias_bwd_0 = ElementwiseKernel(
    "convolutional_swish_no_bias_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t2 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    T _t3 = grad_y * _t2;
    T _t4 = grad_y * z;
    T _t5 = _t4 * _t2;
    T _t6 = T(1) - _t2;
    T _t7 = _t5 * _t6;
    grad_z = _t3 + _t7;
    """,
)


def _cupy_backward_swish_no_bias(
    grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns, z
):
    grad_z = _convolutional_swish_no_bias_bwd_0(z, grad_y)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, dilation, groups
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, dilation, groups, padding_mode
    )
    return grad_x, grad_weight, None


def _cupy_backward_composed(
    grad_y, module, activation_ctx, linear_backward, linear_saved
):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_CUPY_FUSED = {
    ("relu", True): (_cupy_forward_relu, _cupy_backward_relu),
    ("sigmoid", True): (_cupy_forward_sigmoid, _cupy_backward_sigmoid),
    ("tanh", True): (_cupy_forward_tanh, _cupy_backward_tanh),
    ("softmax", True): (_cupy_forward_softmax, _cupy_backward_softmax),
    ("identity", True): (_cupy_forward_identity, _cupy_backward_identity),
    ("gelu", True): (_cupy_forward_gelu, _cupy_backward_gelu),
    ("elu", True): (_cupy_forward_elu, _cupy_backward_elu),
    ("mish", True): (_cupy_forward_mish, _cupy_backward_mish),
    ("swish", True): (_cupy_forward_swish, _cupy_backward_swish),
    ("silu", True): (_cupy_forward_swish, _cupy_backward_swish),
    ("relu", False): (_cupy_forward_relu_no_bias, _cupy_backward_relu_no_bias),
    ("sigmoid", False): (_cupy_forward_sigmoid_no_bias, _cupy_backward_sigmoid_no_bias),
    ("tanh", False): (_cupy_forward_tanh_no_bias, _cupy_backward_tanh_no_bias),
    ("softmax", False): (_cupy_forward_softmax_no_bias, _cupy_backward_softmax_no_bias),
    ("identity", False): (
        _cupy_forward_identity_no_bias,
        _cupy_backward_identity_no_bias,
    ),
    ("gelu", False): (_cupy_forward_gelu_no_bias, _cupy_backward_gelu_no_bias),
    ("elu", False): (_cupy_forward_elu_no_bias, _cupy_backward_elu_no_bias),
    ("mish", False): (_cupy_forward_mish_no_bias, _cupy_backward_mish_no_bias),
    ("swish", False): (_cupy_forward_swish_no_bias, _cupy_backward_swish_no_bias),
    ("silu", False): (_cupy_forward_swish_no_bias, _cupy_backward_swish_no_bias),
}


def _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups):
    """weight [C_out, C / groups, kH, kW] times the columns of x -> [N, C_out, H_out,
    W_out], each group of output channels from its group of input channels.

    Stride 1: image by image (on threads, see in_chunks), on the rows of the padded
    grid, in blocks of rows: the block's column matrix [C * kH * kW, rows * W_p]
    gathered from the shifted slices of its padded input (one per kernel offset), and
    one matrix product with weight, batched over the groups (depthwise, groups = C =
    C_out: one 1 x kH * kW by kH * kW x rows * W_p product per channel). The blocks,
    of equal size, keep the gathered columns within 1.5 MiB, about what a core's L2
    cache holds (1 MiB on the Zen cores measured) so that the product reads them from
    there (2x faster for 4 groups of 8 channels of 64 x 64, smaller blocks paying in
    calls), or, with one output channel per group, within 16 MiB (matrix-vector
    products stream their operand, and gain from long rows instead). Depthwise under
    the numba backend (use_jit): the compiled depthwise_conv of the runtime, one
    GIL-free call per run of images (3x faster on one thread, and the threads' runs
    compute at the same time). Other grouped convolutions (groups > 1, a kernel larger
    than 1 x 1) under the numba backend: the block's columns [C * kH * kW, rows * W_out]
    gathered by the compiled window_columns of the runtime (one GIL-free call, without
    the grid's W_p - W_out extra columns per row), and the product written by np.matmul
    straight into the output: two calls a block instead of eleven, and no padded copy
    of x (see _im2col). 4 groups of 8 channels, 16 x 32 x 64 x 64 float32 by 3 x 3, one
    thread, CPU time (loaded machine): 6.3 ms with _im2col against 9.3.
    Larger strides: one matmul (batched over the groups)."""
    import cupy as cp

    c_out, _, kernel_h, kernel_w = weight.shape
    n, c, h, w = x.shape
    (top, bottom), (left, right) = padding
    if not (n and c and c_out):  # no images or no channels: an empty sum, zeros
        out_h = (h + top + bottom - dilation[0] * (kernel_h - 1) - 1) // stride[0] + 1
        out_w = (w + left + right - dilation[1] * (kernel_w - 1) - 1) // stride[1] + 1
        return cp.zeros((n, c_out, out_h, out_w), dtype=x.dtype)
    if stride[0] == 1 and stride[1] == 1:
        padded_h, padded_w = h + top + bottom, w + left + right
        out_h = padded_h - dilation[0] * (kernel_h - 1)
        out_w = padded_w - dilation[1] * (kernel_w - 1)
        image = c * padded_h * padded_w
        shifts = [
            dilation[0] * u * padded_w + dilation[1] * v
            for u in range(kernel_h)
            for v in range(kernel_w)
        ]
        flat = columns.reshape(-1)
        planes = columns.reshape(columns.shape[0], c, -1)  # [N (+ 1), C, H_p * W_p]
        result = cp.empty((n, c_out, out_h, out_w), dtype=x.dtype)
        matrix = weight.reshape(groups, c_out // groups, -1)
        budget = 1 << 24 if c_out == groups else 3 << 19
        step = max(1, min(out_h, budget // (c * len(shifts) * padded_w * x.itemsize)))
        step = -(
            -out_h // -(-out_h // step)
        )  # blocks of equal size (the last one smaller)
        if c == c_out == groups and use_jit(columns):
            taps = weight.reshape(c, kernel_h, kernel_w)

            def compiled(first, last):
                depthwise_conv(
                    columns, taps, result, first, last, dilation[0], dilation[1]
                )

            in_chunks(compiled, n, x)
            return result
        # (columns that are x itself come from _im2col under numba, even if the backend changed since)
        if (
            groups > 1
            and len(shifts) > 1
            and (use_jit(columns) or columns.shape[0] == n)
        ):
            rows = max(1, min(out_h, budget // (c * len(shifts) * out_w * x.itemsize)))
            rows = -(-out_h // -(-out_h // rows))  # blocks of equal size, as above
            outputs = result.reshape(n, groups, c_out // groups, out_h * out_w)
            corner = (
                (top, left) if columns.shape[0] == n else (0, 0)
            )  # x itself: padding implicit

            def windows(first, last):
                buffer = cp.empty(c * len(shifts) * rows * out_w, dtype=x.dtype)
                for image in range(first, last):
                    for row in range(0, out_h, rows):
                        end = min(row + rows, out_h)
                        block = buffer[: c * len(shifts) * (end - row) * out_w]
                        gathered = block.reshape(
                            c, kernel_h, kernel_w, end - row, out_w
                        )
                        window_columns(
                            columns, gathered, image, row, *corner, *dilation
                        )
                        product = outputs[image, :, :, row * out_w : end * out_w]
                        cp.matmul(
                            matrix,
                            block.reshape(groups, -1, (end - row) * out_w),
                            out=product,
                        )

            in_chunks(windows, n, x)
            return result

        def images(first, last):
            count = last - first
            gathered = cp.empty((count, c, len(shifts), step * padded_w), dtype=x.dtype)
            for row in range(0, out_h, step):
                end = min(row + step, out_h)
                span = (end - row) * padded_w
                if (
                    len(shifts) == 1
                ):  # a 1 x 1 kernel: the rows of the grid are its columns
                    block = planes[
                        first:last, :, None, row * padded_w : row * padded_w + span
                    ]
                else:
                    block = gathered[..., :span]
                    for k, shift in enumerate(shifts):
                        start = first * image + row * padded_w + shift
                        shifted = flat[start : start + count * image].reshape(
                            count, c, -1
                        )
                        block[:, :, k] = shifted[:, :, :span]
                on_grid = cp.matmul(matrix, block.reshape(count, groups, -1, span))
                result[first:last, :, row:end] = on_grid.reshape(
                    count, c_out, end - row, padded_w
                )[..., :out_w]

        in_chunks(images, n, x)
        return result
    size, _, out_h, out_w = columns.shape
    if groups == 1:
        product = weight.reshape(c_out, size) @ columns.reshape(size, n * out_h * out_w)
    else:
        product = cp.matmul(
            weight.reshape(groups, c_out // groups, -1),
            columns.reshape(groups, size // groups, -1),
        )
    return cp.ascontiguousarray(
        product.reshape(c_out, n, out_h, out_w).transpose(1, 0, 2, 3)
    )


def _cupy_conv_input_grad(
    grad, weight, x, stride, padding, dilation, groups, padding_mode
):
    """The gradient of a convolution with respect to x [N, C, H, W]. Stride 1: the
    convolution of grad, zero-padded by dilation * (k - 1) - padding (at least 0) on
    each side, with the kernel flipped in both directions and its channel axes swapped
    within each group (_conv_apply, depthwise where the convolution is), cropped to x's
    pixels. Otherwise image by image (on threads, see in_chunks): one product of the
    transposed kernel [C * kH * kW, C_out] (batched over the groups) with the image's
    gradient [C_out, H_out * W_out], whose [C, H_out, W_out] slab for each kernel offset
    is added onto the strided (padded) pixels that offset read, then cropped (under the
    numba backend, use_jit: the runtime's compiled_conv_input_grad, one buffer of
    products per thread's run of images and the compiled transposed_scatter). A
    padding_mode other than zeros: the gradient on the padded grid, folded back onto
    the pixels each padded one copies (_window_fold)."""
    import cupy as cp

    n, c, h, w = x.shape
    c_out, c_group, kernel_h, kernel_w = weight.shape
    if not (grad.size and x.size):  # no images or no channels: an empty sum, zeros
        return cp.zeros(x.shape, dtype=grad.dtype)
    out_h, out_w = grad.shape[2], grad.shape[3]
    (top, bottom), (left, right) = padding
    if padding_mode != "zeros":
        grid = cp.broadcast_to(
            cp.zeros((), dtype=grad.dtype), (n, c, h + top + bottom, w + left + right)
        )
        on_grid = _cupy_conv_input_grad(
            grad, weight, grid, stride, ((0, 0), (0, 0)), dilation, groups, "zeros"
        )
        return _cupy_window_fold(on_grid, x, padding, padding_mode)
    if stride[0] == 1 and stride[1] == 1:
        reach_h, reach_w = dilation[0] * (kernel_h - 1), dilation[1] * (kernel_w - 1)
        pads = (
            (max(reach_h - top, 0), max(reach_h - bottom, 0)),
            (max(reach_w - left, 0), max(reach_w - right, 0)),
        )
        flipped = weight[:, :, ::-1, ::-1].reshape(
            groups, c_out // groups, c_group, kernel_h, kernel_w
        )
        flipped = cp.ascontiguousarray(flipped.transpose(0, 2, 1, 3, 4)).reshape(
            c, c_out // groups, kernel_h, kernel_w
        )
        padded = _cupy_im2col(grad, flipped, (1, 1), pads, dilation, "zeros")
        full = _cupy_conv_apply(flipped, padded, grad, (1, 1), pads, dilation, groups)
        if full.shape[2:] == (h, w):
            return full
        first_row, first_col = max(top - reach_h, 0), max(left - reach_w, 0)
        return cp.ascontiguousarray(
            full[:, :, first_row : first_row + h, first_col : first_col + w]
        )
    result = cp.empty(x.shape, dtype=grad.dtype)
    if use_jit(grad):
        compiled_conv_input_grad(
            grad, weight, result, groups, stride, dilation, top, left
        )
        return result
    # [G, C / G * kH * kW, C_out / G], a transposed view (BLAS reads it as it is; a strided
    # slice of weight per kernel offset is no BLAS operand, and runs NumPy's slow loop)
    taps = weight.reshape(groups, c_out // groups, -1).transpose(0, 2, 1)

    def images(first, last):
        count = last - first
        spread = cp.matmul(
            taps, grad[first:last].reshape(count, groups, c_out // groups, -1)
        )
        spread = spread.reshape(count, c, kernel_h, kernel_w, out_h, out_w)
        on_grid = cp.zeros(
            (count, c, h + top + bottom, w + left + right), dtype=grad.dtype
        )
        for u in range(kernel_h):
            for v in range(kernel_w):
                first_row, first_col = u * dilation[0], v * dilation[1]
                rows = slice(
                    first_row, first_row + stride[0] * (out_h - 1) + 1, stride[0]
                )
                cols = slice(
                    first_col, first_col + stride[1] * (out_w - 1) + 1, stride[1]
                )
                on_grid[:, :, rows, cols] += spread[:, :, u, v]
        result[first:last] = on_grid[:, :, top : top + h, left : left + w]

    in_chunks(images, n, grad)
    return result


def _cupy_conv_weight_grad(grad, columns, weight, x, stride, padding, dilation, groups):
    """grad [N, C_out, H_out, W_out] times the columns of x, summed over all positions,
    each group of output channels with its group of input channels.
    Stride 1: image by image (on threads, see in_chunks), in the blocks of rows of
    _conv_apply, the block's column matrix gathered as there times grad laid on the
    rows of the padded grid (zeros past W_out). Depthwise (groups = C = C_out): per
    kernel offset, one dot product per channel of its shifted rows, read in place, with
    grad's (no gathered columns: 1.7x faster on 32 channels of 64 x 64); under the
    numba backend (use_jit) the compiled depthwise_weight_grad of the runtime, one
    GIL-free call per run of images. Other grouped convolutions under the numba
    backend: the columns of _conv_apply's compiled path (window_columns) times grad's
    rows as they lie, one product a block (6.3 ms against 8.6 for the case there).
    Otherwise one matmul [K, P] @ [P, C_out] (the faster order for OpenBLAS, with the
    long P axis contiguous in both), batched over the groups, transposed, shaped like
    weight."""
    import cupy as cp

    n, c_out, out_h, out_w = grad.shape
    if not (grad.size and x.size):  # no images or no channels: an empty sum, zeros
        return cp.zeros(weight.shape, dtype=grad.dtype)
    if stride[0] == 1 and stride[1] == 1:
        _, _, kernel_h, kernel_w = weight.shape
        c = x.shape[1]
        (top, bottom), (left, right) = padding
        padded_h, padded_w = x.shape[2] + top + bottom, x.shape[3] + left + right
        image = c * padded_h * padded_w
        shifts = [
            dilation[0] * u * padded_w + dilation[1] * v
            for u in range(kernel_h)
            for v in range(kernel_w)
        ]
        flat = columns.reshape(-1)
        planes = columns.reshape(columns.shape[0], c, -1)  # [N (+ 1), C, H_p * W_p]
        budget = 1 << 24 if c_out == groups else 3 << 19
        step = max(
            1, min(out_h, budget // (c * len(shifts) * padded_w * grad.itemsize))
        )
        step = -(
            -out_h // -(-out_h // step)
        )  # blocks of equal size (the last one smaller)
        if c == c_out == groups and use_jit(grad):

            def compiled(first, last):
                return depthwise_weight_grad(
                    columns,
                    grad,
                    first,
                    last,
                    kernel_h,
                    kernel_w,
                    dilation[0],
                    dilation[1],
                )

            return in_chunks(compiled, n, grad).astype(grad.dtype).reshape(weight.shape)
        # (columns that are x itself come from _im2col under numba, even if the backend changed since)
        grouped = (
            groups > 1 and len(shifts) > 1 and (use_jit(grad) or columns.shape[0] == n)
        )
        if grouped:
            rows = max(
                1, min(out_h, budget // (c * len(shifts) * out_w * grad.itemsize))
            )
            rows = -(-out_h // -(-out_h // rows))  # blocks of equal size, as above
            per_group = grad.reshape(n, groups, c_out // groups, out_h * out_w)
            corner = (
                (top, left) if columns.shape[0] == n else (0, 0)
            )  # x itself: padding implicit

        def windows(first, last):
            buffer = cp.empty(c * len(shifts) * rows * out_w, dtype=grad.dtype)
            total = cp.zeros(
                (groups, c * len(shifts) // groups, c_out // groups), dtype=grad.dtype
            )
            product = cp.empty_like(total)
            for image in range(first, last):
                for row in range(0, out_h, rows):
                    end = min(row + rows, out_h)
                    block = buffer[: c * len(shifts) * (end - row) * out_w]
                    gathered = block.reshape(c, kernel_h, kernel_w, end - row, out_w)
                    window_columns(columns, gathered, image, row, *corner, *dilation)
                    part = per_group[image, :, :, row * out_w : end * out_w].transpose(
                        0, 2, 1
                    )
                    total += cp.matmul(
                        block.reshape(groups, -1, (end - row) * out_w),
                        part,
                        out=product,
                    )
            return total

        def depthwise(first, last):
            count = last - first
            on_grid = cp.zeros((count, c, out_h, padded_w), dtype=grad.dtype)
            on_grid[..., :out_w] = grad[first:last]
            rows = on_grid.reshape(count, c, -1, 1)
            total = cp.zeros((c, len(shifts), 1), dtype=grad.dtype)
            for k, shift in enumerate(shifts):
                start = first * image + shift
                shifted = flat[start : start + count * image].reshape(count, c, -1)
                total[:, k] = cp.matmul(
                    shifted[:, :, None, : out_h * padded_w], rows
                ).sum(axis=0)[:, 0]
            return total

        def images(first, last):
            count = last - first
            gathered = cp.empty(
                (count, c, len(shifts), step * padded_w), dtype=grad.dtype
            )
            on_grid = cp.zeros((count, c_out, step, padded_w), dtype=grad.dtype)
            total = cp.zeros(
                (groups, c * len(shifts) // groups, c_out // groups), dtype=grad.dtype
            )
            for row in range(0, out_h, step):
                end = min(row + step, out_h)
                span = (end - row) * padded_w
                if (
                    len(shifts) == 1
                ):  # a 1 x 1 kernel: the rows of the grid are its columns
                    block = planes[
                        first:last, :, None, row * padded_w : row * padded_w + span
                    ]
                else:
                    block = gathered[..., :span]
                    for k, shift in enumerate(shifts):
                        start = first * image + row * padded_w + shift
                        shifted = flat[start : start + count * image].reshape(
                            count, c, -1
                        )
                        block[:, :, k] = shifted[:, :, :span]
                if out_w == padded_w:  # no positions past W_out: grad is on the grid
                    per_group = grad[first:last, :, row:end].reshape(
                        count, groups, c_out // groups, span
                    )
                else:
                    on_grid[:, :, : end - row, :out_w] = grad[first:last, :, row:end]
                    per_group = on_grid[:, :, : end - row].reshape(
                        count, groups, c_out // groups, span
                    )
                total += cp.matmul(
                    block.reshape(count, groups, -1, span),
                    per_group.transpose(0, 1, 3, 2),
                ).sum(axis=0)
            return total

        total = in_chunks(
            depthwise if c == c_out == groups else windows if grouped else images, n, x
        )
    elif groups == 1:
        per_channel = grad.transpose(1, 0, 2, 3).reshape(c_out, -1)
        total = columns.reshape(columns.shape[0], -1) @ per_channel.T
    else:
        per_channel = grad.transpose(1, 0, 2, 3).reshape(groups, c_out // groups, -1)
        total = cp.matmul(
            columns.reshape(groups, columns.shape[0] // groups, -1),
            per_channel.transpose(0, 2, 1),
        )
    return cp.ascontiguousarray(cp.swapaxes(total, -1, -2)).reshape(weight.shape)


def _cupy_im2col(x, weight, stride, padding, dilation, padding_mode):
    """The windows of x [N, C, H, W] that a weight [C_out, C / groups, kH, kW] sees.

    Stride 1: x padded (with zeros or as ``padding_mode``), [N + 1, C, H_p, W_p] (one
    spare image of zeros at the end). Laid on the padded grid, the row (c, u, v) of
    image i's column matrix is then row c of the flat image shifted by
    dilation_h * u * W_p + dilation_w * v: a slice of the flat array, so the columns are
    never copied out (positions past W_out on the grid, which read into the next row or
    image, are computed and dropped). A 1 x 1 kernel without padding: x itself (its
    columns are x's rows, read in place). A grouped convolution (groups > 1, not
    depthwise, a kernel larger than 1 x 1) with zeros under the numba backend: x itself
    too, its padding implicit (the compiled window_columns reads zeros outside x: no
    padded copy). Larger strides: the columns [C * kH * kW, N, H_out, W_out], one
    strided view and one copy."""
    import cupy as cp

    n, c, h, w = x.shape
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    (top, bottom), (left, right) = padding
    if stride[0] == 1 and stride[1] == 1:
        if kernel_h == kernel_w == 1 and not (top or bottom or left or right):
            return x
        # (conv_apply's compiled grouped path: not depthwise, a kernel larger than 1 x 1)
        grouped = weight.shape[1] < c and not (
            weight.shape[1] == 1 and weight.shape[0] == c
        )
        if (
            grouped
            and kernel_h * kernel_w > 1
            and padding_mode == "zeros"
            and use_jit(x)
        ):
            return x
        padded = cp.zeros((n + 1, c, h + top + bottom, w + left + right), dtype=x.dtype)
        if padding_mode == "zeros":
            padded[:n, :, top : top + h, left : left + w] = x
        else:
            padded[:n] = _cupy_window_pad(x, padding, padding_mode)
        return padded
    if top or bottom or left or right:
        x = _cupy_window_pad(x, padding, padding_mode)
    span_h, span_w = dilation[0] * (kernel_h - 1) + 1, dilation[1] * (kernel_w - 1) + 1
    windows = cp.lib.stride_tricks.sliding_window_view(x, (span_h, span_w), axis=(2, 3))
    windows = windows[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]
    out_h, out_w = windows.shape[2:4]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(
        c * kernel_h * kernel_w, n, out_h, out_w
    )


def _cupy_window_fold(grad, like, padding, padding_mode):
    """The gradient of _window_pad: grad on the padded grid summed back onto the pixels
    of like [N, C, H, W] that each padded pixel copies (one product per axis with the
    0/1 matrix of the copies: exact, each pixel's copies added up)."""
    import cupy as cp

    (top, bottom), (left, right) = padding
    h, w = like.shape[2], like.shape[3]
    if padding_mode == "zeros":
        return cp.ascontiguousarray(grad[:, :, top : top + h, left : left + w])
    mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[padding_mode]
    result = grad
    for axis, size, sides in ((2, h, (top, bottom)), (3, w, (left, right))):
        source = cp.pad(cp.arange(size), sides, mode=mode)
        copies = (source[:, None] == cp.arange(size)[None, :]).astype(grad.dtype)
        result = cp.moveaxis(cp.matmul(cp.moveaxis(result, axis, -1), copies), -1, axis)
    return cp.ascontiguousarray(result)


def _cupy_window_pad(x, padding, padding_mode):
    """x [N, C, H, W] padded by ((top, bottom), (left, right)): with zeros, or with
    PyTorch's reflect, replicate or circular padding (np.pad's reflect, edge, wrap)."""
    import cupy as cp

    widths = ((0, 0), (0, 0), tuple(padding[0]), tuple(padding[1]))
    if padding_mode == "zeros":
        return cp.pad(x, widths)
    return cp.pad(
        x,
        widths,
        mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[
            padding_mode
        ],
    )
