"""Tests of the table of fields, and of the two paths it drives agreeing field by field."""

from __future__ import annotations

import copy
import enum
import re
from typing import Any

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import itvalue as iv
from itvalue.io._converter import _STRUCTURER, Invalid, render_path
from itvalue.io._envelope import MODEL_CLASSES
from itvalue.io._fast import UnsupportedConstraint, _Mirror, fast_structure
from itvalue.model._fields import (
    Check,
    FieldSpec,
    Shape,
    declare,
    describe,
    fields_of,
    fraction,
    quorums,
    when,
)

CLASSES: tuple[type, ...] = (*MODEL_CLASSES, iv.Portfolio)

# A valid document holding every class with every field given.
BASE: dict[str, Any] = {
    "apiVersion": "itvalue/v1",
    "kind": "Portfolio",
    "name": "Everything",
    "description": "Every field of every class",
    "stakeholders": [
        {"id": "it", "name": "IT", "description": "Ops", "kind": "it"},
        {"id": "sales", "name": "Sales", "kind": "relationship_owner"},
        {"id": "vendor", "name": "Vendor", "kind": "supplier"},
    ],
    "segments": [
        {"id": "shoppers", "name": "Shoppers", "description": "Web", "relationship_owner": "sales"}
    ],
    "outcomes": [
        {
            "id": "delivered",
            "name": "Delivered",
            "description": "In two days",
            "segment": "shoppers",
            "volume": {"amount": 1000, "unit": "orders", "per": "month"},
            "unit_value": {"amount": 42.5, "currency": "EUR"},
            "max_outage_hours": 48,
        },
        {"id": "returned", "name": "Returned", "segment": "shoppers"},
    ],
    "products": [
        {
            "id": "shop",
            "name": "Shop",
            "description": "Web shop",
            "owner": "sales",
            "outcomes": ["delivered", "returned"],
        }
    ],
    "processes": [
        {
            "id": "checkout",
            "name": "Checkout",
            "description": "Pay",
            "owner": "sales",
            "enables": ["shop", "returned"],
        },
        {"id": "pack", "name": "Pack", "owner": "sales"},
    ],
    "value_streams": [
        {
            "id": "order",
            "name": "Order",
            "description": "End to end",
            "segment": "shoppers",
            "outcome": "delivered",
            "stages": [{"name": "Buy", "processes": ["checkout", "pack"]}],
        }
    ],
    "services": [
        {
            "id": "pay",
            "name": "Payments",
            "description": "Card payments",
            "owner": "it",
            "kind": "business",
            "offering": "made_to_order",
            "lifecycle": "live",
            "availability": 0.999,
            "annual_cost": {"amount": 1200, "currency": "EUR"},
            "provided_by": "vendor",
            "supports": [{"process": "checkout", "share": 0.5}, {"process": "pack"}],
            "depends_on": [{"service": "db", "group": "data"}, {"service": "dns"}],
            "groups": [{"name": "data", "min_up": 1}],
            "recovery_hours": 4.5,
        },
        {
            "id": "db",
            "name": "DB",
            "owner": "it",
            "kind": "technical",
            "offering": "catalog",
            "lifecycle": "live",
        },
        {
            "id": "dns",
            "name": "DNS",
            "owner": "it",
            "kind": "technical",
            "offering": "catalog",
            "lifecycle": "retired",
        },
    ],
    "metrics": [
        {
            "id": "uptime",
            "name": "Uptime",
            "description": "Seen by customers",
            "unit": "%",
            "perspective": "external",
            "direction": "higher_is_better",
            "outcome": "delivered",
            "measures": "availability",
        }
    ],
    "slas": [
        {
            "id": "pay-sla",
            "name": "Payments SLA",
            "description": "Monthly",
            "service": "pay",
            "consumer": "shoppers",
            "objectives": [{"metric": "uptime", "target": 0.995, "window_days": 30}],
        }
    ],
}
IDS = sorted(
    entity["id"] for key, items in BASE.items() if isinstance(items, list) for entity in items
)
Path = tuple[str | int, ...]


