"""Composing one portfolio from several sources, left to right.

Sources are *parts*: portfolio documents, overlay documents, imported catalogs, or the
objects (:class:`~itvalue.model.Portfolio`, :class:`~itvalue.io.Overlay`) in memory.
Composition works on document trees, so that the result is validated once, as a whole,
by the same structurer as any document — and every problem is traced back to the part
(and, for documents, the line) it came from:

* An entry whose id is new is added (an overlay's must be a complete entity).
* An overlay entry whose id an earlier part holds replaces the fields it gives and
  extends the lists (an item whose first field — its target — is already listed
  replaces that item).
* A portfolio entry whose id an earlier portfolio holds must be the same entity; else
  the problem names both sources and the first field that differs.
* The name is the first portfolio's, unless an overlay gives one (which renames the
  result); with neither, the first file's name.

Complexity: linear in the size of the parts.
"""

from __future__ import annotations

import contextlib
import difflib
import enum
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from itvalue.errors import Problem, ValidationError
from itvalue.io._converter import QUOTE_HINT, Invalid, render_path, structure_tree, to_dict
from itvalue.io._envelope import API_VERSION, API_VERSIONS, KIND
from itvalue.io._overlay import OVERLAY_KIND, SECTIONS, Origin, Overlay, entry_problems, thaw
from itvalue.io._parse import Locator
from itvalue.model import Portfolio
from itvalue.model._fields import FieldSpec, Shape, fields_of, show
from itvalue.model._integrity import COLLECTIONS

__all__ = ["Composition", "Part", "compose_parts", "part_of", "part_of_tree"]

PathPart = str | int
_CLASS_OF_SECTION = {name: cls for name, cls, _kind in COLLECTIONS}
_KIND_OF_SECTION = {name: kind for name, _cls, kind in COLLECTIONS}
_MISSING = object()


@attrs.frozen
class _Where:
    """Where a piece of the composed tree came from."""

    source: str | None
    locate: Locator | None
    path: tuple[PathPart, ...]
    line: int | None = None

    def at(self, *more: PathPart) -> _Where:
        return _Where(self.source, self.locate, self.path + more, self.line)

    def problem(
        self, rest: tuple[PathPart, ...], message: str, hint: str, composed: str
    ) -> Problem:
        if self.locate is None:
            return Problem(
                path=composed, message=message, hint=hint, line=self.line, source=self.source
            )
        path = self.path + rest
        line, raw = self.locate(path)
        if hint == QUOTE_HINT and raw is not None:
            hint = f'{QUOTE_HINT}: write "{raw}" if you mean the text'
        return Problem(
            path=render_path(path), message=message, hint=hint, line=line, source=self.source
        )


@attrs.frozen
class Part:
    """One source to compose: a document tree with where it came from.

    Attributes:
        kind: ``"Portfolio"`` or ``"Overlay"``.
        tree: The document tree, envelope included.
        source: The file, when it came from one.
        locate: Lines of paths in the file's text, for documents.
        origins: For imported overlays, the file and line of each entry.
    """

    kind: str
    tree: Mapping[str, Any]
    source: str | None = None
    locate: Locator | None = None
    origins: Mapping[tuple[str, str], Origin] = attrs.field(factory=dict)


def part_of(thing: Portfolio | Overlay) -> Part:
    """The part an object in memory makes."""
    if isinstance(thing, Overlay):
        return Part(OVERLAY_KIND, thing.to_dict(), thing.source, None, thing.origins)
    if isinstance(thing, Portfolio):
        return Part(KIND, to_dict(thing))
    raise TypeError(f"expected a Portfolio or an Overlay, got {type(thing).__name__}")


def part_of_tree(tree: Any, *, source: str | None, locate: Locator | None) -> Part:
    """The part a document tree makes, its envelope checked (raises ValidationError)."""
    where = _Where(source, locate, ())
    problems: list[Problem] = []
    if not isinstance(tree, Mapping):
        raise ValidationError(
            [where.problem((), "expected a mapping at the top of the document", "", "")],
            source=source,
        )
    kind = tree.get("kind")
    if "apiVersion" not in tree:
        problems.append(
            where.problem(
                ("apiVersion",),
                "missing required key 'apiVersion'",
                f"add apiVersion: {API_VERSION}",
                "",
            )
        )
    elif tree["apiVersion"] not in API_VERSIONS:
        problems.append(
            where.problem(
                ("apiVersion",),
                f"unknown version {show(tree['apiVersion'])}; this library understands: "
                + ", ".join(API_VERSIONS),
                "",
                "apiVersion",
            )
        )
    if kind not in (KIND, OVERLAY_KIND):
        problems.append(
            where.problem(
                ("kind",),
                f"expected kind {KIND!r} or {OVERLAY_KIND!r}, got {show(kind)}",
                "",
                "kind",
            )
        )
    if kind == OVERLAY_KIND:
        # Portfolio documents are checked whole by the structurer; an overlay's entries
        # must at least say which entity they are about.
        allowed = ["apiVersion", "kind", "name", "description", *SECTIONS]
        for key in tree:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else "sections are: " + ", ".join(SECTIONS)
                )
                problems.append(where.problem((key,), f"unknown key {key!r}", hint, str(key)))
        for key in ("name", "description"):
            if key in tree and not isinstance(tree[key], str):
                problems.append(
                    where.problem((key,), f"expected text, got {show(tree[key])}", "", key)
                )
        for name in SECTIONS:
            entries = tree.get(name, [])
            if not isinstance(entries, list):
                problems.append(where.problem((name,), "expected a list of entries", "", name))
                continue
            problems.extend(
                where.problem((name, index), message, hint, "")
                for index, message, hint in entry_problems(entries)
            )
    if problems:
        raise ValidationError(problems, source=source)
    return Part(str(kind), tree, source, locate)


