"""Value-trap checks: practices that keep IT from delivering and showing value.

Each rule is a small function in a registry (:data:`RULES`) with its code, name,
default severity and the reason it is a trap, in the business's words.

Examples:
    >>> import itvalue
    >>> [f.code for f in itvalue.check(itvalue.example())]
    ['ITV007']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

import attrs

from itvalue.checks._rules import RULES, Rule, Severity
from itvalue.errors import UnknownIdError
from itvalue.model import Portfolio

__all__ = [
    "RULES",
    "Finding",
    "Findings",
    "Rule",
    "Severity",
    "check",
    "findings_html",
    "resolve_rules",
]

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


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


def resolve_rules(names: Iterable[str] | None) -> set[str] | None:
    """Rule codes for a mix of codes (``ITV001``) and names (``orphan-service``).

    Raises:
        UnknownIdError: A code or name matches no rule.
    """
    if names is None:
        return None
    by_name = {rule.name: code for code, rule in RULES.items()}
    codes: set[str] = set()
    for name in names:
        key = name.strip()
        if key.upper() in RULES:
            codes.add(key.upper())
        elif key in by_name:
            codes.add(by_name[key])
        else:
            raise UnknownIdError(
                key,
                expected="rule",
                hint="rules: " + ", ".join(f"{c} {r.name}" for c, r in RULES.items()),
            )
    return codes


def check(
    portfolio: Portfolio,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    *,
    severities: Mapping[str, Severity | str] | None = None,
) -> Findings:
    """The value traps in a portfolio, sorted by code, subject and message.

    Args:
        portfolio: The portfolio to check.
        select: Only these rules (codes or names); all when ``None``.
        ignore: Leave out these rules (codes or names).
        severities: Override the default severity of rules, by code or name.

    Raises:
        UnknownIdError: A rule named in ``select``, ``ignore`` or ``severities`` does
            not exist.

    Complexity: dominated by the single-points-of-failure rule, one failure cascade
    per live service; the others are O(V + E).
    """
    chosen = set(RULES) if select is None else resolve_rules(select) or set()
    chosen -= resolve_rules(ignore) or set()
    overrides: dict[str, Severity] = {}
    for key, value in (severities or {}).items():
        (code,) = resolve_rules([key]) or set()
        overrides[code] = Severity(value)
    graph = portfolio.graph()
    findings = Findings()
    for code in sorted(chosen):
        rule = RULES[code]
        severity = overrides.get(code, rule.severity)
        for subject, message in rule.function(portfolio, graph):
            findings.append(
                Finding(
                    code=code, rule=rule.name, severity=severity, subject=subject, message=message
                )
            )
    findings.sort(key=Finding.sort_key)
    return findings


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
