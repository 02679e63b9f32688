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

The analyses are functions over a :class:`ValueGraph`, one module per question under
:mod:`itvalue.analysis`, networkx-style; the graph's methods of the same names call
them with the same arguments. Underneath, a graph keeps an integer-indexed, read-only
snapshot that the analyses work on; the :mod:`networkx` view (:attr:`ValueGraph.nx`) is
built on first use, frozen, and kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from itvalue._gc import paused_gc
from itvalue._graphcore import NODE_KINDS, GraphCore, NodeKind
from itvalue.model import Period, Portfolio, Service

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from networkx import DiGraph

    from itvalue.analysis.agreements import AgreementTerms, AvailabilityPromise
    from itvalue.analysis.availability import AvailabilityTarget, Estimate, Method
    from itvalue.analysis.costs import CostAllocation, Driver
    from itvalue.analysis.impact import Impact, OutcomeImpact
    from itvalue.analysis.recovery import RecoveryNeed
    from itvalue.analysis.trace import Trace

__all__ = ["KIND_LABELS", "NODE_KINDS", "NodeKind", "ValueGraph", "core_of"]

#: Graphs of more nodes than this count as bulk work for the garbage collector.
_LARGE = 10_000

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

    Build one with :meth:`Portfolio.graph` (cached) or :meth:`from_portfolio`. Each
    analysis method calls the function of the same name in :mod:`itvalue.analysis`
    with the same arguments.

    Examples:
        >>> import itvalue
        >>> g = itvalue.example().graph()
        >>> sorted(g.trace("payments").outcomes)
        ['order-delivered']
        >>> g.nx.number_of_nodes()
        7
    """

    __slots__ = ("_core", "_nx")

    def __init__(self, portfolio: Portfolio) -> None:
        """Build the graph of ``portfolio``; prefer :meth:`Portfolio.graph`, which caches."""
        with paused_gc(large=len(portfolio) > _LARGE):
            self._core = GraphCore.build(portfolio)
        self._nx: DiGraph[str] | None = None

    @classmethod
    def from_portfolio(cls, portfolio: Portfolio) -> ValueGraph:
        """The value graph of ``portfolio`` (a new one; :meth:`Portfolio.graph` caches).

        Complexity: O(V + E).
        """
        return cls(portfolio)

    @property
    def portfolio(self) -> Portfolio:
        """The portfolio the graph was built from."""
        return self._core.portfolio

    # --- the networkx view -------------------------------------------------------------

    @property
    def nx(self) -> DiGraph[str]:
        """The graph as a frozen :class:`networkx.DiGraph` (built on first use, then kept).

        Nodes carry ``kind`` and ``entity``; dependency edges ``group``, support edges
        ``share``. The graph is frozen: networkx raises if anything tries to change it.
        """
        if self._nx is None:
            with paused_gc(large=len(self._core) > _LARGE):
                self._nx = self._build_nx()
        return self._nx

    def _build_nx(self) -> DiGraph[str]:
        # networkx is needed only for this view; importing it on use keeps
        # `import itvalue` light.
        import networkx as nx

        core = self._core
        graph: DiGraph[str] = nx.DiGraph(name=core.portfolio.name)
        graph.add_nodes_from(
            (key, {"kind": kind, "entity": entity})
            for key, kind, entity in zip(core.ids, core.kinds, core.entities, strict=True)
        )
        graph.add_edges_from(self.edges())
        nx.freeze(graph)
        return graph

    def edges(self) -> list[tuple[str, str, dict[str, Any]]]:
        """Every edge ``(from, to, attributes)``, as :attr:`nx` holds them, without networkx.

        An edge runs the way value flows: from a dependency to the service that needs
        it, from a service to a process it supports, and on to products, outcomes and
        segments. A dependency carries its ``group``, a support its ``share``, the
        others nothing.

        Examples:
            >>> import itvalue
            >>> itvalue.example().graph().edges()[0]
            ('db-a', 'payments', {'group': 'db'})
        """
        core = self._core
        ids = core.ids
        edges: list[tuple[str, str, dict[str, Any]]] = []
        for i in core.range("service"):
            service = core.entities[i]
            assert isinstance(service, Service)
            for dependency in service.depends_on:
                edges.append((dependency.service, ids[i], {"group": dependency.group}))
            for support in service.supports:
                edges.append((ids[i], support.process, {"share": support.share}))
        for i in range(core.service_count, len(ids)):
            edges.extend((ids[i], ids[t], {}) for t in core.succ[i])
        return edges

    def to_pandas(self) -> Any:
        """The nodes as a pandas DataFrame: id, kind, name."""
        from itvalue._pandas import frame

        core = self._core
        rows = [
            {"id": key, "kind": kind, "name": entity.name}
            for key, kind, entity in zip(core.ids, core.kinds, core.entities, strict=True)
        ]
        return frame(rows, ["id", "kind", "name"])

    # --- look-ups ----------------------------------------------------------------------------

    def __contains__(self, id: object) -> bool:
        return id in self._core.index

    def __len__(self) -> int:
        """The number of nodes."""
        return len(self._core)

    def kind(self, id: str) -> NodeKind:
        """The kind of node an id names.

        Raises:
            UnknownIdError: No node has the id.
        """
        core = self._core
        return core.kinds[core.node(id)]

    def ids_of(self, kind: NodeKind) -> tuple[str, ...]:
        """The ids of every node of ``kind``, in the graph's topological order.

        Services come each after every service it depends on; other kinds in document
        order.
        """
        lo, hi = self._core.bounds[kind]
        return self._core.ids[lo:hi]

    # --- analyses (each lives in its own module under itvalue.analysis) -----------------
    # The analyses stand after the graph in the data flow, so they are imported on use.

    def trace(self, service: str) -> Trace:
        """What a service reaches; see :func:`itvalue.analysis.trace.trace`."""
        from itvalue.analysis.trace import trace

        return trace(self, service)

    def impact(self, failed: str | Iterable[str]) -> Impact:
        """What is lost while services are down; see :func:`itvalue.analysis.impact.impact`."""
        from itvalue.analysis.impact import impact

        return impact(self, failed)

    def orphans(self) -> list[str]:
        """Services reaching no outcome; see :func:`itvalue.analysis.impact.orphans`."""
        from itvalue.analysis.impact import orphans

        return orphans(self)

    def single_points_of_failure(
        self,
        *,
        suppliers: bool = False,
        executor: Executor | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, list[str]]:
        """Per outcome, the live services (or suppliers) whose failure alone stops it.

        See :func:`itvalue.analysis.impact.single_points_of_failure`.
        """
        from itvalue.analysis.impact import single_points_of_failure

        return single_points_of_failure(
            self, suppliers=suppliers, executor=executor, progress=progress
        )

    def rank_services(
        self,
        *,
        hours: float = 1.0,
        currency: str | None = None,
        executor: Executor | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[tuple[str, float]]:
        """Services by the value an outage puts at risk, worst first.

        See :func:`itvalue.analysis.impact.rank_services`.
        """
        from itvalue.analysis.impact import rank_services

        return rank_services(
            self, hours=hours, currency=currency, executor=executor, progress=progress
        )

    def recovery_needs(
        self,
        *,
        executor: Executor | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, RecoveryNeed]:
        """Per live service, how fast it must be back and the outcome that says so.

        See :func:`itvalue.analysis.recovery.recovery_needs`.
        """
        from itvalue.analysis.recovery import recovery_needs

        return recovery_needs(self, executor=executor, progress=progress)

    def rank_suppliers(
        self,
        *,
        hours: float = 1.0,
        currency: str | None = None,
        executor: Executor | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[tuple[str, float]]:
        """Suppliers by the value an outage of all they provide puts at risk, worst first.

        See :func:`itvalue.analysis.impact.rank_suppliers`.
        """
        from itvalue.analysis.impact import rank_suppliers

        return rank_suppliers(
            self, hours=hours, currency=currency, executor=executor, progress=progress
        )

    def expected_delivery(
        self,
        node: str,
        *,
        method: Method = "exact",
        executor: Executor | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> float:
        """The expected fraction a node delivers at today's availabilities.

        See :func:`itvalue.analysis.availability.expected_delivery`.
        """
        from itvalue.analysis.availability import expected_delivery

        return expected_delivery(self, node, method=method, executor=executor, progress=progress)

    def estimate_delivery(
        self,
        node: str,
        *,
        samples: int = 20_000,
        seed: int = 0,
        executor: Executor | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Estimate:
        """A seeded Monte Carlo estimate of expected delivery, with its standard error.

        See :func:`itvalue.analysis.availability.estimate_delivery`.
        """
        from itvalue.analysis.availability import estimate_delivery

        return estimate_delivery(
            self, node, samples=samples, seed=seed, executor=executor, progress=progress
        )

    def expected_loss(
        self,
        outcome: str,
        *,
        method: Method = "exact",
        executor: Executor | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> OutcomeImpact:
        """The expected loss of an outcome per its volume's period.

        See :func:`itvalue.analysis.availability.expected_loss`.
        """
        from itvalue.analysis.availability import expected_loss

        return expected_loss(self, outcome, method=method, executor=executor, progress=progress)

    def service_availability(
        self,
        service: str,
        *,
        own: bool = True,
        method: Method = "exact",
        executor: Executor | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> float:
        """The probability a service is not down; with ``own=False``, its ceiling.

        See :func:`itvalue.analysis.availability.service_availability`.
        """
        from itvalue.analysis.availability import service_availability

        return service_availability(
            self, service, own=own, method=method, executor=executor, progress=progress
        )

    def availability_promises(self, *, method: Method = "exact") -> list[AvailabilityPromise]:
        """Every availability objective weighed against what the graph allows.

        See :func:`itvalue.analysis.agreements.availability_promises`.
        """
        from itvalue.analysis.agreements import availability_promises

        return availability_promises(self, method=method)

    def agreement_terms(self, sla: str, *, method: Method = "exact") -> AgreementTerms:
        """What an SLA's availability objectives allow, in customers' terms.

        See :func:`itvalue.analysis.agreements.agreement_terms`.
        """
        from itvalue.analysis.agreements import agreement_terms

        return agreement_terms(self, sla, method=method)

    def availability_target(
        self, service: str, target: float, *, period: Period | str = "month"
    ) -> AvailabilityTarget:
        """What an availability target allows, in minutes and in business terms.

        See :func:`itvalue.analysis.availability.availability_target`.
        """
        from itvalue.analysis.availability import availability_target

        return availability_target(self, service, target, period=period)

    def allocate_costs(self, *, driver: Driver = "equal") -> CostAllocation:
        """Annual IT cost allocated to outcomes.

        See :func:`itvalue.analysis.costs.allocate_costs`.
        """
        from itvalue.analysis.costs import allocate_costs

        return allocate_costs(self, driver=driver)

    def __repr__(self) -> str:
        plural = {"process": "processes"}
        counts = ", ".join(
            f"{len(self._core.range(kind))} {plural.get(kind, kind + 's')}" for kind in NODE_KINDS
        )
        return f"<ValueGraph {self.portfolio.name!r}: {counts}>"


def core_of(g: ValueGraph) -> GraphCore:
    """The integer-indexed, read-only snapshot the analyses of ``g`` work on.

    For the library's analyses and for extensions written like them; users work with
    the graph's methods and its networkx view.
    """
    return g._core
