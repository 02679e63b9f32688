"""Tests of the common-shape YAML reader: the tree libyaml gives, and every guard kept."""

from __future__ import annotations

import contextlib
import datetime
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import itvalue as iv
from itvalue.io import _parse
from itvalue.io._yaml import dump_yaml
from itvalue.io._yaml_read import Unsupported, read_common

ROOT = Path(__file__).parent.parent
HEAD = "apiVersion: itvalue/v1\nkind: Portfolio\nname: Test\n"


def pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def fast(text: str) -> Any:
    return read_common(text, max_depth=_parse.MAX_DEPTH)


@contextlib.contextmanager
def libyaml_only() -> Iterator[None]:
    """Within, every YAML text is read by libyaml, as before the common reader."""

    def refuse(_text: str, *, max_depth: int) -> Any:
        raise Unsupported("libyaml only")

    with mock.patch.object(_parse, "read_common", refuse):
        yield


def canonical(value: Any) -> Any:
    """A value with its types spelled out, so True and 1, or nan and nan, compare as YAML means."""
    if isinstance(value, dict):
        return ("map", [(canonical(k), canonical(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [canonical(item) for item in value])
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else repr(value))
    return (type(value).__name__, value)


def outcome(read: Any, text: str) -> Any:
    """What reading gives: the canonical tree, or the error's reason, line and hint."""
    try:
        return canonical(read(text))
    except iv.DocumentError as exc:
        return ("error", exc.reason, exc.line, exc.hint)


def parse_tree(text: str) -> Any:
    return _parse.parse(text, "yaml")[0]


def slow_tree(text: str) -> Any:
    with libyaml_only():
        return _parse.parse(text, "yaml")[0]


# --- documents it reads ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        *sorted((ROOT / "examples").rglob("*.yaml")),
        *sorted((ROOT / "tests" / "documents").glob("*.yaml")),
    ],
    ids=lambda path: path.name,
)
def test_example_documents_read_as_libyaml_reads_them(path: Path) -> None:
    """Every example gives libyaml's trees, whichever reader takes it."""
    text = path.read_text("utf-8")
    trees = [tree for tree, _locate in _parse.parse_documents(text, "yaml")]
    expected = [tree for tree in yaml.load_all(text, Loader=yaml.CSafeLoader) if tree is not None]
    assert canonical(trees) == canonical(expected)


def test_what_the_writer_writes_never_needs_libyaml(northwind: iv.Portfolio) -> None:
    """The writer's own style is the common shape: the fast reader takes all of it."""
    text = iv.dumps(northwind)
    assert canonical(fast(text)) == canonical(pyyaml(text))


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb:\n  - x\n  - {k: v, n: [1, 2.5, -3, .inf, ~, yes, 'no', \"q\\tr\"]}\n",
        "a:\n- 1\n- 2\nb: 3\n",
        "- a: 1\n  b:\n  - x\n- c\n-\n-   d: 1\n    e: 2\n",
        "  indented: root\n  again: 1\n",
        "a:   # a comment\n    b: 1   # another\n# last\n",
        "a: http://example.com/x#y\nb: a:b\nc: 'a: b'\nd: x # y\n",
        "a: 2001-12-14\nb: 2001-12-14 21:59:43.10 -5\nc: 0o17\nd: 0x1F\ne: 1_000\nf: 1:20\n",
        "a: []\nb: {}\nc: [[], {}]\nd: {e: {f: [g]}}\n",
        "'quoted key': 1\n\"double \\\" key\": 2\nit's: 3\n",
        "-\n  a: 1\n-\n  - b\n",
        "a:\n\n\n  b: 1\n",
        "a: x\n  # an indented comment\nb: y\n",
        "a: -1\nb: -x\nc: +1\nd: .5\ne: 1e3\nf: 1.0e+3\n",
        "a: café\nb: 日本語\nc: '\u00a0'\n",
        'a: "caf\\u00e9 \\x41\\N"\nb: [{c: [d, e]}, [f]]\n',
        "a: [x 'y', it's]\n",
    ],
)
def test_common_shapes_read_as_libyaml_reads_them(text: str) -> None:
    """Indentless sequences, compact mappings, comments, YAML 1.1 types: libyaml's tree."""
    assert canonical(fast(text)) == canonical(pyyaml(text))


# --- what it leaves to libyaml, with libyaml's messages and lines ----------------------------

