"""The value graph: IT services → processes → products → outcomes → segments.

Nodes are entity ids with the attributes ``kind`` (``service``, ``process``,
``product``, ``outcome``, ``segment``) and ``entity``. Edges point the way value
flows, "u enables v":

* ``d.service → s`` for each dependency ``d`` of service ``s`` (edge attribute ``group``)
* ``s → p`` for each ``Support(process=p, share=h)`` of service ``s`` (attribute ``share``)
* ``p → t`` for each ``t`` in a process's ``enables``
* ``r → o`` for each outcome ``o`` of product ``r``
* ``o → segment`` for each outcome

Stakeholders, value streams, metrics and SLAs are not nodes. The graph is a DAG.

:class:`ValueGraph` keeps an integer-indexed, topologically ordered snapshot of the
graph that every analysis works on; the :mod:`networkx` view (:attr:`ValueGraph.nx`) is
built from it on first use, frozen, and kept.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx
from networkx import DiGraph

from itvalue._gc import paused_gc
from itvalue.errors import UnknownIdError
from itvalue.model import Entity, Outcome, Portfolio, Service

if TYPE_CHECKING:
    from itvalue.analysis.availability import AvailabilityTarget, Estimate, Method
    from itvalue.analysis.costs import CostAllocation
    from itvalue.analysis.impact import Impact, OutcomeImpact
    from itvalue.analysis.trace import Trace
    from itvalue.model import Period

__all__ = ["KIND_LABELS", "NODE_KINDS", "NodeKind", "ValueGraph"]

NodeKind = Literal["service", "process", "product", "outcome", "segment"]
#: The kinds of node, in the order value flows.
NODE_KINDS: tuple[NodeKind, ...] = ("service", "process", "product", "outcome", "segment")
#: Plain-language names of the kinds of node, plural, for titles and legends.
KIND_LABELS: dict[str, str] = {
    "service": "IT services",
    "process": "Business processes",
    "product": "Products",
    "outcome": "Customer outcomes",
    "segment": "Customer segments",
}


class ValueGraph:
    """The value graph of a portfolio, and every analysis over it.

    Build one with :meth:`Portfolio.graph` (cached) or :meth:`from_portfolio`.
    Indices used internally follow a topological order: services (each after every
    service it depends on), then processes, products, outcomes and segments.

    Examples:
        >>> import itvalue
        >>> g = itvalue.example().graph()
        >>> sorted(g.trace("payments").outcomes)
        ['order-delivered']
        >>> g.nx.number_of_nodes()
        7
    """

    __slots__ = (
        "_nx",
        "_reach_cache",
        "avail",
        "dependents",
        "entities",
        "first",
        "groups",
        "ids",
        "index",
        "kinds",
        "live",
        "portfolio",
        "pred",
        "required",
        "succ",
        "supports",
    )

    portfolio: Portfolio
    ids: list[str]
    index: dict[str, int]
    kinds: list[NodeKind]
    entities: list[Entity]
    first: dict[str, int]
    required: list[tuple[int, ...]]
    groups: list[tuple[tuple[int, ...], ...]]
    dependents: list[list[int]]
    supports: list[list[tuple[int, float]]]
    avail: list[float]
    live: list[bool]
    succ: list[list[int]]
    pred: list[list[int]]

    def __init__(self, portfolio: Portfolio) -> None:
        """Build the graph of ``portfolio``; prefer :meth:`Portfolio.graph`, which caches."""
        with paused_gc(large=len(portfolio) > 10_000):
            self._build(portfolio)
        self._nx: DiGraph[str] | None = None
        self._reach_cache: dict[str, Any] = {}

    @classmethod
    def from_portfolio(cls, portfolio: Portfolio) -> ValueGraph:
        """The value graph of ``portfolio`` (a new one; :meth:`Portfolio.graph` caches).

        Complexity: O(V + E).
        """
        return cls(portfolio)

    def _build(self, portfolio: Portfolio) -> None:
        self.portfolio = portfolio
        # A portfolio records its services' dependency order when it checks itself.
        service_of = portfolio._index
        services: list[Service] = [service_of[key] for key in portfolio._cache["service_order"]]  # type: ignore[misc]
        layers: list[tuple[NodeKind, Sequence[Entity]]] = [
            ("service", services),
            ("process", portfolio.processes),
            ("product", portfolio.products),
            ("outcome", portfolio.outcomes),
            ("segment", portfolio.segments),
        ]
        ids: list[str] = []
        kinds: list[NodeKind] = []
        entities: list[Entity] = []
        first: dict[str, int] = {}
        for kind, items in layers:
            first[kind] = len(ids)
            for entity in items:
                ids.append(entity.id)
                kinds.append(kind)
                entities.append(entity)
        first["end"] = len(ids)
        index = {key: i for i, key in enumerate(ids)}
        n = len(ids)
        n_services = len(services)
        succ: list[list[int]] = [[] for _ in range(n)]
        pred: list[list[int]] = [[] for _ in range(n)]
        required: list[tuple[int, ...]] = []
        groups: list[tuple[tuple[int, ...], ...]] = []
        supports: list[list[tuple[int, float]]] = []
        avail: list[float] = []
        live: list[bool] = []
        dependents: list[list[int]] = [[] for _ in range(n_services)]
        for i, service in enumerate(services):
            req: list[int] = []
            grouped: dict[str, list[int]] = {}
            for dependency in service.depends_on:
                d = index[dependency.service]
                succ[d].append(i)
                dependents[d].append(i)
                pred[i].append(d)
                if dependency.group is None:
                    req.append(d)
                else:
                    grouped.setdefault(dependency.group, []).append(d)
            required.append(tuple(req))
            groups.append(tuple(tuple(g) for g in grouped.values()))
            sup = [(index[s.process], s.share) for s in service.supports]
            supports.append(sup)
            for p, _share in sup:
                succ[i].append(p)
                pred[p].append(i)
            avail.append(1.0 if service.availability is None else service.availability)
            live.append(service.is_live)
        for process in portfolio.processes:
            p = index[process.id]
            for target in process.enables:
                t = index[target]
                succ[p].append(t)
                pred[t].append(p)
        for product in portfolio.products:
            r = index[product.id]
            for target in product.outcomes:
                t = index[target]
                succ[r].append(t)
                pred[t].append(r)
        for outcome in portfolio.outcomes:
            o = index[outcome.id]
            s = index[outcome.segment]
            succ[o].append(s)
            pred[s].append(o)
        self.ids = ids
        self.index = index
        self.kinds = kinds
        self.entities = entities
        self.first = first
        self.required = required
        self.groups = groups
        self.dependents = dependents
        self.supports = supports
        self.avail = avail
        self.live = live
        self.succ = succ
        self.pred = pred

    # --- the networkx view -------------------------------------------------------------

    @property
    def nx(self) -> DiGraph[str]:
        """The graph as a frozen :class:`networkx.DiGraph` (built on first use, then kept).

        Nodes carry ``kind`` and ``entity``; dependency edges ``group``, support edges
        ``share``. The graph is frozen: networkx raises if anything tries to change it.
        """
        if self._nx is None:
            with paused_gc(large=len(self.ids) > 10_000):
                self._nx = self._build_nx()
        return self._nx

    def _build_nx(self) -> DiGraph[str]:
        graph: DiGraph[str] = DiGraph(name=self.portfolio.name)
        ids = self.ids
        graph.add_nodes_from(
            (key, {"kind": kind, "entity": entity})
            for key, kind, entity in zip(ids, self.kinds, self.entities, strict=True)
        )
        edges: list[tuple[str, str, dict[str, Any]]] = []
        for i in range(self.first["process"]):
            service = self.entities[i]
            assert isinstance(service, Service)
            for dependency in service.depends_on:
                edges.append((dependency.service, ids[i], {"group": dependency.group}))
            for support in service.supports:
                edges.append((ids[i], support.process, {"share": support.share}))
        for i in range(self.first["process"], len(ids)):
            if self.kinds[i] == "service":  # pragma: no cover - services come first
                continue
            edges.extend((ids[i], ids[t], {}) for t in self.succ[i])
        graph.add_edges_from(edges)
        nx.freeze(graph)
        return graph

    def to_pandas(self) -> Any:
        """The nodes as a pandas DataFrame: id, kind, name."""
        from itvalue._pandas import frame

        rows = [
            {"id": key, "kind": kind, "name": entity.name}
            for key, kind, entity in zip(self.ids, self.kinds, self.entities, strict=True)
        ]
        return frame(rows, ["id", "kind", "name"])

    # --- look-ups ----------------------------------------------------------------------------

    def __contains__(self, id: object) -> bool:
        return id in self.index

    def __len__(self) -> int:
        """The number of nodes."""
        return len(self.ids)

    def node(self, id: str, *, kind: NodeKind | Iterable[NodeKind] | None = None) -> int:
        """The internal index of a node, optionally required to be of ``kind``.

        Raises:
            UnknownIdError: No node has this id (or not of that kind).
        """
        i = self.index.get(id)
        kinds: tuple[str, ...]
        if kind is None:
            kinds = NODE_KINDS
        elif isinstance(kind, str):
            kinds = (kind,)
        else:
            kinds = tuple(kind)
        if i is None or self.kinds[i] not in kinds:
            expected = " or ".join(kinds) if kind is not None else "node"
            pool = [k for k, j in self.index.items() if self.kinds[j] in kinds]
            match = difflib.get_close_matches(str(id), pool, n=1, cutoff=0.6)
            hint = f"did you mean {match[0]!r}?" if match else ""
            if i is not None:
                hint = f"{id!r} is a {self.kinds[i]}"
            elif id in self.portfolio:
                hint = f"{id!r} is a {self.portfolio.kind_of(str(id))}, which is not in the graph"
            raise UnknownIdError(str(id), expected=expected, hint=hint)
        return i

    def reach(self, starts: Iterable[int], *, upstream: bool = False) -> set[int]:
        """Indices of the nodes reachable from ``starts`` (included), downstream or up.

        Complexity: O(r + e) for the r nodes reached and the e edges among them.
        """
        links = self.pred if upstream else self.succ
        seen = set(starts)
        stack = list(seen)
        while stack:
            for j in links[stack.pop()]:
                if j not in seen:
                    seen.add(j)
                    stack.append(j)
        return seen

    def kind(self, id: str) -> NodeKind:
        """The kind of node an id names."""
        return self.kinds[self.node(id)]

    def ids_of(self, kind: NodeKind) -> list[str]:
        """The ids of every node of ``kind``, in the graph's topological order."""
        lo, hi = self._range(kind)
        return self.ids[lo:hi]

    def _range(self, kind: NodeKind) -> tuple[int, int]:
        order = [*NODE_KINDS, "end"]
        return self.first[kind], self.first[order[order.index(kind) + 1]]

    @property
    def service_count(self) -> int:
        """How many services the graph holds."""
        return self.first["process"]

    def outcome_entities(self) -> list[Outcome]:
        """Every outcome, in document order."""
        lo, hi = self._range("outcome")
        return self.entities[lo:hi]  # type: ignore[return-value]

    def segment_of(self, outcome: int) -> int:
        """The segment index of an outcome index."""
        return self.succ[outcome][0]

    # --- analyses (each lives in its own module under itvalue.analysis) -----------------
    # The analyses stand after the graph in the data flow, so they are imported on use.

    def trace(self, service: str) -> Trace:
        """What a service reaches: services, processes, products, outcomes, segments.

        See :func:`itvalue.analysis.trace.trace`.
        """
        from itvalue.analysis.trace import trace

        return trace(self, service)

    def impact(self, failed: str | Iterable[str]) -> Impact:
        """What is lost while the ``failed`` services are down.

        See :func:`itvalue.analysis.impact.impact`.
        """
        from itvalue.analysis.impact import impact

        return impact(self, failed)

    def orphans(self) -> list[str]:
        """Sorted ids of services (any lifecycle) that reach no outcome.

        See :func:`itvalue.analysis.impact.orphans`.
        """
        from itvalue.analysis.impact import orphans

        return orphans(self)

    def single_points_of_failure(self) -> dict[str, list[str]]:
        """Per outcome, the live services whose failure alone stops it entirely.

        See :func:`itvalue.analysis.impact.single_points_of_failure`.
        """
        from itvalue.analysis.impact import single_points_of_failure

        return single_points_of_failure(self)

    def rank_services(
        self, *, hours: float = 1.0, currency: str | None = None
    ) -> list[tuple[str, float]]:
        """Services by the value an outage of ``hours`` puts at risk, worst first.

        See :func:`itvalue.analysis.impact.rank_services`.
        """
        from itvalue.analysis.impact import rank_services

        return rank_services(self, hours=hours, currency=currency)

    def expected_delivery(self, node: str, method: Method = "exact") -> float:
        """The expected fraction a node delivers at today's availabilities.

        See :func:`itvalue.analysis.availability.expected_delivery`.
        """
        from itvalue.analysis.availability import expected_delivery

        return expected_delivery(self, node, method=method)

    def estimate_delivery(self, node: str, *, samples: int = 20_000, seed: int = 0) -> Estimate:
        """A seeded Monte Carlo estimate of expected delivery, with its standard error.

        See :func:`itvalue.analysis.availability.estimate_delivery`.
        """
        from itvalue.analysis.availability import estimate_delivery

        return estimate_delivery(self, node, samples=samples, seed=seed)

    def expected_loss(self, outcome: str, method: Method = "exact") -> OutcomeImpact:
        """The expected loss of an outcome per its volume's period at today's availabilities.

        See :func:`itvalue.analysis.availability.expected_loss`.
        """
        from itvalue.analysis.availability import expected_loss

        return expected_loss(self, outcome, method=method)

    def availability_target(
        self, service: str, target: float, *, period: Period | str = "month"
    ) -> AvailabilityTarget:
        """What an availability target allows, in minutes and in business terms.

        See :func:`itvalue.analysis.availability.availability_target`.
        """
        from itvalue.analysis.availability import availability_target

        return availability_target(self, service, target, period=period)

    def allocate_costs(self) -> CostAllocation:
        """Services' annual costs allocated to the outcomes they serve.

        See :func:`itvalue.analysis.costs.allocate_costs`.
        """
        from itvalue.analysis.costs import allocate_costs

        return allocate_costs(self)

    def __repr__(self) -> str:
        plural = {"process": "processes"}
        counts = ", ".join(
            f"{hi - lo} {plural.get(kind, kind + 's')}"
            for kind in NODE_KINDS
            for lo, hi in [self._range(kind)]
        )
        return f"<ValueGraph {self.portfolio.name!r}: {counts}>"
