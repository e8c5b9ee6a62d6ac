"""conditional_random_field against pytorch-crf (torchcrf.CRF(K, batch_first=True)): the
negative log-likelihood and the gradients of the emissions and the three transition
parameters, with and without a mask, float32 and float64; finite differences in float64;
the run-time refusals."""

import numpy as np
import pytest
import torch
import torchcrf

from layerforge import nn
from layerforge.layers import conditional_random_field as crf_op
from tests.harness import central_differences

B, T, K = 3, 5, 4
LENGTHS = np.array([5, 3, 1])  # a full sequence, a padded one, a single step
# float64: parity to rounding (the sums run in another order); float32: a few ulps of
# values of order 10 (the NLL) and of order 1 (the gradients)
TOLERANCES = {np.float64: 1e-10, np.float32: 2e-5}


def make(dtype, seed=0):
    rng = np.random.default_rng(seed)
    emissions = rng.standard_normal((B, T, K)).astype(dtype)
    tags = rng.integers(0, K, (B, T))
    start, end = (rng.uniform(-0.5, 0.5, K).astype(dtype) for _ in range(2))
    transitions = rng.uniform(-0.5, 0.5, (K, K)).astype(dtype)
    return emissions, tags, start, end, transitions


def torch_crf(start, end, transitions):
    crf = torchcrf.CRF(K, batch_first=True).to(torch.float64 if start.dtype == np.float64 else torch.float32)
    with torch.no_grad():
        crf.start_transitions.copy_(torch.from_numpy(start))
        crf.end_transitions.copy_(torch.from_numpy(end))
        crf.transitions.copy_(torch.from_numpy(transitions))
    return crf


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("masked", [False, True])
def test_nll_and_gradients_match_pytorch_crf(dtype, masked):
    emissions, tags, start, end, transitions = make(dtype)
    mask = np.arange(T)[None] < LENGTHS[:, None] if masked else None
    nll, ctx = crf_op.forward(emissions, tags, start, end, transitions, mask)
    crf = torch_crf(start, end, transitions)
    e = torch.tensor(emissions, requires_grad=True)
    expected = -crf(e, torch.from_numpy(tags), None if mask is None else torch.from_numpy(mask), reduction="none")
    grad = np.random.default_rng(1).standard_normal(B).astype(dtype)
    expected.backward(torch.from_numpy(grad))
    tol = TOLERANCES[dtype]
    assert nll.dtype == dtype and nll.shape == (B,)
    np.testing.assert_allclose(nll, expected.detach().numpy(), rtol=tol, atol=tol)
    got = crf_op.backward(grad, ctx)
    wanted = (e.grad, crf.start_transitions.grad, crf.end_transitions.grad, crf.transitions.grad)
    for name, ours, theirs in zip(("emissions", "start", "end", "transitions"), got, wanted):
        assert ours.dtype == dtype, name
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=tol, atol=tol, err_msg=name)
    if masked:  # padded steps take no gradient
        assert not got[0][1, 3:].any() and not got[0][2, 1:].any()


def test_time_major_matches_batch_first():
    emissions, tags, start, end, transitions = make(np.float64, seed=2)
    mask = np.arange(T)[None] < LENGTHS[:, None]
    nll, ctx = crf_op.forward(emissions, tags, start, end, transitions, mask)
    nll_t, ctx_t = crf_op.forward(emissions.swapaxes(0, 1), tags.T, start, end, transitions, mask.T,
                                  batch_first=False)
    np.testing.assert_allclose(nll_t, nll, rtol=1e-13)
    grad = np.ones(B)
    for ours, theirs in zip(crf_op.backward(grad, ctx_t), crf_op.backward(grad, ctx)):
        np.testing.assert_allclose(ours.swapaxes(0, 1) if ours.ndim == 3 else ours, theirs, rtol=1e-13, atol=1e-15)


def test_gradients_by_finite_differences():
    emissions, tags, start, end, transitions = make(np.float64, seed=3)
    mask = np.arange(T)[None] < np.array([4, 5, 2])[:, None]
    weights = np.array([0.7, -1.3, 0.4])
    _, ctx = crf_op.forward(emissions, tags, start, end, transitions, mask)
    grads = crf_op.backward(weights, ctx)
    arrays = [emissions, start, end, transitions]

    def loss(values):
        e, s, en, tr = values
        return float(weights @ crf_op.forward(e, tags, s, en, tr, mask)[0])

    for index, analytic in enumerate(grads):
        # central differences: O(eps**2) truncation, 1e-10 relative rounding
        np.testing.assert_allclose(analytic, central_differences(loss, arrays, index), rtol=1e-6, atol=1e-8)


def test_float_mask_and_large_scores():
    """A float mask (nonzero = on) is the bool one; scores of size 1e3 stay finite (the
    log-sum-exp takes out the maximum)."""
    emissions, tags, start, end, transitions = make(np.float64, seed=4)
    mask = np.arange(T)[None] < LENGTHS[:, None]
    nll, _ = crf_op.forward(emissions, tags, start, end, transitions, mask)
    nll_f, _ = crf_op.forward(emissions, tags, start, end, transitions, mask.astype(np.float64))
    np.testing.assert_array_equal(nll_f, nll)
    # scores 1e3 apart: the matrix-product form's terms underflow, the rows are recomputed
    big, ctx = crf_op.forward(emissions * 1e3, tags, start, end, transitions * 1e3)
    crf = torch_crf(start, end, transitions * 1e3)
    e = torch.tensor(emissions * 1e3, requires_grad=True)
    expected = -crf(e, torch.from_numpy(tags), reduction="none")
    expected.sum().backward()
    assert np.isfinite(big).all()
    np.testing.assert_allclose(big, expected.detach().numpy(), rtol=1e-12)
    grads = crf_op.backward(np.ones(B), ctx)
    for ours, theirs in zip(grads, (e.grad, crf.start_transitions.grad, crf.end_transitions.grad, crf.transitions.grad)):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-9, atol=1e-9)


