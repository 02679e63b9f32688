"""The business report: its figures, its words, and both renderings."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given

import itvalue as iv
from itvalue._commands import app
from itvalue.report import (
    build_report,
    money_text,
    narrate,
    render_html,
    render_markdown,
)
from itvalue.report._words import singular, units_text
from itvalue.testing import strategies as ivst
from tests.test_agreements import AGREEMENTS
from tests.test_checks import TRAPS
from tests.test_graph import CONTOSO

BOXES = """
apiVersion: itvalue/v1
kind: Portfolio
name: Boxes
stakeholders: [{id: it, name: IT, kind: it}, {id: sales, name: Sales, kind: relationship_owner}]
segments: [{id: trade, name: Trade buyers, relationship_owner: sales}]
outcomes:
  - {id: box-shipped, name: Box shipped, segment: trade,
     volume: {amount: 1, unit: boxes, per: hour}, unit_value: {amount: 30, currency: EUR}}
  - {id: batch-shipped, name: Batch shipped, segment: trade,
     volume: {amount: 1, unit: batches, per: hour}, unit_value: {amount: 900, currency: USD}}
processes:
  - {id: packing, name: Packing, owner: sales, enables: [box-shipped]}
  - {id: loading, name: Loading, owner: sales, enables: [batch-shipped]}
services:
  - {id: wms, name: Warehouse, owner: it, kind: business, offering: catalog, lifecycle: live,
     annual_cost: {amount: 8760, currency: EUR}, supports: [{process: packing}]}
  - {id: yard, name: Yard, owner: it, kind: business, offering: catalog, lifecycle: live,
     supports: [{process: loading}]}
  - {id: dock, name: Dock, owner: it, kind: business, offering: catalog, lifecycle: live,
     supports: [{process: loading}]}
