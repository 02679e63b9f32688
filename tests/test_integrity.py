"""Tests of the integrity passes: the quick one refuses exactly what the detailed one reports."""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import itvalue as iv
from itvalue.model import COLLECTIONS
from itvalue.model._fields import (
    FieldSpec,
    Ref,
    Shape,
    declare,
    describe,
    fields_of,
    fraction,
    positive_int,
    quorums,
    refers,
    when,
)
from itvalue.model._integrity import (
    _chosen,
    _detailed_problems,
    _quorum_fields,
    describe_kind,
    integrity_problems,
    service_order,
)
from itvalue.testing import strategies as ivst


def _ruled(cls: type, *, naming: bool = False) -> list[FieldSpec]:
    """The fields of ``cls`` under a rule, directly or through their items.

    With ``naming``, only those naming entities or groups; else also those checked
    against the entity a sibling names.
    """
    return [
        spec
        for spec in fields_of(cls)
        if spec.ref is not None
        or spec.links is not None
        or spec.quorums is not None
        or (spec.when is not None and not naming)
        or (spec.holds_model and _ruled(spec.item, naming=naming))
    ]


#: Values for a field checked against another entity: some pass its check, some not.
CHECKED = st.sampled_from([0.5, 1.0, 0.9995, 0.0, -0.5, 1.5, 99.95, 100.0]) | st.floats(
    allow_nan=False, allow_infinity=False
)


def _break_groups(draw: st.DrawFn, entity: Any, spec: FieldSpec) -> tuple[Any, ...]:
    """The groups of ``entity``, one more listed: unused, again, or asking too much."""
    quorums = spec.quorums
    assert quorums is not None
    listed = getattr(entity, spec.name)
    members = getattr(entity, quorums.members)
    sizes = Counter(g for g in (getattr(m, quorums.by) for m in members) if g is not None)
    choice = draw(st.sampled_from(["unused", "again", "too many"]))
    if choice == "again" and listed:
        return (*listed, draw(st.sampled_from(listed)))
    if choice == "too many" and sizes:
        name = draw(st.sampled_from(sorted(sizes)))
        demand = sizes[name] + draw(st.integers(0, 2))  # 0: as many as it has, still sound
        kept = [g for g in listed if getattr(g, quorums.key) != name]
        return (*kept, spec.item(**{quorums.key: name, quorums.least: demand}))
    # Sometimes a group the dependencies do use: sound unless listed already.
    name = draw(st.sampled_from([*sorted(sizes), "spare"]))
    return (*listed, spec.item(**{quorums.key: name}))


def _meet(collections: dict[str, list[Any]], entity: Any, spec: FieldSpec) -> None:
    """Make the entity that ``entity``'s field ``spec`` is checked against call for the check."""
    when = spec.when
    assert when is not None
    (via,) = [f for f in fields_of(type(entity)) if f.name == when.via]
    assert via.ref is not None
    (name,) = [n for n, _c, kind in COLLECTIONS if kind in via.ref.kinds]
    named = collections[name]
    for i, other in enumerate(named):
        if other.id == getattr(entity, when.via):
            named[i] = attrs.evolve(other, **{when.field: when.equals})


def _break(
    draw: st.DrawFn,
    collections: dict[str, list[Any]],
    entity: Any,
    spec: FieldSpec,
    ids: list[str],
    holder: Any,
) -> Any:
    """``entity`` with field ``spec`` bent: references unknown, wrong kind, repeated; values off."""
    value = getattr(entity, spec.name)
    some_id = st.sampled_from([*ids, "nobody", holder.id])
    if spec.quorums is not None:
        new: Any = _break_groups(draw, entity, spec)
    elif spec.when is not None:
        new = draw(CHECKED)
        if draw(st.booleans()):
            _meet(collections, entity, spec)
    elif spec.ref is not None and spec.shape is Shape.MANY:
        again = value and draw(st.booleans())
        new = (*value, draw(st.sampled_from(value) if again else some_id))
    elif spec.ref is not None:
        new = draw(some_id | st.none()) if spec.shape is Shape.OPTIONAL else draw(some_id)
    elif spec.links is not None:
        key = spec.links.key
        choice = draw(st.sampled_from(["repeat", "name", "itself", "inside"]))
        if choice == "inside" and value:
            new = _break_inside(draw, collections, value, spec, ids, holder)
        elif choice == "repeat":
            again = value[0] if value else spec.item(**{key: draw(some_id)})
            new = (*value, again) if value else (again, again)
        else:
            target = holder.id if choice == "itself" else draw(some_id)
            new = (*value, spec.item(**{key: target}))
    elif value:
        new = _break_inside(draw, collections, value, spec, ids, holder)
    else:
        return entity
    return attrs.evolve(entity, **{spec.name: new})


