"""What a disrupted journey is owed, by the oracle's own reading (`rules`).

Each answer is a set of acceptable values plus whether the oracle is sure something is
owed: where the regulation leaves a choice (Art 7(2) "may" halve; a cause that is not
clearly extraordinary; an arrival not yet final) every defensible value is accepted and
nothing is demanded.

Why it is long: it is the oracle's whole reading of money and care owed (EU261/UK261
compensation and its halving, care, refunds, the US and Canadian rules) over one set of
facts; split by regime, the facts each reading shares (what the journey was, when it was
known, what was offered) would be computed in several places and could drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from evals.oracle import rules
from evals.oracle.context import LATE, Judged, flown_late
from evals.oracle.journeys import unflown
from evals.oracle.nights import Night, night, stays_a_night
from evals.oracle.record import Place


@dataclass
class Facts:
    """The journey as the rules see it."""

    pnr: str
    origin: Place
    destination: Place
    carrier: str
    kind: str
    """cancelled, diverted, delayed, or none."""
    reasons: set[str | None]
    sched_dep: datetime
    sched_arr: datetime
    notice: timedelta
    """How long before the scheduled departure the change was first known."""
    new_dep: datetime | None
    new_arr: datetime | None
    """The itinerary the passenger ends on (None: none that works)."""
    arrived: bool
    """The final arrival is a fact, not an estimate."""
    departure_delay: timedelta
    """The longest wait for a departure the passenger was expected to have at some moment
    (`waits`)."""
    flight_km: int
    expected_overnight: bool = False
    """At some moment the itinerary the passenger held made them stay a night (a held
    flight expected to leave a night after its scheduled departure, or a re-routing
    leaving a night after the flight it replaced, `nights`): Art 5(1)(b) and 6(1)(ii)
    owe the hotel on the "reasonably expected time of departure", so a hotel given then
    stands though the delay later shrank or a later re-routing leaves before the night."""
    night: Night = Night.NONE
    """The night the itinerary the passenger ends on makes them stay (`nights`)."""
    countries: frozenset[str] = frozenset()
    """Every country a flight of the ticketed journey lands or takes off in."""
    offered_arr: datetime | None = None
    """The arrival of the re-routing the passenger ends on, as the board showed it when
    they were rebooked onto it (None: never rebooked, or no itinerary that works); of the
    last one offered, when they gave it up for a refund."""
    offered_dep: datetime | None = None
    """That re-routing's departure, as the board showed it then."""
    reinstated: bool = False
    """A flight the passenger holds was cancelled or diverted, then came back: what was
    paid or given on the cancellation is accepted, nothing more is demanded."""
    known_after_departure: bool = False
    """The change was first known when the late flight had already left (the stream's
    first word of it a late departure or arrival): the arrival delay owes compensation
    all the same (Sturgeon C-402/07 counts the arrival), but care could no longer be given
    in kind, so care given then (what the passenger spent, repaid) or not both stand."""
    waits: tuple[tuple[datetime, timedelta], ...] = ()
    """At each moment, the longest wait beyond the passenger's scheduled departure that
    the itinerary they held (or were given then) made them expect: a held flight's
    estimated departure against the booking's scheduled departure from the same airport
    (a missed connection re-routed from the transfer airport waits from the lost
    connection's departure, Folkerts C-11/11 judging connecting flights as one journey),
    else against the flight's own schedule. Art 6(1) owes care when the carrier
    "reasonably expects" a delay beyond the threshold: the expectation at each moment,
    not the largest or the last alone, decides whether care given then was owed."""


