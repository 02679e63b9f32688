"""Running the value-trap rules over a portfolio."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from itvalue.checks._findings import Finding, Findings
from itvalue.checks._rules import RULES, Severity
from itvalue.errors import UnknownIdError
from itvalue.model import Portfolio

__all__ = ["check", "resolve_rules"]


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
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
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

    Complexity: dominated by the single-point-of-failure rule, which finds every
    single-service failure at once with bitsets — O((V + E) · V / 64) word operations
    (see :func:`~itvalue.analysis.impact.single_points_of_failure`); the others are
    O(V + E).
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
