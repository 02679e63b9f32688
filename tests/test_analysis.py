"""The analyses against brute-force oracles and their properties."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import attrs
import networkx as nx
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import itvalue as iv
from itvalue.testing import strategies as ivst
from tests import oracles

small = ivst.portfolios(max_services=7, max_outcomes=3, max_processes=4, text=False)


@given(p=small, data=st.data())
def test_impact_matches_the_oracle(p: iv.Portfolio, data: st.DataObject) -> None:
    """impact() equals the fixed-point oracle for a random failed set."""
    ids = [s.id for s in p.services]
    failed = data.draw(st.sets(st.sampled_from(ids)) if ids else st.just(set()))
    imp = p.graph().impact(failed)
    expected = oracles.delivered(p, failed)
    assert imp.down == frozenset(oracles.down(p, failed))
    for o in p.outcomes:
        assert imp.outcomes[o.id].delivered == pytest.approx(expected[o.id], abs=1e-12)
    for key, value in imp.processes.items():
        assert value == pytest.approx(expected[key], abs=1e-12)
    for key, value in imp.products.items():
        assert value == pytest.approx(expected[key], abs=1e-12)
    for proc in p.processes:
        if proc.id not in imp.processes:
            assert expected[proc.id] == 1.0


@given(p=small)
def test_every_failure_state_matches_the_oracle(p: iv.Portfolio) -> None:
    """On small portfolios, every subset of failed services matches the oracle."""
    ids = [s.id for s in p.services][:5]
    g = p.graph()
    for r in range(len(ids) + 1):
        for failed in itertools.combinations(ids, r):
            expected = oracles.delivered(p, failed)
            imp = g.impact(failed)
            for o in p.outcomes:
                assert imp.outcomes[o.id].delivered == pytest.approx(expected[o.id], abs=1e-12)


@given(p=small, data=st.data())
def test_impact_is_monotone(p: iv.Portfolio, data: st.DataObject) -> None:
    """Failing more never delivers more, and fractions stay in [0, 1]."""
    ids = [s.id for s in p.services]
    assume(ids)
    bigger = data.draw(st.sets(st.sampled_from(ids)))
    smaller = data.draw(st.sets(st.sampled_from(sorted(bigger)))) if bigger else set()
    g = p.graph()
    a, b = g.impact(smaller), g.impact(bigger)
    assert a.down <= b.down
    for key in a.outcomes:
        assert 0.0 <= b.outcomes[key].delivered <= a.outcomes[key].delivered <= 1.0
    for currency, money in b.totals().items():
        assert (
            money.amount
            >= a.totals().get(currency, iv.Money(amount=0, currency=currency)).amount - 1e-9
        )


@given(p=ivst.portfolios(max_services=6, max_outcomes=2, max_processes=3, text=False))
def test_exact_matches_enumeration(p: iv.Portfolio) -> None:
    """exact equals the expectation over every state of every uncertain service."""
    g = p.graph()
    for node in (
        [o.id for o in p.outcomes] + [s.id for s in p.services] + [s.id for s in p.segments]
    ):
        assert g.expected_delivery(node, method="exact") == pytest.approx(
            oracles.expected(p, node), abs=1e-9
        )


def _single_path(g: iv.ValueGraph, node: str) -> bool:
    graph = g.nx
    for s in g.ids_of("service"):
        service = g.portfolio.service(s)
        a = service.availability
        uncertain = a is not None and a < 1 and s != node and service.is_live
        if uncertain and sum(1 for _ in nx.all_simple_paths(graph, s, node)) > 1:
            return False
    return True


@given(p=small)
def test_independent_is_exact_on_trees(p: iv.Portfolio) -> None:
    """independent equals exact when no uncertain service reaches the node by two paths."""
    g = p.graph()
    for o in p.outcomes:
        ind = g.expected_delivery(o.id, method="independent")
        exact = g.expected_delivery(o.id, method="exact")
        assert 0.0 <= ind <= 1.0
        if _single_path(g, o.id):
            assert ind == pytest.approx(exact, abs=1e-12)


@given(
    p=ivst.portfolios(max_services=5, max_outcomes=2, max_processes=3, text=False),
    seed=st.integers(0, 2**32),
)
def test_monte_carlo_is_within_a_few_standard_errors(p: iv.Portfolio, seed: int) -> None:
    """Monte Carlo lies within a few standard errors of exact."""
    g = p.graph()
    for node in [o.id for o in p.outcomes] + [s.id for s in p.services][:2]:
        exact = g.expected_delivery(node, method="exact")
        est = g.estimate_delivery(node, samples=4000, seed=seed)
        # The worst-case spread of a [0, 1] variable bounds the error when the
        # sample happened to see no failure at all.
        spread = max(est.stderr, math.sqrt(exact * (1 - exact) / est.samples))
        assert abs(est.value - exact) <= 5 * spread + 1e-9


@given(p=small, data=st.data())
def test_redundancy_never_lowers_expected_delivery(p: iv.Portfolio, data: st.DataObject) -> None:
    """Adding a redundant alternative to a dependency never lowers expected delivery."""
    candidates = [s for s in p.services if s.depends_on]
    assume(candidates)
    target = data.draw(st.sampled_from(candidates))
    k = data.draw(st.integers(0, len(target.depends_on) - 1))
    dep = target.depends_on[k]
    spare = iv.Service(
        id="spare-x",
        name="Spare",
        owner=p.stakeholders[0].id,
        kind=iv.ServiceKind.TECHNICAL,
        offering=iv.Offering.CATALOG,
        lifecycle=iv.Lifecycle.LIVE,
        availability=data.draw(ivst.availabilities()),
    )
    group = dep.group or "new-group"
    deps = list(target.depends_on)
    deps[k] = iv.Dependency(service=dep.service, group=group)
    deps.append(iv.Dependency(service=spare.id, group=group))
    changed = attrs.evolve(target, depends_on=tuple(deps))
    q = attrs.evolve(p, services=(*tuple(changed if s is target else s for s in p.services), spare))
    for o in p.outcomes:
        before = p.graph().expected_delivery(o.id, method="exact")
        after = q.graph().expected_delivery(o.id, method="exact")
        assert after >= before - 1e-12


@given(p=small)
def test_traced_outcomes_are_the_reachable_outcomes(p: iv.Portfolio) -> None:
    """trace() finds exactly what networkx says is reachable; orphans reach nothing."""
    g = p.graph()
    for s in p.services:
        reachable = nx.descendants(g.nx, s.id)
        t = g.trace(s.id)
        for kind, found in (
            ("outcome", t.outcomes),
            ("process", t.processes),
            ("product", t.products),
            ("segment", t.segments),
            ("service", t.services),
        ):
            assert found == {n for n in reachable if g.nx.nodes[n]["kind"] == kind}
    assert g.orphans() == sorted(s.id for s in p.services if not g.trace(s.id).outcomes)


@given(p=small)
def test_single_points_of_failure_match_the_oracle(p: iv.Portfolio) -> None:
    """Single points of failure are the live services whose lone failure zeroes an outcome."""
    expected: dict[str, list[str]] = {}
    for s in sorted(p.services, key=lambda s: s.id):
        if s.lifecycle is not iv.Lifecycle.LIVE:
            continue
        fractions = oracles.delivered(p, [s.id])
        for o in p.outcomes:
            if fractions[o.id] == 0.0:
                expected.setdefault(o.id, []).append(s.id)
    found = p.graph().single_points_of_failure()
    assert found == {k: expected[k] for k in found}
    assert set(found) == set(expected)


@given(
    p=ivst.portfolios(max_services=7, max_outcomes=3, currencies=("EUR",), text=False),
    hours=st.sampled_from([0.5, 1.0, 8.0]),
)
def test_rank_services_matches_the_oracle(p: iv.Portfolio, hours: float) -> None:
    """Value at risk per live service equals the oracle's, worst first, ties by id."""
    ranked = p.graph().rank_services(hours=hours)
    assert sorted(s for s, _v in ranked) == sorted(s.id for s in p.services if s.is_live)
    for service, value in ranked:
        assert value == pytest.approx(
            oracles.value_lost_per_hour(p, [service], "EUR") * hours, rel=1e-9, abs=1e-9
        )
    values = [v for _s, v in ranked]
    assert values == sorted(values, reverse=True)
    for (a, va), (b, vb) in itertools.pairwise(ranked):
        if va == vb:
            assert a < b


