"""Backward of every layer against float64 central finite differences (see test_gradients
for the step and tolerance), at batch sizes 1, 32 and 128 with the non-square sizes the
harness gives each named dimension, in training and inference where a layer has both
(random layers draw from a generator of a fixed seed, so both sides see the same draws).

Layers with an activation slot are checked with their default activation and with a fused
smooth one (tanh) and a fused vector one (softmax), so the fused backward is covered too.
"""

from __future__ import annotations

import numpy as np
import pytest

from transpiler.codegen import slot_is_final

from harness import BATCH_SIZES, attributes, make_arrays, modes, names, spec
from test_gradients import check_gradients
from transpiler.codegen import slot_is_final

LAYERS = [n for n in names("layer") if n != "dense"]  # dense: test_gradients, every activation


def cases():
    """(layer, activation, training, choice): every structural choice (pooling kind) too."""
    for name in LAYERS:
        s = spec(name)
        # tanh and softmax where they fill the slot: fused, or composed after a final slot
        slot = [s.slot.default] + [a for a in ("tanh", "softmax") if a in s.slot.fused or slot_is_final(s)] if s.slot else [None]
        if s.scan is not None and s.slot:  # a recurrence's slot takes its fused activations only
            slot = [a for a in slot if a in s.slot.fused]
        choices = [{a.name: v} for a in s.structural if a.choices for v in a.choices] or [{}]
        for activation in dict.fromkeys(slot):
            for training in modes(s):
                for choice in choices:
                    yield name, activation, training, choice


def batched_cases():
    """Every case at every batch size, up to a spec's ``test: {max_batch: n}`` (a composite
    with ReLU's kinks in thousands of hidden units: at batch 128 a finite difference step
    crosses one)."""
    for case in cases():
        for batch in BATCH_SIZES:
            if batch <= spec(case[0]).test.get("max_batch", max(BATCH_SIZES)):
                yield (*case, batch)


@pytest.mark.parametrize("name, activation, training, choice, batch", list(batched_cases()))
def test_layer_gradient(name, activation, training, choice, batch):
    s = spec(name)
    attrs = {**attributes(s, training), **choice}
    if activation is not None:
        attrs["activation"] = activation
    check_gradients(s, make_arrays(s, batch, np.float64, seed=batch), attrs)


def test_every_layer_is_checked():
    assert {n for n, *_ in cases()} == set(names("layer")) - {"dense"}
    assert ("pooling", None, None, {"kind": "average"}) in list(cases())
