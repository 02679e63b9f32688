"""ArchiMate exchange files: the mapping rules, the real models, hostile XML, and export."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as ET
import pytest

import itvalue as iv
from itvalue.importers import recognise
from itvalue.importers.archimate import NAMESPACE, UNOWNED, export, read
from itvalue.io._parse import MAX_DEPTH

ROOT = Path(__file__).parent.parent
EXTERNAL = Path("/work/shared/external/archimate")
ARCHISURANCE = EXTERNAL / "archisurance.xml"
SAMPLE = EXTERNAL / "Sample1.xml"
SHOP = ROOT / "examples" / "archimate" / "shop.xml"
SHOP_BUSINESS = ROOT / "examples" / "archimate" / "shop-business.yaml"
ARCHISURANCE_BUSINESS = ROOT / "examples" / "archimate" / "archisurance-business.yaml"
NS = f"{{{NAMESPACE}}}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

needs_external = pytest.mark.skipif(
    not ARCHISURANCE.is_file(), reason="the ArchiSurance model is not on this machine"
)


def model(
    elements: str, relationships: str = "", properties: tuple[str, ...] = (), name: str = "M"
) -> str:
    """A small exchange file: elements and relationships as XML, property names defined."""
    defs = "".join(
        f'<propertyDefinition identifier="p-{i}" type="string"><name>{p}</name>'
        "</propertyDefinition>\n"
        for i, p in enumerate(properties)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<model xmlns="{NAMESPACE}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">\n'
        f'<name xml:lang="en">{name}</name>\n'
        f"<elements>\n{elements}</elements>\n"
        + (f"<relationships>\n{relationships}</relationships>\n" if relationships else "")
        + (f"<propertyDefinitions>\n{defs}</propertyDefinitions>\n" if defs else "")
        + "</model>\n"
    )


def el(ident: str, kind: str, name: str = "", props: Mapping[str, str] | None = None) -> str:
    """One element; ``props`` maps a property definition's index (``p-0``) to a value."""
    body = f"<name>{name or ident}</name>"
    if props:
        body += (
            "<properties>"
            + "".join(
                f'<property propertyDefinitionRef="{ref}"><value>{value}</value></property>'
                for ref, value in props.items()
            )
            + "</properties>"
        )
    return f'<element identifier="{ident}" xsi:type="{kind}">{body}</element>\n'


def rel(
    ident: str, kind: str, source: str, target: str, props: Mapping[str, str] | None = None
) -> str:
    body = ""
    if props:
        body = (
            "<properties>"
            + "".join(
                f'<property propertyDefinitionRef="{ref}"><value>{value}</value></property>'
                for ref, value in props.items()
            )
            + "</properties>"
        )
    return (
        f'<relationship identifier="{ident}" xsi:type="{kind}" source="{source}" '
        f'target="{target}">{body}</relationship>\n'
    )


def imported(tmp_path: Path, text: str, **kwargs: Any) -> iv.Overlay:
    path = tmp_path / "model.xml"
    path.write_text(text, "utf-8")
    return read(path, **kwargs)


def entry(overlay: iv.Overlay, section: str, ident: str) -> dict[str, Any]:
    found = [e for e in overlay.entries(section) if e["id"] == ident]
    assert len(found) == 1, f"{ident} in {section}: {len(found)}"
    return dict(_plain(found[0]))


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def codes(overlay: iv.Overlay) -> list[str]:
    return [w.code for w in overlay.warnings]


def line_of(path: Path, identifier: str) -> int:
    for number, text in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if f'identifier="{identifier}"' in text:
            return number
    raise AssertionError(identifier)


# --------------------------------------------------------------------------- real files


@needs_external
def test_archisurance_imports_services_processes_and_dependencies() -> None:
    """ArchiSurance's applications and infrastructure become services, with their links."""
    o = read(ARCHISURANCE)
    assert o.name == "Archisurance"
    assert o.description == "An example of a fictional Insurance company."
    assert len(o.entries("services")) == 39  # 10 components, 5 functions, 3 app services, 21 tech
    assert len(o.entries("processes")) == 17  # 9 processes, 6 functions, 2 interactions
    assert o.entries("products") == ()
    web_portal = entry(o, "services", "id-1800")
    assert web_portal["name"] == "Web portal"
    assert web_portal["kind"] == "technical"
    assert web_portal["depends_on"] == [
        {"service": "id-1793"},
        {"service": "id-1393"},
        {"service": "id-849"},
    ]
    # Composition: the whole depends on its parts; realization: the service on its realizer.
    assert {"service": "id-861"} in entry(o, "services", "id-843")["depends_on"]
    cis = entry(o, "services", "id-1407")
    assert cis["kind"] == "business"
    assert cis["depends_on"] == [{"service": "id-1393"}]
    assert cis["supports"] == [{"process": "id-612"}]
    # CRM System realizes a business service that serves Register: it supports Register.
    assert entry(o, "services", "id-1393")["supports"] == [{"process": "id-564"}]
    # The Insurer role is assigned to two processes: it owns them.
    assert entry(o, "processes", "id-612")["owner"] == "id-514"
    assert entry(o, "stakeholders", "id-514") == {
        "id": "id-514",
        "name": "Insurer",
        "kind": "business_unit",
    }
    assert entry(o, "processes", "id-564")["owner"] == UNOWNED


