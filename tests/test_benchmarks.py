"""The benchmark generator makes valid, enterprise-shaped portfolios."""

from __future__ import annotations

from benchmarks.__main__ import Row, table
from benchmarks.generate import SIZES, generate

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
