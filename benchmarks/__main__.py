"""Run the benchmarks: ``python -m benchmarks [--size reference|small] [--repeat N]``.

Every figure is timed next to its baseline in the same run and reported as a speed-up,
the baseline's time divided by ours (above 1 we are faster), so the table means the same
on any machine; every target is a least speed-up. Memory is reported the same way: the
budget divided by what we use (above 1 we are within it). Times are the best of
``--repeat`` runs (impact: the median of ``--impact-runs``). Nothing here asserts a time:
the table says whether each target is met.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import yaml

import itvalue as iv
from benchmarks.generate import SIZES, generate


@dataclass
class Row:
    """One line of the table; ``ratio`` is the baseline's figure ÷ ours (above 1: we win)."""

    figure: str
    ours: float
    baseline_name: str
    baseline: float
    ratio: float
    target: str
    met: bool
    unit: str = "s"


def best(function: Callable[[], Any], repeat: int) -> float:
    """The best wall-clock time of ``repeat`` calls, with the collector as users have it."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def _edges(tree: dict[str, Any]) -> int:
    return (
        sum(len(s.get("depends_on", [])) + len(s.get("supports", [])) for s in tree["services"])
        + sum(len(p["enables"]) for p in tree["processes"])
        + sum(len(p["outcomes"]) for p in tree["products"])
        + len(tree["outcomes"])
    )


def _memory(path: str) -> float:
    """Peak resident memory, in bytes, that load + graph add, measured in a fresh process.

    Read from the process's own high-water mark (``VmHWM``), which starts afresh with the
    new program; ``ru_maxrss`` would carry over the benchmark process's own peak.
    """
    code = f"""
import itvalue

def peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")

before = peak()
portfolio = itvalue.load({path!r})
graph = portfolio.graph()
print(peak() - before)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=3600
    )
    return float(result.stdout.strip())


