"""Schema-valid nonsense is not believed: records from the future, from year 1, with the
wrong route or schedule are dead-lettered with a reason, and every flight ends on its
newest *valid* event — a stamp of 2099 no longer freezes a flight against the genuine
cancellation behind it. Events about flights days ahead stay live news."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agent.runtime import Daemon
from agent.settings import AgentSettings
from agent.tables import CaseRow
from airline.clock import EventTimeClock, SimulatedClock, SystemClock
from airline.models import Flight, FlightStatus, ReasonCode
from app.settings import Settings
from app.wiring import open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSource, StoredRecord
from streams.events import TOPIC_DEAD_LETTERS, TOPIC_FLIGHT_STATUS, FlightStatusEvent, encode
from streams.plausibility import Plausibility, PlausibilityLimits

DAY = datetime(2026, 3, 1, tzinfo=UTC)


def _flight(origin: str = "FRA", destination: str = "LHR") -> Flight:
    return Flight(
        key="XA101/2026-03-01",
        carrier="XA",
        number=101,
        service_date=DAY.date(),
        origin=origin,
        destination=destination,
        sched_dep=DAY + timedelta(hours=8),
        sched_arr=DAY + timedelta(hours=9, minutes=30),
        tail="D-AXAA",
        distance_km=650,
    )


def _event(flight: Flight, emitted: datetime, **changes: object) -> FlightStatusEvent:
    event = FlightStatusEvent.about(
        flight, event_id="e-1", status=FlightStatus.SCHEDULED, emitted_at=emitted
    )
    return event.model_copy(update=changes)


def _reason(judge: Plausibility, event: FlightStatusEvent) -> str | None:
    problem = judge.judge(event, event.flight_key)
    return problem.reason if problem else None


def test_the_issues_implausible_records_are_refused_with_reasons() -> None:
    flight = _flight()
    judge = Plausibility({flight.key: flight}, EventTimeClock(DAY))
    fine = DAY + timedelta(hours=5)
    assert _reason(judge, _event(flight, fine)) is None
    assert _reason(judge, _event(flight, datetime(2099, 1, 1, tzinfo=UTC))) == ("emitted_in_future")
    assert _reason(judge, _event(flight, datetime(1, 1, 1, 12, tzinfo=UTC))) == (
        "emitted_too_long_ago"
    )
    assert _reason(judge, _event(flight, fine, origin="CDG")) == "route_mismatch"
    assert _reason(judge, _event(flight, fine, destination="FRA")) == "route_mismatch"
    later = flight.sched_dep + timedelta(hours=1)
    assert _reason(judge, _event(flight, fine, sched_dep=later)) == "schedule_mismatch"
    assert _reason(judge, _event(flight, fine, flight_number=102)) == "unknown_flight"
    # A status long after the flight landed is no news about it.
    assert _reason(judge, _event(flight, flight.sched_arr + timedelta(days=30))) == (
        "emitted_after_flight"
    )


def test_events_about_flights_weeks_ahead_are_live_under_every_clock() -> None:
    """An advance cancellation is emitted weeks before the flight: only its emission
    time is judged against the clock, never the flight's distance from now."""
    flight = _flight()
    weeks_ahead = flight.sched_dep - timedelta(days=20)
    for clock in (
        EventTimeClock(DAY - timedelta(days=1)),  # a fresh daemon: the seed's placeholder
        SimulatedClock(weeks_ahead + timedelta(minutes=1), speed=0),
    ):
        judge = Plausibility({flight.key: flight}, clock)
        assert _reason(judge, _event(flight, weeks_ahead)) is None, clock