@given(p=ivst.portfolios(max_services=8, currencies=("EUR", "USD"), text=False))
def test_cost_is_conserved(p: iv.Portfolio) -> None:
    """Allocated plus unallocated plus not live equals the total, per currency."""
    alloc = p.graph().allocate_costs()
    for currency, total in alloc.total.items():
        allocated = alloc.allocated.get(currency, 0.0)
        not_live = alloc.not_live.get(currency, 0.0)
        assert allocated + alloc.unallocated[currency] + not_live == pytest.approx(
            total, rel=1e-9, abs=1e-6
        )
        assert not_live == pytest.approx(
            sum(
                s.annual_cost.amount
                for s in p.services
                if s.annual_cost and s.annual_cost.currency == currency and not s.is_live
            )
        )
        stranded = sum(v.get(currency, 0.0) for v in alloc.stranded.values())
        assert stranded == pytest.approx(alloc.unallocated[currency], rel=1e-9, abs=1e-6)
    for key, amounts in alloc.per_unit.items():
        o = p.outcome(key)
        assert o.volume is not None
        for currency, per_unit in amounts.items():
            assert per_unit * o.volume.per_year == pytest.approx(alloc.by_outcome[key][currency])


@given(
    p=ivst.portfolios(
        min_services=10, max_services=30, max_outcomes=4, currencies=("EUR",), text=False
    )
)
def test_rank_services_agrees_with_impact_on_larger_portfolios(p: iv.Portfolio) -> None:
    """The bitset ranking equals impact() of each service alone, redundancy groups included."""
    g = p.graph()
    for service, value in g.rank_services():
        lost = g.impact(service).totals(1.0).get("EUR", iv.Money(amount=0.0, currency="EUR"))
        assert value == pytest.approx(lost.amount, rel=1e-9, abs=1e-9)


