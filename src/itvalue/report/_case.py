"""The business case of an IT change as a one-page document.

The essays this library stands on ask IT to bring business cases: to present an upgrade
or a disaster-recovery budget as protection of customer operations. This module writes
a :class:`~itvalue.analysis.compare.Comparison` for a reader outside IT — what customers
get, what it costs, when it pays back — and then, clearly apart, a technical appendix
with what the change does to the services, for the people who will build it.

Three renderings of the same words: :func:`render_case_markdown`,
:func:`render_case_html` (one self-contained page) and :func:`case_to_dict` (JSON data
for tools). :func:`parse_money` reads a one-off cost as people write it ("250000 EUR").
The business part names outcomes and services by their names and uses the phrasings of
:mod:`itvalue.report._words`; codes, ids and technical terms wait for the appendix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any

import attrs

from itvalue.analysis.compare import (
    OUTCOME_COLUMNS,
    Comparison,
    OutcomeChange,
    RecoveryChange,
    parse_money,
)
from itvalue.checks import RULES, Finding
from itvalue.io._converter import plain
from itvalue.model import Money, Portfolio, Service
from itvalue.report._narrative import Narrative, Section, Table
from itvalue.report._render import CSS, html_section, markdown_section
from itvalue.report._words import all_of, duration_text, either, money_text, units_text

__all__ = [
    "APPENDIX",
    "case_narrative",
    "case_to_dict",
    "parse_money",
    "render_case_html",
    "render_case_markdown",
]

#: The title of the technical appendix; everything before it is in the business's words.
APPENDIX = "Technical appendix"

_INTRO = (
    "This page weighs a proposed IT change by what it does for the company's customers. "
    "“Delivered” means the share of an outcome customers can expect to get, given how "
    "often each IT service works; money figures are yearly estimates from the stated "
    "value of each outcome, as if each outcome's stated volume held all year (a volume "
    "per week counts 52 times): for a season, scale them to the weeks it lasts. Amounts "
    "in different currencies are never converted."
)


# --- figures in words --------------------------------------------------------------------------


def _name(portfolio: Portfolio, key: str) -> str:
    return portfolio.get(key).name if key in portfolio else key


def _loss(change: OutcomeChange, amount: float | None) -> str:
    if amount is None:
        return "not stated"
    if change.currency is not None:
        return money_text(amount, change.currency, about=True)
    return units_text(amount, change.unit or "units")


def _difference(change: OutcomeChange) -> str:
    """``about €20,588 less``, ``12 orders more``, ``no change`` or ``not comparable``."""
    if change.loss_change is None:
        return "—"
    if change.loss_change == 0:
        return "no change"
    amount = abs(change.loss_change)
    text = (
        money_text(amount, change.currency)
        if change.currency is not None
        else units_text(amount, change.unit or "units")
    )
    return f"{text} {'less' if change.loss_change < 0 else 'more'} lost"


def _units_gained(c: Comparison) -> dict[str, float]:
    """Units customers are expected to get more (negative: fewer) a year, by unit."""
    gained: dict[str, float] = {}
    for key, change in c.outcomes.items():
        before, after = c.before.outcome(key), c.after.outcome(key)
        if before.volume is None or after.volume is None or before.volume.unit != after.volume.unit:
            continue
        delta = (
            after.volume.per_year * change.delivered_after
            - before.volume.per_year * change.delivered_before
        )
        gained[after.volume.unit] = gained.get(after.volume.unit, 0.0) + delta
    return gained


def _customers_line(c: Comparison) -> str:
    gained = {u: a for u, a in _units_gained(c).items() if round(a, 1) != 0}
    if not gained:
        return "Customers: no change in what they are expected to get."
    more = [units_text(a, u) for u, a in gained.items() if a > 0]
    fewer = [units_text(-a, u) for u, a in gained.items() if a < 0]
    parts = []
    if more:
        parts.append(f"about {all_of(more)} more a year")
    if fewer:
        parts.append(f"about {all_of(fewer)} fewer a year")
    return f"Customers: {' and '.join(parts)} are expected to be delivered."


def _money_lines(c: Comparison) -> list[str]:
    lines = []
    for currency, benefit in c.net_benefit.items():
        loss = c.loss_change.get(currency, 0.0)
        cost = c.cost_change.get(currency, 0.0)
        parts = []
        if loss:
            verb = "saves" if loss < 0 else "adds"
            parts.append(
                f"{verb} {money_text(abs(loss), currency, about=True)} a year in "
                "customer value lost"
            )
        if cost:
            parts.append(
                f"costs {money_text(abs(cost), currency)} a year "
                + ("more to run" if cost > 0 else "less to run")
            )
        if not parts:
            parts.append("changes neither the value lost nor the cost to run")
        verdict = (
            f"a net benefit of {money_text(benefit, currency)} a year"
            if benefit > 0
            else f"a net cost of {money_text(-benefit, currency)} a year"
            if benefit < 0
            else "no net benefit"
        )
        lines.append(f"Money: the change {' and '.join(parts)}: {verdict}.")
    return lines or ["Money: no outcome is valued and no IT cost is recorded."]


def _payback_line(c: Comparison) -> str:
    if c.one_off is None:
        return "Payback: no one-off cost was given."
    cost = money_text(c.one_off.amount, c.one_off.currency)
    if c.payback_years is None:
        return (
            f"Payback: the one-off cost of {cost} does not pay back, as the change brings "
            f"no net benefit in {c.one_off.currency} a year."
        )
    return f"Payback: the one-off cost of {cost} pays back in {_years(c.payback_years)}."


def _sentence(text: str) -> str:
    """The text with its first letter upper-case, the rest as written (currency codes)."""
    return text[:1].upper() + text[1:]


def _years(years: float) -> str:
    if years < 1:
        months = years * 12
        return "less than a month" if months < 1 else units_text(months, "months")
    return units_text(years, "years")


def summary(c: Comparison) -> Section:
    """The case in three lines: customers, money, payback."""
    return Section(
        title="In short",
        bullets=(_customers_line(c), *_money_lines(c), _payback_line(c)),
    )


def customers(c: Comparison) -> Section:
    """What customers get: each outcome's expected delivery and loss, today and after."""
    rows = tuple(
        (
            _name(c.after, key),
            f"{change.delivered_before:.3%}",
            f"{change.delivered_after:.3%}",
            _loss(change, change.loss_before),
            _loss(change, change.loss_after),
            _difference(change),
        )
        for key, change in c.outcomes.items()
    )
    notes = []
    if c.added_outcomes:
        notes.append(
            f"New with the change: {_quoted(c.after, c.added_outcomes)}; not counted in the "
            "figures here, as there is nothing to compare it with."
        )
    if c.removed_outcomes:
        notes.append(
            f"No longer there with the change: {_quoted(c.before, c.removed_outcomes)}; not "
            "counted in the figures here."
        )
    restated = [k for k, change in c.outcomes.items() if change.loss_change is None]
    if restated:
        notes.append(
            f"What {_quoted(c.after, tuple(restated))} is worth is not stated the same way "
            "before and after (or not at all), so only its delivered share is compared."
        )
    if c.estimated:
        notes.append("Some shares delivered were estimated by simulation.")
    return Section(
        title="What customers get",
        paragraphs=(
            "The share of each customer outcome expected to be delivered, today and with "
            "the change, and what the rest is worth over a year.",
        ),
        table=Table(
            headers=(
                "Customer outcome",
                "Delivered today",
                "With the change",
                "Lost a year today",
                "Lost a year with the change",
                "Difference",
            ),
            rows=rows,
        )
        if rows
        else None,
        notes=tuple(notes),
    )


