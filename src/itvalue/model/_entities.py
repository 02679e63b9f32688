"""The entities of a portfolio, from stakeholders to SLAs."""

from __future__ import annotations

import attrs

from itvalue.model._fields import (
    declare,
    describe,
    fraction,
    identifier,
    linked,
    positive,
    positive_int,
    price,
    quorums,
    refers,
    text,
    when,
)
from itvalue.model._values import (
    Direction,
    Lifecycle,
    Measure,
    Money,
    Offering,
    Perspective,
    Quantity,
    ServiceKind,
    StakeholderKind,
)

__all__ = [
    "SLA",
    "BusinessProcess",
    "CustomerSegment",
    "Dependency",
    "Metric",
    "Objective",
    "Outcome",
    "Product",
    "RedundancyGroup",
    "Service",
    "Stage",
    "Stakeholder",
    "Support",
    "ValueStream",
]

_ID = declare(identifier())
_NAME = declare(text(blank=False))


@attrs.frozen(kw_only=True, field_transformer=describe)
class Stakeholder:
    """A person or group with a stake in IT: a business unit, a supplier, IT itself.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        kind: The role the stakeholder plays.
    """

    id: str = attrs.field(metadata=_ID)
    name: str = attrs.field(metadata=_NAME)
    description: str = ""
    kind: StakeholderKind


@attrs.frozen(kw_only=True, field_transformer=describe)
class CustomerSegment:
    """A group of the company's external customers.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        relationship_owner: The stakeholder who owns the relationship (the business, not IT).
    """

    id: str = attrs.field(metadata=_ID)
    name: str = attrs.field(metadata=_NAME)
    description: str = ""
    relationship_owner: str = attrs.field(metadata=refers("stakeholder"))


@attrs.frozen(kw_only=True, field_transformer=describe)
class Outcome:
    """Something an external customer gets and the business is paid for.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name ("Order delivered within two days").
        description: Free text.
        segment: The customer segment that receives the outcome.
        volume: How many per period, when known.
        unit_value: What one unit is worth to the business, when known.
        max_outage_hours: The longest the business tolerates the outcome fully
            stopped, in hours (the maximum tolerable period of disruption), when known.
    """

    id: str = attrs.field(metadata=_ID)
    name: str = attrs.field(metadata=_NAME)
    description: str = ""
    segment: str = attrs.field(metadata=refers("segment"))
    volume: Quantity | None = None
    unit_value: Money | None = attrs.field(default=None, metadata=declare(price(Money)))
    max_outage_hours: float | None = attrs.field(default=None, metadata=declare(positive()))


@attrs.frozen(kw_only=True, field_transformer=describe)
class Product:
    """Something the company sells, producing outcomes for its customers.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        owner: The stakeholder who owns the product.
        outcomes: Ids of the outcomes the product produces.
    """

    id: str = attrs.field(metadata=_ID)
    name: str = attrs.field(metadata=_NAME)
    description: str = ""
    owner: str = attrs.field(metadata=refers("stakeholder"))
    outcomes: tuple[str, ...] = attrs.field(default=(), metadata=refers("outcome"))


@attrs.frozen(kw_only=True, field_transformer=describe)
class BusinessProcess:
    """A way the business works, enabling products or outcomes directly.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        owner: The stakeholder who owns the process.
        enables: Ids of the products or outcomes the process enables.
    """

    id: str = attrs.field(metadata=_ID)
    name: str = attrs.field(metadata=_NAME)
    description: str = ""
    owner: str = attrs.field(metadata=refers("stakeholder"))
    enables: tuple[str, ...] = attrs.field(default=(), metadata=refers("product", "outcome"))


@attrs.frozen(kw_only=True, field_transformer=describe)
class Stage:
    """One stage of a value stream.

    Attributes:
        name: Display name of the stage.
        processes: Ids of the business processes at work in the stage.
    """

    name: str = attrs.field(metadata=_NAME)
    processes: tuple[str, ...] = attrs.field(default=(), metadata=refers("process"))


@attrs.frozen(kw_only=True, field_transformer=describe)
class ValueStream:
    """The stages a segment's outcome goes through, end to end.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        segment: The customer segment served.
        outcome: The outcome the stream delivers.
        stages: The stages, in order.
    """

    id: str = attrs.field(metadata=_ID)
    name: str = attrs.field(metadata=_NAME)
    description: str = ""
    segment: str = attrs.field(metadata=refers("segment"))
    outcome: str = attrs.field(metadata=refers("outcome"))
    stages: tuple[Stage, ...] = ()


@attrs.frozen(kw_only=True, field_transformer=describe)
class Support:
    """A service's support of a business process.

    Attributes:
        process: Id of the process supported.
        share: The fraction of the process that stops when the service is down (0, 1].
    """

    process: str = attrs.field(metadata=refers("process"))
    share: float = attrs.field(default=1.0, metadata=declare(fraction()))


@attrs.frozen(kw_only=True, field_transformer=describe)
class Dependency:
    """A service's dependency on another service.

    Dependencies that share a ``group`` are redundant alternatives: as many of them
    up as the service's :class:`RedundancyGroup` of that name asks (one, unless the
    service lists the group). A dependency with no group is required on its own.

    Attributes:
        service: Id of the service depended on.
        group: Name of the redundancy group, if any.
    """

    service: str = attrs.field(metadata=refers("service"))
    group: str | None = attrs.field(default=None, metadata=_NAME)