@given(
    p=ivst.portfolios(max_services=7, max_outcomes=3, currencies=("EUR",), text=False),
    driver=st.sampled_from(["equal", "value"]),
)
def test_allocation_matches_the_oracle(p: iv.Portfolio, driver: str) -> None:
    """Each outcome's cost is the live services' cost summed over every path to it."""
    alloc = p.graph().allocate_costs(driver=driver)  # type: ignore[arg-type]
    expected = oracles.allocation(p, driver)
    assert set(expected) <= set(alloc.by_outcome)
    for o in p.outcomes:
        # An outcome may receive exactly nothing (a zero cost, or a share that underflows):
        # absent on one side, 0 on the other.
        found = alloc.by_outcome.get(o.id, {})
        wanted = expected.get(o.id, {})
        for currency in set(found) | set(wanted):
            assert found.get(currency, 0.0) == pytest.approx(
                wanted.get(currency, 0.0), rel=1e-9, abs=1e-6
            )
    assert alloc.driver == driver


@given(p=ivst.portfolios(max_services=8, currencies=("EUR",), text=False))
def test_cost_is_conserved_under_the_value_driver(p: iv.Portfolio) -> None:
    """The value driver moves cost between outcomes, never in or out of the total."""
    alloc = p.graph().allocate_costs(driver="value")
    for currency, total in alloc.total.items():
        parts = (
            alloc.allocated.get(currency, 0.0)
            + alloc.unallocated[currency]
            + alloc.not_live.get(currency, 0.0)
        )
        assert parts == pytest.approx(total, rel=1e-9, abs=1e-6)


def test_the_value_driver_survives_values_too_large_for_a_float() -> None:
    """Outcomes worth more than a float holds still split cost, and it is conserved."""
    p = iv.loads(
        """
apiVersion: itvalue/v1
kind: Portfolio
name: Huge
stakeholders: [{id: s, name: S, kind: relationship_owner}]
segments: [{id: seg, name: Seg, relationship_owner: s}]
outcomes:
  - {id: big, name: Big, segment: seg, volume: {amount: 1.0e+200, unit: x, per: hour},
     unit_value: {amount: 1.0e+200, currency: EUR}}
  - {id: bigger, name: Bigger, segment: seg, volume: {amount: 1.0e+300, unit: x, per: hour},
     unit_value: {amount: 1.0e+300, currency: EUR}}
  - {id: small, name: Small, segment: seg, volume: {amount: 1, unit: x, per: hour},
     unit_value: {amount: 1, currency: EUR}}
processes: [{id: p, name: P, owner: s, enables: [big, bigger, small]}]
services:
  - {id: svc, name: Svc, owner: s, annual_cost: {amount: 900, currency: EUR},
     supports: [{process: p}]}
"""
    )
    alloc = p.graph().allocate_costs(driver="value")
    assert alloc.by_outcome == {"big": {"EUR": 450.0}, "bigger": {"EUR": 450.0}}
    assert alloc.allocated["EUR"] == 900.0


@given(p=ivst.portfolios(max_services=7, max_outcomes=3, currencies=("EUR",), text=False))
def test_suppliers_match_the_oracle(p: iv.Portfolio) -> None:
    """A supplier's failure is its live services failing at once: impact, ranking, SPOF."""
    g = p.graph()
    ranked = dict(g.rank_suppliers())
    suppliers = [s.id for s in p.stakeholders if s.kind is iv.StakeholderKind.SUPPLIER]
    assert sorted(ranked) == sorted(suppliers)
    spof = g.single_points_of_failure(suppliers=True)
    for supplier in suppliers:
        failed = oracles.provided(p, supplier)
        assert g.impact(supplier).down == frozenset(oracles.down(p, failed))
        assert ranked[supplier] == pytest.approx(
            oracles.value_lost_per_hour(p, failed, "EUR"), rel=1e-9, abs=1e-9
        )
        fractions = oracles.delivered(p, failed)
        for o in p.outcomes:
            stops = bool(failed) and fractions[o.id] == 0.0
            assert (supplier in spof.get(o.id, [])) is stops


