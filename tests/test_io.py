"""Tests of documents: round trips, broken documents, hostile input, the schema."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cattrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import itvalue as iv
from itvalue.io import _parse
from itvalue.testing import strategies as ivst

FORMATS = ("yaml", "json", "toml")
HEAD = "apiVersion: itvalue/v1\nkind: Portfolio\nname: Test\n"


def problems(text: str, format: str = "yaml") -> list[tuple[str, str, str, int | None]]:
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.loads(text, format)
    return [(p.path, p.message, p.hint, p.line) for p in excinfo.value.problems]


def document_error(text: str | bytes, format: str = "yaml") -> iv.DocumentError:
    with pytest.raises(iv.DocumentError) as excinfo:
        iv.loads(text, format)
    return excinfo.value


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("format", FORMATS)
@given(p=ivst.portfolios())
def test_round_trip(format: str, p: iv.Portfolio) -> None:
    """loads(dumps(p)) == p, and dumping again gives the same bytes, for every format."""
    text = iv.dumps(p, format)
    again = iv.loads(text, format)
    assert again == p
    assert iv.dumps(again, format) == text


@given(p=ivst.portfolios(currencies=("EUR", "USD", "JPY")))
def test_to_dict_round_trip(p: iv.Portfolio) -> None:
    """The plain tree round-trips and carries the envelope."""
    tree = iv.to_dict(p)
    assert tree["apiVersion"] == "itvalue/v1"
    assert tree["kind"] == "Portfolio"
    assert iv.from_dict(tree) == p
    assert iv.converter.unstructure(p) == tree
    assert iv.converter.structure(tree, iv.Portfolio) == p


@given(p=ivst.portfolios())
def test_formats_agree(p: iv.Portfolio) -> None:
    """The three formats hold the same tree."""
    trees = [iv.to_dict(iv.loads(iv.dumps(p, f), f)) for f in FORMATS]
    assert trees[0] == trees[1] == trees[2]


def test_defaults_are_omitted(northwind: iv.Portfolio) -> None:
    """Fields at their default are left out of documents."""
    tree = iv.to_dict(northwind)
    db = tree["services"][1]
    assert "description" not in db
    assert "supports" not in db
    assert "annual_cost" not in db
    assert tree["services"][0]["supports"] == [{"process": "checkout"}]
    assert iv.dumps(iv.Portfolio(name="Empty"), "json") == (
        '{\n  "apiVersion": "itvalue/v1",\n  "kind": "Portfolio",\n  "name": "Empty"\n}\n'
    )


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json", ".toml"])
def test_dump_and_load_files(tmp_path: Path, northwind: iv.Portfolio, suffix: str) -> None:
    """Files round-trip; the format comes from the suffix."""
    path = tmp_path / f"p{suffix}"
    iv.dump(northwind, path)
    assert iv.load(path) == northwind
    assert iv.load(str(path)) == northwind
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_dump_is_atomic(
    tmp_path: Path, northwind: iv.Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while writing leaves the old file and no temporary file."""
    path = tmp_path / "p.json"
    path.write_text("old", encoding="utf-8")

    def fail(*_args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError, match="disk full"):
        iv.dump(northwind, path)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"]


@pytest.fixture
def umask() -> Iterator[int]:
    """A known umask for the test, the previous one restored after."""
    previous = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(previous)


