"""Hypothesis strategies for itvalue models, for property tests of your own.

Install with ``pip install itvalue[testing]``. Importing this module registers a
strategy for every model class, so ``st.from_type(Service)`` works; entity strategies on
their own make valid entities whose references point anywhere, while
:func:`portfolios` makes whole, valid, referentially consistent portfolios.

Examples:
    >>> from hypothesis import given
    >>> from itvalue.testing import strategies as ivst
    >>> @given(ivst.portfolios(max_services=4))
    ... def test_every_service_is_in_the_graph(p):
    ...     assert all(s.id in p.graph() for s in p.services)
    >>> test_every_service_is_in_the_graph()
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from itvalue.model import (
    SLA,
    BusinessProcess,
    CustomerSegment,
    Dependency,
    Direction,
    Lifecycle,
    Measure,
    Metric,
    Money,
    Objective,
    Offering,
    Outcome,
    Period,
    Perspective,
    Portfolio,
    Product,
    Quantity,
    RedundancyGroup,
    Service,
    ServiceKind,
    Stage,
    Stakeholder,
    StakeholderKind,
    Support,
    ValueStream,
)

__all__ = [
    "availabilities",
    "business_processes",
    "currencies",
    "customer_segments",
    "dependencies",
    "descriptions",
    "hours",
    "ids",
    "metrics",
    "money",
    "names",
    "objectives",
    "outcomes",
    "portfolios",
    "products",
    "quantities",
    "redundancy_groups",
    "services",
    "shares",
    "slas",
    "stages",
    "stakeholders",
    "supports",
    "value_streams",
]

_ALPHABET = st.characters(
    codec="utf-8",
    exclude_categories=("Cs", "Cc"),
)


def ids() -> st.SearchStrategy[str]:
    """Valid entity ids (``^[a-z0-9][a-z0-9._-]*$``), short."""
    return st.from_regex(r"\A[a-z0-9][a-z0-9._-]{0,11}\Z")


def names() -> st.SearchStrategy[str]:
    """Display names: any text with a non-space character."""
    return st.text(_ALPHABET, min_size=1, max_size=24).filter(lambda s: s.strip() != "")


def descriptions() -> st.SearchStrategy[str]:
    """Descriptions: empty (the default) or any text."""
    return st.one_of(st.just(""), st.text(_ALPHABET, max_size=40))


def currencies() -> st.SearchStrategy[str]:
    """Currency codes, mostly common ones."""
    return st.one_of(st.sampled_from(["EUR", "USD", "GBP"]), st.from_regex(r"\A[A-Z]{3}\Z"))


def _amounts(max_value: float = 1e9) -> st.SearchStrategy[float]:
    return st.floats(min_value=0, max_value=max_value, allow_nan=False, allow_infinity=False)


def money(*, currency: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Money]:
    """Non-negative amounts of money."""
    return st.builds(
        Money, amount=_amounts(), currency=currencies() if currency is None else currency
    )


def quantities() -> st.SearchStrategy[Quantity]:
    """Volumes per period."""
    return st.builds(
        Quantity,
        amount=_amounts(1e7),
        unit=st.sampled_from(["orders", "calls", "bills", "widgets", "units"]),
        per=st.sampled_from(Period),
    )


def shares() -> st.SearchStrategy[float]:
    """Support shares in (0, 1], with the common values 1.0 and 0.5 often."""
    return st.one_of(
        st.sampled_from([1.0, 0.5, 0.25]),
        st.floats(min_value=0, max_value=1, exclude_min=True, allow_nan=False),
    )


def availabilities() -> st.SearchStrategy[float | None]:
    """Own availabilities in (0, 1], or ``None`` (meaning 1)."""
    return st.one_of(
        st.none(),
        st.sampled_from([0.9, 0.99, 0.999, 1.0, 0.5]),
        st.floats(min_value=0, max_value=1, exclude_min=True, allow_nan=False),
    )


def hours() -> st.SearchStrategy[float]:
    """Durations in hours, greater than 0: recovery times and tolerable outages."""
    return st.one_of(
        st.sampled_from([0.5, 1.0, 4.0, 24.0, 72.0]),
        st.floats(min_value=0, max_value=1e4, exclude_min=True, allow_nan=False),
    )


def stakeholders(*, id: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Stakeholder]:
    """Stakeholders of any kind."""
    return st.builds(
        Stakeholder,
        id=ids() if id is None else id,
        name=names(),
        description=descriptions(),
        kind=st.sampled_from(StakeholderKind),
    )


def customer_segments() -> st.SearchStrategy[CustomerSegment]:
    """Segments whose owner id points anywhere."""
    return st.builds(
        CustomerSegment,
        id=ids(),
        name=names(),
        description=descriptions(),
        relationship_owner=ids(),
    )


def outcomes() -> st.SearchStrategy[Outcome]:
    """Outcomes with or without volume and unit value."""
    return st.builds(
        Outcome,
        id=ids(),
        name=names(),
        description=descriptions(),
        segment=ids(),
        volume=st.none() | quantities(),
        unit_value=st.none() | money(),
        max_outage_hours=st.none() | hours(),
    )


def _id_tuples() -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(ids(), max_size=3, unique=True).map(tuple)


def products() -> st.SearchStrategy[Product]:
    """Products whose references point anywhere."""
    return st.builds(
        Product,
        id=ids(),
        name=names(),
        description=descriptions(),
        owner=ids(),
        outcomes=_id_tuples(),
    )


def business_processes() -> st.SearchStrategy[BusinessProcess]:
    """Processes whose references point anywhere."""
    return st.builds(
        BusinessProcess,
        id=ids(),
        name=names(),
        description=descriptions(),
        owner=ids(),
        enables=_id_tuples(),
    )


def stages() -> st.SearchStrategy[Stage]:
    """Value-stream stages."""
    return st.builds(Stage, name=names(), processes=_id_tuples())


def value_streams() -> st.SearchStrategy[ValueStream]:
    """Value streams whose references point anywhere."""
    return st.builds(
        ValueStream,
        id=ids(),
        name=names(),
        description=descriptions(),
        segment=ids(),
        outcome=ids(),
        stages=st.lists(stages(), max_size=3).map(tuple),
    )


def supports() -> st.SearchStrategy[Support]:
    """Supports of a process, full or partial."""
    return st.builds(Support, process=ids(), share=shares())


def dependencies() -> st.SearchStrategy[Dependency]:
    """Dependencies, required or in a redundancy group."""
    return st.builds(Dependency, service=ids(), group=st.none() | st.sampled_from(["a", "b"]))


def redundancy_groups() -> st.SearchStrategy[RedundancyGroup]:
    """Redundancy groups asking for one member up or more."""
    return st.builds(
        RedundancyGroup,
        name=st.sampled_from(["a", "b"]) | names(),
        min_up=st.integers(min_value=1, max_value=5),
    )


def _groups(draw: st.DrawFn, depends_on: Sequence[Dependency]) -> tuple[RedundancyGroup, ...]:
    """Some of the groups ``depends_on`` names, each asking for 1 to all its members."""
    sizes = Counter(d.group for d in depends_on if d.group is not None)
    listed = [
        RedundancyGroup(name=name, min_up=draw(st.integers(min_value=1, max_value=size)))
        for name, size in sizes.items()
        if draw(st.booleans())
    ]
    return tuple(draw(st.permutations(listed))) if listed else ()


@st.composite
def services(draw: st.DrawFn) -> Service:
    """Services whose references point anywhere, every optional field present or not.

    The groups listed are some of those the dependencies name, each asking for at
    most as many members as it has, as a portfolio requires.
    """
    depends_on = tuple(draw(st.lists(dependencies(), max_size=3)))
    return Service(
        id=draw(ids()),
        name=draw(names()),
        description=draw(descriptions()),
        owner=draw(ids()),
        kind=draw(st.sampled_from(ServiceKind)),
        offering=draw(st.sampled_from(Offering)),
        lifecycle=draw(st.sampled_from(Lifecycle)),
        availability=draw(availabilities()),
        annual_cost=draw(st.none() | money()),
        provided_by=draw(st.none() | ids()),
        supports=tuple(draw(st.lists(supports(), max_size=3))),
        depends_on=depends_on,
        groups=_groups(draw, depends_on),
        recovery_hours=draw(st.none() | hours()),
    )


def metrics() -> st.SearchStrategy[Metric]:
    """Metrics, internal or external."""
    return st.builds(
        Metric,
        id=ids(),
        name=names(),
        description=descriptions(),
        unit=st.sampled_from(["%", "minutes", "orders", "calls"]),
        perspective=st.sampled_from(Perspective),
        direction=st.sampled_from(Direction),
        outcome=st.none() | ids(),
        measures=st.none() | st.just(Measure.AVAILABILITY),
    )


def objectives() -> st.SearchStrategy[Objective]:
    """Objectives with finite targets and positive windows."""
    return st.builds(
        Objective,
        metric=ids(),
        target=st.floats(allow_nan=False, allow_infinity=False, width=32),
        window_days=st.integers(min_value=1, max_value=400),
    )


def slas() -> st.SearchStrategy[SLA]:
    """SLAs with at least one objective."""
    return st.builds(
        SLA,
        id=ids(),
        name=names(),
        description=descriptions(),
        service=ids(),
        consumer=ids(),
        objectives=st.lists(objectives(), min_size=1, max_size=3).map(tuple),
    )


def _subset(draw: st.DrawFn, pool: list[str], max_size: int) -> tuple[str, ...]:
    if not pool:
        return ()
    return tuple(draw(st.lists(st.sampled_from(pool), max_size=max_size, unique=True)))


@st.composite
def portfolios(
    draw: st.DrawFn,
    *,
    min_services: int = 0,
    max_services: int = 8,
    max_outcomes: int = 4,
    max_processes: int = 5,
    currencies: tuple[str, ...] = ("EUR", "USD"),
    text: bool = True,
) -> Portfolio:
    """Whole, valid, referentially consistent portfolios.

    Dependencies only point to services drawn earlier, so there are no cycles; the
    services are then shuffled, so the document order is not a topological one. Some
    redundancy groups are listed, asking for one member up or more (k of n); recovery
    times and tolerable outages are given or not; services have every lifecycle and
    some are provided by a supplier. Some metrics measure availability, and the
    objectives on them have fractions for targets.

    Args:
        draw: Supplied by Hypothesis.
        min_services: Fewest services.
        max_services: Most services.
        max_outcomes: Most outcomes.
        max_processes: Most business processes.
        currencies: Currencies of costs and unit values (several make mixed portfolios).
        text: Draw names and descriptions from all of Unicode (else plain names).
    """
    counter = iter(range(10_000))

    def fresh(prefix: str) -> str:
        return f"{prefix}-{next(counter)}"

    name_st = names() if text else st.sampled_from(["A", "B", "Checkout", "Payments"])
    desc_st = descriptions() if text else st.just("")
    money_st = st.builds(
        Money,
        amount=st.sampled_from([0.0, 1.0, 1000.0, 120000.0]) | _amounts(1e7),
        currency=st.sampled_from(currencies),
    )

    people = [
        Stakeholder(id=fresh("it"), name="IT", kind=StakeholderKind.IT),
        Stakeholder(id=fresh("sales"), name="Sales", kind=StakeholderKind.RELATIONSHIP_OWNER),
        Stakeholder(id=fresh("vendor"), name="Vendor", kind=StakeholderKind.SUPPLIER),
    ]
    people += [
        draw(stakeholders(id=st.just(fresh("st"))))
        for _ in range(draw(st.integers(min_value=0, max_value=2)))
    ]
    owners = [p.id for p in people]
    suppliers = [p.id for p in people if p.kind is StakeholderKind.SUPPLIER]

    segments = [
        CustomerSegment(
            id=fresh("seg"),
            name=draw(name_st),
            description=draw(desc_st),
            relationship_owner=draw(st.sampled_from(owners)),
        )
        for _ in range(draw(st.integers(min_value=1, max_value=3)))
    ]
    outs = [
        Outcome(
            id=fresh("out"),
            name=draw(name_st),
            description=draw(desc_st),
            segment=draw(st.sampled_from([s.id for s in segments])),
            volume=draw(st.none() | quantities()),
            unit_value=draw(st.none() | money_st),
            max_outage_hours=draw(st.none() | hours()),
        )
        for _ in range(draw(st.integers(min_value=0, max_value=max_outcomes)))
    ]
    outcome_ids = [o.id for o in outs]
    prods = [
        Product(
            id=fresh("prod"),
            name=draw(name_st),
            owner=draw(st.sampled_from(owners)),
            outcomes=_subset(draw, outcome_ids, 2),
        )
        for _ in range(draw(st.integers(min_value=0, max_value=3)))
    ]
    procs = [
        BusinessProcess(
            id=fresh("proc"),
            name=draw(name_st),
            owner=draw(st.sampled_from(owners)),
            enables=_subset(draw, [p.id for p in prods] + outcome_ids, 3),
        )
        for _ in range(draw(st.integers(min_value=0, max_value=max_processes)))
    ]
    process_ids = [p.id for p in procs]

    svcs: list[Service] = []
    for _ in range(draw(st.integers(min_value=min_services, max_value=max_services))):
        earlier = [s.id for s in svcs]
        deps = tuple(
            Dependency(service=d, group=draw(st.none() | st.sampled_from(["g1", "g2"])))
            for d in _subset(draw, earlier, 3)
        )
        sups = tuple(
            Support(process=p, share=draw(shares())) for p in _subset(draw, process_ids, 2)
        )
        svcs.append(
            Service(
                id=fresh("svc"),
                name=draw(name_st),
                description=draw(desc_st),
                owner=draw(st.sampled_from(owners)),
                kind=draw(st.sampled_from(ServiceKind)),
                offering=draw(st.sampled_from(Offering)),
                lifecycle=draw(st.sampled_from([Lifecycle.LIVE, Lifecycle.LIVE, *Lifecycle])),
                availability=draw(availabilities()),
                annual_cost=draw(st.none() | money_st),
                provided_by=draw(st.none() | st.sampled_from(suppliers)),
                supports=sups,
                depends_on=deps,
                groups=_groups(draw, deps),
                recovery_hours=draw(st.none() | hours()),
            )
        )
    svcs = draw(st.permutations(svcs)) if svcs else svcs

    mets = [
        Metric(
            id=fresh("met"),
            name=draw(name_st),
            unit="%",
            perspective=draw(st.sampled_from(Perspective)),
            direction=draw(st.sampled_from(Direction)),
            outcome=draw(st.none() | st.sampled_from(outcome_ids)) if outcome_ids else None,
            measures=draw(st.sampled_from([None, None, Measure.AVAILABILITY])),
        )
        for _ in range(draw(st.integers(min_value=0, max_value=2)))
    ]
    by_availability = {m.id for m in mets if m.measures is Measure.AVAILABILITY}
    fractions = st.sampled_from([0.99, 0.9995, 1.0]) | shares()
    others = st.sampled_from([0.99, 5.0, 100.0])
    agreements: list[SLA] = []
    if svcs and mets:
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            agreements.append(
                SLA(
                    id=fresh("sla"),
                    name=draw(name_st),
                    service=draw(st.sampled_from([s.id for s in svcs])),
                    consumer=draw(st.sampled_from(owners + [s.id for s in segments])),
                    objectives=tuple(
                        Objective(
                            metric=m, target=draw(fractions if m in by_availability else others)
                        )
                        for m in _subset(draw, [m.id for m in mets], 2) or [mets[0].id]
                    ),
                )
            )
    streams: list[ValueStream] = []
    if outs:
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            target = draw(st.sampled_from(outs))
            streams.append(
                ValueStream(
                    id=fresh("vs"),
                    name=draw(name_st),
                    segment=target.segment,
                    outcome=target.id,
                    stages=tuple(
                        Stage(name=draw(name_st), processes=_subset(draw, process_ids, 2))
                        for _ in range(draw(st.integers(min_value=0, max_value=2)))
                    ),
                )
            )
    return Portfolio(
        name=draw(name_st),
        description=draw(desc_st),
        stakeholders=tuple(people),
        segments=tuple(segments),
        outcomes=tuple(outs),
        products=tuple(prods),
        processes=tuple(procs),
        value_streams=tuple(streams),
        services=tuple(svcs),
        metrics=tuple(mets),
        slas=tuple(agreements),
    )


_REGISTERED: dict[type, Any] = {
    Money: money,
    Quantity: quantities,
    Support: supports,
    Dependency: dependencies,
    RedundancyGroup: redundancy_groups,
    Stage: stages,
    Objective: objectives,
    Stakeholder: stakeholders,
    CustomerSegment: customer_segments,
    Outcome: outcomes,
    Product: products,
    BusinessProcess: business_processes,
    ValueStream: value_streams,
    Service: services,
    Metric: metrics,
    SLA: slas,
    Portfolio: portfolios,
}
for _cls, _factory in _REGISTERED.items():
    st.register_type_strategy(_cls, _factory())
