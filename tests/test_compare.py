"""The business case of an IT change: the comparison, its document, the proposals."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import itvalue as iv
from itvalue.analysis.availability import EXACT_LIMIT
from itvalue.analysis.compare import Comparison, OutcomeChange, compare
from itvalue.report._case import (
    APPENDIX,
    case_to_dict,
    parse_money,
    render_case_html,
    render_case_markdown,
)
from itvalue.testing import strategies as ivst
from tests import oracles

EXAMPLES = Path(__file__).parent.parent / "examples"
PROPOSALS = EXAMPLES / "proposals"
EUR = "EUR"


def _eur(amount: float) -> iv.Money:
    return iv.Money(amount=amount, currency=EUR)


def _replace(p: iv.Portfolio, *services: iv.Service, name: str | None = None) -> iv.Portfolio:
    """``p`` with services replaced by id (new ids appended), and renamed if asked."""
    by_id = {s.id: s for s in services}
    kept = [by_id.pop(s.id, s) for s in p.services]
    return attrs.evolve(p, services=(*kept, *by_id.values()), name=name or p.name)


# --- random proposals ----------------------------------------------------------------------


def _close(a: float, b: float, scale: float = 1.0) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, scale))


def _full_stop(p: iv.Portfolio, outcome: str) -> float:
    """What a year of an outcome is worth (in units without a value): its loss at 0."""
    o = p.outcome(outcome)
    assert o.volume is not None
    return o.volume.per_year * (1.0 if o.unit_value is None else abs(o.unit_value.amount))


@st.composite
def proposals(draw: st.DrawFn, p: iv.Portfolio) -> iv.Portfolio:
    """``p`` with some services changed: availability, cost, lifecycle, recovery time."""
    changed = []
    for s in p.services:
        if not draw(st.booleans()):
            continue
        changed.append(
            attrs.evolve(
                s,
                availability=draw(st.just(s.availability) | ivst.availabilities()),
                annual_cost=draw(
                    st.just(s.annual_cost)
                    | st.none()
                    | st.builds(
                        iv.Money,
                        amount=st.sampled_from([0.0, 1000.0, 50_000.0]),
                        currency=st.sampled_from(["EUR", "USD"]),
                    )
                ),
                lifecycle=draw(st.just(s.lifecycle) | st.sampled_from(iv.Lifecycle)),
                recovery_hours=draw(st.just(s.recovery_hours) | st.none() | ivst.hours()),
            )
        )
    return _replace(p, *changed)


def _with_redundant_member(p: iv.Portfolio, data: st.DataObject) -> iv.Portfolio | None:
    """``p`` with a new service joining one of the redundancy groups, or None without any."""
    grouped = [(s, d.group) for s in p.services for d in s.depends_on if d.group is not None]
    if not grouped:
        return None
    service, group = data.draw(st.sampled_from(grouped))
    member = iv.Service(
        id="new-member",
        name="New member",
        owner=p.stakeholders[0].id,
        availability=data.draw(ivst.availabilities()),
        lifecycle=data.draw(st.sampled_from(iv.Lifecycle)),
        annual_cost=_eur(1000.0),
    )
    joined = attrs.evolve(
        service, depends_on=(*service.depends_on, iv.Dependency(service=member.id, group=group))
    )
    return _replace(p, joined, member)


SMALL = ivst.portfolios(max_services=6, max_outcomes=3, text=False)


@given(data=st.data(), p=SMALL)
def test_the_comparison_is_the_oracle(data: st.DataObject, p: iv.Portfolio) -> None:
    """Deliveries, annual losses and net benefits are those of brute-force enumeration."""
    after = data.draw(proposals(p))
    case = compare(p, after)
    assert set(case.outcomes) == {o.id for o in p.outcomes}
    for key, change in case.outcomes.items():
        assert _close(change.delivered_before, oracles.expected(p, key))
        assert _close(change.delivered_after, oracles.expected(after, key))
        for side, loss in ((p, change.loss_before), (after, change.loss_after)):
            expected = oracles.annual_loss(side, key)
            assert (loss is None) == (expected is None)
            if loss is not None and expected is not None:
                # Deliveries agree to rounding, so losses do to rounding of a full stop's.
                assert _close(loss, expected, _full_stop(side, key))
    assert dict(case.cost_before) == pytest.approx(
        {c: oracles.live_cost(p).get(c, 0.0) for c in case.cost_before}
    )
    assert dict(case.cost_after) == pytest.approx(
        {c: oracles.live_cost(after).get(c, 0.0) for c in case.cost_after}
    )
    # Recoveries met and broken are exactly the slow-recovery findings resolved and new.
    both = {s.id for s in p.services}
    for found, changes in (
        (case.findings_resolved, case.recoveries_met),
        (case.findings_new, case.recoveries_broken),
    ):
        slow = {f.subject for f in found if f.code == "ITV011" and f.subject in both}
        assert {r.service for r in changes} == slow
    expected_net = oracles.net_benefit(p, after)
    assert set(case.net_benefit) == set(expected_net)
    scale = sum(abs(a) for a in [*case.cost_before.values(), *case.cost_after.values()])
    scale += sum(_full_stop(p, k) for k, c in case.outcomes.items() if c.currency is not None)
    for currency, amount in expected_net.items():
        assert _close(case.net_benefit[currency], amount, scale)


@given(p=SMALL)
def test_a_portfolio_against_itself_changes_nothing(p: iv.Portfolio) -> None:
    """Comparing a portfolio with itself shows no change at all, and nothing pays back."""
    case = compare(p, p, one_off=_eur(1000.0))
    assert case.is_unchanged
    assert all(amount == 0.0 for amount in case.net_benefit.values())
    assert all(c.loss_change in (0.0, None) for c in case.outcomes.values())
    assert case.payback_years is None
    assert not case.added_outcomes
    assert not case.removed_outcomes
    assert not case.single_points_added
    assert not case.single_points_removed
    assert "no change in what they are expected to get" in render_case_markdown(case)


@given(data=st.data(), p=SMALL)
def test_a_redundant_member_never_adds_loss(data: st.DataObject, p: iv.Portfolio) -> None:
    """Adding a member to a redundancy group never increases any expected annual loss."""
    after = _with_redundant_member(p, data)
    if after is None:
        return
    case = compare(p, after)
    assert case.added_services == ("new-member",)
    for change in case.outcomes.values():
        assert change.delivered_after >= change.delivered_before - 1e-12
        if change.loss_change is not None:
            assert change.loss_change <= 1e-9 * max(1.0, _full_stop(p, change.outcome))
    assert not case.single_points_added


@given(data=st.data(), p=SMALL)
def test_benefit_cost_and_loss_sum_to_zero(data: st.DataObject, p: iv.Portfolio) -> None:
    """Per currency, net benefit + change in cost + change in loss is zero."""
    case = compare(p, data.draw(proposals(p)))
    for currency, benefit in case.net_benefit.items():
        total = benefit + case.cost_change.get(currency, 0.0)
        total += case.loss_change.get(currency, 0.0)
        scale = abs(case.cost_change.get(currency, 0.0)) + abs(case.loss_change.get(currency, 0.0))
        assert _close(total, 0.0, scale)
    for currency, change in case.loss_change.items():
        parts = [
            c.loss_change
            for c in case.outcomes.values()
            if c.currency == currency and c.loss_change is not None
        ]
        assert _close(change, sum(parts), sum(abs(x) for x in parts))


# --- a case worked by hand ------------------------------------------------------------------


def _standby(before: iv.Portfolio) -> iv.Portfolio:
    """The retail example with a standby catalogue database: the proposal, in Python."""
    standby = iv.Service(
        id="catalog-db-standby",
        name="Standby catalogue database",
        owner="it-ops",
        kind=iv.ServiceKind.TECHNICAL,
        availability=0.9995,
        recovery_hours=1,
        annual_cost=_eur(15_000),
        description="A copy of the catalogue database in a second region, kept in step.",
    )
    catalogue = attrs.evolve(
        before.service("product-catalog"),
        depends_on=(
            iv.Dependency(service="catalog-db", group="catalog-db"),
            iv.Dependency(service="catalog-db-standby", group="catalog-db"),
        ),
    )
    return _replace(
        before,
        catalogue,
        standby,
        name="Harbor & Pine Retail with a standby catalogue database",
    )


def test_retail_with_a_standby_catalogue_database() -> None:
    """The holiday peak with a second catalogue database, figure by figure."""
    before = iv.load(EXAMPLES / "retail_holiday_peak.yaml")
    case = compare(before, _standby(before), one_off=_eur(40_000))

    # The catalogue database works when it does itself and two of its three servers do.
    two_of_three = 0.995**3 + 3 * 0.995**2 * 0.005
    database = 0.9999 * two_of_three
    # With the standby, either database is enough.
    either = 1 - (1 - database) * (1 - 0.9995)
    # The storefront needs itself, the CDN, the catalogue (itself and a database) and one
    # of two session stores; nothing else shares any of them.
    sessions = 1 - 0.005**2
    shop_before = 0.9995 * 0.9999 * 0.9995 * database * sessions
    shop_after = 0.9995 * 0.9999 * 0.9995 * either * sessions
    # Payments need fraud screening. The warehouse and the carrier gateway both stand on
    # the ERP: with it down nothing is picked; with it up, picking needs the warehouse
    # and the gateway books 80% of the last mile.
    payment = 0.9995 * 0.999
    orders_rest = payment * 0.999 * 0.998 * (1 - 0.8 * 0.003)
    # Click and collect: browse and pay, and 70% of store picking needs the warehouse.
    pickup_rest = payment * (1 - 0.7 * (1 - 0.999 * 0.998))

    weeks = 8760 / 168
    orders = case.outcomes["order-delivered"]
    pickup = case.outcomes["pickup-ready"]
    assert orders.delivered_before == pytest.approx(shop_before * orders_rest, rel=1e-12)
    assert orders.delivered_after == pytest.approx(shop_after * orders_rest, rel=1e-12)
    assert pickup.delivered_before == pytest.approx(shop_before * pickup_rest, rel=1e-12)
    assert pickup.delivered_after == pytest.approx(shop_after * pickup_rest, rel=1e-12)
    saved_orders = 60_000 * weeks * 38 * (shop_after - shop_before) * orders_rest
    saved_pickup = 12_000 * weeks * 31 * (shop_after - shop_before) * pickup_rest
    assert orders.loss_change == pytest.approx(-saved_orders, rel=1e-9)
    assert pickup.loss_change == pytest.approx(-saved_pickup, rel=1e-9)
    assert (orders.currency, orders.unit) == ("EUR", "orders")
    # Returns have no volume: no loss to state, before or after.
    returns = case.outcomes["return-refunded"]
    assert (returns.loss_before, returns.loss_change, returns.currency) == (None, None, None)

    assert case.cost_change == {"EUR": 15_000.0}
    net = saved_orders + saved_pickup - 15_000
    assert case.net_benefit["EUR"] == pytest.approx(net, rel=1e-9)
    assert round(net) == 8_970
    assert case.payback_years == pytest.approx(40_000 / net)
    assert case.payback_years is not None
    assert round(case.payback_years, 1) == 4.5

    assert case.added_services == ("catalog-db-standby",)
    assert case.changed_services == ("product-catalog",)
    assert dict(case.single_points_removed) == {
        "order-delivered": ("catalog-db",),
        "pickup-ready": ("catalog-db",),
    }
    assert case.single_points_added == {}
    assert [(f.code, f.subject) for f in case.findings_resolved] == [("ITV007", "catalog-db")]
    assert case.findings_new == ()
    # The catalogue database had to be back within 2 hours and takes 1.5: met before and
    # after (where nothing asks any more), so neither met nor broken by the change.
    assert case.recoveries_met == case.recoveries_broken == ()

    text = render_case_markdown(case)
    assert text.startswith("# The case for Harbor & Pine Retail with a standby catalogue")
    assert "- Payback: the one-off cost of €40,000 pays back in 4.5 years." in text
    assert "a net benefit of €8,970 a year" in text
    assert "costs €15,000 a year more to run" in text
    assert (
        "- No longer can Catalogue database alone stop “Order delivered within two days” "
        "entirely." in text
    )
    assert "- Resolved: One failure stops an outcome: Catalogue database." in text
    assert "| EUR | €1,649,000 | €1,664,000 | +€15,000 |" in text
    business = text.split(f"## {APPENDIX}")[0]
    for jargon in ("availability", "SLA", "node", "graph", "dependency", "ITV0", "catalog-db"):
        assert jargon not in business
    assert "Added service catalog-db-standby" in text.split(f"## {APPENDIX}")[1]


def test_retail_proposal_file_is_the_change_worked_by_hand() -> None:
    """The proposal file composes into exactly the portfolio the hand-worked case uses."""
    before = iv.load(EXAMPLES / "retail_holiday_peak.yaml")
    after = iv.load(EXAMPLES / "retail_holiday_peak.yaml", PROPOSALS / "retail_holiday_peak.yaml")
    assert after == _standby(before)


# --- the proposals shipped with the examples --------------------------------------------------

#: Per example: the one-off cost its proposal's comment gives, and the payback in years.
CASES = {
    "northwind": (30_000, 30_000 / 14_535.546),
    "retail_holiday_peak": (40_000, 4.459),
    "utility_contact_centre": (5_000, None),
    "manufacturer": (10_000, 10_000 / 35_000),
}


def test_every_example_has_a_proposal() -> None:
    """Each example portfolio ships with one proposal, an overlay over it."""
    examples = {p.stem for p in EXAMPLES.glob("*.yaml")}
    assert {p.stem for p in PROPOSALS.glob("*.yaml")} == examples == set(CASES)
    for path in PROPOSALS.glob("*.yaml"):
        text = path.read_text("utf-8")
        assert "kind: Overlay" in text
        one_off, _years = CASES[path.stem]
        assert f'--one-off "{one_off} EUR"' in text


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_proposal_makes_its_case(name: str) -> None:
    """Each proposal composes over its example and its case renders in every format."""
    before = iv.load(EXAMPLES / f"{name}.yaml")
    after = iv.load(EXAMPLES / f"{name}.yaml", PROPOSALS / f"{name}.yaml")
    one_off, years = CASES[name]
    case = compare(before, after, one_off=_eur(one_off))
    if years is None:
        assert case.payback_years is None
    else:
        assert case.payback_years == pytest.approx(years, rel=1e-3)
    text = render_case_markdown(case)
    for jargon in ("availability", "SLA", "node", "graph", "dependency"):
        assert jargon not in text.split(f"## {APPENDIX}")[0]
    assert render_case_html(case).startswith("<!DOCTYPE html>")
    assert json.loads(json.dumps(case_to_dict(case)))["after"] == after.name


def test_manufacturer_retires_a_service_no_customer_needs() -> None:
    """Retiring the orphan saves its whole cost, loses nothing, and resolves ITV001."""
    before = iv.load(EXAMPLES / "manufacturer.yaml")
    after = iv.load(EXAMPLES / "manufacturer.yaml", PROPOSALS / "manufacturer.yaml")
    case = compare(before, after, one_off=_eur(10_000))
    assert case.cost_change == {"EUR": -35_000.0}
    assert case.loss_change == {"EUR": 0.0}
    assert case.net_benefit == {"EUR": 35_000.0}
    assert [(f.code, f.subject) for f in case.findings_resolved] == [("ITV001", "scada-historian")]
    assert "pays back in 3.4 months" in render_case_markdown(case)


def test_contact_centre_faster_recovery_does_not_pay() -> None:
    """Faster CRM recovery saves less in calls than it costs: the case says so."""
    before = iv.load(EXAMPLES / "utility_contact_centre.yaml")
    after = iv.load(
        EXAMPLES / "utility_contact_centre.yaml", PROPOSALS / "utility_contact_centre.yaml"
    )
    case = compare(before, after, one_off=_eur(5_000))
    calls = case.outcomes["call-answered"]
    assert calls.delivered_after > calls.delivered_before
    # The CRM carries half of answering calls: about half of its 0.075 points gained, on
    # 540,000 calls a year worth €6.50 each, is about €1,316 (less what the network, the
    # sign-on and telephony lose anyway).
    assert calls.loss_change is not None
    assert 1_250 < -calls.loss_change < 1_316
    assert case.net_benefit["EUR"] < 0
    assert "does not pay back" in render_case_markdown(case)


# --- matching by id, recoveries and the other edges -----------------------------------------

ONE = """
apiVersion: itvalue/v1
kind: Portfolio
name: One shop
stakeholders: [{id: it, name: IT, kind: it}, {id: sales, name: Sales, kind: relationship_owner}]
segments: [{id: buyers, name: Buyers, relationship_owner: sales}]
outcomes:
  - {id: sold, name: Sale made, segment: buyers, max_outage_hours: 2,
     volume: {amount: 100, unit: sales, per: day}, unit_value: {amount: 10, currency: EUR}}
  - {id: told, name: Buyer told, segment: buyers, volume: {amount: 10, unit: letters, per: day}}