"""


#: Contoso with its network hosted by one supplier and its payments taken by another.
SUPPLIED = (
    CONTOSO.replace(
        "  - {id: it, name: IT, kind: it}\n",
        "  - {id: it, name: IT, kind: it}\n"
        "  - {id: cloud, name: Cloud host, kind: supplier}\n"
        "  - {id: psp, name: Payment provider, kind: supplier}\n"
        "  - {id: idle, name: Idle vendor, kind: supplier}\n",
    )
    .replace(
        "{id: network, name: Network, owner: it,",
        "{id: network, name: Network, owner: it, provided_by: cloud,",
    )
    .replace(
        "{id: payments, name: Payments, owner: it,",
        "{id: payments, name: Payments, owner: it, provided_by: psp,",
    )
)


#: Contoso where cost also stops short: half the warehouse's cost goes to an archive that
#: leads nowhere, the fax gateway leans on the network, and a retired CRM still costs.
COSTLY = (
    CONTOSO.replace(
        "  - {id: support-desk,",
        "  - {id: archive, name: Archive, owner: sales, enables: []}\n  - {id: support-desk,",
    )
    .replace(
        "supports: [{process: fulfilment, share: 0.5}], depends_on: [{service: network}]",
        "supports: [{process: fulfilment, share: 0.5}, {process: archive, share: 0.5}],\n"
        "     depends_on: [{service: network}]",
    )
    .replace(
        "lifecycle: live, annual_cost: {amount: 7000, currency: EUR}}",
        "lifecycle: live, annual_cost: {amount: 7000, currency: EUR},\n"
        "     depends_on: [{service: network}]}\n"
        "  - {id: old-crm, name: Old CRM, owner: it, kind: business, offering: catalog,\n"
        "     lifecycle: retired, annual_cost: {amount: 4000, currency: EUR},\n"
        "     supports: [{process: support-desk}]}",
    )
)


def test_money_text() -> None:
    """Money reads the way people write it."""
    assert money_text(575.34, "EUR") == "€575"
    assert money_text(575.34, "EUR", about=True) == "about €575"
    assert money_text(1.5, "USD") == "$1.50"
    assert money_text(1, "EUR", cents=True) == "€1.00"
    assert money_text(1234567, "CHF") == "1,234,567 CHF"


@pytest.mark.parametrize(
    ("plural", "one"),
    [
        ("orders", "order"),
        ("calls", "call"),
        ("boxes", "box"),
        ("batches", "batch"),
        ("wishes", "wish"),
        ("passes", "pass"),
        ("deliveries", "delivery"),
        ("bank transfers", "bank transfer"),
        ("gloss", "gloss"),
        ("status", "status"),
        ("analysis", "analysis"),
        ("kWh", "kWh"),
        ("people", "people"),
    ],
)
def test_singular(plural: str, one: str) -> None:
    """Units in the plural read in the singular by the regular rules of English."""
    assert singular(plural) == one


def test_an_amount_of_one_takes_the_singular() -> None:
    """Exactly one reads "1 box"; any other amount keeps the plural."""
    assert units_text(1, "boxes") == "1 box"
    assert units_text(1.04, "boxes") == "1.0 boxes"
    assert units_text(2, "boxes") == "2 boxes"
    assert units_text(0.5, "boxes") == "0.5 boxes"


def test_units_read_in_the_singular_in_the_report() -> None:
    """Cost per box, not per "boxe"; one box an hour, not "1 boxes"."""
    text = render_markdown(build_report(iv.loads(BOXES)))
    assert "| Box shipped | Trade buyers | 1 box an hour | €30 | €262,800 |" in text
    assert "per box |" in text
    assert "boxe " not in text
    assert "| Warehouse | 1 box fewer | about €30 |" in text
    assert "- An hour without Warehouse: 1 box fewer, about €30" in text


def test_report_figures_are_correct() -> None:
    """The report shows the hand-computed figures of the Contoso portfolio."""
    p = iv.loads(CONTOSO)
    report = build_report(p)
    assert [r.service.id for r in report.risks] == ["payments", "network", "wms", "crm"]
    assert report.risks[0].sentence() == "An hour without Payments: 14 orders fewer, about €575"
    assert report.risks[1].money["EUR"] == pytest.approx(5000 * 42 / 730 + 6)
    assert report.total_cost == {"EUR": 227_000}
    assert report.unallocated == {"EUR": 7_000}
    assert [(s.id, s.name, dict(s.cost)) for s in report.stranded] == [
        ("legacy-fax", "Fax gateway", {"EUR": 7_000})
    ]
    orders = report.outcomes[0]
    assert orders.yearly_value == iv.Money(amount=120_000 * 42, currency="EUR")
    assert orders.cost_per_unit["EUR"] == pytest.approx(185_000 / 120_000)
    expected = p.graph().expected_delivery("order-delivered")
    assert orders.expected_value_lost is not None
    assert orders.expected_value_lost.amount == pytest.approx(120_000 * 42 * (1 - expected))
    assert report.single_points == {"Order delivered": ("Payments",)}
    assert (report.currencies, report.ranked_by) == (("EUR",), "EUR")

    text = render_markdown(report)
    assert "# What IT does for the customers of Contoso" in text
    assert "| Order delivered | Shoppers | 10,000 orders a month | €42 | €5,040,000 |" in text
    assert "| Order delivered | €185,000 | €1.54 per order |" in text
    assert "| Call answered | €35,000 | €4.00 per call |" in text
    assert (
        "> €7,000 a year (3%) pays for things that reach no customer outcome: Fax gateway." in text
    )
    assert "| Payments | 14 orders fewer | about €575 |" in text
    assert "| Network | 6.8 orders fewer, 0.6 calls fewer | about €294 |" in text
    assert f"about €{120_000 * 42 * (1 - expected):,.0f}" in text
    assert "If Payments stops, no “Order delivered” happens at all." in text
    assert "**Service that serves no customer** (ITV001, warning)" in text
    assert "  - Live service 'legacy-fax' reaches no customer outcome" in text
    # The words a business reader would not know stay out of it.
    for jargon in ("availability", "SLA", "node", "graph", "ITV0 ", "dependency"):
        assert jargon not in text.split("## Value traps")[0]


def test_figures_are_read_only() -> None:
    """A report hands out tuples and read-only mappings, and is frozen itself."""
    report = build_report(iv.loads(CONTOSO))
    assert isinstance(report.outcomes, tuple)
    assert isinstance(report.risks, tuple)
    assert isinstance(report.findings, tuple)
    for mapping in (
        report.total_cost,
        report.unallocated,
        report.single_points,
        report.outcomes[0].it_cost,
        report.outcomes[0].cost_per_unit,
        report.risks[0].units,
        report.risks[0].money,
        report.risks[0].units_by_unit(),
        report.stranded[0].cost,
    ):
        with pytest.raises(TypeError):
            mapping["EUR"] = 0.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        report.name = "Other"  # type: ignore[misc]


def test_html_report_is_self_contained() -> None:
    """The HTML report is one file with the picture inline and nothing fetched."""
    html = render_html(build_report(iv.loads(CONTOSO)))
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html
    assert not re.search(r"""(src|href)=["']?https?:""", html)
    assert "<td>about €575</td>" in html
    assert "<strong>Service that serves no customer</strong>" in html


