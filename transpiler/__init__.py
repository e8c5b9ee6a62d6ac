"""The layerforge transpiler: YAML op specs to NumPy modules with forward and backward passes.

Stages, each a module with one job, data flowing one way:
``source``/``spec`` (YAML with positions -> frozen dataclasses), ``primitives`` (the primitive
table and derivative rules), ``ir`` (SSA statements with symbolic shapes), ``grad``
(reverse-mode differentiation), ``codegen`` (jinja2 templates), ``passes`` (libcst
transformers), ``fmt`` (black) and ``writer`` (atomic, deterministic output).
"""

from .user import generate_lambda, lambda_spec, load_lambda

__all__ = ["generate_lambda", "lambda_spec", "load_lambda"]