@needs_external
def test_archisurance_warns_of_what_it_leaves_out_grouped_by_type() -> None:
    """Every unmapped element and relationship is counted, once per type."""
    o = read(ARCHISURANCE)
    found = {w.code: 0 for w in o.warnings}
    for w in o.warnings:
        found[w.code] += 1
    assert found == {
        "archimate-unmapped-element": 12,
        "archimate-unmapped-relationship": 10,
        "archimate-no-owner": 1,
    }
    messages = [w.message for w in o.warnings]
    assert "17 BusinessActor elements left out: no itvalue entity for them" in messages
    assert "1 Value element left out: no itvalue entity for them" in messages
    flows = next(m for m in messages if m.startswith("33 Flow relationships"))
    assert "BusinessActor → BusinessActor (12)" in flows
    assert any(m.startswith("28 Association relationships") for m in messages)
    owner = next(w for w in o.warnings if w.code == "archimate-no-owner")
    assert "15 processes, 39 services" in owner.message
    unmapped_actor = next(w for w in o.warnings if "BusinessActor elements" in w.message)
    assert unmapped_actor.source == str(ARCHISURANCE)
    assert unmapped_actor.line is not None


@needs_external
def test_archisurance_entries_carry_their_lines() -> None:
    """Each entry's origin is its element's line in the file."""
    o = read(ARCHISURANCE)
    origin = o.origins[("services", "id-1393")]
    assert origin.source == str(ARCHISURANCE)
    assert origin.line == line_of(ARCHISURANCE, "id-1393")
    assert o.origins[("processes", "id-564")].line == line_of(ARCHISURANCE, "id-564")


@needs_external
def test_sample_assigns_its_role_as_owner() -> None:
    """The Open Group's smallest sample: one role that owns one process, no warnings."""
    o = read(SAMPLE)
    assert o.name == "Test"
    assert _plain(o.to_dict()) == {
        "apiVersion": "itvalue/v1",
        "kind": "Overlay",
        "name": "Test",
        "stakeholders": [
            {
                "id": "id-37d5bc4b",
                "name": "Sales Person",
                "description": "A description of a sales person",
                "kind": "business_unit",
            }
        ],
        "processes": [
            {
                "id": "id-89c22226",
                "name": "Sell Product",
                "description": "A description of the sell product process",
                "owner": "id-37d5bc4b",
            }
        ],
    }
    assert o.warnings == ()


@needs_external
def test_archisurance_with_its_business_overlay_gives_a_report_with_figures() -> None:
    """The model and the overlay compose into a portfolio whose report counts money."""
    from itvalue.report import build_report, render_markdown

    with pytest.warns(iv.SourceWarning):
        p = iv.load(ARCHISURANCE, ARCHISURANCE_BUSINESS)
    assert p.name == "ArchiSurance"
    assert p.process("id-564").owner == "claims"  # the overlay replaced 'unowned'
    assert p.process("id-612").owner == "id-514"  # the model's owner stays
    _top, value = p.graph().rank_services()[0]
    assert value > 0
    text = render_markdown(build_report(p))
    assert "Policyholders" in text
    assert re.search(r"about €[\d,]+", text)
    assert "CRM System" in text


def test_shop_loads_without_warnings_and_has_figures() -> None:
    """The tutorial's model maps entirely: no warnings, every service valued."""
    p = iv.load(SHOP, SHOP_BUSINESS)  # any warning fails the test
    assert p.name == "Shop"
    assert [s.id for s in p.services] == [
        "id-web-shop",
        "id-payments",
        "id-oms",
        "id-wms",
        "id-db-a",
        "id-db-b",
        "id-hosting",
    ]
    assert p.process("id-take-order").owner == "id-ecommerce"
    assert p.process("id-take-order").enables == ("id-webshop-product",)
    assert p.service("id-web-shop").availability == pytest.approx(0.999)
    assert p.service("id-oms").depends_on == (
        iv.Dependency(service="id-hosting"),
        iv.Dependency(service="id-db-a", group="database"),
        iv.Dependency(service="id-db-b", group="database"),
    )
    assert p.stakeholder("id-it-ops").kind is iv.StakeholderKind.IT
    assert dict(p.graph().rank_services())["id-payments"] > 0
    assert recognise(SHOP) == "archimate"


