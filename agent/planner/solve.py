"""The joint assignment of a wave: every party to one option or to none, seats respected.

Why a MILP, and HiGHS: the problem is an assignment with side constraints —
a connection uses a seat on two flights, a family needs `seats` seats on every leg —
so it is not a network flow (min-cost flow would split a connection's legs or a
family). As a mixed-integer program it is small once identical parties are grouped
(the passengers of one cancelled flight bound for one destination, in one cabin and
priority class, are interchangeable): integer variables y[g, o] (how many of group g
take option o) and u[g] (how many stay unplaced), one equality per group, one
capacity row per (flight, cabin): Σ y[g, o]·(seats − held) ≤ seats left, where `held`
is what g's parties hold there already (`Party.needs`: their own seats, credited to them
alone, in the greedy and the bound alike). Its LP relaxation is nearly integral: the LP
is solved first, and when its optimum is integral nothing more is (`_search`). What stays
fractional is families (and connections) competing for a flight's last seats.

How the fractional LP is made integral (session 15, the storm of 50's wave with
`scripts/bench_plan.py`, 3 927 parties, 12 253 variables, two big programs after the
EU261 Art 11-first split): HiGHS's branch-and-bound closed each at its root, but only
after its cut loop and five sub-MIPs (4-6 s each, ~85 % of the planning CPU, ~35 % of
the storm's): its own incumbent sits at ~2.2 % above the root bound until the sub-MIP
finds one within 0.004 %, with nothing in between, so the gap setting (1e-3 .. 1e-2) and
presolve changed nothing (session 14). What was tried:

    step                                   CPU per program  gap to the LP bound
    HiGHS branch-and-bound (scipy's milp)  3.9-5.9 s        3-4e-5
    round down, greedy fill                12-19 ms         1.9-2.1 %
      + ejection repair (move singles off  4-5 s (Python)   3.7e-3
        a family's seats)
    LP dive, 1 column per re-solve         0.7 s            5.5-7.4e-4
    LP dive, 4 per re-solve (kept)         0.3-0.45 s       6.8-8.3e-4
    LP dive, 16 per re-solve               0.7-1.2 s        1.0-1.6e-3 (mostly infeasible)
    branch-and-bound from the dive's       0.3 s at gap 5e-3 (stops at the root: the
      answer (highspy's setSolution)       incumbent is within it); 4-6 s at 1e-3

So the program is solved through `highspy` (HiGHS itself: scipy's `milp` re-solves
nothing warm and takes no incumbent): a program of more than `exact_max_variables` is
dived (`program.dive`: round a few fractional columns up, re-solve the LP warm so the
others move around each family placed whole, undo a rounding that leaves no feasible
LP), and the dive's answer is the plan when it is within `mip_rel_gap` of the LP's bound (the
bound proves it, as HiGHS's search would have), else the branch-and-bound runs from it.
A smaller program is searched as before (tens of ms; 150 small scarce waves of 5-25 of
the storm's parties, seats cut to 1-4: the same objective as the search in every one).
On the storm of 50's wave: plan_wave 11.6 s -> 1.4-1.7 s of CPU, ratio 1.00149 ->
1.00177 (the same seats placed, 2 831 of 2 832; 1 749 parties placed instead of 1 760:
costs are per seat, so which bookings fill a flight is nearly a tie). On 12 sub-waves of
800-3 000 of its parties (capacity scaled): 1.0019 on average (max 1.0032) against the
search's 1.0012 (max 1.0027), for a third of its CPU (21.8 s against 66 s: 7 of the 12
dives' answers were not within the gap and searched on). Fixing the LP's integral
values and solving only the fractional groups (session 14) ended 2.8 % above the bound:
families need whole seats the LP split, which the dive's re-solves free.

HiGHS is deterministic: the same model gives the same solution on any machine load
(one thread, `random_seed` 0, both set; the dive's order is by fraction then column).
No wall-clock limit decides anything: the search is bounded by a node count
(`node_limit`) and stops at the relative gap `mip_rel_gap`, the dive ends by
construction (each round fixes a bound for good), and a wave too big for either
(`max_milp_variables`) is planned by the greedy fallback, deterministic too. OR-Tools'
CP-SAT would do as well with one worker and a fixed seed, but adds a 30 MB dependency for
a model whose strength is linear programming.

The objective has exact ties (costs are per seat: one party of five on a flight costs
what parties of four and one do), so which bookings are placed is the solver path's
choice; a different assignment is acceptable when it is as good or within the documented
gap. Nor does the wave split: one component holds 3 391 of its 3 927 parties (317 of
348 seat rows can bind).

The gap `mip_rel_gap` is 5e-3, the widest whose guarantee (a ratio of 1.005 against the
program's own bound, which the full LP bound below can undercut by the options the MILP
did not see) is within the brief's half percent. Session 14 measured the search alone:

    mip_rel_gap  presolve  CPU     placed  objective     ratio    moved
    1e-3         on        9.6 s   1 760   1 905 452.5   1.00149  0
    2e-3 .. 1e-2 on        10-11 s 1 760   1 905 452.5   1.00149  0
    1e-3 .. 1e-2 off       8.2-9.2 1 761   1 904 672.4   1.00108  163

(bound 1 902 623.8 throughout; "moved": placements differing from the first row).

The LP relaxation's optimum, over every option of every party (not only those the MILP
was given), is the lower bound that `WavePlan.quality_ratio` divides by.

Why it is long: one algorithm — group the parties, build the program, solve the LP,
dive or search when it is fractional, widen the shares, split groups back into parties,
place the rest greedily — whose steps all work on the private `_Group` and its option
book; split, that structure would become a public type for one caller. Its seams to
other modules are already out: the objective (`objective`), the shares (`shares`), the
digest, and what HiGHS does with the program (`program`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.sparse import csc_array

from agent.planner import program
from agent.planner.digest import inputs_digest
from agent.planner.model import Option, Party, Placement, Seat, Solver, WavePlan
from agent.planner.objective import delay_minutes, option_cost, unplaced_cost
from agent.planner.program import INTEGRAL_TOLERANCE
from agent.planner.shares import contested
from agent.settings import PlannerSettings


@dataclass
class _Group:
    """Parties identical for the objective (same needs, same options), by ref."""

    members: list[Party]
    options: list[Option]
    costs: list[float]
    unplaced: float
    kept: int = 0
    """Members an earlier tier's stage placed: at most the others may stay unplaced."""


