"""The same document format as pydantic v2 models: the baseline for loading and dumping.

Field types and constraints mirror itvalue's (patterns, ranges, enums, unknown keys
forbidden); what pydantic cannot check on its own — unique ids, references, cycles — is
left out, as the benchmark's baseline says.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")]
Name = Annotated[str, Field(pattern=r"\S")]
Fraction = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
Hours = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Money(_Model):
    amount: Annotated[float, Field(allow_inf_nan=False)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Quantity(_Model):
    amount: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    unit: Name
    per: Literal["hour", "day", "week", "month", "quarter", "year"]


class Stakeholder(_Model):
    id: Id
    name: Name
    description: str = ""
    kind: Literal[
        "business_unit", "internal_user", "relationship_owner", "sponsor", "supplier", "it"
    ]


class CustomerSegment(_Model):
    id: Id
    name: Name
    description: str = ""
    relationship_owner: Id


class Outcome(_Model):
    id: Id
    name: Name
    description: str = ""
    segment: Id
    volume: Quantity | None = None
    unit_value: Money | None = None
    max_outage_hours: Hours | None = None


class Product(_Model):
    id: Id
    name: Name
    description: str = ""
    owner: Id
    outcomes: tuple[Id, ...] = ()


class BusinessProcess(_Model):
    id: Id
    name: Name
    description: str = ""
    owner: Id
    enables: tuple[Id, ...] = ()


class Stage(_Model):
    name: Name
    processes: tuple[Id, ...] = ()


class ValueStream(_Model):
    id: Id
    name: Name
    description: str = ""
    segment: Id
    outcome: Id
    stages: tuple[Stage, ...] = ()


class Support(_Model):
    process: Id
    share: Fraction = 1.0


class Dependency(_Model):
    service: Id
    group: Name | None = None


class RedundancyGroup(_Model):
    name: Name
    min_up: Annotated[int, Field(ge=1)] = 1


class Service(_Model):
    id: Id
    name: Name
    description: str = ""
    owner: Id
    # Required here though itvalue has defaults for them: itvalue writes them even at their
    # defaults, and the generator always gives them, so both dump the same fields.
    kind: Literal["business", "technical"]
    offering: Literal["catalog", "made_to_order"]
    lifecycle: Literal["proposed", "approved", "in_development", "live", "retired"]
    availability: Fraction | None = None
    annual_cost: Money | None = None
    provided_by: Id | None = None
    supports: tuple[Support, ...] = ()
    depends_on: tuple[Dependency, ...] = ()
    groups: tuple[RedundancyGroup, ...] = ()
    recovery_hours: Hours | None = None


class Metric(_Model):
    id: Id
    name: Name
    description: str = ""
    unit: Name
    perspective: Literal["internal", "external"]
    direction: Literal["higher_is_better", "lower_is_better"]
    outcome: Id | None = None


class Objective(_Model):
    metric: Id
    target: Annotated[float, Field(allow_inf_nan=False)]
    window_days: Annotated[int, Field(ge=1)] = 28


class SLA(_Model):
    id: Id
    name: Name
    description: str = ""
    service: Id
    consumer: Id
    objectives: Annotated[tuple[Objective, ...], Field(min_length=1)]


class Portfolio(_Model):
    apiVersion: Literal["itvalue/v1"]
    kind: Literal["Portfolio"]
    name: Name
    description: str = ""
    stakeholders: tuple[Stakeholder, ...] = ()
    segments: tuple[CustomerSegment, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    products: tuple[Product, ...] = ()
    processes: tuple[BusinessProcess, ...] = ()
    value_streams: tuple[ValueStream, ...] = ()
    services: tuple[Service, ...] = ()
    metrics: tuple[Metric, ...] = ()
    slas: tuple[SLA, ...] = ()
