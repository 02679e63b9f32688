"""Field validators that also know their JSON Schema.

Each check is an attrs validator (``check(instance, attribute, value)``) that raises a
:class:`~itvalue.errors.ValidationError` naming the field, and carries the JSON Schema
fragment that says the same thing, so the schema and the converter can never disagree.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable
from typing import Any

import attrs

from itvalue.errors import Problem, ValidationError

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
_ID_RE = re.compile(ID_PATTERN)
_CURRENCY_RE = re.compile(CURRENCY_PATTERN)
_NONBLANK_RE = re.compile(r"\S")

Outcome = tuple[str, str] | None  # (message, hint) or None when fine
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


class Check:
    """An attrs validator with a JSON Schema fragment.

    Attributes:
        test: Returns ``None`` for a good value, else ``(message, hint)``.
        schema: The JSON Schema fragment accepting exactly the good values
            (as they appear in a document).
    """

    __slots__ = ("schema", "suffix", "test")

    def __init__(self, test: Callable[[Any], Outcome], schema: Schema, *, suffix: str = "") -> None:
        self.test = test
        self.schema = schema
        self.suffix = suffix

    def __call__(self, instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        bad = self.test(value)
        if bad is not None:
            path = attribute.name + self.suffix
            raise ValidationError([Problem(path=path, message=bad[0], hint=bad[1])])


def _is_real(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(value: object) -> bool:
    try:
        return math.isfinite(value)  # type: ignore[arg-type]
    except OverflowError:
        return False


def _number_problem(value: object) -> Outcome:
    if not _is_real(value):
        return f"expected a number, got {type_name(value)} {show(value)}", ""
    if not _finite(value):
        return f"must be a finite number, got {show(value)}", ""
    return None


def _string_problem(value: object) -> Outcome:
    if not isinstance(value, str):
        return f"expected a string, got {type_name(value)} {show(value)}", "quote the value"
    return None


def text(*, blank: bool = True) -> Check:
    """A string; with ``blank=False`` it must hold a non-space character."""

    def test(value: object) -> Outcome:
        bad = _string_problem(value)
        if bad is None and not blank and _NONBLANK_RE.search(value) is None:  # type: ignore[call-overload]
            return "must not be empty", ""
        return bad

    return Check(test, {"type": "string"} if blank else {"type": "string", "pattern": r"\S"})


def identifier() -> Check:
    """An entity id: lower-case letters, digits, ``.``, ``_`` and ``-``."""

    def test(value: object) -> Outcome:
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

    def test(value: object) -> Outcome:
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

    def test(value: object) -> Outcome:
        bad = _number_problem(value)
        if bad is None and minimum is not None and value < minimum:  # type: ignore[operator]
            return f"must be at least {minimum:g}, got {show(value)}", ""
        return bad

    schema: Schema = {"type": "number"}
    if minimum is not None:
        schema["minimum"] = minimum
    return Check(test, schema)


def fraction() -> Check:
    """A number in (0, 1]."""

    def test(value: object) -> Outcome:
        bad = _number_problem(value)
        if bad is None and not 0 < value <= 1:  # type: ignore[operator]
            hint = "write a fraction: 99.9% is 0.999" if 1 < value <= 100 else ""  # type: ignore[operator]
            return f"must be greater than 0 and at most 1, got {show(value)}", hint
        return bad

    return Check(test, {"type": "number", "exclusiveMinimum": 0, "maximum": 1})


def positive_int() -> Check:
    """An integer of at least 1 (never a float, never a boolean)."""

    def test(value: object) -> Outcome:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected a whole number, got {type_name(value)} {show(value)}", ""
        if value < 1:
            return f"must be at least 1, got {value}", ""
        return None

    return Check(test, {"type": "integer", "minimum": 1})


def member(enum_type: type[enum.Enum]) -> Check:
    """A member of a closed vocabulary."""
    allowed = [str(m.value) for m in enum_type]

    def test(value: object) -> Outcome:
        if isinstance(value, enum_type):
            return None
        return (
            f"{show(value)} is not one of: {', '.join(allowed)}",
            _closest(value, allowed),
        )

    return Check(test, {"enum": allowed})


def instance(cls: type, *, optional: bool = False) -> Check:
    """An instance of one of our value classes (``None`` too when optional)."""

    def test(value: object) -> Outcome:
        if isinstance(value, cls) or (optional and value is None):
            return None
        return f"expected {cls.__name__}, got {type_name(value)} {show(value)}", ""

    return Check(test, {})


def price(money_type: type, *, optional: bool = True) -> Check:
    """A :class:`~itvalue.model.Money` of at least zero (``None`` too when optional)."""

    def test(value: object) -> Outcome:
        if value is None and optional:
            return None
        if not isinstance(value, money_type):
            return f"expected Money, got {type_name(value)} {show(value)}", ""
        if value.amount < 0:  # type: ignore[attr-defined]
            return f"must be at least 0, got {show(value.amount)}", ""  # type: ignore[attr-defined]
        return None

    return Check(test, {"properties": {"amount": {"minimum": 0}}}, suffix=".amount")


def tuple_of(item: type | Check, *, min_items: int = 0) -> Check:
    """A tuple whose items are of ``item`` type (or pass the ``item`` check)."""

    def test(value: object) -> Outcome:
        if not isinstance(value, tuple):
            return f"expected a tuple, got {type_name(value)}", "models hold tuples, not lists"
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

    def test(value: object) -> Outcome:
        return None if value is None else check.test(value)

    return Check(test, check.schema)


def _closest(value: object, choices: list[str]) -> str:
    import difflib

    if not isinstance(value, str):
        return ""
    match = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.6)
    return f"did you mean {match[0]!r}?" if match else ""


def as_float(value: float) -> float:
    """Widen an ``int`` to ``float``; anything else is left for the validator to judge."""
    if type(value) is int:
        try:
            return float(value)
        except OverflowError:
            return value
    return value


def as_optional_float(value: float | None) -> float | None:
    """:func:`as_float` for optional fields."""
    return None if value is None else as_float(value)
