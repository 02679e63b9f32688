"""IT cost allocated to the outcomes it serves: what IT costs per delivered order.

Semantics (the documentation's "Exact semantics" page): a service's ``annual_cost``,
plus whatever it received from upstream, flows along its out-edges, split in proportion
to edge weight normalised over those out-edges (``share`` on support edges, 1 on
dependency edges — so a lone support edge of share 0.6 still passes on all of it);
processes and products
split what they receive equally among what they enable. Outcomes collect the totals,
reported per currency and per unit of outcome volume. What reaches no outcome is
unallocated, so allocated + unallocated equals the total cost, per currency.

Complexity: O((V + E) · c) for c currencies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs

from itvalue._frozen import FrozenDict, frozen
from itvalue.graph import ValueGraph, core_of
from itvalue.model import Outcome, Service

__all__ = ["CostAllocation", "allocate_costs"]


def _frozen_nested(
    mapping: Mapping[str, Mapping[str, float]],
) -> FrozenDict[str, FrozenDict[str, float]]:
    return FrozenDict((key, FrozenDict(inner)) for key, inner in mapping.items())


@attrs.frozen(kw_only=True)
class CostAllocation:
    """Annual IT cost, allocated to outcomes, per currency.

    Attributes:
        total: Every service's annual cost, summed per currency.
        by_outcome: Cost reaching each outcome, per currency (outcomes that receive
            nothing are absent).
        unallocated: Cost reaching no outcome, per currency.
        stranded: Where unallocated cost stops: per node id (a service, process or
            product with nowhere to pass it on), per currency.
        per_unit: Per outcome, allocated annual cost divided by its annual volume
            (IT cost per delivered order), per currency; outcomes without a positive
            volume (or one so small the figure overflows) are absent.
    """

    total: Mapping[str, float] = attrs.field(converter=frozen)
    by_outcome: Mapping[str, Mapping[str, float]] = attrs.field(converter=_frozen_nested)
    unallocated: Mapping[str, float] = attrs.field(converter=frozen)
    stranded: Mapping[str, Mapping[str, float]] = attrs.field(converter=_frozen_nested)
    per_unit: Mapping[str, Mapping[str, float]] = attrs.field(converter=_frozen_nested)

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


def allocate_costs(g: ValueGraph) -> CostAllocation:
    """Every service's annual cost, followed along the value graph to the outcomes.

    Examples:
        >>> import itvalue
        >>> alloc = itvalue.example().graph().allocate_costs()
        >>> alloc.by_outcome["order-delivered"]["EUR"]
        120000.0
        >>> alloc.per_unit["order-delivered"]["EUR"]   # 120,000 / 120,000 orders a year
        1.0
    """
    core = core_of(g)
    n = len(core)
    held: list[dict[str, float] | None] = [None] * n
    totals: dict[str, float] = {}
    kinds = core.kinds
    for i in core.range("service"):
        service = core.entities[i]
        assert isinstance(service, Service)
        if service.annual_cost is not None:
            currency = service.annual_cost.currency
            amount = service.annual_cost.amount
            totals[currency] = totals.get(currency, 0.0) + amount
            held[i] = {currency: amount}
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
            weights = [(j, 1.0) for j in core.succ[i] if kinds[j] != "segment"]
        total_weight = sum(w for _j, w in weights)
        if total_weight <= 0.0:
            stranded[core.ids[i]] = amounts
            continue
        for j, weight in weights:
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
        by_outcome={k: dict(sorted(v.items())) for k, v in by_outcome.items()},
        unallocated=dict(sorted(unallocated.items())),
        stranded={k: dict(sorted(v.items())) for k, v in stranded.items()},
        per_unit=per_unit,
    )
