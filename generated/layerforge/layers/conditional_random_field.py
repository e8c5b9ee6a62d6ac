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
    blas_on_one_thread,
    scatter_add_rows,
)
from layerforge._cupy_runtime import (
    ElementwiseKernel,
    ReductionKernel,
    RowBlockKernel,
    on_gpu,
)

__all__ = ["forward", "backward", "decode"]

INPUTS = ("emissions", "tags", "mask")
PARAMETERS = ("start_transitions", "end_transitions", "transitions")
OUTPUTS = ("nll",)
SEQUENCES = ("emissions", "tags", "mask")
STACKED = ()
BATCH_FIRST = "batch_first"
ENTRY_POINTS = ("decode",)


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


def decode(emissions, start_transitions, end_transitions, transitions, mask=None):
    """ConditionalRandomField decode: an entry point beside forward and backward.

    The most likely tags of each sequence by Viterbi's max-product recursion, as
    pytorch-crf's decode: int64 [B, T], -1 at the steps the mask leaves off. Batch first
    (emissions [B, T, num_tags], mask [B, T]); no gradient.

    Args:
        emissions: float32 or float64 array of shape [B, T, num_tags]. The emission
            scores [B, T, num_tags].
        start_transitions: float32 or float64 array of shape [num_tags] (the layer's).
            The score of each first tag.
        end_transitions: float32 or float64 array of shape [num_tags] (the layer's). The
            score of each last tag.
        transitions: float32 or float64 array of shape [num_tags, num_tags] (the
            layer's). transitions[i, j]: the score of tag i followed by tag j.
        mask: bool or float mask array of shape [B, T], None to leave it out. True (or
            nonzero) where a step counts; None: every step.

    Returns:
        tags: new arrays; no argument is changed. There is no backward: this is not a
            gradient.
    """
    check_arrays(
        "conditional_random_field.decode",
        {
            "emissions": emissions,
            "start_transitions": start_transitions,
            "end_transitions": end_transitions,
            "transitions": transitions,
            "mask": mask,
        },
        {
            "emissions": ("B", "T", "num_tags"),
            "start_transitions": ("num_tags",),
            "end_transitions": ("num_tags",),
            "transitions": ("num_tags", "num_tags"),
            "mask": ("B", "T"),
        },
        optional=("mask",),
        kinds={"mask": "mask"},
    )
    if mask is not None:
        check_first_step("conditional_random_field.decode", "mask", mask, 1)
    if on_gpu(emissions):
        return _CUPY_DECODE_VARIANTS[mask is not None](
            emissions, start_transitions, end_transitions, transitions, mask
        )
    return _DECODE_VARIANTS[mask is not None](
        emissions, start_transitions, end_transitions, transitions, mask
    )


