"""Agreements against the graph, value streams in an outage: by hand and by oracle."""

from __future__ import annotations

import math

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import itvalue as iv
from itvalue.testing import strategies as ivst
from tests import oracles
from tests.test_recovery import CLUSTER

AGREEMENTS = (
    CLUSTER
    + """
metrics:
  - {id: crm-up, name: CRM availability, unit: fraction, perspective: internal,
     direction: higher_is_better, measures: availability}
  - {id: answered, name: Calls answered, unit: fraction, perspective: external,
     direction: higher_is_better, outcome: call-answered, measures: availability}
  - {id: handle-time, name: Handle time, unit: minutes, perspective: internal,
     direction: lower_is_better}
slas:
  - {id: crm-gold, name: CRM gold, service: crm, consumer: sales,
     objectives: [{metric: crm-up, target: 0.995, window_days: 30}]}
  - {id: crm-silver, name: CRM silver, service: crm, consumer: sales,
     objectives: [{metric: crm-up, target: 0.965, window_days: 30},
                  {metric: handle-time, target: 4}]}
  - {id: crm-bronze, name: CRM bronze, service: crm, consumer: callers,
     objectives: [{metric: crm-up, target: 0.95, window_days: 30},
                  {metric: answered, target: 0.96}]}
value_streams:
  - id: serve
    name: Serve a caller
    segment: callers
    outcome: call-answered
    stages:
      - {name: Answer, processes: [answer-calls]}
      - {name: Bill, processes: [billing]}
      - {name: Nothing, processes: []}
"""
)


@pytest.fixture
def graph() -> iv.ValueGraph:
    """The cluster scenario with its agreements and a value stream."""
    return iv.loads(AGREEMENTS).graph()


def test_agreements_by_hand(graph: iv.ValueGraph) -> None:
    """Ceilings, expectations, limiting services and terms, with their arithmetic."""
    g = graph
    # The CRM needs 2 of 3 nodes at 0.9: 0.9³ + 3 × 0.9² × 0.1 = 0.972 is its ceiling;
    # today, with its own 0.99: 0.96228.
    assert g.service_availability("crm", own=False) == pytest.approx(0.972)
    assert g.service_availability("crm") == pytest.approx(0.96228)
    promises = {(p.sla, p.metric): p for p in g.availability_promises()}
    gold = promises["crm-gold", "crm-up"]
    # 99.5% > 97.2%: no work on the CRM keeps it. A perfect node-1 leaves one of two
    # nodes needed: 1 − 0.1² = 0.99 (nodes tie; the first id is named).
    assert not gold.is_reachable
    assert gold.limiting == "node-1"
    assert gold.limiting_to == pytest.approx(0.99)
    silver = promises["crm-silver", "crm-up"]
    # 97.2% ≥ 96.5% > 96.228%: reachable, not met. A perfect CRM gives 0.972; a perfect
    # node-1 gives 0.99 × 0.99 = 0.9801, more.
    assert silver.is_reachable
    assert not silver.is_met
    assert silver.limiting == "node-1"
    assert silver.limiting_to == pytest.approx(0.9801)
    bronze = promises["crm-bronze", "crm-up"]
    assert bronze.is_met
    assert bronze.limiting is None
    # Calls answered: 0.96228 × (1 − 0.5 × 0.02) = 0.9526572 < 96%.
    answered = promises["crm-bronze", "answered"]
    assert answered.subject_kind == "outcome"
    assert answered.expected == pytest.approx(0.9526572)
    assert not answered.is_met
    found = [(f.code, f.subject) for f in iv.check(g.portfolio, select=["ITV012", "ITV013"])]
    assert found == [("ITV012", "crm-gold"), ("ITV013", "crm-bronze"), ("ITV013", "crm-silver")]
    messages = {
        (f.code, f.subject): f.message for f in iv.check(g.portfolio, select=["ITV012", "ITV013"])
    }
    assert messages["ITV012", "crm-gold"] == (
        "SLA 'crm-gold' promises 99.5% availability of 'crm', but its dependencies allow at "
        "most 97.2%; 'node-1' limits most (perfect, it would allow 99%)"
    )
    assert messages["ITV013", "crm-silver"] == (
        "SLA 'crm-silver' promises 96.5% availability of 'crm'; at today's availabilities it "
        "is 96.228%; 'node-1' limits most (perfect, it would reach 98.01%)"
    )
    # 99.5% over 30 days allows (1 − 0.995) × 30 × 24 = 3.6 hours: 36 calls (€180) and
    # half of 7.2 bills, 3.6 (€72): €252 in all.
    terms = g.agreement_terms("crm-gold")
    (objective,) = terms.objectives
    assert objective.allowed_hours == pytest.approx(3.6)
    assert objective.volume_at_risk["call-answered"].amount == pytest.approx(36.0)
    assert objective.volume_at_risk["bill-correct"].amount == pytest.approx(3.6)
    assert objective.value_at_risk["EUR"].amount == pytest.approx(252.0)
    assert [o.metric for o in g.agreement_terms("crm-silver").objectives] == ["crm-up"]


