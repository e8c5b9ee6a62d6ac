"""MemoryWrite: What a batch writes to a memory of slots: the values x @ value_weight.T
give the output y = activation(values @ output_weight.T + output_bias) and, weighted by
the softmax over the slots of the query x @ query_weight.T against the memory scaled by
1 / sqrt(memory_features), the update memory_update = attention.T @ values [slots,
memory_features], summed over the batch. Both outputs take gradients; applying the
update (memory + memory_update, or an erase and add) is the caller's. Weights are in
torch.nn.Linear layout.
Generated from layers_spec/layers/memory_write.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_nonempty,
    activation_module,
    check_options,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, RowBlockKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x", "memory")
PARAMETERS = ("query_weight", "value_weight", "output_weight", "output_bias")
OUTPUTS = ("y", "memory_update")


def forward(
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    output_bias,
    *,
    activation="identity",
    activation_options=None,
):
    """MemoryWrite forward pass.

    What a batch writes to a memory of slots: the values x @ value_weight.T give the
    output y = activation(values @ output_weight.T + output_bias) and, weighted by the
    softmax over the slots of the query x @ query_weight.T against the memory scaled by
    1 / sqrt(memory_features), the update memory_update = attention.T @ values [slots,
    memory_features], summed over the batch. Both outputs take gradients; applying the
    update (memory + memory_update, or an erase and add) is the caller's. Weights are in
    torch.nn.Linear layout.

    Args:
        x: float32 or float64 input of shape [B, in_features]. A batch of feature
            vectors.
        memory: float32 or float64 input of shape [slots, memory_features]. The memory,
            one slot per row.
        query_weight: float32 or float64 parameter of shape [memory_features,
            in_features].
        value_weight: float32 or float64 parameter of shape [memory_features,
            in_features].
        output_weight: float32 or float64 parameter of shape [memory_features,
            memory_features].
        output_bias: float32 or float64 parameter of shape [memory_features].
        activation: name of the activation applied to the result, default 'identity';
            identity, relu, sigmoid, tanh, softmax, gelu, silu are fused into
            specialized code, and only these: the slot is not the layer's last step.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        ((y, memory_update), ctx): the outputs and the context that backward needs.
    """
    check_arrays(
        "memory_write",
        {
            "x": x,
            "memory": memory,
            "query_weight": query_weight,
            "value_weight": value_weight,
            "output_weight": output_weight,
            "output_bias": output_bias,
        },
        {
            "x": ("B", "in_features"),
            "memory": ("slots", "memory_features"),
            "query_weight": ("memory_features", "in_features"),
            "value_weight": ("memory_features", "in_features"),
            "output_weight": ("memory_features", "memory_features"),
            "output_bias": ("memory_features",),
        },
    )
    check_nonempty("memory_write", "memory", memory.shape, -1)
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get(activation)
        fixed = _FUSED_FIXED.get(activation, {})
        if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
            options = {k: v for k, v in options.items() if k not in fixed}
            forward_variant, backward_variant = fused
            if options:
                check_options("memory_write", activation, options)
            y, memory_update, saved = forward_variant(
                x,
                memory,
                query_weight,
                value_weight,
                output_weight,
                output_bias,
                **options,
            )
            return (y, memory_update), (
                backward_variant,
                saved,
                (y.dtype, y.shape, memory_update.shape),
                None,
            )
        raise ValueError(
            f"memory_write: activation {activation!r} cannot fill this layer's slot, "
            "which is not its last step (no composition); choose one of "
            f"{', '.join(_CUPY_FUSED)}"
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get(activation)
    fixed = _FUSED_FIXED.get(activation, {})
    if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
        options = {k: v for k, v in options.items() if k not in fixed}
        forward_variant, backward_variant = fused
        if options:
            check_options("memory_write", activation, options)
        y, memory_update, saved = forward_variant(
            x, memory, query_weight, value_weight, output_weight, output_bias, **options
        )
        return (y, memory_update), (
            backward_variant,
            saved,
            (y.dtype, y.shape, memory_update.shape),
            None,
        )
    raise ValueError(
        f"memory_write: activation {activation!r} cannot fill this layer's slot, "
        "which is not its last step (no composition); choose one of "
        f"{', '.join(_FUSED)}"
    )


def backward(grad_y, grad_memory_update, ctx):
    """MemoryWrite backward pass.

    Args:
        grad_y, grad_memory_update: gradient of the loss with respect to y,
            memory_update.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_memory, grad_query_weight, grad_value_weight, grad_output_weight,
            grad_output_bias: gradients with respect to x, memory, query_weight,
            value_weight, output_weight, output_bias, in that order.
    """
    backward_variant, saved = check_context(
        "memory_write",
        __name__,
        ctx,
        {"grad_y": grad_y, "grad_memory_update": grad_memory_update},
    )
    return backward_variant(grad_y, grad_memory_update, *saved)


def _forward_identity(
    x, memory, query_weight, value_weight, output_weight, output_bias
):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1] ** -0.5
    scores = _t1 * _t2
    exponentials = np.subtract(scores, _amax(scores, -1), out=scores)
    np.exp(exponentials, out=exponentials)
    _t3 = _sum(exponentials, -1)
    attention = exponentials / _t3
    _t4 = attention.T
    memory_update = _t4 @ values
    _t5 = _linear(values, output_weight)
    _t5 += output_bias
    return (
        _t5,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t2,
            exponentials,
            _t3,
            _t4,
        ),
    )


def _backward_identity(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t2,
    exponentials,
    _t3,
    _t4,
):
    attention = exponentials / _t3
    grad_output_bias = np.sum(grad_y, axis=0)
    grad_output_weight = _rows(grad_y).T @ _rows(values)
    grad_attention = (grad_memory_update @ values.T).T
    grad_exponentials = grad_attention / _t3 + np.broadcast_to(
        np.sum(-grad_attention * attention / _t3, axis=-1, keepdims=True), _t1.shape
    )
    grad_scores = np.multiply(grad_exponentials, exponentials, out=grad_exponentials)
    _t5 = np.multiply(grad_scores, _t2, out=grad_scores)
    grad_query = _linear_backward_input(_t5, memory)
    grad_memory = _rows(_t5).T @ _rows(query)
    grad_values = (
        _linear_backward_input(grad_y, output_weight) + _t4.T @ grad_memory_update
    )
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _linear_backward_input(grad_values, value_weight) + _linear_backward_input(
        grad_query, query_weight
    )
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


def _forward_relu(x, memory, query_weight, value_weight, output_weight, output_bias):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1] ** -0.5
    scores = _t1 * _t2
    exponentials = np.subtract(scores, _amax(scores, -1), out=scores)
    np.exp(exponentials, out=exponentials)
    _t3 = _sum(exponentials, -1)
    attention = exponentials / _t3
    _t4 = attention.T
    memory_update = _t4 @ values
    _t5 = _linear(values, output_weight)
    _t5 += output_bias
    y = np.clip(_t5, 0, np.inf)
    return (
        y,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t2,
            exponentials,
            _t3,
            _t4,
            _t5,
        ),
    )


def _backward_relu(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t2,
    exponentials,
    _t3,
    _t4,
    _t5,
):
    attention = exponentials / _t3
    _t6 = grad_y * (_t5 > 0)
    grad_output_bias = np.sum(_t6, axis=0)
    grad_output_weight = _rows(_t6).T @ _rows(values)
    grad_attention = (grad_memory_update @ values.T).T
    grad_exponentials = grad_attention / _t3 + np.broadcast_to(
        np.sum(-grad_attention * attention / _t3, axis=-1, keepdims=True), _t1.shape
    )
    grad_scores = np.multiply(grad_exponentials, exponentials, out=grad_exponentials)
    _t7 = np.multiply(grad_scores, _t2, out=grad_scores)
    grad_query = _linear_backward_input(_t7, memory)
    grad_memory = _rows(_t7).T @ _rows(query)
    grad_values = (
        _linear_backward_input(_t6, output_weight) + _t4.T @ grad_memory_update
    )
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _linear_backward_input(grad_values, value_weight) + _linear_backward_input(
        grad_query, query_weight
    )
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


def _forward_sigmoid(x, memory, query_weight, value_weight, output_weight, output_bias):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1] ** -0.5
    scores = _t1 * _t2
    exponentials = np.subtract(scores, _amax(scores, -1), out=scores)
    np.exp(exponentials, out=exponentials)
    _t3 = _sum(exponentials, -1)
    attention = exponentials / _t3
    _t4 = attention.T
    memory_update = _t4 @ values
    y = _sigmoid(_linear(values, output_weight) + output_bias)
    return (
        y,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t2,
            exponentials,
            _t3,
            _t4,
            y,
        ),
    )


def _backward_sigmoid(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t2,
    exponentials,
    _t3,
    _t4,
    y,
):
    attention = exponentials / _t3
    _t5 = 1 - y
    _t5 *= grad_y
    _t5 *= y
    grad_output_bias = np.sum(_t5, axis=0)
    grad_output_weight = _rows(_t5).T @ _rows(values)
    grad_attention = (grad_memory_update @ values.T).T
    grad_exponentials = grad_attention / _t3 + np.broadcast_to(
        np.sum(-grad_attention * attention / _t3, axis=-1, keepdims=True), _t1.shape
    )
    grad_scores = np.multiply(grad_exponentials, exponentials, out=grad_exponentials)
    _t6 = np.multiply(grad_scores, _t2, out=grad_scores)
    grad_query = _linear_backward_input(_t6, memory)
    grad_memory = _rows(_t6).T @ _rows(query)
    grad_values = (
        _linear_backward_input(_t5, output_weight) + _t4.T @ grad_memory_update
    )
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _linear_backward_input(grad_values, value_weight) + _linear_backward_input(
        grad_query, query_weight
    )
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


def _forward_tanh(x, memory, query_weight, value_weight, output_weight, output_bias):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1] ** -0.5
    scores = _t1 * _t2
    exponentials = np.subtract(scores, _amax(scores, -1), out=scores)
    np.exp(exponentials, out=exponentials)
    _t3 = _sum(exponentials, -1)
    attention = exponentials / _t3
    _t4 = attention.T
    memory_update = _t4 @ values
    y = _linear(values, output_weight)
    y += output_bias
    np.tanh(y, out=y)
    return (
        y,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t2,
            exponentials,
            _t3,
            _t4,
            y,
        ),
    )


def _backward_tanh(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t2,
    exponentials,
    _t3,
    _t4,
    y,
):
    attention = exponentials / _t3
    _t5 = y * y
    np.subtract(1, _t5, out=_t5)
    _t5 *= grad_y
    grad_output_bias = np.sum(_t5, axis=0)
    grad_output_weight = _rows(_t5).T @ _rows(values)
    grad_attention = (grad_memory_update @ values.T).T
    grad_exponentials = grad_attention / _t3 + np.broadcast_to(
        np.sum(-grad_attention * attention / _t3, axis=-1, keepdims=True), _t1.shape
    )
    grad_scores = np.multiply(grad_exponentials, exponentials, out=grad_exponentials)
    _t6 = np.multiply(grad_scores, _t2, out=grad_scores)
    grad_query = _linear_backward_input(_t6, memory)
    grad_memory = _rows(_t6).T @ _rows(query)
    grad_values = (
        _linear_backward_input(_t5, output_weight) + _t4.T @ grad_memory_update
    )
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _linear_backward_input(grad_values, value_weight) + _linear_backward_input(
        grad_query, query_weight
    )
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


def _forward_softmax(x, memory, query_weight, value_weight, output_weight, output_bias):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1] ** -0.5
    scores = _t1 * _t2
    exponentials = np.subtract(scores, _amax(scores, -1), out=scores)
    np.exp(exponentials, out=exponentials)
    _t3 = _sum(exponentials, -1)
    attention = exponentials / _t3
    _t4 = attention.T
    memory_update = _t4 @ values
    _t5 = _linear(values, output_weight)
    _t5 += output_bias
    softmax_shifted = np.subtract(_t5, _amax(_t5, -1), out=_t5)
    softmax_exponentials = np.exp(softmax_shifted, out=softmax_shifted)
    y = np.divide(
        softmax_exponentials, _sum(softmax_exponentials, -1), out=softmax_exponentials
    )
    return (
        y,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t2,
            exponentials,
            _t3,
            _t4,
            y,
        ),
    )


def _backward_softmax(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t2,
    exponentials,
    _t3,
    _t4,
    y,
):
    attention = exponentials / _t3
    _t5 = grad_y - _sum(grad_y * y, -1)
    _t5 *= y
    grad_output_bias = np.sum(_t5, axis=0)
    grad_output_weight = _rows(_t5).T @ _rows(values)
    grad_attention = (grad_memory_update @ values.T).T
    grad_exponentials = grad_attention / _t3 + np.broadcast_to(
        np.sum(-grad_attention * attention / _t3, axis=-1, keepdims=True), _t1.shape
    )
    grad_scores = np.multiply(grad_exponentials, exponentials, out=grad_exponentials)
    _t6 = np.multiply(grad_scores, _t2, out=grad_scores)
    grad_query = _linear_backward_input(_t6, memory)
    grad_memory = _rows(_t6).T @ _rows(query)
    grad_values = (
        _linear_backward_input(_t5, output_weight) + _t4.T @ grad_memory_update
    )
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _linear_backward_input(grad_values, value_weight) + _linear_backward_input(
        grad_query, query_weight
    )
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


def _forward_gelu(x, memory, query_weight, value_weight, output_weight, output_bias):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1] ** -0.5
    scores = _t1 * _t2
    exponentials = np.subtract(scores, _amax(scores, -1), out=scores)
    np.exp(exponentials, out=exponentials)
    _t3 = _sum(exponentials, -1)
    attention = exponentials / _t3
    _t4 = attention.T
    memory_update = _t4 @ values
    _t5 = _linear(values, output_weight)
    _t5 += output_bias
    y = _erf(0.7071067811865476 * _t5)
    y *= 0.5
    y += 0.5
    y *= _t5
    return (
        y,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t2,
            exponentials,
            _t3,
            _t4,
            _t5,
        ),
    )


def _backward_gelu(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t2,
    exponentials,
    _t3,
    _t4,
    _t5,
):
    attention = exponentials / _t3
    _t6 = 0.7071067811865476 * _t5
    _t7 = _erf(_t6)
    _t7 *= 0.5
    _t7 += 0.5
    _t7 *= grad_y
    _t8 = _t6 * _t6
    np.negative(_t8, out=_t8)
    np.exp(_t8, out=_t8)
    _t8 *= grad_y
    _t8 *= _t5
    _t8 *= 0.5
    _t8 *= 1.1283791670955126
    _t8 *= 0.7071067811865476
    _t7 += _t8
    grad_output_bias = np.sum(_t7, axis=0)
    grad_output_weight = _rows(_t7).T @ _rows(values)
    grad_attention = (grad_memory_update @ values.T).T
    grad_exponentials = grad_attention / _t3 + np.broadcast_to(
        np.sum(-grad_attention * attention / _t3, axis=-1, keepdims=True), _t1.shape
    )
    grad_scores = np.multiply(grad_exponentials, exponentials, out=grad_exponentials)
    _t9 = np.multiply(grad_scores, _t2, out=grad_scores)
    grad_query = _linear_backward_input(_t9, memory)
    grad_memory = _rows(_t9).T @ _rows(query)
    grad_values = (
        _linear_backward_input(_t7, output_weight) + _t4.T @ grad_memory_update
    )
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _linear_backward_input(grad_values, value_weight) + _linear_backward_input(
        grad_query, query_weight
    )
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


def _forward_silu(x, memory, query_weight, value_weight, output_weight, output_bias):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1] ** -0.5
    scores = _t1 * _t2
    exponentials = np.subtract(scores, _amax(scores, -1), out=scores)
    np.exp(exponentials, out=exponentials)
    _t3 = _sum(exponentials, -1)
    attention = exponentials / _t3
    _t4 = attention.T
    memory_update = _t4 @ values
    _t5 = _linear(values, output_weight)
    _t5 += output_bias
    y = _sigmoid(_t5)
    y *= _t5
    return (
        y,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t2,
            exponentials,
            _t3,
            _t4,
            _t5,
        ),
    )


def _backward_silu(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t2,
    exponentials,
    _t3,
    _t4,
    _t5,
):
    attention = exponentials / _t3
    _t6 = _sigmoid(_t5)
    _t7 = grad_y * _t6
    _t8 = 1 - _t6
    _t8 *= grad_y
    _t8 *= _t5
    _t8 *= _t6
    _t7 += _t8
    grad_output_bias = np.sum(_t7, axis=0)
    grad_output_weight = _rows(_t7).T @ _rows(values)
    grad_attention = (grad_memory_update @ values.T).T
    grad_exponentials = grad_attention / _t3 + np.broadcast_to(
        np.sum(-grad_attention * attention / _t3, axis=-1, keepdims=True), _t1.shape
    )
    grad_scores = np.multiply(grad_exponentials, exponentials, out=grad_exponentials)
    _t9 = np.multiply(grad_scores, _t2, out=grad_scores)
    grad_query = _linear_backward_input(_t9, memory)
    grad_memory = _rows(_t9).T @ _rows(query)
    grad_values = (
        _linear_backward_input(_t7, output_weight) + _t4.T @ grad_memory_update
    )
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _linear_backward_input(grad_values, value_weight) + _linear_backward_input(
        grad_query, query_weight
    )
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


_FUSED = {
    "identity": (_forward_identity, _backward_identity),
    "relu": (_forward_relu, _backward_relu),
    "sigmoid": (_forward_sigmoid, _backward_sigmoid),
    "tanh": (_forward_tanh, _backward_tanh),
    "softmax": (_forward_softmax, _backward_softmax),
    "gelu": (_forward_gelu, _backward_gelu),
    "silu": (_forward_silu, _backward_silu),
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


def _linear(x, weight):
    """x @ weight.T over x's last axis, as one matrix product of its rows: NumPy's
    product of a stack [..., in] calls BLAS once per leading index, several times
    slower for a batch of sequences."""
    if x.ndim <= 2:
        return x @ weight.T
    rows = 1
    for size in x.shape[:-1]:
        rows *= size
    return (x.reshape(rows, x.shape[-1]) @ weight.T).reshape(
        *x.shape[:-1], weight.shape[0]
    )


def _linear_backward_input(a, weight):
    """a @ weight over a's last axis, as one matrix product of its rows (see _linear)."""
    if a.ndim <= 2:
        return a @ weight
    rows = 1
    for size in a.shape[:-1]:
        rows *= size
    return (a.reshape(rows, a.shape[-1]) @ weight).reshape(
        *a.shape[:-1], weight.shape[1]
    )


