"""Tests of the OpenSLO importer: the mapping rules, the real OpenSLO files, hostile input."""

from __future__ import annotations

import json
import tempfile
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import itvalue as iv
from itvalue.importers import openslo, recognise

ROOT = Path(__file__).parent.parent
EXTERNAL = ROOT.parent / "shared" / "external" / "openslo"
REAL_FILES = sorted(EXTERNAL.rglob("*.yaml")) if EXTERNAL.is_dir() else []
CATALOG = """\
apiVersion: itvalue/v1
kind: Portfolio
name: Catalog
stakeholders:
  - {id: it-ops, name: IT Operations, kind: it}
  - {id: sales, name: Sales, kind: relationship_owner}
segments:
  - {id: shoppers, name: Shoppers, relationship_owner: sales}
outcomes:
  - {id: order-placed, name: Order placed, segment: shoppers}
services:
  - {id: web-shop, name: Web Shop, owner: it-ops, kind: business, offering: catalog, lifecycle: live}
  - {id: search, name: Product Search, owner: it-ops, kind: technical, offering: catalog, lifecycle: live}
"""
KNOWN: dict[str, Any] = {
    "services": {
        "web-shop": {"name": "Web Shop", "owner": "it-ops"},
        "search": {"name": "Product Search", "owner": "it-ops"},
    },
    "stakeholders": {"it-ops": {"name": "IT Operations"}},
}

# What each real file gives, with a catalog holding the services the files name: the
# number of SLAs and metrics, or the start of the error.
EXPECTED: dict[str, tuple[int, int] | str] = {
    "examples/budgeting-method/occurences-slo.yaml": (1, 1),
    "examples/budgeting-method/ratio-timeslices.yaml": (1, 1),
    "examples/budgeting-method/timeslices-slo.yaml": (1, 1),
    "examples/treat-low-traffic-as-equally-important/timeslices-slo.yaml": (1, 1),
    "pkg/openslo/v1/examples/alert_conditions.yaml": (0, 0),
    "pkg/openslo/v1/examples/alert_notification_targets.yaml": (0, 0),
    "pkg/openslo/v1/examples/alert_policies.yaml": (0, 0),
    "pkg/openslo/v1/examples/data_sources.yaml": (0, 0),
    "pkg/openslo/v1/examples/services.yaml": (0, 0),
    "pkg/openslo/v1/examples/slis.yaml": (0, 4),
    "pkg/openslo/v1/examples/slos.yaml": (1, 1),
    "schema-test/spec-files/v1/slo/slo-indicatorref-calendar-alerts.yaml": "the SLO 'test-slo' "
    "refers to the SLI 'indicator-ref-string'",
    "schema-test/spec-files/v1/slo/slo-indicatorref-calendar-no-alerts.yaml": "the SLO "
    "'test-slo' refers to the SLI 'indicator-ref-string'",
    "schema-test/spec-files/v1/slo/slo-indicatorref-rolling-alerts.yaml": "the SLO 'test-slo' "
    "refers to the SLI 'indicator-ref-string'",
    "schema-test/spec-files/v1/slo/slo-indicatorref-rolling-no-alerts.yaml": "the SLO "
    "'test-slo' refers to the SLI 'indicator-ref-string'",
    "schema-test/spec-files/v1/slo/slo-no-indicatorref-calendar-alerts.yaml": (1, 1),
    "schema-test/spec-files/v1/slo/slo-no-indicatorref-calendar-no-alerts.yaml": (1, 1),
    "schema-test/spec-files/v1/slo/slo-no-indicatorref-rolling-alerts.yaml": (1, 1),
    "schema-test/spec-files/v1/slo/slo-no-indicatorref-rolling-no-alerts.yaml": (1, 1),
    "spec/slo-example.yaml": "apiVersion 'openslo/v1alpha1' is not read",
}
REAL_KNOWN: dict[str, Any] = {
    "services": {
        ident: {"name": ident, "owner": "it-ops"}
        for ident in ("web-shop", "web-availability", "web", "the-service-name")
    }
}


