"""A fast path for well-formed documents, through msgspec.

msgspec converts a document tree into mirror ``Struct`` types in C, checking types,
unknown keys and every field constraint; the structs are then turned into the model's
attrs instances without running the validators again, and the portfolio checks its
integrity as usual. The mirror types, the builders and the encoders are all derived
from the model's table of fields (:mod:`itvalue.model._fields`), each field's
constraints read from its check's JSON Schema, so the two paths accept the same
documents. A constraint the mirror cannot express stops the import with
:class:`UnsupportedConstraint`: a fast path that ignored it would accept documents the
detailed path refuses.

Whenever msgspec refuses a document, the caller falls back to the detailed structurer,
which accepts it or reports every problem with its path. Properties in the test suite
hold the two paths to identical results.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

import msgspec

from itvalue.io._envelope import API_VERSION, API_VERSIONS, KIND
from itvalue.model import Portfolio
from itvalue.model._fields import FieldSpec, Shape, fields_of

__all__ = ["UnsupportedConstraint", "fast_json", "fast_structure"]

_FINITE = 1.7976931348623157e308  # the largest float; bounds keep NaN and infinity out
_TYPES = {"string": str, "integer": int, "number": float}
_BOUNDS = {"minimum": "ge", "exclusiveMinimum": "gt", "maximum": "le", "exclusiveMaximum": "lt"}
Schema = dict[str, Any]


class UnsupportedConstraint(TypeError):
    """A field's check says something the fast path cannot express; a bug in itvalue."""


def _python_pattern(pattern: str) -> str:
    # JSON Schema's "$" is the end of the text; Python's also matches before a final
    # newline, so anchor with \A and \Z.
    if pattern.startswith("^") and pattern.endswith("$"):
        return r"\A" + pattern[1:-1] + r"\Z"
    return pattern


def _refuse(where: str, key: str, schema: Schema) -> UnsupportedConstraint:
    return UnsupportedConstraint(
        f"{where}: the fast path does not understand {key!r} in {schema!r}; "
        "teach itvalue/io/_fast.py to express it, or the fast path would accept "
        "documents the detailed path refuses"
    )


def _scalar(where: str, item: type, schema: Schema) -> Any:
    """A string, integer or float type carrying the schema's constraints."""
    options: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type" and _TYPES.get(value) is item:
            continue
        if key == "pattern" and item is str:
            options["pattern"] = _python_pattern(value)
        elif key in _BOUNDS and item is not str:
            options[_BOUNDS[key]] = value
        else:
            raise _refuse(where, key, schema)
    if item is float:
        if "gt" not in options:
            options.setdefault("ge", -_FINITE)
        if "lt" not in options:
            options.setdefault("le", _FINITE)
    if not options:
        return item
    return Annotated[item, msgspec.Meta(**options)]


def _giving(value: Any) -> Callable[[], Any]:
    """A factory giving ``value`` itself each time."""

    def factory() -> Any:
        return value

    return factory