def test_renderers_accept_the_portfolio_as_0_1_did() -> None:
    """A second argument, the portfolio 0.1 needed, changes nothing."""
    p = iv.loads(CONTOSO)
    report = build_report(p)
    assert render_markdown(report, p) == render_markdown(report)
    assert render_html(report, p) == render_html(report)


def test_names_in_the_text_are_not_markup() -> None:
    """Asterisks in a name are shown as written, not turned into bold in HTML."""
    p = iv.loads(CONTOSO.replace("name: Payments", "name: Pay **now**"))
    html = render_html(build_report(p))
    assert "Pay **now**" in html
    assert "<strong>now</strong>" not in html


def test_narrative_is_the_same_for_both_renderings() -> None:
    """Every section title, paragraph and table cell of the narrative is in both renderings."""
    report = build_report(iv.loads(CONTOSO))
    story = narrate(report)
    markdown, html = render_markdown(report), render_html(report)
    assert [s.title for s in story.sections] == [
        "What our customers get",
        "What IT costs per outcome",
        "What an hour without each IT service puts at risk",
        "How fast each service must be back",
        "What each agreement allows, in customers' terms",
        "What today's reliability costs a year",
        "Where one failure stops everything",
        "What depends on one supplier",
        "Value traps",
    ]
    for section in story.sections:
        texts = [section.title, *section.paragraphs, *section.bullets, *section.notes]
        if section.table is not None:
            texts += [cell for row in section.table.rows for cell in row]
        for text in texts:
            assert text in markdown
            assert escape(text) in html


def test_report_of_an_empty_and_a_trapped_portfolio() -> None:
    """A report still reads sensibly when there is little or much to say."""
    text = render_markdown(build_report(iv.Portfolio(name="Empty")))
    assert "No customer outcomes are described yet" in text
    assert "No IT service has a cost recorded yet." in text
    assert "No single IT service can stop a customer outcome entirely on its own." in text
    assert "None found." in text
    text = render_markdown(build_report(iv.loads(TRAPS)))
    assert "not stated" in text
    assert "No single outage of an IT service touches a customer outcome" in text


def test_the_outage_length_is_in_the_titles() -> None:
    """Another outage length shows in the section title, even when nothing is at risk."""
    text = render_markdown(build_report(iv.loads(CONTOSO), hours=4))
    assert "## What 4 hours without each IT service puts at risk" in text
    assert "| IT service | For 4 hours without it | Money at risk |" in text
    text = render_markdown(build_report(iv.Portfolio(name="Empty"), hours=4))
    assert "## What 4 hours without each IT service puts at risk" in text


def test_no_time_puts_nothing_at_risk() -> None:
    """An outage of no length loses nothing; a negative one is refused as rank refuses it."""
    p = iv.loads(CONTOSO)
    assert build_report(p, hours=0).risks == ()
    with pytest.raises(iv.AnalysisError):
        build_report(p, hours=-1)


def test_risks_are_the_ranking_of_rank_services() -> None:
    """The report lists rank_services' order, keeping services whose outage loses something."""
    p = iv.loads(CONTOSO)
    g = p.graph()
    report = build_report(p, top=3)
    ranked = [s for s, _value in g.rank_services(hours=1.0, currency="EUR")]
    assert [r.service.id for r in report.risks] == ranked[:3]
    assert report.risks[0].money["EUR"] == pytest.approx(g.rank_services()[0][1])


def test_equal_money_is_ordered_by_id() -> None:
    """Services with the same money at risk follow rank_services: by id."""
    report = build_report(iv.loads(BOXES), currency="USD")
    assert [r.service.id for r in report.risks] == ["dock", "yard", "wms"]


