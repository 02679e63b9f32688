"""A finding of a value-trap rule, and a list of them that shows itself in notebooks."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

import attrs

from itvalue.checks._rules import RULES, Severity

__all__ = ["Finding", "Findings", "findings_html"]


@attrs.frozen(kw_only=True, order=False)
class Finding:
    """One value trap found in a portfolio.

    Attributes:
        code: The rule's code, such as ``ITV001``.
        rule: The rule's name, such as ``orphan-service``.
        severity: ``error``, ``warning`` or ``info``.
        subject: The id of the entity at fault.
        message: What was found.
    """

    code: str
    rule: str
    severity: Severity
    subject: str
    message: str

    @property
    def rationale(self) -> str:
        """Why the rule's finding is a trap, in the business's words."""
        return RULES[self.code].rationale

    def sort_key(self) -> tuple[str, str, str]:
        """Findings sort by code, then subject, then message."""
        return (self.code, self.subject, self.message)

    def __str__(self) -> str:
        return f"{self.code} [{self.severity.value}] {self.subject}: {self.message}"

    def _repr_html_(self) -> str:
        return findings_html([self])


class Findings(list[Finding]):
    """A list of findings that also shows itself as a table in notebooks."""

    def _repr_html_(self) -> str:
        return findings_html(self)

    def to_pandas(self) -> Any:
        """The findings as a pandas DataFrame (code, rule, severity, subject, message)."""
        from itvalue._pandas import frame

        columns = ["code", "rule", "severity", "subject", "message"]
        return frame([{c: str(getattr(f, c)) for c in columns} for f in self], columns)

    @property
    def has_errors(self) -> bool:
        """Whether any finding has error severity."""
        return any(f.severity is Severity.ERROR for f in self)


def findings_html(findings: Iterable[Finding]) -> str:
    """The findings as an HTML table, for notebooks and reports."""
    rows = "".join(
        f"<tr><td>{escape(f.code)}</td><td>{escape(f.severity.value)}</td>"
        f"<td>{escape(f.subject)}</td><td>{escape(f.message)}</td></tr>"
        for f in findings
    )
    return (
        "<table><thead><tr><th>code</th><th>severity</th><th>subject</th><th>finding</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )
