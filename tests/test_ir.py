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
    assert explain("dense") == textwrap.dedent("""\
        def _forward_relu(x, weight, bias):
            _t1 = linear(x, weight)  # float[B, out_features]  dense.yaml:16
            z = add(_t1, bias)  # float[B, out_features]  dense.yaml:16
            y = maximum(z, 0)  # float[B, out_features]  relu.yaml:8
            return y
        def _backward_relu(grad_y, x, weight, z):
            _t2 = gt(z, 0)  # bool[B, out_features]  primitives.yaml
            grad_z = mul(grad_y, _t2)  # float[B, out_features]  primitives.yaml
            grad_bias = sum_axes(grad_z, axis=0)  # float[out_features]  dense.yaml:16
            grad_x = matmul(grad_z, weight)  # float[B, in_features]  primitives.yaml
            grad_weight = linear_weight_grad(grad_z, x)  # float[out_features, in_features]  primitives.yaml
            return grad_x, grad_weight, grad_bias
        saved: x, weight, z""")


def test_gelu_recomputes_cheap_values_instead_of_saving_them():
    assert explain("gelu").endswith("saved: x")


def test_rrelu_saves_its_random_slopes_and_a_mask():
    assert explain("rrelu", 0).endswith("saved: slope, _t1")
    assert "uniform(lower, upper, x)" in explain("rrelu", 0)
