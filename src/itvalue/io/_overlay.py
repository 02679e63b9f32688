r"""Overlays: partial portfolios that add to or change what earlier sources hold.

An :class:`Overlay` is what a ``kind: Overlay`` document holds, and what every importer
returns: the sections of a portfolio, whose entries each name an ``id`` and give any
subset of that entity's fields, written as in a document. Composition
(:func:`itvalue.compose`) lays overlays over earlier sources; nothing in an overlay is
checked against the model until then, because an entry may be a few fields of an entity
another source holds.

What an importer could not map travels with its overlay as :class:`SourceWarning`\\ s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from itvalue._frozen import FrozenDict, frozen
from itvalue.errors import Problem, ValidationError
from itvalue.io._envelope import API_VERSION
from itvalue.model._integrity import COLLECTIONS

__all__ = [
    "OVERLAY_KIND",
    "SECTIONS",
    "Origin",
    "Overlay",
    "SourceWarning",
    "entry_problems",
    "freeze",
    "thaw",
]

#: The ``kind`` of an overlay document.
OVERLAY_KIND = "Overlay"

#: The sections of a portfolio (and of an overlay), in document order.
SECTIONS: tuple[str, ...] = tuple(name for name, _cls, _kind in COLLECTIONS)


class SourceWarning(UserWarning):
    """Something in a source that could not be mapped, and was left out.

    Importers never drop anything silently: each such thing becomes one of these, on the
    overlay's ``warnings``; :func:`itvalue.load` issues them through :mod:`warnings`.

    Attributes:
        code: A stable name for the kind of warning (``"backstage-unmapped-kind"``).
        message: What was left out, and why.
        source: The file it is in, when known.
        line: The 1-based line, when known.
        hint: What to do about it, when something helps.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        source: str | None = None,
        line: int | None = None,
        hint: str = "",
    ) -> None:
        self.code = code
        self.message = message
        self.source = source
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where += f", line {self.line}" if where else f"line {self.line}"
        text = f"{where}: {self.message}" if where else self.message
        text += f" [{self.code}]"
        if self.hint:
            text += f" [hint: {self.hint}]"
        return text

    def _key(self) -> tuple[str, str, str | None, int | None, str]:
        return (self.code, self.message, self.source, self.line, self.hint)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceWarning):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_warning, self._key())


def _rebuild_warning(
    code: str, message: str, source: str | None, line: int | None, hint: str
) -> SourceWarning:
    return SourceWarning(message, code=code, source=source, line=line, hint=hint)


@attrs.frozen(kw_only=True)
class Origin:
    """Where an overlay entry came from: the file and line of the source it was read from.

    Attributes:
        source: The file.
        line: The 1-based line, when known.
    """

    source: str | None = None
    line: int | None = None


def freeze(value: Any) -> Any:
    """A read-only copy of a document tree: mappings become FrozenDicts, lists tuples."""
    if isinstance(value, Mapping):
        return FrozenDict({key: freeze(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """A plain, mutable copy of a document tree (dicts and lists)."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(item) for item in value]
    return value


def entry_problems(entries: Iterable[Any]) -> Iterator[tuple[int, str, str]]:
    """What is wrong with an overlay section's entries: ``(index, message, hint)``.

    An entry must be a mapping that names its entity by a text ``id``; the rest of it
    is checked when composed.
    """
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            yield index, "an entry must be a mapping", ""
        elif not isinstance(entry.get("id"), str):
            yield (
                index,
                "an overlay entry needs an id",
                "give the id of the entity it changes, or of a new one",
            )


def _sections(value: Mapping[str, Iterable[Mapping[str, Any]]]) -> FrozenDict[str, Any]:
    problems: list[Problem] = []
    out: dict[str, tuple[Any, ...]] = {}
    for name, entries in value.items():
        if name not in SECTIONS:
            problems.append(
                Problem(
                    path=str(name),
                    message=f"unknown section {name!r}",
                    hint="sections are: " + ", ".join(SECTIONS),
                )
            )
            continue
        frozen = tuple(freeze(entry) for entry in entries)
        problems.extend(
            Problem(path=f"{name}[{index}]", message=message, hint=hint)
            for index, message, hint in entry_problems(frozen)
        )
        if frozen:
            out[name] = frozen
    if problems:
        raise ValidationError(problems)
    # Document order, whatever order the sections were given in.
    return FrozenDict({name: out[name] for name in SECTIONS if name in out})


def _warnings(value: Iterable[SourceWarning]) -> tuple[SourceWarning, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Overlay:
    """Entries that add entities to earlier sources, or change some of their fields.

    Each entry is a mapping as in a document (``{"id": "crm", "recovery_hours": 4}``).
    For an id an earlier source holds, the fields given replace its scalar fields and
    extend its lists (an item for a target already listed replaces it); a new id must
    be a complete entity. Entries are checked when composed (:func:`itvalue.compose`).

    Attributes:
        name: When given, the name of the composed portfolio.
        description: When given, its description.
        sections: Entries by section (``"services"``, ``"outcomes"``, ...).
        warnings: What the source held that could not be mapped (importers).
        origins: Where entries came from, by ``(section, id)``, for error messages.
        source: The file the overlay was read from, when it was.

    Examples:
        >>> from itvalue import Overlay
        >>> o = Overlay(sections={"services": [{"id": "crm", "recovery_hours": 4}]})
        >>> o.entries("services")[0]["recovery_hours"]
        4
    """

    name: str | None = None
    description: str | None = None
    sections: FrozenDict[str, tuple[FrozenDict[str, Any], ...]] = attrs.field(
        factory=FrozenDict, converter=_sections
    )
    warnings: tuple[SourceWarning, ...] = attrs.field(default=(), converter=_warnings)
    origins: FrozenDict[tuple[str, str], Origin] = attrs.field(factory=FrozenDict, converter=frozen)
    source: str | None = None

    def entries(self, section: str) -> tuple[FrozenDict[str, Any], ...]:
        """The entries of one section, in order (empty when it has none)."""
        return self.sections.get(section, ())

    def to_dict(self) -> dict[str, Any]:
        """The document tree of the overlay (``kind: Overlay``), as plain dicts and lists."""
        tree: dict[str, Any] = {"apiVersion": API_VERSION, "kind": OVERLAY_KIND}
        if self.name is not None:
            tree["name"] = self.name
        if self.description is not None:
            tree["description"] = self.description
        for name, entries in self.sections.items():
            tree[name] = thaw(entries)
        return tree
