"""Brute-force oracles, written straight from the design's definitions.

They read the portfolio's entities, never the graph's internals, and enumerate rather
than reason, so that they can be trusted on small portfolios.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import itvalue as iv


def down(p: iv.Portfolio, failed: Iterable[str], *, today: bool = False) -> set[str]:
    """The down rule (quorum groups included) as a fixed point.

    With ``today``, services that are not live count as always up: they do not run.
    """
    result = set(failed)
    changed = True
    while changed:
        changed = False
        for s in p.services:
            if s.id in result or (today and s.lifecycle is not iv.Lifecycle.LIVE):
                continue
            required = [d.service for d in s.depends_on if d.group is None]
            groups: dict[str, list[str]] = {}
            for d in s.depends_on:
                if d.group is not None:
                    groups.setdefault(d.group, []).append(d.service)
            min_up = {g.name: g.min_up for g in s.groups}
            # A group of n members needing k up is down when more than n − k are down.
            if any(r in result for r in required) or any(
                sum(m in result for m in members) > len(members) - min_up.get(name, 1)
                for name, members in groups.items()
            ):
                result.add(s.id)
                changed = True
    return result


def delivered(p: iv.Portfolio, failed: Iterable[str], *, today: bool = False) -> dict[str, float]:
    """Rules 2 and 3: what every process, product, outcome and segment delivers."""
    gone = down(p, failed, today=today)
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
    """The expectation over every own-state of every uncertain service.

    Only live services run, so only they can fail on their own.
    """
    uncertain = [
        s
        for s in p.services
        if s.availability is not None and s.availability < 1 and s.lifecycle is iv.Lifecycle.LIVE
    ]
    total = 0.0
    for states in itertools.product((True, False), repeat=len(uncertain)):
        weight = 1.0
        failed = []
        for s, up in zip(uncertain, states, strict=True):
            assert s.availability is not None
            weight *= s.availability if up else 1.0 - s.availability
            if not up:
                failed.append(s.id)
        total += weight * delivered(p, failed, today=True)[node]
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


def provided(p: iv.Portfolio, supplier: str) -> list[str]:
    """The live services a supplier provides: what fails when the supplier fails."""
    return [
        s.id for s in p.services if s.provided_by == supplier and s.lifecycle is iv.Lifecycle.LIVE
    ]


def _targets(p: iv.Portfolio, key: str) -> list[tuple[str, float]]:
    """Where cost at ``key`` flows and each edge's weight, before any driver."""
    for s in p.services:
        if s.id == key:
            out = [(d.id, 1.0) for d in p.services if any(x.service == key for x in d.depends_on)]
            return out + [(sup.process, sup.share) for sup in s.supports]
    for proc in p.processes:
        if proc.id == key:
            return [(t, 1.0) for t in proc.enables]
    for prod in p.products:
        if prod.id == key:
            return [(t, 1.0) for t in prod.outcomes]
    return []


def _outcomes_reached(p: iv.Portfolio, key: str) -> set[str]:
    if any(o.id == key for o in p.outcomes):
        return {key}
    found: set[str] = set()
    for target, _w in _targets(p, key):
        found |= _outcomes_reached(p, target)
    return found


def _yearly_value(p: iv.Portfolio, outcome: str) -> float:
    o = p.outcome(outcome)
    if o.volume is None or o.unit_value is None:
        return 0.0
    return o.volume.amount * 8760 / o.volume.per.hours * o.unit_value.amount


def share_reaching(p: iv.Portfolio, key: str, outcome: str, driver: str = "equal") -> float:
    """The fraction of cost at ``key`` that reaches ``outcome``, summed over every path."""
    if key == outcome:
        return 1.0
    targets = _targets(p, key)
    is_business = not any(s.id == key for s in p.services)
    if driver == "value" and is_business:
        valued = [
            (t, sum(_yearly_value(p, o) for o in _outcomes_reached(p, t))) for t, _w in targets
        ]
        if any(v > 0 for _t, v in valued):
            targets = valued
    total = sum(w for _t, w in targets)
    if total <= 0:
        return 0.0
    return sum(w / total * share_reaching(p, t, outcome, driver) for t, w in targets if w > 0)


