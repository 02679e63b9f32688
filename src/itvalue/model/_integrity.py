"""Integrity of a whole portfolio: unique ids, references, no dependency cycles.

Works on the collections alone, so a loader can also run it over the entities that
did structure while others did not, and report every problem of a document at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from itvalue.errors import Problem
from itvalue.model._entities import (
    SLA,
    BusinessProcess,
    CustomerSegment,
    Metric,
    Outcome,
    Product,
    Service,
    Stakeholder,
    ValueStream,
)
from itvalue.model._values import StakeholderKind

#: (collection name, entity class, kind name) in document order.
COLLECTIONS: tuple[tuple[str, type, str], ...] = (
    ("stakeholders", Stakeholder, "stakeholder"),
    ("segments", CustomerSegment, "segment"),
    ("outcomes", Outcome, "outcome"),
    ("products", Product, "product"),
    ("processes", BusinessProcess, "process"),
    ("value_streams", ValueStream, "value_stream"),
    ("services", Service, "service"),
    ("metrics", Metric, "metric"),
    ("slas", SLA, "sla"),
)

_KIND_WORDS = {
    "stakeholder": "a stakeholder",
    "segment": "a customer segment",
    "outcome": "an outcome",
    "product": "a product",
    "process": "a business process",
    "value_stream": "a value stream",
    "service": "a service",
    "metric": "a metric",
    "sla": "an SLA",
}


def describe_kind(kind: str) -> str:
    """``'process'`` -> ``'a business process'``."""
    return _KIND_WORDS.get(kind, kind)


class _Checker:
    def __init__(self, index: Mapping[str, str], problems: list[Problem]) -> None:
        self.index = index
        self.problems = problems
        self._by_kind: dict[str, list[str]] = {}
        for key, kind in index.items():
            self._by_kind.setdefault(kind, []).append(key)

    def ref(self, path: str, value: str, kinds: tuple[str, ...]) -> bool:
        if not isinstance(value, str):  # missing from a broken entity; reported already
            return False
        found = self.index.get(value)
        if found is None:
            candidates = [i for k in kinds for i in self._by_kind.get(k, ())]
            match = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
            wanted = " or ".join(describe_kind(k) for k in kinds)
            self.problems.append(
                Problem(
                    path=path,
                    message=f"{value!r} names no entity; expected {wanted}",
                    hint=f"did you mean {match[0]!r}?" if match else "",
                )
            )
            return False
        if found not in kinds:
            wanted = " or ".join(describe_kind(k) for k in kinds)
            self.problems.append(
                Problem(
                    path=path, message=f"{value!r} is {describe_kind(found)}; expected {wanted}"
                )
            )
            return False
        return True

    def refs(self, path: str, values: Sequence[str], kinds: tuple[str, ...]) -> None:
        seen: set[str] = set()
        for i, value in enumerate(values):
            if value in seen:
                self.problems.append(
                    Problem(path=f"{path}[{i}]", message=f"{value!r} is listed twice")
                )
                continue
            seen.add(value)
            self.ref(f"{path}[{i}]", value, kinds)


def integrity_problems(collections: Mapping[str, Sequence[object | None]]) -> list[Problem]:
    """Every integrity problem of the collections, in document order.

    A quick pass (:func:`service_order`) settles the common case of a sound portfolio
    in one sweep with no messages built; only when it finds something does the detailed
    pass run to say what and where.

    Args:
        collections: The portfolio's tuples by collection name; ``None`` entries
            stand for entities that could not be built at all and are skipped, and
            fields a loader could not build may hold ``None``.

    Returns:
        Duplicate ids, unknown or wrong-kind references, repeated list entries,
        a ``provided_by`` that is not a supplier, and dependency cycles.
    """
    if service_order(collections) is not None:
        return []
    return _detailed_problems(collections)


def service_order(collections: Mapping[str, Sequence[object | None]]) -> list[str] | None:
    """The service ids in dependency order when the collections are sound, else ``None``.

    The same rules as the detailed pass, checked with plain look-ups and no messages;
    services come out so that each follows every service it depends on (Kahn's
    algorithm), which the value graph reuses.
    """
    # Entities may be loader stand-ins with None in broken fields: read them untyped.
    items: Mapping[str, Sequence[Any]] = collections
    index: dict[str, str] = {}
    for name, _cls, kind in COLLECTIONS:
        for entity in items.get(name, ()):
            if entity is None:
                return None
            key = entity.id
            if key in index or not isinstance(key, str):
                return None
            index[key] = kind
    kind_of = index.get

    def all_of(values: Sequence[str], kinds: tuple[str, ...]) -> bool:
        return len(set(values)) == len(values) and all(kind_of(v) in kinds for v in values)

    for segment in items.get("segments", ()):
        if kind_of(segment.relationship_owner) != "stakeholder":
            return None
    for outcome in items.get("outcomes", ()):
        if kind_of(outcome.segment) != "segment":
            return None
    for product in items.get("products", ()):
        if kind_of(product.owner) != "stakeholder" or not all_of(
            product.outcomes,
            ("outcome",),
        ):
            return None
    for process in items.get("processes", ()):
        if kind_of(process.owner) != "stakeholder" or not all_of(
            process.enables,
            ("product", "outcome"),
        ):
            return None
    for stream in items.get("value_streams", ()):
        if kind_of(stream.segment) != "segment" or kind_of(stream.outcome) != "outcome":
            return None
        if not all(all_of(st.processes, ("process",)) for st in stream.stages):
            return None
    for metric in items.get("metrics", ()):
        if metric.outcome is not None and kind_of(metric.outcome) != "outcome":
            return None
    for sla in items.get("slas", ()):
        if (
            kind_of(sla.service) != "service"
            or kind_of(sla.consumer) not in ("stakeholder", "segment")
            or not sla.objectives
            or any(kind_of(o.metric) != "metric" for o in sla.objectives)
        ):
            return None
    suppliers = {s.id for s in items.get("stakeholders", ()) if s.kind is StakeholderKind.SUPPLIER}
    services = items.get("services", ())
    service_ids = {key for key, kind in index.items() if kind == "service"}
    process_ids = {key for key, kind in index.items() if kind == "process"}
    owners = {key for key, kind in index.items() if kind == "stakeholder"}
    pending: list[tuple[str, list[str]]] = []
    append = pending.append
    for service in services:
        key = service.id
        if service.owner not in owners:
            return None
        if service.provided_by is not None and service.provided_by not in suppliers:
            return None
        if service.supports:
            processes = [s.process for s in service.supports]
            if not process_ids.issuperset(processes) or len(set(processes)) != len(processes):
                return None
        targets = [d.service for d in service.depends_on]
        if targets:
            unique = set(targets)
            if key in unique or len(unique) != len(targets) or not service_ids.issuperset(unique):
                return None
        append((key, targets))
    return _dependency_order(pending)


def _dependency_order(pending: list[tuple[str, list[str]]]) -> list[str] | None:
    """Keys ordered so each follows its targets; ``None`` when they form a cycle.

    A few sweeps place, in C-speed set checks, every service whose dependencies are
    already placed — a layered portfolio is ordered in as many sweeps as it has layers.
    Whatever is left after them is ordered by Kahn's algorithm.
    """
    placed: set[str] = set()
    order: list[str] = []
    for _sweep in range(_SWEEPS):
        if not pending:
            return order
        left = []
        for key, targets in pending:
            if placed.issuperset(targets):
                placed.add(key)
                order.append(key)
            else:
                left.append((key, targets))
        if len(left) == len(pending):
            break
        pending = left
    waiting: dict[str, list[str]] = {}
    remaining: dict[str, int] = {}
    ready: list[str] = []
    for key, targets in pending:
        open_targets = [t for t in targets if t not in placed]
        remaining[key] = len(open_targets)
        if not open_targets:
            ready.append(key)
        for target in open_targets:
            waiting.setdefault(target, []).append(key)
    ready.reverse()
    while ready:
        key = ready.pop()
        order.append(key)
        for dependent in waiting.get(key, ()):
            remaining[dependent] -= 1
            if remaining[dependent] == 0:
                ready.append(dependent)
    if len(order) != len(placed) + len(remaining):  # a cycle keeps some keys waiting
        return None
    return order


#: How many cheap sweeps :func:`_dependency_order` makes before Kahn's algorithm.
_SWEEPS = 12


def _detailed_problems(collections: Mapping[str, Sequence[object | None]]) -> list[Problem]:
    """Every integrity problem of the collections, in document order.

    Args:
        collections: The portfolio's tuples by collection name; ``None`` entries
            stand for entities that could not be built at all and are skipped, and
            fields a loader could not build may hold ``None``.

    Returns:
        Duplicate ids, unknown or wrong-kind references, repeated list entries,
        a ``provided_by`` that is not a supplier, and dependency cycles.
    """
    problems: list[Problem] = []
    index: dict[str, str] = {}
    first_seen: dict[str, str] = {}
    for name, _cls, kind in COLLECTIONS:
        for i, entity in enumerate(collections.get(name, ())):
            if entity is None:
                continue
            key = entity.id  # type: ignore[attr-defined]
            if not isinstance(key, str):
                continue
            path = f"{name}[{i}].id"
            if key in first_seen:
                problems.append(
                    Problem(
                        path=path,
                        message=f"duplicate id {key!r}, first used at {first_seen[key]}",
                        hint="ids are unique across the whole portfolio",
                    )
                )
                continue
            first_seen[key] = path
            index[key] = kind

    check = _Checker(index, problems)
    stakeholders = {
        s.id: s for s in collections.get("stakeholders", ()) if isinstance(s, Stakeholder)
    }
    for name, _cls, _kind in COLLECTIONS:
        for i, entity in enumerate(collections.get(name, ())):
            if entity is None:
                continue
            at = f"{name}[{i}]"
            if isinstance(entity, CustomerSegment):
                check.ref(f"{at}.relationship_owner", entity.relationship_owner, ("stakeholder",))
            elif isinstance(entity, Outcome):
                check.ref(f"{at}.segment", entity.segment, ("segment",))
            elif isinstance(entity, Product):
                check.ref(f"{at}.owner", entity.owner, ("stakeholder",))
                check.refs(f"{at}.outcomes", entity.outcomes, ("outcome",))
            elif isinstance(entity, BusinessProcess):
                check.ref(f"{at}.owner", entity.owner, ("stakeholder",))
                check.refs(f"{at}.enables", entity.enables, ("product", "outcome"))
            elif isinstance(entity, ValueStream):
                check.ref(f"{at}.segment", entity.segment, ("segment",))
                check.ref(f"{at}.outcome", entity.outcome, ("outcome",))
                for j, stage in enumerate(entity.stages):
                    check.refs(f"{at}.stages[{j}].processes", stage.processes, ("process",))
            elif isinstance(entity, Service):
                _check_service(check, at, entity, stakeholders)
            elif isinstance(entity, Metric):
                if entity.outcome is not None:
                    check.ref(f"{at}.outcome", entity.outcome, ("outcome",))
            elif isinstance(entity, SLA):
                check.ref(f"{at}.service", entity.service, ("service",))
                check.ref(f"{at}.consumer", entity.consumer, ("stakeholder", "segment"))
                for j, objective in enumerate(entity.objectives or ()):
                    check.ref(f"{at}.objectives[{j}].metric", objective.metric, ("metric",))
    problems.extend(_cycles(collections.get("services", ())))
    return problems


def _check_service(
    check: _Checker, at: str, service: Service, stakeholders: Mapping[str, Stakeholder]
) -> None:
    check.ref(f"{at}.owner", service.owner, ("stakeholder",))
    if service.provided_by is not None and check.ref(
        f"{at}.provided_by", service.provided_by, ("stakeholder",)
    ):
        provider = stakeholders.get(service.provided_by)
        if provider is not None and provider.kind not in (StakeholderKind.SUPPLIER, None):
            check.problems.append(
                Problem(
                    path=f"{at}.provided_by",
                    message=(
                        f"{service.provided_by!r} is a stakeholder of kind "
                        f"{provider.kind.value!r}; provided_by must name a supplier"
                    ),
                    hint="give the stakeholder kind: supplier, or drop provided_by",
                )
            )
    seen: set[str] = set()
    for j, support in enumerate(service.supports):
        path = f"{at}.supports[{j}].process"
        if support.process in seen:
            check.problems.append(
                Problem(path=path, message=f"{support.process!r} is supported twice")
            )
            continue
        seen.add(support.process)
        check.ref(path, support.process, ("process",))
    seen = set()
    for j, dependency in enumerate(service.depends_on):
        path = f"{at}.depends_on[{j}].service"
        if dependency.service == service.id:
            check.problems.append(Problem(path=path, message=f"{service.id!r} depends on itself"))
            continue
        if dependency.service in seen:
            check.problems.append(
                Problem(path=path, message=f"{dependency.service!r} is depended on twice")
            )
            continue
        seen.add(dependency.service)
        check.ref(path, dependency.service, ("service",))


def _cycles(services: Iterable[object | None]) -> list[Problem]:
    """One problem per dependency cycle, found by an iterative depth-first search."""
    position: dict[str, int] = {}
    deps: dict[str, list[str]] = {}
    for i, service in enumerate(services):
        if (
            isinstance(service, Service)
            and isinstance(service.id, str)
            and service.id not in position
        ):
            position[service.id] = i
            deps[service.id] = [d.service for d in service.depends_on if d.service != service.id]
    for key, targets in deps.items():
        deps[key] = [t for t in targets if isinstance(t, str) and t in deps]

    problems: list[Problem] = []
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    for root in deps:
        if root in state:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        on_path: list[str] = [root]
        state[root] = 1
        while stack:
            node, k = stack[-1]
            targets = deps[node]
            if k == len(targets):
                stack.pop()
                on_path.pop()
                state[node] = 2
                continue
            stack[-1] = (node, k + 1)
            nxt = targets[k]
            seen = state.get(nxt)
            if seen is None:
                state[nxt] = 1
                stack.append((nxt, 0))
                on_path.append(nxt)
            elif seen == 1:
                cycle = on_path[on_path.index(nxt) :]
                members = frozenset(cycle)
                if members in reported:
                    continue
                reported.add(members)
                start = min(range(len(cycle)), key=lambda n: position[cycle[n]])
                cycle = cycle[start:] + cycle[:start]
                # Edges in the document point from a service to what it depends on.
                shown = " → ".join([*cycle, cycle[0]])
                problems.append(
                    Problem(
                        path=f"services[{position[cycle[0]]}].depends_on",
                        message=f"dependency cycle: {shown}",
                        hint="a service cannot depend, even indirectly, on itself",
                    )
                )
    return problems
