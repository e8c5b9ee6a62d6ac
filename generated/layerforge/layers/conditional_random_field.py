"""ConditionalRandomField: Linear-chain conditional random field as pytorch-crf's
CRF(num_tags, batch_first=True): the negative log-likelihood -log p(tags | emissions) of
each sequence, log Z - score(tags), with transitions[i, j] the score of tag i followed
by tag j and start_transitions, end_transitions the scores of the first and last tags.
log Z is the forward algorithm, a scan over time whose carry is the log-sum of the
scores of every path into each tag before the step's emission; the gradients (marginals
less the gold path's one-hots) are its reverse scan. The mask (True where a step counts,
pytorch-crf's convention) must have its first step on; trailing steps may be off.
Generated from layers_spec/layers/conditional_random_field.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_ids,
    check_steps,
    check_first_step,
    scatter_add_rows,
)
from layerforge._cupy_runtime import ElementwiseKernel, ReductionKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("emissions", "tags", "mask")
PARAMETERS = ("start_transitions", "end_transitions", "transitions")
OUTPUTS = ("nll",)
SEQUENCES = ("emissions", "tags", "mask")
STACKED = ()
BATCH_FIRST = "batch_first"


def forward(
    emissions,
    tags,
    start_transitions,
    end_transitions,
    transitions,
    mask=None,
    *,
    batch_first=True,
):
    """ConditionalRandomField forward pass.

    Linear-chain conditional random field as pytorch-crf's CRF(num_tags,
    batch_first=True): the negative log-likelihood -log p(tags | emissions) of each
    sequence, log Z - score(tags), with transitions[i, j] the score of tag i followed by
    tag j and start_transitions, end_transitions the scores of the first and last tags.
    log Z is the forward algorithm, a scan over time whose carry is the log-sum of the
    scores of every path into each tag before the step's emission; the gradients
    (marginals less the gold path's one-hots) are its reverse scan. The mask (True where
    a step counts, pytorch-crf's convention) must have its first step on; trailing steps
    may be off.

    Args:
        emissions: float32 or float64 input of shape [T, B, num_tags]. The emission
            scores, batch first [B, T, num_tags] (time first with batch_first=False).
        tags: integer (no gradient) input of shape [T, B]. The gold tags, [B, T] (batch
            first).
        start_transitions: float32 or float64 parameter of shape [num_tags]. The score
            of each first tag.
        end_transitions: float32 or float64 parameter of shape [num_tags]. The score of
            each last tag.
        transitions: float32 or float64 parameter of shape [num_tags, num_tags].
            transitions[i, j]: the score of tag i followed by tag j.
        mask: bool or float mask (no gradient) input of shape [T, B], None to leave it
            out. True (or nonzero) where a step counts, [B, T]; None: every step.
        batch_first: bool, default True. emissions, tags and mask are [B, T, ...]
            (false: [T, B, ...]).

    Returns:
        (nll, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "conditional_random_field",
        {
            "emissions": emissions,
            "tags": tags,
            "start_transitions": start_transitions,
            "end_transitions": end_transitions,
            "transitions": transitions,
            "mask": mask,
        },
        {
            "emissions": (
                ("B", "T", "num_tags") if batch_first else ("T", "B", "num_tags")
            ),
            "tags": ("B", "T") if batch_first else ("T", "B"),
            "start_transitions": ("num_tags",),
            "end_transitions": ("num_tags",),
            "transitions": ("num_tags", "num_tags"),
            "mask": ("B", "T") if batch_first else ("T", "B"),
        },
        optional=("mask",),
        kinds={"tags": "int", "mask": "mask"},
    )
    check_ids(
        "conditional_random_field",
        "tags",
        tags,
        emissions.shape[-1],
        "num_tags",
        "emissions",
    )
    check_attribute("conditional_random_field", "batch_first", batch_first, "bool")
    check_steps(
        "conditional_random_field",
        "emissions",
        emissions.shape,
        1 if batch_first else 0,
    )
    check_steps("conditional_random_field", "tags", tags.shape, 1 if batch_first else 0)
    if mask is not None:
        check_steps(
            "conditional_random_field", "mask", mask.shape, 1 if batch_first else 0
        )
        check_first_step(
            "conditional_random_field", "mask", mask, 1 if batch_first else 0
        )
    if on_gpu(emissions):
        forward_variant, backward_variant = _CUPY_VARIANTS[batch_first]
        nll, saved = forward_variant(
            emissions, tags, start_transitions, end_transitions, transitions, mask
        )
        return nll, (backward_variant, saved, (nll.dtype, nll.shape), None)
    forward_variant, backward_variant = _VARIANTS[batch_first]
    nll, saved = forward_variant(
        emissions, tags, start_transitions, end_transitions, transitions, mask
    )
    return nll, (backward_variant, saved, (nll.dtype, nll.shape), None)


def backward(grad_nll, ctx):
    """ConditionalRandomField backward pass.

    Args:
        grad_nll: gradient of the loss with respect to nll.
        ctx: the context returned by forward.

    Returns:
        grad_emissions, grad_start_transitions, grad_end_transitions, grad_transitions:
            gradients with respect to emissions, start_transitions, end_transitions,
            transitions, in that order.
    """
    backward_variant, saved = check_context(
        "conditional_random_field", __name__, ctx, {"grad_nll": grad_nll}
    )
    return backward_variant(grad_nll, *saved)


def _forward_batch_first(
    emissions, tags, start_transitions, end_transitions, transitions, mask
):
    emissions = emissions.swapaxes(0, 1)  # time first
    tags = tags.swapaxes(0, 1)  # time first
    mask = None if mask is None else mask.swapaxes(0, 1)
    steps = emissions.shape[0]
    hoisted_1, hoisted_2, hoisted_saved = _forward_no_batch_first_hoisted(
        tags.reshape(-1, *tags.shape[2:]), end_transitions, transitions
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    hoisted_2 = hoisted_2.reshape(steps, -1, *hoisted_2.shape[1:])
    incoming_init = np.repeat(start_transitions[None], emissions.shape[1], axis=0)
    incoming = incoming_init
    gold_init = np.repeat(start_transitions[None], emissions.shape[1], axis=0)
    gold = gold_init
    nll_init = np.zeros((emissions.shape[1],), dtype=emissions.dtype)
    nll = nll_init
    for t in range(steps):
        incoming_next, gold_next, nll_next, score, saved_3, paths, saved_7, saved_8 = (
            _forward_no_batch_first_step(
                incoming,
                gold,
                nll,
                hoisted_1[t],
                hoisted_2[t],
                emissions[t],
                tags[t],
                (None if mask is None else mask[t]),
                end_transitions,
                transitions,
            )
        )
        if t == 0:
            score_steps = np.empty((steps, *score.shape), dtype=score.dtype)
            saved_3_steps = np.empty((steps, *saved_3.shape), dtype=saved_3.dtype)
            paths_steps = np.empty((steps, *paths.shape), dtype=paths.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
            saved_8_steps = np.empty((steps, *saved_8.shape), dtype=saved_8.dtype)
        score_steps[t] = score
        saved_3_steps[t] = saved_3
        paths_steps[t] = paths
        saved_7_steps[t] = saved_7
        saved_8_steps[t] = saved_8
        incoming = incoming_next
        gold = gold_next
        nll = nll_next
    return nll, (
        hoisted_saved,
        score_steps,
        saved_3_steps,
        paths_steps,
        saved_7_steps,
        saved_8_steps,
        incoming_init,
        gold_init,
        emissions,
        tags,
        end_transitions,
        transitions,
        mask,
    )


def _backward_batch_first(
    grad_nll,
    hoisted_saved,
    score_steps,
    saved_3_steps,
    paths_steps,
    saved_7_steps,
    saved_8_steps,
    incoming_init,
    gold_init,
    emissions,
    tags,
    end_transitions,
    transitions,
    mask,
):
    steps = score_steps.shape[0]
    grad_next_incoming = np.zeros_like(incoming_init)
    grad_next_gold = np.zeros_like(gold_init)
    grad_next_nll = grad_nll
    for t in range(steps - 1, -1, -1):
        (
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            grad_ending,
            chain_21,
            chain_23,
            chain_33,
            chain_37,
            grad_alpha,
        ) = _backward_no_batch_first_step(
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            emissions[t],
            tags[t],
            (None if mask is None else mask[t]),
            score_steps[t],
            saved_3_steps[t],
            paths_steps[t],
            saved_7_steps[t],
            saved_8_steps[t],
        )
        if t == steps - 1:
            grad_ending_steps = np.empty(
                (steps, *grad_ending.shape), dtype=grad_ending.dtype
            )
            chain_21_steps = np.empty((steps, *chain_21.shape), dtype=chain_21.dtype)
            chain_23_steps = np.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_33_steps = np.empty((steps, *chain_33.shape), dtype=chain_33.dtype)
            chain_37_steps = np.empty((steps, *chain_37.shape), dtype=chain_37.dtype)
            grad_alpha_steps = np.empty(
                (steps, *grad_alpha.shape), dtype=grad_alpha.dtype
            )
        grad_ending_steps[t] = grad_ending
        chain_21_steps[t] = chain_21
        chain_23_steps[t] = chain_23
        chain_33_steps[t] = chain_33
        chain_37_steps[t] = chain_37
        grad_alpha_steps[t] = grad_alpha
    deferred_0, grad_emissions, deferred_2, deferred_3 = (
        _backward_no_batch_first_deferred(
            end_transitions,
            transitions,
            grad_ending_steps,
            chain_21_steps,
            chain_33_steps,
            chain_37_steps,
            grad_alpha_steps,
        )
    )
    hoisted_grad_end_transitions, hoisted_grad_transitions = (
        _backward_no_batch_first_hoisted(
            chain_23_steps.reshape(-1, *chain_23_steps.shape[2:]),
            deferred_0.reshape(-1, *deferred_0.shape[2:]),
            *hoisted_saved,
        )
    )
    grad_emissions = grad_emissions.swapaxes(0, 1)
    grad_start_transitions = grad_next_incoming.sum(axis=0) + grad_next_gold.sum(axis=0)
    grad_end_transitions = deferred_2 + hoisted_grad_end_transitions
    grad_transitions = deferred_3 + hoisted_grad_transitions
    return (
        grad_emissions,
        grad_start_transitions,
        grad_end_transitions,
        grad_transitions,
    )


def _forward_no_batch_first_hoisted(tags, end_transitions, transitions):
    hoisted_1 = np.take(transitions, tags, axis=0)
    _t1 = end_transitions.reshape(-1, 1)
    hoisted_2 = np.take(_t1, tags, axis=0)
    return hoisted_1, hoisted_2, (tags, end_transitions, transitions, _t1)


def _forward_no_batch_first_step(
    incoming,
    gold,
    nll,
    hoisted_1,
    hoisted_2,
    emissions,
    tags,
    mask,
    end_transitions,
    transitions,
):
    alpha = incoming + emissions
    score = np.take_along_axis(gold + emissions, tags[..., None], axis=-1)
    _t1 = np.expand_dims(alpha, -1) + transitions
    paths = _logsumexp(_t1, -2)
    incoming_next = _keep_where(np.squeeze(paths, axis=-2), mask, incoming)
    gold_next = _keep_where(score + hoisted_1, mask, gold)
    _t2 = alpha + end_transitions
    _t3 = _logsumexp(_t2, -1)
    ending = _t3 - score
    ending -= hoisted_2
    nll_next = _keep_where(ending[..., 0], mask, nll)
    return incoming_next, gold_next, nll_next, score, _t1, paths, _t2, _t3


def _backward_no_batch_first_step(
    grad_next_incoming,
    grad_next_gold,
    grad_next_nll,
    emissions,
    tags,
    mask,
    score,
    _t1,
    paths,
    _t2,
    _t3,
):
    _t4 = _keep_on(grad_next_nll, mask)
    grad_nll = grad_next_nll - _t4
    grad_ending = _t4.reshape(score.shape)
    _t5 = _t2 - _t3
    np.exp(_t5, out=_t5)
    _t5 *= grad_ending
    _t6 = _keep_on(grad_next_gold, mask)
    _t7 = _keep_on(grad_next_incoming, mask)
    grad_paths = _t7.reshape(paths.shape)
    _t8 = _t1 - paths
    np.exp(_t8, out=_t8)
    _t8 *= grad_paths
    grad_score = -grad_ending
    _t9 = np.sum(_t6, axis=-1, keepdims=True)
    grad_score += _t9
    _t10 = _put_along(grad_score, tags, emissions)
    grad_alpha = _t5 + np.sum(_t8, axis=-1, keepdims=True).reshape(emissions.shape)
    grad_incoming = grad_next_incoming - _t7
    grad_incoming += grad_alpha
    grad_gold = grad_next_gold - _t6
    grad_gold += _t10
    return (
        grad_incoming,
        grad_gold,
        grad_nll,
        grad_ending,
        _t5,
        _t6,
        _t8,
        _t10,
        grad_alpha,
    )


def _backward_no_batch_first_deferred(
    end_transitions, transitions, grad_ending, _t1, _t2, _t3, grad_alpha
):
    grad_hoisted_2 = -grad_ending
    grad_end_transitions = _sum_to(_t1, end_transitions.shape)
    grad_transitions = _sum_to(_t2, transitions.shape)
    grad_emissions = _t3 + grad_alpha
    return grad_hoisted_2, grad_emissions, grad_end_transitions, grad_transitions


def _backward_no_batch_first_hoisted(
    grad_hoisted_1, grad_hoisted_2, tags, end_transitions, transitions, _t1
):
    grad_end_transitions = _add_rows(grad_hoisted_2, tags, _t1).reshape(
        end_transitions.shape
    )
    grad_transitions = _add_rows(grad_hoisted_1, tags, transitions)
    return grad_end_transitions, grad_transitions


def _forward_no_batch_first(
    emissions, tags, start_transitions, end_transitions, transitions, mask
):
    steps = emissions.shape[0]
    hoisted_1, hoisted_2, hoisted_saved = _forward_no_batch_first_hoisted(
        tags.reshape(-1, *tags.shape[2:]), end_transitions, transitions
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    hoisted_2 = hoisted_2.reshape(steps, -1, *hoisted_2.shape[1:])
    incoming_init = np.repeat(start_transitions[None], emissions.shape[1], axis=0)
    incoming = incoming_init
    gold_init = np.repeat(start_transitions[None], emissions.shape[1], axis=0)
    gold = gold_init
    nll_init = np.zeros((emissions.shape[1],), dtype=emissions.dtype)
    nll = nll_init
    for t in range(steps):
        incoming_next, gold_next, nll_next, score, saved_3, paths, saved_7, saved_8 = (
            _forward_no_batch_first_step(
                incoming,
                gold,
                nll,
                hoisted_1[t],
                hoisted_2[t],
                emissions[t],
                tags[t],
                (None if mask is None else mask[t]),
                end_transitions,
                transitions,
            )
        )
        if t == 0:
            score_steps = np.empty((steps, *score.shape), dtype=score.dtype)
            saved_3_steps = np.empty((steps, *saved_3.shape), dtype=saved_3.dtype)
            paths_steps = np.empty((steps, *paths.shape), dtype=paths.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
            saved_8_steps = np.empty((steps, *saved_8.shape), dtype=saved_8.dtype)
        score_steps[t] = score
        saved_3_steps[t] = saved_3
        paths_steps[t] = paths
        saved_7_steps[t] = saved_7
        saved_8_steps[t] = saved_8
        incoming = incoming_next
        gold = gold_next
        nll = nll_next
    return nll, (
        hoisted_saved,
        score_steps,
        saved_3_steps,
        paths_steps,
        saved_7_steps,
        saved_8_steps,
        incoming_init,
        gold_init,
        emissions,
        tags,
        end_transitions,
        transitions,
        mask,
    )


def _backward_no_batch_first(
    grad_nll,
    hoisted_saved,
    score_steps,
    saved_3_steps,
    paths_steps,
    saved_7_steps,
    saved_8_steps,
    incoming_init,
    gold_init,
    emissions,
    tags,
    end_transitions,
    transitions,
    mask,
):
    steps = score_steps.shape[0]
    grad_next_incoming = np.zeros_like(incoming_init)
    grad_next_gold = np.zeros_like(gold_init)
    grad_next_nll = grad_nll
    for t in range(steps - 1, -1, -1):
        (
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            grad_ending,
            chain_21,
            chain_23,
            chain_33,
            chain_37,
            grad_alpha,
        ) = _backward_no_batch_first_step(
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            emissions[t],
            tags[t],
            (None if mask is None else mask[t]),
            score_steps[t],
            saved_3_steps[t],
            paths_steps[t],
            saved_7_steps[t],
            saved_8_steps[t],
        )
        if t == steps - 1:
            grad_ending_steps = np.empty(
                (steps, *grad_ending.shape), dtype=grad_ending.dtype
            )
            chain_21_steps = np.empty((steps, *chain_21.shape), dtype=chain_21.dtype)
            chain_23_steps = np.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_33_steps = np.empty((steps, *chain_33.shape), dtype=chain_33.dtype)
            chain_37_steps = np.empty((steps, *chain_37.shape), dtype=chain_37.dtype)
            grad_alpha_steps = np.empty(
                (steps, *grad_alpha.shape), dtype=grad_alpha.dtype
            )
        grad_ending_steps[t] = grad_ending
        chain_21_steps[t] = chain_21
        chain_23_steps[t] = chain_23
        chain_33_steps[t] = chain_33
        chain_37_steps[t] = chain_37
        grad_alpha_steps[t] = grad_alpha
    deferred_0, grad_emissions, deferred_2, deferred_3 = (
        _backward_no_batch_first_deferred(
            end_transitions,
            transitions,
            grad_ending_steps,
            chain_21_steps,
            chain_33_steps,
            chain_37_steps,
            grad_alpha_steps,
        )
    )
    hoisted_grad_end_transitions, hoisted_grad_transitions = (
        _backward_no_batch_first_hoisted(
            chain_23_steps.reshape(-1, *chain_23_steps.shape[2:]),
            deferred_0.reshape(-1, *deferred_0.shape[2:]),
            *hoisted_saved,
        )
    )
    grad_start_transitions = grad_next_incoming.sum(axis=0) + grad_next_gold.sum(axis=0)
    grad_end_transitions = deferred_2 + hoisted_grad_end_transitions
    grad_transitions = deferred_3 + hoisted_grad_transitions
    return (
        grad_emissions,
        grad_start_transitions,
        grad_end_transitions,
        grad_transitions,
    )


_VARIANTS = {
    True: (_forward_batch_first, _backward_batch_first),
    False: (_forward_no_batch_first, _backward_no_batch_first),
}


def _add_rows(grad, ids, like):
    """Zeros shaped like the table, with each row of ``grad`` [..., D] added into the
    row its id names (repeated ids accumulate)."""
    return scatter_add_rows(
        like.shape, ids.reshape(-1), grad.reshape(ids.size, grad.shape[-1])
    )


def _keep_on(grad, mask):
    """``grad`` where the mask [...] is on, 0 where it is off; ``grad`` without a mask."""
    if mask is None:
        return grad
    on = mask if mask.dtype == bool else mask != 0
    return grad * on.reshape(on.shape + (1,) * (grad.ndim - on.ndim))


def _keep_where(new, mask, old):
    """``new`` where the mask [...] is on (True or nonzero), ``old`` where it is off, the
    mask broadcast over the trailing axes; ``new`` itself without a mask."""
    if mask is None:
        return new
    on = mask if mask.dtype == bool else mask != 0
    return np.where(on.reshape(on.shape + (1,) * (new.ndim - on.ndim)), new, old)


def _logsumexp(x, axis):
    """log(sum(exp(x))) along ``axis``, kept as a length-1 axis: the maximum m taken out
    first, m + log(sum(exp(x - m))), so that no exp overflows (m is 0 where infinite).
    """
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0).astype(x.dtype)
    total = np.sum(np.exp(x - top), axis=axis, keepdims=True)
    out = np.log(total, out=total)
    out += top
    return out


def _put_along(grad, ids, like):
    """Zeros shaped like ``like`` [..., K] holding each row of ``grad`` [..., 1] at the
    column its id names (a comparison with the column numbers: one pass, no scatter)."""
    columns = np.arange(like.shape[-1])
    return (columns == ids[..., None]) * grad


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


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward_batch_first(
    emissions, tags, start_transitions, end_transitions, transitions, mask
):
    import cupy as cp

    emissions = emissions.swapaxes(0, 1)  # time first
    tags = tags.swapaxes(0, 1)  # time first
    mask = None if mask is None else mask.swapaxes(0, 1)
    steps = emissions.shape[0]
    hoisted_1, hoisted_2, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        tags.reshape(-1, *tags.shape[2:]), end_transitions, transitions
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    hoisted_2 = hoisted_2.reshape(steps, -1, *hoisted_2.shape[1:])
    incoming_init = cp.repeat(start_transitions[None], emissions.shape[1], axis=0)
    incoming = incoming_init
    gold_init = cp.repeat(start_transitions[None], emissions.shape[1], axis=0)
    gold = gold_init
    nll_init = cp.zeros((emissions.shape[1],), dtype=emissions.dtype)
    nll = nll_init
    for t in range(steps):
        incoming_next, gold_next, nll_next, score, saved_3, paths, saved_7, saved_8 = (
            _cupy_forward_no_batch_first_step(
                incoming,
                gold,
                nll,
                hoisted_1[t],
                hoisted_2[t],
                emissions[t],
                tags[t],
                (None if mask is None else mask[t]),
                end_transitions,
                transitions,
            )
        )
        if t == 0:
            score_steps = cp.empty((steps, *score.shape), dtype=score.dtype)
            saved_3_steps = cp.empty((steps, *saved_3.shape), dtype=saved_3.dtype)
            paths_steps = cp.empty((steps, *paths.shape), dtype=paths.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
            saved_8_steps = cp.empty((steps, *saved_8.shape), dtype=saved_8.dtype)
        score_steps[t] = score
        saved_3_steps[t] = saved_3
        paths_steps[t] = paths
        saved_7_steps[t] = saved_7
        saved_8_steps[t] = saved_8
        incoming = incoming_next
        gold = gold_next
        nll = nll_next
    return nll, (
        hoisted_saved,
        score_steps,
        saved_3_steps,
        paths_steps,
        saved_7_steps,
        saved_8_steps,
        incoming_init,
        gold_init,
        emissions,
        tags,
        end_transitions,
        transitions,
        mask,
    )


def _cupy_backward_batch_first(
    grad_nll,
    hoisted_saved,
    score_steps,
    saved_3_steps,
    paths_steps,
    saved_7_steps,
    saved_8_steps,
    incoming_init,
    gold_init,
    emissions,
    tags,
    end_transitions,
    transitions,
    mask,
):
    import cupy as cp

    steps = score_steps.shape[0]
    grad_next_incoming = cp.zeros_like(incoming_init)
    grad_next_gold = cp.zeros_like(gold_init)
    grad_next_nll = grad_nll
    for t in range(steps - 1, -1, -1):
        (
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            grad_ending,
            chain_21,
            chain_23,
            chain_33,
            chain_37,
            grad_alpha,
        ) = _cupy_backward_no_batch_first_step(
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            emissions[t],
            tags[t],
            (None if mask is None else mask[t]),
            score_steps[t],
            saved_3_steps[t],
            paths_steps[t],
            saved_7_steps[t],
            saved_8_steps[t],
        )
        if t == steps - 1:
            grad_ending_steps = cp.empty(
                (steps, *grad_ending.shape), dtype=grad_ending.dtype
            )
            chain_21_steps = cp.empty((steps, *chain_21.shape), dtype=chain_21.dtype)
            chain_23_steps = cp.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_33_steps = cp.empty((steps, *chain_33.shape), dtype=chain_33.dtype)
            chain_37_steps = cp.empty((steps, *chain_37.shape), dtype=chain_37.dtype)
            grad_alpha_steps = cp.empty(
                (steps, *grad_alpha.shape), dtype=grad_alpha.dtype
            )
        grad_ending_steps[t] = grad_ending
        chain_21_steps[t] = chain_21
        chain_23_steps[t] = chain_23
        chain_33_steps[t] = chain_33
        chain_37_steps[t] = chain_37
        grad_alpha_steps[t] = grad_alpha
    deferred_0, grad_emissions, deferred_2, deferred_3 = (
        _cupy_backward_no_batch_first_deferred(
            end_transitions,
            transitions,
            grad_ending_steps,
            chain_21_steps,
            chain_33_steps,
            chain_37_steps,
            grad_alpha_steps,
        )
    )
    hoisted_grad_end_transitions, hoisted_grad_transitions = (
        _cupy_backward_no_batch_first_hoisted(
            chain_23_steps.reshape(-1, *chain_23_steps.shape[2:]),
            deferred_0.reshape(-1, *deferred_0.shape[2:]),
            *hoisted_saved,
        )
    )
    grad_emissions = grad_emissions.swapaxes(0, 1)
    grad_start_transitions = grad_next_incoming.sum(axis=0) + grad_next_gold.sum(axis=0)
    grad_end_transitions = deferred_2 + hoisted_grad_end_transitions
    grad_transitions = deferred_3 + hoisted_grad_transitions
    return (
        grad_emissions,
        grad_start_transitions,
        grad_end_transitions,
        grad_transitions,
    )


def _cupy_forward_no_batch_first_hoisted(tags, end_transitions, transitions):
    import cupy as cp

    hoisted_1 = cp.take(transitions, tags, axis=0)
    _t10 = end_transitions.reshape(-1, 1)
    hoisted_2 = cp.take(_t10, tags, axis=0)
    return hoisted_1, hoisted_2, (tags, end_transitions, transitions, _t10)


# conditional_random_field_no_batch_first_step_fwd_0: layers_spec/layers/conditional_random_field.yaml:31,32
_conditional_random_field_no_batch_first_step_fwd_0 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_fwd_0",
    "T incoming, T emissions, T gold",
    "T alpha, T _t1",
    """
    alpha = incoming + emissions;
    _t1 = gold + emissions;
    """,
)


# conditional_random_field_no_batch_first_step_fwd_1: layers_spec/layers/conditional_random_field.yaml:33
_conditional_random_field_no_batch_first_step_fwd_1 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_fwd_1",
    "T _t2, T transitions",
    "T _t3",
    """
    _t3 = _t2 + transitions;
    """,
)


# conditional_random_field_no_batch_first_step_fwd_2: layers_spec/layers/conditional_random_field.yaml:35
_conditional_random_field_no_batch_first_step_fwd_2 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_fwd_2",
    "T score, T hoisted_1",
    "T _t6",
    """
    _t6 = score + hoisted_1;
    """,
)


# conditional_random_field_no_batch_first_step_fwd_3: layers_spec/layers/conditional_random_field.yaml:36
_conditional_random_field_no_batch_first_step_fwd_3 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_fwd_3",
    "T alpha, T end_transitions",
    "T _t7",
    """
    _t7 = alpha + end_transitions;
    """,
)


# conditional_random_field_no_batch_first_step_fwd_4: layers_spec/layers/conditional_random_field.yaml:36
_conditional_random_field_no_batch_first_step_fwd_4 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_fwd_4",
    "T _t8, T score, T hoisted_2",
    "T ending",
    """
    T _t9 = _t8 - score;
    ending = _t9 - hoisted_2;
    """,
)