def _break_inside(
    draw: st.DrawFn,
    collections: dict[str, list[Any]],
    items: tuple[Any, ...],
    spec: FieldSpec,
    ids: list[str],
    holder: Any,
) -> tuple[Any, ...]:
    j = draw(st.integers(0, len(items) - 1))
    inner = draw(st.sampled_from(_ruled(spec.item)))
    bent = _break(draw, collections, items[j], inner, ids, holder)
    return (*items[:j], bent, *items[j + 1 :])


#: Every field of every collection that names entities or groups, directly or through its items.
RULED = [(name, spec) for name, cls, _kind in COLLECTIONS for spec in _ruled(cls)]


#: What the property bends: each declared rule, ids, what metrics measure, the dependency order.
TARGETS: list[Any] = [*RULED, "duplicate id", "measures", "cycle"]


def _bend(draw: st.DrawFn, collections: dict[str, list[Any]], ids: list[str], target: Any) -> None:
    if target == "duplicate id":
        name = draw(st.sampled_from([n for n, _c, _k in COLLECTIONS if collections[n]]))
        entities = collections[name]
        i = draw(st.integers(0, len(entities) - 1))
        entities[i] = attrs.evolve(entities[i], id=draw(st.sampled_from(ids)))
    elif target == "measures":
        # What a metric measures decides how the targets on it are checked.
        metrics = collections["metrics"]
        if metrics:
            i = draw(st.integers(0, len(metrics) - 1))
            measures = draw(st.sampled_from([None, iv.Measure.AVAILABILITY]))
            metrics[i] = attrs.evolve(metrics[i], measures=measures)
    elif target == "cycle":
        # Close a loop: each service of a few comes to depend on the next.
        services = collections["services"]
        chain = draw(st.permutations(range(len(services))))[: draw(st.integers(2, 3))]
        for a, b in zip(chain, [*chain[1:], chain[0]], strict=True):
            dependency = iv.Dependency(service=services[b].id)
            if dependency not in services[a].depends_on:
                services[a] = attrs.evolve(
                    services[a], depends_on=(*services[a].depends_on, dependency)
                )
    else:
        name, spec = target
        entities = collections[name]
        if entities:
            i = draw(st.integers(0, len(entities) - 1))
            entities[i] = _break(draw, collections, entities[i], spec, ids, entities[i])


@st.composite
def broken_collections(draw: st.DrawFn, target: Any) -> dict[str, list[Any]]:
    """The collections of a valid portfolio with ``target`` bent, and sometimes more."""
    p = draw(ivst.portfolios(min_services=2, max_services=6, text=False))
    collections = {name: list(getattr(p, name)) for name, _cls, _kind in COLLECTIONS}
    ids = sorted(p.ids)
    _bend(draw, collections, ids, target)
    if draw(st.integers(0, 3)) == 0:
        _bend(draw, collections, ids, draw(st.sampled_from(TARGETS)))
    return collections