def _quoted(portfolio: Portfolio, keys: tuple[str, ...]) -> str:
    return all_of([f"“{_name(portfolio, k)}”" for k in keys])


def costs(c: Comparison) -> Section:
    """What it costs: IT's yearly running cost today and after, and the one-off."""
    rows = tuple(
        (
            currency,
            money_text(c.cost_before[currency], currency),
            money_text(c.cost_after[currency], currency),
            _signed(c.cost_change[currency], currency),
        )
        for currency in c.cost_change
    )
    paragraphs = [
        "The yearly cost of the IT services in use: those being built or retired cost "
        "nothing to run here."
    ]
    if c.one_off is not None:
        paragraphs.append(
            f"The change itself costs {money_text(c.one_off.amount, c.one_off.currency)} once."
        )
    return Section(
        title="What it costs",
        paragraphs=tuple(paragraphs),
        table=Table(
            headers=("Currency", "IT cost a year today", "With the change", "Difference"),
            rows=rows,
        )
        if rows
        else None,
    )


def _signed(amount: float, currency: str) -> str:
    if amount == 0:
        return "no change"
    return ("+" if amount > 0 else "−") + money_text(abs(amount), currency)


def payback(c: Comparison) -> Section:
    """When it pays back: the net yearly benefit per currency, and the payback time."""
    rows = tuple(
        (
            currency,
            _signed(-c.loss_change.get(currency, 0.0), currency),
            _signed(-c.cost_change.get(currency, 0.0), currency),
            _signed(benefit, currency),
        )
        for currency, benefit in c.net_benefit.items()
    )
    return Section(
        title="When it pays back",
        paragraphs=(
            "The net benefit a year is the customer value no longer lost, less the extra "
            "cost to run (or plus the saving).",
            _sentence(_payback_line(c).removeprefix("Payback: ")),
        ),
        table=Table(
            headers=("Currency", "Less value lost a year", "Lower running cost", "Net benefit"),
            rows=rows,
        )
        if rows
        else None,
    )


