"""Reading YAML of the common block-and-flow shape in one pass over its lines.

libyaml through PyYAML makes a Python object for every event or node, with two marks
each, which costs more than the whole JSON load of the same document. Most portfolio
documents (every one :func:`~itvalue.io._yaml.dump_yaml` writes, and most written by
hand) use a small part of YAML: block mappings and sequences, one entry a line; flow
mappings and sequences that open and close on one line; plain and quoted scalars on
one line; comments. :func:`read_common` reads that part with a few regular expressions
a line and gives the tree PyYAML's safe loader gives.

It is a front, not a second parser: on anything outside that part it raises
:class:`Unsupported`, and the caller reads the text with libyaml instead, which gives
every error its message and line. So are left to libyaml, among others: anchors,
aliases and tags, ``?`` keys, block scalars (``|``, ``>``), scalars over several lines,
flow collections over several lines, document markers and directives, tabs, carriage
returns and the other line breaks, characters YAML does not allow raw, escapes other
than those the writer uses, keys over 512 characters, any key that is not text or
appears twice, a scalar that
resolves to a tag outside the core schema (``=``, ``<<``), a date that does not exist,
nesting at :data:`~itvalue.io._parse.MAX_DEPTH`, and anything libyaml would refuse.
Plain scalars are resolved by PyYAML's own resolver and built by its safe constructor,
so YAML 1.1's ``yes``, ``1_000``, ``0o17`` and dates read as they always have.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["Unsupported", "read_common"]


class Unsupported(Exception):
    """The text holds something left to libyaml (see the module docstring)."""


_TAG = "tag:yaml.org,2002:"
_CORE = {
    f"{_TAG}{name}": getattr(yaml.constructor.SafeConstructor, f"construct_yaml_{name}")
    for name in ("null", "bool", "int", "float", "str", "timestamp")
}
_STR = f"{_TAG}str"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# PyYAML picks its implicit resolvers by a plain scalar's first character; one that
# starts with any other character is text.
_RESOLVERS: dict[str | None, Any] = yaml.resolver.Resolver.yaml_implicit_resolvers
if None in _RESOLVERS:  # pragma: no cover - PyYAML registers no wildcard resolver
    raise ImportError("PyYAML's resolver has a wildcard; the common reader cannot shortcut it")

# Anything but line feeds and the characters YAML allows raw (no tab, no carriage
# return, no NEL or Unicode line separators, no byte-order mark, no surrogates).
_OUTSIDE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# In ASCII text, the bytes YAML allows raw (a quicker test than the expression above).
_ASCII_ALLOWED = bytes([0x0A, *range(0x20, 0x7F)])

# A plain scalar starts with none of YAML's indicators; "-" only before a character
# that could start one itself (so "-1" and "-x" are plain, "- " and "--" are not).
_FIRST = r"[^ \-?:,\[\]{}#&*!|>'\"%@`]"
_START = rf"(?:{_FIRST}|-{_FIRST})"
# Outside flow style a plain scalar runs to ": ", " #" or the end of the line; inside
# it, this reader stops it at any ":", "#", ",", bracket or brace.
_BLOCK_PLAIN = rf"{_START}(?:[^ :]|:(?=[^ ])| ++(?=[^ #]))*+"
_FLOW_PLAIN = rf"{_START}(?:[^ :,\[\]{{}}#]| ++(?=[^ :,\[\]{{}}#]))*+"
_SINGLE = r"'(?:[^']|'')*+'"
_DOUBLE = r'"(?:[^"\\]|\\.)*+"'
_END = r"(?: ++#.*| *+)"

# After the indentation: an optional "- ", an optional "key: ", and the rest.
_KEY = re.compile(rf"{_BLOCK_PLAIN}|{_SINGLE}|{_DOUBLE}")
_QUOTED_KEY = re.compile(rf"({_SINGLE}|{_DOUBLE}):(?: ++|$)")
_PLAIN_REST = re.compile(rf"({_BLOCK_PLAIN}){_END}")
_SINGLE_REST = re.compile(rf"'((?:[^']|'')*+)'{_END}")
_DOUBLE_REST = re.compile(rf'"((?:[^"\\]|\\.)*+)"{_END}')
# Most scalars are words of letters, digits, "_", ".", "+" and "-", which a simpler
# expression than the ones above (to which it adds nothing) matches faster.
_WORD = r"(?:[\w.+]|-[\w.])[\w.+-]*"
_SIMPLE_PLAIN = re.compile(rf"{_WORD}(?: {_WORD})*+")
_KEY_WORD = r"[A-Za-z_][\w-]*"
_WORD_RE = re.compile(_WORD)
_KEY_WORD_RE = re.compile(_KEY_WORD)
# Flow collections of plain scalars, written with one space after each ":" and ",",
# the commonest kind by far, are split with string methods.
_FLAT_MAPPING = re.compile(
    rf"\{{((?:{_FLOW_PLAIN}: {_FLOW_PLAIN}, )*{_FLOW_PLAIN}: {_FLOW_PLAIN})\}}{_END}"
)
_FLAT_SEQUENCE = re.compile(rf"\[((?:{_FLOW_PLAIN}, )*{_FLOW_PLAIN})\]{_END}")
_FLOW_TOKEN = re.compile(
    rf"( ++#.*)| *+(?:([\[\]{{}},])|({_FLOW_PLAIN})|({_SINGLE})|({_DOUBLE})|(.))(:(?= ))?"
)
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|(.))")
_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    '"': '"',
    "\\": "\\",
    "N": "\x85",
    "L": "\u2028",
    "P": "\u2029",
}
# libyaml drops a simple key that runs this far; the reader leaves long keys to it.
_LONGEST_KEY = 512


def _unescape(match: re.Match[str]) -> str:
    hex2, hex4, char = match.groups()
    if hex2 is not None:
        return chr(int(hex2, 16))
    if hex4 is not None:
        code = int(hex4, 16)
        if 0xD800 <= code <= 0xDFFF:
            raise Unsupported("a surrogate escape")
        return chr(code)
    found = _ESCAPES.get(char)
    if found is None:
        raise Unsupported(f"the escape \\{char}")
    return found


def _double(body: str) -> str:
    return _ESCAPE.sub(_unescape, body) if "\\" in body else body


def _single(body: str) -> str:
    return body.replace("''", "'") if "'" in body else body


_MISSING = object()


def _resolve(raw: str) -> Any:
    """A plain scalar's value, as PyYAML's resolver types it and its safe constructor builds it.

    The resolver's own loop, without its per-call overhead: the resolvers listed for
    the scalar's first character, in order, and text when none matches.
    """
    tag = _STR
    for candidate, pattern in _RESOLVERS.get(raw[0], ()):
        if pattern.match(raw):
            tag = candidate
            break
    if tag == _STR:
        return raw
    construct = _CORE.get(tag)
    if construct is None:
        raise Unsupported(f"a scalar that resolves to {tag}")
    try:
        return construct(_CONSTRUCTOR, yaml.ScalarNode(tag, raw))
    except ValueError:
        raise Unsupported("a value that does not construct") from None


class _Scalars:
    """Plain scalars resolved as PyYAML's safe loader resolves them, most from a cache."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.keys: dict[str, str] = {}

    def plain(self, raw: str) -> Any:
        """The value of a plain scalar written ``raw`` (not empty)."""
        found = self.values.get(raw, _MISSING)
        if found is _MISSING:
            found = self.values[raw] = _resolve(raw)
        return found

    def key(self, raw: str) -> str:
        """A block or flow key's text; anything that is not text is left to libyaml."""
        found = self.keys.get(raw)
        if found is not None:
            return found
        if len(raw) > _LONGEST_KEY:
            raise Unsupported("a long key")
        first = raw[0]
        if first == "'":
            found = _single(raw[1:-1])
        elif first == '"':
            found = _double(raw[1:-1])
        else:
            value = self.plain(raw)
            if type(value) is not str:
                raise Unsupported("a key that is not text")
            found = value
        self.keys[raw] = found
        return found


