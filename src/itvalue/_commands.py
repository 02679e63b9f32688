"""The commands of the ``itvalue`` command line, as a typer app; see :mod:`itvalue.cli`.

:mod:`itvalue.cli` is the entry point: it imports this module only when the command
line's extra (typer, rich) is installed, and says how to install it otherwise.
"""

from __future__ import annotations

import difflib
import enum
import json
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from itvalue import __version__
from itvalue.analysis.agreements import AgreementTerms, AvailabilityPromise, ObjectiveTerms
from itvalue.analysis.availability import Method
from itvalue.analysis.impact import Impact, OutcomeImpact
from itvalue.checks import RULES, Severity, check
from itvalue.errors import DocumentError, ItValueError, UnknownIdError, ValidationError
from itvalue.io import SourceWarning, dump, dumps, json_schema, load
from itvalue.model import Portfolio, Service, Stakeholder, StakeholderKind
from itvalue.report import (
    build_report,
    duration_text,
    money_text,
    render_html,
    render_markdown,
    units_text,
)

# Help that reads naturally. Recent typer shows every parameter's Python type in help:
# "<bool>" beside a flag, which takes no value, and "<list[str]>" beside a repeated
# argument. Options that take a value name it with a metavar where they are declared
# (RULE, HOURS); the two classes below mend the rest. ``ctx`` is typer's own copy of
# click's Context, which typer does not export, hence ``Any``.


def _untyped_flag(option: TyperOption | None) -> TyperOption | None:
    if option is not None:
        option.metavar = ""  # an empty metavar shows nothing
    return option


class _Repeated(TyperArgument):
    """An argument given one or more times, shown as ``<str>...``."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return "<str>..."

    def get_usage_pieces(self, ctx: Any) -> list[str]:
        # "SOURCE..." rather than "{SOURCE}..."; a metavar naming several things
        # ("SOURCE... SERVICE") is shown as written.
        name = self.metavar or self.name or ""
        return [name if "..." in name else f"{name}..."]


class _Group(TyperGroup):
    """The app, with ``--help`` shown as the flag it is."""

    def get_help_option(self, ctx: Any) -> TyperOption | None:
        return _untyped_flag(super().get_help_option(ctx))


class _Command(TyperCommand):
    """A command, with ``--help`` shown as the flag it is and repeated arguments as such."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.nargs != 1:
                param.__class__ = _Repeated

    def get_help_option(self, ctx: Any) -> TyperOption | None:
        return _untyped_flag(super().get_help_option(ctx))


app = typer.Typer(
    name="itvalue",
    help="IT services traced to the external customer outcomes that pay the bills.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Group,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class TextOrJson(enum.StrEnum):
    """How an inspecting command prints its result: for people or for tools."""

    TEXT = "text"
    JSON = "json"


class ReportFormat(enum.StrEnum):
    """The formats of the business report (``md`` is ``markdown``)."""

    MARKDOWN = "markdown"
    MD = "md"
    HTML = "html"
    JSON = "json"


class CostDriver(enum.StrEnum):
    """How business processes and products split the IT cost they pass on."""

    EQUAL = "equal"
    VALUE = "value"


class CaseFormat(enum.StrEnum):
    """The formats of a business case (``markdown`` is ``md``)."""

    MD = "md"
    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"


class DeliveryMethod(enum.StrEnum):
    """How expected delivery is computed (see ``expected_delivery``)."""

    EXACT = "exact"
    INDEPENDENT = "independent"
    MONTE_CARLO = "monte_carlo"


_METHODS: dict[DeliveryMethod, Method] = {
    DeliveryMethod.EXACT: "exact",
    DeliveryMethod.INDEPENDENT: "independent",
    DeliveryMethod.MONTE_CARLO: "monte_carlo",
}


class SchemaKind(enum.StrEnum):
    """The kinds of itvalue document."""

    PORTFOLIO = "portfolio"
    OVERLAY = "overlay"


class ExportFormat(enum.StrEnum):
    """The formats the value graph exports to."""

    GRAPHML = "graphml"
    MERMAID = "mermaid"
    DOT = "dot"
    JSON = "json"
    ARCHIMATE = "archimate"


_SOURCES_HELP = (
    "One or more sources, composed left to right: itvalue documents (kind Portfolio or "
    "Overlay; .yaml, .yml, .json, .toml), a Backstage catalog file or folder, an ArchiMate "
    "exchange file (.xml), OpenSLO YAML, CMDB CSV tables."
)
SourcesArg = Annotated[
    list[Path],
    typer.Argument(metavar="SOURCE", help=_SOURCES_HELP, show_default=False),
]
FormatOpt = Annotated[
    TextOrJson, typer.Option("--format", "-f", help="text for people, json for tools.")
]
OutputPathOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="PATH", help="Write here instead of stdout."),
]
HoursOpt = Annotated[
    float, typer.Option("--hours", min=0, metavar="HOURS", help="Length of the outage.")
]


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", markup=True)
    return typer.Exit(code=2)