def _recovery_text(c: Comparison, change: RecoveryChange, *, met: bool) -> str:
    name = _name(c.after, change.service)
    if met:
        if change.required_after is None:
            return (
                f"{name} no longer has to be back within "
                f"{duration_text(change.required_before or 0)}: no customer outcome stops "
                "with it alone."
            )
        return (
            f"{name} will be back in time for “{_name(c.after, change.outcome_after or '')}”: "
            f"restoring it takes {duration_text(change.recovery_after or 0)}, within the "
            f"{duration_text(change.required_after)} the business can wait (today it takes "
            f"{duration_text(change.recovery_before or 0)})."
        )
    return (
        f"{name} will be too slow to restore for "
        f"“{_name(c.after, change.outcome_after or '')}”: it takes "
        f"{duration_text(change.recovery_after or 0)}, but the business can wait only "
        f"{duration_text(change.required_after or 0)}."
    )


def _trap(finding: Finding, portfolio: Portfolio) -> str:
    return f"{RULES[finding.code].title}: {_name(portfolio, finding.subject)}"


def risks(c: Comparison) -> Section:
    """Risks to customers: single failures, recovery in time, value traps, before and after."""
    bullets: list[str] = []
    for key, services in c.single_points_removed.items():
        names = [_name(c.before, s) for s in services]
        bullets.append(
            f"No longer can {either(names)} alone stop “{_name(c.after, key)}” entirely."
        )
    for key, services in c.single_points_added.items():
        names = [_name(c.after, s) for s in services]
        bullets.append(
            f"With the change, {either(names)} alone could stop “{_name(c.after, key)}”."
        )
    bullets += [_recovery_text(c, change, met=True) for change in c.recoveries_met]
    bullets += [_recovery_text(c, change, met=False) for change in c.recoveries_broken]
    bullets += [f"Resolved: {_trap(f, c.before)}." for f in c.findings_resolved]
    bullets += [f"New: {_trap(f, c.after)}." for f in c.findings_new]
    return Section(
        title="Risks to customers",
        paragraphs=(
            "Where one failure stops an outcome entirely, whether each service can be "
            "back before customers are turned away for longer than the business tolerates, "
            "and the practices that keep IT from showing its value, today against the change.",
        )
        if bullets
        else ("The change neither adds nor removes any of these risks.",),
        bullets=tuple(bullets),
    )


# --- the technical appendix --------------------------------------------------------------------


def _field_changes(old: Service, new: Service) -> str:
    """``availability: 0.999 → 0.9999; …``: each field that differs, as in a document."""
    parts = []
    for field in attrs.fields(Service):
        a, b = getattr(old, field.name), getattr(new, field.name)
        if a != b:
            parts.append(f"{field.name}: {_plain(a)} → {_plain(b)}")
    return "; ".join(parts)


def _plain(value: object) -> str:
    return json.dumps(plain(value), ensure_ascii=False)


def appendix(c: Comparison) -> Section:
    """What the change does to the services, the method, and the findings by code."""
    bullets = [f"Added service {k} ({_name(c.after, k)})." for k in c.added_services]
    bullets += [f"Removed service {k} ({_name(c.before, k)})." for k in c.removed_services]
    before_services = {s.id: s for s in c.before.services}
    after_services = {s.id: s for s in c.after.services}
    bullets += [
        f"Changed service {k}: {_field_changes(before_services[k], after_services[k])}."
        for k in c.changed_services
    ]
    bullets += [f"Outcome added: {k}." for k in c.added_outcomes]
    bullets += [f"Outcome removed: {k}." for k in c.removed_outcomes]
    bullets += [
        f"Resolved {f.code} ({f.rule}) {f.subject}: {f.message}." for f in c.findings_resolved
    ]
    bullets += [f"New {f.code} ({f.rule}) {f.subject}: {f.message}." for f in c.findings_new]
    method = {
        "exact": "exactly, by enumerating the states of shared services (by Monte Carlo "
        "simulation where that is refused)",
        "independent": "in one pass that treats every input as independent",
        "monte_carlo": "by seeded Monte Carlo simulation",
    }[c.method]
    return Section(
        title=APPENDIX,
        paragraphs=(
            f"Expected delivery is computed from each live service's availability, {method}; "
            "non-live services count as always up and cost nothing to run. Outcomes and "
            "services are matched by id.",
        ),
        bullets=tuple(bullets) or ("No service is added, removed or changed.",),
    )


