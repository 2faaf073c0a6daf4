"""Regulation (EC) No 261/2004 as data: distance bands, thresholds and the small rules on them.

Source: eur-lex CELEX 32004R0261 and the CJEU judgments named beside each rule. UK261 is
the same regulation retained in UK law, so `tools.policy.uk261` reuses everything here
except the amounts and the scope. Nothing in this module knows about bookings or the
configuration: each function takes plain values and cites the article it implements.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum, StrEnum

from airline.models import ReasonCode

from .results import Regime


class Band(IntEnum):
    """The three distance bands of Art 7(1); Art 6(1), 7(2) and 10(2) use the same bands."""

    SHORT = 1
    """1500 km or less (Art 7(1)(a))."""
    MEDIUM = 2
    """Intra-Community over 1500 km, or any other flight of 1500–3500 km (Art 7(1)(b))."""
    LONG = 3
    """Every other flight: over 3500 km and not intra-Community (Art 7(1)(c))."""


class KnockOn(StrEnum):
    """How a delay caused by the aircraft's late previous flight is judged under Art 5(3)."""

    INHERIT = "inherit"
    """Judge the originating flight's cause; a carrier may rely on an extraordinary
    circumstance that hit an earlier rotation of the same aircraft when it directly caused
    this delay (CJEU TAP, C-74/19). With the cause unknown: not extraordinary, because the
    carrier bears the burden of proving it."""
    EXTRAORDINARY = "extraordinary"
    NOT_EXTRAORDINARY = "not_extraordinary"


SHORT_MAX_KM = 1500
MEDIUM_MAX_KM = 3500
"""Band edges in whole great-circle kilometres; 1500 is SHORT and 3500 is MEDIUM, because
Art 7(1) says "1500 kilometres or less" and "between 1500 and 3500 kilometres"."""

EU261_AMOUNTS: Mapping[Band, int] = {Band.SHORT: 250, Band.MEDIUM: 400, Band.LONG: 600}
"""Art 7(1)(a)–(c), in euro."""

CARE_FROM: Mapping[Band, timedelta] = {
    Band.SHORT: timedelta(hours=2),
    Band.MEDIUM: timedelta(hours=3),
    Band.LONG: timedelta(hours=4),
}
"""Art 6(1)(a)–(c): the departure delay from which meals and communication are owed."""

HALVED_WITHIN: Mapping[Band, timedelta] = {
    Band.SHORT: timedelta(hours=2),
    Band.MEDIUM: timedelta(hours=3),
    Band.LONG: timedelta(hours=4),
}
"""Art 7(2)(a)–(c): compensation may be halved when the re-routed arrival is late by no
more than this ("does not exceed ... by", so the limit itself is inside)."""

DELAY_COMPENSATION_FROM = timedelta(hours=3)
"""Arrival at the final destination this late or later is compensated like a cancellation
(CJEU Sturgeon, C-402/07; Nelson, C-581/10); only the final arrival counts (Folkerts,
C-11/11), measured when a door opens (Germanwings, C-452/13)."""

REFUND_FROM_DELAY = timedelta(hours=5)
"""Art 6(1)(iii): a departure delay of five hours or more opens the Art 8(1)(a) refund."""

WRITTEN_NOTICE_FROM_DELAY = timedelta(hours=2)
"""Art 14(2): written notice of rights on cancellation and on delays of at least two hours."""

DEFAULT_EXTRAORDINARY: frozenset[ReasonCode] = frozenset(
    {
        ReasonCode.WEATHER,
        ReasonCode.ATC,
        ReasonCode.AIRPORT_CLOSURE,
        ReasonCode.SECURITY,
        ReasonCode.BIRD_STRIKE,
        ReasonCode.THIRD_PARTY_STRIKE,
    }
)
"""Art 5(3) and recital 14 (weather, ATC decisions, security, airport closure, strikes by
third parties), bird strike (CJEU Pešková, C-315/15). Not extraordinary: technical faults in
normal operation (Wallentin-Hermann, C-549/07), crew shortage, own-staff strikes
(Krüsemann, C-195/17; Airhelp, C-28/20), scheduling, and OTHER (the carrier must prove it)."""


@dataclass(frozen=True)
class Scale:
    """The money side of one regime built on Regulation 261: its amounts and how to cite them."""

    regime: Regime
    prefix: str
    """What citations start with, e.g. ``EU261``."""
    currency: str
    amounts: Mapping[Band, int]
    """Art 7(1) amounts in major units of `currency`."""
    amounts_source: str = ""
    """Appended to compensation citations when the amounts come from a secondary source."""


EU261 = Scale(regime=Regime.EU261, prefix="EU261", currency="EUR", amounts=EU261_AMOUNTS)

ART7_LETTER = {Band.SHORT: "a", Band.MEDIUM: "b", Band.LONG: "c"}
"""The paragraph letter of Art 6(1), 7(1), 7(2) and 10(2) that covers each band."""


