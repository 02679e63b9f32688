"""The portfolio: every entity of one company, checked as a whole on construction."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, TypeVar, overload

import attrs

from itvalue.errors import Problem, UnknownIdError, ValidationError
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
from itvalue.model._fields import declare, describe, text
from itvalue.model._integrity import (
    COLLECTIONS,
    describe_kind,
    integrity_problems,
    service_order,
)

if TYPE_CHECKING:
    from itvalue.graph import ValueGraph

__all__ = ["Entity", "Portfolio"]

Entity = (
    Stakeholder
    | CustomerSegment
    | Outcome
    | Product
    | BusinessProcess
    | ValueStream
    | Service
    | Metric
    | SLA
)
E = TypeVar("E")
_KIND_OF_CLASS = {cls: kind for _name, cls, kind in COLLECTIONS}


@attrs.frozen(kw_only=True, field_transformer=describe)
class Portfolio:
    """Every entity of one company's IT portfolio, checked as a whole.

    Construction checks the portfolio and raises one
    :class:`~itvalue.errors.ValidationError` listing every problem: duplicate ids,
    references to unknown ids or to ids of the wrong kind, dependency cycles.
    A ``Portfolio`` that exists is valid.

    Attributes:
        name: The company or portfolio name.
        description: Free text.
        stakeholders: Business units, users, relationship owners, suppliers, IT.
        segments: Groups of external customers.
        outcomes: What those customers get.
        products: What the company sells.
        processes: How the business works.
        value_streams: Stages from process to outcome.
        services: IT services, business and technical.
        metrics: What is measured.
        slas: Service level agreements.

    Examples:
        >>> from itvalue import Portfolio, Stakeholder, StakeholderKind
        >>> p = Portfolio(name="Tiny", stakeholders=(
        ...     Stakeholder(id="it", name="IT", kind=StakeholderKind.IT),))
        >>> p.get("it").name
        'IT'
    """

    name: str = attrs.field(metadata=declare(text(blank=False)))
    description: str = ""
    stakeholders: tuple[Stakeholder, ...] = ()
    segments: tuple[CustomerSegment, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    products: tuple[Product, ...] = ()
    processes: tuple[BusinessProcess, ...] = ()
    value_streams: tuple[ValueStream, ...] = ()
    services: tuple[Service, ...] = ()
    metrics: tuple[Metric, ...] = ()
    slas: tuple[SLA, ...] = ()
    _index: dict[str, Entity] = attrs.field(
        init=False, factory=dict, eq=False, repr=False, hash=False
    )
    _service_order: tuple[str, ...] = attrs.field(
        init=False, default=(), eq=False, repr=False, hash=False
    )
    # ``object``: the model may not name the graph's class at run time (cattrs and
    # attrs resolve these annotations), as the graph stands after it in the data flow.
    _graph: object = attrs.field(init=False, default=None, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        collections = {name: getattr(self, name) for name, _cls, _kind in COLLECTIONS}
        order = service_order(collections)
        if order is None:
            problems: list[Problem] = integrity_problems(collections)
            assert problems, "the quick integrity pass refused a sound portfolio"
            raise ValidationError(problems)
        object.__setattr__(self, "_service_order", order)
        index = self._index
        for name, _cls, _kind in COLLECTIONS:
            for entity in getattr(self, name):
                index[entity.id] = entity

    @property
    def service_order(self) -> tuple[str, ...]:
        """Every service id in dependency order: each after every service it depends on.

        Examples:
            >>> import itvalue
            >>> itvalue.example("northwind").service_order
            ('db-a', 'db-b', 'payments')
        """
        return self._service_order

    def __contains__(self, id: object) -> bool:
        return id in self._index

    def __len__(self) -> int:
        """The number of entities in the portfolio."""
        return len(self._index)

    @property
    def ids(self) -> frozenset[str]:
        """Every entity id in the portfolio."""
        return frozenset(self._index)

    @overload
    def get(self, id: str) -> Entity: ...
    @overload
    def get(self, id: str, kind: type[E]) -> E: ...

    def get(self, id: str, kind: type[Any] | None = None) -> Any:
        """The entity with this id, optionally required to be of class ``kind``.

        Raises:
            UnknownIdError: No entity (of that class) has the id; a close match is hinted.
        """
        entity = self._index.get(id)
        if entity is None or (kind is not None and not isinstance(entity, kind)):
            wanted = "entity" if kind is None else _KIND_OF_CLASS.get(kind, kind.__name__)
            pool = [
                key for key, value in self._index.items() if kind is None or isinstance(value, kind)
            ]
            match = difflib.get_close_matches(str(id), pool, n=1, cutoff=0.6)
            hint = f"did you mean {match[0]!r}?" if match else ""
            if entity is not None:
                hint = f"{id!r} is {describe_kind(_KIND_OF_CLASS[type(entity)])}"
            raise UnknownIdError(str(id), expected=wanted, hint=hint)
        return entity

    def kind_of(self, id: str) -> str:
        """The kind of entity an id names: ``"service"``, ``"process"``, ...

        Raises:
            UnknownIdError: No entity has the id.
        """
        return _KIND_OF_CLASS[type(self.get(id))]

    def stakeholder(self, id: str) -> Stakeholder:
        """The stakeholder with this id."""
        return self.get(id, Stakeholder)

    def segment(self, id: str) -> CustomerSegment:
        """The customer segment with this id."""
        return self.get(id, CustomerSegment)

    def outcome(self, id: str) -> Outcome:
        """The outcome with this id."""
        return self.get(id, Outcome)

    def product(self, id: str) -> Product:
        """The product with this id."""
        return self.get(id, Product)

    def process(self, id: str) -> BusinessProcess:
        """The business process with this id."""
        return self.get(id, BusinessProcess)

    def value_stream(self, id: str) -> ValueStream:
        """The value stream with this id."""
        return self.get(id, ValueStream)

    def service(self, id: str) -> Service:
        """The service with this id."""
        return self.get(id, Service)

    def metric(self, id: str) -> Metric:
        """The metric with this id."""
        return self.get(id, Metric)

    def sla(self, id: str) -> SLA:
        """The SLA with this id."""
        return self.get(id, SLA)

    def graph(self) -> ValueGraph:
        """The value graph of this portfolio, built once and cached.

        The portfolio is immutable, so the graph is built on first use and kept.
        """
        # Imported on use, so that the model never depends on the graph at import time.
        from itvalue.graph import ValueGraph

        graph = self._graph
        if not isinstance(graph, ValueGraph):
            graph = ValueGraph.from_portfolio(self)
            object.__setattr__(self, "_graph", graph)
        return graph

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(
            f"<tr><td>{escape(name)}</td><td style='text-align:right'>"
            f"{len(getattr(self, name))}</td></tr>"
            for name, _cls, _kind in COLLECTIONS
        )
        return (
            f"<div><strong>Portfolio: {escape(self.name)}</strong>"
            f"<table><thead><tr><th>collection</th><th>count</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )
