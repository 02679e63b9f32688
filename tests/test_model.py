"""Tests of the model: validators, portfolio integrity and look-ups."""

from __future__ import annotations

import math
import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import itvalue as iv
from itvalue.testing import strategies as ivst


def service(**overrides: Any) -> iv.Service:
    fields: dict[str, Any] = {
        "id": "svc",
        "name": "Service",
        "owner": "it",
        "kind": iv.ServiceKind.BUSINESS,
        "offering": iv.Offering.CATALOG,
        "lifecycle": iv.Lifecycle.LIVE,
    }
    fields.update(overrides)
    return iv.Service(**fields)


IT = iv.Stakeholder(id="it", name="IT", kind=iv.StakeholderKind.IT)
SALES = iv.Stakeholder(id="sales", name="Sales", kind=iv.StakeholderKind.RELATIONSHIP_OWNER)


def problems_of(excinfo: pytest.ExceptionInfo[iv.ValidationError]) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in excinfo.value.problems]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", "Payments", "is not a valid id"),
        ("id", "-x", "is not a valid id"),
        ("id", 7, "expected a string"),
        ("name", "   ", "must not be empty"),
        ("availability", 0.0, "greater than 0 and at most 1"),
        ("availability", 1.5, "greater than 0 and at most 1"),
        ("availability", math.nan, "finite"),
        ("availability", math.inf, "finite"),
        ("availability", True, "expected a number"),
        ("availability", "0.9", "expected a number"),
        ("kind", "busines", "is not one of"),
        ("kind", iv.Offering.CATALOG, "is not one of"),
        ("annual_cost", iv.Money(amount=-1.0, currency="EUR"), "at least 0"),
        ("annual_cost", 5, "expected Money"),
        ("provided_by", "Bad Id", "is not a valid id"),
        ("supports", 5, "expected a tuple"),
        ("supports", "p", "expected a tuple"),
        ("supports", [iv.Support(process="p"), "p"], "expected Support"),
        ("depends_on", ("x",), "expected Dependency"),
        ("groups", "quorum", "expected a tuple"),
        ("groups", [iv.Dependency(service="x")], "expected RedundancyGroup"),
        ("recovery_hours", 0, "must be greater than 0"),
        ("recovery_hours", -1.5, "must be greater than 0"),
        ("recovery_hours", math.inf, "finite"),
        ("recovery_hours", "4", "expected a number"),
        ("lifecycle", None, "is not one of"),
    ],
)
def test_service_validators(field: str, value: object, message: str) -> None:
    """Every bad field value of a service is refused with its field name."""
    with pytest.raises(iv.ValidationError) as excinfo:
        service(**{field: value})
    (problem,) = excinfo.value.problems
    assert problem.path.split(".")[0] == field
    assert message in problem.message


@pytest.mark.parametrize(
    ("build", "path", "message"),
    [
        (lambda: iv.Support(process="p", share=0), "share", "greater than 0"),
        (lambda: iv.Support(process="p", share=1.01), "share", "at most 1"),
        (lambda: iv.Quantity(amount=-1, unit="orders", per=iv.Period.DAY), "amount", "at least 0"),
        (lambda: iv.Quantity(amount=1, unit="", per=iv.Period.DAY), "unit", "empty"),
        (lambda: iv.Quantity(amount=10**400, unit="x", per=iv.Period.DAY), "amount", "finite"),
        (lambda: iv.Money(amount=1, currency="eur"), "currency", "currency code"),
        (lambda: iv.Money(amount=math.inf, currency="EUR"), "amount", "finite"),
        (lambda: iv.Objective(metric="m", target=1, window_days=0), "window_days", "at least 1"),
        (
            lambda: iv.Objective(metric="m", target=1, window_days=7.9),  # type: ignore[arg-type]
            "window_days",
            "whole",
        ),
        (lambda: iv.Objective(metric="m", target=1, window_days=True), "window_days", "whole"),
        (
            lambda: iv.SLA(id="s", name="S", service="x", consumer="y", objectives=()),
            "objectives",
            "at least 1",
        ),
        (lambda: iv.Dependency(service="x", group=""), "group", "empty"),
        (lambda: iv.RedundancyGroup(name="q", min_up=0), "min_up", "at least 1"),
        (lambda: iv.RedundancyGroup(name="q", min_up=2.0), "min_up", "whole"),  # type: ignore[arg-type]
        (lambda: iv.RedundancyGroup(name="q", min_up=True), "min_up", "whole"),
        (lambda: iv.RedundancyGroup(name=" "), "name", "empty"),
        (
            lambda: iv.Outcome(id="o", name="O", segment="s", max_outage_hours=0),
            "max_outage_hours",
            "greater than 0",
        ),
        (
            lambda: iv.Outcome(id="o", name="O", segment="s", max_outage_hours=math.nan),
            "max_outage_hours",
            "finite",
        ),
    ],
)
def test_value_validators(build: Any, path: str, message: str) -> None:
    """Value types refuse bad values, naming the field."""
    with pytest.raises(iv.ValidationError) as excinfo:
        build()
    (problem,) = excinfo.value.problems
    assert problem.path == path
    assert message in problem.message