def test_dump_keeps_an_existing_files_mode(
    tmp_path: Path, northwind: iv.Portfolio, umask: int
) -> None:
    """Rewriting a file keeps its permissions."""
    path = tmp_path / "p.yaml"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o664)
    iv.dump(northwind, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o664
    assert iv.load(path) == northwind


def test_dump_gives_a_new_file_the_umask_default(
    tmp_path: Path, northwind: iv.Portfolio, umask: int
) -> None:
    """A new file gets what any new file gets: 0o666 less the umask."""
    path = tmp_path / "new.json"
    iv.dump(northwind, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_dump_writes_through_a_symlink(tmp_path: Path, northwind: iv.Portfolio) -> None:
    """A symbolic link stays a link; the file it points to gets the text."""
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "p.toml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    iv.dump(northwind, link)
    assert link.is_symlink()
    assert iv.load(target) == northwind
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["p.toml"]


def test_explicit_format(tmp_path: Path, northwind: iv.Portfolio) -> None:
    """A format can be named when the suffix says nothing; else the content tells it."""
    path = tmp_path / "portfolio.txt"
    iv.dump(northwind, path, format="yml")
    assert iv.load(path, format="yaml") == northwind
    assert iv.load(path) == northwind
    for fmt in ("json", "toml"):
        (tmp_path / f"as-{fmt}.txt").write_text(iv.dumps(northwind, fmt))
        assert iv.load(tmp_path / f"as-{fmt}.txt") == northwind
    (tmp_path / "notes.txt").write_text("shopping list: eggs\n")
    with pytest.raises(iv.DocumentError, match="cannot tell the format"):
        iv.load(tmp_path / "notes.txt")
    with pytest.raises(iv.DocumentError, match="unknown format"):
        iv.dumps(northwind, "xml")


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is a DocumentError naming the file."""
    with pytest.raises(iv.DocumentError, match="cannot read the file") as excinfo:
        iv.load(tmp_path / "nope.yaml")
    assert excinfo.value.source is not None
    assert excinfo.value.source.endswith("nope.yaml")


# --- broken documents: every problem, with path and line ------------------------------------


def test_the_catalogue_of_broken_values() -> None:
    """Every problem of a broken document comes at once, in document order, with lines."""
    text = HEAD + (
        "stakeholders:\n"
        "  - {id: it, name: IT, kind: it}\n"
        "  - {id: Sales, name: NO, kind: relationship_ownr}\n"
        "services:\n"
        "  - id: pay\n"
        "    name: 1.10\n"
        "    owner: it\n"
        "    kind: business\n"
        "    offering: catalog\n"
        "    lifecycle: live\n"
        "    availability: 99.9\n"
        "    dependsOn: []\n"
        "    annual_cost: {amount: .inf, currency: eur}\n"
        "slas:\n"
        "  - {id: s, name: S, service: pay, consumer: it, objectives: [{metric: m, target: 1, window_days: 7.9}]}\n"
    )
    found = problems(text)
    assert found == [
        (
            "stakeholders[1].id",
            "'Sales' is not a valid id (lower-case letters, digits, '.', '_', '-'; starting with a letter or digit)",
            "try 'sales'",
            6,
        ),
        (
            "stakeholders[1].name",
            "expected a string, got boolean false",
            'quote the value: write "NO" if you mean the text',
            6,
        ),
        (
            "stakeholders[1].kind",
            "'relationship_ownr' is not one of: business_unit, internal_user, relationship_owner, sponsor, supplier, it",
            "did you mean 'relationship_owner'?",
            6,
        ),
        (
            "services[0].name",
            "expected a string, got number 1.1",
            'quote the value: write "1.10" if you mean the text',
            9,
        ),
        (
            "services[0].availability",
            "must be greater than 0 and at most 1, got 99.9",
            "write a fraction: 99.9% is 0.999",
            14,
        ),
        (
            "services[0].dependsOn",
            "unknown key 'dependsOn' in Service",
            "did you mean 'depends_on'?",
            15,
        ),
        ("services[0].annual_cost.amount", "must be a finite number, got inf", "", 16),
        (
            "services[0].annual_cost.currency",
            "'eur' is not a three-letter upper-case currency code",
            "write 'EUR'",
            16,
        ),
        ("slas[0].objectives[0].window_days", "expected a whole number, got number 7.9", "", 18),
    ]


def test_broken_references_are_reported_with_field_problems() -> None:
    """References are checked even when some entities are broken, skipping those."""
    text = HEAD + (
        "stakeholders: [{id: it, name: IT, kind: it}]\n"
        "services:\n"
        "  - {id: a, name: A, owner: itt, kind: business, offering: catalog, lifecycle: live}\n"
        "  - {id: b, name: B, owner: it, kind: busines, offering: catalog, lifecycle: live}\n"
        "  - {id: c, name: C, owner: it, kind: business, offering: catalog, lifecycle: live,\n"
        "     depends_on: [{service: b}, {service: d}]}\n"
    )
    assert [(p, m) for p, m, _h, _l in problems(text)] == [
        ("services[1].kind", "'busines' is not one of: business, technical"),
        ("services[0].owner", "'itt' names no entity; expected a stakeholder"),
        ("services[2].depends_on[1].service", "'d' names no entity; expected a service"),
    ]


def test_a_document_whose_only_problems_are_unknown_references() -> None:
    """Well-typed fields naming nothing: each reference is listed, with its path and line."""
    text = HEAD + (
        "stakeholders: [{id: it, name: IT, kind: it}]\n"
        "segments: [{id: web, name: Web, relationship_owner: sales}]\n"
        "services:\n"
        "  - {id: a, name: A, owner: it, kind: business, offering: catalog, lifecycle: live,\n"
        "     provided_by: acme, depends_on: [{service: b}, {service: c}]}\n"
        "  - {id: b, name: B, owner: it, kind: technical, offering: catalog, lifecycle: live}\n"
        "slas:\n"
        "  - id: s\n"
        "    name: S\n"
        "    service: a\n"
        "    consumer: it\n"
        "    objectives: [{metric: uptime, target: 0.99}]\n"
    )
    assert problems(text) == [
        (
            "segments[0].relationship_owner",
            "'sales' names no entity; expected a stakeholder",
            "",
            5,
        ),
        ("services[0].provided_by", "'acme' names no entity; expected a stakeholder", "", 8),
        (
            "services[0].depends_on[1].service",
            "'c' names no entity; expected a service",
            "",
            8,
        ),
        ("slas[0].objectives[0].metric", "'uptime' names no entity; expected a metric", "", 15),
    ]


def test_a_percentage_gets_the_fraction_hint() -> None:
    """'99.8%' for an availability is refused with the fraction to write instead."""
    text = HEAD + (
        "stakeholders: [{id: it, name: IT, kind: it}]\n"
        "services:\n"
        "  - {id: a, name: A, owner: it, kind: business, offering: catalog, lifecycle: live,\n"
        "     availability: 99.8%, supports: [{process: p, share: '50 %'}]}\n"
    )
    assert problems(text)[:2] == [
        (
            "services[0].availability",
            "expected a number, got string '99.8%'",
            "write a fraction: 99.8% is 0.998",
            7,
        ),
        (
            "services[0].supports[0].share",
            "expected a number, got string '50 %'",
            "write a fraction: 50% is 0.5",
            7,
        ),
    ]


def test_no_scalar_hint_for_a_list_or_a_mapping() -> None:
    """Quoting cannot turn a list or a mapping into a string: no hint says so."""
    text = HEAD + "stakeholders: [{id: {a: 1}, name: [x], kind: it}]\n"
    assert problems(text) == [
        ("stakeholders[0].id", "expected a string, got mapping a mapping", "", 4),
        ("stakeholders[0].name", "expected a string, got list a list", "", 4),
    ]


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("kind: Portfolio\nname: X\n", "apiVersion", "missing required key 'apiVersion'"),
        (
            "apiVersion: itvalue/v2\nkind: Portfolio\nname: X\n",
            "apiVersion",
            "unknown version 'itvalue/v2'; this library understands: itvalue/v1",
        ),
        ("apiVersion: itvalue/v1\nname: X\n", "kind", "missing required key 'kind'"),
        (
            "apiVersion: itvalue/v1\nkind: Folio\nname: X\n",
            "kind",
            "expected kind 'Portfolio', got 'Folio'",
        ),
        ("apiVersion: itvalue/v1\nkind: Portfolio\n", "name", "missing required key 'name'"),
        (HEAD + "services: {}\n", "services", "expected a list, got mapping a mapping"),
        (HEAD + "servics: []\n", "servics", "unknown key 'servics' in the document"),
        (HEAD + "name2: x\n", "name2", "unknown key 'name2' in the document"),
        (HEAD + "description: [1]\n", "description", "expected a string, got list a list"),
        (
            HEAD + "stakeholders: [7]\n",
            "stakeholders[0]",
            "expected a mapping for Stakeholder, got integer 7",
        ),
        (
            HEAD + "stakeholders: [{id: it, kind: it}]\n",
            "stakeholders[0].name",
            "missing required key 'name' of Stakeholder",
        ),
        (
            HEAD
            + "outcomes: [{id: o, name: O, segment: s, volume: {amount: 1, unit: x, per: fortnight}}]\n",
            "outcomes[0].volume.per",
            "'fortnight' is not one of: hour, day, week, month, quarter, year",
        ),
        (
            HEAD
            + "outcomes: [{id: o, name: O, segment: s, volume: {amount: true, unit: x, per: day}}]\n",
            "outcomes[0].volume.amount",
            "expected a number, got boolean true",
        ),
        (
            HEAD + "outcomes: [{id: o, name: O, segment: s, volume: 5}]\n",
            "outcomes[0].volume",
            "expected a mapping for Quantity, got integer 5",
        ),
        (
            HEAD + "products: [{id: p, name: P, owner: x, outcomes: a}]\n",
            "products[0].outcomes",
            "expected a list, got string 'a'",
        ),
        (
            HEAD + "products: [{id: p, name: P, owner: x, outcomes: [1]}]\n",
            "products[0].outcomes[0]",
            "expected a string, got integer 1",
        ),
    ],
)
def test_broken_documents(text: str, path: str, message: str) -> None:
    """Each broken document names the path and what is wrong."""
    found = problems(text)
    assert (path, message) in [(p, m) for p, m, _h, _l in found], found


def test_toml_and_json_problems_have_paths() -> None:
    """JSON and TOML documents report paths too (lines are YAML's)."""
    tree = {"apiVersion": "itvalue/v1", "kind": "Portfolio", "name": 3}
    assert problems(json.dumps(tree), "json") == [
        ("name", "expected a string, got integer 3", "quote the value", None)
    ]
    toml = 'apiVersion = "itvalue/v1"\nkind = "Portfolio"\nname = 1979-05-27\n'
    assert problems(toml, "toml")[0][:2] == (
        "name",
        "expected a string, got date datetime.date(1979, 5, 27)",
    )


def test_whole_numbers_as_floats_are_accepted_for_integers() -> None:
    """7.0 is an integer, as JSON Schema says; 7.9 is not."""
    text = HEAD + (
        "stakeholders: [{id: it, name: IT, kind: it}]\n"
        "services: [{id: a, name: A, owner: it, kind: business, offering: catalog, lifecycle: live}]\n"
        "metrics: [{id: m, name: M, unit: '%', perspective: internal, direction: higher_is_better}]\n"
        "slas: [{id: s, name: S, service: a, consumer: it, objectives: [{metric: m, target: 1, window_days: 7.0}]}]\n"
    )
    assert iv.loads(text).sla("s").objectives[0].window_days == 7


def test_validation_error_names_the_file(tmp_path: Path) -> None:
    """Errors from a file carry its name."""
    path = tmp_path / "bad.yaml"
    path.write_text("apiVersion: itvalue/v1\nkind: Portfolio\nname: 5\n", encoding="utf-8")
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.load(path)
    assert excinfo.value.source == str(path)
    assert str(excinfo.value).startswith(f"1 problem in {path}:")
    assert "name (line 3): expected a string" in str(excinfo.value)


def test_converter_hooks_raise_our_errors() -> None:
    """Structuring any model class through the converter raises our ValidationError."""
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.converter.structure({"amount": "1", "currency": "EUR", "x": 1}, iv.Money)
    assert [p.path for p in excinfo.value.problems] == ["amount", "x"]
    assert iv.converter.structure({"amount": 1, "currency": "EUR"}, iv.Money) == iv.Money(
        amount=1.0, currency="EUR"
    )
    assert iv.converter.unstructure(iv.Support(process="p", share=0.5)) == {
        "process": "p",
        "share": 0.5,
    }
    with pytest.raises(iv.ValidationError, match="expected a mapping at the top"):
        iv.from_dict([1, 2])


def test_configure_converter_leaves_other_types_alone() -> None:
    """Our hooks go on a user's converter without changing how it handles other types."""
    import attrs

    @attrs.frozen
    class Order:
        ref: str
        price: iv.Money

    mine = cattrs.Converter()
    iv.configure_converter(mine)
    order = mine.structure({"ref": 7, "price": {"amount": 2, "currency": "USD"}}, Order)
    assert order == Order(ref="7", price=iv.Money(amount=2.0, currency="USD"))
    assert mine.unstructure(order) == {"ref": "7", "price": {"amount": 2.0, "currency": "USD"}}
    assert cattrs.global_converter.structure("7", str) == "7"
    # Inside the user's class, cattrs groups our error with theirs, as it does for all.
    with pytest.raises(cattrs.ClassValidationError) as excinfo:
        mine.structure({"ref": "x", "price": {"amount": "2", "currency": "USD"}}, Order)
    (inner,) = excinfo.value.exceptions
    assert isinstance(inner, iv.ValidationError)
    assert inner.problems[0].path == "amount"


def test_hooks_on_the_public_converter_change_no_document(
    northwind: iv.Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What others register on itvalue.converter changes none of dumps' outputs."""
    import itvalue.io
    import itvalue.io._converter

    before = {format: iv.dumps(northwind, format) for format in FORMATS}
    tree = iv.to_dict(northwind)
    # A copy stands in for the exported converter, so the hooks leave with the test.
    public = iv.converter.copy()
    for module in (iv, itvalue.io, itvalue.io._converter):
        monkeypatch.setattr(module, "converter", public)
    iv.converter.register_unstructure_hook(iv.Money, lambda money: str(money))
    iv.converter.register_unstructure_hook(iv.Service, lambda service: service.id)
    iv.converter.register_unstructure_hook(iv.Portfolio, lambda portfolio: portfolio.name)
    iv.converter.register_structure_hook(iv.Portfolio, lambda _tree, _type: None)
    assert iv.converter.unstructure(northwind) == "Northwind Retail"
    assert {format: iv.dumps(northwind, format) for format in FORMATS} == before
    assert iv.to_dict(northwind) == tree
    assert iv.from_dict(copy.deepcopy(tree)) == northwind
    assert iv.loads(before["yaml"]) == northwind


# --- hostile input ----------------------------------------------------------------------------


def test_billion_laughs_is_refused_fast() -> None:
    """A few hundred bytes of nested aliases are refused in well under a second."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    text = "\n".join(lines) + "\n"
    assert len(text.encode()) < 500
    start = time.perf_counter()
    error = document_error(text)
    elapsed = time.perf_counter() - start
    assert "aliases expand the document" in error.reason
    assert elapsed < 0.5


def test_small_aliases_are_fine() -> None:
    """Modest use of aliases is accepted."""
    text = HEAD + "stakeholders:\n  - &it {id: it, name: IT, kind: it}\n"
    assert iv.loads(text).stakeholder("it").name == "IT"


def test_recursive_alias_is_refused() -> None:
    """A node that contains itself is refused, not followed forever."""
    error = document_error(HEAD + "description: &a [*a]\n")
    assert "nested deeper" in error.reason


@pytest.mark.parametrize(
    ("text", "format"),
    [
        ("[" * 30_000 + "]" * 30_000, "yaml"),
        ("a: " + "{x: " * 100 + "1" + "}" * 100, "yaml"),
        ("- " * 30_000 + "x", "yaml"),
        ("? " * 100 + "x", "yaml"),
        ("[" * 100_000 + "]" * 100_000, "json"),
        ('{"a": ' * 50_000 + "1" + "}" * 50_000, "json"),
        ("a = " + "[" * 50_000 + "]" * 50_000, "toml"),
    ],
)
def test_nesting_bombs(text: str, format: str) -> None:
    """Deep nesting is refused before the parser sees it, in every format."""
    error = document_error(text, format)
    assert "nested" in error.reason


def test_deep_indentation_is_refused() -> None:
    """Block nesting by indentation alone is bounded too."""
    text = "a:\n" + " " * 1000 + "b: 1\n"
    assert "indented" in document_error(text).reason


def test_brackets_inside_strings_do_not_count() -> None:
    """Brackets in quoted strings are not nesting."""
    text = HEAD + f'description: "{"[" * 200}"\n'
    assert iv.loads(text).description == "[" * 200
    doc = json.dumps({"apiVersion": "itvalue/v1", "kind": "Portfolio", "name": "{" * 200})
    assert iv.loads(doc, "json").name == "{" * 200


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("!!python/object/apply:os.system ['echo hi']", "is not allowed"),
        (HEAD + "description: !!python/name:os.system\n", "is not allowed"),
        (HEAD + "description: !custom x\n", "is not allowed"),
        (HEAD + "stakeholders: !!set {a}\n", "is not allowed"),
        (HEAD + "stakeholders: !!omap [{a: 1}]\n", "is not allowed"),
        (HEAD + "base: &b {id: x}\nstakeholders: [{<<: *b, name: X, kind: it}]\n", "merge keys"),
        (HEAD + "name: again\n", "duplicate key 'name'"),
        (HEAD + "1: x\n", "keys must be text"),
        (HEAD + "[a]: x\n", "keys must be text"),
        (HEAD + "description: 2001-13-45\n", "reads as a date, but not a valid one"),
        (HEAD + "description: 0b_\n", "reads as a number, but not a valid one"),
        ("", "the document is empty"),
        ("# only a comment\n", "the document is empty"),
        ("a: [1,\n", "not valid YAML"),
        ("a: 1\n---\nb: 2\n", "not valid YAML"),
    ],
)
def test_hostile_yaml(text: str, reason: str) -> None:
    """Tags, merge keys, duplicate keys, bad syntax and empty documents are refused."""
    assert reason in document_error(text).reason


def test_nothing_is_executed(tmp_path: Path) -> None:
    """A python tag never runs."""
    marker = tmp_path / "ran"
    document_error(f"!!python/object/apply:os.system ['touch {marker}']")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "format", "reason"),
    [
        ('{"a": 1, "a": 2}', "json", "duplicate key 'a'"),
        ('{"a": NaN}', "json", "NaN is not a number"),
        ('{"a": Infinity}', "json", "Infinity is not a number"),
        ("{", "json", "not valid JSON"),
        ("a = ", "toml", "not valid TOML"),
        ("a = 1\na = 2\n", "toml", "not valid TOML"),
    ],
)
def test_hostile_json_and_toml(text: str, format: str, reason: str) -> None:
    """JSON and TOML syntax problems are DocumentErrors."""
    assert reason in document_error(text, format).reason


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "expected a mapping at the top of the document, got list"),
        ("just text", "expected a mapping at the top of the document, got string"),
        ("42", "expected a mapping at the top of the document, got integer"),
    ],
)
def test_non_mapping_roots(text: str, message: str) -> None:
    """A document that is not a mapping is a validation problem, not a crash."""
    assert problems(text)[0][1] == message


def test_non_utf8_bytes() -> None:
    """Bytes that are not UTF-8 are refused with their offset and line."""
    error = document_error(b"apiVersion: itvalue/v1\nname: caf\xe9\n")
    assert "byte 0xe9 at offset 32" in error.reason
    assert error.line == 2


def test_utf8_bom_is_accepted() -> None:
    """A UTF-8 byte-order mark is dropped."""
    assert iv.loads(b"\xef\xbb\xbf" + HEAD.encode()).name == "Test"


def test_size_cap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Input over the cap is refused with a clear message, text, bytes or file."""
    monkeypatch.setattr(_parse, "MAX_BYTES", 100)
    big = HEAD + "description: " + "x" * 200 + "\n"
    assert "the limit is 100" in document_error(big).reason
    assert "the limit is 100" in document_error(big.encode()).reason
    path = tmp_path / "big.yaml"
    path.write_text(big, encoding="utf-8")
    with pytest.raises(iv.DocumentError, match="the limit is 100"):
        iv.load(path)


@given(st.binary(max_size=200))
def test_random_bytes_never_crash(data: bytes) -> None:
    """Whatever the bytes, loading raises only our errors."""
    for format in FORMATS:
        with contextlib.suppress(iv.ItValueError):
            iv.loads(data, format)


@given(st.text(max_size=200))
def test_random_text_never_crashes(text: str) -> None:
    """Whatever the text, loading raises only our errors."""
    for format in FORMATS:
        with contextlib.suppress(iv.ItValueError):
            iv.loads(text, format)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(["id", "name", "kind", "services", "x", "apiVersion"]),
                children,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_random_trees_never_crash(tree: Any) -> None:
    """Whatever the tree, from_dict raises only ValidationError, or gives what round-trips."""
    p: iv.Portfolio | None = None
    problems: tuple[iv.Problem, ...] = ()
    try:
        p = iv.from_dict(tree)
    except iv.ValidationError as err:
        problems = err.problems
    if p is None:
        assert problems
    else:
        for format in FORMATS:
            assert iv.loads(iv.dumps(p, format), format) == p


# --- the JSON Schema ---------------------------------------------------------------------------


def _validator() -> jsonschema.protocols.Validator:
    schema = iv.json_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@given(p=ivst.portfolios())
def test_generated_documents_validate(p: iv.Portfolio) -> None:
    """Every document we write validates against the schema."""
    assert list(_validator().iter_errors(json.loads(iv.dumps(p, "json")))) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.pop("apiVersion"),
        lambda t: t.update(apiVersion="itvalue/v9"),
        lambda t: t.update(kind="Other"),
        lambda t: t.update(extra=1),
        lambda t: t["services"][0].update(availability=0),
        lambda t: t["services"][0].update(availability=1.5),
        lambda t: t["services"][0].update(lifecycle="dead"),
        lambda t: t["services"][0].update(id="Bad Id"),
        lambda t: t["services"][0].update(name=" "),
        lambda t: t["services"][0].update(dependsOn=[]),
        lambda t: t["services"][0].pop("owner"),
        lambda t: t["services"][0]["supports"][0].update(share=0),
        lambda t: t["services"][0]["annual_cost"].update(amount=-1),
        lambda t: t["services"][0]["annual_cost"].update(currency="eur"),
        lambda t: t["outcomes"][0]["volume"].update(per="fortnight"),
        lambda t: t["outcomes"][0]["volume"].update(amount=-1),
        lambda t: t["products"][0].update(outcomes=["Bad"]),
        lambda t: t["services"][0].update(recovery_hours=0),
        lambda t: t["services"][0].update(groups=[{"name": "db", "min_up": 0}]),
        lambda t: t["services"][0].update(groups=[{"name": "db", "min_up": 1.5}]),
        lambda t: t["services"][0].update(groups=[{"min_up": 2}]),
        lambda t: t["outcomes"][0].update(max_outage_hours=-1),
        lambda t: t["services"][0].update(kind=None),
        lambda t: t.update(
            slas=[
                {
                    "id": "s",
                    "name": "S",
                    "service": "payments",
                    "consumer": "sales",
                    "objectives": [],
                }
            ]
        ),
        lambda t: t.update(
            slas=[
                {
                    "id": "s",
                    "name": "S",
                    "service": "payments",
                    "consumer": "sales",
                    "objectives": [{"metric": "m", "target": 1, "window_days": 7.5}],
                }
            ]
        ),
    ],
)
def test_schema_and_converter_agree_on_broken_documents(
    northwind: iv.Portfolio, change: Any
) -> None:
    """A broken document fails both the schema and the converter."""
    tree = iv.to_dict(northwind)
    change(tree)
    assert list(_validator().iter_errors(tree)) != []
    with pytest.raises(iv.ValidationError):
        iv.from_dict(tree)


def test_schema_shape() -> None:
    """The schema is draft 2020-12 and closed."""
    schema = iv.json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    service = schema["$defs"]["Service"]
    assert service["additionalProperties"] is False
    assert set(service["required"]) == {"id", "name", "owner"}
    assert service["properties"]["availability"] == {
        "anyOf": [{"type": "number", "exclusiveMinimum": 0, "maximum": 1}, {"type": "null"}]
    }
    assert service["properties"]["groups"] == {
        "type": "array",
        "items": {"$ref": "#/$defs/RedundancyGroup"},
    }
    assert service["properties"]["recovery_hours"] == {
        "anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "null"}]
    }
    outcome = schema["$defs"]["Outcome"]
    assert outcome["properties"]["max_outage_hours"] == service["properties"]["recovery_hours"]
    group = schema["$defs"]["RedundancyGroup"]
    assert group["required"] == ["name"]
    assert group["properties"]["min_up"] == {"type": "integer", "minimum": 1}


# --- the fast path agrees with the detailed one -------------------------------------------------


@given(p=ivst.portfolios())
def test_fast_path_agrees_with_the_detailed_path(p: iv.Portfolio) -> None:
    """Well-formed trees take the fast path, and it builds exactly what the detailed one does."""
    from itvalue.io._converter import _STRUCTURER
    from itvalue.io._fast import fast_structure

    tree = iv.to_dict(p)
    fast = fast_structure(tree)
    assert fast is not None
    assert fast == _STRUCTURER.portfolio(tree) == p
    for left, right in zip(fast.services, p.services, strict=True):
        assert type(left.availability) is type(right.availability)
        assert left.kind is right.kind


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(["id", "name", "amount", "currency", "x"]), children, max_size=3
            )
        ),
        max_leaves=12,
    )
)
def test_fast_path_never_accepts_what_the_detailed_path_refuses(value: Any) -> None:
    """Whatever sits in a service, the fast path accepts it only if the detailed path does."""
    from itvalue.io._converter import _STRUCTURER, Invalid
    from itvalue.io._fast import fast_structure

    base = iv.to_dict(iv.example())
    for key in ("availability", "annual_cost", "name", "depends_on", "extra"):
        tree = json.loads(json.dumps(base))
        tree["services"][0][key] = value
        try:
            fast = fast_structure(tree)
        except iv.ValidationError:
            fast = None
        if fast is not None:
            try:
                slow = _STRUCTURER.portfolio(tree)
            except Invalid as exc:  # pragma: no cover - a disagreement fails the test
                pytest.fail(f"fast path accepted {key}={value!r}; detailed path: {exc.problems}")
            assert slow == fast


