"""What every single failure does, for all of them at once, with bitsets.

A *failure unit* is what fails as one: a live service (non-live services cannot fail),
or a supplier, whose live services all fail together. The impact of unit ``u`` alone
depends on ``K(u)``, the services down when only ``u`` fails. Rather than cascading once
per unit, this module computes, for every service ``t``, the set of units whose lone
failure takes ``t`` down — its *killers* — as a bitset over units, in one topological
pass. The killers of ``t`` are the down rule of :mod:`itvalue.analysis._core` itself
(:func:`~itvalue.analysis._core.down_value`), run over bitsets: the units ``t`` belongs
to, or the killers of a required dependency, or, for a group, the units found in more
of its members' killer sets than the group can spare (counted, not only intersected,
for groups that need more than one member up). So ``t ∈ K(u)`` iff ``u ∈ killers(t)``.

**Level by level, in numpy.** A service's *level* is one more than the highest level
among its dependencies (found layer by layer in numpy), so the services of a level
depend only on lower ones. When the sets are long and the levels wide (at least
:data:`LEVEL` units, and services per level on average), the pass runs a level at a
time (:func:`layout_of`): the killer sets are rows of 64-bit words in one numpy matrix;
the services of a level with the same *shape* (number of ungrouped dependencies, and
each group's size and ``min_up``) form a batch, whose dependencies' rows are gathered
with fancy indexing, a block of :data:`BLOCK` bytes at a time, and handed to
:func:`~itvalue.analysis._core.down_value` as they are: numpy arrays spell "or" ``|``
and "and" ``&`` like integers, so the rule is still written once. A set holds no unit
above the highest among the service's own and its dependencies' (for services as units,
its own), so a batch's rows are sorted by that bound and each block gathers only the
words below it. A row is given back after the last level that reads it and taken by a
later set. Below those sizes numpy's cost per call would outweigh its speed per word;
there the pass walks the services one at a time with Python integers as bitsets, or
with frozensets when failures stay local (:func:`is_local`).

**Ranges of units.** Whether ``t`` is down when ``u`` fails does not depend on any other
unit, so the units split into ranges and each range runs the same pass with bitsets
over that range only: exact, independent, and as wide as the range (at most
:data:`WIDTH` bits), which bounds the memory of a pass and lets ranges run on other
processes or machines (:func:`run`). A service none of whose own and upstream units is
in the range (with services as units, every service before the range's first unit)
has an empty set: the walk starts after them and the numpy pass gives them no row.

**Outcomes.** An outcome ``o`` delivers ``∏ c_t(o)`` over ``t ∈ K(u)``, with the
per-service factors ``c_t`` of :func:`~itvalue.analysis._core.factors`. Supporters with
``c_t(o) = 0`` zero the outcome: the union of their killers, one bitset per outcome. The
partial factors are *counted* rather than walked: per outcome and factor value, a
bit-sliced counter (one bitset per binary digit) holds, per unit, how many of its
victims carry that factor. In numpy, a level's supporters are added to their counters
in rounds, the counters with the most supporters first, so that round ``i`` adds one row
to each of a prefix of counters that all hold ``i`` rows: one carry chain, as long as
``i + 1`` has digits, for all of them; two rounds at a time go through a carry-save
adder first. Once per range, each counter's digit planes are unpacked together into
counts, and the counts into powers through a table of ``f ** k``: the outcome delivers
``∏ f ** count``. Python never walks the members of a set.

Complexity: O((V + E) · U / w) word operations for the killer sets (w = 64, U units;
for services as units about half that, as a set ends at its own unit), plus
O(P · log m · U / w) for the counters (P supporter–outcome pairs, m of them per outcome
and factor), plus O(O · U + F · U) numpy work to reduce them, for the O outcomes and F
(outcome, factor) pairs reached (when failures stay local, the members of each outcome's
sets instead of U per outcome and factor). In numpy that is O(levels × shapes) calls per range,
plus one call per dependency and block of :data:`BLOCK` bytes; laying a plan out is
O(V + E). Memory per range: a row of at most :data:`WIDTH` bits (8 KiB) for each set
still to be read, at most those of the widest stretch of levels that one level reads
back to (about 300,000 rows, 2.3 GB, for a million services in ten levels), the row
indices of the pass, O(V + E), and the counters, one row per digit and (outcome,
factor) pair.
"""

from __future__ import annotations

import itertools
import math
import pickle
import random
import statistics
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, as_completed
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal

import attrs

