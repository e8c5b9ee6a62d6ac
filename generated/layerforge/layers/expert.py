"""Expert: One expert of a mixture of experts, the preset of AiDotNet's builder: y =
activation(fc2(relu(fc1(x)))), two fully connected layers with weights in
torch.nn.Linear layout, ReLU between them (fixed), the output activation the slot
(identity by default).
Generated from layers_spec/layers/expert.yaml by the layerforge transpiler 0.1.0.
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
PARAMETERS = ("fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias")
OUTPUTS = ("y",)


def forward(
    x,
    fc1_weight,
    fc1_bias,
    fc2_weight,
    fc2_bias,
    *,
    activation="identity",
    activation_options=None,
):
    """Expert forward pass.

    One expert of a mixture of experts, the preset of AiDotNet's builder: y =
    activation(fc2(relu(fc1(x)))), two fully connected layers with weights in
    torch.nn.Linear layout, ReLU between them (fixed), the output activation the slot
    (identity by default).

    Args:
        x: float32 or float64 input of shape [B, in_features]. A batch of feature
            vectors.
        fc1_weight: float32 or float64 parameter of shape [hidden_features,
            in_features].
        fc1_bias: float32 or float64 parameter of shape [hidden_features].
        fc2_weight: float32 or float64 parameter of shape [out_features,
            hidden_features].
        fc2_bias: float32 or float64 parameter of shape [out_features].
        activation: name of the activation applied to the result, default 'identity';
            identity, relu, tanh, softmax, gelu, silu are fused into specialized code,
            any other activation of layerforge.activations is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "expert",
        {
            "x": x,
            "fc1_weight": fc1_weight,
            "fc1_bias": fc1_bias,
            "fc2_weight": fc2_weight,
            "fc2_bias": fc2_bias,
        },
        {
            "x": ("B", "in_features"),
            "fc1_weight": ("hidden_features", "in_features"),
            "fc1_bias": ("hidden_features",),
            "fc2_weight": ("out_features", "hidden_features"),
            "fc2_bias": ("out_features",),
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
                check_options("expert", activation, options)
            y, saved = forward_variant(
                x, fc1_weight, fc1_bias, fc2_weight, fc2_bias, **options
            )
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("expert", activation)
        if options:
            check_options("expert", activation, options)
        y_linear, linear_saved = _cupy_forward_identity(
            x, fc1_weight, fc1_bias, fc2_weight, fc2_bias
        )
        y, activation_ctx = module.forward(y_linear, **options)
        return y, (
            _cupy_backward_composed,
            (module, activation_ctx, linear_saved),
            (y.dtype, y.shape),
            None,
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get(activation)
    fixed = _FUSED_FIXED.get(activation, {})
    if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
        options = {k: v for k, v in options.items() if k not in fixed}
        forward_variant, backward_variant = fused
        if options:
            check_options("expert", activation, options)
        y, saved = forward_variant(
            x, fc1_weight, fc1_bias, fc2_weight, fc2_bias, **options
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("expert", activation)
    if options:
        check_options("expert", activation, options)
    y_linear, linear_saved = _forward_identity(
        x, fc1_weight, fc1_bias, fc2_weight, fc2_bias
    )
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """Expert backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias:
            gradients with respect to x, fc1_weight, fc1_bias, fc2_weight, fc2_bias, in
            that order.
    """
    backward_variant, saved = check_context("expert", __name__, ctx, {"grad_y": grad_y})
    return backward_variant(grad_y, *saved)


def _forward_identity(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _linear(x, fc1_weight)
    _t1 += fc1_bias
    hidden = np.clip(_t1, 0, np.inf)
    z = _linear(hidden, fc2_weight)
    z += fc2_bias
    return z, (x, fc1_weight, fc2_weight, _t1)


def _backward_identity(grad_y, x, fc1_weight, fc2_weight, _t1):
    hidden = np.clip(_t1, 0, np.inf)
    grad_fc2_bias = np.sum(grad_y, axis=0)
    grad_hidden = _linear_backward_input(grad_y, fc2_weight)
    grad_fc2_weight = _rows(grad_y).T @ _rows(hidden)
    _t2 = grad_hidden * (_t1 > 0)
    grad_fc1_bias = np.sum(_t2, axis=0)
    grad_x = _linear_backward_input(_t2, fc1_weight)
    grad_fc1_weight = _rows(_t2).T @ _rows(x)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _forward_relu(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _linear(x, fc1_weight)
    _t1 += fc1_bias
    hidden = np.clip(_t1, 0, np.inf)
    z = _linear(hidden, fc2_weight)
    z += fc2_bias
    y = np.clip(z, 0, np.inf)
    return y, (x, fc1_weight, fc2_weight, _t1, z)


def _backward_relu(grad_y, x, fc1_weight, fc2_weight, _t1, z):
    hidden = np.clip(_t1, 0, np.inf)
    grad_z = grad_y * (z > 0)
    grad_fc2_bias = np.sum(grad_z, axis=0)
    grad_hidden = _linear_backward_input(grad_z, fc2_weight)
    grad_fc2_weight = _rows(grad_z).T @ _rows(hidden)
    _t2 = grad_hidden * (_t1 > 0)
    grad_fc1_bias = np.sum(_t2, axis=0)
    grad_x = _linear_backward_input(_t2, fc1_weight)
    grad_fc1_weight = _rows(_t2).T @ _rows(x)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _forward_tanh(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _linear(x, fc1_weight)
    _t1 += fc1_bias
    hidden = np.clip(_t1, 0, np.inf)
    z = _linear(hidden, fc2_weight)
    z += fc2_bias
    y = np.tanh(z, out=z)
    return y, (x, fc1_weight, fc2_weight, _t1, y)


def _backward_tanh(grad_y, x, fc1_weight, fc2_weight, _t1, y):
    hidden = np.clip(_t1, 0, np.inf)
    grad_z = y * y
    np.subtract(1, grad_z, out=grad_z)
    grad_z *= grad_y
    grad_fc2_bias = np.sum(grad_z, axis=0)
    grad_hidden = _linear_backward_input(grad_z, fc2_weight)
    grad_fc2_weight = _rows(grad_z).T @ _rows(hidden)
    _t2 = grad_hidden * (_t1 > 0)
    grad_fc1_bias = np.sum(_t2, axis=0)
    grad_x = _linear_backward_input(_t2, fc1_weight)
    grad_fc1_weight = _rows(_t2).T @ _rows(x)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _forward_softmax(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _linear(x, fc1_weight)
    _t1 += fc1_bias
    hidden = np.clip(_t1, 0, np.inf)
    z = _linear(hidden, fc2_weight)
    z += fc2_bias
    softmax_shifted = np.subtract(z, _amax(z, -1), out=z)
    softmax_exponentials = np.exp(softmax_shifted, out=softmax_shifted)
    y = np.divide(
        softmax_exponentials, _sum(softmax_exponentials, -1), out=softmax_exponentials
    )
    return y, (x, fc1_weight, fc2_weight, _t1, y)


def _backward_softmax(grad_y, x, fc1_weight, fc2_weight, _t1, y):
    hidden = np.clip(_t1, 0, np.inf)
    grad_z = grad_y - _sum(grad_y * y, -1)
    grad_z *= y
    grad_fc2_bias = np.sum(grad_z, axis=0)
    grad_hidden = _linear_backward_input(grad_z, fc2_weight)
    grad_fc2_weight = _rows(grad_z).T @ _rows(hidden)
    _t2 = grad_hidden * (_t1 > 0)
    grad_fc1_bias = np.sum(_t2, axis=0)
    grad_x = _linear_backward_input(_t2, fc1_weight)
    grad_fc1_weight = _rows(_t2).T @ _rows(x)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _forward_gelu(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _linear(x, fc1_weight)
    _t1 += fc1_bias
    hidden = np.clip(_t1, 0, np.inf)
    z = _linear(hidden, fc2_weight)
    z += fc2_bias
    y = _erf(0.7071067811865476 * z)
    y *= 0.5
    y += 0.5
    y *= z
    return y, (x, fc1_weight, fc2_weight, _t1, z)


def _backward_gelu(grad_y, x, fc1_weight, fc2_weight, _t1, z):
    hidden = np.clip(_t1, 0, np.inf)
    _t2 = 0.7071067811865476 * z
    grad_z = _erf(_t2)
    grad_z *= 0.5
    grad_z += 0.5
    grad_z *= grad_y
    _t3 = _t2 * _t2
    np.negative(_t3, out=_t3)
    np.exp(_t3, out=_t3)
    _t3 *= grad_y
    _t3 *= z
    _t3 *= 0.5
    _t3 *= 1.1283791670955126
    _t3 *= 0.7071067811865476
    grad_z += _t3
    grad_fc2_bias = np.sum(grad_z, axis=0)
    grad_hidden = _linear_backward_input(grad_z, fc2_weight)
    grad_fc2_weight = _rows(grad_z).T @ _rows(hidden)
    _t4 = grad_hidden * (_t1 > 0)
    grad_fc1_bias = np.sum(_t4, axis=0)
    grad_x = _linear_backward_input(_t4, fc1_weight)
    grad_fc1_weight = _rows(_t4).T @ _rows(x)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _forward_silu(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _linear(x, fc1_weight)
    _t1 += fc1_bias
    hidden = np.clip(_t1, 0, np.inf)
    z = _linear(hidden, fc2_weight)
    z += fc2_bias
    y = _sigmoid(z)
    y *= z
    return y, (x, fc1_weight, fc2_weight, _t1, z)


def _backward_silu(grad_y, x, fc1_weight, fc2_weight, _t1, z):
    hidden = np.clip(_t1, 0, np.inf)
    _t2 = _sigmoid(z)
    grad_z = grad_y * _t2
    _t3 = 1 - _t2
    _t3 *= grad_y
    _t3 *= z
    _t3 *= _t2
    grad_z += _t3
    grad_fc2_bias = np.sum(grad_z, axis=0)
    grad_hidden = _linear_backward_input(grad_z, fc2_weight)
    grad_fc2_weight = _rows(grad_z).T @ _rows(hidden)
    _t4 = grad_hidden * (_t1 > 0)
    grad_fc1_bias = np.sum(_t4, axis=0)
    grad_x = _linear_backward_input(_t4, fc1_weight)
    grad_fc1_weight = _rows(_t4).T @ _rows(x)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _backward_composed(grad_y, module, activation_ctx, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return _backward_identity(grad_linear, *linear_saved)


_FUSED = {
    "identity": (_forward_identity, _backward_identity),
    "relu": (_forward_relu, _backward_relu),
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


# expert_identity_fwd_0: layers_spec/layers/expert.yaml:19
_expert_identity_fwd_0 = ElementwiseKernel(
    "expert_identity_fwd_0",
    "T _t1, T fc1_bias",
    "T _t2, T hidden",
    """
    _t2 = _t1 + fc1_bias;
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_identity_fwd_1: layers_spec/layers/expert.yaml:20
_expert_identity_fwd_1 = ElementwiseKernel(
    "expert_identity_fwd_1",
    "T _t3, T fc2_bias",
    "T z",
    """
    z = _t3 + fc2_bias;
    """,
)


def _cupy_forward_identity(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _linear(x, fc1_weight)
    _t2, hidden = _expert_identity_fwd_0(_t1, fc1_bias)
    _t3 = _linear(hidden, fc2_weight)
    z = _expert_identity_fwd_1(_t3, fc2_bias)
    return z, (x, fc1_weight, fc2_weight, _t2)


# expert_identity_bwd_0: layers_spec/layers/expert.yaml:19
_expert_identity_bwd_0 = ElementwiseKernel(
    "expert_identity_bwd_0",
    "T _t2",
    "T hidden",
    """
    hidden = _t2 > T(0) || _t2 != _t2 ? _t2 : T(0);
    """,
)


# expert_identity_bwd_1: layers_spec/primitives.yaml:252
_expert_identity_bwd_1 = ElementwiseKernel(
    "expert_identity_bwd_1",
    "T _t2, T grad_hidden",
    "T _t8",
    """
    bool _t7 = _t2 > T(0);
    _t8 = grad_hidden * _t7;
    """,
)


def _cupy_backward_identity(grad_y, x, fc1_weight, fc2_weight, _t2):
    import cupy as cp

    hidden = _expert_identity_bwd_0(_t2)
    grad_fc2_bias = cp.sum(grad_y, axis=0)
    grad_hidden = _linear_backward_input(grad_y, fc2_weight)
    grad_fc2_weight = _rows(grad_y).T @ _rows(hidden)
    _t8 = _expert_identity_bwd_1(_t2, grad_hidden)
    grad_fc1_bias = cp.sum(_t8, axis=0)
    grad_x = _linear_backward_input(_t8, fc1_weight)
    grad_fc1_weight = _rows(_t8).T @ _rows(x)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


# expert_relu_fwd_1: layers_spec/layers/expert.yaml:20; layers_spec/activations/relu.yaml:8
_expert_relu_fwd_1 = ElementwiseKernel(
    "expert_relu_fwd_1",
    "T _t3, T fc2_bias",
    "T z, T y",
    """
    z = _t3 + fc2_bias;
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _linear(x, fc1_weight)
    _t2, hidden = _expert_identity_fwd_0(_t1, fc1_bias)
    _t3 = _linear(hidden, fc2_weight)
    z, y = _expert_relu_fwd_1(_t3, fc2_bias)
    return y, (x, fc1_weight, fc2_weight, _t2, z)


# expert_relu_bwd_1: layers_spec/primitives.yaml:252
_expert_relu_bwd_1 = ElementwiseKernel(
    "expert_relu_bwd_1",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t4 = z > T(0);
    grad_z = grad_y * _t4;
    """,
)


# expert_relu_bwd_2: layers_spec/primitives.yaml:252
_expert_relu_bwd_2 = ElementwiseKernel(
    "expert_relu_bwd_2",
    "T _t2, T grad_hidden",
    "T _t10",
    """
    bool _t9 = _t2 > T(0);
    _t10 = grad_hidden * _t9;
    """,
)


def _cupy_backward_relu(grad_y, x, fc1_weight, fc2_weight, _t2, z):
    import cupy as cp

    hidden = _expert_identity_bwd_0(_t2)
    grad_z = _expert_relu_bwd_1(z, grad_y)
    grad_fc2_bias = cp.sum(grad_z, axis=0)
    grad_hidden = _linear_backward_input(grad_z, fc2_weight)
    grad_fc2_weight = _rows(grad_z).T @ _rows(hidden)
    _t10 = _expert_relu_bwd_2(_t2, grad_hidden)
    grad_fc1_bias = cp.sum(_t10, axis=0)
    grad_x = _linear_backward_input(_t10, fc1_weight)
    grad_fc1_weight = _rows(_t10).T @ _rows(x)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


# expert_tanh_fwd_1: layers_spec/layers/expert.yaml:20; layers_spec/activations/tanh.yaml:8
_expert_tanh_fwd_1 = ElementwiseKernel(
    "expert_tanh_fwd_1",
    "T _t3, T fc2_bias",
    "T y",
    """
    T z = _t3 + fc2_bias;
    y = tanh(z);
    """,
)


def _cupy_forward_tanh(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _linear(x, fc1_weight)
    _t2, hidden = _expert_identity_fwd_0(_t1, fc1_bias)
    _t3 = _linear(hidden, fc2_weight)
    y = _expert_tanh_fwd_1(_t3, fc2_bias)
    return y, (x, fc1_weight, fc2_weight, _t2, y)


# expert_tanh_bwd_1: layers_spec/primitives.yaml:180
_expert_tanh_bwd_1 = ElementwiseKernel(
    "expert_tanh_bwd_1",
    "T y, T grad_y",
    "T grad_z",
    """
    T _t4 = y * y;
    T _t5 = T(1) - _t4;
    grad_z = grad_y * _t5;
    """,
)


# expert_tanh_bwd_2: layers_spec/primitives.yaml:252
_expert_tanh_bwd_2 = ElementwiseKernel(
    "expert_tanh_bwd_2",
    "T _t2, T grad_hidden",
    "T _t11",
    """
    bool _t10 = _t2 > T(0);
    _t11 = grad_hidden * _t10;
    """,
)


def _cupy_backward_tanh(grad_y, x, fc1_weight, fc2_weight, _t2, y):
    import cupy as cp

    hidden = _expert_identity_bwd_0(_t2)
    grad_z = _expert_tanh_bwd_1(y, grad_y)
    grad_fc2_bias = cp.sum(grad_z, axis=0)
    grad_hidden = _linear_backward_input(grad_z, fc2_weight)
    grad_fc2_weight = _rows(grad_z).T @ _rows(hidden)
    _t11 = _expert_tanh_bwd_2(_t2, grad_hidden)
    grad_fc1_bias = cp.sum(_t11, axis=0)
    grad_x = _linear_backward_input(_t11, fc1_weight)
    grad_fc1_weight = _rows(_t11).T @ _rows(x)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


# expert_softmax_fwd_1: layers_spec/layers/expert.yaml:20; layers_spec/activations/softmax.yaml:10,11,12
_expert_softmax_fwd_1 = RowBlockKernel(
    "expert_softmax_fwd_1",
    "row T _t3, column T fc2_bias",
    "row T y",
    """
    T _c__t3[LF_REGISTERS];
    T _t4 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T _t3 = _at.fill(_c__t3, _row__t3, _j);
        const T fc2_bias = _p_fc2_bias[_j];
        const T z = _t3 + fc2_bias;
        _t4 = _Max()(_t4, z);
    )
    _t4 = _row_reduce(_t4, _Max());
    const T _t5 = _t4;
    T _t6 = T(0);
    LF_ROW_LOOP(
        const T _t3 = _at.get(_c__t3, _row__t3, _j);
        const T fc2_bias = _p_fc2_bias[_j];
        const T z = _t3 + fc2_bias;
        const T softmax_shifted = z - _t5;
        const T softmax_exponentials = exp(softmax_shifted);
        _t6 = _Sum()(_t6, softmax_exponentials);
    )
    _t6 = _row_reduce(_t6, _Sum());
    LF_ROW_LOOP(
        const T _t3 = _at.get(_c__t3, _row__t3, _j);
        const T fc2_bias = _p_fc2_bias[_j];
        const T z = _t3 + fc2_bias;
        const T softmax_shifted = z - _t5;
        const T softmax_exponentials = exp(softmax_shifted);
        const T y = softmax_exponentials / _t6;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_softmax(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _linear(x, fc1_weight)
    _t2, hidden = _expert_identity_fwd_0(_t1, fc1_bias)
    _t3 = _linear(hidden, fc2_weight)
    y = _expert_softmax_fwd_1(_t3, fc2_bias)
    return y, (x, fc1_weight, fc2_weight, _t2, y)


# expert_softmax_bwd_1: layers_spec/activations/softmax.yaml:14
_expert_softmax_bwd_1 = RowBlockKernel(
    "expert_softmax_bwd_1",
    "row T grad_y, row T y",
    "row T grad_z",
    """
    T _c_grad_y[LF_REGISTERS];
    T _c_y[LF_REGISTERS];
    T _t8 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T y = _at.fill(_c_y, _row_y, _j);
        const T _t7 = grad_y * y;
        _t8 = _Sum()(_t8, _t7);
    )
    _t8 = _row_reduce(_t8, _Sum());
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T y = _at.get(_c_y, _row_y, _j);
        const T _t9 = grad_y - _t8;
        const T grad_z = y * _t9;
        _row_grad_z[_j] = grad_z;
    )
    """,
)


# expert_softmax_bwd_2: layers_spec/primitives.yaml:252
_expert_softmax_bwd_2 = ElementwiseKernel(
    "expert_softmax_bwd_2",
    "T _t2, T grad_hidden",
    "T _t15",
    """
    bool _t14 = _t2 > T(0);
    _t15 = grad_hidden * _t14;
    """,
)


def _cupy_backward_softmax(grad_y, x, fc1_weight, fc2_weight, _t2, y):
    import cupy as cp

    hidden = _expert_identity_bwd_0(_t2)
    grad_z = _expert_softmax_bwd_1(grad_y, y)
    grad_fc2_bias = cp.sum(grad_z, axis=0)
    grad_hidden = _linear_backward_input(grad_z, fc2_weight)
    grad_fc2_weight = _rows(grad_z).T @ _rows(hidden)
    _t15 = _expert_softmax_bwd_2(_t2, grad_hidden)
    grad_fc1_bias = cp.sum(_t15, axis=0)
    grad_x = _linear_backward_input(_t15, fc1_weight)
    grad_fc1_weight = _rows(_t15).T @ _rows(x)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


# expert_gelu_fwd_1: layers_spec/layers/expert.yaml:20; layers_spec/activations/gelu.yaml:23
_expert_gelu_fwd_1 = ElementwiseKernel(
    "expert_gelu_fwd_1",
    "T _t3, T fc2_bias",
    "T z, T y",
    """
    z = _t3 + fc2_bias;
    T _t4 = T(0.7071067811865476) * z;
    T _t5 = erf(_t4);
    T _t6 = T(0.5) * _t5;
    T _t7 = T(0.5) + _t6;
    y = z * _t7;
    """,
)


def _cupy_forward_gelu(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _linear(x, fc1_weight)
    _t2, hidden = _expert_identity_fwd_0(_t1, fc1_bias)
    _t3 = _linear(hidden, fc2_weight)
    z, y = _expert_gelu_fwd_1(_t3, fc2_bias)
    return y, (x, fc1_weight, fc2_weight, _t2, z)


# expert_gelu_bwd_1: layers_spec/activations/gelu.yaml:23; layers_spec/primitives.yaml:61,62,1973
_expert_gelu_bwd_1 = ElementwiseKernel(
    "expert_gelu_bwd_1",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t4 = T(0.7071067811865476) * z;
    T _t5 = erf(_t4);
    T _t6 = T(0.5) * _t5;
    T _t7 = T(0.5) + _t6;
    T _t8 = grad_y * _t7;
    T _t9 = grad_y * z;
    T _t10 = _t9 * T(0.5);
    T _t11 = _t10 * T(1.1283791670955126);
    T _t12 = _t4 * _t4;
    T _t13 = -_t12;
    T _t14 = exp(_t13);
    T _t15 = _t11 * _t14;
    T _t16 = _t15 * T(0.7071067811865476);
    grad_z = _t8 + _t16;
    """,
)


# expert_gelu_bwd_2: layers_spec/primitives.yaml:252
_expert_gelu_bwd_2 = ElementwiseKernel(
    "expert_gelu_bwd_2",
    "T _t2, T grad_hidden",
    "T _t21",
    """
    bool _t20 = _t2 > T(0);
    _t21 = grad_hidden * _t20;
    """,
)


def _cupy_backward_gelu(grad_y, x, fc1_weight, fc2_weight, _t2, z):
    import cupy as cp

    hidden = _expert_identity_bwd_0(_t2)
    grad_z = _expert_gelu_bwd_1(z, grad_y)
    grad_fc2_bias = cp.sum(grad_z, axis=0)
    grad_hidden = _linear_backward_input(grad_z, fc2_weight)
    grad_fc2_weight = _rows(grad_z).T @ _rows(hidden)
    _t21 = _expert_gelu_bwd_2(_t2, grad_hidden)
    grad_fc1_bias = cp.sum(_t21, axis=0)
    grad_x = _linear_backward_input(_t21, fc1_weight)
    grad_fc1_weight = _rows(_t21).T @ _rows(x)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


# expert_silu_fwd_1: layers_spec/layers/expert.yaml:20; layers_spec/activations/silu.yaml:8
_expert_silu_fwd_1 = ElementwiseKernel(
    "expert_silu_fwd_1",
    "T _t3, T fc2_bias",
    "T z, T y",
    """
    z = _t3 + fc2_bias;
    T _t4 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    y = z * _t4;
    """,
)


def _cupy_forward_silu(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _linear(x, fc1_weight)
    _t2, hidden = _expert_identity_fwd_0(_t1, fc1_bias)
    _t3 = _linear(hidden, fc2_weight)
    z, y = _expert_silu_fwd_1(_t3, fc2_bias)
    return y, (x, fc1_weight, fc2_weight, _t2, z)


# expert_silu_bwd_1: layers_spec/activations/silu.yaml:8; layers_spec/primitives.yaml:61,62,201
_expert_silu_bwd_1 = ElementwiseKernel(
    "expert_silu_bwd_1",
    "T z, T grad_y",
    "T grad_z",
    """
    T _t4 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    T _t5 = grad_y * _t4;
    T _t6 = grad_y * z;
    T _t7 = _t6 * _t4;
    T _t8 = T(1) - _t4;
    T _t9 = _t7 * _t8;
    grad_z = _t5 + _t9;
    """,
)


# expert_silu_bwd_2: layers_spec/primitives.yaml:252
_expert_silu_bwd_2 = ElementwiseKernel(
    "expert_silu_bwd_2",
    "T _t2, T grad_hidden",
    "T _t14",
    """
    bool _t13 = _t2 > T(0);
    _t14 = grad_hidden * _t13;
    """,
)


def _cupy_backward_silu(grad_y, x, fc1_weight, fc2_weight, _t2, z):
    import cupy as cp

    hidden = _expert_identity_bwd_0(_t2)
    grad_z = _expert_silu_bwd_1(z, grad_y)
    grad_fc2_bias = cp.sum(grad_z, axis=0)
    grad_hidden = _linear_backward_input(grad_z, fc2_weight)
    grad_fc2_weight = _rows(grad_z).T @ _rows(hidden)
    _t14 = _expert_silu_bwd_2(_t2, grad_hidden)
    grad_fc1_bias = cp.sum(_t14, axis=0)
    grad_x = _linear_backward_input(_t14, fc1_weight)
    grad_fc1_weight = _rows(_t14).T @ _rows(x)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _cupy_backward_composed(grad_y, module, activation_ctx, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return _cupy_backward_identity(grad_linear, *linear_saved)


_CUPY_FUSED = {
    "identity": (_cupy_forward_identity, _cupy_backward_identity),
    "relu": (_cupy_forward_relu, _cupy_backward_relu),
    "tanh": (_cupy_forward_tanh, _cupy_backward_tanh),
    "softmax": (_cupy_forward_softmax, _cupy_backward_softmax),
    "gelu": (_cupy_forward_gelu, _cupy_backward_gelu),
    "silu": (_cupy_forward_silu, _cupy_backward_silu),
}
