"""Backstage catalogs read into overlays: the real example catalog, each rule, hostile input."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import itvalue as iv
from itvalue.importers import backstage, recognise
from itvalue.report import build_report, render_markdown

ROOT = Path(__file__).parent.parent
# Backstage's example catalog, kept byte for byte beside the checkout (never copied in).
EXTERNAL = ROOT.parent / "shared" / "external" / "backstage"
CATALOG = ROOT / "examples" / "backstage" / "catalog.yaml"
BUSINESS = ROOT / "examples" / "backstage" / "business.yaml"
EXTERNAL_BUSINESS = ROOT / "examples" / "backstage" / "external-business.yaml"
needs_external = pytest.mark.skipif(
    not EXTERNAL.is_dir(), reason="the Backstage example catalog is not on this machine"
)

REAL_SERVICES = {
    "artist-lookup": ("team-a", "in_development", ["artists-db"]),
    "petstore": ("team-c", "in_development", []),
    "playback-order": ("guest", "live", []),
    "podcast-api": ("team-b", "in_development", []),
    "queue-proxy": ("team-b", "live", []),
    "searcher": ("guest", "live", []),
    "playback-sdk": ("team-c", "in_development", []),
    "www-artist": ("team-a", "live", []),
    "shuffle-api": ("guest", "live", []),
    "wayback-archive": (
        "team-a",
        "live",
        ["wayback-archive-ingestion", "wayback-archive-storage"],
    ),
    "wayback-archive-ingestion": ("team-d", "live", []),
    "wayback-archive-storage": ("team-a", "live", []),
    "wayback-search": ("team-a", "live", ["wayback-archive"]),
    "artists-db": ("team-a", None, []),
}


def entity(kind: str, name: str, spec: Mapping[str, Any] | None = None, **metadata: Any) -> str:
    """One entity as YAML text (metadata keys as keyword arguments)."""
    import yaml

    tree: dict[str, Any] = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": kind,
        "metadata": {"name": name, **metadata},
    }
    if spec is not None:
        tree["spec"] = dict(spec)
    return yaml.safe_dump(tree, sort_keys=False)


def component(name: str, *, annotations: Mapping[str, Any] | None = None, **spec: Any) -> str:
    """A Component entity with the given spec fields (owner team-a unless given)."""
    spec.setdefault("owner", "team-a")
    spec.setdefault("type", "service")
    if annotations is None:
        return entity("Component", name, spec)
    return entity("Component", name, spec, annotations=dict(annotations))


def catalog(tmp_path: Path, *documents: str, name: str = "catalog.yaml") -> Path:
    """A catalog file of the given entities."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n".join(documents), "utf-8")
    return path


def services(overlay: iv.Overlay) -> dict[str, Mapping[str, Any]]:
    """The overlay's service entries by id."""
    return {entry["id"]: entry for entry in overlay.entries("services")}


def people(overlay: iv.Overlay) -> dict[str, Mapping[str, Any]]:
    """The overlay's stakeholder entries by id."""
    return {entry["id"]: entry for entry in overlay.entries("stakeholders")}


def depends(entry: Mapping[str, Any]) -> list[str]:
    """The ids a service entry depends on, in order."""
    return [d["service"] for d in entry.get("depends_on", ())]


def codes(overlay: iv.Overlay) -> list[str]:
    """The codes of an overlay's warnings, in order."""
    return [w.code for w in overlay.warnings]


def unmapped(overlay: iv.Overlay) -> dict[str, str]:
    """The unmapped-kind warnings' messages by the kind they name."""
    return {
        w.message.split()[1]: w.message
        for w in overlay.warnings
        if w.code == "backstage-unmapped-kind"
    }


# --- the real example catalog of backstage/backstage -------------------------------------


@needs_external
def test_all_yaml_follows_its_locations_to_every_component_and_resource() -> None:
    """all.yaml's Locations lead to 13 components and one resource, with owners and lifecycles."""
    overlay = backstage.read(EXTERNAL / "all.yaml")
    found = services(overlay)
    assert list(found) == list(REAL_SERVICES)
    for ident, (owner, lifecycle, needs) in REAL_SERVICES.items():
        assert found[ident]["owner"] == owner
        assert found[ident].get("lifecycle") == lifecycle
        assert depends(found[ident]) == needs
    assert found["artist-lookup"]["description"] == "Artist Lookup"
    assert found["queue-proxy"].get("kind") is None  # a website stays technical
    assert overlay.source == str(EXTERNAL / "all.yaml")
    origin = overlay.origins[("services", "artist-lookup")]
    assert origin == iv.Origin(
        source=str(EXTERNAL / "components" / "artist-lookup-component.yaml"), line=1
    )
    assert people(overlay) == {
        owner: {"id": owner, "name": owner, "kind": "it"}
        for owner in ("team-a", "team-c", "guest", "team-b", "team-d")
    }
    assert codes(overlay) == ["backstage-unmapped-kind"] * 4
    kinds = unmapped(overlay)
    assert set(kinds) == {"AiResource", "API", "Domain", "System"}
    assert kinds["API"].startswith("10 API entities not mapped: api:backstage-mcp-server,")
    assert "airesource:frontend-design, airesource:use-internal-apis" in kinds["AiResource"]
    assert kinds["System"] == (
        "3 System entities not mapped: system:artist-engagement-portal,"
        " system:audio-playback, system:podcast"
    )


