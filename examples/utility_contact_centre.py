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

print("\nValue traps:")
for finding in iv.check(portfolio, ignore=["single-point-of-failure"]):
    print(" ", finding)
