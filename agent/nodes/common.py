"""What several nodes share: the attempt limit, local times for passenger text, and the
policy checks' view of a case."""

from __future__ import annotations

from datetime import date, datetime

from agent.state import CaseContext, CaseReason
from airline.schedule import Schedule
from airline.zones import zone
from tools.flights import Itinerary
from tools.policy.config import PolicyConfig
from tools.policy.validate import CaseFacts

# Seat races (lost at the guard or in act) are searched again this often, then told.
MAX_ATTEMPTS = 3


def local_time(
    schedule: Schedule,
    airport: str,
    instant: datetime,
    *,
    reference: date | None = None,
    language: str = "en",
) -> str:
    """The local time at `airport` ("14:05"), with the date ("2 Mar 14:05") when that is
    not the `reference` day (the original flight's), so a next-day flight with the same
    number and time cannot read as unchanged. The date is written as `language` writes it."""
    local = instant.astimezone(zone(schedule.airports[airport].tz))
    if reference is None or local.date() == reference:
        return local.strftime("%H:%M")
    return f"{day_label(local.date(), language)} {local:%H:%M}"


def describe_itinerary(
    schedule: Schedule,
    itinerary: Itinerary | None,
    flights: list[str],
    *,
    reference: date | None = None,
    language: str = "en",
) -> str:
    """e.g. "XA123 FRA 14:05 → LHR 14:50" with local times, legs joined by " / "; a time on
    another day than `reference` (the original flight's) carries its date, in `language`:
    "XA123 FRA 2 Mar 07:05 → LHR 07:50"."""
    if itinerary is None:
        return " / ".join(flights)

    def at(airport: str, instant: datetime) -> str:
        return local_time(schedule, airport, instant, reference=reference, language=language)

    return " / ".join(
        f"{leg.flight_key.split('/')[0]} {leg.origin} {at(leg.origin, leg.dep)}"
        f" → {leg.destination} {at(leg.destination, leg.arr)}"
        for leg in itinerary.legs
    )


def describe_option(
    schedule: Schedule, itinerary: Itinerary, *, reference: date | None = None, language: str = "en"
) -> str:
    """An offered option in a few characters, for a text message that lists them all:
    its flights and their departure, local time, e.g. "XA106 18:05", "XA108+XA312 2 Mar
    07:05". Airports and arrival are left out so that all options still fit the text's
    segments: every option leaves from where the booked flights do
    (`agent.offer_terms.other_options`) for where the passenger is going, which the
    message has said; the flight numbers tell them apart."""
    first = itinerary.legs[0]
    flights = "+".join(leg.flight_key.split("/")[0] for leg in itinerary.legs)
    leaves = local_time(schedule, first.origin, first.dep, reference=reference, language=language)
    return f"{flights} {leaves}"


def original_day(schedule: Schedule, flight_key: str) -> date | None:
    """The local day the disrupted flight was to leave: the day the message names."""
    flight = schedule.flights.get(flight_key)
    if flight is None:
        return None
    return flight.sched_dep.astimezone(zone(schedule.airports[flight.origin].tz)).date()


_MONTHS_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def day_label(day: date, language: str) -> str:
    """A short date in the passenger's language: en "2 Mar", de "2.3.", fr/es "02/03",
    zh "3月2日" (other languages: ISO)."""
    if language == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]}"
    if language == "de":
        return f"{day.day}.{day.month}."
    if language in ("fr", "es"):
        return f"{day.day:02d}/{day.month:02d}"
    if language == "zh":
        return f"{day.month}月{day.day}日"
    return day.isoformat()


# Compensation for a delay is judged on the actual arrival (its own case, ARRIVED_LATE).
JUDGED_LATER = frozenset(
    {CaseReason.DELAYED, CaseReason.RECOVERED, CaseReason.GATE_CHANGE, CaseReason.REINSTATED}
)
# The passenger may still decline to travel, and take the refund a rule gives.
STILL_TO_TRAVEL = frozenset(
    {
        CaseReason.CANCELLED,
        CaseReason.DIVERTED,
        CaseReason.MISSED_CONNECTION,
        CaseReason.DELAYED,
    }
)
# Care is for someone still waiting.
NO_CARE = frozenset({CaseReason.ARRIVED_LATE, CaseReason.GATE_CHANGE, CaseReason.REINSTATED})


def case_facts(context: CaseContext, policy: PolicyConfig | None = None) -> CaseFacts:
    return CaseFacts(
        booking=context.booking,
        tier=context.customer.tier,
        disrupted_flight=context.disrupted_flight,
        now=context.now,
        broken_seqs=context.replace_seqs,
        origin=context.origin,
        destination=context.destination,
        booked_cabin=context.cabin,
        not_before=context.earliest_dep,
        allow_cabin_change=True,  # allowed, but a human decides (the approve node)
        pay_compensation=context.reason not in JUDGED_LATER,
        give_care=context.reason not in NO_CARE,
        held_flights=tuple(context.assignment.flights)
        if context.assignment and context.assignment.hold_id
        else (),
        offer_refund=context.reason in STILL_TO_TRAVEL,
        policy=policy,
        arrive_by=context.arrive_by,
        also_from=context.also_from,
    )
