"""The unit-of-work port's contract (`agent.work`), run over every database it has an
adapter for: SQLite in `tests/unit/test_unit_of_work.py`, PostgreSQL in
`tests/integration/test_postgres.py`.

Each check takes a database holding the seeded world (seed 7, 2026-03-01) and drives
`SqlPersistence` as the graph's nodes do; it reads the outcome back with plain SQL, so
a port that said it wrote what it did not cannot pass.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from agent.planner.place import Need
from agent.scheduler import JobKind
from agent.settings import PlannerSettings
from agent.sql_work import SqlPersistence
from agent.state import CaseReason, CaseStatus, Outcome
from agent.tables import CaseRow, DisruptionRow, JobRow
from agent.work import UnitOfWork
from airline.board import LiveBoard
from airline.models import Booking, Cabin, FlightStatus, Preferences, SegmentStatus
from airline.reservations import FlightClosedError, load_booking, load_customer, passengers_on
from airline.schedule import Schedule
from airline.tables import InventoryRow, LedgerRow, SeatHoldRow
from streams.events import TOPIC_AGENT_ACTIONS, TOPIC_NOTIFICATIONS
from tools.notifications import MessageKind
from tools.tables import OutboxRow
from travel_agent.db import Database

NOW = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
CANCELLED = "XA102/2026-03-01"  # FRA→LHR 08:20 UTC
LATER_DIRECT = "XA104/2026-03-01"  # FRA→LHR 13:30 UTC
FIELDS = {"flight": "XA102", "route": "FRA→LHR", "date": "2026-03-01", "itinerary": "XA104"}


class Boom(Exception):
    """An error in the middle of a unit of work."""


async def _reachable_passengers(db: Database) -> list[Booking]:
    """One-traveller economy bookings whose whole trip is CANCELLED, with a contact."""
    found = []
    async with db.session() as session:
        for pnr in await passengers_on(session, CANCELLED):
            booking = await load_booking(session, pnr)
            trip = [(s.flight_key, s.cabin) for s in booking.segments]
            customer = await load_customer(session, booking.customer_id)
            if trip == [(CANCELLED, Cabin.ECONOMY)] and booking.seats_needed == 1:
                if customer.channels:
                    found.append(booking)
    assert found, "the seeded world has reachable economy passengers on XA102"
    return found


async def _open_case(db: Database, booking: Booking, case_id: str) -> None:
    async with db.transaction() as session:
        if await session.get(DisruptionRow, "d-contract") is None:
            session.add(
                DisruptionRow(
                    id="d-contract",
                    flight_key=CANCELLED,
                    event_id="ev-contract",
                    kind="cancellation",
                    detail={},
                    detected_at=NOW,
                )
            )
            await session.flush()
        session.add(
            CaseRow(
                id=case_id,
                disruption_id="d-contract",
                pnr=booking.pnr,
                reason=CaseReason.CANCELLED.value,
                priority=0,
                status=CaseStatus.PENDING.value,
                outcome=None,
                created_at=NOW,
                updated_at=NOW,
            )
        )


async def _sold(db: Database, flight_key: str) -> int:
    async with db.session() as session:
        row = await session.get(InventoryRow, (flight_key, Cabin.ECONOMY.value))
        assert row is not None
        return row.sold


async def _seen(db: Database, case_id: str, key: str) -> dict[str, object]:
    """What the database holds of one case's unit of work."""
    async with db.session() as session:
        case = await session.get(CaseRow, case_id)
        assert case is not None
        return {
            "case": (case.status, case.outcome),
            "ledger": await session.scalar(
                select(func.count()).select_from(LedgerRow).where(LedgerRow.case_id == case_id)
            ),
            "events": await session.scalar(
                select(func.count())
                .select_from(OutboxRow)
                .where(
                    OutboxRow.topic == TOPIC_AGENT_ACTIONS,
                    OutboxRow.idempotency_key == f"event:{key}",
                )
            ),
            "messages": await session.scalar(
                select(func.count())
                .select_from(OutboxRow)
                .where(
                    OutboxRow.topic == TOPIC_NOTIFICATIONS,
                    OutboxRow.idempotency_key.startswith(f"notify:{case_id}"),
                )
            ),
            "jobs": await session.scalar(
                select(func.count()).select_from(JobRow).where(JobRow.key == f"recheck:{case_id}")
            ),
        }


