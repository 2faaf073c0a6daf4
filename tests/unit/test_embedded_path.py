"""The whole embedded path: stream → daemon → cases → outbox → relay, on the seeded world."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from agent.relay import OutboxRelay
from agent.runtime import Daemon
from agent.state import CaseStatus
from agent.tables import CaseRow, DisruptionRow
from airline.clock import SimulatedClock
from airline.models import FlightStatus, ReasonCode
from airline.reservations import load_booking, passengers_on
from airline.tables import LedgerRow
from app.settings import Settings
from app.summary import run_figures
from app.wiring import Agent, open_agent
from streams.embedded import EmbeddedBroker, EmbeddedSink, EmbeddedSource, StoredRecord
from streams.events import (
    TOPIC_AGENT_ACTIONS,
    TOPIC_DEAD_LETTERS,
    TOPIC_FLIGHT_STATUS,
    TOPIC_NOTIFICATIONS,
    FlightStatusEvent,
    encode,
)
from tools.channels.log import LogChannel
from tools.notifications import passenger_recipient_id
from tools.tables import OutboxRow
from travel_agent.db import copy_sqlite

NOW = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
CANCELLED = "XA102/2026-03-01"  # FRA→LHR 08:20 UTC, every seat class booked


# The daemon handles a hundred cases; run it once and let every test read what it left.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def world(world_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the seeded world for this module."""
    data_dir = tmp_path_factory.mktemp("embedded")
    copy_sqlite(world_template, data_dir / "airline.sqlite")
    return data_dir


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def agent(world: Path) -> AsyncIterator[Agent]:
    # Another carrier's seats for a whole party (a group of twelve) may cost more than the
    # desk lets the agent spend alone; this module is about the path, not the limits.
    settings = Settings(
        data_dir=world, agent={"approvals": {"other_carrier_above_cents": 10_000_000}}
    )
    assert settings.db_url == f"sqlite+aiosqlite:///{world / 'airline.sqlite'}"
    async with open_agent(settings, SimulatedClock(NOW, speed=0)) as opened:
        yield opened


def event_for(agent: Agent, flight_key: str, **fields: object) -> FlightStatusEvent:
    flight = agent.deps.schedule.flights[flight_key]
    values: dict[str, object] = {
        "carrier": flight.carrier,
        "flight_number": flight.number,
        "service_date": flight.service_date,
        "origin": flight.origin,
        "destination": flight.destination,
        "sched_dep": flight.sched_dep,
        "sched_arr": flight.sched_arr,
        "est_dep": flight.sched_dep,
        "est_arr": flight.sched_arr,
    }
    return FlightStatusEvent.model_validate(values | fields)


async def publish(broker: EmbeddedBroker, key: str, value: bytes) -> None:
    await broker.append(TOPIC_FLIGHT_STATUS, StoredRecord(key.encode(), value))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fed(agent: Agent) -> tuple[EmbeddedBroker, list[str]]:
    """A stream of one cancellation and what a real feed adds around it, and who was on it."""
    broker = EmbeddedBroker()
    cancellation = event_for(
        agent,
        CANCELLED,
        event_id="ev-cancel",
        status=FlightStatus.CANCELLED,
        reason=ReasonCode.TECHNICAL,
        emitted_at=NOW,
    )
    older_delay = event_for(
        agent,
        CANCELLED,
        event_id="ev-delay-late",
        status=FlightStatus.DELAYED,
        reason=ReasonCode.ATC,
        est_dep=cancellation.sched_dep + timedelta(minutes=40),
        est_arr=cancellation.sched_arr + timedelta(minutes=40),
        emitted_at=NOW - timedelta(minutes=10),
    )
    unknown = cancellation.model_copy(update={"event_id": "ev-ghost", "flight_number": 9998})
    await publish(broker, CANCELLED, encode(cancellation))  # offset 0
    await publish(broker, CANCELLED, encode(cancellation))  # 1: redelivered
    await publish(broker, CANCELLED, encode(older_delay))  # 2: arrives after, emitted before
    await publish(broker, "junk", b'{"event_id": "ev-torn", "carrier": ')  # 3: torn record
    await publish(broker, unknown.flight_key, encode(unknown))  # 4: not in our schedule
    async with agent.deps.db.session() as session:
        on_board = await passengers_on(session, CANCELLED)
    assert len(on_board) > 50
    return broker, on_board


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def ran(agent: Agent, fed: tuple[EmbeddedBroker, list[str]]) -> Daemon:
    broker, _ = fed
    daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(broker, follow=False))
    # The source ends at the end of the topic, so run() returns once every record is handled.
    await daemon.run(asyncio.Event())
    return daemon


async def test_one_disruption_opens_one_case_per_booking(
    agent: Agent, fed: tuple[EmbeddedBroker, list[str]], ran: Daemon
) -> None:
    _, on_board = fed
    async with agent.deps.db.session() as session:
        disruptions = (await session.scalars(select(DisruptionRow))).all()
        cases = (await session.scalars(select(CaseRow))).all()
    assert [(d.flight_key, d.event_id, d.kind) for d in disruptions] == [
        (CANCELLED, "ev-cancel", "cancellation")
    ]
    assert sorted(c.pnr for c in cases) == sorted(on_board)
    assert {c.status for c in cases} == {CaseStatus.DONE}
    assert {c.outcome for c in cases} <= {"rebooked", "no_alternative"}
    assert ran.stats.events == 5
    assert ran.stats.disruptions == 1
    assert ran.stats.stale == 2  # the redelivery and the older delay
    assert ran.stats.cases == len(on_board)


