"""Value-trap checks: practices that keep IT from delivering and showing value.

Each rule is a small function in a registry (:data:`RULES`) with its code, name,
default severity and the reason it is a trap, in the business's words; :func:`check`
runs them and returns :class:`Findings`.

Examples:
    >>> import itvalue
    >>> [f.code for f in itvalue.check(itvalue.example())]
    ['ITV007']
"""

from itvalue.checks._findings import Finding, Findings, findings_html
from itvalue.checks._rules import RULES, Rule, Severity
from itvalue.checks._run import check, resolve_rules

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
