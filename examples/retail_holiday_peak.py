"""The holiday peak of a retail web shop: what is at stake, hour by hour.

Also: a catalogue database that needs two of its three servers, how fast each service
must be back for the peak's tolerable outages, and what rests on one supplier.

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

print("\nThe catalogue database keeps working while two of its three servers do:")
one = graph.impact("catalog-db-1")
both = graph.impact(["catalog-db-1", "catalog-db-2"])
print("  orders delivered with one server down:", one.outcomes["order-delivered"].delivered)
print("  ... and with two down:", both.outcomes["order-delivered"].delivered)

print("\nHow fast each service must be back in the peak, and how long it takes today:")
needs = graph.recovery_needs()
for key, need in sorted(needs.items(), key=lambda item: (item[1].hours, item[0])):
    needed = portfolio.service(key)
    takes = needed.recovery_hours
    today = "not known" if takes is None else f"{takes:g} h"
    late = "  <- too slow" if takes is not None and takes > need.hours else ""
    outcome = portfolio.outcome(need.outcome).name
    print(f"  {needed.name:<26} within {need.hours:4.1f} h for “{outcome}”; today {today}{late}")

print("\nWhat depends on one supplier, for an hour of its outage:")
stopped = graph.single_points_of_failure(suppliers=True)
for supplier, value in graph.rank_suppliers(hours=1.0):
    provided = [s.name for s in portfolio.services if s.provided_by == supplier and s.is_live]
    if provided:
        stops = [portfolio.outcome(o).name for o, names in stopped.items() if supplier in names]
        name = portfolio.stakeholder(supplier).name
        print(f"  {name}: about €{value:,.0f} ({', '.join(provided)})")
        print(f"    alone it stops: {'; '.join(stops) or 'nothing entirely'}")

costs = graph.allocate_costs()
per_order = costs.per_unit["order-delivered"]["EUR"]
print(f"\nIT cost per delivered order: €{per_order:.2f}")
print(f"Not live, so allocated to no order: €{costs.not_live['EUR']:,.0f} a year")
