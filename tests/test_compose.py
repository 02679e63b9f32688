"""Composition: overlays, several portfolios, sources recognised by content, and the CLI."""

from __future__ import annotations

import json
import pickle
import tempfile
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import itvalue as iv
from itvalue._commands import app
from itvalue.importers import recognise
from itvalue.io._parse import parse_documents
from itvalue.testing import strategies as ivs

NORTHWIND = Path("examples/northwind.yaml")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def overlay_file(tmp_path: Path, body: str, name: str = "overlay.yaml") -> Path:
    return write(tmp_path / name, "apiVersion: itvalue/v1\nkind: Overlay\n" + body)


def by_id(portfolio: iv.Portfolio) -> dict[str, Any]:
    """Every entity by id, so that portfolios compare whatever the order of entities."""
    return {i: portfolio.get(i) for i in portfolio.ids}


# --- the merge rules ------------------------------------------------------------------


def test_overlay_replaces_scalars_and_extends_lists(tmp_path: Path) -> None:
    """Given fields replace; lists gain new targets; an item for a listed target replaces it."""
    base = iv.load(NORTHWIND)
    payments = base.service("payments")
    path = overlay_file(
        tmp_path,
        "processes:\n"
        "  - {id: fulfil, name: Fulfil, owner: sales, enables: [webshop]}\n"
        "services:\n"
        "  - id: payments\n"
        "    availability: 0.95\n"
        "    recovery_hours: 2\n"
        "    supports: [{process: fulfil, share: 0.25}, {process: checkout, share: 0.5}]\n",
    )
    composed = iv.load(NORTHWIND, path)
    changed = composed.service("payments")
    assert changed.availability == 0.95
    assert changed.recovery_hours == 2.0
    assert changed.name == payments.name
    assert changed.depends_on == payments.depends_on
    old = {s.process: s.share for s in payments.supports}
    new = {s.process: s.share for s in changed.supports}
    assert old == {"checkout": 1.0}
    assert new == {"checkout": 0.5, "fulfil": 0.25}
    # Everything else is untouched.
    untouched = {k: v for k, v in by_id(composed).items() if k not in ("payments", "fulfil")}
    assert untouched == {k: v for k, v in by_id(base).items() if k != "payments"}


def test_string_lists_extend_without_repeats(tmp_path: Path) -> None:
    """Product outcomes and process enables gain new ids; ids listed already stay once."""
    base = iv.load(NORTHWIND)
    product = base.products[0]
    extra = base.outcomes[-1].id
    path = overlay_file(
        tmp_path,
        f"products:\n  - {{id: {product.id}, outcomes: [{product.outcomes[0]}, {extra}]}}\n",
    )
    outcomes = iv.load(NORTHWIND, path).product(product.id).outcomes
    assert outcomes == tuple(dict.fromkeys((*product.outcomes, extra)))


def test_new_entity_from_an_overlay(tmp_path: Path) -> None:
    """A new id that is a complete entity is added, after the entities already there."""
    path = overlay_file(
        tmp_path,
        "services:\n  - {id: cdn, name: Content delivery, owner: it-ops, availability: 0.9999}\n"
        "  - {id: payments, depends_on: [{service: cdn}]}\n",
    )
    composed = iv.load(NORTHWIND, path)
    assert composed.services[-1].id == "cdn"
    assert "cdn" in {d.service for d in composed.service("payments").depends_on}
    assert composed.graph().impact("cdn").outcomes


def test_incomplete_new_entity_names_its_file_and_line(tmp_path: Path) -> None:
    """A new id missing required fields is reported at the overlay's line, with a hint."""
    path = overlay_file(
        tmp_path,
        "services:\n  - id: payments\n    availability: 0.9\n  - id: brand-new\n    name: New\n",
    )
    with pytest.raises(iv.ValidationError) as caught:
        iv.load(NORTHWIND, path)
    (problem,) = caught.value.problems
    assert problem.source == str(path)
    assert problem.line == 6
    assert problem.path == "services[1].owner"
    assert "owner" in problem.message
    assert "no earlier source has this id" in problem.hint