async def _carry_out(work: UnitOfWork, booking: Booking, case_id: str, key: str) -> None:
    """What `act` does for a rebooking without a hold, through the unit of work's ports."""
    await work.ledger.read_ahead([key])
    assert not await work.ledger.done(key)
    await work.reservations.rebook(
        pnr=booking.pnr, replace_seqs=[1], new_flights=[LATER_DIRECT], cabin=Cabin.ECONOMY
    )
    detail = {"kind": "rebook", "flights": [LATER_DIRECT]}
    await work.ledger.record(
        key=key, case_id=case_id, action="rebook", pnr=booking.pnr, detail=detail, at=NOW
    )
    await work.outbox.announce(
        key=key, case_id=case_id, pnr=booking.pnr, action="rebook", detail=detail, at=NOW
    )
    assert await work.ledger.done(key)  # this transaction sees its own write
    customer = await work.reservations.load_customer(booking.customer_id)
    written = await work.outbox.enqueue_for_booking(
        idempotency_key=f"notify:{case_id}",
        case_id=case_id,
        booking=booking,
        contact=customer,
        kind=MessageKind.CANCELLED_REBOOKED,
        fields=FIELDS,
        at=NOW,
    )
    assert written == 1
    await work.cases.schedule_job(
        key=f"recheck:{case_id}", kind=JobKind.RECHECK, due_at=NOW, payload={"case_id": case_id}
    )
    await work.cases.close_case(case_id, Outcome.REBOOKED, NOW)


async def check_every_port_commits_with_the_others(db: Database) -> None:
    booking = (await _reachable_passengers(db))[0]
    await _open_case(db, booking, "c-commit")
    before = (await _sold(db, CANCELLED), await _sold(db, LATER_DIRECT))
    persistence = SqlPersistence(db)

    async with persistence.transaction() as work:
        await _carry_out(work, booking, "c-commit", "c-commit:rebook:v1")

    assert await _seen(db, "c-commit", "c-commit:rebook:v1") == {
        "case": (CaseStatus.DONE.value, Outcome.REBOOKED.value),
        "ledger": 2,  # the rebooking and the message (each sent once)
        "events": 1,
        "messages": 1,
        "jobs": 1,
    }
    assert (await _sold(db, CANCELLED), await _sold(db, LATER_DIRECT)) == (
        before[0] - 1,
        before[1] + 1,
    )
    async with persistence.reading() as work:
        moved = await work.reservations.load_booking(booking.pnr)
        assert [s.flight_key for s in moved.active_segments] == [LATER_DIRECT]
        assert await work.ledger.done("c-commit:rebook:v1")
        assert await work.ledger.details_under("c-commit:rebook") == [
            {"kind": "rebook", "flights": [LATER_DIRECT]}
        ]


async def check_an_error_rolls_every_port_back(db: Database) -> None:
    booking = (await _reachable_passengers(db))[0]
    await _open_case(db, booking, "c-boom")
    before = (await _sold(db, CANCELLED), await _sold(db, LATER_DIRECT))

    with pytest.raises(Boom):
        async with SqlPersistence(db).transaction() as work:
            await _carry_out(work, booking, "c-boom", "c-boom:rebook:v1")
            raise Boom

    assert await _seen(db, "c-boom", "c-boom:rebook:v1") == {
        "case": (CaseStatus.PENDING.value, None),
        "ledger": 0,
        "events": 0,
        "messages": 0,
        "jobs": 0,
    }
    assert (await _sold(db, CANCELLED), await _sold(db, LATER_DIRECT)) == before
    async with db.session() as session:
        unmoved = await load_booking(session, booking.pnr)
    assert [(s.flight_key, s.status) for s in unmoved.segments] == [
        (CANCELLED, SegmentStatus.ACTIVE)
    ]