async def test_the_older_event_does_not_undo_the_cancellation(agent: Agent, ran: Daemon) -> None:
    state = agent.deps.board.get(CANCELLED)
    assert state is not None
    assert (state.status, state.event_id) == (FlightStatus.CANCELLED, "ev-cancel")


async def test_bad_records_are_dead_lettered_with_their_reason_and_committed(
    fed: tuple[EmbeddedBroker, list[str]], ran: Daemon
) -> None:
    broker, _ = fed
    letters = broker.topics[TOPIC_DEAD_LETTERS]
    headers = [{k: v.decode() for k, v in letter.headers.items()} for letter in letters]
    assert [(h["reason"], h["original_offset"]) for h in headers] == [
        ("not_json", "3"),
        ("unknown_flight", "4"),
    ]
    assert all(h["original_topic"] == TOPIC_FLIGHT_STATUS for h in headers)
    assert "XA9998/2026-03-01" in headers[1]["detail"]
    # The original bytes are kept, so the record can be repaired and replayed.
    assert letters[0].value == broker.topics[TOPIC_FLIGHT_STATUS][3].value
    assert letters[1].value == broker.topics[TOPIC_FLIGHT_STATUS][4].value
    assert ran.stats.dead_lettered == 2
    assert broker.committed[("travel-agent", TOPIC_FLIGHT_STATUS)] == 4


async def test_passengers_are_rebooked_and_each_told_exactly_once(
    agent: Agent, fed: tuple[EmbeddedBroker, list[str]], ran: Daemon
) -> None:
    _, on_board = fed
    figures = await run_figures(agent.deps.db)
    assert figures["rebooked"] > 0
    # Queued in the same transactions as the effects; "notified" counts them once sent.
    assert figures["notified"] == 0

    async with agent.deps.db.session() as session:
        bookings = [await load_booking(session, pnr) for pnr in on_board]
        messages = (
            await session.scalars(select(OutboxRow).where(OutboxRow.topic == TOPIC_NOTIFICATIONS))
        ).all()
    # One message per booking contact, and one to each passenger with a contact of their own.
    customers = {b.customer_id: b.pnr for b in bookings} | {
        passenger_recipient_id(b.pnr, p.seq): b.pnr
        for b in bookings
        for p in b.passengers
        if p.own_contact
    }
    async with agent.deps.db.session() as session:
        ledger = (await session.scalars(select(LedgerRow))).all()
        rebooked = [
            await load_booking(session, row.pnr) for row in ledger if row.action == "rebook"
        ]
    assert Counter(m.customer_id for m in messages) == Counter(customers.keys())
    assert {(m.customer_id, m.key) for m in messages} == set(customers.items())
    for booking in rebooked:
        assert CANCELLED not in [s.flight_key for s in booking.active_segments]
        for segment in booking.active_segments:
            state = agent.deps.board.get(segment.flight_key)
            assert state is not None and state.flyable


async def test_the_stream_replayed_after_a_restart_does_nothing_twice(
    agent: Agent, fed: tuple[EmbeddedBroker, list[str]], ran: Daemon
) -> None:
    broker, _ = fed
    before = await run_figures(agent.deps.db)
    # A new consumer group re-reads everything from the start (at-least-once delivery).
    replay = Daemon(agent.deps, agent.graph, EmbeddedSource(broker, group="replay", follow=False))
    await replay.run(asyncio.Event())
    assert replay.stats.stale == 3
    assert replay.stats.cases == 0
    assert await run_figures(agent.deps.db) == before


async def test_the_relay_publishes_the_outbox_and_marks_it_sent(
    agent: Agent, fed: tuple[EmbeddedBroker, list[str]], ran: Daemon
) -> None:
    broker, on_board = fed
    figures = await run_figures(agent.deps.db)
    channel = LogChannel()
    relay = OutboxRelay(agent.deps.db, EmbeddedSink(broker), {}, channel, agent.deps.clock)

    async with agent.deps.db.session() as session:
        effects = Counter(
            await session.scalars(select(LedgerRow.action).where(LedgerRow.action != "notify"))
        )
    delivered = await relay.drain()

    async with agent.deps.db.session() as session:
        bookings = [await load_booking(session, pnr) for pnr in on_board]
    told = sum(1 + sum(p.own_contact for p in b.passengers) for b in bookings)
    assert delivered == told + effects.total()
    notifications = broker.topics[TOPIC_NOTIFICATIONS]
    actions = broker.topics[TOPIC_AGENT_ACTIONS]
    assert len(notifications) == told == channel.delivered
    assert effects["rebook"] == figures["rebooked"]
    assert Counter(json.loads(r.value or b"")["action"] for r in actions) == effects
    assert {r.key.decode() for r in notifications if r.key} == set(on_board)
    keys = [r.headers["idempotency_key"] for r in [*notifications, *actions]]
    assert len(set(keys)) == len(keys)

    async with agent.deps.db.session() as session:
        rows = (await session.scalars(select(OutboxRow))).all()
    assert {r.status for r in rows} == {"sent"}
    assert all(r.sent_at is not None for r in rows)

    # Nothing is published twice.
    assert await relay.drain() == 0
    assert (await run_figures(agent.deps.db))["notified"] == told  # messages, not bookings
    assert len(broker.topics[TOPIC_NOTIFICATIONS]) == told