@contextmanager
def _usable_input() -> Iterator[None]:
    """Turn our errors into one-line messages on stderr and exit status 2."""
    try:
        yield
    except ValidationError as exc:
        source = exc.source or "document"
        count = len(exc.problems)
        err.print(f"error: {source} has {count} problem{'s' if count != 1 else ''}", markup=False)
        for problem in exc.problems:
            where = problem.source or source
            if problem.line is not None:
                where += f":{problem.line}"
            hint = f" (hint: {problem.hint})" if problem.hint else ""
            err.print(
                f"  {where}: {problem.path or '(document)'}: {problem.message}{hint}", markup=False
            )
        raise typer.Exit(code=2) from None
    except (DocumentError, UnknownIdError, ItValueError) as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(code=2) from None


def _load(paths: Sequence[Path], *, every_warning: bool = False) -> Portfolio:
    """The portfolio the sources compose; what importers could not map goes to stderr.

    Each warning is printed when ``every_warning`` (``itvalue import``); other commands
    print how many there were, so that nothing is left out silently, and point to
    ``itvalue import`` for the list.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SourceWarning)
        portfolio = load(*paths, options=_IMPORTER_OPTIONS)
    found = [w.message for w in caught if isinstance(w.message, SourceWarning)]
    for other in caught:
        if not isinstance(other.message, SourceWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    if every_warning:
        for warning in found:
            err.print(f"warning: {warning}", markup=False)
    elif found:
        names = " ".join(str(p) for p in paths)
        err.print(
            f"note: {len(found)} thing{'s' if len(found) != 1 else ''} in the sources could not "
            f"be mapped and {'were' if len(found) != 1 else 'was'} left out; "
            f"`itvalue import {names}` lists them",
            markup=False,
        )
    return portfolio


def _sources_and_ids(args: list[str], *, least_ids: int) -> tuple[list[Path], list[str]]:
    """Split arguments into the sources (leading paths that exist) and the ids after them.

    The first argument is always a source, and at least ``least_ids`` arguments are
    left as ids, so an id that happens to name a file in the current folder is still
    read as an id when it comes last.
    """
    sources = [Path(args[0])] if args else []
    rest = args[1:]
    while len(rest) > least_ids and Path(rest[0]).exists():
        sources.append(Path(rest.pop(0)))
    return sources, rest


def _emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


#: Options for the importers, set by the options of the app itself (``--lifecycle``).
_IMPORTER_OPTIONS: dict[str, dict[str, Any]] = {}


def _lifecycles(values: list[str] | None) -> list[str] | None:
    mapping: dict[str, str] = {}
    for value in values or []:
        key, sep, lifecycle = value.partition("=")
        if not sep or not key or not lifecycle:
            raise typer.BadParameter(f"expected VALUE=LIFECYCLE, got {value!r}")
        mapping[key] = lifecycle
    if mapping:
        _IMPORTER_OPTIONS["backstage"] = {"lifecycles": mapping}
    else:
        _IMPORTER_OPTIONS.pop("backstage", None)
    return values


def _version(value: bool) -> None:
    if value:
        typer.echo(f"itvalue {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, metavar="", help="Show the version."
        ),
    ] = False,
    lifecycle: Annotated[
        list[str] | None,
        typer.Option(
            "--lifecycle",
            metavar="VALUE=LIFECYCLE",
            callback=_lifecycles,
            help="Read a catalog's own lifecycle value as one of ours (Backstage: "
            "--lifecycle beta=live); repeat for more.",
        ),
    ] = None,
) -> None:
    """IT services traced to the external customer outcomes that pay the bills."""


@app.command("check", cls=_Command)
def check_command(
    files: SourcesArg,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select", metavar="RULE", help="Only this rule (code or name); repeat for more."
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", metavar="RULE", help="Leave out this rule (code or name); repeat for more."
        ),
    ] = None,
    format: FormatOpt = TextOrJson.TEXT,
) -> None:
    """Validate a portfolio and look for value traps; exit 1 on findings of error severity."""
    with _usable_input():
        portfolio = _load(files)
        findings = check(portfolio, select=select, ignore=ignore)
    summary = {s.value: sum(1 for f in findings if f.severity is s) for s in Severity}
    if format is TextOrJson.JSON:
        _emit_json(
            {
                "file": " ".join(str(f) for f in files),
                "findings": [
                    {
                        "code": f.code,
                        "rule": f.rule,
                        "severity": f.severity.value,
                        "subject": f.subject,
                        "message": f.message,
                    }
                    for f in findings
                ],
                "summary": summary,
            }
        )
    elif findings:
        table = Table(title=f"Value traps in {portfolio.name}", title_justify="left")
        for column in ("code", "severity", "subject", "finding"):
            table.add_column(column)
        for f in findings:
            style = {"error": "red", "warning": "yellow"}.get(f.severity.value, "")
            table.add_row(f.code, f.severity.value, f.subject, f.message, style=style)
        out.print(table)
        for code in sorted({f.code for f in findings}):
            out.print(f"[bold]{code} {RULES[code].name}[/]: {RULES[code].rationale}", markup=True)
    else:
        out.print(f"{portfolio.name}: no value traps found.")
    if findings.has_errors:
        raise typer.Exit(code=1)


@app.command("trace", cls=_Command)
def trace_command(
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="SOURCE... SERVICE",
            help="The sources (see `itvalue check --help`), then the id of an IT service.",
            show_default=False,
        ),
    ],
    format: FormatOpt = TextOrJson.TEXT,
) -> None:
    """Show everything a service reaches, all the way to the customers."""
    if len(args) < 2:
        raise _fail("give at least one source and the id of a service")
    files, service = [Path(a) for a in args[:-1]], args[-1]
    with _usable_input():
        portfolio = _load(files)
        trace = portfolio.graph().trace(service)
    groups = {
        "services": trace.services,
        "processes": trace.processes,
        "products": trace.products,
        "outcomes": trace.outcomes,
        "segments": trace.segments,
    }
    if format is TextOrJson.JSON:
        _emit_json({"service": service, **{k: sorted(v) for k, v in groups.items()}})
        return
    table = Table(title=f"What {portfolio.get(service).name} reaches", title_justify="left")
    table.add_column("kind")
    table.add_column("reached")
    for kind, ids in groups.items():
        names = ", ".join(f"{portfolio.get(i).name} ({i})" for i in sorted(ids)) or "—"
        table.add_row(kind, names)
    out.print(table)
    if not trace.outcomes:
        out.print("It reaches no customer outcome.")


def _supplied(portfolio: Portfolio, ids: list[str]) -> dict[str, list[str]]:
    """Per supplier named among ``ids``, the live services it provides.

    Every other id must name a service; one that names neither ends the command with a
    one-line message (and a close match, when there is one).
    """
    supplied: dict[str, list[str]] = {}
    for key in ids:
        entity = portfolio.get(key) if key in portfolio else None
        if isinstance(entity, Service):
            continue
        if isinstance(entity, Stakeholder) and entity.kind is StakeholderKind.SUPPLIER:
            supplied[key] = [s.id for s in portfolio.services if s.provided_by == key and s.is_live]
            continue
        if entity is not None:
            raise _fail(
                f"{key!r} is a {portfolio.kind_of(key).replace('_', ' ')}, "
                "not an IT service or a supplier"
            )
        candidates = [s.id for s in portfolio.services] + [
            s.id for s in portfolio.stakeholders if s.kind is StakeholderKind.SUPPLIER
        ]
        close = difflib.get_close_matches(key, candidates, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise _fail(f"{key!r} names no IT service and no supplier{hint}")
    return supplied


@app.command("impact", cls=_Command)
def impact_command(
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="SOURCE... ID...",
            help="The sources (see `itvalue check --help`), then the ids of the services "
            "that fail; a supplier's id fails every live service it provides.",
            show_default=False,
        ),
    ],
    hours: HoursOpt = 1.0,
    format: FormatOpt = TextOrJson.TEXT,
) -> None:
    """Show what customers lose while the given services, or suppliers, are down."""
    files, services = _sources_and_ids(args, least_ids=1)
    if not services:
        raise _fail("give at least one source and the id of a service or supplier")
    with _usable_input():
        portfolio = _load(files)
        supplied = _supplied(portfolio, services)
        impact = portfolio.graph().impact(services)
    totals = impact.totals(hours)
    if format is TextOrJson.JSON:
        _emit_json(
            {
                "failed": sorted(impact.failed),
                "suppliers": {key: sorted(ids) for key, ids in supplied.items()},
                "down": sorted(impact.down),
                "hours": hours,
                "outcomes": [
                    _outcome_tree(impact.outcomes[key], hours) for key in impact.affected_outcomes
                ],
                "totals": {c: m.amount for c, m in totals.items()},
                "streams": _streams_tree(portfolio, impact),
            }
        )
        return
    for key, ids in supplied.items():
        name = portfolio.get(key).name
        if ids:
            provided = ", ".join(portfolio.get(i).name for i in ids)
            out.print(f"{name} fails, and with it everything it provides: {provided}")
        else:
            out.print(f"{name} provides no live service, so nothing stops with it.")
    if not impact.down:
        out.print("Nothing is down.")
        return
    span = "an hour" if hours == 1 else f"{hours:g} hours"
    out.print(f"Down for {span}: {', '.join(sorted(impact.down))}")
    if not impact.affected_outcomes:
        out.print("No customer outcome is affected.")
        return
    table = Table(title_justify="left")
    for column in ("customer outcome", "still delivered", "lost", "money lost"):
        table.add_column(column)
    for key in impact.affected_outcomes:
        o = impact.outcomes[key]
        volume = o.volume_lost_over(hours)
        money = o.value_lost_over(hours)
        unit = o.volume_lost.unit if o.volume_lost is not None else ""
        table.add_row(
            portfolio.get(key).name,
            f"{o.delivered:.1%}",
            "—" if volume is None else f"{volume:,.1f} {unit}",
            "—" if money is None else money_text(money.amount, money.currency, about=True),
        )
    out.print(table)
    if totals:
        out.print(
            "In all: "
            + " and ".join(money_text(m.amount, c, about=True) for c, m in totals.items())
        )
    for line in _stream_lines(portfolio, impact):
        out.print(line)


def _outcome_tree(o: OutcomeImpact, hours: float) -> dict[str, Any]:
    """One affected outcome as JSON: what it loses per its volume's period and over ``hours``.

    The ``_per_period`` figures are the API's ``volume_lost`` and ``value_lost``; the
    ``_over_hours`` ones are for the outage asked about.
    """
    volume, value = o.volume_lost, o.value_lost
    over_volume = o.volume_lost_over(hours)
    over_value = o.value_lost_over(hours)
    return {
        "outcome": o.outcome,
        "delivered": o.delivered,
        "period": None if volume is None else volume.per.value,
        "volume_lost_per_period": None
        if volume is None
        else {"amount": volume.amount, "unit": volume.unit},
        "value_lost_per_period": None
        if value is None
        else {"amount": value.amount, "currency": value.currency},
        "volume_lost_over_hours": None
        if over_volume is None or volume is None
        else {"amount": over_volume, "unit": volume.unit},
        "value_lost_over_hours": None
        if over_value is None
        else {"amount": over_value.amount, "currency": over_value.currency},
    }


def _streams_tree(portfolio: Portfolio, impact: Impact) -> list[dict[str, Any]]:
    """Every value stream as JSON: each stage's delivery, and the stream's outcome's."""
    return [
        {
            "stream": key,
            "outcome": portfolio.value_stream(key).outcome,
            "delivered": stream.delivered,
            "stages": [{"name": s.name, "delivered": s.delivered} for s in stream.stages],
            "stopped": list(stream.stopped_stages),
            "slowed": list(stream.slowed_stages),
        }
        for key, stream in impact.streams.items()
    ]


