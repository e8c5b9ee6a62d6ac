"""Concatenate: Two arrays joined along an axis (counting the batch axis; negative counts
from the end), as torch.cat, then the activation; backward slices the gradient back, one
per input.
Generated from layers_spec/layers/concatenate.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_axis,
    activation_module,
    check_options,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("a", "b")
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(a, b, *more, axis=-1, activation="identity", activation_options=None):
    """Concatenate forward pass.

    Two arrays joined along an axis (counting the batch axis; negative counts from the
    end), as torch.cat, then the activation; backward slices the gradient back, one per
    input.

    Args:
        a: float32 or float64 input of shape [..., F_a].
        b: float32 or float64 input of shape [..., F_b].
        *more: any number of further inputs like b, folded from the left:
            forward(forward(a, b), more[0]), ..., the activation applied once, at the
            end.
        axis: int, default -1. The axis to join along; a and b must agree on every other
            axis.
        activation: name of the activation applied to the result, default 'identity';
            relu, sigmoid, tanh, softmax, identity, gelu, elu, mish, swish, silu are
            fused into specialized code, any other activation of layerforge.activations
            is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    if more:
        return _folded_forward(
            (a, b, *more),
            axis=axis,
            activation=activation,
            activation_options=activation_options,
        )
    check_arrays(
        "concatenate",
        {"a": a, "b": b},
        {"a": ("...", "F_a"), "b": ("...", "F_b")},
        leading="any",
    )
    check_attribute("concatenate", "axis", axis, "int")
    check_axis("concatenate", "axis", axis, "a", a.ndim)
    if on_gpu(a):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get(activation)
        fixed = _FUSED_FIXED.get(activation, {})
        if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
            options = {k: v for k, v in options.items() if k not in fixed}
            forward_variant, backward_variant = fused
            if options:
                check_options("concatenate", activation, options)
            y, saved = forward_variant(a, b, axis, **options)
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("concatenate", activation)
        if options:
            check_options("concatenate", activation, options)
        y_linear, linear_saved = _cupy_forward_identity(a, b, axis)
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
            check_options("concatenate", activation, options)
        y, saved = forward_variant(a, b, axis, **options)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("concatenate", activation)
    if options:
        check_options("concatenate", activation, options)
    y_linear, linear_saved = _forward_identity(a, b, axis)
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """Concatenate backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_a, grad_b: gradients with respect to a, b, in that order (and one more for
            each input of *more).

    Gradients are writable, and no copy is made: grad_a and grad_b may be one array;
    grad_a, grad_b may be grad_y itself or a view of it. Copy one before updating it in
    place if the others must not change.
    """
    backward_variant, saved = check_context(
        "concatenate", __name__, ctx, {"grad_y": grad_y}
    )
    if backward_variant is _folded_backward:
        return _folded_backward(grad_y, *saved)
    return backward_variant(grad_y, *saved)


def _forward_relu(a, b, axis):
    z = _concatenate(a, b, axis)
    y = np.clip(z, 0, np.inf)
    return y, (a, axis, z)


def _backward_relu(grad_y, a, axis, z):
    grad_z = grad_y * (z > 0)
    _t1 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t1, axis)
    grad_b = _slice_axis(grad_z, _t1, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_sigmoid(a, b, axis):
    z = _concatenate(a, b, axis)
    y = _sigmoid(z)
    return y, (a, axis, y)


def _backward_sigmoid(grad_y, a, axis, y):
    grad_z = grad_y * y * (1 - y)
    _t1 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t1, axis)
    grad_b = _slice_axis(grad_z, _t1, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_tanh(a, b, axis):
    z = _concatenate(a, b, axis)
    y = np.tanh(z)
    return y, (a, axis, y)


def _backward_tanh(grad_y, a, axis, y):
    grad_z = grad_y * (1 - y * y)
    _t1 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t1, axis)
    grad_b = _slice_axis(grad_z, _t1, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_softmax(a, b, axis):
    z = _concatenate(a, b, axis)
    softmax_shifted = z - _amax(z, -1)
    softmax_exponentials = np.exp(softmax_shifted)
    y = softmax_exponentials / _sum(softmax_exponentials, -1)
    return y, (a, axis, y)


def _backward_softmax(grad_y, a, axis, y):
    grad_z = y * (grad_y - _sum(grad_y * y, -1))
    _t1 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t1, axis)
    grad_b = _slice_axis(grad_z, _t1, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_identity(a, b, axis):
    z = _concatenate(a, b, axis)
    return z, (a, axis)


def _backward_identity(grad_y, a, axis):
    _t1 = a.shape[axis]
    grad_a = _slice_axis(grad_y, 0, _t1, axis)
    grad_b = _slice_axis(grad_y, _t1, grad_y.shape[axis], axis)
    return grad_a, grad_b


def _forward_gelu(a, b, axis):
    z = _concatenate(a, b, axis)
    y = z * (0.5 + 0.5 * _erf(0.7071067811865476 * z))
    return y, (a, axis, z)


def _backward_gelu(grad_y, a, axis, z):
    _t1 = 0.7071067811865476 * z
    grad_z = (
        grad_y * (0.5 + 0.5 * _erf(_t1))
        + grad_y
        * z
        * 0.5
        * 1.1283791670955126
        * np.exp(-(_t1 * _t1))
        * 0.7071067811865476
    )
    _t2 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t2, axis)
    grad_b = _slice_axis(grad_z, _t2, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_elu(a, b, axis, alpha=1.0):
    z = _concatenate(a, b, axis)
    y = np.clip(z, 0, np.inf) + alpha * _expm1(np.clip(z, -np.inf, 0))
    return y, (a, axis, alpha, y)


def _backward_elu(grad_y, a, axis, alpha, y):
    grad_z = grad_y * (np.clip(y, -np.inf, 0) + alpha) + grad_y * (y > 0) * (1 - alpha)
    _t1 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t1, axis)
    grad_b = _slice_axis(grad_z, _t1, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_mish(a, b, axis):
    z = _concatenate(a, b, axis)
    mish_e = np.exp(np.clip(z, -np.inf, 20))
    mish_n = mish_e * (mish_e + 2)
    y = z * mish_n / (mish_n + 2)
    return y, (a, axis, z)


def _backward_mish(grad_y, a, axis, z):
    mish_e = np.exp(np.clip(z, -np.inf, 20))
    mish_n = mish_e * (mish_e + 2)
    _t1 = 1 / (mish_n + 2)
    grad_z = grad_y * (mish_n * _t1 + 4 * z * mish_e * (mish_e + 1) * _t1 * _t1)
    _t2 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t2, axis)
    grad_b = _slice_axis(grad_z, _t2, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _forward_swish(a, b, axis):
    z = _concatenate(a, b, axis)
    y = z * _sigmoid(z)
    return y, (a, axis, z)


def _backward_swish(grad_y, a, axis, z):
    _t1 = _sigmoid(z)
    grad_z = grad_y * _t1 + grad_y * z * _t1 * (1 - _t1)
    _t2 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t2, axis)
    grad_b = _slice_axis(grad_z, _t2, grad_z.shape[axis], axis)
    return grad_a, grad_b


