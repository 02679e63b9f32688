"""The table of fields: what each field of a model holds, accepts and refers to.

Every model class is declared with
``@attrs.frozen(kw_only=True, field_transformer=describe)``. When the class is made,
:func:`describe` reads each field's type hint once and records a :class:`FieldSpec`:
the item type, the shape (one, optional, repeated), the default, the :class:`Check`
that validates it together with its JSON Schema fragment, for fields holding ids the
kinds of entity they name, and the rules that cross entities (a check a value must pass
when the entity a sibling field names calls for it). From the same reading it gives the
field its attrs converter (an enum's string value becomes the member, any iterable a
tuple, an integer a float) and its validator.

Everything else reads :func:`fields_of` instead of the type hints: the detailed
structurer, the msgspec fast path, the JSON Schema, the unstructure hooks and both
integrity passes. A field added to a class is thereby known to all of them.

Examples:
    >>> from itvalue.model import Service
    >>> spec = {f.name: f for f in fields_of(Service)}["provided_by"]
    >>> spec.item, spec.shape, spec.ref
    (<class 'str'>, <Shape.OPTIONAL: 'optional'>, Ref(kinds=('stakeholder',), role='supplier'))
"""

from __future__ import annotations

import enum
import math
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from itvalue.errors import Problem, ValidationError

