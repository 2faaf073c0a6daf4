"""Policy violations of a run, judged from first principles — the scenario's own timeline
of flight states, the schedule, and the regulations' published amounts (DOMAIN.md) — not
by asking the agent's guard or policy engine, so a bug there cannot hide itself:

- a rebooking onto a flight that is unknown, cancelled, diverted or gone at the time,
  that leaves before the rebooking was made, whose connection is shorter than the
  minimum connection time, that ends elsewhere, or that changes the cabin without an
  operator's approval;
- compensation under a regime that does not cover the journey, above the regulation's
  amount for the distance, despite extraordinary circumstances, or paid twice;
- a refund above the ticket price.

`evals.metrics` turns these and the waste checks into a run's figures.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from airline.airports import great_circle_km, minimum_connection_time
from airline.models import Booking, Cabin, Flight, FlightStatus
from evals.rights_metrics import (
    compensated_travellers,
    journey_on,
    journeys_of,
    replaced_journey,
    seat_accounting,
)
from evals.run_result import LedgerEntry, RunResult

CABIN_RANK = {Cabin.ECONOMY: 0, Cabin.PREMIUM: 1, Cabin.BUSINESS: 2}
GONE = {FlightStatus.CANCELLED, FlightStatus.DIVERTED, FlightStatus.DEPARTED, FlightStatus.ARRIVED}
EXTRAORDINARY = {
    "weather",
    "atc",
    "airport_closure",
    "security",
    "bird_strike",
    "third_party_strike",
}

EU_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "GP MQ GF RE YT MF IS LI NO CH".split()
)
EU_CARRIERS = frozenset({"XA", "XB"})
# The most each regulation pays, by band (DOMAIN.md): EU261 Art 7, UK261, APPR s.19 large.
MAX_AMOUNT = {
    "eu261": ("EUR", (250, 400, 600)),
    "uk261": ("GBP", (220, 350, 520)),
    "appr": ("CAD", (1000, 1000, 1000)),
}


@dataclass(frozen=True)
class _State:
    status: FlightStatus
    est_dep: datetime
    est_arr: datetime
    reason: str | None
    emitted: datetime


class Timeline:
    """The flight states the scenario fed, as a board would have held them at any time."""

    def __init__(self, result: RunResult) -> None:
        self._result = result
        self._events = [f for f in result.fed if f.event is not None]

    def state(self, key: str, at: datetime) -> _State:
        flight = self._result.flights[key]
        best = _State(FlightStatus.SCHEDULED, flight.sched_dep, flight.sched_arr, None, at)
        newest: datetime | None = None
        for fed in self._events:
            e = fed.event
            assert e is not None
            if e.flight_key != key or fed.at > at:
                continue
            if newest is None or e.emitted_at > newest:
                newest = e.emitted_at
                best = _State(
                    e.status,
                    e.est_dep,
                    e.est_arr,
                    e.reason.value if e.reason else None,
                    e.emitted_at,
                )
        return best

    def reason(self, key: str) -> str | None:
        """The last reason any event gave for the flight."""
        reasons = [
            f.event.reason.value
            for f in self._events
            if f.event is not None and f.event.flight_key == key and f.event.reason
        ]
        return reasons[-1] if reasons else None


# --- policy ---------------------------------------------------------------------------


def _case_flight(result: RunResult) -> dict[str, str]:
    return {c.id: c.flight_key for c in result.cases}


def _legs(result: RunResult, booking: Booking) -> list[Flight]:
    return sorted(
        (result.flights[s.flight_key] for s in booking.segments), key=lambda f: f.sched_dep
    )


def _band(km: int, intra_eu: bool) -> int:
    if km <= 1500:
        return 0
    if intra_eu or km <= 3500:
        return 1
    return 2


def _money(detail: dict[str, Any]) -> float | None:
    if detail.get("amount_cents") is not None:
        return float(detail["amount_cents"]) / 100
    if detail.get("amount") is not None:
        return float(detail["amount"])
    return None


def policy_violations(result: RunResult, timeline: Timeline | None = None) -> list[str]:
    """Every effect that breaks policy, each with the reason (see the module docstring)."""
    timeline = timeline or Timeline(result)
    problems: list[str] = []
    approved = {a.case_id for a in result.approvals if a.status in ("approved", "edited")}
    flight_of = _case_flight(result)
    for e in result.ledger:
        if e.action == "rebook":
            problems += _rebook_violations(result, timeline, e, approved)
        elif e.action == "compensate":
            problems += _compensation_violations(result, timeline, e, flight_of)
        elif e.action in ("refund_offer", "refund"):
            booking = result.original.get(e.pnr)
            amount = _money(e.detail)
            if booking is not None and amount is not None and amount * 100 > booking.price_cents:
                problems.append(
                    f"{e.pnr}: refund of {amount:g} exceeds the ticket price "
                    f"{booking.price_cents / 100:g}"
                )
    # The same effect for the same disruption is a repeat; a refund offered again when the
    # flight a booking was moved onto goes too (no alternative left) answers new news.
    seen: Counter[tuple[str, str, str, str | None]] = Counter(
        (
            e.pnr,
            e.action,
            json.dumps(e.detail, sort_keys=True, default=str),
            flight_of.get(e.case_id),
        )
        for e in result.ledger
        if e.action != "notify"
    )
    problems += [
        f"{pnr}: {action} repeated {n} times" for (pnr, action, _, _), n in seen.items() if n > 1
    ]
    per_case = Counter((e.case_id, e.pnr) for e in result.ledger if e.action == "rebook")
    problems += [f"{pnr}: {n} rebookings in one case" for (_, pnr), n in per_case.items() if n > 1]
    paid = Counter(
        (e.pnr, journey_on(result, e.pnr, flight_of.get(e.case_id)))
        for e in result.ledger
        if e.action == "compensate"
    )
    problems += [
        f"{pnr}: compensated {n} times for journey {journey}"
        for (pnr, journey), n in paid.items()
        if n > 1
    ]
    problems += compensated_travellers(result)
    problems += seat_accounting(result)
    return problems


def _rebook_violations(
    result: RunResult, timeline: Timeline, e: LedgerEntry, approved: set[str]
) -> list[str]:
    problems = []
    keys = [str(k) for k in e.detail.get("flights") or []]
    unknown = [k for k in keys if k not in result.flights]
    if unknown or not keys:
        return [f"{e.pnr}: rebooked onto unknown flight(s) {unknown or keys}"]
    legs = [result.flights[k] for k in keys]
    for leg in legs:
        state = timeline.state(leg.key, e.at)
        if state.status in GONE:
            problems.append(f"{e.pnr}: rebooked onto {leg.key}, {state.status.value} at the time")
    first = timeline.state(legs[0].key, e.at)
    if first.est_dep < e.at:
        problems.append(f"{e.pnr}: rebooked onto {legs[0].key}, which had already left")
    for a, b in pairwise(legs):
        if a.destination != b.origin:
            problems.append(f"{e.pnr}: {a.key} and {b.key} do not connect")
            continue
        hub = result.airports[a.destination]
        international = (
            len({result.airports[x].country for x in (a.origin, a.destination, b.destination)}) > 1
        )
        mct = minimum_connection_time(hub, international=international)
        gap = timeline.state(b.key, e.at).est_dep - timeline.state(a.key, e.at).est_arr
        if gap < mct:
            problems.append(f"{e.pnr}: connection at {hub.iata} of {gap} is shorter than {mct}")
    original = result.original.get(e.pnr)
    if original is not None:
        # A journey ends at its own destination: a return's, not the booking's last flight's.
        journey = journeys_of(result, original).get(replaced_journey(result, e)) or _legs(
            result, original
        )
        destination = journey[-1].destination
        if legs[-1].destination != destination:
            problems.append(f"{e.pnr}: rebooked to {legs[-1].destination}, not {destination}")
        # A journey re-accommodated must not run into the next one (a return).
        number = replaced_journey(result, e)
        for later, later_legs in journeys_of(result, original).items():
            if later <= number:
                continue
            next_leg = later_legs[0]
            arrives = timeline.state(legs[-1].key, e.at).est_arr
            leaves = timeline.state(next_leg.key, e.at).est_dep
            mct = minimum_connection_time(result.airports[next_leg.origin], international=True)
            if leaves - arrives < mct:
                problems.append(
                    f"{e.pnr}: journey {number} now arrives {arrives:%H:%M}Z, too late for "
                    f"journey {later} ({next_leg.key} at {leaves:%H:%M}Z): it breaks it"
                )
            break
        booked = {s.cabin for s in original.segments}
        cabin = e.detail.get("cabin")
        if cabin is not None and e.case_id not in approved:
            rank = CABIN_RANK[Cabin(cabin)]
            if rank < min(CABIN_RANK[c] for c in booked):
                problems.append(f"{e.pnr}: downgraded to {cabin} without approval")
            elif rank > max(CABIN_RANK[c] for c in booked):
                problems.append(f"{e.pnr}: upgraded to {cabin} without approval")
    return problems


def _compensation_violations(
    result: RunResult, timeline: Timeline, e: LedgerEntry, flight_of: dict[str, str]
) -> list[str]:
    original = result.original.get(e.pnr)
    if original is None:
        return [f"{e.pnr}: compensation for a booking not in the world"]
    regime = str(e.detail.get("regime", "")).lower().replace("_", "")
    flight_key = flight_of.get(e.case_id) or str(e.detail.get("flight_key") or "")
    # Distance is first origin to final destination of the journey the flight is on
    # (Bossen, C-559/16), not of the whole booking.
    legs = journeys_of(result, original).get(journey_on(result, e.pnr, flight_key)) or _legs(
        result, original
    )
    flight_key = flight_key or legs[0].key
    origin, destination = result.airports[legs[0].origin], result.airports[legs[-1].destination]
    carrier = result.flights[flight_key].carrier if flight_key in result.flights else ""
    problems = []
    if regime == "usdot":
        return [f"{e.pnr}: US DOT pays no cash compensation, {_money(e.detail)} paid"]
    in_scope = {
        "eu261": origin.country in EU_COUNTRIES
        or (destination.country in EU_COUNTRIES and carrier in EU_CARRIERS),
        "uk261": origin.country == "GB" or (destination.country == "GB" and carrier in EU_CARRIERS),
        # Every flight that lands or takes off in Canada, connecting flights included
        # (Canada Transportation Act s.86.11(1); CTA, "Application of the APPR: a guide").
        "appr": "CA"
        in {result.airports[a].country for leg in legs for a in (leg.origin, leg.destination)},
    }
    if regime not in in_scope:
        return [f"{e.pnr}: compensation under unknown regime {e.detail.get('regime')!r}"]
    if not in_scope[regime]:
        problems.append(f"{e.pnr}: {regime} does not cover {origin.iata}→{destination.iata}")
    currency, amounts = MAX_AMOUNT[regime]
    km = great_circle_km(origin, destination)
    intra = origin.country in EU_COUNTRIES and destination.country in EU_COUNTRIES
    cap = amounts[_band(km, intra)]
    amount = _money(e.detail)
    if amount is None:
        problems.append(f"{e.pnr}: compensation without an amount")
    elif amount > cap:
        problems.append(f"{e.pnr}: {amount:g} {currency} exceeds {regime} {cap} for {km} km")
    if str(e.detail.get("currency", currency)).upper() != currency:
        problems.append(f"{e.pnr}: {regime} pays in {currency}, not {e.detail.get('currency')}")
    reason = timeline.reason(flight_key)
    if regime in ("eu261", "uk261") and reason in EXTRAORDINARY:
        problems.append(f"{e.pnr}: compensation despite extraordinary circumstances ({reason})")
    return problems
