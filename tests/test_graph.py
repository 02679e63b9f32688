"""The value graph and its analyses on hand-computed examples."""

from __future__ import annotations

import networkx as nx
import pytest

import itvalue as iv
from itvalue.analysis import availability

CONTOSO = """
apiVersion: itvalue/v1
kind: Portfolio
name: Contoso
stakeholders:
  - {id: sales, name: Sales, kind: relationship_owner}
  - {id: it, name: IT, kind: it}
segments:
  - {id: shoppers, name: Shoppers, relationship_owner: sales}
outcomes:
  - {id: order-delivered, name: Order delivered, segment: shoppers,
     volume: {amount: 10000, unit: orders, per: month}, unit_value: {amount: 42, currency: EUR}}
  - {id: call-answered, name: Call answered, segment: shoppers,
     volume: {amount: 2190, unit: calls, per: quarter}, unit_value: {amount: 10, currency: EUR}}
products:
  - {id: webshop, name: Web shop, owner: sales, outcomes: [order-delivered]}
processes:
  - {id: checkout, name: Checkout, owner: sales, enables: [webshop]}
  - {id: fulfilment, name: Fulfilment, owner: sales, enables: [order-delivered]}
  - {id: support-desk, name: Support desk, owner: sales, enables: [call-answered]}
services:
  - {id: payments, name: Payments, owner: it, kind: business, offering: catalog, lifecycle: live,
     availability: 0.999, annual_cost: {amount: 120000, currency: EUR},
     supports: [{process: checkout}],
     depends_on: [{service: db-a, group: db}, {service: db-b, group: db}]}
  - {id: wms, name: Warehouse, owner: it, kind: business, offering: catalog, lifecycle: live,
     availability: 0.995, annual_cost: {amount: 50000, currency: EUR},
     supports: [{process: fulfilment, share: 0.5}], depends_on: [{service: network}]}
  - {id: crm, name: CRM, owner: it, kind: business, offering: catalog, lifecycle: live,
     availability: 0.99, annual_cost: {amount: 30000, currency: EUR},
     supports: [{process: support-desk, share: 0.6}], depends_on: [{service: network}]}
  - {id: network, name: Network, owner: it, kind: technical, offering: catalog, lifecycle: live,
     availability: 0.9999, annual_cost: {amount: 10000, currency: EUR}}
  - {id: db-a, name: DB A, owner: it, kind: technical, offering: catalog, lifecycle: live,
     availability: 0.99, annual_cost: {amount: 5000, currency: EUR}}
  - {id: db-b, name: DB B, owner: it, kind: technical, offering: catalog, lifecycle: live,
     availability: 0.99, annual_cost: {amount: 5000, currency: EUR}}
  - {id: legacy-fax, name: Fax gateway, owner: it, kind: technical, offering: catalog,
     lifecycle: live, annual_cost: {amount: 7000, currency: EUR}}
"""


@pytest.fixture
def contoso() -> iv.ValueGraph:
    return iv.loads(CONTOSO).graph()


def test_graph_shape(northwind: iv.Portfolio) -> None:
    """Nodes carry kind and entity; edges point the way value flows."""
    g = northwind.graph()
    assert g is northwind.graph()
    graph = g.nx
    assert set(graph.nodes) == {
        "payments",
        "db-a",
        "db-b",
        "checkout",
        "webshop",
        "order-delivered",
        "shoppers",
    }
    assert graph.nodes["payments"]["kind"] == "service"
    assert graph.nodes["payments"]["entity"] is northwind.service("payments")
    assert graph.edges["db-a", "payments"] == {"group": "db"}
    assert graph.edges["payments", "checkout"] == {"share": 1.0}
    assert set(graph.edges) == {
        ("db-a", "payments"),
        ("db-b", "payments"),
        ("payments", "checkout"),
        ("checkout", "webshop"),
        ("webshop", "order-delivered"),
        ("order-delivered", "shoppers"),
    }
    assert nx.is_directed_acyclic_graph(graph)
    assert g.nx is graph
    with pytest.raises(nx.NetworkXError):
        graph.add_node("x")
    assert iv.ValueGraph.from_portfolio(northwind).nx.edges == graph.edges
    assert repr(g) == (
        "<ValueGraph 'Northwind Retail': 3 services, 1 processes, 1 products, 1 outcomes,"
        " 1 segments>"
    )
    assert len(g) == 7
    assert "checkout" in g
    assert g.kind("webshop") == "product"
    assert g.ids_of("service")[-1] == "payments"