def locations(cls: type) -> list[Path]:
    """Where in BASE the mappings of ``cls`` sit, found through the table."""
    found: list[Path] = []

    def walk(node: dict[str, Any], node_cls: type, path: Path) -> None:
        if node_cls is cls:
            found.append(path)
        for spec in fields_of(node_cls):
            if not spec.holds_model or spec.name not in node:
                continue
            value = node[spec.name]
            if spec.shape is Shape.MANY:
                for i, item in enumerate(value):
                    walk(item, spec.item, (*path, spec.name, i))
            else:
                walk(value, spec.item, (*path, spec.name))

    walk(BASE, iv.Portfolio, ())
    return found


def at(tree: Any, path: Path) -> Any:
    for part in path:
        tree = tree[part]
    return tree


# --- values drawn from a field's description ------------------------------------------------

JUNK = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats()
    | st.text(max_size=4)
    | st.lists(st.integers(0, 2), max_size=2)
    | st.dictionaries(st.sampled_from(["x", "id", "amount"]), st.integers(0, 2), max_size=2)
)


def _python(pattern: str) -> str:
    return r"\A" + pattern[1:-1] + r"\Z" if pattern.startswith("^") else pattern


def _bounds(schema: dict[str, Any]) -> list[float]:
    edges: list[float] = []
    for key in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        if key in schema:
            edge = schema[key]
            edges += [edge, edge - 1, edge + 1, edge - 1e-9, edge + 1e-9]
    return edges


def item_values(spec: FieldSpec, item: type, schema: dict[str, Any], depth: int) -> tuple[Any, Any]:
    """Good and bad values for one item of a field: in type and range, or not."""
    good: list[Any]
    bad: list[Any] = [JUNK]
    if issubclass(item, enum.Enum):
        values = [m.value for m in item]
        good = [st.sampled_from(values)]
        bad.append(st.sampled_from([v.upper() for v in values] + [v[:-1] for v in values]))
    elif item is str:
        good = [st.from_regex(_python(schema.get("pattern", "^.*$"))).map(lambda s: s[:12])]
        if spec.ref is not None:
            good.append(st.sampled_from([*IDS, "nobody"]))
        bad += [st.text(max_size=6), st.sampled_from(["", " ", "x\n", "Bad Id", "eur"])]
    elif item in (int, float):
        low = schema.get("minimum", schema.get("exclusiveMinimum", -1e6))
        high = schema.get("maximum", 1e6)
        numbers = st.integers(int(low) + 1, int(high)) if item is int else st.floats(low, high)
        good = [numbers] if item is int else [numbers, st.integers(int(low) + 1, int(high))]
        bad += [
            st.floats(),
            st.integers(2**63 - 2, 2**64 + 2),
            st.sampled_from([*_bounds(schema), 10**400, 7.0, 7.5, "0.5", "99.8%"]),
        ]
    else:
        good = [st.sampled_from([at(BASE, path) for path in locations(item)])]
        bad.append(mappings(item, depth + 1))
    return st.one_of(*good), st.one_of(*bad)


def field_values(spec: FieldSpec, depth: int = 0) -> Any:
    """Values for a field, shaped as the table says, half of them good."""
    schema = spec.check.schema
    if spec.shape is Shape.MANY:
        good, bad = item_values(spec, spec.item, schema.get("items", {}), depth)
        return st.one_of(
            st.lists(good, min_size=1, max_size=3), st.lists(good | bad, max_size=3), JUNK
        )
    good, bad = item_values(spec, spec.item, schema, depth)
    if spec.shape is Shape.OPTIONAL:
        good = st.none() | good
    return good | bad


