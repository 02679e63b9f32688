"""itvalue: IT services traced to the external customer outcomes that pay the bills.

A small public front; everything is defined in the modules behind it.
"""

from itvalue._examples import example, example_names
from itvalue.analysis.availability import AvailabilityTarget, Estimate
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
    configure_converter,
    converter,
    dump,
    dumps,
    from_dict,
    json_schema,
    load,
    loads,
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

__version__ = "0.2.0"

__all__ = [
    "RULES",
    "SLA",
    "AnalysisError",
    "AvailabilityTarget",
    "BusinessProcess",
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
    "Outcome",
    "OutcomeImpact",
    "Period",
    "Perspective",
    "Portfolio",
    "Problem",
    "Product",
    "Quantity",
    "RecoveryNeed",
    "RedundancyGroup",
    "Rule",
    "SegmentImpact",
    "Service",
    "ServiceKind",
    "Severity",
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
    "to_dict",
]