def test_several_currencies_rank_by_one_and_say_which() -> None:
    """With outcomes valued in several currencies the report ranks by one and says so."""
    p = iv.loads(BOXES)
    report = build_report(p)
    assert (report.currencies, report.ranked_by) == (("EUR", "USD"), "EUR")
    assert [r.service.id for r in report.risks] == ["wms", "dock", "yard"]
    text = render_markdown(report)
    assert (
        "Outcomes are valued in EUR and USD, which are never converted; the order follows "
        "the money at risk in EUR." in text
    )
    by_dollars = build_report(p, currency="USD")
    assert by_dollars.ranked_by == "USD"
    assert "the order follows the money at risk in USD." in render_markdown(by_dollars)
    with pytest.raises(iv.AnalysisError):
        build_report(p, currency="GBP")
    single = render_markdown(build_report(iv.loads(CONTOSO)))
    assert "never converted" not in single


@given(p=ivst.portfolios(max_services=6))
def test_risks_match_impact_for_any_portfolio(p: iv.Portfolio) -> None:
    """For any portfolio the risks are rank_services' order of services that lose something,
    each with the loss impact() gives."""
    g = p.graph()
    report = build_report(p, top=4)
    ranked = [s for s, _value in g.rank_services(hours=1.0, currency=report.ranked_by)]
    losing = []
    for service in ranked:
        impact = g.impact(service)
        lost = [impact.outcomes[o].volume_lost_over(1.0) for o in impact.affected_outcomes]
        if any(amount is not None and amount > 0 for amount in lost):
            losing.append(service)
    assert [r.service.id for r in report.risks] == losing[:4]
    for risk in report.risks:
        totals = {c: m.amount for c, m in g.impact(risk.service.id).totals(1.0).items()}
        for currency in set(totals) | set(risk.money):
            assert risk.money.get(currency, 0.0) == pytest.approx(totals.get(currency, 0.0))


def test_to_dict_is_what_the_command_line_writes(tmp_path: Path) -> None:
    """report --format json writes BusinessReport.to_dict(), as JSON."""
    p = iv.loads(CONTOSO)
    tree = build_report(p).to_dict()
    assert json.loads(json.dumps(tree)) == tree
    assert list(tree) == [
        "name",
        "outcomes",
        "total_cost",
        "driver",
        "unallocated",
        "orphans",
        "stops_short",
        "not_live",
        "not_live_services",
        "risks",
        "recovery",
        "suppliers",
        "agreements",
        "single_points_of_failure",
        "findings",
    ]
    assert tree["driver"] == "equal"
    assert tree["orphans"] == [
        {
            "service": "legacy-fax",
            "lifecycle": "live",
            "annual_cost": {"amount": 7000.0, "currency": "EUR"},
        }
    ]
    assert tree["single_points_of_failure"] == {"Order delivered": ["Payments"]}
    assert tree["risks"][0]["units"] == {
        "order-delivered": {"amount": pytest.approx(10_000 / 730), "unit": "orders"}
    }
    path = tmp_path / "contoso.yaml"
    path.write_text(CONTOSO, encoding="utf-8")
    result = CliRunner().invoke(app, ["report", "--format", "json", str(path)])
    assert result.exit_code == 0
    assert result.stdout == json.dumps(tree, indent=2, ensure_ascii=False) + "\n"


def test_cost_notes_name_the_orphans_and_where_the_rest_stops() -> None:
    """The note lists exactly ITV001's subjects with their cost; the rest of the cost that
    reaches no customer, and the cost of services not live, are said apart."""
    p = iv.loads(COSTLY)
    report = build_report(p)
    assert [s.id for s in report.orphans] == [f.subject for f in iv.check(p, select=["ITV001"])]
    assert [c.id for c in report.stops_short] == ["legacy-fax", "archive"]
    assert [c.cost["EUR"] for c in report.stops_short] == pytest.approx(
        [10_000 / 3, (50_000 + 10_000 / 3) / 2]
    )
    assert report.unallocated == {"EUR": pytest.approx(37_000)}
    assert report.not_live == {"EUR": 4_000}
    assert [s.id for s in report.not_live_services] == ["old-crm"]
    costs = p.graph().allocate_costs()
    assert sum(costs.allocated.values()) + 37_000 + 4_000 == pytest.approx(231_000)
    notes = narrate(report).sections[1].notes
    assert notes == (
        "€7,000 a year (3%) pays for things that reach no customer outcome: Fax gateway.",
        "A further €30,000 a year (13%) of other services' cost ends at Fax gateway and "
        "Archive, which lead to no customer outcome.",
        "€4,000 a year is spent on services that are not live: Old CRM (retired). It is not "
        "counted in the cost of any outcome.",
    )
    tree = report.to_dict()
    assert tree["not_live"] == {"EUR": 4000.0}
    assert [place["id"] for place in tree["stops_short"]] == ["legacy-fax", "archive"]


