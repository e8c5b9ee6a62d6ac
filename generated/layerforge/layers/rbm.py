"""RBM: Restricted Boltzmann machine with binary units: forward is the hidden probabilities
h = sigmoid(v W^T + b_h) (W [H, V] in torch.nn.Linear's layout), and backward its true
gradient (of a sigmoid dense layer; b_v takes none), for use inside a network trained by
backpropagation. The RBM's own learning is not a gradient: the entry point
contrastive_divergence runs CD-k (Bernoulli Gibbs sampling) and returns pseudo-gradients
(the negated updates), a biased estimator of the log-likelihood's gradient, for any
layerforge.optim optimizer to apply; reconstruct gives the visible probabilities
sigmoid(h W + b_v).
Generated from layers_spec/layers/rbm.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, check_attribute
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu, default_gpu_rng

__all__ = ["forward", "backward", "reconstruct", "contrastive_divergence"]

INPUTS = ("v",)
PARAMETERS = ("W", "b_v", "b_h")
OUTPUTS = ("h",)
ENTRY_POINTS = ("reconstruct", "contrastive_divergence")


def forward(v, W, b_v, b_h):
    """RBM forward pass.

    Restricted Boltzmann machine with binary units: forward is the hidden probabilities
    h = sigmoid(v W^T + b_h) (W [H, V] in torch.nn.Linear's layout), and backward its
    true gradient (of a sigmoid dense layer; b_v takes none), for use inside a network
    trained by backpropagation. The RBM's own learning is not a gradient: the entry
    point contrastive_divergence runs CD-k (Bernoulli Gibbs sampling) and returns
    pseudo-gradients (the negated updates), a biased estimator of the log-likelihood's
    gradient, for any layerforge.optim optimizer to apply; reconstruct gives the visible
    probabilities sigmoid(h W + b_v).

    Args:
        v: float32 or float64 input of shape [..., V]. The visible units (binary, or
            probabilities in [0, 1]).
        W: float32 or float64 parameter of shape [H, V]. The weights between hidden and
            visible units.
        b_v: float32 or float64 parameter of shape [V]. The visible biases (read by
            reconstruct and contrastive_divergence).
        b_h: float32 or float64 parameter of shape [H]. The hidden biases.

    Returns:
        (h, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "rbm",
        {"v": v, "W": W, "b_v": b_v, "b_h": b_h},
        {"v": ("...", "V"), "W": ("H", "V"), "b_v": ("V",), "b_h": ("H",)},
    )
    if on_gpu(v):
        h, saved = _cupy_forward(v, W, b_v, b_h)
        return h, (_cupy_backward, saved, (h.dtype, h.shape), None)
    h, saved = _forward(v, W, b_v, b_h)
    return h, (_backward, saved, (h.dtype, h.shape), None)


def backward(grad_h, ctx):
    """RBM backward pass.

    Args:
        grad_h: gradient of the loss with respect to h.
        ctx: the context returned by forward.

    Returns:
        grad_v, grad_W, grad_b_v, grad_b_h: gradients with respect to v, W, b_v, b_h, in
            that order.
    """
    backward_variant, saved = check_context("rbm", __name__, ctx, {"grad_h": grad_h})
    return backward_variant(grad_h, *saved)


def reconstruct(h, W, b_v):
    """RBM reconstruct: an entry point beside forward and backward.

    The visible probabilities given the hidden units, sigmoid(h W + b_v) (no gradient).

    Args:
        h: float32 or float64 array of shape [..., H]. Hidden units or probabilities.
        W: float32 or float64 array of shape [H, V] (the layer's). The weights between
            hidden and visible units.
        b_v: float32 or float64 array of shape [V] (the layer's). The visible biases
            (read by reconstruct and contrastive_divergence).

    Returns:
        v: new arrays; no argument is changed. There is no backward: this is not a
            gradient.
    """
    check_arrays(
        "rbm.reconstruct",
        {"h": h, "W": W, "b_v": b_v},
        {"h": ("...", "H"), "W": ("H", "V"), "b_v": ("V",)},
    )
    if on_gpu(h):
        return _cupy_entry_reconstruct(h, W, b_v)
    return _entry_reconstruct(h, W, b_v)


def contrastive_divergence(v, W, b_v, b_h, *, k=1, rng=None):
    """RBM contrastive_divergence: an entry point beside forward and backward.

    CD-k, not a gradient: h0 = sigmoid(v W^T + b_h) and a Bernoulli sample of it, then k
    Gibbs steps (visible probabilities and a sample, hidden probabilities and a sample),
    each sample [u < p] with u uniform in [0, 1) drawn from rng, visible then hidden.
    Returns pseudo-gradients, the negated updates averaged over the batch: gW = (p_hk^T
    v_k - h0^T v) / B, gb_v = mean(p_vk - v), gb_h = mean(p_hk - h0), with v_k the last
    visible sample and p_vk, p_hk the last probabilities. Any layerforge.optim optimizer
    applies them (SGD with lr gives the card's update); CD-k is a biased estimator of
    the log-likelihood's gradient.

    Args:
        v: float32 or float64 array of shape [B, V]. A batch of visible vectors (binary,
            or probabilities in [0, 1]).
        W: float32 or float64 array of shape [H, V] (the layer's). The weights between
            hidden and visible units.
        b_v: float32 or float64 array of shape [V] (the layer's). The visible biases
            (read by reconstruct and contrastive_divergence).
        b_h: float32 or float64 array of shape [H] (the layer's). The hidden biases.
        k: int, default 1. The number of Gibbs steps.
        rng: a numpy.random.Generator (or CuPy's) for the random draws; a fresh one if
            None.

    Returns:
        (gW, gb_v, gb_h): new arrays; no argument is changed. There is no backward: this
            is not a gradient.
    """
    check_arrays(
        "rbm.contrastive_divergence",
        {"v": v, "W": W, "b_v": b_v, "b_h": b_h},
        {"v": ("B", "V"), "W": ("H", "V"), "b_v": ("V",), "b_h": ("H",)},
    )
    check_attribute("rbm.contrastive_divergence", "k", k, "int", minimum=1)
    if on_gpu(v):
        return _cupy_driver_contrastive_divergence(
            default_gpu_rng() if rng is None else rng, v, W, b_v, b_h, k
        )
    if rng is None:
        rng = np.random.default_rng()
    return _driver_contrastive_divergence(rng, v, W, b_v, b_h, k)


def _forward(v, W, b_v, b_h):
    h = _sigmoid(_linear(v, W) + b_h)
    return h, (v, W, b_v, b_h, h)


def _backward(grad_h, v, W, b_v, b_h, h):
    _t1 = 1 - h
    _t1 *= grad_h
    _t1 *= h
    grad_b_h = _sum_to(_t1, b_h.shape)
    grad_v = _linear_backward_input(_t1, W)
    grad_W = _rows(_t1).T @ _rows(v)
    grad_b_v = np.zeros_like(b_v)
    return grad_v, grad_W, grad_b_v, grad_b_h


def _entry_reconstruct(h, W, b_v):
    v = _sigmoid(_linear(h, W.T) + b_v)
    return v


def _entry_contrastive_divergence_1(rng, v, W, b_h):
    _t1 = _linear(v, W)
    h0 = _sigmoid(_t1 + b_h)
    _t2 = _uniform(rng, 0.0, 1.0, _t1)
    h_sample = (_t2 < h0).astype(_t1.dtype)
    return h0, h_sample


def _entry_contrastive_divergence_step2(rng, hs, v, W, b_v, b_h, h0):
    pv_next = _sigmoid(_linear(hs, W.T) + b_v)
    _t1 = _uniform(rng, 0.0, 1.0, v)
    vs_next = (_t1 < pv_next).astype(v.dtype)
    ph_next = _sigmoid(_linear(vs_next, W) + b_h)
    _t2 = _uniform(rng, 0.0, 1.0, h0)
    hs_next = (_t2 < ph_next).astype(h0.dtype)
    return hs_next, vs_next, pv_next, ph_next


def _entry_contrastive_divergence_3(v, b_v, b_h, h0, v_k, p_vk, p_hk):
    batch = v.shape[0]
    gW = (_rows(p_hk).T @ _rows(v_k) - _rows(h0).T @ _rows(v)) / batch
    gb_v = _sum_to(p_vk - v, b_v.shape) / batch
    gb_h = _sum_to(p_hk - h0, b_h.shape) / batch
    return gW, gb_v, gb_h


def _driver_contrastive_divergence(rng, v, W, b_v, b_h, k):
    h0, h_sample = _entry_contrastive_divergence_1(rng, v, W, b_h)
    hs = h_sample
    vs = v
    pv = v
    ph = h0
    for _ in range(k):
        hs_next, vs_next, pv_next, ph_next = _entry_contrastive_divergence_step2(
            rng, hs, v, W, b_v, b_h, h0
        )
        hs = hs_next
        vs = vs_next
        pv = pv_next
        ph = ph_next
    v_k = vs
    p_vk = pv
    p_hk = ph
    gW, gb_v, gb_h = _entry_contrastive_divergence_3(v, b_v, b_h, h0, v_k, p_vk, p_hk)
    return gW, gb_v, gb_h


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


def _uniform(rng, low, high, like):
    """Uniform draws on [low, high) shaped like ``like``, in its dtype, as PyTorch draws
    them: float32 draws for float32 (2.5x faster than float64 draws cast down: 9 ms
    against 24 for 4096 x 1024); float64 ones are Generator.uniform's (low + (high -
    low) * U, the same stream)."""
    draws = rng.random(like.shape, dtype=like.dtype)
    draws *= high - low
    draws += low
    return draws


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# rbm_fwd_0: layers_spec/layers/rbm.yaml:20
_rbm_fwd_0 = ElementwiseKernel(
    "rbm_fwd_0",
    "T _t1, T b_h",
    "T h",
    """
    T _t2 = _t1 + b_h;
    h = exp(_t2 < 0 ? _t2 : T(0)) / (1 + exp(-fabs(_t2)));
    """,
)


def _cupy_forward(v, W, b_v, b_h):
    _t1 = _linear(v, W)
    h = _rbm_fwd_0(_t1, b_h)
    return h, (v, W, b_v, b_h, h)


# rbm_bwd_0: layers_spec/primitives.yaml:201
_rbm_bwd_0 = ElementwiseKernel(
    "rbm_bwd_0",
    "T grad_h, T h",
    "T _t5",
    """
    T _t3 = grad_h * h;
    T _t4 = T(1) - h;
    _t5 = _t3 * _t4;
    """,
)


# rbm_bwd_1: layers_spec/layers/rbm.yaml:20
_rbm_bwd_1 = ElementwiseKernel(
    "rbm_bwd_1",
    "T b_v",
    "T grad_b_v",
    """
    grad_b_v = 0;
    """,
)


def _cupy_backward(grad_h, v, W, b_v, b_h, h):
    _t5 = _rbm_bwd_0(grad_h, h)
    grad_b_h = _cupy_sum_to(_t5, b_h.shape)
    grad_v = _linear_backward_input(_t5, W)
    grad_W = _rows(_t5).T @ _rows(v)
    grad_b_v = _rbm_bwd_1(b_v)
    return grad_v, grad_W, grad_b_v, grad_b_h


# rbm_reconstruct_0: layers_spec/layers/rbm.yaml:30
_rbm_reconstruct_0 = ElementwiseKernel(
    "rbm_reconstruct_0",
    "T _t2, T b_v",
    "T v",
    """
    T _t3 = _t2 + b_v;
    v = exp(_t3 < 0 ? _t3 : T(0)) / (1 + exp(-fabs(_t3)));
    """,
)


def _cupy_entry_reconstruct(h, W, b_v):
    _t1 = W.T
    _t2 = _linear(h, _t1)
    v = _rbm_reconstruct_0(_t2, b_v)
    return v


# rbm_contrastive_divergence_1_0: layers_spec/layers/rbm.yaml:52
_rbm_contrastive_divergence_1_0 = ElementwiseKernel(
    "rbm_contrastive_divergence_1_0",
    "T _t1, T b_h",
    "T h0",
    """
    T _t2 = _t1 + b_h;
    h0 = exp(_t2 < 0 ? _t2 : T(0)) / (1 + exp(-fabs(_t2)));
    """,
)


# rbm_contrastive_divergence_1_1: layers_spec/layers/rbm.yaml:53
_rbm_contrastive_divergence_1_1 = ElementwiseKernel(
    "rbm_contrastive_divergence_1_1",
    "T _t3, T h0, T _t1",
    "T h_sample",
    """
    bool _t4 = _t3 < h0;
    h_sample = _t4;
    """,
)


def _cupy_entry_contrastive_divergence_1(rng, v, W, b_h):
    _t1 = _linear(v, W)
    h0 = _rbm_contrastive_divergence_1_0(_t1, b_h)
    _t3 = _uniform(rng, 0.0, 1.0, _t1)
    h_sample = _rbm_contrastive_divergence_1_1(_t3, h0, _t1)
    return h0, h_sample


# rbm_contrastive_divergence_step2_0: layers_spec/layers/rbm.yaml:56
_rbm_contrastive_divergence_step2_0 = ElementwiseKernel(
    "rbm_contrastive_divergence_step2_0",
    "T _t6, T b_v",
    "T pv_next",
    """
    T _t7 = _t6 + b_v;
    pv_next = exp(_t7 < 0 ? _t7 : T(0)) / (1 + exp(-fabs(_t7)));
    """,
)


# rbm_contrastive_divergence_step2_1: layers_spec/layers/rbm.yaml:57
_rbm_contrastive_divergence_step2_1 = ElementwiseKernel(
    "rbm_contrastive_divergence_step2_1",
    "T _t8, T pv_next, T v",
    "T vs_next",
    """
    bool _t9 = _t8 < pv_next;
    vs_next = _t9;
    """,
)


# rbm_contrastive_divergence_step2_2: layers_spec/layers/rbm.yaml:58
_rbm_contrastive_divergence_step2_2 = ElementwiseKernel(
    "rbm_contrastive_divergence_step2_2",
    "T _t10, T b_h",
    "T ph_next",
    """
    T _t11 = _t10 + b_h;
    ph_next = exp(_t11 < 0 ? _t11 : T(0)) / (1 + exp(-fabs(_t11)));
    """,
)


# rbm_contrastive_divergence_step2_3: layers_spec/layers/rbm.yaml:59
_rbm_contrastive_divergence_step2_3 = ElementwiseKernel(
    "rbm_contrastive_divergence_step2_3",
    "T _t12, T ph_next, T h0",
    "T hs_next",
    """
    bool _t13 = _t12 < ph_next;
    hs_next = _t13;
    """,
)


def _cupy_entry_contrastive_divergence_step2(rng, hs, v, W, b_v, b_h, h0):
    _t5 = W.T
    _t6 = _linear(hs, _t5)
    pv_next = _rbm_contrastive_divergence_step2_0(_t6, b_v)
    _t8 = _uniform(rng, 0.0, 1.0, v)
    vs_next = _rbm_contrastive_divergence_step2_1(_t8, pv_next, v)
    _t10 = _linear(vs_next, W)
    ph_next = _rbm_contrastive_divergence_step2_2(_t10, b_h)
    _t12 = _uniform(rng, 0.0, 1.0, h0)
    hs_next = _rbm_contrastive_divergence_step2_3(_t12, ph_next, h0)
    return hs_next, vs_next, pv_next, ph_next


# rbm_contrastive_divergence_3_0: layers_spec/layers/rbm.yaml:62
_rbm_contrastive_divergence_3_0 = ElementwiseKernel(
    "rbm_contrastive_divergence_3_0",
    "T _t14, T _t15, int64 batch",
    "T gW",
    """
    T _t16 = _t14 - _t15;
    gW = _t16 / batch;
    """,
    scalars=("batch",),
)


# rbm_contrastive_divergence_3_1: layers_spec/layers/rbm.yaml:63
_rbm_contrastive_divergence_3_1 = ElementwiseKernel(
    "rbm_contrastive_divergence_3_1",
    "T p_vk, T v",
    "T _t17",
    """
    _t17 = p_vk - v;
    """,
)


# rbm_contrastive_divergence_3_2: layers_spec/layers/rbm.yaml:63
_rbm_contrastive_divergence_3_2 = ElementwiseKernel(
    "rbm_contrastive_divergence_3_2",
    "T _t18, int64 batch",
    "T gb_v",
    """
    gb_v = _t18 / batch;
    """,
    scalars=("batch",),
)


# rbm_contrastive_divergence_3_3: layers_spec/layers/rbm.yaml:64
_rbm_contrastive_divergence_3_3 = ElementwiseKernel(
    "rbm_contrastive_divergence_3_3",
    "T p_hk, T h0",
    "T _t19",
    """
    _t19 = p_hk - h0;
    """,
)


# rbm_contrastive_divergence_3_4: layers_spec/layers/rbm.yaml:64
_rbm_contrastive_divergence_3_4 = ElementwiseKernel(
    "rbm_contrastive_divergence_3_4",
    "T _t20, int64 batch",
    "T gb_h",
    """
    gb_h = _t20 / batch;
    """,
    scalars=("batch",),
)


def _cupy_entry_contrastive_divergence_3(v, b_v, b_h, h0, v_k, p_vk, p_hk):
    batch = v.shape[0]
    _t14 = _rows(p_hk).T @ _rows(v_k)
    _t15 = _rows(h0).T @ _rows(v)
    gW = _rbm_contrastive_divergence_3_0(_t14, _t15, batch)
    _t17 = _rbm_contrastive_divergence_3_1(p_vk, v)
    _t18 = _cupy_sum_to(_t17, b_v.shape)
    gb_v = _rbm_contrastive_divergence_3_2(_t18, batch)
    _t19 = _rbm_contrastive_divergence_3_3(p_hk, h0)
    _t20 = _cupy_sum_to(_t19, b_h.shape)
    gb_h = _rbm_contrastive_divergence_3_4(_t20, batch)
    return gW, gb_v, gb_h


def _cupy_driver_contrastive_divergence(rng, v, W, b_v, b_h, k):
    import cupy as cp

    h0, h_sample = _cupy_entry_contrastive_divergence_1(rng, v, W, b_h)
    hs = h_sample
    vs = v
    pv = v
    ph = h0
    for _ in range(k):
        hs_next, vs_next, pv_next, ph_next = _cupy_entry_contrastive_divergence_step2(
            rng, hs, v, W, b_v, b_h, h0
        )
        hs = hs_next
        vs = vs_next
        pv = pv_next
        ph = ph_next
    v_k = vs
    p_vk = pv
    p_hk = ph
    gW, gb_v, gb_h = _cupy_entry_contrastive_divergence_3(
        v, b_v, b_h, h0, v_k, p_vk, p_hk
    )
    return gW, gb_v, gb_h


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