def test_ids_and_codes_may_not_end_in_a_newline() -> None:
    """A trailing newline does not sneak past the id and currency patterns."""
    with pytest.raises(iv.ValidationError):
        iv.Stakeholder(id="it\n", name="IT", kind=iv.StakeholderKind.IT)
    with pytest.raises(iv.ValidationError):
        iv.Money(amount=1, currency="EUR\n")
    tree = iv.to_dict(iv.example())
    tree["stakeholders"][0]["id"] = "sales\n"
    with pytest.raises(iv.ValidationError):
        iv.from_dict(tree)


@given(p=ivst.portfolios())
def test_json_encoding_without_a_tree_matches_the_tree(p: iv.Portfolio) -> None:
    """dumps' direct JSON encoding writes exactly the plain tree, indented or compact."""
    tree = iv.to_dict(p)
    assert json.loads(iv.dumps(p, "json")) == tree
    compact = iv.dumps(p, "json", indent=None)
    assert "\n" not in compact.rstrip("\n")
    assert json.loads(compact) == tree
    assert iv.loads(compact, "json") == p


# --- documents written before keep their bytes -----------------------------------------------

DOCUMENTS = Path(__file__).parent / "documents"
OLD = sorted(p.stem for p in DOCUMENTS.glob("*.yaml"))


