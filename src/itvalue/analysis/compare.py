"""The business case of an IT change: today's portfolio against a proposal.

A proposal is an Overlay (or any composition) applied on top of today's portfolio: a
second database in a group, a faster recovery, a retired legacy service, a new
supplier. :func:`compare` weighs the two in the business's terms.

Semantics (the documentation's "Exact semantics" page, "The business case of an IT
change"):

* **Cost**: per currency, the annual IT cost of *live* services (only live services
  run), before and after, and the change.
* **Loss**: per outcome, its expected delivery before and after (the method as in
  :func:`~itvalue.analysis.availability.expected_delivery`; where ``exact`` is refused,
  Monte Carlo instead, marked ``estimated``), and its expected annual loss:
  annual volume × (1 − expected delivery) × unit value, in the unit value's currency, or
  in units when the outcome has no value. An outcome without a volume has no loss that
  can be stated (``None``).
* **Net annual benefit**, per currency: −(change in expected annual loss) − (change in
  annual IT cost). With a one-off cost, the payback in years is the one-off divided by
  the net annual benefit in its currency (``None`` when that benefit is not positive).
* **Risk**: per outcome, the single points of failure removed and added; the value-trap
  findings resolved and new, matched by code and subject; the required recoveries met
  and broken (a live service whose tested recovery is slower than its outcomes can wait).

Outcomes and services are matched by id. An outcome on one side only is reported as
added or removed and counts in no figure of the other; so is a service. An outcome
whose loss is measured differently on the two sides (its currency or unit changed, or
its volume appeared or went) is compared by its delivery only: its loss change is
``None`` and it counts in no net benefit.

Complexity: the expected delivery of every outcome on both sides (each as
:func:`~itvalue.analysis.availability.expected_delivery`), plus
:func:`~itvalue.analysis.impact.single_points_of_failure`,
:func:`~itvalue.analysis.recovery.recovery_needs` and :func:`~itvalue.checks.check` on
both sides, and O(V) to match the two.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

import attrs

from itvalue._frozen import FrozenDict, frozen
from itvalue.analysis.availability import METHODS, Method, expected_delivery
from itvalue.analysis.impact import single_points_of_failure
from itvalue.analysis.recovery import RecoveryNeed, recovery_needs
from itvalue.checks import Finding, check
from itvalue.errors import AnalysisError
from itvalue.graph import ValueGraph
from itvalue.model import Money, Outcome, Portfolio, Service

__all__ = [
    "OUTCOME_COLUMNS",
    "Comparison",
    "OutcomeChange",
    "RecoveryChange",
    "compare",
    "parse_money",
]


def _change(self: OutcomeChange) -> float | None:
    if self.loss_before is None or self.loss_after is None:
        return None
    return self.loss_after - self.loss_before


#: The figures of an :class:`OutcomeChange`, in the order tables and JSON give them.
OUTCOME_COLUMNS = (
    "delivered_before",
    "delivered_after",
    "loss_before",
    "loss_after",
    "loss_change",
    "currency",
    "unit",
    "estimated",
)


@attrs.frozen(kw_only=True)
class OutcomeChange:
    """One customer outcome before and after a change.

    Attributes:
        outcome: The outcome id.
        delivered_before: Its expected delivery today, in [0, 1].
        delivered_after: Its expected delivery with the change.
        loss_before: Its expected annual loss today: in ``currency``, or in ``unit``
            when it has no value; ``None`` without a volume, and when the loss is
            measured differently on the two sides (another currency or unit).
        loss_after: The same with the change.
        loss_change: ``loss_after − loss_before`` (negative: less is lost); ``None``
            when either is.
        currency: The currency of the losses, ``None`` when they are in units.
        unit: The unit of the outcome's volume (``None`` without a volume).
        estimated: Whether either delivery was estimated by simulation.
    """

    outcome: str
    delivered_before: float
    delivered_after: float
    loss_before: float | None
    loss_after: float | None
    currency: str | None
    unit: str | None
    estimated: bool = False
    loss_change: float | None = attrs.field(
        init=False, default=attrs.Factory(_change, takes_self=True)
    )

    @property
    def delivered_change(self) -> float:
        """``delivered_after − delivered_before``: the share of the outcome gained."""
        return self.delivered_after - self.delivered_before


@attrs.frozen(kw_only=True)
class RecoveryChange:
    """A live service whose required recovery is met on one side and not the other.

    Attributes:
        service: The service id.
        required_before: Hours within which it must be back today (``None``: no outcome
            asks).
        outcome_before: The outcome that sets ``required_before``.
        recovery_before: How long restoring it takes today (``None``: not known).
        required_after: Hours within which it must be back with the change.
        outcome_after: The outcome that sets ``required_after``.
        recovery_after: How long restoring it takes with the change.
    """

    service: str
    required_before: float | None
    outcome_before: str | None
    recovery_before: float | None
    required_after: float | None
    outcome_after: str | None
    recovery_after: float | None


def _too_slow(need: RecoveryNeed | None, service: Service) -> bool:
    """Whether a live service takes longer to recover than its outcomes can wait (ITV011)."""
    return (
        need is not None
        and service.recovery_hours is not None
        and service.recovery_hours > need.hours
    )


def _frozen_lists(mapping: Mapping[str, Iterable[str]]) -> FrozenDict[str, tuple[str, ...]]:
    return FrozenDict((key, tuple(values)) for key, values in mapping.items())


@attrs.frozen(kw_only=True)
class Comparison:
    """The business case of an IT change: today's portfolio against the proposal.

    Amounts are annual estimates, per currency, never converted.

    Attributes:
        before: Today's portfolio.
        after: The portfolio with the change.
        method: How expected delivery was computed (see
            :func:`~itvalue.analysis.availability.expected_delivery`).
        one_off: The change's one-off cost, if given.
        cost_before: Annual cost of live services today, per currency.
        cost_after: The same with the change.
        cost_change: ``cost_after − cost_before``, per currency.
        outcomes: Per outcome on both sides, its change (see :class:`OutcomeChange`).
        loss_before: Expected annual loss of those outcomes today, per currency.
        loss_after: The same with the change.
        loss_change: ``loss_after − loss_before``, per currency, over the outcomes
            whose loss is comparable.
        net_benefit: ``−loss_change − cost_change``, per currency.
        payback_years: ``one_off`` divided by the net benefit in its currency; ``None``
            without a one-off or when that benefit is not positive.
        added_outcomes: Ids of outcomes only the proposal has, in its order.
        removed_outcomes: Ids of outcomes only today's portfolio has, in its order.
        added_services: Ids of services only the proposal has.
        removed_services: Ids of services only today's portfolio has.
        changed_services: Ids of services on both sides that the proposal changes.
        single_points_removed: Per outcome on both sides, the live services whose lone
            failure stops it today but no longer with the change.
        single_points_added: Per outcome, those that stop it with the change only.
        findings_resolved: Value-trap findings of today whose code and subject the
            proposal no longer has.
        findings_new: Findings of the proposal whose code and subject today has not.
        recoveries_met: Services on both sides too slow to recover today but not with
            the change (faster, or no longer needed as fast).
        recoveries_broken: Services in time today (or not needed) but too slow with the
            change.

    The mappings are read-only.
    """

    before: Portfolio = attrs.field(repr=False, eq=False)
    after: Portfolio = attrs.field(repr=False, eq=False)
    method: str
    one_off: Money | None
    cost_before: Mapping[str, float] = attrs.field(converter=frozen)
    cost_after: Mapping[str, float] = attrs.field(converter=frozen)
    cost_change: Mapping[str, float] = attrs.field(converter=frozen)
    outcomes: Mapping[str, OutcomeChange] = attrs.field(converter=frozen)
    loss_before: Mapping[str, float] = attrs.field(converter=frozen)
    loss_after: Mapping[str, float] = attrs.field(converter=frozen)
    loss_change: Mapping[str, float] = attrs.field(converter=frozen)
    net_benefit: Mapping[str, float] = attrs.field(converter=frozen)
    payback_years: float | None
    added_outcomes: tuple[str, ...]
    removed_outcomes: tuple[str, ...]
    added_services: tuple[str, ...]
    removed_services: tuple[str, ...]
    changed_services: tuple[str, ...]
    single_points_removed: Mapping[str, tuple[str, ...]] = attrs.field(converter=_frozen_lists)
    single_points_added: Mapping[str, tuple[str, ...]] = attrs.field(converter=_frozen_lists)
    findings_resolved: tuple[Finding, ...]
    findings_new: tuple[Finding, ...]
    recoveries_met: tuple[RecoveryChange, ...]
    recoveries_broken: tuple[RecoveryChange, ...]

    @property
    def estimated(self) -> bool:
        """Whether any expected delivery was estimated by simulation."""
        return any(change.estimated for change in self.outcomes.values())

    @property
    def is_unchanged(self) -> bool:
        """Whether the proposal changes nothing this comparison measures."""
        return (
            not any(self.cost_change.values())
            and all(c.delivered_change == 0.0 and not c.loss_change for c in self.outcomes.values())
            and not (self.added_outcomes or self.removed_outcomes)
            and not (self.added_services or self.removed_services or self.changed_services)
            and not (self.single_points_removed or self.single_points_added)
            and not (self.findings_resolved or self.findings_new)
            and not (self.recoveries_met or self.recoveries_broken)
        )

    def to_pandas(self, *, what: str = "outcomes") -> Any:
        """The comparison as a pandas DataFrame: one row per outcome, or per currency.

        With ``what="outcomes"`` (the default), columns: outcome, delivered_before,
        delivered_after, loss_before, loss_after, loss_change, currency, unit, estimated
        (the outcomes on both sides). With ``what="currencies"``: currency, cost_before,
        cost_after, cost_change, loss_before, loss_after, loss_change, net_benefit.

        Raises:
            AnalysisError: ``what`` is neither ``"outcomes"`` nor ``"currencies"``.
        """
        from itvalue._pandas import frame

        if what == "currencies":
            columns = [
                "currency",
                "cost_before",
                "cost_after",
                "cost_change",
                "loss_before",
                "loss_after",
                "loss_change",
                "net_benefit",
            ]
            rows = [
                {"currency": c} | {name: getattr(self, name).get(c, 0.0) for name in columns[1:]}
                for c in self.net_benefit
            ]
            return frame(rows, columns)
        if what != "outcomes":
            raise AnalysisError(
                f"unknown table {what!r}", hint='use what="outcomes" or what="currencies"'
            )
        columns = ["outcome", *OUTCOME_COLUMNS]
        rows = [
            {name: getattr(change, name) for name in columns} for change in self.outcomes.values()
        ]
        return frame(rows, columns)

    def _repr_html_(self) -> str:
        money = "".join(
            f"<tr><td>{escape(c)}</td><td>{self.cost_change.get(c, 0.0):,.2f}</td>"
            f"<td>{self.loss_change.get(c, 0.0):,.2f}</td><td>{benefit:,.2f}</td></tr>"
            for c, benefit in self.net_benefit.items()
        )
        outcomes = "".join(
            f"<tr><td>{escape(key)}</td><td>{c.delivered_before:.4%}</td>"
            f"<td>{c.delivered_after:.4%}</td>"
            f"<td>{'' if c.loss_change is None else f'{c.loss_change:,.2f}'}</td>"
            f"<td>{escape(c.currency or c.unit or '')}</td></tr>"
            for key, c in self.outcomes.items()
        )
        payback = "" if self.payback_years is None else f"; payback {self.payback_years:,.2f} years"
        return (
            f"<div><strong>Comparison</strong>: {escape(self.before.name)} → "
            f"{escape(self.after.name)}{escape(payback)}"
            "<table><thead><tr><th>currency</th><th>cost change / year</th>"
            "<th>loss change / year</th><th>net benefit / year</th></tr></thead>"
            f"<tbody>{money}</tbody></table>"
            "<table><thead><tr><th>outcome</th><th>delivered before</th>"
            "<th>delivered after</th><th>loss change / year</th><th>in</th></tr></thead>"
            f"<tbody>{outcomes}</tbody></table></div>"
        )


# --- the comparison ------------------------------------------------------------------------


def _graph(side: Portfolio | ValueGraph, name: str) -> ValueGraph:
    if isinstance(side, ValueGraph):
        return side
    if isinstance(side, Portfolio):
        return side.graph()
    raise TypeError(f"{name} must be a Portfolio or a ValueGraph, not {type(side).__name__}")


def _live_cost(portfolio: Portfolio) -> dict[str, float]:
    """Annual cost of live services, per currency: only live services run."""
    totals: dict[str, float] = {}
    for service in portfolio.services:
        if service.is_live and service.annual_cost is not None:
            currency = service.annual_cost.currency
            totals[currency] = totals.get(currency, 0.0) + service.annual_cost.amount
    return totals


def _delivery(g: ValueGraph, outcome: str, method: Method) -> tuple[float, bool]:
    """Expected delivery, and whether it was simulated because ``exact`` was refused."""
    if method != "exact":
        return expected_delivery(g, outcome, method=method), False
    try:
        return expected_delivery(g, outcome, method="exact"), False
    except AnalysisError:  # too many services to enumerate: simulate instead
        return expected_delivery(g, outcome, method="monte_carlo"), True


def _measure(outcome: Outcome) -> tuple[str | None, str | None]:
    """(currency, unit) a loss of the outcome is stated in; (None, None) without volume."""
    if outcome.volume is None:
        return None, None
    currency = None if outcome.unit_value is None else outcome.unit_value.currency
    return currency, outcome.volume.unit


def _annual_loss(outcome: Outcome, delivered: float) -> float | None:
    """Annual volume × (1 − delivered) × unit value (units without a value)."""
    if outcome.volume is None:
        return None
    lost = outcome.volume.per_year * (1.0 - delivered)
    if outcome.unit_value is not None:
        lost *= outcome.unit_value.amount
    if not math.isfinite(lost):
        raise AnalysisError(
            f"the expected annual loss of outcome {outcome.id!r} is too large to state"
        )
    return lost


def _outcome_change(
    before: Outcome, after: Outcome, g0: ValueGraph, g1: ValueGraph, method: Method
) -> OutcomeChange:
    d0, simulated0 = _delivery(g0, before.id, method)
    d1, simulated1 = _delivery(g1, after.id, method)
    currency, unit = _measure(after)
    comparable = _measure(before) == (currency, unit)
    return OutcomeChange(
        outcome=after.id,
        delivered_before=d0,
        delivered_after=d1,
        loss_before=_annual_loss(before, d0) if comparable else None,
        loss_after=_annual_loss(after, d1) if comparable else None,
        currency=currency,
        unit=unit,
        estimated=simulated0 or simulated1,
    )


def _recoveries(
    services0: Mapping[str, Service],
    services1: Mapping[str, Service],
    g0: ValueGraph,
    g1: ValueGraph,
) -> tuple[tuple[RecoveryChange, ...], tuple[RecoveryChange, ...]]:
    """Services on both sides whose required recovery is met on one side only."""
    needs0, needs1 = recovery_needs(g0), recovery_needs(g1)
    met: list[RecoveryChange] = []
    broken: list[RecoveryChange] = []
    for key, service in services1.items():
        old = services0.get(key)
        if old is None:
            continue
        need0, need1 = needs0.get(key), needs1.get(key)
        slow0, slow1 = _too_slow(need0, old), _too_slow(need1, service)
        if slow0 == slow1:
            continue
        change = RecoveryChange(
            service=key,
            required_before=None if need0 is None else need0.hours,
            outcome_before=None if need0 is None else need0.outcome,
            recovery_before=old.recovery_hours,
            required_after=None if need1 is None else need1.hours,
            outcome_after=None if need1 is None else need1.outcome,
            recovery_after=service.recovery_hours,
        )
        (met if slow0 else broken).append(change)
    return tuple(met), tuple(broken)


def _finding_changes(
    before: Portfolio, after: Portfolio
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    found0, found1 = check(before), check(after)
    keys0 = {(f.code, f.subject) for f in found0}
    keys1 = {(f.code, f.subject) for f in found1}
    return (
        tuple(f for f in found0 if (f.code, f.subject) not in keys1),
        tuple(f for f in found1 if (f.code, f.subject) not in keys0),
    )


def parse_money(text: str) -> Money:
    """A one-off cost as people write it: ``250000 EUR``, ``EUR 250,000``, ``1.5e6 USD``.

    Raises:
        AnalysisError: The text is not an amount and a three-letter currency code.

    Examples:
        >>> from itvalue.analysis.compare import parse_money
        >>> parse_money("250,000 EUR")
        Money(amount=250000.0, currency='EUR')
        >>> parse_money("usd 1_000")
        Money(amount=1000.0, currency='USD')
    """
    words = text.replace(",", "").replace("_", "").split()
    if len(words) == 2:
        code = next((w for w in words if re.fullmatch(r"[A-Za-z]{3}", w)), None)
        number = next((w for w in words if w is not code), "")
        try:
            amount = float(number)
        except ValueError:
            amount = float("nan")
        if code is not None and amount == amount and abs(amount) != float("inf"):
            return Money(amount=amount, currency=code.upper())
    raise AnalysisError(
        f"cannot read {text!r} as an amount of money",
        hint='write the amount and a three-letter currency code, such as "250000 EUR"',
    )


def compare(
    before: Portfolio | ValueGraph,
    after: Portfolio | ValueGraph,
    *,
    method: Method = "exact",
    one_off: Money | str | None = None,
) -> Comparison:
    """The business case of changing ``before`` into ``after``: cost, loss, benefit, risk.

    Args:
        before: Today's portfolio (or its value graph).
        after: The portfolio with the proposal applied (or its value graph).
        method: How expected delivery is computed: ``"exact"`` (simulated instead where
            it is refused, and marked ``estimated``), ``"independent"`` or
            ``"monte_carlo"``.
        one_off: The change's one-off cost, for the payback time: a :class:`Money`, or
            text such as ``"250000 EUR"``.

    Raises:
        TypeError: ``before`` or ``after`` is neither a Portfolio nor a ValueGraph.
        AnalysisError: The method is unknown, ``one_off`` is negative, or an amount is
            too large to state.

    Examples:
        A payments service that fails ten times less often, and costs €10,000 a year
        less, after a €30,000 move:

        >>> import attrs, itvalue
        >>> from itvalue.analysis.compare import compare
        >>> today = itvalue.example()
        >>> better = attrs.evolve(today.service("payments"), availability=0.9999,
        ...                       annual_cost=itvalue.Money(amount=110_000, currency="EUR"))
        >>> proposal = attrs.evolve(today, services=[better, *today.services[1:]])
        >>> case = compare(today, proposal, one_off=itvalue.Money(amount=30_000, currency="EUR"))
        >>> change = case.outcomes["order-delivered"]
        >>> round(change.delivered_before, 8), round(change.delivered_after, 8)
        (0.9989001, 0.99980001)
        >>> round(change.loss_change, 2)   # 120,000 orders × €42 × −(0.99980001 − 0.9989001)
        -4535.55
        >>> case.cost_change["EUR"], round(case.net_benefit["EUR"], 2)
        (-10000.0, 14535.55)
        >>> round(case.payback_years, 2)   # 30,000 / 14,535.55
        2.06

    Complexity: on each side, the expected delivery of every outcome (as
    :func:`~itvalue.analysis.availability.expected_delivery`, exponential only in the
    services reaching an outcome by several paths, up to its limit),
    :func:`~itvalue.analysis.impact.single_points_of_failure`,
    :func:`~itvalue.analysis.recovery.recovery_needs` and
    :func:`~itvalue.checks.check`; then O(V) to match the two sides by id.
    """
    if method not in METHODS:
        raise AnalysisError(f"unknown method {method!r}", hint="use one of: " + ", ".join(METHODS))
    if isinstance(one_off, str):
        one_off = parse_money(one_off)
    elif one_off is not None and not isinstance(one_off, Money):
        raise TypeError(f"one_off must be Money or text such as '250000 EUR', not {one_off!r}")
    if one_off is not None and one_off.amount < 0:
        raise AnalysisError(
            f"the one-off cost must be at least 0, got {one_off}",
            hint="the one-off cost is what the change costs once; a change that brings "
            "money in once is not modelled here",
        )
    g0, g1 = _graph(before, "before"), _graph(after, "after")
    p0, p1 = g0.portfolio, g1.portfolio

    cost0, cost1 = _live_cost(p0), _live_cost(p1)
    costed = sorted(cost0.keys() | cost1.keys())
    cost_change = {c: cost1.get(c, 0.0) - cost0.get(c, 0.0) for c in costed}

    outcomes0 = {o.id: o for o in p0.outcomes}
    outcomes1 = {o.id: o for o in p1.outcomes}
    outcomes = {
        key: _outcome_change(outcomes0[key], outcome, g0, g1, method)
        for key, outcome in outcomes1.items()
        if key in outcomes0
    }
    loss0: dict[str, float] = {}
    loss1: dict[str, float] = {}
    for change in outcomes.values():
        if change.currency is None or change.loss_before is None or change.loss_after is None:
            continue  # in units, without a volume, or measured differently on the two sides
        loss0[change.currency] = loss0.get(change.currency, 0.0) + change.loss_before
        loss1[change.currency] = loss1.get(change.currency, 0.0) + change.loss_after
    valued = sorted(loss0)
    loss_change = {c: loss1[c] - loss0[c] for c in valued}
    # 0.0 − …, not −…: no change reads 0.0, never −0.0.
    net = {
        c: 0.0 - loss_change.get(c, 0.0) - cost_change.get(c, 0.0)
        for c in sorted(set(costed) | loss0.keys())
    }
    payback = None
    if one_off is not None and net.get(one_off.currency, 0.0) > 0.0:
        payback = one_off.amount / net[one_off.currency]

    spof0, spof1 = single_points_of_failure(g0), single_points_of_failure(g1)
    removed_points: dict[str, list[str]] = {}
    added_points: dict[str, list[str]] = {}
    for key in outcomes:
        gone = sorted(set(spof0.get(key, ())) - set(spof1.get(key, ())))
        new = sorted(set(spof1.get(key, ())) - set(spof0.get(key, ())))
        if gone:
            removed_points[key] = gone
        if new:
            added_points[key] = new

    services0 = {s.id: s for s in p0.services}
    services1 = {s.id: s for s in p1.services}
    resolved, new_findings = _finding_changes(p0, p1)
    met, broken = _recoveries(services0, services1, g0, g1)
    return Comparison(
        before=p0,
        after=p1,
        method=method,
        one_off=one_off,
        cost_before={c: cost0.get(c, 0.0) for c in costed},
        cost_after={c: cost1.get(c, 0.0) for c in costed},
        cost_change=cost_change,
        outcomes=outcomes,
        loss_before={c: loss0[c] for c in valued},
        loss_after={c: loss1[c] for c in valued},
        loss_change=loss_change,
        net_benefit=net,
        payback_years=payback,
        added_outcomes=tuple(key for key in outcomes1 if key not in outcomes0),
        removed_outcomes=tuple(key for key in outcomes0 if key not in outcomes1),
        added_services=tuple(key for key in services1 if key not in services0),
        removed_services=tuple(key for key in services0 if key not in services1),
        changed_services=tuple(
            key for key, s in services1.items() if key in services0 and services0[key] != s
        ),
        single_points_removed=removed_points,
        single_points_added=added_points,
        findings_resolved=resolved,
        findings_new=new_findings,
        recoveries_met=met,
        recoveries_broken=broken,
    )
