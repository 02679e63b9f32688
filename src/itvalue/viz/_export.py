"""Exports of the value graph for other tools.

* GraphML: for yEd, Gephi, Cytoscape; ``networkx.read_graphml`` loads it back with the
  same nodes and edges. Nodes carry ``kind`` and ``name``; dependency edges ``group``
  and ``min_up`` (when grouped: how many of the group must be up), support edges
  ``share``.
* Mermaid: flowchart text that mkdocs-material and GitHub render; node ids are the
  entity ids made safe for Mermaid.
* DOT: for Graphviz.
* JSON: ``{"nodes": [...], "edges": [...]}`` for web tools, edges with the same
  attributes as in GraphML.

Mermaid and DOT label an edge of a redundancy group ``one of db`` when one member up is
enough, and ``2 of 3 in quorum`` when the group needs more (a quorum).
"""

from __future__ import annotations

import io
import json
import re
from typing import TYPE_CHECKING, Any

from itvalue.errors import ItValueError
from itvalue.graph import KIND_LABELS, NODE_KINDS, ValueGraph
from itvalue.model import Service
from itvalue.viz._nodes import nodes

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "EXPORT_FORMATS",
    "export",
    "to_dot",
    "to_graphml",
    "to_json",
    "to_mermaid",
]

EXPORT_FORMATS = ("graphml", "mermaid", "dot", "json")

_SHAPES = {
    "service": ("box", '["', '"]'),
    "process": ("box", '(["', '"])'),
    "product": ("box3d", '[["', '"]]'),
    "outcome": ("ellipse", '(("', '"))'),
    "segment": ("hexagon", '{{"', '"}}'),
}


def _group_size(g: ValueGraph, service: str, group: str) -> tuple[int, int]:
    """``(k, n)``: how many of ``service``'s group must be up, and how many it has."""
    entity = g.nx.nodes[service]["entity"]
    assert isinstance(entity, Service)
    n = sum(1 for d in entity.depends_on if d.group == group)
    k = next((grp.min_up for grp in entity.groups if grp.name == group), 1)
    return k, n


def _edge_data(g: ValueGraph, v: str, data: dict[str, Any]) -> dict[str, Any]:
    """An edge's attributes without None, a grouped edge's with its group's ``min_up``."""
    attrs = {k: val for k, val in data.items() if val is not None}
    if data.get("group"):
        attrs["min_up"] = _group_size(g, v, data["group"])[0]
    return attrs


def _plain(g: ValueGraph) -> nx.DiGraph[str]:
    """The graph with simple attribute values only (GraphML holds no objects, no None)."""
    import networkx as nx

    plain: nx.DiGraph[str] = nx.DiGraph()
    for key, kind, entity in nodes(g):
        plain.add_node(key, kind=kind, name=entity.name)
    for u, v, data in g.nx.edges(data=True):
        plain.add_edge(u, v, **_edge_data(g, v, data))
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
    import networkx as nx

    nx.write_graphml(_plain(g), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue().decode("utf-8")


def _edge_label(g: ValueGraph, v: str, data: dict[str, Any]) -> str:
    share = data.get("share")
    if share is not None and share < 1.0:
        return f"{share:.0%}"
    group = data.get("group")
    if not group:
        return ""
    k, n = _group_size(g, v, group)
    return f"one of {group}" if k == 1 else f"{k} of {n} in {group}"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


# Subgraph ids, one per kind of node (plural nouns, so never "processs").
_MERMAID_GROUPS: dict[str, str] = {
    "service": "services",
    "process": "processes",
    "product": "products",
    "outcome": "outcomes",
    "segment": "segments",
}
# Words a Mermaid flowchart reads as syntax, which must not be node ids.
_MERMAID_KEYWORDS = frozenset(
    {"end", "graph", "flowchart", "subgraph", "direction", "style", "linkStyle", "classDef"}
    | {"class", "click", "call", "href", "default"}
)

_ENDS_WITH_END = re.compile(r"(?:^|_)end$")


def _mermaid_ids(g: ValueGraph) -> dict[str, str]:
    """Per node id, the id its node has in :func:`to_mermaid`'s flowchart.

    Mermaid reads ``-`` and ``.`` as parts of arrows, so only ``A-Z a-z 0-9 _`` are
    kept. A clash with another node, a subgraph or a Mermaid keyword is resolved by
    appending ``_2``, ``_3``, ...; so is an id ending in the word ``end`` (``back_end``),
    which some Mermaid versions read as the end of a subgraph.

    Examples:
        >>> import itvalue
        >>> _mermaid_ids(itvalue.example().graph())["db-a"]
        'db_a'
    """
    taken = set(_MERMAID_KEYWORDS) | set(_MERMAID_GROUPS.values())
    ids: dict[str, str] = {}
    for key, _kind, _entity in nodes(g):
        base = re.sub(r"[^A-Za-z0-9_]", "_", key)
        candidate, n = base, 2
        while candidate in taken or _ENDS_WITH_END.search(candidate):
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        ids[key] = candidate
    return ids


def to_mermaid(g: ValueGraph) -> str:
    """The value graph as a Mermaid flowchart, value flowing left to right.

    A node's id is its entity id with every character but ``A-Z a-z 0-9 _`` replaced by
    ``_`` (``db-a`` becomes ``db_a``), with ``_2``, ``_3``, ... appended where that would
    clash, so the diagram can be read next to its document; labels carry the names.
    Partial shares and redundancy groups label the edges.

    Examples:
        >>> import itvalue
        >>> print(to_mermaid(itvalue.example().graph()).splitlines()[2])
            db_a["Database A"]
    """
    names = _mermaid_ids(g)
    lines = ["flowchart LR"]
    for kind in NODE_KINDS:
        members = g.ids_of(kind)
        if not members:
            continue
        lines.append(f'  subgraph {_MERMAID_GROUPS[kind]}["{KIND_LABELS[kind]}"]')
        _shape, left, right = _SHAPES[kind]
        for key in members:
            label = _mermaid_text(g.nx.nodes[key]["entity"].name)
            lines.append(f"    {names[key]}{left}{label}{right}")
        lines.append("  end")
    for u, v, data in g.nx.edges(data=True):
        label = _edge_label(g, v, data)
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
            label = g.nx.nodes[key]["entity"].name
            lines.append(f"    {_dot_text(key)} [label={_dot_text(label)}, shape={shape}];")
        lines.append("  }")
    for u, v, data in g.nx.edges(data=True):
        extra = []
        label = _edge_label(g, v, data)
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
    listed = [{"id": key, "kind": kind, "name": entity.name} for key, kind, entity in nodes(g)]
    edges = []
    for u, v, data in g.nx.edges(data=True):
        edges.append({"source": u, "target": v, **_edge_data(g, v, data)})
    return (
        json.dumps(
            {"name": g.portfolio.name, "nodes": listed, "edges": edges},
            indent=2,
            ensure_ascii=False,
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
