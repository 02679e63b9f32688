"""A utility's contact centre: calls answered and bills right, at today's reliability.

Run with ``python examples/utility_contact_centre.py``.
"""

from pathlib import Path

import itvalue as iv

portfolio = iv.load(Path(__file__).with_name("utility_contact_centre.yaml"))
graph = portfolio.graph()

print(f"{portfolio.name}\n")
for outcome in portfolio.outcomes:
    exact = graph.expected_delivery(outcome.id, method="exact")
    loss = graph.expected_loss(outcome.id)
    assert loss.value_lost is not None
    assert outcome.volume is not None
    yearly = loss.value_lost.amount * (8760 / outcome.volume.per.hours)
    print(f"{outcome.name}: {exact:.3%} expected, about €{yearly:,.0f} lost a year")

print("\nThe head-ends are redundant, so losing one costs nothing:")
print(
    "  bills right while head-end A is down:",
    graph.impact("head-end-a").outcomes["bill-right"].delivered,
)
print(
    "  ... and while both are down:",
    round(graph.impact(["head-end-a", "head-end-b"]).outcomes["bill-right"].delivered, 3),
)

print("\nWhat the CRM agreement promises, against the services the CRM stands on:")
for objective in graph.agreement_terms("crm-sla").objectives:
    promise = objective.promise
    assert promise.ceiling is not None
    print(
        f"  {objective.target:.2%} over {objective.window_days} days allows "
        f"{objective.allowed_hours * 60:.0f} minutes down, costing about "
        f"€{objective.value_at_risk['EUR'].amount:,.0f} each time"
    )
    print(f"  today {promise.expected:.2%}; at best {promise.ceiling:.2%}")
    if not promise.is_reachable and promise.limiting is not None:
        limiting = portfolio.service(promise.limiting).name
        print(f"  cannot be kept: {limiting} limits it most")

print("\nValue traps:")
for finding in iv.check(portfolio, ignore=["single-point-of-failure"]):
    print(" ", finding)