def test_streams_in_an_outage(graph: iv.ValueGraph) -> None:
    """A stage delivers the product of its processes; the stream, its outcome."""
    impact = graph.impact("crm")
    stream = impact.streams["serve"]
    assert [(s.name, s.delivered) for s in stream.stages] == [
        ("Answer", 0.0),
        ("Bill", 0.5),
        ("Nothing", 1.0),
    ]
    assert stream.delivered == 0.0
    assert stream.stopped_stages == ("Answer",)
    assert stream.slowed_stages == ("Bill",)
    assert "Answer" in impact._repr_html_()
    calm = graph.impact("node-1").streams["serve"]
    assert all(stage.delivered == 1.0 for stage in calm.stages)


def _perfect(p: iv.Portfolio, service: str) -> iv.Portfolio:
    return attrs.evolve(
        p,
        services=tuple(
            attrs.evolve(s, availability=None) if s.id == service else s for s in p.services
        ),
    )


@given(p=ivst.portfolios(max_services=6, max_outcomes=2, max_processes=3, text=False))
def test_service_availability_matches_enumeration(p: iv.Portfolio) -> None:
    """Availability and ceiling equal the expectation over every state, quorums included."""
    g = p.graph()
    for s in p.services:
        assert g.service_availability(s.id) == pytest.approx(oracles.expected(p, s.id), abs=1e-9)
        assert g.service_availability(s.id, own=False) == pytest.approx(
            oracles.expected(_perfect(p, s.id), s.id), abs=1e-9
        )
        assert g.service_availability(s.id, own=False) >= g.service_availability(s.id) - 1e-12


@given(
    p=ivst.portfolios(max_services=5, max_outcomes=2, max_processes=3, text=False),
    seed=st.integers(0, 2**32),
)
def test_service_availability_by_simulation(p: iv.Portfolio, seed: int) -> None:
    """Monte Carlo lies within a few standard errors of exact, for the ceiling too."""
    g = p.graph()
    for s in p.services[:3]:
        for own in (True, False):
            exact = g.service_availability(s.id, own=own)
            simulated = g.service_availability(s.id, own=own, method="monte_carlo")
            spread = math.sqrt(max(exact * (1 - exact), 1e-12) / 20_000)
            assert abs(simulated - exact) <= 6 * spread + 1e-9


@given(p=ivst.portfolios(max_services=7, max_outcomes=3, text=False), data=st.data())
def test_stage_deliveries_follow_the_down_rule(p: iv.Portfolio, data: st.DataObject) -> None:
    """Each stage delivers the product of the oracle's process deliveries."""
    ids = [s.id for s in p.services]
    failed = data.draw(st.sets(st.sampled_from(ids)) if ids else st.just(set()))
    impact = p.graph().impact(failed)
    expected = oracles.delivered(p, failed)
    assert set(impact.streams) == {v.id for v in p.value_streams}
    for stream in p.value_streams:
        found = impact.streams[stream.id]
        assert found.delivered == pytest.approx(expected[stream.outcome], abs=1e-12)
        for stage, result in zip(stream.stages, found.stages, strict=True):
            product = math.prod(expected[proc] for proc in stage.processes)
            assert result.delivered == pytest.approx(product, abs=1e-12)