@dataclass
class Owed:
    regimes: list[str] = field(default_factory=list)
    compensation: set[tuple[str, str, int]] = field(default_factory=set)
    """Acceptable (regime, currency, cents); (…, 0) where paying nothing is acceptable."""
    compensation_required: bool = False
    meals: str = "no"
    """yes (owed), no (not owed), maybe: as the passenger's last expected wait before
    they left stood (Art 6(1) "reasonably expects")."""
    meals_then: tuple[tuple[datetime, str], ...] = ()
    """For a delay: what meals were at each moment (yes, no, maybe), as the expected wait
    stood then. Meals given while the expectation was over the threshold were owed, though
    the delay later shrank; meals not yet given when it shrank under are no longer owed."""
    hotel: str = "no"
    refund_required: bool = False
    notes: list[str] = field(default_factory=list)

    def meals_at(self, at: datetime) -> str:
        """Meals as owed at `at` (the latest moment not after it); `meals` without a
        timeline."""
        found = self.meals
        for when, level in self.meals_then:
            if when > at:
                break
            found = level
        return found


def facts(j: Judged, pnr: str, broken: bool) -> Facts | None:
    record, board = j.record, j.board
    journey = j.seats.journeys[pnr]
    # The judged journey alone: its origin, final destination and schedule decide distance
    # and arrival delay (Bossen C-559/16 for the connections within it); another journey
    # of the booking is another trip.
    planned = journey.planned
    late_flown = flown_late(j, pnr)
    if not planned or (pnr not in j.touched and not late_flown):
        return None
    flights = record.world.flights
    first, last = flights[planned[0].flight], flights[planned[-1].flight]
    kind, carrier, known = "none", first.carrier, None
    reasons: set[str | None] = set()
    delay = timedelta(0)
    reinstated = False
    expected_overnight = False
    km = 0
    known_after_departure = False
    waits: list[tuple[datetime, timedelta]] = []
    for at in j.moments_of.get(pnr, ()):
        flown_now = late_flown.get(at)
        if kind == "none" and flown_now is not None:
            f = flights[flown_now]
            kind, carrier, known, known_after_departure = "delayed", f.carrier, at, True
            km = rules.great_circle_km(
                record.world.places[f.origin], record.world.places[f.destination]
            )
            reasons |= board.reasons(flown_now)
        expected = _expected_wait(j, pnr, at)
        if expected is not None:
            waits.append((at, expected))
        for leg in unflown(record, board, journey.legs_at(at, before=True), at):
            state = board.state(leg.flight, at)
            f = flights[leg.flight]
            late = state.est_dep - f.sched_dep
            if state.gone or late >= LATE:
                # A reinstated flight the passenger still flies was not cancelled for them.
                if state.gone and not _lost(j, pnr, leg.flight):
                    reinstated = True
                    state = board.state(leg.flight, record.end)
                if kind in ("none", "delayed") and state.gone:
                    kind, carrier, known = state.status, f.carrier, at
                    km = rules.great_circle_km(
                        record.world.places[f.origin], record.world.places[f.destination]
                    )
                elif kind == "none":
                    kind, carrier, known = "delayed", f.carrier, at
                    km = rules.great_circle_km(
                        record.world.places[f.origin], record.world.places[f.destination]
                    )
                reasons |= board.reasons(leg.flight)
                # From the scheduled departure, not a late inbound's arrival: the widest
                # wait the expectation allows, since this only makes a hotel acceptable.
                expected_overnight = expected_overnight or (
                    not state.gone
                    and stays_a_night(f.sched_dep, state.est_dep, record.world.places[f.origin])
                )
    if known is None:
        return None
    delay = max((wait for _, wait in waits), default=delay)
    delay = max(delay, timedelta(0))
    final = journey.final
    # A re-routing as decided (the board as it stood then) made the night expected.
    expected_overnight = expected_overnight or any(
        effect is not None
        and journey.mine(legs)
        and night(record, board, pnr, journey.mine(legs), when) is not Night.NONE
        for when, legs, effect in journey.versions[1:]
    )
    new_dep = new_arr = offered_arr = offered_dep = None
    arrived = False
    if final and not broken:
        new_dep = board.state(final[0].flight, record.end).est_dep
        last_state = board.state(final[-1].flight, record.end)
        new_arr, arrived = last_state.est_arr, last_state.status == "arrived"
        if journey.rebookings:
            offered_dep = board.state(final[0].flight, journey.versions[-1][0]).est_dep
            offered_arr = board.state(final[-1].flight, journey.versions[-1][0]).est_arr
    elif journey.refunded_at is not None or journey.rebookings:
        # Art 5(1)(c)(iii) and 7(2) judge the re-routing *offered*: a passenger who took
        # their money back instead, or whose re-routing went too, was still offered it.
        offered_dep, offered_arr = _offered_before(j, pnr, journey.refunded_at or record.end)
    if new_arr is not None and final:
        # Pešková (C-315/15): of a delay with several causes, the part an extraordinary
        # one caused is deducted. What the last flight flown arrived late by its own
        # schedule, beyond the journey's, is that flight's causes' part: when it alone
        # reaches Art 7's 3 h, those causes decide too (found-compensation-s281-w11: a
        # diversion for weather, re-routed onto a flight already 235 min late "knock_on",
        # which no moment saw unflown and late, so its cause went unjudged).
        landed = flights[final[-1].flight]
        if new_arr - max(last.sched_arr, landed.sched_arr) >= rules.DELAY_COMPENSATION_FROM:
            reasons |= board.reasons(final[-1].flight)
    return Facts(
        pnr=pnr,
        origin=record.world.places[first.origin],
        destination=record.world.places[last.destination],
        carrier=carrier,
        kind=kind,
        reasons=reasons,
        sched_dep=first.sched_dep,
        sched_arr=last.sched_arr,
        # On the journey's departure, as the re-routing's (one sentence, Art 5(1)(c)).
        notice=max(first.sched_dep - known, timedelta(0)),
        new_dep=new_dep,
        new_arr=new_arr,
        arrived=arrived,
        departure_delay=delay,
        flight_km=km,
        expected_overnight=expected_overnight,
        countries=frozenset(
            record.world.places[airport].country
            for leg in planned
            for airport in (flights[leg.flight].origin, flights[leg.flight].destination)
        ),
        offered_arr=offered_arr,
        offered_dep=offered_dep,
        reinstated=reinstated,
        known_after_departure=known_after_departure,
        waits=tuple(waits),
        night=night(record, board, pnr, final, record.end) if new_dep else Night.NONE,
    )


