"""The wave planner's joint assignment, on plain inputs: seats, priority, families, determinism."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from dataclasses import replace as dc_replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from agent.planner import Option, Party, Solver, greedy, option_cost, plan_wave
from agent.settings import PlannerSettings

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
WEIGHTS = PlannerSettings()


def option(flight: str, dep_hours: float, *, red_eye: bool = False, risk: float = 0.0) -> Option:
    dep = T0 + timedelta(hours=dep_hours)
    return Option(
        flights=(flight,),
        cabin="economy",
        dep=dep,
        arr=dep + timedelta(hours=1),
        carriers=("XA",),
        via=(),
        risk=risk,
        red_eye=red_eye,
    )


def party(ref: str, *, seats: int = 1, weight: float = 1.0, no_overnight: bool = False) -> Party:
    return Party(
        ref=ref,
        seats=seats,
        origin="FRA",
        destination="LHR",
        earliest_dep=T0,
        cabin="economy",
        carrier="XA",
        scheduled_arrival=T0 + timedelta(hours=1),
        weight=weight,
        no_overnight=no_overnight,
    )


SOON, TOMORROW = option("XA1/soon", 1), option("XA2/tomorrow", 24)


def test_scarce_seats_go_to_the_higher_priority_and_nobody_is_left_while_seats_exist() -> None:
    parties = [party(f"P{i:02d}") for i in range(8)] + [
        party("PRM01", weight=4.0),
        party("PLAT1", weight=2.0),
    ]
    options = {p.ref: [SOON, TOMORROW] for p in parties}
    capacity = {SOON.seats[0]: 2, TOMORROW.seats[0]: 100}

    plan = plan_wave(parties, options, capacity, WEIGHTS)

    assert plan.solver == Solver.MILP
    on = Counter(p.option.flights[0] for p in plan.placements.values() if p.option)
    assert on == {"XA1/soon": 2, "XA2/tomorrow": 8}, "no oversell, nobody unplaced"
    assert plan.placed("PRM01") == SOON and plan.placed("PLAT1") == SOON
    assert plan.quality_ratio < 1.0 + 1e-6


def test_art11_goes_first_however_many_seats_of_a_lower_priority_outweigh_it() -> None:
    # found-priority-s239-w1: a linked platinum pair (2 seats at weight 2) and a blind
    # passenger alone (weight 4) wanted the last two seats of the earlier flight; in one
    # objective the pair weighed as much or more, and the blind passenger flew a day later.
    prm = dc_replace(party("BLND01", weight=4.0), art11=True)
    pair = party("PLAT1+PLAT2", seats=2, weight=2.5)
    options = {p.ref: [SOON, TOMORROW] for p in (prm, pair)}
    capacity = {SOON.seats[0]: 2, TOMORROW.seats[0]: 10}

    plan = plan_wave([pair, prm], options, capacity, WEIGHTS)

    assert plan.placed("BLND01") == SOON  # EU261 Art 11: carried with priority
    assert plan.placed("PLAT1+PLAT2") == TOMORROW  # one seat left: the pair stays together
    assert plan.placements.keys() == {"BLND01", "PLAT1+PLAT2"}
    assert plan.lower_bound <= plan.objective + 1e-6


def test_a_higher_tier_goes_first_however_many_seats_of_a_lower_tier_outweigh_it() -> None:
    # found-priority-s305-w5: a diversion's last two seats onward; an untiered linked pair
    # on a flexible fare (2 seats at weight 1.25) outweighed a platinum passenger alone
    # (1 seat at weight 2), who was left with the refund offer. Tiers are planned in order.
    platinum = dc_replace(party("PLAT01", weight=2.0), tier_order=0)
    pair = dc_replace(party("NONE01+NONE02", seats=2, weight=1.25), tier_order=3)
    options = {p.ref: [SOON] for p in (platinum, pair)}
    capacity = {SOON.seats[0]: 2}

    plan = plan_wave([pair, platinum], options, capacity, WEIGHTS)

    assert plan.placed("PLAT01") == SOON
    assert plan.placed("NONE01+NONE02") is None  # one seat left: the pair stays together
    assert plan.lower_bound <= plan.objective + 1e-6

    # Weighed only (`tiers_in_order` off, each party in one class): the two seats win.
    alike = [dc_replace(p, tier_order=0) for p in (pair, platinum)]
    weighed = plan_wave(
        alike, options, capacity, WEIGHTS.model_copy(update={"tiers_in_order": False})
    )
    assert weighed.placed("NONE01+NONE02") == SOON and weighed.placed("PLAT01") is None


def test_a_family_travels_together_even_if_that_means_later() -> None:
    family = party("FAMILY", seats=3)
    single = party("SINGLE")
    options = {p.ref: [SOON, TOMORROW] for p in (family, single)}
    plan = plan_wave([family, single], options, {SOON.seats[0]: 2, TOMORROW.seats[0]: 10}, WEIGHTS)

    assert plan.placed("FAMILY") == TOMORROW  # three seats on one flight, never split
    assert plan.placed("SINGLE") == SOON


def test_no_alternative_only_when_no_seat_exists_within_the_horizon() -> None:
    parties = [party("A"), party("B"), party("C")]
    options = {p.ref: [SOON, TOMORROW] for p in parties}
    plan = plan_wave(parties, options, {SOON.seats[0]: 1, TOMORROW.seats[0]: 1}, WEIGHTS)
    placed = [p for p in plan.placements.values() if p.option is not None]
    assert len(placed) == 2 and sum(1 for p in plan.placements.values() if p.option is None) == 1


def test_a_hard_preference_is_kept_while_an_option_keeps_it() -> None:
    night = option("XA3/night", 15, red_eye=True)  # sooner, but overnight
    day = option("XA4/day", 25)
    sleeper = party("SLEEP", no_overnight=True)
    plan = plan_wave(
        [sleeper], {"SLEEP": [night, day]}, {night.seats[0]: 5, day.seats[0]: 5}, WEIGHTS
    )
    assert plan.placed("SLEEP") == day
    # With the day flight full, the red-eye beats no seat at all.
    plan = plan_wave(
        [sleeper], {"SLEEP": [night, day]}, {night.seats[0]: 5, day.seats[0]: 0}, WEIGHTS
    )
    assert plan.placed("SLEEP") == night


def test_risky_flights_lose_to_safe_ones_a_little_later() -> None:
    risky = option("XA5/risky", 1, risk=0.9)
    safe = option("XA6/safe", 4)
    plan = plan_wave(
        [party("R")], {"R": [risky, safe]}, {risky.seats[0]: 9, safe.seats[0]: 9}, WEIGHTS
    )
    assert plan.placed("R") == safe


def test_the_same_records_give_the_same_plan_and_digest_whatever_the_order() -> None:
    parties = [party(f"P{i:03d}", weight=1 + (i % 3) / 2) for i in range(60)]
    options = {p.ref: [SOON, option("XA7/noon", 4), TOMORROW] for p in parties}
    capacity = {SOON.seats[0]: 7, ("XA7/noon", "economy"): 11, TOMORROW.seats[0]: 30}
    first = plan_wave(parties, options, capacity, WEIGHTS)
    shuffled = parties[:]
    random.Random(3).shuffle(shuffled)
    second = plan_wave(shuffled, options, capacity, WEIGHTS)
    assert first.digest == second.digest
    assert first.placements == second.placements
    changed = plan_wave(parties, options, {**capacity, SOON.seats[0]: 6}, WEIGHTS)
    assert changed.digest != first.digest


def test_the_greedy_fallback_is_valid_and_the_milp_never_worse() -> None:
    parties = [party(f"P{i:03d}", weight=1 + (i % 4)) for i in range(40)]
    options = {p.ref: [SOON, option("XA7/noon", 4), TOMORROW] for p in parties}
    capacity = {SOON.seats[0]: 5, ("XA7/noon", "economy"): 5, TOMORROW.seats[0]: 20}
    fallback = plan_wave(
        parties, options, capacity, WEIGHTS.model_copy(update={"max_milp_variables": 0})
    )
    assert fallback.solver == Solver.GREEDY
    used = Counter(
        seat for p in fallback.placements.values() if p.option for seat in p.option.seats
    )
    assert all(used[seat] <= capacity[seat] for seat in used)
    optimal = plan_wave(parties, options, capacity, WEIGHTS)
    assert optimal.objective <= fallback.objective + 1e-6
    assert fallback.lower_bound == optimal.lower_bound > 0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 4), st.floats(0.5, 5.0)), min_size=1, max_size=25),
    st.lists(st.integers(0, 12), min_size=3, max_size=3),
)
def test_never_oversold_and_never_worse_than_first_come_first_served(
    shapes: list[tuple[int, float]], seats: list[int]
) -> None:
    parties = [party(f"P{i:03d}", seats=n, weight=w) for i, (n, w) in enumerate(shapes)]
    opts = [SOON, option("XA7/noon", 4), TOMORROW]
    options = {p.ref: opts for p in parties}
    capacity = {o.seats[0]: n for o, n in zip(opts, seats, strict=True)}
    plan = plan_wave(parties, options, capacity, WEIGHTS)
    used: Counter[tuple[str, str]] = Counter()
    for p in parties:
        placed = plan.placed(p.ref)
        if placed is not None:
            for seat in placed.seats:
                used[seat] += p.seats
    assert all(used[seat] <= capacity[seat] for seat in used)
    # Arrival order, each its cheapest seat left: what cases planned one by one did.
    by_ref = {p.ref: p for p in parties}
    fcfs = greedy(parties, options, capacity, lambda p, i: option_cost(p, opts[i], WEIGHTS))
    fcfs_cost = sum(
        option_cost(by_ref[r], opts[i], WEIGHTS)
        if i is not None
        else by_ref[r].seats * by_ref[r].weight * WEIGHTS.unplaced_hours
        for r, i in fcfs.items()
    )
    assert plan.objective <= fcfs_cost + 1e-6
    assert plan.lower_bound <= plan.objective + 1e-6


def test_options_beyond_the_milps_share_still_place_and_the_bound_covers_them() -> None:
    parties = [party(f"P{i:02d}") for i in range(6)]
    noon = option("XA7/noon", 4)
    options = {p.ref: [SOON, noon, TOMORROW] for p in parties}
    capacity = {SOON.seats[0]: 2, noon.seats[0]: 2, TOMORROW.seats[0]: 2}
    plan = plan_wave(parties, options, capacity, WEIGHTS.model_copy(update={"max_options": 1}))
    assert all(p.option is not None for p in plan.placements.values())  # nobody stranded
    assert plan.lower_bound <= plan.objective + 1e-6


def test_the_higher_priority_gets_a_partners_earlier_seat_before_own_metal_later() -> None:
    # found-priority-s67-w5: one seat on another carrier's flight, one on the booking's
    # own carrier two hours later. Another carrier's seat is the airline's cost, the same
    # whoever takes it: it must not keep the gold passenger on own metal while a silver
    # one takes the earlier seat.
    def direct(flight: str, carrier: str, dep_hours: float) -> Option:
        return dc_replace(option(flight, dep_hours), carriers=(carrier,))

    partner, own = direct("XB1/soon", "XB", 2), direct("XA2/later", "XA", 4)
    gold = dc_replace(party("GOLD", weight=1.5), tier_order=1)
    silver = dc_replace(party("SILVER", weight=1.25), tier_order=2)
    # Tiers served in order still see one objective: planned alone first, the gold
    # passenger kept to own metal (the partner's cost outweighed 2 h) and the silver took
    # the partner's seat anyway.
    plan = plan_wave(
        [gold, silver],
        {p.ref: [partner, own] for p in (gold, silver)},
        {partner.seats[0]: 1, own.seats[0]: 1},
        WEIGHTS,
    )
    assert plan.solver == Solver.MILP
    assert plan.placed("GOLD") == partner and plan.placed("SILVER") == own
    # Alone, a passenger still stays on own metal when the partner gains too little.
    alone = plan_wave(
        [silver], {"SILVER": [partner, own]}, {partner.seats[0]: 1, own.seats[0]: 1}, WEIGHTS
    )
    assert alone.placed("SILVER") == own


def test_the_greedy_fallback_serves_priority_first_over_every_option_not_the_milps_share() -> None:
    # Forced to the fallback, with the MILP's share of options cut to one: the gold
    # passenger's one option (the first seat) goes to the platinum one, and the later
    # seat it could still take must not go first to the lower priority that saw it.
    first, later = option("XA1/first", 1), option("XA2/later", 5)
    platinum, gold, basic = party("PLAT", weight=3.0), party("GOLD", weight=2.0), party("BASIC")
    options = {"PLAT": [first, later], "GOLD": [first, later], "BASIC": [later]}
    weights = WEIGHTS.model_copy(update={"max_milp_variables": 0, "max_options": 1})

    plan = plan_wave(
        [basic, gold, platinum], options, {first.seats[0]: 1, later.seats[0]: 1}, weights
    )

    assert plan.solver == Solver.GREEDY
    assert plan.placed("PLAT") == first
    assert plan.placed("GOLD") == later, "a lower priority took the seat gold could fly"
    assert plan.placed("BASIC") is None


def test_the_milp_serves_priority_first_when_a_partys_share_of_options_is_taken() -> None:
    # The MILP's path of the case above: the gold passenger's share of options (one: the
    # first seat) is taken by the platinum one, and the later seat it could still take
    # was in the share of a lower priority only. Solved on the shares alone, the MILP
    # gave that seat to the lower priority and left gold to the pass after it, with
    # nothing left; a party left unplaced is given its other options and solved again.
    first, later = option("XA1/first", 1), option("XA2/later", 5)
    platinum, gold, basic = party("PLAT", weight=3.0), party("GOLD", weight=2.0), party("BASIC")
    options = {"PLAT": [first, later], "GOLD": [first, later], "BASIC": [later]}
    weights = WEIGHTS.model_copy(update={"max_options": 1})

    plan = plan_wave(
        [basic, gold, platinum], options, {first.seats[0]: 1, later.seats[0]: 1}, weights
    )

    assert plan.solver == Solver.MILP
    assert plan.placed("PLAT") == first
    assert plan.placed("GOLD") == later, "a lower priority took the seat gold could fly"
    assert plan.placed("BASIC") is None
    assert plan.lower_bound <= plan.objective + 1e-6


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([1.0, 1.5, 2.0, 4.0]), st.sets(st.integers(0, 5), min_size=1)),
        min_size=2,
        max_size=14,
    ),
    st.lists(st.integers(0, 3), min_size=6, max_size=6),
    st.integers(1, 2),
)
# Two of one priority want the one free seat while a lower priority sits on another.
@example(
    [(1.0, {5}), (1.5, {0, 1, 2, 3}), (1.5, set(range(6))), (1.5, set(range(6)))],
    [0, 0, 0, 1, 0, 2],
    1,
)
def test_nobody_is_left_while_a_lower_priority_sits_where_they_could(
    shapes: list[tuple[float, set[int]]], seats: list[int], share: int
) -> None:
    # Single passengers on direct flights, each with some of six, the MILP seeing only
    # `share` of them: a passenger left without a seat never has an option whose seats
    # only lower priorities took.
    flights = [option(f"XA{n}/f{n}", 1 + n) for n in range(6)]
    parties = [party(f"P{i:02d}", weight=w) for i, (w, _) in enumerate(shapes)]
    options = {
        p.ref: [flights[n] for n in sorted(ns)] for p, (_, ns) in zip(parties, shapes, strict=True)
    }
    capacity = {f.seats[0]: n for f, n in zip(flights, seats, strict=True)}

    plan = plan_wave(parties, options, capacity, WEIGHTS.model_copy(update={"max_options": share}))

    taken: dict[tuple[str, str], list[float]] = {}
    for p in parties:
        if (placed := plan.placed(p.ref)) is not None:
            taken.setdefault(placed.seats[0], []).append(p.weight)
    for p in parties:
        if plan.placed(p.ref) is None:
            for o in options[p.ref]:
                seat = o.seats[0]
                ahead = sum(1 for w in taken.get(seat, []) if w >= p.weight)
                assert capacity[seat] - ahead < 1, (p.ref, o.flights, "a lower priority sits there")


def test_the_milp_stops_at_the_gap_the_settings_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gap is a setting (`PlannerSettings.mip_rel_gap`), not a constant of the solver:
    it is what the branch-and-bound is given, and what a dive's answer must be within."""
    import highspy

    from agent.planner import program

    seen: dict[str, object] = {}
    real_set = highspy.Highs.setOptionValue

    def recording(self: Any, name: str, value: Any) -> Any:
        seen[name] = value
        return real_set(self, name, value)

    monkeypatch.setattr(highspy.Highs, "setOptionValue", recording)
    monkeypatch.setattr(program, "dive", lambda relaxed: None)  # no incumbent: search
    # Two families of two for three seats: the LP relaxation splits one (fractional),
    # so the branch-and-bound runs.
    parties = [party("F1", seats=2), party("F2", seats=2, weight=2.0)]
    options = {p.ref: [SOON, TOMORROW] for p in parties}
    capacity = {SOON.seats[0]: 3, TOMORROW.seats[0]: 5}
    loose = WEIGHTS.model_copy(update={"mip_rel_gap": 0.01, "node_limit": 77})
    plan = plan_wave(parties, options, capacity, loose)
    assert plan.stats["searches"] == 1
    assert seen["mip_rel_gap"] == 0.01 and seen["mip_max_nodes"] == 77
    assert seen["threads"] == 1 and seen["random_seed"] == 0


