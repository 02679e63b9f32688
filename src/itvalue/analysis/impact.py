"""What is lost while services are down, in units and money.

Semantics (the documentation's "Exact semantics" page), for a set ``F`` of failed
services:

1. A service is **down** iff it is in ``F``, or one of its ungrouped dependencies is
   down, or every dependency in one of its groups is down.
2. A process delivers ``∏ (1 − h)`` over its supporting services that are down
   (share ``h``); with none down it delivers 1.
3. A product or outcome delivers the product of what everything enabling it delivers
   (1 when nothing enables it).
4. For an outcome with volume ``V`` and unit value ``M``: volume lost ``V·(1 − delivered)``,
   value lost ``V·(1 − delivered)·M.amount`` in ``M.currency``, both per the volume's
   period; per hour of outage, divide by the period's hours.

The rules themselves are written once, in :mod:`itvalue.analysis._core`; this module
turns them into results.

Complexity: :func:`impact` is O(d log d + e) for d down services and e edges leaving
them, plus O(outcomes + segments) to build the result; :func:`rank_services` and
:func:`single_points_of_failure` find every single-service failure at once with bitsets
(:mod:`itvalue.analysis._rank`); :func:`orphans` is O(V + E).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from html import escape
from typing import Any

import attrs

from itvalue._frozen import frozen
from itvalue._gc import paused_gc
from itvalue._graphcore import GraphCore
from itvalue.analysis._core import (
    currencies_in_use as _currencies_in_use,
)
from itvalue.analysis._core import (
    delivered_fractions,
    down_services,
    finite_money,
    hourly_values,
)
from itvalue.analysis._rank import Progress, Reduction, plan, run, service_units, supplier_units
from itvalue.errors import AnalysisError
from itvalue.graph import ValueGraph, core_of
from itvalue.model import Money, Outcome, Period, Quantity, Service, Stakeholder, StakeholderKind

__all__ = [
    "Impact",
    "OutcomeImpact",
    "SegmentImpact",
    "StageImpact",
    "StreamImpact",
    "currencies_in_use",
    "impact",
    "orphans",
    "outcome_impact",
    "rank_services",
    "rank_suppliers",
    "resolve_currency",
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
        return finite_money(
            self.value_lost.amount / self.volume_lost.per.hours * hours,
            self.value_lost.currency,
            what=f"the value lost on outcome {self.outcome!r}",
        )


@attrs.frozen(kw_only=True)
class SegmentImpact:
    """The roll-up of an impact for one customer segment, per hour of outage.

    Attributes:
        segment: The segment id.
        outcomes: Ids of the segment's outcomes that deliver less than all.
        volume_lost_per_hour: Units lost per hour, by unit (read-only).
        value_lost_per_hour: Money lost per hour, by currency (read-only).
    """

    segment: str
    outcomes: tuple[str, ...]
    volume_lost_per_hour: Mapping[str, float] = attrs.field(converter=frozen)
    value_lost_per_hour: Mapping[str, float] = attrs.field(converter=frozen)


@attrs.frozen(kw_only=True)
class StageImpact:
    """What one stage of a value stream still does while services are down.

    Attributes:
        name: The stage's name.
        delivered: The product of what its processes deliver (1 with none).
    """

    name: str
    delivered: float

    @property
    def is_affected(self) -> bool:
        """Whether the stage does less than all of its work."""
        return self.delivered < 1.0


@attrs.frozen(kw_only=True)
class StreamImpact:
    """A value stream during an outage: each stage, and its outcome.

    Attributes:
        stream: The value stream id.
        stages: Every stage, in order.
        delivered: What the stream's outcome delivers.
    """

    stream: str
    stages: tuple[StageImpact, ...]
    delivered: float

    @property
    def stopped_stages(self) -> tuple[str, ...]:
        """Names of the stages that do nothing at all."""
        return tuple(stage.name for stage in self.stages if stage.delivered == 0.0)

    @property
    def slowed_stages(self) -> tuple[str, ...]:
        """Names of the stages that do part of their work."""
        return tuple(stage.name for stage in self.stages if 0.0 < stage.delivered < 1.0)


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
        streams: Every value stream, stage by stage.

    The mappings are read-only: a result never changes, and two results share nothing
    that could.
    """

    failed: frozenset[str]
    down: frozenset[str]
    processes: Mapping[str, float] = attrs.field(converter=frozen)
    products: Mapping[str, float] = attrs.field(converter=frozen)
    outcomes: Mapping[str, OutcomeImpact] = attrs.field(converter=frozen)
    segments: Mapping[str, SegmentImpact] = attrs.field(converter=frozen)
    streams: Mapping[str, StreamImpact] = attrs.field(converter=frozen, factory=dict)

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

    def to_pandas(self, hours: float = 1.0, *, what: str = "outcomes") -> Any:
        """The impact as a pandas DataFrame: one row per outcome, or per stream stage.

        With ``what="outcomes"`` (the default), columns: outcome, delivered, unit,
        currency, period, volume_lost_per_period and value_lost_per_period (what
        ``volume_lost`` and ``value_lost`` hold), hours, volume_lost_over_hours and
        value_lost_over_hours (for an outage of ``hours``). With ``what="stages"``:
        stream, stage, stage_delivered, stream_delivered.

        Raises:
            AnalysisError: ``what`` is neither ``"outcomes"`` nor ``"stages"``.
        """
        from itvalue._pandas import frame

        if what == "stages":
            stage_rows = [
                {
                    "stream": key,
                    "stage": stage.name,
                    "stage_delivered": stage.delivered,
                    "stream_delivered": stream.delivered,
                }
                for key, stream in self.streams.items()
                for stage in stream.stages
            ]
            return frame(stage_rows, ["stream", "stage", "stage_delivered", "stream_delivered"])
        if what != "outcomes":
            raise AnalysisError(
                f"unknown table {what!r}", hint='use what="outcomes" or what="stages"'
            )
        rows = []
        for key, value in self.outcomes.items():
            money = value.value_lost_over(hours)
            volume = value.volume_lost
            rows.append(
                {
                    "outcome": key,
                    "delivered": value.delivered,
                    "unit": None if volume is None else volume.unit,
                    "currency": None if value.value_lost is None else value.value_lost.currency,
                    "period": None if volume is None else volume.per.value,
                    "volume_lost_per_period": None if volume is None else volume.amount,
                    "value_lost_per_period": None
                    if value.value_lost is None
                    else value.value_lost.amount,
                    "hours": hours,
                    "volume_lost_over_hours": value.volume_lost_over(hours),
                    "value_lost_over_hours": None if money is None else money.amount,
                }
            )
        columns = [
            "outcome",
            "delivered",
            "unit",
            "currency",
            "period",
            "volume_lost_per_period",
            "value_lost_per_period",
            "hours",
            "volume_lost_over_hours",
            "value_lost_over_hours",
        ]
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
        stages = [
            f"<tr><td>{escape(key)}</td><td>{escape(stage.name)}</td>"
            f"<td>{stage.delivered:.1%}</td></tr>"
            for key, stream in self.streams.items()
            for stage in stream.stages
            if stage.is_affected
        ]
        down = ", ".join(sorted(self.down))
        html = (
            f"<div><strong>Impact</strong>: down: {escape(down)}"
            "<table><thead><tr><th>outcome</th><th>delivered</th>"
            "<th>units lost / hour</th><th>value lost / hour</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
        if stages:
            html += (
                "<table><thead><tr><th>value stream</th><th>stage</th><th>still done</th>"
                f"</tr></thead><tbody>{''.join(stages)}</tbody></table>"
            )
        return html + "</div>"


# --- results from the shared rules ----------------------------------------------------------


def _failed_indices(core: GraphCore, failed: str | Iterable[str]) -> list[int]:
    """Service indices for ids of services, or of suppliers (their live services)."""
    names = [failed] if isinstance(failed, str) else list(failed)
    indices: list[int] = []
    provided: dict[str, list[int]] | None = None
    for name in names:
        if name in core.index or not _is_supplier(core, name):
            indices.append(core.node(name, kind="service"))
            continue
        if provided is None:
            provided = _provided(core)
        indices.extend(provided.get(name, ()))
    return indices


def _is_supplier(core: GraphCore, key: str) -> bool:
    entity = core.portfolio.get(key) if key in core.portfolio else None
    return isinstance(entity, Stakeholder) and entity.kind is StakeholderKind.SUPPLIER


def _provided(core: GraphCore) -> dict[str, list[int]]:
    """Per supplier id, the indices of the live services it provides."""
    provided: dict[str, list[int]] = {}
    for t in core.range("service"):
        service = core.entities[t]
        assert isinstance(service, Service)
        if service.provided_by is not None and core.live[t]:
            provided.setdefault(service.provided_by, []).append(t)
    return provided


def outcome_impact(outcome: Outcome, delivered: float) -> OutcomeImpact:
    """What ``outcome`` loses per its volume's period when it delivers ``delivered``.

    Raises:
        AnalysisError: The money lost overflows a floating-point number.
    """
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
        else finite_money(
            lost * value.amount, value.currency, what=f"the value lost on outcome {outcome.id!r}"
        ),
    )


