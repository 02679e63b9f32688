"""CMDB exports as CSV: configuration items as services, their relationships as dependencies.

A CMDB export comes as two tables, each recognised by its header row:

* a **services table** (ServiceNow ``cmdb_ci`` or one of its classes, iTop functional
  CIs): one configuration item a row, each becoming a service;
* a **relationships table** (ServiceNow ``cmdb_rel_ci``: ``parent, type, child``; an
  iTop link table): one relationship a row, each becoming a dependency of a service
  an earlier source holds — so the services table is listed first:
  ``itvalue.load("services.csv", "relationships.csv", "business.yaml")``.

Columns are found by role, from the preset's headers (:data:`PRESETS`, compared without
regard to case; ServiceNow's ``dv_`` display-value columns preferred to raw ones), or
from ``columns``: ``name``, ``key`` (``sys_id``; iTop ``id``), ``class``
(``sys_class_name``; ``finalclass``), ``classification``, ``install_status`` and
``operational_status`` (iTop ``status``), ``owner`` (``owned_by``, else ``managed_by``,
else ``support_group``; iTop ``org_id->name``), ``supplier`` (``vendor``),
``description``, and for relationships ``parent``, ``type`` and ``child``.
``docs/how-to/import-cmdb.md`` has the whole mapping, in tables.

What each row becomes:

* **id**: a slug of the CI's name (``Order DB`` → ``order-db``); when several CIs make the
  same slug, each takes the first 8 characters of its key (``order-db-1a2b3c4d``), so ids
  stay stable across re-exports. Without a key column, such names are an error.
* **kind**: ``business`` for service classes (ServiceNow ``cmdb_ci_service``,
  ``cmdb_ci_service_business``, service offerings, or a ``service_classification`` of
  "Business Service"; iTop ``Service`` and ``ApplicationSolution``), else ``technical``.
* **lifecycle**: from the statuses; a status that says retired wins; else the operational
  status, else the install status; with neither, ``live`` (warned). ``live``: Installed,
  In Maintenance, Pending Repair, Operational, Non-Operational, Repair in Progress, DR
  Standby, Catalog (iTop production, active); ``in_development``: Pending Install, Ready
  (implementation); ``approved``: On Order, In Stock (stock); ``proposed``: Pipeline;
  ``retired``: Retired, Stolen, Absent (obsolete, inactive). Numbers (ServiceNow's raw
  values) are read too.
* **owner**: a stakeholder of kind ``it`` named after the first owner column filled — or
  the stakeholder an earlier source holds under that id or name.
* **provided_by**: the vendor, as a stakeholder of kind ``supplier``.
* **offering** is always ``catalog``: a CMDB records standard services.

Relationship types point from the parent to the child, as ServiceNow names them
(``<parent descriptor>::<child descriptor>``): the parent **depends on** the child for
``Depends on::Used by``, ``Runs on::Runs``, ``Hosted on::Hosts``, ``Virtualized
by::Virtualizes``, ``Contains::Contained by``, ``Uses::Used by``, ``Connects
to::Connected by``, ``Provided by::Provides`` and ``Powered by::Powers``; for ``Cluster
of::Cluster`` and ``Members::Member of`` the parent is a cluster that needs one of its
members up — a redundancy group named after the type (``cluster-of``). Other types are
warnings, as are relationships naming CIs no earlier source holds.

CSV is untrusted input: the file's size is limited, it must be UTF-8, every row must have
as many cells as the header, and cells are text — a cell like ``=cmd|' /C calc'!A0`` is
kept as those characters (and warned about), never evaluated. Errors give the file, the
line and the column.

Complexity: linear in the size of the file.
"""

from __future__ import annotations

import collections
import csv
import difflib
import hashlib
import io
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal

import attrs

from itvalue.errors import DocumentError
from itvalue.io._overlay import Origin, Overlay, SourceWarning
from itvalue.io._parse import read_file

__all__ = ["PRESETS", "RELATIONS", "ROLES", "Preset", "read"]

#: What a relationship type does: the parent depends on the child (``depends_on``), the
#: child on the parent (``used_by``), the parent on the child as one member of a
#: redundancy group (``group``), or nothing at run time (``ignore``).
Relation = Literal["depends_on", "used_by", "group", "ignore"]
RELATIONS: tuple[str, ...] = ("depends_on", "used_by", "group", "ignore")

