"""Tests of the CMDB importer: the sample export, every mapping rule, hostile CSV."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import itvalue as iv
from itvalue.importers import cmdb, recognise
from itvalue.io import _parse
from itvalue.report import build_report, render_markdown

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "examples" / "cmdb"
SERVICES = SAMPLE / "services.csv"
RELATIONSHIPS = SAMPLE / "relationships.csv"
BUSINESS = SAMPLE / "business.yaml"
HEADER = "sys_id,name,sys_class_name,operational_status,install_status,owned_by,vendor\n"


def write(tmp_path: Path, text: str | bytes, name: str = "table.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8", newline="")
    return path


def read(tmp_path: Path, text: str | bytes, **options: Any) -> iv.Overlay:
    return cmdb.read(write(tmp_path, text), **options)


def error(tmp_path: Path, text: str | bytes, **options: Any) -> iv.DocumentError:
    with pytest.raises(iv.DocumentError) as excinfo:
        read(tmp_path, text, **options)
    return excinfo.value


def services(overlay: iv.Overlay) -> dict[str, Mapping[str, Any]]:
    return {entry["id"]: entry for entry in overlay.entries("services")}


def codes(overlay: iv.Overlay) -> list[str]:
    return [w.code for w in overlay.warnings]


def known_of(overlay: iv.Overlay) -> dict[str, dict[str, Any]]:
    """What a composition holds after one overlay: section → id → fields."""
    return {
        section: {entry["id"]: dict(entry) for entry in entries}
        for section, entries in overlay.sections.items()
    }


# --- the sample export ----------------------------------------------------------------


def test_the_sample_services_table() -> None:
    """Ids, kinds, lifecycles, owners and suppliers of the sample follow the mapping."""
    assert recognise(SERVICES) == "cmdb"
    overlay = cmdb.read(SERVICES)
    assert overlay.warnings == ()
    found = services(overlay)
    assert list(found) == [
        "online-store",
        "checkout",
        "payment-gateway",
        "product-catalog-api",
        "web-farm",
        "web01",
        "web02",
        "orders-sql-cluster",
        "orders-db-primary",
        "orders-db-replica",
        "warehouse-sync",
        "legacy-order-portal",
    ]
    assert dict(found["checkout"]) == {
        "id": "checkout",
        "name": "Checkout",
        "description": "Basket, payment and order placement",
        "owner": "digital-commerce",
        "kind": "business",
        "offering": "catalog",
        "lifecycle": "live",
    }
    assert found["payment-gateway"]["kind"] == "technical"
    assert found["payment-gateway"]["owner"] == "web-platform"  # owned_by empty
    assert found["payment-gateway"]["provided_by"] == "paystream"
    lifecycles = {ident: entry["lifecycle"] for ident, entry in found.items()}
    assert lifecycles["orders-db-replica"] == "live"  # DR Standby
    assert lifecycles["warehouse-sync"] == "proposed"  # Pipeline, On Order
    assert lifecycles["legacy-order-portal"] == "retired"
    assert [(s["id"], s["kind"]) for s in overlay.entries("stakeholders")] == [
        ("digital-commerce", "it"),
        ("web-platform", "it"),
        ("paystream", "supplier"),
        ("infrastructure", "it"),
        ("database-team", "it"),
    ]
    assert overlay.origins[("services", "checkout")] == iv.Origin(source=str(SERVICES), line=3)


def test_the_sample_relationships_become_dependencies() -> None:
    """Relationships point from parent to child; clusters are redundancy groups."""
    overlay = cmdb.read(RELATIONSHIPS, known=known_of(cmdb.read(SERVICES)))
    assert overlay.warnings == ()
    found = services(overlay)
    assert found["checkout"]["depends_on"] == (
        {"service": "payment-gateway"},
        {"service": "orders-sql-cluster"},
        {"service": "web-farm"},
    )
    assert found["web-farm"]["depends_on"] == (
        {"service": "web01", "group": "cluster-of"},
        {"service": "web02", "group": "cluster-of"},
    )
    assert overlay.origins[("services", "web-farm")].line == 8


def test_the_sample_composes_into_a_report_with_figures() -> None:
    """CMDB tables and the business overlay make a portfolio the report can value."""
    portfolio = iv.load(SERVICES, RELATIONSHIPS, BUSINESS)
    assert portfolio.name == "Harbour Outfitters"
    checkout = portfolio.get("checkout")
    assert isinstance(checkout, iv.Service)
    assert checkout.availability == 0.999
    owner = portfolio.get("digital-commerce")
    assert isinstance(owner, iv.Stakeholder)
    assert owner.kind is iv.StakeholderKind.BUSINESS_UNIT
    text = render_markdown(build_report(portfolio))
    assert "| Order placed online | Online shoppers | 12,000 orders a month | €38 |" in text
    assert "| Checkout | 16 orders fewer | about €625 |" in text
    assert "Legacy Order Portal (retired)" in text
    # Redundancy: one web server down stops nothing; the whole farm does.
    graph = portfolio.graph()
    assert graph.impact("web01").outcomes["order-placed"].delivered == 1.0
    assert graph.impact(["web01", "web02"]).outcomes["order-placed"].delivered == 0.0


def test_the_composed_sample_round_trips(tmp_path: Path) -> None:
    """The overlays dump and read back the same; the portfolio dumps and loads the same."""
    overlay = cmdb.read(SERVICES)
    dumped = tmp_path / "services.yaml"
    iv.dump(overlay, dumped)
    again = iv.read(dumped)
    assert isinstance(again, iv.Overlay)
    assert again.sections == overlay.sections
    portfolio = iv.load(SERVICES, RELATIONSHIPS, BUSINESS)
    assert iv.loads(iv.dumps(portfolio)) == portfolio
    assert iv.load(dumped, RELATIONSHIPS, BUSINESS) == portfolio


def test_reimporting_an_export_keeps_ids_and_adds_nothing_twice(tmp_path: Path) -> None:
    """Ids are stable: an export read over its earlier import changes it in place."""
    earlier = tmp_path / "earlier.yaml"
    iv.dump(iv.load(SERVICES, RELATIONSHIPS, BUSINESS), earlier)
    again = iv.load(earlier, SERVICES, RELATIONSHIPS)
    assert again == iv.load(SERVICES, RELATIONSHIPS, BUSINESS)


# --- services: the rules --------------------------------------------------------------


@pytest.mark.parametrize(
    ("operational", "install", "lifecycle"),
    [
        ("1", "1", "live"),
        ("Operational", "Installed", "live"),
        ("Non-Operational", "Installed", "live"),
        ("Repair in Progress", "", "live"),
        ("Ready", "Pending Install", "in_development"),
        ("", "Pending Install", "in_development"),
        ("", "In Stock", "approved"),
        ("", "2", "approved"),
        ("Pipeline", "", "proposed"),
        ("7", "", "proposed"),
        ("Operational", "Retired", "retired"),
        ("Retired", "Installed", "retired"),
        ("", "Stolen", "retired"),
        ("", "100", "retired"),
        ("", "", "live"),
        ("OPERATIONAL", "  installed ", "live"),
    ],
)
def test_statuses_become_lifecycles(
    tmp_path: Path, operational: str, install: str, lifecycle: str
) -> None:
    """Retired wins; else the operational status, else the install status, else live."""
    overlay = read(tmp_path, HEADER + f"a1,App,cmdb_ci_appl,{operational},{install},,\n")
    assert services(overlay)["app"]["lifecycle"] == lifecycle


def test_an_unknown_status_is_taken_as_live_and_said(tmp_path: Path) -> None:
    """A status no table knows is a warning that names it and the statuses known."""
    overlay = read(tmp_path, HEADER + "a1,App,cmdb_ci_appl,Sleeping,,,\n")
    assert services(overlay)["app"]["lifecycle"] == "live"
    (warning,) = overlay.warnings
    assert warning.code == "cmdb-unknown-status"
    assert "'Sleeping'" in warning.message
    assert "pipeline" in warning.hint
    assert warning.line == 2


def test_without_status_columns_every_ci_is_live_and_said(tmp_path: Path) -> None:
    """No status column at all: one warning, every CI live."""
    overlay = read(tmp_path, "name\nA\nB\n")
    assert {e["lifecycle"] for e in overlay.entries("services")} == {"live"}
    assert codes(overlay) == ["cmdb-no-status"]


@pytest.mark.parametrize(
    ("cls", "classification", "kind"),
    [
        ("cmdb_ci_service", "", "business"),
        ("Business Service", "", "business"),
        ("cmdb_ci_service_business", "", "business"),
        ("service_offering", "", "business"),
        ("cmdb_ci_service_discovered", "", "technical"),
        ("cmdb_ci_linux_server", "", "technical"),
        ("cmdb_ci_service", "Technical Service", "technical"),
        ("cmdb_ci_appl", "Business Service", "business"),
        ("", "", "technical"),
    ],
)
def test_classes_give_the_kind(tmp_path: Path, cls: str, classification: str, kind: str) -> None:
    """Service classes are business services; a service classification decides first."""
    text = (
        f"name,sys_class_name,service_classification,install_status\nX,{cls},{classification},1\n"
    )
    assert services(read(tmp_path, text))["x"]["kind"] == kind


def test_the_first_owner_column_filled_owns(tmp_path: Path) -> None:
    """owned_by, then managed_by, then support_group; a row with none has no owner."""
    text = (
        "name,install_status,support_group,managed_by,owned_by\n"
        "A,1,Group,Manager,Owner\nB,1,Group,Manager,\nC,1,Group,,\nD,1,,,\n"
    )
    found = services(read(tmp_path, text))
    assert [found[i].get("owner") for i in "abcd"] == ["owner", "manager", "group", None]


def test_owners_already_known_keep_their_ids(tmp_path: Path) -> None:
    """An owner or vendor an earlier source holds, by id or name, is not added again."""
    known = {
        "stakeholders": {
            "it-ops": {"name": "IT Operations", "kind": "it"},
            "acme": {"name": "ACME Corporation", "kind": "supplier"},
        }
    }
    text = HEADER + "a1,A,x,1,1,it operations,ACME Corporation\na2,B,x,1,1,it-ops,acme\n"
    overlay = read(tmp_path, text, known=known)
    assert [(e["owner"], e["provided_by"]) for e in overlay.entries("services")] == [
        ("it-ops", "acme"),
        ("it-ops", "acme"),
    ]
    assert overlay.entries("stakeholders") == ()


def test_stakeholder_ids_never_take_another_entitys_id(tmp_path: Path) -> None:
    """An owner named like a service, or a supplier like an owner, gets a suffix."""
    text = HEADER + "a1,Payments,x,1,1,Payments,Billing\na2,Billing,x,1,1,Billing,Payments\n"
    overlay = read(tmp_path, text)
    assert [(s["id"], s["kind"]) for s in overlay.entries("stakeholders")] == [
        ("payments-team", "it"),
        ("billing-supplier", "supplier"),
        ("billing-team", "it"),
        ("payments-supplier", "supplier"),
    ]
    clash = read(tmp_path, HEADER + "a1,App,x,1,1,Acme,Acme\n")
    assert [s["id"] for s in clash.entries("stakeholders")] == ["acme", "acme-supplier"]


@pytest.mark.parametrize(
    ("name", "ident"),
    [
        ("Order DB", "order-db"),
        ("  SAP  ERP (prod) ", "sap-erp-prod"),
        ("Zürich Gateway", "zurich-gateway"),
        ("db01.example.com", "db01.example.com"),
        ("___", "ci-"),
        ("日本", "ci-"),
    ],
)
def test_ids_are_slugs_of_names(tmp_path: Path, name: str, ident: str) -> None:
    """Ids are lower-case ASCII slugs; a name with nothing to slug gets a digest id."""
    overlay = read(tmp_path, f'name,install_status\n"{name}",1\n')
    (entry,) = overlay.entries("services")
    assert entry["id"].startswith(ident)
    assert entry["name"] == name.strip()


def test_names_that_collide_take_their_keys(tmp_path: Path) -> None:
    """CIs whose names make one slug are told apart by the start of their sys_id."""
    text = (
        "sys_id,name,install_status\n"
        "aaaaaaaa11112222333344445555aaaa,db01,1\n"
        "bbbbbbbb11112222333344445555bbbb,DB01,1\n"
        "cccccccc11112222333344445555cccc,web01,1\n"
    )
    assert list(services(read(tmp_path, text))) == ["db01-aaaaaaaa", "db01-bbbbbbbb", "web01"]
    same_start = (
        "sys_id,name,install_status\n"
        "aaaaaaaa11112222333344445555aaaa,db01,1\n"
        "aaaaaaaa11112222333344445555bbbb,db01,1\n"
    )
    assert list(services(read(tmp_path, same_start))) == [
        "db01-aaaaaaaa11112222333344445555aaaa",
        "db01-aaaaaaaa11112222333344445555bbbb",
    ]


def test_colliding_names_without_keys_are_an_error(tmp_path: Path) -> None:
    """Without a key column, two CIs of one slug cannot get stable ids."""
    problem = error(tmp_path, "name,install_status\ndb01,1\nweb,1\nDB01,1\n")
    assert "2 CIs make the id 'db01' (lines 2, 4)" in problem.reason
    assert "column 1 ('name')" in problem.reason
    assert problem.line == 2
    assert "sys_id" in problem.hint


def test_a_key_twice_is_an_error(tmp_path: Path) -> None:
    """The same sys_id on two rows is one CI exported twice."""
    problem = error(tmp_path, "sys_id,name\nk1,A\nk2,B\nk1,C\n")
    assert problem.line == 4
    assert "column 1 ('sys_id'): the key 'k1' is also on line 2" in problem.reason


def test_rows_without_names_are_left_out_and_said(tmp_path: Path) -> None:
    """A row with no CI name cannot be a service: a warning with its line."""
    overlay = read(tmp_path, "name,install_status\nA,1\n,1\n")
    assert list(services(overlay)) == ["a"]
    (warning,) = overlay.warnings
    assert (warning.code, warning.message) == (
        "cmdb-no-name",
        "rows with no CI name, left out: line 3",
    )


def test_unmapped_columns_are_listed_once(tmp_path: Path) -> None:
    """Columns no role uses are one warning, naming them."""
    overlay = read(tmp_path, "name,install_status,location,cost_center\nA,1,Leeds,C12\n")
    (warning,) = overlay.warnings
    assert warning.code == "cmdb-unmapped-column"
    assert warning.message == "columns not mapped: location, cost_center"
    assert warning.line == 1


def test_display_value_columns_are_preferred(tmp_path: Path) -> None:
    """ServiceNow's dv_ columns (display values) win over raw values."""
    text = "name,install_status,dv_install_status,owned_by,dv_owned_by\nA,7,Installed,6816f79c,Fred Luddy\n"
    entry = services(read(tmp_path, text))["a"]
    assert (entry["lifecycle"], entry["owner"]) == ("live", "fred-luddy")