def _rows(a):
    """``a`` as a matrix of its last axis: its leading axes joined into one (a view when
    ``a`` is contiguous, as a 2-D array always is); the count of rows is spelled out, so
    that an empty last axis keeps them."""
    if a.ndim == 2:
        return a
    rows = 1
    for size in a.shape[:-1]:
        rows *= size
    return a.reshape(rows, a.shape[-1])


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


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# memory_write_identity_fwd_0: layers_spec/layers/memory_write.yaml:26,27,28
_memory_write_identity_fwd_0 = RowBlockKernel(
    "memory_write_identity_fwd_0",
    "row T _t1, scalar T _t3",
    "row T exponentials, per_row T _t7, row T attention",
    """
    T _c__t1[LF_REGISTERS];
    T _t4 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T _t1 = _at.fill(_c__t1, _row__t1, _j);
        const T scores = _t1 * _t3;
        _t4 = _Max()(_t4, scores);
    )
    _t4 = _row_reduce(_t4, _Max());
    const T _t5 = _t4;
    T _t7 = T(0);
    LF_ROW_LOOP(
        const T _t1 = _at.get(_c__t1, _row__t1, _j);
        const T scores = _t1 * _t3;
        const T _t6 = scores - _t5;
        const T exponentials = exp(_t6);
        _t7 = _Sum()(_t7, exponentials);
    )
    _t7 = _row_reduce(_t7, _Sum());
    LF_ROW_LOOP(
        const T _t1 = _at.get(_c__t1, _row__t1, _j);
        const T scores = _t1 * _t3;
        const T _t6 = scores - _t5;
        const T exponentials = exp(_t6);
        const T attention = exponentials / _t7;
        _row_exponentials[_j] = exponentials;
        _row_attention[_j] = attention;
    )
    """,
)