class _Entry:
    """One entity of the composition: its fields and where each came from."""

    __slots__ = ("at", "complete", "field_at", "fields", "item_at", "new_in_overlay")

    def __init__(self, at: _Where, *, complete: bool) -> None:
        self.fields: dict[str, Any] = {}
        self.at = at
        self.field_at: dict[str, _Where] = {}
        self.item_at: dict[str, list[_Where]] = {}
        self.complete = complete
        self.new_in_overlay = not complete


def _specs(section: str) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in fields_of(_CLASS_OF_SECTION[section])}


def _item_key(spec: FieldSpec, item: Any) -> Any:
    """What identifies an item of a list: its first field (its target), or itself."""
    if spec.holds_model:
        if isinstance(item, Mapping):
            return item.get(fields_of(spec.item)[0].name, _MISSING)
        return _MISSING
    return item if isinstance(item, (str, int, float)) else _MISSING


def _remember(first: dict[Any, int], key: Any, position: int) -> None:
    """Note where a target first stands in a list (targets that cannot be keys are not)."""
    if key is not _MISSING:
        with contextlib.suppress(TypeError):
            first.setdefault(key, position)


def _plain_default(spec: FieldSpec) -> Any:
    default = spec.default
    if default is attrs.NOTHING:
        return _MISSING
    return _plain(default)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if attrs.has(type(value)):
        return {spec.name: _plain(getattr(value, spec.name)) for spec in fields_of(type(value))}
    return value


def _normal(value: Any, spec: FieldSpec) -> Any:
    """A field's value in one form, defaults filled, so that equal entities compare equal."""
    if spec.holds_model:
        if spec.shape is Shape.MANY and isinstance(value, list | tuple):
            return [_normal_entity(item, spec.item) for item in value]
        return _normal_entity(value, spec.item)
    return _plain(value)


def _normal_entity(tree: Any, cls: type) -> Any:
    if not isinstance(tree, Mapping):
        return tree
    out = {
        spec.name: _normal(tree[spec.name], spec) if spec.name in tree else _plain_default(spec)
        for spec in fields_of(cls)
    }
    out.update((key, value) for key, value in tree.items() if key not in out)
    return out


