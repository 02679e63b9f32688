"""OpenSLO v1 service level objectives, read as itvalue agreements on catalog services.

An OpenSLO file promises a level of service; the catalog that says which service, and who
owns it, comes from the sources composed before it. So :func:`read` resolves each SLO's
``spec.service`` against ``known`` (what :func:`itvalue.load` composed so far) and refuses
an SLO about a service no earlier source holds.

The mapping, object by object (``docs/how-to/import-openslo.md`` has the whole table):

* ``kind: SLO`` → an SLA, id ``slo-<name>``, on the service ``spec.service`` names (its
  id, else its name); its consumer from the annotation ``itvalue.io/consumer``, else the
  service's owner (warned);
* each of its ``objectives`` → an objective: ``target`` (or ``targetPercent`` / 100) over
  the SLO's window in whole days;
* ``timeWindow`` → ``Nd`` N days, ``Nw`` 7N, ``NM`` 30N, ``NQ`` 90N, ``NY`` 365N; hours and
  minutes rounded to whole days, at least 1 (warned); calendar windows read as rolling
  windows of the same length (warned);
* the indicator (inline, ``kind: SLI`` or ``indicatorRef``) → a metric, id
  ``sli-<name>``, unit ``fraction``, higher is better, internal unless annotated; an
  objective's ``op`` and ``value`` make a metric of its own, ``sli-<name>-<op>-<value>``.

Annotations (``metadata.annotations``) add what OpenSLO has no field for:
``itvalue.io/consumer`` (SLO: a stakeholder or segment id), ``itvalue.io/service`` (SLO:
the itvalue service id, when its name differs), ``itvalue.io/perspective``,
``itvalue.io/outcome`` and ``itvalue.io/measures`` (SLI, or an SLO for its inline
indicator). Everything else — ``budgetingMethod``, time slices, alerting kinds, labels,
the queries behind an indicator — is listed as a :class:`~itvalue.SourceWarning`, one per
kind of thing left out.

Complexity: linear in the size of the file.
"""

from __future__ import annotations

import decimal
import difflib
import math
import os
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from itvalue.errors import DocumentError
from itvalue.io._overlay import Origin, Overlay, SourceWarning
from itvalue.io._parse import Locator, decode, parse_documents, read_file

__all__ = ["ANNOTATIONS", "API_VERSION", "read"]

#: The OpenSLO version this importer reads.
API_VERSION = "openslo/v1"

#: The annotations this importer reads, with what each means.
ANNOTATIONS: Mapping[str, str] = {
    "itvalue.io/consumer": "SLO: the stakeholder or segment the agreement is with",
    "itvalue.io/service": "SLO: the itvalue id of the service, when its name differs",
    "itvalue.io/perspective": "SLI: internal (the default) or external",
    "itvalue.io/outcome": "SLI: the outcome an external metric follows",
    "itvalue.io/measures": "SLI: availability, when the fraction is of time working",
}

_KINDS = ("SLO", "SLI", "Service", "DataSource", "AlertPolicy", "AlertCondition")
_UNMAPPED_KINDS = {
    "Service": "itvalue services come from the catalog composed before the SLO files",
    "DataSource": "itvalue records targets, not where measurements come from",
    "AlertPolicy": "itvalue has no alerting",
    "AlertCondition": "itvalue has no alerting",
    "AlertNotificationTarget": "itvalue has no alerting",
    "BudgetAdjustment": "itvalue has no error budgets",
}
_UNIT_DAYS = {"d": 1.0, "w": 7.0, "M": 30.0, "Q": 90.0, "Y": 365.0, "h": 1 / 24, "m": 1 / 1440}
_DURATION = re.compile(r"\s*([0-9]{1,7})\s*([mhdwMQY])\s*")
_OPS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_SLUG = re.compile(r"[^a-z0-9._-]+")
_SLO_SPEC = {
    "description",
    "service",
    "indicator",
    "indicatorRef",
    "timeWindow",
    "objectives",
}
_SLO_IGNORED = {
    "budgetingMethod": "itvalue objectives have no error-budget method",
    "alertPolicies": "itvalue has no alerting",
}
_OBJECTIVE_FIELDS = {"target", "targetPercent", "op", "value"}
_OBJECTIVE_IGNORED = {
    "displayName": "itvalue objectives have no name of their own",
    "timeSliceTarget": "itvalue targets are not counted in time slices",
    "timeSliceWindow": "itvalue targets are not counted in time slices",
    "compositeWeight": "itvalue has no composite SLOs",
}
_METADATA = {"name", "displayName", "annotations"}


