"""Composition (``calls:``): a spec that calls other specs, inlined into one function.

``feed_forward_block`` calls two ``dense`` instances and a ``layer_normalization``: its
forward and backward must equal PyTorch's composition of F.linear, the activation and
F.layer_norm (tolerances of test_layer_parity: float64 to rounding, float32 to a few hundred
ulps of the products' sums), its backward float64 finite differences, and a torch module
whose children are named linear1, linear2 and norm must load into it as it is. The inlined
code must fuse across the seams (the residual add is computed into the layer norm's input)
and use layer normalization's closed-form backward.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import module, spec
from test_gradients import check_gradients
from test_layer_parity import DTYPES, check, draw

from layerforge import nn
from harness import ROOT

E, FF = 6, 10


def arrays(dtype, seed=0, batch=(3, 4)):
    return {
        "x": draw((*batch, E), dtype, seed),
        "linear1_weight": draw((FF, E), dtype, seed + 1, -0.5, 0.5),
        "linear1_bias": draw((FF,), dtype, seed + 2),
        "linear2_weight": draw((E, FF), dtype, seed + 3, -0.5, 0.5),
        "linear2_bias": draw((E,), dtype, seed + 4),
        "norm_weight": draw((E,), dtype, seed + 5, 0.5, 1.5),
        "norm_bias": draw((E,), dtype, seed + 6),
    }


def torch_block(norm_first, activation, eps=1e-5):
    act = {"relu": F.relu, "gelu": F.gelu}[activation]

    def run(x, linear1_weight, linear1_bias, linear2_weight, linear2_bias, norm_weight, norm_bias):
        def ffn(h):
            return F.linear(act(F.linear(h, linear1_weight, linear1_bias)), linear2_weight, linear2_bias)

        def norm(h):
            return F.layer_norm(h, (E,), norm_weight, norm_bias, eps)

        return x + ffn(norm(x)) if norm_first else norm(x + ffn(x))

    return run


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("norm_first", [False, True])
def test_feed_forward_block_matches_torch(dtype, activation, norm_first):
    check("feed_forward_block", arrays(dtype), torch_block(norm_first, activation, eps=1e-3), dtype,
          {"activation": activation, "norm_first": norm_first, "eps": 1e-3})


@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("norm_first", [False, True])
def test_feed_forward_block_finite_differences(activation, norm_first):
    check_gradients(spec("feed_forward_block"), arrays(np.float64, seed=3, batch=(5,)),
                    {"activation": activation, "norm_first": norm_first})


def test_parameters_are_namespaced_with_torch_names():
    s = spec("feed_forward_block")
    assert [d.name for d in s.parameters] == ["linear1_weight", "linear1_bias", "linear2_weight", "linear2_bias",
                                              "norm_weight", "norm_bias"]
    assert dict(s.torch_names) == {"linear1_weight": "linear1.weight", "linear1_bias": "linear1.bias",
                                   "linear2_weight": "linear2.weight", "linear2_bias": "linear2.bias",
                                   "norm_weight": "norm.weight", "norm_bias": "norm.bias"}
    assert [str(d.shape) for d in s.parameters] == ["[F, E]", "[F]", "[E, F]", "[E]", "[E]", "[E]"]


class TorchBlock(torch.nn.Module):
    """A torch module with the children the composite's instances are named after."""

    def __init__(self, e, f, norm_first):
        super().__init__()
        self.linear1 = torch.nn.Linear(e, f)
        self.linear2 = torch.nn.Linear(f, e)
        self.norm = torch.nn.LayerNorm(e)
        self.norm_first = norm_first

    def forward(self, x):
        def ffn(h):
            return self.linear2(F.gelu(self.linear1(h)))

        return x + ffn(self.norm(x)) if self.norm_first else self.norm(x + ffn(x))


@pytest.mark.parametrize("norm_first", [False, True])
def test_load_torch_state_dict_maps_the_names_one_to_one(norm_first):
    torch.manual_seed(0)
    theirs = TorchBlock(E, FF, norm_first).double()
    with torch.no_grad():
        theirs.norm.weight.uniform_(0.5, 1.5)
        theirs.norm.bias.uniform_(-1, 1)
    ours = nn.FeedForwardBlock(E, FF, norm_first=norm_first, activation="gelu", dtype=np.float64)
    nn.load_torch_state_dict(ours, theirs.state_dict())
    assert list(ours.state_dict()) == [k.replace(".", "_") for k in theirs.state_dict()]
    x = draw((2, 3, E), np.float64, 9)
    np.testing.assert_allclose(ours(x), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12, atol=1e-12)


def test_the_residual_add_is_fused_into_the_layer_norm_and_its_closed_form_backward_is_used():
    mod = module(spec("feed_forward_block"))

    def with_parts(name):  # a driver and the batched parts it calls (transpiler/batched.py)
        return "".join(inspect.getsource(getattr(mod, f)) for f in dir(mod) if f == name or f.startswith(f"{name}_part"))

    post_ln = with_parts("_forward_no_norm_first_relu")
    # the sum x + linear2(h) is written into linear2's output buffer, which the norm then centres in place
    assert "np.add(x, linear2_z, out=linear2_z)" in post_ln
    backward = with_parts("_backward_no_norm_first_relu")
    assert "_dot_last(norm_p, norm_weight)" in backward  # layer_normalization.yaml's closed form
    assert "grad_linear1_weight" in backward and "grad_norm_weight" in backward


def _catalog_errors(tmp_path, specs: dict[str, str]) -> list[str]:
    """The errors of a catalog made of the real one plus ``specs`` (file name -> text)."""
    import shutil

    from transpiler.errors import Collector
    from transpiler.pipeline import Paths, load_catalog

    root = tmp_path / "repo"
    shutil.copytree(ROOT / "layers_spec", root / "layers_spec")
    for name, text in specs.items():
        (root / "layers_spec" / "layers" / f"{name}.yaml").write_text(text)
    errors = Collector()
    load_catalog(Paths(root), errors)
    return [str(d) for d in errors.diagnostics]


def _caller(name: str, callee: str) -> str:
    title = "".join(p.title() for p in name.split("_"))
    return (f"name: {name}\nkind: layer\ntitle: {title}\nsummary: calls {callee}\n"
            f"inputs:\n  x: {{shape: [..., E]}}\nparameters:\n  weight: {{shape: [E]}}\n"
            f"calls:\n  inner: {{op: {callee}, dims: {{E: E}}}}\n"
            f"forward: |\n  h = inner(x)\n  y = h * weight\noutputs: [y]\n")


def test_a_cycle_through_two_specs_is_refused(tmp_path):
    errors = _catalog_errors(tmp_path, {"ping": _caller("ping", "pong"), "pong": _caller("pong", "ping")})
    # reported once, where the cycle closes (ping, read first, calls pong, which calls ping)
    assert errors == ["layers_spec/layers/pong.yaml:10:15: error: spec.calls.inner.op: 'pong' closes the cycle "
                      "ping -> pong -> ping; a spec may not call itself, directly or through others"]