def slo(
    *,
    name: str = "search-slo",
    service: str = "search",
    annotations: Mapping[str, str] | None = None,
    indicator: str | None = None,
    window: str = "28d",
    objectives: str = "- {target: 0.99}",
    extra: str = "",
) -> str:
    """An OpenSLO v1 SLO document, with what a test changes."""
    notes = ""
    if annotations:
        notes = "  annotations:\n" + "".join(
            f"    {key}: {value}\n" for key, value in annotations.items()
        )
    if indicator is None:
        indicator = textwrap.dedent(
            """\
            indicator:
              metadata: {name: search-success}
              spec:
                ratioMetric:
                  good: {metricSource: {type: Prometheus, spec: {query: good}}}
                  total: {metricSource: {type: Prometheus, spec: {query: total}}}
            """
        )
    return (
        "apiVersion: openslo/v1\nkind: SLO\n"
        f"metadata:\n  name: {name}\n{notes}"
        "spec:\n"
        f"  service: {service}\n"
        + textwrap.indent(indicator, "  ")
        + f"  timeWindow: [{{duration: {window}, isRolling: true}}]\n"
        + "  objectives:\n"
        + textwrap.indent(objectives, "    ")
        + "\n"
        + textwrap.indent(extra, "  ")
    )


def write(tmp_path: Path, text: str, name: str = "slo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def read(tmp_path: Path, text: str, known: Mapping[str, Any] | None = KNOWN) -> iv.Overlay:
    return openslo.read(write(tmp_path, text), known=known)


def error(tmp_path: Path, text: str, known: Mapping[str, Any] | None = KNOWN) -> iv.DocumentError:
    with pytest.raises(iv.DocumentError) as excinfo:
        read(tmp_path, text, known)
    return excinfo.value


def codes(overlay: iv.Overlay) -> list[str]:
    return [w.code for w in overlay.warnings]


# --- the real files -------------------------------------------------------------------


def test_every_real_file_is_accounted_for() -> None:
    """The table of expectations covers every OpenSLO file kept for testing."""
    if not REAL_FILES:
        pytest.skip("the shared OpenSLO files are not here")
    assert {p.relative_to(EXTERNAL).as_posix() for p in REAL_FILES} == set(EXPECTED)


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_real_files_import_or_fail_clearly(relative: str) -> None:
    """Each real file imports as expected, or raises a DocumentError with file and line."""
    path = EXTERNAL / relative
    if not path.is_file():
        pytest.skip("the shared OpenSLO files are not here")
    assert recognise(path) == "openslo"
    expected = EXPECTED[relative]
    if isinstance(expected, str):
        with pytest.raises(iv.DocumentError) as excinfo:
            openslo.read(path, known=REAL_KNOWN)
        assert excinfo.value.reason.startswith(expected)
        assert excinfo.value.source == str(path)
        assert excinfo.value.line is not None
        assert excinfo.value.hint
        return
    overlay = openslo.read(path, known=REAL_KNOWN)
    assert (len(overlay.entries("slas")), len(overlay.entries("metrics"))) == expected
    assert overlay.warnings, "every real file holds something itvalue does not map"
    for warning in overlay.warnings:
        assert warning.source == str(path)
        assert warning.line is not None


def test_a_real_slo_composes_onto_a_catalog(tmp_path: Path) -> None:
    """The budgeting-method example, on a catalog naming its service, loads as an SLA."""
    path = EXTERNAL / "examples/budgeting-method/occurences-slo.yaml"
    if not path.is_file():
        pytest.skip("the shared OpenSLO files are not here")
    catalog = write(tmp_path, CATALOG, "catalog.yaml")
    with pytest.warns(iv.SourceWarning) as record:
        portfolio = iv.load(catalog, path)
    sla = portfolio.get("slo-search-slo")
    assert isinstance(sla, iv.SLA)
    assert (sla.service, sla.consumer, sla.name) == ("web-shop", "it-ops", "Searching time")
    (objective,) = sla.objectives
    assert (objective.metric, objective.target, objective.window_days) == (
        "sli-search-latency-lt-500",
        0.99,
        14,
    )
    metric = portfolio.get("sli-search-latency-lt-500")
    assert isinstance(metric, iv.Metric)
    assert metric.name == "Latency of user searches < 500"
    assert (metric.unit, metric.direction, metric.perspective) == (
        "fraction",
        iv.Direction.HIGHER_IS_BETTER,
        iv.Perspective.INTERNAL,
    )
    assert {"openslo-assumed-consumer", "openslo-unmapped-field"} <= {
        w.message.code for w in record if isinstance(w.message, iv.SourceWarning)
    }


def test_slis_in_one_file_serve_references_in_the_next(tmp_path: Path) -> None:
    """An SLO's indicatorRef finds a kind: SLI that an earlier file defined."""
    slis = EXTERNAL / "pkg/openslo/v1/examples/slis.yaml"
    if not slis.is_file():
        pytest.skip("the shared OpenSLO files are not here")
    catalog = write(tmp_path, CATALOG, "catalog.yaml")
    referring = write(
        tmp_path,
        slo(indicator="indicatorRef: search-availability\n"),
        "by-ref.yaml",
    )
    with pytest.warns(iv.SourceWarning):
        portfolio = iv.load(catalog, slis, referring)
    sla = portfolio.get("slo-search-slo")
    assert isinstance(sla, iv.SLA)
    assert sla.objectives[0].metric == "sli-search-availability"
    assert len(portfolio.metrics) == 4


# --- the mapping ----------------------------------------------------------------------


def test_an_slo_becomes_an_sla_with_one_objective_per_objective(tmp_path: Path) -> None:
    """Ids, names, targets and windows follow the documented mapping."""
    overlay = read(
        tmp_path,
        slo(objectives="- {target: 0.99}\n- {targetPercent: 99.9}", window="4w"),
    )
    (sla,) = overlay.entries("slas")
    assert sla["id"] == "slo-search-slo"
    assert sla["service"] == "search"
    assert [(o["metric"], o["target"], o["window_days"]) for o in sla["objectives"]] == [
        ("sli-search-success", 0.99, 28),
        ("sli-search-success", 0.999, 28),
    ]
    (metric,) = overlay.entries("metrics")
    assert dict(metric) == {
        "id": "sli-search-success",
        "name": "search-success",
        "unit": "fraction",
        "perspective": "internal",
        "direction": "higher_is_better",
    }
    assert overlay.origins[("slas", "slo-search-slo")] == iv.Origin(
        source=str(tmp_path / "slo.yaml"), line=1
    )


@pytest.mark.parametrize(
    ("window", "days", "warned"),
    [
        ("28d", 28, False),
        ("1w", 7, False),
        ("2w", 14, False),
        ("1M", 30, False),
        ("1Q", 90, False),
        ("1Y", 365, False),
        ("48h", 2, False),
        ("1440m", 1, False),
        ("36h", 2, True),
        ("1h", 1, True),
        ("1m", 1, True),
    ],
)
def test_windows_become_whole_days(tmp_path: Path, window: str, days: int, warned: bool) -> None:
    """Windows convert to days; what is not a whole number of days is rounded, and said."""
    overlay = read(tmp_path, slo(window=window))
    assert overlay.entries("slas")[0]["objectives"][0]["window_days"] == days
    rounded = [w for w in overlay.warnings if w.code == "openslo-window"]
    assert bool(rounded) is warned
    if window == "1m":
        assert "a month is M" in rounded[0].hint


def test_a_calendar_window_is_read_as_rolling_and_said(tmp_path: Path) -> None:
    """A calendar window keeps its length; its start and time zone are a warning."""
    text = slo().replace(
        "isRolling: true}",
        "isRolling: false, calendar: {startTime: '2022-01-01 12:00:00', timeZone: UTC}}",
    )
    overlay = read(tmp_path, text)
    assert overlay.entries("slas")[0]["objectives"][0]["window_days"] == 28
    (warning,) = [w for w in overlay.warnings if w.code == "openslo-window"]
    assert "rolling" in warning.message


@pytest.mark.parametrize(
    ("window", "reason"),
    [
        ("0d", "zero"),
        ("28", "duration is 28"),
        ("1 month", "duration is '1 month'"),
        ("1s", "duration is '1s'"),
    ],
)
def test_bad_windows_are_errors(tmp_path: Path, window: str, reason: str) -> None:
    """A duration that is not a number and a unit is refused, on its line."""
    problem = error(tmp_path, slo(window=window))
    assert reason in problem.reason
    assert problem.line == 13


def test_a_window_list_must_hold_one_window(tmp_path: Path) -> None:
    """OpenSLO v1 allows one window per SLO; two, or none, is an error."""
    two = slo().replace(
        "timeWindow: [{duration: 28d, isRolling: true}]",
        "timeWindow: [{duration: 28d}, {duration: 7d}]",
    )
    assert "a list of one window" in error(tmp_path, two).reason
    none = slo().replace("  timeWindow: [{duration: 28d, isRolling: true}]\n", "")
    assert "a list of one window" in error(tmp_path, none).reason


@pytest.mark.parametrize(
    ("objective", "reason", "hint"),
    [
        ("{target: 99.9}", "target is 99.9", "targetPercent: 99.9"),
        ("{target: 0}", "target is 0", ""),
        ("{target: true}", "target must be a number", ""),
        ("{target: '0.99'}", "target must be a number", ""),
        ("{target: .nan}", "finite", ""),
        ("{targetPercent: 120}", "targetPercent is 120", ""),
        ("{target: 0.9, targetPercent: 99}", "disagree", "give one of them"),
        ("{displayName: none}", "needs a target", ""),
        ("{target: 0.9, value: fast, op: lt}", "value must be a number", ""),
        ("{target: 0.9, value: 5, op: eq}", "op is 'eq'", "lt, lte, gt, gte"),
    ],
)
def test_bad_objectives_are_errors(tmp_path: Path, objective: str, reason: str, hint: str) -> None:
    """Targets are fractions (or percents), thresholds numbers with a known operator."""
    problem = error(tmp_path, slo(objectives=f"- {objective}"))
    assert reason in problem.reason
    assert hint in problem.hint
    assert problem.line == 15


def test_target_and_target_percent_may_agree(tmp_path: Path) -> None:
    """Both given and equal is the same objective."""
    overlay = read(tmp_path, slo(objectives="- {target: 0.995, targetPercent: 99.5}"))
    assert overlay.entries("slas")[0]["objectives"][0]["target"] == pytest.approx(0.995)


def test_thresholds_make_metrics_of_their_own(tmp_path: Path) -> None:
    """Each op and value on an indicator is a metric: same indicator, other threshold."""
    overlay = read(
        tmp_path,
        slo(
            objectives="- {op: lt, value: 300, target: 0.9}\n- {op: lte, value: 1.5, target: 0.99}"
        ),
    )
    ids = [o["metric"] for o in overlay.entries("slas")[0]["objectives"]]
    assert ids == ["sli-search-success-lt-300", "sli-search-success-lte-1.5"]
    assert [m["name"] for m in overlay.entries("metrics")] == [
        "search-success < 300",
        "search-success <= 1.5",
    ]


def test_annotations_set_what_openslo_cannot_say(tmp_path: Path) -> None:
    """The consumer, the perspective, the outcome and the measure come from annotations."""
    notes = {
        "itvalue.io/consumer": "shoppers",
        "itvalue.io/outcome": "order-placed",
        "itvalue.io/measures": "availability",
    }
    overlay = read(tmp_path, slo(annotations=notes))
    (sla,) = overlay.entries("slas")
    assert sla["consumer"] == "shoppers"
    (metric,) = overlay.entries("metrics")
    assert (metric["perspective"], metric["outcome"], metric["measures"]) == (
        "external",
        "order-placed",
        "availability",
    )
    assert "openslo-assumed-consumer" not in codes(overlay)
    catalog = write(tmp_path, CATALOG, "catalog.yaml")
    with pytest.warns(iv.SourceWarning):
        portfolio = iv.load(catalog, tmp_path / "slo.yaml")
    found = portfolio.get("sli-search-success")
    assert isinstance(found, iv.Metric)
    assert found.measures is iv.Measure.AVAILABILITY


def test_without_a_consumer_the_owner_is_assumed_and_said(tmp_path: Path) -> None:
    """No consumer annotation: the service's owner, with a warning naming the SLO."""
    overlay = read(tmp_path, slo())
    assert overlay.entries("slas")[0]["consumer"] == "it-ops"
    (warning,) = [w for w in overlay.warnings if w.code == "openslo-assumed-consumer"]
    assert "search-slo" in warning.message
    assert "itvalue.io/consumer" in warning.hint


def test_an_owner_is_needed_when_no_consumer_is_given(tmp_path: Path) -> None:
    """A service with no known owner and no consumer annotation is an error."""
    known = {"services": {"search": {"name": "Product Search"}}}
    assert "names no consumer" in error(tmp_path, slo(), known).reason


@pytest.mark.parametrize(
    ("notes", "reason", "hint"),
    [
        ({"itvalue.io/perspective": "outward"}, "perspective is 'outward'", "internal or external"),
        ({"itvalue.io/measures": "latency"}, "measures is 'latency'", "availability"),
        ({"itvalue.io/consumr": "x"}, "unknown annotation", "itvalue.io/consumer"),
        (
            {"itvalue.io/perspective": "internal", "itvalue.io/outcome": "o"},
            "follows no outcome",
            "",
        ),
        ({"itvalue.io/service": "Web Shop"}, "not an itvalue id", "web-shop"),
    ],
)
def test_bad_annotations_are_errors(
    tmp_path: Path, notes: dict[str, str], reason: str, hint: str
) -> None:
    """An itvalue annotation with a value itvalue cannot use is refused, with a hint."""
    problem = error(tmp_path, slo(annotations=notes))
    assert reason in problem.reason
    assert hint in problem.hint


@pytest.mark.parametrize("named", ["search", "Product Search", "product search", "Product-Search"])
def test_the_service_is_found_by_id_or_name(tmp_path: Path, named: str) -> None:
    """spec.service names the service by id, by name (any case), or by a name's slug."""
    overlay = read(tmp_path, slo(service=f"'{named}'"))
    assert overlay.entries("slas")[0]["service"] == "search"


def test_an_unknown_service_is_an_error_with_close_matches(tmp_path: Path) -> None:
    """An SLO about a service no earlier source holds names it, and what is close."""
    problem = error(tmp_path, slo(service="serch"))
    assert "'serch'" in problem.reason
    assert problem.line == 6
    assert "list the catalog before the SLO files" in problem.hint
    assert "search" in problem.hint
    alone = error(tmp_path, slo(), known=None)
    assert "no source before this file holds" in alone.reason


def test_a_name_several_services_share_is_an_error(tmp_path: Path) -> None:
    """A name that several services carry cannot say which one is meant."""
    known = {
        "services": {
            "a": {"name": "Search", "owner": "x"},
            "b": {"name": "Search", "owner": "x"},
        }
    }
    problem = error(tmp_path, slo(service="Search"), known)
    assert "a, b" in problem.reason


def test_the_service_annotation_needs_no_catalog(tmp_path: Path) -> None:
    """itvalue.io/service names the service by id: the overlay reads alone."""
    notes = {"itvalue.io/service": "checkout", "itvalue.io/consumer": "shoppers"}
    overlay = read(tmp_path, slo(service="Checkout API", annotations=notes), known=None)
    assert overlay.entries("slas")[0]["service"] == "checkout"
    assert isinstance(iv.read(tmp_path / "slo.yaml"), iv.Overlay)


def test_references_resolve_within_the_file_in_any_order(tmp_path: Path) -> None:
    """An indicatorRef may name a kind: SLI that comes later in the same file."""
    text = slo(indicator="indicatorRef: search-ok\n") + textwrap.dedent(
        """\
        ---
        apiVersion: openslo/v1
        kind: SLI
        metadata:
          name: search-ok
          displayName: Searches that succeed
          annotations: {itvalue.io/measures: availability}
        spec:
          description: Share of searches answered
          thresholdMetric: {metricSource: {type: Prometheus, spec: {query: q}}}
        """
    )
    overlay = read(tmp_path, text)
    (metric,) = overlay.entries("metrics")
    assert metric["id"] == "sli-search-ok"
    assert metric["name"] == "Searches that succeed"
    assert metric["description"] == "Share of searches answered"
    assert metric["measures"] == "availability"
    assert overlay.entries("slas")[0]["objectives"][0]["metric"] == "sli-search-ok"


def test_an_unresolved_reference_is_an_error_with_close_matches(tmp_path: Path) -> None:
    """An indicatorRef to an SLI nobody defines says which SLIs there are."""
    text = slo(indicator="indicatorRef: search-okay\n") + (
        "---\napiVersion: openslo/v1\nkind: SLI\nmetadata: {name: search-ok}\n"
        "spec: {ratioMetric: {}}\n"
    )
    problem = error(tmp_path, text)
    assert "'search-okay'" in problem.reason
    assert "'search-ok'" in problem.hint


def test_one_indicator_shared_by_two_slos_is_one_metric(tmp_path: Path) -> None:
    """The same inline indicator in two SLOs makes one metric; differing ones are refused."""
    text = slo(name="a") + "---\n" + slo(name="b")
    overlay = read(tmp_path, text)
    assert [m["id"] for m in overlay.entries("metrics")] == ["sli-search-success"]
    assert [s["id"] for s in overlay.entries("slas")] == ["slo-a", "slo-b"]
    differing = (
        slo(name="a") + "---\n" + slo(name="b", annotations={"itvalue.io/perspective": "external"})
    )
    assert "two indicators named 'search-success' differ" in error(tmp_path, differing).reason


def test_duplicate_names_are_errors(tmp_path: Path) -> None:
    """Two SLOs, or two SLIs, of one name cannot both become entities."""
    assert "two SLOs are named" in error(tmp_path, slo() + "---\n" + slo()).reason
    sli = "apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: x}\nspec: {ratioMetric: {}}\n"
    problem = error(tmp_path, sli + "---\n" + sli)
    assert "two SLIs are named 'x'" in problem.reason
    assert problem.line == 8


def test_unmapped_kinds_are_warnings_grouped_by_kind(tmp_path: Path) -> None:
    """Alerting and data-source objects are listed, one warning per kind."""
    text = textwrap.dedent(
        """\
        - {apiVersion: openslo/v1, kind: AlertPolicy, metadata: {name: p1}, spec: {}}
        - {apiVersion: openslo/v1, kind: AlertPolicy, metadata: {name: p2}, spec: {}}
        - {apiVersion: openslo/v1, kind: DataSource, metadata: {name: prom}, spec: {}}
        - {apiVersion: openslo/v1, kind: Gadget, metadata: {name: g}, spec: {}}
        """
    )
    overlay = read(tmp_path, text)
    assert overlay.sections == {}
    messages = [(w.code, w.line, w.message) for w in overlay.warnings]
    assert messages == [
        (
            "openslo-unmapped-kind",
            1,
            "kind AlertPolicy not mapped (p1, p2): itvalue has no alerting",
        ),
        (
            "openslo-unmapped-kind",
            3,
            "kind DataSource not mapped (prom): itvalue records targets, not where "
            "measurements come from",
        ),
        (
            "openslo-unmapped-kind",
            4,
            "kind Gadget not mapped (g): not an OpenSLO v1 kind this importer knows",
        ),
    ]


def test_fields_without_meaning_are_warnings_not_silence(tmp_path: Path) -> None:
    """budgetingMethod, time slices, labels and unknown fields are each listed once."""
    text = slo(
        objectives="- {displayName: Good, target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: 1m}",
        extra="budgetingMethod: Timeslices\nalertPolicies: [page-me]\nflavour: mint\n",
    ).replace(
        "metadata:\n  name: search-slo\n", "metadata:\n  name: search-slo\n  labels: {team: [a]}\n"
    )
    overlay = read(tmp_path, text)
    found = {
        w.message.split(" (")[0] for w in overlay.warnings if w.code == "openslo-unmapped-field"
    }
    assert found == {
        "metadata.labels not mapped",
        "budgetingMethod not mapped",
        "alertPolicies not mapped",
        "SLO spec.flavour not mapped",
        "objectives[].displayName not mapped",
        "objectives[].timeSliceTarget not mapped",
        "objectives[].timeSliceWindow not mapped",
        "indicator queries not mapped",
    }
    budget = next(w for w in overlay.warnings if w.message.startswith("budgetingMethod"))
    assert "search-slo: Timeslices" in budget.message


# --- what is refused ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("apiVersion: openslo/v1alpha\nkind: SLO\n", "is not read", 1),
        ("kind: SLO\nmetadata: {name: x}\n", "needs an apiVersion", 1),
        ("apiVersion: openslo/v1\nmetadata: {name: x}\n", "needs a kind", 1),
        ("apiVersion: openslo/v1\nkind: SLO\nspec: {}\n", "needs metadata", 1),
        ("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: ''}\n", "metadata.name", 3),
        ("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: '***'}\n", "no letter", 3),
        ("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\n", "needs a spec", 1),
        ("just text\n", "expected an OpenSLO object", 1),
        ("- 1\n- 2\n", "expected an OpenSLO object (a mapping)", 1),
        ("a: !!python/object:os.system {}\n", "is not allowed", 1),
        ("a: [1, 2\n", "not valid YAML", 2),
    ],
)
def test_malformed_files_are_document_errors(
    tmp_path: Path, text: str, reason: str, line: int
) -> None:
    """What is not OpenSLO v1 is refused with the file and line, never a traceback."""
    problem = error(tmp_path, text)
    assert reason in problem.reason
    assert problem.line == line
    assert problem.source == str(tmp_path / "slo.yaml")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("  objectives:\n    - {target: 0.99}\n", "  objectives: []\n"), "at least one objective"),
        (("  service: search\n", ""), "needs spec.service"),
        (("  indicator:\n", "  indicatorRef: x\n  indicator:\n"), "both indicator and"),
        (("ratioMetric:", "rateMetric:"), "exactly one of ratioMetric"),
        (("metadata: {name: search-success}", "metadata: {}"), "indicator of the SLO"),
        (
            ("metadata:\n  name: search-slo\n", "metadata:\n  name: s\n  annotations: [1]\n"),
            "annotations",
        ),
    ],
)
def test_incomplete_slos_are_errors(tmp_path: Path, change: tuple[str, str], reason: str) -> None:
    """An SLO missing what the mapping needs is refused, saying what is missing."""
    text = slo()
    assert change[0] in text
    problem = error(tmp_path, text.replace(change[0], change[1]))
    assert reason in problem.reason


