"""Expected delivery at today's availabilities, and availability in business terms.

Semantics (the documentation's "Exact semantics" page): each service is up on its own
with probability ``availability`` (missing means 1), independently of the others; the
down rule of :mod:`~itvalue.analysis._core` then applies. Only live services run: one
that is not live counts as always up, whatever it stands on (it is not what makes an
outcome fail today). The expected delivery of a node is
the expectation of what it delivers (for a service: the probability it is up; for a
segment, by the same product rule as outcomes: the product of its outcomes).

Three methods:

``"exact"``
    Exact. An uncertain service (availability below 1) that reaches the node along
    a single path is independent of every other input where it joins, so the
    ``independent`` pass sums it out exactly; only the uncertain services that reach
    the node along two or more paths are enumerated, both states each, with the pass
    run per combination. Cost: O(2^k · (V' + E')) for k such services in the node's
    upstream subgraph of V' nodes and E' edges. Refused past :data:`EXACT_LIMIT`
    (2^20 passes, several seconds in CPython on a small subgraph) with a pointer to
    ``monte_carlo``.
``"independent"``
    One bottom-up pass that treats every input as independent: exact when no service
    reaches the node by two paths, an approximation otherwise. The pass covers the whole
    graph once, O(V + E), and is kept: every later node costs a look-up.
``"monte_carlo"``
    Seeded sampling, 20,000 samples and seed 0 unless told otherwise. Samples are
    carried as bitsets (one Python integer per service, a bit per sample) and the down
    rule itself runs over them, so a cascade costs a few integer operations per edge.
    :func:`estimate_delivery` also gives the standard error.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, as_completed
from typing import Literal

import attrs

from itvalue._frozen import frozen
from itvalue._graphcore import GraphCore, Group
from itvalue.analysis._core import down_value, factors, finite_money
from itvalue.analysis.impact import OutcomeImpact, outcome_impact, single_failure_loss
from itvalue.errors import AnalysisError
from itvalue.graph import ValueGraph, core_of
from itvalue.model import Money, Outcome, Period, Quantity
from itvalue.model._fields import fraction

__all__ = [
    "BLOCK",
    "DEFAULT_SAMPLES",
    "EXACT_LIMIT",
    "METHODS",
    "AvailabilityTarget",
    "Estimate",
    "Method",
    "availability_target",
    "estimate_delivery",
    "expected_delivery",
    "expected_loss",
    "service_availability",
]

Method = Literal["exact", "independent", "monte_carlo"]
METHODS: tuple[str, ...] = ("exact", "independent", "monte_carlo")
#: Most services ``exact`` enumerates (those reaching the node by two or more paths).
EXACT_LIMIT = 20
#: The document's check of a fraction, so targets given here are judged the same way.
_FRACTION = fraction()
#: Monte Carlo samples unless told otherwise.
DEFAULT_SAMPLES = 20_000
#: Samples per Monte Carlo block. Each block draws from its own generator, seeded from
#: the seed and the block's number, so the same seed gives the same figures wherever
#: the blocks run; the first block's generator is seeded with the seed itself.
BLOCK = 1 << 16

#: What a progress callback receives: work done, work in all.
Progress = Callable[[int, int], None]


@attrs.frozen(kw_only=True)
class Estimate:
    """A Monte Carlo estimate of expected delivery.

    Attributes:
        value: The sample mean of what the node delivers.
        stderr: The standard error of that mean.
        samples: How many samples were drawn.
        seed: The seed of the generator.
    """

    value: float
    stderr: float
    samples: int
    seed: int


# --- the upstream subgraph ------------------------------------------------------------------


def _path_counts(core: GraphCore, nodes: list[int], x: int) -> dict[int, int]:
    """The number of paths from each upstream node to ``x``."""
    counts = {x: 1}
    succ = core.succ
    for i in reversed(nodes):
        if i != x:
            counts[i] = sum(counts.get(j, 0) for j in succ[i])
    return counts


def _at_least_up(up: Sequence[float], min_up: int) -> float:
    """The probability that at least ``min_up`` of independent members are up."""
    if min_up == 1:
        all_down = 1.0
        for q in up:
            all_down *= 1.0 - q
        return 1.0 - all_down
    # exactly[j]: the probability that exactly j of the members so far are up.
    exactly = [1.0]
    for q in up:
        exactly = [
            (exactly[j] if j < len(exactly) else 0.0) * (1.0 - q)
            + (exactly[j - 1] * q if j > 0 else 0.0)
            for j in range(len(exactly) + 1)
        ]
    return sum(exactly[min_up:])


def _independent(core: GraphCore, nodes: Sequence[int], forced: Mapping[int, float]) -> list[float]:
    """One bottom-up pass of expected values treating inputs as independent.

    ``nodes`` must be sorted and closed upwards (every input of a node is in it); the
    result is indexed by node, meaningful at those nodes. Node indices are topological
    and grouped by kind, so the pass runs kind by kind with no dispatch per node.
    """
    q = [1.0] * len(core)
    avail = core.avail
    required = core.required
    groups = core.groups
    first_process = core.bounds["process"][0]
    first_product = core.bounds["product"][0]
    supporters = core.supporters()
    pred = core.pred
    live = core.live
    for i in nodes:
        if i < first_process:
            if not live[i]:  # not running today: always up, whatever it stands on
                q[i] = 1.0
                continue
            up = forced.get(i, avail[i]) if forced else avail[i]
            for d in required[i]:
                up *= q[d]
            for members, min_up in groups[i]:
                up *= _at_least_up([q[m] for m in members], min_up)
            q[i] = up
        elif i < first_product:
            value = 1.0
            for s, share in supporters.get(i, ()):
                value *= 1.0 - share * (1.0 - q[s])
            q[i] = value
        else:
            value = 1.0
            for j in pred[i]:
                value *= q[j]
            q[i] = value
    return q


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def expected_delivery(
    g: ValueGraph,
    node: str,
    *,
    method: Method = "exact",
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> float:
    """The expected fraction ``node`` delivers at today's availabilities.

    Args:
        g: The value graph.
        node: A service, process, product, outcome or segment id.
        method: ``"exact"``, ``"independent"`` or ``"monte_carlo"`` (20,000 samples,
            seed 0; see :func:`estimate_delivery` for other settings).
        executor: For ``monte_carlo``, where to draw the blocks of samples (a
            ``concurrent.futures`` executor); the same figure as without one. The
            other methods run here.
        progress: For ``monte_carlo``, called with (samples done, samples) as blocks
            finish.

    Raises:
        UnknownIdError: No node has the id.
        AnalysisError: ``exact`` would enumerate more than :data:`EXACT_LIMIT`
            services, or the method is unknown.

    Examples:
        >>> import itvalue
        >>> g = itvalue.example().graph()
        >>> round(g.expected_delivery("order-delivered"), 6)   # 0.999 × (1 − 0.01²)
        0.9989
    """
    core = core_of(g)
    return expected_of(core, core.node(node), method, {}, executor=executor, progress=progress)


def service_availability(
    g: ValueGraph,
    service: str,
    *,
    own: bool = True,
    method: Method = "exact",
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> float:
    """The probability that ``service`` is not down, at today's availabilities.

    With ``own=False``, the service's own availability is taken as 1: its *ceiling*,
    what its dependencies allow however good the service itself becomes. Services that
    are not live count as always up, as in :func:`expected_delivery`, whose methods,
    limits, errors, ``executor`` and ``progress`` apply.

    Raises:
        UnknownIdError: The id names no service.
        AnalysisError: As for :func:`expected_delivery`.

    Examples:
        >>> import itvalue
        >>> g = itvalue.example().graph()
        >>> round(g.service_availability("payments"), 7)   # 0.999 × (1 − 0.01²)
        0.9989001
        >>> round(g.service_availability("payments", own=False), 4)   # 1 − 0.01²
        0.9999
    """
    core = core_of(g)
    x = core.node(service, kind="service")
    return expected_of(
        core, x, method, {} if own else {x: 1.0}, executor=executor, progress=progress
    )


def expected_of(
    core: GraphCore,
    x: int,
    method: str,
    fixed: Mapping[int, float],
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> float:
    """Expected delivery of node ``x``, with the own availabilities in ``fixed`` overridden.

    The engine of :func:`expected_delivery` and :func:`service_availability`, on indices,
    for analyses that ask "what if this service were perfect?". ``executor`` and
    ``progress`` serve ``monte_carlo`` only.
    """
    if method == "independent":
        if fixed:
            return _clamp(_independent(core, core.upstream(x), fixed)[x])
        # Each node's value depends only on what feeds it, so one pass over the whole
        # graph answers every node at once; it is kept with the graph.
        values = core.memo.independent
        if values is None:
            values = core.memo.independent = tuple(_independent(core, range(len(core)), {}))
        return _clamp(values[x])
    if method == "exact":
        return _exact(core, x, fixed)
    if method == "monte_carlo":
        return _monte_carlo(core, x, DEFAULT_SAMPLES, 0, fixed, executor, progress).value
    raise AnalysisError(f"unknown method {method!r}", hint="use one of: " + ", ".join(METHODS))


def _exact(core: GraphCore, x: int, fixed: Mapping[int, float]) -> float:
    nodes = core.upstream(x)
    counts = _path_counts(core, nodes, x)
    avail = core.avail
    kinds = core.kinds
    shared = [
        i for i in nodes if kinds[i] == "service" and fixed.get(i, avail[i]) < 1.0 and counts[i] > 1
    ]
    if len(shared) > EXACT_LIMIT:
        raise AnalysisError(
            f"exact would enumerate {len(shared)} services that reach {core.ids[x]!r} along "
            f"several paths (2^{len(shared)} states); the limit is {EXACT_LIMIT}",
            hint='use method="monte_carlo" (or estimate_delivery) for an estimate',
        )
    if not shared:
        return _clamp(_independent(core, nodes, fixed)[x])
    total = 0.0
    for states in itertools.product((1.0, 0.0), repeat=len(shared)):
        weight = 1.0
        forced: dict[int, float] = dict(fixed)
        for i, up in zip(shared, states, strict=True):
            a = fixed.get(i, avail[i])
            weight *= a if up else 1.0 - a
            forced[i] = up
        total += weight * _independent(core, nodes, forced)[x]
    return _clamp(total)


def estimate_delivery(
    g: ValueGraph,
    node: str,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Estimate:
    """A seeded Monte Carlo estimate of ``node``'s expected delivery, with its error.

    Samples are drawn in blocks of :data:`BLOCK`, each from a generator seeded from
    ``seed`` and the block's number: the same seed gives the same estimate, with or
    without an ``executor`` (a ``concurrent.futures`` executor the blocks are sent to).
    ``progress`` is called with (samples done, samples) as blocks finish.

    Raises:
        UnknownIdError: No node has the id.
        AnalysisError: Fewer than 2 samples were asked for.

    Examples:
        >>> import itvalue
        >>> est = itvalue.example().graph().estimate_delivery("payments", samples=50_000)
        >>> abs(est.value - 0.9989) < 4 * est.stderr + 1e-3
        True

    Complexity: O(samples · (U + E') / w) word operations for U uncertain upstream
    services, E' upstream edges and machine word size w, plus the sampling itself.
    """
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise AnalysisError(f"samples must be a whole number of at least 2, got {samples!r}")
    core = core_of(g)
    return _monte_carlo(core, core.node(node), samples, seed, {}, executor, progress)


def _sample_down(rng: random.Random, n: int, p: float) -> int:
    """A bitset of ``n`` samples, each bit set with probability ``p`` (0 < p < 1)."""
    if p >= 1.0:  # an availability so small that 1 - a rounds to 1
        return (1 << n) - 1
    buffer = bytearray((n + 7) // 8)
    log_q = math.log1p(-p)
    position = -1
    # Jump from one failure to the next with geometric gaps: as many draws as failures.
    while True:
        gap = math.log(1.0 - rng.random()) / log_q
        if gap >= n:
            break
        position += int(gap) + 1
        if position >= n:
            break
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


@attrs.frozen(slots=True, kw_only=True)
class _Sampling:
    """What drawing a block of samples needs: plain tuples, picklable, no portfolio.

    Attributes:
        services: The services upstream of the node, in topological order, as
            ``(index, availability, required, groups, live)``.
        target: The node's index.
        factors: For a node that is not a service, ``(service, factor)`` for each
            upstream service whose being down multiplies what the node delivers.
    """

    services: tuple[tuple[int, float, tuple[int, ...], tuple[Group, ...], bool], ...]
    target: int
    factors: tuple[tuple[int, float], ...] | None


def _block_seed(seed: int, block: int) -> int | str:
    """The seed of a block's generator: the seed itself for the first block."""
    return seed if block == 0 else f"{seed}/{block}"


def _sample_block(sampling: _Sampling, n: int, seed: int | str) -> tuple[float, float]:
    """One block of ``n`` samples: (sum, sum of squares) of what the node delivers.

    For a service, (samples it is down in, 0).

    The down rule of :mod:`~itvalue.analysis._core` runs over the samples as bitsets.
    """
    rng = random.Random(seed)
    down: dict[int, int] = {}
    for i, a, required, groups, live in sampling.services:
        if not live:  # not running today: always up, whatever it stands on
            down[i] = 0
            continue
        down[i] = down_value(
            _sample_down(rng, n, 1.0 - a) if a < 1.0 else 0,
            (down[d] for d in required),
            ((tuple(down[m] for m in members), k) for members, k in groups),
        )
    if sampling.factors is None:  # a service: how many samples it is down in
        return float(down[sampling.target].bit_count()), 0.0
    full = (1 << n) - 1
    blocks: dict[float, int] = {1.0: full}
    for s, factor in sampling.factors:
        hit_mask = down[s]
        if not hit_mask:
            continue
        refined: dict[float, int] = {}
        for multiplier, block in blocks.items():
            hit = block & hit_mask
            miss = block ^ hit
            if miss:
                refined[multiplier] = refined.get(multiplier, 0) | miss
            scaled = multiplier * factor
            if hit and scaled != 0.0:
                refined[scaled] = refined.get(scaled, 0) | hit
        blocks = refined
    total = 0.0
    squares = 0.0
    for multiplier, block in blocks.items():
        count = block.bit_count()
        total += multiplier * count
        squares += multiplier * multiplier * count
    return total, squares


def _monte_carlo(
    core: GraphCore,
    x: int,
    n: int,
    seed: int,
    fixed: Mapping[int, float],
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Estimate:
    nodes = core.upstream(x)
    kinds = core.kinds
    services = tuple(
        (i, fixed.get(i, core.avail[i]), core.required[i], core.groups[i], core.live[i])
        for i in nodes
        if kinds[i] == "service"
    )
    table_of: tuple[tuple[int, float], ...] | None = None
    if kinds[x] != "service":
        table = factors(core)
        found = ((s, next((f for node, f in table[s] if node == x), 1.0)) for s, *_ in services)
        table_of = tuple((s, f) for s, f in found if f != 1.0)
    sampling = _Sampling(services=services, target=x, factors=table_of)
    sizes = [min(BLOCK, n - start) for start in range(0, n, BLOCK)]
    sums: list[tuple[float, float]] = [(0.0, 0.0)] * len(sizes)
    done = 0
    if executor is None:
        for k, size in enumerate(sizes):
            sums[k] = _sample_block(sampling, size, _block_seed(seed, k))
            done += size
            if progress is not None:
                progress(done, n)
    else:
        futures = {
            executor.submit(_sample_block, sampling, size, _block_seed(seed, k)): k
            for k, size in enumerate(sizes)
        }
        for future in as_completed(futures):
            k = futures[future]
            sums[k] = future.result()
            done += sizes[k]
            if progress is not None:
                progress(done, n)
    total = math.fsum(t for t, _s in sums) if len(sums) > 1 else sums[0][0]
    squares = math.fsum(q for _t, q in sums) if len(sums) > 1 else sums[0][1]
    if table_of is None:
        mean = 1.0 - total / n
        variance = mean * (1.0 - mean) * n / (n - 1)
        return Estimate(value=mean, stderr=math.sqrt(variance / n), samples=n, seed=seed)
    mean = total / n
    variance = max(0.0, (squares - n * mean * mean) / (n - 1))
    return Estimate(value=_clamp(mean), stderr=math.sqrt(variance / n), samples=n, seed=seed)


def expected_loss(
    g: ValueGraph,
    outcome: str,
    *,
    method: Method = "exact",
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> OutcomeImpact:
    """The expected loss of an outcome per its volume's period at today's availabilities.

    ``value_lost`` is ``V · M.amount · (1 − expected delivery)``; ``executor`` and
    ``progress`` are as for :func:`expected_delivery`.

    Examples:
        >>> import itvalue
        >>> loss = itvalue.example().graph().expected_loss("order-delivered")
        >>> round(loss.value_lost.amount, 2)   # 10,000 × 42 × (1 − 0.9989001)
        461.96
    """
    core = core_of(g)
    entity = core.entities[core.node(outcome, kind="outcome")]
    assert isinstance(entity, Outcome)
    delivered = expected_delivery(g, outcome, method=method, executor=executor, progress=progress)
    return outcome_impact(entity, delivered)


@attrs.frozen(kw_only=True)
class AvailabilityTarget:
    """What an availability target for a service allows, in business terms.

    Attributes:
        service: The service id.
        target: The availability target, 0 < target <= 1.
        period: The period the target is measured over.
        allowed_minutes: Downtime the target allows per period.
        volume_at_risk: Units lost over that downtime, per outcome.
        value_at_risk: Money lost over that downtime, per currency.
    """

    service: str
    target: float
    period: Period
    allowed_minutes: float
    volume_at_risk: Mapping[str, Quantity] = attrs.field(converter=frozen)
    value_at_risk: Mapping[str, Money] = attrs.field(converter=frozen)

    def __str__(self) -> str:
        head = (
            f"{self.target * 100:g}% over a {self.period.hours:,}-hour {self.period.value} "
            f"allows {self.allowed_minutes:,.1f} minutes without {self.service}"
        )
        by_unit: dict[str, float] = {}
        for q in self.volume_at_risk.values():
            by_unit[q.unit] = by_unit.get(q.unit, 0.0) + q.amount
        parts = [f"about {amount:,.0f} {unit}" for unit, amount in by_unit.items()]
        money = [f"{m.amount:,.0f} {m.currency}" for m in self.value_at_risk.values()]
        if parts:
            head += ", " + ", ".join(parts)
            if money:
                head += f" ({', '.join(money)})"
        return head


def availability_target(
    g: ValueGraph, service: str, target: float, *, period: Period | str = "month"
) -> AvailabilityTarget:
    """What ``target`` availability of ``service`` allows per ``period``, in units and money.

    Examples:
        >>> import itvalue
        >>> print(itvalue.example().graph().availability_target("payments", 0.999))
        99.9% over a 730-hour month allows 43.8 minutes without payments, about 10 orders (420 EUR)
    """
    core_of(g).node(service, kind="service")
    bad = _FRACTION.test(target)
    if bad is not None:
        message, hint = bad
        raise AnalysisError(f"target {message}", hint=hint)
    try:
        chosen = Period(period)
    except ValueError:
        raise AnalysisError(
            f"unknown period {period!r}", hint="use one of: " + ", ".join(p.value for p in Period)
        ) from None
    hours = (1.0 - target) * chosen.hours
    volumes, values = single_failure_loss(g, service, hours=hours, per=chosen)
    return AvailabilityTarget(
        service=service,
        target=float(target),
        period=chosen,
        allowed_minutes=hours * 60.0,
        volume_at_risk=volumes,
        value_at_risk={
            c: finite_money(a, c, what=f"the value at risk without {service!r}")
            for c, a in sorted(values.items())
        },
    )