def _cupy_forward_no_batch_first_step(
    incoming,
    gold,
    nll,
    hoisted_1,
    hoisted_2,
    emissions,
    tags,
    mask,
    end_transitions,
    transitions,
):
    import cupy as cp

    alpha, _t1 = _conditional_random_field_no_batch_first_step_fwd_0(
        incoming, emissions, gold
    )
    score = cp.take_along_axis(_t1, tags[..., None], axis=-1)
    _t2 = cp.expand_dims(alpha, -1)
    _t3 = _conditional_random_field_no_batch_first_step_fwd_1(_t2, transitions)
    paths = _cupy_logsumexp(_t3, -2)
    _t4 = cp.squeeze(paths, axis=-2)
    incoming_next = _cupy_keep_where(_t4, mask, incoming)
    _t6 = _conditional_random_field_no_batch_first_step_fwd_2(score, hoisted_1)
    gold_next = _cupy_keep_where(_t6, mask, gold)
    _t7 = _conditional_random_field_no_batch_first_step_fwd_3(alpha, end_transitions)
    _t8 = _cupy_logsumexp(_t7, -1)
    ending = _conditional_random_field_no_batch_first_step_fwd_4(_t8, score, hoisted_2)
    _t12 = ending[..., 0]
    nll_next = _cupy_keep_where(_t12, mask, nll)
    return incoming_next, gold_next, nll_next, score, _t3, paths, _t7, _t8