def test_columns_can_be_named(tmp_path: Path) -> None:
    """A columns mapping replaces the preset's headers for the roles it gives."""
    text = "CI Name,Status,Team\nPayments,Installed,Money People\n"
    overlay = read(
        tmp_path,
        text,
        columns={"name": "CI Name", "install_status": "status", "owner": ["Team"]},
    )
    assert dict(services(overlay)["payments"]) == {
        "id": "payments",
        "name": "Payments",
        "owner": "money-people",
        "kind": "technical",
        "offering": "catalog",
        "lifecycle": "live",
    }
    problem = error(tmp_path, text, columns={"nmae": "CI Name"})
    assert "unknown column role 'nmae'" in problem.reason
    assert "'name'" in problem.hint
    assert "unknown preset" in error(tmp_path, text, preset="remedy").reason


def test_itop_exports_are_recognised(tmp_path: Path) -> None:
    """An iTop export (codes or labels) is read with the iTop preset."""
    codes_text = (
        "id,name,finalclass,status,org_id->name,description\n"
        "12,CRM,ApplicationSolution,production,Demo,Customer records\n"
        "13,crm-db,DatabaseSchema,implementation,Demo,\n"
        "14,old-crm,ApplicationSolution,obsolete,Demo,\n"
    )
    found = services(read(tmp_path, codes_text))
    assert [(e["kind"], e["lifecycle"], e["owner"]) for e in found.values()] == [
        ("business", "live", "demo"),
        ("technical", "in_development", "demo"),
        ("business", "retired", "demo"),
    ]
    labels = "Name,Type,Status,Organization\nCRM,Application Solution,Active,Demo\n"
    assert services(read(tmp_path, labels))["crm"]["lifecycle"] == "live"
    link = "applicationsolution_id->name,functionalci_id->name\nCRM,crm-db\n"
    overlay = read(tmp_path, link, known=known_of(read(tmp_path, codes_text)))
    assert services(overlay)["crm"]["depends_on"] == ({"service": "crm-db"},)
    explicit = read(tmp_path, "name,status\nX,stock\n", preset="itop")
    assert services(explicit)["x"]["lifecycle"] == "approved"