async def check_an_effect_key_is_recorded_once(db: Database) -> None:
    """A second record under a used key fails its unit of work, and nothing of that unit
    (here, its event) is kept."""
    booking = (await _reachable_passengers(db))[0]
    persistence = SqlPersistence(db)
    detail = {"kind": "care", "items": ["meals"]}
    record = {"case_id": "c-once", "pnr": booking.pnr, "detail": detail, "at": NOW}
    async with persistence.transaction() as work:
        await work.ledger.record(key="c-once:care:meals", action="care", **record)

    with pytest.raises(IntegrityError):
        async with persistence.transaction() as work:
            await work.outbox.announce(key="c-once:again", action="care", **record)
            await work.ledger.record(key="c-once:care:meals", action="care", **record)

    async with persistence.reading() as work:
        await work.ledger.read_ahead(["c-once:care:meals", "c-once:other"])
        assert await work.ledger.done("c-once:care:meals")
        assert not await work.ledger.done("c-once:other")
        assert await work.ledger.details_under("c-once:care:") == [detail]
    async with db.session() as session:
        assert not await session.scalar(
            select(func.count())
            .select_from(OutboxRow)
            .where(OutboxRow.idempotency_key == "event:c-once:again")
        )


async def _cancelled_board(db: Database) -> tuple[Schedule, LiveBoard]:
    schedule = await Schedule.load(db)
    board = LiveBoard()
    await board.load(db)
    state = board.get(CANCELLED)
    assert state is not None
    cancelled = state.model_copy(
        update={"status": FlightStatus.CANCELLED, "event_id": "ev-contract", "emitted_at": NOW}
    )
    async with db.transaction() as session:
        await board.apply(session, cancelled)
    return schedule, board


async def check_the_planner_holds_what_act_confirms(db: Database) -> None:
    """`place` plans against live seats and holds them; `confirm_hold` moves the booking
    onto them, taking no seat twice; a case's other holds go back."""
    schedule, board = await _cancelled_board(db)
    first, second = (await _reachable_passengers(db))[:2]
    persistence = SqlPersistence(db)
    need = Need("c-placed", first.pnr, CaseReason.CANCELLED, CANCELLED, Preferences())
    async with persistence.transaction() as work:
        placed = await work.place(schedule, board, [need], PlannerSettings(), now=NOW)
    assignment = placed.assignments["c-placed"]
    assert assignment.hold_id is not None and assignment.flights
    held = {key: await _sold(db, key) for key in assignment.flights}

    async with persistence.transaction() as work:
        await work.reservations.confirm_hold(
            key="c-placed:rebook:v1",
            case_id="c-placed",
            hold_id=assignment.hold_id,
            replace_seqs=[1],
            now=NOW,
        )
        assert await work.reservations.release_case_holds("c-placed", NOW) == []

    assert {key: await _sold(db, key) for key in assignment.flights} == held
    async with persistence.reading() as work:
        moved = await work.reservations.load_booking(first.pnr)
        assert [s.flight_key for s in moved.active_segments] == assignment.flights
        assert await work.ledger.done("c-placed:rebook:v1")

    other = Need("c-other", second.pnr, CaseReason.CANCELLED, CANCELLED, Preferences())
    async with persistence.transaction() as work:
        kept = (await work.place(schedule, board, [other], PlannerSettings(), now=NOW)).assignments
    assert kept["c-other"].hold_id is not None
    taken = {key: await _sold(db, key) for key in kept["c-other"].flights}
    async with persistence.transaction() as work:
        assert await work.reservations.release_case_holds("c-other", NOW) == [
            kept["c-other"].hold_id
        ]
    assert {key: await _sold(db, key) for key in kept["c-other"].flights} == {
        key: sold - 1 for key, sold in taken.items()
    }