# memory_write_identity_fwd_1: layers_spec/layers/memory_write.yaml:30
_memory_write_identity_fwd_1 = ElementwiseKernel(
    "memory_write_identity_fwd_1",
    "T _t9, T output_bias",
    "T _t10",
    """
    _t10 = _t9 + output_bias;
    """,
)


def _cupy_forward_identity(
    x, memory, query_weight, value_weight, output_weight, output_bias
):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1]
    _t3 = _t2 ** (-0.5)
    exponentials, _t7, attention = _memory_write_identity_fwd_0(_t1, _t3)
    _t8 = attention.T
    memory_update = _t8 @ values
    _t9 = _linear(values, output_weight)
    _t10 = _memory_write_identity_fwd_1(_t9, output_bias)
    return (
        _t10,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t3,
            exponentials,
            _t7,
            _t8,
        ),
    )


# memory_write_identity_bwd_0: layers_spec/layers/memory_write.yaml:28
_memory_write_identity_bwd_0 = ElementwiseKernel(
    "memory_write_identity_bwd_0",
    "T exponentials, T _t7",
    "T attention",
    """
    attention = exponentials / _t7;
    """,
)


# memory_write_identity_bwd_1: layers_spec/primitives.yaml:71,72; layers_spec/layers/memory_write.yaml:28
_memory_write_identity_bwd_1 = RowBlockKernel(
    "memory_write_identity_bwd_1",
    "row T grad_attention, per_row T _t7, row T attention",
    "row T _t19, per_row T _t23",
    """
    T _c_grad_attention[LF_REGISTERS];
    T _t23 = T(0);
    LF_ROW_LOOP(
        const T grad_attention = _at.fill(_c_grad_attention, _row_grad_attention, _j);
        const T attention = _row_attention[_j];
        const T _t20 = -grad_attention;
        const T _t21 = _t20 * attention;
        const T _t22 = _t21 / _t7;
        _t23 = _Sum()(_t23, _t22);
    )
    _t23 = _row_reduce(_t23, _Sum());
    LF_ROW_LOOP(
        const T grad_attention = _at.get(_c_grad_attention, _row_grad_attention, _j);
        const T _t19 = grad_attention / _t7;
        _row__t19[_j] = _t19;
    )
    """,
)