class Composition:
    """A composition in progress: parts are added left to right, then :meth:`result`."""

    def __init__(self) -> None:
        self.name: Any = _MISSING
        self.name_at: _Where | None = None
        self.description: Any = _MISSING
        self.description_at: _Where | None = None
        self.fallback_name: str | None = None
        self.first: _Where | None = None
        self.sections: dict[str, dict[Any, _Entry]] = {name: {} for name in SECTIONS}
        self.problems: list[Problem] = []
        self.anonymous = 0
        self.sources: list[str] = []

    def known(self) -> dict[str, dict[str, dict[str, Any]]]:
        """What the parts so far hold: section → id → fields (for importers to resolve names)."""
        return {
            section: {
                ident: entry.fields for ident, entry in entries.items() if isinstance(ident, str)
            }
            for section, entries in self.sections.items()
        }

    def add(self, part: Part) -> None:
        """Lay one more part over the composition."""
        if part.source is not None:
            self.sources.append(part.source)
        top = _Where(part.source, part.locate, ())
        if self.first is None:
            self.first = top
        if self.fallback_name is None and part.source is not None:
            self.fallback_name = Path(part.source).stem or part.source
        overlay = part.kind == OVERLAY_KIND
        for key in ("name", "description"):
            if key in part.tree and (overlay or getattr(self, key) is _MISSING):
                setattr(self, key, part.tree[key])
                setattr(self, f"{key}_at", top.at(key))
        for key in part.tree:
            if key not in ("apiVersion", "kind", "name", "description", *SECTIONS):
                self.problems.append(
                    top.problem(
                        (key,), f"unknown key {key!r}", "sections are: " + ", ".join(SECTIONS), key
                    )
                )
        for section in SECTIONS:
            entries = part.tree.get(section)
            if entries is None:
                continue
            if not isinstance(entries, list | tuple):
                self.problems.append(
                    top.problem((section,), f"expected a list, got {show(entries)}", "", section)
                )
                continue
            specs = _specs(section)
            for index, entry in enumerate(entries):
                at = top.at(section, index)
                if isinstance(entry, Mapping) and part.locate is None:
                    origin = part.origins.get((section, str(entry.get("id"))))
                    if origin is not None:
                        at = _Where(
                            origin.source or part.source, None, (section, index), origin.line
                        )
                self._entry(section, specs, entry, at, overlay=overlay)

    def _entry(
        self,
        section: str,
        specs: dict[str, FieldSpec],
        entry: Any,
        at: _Where,
        *,
        overlay: bool,
    ) -> None:
        known = self.sections[section]
        ident = entry.get("id") if isinstance(entry, Mapping) else None
        if not isinstance(ident, str):
            # Not an entity anyone can refer to: kept whole, for the structurer to judge.
            self.anonymous += 1
            kept = _Entry(at, complete=True)
            kept.fields = entry  # reported as it is
            known[(None, self.anonymous)] = kept
            return
        existing = known.get(ident)
        if existing is None:
            fresh = _Entry(at, complete=not overlay)
            known[ident] = fresh
            self._merge(fresh, specs, entry, at)
            return
        if not overlay:
            # A portfolio's entity must agree with what came before: all of it, when a
            # portfolio gave it; the fields given, when an overlay listed too early did.
            self._same(section, specs, existing, entry, at)
            if existing.complete:
                return
            existing.complete = True
        self._merge(existing, specs, entry, at)

    def _merge(
        self, target: _Entry, specs: dict[str, FieldSpec], entry: Mapping[str, Any], at: _Where
    ) -> None:
        for key, value in entry.items():
            spec = specs.get(key)
            if spec is None or spec.shape is not Shape.MANY or key not in target.fields:
                target.fields[key] = thaw(value)
                target.field_at[key] = at.at(key)
                if (
                    spec is not None
                    and spec.shape is Shape.MANY
                    and isinstance(value, list | tuple)
                ):
                    target.item_at[key] = [at.at(key, j) for j in range(len(value))]
                else:
                    target.item_at.pop(key, None)
                continue
            current = target.fields[key]
            if not isinstance(value, list | tuple) or not isinstance(current, list):
                target.fields[key] = thaw(value)
                target.field_at[key] = at.at(key)
                target.item_at.pop(key, None)
                continue
            places = target.item_at.setdefault(
                key, [target.field_at[key].at(j) for j in range(len(current))]
            )
            # Where each target first stands, so that a long list is not scanned per item.
            first: dict[Any, int] = {}
            for m, old in enumerate(current):
                _remember(first, _item_key(spec, old), m)
            for j, item in enumerate(value):
                wanted = _item_key(spec, item)
                found = None
                if wanted is not _MISSING:
                    try:
                        found = first.get(wanted)
                    except TypeError:  # not hashable: a malformed item, compared one by one
                        found = next(
                            (m for m, old in enumerate(current) if _item_key(spec, old) == wanted),
                            None,
                        )
                if found is None:
                    _remember(first, wanted, len(current))
                    current.append(thaw(item))
                    places.append(at.at(key, j))
                else:
                    current[found] = thaw(item)
                    places[found] = at.at(key, j)

    def _same(
        self,
        section: str,
        specs: dict[str, FieldSpec],
        existing: _Entry,
        entry: Mapping[str, Any],
        at: _Where,
    ) -> None:
        ident = entry["id"]
        noun = _KIND_OF_SECTION[section].replace("_", " ")
        for name, spec in specs.items():
            if not existing.complete and name not in existing.fields:
                continue
            ours = _normal(entry[name], spec) if name in entry else _plain_default(spec)
            theirs = (
                _normal(existing.fields[name], spec)
                if name in existing.fields
                else _plain_default(spec)
            )
            if ours == theirs:
                continue
            there = existing.field_at.get(name, existing.at)
            elsewhere = there.source or "an earlier part"
            if there.locate is not None:
                line = there.locate(there.path)[0]
                if line is not None:
                    elsewhere += f" (line {line})"
            where, a, b = _difference(ours, theirs)
            field = name + where
            if existing.complete:
                hint = "give each entity once, or change it with a kind: Overlay document"
            else:
                hint = (
                    f"an overlay changes what comes before it: list {there.source or 'it'} "
                    f"after {at.source or 'this portfolio'}"
                )
            self.problems.append(
                at.problem(
                    (name,) if name in entry else (),
                    f"{noun} {ident!r} is also in {elsewhere}, with another {field!r}: "
                    f"{_shown(a)} here, {_shown(b)} there",
                    hint,
                    render_path((section, ident, name)),
                )
            )
            return

    def tree(self) -> tuple[dict[str, Any], dict[str, list[_Entry]]]:
        tree: dict[str, Any] = {"apiVersion": API_VERSION, "kind": KIND}
        tree["name"] = self.name if self.name is not _MISSING else self.fallback_name or "Portfolio"
        if self.description is not _MISSING:
            tree["description"] = self.description
        placed: dict[str, list[_Entry]] = {}
        for section in SECTIONS:
            entries = list(self.sections[section].values())
            if entries:
                tree[section] = [entry.fields for entry in entries]
                placed[section] = entries
        return tree, placed

    def result(self) -> Portfolio:
        """The portfolio composed so far, validated as a whole.

        Raises:
            ValidationError: Every problem at once, each traced to its part and line.
        """
        tree, placed = self.tree()
        problems = list(self.problems)
        try:
            portfolio = structure_tree(tree)
        except Invalid as exc:
            problems.extend(
                self.locate(placed, path, message, hint) for path, message, hint in exc.problems
            )
        else:
            if not problems:
                return portfolio
        raise ValidationError(problems, source=_sources_text(self.sources))

    def locate(
        self, placed: dict[str, list[_Entry]], path: tuple[PathPart, ...], message: str, hint: str
    ) -> Problem:
        composed = render_path(path)
        if len(path) >= 2 and isinstance(path[0], str) and path[0] in placed:
            entries = placed[path[0]]
            index = path[1]
            if isinstance(index, int) and 0 <= index < len(entries):
                entry = entries[index]
                rest = path[2:]
                if (
                    len(rest) >= 2
                    and isinstance(rest[0], str)
                    and rest[0] in entry.item_at
                    and isinstance(rest[1], int)
                    and rest[1] < len(entry.item_at[rest[0]])
                ):
                    where, sub = entry.item_at[rest[0]][rest[1]], rest[2:]
                elif rest and isinstance(rest[0], str) and rest[0] in entry.field_at:
                    where, sub = entry.field_at[rest[0]], rest[1:]
                else:
                    where, sub = entry.at, rest
                    if entry.new_in_overlay and message.startswith("missing required") and not hint:
                        ident = str(entry.fields.get("id"))
                        others = [e.fields.get("id") for e in entries if e is not entry]
                        close = difflib.get_close_matches(
                            ident, [o for o in others if isinstance(o, str)], n=1
                        )
                        hint = (
                            f"no earlier source has {ident!r} (did you mean {close[0]!r}?), so "
                            "the entry adds a new entity, which needs every required field"
                            if close
                            else "no earlier source has this id, so the entry adds a new "
                            "entity, which needs every required field"
                        )
                return where.problem(sub, message, hint, composed)
        if path[:1] == ("name",) and self.name_at is not None:
            return self.name_at.problem(path[1:], message, hint, composed)
        if path[:1] == ("description",) and self.description_at is not None:
            return self.description_at.problem(path[1:], message, hint, composed)
        first = self.first or _Where(None, None, ())
        return Problem(path=composed, message=message, hint=hint, source=first.source)