@pytest.mark.parametrize(
    "target",
    TARGETS,
    ids=[t if isinstance(t, str) else f"{t[0]}.{t[1].name}" for t in TARGETS],
)
@settings(max_examples=max(10, settings().max_examples // 4))
@given(data=st.data())
def test_quick_pass_refuses_exactly_what_the_detailed_pass_reports(
    target: Any, data: st.DataObject
) -> None:
    """Broken references, groups, availability targets, duplicates, cycles: both passes agree."""
    collections = data.draw(broken_collections(target))
    order = service_order(collections)
    problems = _detailed_problems(collections)
    event("sound" if order is not None else "broken")
    assert (order is None) == bool(problems), problems
    assert integrity_problems(collections) == problems
    if order is not None:
        services = collections["services"]
        assert sorted(order) == sorted(s.id for s in services)
        place = {key: n for n, key in enumerate(order)}
        for service in services:
            assert all(place[d.service] < place[service.id] for d in service.depends_on)
    kwargs: dict[str, Any] = {n: tuple(entities) for n, entities in collections.items()}
    if problems:
        with pytest.raises(iv.ValidationError) as excinfo:
            iv.Portfolio(name="P", **kwargs)
        assert list(excinfo.value.problems) == problems
    else:
        assert iv.Portfolio(name="P", **kwargs).service_order == order


def test_every_declared_reference_is_checked() -> None:
    """Each field the table marks as a reference is reported when it names nothing."""
    p = iv.from_dict(_everything())
    paths = set()
    for name, cls, _kind in COLLECTIONS:
        for spec in _ruled(cls, naming=True):
            if spec.quorums is not None:  # names groups of its own entity, not entities
                continue
            collections = {n: list(getattr(p, n)) for n, _c, _k in COLLECTIONS}
            collections[name][0] = _unknown(collections[name][0], spec)
            assert service_order(collections) is None
            (problem,) = _detailed_problems(collections)
            assert problem.message == "'nothing' names no entity; expected " + " or ".join(
                describe_kind(kind) for kind in _reference(cls, spec).kinds
            )
            paths.add(problem.path)
    assert paths == {
        "segments[0].relationship_owner",
        "outcomes[0].segment",
        "products[0].owner",
        "products[0].outcomes[2]",
        "processes[0].owner",
        "processes[0].enables[2]",
        "value_streams[0].segment",
        "value_streams[0].outcome",
        "value_streams[0].stages[0].processes[2]",
        "services[0].owner",
        "services[0].provided_by",
        "services[0].supports[2].process",
        "services[0].depends_on[2].service",
        "metrics[0].outcome",
        "slas[0].service",
        "slas[0].consumer",
        "slas[0].objectives[0].metric",
    }


def _reference(cls: type, spec: FieldSpec) -> Ref:
    """The reference a ruled field makes, through its items where it has them."""
    if spec.ref is not None:
        return spec.ref
    if spec.links is not None:
        (key,) = [f for f in fields_of(spec.item) if f.name == spec.links.key]
        assert key.ref is not None
        return key.ref
    (inner,) = _ruled(spec.item, naming=True)
    return _reference(spec.item, inner)


def _unknown(entity: Any, spec: FieldSpec) -> Any:
    """``entity`` with a new reference, to nothing, added through ``spec``."""
    value = getattr(entity, spec.name)
    if spec.ref is not None:
        new: Any = (*value, "nothing") if spec.shape is Shape.MANY else "nothing"
    elif spec.links is not None:
        new = (*value, spec.item(**{spec.links.key: "nothing"}))
    elif value:
        (inner,) = _ruled(spec.item, naming=True)
        new = (*value[:-1], _unknown(value[-1], inner))
    else:
        return entity
    return attrs.evolve(entity, **{spec.name: new})


def _everything() -> dict[str, Any]:
    from tests.test_fields import BASE

    return BASE


def test_groups_are_checked_against_their_members() -> None:
    """Each broken group is reported once, where it is listed; the quick pass refuses it."""
    p = iv.from_dict(_everything())
    pay = p.service("pay")
    cases = {
        "unused": (
            (iv.RedundancyGroup(name="data"), iv.RedundancyGroup(name="dns")),
            "services[0].groups[1].name",
            "group 'dns' is listed but no dependency of 'pay' uses it",
        ),
        "again": (
            (iv.RedundancyGroup(name="data"), iv.RedundancyGroup(name="data")),
            "services[0].groups[1].name",
            "group 'data' is listed twice",
        ),
        "too many": (
            (iv.RedundancyGroup(name="data", min_up=2),),
            "services[0].groups[0].min_up",
            "min_up 2 but group 'data' has 1 member",
        ),
    }
    for groups, path, message in cases.values():
        collections = {n: list(getattr(p, n)) for n, _c, _k in COLLECTIONS}
        collections["services"][0] = attrs.evolve(pay, groups=groups)
        assert service_order(collections) is None
        assert [(q.path, q.message) for q in _detailed_problems(collections)] == [(path, message)]


@attrs.frozen(kw_only=True, field_transformer=describe)
class _Member:
    group: str | None = None
    weight: int = attrs.field(default=1, metadata=declare(positive_int()))


@attrs.frozen(kw_only=True, field_transformer=describe)
class _Listed:
    name: str
    least: int = attrs.field(default=1, metadata=declare(positive_int()))


def _holder(**names: str) -> tuple[FieldSpec, type]:
    """A class whose ``listed`` field declares quorums over ``members`` with these names."""
    declared = {"members": "members", "by": "group", "key": "name", "least": "least", **names}

    @attrs.frozen(kw_only=True, field_transformer=describe)
    class Holder:
        members: tuple[_Member, ...] = ()
        single: _Member | None = None
        listed: tuple[_Listed, ...] = attrs.field(
            default=(), metadata=quorums(**declared, noun="member", nouns="members")
        )

    (spec,) = [s for s in fields_of(Holder) if s.name == "listed"]
    return spec, Holder


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ({"members": "nothing"}, "'nothing' is not a tuple of items"),
        ({"members": "single"}, "'single' is not a tuple of items"),
        ({"by": "weight"}, "members name their group in one text field"),
        ({"by": "nothing"}, "members name their group in one text field"),
        ({"key": "least"}, "a listed group is named in one text field"),
        ({"least": "name"}, "a listed group counts its members in an int"),
    ],
)
def test_a_quorum_must_name_fields_that_are_there(names: dict[str, str], message: str) -> None:
    """A quorum declaration naming a missing field or one of the wrong type is refused."""
    spec, holder = _holder()
    assert [f.name for f in _quorum_fields(spec, holder)] == ["group", "name", "least"]
    spec, holder = _holder(**names)
    with pytest.raises(TypeError, match=message):
        _quorum_fields(spec, holder)


