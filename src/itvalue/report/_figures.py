"""Every figure of the business report, computed once from the portfolio.

:func:`build_report` asks the value graph every question the report answers and keeps
the answers, with the names a reader needs, in frozen values: nothing after it needs the
portfolio. The services an hour of outage puts most at risk are those of
:meth:`ValueGraph.rank_services <itvalue.ValueGraph.rank_services>`, in its order, so the
report and ``itvalue rank`` never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from itvalue._frozen import FrozenDict, frozen
from itvalue.analysis.costs import CostAllocation
from itvalue.analysis.impact import currencies_in_use, single_failure_loss
from itvalue.checks import Finding, check
from itvalue.errors import AnalysisError
from itvalue.graph import ValueGraph
from itvalue.model import Money, Outcome, Period, Portfolio, Quantity, Service
from itvalue.report._words import money_text, outage_span, units_lost_text
from itvalue.viz import to_svg

__all__ = [
    "BusinessReport",
    "OutcomeLine",
    "ServiceRisk",
    "StrandedCost",
    "build_report",
]


def _money_tree(money: Money | None) -> dict[str, Any] | None:
    return None if money is None else {"amount": money.amount, "currency": money.currency}


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
class ServiceRisk:
    """What an outage of one service puts at risk.

    Attributes:
        service: The service.
        hours: Length of the outage considered.
        units: Units lost over the outage per outcome (outcomes with a volume that the
            outage reduces), as quantities.
        money: Money lost over the outage, per currency.
    """

    service: Service
    hours: float
    units: Mapping[str, Quantity] = attrs.field(converter=frozen)
    money: Mapping[str, float] = attrs.field(converter=frozen)

    def units_by_unit(self) -> Mapping[str, float]:
        """Units lost over the outage, summed by unit ("orders", "calls")."""
        totals: dict[str, float] = {}
        for q in self.units.values():
            totals[q.unit] = totals.get(q.unit, 0.0) + q.amount
        return FrozenDict(totals)

    def units_text(self) -> str:
        """``14 orders fewer, 0.6 calls fewer``."""
        return units_lost_text(self.units_by_unit())

    def sentence(self) -> str:
        """One line such as: An hour without Payments: 14 orders fewer, about €575."""
        money = " and ".join(money_text(a, c) for c, a in self.money.items())
        text = f"{outage_span(self.hours).capitalize()} without {self.service.name}: "
        return text + self.units_text() + (f", about {money}" if money else "")

    def to_dict(self) -> dict[str, Any]:
        """The risk as JSON data."""
        return {
            "service": self.service.id,
            "hours": self.hours,
            "units": {k: {"amount": q.amount, "unit": q.unit} for k, q in self.units.items()},
            "money": dict(self.money),
        }


@attrs.frozen(kw_only=True)
class StrandedCost:
    """Annual cost that stops short of every customer outcome, and where.

    Attributes:
        id: The id of the service, process or product where the cost stops.
        name: Its name.
        cost: The cost stopping there a year, per currency.
    """

    id: str
    name: str
    cost: Mapping[str, float] = attrs.field(converter=frozen)


@attrs.frozen(kw_only=True)
class BusinessReport:
    """Every figure of the business report, with the names a reader needs.

    Attributes:
        name: The portfolio's name.
        outcomes: One line per customer outcome, in the document's order.
        total_cost: IT's annual cost, per currency.
        unallocated: Annual cost reaching no customer outcome, per currency (only
            currencies with some).
        stranded: Where that cost stops, with amounts.
        hours: The length of outage the risks consider.
        currencies: The currencies outcomes are valued in, sorted.
        ranked_by: The currency whose money at risk orders ``risks`` (None when no
            outcome is valued).
        risks: Services whose outage loses units or money, worst first, at most the
            number asked for.
        single_points: Per outcome name, the names of live services whose failure alone
            stops it.
        findings: The value traps found.
        picture: The value graph as SVG.
    """

    name: str
    outcomes: tuple[OutcomeLine, ...]
    total_cost: Mapping[str, float] = attrs.field(converter=frozen)
    unallocated: Mapping[str, float] = attrs.field(converter=frozen)
    stranded: tuple[StrandedCost, ...]
    hours: float
    currencies: tuple[str, ...]
    ranked_by: str | None
    risks: tuple[ServiceRisk, ...]
    single_points: Mapping[str, tuple[str, ...]] = attrs.field(converter=frozen)
    findings: tuple[Finding, ...]
    picture: str = attrs.field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON data: what ``itvalue report --format json`` writes.

        Outcomes and risks name their outcome and service by id; single points of
        failure are keyed by outcome name and list service names. The picture,
        ``stranded``, ``hours``, ``currencies`` and ``ranked_by`` are left out, so the
        tree is that of 0.1.

        Examples:
            >>> import itvalue
            >>> tree = build_report(itvalue.example()).to_dict()
            >>> tree["risks"][0]["service"], round(tree["risks"][0]["money"]["EUR"])
            ('payments', 575)
        """
        return {
            "name": self.name,
            "outcomes": [line.to_dict() for line in self.outcomes],
            "total_cost": dict(self.total_cost),
            "unallocated": dict(self.unallocated),
            "risks": [risk.to_dict() for risk in self.risks],
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


def _outcome_line(g: ValueGraph, costs: CostAllocation, outcome: Outcome) -> OutcomeLine:
    estimated = False
    try:
        expected = g.expected_delivery(outcome.id, method="exact")
    except AnalysisError:  # too many services to enumerate: simulate instead
        expected = g.expected_delivery(outcome.id, method="monte_carlo")
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
    g: ValueGraph, *, hours: float, top: int, currency: str | None
) -> tuple[ServiceRisk, ...]:
    """The first ``top`` services of the ranking whose outage loses units or money."""
    ranked = g.rank_services(hours=hours, currency=currency)  # checks hours and currency
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
                )
            )
    return tuple(risks)