def test_hints() -> None:
    """Common slips get a hint."""
    with pytest.raises(iv.ValidationError) as excinfo:
        service(availability=99.9)
    assert "0.999" in excinfo.value.problems[0].hint
    with pytest.raises(iv.ValidationError) as excinfo:
        service(id="Order Service")
    assert "order-service" in excinfo.value.problems[0].hint
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.Money(amount=1, currency="eur")
    assert "EUR" in excinfo.value.problems[0].hint
    with pytest.raises(iv.ValidationError) as excinfo:
        service(availability="99.8%")
    assert excinfo.value.problems[0].hint == "write a fraction: 99.8% is 0.998"
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.Support(process="p", share="100%")  # type: ignore[arg-type]
    assert excinfo.value.problems[0].hint == "write a fraction: 100% is 1"
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.Support(process="p", share="150%")  # type: ignore[arg-type]
    assert excinfo.value.problems[0].hint == ""


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (99.95, "write a fraction: 99.95% is 0.9995"),
        (99.9, "write a fraction: 99.9% is 0.999"),
        (100.0, "write a fraction: 100% is 1"),
        (50, "write a fraction: 50% is 0.5"),
        (1.5, "write a fraction: 1.5% is 0.015"),
        (150.0, ""),
    ],
)
def test_a_percent_written_as_a_number_gets_its_own_fraction(value: float, hint: str) -> None:
    """The hint converts the very number written, not a stock example."""
    with pytest.raises(iv.ValidationError) as excinfo:
        service(availability=value)
    assert excinfo.value.problems[0].hint == hint


def test_models_are_frozen_slotted_keyword_only() -> None:
    """Every model class is frozen, slotted and keyword-only."""
    for cls in (
        iv.Stakeholder,
        iv.CustomerSegment,
        iv.Outcome,
        iv.Product,
        iv.BusinessProcess,
        iv.ValueStream,
        iv.Service,
        iv.Metric,
        iv.SLA,
        iv.Portfolio,
        iv.Quantity,
        iv.Money,
        iv.Support,
        iv.Dependency,
        iv.RedundancyGroup,
        iv.Stage,
        iv.Objective,
    ):
        assert "__slots__" in cls.__dict__, cls
        assert all(f.kw_only for f in attrs.fields(cls)), cls
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        IT.name = "x"  # type: ignore[misc]


def test_constructors_take_enum_values_and_any_iterable() -> None:
    """kind="business" stores the member; a list or a generator is stored as a tuple."""
    s = service(
        kind="business",
        offering="made_to_order",
        lifecycle="retired",
        supports=[iv.Support(process="p")],
        depends_on=(iv.Dependency(service=d) for d in ("a", "b")),
    )
    assert s.kind is iv.ServiceKind.BUSINESS
    assert s.offering is iv.Offering.MADE_TO_ORDER
    assert s.lifecycle is iv.Lifecycle.RETIRED
    assert s.supports == (iv.Support(process="p"),)
    assert [d.service for d in s.depends_on] == ["a", "b"]
    assert type(s.depends_on) is tuple
    assert s == service(
        kind=iv.ServiceKind.BUSINESS,
        offering=iv.Offering.MADE_TO_ORDER,
        lifecycle=iv.Lifecycle.RETIRED,
        supports=(iv.Support(process="p"),),
        depends_on=(iv.Dependency(service="a"), iv.Dependency(service="b")),
    )
    # Static types name what is stored; at run time the constructors convert.
    supplier = iv.Stakeholder(id="v", name="V", kind="supplier")  # type: ignore[arg-type]
    assert supplier.kind is iv.StakeholderKind.SUPPLIER
    assert iv.Portfolio(name="P", stakeholders=[IT]).stakeholders == (IT,)  # type: ignore[arg-type]
    with pytest.raises(iv.ValidationError) as excinfo:
        service(kind="busines")
    assert problems_of(excinfo) == [("kind", "'busines' is not one of: business, technical")]
    assert excinfo.value.problems[0].hint == "did you mean 'business'?"


