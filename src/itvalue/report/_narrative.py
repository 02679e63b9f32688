"""What the business report says, section by section, in words a colleague outside IT uses.

:func:`narrate` turns the figures of a :class:`~itvalue.report.BusinessReport` into a
:class:`Narrative`: a title, an introduction, the picture and its caption, and sections
of paragraphs, a table, bullets, groups of bullets and notes. It holds plain text only
(emphasis is a field of its own, not markup), so each renderer decides how it looks; one
function writes each section.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from itvalue.checks import RULES, Finding
from itvalue.model import Lifecycle
from itvalue.report._figures import AgreementLine, BusinessReport
from itvalue.report._words import (
    all_of,
    duration_text,
    either,
    money_text,
    outage_span,
    per_period,
    singular,
    units_lost_text,
    units_text,
)

__all__ = ["Group", "Narrative", "Section", "Table", "narrate"]

#: Findings listed under one rule before the rest are counted.
MAX_LISTED = 8


@attrs.frozen(kw_only=True)
class Table:
    """A table of text.

    Attributes:
        headers: The column headings.
        rows: The rows, each with one cell per heading.
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@attrs.frozen(kw_only=True)
class Group:
    """A bullet that leads a list of its own: a title in bold, text, then items.

    Attributes:
        title: The words to emphasise.
        text: What follows them.
        items: The bullets under it.
    """

    title: str
    text: str
    items: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Section:
    """One section of the report, its parts in the order they are shown.

    Attributes:
        title: The heading.
        paragraphs: Paragraphs of text.
        table: A table, if any.
        bullets: A list of bullets.
        groups: Bullets that lead lists of their own.
        notes: Asides the reader should not miss.
    """

    title: str
    paragraphs: tuple[str, ...] = ()
    table: Table | None = None
    bullets: tuple[str, ...] = ()
    groups: tuple[Group, ...] = ()
    notes: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Narrative:
    """The whole report as text, ready for any renderer.

    Attributes:
        title: The report's title.
        intro: The paragraph that says what the words mean.
        picture: The value graph as SVG, for renderers that can show it.
        caption: What the picture shows.
        sections: The sections, in order.
    """

    title: str
    intro: str
    picture: str = attrs.field(repr=False)
    caption: str
    sections: tuple[Section, ...]


_INTRO = (
    "This report follows every IT service to the customers it ultimately serves. "
    "“Delivered” means the share of an outcome customers still get; an “outage” is time "
    "a service does not work; money figures are estimates from the stated value of each outcome."
)
_CAPTION = (
    "How value flows: IT services (left) enable business processes, products and the "
    "outcomes customers receive (right). Dashed lines are redundant alternatives."
)


def customers(report: BusinessReport) -> Section:
    """What our customers get: each outcome, whom it is for, how many, and its worth."""
    rows = []
    for line in report.outcomes:
        o = line.outcome
        volume = (
            f"{units_text(o.volume.amount, o.volume.unit)} {per_period(o.volume.per)}"
            if o.volume
            else "not stated"
        )
        worth = (
            money_text(o.unit_value.amount, o.unit_value.currency) if o.unit_value else "not stated"
        )
        yearly = (
            money_text(line.yearly_value.amount, line.yearly_value.currency)
            if line.yearly_value
            else "—"
        )
        rows.append((o.name, line.segment, volume, worth, yearly))
    if not rows:
        return Section(
            title="What our customers get",
            paragraphs=("No customer outcomes are described yet, so nothing can be valued.",),
        )
    return Section(
        title="What our customers get",
        paragraphs=(
            "Each line is something an external customer receives and the company is paid "
            "for. Everything below is measured against these outcomes.",
        ),
        table=Table(
            headers=("Customer outcome", "For", "How many", "Worth each", "Worth a year"),
            rows=tuple(rows),
        ),
    )