def _stream_lines(portfolio: Portfolio, impact: Impact) -> list[str]:
    """One line per value stream the outage touches: the stages it stops and slows."""
    lines = []
    for key, stream in impact.streams.items():
        parts = []
        if stream.stopped_stages:
            parts.append("stops " + _listed(stream.stopped_stages))
        if stream.slowed_stages:
            parts.append("slows " + _listed(stream.slowed_stages))
        if parts:
            name = portfolio.value_stream(key).name
            lines.append(
                f"In “{name}” the outage {' and '.join(parts)}; "
                f"{stream.delivered:.1%} of its outcome is still delivered."
            )
    return lines


def _listed(names: tuple[str, ...]) -> str:
    quoted = [f"“{n}”" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


@app.command("rank", cls=_Command)
def rank_command(
    files: SourcesArg,
    hours: HoursOpt = 1.0,
    currency: Annotated[
        str | None,
        typer.Option("--currency", metavar="CODE", help="Needed when outcomes use several."),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, metavar="N", help="How many to show.")] = 20,
    suppliers: Annotated[
        bool,
        typer.Option(
            "--suppliers",
            metavar="",
            help="Rank suppliers instead: each one's outage stops every live service it provides.",
        ),
    ] = False,
    format: FormatOpt = TextOrJson.TEXT,
) -> None:
    """Rank services, or suppliers, by the value an outage of them puts at risk."""
    with _usable_input():
        portfolio = _load(files)
        g = portfolio.graph()
        if suppliers:
            ranked = g.rank_suppliers(hours=hours, currency=currency)
        else:
            ranked = g.rank_services(hours=hours, currency=currency)
        chosen = currency or next(iter(_currencies(portfolio)), "")
    what = "supplier" if suppliers else "service"
    if format is TextOrJson.JSON:
        _emit_json([{what: s, "value_at_risk": v, "currency": chosen} for s, v in ranked[:top]])
        return
    if suppliers and not ranked:
        out.print(f"{portfolio.name}: no supplier is named.")
        return
    title = f"Value at risk of a {hours:g}-hour outage" + (" of each supplier" if suppliers else "")
    table = Table(title=title, title_justify="left")
    table.add_column("supplier" if suppliers else "IT service")
    table.add_column("value at risk", justify="right")
    for key, value in ranked[:top]:
        table.add_row(portfolio.get(key).name, money_text(value, chosen) if chosen else "—")
    out.print(table)