def test_every_problem_at_once_each_with_its_source(tmp_path: Path) -> None:
    """Problems in several files are reported together, each naming its own file and line."""
    first = overlay_file(
        tmp_path, "services:\n  - {id: payments, availability: 2}\n", name="a.yaml"
    )
    second = overlay_file(
        tmp_path,
        "services:\n  - id: payments\n    depends_on: [{service: nowhere}]\n",
        name="b.yaml",
    )
    with pytest.raises(iv.ValidationError) as caught:
        iv.load(NORTHWIND, first, second)
    found = {(p.source, p.line, p.path) for p in caught.value.problems}
    assert (str(first), 4, "services[0].availability") in found
    assert (str(second), 5, "services[0].depends_on[0].service") in found
    assert "nowhere" in str(caught.value)
    assert str(first) in str(caught.value)
    assert str(second) in str(caught.value)


def test_two_portfolios_add_up(tmp_path: Path) -> None:
    """Two portfolio documents with different entities compose into one with all of them."""
    whole = iv.load(NORTHWIND)
    tree = iv.to_dict(whole)
    business = {k: v for k, v in tree.items() if k not in ("services", "slas", "metrics")}
    it = {
        "apiVersion": "itvalue/v1",
        "kind": "Portfolio",
        "name": whole.name,
        "stakeholders": tree["stakeholders"],  # the same entities, given twice
        "services": tree["services"],
    }
    a = write(tmp_path / "business.json", json.dumps(business))
    b = write(tmp_path / "it.json", json.dumps(it))
    composed = iv.load(a, b)
    assert composed.name == whole.name
    left_out = {m.id for m in whole.metrics} | {a.id for a in whole.slas}
    assert set(by_id(composed)) == whole.ids - left_out


def test_conflicting_portfolios_name_both_sources_and_the_field(tmp_path: Path) -> None:
    """The same id twice with different fields names both files and the field."""
    tree = iv.to_dict(iv.load(NORTHWIND))
    a = write(tmp_path / "a.yaml", iv.dumps(iv.from_dict(tree)))
    tree["services"][0]["availability"] = 0.5
    b = write(tmp_path / "b.yaml", iv.dumps(iv.from_dict(tree)))
    with pytest.raises(iv.ValidationError) as caught:
        iv.load(a, b)
    (problem,) = caught.value.problems
    assert problem.source == str(b)
    assert "availability" in problem.message
    assert str(a) in problem.message
    assert "0.5" in problem.message


def test_defaults_written_or_not_are_the_same_entity(tmp_path: Path) -> None:
    """A field at its default, written in one file and left out in another, is no conflict."""
    a = write(
        tmp_path / "a.yaml",
        "apiVersion: itvalue/v1\nkind: Portfolio\nname: A\n"
        "stakeholders: [{id: it, name: IT, kind: it}]\n"
        "services: [{id: s, name: S, owner: it}]\n",
    )
    b = write(
        tmp_path / "b.yaml",
        "apiVersion: itvalue/v1\nkind: Portfolio\nname: B\n"
        "stakeholders: [{id: it, name: IT, kind: it, description: ''}]\n"
        "services: [{id: s, name: S, owner: it, kind: technical, lifecycle: live,"
        " depends_on: []}]\n",
    )
    composed = iv.load(a, b)
    assert composed.name == "A"
    assert len(composed.services) == 1


def test_names_of_compositions(tmp_path: Path) -> None:
    """The first portfolio names the result; an overlay's name renames it; else the file."""
    renamed = overlay_file(tmp_path, "name: Northwind after the move\n", name="renamed.yaml")
    assert iv.load(NORTHWIND, renamed).name == "Northwind after the move"
    whole = iv.to_dict(iv.load(NORTHWIND))
    whole["kind"] = "Overlay"
    del whole["name"]
    alone = write(tmp_path / "catalog-2026.json", json.dumps(whole))
    assert iv.load(alone).name == "catalog-2026"
    assert iv.load(alone, renamed).name == "Northwind after the move"