_LIFECYCLE_WORDS = {
    Lifecycle.PROPOSED: "proposed",
    Lifecycle.APPROVED: "approved",
    Lifecycle.IN_DEVELOPMENT: "in development",
    Lifecycle.LIVE: "live",
    Lifecycle.RETIRED: "retired",
}
_DRIVER_WORDS = {
    "equal": "Where a business process or product serves several things, its IT cost is "
    "split equally among them.",
    "value": "Where a business process or product serves several things, its IT cost is "
    "split in proportion to the yearly worth of the customer outcomes each leads to.",
}


def _amounts(cost: Mapping[str, float]) -> str:
    return all_of([money_text(a, c) for c, a in cost.items()])


def _shares(report: BusinessReport, cost: Mapping[str, float]) -> str:
    """``3%``, or ``3% and 5%``: each amount as a share of the total in its currency."""
    total = report.total_cost
    return all_of([f"{a / total[c]:.0%}" if total.get(c) else "—" for c, a in cost.items()])


def _cost_notes(report: BusinessReport) -> list[str]:
    """What IT pays for that reaches no customer, and what it pays for that is not live."""
    notes = []
    if report.orphans:
        names = all_of([s.name for s in report.orphans])
        own = report.orphan_cost
        if own:
            notes.append(
                f"{_amounts(own)} a year ({_shares(report, own)}) pays for things that reach "
                f"no customer outcome: {names}."
            )
        else:
            notes.append(f"No cost is recorded for what reaches no customer outcome: {names}.")
    if report.stops_short:
        further = report.stops_short_cost
        amounts = f"{_amounts(further)} a year ({_shares(report, further)})"
        lead = (
            f"A further {amounts} of other services' cost"
            if report.orphans
            else f"{amounts} of IT cost"
        )
        lead_to = "leads" if len(report.stops_short) == 1 else "lead"
        notes.append(
            f"{lead} ends at {all_of([place.name for place in report.stops_short])}, which "
            f"{lead_to} to no customer outcome."
        )
    if report.not_live:
        listed = all_of(
            [f"{s.name} ({_LIFECYCLE_WORDS[s.lifecycle]})" for s in report.not_live_services]
        )
        notes.append(
            f"{_amounts(report.not_live)} a year is spent on services that are not live: "
            f"{listed}. It is not counted in the cost of any outcome."
        )
    return notes


def costs(report: BusinessReport) -> Section:
    """What IT costs per outcome, and what it pays for that serves no customer today."""
    rows = []
    for line in report.outcomes:
        unit = singular(line.outcome.volume.unit) if line.outcome.volume else "unit"
        # Every outcome IT cost reaches has a row, so the rows, the cost reaching no
        # outcome and the cost not live add up to the total; without a volume the cost
        # per unit cannot be stated.
        for currency, amount in line.it_cost.items():
            per_unit = line.cost_per_unit.get(currency)
            rows.append(
                (
                    line.outcome.name,
                    money_text(amount, currency),
                    "not stated (no volume)"
                    if per_unit is None
                    else f"{money_text(per_unit, currency, cents=True)} per {unit}",
                )
            )
    if report.total_cost:
        totals = " and ".join(money_text(a, c) for c, a in report.total_cost.items())
        paragraphs = (f"IT services cost {totals} a year in all. {_DRIVER_WORDS[report.driver]}",)
    else:
        paragraphs = ("No IT service has a cost recorded yet.",)
    return Section(
        title="What IT costs per outcome",
        paragraphs=paragraphs,
        table=Table(
            headers=("Customer outcome", "IT cost a year", "IT cost per unit delivered"),
            rows=tuple(rows),
        )
        if rows
        else None,
        notes=tuple(_cost_notes(report)),
    )