def _difference(ours: Any, theirs: Any) -> tuple[str, Any, Any]:
    """Where two unequal values first differ (``".amount"``, ``"[1].service"``), and how."""
    if isinstance(ours, Mapping) and isinstance(theirs, Mapping):
        for key in dict.fromkeys([*ours, *theirs]):
            a, b = ours.get(key, _MISSING), theirs.get(key, _MISSING)
            if a != b:
                where, a, b = _difference(a, b)
                return f".{key}{where}", a, b
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            if a != b:
                where, a, b = _difference(a, b)
                return f"[{index}]{where}", a, b
    return "", ours, theirs


def _shown(value: Any) -> str:
    if value is _MISSING:
        return "(not given)"
    if isinstance(value, Mapping | list):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 80 else text[:77] + "..."
    return show(value)


def compose_parts(parts: Iterable[Part]) -> Portfolio:
    """The portfolio the parts make, left to right, validated as a whole.

    Raises:
        ValidationError: Every problem of the composition at once, each with the file
            (``Problem.source``) and, for documents, the line it comes from.
    """
    composition = Composition()
    for part in parts:
        composition.add(part)
    return composition.result()


def _sources_text(sources: list[str]) -> str | None:
    unique = list(dict.fromkeys(os.fspath(s) for s in sources))
    if not unique:
        return None
    if len(unique) == 1:
        return unique[0]
    return ", ".join(unique[:3]) + (f" and {len(unique) - 3} more" if len(unique) > 3 else "")