def _checked(**names: Any) -> tuple[type, FieldSpec]:
    """A class whose ``value`` is a fraction when the entity named by ``via`` says so."""
    declared = {"via": "metric", "field": "measures", "equals": iv.Measure.AVAILABILITY, **names}

    @attrs.frozen(kw_only=True, field_transformer=describe)
    class Holder:
        metric: str = attrs.field(metadata=refers("metric"))
        either: str = attrs.field(metadata=refers("metric", "service"))
        label: str = ""
        value: float = attrs.field(metadata=when(fraction(), **declared))

    (spec,) = [s for s in fields_of(Holder) if s.name == "value"]
    return Holder, spec


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ({"via": "label"}, "'label' is not one id of one kind of entity"),
        ({"via": "either"}, "'either' is not one id of one kind of entity"),
        ({"field": "nothing"}, "Metric has no field 'nothing'"),
        ({"field": "direction"}, "Metric.direction never holds"),
        ({"equals": "availability"}, "Metric.measures never holds 'availability'"),
    ],
)
def test_a_check_on_another_entity_must_read_what_is_there(
    names: dict[str, Any], message: str
) -> None:
    """A ``when`` rule naming no single entity, a missing field or an impossible value is refused."""
    holder, spec = _checked()
    assert _chosen(holder, spec).kind == "metric"
    holder, spec = _checked(**names)
    with pytest.raises(TypeError, match=message):
        _chosen(holder, spec)


def test_the_rule_on_availability_targets_is_declared_once() -> None:
    """The objective's target declares the rule; the quick and the detailed pass both read it."""
    (target,) = [s for s in fields_of(iv.Objective) if s.name == "target"]
    assert target.when is not None
    assert (target.when.via, target.when.field) == ("metric", "measures")
    assert target.when.equals is iv.Measure.AVAILABILITY
    p = iv.from_dict(_everything())
    collections = {n: list(getattr(p, n)) for n, _c, _k in COLLECTIONS}
    sla = collections["slas"][0]
    collections["slas"][0] = attrs.evolve(
        sla, objectives=(attrs.evolve(sla.objectives[0], target=99.95),)
    )
    assert service_order(collections) is None
    assert [(q.path, q.message, q.hint) for q in _detailed_problems(collections)] == [
        (
            "slas[0].objectives[0].target",
            "must be greater than 0 and at most 1, got 99.95",
            "write a fraction: 99.95% is 0.9995",
        )
    ]
    collections["metrics"][0] = attrs.evolve(collections["metrics"][0], measures=None)
    assert service_order(collections) is not None
    assert _detailed_problems(collections) == []