def plan_wave(
    parties: Sequence[Party],
    options: Mapping[str, Sequence[Option]],
    capacity: Mapping[Seat, int],
    weights: PlannerSettings,
) -> WavePlan:
    """Assign every party of the wave (module docstring); deterministic.

    EU261 Art 11 first: the parties with reduced mobility or an unaccompanied minor
    (`Party.art11`) are planned jointly on every seat, and the others on the seats they
    leave; each part serves its loyalty tiers a seat in order (`_in_tier_order`). Art 11
    is an order, not a weight: in one objective, two platinum passengers of a linked
    group (2 seats at weight 2) outweighed a blind passenger alone (1 seat at weight 4)
    for the last seats of the earlier connection, and the blind passenger arrived 4 h
    later (found-priority-s239-w1). The bound is the parts' bounds summed: a bound of
    the problem in that order.
    """
    # Computed once for the wave (the stages' plans carry it): serializing every party's
    # options is a quarter of the planning CPU when each stage hashed its own.
    digest = inputs_digest(parties, options, capacity, weights)
    first = [p for p in parties if p.art11]
    if not first or len(first) == len(parties):
        return _in_tier_order(parties, options, capacity, weights, digest)
    ahead = _in_tier_order(first, options, capacity, weights, digest)
    left = dict(capacity)
    for party in first:
        placed = ahead.placed(party.ref)
        for seat in placed.seats if placed is not None else ():
            left[seat] = left.get(seat, 0) - party.needs(seat)
    rest = _in_tier_order([p for p in parties if not p.art11], options, left, weights, digest)
    return WavePlan(
        placements={**ahead.placements, **rest.placements},
        solver=Solver.MILP
        if ahead.solver is Solver.MILP and rest.solver is Solver.MILP
        else Solver.GREEDY,
        objective=round(ahead.objective + rest.objective, 6),
        lower_bound=round(ahead.lower_bound + rest.lower_bound, 6),
        digest=digest,
        stats={k: ahead.stats.get(k, 0) + rest.stats.get(k, 0) for k in ahead.stats},
    )