# memory_write_identity_bwd_2: layers_spec/primitives.yaml:355,100,61
_memory_write_identity_bwd_2 = ElementwiseKernel(
    "memory_write_identity_bwd_2",
    "T _t19, T _t24, T exponentials, T _t3",
    "T _t26",
    """
    T grad_exponentials = _t19 + _t24;
    T grad_scores = grad_exponentials * exponentials;
    _t26 = grad_scores * _t3;
    """,
    scalars=("_t3",),
)


# memory_write_identity_bwd_3: layers_spec/primitives.yaml:522
_memory_write_identity_bwd_3 = ElementwiseKernel(
    "memory_write_identity_bwd_3",
    "T _t12, T _t17",
    "T grad_values",
    """
    grad_values = _t12 + _t17;
    """,
)


# memory_write_identity_bwd_4: layers_spec/primitives.yaml:522
_memory_write_identity_bwd_4 = ElementwiseKernel(
    "memory_write_identity_bwd_4",
    "T _t29, T _t31",
    "T grad_x",
    """
    grad_x = _t29 + _t31;
    """,
)


def _cupy_backward_identity(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t3,
    exponentials,
    _t7,
    _t8,
):
    import cupy as cp

    attention = _memory_write_identity_bwd_0(exponentials, _t7)
    grad_output_bias = cp.sum(grad_y, axis=0)
    _t12 = _linear_backward_input(grad_y, output_weight)
    grad_output_weight = _rows(grad_y).T @ _rows(values)
    _t14 = values.T
    _t15 = grad_memory_update @ _t14
    _t16 = _t8.T
    _t17 = _t16 @ grad_memory_update
    grad_attention = _t15.T
    _t19, _t23 = _memory_write_identity_bwd_1(grad_attention, _t7, attention)
    _t24 = cp.broadcast_to(_t23, _t1.shape)
    _t26 = _memory_write_identity_bwd_2(_t19, _t24, exponentials, _t3)
    grad_query = _linear_backward_input(_t26, memory)
    grad_memory = _rows(_t26).T @ _rows(query)
    grad_values = _memory_write_identity_bwd_3(_t12, _t17)
    _t29 = _linear_backward_input(grad_values, value_weight)
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    _t31 = _linear_backward_input(grad_query, query_weight)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _memory_write_identity_bwd_4(_t29, _t31)
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


# memory_write_relu_fwd_1: layers_spec/layers/memory_write.yaml:30; layers_spec/activations/relu.yaml:8
_memory_write_relu_fwd_1 = ElementwiseKernel(
    "memory_write_relu_fwd_1",
    "T _t9, T output_bias",
    "T _t10, T y",
    """
    _t10 = _t9 + output_bias;
    y = _t10 > T(0) || _t10 != _t10 ? _t10 : T(0);
    """,
)


def _cupy_forward_relu(
    x, memory, query_weight, value_weight, output_weight, output_bias
):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1]
    _t3 = _t2 ** (-0.5)
    exponentials, _t7, attention = _memory_write_identity_fwd_0(_t1, _t3)
    _t8 = attention.T
    memory_update = _t8 @ values
    _t9 = _linear(values, output_weight)
    _t10, y = _memory_write_relu_fwd_1(_t9, output_bias)
    return (
        y,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t3,
            exponentials,
            _t7,
            _t8,
            _t10,
        ),
    )


# memory_write_relu_bwd_1: layers_spec/primitives.yaml:252
_memory_write_relu_bwd_1 = ElementwiseKernel(
    "memory_write_relu_bwd_1",
    "T _t10, T grad_y",
    "T _t12",
    """
    bool _t11 = _t10 > T(0);
    _t12 = grad_y * _t11;
    """,
)


