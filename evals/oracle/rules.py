"""The oracle's own regulation tables, written from DOMAIN.md — not from tools/policy.

N-version: the agent's policy engine encodes the same sources; this file is a second,
independent reading, so a bug there shows up as a disagreement here. Where a source
leaves a choice open ("may", "usually"), the oracle accepts every defensible answer
(`Owed` holds sets), so it flags what is wrong under every reading, not a taste.
"""

from __future__ import annotations

import math
from datetime import timedelta

from evals.oracle.record import Place

# --- scope --------------------------------------------------------------------------------

EU_TERRITORY = frozenset(
    # EU member states (Regulation 261/2004 Art 3(1)), outermost regions filed under their
    # own ISO code, and the EEA states and Switzerland that apply it by agreement.
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "GP MQ GF RE YT MF IS LI NO CH".split()
)
UK_TERRITORY = frozenset({"GB"})
US_TERRITORY = frozenset({"US", "PR", "VI", "GU", "AS", "MP"})
CA_TERRITORY = frozenset({"CA"})
COMMUNITY_CARRIERS = frozenset({"XA", "XB"})
"""Carriers of the generated and seeded worlds that hold an EU licence (EU261 Art 2(c))."""
UK_CARRIERS: frozenset[str] = frozenset()

# --- EU261 / UK261 ------------------------------------------------------------------------

EU261_AMOUNTS = (250, 400, 600)
"""EUR, Art 7(1)(a)/(b)/(c) by band."""
UK261_AMOUNTS = (220, 350, 520)
"""GBP, UK261 (caa.co.uk; secondary for amounts)."""
UK261_LONG_3_TO_4H = 260
"""GBP when a > 3500 km journey arrives 3–4 h late (DOMAIN.md, UK261)."""
HALVED_IF_WITHIN = (timedelta(hours=2), timedelta(hours=3), timedelta(hours=4))
"""Art 7(2): the carrier may halve when the re-routed arrival is no later than this."""
CARE_FROM_DELAY = (timedelta(hours=2), timedelta(hours=3), timedelta(hours=4))
"""Art 6(1): care from a departure delay of this much, by the flight's band."""
DELAY_COMPENSATION_FROM = timedelta(hours=3)
"""Sturgeon C-402/07: arrival at the final destination 3 h or more late."""

NIGHT_TIME = (0, 5)
"""Local hours (from, until) of night time: midnight to 05:00, the span every member
state's night must include (Directive 2003/88/EC Art 2(3))."""
NIGHT_STAY = timedelta(hours=4)
"""Art 9(1)(b) "a stay of one or more nights becomes necessary": the oracle reads it as a
wait at one airport that holds this much night time (most of the night: a wait ending
at 03:00 is a late departure, one starting at 02:00 an early arrival), `nights`."""

EXTRAORDINARY = frozenset(
    {"weather", "atc", "airport_closure", "security", "bird_strike", "third_party_strike"}
)
"""Art 5(3), DOMAIN.md 'usually extraordinary'."""
ORDINARY = frozenset({"technical", "crew", "own_staff_strike", "scheduling"})
SPREADING = frozenset({"weather", "atc", "airport_closure"})
"""Causes that ground more than the one flight: at an airport they hit, the next flights
are likely to go too (the issue's "disruption risk"; DOMAIN.md, scale of real events)."""
"""DOMAIN.md 'usually not' (Wallentin-Hermann C-549/07 for technical faults)."""
# Anything else (knock_on without its cause, other, unknown) may go either way.


def eu_band(distance_km: int, *, intra: bool) -> int:
    """0: ≤ 1500 km; 1: intra-EU > 1500 km or 1500–3500 km; 2: the rest (Art 7(1))."""
    if distance_km <= 1500:
        return 0
    if intra or distance_km <= 3500:
        return 1
    return 2


def notice_exempts(
    notice: timedelta, departs_earlier: timedelta | None, arrives_later: timedelta | None
) -> bool:
    """Art 5(1)(c): cancellation compensation is not owed for this notice and re-routing."""
    if notice >= timedelta(days=14):
        return True
    if departs_earlier is None or arrives_later is None:
        return False
    if notice >= timedelta(days=7):
        return departs_earlier <= timedelta(hours=2) and arrives_later < timedelta(hours=4)
    return departs_earlier <= timedelta(hours=1) and arrives_later < timedelta(hours=2)


# --- APPR (SOR/2019-150 s.19) --------------------------------------------------------------

APPR_LARGE = ((timedelta(hours=9), 1000), (timedelta(hours=6), 700), (timedelta(hours=3), 400))
"""CAD by arrival delay, large carrier: 3–6 h 400, 6–9 h 700, ≥ 9 h 1000."""
APPR_REFUNDED = 400
APPR_WITHIN_CONTROL = frozenset({"crew", "scheduling"})
APPR_OUTSIDE_CONTROL = frozenset(
    {"weather", "atc", "airport_closure", "security", "bird_strike", "third_party_strike"}
)
APPR_NOTICE = timedelta(days=14)
APPR_PROMPTLY = timedelta(minutes=30)
"""APPR s.13 (by s.10(3)(a), 11(2)(a), 12(2)(a), 12(3)(a)): on a delay or cancellation the
carrier tells the passenger the reason and what they are owed, gives new information "as
soon as feasible", and updates a delay every 30 minutes until a new departure time is set.
No hour of the day is excepted, so quiet hours may not hold such news; the oracle counts a
message sent within this long of the change as "as soon as feasible", and the deadline
check reports a change not told within it, as it does 14 CFR 259.8's 30 minutes (the
agent's `PolicyConfig.appr_inform_within` reads s.13 the same way)."""