@blas_on_one_thread
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
        incoming_next, gold_next, nll_next, alpha, score, saved_2, saved_6 = (
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
            alpha_steps = np.empty((steps, *alpha.shape), dtype=alpha.dtype)
            score_steps = np.empty((steps, *score.shape), dtype=score.dtype)
            saved_2_steps = np.empty((steps, *saved_2.shape), dtype=saved_2.dtype)
            saved_6_steps = np.empty((steps, *saved_6.shape), dtype=saved_6.dtype)
        alpha_steps[t] = alpha
        score_steps[t] = score
        saved_2_steps[t] = saved_2
        saved_6_steps[t] = saved_6
        incoming = incoming_next
        gold = gold_next
        nll = nll_next
    return nll, (
        hoisted_saved,
        alpha_steps,
        score_steps,
        saved_2_steps,
        saved_6_steps,
        incoming_init,
        gold_init,
        emissions,
        tags,
        end_transitions,
        transitions,
        mask,
    )


@blas_on_one_thread
def _backward_batch_first(
    grad_nll,
    hoisted_saved,
    alpha_steps,
    score_steps,
    saved_2_steps,
    saved_6_steps,
    incoming_init,
    gold_init,
    emissions,
    tags,
    end_transitions,
    transitions,
    mask,
):
    steps = alpha_steps.shape[0]
    grad_next_incoming = np.zeros_like(incoming_init)
    grad_next_gold = np.zeros_like(gold_init)
    grad_next_nll = grad_nll
    for t in range(steps - 1, -1, -1):
        (
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            grad_ending,
            chain_19,
            chain_21,
            chain_25,
            chain_30,
            grad_alpha,
        ) = _backward_no_batch_first_step(
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            emissions[t],
            tags[t],
            (None if mask is None else mask[t]),
            end_transitions,
            transitions,
            alpha_steps[t],
            score_steps[t],
            saved_2_steps[t],
            saved_6_steps[t],
        )
        if t == steps - 1:
            grad_ending_steps = np.empty(
                (steps, *grad_ending.shape), dtype=grad_ending.dtype
            )
            chain_19_steps = np.empty((steps, *chain_19.shape), dtype=chain_19.dtype)
            chain_21_steps = np.empty((steps, *chain_21.shape), dtype=chain_21.dtype)
            chain_25_steps = np.empty((steps, *chain_25.shape), dtype=chain_25.dtype)
            chain_30_steps = np.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            grad_alpha_steps = np.empty(
                (steps, *grad_alpha.shape), dtype=grad_alpha.dtype
            )
        grad_ending_steps[t] = grad_ending
        chain_19_steps[t] = chain_19
        chain_21_steps[t] = chain_21
        chain_25_steps[t] = chain_25
        chain_30_steps[t] = chain_30
        grad_alpha_steps[t] = grad_alpha
    deferred_0, grad_emissions, deferred_2, deferred_3 = (
        _backward_no_batch_first_deferred(
            transitions,
            alpha_steps,
            saved_2_steps,
            grad_ending_steps,
            chain_19_steps,
            chain_25_steps,
            chain_30_steps,
            grad_alpha_steps,
        )
    )
    hoisted_grad_end_transitions, hoisted_grad_transitions = (
        _backward_no_batch_first_hoisted(
            chain_21_steps.reshape(-1, *chain_21_steps.shape[2:]),
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
    _t1 = _log_matmul_exp(alpha, transitions)
    incoming_next = _keep_where(_t1, mask, incoming)
    gold_next = _keep_where(score + hoisted_1, mask, gold)
    _t2 = _logsumexp(alpha + end_transitions, -1)
    ending = _t2 - score
    ending -= hoisted_2
    nll_next = _keep_where(ending[..., 0], mask, nll)
    return incoming_next, gold_next, nll_next, alpha, score, _t1, _t2


def _backward_no_batch_first_step(
    grad_next_incoming,
    grad_next_gold,
    grad_next_nll,
    emissions,
    tags,
    mask,
    end_transitions,
    transitions,
    alpha,
    score,
    _t1,
    _t2,
):
    _t3 = _keep_on(grad_next_nll, mask)
    grad_nll = grad_next_nll - _t3
    grad_ending = _t3.reshape(score.shape)
    _t4 = alpha + end_transitions
    _t4 -= _t2
    np.exp(_t4, out=_t4)
    _t4 *= grad_ending
    _t5 = _keep_on(grad_next_gold, mask)
    _t6 = _keep_on(grad_next_incoming, mask)
    grad_score = -grad_ending
    _t7 = np.sum(_t5, axis=-1, keepdims=True)
    grad_score += _t7
    _t8 = _put_along(grad_score, tags, emissions)
    grad_alpha = _t4 + _log_matmul_exp_grad_a(_t6, alpha, transitions, _t1)
    grad_incoming = grad_next_incoming - _t6
    grad_incoming += grad_alpha
    grad_gold = grad_next_gold - _t5
    grad_gold += _t8
    return (
        grad_incoming,
        grad_gold,
        grad_nll,
        grad_ending,
        _t4,
        _t5,
        _t6,
        _t8,
        grad_alpha,
    )


def _backward_no_batch_first_deferred(
    transitions, alpha, _t1, grad_ending, _t2, _t3, _t4, grad_alpha
):
    grad_hoisted_2 = -grad_ending
    grad_end_transitions = _sum_leading(_t2, 1)
    grad_transitions = _log_matmul_exp_grad_b(_t3, alpha, transitions, _t1)
    grad_emissions = _t4 + grad_alpha
    return grad_hoisted_2, grad_emissions, grad_end_transitions, grad_transitions


def _backward_no_batch_first_hoisted(
    grad_hoisted_1, grad_hoisted_2, tags, end_transitions, transitions, _t1
):
    grad_end_transitions = _add_rows(grad_hoisted_2, tags, _t1).reshape(
        end_transitions.shape
    )
    grad_transitions = _add_rows(grad_hoisted_1, tags, transitions)
    return grad_end_transitions, grad_transitions


@blas_on_one_thread
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
        incoming_next, gold_next, nll_next, alpha, score, saved_2, saved_6 = (
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
            alpha_steps = np.empty((steps, *alpha.shape), dtype=alpha.dtype)
            score_steps = np.empty((steps, *score.shape), dtype=score.dtype)
            saved_2_steps = np.empty((steps, *saved_2.shape), dtype=saved_2.dtype)
            saved_6_steps = np.empty((steps, *saved_6.shape), dtype=saved_6.dtype)
        alpha_steps[t] = alpha
        score_steps[t] = score
        saved_2_steps[t] = saved_2
        saved_6_steps[t] = saved_6
        incoming = incoming_next
        gold = gold_next
        nll = nll_next
    return nll, (
        hoisted_saved,
        alpha_steps,
        score_steps,
        saved_2_steps,
        saved_6_steps,
        incoming_init,
        gold_init,
        emissions,
        tags,
        end_transitions,
        transitions,
        mask,
    )


@blas_on_one_thread
def _backward_no_batch_first(
    grad_nll,
    hoisted_saved,
    alpha_steps,
    score_steps,
    saved_2_steps,
    saved_6_steps,
    incoming_init,
    gold_init,
    emissions,
    tags,
    end_transitions,
    transitions,
    mask,
):
    steps = alpha_steps.shape[0]
    grad_next_incoming = np.zeros_like(incoming_init)
    grad_next_gold = np.zeros_like(gold_init)
    grad_next_nll = grad_nll
    for t in range(steps - 1, -1, -1):
        (
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            grad_ending,
            chain_19,
            chain_21,
            chain_25,
            chain_30,
            grad_alpha,
        ) = _backward_no_batch_first_step(
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            emissions[t],
            tags[t],
            (None if mask is None else mask[t]),
            end_transitions,
            transitions,
            alpha_steps[t],
            score_steps[t],
            saved_2_steps[t],
            saved_6_steps[t],
        )
        if t == steps - 1:
            grad_ending_steps = np.empty(
                (steps, *grad_ending.shape), dtype=grad_ending.dtype
            )
            chain_19_steps = np.empty((steps, *chain_19.shape), dtype=chain_19.dtype)
            chain_21_steps = np.empty((steps, *chain_21.shape), dtype=chain_21.dtype)
            chain_25_steps = np.empty((steps, *chain_25.shape), dtype=chain_25.dtype)
            chain_30_steps = np.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            grad_alpha_steps = np.empty(
                (steps, *grad_alpha.shape), dtype=grad_alpha.dtype
            )
        grad_ending_steps[t] = grad_ending
        chain_19_steps[t] = chain_19
        chain_21_steps[t] = chain_21
        chain_25_steps[t] = chain_25
        chain_30_steps[t] = chain_30
        grad_alpha_steps[t] = grad_alpha
    deferred_0, grad_emissions, deferred_2, deferred_3 = (
        _backward_no_batch_first_deferred(
            transitions,
            alpha_steps,
            saved_2_steps,
            grad_ending_steps,
            chain_19_steps,
            chain_25_steps,
            chain_30_steps,
            grad_alpha_steps,
        )
    )
    hoisted_grad_end_transitions, hoisted_grad_transitions = (
        _backward_no_batch_first_hoisted(
            chain_21_steps.reshape(-1, *chain_21_steps.shape[2:]),
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


def _entry_decode_1(emissions, start_transitions, mask):
    steps = _permute(emissions, (-2, -3, -1))
    counted = np.swapaxes(mask, -1, -2)
    first = np.broadcast_to(
        start_transitions, np.squeeze(_amax(emissions, -2), axis=-2).shape
    )
    return counted, first, steps


def _entry_decode_step2(incoming, best, steps, counted, end_transitions, transitions):
    alpha = incoming + steps
    candidates = np.expand_dims(alpha, -1) + transitions
    incoming_next = _keep_where(
        np.squeeze(_amax(candidates, -2), axis=-2), counted, incoming
    )
    pointer = np.squeeze(np.expand_dims(np.argmax(candidates, axis=-2), -2), axis=-2)
    best_next = _keep_where(alpha + end_transitions, counted, best)
    return incoming_next, best_next, pointer


def _entry_decode_3(best_last):
    last = np.expand_dims(np.argmax(best_last, axis=-1), -1)[..., 0]
    no_later = last < 0
    return last, no_later


def _entry_decode_step4(tag, later, pointers, counted):
    chosen = _keep_where(
        np.take_along_axis(pointers, tag[..., None], axis=-1)[..., 0], later, tag
    )
    here = np.where(counted, chosen, -1)
    tag_next = _keep_where(chosen, counted, tag)
    on_now = ~(counted == 0)
    return tag_next, on_now, here


def _entry_decode_5(decoded):
    tags = np.swapaxes(decoded, -1, -2)
    return tags


def _driver_decode(emissions, start_transitions, end_transitions, transitions, mask):
    counted, first, steps = _entry_decode_1(emissions, start_transitions, mask)
    incoming = first
    best = first
    _steps = steps.shape[0]
    for _t in range(_steps):
        incoming_next, best_next, pointer = _entry_decode_step2(
            incoming, best, steps[_t], counted[_t], end_transitions, transitions
        )
        if _t == 0:
            pointers = np.empty((_steps, *pointer.shape), dtype=pointer.dtype)
        pointers[_t] = pointer
        incoming = incoming_next
        best = best_next
    best_last = best
    last, no_later = _entry_decode_3(best_last)
    tag = last
    later = no_later
    _steps = pointers.shape[0]
    for _t in range(_steps - 1, -1, -1):
        tag_next, on_now, here = _entry_decode_step4(
            tag, later, pointers[_t], counted[_t]
        )
        if _t == _steps - 1:
            decoded = np.empty((_steps, *here.shape), dtype=here.dtype)
        decoded[_t] = here
        tag = tag_next
        later = on_now
    tags = _entry_decode_5(decoded)
    return tags


def _entry_decode_no_mask_1(emissions, start_transitions):
    steps = _permute(emissions, (-2, -3, -1))
    counted = np.ones(_amax(steps, -1)[..., 0].shape, dtype=bool)
    first = np.broadcast_to(
        start_transitions, np.squeeze(_amax(emissions, -2), axis=-2).shape
    )
    return counted, first, steps


def _driver_decode_no_mask(
    emissions, start_transitions, end_transitions, transitions, mask
):
    counted, first, steps = _entry_decode_no_mask_1(emissions, start_transitions)
    incoming = first
    best = first
    _steps = steps.shape[0]
    for _t in range(_steps):
        incoming_next, best_next, pointer = _entry_decode_step2(
            incoming, best, steps[_t], counted[_t], end_transitions, transitions
        )
        if _t == 0:
            pointers = np.empty((_steps, *pointer.shape), dtype=pointer.dtype)
        pointers[_t] = pointer
        incoming = incoming_next
        best = best_next
    best_last = best
    last, no_later = _entry_decode_3(best_last)
    tag = last
    later = no_later
    _steps = pointers.shape[0]
    for _t in range(_steps - 1, -1, -1):
        tag_next, on_now, here = _entry_decode_step4(
            tag, later, pointers[_t], counted[_t]
        )
        if _t == _steps - 1:
            decoded = np.empty((_steps, *here.shape), dtype=here.dtype)
        decoded[_t] = here
        tag = tag_next
        later = on_now
    tags = _entry_decode_5(decoded)
    return tags


_VARIANTS = {
    True: (_forward_batch_first, _backward_batch_first),
    False: (_forward_no_batch_first, _backward_no_batch_first),
}


_DECODE_VARIANTS = {
    True: _driver_decode,
    False: _driver_decode_no_mask,
}


def _add_rows(grad, ids, like):
    """Zeros shaped like the table, with each row of ``grad`` [..., D] added into the
    row its id names (repeated ids accumulate)."""
    rows = grad.reshape(ids.size, grad.shape[-1])
    if like.shape[0] <= 64:  # a few rows (a CRF's tags): a one-hot matrix product
        one_hot = ids.reshape(-1, 1) == np.arange(like.shape[0])
        return (one_hot.T.astype(rows.dtype) @ rows).reshape(like.shape)
    return scatter_add_rows(like.shape, ids.reshape(-1), rows)


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


def _log_matmul_exp(a, b):
    """out[..., j] = log(sum_i exp(a[..., i] + b[i, j])), stably: each row's maximum m and
    each column's maximum c taken out of one matrix product of exponentials (K exps
    per row instead of K * N); rows where the product falls below sqrt(tiny) (terms
    could have underflowed) or is NaN (an infinite maximum) are recomputed exactly as a
    log-sum-exp over [K, N].

    Measured at a [64, 20] @ [20, 20] step (one thread): 0.05 ms against 0.4 ms for the
    log-sum-exp over the broadcast [64, 20, 20] sum."""
    top = a.max(axis=-1, keepdims=True)
    cols = b.max(axis=0, keepdims=True)
    product = np.exp(a - top) @ np.exp(b - cols)
    with np.errstate(invalid="ignore"):
        bad = ~(product >= np.sqrt(np.finfo(product.dtype).tiny))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(product, out=product)
    out += top
    out += cols
    if bad.any():
        rows = bad.any(axis=-1)
        terms = a[rows][..., :, None] + b
        peak = np.max(terms, axis=-2, keepdims=True)
        peak = np.where(np.isfinite(peak), peak, 0)
        with np.errstate(divide="ignore"):
            out[rows] = np.log(np.sum(np.exp(terms - peak), axis=-2)) + peak[..., 0, :]
    return out


def _log_matmul_exp_grad_a(grad, a, b, out):
    """sum_j grad[..., j] exp(a[..., i] + b[i, j] - out[..., j]) for every i."""
    top = a.max(axis=-1, keepdims=True)
    cols = b.max(axis=0, keepdims=True)
    scale = top + cols
    scale -= out
    with np.errstate(invalid="ignore"):
        bad = ~(scale <= -0.5 * np.log(np.finfo(a.dtype).tiny))
    rows = bad.any(axis=-1) if bad.any() else None
    with np.errstate(over="ignore", invalid="ignore"):
        np.exp(scale, out=scale)
        scale *= grad
        if rows is not None:
            scale[rows] = 0
        weights = np.exp(a - top)
    weights *= scale @ np.exp(b - cols).T
    if rows is not None:
        chosen = np.exp(a[rows][..., :, None] + b - out[rows][..., None, :])
        weights[rows] = np.sum(chosen * grad[rows][..., None, :], axis=-1)
    return weights


def _log_matmul_exp_grad_b(grad, a, b, out):
    """sum over the rows of grad[..., j] exp(a[..., i] + b[i, j] - out[..., j])."""
    k, n = b.shape
    grad, a, out = grad.reshape(-1, n), a.reshape(-1, k), out.reshape(-1, n)
    top = a.max(axis=-1, keepdims=True)
    cols = b.max(axis=0, keepdims=True)
    scale = top + cols
    scale -= out
    with np.errstate(invalid="ignore"):
        bad = ~(scale <= -0.5 * np.log(np.finfo(a.dtype).tiny))
    rows = bad.any(axis=-1) if bad.any() else None
    with np.errstate(over="ignore", invalid="ignore"):
        np.exp(scale, out=scale)
        scale *= grad
        if rows is not None:
            scale[rows] = 0
        weights = np.exp(a - top)
    if rows is not None:
        weights[rows] = 0
    total = weights.T @ scale
    total *= np.exp(b - cols)
    if rows is not None:
        chosen = np.exp(a[rows][:, :, None] + b - out[rows][:, None, :])
        total += np.sum(chosen * grad[rows][:, None, :], axis=0)
    return total


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


def _permute(x, axes):
    """The view of x whose trailing axes are x's axes ``axes`` (negative, from the end),
    in that order; the leading axes stay where they are."""
    lead = x.ndim - len(axes)
    return x.transpose(tuple(range(lead)) + tuple(x.ndim + a for a in axes))


def _put_along(grad, ids, like):
    """Zeros shaped like ``like`` [..., K] holding each row of ``grad`` [..., 1] at the
    column its id names (a comparison with the column numbers: one pass, no scatter)."""
    columns = np.arange(like.shape[-1])
    return (columns == ids[..., None]) * grad


def _sum_leading(grad, rank):
    """``grad`` summed over its leading axes down to its last ``rank`` axes."""
    return _sum_to(grad, grad.shape[grad.ndim - rank :])


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
        incoming_next, gold_next, nll_next, alpha, score, saved_2, saved_6 = (
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
            alpha_steps = cp.empty((steps, *alpha.shape), dtype=alpha.dtype)
            score_steps = cp.empty((steps, *score.shape), dtype=score.dtype)
            saved_2_steps = cp.empty((steps, *saved_2.shape), dtype=saved_2.dtype)
            saved_6_steps = cp.empty((steps, *saved_6.shape), dtype=saved_6.dtype)
        alpha_steps[t] = alpha
        score_steps[t] = score
        saved_2_steps[t] = saved_2
        saved_6_steps[t] = saved_6
        incoming = incoming_next
        gold = gold_next
        nll = nll_next
    return nll, (
        hoisted_saved,
        alpha_steps,
        score_steps,
        saved_2_steps,
        saved_6_steps,
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
    alpha_steps,
    score_steps,
    saved_2_steps,
    saved_6_steps,
    incoming_init,
    gold_init,
    emissions,
    tags,
    end_transitions,
    transitions,
    mask,
):
    import cupy as cp

    steps = alpha_steps.shape[0]
    grad_next_incoming = cp.zeros_like(incoming_init)
    grad_next_gold = cp.zeros_like(gold_init)
    grad_next_nll = grad_nll
    for t in range(steps - 1, -1, -1):
        (
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            grad_ending,
            chain_19,
            chain_21,
            chain_25,
            chain_30,
            grad_alpha,
        ) = _cupy_backward_no_batch_first_step(
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            emissions[t],
            tags[t],
            (None if mask is None else mask[t]),
            end_transitions,
            transitions,
            alpha_steps[t],
            score_steps[t],
            saved_2_steps[t],
            saved_6_steps[t],
        )
        if t == steps - 1:
            grad_ending_steps = cp.empty(
                (steps, *grad_ending.shape), dtype=grad_ending.dtype
            )
            chain_19_steps = cp.empty((steps, *chain_19.shape), dtype=chain_19.dtype)
            chain_21_steps = cp.empty((steps, *chain_21.shape), dtype=chain_21.dtype)
            chain_25_steps = cp.empty((steps, *chain_25.shape), dtype=chain_25.dtype)
            chain_30_steps = cp.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            grad_alpha_steps = cp.empty(
                (steps, *grad_alpha.shape), dtype=grad_alpha.dtype
            )
        grad_ending_steps[t] = grad_ending
        chain_19_steps[t] = chain_19
        chain_21_steps[t] = chain_21
        chain_25_steps[t] = chain_25
        chain_30_steps[t] = chain_30
        grad_alpha_steps[t] = grad_alpha
    deferred_0, grad_emissions, deferred_2, deferred_3 = (
        _cupy_backward_no_batch_first_deferred(
            transitions,
            alpha_steps,
            saved_2_steps,
            grad_ending_steps,
            chain_19_steps,
            chain_25_steps,
            chain_30_steps,
            grad_alpha_steps,
        )
    )
    hoisted_grad_end_transitions, hoisted_grad_transitions = (
        _cupy_backward_no_batch_first_hoisted(
            chain_21_steps.reshape(-1, *chain_21_steps.shape[2:]),
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
    _t8 = end_transitions.reshape(-1, 1)
    hoisted_2 = cp.take(_t8, tags, axis=0)
    return hoisted_1, hoisted_2, (tags, end_transitions, transitions, _t8)


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


# conditional_random_field_no_batch_first_step_fwd_1: layers_spec/layers/conditional_random_field.yaml:34
_conditional_random_field_no_batch_first_step_fwd_1 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_fwd_1",
    "T score, T hoisted_1",
    "T _t4",
    """
    _t4 = score + hoisted_1;
    """,
)


# conditional_random_field_no_batch_first_step_fwd_2: layers_spec/layers/conditional_random_field.yaml:35
_conditional_random_field_no_batch_first_step_fwd_2 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_fwd_2",
    "T alpha, T end_transitions",
    "T _t5",
    """
    _t5 = alpha + end_transitions;
    """,
)


# conditional_random_field_no_batch_first_step_fwd_3: layers_spec/layers/conditional_random_field.yaml:35
_conditional_random_field_no_batch_first_step_fwd_3 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_fwd_3",
    "T _t6, T score, T hoisted_2",
    "T ending",
    """
    T _t7 = _t6 - score;
    ending = _t7 - hoisted_2;
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
    _t2 = _cupy_log_matmul_exp(alpha, transitions)
    incoming_next = _cupy_keep_where(_t2, mask, incoming)
    _t4 = _conditional_random_field_no_batch_first_step_fwd_1(score, hoisted_1)
    gold_next = _cupy_keep_where(_t4, mask, gold)
    _t5 = _conditional_random_field_no_batch_first_step_fwd_2(alpha, end_transitions)
    _t6 = _cupy_logsumexp(_t5, -1)
    ending = _conditional_random_field_no_batch_first_step_fwd_3(_t6, score, hoisted_2)
    _t10 = ending[..., 0]
    nll_next = _cupy_keep_where(_t10, mask, nll)
    return incoming_next, gold_next, nll_next, alpha, score, _t2, _t6


# conditional_random_field_no_batch_first_step_bwd_1: layers_spec/primitives.yaml:4032
_conditional_random_field_no_batch_first_step_bwd_1 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_1",
    "T grad_next_nll, T _t12",
    "T grad_nll",
    """
    grad_nll = grad_next_nll - _t12;
    """,
)


# conditional_random_field_no_batch_first_step_bwd_2: layers_spec/primitives.yaml:52
_conditional_random_field_no_batch_first_step_bwd_2 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_2",
    "T grad_ending",
    "T _t16",
    """
    _t16 = -grad_ending;
    """,
)


# conditional_random_field_no_batch_first_step_bwd_3: layers_spec/primitives.yaml:3982
_conditional_random_field_no_batch_first_step_bwd_3 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_3",
    "T _t5, T _t6, T grad_ending",
    "T _t19",
    """
    T _t17 = _t5 - _t6;
    T _t18 = exp(_t17);
    _t19 = grad_ending * _t18;
    """,
)


# conditional_random_field_no_batch_first_step_bwd_4: layers_spec/primitives.yaml:4032; layers_spec/layers/conditional_random_field.yaml:34
_conditional_random_field_no_batch_first_step_bwd_4 = RowBlockKernel(
    "conditional_random_field_no_batch_first_step_bwd_4",
    "row T grad_next_gold, row T _t22, row T _t21",
    "row T _t23, per_row T _t24",
    """
    T _c_grad_next_gold[LF_REGISTERS];
    T _c__t22[LF_REGISTERS];
    T _t24 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_next_gold, _row_grad_next_gold, _j);
        _at.fill(_c__t22, _row__t22, _j);
        const T _t21 = _row__t21[_j];
        _t24 = _Sum()(_t24, _t21);
    )
    _t24 = _row_reduce(_t24, _Sum());
    LF_ROW_LOOP(
        const T grad_next_gold = _at.get(_c_grad_next_gold, _row_grad_next_gold, _j);
        const T _t22 = _at.get(_c__t22, _row__t22, _j);
        const T _t23 = grad_next_gold - _t22;
        _row__t23[_j] = _t23;
    )
    """,
)


# conditional_random_field_no_batch_first_step_bwd_5: layers_spec/primitives.yaml:4032
_conditional_random_field_no_batch_first_step_bwd_5 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_5",
    "T grad_next_incoming, T _t26",
    "T _t27",
    """
    _t27 = grad_next_incoming - _t26;
    """,
)


# conditional_random_field_no_batch_first_step_bwd_6: layers_spec/primitives.yaml:4133
_conditional_random_field_no_batch_first_step_bwd_6 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_6",
    "T _t16, T _t24",
    "T grad_score",
    """
    grad_score = _t16 + _t24;
    """,
)


# conditional_random_field_no_batch_first_step_bwd_7: layers_spec/primitives.yaml:3994
_conditional_random_field_no_batch_first_step_bwd_7 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_step_bwd_7",
    "T _t19, T _t28, T _t27, T _t23, T _t30",
    "T grad_alpha, T grad_incoming, T grad_gold",
    """
    grad_alpha = _t19 + _t28;
    grad_incoming = _t27 + grad_alpha;
    grad_gold = _t23 + _t30;
    """,
)


def _cupy_backward_no_batch_first_step(
    grad_next_incoming,
    grad_next_gold,
    grad_next_nll,
    emissions,
    tags,
    mask,
    end_transitions,
    transitions,
    alpha,
    score,
    _t2,
    _t6,
):
    _t5 = _conditional_random_field_no_batch_first_step_fwd_2(alpha, end_transitions)
    _t11 = _keep_on(grad_next_nll, mask)
    _t12 = _keep_on(grad_next_nll, mask)
    grad_nll = _conditional_random_field_no_batch_first_step_bwd_1(grad_next_nll, _t12)
    grad_ending = _t11.reshape(score.shape)
    _t16 = _conditional_random_field_no_batch_first_step_bwd_2(grad_ending)
    _t19 = _conditional_random_field_no_batch_first_step_bwd_3(_t5, _t6, grad_ending)
    _t21 = _keep_on(grad_next_gold, mask)
    _t22 = _keep_on(grad_next_gold, mask)
    _t23, _t24 = _conditional_random_field_no_batch_first_step_bwd_4(
        grad_next_gold, _t22, _t21
    )
    _t25 = _keep_on(grad_next_incoming, mask)
    _t26 = _keep_on(grad_next_incoming, mask)
    _t27 = _conditional_random_field_no_batch_first_step_bwd_5(grad_next_incoming, _t26)
    _t28 = _cupy_log_matmul_exp_grad_a(_t25, alpha, transitions, _t2)
    grad_score = _conditional_random_field_no_batch_first_step_bwd_6(_t16, _t24)
    _t30 = _cupy_put_along(grad_score, tags, emissions)
    grad_alpha, grad_incoming, grad_gold = (
        _conditional_random_field_no_batch_first_step_bwd_7(
            _t19, _t28, _t27, _t23, _t30
        )
    )
    return (
        grad_incoming,
        grad_gold,
        grad_nll,
        grad_ending,
        _t19,
        _t21,
        _t25,
        _t30,
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


# conditional_random_field_no_batch_first_deferred_bwd_1: layers_spec/primitives.yaml:3994
_conditional_random_field_no_batch_first_deferred_bwd_1 = ElementwiseKernel(
    "conditional_random_field_no_batch_first_deferred_bwd_1",
    "T _t30, T grad_alpha",
    "T grad_emissions",
    """
    grad_emissions = _t30 + grad_alpha;
    """,
)


def _cupy_backward_no_batch_first_deferred(
    transitions, alpha, _t2, grad_ending, _t19, _t25, _t30, grad_alpha
):
    grad_hoisted_2 = _conditional_random_field_no_batch_first_deferred_bwd_0(
        grad_ending
    )
    grad_end_transitions = _cupy_sum_leading(_t19, 1)
    grad_transitions = _cupy_log_matmul_exp_grad_b(_t25, alpha, transitions, _t2)
    grad_emissions = _conditional_random_field_no_batch_first_deferred_bwd_1(
        _t30, grad_alpha
    )
    return grad_hoisted_2, grad_emissions, grad_end_transitions, grad_transitions


def _cupy_backward_no_batch_first_hoisted(
    grad_hoisted_1, grad_hoisted_2, tags, end_transitions, transitions, _t8
):
    _t11 = _cupy_add_rows(grad_hoisted_2, tags, _t8)
    grad_end_transitions = _t11.reshape(end_transitions.shape)
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
        incoming_next, gold_next, nll_next, alpha, score, saved_2, saved_6 = (
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
            alpha_steps = cp.empty((steps, *alpha.shape), dtype=alpha.dtype)
            score_steps = cp.empty((steps, *score.shape), dtype=score.dtype)
            saved_2_steps = cp.empty((steps, *saved_2.shape), dtype=saved_2.dtype)
            saved_6_steps = cp.empty((steps, *saved_6.shape), dtype=saved_6.dtype)
        alpha_steps[t] = alpha
        score_steps[t] = score
        saved_2_steps[t] = saved_2
        saved_6_steps[t] = saved_6
        incoming = incoming_next
        gold = gold_next
        nll = nll_next
    return nll, (
        hoisted_saved,
        alpha_steps,
        score_steps,
        saved_2_steps,
        saved_6_steps,
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
    alpha_steps,
    score_steps,
    saved_2_steps,
    saved_6_steps,
    incoming_init,
    gold_init,
    emissions,
    tags,
    end_transitions,
    transitions,
    mask,
):
    import cupy as cp

    steps = alpha_steps.shape[0]
    grad_next_incoming = cp.zeros_like(incoming_init)
    grad_next_gold = cp.zeros_like(gold_init)
    grad_next_nll = grad_nll
    for t in range(steps - 1, -1, -1):
        (
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            grad_ending,
            chain_19,
            chain_21,
            chain_25,
            chain_30,
            grad_alpha,
        ) = _cupy_backward_no_batch_first_step(
            grad_next_incoming,
            grad_next_gold,
            grad_next_nll,
            emissions[t],
            tags[t],
            (None if mask is None else mask[t]),
            end_transitions,
            transitions,
            alpha_steps[t],
            score_steps[t],
            saved_2_steps[t],
            saved_6_steps[t],
        )
        if t == steps - 1:
            grad_ending_steps = cp.empty(
                (steps, *grad_ending.shape), dtype=grad_ending.dtype
            )
            chain_19_steps = cp.empty((steps, *chain_19.shape), dtype=chain_19.dtype)
            chain_21_steps = cp.empty((steps, *chain_21.shape), dtype=chain_21.dtype)
            chain_25_steps = cp.empty((steps, *chain_25.shape), dtype=chain_25.dtype)
            chain_30_steps = cp.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            grad_alpha_steps = cp.empty(
                (steps, *grad_alpha.shape), dtype=grad_alpha.dtype
            )
        grad_ending_steps[t] = grad_ending
        chain_19_steps[t] = chain_19
        chain_21_steps[t] = chain_21
        chain_25_steps[t] = chain_25
        chain_30_steps[t] = chain_30
        grad_alpha_steps[t] = grad_alpha
    deferred_0, grad_emissions, deferred_2, deferred_3 = (
        _cupy_backward_no_batch_first_deferred(
            transitions,
            alpha_steps,
            saved_2_steps,
            grad_ending_steps,
            chain_19_steps,
            chain_25_steps,
            chain_30_steps,
            grad_alpha_steps,
        )
    )
    hoisted_grad_end_transitions, hoisted_grad_transitions = (
        _cupy_backward_no_batch_first_hoisted(
            chain_21_steps.reshape(-1, *chain_21_steps.shape[2:]),
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


def _cupy_entry_decode_1(emissions, start_transitions, mask):
    import cupy as cp

    steps = _permute(emissions, (-2, -3, -1))
    counted = cp.swapaxes(mask, -1, -2)
    _t1 = _cupy_amax(emissions, -2)
    _t2 = cp.squeeze(_t1, axis=-2)
    first = cp.broadcast_to(start_transitions, _t2.shape)
    return counted, first, steps


# conditional_random_field_decode_step2_0: layers_spec/layers/conditional_random_field.yaml:60
_conditional_random_field_decode_step2_0 = ElementwiseKernel(
    "conditional_random_field_decode_step2_0",
    "T incoming, T steps",
    "T alpha",
    """
    alpha = incoming + steps;
    """,
)


# conditional_random_field_decode_step2_1: layers_spec/layers/conditional_random_field.yaml:61
_conditional_random_field_decode_step2_1 = ElementwiseKernel(
    "conditional_random_field_decode_step2_1",
    "T _t3, T transitions",
    "T candidates",
    """
    candidates = _t3 + transitions;
    """,
)


# conditional_random_field_decode_step2_2: layers_spec/layers/conditional_random_field.yaml:64
_conditional_random_field_decode_step2_2 = ElementwiseKernel(
    "conditional_random_field_decode_step2_2",
    "T alpha, T end_transitions",
    "T _t7",
    """
    _t7 = alpha + end_transitions;
    """,
)


def _cupy_entry_decode_step2(
    incoming, best, steps, counted, end_transitions, transitions
):
    import cupy as cp

    alpha = _conditional_random_field_decode_step2_0(incoming, steps)
    _t3 = cp.expand_dims(alpha, -1)
    candidates = _conditional_random_field_decode_step2_1(_t3, transitions)
    _t4 = _cupy_amax(candidates, -2)
    _t5 = cp.squeeze(_t4, axis=-2)
    incoming_next = _cupy_keep_where(_t5, counted, incoming)
    _t6 = cp.expand_dims(cp.argmax(candidates, axis=-2), -2)
    pointer = cp.squeeze(_t6, axis=-2)
    _t7 = _conditional_random_field_decode_step2_2(alpha, end_transitions)
    best_next = _cupy_keep_where(_t7, counted, best)
    return incoming_next, best_next, pointer


# conditional_random_field_decode_3_0: layers_spec/layers/conditional_random_field.yaml:67
_conditional_random_field_decode_3_0 = ElementwiseKernel(
    "conditional_random_field_decode_3_0",
    "int64 last",
    "bool no_later",
    """
    no_later = last < 0;
    """,
)


def _cupy_entry_decode_3(best_last):
    import cupy as cp

    _t8 = cp.expand_dims(cp.argmax(best_last, axis=-1), -1)
    last = _t8[..., 0]
    no_later = _conditional_random_field_decode_3_0(last)
    return last, no_later


# conditional_random_field_decode_step4_0: layers_spec/layers/conditional_random_field.yaml:71
_conditional_random_field_decode_step4_0 = ElementwiseKernel(
    "conditional_random_field_decode_step4_0",
    "bool counted, int64 chosen",
    "int64 here",
    """
    here = counted ? chosen : -1;
    """,
)


# conditional_random_field_decode_step4_1: layers_spec/layers/conditional_random_field.yaml:73
_conditional_random_field_decode_step4_1 = ElementwiseKernel(
    "conditional_random_field_decode_step4_1",
    "bool counted",
    "bool on_now",
    """
    bool _t11 = counted == 0;
    on_now = !_t11;
    """,
)


def _cupy_entry_decode_step4(tag, later, pointers, counted):
    import cupy as cp

    _t9 = cp.take_along_axis(pointers, tag[..., None], axis=-1)
    _t10 = _t9[..., 0]
    chosen = _cupy_keep_where(_t10, later, tag)
    here = _conditional_random_field_decode_step4_0(counted, chosen)
    tag_next = _cupy_keep_where(chosen, counted, tag)
    on_now = _conditional_random_field_decode_step4_1(counted)
    return tag_next, on_now, here


def _cupy_entry_decode_5(decoded):
    import cupy as cp

    tags = cp.swapaxes(decoded, -1, -2)
    return tags


def _cupy_driver_decode(
    emissions, start_transitions, end_transitions, transitions, mask
):
    import cupy as cp

    counted, first, steps = _cupy_entry_decode_1(emissions, start_transitions, mask)
    incoming = first
    best = first
    _steps = steps.shape[0]
    for _t in range(_steps):
        incoming_next, best_next, pointer = _cupy_entry_decode_step2(
            incoming, best, steps[_t], counted[_t], end_transitions, transitions
        )
        if _t == 0:
            pointers = cp.empty((_steps, *pointer.shape), dtype=pointer.dtype)
        pointers[_t] = pointer
        incoming = incoming_next
        best = best_next
    best_last = best
    last, no_later = _cupy_entry_decode_3(best_last)
    tag = last
    later = no_later
    _steps = pointers.shape[0]
    for _t in range(_steps - 1, -1, -1):
        tag_next, on_now, here = _cupy_entry_decode_step4(
            tag, later, pointers[_t], counted[_t]
        )
        if _t == _steps - 1:
            decoded = cp.empty((_steps, *here.shape), dtype=here.dtype)
        decoded[_t] = here
        tag = tag_next
        later = on_now
    tags = _cupy_entry_decode_5(decoded)
    return tags


# conditional_random_field_decode_no_mask_1_0: layers_spec/layers/conditional_random_field.yaml:56
_conditional_random_field_decode_no_mask_1_0 = ReductionKernel(
    "conditional_random_field_decode_no_mask_1_0",
    "T X0",
    map_expr="conditional_random_field_decode_no_mask_1_0_map(X0)",
    reduce_expr="(a > b || a != a) ? a : b",
    identity="__longlong_as_double(0xfff0000000000000ULL)",
    preamble="""
    template <typename T>
    __device__ T conditional_random_field_decode_no_mask_1_0_map(const T steps) {
        return steps;
    }
    """,
)


def _cupy_entry_decode_no_mask_1(emissions, start_transitions):
    import cupy as cp

    steps = _permute(emissions, (-2, -3, -1))
    _t1 = _conditional_random_field_decode_no_mask_1_0(steps)
    _t2 = _t1[..., 0]
    counted = cp.ones(_t2.shape, dtype=bool)
    _t3 = _cupy_amax(emissions, -2)
    _t4 = cp.squeeze(_t3, axis=-2)
    first = cp.broadcast_to(start_transitions, _t4.shape)
    return counted, first, steps


# conditional_random_field_decode_no_mask_step2_1: layers_spec/layers/conditional_random_field.yaml:61
_conditional_random_field_decode_no_mask_step2_1 = ElementwiseKernel(
    "conditional_random_field_decode_no_mask_step2_1",
    "T _t5, T transitions",
    "T candidates",
    """
    candidates = _t5 + transitions;
    """,
)


# conditional_random_field_decode_no_mask_step2_2: layers_spec/layers/conditional_random_field.yaml:64
_conditional_random_field_decode_no_mask_step2_2 = ElementwiseKernel(
    "conditional_random_field_decode_no_mask_step2_2",
    "T alpha, T end_transitions",
    "T _t9",
    """
    _t9 = alpha + end_transitions;
    """,
)


def _cupy_entry_decode_no_mask_step2(
    incoming, best, steps, counted, end_transitions, transitions
):
    import cupy as cp

    alpha = _conditional_random_field_decode_step2_0(incoming, steps)
    _t5 = cp.expand_dims(alpha, -1)
    candidates = _conditional_random_field_decode_no_mask_step2_1(_t5, transitions)
    _t6 = _cupy_amax(candidates, -2)
    _t7 = cp.squeeze(_t6, axis=-2)
    incoming_next = _cupy_keep_where(_t7, counted, incoming)
    _t8 = cp.expand_dims(cp.argmax(candidates, axis=-2), -2)
    pointer = cp.squeeze(_t8, axis=-2)
    _t9 = _conditional_random_field_decode_no_mask_step2_2(alpha, end_transitions)
    best_next = _cupy_keep_where(_t9, counted, best)
    return incoming_next, best_next, pointer


def _cupy_entry_decode_no_mask_3(best_last):
    import cupy as cp

    _t10 = cp.expand_dims(cp.argmax(best_last, axis=-1), -1)
    last = _t10[..., 0]
    no_later = _conditional_random_field_decode_3_0(last)
    return last, no_later


# conditional_random_field_decode_no_mask_step4_1: layers_spec/layers/conditional_random_field.yaml:73
_conditional_random_field_decode_no_mask_step4_1 = ElementwiseKernel(
    "conditional_random_field_decode_no_mask_step4_1",
    "bool counted",
    "bool on_now",
    """
    bool _t13 = counted == 0;
    on_now = !_t13;
    """,
)


def _cupy_entry_decode_no_mask_step4(tag, later, pointers, counted):
    import cupy as cp

    _t11 = cp.take_along_axis(pointers, tag[..., None], axis=-1)
    _t12 = _t11[..., 0]
    chosen = _cupy_keep_where(_t12, later, tag)
    here = _conditional_random_field_decode_step4_0(counted, chosen)
    tag_next = _cupy_keep_where(chosen, counted, tag)
    on_now = _conditional_random_field_decode_no_mask_step4_1(counted)
    return tag_next, on_now, here


def _cupy_driver_decode_no_mask(
    emissions, start_transitions, end_transitions, transitions, mask
):
    import cupy as cp

    counted, first, steps = _cupy_entry_decode_no_mask_1(emissions, start_transitions)
    incoming = first
    best = first
    _steps = steps.shape[0]
    for _t in range(_steps):
        incoming_next, best_next, pointer = _cupy_entry_decode_no_mask_step2(
            incoming, best, steps[_t], counted[_t], end_transitions, transitions
        )
        if _t == 0:
            pointers = cp.empty((_steps, *pointer.shape), dtype=pointer.dtype)
        pointers[_t] = pointer
        incoming = incoming_next
        best = best_next
    best_last = best
    last, no_later = _cupy_entry_decode_no_mask_3(best_last)
    tag = last
    later = no_later
    _steps = pointers.shape[0]
    for _t in range(_steps - 1, -1, -1):
        tag_next, on_now, here = _cupy_entry_decode_no_mask_step4(
            tag, later, pointers[_t], counted[_t]
        )
        if _t == _steps - 1:
            decoded = cp.empty((_steps, *here.shape), dtype=here.dtype)
        decoded[_t] = here
        tag = tag_next
        later = on_now
    tags = _cupy_entry_decode_5(decoded)
    return tags


_CUPY_DECODE_VARIANTS = {
    True: _cupy_driver_decode,
    False: _cupy_driver_decode_no_mask,
}


_CUPY_VARIANTS = {
    True: (_cupy_forward_batch_first, _cupy_backward_batch_first),
    False: (_cupy_forward_no_batch_first, _cupy_backward_no_batch_first),
}


def _cupy_add_rows(grad, ids, like):
    """Zeros shaped like the table, with each row of ``grad`` [..., D] added into the
    row its id names (repeated ids accumulate)."""
    import cupy as cp

    rows = grad.reshape(ids.size, grad.shape[-1])
    if like.shape[0] <= 64:  # a few rows (a CRF's tags): a one-hot matrix product
        one_hot = ids.reshape(-1, 1) == cp.arange(like.shape[0])
        return (one_hot.T.astype(rows.dtype) @ rows).reshape(like.shape)
    return scatter_add_rows(like.shape, ids.reshape(-1), rows)


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


def _cupy_keep_where(new, mask, old):
    """``new`` where the mask [...] is on (True or nonzero), ``old`` where it is off, the
    mask broadcast over the trailing axes; ``new`` itself without a mask."""
    import cupy as cp

    if mask is None:
        return new
    on = mask if mask.dtype == bool else mask != 0
    return cp.where(on.reshape(on.shape + (1,) * (new.ndim - on.ndim)), new, old)


def _cupy_log_matmul_exp(a, b):
    """out[..., j] = log(sum_i exp(a[..., i] + b[i, j])), stably: each row's maximum m and
    each column's maximum c taken out of one matrix product of exponentials (K exps
    per row instead of K * N); rows where the product falls below sqrt(tiny) (terms
    could have underflowed) or is NaN (an infinite maximum) are recomputed exactly as a
    log-sum-exp over [K, N].

    Measured at a [64, 20] @ [20, 20] step (one thread): 0.05 ms against 0.4 ms for the
    log-sum-exp over the broadcast [64, 20, 20] sum."""
    import cupy as cp

    top = a.max(axis=-1, keepdims=True)
    cols = b.max(axis=0, keepdims=True)
    product = cp.exp(a - top) @ cp.exp(b - cols)
    bad = ~(product >= cp.sqrt(cp.finfo(product.dtype).tiny))
    out = cp.log(product, out=product)
    out += top
    out += cols
    if bad.any():
        rows = bad.any(axis=-1)
        terms = a[rows][..., :, None] + b
        peak = cp.max(terms, axis=-2, keepdims=True)
        peak = cp.where(cp.isfinite(peak), peak, 0)
        out[rows] = cp.log(cp.sum(cp.exp(terms - peak), axis=-2)) + peak[..., 0, :]
    return out


def _cupy_log_matmul_exp_grad_a(grad, a, b, out):
    """sum_j grad[..., j] exp(a[..., i] + b[i, j] - out[..., j]) for every i."""
    import cupy as cp

    top = a.max(axis=-1, keepdims=True)
    cols = b.max(axis=0, keepdims=True)
    scale = top + cols
    scale -= out
    bad = ~(scale <= -0.5 * cp.log(cp.finfo(a.dtype).tiny))
    rows = bad.any(axis=-1) if bad.any() else None
    cp.exp(scale, out=scale)
    scale *= grad
    if rows is not None:
        scale[rows] = 0
    weights = cp.exp(a - top)
    weights *= scale @ cp.exp(b - cols).T
    if rows is not None:
        chosen = cp.exp(a[rows][..., :, None] + b - out[rows][..., None, :])
        weights[rows] = cp.sum(chosen * grad[rows][..., None, :], axis=-1)
    return weights


def _cupy_log_matmul_exp_grad_b(grad, a, b, out):
    """sum over the rows of grad[..., j] exp(a[..., i] + b[i, j] - out[..., j])."""
    import cupy as cp

    k, n = b.shape
    grad, a, out = grad.reshape(-1, n), a.reshape(-1, k), out.reshape(-1, n)
    top = a.max(axis=-1, keepdims=True)
    cols = b.max(axis=0, keepdims=True)
    scale = top + cols
    scale -= out
    bad = ~(scale <= -0.5 * cp.log(cp.finfo(a.dtype).tiny))
    rows = bad.any(axis=-1) if bad.any() else None
    cp.exp(scale, out=scale)
    scale *= grad
    if rows is not None:
        scale[rows] = 0
    weights = cp.exp(a - top)
    if rows is not None:
        weights[rows] = 0
    total = weights.T @ scale
    total *= cp.exp(b - cols)
    if rows is not None:
        chosen = cp.exp(a[rows][:, :, None] + b - out[rows][:, None, :])
        total += cp.sum(chosen * grad[rows][:, None, :], axis=0)
    return total


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


def _cupy_sum_leading(grad, rank):
    """``grad`` summed over its leading axes down to its last ``rank`` axes."""
    return _cupy_sum_to(grad, grad.shape[grad.ndim - rank :])


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
