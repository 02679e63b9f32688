"""Quorums, recovery needs and suppliers: a scenario by hand, and the oracles."""

from __future__ import annotations

import pytest
from hypothesis import given

import itvalue as iv
from itvalue.testing import strategies as ivst
from tests import oracles

#: A contact centre: the CRM runs on a 3-node cluster that needs 2 nodes up; a
#: cloud supplier provides the telephony and one of the nodes.
CLUSTER = """
apiVersion: itvalue/v1
kind: Portfolio
name: Cluster
stakeholders:
  - {id: ops, name: Operations, kind: it}
  - {id: sales, name: Sales, kind: relationship_owner}
  - {id: cloudco, name: CloudCo, kind: supplier}
segments:
  - {id: callers, name: Callers, relationship_owner: sales}
outcomes:
  - id: call-answered
    name: Call answered
    segment: callers
    volume: {amount: 7300, unit: calls, per: month}
    unit_value: {amount: 5, currency: EUR}
    max_outage_hours: 2
  - id: bill-correct
    name: Bill correct
    segment: callers
    volume: {amount: 1460, unit: bills, per: month}
    unit_value: {amount: 20, currency: EUR}
    max_outage_hours: 24
processes:
  - {id: answer-calls, name: Answer calls, owner: sales, enables: [call-answered]}
  - {id: billing, name: Billing, owner: sales, enables: [bill-correct]}
services:
  - {id: node-1, name: Node 1, owner: ops, availability: 0.9, recovery_hours: 1}
  - {id: node-2, name: Node 2, owner: ops, availability: 0.9, recovery_hours: 1}
  - {id: node-3, name: Node 3, owner: ops, availability: 0.9, recovery_hours: 1,
     provided_by: cloudco}
  - id: crm
    name: CRM
    owner: ops
    kind: business
    availability: 0.99
    recovery_hours: 8
    supports: [{process: answer-calls}, {process: billing, share: 0.5}]
    depends_on:
      - {service: node-1, group: cluster}
      - {service: node-2, group: cluster}
      - {service: node-3, group: cluster}
    groups: [{name: cluster, min_up: 2}]
  - id: telephony
    name: Telephony
    owner: ops
    kind: business
    availability: 0.98
    recovery_hours: 1
    provided_by: cloudco
    supports: [{process: answer-calls, share: 0.5}]
"""


@pytest.fixture
def cluster() -> iv.ValueGraph:
    """The contact centre's value graph."""
    return iv.loads(CLUSTER).graph()


def test_the_cluster_by_hand(cluster: iv.ValueGraph) -> None:
    """Every figure of the cluster scenario, with its arithmetic."""
    g = cluster
    # One node down of three: 1 ≤ 3 − 2 may be down, so the CRM stays up.
    assert g.impact("node-1").down == {"node-1"}
    # Two nodes down: more than 3 − 2, so the CRM is down; it carries all of answering
    # calls and half of billing.
    both = g.impact({"node-1", "node-2"})
    assert both.down == {"node-1", "node-2", "crm"}
    assert both.outcomes["call-answered"].delivered == 0.0
    assert both.outcomes["bill-correct"].delivered == 0.5
    # The CRM is up when it is up itself and at least 2 of the 3 nodes are:
    # 0.99 × (0.9³ + 3 × 0.9² × 0.1) = 0.99 × 0.972 = 0.96228.
    assert g.expected_delivery("crm") == pytest.approx(0.99 * 0.972, abs=1e-12)
    assert g.expected_delivery("crm", method="independent") == pytest.approx(0.96228, abs=1e-12)
    # Calls answered: 0.96228 × (1 − 0.5 × 0.02) = 0.9526572; a month loses
    # 7,300 × 0.0473428 = 345.60 calls, × €5 = €1,728.01.
    loss = g.expected_loss("call-answered")
    assert loss.volume_lost is not None
    assert loss.value_lost is not None
    assert loss.volume_lost.amount == pytest.approx(7300 * (1 - 0.96228 * 0.99))
    assert loss.value_lost.amount == pytest.approx(1728.01, abs=0.01)
    # An hour without the CRM: 7,300 / 730 = 10 calls (€50) and half of 2 bills (€20).
    assert g.rank_services() == [
        ("crm", pytest.approx(70.0)),
        ("telephony", pytest.approx(25.0)),
        ("node-1", 0.0),
        ("node-2", 0.0),
        ("node-3", 0.0),
    ]
    # The CRM must be back within 2 hours for calls (a full stop: 2 / 1) — not 48 for
    # bills (24 / 0.5); telephony within 2 / 0.5 = 4 hours; a lone node loses nothing.
    needs = g.recovery_needs()
    assert needs == {
        "crm": iv.RecoveryNeed(hours=2.0, outcome="call-answered"),
        "telephony": iv.RecoveryNeed(hours=4.0, outcome="call-answered"),
    }
    # CloudCo failing takes node-3 (the cluster survives) and telephony: half the
    # calls, 5 an hour, €25.
    assert g.impact("cloudco").down == {"node-3", "telephony"}
    ((supplier, at_risk),) = g.rank_suppliers()
    assert supplier == "cloudco"
    assert at_risk == pytest.approx(25.0)
    assert g.single_points_of_failure(suppliers=True) == {}
    assert g.single_points_of_failure() == {"call-answered": ["crm"]}
    findings = [(f.code, f.subject) for f in iv.check(g.portfolio, select=["ITV011", "ITV015"])]
    assert findings == [("ITV011", "crm")]
    (slow,) = iv.check(g.portfolio, select=["slow-recovery"])
    assert slow.message == (
        "'crm' takes 8 hours to recover but must be back within 2 hours for outcome "
        "'call-answered' (Call answered)"
    )


def test_a_quorum_of_all_members_is_a_set_of_required_dependencies(
    cluster: iv.ValueGraph,
) -> None:
    """With min_up = n, one member down takes the service down."""
    text = CLUSTER.replace("min_up: 2", "min_up: 3")
    assert iv.loads(text).graph().impact("node-1").down == {"node-1", "crm"}
    text = CLUSTER.replace("min_up: 2", "min_up: 1")
    assert iv.loads(text).graph().impact({"node-1", "node-2"}).down == {"node-1", "node-2"}


def test_unknown_recovery_and_supplier_single_points() -> None:
    """A required recovery with no recovery time is information; a lone supplier stops all."""
    text = CLUSTER.replace(
        "    recovery_hours: 1\n    provided_by: cloudco\n", "    provided_by: cloudco\n"
    )
    text = text.replace(
        "supports: [{process: answer-calls, share: 0.5}]", "supports: [{process: answer-calls}]"
    )
    p = iv.loads(text)
    found = iv.check(p, select=["ITV014", "ITV015"])
    assert [(f.code, f.severity.value, f.subject) for f in found] == [
        ("ITV014", "info", "telephony"),
        ("ITV015", "warning", "cloudco"),
    ]
    assert found[1].message == (
        "if supplier 'cloudco' fails, outcome 'call-answered' (Call answered) stops entirely"
    )


@given(p=ivst.portfolios(max_services=7, max_outcomes=3, text=False))
def test_recovery_needs_match_the_oracle(p: iv.Portfolio) -> None:
    """Required recoveries equal the oracle's: least M / f over outcomes, live services only."""
    found = p.graph().recovery_needs()
    expected = oracles.recovery_needs(p)
    assert set(found) == set(expected)
    for key, (hours, outcome) in expected.items():
        assert found[key].hours == pytest.approx(hours, rel=1e-9)
        assert found[key].outcome == outcome
