"""The JSON Schema (draft 2020-12) of the document format.

It is generated from the same field definitions and checks the converter uses, so the
two agree: unknown keys are refused, enums, ranges, patterns and required keys are the
same. What a schema cannot say — unique ids, references to existing ids of the right
kind, no dependency cycles — is checked by :class:`~itvalue.model.Portfolio` alone.
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Any

import attrs

from itvalue.io._converter import API_VERSIONS, KIND, MODEL_CLASSES
from itvalue.model import COLLECTIONS, Portfolio
from itvalue.model._checks import Check

__all__ = ["json_schema"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _ref(cls: type) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{cls.__name__}"}


def _for_type(tp: Any) -> dict[str, Any]:
    if tp is str:
        return {"type": "string"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if isinstance(tp, type) and attrs.has(tp):
        return _ref(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in args if a is not type(None)]
        return {"anyOf": [_for_type(inner), {"type": "null"}]}
    if origin is tuple:
        return {"type": "array", "items": _for_type(args[0])}
    raise TypeError(f"no schema rule for {tp!r}")  # pragma: no cover - our own types


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
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        schema = _for_type(hints[field.name])
        if isinstance(field.validator, Check):
            schema = _merge(schema, field.validator.schema)
        if field.metadata.get("doc"):  # pragma: no cover - reserved for field docs
            schema["description"] = field.metadata["doc"]
        properties[field.name] = schema
        if field.default is attrs.NOTHING:
            required.append(field.name)
    doc = (cls.__doc__ or "").strip().splitlines()
    out: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if doc:
        out["description"] = doc[0]
    return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a portfolio document.

    Examples:
        >>> import itvalue
        >>> schema = itvalue.json_schema()
        >>> schema["properties"]["apiVersion"]
        {'enum': ['itvalue/v1']}
    """
    root = _class_schema(Portfolio)
    properties = {
        "apiVersion": {"enum": list(API_VERSIONS)},
        "kind": {"const": KIND},
        **root["properties"],
    }
    for name, cls, _kind in COLLECTIONS:
        properties[name] = {"type": "array", "items": _ref(cls)}
    return {
        "$schema": _DIALECT,
        "$id": "urn:itvalue:schema:v1",
        "title": "itvalue portfolio document",
        "description": (
            "An IT portfolio traced to the external customer outcomes it serves. "
            "Ids must also be unique and references must name entities of the right kind."
        ),
        "type": "object",
        "properties": properties,
        "required": ["apiVersion", "kind", "name"],
        "additionalProperties": False,
        "$defs": {cls.__name__: _class_schema(cls) for cls in MODEL_CLASSES},
    }