def test_cost_that_stops_short_without_orphans() -> None:
    """With no service reaching nothing, the cost stopping short is said on its own."""
    p = iv.loads(
        COSTLY.replace(
            "depends_on: [{service: network}]}\n  - {id: old-crm",
            "supports: [{process: support-desk, share: 0.1}]}\n  - {id: old-crm",
        )
    )
    report = build_report(p)
    assert report.orphans == ()
    notes = narrate(report).sections[1].notes
    assert notes[0] == (
        "€27,500 a year (12%) of IT cost ends at Archive, which leads to no customer outcome."
    )


def test_an_orphan_without_a_cost_is_still_named() -> None:
    """A live service reaching nothing is named even when it costs nothing recorded."""
    report = build_report(
        iv.loads(CONTOSO.replace(", annual_cost: {amount: 7000, currency: EUR}}", "}"))
    )
    assert [s.id for s in report.orphans] == ["legacy-fax"]
    assert narrate(report).sections[1].notes == (
        "No cost is recorded for what reaches no customer outcome: Fax gateway.",
    )


def test_risk_sections_name_live_services_only() -> None:
    """A service that is not live is in no risk section, only among the costs."""
    p = iv.loads(COSTLY)
    report = build_report(p)
    named = {r.service.id for r in report.risks} | {line.service.id for line in report.recovery}
    assert "old-crm" not in named
    assert all("Old CRM" not in names for names in report.single_points.values())
    text = render_markdown(report)
    before_costs, after_costs = text.split("## What an hour without each IT service", 1)
    assert "Old CRM" in before_costs
    assert "Old CRM" not in after_costs.split("## Value traps")[0]


def test_the_driver_is_said_and_used() -> None:
    """The report allocates with the driver asked for and says which it used."""
    p = iv.load(Path(__file__).parent.parent / "examples" / "retail_holiday_peak.yaml")
    equal, value = build_report(p), build_report(p, driver="value")
    assert (equal.driver, value.driver) == ("equal", "value")
    by_value = p.graph().allocate_costs(driver="value").by_outcome
    assert dict(value.outcomes[0].it_cost) == by_value["order-delivered"]
    assert value.outcomes[0].it_cost != equal.outcomes[0].it_cost
    assert "split equally among them" in render_markdown(equal)
    assert "in proportion to the yearly worth" in render_markdown(value)
    with pytest.raises(iv.AnalysisError):
        build_report(iv.loads(BOXES), driver="value")


def test_what_depends_on_one_supplier() -> None:
    """Suppliers are ranked as rank_suppliers ranks them, with what each alone stops."""
    p = iv.loads(SUPPLIED)
    g = p.graph()
    report = build_report(p)
    assert [r.supplier.id for r in report.suppliers] == ["psp", "cloud"]  # idle provides nothing
    ranked = dict(g.rank_suppliers())
    for risk in report.suppliers:
        assert risk.money["EUR"] == pytest.approx(ranked[risk.supplier.id])
    assert [o.id for o in report.suppliers[0].stops] == ["order-delivered"]
    assert report.suppliers[1].stops == ()
    section = narrate(report).sections[7]
    assert section.title == "What depends on one supplier"
    assert section.table is not None
    assert section.table.rows[0] == (
        "Payment provider",
        "Payments",
        "14 orders fewer",
        "about €575",
    )
    assert section.table.rows[1][:2] == ("Cloud host", "Network")
    assert section.bullets == ("If Payment provider fails, no “Order delivered” happens at all.",)
    assert "DORA" in section.paragraphs[0]
    tree = report.to_dict()["suppliers"]
    assert tree[0]["supplier"] == "psp"
    assert tree[0]["services"] == ["payments"]
    text = render_markdown(build_report(iv.loads(CONTOSO)))
    assert "No IT service in use today comes from a supplier." in text


