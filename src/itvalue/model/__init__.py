"""The domain model: entities, value types, closed vocabularies and the portfolio.

Every class is a frozen, slotted, keyword-only attrs class that validates its fields
on construction; :class:`Portfolio` also checks the whole (ids, references, cycles) and
knows its services' dependency order (:attr:`Portfolio.service_order`). What each field
holds, accepts and refers to is described once, in the table of fields that the
document readers and writers are derived from.
"""

from itvalue.model._entities import (
    SLA,
    BusinessProcess,
    CustomerSegment,
    Dependency,
    Metric,
    Objective,
    Outcome,
    Product,
    RedundancyGroup,
    Service,
    Stage,
    Stakeholder,
    Support,
    ValueStream,
)
from itvalue.model._integrity import COLLECTIONS, describe_kind
from itvalue.model._portfolio import Entity, Portfolio
from itvalue.model._values import (
    Direction,
    Lifecycle,
    Measure,
    Money,
    Offering,
    Period,
    Perspective,
    Quantity,
    ServiceKind,
    StakeholderKind,
)

__all__ = [
    "COLLECTIONS",
    "SLA",
    "BusinessProcess",
    "CustomerSegment",
    "Dependency",
    "Direction",
    "Entity",
    "Lifecycle",
    "Measure",
    "Metric",
    "Money",
    "Objective",
    "Offering",
    "Outcome",
    "Period",
    "Perspective",
    "Portfolio",
    "Product",
    "Quantity",
    "RedundancyGroup",
    "Service",
    "ServiceKind",
    "Stage",
    "Stakeholder",
    "StakeholderKind",
    "Support",
    "ValueStream",
    "describe_kind",
]