class Verdict(enum.StrEnum):
    """Whether an availability promise is kept."""

    KEPT = "kept"
    NOT_KEPT = "not_kept"
    CANNOT_BE_KEPT = "cannot_be_kept"


def _verdict(promise: AvailabilityPromise) -> Verdict:
    if not promise.is_reachable:
        return Verdict.CANNOT_BE_KEPT
    return Verdict.KEPT if promise.is_met else Verdict.NOT_KEPT


def _objective_tree(objective: ObjectiveTerms) -> dict[str, Any]:
    promise = objective.promise
    return {
        "metric": objective.metric,
        "target": objective.target,
        "window_days": objective.window_days,
        "allowed_hours": objective.allowed_hours,
        "volume_at_risk": {
            key: {"amount": q.amount, "unit": q.unit}
            for key, q in objective.volume_at_risk.items()
            if q.amount > 0
        },
        "value_at_risk": {c: m.amount for c, m in objective.value_at_risk.items()},
        "subject": promise.subject,
        "subject_kind": promise.subject_kind,
        "expected": promise.expected,
        "ceiling": promise.ceiling,
        "estimated": promise.estimated,
        "verdict": _verdict(promise).value,
        "limiting": promise.limiting,
        "limiting_to": promise.limiting_to,
    }


def _percent(fraction: float) -> str:
    """``99.95%``, ``97.2%``: a fraction as a percentage, without trailing zeros."""
    return f"{fraction * 100:.3f}".rstrip("0").rstrip(".") + "%"


