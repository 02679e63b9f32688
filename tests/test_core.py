"""The shared rules of the analyses, and the boundary around the graph's snapshot."""

from __future__ import annotations

import ast
import inspect
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import itvalue as iv
from itvalue.analysis import agreements, availability, costs, impact, recovery, trace
from itvalue.analysis._core import at_least, delivered_fractions, down_value, factors, is_down
from itvalue.analysis.impact import single_failure_loss
from itvalue.graph import core_of
from itvalue.testing import strategies as ivst

SRC = Path(__file__).resolve().parents[1] / "src" / "itvalue"


@st.composite
def counting_cases(draw: st.DrawFn) -> tuple[list[int], int, int]:
    """Bitsets over ``width`` scenarios and a count between 1 and their number."""
    width = draw(st.integers(1, 12))
    values = draw(st.lists(st.integers(0, (1 << width) - 1), min_size=1, max_size=7))
    count = draw(st.integers(1, len(values)))
    return values, count, width


@given(counting_cases())
def test_at_least_counts_per_scenario(case: tuple[list[int], int, int]) -> None:
    """Bit i of at_least is set iff at least `count` values have bit i; bools agree."""
    values, count, width = case
    result = at_least(values, count)
    for i in range(width):
        bits = [bool(v >> i & 1) for v in values]
        expected = sum(bits) >= count
        assert bool(result >> i & 1) is expected
        assert at_least(bits, count) is expected
    assert result >> width == 0


@given(
    own=st.integers(0, 255),
    required=st.lists(st.integers(0, 255), max_size=3),
    groups=st.lists(
        st.lists(st.integers(0, 255), min_size=1, max_size=4).flatmap(
            lambda members: st.tuples(st.just(members), st.integers(1, len(members)))
        ),
        max_size=3,
    ),
)
def test_down_rule_is_the_same_over_bools_and_bitsets(
    own: int, required: list[int], groups: list[tuple[list[int], int]]
) -> None:
    """Run over bitsets, the down rule gives per bit what it gives for that one scenario."""
    result = down_value(own, required, groups)
    for i in range(8):

        def bit(value: int, i: int = i) -> bool:
            return bool(value >> i & 1)

        alone = bit(own) or any(bit(r) for r in required)
        for members, min_up in groups:
            down = sum(bit(m) for m in members)
            alone = alone or down > len(members) - min_up
        assert (
            down_value(
                bit(own),
                [bit(r) for r in required],
                [([bit(m) for m in ms], k) for ms, k in groups],
            )
            is alone
        )
        assert bit(result) is alone


@given(p=ivst.portfolios(max_services=10, max_outcomes=3, text=False), hours=st.floats(0, 48))
def test_single_failure_loss_is_the_impact_of_one_service(p: iv.Portfolio, hours: float) -> None:
    """single_failure_loss gives the units and money impact() loses over the same hours."""
    g = p.graph()
    for service in p.services:
        units, money = single_failure_loss(g, service.id, hours=hours, per=iv.Period.HOUR)
        result = g.impact(service.id)
        for key, outcome in result.outcomes.items():
            lost = outcome.volume_lost_over(hours)
            if key in units:
                assert units[key].amount == pytest.approx(lost, rel=1e-9, abs=1e-9)
            else:
                assert not lost
        totals = result.totals(hours)
        for currency, amount in money.items():
            assert amount == pytest.approx(totals[currency].amount, rel=1e-9, abs=1e-9)


def test_results_share_nothing_mutable(northwind: iv.Portfolio) -> None:
    """A result's mappings are read-only, so one result can never change another."""
    g = northwind.graph()
    first = g.impact("payments")
    with pytest.raises(TypeError, match="read-only"):
        first.segments["shoppers"].volume_lost_per_hour["orders"] = 0.0  # type: ignore[index]
    with pytest.raises(TypeError, match="read-only"):
        first.outcomes.clear()  # type: ignore[attr-defined]
    calm = g.impact("db-a")
    with pytest.raises(TypeError, match="read-only"):
        calm.segments["shoppers"].value_lost_per_hour["EUR"] = 1.0  # type: ignore[index]
    assert g.impact("db-b").segments["shoppers"].value_lost_per_hour == {}
    alloc = g.allocate_costs()
    with pytest.raises(TypeError, match="read-only"):
        alloc.per_unit["order-delivered"]["EUR"] = 2.0  # type: ignore[index]
    target = g.availability_target("payments", 0.999)
    with pytest.raises(TypeError, match="read-only"):
        target.value_at_risk.pop("EUR")  # type: ignore[attr-defined]
    assert pickle.loads(pickle.dumps(first)) == first
    assert first.segments["shoppers"].value_lost_per_hour == {"EUR": pytest.approx(575.342, 1e-4)}


