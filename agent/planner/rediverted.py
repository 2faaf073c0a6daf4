"""A re-routing a re-diversion left behind (found-stale-reroute-s1-w159).

A flight diverted to one airport has its passengers re-routed from there; when it is then
diverted to another (`airline.board.is_rediverted`), those passengers are put down
elsewhere and their re-routing no longer starts where they are. Triage finds them
(`agent.triage.rerouted_from`); this says, for the planner inputs, which segments are that
re-routing, so it is replaced from where the flight now lands.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.state import CaseReason
from airline.board import LiveBoard
from airline.models import FlightStatus, Segment
from airline.schedule import Schedule


def stale_rerouting(
    schedule: Schedule,
    board: LiveBoard,
    reason: CaseReason,
    segments: Sequence[Segment],
    diverted: str,
) -> list[Segment]:
    """The re-routing a booking rebooked off the diverted flight `diverted` holds (its
    journey's active `segments` leaving after the flight was due to), when it starts at an
    airport the flight no longer lands at: a diversion the re-routing was planned from
    was replaced by another (`airline.board.is_rediverted`), and its passengers are put
    down elsewhere. Empty when the re-routing starts where the flight now lands, or at
    its origin (rebooked off it before it left: not aboard), or there is none, and for
    any case but a diversion's (only where the flight lands is news for it)."""
    if reason != CaseReason.DIVERTED:
        return []
    state = board.get(diverted)
    flight = schedule.flights[diverted]
    if state is None or state.status != FlightStatus.DIVERTED or state.diverted_to is None:
        return []
    if any(s.flight_key == diverted for s in segments):
        return []  # still on it: its own diversion case places it
    after = [s for s in segments if schedule.flights[s.flight_key].sched_dep >= flight.sched_dep]
    if not after:
        return []
    starts = schedule.flights[after[0].flight_key].origin
    return [] if starts in (state.diverted_to, flight.origin) else after
