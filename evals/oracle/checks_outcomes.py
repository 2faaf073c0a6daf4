"""Outcomes: every affected booking ends somewhere it can fly (or was told it cannot and
offered its money back), nobody is stranded while a seat existed, seats that ran short
went to the passengers who come first, and nobody was moved off a working itinerary.

Why it is long: these checks share one reading of a booking's end (`_final`,
`options_for`, the stranded moments) and differ only in what they compare it with; a
module per check would pass that reading around or compute it again per check.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta

from evals.oracle.context import Judged, next_departure
from evals.oracle.journeys import (
    LEAD,
    Option,
    ahead_from,
    breaks,
    misplaced,
    search,
    set_down,
    unflown,
)
from evals.oracle.record import Effect, Leg
from evals.oracle.rules import SPREADING, mct, outranks, priority
from evals.oracle.verdict import Finding, when

LATE_ENOUGH_TO_MOVE = timedelta(hours=3)
INSTANT = timedelta(microseconds=1)
"""How far before an instant the board stood before the records fed at that instant."""
"""A working itinerary arriving this late may be swapped for a better one."""
WORSE_BY = timedelta(minutes=15)
SAFER_WITHIN = timedelta(hours=24)
"""How much later a passenger may defensibly arrive on any itinerary leaving later than one
from an airport a spreading disruption had hit (`_later_in_a_storm`): a storm's excess
risk lasts about a day (the agent's `agent.planner.risk` fades it over a day too). Beyond
it, only the first itinerary after the doubtful one is."""


def check(j: Judged) -> list[Finding]:
    return [
        *_cases(j),
        *_final(j),
        *_needless(j),
        *_stranded(j),
        *_stale_reroutes(j),
        *_priority(j),
    ]


def _cases(j: Judged) -> list[Finding]:
    return [
        Finding("no_outcome", c.pnr, f"case about {c.flight} ended {c.status}")
        for c in j.record.cases
        if c.status in ("failed", "pending", "awaiting_approval")
    ]


def told_no_alternative(j: Judged, pnr: str, since: datetime) -> bool:
    return any(
        m.pnr == pnr
        and m.delivered
        and m.kind.endswith("_no_alternative")
        and m.created_at >= since
        for m in j.record.messages
    ) or any(
        e.pnr == pnr and e.action in ("refund_offer", "refund") and e.at >= since
        for e in j.record.effects
    )


def _ends_broken(j: Judged, pnr: str) -> list[str]:
    """Why the booking's final itinerary does not get the passenger there (empty if it does)."""
    journey = j.seats.journeys[pnr]
    after = j.record.bookings_after.get(pnr)
    if journey.refunded_at is not None or (after is not None and after.status != "active"):
        return []
    end = j.record.end
    legs = unflown(j.record, j.board, journey.final, end)
    if not legs and journey.final:
        return []  # flown
    return breaks(
        j.record,
        j.board,
        ahead_from(j.record, j.board, journey.final, end),
        end,
        j.destination[pnr],
    )


def _final(j: Judged) -> list[Finding]:
    found = []
    for pnr in j.touched:
        problems = _ends_broken(j, pnr)
        if problems and not told_no_alternative(j, pnr, j.broken_at.get(pnr, j.touched[pnr])):
            found.append(
                Finding(
                    "no_outcome",
                    pnr,
                    "ends on a broken itinerary ("
                    + "; ".join(problems)
                    + ") without being told there is no alternative",
                )
            )
    return found


def _needless(j: Judged) -> list[Finding]:
    found = []
    record, board = j.record, j.board
    for pnr, journey in j.seats.journeys.items():
        previous: tuple[Leg, ...] = journey.planned
        for at, every, effect in journey.versions[1:]:
            legs = journey.mine(every)
            if (
                effect is not None
                and effect.action == "rebook"
                and legs != previous
                and not chosen_by_passenger(effect)
            ):
                # Needless only on the board both as the instant's records left it and as
                # it stood before them: the daemon runs the jobs due by an instant before
                # that instant's records (an approval's deadline the minute the cancelled
                # flight was reinstated: found-needless-rebooking-s315-w12-fam).
                worked = [_still_worked(j, pnr, previous, then) for then in (at, at - INSTANT)]
                if not misplaced(record, board, journey, at, before=True) and all(worked):
                    ahead, late = worked[0] or ((), timedelta(0))
                    found.append(
                        Finding(
                            "needless_rebooking",
                            pnr,
                            f"moved at {when(at)} off "
                            f"{'+'.join(leg.flight for leg in ahead)}, which still worked "
                            f"({int(late.total_seconds() // 60)} min late)",
                        )
                    )
            previous = legs
    return found


def _still_worked(
    j: Judged, pnr: str, legs: tuple[Leg, ...], at: datetime
) -> tuple[tuple[Leg, ...], timedelta] | None:
    """The legs still to fly of `legs` and how late they land, when they still reached the
    destination on the board at `at` less than `LATE_ENOUGH_TO_MOVE` late (None: not)."""
    record, board = j.record, j.board
    ahead = unflown(record, board, legs, at)
    if not ahead or breaks(
        record, board, ahead_from(record, board, legs, at), at, j.destination[pnr]
    ):
        return None
    last = ahead[-1].flight
    late = board.state(last, at).est_arr - record.world.flights[last].sched_arr
    return (ahead, late) if late < LATE_ENOUGH_TO_MOVE else None


PASSENGER_CASE = "reply:"
"""The ledger's case prefix for what a passenger's own answer did (evals/README.md,
"Passengers who answer"): `reply:<offer id>`."""


def chosen_by_passenger(effect: Effect) -> bool:
    """A move the passenger chose among the options offered: re-routing "at a later
    date at the passenger's convenience" is theirs to ask for (EU261/UK261 Art 8(1)(c)),
    so it is no needless rebooking even off an itinerary that still worked."""
    return effect.case_id.startswith(PASSENGER_CASE)


def options_for(
    j: Judged,
    pnr: str,
    at: datetime,
    *,
    party: int | None = None,
    credit: Mapping[str, int] | None = None,
) -> list[Option]:
    """What the oracle could have booked for the passenger at `at` (for `party` seats:
    the booking's passengers unless given; `credit`: seats per flight counted free)."""
    record = j.record
    journey = j.seats.journeys[pnr]
    legs = unflown(record, j.board, journey.legs_at(at, before=True), at)
    if not legs:
        return []
    first = record.world.flights[legs[0].flight]
    state = j.board.state(first.key, at)
    origin = first.origin
    earliest = max(at + LEAD, first.sched_dep)
    if state.status == "diverted" and state.diverted_to:
        origin, earliest = state.diverted_to, at + LEAD
    # The booking as a record fed at `at` found it, as `legs` reads it: what the agent
    # did at `at` (a re-routing given up after a re-diversion) is not yet there.
    down = set_down(record, j.board, journey, at, before=True)
    if down is not None and misplaced(record, j.board, journey, at, before=True):
        origin, earliest = down.airport, at + LEAD  # from where they were put down
    return search(
        record,
        j.board,
        j.seats,
        origin=origin,
        destination=j.destination[pnr],
        cabin=legs[0].cabin,
        party=journey.booking.passengers if party is None else party,
        at=at,
        earliest=earliest,
        latest=earliest + record.horizon,
        credit=credit,
        arrive_by=_keeps_next_journey(j, pnr, origin, at),
    )


def _keeps_next_journey(j: Judged, pnr: str, origin: str, at: datetime) -> datetime | None:
    """The latest arrival that still makes the booking's next journey (None: none follows):
    a re-routing that lands after it leaves (less a connection's minimum time, where it
    leaves from the airport the re-routing lands at) would trade one journey for another."""
    following = next_departure(j, pnr, at)
    if following is None:
        return None
    flight, leaves = following
    places, flights = j.record.world.places, j.record.world.flights
    destination = j.destination[pnr]
    if flights[flight].origin != destination:
        return leaves  # the next journey starts elsewhere (open jaw): getting there is theirs
    return leaves - mct(places[destination], places[origin], places[flights[flight].destination])


def _stranded(j: Judged) -> list[Finding]:
    found = []
    for pnr, broken in j.broken_at.items():
        if not _ends_broken(j, pnr):
            continue
        for at in _stranded_moments(j, pnr, broken):
            options = options_for(j, pnr, at)
            if options:
                best = options[0]
                found.append(
                    Finding(
                        "stranded",
                        pnr,
                        f"left without an alternative, but at {when(at)} "
                        f"{'+'.join(best.flights)} (arriving {when(best.arr)}) had a "
                        "seat that stayed free to the end",
                    )
                )
                break
    return found


def _stale_reroutes(j: Judged) -> list[Finding]:
    """Bookings that end on a re-routing from where a diverted flight was first said to
    land, when it then diverted elsewhere: the passenger was put down at the second
    airport, so the itinerary does not start where they are, though its flights all fly
    (gen-s1-w159: ORD→MIA diverted to JFK, re-routed JFK→MIA, then diverted to BOS).
    A check of its own, so that its known cause cannot hide a `stranded` finding."""
    found = []
    for pnr in j.touched:
        journey = j.seats.journeys[pnr]
        after = j.record.bookings_after.get(pnr)
        if journey.refunded_at is not None or (after is not None and after.status != "active"):
            continue
        astray = misplaced(j.record, j.board, journey, j.record.end)
        if not astray:
            continue
        down = set_down(j.record, j.board, journey, j.record.end)
        options = options_for(j, pnr, down.moment) if down is not None else []
        seat = (
            f"; {'+'.join(options[0].flights)} from {down.airport} had a seat"
            if options and down is not None
            else ""
        )
        found.append(Finding("stale_reroute", pnr, f"{astray[0]}{seat}"))
    return found


def _stranded_moments(j: Judged, pnr: str, broken: datetime) -> list[datetime]:
    """The moments the passenger was without a working itinerary and the agent did not
    answer with one: a break the agent mended by a rebooking was not left unanswered,
    though the flight it gave went later (seed 71 w14: re-routed onto XA102, diverted
    to ATL; a seat from LHR free to the end was no seat they lacked at ATL, and asking
    for it would ask the agent to foresee the diversion). A break the world mended (a
    delay that shrank) still counts: the passenger was left without an alternative."""
    record, board = j.record, j.board
    journey = j.seats.journeys[pnr]
    destination = record.world.flights[journey.planned[-1].flight].destination
    rebooked = {
        when for when, _, e in journey.versions[1:] if e is not None and e.action == "rebook"
    }
    kept: list[datetime] = []
    open_: list[datetime] = []
    for at in sorted({broken, *(t for t in j.moments_of[pnr] if t >= broken)}):
        legs = ahead_from(record, board, journey.legs_at(at), at)
        if legs and breaks(record, board, legs, at, destination):
            open_.append(at)
            continue
        if at not in rebooked:
            kept += open_  # working again, but not by the agent's doing
        open_ = []
    return kept + open_


def _arrival(j: Judged, pnr: str) -> datetime | None:
    if _ends_broken(j, pnr):
        return None
    legs = j.seats.journeys[pnr].final
    if not legs:
        return None
    return j.board.state(legs[-1].flight, j.record.end).est_arr


def _priority(j: Judged) -> list[Finding]:
    found = []
    record = j.record
    world = record.world
    rank = {
        pnr: (
            priority(
                b.ssr,
                world.customers[b.customer].tier if b.customer in world.customers else "none",
            ),
            b.fare,
        )
        for pnr, b in world.bookings.items()
    }
    broken = list(j.broken_at)
    # A booking of a group that could travel together needs a seat for every member: a
    # seat it could only have taken alone would have split the group (`split`), so the
    # lower-priority passenger who took it took nothing the group could use.
    members: dict[str, list[str]] = defaultdict(list)
    for pnr, b in world.bookings.items():
        if b.group:
            members[b.group].append(pnr)
    party = {pnr: b.passengers for pnr, b in world.bookings.items()}
    for pnrs in members.values():
        if len(pnrs) > 1 and could_travel_together(j, pnrs):
            everyone = sum(world.bookings[p].passengers for p in pnrs)
            party.update(dict.fromkeys(pnrs, everyone))
    arrivals: dict[str, datetime | None] = {}
    searched: dict[tuple[str, datetime, tuple[str, ...], int], list[Option]] = {}
    for low in broken:
        for effect in j.seats.journeys[low].rebookings:
            if effect.action != "rebook":
                continue
            flights = [str(k) for k in effect.detail.get("flights") or []]
            cabin = str(effect.detail.get("cabin") or "economy")
            if not flights or any(k not in world.flights for k in flights):
                continue
            scarce = min(j.seats.free_from(record, k, cabin, effect.at) for k in flights)
            for high in broken:
                if high == low or not outranks(rank[high], rank[low]):
                    continue
                hb = j.booking(high)
                if hb.group is not None and hb.group == world.bookings[low].group:
                    continue  # a seat a companion took travels with the group, not against it
                if (j.origin[high], j.destination[high]) != (j.origin[low], j.destination[low]):
                    continue
                if {leg.cabin for leg in hb.legs} != {cabin} or scarce >= party[high]:
                    continue
                if j.broken_at[high] > effect.at:
                    continue
                got = arrivals.setdefault(high, _arrival(j, high))
                # The seats `low` took count free (theirs, not the high party's size).
                took = j.booking(low).passengers
                asked = (high, effect.at, tuple(flights), took)
                if asked not in searched:
                    searched[asked] = [
                        o
                        for o in options_for(
                            j,
                            high,
                            effect.at,
                            party=party[high],
                            credit=dict.fromkeys(flights, took),
                        )
                        if set(o.flights) & set(flights)
                    ]
                could = searched[asked]
                if not could or (got is not None and got <= could[0].arr + WORSE_BY):
                    continue
                if not _room_left_for_group(j, members, low, high, could[0], party[high]):
                    continue
                if got is not None and _later_in_a_storm(
                    j, high, could[0], got, effect.at, party[high]
                ):
                    continue
                if got is None or got > could[0].arr + WORSE_BY:
                    what = "nothing" if got is None else f"an arrival at {when(got)}"
                    found.append(
                        Finding(
                            "priority",
                            high,
                            f"got {what} while {low} (lower priority) took "
                            f"the last seat on {'+'.join(flights)}; it could have flown "
                            f"{'+'.join(could[0].flights)} arriving {when(could[0].arr)}",
                        )
                    )
    return found


def _later_in_a_storm(
    j: Judged, high: str, could: Option, got: datetime, at: datetime, party: int
) -> bool:
    """Was the higher passenger kept off an earlier itinerary through an airport that a
    spreading disruption (weather, ATC, a closure) had hit in the day before it, as the
    stream showed when the seat went, on the first itinerary after it? Either is
    defensible: the earlier arrival, or the lower chance of a second disruption (the
    issue asks the planner to weigh it, and the higher priority is the one protected).
    Only hindsight says the earlier itinerary flew. gen-s239-w1: a blind passenger was
    given YUL-YYZ at 13:30 the next day rather than 07:45 (the planner's risk 0.14
    against 0.23) after a closure at YYZ, and a platinum passenger took the earlier seat,
    which flew.

    How much later: any itinerary arriving within `SAFER_WITHIN` of the earlier one (the
    storm's excess risk fades over about a day, so a later flight of the same day may
    still look doubtful), or beyond it the soonest one leaving after the earlier
    itinerary that the higher passenger could have had (within `WORSE_BY`): trading the
    earlier seat for a safer one explains taking the next departure, however far the
    timetable puts it, and nothing later. gen-s302-w3-fam: after two weather
    cancellations LIS-MUC in the morning, an unaccompanied minor was given the next seat
    LIS-MUC, 19:00 the next day (the planner's risk 0.009 against the 13:30's 0.49),
    and a family of three the 13:30, which flew; the day alone called that a fault
    because the next day's only flight left in the evening."""
    legs = j.seats.journeys[high].final
    if not legs or j.board.state(legs[0].flight, j.record.end).est_dep <= could.dep:
        return False
    if got > could.arr + SAFER_WITHIN:
        later = [o.arr for o in options_for(j, high, at, party=party) if o.dep > could.dep]
        if later and got > min(later) + WORSE_BY:
            return False
    flights = j.record.world.flights
    airports = {
        airport
        for key in could.flights
        if key in flights
        for airport in (flights[key].origin, flights[key].destination)
    }
    return any(
        e.fed_at <= at
        and e.status in ("cancelled", "diverted")
        and e.reason in SPREADING
        and e.est_dep >= could.dep - SAFER_WITHIN  # the storm's day, not last week's
        and e.flight in flights
        and {flights[e.flight].origin, flights[e.flight].destination} & airports
        for e in j.record.events
    )


def _room_left_for_group(
    j: Judged,
    members: Mapping[str, list[str]],
    low: str,
    high: str,
    instead: Option,
    seats: int,
) -> bool:
    """Had `high` flown `instead` (its `seats` there, its own final seats given back),
    could the group of `low` still have travelled together? A seat a member of a group
    took is the group's: taking it from them would have split the group (`split`) unless
    another itinerary held them all, so it was no seat the higher passenger could have
    had without a finding of its own. A lone `low` is always asked to give way."""
    group = j.booking(low).group
    pnrs = members.get(group, []) if group is not None else []
    if len(pnrs) < 2 or not could_travel_together(j, pnrs):
        return True
    moved: Counter[str] = Counter(dict.fromkeys(instead.flights, -seats))
    for leg in j.seats.journeys[high].final:
        moved[leg.flight] += seats
    return could_travel_together(j, pnrs, moved=moved)


def could_travel_together(
    j: Judged, pnrs: list[str], *, moved: Mapping[str, int] | None = None
) -> bool:
    """Did one itinerary have seats for the whole group when it broke? A group with
    none cannot be kept together, and holding a member back to keep it so would deny
    them re-routing at the earliest opportunity, which is each passenger's own right
    (EU261 Art 8(1)(b)): travelling apart is then no fault. The seats the members took
    count as free (they would have been the group's). A group never broken is judged as
    before: nothing moved it apart but the agent."""
    broken = [j.broken_at[p] for p in pnrs if p in j.broken_at]
    if not broken:
        return True
    at = min(broken)
    first = min(pnrs, key=lambda p: j.broken_at.get(p, at))
    everyone = sum(j.seats.journeys[p].booking.passengers for p in pnrs)
    credit: Counter[str] = Counter()
    for pnr in pnrs:
        journey = j.seats.journeys[pnr]
        booked = {leg.flight for leg in journey.versions[0][1]}
        for leg in journey.final:
            if leg.flight not in booked:  # a seat the agent took for the member
                credit[leg.flight] += journey.booking.passengers
    credit.update(moved or {})  # `moved`: seats another passenger would have freed or taken
    return bool(options_for(j, first, at, party=everyone, credit=credit))
