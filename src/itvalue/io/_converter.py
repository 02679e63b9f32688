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
  fields are simply left out on output when they hold their default, except the few
  the table marks as always written (a service's ``kind``, ``offering`` and
  ``lifecycle``, required before they had defaults).
* every attrs class of ours — a mapping with exactly the field names; unknown keys are
  errors with a "did you mean" hint; missing required keys are errors; the attrs
  validators run, and every failing one is reported, not only the first.
* :class:`~itvalue.model.Portfolio` — the document tree, with its ``apiVersion`` and
  ``kind`` envelope; integrity problems are reported together with the field problems.

All problems of a document are collected and raised together in one
:class:`~itvalue.errors.ValidationError`. Every rule above is read from the model's
table of fields (:func:`itvalue.model._fields.fields_of`), never from the type hints
again.

:func:`to_dict`, :func:`from_dict` and the loaders use a converter of their own, so
hooks that others register on the exported :data:`converter` change only their own
``structure``/``unstructure`` calls, never what itvalue reads or writes. Nothing is
registered on cattrs's global converter.
"""

from __future__ import annotations

import difflib
import enum
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from itvalue.errors import Problem, ValidationError
from itvalue.io._envelope import API_VERSION, API_VERSIONS, KIND, MODEL_CLASSES
from itvalue.io._fast import fast_structure
from itvalue.model import COLLECTIONS, Portfolio
from itvalue.model._fields import Check, FieldSpec, Shape, fields_of, show, type_name

if TYPE_CHECKING:
    # cattrs is imported when a converter is first needed: reading a document does not
    # need one (the structurer below is our own), writing one and ``converter`` do.
    import cattrs

__all__ = [
    "API_VERSION",
    "API_VERSIONS",
    "KIND",
    "MODEL_CLASSES",
    "configure_converter",
    "converter",
    "from_dict",
    "make_converter",
    "plain",
    "structure_tree",
    "to_dict",
]

T = TypeVar("T")
PathPart = str | int
RawProblem = tuple[tuple[PathPart, ...], str, str]
QUOTE_HINT = "quote the value"


class Invalid(Exception):
    """Problems found while structuring, with paths relative to the value at hand.

    ``partial`` holds the fields of a mapping that did structure, and ``None`` for those
    given that did not, so that a stand-in can still take part in the portfolio's
    integrity checks.
    """

    def __init__(self, problems: list[RawProblem], partial: dict[str, Any] | None = None) -> None:
        super().__init__(problems)
        self.problems = problems
        self.partial = partial


def _stand_in(cls: type, fields: dict[str, Any]) -> Any:
    """An unvalidated instance holding the fields that did structure.

    A field given that did not structure holds ``None``, so that no integrity rule reads
    a default the document did not mean (a group would have no members); a field not
    given holds its default, or ``None`` when it is required.

    Used only to check the references of an entity that is broken elsewhere; it never
    leaves the loader.
    """
    instance: Any = object.__new__(cls)
    for spec in fields_of(cls):
        if spec.name in fields:
            value = fields[spec.name]
        elif not spec.required:
            value = spec.default
        else:
            value = None
        object.__setattr__(instance, spec.name, value)
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
    """Builds and caches one parse function per model class, from its table of fields."""

    def __init__(self) -> None:
        self._classes: dict[type, Callable[[Any], Any]] = {}
        self._enums: dict[type, Callable[[Any], Any]] = {}

    def parser(self, cls: type) -> Callable[[Any], Any]:
        """The parse function of a model class."""
        found = self._classes.get(cls)
        if found is None:
            found = self._classes[cls] = self._class_parser(cls)
        return found

    def _item_parser(self, item: type) -> Callable[[Any], Any]:
        if item is str:
            return _parse_str
        if item is int:
            return _parse_int
        if item is float:
            return _parse_float
        if issubclass(item, enum.Enum):
            found = self._enums.get(item)
            if found is None:
                found = self._enums[item] = _enum_parser(item)
            return found
        return self.parser(item)

    def field_parser(self, spec: FieldSpec) -> Callable[[Any], Any]:
        """The parse function of one field: its item's, for one, optional or many."""
        parse = self._item_parser(spec.item)
        if spec.shape is Shape.MANY:
            return _tuple_parser(parse)
        if spec.shape is Shape.OPTIONAL:
            return _optional_parser(parse)
        return parse

    def _class_parser(self, cls: type) -> Callable[[Any], Any]:
        specs = fields_of(cls)
        names = [s.name for s in specs]
        by_name = {s.name: s for s in specs}
        parsers: dict[str, Callable[[Any], Any]] = {}
        required = [s.name for s in specs if s.required]
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
                # Built on first use, so that classes may hold one another.
                for spec in specs:
                    parsers[spec.name] = self.field_parser(spec)
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
                    raw = _with_hint(exc.problems, by_name[key].check, entry)
                    problems.extend(_prefixed(key, raw))
            for name in required:
                if name not in value:
                    problems.append(((name,), f"missing required key {name!r} of {label}", ""))
            if not problems:
                try:
                    return cls(**kwargs)
                except ValidationError:
                    pass
            # Report every failing check, not only the first attrs met, and those of the
            # fields that did parse when others did not.
            for spec in specs:
                if spec.name in kwargs:
                    problem = spec.check.problem(spec.name, kwargs[spec.name])
                    if problem is not None:
                        problems.append((_split_path(problem.path), problem.message, problem.hint))
            # In the document's order; missing keys last.
            order = {k: i for i, k in enumerate(value)}
            problems.sort(key=lambda p: order.get(p[0][0] if p[0] else "", len(order)))
            broken = {key: None for key in value if key in parsers and key not in kwargs}
            raise Invalid(problems, partial={**broken, **kwargs})

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

        specs = fields_of(Portfolio)
        allowed = ["apiVersion", "kind", *(s.name for s in specs)]
        for key in value:
            if key not in allowed:
                problems.append(_unknown_key(key, allowed, "the document"))
        collection_names = {name for name, _cls, _kind in COLLECTIONS}
        plain = [s for s in specs if s.name not in collection_names]
        kwargs: dict[str, Any] = {}
        for spec in plain:
            if spec.name in value:
                try:
                    kwargs[spec.name] = self.field_parser(spec)(value[spec.name])
                except Invalid as exc:
                    problems.extend(_prefixed(spec.name, exc.problems))
        for spec in plain:
            if spec.required and spec.name not in value:
                problems.append(((spec.name,), f"missing required key {spec.name!r}", ""))

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