def _offered_before(
    j: Judged, pnr: str, refunded: datetime
) -> tuple[datetime, datetime] | tuple[None, None]:
    """The departure and arrival of the last re-routing of the judged journey given before
    its refund, as the board showed them then ((None, None): none was)."""
    journey = j.seats.journeys[pnr]
    for when, every, effect in reversed(journey.versions[1:]):
        legs = journey.mine(every)
        if when <= refunded and effect is not None and effect.action == "rebook" and legs:
            first, last = j.board.state(legs[0].flight, when), j.board.state(legs[-1].flight, when)
            return first.est_dep, last.est_arr
    return None, None


def _expected_wait(j: Judged, pnr: str, at: datetime) -> timedelta | None:
    """The longest wait for a departure the passenger could expect at `at`: over the
    itinerary a record fed then found and the one the agent gave them then (`Facts.waits`);
    None when nothing of it is left to leave (flown, or every flight gone)."""
    record, board = j.record, j.board
    journey = j.seats.journeys[pnr]
    flights = record.world.flights
    planned = {
        flights[leg.flight].origin: flights[leg.flight].sched_dep
        for leg in reversed(journey.planned)
    }
    wait: timedelta | None = None
    for legs in {journey.legs_at(at, before=True), journey.legs_at(at)}:
        for leg in unflown(record, board, legs, at):
            state = board.state(leg.flight, at)
            if state.gone:
                continue
            f = flights[leg.flight]
            late = state.est_dep - planned.get(f.origin, f.sched_dep)
            wait = late if wait is None else max(wait, late)
    return wait