def test_the_default_gap_guarantees_half_a_percent_against_the_search_bound() -> None:
    """The default gap is the widest whose guarantee is a ratio of 1.005: on the storm
    of 50 every gap from 1e-3 to 1e-2 gave the same plan (HiGHS's incumbent jumps from
    ~2 % to ~0.0001 %), so the measured choice is the half percent (`solve`'s docstring)."""
    assert PlannerSettings().mip_rel_gap == pytest.approx(5e-3)


def test_an_integral_lp_relaxation_is_the_plan_without_a_branch_and_bound() -> None:
    """Singles on single flights: the LP's optimum is integral, so it is the MILP's."""
    parties = [party(f"P{i}", weight=1.0 + i / 10) for i in range(6)]
    options = {p.ref: [SOON, TOMORROW] for p in parties}
    capacity = {SOON.seats[0]: 3, TOMORROW.seats[0]: 5}

    plan = plan_wave(parties, options, capacity, WEIGHTS)

    assert plan.solver == Solver.MILP and plan.stats["searches"] == 0
    on_soon = {ref for ref, p in plan.placements.items() if p.option == SOON}
    assert on_soon == {"P3", "P4", "P5"}, "the three highest priorities take the early seats"
    assert plan.quality_ratio == 1.0


def test_a_fractional_lp_relaxation_is_searched_to_a_family_together() -> None:
    """Three early seats, two singles of higher priority per seat and a family of two:
    the LP seats both singles and half the family; the plan seats the family whole and
    one single, which serves more priority-weighted hours than both singles alone."""
    family = party("FAMILY", seats=2, weight=1.5)
    singles = [party("S1", weight=2.0), party("S2", weight=2.0)]
    options = {p.ref: [SOON, TOMORROW] for p in (family, *singles)}
    capacity = {SOON.seats[0]: 3, TOMORROW.seats[0]: 5}

    plan = plan_wave([family, *singles], options, capacity, WEIGHTS)

    assert plan.stats["searches"] == 1
    assert plan.placed("FAMILY") == SOON
    assert sum(plan.placed(s.ref) == SOON for s in singles) == 1