@needs_external
def test_one_real_component_alone_warns_of_its_missing_resource() -> None:
    """Read alone, artist-lookup's resource:artists-db is not there: a warning at its line."""
    path = EXTERNAL / "components" / "artist-lookup-component.yaml"
    overlay = backstage.read(path)
    assert depends(services(overlay)["artist-lookup"]) == []
    [warning] = overlay.warnings
    assert warning.code == "backstage-unknown-dependency"
    assert warning.message == (
        "component:artist-lookup depends on resource:artists-db, which is not in the catalog;"
        " the dependency is left out"
    )
    assert (warning.source, warning.line) == (str(path), 39)


@needs_external
def test_acme_corp_is_an_organisation_without_services() -> None:
    """acme-corp.yaml holds only Groups and Users: nothing maps, two warnings count them."""
    overlay = backstage.read(EXTERNAL / "acme-corp.yaml")
    assert overlay.sections == {}
    kinds = unmapped(overlay)
    assert kinds["Group"].startswith("8 Group entities not mapped: group:acme-corp,")
    assert kinds["User"].startswith("17 User entities not mapped: user:amelia.park,")
    assert "user:development/guest" in kinds["User"]
    with pytest.warns(iv.SourceWarning) as issued:
        portfolio = iv.load(EXTERNAL / "acme-corp.yaml")
    assert [w.message for w in issued] == list(overlay.warnings)
    assert portfolio.name == "acme-corp"
    assert portfolio.services == ()


@needs_external
def test_the_folder_gives_owners_their_display_names() -> None:
    """Read as a folder, Groups and Users name the owners; the OpenAPI file is skipped."""
    overlay = backstage.read(EXTERNAL)
    assert list(services(overlay)) == list(REAL_SERVICES)
    assert people(overlay) == {
        "team-a": {"id": "team-a", "name": "team-a", "description": "Team A", "kind": "it"},
        "team-c": {"id": "team-c", "name": "Team C", "description": "Team C", "kind": "it"},
        "guest": {"id": "guest", "name": "Guest User", "kind": "it"},
        "team-b": {"id": "team-b", "name": "Team B", "description": "Team B", "kind": "it"},
        "team-d": {"id": "team-d", "name": "Team D", "description": "Team D", "kind": "it"},
    }
    skipped = [w for w in overlay.warnings if w.code == "backstage-skipped-files"]
    assert [w.message for w in skipped] == [
        "1 file(s) hold no Backstage entity and were skipped: "
        + str(Path("apis", "petstore-webhook.oas.yaml"))
    ]
    kinds = unmapped(overlay)
    assert set(kinds) == {"AiResource", "API", "Domain", "Group", "System", "User"}
    assert kinds["Group"] == (
        "4 Group entities not mapped: group:acme-corp, group:backstage, group:boxoffice,"
        " group:infrastructure"
    )
    assert kinds["User"].startswith("16 User entities not mapped:")
    assert "user:guest," not in kinds["User"]  # the owner of three services is mapped
    assert recognise(EXTERNAL) == "backstage"
    assert recognise(EXTERNAL / "all.yaml") == "backstage"


@needs_external
def test_organisation_after_the_catalog_names_the_owners() -> None:
    """Composed after all.yaml, acme-corp's Groups give the known owners their names."""
    with pytest.warns(iv.SourceWarning) as issued:
        portfolio = iv.load(EXTERNAL / "all.yaml", EXTERNAL / "acme-corp.yaml")
    names = {s.id: (s.name, s.kind.value) for s in portfolio.stakeholders}
    assert names == {
        "team-a": ("team-a", "it"),
        "team-b": ("Team B", "it"),
        "team-c": ("Team C", "it"),
        "team-d": ("Team D", "it"),
        "guest": ("Guest User", "it"),
    }
    messages = [str(w.message) for w in issued]
    assert any("4 Group entities not mapped" in m for m in messages)
    assert any("16 User entities not mapped" in m for m in messages)
    assert len(portfolio.services) == 14


@needs_external
def test_real_catalog_with_a_business_overlay_reports_figures() -> None:
    """all.yaml and the example overlay give a report with money and volumes."""
    with pytest.warns(iv.SourceWarning):
        portfolio = iv.load(EXTERNAL / "all.yaml", EXTERNAL_BUSINESS)
    assert portfolio.name == "ACME Corp listening and artist services"
    assert portfolio.service("www-artist").depends_on[0].service == "artists-db"
    assert portfolio.service("artists-db").provided_by == "cloudline"
    assert portfolio.get("team-a").name == "Team A"
    text = render_markdown(build_report(portfolio))
    assert "| Hour of music listened | Listeners | 600,000 hours a month | €0.05 | €360,000 |" in (
        text
    )
    assert "| playback-order | 822 hours fewer | about €41 |" in text
    assert "Cloudline Hosting" in text
    codes_found = {(f.code, f.subject) for f in iv.check(portfolio)}
    assert ("ITV015", "cloudline") in codes_found
    assert ("ITV001", "playback-order") not in codes_found
    assert iv.loads(iv.dumps(portfolio)) == portfolio


