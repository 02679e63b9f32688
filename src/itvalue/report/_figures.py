"""Every figure of the business report, computed once from the portfolio.

:func:`build_report` asks the value graph every question the report answers and keeps
the answers, with the names a reader needs, in frozen values: nothing after it needs the
portfolio. The services an hour of outage puts most at risk are those of
:meth:`ValueGraph.rank_services <itvalue.ValueGraph.rank_services>`, in its order, and
the suppliers those of :meth:`~itvalue.ValueGraph.rank_suppliers`, so the report and
``itvalue rank`` never disagree. Only live services run: the risks, the recovery times
and the single points of failure name live services only, and the cost of the others is
reported apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from itvalue._frozen import FrozenDict, frozen
from itvalue.analysis.agreements import met, reachable
from itvalue.analysis.costs import CostAllocation, Driver
from itvalue.analysis.impact import currencies_in_use, single_failure_loss
from itvalue.checks import Finding, check
from itvalue.errors import AnalysisError
from itvalue.graph import ValueGraph
from itvalue.model import (
    SLA,
    Metric,
    Money,
    Outcome,
    Period,
    Portfolio,
    Quantity,
    Service,
    Stakeholder,
)
from itvalue.report._words import all_of, money_text, outage_span, units_lost_text
from itvalue.viz import to_svg

__all__ = [
    "AgreementLine",
    "BusinessReport",
    "OutcomeLine",
    "RecoveryLine",
    "ServiceRisk",
    "StageStop",
    "StrandedCost",
    "SupplierRisk",
    "build_report",
]


def _money_tree(money: Money | None) -> dict[str, Any] | None:
    return None if money is None else {"amount": money.amount, "currency": money.currency}


def _service_cost(service: Service) -> dict[str, Any]:
    return {
        "service": service.id,
        "lifecycle": service.lifecycle.value,
        "annual_cost": _money_tree(service.annual_cost),
    }


def _units_tree(units: Mapping[str, Quantity]) -> dict[str, Any]:
    return {k: {"amount": q.amount, "unit": q.unit} for k, q in units.items()}


def _by_unit(units: Mapping[str, Quantity]) -> Mapping[str, float]:
    totals: dict[str, float] = {}
    for q in units.values():
        totals[q.unit] = totals.get(q.unit, 0.0) + q.amount
    return FrozenDict(totals)


@attrs.frozen(kw_only=True)
class OutcomeLine:
    """One customer outcome in the report.

    Attributes:
        outcome: The outcome.
        segment: The name of the customer segment that receives it.
        yearly_value: What a year of it is worth, when known.
        it_cost: IT cost reaching the outcome a year, per currency.
        cost_per_unit: IT cost a year per unit of the outcome delivered a year, per currency.
        expected_delivery: The expected share delivered at today's availabilities.
        estimated: Whether ``expected_delivery`` was estimated by simulation.
        expected_units_lost: Units expected to be lost a year.
        expected_value_lost: Money expected to be lost a year.
    """

    outcome: Outcome
    segment: str
    yearly_value: Money | None
    it_cost: Mapping[str, float] = attrs.field(converter=frozen)
    cost_per_unit: Mapping[str, float] = attrs.field(converter=frozen)
    expected_delivery: float
    estimated: bool
    expected_units_lost: Quantity | None
    expected_value_lost: Money | None

    def to_dict(self) -> dict[str, Any]:
        """The line as JSON data: the outcome by id, money as ``{amount, currency}``."""
        return {
            "outcome": self.outcome.id,
            "segment": self.segment,
            "yearly_value": _money_tree(self.yearly_value),
            "it_cost": dict(self.it_cost),
            "cost_per_unit": dict(self.cost_per_unit),
            "expected_delivery": self.expected_delivery,
            "expected_value_lost_per_year": _money_tree(self.expected_value_lost),
        }


@attrs.frozen(kw_only=True)
class StageStop:
    """A stage of a value stream that an outage stops entirely.

    Attributes:
        stream: The value stream's id.
        stream_name: Its name.
        stage: The stage's name.
    """

    stream: str
    stream_name: str
    stage: str

    def to_dict(self) -> dict[str, Any]:
        """The stage as JSON data: the stream by id."""
        return {"stream": self.stream, "stage": self.stage}


def _stages_text(stops: tuple[StageStop, ...]) -> str:
    """``it stops “Read” in “Meter to bill”``, stream by stream, or nothing."""
    by_stream: dict[str, list[str]] = {}
    for stop in stops:
        by_stream.setdefault(stop.stream_name, []).append(f"“{stop.stage}”")
    if not by_stream:
        return ""
    parts = [f"{all_of(stages)} in “{stream}”" for stream, stages in by_stream.items()]
    return "it stops " + all_of(parts)


@attrs.frozen(kw_only=True)
class ServiceRisk:
    """What an outage of one service puts at risk.

    Attributes:
        service: The service.
        hours: Length of the outage considered.
        units: Units lost over the outage per outcome (outcomes with a volume that the
            outage reduces), as quantities.
        money: Money lost over the outage, per currency.
        stops: The stages of value streams the outage stops entirely, stream by stream
            in the document's order.
    """

    service: Service
    hours: float
    units: Mapping[str, Quantity] = attrs.field(converter=frozen)
    money: Mapping[str, float] = attrs.field(converter=frozen)
    stops: tuple[StageStop, ...] = ()

    def units_by_unit(self) -> Mapping[str, float]:
        """Units lost over the outage, summed by unit ("orders", "calls")."""
        return _by_unit(self.units)

    def units_text(self) -> str:
        """``14 orders fewer, 0.6 calls fewer``."""
        return units_lost_text(self.units_by_unit())

    def sentence(self) -> str:
        """One line such as: An hour without Payments: 14 orders fewer, about €575.

        When the outage stops stages of value streams, the line names them: "…; it
        stops “Pay” in “Order to delivery”".
        """
        money = " and ".join(money_text(a, c) for c, a in self.money.items())
        text = f"{outage_span(self.hours).capitalize()} without {self.service.name}: "
        text += self.units_text() + (f", about {money}" if money else "")
        stages = _stages_text(self.stops)
        return text + (f"; {stages}" if stages else "")

    def to_dict(self) -> dict[str, Any]:
        """The risk as JSON data."""
        return {
            "service": self.service.id,
            "hours": self.hours,
            "units": _units_tree(self.units),
            "money": dict(self.money),
            "stages_stopped": [stop.to_dict() for stop in self.stops],
        }


@attrs.frozen(kw_only=True)
class RecoveryLine:
    """How fast one service must be back, and what an outage that long puts at risk.

    Attributes:
        service: The service (a live one).
        required_hours: It must be back within this many hours after it stops.
        outcome: The customer outcome whose tolerable outage sets ``required_hours``.
        recovery_hours: How long restoring it takes today, when known.
        units: Units lost per outcome over an outage of ``required_hours`` (outcomes
            with a volume that the outage reduces), as quantities.
        money: Money lost over an outage of ``required_hours``, per currency.
    """

    service: Service
    required_hours: float
    outcome: Outcome
    recovery_hours: float | None
    units: Mapping[str, Quantity] = attrs.field(converter=frozen)
    money: Mapping[str, float] = attrs.field(converter=frozen)

    @property
    def is_too_slow(self) -> bool:
        """Whether restoring the service takes longer today than the outcome can wait."""
        return self.recovery_hours is not None and self.recovery_hours > self.required_hours

    def units_by_unit(self) -> Mapping[str, float]:
        """Units lost over the outage, summed by unit ("orders", "calls")."""
        return _by_unit(self.units)

    def to_dict(self) -> dict[str, Any]:
        """The line as JSON data: the service and the outcome by id."""
        return {
            "service": self.service.id,
            "required_hours": self.required_hours,
            "outcome": self.outcome.id,
            "recovery_hours": self.recovery_hours,
            "too_slow": self.is_too_slow,
            "units": _units_tree(self.units),
            "money": dict(self.money),
        }


@attrs.frozen(kw_only=True)
class SupplierRisk:
    """What depends on one supplier: what it provides, and what its outage puts at risk.

    Attributes:
        supplier: The supplier.
        services: The live services it provides, in the document's order.
        hours: Length of the outage considered: every service it provides stopped at once.
        units: Units lost over the outage per outcome (outcomes with a volume that the
            outage reduces), as quantities.
        money: Money lost over the outage, per currency.
        stops: The customer outcomes its outage alone stops entirely, in the document's
            order.
    """

    supplier: Stakeholder
    services: tuple[Service, ...]
    hours: float
    units: Mapping[str, Quantity] = attrs.field(converter=frozen)
    money: Mapping[str, float] = attrs.field(converter=frozen)
    stops: tuple[Outcome, ...]

    def units_by_unit(self) -> Mapping[str, float]:
        """Units lost over the outage, summed by unit ("orders", "calls")."""
        return _by_unit(self.units)

    def to_dict(self) -> dict[str, Any]:
        """The risk as JSON data: the supplier, services and outcomes by id."""
        return {
            "supplier": self.supplier.id,
            "services": [s.id for s in self.services],
            "hours": self.hours,
            "units": _units_tree(self.units),
            "money": dict(self.money),
            "stops": [o.id for o in self.stops],
        }


@attrs.frozen(kw_only=True)
class AgreementLine:
    """One promise of an agreement that a service works a share of the time.

    Attributes:
        sla: The agreement.
        service: The service it is about.
        metric: The metric the promise is measured by.
        target: The promised fraction of the time, 0 < target <= 1.
        window_days: The days the promise is measured over.
        allowed_hours: The time without the service the promise allows over its window.
        units: Units lost per outcome over one outage that long (outcomes it reduces).
        money: Money lost over that outage, per currency.
        subject: The name of what is promised: the service, or for a metric tied to a
            customer outcome, the outcome.
        subject_kind: ``"service"`` or ``"outcome"``.
        expected: The share of the time it works (or the outcome is delivered) today.
        ceiling: The most the services it stands on allow the service, however good it
            becomes itself (``None`` for an outcome).
        estimated: Whether the figures were estimated by simulation.
        limiting: The service whose perfection would raise the figure that falls short
            most (``None`` when the promise is kept).
        limiting_to: The figure with ``limiting`` never failing.
    """

    sla: SLA
    service: Service
    metric: Metric
    target: float
    window_days: int
    allowed_hours: float
    units: Mapping[str, Quantity] = attrs.field(converter=frozen)
    money: Mapping[str, float] = attrs.field(converter=frozen)
    subject: str
    subject_kind: str
    expected: float
    ceiling: float | None
    estimated: bool
    limiting: Service | None
    limiting_to: float | None

    @property
    def is_reachable(self) -> bool:
        """Whether any work on the service itself could keep the promise."""
        return reachable(self.target, self.ceiling)

    @property
    def is_met(self) -> bool:
        """Whether the promise is kept at today's reliability."""
        return met(self.target, self.expected)

    @property
    def verdict(self) -> str:
        """``"kept"``, ``"not_kept"`` (today) or ``"cannot_be_kept"``."""
        if not self.is_reachable:
            return "cannot_be_kept"
        return "kept" if self.is_met else "not_kept"

    def units_by_unit(self) -> Mapping[str, float]:
        """Units lost over the outage, summed by unit ("orders", "calls")."""
        return _by_unit(self.units)

    def to_dict(self) -> dict[str, Any]:
        """The promise as JSON data: the agreement, service, metric and limiting service by id."""
        return {
            "sla": self.sla.id,
            "service": self.service.id,
            "metric": self.metric.id,
            "target": self.target,
            "window_days": self.window_days,
            "allowed_hours": self.allowed_hours,
            "units": _units_tree(self.units),
            "money": dict(self.money),
            "subject_kind": self.subject_kind,
            "expected": self.expected,
            "ceiling": self.ceiling,
            "estimated": self.estimated,
            "verdict": self.verdict,
            "limiting": None if self.limiting is None else self.limiting.id,
            "limiting_to": self.limiting_to,
        }


