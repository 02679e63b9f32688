"""Value at risk of every single-service outage at once, with bitsets.

The impact of service ``s`` alone depends on ``K(s)``, the services down when only ``s``
fails. Rather than cascading once per service, this module computes, for every service
``t``, the set of services whose lone failure takes ``t`` down — its *killers* — as a
Python integer used as a bitset over service indices, in one topological pass:

    killers(t) = {t} ∪ ⋃ killers(d) over t's ungrouped dependencies d
                     ∪ ⋃ (⋂ killers(m) over the members m of a group) over t's groups

which is exactly the down rule of DESIGN.md read backwards (``t ∈ K(s)`` iff
``s ∈ killers(t)``). An outcome ``o`` then delivers ``∏ c_t(o)`` over ``t ∈ K(s)``, where
``c_t(o) = ∏ (1 − h)^m`` over ``t``'s supports of processes ``p`` with share ``h`` and ``m``
paths from ``p`` to ``o``. Services that take down a supporter with ``c_t(o) = 0`` zero the
outcome: the union of those supporters' killers, one bitset per outcome. The remaining,
partial factors are multiplied in per service. All set work is word-parallel integer
arithmetic in C; Python only walks the set bits of the final sets.

Complexity: O((V + E) · V / w) word operations for the killer sets (w = 64), plus the
number of (service, outcome) pairs with a loss.
"""

from __future__ import annotations

from collections.abc import Collection

from itvalue.graph import ValueGraph

__all__ = ["members", "single_failure_sets", "value_at_risk"]

_BIT_POSITIONS = [tuple(i for i in range(8) if byte >> i & 1) for byte in range(256)]


def members(bits: int) -> list[int]:
    """The indices of the set bits, ascending."""
    out: list[int] = []
    if not bits:
        return out
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    positions = _BIT_POSITIONS
    for offset, byte in enumerate(data):
        if byte:
            base = offset * 8
            out.extend(base + i for i in positions[byte])
    return out


def _path_counts(g: ValueGraph) -> dict[int, dict[int, int]]:
    """For every process, the number of paths to each outcome it reaches."""
    counts: dict[int, dict[int, int]] = {}
    kinds = g.kinds
    lo, hi = g._range("process")
    for p in range(lo, hi):
        reached: dict[int, int] = {}
        for t in g.succ[p]:
            if kinds[t] == "outcome":
                reached[t] = reached.get(t, 0) + 1
            else:  # a product
                for o in g.succ[t]:
                    reached[o] = reached.get(o, 0) + 1
        counts[p] = reached
    return counts


def single_failure_sets(
    g: ValueGraph, outcomes: Collection[int]
) -> tuple[dict[int, int], list[tuple[int, int, float]]]:
    """What each service's lone failure does to ``outcomes``, for every service at once.

    Returns:
        ``zeroed``: per outcome, the bitset of services whose lone failure stops it
        entirely; ``partial``: ``(bitset, outcome, factor)`` triples — each service in the
        bitset takes down a supporter that multiplies the outcome by ``factor`` (0 < f < 1).
    """
    n = g.service_count
    paths = _path_counts(g)
    factors: dict[int, dict[int, float]] = {}  # supporter -> outcome -> c_t(o) < 1
    for t in range(n):
        if not g.supports[t]:
            continue
        per_outcome: dict[int, float] = {}
        for p, share in g.supports[t]:
            for o, count in paths[p].items():
                if o in outcomes:
                    per_outcome[o] = per_outcome.get(o, 1.0) * (1.0 - share) ** count
        if per_outcome:
            factors[t] = per_outcome

    # Killer sets in topological order; a set is dropped once no one needs it.
    remaining = [len(g.dependents[t]) for t in range(n)]
    killers: dict[int, int] = {}
    zeroed: dict[int, int] = {}
    partial: list[tuple[int, int, float]] = []
    for t in range(n):
        bits = 1 << t
        for d in g.required[t]:
            bits |= killers[d]
        for group in g.groups[t]:
            common = killers[group[0]]
            for m in group[1:]:
                common &= killers[m]
            bits |= common
        for d in g.required[t]:
            remaining[d] -= 1
            if not remaining[d]:
                del killers[d]
        for group in g.groups[t]:
            for m in group:
                remaining[m] -= 1
                if not remaining[m] and m in killers:
                    del killers[m]
        if remaining[t]:
            killers[t] = bits
        for o, factor in factors.get(t, {}).items():
            if factor == 0.0:
                zeroed[o] = zeroed.get(o, 0) | bits
            else:
                partial.append((bits, o, factor))
    return zeroed, partial


def value_at_risk(g: ValueGraph, weights: dict[int, float]) -> list[float]:
    """Per service index, the weighted loss of its lone outage.

    Args:
        g: The value graph.
        weights: Per outcome index, what its full delivery weighs — money per hour in
            one currency for value at risk, units per hour for volume at risk.
    """
    zeroed, partial = single_failure_sets(g, weights)
    risk = [0.0] * g.service_count
    for o, bits in zeroed.items():
        value = weights[o]
        for s in members(bits):
            risk[s] += value
    products: dict[int, dict[int, float]] = {}
    for bits, o, factor in partial:
        survivors = bits & ~zeroed.get(o, 0)
        if not survivors:
            continue
        per_service = products.setdefault(o, {})
        for s in members(survivors):
            per_service[s] = per_service.get(s, 1.0) * factor
    for o, per_service in products.items():
        value = weights[o]
        for s, delivered in per_service.items():
            risk[s] += value * (1.0 - delivered)
    return risk