processes:
  - {id: sell, name: Sell, owner: sales, enables: [sold]}
  - {id: tell, name: Tell, owner: sales, enables: [told]}
services:
  - {id: till, name: Till, owner: it, availability: 0.99, recovery_hours: 4,
     annual_cost: {amount: 1000, currency: EUR}, supports: [{process: sell}, {process: tell}]}
"""


def test_outcomes_and_services_on_one_side_are_never_compared() -> None:
    """An outcome or service on one side only is reported added or removed, not matched."""
    before = iv.loads(ONE)
    extra = iv.Outcome(id="kept", name="Buyer kept", segment="buyers")
    after = attrs.evolve(
        _replace(before, iv.Service(id="spare", name="Spare", owner="it")),
        outcomes=(*before.outcomes, extra),
    )
    case = compare(before, after)
    assert case.added_outcomes == ("kept",)
    assert case.added_services == ("spare",)
    assert "kept" not in case.outcomes
    back = compare(after, before)
    assert (back.removed_outcomes, back.removed_services) == (("kept",), ("spare",))
    text = render_case_markdown(case)
    assert "New with the change: “Buyer kept”; not counted" in text
    assert "No longer there with the change: “Buyer kept”" in render_case_markdown(back)


def test_losses_in_units_and_a_loss_restated() -> None:
    """Without a value the loss is in units; restated in another currency, not compared."""
    before = iv.loads(ONE)
    told = before.outcomes[1]
    assert compare(before, before).outcomes["told"].currency is None
    assert compare(before, before).outcomes["told"].unit == "letters"
    # 10 letters a day, 3650 a year, 1% lost.
    assert compare(before, before).outcomes["told"].loss_before == pytest.approx(36.5)
    sold = attrs.evolve(before.outcomes[0], unit_value=iv.Money(amount=11, currency="USD"))
    after = attrs.evolve(before, outcomes=(sold, told))
    case = compare(before, after)
    change = case.outcomes["sold"]
    assert (change.loss_before, change.loss_after, change.loss_change) == (None, None, None)
    assert change.currency == "USD"
    assert case.loss_change == {}
    assert case.net_benefit == {"EUR": 0.0}
    assert "is not stated the same way before and after" in render_case_markdown(case)


def test_recoveries_met_and_broken() -> None:
    """A till restored in 1 hour instead of 4 meets its 2 hours; the reverse breaks it."""
    before = iv.loads(ONE)
    faster = attrs.evolve(before.service("till"), recovery_hours=1)
    after = _replace(before, faster)
    case = compare(before, after)
    (met,) = case.recoveries_met
    assert (met.service, met.required_before, met.recovery_before) == ("till", 2.0, 4.0)
    assert (met.required_after, met.recovery_after, met.outcome_after) == (2.0, 1.0, "sold")
    assert [(f.code, f.subject) for f in case.findings_resolved] == [("ITV011", "till")]
    text = render_case_markdown(case)
    assert (
        "Till will be back in time for “Sale made”: restoring it takes 1 hour, within the "
        "2 hours the business can wait (today it takes 4 hours)." in text
    )
    back = compare(after, before)
    assert back.recoveries_broken == (
        attrs.evolve(
            met,
            recovery_before=1.0,
            recovery_after=4.0,
        ),
    )
    assert "Till will be too slow to restore for “Sale made”: it takes 4 hours" in (
        render_case_markdown(back)
    )
    assert "New: Recovery slower than customers can wait: Till." in render_case_markdown(back)
    # Retired, the till need not be back at all: its requirement is gone, so it is met.
    retired = compare(
        before,
        _replace(before, attrs.evolve(before.service("till"), lifecycle=iv.Lifecycle.RETIRED)),
    )
    (gone,) = retired.recoveries_met
    assert (gone.required_after, gone.outcome_after) == (None, None)
    assert "Till no longer has to be back within 2 hours" in render_case_markdown(retired)
    assert retired.cost_change == {"EUR": -1000.0}


def test_a_new_single_point_of_failure_is_reported() -> None:
    """A till that comes to depend on one network is a single point of failure added."""
    before = iv.loads(ONE)
    network = iv.Service(id="net", name="Network", owner="it", availability=0.999)
    till = attrs.evolve(before.service("till"), depends_on=(iv.Dependency(service="net"),))
    case = compare(before, _replace(before, till, network))
    assert dict(case.single_points_added) == {"sold": ("net",), "told": ("net",)}
    assert "With the change, Network alone could stop “Sale made”." in render_case_markdown(case)


def test_options_and_inputs_are_checked() -> None:
    """Unknown methods, negative one-offs and other inputs are refused with clear errors."""
    p = iv.loads(ONE)
    with pytest.raises(iv.AnalysisError, match="unknown method"):
        compare(p, p, method="guess")  # type: ignore[arg-type]
    with pytest.raises(iv.AnalysisError, match="one-off cost must be at least 0"):
        compare(p, p, one_off=_eur(-1))
    with pytest.raises(TypeError, match="after must be a Portfolio or a ValueGraph"):
        compare(p, "p.yaml")  # type: ignore[arg-type]
    graphs = compare(p.graph(), p.graph(), method="independent")
    assert graphs.method == "independent"
    assert graphs.outcomes["sold"].delivered_before == pytest.approx(0.99)
    simulated = compare(p, p, method="monte_carlo")
    assert simulated.outcomes["sold"].delivered_before == pytest.approx(0.99, abs=0.005)
    assert "seeded Monte Carlo simulation" in render_case_markdown(simulated)


def test_exact_falls_back_to_simulation_and_says_so() -> None:
    """Past the exact limit the deliveries are simulated, and the case marks them."""
    services = "\n".join(
        f"  - {{id: s{i}, name: S{i}, owner: it, availability: 0.999,"
        f" supports: [{{process: a, share: 0.01}}, {{process: b, share: 0.01}}]}}"
        for i in range(EXACT_LIMIT + 1)
    )
    wide = (
        ONE.split("processes:")[0]
        + "processes:\n  - {id: a, name: A, owner: sales, enables: [sold]}\n"
        + "  - {id: b, name: B, owner: sales, enables: [sold, told]}\n"
        + "services:\n"
        + services
        + "\n"
    )
    p = iv.loads(wide)
    case = compare(p, p)
    assert case.outcomes["sold"].estimated
    assert case.estimated
    assert "Some shares delivered were estimated by simulation." in render_case_markdown(case)
    with pytest.raises(iv.AnalysisError, match="monte_carlo"):
        p.graph().expected_delivery("sold", method="exact")
    assert case.outcomes["sold"].delivered_before == case.outcomes["sold"].delivered_after


def test_a_loss_too_large_to_state_is_an_analysis_error() -> None:
    """An annual loss that overflows a float is refused, not reported as infinity."""
    huge = ONE.replace("amount: 100, unit: sales", "amount: 1.0e+300, unit: sales").replace(
        "{amount: 10, currency: EUR}", "{amount: 1.0e+300, currency: EUR}"
    )
    p = iv.loads(huge)
    with pytest.raises(iv.AnalysisError, match="too large to state"):
        compare(p, p)


def test_results_are_read_only_values() -> None:
    """A comparison hands out read-only mappings and tuples, and is frozen itself."""
    p = iv.loads(ONE)
    case = compare(p, _replace(p, iv.Service(id="spare", name="Spare", owner="it")))
    for mapping in (case.cost_change, case.net_benefit, case.outcomes, case.single_points_added):
        with pytest.raises(TypeError):
            mapping["x"] = 0.0  # type: ignore[index]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        case.payback_years = 1.0  # type: ignore[misc]
    change = case.outcomes["sold"]
    assert isinstance(change, OutcomeChange)
    assert change.loss_change == change.loss_after - change.loss_before  # type: ignore[operator]
    assert isinstance(case, Comparison)


def test_tables_and_notebook_view() -> None:
    """to_pandas gives outcomes or currencies; notebooks show a table."""
    before = iv.example()
    faster = attrs.evolve(before.service("payments"), availability=0.9999)
    case = compare(before, _replace(before, faster), one_off=_eur(1000))
    outcomes = case.to_pandas()
    assert list(outcomes["outcome"]) == ["order-delivered"]
    assert outcomes["loss_change"][0] == pytest.approx(case.outcomes["order-delivered"].loss_change)
    currencies = case.to_pandas(what="currencies")
    assert list(currencies.columns)[-1] == "net_benefit"
    assert currencies["net_benefit"][0] == pytest.approx(case.net_benefit["EUR"])
    with pytest.raises(iv.AnalysisError, match="unknown table"):
        case.to_pandas(what="services")
    html = case._repr_html_()
    assert "<td>order-delivered</td>" in html
    assert "payback" in html


def test_the_document_in_three_renderings() -> None:
    """Markdown, HTML and JSON carry the same case; HTML fetches nothing."""
    before = iv.example()
    cheaper = attrs.evolve(before.service("payments"), annual_cost=_eur(130_000))
    case = compare(before, _replace(before, cheaper), one_off=_eur(5_000))
    text = render_case_markdown(case, title="Payments, the dearer way")
    assert text.startswith("# Payments, the dearer way\n")
    assert "Money: the change costs €10,000 a year more to run: a net cost of €10,000" in text
    assert "does not pay back" in text
    assert "Customers: no change in what they are expected to get." in text
    html = render_case_html(case)
    assert "<h2>What it costs</h2>" in html
    assert "<hr>" in html
    assert not re.search(r"""(src|href)=["']?https?:""", html)
    tree = case_to_dict(case)
    assert tree["cost_change"] == {"EUR": 10_000.0}
    assert tree["one_off"] == {"amount": 5_000.0, "currency": "EUR"}
    assert tree["payback_years"] is None
    assert tree["changed_services"] == ["payments"]
    nothing = render_case_markdown(compare(before, before))
    assert "Payback: no one-off cost was given." in nothing
    assert "No service is added, removed or changed." in nothing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250000 EUR", _eur(250_000)),
        ("EUR 250,000", _eur(250_000)),
        ("1.5e6 usd", iv.Money(amount=1.5e6, currency="USD")),
    ],
)
def test_parse_money(text: str, expected: iv.Money) -> None:
    """A one-off cost reads as people write it."""
    assert parse_money(text) == expected


