"""The rules every analysis shares, each written once.

The exact semantics are on the documentation page "Exact semantics"; in brief:

* **The down rule** (:func:`down_value`): a service is down iff it failed itself, or one
  of its ungrouped dependencies is down, or one of its redundancy groups has more of its
  members down than it can spare (with ``n`` members of which ``min_up`` must be up:
  more than ``n − min_up``; for the usual ``min_up = 1``, all of them). It is written
  over a Boolean algebra, so the same function serves a single scenario (``bool``: is
  this service down?), many Monte Carlo samples at once (``int`` bitsets over samples)
  and every single-service failure at once (``int`` bitsets over the failing service,
  for the ranking, or numpy arrays of such bitsets, one per row, for many services at
  once): ``|`` is "or", ``&`` is "and" in all of them. :func:`is_down` is the
  same rule for one scenario with short cuts, held equal to it by a property test.
* **Delivered fractions** (:func:`delivered_fractions`): a process delivers
  ``∏ (1 − h)`` over its down supporters (share ``h``); products, outcomes and segments
  deliver the product of what enables them. The rule is a product over the down
  services, so what a set of them leaves is the product of what each leaves alone:
  :func:`factors` keeps, per service, the fractions of its lone failure, which the
  all-at-once analyses multiply (a property test holds the two ways equal).
* **Hourly values** (:func:`hourly_values`, :func:`hourly_units`): what an hour of an
  outcome's full volume is worth, in money of one currency or in units.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Container, Iterable, Sequence
from functools import reduce
from operator import and_, or_
from typing import TYPE_CHECKING, TypeVar

from itvalue._graphcore import GraphCore, Group
from itvalue.errors import AnalysisError
from itvalue.model import Money, Outcome

__all__ = [
    "at_least",
    "currencies_in_use",
    "delivered_fractions",
    "down_services",
    "down_value",
    "factors",
    "finite_money",
    "hourly_units",
    "hourly_values",
    "is_down",
]

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: A Boolean algebra the down rule runs over: one scenario (bool), a bitset (int), or
#: many bitsets at once (a numpy array of words, one set per row).
B = TypeVar("B", bool, int, "npt.NDArray[np.uint64]")


def at_least(values: Sequence[B], count: int) -> B:
    """Where at least ``count`` of ``values`` hold (``1 <= count <= len(values)``).

    For bitsets, bit ``i`` of the result is set iff it is set in at least ``count`` of
    the values. Counting runs as a running "at least j so far" for j up to ``count``:
    O(len(values) · count) operations, one each for the usual all-of and any-of cases.
    """
    if count == len(values):
        return reduce(and_, values)
    if count == 1:
        return reduce(or_, values)
    # so_far[j - 1]: where at least j of the values seen so far hold.
    so_far: list[B] = [values[0]]
    for seen, value in enumerate(values[1:], start=1):
        top = min(seen + 1, count)
        if top > len(so_far):
            so_far.append(so_far[-1] & value)
        for j in range(min(top, len(so_far)) - 1, 0, -1):
            so_far[j] = so_far[j] | (so_far[j - 1] & value)
        so_far[0] = so_far[0] | value
    return so_far[count - 1]


def down_value(own: B, required: Iterable[B], groups: Iterable[tuple[Sequence[B], int]]) -> B:
    """The down rule: whether (or where) a service is down.

    Args:
        own: Whether the service failed on its own.
        required: Whether each ungrouped dependency is down.
        groups: For each redundancy group, whether each member is down, and how many
            members must be up (``min_up``).
    """
    down = own
    for value in required:
        down = down | value
    for members, min_up in groups:
        down = down | at_least(members, len(members) - min_up + 1)
    return down


def is_down(down: Container[int], required: Iterable[int], groups: Iterable[Group]) -> bool:
    """:func:`down_value` for one scenario, given the set of services already down.

    The same rule, stopping at the first cause found; a property test holds it equal
    to :func:`down_value` over ``bool``.
    """
    for d in required:
        if d in down:
            return True
    for members, min_up in groups:
        spare = len(members) - min_up
        count = 0
        for m in members:
            if m in down:
                count += 1
                if count > spare:
                    return True
    return False


def down_services(core: GraphCore, failed: Iterable[int]) -> list[int]:
    """Indices of the services down when ``failed`` fail, in topological order.

    Complexity: O(d log d + e) for d services down and e edges leaving them.
    """
    down: set[int] = set(failed)
    dependents = core.dependents
    required = core.required
    groups = core.groups
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
        if is_down(down, required[i], groups[i]):
            down.add(i)
            for j in dependents[i]:
                heapq.heappush(heap, j)
    return sorted(down)


def delivered_fractions(core: GraphCore, down: Iterable[int]) -> dict[int, float]:
    """Delivered fraction of every process, product, outcome and segment ``down`` affects.

    A process delivers ``∏ (1 − h)`` over its down supporters (share ``h``); a product,
    outcome or segment the product of what enables it. Nodes left at 1 are absent.

    Complexity: O(s + e) for the s supports of the down services and the e edges below
    the processes they reach.
    """
    fractions: dict[int, float] = {}
    supports = core.supports
    for s in down:
        for p, share in supports[s]:
            keep = 1.0 - share
            if keep < 1.0:  # a share so small that 1 − h rounds to 1 affects nothing
                fractions[p] = fractions.get(p, 1.0) * keep
    # Indices grow the way value flows (processes, products, outcomes, segments), so
    # taking nodes in increasing order settles each before it passes its value on.
    succ = core.succ
    heap = list(fractions)
    heapq.heapify(heap)
    while heap:
        x = heapq.heappop(heap)
        value = fractions[x]
        for t in succ[x]:
            if t not in fractions:
                heapq.heappush(heap, t)
            fractions[t] = fractions.get(t, 1.0) * value
    return fractions


def factors(core: GraphCore) -> tuple[tuple[tuple[int, float], ...], ...]:
    """Per service, what its being down alone does: ``(node, delivered)`` pairs.

    The delivered fractions of :func:`delivered_fractions` for that one service. By the
    product rule, what a set of down services leaves is the product of these factors
    over the set (a property test holds the two equal). Kept with the graph.

    Complexity: O(S · r) for S services and r nodes reached from a service's supports.
    """
    found = core.memo.factors
    if found is None:
        found = core.memo.factors = tuple(
            tuple(sorted(delivered_fractions(core, (t,)).items())) if core.supports[t] else ()
            for t in core.range("service")
        )
    return found


def currencies_in_use(core: GraphCore) -> list[str]:
    """Sorted currencies of the unit values of outcomes that have a volume."""
    return sorted(
        {
            o.unit_value.currency
            for o in _outcomes(core)
            if o.unit_value is not None and o.volume is not None
        }
    )


def hourly_values(core: GraphCore, currency: str | None) -> dict[int, float]:
    """Per outcome index, what an hour of its full volume is worth in ``currency``.

    Outcomes without a volume, a unit value, or valued in another currency are absent.
    """
    values: dict[int, float] = {}
    if currency is None:
        return values
    for i, o in zip(core.range("outcome"), _outcomes(core), strict=True):
        if o.volume is not None and o.unit_value is not None and o.unit_value.currency == currency:
            values[i] = o.volume.per_hour * o.unit_value.amount
    return values


def hourly_units(core: GraphCore) -> dict[int, float]:
    """Per outcome index with a volume, its units per hour."""
    return {
        i: o.volume.per_hour
        for i, o in zip(core.range("outcome"), _outcomes(core), strict=True)
        if o.volume is not None
    }


def finite_money(amount: float, currency: str, *, what: str) -> Money:
    """``Money(amount, currency)``, or a clear error when the figure overflows.

    Valid volumes and values can multiply past the largest float; that is an analysis
    that cannot be stated, not a broken document.

    Raises:
        AnalysisError: ``amount`` is not finite.
    """
    if not math.isfinite(amount):
        raise AnalysisError(
            f"{what} is too large to state: it overflows a floating-point number",
            hint="check the outcome's volume and unit value; amounts above about 1.8e308 "
            "cannot be computed",
        )
    return Money(amount=amount, currency=currency)


def _outcomes(core: GraphCore) -> Sequence[Outcome]:
    lo, hi = core.bounds["outcome"]
    return core.entities[lo:hi]  # type: ignore[return-value]