# --------------------------------------------------------------------------- rules


def test_element_types_map_to_services_with_kinds(tmp_path: Path) -> None:
    """Application services are business services; other IT elements technical."""
    o = imported(
        tmp_path,
        model(
            el("a", "ApplicationService")
            + el("b", "ApplicationComponent")
            + el("c", "Node")
            + el("d", "TechnologyService", props={"p-0": "Business"})
            + el("e", "BusinessProcess")
            + el("f", "BusinessFunction")
            + el("g", "BusinessInteraction")
            + el("h", "Product"),
            properties=("itvalue:kind",),
        ),
    )
    kinds = {e["id"]: e["kind"] for e in o.entries("services")}
    assert kinds == {"a": "business", "b": "technical", "c": "technical", "d": "business"}
    assert [e["id"] for e in o.entries("processes")] == ["e", "f", "g"]
    assert [e["id"] for e in o.entries("products")] == ["h"]


@pytest.mark.parametrize("kind", ["Serving", "Realization", "Assignment"])
def test_the_target_depends_on_the_source(tmp_path: Path, kind: str) -> None:
    """Serving, realization and assignment between IT elements: the target relies on the source."""
    o = imported(
        tmp_path,
        model(el("app", "ApplicationComponent") + el("db", "Node"), rel("r", kind, "db", "app")),
    )
    assert entry(o, "services", "app")["depends_on"] == [{"service": "db"}]
    assert "depends_on" not in entry(o, "services", "db")


@pytest.mark.parametrize("kind", ["Composition", "Aggregation"])
def test_the_whole_depends_on_its_parts(tmp_path: Path, kind: str) -> None:
    """Composition and aggregation: the whole relies on each part."""
    o = imported(
        tmp_path,
        model(
            el("whole", "ApplicationComponent") + el("part", "ApplicationComponent"),
            rel("r", kind, "whole", "part"),
        ),
    )
    assert entry(o, "services", "whole")["depends_on"] == [{"service": "part"}]


def test_a_relationship_group_makes_redundant_dependencies(tmp_path: Path) -> None:
    """``itvalue:group`` on a relationship names the dependency's redundancy group."""
    o = imported(
        tmp_path,
        model(
            el("app", "ApplicationComponent") + el("a", "Node") + el("b", "Node"),
            rel("r1", "Serving", "a", "app", {"p-0": "db"})
            + rel("r2", "Serving", "b", "app", {"p-0": "db"}),
            properties=("itvalue:group",),
        ),
    )
    assert entry(o, "services", "app")["depends_on"] == [
        {"service": "a", "group": "db"},
        {"service": "b", "group": "db"},
    ]


def test_paths_through_junctions_count_and_or_junctions_are_groups(tmp_path: Path) -> None:
    """And-junctions join relationships; an or-junction makes its sources alternatives."""
    o = imported(
        tmp_path,
        model(
            el("app", "ApplicationComponent")
            + el("a", "Node")
            + el("b", "Node")
            + el("h", "Node")
            + el("p", "BusinessProcess")
            + '<element identifier="j" xsi:type="OrJunction"/>\n'
            + '<element identifier="k" xsi:type="AndJunction"/>\n'
            + '<element identifier="x" xsi:type="AndJunction"/>\n',
            rel("r1", "Serving", "a", "j")
            + rel("r2", "Serving", "b", "j")
            + rel("r3", "Serving", "j", "k")
            + rel("r4", "Serving", "h", "k")
            + rel("r5", "Serving", "k", "app")
            + rel("r6", "Serving", "app", "x")
            + rel("r7", "Flow", "x", "p"),
        ),
    )
    assert entry(o, "services", "app")["depends_on"] == [
        {"service": "h"},
        {"service": "a", "group": "j"},
        {"service": "b", "group": "j"},
    ]
    # A path whose relationships differ in type is no path: both are left out, and the junction.
    messages = [w.message for w in o.warnings]
    assert "1 AndJunction element left out: no itvalue entity for them" in messages
    assert any(
        m.startswith("1 Serving relationship left out: ApplicationComponent → AndJunction")
        for m in messages
    )
    assert any(m.startswith("1 Flow relationship left out") for m in messages)