def test_a_share_widened_after_the_search_lets_the_priority_weights_decide() -> None:
    """Two parts of one wave, both needing shares wider than `max_options` (one): the
    platinum/gold/basic case above, and a family of two beside two singles of higher
    priority per seat for three early seats: the family and one single take them (more
    priority-weighted hours than both singles), the other single the later flight."""
    first, later = option("XA1/first", 1), option("XA2/later", 5)
    platinum, gold, basic = party("PLAT", weight=3.0), party("GOLD", weight=2.0), party("BASIC")
    family = party("FAMILY", seats=2, weight=1.5)
    singles = [party("S1", weight=2.0), party("S2", weight=2.0)]
    options = {"PLAT": [first, later], "GOLD": [first, later], "BASIC": [later]}
    options |= {p.ref: [SOON, TOMORROW] for p in (family, *singles)}
    capacity = {first.seats[0]: 1, later.seats[0]: 1, SOON.seats[0]: 3, TOMORROW.seats[0]: 5}
    weights = WEIGHTS.model_copy(update={"max_options": 1})

    plan = plan_wave([basic, gold, platinum, family, *singles], options, capacity, weights)

    assert plan.placed("PLAT") == first and plan.placed("GOLD") == later
    assert plan.placed("BASIC") is None
    assert plan.placed("FAMILY") == SOON
    assert sorted(plan.placed(s.ref) == SOON for s in singles) == [False, True]
    assert all(plan.placed(s.ref) is not None for s in singles)


