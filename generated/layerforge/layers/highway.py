"""Highway: Highway layer (Srivastava et al., 2015), y = gate * hidden + (1 - gate) * x
with hidden = tanh(x @ weight_hidden.T + bias_hidden) and the transform gate = sigmoid(x
@ weight_transform.T + bias_transform); weights [F, F] in torch.nn.Linear layout. The
gate's bias starts at -1, so that the layer first carries x through. The activations are
fixed (tanh, sigmoid).
Generated from layers_spec/layers/highway.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight_hidden", "bias_hidden", "weight_transform", "bias_transform")
OUTPUTS = ("y",)


def forward(x, weight_hidden, bias_hidden, weight_transform, bias_transform):
    """Highway forward pass.

    Highway layer (Srivastava et al., 2015), y = gate * hidden + (1 - gate) * x with
    hidden = tanh(x @ weight_hidden.T + bias_hidden) and the transform gate = sigmoid(x
    @ weight_transform.T + bias_transform); weights [F, F] in torch.nn.Linear layout.
    The gate's bias starts at -1, so that the layer first carries x through. The
    activations are fixed (tanh, sigmoid).

    Args:
        x: float32 or float64 input of shape [B, F]. A batch of feature vectors.
        weight_hidden: float32 or float64 parameter of shape [F, F]. The nonlinear
            transform H.
        bias_hidden: float32 or float64 parameter of shape [F].
        weight_transform: float32 or float64 parameter of shape [F, F]. The transform
            gate T.
        bias_transform: float32 or float64 parameter of shape [F]. The transform gate's
            bias, -1 at initialisation (carry bias).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "highway",
        {
            "x": x,
            "weight_hidden": weight_hidden,
            "bias_hidden": bias_hidden,
            "weight_transform": weight_transform,
            "bias_transform": bias_transform,
        },
        {
            "x": ("B", "F"),
            "weight_hidden": ("F", "F"),
            "bias_hidden": ("F",),
            "weight_transform": ("F", "F"),
            "bias_transform": ("F",),
        },
    )
    if on_gpu(x):
        y, saved = _cupy_forward(
            x, weight_hidden, bias_hidden, weight_transform, bias_transform
        )
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, weight_hidden, bias_hidden, weight_transform, bias_transform)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Highway backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight_hidden, grad_bias_hidden, grad_weight_transform,
            grad_bias_transform: gradients with respect to x, weight_hidden,
            bias_hidden, weight_transform, bias_transform, in that order.
    """
    backward_variant, saved = check_context(
        "highway", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, weight_hidden, bias_hidden, weight_transform, bias_transform):
    hidden = _linear(x, weight_hidden)
    hidden += bias_hidden
    np.tanh(hidden, out=hidden)
    gate = _sigmoid(_linear(x, weight_transform) + bias_transform)
    y = hidden - x
    y *= gate
    y += x
    return y, (x, weight_hidden, weight_transform, hidden, gate)


def _backward(grad_y, x, weight_hidden, weight_transform, hidden, gate):
    grad_gate = hidden - x
    grad_gate *= grad_y
    _t1 = grad_y * gate
    _t2 = 1 - gate
    _t2 *= grad_gate
    _t2 *= gate
    grad_bias_transform = np.sum(_t2, axis=0)
    grad_weight_transform = _rows(_t2).T @ _rows(x)
    _t3 = np.multiply(hidden, hidden, out=grad_gate)
    np.subtract(1, _t3, out=_t3)
    _t3 *= _t1
    grad_bias_hidden = np.sum(_t3, axis=0)
    grad_weight_hidden = _rows(_t3).T @ _rows(x)
    grad_x = (
        grad_y
        + -_t1
        + _linear_backward_input(_t2, weight_transform)
        + _linear_backward_input(_t3, weight_hidden)
    )
    return (
        grad_x,
        grad_weight_hidden,
        grad_bias_hidden,
        grad_weight_transform,
        grad_bias_transform,
    )


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


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# highway_fwd_0: layers_spec/layers/highway.yaml:18
_highway_fwd_0 = ElementwiseKernel(
    "highway_fwd_0",
    "T _t1, T bias_hidden",
    "T hidden",
    """
    T _t2 = _t1 + bias_hidden;
    hidden = tanh(_t2);
    """,
)


# highway_fwd_1: layers_spec/layers/highway.yaml:19,20
_highway_fwd_1 = ElementwiseKernel(
    "highway_fwd_1",
    "T _t3, T bias_transform, T hidden, T x",
    "T gate, T y",
    """
    T _t4 = _t3 + bias_transform;
    gate = exp(_t4 < 0 ? _t4 : T(0)) / (1 + exp(-fabs(_t4)));
    T _t5 = hidden - x;
    T _t6 = gate * _t5;
    y = x + _t6;
    """,
)


def _cupy_forward(x, weight_hidden, bias_hidden, weight_transform, bias_transform):
    _t1 = _linear(x, weight_hidden)
    hidden = _highway_fwd_0(_t1, bias_hidden)
    _t3 = _linear(x, weight_transform)
    gate, y = _highway_fwd_1(_t3, bias_transform, hidden, x)
    return y, (x, weight_hidden, weight_transform, hidden, gate)


# highway_bwd_0: layers_spec/layers/highway.yaml:20; layers_spec/primitives.yaml:61,62,52,201
_highway_bwd_0 = ElementwiseKernel(
    "highway_bwd_0",
    "T hidden, T x, T grad_y, T gate",
    "T _t8, T _t9, T _t12",
    """
    T _t5 = hidden - x;
    T grad_gate = grad_y * _t5;
    _t8 = grad_y * gate;
    _t9 = -_t8;
    T _t10 = grad_gate * gate;
    T _t11 = T(1) - gate;
    _t12 = _t10 * _t11;
    """,
)


# highway_bwd_1: layers_spec/primitives.yaml:180
_highway_bwd_1 = ElementwiseKernel(
    "highway_bwd_1",
    "T hidden, T _t8",
    "T _t18",
    """
    T _t16 = hidden * hidden;
    T _t17 = T(1) - _t16;
    _t18 = _t8 * _t17;
    """,
)


# highway_bwd_2: layers_spec/primitives.yaml:522
_highway_bwd_2 = ElementwiseKernel(
    "highway_bwd_2",
    "T grad_y, T _t9, T _t14, T _t20",
    "T grad_x",
    """
    T _t22 = grad_y + _t9;
    T _t23 = _t22 + _t14;
    grad_x = _t23 + _t20;
    """,
)


def _cupy_backward(grad_y, x, weight_hidden, weight_transform, hidden, gate):
    import cupy as cp

    _t8, _t9, _t12 = _highway_bwd_0(hidden, x, grad_y, gate)
    grad_bias_transform = cp.sum(_t12, axis=0)
    _t14 = _linear_backward_input(_t12, weight_transform)
    grad_weight_transform = _rows(_t12).T @ _rows(x)
    _t18 = _highway_bwd_1(hidden, _t8)
    grad_bias_hidden = cp.sum(_t18, axis=0)
    _t20 = _linear_backward_input(_t18, weight_hidden)
    grad_weight_hidden = _rows(_t18).T @ _rows(x)
    grad_x = _highway_bwd_2(grad_y, _t9, _t14, _t20)
    return (
        grad_x,
        grad_weight_hidden,
        grad_bias_hidden,
        grad_weight_transform,
        grad_bias_transform,
    )