def test_the_clock_judges_emission_with_its_skew() -> None:
    wall = datetime.now(UTC)
    flight = _flight().model_copy(
        update={
            "sched_dep": wall + timedelta(days=2),
            "sched_arr": wall + timedelta(days=2, hours=1),
        }
    )
    limits = PlausibilityLimits(max_clock_skew=timedelta(minutes=5), max_age=timedelta(days=7))
    judge = Plausibility({flight.key: flight}, SystemClock(), limits)
    assert _reason(judge, _event(flight, wall + timedelta(minutes=4))) is None
    assert _reason(judge, _event(flight, wall + timedelta(minutes=10))) == "emitted_in_future"
    assert _reason(judge, _event(flight, wall - timedelta(days=6))) is None
    assert _reason(judge, _event(flight, wall - timedelta(days=8))) == "emitted_too_long_ago"
    # A simulated day's clock is its own: ahead of the wall is not the future there.
    simulated = SimulatedClock(wall + timedelta(days=1), speed=0)
    judge = Plausibility({flight.key: flight}, simulated, limits)
    assert _reason(judge, _event(flight, wall + timedelta(days=1, minutes=1))) is None
    # The event-time clock follows events: a record cannot push it ahead of the wall.
    following = EventTimeClock(wall + timedelta(days=1))
    judge = Plausibility({flight.key: flight}, following, limits)
    assert _reason(judge, _event(flight, wall + timedelta(days=1))) == "emitted_in_future"


async def test_every_flight_ends_on_its_newest_valid_event(world_path: Path) -> None:
    """Genuine events for every flight, with the issue's nonsense among them: a heartbeat
    stamped 2099 just before a genuine cancellation, the wrong route, year 1. Each bad one
    is dead-lettered with its reason; each flight ends on its newest genuine event; the
    cancellation behind the 2099 stamp opens its cases."""
    settings = Settings(data_dir=world_path.parent, agent=AgentSettings(delay_notify_minutes=600))
    start = DAY - timedelta(hours=12)
    async with open_agent(settings, EventTimeClock(start)) as agent:
        flights = sorted(agent.deps.schedule.flights.values(), key=lambda f: f.sched_dep)
        victims = flights[:40]  # these get nonsense; the first is also cancelled
        cancelled = flights[0]
        genuine: list[FlightStatusEvent] = []
        bad: list[tuple[FlightStatusEvent, str]] = []
        for n, flight in enumerate(flights):
            emitted = flight.sched_dep - timedelta(hours=6)
            for step, late in enumerate((0, 5, 10)):
                genuine.append(
                    FlightStatusEvent.about(
                        flight,
                        event_id=f"g-{n}-{step}",
                        status=FlightStatus.DELAYED if late else FlightStatus.SCHEDULED,
                        est_dep=flight.sched_dep + timedelta(minutes=late),
                        est_arr=flight.sched_arr + timedelta(minutes=late),
                        emitted_at=emitted + timedelta(minutes=20 * step),
                    )
                )
        for n, flight in enumerate(victims):
            at = flight.sched_dep - timedelta(hours=5, minutes=30)
            heartbeat = FlightStatusEvent.about(
                flight, event_id=f"b-{n}", status=FlightStatus.SCHEDULED, emitted_at=at
            )
            bad += [
                (heartbeat.model_copy(update={"emitted_at": datetime(2099, 1, 1, tzinfo=UTC)}),
                 "emitted_in_future"),
                (heartbeat.model_copy(update={"event_id": f"r-{n}", "origin": flight.destination,
                                              "destination": flight.origin}), "route_mismatch"),
                (heartbeat.model_copy(update={"event_id": f"y-{n}",
                                              "emitted_at": datetime(1, 1, 1, tzinfo=UTC)}),
                 "emitted_too_long_ago"),
            ]  # fmt: skip
        cancellation = FlightStatusEvent.about(
            cancelled,
            event_id="g-cancel",
            status=FlightStatus.CANCELLED,
            reason=ReasonCode.TECHNICAL,
            emitted_at=cancelled.sched_dep - timedelta(hours=4),
        )
        genuine.append(cancellation)
        # In time order, each bad record just before the genuine ones it would spoil.
        stream = sorted(
            [(e, None) for e in genuine] + [(e, why) for e, why in bad],
            key=lambda pair: (
                pair[0].emitted_at if pair[1] is None else pair[0].sched_dep - timedelta(hours=6),
                pair[1] is None,
            ),
        )
        broker = EmbeddedBroker()
        for event, _why in stream:
            await broker.append(
                TOPIC_FLIGHT_STATUS, StoredRecord(event.flight_key.encode(), encode(event))
            )
        source = EmbeddedSource(broker, follow=False)
        daemon = Daemon(agent.deps, agent.graph, source)
        await asyncio.wait_for(daemon.run(asyncio.Event()), 600)

        newest: dict[str, FlightStatusEvent] = {}
        for event in genuine:
            if (
                event.flight_key not in newest
                or event.emitted_at > newest[event.flight_key].emitted_at
            ):
                newest[event.flight_key] = event
        ended = {key: agent.deps.board.get(key) for key in newest}
        wrong = {
            k: s.event_id for k, s in ended.items() if s is None or s.event_id != newest[k].event_id
        }  # type: ignore[union-attr]
        assert not wrong, (
            f"{len(wrong)} of {len(newest)} flights did not end on their newest valid event"
        )
        assert ended[cancelled.key].status == FlightStatus.CANCELLED  # type: ignore[union-attr]

        dead = broker.topics[TOPIC_DEAD_LETTERS]
        reasons = Counter(d.headers["reason"].decode() for d in dead)
        assert reasons == Counter(why for _e, why in bad), reasons
        assert broker.committed[(source.group, TOPIC_FLIGHT_STATUS)] == len(stream) - 1
        async with agent.deps.db.session() as session:
            opened = await session.scalar(select(func.count()).select_from(CaseRow))
        assert opened, "the cancellation behind the 2099 stamp opened no case"
        for record in dead:
            offset = int(record.headers["original_offset"])
            assert json.loads(record.value or b"")["event_id"] == stream[offset][0].event_id


