"""What an offer proposes and until when: pure, so the case that opens it (`agent.offers`)
and the message that tells the passenger about it (`agent.nodes.act`) say the same.

Option 1 is the booked itinerary; options 2..N are the other alternatives found that
leave from where it does (a switch replaces the booked flights, so it starts where they
do: a missed connection's options from the hub replace different segments), at most
`MAX_OPTIONS` in all. The passenger may answer until `reply_deadline`: at most
`REPLY_WINDOW` after the offer, and never later than `DECIDE_BEFORE` the departure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from tools.flights import Itinerary

REPLY_WINDOW = timedelta(hours=2)
"""How long a passenger has to answer, at most (and never past `DECIDE_BEFORE`)."""
DECIDE_BEFORE = timedelta(minutes=90)
"""An answer must come this long before the booked departure: then it is too late to move."""
MAX_OPTIONS = 6
"""Options an offer holds, the booked one included (a text message lists them all)."""


def reply_deadline(now: datetime, departure: datetime) -> datetime:
    return max(now, min(now + REPLY_WINDOW, departure - DECIDE_BEFORE))


def other_options(booked: Sequence[str], alternatives: Sequence[Itinerary]) -> list[Itinerary]:
    """Options 2..N of the offer of `booked`, in the order found."""
    start = next((it.legs[0].origin for it in alternatives if it.flight_keys == list(booked)), None)
    return [
        it
        for it in alternatives
        if it.flight_keys != list(booked) and start in (None, it.legs[0].origin)
    ][: MAX_OPTIONS - 1]
