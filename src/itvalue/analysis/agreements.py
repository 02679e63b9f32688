"""Agreements checked against the graph, and stated in customers' terms.

An objective whose metric measures availability (``Metric.measures: availability``)
promises a fraction of time ``T``. Semantics (the documentation's "Exact semantics"
page), for an SLA on service ``s``:

* ``T`` above the service's *ceiling* — its availability with its own taken as 1,
  :func:`~itvalue.analysis.availability.service_availability` with ``own=False`` —
  cannot be kept by any work on ``s`` itself: its dependencies do not allow it.
* ``ceiling ≥ T`` above today's expected availability of ``s`` is not kept today.
* For an external availability metric tied to an outcome ``o``, ``T`` is compared with
  the outcome's expected delivery (the second case only).

The dependency that limits most is the one whose perfect availability would raise the
figure most. In business terms, an objective allows ``(1 − T) · window_days · 24``
hours of downtime over its window, and :func:`agreement_terms` says what one outage of
that length of the SLA's service loses per outcome, in units and money.

Where ``exact`` is refused (too many services reach the figure by several paths), the
figures fall back to Monte Carlo, and say so (``estimated``).

Complexity: one expected-availability computation per figure; finding the limiting
dependency repeats it once per uncertain live service upstream.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from itvalue._frozen import frozen
from itvalue.analysis._core import finite_money
from itvalue.analysis.availability import Method, expected_of
from itvalue.analysis.impact import single_failure_loss
from itvalue.errors import AnalysisError
from itvalue.graph import ValueGraph, core_of
from itvalue.model import SLA, Measure, Metric, Money, Objective, Period, Perspective, Quantity

__all__ = [
    "AgreementTerms",
    "AvailabilityPromise",
    "ObjectiveTerms",
    "agreement_terms",
    "availability_promises",
    "met",
    "reachable",
]


@attrs.frozen(kw_only=True)
class AvailabilityPromise:
    """One availability objective weighed against what the graph allows.

    Attributes:
        sla: The SLA id.
        metric: The metric id.
        target: The promised fraction, 0 < target <= 1.
        subject: The service (or, for an external metric, the outcome) promised.
        subject_kind: ``"service"`` or ``"outcome"``.
        expected: Today's expected availability (service) or delivery (outcome).
        ceiling: For a service, its availability with its own taken as 1; ``None`` for
            an outcome.
        estimated: Whether the figures were estimated by simulation.
        limiting: The service whose perfect availability would raise the figure that
            falls short most (``None`` when the promise is kept).
        limiting_to: The figure with ``limiting`` perfectly available.
    """

    sla: str
    metric: str
    target: float
    subject: str
    subject_kind: str
    expected: float
    ceiling: float | None
    estimated: bool
    limiting: str | None = None
    limiting_to: float | None = None

    @property
    def is_reachable(self) -> bool:
        """Whether any work on the service itself could keep the promise."""
        return reachable(self.target, self.ceiling)

    @property
    def is_met(self) -> bool:
        """Whether today's availabilities keep the promise."""
        return met(self.target, self.expected)


def reachable(target: float, ceiling: float | None) -> bool:
    """Whether a promise of ``target`` is within the ceiling (always, without one)."""
    return ceiling is None or target <= ceiling


def met(target: float, expected: float) -> bool:
    """Whether a promise of ``target`` is kept at an expectation of ``expected``."""
    return target <= expected


@attrs.frozen(kw_only=True)
class ObjectiveTerms:
    """What one availability objective allows, in customers' terms.

    Attributes:
        metric: The metric id.
        target: The promised fraction.
        window_days: The window the target is measured over.
        allowed_hours: The downtime the target allows over the window.
        volume_at_risk: Units lost per outcome over one outage of that length.
        value_at_risk: Money lost over that outage, per currency.
        promise: The objective weighed against the graph.
    """

    metric: str
    target: float
    window_days: int
    allowed_hours: float
    volume_at_risk: Mapping[str, Quantity] = attrs.field(converter=frozen)
    value_at_risk: Mapping[str, Money] = attrs.field(converter=frozen)
    promise: AvailabilityPromise


@attrs.frozen(kw_only=True)
class AgreementTerms:
    """An SLA's availability objectives in customers' terms.

    Attributes:
        sla: The SLA id.
        service: The service the SLA is about.
        objectives: One entry per availability objective, in the SLA's order.
    """

    sla: str
    service: str
    objectives: tuple[ObjectiveTerms, ...]


def _measures_availability(metric: Metric) -> bool:
    return metric.measures is Measure.AVAILABILITY


