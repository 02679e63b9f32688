"""The holiday peak of a retail web shop: what is at stake, hour by hour.

Run with ``python examples/retail_holiday_peak.py``.
"""

from pathlib import Path

import itvalue as iv

portfolio = iv.load(Path(__file__).with_name("retail_holiday_peak.yaml"))
graph = portfolio.graph()

print(f"{portfolio.name}\n")
print("An hour without each service during the peak puts at risk:")
for service, value in graph.rank_services(hours=1.0)[:5]:
    print(f"  {portfolio.service(service).name:<26} about €{value:,.0f}")

erp = graph.impact("erp")
print("\nA four-hour ERP outage on a peak day:")
for key in erp.affected_outcomes:
    lost = erp.outcomes[key]
    volume = lost.volume_lost_over(4)
    money = lost.value_lost_over(4)
    if volume is not None and money is not None:
        print(f"  {portfolio.outcome(key).name}: {volume:,.0f} orders, about €{money.amount:,.0f}")

print("\nWhat the storefront's availability target allows in a peak week:")
print(" ", graph.availability_target("storefront", 0.9995, period="week"))

costs = graph.allocate_costs()
per_order = costs.per_unit["order-delivered"]["EUR"]
print(f"\nIT cost per delivered order: €{per_order:.2f}")