#: Contoso where orders can stop for 4 hours at most and calls for 2, with the time each
#: service takes to restore where it is known.
RECOVERING = (
    CONTOSO.replace(
        "unit_value: {amount: 42, currency: EUR}}",
        "unit_value: {amount: 42, currency: EUR}, max_outage_hours: 4}",
    )
    .replace(
        "unit_value: {amount: 10, currency: EUR}}",
        "unit_value: {amount: 10, currency: EUR}, max_outage_hours: 2}",
    )
    .replace("availability: 0.999,", "availability: 0.999, recovery_hours: 6,")
    .replace("availability: 0.995,", "availability: 0.995, recovery_hours: 2,")
    .replace(
        "availability: 0.99, annual_cost: {amount: 30000",
        "availability: 0.99, recovery_hours: 3, annual_cost: {amount: 30000",
    )
)


def test_how_fast_each_service_must_be_back() -> None:
    """Each service an outcome needs back in time, the most urgent first: the time, the
    outcome that sets it, today's time and what an outage that long puts at risk."""
    p = iv.loads(RECOVERING)
    g = p.graph()
    report = build_report(p)
    needs = g.recovery_needs()
    assert [line.service.id for line in report.recovery] == ["crm", "network", "payments", "wms"]
    for line in report.recovery:
        assert line.required_hours == needs[line.service.id].hours
        assert line.outcome.id == needs[line.service.id].outcome
    crm, network, payments, wms = report.recovery
    assert crm.required_hours == pytest.approx(2 / 0.6)  # calls: 60% lost, 2 hours tolerated
    assert (crm.outcome.id, crm.recovery_hours, crm.is_too_slow) == ("call-answered", 3, False)
    assert (network.recovery_hours, network.is_too_slow) == (None, False)
    assert (payments.required_hours, payments.recovery_hours) == (4, 6)
    assert payments.is_too_slow
    assert payments.money["EUR"] == pytest.approx(4 * 10_000 * 42 / 730)
    assert wms.required_hours == 8  # half the orders: twice as long as a full stop
    assert [line.service.id for line in report.recovery if line.is_too_slow] == [
        f.subject for f in iv.check(p, select=["ITV011"])
    ]
    section = narrate(report).sections[3]
    assert section.title == "How fast each service must be back"
    assert section.paragraphs[0].startswith(
        "The business can go without “Order delivered” for at most 4 hours and “Call "
        "answered” for at most 2 hours."
    )
    assert section.table is not None
    assert section.table.rows[0] == ("CRM", "3.3 hours", "Call answered", "3 hours", "about €20")
    assert section.table.rows[1][3] == "not known"
    assert section.table.rows[2] == (
        "Payments",
        "4 hours",
        "Order delivered",
        "6 hours",
        "about €2,301",
    )
    assert section.bullets == (
        "Payments: today it takes 6 hours, but it must be back within 4 hours for "
        "“Order delivered”.",
    )
    assert section.notes == (
        "How long restoring Network takes is not known, so whether it is back in time "
        "cannot be said.",
    )
    tree = report.to_dict()["recovery"]
    assert tree[2] == {
        "service": "payments",
        "required_hours": 4.0,
        "outcome": "order-delivered",
        "recovery_hours": 6.0,
        "too_slow": True,
        "units": {"order-delivered": {"amount": pytest.approx(4 * 10_000 / 730), "unit": "orders"}},
        "money": {"EUR": pytest.approx(4 * 10_000 * 42 / 730)},
    }
    text = render_markdown(report)
    for jargon in ("availability", "SLA", "node", "graph", "dependency", "RTO", "MTPD"):
        assert jargon not in text.split("## Value traps")[0]


def test_recovery_when_nothing_states_a_tolerance() -> None:
    """Without a tolerable outage there is no time to meet, and the report says so."""
    text = render_markdown(build_report(iv.loads(CONTOSO)))
    assert (
        "No customer outcome states how long the business can go without it, so no service "
        "has a time by which it must be back." in text
    )
    quiet = (
        RECOVERING.replace("supports: [{process: checkout}]", "supports: []")
        .replace("supports: [{process: support-desk, share: 0.6}]", "supports: []")
        .replace("supports: [{process: fulfilment, share: 0.5}]", "supports: []")
    )
    text = render_markdown(build_report(iv.loads(quiet)))
    assert "No single IT service in use today reduces these outcomes." in text


