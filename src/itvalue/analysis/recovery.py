"""How fast each service must be back: recovery time against tolerable outage.

Business continuity speaks of two times. A service's *recovery time* (its tested RTO,
``Service.recovery_hours``) is how long restoring it takes after it fails. An outcome's
*maximum tolerable outage* (MTPD, ``Outcome.max_outage_hours``) is the longest the
business tolerates the outcome fully stopped.

Semantics (the documentation's "Exact semantics" page): for a live service ``s`` and an
outcome ``o`` with ``max_outage_hours = M``, let ``f = 1 − delivered(o)`` when ``s``
alone fails. If ``f > 0``, ``s`` must be back within ``M / f`` hours for ``o`` — a
partial loss is tolerable for longer, in proportion, so that the volume lost stays
within that of a full stop for ``M`` hours. The service's required recovery is the
minimum over such outcomes, and the outcome that sets it is reported with it (the first
in document order on a tie).

Complexity: that of :func:`~itvalue.analysis.impact.rank_services`: every live
service's lone failure is found at once with bitsets (:mod:`itvalue.analysis._rank`).
"""

from __future__ import annotations

from concurrent.futures import Executor

import attrs

from itvalue.analysis._rank import Progress, Reduction, plan, run, service_units
from itvalue.graph import ValueGraph, core_of
from itvalue.model import Outcome

__all__ = ["RecoveryNeed", "recovery_needs"]


@attrs.frozen(kw_only=True)
class RecoveryNeed:
    """How fast a service must be back, and which outcome says so.

    Attributes:
        hours: The service must be restored within this many hours.
        outcome: The id of the outcome that sets the requirement.
    """

    hours: float
    outcome: str


def recovery_needs(
    g: ValueGraph, *, executor: Executor | None = None, progress: Progress | None = None
) -> dict[str, RecoveryNeed]:
    """How fast each live service must be back, by service id.

    Listed: every live service whose lone failure reduces an outcome that states a
    tolerable outage (``max_outage_hours``), with the hours within which it must be
    restored and the outcome that sets them.

    Args:
        g: The value graph.
        executor: Where to run the work (a ``concurrent.futures`` executor), split by
            ranges of services; the same result as without one.
        progress: Called with (services done, services in all) as ranges finish.

    Examples:
        >>> import itvalue
        >>> itvalue.example().graph().recovery_needs()   # no outcome states a tolerance
        {}
    """
    core = core_of(g)
    tolerance: dict[int, float] = {}
    for i in core.range("outcome"):
        outcome = core.entities[i]
        assert isinstance(outcome, Outcome)
        if outcome.max_outage_hours is not None:
            tolerance[i] = outcome.max_outage_hours
    needs: list[tuple[str, float, int]] = []
    if tolerance:
        unit_of, units = service_units(core)
        for lo, found in run(
            plan(core, unit_of, units, tolerance, zeros=False),
            Reduction(kind="recovery", weights=tolerance),
            executor=executor,
            progress=progress,
        ):
            hours, setters = found
            for offset in (setters >= 0).nonzero()[0].tolist():
                needs.append((core.ids[lo + offset], float(hours[offset]), int(setters[offset])))
    return {key: RecoveryNeed(hours=hours, outcome=core.ids[o]) for key, hours, o in sorted(needs)}
