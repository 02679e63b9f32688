"""The business report: what IT does for the company's customers, in their terms.

The report is written for a colleague outside IT: customer outcomes with their volume
and value, what IT costs per unit of each outcome, what an hour without each service
puts at risk in units and money, the value expected to be lost a year at today's
reliability, where one failure stops everything, and the value traps found, each with
the reason it matters. Figures are computed once (:func:`build_report`) and rendered as
Markdown (:func:`render_markdown`) or one self-contained HTML page with a picture of the
value graph (:func:`render_html`).
"""

from __future__ import annotations

from html import escape

import attrs

from itvalue.analysis._rank import value_at_risk
from itvalue.analysis.impact import currencies_in_use, hourly_values, single_failure_loss
from itvalue.checks import RULES, Finding, check
from itvalue.errors import AnalysisError
from itvalue.graph import ValueGraph
from itvalue.model import Money, Outcome, Period, Portfolio, Quantity, Service
from itvalue.viz import to_svg

__all__ = [
    "BusinessReport",
    "OutcomeLine",
    "ServiceRisk",
    "build_report",
    "money_text",
    "render_html",
    "render_markdown",
]

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def money_text(amount: float, currency: str, *, about: bool = False, cents: bool = False) -> str:
    """``575.34, "EUR"`` -> ``€575`` (``about €575`` with ``about=True``).

    Amounts under 10 that are not whole, or any amount with ``cents=True``, keep two
    decimals.
    """
    digits = 2 if cents or (abs(amount) < 10 and amount != int(amount)) else 0
    number = f"{amount:,.{digits}f}"
    symbol = _SYMBOLS.get(currency)
    text = f"{symbol}{number}" if symbol else f"{number} {currency}"
    return f"about {text}" if about else text


def _units(amount: float, unit: str) -> str:
    if amount >= 10 or amount == int(amount):
        return f"{amount:,.0f} {unit}"
    return f"{amount:,.1f} {unit}"


def _per(period: Period) -> str:
    return "an hour" if period is Period.HOUR else f"a {period.value}"


@attrs.frozen(kw_only=True)
class OutcomeLine:
    """One customer outcome in the report.

    Attributes:
        outcome: The outcome.
        segment: The name of the customer segment that receives it.
        yearly_value: What a year of it is worth, when known.
        it_cost: IT cost reaching the outcome a year, per currency.
        cost_per_unit: IT cost per unit of the outcome, per currency.
        expected_delivery: The expected share delivered at today's availabilities.
        estimated: Whether ``expected_delivery`` was estimated by simulation.
        expected_units_lost: Units expected to be lost a year.
        expected_value_lost: Money expected to be lost a year.
    """

    outcome: Outcome
    segment: str
    yearly_value: Money | None
    it_cost: dict[str, float]
    cost_per_unit: dict[str, float]
    expected_delivery: float
    estimated: bool
    expected_units_lost: Quantity | None
    expected_value_lost: Money | None


@attrs.frozen(kw_only=True)
class ServiceRisk:
    """What an outage of one service puts at risk.

    Attributes:
        service: The service.
        hours: Length of the outage considered.
        units: Units lost per outcome over the outage, as quantities.
        money: Money lost over the outage, per currency.
    """

    service: Service
    hours: float
    units: dict[str, Quantity]
    money: dict[str, float]

    def units_by_unit(self) -> dict[str, float]:
        """Units lost over the outage, summed by unit ("orders", "calls")."""
        totals: dict[str, float] = {}
        for q in self.units.values():
            totals[q.unit] = totals.get(q.unit, 0.0) + q.amount
        return totals

    def units_text(self) -> str:
        """``14 orders fewer, 0.6 calls fewer``."""
        return ", ".join(f"{_units(a, u)} fewer" for u, a in self.units_by_unit().items())

    def sentence(self) -> str:
        """One line such as: An hour without Payments: 14 orders fewer, about €575."""
        span = "an hour" if self.hours == 1 else f"{self.hours:g} hours"
        parts = [self.units_text()]
        money = " and ".join(money_text(a, c) for c, a in self.money.items())
        text = f"{span.capitalize()} without {self.service.name}: " + ", ".join(parts)
        return text + (f", about {money}" if money else "")


