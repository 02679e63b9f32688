"""The commands of the ``itvalue`` command line, as a click group; see :mod:`itvalue.cli`.

:mod:`itvalue.cli` is the entry point: it imports this module only when the command
line's extra (click, rich) is installed, and says how to install it otherwise.

A command imports what it uses when it runs, so that each pays only for its own work:
the analyses and the report when asked for, rich only to print a table, markup or a
progress bar.
"""

from __future__ import annotations

import enum
import functools
import inspect
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from itvalue import __version__

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from itvalue.analysis.agreements import AgreementTerms, AvailabilityPromise, ObjectiveTerms
    from itvalue.analysis.availability import Method
    from itvalue.analysis.costs import Driver
    from itvalue.analysis.impact import Impact, OutcomeImpact
    from itvalue.model import Portfolio


class _Argument(click.Argument):
    """A positional argument with help of its own; one given several times shows ``...``."""

    def __init__(self, param_decls: Sequence[str], *, text: str, **attrs: Any) -> None:
        super().__init__(param_decls, **attrs)
        self.text = text

    def make_metavar(self, ctx: click.Context | None = None) -> str:
        # "SOURCE..." for a repeated SOURCE; a metavar naming several things
        # ("SOURCE... SERVICE") is shown as written.
        name = self.metavar or (self.name or "").upper()
        return name if self.nargs == 1 or "..." in name else f"{name}..."


class _Command(click.Command):
    """A command whose help lists its arguments, and whose summary is its first paragraph."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.short_help is None and self.help:
            # click would cut the summary at a width; the whole first paragraph reads better.
            self.short_help = " ".join(inspect.cleandoc(self.help).split("\n\n")[0].split())

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(p.make_metavar(ctx), p.text) for p in self.params if isinstance(p, _Argument)]
        if rows:
            with formatter.section("Arguments"):
                formatter.write_dl(rows)
        super().format_options(ctx, formatter)


class _Group(click.Group):
    """The app: commands listed in the order they are declared, not alphabetically."""

    command_class = _Command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@functools.cache
def _out() -> Console:
    """The console tables and markup are printed on (stdout)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _say(line: str) -> None:
    """Print one plain line on stdout."""
    click.echo(line)


def _note(line: str) -> None:
    """Print one plain line on stderr."""
    click.echo(line, err=True)


# --- progress -------------------------------------------------------------------------

#: Seconds a command works before a progress bar appears.
PROGRESS_AFTER = 1.0


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


class _ProgressBar:
    """A ``progress`` callback for the long analyses: a bar on stderr once the work is slow.

    The bar appears only when stderr is a terminal, and only once ``after`` seconds
    (default :data:`PROGRESS_AFTER`) have passed since the callback was made; until
    then, and always when stderr is not a terminal, a call does nothing. The bar goes
    away when closed. Called with (done, total) in any units.
    """

    def __init__(
        self,
        description: str,
        *,
        after: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._description = description
        self._clock = clock
        self._from = clock() + (PROGRESS_AFTER if after is None else after)
        self._hidden = False
        self._bar: tuple[Progress, TaskID] | None = None

    @property
    def shown(self) -> bool:
        """Whether the bar is on the screen."""
        return self._bar is not None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if self._hidden or self._clock() < self._from:
                return
            if not _stderr_is_terminal():
                self._hidden = True
                return
            self._bar = self._start(total)
        bar, task = self._bar
        bar.update(task, completed=done, total=total)

    def _start(self, total: int) -> tuple[Progress, TaskID]:
        from rich.console import Console
        from rich.progress import Progress

        bar = Progress(console=Console(stderr=True), transient=True, redirect_stdout=False)
        task = bar.add_task(self._description, total=total)
        bar.start()
        return bar, task

    def close(self) -> None:
        """Take the bar off the screen, if it is shown."""
        if self._bar is not None:
            self._bar[0].stop()
            self._bar = None


@contextmanager
def _progress(description: str) -> Iterator[_ProgressBar]:
    """A progress callback for the work inside the block; its bar goes when the block ends."""
    bar = _ProgressBar(description)
    try:
        yield bar
    finally:
        bar.close()


# --- the app --------------------------------------------------------------------------


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"itvalue {__version__}")
        ctx.exit()


#: Options for the importers, set by the options of the app itself (``--lifecycle``).
_IMPORTER_OPTIONS: dict[str, dict[str, Any]] = {}


