"""Brute-force oracles, written straight from the design's definitions.

They read the portfolio's entities, never the graph's internals, and enumerate rather
than reason, so that they can be trusted on small portfolios.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import itvalue as iv


def down(p: iv.Portfolio, failed: Iterable[str]) -> set[str]:
    """Rule 1 as a fixed point."""
    result = set(failed)
    changed = True
    while changed:
        changed = False
        for s in p.services:
            if s.id in result:
                continue
            required = [d.service for d in s.depends_on if d.group is None]
            groups: dict[str, list[str]] = {}
            for d in s.depends_on:
                if d.group is not None:
                    groups.setdefault(d.group, []).append(d.service)
            if any(r in result for r in required) or any(
                all(m in result for m in members) for members in groups.values()
            ):
                result.add(s.id)
                changed = True
    return result


def delivered(p: iv.Portfolio, failed: Iterable[str]) -> dict[str, float]:
    """Rules 2 and 3: what every process, product, outcome and segment delivers."""
    gone = down(p, failed)
    out: dict[str, float] = {}
    for proc in p.processes:
        value = 1.0
        for s in p.services:
            for sup in s.supports:
                if sup.process == proc.id and s.id in gone:
                    value *= 1.0 - sup.share
        out[proc.id] = value
    for prod in p.products:
        value = 1.0
        for proc in p.processes:
            if prod.id in proc.enables:
                value *= out[proc.id]
        out[prod.id] = value
    for o in p.outcomes:
        value = 1.0
        for proc in p.processes:
            if o.id in proc.enables:
                value *= out[proc.id]
        for prod in p.products:
            if o.id in prod.outcomes:
                value *= out[prod.id]
        out[o.id] = value
    for seg in p.segments:
        value = 1.0
        for o in p.outcomes:
            if o.segment == seg.id:
                value *= out[o.id]
        out[seg.id] = value
    for s in p.services:
        out[s.id] = 0.0 if s.id in gone else 1.0
    return out


def expected(p: iv.Portfolio, node: str) -> float:
    """The expectation over every own-state of every uncertain service."""
    uncertain = [s for s in p.services if s.availability is not None and s.availability < 1]
    total = 0.0
    for states in itertools.product((True, False), repeat=len(uncertain)):
        weight = 1.0
        failed = []
        for s, up in zip(uncertain, states, strict=True):
            assert s.availability is not None
            weight *= s.availability if up else 1.0 - s.availability
            if not up:
                failed.append(s.id)
        total += weight * delivered(p, failed)[node]
    return total


def value_lost_per_hour(p: iv.Portfolio, failed: Iterable[str], currency: str) -> float:
    """Money per hour lost while ``failed`` are down, in one currency."""
    fractions = delivered(p, failed)
    total = 0.0
    for o in p.outcomes:
        if o.volume and o.unit_value and o.unit_value.currency == currency:
            total += (
                o.volume.amount / o.volume.per.hours * (1 - fractions[o.id]) * o.unit_value.amount
            )
    return total
