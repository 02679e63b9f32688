"""Importers: portfolios from the catalogs users already keep.

Each importer reads one kind of foreign source into an :class:`~itvalue.Overlay`, which
composes with the business layer the user adds beside it (:func:`itvalue.load`):

* :mod:`itvalue.importers.backstage` — a Backstage software catalog (file or folder);
* :mod:`itvalue.importers.archimate` — an ArchiMate model in the Open Exchange Format;
* :mod:`itvalue.importers.openslo` — OpenSLO service level objectives;
* :mod:`itvalue.importers.cmdb` — CMDB exports as CSV (ServiceNow, iTop).

Sources are recognised here by their content, not only by their name
(:func:`recognise`); an importer module is imported only when a source needs it.
Ids are derived from the source's own identifiers, so re-importing a changed catalog
gives the same ids, and what an importer cannot map is a
:class:`~itvalue.SourceWarning` on the overlay, never dropped silently.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from itvalue.errors import DocumentError
from itvalue.io._overlay import Overlay

__all__ = ["FORMATS", "Known", "Reader", "read_foreign", "recognise"]

#: What the composition so far holds, for importers that resolve names against it:
#: section → id → the entity's fields as in a document.
Known = Mapping[str, Mapping[str, Mapping[str, Any]]]

#: The foreign formats, by the name of the module that reads them.
FORMATS: tuple[str, ...] = ("backstage", "archimate", "openslo", "cmdb")

_HEAD = 16_384
_API_VERSION = re.compile(r"""["']?apiVersion["']?\s*[:=]\s*["']?([A-Za-z0-9_.\-]+)/""")
_ARCHIMATE = "opengroup.org/xsd/archimate"


class Reader(Protocol):
    """What an importer module provides."""

    def __call__(
        self, path: str | os.PathLike[str], *, known: Known | None = None, **options: Any
    ) -> Overlay:
        """The overlay the source at ``path`` makes."""
        ...  # pragma: no cover - a protocol


def _head(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            data = stream.read(_HEAD)
    except OSError as exc:
        raise DocumentError(f"cannot read the file: {exc.strerror}", source=str(path)) from None
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def recognise(path: str | os.PathLike[str]) -> str | None:
    """Which foreign format the source at ``path`` is in; ``None`` for itvalue documents.

    A folder is a Backstage catalog. A file is recognised by its content: an XML
    document in the ArchiMate exchange namespace, a YAML or JSON document whose first
    ``apiVersion`` is Backstage's (``backstage.io/...``) or OpenSLO's (``openslo/...``),
    or a CSV table (``.csv``). Anything else is read as an itvalue document.

    Raises:
        DocumentError: The file cannot be read, or is XML of another kind.
    """
    where = Path(path)
    if where.is_dir():
        return "backstage"
    if not where.is_file():
        return None  # the document reader says what is wrong with it
    head = _head(where)
    if head.lstrip().startswith("<"):
        if _ARCHIMATE in head:
            return "archimate"
        raise DocumentError(
            "an XML file, but not an ArchiMate model in the Open Exchange Format",
            source=os.fspath(path),
            hint="export the model from Archi with File > Export > Model to Open Exchange File",
        )
    found = _API_VERSION.search(head)
    if found is not None:
        group = found.group(1).lower()
        if group == "backstage.io":
            return "backstage"
        if group == "openslo":
            return "openslo"
        return None
    if where.suffix.lower() in (".csv", ".tsv"):
        return "cmdb"
    return None


def read_foreign(
    path: str | os.PathLike[str], format: str, *, known: Known | None = None, **options: Any
) -> Overlay:
    """The overlay an importer makes of a foreign source (``format`` from :func:`recognise`).

    ``options`` go to the importer's ``read`` (for example ``lifecycles`` for Backstage).
    """
    if format not in FORMATS:
        raise DocumentError(
            f"unknown source format {format!r}", hint="use one of: " + ", ".join(FORMATS)
        )
    module = importlib.import_module(f"itvalue.importers.{format}")
    reader: Reader = module.read
    return reader(path, known=known, **options)
