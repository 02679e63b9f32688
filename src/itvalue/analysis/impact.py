"""What is lost while services are down, in units and money.

Semantics (DESIGN.md, "Impact of failures"), for a set ``F`` of failed services:

1. A service is **down** iff it is in ``F``, or one of its ungrouped dependencies is
   down, or every dependency in one of its groups is down.
2. A process delivers ``∏ (1 − h)`` over its supporting services that are down
   (share ``h``); with none down it delivers 1.
3. A product or outcome delivers the product of what everything enabling it delivers
   (1 when nothing enables it).
4. For an outcome with volume ``V`` and unit value ``M``: volume lost ``V·(1 − delivered)``,
   value lost ``V·(1 − delivered)·M.amount`` in ``M.currency``, both per the volume's
   period; per hour of outage, divide by the period's hours.

Complexity: :func:`impact` is O(d + e) for d down services and e edges leaving them and
the nodes they affect, plus O(outcomes + segments) to build the result;
:func:`rank_services` and :func:`single_points_of_failure` repeat the single-failure
part once per service; :func:`orphans` is O(V + E).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

import attrs

from itvalue.analysis._rank import members, single_failure_sets, value_at_risk
from itvalue.errors import AnalysisError
from itvalue.graph import ValueGraph
from itvalue.model import Money, Outcome, Period, Quantity

__all__ = [
    "Impact",
    "OutcomeImpact",
    "SegmentImpact",
    "currencies_in_use",
    "impact",
    "orphans",
    "rank_services",
    "single_failure_loss",
    "single_points_of_failure",
]


@attrs.frozen(kw_only=True)
class OutcomeImpact:
    """What one outcome loses, per its volume's period.

    Attributes:
        outcome: The outcome id.
        delivered: The fraction still delivered, in [0, 1].
        volume_lost: Units lost per the volume's period (``None`` without a volume).
        value_lost: Money lost per the volume's period (``None`` without a volume and a
            unit value).
    """

    outcome: str
    delivered: float
    volume_lost: Quantity | None
    value_lost: Money | None

    @property
    def is_affected(self) -> bool:
        """Whether the outcome delivers less than all of it."""
        return self.delivered < 1.0

    def volume_lost_over(self, hours: float) -> float | None:
        """Units lost over an outage of ``hours``."""
        if self.volume_lost is None:
            return None
        return self.volume_lost.per_hour * hours

    def value_lost_over(self, hours: float) -> Money | None:
        """Money lost over an outage of ``hours``."""
        if self.value_lost is None or self.volume_lost is None:
            return None
        return Money(
            amount=self.value_lost.amount / self.volume_lost.per.hours * hours,
            currency=self.value_lost.currency,
        )


@attrs.frozen(kw_only=True)
class SegmentImpact:
    """The roll-up of an impact for one customer segment, per hour of outage.

    Attributes:
        segment: The segment id.
        outcomes: Ids of the segment's outcomes that deliver less than all.
        volume_lost_per_hour: Units lost per hour, by unit.
        value_lost_per_hour: Money lost per hour, by currency.
    """

    segment: str
    outcomes: tuple[str, ...]
    volume_lost_per_hour: Mapping[str, float]
    value_lost_per_hour: Mapping[str, float]


@attrs.frozen(kw_only=True)
class Impact:
    """What is lost while a set of services is down.

    Attributes:
        failed: The services that failed.
        down: Every service down as a result (the failed ones included).
        processes: Delivered fraction of each affected process.
        products: Delivered fraction of each affected product.
        outcomes: Every outcome's impact (unaffected ones deliver 1 and lose 0).
        segments: Every segment's roll-up.
    """

    failed: frozenset[str]
    down: frozenset[str]
    processes: Mapping[str, float]
    products: Mapping[str, float]
    outcomes: Mapping[str, OutcomeImpact]
    segments: Mapping[str, SegmentImpact]

    @property
    def affected_outcomes(self) -> list[str]:
        """Ids of the outcomes that deliver less than all, in document order."""
        return [key for key, value in self.outcomes.items() if value.is_affected]

    def totals(self, hours: float = 1.0) -> dict[str, Money]:
        """Money lost over an outage of ``hours``, summed per currency."""
        totals: dict[str, float] = {}
        for value in self.outcomes.values():
            lost = value.value_lost_over(hours)
            if lost is not None and value.is_affected:
                totals[lost.currency] = totals.get(lost.currency, 0.0) + lost.amount
        return {c: Money(amount=a, currency=c) for c, a in sorted(totals.items())}

    def to_pandas(self, hours: float = 1.0) -> Any:
        """Every outcome's loss over an outage of ``hours`` as a pandas DataFrame.

        Columns: outcome, delivered, volume_lost, unit, value_lost, currency.
        """
        from itvalue._pandas import frame

        rows = []
        for key, value in self.outcomes.items():
            money = value.value_lost_over(hours)
            rows.append(
                {
                    "outcome": key,
                    "delivered": value.delivered,
                    "volume_lost": value.volume_lost_over(hours),
                    "unit": None if value.volume_lost is None else value.volume_lost.unit,
                    "value_lost": None if money is None else money.amount,
                    "currency": None if money is None else money.currency,
                }
            )
        columns = ["outcome", "delivered", "volume_lost", "unit", "value_lost", "currency"]
        return frame(rows, columns)

    def _repr_html_(self) -> str:
        rows = []
        for key in self.affected_outcomes:
            value = self.outcomes[key]
            volume = value.volume_lost_over(1.0)
            money = value.value_lost_over(1.0)
            rows.append(
                f"<tr><td>{escape(key)}</td><td>{value.delivered:.1%}</td>"
                f"<td>{'' if volume is None else f'{volume:,.2f}'}</td>"
                f"<td>{'' if money is None else escape(str(money))}</td></tr>"
            )
        down = ", ".join(sorted(self.down))
        return (
            f"<div><strong>Impact</strong>: down: {escape(down)}"
            "<table><thead><tr><th>outcome</th><th>delivered</th>"
            "<th>units lost / hour</th><th>value lost / hour</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )


# --- the core, on indices ------------------------------------------------------------------


def down_services(g: ValueGraph, failed: Iterable[int]) -> list[int]:
    """Indices of the services down when ``failed`` fail, in topological order."""
    down: set[int] = set(failed)
    dependents = g.dependents
    required = g.required
    groups = g.groups
    heap: list[int] = []
    for f in down:
        heap.extend(dependents[f])
    heapq.heapify(heap)
    seen: set[int] = set()
    # Indices are topological, so popping in increasing order sees every cause first.
    while heap:
        i = heapq.heappop(heap)
        if i in seen or i in down:
            continue
        seen.add(i)
        is_down = any(d in down for d in required[i]) or any(
            all(m in down for m in group) for group in groups[i]
        )
        if is_down:
            down.add(i)
            for j in dependents[i]:
                heapq.heappush(heap, j)
    return sorted(down)


def delivered_fractions(g: ValueGraph, down: Iterable[int]) -> dict[int, float]:
    """Delivered fraction of every process, product and outcome below 1."""
    fractions: dict[int, float] = {}
    supports = g.supports
    for s in down:
        for p, share in supports[s]:
            fractions[p] = fractions.get(p, 1.0) * (1.0 - share)
    if not fractions:
        return fractions
    kinds = g.kinds
    succ = g.succ
    products: list[int] = []
    for p in list(fractions):
        value = fractions[p]
        for t in succ[p]:
            if t not in fractions and kinds[t] == "product":
                products.append(t)
            fractions[t] = fractions.get(t, 1.0) * value
    for r in products:
        value = fractions[r]
        for o in succ[r]:
            fractions[o] = fractions.get(o, 1.0) * value
    return fractions


def _failed_indices(g: ValueGraph, failed: str | Iterable[str]) -> list[int]:
    names = [failed] if isinstance(failed, str) else list(failed)
    return [g.node(name, kind="service") for name in names]


def _outcome_impact(outcome: Outcome, delivered: float) -> OutcomeImpact:
    volume = outcome.volume
    if volume is None:
        return OutcomeImpact(
            outcome=outcome.id, delivered=delivered, volume_lost=None, value_lost=None
        )
    lost = volume.amount * (1.0 - delivered)
    value = outcome.unit_value
    return OutcomeImpact(
        outcome=outcome.id,
        delivered=delivered,
        volume_lost=Quantity(amount=lost, unit=volume.unit, per=volume.per),
        value_lost=None
        if value is None
        else Money(amount=lost * value.amount, currency=value.currency),
    )


def _unaffected(g: ValueGraph) -> tuple[dict[str, OutcomeImpact], dict[str, SegmentImpact]]:
    cached = g._reach_cache.get("unaffected")
    if cached is None:
        outcomes = {o.id: _outcome_impact(o, 1.0) for o in g.outcome_entities()}
        segments = {
            key: SegmentImpact(
                segment=key, outcomes=(), volume_lost_per_hour={}, value_lost_per_hour={}
            )
            for key in g.ids_of("segment")
        }
        cached = g._reach_cache["unaffected"] = (outcomes, segments)
    return cached


def impact(g: ValueGraph, failed: str | Iterable[str]) -> Impact:
    """What is lost while the ``failed`` services (one id or many) are down.

    Raises:
        UnknownIdError: An id names no service.

    Examples:
        >>> import itvalue
        >>> g = itvalue.example().graph()
        >>> imp = g.impact({"db-a", "db-b"})
        >>> sorted(imp.down)
        ['db-a', 'db-b', 'payments']
        >>> imp.outcomes["order-delivered"].delivered
        0.0
        >>> imp.totals(hours=1.0)["EUR"].amount   # 10,000 orders a month × 42 EUR / 730 h
        575.3424657534247

    Complexity: O(d log d + e) for d services down and e edges they affect, plus
    O(outcomes + segments) for the result.
    """
    failed_idx = _failed_indices(g, failed)
    down = down_services(g, failed_idx)
    fractions = delivered_fractions(g, down)
    ids = g.ids
    kinds = g.kinds
    base_outcomes, base_segments = _unaffected(g)
    outcomes = dict(base_outcomes)
    segments = dict(base_segments)
    processes: dict[str, float] = {}
    products: dict[str, float] = {}
    rollup: dict[int, tuple[list[str], dict[str, float], dict[str, float]]] = {}
    for i in sorted(fractions):
        kind = kinds[i]
        if kind == "process":
            processes[ids[i]] = fractions[i]
        elif kind == "product":
            products[ids[i]] = fractions[i]
        else:
            outcome = g.entities[i]
            assert isinstance(outcome, Outcome)
            result = _outcome_impact(outcome, fractions[i])
            outcomes[outcome.id] = result
            names, volumes, values = rollup.setdefault(g.segment_of(i), ([], {}, {}))
            names.append(outcome.id)
            volume = result.volume_lost_over(1.0)
            if volume is not None and result.volume_lost is not None:
                unit = result.volume_lost.unit
                volumes[unit] = volumes.get(unit, 0.0) + volume
            money = result.value_lost_over(1.0)
            if money is not None:
                values[money.currency] = values.get(money.currency, 0.0) + money.amount
    for s, (names, volumes, values) in rollup.items():
        segments[ids[s]] = SegmentImpact(
            segment=ids[s],
            outcomes=tuple(names),
            volume_lost_per_hour=volumes,
            value_lost_per_hour=values,
        )
    return Impact(
        failed=frozenset(ids[i] for i in failed_idx),
        down=frozenset(ids[i] for i in down),
        processes=processes,
        products=products,
        outcomes=outcomes,
        segments=segments,
    )


def orphans(g: ValueGraph) -> list[str]:
    """Sorted ids of services, of any lifecycle, that reach no outcome.

    Examples:
        >>> import itvalue
        >>> itvalue.example().graph().orphans()
        []

    Complexity: O(V + E).
    """
    reach = reaches_outcome(g)
    return sorted(g.ids[i] for i in range(g.service_count) if not reach[i])


def reaches_outcome(g: ValueGraph) -> list[bool]:
    """For every node index, whether it reaches an outcome (outcomes reach themselves)."""
    cached = g._reach_cache.get("reaches_outcome")
    if cached is None:
        n = len(g.ids)
        reach = [False] * n
        kinds = g.kinds
        succ = g.succ
        for i in range(n - 1, -1, -1):
            kind = kinds[i]
            if kind == "outcome":
                reach[i] = True
            elif kind != "segment":
                reach[i] = any(reach[j] for j in succ[i])
        cached = g._reach_cache["reaches_outcome"] = reach
    return cached


def single_points_of_failure(g: ValueGraph) -> dict[str, list[str]]:
    """Per outcome, the sorted ids of *live* services whose failure alone stops it.

    Only outcomes with at least one such service appear.

    Examples:
        >>> import itvalue
        >>> itvalue.example().graph().single_points_of_failure()
        {'order-delivered': ['payments']}

    Complexity: that of :func:`rank_services`; every single-failure cascade is found at
    once with bitsets (see :mod:`itvalue.analysis._rank`).
    """
    lo, hi = g._range("outcome")
    zeroed, _partial = single_failure_sets(g, range(lo, hi))
    found = {o: sorted(g.ids[s] for s in members(bits) if g.live[s]) for o, bits in zeroed.items()}
    return {g.ids[o]: found[o] for o in sorted(found) if found[o]}


def single_failure_loss(
    g: ValueGraph, service: int, hours: float, per: Period
) -> tuple[dict[str, Quantity], dict[str, float]]:
    """Units lost per outcome and money lost per currency over ``hours`` without ``service``.

    The units are labelled with ``per``, the period the caller speaks of.
    """
    fractions = delivered_fractions(g, down_services(g, [service]))
    units: dict[str, Quantity] = {}
    money: dict[str, float] = {}
    for i in sorted(fractions):
        outcome = g.entities[i]
        if not isinstance(outcome, Outcome) or outcome.volume is None:
            continue
        lost = outcome.volume.per_hour * (1.0 - fractions[i]) * hours
        units[outcome.id] = Quantity(amount=lost, unit=outcome.volume.unit, per=per)
        if outcome.unit_value is not None:
            currency = outcome.unit_value.currency
            money[currency] = money.get(currency, 0.0) + lost * outcome.unit_value.amount
    return units, money


def currencies_in_use(g: ValueGraph) -> list[str]:
    """Sorted currencies of the unit values of outcomes that have a volume."""
    return sorted(
        {
            o.unit_value.currency
            for o in g.outcome_entities()
            if o.unit_value is not None and o.volume is not None
        }
    )


def resolve_currency(g: ValueGraph, currency: str | None) -> str | None:
    """The currency an analysis reports in: the one named, or the only one in use."""
    in_use = currencies_in_use(g)
    if currency is None:
        if len(in_use) > 1:
            raise AnalysisError(
                f"outcomes are valued in several currencies ({', '.join(in_use)})",
                hint="name one with currency=...; amounts are never converted",
            )
        return in_use[0] if in_use else None
    if currency not in in_use:
        raise AnalysisError(
            f"no outcome is valued in {currency!r}",
            hint="currencies in use: " + (", ".join(in_use) or "none"),
        )
    return currency


def hourly_values(g: ValueGraph, currency: str | None) -> dict[int, float]:
    """Per outcome index, money per hour of its full volume in ``currency``."""
    values: dict[int, float] = {}
    if currency is None:
        return values
    lo, hi = g._range("outcome")
    for i in range(lo, hi):
        o = g.entities[i]
        assert isinstance(o, Outcome)
        if o.volume is not None and o.unit_value is not None and o.unit_value.currency == currency:
            values[i] = o.volume.per_hour * o.unit_value.amount
    return values


def rank_services(
    g: ValueGraph, *, hours: float = 1.0, currency: str | None = None
) -> list[tuple[str, float]]:
    """Every service with the value an outage of ``hours`` puts at risk, worst first.

    The value at risk of a service is what :func:`impact` of that service alone loses
    over ``hours``, in ``currency``. Ties are broken by id.

    Args:
        g: The value graph.
        hours: Length of the outage.
        currency: The currency to report; defaults to the only one in use, and must
            be named when outcomes are valued in several.

    Raises:
        AnalysisError: Several currencies are in use and none is named, or the named
            one values no outcome.

    Examples:
        >>> import itvalue
        >>> itvalue.example().graph().rank_services()[0]
        ('payments', 575.3424657534247)

    Complexity: O((V + E) · S / 64) word operations: every service's cascade is found
    at once with bitsets (see :mod:`itvalue.analysis._rank`), not one at a time.
    """
    if hours < 0:
        raise AnalysisError(f"hours must be at least 0, got {hours}")
    chosen = resolve_currency(g, currency)
    values = hourly_values(g, chosen)
    risk = value_at_risk(g, values) if values else [0.0] * g.service_count
    ranked = [(g.ids[s], risk[s] * hours) for s in range(g.service_count)]
    ranked.sort(key=lambda item: (-item[1], item[0]))
    return ranked