#: The column roles a preset (or ``columns``) names headers for.
ROLES: tuple[str, ...] = (
    "name",
    "key",
    "class",
    "classification",
    "install_status",
    "operational_status",
    "owner",
    "supplier",
    "description",
    "parent",
    "child",
    "type",
)

_SLUG = re.compile(r"[^a-z0-9._-]+")
_SPACE = re.compile(r"\s+")
_KEY = re.compile(r"[0-9a-f]{32}")
# What spreadsheet programs run as a formula when a CSV cell starts with it.
_FORMULA = re.compile(r"[=@+]|-[^0-9\s]")


def _fold(text: str) -> str:
    """Text compared loosely: case folded, runs of white space as one space."""
    return _SPACE.sub(" ", text.strip()).casefold()


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@attrs.frozen(kw_only=True)
class Preset:
    """The column names and vocabularies of one CMDB's CSV exports.

    Attributes:
        name: The preset's name (``"servicenow"``, ``"itop"``).
        columns: Headers by role, in order of preference (compared case-insensitively).
        business_classes: CI classes (folded) whose items are business services.
        statuses: By status role, the lifecycle each (folded) status value means.
        relationships: By (folded) relationship type, what it does.
        untyped: What a relationship row with no type does, when the table has no type
            column (iTop link tables); ``None`` when rows must have a type.
    """

    name: str
    columns: Mapping[str, tuple[str, ...]] = attrs.field(converter=_frozen)
    business_classes: frozenset[str]
    statuses: Mapping[str, Mapping[str, str]] = attrs.field(converter=_frozen)
    relationships: Mapping[str, Relation] = attrs.field(converter=_frozen)
    untyped: Relation | None = None


_SERVICENOW_INSTALL = {
    "1": "live",
    "installed": "live",
    "2": "approved",
    "on order": "approved",
    "3": "live",
    "in maintenance": "live",
    "4": "in_development",
    "pending install": "in_development",
    "5": "live",
    "pending repair": "live",
    "6": "approved",
    "in stock": "approved",
    "7": "retired",
    "retired": "retired",
    "8": "retired",
    "stolen": "retired",
    "100": "retired",
    "absent": "retired",
}
_SERVICENOW_OPERATIONAL = {
    "1": "live",
    "operational": "live",
    "2": "live",
    "non-operational": "live",
    "3": "live",
    "repair in progress": "live",
    "4": "live",
    "dr standby": "live",
    "5": "in_development",
    "ready": "in_development",
    "6": "retired",
    "retired": "retired",
    "7": "proposed",
    "pipeline": "proposed",
    "8": "live",
    "catalog": "live",
}
_DEPENDS: dict[str, Relation] = {
    "depends on::used by": "depends_on",
    "runs on::runs": "depends_on",
    "hosted on::hosts": "depends_on",
    "virtualized by::virtualizes": "depends_on",
    "contains::contained by": "depends_on",
    "uses::used by": "depends_on",
    "connects to::connected by": "depends_on",
    "provided by::provides": "depends_on",
    "powered by::powers": "depends_on",
    "cluster of::cluster": "group",
    "members::member of": "group",
    "managed by::manages": "ignore",
    "owns::owned by": "ignore",
    "located in::houses": "ignore",
    "backed up by::backs up": "ignore",
    "sends data to::receives data from": "ignore",
    "receives data from::sends data to": "ignore",
    "allocated to::allocated from": "ignore",
    "instantiates::instantiated by": "ignore",
}

