"""Read a world and a run from the database by table name (SQLAlchemy Core, plain SQL).

Only table and column names are assumed — no ORM class of the agent's — so a model or
module that moves does not break the oracle; an optional column (a booking's
``passengers``, ``group_id``, a segment's ``journey``) or table (``booking_passengers``:
who takes a seat; ``journeys``: each journey's part of the fare) is used when the
database has it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from evals.oracle.record import (
    ApprovalRec,
    BookingRec,
    CaseRec,
    Channel,
    CustomerRec,
    Effect,
    FlightRec,
    Leg,
    Message,
    Place,
    World,
)

_FLIGHT_KEY = re.compile(r"[A-Z0-9]{2}\d{1,4}/\d{4}-\d{2}-\d{2}")


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _time(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime), value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _maybe_time(value: Any) -> datetime | None:
    return None if value is None else _time(value)


async def _rows(conn: AsyncConnection, table: str) -> list[Mapping[str, Any]]:
    result = await conn.execute(text(f'SELECT * FROM "{table}"'))
    return [dict(row._mapping) for row in result]


async def _has_table(conn: AsyncConnection, table: str) -> bool:
    return await conn.run_sync(lambda sync: inspect(sync).has_table(table))


async def _seats_taken(conn: AsyncConnection) -> dict[str, int]:
    """Per booking, the travellers who take a seat, from its passenger list: everyone but
    an infant (who flies on an adult's lap). A booking listing no one is one traveller."""
    if not await _has_table(conn, "booking_passengers"):
        return {}
    seated: dict[str, int] = defaultdict(int)
    for r in await _rows(conn, "booking_passengers"):
        if r.get("type") != "infant":
            seated[r["pnr"]] += 1
    return seated


async def _bookings(conn: AsyncConnection) -> dict[str, BookingRec]:
    flights = {r["key"]: _time(r["sched_dep"]) for r in await _rows(conn, "flights")}
    seated = await _seats_taken(conn)
    legs: dict[str, list[Leg]] = defaultdict(list)
    for r in await _rows(conn, "segments"):
        if r["status"] == "active":
            legs[r["pnr"]].append(
                Leg(int(r["seq"]), r["flight_key"], r["cabin"], int(r.get("journey") or 1))
            )
    prices: dict[str, dict[int, int]] = defaultdict(dict)
    if await _has_table(conn, "journeys"):
        for r in await _rows(conn, "journeys"):
            if r.get("price_cents") is not None:
                prices[r["pnr"]][int(r["seq"])] = int(r["price_cents"])
    found = {}
    for r in await _rows(conn, "bookings"):
        mine = sorted(legs.get(r["pnr"], []), key=lambda leg: flights[leg.flight])
        found[r["pnr"]] = BookingRec(
            pnr=r["pnr"],
            customer=r["customer_id"],
            fare=r["fare"],
            price_cents=int(r["price_cents"]),
            currency=r["currency"],
            legs=tuple(mine),
            ssr=tuple(_json(r.get("ssr")) or ()),
            passengers=seated.get(r["pnr"]) or int(r.get("passengers") or 1),
            status=r["status"],
            group=r.get("group_id"),
            journey_prices=dict(prices[r["pnr"]]),
        )
    return found


async def read_world(url: str, start: datetime) -> World:
    """The world as the database holds it now (call it before the run starts)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            places = {
                r["iata"]: Place(r["iata"], r["country"], float(r["lat"]), float(r["lon"]), r["tz"])
                for r in await _rows(conn, "airports")
            }
            capacity: dict[str, dict[str, int]] = defaultdict(dict)
            sold: dict[str, dict[str, int]] = defaultdict(dict)
            for r in await _rows(conn, "inventory"):
                capacity[r["flight_key"]][r["cabin"]] = int(r["capacity"])
                sold[r["flight_key"]][r["cabin"]] = int(r["sold"])
            flights = {
                r["key"]: FlightRec(
                    key=r["key"],
                    carrier=r["carrier"],
                    origin=r["origin"],
                    destination=r["destination"],
                    sched_dep=_time(r["sched_dep"]),
                    sched_arr=_time(r["sched_arr"]),
                    capacity=dict(capacity[r["key"]]),
                    sold=dict(sold[r["key"]]),
                )
                for r in await _rows(conn, "flights")
            }
            channels: dict[str, list[Channel]] = defaultdict(list)
            for r in await _rows(conn, "customer_channels"):
                channels[r["customer_id"]].append(
                    Channel(r["kind"], r["address"], bool(r["consent"]))
                )
            customers = {
                r["id"]: CustomerRec(
                    r["id"], r["name"], r["tier"], r["language"], tuple(channels[r["id"]])
                )
                for r in await _rows(conn, "customers")
            }
            bookings = await _bookings(conn)
    finally:
        await engine.dispose()
    return World(
        start=start, places=places, flights=flights, customers=customers, bookings=bookings
    )


async def read_run(url: str) -> dict[str, Any]:
    """What the agent did and left: effects, messages, approvals, cases, bookings, seats.

    Returns the keyword arguments of `RunRecord` beyond the world and the events.
    """
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            effects = [
                Effect(
                    r["idempotency_key"],
                    r["case_id"],
                    r["action"],
                    r["pnr"],
                    _json(r["detail"]) or {},
                    _time(r["created_at"]),
                )
                for r in sorted(await _rows(conn, "action_ledger"), key=lambda r: r["id"])
            ]
            messages = []
            for r in sorted(await _rows(conn, "outbox"), key=lambda r: r["id"]):
                if r["topic"] != "notifications.outbound":
                    continue
                payload = _json(r["payload"]) or {}
                meta = payload.get("meta") or {}
                messages.append(
                    Message(
                        key=r["idempotency_key"],
                        pnr=r["key"],
                        customer=r["customer_id"],
                        kind=str(payload.get("kind", "")),
                        status=r["status"],
                        created_at=_time(r["created_at"]),
                        sent_at=_maybe_time(r["sent_at"]),
                        channel=r["channel"],
                        address=payload.get("address"),
                        about=meta.get("about"),
                        text=f"{payload.get('subject', '')}\n{payload.get('body', '')}",
                        not_before=_maybe_time(payload.get("not_before")),
                    )
                )
            approvals = []
            for r in await _rows(conn, "approvals"):
                proposal = _json(r["proposal"]) or {}
                named = {r["flight_key"]}
                for option in [proposal, *(_json(r["options"]) or [])]:
                    named |= set(_flights_in(option))
                approvals.append(
                    ApprovalRec(
                        id=r["id"],
                        case_id=r["case_id"],
                        pnr=r["pnr"],
                        status=r["status"],
                        created_at=_time(r["created_at"]),
                        decided_at=_maybe_time(r["decided_at"]),
                        applied_at=_maybe_time(r.get("applied_at")),
                        flights=tuple(sorted(named)),
                    )
                )
            disruption_flight = {r["id"]: r["flight_key"] for r in await _rows(conn, "disruptions")}
            cases = [
                CaseRec(
                    r["id"],
                    r["pnr"],
                    r["status"],
                    r["outcome"],
                    disruption_flight.get(r["disruption_id"], ""),
                    _time(r["created_at"]),
                )
                for r in await _rows(conn, "cases")
            ]
            bookings = await _bookings(conn)
            sold = {
                (r["flight_key"], r["cabin"]): int(r["sold"])
                for r in await _rows(conn, "inventory")
            }
            held: dict[tuple[str, str], int] = defaultdict(int)
            for r in await _rows(conn, "seat_holds"):
                if r["status"] == "held":
                    for key in _json(r["flights"]) or []:
                        held[key, r["cabin"]] += int(r["party"])
    finally:
        await engine.dispose()
    return {
        "effects": effects,
        "messages": messages,
        "approvals": approvals,
        "cases": cases,
        "bookings_after": bookings,
        "sold_after": sold,
        "held_after": dict(held),
    }


def _flights_in(value: Any) -> list[str]:
    """Every flight key (``XA101/2026-03-01``) anywhere in a JSON value."""
    if isinstance(value, str):
        return [value] if _FLIGHT_KEY.fullmatch(value) else []
    if isinstance(value, dict):
        return [k for v in value.values() for k in _flights_in(v)]
    if isinstance(value, list):
        return [k for v in value for k in _flights_in(v)]
    return []