def _backward_composed(grad_y, module, activation_ctx, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return _backward_identity(grad_linear, *linear_saved)


def _folded_forward(arrays, *, axis, activation, activation_options):
    """forward over more than two inputs: a left fold of it, the activation at the end."""
    partial, contexts = arrays[0], []
    for array in arrays[1:-1]:
        partial, ctx = forward(partial, array, axis=axis)
        contexts.append(ctx)
    y, ctx = forward(
        partial,
        arrays[-1],
        axis=axis,
        activation=activation,
        activation_options=activation_options,
    )
    contexts.append(ctx)
    return y, (_folded_backward, (contexts,), ctx[2], None)


def _folded_backward(grad_y, contexts):
    """backward of _folded_forward: its steps' backward passes in reverse."""
    grads = []
    for ctx in reversed(contexts):
        grad_y, grad_array = backward(grad_y, ctx)
        grads.append(grad_array)
    return (grad_y, *reversed(grads))


_FUSED = {
    "relu": (_forward_relu, _backward_relu),
    "sigmoid": (_forward_sigmoid, _backward_sigmoid),
    "tanh": (_forward_tanh, _backward_tanh),
    "softmax": (_forward_softmax, _backward_softmax),
    "identity": (_forward_identity, _backward_identity),
    "gelu": (_forward_gelu, _backward_gelu),
    "elu": (_forward_elu, _backward_elu),
    "mish": (_forward_mish, _backward_mish),
    "swish": (_forward_swish, _backward_swish),
    "silu": (_forward_swish, _backward_swish),
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


def _concatenate(a, b, axis):
    """a and b joined along ``axis``; a clear error if their other dimensions differ."""
    if a.ndim != b.ndim or any(
        m != n for i, (m, n) in enumerate(zip(a.shape, b.shape)) if i != axis % a.ndim
    ):
        raise ValueError(
            f"concatenate: 'a' {tuple(a.shape)} and 'b' {tuple(b.shape)} must have the same "
            f"shape except along axis {axis}"
        )
    return np.concatenate((a, b), axis=axis)


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


def _expm1(x, out=None):
    """exp(x) - 1 without cancellation near 0. Where no argument exceeds 1/2 (an ELU's
    never do) it is 2t / (1 - t) for t = tanh(x / 2): one transcendental, and 1 - t is at
    least 3/4, so nothing cancels; otherwise tanh(x / 2) (exp(x) + 1), accurate for all x.
    ``out``, if given, receives the result and must not overlap ``x``.

    NumPy's float32 expm1 has no SIMD loop; tanh and exp do (3-5x faster).
    """
    if np.any(x > 0.5):
        half_tanh = np.tanh(0.5 * x)
        result = np.exp(x, out=out)
        result += 1
        result *= half_tanh
        return result
    half_tanh = np.multiply(x, 0.5)
    np.tanh(half_tanh, out=half_tanh)
    result = np.subtract(1, half_tanh, out=out)
    np.divide(half_tanh, result, out=result)
    result *= 2
    return result


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


def _slice_axis(x, start, stop, axis):
    """The view x[start:stop] along ``axis``."""
    index = [slice(None)] * x.ndim
    index[axis] = slice(start, stop)
    return x[tuple(index)]


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


# concatenate_relu_fwd_0: layers_spec/activations/relu.yaml:8
_concatenate_relu_fwd_0 = ElementwiseKernel(
    "concatenate_relu_fwd_0",
    "T z",
    "T y",
    """
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu(a, b, axis):
    z = _cupy_concatenate(a, b, axis)
    y = _concatenate_relu_fwd_0(z)
    return y, (a, axis, z)


# concatenate_relu_bwd_0: layers_spec/primitives.yaml:252
_concatenate_relu_bwd_0 = ElementwiseKernel(
    "concatenate_relu_bwd_0",
    "T z",
    "bool _t1",
    """
    _t1 = z > T(0);
    """,
)


# concatenate_relu_bwd_1: layers_spec/primitives.yaml:252
_concatenate_relu_bwd_1 = ElementwiseKernel(
    "concatenate_relu_bwd_1",
    "T grad_y, bool _t1",
    "T grad_z",
    """
    grad_z = grad_y * _t1;
    """,
)


def _cupy_backward_relu(grad_y, a, axis, z):
    _t1 = _concatenate_relu_bwd_0(z)
    grad_z = _concatenate_relu_bwd_1(grad_y, _t1)
    _t3 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t3, axis)
    _t5 = a.shape[axis]
    _t6 = grad_z.shape[axis]
    grad_b = _slice_axis(grad_z, _t5, _t6, axis)
    return grad_a, grad_b


# concatenate_sigmoid_fwd_0: layers_spec/activations/sigmoid.yaml:8
_concatenate_sigmoid_fwd_0 = ElementwiseKernel(
    "concatenate_sigmoid_fwd_0",
    "T z",
    "T y",
    """
    y = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    """,
)


def _cupy_forward_sigmoid(a, b, axis):
    z = _cupy_concatenate(a, b, axis)
    y = _concatenate_sigmoid_fwd_0(z)
    return y, (a, axis, y)


# concatenate_sigmoid_bwd_0: layers_spec/primitives.yaml:201
_concatenate_sigmoid_bwd_0 = ElementwiseKernel(
    "concatenate_sigmoid_bwd_0",
    "T grad_y, T y",
    "T _t1",
    """
    _t1 = grad_y * y;
    """,
)


# concatenate_sigmoid_bwd_1: layers_spec/primitives.yaml:201
_concatenate_sigmoid_bwd_1 = ElementwiseKernel(
    "concatenate_sigmoid_bwd_1",
    "T y",
    "T _t2",
    """
    _t2 = T(1) - y;
    """,
)


# concatenate_sigmoid_bwd_2: layers_spec/primitives.yaml:201
_concatenate_sigmoid_bwd_2 = ElementwiseKernel(
    "concatenate_sigmoid_bwd_2",
    "T _t1, T _t2",
    "T grad_z",
    """
    grad_z = _t1 * _t2;
    """,
)


def _cupy_backward_sigmoid(grad_y, a, axis, y):
    _t1 = _concatenate_sigmoid_bwd_0(grad_y, y)
    _t2 = _concatenate_sigmoid_bwd_1(y)
    grad_z = _concatenate_sigmoid_bwd_2(_t1, _t2)
    _t4 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t4, axis)
    _t6 = a.shape[axis]
    _t7 = grad_z.shape[axis]
    grad_b = _slice_axis(grad_z, _t6, _t7, axis)
    return grad_a, grad_b


# concatenate_tanh_fwd_0: layers_spec/activations/tanh.yaml:8
_concatenate_tanh_fwd_0 = ElementwiseKernel(
    "concatenate_tanh_fwd_0",
    "T z",
    "T y",
    """
    y = tanh(z);
    """,
)


def _cupy_forward_tanh(a, b, axis):
    z = _cupy_concatenate(a, b, axis)
    y = _concatenate_tanh_fwd_0(z)
    return y, (a, axis, y)


# concatenate_tanh_bwd_0: layers_spec/primitives.yaml:180
_concatenate_tanh_bwd_0 = ElementwiseKernel(
    "concatenate_tanh_bwd_0",
    "T y",
    "T _t1",
    """
    _t1 = y * y;
    """,
)


# concatenate_tanh_bwd_1: layers_spec/primitives.yaml:180
_concatenate_tanh_bwd_1 = ElementwiseKernel(
    "concatenate_tanh_bwd_1",
    "T _t1",
    "T _t2",
    """
    _t2 = T(1) - _t1;
    """,
)


# concatenate_tanh_bwd_2: layers_spec/primitives.yaml:180
_concatenate_tanh_bwd_2 = ElementwiseKernel(
    "concatenate_tanh_bwd_2",
    "T grad_y, T _t2",
    "T grad_z",
    """
    grad_z = grad_y * _t2;
    """,
)


def _cupy_backward_tanh(grad_y, a, axis, y):
    _t1 = _concatenate_tanh_bwd_0(y)
    _t2 = _concatenate_tanh_bwd_1(_t1)
    grad_z = _concatenate_tanh_bwd_2(grad_y, _t2)
    _t4 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t4, axis)
    _t6 = a.shape[axis]
    _t7 = grad_z.shape[axis]
    grad_b = _slice_axis(grad_z, _t6, _t7, axis)
    return grad_a, grad_b


# concatenate_softmax_fwd_0: layers_spec/activations/softmax.yaml:10
_concatenate_softmax_fwd_0 = ElementwiseKernel(
    "concatenate_softmax_fwd_0",
    "T z, T _t2",
    "T softmax_shifted",
    """
    softmax_shifted = z - _t2;
    """,
)


# concatenate_softmax_fwd_1: layers_spec/activations/softmax.yaml:11
_concatenate_softmax_fwd_1 = ElementwiseKernel(
    "concatenate_softmax_fwd_1",
    "T softmax_shifted",
    "T softmax_exponentials",
    """
    softmax_exponentials = exp(softmax_shifted);
    """,
)


# concatenate_softmax_fwd_2: layers_spec/activations/softmax.yaml:12
_concatenate_softmax_fwd_2 = ElementwiseKernel(
    "concatenate_softmax_fwd_2",
    "T softmax_exponentials, T _t3",
    "T y",
    """
    y = softmax_exponentials / _t3;
    """,
)


def _cupy_forward_softmax(a, b, axis):
    z = _cupy_concatenate(a, b, axis)
    _t1 = _cupy_amax(z, -1)
    _t2 = _t1
    softmax_shifted = _concatenate_softmax_fwd_0(z, _t2)
    softmax_exponentials = _concatenate_softmax_fwd_1(softmax_shifted)
    _t3 = _cupy_sum(softmax_exponentials, -1)
    y = _concatenate_softmax_fwd_2(softmax_exponentials, _t3)
    return y, (a, axis, y)


# concatenate_softmax_bwd_0: layers_spec/activations/softmax.yaml:14
_concatenate_softmax_bwd_0 = ElementwiseKernel(
    "concatenate_softmax_bwd_0",
    "T grad_y, T y",
    "T _t4",
    """
    _t4 = grad_y * y;
    """,
)


# concatenate_softmax_bwd_1: layers_spec/activations/softmax.yaml:14
_concatenate_softmax_bwd_1 = ElementwiseKernel(
    "concatenate_softmax_bwd_1",
    "T grad_y, T _t5",
    "T _t6",
    """
    _t6 = grad_y - _t5;
    """,
)


# concatenate_softmax_bwd_2: layers_spec/activations/softmax.yaml:14
_concatenate_softmax_bwd_2 = ElementwiseKernel(
    "concatenate_softmax_bwd_2",
    "T y, T _t6",
    "T grad_z",
    """
    grad_z = y * _t6;
    """,
)


def _cupy_backward_softmax(grad_y, a, axis, y):
    _t4 = _concatenate_softmax_bwd_0(grad_y, y)
    _t5 = _cupy_sum(_t4, -1)
    _t6 = _concatenate_softmax_bwd_1(grad_y, _t5)
    grad_z = _concatenate_softmax_bwd_2(y, _t6)
    _t8 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t8, axis)
    _t10 = a.shape[axis]
    _t11 = grad_z.shape[axis]
    grad_b = _slice_axis(grad_z, _t10, _t11, axis)
    return grad_a, grad_b


def _cupy_forward_identity(a, b, axis):
    z = _cupy_concatenate(a, b, axis)
    return z, (a, axis)


def _cupy_backward_identity(grad_y, a, axis):
    _t1 = a.shape[axis]
    grad_a = _slice_axis(grad_y, 0, _t1, axis)
    _t3 = a.shape[axis]
    _t4 = grad_y.shape[axis]
    grad_b = _slice_axis(grad_y, _t3, _t4, axis)
    return grad_a, grad_b


# concatenate_gelu_fwd_0: layers_spec/activations/gelu.yaml:23
_concatenate_gelu_fwd_0 = ElementwiseKernel(
    "concatenate_gelu_fwd_0",
    "T z",
    "T _t1",
    """
    _t1 = T(0.7071067811865476) * z;
    """,
)


# concatenate_gelu_fwd_1: layers_spec/activations/gelu.yaml:23
_concatenate_gelu_fwd_1 = ElementwiseKernel(
    "concatenate_gelu_fwd_1",
    "T _t1",
    "T _t2",
    """
    _t2 = erf(_t1);
    """,
)


# concatenate_gelu_fwd_2: layers_spec/activations/gelu.yaml:23
_concatenate_gelu_fwd_2 = ElementwiseKernel(
    "concatenate_gelu_fwd_2",
    "T _t2",
    "T _t3",
    """
    _t3 = T(0.5) * _t2;
    """,
)


# concatenate_gelu_fwd_3: layers_spec/activations/gelu.yaml:23
_concatenate_gelu_fwd_3 = ElementwiseKernel(
    "concatenate_gelu_fwd_3",
    "T _t3",
    "T _t4",
    """
    _t4 = T(0.5) + _t3;
    """,
)


# concatenate_gelu_fwd_4: layers_spec/activations/gelu.yaml:23
_concatenate_gelu_fwd_4 = ElementwiseKernel(
    "concatenate_gelu_fwd_4",
    "T z, T _t4",
    "T y",
    """
    y = z * _t4;
    """,
)


def _cupy_forward_gelu(a, b, axis):
    z = _cupy_concatenate(a, b, axis)
    _t1 = _concatenate_gelu_fwd_0(z)
    _t2 = _concatenate_gelu_fwd_1(_t1)
    _t3 = _concatenate_gelu_fwd_2(_t2)
    _t4 = _concatenate_gelu_fwd_3(_t3)
    y = _concatenate_gelu_fwd_4(z, _t4)
    return y, (a, axis, z)


# concatenate_gelu_bwd_4: layers_spec/primitives.yaml:61
_concatenate_gelu_bwd_4 = ElementwiseKernel(
    "concatenate_gelu_bwd_4",
    "T grad_y, T _t4",
    "T _t5",
    """
    _t5 = grad_y * _t4;
    """,
)


# concatenate_gelu_bwd_5: layers_spec/primitives.yaml:62
_concatenate_gelu_bwd_5 = ElementwiseKernel(
    "concatenate_gelu_bwd_5",
    "T grad_y, T z",
    "T _t6",
    """
    _t6 = grad_y * z;
    """,
)


# concatenate_gelu_bwd_6: layers_spec/primitives.yaml:62
_concatenate_gelu_bwd_6 = ElementwiseKernel(
    "concatenate_gelu_bwd_6",
    "T _t6",
    "T _t7",
    """
    _t7 = _t6 * T(0.5);
    """,
)


# concatenate_gelu_bwd_7: layers_spec/primitives.yaml:1973
_concatenate_gelu_bwd_7 = ElementwiseKernel(
    "concatenate_gelu_bwd_7",
    "T _t7",
    "T _t8",
    """
    _t8 = _t7 * T(1.1283791670955126);
    """,
)


# concatenate_gelu_bwd_8: layers_spec/primitives.yaml:1973
_concatenate_gelu_bwd_8 = ElementwiseKernel(
    "concatenate_gelu_bwd_8",
    "T _t1",
    "T _t9",
    """
    _t9 = _t1 * _t1;
    """,
)


# concatenate_gelu_bwd_9: layers_spec/primitives.yaml:1973
_concatenate_gelu_bwd_9 = ElementwiseKernel(
    "concatenate_gelu_bwd_9",
    "T _t9",
    "T _t10",
    """
    _t10 = -_t9;
    """,
)


# concatenate_gelu_bwd_10: layers_spec/primitives.yaml:1973
_concatenate_gelu_bwd_10 = ElementwiseKernel(
    "concatenate_gelu_bwd_10",
    "T _t10",
    "T _t11",
    """
    _t11 = exp(_t10);
    """,
)


# concatenate_gelu_bwd_11: layers_spec/primitives.yaml:1973
_concatenate_gelu_bwd_11 = ElementwiseKernel(
    "concatenate_gelu_bwd_11",
    "T _t8, T _t11",
    "T _t12",
    """
    _t12 = _t8 * _t11;
    """,
)


# concatenate_gelu_bwd_12: layers_spec/primitives.yaml:62
_concatenate_gelu_bwd_12 = ElementwiseKernel(
    "concatenate_gelu_bwd_12",
    "T _t12",
    "T _t13",
    """
    _t13 = _t12 * T(0.7071067811865476);
    """,
)


# concatenate_gelu_bwd_13: layers_spec/primitives.yaml:62
_concatenate_gelu_bwd_13 = ElementwiseKernel(
    "concatenate_gelu_bwd_13",
    "T _t5, T _t13",
    "T grad_z",
    """
    grad_z = _t5 + _t13;
    """,
)


def _cupy_backward_gelu(grad_y, a, axis, z):
    _t1 = _concatenate_gelu_fwd_0(z)
    _t2 = _concatenate_gelu_fwd_1(_t1)
    _t3 = _concatenate_gelu_fwd_2(_t2)
    _t4 = _concatenate_gelu_fwd_3(_t3)
    _t5 = _concatenate_gelu_bwd_4(grad_y, _t4)
    _t6 = _concatenate_gelu_bwd_5(grad_y, z)
    _t7 = _concatenate_gelu_bwd_6(_t6)
    _t8 = _concatenate_gelu_bwd_7(_t7)
    _t9 = _concatenate_gelu_bwd_8(_t1)
    _t10 = _concatenate_gelu_bwd_9(_t9)
    _t11 = _concatenate_gelu_bwd_10(_t10)
    _t12 = _concatenate_gelu_bwd_11(_t8, _t11)
    _t13 = _concatenate_gelu_bwd_12(_t12)
    grad_z = _concatenate_gelu_bwd_13(_t5, _t13)
    _t14 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t14, axis)
    _t16 = a.shape[axis]
    _t17 = grad_z.shape[axis]
    grad_b = _slice_axis(grad_z, _t16, _t17, axis)
    return grad_a, grad_b


# concatenate_elu_fwd_0: layers_spec/activations/elu.yaml:10
_concatenate_elu_fwd_0 = ElementwiseKernel(
    "concatenate_elu_fwd_0",
    "T z",
    "T _t1",
    """
    _t1 = z > T(0) || z != z ? z : T(0);
    """,
)


# concatenate_elu_fwd_1: layers_spec/activations/elu.yaml:10
_concatenate_elu_fwd_1 = ElementwiseKernel(
    "concatenate_elu_fwd_1",
    "T z",
    "T _t2",
    """
    _t2 = z < T(0) || z != z ? z : T(0);
    """,
)


# concatenate_elu_fwd_2: layers_spec/activations/elu.yaml:10
_concatenate_elu_fwd_2 = ElementwiseKernel(
    "concatenate_elu_fwd_2",
    "T _t2",
    "T _t3",
    """
    _t3 = expm1(_t2);
    """,
)


# concatenate_elu_fwd_3: layers_spec/activations/elu.yaml:10
_concatenate_elu_fwd_3 = ElementwiseKernel(
    "concatenate_elu_fwd_3",
    "T alpha, T _t3",
    "T _t4",
    """
    _t4 = alpha * _t3;
    """,
    scalars=("alpha",),
)


# concatenate_elu_fwd_4: layers_spec/activations/elu.yaml:10
_concatenate_elu_fwd_4 = ElementwiseKernel(
    "concatenate_elu_fwd_4",
    "T _t1, T _t4",
    "T y",
    """
    y = _t1 + _t4;
    """,
)


def _cupy_forward_elu(a, b, axis, alpha=1.0):
    z = _cupy_concatenate(a, b, axis)
    _t1 = _concatenate_elu_fwd_0(z)
    _t2 = _concatenate_elu_fwd_1(z)
    _t3 = _concatenate_elu_fwd_2(_t2)
    _t4 = _concatenate_elu_fwd_3(alpha, _t3)
    y = _concatenate_elu_fwd_4(_t1, _t4)
    return y, (a, axis, alpha, y)


# concatenate_elu_bwd_0: layers_spec/activations/elu.yaml:15
_concatenate_elu_bwd_0 = ElementwiseKernel(
    "concatenate_elu_bwd_0",
    "T y",
    "T _t5",
    """
    _t5 = y < T(0) || y != y ? y : T(0);
    """,
)


# concatenate_elu_bwd_1: layers_spec/activations/elu.yaml:15
_concatenate_elu_bwd_1 = ElementwiseKernel(
    "concatenate_elu_bwd_1",
    "T _t5, T alpha",
    "T _t6",
    """
    _t6 = _t5 + alpha;
    """,
    scalars=("alpha",),
)


# concatenate_elu_bwd_2: layers_spec/activations/elu.yaml:15
_concatenate_elu_bwd_2 = ElementwiseKernel(
    "concatenate_elu_bwd_2",
    "T grad_y, T _t6",
    "T _t7",
    """
    _t7 = grad_y * _t6;
    """,
)


# concatenate_elu_bwd_3: layers_spec/activations/elu.yaml:15
_concatenate_elu_bwd_3 = ElementwiseKernel(
    "concatenate_elu_bwd_3",
    "T y",
    "bool _t8",
    """
    _t8 = y > T(0);
    """,
)


# concatenate_elu_bwd_4: layers_spec/activations/elu.yaml:15
_concatenate_elu_bwd_4 = ElementwiseKernel(
    "concatenate_elu_bwd_4",
    "T grad_y, bool _t8",
    "T _t9",
    """
    _t9 = grad_y * _t8;
    """,
)


# concatenate_elu_bwd_5: layers_spec/activations/elu.yaml:15
_concatenate_elu_bwd_5 = ElementwiseKernel(
    "concatenate_elu_bwd_5",
    "T _t9, T _t10",
    "T _t11",
    """
    _t11 = _t9 * _t10;
    """,
    scalars=("_t10",),
)


# concatenate_elu_bwd_6: layers_spec/activations/elu.yaml:15
_concatenate_elu_bwd_6 = ElementwiseKernel(
    "concatenate_elu_bwd_6",
    "T _t7, T _t11",
    "T grad_z",
    """
    grad_z = _t7 + _t11;
    """,
)


def _cupy_backward_elu(grad_y, a, axis, alpha, y):
    _t5 = _concatenate_elu_bwd_0(y)
    _t6 = _concatenate_elu_bwd_1(_t5, alpha)
    _t7 = _concatenate_elu_bwd_2(grad_y, _t6)
    _t8 = _concatenate_elu_bwd_3(y)
    _t9 = _concatenate_elu_bwd_4(grad_y, _t8)
    _t10 = 1 - alpha
    _t11 = _concatenate_elu_bwd_5(_t9, _t10)
    grad_z = _concatenate_elu_bwd_6(_t7, _t11)
    _t13 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t13, axis)
    _t15 = a.shape[axis]
    _t16 = grad_z.shape[axis]
    grad_b = _slice_axis(grad_z, _t15, _t16, axis)
    return grad_a, grad_b


# concatenate_mish_fwd_0: layers_spec/activations/mish.yaml:12
_concatenate_mish_fwd_0 = ElementwiseKernel(
    "concatenate_mish_fwd_0",
    "T z",
    "T _t1",
    """
    _t1 = z < T(20) || z != z ? z : T(20);
    """,
)


# concatenate_mish_fwd_1: layers_spec/activations/mish.yaml:12
_concatenate_mish_fwd_1 = ElementwiseKernel(
    "concatenate_mish_fwd_1",
    "T _t1",
    "T mish_e",
    """
    mish_e = exp(_t1);
    """,
)


# concatenate_mish_fwd_2: layers_spec/activations/mish.yaml:13
_concatenate_mish_fwd_2 = ElementwiseKernel(
    "concatenate_mish_fwd_2",
    "T mish_e",
    "T _t2",
    """
    _t2 = mish_e + T(2);
    """,
)


# concatenate_mish_fwd_3: layers_spec/activations/mish.yaml:13
_concatenate_mish_fwd_3 = ElementwiseKernel(
    "concatenate_mish_fwd_3",
    "T mish_e, T _t2",
    "T mish_n",
    """
    mish_n = mish_e * _t2;
    """,
)


# concatenate_mish_fwd_4: layers_spec/activations/mish.yaml:14
_concatenate_mish_fwd_4 = ElementwiseKernel(
    "concatenate_mish_fwd_4",
    "T z, T mish_n",
    "T _t3",
    """
    _t3 = z * mish_n;
    """,
)


# concatenate_mish_fwd_5: layers_spec/activations/mish.yaml:14
_concatenate_mish_fwd_5 = ElementwiseKernel(
    "concatenate_mish_fwd_5",
    "T mish_n",
    "T _t4",
    """
    _t4 = mish_n + T(2);
    """,
)


# concatenate_mish_fwd_6: layers_spec/activations/mish.yaml:14
_concatenate_mish_fwd_6 = ElementwiseKernel(
    "concatenate_mish_fwd_6",
    "T _t3, T _t4",
    "T y",
    """
    y = _t3 / _t4;
    """,
)


def _cupy_forward_mish(a, b, axis):
    z = _cupy_concatenate(a, b, axis)
    _t1 = _concatenate_mish_fwd_0(z)
    mish_e = _concatenate_mish_fwd_1(_t1)
    _t2 = _concatenate_mish_fwd_2(mish_e)
    mish_n = _concatenate_mish_fwd_3(mish_e, _t2)
    _t3 = _concatenate_mish_fwd_4(z, mish_n)
    _t4 = _concatenate_mish_fwd_5(mish_n)
    y = _concatenate_mish_fwd_6(_t3, _t4)
    return y, (a, axis, z)


# concatenate_mish_bwd_4: layers_spec/activations/mish.yaml:17
_concatenate_mish_bwd_4 = ElementwiseKernel(
    "concatenate_mish_bwd_4",
    "T mish_n",
    "T _t5",
    """
    _t5 = mish_n + T(2);
    """,
)


# concatenate_mish_bwd_5: layers_spec/activations/mish.yaml:17
_concatenate_mish_bwd_5 = ElementwiseKernel(
    "concatenate_mish_bwd_5",
    "T _t5",
    "T _t6",
    """
    _t6 = T(1) / _t5;
    """,
)


# concatenate_mish_bwd_6: layers_spec/activations/mish.yaml:18
_concatenate_mish_bwd_6 = ElementwiseKernel(
    "concatenate_mish_bwd_6",
    "T mish_n, T _t6",
    "T _t7",
    """
    _t7 = mish_n * _t6;
    """,
)


# concatenate_mish_bwd_7: layers_spec/activations/mish.yaml:18
_concatenate_mish_bwd_7 = ElementwiseKernel(
    "concatenate_mish_bwd_7",
    "T z",
    "T _t8",
    """
    _t8 = T(4) * z;
    """,
)


# concatenate_mish_bwd_8: layers_spec/activations/mish.yaml:18
_concatenate_mish_bwd_8 = ElementwiseKernel(
    "concatenate_mish_bwd_8",
    "T _t8, T mish_e",
    "T _t9",
    """
    _t9 = _t8 * mish_e;
    """,
)


# concatenate_mish_bwd_9: layers_spec/activations/mish.yaml:18
_concatenate_mish_bwd_9 = ElementwiseKernel(
    "concatenate_mish_bwd_9",
    "T mish_e",
    "T _t10",
    """
    _t10 = mish_e + T(1);
    """,
)


# concatenate_mish_bwd_10: layers_spec/activations/mish.yaml:18
_concatenate_mish_bwd_10 = ElementwiseKernel(
    "concatenate_mish_bwd_10",
    "T _t9, T _t10",
    "T _t11",
    """
    _t11 = _t9 * _t10;
    """,
)


# concatenate_mish_bwd_11: layers_spec/activations/mish.yaml:18
_concatenate_mish_bwd_11 = ElementwiseKernel(
    "concatenate_mish_bwd_11",
    "T _t11, T _t6",
    "T _t12",
    """
    _t12 = _t11 * _t6;
    """,
)


# concatenate_mish_bwd_12: layers_spec/activations/mish.yaml:18
_concatenate_mish_bwd_12 = ElementwiseKernel(
    "concatenate_mish_bwd_12",
    "T _t12, T _t6",
    "T _t13",
    """
    _t13 = _t12 * _t6;
    """,
)


# concatenate_mish_bwd_13: layers_spec/activations/mish.yaml:18
_concatenate_mish_bwd_13 = ElementwiseKernel(
    "concatenate_mish_bwd_13",
    "T _t7, T _t13",
    "T _t14",
    """
    _t14 = _t7 + _t13;
    """,
)


# concatenate_mish_bwd_14: layers_spec/activations/mish.yaml:18
_concatenate_mish_bwd_14 = ElementwiseKernel(
    "concatenate_mish_bwd_14",
    "T grad_y, T _t14",
    "T grad_z",
    """
    grad_z = grad_y * _t14;
    """,
)


def _cupy_backward_mish(grad_y, a, axis, z):
    _t1 = _concatenate_mish_fwd_0(z)
    mish_e = _concatenate_mish_fwd_1(_t1)
    _t2 = _concatenate_mish_fwd_2(mish_e)
    mish_n = _concatenate_mish_fwd_3(mish_e, _t2)
    _t5 = _concatenate_mish_bwd_4(mish_n)
    _t6 = _concatenate_mish_bwd_5(_t5)
    _t7 = _concatenate_mish_bwd_6(mish_n, _t6)
    _t8 = _concatenate_mish_bwd_7(z)
    _t9 = _concatenate_mish_bwd_8(_t8, mish_e)
    _t10 = _concatenate_mish_bwd_9(mish_e)
    _t11 = _concatenate_mish_bwd_10(_t9, _t10)
    _t12 = _concatenate_mish_bwd_11(_t11, _t6)
    _t13 = _concatenate_mish_bwd_12(_t12, _t6)
    _t14 = _concatenate_mish_bwd_13(_t7, _t13)
    grad_z = _concatenate_mish_bwd_14(grad_y, _t14)
    _t16 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t16, axis)
    _t18 = a.shape[axis]
    _t19 = grad_z.shape[axis]
    grad_b = _slice_axis(grad_z, _t18, _t19, axis)
    return grad_a, grad_b


# concatenate_swish_fwd_0: layers_spec/activations/swish.yaml:8
_concatenate_swish_fwd_0 = ElementwiseKernel(
    "concatenate_swish_fwd_0",
    "T z",
    "T _t1",
    """
    _t1 = exp(z < 0 ? z : T(0)) / (1 + exp(-fabs(z)));
    """,
)


# concatenate_swish_fwd_1: layers_spec/activations/swish.yaml:8
_concatenate_swish_fwd_1 = ElementwiseKernel(
    "concatenate_swish_fwd_1",
    "T z, T _t1",
    "T y",
    """
    y = z * _t1;
    """,
)


def _cupy_forward_swish(a, b, axis):
    z = _cupy_concatenate(a, b, axis)
    _t1 = _concatenate_swish_fwd_0(z)
    y = _concatenate_swish_fwd_1(z, _t1)
    return y, (a, axis, z)


# concatenate_swish_bwd_1: layers_spec/primitives.yaml:61
_concatenate_swish_bwd_1 = ElementwiseKernel(
    "concatenate_swish_bwd_1",
    "T grad_y, T _t1",
    "T _t2",
    """
    _t2 = grad_y * _t1;
    """,
)


# concatenate_swish_bwd_2: layers_spec/primitives.yaml:62
_concatenate_swish_bwd_2 = ElementwiseKernel(
    "concatenate_swish_bwd_2",
    "T grad_y, T z",
    "T _t3",
    """
    _t3 = grad_y * z;
    """,
)


# concatenate_swish_bwd_3: layers_spec/primitives.yaml:201
_concatenate_swish_bwd_3 = ElementwiseKernel(
    "concatenate_swish_bwd_3",
    "T _t3, T _t1",
    "T _t4",
    """
    _t4 = _t3 * _t1;
    """,
)


# concatenate_swish_bwd_4: layers_spec/primitives.yaml:201
_concatenate_swish_bwd_4 = ElementwiseKernel(
    "concatenate_swish_bwd_4",
    "T _t1",
    "T _t5",
    """
    _t5 = T(1) - _t1;
    """,
)


# concatenate_swish_bwd_5: layers_spec/primitives.yaml:201
_concatenate_swish_bwd_5 = ElementwiseKernel(
    "concatenate_swish_bwd_5",
    "T _t4, T _t5",
    "T _t6",
    """
    _t6 = _t4 * _t5;
    """,
)


# concatenate_swish_bwd_6: layers_spec/primitives.yaml:201
_concatenate_swish_bwd_6 = ElementwiseKernel(
    "concatenate_swish_bwd_6",
    "T _t2, T _t6",
    "T grad_z",
    """
    grad_z = _t2 + _t6;
    """,
)


def _cupy_backward_swish(grad_y, a, axis, z):
    _t1 = _concatenate_swish_fwd_0(z)
    _t2 = _concatenate_swish_bwd_1(grad_y, _t1)
    _t3 = _concatenate_swish_bwd_2(grad_y, z)
    _t4 = _concatenate_swish_bwd_3(_t3, _t1)
    _t5 = _concatenate_swish_bwd_4(_t1)
    _t6 = _concatenate_swish_bwd_5(_t4, _t5)
    grad_z = _concatenate_swish_bwd_6(_t2, _t6)
    _t7 = a.shape[axis]
    grad_a = _slice_axis(grad_z, 0, _t7, axis)
    _t9 = a.shape[axis]
    _t10 = grad_z.shape[axis]
    grad_b = _slice_axis(grad_z, _t9, _t10, axis)
    return grad_a, grad_b


def _cupy_backward_composed(grad_y, module, activation_ctx, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return _cupy_backward_identity(grad_linear, *linear_saved)


_CUPY_FUSED = {
    "relu": (_cupy_forward_relu, _cupy_backward_relu),
    "sigmoid": (_cupy_forward_sigmoid, _cupy_backward_sigmoid),
    "tanh": (_cupy_forward_tanh, _cupy_backward_tanh),
    "softmax": (_cupy_forward_softmax, _cupy_backward_softmax),
    "identity": (_cupy_forward_identity, _cupy_backward_identity),
    "gelu": (_cupy_forward_gelu, _cupy_backward_gelu),
    "elu": (_cupy_forward_elu, _cupy_backward_elu),
    "mish": (_cupy_forward_mish, _cupy_backward_mish),
    "swish": (_cupy_forward_swish, _cupy_backward_swish),
    "silu": (_cupy_forward_swish, _cupy_backward_swish),
}


def _cupy_amax(x, axis):
    """The maximum along ``axis``, kept as a length-1 axis, NaN if any is. A short axis
    (maxout's pieces) is folded with np.maximum over its slices: NumPy's reduction loop
    is slow on a few elements at a time. Over an empty axis it is -inf (the identity of
    the maximum), so that softmax and its kin return empty rows."""
    import cupy as cp

    if not x.shape[axis]:
        return cp.full(
            x.shape[: axis % x.ndim] + (1,) + x.shape[axis % x.ndim + 1 :],
            -cp.inf,
            x.dtype,
        )
    if x.shape[axis] > 8:
        return cp.max(x, axis=axis, keepdims=True)
    pieces = cp.moveaxis(x, axis, 0)
    top = pieces[0].copy()
    for piece in pieces[1:]:
        cp.maximum(top, piece, out=top)
    return cp.expand_dims(top, axis)


def _cupy_concatenate(a, b, axis):
    """a and b joined along ``axis``; a clear error if their other dimensions differ."""
    import cupy as cp

    if a.ndim != b.ndim or any(
        m != n for i, (m, n) in enumerate(zip(a.shape, b.shape)) if i != axis % a.ndim
    ):
        raise ValueError(
            f"concatenate: 'a' {tuple(a.shape)} and 'b' {tuple(b.shape)} must have the same "
            f"shape except along axis {axis}"
        )
    return cp.concatenate((a, b), axis=axis)


def _cupy_sum(x, axis):
    """The sum along ``axis`` (one axis or a tuple), kept as length-1 axes. Along the last
    axis of a float array it is a matrix-vector product with ones (BLAS), several times
    faster than NumPy's reduction loop on rows; over several trailing axes of a
    C-contiguous one (per-channel sums over H and W) those are flattened into one such
    product, and any leading axes are then summed over the much smaller result."""
    import cupy as cp

    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        with blas_flags_ignored(x):
            return cp.matmul(x, cp.ones(x.shape[-1], x.dtype))[..., None]
    axes = sorted(a % x.ndim for a in axis) if isinstance(axis, tuple) else None
    trailing = 0
    while axes and x.ndim - 1 - trailing in axes:
        trailing += 1
    if trailing < 2 or x.dtype.kind != "f" or not x.flags.c_contiguous or not x.size:
        return cp.sum(x, axis=axis, keepdims=True)
    inner = 1
    for n in x.shape[x.ndim - trailing :]:
        inner *= n
    sums = cp.matmul(x.reshape(-1, inner), cp.ones(inner, x.dtype))
    sums = sums.reshape(x.shape[: x.ndim - trailing] + (1,) * trailing)
    rest = tuple(a for a in axes if a < x.ndim - trailing)
    return cp.sum(sums, axis=rest, keepdims=True) if rest else sums