def _slug(text: str) -> str:
    """A valid id made of ``text``: lower case, ASCII, other characters as ``-``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG.sub("-", folded.lower()).strip("-._")


class _Warnings:
    """Warnings grouped by what was left out, so a big file gives a short list."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.groups: dict[tuple[str, str], tuple[str, str, list[str], int | None]] = {}

    def add(
        self,
        code: str,
        what: str,
        why: str,
        subject: str,
        line: int | None,
        hint: str = "",
        verb: str = "not mapped",
    ) -> None:
        group = self.groups.setdefault((code, f"{what} {verb}"), (why, hint, [], line))
        if subject not in group[2]:
            group[2].append(subject)

    def collected(self) -> tuple[SourceWarning, ...]:
        out = []
        for (code, what), (why, hint, subjects, line) in self.groups.items():
            shown = ", ".join(subjects[:3])
            if len(subjects) > 3:
                shown += f" and {len(subjects) - 3} more"
            message = f"{what} ({shown}): {why}" if shown else f"{what}: {why}"
            out.append(SourceWarning(message, code=code, source=self.source, line=line, hint=hint))
        return tuple(out)


class _Object:
    """One OpenSLO object of the file, with the lines of its parts."""

    def __init__(self, tree: Mapping[str, Any], locate: Locator, prefix: tuple[int, ...]) -> None:
        self.tree = tree
        self.locate = locate
        self.prefix = prefix

    def line(self, *path: str | int) -> int | None:
        return self.locate(self.prefix + path)[0]

    @property
    def kind(self) -> str:
        kind = self.tree.get("kind")
        return kind if isinstance(kind, str) else ""

    @property
    def metadata(self) -> Mapping[str, Any]:
        metadata = self.tree.get("metadata")
        return metadata if isinstance(metadata, Mapping) else {}

    @property
    def name(self) -> str:
        name = self.metadata.get("name")
        return name if isinstance(name, str) else ""

    @property
    def spec(self) -> Mapping[str, Any]:
        spec = self.tree.get("spec")
        return spec if isinstance(spec, Mapping) else {}