def _objective_lines(portfolio: Portfolio, terms: AgreementTerms, o: ObjectiveTerms) -> list[str]:
    promise = o.promise
    service = portfolio.get(terms.service).name
    lines = [
        f"  {portfolio.metric(o.metric).name} ({o.metric}): {_percent(o.target)} over "
        f"{o.window_days} days allows {duration_text(o.allowed_hours)} down."
    ]
    lost = [
        f"{units_text(q.amount, q.unit)} ({portfolio.get(key).name})"
        for key, q in o.volume_at_risk.items()
        if q.amount > 0
    ]
    money = " and ".join(money_text(m.amount, c, about=True) for c, m in o.value_at_risk.items())
    if lost:
        lines.append(
            f"    One outage of {service} that long loses {', '.join(lost)}"
            + (f": {money}." if money else ".")
        )
    elif o.allowed_hours > 0:
        lines.append(f"    One outage of {service} that long loses no customer outcome.")
    subject = portfolio.get(promise.subject).name
    estimated = " (simulated)" if promise.estimated else ""
    if promise.ceiling is None:
        lines.append(
            f"    Today “{subject}” is delivered {_percent(promise.expected)} of the time"
            f"{estimated}."
        )
    else:
        lines.append(
            f"    Today {subject} works {_percent(promise.expected)} of the time; the services "
            f"it stands on allow at most {_percent(promise.ceiling)}{estimated}."
        )
    verdict = _verdict(promise)
    limiting = ""
    if promise.limiting is not None and promise.limiting_to is not None:
        limiting = (
            f"; {portfolio.get(promise.limiting).name} ({promise.limiting}) limits most: "
            f"perfect, it would give {_percent(promise.limiting_to)}"
        )
    if verdict is Verdict.KEPT:
        lines.append("    Kept.")
    elif verdict is Verdict.NOT_KEPT:
        lines.append(f"    Not kept today{limiting}.")
    else:
        lines.append(f"    Cannot be kept by any work on {service} itself{limiting}.")
    return lines


