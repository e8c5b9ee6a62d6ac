"""GraphConvolutional: Graph convolution over a dense adjacency matrix, y =
activation(adjacency @ (x @ weight.T) + bias), as torch.bmm(adjacency, F.linear(x,
weight)) + bias: each node sums its neighbours' projected features, weighted by the
adjacency's entries. The adjacency is used as given (not normalised: pass D^-1/2 (A + I)
D^-1/2 for Kipf and Welling's GCN) and takes no gradient. A batch of graphs has one
adjacency per graph; graphs that share one pass it broadcast (np.broadcast_to(a, (B, N,
N)), a view), and a single graph is x [N, F_in] with adjacency [N, N].
Generated from layers_spec/layers/graph_convolutional.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    activation_module,
    check_options,
    in_chunks,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x", "adjacency")
PARAMETERS = ("weight", "bias")
OUTPUTS = ("y",)


def forward(
    x, adjacency, weight, bias=None, *, activation="identity", activation_options=None
):
    """GraphConvolutional forward pass.

    Graph convolution over a dense adjacency matrix, y = activation(adjacency @ (x @
    weight.T) + bias), as torch.bmm(adjacency, F.linear(x, weight)) + bias: each node
    sums its neighbours' projected features, weighted by the adjacency's entries. The
    adjacency is used as given (not normalised: pass D^-1/2 (A + I) D^-1/2 for Kipf and
    Welling's GCN) and takes no gradient. A batch of graphs has one adjacency per graph;
    graphs that share one pass it broadcast (np.broadcast_to(a, (B, N, N)), a view), and
    a single graph is x [N, F_in] with adjacency [N, N].

    Args:
        x: float32 or float64 input of shape [..., N, in_features]. Node features
            [batch, nodes, in_features].
        adjacency: float32 or float64 (no gradient) input of shape [..., N, N]. Edge
            weights [batch, nodes, nodes]: row i weighs the neighbours whose features
            node i sums; no gradient.
        weight: float32 or float64 parameter of shape [out_features, in_features]. The
            projection in torch.nn.Linear's layout [out, in].
        bias: float32 or float64 parameter of shape [out_features]. Added after the
            aggregation (0 at first); None for a layer without bias.
        activation: name of the activation applied to the result, default 'identity';
            identity, relu are fused into specialized code, any other activation of
            layerforge.activations is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "graph_convolutional",
        {"x": x, "adjacency": adjacency, "weight": weight, "bias": bias},
        {
            "x": ("...", "N", "in_features"),
            "adjacency": ("...", "N", "N"),
            "weight": ("out_features", "in_features"),
            "bias": ("out_features",),
        },
        optional=("bias",),
    )
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get((activation, bias is not None))
        if fused is not None:
            forward_variant, backward_variant = fused
            if options:
                check_options("graph_convolutional", activation, options)
            y, saved = forward_variant(x, adjacency, weight, bias, **options)
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("graph_convolutional", activation)
        if options:
            check_options("graph_convolutional", activation, options)
        linear_forward, linear_backward = _CUPY_FUSED["identity", bias is not None]
        y_linear, linear_saved = linear_forward(x, adjacency, weight, bias)
        y, activation_ctx = module.forward(y_linear, **options)
        return y, (
            _cupy_backward_composed,
            (module, activation_ctx, linear_backward, linear_saved),
            (y.dtype, y.shape),
            None,
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get((activation, bias is not None))
    if fused is not None:
        forward_variant, backward_variant = fused
        if options:
            check_options("graph_convolutional", activation, options)
        y, saved = forward_variant(x, adjacency, weight, bias, **options)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("graph_convolutional", activation)
    if options:
        check_options("graph_convolutional", activation, options)
    linear_forward, linear_backward = _FUSED["identity", bias is not None]
    y_linear, linear_saved = linear_forward(x, adjacency, weight, bias)
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_backward, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """GraphConvolutional backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    backward_variant, saved = check_context(
        "graph_convolutional", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_identity(x, adjacency, weight, bias):
    h = _linear(x, weight)
    z = _bmm(adjacency, h) + bias
    return z, (x, adjacency, weight, bias)


def _backward_identity(grad_y, x, adjacency, weight, bias):
    grad_bias = _sum_to(grad_y, bias.shape)
    grad_h = _bmm(np.swapaxes(adjacency, -1, -2), grad_y)
    grad_x = _linear_backward_input(grad_h, weight)
    grad_weight = _rows(grad_h).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


def _forward_relu(x, adjacency, weight, bias):
    h = _linear(x, weight)
    z = _bmm(adjacency, h) + bias
    y = np.clip(z, 0, np.inf, out=h)
    return y, (x, adjacency, weight, bias, z)


def _backward_relu(grad_y, x, adjacency, weight, bias, z):
    grad_z = grad_y * (z > 0)
    grad_bias = _sum_to(grad_z, bias.shape)
    grad_h = _bmm(np.swapaxes(adjacency, -1, -2), grad_z)
    grad_x = _linear_backward_input(grad_h, weight)
    grad_weight = _rows(grad_h).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


def _forward_identity_no_bias(x, adjacency, weight, bias):
    h = _linear(x, weight)
    z = _bmm(adjacency, h)
    return z, (x, adjacency, weight, bias)


def _backward_identity_no_bias(grad_y, x, adjacency, weight, bias):
    grad_h = _bmm(np.swapaxes(adjacency, -1, -2), grad_y)
    grad_x = _linear_backward_input(grad_h, weight)
    grad_weight = _rows(grad_h).T @ _rows(x)
    return grad_x, grad_weight, None


def _forward_relu_no_bias(x, adjacency, weight, bias):
    h = _linear(x, weight)
    z = _bmm(adjacency, h)
    y = np.clip(z, 0, np.inf, out=h)
    return y, (x, adjacency, weight, bias, z)


def _backward_relu_no_bias(grad_y, x, adjacency, weight, bias, z):
    grad_z = grad_y * (z > 0)
    grad_h = _bmm(np.swapaxes(adjacency, -1, -2), grad_z)
    grad_x = _linear_backward_input(grad_h, weight)
    grad_weight = _rows(grad_h).T @ _rows(x)
    return grad_x, grad_weight, None


def _backward_composed(grad_y, module, activation_ctx, linear_backward, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_FUSED = {
    ("identity", True): (_forward_identity, _backward_identity),
    ("relu", True): (_forward_relu, _backward_relu),
    ("identity", False): (_forward_identity_no_bias, _backward_identity_no_bias),
    ("relu", False): (_forward_relu_no_bias, _backward_relu_no_bias),
}


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


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# graph_convolutional_identity_fwd_0: layers_spec/layers/graph_convolutional.yaml:23
_graph_convolutional_identity_fwd_0 = ElementwiseKernel(
    "graph_convolutional_identity_fwd_0",
    "T _t1, T bias",
    "T z",
    """
    z = _t1 + bias;
    """,
)


def _cupy_forward_identity(x, adjacency, weight, bias):
    h = _linear(x, weight)
    _t1 = _cupy_bmm(adjacency, h)
    z = _graph_convolutional_identity_fwd_0(_t1, bias)
    return z, (x, adjacency, weight, bias)


def _cupy_backward_identity(grad_y, x, adjacency, weight, bias):
    import cupy as cp

    grad_bias = _cupy_sum_to(grad_y, bias.shape)
    _t3 = cp.swapaxes(adjacency, -1, -2)
    grad_h = _cupy_bmm(_t3, grad_y)
    grad_x = _linear_backward_input(grad_h, weight)
    grad_weight = _rows(grad_h).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


# graph_convolutional_relu_fwd_0: layers_spec/layers/graph_convolutional.yaml:23; layers_spec/activations/relu.yaml:8
_graph_convolutional_relu_fwd_0 = ElementwiseKernel(
    "graph_convolutional_relu_fwd_0",
    "T _t1, T bias",
    "T z, T y",
    """
    z = _t1 + bias;
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu(x, adjacency, weight, bias):
    h = _linear(x, weight)
    _t1 = _cupy_bmm(adjacency, h)
    z, y = _graph_convolutional_relu_fwd_0(_t1, bias)
    return y, (x, adjacency, weight, bias, z)


# graph_convolutional_relu_bwd_0: layers_spec/primitives.yaml:252
_graph_convolutional_relu_bwd_0 = ElementwiseKernel(
    "graph_convolutional_relu_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t2 = z > T(0);
    grad_z = grad_y * _t2;
    """,
)


def _cupy_backward_relu(grad_y, x, adjacency, weight, bias, z):
    import cupy as cp

    grad_z = _graph_convolutional_relu_bwd_0(z, grad_y)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    _t5 = cp.swapaxes(adjacency, -1, -2)
    grad_h = _cupy_bmm(_t5, grad_z)
    grad_x = _linear_backward_input(grad_h, weight)
    grad_weight = _rows(grad_h).T @ _rows(x)
    return grad_x, grad_weight, grad_bias


def _cupy_forward_identity_no_bias(x, adjacency, weight, bias):
    h = _linear(x, weight)
    z = _cupy_bmm(adjacency, h)
    return z, (x, adjacency, weight, bias)


def _cupy_backward_identity_no_bias(grad_y, x, adjacency, weight, bias):
    import cupy as cp

    _t1 = cp.swapaxes(adjacency, -1, -2)
    grad_h = _cupy_bmm(_t1, grad_y)
    grad_x = _linear_backward_input(grad_h, weight)
    grad_weight = _rows(grad_h).T @ _rows(x)
    return grad_x, grad_weight, None


# graph_convolutional_relu_no_bias_fwd_0: layers_spec/activations/relu.yaml:8
_graph_convolutional_relu_no_bias_fwd_0 = ElementwiseKernel(
    "graph_convolutional_relu_no_bias_fwd_0",
    "T z",
    "T y",
    """
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu_no_bias(x, adjacency, weight, bias):
    h = _linear(x, weight)
    z = _cupy_bmm(adjacency, h)
    y = _graph_convolutional_relu_no_bias_fwd_0(z)
    return y, (x, adjacency, weight, bias, z)


# graph_convolutional_relu_no_bias_bwd_0: layers_spec/primitives.yaml:252
_graph_convolutional_relu_no_bias_bwd_0 = ElementwiseKernel(
    "graph_convolutional_relu_no_bias_bwd_0",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t1 = z > T(0);
    grad_z = grad_y * _t1;
    """,
)


def _cupy_backward_relu_no_bias(grad_y, x, adjacency, weight, bias, z):
    import cupy as cp

    grad_z = _graph_convolutional_relu_no_bias_bwd_0(z, grad_y)
    _t3 = cp.swapaxes(adjacency, -1, -2)
    grad_h = _cupy_bmm(_t3, grad_z)
    grad_x = _linear_backward_input(grad_h, weight)
    grad_weight = _rows(grad_h).T @ _rows(x)
    return grad_x, grad_weight, None


def _cupy_backward_composed(
    grad_y, module, activation_ctx, linear_backward, linear_saved
):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_CUPY_FUSED = {
    ("identity", True): (_cupy_forward_identity, _cupy_backward_identity),
    ("relu", True): (_cupy_forward_relu, _cupy_backward_relu),
    ("identity", False): (
        _cupy_forward_identity_no_bias,
        _cupy_backward_identity_no_bias,
    ),
    ("relu", False): (_cupy_forward_relu_no_bias, _cupy_backward_relu_no_bias),
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