def _flow(text: str, scalars: _Scalars, room: int) -> Any:
    """The flow collection ``text`` holds, alone on its line but for a comment after it.

    ``room`` is how many levels of nesting may still open.
    """
    stack: list[Any] = []  # open collections, innermost last
    keys: list[str | None] = []  # for each, the key awaiting it in the one around it
    key: str | None = None  # in the innermost mapping, the key awaiting its value
    expect_node = True  # after an opening or a comma; else a comma or a closing
    result: Any = None
    for comment, punct, bare, single, double, other, colon in _FLOW_TOKEN.findall(text):
        if result is not None:
            if comment:
                continue
            raise Unsupported("text after a flow collection")
        if other or comment or (colon and punct):
            raise Unsupported("a flow collection over several lines, or an indicator")
        value: Any
        if punct == "[" or punct == "{":
            if not expect_node:
                raise Unsupported("a collection where a comma belongs")
            if len(stack) >= room:
                raise Unsupported("deep nesting")
            if stack and key is None and type(stack[-1]) is dict:
                raise Unsupported("a collection as a key")
            stack.append([] if punct == "[" else {})
            keys.append(key)
            key = None
            continue
        if punct == ",":
            if expect_node or not stack:
                raise Unsupported("a comma where a node belongs")
            expect_node = True
            continue
        if punct:
            # A closing. A trailing comma and a key without a value are left to libyaml.
            if (
                not stack
                or (punct == "]") is not (type(stack[-1]) is list)
                or (expect_node and stack[-1])
                or key is not None
            ):
                raise Unsupported(f"an unexpected {punct!r}")
            value = stack.pop()
            key = keys.pop()
            expect_node = False
            if not stack:
                result = value
                continue
        else:
            if not expect_node or not stack:
                raise Unsupported("a scalar where a comma belongs")
            if colon:
                if key is not None or type(stack[-1]) is not dict:
                    raise Unsupported("a key outside a flow mapping")
                key = scalars.key(bare or single or double)
                if key in stack[-1]:
                    raise Unsupported("a duplicate key")
                continue
            if bare:
                value = scalars.plain(bare)
            elif single:
                value = _single(single[1:-1])
            else:
                value = _double(double[1:-1])
            expect_node = False
        top = stack[-1]
        if type(top) is list:
            top.append(value)
        elif key is None:
            raise Unsupported("a flow mapping entry without a key")
        else:
            top[key] = value
            key = None
    if result is None:
        raise Unsupported("a flow collection over several lines")
    return result