def test_ints_widen_to_floats() -> None:
    """Integer amounts become floats, so equal values compare and dump the same."""
    assert iv.Money(amount=3, currency="EUR") == iv.Money(amount=3.0, currency="EUR")
    assert type(iv.Money(amount=3, currency="EUR").amount) is float
    assert service(availability=1).availability == 1.0
    assert type(service(recovery_hours=4).recovery_hours) is float
    outcome = iv.Outcome(id="o", name="O", segment="s", max_outage_hours=24)
    assert type(outcome.max_outage_hours) is float


def test_a_service_needs_only_an_id_a_name_and_an_owner() -> None:
    """kind, offering and lifecycle default to technical, catalog and live."""
    s = iv.Service(id="db", name="Database", owner="it")
    assert s.kind is iv.ServiceKind.TECHNICAL
    assert s.offering is iv.Offering.CATALOG
    assert s.lifecycle is iv.Lifecycle.LIVE
    assert s.is_live
    assert (s.groups, s.recovery_hours) == ((), None)
    assert s == service(id="db", name="Database", kind="technical")
    p = iv.Portfolio(name="P", stakeholders=(IT,), services=(s,))
    assert p.service("db") is s


def test_groups_take_any_iterable_of_groups() -> None:
    """Groups given as a list or a generator are stored as a tuple."""
    deps = [iv.Dependency(service=n, group="quorum") for n in ("a", "b", "c")]
    s = service(depends_on=deps, groups=(iv.RedundancyGroup(name=n, min_up=2) for n in ["quorum"]))
    assert s.groups == (iv.RedundancyGroup(name="quorum", min_up=2),)
    assert type(s.groups) is tuple
    assert iv.RedundancyGroup(name="quorum").min_up == 1


def test_a_portfolio_checks_its_services_groups() -> None:
    """Groups with no members, too few members or listed twice are refused, all at once."""
    nodes = [service(id=n, kind="technical") for n in ("n1", "n2")]
    pair = [iv.Dependency(service="n1", group="pair"), iv.Dependency(service="n2", group="pair")]
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.Portfolio(
            name="P",
            stakeholders=(IT,),
            services=(
                *nodes,
                service(
                    id="a",
                    depends_on=pair,
                    groups=[
                        iv.RedundancyGroup(name="pair", min_up=3),
                        iv.RedundancyGroup(name="pair"),
                    ],
                ),
                service(id="b", depends_on=pair[:1], groups=[iv.RedundancyGroup(name="other")]),
            ),
        )
    assert problems_of(excinfo) == [
        ("services[2].groups[0].min_up", "min_up 3 but group 'pair' has 2 members"),
        ("services[2].groups[1].name", "group 'pair' is listed twice"),
        ("services[3].groups[0].name", "group 'other' is listed but no dependency of 'b' uses it"),
    ]
    assert excinfo.value.problems[2].hint == "groups its dependencies use: 'pair'"
    sound = iv.Portfolio(
        name="P",
        stakeholders=(IT,),
        services=(
            *nodes,
            service(id="a", depends_on=pair, groups=[iv.RedundancyGroup(name="pair", min_up=2)]),
        ),
    )
    assert sound.service_order[-1] == "a"


def test_period_hours() -> None:
    """Periods have the documented lengths."""
    assert [p.hours for p in iv.Period] == [1, 24, 168, 730, 2190, 8760]
    q = iv.Quantity(amount=730, unit="orders", per=iv.Period.MONTH)
    assert q.per_hour == 1.0
    assert q.per_year == 8760.0
    assert str(iv.Money(amount=1234.5, currency="EUR")) == "1,234.50 EUR"


