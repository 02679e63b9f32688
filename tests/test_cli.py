"""The command line: exit codes, JSON shapes, and no traceback on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from itvalue import _commands as commands
from itvalue._commands import app
from tests.test_agreements import AGREEMENTS
from tests.test_checks import TRAPS
from tests.test_graph import CONTOSO
from tests.test_report import SUPPLIED

runner = CliRunner()


@pytest.fixture
def contoso(tmp_path: Path) -> Path:
    path = tmp_path / "contoso.yaml"
    path.write_text(CONTOSO, encoding="utf-8")
    return path


@pytest.fixture
def supplied(tmp_path: Path) -> Path:
    path = tmp_path / "supplied.yaml"
    path.write_text(SUPPLIED, encoding="utf-8")
    return path


@pytest.fixture
def agreements(tmp_path: Path) -> Path:
    path = tmp_path / "agreements.yaml"
    path.write_text(AGREEMENTS, encoding="utf-8")
    return path


@pytest.fixture
def traps(tmp_path: Path) -> Path:
    path = tmp_path / "traps.yaml"
    path.write_text(TRAPS, encoding="utf-8")
    return path


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(
        "apiVersion: itvalue/v1\nkind: Portfolio\nname: Broken\n"
        "stakeholders: [{id: it, name: IT, kind: it}]\n"
        "services:\n"
        "  - {id: pay, name: Pay, owner: itt, kind: business, offering: catalog,\n"
        "     lifecycle: live, availability: 99.9}\n",
        encoding="utf-8",
    )
    return path


def run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_check_clean_and_with_errors(contoso: Path, traps: Path) -> None:
    """check exits 0 without error findings and 1 with them."""
    code, out, _err = run("check", contoso)
    assert code == 0
    assert "ITV001" in out
    code, out, _err = run("check", traps, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["summary"] == {"error": 4, "warning": 10, "info": 1}
    assert data["findings"][0] == {
        "code": "ITV001",
        "rule": "orphan-service",
        "severity": "warning",
        "subject": "fax",
        "message": "live service 'fax' reaches no customer outcome; it costs 7,000 EUR a year",
    }
    code, out, _err = run("check", traps, "--select", "ITV005", "--ignore", "ITV004")
    assert code == 0
    assert "ITV005" in out
    code, out, _err = run("check", traps, "--select", "ITV999")
    assert code == 2


def test_check_on_a_broken_file_says_what_is_wrong(broken: Path) -> None:
    """An unusable file exits 2 with one line per problem, never a traceback."""
    code, out, err = run("check", broken)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[0] == f"error: {broken} has 2 problems"
    assert lines[1] == (
        f"  {broken}:7: services[0].availability: must be greater than 0 and at most 1, got 99.9"
        " (hint: write a fraction: 99.9% is 0.999)"
    )
    assert lines[2] == (
        f"  {broken}:6: services[0].owner: 'itt' names no entity; expected a stakeholder"
        " (hint: did you mean 'it'?)"
    )
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "args",
    [
        ("check", "missing.yaml"),
        ("trace", "{contoso}", "nope"),
        ("impact", "{contoso}", "crm", "checkout"),
        ("impact", "{contoso}", "sales"),
        ("impact", "{contoso}", "nope"),
        ("rank", "{contoso}", "--currency", "USD"),
        ("report", "{contoso}", "-o", "/nonexistent-dir/x.md"),
        ("report", "{contoso}", "--currency", "USD"),
    ],
)
def test_unusable_input_exits_2(contoso: Path, args: tuple[str, ...]) -> None:
    """Missing files, unknown ids and impossible requests exit 2 with a one-line message."""
    code, _out, err = run(*(a.format(contoso=contoso) for a in args))
    assert code == 2
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_trace(contoso: Path) -> None:
    """trace shows what a service reaches, as a table or JSON."""
    code, out, _err = run("trace", contoso, "network", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "service": "network",
        "services": ["crm", "wms"],
        "processes": ["fulfilment", "support-desk"],
        "products": [],
        "outcomes": ["call-answered", "order-delivered"],
        "segments": ["shoppers"],
    }
    code, out, _err = run("trace", contoso, "network")
    assert "Warehouse (wms)" in out
    code, out, _err = run("trace", contoso, "legacy-fax")
    assert "It reaches no customer outcome." in out


def test_impact(contoso: Path) -> None:
    """impact shows losses over an outage, as a table or JSON."""
    code, out, _err = run("impact", contoso, "network", "--hours", "2", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["down"] == ["crm", "network", "wms"]
    assert data["hours"] == 2.0
    assert data["totals"]["EUR"] == pytest.approx(2 * (5000 * 42 / 730 + 6))
    first = data["outcomes"][0]
    assert first["outcome"] == "order-delivered"
    assert first["delivered"] == 0.5
    # Per the volume's period (the API's volume_lost and value_lost), and over the hours.
    assert first["period"] == "month"
    assert first["volume_lost_per_period"] == {"amount": 5000, "unit": "orders"}
    assert first["value_lost_per_period"] == {"amount": 5000 * 42, "currency": "EUR"}
    assert first["volume_lost_over_hours"] == {
        "amount": pytest.approx(2 * 5000 / 730),
        "unit": "orders",
    }
    assert first["value_lost_over_hours"] == {
        "amount": pytest.approx(2 * 5000 * 42 / 730),
        "currency": "EUR",
    }
    assert "volume_lost" not in first
    assert data["streams"] == []
    code, out, _err = run("impact", contoso, "payments")
    assert "about €575" in out
    code, out, _err = run("impact", contoso, "legacy-fax")
    assert "No customer outcome is affected." in out


def test_impact_names_the_stages_it_stops(agreements: Path) -> None:
    """impact says which stages of each value stream stop or slow, as text and JSON."""
    code, out, _err = run("impact", agreements, "crm", "--format", "json")
    assert code == 0
    assert json.loads(out)["streams"] == [
        {
            "stream": "serve",
            "outcome": "call-answered",
            "delivered": 0.0,
            "stages": [
                {"name": "Answer", "delivered": 0.0},
                {"name": "Bill", "delivered": 0.5},
                {"name": "Nothing", "delivered": 1.0},
            ],
            "stopped": ["Answer"],
            "slowed": ["Bill"],
        }
    ]
    code, out, _err = run("impact", agreements, "crm")
    assert "In “Serve a caller” the outage stops “Answer” and slows “Bill”; 0.0% of its" in out
    code, out, _err = run("impact", agreements, "node-1")
    assert "Serve a caller" not in out


def test_sla(agreements: Path, contoso: Path) -> None:
    """sla weighs each availability promise, and exits 1 when one cannot be kept."""
    code, out, _err = run("sla", agreements, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert [s["sla"] for s in data["slas"]] == ["crm-gold", "crm-silver", "crm-bronze"]
    (gold,) = data["slas"][0]["objectives"]
    assert gold == {
        "metric": "crm-up",
        "target": 0.995,
        "window_days": 30,
        "allowed_hours": pytest.approx(3.6),
        "volume_at_risk": {
            "call-answered": {"amount": pytest.approx(36.0), "unit": "calls"},
            "bill-correct": {"amount": pytest.approx(3.6), "unit": "bills"},
        },
        "value_at_risk": {"EUR": pytest.approx(252.0)},
        "subject": "crm",
        "subject_kind": "service",
        "expected": pytest.approx(0.96228),
        "ceiling": pytest.approx(0.972),
        "estimated": False,
        "verdict": "cannot_be_kept",
        "limiting": "node-1",
        "limiting_to": pytest.approx(0.99),
    }
    verdicts = [(o["metric"], o["verdict"]) for s in data["slas"][1:] for o in s["objectives"]]
    assert verdicts == [("crm-up", "not_kept"), ("crm-up", "kept"), ("answered", "not_kept")]
    code, out, _err = run("sla", agreements, "crm-silver")
    assert code == 0
    assert out.splitlines() == [
        "CRM silver (crm-silver), on CRM:",
        "  CRM availability (crm-up): 96.5% over 30 days allows 25 hours down.",
        "    One outage of CRM that long loses 252 calls (Call answered), 25 bills (Bill "
        "correct): about €1,764.",
        "    Today CRM works 96.228% of the time; the services it stands on allow at most 97.2%.",
        "    Not kept today; Node 1 (node-1) limits most: perfect, it would give 98.01%.",
    ]
    code, out, _err = run("sla", agreements, "crm-gold")
    assert code == 1
    assert "Cannot be kept by any work on CRM itself; Node 1 (node-1) limits most" in out
    code, out, _err = run("sla", agreements, "crm-bronze")
    assert "    Kept." in out
    assert "    Today “Call answered” is delivered 95.266% of the time." in out
    code, out, _err = run("sla", contoso)
    assert code == 0


def test_sla_without_availability_objectives(traps: Path) -> None:
    """An SLA that promises no share of the time says so; none at all says so too."""
    code, out, _err = run("sla", traps)
    assert code == 0
    assert "No availability objective" in out


def test_sla_that_is_not_there(agreements: Path) -> None:
    """An unknown SLA id gets one line, with a close match, and exit 2."""
    code, out, err = run("sla", agreements, "crm-gld")
    assert code == 2
    assert out == ""
    assert err.strip() == "error: 'crm-gld' names no SLA (did you mean 'crm-gold'?)"


def test_impact_of_a_supplier(supplied: Path) -> None:
    """A supplier's id fails every live service it provides, and says which."""
    code, out, _err = run("impact", supplied, "cloud", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["suppliers"] == {"cloud": ["network"]}
    assert data["failed"] == ["network"]
    assert data["down"] == ["crm", "network", "wms"]
    assert data["totals"]["EUR"] == pytest.approx(5000 * 42 / 730 + 6)
    code, out, _err = run("impact", supplied, "cloud")
    assert code == 0
    assert "Cloud host fails, and with it everything it provides: Network" in out
    assert "about €294" in out
    code, out, _err = run("impact", supplied, "idle")
    assert code == 0
    assert "Idle vendor provides no live service, so nothing stops with it." in out
    assert "Nothing is down." in out
    code, out, _err = run("impact", supplied, "psp", "network", "--format", "json")
    assert json.loads(out)["down"] == ["crm", "network", "payments", "wms"]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("nope", "error: 'nope' names no IT service and no supplier"),
        (
            "paymnts",
            "error: 'paymnts' names no IT service and no supplier (did you mean 'payments'?)",
        ),
        ("checkout", "error: 'checkout' is a process, not an IT service or a supplier"),
        ("it", "error: 'it' is a stakeholder, not an IT service or a supplier"),
    ],
)
def test_impact_of_neither_a_service_nor_a_supplier(supplied: Path, key: str, message: str) -> None:
    """An id that names neither a service nor a supplier gets one line and exit 2."""
    code, out, err = run("impact", supplied, key)
    assert code == 2
    assert out == ""
    assert err.strip() == message