@pytest.mark.parametrize("name", OLD)
@pytest.mark.parametrize("format", ["json", "toml"])
def test_old_documents_redump_byte_identically(name: str, format: str) -> None:
    """The examples as they stood, and what dumps wrote of them, re-dump to the same bytes."""
    written = (DOCUMENTS / f"{name}.{format}").read_text("utf-8")
    assert iv.dumps(iv.load(DOCUMENTS / f"{name}.yaml"), format) == written
    assert iv.dumps(iv.loads(written, format), format) == written


def test_old_documents_are_all_there() -> None:
    """Each of the four examples is kept as it stood, with its JSON and TOML."""
    assert OLD == ["manufacturer", "northwind", "retail_holiday_peak", "utility_contact_centre"]
    for name in OLD:
        assert (DOCUMENTS / f"{name}.json").exists()
        assert (DOCUMENTS / f"{name}.toml").exists()


# --- service defaults ------------------------------------------------------------------------


def test_kind_offering_and_lifecycle_default_but_are_always_written() -> None:
    """A service may leave out kind, offering and lifecycle; every format writes them back."""
    text = HEAD + (
        "stakeholders: [{id: it, name: IT, kind: it}]\n"
        "services: [{id: db, name: Database, owner: it}]\n"
    )
    p = iv.loads(text)
    db = p.service("db")
    assert (db.kind, db.offering, db.lifecycle) == (
        iv.ServiceKind.TECHNICAL,
        iv.Offering.CATALOG,
        iv.Lifecycle.LIVE,
    )
    assert iv.to_dict(p)["services"] == [
        {
            "id": "db",
            "name": "Database",
            "owner": "it",
            "kind": "technical",
            "offering": "catalog",
            "lifecycle": "live",
        }
    ]
    for format in FORMATS:
        written = iv.dumps(p, format)
        assert written.count("technical") == written.count("catalog") == 1
        assert written.count("live") == 1
        assert iv.loads(written, format) == p
    assert iv.converter.unstructure(p) == iv.to_dict(p)