@pytest.mark.parametrize("fmt", ["yaml", "json", "toml"])
def test_overlays_in_every_format(tmp_path: Path, fmt: str) -> None:
    """An overlay dumps and reads back in each format, and composes the same."""
    overlay = iv.Overlay(
        name="Faster payments",
        sections={
            "services": [
                {"id": "payments", "recovery_hours": 2, "supports": [{"process": "checkout"}]}
            ]
        },
    )
    path = tmp_path / f"overlay.{fmt}"
    iv.dump(overlay, path)
    read = iv.read(path)
    assert isinstance(read, iv.Overlay)
    assert read.sections == overlay.sections
    assert read.name == overlay.name
    assert read.origins[("services", "payments")].source == str(path)
    assert iv.load(NORTHWIND, path) == iv.compose(iv.load(NORTHWIND), overlay)


def test_overlay_schema() -> None:
    """The overlay schema accepts partial entries and refuses an entry without an id."""
    schema = iv.json_schema("Overlay")
    jsonschema.Draft202012Validator.check_schema(schema)
    good = {
        "apiVersion": "itvalue/v1",
        "kind": "Overlay",
        "services": [{"id": "payments", "availability": 0.99}],
    }
    jsonschema.validate(good, schema)
    for bad in (
        {**good, "services": [{"availability": 0.99}]},
        {**good, "services": [{"id": "payments", "availability": 2}]},
        {**good, "kind": "Portfolio"},
        {**good, "colour": "blue"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
    with pytest.raises(ValueError, match="kind must be"):
        iv.json_schema("Catalog")


def test_overlay_envelope_problems_have_lines(tmp_path: Path) -> None:
    """A malformed overlay is refused with every problem, each with its line."""
    path = write(
        tmp_path / "bad.yaml",
        "apiVersion: itvalue/v1\nkind: Overlay\nname: 5\nservise: []\n"
        "services:\n  - {availability: 0.9}\n  - just text\n",
    )
    with pytest.raises(iv.ValidationError) as caught:
        iv.load(NORTHWIND, path)
    lines = {(p.path, p.line) for p in caught.value.problems}
    assert ("name", 3) in lines
    assert ("servise", 4) in lines
    assert ("services[0]", 6) in lines
    assert ("services[1]", 7) in lines
    assert any("did you mean 'services'" in p.hint for p in caught.value.problems)
    with pytest.raises(iv.ValidationError):
        iv.read(path)


def test_overlay_object_checks_its_sections() -> None:
    """An Overlay made in Python refuses unknown sections and entries without ids."""
    with pytest.raises(iv.ValidationError, match="unknown section"):
        iv.Overlay(sections={"servers": [{"id": "x"}]})
    with pytest.raises(iv.ValidationError, match="needs an id"):
        iv.Overlay(sections={"services": [{"name": "x"}]})
    overlay = iv.Overlay(sections={"services": [{"id": "x", "depends_on": [{"service": "y"}]}]})
    with pytest.raises(TypeError):
        overlay.sections["services"][0]["id"] = "z"
    assert pickle.loads(pickle.dumps(overlay)) == overlay


def test_compose_refuses_other_things() -> None:
    """compose takes portfolios and overlays only."""
    with pytest.raises(TypeError, match="Portfolio or an Overlay"):
        iv.compose(iv.example("northwind"), {"services": []})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="at least one source"):
        iv.load()


def test_source_warning_is_data() -> None:
    """A SourceWarning compares, hashes, pickles and prints with its code and place."""
    w = iv.SourceWarning("2 APIs left out", code="x-unmapped", source="cat.yaml", line=3, hint="h")
    same = iv.SourceWarning(
        "2 APIs left out", code="x-unmapped", source="cat.yaml", line=3, hint="h"
    )
    assert w == same
    assert hash(w) == hash(same)
    assert pickle.loads(pickle.dumps(w)) == w
    assert str(w) == "cat.yaml, line 3: 2 APIs left out [x-unmapped] [hint: h]"
    assert str(iv.SourceWarning("m", code="c")) == "m [c]"
    assert str(iv.SourceWarning("m", code="c", line=2)) == "line 2: m [c]"
    assert w != "2 APIs left out"
    assert isinstance(w, UserWarning)


def test_imported_warnings_are_issued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """load issues what an importer could not map through the warnings module."""
    catalog = write(tmp_path / "catalog.yaml", "apiVersion: backstage.io/v1alpha1\nkind: API\n")
    warning = iv.SourceWarning("1 API left out", code="backstage-unmapped-kind", source="c")
    extra = iv.Overlay(
        sections={"services": [{"id": "cdn", "name": "CDN", "owner": "it-ops"}]},
        warnings=(warning,),
        origins={("services", "cdn"): iv.Origin(source=str(catalog), line=1)},
    )
    seen: list[Any] = []

    def fake(path: Any, format: str, *, known: Any = None) -> iv.Overlay:
        seen.append((format, known is not None and "payments" in known["services"]))
        return extra

    monkeypatch.setattr("itvalue.importers.read_foreign", fake)
    with pytest.warns(iv.SourceWarning, match="1 API left out"):
        composed = iv.load(NORTHWIND, catalog)
    assert composed.service("cdn").name == "CDN"
    assert seen == [("backstage", True)]


# --- sources recognised by content --------------------------------------------------------


def test_recognise(tmp_path: Path) -> None:
    """Folders, XML, Backstage and OpenSLO documents and CSV tables are told apart."""
    assert recognise(tmp_path) == "backstage"
    assert recognise(NORTHWIND) is None
    assert recognise(tmp_path / "missing.yaml") is None
    assert (
        recognise(write(tmp_path / "a.yaml", "apiVersion: backstage.io/v1beta1\n")) == "backstage"
    )
    assert recognise(write(tmp_path / "b.json", '{"apiVersion": "backstage.io/v1alpha1"}')) == (
        "backstage"
    )
    assert recognise(write(tmp_path / "c.yml", "- apiVersion: openslo/v1\n")) == "openslo"
    assert recognise(write(tmp_path / "d.csv", "name,owner\n")) == "cmdb"
    assert recognise(write(tmp_path / "e.yaml", "apiVersion: other.io/v1\n")) is None
    xml = '<?xml version="1.0"?>\n<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"/>'
    assert recognise(write(tmp_path / "f.xml", xml)) == "archimate"
    with pytest.raises(iv.DocumentError, match="not an ArchiMate model"):
        recognise(write(tmp_path / "g.xml", "<html></html>"))


def test_parse_documents_reads_a_stream_with_the_same_guards() -> None:
    """Several YAML documents are read in order, empty ones skipped, every limit kept."""
    docs = parse_documents("a: 1\n---\n---\nb: [2]\n", "yaml", source="s.yaml")
    assert [tree for tree, _locate in docs] == [{"a": 1}, {"b": [2]}]
    assert docs[1][1](("b", 0))[0] == 4
    assert parse_documents('{"a": 1}', "json") == [
        ({"a": 1}, parse_documents('{"a": 1}', "json")[0][1])
    ]
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{c}: &{c} [{','.join(['*' + p] * 10)}]\n"
        for p, c in zip("abcdefg", "bcdefgh", strict=True)
    )
    with pytest.raises(iv.DocumentError, match="aliases expand"):
        parse_documents("ok: 1\n---\n" + bomb, "yaml")
    with pytest.raises(iv.DocumentError, match="tag"):
        parse_documents("ok: 1\n---\n!!python/object:os.system {}\n", "yaml")
    with pytest.raises(iv.DocumentError, match="not valid YAML") as caught:
        parse_documents("ok: 1\n---\n[unclosed\n", "yaml", source="s.yaml")
    assert caught.value.source == "s.yaml"


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(portfolio=ivs.portfolios(), data=st.data())
def test_any_split_composes_back(portfolio: iv.Portfolio, data: st.DataObject) -> None:
    """A portfolio split into two overlapping portfolio documents composes back to itself."""
    tree = iv.to_dict(portfolio)
    first: dict[str, Any] = {"apiVersion": "itvalue/v1", "kind": "Portfolio", "name": tree["name"]}
    second = dict(first)
    for section in (
        "stakeholders",
        "segments",
        "outcomes",
        "products",
        "processes",
        "value_streams",
        "services",
        "metrics",
        "slas",
    ):
        for entry in tree.get(section, []):
            where = data.draw(st.sampled_from(["first", "second", "both"]))
            for part, name in ((first, "first"), (second, "second")):
                if where in (name, "both"):
                    part.setdefault(section, []).append(entry)
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / "first.json", Path(folder) / "second.json"]
        for path, part in zip(paths, (first, second), strict=True):
            path.write_text(json.dumps(part), encoding="utf-8")
        composed = iv.load(*paths)
    assert by_id(composed) == by_id(portfolio)


