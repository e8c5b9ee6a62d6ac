"""Golden before/after tests for each libcst pass, with the cases where a pass must not act."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import numpy as np
import pytest

from transpiler.passes import InlineTemporaries, Reparenthesize, RenumberKernelTemporaries, RenumberTemporaries, optimize
from transpiler.passes.common import Substitute, is_kernel, nodes, reads, writes


def run(transformer: cst.CSTTransformer, code: str) -> str:
    return cst.parse_module(textwrap.dedent(code)).visit(transformer).code


def same(code: str) -> str:
    return textwrap.dedent(code)


INLINE = [
    (  # a chain of single-use temporaries collapses into one expression
        """
        def _forward(x):
            _t1 = x * x
            _t2 = np.tanh(_t1)
            y = _t2 + 1
            return y, (x,)
        """,
        """
        def _forward(x):
            y = np.tanh(x * x) + 1
            return y, (x,)
        """,
    ),
    (  # a temporary read twice stays
        """
        def _forward(x):
            _t1 = np.exp(x)
            y = _t1 / (1 + _t1)
            return y, ()
        """,
        None,
    ),
    (  # a temporary whose only reader is the return stays
        """
        def _backward(g, x):
            _t1 = g * x
            return _t1
        """,
        None,
    ),
    (  # names chosen in the spec are kept even when read once
        """
        def _forward(x):
            inner = x * 2
            y = np.tanh(inner)
            return y, ()
        """,
        None,
    ),
    (  # never across a mutation of something the value reads
        """
        def _forward(x, buf):
            _t1 = buf * 2
            np.add(buf, 1, out=buf)
            y = _t1 + x
            return y, ()
        """,
        None,
    ),
    (  # never a name assigned twice
        """
        def _forward(x):
            _t1 = x * 2
            _t1 = _t1 + 1
            y = _t1 * 3
            return y, ()
        """,
        None,
    ),
    (  # random draws keep their place
        """
        def _forward(rng, x):
            _t1 = rng.uniform(0, 1, size=x.shape)
            y = x * _t1
            return y, ()
        """,
        None,
    ),
    (  # only the generated variant functions are touched
        """
        def forward(x):
            _t1 = x * 2
            y = _t1 + 1
            return y
        """,
        None,
    ),
    (  # attribute names and keywords are not variables
        """
        def _forward(x, shape):
            _t1 = x.reshape(shape)
            y = np.sum(_t1, axis=-1)
            return y, ()
        """,
        """
        def _forward(x, shape):
            y = np.sum(x.reshape(shape), axis=-1)
            return y, ()
        """,
    ),
]


@pytest.mark.parametrize("before, after", INLINE)
def test_inline(before, after):
    result = cst.parse_module(textwrap.dedent(before)).visit(InlineTemporaries()).visit(Reparenthesize()).code
    assert result == same(after if after is not None else before)


PARENS = [
    ("y = (a + b) * c", "y = (a + b) * c"),
    ("y = a * (b * c)", "y = a * (b * c)"),  # float products are not associative
    ("y = (a * b) * c", "y = (a * b) * c"),  # redundant but harmless: written, so kept
    ("y = a - (b - c)", "y = a - (b - c)"),
    ("y = (-a) ** 2", "y = (-a) ** 2"),
    ("y = a ** (-1.0)", "y = a ** -1.0"),
    ("y = (a ** b) ** c", "y = (a ** b) ** c"),
    ("y = x * (-1.0)", "y = x * -1.0"),
    ("y = (x + 1).T", "y = (x + 1).T"),
    ("y = (x).T", "y = x.T"),
    ("y = f((x))", "y = f(x)"),
    ("y = x.shape[(-1)]", "y = x.shape[-1]"),
    ("y = (a > b) & (c < d)", "y = (a > b) & (c < d)"),
    ("y = ((a >> b) & 1)", "y = ((a >> b) & 1)"),  # a person's redundant parentheses stay
]


@pytest.mark.parametrize("before, after", PARENS)
def test_reparenthesize(before, after):
    wrap = "def _forward(a, b, c, d, x):\n    {}\n    return y\n"
    assert run(Reparenthesize(), wrap.format(before)) == wrap.format(after)


def test_reparenthesize_adds_what_a_substitution_needs():
    # The tree of (a + b) * c with the parentheses lost, as after a careless substitution.
    product = cst.BinaryOperation(
        left=cst.BinaryOperation(left=cst.Name("a"), operator=cst.Add(), right=cst.Name("b")),
        operator=cst.Multiply(),
        right=cst.Name("c"),
    )
    module = cst.Module(body=[cst.FunctionDef(
        name=cst.Name("_forward"), params=cst.Parameters(),
        body=cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name("y"))], value=product)])]),
    )])
    assert "y = (a + b) * c" in module.visit(Reparenthesize()).code


def test_renumber():
    before = """
    def _backward(g, _t7, x):
        _t9 = g * _t7
        grad_x = _t9 * x + _t9
        return grad_x
    """
    after = """
    def _backward(g, _t1, x):
        _t2 = g * _t1
        grad_x = _t2 * x + _t2
        return grad_x
    """
    assert run(RenumberTemporaries(), before) == same(after)


def test_renumber_kernel_temporaries_renames_each_kernel_with_its_outputs_and_rows():
    """A row kernel's temporaries, parameters included (kernels take positional arguments),
    are numbered from 1 in order of first appearance, with ``_t<n>_out`` and ``_t<n>_row``
    renamed as ``_t<n>``; an undecorated function and a name merely starting like a
    temporary (``_t2x``) are left alone."""
    before = """
    @row_kernel
    def _op_bwd_loops_0(grad_y, _t11, _t14_out):
        _t14_row = np.empty(4)
        for _row in range(2):
            _t12 = grad_y[_row, 0] * _t11[_row, 0]
            _t14_row[0] = _t12
            _t14_out[_row, 0] = _t14_row[0] + _t2x


    def _op_other(_t11):
        _t12 = _t11
        return _t12
    """
    after = """
    @row_kernel
    def _op_bwd_loops_0(grad_y, _t1, _t2_out):
        _t2_row = np.empty(4)
        for _row in range(2):
            _t3 = grad_y[_row, 0] * _t1[_row, 0]
            _t2_row[0] = _t3
            _t2_out[_row, 0] = _t2_row[0] + _t2x


    def _op_other(_t11):
        _t12 = _t11
        return _t12
    """
    renumber = RenumberKernelTemporaries()
    assert run(renumber, before) == same(after) and renumber.changed
    again = RenumberKernelTemporaries()
    assert run(again, after) == same(after) and not again.changed


@pytest.mark.parametrize("before, _", INLINE)
def test_pipeline_is_idempotent(before, _):
    once = optimize(textwrap.dedent(before))
    assert optimize(once) == once


def test_o0_runs_no_pass():
    code = "def _forward(x):\n    _t1 = x * 2\n    y = _t1 + 1\n    return y, ()\n"
    assert optimize(code, level=0) == code
    assert optimize(code, level=1) == "def _forward(x):\n    y = x * 2 + 1\n    return y, ()\n"


from transpiler.passes import (EliminateCommonSubexpressions, EliminateDeadCode, FoldConstants,  # noqa: E402
                               FuseElementwise, ReuseBuffers, StrengthReduce)
from transpiler.shapes import SCALAR, Shape  # noqa: E402


def kernel(body: str, params: str = "x, y") -> str:
    return f"def _forward({params}):\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


FOLD = [
    ("z = 2 * 0.5 * x", "z = 1.0 * x"),  # constants on one operator fold ...
    ("z = x * 0.5 * 2", "z = x * 0.5 * 2"),  # ... but are not reassociated out of a product
    ("z = x * 1", "z = x"),
    ("z = x + 0", "z = x"),
    ("z = x ** 1", "z = x"),
    ("z = x * 0", "z = x * 0"),  # not 0: for an array it is an array (NaN where x is NaN)
    ("z = -(-x)", "z = x"),
    ("z = x + -2.0", "z = x - 2.0"),
    ("z = 1 / 0", "z = 1 / 0"),  # left for Python to raise, never folded to nonsense
]


@pytest.mark.parametrize("before, after", FOLD)
def test_fold_constants(before, after):
    assert run(FoldConstants(), kernel(before)) == kernel(after)


STRENGTH = [
    ("z = x ** 2", "z = x * x"),
    ("z = x ** 3", "z = x * x * x"),
    ("z = x ** 0.5", "z = np.sqrt(x)"),
    ("z = x ** -1", "z = 1 / x"),
    ("z = x / 4", "z = x * 0.25"),
    ("z = x / 3", "z = x / 3"),  # 1/3 is not exact in binary: the division stays
    ("z = x ** 7", "z = x ** 7"),  # a long product is no cheaper
    ("z = (x + y) ** 2", "z = (x + y) ** 2"),  # a product would compute x + y twice
]


@pytest.mark.parametrize("before, after", STRENGTH)
def test_strength_reduce(before, after):
    assert run(StrengthReduce(), kernel(before)) == kernel(after)


CLIP = [
    ("z = np.maximum(x, 0)", "z = np.clip(x, 0, np.inf)"),
    ("z = np.minimum(x, 20)", "z = np.clip(x, -np.inf, 20)"),
    ("z = np.maximum(-1.5, x)", "z = np.clip(x, -1.5, np.inf)"),
    ("np.maximum(x, 1e-24, out=x)", "np.clip(x, 1e-24, np.inf, out=x)"),
    ("z = np.maximum(x, y)", "z = np.maximum(x, y)"),  # two arrays: no constant bound
    ("z = np.maximum(n, 0)", "z = np.maximum(n, 0)"),  # an integer array would become float64
    ("z = np.maximum(alpha, 0)", "z = np.maximum(alpha, 0)"),  # a scalar: nothing to gain
    ("z = np.maximum(m, 0)", "z = np.maximum(m, 0)"),  # a mask
    ("z = np.maximum(w, 0)", "z = np.maximum(w, 0)"),  # unknown to the IR
]


@pytest.mark.parametrize("before, after", CLIP)
def test_strength_reduce_bounds_to_clips(before, after):
    facts = {"_forward": {**FACTS["_forward"], "n": (FULL, "int")}}
    assert run(StrengthReduce(facts), kernel(before)) == kernel(after)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_clip_with_an_infinite_bound_is_the_maximum_or_minimum(dtype):
    x = np.array([np.nan, -np.inf, np.inf, -0.0, 0.0, -1.5, 1.5, 3e-30, -3e-30, 25.0], dtype)
    for bound in (0, -1.5, 20, 1e-24):
        for got, want in ((np.clip(x, bound, np.inf), np.maximum(x, bound)),
                          (np.clip(x, -np.inf, bound), np.minimum(x, bound))):
            assert got.dtype == want.dtype == dtype
            np.testing.assert_array_equal(got, want)  # NaN where NaN; -0.0 == 0.0


def test_cse_merges_equal_pure_values():
    before = kernel("a = np.tanh(x)\nb = np.tanh(x)\nz = a * b\nreturn z")
    after = kernel("a = np.tanh(x)\nz = a * a\nreturn z")
    assert run(EliminateCommonSubexpressions(), before) == after


def test_cse_copies_a_returned_sum_over_rows_that_another_result_already_is():
    """Two returned results stay two arrays (the caller may update one in place); when they
    are the same sum over rows (an LSTM's two bias gradients), the second copies the first,
    a vector, rather than sum the rows again. Other equal results are left as they are."""
    before = kernel("a = _sum_leading(g, 1)\nw = g.T @ x\nb = _sum_leading(g, 1)\nreturn w, a, b", "g, x")
    after = kernel("a = _sum_leading(g, 1)\nw = g.T @ x\nb = a.copy()\nreturn w, a, b", "g, x")
    assert run(EliminateCommonSubexpressions(), before) == after
    zeros = kernel("a = np.zeros_like(x)\nb = np.zeros_like(x)\nreturn a, b")
    assert run(EliminateCommonSubexpressions(), zeros) == zeros


@pytest.mark.parametrize("body", [
    "a = rng.uniform(size=3)\nb = rng.uniform(size=3)\nreturn a + b",  # random draws differ
    "a = x * 2\nb = x * 2\na += 1\nreturn a + b",  # a is changed in place afterwards
    "a = x * 2\nb = y * 2\nreturn a + b",  # different values
])
def test_cse_negative(body):
    code = kernel(body, "rng, x, y")
    assert run(EliminateCommonSubexpressions(), code) == code


def test_dce_removes_unread_values_only():
    before = kernel("a = x * 2\nb = np.exp(a)\nc = rng.uniform(size=3)\nz = x + 1\nreturn z", "rng, x")
    after = kernel("c = rng.uniform(size=3)\nz = x + 1\nreturn z", "rng, x")
    assert run(EliminateDeadCode(), before) == after


FULL = Shape(("B", "F"))
ROW = Shape(("B", 1))
FACTS = {"_forward": {"x": (FULL, "float"), "y": (FULL, "float"), "s": (ROW, "float"), "m": (FULL, "bool"),
                      "alpha": (SCALAR, "float"), "z": (FULL, "float"), "weight": (Shape(("F", "F")), "float"),
                      "bias": (Shape(("F",)), "float")}}


FUSE = [
    ("z = 0.5 * x * (1 + np.tanh(y))\nreturn z",
     "z = np.tanh(y)\nz += 1\nz *= 0.5\nz *= x\nreturn z"),
    ("z = 1 - x * y\nreturn z",  # a non-commutative update goes through out=
     "z = x * y\nnp.subtract(1, z, out=z)\nreturn z"),
    ("z = x * s + s\nreturn z",  # s is a row: x * s has the full shape, so it is the buffer
     "z = x * s\nz += s\nreturn z"),
    ("z = np.exp(x - y)\nreturn z",
     "z = x - y\nnp.exp(z, out=z)\nreturn z"),
    ("z = x * m * alpha\nreturn z",  # masks and scalars are fine operands
     "z = x * m\nz *= alpha\nreturn z"),
    ("z = np.clip(x * y, 0, np.inf)\nreturn z",
     "z = x * y\nnp.clip(z, 0, np.inf, out=z)\nreturn z"),
    ("z = _linear(x, weight) + bias\nreturn z",  # a linear map's product is fresh: the bias adds in place
     "z = _linear(x, weight)\nz += bias\nreturn z"),
]


@pytest.mark.parametrize("before, after", FUSE)
def test_fuse(before, after):
    assert run(FuseElementwise(FACTS), kernel(before)) == kernel(after)


@pytest.mark.parametrize("body", [
    "z = s * s + x\nreturn z",  # the first allocation would be a row, too small for x
    "z = x + 1\nreturn z",  # a single operation: nothing to do in place
    "z = np.broadcast_to(s, x.shape) * 2 + x\nreturn z",  # a view is never a buffer
    "w = x * y + 1\nreturn w",  # no facts for w: shapes unknown, left alone
    "z = _linear(x, y) + bias\nreturn z",  # x @ y.T is [B, B], not z's shape: no buffer
])
def test_fuse_negative(body):
    code = kernel(body)
    assert run(FuseElementwise(FACTS), code) == code


def test_fusion_knows_every_elementwise_helper():
    """The fusion pass treats these helpers as fresh elementwise arrays (and reductions of
    known shape); the sets must be the helpers of exactly those primitives of the table."""
    from harness import PATHS

    from transpiler.codegen import takes_out as takes_out_param
    from transpiler.passes.fuse import ELEMENTWISE_HELPERS, REDUCTION_HELPERS
    from transpiler.primitives import load_primitives

    prims = load_primitives(PATHS.specs / "primitives.yaml", "primitives.yaml")
    helpers = {p.helper_name for p in prims.values() if p.kind == "elementwise" and p.shape == "broadcast" and p.helper}
    assert helpers == ELEMENTWISE_HELPERS
    reductions = {p.helper_name for p in prims.values() if p.kind == "reduction" and p.shape == "reduce" and p.helper}
    assert reductions == REDUCTION_HELPERS
    # the reuse pass gives every elementwise helper a buffer for its result: all take out=;
    # the others that take it (attention's masks and masked softmax, which work in place on
    # the scores) are not elementwise broadcasts, which the fusion pass would chain
    by_helper = {p.helper_name: p for p in prims.values() if p.helper}
    takes_out = {name for name, p in by_helper.items() if takes_out_param(name, p.helper)}
    assert ELEMENTWISE_HELPERS <= takes_out
    assert {"_apply_mask", "_apply_causal", "_masked_softmax"} <= takes_out - ELEMENTWISE_HELPERS
    assert all(by_helper[name].kind != "elementwise" for name in takes_out - ELEMENTWISE_HELPERS)



REUSE_FACTS = {"_forward": {**FACTS["_forward"], **{name: (FULL, "float") for name in "abcghint"},
                            "v": (ROW, "float"), "r": (ROW, "float")}}

REUSE = [
    (  # a dead operand takes the result: the update is in place
        "c = x - s\nv = _mean(c * c, -1)\nn = c * v\nreturn n, (n,)",
        "c = x - s\nv = _mean(c * c, -1)\nn = np.multiply(c, v, out=c)\nreturn n, (n,)",
    ),
    (  # a buffer that died earlier takes a value that does not read it; scalars are fine
        "a = np.exp(x)\nv = _sum(a, -1)\nb = x * alpha\nreturn b, (v,)",
        "a = np.exp(x)\nv = _sum(a, -1)\nb = np.multiply(x, alpha, out=a)\nreturn b, (v,)",
    ),
    (  # ufuncs and clips take out= too; a reused buffer is passed on when it dies again
        "a = x * 2\nb = np.tanh(a)\nc = np.clip(b, 0, np.inf)\nreturn c, ()",
        "a = x * 2\nb = np.tanh(a, out=a)\nc = np.clip(b, 0, np.inf, out=b)\nreturn c, ()",
    ),
    (  # a buffer lent to t stays t's: t * t cannot go into it while t is read later
        "i = x * 2\nt = np.tanh(i)\ng = t * t\nh = 1 + t\nreturn g, (h,)",
        "i = x * 2\nt = np.tanh(i, out=i)\ng = t * t\nh = np.add(1, t, out=t)\nreturn g, (h,)",
    ),
    (  # attention: a batched product's result is a buffer; the causal mask and the softmax
        # work in place on their dead first argument, the softmax's gradient on its product's
        "a = _bmm(x, y)\nc = _apply_causal(a)\nh = _masked_softmax(c)\nreturn h, (h,)",
        "a = _bmm(x, y)\nc = _apply_causal(a, out=a)\nh = _masked_softmax(c, out=c)\nreturn h, (h,)",
    ),
    (
        "g = _bmm(x, y)\nb = g - _dot_last(g, s)\nb *= s\nreturn b, ()",
        "g = _bmm(x, y)\nb = np.subtract(g, _dot_last(g, s), out=g)\nb *= s\nreturn b, ()",
    ),
]


@pytest.mark.parametrize("before, after", REUSE)
def test_reuse_buffers(before, after):
    once = run(ReuseBuffers(REUSE_FACTS), kernel(before, "x, s, alpha"))
    assert once == kernel(after, "x, s, alpha")
    assert run(ReuseBuffers(REUSE_FACTS), once) == once  # a second round finds nothing more


@pytest.mark.parametrize("body", [
    "a = np.exp(x)\nb = x * 2\nreturn a, (b,)",  # a is still read after b is made
    "a = np.exp(x)\nv = _sum(a, -1)\nb = x * v\nreturn b, (a,)",  # a is saved for backward
    "a = np.exp(x)\nw = a.reshape(-1)\nb = x * 2\nreturn b, (w,)",  # a view of a lives on
    "a = np.exp(x)\nw = a\nb = x * 2\nreturn b, (w,)",  # an alias of a lives on
    "a = np.exp(x)\nv = _sum_to(a, s.shape)\nb = x * 2\nreturn b, (v,)",  # an unknown call may return a
    "r = _sum(x, -1) * 2\nb = x * r\nreturn b, ()",  # a row cannot hold a full array
    "m = x > 0\nb = x * m\nreturn b, ()",  # a mask is no float buffer
    "b = x * 2\nc = b * 3\nreturn c, (b,)",  # b is saved: c must not overwrite it
    "b = x * s\nreturn b, ()",  # arguments (the caller's arrays) are never written
    "a = np.exp(x)\na = a * 2\nb = x * a\nreturn b, ()",  # assigned twice: not owned
    "a = np.exp(x)\nv = _sum(a, -1)\nb = v * alpha\nreturn b, ()",  # the value is a row, whatever b claims
    "a = _bmm(x, y)\nh = _masked_softmax(a)\nreturn h, (a,)",  # the scores are saved: no softmax over them
    "a = _apply_mask(x, m)\nh = _masked_softmax(a)\nreturn h, ()",  # _apply_mask may hand x back
])
def test_reuse_buffers_negative(body):
    code = kernel(body, "x, s, alpha")
    assert run(ReuseBuffers(REUSE_FACTS), code) == code


def test_reuse_buffers_leaves_branching_functions_alone():
    code = kernel("c = x - s\nif alpha:\n    pass\nn = c * s\nreturn n, ()", "x, s, alpha")
    assert run(ReuseBuffers(REUSE_FACTS), code) == code


def _modules_for_walkers() -> list[cst.Module]:
    """Generated modules of several kinds, and the parenthesization cases as functions."""
    root = Path(__file__).resolve().parent.parent / "generated" / "layerforge"
    modules = [cst.parse_module(path.read_text()) for path in (
        root / "activations" / "gelu.py", root / "layers" / "layer_normalization.py", root / "layers" / "dense.py")]
    wrap = "def _forward(a, b, c, d, x):\n    {}\n    return y\n"
    return modules + [cst.parse_module(wrap.format(before)) for before, _ in PARENS]


def test_the_fast_walks_give_libcst_visits_trees():
    """``Reparenthesize.apply`` and ``Substitute.apply`` (which rebuild only what changes)
    give the code of the libcst visits they stand for, on whole generated modules."""
    for module in _modules_for_walkers():
        assert Reparenthesize().apply(module).code == module.visit(Reparenthesize()).code
        for function in (s for s in module.body if isinstance(s, cst.FunctionDef) and is_kernel(s)):
            names = sorted({n.value for n in nodes(function) if type(n) is cst.Name})
            table = {name: cst.Name(f"renamed_{i}") for i, name in enumerate(names[::2])}
            written = writes(function.body)
            params = {p.name.value for p in (*function.params.params, *function.params.kwonly_params)}
            values = sorted(set(reads(function.body)) - set(written.assigned) - written.mutated - params)
            table.update({name: cst.parse_expression("(u + v)") for name in values[1::2]})
            substitute = Substitute(table)
            assert module.code_for_node(substitute.apply(function)) == module.code_for_node(function.visit(substitute))


def test_substitution_leaves_attribute_and_keyword_names_alone():
    function = cst.parse_module("def _forward(x, out):\n    y = np.add(x, x.out, out=out)\n    return y\n")
    renamed = Substitute({"out": cst.Name("o"), "x": cst.Name("z"), "np": cst.Name("cp")}).apply(function)
    assert renamed.code == "def _forward(z, o):\n    y = cp.add(z, z.out, out=o)\n    return y\n"


from transpiler.passes import MergeIdenticalFunctions  # noqa: E402


def merged(code: str) -> str:
    return MergeIdenticalFunctions().apply(cst.parse_module(textwrap.dedent(code))).code


def test_merge_keeps_the_first_of_identical_functions_and_renames_their_callers():
    before = """
    def _forward_train(x, eps):
        y = x / (1 + eps)
        return y, (eps,)


    def _forward_eval(x, eps):
        y = x / (1 + eps)
        return y, (eps,)


    _VARIANTS = {True: _forward_train, False: _forward_eval}
    """
    after = """
    def _forward_train(x, eps):
        y = x / (1 + eps)
        return y, (eps,)


    _VARIANTS = {True: _forward_train, False: _forward_train}
    """
    assert merged(before) == same(after)


def test_merge_repeats_until_callers_that_differed_by_a_merged_name_are_merged_too():
    before = """
    def _step_a(h):
        return np.tanh(h)


    def _step_b(h):
        return np.tanh(h)


    def _forward_a(xs, h):
        for x in xs:
            h = _step_a(x + h)
        return h


    def _forward_b(xs, h):
        for x in xs:
            h = _step_b(x + h)
        return h


    def forward(xs, h, a):
        return (_forward_a if a else _forward_b)(xs, h)
    """
    after = """
    def _step_a(h):
        return np.tanh(h)


    def _forward_a(xs, h):
        for x in xs:
            h = _step_a(x + h)
        return h


    def forward(xs, h, a):
        return (_forward_a if a else _forward_a)(xs, h)
    """
    assert merged(before) == same(after)


@pytest.mark.parametrize("code", [
    # functions that differ in one token (a constant, a parameter's name) stay apart
    "def _forward_a(x):\n    return x * 2\n\n\ndef _forward_b(x):\n    return x * 3\n",
    "def _forward_a(x):\n    return x * 2\n\n\ndef _forward_b(z):\n    return z * 2\n",
    # a compiled twin (numba compiles it apart) never merges with the array code
    "def _jit_forward(x):\n    return x + 1\n\n\ndef _forward(x):\n    return x + 1\n",
    # nor does the CuPy twin of a variant function (only CuPy helpers merge into NumPy's)
    "def _forward(x):\n    return x\n\n\ndef _cupy_forward(x):\n    return x\n",
    # public functions are the API: each keeps its name
    "def forward(x):\n    return x + 1\n\n\ndef infer(x):\n    return x + 1\n",
    # a function that names itself is not renamed under itself
    "def _walk_a(n):\n    return 0 if n == 0 else _walk_a(n - 1)\n\n\n"
    "def _walk_b(n):\n    return 0 if n == 0 else _walk_b(n - 1)\n",
    # a different decorator is a different function
    "@row_kernel\ndef _loops_0(x, out):\n    out[:] = x\n\n\ndef _loops_1(x, out):\n    out[:] = x\n",
])
def test_merge_negative(code):
    assert merged(code) == code


def test_a_cupy_helper_the_same_as_numpys_merges_into_it_wherever_it_stands():
    sums = """
    def _cupy_sum(a):
        return cp.sum(a)


    def _sum(a):
        return np.sum(a)
    """
    before = sums + """

    def _cupy_forward(x, w):
        return _cupy_rows(x) @ w


    def _cupy_rows(a):
        return a.reshape(-1, a.shape[-1])


    def _rows(a):
        return a.reshape(-1, a.shape[-1])


    def _forward(x, w):
        return _rows(x) @ w
    """
    after = sums + """

    def _cupy_forward(x, w):
        return _rows(x) @ w


    def _rows(a):
        return a.reshape(-1, a.shape[-1])


    def _forward(x, w):
        return _rows(x) @ w
    """
    assert merged(before) == same(after)


def test_merge_leaves_attribute_and_keyword_names_alone():
    before = """
    def _a(x):
        return x + 1


    def _b(x):
        return x + 1


    y = mod._b(_b(1), _b=2)
    """
    assert merged(before).endswith("y = mod._b(_a(1), _b=2)\n")


def test_merge_runs_last_in_the_pipeline_and_not_at_o0():
    code = ("def _forward_a(x):\n    _t1 = x * 2\n    y = _t1 + 1\n    return y, ()\n\n\n"
            "def _forward_b(x):\n    _t5 = x * 2\n    y = _t5 + 1\n    return y, ()\n\n\n"
            "_VARIANTS = (_forward_a, _forward_b)\n")
    assert optimize(code, level=0) == code
    assert optimize(code, level=1) == "def _forward_a(x):\n    y = x * 2 + 1\n    return y, ()\n\n\n_VARIANTS = (_forward_a, _forward_a)\n"
