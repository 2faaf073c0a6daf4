"""Each booking's itinerary and each cabin's seats over time, rebuilt from the ledger,
and the oracle's own search for a seat.

The ledger is the agent's account of what it did; the oracle replays it over the world as
it was before the run (a rebooking takes seats on its new flights and frees the replaced
ones, which the new ones take the journey of; a release, a re-routing given up, does the
same with the flight the booking goes back to; a refund frees the refunded journeys'
seats, every journey's when it names none) and compares the result with the database
afterwards.

A booking is judged on one of its journeys (`Journey.judged`, chosen in `context`): the
itinerary, its destination and its search are that journey's, so a return flight is not
where the outbound must end, and another journey's flights are not the disrupted trip's.

Why it is long: the replay, where a diverted flight set a passenger down (`set_down`) and
the oracle's own search are one account of a booking over time that every check reads
together; the search alone is the next to move out if it grows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from evals.oracle.board import Board
from evals.oracle.record import BookingRec, Effect, Leg, RunRecord
from evals.oracle.rules import mct

LEAD = timedelta(minutes=30)
"""The least time between a decision and the departure a passenger can still make."""


@dataclass
class Journey:
    """One booking's itinerary versions: the original, then one per rebooking."""

    booking: BookingRec
    versions: list[tuple[datetime, tuple[Leg, ...], Effect | None]] = field(default_factory=list)
    """Every leg of the booking, whatever the journey."""
    refunds: list[tuple[datetime, frozenset[int] | None]] = field(default_factory=list)
    """When each refund was made and the journeys it refunded (None: the whole booking)."""
    judged: int | None = None
    """The journey (`Leg.journey`) `legs_at`, `final` and `planned` give (None: all legs)."""

    def mine(self, legs: tuple[Leg, ...]) -> tuple[Leg, ...]:
        """Those of `legs` on the judged journey."""
        if self.judged is None:
            return legs
        return tuple(leg for leg in legs if leg.journey == self.judged)

    def all_legs_at(self, at: datetime, *, before: bool = False) -> tuple[Leg, ...]:
        """Every leg the booking held at `at`; `before`: as a record fed at `at` found it
        (the clock stands still while the agent works, so its effects carry its time)."""
        found = self.versions[0][1]
        for when, legs, _ in self.versions[1:]:
            if when > at or (before and when == at):
                break
            found = legs
        return found

    def legs_at(self, at: datetime, *, before: bool = False) -> tuple[Leg, ...]:
        """The judged journey's itinerary at `at` (`all_legs_at`)."""
        return self.mine(self.all_legs_at(at, before=before))

    @property
    def final(self) -> tuple[Leg, ...]:
        """The judged journey's itinerary at the end."""
        return self.mine(self.versions[-1][1])

    @property
    def whole_final(self) -> tuple[Leg, ...]:
        """Every leg the booking holds at the end."""
        return self.versions[-1][1]

    @property
    def planned(self) -> tuple[Leg, ...]:
        """The judged journey as booked, before the run."""
        return self.mine(self.versions[0][1])

    @property
    def refunded_at(self) -> datetime | None:
        """When the judged journey (the whole booking, if none is judged) was refunded."""
        for when, journeys in self.refunds:
            if journeys is None or (self.judged is not None and self.judged in journeys):
                return when
        return None

    @property
    def closed_at(self) -> datetime | None:
        """When the last of the booking's journeys was refunded (nothing left on it)."""
        left = set(self.booking.journeys)
        for when, journeys in self.refunds:
            left -= left if journeys is None else journeys
            if not left:
                return when
        return None

    @property
    def rebookings(self) -> list[Effect]:
        return [e for _, _, e in self.versions if e is not None]


@dataclass(frozen=True)
class SeatChange:
    at: datetime
    flight: str
    cabin: str
    delta: int
    pnr: str


