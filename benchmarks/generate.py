"""A seeded generator of enterprise-shaped portfolio documents.

The reference size has 100,000 services — 80,000 technical, 10,000 platform (technical
services that business services stand on) and 10,000 business services — 2,000
processes, 500 products, 200 outcomes in 20 segments, and about 600,000 edges, with
redundancy groups (pairs of which one must be up, and quorums of three of which two must
be) and partial shares. Every size has them all. Dependencies only point to services of
a lower layer, so there are no cycles. The generator writes the plain document tree, so the
benchmarks can time loading it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

__all__ = ["SIZES", "Size", "generate"]


@dataclass(frozen=True)
class Size:
    """How big a generated portfolio is."""

    technical: int
    platform: int
    business: int
    processes: int
    products: int
    outcomes: int
    segments: int
    tech_deps: int  # mean dependencies of a technical service (above the bottom layer)
    platform_deps: int
    business_deps: int


SIZES = {
    "reference": Size(80_000, 10_000, 10_000, 2_000, 500, 200, 20, 7, 7, 6),
    "small": Size(1_600, 200, 200, 40, 10, 8, 2, 7, 7, 6),
}

_LAYERS = 8  # technical layers; layer 0 has no dependencies


#: The share of services (with enough dependencies) whose dependencies include a quorum.
_QUORUM_SHARE = 0.15


def _deps(
    rng: random.Random, pool: list[str], mean: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A service's dependencies, and its groups that need more than one member up."""
    count = max(1, min(len(pool), int(rng.gauss(mean, 1.5))))
    chosen = rng.sample(pool, count)
    deps: list[dict[str, Any]] = []
    # About a fifth of a service's dependencies come in redundant pairs, one of two
    # needed; some services also lean on a quorum of three, two of which must be up.
    pairs = count // 5
    quorum = count >= 2 * pairs + 3 and rng.random() < _QUORUM_SHARE
    for i, service in enumerate(chosen):
        dep: dict[str, Any] = {"service": service}
        if i < 2 * pairs:
            dep["group"] = f"g{i // 2}"
        elif quorum and i < 2 * pairs + 3:
            dep["group"] = "quorum"
        deps.append(dep)
    return deps, [{"name": "quorum", "min_up": 2}] if quorum else []


def generate(size: Size | str = "reference", *, seed: int = 0) -> dict[str, Any]:
    """A valid portfolio document tree of the given size, the same for the same seed."""
    if isinstance(size, str):
        size = SIZES[size]
    rng = random.Random(seed)
    stakeholders = [
        {"id": "it-ops", "name": "IT Operations", "kind": "it"},
        {"id": "sales", "name": "Sales", "kind": "relationship_owner"},
        {"id": "ops", "name": "Operations", "kind": "business_unit"},
        {"id": "cloud", "name": "Cloud provider", "kind": "supplier"},
    ]
    segments = [
        {"id": f"seg-{i}", "name": f"Segment {i}", "relationship_owner": "sales"}
        for i in range(size.segments)
    ]
    outcomes = []
    for i in range(size.outcomes):
        outcome: dict[str, Any] = {
            "id": f"out-{i}",
            "name": f"Outcome {i}",
            "segment": f"seg-{i % size.segments}",
            "volume": {
                "amount": float(rng.randrange(100, 100_000)),
                "unit": "orders",
                "per": rng.choice(["day", "week", "month"]),
            },
            "unit_value": {"amount": round(rng.uniform(1, 500), 2), "currency": "EUR"},
        }
        outcomes.append(outcome)
    outcome_ids = [o["id"] for o in outcomes]
    products = [
        {
            "id": f"prod-{i}",
            "name": f"Product {i}",
            "owner": "sales",
            "outcomes": rng.sample(outcome_ids, rng.randint(1, 2)),
        }
        for i in range(size.products)
    ]
    product_ids = [p["id"] for p in products]
    processes = [
        {
            "id": f"proc-{i}",
            "name": f"Process {i}",
            "owner": "ops",
            "enables": rng.sample(product_ids, rng.randint(1, 2))
            + (rng.sample(outcome_ids, 1) if rng.random() < 0.2 else []),
        }
        for i in range(size.processes)
    ]
    process_ids = [p["id"] for p in processes]

    services: list[dict[str, Any]] = []

    def service(
        key: str, kind: str, deps: tuple[list[dict[str, Any]], list[dict[str, Any]]]
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": key,
            "name": key.replace("-", " ").title(),
            "owner": "it-ops",
            "kind": kind,
            "offering": "catalog",
            "lifecycle": "live",
            "availability": rng.choice([0.99, 0.995, 0.999, 0.9995, 0.9999]),
            "annual_cost": {"amount": float(rng.randrange(1_000, 200_000)), "currency": "EUR"},
        }
        depends_on, groups = deps
        if depends_on:
            entry["depends_on"] = depends_on
        if groups:
            entry["groups"] = groups
        return entry

    layers: list[list[str]] = [[] for _ in range(_LAYERS)]
    below: list[str] = []
    for i in range(size.technical):
        layer = i * _LAYERS // size.technical
        key = f"tech-{i}"
        if layer and not layers[layer]:
            # Services lean on the two layers below them.
            below = [s for lower in layers[max(0, layer - 2) : layer] for s in lower]
        deps = _deps(rng, below, size.tech_deps) if layer else ([], [])
        services.append(service(key, "technical", deps))
        layers[layer].append(key)
    upper = layers[-1] + layers[-2]
    platform_ids = []
    for i in range(size.platform):
        key = f"platform-{i}"
        services.append(service(key, "technical", _deps(rng, upper, size.platform_deps)))
        platform_ids.append(key)
    for i in range(size.business):
        key = f"biz-{i}"
        entry = service(key, "business", _deps(rng, platform_ids, size.business_deps))
        supports = rng.sample(process_ids, rng.randint(1, 3))
        entry["supports"] = [
            {"process": p, "share": rng.choice([1.0, 1.0, 0.5, 0.25])} for p in supports
        ]
        services.append(entry)
    rng.shuffle(services)
    return {
        "apiVersion": "itvalue/v1",
        "kind": "Portfolio",
        "name": "Enterprise benchmark",
        "stakeholders": stakeholders,
        "segments": segments,
        "outcomes": outcomes,
        "products": products,
        "processes": processes,
        "services": services,
    }
