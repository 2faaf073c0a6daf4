"""A booking's journeys, read against the schedule: which journey a flight is on, where it
ends, and which of its segments were ticketed and which a rebooking added.

A booking holds one or more journeys (one-way: one; return or open-jaw: two; multi-city:
more), each from its own origin to its own final destination, and every segment belongs
to one of them. What a disruption breaks, where the passenger must still get to, how far
the trip is and how late it arrives are all judged per journey: EU261/UK261 measure
distance from the journey's first origin to its final destination (CJEU Bossen,
C-559/16) and count only the arrival there (Folkerts, C-11/11), so a return flight is
never the "final destination" of the outbound.

A booking stored before journeys existed (or built without them) is one journey over
all its segments: from the first segment's origin to the last one's destination.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from airline.airports import minimum_connection_time
from airline.board import LiveBoard
from airline.models import Booking, Flight, Journey, Segment
from airline.schedule import Schedule

__all__ = [
    "JourneyView",
    "Route",
    "derive_journeys",
    "journey_of_flight",
    "next_journey_deadline",
    "view",
    "with_journeys",
]


class Route(Protocol):
    """What `derive_journeys` needs of a flight (a `Flight` is one)."""

    @property
    def origin(self) -> str: ...
    @property
    def destination(self) -> str: ...


def derive_journeys(booking: Booking, flights: Mapping[str, Route]) -> list[Journey]:
    """The booking's journeys, or, where it has none, one per group of segments that
    share a journey number: from its lowest-numbered segment's origin to its
    highest-numbered segment's destination (a rebooking ends where the original did)."""
    if booking.journeys:
        return sorted(booking.journeys, key=lambda j: j.seq)
    found = []
    for number in sorted({s.journey for s in booking.segments}):
        segments = sorted((s for s in booking.segments if s.journey == number), key=_seq)
        found.append(
            Journey(
                seq=number,
                origin=flights[segments[0].flight_key].origin,
                destination=flights[segments[-1].flight_key].destination,
            )
        )
    return found


def with_journeys(booking: Booking, flights: Mapping[str, Route]) -> Booking:
    """`booking` with its journeys written out (`derive_journeys`)."""
    if booking.journeys:
        return booking
    return booking.model_copy(update={"journeys": derive_journeys(booking, flights)})


@dataclass(frozen=True)
class JourneyView:
    """One journey of a booking, as ticketed and as it stands now."""

    journey: Journey
    ticketed: list[Segment]
    """The segments as sold, in travel order (some may since be replaced)."""
    added: list[Segment]
    """Segments a rebooking added, still active, in travel order."""
    active: list[Segment]
    """What the passenger holds now on this journey, in travel order."""

    @property
    def origin(self) -> str:
        return self.journey.origin

    @property
    def destination(self) -> str:
        """The journey's final destination."""
        return self.journey.destination

    @property
    def seq(self) -> int:
        return self.journey.seq


def view(booking: Booking, journey: Journey, flights: Mapping[str, Flight]) -> JourneyView:
    """The journey's ticketed and added segments.

    A rebooking's segments always take numbers above every earlier one, so the ticketed
    journey is its segments up to the first (lowest-numbered) one that reaches the
    journey's destination; active segments numbered above it were added since.
    """

    def order(segment: Segment) -> tuple[object, int]:
        return flights[segment.flight_key].sched_dep, segment.seq

    mine = sorted((s for s in booking.segments if s.journey == journey.seq), key=_seq)
    arriving = [s for s in mine if flights[s.flight_key].destination == journey.destination]
    last = arriving[0].seq if arriving else (mine[-1].seq if mine else 0)
    ticketed = sorted((s for s in mine if s.seq <= last), key=order)
    active = sorted((s for s in booking.active_segments if s.journey == journey.seq), key=order)
    added = [s for s in active if s.seq > last]
    return JourneyView(journey=journey, ticketed=ticketed, added=added, active=active)


def journey_of_flight(
    booking: Booking, flight_key: str, flights: Mapping[str, Flight]
) -> JourneyView | None:
    """The journey holding a segment on `flight_key` (an active one first), or None."""
    on_it = sorted(
        (s for s in booking.segments if s.flight_key == flight_key),
        key=lambda s: (s.status != "active", s.seq),
    )
    if not on_it:
        return None
    journeys = {j.seq: j for j in derive_journeys(booking, flights)}
    journey = journeys.get(on_it[0].journey)
    return None if journey is None else view(booking, journey, flights)


def next_journey_deadline(
    schedule: Schedule, board: LiveBoard, booking: Booking, journey: int
) -> datetime | None:
    """The latest a re-accommodated `journey` may arrive so that the booking's next journey
    (the return of a return trip) still works: that journey's first active flight's
    departure, less the minimum connection time at its airport. None when no journey
    follows.

    The departure is the scheduled one, or the board's estimate where that is earlier: a
    delay estimate is no promise (a 300-min delay of a return shrank to 95 before it
    left, found-stranded-s293-w11), so an itinerary that lands in time only for the
    delayed return would strand the passenger when the delay shrinks.

    Whoever proposes the new itinerary — the planner, a model, an operator's edit, the
    passenger's own pick of an offered option — is held to the same deadline.
    """
    later = sorted(
        (s for s in booking.active_segments if s.journey > journey),
        key=lambda s: schedule.flights[s.flight_key].sched_dep,
    )
    if not later:
        return None
    first = schedule.flights[later[0].flight_key]
    state = board.get(first.key)
    departs = min(state.est_dep, first.sched_dep) if state else first.sched_dep
    airport = schedule.airports[first.origin]
    return departs - minimum_connection_time(
        airport, international=schedule.is_international(airport.iata, first.destination)
    )


def _seq(segment: Segment) -> int:
    return segment.seq
