"""The all-at-once analyses split into ranges of failing units, anywhere, with the same figures."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor

import pytest
from benchmarks.generate import generate
from hypothesis import given, settings
from hypothesis import strategies as st

import itvalue as iv
from itvalue.analysis import _rank, availability
from itvalue.testing import strategies as ivst
from tests import oracles


def _analyses(g: iv.ValueGraph, **options: object) -> tuple[object, ...]:
    """Every all-at-once analysis of ``g``, run with ``options``."""
    return (
        g.rank_services(**options),  # type: ignore[arg-type]
        g.rank_suppliers(**options),  # type: ignore[arg-type]
        g.single_points_of_failure(**options),  # type: ignore[arg-type]
        g.single_points_of_failure(suppliers=True, **options),  # type: ignore[arg-type]
        g.recovery_needs(**options),  # type: ignore[arg-type]
    )


@settings(max_examples=60)
@given(
    p=ivst.portfolios(max_services=8, max_outcomes=3, currencies=("EUR",), text=False),
    width=st.integers(1, 3),
    sparse=st.booleans(),
)
def test_narrow_ranges_give_the_oracles_figures(p: iv.Portfolio, width: int, sparse: bool) -> None:
    """Passes over ranges of one to three units, bitsets or sets, agree with the oracles."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_rank, "WIDTH", width)
        patch.setattr(_rank, "SPARSE_WIDTH", width)
        patch.setattr(_rank, "LOCAL", 10**9 if sparse else 0)
        _assert_oracles_figures(p, p.graph())


@settings(max_examples=60)
@given(
    p=ivst.portfolios(max_services=8, max_outcomes=3, currencies=("EUR",), text=False),
    width=st.integers(1, 3),
    block=st.sampled_from([8, 16, _rank.BLOCK]),
)
def test_numpy_levels_give_the_oracles_figures(p: iv.Portfolio, width: int, block: int) -> None:
    """The pass level by level in numpy, a row or two per block or many, agrees too."""
    from itvalue.graph import core_of

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_rank, "WIDTH", width)
        patch.setattr(_rank, "LOCAL", 0)
        patch.setattr(_rank, "LEVEL", 0)
        patch.setattr(_rank, "BLOCK", block)
        g = p.graph()
        if p.services:  # the plans run level by level
            core = core_of(g)
            unit_of, units = _rank.service_units(core)
            planned = _rank.plan(core, unit_of, units, core.range("outcome"), zeros=True)
            assert _rank.layout_of(planned) is not None
        _assert_oracles_figures(p, g)


def test_counts_read_every_digit() -> None:
    """Bit-sliced counters of up to twenty digits come out as the numbers they hold."""
    import numpy as np

    rng = np.random.default_rng(7)
    for digits in (1, 3, 8, 9, 20):
        planes = rng.integers(0, 2**63, size=(digits, 3), dtype=np.uint64)
        bits = _rank._unpacked(planes)
        expected = sum(bits[d].astype(np.int64) << d for d in range(digits))
        assert _rank._counts(bits, 150).tolist() == expected[:150].tolist()


def _assert_oracles_figures(p: iv.Portfolio, g: iv.ValueGraph) -> None:
    """Every all-at-once analysis of ``g`` (run now) gives the oracles' figures for ``p``."""
    ranked = g.rank_services()
    suppliers = g.rank_suppliers()
    stops = g.single_points_of_failure()
    supplier_stops = g.single_points_of_failure(suppliers=True)
    needs = g.recovery_needs()
    for service, value in ranked:
        assert value == pytest.approx(
            oracles.value_lost_per_hour(p, [service], "EUR"), rel=1e-9, abs=1e-9
        )
    for supplier, value in suppliers:
        failed = oracles.provided(p, supplier)
        assert value == pytest.approx(
            oracles.value_lost_per_hour(p, failed, "EUR"), rel=1e-9, abs=1e-9
        )
    expected: dict[str, list[str]] = {}
    for s in p.services:
        if s.is_live:
            fractions = oracles.delivered(p, [s.id])
            for o in p.outcomes:
                if fractions[o.id] == 0.0:
                    expected.setdefault(o.id, []).append(s.id)
    assert stops == {key: sorted(value) for key, value in expected.items()}
    for o in p.outcomes:
        for supplier in [s.id for s in p.stakeholders if s.kind is iv.StakeholderKind.SUPPLIER]:
            failed = oracles.provided(p, supplier)
            stopped = bool(failed) and oracles.delivered(p, failed)[o.id] == 0.0
            assert (supplier in supplier_stops.get(o.id, [])) is stopped
    wanted = oracles.recovery_needs(p)
    assert set(needs) == set(wanted)
    for key, (hours, outcome) in wanted.items():
        assert needs[key].hours == pytest.approx(hours, rel=1e-9)
        assert needs[key].outcome == outcome