@dataclass
class Replay:
    journeys: dict[str, Journey]
    seat_changes: list[SeatChange]
    problems: list[tuple[str, str]]
    """(pnr, reason) for ledger rows that cannot be replayed."""

    def __post_init__(self) -> None:
        self._by_cabin: dict[tuple[str, str], list[SeatChange]] = {}
        for c in sorted(self.seat_changes, key=lambda c: c.at):
            self._by_cabin.setdefault((c.flight, c.cabin), []).append(c)

    def changes_of(self, flight: str, cabin: str) -> list[SeatChange]:
        return self._by_cabin.get((flight, cabin), [])

    def sold_at(self, record: RunRecord, flight: str, cabin: str, at: datetime) -> int:
        base = record.world.flights[flight].sold.get(cabin, 0)
        return base + sum(c.delta for c in self.changes_of(flight, cabin) if c.at <= at)

    def free_from(self, record: RunRecord, flight: str, cabin: str, at: datetime) -> int:
        """The fewest seats free in the cabin at any time from `at` to the end of the run:
        a seat free all along was one nobody needed."""
        f = record.world.flights[flight]
        sold = self.sold_at(record, flight, cabin, at)
        worst = sold
        for c in self.changes_of(flight, cabin):
            if c.at > at:
                sold += c.delta
                worst = max(worst, sold)
        return f.capacity.get(cabin, 0) - worst


def replay(record: RunRecord) -> Replay:
    """Replay the ledger's rebookings and refunds over the world before the run."""
    journeys: dict[str, Journey] = {}
    for pnr, booking in record.world.bookings.items():
        journeys[pnr] = Journey(booking, [(record.world.start, booking.legs, None)])
    next_seq = {
        p: max([leg.seq for leg in b.legs], default=0) for p, b in record.world.bookings.items()
    }
    changes: list[SeatChange] = []
    problems: list[tuple[str, str]] = []
    for effect in sorted(record.effects, key=lambda e: e.at):
        journey = journeys.get(effect.pnr)
        if journey is None or effect.action not in ("rebook", "release", "refund"):
            continue
        party = journey.booking.passengers
        current = journey.final
        if effect.action == "refund":
            refunded = _refunded_journeys(effect)
            journey.refunds.append((effect.at, refunded))
            freed = [leg for leg in current if refunded is None or leg.journey in refunded]
            changes += [
                SeatChange(effect.at, leg.flight, leg.cabin, -party, effect.pnr) for leg in freed
            ]
            left = tuple(leg for leg in current if leg not in freed)
            journey.versions.append((effect.at, left, effect))
            continue
        replaced = {int(s) for s in effect.detail.get("replace_seqs") or []}
        flights = [str(k) for k in effect.detail.get("flights") or []]
        cabin = str(effect.detail.get("cabin") or (current[0].cabin if current else "economy"))
        unknown = [k for k in flights if k not in record.world.flights]
        missing = replaced - {leg.seq for leg in current}
        if unknown or missing or not flights:
            problems.append(
                (
                    effect.pnr,
                    f"rebooking at {effect.at:%H:%M} names unknown flights {unknown} "
                    f"or segments {sorted(missing)} the booking does not hold",
                )
            )
            continue
        kept = [leg for leg in current if leg.seq not in replaced]
        # The new flights carry the passenger on the journey of the legs they replace.
        trip = min((leg.journey for leg in current if leg.seq in replaced), default=1)
        added = []
        for key in flights:
            next_seq[effect.pnr] += 1
            added.append(Leg(next_seq[effect.pnr], key, cabin, trip))
        changes += [
            SeatChange(effect.at, leg.flight, leg.cabin, -party, effect.pnr)
            for leg in current
            if leg.seq in replaced
        ]
        changes += [
            SeatChange(effect.at, leg.flight, leg.cabin, party, effect.pnr) for leg in added
        ]
        legs = sorted([*kept, *added], key=lambda leg: record.world.flights[leg.flight].sched_dep)
        journey.versions.append((effect.at, tuple(legs), effect))
    return Replay(journeys, changes, problems)


def _refunded_journeys(effect: Effect) -> frozenset[int] | None:
    """The journeys a refund names (`journeys` in its ledger row); None: the whole booking."""
    named = effect.detail.get("journeys")
    if not named:
        return None
    return frozenset(int(n) for n in named)


# --- is an itinerary good at a time? ----------------------------------------------------------


def unflown(
    record: RunRecord, board: Board, legs: tuple[Leg, ...], at: datetime
) -> tuple[Leg, ...]:
    """The legs not yet flown at `at` (a leg is flown once its flight left and was not
    cancelled or diverted, with the passenger aboard): a flight that left before the leg
    bringing the passenger to it landed left without them (found-compensation-s320-w14:
    the first word of FCO→VIE was "arrived 165 min late", after VIE→ATH had left)."""
    ahead: list[Leg] = []
    for i, leg in enumerate(legs):
        inbound = legs[i - 1] if i else None
        if not _flown(board, leg.flight, at) or (
            inbound is not None and _missed(record, board, inbound, leg, ahead, at)
        ):
            ahead.append(leg)
    return tuple(ahead)


