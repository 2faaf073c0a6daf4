"""Hand-made worlds and runs for the oracle's own tests (no daemon, no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.oracle.record import (
    ApprovalRec,
    BookingRec,
    Channel,
    CustomerRec,
    Effect,
    EventRec,
    FlightRec,
    Leg,
    Message,
    Place,
    RunRecord,
    World,
)

T0 = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
PLACES = {
    "FRA": Place("FRA", "DE", 50.033, 8.570, "Europe/Berlin"),
    "MUC": Place("MUC", "DE", 48.354, 11.786, "Europe/Berlin"),
    "LHR": Place("LHR", "GB", 51.470, -0.454, "Europe/London"),
    "ZRH": Place("ZRH", "CH", 47.458, 8.548, "Europe/Zurich"),
    "JFK": Place("JFK", "US", 40.640, -73.779, "America/New_York"),
    "BOS": Place("BOS", "US", 42.364, -71.005, "America/New_York"),
    "YYZ": Place("YYZ", "CA", 43.677, -79.631, "America/Toronto"),
    "YVR": Place("YVR", "CA", 49.195, -123.184, "America/Vancouver"),
}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def flight(
    key: str,
    origin: str,
    destination: str,
    dep: float,
    arr: float,
    *,
    seats: int = 10,
    sold: int = 0,
) -> FlightRec:
    return FlightRec(
        key, key[:2], origin, destination, at(dep), at(arr), {"economy": seats}, {"economy": sold}
    )


def world(flights: list[FlightRec], bookings: list[BookingRec], **extra: Any) -> World:
    customers = {
        b.customer: CustomerRec(
            b.customer, "Ann", "none", "en", (Channel("email", "a@example.com", True),)
        )
        for b in bookings
    }
    return World(
        start=T0,
        places=PLACES,
        flights={f.key: f for f in flights},
        customers=customers | extra.pop("customers", {}),
        bookings={b.pnr: b for b in bookings},
        **extra,
    )


def booking(
    pnr: str, *flights: str, price: int = 20000, currency: str = "EUR", **extra: Any
) -> BookingRec:
    legs = tuple(Leg(i, k, "economy") for i, k in enumerate(flights, start=1))
    return BookingRec(pnr, f"C-{pnr}", "standard", price, currency, legs, **extra)


def trips(
    pnr: str, *journeys: list[str], price: int = 20000, currency: str = "EUR", **extra: Any
) -> BookingRec:
    """A booking of several journeys (return, open jaw, multi-city): each list the flights
    of one journey, in travel order."""
    legs = tuple(
        Leg(seq, key, "economy", number)
        for seq, (number, key) in enumerate(
            ((n, k) for n, flights in enumerate(journeys, start=1) for k in flights), start=1
        )
    )
    return BookingRec(pnr, f"C-{pnr}", "standard", price, currency, legs, **extra)


def event(
    minutes: float,
    key: str,
    status: str,
    dep: datetime,
    arr: datetime,
    *,
    reason: str | None = "crew",
    emitted: float | None = None,
    **extra: Any,
) -> EventRec:
    return EventRec(
        at(minutes),
        key,
        status,
        dep,
        arr,
        at(minutes if emitted is None else emitted),
        f"e{minutes}{key}",
        reason,
        **extra,
    )


def rebook(
    minutes: float, pnr: str, replace_seqs: list[int], flights: list[str], *, case: str = "c1"
) -> Effect:
    return Effect(
        f"{case}:rebook",
        case,
        "rebook",
        pnr,
        {"replace_seqs": replace_seqs, "flights": flights, "cabin": "economy"},
        at(minutes),
    )


def money(minutes: float, pnr: str, action: str, **detail: Any) -> Effect:
    return Effect(f"{pnr}:{action}:{minutes}", "c1", action, pnr, detail, at(minutes))


def message(
    minutes: float,
    pnr: str,
    kind: str,
    about: str | None,
    *,
    sent: float | None = None,
    text: str = "",
    address: str = "a@example.com",
) -> Message:
    sent_at = at(minutes if sent is None else sent)
    return Message(
        f"m-{pnr}-{kind}-{minutes}",
        pnr,
        f"C-{pnr}",
        kind,
        "sent",
        at(minutes),
        sent_at,
        "email",
        address,
        about,
        text or f"{kind} {about}",
    )


def after(record: RunRecord) -> RunRecord:
    """The record with the bookings after the run as the ledger leaves them (no mismatch)."""
    from evals.oracle.journeys import replay

    journeys = replay(record).journeys
    record.bookings_after = {
        p: replace(b, legs=journeys[p].final) for p, b in record.world.bookings.items()
    }
    return record


def approval(
    case: str, pnr: str, created: float, decided: float, flights: tuple[str, ...]
) -> ApprovalRec:
    return ApprovalRec("a1", case, pnr, "approved", at(created), at(decided), at(decided), flights)