async def check_concurrent_plans_never_oversell(db: Database) -> None:
    """Units of work planning at once onto a flight with few seats left: every plan holds
    seats that exist (the adapter reads them locked on PostgreSQL), none fails on a seat
    another took, and no flight is sold beyond its capacity."""
    schedule, board = await _cancelled_board(db)
    passengers = (await _reachable_passengers(db))[:6]
    async with db.transaction() as session:
        rows = (await session.scalars(select(InventoryRow))).all()
        for row in rows:  # two seats left everywhere: the plans contend
            row.sold = max(row.sold, row.capacity - 2)
    persistence = SqlPersistence(db)

    async def plan(i: int, booking: Booking) -> list[str]:
        need = Need(f"c-race-{i}", booking.pnr, CaseReason.CANCELLED, CANCELLED, Preferences())
        async with persistence.transaction() as work:
            placed = await work.place(schedule, board, [need], PlannerSettings(), now=NOW)
        return placed.assignments[need.case_id].flights

    plans = await asyncio.gather(*(plan(i, b) for i, b in enumerate(passengers)))
    async with db.session() as session:
        over = await session.scalar(
            select(func.count())
            .select_from(InventoryRow)
            .where(InventoryRow.sold > InventoryRow.capacity)
        )
        holds = await session.scalar(select(func.count()).select_from(SeatHoldRow))
    assert over == 0
    assert holds == sum(1 for flights in plans if flights)
    assert any(plans), "some plan found a seat"


async def _closed_elsewhere(db: Database, flight_key: str) -> None:
    """Another daemon, with a board of its own, commits `flight_key`'s cancellation."""
    theirs = LiveBoard()
    await theirs.load(db)
    state = theirs.get(flight_key)
    assert state is not None
    cancelled = state.model_copy(
        update={"status": FlightStatus.CANCELLED, "event_id": "ev-elsewhere", "emitted_at": NOW}
    )
    async with db.transaction() as session:
        assert await theirs.apply(session, cancelled) is not None


async def check_a_flight_closed_after_the_hold_is_refused(db: Database) -> None:
    """Another daemon commits the cancellation of a flight after this one held seats on
    it: confirming the hold is refused (the booking stays where it was), and so is a
    rebooking onto it; planning the case again, on the same stale board, leaves the
    flight out and the board knows of it."""
    schedule, board = await _cancelled_board(db)
    booking = (await _reachable_passengers(db))[0]
    persistence = SqlPersistence(db)
    need = Need("c-closed", booking.pnr, CaseReason.CANCELLED, CANCELLED, Preferences())
    async with persistence.transaction() as work:
        placed = await work.place(schedule, board, [need], PlannerSettings(), now=NOW)
    assignment = placed.assignments["c-closed"]
    assert assignment.hold_id is not None and assignment.flights
    closed = assignment.flights[0]
    await _closed_elsewhere(db, closed)
    stale = board.get(closed)
    assert stale is not None and stale.flyable, "this daemon has not heard of it"

    with pytest.raises(FlightClosedError) as refused:
        async with persistence.transaction() as work:
            await work.reservations.confirm_hold(
                key="c-closed:rebook:v1",
                case_id="c-closed",
                hold_id=assignment.hold_id,
                replace_seqs=[1],
                now=NOW,
            )
    assert refused.value.flight_key == closed
    still_open = next(key for key in sorted(schedule.flights) if key not in (closed, CANCELLED))
    async with persistence.reading() as work:
        await work.reservations.refuse_closed_flights([still_open])
        with pytest.raises(FlightClosedError):
            await work.reservations.refuse_closed_flights([still_open, closed])
    with pytest.raises(FlightClosedError):
        async with persistence.transaction() as work:
            await work.reservations.rebook(
                pnr=booking.pnr, replace_seqs=[1], new_flights=[closed], cabin=Cabin.ECONOMY
            )
    async with persistence.reading() as work:
        unmoved = await work.reservations.load_booking(booking.pnr)
        assert [s.flight_key for s in unmoved.active_segments] == [CANCELLED]
        assert not await work.ledger.done("c-closed:rebook:v1")

    again = Need("c-closed", booking.pnr, CaseReason.CANCELLED, CANCELLED, Preferences())
    async with persistence.transaction() as work:
        await work.reservations.release_case_holds("c-closed", NOW)
        replaced = await work.place(
            schedule, board, [again], PlannerSettings(), now=NOW, generation="r0a1"
        )
    flights = replaced.assignments["c-closed"].flights
    assert flights and closed not in flights
    known = board.get(closed)
    assert known is not None and known.status == FlightStatus.CANCELLED


