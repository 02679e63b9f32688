"""The benchmark results read one way: every ratio is the baseline's figure ÷ ours."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.__main__ import Row, table

RESULTS = Path(__file__).parent.parent / "benchmarks" / "RESULTS.md"


HEAD = "| figure | ours | baseline | its figure | baseline ÷ ours | target | met |"


def _tables() -> list[list[list[str]]]:
    """Every results table in the file, as rows of cells."""
    text = RESULTS.read_text(encoding="utf-8")
    tables = []
    for part in text.split(HEAD)[1:]:
        rows = []
        for line in part.splitlines()[2:]:
            if not line.startswith("|"):
                break
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        tables.append(rows)
    return tables


def _number(cell: str) -> float:
    found = re.match(r"[\d.,]+", cell)
    assert found, cell
    return float(found.group().replace(",", ""))


def test_every_ratio_is_the_baseline_over_ours() -> None:
    """Each row's ratio is its figure ÷ ours, to the rounding of the times shown."""
    tables = _tables()
    assert len(tables) >= 3  # the reference size, the million size, the CMDB shape
    for rows in tables:
        assert rows
        for figure, ours, _name, theirs, ratio, target, met in rows:
            # Times are rounded to the millisecond, so short ones carry a wider error,
            # and one under half a millisecond shows as 0.000: its ratio cannot be redone.
            if _number(ours) > 0:
                # Each time may be up to half a unit of its last digit off (0.0005 s).
                low = (_number(theirs) - 0.0005) / (_number(ours) + 0.0005)
                high = (_number(theirs) + 0.0005) / max(_number(ours) - 0.0005, 1e-9)
                assert low * 0.98 - 0.006 <= _number(ratio) <= high * 1.02 + 0.006, figure
            least = _number(target.lstrip(">= "))
            assert (met == "yes") == (_number(ratio) >= least), figure


def test_the_million_table_states_every_analysis_and_its_growth() -> None:
    """The million size has the four analyses against their budget, and their growth."""
    text = " ".join(" ".join(row) for rows in _tables() for row in rows)
    for name in ("rank_services", "single_points_of_failure", "recovery_needs", "rank_suppliers"):
        assert f"growth 100k → 1M services: {name}()" in text
    assert "budget: 5 minutes" in text
    assert "ProcessPoolExecutor(2)" in text


def test_table_writes_memory_against_its_budget() -> None:
    """The memory row shows the budget and the budget ÷ ours, like every other row."""
    text = table([Row("memory", 800.0, "budget", 1024.0, 1.28, "> 1x", True, "B/edge")])
    assert "| memory | 800 B/edge | budget | 1024 B/edge | 1.28x | > 1x | yes |" in text
    assert "baseline ÷ ours" in text
