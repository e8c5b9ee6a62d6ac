"""Graph and expert layers of issue 20 against PyTorch compositions, forward and backward,
float32 and float64: graph_convolutional against torch.bmm(A, F.linear(X, W)) + b,
graph_attention against a dense composition of PyTorch Geometric's GATConv (concat=False,
add_self_loops=False), and both against PyG's own GATConv and GCNConv (normalize=False) graph by
graph, mixture_of_experts against a dense
evaluation of every expert with a torch.topk mask. Tolerances are test_layer_parity's
(float64 1e-9 relative; float32 1e-4 relative, scaled by the largest value). Also float64
finite differences of every gradient, and the errors for bad input.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import central_differences
from layerforge.layers import graph_attention, graph_convolutional, mixture_of_experts
from test_layer_parity import DTYPES, TOL

B, N, F_IN, F_OUT, HEADS = 2, 5, 4, 3, 2
ROWS, EXPERTS, HIDDEN = 6, 4, 5


def draw(shape, dtype, seed, low=-1.5, high=1.5):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def close(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert ours.dtype == dtype, f"{what}: dtype {ours.dtype}"
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, expected {theirs.shape}"
    tol = dict(TOL[dtype])
    if dtype == np.float32:
        tol["atol"] *= max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    np.testing.assert_allclose(ours, theirs, err_msg=what, **tol)


def adjacency_of(shape, dtype, seed):
    """Edge weights with about a third of the entries 0 (no edge), node 0 isolated."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.1, 1.0, shape) * (rng.random(shape) < 0.65)
    a[..., 0, :] = 0
    return a.astype(dtype)


def check_finite_differences(op, run, arrays, what):
    """float64 central differences (eps 1e-6: truncation and rounding both near 1e-9) of
    <g, y> against every gradient backward returns."""
    y, ctx = run(*arrays)
    g = np.random.default_rng(5).standard_normal(y.shape)
    grads = op.backward(g, ctx)
    assert len(grads) == len(arrays)
    for index, ours in enumerate(grads):
        expected = central_differences(lambda a: float(np.sum(run(*a)[0] * g)), arrays, index)
        np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-8, err_msg=f"{what}: gradient {index}")


# -- graph_convolutional --------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias, activation, shared", [(True, "identity", False), (False, "relu", False),
                                                       (True, "tanh", True)])
def test_graph_convolutional_against_torch_bmm(dtype, bias, activation, shared):
    """One adjacency per graph, or one shared by the batch (broadcast, a view); the fused
    activations and a composed one (tanh)."""
    x, weight = draw((B, N, F_IN), dtype, 1), draw((F_OUT, F_IN), dtype, 2)
    b = draw((F_OUT,), dtype, 3) if bias else None
    a = adjacency_of((N, N) if shared else (B, N, N), dtype, 4)
    given = np.broadcast_to(a, (B, N, N)) if shared else a
    y, ctx = graph_convolutional.forward(x, given, weight, b, activation=activation)
    g = draw(y.shape, dtype, 5)
    grads = graph_convolutional.backward(g, ctx)

    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(weight, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True) if bias else None
    z = torch.bmm(torch.from_numpy(np.ascontiguousarray(given)), F.linear(tx, tw))
    z = z + tb if bias else z
    out = {"identity": z, "relu": torch.relu(z), "tanh": torch.tanh(z)}[activation]
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    close(grads[0], tx.grad, dtype, "grad_x")
    close(grads[1], tw.grad, dtype, "grad_weight")
    if bias:
        close(grads[2], tb.grad, dtype, "grad_bias")
    else:
        assert grads[2] is None
    assert len(grads) == 3  # the adjacency takes no gradient


def test_graph_convolutional_of_one_graph_without_batch():
    x, weight, b = draw((N, F_IN), np.float64, 1), draw((F_OUT, F_IN), np.float64, 2), draw((F_OUT,), np.float64, 3)
    a = adjacency_of((N, N), np.float64, 4)
    y, _ = graph_convolutional.forward(x, a, weight, b)
    np.testing.assert_allclose(y, a @ (x @ weight.T) + b, rtol=1e-12, atol=1e-12)


def test_graph_convolutional_finite_differences_float64():
    rng = np.random.default_rng(11)
    arrays = [rng.standard_normal(s) for s in ((2, 3, 4), (3, 4), (3,))]
    a = adjacency_of((2, 3, 3), np.float64, 2)
    check_finite_differences(graph_convolutional, lambda x, w, b: graph_convolutional.forward(x, a, w, b, activation="elu"),
                             arrays, "graph_convolutional")