def test_a_header_of_neither_table_is_an_error(tmp_path: Path) -> None:
    """A table with neither a name column nor parent and child columns is refused."""
    problem = error(tmp_path, "host,ip\na,1\n")
    assert "neither a services table" in problem.reason
    assert "host, ip" in problem.reason
    assert "columns=" in problem.hint


def test_a_header_only_table_is_an_empty_overlay(tmp_path: Path) -> None:
    """An export with no rows adds nothing."""
    overlay = read(tmp_path, "name,install_status\n")
    assert (overlay.sections, overlay.warnings) == ({}, ())


# --- relationships: the rules ---------------------------------------------------------

KNOWN: dict[str, Any] = {
    "services": {
        "app": {"name": "App"},
        "db": {"name": "Database"},
        "db-aaaaaaaa": {"name": "Twin"},
        "db-bbbbbbbb": {"name": "Twin"},
        "vm": {"name": "VM 1"},
        "host": {"name": "Host"},
    }
}


def relate(tmp_path: Path, rows: str, **options: Any) -> iv.Overlay:
    return read(tmp_path, "parent,type,child\n" + rows, known=KNOWN, **options)


@pytest.mark.parametrize(
    "kind",
    [
        "Depends on::Used by",
        "Runs on::Runs",
        "Hosted on::Hosts",
        "Virtualized by::Virtualizes",
        "Contains::Contained by",
        "Uses::Used by",
        "Connects to::Connected by",
        "Provided by::Provides",
        "Powered by::Powers",
        "depends on :: used by".replace(" :: ", "::"),
        "DEPENDS ON::USED BY",
    ],
)
def test_dependency_types_point_from_parent_to_child(tmp_path: Path, kind: str) -> None:
    """The parent depends on the child."""
    overlay = relate(tmp_path, f"App,{kind},Database\n")
    assert dict(services(overlay)["app"]) == {"id": "app", "depends_on": ({"service": "db"},)}
    assert overlay.warnings == ()