@attrs.frozen(kw_only=True)
class StrandedCost:
    """Annual cost that reaches no customer outcome, and where it is held.

    Attributes:
        id: The id of the service, process or product where the cost stops (or, for a
            service that reaches no outcome or is not live, the service itself).
        name: Its name.
        cost: The cost held there a year, per currency (empty when none is recorded).
    """

    id: str
    name: str
    cost: Mapping[str, float] = attrs.field(converter=frozen)

    def to_dict(self) -> dict[str, Any]:
        """The cost as JSON data."""
        return {"id": self.id, "cost": dict(self.cost)}


@attrs.frozen(kw_only=True)
class BusinessReport:
    """Every figure of the business report, with the names a reader needs.

    Attributes:
        name: The portfolio's name.
        outcomes: One line per customer outcome, in the document's order.
        total_cost: IT's annual cost, per currency (services of every lifecycle).
        driver: How business processes and products split the IT cost they pass on:
            ``"equal"`` or ``"value"`` (see
            :meth:`ValueGraph.allocate_costs <itvalue.ValueGraph.allocate_costs>`).
        unallocated: Annual cost of live services reaching no customer outcome, per
            currency (only currencies with some).
        stranded: Where that cost stops, with amounts.
        orphans: The live services that reach no customer outcome (exactly the
            subjects of rule ITV001), in the document's order; their whole annual cost
            is unallocated.
        stops_short: Unallocated cost other than the orphans' own: what services that
            do reach an outcome pass to a process, product or service leading nowhere,
            by where it stops.
        not_live: Annual cost of services that are not live, per currency (only
            currencies with some): allocated to nothing, as they serve no one today.
        not_live_services: The services that are not live and have an annual cost, in
            the document's order.
        hours: The length of outage the risks consider.
        currencies: The currencies outcomes are valued in, sorted.
        ranked_by: The currency whose money at risk orders ``risks`` and ``suppliers``
            (None when no outcome is valued).
        risks: Live services whose outage loses units or money, worst first, at most the
            number asked for.
        recovery: Live services that an outcome with a tolerable outage needs back in a
            given time, the most urgent first.
        suppliers: Suppliers providing a live service, by the money their outage of
            ``hours`` puts at risk, worst first.
        agreements: Every promise of an agreement that a service works a share of the
            time, agreement by agreement in the document's order.
        single_points: Per outcome name, the names of live services whose failure alone
            stops it.
        findings: The value traps found.
        picture: The value graph as SVG.
    """

    name: str
    outcomes: tuple[OutcomeLine, ...]
    total_cost: Mapping[str, float] = attrs.field(converter=frozen)
    driver: Driver = "equal"
    unallocated: Mapping[str, float] = attrs.field(converter=frozen)
    stranded: tuple[StrandedCost, ...]
    orphans: tuple[Service, ...] = ()
    stops_short: tuple[StrandedCost, ...] = ()
    not_live: Mapping[str, float] = attrs.field(converter=frozen, factory=dict)
    not_live_services: tuple[Service, ...] = ()
    hours: float
    currencies: tuple[str, ...]
    ranked_by: str | None
    risks: tuple[ServiceRisk, ...]
    recovery: tuple[RecoveryLine, ...] = ()
    suppliers: tuple[SupplierRisk, ...] = ()
    agreements: tuple[AgreementLine, ...] = ()
    single_points: Mapping[str, tuple[str, ...]] = attrs.field(converter=frozen)
    findings: tuple[Finding, ...]
    picture: str = attrs.field(repr=False)

    @property
    def orphan_cost(self) -> Mapping[str, float]:
        """The annual cost of ``orphans``, summed per currency."""
        totals: dict[str, float] = {}
        for service in self.orphans:
            if service.annual_cost is not None:
                currency = service.annual_cost.currency
                totals[currency] = totals.get(currency, 0.0) + service.annual_cost.amount
        return FrozenDict(totals)

    @property
    def stops_short_cost(self) -> Mapping[str, float]:
        """The cost of ``stops_short``, summed per currency."""
        totals: dict[str, float] = {}
        for place in self.stops_short:
            for currency, amount in place.cost.items():
                totals[currency] = totals.get(currency, 0.0) + amount
        return FrozenDict(totals)

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON data: what ``itvalue report --format json`` writes.

        Outcomes, risks, recovery lines, suppliers and agreements name their outcome,
        service, supplier, SLA and metric by id; single points of failure are keyed by
        outcome name and list service names, as in 0.1. The picture, ``stranded``,
        ``hours``, ``currencies`` and ``ranked_by`` are left out.

        Examples:
            >>> import itvalue
            >>> tree = build_report(itvalue.example()).to_dict()
            >>> tree["risks"][0]["service"], round(tree["risks"][0]["money"]["EUR"])
            ('payments', 575)
            >>> tree["driver"], tree["not_live"], tree["recovery"], tree["suppliers"]
            ('equal', {}, [], [])
            >>> tree["agreements"]
            []
        """
        return {
            "name": self.name,
            "outcomes": [line.to_dict() for line in self.outcomes],
            "total_cost": dict(self.total_cost),
            "driver": self.driver,
            "unallocated": dict(self.unallocated),
            "orphans": [_service_cost(s) for s in self.orphans],
            "stops_short": [cost.to_dict() for cost in self.stops_short],
            "not_live": dict(self.not_live),
            "not_live_services": [_service_cost(s) for s in self.not_live_services],
            "risks": [risk.to_dict() for risk in self.risks],
            "recovery": [line.to_dict() for line in self.recovery],
            "suppliers": [risk.to_dict() for risk in self.suppliers],
            "agreements": [line.to_dict() for line in self.agreements],
            "single_points_of_failure": {
                outcome: list(services) for outcome, services in self.single_points.items()
            },
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity.value,
                    "subject": f.subject,
                    "message": f.message,
                }
                for f in self.findings
            ],
        }


def _outcome_line(
    g: ValueGraph, costs: CostAllocation, outcome: Outcome, progress: Progress | None
) -> OutcomeLine:
    estimated = False
    try:
        expected = g.expected_delivery(outcome.id, method="exact")
    except AnalysisError:  # too many services to enumerate: simulate instead
        expected = g.expected_delivery(outcome.id, method="monte_carlo", progress=progress)
        estimated = True
    volume, value = outcome.volume, outcome.unit_value
    yearly = units_lost = value_lost = None
    if volume is not None:
        lost = volume.per_year * (1 - expected)
        units_lost = Quantity(amount=lost, unit=volume.unit, per=Period.YEAR)
        if value is not None:
            yearly = Money(amount=volume.per_year * value.amount, currency=value.currency)
            value_lost = Money(amount=lost * value.amount, currency=value.currency)
    return OutcomeLine(
        outcome=outcome,
        segment=g.portfolio.segment(outcome.segment).name,
        yearly_value=yearly,
        it_cost=costs.by_outcome.get(outcome.id, {}),
        cost_per_unit=costs.per_unit.get(outcome.id, {}),
        expected_delivery=expected,
        estimated=estimated,
        expected_units_lost=units_lost,
        expected_value_lost=value_lost,
    )


def _worst(
    g: ValueGraph, *, hours: float, top: int, currency: str | None, progress: Progress | None
) -> tuple[ServiceRisk, ...]:
    """The first ``top`` services of the ranking whose outage loses units or money."""
    # checks hours and currency
    ranked = g.rank_services(hours=hours, currency=currency, progress=progress)
    if hours == 0:  # nothing is lost in no time; spare a cascade per service
        return ()
    risks: list[ServiceRisk] = []
    for service, _value in ranked:
        if len(risks) >= top:
            break
        units, money = single_failure_loss(g, service, hours=hours, per=Period.HOUR)
        if any(q.amount > 0 for q in units.values()) or any(a > 0 for a in money.values()):
            risks.append(
                ServiceRisk(
                    service=g.portfolio.service(service),
                    hours=hours,
                    units=units,
                    money=money,
                    stops=_stage_stops(g, service),
                )
            )
    return tuple(risks)


def _stage_stops(g: ValueGraph, service: str) -> tuple[StageStop, ...]:
    """The stages of value streams that the service's outage alone stops entirely."""
    if not g.portfolio.value_streams:
        return ()
    streams = g.impact(service).streams
    return tuple(
        StageStop(stream=key, stream_name=g.portfolio.value_stream(key).name, stage=stage)
        for key, stream in streams.items()
        for stage in stream.stopped_stages
    )