def test_what_each_agreement_allows() -> None:
    """Each availability promise: the time it allows, what that costs, whether it is kept."""
    report = build_report(iv.loads(AGREEMENTS))
    gold, silver, bronze, answered = report.agreements
    assert (gold.sla.id, gold.verdict) == ("crm-gold", "cannot_be_kept")
    assert gold.limiting is not None
    assert gold.limiting.id == "node-1"
    assert (silver.verdict, bronze.verdict, answered.verdict) == ("not_kept", "kept", "not_kept")
    # 99.5% over 30 days allows 3.6 hours: 36 calls (€180) and 3.6 bills (€72).
    assert gold.allowed_hours == pytest.approx(3.6)
    assert gold.money == {"EUR": pytest.approx(252.0)}
    section = next(
        s for s in narrate(report).sections if s.title.startswith("What each agreement allows")
    )
    assert section.table is not None
    assert section.table.rows[0] == (
        "CRM gold",
        "CRM works 99.5% of the time over 30 days",
        "3.6 hours",
        "36 calls fewer, 3.6 bills fewer, about €252",
        "No: the services it stands on allow at most 97.2%",
    )
    assert section.table.rows[3][1] == "“Call answered” is delivered 96% of the time over 28 days"
    assert section.bullets[0] == (
        "“CRM gold” cannot be kept: however good CRM itself becomes, the services it stands "
        "on let it work at most 97.2% of the time, short of the 99.5% promised. Node 1 holds "
        "it back most: if it never failed, 99% would be within reach."
    )
    assert len(section.bullets) == 3  # the kept promise needs no word
    tree = report.to_dict()["agreements"][0]
    assert tree == {
        "sla": "crm-gold",
        "service": "crm",
        "metric": "crm-up",
        "target": 0.995,
        "window_days": 30,
        "allowed_hours": pytest.approx(3.6),
        "units": {
            "call-answered": {"amount": pytest.approx(36.0), "unit": "calls"},
            "bill-correct": {"amount": pytest.approx(3.6), "unit": "bills"},
        },
        "money": {"EUR": pytest.approx(252.0)},
        "subject_kind": "service",
        "expected": pytest.approx(0.96228),
        "ceiling": pytest.approx(0.972),
        "estimated": False,
        "verdict": "cannot_be_kept",
        "limiting": "node-1",
        "limiting_to": pytest.approx(0.99),
    }
    text = render_markdown(report)
    for jargon in ("availability", "SLA", "node", "graph", "dependency"):
        assert jargon not in text.split("## Value traps")[0]
    empty = render_markdown(build_report(iv.loads(CONTOSO)))
    assert "No agreement states its promise as a share of the time a service works" in empty


def test_risks_name_the_stages_an_outage_stops() -> None:
    """An outage that stops a stage of a value stream says so, in words and in JSON."""
    report = build_report(iv.loads(AGREEMENTS))
    crm = report.risks[0]
    assert crm.service.id == "crm"
    assert [(s.stream, s.stage) for s in crm.stops] == [("serve", "Answer")]
    assert crm.sentence() == (
        "An hour without CRM: 10 calls fewer, 1 bill fewer, about €70; it stops “Answer” "
        "in “Serve a caller”"
    )
    assert crm.to_dict()["stages_stopped"] == [{"stream": "serve", "stage": "Answer"}]
    assert report.risks[1].stops == ()


def test_every_outcome_cost_reaches_has_a_row() -> None:
    """An outcome without a volume still shows its IT cost, so the table adds up."""
    p = iv.load(Path(__file__).parent.parent / "examples" / "retail_holiday_peak.yaml")
    text = render_markdown(build_report(p))
    assert "| Return refunded within five days | €40,000 | not stated (no volume) |" in text
    costs = p.graph().allocate_costs()
    parts = costs.allocated["EUR"] + costs.unallocated["EUR"] + costs.not_live.get("EUR", 0.0)
    assert parts == pytest.approx(costs.total["EUR"])
