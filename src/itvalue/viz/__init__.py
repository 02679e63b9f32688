"""Pictures and exports of the value graph: GraphML, Mermaid, DOT, JSON and SVG."""

from itvalue.viz._export import EXPORT_FORMATS, export, to_dot, to_graphml, to_json, to_mermaid
from itvalue.viz._svg import to_svg

__all__ = [
    "EXPORT_FORMATS",
    "export",
    "to_dot",
    "to_graphml",
    "to_json",
    "to_mermaid",
    "to_svg",
]