def _agreements(g: ValueGraph, portfolio: Portfolio) -> tuple[AgreementLine, ...]:
    """Every availability promise of every agreement, in customers' terms."""
    lines = []
    for sla in portfolio.slas:
        terms = g.agreement_terms(sla.id)
        for objective in terms.objectives:
            promise = objective.promise
            lines.append(
                AgreementLine(
                    sla=sla,
                    service=portfolio.service(sla.service),
                    metric=portfolio.metric(objective.metric),
                    target=objective.target,
                    window_days=objective.window_days,
                    allowed_hours=objective.allowed_hours,
                    units={k: q for k, q in objective.volume_at_risk.items() if q.amount > 0},
                    money={c: m.amount for c, m in objective.value_at_risk.items()},
                    subject=_name(portfolio, promise.subject),
                    subject_kind=promise.subject_kind,
                    expected=promise.expected,
                    ceiling=promise.ceiling,
                    estimated=promise.estimated,
                    limiting=None
                    if promise.limiting is None
                    else portfolio.service(promise.limiting),
                    limiting_to=promise.limiting_to,
                )
            )
    return tuple(lines)


def _name(portfolio: Portfolio, key: str) -> str:
    return portfolio.get(key).name if key in portfolio else key


def _stops_short(
    portfolio: Portfolio, costs: CostAllocation, orphans: list[Service]
) -> tuple[StrandedCost, ...]:
    """Where unallocated cost other than the orphans' own stops.

    An orphan's whole cost is unallocated, and cost flows linearly, so allocating again
    with the orphans' costs left out leaves exactly the rest stranded, and where.
    """
    own: dict[str, float] = {}
    for service in orphans:
        if service.annual_cost is not None:
            currency = service.annual_cost.currency
            own[currency] = own.get(currency, 0.0) + service.annual_cost.amount
    rest = {
        c: a - own.get(c, 0.0)
        for c, a in costs.unallocated.items()
        if a - own.get(c, 0.0) > 1e-9 * max(1.0, costs.total.get(c, 0.0))
    }
    if not rest:
        return ()
    stranded = costs.stranded
    if own:
        cleared = {s.id for s in orphans}
        services = tuple(
            attrs.evolve(s, annual_cost=None) if s.id in cleared else s for s in portfolio.services
        )
        again = attrs.evolve(portfolio, services=services).graph()
        stranded = again.allocate_costs(driver=costs.driver).stranded
    return tuple(
        StrandedCost(id=key, name=_name(portfolio, key), cost=amounts)
        for key, amounts in stranded.items()
        if any(amount > 0 for amount in amounts.values())
    )