# --- the project's example ----------------------------------------------------------------


def test_example_catalog_imports_without_warnings() -> None:
    """The example shop catalog maps entirely: nine services, three teams and a supplier."""
    overlay = backstage.read(CATALOG)
    assert overlay.warnings == ()
    assert list(services(overlay)) == [
        "storefront",
        "checkout-api",
        "payment-gateway",
        "product-catalog",
        "search",
        "recommendations",
        "warehouse-sync",
        "orders-db",
        "catalog-db",
    ]
    assert people(overlay)["paystream"] == {
        "id": "paystream",
        "name": "PayStream Ltd",
        "description": "Our card payment provider",
        "kind": "supplier",
    }
    assert recognise(CATALOG) == "backstage"


def test_example_catalog_and_business_overlay_make_a_report() -> None:
    """Catalog plus business overlay: a portfolio whose report has figures; it round-trips."""
    portfolio = iv.load(CATALOG, BUSINESS)
    assert portfolio.name == "Harbour Books online shop"
    storefront = portfolio.service("storefront")
    assert storefront.kind.value == "business"
    assert [d.service for d in storefront.depends_on] == ["product-catalog", "checkout-api"]
    assert [s.process for s in storefront.supports] == ["find-a-book", "checkout"]
    assert portfolio.service("payment-gateway").availability == pytest.approx(0.9995)
    text = render_markdown(build_report(portfolio))
    assert "| Book ordered and paid | Online readers | 12,000 orders a month | €9.50 |" in text
    assert "IT services cost €245,000 a year in all." in text
    assert "| PayStream Ltd | Payment gateway | 16 orders fewer | about €156 |" in text
    for fmt in ("yaml", "json", "toml"):
        assert iv.loads(iv.dumps(portfolio, format=fmt), format=fmt) == portfolio


def test_imported_overlay_dumps_and_reads_back(tmp_path: Path) -> None:
    """The overlay dumped as a document composes to the same portfolio as the catalog."""
    import yaml

    overlay = backstage.read(CATALOG)
    dumped = tmp_path / "imported.yaml"
    dumped.write_text(yaml.safe_dump(overlay.to_dict(), sort_keys=False), "utf-8")
    assert iv.load(dumped, BUSINESS) == iv.load(CATALOG, BUSINESS)


# --- ids and names --------------------------------------------------------------------------


def test_ids_names_and_descriptions(tmp_path: Path) -> None:
    """Title before name; a namespace other than default prefixes the id; odd names slug."""
    path = catalog(
        tmp_path,
        entity(
            "Component",
            "billing",
            {"owner": "team-a"},
            title="Billing engine",
            description="Invoices",
        ),
        entity("Component", "billing", {"owner": "team-a"}, namespace="finance"),
        entity("Resource", "Ledger_DB", {"owner": "team-a"}),
        entity("Component", "Ärger", {"owner": "team-a"}),
        entity("Component", "日本", {"owner": "team-a"}),
    )
    found = services(backstage.read(path))
    *named, hashed = found
    assert named == ["billing", "finance.billing", "ledger_db", "rger"]
    assert hashed.startswith("entity-")
    assert len(hashed) == len("entity-") + 10
    assert found["billing"]["name"] == "Billing engine"
    assert found["billing"]["description"] == "Invoices"
    assert found["finance.billing"]["name"] == "billing"
    assert "description" not in found["finance.billing"]
    assert found["ledger_db"]["name"] == "Ledger_DB"
    again = services(backstage.read(path))
    assert list(again) == list(found)  # stable across re-imports


def test_two_entities_with_one_id_are_an_error(tmp_path: Path) -> None:
    """A component and a resource of one name clash: the error names both."""
    path = catalog(tmp_path, component("cache"), entity("Resource", "Cache", {"owner": "x"}))
    with pytest.raises(iv.DocumentError) as caught:
        backstage.read(path)
    error = caught.value
    assert "resource:Cache and component:cache" in str(error)
    assert "'cache'" in str(error)
    assert (error.source, error.line) == (str(path), 9)


def test_the_same_entity_twice_is_an_error(tmp_path: Path) -> None:
    """One entity reference defined in two files: the error names both places."""
    first = catalog(tmp_path, component("cache"), name="a.yaml")
    catalog(tmp_path, component("cache"), name="b.yaml")
    with pytest.raises(iv.DocumentError, match="component:cache is defined twice") as caught:
        backstage.read(tmp_path)
    assert f"{first}, line 1" in str(caught.value)


# --- dependencies ---------------------------------------------------------------------------