# conditional_random_field_no_batch_first_step_bwd_0: layers_spec/primitives.yaml:3645
_conditional_random_field_no_batch_first_step_bwd_0 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_0",
    "T grad_next_nll, T _t14",
    "T grad_nll",
    """
    grad_nll = grad_next_nll - _t14;
    """,
)


# conditional_random_field_no_batch_first_step_bwd_1: layers_spec/primitives.yaml:52
_conditional_random_field_no_batch_first_step_bwd_1 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_1",
    "T grad_ending",
    "T _t18",
    """
    _t18 = -grad_ending;
    """,
)


# conditional_random_field_no_batch_first_step_bwd_2: layers_spec/primitives.yaml:3595
_conditional_random_field_no_batch_first_step_bwd_2 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_2",
    "T _t7, T _t8, T grad_ending",
    "T _t21",
    """
    T _t19 = _t7 - _t8;
    T _t20 = exp(_t19);
    _t21 = grad_ending * _t20;
    """,
)


# conditional_random_field_no_batch_first_step_bwd_3: layers_spec/primitives.yaml:3645
_conditional_random_field_no_batch_first_step_bwd_3 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_3",
    "T grad_next_gold, T _t24",
    "T _t25",
    """
    _t25 = grad_next_gold - _t24;
    """,
)