def _in_tier_order(
    parties: Sequence[Party],
    options: Mapping[str, Sequence[Option]],
    capacity: Mapping[Seat, int],
    weights: PlannerSettings,
    digest: str,
) -> WavePlan:
    """Plan `parties` so that a higher loyalty tier (`Party.tier_order`) is served a seat
    first: tier by tier from the highest, each stage plans the tiers so far jointly, and
    every party an earlier stage placed must stay placed, on any of its options (`kept`:
    its group's unplaced count is bounded). The last stage, every tier, is the plan.

    A tier is an order for *whether* a party gets a seat, a weight for *which* seat.
    Weighed only, an untiered linked pair (2 seats at weight 1.25) took the last two
    seats from a platinum passenger alone (1 seat at weight 2), who got the refund offer
    (found-priority-s305-w5). Planned strictly one tier after another instead (each
    tier's best seats first, on what the tiers before left), a gold passenger alone
    chose its own carrier's later flight over a partner's earlier seat (the partner's
    cost, the airline's, outweighed its delay) without seeing that a silver passenger
    would take the partner's seat anyway, so the silver arrived 3.5 h before the gold
    (found-priority-s67-w5): in one objective that cost is paid whoever sits there and
    cancels out. Strict stages also seated fewer: on the storm of 50's wave (3 927
    parties recorded by `scripts/bench_plan.py`, session 17), weighed only 2 831
    passengers, strict stages 2 682, these stages 2 719 (platinum 172 of 184 parties
    placed against 165, gold 336 of 400 against 287, untiered 734 of 2 682 against 889:
    a higher party seated on two legs of a connection where the weights would have
    seated two lower passengers is the price of the order). Planning CPU, best of two
    in one process on the recorded wave (as `scripts/bench_plan.py --against 507d9f1`
    runs both): 2.00-2.08 s, against 2.25 s for session 16's plan weighed only (the
    stages share one cost book and the wave's one digest).
    """
    complete = _fitting(parties, options, capacity)
    book = _Book(parties, complete, weights)  # every stage's costs, computed once
    tiers = sorted({p.tier_order for p in parties}) or [0]  # no parties: one empty plan
    kept: dict[str, Option] = {}
    stages: list[WavePlan] = []
    for tier in tiers:
        members = [p for p in parties if p.tier_order <= tier]
        plan = _plan_jointly(members, complete, capacity, weights, book, digest, kept=kept)
        stages.append(plan)
        kept = {
            ref: placement.option
            for ref, placement in plan.placements.items()
            if placement.option is not None
        }
    plan = stages[-1]
    if len(stages) == 1:
        return plan
    # The solver's work is every stage's; the sizes are the last stage's (the whole part).
    work = {k: sum(stage.stats.get(k, 0) for stage in stages) for k in ("searches", "dives")}
    return replace(plan, stats={**plan.stats, **work})


def _fitting(
    parties: Sequence[Party], options: Mapping[str, Sequence[Option]], capacity: Mapping[Seat, int]
) -> dict[str, list[Option]]:
    """Per party, its options with seats for it now (the seats it holds credited)."""
    return {
        p.ref: [
            o
            for o in options.get(p.ref, ())
            if all(capacity.get(seat, 0) >= p.needs(seat) for seat in o.seats)
        ]
        for p in parties
    }