def test_depends_on_resolves_refs_as_backstage_does(tmp_path: Path) -> None:
    """Kind and namespace are optional; the namespace defaults to the writer's."""
    path = catalog(
        tmp_path,
        component(
            "api",
            dependsOn=["resource:db", "component:default/worker", "queue", "resource:ops/db"],
        ),
        entity("Resource", "db", {"owner": "team-a"}),
        entity("Resource", "queue", {"owner": "team-a"}),
        component("worker"),
        entity("Resource", "db", {"owner": "team-a"}, namespace="ops"),
        entity(
            "Component", "job", {"owner": "team-a", "dependsOn": ["resource:db"]}, namespace="ops"
        ),
    )
    overlay = backstage.read(path)
    found = services(overlay)
    assert depends(found["api"]) == ["db", "worker", "queue", "ops.db"]
    assert depends(found["ops.job"]) == ["ops.db"]
    assert overlay.warnings == ()


def test_a_dependency_outside_the_catalog_is_a_warning(tmp_path: Path) -> None:
    """Unknown targets, and targets that are not services, are left out with a warning."""
    path = catalog(
        tmp_path,
        component("api", dependsOn=["resource:gone", "system:shop", "component:worker"]),
        component("worker"),
        entity("System", "shop", {"owner": "team-a"}),
    )
    overlay = backstage.read(path)
    assert depends(services(overlay)["api"]) == ["worker"]
    found = [w for w in overlay.warnings if w.code == "backstage-unknown-dependency"]
    assert [w.message for w in found] == [
        "component:api depends on resource:gone, which is not in the catalog;"
        " the dependency is left out",
        "component:api depends on system:shop, which is a System, not a service;"
        " the dependency is left out",
    ]
    assert [(w.source, w.line) for w in found] == [(str(path), 7), (str(path), 8)]


def test_a_dependency_an_earlier_source_holds_is_kept(tmp_path: Path) -> None:
    """With ``known``, a dependency on a service composed before is kept, unwarned."""
    path = catalog(tmp_path, component("api", dependsOn=["resource:mainframe"]))
    overlay = backstage.read(path, known={"services": {"mainframe": {"id": "mainframe"}}})
    assert depends(services(overlay)["api"]) == ["mainframe"]
    assert overlay.warnings == ()


def test_an_unresolved_kindless_reference_is_shown_as_written(tmp_path: Path) -> None:
    """A dependsOn without a kind names a component or a resource; unresolved, as written."""
    path = catalog(
        tmp_path,
        component("api", dependsOn=["cache", "ops/queue"]),
        entity("Resource", "cache", {"owner": "team-a"}),
    )
    overlay = backstage.read(path)
    assert depends(services(overlay)["api"]) == ["cache"]
    [warning] = overlay.warnings
    assert warning.message.startswith("component:api depends on ops/queue, which is not in")


def test_consumed_apis_become_dependencies_on_their_providers(tmp_path: Path) -> None:
    """consumesApis → every component that provides the API; none → a warning."""
    path = catalog(
        tmp_path,
        component("web", consumesApis=["orders", "api:default/search", "ghost"]),
        component("orders-a", providesApis=["orders"]),
        component("orders-b", providesApis=["api:orders"]),
        component("finder", providesApis=["search", "orders"], consumesApis=["search"]),
    )
    overlay = backstage.read(path)
    found = services(overlay)
    assert depends(found["web"]) == ["orders-a", "orders-b", "finder"]
    assert depends(found["finder"]) == []  # it provides what it consumes
    [warning] = overlay.warnings
    assert warning.code == "backstage-unprovided-api"
    assert warning.message.startswith("component:web consumes api:ghost, which no component")


def test_a_parent_depends_on_its_subcomponents_and_dependency_of(tmp_path: Path) -> None:
    """subcomponentOf and dependencyOf make the named entity depend on the writer."""
    path = catalog(
        tmp_path,
        component("archive", dependsOn=["resource:disk"]),
        component("ingest", subcomponentOf="archive"),
        component("store", subcomponentOf="component:archive"),
        entity("Resource", "disk", {"owner": "team-a", "dependencyOf": ["component:store"]}),
        component("lost", subcomponentOf="nothing"),
    )
    overlay = backstage.read(path)
    found = services(overlay)
    assert depends(found["archive"]) == ["disk", "ingest", "store"]
    assert depends(found["store"]) == ["disk"]
    [warning] = overlay.warnings
    assert warning.code == "backstage-unknown-dependency"
    assert "subcomponentOf component:nothing" in warning.message


def test_a_dependency_cycle_is_reported_when_composed(tmp_path: Path) -> None:
    """The importer keeps a cycle; the composition's validation names it."""
    path = catalog(
        tmp_path,
        component("a", dependsOn=["component:b"]),
        component("b", dependsOn=["component:a"]),
    )
    assert depends(services(backstage.read(path))["a"]) == ["b"]
    with pytest.raises(iv.ValidationError, match="cycle"):
        iv.load(path)


# --- owners and suppliers -------------------------------------------------------------------


