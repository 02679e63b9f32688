"""A fast path for well-formed documents, through msgspec.

msgspec converts a document tree into mirror ``Struct`` types in C, checking types,
unknown keys and every field constraint; the structs are then turned into the model's
attrs instances without running the validators again, and the portfolio checks its
integrity as usual. The mirror types and their constraints are derived from the same
field checks as the JSON Schema (:mod:`itvalue.model._checks`), so the two paths accept
the same documents; whenever msgspec refuses one, the caller falls back to the detailed
structurer, which accepts it or reports every problem with its path. Properties in the
test suite hold the two paths to identical results.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any, Literal

import attrs
import msgspec

from itvalue.model import COLLECTIONS, Money, Portfolio
from itvalue.model._checks import Check

__all__ = ["fast_json", "fast_structure"]

_FINITE = 1.7976931348623157e308  # the largest float; bounds keep NaN and infinity out


def _python_pattern(pattern: str) -> str:
    # JSON Schema's "$" is the end of the text; Python's also matches before a final
    # newline, so anchor with \A and \Z.
    if pattern.startswith("^") and pattern.endswith("$"):
        return r"\A" + pattern[1:-1] + r"\Z"
    return pattern


def _meta(schema: dict[str, Any], base: Any) -> Any:
    options: dict[str, Any] = {}
    if "pattern" in schema:
        options["pattern"] = _python_pattern(schema["pattern"])
    if "minimum" in schema:
        options["ge"] = schema["minimum"]
    if "exclusiveMinimum" in schema:
        options["gt"] = schema["exclusiveMinimum"]
    if "maximum" in schema:
        options["le"] = schema["maximum"]
    if "minItems" in schema:
        options["min_length"] = schema["minItems"]
    if base is float:
        if "gt" not in options:
            options.setdefault("ge", -_FINITE)
        options.setdefault("le", _FINITE)
    if not options:
        return base
    return Annotated[base, msgspec.Meta(**options)]


class _Mirror:
    """Builds the mirror Struct types and the converters back to attrs instances."""

    def __init__(self) -> None:
        self.structs: dict[tuple[type, str], type] = {}
        self.builders: dict[type, Callable[[Any], Any]] = {}
        self.encoders: dict[type, Callable[[Any], Any]] = {}

    def field_type(self, tp: Any, schema: dict[str, Any]) -> Any:
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin in (typing.Union, types.UnionType):
            (inner,) = [a for a in args if a is not type(None)]
            return self.field_type(inner, schema) | None
        if origin is tuple:
            item = self.field_type(args[0], schema.get("items", {}))
            sequence: Any = tuple.__class_getitem__((item, ...))  # from the model's types
            return _meta({k: v for k, v in schema.items() if k == "minItems"}, sequence)
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return tp
        if isinstance(tp, type) and attrs.has(tp):
            # A constraint on a nested value (money of at least zero) makes a variant.
            variant = ""
            if tp is Money and schema.get("properties", {}).get("amount", {}).get("minimum") == 0:
                variant = "nonnegative"
            return self.struct(tp, variant)
        return _meta(schema, tp)

    def struct(self, cls: type, variant: str = "") -> type:
        key = (cls, variant)
        found = self.structs.get(key)
        if found is not None:
            return found
        hints = typing.get_type_hints(cls)
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        for field in attrs.fields(cls):
            if not field.init:
                continue
            schema = field.validator.schema if isinstance(field.validator, Check) else {}
            if variant == "nonnegative" and field.name == "amount":
                schema = {**schema, "minimum": 0}
            tp = self.field_type(hints[field.name], schema)
            if field.default is attrs.NOTHING:
                fields.append((field.name, tp))
            else:
                fields.append((field.name, tp, field.default))
        if cls is Portfolio:
            fields = [
                ("apiVersion", Literal["itvalue/v1"]),
                ("kind", Literal["Portfolio"]),
                *fields,
            ]
        mirror: type = msgspec.defstruct(
            f"{cls.__name__}Mirror{variant.title()}",
            fields,
            forbid_unknown_fields=True,
            kw_only=True,
            omit_defaults=True,
            gc=False,
        )
        self.structs[key] = mirror
        return mirror

    def builder(self, cls: type) -> Callable[[Any], Any]:
        """A function turning a mirror struct into an attrs instance, validators skipped."""
        found = self.builders.get(cls)
        if found is not None:
            return found
        # The builder is generated as straight-line code, one statement per field, the
        # way attrs and cattrs generate theirs: no loop or dispatch per field at run time.
        hints = typing.get_type_hints(cls)
        namespace: dict[str, Any] = {"new": object.__new__, "cls": cls, "tuple": tuple, "map": map}
        lines = ["def build(struct):", "    instance = new(cls)"]
        for field in attrs.fields(cls):
            if field.init:
                namespace[f"set_{field.name}"] = cls.__dict__[field.name].__set__
                value = _convert(
                    field.name, hints[field.name], f"struct.{field.name}", self.builder, namespace
                )
                lines.append(f"    set_{field.name}(instance, {value})")
        lines.append("    return instance")
        exec("\n".join(lines), namespace)  # code built above from our own field names
        built: Callable[[Any], Any] = namespace["build"]
        self.builders[cls] = built
        return built

    def encoder(self, cls: type) -> Callable[[Any], Any]:
        """A function turning an attrs instance into its mirror struct, for encoding.

        The mirror omits fields at their default when encoded, as ``dumps`` must.
        """
        found = self.encoders.get(cls)
        if found is not None:
            return found
        hints = typing.get_type_hints(cls)
        namespace: dict[str, Any] = {"Mirror": self.struct(cls), "tuple": tuple, "map": map}
        arguments = ['apiVersion="itvalue/v1"', 'kind="Portfolio"'] if cls is Portfolio else []
        for field in attrs.fields(cls):
            if not field.init:
                continue
            value = _convert(
                field.name, hints[field.name], f"o.{field.name}", self.encoder, namespace
            )
            if value == f"o.{field.name}" and field.default not in (attrs.NOTHING, None):
                # msgspec omits a default by identity: hand it the default object itself.
                namespace[f"default_{field.name}"] = field.default
                value = f"(default_{field.name} if {value} == default_{field.name} else {value})"
            arguments.append(f"{field.name}={value}")
        source = f"def encode(o):\n    return Mirror({', '.join(arguments)})"
        exec(source, namespace)  # code built above from our own field names
        built: Callable[[Any], Any] = namespace["encode"]
        self.encoders[cls] = built
        return built


def _convert(
    name: str,
    tp: Any,
    value: str,
    nested: Callable[[type], Callable[[Any], Any]],
    namespace: dict[str, Any],
) -> str:
    """The expression converting ``value`` of field ``name``, through ``nested`` for ours."""
    origin = typing.get_origin(tp)
    many = origin is tuple
    optional = origin in (typing.Union, types.UnionType)
    if many or optional:
        (tp,) = [a for a in typing.get_args(tp) if a is not type(None) and a is not Ellipsis]
    if not (isinstance(tp, type) and attrs.has(tp)):
        return value
    function = f"convert_{name}"
    namespace[function] = nested(tp)
    if many:
        return f"tuple(map({function}, {value}))"
    if optional:
        return f"(None if {value} is None else {function}({value}))"
    return f"{function}({value})"


_MIRROR = _Mirror()


def fast_json(portfolio: Portfolio) -> bytes:
    """The compact JSON of a portfolio's document, fields at their default left out."""
    return msgspec.json.encode(_MIRROR.encoder(Portfolio)(portfolio))


def fast_structure(tree: Any) -> Portfolio | None:
    """The portfolio of a well-formed tree, or ``None`` when the fast path refuses it.

    Integrity problems are not a refusal: the portfolio's own checks raise them, as the
    detailed path would.
    """
    if type(tree) is not dict:
        return None
    try:
        struct: Any = msgspec.convert(tree, _MIRROR.struct(Portfolio))
    except (msgspec.ValidationError, RecursionError):
        return None
    kwargs: dict[str, Any] = {"name": struct.name, "description": struct.description}
    for name, cls, _kind in COLLECTIONS:
        build = _MIRROR.builder(cls)
        kwargs[name] = tuple(map(build, getattr(struct, name)))
    return Portfolio(**kwargs)
