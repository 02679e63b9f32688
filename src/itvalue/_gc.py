"""Keeping CPython's cyclic garbage collector out of bulk work.

Loading or building a large portfolio allocates millions of objects and no reference
cycles; the collector would scan them again and again while they are made. So bulk work
runs with the collector paused, and its previous state is restored on every exit path,
errors included. Nothing else about the collector changes unless asked.

Asked, with :data:`FREEZE_AFTER_BULK` set to ``True``, the survivors of a *large* bulk
operation are also moved to the permanent generation with :func:`gc.freeze`, where later
full collections skip them (see the performance notes in the documentation for what
that saves). It is a process-wide change, so it is off by default: frozen objects are
still freed by reference counting, but reference cycles that were already garbage at that
moment are no longer collected until ``gc.unfreeze()``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["FREEZE_AFTER_BULK", "paused_gc"]

#: Freeze the survivors of a large bulk operation (see the module's notes); off by default.
FREEZE_AFTER_BULK = False


@contextmanager
def paused_gc(*, large: bool = False) -> Iterator[None]:
    """Disable the cyclic collector for the block; restore its previous state after.

    Args:
        large: The block builds something large; on success, and only when
            :data:`FREEZE_AFTER_BULK` is set, freeze the survivors.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
    if large and was_enabled and FREEZE_AFTER_BULK:
        gc.freeze()
