"""The benchmark generator makes valid, enterprise-shaped portfolios."""

from __future__ import annotations

from benchmarks.__main__ import Row, Table, table
from benchmarks.generate import CMDB_SIZES, SIZES, generate, generate_cmdb

import itvalue as iv


def test_small_portfolio_is_valid_and_shaped_like_the_reference() -> None:
    """The small size loads, has redundancy groups and partial shares, and is seeded."""
    tree = generate("small")
    assert tree == generate("small")
    assert tree != generate("small", seed=1)
    p = iv.from_dict(tree)
    size = SIZES["small"]
    assert len(p.services) == size.technical + size.platform + size.business
    assert any(d.group for s in p.services for d in s.depends_on)
    assert any(g.min_up == 2 for s in p.services for g in s.groups)
    assert any(sup.share < 1 for s in p.services for sup in s.supports)
    edges = p.graph().nx.number_of_edges()
    assert 5 * len(p.services) < edges < 7 * len(p.services)


def test_table() -> None:
    """The results table shows ratios and whether each target is met."""
    text = table(
        [
            Row("loads", 1.0, "pydantic", 2.5, 2.5, ">= 2x faster", True),
            Row(
                "memory",
                800.0,
                "budget: 1 KiB per edge",
                1024.0,
                1.28,
                "> 1x (under budget)",
                True,
                "B/edge",
            ),
        ]
    )
    assert "| loads | 1.000 s | pydantic | 2.500 s | 2.50x | >= 2x faster | yes |" in text
    assert (
        "| memory | 800 B/edge | budget: 1 KiB per edge | 1024 B/edge | 1.28x"
        " | > 1x (under budget) | yes |"
    ) in text


def test_the_million_size_is_the_reference_times_ten() -> None:
    """800k technical, 100k platform, 100k business, 20k processes, 5k products, 2k outcomes."""
    million, reference = SIZES["million"], SIZES["reference"]
    assert (million.technical, million.platform, million.business) == (800_000, 100_000, 100_000)
    assert (million.processes, million.products, million.outcomes) == (20_000, 5_000, 2_000)
    assert million.services == 10 * reference.services
    assert CMDB_SIZES["million"] == 10 * CMDB_SIZES["reference"]


def test_cmdb_portfolio_is_valid_and_has_its_hubs() -> None:
    """Layers from hosts to business services, hubs in pairs and a 2-of-3 cluster."""
    tree = generate("small", shape="cmdb")
    assert tree == generate_cmdb(CMDB_SIZES["small"])
    assert tree != generate("small", shape="cmdb", seed=1)
    p = iv.from_dict(tree)
    assert len(p.services) == CMDB_SIZES["small"]
    prefixes = {s.id.split("-")[0] for s in p.services}
    assert {"host", "vm", "mw", "app", "biz", "dns", "idp", "net"} <= prefixes
    assert any(g.min_up == 2 for s in p.services for g in s.groups)
    assert all(s.provided_by for s in p.services if s.id.startswith("host-"))
    assert any(o.max_outage_hours for o in p.outcomes)
    g = p.graph()
    # Almost everything stands on the core router, and nothing stands alone on DNS.
    assert len(g.impact("core-router").down) > 0.5 * len(p.services)
    assert g.impact("dns-a").down == frozenset({"dns-a"})
    assert g.rank_suppliers()[0][1] > 0


def test_budget_rows_read_like_every_other_row() -> None:
    """A budget is the baseline: the row's ratio is the budget ÷ ours."""
    rows = Table()
    row = rows.budget("rank_services()", 100.0, 300.0, "5 minutes")
    assert row.ratio == 3.0
    assert row.met
    assert row.baseline_name == "budget: 5 minutes"
    assert not rows.budget("slow", 600.0, 300.0, "5 minutes").met
