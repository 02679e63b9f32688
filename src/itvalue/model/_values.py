"""Closed vocabularies and value types: periods, quantities, money."""

from __future__ import annotations

import enum

import attrs

from itvalue.model._fields import currency, declare, describe, number, text

__all__ = [
    "Direction",
    "Lifecycle",
    "Measure",
    "Money",
    "Offering",
    "Period",
    "Perspective",
    "Quantity",
    "ServiceKind",
    "StakeholderKind",
]


class Period(enum.StrEnum):
    """The period a volume is counted over."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def hours(self) -> int:
        """Hours in the period: a year is 8760, a quarter 2190, a month 730, a week 168."""
        return _PERIOD_HOURS[self]


_PERIOD_HOURS = {
    Period.HOUR: 1,
    Period.DAY: 24,
    Period.WEEK: 168,
    Period.MONTH: 730,
    Period.QUARTER: 2190,
    Period.YEAR: 8760,
}


class StakeholderKind(enum.StrEnum):
    """What role a stakeholder plays for the business."""

    BUSINESS_UNIT = "business_unit"
    INTERNAL_USER = "internal_user"
    RELATIONSHIP_OWNER = "relationship_owner"
    SPONSOR = "sponsor"
    SUPPLIER = "supplier"
    IT = "it"


class ServiceKind(enum.StrEnum):
    """A business service is seen by the business; a technical one sits behind it."""

    BUSINESS = "business"
    TECHNICAL = "technical"


class Offering(enum.StrEnum):
    """Whether a service is sold off the catalog or made to order."""

    CATALOG = "catalog"
    MADE_TO_ORDER = "made_to_order"


class Lifecycle(enum.StrEnum):
    """Where a service stands in its life."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    IN_DEVELOPMENT = "in_development"
    LIVE = "live"
    RETIRED = "retired"


class Perspective(enum.StrEnum):
    """Whether a metric looks inward (at IT) or outward (at the company's customers)."""

    INTERNAL = "internal"
    EXTERNAL = "external"


class Measure(enum.StrEnum):
    """What a metric measures, when the library can check it against the graph."""

    AVAILABILITY = "availability"


class Direction(enum.StrEnum):
    """Which way a metric improves."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


@attrs.frozen(kw_only=True, field_transformer=describe)
class Quantity:
    """An amount of something per period, such as 10,000 orders a month.

    Attributes:
        amount: How many, at least 0.
        unit: What is counted ("orders", "calls").
        per: The period the amount is counted over.
    """

    amount: float = attrs.field(metadata=declare(number(minimum=0)))
    unit: str = attrs.field(metadata=declare(text(blank=False)))
    per: Period

    @property
    def per_hour(self) -> float:
        """The amount per hour of the period."""
        return self.amount / self.per.hours

    @property
    def per_year(self) -> float:
        """The amount over a year (8760 hours)."""
        return self.amount * (8760 / self.per.hours)


@attrs.frozen(kw_only=True, field_transformer=describe)
class Money:
    """An amount of money in one currency. An estimate, never converted.

    Attributes:
        amount: The amount, a finite number.
        currency: A three-letter upper-case code such as ``EUR``.
    """

    amount: float
    currency: str = attrs.field(metadata=declare(currency()))

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"