@pytest.mark.parametrize(
    ("kind", "group"), [("Cluster of::Cluster", "cluster-of"), ("Members::Member of", "members")]
)
def test_cluster_types_make_redundancy_groups(tmp_path: Path, kind: str, group: str) -> None:
    """A cluster needs one of its members: they share a group named after the type."""
    overlay = relate(tmp_path, f"App,{kind},Database\nApp,{kind},VM 1\n")
    assert services(overlay)["app"]["depends_on"] == (
        {"service": "db", "group": group},
        {"service": "vm", "group": group},
    )


def test_other_types_are_warnings(tmp_path: Path) -> None:
    """Types that are no run-time dependency, and unknown types, are listed, not mapped."""
    overlay = relate(
        tmp_path,
        "App,Managed by::Manages,Host\nApp,Backed up by::Backs up,Database\n"
        "App,Feeds::Fed by,Database\nApp,,Database\n",
    )
    assert overlay.sections == {}
    assert [(w.code, w.message) for w in overlay.warnings] == [
        (
            "cmdb-not-a-dependency",
            "relationships that are not run-time dependencies, left out: Managed by::Manages, "
            "Backed up by::Backs up",
        ),
        (
            "cmdb-unknown-relationship",
            "relationship types this importer does not know, left out: Feeds::Fed by",
        ),
        ("cmdb-unknown-relationship", "relationships with no type, left out: line 5"),
    ]