from itvalue._gc import paused_gc
from itvalue._graphcore import GraphCore, Group
from itvalue.analysis._core import down_value, factors
from itvalue.model import Service, StakeholderKind

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    #: Indices (of services, units, rows), one per element.
    Index = npt.NDArray[np.int64]
    #: Sets as rows of 64-bit words, bit ``i`` of word ``w`` standing for member ``64 w + i``.
    Words = npt.NDArray[np.uint64]

__all__ = [
    "BLOCK",
    "LEVEL",
    "LOCAL",
    "SAMPLE",
    "SPARSE_WIDTH",
    "WIDTH",
    "Layout",
    "Plan",
    "Reduction",
    "is_local",
    "layout_of",
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
#: Services per level, on average, and units, from which the pass runs level by level
#: in numpy.
LEVEL = 1000
#: Bytes of the sets the numpy pass gathers at once: enough to keep numpy's cost per
#: call small, few enough that the temporaries come from the heap, not from fresh pages.
BLOCK = 1 << 19

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
            every unit at once, rather than bitsets over ranges of :data:`WIDTH` units
            (:func:`is_local`).
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
    with paused_gc():  # tuples by the hundred thousand, none of them in a cycle
        return _plan(core, unit_of, units, outcomes, zeros=zeros)


def _plan(
    core: GraphCore, unit_of: Sequence[int], units: int, outcomes: Collection[int], *, zeros: bool
) -> Plan:
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


def run_range(
    p: Plan, lo: int, hi: int, reduction: Reduction, *, layout: Layout | None = None
) -> RangeResult:
    """One pass with sets over units ``lo .. hi - 1``, reduced as ``reduction`` says.

    Unit ``u`` is member ``u - lo``; results are indexed the same way. Sets are rows of
    words in numpy when the plan's sets are long and its levels wide (:func:`layout_of`),
    else integer bitsets, or frozensets when the plan says failures stay local
    (:attr:`Plan.sparse`): the down rule runs over each, since all spell "or" ``|`` and
    "and" ``&``. ``layout`` is the plan's :func:`layout_of`, made here when not given.
    """
    return _run(p, layout if layout is not None else layout_of(p), lo, hi, reduction, _Rows())


def _run(
    p: Plan, lay: Layout | None, lo: int, hi: int, reduction: Reduction, store: _Rows
) -> RangeResult:
    """:func:`run_range` with the layout (``None``: walk) and the rows to reuse given."""
    if lay is None:
        return _walk(p, lo, hi, reduction)
    return _by_levels(p, lay, lo, hi, reduction, store)


# --- one service at a time: Python integers or frozensets ---------------------------


def _walk(p: Plan, lo: int, hi: int, reduction: Reduction) -> RangeResult:
    """The pass one service at a time, with integer bitsets or, when sparse, frozensets."""
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
        stopped = {o: np.unique(_chained(sets)) for o, sets in zeroed.items()}
    else:
        stopped = {o: np.flatnonzero(_planes([bits], width)[0]) for o, bits in zeroed.items()}
    if reduction.kind == "stops":
        return {o: found + lo for o, found in stopped.items()}
    outcomes = sorted(stopped.keys() | counters.keys())
    if p.sparse:
        return _reduce(
            width, (_touched(o, stopped.get(o), counters.get(o, {})) for o in outcomes), reduction
        )

    def counted(o: int) -> Iterator[tuple[float, Any, int]]:
        for f, counter in counters.get(o, {}).items():  # a bit-sliced counter
            yield f, _counts(_planes(counter, width), width), (1 << len(counter)) - 1

    return _reduce(width, ((o, None, stopped.get(o), counted(o)) for o in outcomes), reduction)


def _touched(
    o: int, stopped: npt.NDArray[np.int64] | None, counters: dict[float, list[Any]]
) -> tuple[int, Any, Any, list[tuple[float, Any, int]]]:
    """Outcome ``o`` of a sparse pass, on the units that reach it only.

    The units any of the outcome's sets hold, in order; where each stopping unit is
    among them; and per factor, how many of each one's victims carry it. Units no set
    holds lose nothing to the outcome, so leaving them out changes no figure, and the
    work is what the sets hold rather than the width of every unit per outcome.
    """
    import numpy as np

    chained = {f: _chained(sets) for f, sets in counters.items()}
    parts = [*chained.values()] if stopped is None else [stopped, *chained.values()]
    where = np.unique(np.concatenate(parts))
    size = len(where)
    counted = []
    for f, members in chained.items():
        count = np.bincount(np.searchsorted(where, members), minlength=size)
        counted.append((f, count, int(count.max(initial=0))))
    at = None if stopped is None else np.searchsorted(where, stopped)
    return o, where, at, counted


def _add(counter: list[Any], bits: Any) -> None:
    """Add one to the bit-sliced counter wherever ``bits`` is set (a carry chain)."""
    carry = bits
    for i, digit in enumerate(counter):
        counter[i] = digit ^ carry
        carry = carry & digit
        if not carry:
            return
    counter.append(carry)


def _planes(digits: Sequence[int], width: int) -> npt.NDArray[np.uint8]:
    """Integer bitsets as rows of bits, 0 or 1, bit ``i`` at column ``i`` (whole words)."""
    import numpy as np

    size = -(-width // 64) * 8
    data = np.frombuffer(b"".join(d.to_bytes(size, "little") for d in digits), dtype=np.uint8)
    return np.unpackbits(data.reshape(len(digits), size), axis=1, bitorder="little")


def _chained(sets: list[frozenset[int]]) -> npt.NDArray[np.int64]:
    """The members of every set, one after the other, repeats kept."""
    import numpy as np

    return np.fromiter(
        itertools.chain.from_iterable(sets), dtype=np.int64, count=sum(map(len, sets))
    )


# --- level by level, in numpy ----------------------------------------------------------


def _bucket(count: int) -> int:
    """How many ungrouped dependencies a batch is padded to: few sizes beyond eight."""
    size = 8
    while size < count:
        size = size * 3 // 2 if size & (size - 1) == 0 else size * 4 // 3
    return count if count <= 8 else size


@attrs.frozen(slots=True, kw_only=True, eq=False)
class _Batch:
    """Services of one level and one shape, whose killer sets are computed together.

    Attributes:
        services: The services, ascending.
        required: Per service (one row each), its ungrouped dependencies, padded with
            the service that is never down.
        groups: Per group, the members (one row per service) and ``min_up``.
    """

    services: Index
    required: Index
    groups: tuple[tuple[Index, int], ...]


@attrs.frozen(slots=True, kw_only=True, eq=False)
class Layout:
    """A plan laid out for the numpy pass: its services by level and shape, its effects.

    Index ``n``, one past the last service, stands for a service that is never down: it
    pads the batches.

    Attributes:
        levels: Per level, its batches.
        unit_of: :attr:`Plan.unit_of`, with -1 for the padding service.
        wanted: Per service, whether its killer set is read later or has effects.
        ending: Per level, the wanted services whose sets are no longer read after it.
        partial: Per level, the services and pair indices of its partial factors.
        stopping: Per level, the services and outcomes of its zero factors.
        pairs: The (outcome, factor) pairs of the partial factors, by pair index.
        most: Per pair, how many services carry it: no count can exceed it.
    """

    levels: tuple[tuple[_Batch, ...], ...]
    unit_of: Index
    wanted: npt.NDArray[np.bool_]
    ending: tuple[Index, ...]
    partial: tuple[tuple[Index, Index], ...]
    stopping: tuple[tuple[Index, Index], ...]
    pairs: tuple[tuple[int, float], ...]
    most: tuple[int, ...]


def layout_of(p: Plan, least: int | None = None) -> Layout | None:
    """The plan laid out for the numpy pass; ``None`` when the pass walks the services.

    It walks them when the plan is sparse, or when its sets are short or its levels
    narrow: fewer than ``least`` units, or services per level on average (:data:`LEVEL`,
    read at the call, by default). Numpy pays off on long rows and wide levels; on
    short ones, integer bitsets cost less than the calls that would carry them.

    Complexity: O(V + E) in numpy, plus O(V + E) Python steps to read the tuples.
    """
    import numpy as np

    wide = LEVEL if least is None else least
    n = len(p.unit_of)
    if p.sparse or not n or n < wide or p.units < wide:
        return None
    chain = itertools.chain.from_iterable
    services = np.arange(n)
    r_len = np.fromiter(map(len, p.required), dtype=np.int64, count=n)
    r_flat = np.fromiter(chain(p.required), dtype=np.int64, count=int(r_len.sum()))
    r_start = np.cumsum(r_len) - r_len
    g_count = np.fromiter(map(len, p.groups), dtype=np.int64, count=n)
    listed: list[Group] = list(chain(p.groups))
    member_lists = list(map(itemgetter(0), listed))
    g_size = np.fromiter(map(len, member_lists), dtype=np.int64, count=len(listed))
    g_min = np.fromiter(map(itemgetter(1), listed), dtype=np.int64, count=len(listed))
    g_flat = np.fromiter(chain(member_lists), dtype=np.int64, count=int(g_size.sum()))
    g_start = np.cumsum(g_size) - g_size
    g_owner = np.repeat(services, g_count)
    level = _levels(
        n,
        n // wide if wide > 0 else n,
        np.concatenate((r_flat, g_flat)),
        np.repeat(services, r_len),
        np.repeat(g_owner, g_size),
    )
    if level is None:
        return None
    depth = int(level.max(initial=0))
    # A batch's key: level, padded count of ungrouped dependencies, then the groups'
    # (size, min_up) in order, so that the order a service lists its groups in is moot.
    code = g_size << 32 | g_min
    order = np.lexsort((code, g_owner))
    slot = np.arange(len(listed)) - (np.cumsum(g_count) - g_count)[g_owner[order]]
    width = int(g_count.max(initial=0))
    codes = np.full((n, width), -1, dtype=np.int64)
    codes[g_owner[order], slot] = code[order]
    which = np.zeros((n, width), dtype=np.int64)
    which[g_owner[order], slot] = order
    padded = np.array([_bucket(r) for r in range(int(r_len.max(initial=0)) + 1)])[r_len]
    keys = np.column_stack((level, padded, codes))
    by_key = np.lexsort(keys.T[::-1])  # stable: services ascending within a batch
    keys = keys[by_key]
    starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)])
    batches: list[list[_Batch]] = [[] for _ in range(depth + 1)]
    r_flat = np.append(r_flat, n)  # past the end: the padding service
    for key, chosen in zip(keys[starts].tolist(), np.split(by_key, starts[1:]), strict=True):
        lv, r = key[0], key[1]
        column = np.arange(r)
        spots = r_start[chosen, None] + column
        spots[column >= r_len[chosen, None]] = len(r_flat) - 1
        grouped = []
        for j, c in enumerate(key[2:]):
            if c < 0:
                break
            firsts = g_start[which[chosen, j]]
            grouped.append((g_flat[firsts[:, None] + np.arange(c >> 32)], c & 0xFFFFFFFF))
        batches[lv].append(_Batch(services=chosen, required=r_flat[spots], groups=tuple(grouped)))
    # Until when each set is read: the highest level among its dependents.
    last = np.zeros(n + 1, dtype=np.int64)
    np.maximum.at(last, r_flat[:-1], np.repeat(level, r_len))
    np.maximum.at(last, g_flat, np.repeat(level[g_owner], g_size))
    kept = np.append(np.fromiter(p.kept, dtype=bool, count=n), False)
    # The effects, flattened: partial factors by (outcome, factor) pair, zeros by outcome.
    listed_effects: list[tuple[int, float]] = list(chain(p.effects))
    count = len(listed_effects)
    supporter = np.repeat(services, np.fromiter(map(len, p.effects), dtype=np.int64, count=n))
    outcome = np.fromiter(map(itemgetter(0), listed_effects), dtype=np.int64, count=count)
    factor = np.fromiter(map(itemgetter(1), listed_effects), dtype=np.float64, count=count)
    zero = factor == 0.0
    # The partial factors' (outcome, factor) pairs, numbered as they first come.
    found, first, pair = np.unique(
        outcome[~zero] + 1j * factor[~zero], return_index=True, return_inverse=True
    )
    renumber = np.empty(len(found), dtype=np.int64)
    renumber[np.argsort(first, kind="stable")] = np.arange(len(found))
    key = np.empty(count, dtype=np.int64)
    key[~zero] = renumber[pair.ravel()]
    key[zero] = outcome[zero]
    effect = np.zeros(n + 1, dtype=bool)
    effect[supporter] = True
    wanted = kept | effect
    at = np.append(level, 0)
    until = np.where(kept, last, at)
    by_level = np.argsort(at[supporter], kind="stable")
    supporter, key, zero = supporter[by_level], key[by_level], zero[by_level]
    cut = np.searchsorted(at[supporter], np.arange(depth + 2))
    partial = []
    stopping = []
    for lv in range(depth + 1):
        here = slice(cut[lv], cut[lv + 1])
        stops = zero[here]
        partial.append((supporter[here][~stops], key[here][~stops]))
        stopping.append((supporter[here][stops], key[here][stops]))
    done = np.flatnonzero(wanted)
    done = done[np.argsort(until[done], kind="stable")]
    cut = np.searchsorted(until[done], np.arange(depth + 2))
    pairs = found[np.argsort(first, kind="stable")]
    return Layout(
        levels=tuple(map(tuple, batches)),
        unit_of=np.append(np.fromiter(p.unit_of, dtype=np.int64, count=n), -1),
        wanted=wanted,
        ending=tuple(done[cut[lv] : cut[lv + 1]] for lv in range(depth + 1)),
        partial=tuple(partial),
        stopping=tuple(stopping),
        pairs=tuple(zip(pairs.real.astype(np.int64).tolist(), pairs.imag.tolist(), strict=True)),
        most=tuple(np.bincount(key[~zero], minlength=len(pairs)).tolist()),
    )


