"""The JSON Schema (draft 2020-12) of the document format.

It is generated from the model's table of fields (:mod:`itvalue.model._fields`), the
same table the converter and the fast path read, so they agree: unknown keys are
refused, enums, ranges, patterns and required keys are the same. What a schema cannot
say — unique ids, references to existing ids of the right kind, redundancy groups that
match the dependencies forming them, targets that are fractions on metrics measuring
availability, no dependency cycles — is checked by :class:`~itvalue.model.Portfolio`
alone.
"""

from __future__ import annotations

import enum
from typing import Any

from itvalue.io._envelope import API_VERSIONS, KIND, MODEL_CLASSES
from itvalue.io._overlay import OVERLAY_KIND, SECTIONS
from itvalue.model import Portfolio
from itvalue.model._fields import FieldSpec, Shape, fields_of
from itvalue.model._integrity import COLLECTIONS

__all__ = ["json_schema"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SCALARS: dict[type, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
}


def _ref(cls: type) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{cls.__name__}"}


def _for_item(item: type) -> dict[str, Any]:
    if issubclass(item, enum.Enum):
        return {"enum": [m.value for m in item]}
    found = _SCALARS.get(item)
    return _ref(item) if found is None else dict(found)


def _for_field(spec: FieldSpec) -> dict[str, Any]:
    """The field's schema: its item's, shaped, with its check's constraints merged in."""
    schema = _for_item(spec.item)
    if spec.shape is Shape.MANY:
        schema = {"type": "array", "items": schema}
    elif spec.shape is Shape.OPTIONAL:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return _merge(schema, spec.check.schema)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    if not extra:
        return base
    if "$ref" in base:
        return {"allOf": [base, extra]}
    if "anyOf" in base:
        inner, null = base["anyOf"]
        return {"anyOf": [_merge(inner, extra), null]}
    merged = dict(base)
    for key, value in extra.items():
        if key == "items" and "items" in merged:
            merged["items"] = _merge(merged["items"], value)
        else:
            merged[key] = value
    return merged


def _class_schema(cls: type) -> dict[str, Any]:
    specs = fields_of(cls)
    doc = (cls.__doc__ or "").strip().splitlines()
    out: dict[str, Any] = {
        "type": "object",
        "properties": {spec.name: _for_field(spec) for spec in specs},
        "required": [spec.name for spec in specs if spec.required],
        "additionalProperties": False,
    }
    if doc:
        out["description"] = doc[0]
    return out


def json_schema(kind: str = KIND) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a portfolio document, or of an overlay document.

    Args:
        kind: ``"Portfolio"`` or ``"Overlay"``. In an overlay, an entry needs only its
            ``id``: it may give any subset of its entity's fields (each checked as in a
            portfolio); whether a new id is a complete entity is known only when composed.

    Examples:
        >>> import itvalue
        >>> schema = itvalue.json_schema()
        >>> schema["properties"]["apiVersion"]
        {'enum': ['itvalue/v1']}
        >>> itvalue.json_schema("Overlay")["$defs"]["ServiceEntry"]["required"]
        ['id']
    """
    if kind not in (KIND, OVERLAY_KIND):
        raise ValueError(f"kind must be {KIND!r} or {OVERLAY_KIND!r}, not {kind!r}")
    root = _class_schema(Portfolio)
    definitions = {cls.__name__: _class_schema(cls) for cls in MODEL_CLASSES}
    rules = (
        "Ids must also be unique, references must name entities of the right kind, and "
        "each group a service lists must be named by its dependencies, once, with a min_up "
        "no larger than its number of members. An objective's target on a metric that "
        "measures availability must be a fraction, greater than 0 and at most 1."
    )
    if kind == KIND:
        properties = {
            "apiVersion": {"enum": list(API_VERSIONS)},
            "kind": {"const": KIND},
            **root["properties"],
        }
        return {
            "$schema": _DIALECT,
            "$id": "urn:itvalue:schema:v1",
            "title": "itvalue portfolio document",
            "description": "An IT portfolio traced to the external customer outcomes it serves. "
            + rules,
            "type": "object",
            "properties": properties,
            "required": ["apiVersion", "kind", *root["required"]],
            "additionalProperties": False,
            "$defs": definitions,
        }
    properties = {"apiVersion": {"enum": list(API_VERSIONS)}, "kind": {"const": OVERLAY_KIND}}
    for name, value in root["properties"].items():
        if name in SECTIONS:
            entity = value["items"]["$ref"].rsplit("/", 1)[-1]
            value = {**value, "items": {"$ref": f"#/$defs/{entity}Entry"}}
        properties[name] = value
    for _section, cls, _kind in COLLECTIONS:
        entry = dict(definitions[cls.__name__])
        entry["required"] = ["id"]
        entry["description"] = f"Some fields of {cls.__name__.lower()}, named by its id."
        definitions[f"{cls.__name__}Entry"] = entry
    return {
        "$schema": _DIALECT,
        "$id": "urn:itvalue:schema:v1:overlay",
        "title": "itvalue overlay document",
        "description": "Entities added to, or fields changed in, the sources composed before it. "
        "Once composed, the portfolio must follow the portfolio schema. " + rules,
        "type": "object",
        "properties": properties,
        "required": ["apiVersion", "kind"],
        "additionalProperties": False,
        "$defs": definitions,
    }
