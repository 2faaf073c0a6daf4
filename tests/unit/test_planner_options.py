"""A network answers each party's options once per distinct question (`Network.options`):
the parties of one cancelled flight share their answer, and a party asking anything
else (another start, excluded flights, a deadline, a cabin, a second start) gets what a
network asked only by it would give."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import cast

from agent.planner.model import Party, Start
from agent.planner.options import Network
from airline.board import FlightState, LiveBoard
from airline.models import Airport, Flight, FlightStatus
from airline.schedule import Schedule

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
HORIZON = timedelta(hours=48)


def _airport(iata: str) -> Airport:
    return Airport(iata=iata, name=iata, city=iata, country="US", lat=0, lon=0, tz="UTC")


def _flight(number: int, origin: str, destination: str, hours: float) -> Flight:
    dep = T0 + timedelta(hours=hours)
    return Flight(
        key=f"XA{number}/2026-03-01",
        carrier="XA",
        number=number,
        service_date=dep.date(),
        origin=origin,
        destination=destination,
        sched_dep=dep,
        sched_arr=dep + timedelta(hours=1),
        tail=f"N{number}",
        distance_km=300,
    )


FLIGHTS = [
    _flight(1, "LGA", "BOS", 1),
    _flight(2, "LGA", "BOS", 3),
    _flight(3, "LGA", "BOS", 6),
    _flight(4, "JFK", "BOS", 2),
]


def _network() -> Network:
    schedule = Schedule([_airport(a) for a in ("LGA", "JFK", "BOS")], FLIGHTS)
    states = {
        f.key: FlightState(
            flight_key=f.key,
            status=FlightStatus.SCHEDULED,
            est_dep=f.sched_dep,
            est_arr=f.sched_arr,
            reason=None,
            event_id=f"e-{f.key}",
            emitted_at=T0,
        )
        for f in FLIGHTS
    }
    # The network only reads states (`get`): a mapping of them stands in for the board.
    return Network(schedule, cast(LiveBoard, states))


PARTY = Party(
    ref="P1",
    seats=1,
    origin="LGA",
    destination="BOS",
    earliest_dep=T0,
    cabin="economy",
    carrier="XA",
    scheduled_arrival=T0 + timedelta(hours=1),
)


def _flights(network: Network, party: Party) -> list[tuple[str, ...]]:
    return [o.flights for o in network.options(party, HORIZON)]


def test_each_question_gets_its_own_answer_on_a_network_asked_before() -> None:
    others = [
        replace(PARTY, ref="P2", earliest_dep=T0 + timedelta(hours=2)),
        replace(PARTY, ref="P3", exclude=frozenset({FLIGHTS[1].key})),
        replace(PARTY, ref="P4", arrive_by=T0 + timedelta(hours=5)),
        replace(PARTY, ref="P5", cabin="business"),
        replace(PARTY, ref="P6", also_from=Start("JFK", T0, exclude=frozenset({FLIGHTS[3].key}))),
        replace(PARTY, ref="P7", also_from=Start("JFK", T0, exclude=frozenset())),
    ]
    shared = _network()
    first = _flights(shared, PARTY)
    assert first == [("XA1/2026-03-01",), ("XA2/2026-03-01",), ("XA3/2026-03-01",)]
    for other in others:
        assert _flights(shared, other) == _flights(_network(), other), other.ref
    assert [o.cabin for o in shared.options(others[3], HORIZON)] == ["business"] * 3


def test_parties_asking_the_same_share_the_answer_but_not_the_list() -> None:
    network = _network()
    mine = network.options(PARTY, HORIZON)
    theirs = network.options(replace(PARTY, ref="P2", seats=3, weight=2.0), HORIZON)
    assert theirs == mine
    answer = [o.flights for o in mine]
    mine.clear()  # a caller's list is its own
    assert _flights(network, PARTY) == answer and len(answer) == 3
