"""Seeded generators of enterprise-shaped portfolio documents, in two shapes.

``reference``: the reference size has 100,000 services — 80,000 technical, 10,000
platform (technical services that business services stand on) and 10,000 business
services — 2,000 processes, 500 products, 200 outcomes in 20 segments, and about 600,000
edges, with redundancy groups (pairs of which one must be up, and quorums of three of
which two must be) and partial shares; the million size is ten times that. Every size
has them all. Dependencies only point to services of a lower layer, so there are no
cycles.

``cmdb``: shaped like a configuration management database (:func:`generate_cmdb`):
hosts, virtual machines on them, middleware on the machines, applications on the
middleware and business services on the applications, with shared hubs — identity and
DNS in redundant pairs, the network as a 2-of-3 cluster, and a few services almost
everything needs.

The generators write the plain document tree, so the benchmarks can time loading it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

__all__ = ["CMDB_SIZES", "SHAPES", "SIZES", "Size", "generate", "generate_cmdb"]


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

    @property
    def services(self) -> int:
        """How many services there are."""
        return self.technical + self.platform + self.business


SIZES = {
    "million": Size(800_000, 100_000, 100_000, 20_000, 5_000, 2_000, 200, 7, 7, 6),
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


def generate(
    size: Size | str = "reference", *, seed: int = 0, shape: str = "reference"
) -> dict[str, Any]:
    """A valid portfolio document tree of the given size and shape, the same for the same seed."""
    if shape == "cmdb":
        return generate_cmdb(
            CMDB_SIZES[size] if isinstance(size, str) else size.services, seed=seed
        )
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


#: Services in the CMDB shape, by size name.
CMDB_SIZES = {"million": 1_000_000, "reference": 100_000, "small": 2_000}

#: The shapes the generators draw.
SHAPES = ("reference", "cmdb")


def _cmdb_service(
    rng: random.Random, key: str, kind: str, depends_on: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": key,
        "name": key.replace("-", " ").title(),
        "owner": "it-ops",
        "kind": kind,
        "offering": "catalog",
        "lifecycle": "live",
        "availability": rng.choice([0.99, 0.995, 0.999, 0.9995, 0.9999]),
        "annual_cost": {"amount": float(rng.randrange(500, 100_000)), "currency": "EUR"},
    }
    if depends_on:
        entry["depends_on"] = depends_on
    entry.update(extra)
    return entry


def generate_cmdb(services: int = 100_000, *, seed: int = 0) -> dict[str, Any]:
    """A portfolio shaped like a CMDB, with about ``services`` services.

    Hubs: a core router and a storage array that almost everything stands on (through
    the hosts and virtual machines), a network cluster of three of which two must be
    up, DNS and identity in redundant pairs. Then 10% hosts (each on the router and the
    network cluster, from one of a handful of suppliers), 35% virtual machines (each on
    one host and the storage), 25% middleware (on one virtual machine, or a redundant
    pair of them, and DNS), 20% applications (on one to three middleware services, some
    in redundant pairs, with DNS and identity) and 10% business services (on two to
    four applications, supporting one to three processes). Processes, products, outcomes
    and segments scale as in the reference shape (1 per 50, 200, 500 and 5,000 services).
    """
    rng = random.Random(seed)
    suppliers = [f"supplier-{i}" for i in range(5)]
    stakeholders = [
        {"id": "it-ops", "name": "IT Operations", "kind": "it"},
        {"id": "sales", "name": "Sales", "kind": "relationship_owner"},
        {"id": "ops", "name": "Operations", "kind": "business_unit"},
        *({"id": key, "name": key.title(), "kind": "supplier"} for key in suppliers),
    ]
    n_segments = max(2, services // 5_000)
    n_outcomes = max(8, services // 500)
    n_products = max(10, services // 200)
    n_processes = max(40, services // 50)
    segments = [
        {"id": f"seg-{i}", "name": f"Segment {i}", "relationship_owner": "sales"}
        for i in range(n_segments)
    ]
    outcomes = [
        {
            "id": f"out-{i}",
            "name": f"Outcome {i}",
            "segment": f"seg-{i % n_segments}",
            "volume": {
                "amount": float(rng.randrange(100, 100_000)),
                "unit": "orders",
                "per": rng.choice(["day", "week", "month"]),
            },
            "unit_value": {"amount": round(rng.uniform(1, 500), 2), "currency": "EUR"},
            "max_outage_hours": rng.choice([1.0, 4.0, 8.0, 24.0]),
        }
        for i in range(n_outcomes)
    ]
    outcome_ids = [o["id"] for o in outcomes]
    products = [
        {
            "id": f"prod-{i}",
            "name": f"Product {i}",
            "owner": "sales",
            "outcomes": rng.sample(outcome_ids, rng.randint(1, 2)),
        }
        for i in range(n_products)
    ]
    product_ids = [p["id"] for p in products]
    processes = [
        {
            "id": f"proc-{i}",
            "name": f"Process {i}",
            "owner": "ops",
            "enables": rng.sample(product_ids, rng.randint(1, 2)),
        }
        for i in range(n_processes)
    ]
    process_ids = [p["id"] for p in processes]

    def pair(name: str, members: list[str]) -> list[dict[str, Any]]:
        return [{"service": m, "group": name} for m in members]

    entries = [
        _cmdb_service(rng, "core-router", "technical", []),
        _cmdb_service(rng, "storage-array", "technical", []),
    ]
    network = [f"net-{i}" for i in range(1, 4)]
    entries += [
        _cmdb_service(rng, key, "technical", [{"service": "core-router"}]) for key in network
    ]
    cluster = pair("network", network)
    quorum = [{"name": "network", "min_up": 2}]
    dns = ["dns-a", "dns-b"]
    identity = ["idp-a", "idp-b"]
    entries += [_cmdb_service(rng, key, "technical", cluster, groups=quorum) for key in dns]
    entries += [_cmdb_service(rng, key, "technical", pair("dns", dns)) for key in identity]
    counts = [int(services * share) for share in (0.10, 0.35, 0.25, 0.20)]
    hosts = [f"host-{i}" for i in range(counts[0])]
    entries += [
        _cmdb_service(
            rng,
            key,
            "technical",
            [{"service": "core-router"}, *cluster],
            groups=quorum,
            provided_by=rng.choice(suppliers),
        )
        for key in hosts
    ]
    vms = [f"vm-{i}" for i in range(counts[1])]
    entries += [
        _cmdb_service(
            rng, key, "technical", [{"service": rng.choice(hosts)}, {"service": "storage-array"}]
        )
        for key in vms
    ]
    middleware = [f"mw-{i}" for i in range(counts[2])]
    for key in middleware:
        on = (
            pair("vms", rng.sample(vms, 2))
            if rng.random() < 0.4
            else [{"service": rng.choice(vms)}]
        )
        entries.append(_cmdb_service(rng, key, "technical", [*on, *pair("dns", dns)]))
    apps = [f"app-{i}" for i in range(counts[3])]
    for key in apps:
        chosen = rng.sample(middleware, rng.randint(1, 3))
        on = [{"service": m} for m in chosen]
        if rng.random() < 0.3:
            on[0]["group"] = "db"
            on.append({"service": rng.choice(middleware), "group": "db"})
            if on[-1]["service"] in chosen:
                on.pop()
                del on[0]["group"]
        entries.append(
            _cmdb_service(rng, key, "technical", [*on, *pair("dns", dns), *pair("idp", identity)])
        )
    business = services - len(entries)
    for i in range(business):
        on = [{"service": a} for a in rng.sample(apps, rng.randint(2, 4))]
        supports = [
            {"process": p, "share": rng.choice([1.0, 1.0, 0.5, 0.25])}
            for p in rng.sample(process_ids, rng.randint(1, 3))
        ]
        entries.append(_cmdb_service(rng, f"biz-{i}", "business", on, supports=supports))
    rng.shuffle(entries)
    return {
        "apiVersion": "itvalue/v1",
        "kind": "Portfolio",
        "name": "CMDB benchmark",
        "stakeholders": stakeholders,
        "segments": segments,
        "outcomes": outcomes,
        "products": products,
        "processes": processes,
        "services": entries,
    }
