"""What every single failure does, for all of them at once, with bitsets.

A *failure unit* is what fails as one: a live service (non-live services cannot fail),
or a supplier, whose live services all fail together. The impact of unit ``u`` alone
depends on ``K(u)``, the services down when only ``u`` fails. Rather than cascading once
per unit, this module computes, for every service ``t``, the set of units whose lone
failure takes ``t`` down — its *killers* — as a Python integer used as a bitset over
units, in one topological pass. The killers of ``t`` are the down rule of
:mod:`itvalue.analysis._core` itself (:func:`~itvalue.analysis._core.down_value`), run
over bitsets: the units ``t`` belongs to, or the killers of a required dependency, or,
for a group, the units found in more of its members' killer sets than the group can
spare (counted, not only intersected, for groups that need more than one member up).
So ``t ∈ K(u)`` iff ``u ∈ killers(t)``.

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

from collections.abc import Collection, Sequence

from itvalue._graphcore import GraphCore
from itvalue.analysis._core import down_value, factors
from itvalue.model import Service, StakeholderKind

__all__ = [
    "lone_failures",
    "members",
    "service_units",
    "single_failure_sets",
    "supplier_units",
    "value_at_risk",
]

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


def service_units(core: GraphCore) -> list[int]:
    """Per service, its own bit when it is live (each live service a unit), else 0."""
    return [1 << t if core.live[t] else 0 for t in core.range("service")]


def supplier_units(core: GraphCore) -> tuple[list[int], list[str]]:
    """Per service, the bit of its supplier when it is live and supplied, else 0.

    Returns:
        The bits, and the supplier ids by bit position (every supplier, in document
        order).
    """
    suppliers = [s.id for s in core.portfolio.stakeholders if s.kind is StakeholderKind.SUPPLIER]
    position = {key: k for k, key in enumerate(suppliers)}
    own = []
    for t in core.range("service"):
        service = core.entities[t]
        assert isinstance(service, Service)
        provider = service.provided_by
        own.append(1 << position[provider] if provider is not None and core.live[t] else 0)
    return own, suppliers


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