DIVE = WEIGHTS.model_copy(update={"exact_max_variables": 0})
"""Every fractional program dived first, however small (the storm's are thousands)."""


def test_a_dive_the_lp_bound_proves_is_the_plan_without_a_search() -> None:
    """Eleven families and singles for thirteen seats on three flights: the LP splits
    some families; the dive rounds them whole and re-solves, and its plan costs the LP's
    bound, which proves it optimal: no branch-and-bound runs, and it is the plan the
    search finds."""
    noon = option("XA7/noon", 4)
    shapes = [(3, 1.5), (4, 3), (3, 3), (3, 1), (3, 3), (1, 1.5), (2, 1.5)]
    shapes += [(1, 2), (1, 1), (1, 1), (4, 1)]
    parties = [party(f"P{i:02d}", seats=n, weight=w) for i, (n, w) in enumerate(shapes)]
    options = {p.ref: [SOON, noon, TOMORROW] for p in parties}
    capacity = {SOON.seats[0]: 6, noon.seats[0]: 5, TOMORROW.seats[0]: 2}

    plan = plan_wave(parties, options, capacity, DIVE)

    assert plan.stats["dives"] == 1 and plan.stats["searches"] == 0
    assert plan.objective == plan.lower_bound
    assert plan.objective == plan_wave(parties, options, capacity, WEIGHTS).objective
    used = Counter(
        s for p in parties if (o := plan.placed(p.ref)) for s in o.seats for _ in range(p.seats)
    )
    assert all(used[seat] <= capacity[seat] for seat in used)