def test_unknown_ids(northwind: iv.Portfolio) -> None:
    """Unknown ids raise UnknownIdError, a KeyError, naming the id and a hint."""
    g = northwind.graph()
    with pytest.raises(iv.UnknownIdError, match="paymnts") as excinfo:
        g.impact("paymnts")
    assert isinstance(excinfo.value, KeyError)
    assert "did you mean 'payments'" in str(excinfo.value)
    with pytest.raises(iv.UnknownIdError, match="is a business process"):
        g.trace("checkout")
    with pytest.raises(
        iv.UnknownIdError, match="is a stakeholder, which is not in the value graph"
    ):
        g.expected_delivery("sales")
    with pytest.raises(iv.UnknownIdError):
        g.expected_loss("payments")
    with pytest.raises(iv.UnknownIdError):
        g.trace("db-a").paths_to("nowhere")
    with pytest.raises(iv.UnknownIdError):
        iv.example("nowhere")


def test_impact_by_hand(contoso: iv.ValueGraph) -> None:
    """The network outage, computed by hand from the design's rules."""
    imp = contoso.impact("network")
    assert imp.down == {"network", "wms", "crm"}
    assert imp.failed == {"network"}
    assert imp.processes == {"fulfilment": 0.5, "support-desk": pytest.approx(0.4)}
    assert imp.products == {}
    orders = imp.outcomes["order-delivered"]
    assert orders.delivered == 0.5  # checkout untouched (1) × fulfilment (1 − 0.5)
    assert orders.volume_lost == iv.Quantity(amount=5000, unit="orders", per=iv.Period.MONTH)
    assert orders.value_lost == iv.Money(amount=5000 * 42, currency="EUR")
    assert orders.volume_lost_over(1.0) == pytest.approx(5000 / 730)
    calls = imp.outcomes["call-answered"]
    assert calls.delivered == pytest.approx(0.4)  # 1 − 0.6
    assert calls.volume_lost_over(1.0) == pytest.approx(0.6 * 2190 / 2190)
    assert imp.totals(hours=2.0)["EUR"].amount == pytest.approx(2 * (5000 * 42 / 730 + 0.6 * 10))
    seg = imp.segments["shoppers"]
    assert seg.outcomes == ("order-delivered", "call-answered")
    assert seg.volume_lost_per_hour == {
        "orders": pytest.approx(5000 / 730),
        "calls": pytest.approx(0.6),
    }
    assert seg.value_lost_per_hour == {"EUR": pytest.approx(5000 * 42 / 730 + 6)}
    assert imp.affected_outcomes == ["order-delivered", "call-answered"]
    assert "order-delivered" in imp._repr_html_()
    untouched = contoso.impact([])
    assert untouched.down == frozenset()
    assert untouched.outcomes["call-answered"].delivered == 1.0
    assert untouched.totals() == {}


def test_redundancy_by_hand(contoso: iv.ValueGraph) -> None:
    """One database of the redundant pair down loses nothing; both lose every order."""
    assert contoso.impact("db-a").outcomes["order-delivered"].delivered == 1.0
    both = contoso.impact(["db-a", "db-b"])
    assert both.down == {"db-a", "db-b", "payments"}
    assert both.outcomes["order-delivered"].delivered == 0.0


def test_expected_delivery_by_hand(contoso: iv.ValueGraph) -> None:
    """Expected delivery, computed by hand."""
    payments_up = 0.999 * (1 - 0.01 * 0.01)
    wms_up = 0.995 * 0.9999
    crm_up = 0.99 * 0.9999
    orders = payments_up * (1 - 0.5 * (1 - wms_up))
    calls = 1 - 0.6 * (1 - crm_up)
    for method in ("exact", "independent"):
        assert contoso.expected_delivery("payments", method=method) == pytest.approx(
            payments_up, abs=1e-12
        )
        assert contoso.expected_delivery("order-delivered", method=method) == pytest.approx(
            orders, abs=1e-12
        )
        assert contoso.expected_delivery("call-answered", method=method) == pytest.approx(
            calls, abs=1e-12
        )
        assert contoso.expected_delivery("webshop", method=method) == pytest.approx(
            payments_up, abs=1e-12
        )
    # The segment needs both outcomes; the network reaches it by two paths, so exact
    # conditions on the network's state while independent does not.
    network_up = 0.9999 * (0.999 * (1 - 1e-4)) * (1 - 0.5 * 0.005) * (1 - 0.6 * 0.01)
    network_down = 0.0001 * (0.999 * (1 - 1e-4)) * 0.5 * 0.4
    segment = network_up + network_down
    assert contoso.expected_delivery("shoppers") == pytest.approx(segment, abs=1e-12)
    assert contoso.expected_delivery("shoppers", method="independent") == pytest.approx(
        orders * calls, abs=1e-12
    )
    assert contoso.expected_delivery("shoppers", method="independent") != pytest.approx(
        segment, abs=1e-12
    )
    mc = contoso.expected_delivery("shoppers", method="monte_carlo")
    est = contoso.estimate_delivery("shoppers")
    assert mc == est.value
    assert est.samples == 20_000
    assert est.seed == 0
    assert abs(est.value - segment) < 5 * est.stderr + 1e-3
    assert contoso.estimate_delivery("shoppers", seed=1).seed == 1