def test_relationship_types_can_be_added(tmp_path: Path) -> None:
    """relationship_types says what a type does, including pointing the other way."""
    overlay = relate(
        tmp_path,
        "App,Feeds::Fed by,Database\nHost,Managed by::Manages,VM 1\n",
        relationship_types={"Feeds::Fed by": "used_by", "managed by::manages": "depends_on"},
    )
    found = services(overlay)
    assert found["db"]["depends_on"] == ({"service": "app"},)
    assert found["host"]["depends_on"] == ({"service": "vm"},)
    problem = error(tmp_path, "parent,type,child\n", known=KNOWN, relationship_types={"x": "feeds"})
    assert "depends_on, used_by, group, ignore" in problem.hint


def test_cis_are_found_by_id_name_or_key(tmp_path: Path) -> None:
    """A CI is named by its id, its name in any case, or (after a collision) its sys_id."""
    overlay = relate(
        tmp_path,
        "app,Depends on::Used by,DATABASE\n"
        "App,Depends on::Used by,aaaaaaaa11112222333344445555aaaa\n",
    )
    assert services(overlay)["app"]["depends_on"] == (
        {"service": "db"},
        {"service": "db-aaaaaaaa"},
    )


def test_unresolved_cis_are_warnings(tmp_path: Path) -> None:
    """Unknown names, shared names and unknown sys_ids are listed, the rest kept."""
    overlay = relate(
        tmp_path,
        "App,Depends on::Used by,Mainframe\nApp,Depends on::Used by,Twin\n"
        "App,Depends on::Used by,cccccccc11112222333344445555cccc\n"
        "App,Depends on::Used by,\nApp,Depends on::Used by,App\n"
        "App,Depends on::Used by,Database\n",
    )
    assert services(overlay)["app"]["depends_on"] == ({"service": "db"},)
    assert codes(overlay) == [
        "cmdb-unknown-ci",
        "cmdb-ambiguous-ci",
        "cmdb-unknown-ci",
        "cmdb-unknown-ci",
        "cmdb-self-relationship",
    ]
    assert "Mainframe" in overlay.warnings[0].message
    assert "list it before the relationships" in overlay.warnings[0].hint
    assert "display values" in overlay.warnings[2].hint