def test_nn_graph_convolutional_trains_a_step():
    from layerforge import nn

    layer = nn.GraphConvolutional(F_IN, F_OUT, activation="relu", rng=np.random.default_rng(0), dtype=np.float64)
    x, a = draw((B, N, F_IN), np.float64, 1), adjacency_of((B, N, N), np.float64, 2)
    y = layer(x, a)
    grad_x = layer.backward(np.ones_like(y))
    assert y.shape == (B, N, F_OUT) and grad_x.shape == x.shape
    assert set(layer.grads) == {"weight", "bias"}
    np.testing.assert_allclose(layer.grads["bias"], np.sum(y > 0, axis=(0, 1)))



# -- graph_attention ------------------------------------------------------------------------


def gat_torch(x, adjacency, lin_weight, att_src, att_dst, bias, slope):
    """GATConv(concat=False, add_self_loops=False) written densely: e[b, h, i, j] = leaky_relu(
    att_dst . h_i + att_src . h_j) on the edges j -> i (adjacency[b, i, j] != 0), softmax
    over j, the heads averaged. Non-edges get -1e30 rather than -inf (a node without
    neighbours would give NaN), and such a node's weights are multiplied by 0."""
    h = torch.einsum("bnf,hcf->bhnc", x, lin_weight)
    source = (h * att_src[0][None, :, None, :]).sum(-1)
    target = (h * att_dst[0][None, :, None, :]).sum(-1)
    e = F.leaky_relu(target[..., :, None] + source[..., None, :], slope)
    edges = (adjacency != 0)[:, None]
    e = torch.where(edges, e, torch.full_like(e, -1e30))
    alpha = torch.softmax(e, -1) * edges.any(-1, keepdim=True)
    out = (alpha @ h).mean(1)
    return out + bias if bias is not None else out


def close_gat_gradients(grads, tx, tparams, dtype):
    """graph_attention's gradients against torch's: x's, then each parameter's (None for a
    bias left out)."""
    close(grads[0], tx.grad, dtype, "grad_x")
    for name, ours, theirs in zip(["lin_weight", "att_src", "att_dst", "bias"], grads[1:], tparams):
        if theirs is None:
            assert ours is None
        else:
            close(ours, theirs.grad, dtype, f"grad_{name}")


def gat_params(dtype, seed=2, bias=True):
    return [draw((HEADS, F_OUT, F_IN), dtype, seed), draw((1, HEADS, F_OUT), dtype, seed + 1),
            draw((1, HEADS, F_OUT), dtype, seed + 2), draw((F_OUT,), dtype, seed + 3) if bias else None]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias, activation, slope", [(True, "identity", 0.2), (False, "elu", 0.5), (True, "relu", 0.2)])
def test_graph_attention_against_torch_composition(dtype, bias, activation, slope):
    """Node 0 has no neighbours (zeros, not NaN); the fused activations and a composed one (elu)."""
    x, a = draw((B, N, F_IN), dtype, 1), adjacency_of((B, N, N), dtype, 4)
    params = gat_params(dtype, bias=bias)
    y, ctx = graph_attention.forward(x, a, *params, negative_slope=slope, activation=activation)
    g = draw(y.shape, dtype, 9)
    grads = graph_attention.backward(g, ctx)

    tx = torch.tensor(x, requires_grad=True)
    tparams = [torch.tensor(p, requires_grad=True) if p is not None else None for p in params]
    z = gat_torch(tx, torch.from_numpy(a), *tparams, slope)
    out = {"identity": z, "elu": F.elu(z), "relu": torch.relu(z)}[activation]
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    assert np.all(np.isfinite(y)) and len(grads) == 5
    close_gat_gradients(grads, tx, tparams, dtype)


def test_graph_attention_against_a_message_passing_loop():
    """PyG's reading of the parameters, edge by edge in float64 NumPy: the message of the edge
    j -> i (adjacency[i, j] != 0) is scored by att_src . h_j + att_dst . h_i and normalised
    over the edges into i."""
    x, a = draw((1, N, F_IN), np.float64, 1), adjacency_of((1, N, N), np.float64, 4)
    lin_weight, att_src, att_dst, bias = gat_params(np.float64)
    y, _ = graph_attention.forward(x, a, lin_weight, att_src, att_dst, bias)
    expected = np.tile(bias, (N, 1))
    for head in range(HEADS):
        h = x[0] @ lin_weight[head].T
        for i in range(N):
            sources = [j for j in range(N) if a[0, i, j] != 0]
            if not sources:
                continue
            e = np.array([att_src[0, head] @ h[j] + att_dst[0, head] @ h[i] for j in sources])
            e = np.where(e > 0, e, 0.2 * e)
            alpha = np.exp(e - e.max()) / np.exp(e - e.max()).sum()
            expected[i] += alpha @ h[sources] / HEADS
    np.testing.assert_allclose(y[0], expected, rtol=1e-12, atol=1e-12)


