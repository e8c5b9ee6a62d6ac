"""The runtime computes what it can and refuses the rest clearly (issues 15 and 23): NumPy
broadcasting where an op broadcasts, equal '...' dimensions elsewhere, a ctx checked against
the op that made it, gradients checked against forward's outputs, NaN and non-native byte
order refused, zero-size inputs, writable gradients."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from transpiler.codegen import slot_is_final

from harness import (as_tuple, attributes, counted_to, differentiable, grad_outputs, make_arrays, module, modes, names,
                     run_forward, shape_of, sizes, spec)

ALL = names("activation") + names("layer") + names("loss")


def layer(name):
    return module(spec(name))


def forward_backward(name, arrays, attrs=None, grads=None):
    s = spec(name)
    attrs = attributes(s, modes(s)[0]) if attrs is None else attrs
    outputs, ctx = run_forward(s, arrays, attrs)
    grads = grads or [np.ones_like(o) for o in grad_outputs(s, outputs)]
    return outputs, as_tuple(module(s).backward(*grads, ctx)), ctx


# -- broadcasting ------------------------------------------------------------------------

BROADCAST = {
    "add": lambda a, b: a + b,
    "multiply": lambda a, b: a * b,
    "mean_squared_error": lambda a, b: torch.nn.functional.mse_loss(*torch.broadcast_tensors(a, b)),
}
SHAPE_PAIRS = [((3, 4, 5), (5,)), ((5,), (3, 4, 5)), ((3, 1, 5), (4, 1)), ((2, 3), (2, 3)), ((1, 3), (4, 1))]


@pytest.mark.parametrize("name", sorted(BROADCAST))
@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_broadcasting_ops_match_pytorch_and_sum_each_gradient_to_its_input(name, shapes, dtype):
    rng = np.random.default_rng(3)
    a, b = (rng.standard_normal(shape).astype(dtype) for shape in shapes)
    y, ctx = layer(name).forward(a, b)
    g = rng.standard_normal(np.shape(y)).astype(dtype)
    ga, gb = layer(name).backward(g, ctx)
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (a, b))
    ty = BROADCAST[name](ta, tb)
    ty.backward(torch.tensor(g))
    # float32: a sum over at most 12 terms of products of O(1) values, eps 1.2e-7
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-13}
    assert np.shape(y) == tuple(ty.shape) and ga.shape == a.shape and gb.shape == b.shape
    assert ga.dtype == gb.dtype == dtype
    np.testing.assert_allclose(y, ty.detach().numpy(), **tol)
    np.testing.assert_allclose(ga, ta.grad.numpy(), **tol)
    np.testing.assert_allclose(gb, tb.grad.numpy(), **tol)


@pytest.mark.parametrize("name", ["add", "multiply"])
def test_broadcasting_with_a_fused_and_a_composed_activation(name):
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((3, 4, 5)), rng.standard_normal((4, 1))
    for activation, reference in (("tanh", torch.tanh), ("softsign", torch.nn.functional.softsign)):
        y, ctx = layer(name).forward(a, b, activation=activation)
        ga, gb = layer(name).backward(np.ones_like(y), ctx)
        ta, tb = (torch.tensor(v, requires_grad=True) for v in (a, b))
        reference(BROADCAST[name](ta, tb)).sum().backward()
        np.testing.assert_allclose(ga, ta.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(gb, tb.grad.numpy(), rtol=1e-12)
        assert gb.shape == (4, 1)


@pytest.mark.parametrize("name", sorted(BROADCAST))
def test_shapes_that_do_not_broadcast_are_refused(name):
    message = f"{name}: argument '{spec(name).arrays[1].name}' of shape (4, 3) does not broadcast against (3, 4)"
    with pytest.raises(ValueError, match=re.escape(message)):
        layer(name).forward(np.ones((3, 4)), np.ones((4, 3)))


@pytest.mark.parametrize("name", ["residual", "binary_cross_entropy"])
def test_ops_that_do_not_broadcast_require_equal_leading_dimensions(name):
    """residual adds the inner layer's output of the same input; PyTorch's BCE requires equal
    sizes: both refuse [3, 4, 5] against [5] instead of returning a wrong-shape gradient."""
    first, second = (d.name for d in spec(name).arrays)
    with pytest.raises(ValueError, match=re.escape(
            f"{name}: argument '{second}' has leading dimensions () (shape (5,), expected [..., F]), "
            f"but '{first}' has (3, 4); the '...' dimensions must be equal")):
        layer(name).forward(np.ones((3, 4, 5)), np.ones(5))
    with pytest.raises(ValueError, match="the '...' dimensions must be equal"):
        layer(name).forward(np.ones((3, 4, 5)), np.ones((2, 4, 5)))


# -- the ctx and the gradients that backward takes ----------------------------------------

@pytest.mark.parametrize("name", ALL)
def test_backward_refuses_a_ctx_from_another_op(name):
    other = "sigmoid" if name != "sigmoid" else "softmax"
    _, ctx = layer(other).forward(np.ones((2, 3)))
    s = spec(name)
    y, _ = run_forward(s, make_arrays(s, 2, np.float64), attributes(s, modes(s)[0]))
    grads = [np.ones_like(o) for o in grad_outputs(s, y)]
    with pytest.raises(ValueError, match=re.escape(f"{name}: ctx was made by {other}.forward, not by {name}.forward")):
        module(s).backward(*grads, ctx)


def test_the_ctx_error_names_the_variant_and_refuses_what_is_not_a_ctx():
    _, ctx = layer("dense").forward(np.ones((2, 3)), np.ones((4, 3)), np.ones(4), activation="relu")
    with pytest.raises(ValueError, match=re.escape("softmax: ctx was made by dense.forward (variant relu), "
                                                   "not by softmax.forward")):
        layer("softmax").backward(np.ones((2, 4)), ctx)
    with pytest.raises(TypeError, match="softmax: ctx must be the context returned by softmax.forward, got dict"):
        layer("softmax").backward(np.ones((2, 4)), {})


@pytest.mark.parametrize("name", ALL)
def test_backward_checks_each_gradient_against_its_output(name):
    s = spec(name)
    outputs, ctx = run_forward(s, make_arrays(s, 3, np.float32), attributes(s, modes(s)[0]))
    outs = grad_outputs(s, outputs)
    first = f"grad_{s.grad_outputs[0]}"
    grown = np.ones(np.shape(outs[0]) + (1,), np.float32)
    others = [np.ones_like(o) for o in outs[1:]]
    with pytest.raises(ValueError, match=re.escape(
            f"{name}: argument '{first}' must have shape {tuple(np.shape(outs[0]))}, the shape of "
            f"'{s.grad_outputs[0]}' from forward, got {grown.shape}")):
        module(s).backward(grown, *others, ctx)
    # One rule for dtypes: a gradient has its output's dtype (no silent cast either way).
    with pytest.raises(TypeError, match=re.escape(
            f"{name}: argument '{first}' must have dtype float32, the dtype of '{s.grad_outputs[0]}' "
            "from forward, got float64")):
        module(s).backward(np.ones(np.shape(outs[0]), np.float64), *others, ctx)


def test_padding_backward_refuses_a_gradient_of_another_shape():
    """The reported case: a [2, 3, 7, 8] gradient for a [2, 3, 6, 7] output."""
    y, ctx = layer("padding").forward(np.ones((2, 3, 4, 5)))
    assert y.shape == (2, 3, 6, 7)
    with pytest.raises(ValueError, match=re.escape("padding: argument 'grad_y' must have shape (2, 3, 6, 7), "
                                                   "the shape of 'y' from forward, got (2, 3, 7, 8)")):
        layer("padding").backward(np.ones((2, 3, 7, 8)), ctx)


# -- attributes --------------------------------------------------------------------------

FLOAT_ATTRIBUTES = [(name, a.name) for name in ALL for a in spec(name).attributes
                    if a.type == "float" and not a.structural]


@pytest.mark.parametrize("name, attribute", FLOAT_ATTRIBUTES)
def test_nan_attributes_are_refused(name, attribute):
    s = spec(name)
    attrs = dict(attributes(s, modes(s)[0]), **{attribute: float("nan")})
    with pytest.raises(ValueError, match=f"{name}: attribute '{attribute}' must be a number, got nan"):
        run_forward(s, make_arrays(s, 2, np.float64), attrs)


@pytest.mark.parametrize("name, attribute", [(n, a) for n, a in FLOAT_ATTRIBUTES
                                             if spec(n).attribute(a).minimum is not None
                                             and spec(n).attribute(a).maximum is not None])
def test_infinite_attributes_are_refused_where_the_range_is_finite(name, attribute):
    s = spec(name)
    for value in (float("inf"), float("-inf")):
        attrs = dict(attributes(s, modes(s)[0]), **{attribute: value})
        with pytest.raises(ValueError, match=f"{name}: attribute '{attribute}' must be finite"):
            run_forward(s, make_arrays(s, 2, np.float64), attrs)


def test_dropout_with_p_nan_no_longer_returns_zeros():
    with pytest.raises(ValueError, match="dropout: attribute 'p' must be a number, got nan"):
        layer("dropout").forward(np.ones((2, 3)), p=np.nan, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="batch_normalization: attribute 'momentum' must be finite, got inf"):
        layer("batch_normalization").forward(np.ones((2, 3, 2, 2)), np.ones(3), np.zeros(3), np.zeros(3),
                                             np.ones(3), momentum=np.inf)


# -- byte order ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL)
def test_non_native_byte_order_is_refused_by_every_op(name):
    s = spec(name)
    for decl in s.arrays:
        arrays = make_arrays(s, 2, np.float32)
        if arrays[decl.name].dtype.byteorder == "|":  # a bool mask has no byte order
            continue
        arrays[decl.name] = arrays[decl.name].astype(arrays[decl.name].dtype.newbyteorder())
        with pytest.raises(TypeError, match=re.escape(f"{name}: argument '{decl.name}' has dtype ")
                           + ".* in non-native byte order"):
            run_forward(s, arrays, attributes(s, modes(s)[0]))
    outputs, ctx = run_forward(s, make_arrays(s, 2, np.float32), attributes(s, modes(s)[0]))
    grads = [np.ones_like(o) for o in grad_outputs(s, outputs)]
    grads[0] = np.asarray(grads[0]).astype(np.dtype(np.float32).newbyteorder())
    with pytest.raises(TypeError, match="in non-native byte order"):
        module(s).backward(*grads, ctx)


def test_dropout_on_big_endian_input_names_the_op():
    x = np.ones((2, 3), dtype=">f4")
    with pytest.raises(TypeError, match=re.escape("dropout: argument 'x' has dtype >f4 in non-native byte order; "
                                                  "convert it with x.astype(x.dtype.newbyteorder('='))")):
        layer("dropout").forward(x, rng=np.random.default_rng(0))
    y, _ = layer("dropout").forward(x.astype(x.dtype.newbyteorder("=")), rng=np.random.default_rng(0))
    assert y.dtype == np.float32 and y.dtype.isnative


# -- masking, split ------------------------------------------------------------------------

def test_masking_keeps_a_time_step_that_holds_nan():
    x = np.zeros((1, 3, 2))
    x[0, 1, 0] = np.nan  # Keras: any(x != 0) is true for NaN: kept
    x[0, 2] = [1.0, 0.0]
    y, ctx = layer("masking").forward(x)
    assert np.isnan(y[0, 1, 0]) and y[0, 1, 1] == 0.0
    np.testing.assert_array_equal(y[0, 2], [1.0, 0.0])
    np.testing.assert_array_equal(layer("masking").backward(np.ones_like(y), ctx)[0], [[0, 0], [1, 1], [1, 1]])
    y, _ = layer("masking").forward(np.full((1, 2, 2), np.inf), mask_value=np.inf)
    np.testing.assert_array_equal(y, 0.0)  # inf == inf: masked, as in Keras


@pytest.mark.parametrize("sections, axis", [((6, 1), -1), ((2, 3), -1), ((1,), 0), ((), 0)])
def test_split_refuses_sections_that_do_not_sum_to_the_axis(sections, axis):
    x = np.ones((2, 6))
    with pytest.raises(ValueError, match=re.escape(
            f"split: attribute 'split_size_or_sections' = {sections} must be sizes that sum to the size of "
            f"'x' along axis {axis}, which is {x.shape[axis]} (shape (2, 6))")):
        layer("split").forward(x, split_size_or_sections=sections, dim=axis)
    (first, second), _ = layer("split").forward(x, split_size_or_sections=(x.shape[axis] - 1, 1), dim=axis)
    assert first.shape[axis] == x.shape[axis] - 1 and second.shape[axis] == 1


def test_split_refuses_a_size_of_zero_on_a_nonempty_axis():
    with pytest.raises(ValueError, match=re.escape(
            "split: attribute 'split_size_or_sections' = 0 cuts 'x' along axis -1 into no parts")):
        layer("split").forward(np.ones((2, 6)), split_size_or_sections=0)


# -- gradients the caller may update in place -----------------------------------------

def variants(name):
    """(attributes, activation) pairs that reach every backward function of the op."""
    s = spec(name)
    base = [dict(attributes(s, mode)) for mode in modes(s)]
    for attr in s.structural:
        if attr.choices:
            base = [dict(b, **{attr.name: c}) for b in base for c in attr.choices]
    if s.slot:
        composed = ("softsign",) if slot_is_final(s) else ()  # a gate slot takes its fused activations only
        return [dict(b, activation=a) for b in base for a in (*s.slot.fused, *composed)]
    return base


@pytest.mark.parametrize("name", ALL)
def test_gradients_are_writable_and_sharing_is_documented(name):
    s = spec(name)
    doc = module(s).backward.__doc__
    for attrs in variants(name):
        arrays = make_arrays(s, 3, np.float64)
        outputs, ctx = run_forward(s, arrays, attrs)
        grads_in = [np.ones_like(o) for o in grad_outputs(s, outputs)]
        grads = as_tuple(module(s).backward(*grads_in, ctx))
        labels = [f"grad_{n}" for n in differentiable(s, arrays)]
        passed = counted_to(s, arrays, attrs)
        for label, grad in zip(labels, grads):
            if passed[label.removeprefix("grad_")] is None:  # a counted copy beyond the count
                assert grad is None, (name, attrs, label)
                continue
            assert grad.flags.writeable, f"{name} {attrs}: {label} is read-only"
            for other, given in zip(s.grad_outputs, grads_in):
                if np.shares_memory(grad, given):
                    assert f"{label}" in doc and f"grad_{other} itself" in doc, (name, attrs, label)
            for other_label, other in zip(labels, grads):
                if other_label != label and np.shares_memory(grad, other):
                    assert f"{label} and {other_label}" in doc or f"{other_label} and {label}" in doc, (name, label)
            grad += 1.0  # a caller's update in place works


def test_add_documents_that_its_gradients_are_one_array():
    doc = layer("add").backward.__doc__
    assert "grad_a and grad_b may be one array" in doc and "grad_y itself" in doc
    y, ctx = layer("global_pooling").forward(np.ones((2, 3, 4, 5)))
    grad = layer("global_pooling").backward(np.ones_like(y), ctx)
    grad += 1.0  # was a read-only broadcast view
    np.testing.assert_array_equal(grad, 1.0 + 1.0 / 20)


# -- zero-size inputs ------------------------------------------------------------------

def empty_arrays(s, batch, dims):
    rng = np.random.default_rng(0)
    arrays = {}
    for decl in s.arrays:
        low, high = (0.5, 1.5) if decl in s.buffers else (-1.0, 1.0)
        shape = shape_of(decl, dims, batch)
        if decl.dtype == "int":  # ids of the rows there are (none if the table is empty)
            arrays[decl.name] = rng.integers(0, max(dims[decl.below], 1), shape) if dims[decl.below] else np.zeros(shape, int)
        elif decl.dtype == "mask" and s.scan is not None:  # the steps that count: all of them
            arrays[decl.name] = np.ones(shape, bool)
        elif decl.dtype == "mask":
            arrays[decl.name] = rng.random(shape) < 0.25
        else:
            arrays[decl.name] = rng.uniform(low, high, shape)
    return arrays


def refused_as_empty(s, arrays, attrs):
    """The op reduces over an empty axis (its spec's ``nonempty``): forward must say so."""
    for array, axis, condition in s.nonempty:
        if condition and not attrs.get(condition, s.attribute(condition).default):
            continue
        shape = arrays[array].shape
        index = attrs.get(axis, s.attribute(axis).default if s.attribute(axis) else None) if axis and not \
            axis.lstrip("-").isdigit() else (int(axis) if axis else None)
        if (0 in shape) if index is None else shape[index] == 0:
            return array
    return None


def check_empty_case(name, batch, dims):
    s = spec(name)
    arrays = empty_arrays(s, batch, dims)
    for mode in modes(s):
        attrs = attributes(s, mode)
        empty = refused_as_empty(s, arrays, attrs)
        if empty is not None:
            with pytest.raises(ValueError, match=re.escape(f"{name}: argument '{empty}' of shape ")
                               + ".* is empty.*undefined over no elements"):
                run_forward(s, arrays, attrs)
            continue
        outputs, grads, _ = forward_backward(name, arrays, attrs)
        for decl, grad in zip(s.differentiable, grads):
            assert grad.shape == arrays[decl.name].shape and grad.dtype == np.float64, (name, decl.name)
            if batch == 0 and decl in s.parameters:
                # a parameter's gradient is a sum over the rows or images: none here
                assert not np.any(grad), (name, decl.name)
        yield outputs


@pytest.mark.parametrize("name", ALL)
def test_an_empty_batch_gives_empty_results_or_a_clear_error(name):
    s = spec(name)
    reference, _, _ = forward_backward(name, empty_arrays(s, 2, sizes(s, 2)))
    for outputs in check_empty_case(name, 0, sizes(s, 0)):
        for out, ref in zip(as_tuple(outputs), as_tuple(reference)):
            # the batch axis (the first) is empty; state outputs such as running statistics keep theirs
            expected = ref.shape if np.ndim(ref) == 0 or ref.shape[0] != 2 else (0, *ref.shape[1:])
            if s.scan is not None:  # stacked outputs [T, B, ...], final states [B, ...]
                batch = 1 if np.ndim(ref) == s.inputs[0].shape.rank else 0
                expected = ref.shape[:batch] + (0,) + ref.shape[batch + 1:]
            if name == "reshape":  # the whole array, as torch.reshape: the -1 takes the empty size
                expected = np.empty(shape_of(s.inputs[0], sizes(s, 0), 0)).reshape(attributes(s)["shape"]).shape
            assert np.shape(out) == expected, (name, np.shape(out), expected)


FEATURE_DIMS = [(name, dim) for name in ALL
                for dim in sorted({d for a in spec(name).arrays for d in a.shape.dims if isinstance(d, str) and d != "B"})]
# Where the math has an answer, it must be computed (not refused).
MUST_COMPUTE = {("softmax", "F"), ("log_softmax", "F"), ("softmin", "F"), ("log_softmin", "F"),
                ("spherical_softmax", "F"), ("sparsemax", "F"), ("gumbel_softmax", "F"), ("masking", "F"),
                ("convolutional", "C_in"), ("convolutional", "C_out"), ("dense", "in_features"),
                ("dense", "out_features"), ("relu", "F"), ("add", "F")}


# Over an empty row, log-sum-exp is log(0) = -inf and sparsemax's support is 0 / 0: NumPy
# warns while computing those [..., 1] intermediates, whose rows the (empty) results never read.
@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning",
                            "ignore:invalid value encountered in divide:RuntimeWarning")