def _levels(n: int, most: int, source: Index, *targets: Index) -> Index | None:
    """Per service, 1 with no dependencies, else one more than its dependencies' highest.

    Of ``n`` services, ``source`` holds the dependency of each edge and ``targets`` (one
    after the other) the service that depends on it. Layer by layer: a service joins the
    layer after its last dependency's. ``None`` as soon as there are more than ``most``
    levels.
    """
    import numpy as np

    target = np.concatenate(targets)
    waiting = np.bincount(target, minlength=n)
    order = np.argsort(source, kind="stable")
    dependents = target[order]
    first = np.searchsorted(source[order], np.arange(n + 1))
    level = np.zeros(n, dtype=np.int64)
    layer = np.flatnonzero(waiting == 0)
    depth = 0
    while layer.size:
        depth += 1
        if depth > most:
            return None
        level[layer] = depth
        counts = first[layer + 1] - first[layer]
        total = int(counts.sum())
        edges = np.repeat(first[layer] - (np.cumsum(counts) - counts), counts) + np.arange(total)
        reached, times = np.unique(dependents[edges], return_counts=True)
        waiting[reached] -= times
        layer = reached[waiting[reached] == 0]
    return level


class _Rows:
    """The killer sets a numpy pass holds, one row of words each, kept from range to range.

    Row 0 is the empty set. ``extent[r]`` is how many words of row ``r`` may be nonzero,
    so that a row taken for a narrower set is cleared only where it has to be.
    """

    def __init__(self) -> None:
        self.words: Any = None
        self.extent: Any = None

    def take(self, count: int, width: int) -> tuple[Words, Index]:
        """At least ``count`` rows of at least ``width`` words, and their extents."""
        import numpy as np

        if self.words is None or self.words.shape[0] < count or self.words.shape[1] < width:
            self.words = self.extent = None  # let the old rows go before making new ones
            self.words = np.zeros((count, width), dtype=np.uint64)
            self.extent = np.zeros(count, dtype=np.int64)
        return self.words, self.extent


