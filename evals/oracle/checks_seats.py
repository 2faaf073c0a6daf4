"""Seats and itineraries: no oversold cabin at any instant, no rebooking onto a flight
that was gone, left or disrupted, legal connections, the right route and cabin, groups
kept together, and a database that matches what the ledger says was done."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise

from evals.oracle.checks_outcomes import could_travel_together
from evals.oracle.context import Judged
from evals.oracle.journeys import set_down, unflown
from evals.oracle.record import Leg
from evals.oracle.rules import mct
from evals.oracle.verdict import Finding, when


def check(j: Judged) -> list[Finding]:
    return [*_oversold(j), *_rebookings(j), *_groups(j), *_ledger_matches(j)]


def _oversold(j: Judged) -> list[Finding]:
    found = []
    flights = j.record.world.flights
    sold: Counter[tuple[str, str]] = Counter(
        {(k, cabin): n for k, f in flights.items() for cabin, n in f.sold.items()}
    )
    flagged = set()
    for change in sorted(j.seats.seat_changes, key=lambda c: c.at):
        where = (change.flight, change.cabin)
        sold[where] += change.delta
        capacity = flights[change.flight].capacity.get(change.cabin, 0)
        if sold[where] > capacity and where not in flagged:
            flagged.add(where)
            found.append(
                Finding(
                    "oversold",
                    change.pnr,
                    f"{change.flight} {change.cabin}: {sold[where]} passengers for {capacity} "
                    f"seats at {when(change.at)} after this booking was moved onto it",
                )
            )
    return found


def _rebookings(j: Judged) -> list[Finding]:
    found = []
    record, board = j.record, j.board
    flights, places = record.world.flights, record.world.places
    approved = {a.case_id for a in record.approvals if a.status in ("approved", "edited")}
    for pnr, journey in j.seats.journeys.items():
        previous: tuple[Leg, ...] = journey.versions[0][1]
        for at, legs, effect in journey.versions[1:]:
            if effect is None or effect.action != "rebook":
                previous = legs
                continue
            new = [leg for leg in legs if leg not in previous]
            everything = legs
            # The route is judged on the journey the new flights carry the passenger on:
            # another journey of the booking (a return, an open jaw) is not a connection.
            trip = new[0].journey if new else None
            legs = tuple(leg for leg in legs if leg.journey == trip)
            previous = tuple(leg for leg in previous if leg.journey == trip)
            own = record.world.bookings[pnr].legs_of(trip) if trip is not None else ()
            destination = flights[own[-1].flight].destination if own else j.destination[pnr]
            for leg in new:
                state = board.state(leg.flight, at)
                if state.gone:
                    found.append(
                        Finding(
                            "bad_rebooking",
                            pnr,
                            f"moved onto {leg.flight} at {when(at)}, when it was {state.status}",
                        )
                    )
                elif state.status in ("departed", "arrived") or state.est_dep <= at:
                    found.append(
                        Finding(
                            "bad_rebooking",
                            pnr,
                            f"moved onto {leg.flight} at {when(at)}, "
                            f"which had left at {when(state.est_dep)}",
                        )
                    )
            ahead = unflown(record, board, legs, at)
            for a, b in pairwise(ahead):
                fa, fb = flights[a.flight], flights[b.flight]
                if fa.destination != fb.origin:
                    found.append(
                        Finding("wrong_route", pnr, f"{a.flight} and {b.flight} do not connect")
                    )
                    continue
                need = mct(places[fa.destination], places[fa.origin], places[fb.destination])
                gap = board.state(b.flight, at).est_dep - board.state(a.flight, at).est_arr
                if gap < need and (a in new or b in new):
                    found.append(
                        Finding(
                            "short_connection",
                            pnr,
                            f"new connection {a.flight} → {b.flight} "
                            f"at {fa.destination}: {int(gap.total_seconds() // 60)} min, "
                            f"the minimum is {int(need.total_seconds() // 60)} min",
                        )
                    )
            if ahead and flights[ahead[-1].flight].destination != destination:
                found.append(
                    Finding(
                        "wrong_route",
                        pnr,
                        f"rebooked to {flights[ahead[-1].flight].destination}, "
                        f"booked to {destination}",
                    )
                )
            start = _where(j, previous, at)
            down = set_down(record, board, j.seats.journeys[pnr], at)
            if start is not None and down is not None:
                start |= down.places  # re-diverted: put down elsewhere than first said
            if ahead and start is not None and flights[ahead[0].flight].origin not in start:
                found.append(
                    Finding(
                        "wrong_route",
                        pnr,
                        f"new itinerary leaves {flights[ahead[0].flight].origin}; "
                        f"the passenger is at {' or '.join(sorted(start))}",
                    )
                )
            booked = {leg.cabin for leg in previous if leg not in legs}
            cabins = {leg.cabin for leg in new}
            if booked and cabins and cabins != booked and effect.case_id not in approved:
                found.append(
                    Finding(
                        "cabin_change",
                        pnr,
                        f"moved from {'/'.join(sorted(booked))} to "
                        f"{'/'.join(sorted(cabins))} without an approved approval",
                    )
                )
            previous = everything
    return found


def _where(j: Judged, legs: tuple[Leg, ...], at: object) -> set[str] | None:
    """Where the passenger can be when the itinerary changes: the origin of the first leg
    not flown, or the diversion airport of a diverted leg they were on."""
    from datetime import datetime

    assert isinstance(at, datetime)
    flights = j.record.world.flights
    if not legs:
        return None
    places = {flights[legs[0].flight].origin}
    ahead = unflown(j.record, j.board, legs, at)  # one that left without them is not flown
    for leg in legs:
        state = j.board.state(leg.flight, at)
        if state.status == "diverted":
            places |= {state.diverted_to} if state.diverted_to else set()
            places.add(flights[leg.flight].origin)
            return places
        if leg not in ahead:
            places = {flights[leg.flight].destination}
            continue
        return places | {flights[leg.flight].origin}
    return places


def _groups(j: Judged) -> list[Finding]:
    found = []
    groups: dict[str, list[str]] = defaultdict(list)
    for pnr, booking in j.record.world.bookings.items():
        if booking.group:
            groups[booking.group].append(pnr)
    for group, pnrs in groups.items():
        finals = {
            pnr: tuple(leg.flight for leg in j.seats.journeys[pnr].final)
            for pnr in pnrs
            if j.seats.journeys[pnr].refunded_at is None
        }
        if len(set(finals.values())) > 1 and could_travel_together(j, pnrs):
            parts = "; ".join(
                f"{p} on {'+'.join(f) or 'nothing'}" for p, f in sorted(finals.items())
            )
            found.append(Finding("split", None, f"group {group} travels apart: {parts}"))
    return found


def _ledger_matches(j: Judged) -> list[Finding]:
    record = j.record
    found = [Finding("ledger_mismatch", pnr, why) for pnr, why in j.seats.problems]
    for pnr, after in record.bookings_after.items():
        journey = j.seats.journeys.get(pnr)
        if journey is None:
            continue
        if journey.closed_at is not None or after.status != "active":
            continue
        expected = sorted(leg.flight for leg in journey.whole_final)
        actual = sorted(leg.flight for leg in after.legs)
        if expected != actual:
            found.append(
                Finding(
                    "ledger_mismatch",
                    pnr,
                    f"the booking holds {'+'.join(actual) or 'nothing'}, "
                    f"the ledger explains {'+'.join(expected) or 'nothing'}",
                )
            )
    if not record.sold_after:
        return found
    end = record.end
    for (key, cabin), sold in sorted(record.sold_after.items()):
        if key not in record.world.flights:
            continue
        explained = j.seats.sold_at(record, key, cabin, end) + record.held_after.get(
            (key, cabin), 0
        )
        if sold != explained:
            found.append(
                Finding(
                    "ledger_mismatch",
                    None,
                    f"{key} {cabin}: {sold} seats sold in the database, "
                    f"the ledger and the open holds explain {explained}",
                )
            )
    return found