LEFT_TO_LIBYAML = [
    # tags, anchors and aliases
    "!!python/object/apply:os.system ['echo hi']",
    HEAD + "description: !!python/name:os.system\n",
    HEAD + "description: !custom x\n",
    HEAD + "stakeholders: !!set {a}\n",
    HEAD + "stakeholders: !!omap [{a: 1}]\n",
    HEAD + "stakeholders: [!!str 1]\n",
    HEAD + "stakeholders:\n  - &it {id: it, name: IT, kind: it}\n",
    HEAD + "description: &a [*a]\n",
    "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
    # merge keys, the value tag
    HEAD + "base: &b {id: x}\nstakeholders: [{<<: *b, name: X, kind: it}]\n",
    HEAD + "a:\n  <<: {b: 1}\n",
    HEAD + "a: {<<: {b: 1}}\n",
    HEAD + "a: =\n",
    # duplicate keys
    HEAD + "name: again\n",
    HEAD + "a: {b: 1, b: 2}\n",
    HEAD + "a: {b: 1, c: [1], b: 2}\n",
    "a: 1\n'a': 2\n",
    "- a: 1\n  a: 2\n",
    # keys that are not text
    HEAD + "1: x\n",
    HEAD + "yes: x\n",
    HEAD + "~: x\n",
    HEAD + "null: x\n",
    HEAD + "1.5: x\n",
    HEAD + "2001-01-01: x\n",
    HEAD + "a: {1: x}\n",
    HEAD + "a: {true: x, b: [1]}\n",
    HEAD + "[a]: x\n",
    HEAD + "{a: 1}: x\n",
    HEAD + "? a\n: x\n",
    # values that do not construct
    HEAD + "name: 2001-13-45\n",
    HEAD + "a: [0b_]\n",
    HEAD + "a: 0x_\n",
    # nesting
    HEAD + "a: " + "[" * 64 + "]" * 64 + "\n",
    HEAD + "a: " + "{b: " * 63 + "[1, [2]]" + "}" * 63 + "\n",
    "".join(" " * i + "a:\n" for i in range(64)) + " " * 64 + "a: 1\n",
    "".join(" " * (2 * i) + "- \n" for i in range(64)) + " " * 128 + "- x\n",
    # syntax
    "",
    "# only a comment\n",
    "a: [1,\n",
    "a: 1\n---\nb: 2\n",
    "--- \na: 1\n",
    "a: 1\n...\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: b: c\n",
    "a:\n  b: 1\n c: 2\n",
    "a: 1\n  b: 2\n",
    "a:\n  - x\n  b: 1\n",
    "a: 1\n- x\n",
    "- x\na: 1\n",
    "a: [1, 2]x\n",
    "a: [1, 2]#x\n",
    "a: {b: 1,}\n",
    "a: [1, , 2]\n",
    "a: {b}\n",
    "a: [[1] [2]]\n",
    "a: {[1]: x}\n",
    'a: ["x" y]\n',
    "a: [x: 1]\n",
    'a: "x\n  y"\n',
    "a: {b: x y, b: 2}\n",
    "".join(" " * i + "a:\n" for i in range(63)) + " " * 63 + "a: [1]\n",
    "".join(" " * (2 * i) + "-\n" for i in range(63)) + " " * 126 + "- a: 1\n",
    "a: {b:1}\n",
    "a: ]\n",
    "a: }\n",
    "a: 'x\n  y'\n",
    'a: "x\\qy"\n',
    'a: "\\ud800"\n',
    'a: "\\U0001F600"\n',
    "a: |\n  x\n",
    "a: >\n  x\n",
    "a: x\n  continued\n",
    "a:\n  x\n",
    "a:\tx\n",
    "a: x\r\nb: y\r\n",
    "a: x\x85b: y\n",
    "a: \x07\n",
    "a: \ufeffx\n",
    "a: `x`\n",
    "a: @x\n",
    "a: %x\n",
    "a: - x\n",
    "- - x\n",
    "[1, 2]\n",
    "just text\n",
    "42\n",
    "a: 1\n" + "b" * 600 + ": 2\n",
    "key : value\n",
    "a:: b\n",
]


