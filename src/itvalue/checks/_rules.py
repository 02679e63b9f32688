"""The value-trap rules, one small function each, in a registry by code."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import attrs

from itvalue.graph import ValueGraph, core_of
from itvalue.model import Lifecycle, Perspective, Portfolio, StakeholderKind

if TYPE_CHECKING:
    from itvalue.analysis.agreements import AvailabilityPromise

__all__ = ["RULES", "Rule", "Severity"]


class Severity(enum.StrEnum):
    """How much a finding matters; ``error`` fails ``itvalue check``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


#: What a rule function yields: the subject's id and the message.
Hit = tuple[str, str]
RuleFunction = Callable[[Portfolio, ValueGraph], Iterator[Hit]]


@attrs.frozen(kw_only=True)
class Rule:
    """A value-trap rule.

    Attributes:
        code: ``ITV001`` ... ``ITV015``.
        name: A short kebab-case name such as ``orphan-service``.
        title: The rule's name for people, such as "Orphan service".
        severity: The default severity of its findings.
        summary: When it fires, in one line.
        rationale: Why it is a trap, in the business's words.
        function: Yields ``(subject id, message)`` for a portfolio and its graph.
    """

    code: str
    name: str
    title: str
    severity: Severity
    summary: str
    rationale: str
    function: RuleFunction = attrs.field(repr=False, eq=False)


RULES: dict[str, Rule] = {}


def _rule(
    code: str, name: str, severity: Severity, summary: str, rationale: str, *, title: str
) -> Callable[[RuleFunction], RuleFunction]:
    def register(function: RuleFunction) -> RuleFunction:
        RULES[code] = Rule(
            code=code,
            name=name,
            title=title,
            severity=severity,
            summary=summary,
            rationale=" ".join(rationale.split()),
            function=function,
        )
        return function

    return register


def _money(amount: float, currency: str) -> str:
    return f"{amount:,.0f} {currency}"