# conditional_random_field_no_batch_first_step_bwd_4: layers_spec/layers/conditional_random_field.yaml:35
_conditional_random_field_no_batch_first_step_bwd_4 = ReductionKernel(
    "conditional_random_field_no_batch_first_step_bwd_4",
    "T X0",
    map_expr="conditional_random_field_no_batch_first_step_bwd_4_map(X0)",
    reduce_expr="a + b",
    identity="0",
    preamble="""
    template <typename T>
    __device__ T conditional_random_field_no_batch_first_step_bwd_4_map(const T _t23) {
        return _t23;
    }
    """,
)


# conditional_random_field_no_batch_first_step_bwd_5: layers_spec/primitives.yaml:3645
_conditional_random_field_no_batch_first_step_bwd_5 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_5",
    "T grad_next_incoming, T _t28",
    "T _t29",
    """
    _t29 = grad_next_incoming - _t28;
    """,
)


# conditional_random_field_no_batch_first_step_bwd_6: layers_spec/primitives.yaml:3595
_conditional_random_field_no_batch_first_step_bwd_6 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_6",
    "T _t3, T paths, T grad_paths",
    "T _t33",
    """
    T _t31 = _t3 - paths;
    T _t32 = exp(_t31);
    _t33 = grad_paths * _t32;
    """,
)