@pytest.mark.parametrize("text", LEFT_TO_LIBYAML)
def test_what_it_leaves_to_libyaml_reads_as_before(text: str) -> None:
    """The common reader declines; loading gives libyaml's tree, or its error, line and hint."""
    with pytest.raises(Unsupported):
        fast(text)
    assert outcome(parse_tree, text) == outcome(slow_tree, text)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        (HEAD + "description: !custom x\n", "is not allowed", 4),
        (HEAD + "a:\n  <<: {b: 1}\n", "merge keys", 5),
        (HEAD + "a: =\n", "is not allowed", 4),
        (HEAD + "a: {b: 1, c: [1], b: 2}\n", "duplicate key 'b'", 4),
        ("a: 1\n'a': 2\n", "duplicate key 'a'", 2),
        (HEAD + "yes: x\n", "keys must be text; 'yes' reads as bool", 4),
        (HEAD + "a: {true: x, b: [1]}\n", "keys must be text; 'true' reads as bool", 4),
        (HEAD + "about: 2001-13-45\n", "'2001-13-45' reads as a date, but not a valid one", 4),
        (HEAD + "a: [0b_]\n", "'0b_' reads as a number, but not a valid one", 4),
        (HEAD + "a: " + "[" * 64 + "]" * 64 + "\n", "nested deeper than 64 levels", 4),
        ("".join(" " * i + "a:\n" for i in range(64)) + " " * 64 + "a: 1\n", "nested deeper", 65),
        ("a: 1\n  b: 2\n", "not valid YAML", 2),
        ("a: {b:1}\n", "", None),
    ],
)
def test_guards_name_the_line(text: str, reason: str, line: int | None) -> None:
    """Every refusal still says what and where."""
    if not reason:
        # libyaml reads "b:1" as one plain scalar, a key whose value is null.
        assert parse_tree(text) == {"a": {"b:1": None}}
        return
    with pytest.raises(iv.DocumentError) as excinfo:
        _parse.parse(text, "yaml")
    assert reason in excinfo.value.reason
    assert excinfo.value.line == line


def test_billion_laughs_is_still_refused() -> None:
    """Aliases expand under the same cap: the common reader never sees them."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    with pytest.raises(iv.DocumentError, match="aliases expand the document"):
        _parse.parse("\n".join(lines) + "\n", "yaml")


def test_a_stream_of_one_document_is_read_the_common_way() -> None:
    """parse_documents gives one document for a text without markers, the same tree."""
    text = "a: 1\nb: [x]\n"
    ((tree, locate),) = _parse.parse_documents(text, "yaml")
    assert tree == {"a": 1, "b": ["x"]}
    assert locate(("b", 0)) == (2, "x")
    assert [t for t, _ in _parse.parse_documents("a: 1\n---\nb: 2\n", "yaml")] == [
        {"a": 1},
        {"b": 2},
    ]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["[", "]", "{", "}", "[" * 30, "]" * 30, "x", "é"]), max_size=60))
def test_brackets_counted_with_numpy_as_in_python(pieces: list[str]) -> None:
    """Long texts have their brackets counted in C, to the same verdict as the scan."""
    text = "".join(pieces)
    expected = _parse._too_deep(text, _parse._BRACKETS) is not None
    with mock.patch.object(_parse, "_LONG", 0):
        assert _parse._brackets_too_deep(text) is expected


def test_a_long_document_nested_too_deep_is_refused_at_its_line() -> None:
    """Past a megabyte, brackets are counted another way, with the same refusal."""
    filler = "".join(f"k{i}: [{i}]\n" for i in range(120_000))
    assert len(filler) > _parse._LONG
    deep = "z: " + "[" * 65 + "]" * 65 + "\n"
    with pytest.raises(iv.DocumentError, match="nested deeper than 64") as excinfo:
        _parse.parse(filler + deep, "yaml")
    assert excinfo.value.line == 120_001
    quoted = "z: '" + "[" * 65 + "'\n"
    assert _parse.parse(filler + quoted, "yaml")[0]["z"] == "[" * 65


def test_lines_are_checked_for_deep_nesting_before_libyaml_reads_them() -> None:
    """A run of '- ' and deep indentation are refused as before, with the same lines."""
    run = "a: 1\nb:\n" + "- " * 70 + "x\n"
    indent = "a:\n" + " " * 1000 + "b: 1\n"
    both = run + indent
    for text, reason, line in [
        (run, "nested too deeply: more than 64 nested '- '", 3),
        (indent, "nested too deeply: indented by 1000 columns", 2),
        (both, "nested too deeply: more than 64 nested '- '", 3),
        (indent + run, "nested too deeply: more than 64 nested '- '", 5),
    ]:
        with pytest.raises(iv.DocumentError) as excinfo:
            _parse.parse(text, "yaml")
        assert (reason in excinfo.value.reason, excinfo.value.line) == (True, line), text


# --- the locator -----------------------------------------------------------------------------


def paths(tree: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield prefix
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from paths(value, (*prefix, key))
        yield (*prefix, "missing")
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from paths(value, (*prefix, index))
        yield (*prefix, len(tree))


def assert_same_locations(text: str) -> None:
    tree, locate = _parse.parse(text, "yaml")
    with libyaml_only():
        _slow_tree, slow_locate = _parse.parse(text, "yaml")
    for path in paths(tree):
        assert locate(path) == slow_locate(path), path


def test_lines_are_libyamls(northwind: iv.Portfolio) -> None:
    """Every path's line and raw text, empty values and missing keys included, are libyaml's."""
    assert_same_locations(iv.dumps(northwind))
    assert_same_locations("a:\nb:\n- x\n-\n")
    assert_same_locations("a:\n  b: 1   # c\n\n  c:\n  - [1, {d: e}]\n  -\n    f: yes\ng:\n")


def test_a_valid_document_is_never_composed_by_libyaml(northwind: iv.Portfolio) -> None:
    """Lines cost nothing until a problem asks for one."""
    text = iv.dumps(northwind)
    with (
        mock.patch.object(yaml, "CBaseLoader", side_effect=AssertionError("composed")),
        mock.patch.object(yaml, "CSafeLoader", side_effect=AssertionError("composed")),
    ):
        assert iv.loads(text) == northwind


def test_validation_errors_on_a_document_read_the_common_way_have_lines() -> None:
    """A problem in a document the common reader took is reported at libyaml's line."""
    text = HEAD + "stakeholders:\n  - {id: it, name: NO, kind: it}\n"
    fast(text)
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.loads(text)
    (problem,) = excinfo.value.problems
    assert (problem.path, problem.line) == ("stakeholders[0].name", 5)
    assert problem.hint == 'quote the value: write "NO" if you mean the text'


