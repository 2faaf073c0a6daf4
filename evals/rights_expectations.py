"""Expectations on the passengers' rights: refunds that act, who is told, legal deadlines
met, care per period, flight loads. Each kind is a small pydantic model and a scorer
answering (passed, reason); `evals.expectations` registers them beside the others.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from evals.run_result import LedgerEntry, OutboxEntry, RunResult
from evals.scenario_world import parse_duration, split_flight
from tools.tables import OutboxStatus

__all__ = ["SCORERS", "SPECS"]

Verdict = tuple[bool, str]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Refunded(_Spec):
    booking: str
    amount: float | None = Field(default=None, description="money back, major units")
    currency: str | None = None
    due_within: str | None = Field(
        default=None, description='the deadline the rules set, e.g. "7d" (from the choice)'
    )
    journeys: list[int] | None = Field(default=None, description="the journeys refunded")
    status: str | None = Field(default=None, description="the booking's status after")


class NoRefund(_Spec):
    booking: str


class Recipients(_Spec):
    booking: str
    kind: str | list[str] | None = None
    count: int = Field(ge=0, description="how many recipients got a message (of the kinds)")
    passengers: list[int] | None = Field(
        default=None, description="the passengers told directly, beside the contact"
    )


class DeadlineMet(_Spec):
    booking: str
    kind: str | list[str] | None = None
    citation: str | None = Field(default=None, description="a word of the rule, e.g. 259.8")


class CarePeriods(_Spec):
    booking: str
    periods: int = Field(ge=0, description="care effects: one per flight disruption waited out")
    travellers: int | None = Field(default=None, ge=1, description="each cared for this many")


class Load(_Spec):
    flight: str = Field(description="XA101, or XA101/2026-03-02")
    cabin: str = "economy"
    sold: int | None = Field(default=None, ge=0, description="exactly this many seats sold")
    seats_left: int | None = Field(default=None, ge=0)


class DecisionOutcome(_Spec):
    booking: str
    refused: bool = Field(description="the desk refused the scripted decision")
    contains: str | None = Field(default=None, description="a text of the desk's answer")


SPECS: dict[str, type[_Spec]] = {
    "decision": DecisionOutcome,
    "refunded": Refunded,
    "no_refund": NoRefund,
    "recipients": Recipients,
    "deadline_met": DeadlineMet,
    "care_periods": CarePeriods,
    "load": Load,
}


def _kinds(kind: str | list[str] | None) -> set[str] | None:
    if kind is None:
        return None
    return {kind} if isinstance(kind, str) else set(kind)


def _refunds(result: RunResult, pnr: str) -> list[LedgerEntry]:
    return [e for e in result.ledger if e.pnr == pnr and e.action == "refund"]


def refunded(spec: Refunded, result: RunResult) -> Verdict:
    done = _refunds(result, spec.booking)
    if not done:
        return False, f"no refund carried out for {spec.booking}"
    problems = []
    for e in done:
        issues = []
        amount = int(e.detail.get("amount_cents") or 0) / 100
        if spec.amount is not None and abs(amount - spec.amount) > 0.005:
            issues.append(f"amount {amount:g}, expected {spec.amount:g}")
        if spec.currency is not None and e.detail.get("currency") != spec.currency:
            issues.append(f"currency {e.detail.get('currency')}, expected {spec.currency}")
        if spec.due_within is not None:
            due, chosen = e.detail.get("due_by"), e.detail.get("chosen_at")
            if not due or not chosen:
                issues.append("no deadline recorded")
            else:
                took = datetime.fromisoformat(due) - datetime.fromisoformat(chosen)
                if took > parse_duration(spec.due_within):
                    issues.append(f"due {took} after the choice, more than {spec.due_within}")
        if spec.journeys is not None:
            journeys = e.detail.get("journeys")
            everything = sorted({s.journey for s in result.original[e.pnr].segments})
            if sorted(journeys or everything) != sorted(spec.journeys):
                issues.append(f"journeys {journeys or everything}, expected {spec.journeys}")
        if spec.status is not None:
            after = result.bookings.get(spec.booking)
            if after is None or after.status.value != spec.status:
                issues.append(f"booking {after.status.value if after else '?'}, not {spec.status}")
        if not issues:
            return True, (
                f"refund of {amount:g} {e.detail.get('currency')} due {e.detail.get('due_by')} "
                f"({e.detail.get('due_citation')})"
            )
        problems.append(", ".join(issues))
    return False, f"refunds of {spec.booking} miss: " + "; ".join(problems)


def no_refund(spec: NoRefund, result: RunResult) -> Verdict:
    done = _refunds(result, spec.booking)
    if done:
        return False, f"{spec.booking} was refunded {len(done)} time(s)"
    return True, f"no refund for {spec.booking}"


def _delivered(result: RunResult, pnr: str, kind: str | list[str] | None) -> list[OutboxEntry]:
    kinds = _kinds(kind)
    return [
        o
        for o in result.notifications()
        if o.pnr == pnr and o.status == OutboxStatus.SENT and (kinds is None or o.kind in kinds)
    ]


def recipients(spec: Recipients, result: RunResult) -> Verdict:
    sent = _delivered(result, spec.booking, spec.kind)
    told = sorted({o.customer_id or "?" for o in sent})
    if len(told) != spec.count:
        return False, f"{len(told)} recipient(s) told ({told}), expected {spec.count}"
    if spec.passengers is not None:
        own = sorted(
            int(who.rsplit("-P", 1)[1]) for who in told if who.startswith(f"{spec.booking}-P")
        )
        if own != sorted(spec.passengers):
            return False, f"passengers told directly: {own}, expected {spec.passengers}"
    return True, f"told: {told}"


def deadline_met(spec: DeadlineMet, result: RunResult) -> Verdict:
    for o in _delivered(result, spec.booking, spec.kind):
        meta = o.payload.get("meta") or {}
        due, citation = meta.get("deadline"), str(meta.get("deadline_citation") or "")
        if not due or (spec.citation is not None and spec.citation not in citation):
            continue
        assert o.sent_at is not None
        if o.sent_at <= datetime.fromisoformat(due):
            return True, f"{o.kind} delivered {o.sent_at:%H:%M}Z by {due} ({citation})"
        return False, f"{o.kind} delivered {o.sent_at:%H:%M}Z after {due} ({citation})"
    return False, f"no delivered message to {spec.booking} carried such a deadline"


def care_periods(spec: CarePeriods, result: RunResult) -> Verdict:
    issued = [e for e in result.ledger if e.pnr == spec.booking and e.action == "care"]
    if len(issued) != spec.periods:
        return False, f"{len(issued)} care effect(s), expected {spec.periods}"
    if spec.travellers is not None:
        counts = [int(e.detail.get("passengers") or 1) for e in issued]
        if any(n != spec.travellers for n in counts):
            return False, f"care for {counts} traveller(s), expected {spec.travellers} each"
    return True, f"{len(issued)} care effect(s)"


def load(spec: Load, result: RunResult) -> Verdict:
    key = spec.flight
    if "/" not in key:
        carrier, number = split_flight(key)
        key = f"{carrier}{number}/{result.scenario.world.date.isoformat()}"
    found = result.inventory_after.get((key, spec.cabin))
    if found is None:
        return False, f"no {spec.cabin} cabin on {key}"
    capacity, sold = found
    if sold > capacity:
        return False, f"{key} {spec.cabin}: {sold} sold of {capacity}: oversold"
    if spec.sold is not None and sold != spec.sold:
        return False, f"{key} {spec.cabin}: {sold} sold, expected {spec.sold}"
    if spec.seats_left is not None and capacity - sold != spec.seats_left:
        return False, f"{key} {spec.cabin}: {capacity - sold} left, expected {spec.seats_left}"
    return True, f"{key} {spec.cabin}: {sold} of {capacity}"


def decision(spec: DecisionOutcome, result: RunResult) -> Verdict:
    answers = [d for d in result.decisions if f" {spec.booking}" in d]
    for answer in answers:
        refused = "refused:" in answer
        if refused == spec.refused and (spec.contains is None or spec.contains in answer):
            return True, answer
    return False, f"no decision on {spec.booking} ended so: {answers}"


SCORERS: dict[str, Any] = {
    "decision": decision,
    "refunded": refunded,
    "no_refund": no_refund,
    "recipients": recipients,
    "deadline_met": deadline_met,
    "care_periods": care_periods,
    "load": load,
}
