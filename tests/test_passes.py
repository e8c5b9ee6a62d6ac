"""Golden before/after tests for each libcst pass, with the cases where a pass must not act."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from transpiler.passes import InlineTemporaries, Reparenthesize, RenumberTemporaries, optimize


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


@pytest.mark.parametrize("before, _", INLINE)
def test_pipeline_is_idempotent(before, _):
    once = optimize(textwrap.dedent(before))
    assert optimize(once) == once


def test_o0_runs_no_pass():
    code = "def _forward(x):\n    _t1 = x * 2\n    y = _t1 + 1\n    return y, ()\n"
    assert optimize(code, level=0) == code
    assert optimize(code, level=1) == "def _forward(x):\n    y = x * 2 + 1\n    return y, ()\n"