@settings(max_examples=30, deadline=None)
@given(portfolio=ivs.portfolios(), data=st.data())
def test_an_overlay_of_what_is_there_changes_nothing(
    portfolio: iv.Portfolio, data: st.DataObject
) -> None:
    """Restating any subset of any entity's fields, as they are, leaves the portfolio equal."""
    tree = iv.to_dict(portfolio)
    sections: dict[str, list[dict[str, Any]]] = {}
    for section, entries in tree.items():
        if not isinstance(entries, list):
            continue
        for entry in entries:
            keys = data.draw(st.sets(st.sampled_from(sorted(entry))))
            sections.setdefault(section, []).append(
                {"id": entry["id"], **{k: entry[k] for k in keys}}
            )
    assert iv.compose(portfolio, iv.Overlay(sections=sections)) == portfolio


# --- the command line -------------------------------------------------------------------


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_commands_take_several_sources(tmp_path: Path) -> None:
    """Every command that reads a portfolio composes its sources first."""
    path = overlay_file(
        tmp_path,
        "services:\n  - {id: cdn, name: Content delivery, owner: it-ops}\n"
        "  - {id: payments, depends_on: [{service: cdn}]}\n",
    )
    code, out, _ = run("trace", NORTHWIND, path, "cdn")
    assert code == 0
    assert "Content delivery" in out
    code, out, _ = run("impact", NORTHWIND, path, "cdn", "--format", "json")
    assert code == 0
    assert json.loads(out)["failed"] == ["cdn"]
    code, out, _ = run("rank", NORTHWIND, path, "--format", "json")
    assert code == 0
    assert "cdn" in out
    code, out, _ = run("report", NORTHWIND, path)
    assert code == 0
    assert "Content delivery" in out
    code, out, _ = run("check", NORTHWIND, path, "--format", "json")
    assert code in (0, 1)
    assert json.loads(out)["file"] == f"{NORTHWIND} {path}"
    code, out, _ = run("sla", NORTHWIND, path, "--format", "json")
    assert code in (0, 1)
    assert "slas" in json.loads(out)
    code, out, _ = run("export", NORTHWIND, path, "--to", "mermaid")
    assert code == 0
    assert "cdn" in out


