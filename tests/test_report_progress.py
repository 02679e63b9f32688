"""The report: its progress callback, and what it imports only when asked."""

from __future__ import annotations

from hypothesis import given, settings

import itvalue as iv
from itvalue.report import build_report
from itvalue.report._figures import STAGE_STEPS
from itvalue.testing import strategies as ivst


def _calls(portfolio: iv.Portfolio) -> list[tuple[int, int]]:
    seen: list[tuple[int, int]] = []
    build_report(portfolio, progress=lambda done, total: seen.append((done, total)))
    return seen


def test_the_example_reports_each_stage_and_ends_complete() -> None:
    portfolio = iv.example()
    seen = _calls(portfolio)
    total = (5 + len(portfolio.outcomes)) * STAGE_STEPS
    assert seen[-1] == (total, total)
    assert {t for _done, t in seen} == {total}
    # the single points of failure, then the ranking, each finish their stage
    assert seen[:2] == [(STAGE_STEPS, total), (2 * STAGE_STEPS, total)]


@settings(max_examples=25, deadline=None)
@given(p=ivst.portfolios(max_services=8, max_outcomes=3, currencies=("EUR",), text=False))
def test_progress_never_goes_backwards(p: iv.Portfolio) -> None:
    seen = _calls(p)
    done = [d for d, _t in seen]
    assert done == sorted(done)
    assert seen[-1][0] == seen[-1][1]
    assert build_report(p) == build_report(p, progress=lambda _d, _t: None)


def test_the_case_is_imported_when_first_asked_for() -> None:
    """A report does not import the business case; asking the package for it does."""
    import subprocess
    import sys

    import pytest

    import itvalue.report

    code = (
        "import sys, itvalue.report as r; print('itvalue.report._case' in sys.modules); "
        "r.render_case_markdown; print('itvalue.report._case' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "True"], result.stderr
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = itvalue.report.nope