# memory_write_relu_bwd_2: layers_spec/primitives.yaml:71,72; layers_spec/layers/memory_write.yaml:28
_memory_write_relu_bwd_2 = RowBlockKernel(
    "memory_write_relu_bwd_2",
    "row T grad_attention, per_row T _t7, row T attention",
    "row T _t21, per_row T _t25",
    """
    T _c_grad_attention[LF_REGISTERS];
    T _t25 = T(0);
    LF_ROW_LOOP(
        const T grad_attention = _at.fill(_c_grad_attention, _row_grad_attention, _j);
        const T attention = _row_attention[_j];
        const T _t22 = -grad_attention;
        const T _t23 = _t22 * attention;
        const T _t24 = _t23 / _t7;
        _t25 = _Sum()(_t25, _t24);
    )
    _t25 = _row_reduce(_t25, _Sum());
    LF_ROW_LOOP(
        const T grad_attention = _at.get(_c_grad_attention, _row_grad_attention, _j);
        const T _t21 = grad_attention / _t7;
        _row__t21[_j] = _t21;
    )
    """,
)


# memory_write_relu_bwd_3: layers_spec/primitives.yaml:355,100,61
_memory_write_relu_bwd_3 = ElementwiseKernel(
    "memory_write_relu_bwd_3",
    "T _t21, T _t26, T exponentials, T _t3",
    "T _t28",
    """
    T grad_exponentials = _t21 + _t26;
    T grad_scores = grad_exponentials * exponentials;
    _t28 = grad_scores * _t3;
    """,
    scalars=("_t3",),
)


# memory_write_relu_bwd_4: layers_spec/primitives.yaml:522
_memory_write_relu_bwd_4 = ElementwiseKernel(
    "memory_write_relu_bwd_4",
    "T _t14, T _t19",
    "T grad_values",
    """
    grad_values = _t14 + _t19;
    """,
)


# memory_write_relu_bwd_5: layers_spec/primitives.yaml:522
_memory_write_relu_bwd_5 = ElementwiseKernel(
    "memory_write_relu_bwd_5",
    "T _t31, T _t33",
    "T grad_x",
    """
    grad_x = _t31 + _t33;
    """,
)


def _cupy_backward_relu(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t3,
    exponentials,
    _t7,
    _t8,
    _t10,
):
    import cupy as cp

    attention = _memory_write_identity_bwd_0(exponentials, _t7)
    _t12 = _memory_write_relu_bwd_1(_t10, grad_y)
    grad_output_bias = cp.sum(_t12, axis=0)
    _t14 = _linear_backward_input(_t12, output_weight)
    grad_output_weight = _rows(_t12).T @ _rows(values)
    _t16 = values.T
    _t17 = grad_memory_update @ _t16
    _t18 = _t8.T
    _t19 = _t18 @ grad_memory_update
    grad_attention = _t17.T
    _t21, _t25 = _memory_write_relu_bwd_2(grad_attention, _t7, attention)
    _t26 = cp.broadcast_to(_t25, _t1.shape)
    _t28 = _memory_write_relu_bwd_3(_t21, _t26, exponentials, _t3)
    grad_query = _linear_backward_input(_t28, memory)
    grad_memory = _rows(_t28).T @ _rows(query)
    grad_values = _memory_write_relu_bwd_4(_t14, _t19)
    _t31 = _linear_backward_input(grad_values, value_weight)
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    _t33 = _linear_backward_input(grad_query, query_weight)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _memory_write_relu_bwd_5(_t31, _t33)
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


# memory_write_sigmoid_fwd_1: layers_spec/layers/memory_write.yaml:30; layers_spec/activations/sigmoid.yaml:8
_memory_write_sigmoid_fwd_1 = ElementwiseKernel(
    "memory_write_sigmoid_fwd_1",
    "T _t9, T output_bias",
    "T y",
    """
    T _t10 = _t9 + output_bias;
    y = exp(_t10 < 0 ? _t10 : T(0)) / (1 + exp(-fabs(_t10)));
    """,
)


def _cupy_forward_sigmoid(
    x, memory, query_weight, value_weight, output_weight, output_bias
):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1]
    _t3 = _t2 ** (-0.5)
    exponentials, _t7, attention = _memory_write_identity_fwd_0(_t1, _t3)
    _t8 = attention.T
    memory_update = _t8 @ values
    _t9 = _linear(values, output_weight)
    y = _memory_write_sigmoid_fwd_1(_t9, output_bias)
    return (
        y,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t3,
            exponentials,
            _t7,
            _t8,
            y,
        ),
    )


# memory_write_sigmoid_bwd_1: layers_spec/primitives.yaml:201
_memory_write_sigmoid_bwd_1 = ElementwiseKernel(
    "memory_write_sigmoid_bwd_1",
    "T grad_y, T y",
    "T _t13",
    """
    T _t11 = grad_y * y;
    T _t12 = T(1) - y;
    _t13 = _t11 * _t12;
    """,
)


# memory_write_sigmoid_bwd_2: layers_spec/primitives.yaml:71,72; layers_spec/layers/memory_write.yaml:28
_memory_write_sigmoid_bwd_2 = RowBlockKernel(
    "memory_write_sigmoid_bwd_2",
    "row T grad_attention, per_row T _t7, row T attention",
    "row T _t22, per_row T _t26",
    """
    T _c_grad_attention[LF_REGISTERS];
    T _t26 = T(0);
    LF_ROW_LOOP(
        const T grad_attention = _at.fill(_c_grad_attention, _row_grad_attention, _j);
        const T attention = _row_attention[_j];
        const T _t23 = -grad_attention;
        const T _t24 = _t23 * attention;
        const T _t25 = _t24 / _t7;
        _t26 = _Sum()(_t26, _t25);
    )
    _t26 = _row_reduce(_t26, _Sum());
    LF_ROW_LOOP(
        const T grad_attention = _at.get(_c_grad_attention, _row_grad_attention, _j);
        const T _t22 = grad_attention / _t7;
        _row__t22[_j] = _t22;
    )
    """,
)


# memory_write_sigmoid_bwd_3: layers_spec/primitives.yaml:355,100,61
_memory_write_sigmoid_bwd_3 = ElementwiseKernel(
    "memory_write_sigmoid_bwd_3",
    "T _t22, T _t27, T exponentials, T _t3",
    "T _t29",
    """
    T grad_exponentials = _t22 + _t27;
    T grad_scores = grad_exponentials * exponentials;
    _t29 = grad_scores * _t3;
    """,
    scalars=("_t3",),
)


# memory_write_sigmoid_bwd_4: layers_spec/primitives.yaml:522
_memory_write_sigmoid_bwd_4 = ElementwiseKernel(
    "memory_write_sigmoid_bwd_4",
    "T _t15, T _t20",
    "T grad_values",
    """
    grad_values = _t15 + _t20;
    """,
)


# memory_write_sigmoid_bwd_5: layers_spec/primitives.yaml:522
_memory_write_sigmoid_bwd_5 = ElementwiseKernel(
    "memory_write_sigmoid_bwd_5",
    "T _t32, T _t34",
    "T grad_x",
    """
    grad_x = _t32 + _t34;
    """,
)