def test_cli_problems_name_their_files(tmp_path: Path) -> None:
    """A composed document's problems are printed with each file and line."""
    path = overlay_file(tmp_path, "services:\n  - {id: payments, availability: 7}\n")
    code, _out, err = run("report", NORTHWIND, path)
    assert code == 2
    assert f"{path}:4: services[0].availability" in err


def test_cli_import_writes_the_composition(tmp_path: Path) -> None:
    """import writes the composed portfolio, which loads back equal (any format)."""
    path = overlay_file(tmp_path, "services:\n  - {id: payments, recovery_hours: 3}\n")
    code, out, _ = run("import", NORTHWIND, path)
    assert code == 0
    assert iv.loads(out) == iv.load(NORTHWIND, path)
    for suffix in ("yaml", "json", "toml"):
        target = tmp_path / f"composed.{suffix}"
        code, _out, err = run("import", NORTHWIND, path, "-o", target)
        assert code == 0
        assert f"wrote {target}" in err
        assert iv.load(target) == iv.load(NORTHWIND, path)
    code, _out, err = run("import", tmp_path / "missing.yaml")
    assert code == 2
    assert "cannot read the file" in err


def test_cli_prints_importer_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """import lists every warning; other commands say how many there were."""
    catalog = write(tmp_path / "catalog.yaml", "apiVersion: backstage.io/v1alpha1\nkind: API\n")
    extra = iv.Overlay(
        warnings=(
            iv.SourceWarning("3 APIs left out", code="backstage-unmapped-kind"),
            iv.SourceWarning("1 Domain left out", code="backstage-unmapped-kind"),
        )
    )
    monkeypatch.setattr("itvalue.importers.read_foreign", lambda *a, **k: extra)
    code, _out, err = run("import", NORTHWIND, catalog)
    assert code == 0
    assert "warning: 3 APIs left out [backstage-unmapped-kind]" in err
    assert "warning: 1 Domain left out" in err
    code, _out, err = run("report", NORTHWIND, catalog)
    assert code == 0
    assert "2 things in the sources could not be mapped" in err
    assert "itvalue import" in err