class _Mirror:
    """Builds the mirror Struct types and the converters to and from attrs instances."""

    def __init__(self) -> None:
        self.structs: dict[tuple[type, str], type] = {}
        self.builders: dict[type, Callable[[Any], Any]] = {}
        self.encoders: dict[type, Callable[[Any], Any]] = {}

    def item_type(self, where: str, item: type, schema: Schema) -> Any:
        """The mirror type of one value of a field."""
        if issubclass(item, enum.Enum):
            for key, value in schema.items():
                if key != "enum" or value != [m.value for m in item]:
                    raise _refuse(where, key, schema)
            return item
        if isinstance(item, type) and item in _TYPES.values():
            return _scalar(where, item, schema)
        # A model class; constraints on its fields (money of at least zero) make a variant.
        for key in schema:
            if key != "properties":
                raise _refuse(where, key, schema)
        return self.struct(item, schema.get("properties", {}))

    def field_type(self, where: str, spec: FieldSpec, extra: Schema) -> Any:
        """The mirror type of a field: its item's, one, optional or many."""
        schema = {**spec.check.schema, **extra}
        if spec.shape is not Shape.MANY:
            item = self.item_type(where, spec.item, schema)
            return item | None if spec.shape is Shape.OPTIONAL else item
        options: dict[str, Any] = {}
        item_schema: Schema = {}
        for key, value in schema.items():
            if key == "items":
                item_schema = value
            elif key == "minItems":
                options["min_length"] = value
            elif key != "type" or value != "array":
                raise _refuse(where, key, schema)
        sequence: Any = tuple.__class_getitem__(  # from the model's own types
            (self.item_type(where, spec.item, item_schema), ...)
        )
        return Annotated[sequence, msgspec.Meta(**options)] if options else sequence

    def struct(self, cls: type, extra: dict[str, Schema] | None = None) -> type:
        """The mirror Struct of a model class, with ``extra`` constraints on its fields."""
        extra = extra or {}
        variant = json.dumps(extra, sort_keys=True) if extra else ""
        key = (cls, variant)
        found = self.structs.get(key)
        if found is not None:
            return found
        specs = fields_of(cls)
        unknown = set(extra) - {spec.name for spec in specs}
        if unknown:
            raise _refuse(cls.__name__, sorted(unknown)[0], extra)
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        for spec in specs:
            tp = self.field_type(f"{cls.__name__}.{spec.name}", spec, extra.get(spec.name, {}))
            if spec.required:
                fields.append((spec.name, tp))
            elif spec.always_written:
                # msgspec omits a value only when it is the default object itself, or an
                # empty collection for a factory; a factory giving the default is never
                # omitted, and still fills the field when a document leaves it out.
                fields.append((spec.name, tp, msgspec.field(default_factory=_giving(spec.default))))
            else:
                fields.append((spec.name, tp, spec.default))
        if cls is Portfolio:
            literal: Any = Literal
            fields = [("apiVersion", literal[API_VERSIONS]), ("kind", literal[KIND]), *fields]
        suffix = f"V{sum(1 for c, _v in self.structs if c is cls)}" if variant else ""
        mirror: type = msgspec.defstruct(
            f"{cls.__name__}Mirror{suffix}",
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
        namespace: dict[str, Any] = {"new": object.__new__, "cls": cls, "tuple": tuple, "map": map}
        lines = ["def build(struct):", "    instance = new(cls)"]
        for spec in fields_of(cls):
            namespace[f"set_{spec.name}"] = cls.__dict__[spec.name].__set__
            value = _convert(spec, f"struct.{spec.name}", self.builder, namespace)
            lines.append(f"    set_{spec.name}(instance, {value})")
        lines.append("    return instance")
        exec("\n".join(lines), namespace)  # code built above from our own field names
        built: Callable[[Any], Any] = namespace["build"]
        self.builders[cls] = built
        return built

    def encoder(self, cls: type) -> Callable[[Any], Any]:
        """A function turning an attrs instance into its mirror struct, for encoding.

        The mirror omits fields at their default when encoded, as ``dumps`` must, except
        the fields always written.
        """
        found = self.encoders.get(cls)
        if found is not None:
            return found
        namespace: dict[str, Any] = {
            "Mirror": self.struct(cls),
            "tuple": tuple,
            "map": map,
            "API_VERSION": API_VERSION,
            "KIND": KIND,
        }
        arguments = ["apiVersion=API_VERSION", "kind=KIND"] if cls is Portfolio else []
        for spec in fields_of(cls):
            value = _convert(spec, f"o.{spec.name}", self.encoder, namespace)
            omitted = not spec.required and not spec.always_written
            if value == f"o.{spec.name}" and omitted and spec.default is not None:
                # msgspec omits a default by identity: hand it the default object itself.
                namespace[f"default_{spec.name}"] = spec.default
                value = f"(default_{spec.name} if {value} == default_{spec.name} else {value})"
            arguments.append(f"{spec.name}={value}")
        source = f"def encode(o):\n    return Mirror({', '.join(arguments)})"
        exec(source, namespace)  # code built above from our own field names
        built: Callable[[Any], Any] = namespace["encode"]
        self.encoders[cls] = built
        return built


def _convert(
    spec: FieldSpec,
    value: str,
    nested: Callable[[type], Callable[[Any], Any]],
    namespace: dict[str, Any],
) -> str:
    """The expression converting ``value`` of a field, through ``nested`` for our classes."""
    if not spec.holds_model:
        return value
    function = f"convert_{spec.name}"
    namespace[function] = nested(spec.item)
    if spec.shape is Shape.MANY:
        return f"tuple(map({function}, {value}))"
    if spec.shape is Shape.OPTIONAL:
        return f"(None if {value} is None else {function}({value}))"
    return f"{function}({value})"


def _portfolio_arguments(mirror: _Mirror) -> Callable[[Any], dict[str, Any]]:
    """A function giving ``Portfolio``'s keyword arguments from its mirror struct.

    The portfolio itself is built through its constructor, which checks its integrity.
    """
    namespace: dict[str, Any] = {"tuple": tuple, "map": map}
    items = [
        f"{spec.name}={_convert(spec, f'struct.{spec.name}', mirror.builder, namespace)}"
        for spec in fields_of(Portfolio)
    ]
    exec(f"def arguments(struct):\n    return dict({', '.join(items)})", namespace)
    arguments: Callable[[Any], dict[str, Any]] = namespace["arguments"]
    return arguments


# Everything is derived when the module is imported, so that a constraint the fast path
# cannot express is found at once, not on the first document that has it.
_MIRROR = _Mirror()
_PORTFOLIO = _MIRROR.struct(Portfolio)
_ARGUMENTS = _portfolio_arguments(_MIRROR)
_ENCODE = _MIRROR.encoder(Portfolio)


def fast_json(portfolio: Portfolio) -> bytes:
    """The compact JSON of a portfolio's document, fields at their default left out."""
    return msgspec.json.encode(_ENCODE(portfolio))


def fast_structure(tree: Any) -> Portfolio | None:
    """The portfolio of a well-formed tree, or ``None`` when the fast path refuses it.

    Integrity problems are not a refusal: the portfolio's own checks raise them, as the
    detailed path would.
    """
    if type(tree) is not dict:
        return None
    try:
        struct: Any = msgspec.convert(tree, _PORTFOLIO)
    except (msgspec.ValidationError, RecursionError):
        return None
    return Portfolio(**_ARGUMENTS(struct))