def _plan_jointly(
    parties: Sequence[Party],
    options: Mapping[str, Sequence[Option]],
    capacity: Mapping[Seat, int],
    weights: PlannerSettings,
    book: _Book,
    digest: str,
    *,
    kept: Mapping[str, Option] | None = None,
) -> WavePlan:
    """Assign every party of `parties` jointly, in one objective; deterministic. A party
    in `kept` (placed by an earlier stage of `_in_tier_order`, on the option named) is
    placed again, on that option or another (its group's unplaced count is bounded).

    `options` may be long: the MILP sees, per party, the `max_options` cheapest that
    have seats now; a party it leaves unplaced is given the rest of its options and the
    wave solved again (so a lower priority cannot take a seat it could fly), and any
    still unplaced is then offered the rest of its options in priority order, so nobody
    is left without a seat while one exists among them.
    """
    complete = _fitting(parties, options, capacity)
    # The MILP sees each party's `max_options` cheapest by the objective, not the
    # earliest-arriving: in a storm the earliest are the next hours' flights that are
    # likely to go too, and the options worth taking (a later, safer flight, another
    # carrier's) would never be seen.
    by_ref = {p.ref: p for p in parties}
    options = {
        ref: [
            opts[i]
            for i in sorted(range(len(opts)), key=lambda i: (book.costs[ref][i], i))[
                : weights.max_options
            ]
        ]
        for ref, opts in complete.items()
    }
    kept = kept or {}
    for ref, placed in kept.items():
        # The earlier stage's seat stays in reach, so its answer (this stage's lower
        # tiers unplaced) is feasible here and the bound on unplaced can be met.
        if ref in options and placed not in options[ref] and placed in complete[ref]:
            options[ref] = [*options[ref], placed]
    groups = _groups(parties, options, book, kept)
    variables = sum(len(g.options) + 1 for g in groups)
    counts: list[list[int]] | None = None
    bound = 0.0
    solver = Solver.GREEDY
    searches = 0  # branch-and-bound runs (an integral LP or a close dive needs none)
    dives = 0  # fractional LPs rounded by the dive
    # The MILP saw the first `max_options` of some party: the bound must cover every
    # option, and is solved below over all of them (the MILP's own LP would be wasted).
    truncated = any(len(complete[p.ref]) > len(options[p.ref]) for p in parties)
    if groups and variables <= weights.max_milp_variables:
        relaxed = _relax(groups, capacity)
        bound = relaxed.lower if relaxed is not None and not truncated else 0.0
        # A party the MILP left unplaced may still fly on an option beyond its share
        # whose seats lower priorities hold (the MILP gave them to a party whose share
        # held them): the pass after (`_place_the_rest`), which serves free seats in
        # priority order, would find them taken. Such options (`agent.planner.shares`)
        # join the party's share and the wave is solved again, so the objective's
        # priority weights decide those seats (each round adds options to shares, so it
        # ends; a model grown past `max_milp_variables` falls back to the greedy,
        # priority first over every option).
        while relaxed is not None:
            counts, step = _search(groups, relaxed, weights)
            searches += step == "search"
            dives += step != "lp"
            if counts is None:
                break
            more = contested(
                [(g.members, g.options) for g in groups], counts, complete, options, capacity
            )
            if not more:
                break
            counts = None  # the answer was for the shares before this widening
            options = {**options, **{ref: [*options[ref], *extra] for ref, extra in more.items()}}
            groups = _groups(parties, options, book, kept)
            variables = sum(len(g.options) + 1 for g in groups)
            if variables > weights.max_milp_variables:
                break
            relaxed = _relax(groups, capacity)
        solver = Solver.MILP if counts is not None else Solver.GREEDY
    if counts is None:
        # Highest priority weight first (the objective's), each over every option it has,
        # not the MILP's share: a party whose share the parties before it took would
        # otherwise wait for `_place_the_rest`, after lower priorities had taken the
        # seats it could still fly. The share exists to keep the MILP small; the greedy
        # costs one pass whatever the number of options.
        order = sorted(parties, key=lambda p: (p.tier_order, -p.weight, p.earliest_dep, p.ref))
        chosen = greedy(order, complete, capacity, lambda p, i: book.costs[p.ref][i])
        placements = _placements_of(chosen, by_ref, complete, capacity, book.costs, weights)
        if groups and not bound and not truncated:
            bound = _lp_bound(groups, capacity)
    else:
        placements = _disaggregate(groups, counts, capacity, weights)
    placements = _place_the_rest(placements, parties, complete, capacity, book)
    if truncated:
        bound = _lp_bound(_groups(parties, complete, book, kept), capacity)
    objective = sum(p.cost for p in placements.values())
    return WavePlan(
        placements=placements,
        solver=solver,
        objective=round(objective, 6),
        lower_bound=round(bound, 6),
        digest=digest,
        stats={
            "parties": len(parties),
            "groups": len(groups),
            "variables": variables,
            "searches": searches,
            "dives": dives,
        },
    )


