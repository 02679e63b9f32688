"""Backstage software catalogs, read into an :class:`~itvalue.Overlay` of services and owners.

A catalog is a file (one or several ``---``-separated entities), or a folder: every
``.yaml``/``.yml`` file below it, in sorted order, hidden folders and files left out.
In a folder, a file that holds no Backstage entity (an OpenAPI document, a CI workflow)
is skipped with a warning; a file named on the command line or by a ``Location`` must
hold entities. ``Location`` entities are followed: ``spec.target`` and ``spec.targets``,
relative to the Location's file, globs included; each file is read once, so cycles end.

The mapping, in short (the how-to guide "Import a Backstage catalog" has the table):

* ``Component`` and ``Resource`` → services; ``spec.dependsOn``, ``spec.dependencyOf``,
  ``spec.consumesApis`` (through the components that provide the API) and
  ``spec.subcomponentOf`` (the parent depends on its part) → dependencies;
  ``spec.owner`` → the owner, a stakeholder of kind ``it``; ``spec.lifecycle`` →
  lifecycle (:data:`LIFECYCLES`, extended by the ``lifecycles`` option).
* ``Group`` and ``User`` entities give owners their display names.
* Annotations ``itvalue.io/...`` (:data:`ANNOTATIONS`) carry what Backstage does not
  know: availability, annual cost, the processes a service supports, and so on.
* Every other kind (``API``, ``System``, ``Domain``, ``Template``, kinds unknown here)
  is left out, with one :class:`~itvalue.SourceWarning` per kind naming the entities.

Ids come from entity references, so they are stable across re-imports: the entity's
name, lower-cased, prefixed with its namespace and a dot outside the ``default``
namespace (``billing.invoices``); a name that does not fit the id pattern becomes a
slug of it. Nothing from a file is executed; YAML is read with the guards of
:func:`itvalue.loads`.
"""

from __future__ import annotations

import difflib
import glob
import hashlib
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from itvalue.errors import DocumentError, Problem, ValidationError
from itvalue.importers import Known
from itvalue.io._overlay import Origin, Overlay, SourceWarning
from itvalue.io._parse import Locator, decode, parse_documents, read_file
from itvalue.model import Lifecycle, Offering, ServiceKind

__all__ = ["ANNOTATIONS", "API_VERSIONS", "LIFECYCLES", "read"]

#: The ``apiVersion`` values of the Backstage entities this importer maps.
API_VERSIONS: tuple[str, ...] = ("backstage.io/v1alpha1", "backstage.io/v1beta1")

#: Backstage's well-known lifecycles and what they are here. A deprecated component
#: still runs, so it is live; the ``lifecycles`` option of :func:`read` adds values
#: (or changes these).
LIFECYCLES: Mapping[str, str] = {
    "production": Lifecycle.LIVE.value,
    "experimental": Lifecycle.IN_DEVELOPMENT.value,
    "deprecated": Lifecycle.LIVE.value,
}

_PREFIX = "itvalue.io/"

#: The annotations read, with the service field each one sets.
ANNOTATIONS: Mapping[str, str] = {
    f"{_PREFIX}availability": "availability",
    f"{_PREFIX}annual-cost": "annual_cost",
    f"{_PREFIX}supports": "supports",
    f"{_PREFIX}kind": "kind",
    f"{_PREFIX}offering": "offering",
    f"{_PREFIX}recovery-hours": "recovery_hours",
    f"{_PREFIX}provided-by": "provided_by",
}