def mappings(cls: type, depth: int) -> Any:
    """Mappings for a class: every required field (mostly), optional fields or not."""
    if depth > 2:
        return JUNK
    specs = fields_of(cls)
    return st.fixed_dictionaries(
        {s.name: field_values(s, depth) for s in specs if s.required},
        optional={s.name: field_values(s, depth) for s in specs if not s.required},
    )


# --- the table itself -----------------------------------------------------------------------


def test_every_class_has_a_table() -> None:
    """Every class a document holds is described, and MODEL_CLASSES lists them all."""
    reachable: set[type] = set()

    def collect(cls: type) -> None:
        for spec in fields_of(cls):
            if spec.holds_model and spec.item not in reachable:
                reachable.add(spec.item)
                collect(spec.item)

    collect(iv.Portfolio)
    assert reachable == set(MODEL_CLASSES)
    for cls in CLASSES:
        assert [s.name for s in fields_of(cls)] == [f.name for f in attrs.fields(cls) if f.init]


def test_the_base_document_covers_every_field() -> None:
    """The document the agreement property starts from gives every field of every class."""
    assert iv.from_dict(BASE) == fast_structure(BASE)
    for cls in CLASSES:
        given_fields = {name for path in locations(cls) for name in at(BASE, path)}
        missing = {s.name for s in fields_of(cls)} - given_fields
        assert not missing, f"give {cls.__name__}'s {sorted(missing)} in BASE"


def test_constructors_take_what_the_table_converts() -> None:
    """Every enum field takes its string value, every tuple field any iterable."""
    portfolio = iv.from_dict(BASE)
    for cls in CLASSES:
        for path in locations(cls):
            instance: Any = portfolio
            for part in path:
                instance = instance[part] if isinstance(part, int) else getattr(instance, part)
            given_values: dict[str, Any] = {}
            for spec in fields_of(cls):
                value = getattr(instance, spec.name)
                if spec.holds_enum and value is not None:
                    value = value.value
                elif spec.shape is Shape.MANY:
                    value = list(value) if len(value) % 2 else iter(value)
                given_values[spec.name] = value
            rebuilt = cls(**given_values)
            assert rebuilt == instance
            for spec in fields_of(cls):
                value = getattr(rebuilt, spec.name)
                if spec.holds_enum:
                    assert type(value) is spec.item
                if spec.shape is Shape.MANY:
                    assert type(value) is tuple


def test_describe_refuses_what_the_table_cannot_say() -> None:
    """A field of an unknown type, or with its own validator, stops the class being made."""
    with pytest.raises(TypeError, match="not dict"):

        @attrs.frozen(kw_only=True, field_transformer=describe)
        class Bad:
            mapping: dict[str, int]

    with pytest.raises(TypeError, match="declare checks in metadata"):

        @attrs.frozen(kw_only=True, field_transformer=describe)
        class Own:
            value: str = attrs.field(validator=attrs.validators.instance_of(str))

    with pytest.raises(TypeError, match="declare the check of a int field"):

        @attrs.frozen(kw_only=True, field_transformer=describe)
        class Count:
            value: int

    with pytest.raises(TypeError, match="quorums are for tuples of model classes"):

        @attrs.frozen(kw_only=True, field_transformer=describe)
        class Groups:
            names: tuple[str, ...] = attrs.field(
                default=(),
                metadata=quorums(members="x", by="g", key="name", least="k", noun="x", nouns="xs"),
            )

    with pytest.raises(TypeError, match="a check depending on another entity is for one value"):

        @attrs.frozen(kw_only=True, field_transformer=describe)
        class Targets:
            metric: str
            targets: tuple[float, ...] = attrs.field(
                default=(),
                metadata=when(fraction(), via="metric", field="measures", equals="x"),
            )

    with pytest.raises(TypeError, match="no field 'metric' names the entity"):

        @attrs.frozen(kw_only=True, field_transformer=describe)
        class Alone:
            target: float = attrs.field(
                metadata=when(fraction(), via="metric", field="measures", equals="x")
            )

    with pytest.raises(TypeError, match="a required field is always written"):

        @attrs.frozen(kw_only=True, field_transformer=describe)
        class Always:
            kind: iv.ServiceKind = attrs.field(metadata=declare(always_written=True))


