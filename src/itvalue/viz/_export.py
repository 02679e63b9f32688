"""Exports of the value graph for other tools.

* GraphML: for yEd, Gephi, Cytoscape; ``networkx.read_graphml`` loads it back with the
  same nodes and edges. Nodes carry ``kind`` and ``name``; dependency edges ``group``
  (when grouped), support edges ``share``.
* Mermaid: flowchart text that mkdocs-material and GitHub render.
* DOT: for Graphviz.
* JSON: ``{"nodes": [...], "edges": [...]}`` for web tools.
"""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx

from itvalue.errors import ItValueError
from itvalue.graph import KIND_LABELS, NODE_KINDS, ValueGraph

__all__ = ["EXPORT_FORMATS", "export", "to_dot", "to_graphml", "to_json", "to_mermaid"]

EXPORT_FORMATS = ("graphml", "mermaid", "dot", "json")

_SHAPES = {
    "service": ("box", '["', '"]'),
    "process": ("box", '(["', '"])'),
    "product": ("box3d", '[["', '"]]'),
    "outcome": ("ellipse", '(("', '"))'),
    "segment": ("hexagon", '{{"', '"}}'),
}


def _plain(g: ValueGraph) -> nx.DiGraph[str]:
    """The graph with simple attribute values only (GraphML holds no objects, no None)."""
    plain: nx.DiGraph[str] = nx.DiGraph()
    for key, kind, entity in zip(g.ids, g.kinds, g.entities, strict=True):
        plain.add_node(key, kind=kind, name=entity.name)
    for u, v, data in g.nx.edges(data=True):
        attrs = {k: val for k, val in data.items() if val is not None}
        plain.add_edge(u, v, **attrs)
    return plain


def to_graphml(g: ValueGraph) -> str:
    """The value graph as GraphML text.

    Examples:
        >>> import io, networkx, itvalue
        >>> g = itvalue.example().graph()
        >>> back = networkx.read_graphml(io.BytesIO(to_graphml(g).encode()))
        >>> sorted(back.edges) == sorted(g.nx.edges)
        True
    """
    buffer = io.BytesIO()
    nx.write_graphml(_plain(g), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue().decode("utf-8")


def _edge_label(data: dict[str, Any]) -> str:
    share = data.get("share")
    if share is not None and share < 1.0:
        return f"{share:.0%}"
    group = data.get("group")
    return f"one of {group}" if group else ""


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def to_mermaid(g: ValueGraph) -> str:
    """The value graph as a Mermaid flowchart, value flowing left to right.

    Ids are replaced by ``n0``, ``n1``, ... (Mermaid ids are restricted); labels carry
    the names. Partial shares and redundancy groups label the edges.
    """
    names = {key: f"n{i}" for i, key in enumerate(g.ids)}
    lines = ["flowchart LR"]
    for kind in NODE_KINDS:
        members = g.ids_of(kind)
        if not members:
            continue
        lines.append(f'  subgraph {kind}s["{KIND_LABELS[kind]}"]')
        _shape, left, right = _SHAPES[kind]
        for key in members:
            label = _mermaid_text(g.entities[g.index[key]].name)
            lines.append(f"    {names[key]}{left}{label}{right}")
        lines.append("  end")
    for u, v, data in g.nx.edges(data=True):
        label = _edge_label(data)
        arrow = "-.->" if data.get("group") else "-->"
        if label:
            arrow = f"{arrow}|{_mermaid_text(label)}|"
        lines.append(f"  {names[u]} {arrow} {names[v]}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(g: ValueGraph) -> str:
    """The value graph as Graphviz DOT text, ranked left to right by kind."""
    lines = [
        f"digraph {_dot_text(g.portfolio.name)} {{",
        "  rankdir=LR;",
        "  node [fontname=Helvetica];",
    ]
    for kind in NODE_KINDS:
        shape, _left, _right = _SHAPES[kind]
        members = g.ids_of(kind)
        if not members:
            continue
        lines.append(f"  subgraph {_dot_text('cluster_' + kind)} {{")
        lines.append(f"    label={_dot_text(KIND_LABELS[kind])}; style=dashed;")
        for key in members:
            label = g.entities[g.index[key]].name
            lines.append(f"    {_dot_text(key)} [label={_dot_text(label)}, shape={shape}];")
        lines.append("  }")
    for u, v, data in g.nx.edges(data=True):
        extra = []
        label = _edge_label(data)
        if label:
            extra.append(f"label={_dot_text(label)}")
        if data.get("group"):
            extra.append("style=dashed")
        suffix = f" [{', '.join(extra)}]" if extra else ""
        lines.append(f"  {_dot_text(u)} -> {_dot_text(v)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_json(g: ValueGraph) -> str:
    """The value graph as JSON: ``{"name", "nodes": [...], "edges": [...]}``."""
    nodes = [
        {"id": key, "kind": kind, "name": entity.name}
        for key, kind, entity in zip(g.ids, g.kinds, g.entities, strict=True)
    ]
    edges = []
    for u, v, data in g.nx.edges(data=True):
        edge: dict[str, Any] = {"source": u, "target": v}
        edge.update((k, val) for k, val in data.items() if val is not None)
        edges.append(edge)
    return (
        json.dumps(
            {"name": g.portfolio.name, "nodes": nodes, "edges": edges}, indent=2, ensure_ascii=False
        )
        + "\n"
    )


def export(g: ValueGraph, to: str) -> str:
    """The value graph in one of :data:`EXPORT_FORMATS`.

    Raises:
        ItValueError: The format is unknown.
    """
    exporters = {"graphml": to_graphml, "mermaid": to_mermaid, "dot": to_dot, "json": to_json}
    exporter = exporters.get(to)
    if exporter is None:
        raise ItValueError(f"unknown export format {to!r}; use one of: {', '.join(EXPORT_FORMATS)}")
    return exporter(g)