def test_a_pair_related_twice_keeps_the_first(tmp_path: Path) -> None:
    """The same dependency twice is one; two different ones keep the first, and say so."""
    overlay = relate(
        tmp_path,
        "App,Depends on::Used by,Database\nApp,Runs on::Runs,Database\n"
        "App,Cluster of::Cluster,Database\n",
    )
    assert services(overlay)["app"]["depends_on"] == ({"service": "db"},)
    assert codes(overlay) == ["cmdb-conflicting-relationship"]


def test_relationships_need_the_services_first(tmp_path: Path) -> None:
    """A relationships table with no services known says to list the services first."""
    problem = error(tmp_path, "parent,type,child\nA,Depends on::Used by,B\n")
    assert "no source before it holds any" in problem.reason
    assert "services.csv" in problem.hint
    with pytest.raises(iv.DocumentError, match="no source before it holds any"):
        iv.load(RELATIONSHIPS, SERVICES)


def test_relationships_onto_a_catalog_loaded_first(tmp_path: Path) -> None:
    """Dependencies extend what the earlier sources hold, validated as a whole."""
    path = write(tmp_path, "parent,type,child\nCheckout,Depends on::Used by,web01\n", "rel.csv")
    portfolio = iv.load(SERVICES, RELATIONSHIPS, path, BUSINESS)
    checkout = portfolio.get("checkout")
    assert isinstance(checkout, iv.Service)
    assert [d.service for d in checkout.depends_on][-1] == "web01"
    cycle = write(tmp_path, "parent,type,child\nweb01,Depends on::Used by,Checkout\n", "cyc.csv")
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.load(SERVICES, RELATIONSHIPS, cycle, BUSINESS)
    assert any("cycle" in p.message for p in excinfo.value.problems)


# --- hostile and broken CSV -----------------------------------------------------------


def test_text_that_is_not_utf8_names_line_and_column(tmp_path: Path) -> None:
    """A Latin-1 export is refused at the byte, with its line and column."""
    problem = error(tmp_path, b"name,owned_by\nCaf\xe9,x\n")
    assert problem.line == 2
    assert "column 4" in problem.reason
    assert "UTF-8" in problem.hint


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("name,owned_by\nA,x,extra\n", 2, "column 3 has no header"),
        ("name,owned_by,vendor\nA,x,y\nB\n", 3, "column 2 ('owned_by') is missing"),
        ('name,owned_by\n"A"x,y\n', 2, "not valid CSV"),
        ("name,owned_by\nA\x00,x\n", 2, "column 1 holds a NUL character"),
        ("", None, "the table is empty"),
        ("\n\n", None, "the table is empty"),
        ("name,name\nA,B\n", 1, "2 times (columns 1, 2)"),
    ],
)
def test_broken_tables_are_errors(tmp_path: Path, text: str, line: int | None, reason: str) -> None:
    """Ragged rows, bad quoting, NULs and empty files are refused where they are."""
    problem = error(tmp_path, text)
    assert reason in problem.reason
    assert problem.line == line
    assert problem.source == str(tmp_path / "table.csv")