@attrs.frozen(kw_only=True)
class BusinessReport:
    """Every figure of the business report.

    Attributes:
        name: The portfolio's name.
        outcomes: One line per customer outcome.
        total_cost: IT's annual cost, per currency.
        unallocated: Annual cost reaching no customer outcome, per currency.
        stranded: The services (and other nodes) where that cost stops, with amounts.
        risks: Services whose outage puts something at risk, worst first.
        single_points: Per outcome name, the names of services whose failure alone stops it.
        findings: The value traps found.
        picture: The value graph as SVG.
    """

    name: str
    outcomes: list[OutcomeLine]
    total_cost: dict[str, float]
    unallocated: dict[str, float]
    stranded: dict[str, dict[str, float]]
    risks: list[ServiceRisk]
    single_points: dict[str, list[str]]
    findings: list[Finding]
    picture: str


def _risk(g: ValueGraph, index: int, hours: float) -> ServiceRisk:
    service = g.entities[index]
    assert isinstance(service, Service)
    units, money = single_failure_loss(g, index, hours, Period.HOUR)
    return ServiceRisk(service=service, hours=hours, units=units, money=money)


def _worst(g: ValueGraph, hours: float, top: int) -> list[ServiceRisk]:
    """The ``top`` services whose outage loses most, ranked for all services at once."""
    currencies = currencies_in_use(g)
    by_currency = [value_at_risk(g, hourly_values(g, c)) for c in currencies]
    lo, hi = g._range("outcome")
    volumes = {}
    for i in range(lo, hi):
        outcome = g.entities[i]
        assert isinstance(outcome, Outcome)
        if outcome.volume is not None:
            volumes[i] = outcome.volume.per_hour
    units = value_at_risk(g, volumes)
    candidates = [s for s in range(g.service_count) if units[s] * hours > 0]
    candidates.sort(
        key=lambda s: (
            tuple(-risk[s] * hours for risk in by_currency),
            -units[s] * hours,
            g.ids[s],
        )
    )
    return [_risk(g, s, hours) for s in candidates[:top]]


def build_report(portfolio: Portfolio, *, top: int = 10, hours: float = 1.0) -> BusinessReport:
    """Every figure the business report shows.

    Args:
        portfolio: The portfolio.
        top: How many services to list by value at risk.
        hours: The outage length the ranking considers.

    Examples:
        >>> import itvalue
        >>> from itvalue.report import build_report
        >>> build_report(itvalue.example()).risks[0].sentence()
        'An hour without Payments: 14 orders fewer, about €575'
    """
    g = portfolio.graph()
    costs = g.allocate_costs()
    lines = []
    for outcome in portfolio.outcomes:
        estimated = False
        try:
            expected = g.expected_delivery(outcome.id, method="exact")
        except AnalysisError:
            expected = g.expected_delivery(outcome.id, method="monte_carlo")
            estimated = True
        volume = outcome.volume
        value = outcome.unit_value
        yearly = None
        units_lost = None
        value_lost = None
        if volume is not None:
            lost = volume.per_year * (1 - expected)
            units_lost = Quantity(amount=lost, unit=volume.unit, per=Period.YEAR)
            if value is not None:
                yearly = Money(amount=volume.per_year * value.amount, currency=value.currency)
                value_lost = Money(amount=lost * value.amount, currency=value.currency)
        lines.append(
            OutcomeLine(
                outcome=outcome,
                segment=portfolio.segment(outcome.segment).name,
                yearly_value=yearly,
                it_cost=dict(costs.by_outcome.get(outcome.id, {})),
                cost_per_unit=dict(costs.per_unit.get(outcome.id, {})),
                expected_delivery=expected,
                estimated=estimated,
                expected_units_lost=units_lost,
                expected_value_lost=value_lost,
            )
        )
    single_points = {
        portfolio.outcome(o).name: [portfolio.service(s).name for s in services]
        for o, services in g.single_points_of_failure().items()
    }
    return BusinessReport(
        name=portfolio.name,
        outcomes=lines,
        total_cost=dict(costs.total),
        unallocated={c: a for c, a in costs.unallocated.items() if a > 0},
        stranded={k: dict(v) for k, v in costs.stranded.items()},
        risks=_worst(g, hours, top),
        single_points=single_points,
        findings=list(check(portfolio)),
        picture=to_svg(g),
    )


# --- one structure, two renderings ----------------------------------------------------------


@attrs.frozen
class _Section:
    title: str
    paragraphs: list[str] = attrs.Factory(list)
    table: tuple[list[str], list[list[str]]] | None = None
    bullets: list[str] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)
    groups: list[tuple[str, list[str]]] = attrs.Factory(list)


