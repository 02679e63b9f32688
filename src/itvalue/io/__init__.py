"""Documents: the configured cattrs converter, YAML/JSON/TOML, and the JSON Schema."""

from typing import TYPE_CHECKING, Any

from itvalue.io._converter import (
    API_VERSION,
    API_VERSIONS,
    configure_converter,
    from_dict,
    make_converter,
    to_dict,
)
from itvalue.io._documents import dump, dumps, format_of, loads
from itvalue.io._overlay import Origin, Overlay, SourceWarning
from itvalue.io._parse import MAX_ALIAS_NODES, MAX_BYTES, MAX_DEPTH
from itvalue.io._schema import json_schema
from itvalue.io._sources import compose, load, read

if TYPE_CHECKING:
    from itvalue.io._converter import converter

__all__ = [
    "API_VERSION",
    "API_VERSIONS",
    "MAX_ALIAS_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "Origin",
    "Overlay",
    "SourceWarning",
    "compose",
    "configure_converter",
    "converter",
    "dump",
    "dumps",
    "format_of",
    "from_dict",
    "json_schema",
    "load",
    "loads",
    "make_converter",
    "read",
    "to_dict",
]


def __getattr__(name: str) -> Any:
    # ``converter`` is made on first use: cattrs is not needed to read a document.
    if name == "converter":
        from itvalue.io import _converter

        return _converter.converter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