def _cupy_backward_sigmoid(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t3,
    exponentials,
    _t7,
    _t8,
    y,
):
    import cupy as cp

    attention = _memory_write_identity_bwd_0(exponentials, _t7)
    _t13 = _memory_write_sigmoid_bwd_1(grad_y, y)
    grad_output_bias = cp.sum(_t13, axis=0)
    _t15 = _linear_backward_input(_t13, output_weight)
    grad_output_weight = _rows(_t13).T @ _rows(values)
    _t17 = values.T
    _t18 = grad_memory_update @ _t17
    _t19 = _t8.T
    _t20 = _t19 @ grad_memory_update
    grad_attention = _t18.T
    _t22, _t26 = _memory_write_sigmoid_bwd_2(grad_attention, _t7, attention)
    _t27 = cp.broadcast_to(_t26, _t1.shape)
    _t29 = _memory_write_sigmoid_bwd_3(_t22, _t27, exponentials, _t3)
    grad_query = _linear_backward_input(_t29, memory)
    grad_memory = _rows(_t29).T @ _rows(query)
    grad_values = _memory_write_sigmoid_bwd_4(_t15, _t20)
    _t32 = _linear_backward_input(grad_values, value_weight)
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    _t34 = _linear_backward_input(grad_query, query_weight)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _memory_write_sigmoid_bwd_5(_t32, _t34)
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


# memory_write_tanh_fwd_1: layers_spec/layers/memory_write.yaml:30; layers_spec/activations/tanh.yaml:8
_memory_write_tanh_fwd_1 = ElementwiseKernel(
    "memory_write_tanh_fwd_1",
    "T _t9, T output_bias",
    "T y",
    """
    T _t10 = _t9 + output_bias;
    y = tanh(_t10);
    """,
)


def _cupy_forward_tanh(
    x, memory, query_weight, value_weight, output_weight, output_bias
):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1]
    _t3 = _t2 ** (-0.5)
    exponentials, _t7, attention = _memory_write_identity_fwd_0(_t1, _t3)
    _t8 = attention.T
    memory_update = _t8 @ values
    _t9 = _linear(values, output_weight)
    y = _memory_write_tanh_fwd_1(_t9, output_bias)
    return (
        y,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t3,
            exponentials,
            _t7,
            _t8,
            y,
        ),
    )


# memory_write_tanh_bwd_1: layers_spec/primitives.yaml:180
_memory_write_tanh_bwd_1 = ElementwiseKernel(
    "memory_write_tanh_bwd_1",
    "T y, T grad_y",
    "T _t13",
    """
    T _t11 = y * y;
    T _t12 = T(1) - _t11;
    _t13 = grad_y * _t12;
    """,
)


def _cupy_backward_tanh(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t3,
    exponentials,
    _t7,
    _t8,
    y,
):
    import cupy as cp

    attention = _memory_write_identity_bwd_0(exponentials, _t7)
    _t13 = _memory_write_tanh_bwd_1(y, grad_y)
    grad_output_bias = cp.sum(_t13, axis=0)
    _t15 = _linear_backward_input(_t13, output_weight)
    grad_output_weight = _rows(_t13).T @ _rows(values)
    _t17 = values.T
    _t18 = grad_memory_update @ _t17
    _t19 = _t8.T
    _t20 = _t19 @ grad_memory_update
    grad_attention = _t18.T
    _t22, _t26 = _memory_write_sigmoid_bwd_2(grad_attention, _t7, attention)
    _t27 = cp.broadcast_to(_t26, _t1.shape)
    _t29 = _memory_write_sigmoid_bwd_3(_t22, _t27, exponentials, _t3)
    grad_query = _linear_backward_input(_t29, memory)
    grad_memory = _rows(_t29).T @ _rows(query)
    grad_values = _memory_write_sigmoid_bwd_4(_t15, _t20)
    _t32 = _linear_backward_input(grad_values, value_weight)
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    _t34 = _linear_backward_input(grad_query, query_weight)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _memory_write_sigmoid_bwd_5(_t32, _t34)
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