#: The sections of the case, in order; the appendix is last.
SECTIONS = (summary, customers, costs, payback, risks, appendix)


def case_narrative(comparison: Comparison, *, title: str | None = None) -> Narrative:
    """The case's text, section by section, for any renderer.

    The title defaults to the proposal's name when it differs from today's, else
    "The case for a change to …".
    """
    c = comparison
    if title is None:
        title = (
            f"The case for {c.after.name}"
            if c.after.name != c.before.name
            else f"The case for a change to {c.before.name}"
        )
    return Narrative(
        title=title,
        intro=_INTRO,
        picture="",
        caption="",
        sections=tuple(write(c) for write in SECTIONS),
    )


def render_case_markdown(comparison: Comparison, *, title: str | None = None) -> str:
    """The case as Markdown: the business part, then the technical appendix.

    Examples:
        >>> import attrs, itvalue
        >>> from itvalue.analysis.compare import compare
        >>> today = itvalue.example()
        >>> faster = attrs.evolve(today.service("payments"), availability=0.9999)
        >>> case = compare(today, attrs.evolve(today, services=[faster, *today.services[1:]]))
        >>> text = render_case_markdown(case)
        >>> print(text.splitlines()[0])
        # The case for a change to Northwind Retail
        >>> "Customers: about 108 orders more a year are expected to be delivered." in text
        True
    """
    story = case_narrative(comparison, title=title)
    out = [f"# {story.title}", "", story.intro, ""]
    for section in story.sections:
        if section.title == APPENDIX:
            out += ["---", ""]
        out += markdown_section(section)
    return "\n".join(out).rstrip() + "\n"


def render_case_html(comparison: Comparison, *, title: str | None = None) -> str:
    """The case as one self-contained HTML page that fetches nothing.

    Examples:
        >>> import itvalue
        >>> from itvalue.analysis.compare import compare
        >>> page = render_case_html(compare(itvalue.example(), itvalue.example()))
        >>> page.startswith("<!DOCTYPE html>"), "<h2>In short</h2>" in page
        (True, True)
    """
    story = case_narrative(comparison, title=title)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(story.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(story.title)}</h1>",
        f"<p>{escape(story.intro)}</p>",
    ]
    for section in story.sections:
        if section.title == APPENDIX:
            out.append("<hr>")
        out += html_section(section)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _money_tree(money: Money | None) -> dict[str, Any] | None:
    return None if money is None else {"amount": money.amount, "currency": money.currency}


def _finding_tree(f: Finding) -> dict[str, str]:
    return {"code": f.code, "rule": f.rule, "subject": f.subject, "message": f.message}


def _points_tree(points: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    return {key: list(services) for key, services in points.items()}


def case_to_dict(comparison: Comparison) -> dict[str, Any]:
    """The case as JSON data: every figure, by id, with the names a reader needs.

    Examples:
        >>> import itvalue
        >>> from itvalue.analysis.compare import compare
        >>> tree = case_to_dict(compare(itvalue.example(), itvalue.example()))
        >>> tree["net_benefit"], tree["payback_years"], tree["outcomes"][0]["loss_change"]
        ({'EUR': 0.0}, None, 0.0)
    """
    c = comparison
    return {
        "before": c.before.name,
        "after": c.after.name,
        "method": c.method,
        "one_off": _money_tree(c.one_off),
        "cost_before": dict(c.cost_before),
        "cost_after": dict(c.cost_after),
        "cost_change": dict(c.cost_change),
        "outcomes": [
            {"outcome": key, "name": _name(c.after, key)}
            | {name: getattr(change, name) for name in OUTCOME_COLUMNS}
            for key, change in c.outcomes.items()
        ],
        "loss_before": dict(c.loss_before),
        "loss_after": dict(c.loss_after),
        "loss_change": dict(c.loss_change),
        "net_benefit": dict(c.net_benefit),
        "payback_years": c.payback_years,
        "added_outcomes": list(c.added_outcomes),
        "removed_outcomes": list(c.removed_outcomes),
        "added_services": list(c.added_services),
        "removed_services": list(c.removed_services),
        "changed_services": list(c.changed_services),
        "single_points_removed": _points_tree(c.single_points_removed),
        "single_points_added": _points_tree(c.single_points_added),
        "findings_resolved": [_finding_tree(f) for f in c.findings_resolved],
        "findings_new": [_finding_tree(f) for f in c.findings_new],
        "recoveries_met": [attrs.asdict(r) for r in c.recoveries_met],
        "recoveries_broken": [attrs.asdict(r) for r in c.recoveries_broken],
    }
