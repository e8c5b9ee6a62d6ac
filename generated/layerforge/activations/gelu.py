"""GELU: Gaussian error linear unit, x Phi(x) = 0.5 x (1 + erf(x / sqrt(2)))
(approximate="none", the default, as torch.nn.GELU), or its tanh approximation 0.5 x (1
+ tanh(sqrt(2/pi) (x + 0.044715 x^3))) (approximate="tanh", the catalog's). A layer's
fused gelu is the default (erf); pass activation_options={"approximate": "tanh"} for the
other.
Generated from layers_spec/activations/gelu.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    in_row_blocks,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import (
    fast_erf,
    fast_exp,
    fast_tanh,
    in_row_runs,
    row_kernel,
    rows,
    use_jit,
    whole_rows,
)

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {"approximate": {"kind": "str", "choices": ("none", "tanh")}}


def forward(x, *, approximate="none"):
    """GELU forward pass.

    Gaussian error linear unit, x Phi(x) = 0.5 x (1 + erf(x / sqrt(2)))
    (approximate="none", the default, as torch.nn.GELU), or its tanh approximation 0.5 x
    (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (approximate="tanh", the catalog's). A
    layer's fused gelu is the default (erf); pass activation_options={"approximate":
    "tanh"} for the other.

    Args:
        x: float32 or float64 input of shape [..., F].
        approximate: str, default 'none'. "none": the exact GELU (erf); "tanh": the tanh
            approximation.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("gelu", {"x": x}, {"x": ("...", "F")})
    check_attribute("gelu", "approximate", approximate, "str", choices=("none", "tanh"))
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[approximate]
        y, saved = forward_variant(x)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        forward_variant, backward_variant = _JIT_VARIANTS[approximate]
        y, saved = in_row_blocks(forward_variant, x, outs=("out_y",))
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[approximate]
    y, saved = in_row_blocks(forward_variant, x, outs=("out_y",))
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """GELU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("gelu", __name__, ctx, {"grad_y": grad_y})
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward_none(x, *, out_y=None):
    y = _erf(0.7071067811865476 * x, out=out_y)
    y *= 0.5
    y += 0.5
    y *= x
    return y, (x,)


def _backward_none(grad_y, x, *, out_grad_x=None):
    _t1 = 0.7071067811865476 * x
    grad_x = _erf(_t1, out=out_grad_x)
    grad_x *= 0.5
    grad_x += 0.5
    grad_x *= grad_y
    _t2 = _t1 * _t1
    np.negative(_t2, out=_t2)
    np.exp(_t2, out=_t2)
    _t2 *= grad_y
    _t2 *= x
    _t2 *= 0.5
    _t2 *= 1.1283791670955126
    _t2 *= 0.7071067811865476
    grad_x += _t2
    return grad_x


def _forward_tanh(x, *, out_y=None):
    inner = x * x
    inner *= x
    inner *= 0.044715
    inner += x
    inner *= 0.7978845608028654
    y = np.tanh(inner, out=out_y)
    y += 1
    y *= 0.5
    y *= x
    return y, (x,)


def _backward_tanh(grad_y, x, *, out_grad_x=None):
    inner = x * x
    inner *= x
    inner *= 0.044715
    inner += x
    inner *= 0.7978845608028654
    _t1 = np.tanh(inner, out=inner)
    grad_inner = _t1 * _t1
    np.subtract(1, grad_inner, out=grad_inner)
    grad_inner *= grad_y
    grad_inner *= 0.5
    grad_inner *= x
    _t2 = grad_inner * 0.7978845608028654
    grad_x = np.add(1, _t1, out=out_grad_x)
    grad_x *= grad_y
    grad_x *= 0.5
    grad_x += _t2
    _t3 = _t2 * 0.044715
    _t3 *= 3
    _t4 = x * x
    _t3 *= _t4
    grad_x += _t3
    return grad_x


_VARIANTS = {
    "none": (_forward_none, _backward_none),
    "tanh": (_forward_tanh, _backward_tanh),
}


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


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# gelu_none_fwd_0: layers_spec/activations/gelu.yaml:23
_gelu_none_fwd_0 = ElementwiseKernel(
    "gelu_none_fwd_0",
    "T x",
    "T y",
    """
    T _t1 = T(0.7071067811865476) * x;
    T _t2 = erf(_t1);
    T _t3 = T(0.5) * _t2;
    T _t4 = T(0.5) + _t3;
    y = x * _t4;
    """,
)


def _cupy_forward_none(x):
    y = _gelu_none_fwd_0(x)
    return y, (x,)


# gelu_none_bwd_0: layers_spec/activations/gelu.yaml:23; layers_spec/primitives.yaml:61,62,1973
_gelu_none_bwd_0 = ElementwiseKernel(
    "gelu_none_bwd_0",
    "T x, T grad_y",
    "T grad_x",
    """
    T _t1 = T(0.7071067811865476) * x;
    T _t2 = erf(_t1);
    T _t3 = T(0.5) * _t2;
    T _t4 = T(0.5) + _t3;
    T _t5 = grad_y * _t4;
    T _t6 = grad_y * x;
    T _t7 = _t6 * T(0.5);
    T _t8 = _t7 * T(1.1283791670955126);
    T _t9 = _t1 * _t1;
    T _t10 = -_t9;
    T _t11 = exp(_t10);
    T _t12 = _t8 * _t11;
    T _t13 = _t12 * T(0.7071067811865476);
    grad_x = _t5 + _t13;
    """,
)


def _cupy_backward_none(grad_y, x):
    grad_x = _gelu_none_bwd_0(x, grad_y)
    return grad_x


# gelu_tanh_fwd_0: layers_spec/activations/gelu.yaml:20,21
_gelu_tanh_fwd_0 = ElementwiseKernel(
    "gelu_tanh_fwd_0",
    "T x",
    "T y",
    """
    T _t1 = x * x * x;
    T _t2 = T(0.044715) * _t1;
    T _t3 = x + _t2;
    T inner = T(0.7978845608028654) * _t3;
    T _t4 = T(0.5) * x;
    T _t5 = tanh(inner);
    T _t6 = T(1) + _t5;
    y = _t4 * _t6;
    """,
)


def _cupy_forward_tanh(x):
    y = _gelu_tanh_fwd_0(x)
    return y, (x,)


# gelu_tanh_bwd_0: layers_spec/activations/gelu.yaml:20,21; layers_spec/primitives.yaml:61,62,180,90
_gelu_tanh_bwd_0 = ElementwiseKernel(
    "gelu_tanh_bwd_0",
    "T x, T grad_y",
    "T grad_x",
    """
    T _t1 = x * x * x;
    T _t2 = T(0.044715) * _t1;
    T _t3 = x + _t2;
    T inner = T(0.7978845608028654) * _t3;
    T _t4 = T(0.5) * x;
    T _t5 = tanh(inner);
    T _t6 = T(1) + _t5;
    T _t7 = grad_y * _t6;
    T _t8 = grad_y * _t4;
    T _t9 = _t5 * _t5;
    T _t10 = T(1) - _t9;
    T grad_inner = _t8 * _t10;
    T _t12 = _t7 * T(0.5);
    T _t13 = grad_inner * T(0.7978845608028654);
    T _t14 = _t13 * T(0.044715);
    T _t15 = _t14 * T(3);
    T _t16 = x * x;
    T _t17 = _t15 * _t16;
    T _t18 = _t12 + _t13;
    grad_x = _t18 + _t17;
    """,
)


def _cupy_backward_tanh(grad_y, x):
    grad_x = _gelu_tanh_bwd_0(x, grad_y)
    return grad_x


_CUPY_VARIANTS = {
    "none": (_cupy_forward_none, _cupy_backward_none),
    "tanh": (_cupy_forward_tanh, _cupy_backward_tanh),
}


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# gelu_none_fwd_loops_0: layers_spec/activations/gelu.yaml:23
@row_kernel
def _gelu_none_fwd_loops_0(x, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = _float(0.7071067811865476) * x[_row, _j]  # gelu.yaml:23
            _t2 = fast_erf(_t1)  # gelu.yaml:23
            _t3 = _float(0.5) * _t2  # gelu.yaml:23
            _t4 = _float(0.5) + _t3  # gelu.yaml:23
            y = x[_row, _j] * _t4  # gelu.yaml:23
            y_out[_row, _j] = y


@whole_rows
def _jit_forward_none(x):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_gelu_none_fwd_loops_0, rows(x), rows(y))
    return y, (x,)


# gelu_none_bwd_loops_0: layers_spec/activations/gelu.yaml:23; layers_spec/primitives.yaml:61,62,1973
@row_kernel
def _gelu_none_bwd_loops_0(x, grad_y, grad_x_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = _float(0.7071067811865476) * x[_row, _j]  # gelu.yaml:23
            _t2 = fast_erf(_t1)  # gelu.yaml:23
            _t3 = _float(0.5) * _t2  # gelu.yaml:23
            _t4 = _float(0.5) + _t3  # gelu.yaml:23
            _t5 = grad_y[_row, _j] * _t4  # primitives.yaml:61
            _t6 = grad_y[_row, _j] * x[_row, _j]  # primitives.yaml:62
            _t7 = _t6 * _float(0.5)  # primitives.yaml:62
            _t8 = _t7 * _float(1.1283791670955126)  # primitives.yaml:1973
            _t9 = _t1 * _t1  # primitives.yaml:1973
            _t10 = -_t9  # primitives.yaml:1973
            _t11 = fast_exp(_t10)  # primitives.yaml:1973
            _t12 = _t8 * _t11  # primitives.yaml:1973
            _t13 = _t12 * _float(0.7071067811865476)  # primitives.yaml:62
            grad_x = _t5 + _t13  # primitives.yaml:62
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward_none(grad_y, x):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_gelu_none_bwd_loops_0, rows(x), rows(grad_y), rows(grad_x))
    return grad_x


# gelu_tanh_fwd_loops_0: layers_spec/activations/gelu.yaml:20,21
@row_kernel
def _gelu_tanh_fwd_loops_0(_t1, x, y_out):
    _rows, _n = _t1.shape
    _float = _t1.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t2 = _float(0.044715) * _t1[_row, _j]  # gelu.yaml:20
            _t3 = x[_row, _j] + _t2  # gelu.yaml:20
            inner = _float(0.7978845608028654) * _t3  # gelu.yaml:20
            _t4 = _float(0.5) * x[_row, _j]  # gelu.yaml:21
            _t5 = fast_tanh(inner)  # gelu.yaml:21
            _t6 = _float(1.0) + _t5  # gelu.yaml:21
            y = _t4 * _t6  # gelu.yaml:21
            y_out[_row, _j] = y


def _jit_forward_tanh(x, *, out_y=None):
    _t1 = x**3
    y = np.empty(x.shape, x.dtype) if out_y is None else out_y
    _gelu_tanh_fwd_loops_0(rows(_t1), rows(x), rows(y))
    return y, (x,)


# gelu_tanh_bwd_loops_0: layers_spec/activations/gelu.yaml:20,21; layers_spec/primitives.yaml:61,62,180,90
@row_kernel
def _gelu_tanh_bwd_loops_0(_t1, x, grad_y, _t2_out, _t3_out, _t4_out):
    _rows, _n = _t1.shape
    _float = _t1.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t5 = _float(0.044715) * _t1[_row, _j]  # gelu.yaml:20
            _t6 = x[_row, _j] + _t5  # gelu.yaml:20
            inner = _float(0.7978845608028654) * _t6  # gelu.yaml:20
            _t7 = _float(0.5) * x[_row, _j]  # gelu.yaml:21
            _t8 = fast_tanh(inner)  # gelu.yaml:21
            _t9 = _float(1.0) + _t8  # gelu.yaml:21
            _t10 = grad_y[_row, _j] * _t9  # primitives.yaml:61
            _t11 = grad_y[_row, _j] * _t7  # primitives.yaml:62
            _t12 = _t8 * _t8  # primitives.yaml:180
            _t13 = _float(1.0) - _t12  # primitives.yaml:180
            grad_inner = _t11 * _t13  # primitives.yaml:180
            _t2 = _t10 * _float(0.5)  # primitives.yaml:62
            _t2_out[_row, _j] = _t2
            _t3 = grad_inner * _float(0.7978845608028654)  # primitives.yaml:62
            _t3_out[_row, _j] = _t3
            _t14 = _t3 * _float(0.044715)  # primitives.yaml:62
            _t4 = _t14 * _float(3.0)  # primitives.yaml:90
            _t4_out[_row, _j] = _t4


# gelu_tanh_bwd_loops_1: layers_spec/primitives.yaml:90
@row_kernel
def _gelu_tanh_bwd_loops_1(_t1, _t2, _t3, _t4, grad_x_out):
    _rows, _n = _t1.shape
    for _row in range(_rows):
        for _j in range(_n):
            _t5 = _t1[_row, _j] * _t2[_row, _j]  # primitives.yaml:90
            _t6 = _t3[_row, _j] + _t4[_row, _j]  # primitives.yaml:90
            grad_x = _t6 + _t5  # primitives.yaml:90
            grad_x_out[_row, _j] = grad_x


def _jit_backward_tanh(grad_y, x, *, out_grad_x=None):
    _t1 = x**3
    _t12 = np.empty(grad_y.shape, grad_y.dtype)
    _t13 = np.empty(grad_y.shape, grad_y.dtype)
    _t15 = np.empty(grad_y.shape, grad_y.dtype)
    _gelu_tanh_bwd_loops_0(
        rows(_t1), rows(x), rows(grad_y), rows(_t12), rows(_t13), rows(_t15)
    )
    _t16 = x**2
    grad_x = np.empty(grad_y.shape, grad_y.dtype) if out_grad_x is None else out_grad_x
    _gelu_tanh_bwd_loops_1(rows(_t15), rows(_t16), rows(_t12), rows(_t13), rows(grad_x))
    return grad_x


_JIT_VARIANTS = {
    "none": (_jit_forward_none, _jit_backward_none),
    "tanh": (_jit_forward_tanh, _jit_backward_tanh),
}