def test_the_schema_no_longer_requires_the_defaults() -> None:
    """A service without kind, offering and lifecycle validates against the schema."""
    tree = {
        "apiVersion": "itvalue/v1",
        "kind": "Portfolio",
        "name": "P",
        "stakeholders": [{"id": "it", "name": "IT", "kind": "it"}],
        "services": [{"id": "db", "name": "Database", "owner": "it"}],
    }
    assert list(_validator().iter_errors(tree)) == []
    assert iv.from_dict(tree).service("db").is_live


# --- redundancy groups, recovery times ---------------------------------------------------------

NODES = HEAD + (
    "stakeholders: [{id: it, name: IT, kind: it}]\n"
    "services:\n"
    "  - {id: node-1, name: Node 1, owner: it}\n"
    "  - {id: node-2, name: Node 2, owner: it}\n"
    "  - {id: node-3, name: Node 3, owner: it}\n"
)


def test_a_two_of_three_cluster_loads() -> None:
    """A quorum group: three members of which two must be up, in every format."""
    text = NODES + (
        "  - id: store\n"
        "    name: Store\n"
        "    owner: it\n"
        "    depends_on: [{service: node-1, group: quorum}, {service: node-2, group: quorum}, {service: node-3, group: quorum}]\n"
        "    groups: [{name: quorum, min_up: 2}]\n"
        "    recovery_hours: 4\n"
    )
    p = iv.loads(text)
    store = p.service("store")
    assert store.groups == (iv.RedundancyGroup(name="quorum", min_up=2),)
    assert store.recovery_hours == 4.0
    assert type(store.recovery_hours) is float
    assert iv.to_dict(p)["services"][3]["groups"] == [{"name": "quorum", "min_up": 2}]
    for format in FORMATS:
        assert iv.loads(iv.dumps(p, format), format) == p
    assert "    groups: [{name: quorum, min_up: 2}]\n" in iv.dumps(p)


