"""The 0.2 ranking, kept as the baseline the new one is timed against.

In 0.2, ``rank_services`` computed every service's killer set over all units at once
(one Python integer as wide as the portfolio per service) and then walked the members
of the final sets in Python, one (unit, outcome) pair at a time. This is that code,
unchanged but for the imports, so the benchmark can time it beside today's in the
same run.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from itvalue._graphcore import GraphCore
from itvalue.analysis._core import down_value, factors
from itvalue.analysis._rank import members

__all__ = ["legacy_rank_services"]


def single_failure_sets(
    core: GraphCore, outcomes: Collection[int], own: Sequence[int]
) -> tuple[dict[int, int], list[tuple[int, int, float]]]:
    """What each unit's lone failure does to ``outcomes``, for every unit at once.

    Args:
        core: The graph.
        outcomes: The outcome indices of interest.
        own: Per service, the bits of the units whose failure is its own
            (:func:`service_units` or :func:`supplier_units`).

    Returns:
        ``zeroed``: per outcome, the bitset of units whose lone failure stops it
        entirely; ``partial``: ``(bitset, outcome, factor)`` triples — each unit in the
        bitset takes down a supporter that multiplies the outcome by ``factor`` (0 < f < 1).
    """
    table = factors(core)
    required = core.required
    groups = core.groups
    # Killer sets in topological order; a set is dropped once no one needs it.
    remaining = [len(d) for d in core.dependents]
    killers: dict[int, int] = {}
    zeroed: dict[int, int] = {}
    partial: list[tuple[int, int, float]] = []
    for t in core.range("service"):
        bits = down_value(
            own[t],
            (killers[d] for d in required[t]),
            ((tuple(killers[m] for m in group), k) for group, k in groups[t]),
        )
        for d in required[t]:
            remaining[d] -= 1
            if not remaining[d]:
                del killers[d]
        for group, _k in groups[t]:
            for m in group:
                remaining[m] -= 1
                if not remaining[m]:
                    del killers[m]
        if remaining[t]:
            killers[t] = bits
        if not bits:
            continue
        for o, factor in table[t]:
            if o not in outcomes:
                continue
            if factor == 0.0:
                zeroed[o] = zeroed.get(o, 0) | bits
            else:
                partial.append((bits, o, factor))
    return zeroed, partial


def lone_failures(
    core: GraphCore, outcomes: Collection[int], own: Sequence[int]
) -> tuple[dict[int, int], dict[int, dict[int, float]]]:
    """What each unit's lone failure leaves of ``outcomes``, for every unit at once.

    Returns:
        ``zeroed``: per outcome, the bitset of units whose lone failure stops it;
        ``partial``: per outcome, the units whose lone failure reduces it without
        stopping it, with what it still delivers (0 < delivered < 1).
    """
    zeroed, triples = single_failure_sets(core, outcomes, own)
    partial: dict[int, dict[int, float]] = {}
    for bits, o, factor in triples:
        survivors = bits & ~zeroed.get(o, 0)
        if not survivors:
            continue
        delivered = partial.setdefault(o, {})
        for u in members(survivors):
            delivered[u] = delivered.get(u, 1.0) * factor
    return zeroed, partial


def value_at_risk(
    core: GraphCore, weights: dict[int, float], own: Sequence[int], units: int
) -> list[float]:
    """Per unit, the weighted loss of its lone failure.

    Args:
        core: The graph.
        weights: Per outcome index, what its full delivery weighs — money per hour in
            one currency for value at risk, units per hour for volume at risk.
        own: Per service, the bits of its failure units (see :func:`single_failure_sets`).
        units: How many units there are.
    """
    zeroed, partial = lone_failures(core, weights, own)
    risk = [0.0] * units
    for o, bits in zeroed.items():
        value = weights[o]
        for u in members(bits):
            risk[u] += value
    for o, delivered in partial.items():
        value = weights[o]
        for u, left in delivered.items():
            risk[u] += value * (1.0 - left)
    return risk


def legacy_rank_services(core: GraphCore, weights: dict[int, float]) -> list[float]:
    """Per service, the 0.2 value at risk of its lone failure (per hour)."""
    own = [1 << t if core.live[t] else 0 for t in core.range("service")]
    count = max(own, default=0).bit_length()
    return value_at_risk(core, weights, own, count)