def test_refusals():
    emissions, tags, start, end, transitions = make(np.float64)
    with pytest.raises(ValueError, match=r"conditional_random_field: argument 'tags' has ids from 1 to 4, out of range"):
        crf_op.forward(emissions, np.where(tags == 0, 4, tags), start, end, transitions)
    with pytest.raises(TypeError, match=r"conditional_random_field: argument 'tags'"):
        crf_op.forward(emissions, tags.astype(np.float64), start, end, transitions)
    mask = np.ones((B, T), bool)
    mask[1, 0] = False
    with pytest.raises(ValueError, match=r"conditional_random_field: argument 'mask' must have its first step on in "
                                         r"every sequence; it is off in row\(s\) \[1\]"):
        crf_op.forward(emissions, tags, start, end, transitions, mask)
    with pytest.raises(ValueError, match=r"conditional_random_field: argument 'tags'"):
        crf_op.forward(emissions, tags[:, :4], start, end, transitions)
    with pytest.raises(ValueError, match=r"conditional_random_field: argument 'transitions'"):
        crf_op.forward(emissions, tags, start, end, transitions[:, :3])
    with pytest.raises(ValueError, match=r"conditional_random_field: argument 'emissions' .*no time steps"):
        crf_op.forward(emissions[:, :0], tags[:, :0], start, end, transitions)


def test_module_loads_pytorch_crf_state_dict():
    crf = torchcrf.CRF(K, batch_first=True).double()
    layer = nn.ConditionalRandomField(K, dtype=np.float64)
    nn.load_torch_state_dict(layer, crf.state_dict())
    emissions, tags, *_ = make(np.float64, seed=5)
    nll = layer(emissions, tags)
    expected = -crf(torch.from_numpy(emissions), torch.from_numpy(tags), reduction="none")
    np.testing.assert_allclose(nll, expected.detach().numpy(), rtol=1e-12)
    grad_emissions = layer.backward(np.ones(B))
    assert grad_emissions.shape == emissions.shape
    assert list(layer.named_parameters()) == ["start_transitions", "end_transitions", "transitions"]


@pytest.mark.parametrize("dtype, masked", [(np.float64, True), (np.float32, False), (np.float32, True)])
def test_decode_matches_pytorch_crf(dtype, masked):
    rng = np.random.default_rng(6)
    batch, steps, tags = 6, 7, 5
    emissions = rng.standard_normal((batch, steps, tags)).astype(dtype)
    start, end = (rng.uniform(-1, 1, tags).astype(dtype) for _ in range(2))
    transitions = rng.uniform(-1, 1, (tags, tags)).astype(dtype)
    lengths = np.array([7, 1, 4, 6, 2, 7])
    mask = np.arange(steps)[None] < lengths[:, None] if masked else None
    crf = torchcrf.CRF(tags, batch_first=True).to(torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():
        for name, value in (("start_transitions", start), ("end_transitions", end), ("transitions", transitions)):
            getattr(crf, name).copy_(torch.from_numpy(value))
    expected = np.full((batch, steps), -1)  # pytorch-crf's lists, padded as ours are
    for row, best in enumerate(crf.decode(torch.from_numpy(emissions), None if mask is None else torch.from_numpy(mask))):
        expected[row, :len(best)] = best
    decoded = crf_op.decode(emissions, start, end, transitions, mask)
    assert decoded.dtype == np.int64 and decoded.shape == (batch, steps)
    np.testing.assert_array_equal(decoded, expected)


def test_decode_through_the_module_and_its_refusals():
    layer = nn.ConditionalRandomField(K, dtype=np.float64, rng=np.random.default_rng(7))
    emissions, *_ = make(np.float64, seed=7)
    mask = np.arange(T)[None] < LENGTHS[:, None]
    decoded = layer.decode(emissions, mask)
    np.testing.assert_array_equal(decoded, crf_op.decode(emissions, layer.start_transitions, layer.end_transitions,
                                                         layer.transitions, mask))
    assert (decoded[2, 1:] == -1).all() and (decoded[0] >= 0).all()
    with pytest.raises(ValueError, match=r"conditional_random_field.decode: argument 'mask'"):
        crf_op.decode(emissions, layer.start_transitions, layer.end_transitions, layer.transitions, mask[:, :4])
    late = mask.copy()
    late[0, 0] = False
    with pytest.raises(ValueError, match=r"conditional_random_field.decode: argument 'mask' must have its first step on"):
        layer.decode(emissions, late)
    with pytest.raises(ValueError, match=r"conditional_random_field.decode: argument 'transitions'"):
        crf_op.decode(emissions, layer.start_transitions, layer.end_transitions, layer.transitions[:3])