@app.command("sla", cls=_Command)
def sla_command(
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="SOURCE... [SLA]",
            help="The sources (see `itvalue check --help`), then, optionally, the id of one "
            "SLA (default: every SLA).",
            show_default=False,
        ),
    ],
    format: FormatOpt = TextOrJson.TEXT,
) -> None:
    """Weigh each availability promise against the services it depends on.

    For every availability objective: the downtime it allows over its window, what one
    outage that long costs customers, today's expectation, the ceiling the dependencies
    allow, and whether it is kept. Exits 1 when a promise cannot be kept by any work on
    the service itself (the error finding ITV012 of ``check``).
    """
    files, rest = _sources_and_ids(args, least_ids=0)
    if len(rest) > 1:
        raise _fail(f"give one SLA id at most; {' '.join(rest[1:])!r} is neither a file nor needed")
    sla = rest[0] if rest else None
    with _usable_input():
        portfolio = _load(files)
        if sla is not None and sla not in {s.id for s in portfolio.slas}:
            close = difflib.get_close_matches(sla, [s.id for s in portfolio.slas], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise _fail(f"{sla!r} names no SLA{hint}")
        g = portfolio.graph()
        chosen = [s for s in portfolio.slas if sla is None or s.id == sla]
        agreements = [g.agreement_terms(s.id) for s in chosen]
    unkeepable = any(not o.promise.is_reachable for terms in agreements for o in terms.objectives)
    if format is TextOrJson.JSON:
        _emit_json(
            {
                "file": " ".join(str(f) for f in files),
                "slas": [
                    {
                        "sla": terms.sla,
                        "service": terms.service,
                        "objectives": [_objective_tree(o) for o in terms.objectives],
                    }
                    for terms in agreements
                ],
            }
        )
    elif not agreements:
        out.print(f"{portfolio.name}: no SLA is described.", markup=False)
    else:
        for terms in agreements:
            agreement = portfolio.sla(terms.sla)
            service = portfolio.get(terms.service).name
            out.print(f"{agreement.name} ({terms.sla}), on {service}:", markup=False)
            if not terms.objectives:
                out.print("  No availability objective: nothing to weigh against the services.")
            for objective in terms.objectives:
                for line in _objective_lines(portfolio, terms, objective):
                    out.print(line, markup=False)
    if unkeepable:
        raise typer.Exit(code=1)


def _currencies(portfolio: Portfolio) -> list[str]:
    from itvalue.analysis.impact import currencies_in_use

    return currencies_in_use(portfolio.graph())


@app.command("report", cls=_Command)
def report_command(
    files: SourcesArg,
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="markdown (or md), html or json.")
    ] = ReportFormat.MARKDOWN,
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency",
            metavar="CODE",
            help="Order the services and suppliers at risk by money in this currency "
            "(default: the only one in use, else the first alphabetically).",
        ),
    ] = None,
    driver: Annotated[
        CostDriver,
        typer.Option(
            "--driver",
            help="How a business process or product splits its IT cost among what it "
            "serves: equal shares, or by the value of the outcomes each leads to.",
        ),
    ] = CostDriver.EQUAL,
    output: OutputPathOpt = None,
) -> None:
    """Write the business report: what IT does for the company's customers."""
    with _usable_input():
        report = build_report(_load(files), currency=currency, driver=driver.value)
    if format is ReportFormat.JSON:
        text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif format is ReportFormat.HTML:
        text = render_html(report)
    else:
        text = render_markdown(report)
    _write(text, output)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror}") from None
    err.print(f"wrote {output}", markup=False)