# What a line's rest holds when the entry's value is on the lines below.
_BELOW = object()


class _Reader:
    """Reads one document; remembers the scalars and keys it has read, as most recur."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.scalars = _Scalars()
        # The text after "key: " or "- " to the scalar it holds.
        self.rests: dict[str, Any] = {}
        # Keys and values seen to be words, in flow mappings, to what they hold.
        self.word_keys: dict[str, str] = {}
        self.words_seen: dict[str, Any] = {}

    def key(self, raw: str) -> str | None:
        """The text of a block key, or ``None`` when ``raw`` is no key at all."""
        found = self.scalars.keys.get(raw)
        if found is not None:
            return found
        if _KEY.fullmatch(raw) is None:
            return None
        return self.scalars.key(raw)

    def value(self, rest: str, room: int) -> Any:
        """The node written after a ``- `` or a ``key: ``, or ``_BELOW`` when there is none.

        ``room`` is how many levels of nesting may still open.
        """
        first = rest[:1]
        if not first or first == "#":
            return _BELOW
        if first == "[" or first == "{":
            return self.flow(rest, room)
        try:
            return self.rests[rest]
        except KeyError:
            pass
        if first == "'":
            match = _SINGLE_REST.fullmatch(rest)
            if match is None:
                raise Unsupported("a single-quoted scalar over several lines") from None
            value = _single(match.group(1))
        elif first == '"':
            match = _DOUBLE_REST.fullmatch(rest)
            if match is None:
                raise Unsupported("a double-quoted scalar over several lines") from None
            value = _double(match.group(1))
        elif _SIMPLE_PLAIN.fullmatch(rest) is not None:
            value = self.scalars.plain(rest)
        else:
            match = _PLAIN_REST.fullmatch(rest)
            if match is None:
                raise Unsupported("not a plain scalar on one line") from None
            raw = match.group(1)
            value = self.scalars.plain(rest if len(raw) == len(rest) else raw)
        self.rests[rest] = value
        return value

    def words(self, rest: str) -> dict[str, Any] | None:
        """A flow mapping of words (``{k: v, k: v}``, one space each), or ``None``.

        Split with string methods; every key and value must be one already seen to be a
        word, or be one now, so that nothing but ", " and ": " was split on.
        """
        word_keys = self.word_keys
        words = self.words_seen
        mapping: dict[str, Any] = {}
        parts = rest[1:-1].split(", ")
        for part in parts:
            name, _colon, raw = part.partition(": ")
            key = word_keys.get(name)
            if key is None:
                if _KEY_WORD_RE.fullmatch(name) is None:
                    return None
                key = word_keys[name] = self.scalars.key(name)
            value = words.get(raw, _MISSING)
            if value is _MISSING:
                if _WORD_RE.fullmatch(raw) is None:
                    return None
                value = words[raw] = self.scalars.plain(raw)
            mapping[key] = value
        if len(mapping) != len(parts):
            raise Unsupported("a duplicate key")
        return mapping

    def flow(self, rest: str, room: int) -> Any:
        """A flow collection on one line: the flat ones quickly, others token by token."""
        if room <= 0:
            raise Unsupported("deep nesting")
        plain = self.scalars.plain
        if rest[0] == "{":
            if rest[-1] == "}":
                mapping = self.words(rest)
                if mapping is not None:
                    return mapping
            match = _FLAT_MAPPING.fullmatch(rest)
            if match is not None:
                keys = self.scalars.keys.get
                key = self.scalars.key
                values = self.scalars.values.get
                pairs = [item.split(": ") for item in match.group(1).split(", ")]
                mapping = {
                    keys(k) or key(k): v
                    if (v := values(raw, _MISSING)) is not _MISSING
                    else plain(raw)
                    for k, raw in pairs
                }
                if len(mapping) != len(pairs):
                    raise Unsupported("a duplicate key")
                return mapping
        else:
            match = _FLAT_SEQUENCE.fullmatch(rest)
            if match is not None:
                values = self.scalars.values.get
                return [
                    v if (v := values(raw, _MISSING)) is not _MISSING else plain(raw)
                    for raw in match.group(1).split(", ")
                ]
        return _flow(rest, self.scalars, room)

    def read(self, text: str) -> list[Any] | dict[str, Any]:
        """The root block collection of ``text``."""
        max_depth = self.max_depth
        keys = self.scalars.keys
        rests = self.rests
        # Open block collections, innermost last: the collection, its column, and
        # whether it is a sequence at its key's own column ("key:\n- item"). The
        # innermost is also kept in locals, as nearly every line goes to it.
        nodes: list[Any] = []
        columns: list[int] = []
        indentless: list[bool] = []
        top: Any = None
        top_column = -1
        top_indentless = False
        # The entry awaiting its value on the lines below: its collection, its key
        # (None for a sequence item) and its column.
        owner: Any = None
        owner_key: str | None = None
        owner_column = 0
        for line in text.split("\n"):
            content = line.lstrip(" ")
            if not content:
                continue
            first = content[0]
            if first == "#":
                continue
            column = len(line) - len(content)
            dash = 0
            if first == "-":
                if content == "-":
                    dash, content, first = 1, "", ""
                elif content[1] == " ":
                    after = content[1:].lstrip(" ")
                    dash = len(content) - len(after)
                    content = after
                    first = content[:1]
            key: str | None = None
            if first != "{" and first != "[":
                at = content.find(": ")
                if at > 0:
                    key = keys.get(content[:at]) or self.key(content[:at])
                    if key is not None:
                        content = content[at + 2 :]
                        if content[:1] == " ":
                            content = content.lstrip(" ")
                elif content[-1:] == ":" or content[-1:] == " ":
                    stripped = content.rstrip(" ")
                    if stripped[-1:] == ":":
                        key = self.key(stripped[:-1])
                        if key is not None:
                            content = ""
                if key is None and (first == "'" or first == '"'):
                    # A quoted key may hold ": " itself.
                    quoted = _QUOTED_KEY.match(content)
                    if quoted is not None:
                        key = self.scalars.key(quoted.group(1))
                        content = content[quoted.end() :]
            if column != top_column or owner is not None:
                opens = False
                if owner is not None:
                    opens = column > owner_column or (
                        column == owner_column and dash > 0 and owner_key is not None
                    )
                    value: Any = None
                    if opens:
                        if len(nodes) >= max_depth:
                            raise Unsupported("deep nesting")
                        value = top = [] if dash else {}
                        top_column = column
                        top_indentless = column == owner_column
                        nodes.append(top)
                        columns.append(top_column)
                        indentless.append(top_indentless)
                    if owner_key is None:
                        owner.append(value)
                    else:
                        owner[owner_key] = value
                    owner = None
                if opens:
                    pass
                elif not nodes:
                    top = [] if dash else {}
                    top_column = column
                    nodes.append(top)
                    columns.append(column)
                    indentless.append(False)
                elif column != top_column:
                    while columns and columns[-1] > column:
                        nodes.pop()
                        columns.pop()
                        indentless.pop()
                    if not columns or columns[-1] != column:
                        raise Unsupported("indentation that closes no collection")
                    top = nodes[-1]
                    top_column = column
                    top_indentless = indentless[-1]
            if top_indentless and not dash:
                nodes.pop()
                columns.pop()
                indentless.pop()
                top = nodes[-1]
                top_indentless = indentless[-1]
            if dash:
                if type(top) is not list:
                    raise Unsupported("a sequence entry in a mapping")
                if key is None:
                    if first == "{" or first == "[":
                        top.append(self.flow(content, max_depth - len(nodes)))
                        continue
                    value = rests.get(content, _BELOW)
                    if value is _BELOW:
                        value = self.value(content, max_depth - len(nodes))
                        if value is _BELOW:
                            owner, owner_key, owner_column = top, None, column
                            continue
                    top.append(value)
                    continue
                # "- key: value" opens a mapping at the key's column.
                if len(nodes) >= max_depth:
                    raise Unsupported("deep nesting")
                mapping: dict[str, Any] = {}
                top.append(mapping)
                top = mapping
                column += dash
                top_column = column
                top_indentless = False
                nodes.append(top)
                columns.append(column)
                indentless.append(False)
            elif key is None or type(top) is not dict:
                raise Unsupported("a line that is neither a key nor a sequence entry")
            elif key in top:
                raise Unsupported("a duplicate key")
            value = rests.get(content, _BELOW)
            if value is _BELOW:
                value = self.value(content, max_depth - len(nodes))
                if value is _BELOW:
                    owner, owner_key, owner_column = top, key, column
                    continue
            top[key] = value
        if owner is not None:
            if owner_key is None:
                owner.append(None)
            else:
                owner[owner_key] = None
        if not nodes:
            raise Unsupported("no block collection")
        root: list[Any] | dict[str, Any] = nodes[0]
        return root


def _allowed(text: str) -> bool:
    """Whether ``text`` holds only characters the reader takes as libyaml would."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _ASCII_ALLOWED)
    return _OUTSIDE.search(text) is None


def read_common(text: str, *, max_depth: int) -> list[Any] | dict[str, Any]:
    """The tree PyYAML's safe loader reads from ``text``: one block mapping or sequence.

    Args:
        text: The document.
        max_depth: The depth (the root's being 0) at which no collection may open.

    Raises:
        Unsupported: The text holds something this reader leaves to libyaml.
    """
    if not _allowed(text):
        raise Unsupported("a character YAML does not allow raw, a tab or a line break")
    if text.startswith(("---", "...")) or "\n---" in text or "\n..." in text:
        raise Unsupported("a document marker")
    return _Reader(max_depth).read(text)