def _recovery(
    g: ValueGraph, portfolio: Portfolio, progress: Progress | None
) -> tuple[RecoveryLine, ...]:
    """Every service a tolerable outage puts a time on, the most urgent first."""
    lines = []
    for key, need in g.recovery_needs(progress=progress).items():
        units, money = single_failure_loss(g, key, hours=need.hours, per=Period.HOUR)
        service = portfolio.service(key)
        lines.append(
            RecoveryLine(
                service=service,
                required_hours=need.hours,
                outcome=portfolio.outcome(need.outcome),
                recovery_hours=service.recovery_hours,
                units={k: q for k, q in units.items() if q.amount > 0},
                money=money,
            )
        )
    lines.sort(key=lambda line: (line.required_hours, line.service.id))
    return tuple(lines)


def _suppliers(
    g: ValueGraph,
    portfolio: Portfolio,
    *,
    hours: float,
    currency: str | None,
    progress: Callable[[int], Progress | None],
) -> tuple[SupplierRisk, ...]:
    """Suppliers of live services, by what their outage puts at risk, worst first."""
    provided: dict[str, list[Service]] = {}
    for service in portfolio.services:
        if service.provided_by is not None and service.is_live:
            provided.setdefault(service.provided_by, []).append(service)
    if not provided:
        return ()
    stopped: dict[str, list[str]] = {}
    for outcome, names in g.single_points_of_failure(suppliers=True, progress=progress(0)).items():
        for supplier in names:
            stopped.setdefault(supplier, []).append(outcome)
    risks = []
    for key, _value in g.rank_suppliers(hours=hours, currency=currency, progress=progress(1)):
        if key not in provided:
            continue
        impact = g.impact(key)
        units = {}
        for outcome in impact.affected_outcomes:
            lost = impact.outcomes[outcome]
            amount = lost.volume_lost_over(hours)
            if amount is not None and lost.volume_lost is not None and amount > 0:
                unit = lost.volume_lost.unit
                units[outcome] = Quantity(amount=amount, unit=unit, per=Period.HOUR)
        risks.append(
            SupplierRisk(
                supplier=portfolio.stakeholder(key),
                services=tuple(provided[key]),
                hours=hours,
                units=units,
                money={c: m.amount for c, m in impact.totals(hours).items() if m.amount > 0},
                stops=tuple(o for o in portfolio.outcomes if o.id in stopped.get(key, ())),
            )
        )
    return tuple(risks)