@pytest.mark.parametrize("shape", ["reference", "cmdb"])
def test_numpy_levels_give_the_walks_figures_on_thousands(shape: str) -> None:
    """Rows of many words, reused from level to level, give what the walk gives."""
    tree = generate("small", shape=shape)
    for o in tree["outcomes"][::2]:
        o["max_outage_hours"] = 4.0
    # Supporters at every level, sharing factors: counters that grow over many levels.
    process = tree["processes"][0]["id"]
    for service in tree["services"][::7]:
        service["supports"] = [{"process": process, "share": 0.5}]
    p = iv.from_dict(tree)
    found = []
    for level in (10**9, 0):  # walk the services, then go level by level
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_rank, "WIDTH", 300)  # several ranges, five words a set
            patch.setattr(_rank, "LOCAL", 0)
            patch.setattr(_rank, "LEVEL", level)
            patch.setattr(_rank, "BLOCK", 4096)
            g = p.graph()
            found.append(
                (
                    dict(g.rank_services()),
                    dict(g.rank_suppliers()),
                    g.single_points_of_failure(),
                    g.single_points_of_failure(suppliers=True),
                    {key: (n.hours, n.outcome) for key, n in g.recovery_needs().items()},
                )
            )
    (ranked, suppliers, stops, supplier_stops, needs), levelled = found
    assert max(ranked.values()) > 0.0
    assert stops
    assert needs
    assert levelled[0] == pytest.approx(ranked, rel=1e-12)
    assert levelled[1] == pytest.approx(suppliers, rel=1e-12)
    assert levelled[2] == stops
    assert levelled[3] == supplier_stops
    assert levelled[4].keys() == needs.keys()
    for key, (hours, outcome) in needs.items():
        assert levelled[4][key][0] == pytest.approx(hours, rel=1e-12)
        assert levelled[4][key][1] == outcome


@pytest.fixture(scope="module")
def cmdb() -> iv.ValueGraph:
    """A small CMDB-shaped portfolio: hubs, pairs, a quorum and suppliers."""
    return iv.from_dict(generate("small", shape="cmdb")).graph()


@pytest.fixture(scope="module")
def pool() -> Iterator[Executor]:
    """Two worker processes."""
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as executor:
        yield executor


def test_a_process_pool_gives_the_serial_figures(cmdb: iv.ValueGraph, pool: Executor) -> None:
    """Ranges run in other processes: the same rankings, stops and recovery needs."""
    serial = _analyses(cmdb)
    assert serial[0]  # something is ranked
    assert serial[2]  # something stops an outcome
    assert serial[4]  # and something needs recovering in time
    assert _analyses(cmdb, executor=pool) == serial
    with pytest.MonkeyPatch.context() as patch:  # bitsets over ranges, not sets
        patch.setattr(_rank, "LOCAL", 0)
        assert _analyses(cmdb, executor=pool) == serial
        patch.setattr(_rank, "LEVEL", 0)  # level by level in numpy, in the workers too
        levelled = _analyses(cmdb)
        assert _analyses(cmdb, executor=pool) == levelled


def test_progress_counts_up_to_every_unit(cmdb: iv.ValueGraph, pool: Executor) -> None:
    """Progress rises to (all units, all units), serially and from an executor."""
    services = len(cmdb.ids_of("service"))
    for executor in (None, pool):
        seen: list[tuple[int, int]] = []

        def record(done: int, total: int, seen: list[tuple[int, int]] = seen) -> None:
            seen.append((done, total))

        cmdb.rank_services(executor=executor, progress=record)
        assert seen[-1] == (services, services)
        assert [done for done, _total in seen] == sorted(done for done, _total in seen)
        assert all(total == services for _done, total in seen)


def test_monte_carlo_blocks_give_the_same_figures_anywhere(
    cmdb: iv.ValueGraph, pool: Executor
) -> None:
    """The same seed gives the same estimate, serially or from blocks run elsewhere."""
    samples = 2 * availability.BLOCK + 17
    outcome = cmdb.ids_of("outcome")[0]
    seen: list[tuple[int, int]] = []
    serial = cmdb.estimate_delivery(outcome, samples=samples, seed=3)
    pooled = cmdb.estimate_delivery(
        outcome,
        samples=samples,
        seed=3,
        executor=pool,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert pooled == serial
    assert seen[-1] == (samples, samples)
    assert 0.0 < serial.value < 1.0
    service = "core-router"
    assert cmdb.estimate_delivery(service, samples=samples, executor=pool) == (
        cmdb.estimate_delivery(service, samples=samples)
    )
    # One block is today's sampler: a default estimate does not move.
    assert cmdb.expected_delivery(outcome, method="monte_carlo", executor=pool) == (
        cmdb.estimate_delivery(outcome).value
    )


def test_a_dask_cluster_gives_the_serial_figures(cmdb: iv.ValueGraph) -> None:
    """A local Dask cluster's executor gives the same figures as a serial run."""
    distributed = pytest.importorskip(
        "distributed", reason="dask's distributed scheduler is not installed (extra: distributed)"
    )
    with (
        distributed.Client(
            processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as client,
        client.get_executor() as executor,
    ):
        assert cmdb.rank_services(executor=executor) == cmdb.rank_services()
        assert cmdb.recovery_needs(executor=executor) == cmdb.recovery_needs()
        with pytest.MonkeyPatch.context() as patch:  # level by level in numpy
            patch.setattr(_rank, "LOCAL", 0)
            patch.setattr(_rank, "LEVEL", 0)
            assert cmdb.rank_services(executor=executor) == cmdb.rank_services()
        samples = availability.BLOCK + 1
        outcome = cmdb.ids_of("outcome")[0]
        assert cmdb.estimate_delivery(outcome, samples=samples, executor=executor) == (
            cmdb.estimate_delivery(outcome, samples=samples)
        )


def test_local_failures_use_sets_and_far_ones_bitsets() -> None:
    """A CMDB's failures stay local; the reference shape's cascade far."""
    from itvalue.graph import core_of

    for shape, local in (("cmdb", True), ("reference", False)):
        core = core_of(iv.from_dict(generate("small", shape=shape)).graph())
        unit_of, _units = _rank.service_units(core)
        assert _rank.is_local(core, unit_of) is local
