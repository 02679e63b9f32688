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

**Ranges of units.** Whether ``t`` is down when ``u`` fails does not depend on any other
unit, so the units split into ranges and each range runs the same pass with bitsets
over that range only: exact, independent, and as wide as the range (at most
:data:`WIDTH` bits), which bounds the memory of a pass and lets ranges run on other
processes or machines (:func:`run`). With services as units, a range starts at its first
unit: every service before it is a service no unit of the range can take down.

**Outcomes.** An outcome ``o`` delivers ``∏ c_t(o)`` over ``t ∈ K(u)``, with the
per-service factors ``c_t`` of :func:`~itvalue.analysis._core.factors`. Supporters with
``c_t(o) = 0`` zero the outcome: the union of their killers, one bitset per outcome. The
partial factors are *counted* rather than walked: per outcome and factor value, a
bit-sliced counter (one bitset per binary digit, added to with a carry chain in
word-parallel integer arithmetic) holds, per unit, how many of its victims carry that
factor; the counters are unpacked with numpy once per range, and what the outcome
delivers is ``∏ f ** count``. Python never walks the members of a set.

Complexity: O((V + E) · U / w) word operations for the killer sets (w = 64, U units,
halved on average for services, whose ranges start at their first unit), plus
O(P · log m · U / w) for the counters (P supporter–outcome pairs, m of them per outcome
and factor), plus O(O · U) numpy work for the O outcomes reached. Memory: one bitset of
at most :data:`WIDTH` bits per service whose dependents are still to come.
"""

from __future__ import annotations

import itertools
import math
import pickle
import random
import statistics
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Executor, as_completed
from typing import TYPE_CHECKING, Any, Literal

import attrs

from itvalue._gc import paused_gc
from itvalue._graphcore import GraphCore, Group
from itvalue.analysis._core import down_value, factors
from itvalue.model import Service, StakeholderKind

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "LOCAL",
    "SAMPLE",
    "SPARSE_WIDTH",
    "WIDTH",
    "Plan",
    "Reduction",
    "is_local",
    "members",
    "plan",
    "run",
    "run_range",
    "service_units",
    "supplier_units",
]

#: The most units one pass carries in its bitsets (8 KiB per set).
WIDTH = 1 << 16
#: The most units one pass carries in its sets when failures stay local.
SPARSE_WIDTH = 1 << 32
#: Failures reaching fewer services than this, for most units, count as local.
LOCAL = 64
#: How many units :func:`is_local` looks at.
SAMPLE = 31

#: What a progress callback receives: units done, units in all.
Progress = Callable[[int, int], None]

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


def service_units(core: GraphCore) -> tuple[list[int], int]:
    """Per service, its unit (its own index) when it is live, else -1; and the unit count."""
    return [t if core.live[t] else -1 for t in core.range("service")], core.service_count


def supplier_units(core: GraphCore) -> tuple[list[int], list[str]]:
    """Per service, the unit of its supplier when it is live and supplied, else -1.

    Returns:
        The units, and the supplier ids by unit (every supplier, in document order).
    """
    suppliers = [s.id for s in core.portfolio.stakeholders if s.kind is StakeholderKind.SUPPLIER]
    position = {key: k for k, key in enumerate(suppliers)}
    unit_of = []
    for t in core.range("service"):
        service = core.entities[t]
        assert isinstance(service, Service)
        provider = service.provided_by
        unit_of.append(position[provider] if provider is not None and core.live[t] else -1)
    return unit_of, suppliers


@attrs.frozen(slots=True, kw_only=True)
class Plan:
    """What a pass over a range of units needs: plain tuples, picklable, no portfolio.

    Attributes:
        required: Per service, its ungrouped dependencies.
        groups: Per service, its redundancy groups as ``(members, min_up)``.
        release: Per service, the services whose killer sets are last read there.
        kept: Per service, whether a later service reads its killer set.
        unit_of: Per service, the unit its own failure belongs to, or -1.
        units: How many units there are.
        effects: Per service, ``(outcome, factor)`` for each outcome of interest its
            being down reduces (only the zero factors when only stops are asked for).
        sparse: Whether failures stay local enough that the sets are frozensets over
            every unit at once, rather than integer bitsets over ranges of
            :data:`WIDTH` units (:func:`is_local`).
    """

    required: tuple[tuple[int, ...], ...]
    groups: tuple[tuple[Group, ...], ...]
    release: tuple[tuple[int, ...], ...]
    kept: tuple[bool, ...]
    unit_of: tuple[int, ...]
    units: int
    effects: tuple[tuple[tuple[int, float], ...], ...]
    sparse: bool = False


@attrs.frozen(slots=True, kw_only=True)
class Reduction:
    """What a pass returns per unit, reduced over outcomes inside the worker.

    Attributes:
        kind: ``"risk"``: per unit, the weighted loss ``Σ w_o · (1 − delivered)``;
            ``"stops"``: per outcome, the units whose lone failure stops it;
            ``"recovery"``: per unit, the least ``w_o / (1 − delivered)`` over the
            outcomes it reduces, and the outcome (the first on a tie).
        weights: Per outcome index, its weight (money or units per hour, or the
            tolerable outage in hours).
    """

    kind: Literal["risk", "stops", "recovery"]
    weights: Mapping[int, float]


#: One range's result, in numpy arrays: risk per unit; units per outcome; or (hours,
#: outcome) per unit.
RangeResult = Any


def plan(
    core: GraphCore, unit_of: Sequence[int], units: int, outcomes: Collection[int], *, zeros: bool
) -> Plan:
    """The plan of a pass: the graph's adjacency and the factors on ``outcomes``.

    With ``zeros``, only the factors that stop an outcome are kept (enough for
    single points of failure).
    """
    table = factors(core)
    n = core.service_count
    release = core.memo.release
    if release is None:
        last: list[list[int]] = [[] for _ in range(n)]
        for d, dependents in enumerate(core.dependents):
            if dependents:  # in increasing order: services are indexed topologically
                last[dependents[-1]].append(d)
        release = core.memo.release = tuple(map(tuple, last))
    wanted = set(outcomes)
    none: tuple[tuple[int, float], ...] = ()
    effects = [none] * n
    for t, reduced in enumerate(table):
        if reduced:
            effects[t] = tuple(
                (o, f) for o, f in reduced if o in wanted and (f == 0.0 or not zeros)
            )
    return Plan(
        required=core.required,
        groups=core.groups,
        release=release,
        kept=tuple(bool(d) for d in core.dependents),
        unit_of=tuple(unit_of),
        units=units,
        effects=tuple(effects),
        sparse=is_local(core, unit_of),
    )


def is_local(core: GraphCore, unit_of: Sequence[int]) -> bool:
    """Whether single failures stay local: most reach fewer than :data:`LOCAL` services.

    Judged on a seeded sample of units (the median, so that a few hubs that reach
    everything do not count), by the services downstream of each, counted up to
    :data:`LOCAL`. Where failures stay local, a unit's set of victims is small and a
    set of a few members beats a bitset as wide as the units; where they cascade far,
    bitsets win.
    """
    owners = [t for t, u in enumerate(unit_of) if u >= 0]
    if not owners:
        return False
    sample = random.Random(0).sample(owners, min(SAMPLE, len(owners)))
    dependents = core.dependents
    reach = []
    for t in sample:
        seen = {t}
        stack = [t]
        while stack and len(seen) < LOCAL:
            for d in dependents[stack.pop()]:
                if d not in seen:
                    seen.add(d)
                    stack.append(d)
        reach.append(len(seen))
    return statistics.median(reach) < LOCAL


def _add(counter: list[Any], bits: Any) -> None:
    """Add one to the bit-sliced counter wherever ``bits`` is set (a carry chain)."""
    carry = bits
    for i, digit in enumerate(counter):
        counter[i] = digit ^ carry
        carry = carry & digit
        if not carry:
            return
    counter.append(carry)


def _unpack(bits: int, width: int) -> npt.NDArray[np.uint8]:
    """The bits as an array of 0 and 1, bit ``i`` at position ``i``."""
    import numpy as np

    data = np.frombuffer(bits.to_bytes((width + 7) // 8, "little"), dtype=np.uint8)
    return np.unpackbits(data, count=width, bitorder="little")


def _positions(bits: Any, width: int) -> npt.NDArray[np.int64]:
    """The members of a set of units, an integer bitset or a frozenset, as an array."""
    import numpy as np

    if isinstance(bits, int):
        return np.flatnonzero(_unpack(bits, width))
    return np.fromiter(bits, dtype=np.int64, count=len(bits))


def _chained(sets: list[frozenset[int]]) -> npt.NDArray[np.int64]:
    """The members of every set, one after the other, repeats kept."""
    import numpy as np

    return np.fromiter(
        itertools.chain.from_iterable(sets), dtype=np.int64, count=sum(map(len, sets))
    )


def run_range(p: Plan, lo: int, hi: int, reduction: Reduction) -> RangeResult:
    """One pass with sets over units ``lo .. hi - 1``, reduced as ``reduction`` says.

    Unit ``u`` is member ``u - lo``; results are indexed the same way. Sets are
    integer bitsets, or frozensets when the plan says failures stay local
    (:attr:`Plan.sparse`): the down rule runs over either, since both spell "or" ``|``
    and "and" ``&``.
    """
    import numpy as np

    width = hi - lo
    unit_of = p.unit_of
    start = next((t for t, u in enumerate(unit_of) if lo <= u < hi), len(unit_of))
    required, groups, release, kept, effects = p.required, p.groups, p.release, p.kept, p.effects
    empty: Any = frozenset() if p.sparse else 0
    killers: list[Any] = [empty] * len(unit_of)
    zeroed: dict[int, Any] = {}
    counters: dict[int, dict[float, list[Any]]] = {}
    for t in range(start, len(unit_of)):
        u = unit_of[t]
        # The down rule with its ungrouped dependencies taken first: "or" is associative,
        # so down_value(own | r1 | r2, (), groups) is down_value(own, (r1, r2), groups).
        if lo <= u < hi:
            bits: Any = frozenset((u - lo,)) if p.sparse else 1 << (u - lo)
        else:
            bits = empty
        for d in required[t]:
            bits = bits | killers[d]
        grouped = groups[t]
        if grouped:
            bits = down_value(bits, (), [([killers[m] for m in g], k) for g, k in grouped])
        for d in release[t]:
            killers[d] = empty
        if not bits:
            continue
        if kept[t]:
            killers[t] = bits
        for o, f in effects[t]:
            if p.sparse:  # small sets: kept as they are, counted in numpy at the end
                if f == 0.0:
                    zeroed.setdefault(o, []).append(bits)
                else:
                    counters.setdefault(o, {}).setdefault(f, []).append(bits)
            elif f == 0.0:
                zeroed[o] = zeroed.get(o, empty) | bits
            else:
                by_factor = counters.setdefault(o, {})
                counter = by_factor.get(f)
                if counter is None:
                    by_factor[f] = [bits]
                else:
                    _add(counter, bits)
    if p.sparse:
        zeroed = {o: np.unique(_chained(sets)) for o, sets in zeroed.items()}
    else:
        zeroed = {o: _positions(bits, width) for o, bits in zeroed.items()}
    if reduction.kind == "stops":
        return {o: found + lo for o, found in zeroed.items()}
    weights = reduction.weights
    risk = np.zeros(width)
    hours = np.full(width, math.inf)
    setter = np.full(width, -1, dtype=np.int64)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for o in sorted(zeroed.keys() | counters.keys()):
            delivered = np.ones(width)
            for f, counter in counters.get(o, {}).items():
                if p.sparse:  # the sets of victims carrying this factor, one per victim
                    count = np.bincount(_chained(counter), minlength=width)
                else:  # a bit-sliced counter
                    count = np.zeros(width, dtype=np.int64)
                    for i, digit in enumerate(counter):
                        count[_positions(digit, width)] += 1 << i
                delivered *= np.power(f, count)
            stopped = zeroed.get(o)
            if stopped is not None:
                delivered[stopped] = 0.0
            lost = 1.0 - delivered
            hit = np.flatnonzero(lost > 0.0)
            if reduction.kind == "risk":
                risk[hit] += weights[o] * lost[hit]
            else:
                need = weights[o] / lost[hit]
                better = need < hours[hit]
                hours[hit[better]] = need[better]
                setter[hit[better]] = o
    if reduction.kind == "risk":
        return risk
    return hours, setter


# Plans already received by this process, by token: a worker unpickles each plan once.
_RECEIVED: dict[str, Plan] = {}


def _run_shipped(token: str, blob: bytes, lo: int, hi: int, reduction: Reduction) -> RangeResult:
    """:func:`run_range` in a worker, on a pickled plan kept for the next range."""
    found = _RECEIVED.get(token)
    if found is None:
        _RECEIVED.clear()
        found = _RECEIVED[token] = pickle.loads(blob)  # our own plan, from run()
    return run_range(found, lo, hi, reduction)


def ranges(units: int, width: int, parts: int) -> list[tuple[int, int]]:
    """Ranges covering units ``0 .. units - 1``: at least ``parts``, each at most ``width``."""
    if units <= 0:
        return []
    count = max(-(-units // width), min(parts, units))
    step = -(-units // count)
    return [(lo, min(lo + step, units)) for lo in range(0, units, step)]


def run(
    p: Plan,
    reduction: Reduction,
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
    width: int | None = None,
    parts: int = 4,
) -> list[tuple[int, RangeResult]]:
    """Every range's result, in order of ranges, each with the range's first unit.

    Serially, ranges run one after the other; with an ``executor``, as at least
    ``parts`` tasks, the plan pickled once and unpickled once per worker process.
    ``progress`` is called with (units done, units) as ranges finish. ``width``
    defaults to :data:`WIDTH` (:data:`SPARSE_WIDTH` for a sparse plan), read at the
    call.
    """
    # A range's pass walks every service from its first unit on; sets of a few members
    # make that walk, not the width, the cost, so a sparse plan splits in two at most.
    full, most = (SPARSE_WIDTH, min(parts, 2)) if p.sparse else (WIDTH, parts)
    spans = ranges(p.units, width or full, most if executor is not None else 1)
    results: dict[int, RangeResult] = {}
    with paused_gc():  # the pass makes many objects and keeps few: nothing for it to find
        _gather(p, reduction, spans, results, executor, progress)
    return [(lo, results[lo]) for lo, _hi in spans]


def _gather(
    p: Plan,
    reduction: Reduction,
    spans: list[tuple[int, int]],
    results: dict[int, RangeResult],
    executor: Executor | None,
    progress: Progress | None,
) -> None:
    done = 0
    if executor is None:
        for lo, hi in spans:
            results[lo] = run_range(p, lo, hi, reduction)
            done += hi - lo
            if progress is not None:
                progress(done, p.units)
    else:
        blob = pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)
        token = uuid.uuid4().hex
        futures = {
            executor.submit(_run_shipped, token, blob, lo, hi, reduction): (lo, hi)
            for lo, hi in spans
        }
        for future in as_completed(futures):
            lo, hi = futures[future]
            results[lo] = future.result()
            done += hi - lo
            if progress is not None:
                progress(done, p.units)