@pytest.mark.parametrize("name, dim", FEATURE_DIMS)
def test_an_empty_feature_dimension_gives_empty_results_or_a_clear_error(name, dim):
    s = spec(name)
    dims = dict(sizes(s, 2), **{dim: 0})
    if dim == "C_in" and "C_group" in dims:  # a grouped weight has C_in / groups input channels
        dims["C_group"] = 0
    try:
        results = list(check_empty_case(name, 2, dims))
    except ValueError as error:  # refused: clearly, naming the op
        assert (name, dim) not in MUST_COMPUTE and str(error).startswith(f"{name}: "), (name, dim, str(error))
        return
    for outputs in results:
        for out in as_tuple(outputs):
            assert isinstance(out, np.ndarray) or np.isscalar(out)


def test_a_convolution_without_input_channels_is_its_bias():
    bias = np.array([1.0, -2.0])
    y, ctx = layer("convolutional").forward(np.ones((3, 0, 5, 5)), np.ones((2, 0, 3, 3)), bias, padding=1)
    np.testing.assert_array_equal(y, np.broadcast_to(bias[:, None, None], (3, 2, 5, 5)))
    dx, dw, db = layer("convolutional").backward(np.ones_like(y), ctx)
    assert dx.shape == (3, 0, 5, 5) and dw.shape == (2, 0, 3, 3)
    np.testing.assert_array_equal(db, [75.0, 75.0])


