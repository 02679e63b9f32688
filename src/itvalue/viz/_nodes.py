"""The nodes of the value graph in the order every picture and export lists them."""

from __future__ import annotations

from collections.abc import Iterator

from itvalue.graph import NODE_KINDS, NodeKind, ValueGraph
from itvalue.model import Entity

__all__ = ["nodes"]


def nodes(g: ValueGraph) -> Iterator[tuple[str, NodeKind, Entity]]:
    """Every node as ``(id, kind, entity)``, kind by kind in the order value flows.

    Services come each after those they depend on; the rest in the document's order.

    Examples:
        >>> import itvalue
        >>> [key for key, _kind, _entity in nodes(itvalue.example().graph())][:3]
        ['db-a', 'db-b', 'payments']
    """
    for kind in NODE_KINDS:
        for key in g.ids_of(kind):
            yield key, kind, g.portfolio.get(key)