def band(distance_km: int, *, intra: bool) -> Band:
    """The Art 7(1) band of a journey.

    Args:
        distance_km: great-circle distance from the first origin to the final destination
            (CJEU Bossen, C-559/16), in whole kilometres.
        intra: both ends lie in the regime's own territory (intra-Community for EU261),
            which caps the band at MEDIUM however long the flight (Art 7(1)(b)).
    """
    if distance_km <= SHORT_MAX_KM:
        return Band.SHORT
    if intra or distance_km <= MEDIUM_MAX_KM:
        return Band.MEDIUM
    return Band.LONG


def root_cause(
    reason: ReasonCode, originating: ReasonCode | None, *, knock_on: KnockOn
) -> ReasonCode:
    """The cause the rules judge: a knock-on delay may inherit its originating flight's cause.

    Args:
        reason: the reason code of the disrupted flight.
        originating: for a knock-on delay, the cause of the delay that started it, if known.
        knock_on: the configured treatment of knock-on delays.
    """
    if reason is ReasonCode.KNOCK_ON and knock_on is KnockOn.INHERIT:
        if originating is not None and originating is not ReasonCode.KNOCK_ON:
            return originating
    return reason


def is_extraordinary(
    reason: ReasonCode,
    originating: ReasonCode | None = None,
    *,
    extraordinary: Collection[ReasonCode] = DEFAULT_EXTRAORDINARY,
    knock_on: KnockOn = KnockOn.INHERIT,
) -> bool:
    """Whether the cause is an extraordinary circumstance (Art 5(3)).

    It removes compensation only: never care (CJEU McDonagh, C-12/11) nor the choice of
    refund or re-routing.
    """
    cause = root_cause(reason, originating, knock_on=knock_on)
    if cause is ReasonCode.KNOCK_ON:
        return knock_on is KnockOn.EXTRAORDINARY
    return cause in extraordinary


NOTICE_NONE_OWED = timedelta(days=14)
NOTICE_WIDE_WINDOW = timedelta(days=7)
"""Art 5(1)(c): the notice bands. Told (i) two weeks or more ahead: no compensation;
(ii) between two weeks and seven days: none if the re-routing departs no more than 2 h
earlier and arrives less than 4 h later; (iii) less than seven days: none if it departs
no more than 1 h earlier and arrives less than 2 h later."""


@dataclass(frozen=True)
class RoutingWindow:
    """How far a re-routing may move and still spare compensation (Art 5(1)(c))."""

    point: str
    earlier: timedelta
    """It may depart at most this much before the scheduled departure ..."""
    later: timedelta
    """... and must arrive less than this after the scheduled arrival."""


def rerouting_window(notice: timedelta) -> RoutingWindow | None:
    """The Art 5(1)(c) window for a cancellation notified `notice` before departure; None
    from two weeks ahead, when no re-routing is needed to spare compensation."""
    if notice >= NOTICE_NONE_OWED:
        return None
    if notice >= NOTICE_WIDE_WINDOW:
        return RoutingWindow("Art 5(1)(c)(ii)", timedelta(hours=2), timedelta(hours=4))
    return RoutingWindow("Art 5(1)(c)(iii)", timedelta(hours=1), timedelta(hours=2))


def cancellation_exempt(
    notice: timedelta, *, departs_earlier_by: timedelta | None, arrives_later_by: timedelta | None
) -> str | None:
    """The Art 5(1)(c) point that removes compensation for a cancellation, if one does.

    Args:
        notice: how long before the scheduled departure the passenger was told.
        departs_earlier_by: how much earlier than scheduled the offered re-routing departs
            (negative when it departs later); None when no re-routing was offered.
        arrives_later_by: how much later than scheduled it reaches the final destination.

    Returns:
        The citation of the exemption (``Art 5(1)(c)(i)``, ``(ii)`` or ``(iii)``), or None
        when compensation stays owed.
    """
    window = rerouting_window(notice)
    if window is None:
        return "Art 5(1)(c)(i)"
    if departs_earlier_by is None or arrives_later_by is None:
        return None
    ok = departs_earlier_by <= window.earlier and arrives_later_by < window.later
    return window.point if ok else None


def halved(band_: Band, arrives_later_by: timedelta) -> bool:
    """Whether Art 7(2) lets the carrier halve compensation for this re-routed arrival."""
    return arrives_later_by <= HALVED_WITHIN[band_]


class Basis(StrEnum):
    """Why a regime built on Regulation 261 covers a journey (Art 3(1))."""

    DEPARTURE = "departure"
    """Art 3(1)(a): the journey departs an airport in the regime's territory."""
    ARRIVAL = "arrival"
    """Art 3(1)(b): it arrives there from outside on one of the regime's own carriers."""


def scope(
    origin_country: str,
    destination_country: str,
    carrier: str,
    *,
    territory: Collection[str],
    carriers: Collection[str],
) -> Basis | None:
    """Whether Art 3(1) covers a journey, and on which basis.

    Scope is judged on the journey booked as one unit, first origin to final destination
    (CJEU Wegener, C-537/17), with the operating carrier of the disrupted flight.

    Args:
        origin_country: ISO country of the first origin.
        destination_country: ISO country of the final destination.
        carrier: the operating carrier.
        territory: the countries where the regime applies.
        carriers: the carriers whose arrivals from outside it covers.
    """
    if origin_country in territory:
        return Basis.DEPARTURE
    if destination_country in territory and carrier in carriers:
        return Basis.ARRIVAL
    return None
