"""The configured cattrs converter, and the strict structuring behind it.

What happens to each type on the way in (structure) and out (unstructure):

* ``str`` — must already be a string; ``7``, ``true``, ``null`` are errors with the
  hint "quote the value" (never ``str(x)``).
* ``int`` — must be an integer; ``7.9``, ``7.0`` and ``true`` are errors.
* ``float`` — an integer or a float, widened to ``float``; booleans are errors; NaN and
  infinity are refused by the model's validators.
* closed vocabularies (``enum.StrEnum``) — by their lower-case value, out and in; an
  unknown value names the allowed ones and the closest match.
* ``tuple[X, ...]`` — a list in the document, a tuple in the model.
* ``X | None`` — ``null`` is accepted only where the model has ``None``; optional
  fields are simply left out on output when they hold their default.
* every attrs class of ours — a mapping with exactly the field names; unknown keys are
  errors with a "did you mean" hint; missing required keys are errors; the attrs
  validators run, and every failing one is reported, not only the first.
* :class:`~itvalue.model.Portfolio` — the document tree, with its ``apiVersion`` and
  ``kind`` envelope; integrity problems are reported together with the field problems.

All problems of a document are collected and raised together in one
:class:`~itvalue.errors.ValidationError`. Nothing is registered on cattrs's global
converter.
"""

from __future__ import annotations

import difflib
import enum
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from itvalue.errors import Problem, ValidationError
from itvalue.io._fast import fast_structure
from itvalue.model import (
    COLLECTIONS,
    SLA,
    BusinessProcess,
    CustomerSegment,
    Dependency,
    Metric,
    Money,
    Objective,
    Outcome,
    Portfolio,
    Product,
    Quantity,
    Service,
    Stage,
    Stakeholder,
    Support,
    ValueStream,
)
from itvalue.model._checks import show, type_name

__all__ = [
    "API_VERSION",
    "API_VERSIONS",
    "KIND",
    "MODEL_CLASSES",
    "configure_converter",
    "converter",
    "from_dict",
    "make_converter",
    "structure_tree",
    "to_dict",
]

API_VERSION = "itvalue/v1"
#: The document versions this library reads.
API_VERSIONS: tuple[str, ...] = (API_VERSION,)
KIND = "Portfolio"

#: Every class the converter knows, nested value types first.
MODEL_CLASSES: tuple[type, ...] = (
    Quantity,
    Money,
    Support,
    Dependency,
    Stage,
    Objective,
    Stakeholder,
    CustomerSegment,
    Outcome,
    Product,
    BusinessProcess,
    ValueStream,
    Service,
    Metric,
    SLA,
)

T = TypeVar("T")
PathPart = str | int
RawProblem = tuple[tuple[PathPart, ...], str, str]
QUOTE_HINT = "quote the value"


class Invalid(Exception):
    """Problems found while structuring, with paths relative to the value at hand.

    ``partial`` holds the fields of a mapping that did structure, so that a stand-in
    can still take part in the portfolio's integrity checks.
    """

    def __init__(self, problems: list[RawProblem], partial: dict[str, Any] | None = None) -> None:
        super().__init__(problems)
        self.problems = problems
        self.partial = partial


def _stand_in(cls: type, fields: dict[str, Any]) -> Any:
    """An unvalidated instance holding the fields that did structure (others: default or None).

    Used only to check the references of an entity that is broken elsewhere; it never
    leaves the loader.
    """
    instance: Any = object.__new__(cls)
    for field in attrs.fields(cls):
        if field.name in fields:
            value = fields[field.name]
        elif field.default is not attrs.NOTHING:
            value = field.default
        else:
            value = None
        object.__setattr__(instance, field.name, value)
    return instance


def _prefixed(part: PathPart, problems: list[RawProblem]) -> list[RawProblem]:
    return [((part, *path), message, hint) for path, message, hint in problems]