def test_owners_are_groups_or_users_with_their_display_names(tmp_path: Path) -> None:
    """Groups and Users give owners names; owners the catalog lacks are named by their id."""
    path = catalog(
        tmp_path,
        component("a", owner="group:payments"),
        component("b", owner="user:jo.smith"),
        component("c", owner="team-x"),
        entity(
            "Group",
            "payments",
            {"type": "team", "profile": {"displayName": "Payments"}, "children": []},
            description="Money in",
        ),
        entity("User", "jo.smith", {"profile": {"displayName": "Jo Smith"}, "memberOf": []}),
        entity("Group", "other", {"type": "team", "children": []}, title="Other team"),
        component("d", owner="group:titled"),
        entity("Group", "titled", {"type": "team", "children": []}, title="Titled team"),
    )
    overlay = backstage.read(path)
    assert {i: e["owner"] for i, e in services(overlay).items()} == {
        "a": "payments",
        "b": "jo.smith",
        "c": "team-x",
        "d": "titled",
    }
    assert people(overlay) == {
        "payments": {"id": "payments", "name": "Payments", "description": "Money in", "kind": "it"},
        "jo.smith": {"id": "jo.smith", "name": "Jo Smith", "kind": "it"},
        "team-x": {"id": "team-x", "name": "team-x", "kind": "it"},
        "titled": {"id": "titled", "name": "Titled team", "kind": "it"},
    }
    assert overlay.origins[("stakeholders", "team-x")] == iv.Origin(source=str(path), line=22)
    assert unmapped(overlay) == {"Group": "1 Group entity not mapped: group:other"}


def test_an_owner_named_like_a_service_takes_its_kind_as_prefix(tmp_path: Path) -> None:
    """A Group named like a component, or a User like a Group, keeps a distinct id."""
    path = catalog(
        tmp_path,
        component("search", owner="search"),
        component("crawler", owner="user:search"),
        component("index", owner="group:ops"),
    )
    overlay = backstage.read(path)
    assert {i: e["owner"] for i, e in services(overlay).items()} == {
        "search": "group.search",
        "crawler": "user.search",
        "index": "ops",
    }
    portfolio = iv.load(path)
    assert portfolio.get("group.search", iv.Stakeholder).name == "search"
    assert portfolio.get("user.search", iv.Stakeholder).kind.value == "it"


def test_services_without_owner_share_one_stakeholder_and_one_warning(tmp_path: Path) -> None:
    """No spec.owner: the owner is 'unowned' (Owner not recorded), listed in one warning."""
    path = catalog(
        tmp_path,
        entity("Component", "a", {"type": "service"}),
        entity("Resource", "b", {"type": "database"}),
        component("c"),
    )
    overlay = backstage.read(path)
    assert services(overlay)["a"]["owner"] == "unowned"
    assert people(overlay)["unowned"] == {
        "id": "unowned",
        "name": "Owner not recorded",
        "kind": "it",
    }
    [warning] = overlay.warnings
    assert warning.code == "backstage-unowned"
    assert warning.message == (
        "2 service(s) have no spec.owner; their owner is 'unowned' (Owner not recorded): a, b"
    )
    with pytest.warns(iv.SourceWarning, match="have no spec.owner"):
        assert iv.load(path).service("b").owner == "unowned"


def test_known_owners_are_not_redefined(tmp_path: Path) -> None:
    """An owner an earlier source defines keeps its kind; a Group only adds its name."""
    path = catalog(
        tmp_path,
        component("a", owner="sales"),
        component("b", owner="ops"),
        entity("Group", "ops", {"profile": {"displayName": "Operations"}, "children": []}),
        entity("Group", "finance", {"profile": {"displayName": "Finance"}, "children": []}),
    )
    known = {"stakeholders": {"sales": {"id": "sales"}, "ops": {"id": "ops"}, "finance": {}}}
    overlay = backstage.read(path, known=known)
    assert people(overlay) == {
        "ops": {"id": "ops", "name": "Operations"},
        "finance": {"id": "finance", "name": "Finance"},
    }
    assert overlay.warnings == ()


def test_provided_by_makes_a_supplier(tmp_path: Path) -> None:
    """provided-by names a supplier: named by its Group when the catalog has one."""
    path = catalog(
        tmp_path,
        component("pay", annotations={"itvalue.io/provided-by": "paystream"}),
        component("mail", annotations={"itvalue.io/provided-by": "postbox"}),
        component("dns", owner="netco", annotations={"itvalue.io/provided-by": "netco"}),
        entity("Group", "paystream", {"profile": {"displayName": "PayStream Ltd"}, "children": []}),
    )
    overlay = backstage.read(path)
    assert services(overlay)["pay"]["provided_by"] == "paystream"
    assert people(overlay) == {
        "team-a": {"id": "team-a", "name": "team-a", "kind": "it"},
        "netco": {"id": "netco", "name": "netco", "kind": "supplier"},
        "paystream": {"id": "paystream", "name": "PayStream Ltd", "kind": "supplier"},
        "postbox": {"id": "postbox", "name": "postbox", "kind": "supplier"},
    }
    assert overlay.origins[("stakeholders", "postbox")].line == 16
    assert overlay.warnings == ()
    portfolio = iv.load(path)
    assert portfolio.service("pay").provided_by == "paystream"


# --- lifecycle ------------------------------------------------------------------------------


