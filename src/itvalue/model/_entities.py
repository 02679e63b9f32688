"""The entities of a portfolio, from stakeholders to SLAs."""

from __future__ import annotations

import attrs

from itvalue.model import _checks as c
from itvalue.model._values import (
    Direction,
    Lifecycle,
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
    "Service",
    "Stage",
    "Stakeholder",
    "Support",
    "ValueStream",
]

_ID = c.identifier()
_NAME = c.text(blank=False)
_TEXT = c.text()
_IDS = c.tuple_of(_ID)


def _id() -> str:
    return attrs.field(validator=_ID)  # type: ignore[no-any-return]


def _name() -> str:
    return attrs.field(validator=_NAME)  # type: ignore[no-any-return]


def _description() -> str:
    return attrs.field(default="", validator=_TEXT)


@attrs.frozen(kw_only=True)
class Stakeholder:
    """A person or group with a stake in IT: a business unit, a supplier, IT itself.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        kind: The role the stakeholder plays.
    """

    id: str = _id()
    name: str = _name()
    description: str = _description()
    kind: StakeholderKind = attrs.field(validator=c.member(StakeholderKind))


@attrs.frozen(kw_only=True)
class CustomerSegment:
    """A group of the company's external customers.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        relationship_owner: The stakeholder who owns the relationship (the business, not IT).
    """

    id: str = _id()
    name: str = _name()
    description: str = _description()
    relationship_owner: str = _id()


@attrs.frozen(kw_only=True)
class Outcome:
    """Something an external customer gets and the business is paid for.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name ("Order delivered within two days").
        description: Free text.
        segment: The customer segment that receives the outcome.
        volume: How many per period, when known.
        unit_value: What one unit is worth to the business, when known.
    """

    id: str = _id()
    name: str = _name()
    description: str = _description()
    segment: str = _id()
    volume: Quantity | None = attrs.field(
        default=None, validator=c.instance(Quantity, optional=True)
    )
    unit_value: Money | None = attrs.field(default=None, validator=c.price(Money))


@attrs.frozen(kw_only=True)
class Product:
    """Something the company sells, producing outcomes for its customers.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        owner: The stakeholder who owns the product.
        outcomes: Ids of the outcomes the product produces.
    """

    id: str = _id()
    name: str = _name()
    description: str = _description()
    owner: str = _id()
    outcomes: tuple[str, ...] = attrs.field(default=(), validator=_IDS)


@attrs.frozen(kw_only=True)
class BusinessProcess:
    """A way the business works, enabling products or outcomes directly.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        owner: The stakeholder who owns the process.
        enables: Ids of the products or outcomes the process enables.
    """

    id: str = _id()
    name: str = _name()
    description: str = _description()
    owner: str = _id()
    enables: tuple[str, ...] = attrs.field(default=(), validator=_IDS)


@attrs.frozen(kw_only=True)
class Stage:
    """One stage of a value stream.

    Attributes:
        name: Display name of the stage.
        processes: Ids of the business processes at work in the stage.
    """

    name: str = _name()
    processes: tuple[str, ...] = attrs.field(default=(), validator=_IDS)


@attrs.frozen(kw_only=True)
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

    id: str = _id()
    name: str = _name()
    description: str = _description()
    segment: str = _id()
    outcome: str = _id()
    stages: tuple[Stage, ...] = attrs.field(default=(), validator=c.tuple_of(Stage))


@attrs.frozen(kw_only=True)
class Support:
    """A service's support of a business process.

    Attributes:
        process: Id of the process supported.
        share: The fraction of the process that stops when the service is down (0, 1].
    """

    process: str = _id()
    share: float = attrs.field(default=1.0, converter=c.as_float, validator=c.fraction())


@attrs.frozen(kw_only=True)
class Dependency:
    """A service's dependency on another service.

    Dependencies that share a ``group`` are redundant alternatives: one of them up
    is enough. A dependency with no group is required on its own.

    Attributes:
        service: Id of the service depended on.
        group: Name of the redundancy group, if any.
    """

    service: str = _id()
    group: str | None = attrs.field(default=None, validator=c.optional(c.text(blank=False)))


@attrs.frozen(kw_only=True)
class Service:
    """An IT service, business-facing or technical.

    Attributes:
        id: Unique id across the portfolio.
        name: Display name.
        description: Free text.
        owner: The stakeholder who owns the service.
        kind: Business (seen by the business) or technical (behind one).
        offering: Catalog or made to order.
        lifecycle: Where the service stands in its life.
        availability: The service's own availability, 0 < a <= 1; missing means 1.
        annual_cost: What the service costs a year.
        provided_by: A stakeholder of kind ``supplier`` who provides the service.
        supports: The business processes the service supports.
        depends_on: The services this service needs.
    """

    id: str = _id()
    name: str = _name()
    description: str = _description()
    owner: str = _id()
    kind: ServiceKind = attrs.field(validator=c.member(ServiceKind))
    offering: Offering = attrs.field(validator=c.member(Offering))
    lifecycle: Lifecycle = attrs.field(validator=c.member(Lifecycle))
    availability: float | None = attrs.field(
        default=None, converter=c.as_optional_float, validator=c.optional(c.fraction())
    )
    annual_cost: Money | None = attrs.field(default=None, validator=c.price(Money))
    provided_by: str | None = attrs.field(default=None, validator=c.optional(_ID))
    supports: tuple[Support, ...] = attrs.field(default=(), validator=c.tuple_of(Support))
    depends_on: tuple[Dependency, ...] = attrs.field(default=(), validator=c.tuple_of(Dependency))

    @property
    def is_live(self) -> bool:
        """Whether the service is live."""
        return self.lifecycle is Lifecycle.LIVE


@attrs.frozen(kw_only=True)
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
    """

    id: str = _id()
    name: str = _name()
    description: str = _description()
    unit: str = attrs.field(validator=c.text(blank=False))
    perspective: Perspective = attrs.field(validator=c.member(Perspective))
    direction: Direction = attrs.field(validator=c.member(Direction))
    outcome: str | None = attrs.field(default=None, validator=c.optional(_ID))


@attrs.frozen(kw_only=True)
class Objective:
    """A target for one metric over a window.

    Attributes:
        metric: Id of the metric.
        target: The target value.
        window_days: Days the target is measured over, at least 1.
    """

    metric: str = _id()
    target: float = attrs.field(converter=c.as_float, validator=c.number())
    window_days: int = attrs.field(default=28, validator=c.positive_int())


@attrs.frozen(kw_only=True)
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

    id: str = _id()
    name: str = _name()
    description: str = _description()
    service: str = _id()
    consumer: str = _id()
    objectives: tuple[Objective, ...] = attrs.field(validator=c.tuple_of(Objective, min_items=1))