#: The presets, by name.
PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        "servicenow": Preset(
            name="servicenow",
            columns={
                "name": ("name",),
                "key": ("sys_id",),
                "class": ("sys_class_name",),
                "classification": ("service_classification",),
                "install_status": ("install_status",),
                "operational_status": ("operational_status",),
                "owner": ("owned_by", "managed_by", "support_group"),
                "supplier": ("vendor",),
                "description": ("short_description", "description"),
                "parent": ("parent",),
                "child": ("child",),
                "type": ("type",),
            },
            business_classes=frozenset(
                {
                    "cmdb_ci_service",
                    "cmdb_ci_service_business",
                    "service_offering",
                    "business service",
                    "service offering",
                    "service",
                }
            ),
            statuses={
                "install_status": _SERVICENOW_INSTALL,
                "operational_status": _SERVICENOW_OPERATIONAL,
            },
            relationships=_DEPENDS,
        ),
        "itop": Preset(
            name="itop",
            columns={
                "name": ("name",),
                "key": ("id",),
                "class": ("finalclass", "type", "ci sub-class", "class"),
                "classification": (),
                "install_status": ("status",),
                "operational_status": (),
                "owner": ("org_id->name", "organization->name", "organization", "org_name"),
                "supplier": (),
                "description": ("description",),
                "parent": (
                    "parent",
                    "applicationsolution_id->name",
                    "application solution->name",
                    "application solution",
                    "applicationsolution_name",
                ),
                "child": (
                    "child",
                    "functionalci_id->name",
                    "functional ci->name",
                    "functional ci",
                    "functionalci_name",
                ),
                "type": ("relationship type",),
            },
            business_classes=frozenset({"service", "applicationsolution", "application solution"}),
            statuses={
                "install_status": {
                    "production": "live",
                    "active": "live",
                    "implementation": "in_development",
                    "stock": "approved",
                    "obsolete": "retired",
                    "inactive": "retired",
                }
            },
            relationships=_DEPENDS,
            untyped="depends_on",
        ),
    }
)

_ITOP_MARKERS = ("finalclass", "org_id->name", "organization", "applicationsolution_id->name")
_BUSINESS_CLASSIFICATION = "business service"


def _slug(text: str) -> str:
    """A valid id made of ``text``: lower case, ASCII, other characters as ``-``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG.sub("-", folded.lower()).strip("-._")
    if slug:
        return slug
    # A name with no ASCII letter or digit at all: an id from its digest, stable.
    return "ci-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


class _Warnings:
    """Warnings grouped by what was left out, so a big export gives a short list."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.groups: dict[tuple[str, str], tuple[str, list[str], int | None]] = {}

    def add(self, code: str, what: str, subject: str, line: int | None, hint: str = "") -> None:
        group = self.groups.setdefault((code, what), (hint, [], line))
        if subject not in group[1]:
            group[1].append(subject)

    def collected(self) -> tuple[SourceWarning, ...]:
        out = []
        for (code, what), (hint, subjects, line) in self.groups.items():
            shown = ", ".join(subjects[:3])
            if len(subjects) > 3:
                shown += f" and {len(subjects) - 3} more"
            message = f"{what}: {shown}" if shown else what
            out.append(SourceWarning(message, code=code, source=self.source, line=line, hint=hint))
        return tuple(out)


# --- the table ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Table:
    header: tuple[str, ...]
    header_line: int
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (first line, cells)


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[start : exc.start].decode("utf-8", errors="replace")) + 1
        raise DocumentError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} at column {column} cannot be decoded",
            source=source,
            line=line,
            hint="export the table as UTF-8 (CSV UTF-8 in spreadsheet programs)",
        ) from None


def _delimiter(text: str, path: str) -> str:
    if path.lower().endswith(".tsv"):
        return "\t"
    first = text.split("\n", 1)[0]
    # Count separators outside quotes on the header line; the most frequent wins.
    outside = re.sub(r'"[^"]*"', "", first)
    counts = {sep: outside.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _table(path: str | os.PathLike[str], source: str) -> _Table:
    text = _decode(read_file(path, source), source)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(text, source), strict=True
    )
    rows: list[tuple[int, tuple[str, ...]]] = []
    header: tuple[str, ...] | None = None
    header_line = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DocumentError(
                f"not valid CSV: {exc}",
                source=source,
                line=reader.line_num or start,
                hint="quote cells that hold the separator, quotes or line breaks",
            ) from None
        if not any(cell.strip() for cell in row):
            continue
        cells = tuple(cell.strip() for cell in row)
        for position, cell in enumerate(cells):
            if "\x00" in cell:
                raise DocumentError(
                    f"column {position + 1} holds a NUL character: not a text export",
                    source=source,
                    line=start,
                    hint="export the table as CSV text, not a binary spreadsheet",
                )
        if header is None:
            header, header_line = cells, start
            continue
        if len(cells) != len(header):
            if len(cells) > len(header):
                reason = (
                    f"the row has {len(cells)} cells, and the header (line {header_line}) "
                    f"names {len(header)} columns: column {len(header) + 1} has no header"
                )
            else:
                reason = (
                    f"the row has {len(cells)} cells, and the header (line {header_line}) "
                    f"names {len(header)} columns: column {len(cells) + 1} "
                    f"({header[len(cells)]!r}) is missing"
                )
            raise DocumentError(
                reason,
                source=source,
                line=start,
                hint="every row needs one cell per column; quote cells that hold the separator",
            )
        rows.append((start, cells))
    if header is None:
        raise DocumentError(
            "the table is empty: no header row",
            source=source,
            hint="export the table with its header row",
        )
    return _Table(header=header, header_line=header_line, rows=tuple(rows))