def test_lifecycles_map_to_itvalue_lifecycles(tmp_path: Path) -> None:
    """production and deprecated are live, experimental in development, none the default."""
    path = catalog(
        tmp_path,
        component("a", lifecycle="production"),
        component("b", lifecycle="experimental"),
        component("c", lifecycle="deprecated"),
        component("d"),
        component("e", lifecycle="Production"),
    )
    found = services(backstage.read(path))
    assert {i: e.get("lifecycle") for i, e in found.items()} == {
        "a": "live",
        "b": "in_development",
        "c": "live",
        "d": None,
        "e": "live",
    }


def test_an_unknown_lifecycle_is_an_error_unless_mapped(tmp_path: Path) -> None:
    """An unmapped lifecycle names the value, the entity and its line, hinting at the option."""
    path = catalog(tmp_path, component("a"), component("b", lifecycle="beta"))
    with pytest.raises(iv.DocumentError) as caught:
        backstage.read(path)
    error = caught.value
    assert "the Component 'b' has lifecycle 'beta'" in str(error)
    assert (error.source, error.line) == (str(path), 14)
    assert "lifecycles={'beta': 'live'}" in error.hint
    overlay = backstage.read(path, lifecycles={"beta": "approved", "production": "retired"})
    assert services(overlay)["b"]["lifecycle"] == "approved"


def test_the_lifecycles_option_must_name_lifecycles(tmp_path: Path) -> None:
    """A mapping to something that is not a lifecycle is refused, every one at once."""
    path = catalog(tmp_path, component("a"))
    with pytest.raises(iv.ValidationError) as caught:
        backstage.read(path, lifecycles={"beta": "running", "ga": "live", "old": "gone"})
    assert [p.path for p in caught.value.problems] == ["lifecycles['beta']", "lifecycles['old']"]


# --- annotations ----------------------------------------------------------------------------


def test_annotations_carry_itvalue_fields(tmp_path: Path) -> None:
    """Each itvalue.io annotation sets its field; other annotations are ignored."""
    path = catalog(
        tmp_path,
        component(
            "pay",
            annotations={
                "itvalue.io/availability": "99.9%",
                "itvalue.io/annual-cost": "120,000.50 EUR",
                "itvalue.io/supports": "checkout, refunds:0.25",
                "itvalue.io/kind": "Business",
                "itvalue.io/offering": "made-to-order",
                "itvalue.io/recovery-hours": "4",
                "backstage.io/techdocs-ref": "dir:.",
            },
        ),
        component("db", annotations={"itvalue.io/availability": 0.9995}),
        component("cdn", annotations={"itvalue.io/annual-cost": "1_200 USD"}),
    )
    found = services(backstage.read(path))
    pay = found["pay"]
    assert pay["availability"] == pytest.approx(0.999)
    assert pay["annual_cost"] == {"amount": 120000.5, "currency": "EUR"}
    assert pay["supports"] == ({"process": "checkout"}, {"process": "refunds", "share": 0.25})
    assert (pay["kind"], pay["offering"], pay["recovery_hours"]) == ("business", "made_to_order", 4)
    assert found["db"]["availability"] == 0.9995
    assert found["cdn"]["annual_cost"] == {"amount": 1200, "currency": "USD"}


@pytest.mark.parametrize(
    ("key", "value", "message", "hint"),
    [
        ("availability", "99.9", "must be greater than 0 and at most 1", "write 0.999 or 99.9%"),
        ("availability", "high", "must be a fraction", ""),
        ("availability", "0", "must be greater than 0", ""),
        ("annual-cost", "120000", "must be an amount and a currency", '"120000 EUR"'),
        ("annual-cost", "120000 eur", "not an upper-case currency code", "'EUR'"),
        ("supports", "Check Out", "not a valid process id", "'check-out'"),
        ("supports", "checkout:2", "must be greater than 0 and at most 1", ""),
        ("supports", "checkout:half", "a share after the colon", ""),
        ("kind", "internal", "must be one of business, technical", ""),
        ("offering", "bespoke", "must be one of catalog, made_to_order", ""),
        ("recovery-hours", "-1", "must be more than 0", ""),
        ("recovery-hours", "nan", "must be a number of hours", ""),
        ("provided-by", "Big Vendor", "not a valid supplier id", "'big-vendor'"),
        ("availabilty", "0.9", "unknown annotation", "did you mean 'itvalue.io/availability'?"),
        ("recovery-hours", ["4"], "must be a number of hours", ""),
        ("supports", " ", "must list process ids", "checkout, search:0.5"),
    ],
)
def test_a_bad_annotation_is_an_error_at_its_line(
    tmp_path: Path, key: str, value: object, message: str, hint: str
) -> None:
    """A bad itvalue.io value is a DocumentError with file, line and a hint where one helps."""
    path = catalog(
        tmp_path, component("ok"), component("pay", annotations={f"itvalue.io/{key}": value})
    )
    with pytest.raises(iv.DocumentError, match=message) as caught:
        backstage.read(path)
    line = 15 if isinstance(value, list) else 14  # a list starts below its key
    assert (caught.value.source, caught.value.line) == (str(path), line)
    assert hint in caught.value.hint