def _lost(j: Judged, pnr: str, flight: str) -> bool:
    """The passenger lost this flight: it is gone at the end, or they were moved off it."""
    journey = j.seats.journeys[pnr]
    return j.board.state(flight, j.record.end).gone or flight not in {
        leg.flight for leg in journey.final
    }


def regimes(f: Facts) -> list[str]:
    o, d = f.origin.country, f.destination.country
    eu = o in rules.EU_TERRITORY or (
        d in rules.EU_TERRITORY and f.carrier in rules.COMMUNITY_CARRIERS
    )
    uk = o in rules.UK_TERRITORY or (
        d in rules.UK_TERRITORY and f.carrier in rules.COMMUNITY_CARRIERS | rules.UK_CARRIERS
    )
    found = []
    if eu and uk:  # one covers the departure, the other the arrival: Art 3(1)(b) of each
        found.append("eu261" if o in rules.EU_TERRITORY else "uk261")
    elif eu:
        found.append("eu261")
    elif uk:
        found.append("uk261")
    # APPR: "flights to, from and within Canada, including connecting flights" (Canada
    # Transportation Act s.86.11(1)): every flight that lands or takes off in Canada (the
    # CTA's guide to the APPR's application), so ATL→YYZ→BOS is covered.
    if "CA" in (o, d) or "CA" in f.countries:
        found.append("appr")
    if o in rules.US_TERRITORY or d in rules.US_TERRITORY:
        found.append("us_dot")
    return found


def _cause(
    reasons: set[str | None], extraordinary: frozenset[str], ordinary: frozenset[str]
) -> str:
    """'exempt' (every cause extraordinary), 'liable' (an ordinary one), else 'unsure'."""
    known = {r for r in reasons if r is not None}
    if known and known <= extraordinary and None not in reasons:
        return "exempt"
    if known & ordinary and not known & extraordinary:
        return "liable"
    return "unsure"


def assess(f: Facts) -> Owed:
    owed = Owed(regimes=regimes(f))
    late = None if f.new_arr is None else f.new_arr - f.sched_arr
    for regime in owed.regimes:
        if regime in ("eu261", "uk261"):
            _reg261(owed, regime, f, late)
        elif regime == "appr":
            _appr(owed, f, late)
    if not owed.compensation:
        owed.compensation.add(("none", "", 0))
    if "eu261" in owed.regimes or "uk261" in owed.regimes:
        _care(owed, f)
    else:
        owed.meals = owed.hotel = "maybe"  # APPR s.14 and carriers' DOT commitments: not judged
    owed.refund_required = f.kind in ("cancelled", "diverted") and f.new_arr is None
    return owed