#: What a progress callback receives: steps done, steps in all.
Progress = Callable[[int, int], None]
#: The steps one stage of :func:`build_report` counts for.
STAGE_STEPS = 1000


def _stages(progress: Progress | None, count: int) -> Callable[[int], Progress | None]:
    """Per stage ``k`` of ``count``, a callback that reports that stage's share of the whole.

    An analysis reports (done, total) in its own units; stage ``k`` maps that onto steps
    ``k · STAGE_STEPS`` to ``(k + 1) · STAGE_STEPS`` of ``count · STAGE_STEPS``.
    """

    def stage(k: int) -> Progress | None:
        if progress is None:
            return None
        report = progress

        def advance(done: int, total: int) -> None:
            share = STAGE_STEPS * done // total if total else STAGE_STEPS
            report(k * STAGE_STEPS + share, count * STAGE_STEPS)

        return advance

    return stage


def build_report(
    portfolio: Portfolio,
    *,
    top: int = 10,
    hours: float = 1.0,
    currency: str | None = None,
    driver: Driver = "equal",
    progress: Progress | None = None,
) -> BusinessReport:
    """Every figure the business report shows.

    Args:
        portfolio: The portfolio.
        top: How many services to list by what their outage puts at risk.
        hours: The outage length the ranking of services and of suppliers considers.
        currency: The currency whose money at risk orders the services and suppliers, as
            in :meth:`ValueGraph.rank_services <itvalue.ValueGraph.rank_services>`
            (amounts are never converted). Defaults to the only currency in use, else
            the first in alphabetical order.
        driver: How business processes and products split the IT cost they pass on, as
            in :meth:`ValueGraph.allocate_costs <itvalue.ValueGraph.allocate_costs>`:
            ``"equal"`` shares or in proportion to ``"value"``.
        progress: Called with (steps done, steps in all) as the long analyses advance;
            each all-at-once analysis, and each outcome that is simulated, is an equal
            stage of the whole. Called a last time with all steps done.

    Raises:
        AnalysisError: ``currency`` values no outcome; ``driver`` is unknown, or is
            ``"value"`` while outcomes are valued in several currencies.

    Examples:
        >>> import itvalue
        >>> build_report(itvalue.example()).risks[0].sentence()
        'An hour without Payments: 14 orders fewer, about €575'

    Complexity: that of :meth:`~itvalue.ValueGraph.rank_services` and the expected
    delivery of every outcome, plus one single-failure cascade for each ranked service
    looked at until ``top`` are found that lose something (two when the portfolio has
    value streams), for each service an outcome needs back in a given time, and for each
    supplier; and :meth:`~itvalue.ValueGraph.agreement_terms` of every SLA. When live
    services reaching no outcome and other cost stopping short both exist, costs are
    allocated a second time to tell the two apart.
    """
    g = portfolio.graph()
    count = 5 + len(portfolio.outcomes)  # five all-at-once analyses, then the outcomes
    stage = _stages(progress, count)
    costs = g.allocate_costs(driver=driver)
    currencies = currencies_in_use(g)
    ranked_by = currency if currency is not None else next(iter(currencies), None)
    single_points = {
        portfolio.outcome(o).name: tuple(portfolio.service(s).name for s in services)
        for o, services in g.single_points_of_failure(progress=stage(0)).items()
    }
    reach_nothing = set(g.orphans())
    orphans = [s for s in portfolio.services if s.is_live and s.id in reach_nothing]
    risks = _worst(g, hours=hours, top=top, currency=ranked_by, progress=stage(1))
    outcomes = tuple(
        _outcome_line(g, costs, outcome, stage(5 + k))
        for k, outcome in enumerate(portfolio.outcomes)
    )
    report = BusinessReport(
        name=portfolio.name,
        outcomes=outcomes,
        total_cost=costs.total,
        driver=costs.driver,
        unallocated={c: a for c, a in costs.unallocated.items() if a > 0},
        stranded=tuple(
            StrandedCost(id=key, name=_name(portfolio, key), cost=amounts)
            for key, amounts in costs.stranded.items()
        ),
        orphans=tuple(orphans),
        stops_short=_stops_short(portfolio, costs, orphans),
        not_live={c: a for c, a in costs.not_live.items() if a > 0},
        not_live_services=tuple(
            s for s in portfolio.services if not s.is_live and s.annual_cost is not None
        ),
        hours=hours,
        currencies=tuple(currencies),
        ranked_by=ranked_by,
        risks=risks,
        recovery=_recovery(g, portfolio, stage(2)),
        suppliers=_suppliers(
            g, portfolio, hours=hours, currency=ranked_by, progress=lambda k: stage(3 + k)
        ),
        agreements=_agreements(g, portfolio),
        single_points=single_points,
        findings=tuple(check(portfolio)),
        picture=to_svg(g),
    )
    if progress is not None:
        progress(count * STAGE_STEPS, count * STAGE_STEPS)
    return report