def risks(report: BusinessReport) -> Section:
    """What an outage of each IT service puts at risk, worst first."""
    span = outage_span(report.hours)
    title = f"What {span} without each IT service puts at risk"
    if not report.risks:
        return Section(
            title=title,
            paragraphs=(
                "No single outage of an IT service touches a customer outcome with a stated "
                "volume.",
            ),
        )
    paragraph = (
        "If one service in use today stops, this is what customers do not get while it is "
        "down, worst first. Services whose outage touches no customer are left out."
    )
    if len(report.currencies) > 1 and report.ranked_by is not None:
        paragraph += (
            f" Outcomes are valued in {all_of(report.currencies)}, which are never converted; "
            f"the order follows the money at risk in {report.ranked_by}."
        )
    rows = tuple(
        (
            risk.service.name,
            risk.units_text(),
            " and ".join(money_text(a, c, about=True) for c, a in risk.money.items()) or "—",
        )
        for risk in report.risks
    )
    return Section(
        title=title,
        paragraphs=(paragraph,),
        table=Table(headers=("IT service", f"For {span} without it", "Money at risk"), rows=rows),
        bullets=tuple(risk.sentence() for risk in report.risks[:3]),
    )


def _at_risk(money: Mapping[str, float], units: Mapping[str, float]) -> str:
    """Money at risk, or units where no money is stated, or a dash."""
    if money:
        return " and ".join(money_text(a, c, about=True) for c, a in money.items())
    return units_lost_text(units) or "—"


def recovery(report: BusinessReport) -> Section:
    """How soon each service must work again after it stops, against how long it takes."""
    title = "How fast each service must be back"
    limits = [
        f"“{line.outcome.name}” for at most {duration_text(line.outcome.max_outage_hours)}"
        for line in report.outcomes
        if line.outcome.max_outage_hours is not None
    ]
    if not limits:
        return Section(
            title=title,
            paragraphs=(
                "No customer outcome states how long the business can go without it, so no "
                "service has a time by which it must be back.",
            ),
        )
    paragraphs = [
        f"The business can go without {all_of(limits)}. A service that stops an outcome "
        "must be back within that time; one that only reduces it may take longer, in "
        "proportion: a service that stops half of an outcome may take twice as long.",
    ]
    if not report.recovery:
        paragraphs.append("No single IT service in use today reduces these outcomes.")
        return Section(title=title, paragraphs=tuple(paragraphs))
    paragraphs.append(
        "The most urgent first, with how long restoring each takes today and what an "
        "outage as long as the business can wait puts at risk."
    )
    rows = tuple(
        (
            line.service.name,
            duration_text(line.required_hours),
            line.outcome.name,
            "not known" if line.recovery_hours is None else duration_text(line.recovery_hours),
            _at_risk(line.money, line.units_by_unit()),
        )
        for line in report.recovery
    )
    bullets = tuple(
        f"{line.service.name}: today it takes {duration_text(line.recovery_hours)}, but it "
        f"must be back within {duration_text(line.required_hours)} for "
        f"“{line.outcome.name}”."
        for line in report.recovery
        if line.recovery_hours is not None and line.is_too_slow
    )
    unknown = [line.service.name for line in report.recovery if line.recovery_hours is None]
    notes: tuple[str, ...] = ()
    if unknown:
        whether = "it is" if len(unknown) == 1 else "they are"
        notes = (
            f"How long restoring {all_of(unknown)} takes is not known, so whether {whether} "
            "back in time cannot be said.",
        )
    return Section(
        title=title,
        paragraphs=tuple(paragraphs),
        table=Table(
            headers=(
                "IT service",
                "Must be back within",
                "For",
                "Today it takes",
                "At risk over that time",
            ),
            rows=rows,
        ),
        bullets=bullets,
        notes=notes,
    )


def _share(fraction: float) -> str:
    """``99.95%``, ``97.2%``: a share of the time, with the digits a promise needs."""
    return f"{fraction * 100:.3f}".rstrip("0").rstrip(".") + "%"