def test_a_huge_cell_is_refused(tmp_path: Path) -> None:
    """A cell past the CSV reader's limit is an error, not a memory problem."""
    problem = error(tmp_path, "name,description\nA," + "x" * 200_000 + "\n")
    assert "field larger than field limit" in problem.reason


def test_a_file_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size limit of documents applies to tables too."""
    monkeypatch.setattr(_parse, "MAX_BYTES", 64)
    problem = error(tmp_path, "name,install_status\n" + "A,1\n" * 40)
    assert "the limit is 64" in problem.reason


def test_formula_cells_are_kept_as_text_and_said(tmp_path: Path) -> None:
    """A cell a spreadsheet would run is kept character for character, and warned of."""
    text = "name,short_description,owned_by\n\"=cmd|' /C calc'!A0\",@SUM(A1),+44 20 7946 0000\n"
    overlay = read(tmp_path, text)
    (entry,) = overlay.entries("services")
    assert entry["name"] == "=cmd|' /C calc'!A0"
    assert entry["description"] == "@SUM(A1)"
    assert entry["id"] == "cmd-c-calc-a0"
    (warning,) = [w for w in overlay.warnings if w.code == "cmdb-formula"]
    assert warning.message.endswith("line 2 column 1, line 2 column 2")
    dumped = tmp_path / "formula.yaml"
    iv.dump(overlay, dumped)
    again = iv.read(dumped)
    assert isinstance(again, iv.Overlay)
    assert again.sections == overlay.sections


def test_separators_quotes_and_line_breaks(tmp_path: Path) -> None:
    """Semicolons, tabs, a byte-order mark and quoted line breaks read as they should."""
    semicolons = read(tmp_path, '\ufeffname;install_status\n"Web; Shop";1\n')
    assert services(semicolons)["web-shop"]["name"] == "Web; Shop"
    tabs = cmdb.read(write(tmp_path, "name\tinstall_status\nA\t1\n", "table.tsv"))
    assert list(services(tabs)) == ["a"]
    multiline = read(tmp_path, 'name,short_description,install_status\nA,"two\nlines",1\nB,x,1\n')
    assert services(multiline)["a"]["description"] == "two\nlines"
    assert multiline.origins[("services", "b")].line == 4
    crlf = read(tmp_path, "name,install_status\r\nA,1\r\n\r\nB,1\r\n")
    assert list(services(crlf)) == ["a", "b"]


@given(
    header=st.sampled_from(
        ["name,install_status,owned_by,vendor\n", "parent,type,child\n", "sys_id,name\n", ""]
    ),
    body=st.text(alphabet=st.sampled_from(list('ab ,;"\n\r=+@-1\x00é\t:')), max_size=40),
    tail=st.binary(max_size=12),
)
def test_any_bytes_import_or_are_a_document_error(header: str, body: str, tail: bytes) -> None:
    """Whatever a table holds, the result is an overlay or a DocumentError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        path.write_bytes(header.encode() + body.encode() + tail)
        for known in ({"services": {"a": {"name": "A"}}}, None):
            result: iv.Overlay | iv.DocumentError
            try:
                result = cmdb.read(path, known=known)
            except iv.DocumentError as problem:
                result = problem
            if isinstance(result, iv.DocumentError):
                assert result.source == str(path)
            else:
                assert isinstance(result, iv.Overlay)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    """A path that is not there is a DocumentError naming it."""
    with pytest.raises(iv.DocumentError, match="cannot read the file"):
        cmdb.read(tmp_path / "missing.csv")


def test_composition_traces_problems_to_the_table_line(tmp_path: Path) -> None:
    """A CI the composition cannot complete (no owner) is reported at its row."""
    path = write(tmp_path, "name,install_status\nOrphan,1\n")
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.load(path)
    (problem,) = excinfo.value.problems
    assert (problem.source, problem.line) == (str(path), 2)
    assert "owner" in problem.message
