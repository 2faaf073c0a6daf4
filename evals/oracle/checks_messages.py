"""Messages: each change a passenger must know of was told (none missing), once (no
duplicates), while it was still the news (nothing superseded delivered), within the legal
deadline (14 CFR 259.8; APPR s.13), and not in their night unless it could not wait (its
flight leaves near the night's end, a law wants it told now: 14 CFR 259.8, APPR s.13; or it is news
that never waits, `rules.NEVER_HELD`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from evals.oracle.context import NEWS_DELAY, Judged
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
from evals.oracle.verdict import Finding, when

REBOOKED = frozenset({"cancelled_rebooked", "diverted_rebooked", "missed_connection_rebooked"})


def check(j: Judged) -> list[Finding]:
    return [*_missing(j), *_duplicates(j), *_stale(j), *_deadlines(j), *_quiet(j)]


def _delivered(j: Judged, pnr: str) -> list[Message]:
    return sorted(
        (m for m in j.record.messages if m.pnr == pnr and m.delivered),
        key=lambda m: m.sent_at or m.created_at,
    )


def _missing(j: Judged) -> list[Finding]:
    found = []
    for pnr in j.touched:
        journey = j.seats.journeys[pnr]
        # A message held past the end of the run is not missing (the run ended first);
        # whether holding it was allowed is the deadline and quiet-hours checks' business.
        told = _delivered(j, pnr) + [
            m for m in j.record.messages if m.pnr == pnr and m.scheduled_after(j.record.end)
        ]
        rebooks = [e for e in journey.rebookings if e.action == "rebook"]
        if rebooks:
            last = rebooks[-1]
            if not any(m.kind in REBOOKED and m.created_at >= last.at for m in told):
                found.append(
                    Finding(
                        "missing_message",
                        pnr,
                        f"moved onto {'+'.join(map(str, last.detail.get('flights') or []))} "
                        f"at {when(last.at)} and never told of it",
                    )
                )
        for flight, since in _reinstated(j, pnr):
            if not any(
                (m.sent_at or m.created_at) >= since and m.about in (None, flight) for m in told
            ):
                found.append(
                    Finding(
                        "missing_message",
                        pnr,
                        f"{flight} was reinstated at {when(since)} and "
                        "the passenger, who still holds it, was never told it flies",
                    )
                )
        for flight, since in _news(j, pnr):
            if not any(
                (m.sent_at or m.created_at) >= since
                and (m.about in (None, flight) or m.kind in TRIP_CHANGED)
                for m in told
            ):
                state = j.board.state(flight, j.record.end)
                found.append(
                    Finding(
                        "missing_message",
                        pnr,
                        f"{flight} became {_what(j, flight, since)} at "
                        f"{when(since)} (now {state.status}) and the passenger was never told",
                    )
                )
    return found


def _what(j: Judged, flight: str, at: datetime) -> str:
    state = j.board.state(flight, at)
    if state.gone:
        return state.status
    minutes = int((state.est_dep - j.record.world.flights[flight].sched_dep).total_seconds() // 60)
    return f"{minutes} min late"


def _news(j: Judged, pnr: str) -> list[tuple[str, datetime]]:
    """Flights of the passenger's itinerary (at the time, not yet flown) that became
    cancelled, diverted or 30+ min late, with when — once per flight, while it stayed so
    (a delay that recovered under 30 min before anyone could tell is no longer news)."""
    record, board = j.record, j.board
    journey = j.seats.journeys[pnr]
    news: dict[str, datetime] = {}
    for at in j.moments_of.get(pnr, ()):
        for leg in unflown(record, board, journey.all_legs_at(at, before=True), at):
            state = board.state(leg.flight, at)
            late = state.est_dep - record.world.flights[leg.flight].sched_dep >= NEWS_DELAY
            if (state.gone or late) and leg.flight not in news:
                news[leg.flight] = at
    final = {leg.flight for leg in journey.whole_final}
    result = []
    for flight, since in news.items():
        end_state = board.state(flight, record.end)
        still = (
            end_state.gone
            or end_state.est_dep - record.world.flights[flight].sched_dep >= NEWS_DELAY
        )
        if still or (flight in final and not _undone_in_time(j, pnr, flight, since)):
            result.append((flight, since))
    return result


def _undone_in_time(j: Judged, pnr: str, flight: str, since: datetime) -> bool:
    """The change of `flight` at `since` was reversed (back on time, not cancelled or
    diverted) before the deadline to tell of it passed, with nothing done to the booking
    and nothing told meanwhile: there is no change left to tell. 14 CFR 259.8 gives 30 min
    to tell a change in a flight's status, and EU261 Art 14(2) a written notice to the
    passenger "affected by a cancellation" — one reversed within minutes affects no one.
    Telling it would be news already superseded (a cancellation that is not), and telling
    the reinstatement of a cancellation nobody heard of would be noise."""
    record = j.record
    flight_rec = record.world.flights[flight]
    back = next(
        (
            state.since
            for state in j.board.changes(flight)
            if state.since > since
            and not state.gone
            and state.est_dep - flight_rec.sched_dep < NEWS_DELAY
        ),
        None,
    )
    if back is None or back - since > DOT_NOTIFY_WITHIN:
        return False
    acted = any(e.pnr == pnr and since <= e.at <= back for e in record.effects)
    told = any(
        m.pnr == pnr and m.delivered and m.sent_at is not None and since <= m.sent_at <= back
        for m in record.messages
    )
    return not acted and not told


def _reinstated(j: Judged, pnr: str) -> list[tuple[str, datetime]]:
    """Flights of the final itinerary that were cancelled or diverted and came back, with
    when they came back (the last time) — but not a loss undone before it had to be told
    (`_undone_in_time`): there is nothing to take back."""
    found = []
    for leg in j.seats.journeys[pnr].whole_final:
        back = lost = None
        for state in j.board.changes(leg.flight):
            if state.gone:
                if lost is None or back is not None:  # a new loss, not the same one again
                    lost = state.since
                back = None
            elif lost is not None and back is None:
                back = state.since
        if (
            back is not None
            and lost is not None
            and not j.board.state(leg.flight, j.record.end).gone
            and not _undone_in_time(j, pnr, leg.flight, lost)
        ):
            found.append((leg.flight, back))
    return found


def _duplicates(j: Judged) -> list[Finding]:
    """The same message (kind, flight, text) delivered again to the same recipient with
    nothing new between. (A booking's contact and a passenger of it with a contact of their
    own are two recipients: each is told once.)"""
    found = []
    last: dict[tuple[str, str | None, str | None], Message] = {}
    for m in sorted(
        (m for m in j.record.messages if m.delivered), key=lambda m: (m.sent_at, m.created_at)
    ):
        previous = last.get((m.pnr, m.customer, m.about))
        if previous is not None and (previous.kind, previous.text) == (m.kind, m.text):
            found.append(
                Finding(
                    "duplicate_message",
                    m.pnr,
                    f"the same {m.kind} message about {m.about} "
                    f"delivered again at {when(m.sent_at)} (first at {when(previous.sent_at)})",
                )
            )
        last[m.pnr, m.customer, m.about] = m
    return found


def _stale(j: Judged) -> list[Finding]:
    found = []
    by_pnr: dict[str, list[Message]] = {}
    for m in j.record.messages:
        by_pnr.setdefault(m.pnr, []).append(m)
    for pnr, messages in by_pnr.items():
        journey = j.seats.journeys.get(pnr)
        for m in messages:
            if not m.delivered or m.sent_at is None:
                continue
            newer = [
                o
                for o in messages
                if o is not m
                and o.about == m.about
                and m.about is not None
                and m.created_at < o.created_at < m.sent_at
            ]
            if newer:
                found.append(
                    Finding(
                        "stale_message",
                        pnr,
                        f"{m.kind} about {m.about} delivered at {when(m.sent_at)} "
                        f"after newer news ({newer[0].kind}, {when(newer[0].created_at)})",
                    )
                )
                continue
            if m.kind == "delay" and m.about in j.record.world.flights:
                state = j.board.state(m.about, m.sent_at)
                if state.gone and state.since <= m.created_at:
                    continue  # it was already gone when written: another problem
                if state.gone:
                    found.append(
                        Finding(
                            "stale_message",
                            pnr,
                            f"delay of {m.about} delivered at {when(m.sent_at)}, "
                            f"when it was already {state.status}",
                        )
                    )
            if m.kind in REBOOKED and journey is not None:
                later = [e for e in journey.rebookings if m.created_at < e.at < m.sent_at]
                if later:
                    found.append(
                        Finding(
                            "stale_message",
                            pnr,
                            f"{m.kind} delivered at {when(m.sent_at)}, after "
                            f"the booking was moved again at {when(later[0].at)}",
                        )
                    )
    return found


def _dot_duties(j: Judged) -> list[tuple[str, str, datetime, str]]:
    """(pnr, flight, learned at, what) for each change 14 CFR 259.8 says to tell of."""
    places = j.record.world.places
    return _status_changes(
        j,
        lambda flight, _: bool(
            {places[flight.origin].country, places[flight.destination].country} & US_TERRITORY
        ),
    )


def _appr_duties(j: Judged) -> list[tuple[str, str, datetime, str]]:
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

    return _status_changes(j, covered, recoveries=True)


def _status_changes(
    j: Judged, covers: Callable[[FlightRec, str], bool], *, recoveries: bool = False
) -> list[tuple[str, str, datetime, str]]:
    """(pnr, flight, learned at, what): each cancellation, diversion, or delay of 30 min or
    more (again each time it moves 30 min) of a flight a passenger still had to fly, where
    `covers(flight, pnr)` says a rule owes them the news; with `recoveries`, also a told
    delay that falls back under 30 min (new information, though no delay)."""
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
                moved = told_delay is None or abs(delay - told_delay) >= DOT_RENOTICE_SHIFT
                if delay >= DOT_NOTIFY_FROM_DELAY and moved:
                    what = f"delayed {int(delay.total_seconds() // 60)} min"
                    told_delay = delay
                elif recoveries and told_delay is not None and moved:
                    what = "back on time"  # it leaves earlier than told: news
                    told_delay = None
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
                if any(leg.flight == key for leg in legs) and not _undone_in_time(
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
                for m in _delivered(j, pnr)
            )
            if ok:
                continue
            seen.add((pnr, flight, since))
            first = next(
                (m.sent_at for m in _delivered(j, pnr) if m.sent_at and m.sent_at >= since), None
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
    duties = [(*d, within) for _, within, owed in DEADLINE_RULES for d in owed(j)]
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