@pytest.mark.parametrize("text", ["250000", "EUR", "lots EUR", "1 EURO", "inf EUR", "1 2 EUR"])
def test_parse_money_refuses_what_it_cannot_read(text: str) -> None:
    """Anything but an amount and a three-letter code is refused with a hint."""
    with pytest.raises(iv.AnalysisError, match="cannot read") as info:
        parse_money(text)
    assert "250000 EUR" in str(info.value.hint)


# --- the command line (wired in itvalue._commands) -----------------------------------------


def _case_command() -> Callable[..., object] | None:
    from itvalue._commands import app

    command = app.commands.get("case")
    return None if command is None else command.callback


needs_case_command = pytest.mark.skipif(
    _case_command() is None, reason="the `itvalue case` command is not registered yet"
)


@needs_case_command
def test_cli_case_markdown_json_html_and_file(tmp_path: Path) -> None:
    """`itvalue case` prints the case in each format, or writes it to a file."""
    from itvalue._commands import app

    runner = CliRunner()
    args = [
        "case",
        str(EXAMPLES / "northwind.yaml"),
        "--proposal",
        str(PROPOSALS / "northwind.yaml"),
        "--one-off",
        "30000 EUR",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "pays back in 2.1 years" in result.stdout
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["payback_years"] == pytest.approx(30_000 / 14_535.546)
    result = runner.invoke(app, [*args, "--format", "html"])
    assert result.stdout.startswith("<!DOCTYPE html>")
    out = tmp_path / "case.md"
    result = runner.invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text("utf-8").startswith("# The case for Northwind Retail with payments")


@needs_case_command
def test_cli_case_refuses_an_unreadable_one_off() -> None:
    """A one-off that is not an amount and a currency is unusable input: exit status 2."""
    from itvalue._commands import app

    result = CliRunner().invoke(
        app,
        [
            "case",
            str(EXAMPLES / "northwind.yaml"),
            "--proposal",
            str(PROPOSALS / "northwind.yaml"),
            "--one-off",
            "a lot",
        ],
    )
    assert result.exit_code == 2


def test_one_off_as_text() -> None:
    """A one-off cost may be written as text; anything else is a TypeError of ours."""
    today = iv.example("northwind")
    as_text = iv.compare(today, today, one_off="30000 EUR")
    assert as_text.one_off == iv.Money(amount=30000, currency="EUR")
    with pytest.raises(TypeError, match="250000 EUR"):
        iv.compare(today, today, one_off=30000)  # type: ignore[arg-type]
