"""Printed IR goldens: the forward statements, the derived backward, and what is saved.

These pin the grad stage's decisions: sigmoid saves its output rather than its input,
Dense+ReLU saves the pre-activation and undoes the bias broadcast with a sum over the batch.
"""

from __future__ import annotations

import re
import textwrap

from harness import catalog, spec
from transpiler.errors import Collector
from transpiler.ir import render_function
from transpiler.pipeline import compile_op


def explain(name: str, variant: int = 0) -> str:
    errors = Collector()
    item = compile_op(spec(name), catalog(), errors)[variant]
    errors.check()
    text = "\n".join([render_function(item.forward), render_function(item.backward), f"saved: {', '.join(item.saved)}"])
    # Rules cite the primitive table; its line numbers move whenever it grows.
    return re.sub(r"primitives\.yaml:\d+", "primitives.yaml", text)


def test_sigmoid_saves_its_output():
    assert explain("sigmoid") == textwrap.dedent("""\
        def _forward(x):
            y = sigmoid(x)  # float[..., F]  sigmoid.yaml:8
            return y
        def _backward(grad_y, y):
            _t1 = mul(grad_y, y)  # float[..., F]  primitives.yaml
            _t2 = sub(1, y)  # float[..., F]  primitives.yaml
            grad_x = mul(_t1, _t2)  # float[..., F]  primitives.yaml
            return grad_x
        saved: y""")


def test_dense_relu_sums_the_bias_gradient_over_the_batch():
    """x has any leading dimensions, so the bias gradient sums over all of them (sum_to, to
    the bias's shape), and the weight gradient takes x and grad_z as matrices of rows."""
    assert explain("dense") == textwrap.dedent("""\
        def _forward_relu(x, weight, bias):
            _t1 = linear(x, weight)  # float[..., out_features]  dense.yaml:17
            z = add(_t1, bias)  # float[..., out_features]  dense.yaml:17
            y = maximum(z, 0)  # float[..., out_features]  relu.yaml:8
            return y
        def _backward_relu(grad_y, x, weight, bias, z):
            _t2 = gt(z, 0)  # bool[..., out_features]  primitives.yaml
            grad_z = mul(grad_y, _t2)  # float[..., out_features]  primitives.yaml
            grad_bias = sum_to(grad_z, bias)  # float[out_features]  dense.yaml:17
            grad_x = linear_backward_input(grad_z, weight)  # float[..., in_features]  primitives.yaml
            grad_weight = linear_weight_grad(grad_z, x)  # float[out_features, in_features]  primitives.yaml
            return grad_x, grad_weight, grad_bias
        saved: x, weight, bias, z""")


def test_dense_without_bias_is_its_own_variant():
    """bias given as None: z is the matrix product alone, and the bias gradient is None."""
    without = [i for i, item in enumerate(compile_op(spec("dense"), catalog(), Collector()))
               if item.forward.name == "_forward_relu_no_bias"]
    assert explain("dense", without[0]) == textwrap.dedent("""\
        def _forward_relu_no_bias(x, weight, bias):
            z = linear(x, weight)  # float[..., out_features]  dense.yaml:17
            y = maximum(z, 0)  # float[..., out_features]  relu.yaml:8
            return y
        def _backward_relu_no_bias(grad_y, x, weight, bias, z):
            _t1 = gt(z, 0)  # bool[..., out_features]  primitives.yaml
            grad_z = mul(grad_y, _t1)  # float[..., out_features]  primitives.yaml
            grad_x = linear_backward_input(grad_z, weight)  # float[..., in_features]  primitives.yaml
            grad_weight = linear_weight_grad(grad_z, x)  # float[out_features, in_features]  primitives.yaml
            return grad_x, grad_weight, None
        saved: x, weight, bias, z""")


def test_gelu_recomputes_cheap_values_instead_of_saving_them():
    assert explain("gelu").endswith("saved: x")


def test_a_fused_activation_recomputes_from_the_saved_pre_activation():
    # z = x @ weight.T + bias is kept (a matrix product away from what is saved); the GELU
    # values computed from z alone are recomputed from it, as in the GELU activation.
    gelu = [i for i, item in enumerate(compile_op(spec("dense"), catalog(), Collector()))
            if item.forward.name == "_forward_gelu"]
    assert explain("dense", gelu[0]).endswith("saved: x, weight, bias, z")  # bias for its shape


