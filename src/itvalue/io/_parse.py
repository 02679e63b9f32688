"""Turning document text into a plain tree, safely.

The limits, all checked before or while parsing and all reported as
:class:`~itvalue.errors.DocumentError`:

* ``MAX_BYTES`` — input larger than this is refused before it is parsed.
* ``MAX_DEPTH`` — nesting deeper than this is refused. YAML text is scanned for
  brackets, runs of ``- `` and ``? `` and deep indentation *before* libyaml sees it:
  its C loader recurses without a guard, and a few tens of thousands of ``[`` crash the
  interpreter. (Runs of ``- `` are looked for only when the common reader declines a
  text: it declines every line such a run begins.) Python's json and tomllib guard
  their recursion, so a JSON or TOML nesting bomb ends in a ``RecursionError``, which
  becomes a ``DocumentError``.
* ``MAX_ALIAS_NODES`` — YAML aliases may add at most this many nodes on expansion;
  the size is computed on the composed node graph, once per distinct node, so a
  "billion laughs" document is refused in microseconds.

YAML is read with the tree and the types of PyYAML's safe C loader (``CSafeLoader``),
and only the core tags are accepted (null, bool, int, float, str, timestamp, sequences,
mappings); ``!!python/...`` and any other tag, merge keys and duplicate keys are refused.
Nothing in a document is ever executed. A document of the common shape (block
collections, one-line flow collections and scalars, no anchors or tags) is read by
:func:`~itvalue.io._yaml_read.read_common`, several times faster than libyaml's events
reach Python; anything else, every error included, is read by libyaml, so messages and
lines are libyaml's either way. The lines of a document read the fast way are found only
when a validation error asks for one, by composing the document with libyaml then.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Callable
from typing import Any

import yaml

from itvalue.errors import DocumentError
from itvalue.io._yaml_read import Unsupported, read_common

__all__ = [
    "FORMATS",
    "MAX_ALIAS_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "Locator",
    "check_size",
    "decode",
    "parse",
    "parse_documents",
    "read_file",
]

#: Largest document accepted, in bytes (UTF-8): a million services in JSON take about 440 MB.
MAX_BYTES = 1024 * 1024 * 1024
#: Deepest nesting accepted; a portfolio document needs 6.
MAX_DEPTH = 64
#: Most nodes YAML aliases may add when expanded.
MAX_ALIAS_NODES = 100_000
#: Widest indentation accepted in YAML, in columns.
MAX_INDENT = 1_000

FORMATS = ("yaml", "json", "toml")

#: Maps a path in the tree to (line, source text of the scalar) where known.
Locator = Callable[[tuple[str | int, ...]], tuple[int | None, str | None]]


def _no_location(_path: tuple[str | int, ...]) -> tuple[int | None, str | None]:
    return None, None


def decode(data: bytes, *, source: str | None) -> str:
    """UTF-8 bytes to text (a byte-order mark is dropped); anything else is refused."""
    check_size(len(data), source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DocumentError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} cannot be decoded",
            source=source,
            line=line,
            hint="save the file as UTF-8",
        ) from None


def read_file(path: str | os.PathLike[str], source: str) -> bytes:
    """The bytes of a file, refused over :data:`MAX_BYTES` before it is read.

    Raises:
        DocumentError: The file is too large, or cannot be read (named ``source``).
    """
    try:
        check_size(os.stat(path).st_size, source)
        with open(path, "rb") as stream:
            return stream.read()
    except OSError as exc:
        raise DocumentError(f"cannot read the file: {exc.strerror}", source=source) from None


def check_size(size: int, source: str | None) -> None:
    """Refuse a document of ``size`` bytes (or characters) over :data:`MAX_BYTES`."""
    if size > MAX_BYTES:
        raise DocumentError(
            f"the document is {size:,} bytes; the limit is {MAX_BYTES:,}",
            source=source,
            hint="split the portfolio into smaller documents",
        )


def parse(text: str, format: str, *, source: str | None = None) -> tuple[Any, Locator]:
    """Parse document text into a plain tree and a locator for error lines."""
    check_size(len(text), source)
    if format == "yaml":
        return _parse_yaml(text, source)
    if format == "json":
        return _parse_json(text, source), _no_location
    if format == "toml":
        return _parse_toml(text, source), _no_location
    raise DocumentError(
        f"unknown format {format!r}", source=source, hint="use one of: " + ", ".join(FORMATS)
    )


# --- nesting limits, checked on the text -----------------------------------------------

# A first scan counts brackets only, which is fast; brackets inside quoted strings or
# comments can only make it stricter, so when it trips, a second scan that skips those
# decides.
_BRACKETS = re.compile(r"[\[\]{}]")
_YAML_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\'|#[^\n]*|[\[\]{}]')
_YAML_INDICATOR_RUN = re.compile(rf"(?m)^[ \t]*(?:[-?][ \t]+){{{MAX_DEPTH}}}")
_YAML_DEEP_INDENT = re.compile(rf"(?m)^ {{{MAX_INDENT}}}")


def _too_deep(text: str, tokens: re.Pattern[str]) -> int | None:
    """Where the brackets among ``tokens`` first nest deeper than MAX_DEPTH, if they do."""
    depth = 0
    for match in tokens.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif token in "]}":
            depth = max(depth - 1, 0)
    return None


def _check_brackets(text: str, source: str | None) -> None:
    if ("[" in text or "{" in text) and _brackets_too_deep(text):
        at = _too_deep(text, _YAML_TOKENS)
        if at is not None:
            raise DocumentError(
                f"nested deeper than {MAX_DEPTH} levels",
                source=source,
                line=text.count("\n", 0, at) + 1,
                hint="a portfolio document needs only a few levels; is this the right file?",
            )


#: Text longer than this has its brackets counted with numpy.
_LONG = 1_000_000
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def _brackets_too_deep(text: str) -> bool:
    """Whether brackets, quoted or not, nest deeper than MAX_DEPTH (the first scan)."""
    if len(text) < _LONG:
        return _too_deep(text, _BRACKETS) is not None
    import numpy as np

    # The same count in C: each opening +1, each closing -1 but never below 0. With
    # the plain running sum s, the depth is s less the lowest s so far (or 0).
    brackets = text.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)
    codes = np.frombuffer(brackets, dtype=np.uint8)
    opening = (codes == ord("[")) | (codes == ord("{"))
    running = np.cumsum(np.where(opening, 1, -1))
    depth = running - np.minimum.accumulate(np.minimum(running, 0))
    return bool((depth > MAX_DEPTH).any())


def _check_yaml_lines(text: str, source: str | None) -> None:
    for pattern, what in (
        (_YAML_INDICATOR_RUN, f"more than {MAX_DEPTH} nested '- ' or '? ' on one line"),
        (_YAML_DEEP_INDENT, f"indented by {MAX_INDENT} columns or more"),
    ):
        match = pattern.search(text)
        if match is not None:
            raise DocumentError(
                f"nested too deeply: {what}",
                source=source,
                line=text.count("\n", 0, match.start()) + 1,
            )


# --- JSON ---------------------------------------------------------------------------------


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


class _DuplicateKey(Exception):
    pass


def _json_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a document may hold")


def _parse_json(text: str, source: str | None) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_json_pairs, parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", source=source, line=exc.lineno
        ) from None
    except _DuplicateKey as exc:
        raise DocumentError(
            f"duplicate key {exc.args[0]!r} in a mapping",
            source=source,
            hint="each key may appear once per mapping",
        ) from None
    except ValueError as exc:
        raise DocumentError(str(exc), source=source) from None
    except RecursionError:
        # CPython's json module guards its recursion: a nesting bomb ends here, safely.
        raise DocumentError("nested too deeply", source=source) from None


# --- TOML ---------------------------------------------------------------------------------


def _parse_toml(text: str, source: str | None) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise DocumentError(f"not valid TOML: {exc}", source=source, line=line) from None
    except RecursionError:
        # tomllib recurses in Python, so a nesting bomb ends in a RecursionError, safely.
        raise DocumentError("nested too deeply", source=source) from None


# --- YAML ---------------------------------------------------------------------------------

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {
    f"{_TAG}{name}": getattr(yaml.constructor.SafeConstructor, f"construct_yaml_{name}")
    for name in ("null", "bool", "int", "float", "str", "timestamp")
}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _parse_yaml(text: str, source: str | None) -> tuple[Any, Locator]:
    documents = _yaml_documents(text, source, single=True)
    if not documents:
        raise DocumentError("the document is empty", source=source)
    return documents[0]


def parse_documents(
    text: str, format: str, *, source: str | None = None
) -> list[tuple[Any, Locator]]:
    """Every document in a text, each as a plain tree and its locator.

    A YAML stream may hold several documents separated by ``---`` (empty ones are
    skipped); JSON and TOML hold one. The limits and refusals are those of :func:`parse`.
    """
    check_size(len(text), source)
    if format == "yaml":
        return _yaml_documents(text, source, single=False)
    return [parse(text, format, source=source)]


def _yaml_documents(text: str, source: str | None, *, single: bool) -> list[tuple[Any, Locator]]:
    _check_brackets(text, source)
    # The common reader declines every line a run of "- " or "? " begins, so that
    # check, a slow scan of every line, waits for libyaml; deep indentation it would
    # read, so that is checked first wherever it may be (in the same order as always).
    lines_checked = " " * MAX_INDENT in text
    if lines_checked:
        _check_yaml_lines(text, source)
    try:
        tree = read_common(text, max_depth=MAX_DEPTH)
    except Unsupported:
        pass
    else:
        return [(tree, _composed_later(text))]
    if not lines_checked:
        _check_yaml_lines(text, source)
    loader = yaml.CSafeLoader(text)
    roots: list[yaml.Node] = []
    try:
        if single:
            root = loader.get_single_node()
            if root is not None:
                roots.append(root)
        else:
            while loader.check_node():
                node = loader.get_node()
                if node is not None and not _empty(node):
                    roots.append(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "syntax error"
        raise DocumentError(
            f"not valid YAML: {reason}",
            source=source,
            line=None if mark is None else mark.line + 1,
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml marks its errors
        raise DocumentError(f"not valid YAML: {exc}", source=source) from None
    finally:
        loader.dispose()
    documents = []
    for root in roots:
        _check_aliases(root, source)
        documents.append((_Builder(source).build(root, 0), _locator(root)))
    return documents


def _empty(node: yaml.Node) -> bool:
    return (
        isinstance(node, yaml.ScalarNode)
        and node.tag == f"{_TAG}null"
        and node.value in ("", "~", "null")
    )


def _composed_later(text: str) -> Locator:
    """A locator that composes ``text`` with libyaml when first asked for a line.

    Only documents that break the rules ask, so documents that load well never pay for
    the marks. Composing with the base loader skips type resolution, which locating,
    matching raw key text, does not need.
    """
    composed: list[Locator] = []

    def locate(path: tuple[str | int, ...]) -> tuple[int | None, str | None]:
        if not composed:
            loader = yaml.CBaseLoader(text)
            try:
                root = loader.get_single_node()
            except yaml.YAMLError:  # pragma: no cover - read_common reads only what libyaml does
                root = None
            finally:
                loader.dispose()
            composed.append(_no_location if root is None else _locator(root))
        return composed[0](path)

    return locate


def _locator(root: yaml.Node) -> Locator:
    def locate(path: tuple[str | int, ...]) -> tuple[int | None, str | None]:
        node: yaml.Node = root
        for part in path:
            found: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key, value in node.value:
                    if key.value == part:
                        found = value
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                found = node.value[part]
            if found is None:
                break
            node = found
        raw = node.value if isinstance(node, yaml.ScalarNode) else None
        return node.start_mark.line + 1, raw

    return locate


def _check_aliases(root: yaml.Node, source: str | None) -> None:
    """Refuse a node graph whose expansion adds more than MAX_ALIAS_NODES nodes."""
    size: dict[int, int] = {}
    scheduled: set[int] = set()
    distinct = 0
    # Iterative post-order over the node graph; a node shared through aliases is
    # sized once and counted once per use.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if not expanded and (key in size or key in scheduled):
            continue
        if isinstance(node, yaml.ScalarNode):
            size[key] = 1
            distinct += 1
            continue
        children: list[yaml.Node]
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = list(node.value)
        if not expanded:
            scheduled.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in size)
            continue
        size[key] = 1 + sum(size.get(id(child), 1) for child in children)
        distinct += 1
    total = size[id(root)]
    if total - distinct > MAX_ALIAS_NODES:
        raise DocumentError(
            f"aliases expand the document to {total:,} nodes from {distinct:,}; "
            f"at most {MAX_ALIAS_NODES:,} may be added this way",
            source=source,
            hint="write the repeated parts out, or use fewer nested aliases",
        )


class _Builder:
    def __init__(self, source: str | None) -> None:
        self.source = source

    def fail(self, node: yaml.Node, reason: str, hint: str = "") -> DocumentError:
        return DocumentError(reason, source=self.source, line=node.start_mark.line + 1, hint=hint)

    def build(self, node: yaml.Node, depth: int) -> Any:
        if isinstance(node, yaml.ScalarNode):
            construct = _SCALAR_TAGS.get(node.tag)
            if construct is None:
                raise self.fail(
                    node,
                    f"the tag {node.tag!r} is not allowed",
                    "only plain YAML values are read; remove the tag",
                )
            try:
                return construct(_CONSTRUCTOR, node)
            except ValueError as exc:
                # A date that does not exist (2001-13-45), a number that is not one (1.2.3).
                what = "date" if node.tag == f"{_TAG}timestamp" else "number"
                raise self.fail(
                    node,
                    f"{node.value!r} reads as a {what}, but not a valid one: {exc}",
                    "quote the value if you mean the text",
                ) from None
        if depth >= MAX_DEPTH:
            raise self.fail(node, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.SequenceNode):
            if node.tag != f"{_TAG}seq":
                raise self.fail(node, f"the tag {node.tag!r} is not allowed")
            return [self.build(child, depth + 1) for child in node.value]
        if node.tag != f"{_TAG}map":
            raise self.fail(node, f"the tag {node.tag!r} is not allowed")
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_TAG}merge":
                raise self.fail(key_node, "merge keys ('<<') are not supported")
            key = self.build(key_node, depth + 1)
            if not isinstance(key, str):
                if isinstance(key, (int, float, bool)) or key is None:
                    raw = key_node.value
                    raise self.fail(
                        key_node,
                        f"keys must be text; {raw!r} reads as {type(key).__name__}",
                        "quote the key",
                    )
                raise self.fail(key_node, "keys must be text")
            if key in out:
                raise self.fail(
                    key_node,
                    f"duplicate key {key!r} in a mapping",
                    "each key may appear once per mapping",
                )
            out[key] = self.build(value_node, depth + 1)
        return out