@app.command("case", cls=_Command)
def case_command(
    files: SourcesArg,
    proposal: Annotated[
        list[Path],
        typer.Option(
            "--proposal",
            metavar="OVERLAY",
            help="The proposed change: an overlay (or any source) composed over the sources; "
            "repeat for more.",
        ),
    ],
    one_off: Annotated[
        str | None,
        typer.Option(
            "--one-off",
            metavar="AMOUNT",
            help='What the change costs once, as "250000 EUR": gives the payback time.',
        ),
    ] = None,
    method: Annotated[
        DeliveryMethod,
        typer.Option("--method", help="How expected delivery is computed."),
    ] = DeliveryMethod.EXACT,
    format: Annotated[
        CaseFormat, typer.Option("--format", "-f", help="md (or markdown), html or json.")
    ] = CaseFormat.MD,
    output: OutputPathOpt = None,
) -> None:
    """Make the business case for an IT change: what customers get, what it costs, payback."""
    from itvalue.analysis.compare import compare
    from itvalue.report._case import (
        case_to_dict,
        parse_money,
        render_case_html,
        render_case_markdown,
    )

    with _usable_input():
        cost = None if one_off is None else parse_money(one_off)
        before = _load(files)
        after = _load([*files, *proposal])
        comparison = compare(before, after, method=_METHODS[method], one_off=cost)
    if format is CaseFormat.JSON:
        text = json.dumps(case_to_dict(comparison), indent=2, ensure_ascii=False) + "\n"
    elif format is CaseFormat.HTML:
        text = render_case_html(comparison)
    else:
        text = render_case_markdown(comparison)
    _write(text, output)


@app.command("export", cls=_Command)
def export_command(
    files: SourcesArg,
    to: Annotated[
        ExportFormat, typer.Option("--to", help="graphml, mermaid, dot, json or archimate.")
    ],
    output: OutputPathOpt = None,
) -> None:
    """Export the value graph for other tools; archimate writes an exchange file for Archi."""
    with _usable_input():
        portfolio = _load(files)
        if to is ExportFormat.ARCHIMATE:
            from itvalue.importers.archimate import export as export_archimate

            text = export_archimate(portfolio)
        else:
            from itvalue.viz import export as export_graph

            text = export_graph(portfolio.graph(), to.value)
    _write(text, output)


@app.command("import", cls=_Command)
def import_command(
    files: SourcesArg,
    output: OutputPathOpt = None,
) -> None:
    """Compose sources into one itvalue document, and list what could not be mapped.

    The document is written as YAML (or, with --output, in the format of its suffix);
    warnings go to stderr. Exits 2 only when nothing usable could be read.
    """
    with _usable_input():
        portfolio = _load(files, every_warning=True)
        if output is None:
            sys.stdout.write(dumps(portfolio, "yaml"))
            return
        try:
            dump(portfolio, output)
        except OSError as exc:
            raise _fail(f"cannot write {output}: {exc.strerror}") from None
    err.print(f"wrote {output}", markup=False)


@app.command("schema", cls=_Command)
def schema_command(
    kind: Annotated[
        SchemaKind, typer.Option("--kind", help="The document kind: portfolio or overlay.")
    ] = SchemaKind.PORTFOLIO,
) -> None:
    """Print the JSON Schema of the document format."""
    _emit_json(json_schema("Overlay" if kind is SchemaKind.OVERLAY else "Portfolio"))


@app.command("rules", cls=_Command)
def rules_command(format: FormatOpt = TextOrJson.TEXT) -> None:
    """List the value-trap rules and why each is a trap."""
    if format is TextOrJson.JSON:
        _emit_json(
            [
                {
                    "code": r.code,
                    "name": r.name,
                    "severity": r.severity.value,
                    "summary": r.summary,
                    "rationale": r.rationale,
                }
                for r in RULES.values()
            ]
        )
        return
    for rule in RULES.values():
        out.print(
            f"[bold]{rule.code} {rule.name}[/] ({rule.severity.value}): {rule.summary}", markup=True
        )
        out.print(f"  {rule.rationale}", markup=False)
