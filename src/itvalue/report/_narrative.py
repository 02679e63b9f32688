"""What the business report says, section by section, in words a colleague outside IT uses.

:func:`narrate` turns the figures of a :class:`~itvalue.report.BusinessReport` into a
:class:`Narrative`: a title, an introduction, the picture and its caption, and sections
of paragraphs, a table, bullets, groups of bullets and notes. It holds plain text only
(emphasis is a field of its own, not markup), so each renderer decides how it looks; one
function writes each section.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from itvalue.checks import RULES, Finding
from itvalue.report._figures import BusinessReport
from itvalue.report._words import (
    all_of,
    either,
    money_text,
    outage_span,
    per_period,
    singular,
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


def costs(report: BusinessReport) -> Section:
    """What IT costs per outcome, and what it pays for that reaches no customer."""
    rows = []
    for line in report.outcomes:
        unit = singular(line.outcome.volume.unit) if line.outcome.volume else "unit"
        for currency, per_unit in line.cost_per_unit.items():
            rows.append(
                (
                    line.outcome.name,
                    money_text(line.it_cost[currency], currency),
                    f"{money_text(per_unit, currency, cents=True)} per {unit}",
                )
            )
    if report.total_cost:
        totals = " and ".join(money_text(a, c) for c, a in report.total_cost.items())
        paragraph = f"IT services cost {totals} a year in all."
    else:
        paragraph = "No IT service has a cost recorded yet."
    notes = []
    for currency, amount in report.unallocated.items():
        total = report.total_cost.get(currency)
        share = amount / total if total else 0.0
        where = ", ".join(s.name for s in report.stranded if s.cost.get(currency, 0.0) > 0)
        notes.append(
            f"{money_text(amount, currency)} a year ({share:.0%}) pays for things that reach no "
            f"customer outcome: {where}."
        )
    return Section(
        title="What IT costs per outcome",
        paragraphs=(paragraph,),
        table=Table(
            headers=("Customer outcome", "IT cost a year", "IT cost per unit delivered"),
            rows=tuple(rows),
        )
        if rows
        else None,
        notes=tuple(notes),
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
        "If one service stops, this is what customers do not get while it is down, "
        "worst first. Services whose outage touches no customer are left out."
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
    reliability,
    single_points,
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