def _missed(
    record: RunRecord, board: Board, inbound: Leg, leg: Leg, ahead: list[Leg], at: datetime
) -> bool:
    """Whether the passenger, on `inbound` (the leg before `leg` on the same journey,
    landing where it leaves), was not aboard `leg` when it left: the inbound had not
    flown, or landed after `leg` left. A gone inbound brings no one (the booking goes on
    from wherever the passenger is, `ahead_from`)."""
    flights = record.world.flights
    if inbound.journey != leg.journey:
        return False
    if flights[inbound.flight].destination != flights[leg.flight].origin:
        return False
    state = board.state(inbound.flight, at)
    if state.gone:
        return False
    return inbound in ahead or state.est_arr > board.state(leg.flight, at).est_dep


def ahead_from(
    record: RunRecord, board: Board, legs: tuple[Leg, ...], at: datetime
) -> tuple[Leg, ...]:
    """The legs not yet flown at `at`, after the flown leg that brings the passenger to
    the first of them (in the air, or landed to connect): the connection is made or
    missed by that leg's arrival, so `breaks` must see it (a delay first known when the
    inbound had left breaks the onward flight as surely as one known before).

    Only a leg that lands where the next one leaves is that inbound: after a diversion the
    booking goes on from where the passenger was put down (VIE→DUB flown, then LIS→DUB
    from the diversion airport), and the earlier flown leg brings them nowhere the
    itinerary continues from."""
    ahead = unflown(record, board, legs, at)
    if not ahead or ahead[0] not in legs:
        return ahead
    first = legs.index(ahead[0])
    if first == 0:
        return ahead
    inbound, flights = legs[first - 1], record.world.flights
    if flights[inbound.flight].destination != flights[ahead[0].flight].origin:
        return ahead
    return (inbound, *ahead)


def _flown(board: Board, key: str, at: datetime) -> bool:
    state = board.state(key, at)
    if state.gone:
        return False
    return state.status in ("departed", "arrived") or state.est_dep <= at


def breaks(
    record: RunRecord, board: Board, legs: tuple[Leg, ...], at: datetime, destination: str
) -> list[str]:
    """Why this itinerary no longer reaches `destination` at `at` (empty: it does)."""
    if not legs:
        return ["no flights left on the booking"]
    problems = []
    flights = record.world.flights
    for leg in legs:
        state = board.state(leg.flight, at)
        if state.gone:
            problems.append(f"{leg.flight} is {state.status}")
    for a, b in pairwise(legs):
        fa, fb = flights[a.flight], flights[b.flight]
        if fa.destination != fb.origin:
            problems.append(f"{a.flight} lands at {fa.destination}, {b.flight} leaves {fb.origin}")
            continue
        need = mct(
            record.world.places[fa.destination],
            record.world.places[fa.origin],
            record.world.places[fb.destination],
        )
        gap = board.state(b.flight, at).est_dep - board.state(a.flight, at).est_arr
        if gap < need:
            problems.append(
                f"connection at {fa.destination} of {_minutes(gap)} is under {_minutes(need)}"
            )
    if flights[legs[-1].flight].destination != destination:
        problems.append(f"ends at {flights[legs[-1].flight].destination}, not {destination}")
    return problems


@dataclass(frozen=True)
class SetDown:
    """A diverted flight the passenger was on when it diverted, since replaced: it put
    them down at its diversion airport (or, had it not left, they are still at its
    origin), so whatever the booking holds now starts from one of those two."""

    flight: str
    airport: str
    """Where the flight's latest record says it diverted to, as the board showed at `at`."""
    places: frozenset[str]
    """Where the passenger can be: `airport` or the flight's origin."""
    stale: frozenset[str]
    """Where the flight was announced diverted to before, and is no longer going."""
    start: Leg | None
    """The first leg the booking was given after the diversion (None: none yet)."""
    moment: datetime
    """When the board last said where the flight diverted to (by `at`)."""