def _is_outcome_metric(metric: Metric) -> bool:
    return metric.perspective is Perspective.EXTERNAL and metric.outcome is not None


def _figure(
    g: ValueGraph, x: int, method: Method, fixed: Mapping[int, float]
) -> tuple[float, bool]:
    """The expected figure of node ``x``, falling back to Monte Carlo where exact is refused."""
    core = core_of(g)
    try:
        return expected_of(core, x, method, fixed), False
    except AnalysisError:
        if method != "exact":
            raise
        return expected_of(core, x, "monte_carlo", fixed), True


def _limiting(
    g: ValueGraph, x: int, fixed: Mapping[int, float], method: Method, *, include_self: bool
) -> tuple[str | None, float | None]:
    """The live uncertain service upstream of ``x`` whose perfection raises ``x`` most."""
    core = core_of(g)
    candidates = [
        i
        for i in core.upstream(x)
        if core.kinds[i] == "service"
        and fixed.get(i, core.avail[i]) < 1.0
        and (include_self or i != x)
    ]
    best: tuple[float, str] | None = None
    for i in candidates:
        value, _estimated = _figure(g, x, method, {**fixed, i: 1.0})
        if best is None or value > best[0] or (value == best[0] and core.ids[i] < best[1]):
            best = (value, core.ids[i])
    if best is None:
        return None, None
    return best[1], best[0]


def _promise(
    g: ValueGraph, sla: SLA, objective: Objective, metric: Metric, method: Method
) -> AvailabilityPromise:
    core = core_of(g)
    target = objective.target
    ceiling: float | None = None
    if _is_outcome_metric(metric):
        assert metric.outcome is not None
        subject, kind = metric.outcome, "outcome"
        x = core.node(subject, kind="outcome")
        expected, estimated = _figure(g, x, method, {})
    else:
        subject, kind = sla.service, "service"
        x = core.node(subject, kind="service")
        expected, estimated = _figure(g, x, method, {})
        ceiling, estimated_ceiling = _figure(g, x, method, {x: 1.0})
        estimated = estimated or estimated_ceiling
    limiting, limiting_to = (None, None)
    if ceiling is not None and target > ceiling:
        limiting, limiting_to = _limiting(g, x, {x: 1.0}, method, include_self=False)
    elif target > expected:
        limiting, limiting_to = _limiting(g, x, {}, method, include_self=True)
    return AvailabilityPromise(
        sla=sla.id,
        metric=metric.id,
        target=target,
        subject=subject,
        subject_kind=kind,
        expected=expected,
        ceiling=ceiling,
        estimated=estimated,
        limiting=limiting,
        limiting_to=limiting_to,
    )


def availability_promises(g: ValueGraph, *, method: Method = "exact") -> list[AvailabilityPromise]:
    """Every availability objective of every SLA, weighed against the graph.

    Examples:
        >>> import itvalue
        >>> itvalue.example().graph().availability_promises()
        []
    """
    p = g.portfolio
    out = []
    for sla in p.slas:
        for objective in sla.objectives:
            metric = p.metric(objective.metric)
            if _measures_availability(metric):
                out.append(_promise(g, sla, objective, metric, method))
    return out


def agreement_terms(g: ValueGraph, sla: str, *, method: Method = "exact") -> AgreementTerms:
    """What an SLA's availability objectives allow, in customers' terms.

    Per availability objective: the downtime the target allows over its window,
    ``(1 − T) · window_days · 24`` hours, and what one outage of that length of the
    SLA's service loses per outcome, in units and money; with the promise weighed
    against the graph.

    Raises:
        UnknownIdError: The id names no SLA.
    """
    p = g.portfolio
    agreement = p.sla(sla)
    terms = []
    for objective in agreement.objectives:
        metric = p.metric(objective.metric)
        if not _measures_availability(metric):
            continue
        hours = (1.0 - objective.target) * objective.window_days * 24.0
        units, money = single_failure_loss(g, agreement.service, hours=hours, per=Period.HOUR)
        terms.append(
            ObjectiveTerms(
                metric=metric.id,
                target=objective.target,
                window_days=objective.window_days,
                allowed_hours=hours,
                volume_at_risk=units,
                value_at_risk={
                    c: finite_money(a, c, what=f"the value at risk under {sla!r}")
                    for c, a in sorted(money.items())
                },
                promise=_promise(g, agreement, objective, metric, method),
            )
        )
    return AgreementTerms(sla=agreement.id, service=agreement.service, objectives=tuple(terms))