def test_softmax_of_empty_rows_and_layer_norm_without_features():
    y, ctx = layer("softmax").forward(np.ones((4, 0)))
    assert y.shape == (4, 0) and layer("softmax").backward(y, ctx).shape == (4, 0)
    with pytest.raises(ValueError, match=re.escape("layer_normalization: argument 'x' of shape (4, 0) is empty "
                                                   "along axis -1")):
        layer("layer_normalization").forward(np.ones((4, 0)), np.ones(0), np.zeros(0))
    y, ctx = layer("layer_normalization").forward(np.ones((0, 3)), np.ones(3), np.zeros(3))
    dx, dw, db = layer("layer_normalization").backward(y, ctx)
    assert y.shape == dx.shape == (0, 3) and not dw.any() and not db.any()


SLOT_LAYERS = [n for n in names("layer") if spec(n).slot is not None]
# Layers whose slot takes relu (fused, or composed after a final slot): not attention's,
# which is the score normaliser.
RELU_SLOT_LAYERS = [n for n in SLOT_LAYERS if "relu" in spec(n).slot.fused or slot_is_final(spec(n))]
# Layers that fuse ELU (an activation with an attribute) into their own code.
ELU_SLOT_LAYERS = [n for n in SLOT_LAYERS if "elu" in spec(n).slot.fused]


