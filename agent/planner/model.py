"""The planner's plain inputs and outputs: parties, options, seats, the assignment.

Nothing here knows bookings, cases or the database: a `Party` is whoever must travel
together (a booking's passengers, `seats` of them: lap infants take none) from an origin
to the journey's final destination, arriving by `arrive_by` when a journey follows; an
`Option` is one way to get there (a direct flight or a connection) in one cabin. The
glue that turns bookings into parties is `agent.planner.inputs`, and only that module
changes when the booking model does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

Seat = tuple[str, str]
"""(flight key, cabin): one row of inventory."""


@dataclass(frozen=True, slots=True)
class Start:
    """A second place a party may start again from, replacing more of its journey: the
    late leg's origin, for a missed connection whose late leg has not left yet (the
    passengers are still there: an earlier flight to the hub may make the onward one)."""

    origin: str
    earliest_dep: datetime
    exclude: frozenset[str]
    """Flights not to be taken from here (the late leg: kept, it is the party's own start)."""


@dataclass(frozen=True, slots=True)
class Party:
    """People who must be re-accommodated together, and what they need."""

    ref: str
    """The booking (PNR): the unit an assignment is made for, its passengers together."""
    seats: int
    """Seats needed on every leg (a family travels together)."""
    origin: str
    destination: str
    """The journey's final destination, not the disrupted leg's."""
    earliest_dep: datetime
    """The earliest departure the party can make."""
    cabin: str
    carrier: str
    """The booking's own carrier ("own metal")."""
    scheduled_arrival: datetime
    """When the journey was to arrive at its final destination: delay is measured from it."""
    arrive_by: datetime | None = None
    """No option may arrive later: the booking's next journey (a return) leaves soon
    after, and a later arrival would break it. None: no journey follows."""
    weight: float = 1.0
    """Priority: how much each hour of this party's delay counts (`objective.priority_weight`)."""
    art11: bool = False
    """Reduced mobility or an unaccompanied minor among its passengers (EU261 Art 11: the
    carrier "shall give priority to carrying" them): planned before every party without,
    whatever their weights and seats add up to (`solve.plan_wave`)."""
    tier_order: int = 0
    """Its loyalty tier's place in the order tiers are served a seat in (0: the highest,
    or tiers not in order: `PlannerSettings.tiers_in_order`): a party of a lower one
    never takes the seat a higher one needed to be placed at all (`solve.plan_wave`)."""
    avoid_airports: frozenset[str] = frozenset()
    avoid_carriers: frozenset[str] = frozenset()
    no_overnight: bool = False
    exclude: frozenset[str] = frozenset()
    """Flights this party must not be put on (its own broken ones)."""
    lost_before: int = 0
    """Flights of this journey the party already lost to a disruption (rebooked off a
    cancelled or diverted flight before): each makes a further one cost more."""
    together: tuple[str, ...] = ()
    """The itinerary its linked companions already hold or were rebooked onto (a re-plan
    of one booking, `agent.planner.companions`): any other breaks the preference to
    travel with them. Empty: no such companions."""
    held: tuple[tuple[str, str, int], ...] = ()
    """(flight, cabin, seats) the party holds now on the segments its new itinerary
    replaces (sorted). Re-planned onto one of those flights again, in the same cabin, it
    keeps those seats: they are credited to this party alone (`needs`), not counted free
    for others, as the flight's seats left (everybody's) already count them sold."""
    also_from: Start | None = None
    """Another start the party's options may leave from (None: `origin` only)."""

    def needs(self, seat: Seat) -> int:
        """The seats this party must find free on `seat` (its own there credited)."""
        if not self.held:
            return self.seats
        flight, cabin = seat
        own = 0
        for f, c, n in self.held:  # a loop, not sum(): the planner asks this 100k times a wave
            if f == flight and c == cabin:
                own += n
        return self.seats - own if own < self.seats else 0


@dataclass(frozen=True, slots=True)
class Option:
    """One itinerary a party could take, with what the objective needs to know of it."""

    flights: tuple[str, ...]
    cabin: str
    dep: datetime
    arr: datetime
    carriers: tuple[str, ...]
    via: tuple[str, ...]
    """The connecting airports (empty for a direct flight)."""
    risk: float
    """Estimated chance that some leg is disrupted too (`agent.planner.risk`)."""
    red_eye: bool
    """A leg leaves between 22:00 and 05:59 local time."""
    layover_minutes: int = 0
    """Time spent waiting at connecting airports."""
    fallback_minutes: int = 0
    """How much later the party's safest option (the least risk; the earliest of those)
    arrives than this one: the further delay the party would face if this one went too
    (`agent.planner.objective.option_cost` weighs it by the risk)."""

    @property
    def stops(self) -> int:
        return len(self.flights) - 1

    @property
    def seats(self) -> list[Seat]:
        return [(flight, self.cabin) for flight in self.flights]


class Solver(StrEnum):
    MILP = "milp"
    """HiGHS: the LP, its dive or the branch-and-bound (within `mip_rel_gap` of the bound)."""
    GREEDY = "greedy"
    """Priority order, each party its cheapest option left: the fallback for huge waves."""


@dataclass(frozen=True, slots=True)
class Placement:
    """What the planner decided for one party."""

    ref: str
    option: Option | None
    """The assigned itinerary; None only when no seat exists within the horizon."""
    ranked: tuple[Option, ...]
    """The next-best options with seats left after the assignment, best first (for an
    operator who edits the proposal)."""
    cost: float
    delay_minutes: int
    """Arrival delay at the final destination (the horizon's end when unplaced)."""


@dataclass(frozen=True)
class WavePlan:
    """The assignment of one wave, with what shows how good it is."""

    placements: dict[str, Placement]
    solver: Solver
    objective: float
    lower_bound: float
    """The LP relaxation's optimum: no assignment can do better."""
    digest: str
    """SHA-256 of the canonical inputs: the same inputs give the same digest and plan."""
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def quality_ratio(self) -> float:
        """Objective over its lower bound (1.0: provably optimal)."""
        return self.objective / self.lower_bound if self.lower_bound > 0 else 1.0

    def placed(self, ref: str) -> Option | None:
        placement = self.placements.get(ref)
        return placement.option if placement else None