def test_supports_name_processes_the_composition_checks(tmp_path: Path) -> None:
    """A supported process no source defines is a problem traced to the catalog's line."""
    path = catalog(tmp_path, component("pay", annotations={"itvalue.io/supports": "checkout"}))
    with pytest.raises(iv.ValidationError) as caught:
        iv.load(path)
    [problem] = caught.value.problems
    assert "checkout" in problem.message
    assert problem.line == 1


# --- unmapped kinds and Locations -----------------------------------------------------------


def test_one_warning_per_unmapped_kind(tmp_path: Path) -> None:
    """APIs, Systems, Templates and unknown kinds are counted and named, kind by kind."""
    path = catalog(
        tmp_path,
        component("a"),
        entity("API", "orders", {"type": "openapi"}),
        entity("API", "search", {"type": "openapi"}),
        entity("System", "shop", {}),
        entity("AiResource", "skill", {}),
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: new-app}\n",
    )
    overlay = backstage.read(path)
    assert unmapped(overlay) == {
        "AiResource": "1 AiResource entity not mapped: airesource:skill",
        "API": "2 API entities not mapped: api:orders, api:search",
        "System": "1 System entity not mapped: system:shop",
        "Template": "1 Template entity not mapped: template:new-app",
    }
    assert all(w.source == str(path) for w in overlay.warnings)


def test_locations_are_followed_relative_to_their_file(tmp_path: Path) -> None:
    """target, targets and globs, relative to the Location; each file read once."""
    catalog(tmp_path, component("a"), name="teams/a.yaml")
    catalog(tmp_path, component("b"), name="teams/b.yaml")
    catalog(tmp_path, component("c"), name="more/c.yaml")
    catalog(
        tmp_path,
        entity("Location", "more", {"target": "c.yaml"}),
        name="more/index.yaml",
    )
    root = catalog(
        tmp_path,
        entity(
            "Location", "all", {"targets": ["./teams/*.yaml", "more/index.yaml", "teams/a.yaml"]}
        ),
    )
    overlay = backstage.read(root)
    assert list(services(overlay)) == ["a", "b", "c"]
    assert overlay.origins[("services", "c")].source == str(tmp_path / "more" / "c.yaml")
    assert overlay.warnings == ()


def test_a_location_cycle_ends(tmp_path: Path) -> None:
    """Locations that point at each other are read once each."""
    a = catalog(
        tmp_path, component("a"), entity("Location", "to-b", {"target": "./b.yaml"}), name="a.yaml"
    )
    catalog(
        tmp_path, component("b"), entity("Location", "to-a", {"target": "./a.yaml"}), name="b.yaml"
    )
    catalog(tmp_path, entity("Location", "self", {"target": "./c.yaml"}), name="c.yaml")
    assert list(services(backstage.read(a))) == ["a", "b"]
    with pytest.raises(iv.DocumentError, match="no Backstage entity"):
        backstage.read(tmp_path / "c.yaml")


def test_nothing_to_read_is_an_error(tmp_path: Path) -> None:
    """An empty folder, or one without catalog files, is refused, not read as nothing."""
    (tmp_path / "empty").mkdir()
    with pytest.raises(iv.DocumentError, match="no Backstage entity was found here"):
        backstage.read(tmp_path / "empty")


def test_a_mistyped_owner_is_a_warning(tmp_path: Path) -> None:
    """An owner close to a Group of the catalog, but not one, is named with the match."""
    root = catalog(
        tmp_path,
        component("shop", owner="team-paymnets"),
        entity("Group", "team-payments", {"type": "team", "children": []}),
    )
    overlay = backstage.read(root)
    (warning,) = [w for w in overlay.warnings if w.code == "backstage-unknown-owner"]
    assert "team-paymnets" in warning.message
    assert warning.hint == "did you mean 'team-payments'?"


def test_a_missing_target_names_it_and_the_location(tmp_path: Path) -> None:
    """A missing target is an error naming it, with the Location's file and line."""
    root = catalog(
        tmp_path,
        entity("Location", "all", {"targets": ["./here.yaml", "./gone.yaml"]}),
    )
    catalog(tmp_path, component("here"), name="here.yaml")
    with pytest.raises(iv.DocumentError) as caught:
        backstage.read(root)
    error = caught.value
    assert "the Location 'all' points at './gone.yaml', which does not exist" in str(error)
    assert (error.source, error.line) == (str(root), 8)
    assert "presence: optional" in error.hint


def test_optional_missing_remote_and_empty_targets_are_warnings(tmp_path: Path) -> None:
    """presence: optional, URLs and empty globs leave nothing out silently."""
    root = catalog(
        tmp_path,
        entity("Location", "maybe", {"target": "./later.yaml", "presence": "optional"}),
        entity(
            "Location",
            "remote",
            {"type": "url", "targets": ["https://github.com/acme/cat/blob/main/all.yaml"]},
        ),
        entity("Location", "none", {"target": "./nothing/*.yaml"}),
    )
    overlay = backstage.read(root)
    assert codes(overlay) == [
        "backstage-missing-target",
        "backstage-remote-target",
        "backstage-empty-target",
    ]
    remote = overlay.warnings[1]
    assert "https://github.com/acme/cat/blob/main/all.yaml" in remote.message
    assert (remote.source, remote.line) == (str(root), 16)