@pytest.mark.parametrize("name", RELU_SLOT_LAYERS)
def test_fused_activation_options_of_an_activation_without_attributes_are_refused(name):
    s = spec(name)
    arrays = make_arrays(s, 2, np.float64)
    with pytest.raises(TypeError, match=re.escape(f"{name}: activation 'relu' has no attribute 'alpha'")):
        module(s).forward(*[arrays[d.name] for d in s.arrays], activation="relu",
                          activation_options={"alpha": 0.5}, **attributes(s))


@pytest.mark.parametrize("name", ELU_SLOT_LAYERS)
def test_fused_activation_options_are_checked_as_the_activation_checks_them(name):
    """A fused activation's forward is never called: the layer checks its options itself."""
    s = spec(name)
    arrays = make_arrays(s, 2, np.float64)
    call = module(s).forward
    args = [arrays[d.name] for d in s.arrays]
    with pytest.raises(ValueError, match=re.escape(f"{name}: activation 'elu': attribute 'alpha' must be a number, got nan")):
        call(*args, activation="elu", activation_options={"alpha": np.nan}, **attributes(s))
    with pytest.raises(TypeError, match=re.escape(f"{name}: activation 'elu' has no attribute 'alhpa'; it has 'alpha'")):
        call(*args, activation="elu", activation_options={"alhpa": 0.5}, **attributes(s))
    fused, _ = call(*args, activation="elu", activation_options={"alpha": 0.5}, **attributes(s))
    linear, _ = call(*args, **attributes(s))
    composed, _ = layer("elu").forward(linear, alpha=0.5)
    np.testing.assert_allclose(fused, composed, rtol=1e-12, atol=1e-15)
