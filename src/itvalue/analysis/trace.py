"""What a service reaches, all the way to the company's customers.

Complexity: :func:`trace` is O(r + e) for the r nodes the service reaches and the e
edges among them; :meth:`Trace.paths_to` enumerates simple paths and stops at a cap.
"""

from __future__ import annotations

import itertools
from html import escape
from typing import TYPE_CHECKING, Any

import attrs

from itvalue.graph import NODE_KINDS, ValueGraph, core_of

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["MAX_PATHS", "Trace", "trace"]

#: Default cap on the number of paths :meth:`Trace.paths_to` returns.
MAX_PATHS = 1_000


@attrs.frozen(kw_only=True)
class Trace:
    """Everything downstream of one service.

    Attributes:
        service: The traced service.
        services: Services that depend on it, directly or not.
        processes: Business processes it reaches.
        products: Products it reaches.
        outcomes: Outcomes it reaches.
        segments: Customer segments it reaches.
    """

    service: str
    services: frozenset[str]
    processes: frozenset[str]
    products: frozenset[str]
    outcomes: frozenset[str]
    segments: frozenset[str]
    _graph: ValueGraph = attrs.field(eq=False, repr=False, alias="graph")

    @property
    def nodes(self) -> frozenset[str]:
        """The service and every node it reaches."""
        return frozenset(
            {self.service}
            | self.services
            | self.processes
            | self.products
            | self.outcomes
            | self.segments
        )

    @property
    def reaches_customers(self) -> bool:
        """Whether the service reaches any outcome."""
        return bool(self.outcomes)

    @property
    def subgraph(self) -> nx.DiGraph[str]:
        """The part of the value graph the service reaches, as a networkx view."""
        return self._graph.nx.subgraph(self.nodes)

    def paths_to(self, node: str, *, limit: int = MAX_PATHS) -> list[tuple[str, ...]]:
        """Paths from the service to ``node``, at most ``limit`` of them, shortest first.

        Raises:
            UnknownIdError: ``node`` is not in the graph.

        Examples:
            >>> import itvalue
            >>> t = itvalue.example().graph().trace("db-a")
            >>> t.paths_to("order-delivered")
            [('db-a', 'payments', 'checkout', 'webshop', 'order-delivered')]
        """
        self._graph.kind(node)
        if node not in self.nodes or node == self.service:
            return []
        import networkx as nx

        paths = nx.all_simple_paths(self.subgraph, self.service, node)
        found = [tuple(p) for p in itertools.islice(paths, limit)]
        found.sort(key=lambda p: (len(p), p))
        return found

    def to_pandas(self) -> Any:
        """The reached nodes as a pandas DataFrame: id, kind."""
        from itvalue._pandas import frame

        rows = [
            {"id": key, "kind": kind}
            for kind, ids in (
                ("service", self.services),
                ("process", self.processes),
                ("product", self.products),
                ("outcome", self.outcomes),
                ("segment", self.segments),
            )
            for key in sorted(ids)
        ]
        return frame(rows, ["id", "kind"])

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{label}</td><td>{escape(', '.join(sorted(values)) or '—')}</td></tr>"
            for label, values in (
                ("services", self.services),
                ("processes", self.processes),
                ("products", self.products),
                ("outcomes", self.outcomes),
                ("segments", self.segments),
            )
        )
        return (
            f"<div><strong>Trace of {escape(self.service)}</strong>"
            f"<table><tbody>{rows}</tbody></table></div>"
        )


def trace(g: ValueGraph, service: str) -> Trace:
    """Everything a service reaches: services, processes, products, outcomes, segments.

    Raises:
        UnknownIdError: The id names no service.

    Examples:
        >>> import itvalue
        >>> t = itvalue.example().graph().trace("db-a")
        >>> sorted(t.services), sorted(t.outcomes)
        (['payments'], ['order-delivered'])
    """
    core = core_of(g)
    start = core.node(service, kind="service")
    seen = core.reach([start])
    seen.discard(start)
    groups: dict[str, set[str]] = {kind: set() for kind in NODE_KINDS}
    for i in seen:
        groups[core.kinds[i]].add(core.ids[i])
    return Trace(
        service=service,
        services=frozenset(groups["service"]),
        processes=frozenset(groups["process"]),
        products=frozenset(groups["product"]),
        outcomes=frozenset(groups["outcome"]),
        segments=frozenset(groups["segment"]),
        graph=g,
    )