def test_it_serving_business_behaviour_supports_it(tmp_path: Path) -> None:
    """An IT element serving, assigned to or realizing a process supports it; share kept."""
    o = imported(
        tmp_path,
        model(
            el("x", "ApplicationService")
            + el("y", "ApplicationProcess")
            + el("p", "BusinessProcess")
            + el("q", "BusinessFunction"),
            rel("r1", "Serving", "x", "p", {"p-0": "50%"})
            + rel("r2", "Realization", "y", "q")
            + rel("r3", "Assignment", "x", "q"),
            properties=("itvalue:share",),
        ),
    )
    assert entry(o, "services", "x")["supports"] == [
        {"process": "p", "share": 0.5},
        {"process": "q"},
    ]
    assert entry(o, "services", "y")["supports"] == [{"process": "q"}]
    assert o.warnings[-1].code == "archimate-no-owner"


def test_it_realizing_a_business_service_supports_the_processes_it_serves(
    tmp_path: Path,
) -> None:
    """IT → business service → process: the IT element supports the process."""
    o = imported(
        tmp_path,
        model(
            el("crm", "ApplicationComponent")
            + el("bs", "BusinessService")
            + el("p", "BusinessProcess"),
            rel("r1", "Realization", "crm", "bs") + rel("r2", "Serving", "bs", "p"),
        ),
    )
    assert entry(o, "services", "crm")["supports"] == [{"process": "p"}]
    assert "archimate-unmapped-element" not in codes(o)  # the business service linked them
    assert "archimate-unmapped-relationship" not in codes(o)


def test_a_process_realizing_a_service_of_a_product_enables_it(tmp_path: Path) -> None:
    """Process → business service ← product, and direct links, make the process enable it."""
    o = imported(
        tmp_path,
        model(
            el("p", "BusinessProcess")
            + el("q", "BusinessProcess")
            + el("s", "BusinessProcess")
            + el("bs", "BusinessService")
            + el("prod", "Product"),
            rel("r1", "Realization", "p", "bs")
            + rel("r2", "Aggregation", "prod", "bs")
            + rel("r3", "Serving", "q", "prod")
            + rel("r4", "Composition", "prod", "s"),
        ),
    )
    for process in ("p", "q", "s"):
        assert entry(o, "processes", process)["enables"] == ["prod"]


def test_outcomes_linked_to_products_are_read_with_their_properties(tmp_path: Path) -> None:
    """Outcome and value elements linked to a product become its outcomes."""
    o = imported(
        tmp_path,
        model(
            el("prod", "Product")
            + el(
                "o1",
                "Outcome",
                "Order delivered",
                {"p-0": "shoppers", "p-1": "10,000 orders/month", "p-2": "42 EUR", "p-3": "8"},
            )
            + el("v1", "Value", "Peace of mind")
            + el("lonely", "Outcome"),
            rel("r1", "Realization", "prod", "o1") + rel("r2", "Association", "v1", "prod"),
            properties=(
                "itvalue:segment",
                "itvalue:volume",
                "itvalue:unit-value",
                "itvalue:max-outage-hours",
            ),
        ),
    )
    assert entry(o, "products", "prod")["outcomes"] == ["o1", "v1"]
    assert entry(o, "outcomes", "o1") == {
        "id": "o1",
        "name": "Order delivered",
        "segment": "shoppers",
        "volume": {"amount": 10000, "unit": "orders", "per": "month"},
        "unit_value": {"amount": 42, "currency": "EUR"},
        "max_outage_hours": 8,
    }
    assert entry(o, "outcomes", "v1") == {"id": "v1", "name": "Peace of mind"}
    incomplete = next(w for w in o.warnings if w.code == "archimate-incomplete-outcome")
    assert "Peace of mind" in incomplete.message
    assert "Order delivered" not in incomplete.message
    assert "1 Outcome element left out" in " ".join(w.message for w in o.warnings)


def test_an_incomplete_outcome_is_completed_by_an_overlay(tmp_path: Path) -> None:
    """What the model lacks (segment, volume) the user's overlay gives."""
    path = tmp_path / "m.xml"
    path.write_text(
        model(
            el("prod", "Product") + el("o1", "Outcome", "Order delivered"),
            rel("r1", "Realization", "prod", "o1"),
        ),
        "utf-8",
    )
    business = tmp_path / "business.yaml"
    business.write_text(
        "apiVersion: itvalue/v1\nkind: Overlay\n"
        "stakeholders: [{id: sales, name: Sales, kind: relationship_owner}]\n"
        "segments: [{id: shoppers, name: Shoppers, relationship_owner: sales}]\n"
        "outcomes: [{id: o1, segment: shoppers, volume: {amount: 5, unit: orders, per: day}}]\n",
        "utf-8",
    )
    with pytest.warns(iv.SourceWarning) as record:
        p = iv.load(path, business)
    assert [w.message.code for w in record] == [  # type: ignore[union-attr]
        "archimate-no-owner",
        "archimate-incomplete-outcome",
    ]
    assert "without a segment: Order delivered" in str(record[1].message)
    assert p.outcome("o1").segment == "shoppers"
    assert p.product("prod").outcomes == ("o1",)


