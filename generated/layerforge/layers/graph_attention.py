"""GraphAttention: Graph attention (GAT) over a dense adjacency matrix, as PyTorch
Geometric's GATConv(in_channels, out_channels, heads, concat=False, negative_slope,
add_self_loops=False, dropout): per head, h = x @ lin_weight[head].T, e_ij =
leaky_relu(att_dst . h_i + att_src . h_j) for every edge j -> i (adjacency[i, j] != 0),
alpha_ij = softmax over the neighbours j of node i (a node without neighbours gets
zeros, not NaN), out_i = sum_j alpha_ij h_j; the heads are averaged and bias added. In
training with dropout > 0 the coefficients alpha_ij are dropped (kept with probability 1
- dropout, scaled by 1 / (1 - dropout)), the mask drawn from rng and kept for backward.
The adjacency only says which edges exist (its values are not weights) and takes no
gradient.
Generated from layers_spec/layers/graph_attention.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_nonempty,
    activation_module,
    check_options,
    in_row_blocks,
    blas_on_one_thread,
    in_chunks,
    in_row_products,
)
from layerforge._cupy_runtime import (
    ElementwiseKernel,
    RowBlockKernel,
    RowKernel,
    on_gpu,
    default_gpu_rng,
)

__all__ = ["forward", "backward"]

INPUTS = ("x", "adjacency")
PARAMETERS = ("lin_weight", "att_src", "att_dst", "bias")
OUTPUTS = ("y",)


def forward(
    x,
    adjacency,
    lin_weight,
    att_src,
    att_dst,
    bias=None,
    *,
    negative_slope=0.2,
    dropout=0.0,
    training=True,
    activation="identity",
    activation_options=None,
    rng=None,
):
    """GraphAttention forward pass.

    Graph attention (GAT) over a dense adjacency matrix, as PyTorch Geometric's
    GATConv(in_channels, out_channels, heads, concat=False, negative_slope,
    add_self_loops=False, dropout): per head, h = x @ lin_weight[head].T, e_ij =
    leaky_relu(att_dst . h_i + att_src . h_j) for every edge j -> i (adjacency[i, j] !=
    0), alpha_ij = softmax over the neighbours j of node i (a node without neighbours
    gets zeros, not NaN), out_i = sum_j alpha_ij h_j; the heads are averaged and bias
    added. In training with dropout > 0 the coefficients alpha_ij are dropped (kept with
    probability 1 - dropout, scaled by 1 / (1 - dropout)), the mask drawn from rng and
    kept for backward. The adjacency only says which edges exist (its values are not
    weights) and takes no gradient.

    Args:
        x: float32 or float64 input of shape [..., N, in_channels]. Node features
            [batch, nodes, in_channels].
        adjacency: float32 or float64 (no gradient) input of shape [..., N, N]. Nonzero
            where node i receives from node j (PyG's edge j -> i, edge_index [[j],
            [i]]); no gradient.
        lin_weight: float32 or float64 parameter of shape [heads, out_channels,
            in_channels]. The per-head projections: PyG's lin.weight [heads *
            out_channels, in_channels] reshaped (a view).
        att_src: float32 or float64 parameter of shape [1, heads, out_channels]. PyG's
            att_src: the score of the neighbour j (the edge's source).
        att_dst: float32 or float64 parameter of shape [1, heads, out_channels]. PyG's
            att_dst: the score of the receiving node i (the edge's target).
        bias: float32 or float64 parameter of shape [out_channels]. Added after the mean
            over the heads (0 at first, as PyG's); None for a layer without bias.
        negative_slope: float, default 0.2. The slope of the leaky ReLU of the scores
            for negative values.
        dropout: float, default 0.0. The probability of zeroing an attention coefficient
            alpha_ij in training (PyG's dropout); the kept ones are scaled by 1 / (1 -
            dropout).
        training: bool, default True. Drop attention coefficients if true and dropout >
            0; with dropout 0, or in inference, no dropout work is done.
        activation: name of the activation applied to the result, default 'identity';
            identity, relu are fused into specialized code, any other activation of
            layerforge.activations is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.
        rng: a numpy.random.Generator (or CuPy's) for the random draws; a fresh one if
            None.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "graph_attention",
        {
            "x": x,
            "adjacency": adjacency,
            "lin_weight": lin_weight,
            "att_src": att_src,
            "att_dst": att_dst,
            "bias": bias,
        },
        {
            "x": ("...", "N", "in_channels"),
            "adjacency": ("...", "N", "N"),
            "lin_weight": ("heads", "out_channels", "in_channels"),
            "att_src": (1, "heads", "out_channels"),
            "att_dst": (1, "heads", "out_channels"),
            "bias": ("out_channels",),
        },
        optional=("bias",),
    )
    check_attribute(
        "graph_attention", "negative_slope", negative_slope, "float", minimum=0
    )
    check_attribute(
        "graph_attention", "dropout", dropout, "float", minimum=0.0, maximum=1.0
    )
    check_attribute("graph_attention", "training", training, "bool")
    check_nonempty("graph_attention", "lin_weight", lin_weight.shape, 0)
    if on_gpu(x):
        if rng is None:
            rng = default_gpu_rng()
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get(
            (activation, training and dropout != 0, bias is not None)
        )
        if fused is not None:
            forward_variant, backward_variant = fused
            if options:
                check_options("graph_attention", activation, options)
            y, saved = forward_variant(
                rng,
                x,
                adjacency,
                lin_weight,
                att_src,
                att_dst,
                bias,
                negative_slope,
                dropout,
                **options,
            )
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("graph_attention", activation)
        if options:
            check_options("graph_attention", activation, options)
        linear_forward, linear_backward = _CUPY_FUSED[
            "identity", training and dropout != 0, bias is not None
        ]
        y_linear, linear_saved = linear_forward(
            rng,
            x,
            adjacency,
            lin_weight,
            att_src,
            att_dst,
            bias,
            negative_slope,
            dropout,
        )
        y, activation_ctx = module.forward(y_linear, **options)
        return y, (
            _cupy_backward_composed,
            (module, activation_ctx, linear_backward, linear_saved),
            (y.dtype, y.shape),
            None,
        )
    if rng is None:
        rng = np.random.default_rng()
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get((activation, training and dropout != 0, bias is not None))
    if fused is not None:
        forward_variant, backward_variant = fused
        if options:
            check_options("graph_attention", activation, options)
        y, saved = forward_variant(
            rng,
            x,
            adjacency,
            lin_weight,
            att_src,
            att_dst,
            bias,
            negative_slope,
            dropout,
            **options,
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("graph_attention", activation)
    if options:
        check_options("graph_attention", activation, options)
    linear_forward, linear_backward = _FUSED[
        "identity", training and dropout != 0, bias is not None
    ]
    y_linear, linear_saved = linear_forward(
        rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
    )
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_backward, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """GraphAttention backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_lin_weight, grad_att_src, grad_att_dst, grad_bias: gradients with
            respect to x, lin_weight, att_src, att_dst, bias, in that order.
    """
    backward_variant, saved = check_context(
        "graph_attention", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_train_identity_part1(h, _t1, _t2, negative_slope, adjacency):
    source = _bmm(h, _t1)
    target = _bmm(h, _t2)
    scores = target + np.swapaxes(source, -1, -2)
    _t3 = scores > 0
    leaky = np.where(_t3, scores, scores * negative_slope)
    masked = _apply_mask(leaky, np.expand_dims(adjacency == 0, -3))
    weights = _masked_softmax(masked)
    return scores, _t3, weights


@blas_on_one_thread
def _forward_train_identity(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    _t2 = _permute(att_dst, (-2, -1, -3))
    scores, _t3, weights = in_row_blocks(
        _forward_train_identity_part1,
        h,
        _t1,
        _t2,
        negative_slope,
        adjacency,
        named=(3, None, None, None, 2),
    )
    _t4 = _dropout_mask(rng, scores, dropout)
    kept = weights * _t4
    heads_out = _bmm(kept, h)
    _t5 = _mean(heads_out, -3)
    z = np.squeeze(_t5, axis=-3) + bias
    return z, (x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4, _t5)


def _backward_train_identity_part1(
    _t1, h, kept, _t2, weights, _t3, negative_slope, _t4, _t5
):
    grad_heads_out = np.broadcast_to(_t1, h.shape) / h.shape[-3]
    _t6 = np.swapaxes(h, -1, -2)
    grad_kept = _bmm(grad_heads_out, _t6)
    _t7 = _bmm(np.swapaxes(kept, -1, -2), grad_heads_out)
    grad_weights = np.multiply(grad_kept, _t2, out=grad_kept)
    grad_masked = np.subtract(
        grad_weights, _dot_last(grad_weights, weights), out=grad_weights
    )
    grad_masked *= weights
    grad_scores = grad_masked * _t3
    _t8 = grad_masked * ~_t3
    _t8 *= negative_slope
    grad_scores += _t8
    grad_target = np.sum(grad_scores, axis=-1, keepdims=True)
    grad_source = np.swapaxes(np.sum(grad_scores, axis=-2, keepdims=True), -1, -2)
    _t9 = _bmm(grad_target, _t4)
    _t10 = _sum_to(_bmm(_t6, grad_target), _t5.shape)
    return _t7, grad_source, _t9, _t10


@blas_on_one_thread
def _backward_train_identity(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4, _t5
):
    kept = weights * _t4
    grad_bias = _sum_to(grad_y, bias.shape)
    _t6 = grad_y.reshape(_t5.shape)
    _t7 = np.swapaxes(_t2, -1, -2)
    _t8, grad_source, _t9, _t10 = in_row_blocks(
        _backward_train_identity_part1,
        _t6,
        h,
        kept,
        _t4,
        weights,
        _t3,
        negative_slope,
        _t7,
        _t1,
        sums=1,
        named=(3, 3, 3, 3, 3, 3, None, None, None),
    )
    grad_att_dst = _unpermute(_t10, (-2, -1, -3))
    grad_att_src = _unpermute(
        _sum_to(_bmm(np.swapaxes(h, -1, -2), grad_source), _t1.shape), (-2, -1, -3)
    )
    grad_h = _t8 + _t9 + _bmm(grad_source, np.swapaxes(_t1, -1, -2))
    _t11 = _merge_heads(grad_h, lin_weight.shape[0])
    grad_x = _linear_heads_input_grad(_t11, lin_weight)
    grad_lin_weight = _linear_heads_weight_grad(_t11, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, grad_bias


@blas_on_one_thread
def _forward_train_relu(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    _t2 = _permute(att_dst, (-2, -1, -3))
    scores, _t3, weights = in_row_blocks(
        _forward_train_identity_part1,
        h,
        _t1,
        _t2,
        negative_slope,
        adjacency,
        named=(3, None, None, None, 2),
    )
    _t4 = _dropout_mask(rng, scores, dropout)
    kept = weights * _t4
    heads_out = _bmm(kept, h)
    _t5 = _mean(heads_out, -3)
    z = np.squeeze(_t5, axis=-3) + bias
    y = np.clip(z, 0, np.inf)
    return y, (
        x,
        lin_weight,
        bias,
        negative_slope,
        h,
        _t1,
        _t2,
        _t3,
        weights,
        _t4,
        _t5,
        z,
    )


@blas_on_one_thread
def _backward_train_relu(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4, _t5, z
):
    kept = weights * _t4
    grad_z = grad_y * (z > 0)
    grad_bias = _sum_to(grad_z, bias.shape)
    _t6 = grad_z.reshape(_t5.shape)
    _t7 = np.swapaxes(_t2, -1, -2)
    _t8, grad_source, _t9, _t10 = in_row_blocks(
        _backward_train_identity_part1,
        _t6,
        h,
        kept,
        _t4,
        weights,
        _t3,
        negative_slope,
        _t7,
        _t1,
        sums=1,
        named=(3, 3, 3, 3, 3, 3, None, None, None),
    )
    grad_att_dst = _unpermute(_t10, (-2, -1, -3))
    grad_att_src = _unpermute(
        _sum_to(_bmm(np.swapaxes(h, -1, -2), grad_source), _t1.shape), (-2, -1, -3)
    )
    grad_h = _t8 + _t9 + _bmm(grad_source, np.swapaxes(_t1, -1, -2))
    _t11 = _merge_heads(grad_h, lin_weight.shape[0])
    grad_x = _linear_heads_input_grad(_t11, lin_weight)
    grad_lin_weight = _linear_heads_weight_grad(_t11, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, grad_bias


@blas_on_one_thread
def _forward_train_identity_no_bias(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    _t2 = _permute(att_dst, (-2, -1, -3))
    scores, _t3, weights = in_row_blocks(
        _forward_train_identity_part1,
        h,
        _t1,
        _t2,
        negative_slope,
        adjacency,
        named=(3, None, None, None, 2),
    )
    _t4 = _dropout_mask(rng, scores, dropout)
    kept = weights * _t4
    heads_out = _bmm(kept, h)
    _t5 = _mean(heads_out, -3)
    z = np.squeeze(_t5, axis=-3)
    return z, (x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4, _t5)


@blas_on_one_thread
def _backward_train_identity_no_bias(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4, _t5
):
    kept = weights * _t4
    _t6 = grad_y.reshape(_t5.shape)
    _t7 = np.swapaxes(_t2, -1, -2)
    _t8, grad_source, _t9, _t10 = in_row_blocks(
        _backward_train_identity_part1,
        _t6,
        h,
        kept,
        _t4,
        weights,
        _t3,
        negative_slope,
        _t7,
        _t1,
        sums=1,
        named=(3, 3, 3, 3, 3, 3, None, None, None),
    )
    grad_att_dst = _unpermute(_t10, (-2, -1, -3))
    grad_att_src = _unpermute(
        _sum_to(_bmm(np.swapaxes(h, -1, -2), grad_source), _t1.shape), (-2, -1, -3)
    )
    grad_h = _t8 + _t9 + _bmm(grad_source, np.swapaxes(_t1, -1, -2))
    _t11 = _merge_heads(grad_h, lin_weight.shape[0])
    grad_x = _linear_heads_input_grad(_t11, lin_weight)
    grad_lin_weight = _linear_heads_weight_grad(_t11, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, None


@blas_on_one_thread
def _forward_train_relu_no_bias(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    _t2 = _permute(att_dst, (-2, -1, -3))
    scores, _t3, weights = in_row_blocks(
        _forward_train_identity_part1,
        h,
        _t1,
        _t2,
        negative_slope,
        adjacency,
        named=(3, None, None, None, 2),
    )
    _t4 = _dropout_mask(rng, scores, dropout)
    kept = weights * _t4
    heads_out = _bmm(kept, h)
    _t5 = _mean(heads_out, -3)
    z = np.squeeze(_t5, axis=-3)
    y = np.clip(z, 0, np.inf)
    return y, (
        x,
        lin_weight,
        bias,
        negative_slope,
        h,
        _t1,
        _t2,
        _t3,
        weights,
        _t4,
        _t5,
        z,
    )


@blas_on_one_thread
def _backward_train_relu_no_bias(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4, _t5, z
):
    kept = weights * _t4
    grad_z = grad_y * (z > 0)
    _t6 = grad_z.reshape(_t5.shape)
    _t7 = np.swapaxes(_t2, -1, -2)
    _t8, grad_source, _t9, _t10 = in_row_blocks(
        _backward_train_identity_part1,
        _t6,
        h,
        kept,
        _t4,
        weights,
        _t3,
        negative_slope,
        _t7,
        _t1,
        sums=1,
        named=(3, 3, 3, 3, 3, 3, None, None, None),
    )
    grad_att_dst = _unpermute(_t10, (-2, -1, -3))
    grad_att_src = _unpermute(
        _sum_to(_bmm(np.swapaxes(h, -1, -2), grad_source), _t1.shape), (-2, -1, -3)
    )
    grad_h = _t8 + _t9 + _bmm(grad_source, np.swapaxes(_t1, -1, -2))
    _t11 = _merge_heads(grad_h, lin_weight.shape[0])
    grad_x = _linear_heads_input_grad(_t11, lin_weight)
    grad_lin_weight = _linear_heads_weight_grad(_t11, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, None


def _forward_eval_identity_part1(h, _t1, _t2, negative_slope, adjacency, bias):
    source = _bmm(h, _t1)
    target = _bmm(h, _t2)
    scores = target + np.swapaxes(source, -1, -2)
    _t3 = scores > 0
    leaky = np.where(_t3, scores, scores * negative_slope)
    masked = _apply_mask(leaky, np.expand_dims(adjacency == 0, -3))
    weights = _masked_softmax(masked, out=scores)
    heads_out = _bmm(weights, h)
    _t4 = _mean(heads_out, -3)
    z = np.squeeze(_t4, axis=-3) + bias
    return _t3, weights, _t4, z


@blas_on_one_thread
def _forward_eval_identity(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    _t2 = _permute(att_dst, (-2, -1, -3))
    _t3, weights, _t4, z = in_row_blocks(
        _forward_eval_identity_part1,
        h,
        _t1,
        _t2,
        negative_slope,
        adjacency,
        bias,
        named=(3, None, None, None, 2, None),
    )
    return z, (x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4)


def _backward_eval_identity_part1(_t1, h, weights, _t2, negative_slope, _t3, _t4):
    grad_heads_out = np.broadcast_to(_t1, h.shape) / h.shape[-3]
    _t5 = np.swapaxes(h, -1, -2)
    grad_weights = _bmm(grad_heads_out, _t5)
    _t6 = _bmm(np.swapaxes(weights, -1, -2), grad_heads_out)
    grad_masked = np.subtract(
        grad_weights, _dot_last(grad_weights, weights), out=grad_weights
    )
    grad_masked *= weights
    grad_scores = grad_masked * _t2
    _t7 = grad_masked * ~_t2
    _t7 *= negative_slope
    grad_scores += _t7
    grad_target = np.sum(grad_scores, axis=-1, keepdims=True)
    grad_source = np.swapaxes(np.sum(grad_scores, axis=-2, keepdims=True), -1, -2)
    _t8 = _bmm(grad_target, _t3)
    _t9 = _sum_to(_bmm(_t5, grad_target), _t4.shape)
    return _t6, grad_source, _t8, _t9


@blas_on_one_thread
def _backward_eval_identity(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4
):
    grad_bias = _sum_to(grad_y, bias.shape)
    _t5 = grad_y.reshape(_t4.shape)
    _t6 = np.swapaxes(_t2, -1, -2)
    _t7, grad_source, _t8, _t9 = in_row_blocks(
        _backward_eval_identity_part1,
        _t5,
        h,
        weights,
        _t3,
        negative_slope,
        _t6,
        _t1,
        sums=1,
        named=(3, 3, 3, 3, None, None, None),
    )
    grad_att_dst = _unpermute(_t9, (-2, -1, -3))
    grad_att_src = _unpermute(
        _sum_to(_bmm(np.swapaxes(h, -1, -2), grad_source), _t1.shape), (-2, -1, -3)
    )
    grad_h = _t7 + _t8 + _bmm(grad_source, np.swapaxes(_t1, -1, -2))
    _t10 = _merge_heads(grad_h, lin_weight.shape[0])
    grad_x = _linear_heads_input_grad(_t10, lin_weight)
    grad_lin_weight = _linear_heads_weight_grad(_t10, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, grad_bias


def _forward_eval_relu_part1(h, _t1, _t2, negative_slope, adjacency, bias):
    source = _bmm(h, _t1)
    target = _bmm(h, _t2)
    scores = target + np.swapaxes(source, -1, -2)
    _t3 = scores > 0
    leaky = np.where(_t3, scores, scores * negative_slope)
    masked = _apply_mask(leaky, np.expand_dims(adjacency == 0, -3))
    weights = _masked_softmax(masked, out=scores)
    heads_out = _bmm(weights, h)
    _t4 = _mean(heads_out, -3)
    z = np.squeeze(_t4, axis=-3) + bias
    y = np.clip(z, 0, np.inf)
    return _t3, weights, _t4, z, y


@blas_on_one_thread
def _forward_eval_relu(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    _t2 = _permute(att_dst, (-2, -1, -3))
    _t3, weights, _t4, z, y = in_row_blocks(
        _forward_eval_relu_part1,
        h,
        _t1,
        _t2,
        negative_slope,
        adjacency,
        bias,
        named=(3, None, None, None, 2, None),
    )
    return y, (x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4, z)


@blas_on_one_thread
def _backward_eval_relu(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4, z
):
    grad_z = grad_y * (z > 0)
    grad_bias = _sum_to(grad_z, bias.shape)
    _t5 = grad_z.reshape(_t4.shape)
    _t6 = np.swapaxes(_t2, -1, -2)
    _t7, grad_source, _t8, _t9 = in_row_blocks(
        _backward_eval_identity_part1,
        _t5,
        h,
        weights,
        _t3,
        negative_slope,
        _t6,
        _t1,
        sums=1,
        named=(3, 3, 3, 3, None, None, None),
    )
    grad_att_dst = _unpermute(_t9, (-2, -1, -3))
    grad_att_src = _unpermute(
        _sum_to(_bmm(np.swapaxes(h, -1, -2), grad_source), _t1.shape), (-2, -1, -3)
    )
    grad_h = _t7 + _t8 + _bmm(grad_source, np.swapaxes(_t1, -1, -2))
    _t10 = _merge_heads(grad_h, lin_weight.shape[0])
    grad_x = _linear_heads_input_grad(_t10, lin_weight)
    grad_lin_weight = _linear_heads_weight_grad(_t10, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, grad_bias


def _forward_eval_identity_no_bias_part1(h, _t1, _t2, negative_slope, adjacency):
    source = _bmm(h, _t1)
    target = _bmm(h, _t2)
    scores = target + np.swapaxes(source, -1, -2)
    _t3 = scores > 0
    leaky = np.where(_t3, scores, scores * negative_slope)
    masked = _apply_mask(leaky, np.expand_dims(adjacency == 0, -3))
    weights = _masked_softmax(masked, out=scores)
    heads_out = _bmm(weights, h)
    _t4 = _mean(heads_out, -3)
    z = np.squeeze(_t4, axis=-3)
    return _t3, weights, _t4, z


@blas_on_one_thread
def _forward_eval_identity_no_bias(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    _t2 = _permute(att_dst, (-2, -1, -3))
    _t3, weights, _t4, z = in_row_blocks(
        _forward_eval_identity_no_bias_part1,
        h,
        _t1,
        _t2,
        negative_slope,
        adjacency,
        named=(3, None, None, None, 2),
    )
    return z, (x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4)


@blas_on_one_thread
def _backward_eval_identity_no_bias(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4
):
    _t5 = grad_y.reshape(_t4.shape)
    _t6 = np.swapaxes(_t2, -1, -2)
    _t7, grad_source, _t8, _t9 = in_row_blocks(
        _backward_eval_identity_part1,
        _t5,
        h,
        weights,
        _t3,
        negative_slope,
        _t6,
        _t1,
        sums=1,
        named=(3, 3, 3, 3, None, None, None),
    )
    grad_att_dst = _unpermute(_t9, (-2, -1, -3))
    grad_att_src = _unpermute(
        _sum_to(_bmm(np.swapaxes(h, -1, -2), grad_source), _t1.shape), (-2, -1, -3)
    )
    grad_h = _t7 + _t8 + _bmm(grad_source, np.swapaxes(_t1, -1, -2))
    _t10 = _merge_heads(grad_h, lin_weight.shape[0])
    grad_x = _linear_heads_input_grad(_t10, lin_weight)
    grad_lin_weight = _linear_heads_weight_grad(_t10, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, None


def _forward_eval_relu_no_bias_part1(h, _t1, _t2, negative_slope, adjacency):
    source = _bmm(h, _t1)
    target = _bmm(h, _t2)
    scores = target + np.swapaxes(source, -1, -2)
    _t3 = scores > 0
    leaky = np.where(_t3, scores, scores * negative_slope)
    masked = _apply_mask(leaky, np.expand_dims(adjacency == 0, -3))
    weights = _masked_softmax(masked, out=scores)
    heads_out = _bmm(weights, h)
    _t4 = _mean(heads_out, -3)
    z = np.squeeze(_t4, axis=-3)
    y = np.clip(z, 0, np.inf)
    return _t3, weights, _t4, z, y


@blas_on_one_thread
def _forward_eval_relu_no_bias(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    _t2 = _permute(att_dst, (-2, -1, -3))
    _t3, weights, _t4, z, y = in_row_blocks(
        _forward_eval_relu_no_bias_part1,
        h,
        _t1,
        _t2,
        negative_slope,
        adjacency,
        named=(3, None, None, None, 2),
    )
    return y, (x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4, z)


@blas_on_one_thread
def _backward_eval_relu_no_bias(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t3, weights, _t4, z
):
    grad_z = grad_y * (z > 0)
    _t5 = grad_z.reshape(_t4.shape)
    _t6 = np.swapaxes(_t2, -1, -2)
    _t7, grad_source, _t8, _t9 = in_row_blocks(
        _backward_eval_identity_part1,
        _t5,
        h,
        weights,
        _t3,
        negative_slope,
        _t6,
        _t1,
        sums=1,
        named=(3, 3, 3, 3, None, None, None),
    )
    grad_att_dst = _unpermute(_t9, (-2, -1, -3))
    grad_att_src = _unpermute(
        _sum_to(_bmm(np.swapaxes(h, -1, -2), grad_source), _t1.shape), (-2, -1, -3)
    )
    grad_h = _t7 + _t8 + _bmm(grad_source, np.swapaxes(_t1, -1, -2))
    _t10 = _merge_heads(grad_h, lin_weight.shape[0])
    grad_x = _linear_heads_input_grad(_t10, lin_weight)
    grad_lin_weight = _linear_heads_weight_grad(_t10, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, None


def _backward_composed(grad_y, module, activation_ctx, linear_backward, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_FUSED = {
    ("identity", True, True): (_forward_train_identity, _backward_train_identity),
    ("relu", True, True): (_forward_train_relu, _backward_train_relu),
    ("identity", True, False): (
        _forward_train_identity_no_bias,
        _backward_train_identity_no_bias,
    ),
    ("relu", True, False): (_forward_train_relu_no_bias, _backward_train_relu_no_bias),
    ("identity", False, True): (_forward_eval_identity, _backward_eval_identity),
    ("relu", False, True): (_forward_eval_relu, _backward_eval_relu),
    ("identity", False, False): (
        _forward_eval_identity_no_bias,
        _backward_eval_identity_no_bias,
    ),
    ("relu", False, False): (_forward_eval_relu_no_bias, _backward_eval_relu_no_bias),
}


def _apply_mask(scores, mask, out=None):
    """scores with -inf where a bool mask is True, or plus a float mask; ``out``, if
    given, receives the result (it may be ``scores``). No mask (None): the scores
    themselves (or their copy in ``out``)."""
    if mask is None:
        if out is None or out is scores:
            return scores
        np.copyto(out, scores)
        return out
    if mask.dtype != bool:
        return np.add(scores, mask, out=out)
    if out is None:
        out = scores.copy()
    elif out is not scores:
        np.copyto(out, scores)
    np.copyto(out, -np.inf, where=mask)
    return out


def _bmm(a, b):
    """a [..., M, K] @ b [..., K, N]. Stacks of equal leading shape are shared out over
    the threads (set_num_threads) by their first axis, each product with one BLAS
    thread: attention's many small per-head products run several times faster so than
    with BLAS's own threads (which spin and contend for the cores); others are np.matmul.
    """
    if a.ndim < 3 or a.shape[:-2] != b.shape[:-2]:
        return np.matmul(a, b)
    out = np.empty(a.shape[:-1] + b.shape[-1:], dtype=a.dtype)

    def products(first, last):
        np.matmul(a[first:last], b[first:last], out=out[first:last])

    in_chunks(products, a.shape[0], a)
    return out


def _dot_last(a, b):
    """The sum over the last axis of a * b, kept as a length-1 axis, as matrix products
    (BLAS) that never form a * b: with a vector b [F] one matrix-vector product, with
    rows b [..., F] a stack of row-times-column ones."""
    if b.ndim == 1:
        return np.matmul(a, b)[..., None]
    return np.matmul(a[..., None, :], b[..., :, None])[..., 0]


def _dropout_mask(rng, like, p):
    """Keep each element with probability 1 - p, scaled by 1 / (1 - p); 0 elsewhere."""
    keep = rng.random(like.shape, dtype=like.dtype) >= p
    return keep * like.dtype.type(1 / (1 - p) if p < 1 else 0)


def _linear_heads(x, weight):
    """x [..., S, F] @ weight[h].T for every head h of weight [H, C, F], as [..., H, S, C]:
    one product of x's rows with the H * C rows of weight, shared out over the threads
    (in_row_products), the heads then split as _split_heads splits them (a view)."""
    heads, width = weight.shape[0], weight.shape[1]
    joined = in_row_products(_rows(x), weight.reshape(heads * width, weight.shape[2]).T)
    return joined.reshape(x.shape[:-1] + (heads, width)).swapaxes(-2, -3)


def _linear_heads_input_grad(merged, weight):
    """merged [..., S, H * C] @ weight [H, C, F] as [H * C, F], as [..., S, F]: one product
    of rows shared out over the threads (in_row_products)."""
    heads, width, features = (
        weight.shape
    )  # spelled out: reshape(-1, 0) fails on no features
    joined = in_row_products(_rows(merged), weight.reshape(heads * width, features))
    return joined.reshape(merged.shape[:-1] + (features,))


def _linear_heads_weight_grad(merged, x, weight):
    """merged [..., S, H * C] transposed @ x [..., S, F], summed over the leading axes, as
    weight's [H, C, F]: one product, its H * C rows shared out over the threads."""
    return in_row_products(_rows(merged).T, _rows(x)).reshape(weight.shape)


def _masked_softmax(x, out=None):
    """exp(x - max) / sum over the last axis, in four passes over x; a row of -inf
    (fully masked) gives zeros, as torch's scaled_dot_product_attention does, where a
    plain softmax gives NaN. ``out``, if given, receives the result (it may be x)."""
    top = np.max(x, axis=-1, keepdims=True, initial=-np.inf)  # -inf over no keys
    np.putmask(top, top == -np.inf, 0)
    out = np.subtract(x, top, out=out)
    np.exp(out, out=out)
    total = np.sum(out, axis=-1, keepdims=True)
    np.putmask(total, total == 0, 1)
    out /= total
    return out


def _mean(x, axis):
    """The mean along ``axis``, kept as a length-1 axis; along the last axis of a float
    array a matrix-vector product with 1 / n (BLAS), as in _sum."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        return np.matmul(x, np.full(x.shape[-1], 1 / x.shape[-1], x.dtype))[..., None]
    return np.mean(x, axis=axis, keepdims=True)


def _merge_heads(x, heads):
    """x [..., heads, S, D] as [..., S, heads * D], head after head along the last axis."""
    moved = x.swapaxes(-2, -3)
    return moved.reshape(moved.shape[:-2] + (heads * x.shape[-1],))


def _permute(x, axes):
    """The view of x whose trailing axes are x's axes ``axes`` (negative, from the end),
    in that order; the leading axes stay where they are."""
    lead = x.ndim - len(axes)
    return x.transpose(tuple(range(lead)) + tuple(x.ndim + a for a in axes))


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


def _sum_to(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast; over
    leading axes only (a bias gradient) as a vector-matrix product with ones (BLAS)."""
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes == tuple(range(lead)) and lead and grad.size and grad.dtype.kind == "f":
        rows = grad.reshape(-1, grad[(0,) * lead].size)
        return np.matmul(np.ones(rows.shape[0], grad.dtype), rows).reshape(shape)
    return np.sum(grad, axis=axes).reshape(shape) if axes else grad


def _unpermute(x, axes):
    """The view of x that undoes ``_permute(., axes)``: the inverse permutation of the
    trailing axes."""
    lead = x.ndim - len(axes)
    inverse = sorted(range(len(axes)), key=lambda i: axes[i])
    return x.transpose(tuple(range(lead)) + tuple(lead + i for i in inverse))


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# graph_attention_train_identity_fwd_0: layers_spec/layers/graph_attention.yaml:34,35
_graph_attention_train_identity_fwd_0 = ElementwiseKernel(
    "graph_attention_train_identity_fwd_0",
    "T target, T _t3, T negative_slope",
    "T scores, bool _t4, T leaky",
    """
    scores = target + _t3;
    _t4 = scores > T(0);
    T _t5 = scores * negative_slope;
    leaky = _t4 ? scores : _t5;
    """,
    scalars=("negative_slope",),
)


# graph_attention_train_identity_fwd_1: layers_spec/layers/graph_attention.yaml:36
_graph_attention_train_identity_fwd_1 = ElementwiseKernel(
    "graph_attention_train_identity_fwd_1",
    "T adjacency",
    "bool _t6",
    """
    _t6 = adjacency == T(0);
    """,
)


# graph_attention_train_identity_fwd_2: layers_spec/layers/graph_attention.yaml:36,37
_graph_attention_train_identity_fwd_2 = RowKernel(
    "graph_attention_train_identity_fwd_2",
    "masked_softmax_row",
    row_width=None,
    preamble="""
    template <typename T>
    __device__ void masked_softmax_row(const T* row, T* out, long long n) {
        // One pass for the maximum (0 for a row of -inf, whose entries then give 0), one for
        // the exponentials and their sum, one to divide: the scores are read from memory once
        // per pass and the probabilities written once, by one kernel.
        if (n == 0) return;
        T top = row[0];
        for (long long k = 1; k < n; ++k) top = row[k] > top ? row[k] : top;
        if (isinf(top) && top < T(0)) top = T(0);
        T total = T(0);
        for (long long k = 0; k < n; ++k) {
            out[k] = exp(row[k] - top);
            total += out[k];
        }
        if (total == T(0)) total = T(1);
        for (long long k = 0; k < n; ++k) out[k] /= total;
    }
    """,
    masks=("mask",),
)


# graph_attention_train_identity_fwd_3: layers_spec/layers/graph_attention.yaml:39
_graph_attention_train_identity_fwd_3 = ElementwiseKernel(
    "graph_attention_train_identity_fwd_3",
    "T weights, T _t8",
    "T kept",
    """
    kept = weights * _t8;
    """,
)


# graph_attention_train_identity_fwd_4: layers_spec/layers/graph_attention.yaml:43
_graph_attention_train_identity_fwd_4 = ElementwiseKernel(
    "graph_attention_train_identity_fwd_4",
    "T _t10, T bias",
    "T z",
    """
    z = _t10 + bias;
    """,
)


def _cupy_forward_train_identity(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    import cupy as cp

    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    source = _cupy_bmm(h, _t1)
    _t2 = _permute(att_dst, (-2, -1, -3))
    target = _cupy_bmm(h, _t2)
    _t3 = cp.swapaxes(source, -1, -2)
    scores, _t4, leaky = _graph_attention_train_identity_fwd_0(
        target, _t3, negative_slope
    )
    _t6 = _graph_attention_train_identity_fwd_1(adjacency)
    _t7 = cp.expand_dims(_t6, -3)
    weights = _graph_attention_train_identity_fwd_2(leaky, _t7)
    _t8 = _dropout_mask(rng, scores, dropout)
    kept = _graph_attention_train_identity_fwd_3(weights, _t8)
    heads_out = _cupy_bmm(kept, h)
    _t9 = _cupy_mean(heads_out, -3)
    _t10 = cp.squeeze(_t9, axis=-3)
    z = _graph_attention_train_identity_fwd_4(_t10, bias)
    return z, (x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8, _t9)


# graph_attention_train_identity_bwd_1: layers_spec/primitives.yaml:371
_graph_attention_train_identity_bwd_1 = ElementwiseKernel(
    "graph_attention_train_identity_bwd_1",
    "T _t13, int64 _t14",
    "T grad_heads_out",
    """
    grad_heads_out = _t13 / _t14;
    """,
    scalars=("_t14",),
)


# graph_attention_train_identity_bwd_2: layers_spec/primitives.yaml:61,2973,282,283; layers_spec/layers/graph_attention.yaml:34
_graph_attention_train_identity_bwd_2 = RowBlockKernel(
    "graph_attention_train_identity_bwd_2",
    "row T grad_kept, row T _t8, row T weights, row bool _t4, scalar T negative_slope",
    "row T grad_scores, per_row T grad_target",
    """
    T _c_grad_kept[LF_REGISTERS];
    T _c__t8[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    bool _c__t4[LF_REGISTERS];
    T _t21 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c__t4, _row__t4, _j);
        const T grad_kept = _at.fill(_c_grad_kept, _row_grad_kept, _j);
        const T _t8 = _at.fill(_c__t8, _row__t8, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        const T grad_weights = grad_kept * _t8;
        _t21 = _Sum()(_t21, grad_weights * weights);
    )
    _t21 = _row_reduce(_t21, _Sum());
    T grad_target = T(0);
    LF_ROW_LOOP(
        const T grad_kept = _at.get(_c_grad_kept, _row_grad_kept, _j);
        const T _t8 = _at.get(_c__t8, _row__t8, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const bool _t4 = _at.get(_c__t4, _row__t4, _j);
        const T grad_weights = grad_kept * _t8;
        const T _t22 = grad_weights - _t21;
        const T grad_masked = weights * _t22;
        const T _t24 = grad_masked * _t4;
        const bool _t25 = !_t4;
        const T _t26 = grad_masked * _t25;
        const T _t27 = _t26 * negative_slope;
        const T grad_scores = _t24 + _t27;
        grad_target = _Sum()(grad_target, grad_scores);
    )
    grad_target = _row_reduce(grad_target, _Sum());
    LF_ROW_LOOP(
        const T grad_kept = _at.get(_c_grad_kept, _row_grad_kept, _j);
        const T _t8 = _at.get(_c__t8, _row__t8, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const bool _t4 = _at.get(_c__t4, _row__t4, _j);
        const T grad_weights = grad_kept * _t8;
        const T _t22 = grad_weights - _t21;
        const T grad_masked = weights * _t22;
        const T _t24 = grad_masked * _t4;
        const bool _t25 = !_t4;
        const T _t26 = grad_masked * _t25;
        const T _t27 = _t26 * negative_slope;
        const T grad_scores = _t24 + _t27;
        _row_grad_scores[_j] = grad_scores;
    )
    """,
)


# graph_attention_train_identity_bwd_3: layers_spec/primitives.yaml:2796
_graph_attention_train_identity_bwd_3 = ElementwiseKernel(
    "graph_attention_train_identity_bwd_3",
    "T _t19, T _t32, T _t38",
    "T grad_h",
    """
    T _t43 = _t19 + _t32;
    grad_h = _t43 + _t38;
    """,
)


def _cupy_backward_train_identity(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8, _t9
):
    import cupy as cp

    kept = _graph_attention_train_identity_fwd_3(weights, _t8)
    grad_bias = _cupy_sum_to(grad_y, bias.shape)
    _t12 = grad_y.reshape(_t9.shape)
    _t13 = cp.broadcast_to(_t12, h.shape)
    _t14 = h.shape[-3]
    grad_heads_out = _graph_attention_train_identity_bwd_1(_t13, _t14)
    _t16 = cp.swapaxes(h, -1, -2)
    grad_kept = _cupy_bmm(grad_heads_out, _t16)
    _t18 = cp.swapaxes(kept, -1, -2)
    _t19 = _cupy_bmm(_t18, grad_heads_out)
    grad_scores, grad_target = _graph_attention_train_identity_bwd_2(
        grad_kept, _t8, weights, _t4, negative_slope
    )
    _t29 = cp.sum(grad_scores, axis=-2, keepdims=True)
    grad_source = cp.swapaxes(_t29, -1, -2)
    _t31 = cp.swapaxes(_t2, -1, -2)
    _t32 = _cupy_bmm(grad_target, _t31)
    _t33 = cp.swapaxes(h, -1, -2)
    _t34 = _cupy_bmm(_t33, grad_target)
    _t35 = _cupy_sum_to(_t34, _t1.shape)
    grad_att_dst = _unpermute(_t35, (-2, -1, -3))
    _t37 = cp.swapaxes(_t1, -1, -2)
    _t38 = _cupy_bmm(grad_source, _t37)
    _t39 = cp.swapaxes(h, -1, -2)
    _t40 = _cupy_bmm(_t39, grad_source)
    _t41 = _cupy_sum_to(_t40, _t1.shape)
    grad_att_src = _unpermute(_t41, (-2, -1, -3))
    _t44 = lin_weight.shape[0]
    grad_h = _graph_attention_train_identity_bwd_3(_t19, _t32, _t38)
    _t45 = _merge_heads(grad_h, _t44)
    grad_x = _linear_heads_input_grad(_t45, lin_weight)
    _t47 = lin_weight.shape[0]
    _t48 = _merge_heads(grad_h, _t47)
    grad_lin_weight = _linear_heads_weight_grad(_t48, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, grad_bias


# graph_attention_train_relu_fwd_4: layers_spec/layers/graph_attention.yaml:43; layers_spec/activations/relu.yaml:8
_graph_attention_train_relu_fwd_4 = ElementwiseKernel(
    "graph_attention_train_relu_fwd_4",
    "T _t10, T bias",
    "T z, T y",
    """
    z = _t10 + bias;
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_train_relu(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    import cupy as cp

    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    source = _cupy_bmm(h, _t1)
    _t2 = _permute(att_dst, (-2, -1, -3))
    target = _cupy_bmm(h, _t2)
    _t3 = cp.swapaxes(source, -1, -2)
    scores, _t4, leaky = _graph_attention_train_identity_fwd_0(
        target, _t3, negative_slope
    )
    _t6 = _graph_attention_train_identity_fwd_1(adjacency)
    _t7 = cp.expand_dims(_t6, -3)
    weights = _graph_attention_train_identity_fwd_2(leaky, _t7)
    _t8 = _dropout_mask(rng, scores, dropout)
    kept = _graph_attention_train_identity_fwd_3(weights, _t8)
    heads_out = _cupy_bmm(kept, h)
    _t9 = _cupy_mean(heads_out, -3)
    _t10 = cp.squeeze(_t9, axis=-3)
    z, y = _graph_attention_train_relu_fwd_4(_t10, bias)
    return y, (
        x,
        lin_weight,
        bias,
        negative_slope,
        h,
        _t1,
        _t2,
        _t4,
        weights,
        _t8,
        _t9,
        z,
    )


# graph_attention_train_relu_bwd_1: layers_spec/primitives.yaml:252
_graph_attention_train_relu_bwd_1 = ElementwiseKernel(
    "graph_attention_train_relu_bwd_1",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t11 = z > T(0);
    grad_z = grad_y * _t11;
    """,
)


# graph_attention_train_relu_bwd_2: layers_spec/primitives.yaml:371
_graph_attention_train_relu_bwd_2 = ElementwiseKernel(
    "graph_attention_train_relu_bwd_2",
    "T _t15, int64 _t16",
    "T grad_heads_out",
    """
    grad_heads_out = _t15 / _t16;
    """,
    scalars=("_t16",),
)


# graph_attention_train_relu_bwd_3: layers_spec/primitives.yaml:61,2973,282,283; layers_spec/layers/graph_attention.yaml:34
_graph_attention_train_relu_bwd_3 = RowBlockKernel(
    "graph_attention_train_relu_bwd_3",
    "row T grad_kept, row T _t8, row T weights, row bool _t4, scalar T negative_slope",
    "row T grad_scores, per_row T grad_target",
    """
    T _c_grad_kept[LF_REGISTERS];
    T _c__t8[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    bool _c__t4[LF_REGISTERS];
    T _t23 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c__t4, _row__t4, _j);
        const T grad_kept = _at.fill(_c_grad_kept, _row_grad_kept, _j);
        const T _t8 = _at.fill(_c__t8, _row__t8, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        const T grad_weights = grad_kept * _t8;
        _t23 = _Sum()(_t23, grad_weights * weights);
    )
    _t23 = _row_reduce(_t23, _Sum());
    T grad_target = T(0);
    LF_ROW_LOOP(
        const T grad_kept = _at.get(_c_grad_kept, _row_grad_kept, _j);
        const T _t8 = _at.get(_c__t8, _row__t8, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const bool _t4 = _at.get(_c__t4, _row__t4, _j);
        const T grad_weights = grad_kept * _t8;
        const T _t24 = grad_weights - _t23;
        const T grad_masked = weights * _t24;
        const T _t26 = grad_masked * _t4;
        const bool _t27 = !_t4;
        const T _t28 = grad_masked * _t27;
        const T _t29 = _t28 * negative_slope;
        const T grad_scores = _t26 + _t29;
        grad_target = _Sum()(grad_target, grad_scores);
    )
    grad_target = _row_reduce(grad_target, _Sum());
    LF_ROW_LOOP(
        const T grad_kept = _at.get(_c_grad_kept, _row_grad_kept, _j);
        const T _t8 = _at.get(_c__t8, _row__t8, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const bool _t4 = _at.get(_c__t4, _row__t4, _j);
        const T grad_weights = grad_kept * _t8;
        const T _t24 = grad_weights - _t23;
        const T grad_masked = weights * _t24;
        const T _t26 = grad_masked * _t4;
        const bool _t27 = !_t4;
        const T _t28 = grad_masked * _t27;
        const T _t29 = _t28 * negative_slope;
        const T grad_scores = _t26 + _t29;
        _row_grad_scores[_j] = grad_scores;
    )
    """,
)


# graph_attention_train_relu_bwd_4: layers_spec/primitives.yaml:2796
_graph_attention_train_relu_bwd_4 = ElementwiseKernel(
    "graph_attention_train_relu_bwd_4",
    "T _t21, T _t34, T _t40",
    "T grad_h",
    """
    T _t45 = _t21 + _t34;
    grad_h = _t45 + _t40;
    """,
)


def _cupy_backward_train_relu(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8, _t9, z
):
    import cupy as cp

    kept = _graph_attention_train_identity_fwd_3(weights, _t8)
    grad_z = _graph_attention_train_relu_bwd_1(z, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    _t14 = grad_z.reshape(_t9.shape)
    _t15 = cp.broadcast_to(_t14, h.shape)
    _t16 = h.shape[-3]
    grad_heads_out = _graph_attention_train_relu_bwd_2(_t15, _t16)
    _t18 = cp.swapaxes(h, -1, -2)
    grad_kept = _cupy_bmm(grad_heads_out, _t18)
    _t20 = cp.swapaxes(kept, -1, -2)
    _t21 = _cupy_bmm(_t20, grad_heads_out)
    grad_scores, grad_target = _graph_attention_train_relu_bwd_3(
        grad_kept, _t8, weights, _t4, negative_slope
    )
    _t31 = cp.sum(grad_scores, axis=-2, keepdims=True)
    grad_source = cp.swapaxes(_t31, -1, -2)
    _t33 = cp.swapaxes(_t2, -1, -2)
    _t34 = _cupy_bmm(grad_target, _t33)
    _t35 = cp.swapaxes(h, -1, -2)
    _t36 = _cupy_bmm(_t35, grad_target)
    _t37 = _cupy_sum_to(_t36, _t1.shape)
    grad_att_dst = _unpermute(_t37, (-2, -1, -3))
    _t39 = cp.swapaxes(_t1, -1, -2)
    _t40 = _cupy_bmm(grad_source, _t39)
    _t41 = cp.swapaxes(h, -1, -2)
    _t42 = _cupy_bmm(_t41, grad_source)
    _t43 = _cupy_sum_to(_t42, _t1.shape)
    grad_att_src = _unpermute(_t43, (-2, -1, -3))
    _t46 = lin_weight.shape[0]
    grad_h = _graph_attention_train_relu_bwd_4(_t21, _t34, _t40)
    _t47 = _merge_heads(grad_h, _t46)
    grad_x = _linear_heads_input_grad(_t47, lin_weight)
    _t49 = lin_weight.shape[0]
    _t50 = _merge_heads(grad_h, _t49)
    grad_lin_weight = _linear_heads_weight_grad(_t50, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, grad_bias


def _cupy_forward_train_identity_no_bias(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    import cupy as cp

    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    source = _cupy_bmm(h, _t1)
    _t2 = _permute(att_dst, (-2, -1, -3))
    target = _cupy_bmm(h, _t2)
    _t3 = cp.swapaxes(source, -1, -2)
    scores, _t4, leaky = _graph_attention_train_identity_fwd_0(
        target, _t3, negative_slope
    )
    _t6 = _graph_attention_train_identity_fwd_1(adjacency)
    _t7 = cp.expand_dims(_t6, -3)
    weights = _graph_attention_train_identity_fwd_2(leaky, _t7)
    _t8 = _dropout_mask(rng, scores, dropout)
    kept = _graph_attention_train_identity_fwd_3(weights, _t8)
    heads_out = _cupy_bmm(kept, h)
    _t9 = _cupy_mean(heads_out, -3)
    z = cp.squeeze(_t9, axis=-3)
    return z, (x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8, _t9)


# graph_attention_train_identity_no_bias_bwd_1: layers_spec/primitives.yaml:371
_graph_attention_train_identity_no_bias_bwd_1 = ElementwiseKernel(
    "graph_attention_train_identity_no_bias_bwd_1",
    "T _t11, int64 _t12",
    "T grad_heads_out",
    """
    grad_heads_out = _t11 / _t12;
    """,
    scalars=("_t12",),
)


# graph_attention_train_identity_no_bias_bwd_2: layers_spec/primitives.yaml:61,2973,282,283; layers_spec/layers/graph_attention.yaml:34
_graph_attention_train_identity_no_bias_bwd_2 = RowBlockKernel(
    "graph_attention_train_identity_no_bias_bwd_2",
    "row T grad_kept, row T _t8, row T weights, row bool _t4, scalar T negative_slope",
    "row T grad_scores, per_row T grad_target",
    """
    T _c_grad_kept[LF_REGISTERS];
    T _c__t8[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    bool _c__t4[LF_REGISTERS];
    T _t19 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c__t4, _row__t4, _j);
        const T grad_kept = _at.fill(_c_grad_kept, _row_grad_kept, _j);
        const T _t8 = _at.fill(_c__t8, _row__t8, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        const T grad_weights = grad_kept * _t8;
        _t19 = _Sum()(_t19, grad_weights * weights);
    )
    _t19 = _row_reduce(_t19, _Sum());
    T grad_target = T(0);
    LF_ROW_LOOP(
        const T grad_kept = _at.get(_c_grad_kept, _row_grad_kept, _j);
        const T _t8 = _at.get(_c__t8, _row__t8, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const bool _t4 = _at.get(_c__t4, _row__t4, _j);
        const T grad_weights = grad_kept * _t8;
        const T _t20 = grad_weights - _t19;
        const T grad_masked = weights * _t20;
        const T _t22 = grad_masked * _t4;
        const bool _t23 = !_t4;
        const T _t24 = grad_masked * _t23;
        const T _t25 = _t24 * negative_slope;
        const T grad_scores = _t22 + _t25;
        grad_target = _Sum()(grad_target, grad_scores);
    )
    grad_target = _row_reduce(grad_target, _Sum());
    LF_ROW_LOOP(
        const T grad_kept = _at.get(_c_grad_kept, _row_grad_kept, _j);
        const T _t8 = _at.get(_c__t8, _row__t8, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const bool _t4 = _at.get(_c__t4, _row__t4, _j);
        const T grad_weights = grad_kept * _t8;
        const T _t20 = grad_weights - _t19;
        const T grad_masked = weights * _t20;
        const T _t22 = grad_masked * _t4;
        const bool _t23 = !_t4;
        const T _t24 = grad_masked * _t23;
        const T _t25 = _t24 * negative_slope;
        const T grad_scores = _t22 + _t25;
        _row_grad_scores[_j] = grad_scores;
    )
    """,
)


# graph_attention_train_identity_no_bias_bwd_3: layers_spec/primitives.yaml:2796
_graph_attention_train_identity_no_bias_bwd_3 = ElementwiseKernel(
    "graph_attention_train_identity_no_bias_bwd_3",
    "T _t17, T _t30, T _t36",
    "T grad_h",
    """
    T _t41 = _t17 + _t30;
    grad_h = _t41 + _t36;
    """,
)


def _cupy_backward_train_identity_no_bias(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8, _t9
):
    import cupy as cp

    kept = _graph_attention_train_identity_fwd_3(weights, _t8)
    _t10 = grad_y.reshape(_t9.shape)
    _t11 = cp.broadcast_to(_t10, h.shape)
    _t12 = h.shape[-3]
    grad_heads_out = _graph_attention_train_identity_no_bias_bwd_1(_t11, _t12)
    _t14 = cp.swapaxes(h, -1, -2)
    grad_kept = _cupy_bmm(grad_heads_out, _t14)
    _t16 = cp.swapaxes(kept, -1, -2)
    _t17 = _cupy_bmm(_t16, grad_heads_out)
    grad_scores, grad_target = _graph_attention_train_identity_no_bias_bwd_2(
        grad_kept, _t8, weights, _t4, negative_slope
    )
    _t27 = cp.sum(grad_scores, axis=-2, keepdims=True)
    grad_source = cp.swapaxes(_t27, -1, -2)
    _t29 = cp.swapaxes(_t2, -1, -2)
    _t30 = _cupy_bmm(grad_target, _t29)
    _t31 = cp.swapaxes(h, -1, -2)
    _t32 = _cupy_bmm(_t31, grad_target)
    _t33 = _cupy_sum_to(_t32, _t1.shape)
    grad_att_dst = _unpermute(_t33, (-2, -1, -3))
    _t35 = cp.swapaxes(_t1, -1, -2)
    _t36 = _cupy_bmm(grad_source, _t35)
    _t37 = cp.swapaxes(h, -1, -2)
    _t38 = _cupy_bmm(_t37, grad_source)
    _t39 = _cupy_sum_to(_t38, _t1.shape)
    grad_att_src = _unpermute(_t39, (-2, -1, -3))
    _t42 = lin_weight.shape[0]
    grad_h = _graph_attention_train_identity_no_bias_bwd_3(_t17, _t30, _t36)
    _t43 = _merge_heads(grad_h, _t42)
    grad_x = _linear_heads_input_grad(_t43, lin_weight)
    _t45 = lin_weight.shape[0]
    _t46 = _merge_heads(grad_h, _t45)
    grad_lin_weight = _linear_heads_weight_grad(_t46, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, None


# graph_attention_train_relu_no_bias_fwd_4: layers_spec/activations/relu.yaml:8
_graph_attention_train_relu_no_bias_fwd_4 = ElementwiseKernel(
    "graph_attention_train_relu_no_bias_fwd_4",
    "T z",
    "T y",
    """
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_train_relu_no_bias(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    import cupy as cp

    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    source = _cupy_bmm(h, _t1)
    _t2 = _permute(att_dst, (-2, -1, -3))
    target = _cupy_bmm(h, _t2)
    _t3 = cp.swapaxes(source, -1, -2)
    scores, _t4, leaky = _graph_attention_train_identity_fwd_0(
        target, _t3, negative_slope
    )
    _t6 = _graph_attention_train_identity_fwd_1(adjacency)
    _t7 = cp.expand_dims(_t6, -3)
    weights = _graph_attention_train_identity_fwd_2(leaky, _t7)
    _t8 = _dropout_mask(rng, scores, dropout)
    kept = _graph_attention_train_identity_fwd_3(weights, _t8)
    heads_out = _cupy_bmm(kept, h)
    _t9 = _cupy_mean(heads_out, -3)
    z = cp.squeeze(_t9, axis=-3)
    y = _graph_attention_train_relu_no_bias_fwd_4(z)
    return y, (
        x,
        lin_weight,
        bias,
        negative_slope,
        h,
        _t1,
        _t2,
        _t4,
        weights,
        _t8,
        _t9,
        z,
    )


# graph_attention_train_relu_no_bias_bwd_1: layers_spec/primitives.yaml:252
_graph_attention_train_relu_no_bias_bwd_1 = ElementwiseKernel(
    "graph_attention_train_relu_no_bias_bwd_1",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t10 = z > T(0);
    grad_z = grad_y * _t10;
    """,
)


def _cupy_backward_train_relu_no_bias(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8, _t9, z
):
    import cupy as cp

    kept = _graph_attention_train_identity_fwd_3(weights, _t8)
    grad_z = _graph_attention_train_relu_no_bias_bwd_1(z, grad_y)
    _t12 = grad_z.reshape(_t9.shape)
    _t13 = cp.broadcast_to(_t12, h.shape)
    _t14 = h.shape[-3]
    grad_heads_out = _graph_attention_train_identity_bwd_1(_t13, _t14)
    _t16 = cp.swapaxes(h, -1, -2)
    grad_kept = _cupy_bmm(grad_heads_out, _t16)
    _t18 = cp.swapaxes(kept, -1, -2)
    _t19 = _cupy_bmm(_t18, grad_heads_out)
    grad_scores, grad_target = _graph_attention_train_identity_bwd_2(
        grad_kept, _t8, weights, _t4, negative_slope
    )
    _t29 = cp.sum(grad_scores, axis=-2, keepdims=True)
    grad_source = cp.swapaxes(_t29, -1, -2)
    _t31 = cp.swapaxes(_t2, -1, -2)
    _t32 = _cupy_bmm(grad_target, _t31)
    _t33 = cp.swapaxes(h, -1, -2)
    _t34 = _cupy_bmm(_t33, grad_target)
    _t35 = _cupy_sum_to(_t34, _t1.shape)
    grad_att_dst = _unpermute(_t35, (-2, -1, -3))
    _t37 = cp.swapaxes(_t1, -1, -2)
    _t38 = _cupy_bmm(grad_source, _t37)
    _t39 = cp.swapaxes(h, -1, -2)
    _t40 = _cupy_bmm(_t39, grad_source)
    _t41 = _cupy_sum_to(_t40, _t1.shape)
    grad_att_src = _unpermute(_t41, (-2, -1, -3))
    _t44 = lin_weight.shape[0]
    grad_h = _graph_attention_train_identity_bwd_3(_t19, _t32, _t38)
    _t45 = _merge_heads(grad_h, _t44)
    grad_x = _linear_heads_input_grad(_t45, lin_weight)
    _t47 = lin_weight.shape[0]
    _t48 = _merge_heads(grad_h, _t47)
    grad_lin_weight = _linear_heads_weight_grad(_t48, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, None


# graph_attention_eval_identity_fwd_0: layers_spec/layers/graph_attention.yaml:34,35
_graph_attention_eval_identity_fwd_0 = ElementwiseKernel(
    "graph_attention_eval_identity_fwd_0",
    "T target, T _t3, T negative_slope",
    "bool _t4, T leaky",
    """
    T scores = target + _t3;
    _t4 = scores > T(0);
    T _t5 = scores * negative_slope;
    leaky = _t4 ? scores : _t5;
    """,
    scalars=("negative_slope",),
)


# graph_attention_eval_identity_fwd_3: layers_spec/layers/graph_attention.yaml:43
_graph_attention_eval_identity_fwd_3 = ElementwiseKernel(
    "graph_attention_eval_identity_fwd_3",
    "T _t9, T bias",
    "T z",
    """
    z = _t9 + bias;
    """,
)


def _cupy_forward_eval_identity(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    import cupy as cp

    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    source = _cupy_bmm(h, _t1)
    _t2 = _permute(att_dst, (-2, -1, -3))
    target = _cupy_bmm(h, _t2)
    _t3 = cp.swapaxes(source, -1, -2)
    _t4, leaky = _graph_attention_eval_identity_fwd_0(target, _t3, negative_slope)
    _t6 = _graph_attention_train_identity_fwd_1(adjacency)
    _t7 = cp.expand_dims(_t6, -3)
    weights = _graph_attention_train_identity_fwd_2(leaky, _t7)
    heads_out = _cupy_bmm(weights, h)
    _t8 = _cupy_mean(heads_out, -3)
    _t9 = cp.squeeze(_t8, axis=-3)
    z = _graph_attention_eval_identity_fwd_3(_t9, bias)
    return z, (x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8)


# graph_attention_eval_identity_bwd_0: layers_spec/primitives.yaml:371
_graph_attention_eval_identity_bwd_0 = ElementwiseKernel(
    "graph_attention_eval_identity_bwd_0",
    "T _t12, int64 _t13",
    "T grad_heads_out",
    """
    grad_heads_out = _t12 / _t13;
    """,
    scalars=("_t13",),
)


# graph_attention_eval_identity_bwd_1: layers_spec/primitives.yaml:2973,282,283,61; layers_spec/layers/graph_attention.yaml:34
_graph_attention_eval_identity_bwd_1 = RowBlockKernel(
    "graph_attention_eval_identity_bwd_1",
    "row T grad_weights, row T weights, row bool _t4, scalar T negative_slope",
    "row T grad_scores, per_row T grad_target",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    bool _c__t4[LF_REGISTERS];
    T _t19 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c__t4, _row__t4, _j);
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t19 = _Sum()(_t19, grad_weights * weights);
    )
    _t19 = _row_reduce(_t19, _Sum());
    T grad_target = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const bool _t4 = _at.get(_c__t4, _row__t4, _j);
        const T _t20 = grad_weights - _t19;
        const T grad_masked = weights * _t20;
        const T _t22 = grad_masked * _t4;
        const bool _t23 = !_t4;
        const T _t24 = grad_masked * _t23;
        const T _t25 = _t24 * negative_slope;
        const T grad_scores = _t22 + _t25;
        grad_target = _Sum()(grad_target, grad_scores);
    )
    grad_target = _row_reduce(grad_target, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const bool _t4 = _at.get(_c__t4, _row__t4, _j);
        const T _t20 = grad_weights - _t19;
        const T grad_masked = weights * _t20;
        const T _t22 = grad_masked * _t4;
        const bool _t23 = !_t4;
        const T _t24 = grad_masked * _t23;
        const T _t25 = _t24 * negative_slope;
        const T grad_scores = _t22 + _t25;
        _row_grad_scores[_j] = grad_scores;
    )
    """,
)


# graph_attention_eval_identity_bwd_2: layers_spec/primitives.yaml:2796
_graph_attention_eval_identity_bwd_2 = ElementwiseKernel(
    "graph_attention_eval_identity_bwd_2",
    "T _t18, T _t30, T _t36",
    "T grad_h",
    """
    T _t41 = _t18 + _t30;
    grad_h = _t41 + _t36;
    """,
)


def _cupy_backward_eval_identity(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8
):
    import cupy as cp

    grad_bias = _cupy_sum_to(grad_y, bias.shape)
    _t11 = grad_y.reshape(_t8.shape)
    _t12 = cp.broadcast_to(_t11, h.shape)
    _t13 = h.shape[-3]
    grad_heads_out = _graph_attention_eval_identity_bwd_0(_t12, _t13)
    _t15 = cp.swapaxes(h, -1, -2)
    grad_weights = _cupy_bmm(grad_heads_out, _t15)
    _t17 = cp.swapaxes(weights, -1, -2)
    _t18 = _cupy_bmm(_t17, grad_heads_out)
    grad_scores, grad_target = _graph_attention_eval_identity_bwd_1(
        grad_weights, weights, _t4, negative_slope
    )
    _t27 = cp.sum(grad_scores, axis=-2, keepdims=True)
    grad_source = cp.swapaxes(_t27, -1, -2)
    _t29 = cp.swapaxes(_t2, -1, -2)
    _t30 = _cupy_bmm(grad_target, _t29)
    _t31 = cp.swapaxes(h, -1, -2)
    _t32 = _cupy_bmm(_t31, grad_target)
    _t33 = _cupy_sum_to(_t32, _t1.shape)
    grad_att_dst = _unpermute(_t33, (-2, -1, -3))
    _t35 = cp.swapaxes(_t1, -1, -2)
    _t36 = _cupy_bmm(grad_source, _t35)
    _t37 = cp.swapaxes(h, -1, -2)
    _t38 = _cupy_bmm(_t37, grad_source)
    _t39 = _cupy_sum_to(_t38, _t1.shape)
    grad_att_src = _unpermute(_t39, (-2, -1, -3))
    _t42 = lin_weight.shape[0]
    grad_h = _graph_attention_eval_identity_bwd_2(_t18, _t30, _t36)
    _t43 = _merge_heads(grad_h, _t42)
    grad_x = _linear_heads_input_grad(_t43, lin_weight)
    _t45 = lin_weight.shape[0]
    _t46 = _merge_heads(grad_h, _t45)
    grad_lin_weight = _linear_heads_weight_grad(_t46, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, grad_bias


# graph_attention_eval_relu_fwd_3: layers_spec/layers/graph_attention.yaml:43; layers_spec/activations/relu.yaml:8
_graph_attention_eval_relu_fwd_3 = ElementwiseKernel(
    "graph_attention_eval_relu_fwd_3",
    "T _t9, T bias",
    "T z, T y",
    """
    z = _t9 + bias;
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_eval_relu(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    import cupy as cp

    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    source = _cupy_bmm(h, _t1)
    _t2 = _permute(att_dst, (-2, -1, -3))
    target = _cupy_bmm(h, _t2)
    _t3 = cp.swapaxes(source, -1, -2)
    _t4, leaky = _graph_attention_eval_identity_fwd_0(target, _t3, negative_slope)
    _t6 = _graph_attention_train_identity_fwd_1(adjacency)
    _t7 = cp.expand_dims(_t6, -3)
    weights = _graph_attention_train_identity_fwd_2(leaky, _t7)
    heads_out = _cupy_bmm(weights, h)
    _t8 = _cupy_mean(heads_out, -3)
    _t9 = cp.squeeze(_t8, axis=-3)
    z, y = _graph_attention_eval_relu_fwd_3(_t9, bias)
    return y, (x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8, z)


# graph_attention_eval_relu_bwd_1: layers_spec/primitives.yaml:371
_graph_attention_eval_relu_bwd_1 = ElementwiseKernel(
    "graph_attention_eval_relu_bwd_1",
    "T _t14, int64 _t15",
    "T grad_heads_out",
    """
    grad_heads_out = _t14 / _t15;
    """,
    scalars=("_t15",),
)


# graph_attention_eval_relu_bwd_2: layers_spec/primitives.yaml:2973,282,283,61; layers_spec/layers/graph_attention.yaml:34
_graph_attention_eval_relu_bwd_2 = RowBlockKernel(
    "graph_attention_eval_relu_bwd_2",
    "row T grad_weights, row T weights, row bool _t4, scalar T negative_slope",
    "row T grad_scores, per_row T grad_target",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    bool _c__t4[LF_REGISTERS];
    T _t21 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c__t4, _row__t4, _j);
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t21 = _Sum()(_t21, grad_weights * weights);
    )
    _t21 = _row_reduce(_t21, _Sum());
    T grad_target = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const bool _t4 = _at.get(_c__t4, _row__t4, _j);
        const T _t22 = grad_weights - _t21;
        const T grad_masked = weights * _t22;
        const T _t24 = grad_masked * _t4;
        const bool _t25 = !_t4;
        const T _t26 = grad_masked * _t25;
        const T _t27 = _t26 * negative_slope;
        const T grad_scores = _t24 + _t27;
        grad_target = _Sum()(grad_target, grad_scores);
    )
    grad_target = _row_reduce(grad_target, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const bool _t4 = _at.get(_c__t4, _row__t4, _j);
        const T _t22 = grad_weights - _t21;
        const T grad_masked = weights * _t22;
        const T _t24 = grad_masked * _t4;
        const bool _t25 = !_t4;
        const T _t26 = grad_masked * _t25;
        const T _t27 = _t26 * negative_slope;
        const T grad_scores = _t24 + _t27;
        _row_grad_scores[_j] = grad_scores;
    )
    """,
)


# graph_attention_eval_relu_bwd_3: layers_spec/primitives.yaml:2796
_graph_attention_eval_relu_bwd_3 = ElementwiseKernel(
    "graph_attention_eval_relu_bwd_3",
    "T _t20, T _t32, T _t38",
    "T grad_h",
    """
    T _t43 = _t20 + _t32;
    grad_h = _t43 + _t38;
    """,
)


def _cupy_backward_eval_relu(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8, z
):
    import cupy as cp

    grad_z = _graph_attention_train_relu_no_bias_bwd_1(z, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    _t13 = grad_z.reshape(_t8.shape)
    _t14 = cp.broadcast_to(_t13, h.shape)
    _t15 = h.shape[-3]
    grad_heads_out = _graph_attention_eval_relu_bwd_1(_t14, _t15)
    _t17 = cp.swapaxes(h, -1, -2)
    grad_weights = _cupy_bmm(grad_heads_out, _t17)
    _t19 = cp.swapaxes(weights, -1, -2)
    _t20 = _cupy_bmm(_t19, grad_heads_out)
    grad_scores, grad_target = _graph_attention_eval_relu_bwd_2(
        grad_weights, weights, _t4, negative_slope
    )
    _t29 = cp.sum(grad_scores, axis=-2, keepdims=True)
    grad_source = cp.swapaxes(_t29, -1, -2)
    _t31 = cp.swapaxes(_t2, -1, -2)
    _t32 = _cupy_bmm(grad_target, _t31)
    _t33 = cp.swapaxes(h, -1, -2)
    _t34 = _cupy_bmm(_t33, grad_target)
    _t35 = _cupy_sum_to(_t34, _t1.shape)
    grad_att_dst = _unpermute(_t35, (-2, -1, -3))
    _t37 = cp.swapaxes(_t1, -1, -2)
    _t38 = _cupy_bmm(grad_source, _t37)
    _t39 = cp.swapaxes(h, -1, -2)
    _t40 = _cupy_bmm(_t39, grad_source)
    _t41 = _cupy_sum_to(_t40, _t1.shape)
    grad_att_src = _unpermute(_t41, (-2, -1, -3))
    _t44 = lin_weight.shape[0]
    grad_h = _graph_attention_eval_relu_bwd_3(_t20, _t32, _t38)
    _t45 = _merge_heads(grad_h, _t44)
    grad_x = _linear_heads_input_grad(_t45, lin_weight)
    _t47 = lin_weight.shape[0]
    _t48 = _merge_heads(grad_h, _t47)
    grad_lin_weight = _linear_heads_weight_grad(_t48, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, grad_bias


def _cupy_forward_eval_identity_no_bias(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    import cupy as cp

    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    source = _cupy_bmm(h, _t1)
    _t2 = _permute(att_dst, (-2, -1, -3))
    target = _cupy_bmm(h, _t2)
    _t3 = cp.swapaxes(source, -1, -2)
    _t4, leaky = _graph_attention_eval_identity_fwd_0(target, _t3, negative_slope)
    _t6 = _graph_attention_train_identity_fwd_1(adjacency)
    _t7 = cp.expand_dims(_t6, -3)
    weights = _graph_attention_train_identity_fwd_2(leaky, _t7)
    heads_out = _cupy_bmm(weights, h)
    _t8 = _cupy_mean(heads_out, -3)
    z = cp.squeeze(_t8, axis=-3)
    return z, (x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8)


# graph_attention_eval_identity_no_bias_bwd_0: layers_spec/primitives.yaml:371
_graph_attention_eval_identity_no_bias_bwd_0 = ElementwiseKernel(
    "graph_attention_eval_identity_no_bias_bwd_0",
    "T _t10, int64 _t11",
    "T grad_heads_out",
    """
    grad_heads_out = _t10 / _t11;
    """,
    scalars=("_t11",),
)


# graph_attention_eval_identity_no_bias_bwd_1: layers_spec/primitives.yaml:2973,282,283,61; layers_spec/layers/graph_attention.yaml:34
_graph_attention_eval_identity_no_bias_bwd_1 = RowBlockKernel(
    "graph_attention_eval_identity_no_bias_bwd_1",
    "row T grad_weights, row T weights, row bool _t4, scalar T negative_slope",
    "row T grad_scores, per_row T grad_target",
    """
    T _c_grad_weights[LF_REGISTERS];
    T _c_weights[LF_REGISTERS];
    bool _c__t4[LF_REGISTERS];
    T _t17 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c__t4, _row__t4, _j);
        const T grad_weights = _at.fill(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.fill(_c_weights, _row_weights, _j);
        _t17 = _Sum()(_t17, grad_weights * weights);
    )
    _t17 = _row_reduce(_t17, _Sum());
    T grad_target = T(0);
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const bool _t4 = _at.get(_c__t4, _row__t4, _j);
        const T _t18 = grad_weights - _t17;
        const T grad_masked = weights * _t18;
        const T _t20 = grad_masked * _t4;
        const bool _t21 = !_t4;
        const T _t22 = grad_masked * _t21;
        const T _t23 = _t22 * negative_slope;
        const T grad_scores = _t20 + _t23;
        grad_target = _Sum()(grad_target, grad_scores);
    )
    grad_target = _row_reduce(grad_target, _Sum());
    LF_ROW_LOOP(
        const T grad_weights = _at.get(_c_grad_weights, _row_grad_weights, _j);
        const T weights = _at.get(_c_weights, _row_weights, _j);
        const bool _t4 = _at.get(_c__t4, _row__t4, _j);
        const T _t18 = grad_weights - _t17;
        const T grad_masked = weights * _t18;
        const T _t20 = grad_masked * _t4;
        const bool _t21 = !_t4;
        const T _t22 = grad_masked * _t21;
        const T _t23 = _t22 * negative_slope;
        const T grad_scores = _t20 + _t23;
        _row_grad_scores[_j] = grad_scores;
    )
    """,
)


# graph_attention_eval_identity_no_bias_bwd_2: layers_spec/primitives.yaml:2796
_graph_attention_eval_identity_no_bias_bwd_2 = ElementwiseKernel(
    "graph_attention_eval_identity_no_bias_bwd_2",
    "T _t16, T _t28, T _t34",
    "T grad_h",
    """
    T _t39 = _t16 + _t28;
    grad_h = _t39 + _t34;
    """,
)


def _cupy_backward_eval_identity_no_bias(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8
):
    import cupy as cp

    _t9 = grad_y.reshape(_t8.shape)
    _t10 = cp.broadcast_to(_t9, h.shape)
    _t11 = h.shape[-3]
    grad_heads_out = _graph_attention_eval_identity_no_bias_bwd_0(_t10, _t11)
    _t13 = cp.swapaxes(h, -1, -2)
    grad_weights = _cupy_bmm(grad_heads_out, _t13)
    _t15 = cp.swapaxes(weights, -1, -2)
    _t16 = _cupy_bmm(_t15, grad_heads_out)
    grad_scores, grad_target = _graph_attention_eval_identity_no_bias_bwd_1(
        grad_weights, weights, _t4, negative_slope
    )
    _t25 = cp.sum(grad_scores, axis=-2, keepdims=True)
    grad_source = cp.swapaxes(_t25, -1, -2)
    _t27 = cp.swapaxes(_t2, -1, -2)
    _t28 = _cupy_bmm(grad_target, _t27)
    _t29 = cp.swapaxes(h, -1, -2)
    _t30 = _cupy_bmm(_t29, grad_target)
    _t31 = _cupy_sum_to(_t30, _t1.shape)
    grad_att_dst = _unpermute(_t31, (-2, -1, -3))
    _t33 = cp.swapaxes(_t1, -1, -2)
    _t34 = _cupy_bmm(grad_source, _t33)
    _t35 = cp.swapaxes(h, -1, -2)
    _t36 = _cupy_bmm(_t35, grad_source)
    _t37 = _cupy_sum_to(_t36, _t1.shape)
    grad_att_src = _unpermute(_t37, (-2, -1, -3))
    _t40 = lin_weight.shape[0]
    grad_h = _graph_attention_eval_identity_no_bias_bwd_2(_t16, _t28, _t34)
    _t41 = _merge_heads(grad_h, _t40)
    grad_x = _linear_heads_input_grad(_t41, lin_weight)
    _t43 = lin_weight.shape[0]
    _t44 = _merge_heads(grad_h, _t43)
    grad_lin_weight = _linear_heads_weight_grad(_t44, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, None


def _cupy_forward_eval_relu_no_bias(
    rng, x, adjacency, lin_weight, att_src, att_dst, bias, negative_slope, dropout
):
    import cupy as cp

    h = _linear_heads(x, lin_weight)
    _t1 = _permute(att_src, (-2, -1, -3))
    source = _cupy_bmm(h, _t1)
    _t2 = _permute(att_dst, (-2, -1, -3))
    target = _cupy_bmm(h, _t2)
    _t3 = cp.swapaxes(source, -1, -2)
    _t4, leaky = _graph_attention_eval_identity_fwd_0(target, _t3, negative_slope)
    _t6 = _graph_attention_train_identity_fwd_1(adjacency)
    _t7 = cp.expand_dims(_t6, -3)
    weights = _graph_attention_train_identity_fwd_2(leaky, _t7)
    heads_out = _cupy_bmm(weights, h)
    _t8 = _cupy_mean(heads_out, -3)
    z = cp.squeeze(_t8, axis=-3)
    y = _graph_attention_train_relu_no_bias_fwd_4(z)
    return y, (x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8, z)


# graph_attention_eval_relu_no_bias_bwd_0: layers_spec/primitives.yaml:252
_graph_attention_eval_relu_no_bias_bwd_0 = ElementwiseKernel(
    "graph_attention_eval_relu_no_bias_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t9 = z > T(0);
    grad_z = grad_y * _t9;
    """,
)


def _cupy_backward_eval_relu_no_bias(
    grad_y, x, lin_weight, bias, negative_slope, h, _t1, _t2, _t4, weights, _t8, z
):
    import cupy as cp

    grad_z = _graph_attention_eval_relu_no_bias_bwd_0(z, grad_y)
    _t11 = grad_z.reshape(_t8.shape)
    _t12 = cp.broadcast_to(_t11, h.shape)
    _t13 = h.shape[-3]
    grad_heads_out = _graph_attention_eval_identity_bwd_0(_t12, _t13)
    _t15 = cp.swapaxes(h, -1, -2)
    grad_weights = _cupy_bmm(grad_heads_out, _t15)
    _t17 = cp.swapaxes(weights, -1, -2)
    _t18 = _cupy_bmm(_t17, grad_heads_out)
    grad_scores, grad_target = _graph_attention_eval_identity_bwd_1(
        grad_weights, weights, _t4, negative_slope
    )
    _t27 = cp.sum(grad_scores, axis=-2, keepdims=True)
    grad_source = cp.swapaxes(_t27, -1, -2)
    _t29 = cp.swapaxes(_t2, -1, -2)
    _t30 = _cupy_bmm(grad_target, _t29)
    _t31 = cp.swapaxes(h, -1, -2)
    _t32 = _cupy_bmm(_t31, grad_target)
    _t33 = _cupy_sum_to(_t32, _t1.shape)
    grad_att_dst = _unpermute(_t33, (-2, -1, -3))
    _t35 = cp.swapaxes(_t1, -1, -2)
    _t36 = _cupy_bmm(grad_source, _t35)
    _t37 = cp.swapaxes(h, -1, -2)
    _t38 = _cupy_bmm(_t37, grad_source)
    _t39 = _cupy_sum_to(_t38, _t1.shape)
    grad_att_src = _unpermute(_t39, (-2, -1, -3))
    _t42 = lin_weight.shape[0]
    grad_h = _graph_attention_eval_identity_bwd_2(_t18, _t30, _t36)
    _t43 = _merge_heads(grad_h, _t42)
    grad_x = _linear_heads_input_grad(_t43, lin_weight)
    _t45 = lin_weight.shape[0]
    _t46 = _merge_heads(grad_h, _t45)
    grad_lin_weight = _linear_heads_weight_grad(_t46, x, lin_weight)
    return grad_x, grad_lin_weight, grad_att_src, grad_att_dst, None


def _cupy_backward_composed(
    grad_y, module, activation_ctx, linear_backward, linear_saved
):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_CUPY_FUSED = {
    ("identity", True, True): (
        _cupy_forward_train_identity,
        _cupy_backward_train_identity,
    ),
    ("relu", True, True): (_cupy_forward_train_relu, _cupy_backward_train_relu),
    ("identity", True, False): (
        _cupy_forward_train_identity_no_bias,
        _cupy_backward_train_identity_no_bias,
    ),
    ("relu", True, False): (
        _cupy_forward_train_relu_no_bias,
        _cupy_backward_train_relu_no_bias,
    ),
    ("identity", False, True): (
        _cupy_forward_eval_identity,
        _cupy_backward_eval_identity,
    ),
    ("relu", False, True): (_cupy_forward_eval_relu, _cupy_backward_eval_relu),
    ("identity", False, False): (
        _cupy_forward_eval_identity_no_bias,
        _cupy_backward_eval_identity_no_bias,
    ),
    ("relu", False, False): (
        _cupy_forward_eval_relu_no_bias,
        _cupy_backward_eval_relu_no_bias,
    ),
}


def _cupy_bmm(a, b):
    """a [..., M, K] @ b [..., K, N]. Stacks of equal leading shape are shared out over
    the threads (set_num_threads) by their first axis, each product with one BLAS
    thread: attention's many small per-head products run several times faster so than
    with BLAS's own threads (which spin and contend for the cores); others are np.matmul.
    """
    import cupy as cp

    if a.ndim < 3 or a.shape[:-2] != b.shape[:-2]:
        return cp.matmul(a, b)
    out = cp.empty(a.shape[:-1] + b.shape[-1:], dtype=a.dtype)

    def products(first, last):
        cp.matmul(a[first:last], b[first:last], out=out[first:last])

    in_chunks(products, a.shape[0], a)
    return out


def _cupy_mean(x, axis):
    """The mean along ``axis``, kept as a length-1 axis; along the last axis of a float
    array a matrix-vector product with 1 / n (BLAS), as in _sum."""
    import cupy as cp

    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        return cp.matmul(x, cp.full(x.shape[-1], 1 / x.shape[-1], x.dtype))[..., None]
    return cp.mean(x, axis=axis, keepdims=True)


def _cupy_sum_to(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast; over
    leading axes only (a bias gradient) as a vector-matrix product with ones (BLAS)."""
    import cupy as cp

    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes == tuple(range(lead)) and lead and grad.size and grad.dtype.kind == "f":
        rows = grad.reshape(-1, grad[(0,) * lead].size)
        return cp.matmul(cp.ones(rows.shape[0], grad.dtype), rows).reshape(shape)
    return cp.sum(grad, axis=axes).reshape(shape) if axes else grad
