"""Northwind, the documentation's example: one web shop, one payment service, two databases.

Run with ``python examples/northwind.py``.
"""

from pathlib import Path

import itvalue as iv

portfolio = iv.load(Path(__file__).with_name("northwind.yaml"))
graph = portfolio.graph()

impact = graph.impact("payments")
print("Without payments, orders delivered:", impact.outcomes["order-delivered"].delivered)
print("Lost per hour:", impact.totals(hours=1.0)["EUR"])
print(graph.availability_target("payments", 0.999))
print("Expected delivery:", round(graph.expected_delivery("order-delivered"), 6))