# --- columns --------------------------------------------------------------------------


class _Columns:
    """Which column of the table plays which role."""

    def __init__(
        self,
        table: _Table,
        preset: Preset,
        overrides: Mapping[str, str | Sequence[str]],
        source: str,
    ) -> None:
        self.source = source
        folded = [_fold(name) for name in table.header]
        self.header = table.header
        self.where: dict[str, list[int]] = {}
        for role in ROLES:
            wanted = overrides.get(role)
            names: tuple[str, ...]
            if wanted is None:
                names = preset.columns.get(role, ())
            elif isinstance(wanted, str):
                names = (wanted,)
            else:
                names = tuple(wanted)
            found: list[int] = []
            for name in names:
                for candidate in (f"dv_{_fold(name)}", _fold(name)):
                    positions = [i for i, header in enumerate(folded) if header == candidate]
                    if len(positions) > 1:
                        raise DocumentError(
                            f"the header names the column {table.header[positions[0]]!r} "
                            f"{len(positions)} times (columns "
                            + ", ".join(str(p + 1) for p in positions)
                            + ")",
                            source=source,
                            line=table.header_line,
                            hint="give each column once",
                        )
                    if positions:
                        found.append(positions[0])
                        break
            if role != "owner":
                found = found[:1]
            self.where[role] = found

    def has(self, role: str) -> bool:
        return bool(self.where[role])

    def get(self, cells: tuple[str, ...], role: str) -> str:
        """The first cell filled among the role's columns ("" when none is)."""
        for position in self.where[role]:
            if cells[position]:
                return cells[position]
        return ""

    def used(self) -> set[int]:
        return {position for positions in self.where.values() for position in positions}

    def column(self, role: str) -> str:
        position = self.where[role][0]
        return f"column {position + 1} ({self.header[position]!r})"


# --- reading --------------------------------------------------------------------------


def read(
    path: str | os.PathLike[str],
    *,
    known: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    preset: str = "auto",
    columns: Mapping[str, str | Sequence[str]] | None = None,
    relationship_types: Mapping[str, Relation] | None = None,
) -> Overlay:
    """The overlay a CMDB table exported as CSV makes: services, or their dependencies.

    The table is recognised by its header: with parent and child columns it is a
    relationships table, with a name column a services table. The module docstring has
    the whole mapping.

    Args:
        path: The CSV file (comma, semicolon or tab separated; UTF-8).
        known: What the sources composed before this one hold: section → id → fields.
            A relationships table resolves its CIs against ``known["services"]`` (by id,
            then by name); owners and vendors that name a stakeholder already known
            (by id or name) take its id.
        preset: ``"servicenow"``, ``"itop"``, or ``"auto"``: iTop when the header has an
            iTop column (``finalclass``, ``org_id->name``, ``Organization``), else
            ServiceNow.
        columns: Headers by role (``{"owner": ["support_group"]}``), replacing the
            preset's for the roles given; roles are listed in :data:`ROLES`.
        relationship_types: What relationship types do (``{"Feeds::Fed by":
            "used_by"}``), added to the preset's; values are listed in :data:`RELATIONS`.

    Raises:
        DocumentError: The file cannot be read, is not UTF-8 or not valid CSV, has a
            row of the wrong length, names neither kind of table, or its CIs cannot be
            told apart; the error gives the file, line and column.

    Examples:
        >>> from itvalue.importers import cmdb
        >>> overlay = cmdb.read("examples/cmdb/services.csv")
        >>> for service in overlay.entries("services")[:3]:
        ...     print(service["id"], service["kind"], service["lifecycle"])
        online-store business live
        checkout business live
        payment-gateway technical live
    """
    source = os.fspath(path)
    overrides = dict(columns or {})
    for role in overrides:
        if role not in ROLES:
            close = difflib.get_close_matches(role, ROLES, n=1)
            raise DocumentError(
                f"unknown column role {role!r}",
                source=source,
                hint=f"did you mean {close[0]!r}?" if close else "roles are: " + ", ".join(ROLES),
            )
    types: dict[str, Relation] = {}
    for name, relation in (relationship_types or {}).items():
        if relation not in RELATIONS:
            raise DocumentError(
                f"the relationship type {name!r} is said to do {relation!r}",
                source=source,
                hint="use one of: " + ", ".join(RELATIONS),
            )
        types[_fold(name)] = relation
    table = _table(path, source)
    chosen = _preset(preset, table, source)
    found = _Columns(table, chosen, overrides, source)
    mapper = _Mapper(source, known or {}, chosen, found, table)
    if found.has("parent") and found.has("child"):
        return mapper.relationships({**chosen.relationships, **types})
    if found.has("name"):
        return mapper.services()
    raise DocumentError(
        "the header names neither a services table (a name column) nor a relationships "
        "table (parent, type and child columns): " + ", ".join(table.header[:8]),
        source=source,
        line=table.header_line,
        hint="export the CMDB table with its column names, or name the columns with "
        "read(..., columns={'name': 'CI name'})",
    )