# conditional_random_field_no_batch_first_step_bwd_7: layers_spec/layers/conditional_random_field.yaml:33
_conditional_random_field_no_batch_first_step_bwd_7 = ReductionKernel(
    "conditional_random_field_no_batch_first_step_bwd_7",
    "T X0",
    map_expr="conditional_random_field_no_batch_first_step_bwd_7_map(X0)",
    reduce_expr="a + b",
    identity="0",
    preamble="""
    template <typename T>
    __device__ T conditional_random_field_no_batch_first_step_bwd_7_map(const T _t33) {
        return _t33;
    }
    """,
)


# conditional_random_field_no_batch_first_step_bwd_8: layers_spec/primitives.yaml:3426
_conditional_random_field_no_batch_first_step_bwd_8 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_8",
    "T _t18, T _t26",
    "T grad_score",
    """
    grad_score = _t18 + _t26;
    """,
)


# conditional_random_field_no_batch_first_step_bwd_9: layers_spec/primitives.yaml:3607
_conditional_random_field_no_batch_first_step_bwd_9 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_9",
    "T _t21, T _t36, T _t29, T _t25, T _t37",
    "T grad_alpha, T grad_incoming, T grad_gold",
    """
    grad_alpha = _t21 + _t36;
    grad_incoming = _t29 + grad_alpha;
    grad_gold = _t25 + _t37;
    """,
)


