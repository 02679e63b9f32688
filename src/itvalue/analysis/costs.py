"""IT cost allocated to the outcomes it serves: what IT costs per delivered order.

Semantics (the documentation's "Exact semantics" page): a *live* service's
``annual_cost``, plus whatever it received from upstream, flows along its out-edges,
split in proportion to edge weight normalised over those out-edges (``share`` on support
edges, 1 on dependency edges — so a lone support edge of share 0.6 still passes on all
of it). Processes and products split what they receive among what they enable by the
*driver*: ``"equal"`` shares, or in proportion to the annual ``"value"`` reachable
through each target. Outcomes collect the totals, reported per currency and per unit of
outcome volume. What reaches no outcome is unallocated; the cost of services that are
not live is reported apart, so allocated + unallocated + not live equals the total cost,
per currency.

Complexity: O((V + E) · c) for c currencies, plus, for the value driver, O(V + E) sets
of the outcomes each process and product leads to.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from itvalue._frozen import FrozenDict, frozen
from itvalue._graphcore import GraphCore
from itvalue.errors import AnalysisError
from itvalue.graph import ValueGraph, core_of
from itvalue.model import Outcome, Service

__all__ = ["DRIVERS", "CostAllocation", "Driver", "allocate_costs"]

Driver = Literal["equal", "value"]
#: How processes and products split the cost they pass on.
DRIVERS: tuple[str, ...] = ("equal", "value")


def _frozen_nested(
    mapping: Mapping[str, Mapping[str, float]],
) -> FrozenDict[str, FrozenDict[str, float]]:
    return FrozenDict((key, FrozenDict(inner)) for key, inner in mapping.items())


@attrs.frozen(kw_only=True)
class CostAllocation:
    """Annual IT cost, allocated to outcomes, per currency.

    Attributes:
        total: Every service's annual cost, summed per currency.
        driver: How processes and products split what they pass on: ``"equal"`` or
            ``"value"``.
        by_outcome: Cost reaching each outcome, per currency (outcomes that receive
            nothing are absent).
        unallocated: Cost reaching no outcome, per currency.
        stranded: Where unallocated cost stops: per node id (a service, process or
            product with nowhere to pass it on), per currency.
        per_unit: Per outcome, allocated annual cost divided by its annual volume
            (IT cost per delivered order), per currency; outcomes without a positive
            volume (or one so small the figure overflows) are absent.
        not_live: The annual cost of services that are not live (proposed, approved,
            in development or retired), per currency: not allocated, since they serve
            no one today.
    """

    total: Mapping[str, float] = attrs.field(converter=frozen)
    driver: Driver = "equal"
    by_outcome: Mapping[str, Mapping[str, float]] = attrs.field(converter=_frozen_nested)
    unallocated: Mapping[str, float] = attrs.field(converter=frozen)
    stranded: Mapping[str, Mapping[str, float]] = attrs.field(converter=_frozen_nested)
    per_unit: Mapping[str, Mapping[str, float]] = attrs.field(converter=_frozen_nested)
    not_live: Mapping[str, float] = attrs.field(converter=frozen, factory=dict)

    def to_pandas(self) -> Any:
        """One row per outcome and currency: allocated cost and cost per unit.

        Columns: outcome, currency, annual_cost, per_unit.
        """
        from itvalue._pandas import frame

        rows = [
            {
                "outcome": key,
                "currency": currency,
                "annual_cost": amount,
                "per_unit": self.per_unit.get(key, {}).get(currency),
            }
            for key, amounts in self.by_outcome.items()
            for currency, amount in amounts.items()
        ]
        return frame(rows, ["outcome", "currency", "annual_cost", "per_unit"])

    @property
    def allocated(self) -> dict[str, float]:
        """Cost reaching some outcome, summed per currency."""
        out: dict[str, float] = {}
        for amounts in self.by_outcome.values():
            for currency, amount in amounts.items():
                out[currency] = out.get(currency, 0.0) + amount
        return dict(sorted(out.items()))


def allocate_costs(g: ValueGraph, *, driver: Driver = "equal") -> CostAllocation:
    """Every live service's annual cost, followed along the value graph to the outcomes.

    Args:
        g: The value graph.
        driver: How processes and products split what they pass on: ``"equal"``
            shares, or ``"value"``: in proportion to the annual value (volume × unit
            value, a year) of the outcomes each target leads to; targets leading to no
            valued outcome get a share only when none has value, and then equal ones.

    Raises:
        AnalysisError: The driver is unknown, or ``"value"`` is asked while outcomes
            are valued in several currencies, which cannot be compared.

    Examples:
        >>> import itvalue
        >>> alloc = itvalue.example().graph().allocate_costs()
        >>> alloc.by_outcome["order-delivered"]["EUR"]
        120000.0
        >>> alloc.per_unit["order-delivered"]["EUR"]   # 120,000 / 120,000 orders a year
        1.0
    """
    if driver not in DRIVERS:
        raise AnalysisError(f"unknown driver {driver!r}", hint="use one of: " + ", ".join(DRIVERS))
    core = core_of(g)
    n = len(core)
    held: list[dict[str, float] | None] = [None] * n
    totals: dict[str, float] = {}
    not_live: dict[str, float] = {}
    kinds = core.kinds
    for i in core.range("service"):
        service = core.entities[i]
        assert isinstance(service, Service)
        if service.annual_cost is not None:
            currency = service.annual_cost.currency
            amount = service.annual_cost.amount
            totals[currency] = totals.get(currency, 0.0) + amount
            if core.live[i]:
                held[i] = {currency: amount}
            else:
                not_live[currency] = not_live.get(currency, 0.0) + amount
    value = _reachable_value(core) if driver == "value" else None
    stranded: dict[str, dict[str, float]] = {}
    by_outcome: dict[str, dict[str, float]] = {}
    for i in range(n):
        amounts = held[i]
        if not amounts:
            continue
        kind = kinds[i]
        if kind == "outcome":
            by_outcome[core.ids[i]] = amounts
            continue
        if kind == "service":
            weights = [(j, 1.0) for j in core.dependents[i]] + list(core.supports[i])
        else:
            targets = [j for j in core.succ[i] if kinds[j] != "segment"]
            weights = [(j, 1.0) for j in targets]
            if value is not None and any(value[j] > 0.0 for j in targets):
                weights = _proportions([(j, value[j]) for j in targets])
        total_weight = sum(w for _j, w in weights)
        if total_weight <= 0.0:
            stranded[core.ids[i]] = amounts
            continue
        for j, weight in weights:
            if weight <= 0.0:
                continue
            fraction = weight / total_weight
            target = held[j]
            if target is None:
                target = held[j] = {}
            for currency, amount in amounts.items():
                target[currency] = target.get(currency, 0.0) + amount * fraction
    unallocated: dict[str, float] = dict.fromkeys(totals, 0.0)
    for amounts in stranded.values():
        for currency, amount in amounts.items():
            unallocated[currency] += amount
    per_unit: dict[str, dict[str, float]] = {}
    for key, amounts in by_outcome.items():
        outcome = core.entities[core.index[key]]
        assert isinstance(outcome, Outcome)
        if outcome.volume is not None and outcome.volume.amount > 0:
            yearly = outcome.volume.per_year
            figures = {c: a / yearly for c, a in sorted(amounts.items())}
            if all(math.isfinite(v) for v in figures.values()):
                per_unit[key] = figures
    return CostAllocation(
        total=dict(sorted(totals.items())),
        driver=driver,
        by_outcome={k: dict(sorted(v.items())) for k, v in by_outcome.items()},
        unallocated=dict(sorted(unallocated.items())),
        stranded={k: dict(sorted(v.items())) for k, v in stranded.items()},
        per_unit=per_unit,
        not_live=dict(sorted(not_live.items())),
    )


def _proportions(weights: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The weights scaled by the largest, so that their sum cannot overflow.

    Annual values of large outcomes can exceed what a float holds; the targets whose
    value overflowed then share equally, as the largest.
    """
    largest = max(w for _j, w in weights)
    if math.isinf(largest):
        return [(j, 1.0 if math.isinf(w) else 0.0) for j, w in weights]
    return [(j, w / largest) for j, w in weights]


