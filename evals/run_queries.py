"""Questions the expectation scorers ask of a run: a booking's effects and messages, when its
first case opened, the legs of a journey, amounts and care items in an effect's detail.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airline.models import Booking, Flight
from evals.run_result import LedgerEntry, OutboxEntry, RunResult
from evals.scenario_world import split_flight

# --- helpers over a run ---------------------------------------------------------------


def effects_of(result: RunResult, pnr: str, *actions: str) -> list[LedgerEntry]:
    return [e for e in result.ledger if e.pnr == pnr and (not actions or e.action in actions)]


def messages_to(result: RunResult, pnr: str | None, customer: str | None) -> list[OutboxEntry]:
    return [
        o
        for o in result.notifications()
        if (pnr is None or o.pnr == pnr) and (customer is None or o.customer_id == customer)
    ]


def kinds_of(kind: str | list[str] | None) -> set[str] | None:
    if kind is None:
        return None
    return {kind} if isinstance(kind, str) else set(kind)


def shown_time(instant: datetime | None) -> str:
    return "never" if instant is None else instant.astimezone(UTC).strftime("%d %H:%MZ")


def describe_messages(messages: list[OutboxEntry]) -> str:
    if not messages:
        return "no messages"
    return "; ".join(
        f"{m.kind} via {m.payload.get('channel')} in {m.payload.get('language')} "
        f"[{m.status}, sent {shown_time(m.sent_at)}]"
        for m in messages
    )


def first_case_at(result: RunResult, pnr: str | None, customer: str | None) -> datetime:
    pnrs = {p for p, c in result.customers.items() if customer is None or c == customer}
    if pnr is not None:
        pnrs &= {pnr}
    opened = [c.created_at for c in result.cases if c.pnr in pnrs]
    if opened:
        return min(opened)
    return result.fed[0].at if result.fed else result.start


def opened_at(result: RunResult, message: OutboxEntry) -> datetime | None:
    """When the case that wrote `message` was opened."""
    case_id = next((e.case_id for e in result.ledger if e.key == message.key), None)
    return next((c.created_at for c in result.cases if c.id == case_id), None)


def journey_legs(result: RunResult, booking: Booking, journey: int | None = None) -> list[Flight]:
    """The booking's active flights (of one journey), in travel order."""
    return sorted(
        (
            result.flights[s.flight_key]
            for s in booking.active_segments
            if journey is None or s.journey == journey
        ),
        key=lambda f: f.sched_dep,
    )


def replaced_journey_index(before: Booking, after: Booking, rebook: LedgerEntry) -> int:
    seqs = {int(x) for x in rebook.detail.get("replace_seqs") or []}
    for segment in (*after.segments, *before.segments):
        if segment.seq in seqs:
            return segment.journey
    return 1


def flight_key_of(code: str, result: RunResult) -> str:
    if "/" in code:
        return code
    carrier, number = split_flight(code)
    return f"{carrier}{number}/{result.scenario.world.date.isoformat()}"


def amount_of(detail: dict[str, Any]) -> float | None:
    if "amount_cents" in detail and detail["amount_cents"] is not None:
        return float(detail["amount_cents"]) / 100
    if "amount" in detail and detail["amount"] is not None:
        return float(detail["amount"])
    return None


def same_value(a: object, b: object) -> bool:
    return str(a).replace("_", "").lower() == str(b).replace("_", "").lower()


def care_items(detail: dict[str, Any]) -> set[str]:
    raw = detail.get("items") or detail.get("care") or []
    if isinstance(raw, str):
        raw = [raw]
    return {str(i).lower().rstrip("s") for i in raw}
