"""Canada's Air Passenger Protection Regulations (APPR, SOR/2019-150) as data and rules.

Scope: flights to, from and within Canada, connections included. What the carrier owes
depends on whose control the cause was in: outside it (s.10), within it but required for
safety (s.11), or within it (s.12). Only the last brings money (s.19), and only when the
passenger was told 14 days or less before departure (s.12(2)(d), (3)(d)).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from airline.models import ReasonCode

from .eu261 import KnockOn, root_cause
from .facts import (
    BookingFacts,
    Disruption,
    DisruptionKind,
    PassengerChoice,
    Trip,
    hours_text,
    overnight,
)
from .results import CareItem, EntitlementKind, Findings, Regime

if TYPE_CHECKING:
    from .config import PolicyConfig


class ApprControl(StrEnum):
    OUTSIDE = "outside"
    """s.10: outside the carrier's control."""
    SAFETY = "safety"
    """s.11: within its control but required for safety purposes."""
    WITHIN = "within"
    """s.12: within its control."""


DEFAULT_APPR_CONTROL: Mapping[ReasonCode, ApprControl] = {
    # s.10(1) lists weather, ATC instructions, security threats, airport operation issues,
    # collisions with wildlife, and labour disruptions within the carrier or an essential
    # service provider: so even the carrier's own strike is outside its control here.
    ReasonCode.WEATHER: ApprControl.OUTSIDE,
    ReasonCode.ATC: ApprControl.OUTSIDE,
    ReasonCode.AIRPORT_CLOSURE: ApprControl.OUTSIDE,
    ReasonCode.SECURITY: ApprControl.OUTSIDE,
    ReasonCode.BIRD_STRIKE: ApprControl.OUTSIDE,
    ReasonCode.THIRD_PARTY_STRIKE: ApprControl.OUTSIDE,
    ReasonCode.OWN_STAFF_STRIKE: ApprControl.OUTSIDE,
    # An unscheduled technical fault is usually fixed under the safety management system,
    # which s.1 counts as "required for safety purposes"; scheduled maintenance is not.
    # Uncertain case by case, hence configurable.
    ReasonCode.TECHNICAL: ApprControl.SAFETY,
    ReasonCode.CREW: ApprControl.WITHIN,
    ReasonCode.SCHEDULING: ApprControl.WITHIN,
    ReasonCode.KNOCK_ON: ApprControl.WITHIN,
    ReasonCode.OTHER: ApprControl.WITHIN,
}

LARGE_AMOUNTS = ((timedelta(hours=9), 1000), (timedelta(hours=6), 700), (timedelta(hours=3), 400))
SMALL_AMOUNTS = ((timedelta(hours=9), 500), (timedelta(hours=6), 250), (timedelta(hours=3), 125))
"""s.19(1)(a) large and (b) small carrier, CAD, by arrival delay at the ticketed destination:
3 h or more but less than 6, 6 or more but less than 9, 9 or more."""
REFUND_AMOUNT = {True: 400, False: 125}
"""s.19(2): CAD when the ticket is refunded under s.17(2); keyed by "large carrier"."""
NOTICE_WINDOW = timedelta(days=14)
"""s.12(2)(d), (3)(d): money only if told 14 days or less before the original departure."""
CARE_NOTICE = timedelta(hours=12)
"""s.12(2)(b), (3)(b): care only if told less than 12 hours before the original departure."""
OUTSIDE_REBOOK_WITHIN = timedelta(hours=48)
"""s.18: outside the carrier's control, a refund is owed if alternate travel cannot be
provided within 48 hours of the original departure."""
REBOOK_FROM_DELAY = timedelta(hours=3)
"""s.12(2)(c): alternate travel or a refund for a delay of three hours or more."""

_K = EntitlementKind


def compensation(arrival_delay: timedelta, *, large: bool) -> tuple[int, str] | None:
    """The s.19(1) amount in CAD and its citation, or None under 3 h."""
    table = LARGE_AMOUNTS if large else SMALL_AMOUNTS
    size = "a" if large else "b"
    for point, (from_, amount) in zip(("iii", "ii", "i"), table, strict=True):
        if arrival_delay >= from_:
            return amount, f"APPR s.19(1)({size})({point})"
    return None


def control(d: Disruption, config: PolicyConfig) -> ApprControl:
    """Whose control the cause was in; a knock-on inherits its originating cause."""
    cause = root_cause(d.reason, d.originating_reason, knock_on=KnockOn.INHERIT)
    return config.appr_control.get(cause, ApprControl.WITHIN)