def _reachable_value(core: GraphCore) -> list[float]:
    """Per node, the annual value of the distinct outcomes it leads to (0 past outcomes).

    Raises:
        AnalysisError: Outcomes are valued in several currencies.
    """
    currencies = sorted({o.unit_value.currency for o in _valued(core) if o.unit_value is not None})
    if len(currencies) > 1:
        raise AnalysisError(
            f"outcomes are valued in several currencies ({', '.join(currencies)}), so the "
            "value driver cannot compare them",
            hint='amounts are never converted; use driver="equal"',
        )
    yearly = {
        i: o.volume.per_year * o.unit_value.amount
        for i, o in zip(core.range("outcome"), _valued(core), strict=True)
        if o.volume is not None and o.unit_value is not None
    }
    leads: list[frozenset[int]] = [frozenset()] * len(core)
    for i in reversed(core.range("product")):
        leads[i] = frozenset(core.succ[i])
    for i in reversed(core.range("process")):
        reached: set[int] = set()
        for t in core.succ[i]:
            reached.update(leads[t] if core.kinds[t] == "product" else (t,))
        leads[i] = frozenset(reached)
    value = [0.0] * len(core)
    for i in core.range("outcome"):
        value[i] = yearly.get(i, 0.0)
    for kind in ("process", "product"):
        for i in core.range(kind):
            value[i] = sum(yearly.get(o, 0.0) for o in leads[i])
    return value


def _valued(core: GraphCore) -> list[Outcome]:
    lo, hi = core.bounds["outcome"]
    return [o for o in core.entities[lo:hi] if isinstance(o, Outcome)]
