"""What every single-service outage does, for all services at once, with bitsets.

The impact of service ``s`` alone depends on ``K(s)``, the services down when only ``s``
fails. Rather than cascading once per service, this module computes, for every service
``t``, the set of services whose lone failure takes ``t`` down — its *killers* — as a
Python integer used as a bitset over service indices, in one topological pass. The
killers of ``t`` are the down rule of :mod:`itvalue.analysis._core` itself
(:func:`~itvalue.analysis._core.down_value`), run over bitsets: ``t``'s own bit, or the
killers of a required dependency, or, for a group, the services found in more of its
members' killer sets than the group can spare. So ``t ∈ K(s)`` iff ``s ∈ killers(t)``.

An outcome ``o`` then delivers ``∏ c_t(o)`` over ``t ∈ K(s)``, with the per-service
factors ``c_t`` of :func:`~itvalue.analysis._core.factors`. Services that take down a
supporter with ``c_t(o) = 0`` zero the outcome: the union of those supporters' killers,
one bitset per outcome. The remaining, partial factors are multiplied in per service.
All set work is word-parallel integer arithmetic in C; Python only walks the set bits
of the final sets.

Complexity: O((V + E) · V / w) word operations for the killer sets (w = 64), plus the
number of (service, outcome) pairs with a loss.
"""

from __future__ import annotations

from collections.abc import Collection

from itvalue._graphcore import GraphCore
from itvalue.analysis._core import down_value, factors

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


def single_failure_sets(
    core: GraphCore, outcomes: Collection[int]
) -> tuple[dict[int, int], list[tuple[int, int, float]]]:
    """What each service's lone failure does to ``outcomes``, for every service at once.

    Returns:
        ``zeroed``: per outcome, the bitset of services whose lone failure stops it
        entirely; ``partial``: ``(bitset, outcome, factor)`` triples — each service in the
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
            1 << t,
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
        for o, factor in table[t]:
            if o not in outcomes:
                continue
            if factor == 0.0:
                zeroed[o] = zeroed.get(o, 0) | bits
            elif factor < 1.0:
                partial.append((bits, o, factor))
    return zeroed, partial


def value_at_risk(core: GraphCore, weights: dict[int, float]) -> list[float]:
    """Per service index, the weighted loss of its lone outage.

    Args:
        core: The graph.
        weights: Per outcome index, what its full delivery weighs — money per hour in
            one currency for value at risk, units per hour for volume at risk.
    """
    zeroed, partial = single_failure_sets(core, weights)
    risk = [0.0] * core.service_count
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