def test_portfolio_reports_every_problem_at_once() -> None:
    """Duplicates, unknown and wrong-kind references and cycles come together."""
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.Portfolio(
            name="Broken",
            stakeholders=(
                IT,
                SALES,
                iv.Stakeholder(id="it", name="Dup", kind=iv.StakeholderKind.IT),
            ),
            segments=(iv.CustomerSegment(id="seg", name="S", relationship_owner="nobody"),),
            outcomes=(iv.Outcome(id="out", name="O", segment="sales"),),
            products=(iv.Product(id="prod", name="P", owner="sales", outcomes=("out", "out")),),
            processes=(iv.BusinessProcess(id="proc", name="P", owner="sales", enables=("seg",)),),
            services=(
                service(id="a", depends_on=(iv.Dependency(service="b"),), provided_by="sales"),
                service(id="b", depends_on=(iv.Dependency(service="a"),)),
                service(
                    id="c",
                    supports=(iv.Support(process="prod"), iv.Support(process="prod")),
                    depends_on=(iv.Dependency(service="c"), iv.Dependency(service="zz")),
                ),
            ),
            metrics=(
                iv.Metric(
                    id="m",
                    name="M",
                    unit="%",
                    perspective=iv.Perspective.EXTERNAL,
                    direction=iv.Direction.HIGHER_IS_BETTER,
                    outcome="proc",
                ),
            ),
            slas=(
                iv.SLA(
                    id="sla",
                    name="SLA",
                    service="proc",
                    consumer="out",
                    objectives=(iv.Objective(metric="a", target=1),),
                ),
            ),
            value_streams=(
                iv.ValueStream(
                    id="vs",
                    name="VS",
                    segment="seg",
                    outcome="out",
                    stages=(iv.Stage(name="S", processes=("nope",)),),
                ),
            ),
        )
    found = problems_of(excinfo)
    assert found == [
        ("stakeholders[2].id", "duplicate id 'it', first used at stakeholders[0].id"),
        ("segments[0].relationship_owner", "'nobody' names no entity; expected a stakeholder"),
        ("outcomes[0].segment", "'sales' is a stakeholder; expected a customer segment"),
        ("products[0].outcomes[1]", "'out' is listed twice"),
        (
            "processes[0].enables[0]",
            "'seg' is a customer segment; expected a product or an outcome",
        ),
        (
            "value_streams[0].stages[0].processes[0]",
            "'nope' names no entity; expected a business process",
        ),
        (
            "services[0].provided_by",
            "'sales' is a stakeholder of kind 'relationship_owner'; provided_by must name a supplier",
        ),
        ("services[2].supports[0].process", "'prod' is a product; expected a business process"),
        ("services[2].supports[1].process", "'prod' is supported twice"),
        ("services[2].depends_on[0].service", "'c' depends on itself"),
        ("services[2].depends_on[1].service", "'zz' names no entity; expected a service"),
        ("metrics[0].outcome", "'proc' is a business process; expected an outcome"),
        ("slas[0].service", "'proc' is a business process; expected a service"),
        ("slas[0].consumer", "'out' is an outcome; expected a stakeholder or a customer segment"),
        ("slas[0].objectives[0].metric", "'a' is a service; expected a metric"),
        ("services[0].depends_on", "dependency cycle: a → b → a"),
    ]
    assert "5 problems" not in str(excinfo.value)
    assert str(excinfo.value).startswith("16 problems:")


def test_cycle_is_spelled_from_the_first_service() -> None:
    """A longer cycle is spelled out starting at its first service in the document."""
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.Portfolio(
            name="Cycle",
            stakeholders=(IT,),
            services=(
                service(id="x"),
                service(id="b", depends_on=(iv.Dependency(service="c"),)),
                service(id="c", depends_on=(iv.Dependency(service="d", group="g"),)),
                service(
                    id="d", depends_on=(iv.Dependency(service="b"), iv.Dependency(service="x"))
                ),
            ),
        )
    assert problems_of(excinfo) == [("services[1].depends_on", "dependency cycle: b → c → d → b")]


def test_unknown_reference_hint() -> None:
    """An unknown reference suggests the closest id of the right kind."""
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.Portfolio(name="P", stakeholders=(IT, SALES), services=(service(owner="sale"),))
    assert excinfo.value.problems[0].hint == "did you mean 'sales'?"