def allocation(p: iv.Portfolio, driver: str = "equal") -> dict[str, dict[str, float]]:
    """Per outcome and currency, the live services' cost that reaches it, path by path."""
    out: dict[str, dict[str, float]] = {}
    for s in p.services:
        if s.annual_cost is None or s.lifecycle is not iv.Lifecycle.LIVE:
            continue
        for o in p.outcomes:
            fraction = share_reaching(p, s.id, o.id, driver)
            if fraction > 0:
                amounts = out.setdefault(o.id, {})
                currency = s.annual_cost.currency
                amounts[currency] = amounts.get(currency, 0.0) + s.annual_cost.amount * fraction
    return out


def recovery_needs(p: iv.Portfolio) -> dict[str, tuple[float, str]]:
    """Per live service, (hours it must be back within, the outcome that sets it).

    For each outcome with a tolerable outage M that the service's lone failure reduces
    by f = 1 − delivered: M / f; the least wins, the first outcome in document order on
    a tie.
    """
    out: dict[str, tuple[float, str]] = {}
    for s in p.services:
        if s.lifecycle is not iv.Lifecycle.LIVE:
            continue
        fractions = delivered(p, [s.id])
        best: tuple[float, int, str] | None = None
        for position, o in enumerate(p.outcomes):
            lost = 1.0 - fractions[o.id]
            if o.max_outage_hours is None or lost <= 0.0:
                continue
            candidate = (o.max_outage_hours / lost, position, o.id)
            if best is None or candidate < best:
                best = candidate
        if best is not None:
            out[s.id] = (best[0], best[2])
    return out


def live_cost(p: iv.Portfolio) -> dict[str, float]:
    """Annual cost of live services per currency: only live services run."""
    out: dict[str, float] = {}
    for s in p.services:
        if s.annual_cost is not None and s.lifecycle is iv.Lifecycle.LIVE:
            currency = s.annual_cost.currency
            out[currency] = out.get(currency, 0.0) + s.annual_cost.amount
    return out


def annual_loss(p: iv.Portfolio, outcome: str) -> float | None:
    """Annual volume × (1 − expected delivery) × unit value (units without a value).

    ``None`` for an outcome without a volume: its loss cannot be stated.
    """
    o = p.outcome(outcome)
    if o.volume is None:
        return None
    yearly = o.volume.amount * 8760 / o.volume.per.hours
    value = 1.0 if o.unit_value is None else o.unit_value.amount
    return yearly * (1.0 - expected(p, outcome)) * value


def net_benefit(before: iv.Portfolio, after: iv.Portfolio) -> dict[str, float]:
    """Per currency, −(change in expected annual loss) − (change in live annual cost).

    Only outcomes on both sides count, and only those valued in the same currency with
    the same unit on both.
    """
    out: dict[str, float] = {}
    for c, amount in live_cost(before).items():
        out[c] = out.get(c, 0.0) + amount
    for c, amount in live_cost(after).items():
        out[c] = out.get(c, 0.0) - amount
    ids = {o.id for o in before.outcomes}
    for o1 in after.outcomes:
        if o1.id not in ids:
            continue
        o0 = before.outcome(o1.id)
        if o0.volume is None or o1.volume is None or o0.unit_value is None:
            continue
        if o1.unit_value is None or o0.unit_value.currency != o1.unit_value.currency:
            continue
        if o0.volume.unit != o1.volume.unit:
            continue
        loss0, loss1 = annual_loss(before, o0.id), annual_loss(after, o1.id)
        assert loss0 is not None
        assert loss1 is not None
        currency = o1.unit_value.currency
        out[currency] = out.get(currency, 0.0) + loss0 - loss1
    return out
