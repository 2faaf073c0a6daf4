"""A booking rebooked by a case, with the offer the case opened: as `act` leaves it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from agent.offers import open_offer
from airline.board import FlightState, LiveBoard
from airline.clock import SimulatedClock
from airline.models import Cabin, FlightStatus
from airline.reservations import load_booking
from airline.schedule import Schedule
from airline.tables import BookingRow
from tools.effects import ToolDeps, ToolStatus
from tools.flights import SearchRequest, find_alternatives
from tools.rebooking import rebook
from travel_agent.db import Database

MORNING = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)


@dataclass
class Offered:
    pnr: str
    offer_id: str
    case_id: str
    disrupted: str
    options: list[list[str]]
    """Option 1 (booked) first."""


async def world_deps(db: Database) -> ToolDeps:
    schedule = await Schedule.load(db)
    board = LiveBoard()
    await board.load(db)
    return ToolDeps(db, schedule, board, SimulatedClock(MORNING, speed=0.0))


async def offered_booking(
    deps: ToolDeps, *, origin: str = "FRA", destination: str = "LHR"
) -> Offered:
    """A one-segment economy booking origin→destination moved to the first alternative,
    with its offer open: options are the alternatives found, option 1 the booked one."""
    schedule = deps.schedule
    async with deps.db.session() as session:
        for pnr in (await session.scalars(select(BookingRow.pnr).limit(4000))).all():
            booking = await load_booking(session, pnr)
            segments = booking.active_segments
            if len(segments) != 1 or segments[0].cabin != Cabin.ECONOMY:
                continue
            flight = schedule.flights[segments[0].flight_key]
            if (flight.origin, flight.destination) == (origin, destination) and (
                flight.sched_dep > MORNING + timedelta(hours=3)
            ):
                break
        else:
            raise AssertionError(f"no one-segment {origin}-{destination} booking in the world")
        found = await find_alternatives(
            session,
            schedule,
            deps.board,
            SearchRequest(
                origin=origin,
                destination=destination,
                earliest_dep=deps.clock.now() + timedelta(hours=1),
                cabin=Cabin.ECONOMY,
                carrier=None,
                exclude=frozenset({flight.key}),
            ),
        )
    assert len(found) >= 3, "the world should offer three alternatives"
    # The disruption the offer follows: the booked flight is cancelled (crew), so the
    # passenger has the refund a declined re-routing gives (EU261 Art 8(1)(a)).
    deps.board.apply_in_memory(
        FlightState(
            flight_key=flight.key,
            status=FlightStatus.CANCELLED,
            est_dep=flight.sched_dep,
            est_arr=flight.sched_arr,
            reason="crew",
            event_id=f"cancel-{flight.key}",
            emitted_at=deps.clock.now(),
        )
    )
    case_id = f"case-{pnr}"
    moved = await rebook(
        deps,
        key=f"{case_id}:rebook:v1",
        case_id=case_id,
        pnr=pnr,
        replace_seqs=[segments[0].seq],
        flights=found[0].flight_keys,
        cabin=Cabin.ECONOMY,
    )
    assert moved.status == ToolStatus.OK, moved.message
    async with deps.db.transaction() as session:
        offer_id = await open_offer(
            session,
            deps.db,
            case_id=case_id,
            pnr=pnr,
            disruption_flight=flight.key,
            booked=found[0].flight_keys,
            alternatives=found,
            cabin=Cabin.ECONOMY,
            departure=found[0].dep,
            now=deps.clock.now(),
        )
    return Offered(pnr, offer_id, case_id, flight.key, [it.flight_keys for it in found])


async def flights_of(deps: ToolDeps, pnr: str) -> list[str]:
    """The flights the booking holds now."""
    async with deps.db.session() as session:
        return [s.flight_key for s in (await load_booking(session, pnr)).active_segments]
