"""Exports, the SVG picture and the business report, with their figures checked."""

from __future__ import annotations

import io
import json
import re

import networkx as nx
import pytest
from hypothesis import given

import itvalue as iv
from itvalue.report import build_report, money_text, render_html, render_markdown
from itvalue.testing import strategies as ivst
from itvalue.viz import export, to_dot, to_graphml, to_json, to_mermaid, to_svg
from tests.test_checks import TRAPS
from tests.test_graph import CONTOSO


@given(p=ivst.portfolios(max_services=6))
def test_graphml_round_trip(p: iv.Portfolio) -> None:
    """networkx.read_graphml loads our GraphML back with the same nodes and edges."""
    g = p.graph()
    back = nx.read_graphml(io.BytesIO(to_graphml(g).encode("utf-8")))
    assert set(back.nodes) == set(g.nx.nodes)
    assert set(back.edges) == set(g.nx.edges)
    for node, data in back.nodes(data=True):
        assert data["kind"] == g.nx.nodes[node]["kind"]
        assert data["name"] == g.nx.nodes[node]["entity"].name
    for u, v, data in back.edges(data=True):
        original = g.nx.edges[u, v]
        if "share" in original:
            assert data["share"] == pytest.approx(original["share"])
        if original.get("group"):
            assert data["group"] == original["group"]


def test_mermaid_and_dot(northwind: iv.Portfolio) -> None:
    """Mermaid and DOT carry every node and edge, with labels and escapes."""
    g = northwind.graph()
    mermaid = to_mermaid(g)
    assert mermaid.startswith("flowchart LR\n")
    assert 'subgraph services["IT services"]' in mermaid
    assert 'n2["Payments"]' in mermaid
    assert "n0 -.->|one of db| n2" in mermaid
    assert mermaid.count("-->") + mermaid.count("-.->") == g.nx.number_of_edges()
    dot = to_dot(g)
    assert dot.startswith('digraph "Northwind Retail" {')
    assert '"db-a" -> "payments" [label="one of db", style=dashed];' in dot
    assert dot.count("->") == g.nx.number_of_edges()
    tricky = iv.loads(CONTOSO.replace("name: Payments", 'name: Pay "now" <x>')).graph()
    assert "Pay #quot;now#quot; #lt;x#gt;" in to_mermaid(tricky)
    assert 'label="Pay \\"now\\" <x>"' in to_dot(tricky)
    assert "|50%|" in to_mermaid(tricky)


def test_json_export_and_dispatch(northwind: iv.Portfolio) -> None:
    """The JSON export lists nodes and edges; export() dispatches by name."""
    g = northwind.graph()
    tree = json.loads(to_json(g))
    assert {n["id"] for n in tree["nodes"]} == set(g.nx.nodes)
    assert {"source": "db-a", "target": "payments", "group": "db"} in tree["edges"]
    assert export(g, "json") == to_json(g)
    with pytest.raises(iv.ItValueError, match="unknown export format"):
        export(g, "png")


def test_svg_picture(northwind: iv.Portfolio) -> None:
    """The picture is SVG with a box per node and a path per edge."""
    svg = to_svg(northwind.graph())
    assert svg.startswith("<svg")
    assert svg.count("<rect") == 7
    assert svg.count("marker-end=") == 6
    assert "stroke-dasharray" in svg


def test_money_text() -> None:
    """Money reads the way people write it."""
    assert money_text(575.34, "EUR") == "€575"
    assert money_text(575.34, "EUR", about=True) == "about €575"
    assert money_text(1.5, "USD") == "$1.50"
    assert money_text(1, "EUR", cents=True) == "€1.00"
    assert money_text(1234567, "CHF") == "1,234,567 CHF"


def test_report_figures_are_correct() -> None:
    """The report shows the hand-computed figures of the Contoso portfolio."""
    p = iv.loads(CONTOSO)
    report = build_report(p)
    assert [r.service.id for r in report.risks] == ["payments", "network", "wms", "crm"]
    assert report.risks[0].sentence() == "An hour without Payments: 14 orders fewer, about €575"
    assert report.risks[1].money["EUR"] == pytest.approx(5000 * 42 / 730 + 6)
    assert report.total_cost == {"EUR": 227_000}
    assert report.unallocated == {"EUR": 7_000}
    orders = report.outcomes[0]
    assert orders.yearly_value == iv.Money(amount=120_000 * 42, currency="EUR")
    assert orders.cost_per_unit["EUR"] == pytest.approx(185_000 / 120_000)
    expected = p.graph().expected_delivery("order-delivered")
    assert orders.expected_value_lost is not None
    assert orders.expected_value_lost.amount == pytest.approx(120_000 * 42 * (1 - expected))
    assert report.single_points == {"Order delivered": ["Payments"]}

    text = render_markdown(report, p)
    assert "# What IT does for the customers of Contoso" in text
    assert "| Order delivered | Shoppers | 10,000 orders a month | €42 | €5,040,000 |" in text
    assert "| Order delivered | €185,000 | €1.54 per order |" in text
    assert "| Call answered | €35,000 | €4.00 per call |" in text
    assert (
        "> €7,000 a year (3%) pays for things that reach no customer outcome: Fax gateway." in text
    )
    assert "| Payments | 14 orders fewer | about €575 |" in text
    assert "| Network | 6.8 orders fewer, 0.6 calls fewer | about €294 |" in text
    assert f"about €{120_000 * 42 * (1 - expected):,.0f}" in text
    assert "If Payments stops, no “Order delivered” happens at all." in text
    assert "**Service that serves no customer** (ITV001, warning)" in text
    assert "  - Live service 'legacy-fax' reaches no customer outcome" in text
    # The words a business reader would not know stay out of it.
    for jargon in ("availability", "SLA", "node", "graph", "ITV0 ", "dependency"):
        assert jargon not in text.split("## Value traps")[0]


def test_html_report_is_self_contained() -> None:
    """The HTML report is one file with the picture inline and nothing fetched."""
    p = iv.loads(CONTOSO)
    html = render_html(build_report(p), p)
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html
    assert not re.search(r"""(src|href)=["']?https?:""", html)
    assert "<td>about €575</td>" in html
    assert "<strong>Service that serves no customer</strong>" in html


def test_report_of_an_empty_and_a_trapped_portfolio() -> None:
    """A report still reads sensibly when there is little or much to say."""
    empty = iv.Portfolio(name="Empty")
    text = render_markdown(build_report(empty), empty)
    assert "No customer outcomes are described yet" in text
    assert "No IT service has a cost recorded yet." in text
    assert "No single IT service can stop a customer outcome entirely on its own." in text
    assert "None found." in text
    trapped = iv.loads(TRAPS)
    text = render_markdown(build_report(trapped), trapped)
    assert "not stated" in text
    assert "No single outage of an IT service touches a customer outcome" in text