def impact(g: ValueGraph, failed: str | Iterable[str]) -> Impact:
    """What is lost while the ``failed`` services (one id or many) are down.

    An id may also name a supplier (a stakeholder of kind ``supplier``): every live
    service it provides fails at once. Services that are not live may be named too, as
    a what-if; they fail under the down rule like any other.

    Raises:
        UnknownIdError: An id names no service and no supplier.
        AnalysisError: A money figure overflows a floating-point number.

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
    core = core_of(g)
    failed_idx = _failed_indices(core, failed)
    down = down_services(core, failed_idx)
    fractions = delivered_fractions(core, down)
    ids = core.ids
    kinds = core.kinds
    entities = core.entities
    outcomes: dict[str, OutcomeImpact] = {}
    processes: dict[str, float] = {}
    products: dict[str, float] = {}
    rollup: dict[int, tuple[list[str], dict[str, float], dict[str, float]]] = {}
    for i in core.range("outcome"):
        outcome = entities[i]
        assert isinstance(outcome, Outcome)
        delivered = fractions.get(i, 1.0)
        result = outcome_impact(outcome, delivered)
        outcomes[outcome.id] = result
        if i not in fractions:
            continue
        names, volumes, values = rollup.setdefault(core.segment_of(i), ([], {}, {}))
        names.append(outcome.id)
        volume = result.volume_lost_over(1.0)
        if volume is not None and result.volume_lost is not None:
            unit = result.volume_lost.unit
            volumes[unit] = volumes.get(unit, 0.0) + volume
        money = result.value_lost_over(1.0)
        if money is not None:
            values[money.currency] = values.get(money.currency, 0.0) + money.amount
    for i in sorted(fractions):
        if kinds[i] == "process":
            processes[ids[i]] = fractions[i]
        elif kinds[i] == "product":
            products[ids[i]] = fractions[i]
    segments: dict[str, SegmentImpact] = {}
    for s in core.range("segment"):
        names, volumes, values = rollup.get(s, ([], {}, {}))
        segments[ids[s]] = SegmentImpact(
            segment=ids[s],
            outcomes=tuple(names),
            volume_lost_per_hour=volumes,
            value_lost_per_hour=values,
        )
    streams = {
        stream.id: StreamImpact(
            stream=stream.id,
            stages=tuple(
                StageImpact(name=stage.name, delivered=_product(processes, stage.processes))
                for stage in stream.stages
            ),
            delivered=outcomes[stream.outcome].delivered,
        )
        for stream in core.portfolio.value_streams
    }
    return Impact(
        failed=frozenset(ids[i] for i in failed_idx),
        down=frozenset(ids[i] for i in down),
        processes=processes,
        products=products,
        outcomes=outcomes,
        segments=segments,
        streams=streams,
    )


def _product(delivered: Mapping[str, float], keys: Iterable[str]) -> float:
    value = 1.0
    for key in keys:
        value *= delivered.get(key, 1.0)
    return value


def orphans(g: ValueGraph) -> list[str]:
    """Sorted ids of services, of any lifecycle, that reach no outcome.

    Examples:
        >>> import itvalue
        >>> itvalue.example().graph().orphans()
        []

    Complexity: O(V + E).
    """
    core = core_of(g)
    reach = core.reaches_outcome()
    return sorted(core.ids[i] for i in core.range("service") if not reach[i])


def single_points_of_failure(
    g: ValueGraph,
    *,
    suppliers: bool = False,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> dict[str, list[str]]:
    """Per outcome, the sorted ids of *live* services whose failure alone stops it.

    With ``suppliers=True``, per outcome the suppliers whose failure alone (every live
    service they provide failing at once) stops it. Only outcomes with at least one
    such service (or supplier) appear; services that are not live cannot fail.

    Args:
        g: The value graph.
        suppliers: Suppliers, rather than services, as what fails.
        executor: Where to run the work (a ``concurrent.futures`` executor such as a
            ``ProcessPoolExecutor`` or a Dask client's ``get_executor()``), split by
            ranges of failing services; the same result as without one.
        progress: Called with (units done, units in all) as ranges of them finish.

    Examples:
        >>> import itvalue
        >>> itvalue.example().graph().single_points_of_failure()
        {'order-delivered': ['payments']}

    Complexity: that of :func:`rank_services`; every single failure is found at once
    with bitsets (see :mod:`itvalue.analysis._rank`).
    """
    core = core_of(g)
    if suppliers:
        unit_of, names = supplier_units(core)
        units = len(names)
    else:
        unit_of, units = service_units(core)
        names = list(core.ids)
    outcomes = core.range("outcome")
    stops: dict[int, list[Any]] = {}
    for _lo, found in run(
        plan(core, unit_of, units, outcomes, zeros=True),
        Reduction(kind="stops", weights={}),
        executor=executor,
        progress=progress,
    ):
        for o, stopping in found.items():
            stops.setdefault(o, []).append(stopping)
    if not stops:
        return {}
    import numpy as np

    with paused_gc():  # millions of names may come out; none of them in a cycle
        # Each outcome's units sorted by their names' order, found once, in numpy.
        labels = np.array(names, dtype=object)
        by_name = np.empty(len(names), dtype=np.int64)
        by_name[np.argsort(np.array(names))] = np.arange(len(names))
        result: dict[str, list[str]] = {}
        for o in sorted(stops):
            found = np.concatenate(stops[o])
            result[core.ids[o]] = labels[found[np.argsort(by_name[found])]].tolist()
        return result


def single_failure_loss(
    g: ValueGraph, service: str, *, hours: float, per: Period
) -> tuple[dict[str, Quantity], dict[str, float]]:
    """Units lost per outcome and money lost per currency over ``hours`` without ``service``.

    Only outcomes with a volume appear. The units are labelled with ``per``, the period
    the caller speaks of.

    Raises:
        UnknownIdError: The id names no service.

    Examples:
        >>> import itvalue
        >>> from itvalue.analysis.impact import single_failure_loss
        >>> units, money = single_failure_loss(
        ...     itvalue.example().graph(), "payments", hours=1.0, per=itvalue.Period.HOUR)
        >>> round(units["order-delivered"].amount, 2), round(money["EUR"], 2)
        (13.7, 575.34)
    """
    core = core_of(g)
    start = core.node(service, kind="service")
    fractions = delivered_fractions(core, down_services(core, [start]))
    units: dict[str, Quantity] = {}
    money: dict[str, float] = {}
    for i in sorted(fractions):
        outcome = core.entities[i]
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
    return _currencies_in_use(core_of(g))


def resolve_currency(g: ValueGraph, currency: str | None) -> str | None:
    """The currency an analysis reports in: the one named, or the only one in use.

    Raises:
        AnalysisError: Several currencies are in use and none is named, or the named
            one values no outcome.
    """
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


def rank_services(
    g: ValueGraph,
    *,
    hours: float = 1.0,
    currency: str | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> list[tuple[str, float]]:
    """Every live service with the value an outage of ``hours`` puts at risk, worst first.

    The value at risk of a service is what :func:`impact` of that service alone loses
    over ``hours``, in ``currency``. Ties are broken by id. Services that are not live
    cannot fail and are left out.

    Args:
        g: The value graph.
        hours: Length of the outage.
        currency: The currency to report; defaults to the only one in use, and must
            be named when outcomes are valued in several.
        executor: Where to run the work (a ``concurrent.futures`` executor such as a
            ``ProcessPoolExecutor`` or a Dask client's ``get_executor()``), split by
            ranges of failing services; the same figures as without one.
        progress: Called with (services done, services in all) as ranges finish.

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
    core = core_of(g)
    unit_of, units = service_units(core)
    live = [t for t in core.range("service") if core.live[t]]
    return _ranked(
        g, hours, currency, (unit_of, units), [core.ids[t] for t in live], live, executor, progress
    )


def rank_suppliers(
    g: ValueGraph,
    *,
    hours: float = 1.0,
    currency: str | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> list[tuple[str, float]]:
    """Every supplier with the value an outage of all it provides puts at risk, worst first.

    A supplier's outage is every live service it provides (``provided_by``) failing at
    once, for ``hours``; the value at risk is what :func:`impact` of the supplier loses,
    in ``currency``. Ties are broken by id; suppliers providing nothing live show 0.
    ``executor`` and ``progress`` are as for :func:`rank_services`.

    Raises:
        AnalysisError: As for :func:`rank_services`.

    Examples:
        >>> import itvalue
        >>> itvalue.example().graph().rank_suppliers()
        []

    Complexity: that of :func:`rank_services`.
    """
    core = core_of(g)
    unit_of, names = supplier_units(core)
    return _ranked(
        g, hours, currency, (unit_of, len(names)), names, range(len(names)), executor, progress
    )


def _ranked(
    g: ValueGraph,
    hours: float,
    currency: str | None,
    units: tuple[list[int], int],
    names: list[str],
    chosen: Iterable[int],
    executor: Executor | None,
    progress: Progress | None,
) -> list[tuple[str, float]]:
    """The ranking rule: value at risk of each unit over ``hours``, worst first, then by id."""
    if hours < 0:
        raise AnalysisError(f"hours must be at least 0, got {hours}")
    core = core_of(g)
    values = hourly_values(core, resolve_currency(g, currency))
    unit_of, count = units
    import numpy as np

    risk = np.zeros(count)
    if values:
        for lo, found in run(
            plan(core, unit_of, count, values, zeros=False),
            Reduction(kind="risk", weights=values),
            executor=executor,
            progress=progress,
        ):
            risk[lo : lo + len(found)] = found
    at_risk = risk[np.fromiter(chosen, dtype=np.int64, count=len(names))] * hours
    # Worst first, then by id (ids are unique and ASCII, so numpy orders them as Python).
    order = np.lexsort((np.array(names, dtype=str), -at_risk))
    ids = np.array(names, dtype=object)[order].tolist()
    return list(zip(ids, at_risk[order].tolist(), strict=True))
