"""The evaluations' checks of the passengers' rights, judged from the run, not from the
agent's policy engine (see `evals.metrics`): journeys as the world wrote them, every seat
a party's, compensation per traveller, legal deadlines met.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from airline.models import Booking, Flight
from evals.run_result import LedgerEntry, RunResult
from tools.tables import OutboxStatus

__all__ = [
    "compensated_travellers",
    "deadline_breaches",
    "journey_on",
    "journeys_of",
    "replaced_journey",
    "seat_accounting",
]


def journeys_of(result: RunResult, booking: Booking) -> dict[int, list[Flight]]:
    """The booking's flights as ticketed, per journey, in travel order. (Read from the
    world as written: each journey's segments, not the agent's view of them.)"""
    found: dict[int, list[Flight]] = {}
    for segment in booking.segments:
        found.setdefault(segment.journey, []).append(result.flights[segment.flight_key])
    return {n: sorted(legs, key=lambda f: f.sched_dep) for n, legs in sorted(found.items())}


def journey_on(result: RunResult, pnr: str, flight_key: str | None) -> int:
    """The journey of `pnr` a flight is on (in the world as written, or as rebooked)."""
    for booking in (result.original.get(pnr), result.bookings.get(pnr)):
        if booking is None:
            continue
        for segment in booking.segments:
            if segment.flight_key == flight_key:
                return segment.journey
    return 1


def replaced_journey(result: RunResult, e: LedgerEntry) -> int:
    """The journey a rebooking re-accommodated: that of the segments it replaced."""
    seqs = {int(x) for x in e.detail.get("replace_seqs") or []}
    for booking in (result.bookings.get(e.pnr), result.original.get(e.pnr)):
        if booking is None:
            continue
        for segment in booking.segments:
            if segment.seq in seqs:
                return segment.journey
    return 1


def compensated_travellers(result: RunResult) -> list[str]:
    """Compensation is per traveller: never to more travellers than the booking has, and
    (unless the scenario's policy pays lap infants) not to infants on a lap."""
    agent = result.scenario.settings.get("agent") or {}
    pays_infants = bool((agent.get("policy") or {}).get("lap_infants_compensated"))
    problems = []
    for e in result.ledger:
        if e.action != "compensate":
            continue
        booking = result.original.get(e.pnr)
        if booking is None:
            continue
        travellers = len(booking.passengers) - (0 if pays_infants else booking.infants)
        paid = int(e.detail.get("passengers") or 1)
        if paid > travellers:
            problems.append(f"{e.pnr}: compensation to {paid} travellers, {travellers} are owed")
    return problems


def seat_accounting(result: RunResult) -> list[str]:
    """No flight is oversold, and every seat that moved is a party's: the change of each
    flight's sold seats equals the seats the scenario's bookings took or gave back there
    (a party of three rebooked takes three seats, a lap infant none)."""
    if not result.inventory_before or not result.inventory_after:
        return []
    problems = []
    moved: Counter[tuple[str, str]] = Counter()
    for pnr, before in result.original.items():
        after = result.bookings.get(pnr)
        if after is None:
            continue
        for booking, sign in ((before, -1), (after, 1)):
            for segment in booking.active_segments:
                moved[segment.flight_key, segment.cabin.value] += sign * booking.seats_needed
    for key, (capacity, sold) in result.inventory_after.items():
        if sold > capacity:
            problems.append(f"{key[0]} {key[1]}: {sold} seats sold of {capacity}")
        start = result.inventory_before.get(key, (capacity, sold))[1]
        held = result.held_seats.get(key, 0)
        if sold - start != moved[key] + held:
            problems.append(
                f"{key[0]} {key[1]}: sold moved by {sold - start}, the bookings by "
                f"{moved[key]}" + (f" and holds by {held}" if held else "")
            )
    return problems


def deadline_breaches(result: RunResult) -> tuple[list[str], int]:
    """Messages that reached the passenger after the deadline their regulation sets (the
    payload's ``meta.deadline``: 14 CFR 259.8, APPR s.13, EU261/UK261 Art 14(2)), or that
    never did though it passed within the run; and how many deadlines were met. A message
    replaced by newer news before delivery is judged by its replacement."""
    breaches: list[str] = []
    met = 0
    for o in result.notifications():
        meta = o.payload.get("meta") or {}
        if not meta.get("deadline") or o.status == OutboxStatus.SUPERSEDED:
            continue
        due = datetime.fromisoformat(meta["deadline"])
        why = meta.get("deadline_citation") or "a legal deadline"
        if o.status == OutboxStatus.SENT and o.sent_at is not None:
            if o.sent_at > due:
                breaches.append(
                    f"{o.pnr}: {o.kind} delivered {o.sent_at:%d %H:%M}Z, after {due:%d %H:%M}Z "
                    f"({why})"
                )
            else:
                met += 1
        elif due <= result.end:
            breaches.append(f"{o.pnr}: {o.kind} not delivered by {due:%d %H:%M}Z ({why})")
    return breaches, met
