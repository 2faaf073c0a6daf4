"""A wave's hard preferences: its customers' memory, read once, before the wave's transaction.

The wave planner respects each passenger's hard preferences (airports and carriers to
avoid, no overnight: `agent.planner.avoidance`, `agent.planner.objective`) only if it
knows them when it plans; planned without them, the case's own check
(`agent.nodes.context._usable`) sent a violating assignment back to the planner, after
the wave had given the seats away jointly. So the opener reads them for every customer
who may be in the wave (the bookings on the wave's changed flights) in one batched read
of customer memory (`CustomerMemory.preferences_of`), before it opens the wave's
transaction: a profile per customer inside it would hold SQLite's one write lock for
seconds on a storm wave.

They are inputs of the plan like the seats: each party's `avoid_*` and `no_overnight`
are in the digest the wave records (`agent.planner.digest`), and a daemon killed before
the commit reads them again with the rest. Memory is advice, never a reason to stop a
wave: when it cannot answer, the wave is planned without preferences, which the log and
the `waves_without_preferences` metric say (the cases' check then still re-plans any
assignment that breaks one).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from agent.deps import AgentDeps
from airline.board import ChangeKind
from airline.models import Preferences
from airline.reservations import customers_on

log = logging.getLogger(__name__)

PLACING = frozenset({ChangeKind.CANCELLATION, ChangeKind.DIVERSION, ChangeKind.DELAY})
"""The changes whose passengers the planner may place (a delay: those it makes miss a
connection); a gate change or a recovery places nobody, so its passengers are not read."""


async def read_wave_preferences(
    deps: AgentDeps, flight_keys: Iterable[str], *, wave_id: str
) -> dict[str, Preferences] | None:
    """The preferences of the customer of every booking on `flight_keys`, by PNR (a
    booking whose customer memory holds nothing has empty ones); {} without customer
    memory; None when memory did not answer (the wave plans without them)."""
    if deps.memory is None:
        return {}
    flights = sorted(set(flight_keys))
    async with deps.db.session() as session:
        customer_of = await customers_on(session, flights)
    if not customer_of:
        return {}
    try:
        found = await deps.memory.preferences_of(sorted(set(customer_of.values())))
    except Exception as exc:  # memory is advice: any failure plans without it
        log.warning(
            "wave %s: customer memory did not answer (%s: %s); planning %d bookings "
            "without their preferences",
            wave_id,
            type(exc).__name__,
            exc,
            len(customer_of),
        )
        return None
    return {pnr: found.get(customer, Preferences()) for pnr, customer in customer_of.items()}