def render_path(parts: tuple[PathPart, ...]) -> str:
    """``("services", 3, "availability")`` -> ``services[3].availability``."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            out.append(f".{part}" if out else part)
    return "".join(out)


def _split_path(path: str) -> tuple[PathPart, ...]:
    parts: list[PathPart] = []
    for chunk in path.replace("]", "").split("."):
        head, *indices = chunk.split("[")
        if head:
            parts.append(head)
        parts.extend(int(i) for i in indices)
    return tuple(parts)


def to_problems(raw: list[RawProblem]) -> list[Problem]:
    """Turn raw problems into :class:`Problem` objects."""
    return [Problem(path=render_path(path), message=m, hint=h) for path, m, h in raw]


# --- scalar parsers ---------------------------------------------------------------


def _parse_str(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str(value)
    hint = QUOTE_HINT if not isinstance(value, (dict, list)) else ""
    raise Invalid([((), f"expected a string, got {type_name(value)} {show(value)}", hint)])


def _parse_int(value: Any) -> int:
    if type(value) is int:
        return value
    # JSON Schema counts 7.0 as an integer; so do we, losslessly. 7.9 is refused.
    if type(value) is float and value.is_integer():
        return int(value)
    raise Invalid([((), f"expected a whole number, got {type_name(value)} {show(value)}", "")])


def _parse_float(value: Any) -> float:
    kind = type(value)
    if kind is float:
        return value  # type: ignore[no-any-return]
    if kind is int:
        try:
            return float(value)
        except OverflowError:
            raise Invalid([((), f"number too large: {show(value)}", "")]) from None
    raise Invalid([((), f"expected a number, got {type_name(value)} {show(value)}", "")])


def _enum_parser(enum_type: type[enum.Enum]) -> Callable[[Any], Any]:
    by_value = {m.value: m for m in enum_type}
    allowed = list(by_value)

    def parse(value: Any) -> Any:
        if type(value) is str:
            member = by_value.get(value)
            if member is not None:
                return member
        if isinstance(value, enum_type):
            return value
        hint = ""
        if isinstance(value, str):
            match = difflib.get_close_matches(value.lower(), allowed, n=1, cutoff=0.6)
            hint = f"did you mean {match[0]!r}?" if match else ""
        raise Invalid([((), f"{show(value)} is not one of: {', '.join(allowed)}", hint)])

    return parse


# --- the strict structurer ----------------------------------------------------------


class _Structurer:
    """Builds and caches one parse function per type."""

    def __init__(self) -> None:
        self._parsers: dict[Any, Callable[[Any], Any]] = {}

    def parser(self, tp: Any) -> Callable[[Any], Any]:
        found = self._parsers.get(tp)
        if found is None:
            found = self._parsers[tp] = self._build(tp)
        return found

    def _build(self, tp: Any) -> Callable[[Any], Any]:
        if tp is str:
            return _parse_str
        if tp is int:
            return _parse_int
        if tp is float:
            return _parse_float
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return _enum_parser(tp)
        if isinstance(tp, type) and attrs.has(tp):
            return self._class_parser(tp)
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin in (typing.Union, types.UnionType) and type(None) in args:
            (inner,) = [a for a in args if a is not type(None)]
            return self._optional_parser(inner)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return self._tuple_parser(args[0])
        raise TypeError(f"no structure rule for {tp!r}")  # pragma: no cover - our own types

    def _optional_parser(self, inner: Any) -> Callable[[Any], Any]:
        parse_inner = self.parser(inner)

        def parse(value: Any) -> Any:
            return None if value is None else parse_inner(value)

        return parse

    def _tuple_parser(self, item: Any) -> Callable[[Any], Any]:
        parse_item = self.parser(item)

        def parse(value: Any) -> tuple[Any, ...]:
            if type(value) is not list and type(value) is not tuple:
                raise Invalid([((), f"expected a list, got {type_name(value)} {show(value)}", "")])
            out = []
            problems: list[RawProblem] = []
            for index, entry in enumerate(value):
                try:
                    out.append(parse_item(entry))
                except Invalid as exc:
                    problems.extend(_prefixed(index, exc.problems))
            if problems:
                raise Invalid(problems)
            return tuple(out)

        return parse

    def _class_parser(self, cls: type) -> Callable[[Any], Any]:
        fields = [f for f in attrs.fields(cls) if f.init]
        hints = typing.get_type_hints(cls)
        names = [f.name for f in fields]
        parsers: dict[str, Callable[[Any], Any]] = {}
        required = [f.name for f in fields if f.default is attrs.NOTHING]
        validators = [(f, f.validator) for f in fields if f.validator is not None]
        label = cls.__name__

        def parse(value: Any) -> Any:
            if type(value) is not dict:
                if isinstance(value, cls):
                    return value
                raise Invalid(
                    [
                        (
                            (),
                            f"expected a mapping for {label}, got {type_name(value)} {show(value)}",
                            "",
                        )
                    ]
                )
            if not parsers:
                for name in names:
                    parsers[name] = self.parser(hints[name])
            kwargs: dict[str, Any] = {}
            problems: list[RawProblem] = []
            for key, entry in value.items():
                field_parser = parsers.get(key)
                if field_parser is None:
                    problems.append(_unknown_key(key, names, label))
                    continue
                try:
                    kwargs[key] = field_parser(entry)
                except Invalid as exc:
                    problems.extend(_prefixed(key, exc.problems))
            for name in required:
                if name not in value:
                    problems.append(((name,), f"missing required key {name!r} of {label}", ""))
            if not problems:
                try:
                    return cls(**kwargs)
                except ValidationError:
                    pass
            # Report every failing validator, not only the first attrs met, and those
            # of the fields that did parse when others did not.
            for field, validator in validators:
                if field.name not in kwargs:
                    continue
                try:
                    validator(None, field, kwargs[field.name])
                except ValidationError as exc:
                    problems.extend((_split_path(p.path), p.message, p.hint) for p in exc.problems)
            # In the document's order; missing keys last.
            order = {k: i for i, k in enumerate(value)}
            problems.sort(key=lambda p: order.get(p[0][0] if p[0] else "", len(order)))
            raise Invalid(problems, partial=kwargs)

        return parse

    def portfolio(self, value: Any) -> Portfolio:
        """Structure a whole document tree, envelope included."""
        if type(value) is not dict:
            raise Invalid(
                [((), f"expected a mapping at the top of the document, got {type_name(value)}", "")]
            )
        problems: list[RawProblem] = []
        version = value.get("apiVersion")
        if "apiVersion" not in value:
            problems.append(
                (
                    ("apiVersion",),
                    "missing required key 'apiVersion'",
                    f"add apiVersion: {API_VERSION}",
                )
            )
        elif version not in API_VERSIONS:
            problems.append(
                (
                    ("apiVersion",),
                    f"unknown version {show(version)}; this library understands: "
                    + ", ".join(API_VERSIONS),
                    "",
                )
            )
        if "kind" not in value:
            problems.append((("kind",), "missing required key 'kind'", f"add kind: {KIND}"))
        elif value.get("kind") != KIND:
            problems.append((("kind",), f"expected kind {KIND!r}, got {show(value['kind'])}", ""))

        collection_names = {name for name, _cls, _kind in COLLECTIONS}
        allowed = ["apiVersion", "kind", "name", "description", *collection_names]
        kwargs: dict[str, Any] = {}
        for key in value:
            if key not in allowed:
                problems.append(_unknown_key(key, allowed, "the document"))
        for key in ("name", "description"):
            if key in value:
                try:
                    kwargs[key] = _parse_str(value[key])
                except Invalid as exc:
                    problems.extend(_prefixed(key, exc.problems))
        if "name" not in value:
            problems.append((("name",), "missing required key 'name'", ""))

        collections: dict[str, list[Any]] = {}
        for name, cls, _kind in COLLECTIONS:
            items = value.get(name, [])
            if type(items) is not list:
                problems.append(
                    ((name,), f"expected a list, got {type_name(items)} {show(items)}", "")
                )
                continue
            parse_item = self.parser(cls)
            built: list[Any] = []
            for index, entry in enumerate(items):
                try:
                    built.append(parse_item(entry))
                except Invalid as exc:
                    problems.extend(_prefixed(name, _prefixed(index, exc.problems)))
                    built.append(None if exc.partial is None else _stand_in(cls, exc.partial))
            collections[name] = built

        if problems:
            from itvalue.model._integrity import integrity_problems

            problems.extend(
                (_split_path(p.path), p.message, p.hint) for p in integrity_problems(collections)
            )
            raise Invalid(problems)
        try:
            kwargs.update((k, tuple(v)) for k, v in collections.items())
            return Portfolio(**kwargs)
        except ValidationError as exc:
            raise Invalid(
                [(_split_path(p.path), p.message, p.hint) for p in exc.problems]
            ) from None


def _unknown_key(key: Any, allowed: list[str], label: str) -> RawProblem:
    if not isinstance(key, str):
        return (
            (),
            f"keys must be strings, got {type_name(key)} {show(key)} in {label}",
            QUOTE_HINT,
        )
    match = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if not match:
        match = [a for a in allowed if a.replace("_", "") == key.replace("_", "").lower()]
    hint = f"did you mean {match[0]!r}?" if match else "allowed: " + ", ".join(allowed)
    return ((key,), f"unknown key {key!r} in {label}", hint)


_STRUCTURER = _Structurer()


def structure_tree(tree: Any) -> Portfolio:
    """Structure a document tree into a portfolio, raising :class:`Invalid` on problems.

    This is the loaders' entry point: the raw problems keep their path parts, so that
    a loader can map them back to lines in the source text. Well-formed trees take the
    fast path of :mod:`itvalue.io._fast` when msgspec is installed; anything it refuses
    goes through the detailed structurer.
    """
    try:
        fast = fast_structure(tree)
    except ValidationError as exc:
        # Integrity problems of a well-formed tree, as the detailed path reports them.
        raise Invalid([(_split_path(p.path), p.message, p.hint) for p in exc.problems]) from None
    if fast is not None:
        return fast
    return _STRUCTURER.portfolio(tree)


def _structure_hook(cls: type[T]) -> Callable[[Any, Any], T]:
    parse = _STRUCTURER.parser(cls)

    def hook(value: Any, _type: Any) -> T:
        try:
            return parse(value)  # type: ignore[no-any-return]
        except Invalid as exc:
            raise ValidationError(to_problems(exc.problems)) from None

    return hook


def _structure_portfolio(value: Any, _type: Any) -> Portfolio:
    try:
        return structure_tree(value)
    except Invalid as exc:
        raise ValidationError(to_problems(exc.problems)) from None


# --- unstructuring ----------------------------------------------------------------------


def _tuple_fields(cls: type) -> dict[str, type]:
    """Fields holding ``tuple[X, ...]``, with their item type."""
    out: dict[str, type] = {}
    for name, tp in typing.get_type_hints(cls).items():
        if typing.get_origin(tp) is tuple:
            out[name] = typing.get_args(tp)[0]
    return out


def _enum_value(member: enum.Enum) -> Any:
    return member.value


def _list_of(conv: cattrs.Converter, item: type) -> Callable[[Any], list[Any]]:
    if item is str:
        return list
    unstructure_item = conv.get_unstructure_hook(item)

    def unstructure(value: tuple[Any, ...]) -> list[Any]:
        return [unstructure_item(x) for x in value]

    return unstructure


def configure_converter(conv: cattrs.Converter) -> None:
    """Register itvalue's structure and unstructure hooks on ``conv``.

    Use this to let your own converter read and write itvalue models inside your own
    classes. Only itvalue's own classes get hooks; how ``conv`` handles every other
    type, strings and numbers included, is left as it was.

    Examples:
        >>> import cattrs, itvalue
        >>> mine = cattrs.Converter()
        >>> itvalue.configure_converter(mine)
        >>> mine.structure({"amount": 3, "currency": "EUR"}, itvalue.Money)
        Money(amount=3.0, currency='EUR')
    """
    for cls in MODEL_CLASSES:
        conv.register_structure_hook(cls, _structure_hook(cls))
    for cls in MODEL_CLASSES:
        overrides = {
            name: override(unstruct_hook=_list_of(conv, item))
            for name, item in _tuple_fields(cls).items()
        }
        # Our vocabularies are StrEnums; write their plain value whatever ``conv``
        # does with enums elsewhere.
        overrides.update(
            (name, override(unstruct_hook=_enum_value))
            for name, tp in typing.get_type_hints(cls).items()
            if isinstance(tp, type) and issubclass(tp, enum.Enum)
        )
        conv.register_unstructure_hook(
            cls,
            make_dict_unstructure_fn(
                cls,
                conv,
                _cattrs_omit_if_default=True,
                **overrides,  # type: ignore[arg-type]
            ),
        )
    conv.register_structure_hook(Portfolio, _structure_portfolio)
    collection_hooks = {name: _list_of(conv, cls) for name, cls, _kind in COLLECTIONS}

    def unstructure_portfolio(portfolio: Portfolio) -> dict[str, Any]:
        tree: dict[str, Any] = {"apiVersion": API_VERSION, "kind": KIND, "name": portfolio.name}
        if portfolio.description:
            tree["description"] = portfolio.description
        for name, hook in collection_hooks.items():
            items = getattr(portfolio, name)
            if items:
                tree[name] = hook(items)
        return tree

    conv.register_unstructure_hook(Portfolio, unstructure_portfolio)


def make_converter() -> cattrs.Converter:
    """A new :class:`cattrs.Converter` configured for itvalue's models."""
    conv = cattrs.Converter()
    configure_converter(conv)
    return conv


#: The configured converter itvalue itself uses; reuse it, or see :func:`configure_converter`.
converter: cattrs.Converter = make_converter()


def to_dict(portfolio: Portfolio) -> dict[str, Any]:
    """The plain document tree of a portfolio, ``apiVersion`` and ``kind`` included.

    Fields holding their default are left out; the order of keys is the order of the
    model's fields, so the output is deterministic.
    """
    return converter.unstructure(portfolio)  # type: ignore[no-any-return]


def from_dict(tree: Any) -> Portfolio:
    """The portfolio a plain document tree describes.

    Raises:
        ValidationError: With every problem of the tree at once, each with its path.
    """
    return _structure_portfolio(tree, Portfolio)