def test_a_dive_the_bound_does_not_prove_is_searched_from() -> None:
    """The family beside two singles of higher priority per seat: the dive's plan is
    above the (weak) LP bound by more than the gap, so the branch-and-bound runs from it
    and finds the family whole on the early flight."""
    family = party("FAMILY", seats=2, weight=1.5)
    singles = [party("S1", weight=2.0), party("S2", weight=2.0)]
    options = {p.ref: [SOON, TOMORROW] for p in (family, *singles)}
    capacity = {SOON.seats[0]: 3, TOMORROW.seats[0]: 5}

    plan = plan_wave([family, *singles], options, capacity, DIVE)

    assert plan.stats["dives"] == 1 and plan.stats["searches"] == 1
    assert plan.placed("FAMILY") == SOON
    assert sum(plan.placed(s.ref) == SOON for s in singles) == 1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 4), st.floats(0.5, 5.0)), min_size=2, max_size=25),
    st.lists(st.integers(0, 12), min_size=3, max_size=3),
)
def test_the_dive_never_oversells_stays_within_the_gap_and_is_deterministic(
    shapes: list[tuple[int, float]], seats: list[int]
) -> None:
    """Whatever families compete for whatever seats: a dived plan never oversells a
    flight, is within `mip_rel_gap` of the LP bound when no search ran (the bound proves
    it), and is the same plan (placements, objective, digest) whatever the parties'
    order."""
    parties = [party(f"P{i:03d}", seats=n, weight=w) for i, (n, w) in enumerate(shapes)]
    opts = [SOON, option("XA7/noon", 4), TOMORROW]
    options = {p.ref: opts for p in parties}
    capacity = {o.seats[0]: n for o, n in zip(opts, seats, strict=True)}
    plan = plan_wave(parties, options, capacity, DIVE)
    used: Counter[tuple[str, str]] = Counter()
    for p in parties:
        placed = plan.placed(p.ref)
        if placed is not None:
            for seat in placed.seats:
                used[seat] += p.seats
    assert all(used[seat] <= capacity[seat] for seat in used)
    if plan.stats["searches"] == 0:
        assert plan.objective - plan.lower_bound <= DIVE.mip_rel_gap * plan.objective + 1e-6
    again = plan_wave(list(reversed(parties)), options, capacity, DIVE)
    assert (again.placements, again.objective, again.digest) == (
        plan.placements,
        plan.objective,
        plan.digest,
    )


def test_a_process_that_plans_says_nothing_on_standard_output() -> None:
    """A command's standard output is read by its caller (a child reporting `PARKED`, a
    `--json`): HiGHS 1.16 prints a banner there when a process makes its first instance,
    which `agent.planner.program` sends to standard error instead."""
    script = (
        "from tests.unit.test_planner_solve import *\n"
        "parties = [party('F1', seats=2), party('F2', seats=2, weight=2.0)]\n"
        "options = {p.ref: [SOON, TOMORROW] for p in parties}\n"
        "plan_wave(parties, options, {SOON.seats[0]: 3, TOMORROW.seats[0]: 5}, WEIGHTS)\n"
        "print('PLANNED')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=600
    )
    assert done.stdout == "PLANNED\n"


def test_a_wave_with_no_party_is_an_empty_plan() -> None:
    plan = plan_wave([], {}, {SOON.seats[0]: 1}, WEIGHTS)
    assert plan.placements == {} and plan.objective == 0