@pytest.mark.parametrize("days_ahead", [3, 20])
async def test_an_advance_cancellation_opens_cases(world_path: Path, days_ahead: int) -> None:
    """Emitted days before the flight, to a fresh daemon whose board holds only the
    seeded schedule (whose placeholder time is a day before departure): not stale."""
    settings = Settings(data_dir=world_path.parent)
    flight_key = "XA102/2026-03-01"
    async with open_agent(settings, EventTimeClock(DAY - timedelta(days=days_ahead))) as agent:
        flight = agent.deps.schedule.flights[flight_key]
        cancellation = FlightStatusEvent.about(
            flight,
            event_id="advance",
            status=FlightStatus.CANCELLED,
            reason=ReasonCode.TECHNICAL,
            emitted_at=flight.sched_dep - timedelta(days=days_ahead),
        )
        broker = EmbeddedBroker()
        await broker.append(
            TOPIC_FLIGHT_STATUS, StoredRecord(flight_key.encode(), encode(cancellation))
        )
        daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(broker, follow=False))
        await asyncio.wait_for(daemon.run(asyncio.Event()), 300)
        state = agent.deps.board.get(flight_key)
        assert state is not None and state.event_id == "advance"
        assert state.status == FlightStatus.CANCELLED
        assert daemon.stats.cases > 0 and daemon.stats.stale == 0
        assert not broker.topics[TOPIC_DEAD_LETTERS]


def test_judging_never_raises() -> None:
    """Whatever judging raises (here: a schedule that cannot be read) is a reason to
    dead-letter the record, not a crash of the daemon at it."""

    class Unreadable(dict[str, Flight]):
        def get(self, key: str, default: object = None) -> Flight:  # type: ignore[override]
            raise OSError("the schedule's storage is gone")

    judge = Plausibility(Unreadable(), EventTimeClock(DAY))
    problem = judge.judge(_event(_flight(), DAY + timedelta(hours=5)), "XA101/2026-03-01")
    assert problem is not None and problem.reason == "implausible"
    assert "OSError" in problem.detail
