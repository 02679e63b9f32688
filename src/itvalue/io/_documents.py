"""Reading and writing portfolio documents in YAML, JSON and TOML."""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

import msgspec
import tomli_w

from itvalue._gc import paused_gc
from itvalue.errors import DocumentError, Problem, ValidationError
from itvalue.io._converter import QUOTE_HINT, Invalid, render_path, structure_tree, to_dict
from itvalue.io._fast import fast_json
from itvalue.io._overlay import Overlay
from itvalue.io._parse import FORMATS, Locator, decode, parse
from itvalue.io._yaml import dump_yaml
from itvalue.model import Portfolio

__all__ = ["LARGE", "check_format", "dump", "dumps", "format_of", "loads", "located"]

#: Documents longer than this (in characters) count as bulk work for the collector.
LARGE = 1_000_000

_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}


def format_of(path: str | os.PathLike[str]) -> str:
    """The document format a file name's suffix implies.

    Raises:
        DocumentError: The suffix is not one of ``.yaml .yml .json .toml``.
    """
    suffix = Path(path).suffix.lower()
    found = _SUFFIXES.get(suffix)
    if found is None:
        raise DocumentError(
            f"cannot tell the format from the suffix {suffix or '(none)'!r}",
            source=str(path),
            hint="name the file .yaml, .yml, .json or .toml",
        )
    return found


def check_format(format: str) -> str:
    fmt = format.lower()
    if fmt == "yml":
        fmt = "yaml"
    if fmt not in FORMATS:
        raise DocumentError(f"unknown format {format!r}", hint="use one of: " + ", ".join(FORMATS))
    return fmt


def loads(text: str | bytes, format: str = "yaml", *, source: str | None = None) -> Portfolio:
    r"""The portfolio a document describes.

    Args:
        text: The document, as text or UTF-8 bytes.
        format: ``"yaml"``, ``"json"`` or ``"toml"``.
        source: A name for the document in error messages (a file name).

    Raises:
        DocumentError: The text cannot be read at all (syntax, size, depth, tags).
        ValidationError: The document breaks the rules; every problem is listed, each
            with its path and, for YAML, its line.

    Examples:
        >>> import itvalue
        >>> p = itvalue.loads("apiVersion: itvalue/v1\nkind: Portfolio\nname: Tiny\n")
        >>> p.name
        'Tiny'
    """
    fmt = check_format(format)
    if isinstance(text, bytes):
        text = decode(text, source=source)
    with paused_gc(large=len(text) > LARGE):
        tree, locate = parse(text, fmt, source=source)
        return portfolio_of(tree, locate, source=source)


def portfolio_of(tree: Any, locate: Locator, *, source: str | None) -> Portfolio:
    """The portfolio a parsed document holds; problems get lines from ``locate``.

    Raises:
        ValidationError: Every problem of the document, with its path and line.
    """
    try:
        return structure_tree(tree)
    except Invalid as exc:
        raise ValidationError(located(exc, locate), source=source) from None


def located(exc: Invalid, locate: Locator) -> list[Problem]:
    problems = []
    for path, message, hint in exc.problems:
        line, raw = locate(path)
        if hint == QUOTE_HINT and raw is not None:
            hint = f'{QUOTE_HINT}: write "{raw}" if you mean the text'
        problems.append(Problem(path=render_path(path), message=message, hint=hint, line=line))
    return problems


def dumps(portfolio: Portfolio | Overlay, format: str = "yaml", *, indent: int | None = 2) -> str:
    """The document text of a portfolio (or overlay): deterministic, defaults left out.

    Args:
        portfolio: The portfolio, or an :class:`~itvalue.Overlay` (written as given).
        format: ``"yaml"``, ``"json"`` or ``"toml"``.
        indent: For JSON, spaces per level; ``None`` writes compact JSON on one line.

    Examples:
        >>> import itvalue
        >>> print(itvalue.dumps(itvalue.Portfolio(name="Tiny"), format="json"))
        {
          "apiVersion": "itvalue/v1",
          "kind": "Portfolio",
          "name": "Tiny"
        }
    """
    fmt = check_format(format)
    if isinstance(portfolio, Overlay):
        tree = portfolio.to_dict()
        if fmt == "json":
            return json.dumps(tree, indent=indent, ensure_ascii=False) + "\n"
        return _serialize(tree, fmt)
    with paused_gc():
        if fmt == "json":
            # The mirror structs of the fast path encode in C with no tree in between;
            # the output is the same as encoding to_dict(portfolio), and tested to be.
            data = fast_json(portfolio)
            if indent is not None:
                data = msgspec.json.format(data, indent=indent)
            return data.decode("utf-8") + "\n"
        return _serialize(to_dict(portfolio), fmt)


def _serialize(tree: dict[str, Any], fmt: str) -> str:
    """YAML or TOML text of a tree (JSON is encoded from the model, in :func:`dumps`)."""
    if fmt == "toml":
        return tomli_w.dumps(tree)
    return dump_yaml(tree)


def dump(
    portfolio: Portfolio | Overlay, path: str | os.PathLike[str], *, format: str | None = None
) -> None:
    """Write a portfolio to a file, atomically: a failure never leaves a half-written file.

    The text is written to a temporary file in the target's folder and renamed over the
    target only when complete. A file that exists keeps its permissions; a new one gets
    those any new file gets (``0o666`` less the umask). A symbolic link is followed: the
    file it points to is replaced, and the link stays a link.
    """
    fmt = check_format(format) if format else format_of(path)
    text = dumps(portfolio, fmt)
    target = Path(os.path.realpath(path))
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    handle, temporary = _temporary_file(target)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            if mode is not None:
                os.chmod(temporary, mode)
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _temporary_file(target: Path) -> tuple[int, str]:
    """A new file beside ``target``, opened for writing, with a new file's permissions.

    ``tempfile.mkstemp`` would create it readable by its owner alone; creating it with
    ``0o666`` lets the umask (and a folder's default ACL) decide, as for any new file.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _attempt in range(100):
        name = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(name, flags, 0o666), str(name)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")  # pragma: no cover