def test_hostile_yaml_is_refused(tmp_path: Path) -> None:
    """Alias bombs and bytes that are not UTF-8 are refused before anything is built."""
    bomb = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 7):
        bomb.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    assert "aliases expand" in error(tmp_path, "\n".join(bomb) + "\n").reason
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: caf\xe9}\n")
    with pytest.raises(iv.DocumentError) as excinfo:
        openslo.read(path, known=KNOWN)
    assert "not UTF-8" in excinfo.value.reason
    assert excinfo.value.line == 3
    with pytest.raises(iv.DocumentError, match="cannot read the file"):
        openslo.read(tmp_path / "missing.yaml")


def test_json_files_are_read_too(tmp_path: Path) -> None:
    """An OpenSLO object written as JSON, tab-indented, reads like its YAML."""
    text = (
        '{\n\t"apiVersion": "openslo/v1",\n\t"kind": "SLO",\n\t"metadata": {"name": "s"},\n'
        '\t"spec": {"service": "search", "indicator": {"metadata": {"name": "i"},\n'
        '\t\t"spec": {"ratioMetric": {}}},\n'
        '\t\t"timeWindow": [{"duration": "1w"}], "objectives": [{"targetPercent": 95}]}\n}\n'
    )
    path = write(tmp_path, text, "slo.json")
    assert recognise(path) == "openslo"
    overlay = openslo.read(path, known=KNOWN)
    assert overlay.entries("slas")[0]["objectives"] == (
        {"metric": "sli-i", "target": 0.95, "window_days": 7},
    )