def _lifecycles(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    mapping: dict[str, str] = {}
    for value in values:
        key, sep, lifecycle = value.partition("=")
        if not sep or not key or not lifecycle:
            raise click.BadParameter(f"expected VALUE=LIFECYCLE, got {value!r}")
        mapping[key] = lifecycle
    if mapping:
        _IMPORTER_OPTIONS["backstage"] = {"lifecycles": mapping}
    else:
        _IMPORTER_OPTIONS.pop("backstage", None)
    return values


@click.group("itvalue", cls=_Group, no_args_is_help=True)
@click.option(
    "--version",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_version,
    help="Show the version.",
)
@click.option(
    "--lifecycle",
    multiple=True,
    metavar="VALUE=LIFECYCLE",
    expose_value=False,
    callback=_lifecycles,
    help="Read a catalog's own lifecycle value as one of ours (Backstage: "
    "--lifecycle beta=live); repeat for more.",
)
def app() -> None:
    """IT services traced to the external customer outcomes that pay the bills."""


_SOURCES_HELP = (
    "One or more sources, composed left to right: itvalue documents (kind Portfolio or "
    "Overlay; .yaml, .yml, .json, .toml), a Backstage catalog file or folder, an ArchiMate "
    "exchange file (.xml), OpenSLO YAML, CMDB CSV tables."
)
_PATH = click.Path(path_type=Path)

_sources_argument = click.argument(
    "files",
    cls=_Argument,
    nargs=-1,
    required=True,
    type=_PATH,
    metavar="SOURCE",
    text=_SOURCES_HELP,
)


def _ids_argument(metavar: str, text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Sources followed by ids, read as words and told apart by the command."""
    return click.argument(
        "args", cls=_Argument, nargs=-1, required=True, metavar=metavar, text=text
    )


_format_option = click.option(
    "--format",
    "-f",
    "format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for tools.",
)
_output_option = click.option(
    "--output", "-o", type=_PATH, metavar="PATH", help="Write here instead of stdout."
)
_hours_option = click.option(
    "--hours",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    metavar="HOURS",
    help="Length of the outage.",
)


def _fail(message: str) -> click.exceptions.Exit:
    """Print ``error: message`` on stderr; the exception to raise to exit with status 2."""
    color = False if os.environ.get("NO_COLOR") else None
    click.echo(f"{click.style('error:', fg='red', bold=True)} {message}", err=True, color=color)
    return click.exceptions.Exit(2)


@contextmanager
def _usable_input() -> Iterator[None]:
    """Turn our errors into one-line messages on stderr and exit status 2."""
    from itvalue.errors import DocumentError, ItValueError, UnknownIdError, ValidationError

    try:
        yield
    except ValidationError as exc:
        source = exc.source or "document"
        count = len(exc.problems)
        _note(f"error: {source} has {count} problem{'s' if count != 1 else ''}")
        for problem in exc.problems:
            where = problem.source or source
            if problem.line is not None:
                where += f":{problem.line}"
            hint = f" (hint: {problem.hint})" if problem.hint else ""
            _note(f"  {where}: {problem.path or '(document)'}: {problem.message}{hint}")
        raise click.exceptions.Exit(2) from None
    except (DocumentError, UnknownIdError, ItValueError) as exc:
        _note(f"error: {exc}")
        raise click.exceptions.Exit(2) from None


def _load(paths: Sequence[Path], *, every_warning: bool = False) -> Portfolio:
    """The portfolio the sources compose; what importers could not map goes to stderr.

    Each warning is printed when ``every_warning`` (``itvalue import``); other commands
    print how many there were, so that nothing is left out silently, and point to
    ``itvalue import`` for the list.
    """
    import warnings

    from itvalue.io import SourceWarning, load

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SourceWarning)
        portfolio = load(*paths, options=_IMPORTER_OPTIONS)
    found = [w.message for w in caught if isinstance(w.message, SourceWarning)]
    for other in caught:
        if not isinstance(other.message, SourceWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    if every_warning:
        for warning in found:
            _note(f"warning: {warning}")
    elif found:
        names = " ".join(str(p) for p in paths)
        _note(
            f"note: {len(found)} thing{'s' if len(found) != 1 else ''} in the sources could not "
            f"be mapped and {'were' if len(found) != 1 else 'was'} left out; "
            f"`itvalue import {names}` lists them"
        )
    return portfolio


def _sources_and_ids(args: Sequence[str], *, least_ids: int) -> tuple[list[Path], list[str]]:
    """Split arguments into the sources (leading paths that exist) and the ids after them.

    The first argument is always a source, and at least ``least_ids`` arguments are
    left as ids, so an id that happens to name a file in the current folder is still
    read as an id when it comes last.
    """
    sources = [Path(args[0])] if args else []
    rest = list(args[1:])
    while len(rest) > least_ids and Path(rest[0]).exists():
        sources.append(Path(rest.pop(0)))
    return sources, rest


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _close_match(key: str, candidates: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the candidate closest to ``key``, or nothing."""
    import difflib

    close = difflib.get_close_matches(key, candidates, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@app.command("check")
@_sources_argument
@click.option(
    "--select",
    multiple=True,
    metavar="RULE",
    help="Only this rule (code or name); repeat for more.",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="RULE",
    help="Leave out this rule (code or name); repeat for more.",
)
@_format_option
def check_command(
    files: tuple[Path, ...], select: tuple[str, ...], ignore: tuple[str, ...], format: str
) -> None:
    """Validate a portfolio and look for value traps; exit 1 on findings of error severity."""
    from itvalue.checks import RULES, Severity, check

    with _usable_input():
        portfolio = _load(files)
        findings = check(portfolio, select=select or None, ignore=ignore or None)
    summary = {s.value: sum(1 for f in findings if f.severity is s) for s in Severity}
    if format == "json":
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
        from rich.table import Table

        table = Table(title=f"Value traps in {portfolio.name}", title_justify="left")
        for column in ("code", "severity", "subject", "finding"):
            table.add_column(column)
        for f in findings:
            style = {"error": "red", "warning": "yellow"}.get(f.severity.value, "")
            table.add_row(f.code, f.severity.value, f.subject, f.message, style=style)
        _out().print(table)
        for code in sorted({f.code for f in findings}):
            _out().print(
                f"[bold]{code} {RULES[code].name}[/]: {RULES[code].rationale}", markup=True
            )
    else:
        _say(f"{portfolio.name}: no value traps found.")
    if findings.has_errors:
        raise click.exceptions.Exit(1)


@app.command("trace")
@_ids_argument(
    "SOURCE... SERVICE",
    "The sources (see `itvalue check --help`), then the id of an IT service.",
)
@_format_option
def trace_command(args: tuple[str, ...], format: str) -> None:
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
    if format == "json":
        _emit_json({"service": service, **{k: sorted(v) for k, v in groups.items()}})
        return
    from rich.table import Table

    table = Table(title=f"What {portfolio.get(service).name} reaches", title_justify="left")
    table.add_column("kind")
    table.add_column("reached")
    for kind, ids in groups.items():
        names = ", ".join(f"{portfolio.get(i).name} ({i})" for i in sorted(ids)) or "—"
        table.add_row(kind, names)
    _out().print(table)
    if not trace.outcomes:
        _say("It reaches no customer outcome.")


def _supplied(portfolio: Portfolio, ids: list[str]) -> dict[str, list[str]]:
    """Per supplier named among ``ids``, the live services it provides.

    Every other id must name a service; one that names neither ends the command with a
    one-line message (and a close match, when there is one).
    """
    from itvalue.model import Service, Stakeholder, StakeholderKind

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
        raise _fail(f"{key!r} names no IT service and no supplier{_close_match(key, candidates)}")
    return supplied


@app.command("impact")
@_ids_argument(
    "SOURCE... ID...",
    "The sources (see `itvalue check --help`), then the ids of the services that fail; "
    "a supplier's id fails every live service it provides.",
)
@_hours_option
@_format_option
def impact_command(args: tuple[str, ...], hours: float, format: str) -> None:
    """Show what customers lose while the given services, or suppliers, are down."""
    files, services = _sources_and_ids(args, least_ids=1)
    if not services:
        raise _fail("give at least one source and the id of a service or supplier")
    with _usable_input():
        portfolio = _load(files)
        supplied = _supplied(portfolio, services)
        impact = portfolio.graph().impact(services)
    totals = impact.totals(hours)
    if format == "json":
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
    from itvalue.report import money_text

    for key, ids in supplied.items():
        name = portfolio.get(key).name
        if ids:
            provided = ", ".join(portfolio.get(i).name for i in ids)
            _say(f"{name} fails, and with it everything it provides: {provided}")
        else:
            _say(f"{name} provides no live service, so nothing stops with it.")
    if not impact.down:
        _say("Nothing is down.")
        return
    span = "an hour" if hours == 1 else f"{hours:g} hours"
    _say(f"Down for {span}: {', '.join(sorted(impact.down))}")
    if not impact.affected_outcomes:
        _say("No customer outcome is affected.")
        return
    from rich.table import Table

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
    _out().print(table)
    if totals:
        _say(
            "In all: "
            + " and ".join(money_text(m.amount, c, about=True) for c, m in totals.items())
        )
    for line in _stream_lines(portfolio, impact):
        _say(line)


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


@app.command("rank")
@_sources_argument
@_hours_option
@click.option("--currency", metavar="CODE", help="Needed when outcomes use several.")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    metavar="N",
    help="How many to show.",
)
@click.option(
    "--suppliers",
    is_flag=True,
    help="Rank suppliers instead: each one's outage stops every live service it provides.",
)
@_format_option
def rank_command(
    files: tuple[Path, ...],
    hours: float,
    currency: str | None,
    top: int,
    suppliers: bool,
    format: str,
) -> None:
    """Rank services, or suppliers, by the value an outage of them puts at risk."""
    what = "supplier" if suppliers else "service"
    with _usable_input(), _progress(f"Ranking {what}s") as progress:
        portfolio = _load(files)
        g = portfolio.graph()
        if suppliers:
            ranked = g.rank_suppliers(hours=hours, currency=currency, progress=progress)
        else:
            ranked = g.rank_services(hours=hours, currency=currency, progress=progress)
        chosen = currency or next(iter(_currencies(portfolio)), "")
    if format == "json":
        _emit_json([{what: s, "value_at_risk": v, "currency": chosen} for s, v in ranked[:top]])
        return
    if suppliers and not ranked:
        _say(f"{portfolio.name}: no supplier is named.")
        return
    from rich.table import Table

    from itvalue.report import money_text

    title = f"Value at risk of a {hours:g}-hour outage" + (" of each supplier" if suppliers else "")
    table = Table(title=title, title_justify="left")
    table.add_column("supplier" if suppliers else "IT service")
    table.add_column("value at risk", justify="right")
    for key, value in ranked[:top]:
        table.add_row(portfolio.get(key).name, money_text(value, chosen) if chosen else "—")
    _out().print(table)


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
    from itvalue.report import duration_text, money_text, units_text

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


@app.command("sla")
@_ids_argument(
    "SOURCE... [SLA]",
    "The sources (see `itvalue check --help`), then, optionally, the id of one SLA "
    "(default: every SLA).",
)
@_format_option
def sla_command(args: tuple[str, ...], format: str) -> None:
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
    with _usable_input(), _progress("Weighing agreements") as progress:
        portfolio = _load(files)
        known = [s.id for s in portfolio.slas]
        if sla is not None and sla not in known:
            raise _fail(f"{sla!r} names no SLA{_close_match(sla, known)}")
        g = portfolio.graph()
        chosen = [s for s in portfolio.slas if sla is None or s.id == sla]
        agreements: list[AgreementTerms] = []
        for s in chosen:
            agreements.append(g.agreement_terms(s.id))
            progress(len(agreements), len(chosen))
    unkeepable = any(not o.promise.is_reachable for terms in agreements for o in terms.objectives)
    if format == "json":
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
        _say(f"{portfolio.name}: no SLA is described.")
    else:
        for terms in agreements:
            agreement = portfolio.sla(terms.sla)
            service = portfolio.get(terms.service).name
            _say(f"{agreement.name} ({terms.sla}), on {service}:")
            if not terms.objectives:
                _say("  No availability objective: nothing to weigh against the services.")
            for objective in terms.objectives:
                for line in _objective_lines(portfolio, terms, objective):
                    _say(line)
    if unkeepable:
        raise click.exceptions.Exit(1)


def _currencies(portfolio: Portfolio) -> list[str]:
    from itvalue.analysis.impact import currencies_in_use

    return currencies_in_use(portfolio.graph())


#: The report's formats; md and markdown name the same.
_REPORT_FORMATS = ["markdown", "md", "html", "json"]
#: How a business process or product splits its IT cost.
_DRIVERS: dict[str, Driver] = {"equal": "equal", "value": "value"}


@app.command("report")
@_sources_argument
@click.option(
    "--format",
    "-f",
    "format",
    type=click.Choice(_REPORT_FORMATS),
    default="markdown",
    show_default=True,
    help="markdown (or md), html or json.",
)
@click.option(
    "--currency",
    metavar="CODE",
    help="Order the services and suppliers at risk by money in this currency "
    "(default: the only one in use, else the first alphabetically).",
)
@click.option(
    "--driver",
    type=click.Choice(list(_DRIVERS)),
    default="equal",
    show_default=True,
    help="How a business process or product splits its IT cost among what it "
    "serves: equal shares, or by the value of the outcomes each leads to.",
)
@_output_option
def report_command(
    files: tuple[Path, ...],
    format: str,
    currency: str | None,
    driver: str,
    output: Path | None,
) -> None:
    """Write the business report: what IT does for the company's customers."""
    from itvalue.report import build_report, render_html, render_markdown

    with _usable_input(), _progress("Writing the report") as progress:
        portfolio = _load(files)
        report = build_report(
            portfolio, currency=currency, driver=_DRIVERS[driver], progress=progress
        )
    if format == "json":
        text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif format == "html":
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
    _note(f"wrote {output}")


#: How expected delivery is computed (see ``expected_delivery``).
_METHODS: dict[str, Method] = {
    "exact": "exact",
    "independent": "independent",
    "monte_carlo": "monte_carlo",
}
#: The business case's formats; md and markdown name the same.
_CASE_FORMATS = ["md", "markdown", "html", "json"]


@app.command("case")
@_sources_argument
@click.option(
    "--proposal",
    multiple=True,
    required=True,
    type=_PATH,
    metavar="OVERLAY",
    help="The proposed change: an overlay (or any source) composed over the sources; "
    "repeat for more.",
)
@click.option(
    "--one-off",
    metavar="AMOUNT",
    help='What the change costs once, as "250000 EUR": gives the payback time.',
)
@click.option(
    "--method",
    type=click.Choice(list(_METHODS)),
    default="exact",
    show_default=True,
    help="How expected delivery is computed.",
)
@click.option(
    "--format",
    "-f",
    "format",
    type=click.Choice(_CASE_FORMATS),
    default="md",
    show_default=True,
    help="md (or markdown), html or json.",
)
@_output_option
def case_command(
    files: tuple[Path, ...],
    proposal: tuple[Path, ...],
    one_off: str | None,
    method: str,
    format: str,
    output: Path | None,
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
    if format == "json":
        text = json.dumps(case_to_dict(comparison), indent=2, ensure_ascii=False) + "\n"
    elif format == "html":
        text = render_case_html(comparison)
    else:
        text = render_case_markdown(comparison)
    _write(text, output)


@app.command("export")
@_sources_argument
@click.option(
    "--to",
    type=click.Choice(["graphml", "mermaid", "dot", "json", "archimate"]),
    required=True,
    help="graphml, mermaid, dot, json or archimate.",
)
@_output_option
def export_command(files: tuple[Path, ...], to: str, output: Path | None) -> None:
    """Export the value graph for other tools; archimate writes an exchange file for Archi."""
    with _usable_input():
        portfolio = _load(files)
        if to == "archimate":
            from itvalue.importers.archimate import export as export_archimate

            text = export_archimate(portfolio)
        else:
            from itvalue.viz import export as export_graph

            text = export_graph(portfolio.graph(), to)
    _write(text, output)


@app.command("import")
@_sources_argument
@_output_option
def import_command(files: tuple[Path, ...], output: Path | None) -> None:
    """Compose sources into one itvalue document, and list what could not be mapped.

    The document is written as YAML (or, with --output, in the format of its suffix);
    warnings go to stderr. Exits 2 only when nothing usable could be read.
    """
    from itvalue.io import dump, dumps

    with _usable_input():
        portfolio = _load(files, every_warning=True)
        if output is None:
            sys.stdout.write(dumps(portfolio, "yaml"))
            return
        try:
            dump(portfolio, output)
        except OSError as exc:
            raise _fail(f"cannot write {output}: {exc.strerror}") from None
    _note(f"wrote {output}")


@app.command("schema")
@click.option(
    "--kind",
    type=click.Choice(["portfolio", "overlay"]),
    default="portfolio",
    show_default=True,
    help="The document kind: portfolio or overlay.",
)
def schema_command(kind: str) -> None:
    """Print the JSON Schema of the document format."""
    from itvalue.io import json_schema

    _emit_json(json_schema("Overlay" if kind == "overlay" else "Portfolio"))


@app.command("rules")
@_format_option
def rules_command(format: str) -> None:
    """List the value-trap rules and why each is a trap."""
    from itvalue.checks import RULES

    if format == "json":
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
        _out().print(
            f"[bold]{rule.code} {rule.name}[/] ({rule.severity.value}): {rule.summary}", markup=True
        )
        _out().print(f"  {rule.rationale}", markup=False)