class _Indicator:
    """An SLI, inline or by reference: what its metrics are made of."""

    def __init__(
        self,
        *,
        name: str,
        title: str,
        description: str,
        annotations: Mapping[str, str],
        line: int | None,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.title = title
        self.description = description
        self.annotations = annotations
        self.line = line
        # For an SLI an earlier source holds as a metric: its fields, reused as they are.
        self.fields = fields


def _text(path: str | os.PathLike[str]) -> str:
    name = os.fspath(path)
    return decode(read_file(path, name), source=name)


def read(
    path: str | os.PathLike[str],
    *,
    known: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
) -> Overlay:
    """The overlay of SLAs and metrics an OpenSLO v1 file makes.

    The file may hold several YAML documents, each an OpenSLO object or a list of them.
    Each ``kind: SLO`` becomes an SLA on the service ``known`` holds under the id (or the
    name) its ``spec.service`` gives; each indicator (inline, ``kind: SLI``, or named by
    ``indicatorRef``) a metric. What has no itvalue meaning is listed on the overlay's
    ``warnings``. The module docstring has the whole mapping.

    Args:
        path: The OpenSLO file (YAML or JSON).
        known: What the sources composed before this one hold: section → id → fields.

    Raises:
        DocumentError: The file cannot be read, is not OpenSLO v1, or an SLO names a
            service (or an indicator) that neither the file nor the sources before it
            hold; the error gives the file and line.

    Examples:
        >>> import itvalue
        >>> from itvalue.importers import openslo
        >>> known = {"services": {"checkout": {"name": "Checkout", "owner": "it-ops"}}}
        >>> overlay = openslo.read("examples/openslo/checkout-slo.yaml", known=known)
        >>> [(o["metric"], o["target"], o["window_days"])
        ...  for o in overlay.entries("slas")[0]["objectives"]]
        [('sli-checkout-availability', 0.999, 28)]
    """
    source = os.fspath(path)
    text = _text(path)
    objects: list[_Object] = []
    # JSON is YAML too, except where it indents with tabs: read it as what it says it is.
    syntax = "json" if source.lower().endswith(".json") else "yaml"
    for tree, locate in parse_documents(text, syntax, source=source):
        if isinstance(tree, Mapping):
            objects.append(_Object(tree, locate, ()))
        elif isinstance(tree, list):
            for index, item in enumerate(tree):
                if not isinstance(item, Mapping):
                    raise DocumentError(
                        "expected an OpenSLO object (a mapping) in the list",
                        source=source,
                        line=locate((index,))[0],
                    )
                objects.append(_Object(item, locate, (index,)))
        else:
            raise DocumentError(
                "expected an OpenSLO object, or a list of them",
                source=source,
                line=locate(())[0],
            )
    return _Reader(source, known or {}).run(objects)


class _Reader:
    def __init__(self, source: str, known: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
        self.source = source
        self.known = known
        self.warnings = _Warnings(source)
        self.metrics: dict[str, dict[str, Any]] = {}
        self.slas: dict[str, dict[str, Any]] = {}
        self.origins: dict[tuple[str, str], Origin] = {}
        self.slis: dict[str, tuple[_Object, _Indicator]] = {}

    def fail(self, reason: str, line: int | None, hint: str = "") -> DocumentError:
        return DocumentError(reason, source=self.source, line=line, hint=hint)

    def run(self, objects: list[_Object]) -> Overlay:
        for thing in objects:
            self.envelope(thing)
        for thing in objects:
            if thing.kind == "SLI":
                self.sli(thing)
        for thing in objects:
            kind = thing.kind
            if kind == "SLO":
                self.slo(thing)
            elif kind != "SLI":
                why = _UNMAPPED_KINDS.get(kind, "not an OpenSLO v1 kind this importer knows")
                self.warnings.add(
                    "openslo-unmapped-kind",
                    f"kind {kind}",
                    why,
                    thing.name or "unnamed",
                    thing.line("kind"),
                )
        for indicator in [found for _thing, found in self.slis.values()]:
            self.metric(indicator, None)
        sections: dict[str, list[dict[str, Any]]] = {}
        if self.metrics:
            sections["metrics"] = list(self.metrics.values())
        if self.slas:
            sections["slas"] = list(self.slas.values())
        return Overlay(
            sections=sections,
            warnings=self.warnings.collected(),
            origins=self.origins,
            source=self.source,
        )

    # --- the envelope ----------------------------------------------------------------

    def envelope(self, thing: _Object) -> None:
        version = thing.tree.get("apiVersion")
        if not isinstance(version, str):
            raise self.fail(
                "an OpenSLO object needs an apiVersion",
                thing.line(),
                hint=f"add apiVersion: {API_VERSION}",
            )
        if version != API_VERSION:
            raise self.fail(
                f"apiVersion {version!r} is not read; this importer reads {API_VERSION}",
                thing.line("apiVersion"),
                hint="v1alpha documents are early drafts of the format; rewrite the "
                "object as openslo/v1",
            )
        if not isinstance(thing.tree.get("kind"), str):
            raise self.fail(
                "an OpenSLO object needs a kind",
                thing.line(),
                hint="one of: " + ", ".join(_KINDS),
            )
        if thing.kind in ("SLO", "SLI"):
            self.check_metadata(thing, thing.tree.get("metadata"), ("metadata",))

    def check_metadata(
        self, thing: _Object, metadata: Any, at: tuple[str | int, ...], noun: str = ""
    ) -> None:
        noun = noun or f"the {thing.kind}"
        if not isinstance(metadata, Mapping):
            raise self.fail(
                f"{noun} needs metadata with a name",
                thing.line(*at) if metadata is not None else thing.line(*at[:-1]),
            )
        name = metadata.get("name")
        if not isinstance(name, str) or not name.strip():
            raise self.fail(
                f"{noun} needs a metadata.name",
                thing.line(*at, "name") if "name" in metadata else thing.line(*at),
            )
        if not _slug(name):
            raise self.fail(
                f"{noun}'s name {name!r} has no letter or digit to make an id of",
                thing.line(*at, "name"),
            )
        for key in ("displayName",):
            if key in metadata and not isinstance(metadata[key], str):
                raise self.fail(f"{key} must be text", thing.line(*at, key))
        for key in metadata:
            if key not in _METADATA:
                self.warnings.add(
                    "openslo-unmapped-field",
                    f"metadata.{key}",
                    "itvalue entities carry no labels or other metadata",
                    name,
                    thing.line(*at, key),
                )
        annotations = metadata.get("annotations")
        if annotations is not None:
            if not isinstance(annotations, Mapping) or not all(
                isinstance(v, str) for v in annotations.values()
            ):
                raise self.fail(
                    "annotations must map names to text",
                    thing.line(*at, "annotations"),
                    hint='quote values: itvalue.io/measures: "availability"',
                )
            for key in annotations:
                if key.startswith("itvalue.io/") and key not in ANNOTATIONS:
                    close = difflib.get_close_matches(key, list(ANNOTATIONS), n=1)
                    raise self.fail(
                        f"unknown annotation {key!r}",
                        thing.line(*at, "annotations", key),
                        hint=f"did you mean {close[0]!r}?"
                        if close
                        else "itvalue reads: " + ", ".join(ANNOTATIONS),
                    )
                if not key.startswith("itvalue.io/"):
                    self.warnings.add(
                        "openslo-unmapped-field",
                        f"annotation {key}",
                        "only itvalue.io/ annotations mean something to itvalue",
                        name,
                        thing.line(*at, "annotations", key),
                    )

    # --- indicators ------------------------------------------------------------------

    def indicator_of(
        self, thing: _Object, metadata: Mapping[str, Any], spec: Any, at: tuple[str | int, ...]
    ) -> _Indicator:
        """An indicator from its metadata and spec (a kind: SLI, or an SLO's inline one)."""
        name = metadata["name"]
        if not isinstance(spec, Mapping):
            raise self.fail(f"the SLI {name!r} needs a spec", thing.line(*at))
        kinds = [key for key in ("ratioMetric", "thresholdMetric") if key in spec]
        if len(kinds) != 1:
            raise self.fail(
                f"the SLI {name!r} needs exactly one of ratioMetric and thresholdMetric",
                thing.line(*at, "spec"),
            )
        description = spec.get("description", "")
        if not isinstance(description, str):
            raise self.fail("description must be text", thing.line(*at, "spec", "description"))
        for key in spec:
            if key in kinds:
                self.warnings.add(
                    "openslo-unmapped-field",
                    "indicator queries",
                    "itvalue records targets, not how they are measured "
                    "(metric sources and queries)",
                    name,
                    thing.line(*at, "spec", key),
                )
            elif key != "description":
                self.warnings.add(
                    "openslo-unmapped-field",
                    f"SLI spec.{key}",
                    "itvalue metrics have no such field",
                    name,
                    thing.line(*at, "spec", key),
                )
        title = metadata.get("displayName") or name
        annotations = metadata.get("annotations") or {}
        return _Indicator(
            name=name,
            title=title,
            description=description,
            annotations=annotations,
            line=thing.line(*at),
        )

    def sli(self, thing: _Object) -> None:
        indicator = self.indicator_of(thing, thing.metadata, thing.tree.get("spec"), ())
        if indicator.name in self.slis:
            raise self.fail(
                f"two SLIs are named {indicator.name!r}",
                thing.line("metadata", "name"),
                hint=f"the other is at line {self.slis[indicator.name][1].line}",
            )
        self.slis[indicator.name] = (thing, indicator)

    def referenced(self, thing: _Object, ref: Any) -> _Indicator:
        line = thing.line("spec", "indicatorRef")
        if not isinstance(ref, str) or not ref:
            raise self.fail("indicatorRef must name an SLI", line)
        if ref in self.slis:
            return self.slis[ref][1]
        metrics = self.known.get("metrics", {})
        for ident in (f"sli-{_slug(ref)}", ref, _slug(ref)):
            fields = metrics.get(ident)
            if fields is not None:
                return _Indicator(
                    name=ref,
                    title=str(fields.get("name", ref)),
                    description=str(fields.get("description", "")),
                    annotations={},
                    line=line,
                    fields={**fields, "id": ident},
                )
        close = difflib.get_close_matches(ref, list(self.slis), n=3)
        raise self.fail(
            f"the SLO {thing.name!r} refers to the SLI {ref!r}, which neither this file nor "
            "the sources before it define",
            line,
            hint=f"did you mean {', '.join(map(repr, close))}?"
            if close
            else "list the file that defines the SLI (kind: SLI) before this one, or give "
            "the indicator inline",
        )

    def metric(self, indicator: _Indicator, threshold: tuple[str, Any] | None) -> str:
        """The id of the metric an indicator (with an objective's threshold) makes."""
        if indicator.fields is not None:
            base = dict(indicator.fields)
        else:
            base = self.metric_fields(indicator)
        ident = base["id"]
        if threshold is not None:
            op, value = threshold
            ident = f"{ident}-{op}-{_slug(str(value))}"
            base["id"] = ident
            base["name"] = f"{base['name']} {_OPS[op]} {value}"
        elif indicator.fields is not None:
            return str(ident)  # already in an earlier source
        seen = self.metrics.get(ident)
        if seen is not None and seen != base:
            raise self.fail(
                f"two indicators named {indicator.name!r} differ",
                indicator.line,
                hint="give each indicator its own name, or define it once as a kind: SLI "
                "and refer to it with indicatorRef",
            )
        if seen is None:
            self.metrics[ident] = base
            self.origins[("metrics", ident)] = Origin(source=self.source, line=indicator.line)
        return str(ident)

    def metric_fields(self, indicator: _Indicator) -> dict[str, Any]:
        notes = indicator.annotations
        fields: dict[str, Any] = {
            "id": f"sli-{_slug(indicator.name)}",
            "name": indicator.title,
        }
        if indicator.description:
            fields["description"] = indicator.description
        perspective = notes.get("itvalue.io/perspective")
        outcome = notes.get("itvalue.io/outcome")
        if perspective is not None and perspective not in ("internal", "external"):
            raise self.fail(
                f"itvalue.io/perspective is {perspective!r}",
                indicator.line,
                hint="write internal or external",
            )
        if outcome is not None and perspective == "internal":
            raise self.fail(
                "an internal metric follows no outcome",
                indicator.line,
                hint="drop itvalue.io/outcome, or make the perspective external",
            )
        fields.update(
            unit="fraction",
            perspective="external" if outcome is not None else perspective or "internal",
            direction="higher_is_better",
        )
        if outcome is not None:
            fields["outcome"] = outcome
        measures = notes.get("itvalue.io/measures")
        if measures is not None:
            if measures != "availability":
                raise self.fail(
                    f"itvalue.io/measures is {measures!r}",
                    indicator.line,
                    hint="the one measure itvalue checks is availability",
                )
            fields["measures"] = measures
        return fields

    # --- SLOs ------------------------------------------------------------------------

    def slo(self, thing: _Object) -> None:
        name = thing.name
        spec = thing.tree.get("spec")
        if not isinstance(spec, Mapping):
            raise self.fail(f"the SLO {name!r} needs a spec", thing.line())
        ident = f"slo-{_slug(name)}"
        if ident in self.slas:
            raise self.fail(f"two SLOs are named {name!r}", thing.line("metadata", "name"))
        for key, value in spec.items():
            if key in _SLO_IGNORED:
                if value not in (None, [], ""):
                    self.warnings.add(
                        "openslo-unmapped-field",
                        key,
                        _SLO_IGNORED[key],
                        f"{name}: {value}" if isinstance(value, str) else name,
                        thing.line("spec", key),
                    )
            elif key not in _SLO_SPEC:
                self.warnings.add(
                    "openslo-unmapped-field",
                    f"SLO spec.{key}",
                    "itvalue agreements have no such field",
                    name,
                    thing.line("spec", key),
                )
        notes: Mapping[str, str] = thing.metadata.get("annotations") or {}
        service = self.service(thing, spec.get("service"), notes)
        indicator = self.indicator(thing, spec)
        window = self.window(thing, spec.get("timeWindow"))
        objectives = spec.get("objectives")
        if not isinstance(objectives, list) or not objectives:
            raise self.fail(
                f"the SLO {name!r} needs at least one objective",
                thing.line("spec", "objectives") if "objectives" in spec else thing.line("spec"),
            )
        out = []
        for index, objective in enumerate(objectives):
            at = ("spec", "objectives", index)
            if not isinstance(objective, Mapping):
                raise self.fail("an objective must be a mapping", thing.line(*at))
            target = self.target(thing, objective, at)
            threshold = self.threshold(thing, objective, at)
            for key in objective:
                if key in _OBJECTIVE_IGNORED:
                    self.warnings.add(
                        "openslo-unmapped-field",
                        f"objectives[].{key}",
                        _OBJECTIVE_IGNORED[key],
                        name,
                        thing.line(*at, key),
                    )
                elif key not in _OBJECTIVE_FIELDS:
                    self.warnings.add(
                        "openslo-unmapped-field",
                        f"objectives[].{key}",
                        "itvalue objectives have no such field",
                        name,
                        thing.line(*at, key),
                    )
            metric = self.metric(indicator, threshold)
            out.append({"metric": metric, "target": target, "window_days": window})
        sla: dict[str, Any] = {"id": ident, "name": thing.metadata.get("displayName") or name}
        description = spec.get("description")
        if isinstance(description, str) and description:
            sla["description"] = description
        sla.update(service=service, consumer=self.consumer(thing, service, notes), objectives=out)
        self.slas[ident] = sla
        self.origins[("slas", ident)] = Origin(source=self.source, line=thing.line())

    def indicator(self, thing: _Object, spec: Mapping[str, Any]) -> _Indicator:
        inline, ref = spec.get("indicator"), spec.get("indicatorRef")
        if inline is not None and ref is not None:
            raise self.fail(
                f"the SLO {thing.name!r} gives both indicator and indicatorRef",
                thing.line("spec", "indicatorRef"),
                hint="keep one of them",
            )
        if ref is not None:
            return self.referenced(thing, ref)
        if not isinstance(inline, Mapping):
            raise self.fail(
                f"the SLO {thing.name!r} needs an indicator (inline) or an indicatorRef",
                thing.line("spec"),
            )
        at = ("spec", "indicator", "metadata")
        self.check_metadata(
            thing, inline.get("metadata"), at, noun=f"the indicator of the SLO {thing.name!r}"
        )
        metadata = inline["metadata"]
        # The SLO's own itvalue annotations describe its inline indicator too.
        outer = thing.metadata.get("annotations") or {}
        merged = {k: v for k, v in outer.items() if k in ANNOTATIONS}
        merged.update(metadata.get("annotations") or {})
        indicator = self.indicator_of(
            thing, {**metadata, "annotations": merged}, inline.get("spec"), ("spec", "indicator")
        )
        known = self.slis.get(indicator.name)
        if known is not None:
            return known[1]
        return indicator

    def service(self, thing: _Object, named: Any, notes: Mapping[str, str]) -> str:
        line = thing.line("spec", "service")
        services = self.known.get("services", {})
        given = notes.get("itvalue.io/service")
        if given is not None:
            if _slug(given) != given:
                raise self.fail(
                    f"itvalue.io/service {given!r} is not an itvalue id",
                    thing.line("metadata", "annotations", "itvalue.io/service"),
                    hint=f"ids are lower case, like {_slug(given)!r}",
                )
            if not services or given in services:
                return given
            named = given
        if not isinstance(named, str) or not named:
            raise self.fail(f"the SLO {thing.name!r} needs spec.service", line)
        if named in services:
            return named
        by_name = [i for i, f in services.items() if f.get("name") == named]
        if not by_name:
            by_name = [
                i
                for i, f in services.items()
                if isinstance(f.get("name"), str) and f["name"].casefold() == named.casefold()
            ]
        if not by_name and _slug(named) in services:
            return _slug(named)
        if not by_name:
            # OpenSLO names are DNS labels: "product-search" for "Product Search".
            by_name = [
                i
                for i, f in services.items()
                if isinstance(f.get("name"), str) and _slug(f["name"]) == _slug(named)
            ]
        if len(by_name) == 1:
            return by_name[0]
        if len(by_name) > 1:
            raise self.fail(
                f"the SLO {thing.name!r} names the service {named!r}, and several services "
                f"have that name: {', '.join(sorted(by_name))}",
                line,
                hint="name the service by its id, or annotate itvalue.io/service",
            )
        # Close ids or names, each shown as the id to write.
        candidates = {ident: ident for ident in services}
        candidates.update((str(f["name"]), i) for i, f in services.items() if f.get("name"))
        close = difflib.get_close_matches(named, list(candidates), n=3)
        hint = (
            "list the catalog before the SLO files: itvalue report catalog.yaml slo.yaml "
            "(in Python, itvalue.load('catalog.yaml', 'slo.yaml'))"
        )
        if close:
            hint += "; close matches: " + ", ".join(dict.fromkeys(candidates[c] for c in close))
        raise self.fail(
            f"the SLO {thing.name!r} is about the service {named!r}, which no source before "
            "this file holds",
            line,
            hint=hint,
        )

    def consumer(self, thing: _Object, service: str, notes: Mapping[str, str]) -> str:
        given = notes.get("itvalue.io/consumer")
        if given is not None:
            return given
        owner = self.known.get("services", {}).get(service, {}).get("owner")
        if not isinstance(owner, str):
            raise self.fail(
                f"the SLO {thing.name!r} names no consumer, and its service {service!r} "
                "has no owner in the sources before it",
                thing.line("metadata"),
                hint="annotate the SLO with itvalue.io/consumer: <stakeholder or segment id>",
            )
        self.warnings.add(
            "openslo-assumed-consumer",
            "consumer",
            "OpenSLO does not say who a promise is made to; the service's owner is "
            "taken as its consumer",
            thing.name,
            thing.line("metadata"),
            hint="annotate the SLO with itvalue.io/consumer: <stakeholder or segment id>",
            verb="assumed",
        )
        return owner

    def window(self, thing: _Object, windows: Any) -> int:
        line = thing.line("spec", "timeWindow")
        if (
            not isinstance(windows, list)
            or len(windows) != 1
            or not isinstance(windows[0], Mapping)
        ):
            raise self.fail(
                f"the SLO {thing.name!r} needs a timeWindow: a list of one window",
                line if windows is not None else thing.line("spec"),
                hint="timeWindow: [{duration: 28d, isRolling: true}]",
            )
        window = windows[0]
        at = ("spec", "timeWindow", 0)
        duration = window.get("duration")
        found = _DURATION.fullmatch(duration) if isinstance(duration, str) else None
        if found is None:
            raise self.fail(
                f"the window's duration is {duration!r}",
                thing.line(*at, "duration") if "duration" in window else thing.line(*at),
                hint="a whole number and a unit: m, h, d, w, M, Q or Y (28d, 1w, 1M)",
            )
        count, unit = int(found.group(1)), found.group(2)
        if count == 0:
            raise self.fail("the window's duration is zero", thing.line(*at, "duration"))
        days = count * _UNIT_DAYS[unit]
        whole = max(1, math.floor(days + 0.5))
        if unit in "mh" and not math.isclose(days, whole):
            hint = "OpenSLO's m is minutes; a month is M (1M)" if unit == "m" else ""
            self.warnings.add(
                "openslo-window",
                f"a window of {found.group(0).strip()}",
                f"itvalue windows are whole days; read as {whole} day{'s' if whole != 1 else ''}",
                thing.name,
                thing.line(*at, "duration"),
                hint=hint,
                verb="rounded",
            )
        if window.get("isRolling") is False or "calendar" in window:
            self.warnings.add(
                "openslo-window",
                "calendar window",
                "read as a rolling window of the same length; its start and time zone are not kept",
                thing.name,
                thing.line(*at),
                verb="read as rolling",
            )
        return whole

    def target(
        self, thing: _Object, objective: Mapping[str, Any], at: tuple[str | int, ...]
    ) -> float:
        def number(key: str) -> float | None:
            value = objective.get(key)
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(f"{key} must be a number, got {value!r}", thing.line(*at, key))
            if not math.isfinite(value):
                raise self.fail(f"{key} must be a finite number", thing.line(*at, key))
            return float(value)

        target, percent = number("target"), number("targetPercent")
        if percent is not None:
            if not 0 < percent <= 100:
                raise self.fail(
                    f"targetPercent is {percent:g}; it must be above 0 and at most 100",
                    thing.line(*at, "targetPercent"),
                )
            # A decimal shift, so that 99.9 gives 0.999 as written, not 0.9990000000000001.
            fraction = float(decimal.Decimal(repr(percent)) / 100)
            if target is not None and not math.isclose(target, fraction):
                raise self.fail(
                    f"target {target:g} and targetPercent {percent:g} disagree",
                    thing.line(*at, "target"),
                    hint="give one of them",
                )
            return fraction
        if target is None:
            raise self.fail(
                "the objective needs a target (a fraction) or a targetPercent",
                thing.line(*at),
            )
        if not 0 < target <= 1:
            hint = (
                f"write target: {target / 100:g}, or targetPercent: {target:g}"
                if 1 < target <= 100
                else ""
            )
            raise self.fail(
                f"target is {target:g}; it must be a fraction above 0 and at most 1",
                thing.line(*at, "target"),
                hint=hint,
            )
        return target

    def threshold(
        self, thing: _Object, objective: Mapping[str, Any], at: tuple[str | int, ...]
    ) -> tuple[str, Any] | None:
        op, value = objective.get("op"), objective.get("value")
        if value is None:
            if op is not None:
                self.warnings.add(
                    "openslo-unmapped-field",
                    "objectives[].op without a value",
                    "an operator alone sets no threshold",
                    thing.name,
                    thing.line(*at, "op"),
                )
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise self.fail(f"value must be a number, got {value!r}", thing.line(*at, "value"))
        if op not in _OPS:
            raise self.fail(
                f"the objective's op is {op!r}",
                thing.line(*at, "op") if op is not None else thing.line(*at),
                hint="one of: " + ", ".join(_OPS),
            )
        return str(op), value