def test_graph_attention_finite_differences_float64():
    rng = np.random.default_rng(11)
    arrays = [rng.standard_normal(s) for s in ((2, 3, 4), (2, 3, 4), (1, 2, 3), (1, 2, 3), (3,))]
    a = adjacency_of((2, 3, 3), np.float64, 2)
    a[:, 1, 1] = 1.0  # a self loop besides the other edges

    def run(*arrays):
        return graph_attention.forward(arrays[0], a, *arrays[1:], negative_slope=0.3, activation="elu")

    check_finite_differences(graph_attention, run, arrays, "graph_attention")


def test_nn_graph_attention_takes_pyg_parameters():
    """GATConv's state (lin.weight [heads * out, in], att_src, att_dst [1, heads, out], bias
    [out]) maps onto the layer's parameters with one reshape."""
    from layerforge import nn

    layer = nn.GraphAttention(F_IN, HEADS, F_OUT, activation="elu", rng=np.random.default_rng(0), dtype=np.float64)
    lin_weight, att_src, att_dst, bias = gat_params(np.float64)
    pyg_state = {"att_src": att_src, "att_dst": att_dst, "bias": bias,
                 "lin.weight": lin_weight.reshape(HEADS * F_OUT, F_IN)}
    layer.load_state_dict({"lin_weight": pyg_state["lin.weight"].reshape(HEADS, F_OUT, F_IN), "att_src": att_src,
                           "att_dst": att_dst, "bias": bias})
    x, a = draw((B, N, F_IN), np.float64, 1), adjacency_of((B, N, N), np.float64, 4)
    y = layer(x, a)
    tx = torch.tensor(x, requires_grad=True)
    out = F.elu(gat_torch(tx, torch.from_numpy(a), *(torch.from_numpy(p) for p in (lin_weight, att_src, att_dst, bias)),
                          0.2))
    close(y, out, np.float64, "y")
    grad_x = layer.backward(np.ones_like(y))
    out.backward(torch.ones_like(out))
    close(grad_x, tx.grad, np.float64, "grad_x")
    assert set(layer.grads) == {"lin_weight", "att_src", "att_dst", "bias"}


def gat_keep_scale(shape, dtype, p, seed):
    """The layer's dropout draw, repeated: uniforms of the attention's shape [B, heads, N, N]
    and dtype from a generator of this seed, kept where >= p, scaled by 1 / (1 - p)."""
    keep = np.random.default_rng(seed).random(shape, dtype=dtype) >= p
    return keep * dtype(1 / (1 - p))


def gat_torch_dropped(x, adjacency, lin_weight, att_src, att_dst, bias, slope, scale):
    """gat_torch with the attention coefficients multiplied by a fixed keep-mask (PyG applies
    F.dropout to alpha after the softmax)."""
    h = torch.einsum("bnf,hcf->bhnc", x, lin_weight)
    source = (h * att_src[0][None, :, None, :]).sum(-1)
    target = (h * att_dst[0][None, :, None, :]).sum(-1)
    e = F.leaky_relu(target[..., :, None] + source[..., None, :], slope)
    edges = (adjacency != 0)[:, None]
    e = torch.where(edges, e, torch.full_like(e, -1e30))
    alpha = torch.softmax(e, -1) * edges.any(-1, keepdim=True) * scale
    out = (alpha @ h).mean(1)
    return out + bias if bias is not None else out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias, activation", [(True, "relu"), (False, "elu")])
