"""Time the ways of reading and writing YAML on a generated document.

Run from the repository root: ``python scripts/yaml_speed.py [--size reference|small]
[--repeat N]``. Each figure is the best of ``--repeat`` runs, with the collector paused
as :func:`itvalue.loads` pauses it, and is printed next to the JSON load of the same
document, so the ratios mean the same on a busy machine as on a quiet one.

The candidates for reading, each to a plain tree or as far as it gets:

* libyaml composing nodes (``CSafeLoader``), the reader before the common one;
* libyaml's events reaching Python (``CParser.get_event``), counted only;
* rapidyaml parsing, then a walk over its tree through its Python binding (skipped when
  ``ryml`` is not installed);
* the common reader (:func:`itvalue.io._yaml_read.read_common`).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate

import itvalue as iv
from itvalue.io._parse import parse
from itvalue.io._yaml import dump_yaml
from itvalue.io._yaml_read import read_common


def best(function: Callable[[], Any], repeat: int) -> float:
    """The best wall-clock time of ``repeat`` calls, the collector paused."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(times)


def libyaml_nodes(text: str) -> Any:
    loader = yaml.CSafeLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def libyaml_events(text: str) -> int:
    parser = yaml.CSafeLoader(text)
    count = 0
    try:
        while parser.get_event() is not None:
            count += 1
    except IndexError:
        pass
    finally:
        parser.dispose()
    return count


def rapidyaml(data: bytes) -> Any:
    import ryml  # type: ignore[import-not-found,unused-ignore]

    tree = ryml.parse_in_arena(data)
    kind, first, following = tree.type, tree.first_child, tree.next_sibling
    key, val, none = tree.key, tree.val, ryml.NONE

    def walk(node: int) -> Any:
        flags = kind(node)
        if flags & ryml.MAP:
            out = {}
            child = first(node)
            while child != none:
                out[bytes(key(child)).decode()] = walk(child)
                child = following(child)
            return out
        if flags & ryml.SEQ:
            items = []
            child = first(node)
            while child != none:
                items.append(walk(child))
                child = following(child)
            return items
        return bytes(val(node)).decode()  # untyped: no YAML 1.1 resolution at all

    return walk(tree.root_id())


def main() -> None:
    """Print the table."""
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--size", default="reference", choices=["reference", "small"])
    options.add_argument("--repeat", type=int, default=2)
    args = options.parse_args()
    portfolio = iv.from_dict(generate(args.size))
    yaml_text = iv.dumps(portfolio)
    json_text = iv.dumps(portfolio, "json")
    tree = iv.to_dict(portfolio)
    print(f"{args.size}: YAML {len(yaml_text) / 1e6:.1f} MB, JSON {len(json_text) / 1e6:.1f} MB")
    assert read_common(yaml_text, max_depth=64) == yaml.load(yaml_text, Loader=yaml.CSafeLoader)

    json_load = best(lambda: iv.loads(json_text, "json"), args.repeat)
    rows = [
        ("loads JSON", json_load),
        ("loads YAML", best(lambda: iv.loads(yaml_text), args.repeat)),
        ("parse JSON to a tree", best(lambda: parse(json_text, "json"), args.repeat)),
        ("read YAML, common reader", best(lambda: read_common(yaml_text, max_depth=64), 1)),
        ("read YAML, libyaml nodes", best(lambda: libyaml_nodes(yaml_text), 1)),
        ("read YAML, libyaml events", best(lambda: libyaml_events(yaml_text), 1)),
    ]
    try:
        data = yaml_text.encode()
        rows.append(("read YAML, rapidyaml walk", best(lambda: rapidyaml(data), 1)))
    except ImportError:
        print("rapidyaml is not installed; skipped")
    rows.append(("dump_yaml", best(lambda: dump_yaml(tree), args.repeat)))
    rows.append(("dumps YAML", best(lambda: iv.dumps(portfolio), args.repeat)))
    for name, seconds in rows:
        print(f"{name:<28} {seconds:8.2f} s  {seconds / json_load:6.2f}x loads JSON")


if __name__ == "__main__":
    main()
