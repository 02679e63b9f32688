"""Results as pandas DataFrames."""

from __future__ import annotations

import pytest

import itvalue as iv
from tests.test_checks import TRAPS
from tests.test_graph import CONTOSO

pd = pytest.importorskip("pandas")


def test_to_pandas() -> None:
    """Impact, costs, findings, traces and the graph become DataFrames."""
    g = iv.loads(CONTOSO).graph()
    impact = g.impact("network").to_pandas(hours=2)
    assert list(impact.columns) == [
        "outcome",
        "delivered",
        "unit",
        "currency",
        "period",
        "volume_lost_per_period",
        "value_lost_per_period",
        "hours",
        "volume_lost_over_hours",
        "value_lost_over_hours",
    ]
    row = impact.set_index("outcome").loc["order-delivered"]
    assert row["delivered"] == 0.5
    assert row["period"] == "month"
    assert row["value_lost_per_period"] == pytest.approx(5000 * 42)
    assert row["value_lost_over_hours"] == pytest.approx(2 * 5000 * 42 / 730)
    stages = g.impact("network").to_pandas(what="stages")
    assert list(stages.columns) == ["stream", "stage", "stage_delivered", "stream_delivered"]
    with pytest.raises(iv.AnalysisError, match="unknown table"):
        g.impact("network").to_pandas(what="streams")
    costs = g.allocate_costs().to_pandas()
    assert costs.set_index("outcome").loc["call-answered", "annual_cost"] == pytest.approx(35_000)
    findings = iv.check(iv.loads(TRAPS)).to_pandas()
    assert findings.iloc[0]["code"] == "ITV001"
    assert set(g.trace("network").to_pandas()["kind"]) == {
        "service",
        "process",
        "outcome",
        "segment",
    }
    assert len(g.to_pandas()) == len(g)