def test_itvalue_properties_carry_service_fields(tmp_path: Path) -> None:
    """Availability (fraction or percent), cost, recovery, lifecycle, offering, groups."""
    names = (
        "itvalue:availability",
        "itvalue:annual-cost",
        "itvalue:recovery-hours",
        "itvalue:lifecycle",
        "itvalue:offering",
        "itvalue:owner",
        "Colour",
    )
    o = imported(
        tmp_path,
        model(
            el(
                "a",
                "ApplicationComponent",
                props={
                    "p-0": "99.95%",
                    "p-1": "EUR 120,000",
                    "p-2": "4.5",
                    "p-3": "In development",
                    "p-4": "made-to-order",
                    "p-5": "it-ops",
                    "p-6": "blue",
                },
            ),
            properties=names,
        ),
    )
    assert entry(o, "services", "a") == {
        "id": "a",
        "name": "a",
        "kind": "technical",
        "availability": pytest.approx(0.9995),
        "annual_cost": {"amount": 120000, "currency": "EUR"},
        "recovery_hours": 4.5,
        "lifecycle": "in_development",
        "offering": "made_to_order",
        "owner": "it-ops",
    }
    assert o.warnings == ()  # the model's own properties are not ours to read


def test_values_that_cannot_be_read_reach_the_model_as_written(tmp_path: Path) -> None:
    """A value the importer cannot parse is passed on unchanged, for the model to judge."""
    o = imported(
        tmp_path,
        model(
            el("a", "Node", props={"p-0": "high%", "p-1": "lots", "p-2": "quorum=2, db"})
            + el("b", "Node", props={"p-2": "quorum=2, db=1"})
            + el("prod", "Product")
            + el("o", "Outcome", props={"p-3": "many orders"}),
            rel("r", "Realization", "prod", "o"),
            properties=(
                "itvalue:availability",
                "itvalue:annual-cost",
                "itvalue:groups",
                "itvalue:volume",
            ),
        ),
    )
    a = entry(o, "services", "a")
    assert (a["availability"], a["annual_cost"], a["groups"]) == ("high%", "lots", "quorum=2, db")
    assert entry(o, "services", "b")["groups"] == [
        {"name": "quorum", "min_up": 2},
        {"name": "db", "min_up": 1},
    ]
    assert entry(o, "outcomes", "o")["volume"] == "many orders"


def test_elements_need_identifiers_and_relationships_may_name_relationships(
    tmp_path: Path,
) -> None:
    """An element without identifier is an error; an association to a relationship is left out."""
    with pytest.raises(iv.DocumentError, match="an element has no identifier"):
        imported(tmp_path, model('<element xsi:type="Node"><name>x</name></element>\n'))
    o = imported(
        tmp_path,
        model(
            el("a", "Node", props={"p-0": "it"}) + el("b", "Node", props={"p-0": "it"}),
            rel("r1", "Serving", "a", "b") + rel("r2", "Association", "a", "r1"),
            properties=("itvalue:owner",),
        ),
    )
    assert [w.message for w in o.warnings] == [
        "1 Association relationship left out: Node → (not an element) (1)"
    ]


def test_a_property_the_library_does_not_read_is_an_error(tmp_path: Path) -> None:
    """A misspelt ``itvalue:`` property stops the import, naming it and the likely one."""
    with pytest.raises(iv.DocumentError) as caught:
        imported(
            tmp_path,
            model(
                el("a", "Node", props={"p-0": "0.9", "p-1": "it"}),
                properties=("itvalue:availabilty", "itvalue:owner"),
            ),
        )
    assert "'itvalue:availabilty'" in caught.value.reason
    assert caught.value.hint.startswith("did you mean 'itvalue:availability'?")
    assert caught.value.line is not None


