"""Tests of the YAML writer: the examples' style, and every value read back as written."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import itvalue as iv
from itvalue.io._yaml import WIDTH, dump_yaml, number, quote
from itvalue.testing import strategies as ivst


def read(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


# --- the style ----------------------------------------------------------------------------------


def test_northwind_reads_like_the_hand_written_example(northwind: iv.Portfolio) -> None:
    """Short mappings on one line, lists indented under their key, whole numbers bare."""
    text = iv.dumps(northwind)
    assert text.startswith("apiVersion: itvalue/v1\nkind: Portfolio\nname: Northwind Retail\n")
    for line in [
        "stakeholders:",
        "  - {id: sales, name: Sales, kind: relationship_owner}",
        "  - {id: it-ops, name: IT Operations, kind: it}",
        "  - id: order-delivered",
        "    volume: {amount: 10000, unit: orders, per: month}",
        "    unit_value: {amount: 42, currency: EUR}",
        "  - {id: webshop, name: Web shop, owner: sales, outcomes: [order-delivered]}",
        "    annual_cost: {amount: 120000, currency: EUR}",
        "    supports: [{process: checkout}]",
        "    depends_on: [{service: db-a, group: db}, {service: db-b, group: db}]",
    ]:
        assert line in text.splitlines()
    assert ".0}" not in text


def test_whole_numbers_read_back_as_the_same_floats(northwind: iv.Portfolio) -> None:
    """10000.0 is written 10000, read as an integer and widened back to 10000.0."""
    again = iv.loads(iv.dumps(northwind))
    assert again == northwind
    volume = again.outcome("order-delivered").volume
    assert volume is not None
    assert volume.amount == 10000.0
    assert type(volume.amount) is float


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (10000.0, "10000"),
        (0.0, "0"),
        (-3.0, "-3"),
        (-0.0, "-0.0"),
        (42.5, "42.5"),
        (0.999, "0.999"),
        (1e16, "1.0e+16"),
        (1.5e16, "1.5e+16"),
        (1e-05, "1.0e-05"),
        (5e-324, "5.0e-324"),
        (math.inf, ".inf"),
        (-math.inf, "-.inf"),
        (math.nan, ".nan"),
    ],
)
def test_numbers(value: float, written: str) -> None:
    """Floats are written the shortest way that reads back as the same number."""
    assert number(value) == written
    back = read(f"x: {written}")["x"]
    if math.isnan(value):
        assert math.isnan(back)
    else:
        assert back == value
        assert math.copysign(1, back) == math.copysign(1, value)


def test_a_mapping_that_does_not_fit_goes_in_block_style() -> None:
    """A mapping longer than the width, or holding more than scalars, takes a line a key."""
    long_name = "A service whose name alone takes most of the line, for the sake of the test"
    tree = {
        "services": [
            {"id": "a", "name": long_name, "owner": "it"},
            {"id": "b", "name": "B", "annual_cost": {"amount": 1.0, "currency": "EUR"}},
            {"id": "c", "name": "C", "outcomes": ["x", "z"]},
        ]
    }
    assert dump_yaml(tree) == (
        "services:\n"
        "  - id: a\n"
        f"    name: {long_name}\n"
        "    owner: it\n"
        "  - id: b\n"
        "    name: B\n"
        "    annual_cost: {amount: 1, currency: EUR}\n"
        "  - {id: c, name: C, outcomes: [x, z]}\n"
    )
    assert read(dump_yaml(tree)) == tree


def test_the_width_is_the_limit_of_a_flow_line() -> None:
    """A mapping exactly as wide as the limit stays on one line; one column more does not."""
    prefix = "  - {id: a, name: "
    fits = "x" * (WIDTH - len(prefix) - 1)
    assert dump_yaml({"s": [{"id": "a", "name": fits}]}).splitlines()[1] == f"{prefix}{fits}}}"
    assert len(f"{prefix}{fits}}}") == WIDTH
    wider = dump_yaml({"s": [{"id": "a", "name": fits + "x"}]})
    assert wider.splitlines()[1:] == ["  - id: a", f"    name: {fits}x"]


def test_lists_nested_in_an_entity_go_on_one_line_when_they_fit() -> None:
    """Lists of scalars and of short mappings inside an entity are written in flow style."""
    many = [f"process-number-{i}" for i in range(8)]
    tree = {
        "x": [
            {
                "id": "a",
                "depends_on": [{"service": "b", "group": "g"}, {"service": "c"}],
                "enables": many,
                "stages": [{"name": "S", "processes": many}],
                "empty": [],
                "nested": [[1, 2], {"k": [1]}, [{"k": [1]}]],
                "supports": [{"process": f"process-{i}"} for i in range(6)],
            }
        ]
    }
    lines = [
        "x:",
        "  - id: a",
        "    depends_on: [{service: b, group: g}, {service: c}]",
        "    enables:",
        *(f"      - {m}" for m in many),
        "    stages:",
        "      - name: S",
        "        processes:",
        *(f"          - {m}" for m in many),
        "    empty: []",
        "    nested:",
        "      - [1, 2]",
        "      - {k: [1]}",
        "      - [{k: [1]}]",
        "    supports:",
        *(f"      - {{process: process-{i}}}" for i in range(6)),
    ]
    assert dump_yaml(tree) == "\n".join(lines) + "\n"
    assert read(dump_yaml(tree)) == tree


def test_top_level_collections_are_always_block_lists() -> None:
    """Even a one-item collection is a list of its own lines, as in the examples."""
    it = iv.Stakeholder(id="it", name="IT", kind=iv.StakeholderKind.IT)
    p = iv.Portfolio(name="P", stakeholders=(it,))
    assert iv.dumps(p) == (
        "apiVersion: itvalue/v1\nkind: Portfolio\nname: P\nstakeholders:\n"
        "  - {id: it, name: IT, kind: it}\n"
    )


def test_other_values_are_written_or_refused() -> None:
    """Booleans, nulls and empty mappings are written; anything else is not ours to write."""
    tree = {"a": True, "b": None, "c": {}, "d": [False, None], "e": {"f": {"g": 1}}}
    assert read(dump_yaml(tree)) == tree
    with pytest.raises(TypeError, match="cannot write set"):
        dump_yaml({"a": {1, 2}})


# --- quoting ------------------------------------------------------------------------------------

PITFALLS = [
    "no",
    "No",
    "NO",
    "yes",
    "on",
    "Off",
    "y",
    "N",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "",
    " ",
    " lead",
    "trail ",
    "1.10",
    "1.",
    "10",
    "-1",
    "+1",
    ".5",
    "1e3",
    "1_000",
    "0o17",
    "0x1F",
    "0b101",
    "1:20",
    "2001-12-14",
    ".inf",
    ".NaN",
    "=",
    "<<",
    "*star",
    "&anchor",
    "!tag",
    "%directive",
    "@at",
    "`tick",
    "|pipe",
    ">fold",
    "?query",
    "- dash",
    "-",
    "a: b",
    "a:",
    "a #b",
    "#c",
    "[x]",
    "{x}",
    "a, b",
    "a,b",
    "'quoted'",
    '"quoted"',
    "it's",
    "back\\slash",
    "two\nlines",
    "tab\there",
    "\r",
    "nel\x85",
    "line\u2028sep",
    "\ufeffbom",
    "\x00\x07\x1b\x7f",
    "\ufffe\uffff",
    "café",
    "日本語",
    "emoji 🎉",
    "\xa0nbsp",
    "http://example.com/a?b=c",
]


@pytest.mark.parametrize("text", PITFALLS)
def test_strings_read_back_as_strings(text: str) -> None:
    """Whatever a string holds, it is written so that YAML reads back that string."""
    tree = {"name": text, "s": [{"id": "a", "name": text, "tags": [text]}, text], "m": {"k": text}}
    assert read(dump_yaml(tree)) == tree


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Web shop", "Web shop"),
        ("it-ops", "it-ops"),
        ("no", "'no'"),
        ("1.10", "'1.10'"),
        ("on", "'on'"),
        ("null", "'null'"),
        ("1e3", "'1e3'"),
        ("*star", "'*star'"),
        ("&anchor", "'&anchor'"),
        ("!tag", "'!tag'"),
        ("a: b", "'a: b'"),
        ("it's", "it's"),
        ("'quoted'", "'''quoted'''"),
        ("", "''"),
        ("two\nlines", '"two\\nlines"'),
        ("nel\x85", '"nel\\N"'),
        ("\ufeffbom", '"\\uFEFFbom"'),
    ],
)
def test_how_strings_are_quoted(text: str, written: str) -> None:
    """Plain when nothing could misread it, single quotes if they do, double for escapes."""
    assert quote(text) == written


def test_commas_need_quotes_only_in_flow_style() -> None:
    """A description with commas is plain on its own line, quoted inside a mapping."""
    text = "Fast, right and cheap"
    written = dump_yaml({"description": text, "s": [{"name": text}]})
    assert written == f"description: {text}\ns:\n  - {{name: '{text}'}}\n"


@given(st.text())
def test_any_string_reads_back(text: str) -> None:
    """Any text, in block style, in flow style and in a list, reads back unchanged."""
    tree = {text: text, "s": [{"a": text, "b": [text]}, text], "long": [{"a": text * 9, "b": 1}]}
    assert read(dump_yaml(tree)) == tree


@given(st.floats())
def test_any_float_reads_back(value: float) -> None:
    """Any float reads back as the same number, sign of zero included."""
    back = read(dump_yaml({"x": value, "s": [{"v": value}]}))
    for found in (back["x"], back["s"][0]["v"]):
        if math.isnan(value):
            assert math.isnan(found)
        else:
            assert found == value
            assert math.copysign(1, found) == math.copysign(1, value)


@given(
    p=ivst.portfolios(max_services=4),
    target=st.floats(allow_nan=False, allow_infinity=False),
)
def test_any_target_round_trips(p: iv.Portfolio, target: float) -> None:
    """Objectives' targets, any finite float, round-trip through the YAML writer."""
    metric = iv.Metric(
        id="m",
        name="M",
        unit="%",
        perspective=iv.Perspective.INTERNAL,
        direction=iv.Direction.HIGHER_IS_BETTER,
    )
    it = p.stakeholders[0]
    sla = iv.SLA(
        id="sla",
        name="SLA",
        service="s",
        consumer=it.id,
        objectives=(iv.Objective(metric="m", target=target),),
    )
    service = iv.Service(id="s", name="S", owner=it.id)
    p = iv.Portfolio(
        name=p.name,
        stakeholders=p.stakeholders,
        services=(service,),
        metrics=(metric,),
        slas=(sla,),
    )
    text = iv.dumps(p)
    again = iv.loads(text)
    assert again == p
    assert iv.dumps(again) == text


@given(p=ivst.portfolios(text=False))
def test_flow_lines_fit_the_width(p: iv.Portfolio) -> None:
    """Every line written in flow style fits in the width; only block lines may be longer."""
    for line in iv.dumps(p).splitlines():
        body = line.lstrip(" -")
        if "{" in body or "[" in body:
            assert len(line) <= WIDTH, line
