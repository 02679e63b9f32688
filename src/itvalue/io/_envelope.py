"""What wraps a portfolio in a document: its ``apiVersion`` and ``kind``, and the classes inside.

The one place these are spelled; the detailed structurer, the fast path, the unstructure
hooks and the JSON Schema all read them from here.
"""

from __future__ import annotations

from itvalue.model import (
    SLA,
    BusinessProcess,
    CustomerSegment,
    Dependency,
    Metric,
    Money,
    Objective,
    Outcome,
    Product,
    Quantity,
    RedundancyGroup,
    Service,
    Stage,
    Stakeholder,
    Support,
    ValueStream,
)

__all__ = ["API_VERSION", "API_VERSIONS", "KIND", "MODEL_CLASSES"]

#: The version this library writes.
API_VERSION = "itvalue/v1"
#: The document versions this library reads.
API_VERSIONS: tuple[str, ...] = (API_VERSION,)
#: The ``kind`` of a portfolio document.
KIND = "Portfolio"

#: Every class a document holds below the portfolio, nested value types first (the
#: order of the JSON Schema's definitions).
MODEL_CLASSES: tuple[type, ...] = (
    Quantity,
    Money,
    Support,
    Dependency,
    RedundancyGroup,
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
