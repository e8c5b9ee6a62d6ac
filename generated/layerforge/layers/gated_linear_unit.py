"""GatedLinearUnit: Gated linear unit, y = (x @ weight_linear.T + bias_linear) * gate(x @
weight_gate.T + bias_gate), weights stored [out_features, in_features] as
torch.nn.Linear. The activation slot is the gate: sigmoid (the default) gives
torch.nn.functional.glu of the two stacked projections, gelu GEGLU, swish SwiGLU, relu
ReGLU.
Generated from layers_spec/layers/gated_linear_unit.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    activation_module,
    check_options,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, RowBlockKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight_linear", "bias_linear", "weight_gate", "bias_gate")
OUTPUTS = ("y",)


def forward(
    x,
    weight_linear,
    bias_linear,
    weight_gate,
    bias_gate,
    *,
    activation="sigmoid",
    activation_options=None,
):
    """GatedLinearUnit forward pass.

    Gated linear unit, y = (x @ weight_linear.T + bias_linear) * gate(x @ weight_gate.T
    + bias_gate), weights stored [out_features, in_features] as torch.nn.Linear. The
    activation slot is the gate: sigmoid (the default) gives torch.nn.functional.glu of
    the two stacked projections, gelu GEGLU, swish SwiGLU, relu ReGLU.

    Args:
        x: float32 or float64 input of shape [B, in_features]. A batch of feature
            vectors.
        weight_linear: float32 or float64 parameter of shape [out_features,
            in_features]. The value projection.
        bias_linear: float32 or float64 parameter of shape [out_features].
        weight_gate: float32 or float64 parameter of shape [out_features, in_features].
            The gate projection.
        bias_gate: float32 or float64 parameter of shape [out_features].
        activation: name of the activation applied to the result, default 'sigmoid';
            sigmoid, relu, gelu, swish, silu, tanh, softmax, identity are fused into
            specialized code, and only these: the slot is not the layer's last step.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "gated_linear_unit",
        {
            "x": x,
            "weight_linear": weight_linear,
            "bias_linear": bias_linear,
            "weight_gate": weight_gate,
            "bias_gate": bias_gate,
        },
        {
            "x": ("B", "in_features"),
            "weight_linear": ("out_features", "in_features"),
            "bias_linear": ("out_features",),
            "weight_gate": ("out_features", "in_features"),
            "bias_gate": ("out_features",),
        },
    )
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get(activation)
        fixed = _FUSED_FIXED.get(activation, {})
        if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
            options = {k: v for k, v in options.items() if k not in fixed}
            forward_variant, backward_variant = fused
            if options:
                check_options("gated_linear_unit", activation, options)
            y, saved = forward_variant(
                x, weight_linear, bias_linear, weight_gate, bias_gate, **options
            )
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        raise ValueError(
            f"gated_linear_unit: activation {activation!r} cannot fill this layer's slot, "
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
            check_options("gated_linear_unit", activation, options)
        y, saved = forward_variant(
            x, weight_linear, bias_linear, weight_gate, bias_gate, **options
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    raise ValueError(
        f"gated_linear_unit: activation {activation!r} cannot fill this layer's slot, "
        "which is not its last step (no composition); choose one of "
        f"{', '.join(_FUSED)}"
    )


def backward(grad_y, ctx):
    """GatedLinearUnit backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight_linear, grad_bias_linear, grad_weight_gate, grad_bias_gate:
            gradients with respect to x, weight_linear, bias_linear, weight_gate,
            bias_gate, in that order.
    """
    backward_variant, saved = check_context(
        "gated_linear_unit", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_sigmoid(x, weight_linear, bias_linear, weight_gate, bias_gate):
    value = _linear(x, weight_linear)
    value += bias_linear
    gate = _sigmoid(_linear(x, weight_gate) + bias_gate)
    y = value * gate
    return y, (x, weight_linear, weight_gate, value, gate)


def _backward_sigmoid(grad_y, x, weight_linear, weight_gate, value, gate):
    grad_value = grad_y * gate
    grad_gate = grad_y * value
    _t1 = 1 - gate
    _t1 *= grad_gate
    _t1 *= gate
    grad_bias_gate = np.sum(_t1, axis=0)
    grad_weight_gate = _rows(_t1).T @ _rows(x)
    grad_bias_linear = np.sum(grad_value, axis=0)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _linear_backward_input(_t1, weight_gate) + _linear_backward_input(
        grad_value, weight_linear
    )
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


def _forward_relu(x, weight_linear, bias_linear, weight_gate, bias_gate):
    value = _linear(x, weight_linear)
    value += bias_linear
    _t1 = _linear(x, weight_gate)
    _t1 += bias_gate
    gate = np.clip(_t1, 0, np.inf)
    y = np.multiply(value, gate, out=gate)
    return y, (x, weight_linear, weight_gate, value, _t1)


def _backward_relu(grad_y, x, weight_linear, weight_gate, value, _t1):
    gate = np.clip(_t1, 0, np.inf)
    grad_value = np.multiply(grad_y, gate, out=gate)
    grad_gate = grad_y * value
    _t2 = np.multiply(grad_gate, _t1 > 0, out=grad_gate)
    grad_bias_gate = np.sum(_t2, axis=0)
    grad_weight_gate = _rows(_t2).T @ _rows(x)
    grad_bias_linear = np.sum(grad_value, axis=0)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _linear_backward_input(_t2, weight_gate) + _linear_backward_input(
        grad_value, weight_linear
    )
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


def _forward_gelu(x, weight_linear, bias_linear, weight_gate, bias_gate):
    value = _linear(x, weight_linear)
    value += bias_linear
    _t1 = _linear(x, weight_gate)
    _t1 += bias_gate
    gate = _erf(0.7071067811865476 * _t1)
    gate *= 0.5
    gate += 0.5
    gate *= _t1
    y = np.multiply(value, gate, out=gate)
    return y, (x, weight_linear, weight_gate, value, _t1)


def _backward_gelu(grad_y, x, weight_linear, weight_gate, value, _t1):
    _t2 = 0.7071067811865476 * _t1
    _t3 = _erf(_t2)
    _t3 *= 0.5
    _t3 += 0.5
    gate = _t1 * _t3
    grad_value = np.multiply(grad_y, gate, out=gate)
    grad_gate = grad_y * value
    _t4 = np.multiply(grad_gate, _t3, out=_t3)
    _t5 = _t2 * _t2
    np.negative(_t5, out=_t5)
    np.exp(_t5, out=_t5)
    _t5 *= grad_gate
    _t5 *= _t1
    _t5 *= 0.5
    _t5 *= 1.1283791670955126
    _t5 *= 0.7071067811865476
    _t4 += _t5
    grad_bias_gate = np.sum(_t4, axis=0)
    grad_weight_gate = _rows(_t4).T @ _rows(x)
    grad_bias_linear = np.sum(grad_value, axis=0)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _linear_backward_input(_t4, weight_gate) + _linear_backward_input(
        grad_value, weight_linear
    )
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


def _forward_swish(x, weight_linear, bias_linear, weight_gate, bias_gate):
    value = _linear(x, weight_linear)
    value += bias_linear
    _t1 = _linear(x, weight_gate)
    _t1 += bias_gate
    gate = _sigmoid(_t1)
    gate *= _t1
    y = np.multiply(value, gate, out=gate)
    return y, (x, weight_linear, weight_gate, value, _t1)


def _backward_swish(grad_y, x, weight_linear, weight_gate, value, _t1):
    _t2 = _sigmoid(_t1)
    gate = _t1 * _t2
    grad_value = np.multiply(grad_y, gate, out=gate)
    grad_gate = grad_y * value
    _t3 = grad_gate * _t2
    _t4 = 1 - _t2
    _t4 *= grad_gate
    _t4 *= _t1
    _t4 *= _t2
    _t3 += _t4
    grad_bias_gate = np.sum(_t3, axis=0)
    grad_weight_gate = _rows(_t3).T @ _rows(x)
    grad_bias_linear = np.sum(grad_value, axis=0)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _linear_backward_input(_t3, weight_gate) + _linear_backward_input(
        grad_value, weight_linear
    )
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


def _forward_tanh(x, weight_linear, bias_linear, weight_gate, bias_gate):
    value = _linear(x, weight_linear)
    value += bias_linear
    gate = _linear(x, weight_gate)
    gate += bias_gate
    np.tanh(gate, out=gate)
    y = value * gate
    return y, (x, weight_linear, weight_gate, value, gate)


def _backward_tanh(grad_y, x, weight_linear, weight_gate, value, gate):
    grad_value = grad_y * gate
    grad_gate = grad_y * value
    _t1 = gate * gate
    np.subtract(1, _t1, out=_t1)
    _t1 *= grad_gate
    grad_bias_gate = np.sum(_t1, axis=0)
    grad_weight_gate = _rows(_t1).T @ _rows(x)
    grad_bias_linear = np.sum(grad_value, axis=0)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _linear_backward_input(_t1, weight_gate) + _linear_backward_input(
        grad_value, weight_linear
    )
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


def _forward_softmax(x, weight_linear, bias_linear, weight_gate, bias_gate):
    value = _linear(x, weight_linear)
    value += bias_linear
    _t1 = _linear(x, weight_gate)
    _t1 += bias_gate
    softmax_shifted = np.subtract(_t1, _amax(_t1, -1), out=_t1)
    softmax_exponentials = np.exp(softmax_shifted, out=softmax_shifted)
    gate = np.divide(
        softmax_exponentials, _sum(softmax_exponentials, -1), out=softmax_exponentials
    )
    y = value * gate
    return y, (x, weight_linear, weight_gate, value, gate)


def _backward_softmax(grad_y, x, weight_linear, weight_gate, value, gate):
    grad_value = grad_y * gate
    grad_gate = grad_y * value
    _t1 = np.subtract(grad_gate, _sum(grad_gate * gate, -1), out=grad_gate)
    _t1 *= gate
    grad_bias_gate = np.sum(_t1, axis=0)
    grad_weight_gate = _rows(_t1).T @ _rows(x)
    grad_bias_linear = np.sum(grad_value, axis=0)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _linear_backward_input(_t1, weight_gate) + _linear_backward_input(
        grad_value, weight_linear
    )
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


def _forward_identity(x, weight_linear, bias_linear, weight_gate, bias_gate):
    value = _linear(x, weight_linear)
    value += bias_linear
    _t1 = _linear(x, weight_gate)
    _t1 += bias_gate
    y = value * _t1
    return y, (x, weight_linear, weight_gate, value, _t1)


def _backward_identity(grad_y, x, weight_linear, weight_gate, value, _t1):
    grad_value = grad_y * _t1
    _t2 = grad_y * value
    grad_bias_gate = np.sum(_t2, axis=0)
    grad_weight_gate = _rows(_t2).T @ _rows(x)
    grad_bias_linear = np.sum(grad_value, axis=0)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _linear_backward_input(_t2, weight_gate) + _linear_backward_input(
        grad_value, weight_linear
    )
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


_FUSED = {
    "sigmoid": (_forward_sigmoid, _backward_sigmoid),
    "relu": (_forward_relu, _backward_relu),
    "gelu": (_forward_gelu, _backward_gelu),
    "swish": (_forward_swish, _backward_swish),
    "silu": (_forward_swish, _backward_swish),
    "tanh": (_forward_tanh, _backward_tanh),
    "softmax": (_forward_softmax, _backward_softmax),
    "identity": (_forward_identity, _backward_identity),
}
# The options each fused activation is specialized at; other values run it composed.
_FUSED_FIXED = {
    "gelu": {"approximate": "none"},
    "softmax": {"dim": -1},
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


# gated_linear_unit_sigmoid_fwd_0: layers_spec/layers/gated_linear_unit.yaml:20
_gated_linear_unit_sigmoid_fwd_0 = ElementwiseKernel(
    "gated_linear_unit_sigmoid_fwd_0",
    "T _t1, T bias_linear",
    "T value",
    """
    value = _t1 + bias_linear;
    """,
)


# gated_linear_unit_sigmoid_fwd_1: layers_spec/layers/gated_linear_unit.yaml:21,22; layers_spec/activations/sigmoid.yaml:8
_gated_linear_unit_sigmoid_fwd_1 = ElementwiseKernel(
    "gated_linear_unit_sigmoid_fwd_1",
    "T _t2, T bias_gate, T value",
    "T gate, T y",
    """
    T _t3 = _t2 + bias_gate;
    gate = exp(_t3 < 0 ? _t3 : T(0)) / (1 + exp(-fabs(_t3)));
    y = value * gate;
    """,
)


def _cupy_forward_sigmoid(x, weight_linear, bias_linear, weight_gate, bias_gate):
    _t1 = _linear(x, weight_linear)
    value = _gated_linear_unit_sigmoid_fwd_0(_t1, bias_linear)
    _t2 = _linear(x, weight_gate)
    gate, y = _gated_linear_unit_sigmoid_fwd_1(_t2, bias_gate, value)
    return y, (x, weight_linear, weight_gate, value, gate)


# gated_linear_unit_sigmoid_bwd_0: layers_spec/primitives.yaml:61,62,201
_gated_linear_unit_sigmoid_bwd_0 = ElementwiseKernel(
    "gated_linear_unit_sigmoid_bwd_0",
    "T grad_y, T gate, T value",
    "T grad_value, T _t8",
    """
    grad_value = grad_y * gate;
    T grad_gate = grad_y * value;
    T _t6 = grad_gate * gate;
    T _t7 = T(1) - gate;
    _t8 = _t6 * _t7;
    """,
)


# gated_linear_unit_sigmoid_bwd_1: layers_spec/primitives.yaml:522
_gated_linear_unit_sigmoid_bwd_1 = ElementwiseKernel(
    "gated_linear_unit_sigmoid_bwd_1",
    "T _t10, T _t13",
    "T grad_x",
    """
    grad_x = _t10 + _t13;
    """,
)


def _cupy_backward_sigmoid(grad_y, x, weight_linear, weight_gate, value, gate):
    import cupy as cp

    grad_value, _t8 = _gated_linear_unit_sigmoid_bwd_0(grad_y, gate, value)
    grad_bias_gate = cp.sum(_t8, axis=0)
    _t10 = _linear_backward_input(_t8, weight_gate)
    grad_weight_gate = _rows(_t8).T @ _rows(x)
    grad_bias_linear = cp.sum(grad_value, axis=0)
    _t13 = _linear_backward_input(grad_value, weight_linear)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _gated_linear_unit_sigmoid_bwd_1(_t10, _t13)
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


# gated_linear_unit_relu_fwd_1: layers_spec/layers/gated_linear_unit.yaml:21,22; layers_spec/activations/relu.yaml:8
_gated_linear_unit_relu_fwd_1 = ElementwiseKernel(
    "gated_linear_unit_relu_fwd_1",
    "T _t2, T bias_gate, T value",
    "T _t3, T y",
    """
    _t3 = _t2 + bias_gate;
    T gate = _t3 > T(0) || _t3 != _t3 ? _t3 : T(0);
    y = value * gate;
    """,
)


def _cupy_forward_relu(x, weight_linear, bias_linear, weight_gate, bias_gate):
    _t1 = _linear(x, weight_linear)
    value = _gated_linear_unit_sigmoid_fwd_0(_t1, bias_linear)
    _t2 = _linear(x, weight_gate)
    _t3, y = _gated_linear_unit_relu_fwd_1(_t2, bias_gate, value)
    return y, (x, weight_linear, weight_gate, value, _t3)


# gated_linear_unit_relu_bwd_0: layers_spec/activations/relu.yaml:8; layers_spec/primitives.yaml:61,62,252
_gated_linear_unit_relu_bwd_0 = ElementwiseKernel(
    "gated_linear_unit_relu_bwd_0",
    "T _t3, T grad_y, T value",
    "T grad_value, T _t7",
    """
    T gate = _t3 > T(0) || _t3 != _t3 ? _t3 : T(0);
    grad_value = grad_y * gate;
    T grad_gate = grad_y * value;
    bool _t6 = _t3 > T(0);
    _t7 = grad_gate * _t6;
    """,
)


# gated_linear_unit_relu_bwd_1: layers_spec/primitives.yaml:522
_gated_linear_unit_relu_bwd_1 = ElementwiseKernel(
    "gated_linear_unit_relu_bwd_1",
    "T _t9, T _t12",
    "T grad_x",
    """
    grad_x = _t9 + _t12;
    """,
)


def _cupy_backward_relu(grad_y, x, weight_linear, weight_gate, value, _t3):
    import cupy as cp

    grad_value, _t7 = _gated_linear_unit_relu_bwd_0(_t3, grad_y, value)
    grad_bias_gate = cp.sum(_t7, axis=0)
    _t9 = _linear_backward_input(_t7, weight_gate)
    grad_weight_gate = _rows(_t7).T @ _rows(x)
    grad_bias_linear = cp.sum(grad_value, axis=0)
    _t12 = _linear_backward_input(grad_value, weight_linear)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _gated_linear_unit_relu_bwd_1(_t9, _t12)
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


# gated_linear_unit_gelu_fwd_1: layers_spec/layers/gated_linear_unit.yaml:21,22; layers_spec/activations/gelu.yaml:23
_gated_linear_unit_gelu_fwd_1 = ElementwiseKernel(
    "gated_linear_unit_gelu_fwd_1",
    "T _t2, T bias_gate, T value",
    "T _t3, T y",
    """
    _t3 = _t2 + bias_gate;
    T _t4 = T(0.7071067811865476) * _t3;
    T _t5 = erf(_t4);
    T _t6 = T(0.5) * _t5;
    T _t7 = T(0.5) + _t6;
    T gate = _t3 * _t7;
    y = value * gate;
    """,
)


def _cupy_forward_gelu(x, weight_linear, bias_linear, weight_gate, bias_gate):
    _t1 = _linear(x, weight_linear)
    value = _gated_linear_unit_sigmoid_fwd_0(_t1, bias_linear)
    _t2 = _linear(x, weight_gate)
    _t3, y = _gated_linear_unit_gelu_fwd_1(_t2, bias_gate, value)
    return y, (x, weight_linear, weight_gate, value, _t3)


# gated_linear_unit_gelu_bwd_0: layers_spec/activations/gelu.yaml:23; layers_spec/primitives.yaml:61,62,1973
_gated_linear_unit_gelu_bwd_0 = ElementwiseKernel(
    "gated_linear_unit_gelu_bwd_0",
    "T _t3, T grad_y, T value",
    "T grad_value, T _t19",
    """
    T _t4 = T(0.7071067811865476) * _t3;
    T _t5 = erf(_t4);
    T _t6 = T(0.5) * _t5;
    T _t7 = T(0.5) + _t6;
    T gate = _t3 * _t7;
    grad_value = grad_y * gate;
    T grad_gate = grad_y * value;
    T _t10 = grad_gate * _t7;
    T _t11 = grad_gate * _t3;
    T _t12 = _t11 * T(0.5);
    T _t13 = _t12 * T(1.1283791670955126);
    T _t14 = _t4 * _t4;
    T _t15 = -_t14;
    T _t16 = exp(_t15);
    T _t17 = _t13 * _t16;
    T _t18 = _t17 * T(0.7071067811865476);
    _t19 = _t10 + _t18;
    """,
)


# gated_linear_unit_gelu_bwd_1: layers_spec/primitives.yaml:522
_gated_linear_unit_gelu_bwd_1 = ElementwiseKernel(
    "gated_linear_unit_gelu_bwd_1",
    "T _t21, T _t24",
    "T grad_x",
    """
    grad_x = _t21 + _t24;
    """,
)


def _cupy_backward_gelu(grad_y, x, weight_linear, weight_gate, value, _t3):
    import cupy as cp

    grad_value, _t19 = _gated_linear_unit_gelu_bwd_0(_t3, grad_y, value)
    grad_bias_gate = cp.sum(_t19, axis=0)
    _t21 = _linear_backward_input(_t19, weight_gate)
    grad_weight_gate = _rows(_t19).T @ _rows(x)
    grad_bias_linear = cp.sum(grad_value, axis=0)
    _t24 = _linear_backward_input(grad_value, weight_linear)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _gated_linear_unit_gelu_bwd_1(_t21, _t24)
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


# gated_linear_unit_swish_fwd_1: layers_spec/layers/gated_linear_unit.yaml:21,22; layers_spec/activations/swish.yaml:8
_gated_linear_unit_swish_fwd_1 = ElementwiseKernel(
    "gated_linear_unit_swish_fwd_1",
    "T _t2, T bias_gate, T value",
    "T _t3, T y",
    """
    _t3 = _t2 + bias_gate;
    T _t4 = exp(_t3 < 0 ? _t3 : T(0)) / (1 + exp(-fabs(_t3)));
    T gate = _t3 * _t4;
    y = value * gate;
    """,
)


def _cupy_forward_swish(x, weight_linear, bias_linear, weight_gate, bias_gate):
    _t1 = _linear(x, weight_linear)
    value = _gated_linear_unit_sigmoid_fwd_0(_t1, bias_linear)
    _t2 = _linear(x, weight_gate)
    _t3, y = _gated_linear_unit_swish_fwd_1(_t2, bias_gate, value)
    return y, (x, weight_linear, weight_gate, value, _t3)


# gated_linear_unit_swish_bwd_0: layers_spec/activations/swish.yaml:8; layers_spec/primitives.yaml:61,62,201
_gated_linear_unit_swish_bwd_0 = ElementwiseKernel(
    "gated_linear_unit_swish_bwd_0",
    "T _t3, T grad_y, T value",
    "T grad_value, T _t12",
    """
    T _t4 = exp(_t3 < 0 ? _t3 : T(0)) / (1 + exp(-fabs(_t3)));
    T gate = _t3 * _t4;
    grad_value = grad_y * gate;
    T grad_gate = grad_y * value;
    T _t7 = grad_gate * _t4;
    T _t8 = grad_gate * _t3;
    T _t9 = _t8 * _t4;
    T _t10 = T(1) - _t4;
    T _t11 = _t9 * _t10;
    _t12 = _t7 + _t11;
    """,
)


# gated_linear_unit_swish_bwd_1: layers_spec/primitives.yaml:522
_gated_linear_unit_swish_bwd_1 = ElementwiseKernel(
    "gated_linear_unit_swish_bwd_1",
    "T _t14, T _t17",
    "T grad_x",
    """
    grad_x = _t14 + _t17;
    """,
)


def _cupy_backward_swish(grad_y, x, weight_linear, weight_gate, value, _t3):
    import cupy as cp

    grad_value, _t12 = _gated_linear_unit_swish_bwd_0(_t3, grad_y, value)
    grad_bias_gate = cp.sum(_t12, axis=0)
    _t14 = _linear_backward_input(_t12, weight_gate)
    grad_weight_gate = _rows(_t12).T @ _rows(x)
    grad_bias_linear = cp.sum(grad_value, axis=0)
    _t17 = _linear_backward_input(grad_value, weight_linear)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _gated_linear_unit_swish_bwd_1(_t14, _t17)
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


# gated_linear_unit_tanh_fwd_1: layers_spec/layers/gated_linear_unit.yaml:21,22; layers_spec/activations/tanh.yaml:8
_gated_linear_unit_tanh_fwd_1 = ElementwiseKernel(
    "gated_linear_unit_tanh_fwd_1",
    "T _t2, T bias_gate, T value",
    "T gate, T y",
    """
    T _t3 = _t2 + bias_gate;
    gate = tanh(_t3);
    y = value * gate;
    """,
)


def _cupy_forward_tanh(x, weight_linear, bias_linear, weight_gate, bias_gate):
    _t1 = _linear(x, weight_linear)
    value = _gated_linear_unit_sigmoid_fwd_0(_t1, bias_linear)
    _t2 = _linear(x, weight_gate)
    gate, y = _gated_linear_unit_tanh_fwd_1(_t2, bias_gate, value)
    return y, (x, weight_linear, weight_gate, value, gate)


# gated_linear_unit_tanh_bwd_0: layers_spec/primitives.yaml:61,62,180
_gated_linear_unit_tanh_bwd_0 = ElementwiseKernel(
    "gated_linear_unit_tanh_bwd_0",
    "T grad_y, T gate, T value",
    "T grad_value, T _t8",
    """
    grad_value = grad_y * gate;
    T grad_gate = grad_y * value;
    T _t6 = gate * gate;
    T _t7 = T(1) - _t6;
    _t8 = grad_gate * _t7;
    """,
)


def _cupy_backward_tanh(grad_y, x, weight_linear, weight_gate, value, gate):
    import cupy as cp

    grad_value, _t8 = _gated_linear_unit_tanh_bwd_0(grad_y, gate, value)
    grad_bias_gate = cp.sum(_t8, axis=0)
    _t10 = _linear_backward_input(_t8, weight_gate)
    grad_weight_gate = _rows(_t8).T @ _rows(x)
    grad_bias_linear = cp.sum(grad_value, axis=0)
    _t13 = _linear_backward_input(grad_value, weight_linear)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _gated_linear_unit_sigmoid_bwd_1(_t10, _t13)
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


# gated_linear_unit_softmax_fwd_1: layers_spec/layers/gated_linear_unit.yaml:21,22; layers_spec/activations/softmax.yaml:10,11,12
_gated_linear_unit_softmax_fwd_1 = RowBlockKernel(
    "gated_linear_unit_softmax_fwd_1",
    "row T _t2, column T bias_gate, row T value",
    "row T gate, row T y",
    """
    T _c__t2[LF_REGISTERS];
    T _c_value[LF_REGISTERS];
    T _t4 = LF_MINUS_INF;
    LF_ROW_LOOP(
        _at.fill(_c_value, _row_value, _j);
        const T _t2 = _at.fill(_c__t2, _row__t2, _j);
        const T bias_gate = _p_bias_gate[_j];
        const T _t3 = _t2 + bias_gate;
        _t4 = _Max()(_t4, _t3);
    )
    _t4 = _row_reduce(_t4, _Max());
    const T _t5 = _t4;
    T _t6 = T(0);
    LF_ROW_LOOP(
        const T _t2 = _at.get(_c__t2, _row__t2, _j);
        const T bias_gate = _p_bias_gate[_j];
        const T _t3 = _t2 + bias_gate;
        const T softmax_shifted = _t3 - _t5;
        const T softmax_exponentials = exp(softmax_shifted);
        _t6 = _Sum()(_t6, softmax_exponentials);
    )
    _t6 = _row_reduce(_t6, _Sum());
    LF_ROW_LOOP(
        const T _t2 = _at.get(_c__t2, _row__t2, _j);
        const T bias_gate = _p_bias_gate[_j];
        const T value = _at.get(_c_value, _row_value, _j);
        const T _t3 = _t2 + bias_gate;
        const T softmax_shifted = _t3 - _t5;
        const T softmax_exponentials = exp(softmax_shifted);
        const T gate = softmax_exponentials / _t6;
        const T y = value * gate;
        _row_gate[_j] = gate;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_softmax(x, weight_linear, bias_linear, weight_gate, bias_gate):
    _t1 = _linear(x, weight_linear)
    value = _gated_linear_unit_sigmoid_fwd_0(_t1, bias_linear)
    _t2 = _linear(x, weight_gate)
    gate, y = _gated_linear_unit_softmax_fwd_1(_t2, bias_gate, value)
    return y, (x, weight_linear, weight_gate, value, gate)


# gated_linear_unit_softmax_bwd_0: layers_spec/primitives.yaml:61,62; layers_spec/activations/softmax.yaml:14
_gated_linear_unit_softmax_bwd_0 = RowBlockKernel(
    "gated_linear_unit_softmax_bwd_0",
    "row T grad_y, row T gate, row T value",
    "row T grad_value, row T _t12",
    """
    T _c_grad_y[LF_REGISTERS];
    T _c_gate[LF_REGISTERS];
    T _c_value[LF_REGISTERS];
    T _t10 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T value = _at.fill(_c_value, _row_value, _j);
        const T gate = _at.fill(_c_gate, _row_gate, _j);
        const T grad_gate = grad_y * value;
        const T _t9 = grad_gate * gate;
        _t10 = _Sum()(_t10, _t9);
    )
    _t10 = _row_reduce(_t10, _Sum());
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T gate = _at.get(_c_gate, _row_gate, _j);
        const T value = _at.get(_c_value, _row_value, _j);
        const T grad_value = grad_y * gate;
        const T grad_gate = grad_y * value;
        const T _t11 = grad_gate - _t10;
        const T _t12 = gate * _t11;
        _row_grad_value[_j] = grad_value;
        _row__t12[_j] = _t12;
    )
    """,
)


def _cupy_backward_softmax(grad_y, x, weight_linear, weight_gate, value, gate):
    import cupy as cp

    grad_value, _t12 = _gated_linear_unit_softmax_bwd_0(grad_y, gate, value)
    grad_bias_gate = cp.sum(_t12, axis=0)
    _t14 = _linear_backward_input(_t12, weight_gate)
    grad_weight_gate = _rows(_t12).T @ _rows(x)
    grad_bias_linear = cp.sum(grad_value, axis=0)
    _t17 = _linear_backward_input(grad_value, weight_linear)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _gated_linear_unit_swish_bwd_1(_t14, _t17)
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


# gated_linear_unit_identity_fwd_1: layers_spec/layers/gated_linear_unit.yaml:21,22
_gated_linear_unit_identity_fwd_1 = ElementwiseKernel(
    "gated_linear_unit_identity_fwd_1",
    "T _t2, T bias_gate, T value",
    "T _t3, T y",
    """
    _t3 = _t2 + bias_gate;
    y = value * _t3;
    """,
)


def _cupy_forward_identity(x, weight_linear, bias_linear, weight_gate, bias_gate):
    _t1 = _linear(x, weight_linear)
    value = _gated_linear_unit_sigmoid_fwd_0(_t1, bias_linear)
    _t2 = _linear(x, weight_gate)
    _t3, y = _gated_linear_unit_identity_fwd_1(_t2, bias_gate, value)
    return y, (x, weight_linear, weight_gate, value, _t3)


# gated_linear_unit_identity_bwd_0: layers_spec/primitives.yaml:61,62
_gated_linear_unit_identity_bwd_0 = ElementwiseKernel(
    "gated_linear_unit_identity_bwd_0",
    "T grad_y, T _t3, T value",
    "T grad_value, T _t5",
    """
    grad_value = grad_y * _t3;
    _t5 = grad_y * value;
    """,
)


# gated_linear_unit_identity_bwd_1: layers_spec/primitives.yaml:522
_gated_linear_unit_identity_bwd_1 = ElementwiseKernel(
    "gated_linear_unit_identity_bwd_1",
    "T _t7, T _t10",
    "T grad_x",
    """
    grad_x = _t7 + _t10;
    """,
)


def _cupy_backward_identity(grad_y, x, weight_linear, weight_gate, value, _t3):
    import cupy as cp

    grad_value, _t5 = _gated_linear_unit_identity_bwd_0(grad_y, _t3, value)
    grad_bias_gate = cp.sum(_t5, axis=0)
    _t7 = _linear_backward_input(_t5, weight_gate)
    grad_weight_gate = _rows(_t5).T @ _rows(x)
    grad_bias_linear = cp.sum(grad_value, axis=0)
    _t10 = _linear_backward_input(grad_value, weight_linear)
    grad_weight_linear = _rows(grad_value).T @ _rows(x)
    grad_x = _gated_linear_unit_identity_bwd_1(_t7, _t10)
    return (
        grad_x,
        grad_weight_linear,
        grad_bias_linear,
        grad_weight_gate,
        grad_bias_gate,
    )


_CUPY_FUSED = {
    "sigmoid": (_cupy_forward_sigmoid, _cupy_backward_sigmoid),
    "relu": (_cupy_forward_relu, _cupy_backward_relu),
    "gelu": (_cupy_forward_gelu, _cupy_backward_gelu),
    "swish": (_cupy_forward_swish, _cupy_backward_swish),
    "silu": (_cupy_forward_swish, _cupy_backward_swish),
    "tanh": (_cupy_forward_tanh, _cupy_backward_tanh),
    "softmax": (_cupy_forward_softmax, _cupy_backward_softmax),
    "identity": (_cupy_forward_identity, _cupy_backward_identity),
}
