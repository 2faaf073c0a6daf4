"""The live flight board: the latest known state of every flight, as the stream left it.

The board is kept in memory for fast reads (alternatives search reads it for every case)
and written through to the `board` table in the caller's transaction, so a restarted
daemon knows which flights are cancelled and the write commits together with the
disruption and cases it opened. `apply()` returns the material change an event made;
stale and repeated states change nothing.

A state that changes nothing material need not cost a transaction of its own:
`apply_in_memory()` takes it into memory only, and the next `save()` writes every such
state at once (the caller commits a stream offset only after that write).

Why it is long: the board's states, the classification of a new state against the held
one (`classify`, re-diversions included) and the live board that applies them are read
together by everyone who asks "what changed": split, `classify` would be a module of one
function importing every type of the other.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from airline.models import FlightStatus
from airline.tables import BoardRow
from airline.trusted import all_fields, trusted
from travel_agent.db import Database

# A move of the estimate smaller than this is noise, not news for a passenger.
MATERIAL_SHIFT = timedelta(minutes=15)

SCHEDULE_ONLY = ""
"""The event id of a board state no event has set yet (the seeded schedule). Such a
state is not an accepted event: staleness is judged only against accepted events, so
any event is newer than it however early it was emitted (news of a flight weeks ahead).
No event can carry this id: the schema requires at least one character."""


UNBOARDABLE = frozenset(
    {FlightStatus.CANCELLED, FlightStatus.DIVERTED, FlightStatus.DEPARTED, FlightStatus.ARRIVED}
)
"""The statuses in which nobody can be put on a flight any more (`FlightState.flyable`)."""


class FlightState(BaseModel):
    """One flight as the board knows it."""

    model_config = ConfigDict(frozen=True)

    flight_key: str
    status: FlightStatus
    est_dep: datetime
    est_arr: datetime
    gate: str | None = None
    reason: str | None = None
    diverted_to: str | None = None
    event_id: str
    emitted_at: datetime

    def restated(self, event_id: str, emitted_at: datetime) -> FlightState:
        """The same state, as a newer event restates it (a heartbeat): only its event id
        and emission time are new, so nothing is validated again."""
        values = self.__dict__.copy()
        values["event_id"] = event_id
        values["emitted_at"] = emitted_at
        return trusted(FlightState, values, _STATE_FIELDS)

    @property
    def flyable(self) -> bool:
        """Can a passenger still be put on this flight (as far as its status goes)?"""
        return self.status not in UNBOARDABLE

    @property
    def left_before_news(self) -> bool:
        """Had the flight left when this news of it was written? Its record says so
        (departed, arrived), or a flight still flying by its status was emitted no
        earlier than the departure it states. Its passengers hear of it in the air or
        after landing: a departure time is no news for them, the arrival is."""
        if self.status in (FlightStatus.DEPARTED, FlightStatus.ARRIVED):
            return True
        return self.flyable and self.est_dep <= self.emitted_at


_STATE_FIELDS = all_fields(FlightState)


class ChangeKind(StrEnum):
    CANCELLATION = "cancellation"
    DIVERSION = "diversion"
    DELAY = "delay"
    RECOVERY = "recovery"
    """An earlier delay was undone (the flight leaves sooner than last announced)."""
    GATE_CHANGE = "gate_change"
    PROGRESS = "progress"
    """Departed, arrived, or a shift too small to matter."""
    REINSTATEMENT = "reinstatement"
    """A cancelled or diverted flight is back on the board as operating."""
    ARRIVED_LATE = "arrived_late"
    """Landed long enough after schedule to owe compensation (set by triage, which knows
    the schedule; `classify` reports such an arrival as progress)."""


class Change(BaseModel):
    """What an applied state changed, compared with what the board held before."""

    flight_key: str
    kind: ChangeKind
    previous: FlightState
    current: FlightState

    @property
    def shift(self) -> timedelta:
        """How far the estimated departure moved with this change."""
        return self.current.est_dep - self.previous.est_dep


# A cancelled flight back in one of these states operates after all.
_OPERATING = frozenset({FlightStatus.SCHEDULED, FlightStatus.DELAYED, FlightStatus.GATE_CHANGE})


def classify(previous: FlightState, current: FlightState) -> ChangeKind:
    """The kind of change from `previous` to `current` (pure; the heart of triage)."""
    if current.status != previous.status:
        if current.status == FlightStatus.CANCELLED:
            return ChangeKind.CANCELLATION
        if current.status == FlightStatus.DIVERTED:
            return ChangeKind.DIVERSION
        if previous.status == FlightStatus.CANCELLED and current.status in _OPERATING:
            return ChangeKind.REINSTATEMENT
    elif is_rediverted(previous, current):
        return ChangeKind.DIVERSION
    shift = current.est_dep - previous.est_dep
    if shift >= MATERIAL_SHIFT:
        return ChangeKind.DELAY
    if -shift >= MATERIAL_SHIFT:
        return ChangeKind.RECOVERY
    if current.gate and current.gate != previous.gate:
        return ChangeKind.GATE_CHANGE
    return ChangeKind.PROGRESS


def is_rediverted(previous: FlightState, current: FlightState) -> bool:
    """A diverted flight now lands at another airport than the one last announced: its
    passengers are put down somewhere else, so the alternatives found from the first
    airport are no longer theirs and they are to be placed again. (A record that names
    no airport tells nothing new of where.)"""
    return (
        previous.status == current.status == FlightStatus.DIVERTED
        and current.diverted_to is not None
        and current.diverted_to != previous.diverted_to
    )


class Restatement(Protocol):
    """What a state says of a flight: `FlightState`, or a status event of the flight."""

    @property
    def status(self) -> FlightStatus: ...
    @property
    def est_dep(self) -> datetime: ...
    @property
    def est_arr(self) -> datetime: ...
    @property
    def gate(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def diverted_to(self) -> str | None: ...
    @property
    def event_id(self) -> str: ...
    @property
    def emitted_at(self) -> datetime: ...


class LiveBoard:
    """The latest state of each flight. Load once with `load()`, then feed with `apply()`.

    Heartbeats (`restate()`) are the commonest input by far, and all they change is the
    event id and emission time. They are kept as that pair (`_beats`) and folded into a
    new `FlightState` only when someone reads the flight, advances it or saves the board:
    building a state per heartbeat was a tenth of a stream daemon's time.
    """

    def __init__(self) -> None:
        self._states: dict[str, FlightState] = {}
        self._unsaved: dict[str, FlightState] = {}
        # Per flight: the newest restatement (event id, emitted at) not yet in `_states`;
        # unsaved as well, until folded in (then `_unsaved` holds the state).
        self._beats: dict[str, tuple[str, datetime]] = {}

    async def load(self, db: Database) -> None:
        async with db.session() as session:
            rows = (await session.scalars(select(BoardRow))).all()
        self._states = {row.flight_key: _state_of(row) for row in rows}
        self._unsaved.clear()
        self._beats.clear()

    def __contains__(self, flight_key: object) -> bool:
        return flight_key in self._states

    def __len__(self) -> int:
        return len(self._states)

    def get(self, flight_key: str) -> FlightState | None:
        if self._beats and flight_key in self._beats:
            self._fold(flight_key)
        return self._states.get(flight_key)

    async def apply(self, session: AsyncSession, state: FlightState) -> Change | None:
        """Write `state` through `session` and return its change, or None when stale.

        A state is stale when the board already holds an accepted event emitted at the
        same time or later for that flight — repeated events and out-of-order arrivals
        land here. (The seeded schedule is no event: see `SCHEDULE_ONLY`.)
        The in-memory copy is updated at once; if the caller's transaction then fails,
        it must call `reload()` for the flight.
        """
        change = self.apply_in_memory(state)
        if change is not None:
            await self.save(session, {state.flight_key: state})
            del self._unsaved[state.flight_key]  # the caller's transaction has it now
        return change

    def apply_in_memory(self, state: FlightState) -> Change | None:
        """`apply()` without the write: the state waits in `unsaved` for `save()`."""
        step = self.advance(state)
        if step is None:
            return None
        previous, kind, current = step
        return Change(flight_key=state.flight_key, kind=kind, previous=previous, current=current)

    def advance(self, state: FlightState) -> tuple[FlightState, ChangeKind, FlightState] | None:
        """`apply_in_memory()` without building the `Change`: the state it replaced, the
        kind of change and the state now held, or None when stale. For a stream's hot
        path, where most states change nothing material and their `Change` would be
        thrown away.

        A state that names no gate keeps the gate the board knows: a feed that leaves
        the gate out does not know it (the schema's ``gate`` is optional), it has not
        cleared it; taken as None, the next state naming the same gate again would read
        as a gate change and the passengers be told their gate "is now" the one they
        had. So the state held (and returned) is `state` with the known gate.
        """
        key = state.flight_key
        previous = self.get(key)
        if previous is None:
            raise KeyError(key)
        if previous.event_id != SCHEDULE_ONLY and (
            state.emitted_at <= previous.emitted_at or state.event_id == previous.event_id
        ):
            return None
        if state.gate is None and previous.gate is not None:
            values = state.__dict__.copy()
            values["gate"] = previous.gate
            state = trusted(FlightState, values, _STATE_FIELDS)
        self._states[key] = state
        self._unsaved[key] = state
        return previous, classify(previous, state), state

    def restate(self, flight_key: str, news: Restatement) -> bool | None:
        """Take `news` if it restates what the board holds for `flight_key` (a heartbeat;
        one that leaves the gate out restates the gate held, as `advance()` keeps it):
        True when it does and is newer, and then only its event id and emission time are
        new; it waits in `unsaved` like any other state. False when it restates the held
        state but is stale, as `advance()` would find it. None when it says something
        else: then it is `advance()`'s to judge. (Were it advanced, its change would be
        PROGRESS.)

        Raises:
            KeyError: the board has no such flight.
        """
        held = self._states[flight_key]
        if (
            news.status != held.status
            or news.est_dep != held.est_dep
            or news.est_arr != held.est_arr
            or (news.gate is not None and news.gate != held.gate)  # None: not stated
            or news.reason != held.reason
            or news.diverted_to != held.diverted_to
        ):
            return None
        event_id, emitted_at = news.event_id, news.emitted_at
        beat = self._beats.get(flight_key)
        last_id, last_at = (held.event_id, held.emitted_at) if beat is None else beat
        if last_id != SCHEDULE_ONLY and (emitted_at <= last_at or event_id == last_id):
            return False
        self._beats[flight_key] = (event_id, emitted_at)
        return True

    def _fold(self, flight_key: str) -> FlightState:
        """Fold the flight's pending restatement into a state of its own."""
        event_id, emitted_at = self._beats.pop(flight_key)
        state = self._states[flight_key].restated(event_id, emitted_at)
        self._states[flight_key] = state
        self._unsaved[flight_key] = state
        return state

    @property
    def unsaved(self) -> dict[str, FlightState]:
        """States applied in memory and not yet written (a copy)."""
        for flight_key in list(self._beats):
            self._fold(flight_key)
        return dict(self._unsaved)

    async def save(self, session: AsyncSession, states: dict[str, FlightState]) -> None:
        """Write `states` (from `unsaved`) through `session`; `saved()` once it commits."""
        if states:  # one UPDATE by primary key, executed for every row at once
            # In key order: the order a rebooking locks board rows in
            # (`airline.closed_flights`), so the two never wait on each other in a cycle.
            rows = [_row_of(states[key]) for key in sorted(states)]
            await session.execute(update(BoardRow), rows)

    def saved(self, states: dict[str, FlightState]) -> None:
        """`states` are committed: no longer unsaved, unless a newer state came since."""
        for flight_key, state in states.items():
            if self._unsaved.get(flight_key) is state:
                del self._unsaved[flight_key]

    async def refresh(self, db: Database) -> int:
        """Take every committed state newer than the one held here; return how many.

        A daemon's board is fresh only for the flights of the partitions it reads: others
        move the rest. Before it runs cases another daemon opened (a takeover), it must
        see what that daemon committed, or it tells a passenger a gate it never knew or a
        delay that has since grown. Unlike `load()`, nothing held here that is newer (or
        not yet saved) is lost.
        """
        async with db.session() as session:
            rows = (await session.scalars(select(BoardRow))).all()
        return sum(self._take(row) for row in rows)

    async def take_committed(self, session: AsyncSession, flight_keys: Collection[str]) -> int:
        """`refresh()` for `flight_keys` only, read in `session`'s transaction: what a
        plan checks its flights against just before it holds seats on them (the board
        rows as committed when the read begins; `agent.planner.place`)."""
        if not flight_keys:
            return 0
        rows = (
            await session.scalars(
                select(BoardRow)
                .where(BoardRow.flight_key.in_(flight_keys))
                .execution_options(populate_existing=True)
            )
        ).all()
        return sum(self._take(row) for row in rows)

    def _take(self, row: BoardRow) -> bool:
        """Hold `row`'s state if it is newer than the one held here (or none is)."""
        key = row.flight_key
        held = self._states.get(key)
        if held is not None:
            if row.last_event_id == SCHEDULE_ONLY:
                return False  # the published schedule is older than any news
            beat = self._beats.get(key)
            newest_id, newest_at = beat if beat else (held.event_id, held.emitted_at)
            if newest_id != SCHEDULE_ONLY and row.last_emitted_at <= newest_at:
                return False
        self._states[key] = _state_of(row)
        self._unsaved.pop(key, None)
        self._beats.pop(key, None)
        return True

    async def reload(self, db: Database, flight_key: str) -> None:
        """Re-read one flight after a failed transaction left the memory ahead of the DB."""
        async with db.session() as session:
            row = await session.get(BoardRow, flight_key)
        if row is not None:
            self._states[flight_key] = _state_of(row)
        self._unsaved.pop(flight_key, None)
        self._beats.pop(flight_key, None)


async def newest_event_time(db: Database) -> datetime | None:
    """When the newest state on the board was emitted: how far the stream has got (None
    before the first event: the seeded rows are the published schedule, not news)."""
    async with db.session() as session:
        return await session.scalar(
            select(func.max(BoardRow.last_emitted_at)).where(BoardRow.last_event_id != "seed")
        )


def _row_of(state: FlightState) -> dict[str, object]:
    return {
        "flight_key": state.flight_key,
        "status": state.status.value,
        "est_dep": state.est_dep,
        "est_arr": state.est_arr,
        "gate": state.gate,
        "reason": state.reason,
        "diverted_to": state.diverted_to,
        "last_event_id": state.event_id,
        "last_emitted_at": state.emitted_at,
    }


def _state_of(row: BoardRow) -> FlightState:
    return FlightState(
        flight_key=row.flight_key,
        status=FlightStatus(row.status),
        est_dep=row.est_dep,
        est_arr=row.est_arr,
        gate=row.gate,
        reason=row.reason,
        diverted_to=row.diverted_to,
        event_id=row.last_event_id,
        emitted_at=row.last_emitted_at,
    )