def test_a_value_the_model_rejects_is_reported_at_its_element(tmp_path: Path) -> None:
    """A property that is not a number reaches the model, which names the file and line."""
    path = tmp_path / "m.xml"
    path.write_text(
        model(
            el("a", "Node", props={"p-0": "very high", "p-1": "it"}),
            properties=("itvalue:availability", "itvalue:owner"),
        ),
        "utf-8",
    )
    business = tmp_path / "b.yaml"
    business.write_text(
        "apiVersion: itvalue/v1\nkind: Overlay\nstakeholders: [{id: it, name: IT, kind: it}]\n",
        "utf-8",
    )
    with pytest.raises(iv.ValidationError) as caught:
        iv.load(path, business)
    problem = caught.value.problems[0]
    assert "availability" in problem.path
    assert problem.source == str(path)
    assert problem.line == line_of(path, "a")


def test_owners_come_from_assigned_actors_else_one_warning(tmp_path: Path) -> None:
    """An assigned actor or role owns the process; the rest are 'unowned', said once."""
    o = imported(
        tmp_path,
        model(
            el("sales", "BusinessActor", "Sales")
            + el("clerk", "BusinessRole", "Clerk")
            + el("p", "BusinessProcess")
            + el("q", "BusinessProcess")
            + el("svc", "ApplicationService")
            + el("idle", "BusinessActor"),
            rel("r1", "Assignment", "sales", "p")
            + rel("r2", "Assignment", "clerk", "p")
            + rel("r3", "Assignment", "clerk", "q"),
        ),
    )
    assert entry(o, "processes", "p")["owner"] == "sales"
    assert entry(o, "processes", "q")["owner"] == "clerk"
    assert entry(o, "services", "svc")["owner"] == UNOWNED
    assert entry(o, "stakeholders", UNOWNED)["name"] == "Owner not recorded"
    assert [e["id"] for e in o.entries("stakeholders")] == [UNOWNED, "sales", "clerk"]
    assert codes(o).count("archimate-no-owner") == 1
    several = next(w for w in o.warnings if w.code == "archimate-several-owners")
    assert "p" in several.message
    assert "1 BusinessActor element left out" in " ".join(w.message for w in o.warnings)


def test_known_entities_are_completed_not_redefined(tmp_path: Path) -> None:
    """What an earlier source holds keeps its kind and owner."""
    o = imported(
        tmp_path,
        model(el("svc", "ApplicationService")),
        known={"services": {"svc": {"id": "svc", "owner": "ops", "kind": "technical"}}},
    )
    assert entry(o, "services", "svc") == {"id": "svc", "name": "svc"}
    assert o.entries("stakeholders") == ()
    assert o.warnings == ()


def test_ids_are_kept_when_valid_and_slugged_when_not(tmp_path: Path) -> None:
    """Valid identifiers stay; others become stable slugs, with a digest on a clash."""
    o = imported(
        tmp_path,
        model(
            el("EAID_Web.Shop", "ApplicationService")
            + el("eaid_web.shop", "ApplicationService")
            + el("EAID_WEB.SHOP", "ApplicationService")
            + el("_x", "Node", props={"p-0": "chosen-id"}),
            properties=("itvalue:id",),
        ),
    )
    ids = [e["id"] for e in o.entries("services")]
    assert ids[1] == "eaid_web.shop"
    assert ids[0].startswith("eaid_web.shop-")
    assert ids[2].startswith("eaid_web.shop-")
    assert len(set(ids)) == 4
    assert ids[3] == "chosen-id"
    again = imported(
        tmp_path, model(el("EAID_WEB.SHOP", "ApplicationService") + el("eaid_web.shop", "Node"))
    )
    assert again.entries("services")[0]["id"] == ids[2]  # stable across imports


def test_names_prefer_english(tmp_path: Path) -> None:
    """Of several languages, the English name is the entity's name."""
    o = imported(
        tmp_path,
        model(
            '<element identifier="a" xsi:type="Node"><name xml:lang="de">Datenbank</name>'
            '<name xml:lang="en">Database</name>'
            "<documentation>  Holds\n   orders. </documentation></element>\n"
        ),
    )
    assert entry(o, "services", "a")["name"] == "Database"
    assert entry(o, "services", "a")["description"] == "Holds orders."


def test_a_dependency_cycle_names_the_elements(tmp_path: Path) -> None:
    """Services that rely on each other in a circle are a document error, named."""
    text = model(
        el("a", "ApplicationComponent", "Billing")
        + el("b", "ApplicationComponent", "Ledger")
        + el("c", "Node", "Host"),
        rel("r1", "Serving", "a", "b")
        + rel("r2", "Serving", "b", "a")
        + rel("r3", "Serving", "c", "a"),
    )
    with pytest.raises(iv.DocumentError) as caught:
        imported(tmp_path, text)
    assert "'Billing'" in caught.value.reason
    assert "'Ledger'" in caught.value.reason
    assert "cycle" in caught.value.reason
    assert caught.value.line is not None