def _cupy_backward_no_batch_first_step(
    grad_next_incoming,
    grad_next_gold,
    grad_next_nll,
    emissions,
    tags,
    mask,
    score,
    _t3,
    paths,
    _t7,
    _t8,
):
    _t13 = _cupy_keep_on(grad_next_nll, mask)
    _t14 = _cupy_keep_on(grad_next_nll, mask)
    grad_nll = _conditional_random_field_no_batch_first_step_bwd_0(grad_next_nll, _t14)
    grad_ending = _t13.reshape(score.shape)
    _t18 = _conditional_random_field_no_batch_first_step_bwd_1(grad_ending)
    _t21 = _conditional_random_field_no_batch_first_step_bwd_2(_t7, _t8, grad_ending)
    _t23 = _cupy_keep_on(grad_next_gold, mask)
    _t24 = _cupy_keep_on(grad_next_gold, mask)
    _t25 = _conditional_random_field_no_batch_first_step_bwd_3(grad_next_gold, _t24)
    _t26 = _conditional_random_field_no_batch_first_step_bwd_4(_t23)
    _t27 = _cupy_keep_on(grad_next_incoming, mask)
    _t28 = _cupy_keep_on(grad_next_incoming, mask)
    _t29 = _conditional_random_field_no_batch_first_step_bwd_5(grad_next_incoming, _t28)
    grad_paths = _t27.reshape(paths.shape)
    _t33 = _conditional_random_field_no_batch_first_step_bwd_6(_t3, paths, grad_paths)
    _t34 = _conditional_random_field_no_batch_first_step_bwd_7(_t33)
    _t36 = _t34.reshape(emissions.shape)
    grad_score = _conditional_random_field_no_batch_first_step_bwd_8(_t18, _t26)
    _t37 = _cupy_put_along(grad_score, tags, emissions)
    grad_alpha, grad_incoming, grad_gold = (
        _conditional_random_field_no_batch_first_step_bwd_9(
            _t21, _t36, _t29, _t25, _t37
        )
    )
    return (
        grad_incoming,
        grad_gold,
        grad_nll,
        grad_ending,
        _t21,
        _t23,
        _t33,
        _t37,
        grad_alpha,
    )