_SERVICE_KINDS = ("component", "resource")
_OWNER_KINDS = ("group", "user")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_REF = re.compile(r"^(?:([^:/]+):)?(?:([^:/]+)/)?([^:/]+)$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_GLOB = re.compile(r"[*?\[]")
_BACKSTAGE = re.compile(r"""(?m)^\s*["']?apiVersion["']?\s*:\s*["']?[\w.-]*backstage\.io/""")
_MONEY = re.compile(r"^\s*(\d{1,3}(?:,\d{3})+|\d[\d_]*)(\.\d+)?\s+([A-Za-z]{3})\s*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*%\s*$")
_SHOWN = 20
_UNOWNED = "unowned"


# --- reading files -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Entity:
    """One entity of the catalog, with where it was read."""

    kind: str  # as written ("Component")
    namespace: str
    name: str
    tree: Mapping[str, Any]
    source: str
    locate: Locator
    api_version: str

    @property
    def key(self) -> tuple[str, str, str]:
        """The entity reference, compared as Backstage does: without regard to case."""
        return (self.kind.lower(), self.namespace.lower(), self.name.lower())

    @property
    def ref(self) -> str:
        """The entity reference as people write it (``component:artist-lookup``)."""
        return _show_ref(self.kind.lower(), self.namespace, self.name)

    @property
    def line(self) -> int | None:
        """The line the entity starts on."""
        return self.locate(())[0]

    @property
    def spec(self) -> Mapping[str, Any]:
        """The entity's ``spec`` (empty when it has none)."""
        spec = self.tree.get("spec")
        return spec if isinstance(spec, Mapping) else {}

    @property
    def metadata(self) -> Mapping[str, Any]:
        """The entity's ``metadata``."""
        metadata: Mapping[str, Any] = self.tree["metadata"]
        return metadata

    def at(self, *path: str | int) -> int | None:
        """The line of a value inside the entity."""
        return self.locate(path)[0]

    def fail(self, reason: str, *path: str | int, hint: str = "") -> DocumentError:
        """An error about a value of this entity, at its line."""
        return DocumentError(reason, source=self.source, line=self.at(*path), hint=hint)

    def display_name(self) -> str:
        """The name people see: ``spec.profile.displayName``, else the title, else the name."""
        profile = self.spec.get("profile")
        if isinstance(profile, Mapping):
            shown = profile.get("displayName")
            if isinstance(shown, str) and shown.strip():
                return shown.strip()
        title = self.metadata.get("title")
        if isinstance(title, str) and title.strip():
            return title.strip()
        return self.name


def _show_ref(kind: str, namespace: str, name: str) -> str:
    return f"{kind}:{name}" if namespace.lower() == "default" else f"{kind}:{namespace}/{name}"


def _text(path: Path, shown: str) -> str:
    return decode(read_file(path, shown), source=shown)


def _folder_files(root: Path) -> Iterator[Path]:
    """Every YAML file below ``root``, sorted, hidden files and folders left out."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(
            Path(folder, name)
            for name in files
            if not name.startswith(".") and name.lower().endswith((".yaml", ".yml"))
        )
    yield from sorted(found, key=lambda p: p.relative_to(root).parts)


@attrs.define
class _Reader:
    """Reads files, follows Locations, collects entities and warnings."""

    entities: list[_Entity] = attrs.Factory(list)
    warnings: list[SourceWarning] = attrs.Factory(list)
    skipped: list[str] = attrs.Factory(list)
    seen: set[Path] = attrs.Factory(set)
    root: Path | None = None

    def read(self, root: Path) -> None:
        stack: list[tuple[Path, bool]]
        if root.is_dir():
            self.root = root
            stack = [(path, False) for path in reversed(list(_folder_files(root)))]
        elif root.is_file():
            stack = [(root, True)]
        else:
            raise DocumentError("no such file or folder", source=os.fspath(root))
        while stack:
            path, named = stack.pop()
            real = path.resolve()
            if real in self.seen:
                continue  # read already: a second Location to it, or a cycle
            self.seen.add(real)
            targets = self.read_file(path, named=named)
            stack.extend((target, True) for target in reversed(targets))

    def read_file(self, path: Path, *, named: bool) -> list[Path]:
        """Read one file's entities; the files its Locations name, in order."""
        shown = os.fspath(path)
        text = _text(path, shown)
        if not named and _BACKSTAGE.search(text) is None:
            self.skipped.append(
                shown if self.root is None else os.fspath(path.relative_to(self.root))
            )
            return []
        targets: list[Path] = []
        for tree, locate in parse_documents(text, "yaml", source=shown):
            entity = _entity(tree, locate, shown)
            if entity.kind.lower() == "location":
                targets.extend(self.targets(entity, path))
            else:
                self.entities.append(entity)
        return targets

    def targets(self, location: _Entity, path: Path) -> list[Path]:
        spec = location.spec
        written: list[tuple[Any, tuple[str | int, ...]]] = []
        if "target" in spec:
            written.append((spec["target"], ("spec", "target")))
        many = spec.get("targets", [])
        if not isinstance(many, list):
            raise location.fail("spec.targets must be a list of paths", "spec", "targets")
        written.extend((t, ("spec", "targets", i)) for i, t in enumerate(many))
        optional = spec.get("presence") == "optional"
        out: list[Path] = []
        for target, where in written:
            if not isinstance(target, str) or not target.strip():
                raise location.fail("a Location target must be a path", *where)
            target = target.strip()
            line = location.at(*where)
            if _URL.match(target):
                self.warnings.append(
                    SourceWarning(
                        f"the Location {location.name!r} points at {target}, which is not a"
                        " local file; its entities are not read",
                        code="backstage-remote-target",
                        source=location.source,
                        line=line,
                        hint="check the catalog out and give its local path",
                    )
                )
                continue
            base = path.parent
            if _GLOB.search(target):
                pattern = os.path.join(glob.escape(os.fspath(base)), target)
                found = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
                found = [p for p in found if p.is_file()]
                if not found:
                    self.warnings.append(
                        SourceWarning(
                            f"the Location {location.name!r} names {target!r}, which matches"
                            " no file",
                            code="backstage-empty-target",
                            source=location.source,
                            line=line,
                        )
                    )
                out.extend(found)
                continue
            full = Path(os.path.normpath(base / target))
            if full.is_file():
                out.append(full)
            elif full.is_dir():
                raise DocumentError(
                    f"the Location {location.name!r} points at {target!r}, a folder",
                    source=location.source,
                    line=line,
                    hint=f"name the files, or a glob such as {target.rstrip('/')}/*.yaml",
                )
            elif optional:
                self.warnings.append(
                    SourceWarning(
                        f"the optional Location {location.name!r} points at {target!r},"
                        " which does not exist",
                        code="backstage-missing-target",
                        source=location.source,
                        line=line,
                    )
                )
            else:
                raise DocumentError(
                    f"the Location {location.name!r} points at {target!r}, which does not"
                    f" exist ({os.fspath(full)})",
                    source=location.source,
                    line=line,
                    hint="fix the path (it is relative to the Location's file), or add"
                    " 'presence: optional' to the Location's spec",
                )
        return out


def _entity(tree: Any, locate: Locator, source: str) -> _Entity:
    """The entity a document holds; an error when it is not one."""
    line = locate(())[0]
    if not isinstance(tree, Mapping):
        shape = "a list" if isinstance(tree, list) else f"the value {str(tree)[:40]!r}"
        raise DocumentError(
            f"a catalog document must be an entity (a mapping), not {shape}",
            source=source,
            line=line,
            hint="each document between '---' lines describes one entity",
        )
    api_version, kind = tree.get("apiVersion"), tree.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not kind.strip():
        raise DocumentError(
            "an entity needs 'apiVersion' and 'kind'",
            source=source,
            line=line,
            hint="start each entity with apiVersion: backstage.io/v1alpha1 and its kind",
        )
    metadata = tree.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(name, str) or not name.strip():
        raise DocumentError(
            f"the {kind} entity has no metadata.name",
            source=source,
            line=locate(("metadata",))[0],
            hint="every entity needs metadata: {name: ...}",
        )
    namespace = metadata.get("namespace", "default")  # type: ignore[union-attr]
    if not isinstance(namespace, str) or not namespace.strip():
        raise DocumentError(
            f"the {kind} {name!r} has a namespace that is not text",
            source=source,
            line=locate(("metadata", "namespace"))[0],
        )
    if "spec" in tree and not isinstance(tree["spec"], Mapping):
        raise DocumentError(
            f"the spec of the {kind} {name!r} must be a mapping",
            source=source,
            line=locate(("spec",))[0],
        )
    lowered = kind.lower()
    if (
        lowered in (*_SERVICE_KINDS, *_OWNER_KINDS, "location")
        and api_version.startswith("backstage.io/")
        and api_version not in API_VERSIONS
    ):
        raise DocumentError(
            f"the {kind} {name!r} has apiVersion {api_version!r}, which this importer"
            " does not understand",
            source=source,
            line=locate(("apiVersion",))[0],
            hint="understood: " + ", ".join(API_VERSIONS),
        )
    return _Entity(
        kind=kind.strip(),
        namespace=namespace.strip(),
        name=name.strip(),
        tree=tree,
        source=source,
        locate=locate,
        api_version=api_version,
    )


# --- ids and references ------------------------------------------------------------------


def _slug(text: str) -> str:
    """A valid id for a name: itself lower-cased when it fits, else a stable slug."""
    lowered = text.strip().lower()
    if _ID.fullmatch(lowered):
        return lowered
    slug = re.sub(r"[^a-z0-9._-]+", "-", lowered).strip("-._")
    if slug:
        return slug
    return "entity-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def _id_of(namespace: str, name: str) -> str:
    base = _slug(name)
    return base if namespace.lower() == "default" else f"{_slug(namespace)}.{base}"


@attrs.frozen(kw_only=True)
class _Ref:
    """A parsed entity reference; ``kind`` is ``None`` when none was written or implied."""

    kind: str | None
    namespace: str
    name: str

    def keys(self, kinds: Iterable[str]) -> list[tuple[str, str, str]]:
        """The entity keys this reference may stand for."""
        ns, name = self.namespace.lower(), self.name.lower()
        if self.kind is not None:
            return [(self.kind, ns, name)]
        return [(kind, ns, name) for kind in kinds]

    def shown(self) -> str:
        """The reference as written in messages."""
        if self.kind is None:
            default = self.namespace.lower() == "default"
            return self.name if default else f"{self.namespace}/{self.name}"
        return _show_ref(self.kind, self.namespace, self.name)


def _parse_ref(
    entity: _Entity, value: Any, where: tuple[str | int, ...], *, default_kind: str | None
) -> _Ref:
    """An entity reference, resolved as Backstage does.

    A reference without a kind takes the field's default kind, one without a namespace
    the namespace of the entity that writes it.
    """
    if not isinstance(value, str) or (match := _REF.fullmatch(value.strip())) is None:
        raise entity.fail(
            f"{_plain(value)} is not an entity reference",
            *where,
            hint="write [kind:][namespace/]name, e.g. component:default/payments",
        )
    kind, namespace, name = match.groups()
    return _Ref(
        kind=(kind or default_kind or "").lower() or None,
        namespace=namespace or entity.namespace,
        name=name,
    )


def _plain(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _listed(names: list[str]) -> str:
    names = sorted(names)
    if len(names) <= _SHOWN:
        return ", ".join(names)
    return ", ".join(names[:_SHOWN]) + f" and {len(names) - _SHOWN} more"


# --- annotations ---------------------------------------------------------------------------


def _number(entity: _Entity, key: str, value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise entity.fail(
            f"{key} must be {what}, got {_plain(value)}", "metadata", "annotations", key
        )
    try:
        number = float(value)
    except ValueError:
        raise entity.fail(
            f"{key} must be {what}, got {_plain(value)}", "metadata", "annotations", key
        ) from None
    if not math.isfinite(number):
        raise entity.fail(
            f"{key} must be {what}, got {_plain(value)}", "metadata", "annotations", key
        )
    return number


def _whole(number: float) -> float | int:
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _availability(entity: _Entity, key: str, value: Any) -> float:
    where = ("metadata", "annotations", key)
    if isinstance(value, str) and (percent := _PERCENT.fullmatch(value)) is not None:
        number = float(percent.group(1)) / 100
    else:
        number = _number(entity, key, value, "a fraction such as 0.999 (or 99.9%)")
    if not 0 < number <= 1:
        hint = f"write {number / 100:g} or {number:g}%" if 1 < number <= 100 else ""
        raise entity.fail(
            f"{key} must be greater than 0 and at most 1, got {_plain(value)}", *where, hint=hint
        )
    return number


def _positive(entity: _Entity, key: str, value: Any) -> float | int:
    number = _number(entity, key, value, "a number of hours")
    if number <= 0:
        raise entity.fail(
            f"{key} must be more than 0, got {_plain(value)}", "metadata", "annotations", key
        )
    return _whole(number)


def _money(entity: _Entity, key: str, value: Any) -> dict[str, Any]:
    match = _MONEY.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise entity.fail(
            f"{key} must be an amount and a currency, got {_plain(value)}",
            "metadata",
            "annotations",
            key,
            hint='write it as "120000 EUR"',
        )
    whole, fraction, currency = match.groups()
    amount = float(whole.replace(",", "").replace("_", "") + (fraction or ""))
    if currency != currency.upper():
        raise entity.fail(
            f"{key}: {currency!r} is not an upper-case currency code",
            "metadata",
            "annotations",
            key,
            hint=f"write {currency.upper()!r}",
        )
    return {"amount": _whole(amount), "currency": currency}


def _an_id(entity: _Entity, key: str, value: Any, what: str) -> str:
    if not isinstance(value, str) or _ID.fullmatch(value.strip()) is None:
        hint = f"try {_slug(value)!r}" if isinstance(value, str) and value.strip() else ""
        raise entity.fail(
            f"{key}: {_plain(value)} is not a valid {what} id (lower-case letters, digits,"
            " '.', '_', '-')",
            "metadata",
            "annotations",
            key,
            hint=hint,
        )
    return value.strip()


def _supports(entity: _Entity, key: str, value: Any) -> list[dict[str, Any]]:
    where = ("metadata", "annotations", key)
    if not isinstance(value, str) or not value.strip():
        raise entity.fail(
            f"{key} must list process ids, got {_plain(value)}",
            *where,
            hint='write "checkout, search:0.5" (a share after a colon is optional)',
        )
    out: list[dict[str, Any]] = []
    for item in value.split(","):
        process, _, share_text = item.strip().partition(":")
        support: dict[str, Any] = {"process": _an_id(entity, key, process, "process")}
        if share_text.strip():
            share = _number(entity, key, share_text.strip(), "a share after the colon")
            if not 0 < share <= 1:
                raise entity.fail(
                    f"{key}: the share of {process.strip()!r} must be greater than 0 and at"
                    f" most 1, got {share_text.strip()}",
                    *where,
                )
            support["share"] = _whole(share)
        out.append(support)
    return out


def _choice(entity: _Entity, key: str, value: Any, choices: Iterable[str]) -> str:
    allowed = list(choices)
    text = (
        value.strip().lower().replace("-", "_").replace(" ", "_")
        if isinstance(value, str)
        else None
    )
    if text not in allowed:
        raise entity.fail(
            f"{key} must be one of {', '.join(allowed)}, got {_plain(value)}",
            "metadata",
            "annotations",
            key,
        )
    return text


def _annotations(entity: _Entity) -> dict[str, Any]:
    """The service fields the entity's ``itvalue.io/`` annotations set."""
    annotations = entity.metadata.get("annotations")
    if annotations is None:
        return {}
    if not isinstance(annotations, Mapping):
        raise entity.fail("metadata.annotations must be a mapping", "metadata", "annotations")
    fields: dict[str, Any] = {}
    for key, value in annotations.items():
        if not key.startswith(_PREFIX):
            continue
        field = ANNOTATIONS.get(key)
        if field is None:
            close = difflib.get_close_matches(key, list(ANNOTATIONS), n=1)
            raise entity.fail(
                f"unknown annotation {key!r}",
                "metadata",
                "annotations",
                key,
                hint=f"did you mean {close[0]!r}?" if close else "known: " + ", ".join(ANNOTATIONS),
            )
        if field == "availability":
            fields[field] = _availability(entity, key, value)
        elif field == "annual_cost":
            fields[field] = _money(entity, key, value)
        elif field == "supports":
            fields[field] = _supports(entity, key, value)
        elif field == "kind":
            fields[field] = _choice(entity, key, value, (k.value for k in ServiceKind))
        elif field == "offering":
            fields[field] = _choice(entity, key, value, (o.value for o in Offering))
        elif field == "recovery_hours":
            fields[field] = _positive(entity, key, value)
        else:
            fields[field] = _an_id(entity, key, value, "supplier")
    return fields


# --- the mapping -------------------------------------------------------------------------


def _lifecycles(extra: Mapping[str, str] | None) -> dict[str, str]:
    table = dict(LIFECYCLES)
    if extra is None:
        return table
    problems: list[Problem] = []
    allowed = [lifecycle.value for lifecycle in Lifecycle]
    for value, lifecycle in extra.items():
        if not isinstance(value, str) or str(lifecycle) not in allowed:
            problems.append(
                Problem(
                    path=f"lifecycles[{value!r}]",
                    message=f"{_plain(lifecycle)} is not an itvalue lifecycle",
                    hint="use one of: " + ", ".join(allowed),
                )
            )
            continue
        table[value.strip().lower()] = str(lifecycle)
    if problems:
        raise ValidationError(problems)
    return table


def _lifecycle(entity: _Entity, table: Mapping[str, str]) -> str | None:
    value = entity.spec.get("lifecycle")
    if value is None:
        return None
    mapped = table.get(value.strip().lower()) if isinstance(value, str) else None
    if mapped is None:
        raise entity.fail(
            f"the {entity.kind} {entity.name!r} has lifecycle {_plain(value)}, which has no"
            " itvalue lifecycle",
            "spec",
            "lifecycle",
            hint=f"map it with lifecycles={{{str(value)!r}: 'live'}} (or another of: "
            + ", ".join(lifecycle.value for lifecycle in Lifecycle)
            + f"); on the command line, itvalue --lifecycle {value}=live ...",
        )
    return mapped


def _list(entity: _Entity, field: str) -> list[tuple[Any, tuple[str | int, ...]]]:
    value = entity.spec.get(field)
    if value is None:
        return []
    if isinstance(value, str):
        return [(value, ("spec", field))]
    if not isinstance(value, list):
        raise entity.fail(f"spec.{field} must be a list of entity references", "spec", field)
    return [(item, ("spec", field, index)) for index, item in enumerate(value)]


@attrs.define
class _Mapper:
    """Turns the entities read into overlay sections."""

    entities: list[_Entity]
    root: str
    known: Known
    lifecycles: dict[str, str]
    warnings: list[SourceWarning] = attrs.Factory(list)
    by_key: dict[tuple[str, str, str], _Entity] = attrs.Factory(dict)
    ids: dict[tuple[str, str, str], str] = attrs.Factory(dict)
    depends: dict[str, dict[str, None]] = attrs.Factory(dict)
    #: Owners by entity key: the reference and the first service naming it.
    owners: dict[tuple[str, str, str], tuple[_Ref, _Entity]] = attrs.Factory(dict)
    suppliers: dict[str, _Entity] = attrs.Factory(dict)
    unowned: list[str] = attrs.Factory(list)
    people: dict[str, dict[str, Any]] = attrs.Factory(dict)
    mapped: set[tuple[str, str, str]] = attrs.Factory(set)
    unknown_owners: list[tuple[str, _Entity]] = attrs.Factory(list)
    origins: dict[tuple[str, str], Origin] = attrs.Factory(dict)

    def index(self) -> None:
        for entity in self.entities:
            other = self.by_key.get(entity.key)
            if other is not None:
                raise DocumentError(
                    f"{entity.ref} is defined twice: here and in {other.source}"
                    + (f", line {other.line}" if other.line is not None else ""),
                    source=entity.source,
                    line=entity.line,
                    hint="an entity reference must be unique in the catalog",
                )
            self.by_key[entity.key] = entity
        claimed: dict[str, _Entity] = {}
        for entity in self.services():
            ident = _id_of(entity.namespace, entity.name)
            other = claimed.get(ident)
            if other is not None:
                raise DocumentError(
                    f"{entity.ref} and {other.ref} ({other.source}"
                    + (f", line {other.line}" if other.line is not None else "")
                    + f") both map to the id {ident!r}",
                    source=entity.source,
                    line=entity.line,
                    hint="rename one of them in the catalog",
                )
            claimed[ident] = entity
            self.ids[entity.key] = ident

    def services(self) -> list[_Entity]:
        return [e for e in self.entities if e.kind.lower() in _SERVICE_KINDS]

    def known_ids(self, section: str) -> Mapping[str, Any]:
        return self.known.get(section, {})

    def warn(
        self, message: str, code: str, entity: _Entity, *where: str | int, hint: str = ""
    ) -> None:
        self.warnings.append(
            SourceWarning(
                message, code=code, source=entity.source, line=entity.at(*where), hint=hint
            )
        )

    def add_dependency(self, dependent: str, dependency: str) -> None:
        if dependent != dependency:
            self.depends[dependent][dependency] = None

    def resolve(
        self, entity: _Entity, ref: _Ref, where: tuple[str | int, ...], relation: str
    ) -> str | None:
        """The id of the service a reference names; a warning (and ``None``) when none.

        Two services never share a name and namespace (their ids would clash, which
        :meth:`index` refuses), so a reference without a kind names at most one.
        """
        found = [self.by_key[k] for k in ref.keys(_SERVICE_KINDS) if k in self.by_key]
        for candidate in found:
            if candidate.kind.lower() in _SERVICE_KINDS:
                return self.ids[candidate.key]
        if ref.kind in (None, *_SERVICE_KINDS):
            ident = _id_of(ref.namespace, ref.name)
            if ident in self.known_ids("services"):
                return ident  # an earlier source holds it
        what = f"a {found[0].kind}, not a service" if found else "not in the catalog"
        self.warn(
            f"{entity.ref} {relation} {ref.shown()}, which is {what}; the dependency is left out",
            "backstage-unknown-dependency",
            entity,
            *where,
            hint="add it to the catalog, or the dependency to an overlay",
        )
        return None

    def dependencies(self) -> None:
        providers: dict[tuple[str, str, str], list[_Entity]] = {}
        for entity in self.services():
            self.depends[self.ids[entity.key]] = {}
            for value, where in _list(entity, "providesApis"):
                ref = _parse_ref(entity, value, where, default_kind="api")
                providers.setdefault(ref.keys(())[0], []).append(entity)
        for entity in self.services():
            me = self.ids[entity.key]
            for value, where in _list(entity, "dependsOn"):
                ref = _parse_ref(entity, value, where, default_kind=None)
                target = self.resolve(entity, ref, where, "depends on")
                if target is not None:
                    self.add_dependency(me, target)
            for value, where in _list(entity, "consumesApis"):
                ref = _parse_ref(entity, value, where, default_kind="api")
                found = providers.get(ref.keys(())[0], [])
                if not found:
                    self.warn(
                        f"{entity.ref} consumes {ref.shown()}, which no component in the"
                        " catalog provides; no dependency is made for it",
                        "backstage-unprovided-api",
                        entity,
                        *where,
                        hint="list the API in the providing component's spec.providesApis",
                    )
                for provider in found:
                    self.add_dependency(me, self.ids[provider.key])
        # The inverse fields, after every entity's own: a parent depends on its parts.
        for entity in self.services():
            me = self.ids[entity.key]
            for field, default in (("subcomponentOf", "component"), ("dependencyOf", None)):
                for value, where in _list(entity, field):
                    ref = _parse_ref(entity, value, where, default_kind=default)
                    target = self.resolve(entity, ref, where, f"is {field}")
                    if target is not None:
                        self.add_dependency(target, me)

    def owner(self, entity: _Entity) -> _Ref | None:
        value = entity.spec.get("owner")
        if value is None:
            return None
        return _parse_ref(entity, value, ("spec", "owner"), default_kind="group")

    def service_entries(self) -> list[dict[str, Any]]:
        """One complete service entry per Component and Resource, in catalog order."""
        entries: list[dict[str, Any]] = []
        for entity in self.services():
            ident = self.ids[entity.key]
            title = entity.metadata.get("title")
            entry: dict[str, Any] = {
                "id": ident,
                "name": title.strip() if isinstance(title, str) and title.strip() else entity.name,
            }
            description = entity.metadata.get("description")
            if isinstance(description, str) and description.strip():
                entry["description"] = description.strip()
            ref = self.owner(entity)
            if ref is None:
                self.unowned.append(ident)
                entry["owner"] = _UNOWNED
            else:
                self.owners.setdefault(ref.keys(())[0], (ref, entity))
                entry["owner"] = ref  # an id once every owner is known (owner_ids)
            lifecycle = _lifecycle(entity, self.lifecycles)
            if lifecycle is not None:
                entry["lifecycle"] = lifecycle
            fields = _annotations(entity)
            if "provided_by" in fields:
                self.suppliers.setdefault(fields["provided_by"], entity)
            entry.update(fields)
            if self.depends[ident]:
                entry["depends_on"] = [{"service": d} for d in self.depends[ident]]
            entries.append(entry)
            self.origins[("services", ident)] = Origin(source=entity.source, line=entity.line)
        owner_ids = self.owner_ids()
        for entry in entries:
            if isinstance(entry["owner"], _Ref):
                entry["owner"] = owner_ids[entry["owner"].keys(())[0]]
        return entries

    def owner_ids(self) -> dict[tuple[str, str, str], str]:
        """Owners' ids: a Group's or User's id, with its kind as prefix only on a clash."""
        service_ids = set(self.ids.values())
        bases: dict[str, list[tuple[str, str, str]]] = {}
        for key, (ref, _first) in self.owners.items():
            bases.setdefault(_id_of(ref.namespace, ref.name), []).append(key)
        out: dict[tuple[str, str, str], str] = {}
        for base, keys in bases.items():
            clash = base in service_ids or len(keys) > 1
            for key in keys:
                out[key] = f"{key[0]}.{base}" if clash else base
        return out

    def person(
        self, ident: str, entity: _Entity | None, fallback: str, kind: str
    ) -> dict[str, Any] | None:
        """A stakeholder entry: complete when new, what the catalog adds when known."""
        entry: dict[str, Any] = {"id": ident}
        if entity is not None:
            self.mapped.add(entity.key)
            entry["name"] = entity.display_name()
            description = entity.metadata.get("description")
            if isinstance(description, str) and description.strip():
                entry["description"] = description.strip()
        if ident in self.known_ids("stakeholders"):
            return entry if len(entry) > 1 else None
        entry.setdefault("name", fallback)
        entry["kind"] = kind
        return entry

    def add_person(self, entry: dict[str, Any] | None, source: str, line: int | None) -> None:
        if entry is not None:
            self.people[entry["id"]] = entry
            self.origins[("stakeholders", entry["id"])] = Origin(source=source, line=line)

    def stakeholder_entries(self) -> list[dict[str, Any]]:
        """Owners, suppliers, ``unowned``, and names for owners earlier sources define."""
        owner_ids = self.owner_ids()
        for key, (ref, first) in self.owners.items():
            entity = self.by_key.get(key)
            if entity is not None and entity.kind.lower() not in _OWNER_KINDS:
                entity = None
            made = self.person(owner_ids[key], entity, ref.name, "it")
            if entity is not None:
                self.add_person(made, entity.source, entity.line)
            else:
                self.add_person(made, first.source, first.at("spec", "owner"))
                if owner_ids[key] not in self.known_ids("stakeholders"):
                    self.unknown_owners.append((ref.name, first))
        for ident, first in self.suppliers.items():
            if ident in self.people:
                if "kind" in self.people[ident]:
                    self.people[ident]["kind"] = "supplier"
                continue
            group = self.by_key.get(("group", "default", ident))
            made = self.person(ident, group, ident, "supplier")
            if group is not None:
                self.add_person(made, group.source, group.line)
            else:
                line = first.at("metadata", "annotations", f"{_PREFIX}provided-by")
                self.add_person(made, first.source, line)
        if self.unowned and _UNOWNED not in self.known_ids("stakeholders"):
            if _UNOWNED in self.ids.values():
                raise DocumentError(
                    f"a service has the id {_UNOWNED!r}, which this importer gives the owner"
                    " of services without one",
                    source=self.root,
                    hint="give every service an owner, or rename that service",
                )
            self.people[_UNOWNED] = {"id": _UNOWNED, "name": "Owner not recorded", "kind": "it"}
        # Groups and Users no service names: display names for owners an earlier source
        # defined, and left out otherwise.
        for entity in self.entities:
            if entity.kind.lower() in _OWNER_KINDS and entity.key not in self.mapped:
                ident = _id_of(entity.namespace, entity.name)
                if ident in self.known_ids("stakeholders") and ident not in self.people:
                    made = self.person(ident, entity, entity.name, "it")
                    self.add_person(made, entity.source, entity.line)
        return list(self.people.values())

    def summary(self, skipped: list[str]) -> list[SourceWarning]:
        """The warnings that sum up the catalog: skipped files, unowned, unmapped kinds."""
        out: list[SourceWarning] = []
        if skipped:
            out.append(
                SourceWarning(
                    f"{len(skipped)} file(s) hold no Backstage entity and were skipped: "
                    + _listed(skipped),
                    code="backstage-skipped-files",
                    source=self.root,
                )
            )
        if self.unowned:
            out.append(
                SourceWarning(
                    f"{len(self.unowned)} service(s) have no spec.owner; their owner is"
                    f" {_UNOWNED!r} (Owner not recorded): " + _listed(self.unowned),
                    code="backstage-unowned",
                    source=self.root,
                    hint="give spec.owner in the catalog, or set owner for them in an overlay",
                )
            )
        # An owner no Group or User of the catalog names is made from its reference
        # alone; when its name is close to one the catalog has, it is likely a slip.
        owners = sorted({e.name for e in self.entities if e.kind.lower() in _OWNER_KINDS})
        for name, first in self.unknown_owners:
            close = difflib.get_close_matches(name, owners, n=1)
            if close:
                out.append(
                    SourceWarning(
                        f"the owner {name!r} of {first.ref} is no Group or User of the"
                        " catalog; it becomes a stakeholder of its own",
                        code="backstage-unknown-owner",
                        source=first.source,
                        line=first.at("spec", "owner"),
                        hint=f"did you mean {close[0]!r}?",
                    )
                )
        left: dict[str, list[str]] = {}
        for entity in self.entities:
            if entity.kind.lower() not in _SERVICE_KINDS and entity.key not in self.mapped:
                left.setdefault(entity.kind, []).append(entity.ref)
        for kind in sorted(left, key=str.lower):
            names = left[kind]
            out.append(
                SourceWarning(
                    f"{len(names)} {kind} entit{'y' if len(names) == 1 else 'ies'} not"
                    " mapped: " + _listed(names),
                    code="backstage-unmapped-kind",
                    source=self.root,
                    hint="only Components and Resources become services, and the Groups"
                    " and Users that own them their owners",
                )
            )
        return out


def read(
    path: str | os.PathLike[str],
    *,
    known: Known | None = None,
    lifecycles: Mapping[str, str] | None = None,
) -> Overlay:
    """The overlay a Backstage catalog makes: its components and resources as services.

    Args:
        path: A catalog file (one or several entities), or a folder of them.
        known: What earlier sources of a composition hold (section → id → fields): a
            dependency on a service they hold is kept, and an owner they define is not
            redefined (only the display name the catalog gives is passed on).
        lifecycles: Catalog lifecycle values mapped to itvalue lifecycles, added to
            (or overriding) :data:`LIFECYCLES`, e.g. ``{"beta": "live"}``.

    Returns:
        An overlay with ``stakeholders`` and ``services`` sections, the file and line of
        each entry in ``origins``, and a :class:`~itvalue.SourceWarning` for everything
        left out.

    Raises:
        DocumentError: A file cannot be read or parsed, a Location target is missing,
            a lifecycle has no mapping, an ``itvalue.io/`` annotation is unknown or
            its value is bad, two entities map to one id.
        ValidationError: ``lifecycles`` maps to something that is not a lifecycle.

    Examples:
        >>> from itvalue.importers import backstage
        >>> shop = backstage.read("examples/backstage/catalog.yaml")
        >>> [entry["id"] for entry in shop.entries("services")][:3]
        ['storefront', 'checkout-api', 'payment-gateway']
        >>> shop.entries("services")[2]["provided_by"]
        'paystream'
    """
    table = _lifecycles(lifecycles)
    reader = _Reader()
    reader.read(Path(path))
    if not reader.entities and not reader.warnings:
        skipped = f" ({len(reader.skipped)} file(s) without one)" if reader.skipped else ""
        raise DocumentError(
            f"no Backstage entity was found here{skipped}",
            source=os.fspath(path),
            hint="give a catalog file, or a folder holding catalog files (kind: Component, "
            "Resource, Location, ...)",
        )
    mapper = _Mapper(reader.entities, os.fspath(path), known or {}, table)
    mapper.index()
    mapper.dependencies()
    services = mapper.service_entries()
    stakeholders = mapper.stakeholder_entries()
    sections = {
        name: entries
        for name, entries in (("stakeholders", stakeholders), ("services", services))
        if entries
    }
    found: tuple[SourceWarning, ...] = (
        *reader.warnings,
        *mapper.warnings,
        *mapper.summary(reader.skipped),
    )
    return Overlay(
        sections=sections,
        warnings=found,
        origins=mapper.origins,
        source=os.fspath(path),
    )