def test_lookups(northwind: iv.Portfolio) -> None:
    """Entities are found by id, in general and per kind."""
    assert northwind.get("payments").name == "Payments"
    assert northwind.service("payments").is_live
    assert northwind.outcome("order-delivered").segment == "shoppers"
    assert northwind.segment("shoppers").relationship_owner == "sales"
    assert northwind.product("webshop").outcomes == ("order-delivered",)
    assert northwind.process("checkout").enables == ("webshop",)
    assert northwind.stakeholder("sales").kind is iv.StakeholderKind.RELATIONSHIP_OWNER
    assert northwind.kind_of("db-a") == "service"
    assert "db-a" in northwind
    assert "nope" not in northwind
    assert len(northwind) == 9
    assert "checkout" in northwind.ids
    with pytest.raises(iv.UnknownIdError) as excinfo:
        northwind.get("paymnts")
    assert excinfo.value.id == "paymnts"
    assert "did you mean 'payments'" in str(excinfo.value)
    assert isinstance(excinfo.value, KeyError)
    with pytest.raises(iv.UnknownIdError) as excinfo:
        northwind.process("payments")
    assert "is a service" in str(excinfo.value)
    for method in (northwind.value_stream, northwind.metric, northwind.sla):
        with pytest.raises(iv.UnknownIdError):
            method("payments")


def test_portfolio_html(northwind: iv.Portfolio) -> None:
    """A portfolio renders as an HTML table in notebooks."""
    html = northwind._repr_html_()
    assert "Northwind Retail" in html
    assert "<td>services</td><td style='text-align:right'>3</td>" in html


def test_errors_pickle() -> None:
    """Our errors survive pickling with their data."""
    errors: list[Exception] = [
        iv.ValidationError([iv.Problem(path="a", message="b", hint="c", line=3)], source="f.yaml"),
        iv.DocumentError("bad", source="f", line=2, hint="h"),
        iv.UnknownIdError("x", expected="service", hint="h"),
        iv.AnalysisError("no", hint="h"),
    ]
    for error in errors:
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error)
        assert str(again) == str(error)
    single = iv.ValidationError([iv.Problem(path="", message="m")])
    assert str(single) == "1 problem:\n  (document): m"


@given(ivst.portfolios())
def test_generated_portfolios_are_valid_and_hashable(p: iv.Portfolio) -> None:
    """Generated portfolios build, index every entity and hash consistently."""
    assert len(p) == sum(len(getattr(p, name)) for name, _c, _k in iv.model.COLLECTIONS)
    assert hash(p) == hash(attrs.evolve(p))
    assert attrs.evolve(p) == p


@given(st.from_type(iv.Service))
def test_registered_strategies(s: iv.Service) -> None:
    """``st.from_type`` builds valid entities once the strategies are imported."""
    assert isinstance(s, iv.Service)
    assert 0 < (s.availability if s.availability is not None else 1.0) <= 1


def _chain(n: int, *, cycle: bool = False) -> tuple[iv.Service, ...]:
    """n services, each depending on the next; listed so each comes before its dependency."""
    services = []
    for i in range(n):
        deps: tuple[iv.Dependency, ...] = ()
        if i + 1 < n:
            deps = (iv.Dependency(service=f"s{i + 1}"),)
        elif cycle:
            deps = (iv.Dependency(service="s0"),)
        services.append(service(id=f"s{i}", depends_on=deps))
    return tuple(services)


def test_service_order(northwind: iv.Portfolio) -> None:
    """Services come in dependency order, read-only, and the graph is built once."""
    assert northwind.service_order == ("db-a", "db-b", "payments")
    with pytest.raises(AttributeError):
        northwind.service_order = ()  # type: ignore[misc]
    assert iv.Portfolio(name="Empty").service_order == ()
    assert northwind.graph() is northwind.graph()
    assert attrs.evolve(northwind) == northwind


def test_long_chains_in_reverse_order_are_ordered() -> None:
    """A chain longer than the quick sweeps is still put in dependency order."""
    p = iv.Portfolio(name="Chain", stakeholders=(IT,), services=_chain(40))
    assert p.service_order == tuple(f"s{i}" for i in range(39, -1, -1))


def test_long_cycles_are_found() -> None:
    """A cycle through a long chain is reported, spelled out from its first service."""
    with pytest.raises(iv.ValidationError) as excinfo:
        iv.Portfolio(name="Cycle", stakeholders=(IT,), services=_chain(30, cycle=True))
    (problem,) = excinfo.value.problems
    assert problem.message.startswith("dependency cycle: s0 → s1 → s2")
    assert problem.message.endswith("s29 → s0")
