"""The live board: what a new state changed, and that only news changes the board."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from airline.board import ChangeKind, FlightState, LiveBoard, classify
from airline.models import FlightStatus
from travel_agent.db import Database

DEP = datetime(2026, 3, 1, 8, 20, tzinfo=UTC)
ARR = datetime(2026, 3, 1, 9, 35, tzinfo=UTC)


def state(**changes: Any) -> FlightState:
    base: dict[str, Any] = {
        "flight_key": "XA102/2026-03-01",
        "status": FlightStatus.SCHEDULED,
        "est_dep": DEP,
        "est_arr": ARR,
        "gate": "A1",
        "event_id": "ev-0",
        "emitted_at": DEP - timedelta(hours=3),
    }
    return FlightState(**(base | changes))


def later(previous: FlightState, minutes: int = 5, **changes: Any) -> FlightState:
    """A newer state of the same flight, shifted by `minutes` unless times are given."""
    shift = timedelta(minutes=minutes)
    return previous.model_copy(
        update={
            "est_dep": previous.est_dep + shift,
            "est_arr": previous.est_arr + shift,
            "event_id": previous.event_id + "+",
            "emitted_at": previous.emitted_at + timedelta(minutes=1),
        }
        | changes
    )


@pytest.mark.parametrize(
    ("previous", "current", "kind"),
    [
        (state(), later(state(), 0, status=FlightStatus.CANCELLED), ChangeKind.CANCELLATION),
        (
            state(),
            later(state(), 0, status=FlightStatus.DIVERTED, diverted_to="CGN"),
            ChangeKind.DIVERSION,
        ),
        (state(), later(state(), 15, status=FlightStatus.DELAYED), ChangeKind.DELAY),
        (state(), later(state(), 120, status=FlightStatus.DELAYED), ChangeKind.DELAY),
        (
            state(est_dep=DEP + timedelta(hours=1), est_arr=ARR + timedelta(hours=1)),
            later(state(), 10, status=FlightStatus.DELAYED),
            ChangeKind.RECOVERY,
        ),
        (
            state(),
            later(state(), 0, status=FlightStatus.GATE_CHANGE, gate="B7"),
            ChangeKind.GATE_CHANGE,
        ),
        (state(), later(state(), 14, status=FlightStatus.DELAYED), ChangeKind.PROGRESS),
        (state(), later(state(), -10), ChangeKind.PROGRESS),
        (state(), later(state(), 0, status=FlightStatus.DEPARTED), ChangeKind.PROGRESS),
    ],
    ids=[
        "cancelled",
        "diverted",
        "delay-15min",
        "delay-2h",
        "recovered",
        "gate",
        "14min-is-noise",
        "10min-early-is-noise",
        "departed",
    ],
)
def test_classify(previous: FlightState, current: FlightState, kind: ChangeKind) -> None:
    assert classify(previous, current) == kind


def test_a_repeated_cancellation_is_not_a_new_cancellation() -> None:
    cancelled = later(state(), 0, status=FlightStatus.CANCELLED)
    assert classify(cancelled, later(cancelled, 0)) == ChangeKind.PROGRESS


def test_a_diversion_to_another_airport_is_a_new_diversion() -> None:
    # gen-s131-w21: XU109 diverted to ATL, then to MIA; read as progress, the passengers
    # set down at MIA kept ATL's "no alternative" while MIA's next flight home had seats.
    to_atl = later(state(), 0, status=FlightStatus.DIVERTED, diverted_to="ATL")
    assert classify(to_atl, later(to_atl, 0, diverted_to="MIA")) == ChangeKind.DIVERSION
    assert classify(to_atl, later(to_atl, 0)) == ChangeKind.PROGRESS  # the same airport
    assert classify(to_atl, later(to_atl, 0, diverted_to=None)) == ChangeKind.PROGRESS


def test_a_delay_wins_over_the_gate_change_announced_with_it() -> None:
    assert classify(state(), later(state(), 45, gate="C3")) == ChangeKind.DELAY


# --- the board on the seeded world ------------------------------------------------------


@pytest.fixture
async def db(world_path: Path) -> AsyncIterator[Database]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as database:
        yield database


@pytest.fixture
async def board(db: Database) -> LiveBoard:
    live = LiveBoard()
    await live.load(db)
    return live


async def fresh_board(db: Database) -> LiveBoard:
    """What a restarted daemon would see."""
    reloaded = LiveBoard()
    await reloaded.load(db)
    return reloaded


def some_flight(board: LiveBoard) -> FlightState:
    found = board.get("XA102/2026-03-01")
    assert found is not None, "the seeded world has XA102"
    return found


async def test_the_seeded_board_knows_every_flight_as_scheduled(board: LiveBoard) -> None:
    assert len(board) > 200
    seeded = some_flight(board)
    assert seeded.status == FlightStatus.SCHEDULED
    assert seeded.flyable
    assert "XZ1/2026-03-01" not in board


async def test_apply_persists_the_new_state(db: Database, board: LiveBoard) -> None:
    seeded = some_flight(board)
    cancelled = later(seeded, 0, status=FlightStatus.CANCELLED, reason="technical")
    async with db.transaction() as session:
        change = await board.apply(session, cancelled)
    assert change is not None
    assert change.kind == ChangeKind.CANCELLATION
    assert change.previous == seeded
    assert board.get(seeded.flight_key) == cancelled

    restarted = await fresh_board(db)
    assert restarted.get(seeded.flight_key) == cancelled
    assert not restarted.get(seeded.flight_key).flyable  # type: ignore[union-attr]


async def test_a_delay_is_persisted_with_its_new_times_and_gate(
    db: Database, board: LiveBoard
) -> None:
    seeded = some_flight(board)
    delayed = later(seeded, 50, status=FlightStatus.DELAYED, gate="B12", reason="atc")
    async with db.transaction() as session:
        change = await board.apply(session, delayed)
    assert change is not None and change.kind == ChangeKind.DELAY
    assert change.shift == timedelta(minutes=50)
    assert (await fresh_board(db)).get(seeded.flight_key) == delayed


@pytest.mark.parametrize("age", [timedelta(minutes=1), timedelta(0)], ids=["older", "same-time"])
async def test_a_stale_state_changes_nothing(
    db: Database, board: LiveBoard, age: timedelta
) -> None:
    seeded = some_flight(board)
    delayed = later(seeded, 60, status=FlightStatus.DELAYED)
    async with db.transaction() as session:
        assert await board.apply(session, delayed) is not None

    stale = delayed.model_copy(
        update={
            "status": FlightStatus.CANCELLED,
            "event_id": "ev-out-of-order",
            "emitted_at": delayed.emitted_at - age,
        }
    )
    async with db.transaction() as session:
        assert await board.apply(session, stale) is None
    assert board.get(seeded.flight_key) == delayed
    assert (await fresh_board(db)).get(seeded.flight_key) == delayed


async def test_a_repeated_event_id_changes_nothing(db: Database, board: LiveBoard) -> None:
    seeded = some_flight(board)
    delayed = later(seeded, 60, status=FlightStatus.DELAYED)
    async with db.transaction() as session:
        assert await board.apply(session, delayed) is not None
        assert await board.apply(session, delayed) is None
        # The same event redelivered with a later stamp is still the same event.
        replayed = later(delayed, 30, event_id=delayed.event_id)
        assert await board.apply(session, replayed) is None
    assert (await fresh_board(db)).get(seeded.flight_key) == delayed


async def test_reload_undoes_a_state_whose_transaction_failed(
    db: Database, board: LiveBoard
) -> None:
    seeded = some_flight(board)
    cancelled = later(seeded, 0, status=FlightStatus.CANCELLED)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await board.apply(session, cancelled)
            raise RuntimeError("the disruption could not be written")
    await board.reload(db, seeded.flight_key)
    assert board.get(seeded.flight_key) == seeded


async def test_refresh_takes_what_another_daemon_committed_and_keeps_what_is_newer_here(
    db: Database, board: LiveBoard
) -> None:
    """Two daemons read different partitions: each board is stale for the other's
    flights. A takeover refreshes first, or it tells a passenger a gate it never knew."""
    other = await fresh_board(db)
    seeded = some_flight(board)
    moved = later(seeded, 40, status=FlightStatus.GATE_CHANGE, gate="C9")
    async with db.transaction() as session:
        assert await other.apply(session, moved) is not None
    assert board.get(seeded.flight_key) == seeded  # the other daemon's news is not here yet

    assert await board.refresh(db) == 1
    assert board.get(seeded.flight_key) == moved
    assert await board.refresh(db) == 0  # nothing newer the second time

    # A state applied here and not yet saved is newer than the committed one: kept.
    newer = later(moved, 30, status=FlightStatus.DELAYED)
    assert board.apply_in_memory(newer) is not None
    assert await board.refresh(db) == 0
    assert board.get(seeded.flight_key) == newer
    assert seeded.flight_key in board.unsaved


async def test_a_state_for_an_unknown_flight_is_refused(db: Database, board: LiveBoard) -> None:
    async with db.transaction() as session:
        with pytest.raises(KeyError):
            await board.apply(session, state(flight_key="XZ1/2026-03-01"))


async def test_a_heartbeat_restates_the_held_state_and_is_saved_like_any_other(
    db: Database, board: LiveBoard
) -> None:
    seeded = some_flight(board)
    beat = seeded.emitted_at + timedelta(minutes=5)

    def news(event_id: str, emitted_at: datetime, **changes: Any) -> FlightState:
        return seeded.model_copy(update={"event_id": event_id, "emitted_at": emitted_at} | changes)

    assert board.restate(seeded.flight_key, news("ev-beat", beat))
    restated = board.get(seeded.flight_key)
    assert restated == seeded.model_copy(update={"event_id": "ev-beat", "emitted_at": beat})
    # What apply_in_memory would have made of it: the same state, as PROGRESS.
    assert classify(seeded, restated) == ChangeKind.PROGRESS  # type: ignore[arg-type]

    # Stale or repeated, it changes nothing; read or not in between.
    assert board.restate(seeded.flight_key, news("ev-beat-2", beat + timedelta(minutes=1)))
    assert not board.restate(seeded.flight_key, news("ev-beat-2", beat + timedelta(minutes=2)))
    assert not board.restate(seeded.flight_key, news("ev-older", beat - timedelta(seconds=1)))
    assert not board.restate(seeded.flight_key, news("ev-same-time", beat + timedelta(minutes=1)))
    restated = board.get(seeded.flight_key)
    assert restated == seeded.model_copy(
        update={"event_id": "ev-beat-2", "emitted_at": beat + timedelta(minutes=1)}
    )
    # Anything else it says is `advance()`'s to judge; a flight it does not hold, an error.
    assert (
        board.restate(seeded.flight_key, news("ev-gate", beat + timedelta(minutes=9), gate="Z9"))
        is None
    )
    assert board.get(seeded.flight_key) == restated
    # One that leaves out the gate the board holds restates it: it does not know it.
    gated = seeded.model_copy(update={"gate": "A7", "event_id": "ev-a7", "emitted_at": beat})
    other = LiveBoard()
    await other.load(db)
    assert other.advance(gated) is not None
    assert other.restate(
        seeded.flight_key, news("ev-no-gate", beat + timedelta(minutes=1), gate=None)
    )
    kept = other.get(seeded.flight_key)
    assert kept is not None and kept.gate == "A7" and kept.event_id == "ev-no-gate"
    with pytest.raises(KeyError):
        board.restate("XZ1/2026-03-01", news("ev-x", beat))

    # It waits in `unsaved` until a checkpoint writes it, as a restarted daemon then sees.
    unsaved = board.unsaved
    assert unsaved == {seeded.flight_key: restated}
    async with db.transaction() as session:
        await board.save(session, unsaved)
    board.saved(unsaved)
    assert not board.unsaved
    assert (await fresh_board(db)).get(seeded.flight_key) == restated
    # A newer state is still news after it.
    delayed = later(restated, 30, status=FlightStatus.DELAYED)
    assert board.apply_in_memory(delayed) is not None


async def test_a_heartbeat_taken_while_a_save_is_in_flight_is_saved_by_the_next(
    db: Database, board: LiveBoard
) -> None:
    seeded = some_flight(board)
    first = seeded.model_copy(
        update={"event_id": "ev-1", "emitted_at": seeded.emitted_at + timedelta(minutes=1)}
    )
    second = seeded.model_copy(
        update={"event_id": "ev-2", "emitted_at": seeded.emitted_at + timedelta(minutes=2)}
    )
    assert board.restate(seeded.flight_key, first)
    unsaved = board.unsaved
    assert unsaved == {seeded.flight_key: first}
    async with db.transaction() as session:
        await board.save(session, unsaved)
        assert board.restate(seeded.flight_key, second)  # while the write is in flight
    board.saved(unsaved)
    assert board.unsaved == {seeded.flight_key: second}
