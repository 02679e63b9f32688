"""Keeping CPython's cyclic garbage collector out of bulk work.

Loading or building a large portfolio allocates millions of objects and no reference
cycles; the collector would scan them again and again while they are made, and once
more at every full collection afterwards — about a second each at the reference size
of ``benchmarks/``. So bulk work runs with the collector paused (its previous state is
restored on every exit path, errors included), and after a *large* bulk operation the
survivors are moved to the permanent generation with :func:`gc.freeze`, where later
collections skip them. Frozen objects are still freed by reference counting; what
freezing gives up is the collection of reference cycles that were already garbage at
that moment, which ``gc.unfreeze()`` hands back. Set :data:`FREEZE_AFTER_BULK` to
``False`` to keep the collector's generations untouched.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["FREEZE_AFTER_BULK", "paused_gc"]

#: Freeze the survivors of a large bulk operation (see the module's notes).
FREEZE_AFTER_BULK = True


@contextmanager
def paused_gc(*, large: bool = False) -> Iterator[None]:
    """Disable the cyclic collector for the block; restore its previous state after.

    Args:
        large: The block builds something large; on success, freeze the survivors.
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
