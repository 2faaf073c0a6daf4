"""An approval as the queue shows it: the passenger, the flight as it is now, the options.

`Approval` holds the agent's view when it asked (plan, itineraries, entitlements and
memory as JSON); a card adds what the operator needs beside it — who the passenger is,
what the board says now — and marks which option the agent proposes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from agent.approvals import Approval
from airline.tables import BoardRow, CustomerRow
from dashboard import reads
from dashboard.timefmt import money
from tools.ranking import Ranking
from travel_agent.db import Database


@dataclass
class Leg:
    flight_key: str
    origin: str
    destination: str
    dep: datetime | None
    arr: datetime | None
    broken: bool = False  # a leg of the booked trip that no longer works
    status: str | None = None
    cabin: str | None = None


@dataclass
class Option:
    number: int  # from 1, as everywhere: the desk, the CLI, the API, the audit log
    legs: list[Leg]
    cabin: str
    seats: int | None
    proposed: bool


@dataclass
class Card:
    approval: Approval
    customer: CustomerRow | None
    flight: BoardRow | None
    options: list[Option]
    actions: list[str]
    entitlements: list[dict[str, Any]]
    memory: list[str] = field(default_factory=list)
    booked: list[Leg] = field(default_factory=list)
    why: str | None = None  # the ranker's account of its first option (`Ranking.words()`)

    @property
    def id(self) -> str:
        return self.approval.id

    @property
    def set_aside(self) -> str | None:
        """What the agent said of notes that tried to instruct it (treated as data)."""
        notice = self.approval.proposal.get("set_aside")
        return notice if isinstance(notice, str) and notice else None

    @property
    def rationale(self) -> str:
        """The reasoner's rationale, less the ranker's why when it repeats it (the rules)."""
        text = self.approval.rationale
        if self.why and text.startswith(self.why):
            return text[len(self.why) :].lstrip("; ")
        return text


def _when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _proposed_flights(proposal: dict[str, Any]) -> list[str]:
    for action in proposal.get("actions", []):
        if isinstance(action, dict) and action.get("kind") == "rebook":
            return [str(key) for key in action.get("flights", [])]
    return []


def describe_actions(proposal: dict[str, Any]) -> list[str]:
    """The plan's actions in words: "rebook onto XA110/2026-03-01 (economy)", "notify ..."."""
    said = []
    for action in proposal.get("actions", []):
        if not isinstance(action, dict):
            continue
        if action.get("kind") == "rebook":
            flights = " + ".join(str(f) for f in action.get("flights", []))
            said.append(f"rebook onto {flights} ({action.get('cabin', '?')})")
        elif action.get("kind") == "notify":
            said.append(f"notify the passenger: {str(action.get('message', '')).replace('_', ' ')}")
        elif action.get("kind") in ("compensate", "refund_offer"):
            what = "pay compensation" if action["kind"] == "compensate" else "offer a refund"
            amount = money(_int(action.get("amount_cents")), str(action.get("currency", "")))
            regime = str(action.get("regime") or "").upper().replace("_", " ")
            said.append(f"{what}: {amount}" + (f" ({regime})" if regime else ""))
        elif action.get("kind") == "care":
            items = ", ".join(str(item) for item in action.get("items", []))
            said.append(f"issue care: {items} ({str(action.get('regime', '')).upper()})")
        else:
            said.append(str(action.get("kind", "?")))
    return said


def _why(raw: object) -> str | None:
    if not isinstance(raw, dict):
        return None
    try:
        return Ranking.model_validate(raw).words()
    except ValidationError:  # written by another version of the ranker: show none
        return None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _memory_line(item: dict[str, Any]) -> str:
    for key in ("text", "summary", "content", "note"):
        if isinstance(item.get(key), str):
            return str(item[key])
    return ", ".join(f"{k}: {v}" for k, v in item.items())


def card_of(approval: Approval, customer: CustomerRow | None, flight: BoardRow | None) -> Card:
    proposed = _proposed_flights(approval.proposal)
    options = []
    for number, raw in enumerate(approval.options, start=1):
        legs = [
            Leg(
                flight_key=str(leg.get("flight_key", "?")),
                origin=str(leg.get("origin", "?")),
                destination=str(leg.get("destination", "?")),
                dep=_when(leg.get("dep")),
                arr=_when(leg.get("arr")),
            )
            for leg in raw.get("legs", [])
            if isinstance(leg, dict)
        ]
        seats = raw.get("seats")
        options.append(
            Option(
                number=number,
                legs=legs,
                cabin=str(raw.get("cabin", "")),
                seats=seats if isinstance(seats, int) else None,
                proposed=[leg.flight_key for leg in legs] == proposed,
            )
        )
    booked = [
        Leg(
            flight_key=str(leg.get("flight_key", "?")),
            origin=str(leg.get("origin") or "?"),
            destination=str(leg.get("destination") or "?"),
            dep=_when(leg.get("dep")),
            arr=_when(leg.get("arr")),
            broken=bool(leg.get("broken")),
            status=str(leg["status"]) if leg.get("status") else None,
            cabin=str(leg["cabin"]) if leg.get("cabin") else None,
        )
        for leg in approval.proposal.get("itinerary", [])
        if isinstance(leg, dict)
    ]
    return Card(
        booked=booked,
        why=_why(approval.proposal.get("ranking")),
        approval=approval,
        customer=customer,
        flight=flight,
        options=options,
        actions=describe_actions(approval.proposal),
        entitlements=[e for e in approval.entitlements if isinstance(e, dict)],
        memory=[_memory_line(m) for m in approval.memory if isinstance(m, dict)],
    )


async def approval_cards(db: Database, approvals: list[Approval]) -> list[Card]:
    customers = await reads.customers_of(db, {a.customer_id for a in approvals})
    flights = await reads.board_states(db, {a.flight_key for a in approvals})
    return [card_of(a, customers.get(a.customer_id), flights.get(a.flight_key)) for a in approvals]