__all__ = [
    "CURRENCY_PATTERN",
    "ID_PATTERN",
    "Check",
    "FieldSpec",
    "Links",
    "Quorums",
    "Ref",
    "Shape",
    "Verdict",
    "When",
    "as_float",
    "as_tuple",
    "currency",
    "declare",
    "describe",
    "fields_of",
    "fraction",
    "identifier",
    "instance",
    "linked",
    "member",
    "number",
    "optional",
    "positive",
    "positive_int",
    "price",
    "quorums",
    "refers",
    "show",
    "text",
    "tuple_of",
    "type_name",
    "when",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
_ID_RE = re.compile(ID_PATTERN)
_CURRENCY_RE = re.compile(CURRENCY_PATTERN)
_NONBLANK_RE = re.compile(r"\S")
_PERCENT_RE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*%\s*")

Verdict = tuple[str, str] | None  # (message, hint) for a bad value, None for a good one
Schema = dict[str, Any]


def show(value: object, limit: int = 60) -> str:
    """A short, safe rendering of a value for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return repr(value.value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def type_name(value: object) -> str:
    """The document-level name of a value's type ("string", "number", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


# --- checks: validators that know their JSON Schema ---------------------------------------


class Check:
    """An attrs validator with a JSON Schema fragment.

    Attributes:
        test: Returns ``None`` for a good value, else ``(message, hint)``.
        schema: The JSON Schema fragment accepting exactly the good values
            (as they appear in a document).
        suffix: Appended to the field's name in a problem's path (``".amount"``).
    """

    __slots__ = ("schema", "suffix", "test")

    def __init__(self, test: Callable[[Any], Verdict], schema: Schema, *, suffix: str = "") -> None:
        self.test = test
        self.schema = schema
        self.suffix = suffix

    def problem(self, name: str, value: Any) -> Problem | None:
        """The problem of ``value`` in the field ``name``, or ``None`` when it is good."""
        bad = self.test(value)
        if bad is None:
            return None
        return Problem(path=name + self.suffix, message=bad[0], hint=bad[1])

    def __call__(self, instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        problem = self.problem(attribute.name, value)
        if problem is not None:
            raise ValidationError([problem])


def _is_real(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(value: object) -> bool:
    try:
        return math.isfinite(value)  # type: ignore[arg-type]
    except OverflowError:
        return False


def _number_problem(value: object) -> Verdict:
    if not _is_real(value):
        return f"expected a number, got {type_name(value)} {show(value)}", ""
    if not _finite(value):
        return f"must be a finite number, got {show(value)}", ""
    return None


def _string_problem(value: object) -> Verdict:
    if not isinstance(value, str):
        return f"expected a string, got {type_name(value)} {show(value)}", "quote the value"
    return None


def text(*, blank: bool = True) -> Check:
    """A string; with ``blank=False`` it must hold a non-space character."""

    def test(value: object) -> Verdict:
        bad = _string_problem(value)
        if bad is None and not blank and _NONBLANK_RE.search(value) is None:  # type: ignore[call-overload]
            return "must not be empty", ""
        return bad

    return Check(test, {"type": "string"} if blank else {"type": "string", "pattern": r"\S"})


def identifier() -> Check:
    """An entity id: lower-case letters, digits, ``.``, ``_`` and ``-``."""

    def test(value: object) -> Verdict:
        bad = _string_problem(value)
        if bad is None and _ID_RE.fullmatch(value) is None:  # type: ignore[call-overload]
            hint = ""
            lowered = re.sub(r"[^a-z0-9._-]+", "-", value.lower()).strip("-._")  # type: ignore[attr-defined]
            if lowered and _ID_RE.fullmatch(lowered):
                hint = f"try {lowered!r}"
            return (
                f"{show(value)} is not a valid id (lower-case letters, digits, '.', '_', '-';"
                " starting with a letter or digit)",
                hint,
            )
        return bad

    return Check(test, {"type": "string", "pattern": ID_PATTERN})


def currency() -> Check:
    """A three-letter upper-case currency code."""

    def test(value: object) -> Verdict:
        bad = _string_problem(value)
        if bad is None and _CURRENCY_RE.fullmatch(value) is None:  # type: ignore[call-overload]
            hint = ""
            if isinstance(value, str) and _CURRENCY_RE.fullmatch(value.upper()):
                hint = f"write {value.upper()!r}"
            return f"{show(value)} is not a three-letter upper-case currency code", hint
        return bad

    return Check(test, {"type": "string", "pattern": CURRENCY_PATTERN})


def number(*, minimum: float | None = None) -> Check:
    """A finite number, optionally at least ``minimum``."""

    def test(value: object) -> Verdict:
        bad = _number_problem(value)
        if bad is None and minimum is not None and value < minimum:  # type: ignore[operator]
            return f"must be at least {minimum:g}, got {show(value)}", ""
        return bad

    schema: Schema = {"type": "number"}
    if minimum is not None:
        schema["minimum"] = minimum
    return Check(test, schema)


def positive() -> Check:
    """A finite number greater than 0."""

    def test(value: object) -> Verdict:
        bad = _number_problem(value)
        if bad is None and value <= 0:  # type: ignore[operator]
            return f"must be greater than 0, got {show(value)}", ""
        return bad

    return Check(test, {"type": "number", "exclusiveMinimum": 0})


def _percent(value: str) -> str:
    """``"99.8%"`` -> ``"write a fraction: 99.8% is 0.998"``; ``""`` for anything else."""
    match = _PERCENT_RE.fullmatch(value)
    if match is None:
        return ""
    percent = Decimal(match.group(1))
    if not 0 < percent <= 100:
        return ""
    written = match.group(1).removesuffix(".0")  # a float's repr: 100.0 reads as 100
    return f"write a fraction: {written}% is {format((percent / 100).normalize(), 'f')}"


def fraction() -> Check:
    """A number in (0, 1]."""

    def test(value: object) -> Verdict:
        bad = _number_problem(value)
        if bad is not None:
            return (bad[0], _percent(value)) if isinstance(value, str) else bad
        if not 0 < value <= 1:  # type: ignore[operator]
            hint = _percent(repr(value) + "%") if 1 < value <= 100 else ""  # type: ignore[operator]
            return f"must be greater than 0 and at most 1, got {show(value)}", hint
        return None

    return Check(test, {"type": "number", "exclusiveMinimum": 0, "maximum": 1})


def positive_int() -> Check:
    """An integer of at least 1 (never a float, never a boolean)."""

    def test(value: object) -> Verdict:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected a whole number, got {type_name(value)} {show(value)}", ""
        if value < 1:
            return f"must be at least 1, got {value}", ""
        return None

    return Check(test, {"type": "integer", "minimum": 1})


def member(enum_type: type[enum.Enum]) -> Check:
    """A member of a closed vocabulary."""
    allowed = [str(m.value) for m in enum_type]

    def test(value: object) -> Verdict:
        if isinstance(value, enum_type):
            return None
        return (
            f"{show(value)} is not one of: {', '.join(allowed)}",
            _closest(value, allowed),
        )

    return Check(test, {"enum": allowed})


def instance(cls: type) -> Check:
    """An instance of one of our value classes."""

    def test(value: object) -> Verdict:
        if isinstance(value, cls):
            return None
        return f"expected {cls.__name__}, got {type_name(value)} {show(value)}", ""

    return Check(test, {})


def price(money_type: type) -> Check:
    """A :class:`~itvalue.model.Money` of at least zero."""

    def test(value: object) -> Verdict:
        if not isinstance(value, money_type):
            return f"expected Money, got {type_name(value)} {show(value)}", ""
        if value.amount < 0:  # type: ignore[attr-defined]
            return f"must be at least 0, got {show(value.amount)}", ""  # type: ignore[attr-defined]
        return None

    return Check(test, {"properties": {"amount": {"minimum": 0}}}, suffix=".amount")


def tuple_of(item: type | Check, *, min_items: int = 0) -> Check:
    """A tuple whose items are of ``item`` type (or pass the ``item`` check)."""

    def test(value: object) -> Verdict:
        if not isinstance(value, tuple):
            hint = "give a list of items, not a single string" if isinstance(value, str) else ""
            return f"expected a tuple, got {type_name(value)}", hint
        if len(value) < min_items:
            return f"must hold at least {min_items} item{'s' if min_items != 1 else ''}", ""
        for index, entry in enumerate(value):
            if isinstance(item, Check):
                bad = item.test(entry)
                if bad is not None:
                    return f"item {index}: {bad[0]}", bad[1]
            elif not isinstance(entry, item):
                return f"item {index}: expected {item.__name__}, got {type_name(entry)}", ""
        return None

    schema: Schema = {"type": "array"}
    if isinstance(item, Check):
        schema["items"] = item.schema
    if min_items:
        schema["minItems"] = min_items
    return Check(test, schema)


def optional(check: Check) -> Check:
    """``None``, or a value passing ``check``."""

    def test(value: object) -> Verdict:
        return None if value is None else check.test(value)

    return Check(test, check.schema, suffix=check.suffix)


def _closest(value: object, choices: list[str]) -> str:
    import difflib

    if not isinstance(value, str):
        return ""
    match = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.6)
    return f"did you mean {match[0]!r}?" if match else ""


# --- converters: what constructors accept beyond the stored type ---------------------------


def as_float(value: Any) -> Any:
    """Widen an ``int`` to ``float``; anything else is left for the validator to judge."""
    if type(value) is int:
        try:
            return float(value)
        except OverflowError:
            return value
    return value


def as_tuple(value: Any) -> Any:
    """Any iterable as a tuple; a string, bytes or a mapping is left for the validator."""
    if type(value) is tuple:
        return value
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def _as_member(enum_type: type[enum.Enum]) -> Callable[[Any], Any]:
    by_value = {m.value: m for m in enum_type}

    def convert(value: Any) -> Any:
        """An enum's string value as its member; anything else is left for the validator."""
        if isinstance(value, str) and not isinstance(value, enum.Enum):
            return by_value.get(value, value)
        return value

    return convert


def _as_tuple_of(convert_item: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        value = as_tuple(value)
        return tuple(map(convert_item, value)) if type(value) is tuple else value

    return convert


# --- declarations: what a class body says beyond the type ---------------------------------


@attrs.frozen
class Ref:
    """The kinds of entity an id field may name.

    Attributes:
        kinds: Entity kinds (``"stakeholder"``, ``"process"``, ...) the id may name.
        role: When set, the entity named must also have this ``kind`` (``"supplier"``).
    """

    kinds: tuple[str, ...]
    role: str | None = None


@attrs.frozen
class Links:
    """Rules over a repeated field whose items each name an entity through ``key``.

    Attributes:
        key: The item's field holding the id (itself a reference).
        twice: Completes ``'<id>' ...`` when an id comes twice ("is supported twice").
        itself: Completes ``'<id>' ...`` when an item names the entity holding it; empty
            when that is allowed.
        acyclic: The links between entities must not form a cycle.
    """

    key: str
    twice: str
    itself: str = ""
    acyclic: bool = False


@attrs.frozen
class Quorums:
    """Rules over a repeated field listing groups that a sibling field's items form.

    Each listed item names a group through ``key`` and says through ``least`` how many
    of its members must be up; the members of a group are the items of the sibling
    field ``members`` whose ``by`` field names it. A group is listed at most once, only
    when it has members, and never asks for more members than it has.

    Attributes:
        members: The sibling field whose items are the members (``depends_on``).
        by: The members' field naming their group (``group``).
        key: The listed item's field naming the group (``name``).
        least: The listed item's field saying how many members must be up (``min_up``).
        noun: What one member is, in messages (``dependency``).
        nouns: What several members are, in messages (``dependencies``).
    """

    members: str
    by: str
    key: str
    least: str
    noun: str
    nouns: str


@attrs.frozen
class When:
    """A check a field's value must also pass when the entity a sibling field names says so.

    The rule crosses entities, so it is one of the portfolio's integrity rules: the
    field's own check still judges the value alone.

    Attributes:
        via: The sibling field naming the entity (one id of one kind of entity).
        field: The named entity's field that decides.
        equals: The value of ``field`` that makes the rule apply.
        check: The check the value must then pass.
    """

    via: str
    field: str
    equals: object
    check: Check


@attrs.frozen
class _Declared:
    check: Check | None = None
    ref: Ref | None = None
    links: Links | None = None
    quorums: Quorums | None = None
    when: When | None = None
    min_items: int = 0
    always_written: bool = False


_DECLARED = "itvalue.declared"
_SPEC = "itvalue.field"


def declare(
    check: Check | None = None, *, min_items: int = 0, always_written: bool = False
) -> Mapping[str, object]:
    """Field metadata declaring its check (per item for a repeated field).

    Without a check a field is checked by its type alone: a member of its enum, an
    instance of its class, a string, a finite number. A field ``always_written`` is
    written by ``dumps`` even at its default: one that was required before it had a
    default, so that documents written before re-dump unchanged.
    """
    return {_DECLARED: _Declared(check=check, min_items=min_items, always_written=always_written)}


def refers(*kinds: str, role: str | None = None) -> Mapping[str, object]:
    """Field metadata for an id (or ids) naming an entity of one of ``kinds``.

    A repeated field of ids names each entity at most once.
    """
    return {_DECLARED: _Declared(check=identifier(), ref=Ref(kinds, role))}


def when(check: Check, *, via: str, field: str, equals: object) -> Mapping[str, object]:
    """Field metadata: the value must pass ``check`` when the entity ``via`` names says so.

    The entity named by the sibling field ``via`` decides: when its ``field`` equals
    ``equals``, the value must pass ``check`` (an objective's target on a metric that
    measures availability is a fraction). The field is otherwise checked by its type.
    """
    return {_DECLARED: _Declared(when=When(via, field, equals, check))}


def linked(
    *, key: str, twice: str, itself: str = "", acyclic: bool = False
) -> Mapping[str, object]:
    """Field metadata for items that each name an entity through their ``key`` field."""
    return {_DECLARED: _Declared(links=Links(key, twice, itself, acyclic))}


def quorums(
    *, members: str, by: str, key: str, least: str, noun: str, nouns: str
) -> Mapping[str, object]:
    """Field metadata for items listing the groups that ``members``' items form."""
    return {_DECLARED: _Declared(quorums=Quorums(members, by, key, least, noun, nouns))}


# --- the table --------------------------------------------------------------------------


class Shape(enum.Enum):
    """How many values a field holds."""

    ONE = "one"
    OPTIONAL = "optional"
    MANY = "many"


@attrs.frozen
class FieldSpec:
    """One field of a model class, as every reader of the model sees it.

    Attributes:
        name: The field's name, also its key in a document.
        item: What one value is: ``str``, ``int``, ``float``, an enum or a model class.
        shape: One value, one or ``None``, or a tuple of them.
        default: The default, or ``attrs.NOTHING`` when the field is required.
        check: The field's validator, whose ``schema`` is the field's JSON Schema
            fragment beyond its type.
        ref: For an id field, the kinds of entity it names.
        links: For a repeated field of items naming entities, the rules over them.
        quorums: For a repeated field listing groups of a sibling field's items, the
            rules over them.
        when: A check the value must also pass, depending on the entity a sibling
            field names.
        always_written: Whether documents give the field even at its default.
    """

    name: str
    item: type
    shape: Shape
    default: Any
    check: Check
    ref: Ref | None = None
    links: Links | None = None
    quorums: Quorums | None = None
    when: When | None = None
    always_written: bool = False

    @property
    def required(self) -> bool:
        """Whether a document must give the field."""
        return self.default is attrs.NOTHING

    @property
    def holds_model(self) -> bool:
        """Whether an item is one of our model classes."""
        return attrs.has(self.item)

    @property
    def holds_enum(self) -> bool:
        """Whether an item is a member of a closed vocabulary."""
        return issubclass(self.item, enum.Enum)


_SCALARS = (str, int, float)


def _resolve(cls: type, name: str, annotation: Any) -> Any:
    """The type an annotation names, read in the class's module."""
    if not isinstance(annotation, str):
        return annotation
    holder = type(cls.__name__, (), {"__annotations__": {name: annotation}})
    holder.__module__ = cls.__module__
    return typing.get_type_hints(holder)[name]


def _shape(where: str, tp: Any) -> tuple[type, Shape]:
    """``Money | None`` -> ``(Money, OPTIONAL)``; the one reading of type hints."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    item, shape = tp, Shape.ONE
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item, shape = args[0], Shape.MANY
    elif origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        (item,) = [a for a in args if a is not type(None)]
        shape = Shape.OPTIONAL
    known = isinstance(item, type) and (
        item in _SCALARS or issubclass(item, enum.Enum) or attrs.has(item)
    )
    if not known:
        raise TypeError(
            f"{where}: a model field holds str, int, float, an enum or a model "
            f"class, one, optional or in a tuple; not {tp!r}"
        )
    return item, shape


def _check(where: str, item: type, shape: Shape, declared: _Declared) -> Check:
    check = declared.check
    if check is None:
        if issubclass(item, enum.Enum):
            check = member(item)
        elif item is str:
            check = text()
        elif item is float:
            check = number()
        elif not attrs.has(item):
            raise TypeError(f"{where}: declare the check of a {item.__name__} field")
    if shape is Shape.MANY:
        return tuple_of(item if check is None else check, min_items=declared.min_items)
    if declared.min_items:
        raise TypeError(f"{where}: min_items is for tuples")
    if check is None:
        check = instance(item)
    return optional(check) if shape is Shape.OPTIONAL else check


def _converter(item: type, shape: Shape) -> Callable[[Any], Any] | None:
    convert: Callable[[Any], Any] | None = None
    if item is float:
        convert = as_float
    elif issubclass(item, enum.Enum):
        convert = _as_member(item)
    if shape is Shape.MANY:
        return as_tuple if convert is None else _as_tuple_of(convert)
    return convert  # None passes both untouched, so optional fields need nothing more


def describe(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """The attrs field transformer that reads a class's fields into the table.

    Each field given to ``__init__`` gets its resolved type, its converter, its validator
    and its :class:`FieldSpec` (in its metadata, read back by :func:`fields_of`).
    Fields not given to ``__init__`` are left alone.

    Raises:
        TypeError: A field's type is not one the table describes, or a field declares
            ``validator=`` or ``converter=`` itself (declare checks with
            :func:`declare`, :func:`refers`, :func:`linked` or :func:`when`).
    """
    out: list[attrs.Attribute[Any]] = []
    for field in fields:
        if not field.init:
            out.append(field)
            continue
        where = f"{cls.__name__}.{field.name}"
        if field.validator is not None or field.converter is not None:
            raise TypeError(f"{where}: declare checks in metadata, not as validator or converter")
        declared = field.metadata.get(_DECLARED, _Declared())
        tp = _resolve(cls, field.name, field.type)
        item, shape = _shape(where, tp)
        if declared.links is not None and not (shape is Shape.MANY and attrs.has(item)):
            raise TypeError(f"{where}: links are for tuples of model classes")
        if declared.quorums is not None and not (shape is Shape.MANY and attrs.has(item)):
            raise TypeError(f"{where}: quorums are for tuples of model classes")
        if declared.when is not None and (shape is Shape.MANY or attrs.has(item)):
            raise TypeError(f"{where}: a check depending on another entity is for one value")
        if declared.when is not None and declared.when.via not in {f.name for f in fields}:
            raise TypeError(f"{where}: no field {declared.when.via!r} names the entity")
        if declared.always_written and field.default is attrs.NOTHING:
            raise TypeError(f"{where}: a required field is always written")
        spec = FieldSpec(
            name=field.name,
            item=item,
            shape=shape,
            default=field.default,
            check=_check(where, item, shape, declared),
            ref=declared.ref,
            links=declared.links,
            quorums=declared.quorums,
            when=declared.when,
            always_written=declared.always_written,
        )
        metadata = types.MappingProxyType({**field.metadata, _SPEC: spec})
        out.append(
            field.evolve(
                type=tp,
                validator=spec.check,
                converter=_converter(item, shape),
                metadata=metadata,
            )
        )
    return out


_TABLES: dict[type, tuple[FieldSpec, ...]] = {}


def fields_of(cls: type) -> tuple[FieldSpec, ...]:
    """The table of a model class's fields, in declaration order.

    Raises:
        TypeError: ``cls`` is not a model class declared with :func:`describe`.
    """
    found = _TABLES.get(cls)
    if found is None:
        if not attrs.has(cls):
            raise TypeError(f"{cls!r} is not a model class")
        found = tuple(f.metadata[_SPEC] for f in attrs.fields(cls) if _SPEC in f.metadata)
        if not found:
            raise TypeError(f"{cls.__name__} is not declared with field_transformer=describe")
        _TABLES[cls] = found
    return found
