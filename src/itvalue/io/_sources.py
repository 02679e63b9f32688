"""Sources of every kind, read and composed: :func:`load`, :func:`read`, :func:`compose`."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from typing import Any

from itvalue._gc import paused_gc
from itvalue.errors import DocumentError
from itvalue.io._compose import Composition, Part, part_of, part_of_tree
from itvalue.io._documents import LARGE, check_format, format_of, portfolio_of
from itvalue.io._envelope import KIND
from itvalue.io._overlay import SECTIONS, Origin, Overlay
from itvalue.io._parse import decode, parse, read_file
from itvalue.model import Portfolio

__all__ = ["compose", "load", "read"]

_TOML_START = re.compile(r"(?m)^\s*apiVersion\s*=")
_YAML_START = re.compile(r"(?m)^\s*apiVersion\s*:")


def _document_format(path: str | os.PathLike[str], text: str) -> str:
    """The format of an itvalue document: from its suffix, else from its first lines."""
    try:
        return format_of(path)
    except DocumentError:
        head = text[:4096].lstrip()
        if head.startswith("{"):
            return "json"
        if _TOML_START.search(head):
            return "toml"
        if _YAML_START.search(head):
            return "yaml"
        raise


def _document(path: str | os.PathLike[str], format: str | None) -> tuple[str, str, str]:
    """The name, text and format of an itvalue document file."""
    name = os.fspath(path)
    text = decode(read_file(path, name), source=name)
    fmt = check_format(format) if format else _document_format(path, text)
    return name, text, fmt


def _foreign(path: str | os.PathLike[str]) -> str | None:
    from itvalue.importers import recognise

    return recognise(path)


def _imported(
    path: str | os.PathLike[str],
    format: str,
    composition: Composition | None,
    options: Mapping[str, Mapping[str, Any]] | None,
) -> Overlay:
    from itvalue.importers import read_foreign

    known = composition.known() if composition is not None else None
    return read_foreign(path, format, known=known, **(options or {}).get(format, {}))


def load(
    *paths: str | os.PathLike[str],
    format: str | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> Portfolio:
    """The portfolio in one file, or composed from several sources, left to right.

    Each source is an itvalue document (``kind: Portfolio`` or ``kind: Overlay``, in
    YAML, JSON or TOML), or a catalog an importer reads: a Backstage catalog file or
    folder, an ArchiMate exchange file, OpenSLO YAML, a CMDB CSV table — recognised by
    content. Overlays change or extend what earlier sources hold (see the format
    reference); the result is validated as a whole. What an importer could not map is
    issued as a :class:`~itvalue.SourceWarning` through :mod:`warnings`.

    Args:
        paths: One or more files (or, for Backstage, folders).
        format: For itvalue documents, ``"yaml"``, ``"json"`` or ``"toml"``; by default
            from the suffix (or, without a known suffix, from the content).
        options: Options for importers, by importer name: for example
            ``{"backstage": {"lifecycles": {"beta": "live"}}}``.

    Raises:
        DocumentError: A source cannot be read, or its text cannot be parsed.
        ValidationError: The composition breaks the rules: every problem at once, each
            with its file (``Problem.source``) and line.

    Examples:
        >>> import itvalue
        >>> p = itvalue.load("examples/northwind.yaml")
        >>> p.name
        'Northwind Retail'
    """
    if not paths:
        raise TypeError("load() needs at least one source")
    composition = Composition()
    for path in paths:
        foreign = _foreign(path)
        if foreign is not None:
            overlay = _imported(path, foreign, composition, options)
            for warning in overlay.warnings:
                warnings.warn(warning, stacklevel=2)
            composition.add(part_of(overlay))
            continue
        name, text, fmt = _document(path, format)
        with paused_gc(large=len(text) > LARGE):
            tree, locate = parse(text, fmt, source=name)
            if len(paths) == 1 and isinstance(tree, dict) and tree.get("kind") == KIND:
                # One portfolio document: the structurer reads it as it always has.
                return portfolio_of(tree, locate, source=name)
            composition.add(part_of_tree(tree, source=name, locate=locate))
    return composition.result()


def compose(*parts: Portfolio | Overlay) -> Portfolio:
    """The portfolio that portfolios and overlays in memory make, composed left to right.

    The rules are :func:`load`'s: an overlay changes or extends what earlier parts hold,
    two portfolios must agree on every entity they both hold.

    Raises:
        ValidationError: Every problem of the composition at once.

    Examples:
        >>> import itvalue
        >>> base = itvalue.example("northwind")
        >>> faster = itvalue.Overlay(
        ...     sections={"services": [{"id": "payments", "recovery_hours": 2}]}
        ... )
        >>> itvalue.compose(base, faster).get("payments").recovery_hours
        2.0
    """
    composition = Composition()
    for part in parts:
        composition.add(part_of(part))
    return composition.result()


def read(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> Portfolio | Overlay:
    """The one source at ``path``, not composed: a portfolio, or an overlay.

    An itvalue portfolio document gives a :class:`~itvalue.Portfolio`; an overlay
    document, or any catalog an importer reads, an :class:`~itvalue.Overlay` (with the
    importer's warnings on it), to inspect, dump, or compose later.

    Raises:
        DocumentError: The source cannot be read.
        ValidationError: A portfolio document breaks the rules, or an overlay's envelope
            or entries are malformed.
    """
    foreign = _foreign(path)
    if foreign is not None:
        return _imported(path, foreign, None, options)
    name, text, fmt = _document(path, format)
    with paused_gc(large=len(text) > LARGE):
        tree, locate = parse(text, fmt, source=name)
        part = part_of_tree(tree, source=name, locate=locate)
        if part.kind == KIND:
            return portfolio_of(tree, locate, source=name)
    return _overlay_of(part)


def _overlay_of(part: Part) -> Overlay:
    tree = part.tree
    origins: dict[tuple[str, str], Origin] = {}
    sections: dict[str, Any] = {}
    for section in SECTIONS:
        entries = tree.get(section)
        if not entries:
            continue
        sections[section] = entries
        for index, entry in enumerate(entries):
            line = part.locate((section, index))[0] if part.locate is not None else None
            origins[(section, entry["id"])] = Origin(source=part.source, line=line)
    return Overlay(
        name=tree.get("name"),
        description=tree.get("description"),
        sections=sections,
        origins=origins,
        source=part.source,
    )
