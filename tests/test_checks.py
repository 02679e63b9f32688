"""Every value-trap rule fires on a crafted portfolio and stays silent on a clean one."""

from __future__ import annotations

import pytest
from hypothesis import given

import itvalue as iv
from itvalue.testing import strategies as ivst

CLEAN = """
apiVersion: itvalue/v1
kind: Portfolio
name: Clean
stakeholders:
  - {id: sales, name: Sales, kind: relationship_owner}
  - {id: it, name: IT, kind: it}
segments:
  - {id: shoppers, name: Shoppers, relationship_owner: sales}
outcomes:
  - {id: order, name: Order delivered, segment: shoppers,
     volume: {amount: 100, unit: orders, per: day}, unit_value: {amount: 10, currency: EUR}}
processes:
  - {id: checkout, name: Checkout, owner: sales, enables: [order]}
value_streams:
  - {id: buy, name: Buying, segment: shoppers, outcome: order,
     stages: [{name: Pay, processes: [checkout]}]}
services:
  - {id: pay-a, name: Pay A, owner: it, kind: business, offering: catalog, lifecycle: live,
     supports: [{process: checkout, share: 0.5}]}
  - {id: pay-b, name: Pay B, owner: it, kind: business, offering: catalog, lifecycle: live,
     supports: [{process: checkout, share: 0.5}]}
metrics:
  - {id: delivered, name: Orders delivered, unit: '%', perspective: external,
     direction: higher_is_better, outcome: order}
  - {id: uptime, name: Uptime, unit: '%', perspective: internal, direction: higher_is_better}
slas:
  - {id: pay-sla, name: Payments SLA, service: pay-a, consumer: shoppers,
     objectives: [{metric: delivered, target: 99.5}, {metric: uptime, target: 99.9}]}
"""

TRAPS = """
apiVersion: itvalue/v1
kind: Portfolio
name: Traps
stakeholders:
  - {id: ops, name: Operations, description: 'Our internal customers', kind: business_unit}
  - {id: it, name: IT, kind: it}
  - {id: payco, name: PayCo, kind: supplier}
segments:
  - {id: shoppers, name: Shoppers, relationship_owner: it}
outcomes:
  - {id: order, name: Order delivered, segment: shoppers, max_outage_hours: 4}
  - {id: refund, name: Refund paid, segment: shoppers}
processes:
  - {id: checkout, name: Checkout, owner: ops, enables: [order]}
  - {id: refunds, name: Refunds, owner: ops, enables: [refund]}
value_streams:
  - {id: buy, name: Buying, segment: shoppers, outcome: order,
     stages: [{name: Pay, processes: [checkout, refunds]}]}
services:
  - {id: pay, name: Pay, owner: it, kind: business, offering: catalog, lifecycle: live,
     supports: [{process: checkout}], depends_on: [{service: old-db}], recovery_hours: 8}
  - {id: gateway, name: Card gateway, owner: it, provided_by: payco,
     supports: [{process: checkout}]}
  - {id: old-db, name: Old DB, owner: it, kind: technical, offering: catalog, lifecycle: retired}
  - {id: refund-svc, name: Refund service, owner: it, kind: business, offering: made_to_order,
     lifecycle: proposed, supports: [{process: refunds}]}
  - {id: fax, name: Fax, owner: it, kind: technical, offering: catalog, lifecycle: live,
     annual_cost: {amount: 7000, currency: EUR}}
metrics:
  - {id: nps, name: Net promoter score, unit: points, perspective: external, direction: higher_is_better}
  - {id: uptime, name: Uptime, unit: '%', perspective: internal, direction: higher_is_better}
slas:
  - {id: pay-sla, name: Payments SLA, service: pay, consumer: ops,
     objectives: [{metric: uptime, target: 99.9}]}
"""


def test_clean_portfolio_is_silent() -> None:
    """No rule fires on a clean portfolio."""
    assert iv.check(iv.loads(CLEAN)) == []


def test_every_rule_fires() -> None:
    """Each rule fires on the crafted portfolio, with the specified subject."""
    findings = iv.check(iv.loads(TRAPS))
    assert [(f.code, f.subject) for f in findings] == [
        ("ITV001", "fax"),
        ("ITV002", "pay-sla"),
        ("ITV003", "ops"),
        ("ITV004", "shoppers"),
        ("ITV005", "order"),
        ("ITV005", "refund"),
        ("ITV006", "nps"),
        ("ITV007", "gateway"),
        ("ITV007", "pay"),
        ("ITV008", "pay"),
        ("ITV009", "buy"),
        ("ITV010", "refund"),
        ("ITV011", "pay"),
        ("ITV014", "gateway"),
        ("ITV015", "payco"),
    ]
    messages = {(f.code, f.subject): f.message for f in findings}
    assert (
        messages["ITV001", "fax"]
        == "live service 'fax' reaches no customer outcome; it costs 7,000 EUR a year"
    )
    assert (
        messages["ITV007", "pay"]
        == "if 'pay' fails, outcome 'order' (Order delivered) stops entirely"
    )
    assert messages["ITV008", "pay"] == "live service 'pay' depends on retired 'old-db'"
    assert messages["ITV011", "pay"] == (
        "'pay' takes 8 hours to recover but must be back within 4 hours for outcome "
        "'order' (Order delivered)"
    )
    assert messages["ITV014", "gateway"] == (
        "'gateway' must be back within 4 hours for outcome 'order' but its recovery time "
        "is not stated"
    )
    assert messages["ITV015", "payco"] == (
        "if supplier 'payco' fails, outcome 'order' (Order delivered) stops entirely"
    )
    assert (
        messages["ITV009", "buy"]
        == "in stage 'Pay', process 'refunds' does not lead to outcome 'order'"
    )
    assert all(f.rationale for f in findings)
    assert findings.has_errors
    assert "ITV004" in findings._repr_html_()
    assert (
        str(findings[0])
        == "ITV001 [warning] fax: live service 'fax' reaches no customer outcome; it costs 7,000 EUR a year"
    )


def test_select_ignore_and_severities() -> None:
    """Rules can be selected or ignored by code or name, and severities overridden."""
    p = iv.loads(TRAPS)
    assert {f.code for f in iv.check(p, select=["ITV005", "orphan-service"])} == {
        "ITV001",
        "ITV005",
    }
    assert "ITV005" not in {f.code for f in iv.check(p, ignore=["unvalued-outcome"])}
    assert iv.check(p, select=[]) == []
    overridden = iv.check(p, select=["itv001"], severities={"orphan-service": "error"})
    assert overridden[0].severity is iv.Severity.ERROR
    with pytest.raises(iv.UnknownIdError, match="ITV999"):
        iv.check(p, select=["ITV999"])


def test_rules_are_documented() -> None:
    """Every rule has a code, a kebab-case name, a summary and a rationale."""
    assert sorted(iv.RULES) == [f"ITV{n:03d}" for n in range(1, 16)]
    for code, rule in iv.RULES.items():
        assert rule.code == code
        assert rule.name == rule.name.lower()
        assert " " not in rule.name
        assert rule.summary
        assert len(rule.rationale) > 60


@given(p=ivst.portfolios(max_services=6, text=False))
def test_findings_are_sorted_and_deterministic(p: iv.Portfolio) -> None:
    """Findings are sorted and the same on every run."""
    first = iv.check(p)
    assert first == iv.check(p)
    assert first == sorted(first, key=iv.Finding.sort_key)
    for f in first:
        assert f.subject in p