def test_a_group_named_but_not_listed_needs_one_member() -> None:
    """Listing a group with min_up 1 means what leaving it out means; dumps keeps the list."""
    text = NODES + (
        "  - id: store\n"
        "    name: Store\n"
        "    owner: it\n"
        "    depends_on: [{service: node-1, group: pair}, {service: node-2, group: pair}]\n"
    )
    p = iv.loads(text)
    assert p.service("store").groups == ()
    listed = iv.loads(text + "    groups: [{name: pair}]\n")
    assert listed.service("store").groups == (iv.RedundancyGroup(name="pair", min_up=1),)
    assert iv.to_dict(listed)["services"][3]["groups"] == [{"name": "pair"}]


def test_broken_groups_are_reported_with_paths_and_lines() -> None:
    """Unused, repeated, too demanding and zero groups: each with its path and line."""
    text = NODES + (
        "  - id: store\n"
        "    name: Store\n"
        "    owner: it\n"
        "    depends_on: [{service: node-1, group: quorum}, {service: node-2, group: quorum}]\n"
        "    groups:\n"
        "      - {name: quorum, min_up: 3}\n"
        "      - {name: quorom}\n"
        "      - {name: quorum}\n"
        "  - id: cache\n"
        "    name: Cache\n"
        "    owner: it\n"
        "    groups: [{name: spare}]\n"
        "  - id: queue\n"
        "    name: Queue\n"
        "    owner: it\n"
        "    depends_on: [{service: node-3, group: q}]\n"
        "    groups: [{name: q, min_up: 0}]\n"
    )
    assert problems(text) == [
        ("services[5].groups[0].min_up", "must be at least 1, got 0", "", 25),
        (
            "services[3].groups[0].min_up",
            "min_up 3 but group 'quorum' has 2 members",
            "give group 'quorum' more dependencies, or lower min_up",
            14,
        ),
        (
            "services[3].groups[1].name",
            "group 'quorom' is listed but no dependency of 'store' uses it",
            "did you mean 'quorum'? groups its dependencies use: 'quorum'",
            15,
        ),
        ("services[3].groups[2].name", "group 'quorum' is listed twice", "", 16),
        (
            "services[4].groups[0].name",
            "group 'spare' is listed but no dependency of 'cache' uses it",
            "none of its dependencies names a group",
            20,
        ),
    ]