# conditional_random_field_no_batch_first_deferred_bwd_0: layers_spec/primitives.yaml:52
_conditional_random_field_no_batch_first_deferred_bwd_0 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_deferred_bwd_0",
    "T grad_ending",
    "T grad_hoisted_2",
    """
    grad_hoisted_2 = -grad_ending;
    """,
)


# conditional_random_field_no_batch_first_deferred_bwd_1: layers_spec/primitives.yaml:3607
_conditional_random_field_no_batch_first_deferred_bwd_1 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_deferred_bwd_1",
    "T _t37, T grad_alpha",
    "T grad_emissions",
    """
    grad_emissions = _t37 + grad_alpha;
    """,
)


def _cupy_backward_no_batch_first_deferred(
    end_transitions, transitions, grad_ending, _t21, _t33, _t37, grad_alpha
):
    grad_hoisted_2 = _conditional_random_field_no_batch_first_deferred_bwd_0(
        grad_ending
    )
    grad_end_transitions = _cupy_sum_to(_t21, end_transitions.shape)
    grad_transitions = _cupy_sum_to(_t33, transitions.shape)
    grad_emissions = _conditional_random_field_no_batch_first_deferred_bwd_1(
        _t37, grad_alpha
    )
    return grad_hoisted_2, grad_emissions, grad_end_transitions, grad_transitions


def _cupy_backward_no_batch_first_hoisted(
    grad_hoisted_1, grad_hoisted_2, tags, end_transitions, transitions, _t10
):
    _t13 = _cupy_add_rows(grad_hoisted_2, tags, _t10)
    grad_end_transitions = _t13.reshape(end_transitions.shape)
    grad_transitions = _cupy_add_rows(grad_hoisted_1, tags, transitions)
    return grad_end_transitions, grad_transitions