def test_rank_suppliers(supplied: Path, contoso: Path) -> None:
    """rank --suppliers ranks suppliers by what an outage of all they provide puts at risk."""
    code, out, _err = run("rank", supplied, "--suppliers", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [(r["supplier"], r["currency"]) for r in data] == [
        ("psp", "EUR"),
        ("cloud", "EUR"),
        ("idle", "EUR"),
    ]
    assert data[0]["value_at_risk"] == pytest.approx(10_000 * 42 / 730)
    assert data[1]["value_at_risk"] == pytest.approx(5000 * 42 / 730 + 6)
    code, out, _err = run("rank", supplied, "--suppliers", "--hours", "4", "--top", "1")
    assert code == 0
    assert "Payment provider" in out
    assert "€2,301" in out
    assert "Cloud host" not in out
    code, out, _err = run("rank", contoso, "--suppliers")
    assert code == 0
    assert "Contoso: no supplier is named." in out


def test_rank(contoso: Path) -> None:
    """rank lists services by value at risk."""
    code, out, _err = run("rank", contoso, "--format", "json", "--top", "2")
    assert code == 0
    assert [r["service"] for r in json.loads(out)] == ["payments", "network"]
    code, out, _err = run("rank", contoso)
    assert "€575" in out


def test_report_formats(contoso: Path, tmp_path: Path) -> None:
    """report writes Markdown, HTML or JSON, to stdout or a file."""
    code, out, _err = run("report", contoso)
    assert code == 0
    assert out.startswith("# What IT does for the customers of Contoso")
    target = tmp_path / "report.html"
    code, out, err = run("report", contoso, "--format", "html", "-o", target)
    assert code == 0
    assert out == ""
    assert f"wrote {target}" in err
    assert "<svg" in target.read_text(encoding="utf-8")
    code, out, _err = run("report", contoso, "--format", "json")
    data = json.loads(out)
    assert data["risks"][0]["service"] == "payments"
    assert data["total_cost"] == {"EUR": 227000.0}


def test_report_says_which_cost_driver(supplied: Path, tmp_path: Path) -> None:
    """report --driver splits cost equally or by value, says which, and names suppliers."""
    code, out, _err = run("report", supplied, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["driver"] == "equal"
    assert [s["supplier"] for s in data["suppliers"]] == ["psp", "cloud"]
    assert data["suppliers"][0]["stops"] == ["order-delivered"]
    code, out, _err = run("report", supplied, "--driver", "value", "--format", "json")
    assert code == 0
    assert json.loads(out)["driver"] == "value"
    code, out, _err = run("report", supplied, "--driver", "value")
    assert "split in proportion to the yearly worth of the customer outcomes" in out
    assert "## What depends on one supplier" in out
    two = tmp_path / "two.yaml"
    two.write_text(
        CONTOSO.replace("{amount: 10, currency: EUR}", "{amount: 1000, currency: USD}"),
        encoding="utf-8",
    )
    code, _out, _err = run("report", supplied, "--driver", "headcount")
    assert code == 2
    code, _out, err = run("report", two, "--driver", "value")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "several currencies (EUR, USD)" in err


def test_export(contoso: Path, tmp_path: Path) -> None:
    """export writes every format; GraphML loads back into networkx."""
    target = tmp_path / "g.graphml"
    code, _out, _err = run("export", contoso, "--to", "graphml", "-o", target)
    assert code == 0
    assert nx.read_graphml(target).number_of_nodes() == 14
    for fmt in ("mermaid", "dot", "json"):
        code, out, _err = run("export", contoso, "--to", fmt)
        assert code == 0
        assert out
    code, _out, _err = run("export", contoso, "--to", "png")
    assert code == 2


def test_schema_rules_and_version() -> None:
    """schema prints the JSON Schema; rules lists the rules; --version the version."""
    code, out, _err = run("schema")
    assert code == 0
    assert json.loads(out)["$schema"].endswith("2020-12/schema")
    code, out, _err = run("rules", "--format", "json")
    assert json.loads(out)[0]["code"] == "ITV001"
    code, out, _err = run("rules")
    assert "ITV010 unsupported-outcome" in out
    code, out, _err = run("--version")
    assert out.startswith("itvalue ")


@pytest.mark.parametrize("command", [(), ("check",), ("impact",), ("rank",), ("report",)])
def test_help_reads_naturally(command: tuple[str, ...]) -> None:
    """Help names what an option takes, in words; flags show no type."""
    code, out, _err = run(*command, "--help")
    assert code == 0
    assert "<bool>" not in out
    assert "list[" not in out
    assert "--help" in out
    flat = " ".join(out.split())
    if command == ("check",):
        assert "--select" in out
        assert "RULE" in out
        assert "SOURCE..." in out
        assert "One or more sources, composed left to right" in flat
    if command == ("impact",):
        assert "SOURCE... ID..." in out
        assert "a supplier's id fails every live service it provides." in flat
        assert "[default: 1.0; x>=0]" in flat
    if command == ("rank",):
        assert "--suppliers  " in out
        assert "[default: 20; x>=1]" in flat
    if command == ("report",):
        assert "[markdown|md|html|json]" in out
        assert "[default: markdown]" in flat


def test_help_lists_every_command_in_order() -> None:
    """The app's help lists the commands as declared, each with its whole summary."""
    code, out, _err = run("--help")
    assert code == 0
    names = [
        line.split()[0] for line in out.split("Commands:")[1].splitlines() if line[2:3].strip()
    ]
    assert names == [
        "check",
        "trace",
        "impact",
        "rank",
        "sla",
        "report",
        "case",
        "export",
        "import",
        "schema",
        "rules",
    ]
    flat = " ".join(out.split())
    assert "exit 1 on findings of error severity." in flat
    assert "--version Show the version." in flat
    assert "--lifecycle VALUE=LIFECYCLE" in flat


def test_no_arguments_shows_the_help() -> None:
    """itvalue alone prints its help rather than doing anything."""
    result = runner.invoke(app, [])
    assert "Commands:" in result.output
    assert "check" in result.output


def test_a_lifecycle_must_name_what_it_maps(contoso: Path) -> None:
    """--lifecycle takes VALUE=LIFECYCLE; anything else is a usage error."""
    code, _out, err = run("--lifecycle", "beta", "check", contoso)
    assert code == 2
    assert "expected VALUE=LIFECYCLE, got 'beta'" in err
    code, _out, _err = run("--lifecycle", "beta=live", "check", contoso)
    assert code == 0


def test_importing_the_commands_is_light() -> None:
    """The command line starts without rich, numpy, networkx, pydantic, msgspec or analyses."""
    heavy = ("rich", "numpy", "networkx", "pydantic", "typer", "msgspec")
    code = (
        "import itvalue._commands, sys; "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules)); "
        "print(sorted(m for m in sys.modules if m.startswith(('itvalue.analysis', "
        "'itvalue.report'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.splitlines() == ["[]", "[]"]


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_progress_bar_appears_after_a_second_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a terminal the bar starts once the work has taken a second, not before."""
    monkeypatch.setattr(commands, "_stderr_is_terminal", lambda: True)
    clock = FakeClock()
    bar = commands._ProgressBar("Ranking services", clock=clock)
    bar(1, 10)
    clock.now += 0.9
    bar(2, 10)
    assert not bar.shown
    assert capsys.readouterr().err == ""
    clock.now += 0.2
    bar(3, 10)
    assert bar.shown
    bar(10, 10)
    bar.close()
    assert not bar.shown
    bar.close()


def test_no_progress_bar_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """When stderr is not a terminal, nothing is printed however long the work takes."""
    assert not commands._stderr_is_terminal()  # capsys has stderr
    clock = FakeClock()
    bar = commands._ProgressBar("Ranking services", clock=clock)
    clock.now += 60
    bar(1, 10)
    bar(10, 10)
    assert not bar.shown
    bar.close()
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "args",
    [
        ("rank", "{supplied}", "--format", "json"),
        ("rank", "{supplied}", "--suppliers", "--format", "json"),
        ("report", "{supplied}", "--format", "json"),
        ("sla", "{agreements}", "--format", "json"),
    ],
)
def test_commands_with_a_bar_print_the_same(
    monkeypatch: pytest.MonkeyPatch, supplied: Path, agreements: Path, args: tuple[str, ...]
) -> None:
    """A bar shown from the start changes nothing on stdout; off a terminal, stderr stays empty."""
    argv = [a.format(supplied=supplied, agreements=agreements) for a in args]
    monkeypatch.setattr(commands, "PROGRESS_AFTER", 0.0)
    monkeypatch.setattr(commands, "_stderr_is_terminal", lambda: False)
    plain = runner.invoke(app, argv)
    assert plain.stderr == ""
    started: list[commands._ProgressBar] = []
    start = commands._ProgressBar._start

    def spy(bar: commands._ProgressBar, total: int) -> Any:
        started.append(bar)
        return start(bar, total)

    monkeypatch.setattr(commands._ProgressBar, "_start", spy)
    monkeypatch.setattr(commands, "_stderr_is_terminal", lambda: True)
    shown = runner.invoke(app, argv)
    assert shown.exit_code == plain.exit_code
    assert shown.stdout == plain.stdout
    assert len(started) == 1
    assert not started[0].shown


def test_report_ranks_by_the_currency_asked_for(tmp_path: Path) -> None:
    """report --currency orders the services at risk by money in that currency."""
    path = tmp_path / "two.yaml"
    path.write_text(
        CONTOSO.replace("{amount: 10, currency: EUR}", "{amount: 1000, currency: USD}"),
        encoding="utf-8",
    )
    code, out, _err = run("report", path, "--format", "json")
    assert code == 0
    assert [r["service"] for r in json.loads(out)["risks"]] == ["payments", "network", "wms", "crm"]
    code, out, _err = run("report", path, "--format", "json", "--currency", "USD")
    assert code == 0
    assert [r["service"] for r in json.loads(out)["risks"]] == ["crm", "network", "payments", "wms"]
    code, out, _err = run("report", path, "--currency", "USD")
    assert "the order follows the money at risk in USD." in out


def test_through_a_subprocess(contoso: Path, broken: Path, traps: Path) -> None:
    """python -m itvalue behaves the same as a separate process: codes and streams."""

    def sub(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "itvalue", *map(str, args)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            timeout=120,
        )

    ok = sub("check", contoso, "--format", "json")
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["summary"]["error"] == 0
    assert sub("check", traps).returncode == 1
    bad = sub("check", broken)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert "Traceback" not in bad.stderr
    assert "services[0].availability" in bad.stderr
    unknown = sub("impact", contoso, "nope")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "error: 'nope' names no IT service and no supplier"
    report = sub("report", contoso)
    assert report.returncode == 0
    assert "An hour without Payments: 14 orders fewer, about €575" in report.stdout


def test_main_entry_points(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """itvalue.cli.main and python -m itvalue run the same app."""
    import runpy

    from itvalue.cli import main

    monkeypatch.setattr(sys, "argv", ["itvalue", "--version"])
    with pytest.raises(SystemExit) as excinfo:
        main()
    assert excinfo.value.code == 0
    assert capsys.readouterr().out.startswith("itvalue ")
    with pytest.raises(SystemExit):
        runpy.run_module("itvalue", run_name="__main__")
    assert capsys.readouterr().out.startswith("itvalue ")