def test_group_problems_come_with_every_other_problem() -> None:
    """A document with broken fields still has its groups checked; no group is blamed for them."""
    text = NODES + (
        "  - id: store\n"
        "    name: Store\n"
        "    owner: it\n"
        "    availability: 2\n"
        "    depends_on: [{service: node-1, group: pair}]\n"
        "    groups: [{name: pair, min_up: 2}]\n"
        "  - id: queue\n"
        "    name: Queue\n"
        "    owner: it\n"
        "    depends_on: [{service: 7, group: q}]\n"
        "    groups: [{name: q}]\n"
    )
    assert [(p, m, line) for p, m, _h, line in problems(text)] == [
        ("services[3].availability", "must be greater than 0 and at most 1, got 2.0", 12),
        ("services[4].depends_on[0].service", "expected a string, got integer 7", 18),
        ("services[3].groups[0].min_up", "min_up 2 but group 'pair' has 1 member", 14),
    ]


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("recovery_hours", "0", "must be greater than 0, got 0.0"),
        ("recovery_hours", "-4", "must be greater than 0, got -4.0"),
        ("recovery_hours", ".inf", "must be a finite number, got inf"),
        ("recovery_hours", "'4h'", "expected a number, got string '4h'"),
        ("max_outage_hours", "0.0", "must be greater than 0, got 0.0"),
        ("max_outage_hours", "-1", "must be greater than 0, got -1.0"),
        ("max_outage_hours", ".nan", "must be a finite number, got nan"),
    ],
)
def test_hours_are_positive_and_finite(where: str, value: str, message: str) -> None:
    """Recovery times and tolerable outages are numbers of hours above zero."""
    text = HEAD + (
        "stakeholders: [{id: it, name: IT, kind: it}]\n"
        "segments: [{id: web, name: Web, relationship_owner: it}]\n"
        "outcomes:\n"
        "  - id: sold\n"
        "    name: Sold\n"
        "    segment: web\n"
        f"    {'max_outage_hours' if where == 'max_outage_hours' else 'description'}: {value}\n"
        "services:\n"
        "  - id: db\n"
        "    name: Database\n"
        "    owner: it\n"
        f"    {'recovery_hours' if where == 'recovery_hours' else 'description'}: {value}\n"
    )
    path = "services[0]" if where == "recovery_hours" else "outcomes[0]"
    line = 15 if where == "recovery_hours" else 10
    found = [f for f in problems(text) if f[0].endswith(where)]
    assert found == [(f"{path}.{where}", message, "", line)]