def _cupy_forward_no_batch_first(
    emissions, tags, start_transitions, end_transitions, transitions, mask
):
    import cupy as cp

    steps = emissions.shape[0]
    hoisted_1, hoisted_2, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        tags.reshape(-1, *tags.shape[2:]), end_transitions, transitions
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    hoisted_2 = hoisted_2.reshape(steps, -1, *hoisted_2.shape[1:])
    incoming_init = cp.repeat(start_transitions[None], emissions.shape[1], axis=0)
    incoming = incoming_init
    gold_init = cp.repeat(start_transitions[None], emissions.shape[1], axis=0)
    gold = gold_init
    nll_init = cp.zeros((emissions.shape[1],), dtype=emissions.dtype)
    nll = nll_init
    for t in range(steps):
        incoming_next, gold_next, nll_next, score, saved_3, paths, saved_7, saved_8 = (
            _cupy_forward_no_batch_first_step(
                incoming,
                gold,
                nll,
                hoisted_1[t],
                hoisted_2[t],
                emissions[t],
                tags[t],
                (None if mask is None else mask[t]),
                end_transitions,
                transitions,
            )
        )
        if t == 0:
            score_steps = cp.empty((steps, *score.shape), dtype=score.dtype)
            saved_3_steps = cp.empty((steps, *saved_3.shape), dtype=saved_3.dtype)
            paths_steps = cp.empty((steps, *paths.shape), dtype=paths.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
            saved_8_steps = cp.empty((steps, *saved_8.shape), dtype=saved_8.dtype)
        score_steps[t] = score
        saved_3_steps[t] = saved_3
        paths_steps[t] = paths
        saved_7_steps[t] = saved_7
        saved_8_steps[t] = saved_8
        incoming = incoming_next
        gold = gold_next
        nll = nll_next
    return nll, (
        hoisted_saved,
        score_steps,
        saved_3_steps,
        paths_steps,
        saved_7_steps,
        saved_8_steps,
        incoming_init,
        gold_init,
        emissions,
        tags,
        end_transitions,
        transitions,
        mask,
    )


def _cupy_backward_no_batch_first(
    grad_nll,
    hoisted_saved,
    score_steps,
    saved_3_steps,
    paths_steps,
    saved_7_steps,
    saved_8_steps,
    incoming_init,
    gold_init,
    emissions,
    tags,
    end_transitions,
    transitions,
    mask,
):
    import cupy as cp

    steps = score_steps.shape[0]
    grad_next_incoming = cp.zeros_like(incoming_init)
    grad_next_gold = cp.zeros_like(gold_init)
    grad_next_nll = grad_nll
    for t in range(steps - 1, -1, -1):
        (
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            grad_ending,
            chain_21,
            chain_23,
            chain_33,
            chain_37,
            grad_alpha,
        ) = _cupy_backward_no_batch_first_step(
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            emissions[t],
            tags[t],
            (None if mask is None else mask[t]),
            score_steps[t],
            saved_3_steps[t],
            paths_steps[t],
            saved_7_steps[t],
            saved_8_steps[t],
        )
        if t == steps - 1:
            grad_ending_steps = cp.empty(
                (steps, *grad_ending.shape), dtype=grad_ending.dtype
            )
            chain_21_steps = cp.empty((steps, *chain_21.shape), dtype=chain_21.dtype)
            chain_23_steps = cp.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_33_steps = cp.empty((steps, *chain_33.shape), dtype=chain_33.dtype)
            chain_37_steps = cp.empty((steps, *chain_37.shape), dtype=chain_37.dtype)
            grad_alpha_steps = cp.empty(
                (steps, *grad_alpha.shape), dtype=grad_alpha.dtype
            )
        grad_ending_steps[t] = grad_ending
        chain_21_steps[t] = chain_21
        chain_23_steps[t] = chain_23
        chain_33_steps[t] = chain_33
        chain_37_steps[t] = chain_37
        grad_alpha_steps[t] = grad_alpha
    deferred_0, grad_emissions, deferred_2, deferred_3 = (
        _cupy_backward_no_batch_first_deferred(
            end_transitions,
            transitions,
            grad_ending_steps,
            chain_21_steps,
            chain_33_steps,
            chain_37_steps,
            grad_alpha_steps,
        )
    )
    hoisted_grad_end_transitions, hoisted_grad_transitions = (
        _cupy_backward_no_batch_first_hoisted(
            chain_23_steps.reshape(-1, *chain_23_steps.shape[2:]),
            deferred_0.reshape(-1, *deferred_0.shape[2:]),
            *hoisted_saved,
        )
    )
    grad_start_transitions = grad_next_incoming.sum(axis=0) + grad_next_gold.sum(axis=0)
    grad_end_transitions = deferred_2 + hoisted_grad_end_transitions
    grad_transitions = deferred_3 + hoisted_grad_transitions
    return (
        grad_emissions,
        grad_start_transitions,
        grad_end_transitions,
        grad_transitions,
    )


_CUPY_VARIANTS = {
    True: (_cupy_forward_batch_first, _cupy_backward_batch_first),
    False: (_cupy_forward_no_batch_first, _cupy_backward_no_batch_first),
}


def _cupy_add_rows(grad, ids, like):
    """Zeros shaped like the table, with each row of ``grad`` [..., D] added into the
    row its id names (repeated ids accumulate)."""
    return scatter_add_rows(
        like.shape, ids.reshape(-1), grad.reshape(ids.size, grad.shape[-1])
    )


def _cupy_keep_on(grad, mask):
    """``grad`` where the mask [...] is on, 0 where it is off; ``grad`` without a mask."""
    if mask is None:
        return grad
    on = mask if mask.dtype == bool else mask != 0
    return grad * on.reshape(on.shape + (1,) * (grad.ndim - on.ndim))


def _cupy_keep_where(new, mask, old):
    """``new`` where the mask [...] is on (True or nonzero), ``old`` where it is off, the
    mask broadcast over the trailing axes; ``new`` itself without a mask."""
    import cupy as cp

    if mask is None:
        return new
    on = mask if mask.dtype == bool else mask != 0
    return cp.where(on.reshape(on.shape + (1,) * (new.ndim - on.ndim)), new, old)


def _cupy_logsumexp(x, axis):
    """log(sum(exp(x))) along ``axis``, kept as a length-1 axis: the maximum m taken out
    first, m + log(sum(exp(x - m))), so that no exp overflows (m is 0 where infinite).
    """
    import cupy as cp

    top = cp.max(x, axis=axis, keepdims=True)
    top = cp.where(cp.isfinite(top), top, 0).astype(x.dtype)
    total = cp.sum(cp.exp(x - top), axis=axis, keepdims=True)
    out = cp.log(total, out=total)
    out += top
    return out


def _cupy_put_along(grad, ids, like):
    """Zeros shaped like ``like`` [..., K] holding each row of ``grad`` [..., 1] at the
    column its id names (a comparison with the column numbers: one pass, no scatter)."""
    import cupy as cp

    columns = cp.arange(like.shape[-1])
    return (columns == ids[..., None]) * grad


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