def test_bit_members() -> None:
    """The set bits of an integer come out in order."""
    from itvalue.analysis._rank import members as _members

    assert _members(0) == []
    assert _members(0b1011) == [0, 1, 3]
    big = (1 << 1000) | (1 << 64) | 1
    assert _members(big) == [0, 64, 1000]


def _group_sizes(s: iv.Service) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for d in s.depends_on:
        if d.group is not None:
            sizes[d.group] = sizes.get(d.group, 0) + 1
    return sizes


def _with_groups(p: iv.Portfolio, min_up: Callable[[int], int]) -> iv.Portfolio:
    """``p`` with every group of every service listed, needing ``min_up(n)`` members up."""
    return attrs.evolve(
        p,
        services=tuple(
            attrs.evolve(
                s,
                groups=tuple(
                    iv.RedundancyGroup(name=name, min_up=min_up(n))
                    for name, n in _group_sizes(s).items()
                ),
            )
            for s in p.services
        ),
    )


@given(p=small, data=st.data())
def test_quorum_extremes_are_the_old_rules(p: iv.Portfolio, data: st.DataObject) -> None:
    """k = 1 is the plain group (all members down); k = n makes every member required."""
    ids = [s.id for s in p.services]
    failed = data.draw(st.sets(st.sampled_from(ids)) if ids else st.just(set()))
    plain = attrs.evolve(p, services=tuple(attrs.evolve(s, groups=()) for s in p.services))
    one = _with_groups(p, lambda _n: 1)
    assert one.graph().impact(failed).down == plain.graph().impact(failed).down
    for o in p.outcomes:
        assert one.graph().expected_delivery(o.id) == pytest.approx(
            plain.graph().expected_delivery(o.id), abs=1e-12
        )
    every = _with_groups(p, lambda n: n)
    required = attrs.evolve(
        p,
        services=tuple(
            attrs.evolve(
                s, depends_on=tuple(attrs.evolve(d, group=None) for d in s.depends_on), groups=()
            )
            for s in p.services
        ),
    )
    assert every.graph().impact(failed).down == required.graph().impact(failed).down
    for o in p.outcomes:
        assert every.graph().expected_delivery(o.id) == pytest.approx(
            required.graph().expected_delivery(o.id), abs=1e-12
        )


@given(p=small, data=st.data())
def test_raising_min_up_never_raises_delivery(p: iv.Portfolio, data: st.DataObject) -> None:
    """Needing more members of a group up never raises expected delivery or lowers risk."""
    candidates = [
        (s, name, n)
        for s in p.services
        for name, n in _group_sizes(s).items()
        if n >= 2 and {g.name: g.min_up for g in s.groups}.get(name, 1) < n
    ]
    if not candidates:  # no group to tighten in this portfolio; common, so not a filter
        return
    service, name, n = data.draw(st.sampled_from(candidates))
    current = {g.name: g.min_up for g in service.groups}.get(name, 1)
    raised = data.draw(st.integers(current + 1, n))
    groups = (
        *(g for g in service.groups if g.name != name),
        iv.RedundancyGroup(name=name, min_up=raised),
    )
    q = attrs.evolve(
        p,
        services=tuple(attrs.evolve(s, groups=groups) if s is service else s for s in p.services),
    )
    for node in [o.id for o in p.outcomes] + [s.id for s in p.services]:
        before = p.graph().expected_delivery(node, method="exact")
        after = q.graph().expected_delivery(node, method="exact")
        assert after <= before + 1e-12
        assert q.graph().expected_delivery(node, method="independent") <= (
            p.graph().expected_delivery(node, method="independent") + 1e-12
        )


@given(p=small, data=st.data())
def test_retiring_a_service_never_raises_total_risk(p: iv.Portfolio, data: st.DataObject) -> None:
    """A service that is no longer live cannot fail: the ranking's total never grows."""
    live = [s for s in p.services if s.is_live]
    assume(live)
    gone = data.draw(st.sampled_from(live))
    q = attrs.evolve(
        p,
        services=tuple(
            attrs.evolve(s, lifecycle=iv.Lifecycle.RETIRED) if s is gone else s for s in p.services
        ),
    )
    currencies = sorted({o.unit_value.currency for o in p.outcomes if o.unit_value and o.volume})
    for currency in currencies:
        before = sum(v for _s, v in p.graph().rank_services(currency=currency))
        after = sum(v for _s, v in q.graph().rank_services(currency=currency))
        assert after <= before + 1e-9 * max(1.0, before)
        assert gone.id not in dict(q.graph().rank_services(currency=currency))