def run(size: str, repeat: int, impact_runs: int, rank_sample: int, workdir: str) -> list[Row]:
    """Time every figure and its baseline; return the table's rows."""
    from benchmarks.pydantic_models import Portfolio as PydanticPortfolio

    tree = generate(size)
    edges = _edges(tree)
    json_text = json.dumps(tree)
    portfolio = iv.from_dict(tree)
    yaml_text = iv.dumps(portfolio, "yaml")
    json_path = f"{workdir}/portfolio-{size}.json"
    with open(json_path, "w", encoding="utf-8") as stream:
        stream.write(json_text)
    print(
        f"{size}: {len(portfolio.services):,} services, {edges:,} edges; "
        f"JSON {len(json_text) / 1e6:.1f} MB, YAML {len(yaml_text) / 1e6:.1f} MB",
        flush=True,
    )
    rows: list[Row] = []

    def add(
        figure: str, ours: float, name: str, base: float, least: float, target: str = ""
    ) -> None:
        """One row; the speed-up is computed here only, so every row reads the same way."""
        speedup = base / ours
        target = f">= {least:.2g}x" + (f" ({target})" if target else "")
        rows.append(Row(figure, ours, name, base, speedup, target, speedup >= least))
        print(f"  {figure}: {ours:.4f} s vs {base:.4f} s -> {speedup:.2f}x", flush=True)

    ours = best(lambda: iv.loads(json_text, "json"), repeat)
    base = best(lambda: PydanticPortfolio.model_validate_json(json_text), repeat)
    add("loads JSON, fully validated", ours, "pydantic model_validate_json", base, 2)

    ours = best(lambda: iv.loads(yaml_text, "yaml"), repeat)
    base = best(lambda: yaml.load(yaml_text, Loader=yaml.CSafeLoader), repeat)
    add(
        "loads YAML, fully validated",
        ours,
        "yaml.load, CSafeLoader",
        base,
        1 / 1.3,
        "at most 1.3x its time",
    )

    model = PydanticPortfolio.model_validate_json(json_text)
    # Like for like: model_dump_json writes compact JSON; dumps indents by default.
    ours = best(lambda: iv.dumps(portfolio, "json", indent=None), repeat)
    base = best(lambda: model.model_dump_json(exclude_defaults=True), repeat)
    add("dumps JSON, compact", ours, "pydantic model_dump_json", base, 1, "as fast")
    indented = best(lambda: iv.dumps(portfolio, "json"), repeat)
    print(f"  (dumps JSON indented by 2, the default: {indented:.4f} s)", flush=True)

    graph = portfolio.graph()
    edge_list = list(graph.nx.edges())
    ours = best(lambda: iv.ValueGraph.from_portfolio(portfolio), repeat)
    base = best(lambda: nx.DiGraph(edge_list), repeat)
    add(
        "portfolio.graph()",
        ours,
        "nx.DiGraph(edge_list)",
        base,
        1 / 1.5,
        "at most 1.5x its time",
    )

    rng = random.Random(0)
    bottom = [s.id for s in portfolio.services if not s.depends_on]
    node = rng.choice(bottom)
    ours_times, base_times = [], []
    for _ in range(impact_runs):
        start = time.perf_counter()
        graph.impact(node)
        ours_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        nx.descendants(graph.nx, node)
        base_times.append(time.perf_counter() - start)
    ours, base = statistics.median(ours_times), statistics.median(base_times)
    add(
        f"impact() of a bottom-layer service (median of {impact_runs})",
        ours,
        "nx.descendants",
        base,
        1 / 3,
        "at most 3x its time",
    )

    sample = rng.sample(
        [s.id for s in portfolio.services], min(rank_sample, len(portfolio.services))
    )
    start = time.perf_counter()
    sampled = {
        s: graph.impact(s).totals(1.0).get("EUR", iv.Money(amount=0.0, currency="EUR")).amount
        for s in sample
    }
    base = (time.perf_counter() - start) / len(sample) * len(portfolio.services)
    start = time.perf_counter()
    ranked = dict(graph.rank_services())
    ours = time.perf_counter() - start
    identical = all(abs(ranked[s] - v) <= 1e-9 * max(1.0, abs(v)) for s, v in sampled.items())
    add(
        "rank_services(), all services",
        ours,
        f"impact() per service ({len(sample)} sampled, extrapolated)",
        base,
        20,
        "same figures",
    )
    if not identical:
        rows[-1].met = False
        print("  rank_services() figures differ from impact()", flush=True)

    def independent() -> None:
        fresh = iv.ValueGraph.from_portfolio(portfolio)
        start = time.perf_counter()
        for outcome in portfolio.outcomes:
            fresh.expected_delivery(outcome.id, method="independent")
        timings.append(time.perf_counter() - start)

    timings: list[float] = []
    for _ in range(repeat):
        independent()
    ours = min(timings)
    base = best(lambda: iv.ValueGraph.from_portfolio(portfolio), repeat)
    add(
        "expected_delivery(independent), every outcome",
        ours,
        "portfolio.graph()",
        base,
        1,
        "no slower",
    )

    peak = _memory(json_path)
    budget = 1024.0
    rows.append(
        Row(
            "peak memory of load + graph",
            peak / edges,
            "budget: 1 KiB per edge",
            budget,
            budget / (peak / edges),
            "> 1x (under budget)",
            peak / edges < budget,
            "B/edge",
        )
    )
    print(f"  memory: {peak / 1e6:.0f} MB, {peak / edges:.0f} bytes per edge", flush=True)
    gc.collect()
    return rows


def table(rows: list[Row]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| figure | ours | baseline | its figure | baseline ÷ ours | target | met |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for r in rows:
        if r.unit == "s":
            lines.append(
                f"| {r.figure} | {r.ours:.3f} s | {r.baseline_name} | {r.baseline:.3f} s "
                f"| {r.ratio:.2f}x | {r.target} | {'yes' if r.met else 'no'} |"
            )
        else:
            lines.append(
                f"| {r.figure} | {r.ours:.0f} {r.unit} | {r.baseline_name} "
                f"| {r.baseline:.0f} {r.unit} | {r.ratio:.2f}x | {r.target} "
                f"| {'yes' if r.met else 'no'} |"
            )
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, run, print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="reference")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--impact-runs", type=int, default=None)
    parser.add_argument("--rank-sample", type=int, default=200)
    parser.add_argument("--workdir", default="/tmp")
    args = parser.parse_args()
    impact_runs = args.impact_runs or (1000 if args.size == "reference" else 50)
    print(
        f"Python {platform.python_version()} on {platform.machine()}, itvalue {iv.__version__}",
        flush=True,
    )
    rows = run(args.size, args.repeat, impact_runs, args.rank_sample, args.workdir)
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
