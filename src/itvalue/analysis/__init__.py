"""The analyses over a value graph, one module per question.

* :mod:`~itvalue.analysis.trace` — what a service reaches.
* :mod:`~itvalue.analysis.impact` — what is lost while services are down; orphans,
  single points of failure, services ranked by value at risk.
* :mod:`~itvalue.analysis.availability` — expected delivery at today's availabilities,
  exactly, independently or by Monte Carlo; availability targets in business terms.
* :mod:`~itvalue.analysis.costs` — IT cost allocated to outcomes.

Each is also a method of :class:`~itvalue.graph.ValueGraph`.
"""