def _promise(line: AgreementLine) -> str:
    """``Billing engine works 99.9% of the time over 30 days``."""
    window = f"over {units_text(line.window_days, 'days')}"
    if line.subject_kind == "outcome":
        return f"“{line.subject}” is delivered {_share(line.target)} of the time {window}"
    return f"{line.service.name} works {_share(line.target)} of the time {window}"


def _costs(line: AgreementLine) -> str:
    """``11 calls fewer, about €72``: units and money lost over the allowed time."""
    parts = [units_lost_text(line.units_by_unit())] if line.units else []
    parts += [money_text(a, c, about=True) for c, a in line.money.items() if a > 0]
    return ", ".join(parts) or "nothing"


def _kept(line: AgreementLine) -> str:
    if not line.is_reachable:
        assert line.ceiling is not None
        return f"No: the services it stands on allow at most {_share(line.ceiling)}"
    if not line.is_met:
        return f"Not today: {_share(line.expected)}"
    return f"Yes: {_share(line.expected)} today"


def _limiting(line: AgreementLine) -> str:
    if line.limiting is None or line.limiting_to is None:
        return ""
    return (
        f" {line.limiting.name} holds it back most: if it never failed, "
        f"{_share(line.limiting_to)} would be within reach."
    )


def _broken_promise(line: AgreementLine) -> str | None:
    """Why a promise is not kept, and what holds it back, or None when it is kept."""
    name = line.sla.name
    if not line.is_reachable:
        assert line.ceiling is not None
        return (
            f"“{name}” cannot be kept: however good {line.service.name} itself becomes, the "
            f"services it stands on let it work at most {_share(line.ceiling)} of the time, "
            f"short of the {_share(line.target)} promised.{_limiting(line)}"
        )
    if not line.is_met:
        today = (
            f"“{line.subject}” is delivered {_share(line.expected)} of the time"
            if line.subject_kind == "outcome"
            else f"{line.service.name} works {_share(line.expected)} of the time"
        )
        return (
            f"“{name}” is not kept today: {today}, short of the {_share(line.target)} "
            f"promised.{_limiting(line)}"
        )
    return None


def agreements(report: BusinessReport) -> Section:
    """What each agreement allows, what that costs customers, and whether it can be kept."""
    title = "What each agreement allows, in customers' terms"
    if not report.agreements:
        return Section(
            title=title,
            paragraphs=(
                "No agreement states its promise as a share of the time a service works, "
                "so none can be weighed against the services that service stands on.",
            ),
        )
    rows = tuple(
        (
            line.sla.name,
            _promise(line),
            duration_text(line.allowed_hours) if line.allowed_hours > 0 else "no time at all",
            _costs(line),
            _kept(line) + (" (simulated)" if line.estimated else ""),
        )
        for line in report.agreements
    )
    bullets = tuple(
        text for text in (_broken_promise(line) for line in report.agreements) if text is not None
    )
    return Section(
        title=title,
        paragraphs=(
            "An agreement that promises a service works a share of the time also allows it "
            "some time without it. This is how long each promise allows over its period, "
            "what one outage that long costs customers, and whether the promise can be kept "
            "given how often the services it stands on work today.",
        ),
        table=Table(
            headers=(
                "Agreement",
                "Promise",
                "Time without it allowed",
                "One outage that long costs",
                "Kept?",
            ),
            rows=rows,
        ),
        bullets=bullets,
    )


