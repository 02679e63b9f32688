"""Every error :mod:`itvalue` raises on purpose.

The tree::

    ItValueError                      base of everything below; catch this to catch us
    ├── ValidationError (ValueError)  a model or document breaks the rules;
    │                                 ``.problems`` lists every problem at once
    ├── DocumentError (ValueError)    a document cannot be read at all: bad syntax,
    │                                 too big, too deep, forbidden tag, not UTF-8
    ├── UnknownIdError (KeyError)     an analysis was asked about an id that is not there
    └── AnalysisError (ValueError)    an analysis cannot answer as asked (too many states
                                      for ``exact``, several currencies and none named)

Each error carries the data that caused it, not only a message: a
:class:`ValidationError` has its :class:`Problem` tuples (path, message, hint,
line), a :class:`DocumentError` its source and line, an :class:`UnknownIdError`
the id and the kind of node that was expected.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = [
    "AnalysisError",
    "DocumentError",
    "ItValueError",
    "Problem",
    "UnknownIdError",
    "ValidationError",
]


class ItValueError(Exception):
    """Base of every error the library raises on purpose."""


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with a model or document.

    Attributes:
        path: Where the bad value sits, e.g. ``services[3].depends_on[0].service``;
            empty for the document as a whole.
        message: What is wrong, with the offending value shown.
        hint: How to fix it, when there is a likely fix ("did you mean ...?").
        line: The 1-based line in the source file, when known.
        source: The file the problem is in, when a portfolio was composed from several
            (see :func:`itvalue.load`); ``None`` when it is the error's own ``source``.
    """

    path: str
    message: str
    hint: str = ""
    line: int | None = None
    source: str | None = None

    def __str__(self) -> str:
        where = self.path or "(document)"
        if self.source is not None and self.line is not None:
            where += f" ({self.source}, line {self.line})"
        elif self.source is not None:
            where += f" ({self.source})"
        elif self.line is not None:
            where += f" (line {self.line})"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" [hint: {self.hint}]"
        return text


class ValidationError(ItValueError, ValueError):
    """A model or document breaks the rules; ``problems`` lists all of them.

    Attributes:
        problems: Every problem found, in document order.
        source: The file name the document came from, when it came from one.
    """

    problems: tuple[Problem, ...]
    source: str | None

    def __init__(self, problems: Iterable[Problem], *, source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''}"
        if self.source:
            head += f" in {self.source}"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_validation_error, (self.problems, self.source))


def _rebuild_validation_error(problems: tuple[Problem, ...], source: str | None) -> ValidationError:
    return ValidationError(problems, source=source)


class DocumentError(ItValueError, ValueError):
    """A document cannot be read at all (syntax, size, depth, tags, encoding).

    Attributes:
        reason: What is wrong, in one sentence.
        source: The file name, when the document came from a file.
        line: The 1-based line where the problem was found, when known.
        hint: How to fix it, when there is a likely fix.
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str | None = None,
        line: int | None = None,
        hint: str = "",
    ) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        self.hint = hint
        where = source or "document"
        if line is not None:
            where += f", line {line}"
        text = f"{where}: {reason}"
        if hint:
            text += f" [hint: {hint}]"
        super().__init__(text)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_document_error, (self.reason, self.source, self.line, self.hint))


def _rebuild_document_error(
    reason: str, source: str | None, line: int | None, hint: str
) -> DocumentError:
    return DocumentError(reason, source=source, line=line, hint=hint)


class UnknownIdError(ItValueError, KeyError):
    """An id that the portfolio (or the requested kind of node) does not hold.

    Attributes:
        id: The id asked for.
        expected: The kind of entity that was expected ("service", "node", ...).
        hint: A close match, when there is one.
    """

    def __init__(self, id: str, *, expected: str = "entity", hint: str = "") -> None:
        self.id = id
        self.expected = expected
        self.hint = hint
        super().__init__(id)

    def __str__(self) -> str:
        text = f"unknown {self.expected} id {self.id!r}"
        if self.hint:
            text += f" [hint: {self.hint}]"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_unknown_id, (self.id, self.expected, self.hint))


def _rebuild_unknown_id(id: str, expected: str, hint: str) -> UnknownIdError:
    return UnknownIdError(id, expected=expected, hint=hint)


class AnalysisError(ItValueError, ValueError):
    """An analysis cannot answer the question as asked.

    Attributes:
        hint: What to do instead (for example: use ``method="monte_carlo"``).
    """

    def __init__(self, message: str, *, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(message + (f" [hint: {hint}]" if hint else ""))

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_analysis_error, (self.message, self.hint))


def _rebuild_analysis_error(message: str, hint: str) -> AnalysisError:
    return AnalysisError(message, hint=hint)
