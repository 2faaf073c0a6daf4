"""What every tool shares: its dependencies, its result, and running an effect once.

`ToolDeps` is the small set of things a tool works with; `ToolResult` is what it answers,
with a status a planner can act on; `run_once` runs an effect in one transaction and
turns our errors into results.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from airline.board import LiveBoard
from airline.clock import Clock
from airline.reservations import (
    BookingClosedError,
    FlightClosedError,
    HoldExpiredError,
    InvalidRequestError,
    effect_detail,
    record_effect,
)
from airline.schedule import Schedule
from streams.events import TOPIC_AGENT_ACTIONS
from tools.policy.entitlements import PolicyConfig
from tools.policy.texts import PolicySearch
from tools.tables import OutboxRow, OutboxStatus
from travel_agent.db import Database, insert_values
from travel_agent.errors import NoSeatsError, NotFoundError, TravelAgentError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ToolDeps:
    """What the tools work with: the airline systems, the live board and the clock."""

    db: Database
    schedule: Schedule
    board: LiveBoard
    clock: Clock
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    policy_search: PolicySearch | None = None
    """Retrieval for `lookup_policy` beside BM25 (e.g. vector search); None: BM25 only."""


class ToolStatus(StrEnum):
    OK = "ok"
    RETRIABLE = "retriable"
    """The planner can fix it: another option, another argument, hold again."""
    FINAL = "final"
    """Nothing the planner does changes it."""


class ToolResult(BaseModel):
    """What a tool did, in a form a planner can act on."""

    status: ToolStatus
    action: str
    message: str = Field(description="one sentence, for the planner and the operator")
    error: str | None = Field(
        default=None,
        description="machine-readable cause: no_seats, hold_expired, not_found, "
        "invalid_request, refused, above_entitlement, booking_closed, ...",
    )
    replayed: bool = Field(
        default=False, description="the idempotency key had been used: nothing was done again"
    )
    detail: dict[str, Any] = Field(default_factory=dict)


InTransaction = Callable[[AsyncSession], Awaitable[None]]
"""What the caller of an effect writes in the effect's own transaction, once it is made
(not on a replay): what the change closes, committed with it or not at all."""


async def run_once(
    deps: ToolDeps,
    key: str,
    action: str,
    work: Callable[[AsyncSession], Awaitable[ToolResult]],
) -> ToolResult:
    """Run `work` in one transaction and translate our errors into a `ToolResult`."""
    try:
        async with deps.db.transaction() as session:
            return await work(session)
    except TravelAgentError as exc:
        return failure(action, exc)
    except IntegrityError:
        # Another transaction carried out the same key at the same moment (PostgreSQL):
        # its ledger row won; report its effect rather than a second one.
        async with deps.db.session() as session:
            done = await effect_detail(session, key)
        if done is None:
            raise
        log.info("%s %s ran concurrently under the same key; reporting the first", action, key)
        return replayed(action, done)


def failure(action: str, exc: TravelAgentError) -> ToolResult:
    """Our error as a result: ``retriable`` when the planner can fix it, else ``final``."""
    if isinstance(exc, NoSeatsError):
        return ToolResult(
            status=ToolStatus.RETRIABLE,
            action=action,
            error="no_seats",
            message=f"{exc}: pick another option",
            detail={"flight_key": exc.flight_key, "cabin": exc.cabin},
        )
    codes: list[tuple[type[TravelAgentError], str]] = [
        (HoldExpiredError, "hold_expired"),
        (FlightClosedError, "flight_closed"),
        (BookingClosedError, "booking_closed"),
        (InvalidRequestError, "invalid_request"),
        (NotFoundError, "not_found"),
    ]
    error = next((code for cls, code in codes if isinstance(exc, cls)), "refused")
    # A missing thing was named by the planner: another argument fixes it.
    retriable = exc.retriable or isinstance(exc, NotFoundError)
    return ToolResult(
        status=ToolStatus.RETRIABLE if retriable else ToolStatus.FINAL,
        action=action,
        error=error,
        message=str(exc) + ("; hold seats again" if error == "hold_expired" else ""),
    )


def replayed(action: str, detail: dict[str, Any]) -> ToolResult:
    return ToolResult(
        status=ToolStatus.OK,
        action=action,
        message=f"{action} was carried out before under this key; nothing done again",
        replayed=True,
        detail=detail,
    )


def action_event(
    key: str, case_id: str, pnr: str, action: str, detail: dict[str, Any], at: datetime
) -> OutboxRow:
    """The effect as an event for `agent.actions`, published later by the outbox relay."""
    return OutboxRow(**action_event_values(key, case_id, pnr, action, detail, at))


def action_event_values(
    key: str, case_id: str, pnr: str, action: str, detail: dict[str, Any], at: datetime
) -> dict[str, Any]:
    """`action_event`'s row as attributes, for `insert_values`."""
    return {
        "idempotency_key": f"event:{key}",
        "topic": TOPIC_AGENT_ACTIONS,
        "key": pnr,
        "payload": {
            "case_id": case_id,
            "pnr": pnr,
            "action": action,
            "detail": detail,
            "at": at.isoformat(),
        },
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "created_at": at,
    }


async def record_and_announce(
    session: AsyncSession,
    *,
    key: str,
    case_id: str,
    action: str,
    pnr: str,
    detail: dict[str, Any],
    at: datetime,
) -> None:
    """The effect's ledger row and its `agent.actions` event, in the effect's transaction."""
    await record_effect(
        session,
        idempotency_key=key,
        case_id=case_id,
        action=action,
        pnr=pnr,
        detail=detail,
        at=at,
    )
    await insert_values(
        session, OutboxRow, action_event_values(key, case_id, pnr, action, detail, at)
    )


def compensation_key(pnr: str, journey: int) -> str:
    """The one ledger key of a booking's compensation for one journey: whoever pays it
    (a case, the refund of a choice), it is paid once (EU261/UK261 Art 7, APPR s.19 are
    per journey). The first journey keeps the key written before journeys existed."""
    return f"{pnr}:compensate:v1" if journey == 1 else f"{pnr}:j{journey}:compensate:v1"