def suppliers(report: BusinessReport) -> Section:
    """What depends on one supplier: what each provides and what its outage puts at risk."""
    title = "What depends on one supplier"
    if not report.suppliers:
        return Section(
            title=title, paragraphs=("No IT service in use today comes from a supplier.",)
        )
    span = outage_span(report.hours)
    rows = tuple(
        (
            risk.supplier.name,
            all_of([s.name for s in risk.services]),
            units_lost_text(risk.units_by_unit()) or "nothing",
            " and ".join(money_text(a, c, about=True) for c, a in risk.money.items()) or "—",
        )
        for risk in report.suppliers
    )
    bullets = tuple(
        f"If {risk.supplier.name} fails, no {either([f'“{o.name}”' for o in risk.stops])} "
        "happens at all."
        for risk in report.suppliers
        if risk.stops
    )
    return Section(
        title=title,
        paragraphs=(
            "Some IT services come from suppliers. If a supplier fails, every service it "
            "provides stops at once; this is what that puts at risk, worst first. "
            "Operational-resilience rules, such as the EU's DORA, ask firms to know where "
            "so much rests on one supplier.",
        ),
        table=Table(
            headers=("Supplier", "Provides", f"For {span} without it", "Money at risk"),
            rows=rows,
        ),
        bullets=bullets,
    )


def reliability(report: BusinessReport) -> Section:
    """What today's reliability costs a year, per outcome."""
    rows = []
    for line in report.outcomes:
        units = (
            units_text(line.expected_units_lost.amount, line.expected_units_lost.unit)
            if line.expected_units_lost
            else "—"
        )
        money = (
            money_text(
                line.expected_value_lost.amount, line.expected_value_lost.currency, about=True
            )
            if line.expected_value_lost
            else "—"
        )
        delivered = f"{line.expected_delivery:.3%}" + (" (simulated)" if line.estimated else "")
        rows.append((line.outcome.name, delivered, units, money))
    return Section(
        title="What today's reliability costs a year",
        paragraphs=(
            "IT services do not work all of the time. Given how often each one works "
            "today, this is the share of each outcome customers can expect to get, and "
            "what the rest is worth over a year.",
        ),
        table=Table(
            headers=(
                "Customer outcome",
                "Expected to be delivered",
                "Lost a year",
                "Value lost a year",
            ),
            rows=tuple(rows),
        )
        if rows
        else None,
    )


def single_points(report: BusinessReport) -> Section:
    """Where one failure stops an outcome entirely."""
    bullets = tuple(
        f"If {either(names)} stops, no “{outcome}” happens at all."
        for outcome, names in report.single_points.items()
    )
    return Section(
        title="Where one failure stops everything",
        paragraphs=()
        if bullets
        else ("No single IT service can stop a customer outcome entirely on its own.",),
        bullets=bullets,
    )


def value_traps(report: BusinessReport) -> Section:
    """The value traps found, grouped by rule, each rule with why it matters."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_rule.setdefault(finding.code, []).append(finding)
    groups = []
    for code, found in by_rule.items():
        rule = RULES[code]
        items = [f.message[:1].upper() + f.message[1:] + "." for f in found[:MAX_LISTED]]
        if len(found) > MAX_LISTED:
            items.append(f"… and {len(found) - MAX_LISTED} more.")
        groups.append(
            Group(
                title=rule.title,
                text=f"({code}, {found[0].severity.value}). {rule.rationale}",
                items=tuple(items),
            )
        )
    return Section(
        title="Value traps",
        paragraphs=(
            "Practices that keep IT from delivering or showing value, found in this "
            "portfolio, each with why it matters.",
        )
        if groups
        else ("None found.",),
        groups=tuple(groups),
    )


#: The sections of the report, in order; each writes one from the figures.
SECTIONS: tuple[Callable[[BusinessReport], Section], ...] = (
    customers,
    costs,
    risks,
    recovery,
    agreements,
    reliability,
    single_points,
    suppliers,
    value_traps,
)


def narrate(report: BusinessReport) -> Narrative:
    """The report's text, section by section, for any renderer.

    Examples:
        >>> import itvalue
        >>> from itvalue.report import build_report
        >>> story = narrate(build_report(itvalue.example()))
        >>> [section.title for section in story.sections][:2]
        ['What our customers get', 'What IT costs per outcome']
    """
    return Narrative(
        title=f"What IT does for the customers of {report.name}",
        intro=_INTRO,
        picture=report.picture,
        caption=_CAPTION,
        sections=tuple(write(report) for write in SECTIONS),
    )
