"""itvalue: IT services traced to the external customer outcomes that pay the bills.

A small public front; everything is defined in the modules behind it. Names are
imported when first used (PEP 562), so ``import itvalue`` is quick and a command line
pays only for what it runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from itvalue._examples import example, example_names
    from itvalue.analysis.availability import AvailabilityTarget, Estimate
    from itvalue.analysis.compare import Comparison, OutcomeChange, RecoveryChange, compare
    from itvalue.analysis.costs import CostAllocation
    from itvalue.analysis.impact import Impact, OutcomeImpact, SegmentImpact
    from itvalue.analysis.recovery import RecoveryNeed
    from itvalue.analysis.trace import Trace
    from itvalue.checks import RULES, Finding, Findings, Rule, Severity, check
    from itvalue.errors import (
        AnalysisError,
        DocumentError,
        ItValueError,
        Problem,
        UnknownIdError,
        ValidationError,
    )
    from itvalue.graph import ValueGraph
    from itvalue.io import (
        Origin,
        Overlay,
        SourceWarning,
        compose,
        configure_converter,
        converter,
        dump,
        dumps,
        from_dict,
        json_schema,
        load,
        loads,
        read,
        to_dict,
    )
    from itvalue.model import (
        SLA,
        BusinessProcess,
        CustomerSegment,
        Dependency,
        Direction,
        Lifecycle,
        Measure,
        Metric,
        Money,
        Objective,
        Offering,
        Outcome,
        Period,
        Perspective,
        Portfolio,
        Product,
        Quantity,
        RedundancyGroup,
        Service,
        ServiceKind,
        Stage,
        Stakeholder,
        StakeholderKind,
        Support,
        ValueStream,
    )

#: Where each public name is defined.
_HOMES: dict[str, str] = {
    "example": "itvalue._examples",
    "example_names": "itvalue._examples",
    "AvailabilityTarget": "itvalue.analysis.availability",
    "Comparison": "itvalue.analysis.compare",
    "OutcomeChange": "itvalue.analysis.compare",
    "RecoveryChange": "itvalue.analysis.compare",
    "compare": "itvalue.analysis.compare",
    "Estimate": "itvalue.analysis.availability",
    "CostAllocation": "itvalue.analysis.costs",
    "Impact": "itvalue.analysis.impact",
    "OutcomeImpact": "itvalue.analysis.impact",
    "SegmentImpact": "itvalue.analysis.impact",
    "RecoveryNeed": "itvalue.analysis.recovery",
    "Trace": "itvalue.analysis.trace",
    "Finding": "itvalue.checks",
    "Findings": "itvalue.checks",
    "RULES": "itvalue.checks",
    "Rule": "itvalue.checks",
    "Severity": "itvalue.checks",
    "check": "itvalue.checks",
    "AnalysisError": "itvalue.errors",
    "DocumentError": "itvalue.errors",
    "ItValueError": "itvalue.errors",
    "Problem": "itvalue.errors",
    "UnknownIdError": "itvalue.errors",
    "ValidationError": "itvalue.errors",
    "ValueGraph": "itvalue.graph",
    "Origin": "itvalue.io",
    "Overlay": "itvalue.io",
    "SourceWarning": "itvalue.io",
    "compose": "itvalue.io",
    "configure_converter": "itvalue.io",
    "converter": "itvalue.io",
    "dump": "itvalue.io",
    "dumps": "itvalue.io",
    "from_dict": "itvalue.io",
    "json_schema": "itvalue.io",
    "load": "itvalue.io",
    "loads": "itvalue.io",
    "read": "itvalue.io",
    "to_dict": "itvalue.io",
    "BusinessProcess": "itvalue.model",
    "CustomerSegment": "itvalue.model",
    "Dependency": "itvalue.model",
    "Direction": "itvalue.model",
    "Lifecycle": "itvalue.model",
    "Measure": "itvalue.model",
    "Metric": "itvalue.model",
    "Money": "itvalue.model",
    "Objective": "itvalue.model",
    "Offering": "itvalue.model",
    "Outcome": "itvalue.model",
    "Period": "itvalue.model",
    "Perspective": "itvalue.model",
    "Portfolio": "itvalue.model",
    "Product": "itvalue.model",
    "Quantity": "itvalue.model",
    "RedundancyGroup": "itvalue.model",
    "SLA": "itvalue.model",
    "Service": "itvalue.model",
    "ServiceKind": "itvalue.model",
    "Stage": "itvalue.model",
    "Stakeholder": "itvalue.model",
    "StakeholderKind": "itvalue.model",
    "Support": "itvalue.model",
    "ValueStream": "itvalue.model",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'itvalue' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # the next look-up is a plain global
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


__version__ = "0.3.0"

__all__ = [
    "RULES",
    "SLA",
    "AnalysisError",
    "AvailabilityTarget",
    "BusinessProcess",
    "Comparison",
    "CostAllocation",
    "CustomerSegment",
    "Dependency",
    "Direction",
    "DocumentError",
    "Estimate",
    "Finding",
    "Findings",
    "Impact",
    "ItValueError",
    "Lifecycle",
    "Measure",
    "Metric",
    "Money",
    "Objective",
    "Offering",
    "Origin",
    "Outcome",
    "OutcomeChange",
    "OutcomeImpact",
    "Overlay",
    "Period",
    "Perspective",
    "Portfolio",
    "Problem",
    "Product",
    "Quantity",
    "RecoveryChange",
    "RecoveryNeed",
    "RedundancyGroup",
    "Rule",
    "SegmentImpact",
    "Service",
    "ServiceKind",
    "Severity",
    "SourceWarning",
    "Stage",
    "Stakeholder",
    "StakeholderKind",
    "Support",
    "Trace",
    "UnknownIdError",
    "ValidationError",
    "ValueGraph",
    "ValueStream",
    "__version__",
    "check",
    "compare",
    "compose",
    "configure_converter",
    "converter",
    "dump",
    "dumps",
    "example",
    "example_names",
    "from_dict",
    "json_schema",
    "load",
    "loads",
    "read",
    "to_dict",
]