# --- the same tree as PyYAML's safe loader ---------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.sampled_from(["yes", "No", "on", "~", "null", "1_000", "0o17", "0x1F", "1:20", ".inf"])
    | st.dates()
    | st.datetimes(min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2100, 1, 1))
)
KEYS = st.text(min_size=1) | st.sampled_from(["id", "name", "yes", "1", "a: b", "#", "- x"])
TREES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=25,
)
ROOTS = st.dictionaries(KEYS, TREES, min_size=1, max_size=4) | st.lists(TREES, min_size=1)


def dumpers() -> st.SearchStrategy[Any]:
    def safe_dump(**options: Any) -> Any:
        return lambda tree: yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, **options)

    return st.sampled_from(
        [
            safe_dump(default_flow_style=False),
            safe_dump(default_flow_style=None),
            safe_dump(default_flow_style=False, indent=4),
            safe_dump(default_flow_style=None, width=1_000_000),
            safe_dump(default_flow_style=True, width=1_000_000),
        ]
    )


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(tree=ROOTS, dump=dumpers())
def test_the_same_tree_as_pyyamls_safe_loader(tree: Any, dump: Any) -> None:
    """Whatever PyYAML writes, in any style, reads back as PyYAML's safe loader reads it."""
    text = dump(tree)
    assert outcome(parse_tree, text) == outcome(slow_tree, text)
    with contextlib.suppress(Unsupported):
        assert canonical(fast(text)) == canonical(pyyaml(text))


@given(tree=st.dictionaries(st.text(min_size=1), TREES.filter(lambda t: not _dated(t)), min_size=1))
def test_the_writers_documents_never_need_libyaml(tree: Any) -> None:
    """Whatever our writer writes is read by the common reader, as libyaml reads it."""
    text = dump_yaml(tree)
    assert canonical(fast(text)) == canonical(pyyaml(text))


def _dated(tree: Any) -> bool:
    if isinstance(tree, dict):
        return any(_dated(v) for v in tree.values())
    if isinstance(tree, list):
        return any(_dated(v) for v in tree)
    return isinstance(tree, datetime.date)


FRAGMENTS = st.sampled_from(
    [
        "a",
        "b c",
        "- ",
        "-",
        ": ",
        ":",
        "  ",
        " ",
        "\n",
        "\n  ",
        "\n- ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        ",",
        "'",
        "''",
        '"',
        "\\",
        "#",
        " # c",
        "&a ",
        "*a",
        "!!str ",
        "? ",
        "|",
        "1",
        "-1",
        "1.5",
        "yes",
        "~",
        "<<",
        "=",
        "2001-01-01",
        "0b_",
        "x:y",
        "\t",
        "\r",
        "---",
        "...",
        "é",
    ]
)


@settings(max_examples=500)
@given(st.lists(FRAGMENTS, max_size=30).map("".join))
def test_random_yaml_reads_as_libyaml_reads_it(text: str) -> None:
    """Text made of YAML's pieces: the same tree as libyaml, or the same error."""
    assert outcome(parse_tree, text) == outcome(slow_tree, text)
    try:
        tree = fast(text)
    except Unsupported:
        return
    assert canonical(tree) == canonical(pyyaml(text))
