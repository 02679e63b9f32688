"""Exports of the value graph and its SVG picture."""

from __future__ import annotations

import io
import json
import re

import networkx as nx
import pytest
from hypothesis import given

import itvalue as iv
from itvalue.testing import strategies as ivst
from itvalue.viz import export, to_dot, to_graphml, to_json, to_mermaid, to_svg
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
            entity = g.nx.nodes[v]["entity"]
            wanted = {grp.name: grp.min_up for grp in entity.groups}.get(original["group"], 1)
            assert data["min_up"] == wanted


def test_mermaid_and_dot(northwind: iv.Portfolio) -> None:
    """Mermaid and DOT carry every node and edge, with labels and escapes."""
    g = northwind.graph()
    mermaid = to_mermaid(g)
    assert mermaid.startswith("flowchart LR\n")
    assert 'subgraph services["IT services"]' in mermaid
    assert 'payments["Payments"]' in mermaid
    assert "db_a -.->|one of db| payments" in mermaid
    assert mermaid.count("-->") + mermaid.count("-.->") == g.nx.number_of_edges()
    dot = to_dot(g)
    assert dot.startswith('digraph "Northwind Retail" {')
    assert '"db-a" -> "payments" [label="one of db", style=dashed];' in dot
    assert dot.count("->") == g.nx.number_of_edges()
    tricky = iv.loads(CONTOSO.replace("name: Payments", 'name: Pay "now" <x>')).graph()
    assert "Pay #quot;now#quot; #lt;x#gt;" in to_mermaid(tricky)
    assert 'label="Pay \\"now\\" <x>"' in to_dot(tricky)
    assert "|50%|" in to_mermaid(tricky)


def test_mermaid_subgraphs_are_named_in_the_plural(northwind: iv.Portfolio) -> None:
    """Each kind's subgraph id is its plural: processes, not processs."""
    mermaid = to_mermaid(northwind.graph())
    subgraphs = [
        line.split("[")[0].split()[1] for line in mermaid.splitlines() if "subgraph" in line
    ]
    assert subgraphs == ["services", "processes", "products", "outcomes", "segments"]


CLASHES = """
apiVersion: itvalue/v1
kind: Portfolio
name: Clashes
stakeholders: [{id: it, name: IT, kind: it}, {id: sales, name: Sales, kind: relationship_owner}]
segments: [{id: services, name: Services buyers, relationship_owner: sales}]
outcomes: [{id: end, name: The end, segment: services}]
processes:
  - {id: p.1, name: Step one, owner: sales, enables: [end]}
  - {id: back-end, name: Back office, owner: sales, enables: [end]}
services:
  - {id: db-a, name: DB with a dash, owner: it, kind: technical, offering: catalog,
     lifecycle: live, supports: [{process: p.1}]}
  - {id: db_a, name: DB with an underscore, owner: it, kind: technical, offering: catalog,
     lifecycle: live, depends_on: [{service: db-a}]}
  - {id: db.a, name: DB with a dot, owner: it, kind: technical, offering: catalog,
     lifecycle: live, depends_on: [{service: db_a}]}
"""


def test_mermaid_ids_keep_the_entity_ids() -> None:
    """Mermaid node ids are the entity ids made safe, unique, and never a keyword."""
    mermaid = to_mermaid(iv.loads(CLASHES).graph())
    assert 'db_a["DB with a dash"]' in mermaid
    assert 'db_a_2["DB with an underscore"]' in mermaid
    assert 'db_a_3["DB with a dot"]' in mermaid
    assert 'p_1(["Step one"])' in mermaid
    assert 'back_end_2(["Back office"])' in mermaid
    assert 'end_2(("The end"))' in mermaid
    assert 'services_2{{"Services buyers"}}' in mermaid
    assert "db_a --> db_a_2" in mermaid
    assert "end_2 --> services_2" in mermaid
    node_ids = [
        line.strip().split("[")[0].split("(")[0].split("{")[0]
        for line in mermaid.splitlines()
        if line.startswith("    ")
    ]
    assert len(node_ids) == len(set(node_ids)) == 7
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", key) for key in node_ids)


def test_json_export_and_dispatch(northwind: iv.Portfolio) -> None:
    """The JSON export lists nodes and edges; export() dispatches by name."""
    g = northwind.graph()
    tree = json.loads(to_json(g))
    assert {n["id"] for n in tree["nodes"]} == set(g.nx.nodes)
    assert {"source": "db-a", "target": "payments", "group": "db", "min_up": 1} in tree["edges"]
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


QUORUM = CONTOSO.replace(
    "depends_on: [{service: db-a, group: db}, {service: db-b, group: db}]}",
    "depends_on: [{service: db-a, group: db}, {service: db-b, group: db},\n"
    "                  {service: db-c, group: db}],\n"
    "     groups: [{name: db, min_up: 2}]}",
) + (
    "  - {id: db-c, name: DB C, owner: it, kind: technical, offering: catalog, lifecycle: live,\n"
    "     availability: 0.99}\n"
)


def test_a_quorum_is_labelled_k_of_n() -> None:
    """An edge of a group that needs two of three up says so; exports carry min_up."""
    g = iv.loads(QUORUM).graph()
    assert "db_a -.->|2 of 3 in db| payments" in to_mermaid(g)
    assert '"db-c" -> "payments" [label="2 of 3 in db", style=dashed];' in to_dot(g)
    tree = json.loads(to_json(g))
    assert {"source": "db-c", "target": "payments", "group": "db", "min_up": 2} in tree["edges"]
    back = nx.read_graphml(io.BytesIO(to_graphml(g).encode("utf-8")))
    assert back.edges["db-b", "payments"]["min_up"] == 2


@given(ivst.portfolios(max_services=10))
def test_the_picture_draws_the_edges_of_the_networkx_view(p: iv.Portfolio) -> None:
    """The SVG walks its own edge list, in the order and with the data of ``g.nx``."""
    from itvalue.viz._svg import _edges

    g = p.graph()
    drawn = [(u, v, data) for u, targets in _edges(g).items() for v, data in targets.items()]
    assert drawn == list(g.nx.edges(data=True))
    assert sorted(g.edges(), key=repr) == sorted(g.nx.edges(data=True), key=repr)


def test_the_picture_needs_no_networkx() -> None:
    """Drawing the report's picture leaves networkx unimported (it is slow to import)."""
    import subprocess
    import sys

    code = (
        "import sys, itvalue; from itvalue.viz import to_svg; "
        "to_svg(itvalue.example().graph()); print('networkx' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