def _preset(name: str, table: _Table, source: str) -> Preset:
    if name == "auto":
        folded = {_fold(header) for header in table.header}
        return PRESETS["itop" if folded & set(_ITOP_MARKERS) else "servicenow"]
    if name not in PRESETS:
        raise DocumentError(
            f"unknown preset {name!r}",
            source=source,
            hint="use one of: auto, " + ", ".join(PRESETS),
        )
    return PRESETS[name]


class _Mapper:
    def __init__(
        self,
        source: str,
        known: Mapping[str, Mapping[str, Mapping[str, Any]]],
        preset: Preset,
        columns: _Columns,
        table: _Table,
    ) -> None:
        self.source = source
        self.known = known
        self.preset = preset
        self.columns = columns
        self.table = table
        self.warnings = _Warnings(source)
        self.origins: dict[tuple[str, str], Origin] = {}

    def overlay(self, sections: dict[str, list[dict[str, Any]]]) -> Overlay:
        self.formulas()
        return Overlay(
            sections={name: entries for name, entries in sections.items() if entries},
            warnings=self.warnings.collected(),
            origins=self.origins,
            source=self.source,
        )

    def formulas(self) -> None:
        for line, cells in self.table.rows:
            for position, cell in enumerate(cells):
                if _FORMULA.match(cell) and not (cell[0] == "+" and cell[1:2].isdigit()):
                    self.warnings.add(
                        "cmdb-formula",
                        "cells that look like spreadsheet formulas, kept as text",
                        f"line {line} column {position + 1}",
                        line,
                        hint="check the export: a CMDB value should not start with =, + or @",
                    )

    def unmapped_columns(self) -> None:
        used = self.columns.used()
        for position, header in enumerate(self.table.header):
            if position not in used:
                self.warnings.add(
                    "cmdb-unmapped-column",
                    "columns not mapped",
                    header or f"column {position + 1}",
                    self.table.header_line,
                    hint="map a column with read(..., columns={role: header})",
                )

    # --- services --------------------------------------------------------------------

    def services(self) -> Overlay:
        self.unmapped_columns()
        rows = []
        for line, cells in self.table.rows:
            name = self.columns.get(cells, "name")
            if not name:
                self.warnings.add(
                    "cmdb-no-name",
                    "rows with no CI name, left out",
                    f"line {line}",
                    line,
                )
                continue
            rows.append((line, cells, name))
        ids = self.ids(rows)
        # Ids a new stakeholder must not take: this table's services, and what earlier
        # sources hold in other sections.
        taken = set(ids) | {
            ident
            for section, entries in self.known.items()
            if section != "stakeholders"
            for ident in entries
        }
        stakeholders: dict[str, dict[str, Any]] = {}
        services = []
        statuses = self.columns.has("install_status") or self.columns.has("operational_status")
        if rows and not statuses:
            self.warnings.add(
                "cmdb-no-status",
                "no status column: every CI is taken as live",
                "",
                self.table.header_line,
                hint="export install_status or operational_status",
            )
        for (line, cells, name), ident in zip(rows, ids, strict=True):
            entry: dict[str, Any] = {"id": ident, "name": name}
            description = self.columns.get(cells, "description")
            if description:
                entry["description"] = description
            owner = self.columns.get(cells, "owner")
            if owner:
                entry["owner"] = self.stakeholder(owner, "it", stakeholders, taken, line)
            entry.update(
                kind=self.kind(cells),
                offering="catalog",
                lifecycle=self.lifecycle(cells, name, line),
            )
            supplier = self.columns.get(cells, "supplier")
            if supplier:
                entry["provided_by"] = self.stakeholder(
                    supplier, "supplier", stakeholders, taken, line
                )
            services.append(entry)
            self.origins[("services", ident)] = Origin(source=self.source, line=line)
        return self.overlay({"stakeholders": list(stakeholders.values()), "services": services})

    def ids(self, rows: list[tuple[int, tuple[str, ...], str]]) -> list[str]:
        slugs = [_slug(name) for _line, _cells, name in rows]
        keys = [self.columns.get(cells, "key") for _line, cells, _name in rows]
        seen_keys: dict[str, int] = {}
        for (line, _cells, _name), key in zip(rows, keys, strict=True):
            if key and key in seen_keys:
                raise DocumentError(
                    f"{self.columns.column('key')}: the key {key!r} is also on line "
                    f"{seen_keys[key]}",
                    source=self.source,
                    line=line,
                    hint="export each configuration item once",
                )
            seen_keys.setdefault(key, line)
        by_slug: dict[str, list[int]] = {}
        for index, slug in enumerate(slugs):
            by_slug.setdefault(slug, []).append(index)
        ids = list(slugs)
        for slug, indexes in by_slug.items():
            if len(indexes) == 1:
                continue
            for index in indexes:
                if not keys[index]:
                    lines = ", ".join(str(rows[i][0]) for i in indexes)
                    raise DocumentError(
                        f"{self.columns.column('name')}: {len(indexes)} CIs make the id "
                        f"{slug!r} (lines {lines}), and this one has no key to tell it apart",
                        source=self.source,
                        line=rows[index][0],
                        hint="export the sys_id (iTop: id) column too, or rename the CIs",
                    )
            short = [f"{slug}-{_slug(keys[i])[:8]}" for i in indexes]
            if len(set(short)) < len(short):
                short = [f"{slug}-{_slug(keys[i])}" for i in indexes]
            for index, ident in zip(indexes, short, strict=True):
                ids[index] = ident
        counts = collections.Counter(ids)
        if len(counts) < len(ids):  # a name's slug equal to another's slug-and-key: rare
            first = next(i for i, ident in enumerate(ids) if counts[ident] > 1)
            raise DocumentError(
                f"two CIs make the id {ids[first]!r}",
                source=self.source,
                line=rows[first][0],
                hint="rename one of the CIs",
            )
        return ids

    def stakeholder(
        self,
        name: str,
        kind: str,
        made: dict[str, dict[str, Any]],
        taken: set[str],
        line: int,
    ) -> str:
        known = self.known.get("stakeholders", {})
        if name in known:
            return name
        for ident, fields in known.items():
            if isinstance(fields.get("name"), str) and _fold(fields["name"]) == _fold(name):
                return ident
        slug = _slug(name)
        if slug in known:
            return slug
        ident = slug
        mine = made.get(ident)
        if ident in taken or (mine is not None and mine["kind"] != kind):
            ident = f"{slug}-{'supplier' if kind == 'supplier' else 'team'}"
            mine = made.get(ident)
        if mine is None:
            made[ident] = {"id": ident, "name": name, "kind": kind}
            self.origins[("stakeholders", ident)] = Origin(source=self.source, line=line)
        return ident

    def kind(self, cells: tuple[str, ...]) -> str:
        classification = _fold(self.columns.get(cells, "classification"))
        if classification:
            return "business" if classification == _BUSINESS_CLASSIFICATION else "technical"
        cls = _fold(self.columns.get(cells, "class"))
        return "business" if cls in self.preset.business_classes else "technical"

    def lifecycle(self, cells: tuple[str, ...], name: str, line: int) -> str:
        found: dict[str, str] = {}
        for role in ("install_status", "operational_status"):
            value = self.columns.get(cells, role)
            if not value:
                continue
            table = self.preset.statuses.get(role, {})
            lifecycle = table.get(_fold(value))
            if lifecycle is None:
                self.warnings.add(
                    "cmdb-unknown-status",
                    f"{role} {value!r} is not one this importer knows; taken as live",
                    name,
                    line,
                    hint="statuses understood: "
                    + ", ".join(sorted({k for k in table if not k.isdigit()})),
                )
                continue
            found[role] = lifecycle
        if "retired" in found.values():
            return "retired"
        return found.get("operational_status") or found.get("install_status") or "live"

    # --- relationships ---------------------------------------------------------------

    def relationships(self, types: Mapping[str, Relation]) -> Overlay:
        self.unmapped_columns()
        services = self.known.get("services", {})
        if not services:
            raise DocumentError(
                "a relationships table links services, and no source before it holds any",
                source=self.source,
                hint="list the services table first: itvalue report services.csv "
                "relationships.csv (in Python, itvalue.load('services.csv', 'relationships.csv'))",
            )
        by_name: dict[str, list[str]] = {}
        for ident, fields in services.items():
            name = fields.get("name")
            if isinstance(name, str):
                by_name.setdefault(_fold(name), []).append(ident)
        has_type = self.columns.has("type")
        entries: dict[str, dict[str, Any]] = {}
        for line, cells in self.table.rows:
            parent_name = self.columns.get(cells, "parent")
            child_name = self.columns.get(cells, "child")
            kind = self.columns.get(cells, "type") if has_type else ""
            relation = types.get(_fold(kind)) if kind else self.preset.untyped
            if relation is None:
                known_type = bool(kind)
                self.warnings.add(
                    "cmdb-unknown-relationship",
                    "relationship types this importer does not know, left out"
                    if known_type
                    else "relationships with no type, left out",
                    kind or f"line {line}",
                    line,
                    hint="say what a type does with read(..., relationship_types="
                    "{type: 'depends_on'})",
                )
                continue
            if relation == "ignore":
                self.warnings.add(
                    "cmdb-not-a-dependency",
                    "relationships that are not run-time dependencies, left out",
                    kind,
                    line,
                )
                continue
            parent = self.resolve(parent_name, services, by_name, line)
            child = self.resolve(child_name, services, by_name, line)
            if parent is None or child is None:
                continue
            if relation == "used_by":
                parent, child = child, parent
            if parent == child:
                self.warnings.add(
                    "cmdb-self-relationship",
                    "relationships of a CI with itself, left out",
                    f"line {line}",
                    line,
                )
                continue
            dependency: dict[str, Any] = {"service": child}
            if relation == "group":
                dependency["group"] = _slug(kind.split("::", 1)[0]) if kind else "members"
            entry = entries.setdefault(parent, {"id": parent, "depends_on": []})
            self.origins.setdefault(("services", parent), Origin(source=self.source, line=line))
            same = [d for d in entry["depends_on"] if d["service"] == child]
            if not same:
                entry["depends_on"].append(dependency)
            elif same[0] != dependency:
                self.warnings.add(
                    "cmdb-conflicting-relationship",
                    "CIs related twice in different ways; the first relationship is kept",
                    f"{parent} → {child}",
                    line,
                )
        return self.overlay({"services": list(entries.values())})

    def resolve(
        self,
        name: str,
        services: Mapping[str, Mapping[str, Any]],
        by_name: Mapping[str, list[str]],
        line: int,
    ) -> str | None:
        if not name:
            self.warnings.add(
                "cmdb-unknown-ci",
                "relationships with an empty parent or child, left out",
                f"line {line}",
                line,
            )
            return None
        if name in services:
            return name
        found = by_name.get(_fold(name), [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            self.warnings.add(
                "cmdb-ambiguous-ci",
                "relationships naming a CI that several services share the name of, left out",
                name,
                line,
                hint="export the relationships with sys_ids (raw values) instead of names",
            )
            return None
        slug = _slug(name)
        if slug in services:
            return slug
        if _KEY.fullmatch(name.lower()):
            # A sys_id: only CIs whose names collided carry theirs in their ids.
            key = name.lower()
            tails = [i for i in services if i.endswith((f"-{key[:8]}", f"-{key}"))]
            if len(tails) == 1:
                return tails[0]
            self.warnings.add(
                "cmdb-unknown-ci",
                "relationships naming CIs by sys_id, left out",
                name,
                line,
                hint="export the relationships with display values (CI names), not sys_ids",
            )
            return None
        self.warnings.add(
            "cmdb-unknown-ci",
            "relationships naming CIs that no earlier source holds, left out",
            name,
            line,
            hint="export those CIs in the services table, and list it before the relationships",
        )
        return None