# --- availability objectives ------------------------------------------------------------------

AGREED = HEAD + (
    "stakeholders: [{id: it, name: IT, kind: it}]\n"
    "services:\n"
    "  - id: pay\n"
    "    name: Payments\n"
    "    owner: it\n"
    "metrics:\n"
    "  - {id: uptime, name: Uptime, unit: '%', perspective: internal, direction: higher_is_better}\n"
    "  - {id: latency, name: Latency, unit: ms, perspective: internal, direction: lower_is_better}\n"
    "slas:\n"
    "  - id: pay-sla\n"
    "    name: Payments SLA\n"
    "    service: pay\n"
    "    consumer: it\n"
    "    objectives:\n"
    "      - {metric: latency, target: 250}\n"
    "      - {metric: uptime, target: 99.95}\n"
)
AVAILABILITY = "direction: higher_is_better, measures: availability}"


def test_percent_targets_on_a_metric_measuring_nothing_named_still_load() -> None:
    """A metric that does not say what it measures keeps any target, as before."""
    p = iv.loads(AGREED)
    assert p.metric("uptime").measures is None
    assert p.sla("pay-sla").objectives[1].target == 99.95


def test_a_metric_measuring_availability_loads_with_fraction_targets() -> None:
    """A fraction target on an availability metric loads, in every format, and round-trips."""
    text = AGREED.replace("direction: higher_is_better}", AVAILABILITY).replace("99.95", "0.9995")
    p = iv.loads(text)
    assert p.metric("uptime").measures is iv.Measure.AVAILABILITY
    assert p.sla("pay-sla").objectives[1].target == 0.9995
    assert "measures: availability" in iv.dumps(p)
    for format in FORMATS:
        assert iv.loads(iv.dumps(p, format), format) == p


def test_a_percent_target_on_an_availability_metric_is_refused_with_its_line() -> None:
    """The objective's target is reported where it stands, with the fraction check's words."""
    text = AGREED.replace("direction: higher_is_better}", AVAILABILITY)
    assert problems(text) == [
        (
            "slas[0].objectives[1].target",
            "must be greater than 0 and at most 1, got 99.95",
            "write a fraction: 99.95% is 0.9995",
            19,
        )
    ]
    # The latency target on the same SLA is no fraction either, and needs none.
    for bad, message in [("0", "got 0.0"), ("-0.5", "got -0.5"), ("1.01", "got 1.01")]:
        ((path, said, _hint, line),) = problems(text.replace("99.95", bad))
        assert (path, line) == ("slas[0].objectives[1].target", 19)
        assert said == f"must be greater than 0 and at most 1, {message}"


def test_availability_targets_are_reported_with_every_other_problem() -> None:
    """A document with broken fields still has its availability targets checked."""
    text = AGREED.replace("direction: higher_is_better}", AVAILABILITY).replace(
        "    owner: it\n", "    owner: it\n    availability: 99.9\n"
    )
    assert [(p, m, line) for p, m, _h, line in problems(text)] == [
        ("services[0].availability", "must be greater than 0 and at most 1, got 99.9", 9),
        ("slas[0].objectives[1].target", "must be greater than 0 and at most 1, got 99.95", 20),
    ]


def test_the_format_reference_shows_what_loading_says() -> None:
    """The availability example of the format reference loads, and its broken twin says so."""
    page = (Path(__file__).parent.parent / "docs" / "reference" / "format.md").read_text("utf-8")
    section = page.split("## Metrics that measure availability", 1)[1].split("\n## ", 1)[0]
    (_yaml, text), (_plain, shown) = re.findall(r"^```(\w*)\n(.*?)^```", section, re.M | re.S)
    assert iv.loads(text).metric("uptime").measures is iv.Measure.AVAILABILITY
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.loads(text.replace("0.9995", "99.95"), source="shop.yaml")
    assert str(excinfo.value) + "\n" == shown


def test_reading_a_document_needs_no_cattrs() -> None:
    """cattrs is imported for writing and for ``converter``, not to read a document."""
    import subprocess
    import sys

    code = (
        "import sys, itvalue; itvalue.example(); "
        "print('cattrs' in sys.modules); itvalue.converter; print('cattrs' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_the_io_modules_name_only_what_they_have() -> None:
    from itvalue.io import _converter

    for module in (iv.io, _converter):
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            _ = module.nope