def test_graph_attention_dropout_against_torch_with_the_same_mask(dtype, bias, activation):
    """dropout = 0.4 in training: the torch composition fed the keep-mask drawn as the layer
    draws it (seed 7), forward and every gradient; a fused and a composed activation."""
    p = 0.4
    x, a = draw((B, N, F_IN), dtype, 1), adjacency_of((B, N, N), dtype, 4)
    params = gat_params(dtype, bias=bias)
    y, ctx = graph_attention.forward(x, a, *params, dropout=p, activation=activation, rng=np.random.default_rng(7))
    g = draw(y.shape, dtype, 9)
    grads = graph_attention.backward(g, ctx)

    scale = torch.from_numpy(gat_keep_scale((B, HEADS, N, N), dtype, p, 7))
    assert 0 < int((scale == 0).sum()) < scale.numel()
    tx = torch.tensor(x, requires_grad=True)
    tparams = [torch.tensor(q, requires_grad=True) if q is not None else None for q in params]
    z = gat_torch_dropped(tx, torch.from_numpy(a), *tparams, 0.2, scale)
    out = {"relu": torch.relu(z), "elu": F.elu(z)}[activation]
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    close_gat_gradients(grads, tx, tparams, dtype)


def test_graph_attention_without_dropout_draws_nothing():
    """dropout = 0 in training, or training=False with any dropout, is the plain layer, bit
    for bit, and takes nothing from the generator (the variant without dropout runs)."""
    x, a = draw((B, N, F_IN), np.float64, 1), adjacency_of((B, N, N), np.float64, 4)
    params = gat_params(np.float64)
    plain, _ = graph_attention.forward(x, a, *params)
    for kwargs in ({"dropout": 0.0, "training": True}, {"dropout": 0.5, "training": False}):
        rng = np.random.default_rng(3)
        y, ctx = graph_attention.forward(x, a, *params, rng=rng, **kwargs)
        np.testing.assert_array_equal(y, plain)
        assert rng.random() == np.random.default_rng(3).random()
        assert ctx[0] is graph_attention._FUSED["identity", False, True][1]
    assert graph_attention.forward(x, a, *params, dropout=1.0)[0] == pytest.approx(np.tile(params[3], (B, N, 1)))


def test_graph_attention_dropout_finite_differences_float64():
    """The gradient with dropout 0.3 in training, each evaluation with a generator of the
    same seed (the same mask)."""
    rng = np.random.default_rng(11)
    arrays = [rng.standard_normal(s) for s in ((2, 3, 4), (2, 3, 4), (1, 2, 3), (1, 2, 3), (3,))]
    a = adjacency_of((2, 3, 3), np.float64, 2)
    a[:, 1, 1] = 1.0

    def run(*arrays):
        return graph_attention.forward(arrays[0], a, *arrays[1:], negative_slope=0.3, dropout=0.3, activation="relu",
                                       rng=np.random.default_rng(21))

    check_finite_differences(graph_attention, run, arrays, "graph_attention with dropout")