def greedy(
    order: Sequence[Party],
    options: Mapping[str, Sequence[Option]],
    capacity: Mapping[Seat, int],
    cost: Callable[[Party, int], float],
) -> dict[str, int | None]:
    """Each party in `order` takes its cheapest option with seats left (index, or None);
    the seats a party holds on a flight are its own there (`Party.needs`)."""
    left = dict(capacity)
    chosen: dict[str, int | None] = {}
    for party in order:
        mine = options.get(party.ref, ())
        best: int | None = None
        for i in sorted(range(len(mine)), key=lambda i: (cost(party, i), i)):
            if all(left.get(seat, 0) >= party.needs(seat) for seat in mine[i].seats):
                best = i
                break
        if best is not None:
            for seat in mine[best].seats:
                left[seat] = left.get(seat, 0) - party.needs(seat)
        chosen[party.ref] = best
    return chosen


# --- the MILP ---------------------------------------------------------------------------


class _Book:
    """What grouping needs of each party, computed once per wave however often the
    shares widen: the cost of each of its options (`option_cost`, by the option's
    position in its complete list and by identity, the shares holding the same objects)
    and its kind (the party's fields that make two parties interchangeable)."""

    def __init__(
        self,
        parties: Sequence[Party],
        complete: Mapping[str, Sequence[Option]],
        weights: PlannerSettings,
    ) -> None:
        self.weights = weights
        self.costs = {p.ref: [option_cost(p, o, weights) for o in complete[p.ref]] for p in parties}
        self._by_identity = {
            ref: {id(o): cost for o, cost in zip(complete[ref], costs, strict=True)}
            for ref, costs in self.costs.items()
        }
        kinds: dict[tuple[object, ...], int] = {}
        self.kind = {p.ref: kinds.setdefault(_kind(p), len(kinds)) for p in parties}

    def cost(self, party: Party, option: Option) -> float:
        known = self._by_identity.get(party.ref, {}).get(id(option))
        return known if known is not None else option_cost(party, option, self.weights)


def _kind(party: Party) -> tuple[object, ...]:
    return (
        party.seats,
        party.origin,
        party.destination,
        party.earliest_dep,
        party.cabin,
        party.carrier,
        party.scheduled_arrival,
        party.arrive_by,
        party.weight,
        party.tier_order,
        party.avoid_airports,
        party.avoid_carriers,
        party.no_overnight,
        party.lost_before,
        party.also_from,
        party.together,
        party.held,
    )


def _groups(
    parties: Sequence[Party],
    options: Mapping[str, Sequence[Option]],
    book: _Book,
    kept: Mapping[str, Option],
) -> list[_Group]:
    by_key: dict[tuple[object, ...], _Group] = {}
    # Kept members first: a group's unplaced are its last members (`_disaggregate`).
    for party in sorted(parties, key=lambda p: (p.ref not in kept, p.ref)):
        mine = list(options.get(party.ref, ()))
        key = (book.kind[party.ref], tuple(o.flights for o in mine))
        group = by_key.get(key)
        if group is None:
            by_key[key] = _Group(
                [party],
                mine,
                [book.cost(party, o) for o in mine],
                unplaced_cost(party, book.weights),
            )
        else:
            group.members.append(party)
        by_key[key].kept += party.ref in kept
    return list(by_key.values())


