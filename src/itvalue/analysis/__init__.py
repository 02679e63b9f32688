"""The analyses over a value graph, one module per question.

* :mod:`~itvalue.analysis.trace` — what a service reaches.
* :mod:`~itvalue.analysis.impact` — what is lost while services (or a supplier) are
  down; orphans, single points of failure, services and suppliers ranked by value at
  risk.
* :mod:`~itvalue.analysis.recovery` — how fast each service must be back.
* :mod:`~itvalue.analysis.availability` — expected delivery at today's availabilities,
  exactly, independently or by Monte Carlo; availability targets in business terms.
* :mod:`~itvalue.analysis.costs` — IT cost allocated to outcomes.

Each analysis is a function over a :class:`~itvalue.graph.ValueGraph` and also a method
of it, with the same arguments. The rules they share — the down rule, delivered
fractions, hourly values — are written once, in ``itvalue.analysis._core``.
"""