def test_expected_loss_by_hand(contoso: iv.ValueGraph) -> None:
    """Expected value lost per period is V · M · (1 − expected delivery)."""
    e = contoso.expected_delivery("order-delivered")
    loss = contoso.expected_loss("order-delivered")
    assert loss.delivered == e
    assert loss.value_lost is not None
    assert loss.value_lost.currency == "EUR"
    assert loss.value_lost.amount == pytest.approx(10000 * 42 * (1 - e))


def test_availability_target_in_business_terms(contoso: iv.ValueGraph) -> None:
    """99.9% over a 730-hour month allows 43.8 minutes, about N orders."""
    target = contoso.availability_target("payments", 0.999)
    assert target.allowed_minutes == pytest.approx(43.8)
    assert target.volume_at_risk["order-delivered"].amount == pytest.approx(10000 / 730 * 0.73)
    assert target.value_at_risk["EUR"].amount == pytest.approx(10000 / 730 * 0.73 * 42)
    assert str(target) == (
        "99.9% over a 730-hour month allows 43.8 minutes without payments, about 10 orders (420 EUR)"
    )
    weekly = contoso.availability_target("network", 0.99, period=iv.Period.WEEK)
    assert weekly.allowed_minutes == pytest.approx(0.01 * 168 * 60)
    assert str(contoso.availability_target("legacy-fax", 0.9)).endswith("without legacy-fax")
    with pytest.raises(iv.AnalysisError, match="fraction") as excinfo:
        contoso.availability_target("payments", 99.95)
    assert excinfo.value.hint == "write a fraction: 99.95% is 0.9995"
    with pytest.raises(iv.AnalysisError, match="expected a number, got boolean true"):
        contoso.availability_target("payments", True)
    with pytest.raises(iv.AnalysisError, match="unknown period"):
        contoso.availability_target("payments", 0.9, period="fortnight")


def test_ranking_and_failure_points_by_hand(contoso: iv.ValueGraph) -> None:
    """An hour of each service's outage, worst first; single points of failure; orphans."""
    ranked = contoso.rank_services()
    assert [s for s, _ in ranked] == [
        "payments",
        "network",
        "wms",
        "crm",
        "db-a",
        "db-b",
        "legacy-fax",
    ]
    values = dict(ranked)
    assert values["payments"] == pytest.approx(10000 / 730 * 42)
    assert values["network"] == pytest.approx(5000 / 730 * 42 + 6)
    assert values["crm"] == pytest.approx(6.0)
    assert values["db-a"] == 0.0
    assert dict(contoso.rank_services(hours=3, currency="EUR"))["crm"] == pytest.approx(18.0)
    assert contoso.single_points_of_failure() == {"order-delivered": ["payments"]}
    assert contoso.orphans() == ["legacy-fax"]
    with pytest.raises(iv.AnalysisError, match="no outcome is valued in 'USD'"):
        contoso.rank_services(currency="USD")
    with pytest.raises(iv.AnalysisError, match="hours"):
        contoso.rank_services(hours=-1)


def test_costs_by_hand(contoso: iv.ValueGraph) -> None:
    """Cost flows up dependencies and out along supports, by hand."""
    alloc = contoso.allocate_costs()
    # payments 120,000 + both databases 5,000 each → checkout → web shop → orders;
    # the network's 10,000 splits 5,000 / 5,000 between wms and crm.
    assert alloc.by_outcome["order-delivered"]["EUR"] == pytest.approx(130_000 + 55_000)
    assert alloc.by_outcome["call-answered"]["EUR"] == pytest.approx(35_000)
    assert alloc.total == {"EUR": 227_000}
    assert alloc.unallocated == {"EUR": 7_000}
    assert alloc.stranded == {"legacy-fax": {"EUR": 7_000}}
    assert alloc.allocated == {"EUR": pytest.approx(220_000)}
    assert alloc.per_unit["order-delivered"]["EUR"] == pytest.approx(185_000 / 120_000)
    assert alloc.per_unit["call-answered"]["EUR"] == pytest.approx(35_000 / 8_760)


