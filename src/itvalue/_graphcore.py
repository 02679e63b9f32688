"""The integer-indexed snapshot of a value graph that every analysis works on.

A :class:`GraphCore` numbers the nodes in a topological order grouped by kind —
services (each after every service it depends on), then processes, products, outcomes
and segments — and keeps the adjacency as tuples, so that analyses run on plain
integers and nothing they are handed can be changed. It is internal to the library:
users see :class:`~itvalue.graph.ValueGraph`, its networkx view and its analyses.

Results that depend only on the graph and are needed again (which nodes reach an
outcome, the supporters of each process, the delivered-fraction factors, the
independent availability pass) are kept in :attr:`GraphCore.memo`, one named field each.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import attrs

from itvalue.errors import UnknownIdError
from itvalue.model import Entity, Portfolio, Service, describe_kind

__all__ = ["NODE_KINDS", "GraphCore", "Group", "Memo", "NodeKind"]

NodeKind = Literal["service", "process", "product", "outcome", "segment"]
#: The kinds of node, in the order value flows.
NODE_KINDS: tuple[NodeKind, ...] = ("service", "process", "product", "outcome", "segment")

#: A redundancy group of a service: the indices of its members and how many must be up.
Group = tuple[tuple[int, ...], int]


@attrs.define(slots=True)
class Memo:
    """What analyses compute once per graph and reuse; ``None`` until first needed.

    Attributes:
        reaches_outcome: Per node, whether it reaches an outcome (outcomes reach themselves).
        supporters: Per process, the supporting services with their shares.
        factors: Per service, what its being down multiplies each process, product and
            outcome it affects by (see :mod:`itvalue.analysis._core`).
        independent: Per node, the expected delivery of the ``independent`` method.
        release: Per service, the services whose last dependent it is (the all-at-once
            analyses drop what they keep for a service after its last dependent).
    """

    reaches_outcome: tuple[bool, ...] | None = None
    supporters: Mapping[int, tuple[tuple[int, float], ...]] | None = None
    factors: tuple[tuple[tuple[int, float], ...], ...] | None = None
    independent: tuple[float, ...] | None = None
    release: tuple[tuple[int, ...], ...] | None = None


@attrs.frozen(slots=True, kw_only=True, eq=False)
class GraphCore:
    """The value graph as integer-indexed, read-only adjacency.

    Attributes:
        ids: Node ids by index.
        index: Index by node id.
        kinds: Node kind by index.
        entities: The entity behind each node.
        bounds: Per kind, the first index of that kind and the first after it.
        required: Per service, the indices of its ungrouped dependencies.
        groups: Per service, its redundancy groups as ``(members, min_up)``.
        dependents: Per service, the services that depend on it.
        supports: Per service, ``(process index, share)`` of each process it supports.
        avail: Per service, its own availability: 1 when not stated, or when the
            service is not live (it cannot fail today).
        live: Per service, whether it is live.
        succ: Per node, the nodes it enables.
        pred: Per node, the nodes that enable it.
        portfolio: The portfolio the graph is built from.
        memo: Results computed once per graph.
    """

    ids: tuple[str, ...]
    index: Mapping[str, int]
    kinds: tuple[NodeKind, ...]
    entities: tuple[Entity, ...]
    bounds: Mapping[str, tuple[int, int]]
    required: tuple[tuple[int, ...], ...]
    groups: tuple[tuple[Group, ...], ...]
    dependents: tuple[tuple[int, ...], ...]
    supports: tuple[tuple[tuple[int, float], ...], ...]
    avail: tuple[float, ...]
    live: tuple[bool, ...]
    succ: tuple[tuple[int, ...], ...]
    pred: tuple[tuple[int, ...], ...]
    portfolio: Portfolio
    memo: Memo = attrs.field(factory=Memo)

    def range(self, kind: NodeKind) -> range:
        """The indices of the nodes of ``kind``, in topological order."""
        lo, hi = self.bounds[kind]
        return range(lo, hi)

    @property
    def service_count(self) -> int:
        """How many services there are; they hold indices ``0 .. service_count - 1``."""
        return self.bounds["service"][1]

    def __len__(self) -> int:
        return len(self.ids)

    def node(self, id: str, *, kind: NodeKind | Iterable[NodeKind] | None = None) -> int:
        """The index of a node, optionally required to be of ``kind``.

        Raises:
            UnknownIdError: No node has this id (or not of that kind); the hint names a
                close match or the kind the id does name.
        """
        i = self.index.get(id)
        kinds: tuple[str, ...]
        if kind is None:
            kinds = NODE_KINDS
        elif isinstance(kind, str):
            kinds = (kind,)
        else:
            kinds = tuple(kind)
        if i is not None and self.kinds[i] in kinds:
            return i
        expected = " or ".join(kinds) if kind is not None else "node"
        pool = [k for k, j in self.index.items() if self.kinds[j] in kinds]
        match = difflib.get_close_matches(str(id), pool, n=1, cutoff=0.6)
        hint = f"did you mean {match[0]!r}?" if match else ""
        if i is not None:
            hint = f"{id!r} is {describe_kind(self.kinds[i])}"
        elif id in self.portfolio:
            kind_of = self.portfolio.kind_of(str(id))
            hint = f"{id!r} is {describe_kind(kind_of)}, which is not in the value graph"
        raise UnknownIdError(str(id), expected=expected, hint=hint)

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

    def upstream(self, x: int) -> list[int]:
        """``x`` and every node that reaches it, in topological order."""
        return sorted(self.reach([x], upstream=True))

    def segment_of(self, outcome: int) -> int:
        """The segment index of an outcome index."""
        return self.succ[outcome][0]

    def reaches_outcome(self) -> tuple[bool, ...]:
        """Per node, whether it reaches an outcome (outcomes reach themselves); kept."""
        found = self.memo.reaches_outcome
        if found is None:
            reach = [False] * len(self.ids)
            kinds = self.kinds
            succ = self.succ
            for i in range(len(reach) - 1, -1, -1):
                kind = kinds[i]
                if kind == "outcome":
                    reach[i] = True
                elif kind != "segment":
                    reach[i] = any(reach[j] for j in succ[i])
            found = self.memo.reaches_outcome = tuple(reach)
        return found

    def supporters(self) -> Mapping[int, tuple[tuple[int, float], ...]]:
        """Per process index, its supporting services with their shares; kept."""
        found = self.memo.supporters
        if found is None:
            collected: dict[int, list[tuple[int, float]]] = {}
            for s in range(self.service_count):
                for p, share in self.supports[s]:
                    collected.setdefault(p, []).append((s, share))
            found = self.memo.supporters = {p: tuple(v) for p, v in collected.items()}
        return found

    @classmethod
    def build(cls, portfolio: Portfolio) -> GraphCore:
        """The snapshot of ``portfolio``'s value graph.

        Complexity: O(V + E).
        """
        by_id = {service.id: service for service in portfolio.services}
        services: list[Service] = [by_id[key] for key in portfolio.service_order]
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
        bounds: dict[str, tuple[int, int]] = {}
        for kind, items in layers:
            start = len(ids)
            for entity in items:
                ids.append(entity.id)
                kinds.append(kind)
                entities.append(entity)
            bounds[kind] = (start, len(ids))
        index = {key: i for i, key in enumerate(ids)}
        n = len(ids)
        succ: list[list[int]] = [[] for _ in range(n)]
        pred: list[list[int]] = [[] for _ in range(n)]
        dependents: list[list[int]] = [[] for _ in services]
        required: list[tuple[int, ...]] = []
        groups: list[tuple[Group, ...]] = []
        supports: list[tuple[tuple[int, float], ...]] = []
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
            # A group not listed under the service's groups needs one member up.
            min_up = {group.name: group.min_up for group in service.groups}
            groups.append(
                tuple((tuple(members), min_up.get(name, 1)) for name, members in grouped.items())
            )
            sup = tuple((index[s.process], s.share) for s in service.supports)
            supports.append(sup)
            for p, _share in sup:
                succ[i].append(p)
                pred[p].append(i)
        below: list[tuple[str, Iterable[str]]] = [
            *((process.id, process.enables) for process in portfolio.processes),
            *((product.id, product.outcomes) for product in portfolio.products),
            *((outcome.id, (outcome.segment,)) for outcome in portfolio.outcomes),
        ]
        for source, targets in below:
            u = index[source]
            for target in targets:
                v = index[target]
                succ[u].append(v)
                pred[v].append(u)
        return cls(
            ids=tuple(ids),
            index=index,
            kinds=tuple(kinds),
            entities=tuple(entities),
            bounds=bounds,
            required=tuple(required),
            groups=tuple(groups),
            dependents=tuple(map(tuple, dependents)),
            supports=tuple(supports),
            # Only live services run: one that is not live cannot fail today.
            avail=tuple(
                s.availability if s.availability is not None and s.is_live else 1.0
                for s in services
            ),
            live=tuple(s.is_live for s in services),
            succ=tuple(map(tuple, succ)),
            pred=tuple(map(tuple, pred)),
            portfolio=portfolio,
        )