def set_down(
    record: RunRecord, board: Board, journey: Journey, at: datetime, *, before: bool = False
) -> SetDown | None:
    """The last diverted flight the booking held when it diverted and holds no more at
    `at` (the agent re-routed the passenger from where it put them down), as the board
    shows it at `at`: a flight diverted to one airport and then to another puts them
    down at the second, and a re-routing from the first no longer starts where they are
    (None: the booking replaced no such flight). `before`: the booking as a record fed
    at `at` found it (`Journey.all_legs_at`)."""
    now = journey.all_legs_at(at, before=before)
    held_now = {leg.flight for leg in now}
    found: SetDown | None = None
    found_at: datetime | None = None
    for key in {leg.flight for _, legs, _ in journey.versions for leg in legs} - held_now:
        state = board.state(key, at)
        if state.status != "diverted" or not state.diverted_to:
            continue
        diverted_at = next(
            t for t in board.fed_times(key) if board.state(key, t).status == "diverted"
        )
        then = {leg.flight for leg in journey.all_legs_at(diverted_at, before=True)}
        if key not in then or (found_at and diverted_at <= found_at):
            continue
        given = [leg for leg in now if leg.flight not in then]
        places = frozenset({state.diverted_to, record.world.flights[key].origin})
        announced = {board.state(key, t).diverted_to for t in board.fed_times(key) if t <= at}
        stale = frozenset(a for a in announced if a is not None) - places
        start = given[0] if given else None
        found = SetDown(key, state.diverted_to, places, stale, start, state.since)
        found_at = diverted_at
    return found


def misplaced(
    record: RunRecord, board: Board, journey: Journey, at: datetime, *, before: bool = False
) -> list[str]:
    """Why the booking's re-routing after a diversion still starts where the flight was
    first said to divert to, when it has since diverted elsewhere (empty: it does not, or
    there is none). Only that airport is judged: a re-routing from anywhere else is
    `wrong_route`'s to judge when it is made, and one changed again later (its first legs
    flown, replaced) is no re-routing from the diversion any more."""
    down = set_down(record, board, journey, at, before=before)
    if down is None or down.start is None:
        return []
    leaves = record.world.flights[down.start.flight].origin
    if leaves not in down.stale:
        return []
    return [
        f"{down.start.flight} leaves {leaves}, but {down.flight} put the passenger down at "
        f"{down.airport}"
    ]


def _minutes(delta: timedelta) -> str:
    return f"{int(delta.total_seconds() // 60)} min"


# --- the oracle's own search -------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    flights: tuple[str, ...]
    dep: datetime
    arr: datetime


def search(
    record: RunRecord,
    board: Board,
    seats: Replay,
    *,
    origin: str,
    destination: str,
    cabin: str,
    party: int,
    at: datetime,
    earliest: datetime,
    latest: datetime,
    exclude: frozenset[str] = frozenset(),
    returned: frozenset[str] = frozenset(),
    survives: bool = True,
    credit: Mapping[str, int] | None = None,
    arrive_by: datetime | None = None,
) -> list[Option]:
    """Direct and one-stop itineraries boardable at `at`, leaving in [earliest, latest],
    with `party` seats in `cabin` free from `at` to the end of the run (on `returned`
    flights, counting the seats someone else took as free; `credit`: seats per flight
    counted free besides), arriving by `arrive_by` if given, soonest arrival first.
    `survives`: only flights not cancelled or diverted by the end (an alternative that
    was itself cancelled later would not have got the passenger there either)."""
    flights = record.world.flights

    def usable(key: str) -> bool:
        state = board.state(key, at)
        return (
            key not in exclude
            and not state.gone
            and state.status not in ("departed", "arrived")
            and earliest <= state.est_dep <= latest
            and seats.free_from(record, key, cabin, at)
            + (party if key in returned else 0)
            + (credit or {}).get(key, 0)
            >= party
            and not (survives and board.state(key, record.end).gone)
        )

    firsts = [k for k in board.from_origin.get(origin, ()) if usable(k)]
    found: list[Option] = []
    for a in firsts:
        sa = board.state(a, at)
        if flights[a].destination == destination:
            found.append(Option((a,), sa.est_dep, sa.est_arr))
            continue
        hub = flights[a].destination
        for b in board.from_origin.get(hub, ()):
            if flights[b].destination != destination or not usable(b):
                continue
            sb = board.state(b, at)
            places = record.world.places
            if sb.est_dep - sa.est_arr >= mct(
                places[hub], places[flights[a].origin], places[destination]
            ):
                found.append(Option((a, b), sa.est_dep, sb.est_arr))
    if arrive_by is not None:
        found = [o for o in found if o.arr <= arrive_by]
    found.sort(key=lambda o: (o.arr, len(o.flights)))
    return found


def taken_by(seats: Replay, flight: str, cabin: str, after: datetime) -> Counter[str]:
    """Who took seats in the cabin after `after` (pnr → seats)."""
    return Counter(
        {
            c.pnr: c.delta
            for c in seats.seat_changes
            if c.flight == flight and c.cabin == cabin and c.at > after and c.delta > 0
        }
    )
