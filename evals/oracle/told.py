"""What a passenger was told, and news that needed no telling: shared by the message
checks (`checks_messages`) and the timing checks (`checks_timing`)."""

from __future__ import annotations

from datetime import datetime

from evals.oracle.context import NEWS_DELAY, Judged
from evals.oracle.record import Message
from evals.oracle.rules import DOT_NOTIFY_WITHIN


def delivered(j: Judged, pnr: str) -> list[Message]:
    """The messages delivered to `pnr`, in the order they went."""
    return sorted(
        (m for m in j.record.messages if m.pnr == pnr and m.delivered),
        key=lambda m: m.sent_at or m.created_at,
    )


def undone_in_time(j: Judged, pnr: str, flight: str, since: datetime) -> bool:
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
