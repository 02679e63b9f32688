"""The public surface: the names users import, pinned so they do not drift."""

from __future__ import annotations

import inspect

import itvalue as iv

PUBLIC = [
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


def test_all_is_pinned() -> None:
    """__all__ is exactly the promised names, and each one exists."""
    assert iv.__all__ == PUBLIC
    for name in iv.__all__:
        assert hasattr(iv, name), name


def test_the_design_contract() -> None:
    """The calls of the design notes' API exist with their documented options."""
    graph_methods = {
        "trace",
        "impact",
        "expected_delivery",
        "estimate_delivery",
        "orphans",
        "single_points_of_failure",
        "rank_services",
        "allocate_costs",
    }
    assert graph_methods <= set(dir(iv.ValueGraph))
    assert "nx" in dir(iv.ValueGraph)
    rank = inspect.signature(iv.ValueGraph.rank_services)
    assert rank.parameters["hours"].kind is inspect.Parameter.KEYWORD_ONLY
    assert rank.parameters["hours"].default == 1.0
    assert rank.parameters["currency"].default is None
    check = inspect.signature(iv.check)
    assert list(check.parameters)[:3] == ["portfolio", "select", "ignore"]
    assert issubclass(iv.ValidationError, iv.ItValueError)
    assert issubclass(iv.ValidationError, ValueError)
    assert issubclass(iv.UnknownIdError, KeyError)
    assert issubclass(iv.DocumentError, iv.ItValueError)
    assert issubclass(iv.AnalysisError, iv.ItValueError)


def test_no_global_converter_hooks() -> None:
    """Importing itvalue registers nothing on cattrs's global converter."""
    import cattrs

    assert cattrs.global_converter.structure("7", str) == "7"
    assert cattrs.global_converter.unstructure(iv.Money(amount=1, currency="EUR")) == {
        "amount": 1.0,
        "currency": "EUR",
    }
