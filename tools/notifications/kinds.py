"""What each kind of passenger message is: its fields and how urgent it is.

`SPECS` is the one table of kinds: the fields a kind's templates use (`templates`) and
whether it may wait out the passenger's night (`timing`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class MessageKind(StrEnum):
    CANCELLED_REBOOKED = "cancelled_rebooked"
    CANCELLED_NO_ALTERNATIVE = "cancelled_no_alternative"
    DIVERTED_REBOOKED = "diverted_rebooked"
    DIVERTED_NO_ALTERNATIVE = "diverted_no_alternative"
    MISSED_CONNECTION_REBOOKED = "missed_connection_rebooked"
    MISSED_CONNECTION_NO_ALTERNATIVE = "missed_connection_no_alternative"
    DELAY = "delay"
    OFFER = "offer"
    """Alternatives await the passenger's choice."""
    REFUND = "refund"
    """A refund is confirmed."""
    GATE_CHANGE = "gate_change"
    CARE = "care"
    """Meal voucher and/or hotel the passenger is entitled to while they wait."""
    REMINDER = "reminder"
    """Before a rebooked passenger's new departure: it still leaves as planned."""
    COMPENSATION = "compensation"
    """After a late arrival: the compensation owed, paid without a claim."""
    REINSTATED = "reinstated"
    """A cancelled flight operates after all; the booking on it stands."""
    REBOOKING_PENDING = "rebooking_pending"
    """The flight changed and the new plan waits for a decision: told now, so that a legal
    deadline to inform (14 CFR 259.8: 30 minutes) is met while a human decides."""
    OFFER_REPLACED = "offer_replaced"
    """The passenger answered an offer a later change of their trip replaced: nothing was
    done; what they hold now (and the newer offer's options) instead."""


NO_ALTERNATIVE_KINDS = frozenset(
    {
        MessageKind.CANCELLED_NO_ALTERNATIVE,
        MessageKind.DIVERTED_NO_ALTERNATIVE,
        MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE,
    }
)
"""The messages that tell a passenger nothing could be rebooked (the case's outcome)."""


class Urgency(StrEnum):
    """Whether a kind of message may wait out the passenger's night."""

    ALWAYS = "always"
    """The passenger must know now (their trip changed, or they are waiting at the airport)."""
    NEAR_DEPARTURE = "near_departure"
    """Urgent when the departure is near, or unknown."""
    NEVER = "never"
    """Information that keeps until morning."""


@dataclass(frozen=True)
class KindSpec:
    """The fields a kind's templates use, and how urgent it is."""

    urgency: Urgency
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    """Shown when given and not blank; templates test them with ``{% if %}``."""
    lists: frozenset[str] = frozenset()
    """Fields that are a sequence of strings (each shown on its own line)."""
    one_of: tuple[str, ...] = ()
    """Optional fields of which at least one must be given."""


_TRIP = ("flight", "route", "date")
# What the passenger is owed, told in the same message (one message per change).
_OWED = ("compensation", "citation", "care_meals", "care_hotel")
# `answer_by`: until when the passenger may answer the offer the rebooking opened
# (`agent.offer_terms.reply_deadline`), e.g. with the reply word that takes the refund.
# `others`: the offer's options 2..N, in its order (`agent.offer_terms.other_options`),
# each a few characters (`agent.nodes.common.describe_option`): the number a passenger
# replies is the option's number on the desk.
_REBOOKED = KindSpec(
    Urgency.ALWAYS,
    (*_TRIP, "itinerary"),
    (*_OWED, "refund", "answer_by", "others"),
    frozenset({"others"}),
)
_NO_ALTERNATIVE = KindSpec(Urgency.ALWAYS, _TRIP, (*_OWED, "refund"))

SPECS: Mapping[MessageKind, KindSpec] = {
    MessageKind.CANCELLED_REBOOKED: _REBOOKED,
    MessageKind.CANCELLED_NO_ALTERNATIVE: _NO_ALTERNATIVE,
    MessageKind.DIVERTED_REBOOKED: _REBOOKED,
    MessageKind.DIVERTED_NO_ALTERNATIVE: _NO_ALTERNATIVE,
    MessageKind.MISSED_CONNECTION_REBOOKED: _REBOOKED,
    # The late flight still goes: its departure (or, once it has left, its landing) is the
    # 14 CFR 259.8 news, and a further delay is told again in other words
    # (found-deadline-s287-w1: told "late, you would miss your connection" at 80 min and
    # never the 145 min after, the repeat dropped as saying nothing new).
    MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE: KindSpec(
        Urgency.ALWAYS, _TRIP, (*_OWED, "refund", "new_dep", "departed", "new_arr")
    ),
    MessageKind.DELAY: KindSpec(
        Urgency.NEAR_DEPARTURE,
        (*_TRIP, "new_dep", "minutes"),
        (*_OWED, "refund", "departed", "new_arr"),
    ),
    # Offered seats go to others if the passenger waits: never held overnight.
    MessageKind.OFFER: KindSpec(
        Urgency.ALWAYS, (*_TRIP, "options", "link"), ("until",), frozenset({"options"})
    ),
    MessageKind.REFUND: KindSpec(Urgency.NEVER, (*_TRIP, "amount", "days")),
    MessageKind.GATE_CHANGE: KindSpec(
        Urgency.NEAR_DEPARTURE, (*_TRIP, "gate", "new_dep"), ("old_gate",)
    ),
    MessageKind.COMPENSATION: KindSpec(
        Urgency.NEVER, (*_TRIP, "minutes", "compensation", "citation")
    ),
    MessageKind.REMINDER: KindSpec(Urgency.NEAR_DEPARTURE, (*_TRIP, "new_dep"), ("gate",)),
    # Told at once, night or not: it goes only to passengers told their flight was gone
    # (news that itself went at once), who may be acting on it at any hour (booking another
    # carrier, taking the refund, heading home). A correction is as urgent as the news it
    # corrects; the oracle reads quiet hours the same way (`evals.oracle.rules.NEVER_HELD`).
    MessageKind.REINSTATED: KindSpec(Urgency.ALWAYS, (*_TRIP, "new_dep")),
    # `status`: cancelled, diverted, delayed or missed_connection (each template words it).
    MessageKind.REBOOKING_PENDING: KindSpec(Urgency.ALWAYS, (*_TRIP, "status"), ("until",)),
    # The answer to someone who just wrote to us: they are awake and waiting for it.
    # `itinerary`: the flights the journey holds now (none: the latest message says what
    # they may choose); `others` and `answer_by`: the newer offer's, numbered as it is.
    MessageKind.OFFER_REPLACED: KindSpec(
        Urgency.ALWAYS, _TRIP, ("itinerary", "others", "answer_by"), frozenset({"others"})
    ),
    # Care is for someone waiting at the airport now.
    MessageKind.CARE: KindSpec(
        Urgency.ALWAYS, (*_TRIP, "voucher"), ("meal", "hotel"), one_of=("meal", "hotel")
    ),
}
"""Per kind: its fields and urgency. ``refund`` offers the refund the passenger may choose
instead (EU261 Art 8, 14 CFR Part 260, APPR s.17). ``new_dep`` is the departure, local
time at its airport, ``new_arr`` the arrival, local time at its airport; a delay's
``departed`` says the news came after the flight had left (`FlightState.left_before_news`):
its passengers hear it in the air, so it says when they land and how care is claimed back;
``itinerary`` and each of ``options`` describe flights as ``XA104 FRA 14:30 → LHR 15:45``."""

FieldValue = str | Sequence[str]
