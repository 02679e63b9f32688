"""Pausing the cyclic garbage collector around bulk work.

Loading or building a large portfolio allocates millions of objects and no cycles;
CPython's collector would scan them again and again. Pausing it there is a measured
speed-up (see ``benchmarks/``); its state is restored on every exit path.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the block; restore its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