def _name(portfolio: Portfolio, key: str) -> str:
    return portfolio.get(key).name if key in portfolio else key


def build_report(
    portfolio: Portfolio, *, top: int = 10, hours: float = 1.0, currency: str | None = None
) -> BusinessReport:
    """Every figure the business report shows.

    Args:
        portfolio: The portfolio.
        top: How many services to list by what their outage puts at risk.
        hours: The outage length the ranking considers.
        currency: The currency whose money at risk orders the services, as in
            :meth:`ValueGraph.rank_services <itvalue.ValueGraph.rank_services>` (amounts
            are never converted). Defaults to the only currency in use, else the first
            in alphabetical order.

    Raises:
        AnalysisError: ``currency`` values no outcome.

    Examples:
        >>> import itvalue
        >>> build_report(itvalue.example()).risks[0].sentence()
        'An hour without Payments: 14 orders fewer, about €575'

    Complexity: that of :meth:`~itvalue.ValueGraph.rank_services` and the expected
    delivery of every outcome, plus one single-failure cascade for each ranked service
    looked at until ``top`` are found that lose something.
    """
    g = portfolio.graph()
    costs = g.allocate_costs()
    currencies = currencies_in_use(g)
    ranked_by = currency if currency is not None else next(iter(currencies), None)
    single_points = {
        portfolio.outcome(o).name: tuple(portfolio.service(s).name for s in services)
        for o, services in g.single_points_of_failure().items()
    }
    return BusinessReport(
        name=portfolio.name,
        outcomes=tuple(_outcome_line(g, costs, outcome) for outcome in portfolio.outcomes),
        total_cost=costs.total,
        unallocated={c: a for c, a in costs.unallocated.items() if a > 0},
        stranded=tuple(
            StrandedCost(id=key, name=_name(portfolio, key), cost=amounts)
            for key, amounts in costs.stranded.items()
        ),
        hours=hours,
        currencies=tuple(currencies),
        ranked_by=ranked_by,
        risks=_worst(g, hours=hours, top=top, currency=ranked_by),
        single_points=single_points,
        findings=tuple(check(portfolio)),
        picture=to_svg(g),
    )