def test_the_fast_path_refuses_a_constraint_it_cannot_express() -> None:
    """A check whose schema says more than the mirror can express stops the fast path."""
    email = Check(lambda _value: None, {"type": "string", "format": "email"})

    @attrs.frozen(kw_only=True, field_transformer=describe)
    class Contact:
        address: str = attrs.field(metadata=declare(email))

    with pytest.raises(UnsupportedConstraint, match="'format'"):
        _Mirror().struct(Contact)

    long = Check(lambda _value: None, {"type": "array", "maxItems": 3})

    @attrs.frozen(kw_only=True, field_transformer=describe)
    class Team:
        members: tuple[str, ...] = attrs.field(default=(), metadata=declare(long))

    with pytest.raises(UnsupportedConstraint, match="'maxItems'"):
        _Mirror().struct(Team)


def test_nonnegative_money_is_a_variant_derived_from_the_check() -> None:
    """The fast path's money of at least zero comes from the check's schema, not a name."""
    mirror = _Mirror()
    outcome = mirror.struct(iv.Outcome)
    money = mirror.struct(iv.Money)
    assert outcome is not None
    assert len([key for key in mirror.structs if key[0] is iv.Money]) == 2
    assert money is mirror.structs[(iv.Money, "")]


# --- the two paths agree, field by field ----------------------------------------------------

FIELDS = [(cls, spec) for cls in CLASSES for spec in fields_of(cls)]


def _path_of(path: Path, name: str) -> str:
    return render_path((*path, name))


@pytest.mark.parametrize(("cls", "spec"), FIELDS, ids=[f"{c.__name__}.{s.name}" for c, s in FIELDS])
@settings(max_examples=max(10, settings().max_examples // 4))
@given(data=st.data())
def test_fast_and_detailed_paths_agree_on_every_field(
    cls: type, spec: FieldSpec, data: st.DataObject
) -> None:
    """Whatever a field holds, the fast path agrees with the detailed one.

    Accepted by the fast path: accepted by the detailed path, equal. Refused for its
    integrity: the same problems. Refused as malformed: the detailed path reports a
    problem at that field (or accepts the document).
    """
    tree = copy.deepcopy(BASE)
    where = data.draw(st.sampled_from(locations(cls)), label="at")
    node = at(tree, where)
    change = data.draw(st.sampled_from(["set"] * 6 + ["drop", "extra"]), label="change")
    key = spec.name
    if change == "set":
        node[key] = data.draw(field_values(spec), label="value")
    elif change == "drop":
        node.pop(key, None)
    else:
        key = spec.name + "_"
        node[key] = data.draw(JUNK, label="extra")
    field = _path_of(where, key)

    try:
        fast: iv.Portfolio | None = fast_structure(tree)
        fast_problems = None
    except iv.ValidationError as error:
        fast, fast_problems = None, [(p.path, p.message, p.hint) for p in error.problems]
    try:
        slow = _STRUCTURER.portfolio(tree)
        slow_problems = None
    except Invalid as error:
        slow = None
        slow_problems = [(render_path(p), m, h) for p, m, h in error.problems]

    event(
        ("fast accepts" if fast else "fast: integrity" if fast_problems else "fast refuses")
        + (", detailed accepts" if slow else ", detailed refuses")
    )
    if fast is not None:
        assert slow is not None, f"the fast path accepted {field}; detailed: {slow_problems}"
        assert fast == slow
        assert iv.dumps(fast, "json") == iv.dumps(slow, "json")
    elif fast_problems is not None:
        assert slow_problems == fast_problems
    elif slow_problems is not None:
        here = re.compile(re.escape(field) + r"($|[.\[])")
        assert any(here.match(path) for path, _m, _h in slow_problems), (field, slow_problems)
