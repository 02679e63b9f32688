"""The benchmark results read one way: every ratio is the baseline's figure ÷ ours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from benchmarks.__main__ import Row, table

RESULTS = Path(__file__).parent.parent / "benchmarks" / "RESULTS.md"


def _rows() -> list[list[str]]:
    text = RESULTS.read_text(encoding="utf-8")
    head = "| figure | ours | baseline | its figure | baseline ÷ ours | target | met |"
    assert head in text
    lines = text.split(head, 1)[1].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _number(cell: str) -> float:
    found = re.match(r"[\d.,]+", cell)
    assert found, cell
    return float(found.group().replace(",", ""))


def test_every_ratio_is_the_baseline_over_ours() -> None:
    """Each row's ratio is its figure ÷ ours, to the rounding of the times shown."""
    rows = _rows()
    assert len(rows) == 8
    for figure, ours, _name, theirs, ratio, target, met in rows:
        expected = _number(theirs) / _number(ours)
        # Times are rounded to the millisecond, so short ones carry a wider error.
        assert _number(ratio) == pytest.approx(expected, rel=0.02), figure
        least = _number(target.lstrip(">= "))
        assert (met == "yes") == (_number(ratio) >= least), figure


def test_table_writes_memory_against_its_budget() -> None:
    """The memory row shows the budget and the budget ÷ ours, like every other row."""
    text = table([Row("memory", 800.0, "budget", 1024.0, 1.28, "> 1x", True, "B/edge")])
    assert "| memory | 800 B/edge | budget | 1024 B/edge | 1.28x | > 1x | yes |" in text
    assert "baseline ÷ ours" in text