def _optional_parser(parse_inner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        return None if value is None else parse_inner(value)

    return parse


def _tuple_parser(parse_item: Callable[[Any], Any]) -> Callable[[Any], Any]:
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


def _with_hint(problems: list[RawProblem], check: Check, value: Any) -> list[RawProblem]:
    """Problems of a value of the wrong type, with the hint its field's check knows.

    A check knows more than a type: a fraction field, given the string ``"99.8%"``,
    hints at ``0.998``. Only scalars are asked: no hint about a scalar helps a list or a
    mapping.
    """
    if isinstance(value, (dict, list)):
        return problems
    out = []
    for path, message, hint in problems:
        if not path and not hint:
            verdict = check.test(value)
            if verdict is not None and verdict[0] == message:
                hint = verdict[1]
        out.append((path, message, hint))
    return out


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
    fast path of :mod:`itvalue.io._fast`; anything it refuses goes through the detailed
    structurer.
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


def _enum_value(member: enum.Enum | None) -> Any:
    return None if member is None else member.value


def _list_of(conv: cattrs.Converter, item: type) -> Callable[[Any], list[Any]]:
    if item is str:
        return list
    unstructure_item = conv.get_unstructure_hook(item)

    def unstructure(value: tuple[Any, ...]) -> list[Any]:
        return [unstructure_item(x) for x in value]

    return unstructure


def _overrides(conv: cattrs.Converter, cls: type) -> dict[str, Any]:
    """How each field of ``cls`` is written, where cattrs's own way is not ours."""
    from cattrs.gen import override

    overrides: dict[str, Any] = {}
    for spec in fields_of(cls):
        omit = False if spec.always_written else None
        if spec.shape is Shape.MANY:
            overrides[spec.name] = override(
                omit_if_default=omit, unstruct_hook=_list_of(conv, spec.item)
            )
        elif spec.holds_enum:
            # Our vocabularies are StrEnums; write their plain value whatever ``conv``
            # does with enums elsewhere.
            overrides[spec.name] = override(omit_if_default=omit, unstruct_hook=_enum_value)
        elif spec.always_written:
            overrides[spec.name] = override(omit_if_default=False)
    return overrides


def configure_converter(conv: cattrs.Converter) -> None:
    """Register itvalue's structure and unstructure hooks on ``conv``.

    Use this to let your own converter read and write itvalue models inside your own
    classes. Only itvalue's own classes get hooks; how ``conv`` handles every other
    type, strings and numbers included, is left as it was. Hooks registered on ``conv``
    afterwards change what ``conv`` does, never what :func:`itvalue.dumps` and the
    other readers and writers of itvalue do: those use a converter of their own.

    Examples:
        >>> import cattrs, itvalue
        >>> mine = cattrs.Converter()
        >>> itvalue.configure_converter(mine)
        >>> mine.structure({"amount": 3, "currency": "EUR"}, itvalue.Money)
        Money(amount=3.0, currency='EUR')
    """
    from cattrs.gen import make_dict_unstructure_fn

    for cls in MODEL_CLASSES:
        conv.register_structure_hook(cls, _structure_hook(cls))
    for cls in MODEL_CLASSES:
        conv.register_unstructure_hook(
            cls,
            make_dict_unstructure_fn(
                cls,
                conv,
                _cattrs_omit_if_default=True,
                **_overrides(conv, cls),
            ),
        )
    conv.register_structure_hook(Portfolio, _structure_portfolio)
    fields = [(spec, _overrides(conv, Portfolio).get(spec.name)) for spec in fields_of(Portfolio)]
    writers = [
        (
            spec.name,
            spec.required or spec.always_written,
            spec.default,
            None if found is None else found.unstruct_hook,
        )
        for spec, found in fields
    ]

    def unstructure_portfolio(portfolio: Portfolio) -> dict[str, Any]:
        tree: dict[str, Any] = {"apiVersion": API_VERSION, "kind": KIND}
        for name, written, default, write in writers:
            value = getattr(portfolio, name)
            if written or value != default:
                tree[name] = value if write is None else write(value)
        return tree

    conv.register_unstructure_hook(Portfolio, unstructure_portfolio)


def make_converter() -> cattrs.Converter:
    """A new :class:`cattrs.Converter` configured for itvalue's models."""
    import cattrs

    conv = cattrs.Converter()
    configure_converter(conv)
    return conv


@functools.cache
def _own() -> cattrs.Converter:
    """The converter behind :func:`to_dict` and the writers, made on first use.

    Never handed out, so that no hook registered elsewhere changes what itvalue writes.
    """
    return make_converter()


@functools.cache
def _shared() -> cattrs.Converter:
    return make_converter()


if TYPE_CHECKING:
    #: A configured converter for others to reuse in their own ``structure`` and
    #: ``unstructure`` calls. Hooks registered on it change those calls only: itvalue's
    #: own reading and writing (:func:`to_dict`, :func:`from_dict`, ``dumps``,
    #: ``loads``) use a converter of their own. Made on first use.
    converter: cattrs.Converter


def __getattr__(name: str) -> Any:
    if name == "converter":
        return _shared()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def to_dict(portfolio: Portfolio) -> dict[str, Any]:
    """The plain document tree of a portfolio, ``apiVersion`` and ``kind`` included.

    Fields holding their default are left out, except a service's ``kind``,
    ``offering`` and ``lifecycle``, always written; the order of keys is the order of
    the model's fields, so the output is deterministic.
    """
    return _own().unstructure(portfolio)  # type: ignore[no-any-return]


def plain(value: Any) -> Any:
    """Any model value (an entity, a value type, a tuple of them) as document data."""
    return _own().unstructure(value)


def from_dict(tree: Any) -> Portfolio:
    """The portfolio a plain document tree describes.

    Raises:
        ValidationError: With every problem of the tree at once, each with its path.
    """
    return _structure_portfolio(tree, Portfolio)