async def _told_twice(work: UnitOfWork, booking: Booking, case_id: str) -> None:
    """Two messages about the cancelled flight, the second a minute later and other news."""
    customer = await work.reservations.load_customer(booking.customer_id)
    for n, itinerary in enumerate(["XA104", "XA106"]):
        await work.outbox.enqueue_for_booking(
            idempotency_key=f"notify:{case_id}:{n}",
            case_id=case_id,
            booking=booking,
            contact=customer,
            kind=MessageKind.CANCELLED_REBOOKED,
            fields=FIELDS | {"itinerary": itinerary},
            at=NOW + timedelta(minutes=n),
            about=CANCELLED,
        )


async def _messages(db: Database, case_id: str) -> list[tuple[str, str, list[str]]]:
    async with db.session() as session:
        rows = await session.scalars(
            select(OutboxRow)
            .where(OutboxRow.idempotency_key.startswith(f"notify:{case_id}:"))
            .order_by(OutboxRow.id)
        )
        prefix = f"notify:{case_id}:"
        return [
            (
                r.idempotency_key.removeprefix(prefix),
                r.status,
                [k.removeprefix(prefix) for k in r.payload["meta"]["supersedes"]],
            )
            for r in rows
        ]


async def check_a_batch_ends_as_its_transactions_would(db: Database) -> None:
    """A batch (`Persistence.batch`) holds its writes back until it ends, and what it
    reads meanwhile sees them: a key it recorded is done, care it gave is given, a
    message it wrote is superseded by its newer one. It ends with the rows one
    transaction per write would have left."""
    first, second = (await _reachable_passengers(db))[:2]
    persistence = SqlPersistence(db)
    async with persistence.transaction() as work:
        await _told_twice(work, first, "c-alone")
    care = {"kind": "care", "items": ["meals"]}
    async with persistence.batch() as work:
        await work.ledger.read_ahead_under([f"{second.pnr}:j1:care:"])
        await work.ledger.read_ahead(["c-batch:care"])
        await work.ledger.record(
            key=f"{second.pnr}:j1:care:meals",
            case_id="c-batch",
            action="care",
            pnr=second.pnr,
            detail=care,
            at=NOW,
        )
        assert await work.ledger.done(f"{second.pnr}:j1:care:meals")
        assert await work.ledger.details_under(f"{second.pnr}:j1:care:") == [care]
        assert await work.ledger.details_under(f"{second.pnr}:j1:") == [care]  # not read ahead
        await work.outbox.read_ahead([second.pnr])
        await _told_twice(work, second, "c-batch")
        async with db.session() as session:  # nothing written yet
            assert not await session.scalar(
                select(func.count()).select_from(LedgerRow).where(LedgerRow.case_id == "c-batch")
            )
    alone = await _messages(db, "c-alone")
    assert alone == [("0", "superseded", []), ("1", "pending", ["0"])]
    assert await _messages(db, "c-batch") == alone
    async with persistence.reading() as work:
        assert await work.ledger.details_under(f"{second.pnr}:j1:care:") == [care]


