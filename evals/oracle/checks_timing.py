"""When passengers were told: within the legal deadline (14 CFR 259.8; APPR s.13), and
not in their night unless it could not wait (its flight leaves near the night's end, a
law wants it told now: 14 CFR 259.8, APPR s.13; or it is news that never waits,
`rules.NEVER_HELD`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from evals.oracle.context import Judged
from evals.oracle.journeys import unflown
from evals.oracle.record import FlightRec, Message
from evals.oracle.rules import (
    APPR_PROMPTLY,
    CA_TERRITORY,
    DOT_NOTIFY_FROM_DELAY,
    DOT_NOTIFY_WITHIN,
    DOT_RENOTICE_SHIFT,
    NEAR_DEPARTURE,
    NEVER_HELD,
    QUIET_FROM_HOUR,
    QUIET_UNTIL_HOUR,
    TRIP_CHANGED,
    US_TERRITORY,
)
from evals.oracle.told import delivered, undone_in_time
from evals.oracle.verdict import Finding, when


def check(j: Judged) -> list[Finding]:
    return [*_deadlines(j), *_quiet(j)]


def _dot_duties(j: Judged, *, broad: bool = False) -> list[tuple[str, str, datetime, str]]:
    """(pnr, flight, learned at, what) for each change 14 CFR 259.8 says to tell of;
    `broad`: also a delay that comes back after the flight was on time again (below)."""
    places = j.record.world.places
    return _status_changes(
        j,
        lambda flight, _: bool(
            {places[flight.origin].country, places[flight.destination].country} & US_TERRITORY
        ),
        broad=broad,
    )


def _appr_duties(j: Judged, *, broad: bool = False) -> list[tuple[str, str, datetime, str]]:
    """(pnr, flight, learned at, what) for each change APPR s.13 says to tell of as soon as
    feasible: a delay or cancellation of a flight of a journey to, from or within Canada
    (connections included, as `owed.regimes` reads the APPR's scope). Its "delay" is read
    as 259.8's (30 min or more, a new notice per 30 min move); a told delay that is gone
    again is new information too (the passenger must not miss the earlier departure)."""
    world = j.record.world

    def covered(_: FlightRec, pnr: str) -> bool:
        legs = world.bookings[pnr].legs
        return any(
            world.places[airport].country in CA_TERRITORY
            for leg in legs
            for airport in (world.flights[leg.flight].origin, world.flights[leg.flight].destination)
        )

    return _status_changes(j, covered, recoveries=True, broad=broad)


def _status_changes(
    j: Judged,
    covers: Callable[[FlightRec, str], bool],
    *,
    recoveries: bool = False,
    broad: bool = False,
) -> list[tuple[str, str, datetime, str]]:
    """(pnr, flight, learned at, what): each cancellation, diversion, or delay of 30 min or
    more (again each time it moves 30 min) of a flight a passenger still had to fly, where
    `covers(flight, pnr)` says a rule owes them the news; with `recoveries`, also a told
    delay that falls back under 30 min (new information, though no delay).

    A delay that falls back under 30 min and then comes back (50 min, on time, 75 min)
    reads two ways: 25 min from the delay told, so no new notice; or a new "delay of 30
    minutes or more" of a flight that had none, so one (the status changed twice). So
    does a delay of 30 min or more that moves less than 30 min (50 min, then 30): 259.8
    defines a change in status as "at a minimum" a delay of 30 minutes or more, so the
    new time may be one to tell of. The deadline check demands only what every reading
    demands (a move of 30 min); `broad` gives the other reading, for quiet hours: a
    night message the law may have wanted is excused (found-quiet-hours-s71-w8,
    found-quiet-hours-s97-w28)."""
    record, board = j.record, j.board
    duties = []
    for key, flight in record.world.flights.items():
        told_delay: timedelta | None = None
        status = "scheduled"
        for state in board.changes(key):
            delay = state.est_dep - flight.sched_dep
            what = None
            if state.gone and state.status != status:
                what = state.status
            elif not state.gone:
                moved = (
                    told_delay is None
                    or abs(delay - told_delay) >= DOT_RENOTICE_SHIFT
                    or (broad and delay != told_delay)  # any new time may be a new status
                )
                if delay >= DOT_NOTIFY_FROM_DELAY and moved:
                    what = f"delayed {int(delay.total_seconds() // 60)} min"
                    told_delay = delay
                elif recoveries and told_delay is not None and moved:
                    what = "back on time"  # it leaves earlier than told: news
                    told_delay = None
                elif broad and delay < DOT_NOTIFY_FROM_DELAY:
                    told_delay = None  # no delay of 30 min any more: the next is new
            status = state.status
            if what is None:
                continue
            for pnr in sorted(j.holders.get(key, ())):
                if not covers(flight, pnr):
                    continue
                journey = j.seats.journeys[pnr]
                legs = unflown(
                    record, board, journey.all_legs_at(state.since, before=True), state.since
                )
                if any(leg.flight == key for leg in legs) and not undone_in_time(
                    j, pnr, key, state.since
                ):
                    duties.append((pnr, key, state.since, what))
    return duties


DEADLINE_RULES = (
    ("14 CFR 259.8", DOT_NOTIFY_WITHIN, _dot_duties),
    ("APPR s.13", APPR_PROMPTLY, _appr_duties),
)
"""Each rule that sets a time to tell a passenger of a change: its name, the span and who
it owes the news to. APPR s.13's "as soon as feasible" is read as `APPR_PROMPTLY`."""


def _deadlines(j: Judged) -> list[Finding]:
    found = []
    seen: set[tuple[str, str, datetime]] = set()
    for rule, within, duties in DEADLINE_RULES:
        for pnr, flight, since, what in duties(j):
            due = since + within
            if due > j.record.end or (pnr, flight, since) in seen:
                continue  # one finding per change, though two rules owe the news
            ok = any(
                m.sent_at is not None
                and since <= m.sent_at <= due
                and (m.about in (None, flight) or m.kind in TRIP_CHANGED)
                for m in delivered(j, pnr)
            )
            if ok:
                continue
            seen.add((pnr, flight, since))
            first = next(
                (m.sent_at for m in delivered(j, pnr) if m.sent_at and m.sent_at >= since), None
            )
            late = "never" if first is None else f"only at {when(first)}"
            minutes = int(within.total_seconds() // 60)
            found.append(
                Finding(
                    "deadline",
                    pnr,
                    f"{flight} {what} at {when(since)}: {rule} says tell within {minutes} min "
                    f"(by {when(due)}); told {late}",
                )
            )
    return found


def _quiet(j: Judged) -> list[Finding]:
    found = []
    record = j.record
    duties = [(*d, within) for _, within, owed in DEADLINE_RULES for d in owed(j, broad=True)]
    for m in record.messages:
        if not m.delivered or m.sent_at is None or m.kind in NEVER_HELD:
            continue
        flight = _judged_against(j, m)
        if flight is None:
            continue
        zone = ZoneInfo(record.world.places[flight.origin].tz)
        local = m.sent_at.astimezone(zone)
        if time(QUIET_UNTIL_HOUR) <= local.time() < time(QUIET_FROM_HOUR):
            continue
        morning_day = local.date() + timedelta(days=1 if local.hour >= QUIET_FROM_HOUR else 0)
        morning = datetime.combine(morning_day, time(QUIET_UNTIL_HOUR), tzinfo=zone)
        departs = j.board.state(flight.key, m.sent_at).est_dep
        if min(departs, flight.sched_dep) <= morning + NEAR_DEPARTURE:
            continue  # it could not wait
        if any(
            p == m.pnr
            and since <= m.sent_at <= since + within  # it tells of the change
            and (m.about in (None, f) or m.kind in TRIP_CHANGED)
            and since + within < morning  # and waiting would miss 259.8 or APPR s.13
            for p, f, since, _, within in duties
        ):
            continue  # the law's deadline falls in the night
        found.append(
            Finding(
                "quiet_hours",
                m.pnr,
                f"{m.kind} delivered at {local:%H:%M} local ({zone.key}); "
                f"{flight.key} leaves at {departs.astimezone(zone):%H:%M}, "
                "it could have waited until 07:00",
            )
        )
    return found


def _judged_against(j: Judged, m: Message) -> FlightRec | None:
    """The departure whose nearness decides whether `m` could wait: the flight it is about;
    for a message about no one flight (a reminder, a refund), the next flight the passenger
    held when it went (a reminder goes before the rebooked flight, which the booking as it
    was sold never named); with nothing left to fly, the booking's first flight."""
    record = j.record
    flights = record.world.flights
    if m.about is not None and m.about in flights:
        return flights[m.about]
    journey = j.seats.journeys.get(m.pnr)
    if journey is None or m.sent_at is None:
        return None
    ahead = unflown(record, j.board, journey.all_legs_at(m.sent_at), m.sent_at)
    if ahead:
        return flights[ahead[0].flight]
    booking = journey.booking
    return flights[booking.legs[0].flight] if booking.legs else None