@attrs.frozen(kw_only=True, field_transformer=describe)
class RedundancyGroup:
    """How many members of one of a service's redundancy groups must be up (k of n).

    The members are the service's dependencies naming the group; a group they name
    that the service does not list needs one of them up.

    Attributes:
        name: The group's name, as the dependencies give it.
        min_up: How many members must be up: at least 1, at most the group's size.
    """

    name: str = attrs.field(metadata=_NAME)
    min_up: int = attrs.field(default=1, metadata=declare(positive_int()))


@attrs.frozen(kw_only=True, field_transformer=describe)
class Service:
    """An IT service, business-facing or technical.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        owner: The stakeholder who owns the service.
        kind: Business (seen by the business) or technical (behind one); technical
            unless given.
        offering: Catalog or made to order; catalog unless given.
        lifecycle: Where the service stands in its life; live unless given.
        availability: The service's own availability, 0 < a <= 1; missing means 1.
        annual_cost: What the service costs a year.
        provided_by: A stakeholder of kind ``supplier`` who provides the service.
        supports: The business processes the service supports.
        depends_on: The services this service needs.
        groups: How many members of each redundancy group of ``depends_on`` must be
            up; a group not listed needs one.
        recovery_hours: How long restoring the service takes after it fails, in hours
            (its tested recovery time), when known.

    Examples:
        >>> from itvalue import Service
        >>> s = Service(id="db", name="Database", owner="it")
        >>> s.kind.value, s.offering.value, s.lifecycle.value
        ('technical', 'catalog', 'live')
    """

    id: str = attrs.field(metadata=_ID)
    name: str = attrs.field(metadata=_NAME)
    description: str = ""
    owner: str = attrs.field(metadata=refers("stakeholder"))
    # Written even at their defaults: they were required before they had one, and
    # documents written then must re-dump unchanged.
    kind: ServiceKind = attrs.field(
        default=ServiceKind.TECHNICAL, metadata=declare(always_written=True)
    )
    offering: Offering = attrs.field(
        default=Offering.CATALOG, metadata=declare(always_written=True)
    )
    lifecycle: Lifecycle = attrs.field(
        default=Lifecycle.LIVE, metadata=declare(always_written=True)
    )
    availability: float | None = attrs.field(default=None, metadata=declare(fraction()))
    annual_cost: Money | None = attrs.field(default=None, metadata=declare(price(Money)))
    provided_by: str | None = attrs.field(
        default=None, metadata=refers("stakeholder", role="supplier")
    )
    supports: tuple[Support, ...] = attrs.field(
        default=(), metadata=linked(key="process", twice="is supported twice")
    )
    depends_on: tuple[Dependency, ...] = attrs.field(
        default=(),
        metadata=linked(
            key="service", twice="is depended on twice", itself="depends on itself", acyclic=True
        ),
    )
    groups: tuple[RedundancyGroup, ...] = attrs.field(
        default=(),
        metadata=quorums(
            members="depends_on",
            by="group",
            key="name",
            least="min_up",
            noun="dependency",
            nouns="dependencies",
        ),
    )
    recovery_hours: float | None = attrs.field(default=None, metadata=declare(positive()))

    @property
    def is_live(self) -> bool:
        """Whether the service is live."""
        return self.lifecycle is Lifecycle.LIVE


@attrs.frozen(kw_only=True, field_transformer=describe)
class Metric:
    """Something measured, facing inward (IT) or outward (the company's customers).

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        unit: Unit of measurement.
        perspective: Internal or external.
        direction: Which way is better.
        outcome: The outcome an external metric follows.
        measures: What the metric measures, when the library can check objectives on it
            against the graph: ``availability`` (the fraction of time something works;
            its targets are fractions, 0 < target <= 1).
    """

    id: str = attrs.field(metadata=_ID)
    name: str = attrs.field(metadata=_NAME)
    description: str = ""
    unit: str = attrs.field(metadata=_NAME)
    perspective: Perspective
    direction: Direction
    outcome: str | None = attrs.field(default=None, metadata=refers("outcome"))
    measures: Measure | None = None


@attrs.frozen(kw_only=True, field_transformer=describe)
class Objective:
    """A target for one metric over a window.

    Attributes:
        metric: Id of the metric.
        target: The target value; a fraction, 0 < target <= 1, when the metric
            measures availability.
        window_days: Days the target is measured over, at least 1.
    """

    metric: str = attrs.field(metadata=refers("metric"))
    target: float = attrs.field(
        metadata=when(fraction(), via="metric", field="measures", equals=Measure.AVAILABILITY)
    )
    window_days: int = attrs.field(default=28, metadata=declare(positive_int()))


@attrs.frozen(kw_only=True, field_transformer=describe)
class SLA:
    """A service level agreement between a service and its consumer.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        service: Id of the service.
        consumer: Id of a stakeholder (internal consumer) or a customer segment.
        objectives: At least one objective.
    """

    id: str = attrs.field(metadata=_ID)
    name: str = attrs.field(metadata=_NAME)
    description: str = ""
    service: str = attrs.field(metadata=refers("service"))
    consumer: str = attrs.field(metadata=refers("stakeholder", "segment"))
    objectives: tuple[Objective, ...] = attrs.field(metadata=declare(min_items=1))