async def check_a_batch_writes_many_cases_in_a_few_statements(db: Database) -> None:
    """The writes of a batch's cases (ledger rows, events, messages, closings) go in a
    few statements for all of them: two cases cost what one does. A key used twice in
    it fails the whole batch, and none of its rows is kept."""
    bookings = (await _reachable_passengers(db))[:3]
    for n, booking in enumerate(bookings):
        await _open_case(db, booking, f"c-many-{n}")
    persistence = SqlPersistence(db)
    statements: list[str] = []

    def counted(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    async def settle(cases: list[tuple[int, Booking]]) -> int:
        statements.clear()
        event.listen(db.engine.sync_engine, "before_cursor_execute", counted)
        try:
            async with persistence.batch() as work:
                customers = {
                    b.pnr: await work.reservations.load_customer(b.customer_id) for _, b in cases
                }
                await work.ledger.read_ahead(f"notify:c-many-{n}" for n, _ in cases)
                for n, booking in cases:
                    case_id, detail = f"c-many-{n}", {"kind": "care", "items": ["meals"]}
                    await work.ledger.record(
                        key=f"{case_id}:care",
                        case_id=case_id,
                        action="care",
                        pnr=booking.pnr,
                        detail=detail,
                        at=NOW,
                    )
                    await work.outbox.announce(
                        key=f"{case_id}:care",
                        case_id=case_id,
                        pnr=booking.pnr,
                        action="care",
                        detail=detail,
                        at=NOW,
                    )
                    await work.outbox.enqueue_for_booking(
                        idempotency_key=f"notify:{case_id}",
                        case_id=case_id,
                        booking=booking,
                        contact=customers[booking.pnr],
                        kind=MessageKind.CANCELLED_REBOOKED,
                        fields=FIELDS,
                        at=NOW,
                    )
                    await work.cases.close_case(case_id, Outcome.NOTIFIED, NOW)
                statements.clear()  # the writes from here on
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", counted)
        return sum(1 for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE")))

    one = await settle([(0, bookings[0])])
    two = await settle(list(enumerate(bookings))[1:])
    assert two == one, f"two cases took {two} write statements, one took {one}"
    async with db.session() as session:
        closed = await session.scalar(
            select(func.count()).select_from(CaseRow).where(CaseRow.status == CaseStatus.DONE.value)
        )
        rows = await session.scalar(
            select(func.count())
            .select_from(LedgerRow)
            .where(LedgerRow.case_id.startswith("c-many-"))
        )
    assert (closed, rows) == (3, 6)  # each case: its care and its message

    with pytest.raises(IntegrityError):
        async with persistence.batch() as work:
            detail = {"kind": "care", "items": ["hotel"]}
            for case_id in ("c-many-x", "c-many-y"):
                await work.outbox.announce(
                    key=f"{case_id}:hotel",
                    case_id=case_id,
                    pnr=bookings[0].pnr,
                    action="care",
                    detail=detail,
                    at=NOW,
                )
            await work.ledger.record(
                key="c-many-0:care",
                case_id="c-many-x",
                action="care",
                pnr=bookings[0].pnr,
                detail=detail,
                at=NOW,
            )
    async with db.session() as session:
        assert not await session.scalar(
            select(func.count())
            .select_from(OutboxRow)
            .where(OutboxRow.idempotency_key.endswith(":hotel"))
        )


CHECKS: list[Callable[[Database], Awaitable[None]]] = [
    check_every_port_commits_with_the_others,
    check_an_error_rolls_every_port_back,
    check_an_effect_key_is_recorded_once,
    check_the_planner_holds_what_act_confirms,
    check_concurrent_plans_never_oversell,
    check_a_flight_closed_after_the_hold_is_refused,
    check_a_batch_ends_as_its_transactions_would,
    check_a_batch_writes_many_cases_in_a_few_statements,
]
"""The contract, in the order a reader would check it."""