_KEYS = st.sampled_from(
    [
        "apiVersion",
        "kind",
        "metadata",
        "name",
        "annotations",
        "spec",
        "service",
        "indicator",
        "indicatorRef",
        "timeWindow",
        "duration",
        "objectives",
        "target",
        "targetPercent",
        "op",
        "value",
        "ratioMetric",
        "itvalue.io/consumer",
        "itvalue.io/measures",
    ]
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(),
    st.sampled_from(["openslo/v1", "SLO", "SLI", "search", "28d", "1m", "lt", "availability"]),
    st.text(max_size=5),
)
_TREES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=6)),
    max_leaves=30,
)


@given(tree=st.dictionaries(_KEYS, _TREES, max_size=6))
def test_any_tree_imports_or_is_a_document_error(tree: dict[str, Any]) -> None:
    """Whatever an SLO object holds, the result is an overlay or a DocumentError."""
    document = {
        "apiVersion": "openslo/v1",
        "kind": "SLO",
        "metadata": {"name": "s"},
        "spec": {"service": "search"},
        **tree,
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "slo.json"
        path.write_text(json.dumps(document), "utf-8")
        for known in (KNOWN, None):
            result: iv.Overlay | iv.DocumentError
            try:
                result = openslo.read(path, known=known)
            except iv.DocumentError as problem:
                result = problem
            if isinstance(result, iv.DocumentError):
                assert result.source == str(path)
            else:
                assert isinstance(result, iv.Overlay)


def test_an_empty_file_is_an_empty_overlay(tmp_path: Path) -> None:
    """A file with no objects adds nothing and says nothing."""
    overlay = read(tmp_path, "# nothing yet\n")
    assert (overlay.sections, overlay.warnings) == ({}, ())


# --- composition and round trips ------------------------------------------------------


def test_the_example_composes_with_the_cmdb_sample() -> None:
    """The checkout SLO lands on the CMDB's Checkout, promised to online shoppers."""
    sources = [
        ROOT / "examples/cmdb/services.csv",
        ROOT / "examples/cmdb/relationships.csv",
        ROOT / "examples/cmdb/business.yaml",
        ROOT / "examples/openslo/checkout-slo.yaml",
    ]
    with pytest.warns(iv.SourceWarning, match="indicator queries"):
        portfolio = iv.load(*sources)
    sla = portfolio.get("slo-checkout-availability")
    assert isinstance(sla, iv.SLA)
    assert (sla.service, sla.consumer) == ("checkout", "online-shoppers")
    from itvalue.report import build_report, render_markdown

    assert "| Checkout availability | Checkout works 99.9% of the time over 28 days |" in (
        render_markdown(build_report(portfolio))
    )


def test_an_overlay_round_trips_through_dump_and_read(tmp_path: Path) -> None:
    """The imported overlay, dumped and read back, is the same overlay."""
    overlay = read(
        tmp_path,
        slo(
            annotations={"itvalue.io/consumer": "shoppers", "itvalue.io/measures": "availability"},
            objectives="- {target: 0.99}\n- {op: lt, value: 200, target: 0.9}",
        ),
    )
    dumped = tmp_path / "overlay.yaml"
    iv.dump(overlay, dumped)
    again = iv.read(dumped)
    assert isinstance(again, iv.Overlay)
    assert again.sections == overlay.sections
    catalog = write(tmp_path, CATALOG, "catalog.yaml")
    portfolio = iv.load(catalog, dumped)
    assert iv.loads(iv.dumps(portfolio)) == portfolio
    with pytest.warns(iv.SourceWarning):
        assert iv.load(catalog, tmp_path / "slo.yaml") == portfolio


def test_reimporting_over_an_earlier_import_changes_targets_in_place(tmp_path: Path) -> None:
    """Ids are stable: the same SLO read again over its earlier import replaces targets."""
    catalog = write(tmp_path, CATALOG, "catalog.yaml")
    first = write(tmp_path, slo(annotations={"itvalue.io/consumer": "shoppers"}), "first.yaml")
    with pytest.warns(iv.SourceWarning):
        before = iv.load(catalog, first)
    earlier = tmp_path / "earlier.yaml"
    iv.dump(before, earlier)
    second = write(
        tmp_path,
        slo(annotations={"itvalue.io/consumer": "shoppers"}, objectives="- {target: 0.995}"),
        "second.yaml",
    )
    with pytest.warns(iv.SourceWarning):
        after = iv.load(earlier, second)
    sla = after.get("slo-search-slo")
    assert isinstance(sla, iv.SLA)
    assert [o.target for o in sla.objectives] == [0.995]