def test_nn_graph_attention_drops_in_training_only():
    """nn.GraphAttention(dropout=p) drops with its rng in training mode (as nn.Dropout) and
    is deterministic after eval()."""
    from layerforge import nn

    layer = nn.GraphAttention(F_IN, HEADS, F_OUT, dropout=0.5, rng=np.random.default_rng(0), dtype=np.float64)
    x, a = draw((B, N, F_IN), np.float64, 1), adjacency_of((B, N, N), np.float64, 4)
    params = [layer.lin_weight, layer.att_src, layer.att_dst, layer.bias]
    layer.rng = np.random.default_rng(5)
    y = layer(x, a)
    expected, _ = graph_attention.forward(x, a, *params, dropout=0.5, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(y, expected)
    assert layer.backward(np.ones_like(y)).shape == x.shape
    layer.eval()
    np.testing.assert_array_equal(layer(x, a), graph_attention.forward(x, a, *params)[0])


# -- mixture_of_experts ---------------------------------------------------------------------


def moe_params(dtype, seed=2):
    shapes = [(EXPERTS, F_IN), (EXPERTS,), (EXPERTS, HIDDEN, F_IN), (EXPERTS, HIDDEN), (EXPERTS, F_OUT, HIDDEN),
              (EXPERTS, F_OUT)]
    return [draw(shape, dtype, seed + i) for i, shape in enumerate(shapes)]


def moe_torch(x, router_weight, router_bias, w1, b1, w2, b2, top_k):
    """Every expert on every row, the gates a softmax over the torch.topk logits (the others
    filled with -inf), the selection constant."""
    logits = F.linear(x, router_weight, router_bias)
    if top_k:
        kept = torch.zeros_like(logits, dtype=torch.bool).scatter_(-1, torch.topk(logits, top_k).indices, True)
        logits = logits.masked_fill(~kept, float("-inf"))
    gates = torch.softmax(logits, -1)
    hidden = torch.relu(torch.einsum("bd,ehd->ebh", x, w1) + b1[:, None])
    outs = torch.einsum("ebh,eoh->ebo", hidden, w2) + b2[:, None]
    return torch.einsum("be,ebo->bo", gates, outs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("top_k, activation", [(2, "identity"), (0, "identity"), (1, "tanh"), (EXPERTS, "identity")])
def test_mixture_of_experts_against_torch_topk_composition(dtype, top_k, activation):
    x, params = draw((ROWS, F_IN), dtype, 1), moe_params(dtype)
    y, ctx = mixture_of_experts.forward(x, *params, top_k=top_k, activation=activation)
    g = draw(y.shape, dtype, 9)
    grads = mixture_of_experts.backward(g, ctx)

    tx = torch.tensor(x, requires_grad=True)
    tparams = [torch.tensor(p, requires_grad=True) for p in params]
    z = moe_torch(tx, *tparams, top_k)
    out = torch.tanh(z) if activation == "tanh" else z
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    close(grads[0], tx.grad, dtype, "grad_x")
    names = ["router_weight", "router_bias", "expert_w1", "expert_b1", "expert_w2", "expert_b2"]
    for name, ours, theirs in zip(names, grads[1:], tparams):
        close(ours, theirs.grad, dtype, f"grad_{name}")


def test_mixture_of_experts_keeps_exactly_top_k_and_ignores_the_others():
    """With top_k = 2 the experts not kept take no part: changing their weights changes
    nothing, and their parameters get zero gradients where no row keeps them."""
    x, params = draw((ROWS, F_IN), np.float64, 1), moe_params(np.float64)
    params[1] = np.array([5.0, 4.0, -5.0, -6.0])  # the router keeps experts 0 and 1 for every row
    params[0] = params[0] * 0.01
    y, ctx = mixture_of_experts.forward(x, *params, top_k=2)
    changed = [p.copy() for p in params]
    changed[2][2:] += 1.0
    changed[5][2:] -= 3.0
    np.testing.assert_array_equal(mixture_of_experts.forward(x, *changed, top_k=2)[0], y)
    grads = mixture_of_experts.backward(np.ones_like(y), ctx)
    assert np.all(grads[3][2:] == 0) and np.all(grads[6][2:] == 0) and np.any(grads[6][:2] != 0)


def test_mixture_of_experts_finite_differences_float64():
    rng = np.random.default_rng(11)
    shapes = [(4, 3), (3, 3), (3,), (3, 4, 3), (3, 4), (3, 2, 4), (3, 2)]
    arrays = [rng.standard_normal(s) for s in shapes]
    check_finite_differences(mixture_of_experts, lambda *a: mixture_of_experts.forward(*a, top_k=2), arrays,
                             "mixture_of_experts")


def test_outside_top_k_keeps_exactly_k_per_row():
    """The selection primitive against a sort: k entries kept per row (False), the largest;
    k = 0 and k = n keep all; of equal entries at the k-th value exactly enough are kept."""
    from layerforge.layers.mixture_of_experts import _outside_top_k

    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5, 7))
    for k in (1, 3, 6):
        hidden = _outside_top_k(x, k)
        assert hidden.dtype == bool and np.all(np.sum(~hidden, axis=-1) == k)
        threshold = np.sort(x, axis=-1)[..., -k][..., None]
        np.testing.assert_array_equal(hidden, x < threshold)
    assert not np.any(_outside_top_k(x, 0)) and not np.any(_outside_top_k(x, 7))
    ties = np.array([[1.0, 3.0, 2.0, 3.0, 3.0]])
    kept = ~_outside_top_k(ties, 2)
    assert kept.sum() == 2 and np.all(ties[kept] == 3.0)


def test_nn_mixture_of_experts_trains_a_step():
    from layerforge import nn

    layer = nn.MixtureOfExperts(F_IN, EXPERTS, HIDDEN, F_OUT, top_k=2, rng=np.random.default_rng(0), dtype=np.float64)
    x = draw((ROWS, F_IN), np.float64, 1)
    y = layer(x)
    grad_x = layer.backward(np.ones_like(y))
    assert y.shape == (ROWS, F_OUT) and grad_x.shape == x.shape
    assert sorted(layer.grads) == sorted(["router_weight", "router_bias", "expert_w1", "expert_b1", "expert_w2",
                                          "expert_b2"])