def _reg261(owed: Owed, regime: str, f: Facts, late: timedelta | None) -> None:
    territory = rules.EU_TERRITORY if regime == "eu261" else rules.UK_TERRITORY
    currency = "EUR" if regime == "eu261" else "GBP"
    amounts = rules.EU261_AMOUNTS if regime == "eu261" else rules.UK261_AMOUNTS
    km = rules.great_circle_km(f.origin, f.destination)
    intra = f.origin.country in territory and f.destination.country in territory
    band = rules.eu_band(km, intra=intra)
    full = amounts[band] * 100
    due: set[int] = set()
    sure = False
    if f.reinstated:  # paid on the cancellation, or on the flight as it flew: both stand
        owed.compensation |= {(regime, currency, c) for c in (0, full, full // 2)}
        return
    if f.kind == "cancelled":
        earlier = None if f.new_dep is None else f.sched_dep - f.new_dep
        offered_earlier = None if f.offered_dep is None else f.sched_dep - f.offered_dep
        offered_late = None if f.offered_arr is None else f.offered_arr - f.sched_arr
        if rules.notice_exempts(f.notice, earlier, late) or rules.notice_exempts(
            f.notice, offered_earlier, offered_late
        ):
            owed.compensation.add((regime, currency, 0))
            owed.notes.append(
                f"{regime}: cancellation notified {f.notice.days} days ahead (Art 5(1)(c))"
            )
            return
        due.add(full)
        # Art 7(2): the carrier may halve when the passengers "are offered re-routing ...
        # on an alternative flight ..., the arrival time of which" is within the limit: the
        # re-routing as offered decides, so a later delay of the alternative flight does
        # not undo a halving that was right when paid (the arrival as flown also counts).
        offered = None if f.offered_arr is None else f.offered_arr - f.sched_arr
        if any(x is not None and x <= rules.HALVED_IF_WITHIN[band] for x in (late, offered)):
            due.add(full // 2)
        sure = True
    elif late is not None and late >= rules.DELAY_COMPENSATION_FROM:
        due.add(full)
        # Art 7(2)(c)'s limit, as Sturgeon applies it to a delay: an arrival that "does
        # not exceed" the schedule by 4 h may be halved, 4 h itself included.
        if band == 2 and late <= rules.HALVED_IF_WITHIN[band]:
            due.add(full // 2 if regime == "eu261" else rules.UK261_LONG_3_TO_4H * 100)
        sure = f.arrived
    elif late is not None:
        owed.compensation.add((regime, currency, 0))  # under 3 h late (estimated or final)
        return
    else:
        due.add(full)  # no itinerary that works: the arrival is unknown
    cause = _cause(f.reasons, rules.EXTRAORDINARY, rules.ORDINARY)
    if cause == "exempt":
        owed.compensation.add((regime, currency, 0))
        owed.notes.append(f"{regime}: extraordinary circumstances (Art 5(3))")
        return
    owed.compensation |= {(regime, currency, c) for c in due}
    if cause == "unsure" or not sure:
        owed.compensation.add((regime, currency, 0))
    owed.compensation_required = owed.compensation_required or (sure and cause == "liable")


def _appr(owed: Owed, f: Facts, late: timedelta | None) -> None:
    owed.compensation.add(("appr", "CAD", 0))  # never demanded: control is rarely certain
    cause = _cause(f.reasons, rules.APPR_OUTSIDE_CONTROL, rules.APPR_WITHIN_CONTROL)
    if cause == "exempt" or f.notice > rules.APPR_NOTICE:
        return
    owed.compensation.add(("appr", "CAD", rules.APPR_REFUNDED * 100))
    for point, amount in rules.APPR_LARGE:
        if late is None or late >= point - timedelta(hours=3):
            owed.compensation.add(("appr", "CAD", amount * 100))


def _meals_for(wait: timedelta, band: int) -> str:
    if wait >= rules.CARE_FROM_DELAY[band]:
        return "yes"
    if wait >= rules.CARE_FROM_DELAY[0]:
        return "maybe"  # the flight's band is judged on its own distance
    return "no"


def _care(owed: Owed, f: Facts) -> None:
    band = rules.eu_band(f.flight_km, intra=False)
    if f.reinstated:
        owed.meals = owed.hotel = "maybe"
        return
    if f.known_after_departure:
        owed.meals = "maybe"
        owed.hotel = "maybe" if f.night is not Night.NONE or f.expected_overnight else "no"
        return
    if f.kind == "cancelled":
        waits = f.new_dep is not None and f.new_dep - f.sched_dep >= rules.CARE_FROM_DELAY[0]
        owed.meals = "yes" if waits and f.notice < timedelta(days=1) else "maybe"
    elif f.kind == "diverted":
        owed.meals = "maybe"  # waiting at the diversion airport: judged by the arrival
    elif f.waits:
        owed.meals_then = tuple((at, _meals_for(wait, band)) for at, wait in f.waits)
        owed.meals = owed.meals_then[-1][1]
    else:
        owed.meals = _meals_for(f.departure_delay, band)
    if f.new_dep is None:
        owed.hotel = "maybe" if f.kind != "delayed" or f.expected_overnight else "no"
        return
    if f.night is Night.SURE and owed.meals == "yes":
        owed.hotel = "yes"
    elif f.night is not Night.NONE or f.expected_overnight:
        owed.hotel = "maybe"