def test_cli_overlay_schema() -> None:
    """schema --kind overlay prints the overlay's schema."""
    code, out, _ = run("schema", "--kind", "overlay")
    assert code == 0
    assert json.loads(out)["title"] == "itvalue overlay document"


def test_cli_argument_errors(tmp_path: Path) -> None:
    """trace and impact need ids after the sources; sla takes one id at most."""
    assert run("trace", NORTHWIND)[0] == 2
    assert run("impact", NORTHWIND)[0] == 2
    code, _out, err = run("sla", NORTHWIND, "one", "two")
    assert code == 2
    assert "one SLA id at most" in err


def test_no_warning_leaks() -> None:
    """Loading a plain document issues no warning at all."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        iv.load(NORTHWIND)


def test_cli_maps_a_catalog_lifecycle(tmp_path: Path) -> None:
    """--lifecycle VALUE=LIFECYCLE reaches the Backstage importer; without it, a clear error."""
    catalog = write(
        tmp_path / "catalog.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        "metadata: {name: shop}\nspec: {type: service, lifecycle: beta, owner: team-a}\n",
    )
    code, _out, err = run("import", catalog)
    assert code == 2
    assert "--lifecycle beta=live" in err
    code, out, _err = run("--lifecycle", "beta=retired", "import", catalog)
    assert code == 0
    assert "lifecycle: retired" in out
    code, _out, err = run("--lifecycle", "beta", "import", catalog)
    assert code == 2
    assert "VALUE=LIFECYCLE" in err
    composed = iv.load(catalog, options={"backstage": {"lifecycles": {"beta": "live"}}})
    assert composed.service("shop").is_live


def test_an_overlay_listed_too_early_is_refused(tmp_path: Path) -> None:
    """An overlay before the portfolio it changes is an error saying to list it after."""
    path = overlay_file(tmp_path, "services:\n  - {id: payments, availability: 0.95}\n")
    with pytest.raises(iv.ValidationError) as caught:
        iv.load(path, NORTHWIND)
    (problem,) = caught.value.problems
    assert problem.source == str(NORTHWIND)
    assert "'availability': 0.999 here, 0.95 there" in problem.message
    assert f"list {path} after {NORTHWIND}" in problem.hint
    # Fields the overlay gives as the portfolio has them are no conflict, and the
    # rest of the portfolio's entity completes it.
    same = overlay_file(tmp_path, "services:\n  - {id: payments, availability: 0.999}\n", "s.yaml")
    assert iv.load(same, NORTHWIND) == iv.load(NORTHWIND)


def test_conflicts_name_the_nested_field(tmp_path: Path) -> None:
    """A difference inside a mapping or list names the inner field and both values."""
    tree = iv.to_dict(iv.load(NORTHWIND))
    tree["outcomes"][0]["unit_value"]["amount"] = 43
    tree["services"][0]["depends_on"] = [{"service": "db-a"}]
    other = write(tmp_path / "other.json", json.dumps(tree))
    with pytest.raises(iv.ValidationError) as caught:
        iv.load(NORTHWIND, other)
    messages = [p.message for p in caught.value.problems]
    assert any("'unit_value.amount': 43 here, 42.0 there" in m for m in messages)
    assert any('\'depends_on\': [{"service": "db-a", "group": null}] here' in m for m in messages)


def test_a_mistyped_new_id_gets_a_close_match(tmp_path: Path) -> None:
    """An incomplete new entity whose id is close to one composed already says which."""
    path = overlay_file(tmp_path, "services:\n  - {id: paymnets, recovery_hours: 2}\n")
    with pytest.raises(iv.ValidationError) as caught:
        iv.load(NORTHWIND, path)
    assert all("did you mean 'payments'?" in p.hint for p in caught.value.problems)


def test_format_names_agree() -> None:
    """report takes md as well as markdown, and case markdown as well as md."""
    assert run("report", NORTHWIND, "-f", "md")[1] == run("report", NORTHWIND)[1]