def test_figures_too_large_for_a_float_are_an_analysis_error() -> None:
    """A valid document whose money overflows gets an AnalysisError, not a document error."""
    p = iv.loads(
        """
apiVersion: itvalue/v1
kind: Portfolio
name: Huge
stakeholders: [{id: s, name: S, kind: relationship_owner}]
segments: [{id: seg, name: Seg, relationship_owner: s}]
outcomes:
  - {id: o, name: O, segment: seg, volume: {amount: 1.0e+200, unit: things, per: hour},
     unit_value: {amount: 1.0e+200, currency: EUR}}
processes: [{id: p, name: P, owner: s, enables: [o]}]
services:
  - {id: svc, name: Svc, owner: s, kind: business, offering: catalog, lifecycle: live,
     supports: [{process: p}]}
"""
    )
    g = p.graph()
    with pytest.raises(iv.AnalysisError, match="too large to state") as excinfo:
        g.impact("svc")
    assert not isinstance(excinfo.value, iv.ValidationError)
    with pytest.raises(iv.AnalysisError, match="too large to state"):
        g.availability_target("svc", 0.99)
    assert g.rank_services()[0][0] == "svc"


_ANALYSES: dict[str, Callable[..., object]] = {
    "trace": trace.trace,
    "impact": impact.impact,
    "orphans": impact.orphans,
    "single_points_of_failure": impact.single_points_of_failure,
    "rank_services": impact.rank_services,
    "rank_suppliers": impact.rank_suppliers,
    "recovery_needs": recovery.recovery_needs,
    "expected_delivery": availability.expected_delivery,
    "estimate_delivery": availability.estimate_delivery,
    "expected_loss": availability.expected_loss,
    "availability_target": availability.availability_target,
    "allocate_costs": costs.allocate_costs,
    "service_availability": availability.service_availability,
    "availability_promises": agreements.availability_promises,
    "agreement_terms": agreements.agreement_terms,
}


@pytest.mark.parametrize("name", sorted(_ANALYSES))
def test_graph_methods_keep_the_signatures_of_the_analyses(name: str) -> None:
    """Each ValueGraph method is the function of the same name, minus the graph."""
    function = inspect.signature(_ANALYSES[name])
    method = inspect.signature(getattr(iv.ValueGraph, name))
    expected = list(function.parameters.values())[1:]
    got = list(method.parameters.values())[1:]
    assert [(p.name, p.kind, p.default) for p in got] == [
        (p.name, p.kind, p.default) for p in expected
    ]
    assert all(
        p.kind is inspect.Parameter.KEYWORD_ONLY for p in expected if p.default is not p.empty
    )


def test_the_graph_shows_no_index_arrays(northwind: iv.Portfolio) -> None:
    """A graph's public surface is look-ups, the networkx view and the analyses."""
    g = northwind.graph()
    public = {name for name in dir(g) if not name.startswith("_")}
    assert not public & {"ids", "index", "kinds", "succ", "pred", "required", "groups"}
    assert g.ids_of("service") == ("db-a", "db-b", "payments")
    assert g.kind("checkout") == "process"
    assert g.portfolio is northwind


def _private_attributes_defined(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets
        ):
            names.update(
                c.value
                for c in ast.walk(node.value)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            )
    return {name for name in names if name.startswith("_")}


def test_no_module_reaches_into_another_modules_private_names() -> None:
    """`x._name` appears only where `_name` belongs to the module itself."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        own = _private_attributes_defined(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr not in own
                and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}: .{node.attr}")
    assert offenders == []


@given(
    down=st.sets(st.integers(0, 9)),
    required=st.lists(st.integers(0, 9), max_size=3, unique=True),
    groups=st.lists(
        st.lists(st.integers(0, 9), min_size=1, max_size=4, unique=True).flatmap(
            lambda members: st.tuples(st.just(tuple(members)), st.integers(1, len(members)))
        ),
        max_size=3,
    ),
)
def test_is_down_is_the_down_rule_for_one_scenario(
    down: set[int], required: list[int], groups: list[tuple[tuple[int, ...], int]]
) -> None:
    """The short-cut scenario check gives what the down rule gives over bools."""
    expected = down_value(
        False, [d in down for d in required], [([m in down for m in ms], k) for ms, k in groups]
    )
    assert is_down(down, required, groups) is expected


@given(p=ivst.portfolios(max_services=10, max_outcomes=3, text=False), data=st.data())
def test_fractions_of_a_set_are_the_product_of_single_failures(
    p: iv.Portfolio, data: st.DataObject
) -> None:
    """What several down services leave is the product of what each leaves alone."""
    core = core_of(p.graph())
    services = list(core.range("service"))
    down = data.draw(st.sets(st.sampled_from(services)) if services else st.just(set()))
    together = delivered_fractions(core, down)
    table = factors(core)
    product: dict[int, float] = {}
    for s in down:
        for node, factor in table[s]:
            product[node] = product.get(node, 1.0) * factor
    assert together.keys() == product.keys()
    for node, value in together.items():
        assert value == pytest.approx(product[node], rel=1e-12, abs=1e-300)
