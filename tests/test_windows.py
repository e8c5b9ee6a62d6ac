"""Convolution and pooling at PyTorch's generality (issue 15): stride, padding and dilation
as an int or a pair, padding per side and "same"/"valid", groups (depthwise included),
padding modes; pooling with pairs, stride None, ceil_mode, count_include_pad and dilation;
adaptive pooling; the PyTorch-named nn classes.

Each case runs forward and backward against PyTorch's autograd in float32 and float64 with
test_layer_parity's tolerances (documented there), and against float64 central finite
differences (test_gradients' step and tolerance).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import module, spec
from test_gradients import check_gradients
from test_layer_parity import DTYPES, check, draw

from layerforge import nn

TORCH_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


def torch_conv(attrs):
    """PyTorch's convolution for our attributes: per-side padding through F.pad (its order,
    or ((top, bottom), (left, right))), padding modes as torch.nn.Conv2d applies them."""
    attrs = dict(attrs)
    mode = attrs.pop("padding_mode", "zeros")
    padding = attrs.pop("padding", 0)
    sides = None
    if isinstance(padding, tuple) and len(padding) == 4:
        sides = padding
    elif isinstance(padding, tuple) and isinstance(padding[0], tuple):
        (top, bottom), (left, right) = padding
        sides = (left, right, top, bottom)

    def run(x, weight, bias):
        if sides is not None:
            return F.conv2d(F.pad(x, sides, mode=TORCH_MODE[mode]), weight, bias, padding=0, **attrs)
        if mode == "zeros":
            return F.conv2d(x, weight, bias, padding=padding, **attrs)
        layer = torch.nn.Conv2d(x.shape[1], weight.shape[0], tuple(weight.shape[2:]), padding=padding,
                                padding_mode=mode, **attrs)
        return layer._conv_forward(x, weight, bias)

    return run


# (C_in, C_out, (kH, kW), (H, W), attributes)
CONV_CASES = {
    "pairs": (3, 4, (3, 2), (8, 9), {"stride": (1, 2), "padding": (2, 1), "dilation": (2, 1)}),
    "strided pairs": (3, 4, (3, 3), (9, 8), {"stride": (2, 3), "padding": (1, 0), "dilation": (1, 2)}),
    "per side": (3, 4, (3, 3), (8, 9), {"padding": (1, 2, 0, 3)}),
    "per side strided": (3, 4, (3, 3), (8, 9), {"stride": 2, "padding": (0, 1, 2, 1)}),
    "per side pairs": (3, 4, (3, 3), (8, 9), {"padding": ((2, 0), (1, 3))}),
    "same odd": (3, 4, (3, 3), (8, 9), {"padding": "same"}),
    "same even dilated": (3, 4, (4, 2), (8, 9), {"padding": "same", "dilation": (1, 3)}),
    "valid": (3, 4, (3, 3), (8, 9), {"padding": "valid"}),
    "groups": (4, 6, (3, 3), (8, 9), {"groups": 2, "padding": 1}),
    "groups strided": (6, 9, (3, 2), (9, 8), {"groups": 3, "stride": 2, "padding": 1, "dilation": (1, 2)}),
    "depthwise": (5, 5, (3, 3), (8, 9), {"groups": 5, "padding": 1}),
    "depthwise dilated per side": (5, 5, (3, 2), (8, 9), {"groups": 5, "padding": (0, 2, 1, 1), "dilation": 2}),
    "depthwise strided": (5, 5, (3, 3), (9, 8), {"groups": 5, "stride": 2, "padding": 1}),
    "depthwise multiplier": (3, 6, (3, 3), (8, 9), {"groups": 3, "padding": 1}),
    "reflect": (3, 4, (3, 3), (8, 9), {"padding": 2, "padding_mode": "reflect"}),
    "replicate per side": (3, 4, (3, 3), (8, 9), {"padding": (1, 3, 0, 2), "padding_mode": "replicate"}),
    "circular strided groups": (4, 4, (3, 3), (8, 9), {"padding": (2, 1), "stride": 2, "groups": 2, "padding_mode": "circular"}),
    "reflect depthwise same": (4, 4, (3, 3), (8, 9), {"padding": "same", "groups": 4, "padding_mode": "reflect"}),
}


def conv_arrays(c_in, c_out, kernel, size, groups, dtype, batch=2):
    return {
        "x": draw((batch, c_in) + size, dtype),
        "weight": draw((c_out, c_in // groups) + kernel, dtype, seed=1, low=-0.5, high=0.5),
        "bias": draw((c_out,), dtype, seed=2),
    }


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(CONV_CASES))
def test_convolution_matches_torch(case, dtype):
    c_in, c_out, kernel, size, attrs = CONV_CASES[case]
    arrays = conv_arrays(c_in, c_out, kernel, size, attrs.get("groups", 1), dtype)
    check("convolutional", arrays, torch_conv(attrs), dtype, attrs)


@pytest.mark.parametrize("case", sorted(CONV_CASES))
def test_convolution_gradients_by_finite_differences(case):
    c_in, c_out, kernel, size, attrs = CONV_CASES[case]
    arrays = conv_arrays(c_in, c_out, kernel, size, attrs.get("groups", 1), np.float64, batch=3)
    check_gradients(spec("convolutional"), arrays, attrs)


def test_the_same_padding_keeps_the_size_and_puts_the_odd_pixel_at_the_end():
    arrays = conv_arrays(2, 3, (4, 4), (7, 7), 1, np.float64)
    y, _ = module(spec("convolutional")).forward(*arrays.values(), padding="same")
    assert y.shape == (2, 3, 7, 7)
    explicit, _ = module(spec("convolutional")).forward(*arrays.values(), padding=(1, 2, 1, 2))
    np.testing.assert_array_equal(y, explicit)


@pytest.mark.parametrize(
    "attrs, arrays, error, message",
    [
        ({"groups": 2}, ((1, 3, 6, 6), (4, 1, 3, 3)), ValueError,
         "convolutional: groups = 2 must divide the input channels (3) and the output channels (4)"),
        ({"groups": 2}, ((1, 4, 6, 6), (4, 4, 3, 3)), ValueError, "convolutional: weight [C_out, C_in / groups, kH, kW] must have 2 input channels (C_in = 4, groups = 2), got shape (4, 4, 3, 3)"),
        ({"padding": "same", "stride": 2}, ((1, 2, 6, 6), (3, 2, 3, 3)), ValueError,
         "convolutional: padding 'same' needs stride 1 (as PyTorch), got stride 2"),
        ({"padding": "full"}, ((1, 2, 6, 6), (3, 2, 3, 3)), ValueError,
         "convolutional: attribute 'padding' must be 'same', 'valid' or ints, got 'full'"),
        ({"padding": (1, 2, 3)}, ((1, 2, 6, 6), (3, 2, 3, 3)), TypeError,
         "convolutional: attribute 'padding' must be an int, a pair (height, width), four ints"),
        ({"stride": (1, 0)}, ((1, 2, 6, 6), (3, 2, 3, 3)), ValueError, "convolutional: attribute 'stride' must be at least 1, got (1, 0)"),
        ({"padding": 6, "padding_mode": "reflect"}, ((1, 2, 6, 6), (3, 2, 3, 3)), ValueError,
         "convolutional: reflect padding 6 must be less than the height of 'x' (6)"),
        ({"padding_mode": "mirror"}, ((1, 2, 6, 6), (3, 2, 3, 3)), ValueError,
         "convolutional: attribute 'padding_mode' must be one of"),
        ({"dilation": (4, 1)}, ((1, 2, 6, 6), (3, 2, 3, 3)), ValueError,
         "convolutional: the window spans 9 along the height, more than the height of 'x' plus padding (6 + 0 + 0)"),
    ],
)
def test_convolution_rejects_bad_windows_clearly(attrs, arrays, error, message):
    x, weight = (np.zeros(shape) for shape in arrays)
    with pytest.raises(error) as caught:
        module(spec("convolutional")).forward(x, weight, np.zeros(weight.shape[0]), **attrs)
    assert message in str(caught.value)


# (layer, (H, W), attributes, PyTorch): stride None is the kernel, as in PyTorch.
POOL_CASES = {
    "max pairs": ("max_pooling", (8, 9), {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 1)}),
    "max default stride": ("max_pooling", (8, 9), {"kernel_size": 3}),
    "max ceil": ("max_pooling", (8, 9), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    "max dilated": ("max_pooling", (9, 11), {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2}),
    "max dilated pairs ceil": ("max_pooling", (9, 11), {"kernel_size": (2, 3), "stride": (1, 3), "dilation": (2, 1), "ceil_mode": True}),
    "avg pairs": ("avg_pooling", (8, 9), {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 0)}),
    "avg default stride ceil": ("avg_pooling", (8, 10), {"kernel_size": 3, "ceil_mode": True}),
    "avg exclude pad": ("avg_pooling", (7, 9), {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}),
    "avg ceil include pad": ("avg_pooling", (8, 10), {"kernel_size": 4, "stride": 3, "padding": 2, "ceil_mode": True}),
    "avg ceil exclude pad": ("avg_pooling", (8, 9), {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 1), "ceil_mode": True, "count_include_pad": False}),
    "pooling max ceil": ("pooling", (8, 9), {"kernel_size": (3, 3), "stride": 2, "ceil_mode": True, "kind": "max"}),
    "pooling average exclude pad": ("pooling", (7, 9), {"kernel_size": 3, "padding": 1, "count_include_pad": False, "kind": "average"}),
    # Beyond PyTorch's pooling: padding per side (ONNX's begin/end pads) and wider than half
    # the kernel (less than its span); PyTorch computes them on an explicitly padded input.
    "max per side": ("max_pooling", (8, 9), {"kernel_size": 3, "stride": 2, "padding": (0, 2, 1, 1)}),
    "max wide padding dilated": ("max_pooling", (9, 8), {"kernel_size": 3, "stride": 2, "padding": (2, 3), "dilation": (1, 2)}),
    "avg per side exclude pad": ("avg_pooling", (7, 9), {"kernel_size": (3, 2), "stride": (2, 1), "padding": ((2, 0), (1, 1)), "count_include_pad": False}),
    "avg wide padding include pad": ("avg_pooling", (8, 7), {"kernel_size": 3, "stride": 2, "padding": (2, 1)}),
    "avg dilated": ("avg_pooling", (9, 8), {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": (2, 1)}),
    "avg dilated per side exclude pad": ("avg_pooling", (8, 9), {"kernel_size": (2, 3), "stride": 1, "padding": (1, 0, 2, 1), "dilation": 2, "count_include_pad": False}),
    "pooling max same": ("pooling", (7, 8), {"kernel_size": (2, 3), "stride": 1, "padding": "same", "kind": "max"}),
}


def _pool_sides(attrs):
    """F.pad's (left, right, top, bottom) for padding that PyTorch's pooling does not take
    (per side, "same", or more than half the kernel), else None."""
    padding, kernel = attrs.get("padding", 0), attrs.get("kernel_size", 2)
    kernel = (kernel, kernel) if isinstance(kernel, int) else kernel
    if padding == "same":
        spans = [d * (k - 1) for d, k in zip(np.broadcast_to(attrs.get("dilation", 1), 2), kernel)]
        return (spans[1] // 2, spans[1] - spans[1] // 2, spans[0] // 2, spans[0] - spans[0] // 2)
    if isinstance(padding, tuple) and len(padding) == 4:
        return padding
    if isinstance(padding, tuple) and isinstance(padding[0], tuple):
        (top, bottom), (left, right) = padding
        return (left, right, top, bottom)
    pair = (padding, padding) if isinstance(padding, int) else padding
    if any(2 * p > k for p, k in zip(pair, kernel)):
        return (pair[1], pair[1], pair[0], pair[0])
    return None


def _torch_dilated_average(attrs):
    """Average pooling with dilation (PyTorch's has none): a depthwise convolution with a
    dilated kernel of ones over the padded input, divided by the same convolution of the
    cells that count (the padding among them with count_include_pad)."""
    kernel = attrs["kernel_size"]
    kernel = (kernel, kernel) if isinstance(kernel, int) else kernel
    padding = attrs.get("padding", 0)
    sides = _pool_sides(attrs) or ((padding,) * 4 if isinstance(padding, int) else (padding[1],) * 2 + (padding[0],) * 2)
    window = {"stride": attrs.get("stride") or kernel, "dilation": attrs["dilation"]}
    fill = 1.0 if attrs.get("count_include_pad", True) else 0.0

    def average(x):
        ones = torch.ones((x.shape[1], 1) + tuple(kernel), dtype=x.dtype)
        total = F.conv2d(F.pad(x, sides), ones, groups=x.shape[1], **window)
        cells = F.conv2d(F.pad(torch.ones_like(x), sides, value=fill), ones, groups=x.shape[1], **window)
        return total / cells

    return average


def torch_pool(name, attrs):
    attrs = dict(attrs)
    kind = attrs.pop("kind", "max" if name == "max_pooling" else "average")
    if kind == "average" and "dilation" in attrs:
        return _torch_dilated_average(attrs)
    sides = _pool_sides(attrs)
    if sides is None:
        if kind == "max":
            return lambda x: F.max_pool2d(x, **attrs)
        return lambda x: F.avg_pool2d(x, **attrs)
    # The padding made explicit: -inf for the maxima; for the means, zeros whose count
    # goes into the divisor or not (a sum pool of the padded ones).
    attrs["padding"] = 0
    if kind == "max":
        return lambda x: F.max_pool2d(F.pad(x, sides, value=-float("inf")), **attrs)
    include = attrs.pop("count_include_pad", True)
    attrs.pop("ceil_mode", None)

    def average(x):
        total = F.avg_pool2d(F.pad(x, sides), divisor_override=1, **attrs)
        if include:
            cells = F.avg_pool2d(F.pad(torch.ones_like(x), sides, value=1.0), divisor_override=1, **attrs)
        else:
            cells = F.avg_pool2d(F.pad(torch.ones_like(x), sides), divisor_override=1, **attrs)
        return total / cells

    return average


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(POOL_CASES))
def test_pooling_matches_torch(case, dtype):
    name, size, attrs = POOL_CASES[case]
    check(name, {"x": draw((2, 3) + size, dtype)}, torch_pool(name, attrs), dtype, attrs)


@pytest.mark.parametrize("case", sorted(POOL_CASES))
def test_pooling_gradients_by_finite_differences(case):
    name, size, attrs = POOL_CASES[case]
    # Distinct values at least 1e-3 apart: no window's maximum is within a step of a tie.
    values = np.random.default_rng(3).permutation(3 * 3 * size[0] * size[1]) * 1e-3
    check_gradients(spec(name), {"x": values.reshape((3, 3) + size)}, attrs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("output_size", [(3, 4), 1, (4, None), (5, 7), (8, 9), (2, 3)])
@pytest.mark.parametrize("kind", ["average", "max"])
def test_adaptive_pooling_matches_torch(kind, output_size, dtype):
    torch_fn = F.adaptive_avg_pool2d if kind == "average" else F.adaptive_max_pool2d
    attrs = {"output_size": output_size, "kind": kind}
    check("adaptive_pooling", {"x": draw((2, 3, 8, 9), dtype)}, lambda x: torch_fn(x, output_size), dtype, attrs)


@pytest.mark.parametrize("output_size", [(3, 4), (5, 7)])
@pytest.mark.parametrize("kind", ["average", "max"])
def test_adaptive_pooling_gradients_by_finite_differences(kind, output_size):
    values = np.random.default_rng(4).permutation(2 * 3 * 8 * 9) * 1e-3
    check_gradients(spec("adaptive_pooling"), {"x": values.reshape(2, 3, 8, 9)}, {"output_size": output_size, "kind": kind})


@pytest.mark.parametrize(
    "name, attrs, message",
    [
        ("max_pooling", {"kernel_size": (2, 3), "padding": (0, 3)},
         "max_pooling: padding 3 along the width must be less than the window's span 3 (the dilated kernel)"),
        ("avg_pooling", {"kernel_size": 3, "padding": (0, 0, 3, 0)},
         "avg_pooling: padding 3 along the height must be less than the window's span 3"),
        ("avg_pooling", {"kernel_size": 2, "stride": (2, 0)}, "avg_pooling: attribute 'stride' must be at least 1, got (2, 0)"),
        ("max_pooling", {"kernel_size": 2, "padding": (1, 0, 1)}, "max_pooling: attribute 'padding' must be an int, a pair (height, width), four ints"),
        ("max_pooling", {"kernel_size": 3, "padding": "same"}, "max_pooling: padding 'same' needs stride 1 (as PyTorch), got stride (3, 3) (the kernel size)"),
        ("adaptive_pooling", {"output_size": (0, 2)}, "adaptive_pooling: the output size must be at least 1"),
    ],
)
def test_pooling_rejects_bad_windows_clearly(name, attrs, message):
    with pytest.raises((ValueError, TypeError)) as caught:
        module(spec(name)).forward(np.zeros((1, 1, 6, 6)), **attrs)
    assert message in str(caught.value)


def test_nn_classes_take_pytorch_signatures_and_weights():
    """A small network written with torch.nn and with layerforge.nn's PyTorch names: its
    state_dict loads, and output and parameter gradients agree in float64."""
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(4, 8, 3, stride=1, padding=1, groups=2, bias=False, padding_mode="reflect"),
        torch.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        torch.nn.Conv2d(8, 8, (3, 2), padding="same", groups=8),
        torch.nn.AvgPool2d(2, ceil_mode=True, count_include_pad=False),
        torch.nn.Conv2d(8, 6, 1),
        torch.nn.AdaptiveAvgPool2d((2, 3)),
    ).double()
    ours = nn.Sequential(
        nn.Conv2d(4, 8, 3, stride=1, padding=1, groups=2, bias=False, padding_mode="reflect", dtype=np.float64),
        nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        nn.Conv2d(8, 8, (3, 2), padding="same", groups=8, dtype=np.float64),
        nn.AvgPool2d(2, ceil_mode=True, count_include_pad=False),
        nn.Conv2d(8, 6, 1, dtype=np.float64),
        nn.AdaptiveAvgPool2d((2, 3)),
    )
    nn.load_torch_state_dict(ours, theirs.state_dict())
    x = draw((2, 4, 11, 10), np.float64)
    tx = torch.tensor(x)
    expected = theirs(tx)
    y = ours(x)
    np.testing.assert_allclose(y, expected.detach().numpy(), rtol=1e-9, atol=1e-12)
    cotangent = draw(y.shape, np.float64, seed=5)
    expected.backward(torch.tensor(cotangent))
    ours.backward(cotangent)
    grads = dict(zip(ours.named_parameters(), ours.gradients()))
    assert list(grads) == [name for name, _ in theirs.named_parameters()]
    for name, tensor in theirs.named_parameters():
        np.testing.assert_allclose(grads[name], tensor.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("size, output_size", [((10, 9), (4, 2)), ((12, 8), (3, 8)), ((7, 13), (3, 5))])
def test_adaptive_max_pooling_ties_go_to_the_first_maximum_in_row_major_order(size, output_size):
    """Windows of two sizes that overlap by a cell, or tile the axis (12 -> 3, 8 -> 8), over
    an input with many ties (ReLU zeros and repeated values): each window's gradient goes
    where PyTorch's does, the first maximum in row-major order, added up where windows
    share it (float64: exact sums of the same terms)."""
    x = np.maximum(np.round(draw((2, 3) + size, np.float64) * 2) / 2, 0)
    attrs = {"output_size": output_size, "kind": "max"}
    check("adaptive_pooling", {"x": x}, lambda x: F.adaptive_max_pool2d(x, output_size), np.float64, attrs)


def test_adaptive_max_pooling_propagates_nan_to_its_first_nan():
    x = draw((1, 2, 6, 7), np.float64)
    x[0, 0, 1, 1] = x[0, 0, 0, 1] = x[0, 0, 1, 0] = x[0, 1, 5, 6] = np.nan  # columns 0, 1: window 0 only
    y, ctx = module(spec("adaptive_pooling")).forward(x, output_size=(2, 3), kind="max")
    assert np.isnan(y).sum() == 2 and np.isnan(y[0, 0, 0, 0]) and np.isnan(y[0, 1, 1, 2])
    grad_x = module(spec("adaptive_pooling")).backward(np.ones_like(y), ctx)
    assert grad_x[0, 0, 0, 1] == 1 and grad_x[0, 0, 1, 0] == 0 and grad_x[0, 0, 1, 1] == 0
    assert grad_x[0, 1, 5, 6] == 1 and grad_x.sum() == y.size


def test_adaptive_max_pool2d_class():
    x = draw((2, 3, 8, 9), np.float64)
    y = nn.AdaptiveMaxPool2d((3, None))(x)
    np.testing.assert_array_equal(y, F.adaptive_max_pool2d(torch.tensor(x), (3, None)).numpy())


def test_one_dimensional_classes_match_torch():
    """Conv1d and the 1-D pooling classes (the 2-D functions over an image of height 1)
    against torch.nn in float64: output, input gradient and parameter gradients."""
    torch.manual_seed(1)
    theirs = torch.nn.Sequential(
        torch.nn.Conv1d(4, 6, 3, stride=1, padding="same", groups=2, padding_mode="circular"),
        torch.nn.MaxPool1d(3, stride=2, padding=1, dilation=1, ceil_mode=True),
        torch.nn.Conv1d(6, 6, 2, stride=2, padding=1, dilation=2, groups=6, bias=False),
        torch.nn.AvgPool1d(2, ceil_mode=True, count_include_pad=False, padding=1),
        torch.nn.AdaptiveMaxPool1d(3),
        torch.nn.AdaptiveAvgPool1d(2),
    ).double()
    ours = nn.Sequential(
        nn.Conv1d(4, 6, 3, stride=1, padding="same", groups=2, padding_mode="circular", dtype=np.float64),
        nn.MaxPool1d(3, stride=2, padding=1, dilation=1, ceil_mode=True),
        nn.Conv1d(6, 6, 2, stride=2, padding=1, dilation=2, groups=6, bias=False, dtype=np.float64),
        nn.AvgPool1d(2, ceil_mode=True, count_include_pad=False, padding=1),
        nn.AdaptiveMaxPool1d(3),
        nn.AdaptiveAvgPool1d(2),
    )
    nn.load_torch_state_dict(ours, theirs.state_dict())
    x = draw((3, 4, 23), np.float64)
    tx = torch.tensor(x, requires_grad=True)
    expected = theirs(tx)
    y = ours(x)
    np.testing.assert_allclose(y, expected.detach().numpy(), rtol=1e-9, atol=1e-12)
    cotangent = draw(y.shape, np.float64, seed=6)
    expected.backward(torch.tensor(cotangent))
    grad_x = ours.backward(cotangent)
    np.testing.assert_allclose(grad_x, tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    grads = dict(zip(ours.named_parameters(), ours.gradients()))
    for name, tensor in theirs.named_parameters():
        np.testing.assert_allclose(grads[name], tensor.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