def _sections(report: BusinessReport, p: Portfolio) -> list[_Section]:
    sections = []
    rows = []
    for line in report.outcomes:
        o = line.outcome
        volume = (
            f"{_units(o.volume.amount, o.volume.unit)} {_per(o.volume.per)}"
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
        rows.append([o.name, line.segment, volume, worth, yearly])
    sections.append(
        _Section(
            "What our customers get",
            paragraphs=[
                "Each line is something an external customer receives and the company is paid "
                "for. Everything below is measured against these outcomes."
            ]
            if rows
            else ["No customer outcomes are described yet, so nothing can be valued."],
            table=(["Customer outcome", "For", "How many", "Worth each", "Worth a year"], rows)
            if rows
            else None,
        )
    )

    cost_rows = []
    for line in report.outcomes:
        for currency, per_unit in line.cost_per_unit.items():
            unit = line.outcome.volume.unit if line.outcome.volume else "unit"
            cost_rows.append(
                [
                    line.outcome.name,
                    money_text(line.it_cost[currency], currency),
                    f"{money_text(per_unit, currency, cents=True)} per {unit.rstrip('s') or unit}",
                ]
            )
    paragraphs = []
    if report.total_cost:
        totals = " and ".join(money_text(a, c) for c, a in report.total_cost.items())
        paragraphs.append(f"IT services cost {totals} a year in all.")
    else:
        paragraphs.append("No IT service has a cost recorded yet.")
    notes = []
    for currency, amount in report.unallocated.items():
        share = amount / report.total_cost[currency] if report.total_cost.get(currency) else 0.0
        where = ", ".join(
            _name(p, key)
            for key, amounts in report.stranded.items()
            if amounts.get(currency, 0.0) > 0
        )
        notes.append(
            f"{money_text(amount, currency)} a year ({share:.0%}) pays for things that reach no "
            f"customer outcome: {where}."
        )
    sections.append(
        _Section(
            "What IT costs per outcome",
            paragraphs=paragraphs,
            table=(["Customer outcome", "IT cost a year", "IT cost per unit delivered"], cost_rows)
            if cost_rows
            else None,
            notes=notes,
        )
    )

    risk_rows = []
    for risk in report.risks:
        units = risk.units_text()
        money = " and ".join(money_text(a, c, about=True) for c, a in risk.money.items()) or "—"
        risk_rows.append([risk.service.name, units, money])
    span = (
        "an hour"
        if not report.risks or report.risks[0].hours == 1
        else f"{report.risks[0].hours:g} hours"
    )
    sections.append(
        _Section(
            f"What {span} without each IT service puts at risk",
            paragraphs=[
                "If one service stops, this is what customers do not get while it is down, "
                "worst first. Services whose outage touches no customer are left out."
            ]
            if risk_rows
            else [
                "No single outage of an IT service touches a customer outcome with a stated volume."
            ],
            table=(["IT service", f"For {span} without it", "Money at risk"], risk_rows)
            if risk_rows
            else None,
            bullets=[r.sentence() for r in report.risks[:3]],
        )
    )

    loss_rows = []
    for line in report.outcomes:
        units = (
            _units(line.expected_units_lost.amount, line.expected_units_lost.unit)
            if line.expected_units_lost
            else "—"
        )
        lost_money = (
            money_text(
                line.expected_value_lost.amount, line.expected_value_lost.currency, about=True
            )
            if line.expected_value_lost
            else "—"
        )
        delivered = f"{line.expected_delivery:.3%}" + (" (simulated)" if line.estimated else "")
        loss_rows.append([line.outcome.name, delivered, units, lost_money])
    sections.append(
        _Section(
            "What today's reliability costs a year",
            paragraphs=[
                "IT services do not work all of the time. Given how often each one works "
                "today, this is the share of each outcome customers can expect to get, and "
                "what the rest is worth over a year."
            ],
            table=(
                [
                    "Customer outcome",
                    "Expected to be delivered",
                    "Lost a year",
                    "Value lost a year",
                ],
                loss_rows,
            )
            if loss_rows
            else None,
        )
    )

    spof = [
        f"If {_either(names)} stops, no “{outcome}” happens at all."
        for outcome, names in report.single_points.items()
    ]
    sections.append(
        _Section(
            "Where one failure stops everything",
            paragraphs=[]
            if spof
            else ["No single IT service can stop a customer outcome entirely on its own."],
            bullets=spof,
        )
    )

    by_rule: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_rule.setdefault(finding.code, []).append(finding)
    groups = []
    for code, found in by_rule.items():
        rule = RULES[code]
        head = f"**{rule.title}** ({code}, {found[0].severity.value}). {rule.rationale}"
        items = [f.message[:1].upper() + f.message[1:] + "." for f in found[:_MAX_LISTED]]
        if len(found) > _MAX_LISTED:
            items.append(f"… and {len(found) - _MAX_LISTED} more.")
        groups.append((head, items))
    sections.append(
        _Section(
            "Value traps",
            paragraphs=[
                "Practices that keep IT from delivering or showing value, found in this "
                "portfolio, each with why it matters."
            ]
            if groups
            else ["None found."],
            groups=groups,
        )
    )
    return sections


_MAX_LISTED = 8


def _either(names: list[str]) -> str:
    if len(names) <= 2:
        return " or ".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def _name(p: Portfolio, key: str) -> str:
    return p.get(key).name if key in p else key


def _title(report: BusinessReport) -> str:
    return f"What IT does for the customers of {report.name}"


_INTRO = (
    "This report follows every IT service to the customers it ultimately serves. "
    "“Delivered” means the share of an outcome customers still get; an “outage” is time "
    "a service does not work; money figures are estimates from the stated value of each outcome."
)


def render_markdown(report: BusinessReport, portfolio: Portfolio) -> str:
    """The report as Markdown."""
    out = [f"# {_title(report)}", "", _INTRO, ""]
    for section in _sections(report, portfolio):
        out += [f"## {section.title}", ""]
        for paragraph in section.paragraphs:
            out += [paragraph, ""]
        if section.table is not None:
            headers, rows = section.table
            out.append("| " + " | ".join(headers) + " |")
            out.append("|" + "|".join("---" for _ in headers) + "|")
            out += [
                "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
            ]
            out.append("")
        for bullet in section.bullets:
            out.append(f"- {bullet}")
        if section.bullets:
            out.append("")
        for head, items in section.groups:
            out.append(f"- {head}")
            out += [f"  - {item}" for item in items]
        if section.groups:
            out.append("")
        for note in section.notes:
            out += [f"> {note}", ""]
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body{font-family:Helvetica,Arial,sans-serif;max-width:60rem;margin:2rem auto;
 padding:0 1rem;color:#0f172a;line-height:1.45}
h1{font-size:1.7rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #cbd5e1}
table{border-collapse:collapse;margin:0.75rem 0}
th,td{border:1px solid #cbd5e1;padding:0.3rem 0.6rem;text-align:left}
th{background:#f1f5f9}.note{background:#fef9c3;padding:0.5rem 0.8rem;border-left:4px solid #eab308}
figure{overflow-x:auto;margin:1rem 0}figure svg{max-width:100%;height:auto}
figcaption{color:#475569;font-size:0.9rem}
"""


def _html_text(text: str) -> str:
    escaped = escape(text)
    while "**" in escaped:
        escaped = escaped.replace("**", "<strong>", 1).replace("**", "</strong>", 1)
    return escaped


def render_html(report: BusinessReport, portfolio: Portfolio) -> str:
    """The report as one self-contained HTML page, with a picture of the value graph."""
    title = _title(report)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(_INTRO)}</p>",
        "<figure>",
        report.picture,
        "<figcaption>How value flows: IT services (left) enable business processes, products "
        "and the outcomes customers receive (right). Dashed lines are redundant "
        "alternatives.</figcaption></figure>",
    ]
    for section in _sections(report, portfolio):
        out.append(f"<h2>{escape(section.title)}</h2>")
        out += [f"<p>{_html_text(p)}</p>" for p in section.paragraphs]
        if section.table is not None:
            headers, rows = section.table
            out.append(
                "<table><thead><tr>"
                + "".join(f"<th>{escape(h)}</th>" for h in headers)
                + "</tr></thead><tbody>"
            )
            out += [
                "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows
            ]
            out.append("</tbody></table>")
        if section.bullets:
            out.append(
                "<ul>" + "".join(f"<li>{_html_text(b)}</li>" for b in section.bullets) + "</ul>"
            )
        if section.groups:
            out.append("<ul>")
            for head, items in section.groups:
                inner = "".join(f"<li>{escape(i)}</li>" for i in items)
                out.append(f"<li>{_html_text(head)}<ul>{inner}</ul></li>")
            out.append("</ul>")
        out += [f'<p class="note">{escape(n)}</p>' for n in section.notes]
    out.append("</body></html>")
    return "\n".join(out) + "\n"
