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
        "volume_lost",
        "unit",
        "value_lost",
        "currency",
    ]
    row = impact.set_index("outcome").loc["order-delivered"]
    assert row["delivered"] == 0.5
    assert row["value_lost"] == pytest.approx(2 * 5000 * 42 / 730)
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