def test_a_folder_target_is_an_error(tmp_path: Path) -> None:
    """A Location target must be a file or a glob, not a folder."""
    (tmp_path / "teams").mkdir()
    root = catalog(tmp_path, entity("Location", "all", {"target": "./teams"}))
    with pytest.raises(iv.DocumentError, match="a folder") as caught:
        backstage.read(root)
    assert "./teams/*.yaml" in caught.value.hint


def test_a_folder_skips_what_is_not_a_catalog(tmp_path: Path) -> None:
    """Other YAML in a folder is skipped with a warning; hidden folders are not read."""
    catalog(tmp_path, component("a"), name="catalog-info.yaml")
    (tmp_path / "openapi.yaml").write_text("openapi: 3.0.0\ninfo: {title: x}\n", "utf-8")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "stack.yml").write_text("Resources: !Ref Bucket\n", "utf-8")
    (tmp_path / ".github").mkdir()
    catalog(tmp_path, component("hidden"), name=".github/catalog-info.yaml")
    (tmp_path / "notes.txt").write_text("apiVersion: backstage.io/v1alpha1\n", "utf-8")
    overlay = backstage.read(tmp_path)
    assert list(services(overlay)) == ["a"]
    [warning] = overlay.warnings
    assert warning.code == "backstage-skipped-files"
    assert warning.message.endswith(f"{Path('deploy', 'stack.yml')}, openapi.yaml")


def test_a_path_that_is_not_there(tmp_path: Path) -> None:
    """A missing file or folder is a DocumentError naming it."""
    with pytest.raises(iv.DocumentError, match="no such file or folder"):
        backstage.read(tmp_path / "nothing.yaml")


# --- hostile and malformed input ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("- just\n- a list\n", "must be an entity \\(a mapping\\), not a list", 1),
        ("just text\n", "not the value 'just text'", 1),
        (
            "apiVersion: backstage.io/v1alpha1\nmetadata: {name: a}\n",
            "needs 'apiVersion' and 'kind'",
            1,
        ),
        (
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nspec: {}\n",
            "has no metadata.name",
            1,
        ),
        (
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: [1]\n",
            "spec of the Component 'a' must be a mapping",
            4,
        ),
        (
            "apiVersion: backstage.io/v2\nkind: Component\nmetadata: {name: a}\n",
            "apiVersion 'backstage.io/v2'",
            1,
        ),
        (
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\n"
            "spec: {owner: x, dependsOn: [{kind: component, name: b}]}\n",
            "is not an entity reference",
            4,
        ),
        (
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\n"
            "spec: {owner: x, dependsOn: 'a:b:c'}\n",
            "is not an entity reference",
            4,
        ),
        (
            "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
            "metadata: {name: a, annotations: [x]}\nspec: {owner: x}\n",
            "annotations must be a mapping",
            3,
        ),
        (
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: a}\n"
            "spec: {targets: ./x.yaml}\n",
            "spec.targets must be a list",
            4,
        ),
        (
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: !!python/object:os.system {}\n",
            "tag",
            3,
        ),
        ("a: [\n", "not valid YAML", 2),
        (
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a, namespace: 5}\n",
            "namespace that is not text",
            3,
        ),
        (
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\n"
            "spec: {owner: x, dependsOn: 5}\n",
            "spec.dependsOn must be a list of entity references",
            4,
        ),
        (
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: a}\n"
            "spec: {targets: ['']}\n",
            "a Location target must be a path",
            4,
        ),
    ],
)
def test_malformed_documents_are_errors_with_lines(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    """Documents that are not entities, and broken ones, are DocumentErrors at their line."""
    path = tmp_path / "catalog.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(iv.DocumentError, match=message) as caught:
        backstage.read(path)
    assert (caught.value.source, caught.value.line) == (str(path), line)


def test_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    """Nested YAML aliases that would expand enormously are refused before mapping."""
    lines = [
        "apiVersion: backstage.io/v1alpha1",
        "kind: Component",
        "a0: &a0 [x, x, x, x, x, x, x, x, x, x]",
    ]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    lines += ["metadata: {name: bomb}"]
    path = tmp_path / "catalog.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(iv.DocumentError, match="aliases expand"):
        backstage.read(path)


def test_long_lists_of_names_are_cut_short(tmp_path: Path) -> None:
    """A warning names twenty entities and counts the rest."""
    apis = [entity("API", f"api-{n:02}", {"type": "openapi"}) for n in range(25)]
    overlay = backstage.read(catalog(tmp_path, component("a"), *apis))
    assert unmapped(overlay)["API"].endswith("api:api-19 and 5 more")


def test_the_command_line_reports_on_catalog_and_overlay() -> None:
    """`itvalue report CATALOG OVERLAY` prints the report with its figures."""
    from click.testing import CliRunner

    from itvalue._commands import app

    result = CliRunner().invoke(app, ["report", str(CATALOG), str(BUSINESS)])
    assert result.exit_code == 0, result.output
    assert "# What IT does for the customers of Harbour Books online shop" in result.stdout
    assert "| Orders database | 16 orders fewer, 16 parcels fewer | about €188 |" in result.stdout
