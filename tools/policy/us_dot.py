"""United States DOT rules: status notification (14 CFR 259.8) and automatic refunds (Part 260).

There is no federal cash compensation for delays or cancellations (DOMAIN.md). The DOT
dashboard commitments for controllable disruptions are each carrier's own promises, not
federal rules, so they are not modelled here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from .facts import BookingFacts, Disruption, DisruptionKind, PassengerChoice, Trip, hours_text
from .results import EntitlementKind, Findings, Regime

if TYPE_CHECKING:
    from .config import PolicyConfig

NOTIFY_FROM_DELAY = timedelta(minutes=30)
NOTIFY_WITHIN = timedelta(minutes=30)
"""14 CFR 259.8: within 30 minutes of learning of a delay of 30 minutes or more, a
cancellation or a diversion, the carrier informs the passengers."""

DOMESTIC_CHANGE = timedelta(hours=3)
INTERNATIONAL_CHANGE = timedelta(hours=6)
"""14 CFR 260.2 "significant change": departure or arrival moved this much or more. From
secondary sources; the exact wording of §260.2 is unconfirmed (DOMAIN.md)."""

SIGNIFICANT_CHANGE = "14 CFR 260.2 (significant change; secondary sources, wording unconfirmed)"
REFUND_TERMS = (
    "to the original form of payment, without fee, within 7 business days (card) or "
    "20 days (other forms of payment)"
)


def must_notify(kind: DisruptionKind, delay: timedelta | None) -> bool:
    """Whether 14 CFR 259.8 requires telling the passengers about this change of their flight.

    A missed connection is not a change of a flight's status; the late inbound flight's own
    delay is its own disruption, with its own duty.
    """
    if kind in (DisruptionKind.CANCELLED, DisruptionKind.DIVERTED):
        return True
    if kind is DisruptionKind.DELAYED:
        return delay is not None and delay >= NOTIFY_FROM_DELAY
    return False


def significant_changes(
    booking: BookingFacts, d: Disruption, trip: Trip, *, limit: timedelta
) -> list[str]:
    """Each way the alternative is a significant change of the booked journey (14 CFR 260.2).

    Args:
        limit: how far departure or arrival may move before it is significant (3 h
            domestic, 6 h international by default).
    """
    changes = []
    for what, moved in (("departure", d.departure_delay), ("arrival", d.arrival_delay)):
        if moved is not None and abs(moved) >= limit:
            changes.append(f"{what} moved by {hours_text(moved)} (limit {hours_text(limit)})")
    if trip.alt_origin.iata != trip.origin.iata:
        changes.append(f"leaves from {trip.alt_origin.iata}, not {trip.origin.iata}")
    if trip.alt_destination.iata != trip.destination.iata:
        changes.append(f"arrives at {trip.alt_destination.iata}, not {trip.destination.iata}")
    if d.connections_offered is not None and d.connections_offered > d.connections_booked:
        changes.append(f"{d.connections_offered - d.connections_booked} connection(s) added")
    if d.downgraded:
        changes.append(f"downgraded to {d.cabin_flown}")
    if d.less_accessible and (booking.reduced_mobility or booking.accompanies_reduced_mobility):
        changes.append("less accessible for a passenger with a disability")
    return changes


def assess(booking: BookingFacts, d: Disruption, trip: Trip, config: PolicyConfig) -> Findings:
    """The DOT duties and refunds for a journey to, from or within the United States."""
    out = Findings(Regime.US_DOT)
    us = config.us_countries
    flight_covered = trip.flight_origin.country in us or trip.flight_destination.country in us
    delay = d.departure_delay if d.departure_delay is not None else d.arrival_delay
    if flight_covered and must_notify(d.kind, delay):
        due = None if d.carrier_aware_at is None else d.carrier_aware_at + NOTIFY_WITHIN
        out.owe(
            EntitlementKind.NOTIFICATION_DUTY,
            "14 CFR 259.8",
            f"tell the passenger of the {d.kind.value} flight within 30 minutes of learning of it",
            due_by=due,
        )
    domestic = trip.origin.country in us and trip.destination.country in us
    limit = config.dot_domestic_change if domestic else config.dot_international_change
    changes = significant_changes(booking, d, trip, limit=limit)
    if d.kind is DisruptionKind.CANCELLED:
        citation, why = "14 CFR Part 260", "the flight was cancelled"
    elif d.kind is DisruptionKind.DIVERTED and not d.alternative_offered:
        # Landed elsewhere and nothing carries the passenger on: the journey as flown ends
        # at another airport, a significant change whether or not that airport is known.
        citation = f"14 CFR Part 260; {SIGNIFICANT_CHANGE}"
        why = "; ".join(changes) or f"the flight was diverted and does not reach {d.destination}"
    elif changes:
        citation, why = f"14 CFR Part 260; {SIGNIFICANT_CHANGE}", "; ".join(changes)
    else:
        out.note(SIGNIFICANT_CHANGE, "no automatic refund: not a significant change")
        _no_cash(out)
        return out
    if d.choice is PassengerChoice.REFUND or not d.alternative_offered:
        declined = "none was offered" if not d.alternative_offered else "the passenger declined it"
        out.owe(
            EntitlementKind.REFUND,
            citation,
            f"automatic refund {REFUND_TERMS}: {why}, and {declined}",
        )
    elif d.choice is PassengerChoice.UNDECIDED:
        out.owe(
            EntitlementKind.REFUND_OPTION,
            citation,
            f"refund {REFUND_TERMS} if the passenger declines the alternative: {why}",
        )
    else:
        out.note(citation, "no refund: the passenger accepted the alternative")
    _no_cash(out)
    return out


def _no_cash(out: Findings) -> None:
    out.note(
        "DOT (DOMAIN.md)",
        "no federal cash compensation for delays or cancellations; carriers' dashboard "
        "commitments are their own and not modelled",
    )