def test_several_currencies_must_be_named() -> None:
    """With outcomes valued in two currencies, rank_services needs one named."""
    text = CONTOSO.replace("{amount: 10, currency: EUR}", "{amount: 10, currency: USD}")
    g = iv.loads(text).graph()
    with pytest.raises(iv.AnalysisError, match="several currencies"):
        g.rank_services()
    assert dict(g.rank_services(currency="USD"))["crm"] == pytest.approx(6.0)
    assert dict(g.rank_services(currency="USD"))["wms"] == 0.0


def test_trace(contoso: iv.ValueGraph) -> None:
    """A trace lists what a service reaches and the paths to it."""
    t = contoso.trace("network")
    assert t.services == {"wms", "crm"}
    assert t.processes == {"fulfilment", "support-desk"}
    assert t.outcomes == {"order-delivered", "call-answered"}
    assert t.segments == {"shoppers"}
    assert t.reaches_customers
    assert t.paths_to("shoppers") == [
        ("network", "crm", "support-desk", "call-answered", "shoppers"),
        ("network", "wms", "fulfilment", "order-delivered", "shoppers"),
    ]
    assert t.paths_to("shoppers", limit=1)[0][0] == "network"
    assert t.paths_to("checkout") == []
    assert t.paths_to("network") == []
    assert set(t.subgraph.nodes) == t.nodes
    assert "support-desk" in t._repr_html_()
    assert not contoso.trace("legacy-fax").reaches_customers


def test_exact_refuses_past_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """exact refuses with a pointer to monte_carlo when too many services are shared."""
    services = [
        f"  - {{id: base-{i}, name: B, owner: it, kind: technical, offering: catalog,"
        " lifecycle: live, availability: 0.9}"
        for i in range(4)
    ]
    deps = ", ".join(f"{{service: base-{i}}}" for i in range(4))
    services += [
        f"  - {{id: top-{j}, name: T, owner: it, kind: business, offering: catalog, lifecycle: live,"
        f" supports: [{{process: p{j}, share: 0.5}}], depends_on: [{deps}]}}"
        for j in range(2)
    ]
    text = (
        "apiVersion: itvalue/v1\nkind: Portfolio\nname: Wide\n"
        "stakeholders: [{id: it, name: IT, kind: it}]\n"
        "segments: [{id: seg, name: S, relationship_owner: it}]\n"
        "outcomes: [{id: out, name: O, segment: seg}]\n"
        "processes: [{id: p0, name: P, owner: it, enables: [out]}, {id: p1, name: P, owner: it, enables: [out]}]\n"
        "services:\n" + "\n".join(services) + "\n"
    )
    g = iv.loads(text).graph()
    exact = g.expected_delivery("out")
    monkeypatch.setattr(availability, "EXACT_LIMIT", 3)
    with pytest.raises(iv.AnalysisError, match="monte_carlo") as excinfo:
        g.expected_delivery("out")
    assert "4 services" in str(excinfo.value)
    assert abs(g.expected_delivery("out", method="monte_carlo") - exact) < 0.02
    with pytest.raises(iv.AnalysisError, match="unknown method"):
        g.expected_delivery("out", method="guess")  # type: ignore[arg-type]
    with pytest.raises(iv.AnalysisError, match="samples"):
        g.estimate_delivery("out", samples=1)


def test_exact_handles_twenty_uncertain_services() -> None:
    """exact enumerates no more than it must: 20 uncertain services in a chain are fine."""
    lines = []
    for i in range(20):
        dep = f", depends_on: [{{service: s{i - 1}}}]" if i else ""
        sup = ", supports: [{process: p}]" if i == 19 else ""
        lines.append(
            f"  - {{id: s{i}, name: S, owner: it, kind: technical, offering: catalog,"
            f" lifecycle: live, availability: 0.99{dep}{sup}}}"
        )
    text = (
        "apiVersion: itvalue/v1\nkind: Portfolio\nname: Chain\n"
        "stakeholders: [{id: it, name: IT, kind: it}]\n"
        "segments: [{id: seg, name: S, relationship_owner: it}]\n"
        "outcomes: [{id: out, name: O, segment: seg}]\n"
        "processes: [{id: p, name: P, owner: it, enables: [out]}]\n"
        "services:\n" + "\n".join(lines) + "\n"
    )
    g = iv.loads(text).graph()
    assert g.expected_delivery("out") == pytest.approx(0.99**20)