#: Per batch: the rows it writes, each service's own bit (or -1), the words each set
#: spans, and the rows of its ungrouped dependencies and of its groups' members.
_Step = tuple["Index", "Index", "Index", "Index", tuple[tuple["Index", int], ...]]
#: Per key (pair or outcome): the keys, their row counts, and the rows round by round.
_Rounds = tuple["Index", "Index", "Index"]


def _by_levels(
    p: Plan, lay: Layout, lo: int, hi: int, reduction: Reduction, store: _Rows
) -> RangeResult:
    """The numpy pass over units ``lo .. hi - 1``, level by level (see the module notes)."""
    import numpy as np

    width = hi - lo
    words = -(-width // 64)
    own = lay.unit_of - lo
    own[(own < 0) | (own >= width)] = -1
    # The highest member each killer set can hold (-1: none): its own or a dependency's.
    top = own.copy()
    for batches in lay.levels:
        for batch in batches:
            h = top[batch.services]
            for matrix in (batch.required, *(m for m, _k in batch.groups)):
                if matrix.shape[1]:
                    np.maximum(h, top[matrix].max(axis=1), out=h)
            top[batch.services] = h
    held = (top >= 0) & lay.wanted
    # A held set takes a free row at its level and gives it back after the last level
    # that reads it. The program records, per batch, the rows it reads and writes; the
    # pass then runs it.
    row = np.zeros(len(own), dtype=np.int64)
    free: list[int] = []
    fresh = 1
    program: list[tuple[list[_Step], _Rounds | None, _Rounds | None]] = []
    for lv, batches in enumerate(lay.levels):
        steps: list[_Step] = []
        for batch in batches:
            chosen = np.flatnonzero(held[batch.services])
            if not chosen.size:
                continue
            chosen = chosen[np.argsort(top[batch.services[chosen]], kind="stable")]
            services = batch.services[chosen]
            m = len(services)
            reused = free[max(0, len(free) - m) :]
            del free[max(0, len(free) - m) :]
            dest = np.array(reused + list(range(fresh, fresh + m - len(reused))), dtype=np.int64)
            fresh += m - len(reused)
            steps.append(
                (
                    dest,
                    own[services],
                    top[services] // 64 + 1,
                    row[batch.required[chosen]],
                    tuple((row[g[chosen]], k) for g, k in batch.groups),
                )
            )
            row[services] = dest
        ps, pairs = lay.partial[lv]
        keep = held[ps]
        partial = _rounds(row[ps[keep]], pairs[keep]) if keep.any() else None
        zs, outcomes = lay.stopping[lv]
        keep = held[zs]
        stopping = _rounds(row[zs[keep]], outcomes[keep]) if keep.any() else None
        program.append((steps, partial, stopping))
        ending = lay.ending[lv]
        freed = row[ending]
        free.extend(freed[freed > 0].tolist())
        row[ending] = 0
    del row, top, free
    pool, extent = store.take(fresh, words)
    counters: dict[int, Words] = {}
    stopped: dict[int, Words] = {}
    for steps, partial, stopping in program:
        span = 0
        for step in steps:
            span = max(span, _compute(pool, extent, step))
        if partial is not None:
            _count(pool, span, partial, lay.most, counters, words)
        if stopping is not None:
            _union(pool, span, stopping, stopped, words)
    if reduction.kind == "stops":
        found: dict[int, Any] = {}
        for o in sorted(stopped):
            hit = np.flatnonzero(_unpacked(stopped[o][None])[0, :width])
            if hit.size:
                found[o] = hit + lo
        return found
    by_outcome: dict[int, list[tuple[float, Words]]] = {}
    for key, planes in counters.items():
        o, f = lay.pairs[key]
        by_outcome.setdefault(o, []).append((f, planes))

    def counted(o: int) -> Iterator[tuple[float, Any, int]]:
        for f, planes in by_outcome.get(o, ()):
            yield f, _counts(_unpacked(planes), width), (1 << len(planes)) - 1

    reached = sorted(by_outcome.keys() | stopped.keys())
    return _reduce(
        width,
        (
            (
                o,
                None,
                None if o not in stopped else _unpacked(stopped[o][None])[0, :width],
                counted(o),
            )
            for o in reached
        ),
        reduction,
    )


def _compute(pool: Words, extent: Index, step: _Step) -> int:
    """The killer sets of one batch, written to their rows; the most words one spans."""
    import numpy as np

    dest, own, span, required, groups = step
    m = len(dest)
    one = np.uint64(1)
    a = 0
    while a < m:
        # Rows come by increasing span: a block reads as few words as its widest set.
        b = min(m, a + max(1, BLOCK // (8 * int(span[a]))))
        c = int(span[b - 1])
        if (b - a) * c * 8 > 2 * BLOCK:
            b = a + max(1, BLOCK // (8 * c))
            c = int(span[b - 1])
        if required.shape[1]:
            first = pool[required[a:b, 0], :c]
        else:
            first = np.zeros((b - a, c), dtype=np.uint64)
        bits = own[a:b]
        mine = np.flatnonzero(bits >= 0)
        if mine.size:
            bits = bits[mine]
            first[mine, bits >> 6] |= one << (bits & 63).astype(np.uint64)
        # The down rule, with the first ungrouped dependency taken with the own unit:
        # "or" is associative, so down_value(own | r1, (r2, ...), groups) is the rule.
        down = down_value(
            first,
            (pool[required[a:b, j], :c] for j in range(1, required.shape[1])),
            [([pool[g[a:b, i], :c] for i in range(g.shape[1])], k) for g, k in groups],
        )
        rows = dest[a:b]
        pool[rows, :c] = down
        stale = int(extent[rows].max())
        if stale > c:  # rows that held wider sets before
            pool[rows, c:stale] = 0
        extent[rows] = c
        a = b
    return int(span[-1])


def _rounds(rows: Index, keys: Index) -> _Rounds:
    """The rows to add per key, round by round, the keys with the most rows first.

    Returns:
        The keys in that order; how many rows each has; and a table whose line ``i``
        holds, per key, the row of its ``i``-th set (keys with fewer rows come last, so
        round ``i`` reads a prefix of its line).
    """
    import numpy as np

    order = np.argsort(keys, kind="stable")
    keys, rows = keys[order], rows[order]
    found, first, counts = np.unique(keys, return_index=True, return_counts=True)
    by = np.argsort(-counts, kind="stable")
    column = np.empty(len(found), dtype=np.int64)
    column[by] = np.arange(len(found))
    which = np.repeat(np.arange(len(found)), counts)
    table = np.zeros((int(counts.max()), len(found)), dtype=np.int64)
    table[np.arange(len(keys)) - first[which], column[which]] = rows
    return found[by], counts[by], table


def _count(
    pool: Words,
    span: int,
    rounds: _Rounds,
    most: Sequence[int],
    counters: dict[int, Words],
    words: int,
) -> None:
    """Add each pair's sets to its bit-sliced counter, many pairs at a time.

    Rounds go two at a time: the pairs with sets in both add the two with a carry-save
    adder (the sum stays in digit 0, the carry goes on up), as Harley and Seal count bits.
    """
    import numpy as np

    keys, counts, table = rounds
    step = max(1, BLOCK // (8 * span))
    for j0 in range(0, len(keys), step):
        j1 = min(len(keys), j0 + step)
        block = counts[j0:j1]
        height = int(block[0])
        planes = np.zeros((height.bit_length(), j1 - j0, span), dtype=np.uint64)
        for i in range(0, height, 2):
            # Rounds i and i + 1: the a pairs with more than i sets each hold i so far;
            # the first b of them have a set for round i + 1 as well.
            a = int(np.count_nonzero(block > i))
            b = int(np.count_nonzero(block > i + 1))
            x = pool[table[i, j0 : j0 + a], :span]
            if b:
                y = pool[table[i + 1, j0 : j0 + b], :span]
                low = planes[0, :b]
                u = low ^ x[:b]
                carry = (low & x[:b]) | (u & y)
                np.bitwise_xor(u, y, out=low)
                _carry(planes[:, :b], carry, 1, (i + 2).bit_length())
            if a > b:  # pairs whose last set this is
                _carry(planes[:, b:a], x[b:], 0, (i + 1).bit_length())
        for j, key in enumerate(keys[j0:j1].tolist()):
            digits = int(most[key]).bit_length()  # the planes past it are empty
            new = planes[:digits, j]
            old = counters.get(key)
            if old is None:
                old = counters[key] = np.zeros((digits, words), dtype=np.uint64)
                old[: len(new), :span] = new
            else:  # another level adds to this pair: a ripple-carry addition
                carry = np.zeros(span, dtype=np.uint64)
                for d in range(digits):
                    x = old[d, :span].copy()
                    y = new[d] if d < len(new) else np.zeros(span, dtype=np.uint64)
                    s = x ^ y
                    old[d, :span] = s ^ carry
                    carry = (x & y) | (s & carry)


def _carry(planes: Words, carry: Words, start: int, stop: int) -> None:
    """Add ``carry`` (of weight ``2 ** start``) to bit-sliced counters of ``stop`` digits."""
    for d in range(start, stop):
        plane = planes[d]
        nxt = plane & carry
        plane ^= carry
        carry = nxt


def _union(pool: Words, span: int, rounds: _Rounds, stopped: dict[int, Words], words: int) -> None:
    """Or each outcome's sets into the set of units that stop it."""
    import numpy as np

    keys, counts, table = rounds
    step = max(1, BLOCK // (8 * span))
    for j0 in range(0, len(keys), step):
        j1 = min(len(keys), j0 + step)
        block = counts[j0:j1]
        acc = np.zeros((j1 - j0, span), dtype=np.uint64)
        for i in range(int(block[0])):
            a = int(np.count_nonzero(block > i))
            acc[:a] |= pool[table[i, j0 : j0 + a], :span]
        for j, key in enumerate(keys[j0:j1].tolist()):
            found = stopped.get(key)
            if found is None:
                found = stopped[key] = np.zeros(words, dtype=np.uint64)
            found[:span] |= acc[j]


def _unpacked(planes: Words) -> npt.NDArray[np.uint8]:
    """Rows of words as rows of bits, 0 or 1, member ``i`` at column ``i``."""
    import numpy as np

    data = planes.astype("<u8", copy=False).view(np.uint8)
    return np.unpackbits(data, axis=1, bitorder="little")


# --- outcomes ----------------------------------------------------------------------------


def _counts(bits: npt.NDArray[np.uint8], width: int) -> npt.NDArray[np.intp]:
    """Per member, the number a bit-sliced counter holds, from its digits' rows of bits.

    The rows (whole words of bits, one byte each) are read eight bytes at a time: a
    byte's bit ``d`` is the member's digit ``d``, for the first eight digits at once.
    """
    import numpy as np

    lanes = bits.view(np.uint64)
    low = lanes[0].copy()
    for d in range(1, min(len(bits), 8)):
        low |= lanes[d] << np.uint64(d)
    count: npt.NDArray[np.intp] = low.view(np.uint8)[:width].astype(np.intp)
    for d in range(8, len(bits)):  # counts of 256 or more
        count += bits[d, :width].astype(np.intp) << d
    return count


def _reduce(
    width: int,
    outcomes: Iterable[tuple[int, Any, Any, Iterable[tuple[float, Any, int]]]],
    reduction: Reduction,
) -> RangeResult:
    """Risk or recovery per unit, from each outcome's stopping units and factor counts.

    ``outcomes`` gives, in increasing order, each outcome with the units it is figured
    on (their positions, in order; ``None``: every unit), which of those stop it
    (positions among them, or a 0/1 byte each, or ``None``) and, per partial factor
    ``f``, how many of each one's victims carry it, with a bound on that count; the
    outcome delivers ``∏ f ** count``, or 0 where stopped. Units left out lose nothing.
    """
    import numpy as np

    weights = reduction.weights
    risk = np.zeros(width)
    hours = np.full(width, math.inf)
    setter = np.full(width, -1, dtype=np.int64)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for o, where, stopped, counted in outcomes:
            delivered: Any = None
            for f, count, bound in counted:
                if bound < 1 << 16:  # the powers once, looked up per unit
                    factor = np.take(np.power(f, np.arange(bound + 1)), count)
                else:
                    factor = np.power(f, count)
                if delivered is None:
                    delivered = factor
                else:
                    delivered *= factor
            if delivered is None:
                delivered = np.ones(width if where is None else len(where))
            if stopped is None:
                pass
            elif stopped.dtype == np.uint8:  # a byte per unit, 1 where stopped
                delivered *= 1 - stopped
            else:
                delivered[stopped] = 0.0
            lost = np.subtract(1.0, delivered, out=delivered)
            w = weights[o] if reduction.kind == "risk" else 0.0
            if reduction.kind == "risk" and math.isfinite(w):
                # Adding w · 0 where nothing is lost leaves the risk as it is.
                if where is None:
                    risk += np.multiply(lost, w, out=lost)
                else:
                    risk[where] += np.multiply(lost, w, out=lost)
                continue
            at = np.flatnonzero(lost > 0.0)
            hit = at if where is None else where[at]
            if reduction.kind == "risk":
                risk[hit] += w * lost[at]
            else:
                need = weights[o] / lost[at]
                better = need < hours[hit]
                hours[hit[better]] = need[better]
                setter[hit[better]] = o
    if reduction.kind == "risk":
        return risk
    return hours, setter


# --- ranges, here or elsewhere -----------------------------------------------------------

# Plans already received by this process, by token, with their layouts: a worker
# unpickles and lays out each plan once.
_RECEIVED: dict[str, tuple[Plan, Layout | None]] = {}


def _run_shipped(
    token: str, blob: bytes, lo: int, hi: int, reduction: Reduction, least: int
) -> RangeResult:
    """:func:`run_range` in a worker, on a pickled plan kept for the next range."""
    found = _RECEIVED.get(token)
    if found is None:
        _RECEIVED.clear()
        shipped: Plan = pickle.loads(blob)  # our own plan, from run()
        found = _RECEIVED[token] = (shipped, layout_of(shipped, least))
    return _run(found[0], found[1], lo, hi, reduction, _Rows())


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
    call, like :data:`LEVEL`, which workers are given.
    """
    # A range's pass walks every service from its first unit on; sets of a few members
    # make that walk, not the width, the cost, so a sparse plan splits in two at most.
    full, most = (SPARSE_WIDTH, min(parts, 2)) if p.sparse else (WIDTH, parts)
    spans = ranges(p.units, width or full, most if executor is not None else 1)
    results: dict[int, RangeResult] = {}
    with paused_gc():  # the pass makes many objects and keeps few: nothing for it to find
        _gather(p, reduction, spans, results, executor, progress, LEVEL)
    return [(lo, results[lo]) for lo, _hi in spans]


def _gather(
    p: Plan,
    reduction: Reduction,
    spans: list[tuple[int, int]],
    results: dict[int, RangeResult],
    executor: Executor | None,
    progress: Progress | None,
    least: int,
) -> None:
    done = 0
    if executor is None:
        lay = layout_of(p, least) if spans else None
        store = _Rows()  # the rows of one range are taken again by the next
        for lo, hi in spans:
            results[lo] = _run(p, lay, lo, hi, reduction, store)
            done += hi - lo
            if progress is not None:
                progress(done, p.units)
    else:
        blob = pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)
        token = uuid.uuid4().hex
        futures = {
            executor.submit(_run_shipped, token, blob, lo, hi, reduction, least): (lo, hi)
            for lo, hi in spans
        }
        for future in as_completed(futures):
            lo, hi = futures[future]
            results[lo] = future.result()
            done += hi - lo
            if progress is not None:
                progress(done, p.units)