# --------------------------------------------------------------------------- hostile input

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE model [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"><name>&lol3;</name></model>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE model [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"><name>&secret;</name></model>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE model SYSTEM "http://example.com/archimate.dtd">
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"><name>x</name></model>
"""


@pytest.mark.parametrize(
    "text", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["laughs", "entity", "dtd"]
)
def test_doctypes_and_entities_are_refused(tmp_path: Path, text: str) -> None:
    """Nothing is expanded or fetched: a DOCTYPE is a document error at its line."""
    with pytest.raises(iv.DocumentError) as caught:
        imported(tmp_path, text)
    assert "DOCTYPE" in caught.value.reason
    assert caught.value.line == 2
    assert caught.value.source is not None


def test_xml_that_is_not_well_formed_is_a_document_error(tmp_path: Path) -> None:
    """A broken file says where it breaks."""
    text = model(el("a", "Node")).replace("</elements>", "</element>")
    with pytest.raises(iv.DocumentError) as caught:
        imported(tmp_path, text)
    assert caught.value.reason.startswith("not well-formed XML")
    assert caught.value.line == 6  # the stray </element>


def test_another_namespace_is_a_document_error(tmp_path: Path) -> None:
    """ArchiMate 2 files, or other XML, are named for what they are."""
    text = model(el("a", "Node")).replace(NAMESPACE, "http://www.opengroup.org/xsd/archimate")
    with pytest.raises(iv.DocumentError, match="not an ArchiMate 3 exchange model") as caught:
        imported(tmp_path, text)
    assert "File > Export" in caught.value.hint


def test_nesting_too_deep_is_a_document_error(tmp_path: Path) -> None:
    """A file nested past the limit is refused before it is mapped."""
    deep = "<x>" * (MAX_DEPTH + 5) + "</x>" * (MAX_DEPTH + 5)
    with pytest.raises(iv.DocumentError, match="nest more than"):
        imported(tmp_path, model(el("a", "Node")).replace("<elements>", "<elements>" + deep))


def test_undefined_property_and_duplicate_identifier_are_document_errors(tmp_path: Path) -> None:
    """References the file does not resolve are errors, not guesses."""
    with pytest.raises(iv.DocumentError, match="no propertyDefinition"):
        imported(tmp_path, model(el("a", "Node", props={"p-9": "x"})))
    with pytest.raises(iv.DocumentError, match="two elements have the identifier 'a'"):
        imported(tmp_path, model(el("a", "Node") + el("a", "Device")))


def test_a_missing_file_is_a_document_error(tmp_path: Path) -> None:
    """A path that is not there says so."""
    with pytest.raises(iv.DocumentError, match="cannot read the file"):
        read(tmp_path / "absent.xml")


# --------------------------------------------------------------------------- export


def child(node: Element, tag: str) -> Element:
    """The child ``tag`` (in the exchange namespace), which must be there."""
    found = node.find(NS + tag)
    assert found is not None, tag
    return found


def attr(node: Element, name: str) -> str:
    value = node.get(name)
    assert value is not None, name
    return value


def text(node: Element, tag: str) -> str:
    value = child(node, tag).text
    assert value is not None, tag
    return value


def parsed(xml: str) -> tuple[Element, dict[str, str], dict[str, dict[str, str]]]:
    """The root, element types by identifier, and each element's properties by name."""
    root: Element = ET.fromstring(xml.encode("utf-8"))
    names = {attr(d, "identifier"): text(d, "name") for d in child(root, "propertyDefinitions")}
    types: dict[str, str] = {}
    props: dict[str, dict[str, str]] = {}
    for element in child(root, "elements"):
        ident = attr(element, "identifier")
        types[ident] = attr(element, XSI_TYPE)
        holder = element.find(NS + "properties")
        props[ident] = {
            names[attr(p, "propertyDefinitionRef")]: text(p, "value")
            for p in (holder if holder is not None else [])
        }
    return root, types, props


def test_export_carries_the_figures_of_the_analyses() -> None:
    """Value at risk, single points of failure and required recovery, per service."""
    p = iv.load(SHOP, SHOP_BUSINESS)
    g = p.graph()
    root, types, props = parsed(export(p, hours=2.0))
    assert root.tag == f"{NS}model"
    assert text(root, "name") == "Shop"
    assert types["id-payments"] == "ApplicationService"
    assert types["id-db-a"] == "TechnologyService"
    assert types["id-take-order"] == "BusinessProcess"
    assert types["id-webshop-product"] == "Product"
    assert types["order-delivered"] == "Outcome"
    risk = dict(g.rank_services(hours=2.0))
    assert props["id-payments"]["itvalue:value-at-risk"] == f"{risk['id-payments']:.2f} EUR"
    assert props["id-payments"]["itvalue:single-point-of-failure-for"] == (
        "Order delivered within two days"
    )
    need = g.recovery_needs()["id-payments"]
    assert float(props["id-payments"]["itvalue:required-recovery-hours"]) == pytest.approx(
        need.hours, rel=1e-3
    )
    assert "itvalue:single-point-of-failure-for" not in props["id-db-a"]  # redundant
    assert props["id-db-a"]["itvalue:value-at-risk"] == "0.00 EUR"
    model_props = {text(prop, "value") for prop in child(root, "properties")}
    assert {"2", "EUR"} <= model_props


def test_export_follows_the_exchange_schema_order() -> None:
    """Model children come in the schema's order; relationships name existing elements."""
    root, types, _props = parsed(export(iv.example("northwind")))
    order = [node.tag.removeprefix(NS) for node in root]
    assert order == ["name", "properties", "elements", "relationships", "propertyDefinitions"]
    for relation in child(root, "relationships"):
        assert relation.get("source") in types
        assert relation.get("target") in types
        assert relation.get(XSI_TYPE) in {"Serving", "Realization", "Assignment"}
    identifiers = [e.get("identifier") for e in root.iter() if e.get("identifier")]
    assert len(identifiers) == len(set(identifiers))


@pytest.mark.parametrize(
    "name", ["northwind", "manufacturer", "retail_holiday_peak", "utility_contact_centre"]
)
def test_export_then_import_gives_the_same_portfolio(tmp_path: Path, name: str) -> None:
    """Every entity the export writes comes back equal: ids, fields, links."""
    p = iv.load(ROOT / "examples" / f"{name}.yaml")
    path = tmp_path / "exported.xml"
    path.write_text(export(p), "utf-8")
    o = read(path)
    assert o.warnings == ()
    q = iv.compose(o)
    for section in ("stakeholders", "segments", "outcomes", "products", "processes", "services"):
        assert getattr(q, section) == getattr(p, section), section


@needs_external
def test_archisurance_round_trip_keeps_identifiers_services_and_dependencies(
    tmp_path: Path,
) -> None:
    """Import, export, import: the same ids, services and dependencies."""
    with pytest.warns(iv.SourceWarning):
        p = iv.load(ARCHISURANCE, ARCHISURANCE_BUSINESS)
    _root, types, props = parsed(export(p))
    assert types["id-1393"] == "TechnologyService"
    assert props["id-1393"]["itvalue:owner"] == "it-ops"
    assert "itvalue:value-at-risk" in props["id-1393"]
    path = tmp_path / "again.xml"
    path.write_text(export(p), "utf-8")
    q = iv.compose(read(path))
    assert [s.id for s in q.services] == [s.id for s in p.services]
    assert {s.id: s.depends_on for s in q.services} == {s.id: s.depends_on for s in p.services}
    assert q.services == p.services


def test_export_identifiers_never_meet(tmp_path: Path) -> None:
    """An entity whose id is one the export would choose for something else keeps it."""
    p = iv.compose(
        iv.example("northwind"),
        iv.Overlay(
            sections={
                "services": [
                    {"id": "model", "name": "Model service", "owner": "it-ops"},
                    {"id": "propid-itvalue-owner", "name": "Odd", "owner": "it-ops"},
                    {"id": "payments", "depends_on": [{"service": "model"}]},
                ]
            }
        ),
    )
    root, types, props = parsed(export(p))
    identifiers = [attr(e, "identifier") for e in root.iter() if e.get("identifier")]
    assert len(identifiers) == len(set(identifiers))
    assert attr(root, "identifier") == "model-2"
    assert types["model"] == "TechnologyService"
    assert props["model"]["itvalue:owner"] == "it-ops"


def test_ids_that_are_not_xml_ids_come_back_the_same(tmp_path: Path) -> None:
    """An id starting with a digit is written ``id-…`` and read back as itself."""
    p = iv.compose(
        iv.example("northwind"),
        iv.Overlay(
            sections={
                "services": [
                    {"id": "2nd-db", "name": "Second DB", "owner": "it-ops"},
                    {"id": "payments", "depends_on": [{"service": "2nd-db"}]},
                ]
            }
        ),
    )
    text = export(p)
    assert 'identifier="id-2nd-db"' in text
    path = tmp_path / "m.xml"
    path.write_text(text, "utf-8")
    q = iv.compose(read(path))
    assert q.service("payments").depends_on == p.service("payments").depends_on