def switch_loss_torch(x, router_weight, router_bias):
    """The Switch Transformer's load-balancing loss: E * sum_e f_e P_e, f_e the fraction of
    rows whose argmax is e (computed from detached logits: no gradient), P_e the mean router
    probability."""
    logits = F.linear(x, router_weight, router_bias)
    experts = logits.shape[-1]
    fraction = F.one_hot(logits.detach().argmax(-1), experts).to(logits.dtype).mean(0)
    return experts * (fraction * torch.softmax(logits, -1).mean(0)).sum()


@pytest.mark.parametrize("dtype", DTYPES)
def test_load_balancing_loss_against_torch_switch_composition(dtype):
    x, params = draw((ROWS, F_IN), dtype, 1), moe_params(dtype)
    loss, dx, d_weight, d_bias = mixture_of_experts.load_balancing_loss(x, params[0], params[1])
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, params[0], params[1]))
    expected = switch_loss_torch(tx, tw, tb)
    expected.backward()
    assert np.ndim(loss) == 0 and np.asarray(loss).dtype == dtype
    close(np.asarray(loss), expected, dtype, "loss")
    close(dx, tx.grad, dtype, "dx")
    close(d_weight, tw.grad, dtype, "d_router_weight")
    close(d_bias, tb.grad, dtype, "d_router_bias")


def test_load_balancing_loss_is_one_for_uniform_routing_and_finite_differences_float64():
    """A router of zeros gives p_e = 1 / E (f sums to 1): loss 1; and float64 central
    differences of the loss against the three gradients (the argmax fixed under the steps)."""
    x, params = draw((ROWS, F_IN), np.float64, 1), moe_params(np.float64)
    uniform = mixture_of_experts.load_balancing_loss(x, np.zeros_like(params[0]), np.zeros_like(params[1]))[0]
    assert uniform == pytest.approx(1.0, abs=1e-15)
    arrays = [x, params[0], params[1]]
    _, *grads = mixture_of_experts.load_balancing_loss(*arrays)
    for index, ours in enumerate(grads):
        expected = central_differences(lambda a: float(mixture_of_experts.load_balancing_loss(*a)[0]), arrays, index)
        np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-9, err_msg=f"gradient {index}")


def test_nn_mixture_of_experts_adds_the_load_balancing_loss():
    """The class's method uses its own router; its gradients scaled by a coefficient add to
    backward's, as torch's autograd of y.sum() + coef * loss."""
    from layerforge import nn

    coef = 0.01
    layer = nn.MixtureOfExperts(F_IN, EXPERTS, HIDDEN, F_OUT, top_k=2, rng=np.random.default_rng(0), dtype=np.float64)
    x = draw((ROWS, F_IN), np.float64, 1)
    y = layer(x)
    grad_x = layer.backward(np.ones_like(y))
    loss, dx, d_weight, d_bias = layer.load_balancing_loss(x)
    tx = torch.tensor(x, requires_grad=True)
    tparams = [torch.tensor(getattr(layer, n), requires_grad=True) for n in ("router_weight", "router_bias", "expert_w1",
                                                                            "expert_b1", "expert_w2", "expert_b2")]
    total = moe_torch(tx, *tparams, 2).sum() + coef * switch_loss_torch(tx, tparams[0], tparams[1])
    total.backward()
    close(grad_x + coef * dx, tx.grad, np.float64, "grad_x")
    close(layer.grads["router_weight"] + coef * d_weight, tparams[0].grad, np.float64, "grad_router_weight")
    close(layer.grads["router_bias"] + coef * d_bias, tparams[1].grad, np.float64, "grad_router_bias")