def test_rrelu_saves_its_random_slopes():
    # The input (which the caller holds anyway) rather than masks: they are recomputed.
    assert explain("rrelu", 0).endswith("saved: x, slope")
    assert "uniform(lower, upper, x)" in explain("rrelu", 0)


def test_convolution_shapes_follow_the_window_rules():
    """im2col, conv_apply and channels rules give known shapes, so the bias gradient is a
    static sum over (N, H_out, W_out); forward saves the columns for the weight gradient, x
    for the input gradient, which goes to x without a gradient of the columns."""
    assert explain("convolutional", 4) == textwrap.dedent("""\
        def _forward_identity(x, weight, bias, stride, padding, dilation, groups, padding_mode):
            columns = im2col(x, weight, dilation=dilation, padding=padding, padding_mode=padding_mode, stride=stride)  # float[C_in*kH*kW, B, H_out, W_out]  convolutional.yaml:27
            _t1 = conv_apply(weight, columns, x, dilation=dilation, groups=groups, padding=padding, padding_mode=padding_mode, stride=stride)  # float[B, C_out, H_out, W_out]  convolutional.yaml:28
            _t2 = as_channels(bias)  # float[1, C_out, 1, 1]  convolutional.yaml:28
            z = add(_t1, _t2)  # float[B, C_out, H_out, W_out]  convolutional.yaml:28
            return z
        def _backward_identity(grad_y, x, weight, bias, stride, padding, dilation, groups, padding_mode, columns):
            _t3 = sum_axes_keepdims(grad_y, axis=(-4, -2, -1))  # float[1, C_out, 1, 1]  convolutional.yaml:28
            grad_bias = reshape_like(_t3, bias)  # float[C_out]  primitives.yaml
            grad_weight = conv_weight_grad(grad_y, columns, weight, x, dilation=dilation, groups=groups, padding=padding, stride=stride)  # float[C_out, C_group, kH, kW]  primitives.yaml
            grad_x = conv_input_grad(grad_y, weight, x, dilation=dilation, groups=groups, padding=padding, padding_mode=padding_mode, stride=stride)  # float[B, C_in, H, W]  primitives.yaml
            return grad_x, grad_weight, grad_bias
        saved: x, weight, bias, stride, padding, dilation, groups, padding_mode, columns""")


def test_pooling_kind_is_baked_in():
    """``if kind == "average":`` picks one side per variant; no run-time branch remains."""
    assert explain("pooling", 1) == textwrap.dedent("""\
        def _forward_average(x, kernel_size, stride, padding, ceil_mode, count_include_pad):
            y = avg_pool2d(x, ceil_mode=ceil_mode, count_include_pad=count_include_pad, dilation=1, kernel=kernel_size, padding=padding, stride=stride)  # float[B, C, H_out, W_out]  pooling.yaml:22
            return y
        def _backward_average(grad_y, x, kernel_size, stride, padding, ceil_mode, count_include_pad):
            grad_x = avg_pool2d_grad(grad_y, x, ceil_mode=ceil_mode, count_include_pad=count_include_pad, dilation=1, kernel=kernel_size, padding=padding, stride=stride)  # float[B, C, H, W]  primitives.yaml
            return grad_x
        saved: x, kernel_size, stride, padding, ceil_mode, count_include_pad""")
    assert "max_pool2d" not in explain("pooling", 1) and "avg_pool2d" not in explain("pooling", 0)


def test_batch_normalization_state_outputs_take_no_gradient():
    """Buffers get no gradient and the running statistics are outputs without one: backward
    takes grad_y only and returns grad_x, grad_weight, grad_bias."""
    text = explain("batch_normalization", 0)
    assert "def _backward_train(grad_y, weight, count, rstd, normalized):" in text
    assert "return grad_x, grad_weight, grad_bias" in text
    assert "return y, new_running_mean, new_running_var" in text
    evaluation = [i for i, item in enumerate(compile_op(spec("batch_normalization"), catalog(), Collector()))
                  if item.forward.name == "_forward_eval"]
    assert "return y, running_mean, running_var" in explain("batch_normalization", evaluation[0])
