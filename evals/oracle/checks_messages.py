"""Messages: each change a passenger must know of was told (none missing), once (no
duplicates), while it was still the news (nothing superseded delivered). When they were
told (legal deadlines, the night) is `checks_timing`'s."""

from __future__ import annotations

from datetime import datetime

from evals.oracle.context import NEWS_DELAY, Judged
from evals.oracle.journeys import unflown
from evals.oracle.record import Message
from evals.oracle.rules import (
    TRIP_CHANGED,
)
from evals.oracle.told import delivered, undone_in_time
from evals.oracle.verdict import Finding, when

REBOOKED = frozenset({"cancelled_rebooked", "diverted_rebooked", "missed_connection_rebooked"})


def check(j: Judged) -> list[Finding]:
    return [*_missing(j), *_duplicates(j), *_stale(j)]


def _missing(j: Judged) -> list[Finding]:
    found = []
    for pnr in j.touched:
        journey = j.seats.journeys[pnr]
        # A message held past the end of the run is not missing (the run ended first);
        # whether holding it was allowed is the deadline and quiet-hours checks' business.
        told = delivered(j, pnr) + [
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
    # At each record's moment, the legs held as it found them; and at each move onto new
    # flights, the legs moved onto: a flight already late when the passenger is put on it
    # is news from that moment, which the message of the move tells (it states the
    # flight's times), not from the next record that happens to come.
    moments = [(at, True) for at in j.moments_of.get(pnr, ())]
    moments += [(moved, False) for moved, _, _ in journey.versions[1:]]
    for at, before in sorted(moments):
        for leg in unflown(record, board, journey.all_legs_at(at, before=before), at):
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
        if still or (flight in final and not undone_in_time(j, pnr, flight, since)):
            result.append((flight, since))
    return result


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
            and not undone_in_time(j, pnr, leg.flight, lost)
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