BAD = [
    (lambda: graph_convolutional.forward(np.zeros((2, 5, 4)), np.zeros((2, 5, 4)), np.zeros((3, 4))), ValueError,
     "graph_convolutional: argument 'adjacency' has N = 4 (shape (2, 5, 4), expected [..., N, N]), but 'x' has N = 5"),
    (lambda: graph_convolutional.forward(np.zeros((2, 5, 4)), np.zeros((3, 5, 5)), np.zeros((3, 4))), ValueError,
     "graph_convolutional: argument 'adjacency' has leading dimensions (3,)"),
    (lambda: graph_convolutional.forward(np.zeros((2, 5, 4)), np.zeros((2, 5, 5), np.float32), np.zeros((3, 4))),
     TypeError, "graph_convolutional: argument 'adjacency' has dtype float32 but 'x' has float64"),
    (lambda: graph_convolutional.forward(np.zeros((2, 5, 4)), np.zeros((2, 5, 5), bool), np.zeros((3, 4))),
     TypeError, "graph_convolutional: argument 'adjacency' must have dtype float32 or float64, got bool"),
    (lambda: graph_attention.forward(np.zeros((2, 5, 4)), np.zeros((2, 4, 5)), *gat_params(np.float64)), ValueError,
     "graph_attention: argument 'adjacency' has N = 4 (shape (2, 4, 5), expected [..., N, N]), but 'x' has N = 5"),
    (lambda: graph_attention.forward(np.zeros((2, 5, 4)), np.zeros((2, 5, 5)), np.zeros((2, 3, 4)), np.zeros((1, 3, 3)),
                                     np.zeros((1, 3, 3)), None), ValueError,
     "graph_attention: argument 'att_src' has heads = 3 (shape (1, 3, 3), expected [1, heads, out_channels]), but 'lin_weight' has heads = 2"),
    (lambda: graph_attention.forward(np.zeros((2, 5, 4)), np.zeros((2, 5, 5)), *gat_params(np.float64), negative_slope=-1.0),
     ValueError, "graph_attention: attribute 'negative_slope'"),
    (lambda: graph_attention.forward(np.zeros((2, 5, 4)), np.zeros((2, 5, 5)), *gat_params(np.float64), dropout=1.5),
     ValueError, "graph_attention: attribute 'dropout'"),
    (lambda: mixture_of_experts.load_balancing_loss(np.zeros((ROWS, F_IN)), np.zeros((EXPERTS, F_IN)), np.zeros(3)),
     ValueError, "mixture_of_experts.load_balancing_loss: argument 'router_bias' has num_experts = 3"),
    (lambda: mixture_of_experts.forward(np.zeros((ROWS, F_IN)), *moe_params(np.float64), top_k=5), ValueError,
     "mixture_of_experts: attribute 'top_k' = 5 must be at most the size of 'router_weight' along axis 0, which is 4"),
    (lambda: mixture_of_experts.forward(np.zeros((ROWS, F_IN)), *moe_params(np.float64), top_k=-1), ValueError,
     "mixture_of_experts: attribute 'top_k'"),
    (lambda: mixture_of_experts.forward(np.zeros((ROWS, F_IN)), *moe_params(np.float64)[:4], np.zeros((EXPERTS, F_OUT, 7)),
                                        np.zeros((EXPERTS, F_OUT))), ValueError,
     "mixture_of_experts: argument 'expert_w2' has hidden_features = 7"),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input_names_op_and_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


@pytest.mark.parametrize("dtype", DTYPES)
def test_graph_attention_against_pyg_gatconv(dtype):
    """PyTorch Geometric's GATConv(concat=False, add_self_loops=False), the issue's second
    oracle, graph by graph: the edge j -> i wherever adjacency[b, i, j] != 0 (edge_index
    [[j], [i]]), its lin.weight our lin_weight [heads, out, in] as [heads * out, in]. Output
    and every gradient (node 0 has no neighbours: bias alone, as PyG)."""
    import torch_geometric.nn as pyg
    x, a = draw((B, N, F_IN), dtype, 1), adjacency_of((B, N, N), dtype, 4)
    lin_weight, att_src, att_dst, bias = gat_params(dtype)
    y, ctx = graph_attention.forward(x, a, lin_weight, att_src, att_dst, bias, negative_slope=0.3)
    g = draw(y.shape, dtype, 9)
    grad_x, grad_lin, grad_src, grad_dst, grad_bias = graph_attention.backward(g, ctx)

    conv = pyg.GATConv(F_IN, F_OUT, heads=HEADS, concat=False, negative_slope=0.3, add_self_loops=False)
    conv = conv.to(torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():
        conv.lin.weight.copy_(torch.from_numpy(lin_weight.reshape(HEADS * F_OUT, F_IN)))
        conv.att_src.copy_(torch.from_numpy(att_src))
        conv.att_dst.copy_(torch.from_numpy(att_dst))
        conv.bias.copy_(torch.from_numpy(bias))
    tx = torch.tensor(x, requires_grad=True)
    outs = []
    for b in range(B):
        target, source = np.nonzero(a[b])
        edge_index = torch.from_numpy(np.stack([source, target]).astype(np.int64))
        outs.append(conv(tx[b], edge_index))
    out = torch.stack(outs)
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    close(grad_x, tx.grad, dtype, "grad_x")
    close(grad_lin, conv.lin.weight.grad.reshape(HEADS, F_OUT, F_IN), dtype, "grad_lin_weight")
    close(grad_src, conv.att_src.grad, dtype, "grad_att_src")
    close(grad_dst, conv.att_dst.grad, dtype, "grad_att_dst")
    close(grad_bias, conv.bias.grad, dtype, "grad_bias")


@pytest.mark.parametrize("dtype", DTYPES)
def test_graph_convolutional_against_pyg_gcnconv(dtype):
    """PyTorch Geometric's GCNConv(normalize=False, add_self_loops=False) as a second oracle,
    graph by graph: the edge j -> i with weight adjacency[b, i, j] wherever it is nonzero, its
    lin.weight our weight. Output and every gradient."""
    import torch_geometric.nn as pyg
    x, weight, b = draw((B, N, F_IN), dtype, 1), draw((F_OUT, F_IN), dtype, 2), draw((F_OUT,), dtype, 3)
    a = adjacency_of((B, N, N), dtype, 4)
    y, ctx = graph_convolutional.forward(x, a, weight, b)
    g = draw(y.shape, dtype, 5)
    grad_x, grad_weight, grad_bias = graph_convolutional.backward(g, ctx)

    conv = pyg.GCNConv(F_IN, F_OUT, normalize=False, add_self_loops=False)
    conv = conv.to(torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():
        conv.lin.weight.copy_(torch.from_numpy(weight))
        conv.bias.copy_(torch.from_numpy(b))
    tx = torch.tensor(x, requires_grad=True)
    outs = []
    for k in range(B):
        target, source = np.nonzero(a[k])
        edge_index = torch.from_numpy(np.stack([source, target]).astype(np.int64))
        outs.append(conv(tx[k], edge_index, torch.from_numpy(a[k][target, source])))
    out = torch.stack(outs)
    out.backward(torch.from_numpy(g))
    close(y, out, dtype, "y")
    close(grad_x, tx.grad, dtype, "grad_x")
    close(grad_weight, conv.lin.weight.grad, dtype, "grad_weight")
    close(grad_bias, conv.bias.grad, dtype, "grad_bias")


# -- on layerforge's threads ----------------------------------------------------------------


@pytest.mark.parametrize("threads", [1, 2])
def test_graph_and_expert_products_in_row_blocks_against_torch(threads):
    """Enough rows (x's rows and the H * C rows of the weight gradient, at least two blocks
    of in_row_products) that linear_heads and its gradients share their products out over
    layerforge's threads: graph_attention (160 node rows) and mixture_of_experts (200 rows,
    8 experts of 40 hidden units) against torch, float64, on one and two threads, with BLAS
    kept to one thread through each call (and its own count back after)."""
    from layerforge import _runtime as runtime

    dtype = np.float64
    rng = np.random.default_rng(3)
    runtime.set_num_threads(threads)
    try:
        x, a = rng.uniform(-1, 1, (2, 80, 16)), adjacency_of((2, 80, 80), dtype, 4)
        params = [rng.uniform(-0.5, 0.5, s) for s in [(4, 40, 16), (1, 4, 40), (1, 4, 40), (40,)]]
        y, ctx = graph_attention.forward(x, a, *params)
        g = rng.standard_normal(y.shape)
        grads = graph_attention.backward(g, ctx)
        tx = torch.tensor(x, requires_grad=True)
        tparams = [torch.tensor(p, requires_grad=True) for p in params]
        gat_torch(tx, torch.from_numpy(a), *tparams, 0.2).backward(torch.from_numpy(g))
        close(y, gat_torch(tx, torch.from_numpy(a), *tparams, 0.2), dtype, "graph_attention y")
        close_gat_gradients(grads, tx, tparams, dtype)

        x = rng.uniform(-1, 1, (200, 16))
        params = [rng.uniform(-0.5, 0.5, s) for s in [(8, 16), (8,), (8, 40, 16), (8, 40), (8, 12, 40), (8, 12)]]
        y, ctx = mixture_of_experts.forward(x, *params, top_k=2)
        g = rng.standard_normal(y.shape)
        grads = mixture_of_experts.backward(g, ctx)
        tx = torch.tensor(x, requires_grad=True)
        tparams = [torch.tensor(p, requires_grad=True) for p in params]
        out = moe_torch(tx, *tparams, 2)
        out.backward(torch.from_numpy(g))
        close(y, out, dtype, "mixture_of_experts y")
        for name, ours, theirs in zip(["x", "router_weight", "router_bias", "expert_w1", "expert_b1", "expert_w2",
                                       "expert_b2"], grads, [tx, *tparams]):
            close(ours, theirs.grad, dtype, f"mixture_of_experts grad_{name}")
    finally:
        runtime.set_num_threads(runtime._default_threads())