@_rule(
    "ITV001",
    "orphan-service",
    Severity.WARNING,
    "a live service reaches no outcome",
    """A service that leads to nothing a customer receives is IT for IT's sake: money
    and attention spent where no customer will ever notice. Either it supports
    something the model is missing, or it is a candidate to retire.""",
    title="Service that serves no customer",
)
def orphan_service(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Live services that reach no outcome."""
    for key in g.orphans():
        service = p.service(key)
        if not service.is_live:
            continue
        cost = ""
        if service.annual_cost is not None:
            amount = _money(service.annual_cost.amount, service.annual_cost.currency)
            cost = f"; it costs {amount} a year"
        yield key, f"live service {key!r} reaches no customer outcome{cost}"


@_rule(
    "ITV002",
    "internal-only-sla",
    Severity.WARNING,
    "every objective of an SLA uses an internal-perspective metric",
    """An agreement that measures only inward-facing numbers (uptime, ticket times)
    says nothing about what the company's customers get. Sales, marketing and IT
    end up talking about different things; follow at least one metric the
    customer would notice.""",
    title="Agreement that measures only IT",
)
def internal_only_sla(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """SLAs whose objectives all use internal metrics."""
    for sla in p.slas:
        metrics = [p.metric(o.metric) for o in sla.objectives]
        if all(m.perspective is Perspective.INTERNAL for m in metrics):
            names = ", ".join(sorted({m.name for m in metrics}))
            yield sla.id, f"SLA {sla.id!r} measures only internal metrics ({names})"


_INTERNAL_CUSTOMER = re.compile(r"\binternal[\s_-]+customers?\b", re.IGNORECASE)


@_rule(
    "ITV003",
    "internal-customer",
    Severity.WARNING,
    "a stakeholder's name or description calls it an 'internal customer'",
    """Calling colleagues "internal customers" casts IT as a passive seller waiting
    for orders, afraid to say no, billing departments instead of solving problems.
    IT is part of the business; the customers are the people who buy its products.""",
    title="Colleagues called customers",
)
def internal_customer(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Stakeholders described as internal customers."""
    for stakeholder in p.stakeholders:
        for field in ("name", "description"):
            if _INTERNAL_CUSTOMER.search(getattr(stakeholder, field)):
                yield (
                    stakeholder.id,
                    f"stakeholder {stakeholder.id!r} is called an internal customer in its {field}",
                )
                break


@_rule(
    "ITV004",
    "unowned-relationship",
    Severity.ERROR,
    "a segment's relationship owner is a stakeholder of kind it",
    """External customers belong to the business: sales, marketing or support own
    the relationship and translate it into requirements. IT should meet them only
    under that owner's oversight, not own them.""",
    title="Customers owned by IT",
)
def unowned_relationship(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Segments whose relationship is owned by IT."""
    for segment in p.segments:
        owner = p.stakeholder(segment.relationship_owner)
        if owner.kind is StakeholderKind.IT:
            yield (
                segment.id,
                f"customer segment {segment.id!r} has IT ({owner.id!r}) as its relationship owner",
            )


@_rule(
    "ITV005",
    "unvalued-outcome",
    Severity.WARNING,
    "an outcome has no volume, so its value can't be stated",
    """Without a volume, no outage can be stated in orders or money, and every
    conversation about this outcome falls back to uptime percentages.""",
    title="Outcome with no stated volume",
)
def unvalued_outcome(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Outcomes with no volume."""
    for outcome in p.outcomes:
        if outcome.volume is None:
            yield outcome.id, f"outcome {outcome.id!r} has no volume"


@_rule(
    "ITV006",
    "unlinked-external-metric",
    Severity.WARNING,
    "an external metric names no outcome",
    """A customer-facing metric that is tied to no outcome cannot be traced to the
    services that move it, nor weighed in money.""",
    title="Customer metric tied to nothing",
)
def unlinked_external_metric(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """External metrics with no outcome."""
    for metric in p.metrics:
        if metric.perspective is Perspective.EXTERNAL and metric.outcome is None:
            yield metric.id, f"external metric {metric.id!r} names no outcome"


@_rule(
    "ITV007",
    "single-point-of-failure",
    Severity.WARNING,
    "one live service's failure alone stops an outcome entirely",
    """When one service stops, every customer of this outcome is turned away. A
    budget for redundancy or disaster recovery here protects customer operations;
    it is not a technical nicety.""",
    title="One failure stops an outcome",
)
def single_point_of_failure(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Live services whose failure alone zeroes an outcome; one finding per service."""
    yield from _stops_entirely(p, g.single_points_of_failure(), "")


def _stops_entirely(p: Portfolio, found: dict[str, list[str]], noun: str) -> Iterator[Hit]:
    """One finding per culprit of single points of failure, naming what it stops."""
    stopped: dict[str, list[str]] = {}
    for outcome, culprits in found.items():
        for culprit in culprits:
            stopped.setdefault(culprit, []).append(outcome)
    for culprit, outcomes in stopped.items():
        named = ", ".join(f"{o!r} ({p.outcome(o).name})" for o in outcomes)
        who = f"{noun}{culprit!r}"
        if len(outcomes) == 1:
            yield culprit, f"if {who} fails, outcome {named} stops entirely"
        else:
            yield culprit, f"if {who} fails, {len(outcomes)} outcomes stop entirely: {named}"


@_rule(
    "ITV008",
    "retired-dependency",
    Severity.ERROR,
    "a live service depends on a retired one",
    """A live service that still leans on something retired is running on borrowed
    time: the retirement either did not happen, or the dependent will break.""",
    title="Live service relying on a retired one",
)
def retired_dependency(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Live services depending on retired ones."""
    for service in p.services:
        if not service.is_live:
            continue
        for dependency in service.depends_on:
            if p.service(dependency.service).lifecycle is Lifecycle.RETIRED:
                yield (
                    service.id,
                    f"live service {service.id!r} depends on retired {dependency.service!r}",
                )


@_rule(
    "ITV009",
    "stream-gap",
    Severity.ERROR,
    "a value stream stage's process does not lead to the stream's outcome",
    """A stage of a value stream that does not lead to its outcome means the picture
    of how customers are served is broken: either the stream or the model of
    processes is wrong.""",
    title="Gap in a value stream",
)
def stream_gap(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Stage processes that do not reach the stream's outcome."""
    core = core_of(g)
    for stream in p.value_streams:
        target = core.node(stream.outcome)
        for stage in stream.stages:
            for process in stage.processes:
                if target not in core.reach([core.node(process)]):
                    yield (
                        stream.id,
                        f"in stage {stage.name!r}, process {process!r} does not lead to "
                        f"outcome {stream.outcome!r}",
                    )


@_rule(
    "ITV010",
    "unsupported-outcome",
    Severity.ERROR,
    "no live service reaches an outcome",
    """Either the outcome is delivered without any IT at all — rare today — or the
    model is missing the services that make it happen, and its risk is invisible.""",
    title="Outcome no live service supports",
)
def unsupported_outcome(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Outcomes no live service reaches."""
    core = core_of(g)
    seen = core.reach(i for i in core.range("service") if core.live[i])
    for outcome in p.outcomes:
        if core.index[outcome.id] not in seen:
            yield outcome.id, f"no live service reaches outcome {outcome.id!r}"


@_rule(
    "ITV011",
    "slow-recovery",
    Severity.WARNING,
    "a live service takes longer to recover than its outcomes can wait",
    """When this service fails, restoring it takes longer than the business can go
    without what it makes possible: customers are turned away beyond what was judged
    tolerable. Faster recovery (a tested plan, a standby, a second supplier) is
    protection of customer operations, not a technical nicety.""",
    title="Recovery slower than customers can wait",
)
def slow_recovery(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Live services whose recovery time exceeds their required recovery."""
    for key, need in g.recovery_needs().items():
        service = p.service(key)
        if service.recovery_hours is not None and service.recovery_hours > need.hours:
            outcome = p.outcome(need.outcome)
            yield (
                key,
                f"{key!r} takes {_hours(service.recovery_hours)} to recover but must be back "
                f"within {_hours(need.hours)} for outcome {need.outcome!r} ({outcome.name})",
            )


def _percent(value: float) -> str:
    """``0.9995`` -> ``99.95%``: three decimals at most, trailing zeros dropped."""
    return f"{value * 100:.3f}".rstrip("0").rstrip(".") + "%"


def _limited_by(promise: AvailabilityPromise, verb: str) -> str:
    text = ""
    if promise.limiting is not None and promise.limiting_to is not None:
        own = promise.limiting == promise.subject
        who = "its own availability" if own else repr(promise.limiting)
        text = f"; {who} limits most (perfect, it would {verb} {_percent(promise.limiting_to)})"
    if promise.estimated:
        text += " (estimated by simulation)"
    return text


@_rule(
    "ITV012",
    "unreachable-sla",
    Severity.ERROR,
    "an availability target exceeds what the service's dependencies allow",
    """The agreement promises more than the services this one stands on can deliver,
    however well it is run itself. It will be broken, and the conversation will be
    about penalties instead of customers; fix the dependencies, or the promise.""",
    title="Agreement that cannot be kept",
)
def unreachable_sla(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Availability objectives above the service's ceiling."""
    for promise in g.availability_promises():
        if not promise.is_reachable:
            assert promise.ceiling is not None
            yield (
                promise.sla,
                f"SLA {promise.sla!r} promises {_percent(promise.target)} availability of "
                f"{promise.subject!r}, but its dependencies allow at most "
                f"{_percent(promise.ceiling)}" + _limited_by(promise, "allow"),
            )


@_rule(
    "ITV013",
    "sla-not-met",
    Severity.WARNING,
    "an availability target exceeds what today's availabilities deliver",
    """At today's availabilities the promise is not kept: customers get less than what
    was agreed, and every review of the agreement starts from a failure. The limiting
    service says where an improvement pays off most.""",
    title="Agreement not met today",
)
def sla_not_met(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Availability objectives above today's expected availability or delivery."""
    for promise in g.availability_promises():
        if not promise.is_reachable or promise.is_met:
            continue
        if promise.subject_kind == "outcome":
            outcome = p.outcome(promise.subject)
            yield (
                promise.sla,
                f"SLA {promise.sla!r} promises {_percent(promise.target)} of outcome "
                f"{promise.subject!r} ({outcome.name}) delivered (metric {promise.metric!r}); "
                f"at today's availabilities {_percent(promise.expected)} is expected"
                + _limited_by(promise, "reach"),
            )
        else:
            yield (
                promise.sla,
                f"SLA {promise.sla!r} promises {_percent(promise.target)} availability of "
                f"{promise.subject!r}; at today's availabilities it is "
                f"{_percent(promise.expected)}" + _limited_by(promise, "reach"),
            )


def _hours(value: float) -> str:
    return f"{value:,.4g} hour{'' if value == 1 else 's'}"


@_rule(
    "ITV014",
    "unknown-recovery",
    Severity.INFO,
    "a live service that outcomes need back quickly has no recovery time",
    """The business has said how long it can go without an outcome, and this service
    can stop it, but nobody has said how long restoring the service takes. Until
    someone tests and states it, the promise to customers rests on hope. Reported as
    information by default, so it never fails a build.""",
    title="Recovery time not known",
)
def unknown_recovery(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Live services with a required recovery but no recovery_hours."""
    for key, need in g.recovery_needs().items():
        if p.service(key).recovery_hours is None:
            yield (
                key,
                f"{key!r} must be back within {_hours(need.hours)} for outcome "
                f"{need.outcome!r} but its recovery time is not stated",
            )


@_rule(
    "ITV015",
    "supplier-single-point",
    Severity.WARNING,
    "one supplier's failure alone stops an outcome entirely",
    """When everything this supplier provides stops at once, every customer of the
    outcome is turned away. Operational-resilience rules (such as the EU's DORA) ask
    firms to know this concentration risk; a second supplier or an exit plan for the
    first is protection of customer operations.""",
    title="One supplier stops an outcome",
)
def supplier_single_point(p: Portfolio, g: ValueGraph) -> Iterator[Hit]:
    """Suppliers whose failure alone zeroes an outcome; one finding per supplier."""
    yield from _stops_entirely(p, g.single_points_of_failure(suppliers=True), "supplier ")
