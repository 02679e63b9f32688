"""Writing a document tree as YAML that reads like a hand-written one.

The style is the examples' style:

* sequences are indented under their key, ``- `` two columns in;
* a mapping goes on one line, in flow style (``{amount: 10000, unit: orders, per:
  month}``), when every value is a scalar or a list of scalars and the line fits in
  :data:`WIDTH` columns; a list nested in an entity goes on one line when its items
  are scalars or such mappings and it fits; everything else is in block style. The
  collections at the top of a document are always block lists, one entity a line or
  more;
* a float that is a whole number is written without ``.0`` (``10000``): it reads back
  as an integer, which every number field widens to the same float;
* a string is written plain only when it is made of letters, digits, spaces and a few
  harmless punctuation marks (commas too, outside flow style), begins with a letter, a
  digit or ``_``, does not end with a space, and no YAML reader
  (PyYAML's 1.1 resolvers, the 1.2 core schema, the 1.1 spec's ``y`` and ``n``) would
  take it for anything but text; otherwise it is single-quoted, or double-quoted with
  escapes when it holds characters a single-quoted scalar cannot (line breaks,
  control characters, characters YAML does not allow raw in a stream).

Writing the text directly, rather than building PyYAML's node graph, is also faster:
the style rules need the rendered width of every scalar anyway.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import yaml

__all__ = ["WIDTH", "dump_yaml"]

#: Columns a line written in flow style may take.
WIDTH = 100

_RESOLVERS: dict[str | None, Any] = yaml.resolver.Resolver.yaml_implicit_resolvers
if None in _RESOLVERS:  # pragma: no cover - PyYAML registers no wildcard resolver
    raise ImportError("PyYAML's resolver has a wildcard; the writer cannot shortcut it")

# Letters, digits and "_" first; then also spaces and punctuation that means nothing
# inside a plain scalar in flow context (no ":", "#", ",", "?", brackets or braces, which
# end one for some readers); never a space last. In block context "," and "?" mean
# nothing either.
_PLAIN = re.compile(r"\w(?:[\w .'/()%+&!@$;=-]*[\w.'/()%+&!@$;=-])?")
_PLAIN_IN_BLOCK = re.compile(r"\w(?:[\w .,'/()%+&!?@$;=-]*[\w.,'/()%+&!?@$;=-])?")
# What some reader other than ours would not read as text: YAML 1.2 core numbers
# (1e3, 0o17, .5), and the 1.1 spec's one-letter booleans.
_NOT_TEXT_ELSEWHERE = re.compile(
    r"[yYnN]|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|0o[0-7]+|0x[0-9a-fA-F]+"
)
# Characters a single-quoted scalar cannot hold raw: breaks, controls, and those a YAML
# stream may not hold at all (surrogates, U+FFFE, U+FFFF) or a reader may eat (BOM).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_ESCAPED = re.compile('[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff"\\\\]')
_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    found = _ESCAPES.get(char)
    if found is not None:
        return found
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"


def _is_plain(text: str, plain: re.Pattern[str]) -> bool:
    return (
        plain.fullmatch(text) is not None
        and _NOT_TEXT_ELSEWHERE.fullmatch(text) is None
        # PyYAML's own resolvers decide what our loader reads as text: those listed for
        # the first character (``plain`` admits no empty text), as its resolver picks them.
        and not any(pattern.match(text) for _tag, pattern in _RESOLVERS.get(text[0], ()))
    )


def quote(text: str, *, flow: bool = True) -> str:
    r"""A string as a YAML scalar that reads back as the same string, plain if it can be.

    Args:
        text: The string.
        flow: Whether the scalar stands in flow style (inside ``[]`` or ``{}``).

    Examples:
        >>> [quote(s) for s in ["Web shop", "no", "1.10", "a: b", "it's", "two\nlines"]]
        ['Web shop', "'no'", "'1.10'", "'a: b'", "it's", '"two\\nlines"']
        >>> quote("Fast, right", flow=False), quote("Fast, right")
        ('Fast, right', "'Fast, right'")
    """
    if _is_plain(text, _PLAIN if flow else _PLAIN_IN_BLOCK):
        return text
    if _UNPRINTABLE.search(text) is None:
        return "'" + text.replace("'", "''") + "'"
    return '"' + _ESCAPED.sub(_escape, text) + '"'


def number(value: float) -> str:
    """A float as YAML: a whole number without ``.0``, others as Python writes them.

    Examples:
        >>> [number(x) for x in [10000.0, 42.5, 1e16, 1e-05, -0.0, float("inf")]]
        ['10000', '42.5', '1.0e+16', '1.0e-05', '-0.0', '.inf']
    """
    text = repr(value)
    if text.endswith(".0") and text != "-0.0":
        return text[:-2]
    if math.isfinite(value):
        # YAML 1.1 reads a float only with a dot in it.
        return text if "." in text else text.replace("e", ".0e", 1)
    if value != value:
        return ".nan"
    return ".inf" if value > 0 else "-.inf"


class _Writer:
    """Writes one tree; remembers how each string is written, as most recur."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.strings: dict[str, str] = {}
        self.block_strings: dict[str, str] = {}

    def text(self, value: str) -> str:
        found = self.strings.get(value)
        if found is None:
            found = self.strings[value] = quote(value)
        return found

    def block_scalar(self, value: Any) -> str | None:
        """The scalar's YAML outside flow style, or ``None`` for a list or a mapping."""
        if type(value) is not str:
            return self.scalar(value)
        found = self.block_strings.get(value)
        if found is None:
            found = self.block_strings[value] = quote(value, flow=False)
        return found

    def scalar(self, value: Any) -> str | None:
        """The scalar's YAML, or ``None`` when ``value`` is a list or a mapping."""
        kind = type(value)
        if kind is str:
            return self.text(value)
        if kind is float:
            return number(value)
        if kind is int:
            return str(value)
        if kind is bool:
            return "true" if value else "false"
        if value is None:
            return "null"
        if kind is list or kind is dict:
            return None
        raise TypeError(f"cannot write {kind.__name__} in a document")

    def scalars(self, items: list[Any], room: int) -> str | None:
        """``[a, b]`` when every item is a scalar and it fits in ``room``, else ``None``."""
        parts = []
        used = 0
        strings = self.strings
        for item in items:
            part = strings.get(item) if type(item) is str else None
            if part is None:
                part = self.scalar(item)
                if part is None:
                    return None
            used += len(part) + 2
            if used > room:
                return None
            parts.append(part)
        return "[" + ", ".join(parts) + "]"

    def mapping(self, mapping: Mapping[str, Any], room: int) -> str | None:
        """``{k: v}`` when every value is a scalar or a list of them, and it fits.

        Each entry is rendered, and counted against ``room``, as ``key: value``; a list
        is told the room left before its entry.
        """
        parts = []
        used = 0
        strings = self.strings
        for key, value in mapping.items():
            part = strings.get(value) if type(value) is str else None
            if part is None:
                part = self.scalar(value)
                if part is None:
                    if type(value) is not list:
                        return None
                    part = self.scalars(value, room - used)
                    if part is None:
                        return None
            name = strings.get(key)
            if name is None:
                name = self.text(key)
            used += len(name) + len(part) + 4
            if used > room:
                return None
            parts.append(f"{name}: {part}")
        return "{" + ", ".join(parts) + "}"

    def items(self, items: list[Any], room: int) -> str | None:
        """``[...]`` of scalars, or of mappings that go on one line, when it fits."""
        found = self.scalars(items, room)
        if found is not None or not all(type(item) is dict for item in items):
            return found
        parts = []
        used = 0
        for item in items:
            part = self.mapping(item, room - used)
            if part is None:
                return None
            used += len(part) + 2
            if used > room:
                return None
            parts.append(part)
        return "[" + ", ".join(parts) + "]"

    def block_mapping(
        self, mapping: Mapping[str, Any], indent: int, lead: str, nested: bool = True
    ) -> None:
        """Each key on a line of its own; the first line begins with ``lead``."""
        pad = " " * indent
        out = self.lines.append
        for key, value in mapping.items():
            head = f"{lead}{self.text(key)}:"
            lead = pad
            part = self.block_scalar(value)
            if part is None:
                if not value:
                    part = "[]" if type(value) is list else "{}"
                elif type(value) is dict:
                    part = self.mapping(value, WIDTH - len(head) - 1)
                elif nested:
                    part = self.items(value, WIDTH - len(head) - 1)
            if part is not None:
                out(f"{head} {part}")
                continue
            out(head)
            if type(value) is dict:
                self.block_mapping(value, indent + 2, pad + "  ")
            else:
                self.block_list(value, indent + 2)

    def block_list(self, items: list[Any], indent: int) -> None:
        """Each item after a ``- `` of its own."""
        dash = " " * indent + "- "
        out = self.lines.append
        for item in items:
            part = self.block_scalar(item)
            if part is None:
                if type(item) is dict:
                    part = self.mapping(item, WIDTH - len(dash))
                    if part is None:
                        self.block_mapping(item, indent + 2, dash)
                        continue
                else:
                    # Not in our documents; written correctly all the same.
                    part = _flow(self, item)
            out(dash + part)


def _flow(writer: _Writer, value: Any) -> str:
    """Any value in flow style, however long."""
    part = writer.scalar(value)
    if part is not None:
        return part
    if type(value) is list:
        return "[" + ", ".join(_flow(writer, item) for item in value) + "]"
    return (
        "{" + ", ".join(f"{writer.text(key)}: {_flow(writer, v)}" for key, v in value.items()) + "}"
    )


def dump_yaml(tree: Mapping[str, Any]) -> str:
    """The YAML text of a document tree, in the style of the hand-written examples."""
    writer = _Writer()
    writer.block_mapping(tree, 0, "", nested=False)
    return "\n".join(writer.lines) + "\n"