# memory_write_softmax_fwd_1: layers_spec/layers/memory_write.yaml:30; layers_spec/activations/softmax.yaml:10,11,12
_memory_write_softmax_fwd_1 = RowBlockKernel(
    "memory_write_softmax_fwd_1",
    "row T _t9, column T output_bias",
    "row T y",
    """
    T _c__t9[LF_REGISTERS];
    T _t11 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T _t9 = _at.fill(_c__t9, _row__t9, _j);
        const T output_bias = _p_output_bias[_j];
        const T _t10 = _t9 + output_bias;
        _t11 = _Max()(_t11, _t10);
    )
    _t11 = _row_reduce(_t11, _Max());
    const T _t12 = _t11;
    T _t13 = T(0);
    LF_ROW_LOOP(
        const T _t9 = _at.get(_c__t9, _row__t9, _j);
        const T output_bias = _p_output_bias[_j];
        const T _t10 = _t9 + output_bias;
        const T softmax_shifted = _t10 - _t12;
        const T softmax_exponentials = exp(softmax_shifted);
        _t13 = _Sum()(_t13, softmax_exponentials);
    )
    _t13 = _row_reduce(_t13, _Sum());
    LF_ROW_LOOP(
        const T _t9 = _at.get(_c__t9, _row__t9, _j);
        const T output_bias = _p_output_bias[_j];
        const T _t10 = _t9 + output_bias;
        const T softmax_shifted = _t10 - _t12;
        const T softmax_exponentials = exp(softmax_shifted);
        const T y = softmax_exponentials / _t13;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_softmax(
    x, memory, query_weight, value_weight, output_weight, output_bias
):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1]
    _t3 = _t2 ** (-0.5)
    exponentials, _t7, attention = _memory_write_identity_fwd_0(_t1, _t3)
    _t8 = attention.T
    memory_update = _t8 @ values
    _t9 = _linear(values, output_weight)
    y = _memory_write_softmax_fwd_1(_t9, output_bias)
    return (
        y,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t3,
            exponentials,
            _t7,
            _t8,
            y,
        ),
    )


# memory_write_softmax_bwd_1: layers_spec/activations/softmax.yaml:14
_memory_write_softmax_bwd_1 = RowBlockKernel(
    "memory_write_softmax_bwd_1",
    "row T grad_y, row T y",
    "row T _t17",
    """
    T _c_grad_y[LF_REGISTERS];
    T _c_y[LF_REGISTERS];
    T _t15 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T y = _at.fill(_c_y, _row_y, _j);
        const T _t14 = grad_y * y;
        _t15 = _Sum()(_t15, _t14);
    )
    _t15 = _row_reduce(_t15, _Sum());
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T y = _at.get(_c_y, _row_y, _j);
        const T _t16 = grad_y - _t15;
        const T _t17 = y * _t16;
        _row__t17[_j] = _t17;
    )
    """,
)


# memory_write_softmax_bwd_2: layers_spec/primitives.yaml:71,72; layers_spec/layers/memory_write.yaml:28
_memory_write_softmax_bwd_2 = RowBlockKernel(
    "memory_write_softmax_bwd_2",
    "row T grad_attention, per_row T _t7, row T attention",
    "row T _t26, per_row T _t30",
    """
    T _c_grad_attention[LF_REGISTERS];
    T _t30 = T(0);
    LF_ROW_LOOP(
        const T grad_attention = _at.fill(_c_grad_attention, _row_grad_attention, _j);
        const T attention = _row_attention[_j];
        const T _t27 = -grad_attention;
        const T _t28 = _t27 * attention;
        const T _t29 = _t28 / _t7;
        _t30 = _Sum()(_t30, _t29);
    )
    _t30 = _row_reduce(_t30, _Sum());
    LF_ROW_LOOP(
        const T grad_attention = _at.get(_c_grad_attention, _row_grad_attention, _j);
        const T _t26 = grad_attention / _t7;
        _row__t26[_j] = _t26;
    )
    """,
)


# memory_write_softmax_bwd_3: layers_spec/primitives.yaml:355,100,61
_memory_write_softmax_bwd_3 = ElementwiseKernel(
    "memory_write_softmax_bwd_3",
    "T _t26, T _t31, T exponentials, T _t3",
    "T _t33",
    """
    T grad_exponentials = _t26 + _t31;
    T grad_scores = grad_exponentials * exponentials;
    _t33 = grad_scores * _t3;
    """,
    scalars=("_t3",),
)


# memory_write_softmax_bwd_4: layers_spec/primitives.yaml:522
_memory_write_softmax_bwd_4 = ElementwiseKernel(
    "memory_write_softmax_bwd_4",
    "T _t19, T _t24",
    "T grad_values",
    """
    grad_values = _t19 + _t24;
    """,
)


# memory_write_softmax_bwd_5: layers_spec/primitives.yaml:522
_memory_write_softmax_bwd_5 = ElementwiseKernel(
    "memory_write_softmax_bwd_5",
    "T _t36, T _t38",
    "T grad_x",
    """
    grad_x = _t36 + _t38;
    """,
)


def _cupy_backward_softmax(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t3,
    exponentials,
    _t7,
    _t8,
    y,
):
    import cupy as cp

    attention = _memory_write_identity_bwd_0(exponentials, _t7)
    _t17 = _memory_write_softmax_bwd_1(grad_y, y)
    grad_output_bias = cp.sum(_t17, axis=0)
    _t19 = _linear_backward_input(_t17, output_weight)
    grad_output_weight = _rows(_t17).T @ _rows(values)
    _t21 = values.T
    _t22 = grad_memory_update @ _t21
    _t23 = _t8.T
    _t24 = _t23 @ grad_memory_update
    grad_attention = _t22.T
    _t26, _t30 = _memory_write_softmax_bwd_2(grad_attention, _t7, attention)
    _t31 = cp.broadcast_to(_t30, _t1.shape)
    _t33 = _memory_write_softmax_bwd_3(_t26, _t31, exponentials, _t3)
    grad_query = _linear_backward_input(_t33, memory)
    grad_memory = _rows(_t33).T @ _rows(query)
    grad_values = _memory_write_softmax_bwd_4(_t19, _t24)
    _t36 = _linear_backward_input(grad_values, value_weight)
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    _t38 = _linear_backward_input(grad_query, query_weight)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _memory_write_softmax_bwd_5(_t36, _t38)
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


# memory_write_gelu_fwd_1: layers_spec/layers/memory_write.yaml:30; layers_spec/activations/gelu.yaml:23
_memory_write_gelu_fwd_1 = ElementwiseKernel(
    "memory_write_gelu_fwd_1",
    "T _t9, T output_bias",
    "T _t10, T y",
    """
    _t10 = _t9 + output_bias;
    T _t11 = T(0.7071067811865476) * _t10;
    T _t12 = erf(_t11);
    T _t13 = T(0.5) * _t12;
    T _t14 = T(0.5) + _t13;
    y = _t10 * _t14;
    """,
)


def _cupy_forward_gelu(
    x, memory, query_weight, value_weight, output_weight, output_bias
):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1]
    _t3 = _t2 ** (-0.5)
    exponentials, _t7, attention = _memory_write_identity_fwd_0(_t1, _t3)
    _t8 = attention.T
    memory_update = _t8 @ values
    _t9 = _linear(values, output_weight)
    _t10, y = _memory_write_gelu_fwd_1(_t9, output_bias)
    return (
        y,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t3,
            exponentials,
            _t7,
            _t8,
            _t10,
        ),
    )


# memory_write_gelu_bwd_1: layers_spec/activations/gelu.yaml:23; layers_spec/primitives.yaml:61,62,1973
_memory_write_gelu_bwd_1 = ElementwiseKernel(
    "memory_write_gelu_bwd_1",
    "T _t10, T grad_y",
    "T _t24",
    """
    T _t11 = T(0.7071067811865476) * _t10;
    T _t12 = erf(_t11);
    T _t13 = T(0.5) * _t12;
    T _t14 = T(0.5) + _t13;
    T _t15 = grad_y * _t14;
    T _t16 = grad_y * _t10;
    T _t17 = _t16 * T(0.5);
    T _t18 = _t17 * T(1.1283791670955126);
    T _t19 = _t11 * _t11;
    T _t20 = -_t19;
    T _t21 = exp(_t20);
    T _t22 = _t18 * _t21;
    T _t23 = _t22 * T(0.7071067811865476);
    _t24 = _t15 + _t23;
    """,
)


# memory_write_gelu_bwd_2: layers_spec/primitives.yaml:71,72; layers_spec/layers/memory_write.yaml:28
_memory_write_gelu_bwd_2 = RowBlockKernel(
    "memory_write_gelu_bwd_2",
    "row T grad_attention, per_row T _t7, row T attention",
    "row T _t33, per_row T _t37",
    """
    T _c_grad_attention[LF_REGISTERS];
    T _t37 = T(0);
    LF_ROW_LOOP(
        const T grad_attention = _at.fill(_c_grad_attention, _row_grad_attention, _j);
        const T attention = _row_attention[_j];
        const T _t34 = -grad_attention;
        const T _t35 = _t34 * attention;
        const T _t36 = _t35 / _t7;
        _t37 = _Sum()(_t37, _t36);
    )
    _t37 = _row_reduce(_t37, _Sum());
    LF_ROW_LOOP(
        const T grad_attention = _at.get(_c_grad_attention, _row_grad_attention, _j);
        const T _t33 = grad_attention / _t7;
        _row__t33[_j] = _t33;
    )
    """,
)


# memory_write_gelu_bwd_3: layers_spec/primitives.yaml:355,100,61
_memory_write_gelu_bwd_3 = ElementwiseKernel(
    "memory_write_gelu_bwd_3",
    "T _t33, T _t38, T exponentials, T _t3",
    "T _t40",
    """
    T grad_exponentials = _t33 + _t38;
    T grad_scores = grad_exponentials * exponentials;
    _t40 = grad_scores * _t3;
    """,
    scalars=("_t3",),
)


# memory_write_gelu_bwd_4: layers_spec/primitives.yaml:522
_memory_write_gelu_bwd_4 = ElementwiseKernel(
    "memory_write_gelu_bwd_4",
    "T _t26, T _t31",
    "T grad_values",
    """
    grad_values = _t26 + _t31;
    """,
)


# memory_write_gelu_bwd_5: layers_spec/primitives.yaml:522
_memory_write_gelu_bwd_5 = ElementwiseKernel(
    "memory_write_gelu_bwd_5",
    "T _t43, T _t45",
    "T grad_x",
    """
    grad_x = _t43 + _t45;
    """,
)


def _cupy_backward_gelu(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t3,
    exponentials,
    _t7,
    _t8,
    _t10,
):
    import cupy as cp

    attention = _memory_write_identity_bwd_0(exponentials, _t7)
    _t24 = _memory_write_gelu_bwd_1(_t10, grad_y)
    grad_output_bias = cp.sum(_t24, axis=0)
    _t26 = _linear_backward_input(_t24, output_weight)
    grad_output_weight = _rows(_t24).T @ _rows(values)
    _t28 = values.T
    _t29 = grad_memory_update @ _t28
    _t30 = _t8.T
    _t31 = _t30 @ grad_memory_update
    grad_attention = _t29.T
    _t33, _t37 = _memory_write_gelu_bwd_2(grad_attention, _t7, attention)
    _t38 = cp.broadcast_to(_t37, _t1.shape)
    _t40 = _memory_write_gelu_bwd_3(_t33, _t38, exponentials, _t3)
    grad_query = _linear_backward_input(_t40, memory)
    grad_memory = _rows(_t40).T @ _rows(query)
    grad_values = _memory_write_gelu_bwd_4(_t26, _t31)
    _t43 = _linear_backward_input(grad_values, value_weight)
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    _t45 = _linear_backward_input(grad_query, query_weight)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _memory_write_gelu_bwd_5(_t43, _t45)
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


# memory_write_silu_fwd_1: layers_spec/layers/memory_write.yaml:30; layers_spec/activations/silu.yaml:8
_memory_write_silu_fwd_1 = ElementwiseKernel(
    "memory_write_silu_fwd_1",
    "T _t9, T output_bias",
    "T _t10, T y",
    """
    _t10 = _t9 + output_bias;
    T _t11 = exp(_t10 < 0 ? _t10 : T(0)) / (1 + exp(-fabs(_t10)));
    y = _t10 * _t11;
    """,
)


def _cupy_forward_silu(
    x, memory, query_weight, value_weight, output_weight, output_bias
):
    query = _linear(x, query_weight)
    values = _linear(x, value_weight)
    _t1 = _linear(query, memory)
    _t2 = memory.shape[-1]
    _t3 = _t2 ** (-0.5)
    exponentials, _t7, attention = _memory_write_identity_fwd_0(_t1, _t3)
    _t8 = attention.T
    memory_update = _t8 @ values
    _t9 = _linear(values, output_weight)
    _t10, y = _memory_write_silu_fwd_1(_t9, output_bias)
    return (
        y,
        memory_update,
        (
            x,
            memory,
            query_weight,
            value_weight,
            output_weight,
            query,
            values,
            _t1,
            _t3,
            exponentials,
            _t7,
            _t8,
            _t10,
        ),
    )


# memory_write_silu_bwd_1: layers_spec/activations/silu.yaml:8; layers_spec/primitives.yaml:61,62,201
_memory_write_silu_bwd_1 = ElementwiseKernel(
    "memory_write_silu_bwd_1",
    "T _t10, T grad_y",
    "T _t17",
    """
    T _t11 = exp(_t10 < 0 ? _t10 : T(0)) / (1 + exp(-fabs(_t10)));
    T _t12 = grad_y * _t11;
    T _t13 = grad_y * _t10;
    T _t14 = _t13 * _t11;
    T _t15 = T(1) - _t11;
    T _t16 = _t14 * _t15;
    _t17 = _t12 + _t16;
    """,
)


def _cupy_backward_silu(
    grad_y,
    grad_memory_update,
    x,
    memory,
    query_weight,
    value_weight,
    output_weight,
    query,
    values,
    _t1,
    _t3,
    exponentials,
    _t7,
    _t8,
    _t10,
):
    import cupy as cp

    attention = _memory_write_identity_bwd_0(exponentials, _t7)
    _t17 = _memory_write_silu_bwd_1(_t10, grad_y)
    grad_output_bias = cp.sum(_t17, axis=0)
    _t19 = _linear_backward_input(_t17, output_weight)
    grad_output_weight = _rows(_t17).T @ _rows(values)
    _t21 = values.T
    _t22 = grad_memory_update @ _t21
    _t23 = _t8.T
    _t24 = _t23 @ grad_memory_update
    grad_attention = _t22.T
    _t26, _t30 = _memory_write_softmax_bwd_2(grad_attention, _t7, attention)
    _t31 = cp.broadcast_to(_t30, _t1.shape)
    _t33 = _memory_write_softmax_bwd_3(_t26, _t31, exponentials, _t3)
    grad_query = _linear_backward_input(_t33, memory)
    grad_memory = _rows(_t33).T @ _rows(query)
    grad_values = _memory_write_softmax_bwd_4(_t19, _t24)
    _t36 = _linear_backward_input(grad_values, value_weight)
    grad_value_weight = _rows(grad_values).T @ _rows(x)
    _t38 = _linear_backward_input(grad_query, query_weight)
    grad_query_weight = _rows(grad_query).T @ _rows(x)
    grad_x = _memory_write_softmax_bwd_5(_t36, _t38)
    return (
        grad_x,
        grad_memory,
        grad_query_weight,
        grad_value_weight,
        grad_output_weight,
        grad_output_bias,
    )


_CUPY_FUSED = {
    "identity": (_cupy_forward_identity, _cupy_backward_identity),
    "relu": (_cupy_forward_relu, _cupy_backward_relu),
    "sigmoid": (_cupy_forward_sigmoid, _cupy_backward_sigmoid),
    "tanh": (_cupy_forward_tanh, _cupy_backward_tanh),
    "softmax": (_cupy_forward_softmax, _cupy_backward_softmax),
    "gelu": (_cupy_forward_gelu, _cupy_backward_gelu),
    "silu": (_cupy_forward_silu, _cupy_backward_silu),
}