def _model(groups: Sequence[_Group], capacity: Mapping[Seat, int]) -> program.Program:
    costs: list[float] = []
    upper: list[float] = []
    group_of: list[int] = []
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    seat_rows: dict[Seat, int] = {}
    n_groups = len(groups)
    for g, group in enumerate(groups):
        size = len(group.members)
        # Members of a group hold the same seats (`held` is in its key): each needs on a
        # flight its seats less those it holds there, Σ y·(seats − held) ≤ seats left.
        first = group.members[0]
        for option, cost in zip(group.options, group.costs, strict=True):
            column = len(costs)
            costs.append(cost)
            upper.append(size)
            group_of.append(g)
            rows.append(g)
            cols.append(column)
            values.append(1.0)
            for seat in option.seats:
                rows.append(n_groups + seat_rows.setdefault(seat, len(seat_rows)))
                cols.append(column)
                values.append(float(first.needs(seat)))
        column = len(costs)
        costs.append(group.unplaced)
        upper.append(size - group.kept)
        group_of.append(g)
        rows.append(g)
        cols.append(column)
        values.append(1.0)
    sizes = np.array([len(g.members) for g in groups], dtype=float)
    limits = np.array([float(max(0, capacity.get(seat, 0))) for seat in seat_rows], dtype=float)
    return program.Program(
        costs=np.array(costs),
        upper=np.array(upper, dtype=float),
        matrix=csc_array((values, (rows, cols)), shape=(n_groups + len(seat_rows), len(costs))),
        row_lower=np.concatenate([sizes, np.full(len(seat_rows), -np.inf)]),
        row_upper=np.concatenate([sizes, limits]),
        group_of=np.array(group_of, dtype=int),
    )


def _relax(groups: Sequence[_Group], capacity: Mapping[Seat, int]) -> program.Relaxed | None:
    """The model of `groups` and its LP relaxation's optimum (None if HiGHS fails)."""
    return program.relax(_model(groups, capacity))


def _search(
    groups: Sequence[_Group], relaxed: program.Relaxed, weights: PlannerSettings
) -> tuple[list[list[int]] | None, str]:
    """Per group, how many take each option (the last entry: unplaced), and how it was
    found: "lp" (the relaxation was integral), "dive" or "search" (the branch-and-bound).

    When the LP relaxation's optimum is integral it is the MILP's optimum too (the
    MILP's feasible set lies inside the LP's), and nothing more is solved. A wave whose
    seats are not contested by families (or connections), such as one cancelled flight
    with room elsewhere, comes out integral. Otherwise, in a program of more than
    `exact_max_variables`, the dive (`program.dive`) rounds the LP's answer; when that is within
    `mip_rel_gap` of the LP's bound it is the plan (the bound proves it as well as
    HiGHS's search would, at a tenth of its CPU), and otherwise HiGHS's branch-and-bound
    runs, from the dive's answer as its incumbent. A small program is searched from
    scratch: tens of ms for its best plan within the gap, not the dive's.
    """
    model = relaxed.program
    if _integral(relaxed.x):
        return _counts(groups, np.rint(relaxed.x).astype(int)), "lp"
    big = len(model.costs) > weights.exact_max_variables
    start = program.dive(relaxed) if big else None
    if start is not None:
        value = float(model.costs @ start)
        if value - relaxed.lower <= weights.mip_rel_gap * abs(value) + INTEGRAL_TOLERANCE:
            return _counts(groups, start.astype(int)), "dive"
    x = program.search(model, start, node_limit=weights.node_limit, gap=weights.mip_rel_gap)
    if x is None:
        return None, "search"
    return _counts(groups, np.rint(x).astype(int)), "search"


def _counts(groups: Sequence[_Group], x: np.ndarray) -> list[list[int]]:
    return [[int(v) for v in row] for row in _per_group(groups, x)]


def _per_group(groups: Sequence[_Group], x: np.ndarray) -> list[list[float]]:
    """The solution's values per group (its options', then unplaced), values within
    `INTEGRAL_TOLERANCE` of an integer made that integer."""
    near = np.abs(x - np.rint(x)) <= INTEGRAL_TOLERANCE
    clean = np.where(near, np.rint(x), x)
    rows: list[list[float]] = []
    column = 0
    for group in groups:
        width = len(group.options) + 1
        rows.append([float(v) for v in clean[column : column + width]])
        column += width
    return rows


