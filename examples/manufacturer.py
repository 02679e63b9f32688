"""A manufacturer: enough warranty and utility to ship 10,000 widgets a month.

Run with ``python examples/manufacturer.py``.
"""

from pathlib import Path

import itvalue as iv

portfolio = iv.load(Path(__file__).with_name("manufacturer.yaml"))
graph = portfolio.graph()

print(f"{portfolio.name}\n")
widgets = graph.expected_delivery("widget-shipped")
print(f"At today's availabilities, {widgets:.2%} of the 10,000 widgets a month ship:")
print(f"  about {10_000 * (1 - widgets):,.0f} widgets a month are lost to IT outages.")

print("\nWhat one failure stops entirely:")
for outcome, services in graph.single_points_of_failure().items():
    print(f"  {portfolio.outcome(outcome).name}: {', '.join(services)}")

print("\nFindings of error severity:")
findings = iv.check(portfolio)
for finding in findings:
    if finding.severity is iv.Severity.ERROR:
        print(" ", finding)