# --- US DOT ------------------------------------------------------------------------------

DOT_NOTIFY_WITHIN = timedelta(minutes=30)
DOT_NOTIFY_FROM_DELAY = timedelta(minutes=30)
"""14 CFR 259.8: within 30 min of learning of a delay ≥ 30 min, a cancellation or diversion."""
DOT_RENOTICE_SHIFT = timedelta(minutes=30)
"""A told delay that moves this far again is a new change of status to tell of (259.8
owes notice of delays of 30 min or more; a smaller move is not one)."""

# --- connections (DOMAIN.md, re-accommodation practice) -----------------------------------

MCT: dict[str, tuple[timedelta, timedelta]] = {
    "ATL": (timedelta(minutes=35), timedelta(minutes=60)),
    "FRA": (timedelta(minutes=45), timedelta(minutes=60)),
    "LHR": (timedelta(minutes=60), timedelta(minutes=60)),
    # Secondary (KLM / Schiphol published values): Schengen 40, non-Schengen 50.
    "AMS": (timedelta(minutes=40), timedelta(minutes=50)),
    # Copenhagen Airport's published connection times (https://www.cph.dk/en/practical/
    # transfer/Connection-Times/): Schengen-Schengen 30 min, to or from non-Schengen 40,
    # intercontinental 45 (SAS); other airlines 40 Schengen or domestic, 45
    # intercontinental. The lowest of each, as for the defaults below.
    "CPH": (timedelta(minutes=30), timedelta(minutes=40)),
}
MCT_DOMESTIC = timedelta(minutes=30)
MCT_INTERNATIONAL = timedelta(minutes=60)
"""Elsewhere the lower ends of 'typical 30–45 min domestic, 60–90 international': the
oracle flags only connections no airport would sell."""


def mct(hub: Place, inbound_from: Place, outbound_to: Place) -> timedelta:
    international = len({hub.country, inbound_from.country, outbound_to.country}) > 1
    domestic, abroad = MCT.get(hub.iata, (MCT_DOMESTIC, MCT_INTERNATIONAL))
    return abroad if international else domestic


# --- who goes first (DOMAIN.md: Art 11; published airline practice) ------------------------

PRIORITY_NEEDS = frozenset({"WCHR", "WCHS", "WCHC", "UMNR", "BLND", "DEAF", "MAAS", "DPNA"})
TIER_RANK = {"platinum": 1, "gold": 2, "silver": 3}


FARE_RANK = {"flex": 1, "standard": 2, "basic": 3}


def priority(ssr: tuple[str, ...], tier: str) -> int:
    """Lower goes first: reduced mobility and unaccompanied minors (Art 11), then tiers."""
    if PRIORITY_NEEDS & set(ssr):
        return 0
    return TIER_RANK.get(tier, 4)


def outranks(high: tuple[int, str], low: tuple[int, str]) -> bool:
    """Must a passenger of (`priority`, fare) `high` be served before one of `low` under
    every defensible policy? Art 11 needs go before anyone without them. Beyond that,
    published practice gives priority to elite and to premium passengers alike and
    orders neither before the other (DOMAIN.md, re-accommodation); airlines weigh the
    fare paid as well. A higher tier must go first only on a fare no cheaper than the
    other's: a silver on a standard fare and a non-elite on a flexible one may go either
    way (storm day 2013-02-08, 9Q2W1K and 4BBZC6). The fare never demands an order."""
    (high_rank, high_fare), (low_rank, low_fare) = high, low
    if high_rank == 0 or low_rank == 0:
        return high_rank < low_rank
    return high_rank < low_rank and FARE_RANK.get(high_fare, 2) <= FARE_RANK.get(low_fare, 2)


# --- quiet hours (the house rule: ARCHITECTURE.md 'quiet hours only delay what has no
# deadline') ------------------------------------------------------------------------------

QUIET_FROM_HOUR = 22
QUIET_UNTIL_HOUR = 7
NEAR_DEPARTURE = timedelta(hours=2)
"""A delay message may wake someone whose flight leaves within this of the night's end."""
TRIP_CHANGED = frozenset(
    {
        "cancelled_rebooked",
        "cancelled_no_alternative",
        "diverted_rebooked",
        "diverted_no_alternative",
        "missed_connection_rebooked",
        "missed_connection_no_alternative",
        "offer",
        "care",
    }
)
"""Messages about a trip that changed, or help at the airport: they may always go."""
NEVER_HELD = TRIP_CHANGED | {"reinstated", "offer_replaced"}
"""Messages quiet hours never hold. A reinstatement ("your cancelled flight flies after
all") goes only to passengers told their flight was gone (a message that itself went at
once, night or not), who may be acting on that news at any hour: booking another carrier,
taking the refund, giving up the hotel or heading home. The correction is as urgent as the
news it corrects (the agent's `MessageKind.REINSTATED` is urgent for the same reason). An
answer to a passenger's own reply (their answer to an offer a later change replaced) goes
to someone who just wrote and is waiting for it."""


def great_circle_km(a: Place, b: Place) -> int:
    """Haversine on a 6371 km sphere (the distance EU261 bands use, Bossen C-559/16)."""
    p1, l1, p2, l2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    return round(2 * 6371.0 * math.asin(math.sqrt(h)))