def _integral(x: np.ndarray) -> bool:
    """Is every value an integer (within HiGHS's feasibility tolerance)? The model's
    coefficients and right-hand sides are integers, so the rounded point stays feasible."""
    return bool(np.all(np.abs(x - np.rint(x)) <= INTEGRAL_TOLERANCE))


def _lp_bound(groups: Sequence[_Group], capacity: Mapping[Seat, int]) -> float:
    relaxed = _relax(groups, capacity)
    return relaxed.lower if relaxed is not None else 0.0


def _place_the_rest(
    placements: dict[str, Placement],
    parties: Sequence[Party],
    complete: Mapping[str, Sequence[Option]],
    capacity: Mapping[Seat, int],
    book: _Book,
) -> dict[str, Placement]:
    """Unplaced parties, by priority, take their cheapest option with seats still left
    among all of theirs (the MILP saw only the first `max_options`)."""
    unplaced = [p for p in parties if placements[p.ref].option is None and complete[p.ref]]
    if not unplaced:
        return placements
    left = dict(capacity)
    by_ref = {p.ref: p for p in parties}
    for ref, placement in placements.items():
        if placement.option is not None:
            for seat in placement.option.seats:
                left[seat] = left.get(seat, 0) - by_ref[ref].needs(seat)
    order = sorted(unplaced, key=lambda p: (p.tier_order, -p.weight, p.earliest_dep, p.ref))
    costs = book.costs
    chosen = greedy(order, complete, left, lambda p, i: costs[p.ref][i])
    placed = {ref: i for ref, i in chosen.items() if i is not None}
    if not placed:
        return placements
    extra = _placements_of(
        {ref: chosen[ref] for ref in placed}, by_ref, complete, left, costs, book.weights
    )
    return {**placements, **extra}


# --- from counts to placements ----------------------------------------------------------


def _disaggregate(
    groups: Sequence[_Group],
    counts: Sequence[Sequence[int]],
    capacity: Mapping[Seat, int],
    weights: PlannerSettings,
) -> dict[str, Placement]:
    """Members of a group (by ref) take the group's options cheapest first, as counted."""
    chosen: dict[str, int | None] = {}
    by_ref: dict[str, Party] = {}
    options: dict[str, Sequence[Option]] = {}
    costs: dict[str, list[float]] = {}
    for group, taken in zip(groups, counts, strict=True):
        queue: list[int | None] = []
        for i in sorted(range(len(group.options)), key=lambda i: (group.costs[i], i)):
            queue.extend([i] * taken[i])
        queue.extend([None] * taken[-1])
        for member, pick in zip(group.members, queue, strict=False):
            chosen[member.ref] = pick
            by_ref[member.ref] = member
            options[member.ref] = group.options
            costs[member.ref] = group.costs
    return _placements_of(chosen, by_ref, options, capacity, costs, weights)


def _placements_of(
    chosen: Mapping[str, int | None],
    parties: Mapping[str, Party],
    options: Mapping[str, Sequence[Option]],
    capacity: Mapping[Seat, int],
    costs: Mapping[str, Sequence[float]],
    weights: PlannerSettings,
) -> dict[str, Placement]:
    left = dict(capacity)
    for ref, pick in chosen.items():
        if pick is not None:
            for seat in options[ref][pick].seats:
                left[seat] = left.get(seat, 0) - parties[ref].needs(seat)
    horizon_end = int(weights.horizon_hours * 60)
    placements: dict[str, Placement] = {}
    for ref in sorted(chosen):
        party, pick, mine = parties[ref], chosen[ref], options[ref]
        ranked = tuple(
            mine[i]
            for i in sorted(range(len(mine)), key=lambda i: (costs[ref][i], i))
            if i != pick and all(left.get(seat, 0) >= party.needs(seat) for seat in mine[i].seats)
        )[: weights.ranked_options]
        option = mine[pick] if pick is not None else None
        placements[ref] = Placement(
            ref=ref,
            option=option,
            ranked=ranked,
            cost=costs[ref][pick] if pick is not None else unplaced_cost(party, weights),
            delay_minutes=delay_minutes(party, option) if option is not None else horizon_end,
        )
    return placements