def assess(booking: BookingFacts, d: Disruption, trip: Trip, config: PolicyConfig) -> Findings:
    """What APPR owes for a journey to, from or within Canada."""
    out = Findings(Regime.APPR)
    whose = control(d, config)
    para = "3" if d.kind is DisruptionKind.CANCELLED else "2"
    section = {ApprControl.OUTSIDE: "10", ApprControl.SAFETY: "11", ApprControl.WITHIN: "12"}
    here = f"APPR s.{section[whose]}"
    late = d.arrival_delay
    large = d.carrier not in config.appr_small_carriers
    if whose is not ApprControl.WITHIN:
        out.note(here, f"no compensation: {d.reason.value} is {whose.value}-control under APPR")
    elif d.notice > NOTICE_WINDOW:
        out.note(f"APPR s.12({para})(d)", "no compensation: told more than 14 days ahead")
    elif d.choice is PassengerChoice.REFUND and _rebooking_owed(d):
        out.owe(
            _K.COMPENSATION,
            f"APPR s.12({para})(d), s.19(2)({'a' if large else 'b'})",
            "the ticket was refunded",
            amount_cents=REFUND_AMOUNT[large] * 100,
            currency="CAD",
        )
    elif late is not None and (found := compensation(late, large=large)) is not None:
        amount, citation = found
        out.owe(
            _K.COMPENSATION,
            f"APPR s.12({para})(d), {citation}",
            f"arrival at the ticketed destination {hours_text(late)} late; "
            + ("large" if large else "small")
            + " carrier",
            amount_cents=amount * 100,
            currency="CAD",
        )
    else:
        out.note("APPR s.19(1)", "no compensation: arrival under 3 h late or unknown")
    _inform(out, d, config)
    _care(out, d, trip, whose, para, config)
    _travel_or_refund(out, d, whose, para)
    return out


def _inform(out: Findings, d: Disruption, config: PolicyConfig) -> None:
    """s.13 (by s.10(3)(a), s.11(2)(a), s.12(2)(a), (3)(a)): the reason, the compensation
    and treatment owed and the recourse, as soon as feasible, then status updates every 30
    minutes until a new departure time or alternate travel is set. "As soon as feasible"
    is read as within `PolicyConfig.appr_inform_within` of the carrier learning of it."""
    due = None if d.carrier_aware_at is None else d.carrier_aware_at + config.appr_inform_within
    out.owe(
        _K.NOTIFICATION_DUTY,
        "APPR s.13",
        "tell the passenger the reason, what they are owed and their recourse as soon as "
        "feasible, then update every 30 minutes",
        due_by=due,
    )


def _care(
    out: Findings, d: Disruption, trip: Trip, whose: ApprControl, para: str, config: PolicyConfig
) -> None:
    if whose is ApprControl.OUTSIDE or d.notice >= CARE_NOTICE:
        return
    wait = d.departure_delay if d.kind is not DisruptionKind.DIVERTED else d.arrival_delay
    if d.kind is not DisruptionKind.CANCELLED and (wait is None or wait < config.appr_care_after):
        return
    basis = f"{_section(whose, para, 'b')}, s.14"
    out.owe(_K.CARE, basis, "food and drink in reasonable quantities", care=CareItem.MEALS)
    out.owe(_K.CARE, basis, "access to a means of communication", care=CareItem.COMMUNICATION)
    if overnight(d, trip):
        out.owe(_K.CARE, basis, "hotel and transport: an overnight wait", care=CareItem.HOTEL)


def _section(whose: ApprControl, para: str, letter: str) -> str:
    """The obligation's citation; s.11 (safety) is cited whole, its paragraphs unconfirmed."""
    if whose is ApprControl.SAFETY:
        return "APPR s.11"
    return f"APPR s.12({para})({letter})"


def _rebooking_owed(d: Disruption) -> bool:
    """s.12(2)(c), (3)(c): on a cancellation, or a delay of three hours or more. A passenger
    set down short of the destination (a diversion, a lost connection) with nothing yet
    carrying them on arrives late without end: at least the three hours, whatever the
    flown leg's departure delay says."""
    if d.kind is DisruptionKind.CANCELLED:
        return True
    stranded = d.kind in (DisruptionKind.DIVERTED, DisruptionKind.MISSED_CONNECTION)
    if stranded and not d.alternative_offered and d.arrival_delay is None:
        return True
    delays = [x for x in (d.departure_delay, d.arrival_delay) if x is not None]
    return bool(delays and max(delays) >= REBOOK_FROM_DELAY)


def _travel_or_refund(out: Findings, d: Disruption, whose: ApprControl, para: str) -> None:
    if not _rebooking_owed(d):
        return
    if whose is ApprControl.OUTSIDE:
        # DOMAIN.md: outside control, rebook within 48 h, else refund. The refund is the
        # passenger's to choose only when no alternative leaves within those 48 hours.
        out.owe(_K.REROUTING, "APPR s.18", "rebooking on the next available flight")
        late = d.departure_delay
        if d.alternative_offered and late is not None and late <= OUTSIDE_REBOOK_WITHIN:
            out.note("APPR s.18", "no refund: alternate travel leaves within 48 hours")
            return
        out.owe(
            _K.REFUND if d.choice is PassengerChoice.REFUND else _K.REFUND_OPTION,
            "APPR s.18",
            "a refund: the carrier cannot provide alternate travel within 48 hours",
        )
        return
    basis = f"{_section(whose, para, 'c')}, s.17"
    if d.choice is not PassengerChoice.REFUND:
        out.owe(_K.REROUTING, f"{basis}(1)", "alternate travel arrangements free of charge")
    if d.choice is not PassengerChoice.TRAVEL:
        out.owe(
            _K.REFUND if d.choice is PassengerChoice.REFUND else _K.REFUND_OPTION,
            f"{basis}(2)",
            "a refund if the alternate arrangements do not meet the passenger's travel needs",
        )
