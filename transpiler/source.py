"""YAML reading that keeps a source position on every value.

PyYAML's node graph carries marks; this module turns it into plain Python values wrapped in
``Node`` objects that remember where they came from, so later stages can point at the exact
line and column of a mistake. Duplicate keys, which PyYAML silently accepts, are errors here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import yaml

from .errors import Collector, Diagnostic, Location, SpecError, did_you_mean, quoted, short


@dataclass
class Node:
    """A YAML value with its location. ``value`` is a str, int, float, bool, None,
    a ``dict[str, Node]`` (mapping) or a ``list[Node]`` (sequence)."""

    value: Any
    loc: Location
    key_locs: dict[str, Location] = field(default_factory=dict)
    # For a scalar: where character 0 of its first text line is, so that a position inside
    # a multi-line statement block can be mapped back to the file.
    text_origin: Location | None = None

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_seq(self) -> bool:
        return isinstance(self.value, list)

    def items(self) -> Iterator[tuple[str, "Node"]]:
        assert isinstance(self.value, dict)
        return iter(self.value.items())

    def plain(self) -> Any:
        """The value with all ``Node`` wrappers removed."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


def _loc(path: str, mark: yaml.Mark) -> Location:
    return Location(path, mark.line + 1, mark.column + 1)


class _AliasFound(Exception):
    def __init__(self, mark: yaml.Mark, what: str):
        super().__init__(what)
        self.mark = mark
        self.what = what


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors and aliases: a spec never needs them, and an
    alias of an alias of ... (a "billion laughs" file of a few hundred bytes) would expand
    into gigabytes when the tree is converted."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _AliasFound(event.start_mark, f"alias '*{event.anchor}'")
        if getattr(event, "anchor", None) is not None:
            raise _AliasFound(event.start_mark, f"anchor '&{event.anchor}'")
        return super().compose_node(parent, index)


# libyaml, when PyYAML was built with it, composes a spec about ten times faster than the
# pure-Python loader. It is used for the common case only: a document with an anchor or an
# alias, or one that does not parse, is read again by ``_Loader``, whose error messages are
# the ones documented (libyaml words its syntax errors differently).
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose_fast(text: str) -> yaml.Node | None:
    """The node graph by libyaml, or None where the pure-Python loader must decide."""
    if _FAST_LOADER is None:
        return None
    try:
        for event in yaml.parse(text, Loader=_FAST_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                return None
        return yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return None


def load(text: str, path: str) -> Node:
    """Parse ``text`` (the contents of ``path``) into a ``Node`` tree or raise ``SpecError``."""
    try:
        root = _compose_fast(text) or yaml.compose(text, Loader=_Loader)
    except _AliasFound as exc:
        raise SpecError([_diag(_loc(path, exc.mark), f"YAML {exc.what}: anchors and aliases are not allowed in specs")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = _loc(path, mark) if mark else Location(path)
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError([_diag(loc, f"YAML syntax error: {problem}")]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors
        raise SpecError([_diag(Location(path), f"YAML error: {exc}")]) from None
    if root is None:
        raise SpecError([_diag(Location(path), "the spec file is empty")])
    errors = Collector()
    node = _convert(root, path, text.splitlines(), errors)
    errors.check()
    return node


def _diag(loc: Location, message: str) -> Diagnostic:
    return Diagnostic(loc, message)


_CONSTRUCTOR = yaml.SafeLoader("")


def _convert(node: yaml.Node, path: str, lines: list[str], errors: Collector) -> Node:
    loc = _loc(path, node.start_mark)
    if isinstance(node, yaml.MappingNode):
        values: dict[str, Node] = {}
        key_locs: dict[str, Location] = {}
        for key_node, value_node in node.value:
            key_loc = _loc(path, key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                errors.error(key_loc, "mapping keys must be plain names")
                continue
            key = str(_CONSTRUCTOR.construct_object(key_node))
            if key in values:
                first = key_locs[key]
                errors.error(key_loc, f"duplicate key '{key}' (first given at line {first.line})")
                continue
            key_locs[key] = key_loc
            values[key] = _convert(value_node, path, lines, errors)
        return Node(values, loc, key_locs)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item, path, lines, errors) for item in node.value], loc)
    assert isinstance(node, yaml.ScalarNode)
    try:
        value = _CONSTRUCTOR.construct_object(node)
    except yaml.constructor.ConstructorError as exc:
        errors.error(loc, f"cannot read value: {exc.problem}")
        value = None
    if isinstance(value, (bytes, bytearray)) or not isinstance(
        value, (str, int, float, bool, type(None))
    ):
        errors.error(loc, f"unsupported YAML value of type {type(value).__name__}")
        value = None
    return Node(value, loc, text_origin=_text_origin(node, path, lines))


def _text_origin(node: yaml.ScalarNode, path: str, lines: list[str]) -> Location:
    mark = node.start_mark
    if node.style in ("|", ">"):
        # Block scalar: the text begins on the first non-blank line after the indicator.
        for number in range(mark.line + 1, min(len(lines), node.end_mark.line + 1)):
            line = lines[number]
            if line.strip():
                return Location(path, number + 1, len(line) - len(line.lstrip(" ")) + 1)
        return Location(path, mark.line + 2, 1)
    quote = 1 if node.style in ("'", '"') else 0
    return Location(path, mark.line + 1, mark.column + 1 + quote)


class Fields:
    """Pops known keys from a mapping node; whatever is left is reported as unknown.

    Modelled on torchgen's discipline: every key a stage reads is popped with its expected
    type, and ``finish()`` rejects the rest with a did-you-mean.
    """

    def __init__(self, node: Node, where: str, errors: Collector):
        self.node = node
        self.where = where
        self.errors = errors
        self.remaining = dict(node.value) if node.is_map else {}
        if not node.is_map:
            errors.error(node.loc, f"{where}: expected a mapping, got {_kind(node)}")
        self.known: list[str] = []

    def take(self, key: str, kinds: tuple[type, ...] | type, required: bool = False) -> Node | None:
        self.known.append(key)
        node = self.remaining.pop(key, None)
        if node is None:
            if required:
                self.errors.error(self.node.loc, f"{self.where}: missing required field '{key}'")
            return None
        kinds = kinds if isinstance(kinds, tuple) else (kinds,)
        if not _is(node, kinds):
            expected = " or ".join(_NAMES.get(k, k.__name__) for k in kinds)
            self.errors.error(
                node.loc, f"{self.where}.{key}: expected {expected}, got {_kind(node)}"
            )
            return None
        return node

    def finish(self) -> None:
        for key, _ in self.remaining.items():
            loc = self.node.key_locs.get(key, self.node.loc)
            self.errors.error(
                loc, f"{self.where}: unknown key '{short(key)}'{did_you_mean(key, self.known)}"
            )


_NAMES = {dict: "a mapping", list: "a list", str: "a string", int: "an integer",
          float: "a number", bool: "true or false"}


def _is(node: Node, kinds: tuple[type, ...]) -> bool:
    value = node.value
    for kind in kinds:
        if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return True
        if kind not in (int, float) and isinstance(value, kind):
            return True
    return False


def _kind(node: Node) -> str:
    value = node.value
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {quoted(value)}"
    return f"the string {quoted(value)}"
