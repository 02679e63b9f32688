"""A picture of the value graph as self-contained SVG, layered by kind.

Services sit in columns by dependency depth, then processes, products, outcomes and
segments, so value flows left to right; no plotting library is needed.
"""

from __future__ import annotations

from html import escape
from typing import Any

from itvalue.graph import NODE_KINDS, ValueGraph
from itvalue.viz._nodes import nodes

__all__ = ["to_svg"]

_FILL = {
    "service": "#dbeafe",
    "process": "#dcfce7",
    "product": "#fef9c3",
    "outcome": "#fde68a",
    "segment": "#fbcfe8",
}
_WIDTH = 150
_HEIGHT = 34
_GAP_X = 60
_GAP_Y = 14


def _edges(g: ValueGraph) -> dict[str, dict[str, dict[str, Any]]]:
    """Per node, the nodes it enables, with each edge's attributes.

    In the order of :attr:`ValueGraph.nx`: nodes in order, then each node's edges as
    they were added; a repeated edge keeps its place and takes the later attributes.
    """
    edges: dict[str, dict[str, dict[str, Any]]] = {
        key: {} for kind in NODE_KINDS for key in g.ids_of(kind)
    }
    for u, v, data in g.edges():
        edges[u][v] = data
    return edges


def _predecessors(edges: dict[str, dict[str, dict[str, Any]]]) -> dict[str, list[str]]:
    pred: dict[str, list[str]] = {key: [] for key in edges}
    for u, targets in edges.items():
        for v in targets:
            pred[v].append(u)
    return pred


def _columns(g: ValueGraph, keys: list[str], pred: dict[str, list[str]]) -> dict[str, int]:
    """Per node, its column: services by dependency depth, then one column per kind."""
    column: dict[str, int] = {}
    depth = 0
    # Services come each after those they depend on, which are their only predecessors.
    for key in g.ids_of("service"):
        column[key] = max((column[d] + 1 for d in pred[key]), default=0)
        depth = max(depth, column[key])
    offset = {"process": 1, "product": 2, "outcome": 3, "segment": 4}
    for key in keys:
        if key not in column:
            column[key] = depth + offset[g.kind(key)]
    return column


def to_svg(g: ValueGraph, *, title: str | None = None) -> str:
    """The value graph as an SVG document (text), value flowing left to right.

    Examples:
        >>> import itvalue
        >>> to_svg(itvalue.example().graph()).startswith("<svg")
        True
    """
    listed = list(nodes(g))
    keys = [key for key, _kind, _entity in listed]
    edges = _edges(g)
    pred = _predecessors(edges)
    column = _columns(g, keys, pred)
    # Order each column by the mean row of what feeds it (one barycentre sweep), so
    # that edges cross less; the first column keeps the graph's order.
    by_column: dict[int, list[str]] = {}
    for key in keys:
        by_column.setdefault(column[key], []).append(key)
    row_of: dict[str, int] = {}
    for c in sorted(by_column):
        members = by_column[c]
        if c > 0:

            def barycentre(key: str) -> float:
                feeders = [row_of[j] for j in pred[key] if j in row_of]
                return sum(feeders) / len(feeders) if feeders else float("inf")

            members.sort(key=barycentre)
        for row, key in enumerate(members):
            row_of[key] = row
    rows = {c: len(members) for c, members in by_column.items()}
    position: dict[str, tuple[float, float]] = {
        key: (20 + column[key] * (_WIDTH + _GAP_X), 40 + row_of[key] * (_HEIGHT + _GAP_Y))
        for key in keys
    }
    width = 40 + (max(column.values(), default=0) + 1) * (_WIDTH + _GAP_X)
    height = 60 + max(rows.values(), default=1) * (_HEIGHT + _GAP_Y)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" '
        'font-family="Helvetica, Arial, sans-serif" font-size="12">',
        f"<title>{escape(title or g.portfolio.name)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/>'
        "</marker></defs>",
    ]
    for u, targets in edges.items():
        for v, data in targets.items():
            x1, y1 = position[u]
            x2, y2 = position[v]
            x1 += _WIDTH
            y1 += _HEIGHT / 2
            y2 += _HEIGHT / 2
            mid = (x1 + x2) / 2
            dash = ' stroke-dasharray="4 3"' if data.get("group") else ""
            parts.append(
                f'<path d="M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} '
                f'{x2:.0f},{y2:.0f}" fill="none" stroke="#64748b"{dash} marker-end="url(#arrow)"/>'
            )
    for key, kind, entity in listed:
        x, y = position[key]
        name = entity.name
        shown = name if len(name) <= 22 else name[:21] + "…"
        rx = 17 if kind in ("outcome", "segment") else 4
        parts.append(
            f"<g><title>{escape(key)} ({kind})</title>"
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{_WIDTH}" height="{_HEIGHT}" rx="{rx}" '
            f'fill="{_FILL[kind]}" stroke="#334155"/>'
            f'<text x="{x + _WIDTH / 2:.0f}" y="{y + _HEIGHT / 2 + 4:.0f}" text-anchor="middle">'
            f"{escape(shown)}</text></g>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
