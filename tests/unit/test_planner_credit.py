"""A re-planned party keeps the seats it holds on the flights its new itinerary uses again.

Three passengers re-routed over XB106+XB104 took XB104's last seats; when XB106 went too,
their re-plan found XB104 full (sold, to them) and told them "no alternative" while
XB108+XB104 was theirs to take (found-priority-s1-w128). The seats a party holds on a
segment its new itinerary replaces are credited to it, and to nobody else, in the MILP,
the greedy fallback and the LP bound (`Party.held`, `agent.planner.inputs.held_seats`).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from agent.planner import Option, Party, Solver, inputs_digest, plan_wave
from agent.planner.linked import merge_linked
from agent.settings import PlannerSettings

T0 = datetime(2026, 7, 22, 12, 0, tzinfo=UTC)
WEIGHTS = PlannerSettings()
GREEDY = WEIGHTS.model_copy(update={"max_milp_variables": 0})
ONWARD = "XB104/2026-07-22"
VIA_108 = Option(
    flights=("XB108/2026-07-22", ONWARD),
    cabin="economy",
    dep=T0 + timedelta(hours=1, minutes=30),
    arr=T0 + timedelta(hours=6, minutes=45),
    carriers=("XB", "XB"),
    via=("DUB",),
    risk=0.0,
    red_eye=False,
    layover_minutes=125,
)
LATER = Option(
    flights=("XB999/2026-07-23",),
    cabin="economy",
    dep=T0 + timedelta(hours=26),
    arr=T0 + timedelta(hours=28),
    carriers=("XB",),
    via=(),
    risk=0.0,
    red_eye=False,
)


def party(ref: str, *, seats: int = 1, holds: int = 0, weight: float = 1.0) -> Party:
    """A party diverted to MUC bound for LHR; `holds` seats on the onward XB104 already."""
    return Party(
        ref=ref,
        seats=seats,
        origin="MUC",
        destination="LHR",
        earliest_dep=T0,
        cabin="economy",
        carrier="XB",
        scheduled_arrival=T0 - timedelta(hours=20),
        weight=weight,
        exclude=frozenset({"XB106/2026-07-22"}),
        held=((ONWARD, "economy", holds),) if holds else (),
    )


def seats_used(plan_parties: list[Party], placements: dict[str, Option | None]) -> Counter[object]:
    by_ref = {p.ref: p for p in plan_parties}
    used: Counter[object] = Counter()
    for ref, option in placements.items():
        for seat in option.seats if option is not None else ():
            used[seat] += by_ref[ref].needs(seat)
    return used


@pytest.mark.parametrize("weights", [WEIGHTS, GREEDY], ids=["milp", "greedy"])
def test_parties_holding_the_last_onward_seats_are_moved_onto_another_inbound(
    weights: PlannerSettings,
) -> None:
    parties = [party(f"G0{i}", holds=1) for i in range(3)]
    options = {p.ref: [VIA_108] for p in parties}
    capacity = {VIA_108.seats[0]: 4, VIA_108.seats[1]: 0}  # XB104 sold out: to them

    plan = plan_wave(parties, options, capacity, weights)

    assert plan.solver == (Solver.MILP if weights is WEIGHTS else Solver.GREEDY)
    assert all(plan.placed(p.ref) == VIA_108 for p in parties)
    assert plan.lower_bound <= plan.objective + 1e-6


@pytest.mark.parametrize("weights", [WEIGHTS, GREEDY], ids=["milp", "greedy"])
def test_a_partys_held_seats_are_its_own_not_anybody_elses(weights: PlannerSettings) -> None:
    # A higher priority party holding nothing on XB104 cannot take the holders' seats
    # there; a family of three holding two needs one seat more, which is free.
    holders = [party("G01", holds=1), party("G02", holds=1)]
    family = party("FAM", seats=3, holds=2)
    stranger = party("VIP", weight=4.0)
    parties = [*holders, family, stranger]
    options = {p.ref: [VIA_108, LATER] for p in parties}
    capacity = {VIA_108.seats[0]: 9, VIA_108.seats[1]: 1, LATER.seats[0]: 9}

    plan = plan_wave(parties, options, capacity, weights)

    placed = {p.ref: plan.placed(p.ref) for p in parties}
    assert placed["G01"] == placed["G02"] == VIA_108
    used = seats_used(parties, placed)
    assert used[VIA_108.seats[1]] <= capacity[VIA_108.seats[1]]
    # One free seat on XB104: the family's third or the stranger's, not both.
    assert (placed["FAM"] == VIA_108) != (placed["VIP"] == VIA_108)
    assert LATER in (placed["FAM"], placed["VIP"])


def test_without_the_credit_the_same_wave_finds_no_seat() -> None:
    # The mechanism is what places them: the same parties holding nothing stay unplaced.
    parties = [party(f"G0{i}") for i in range(3)]
    capacity = {VIA_108.seats[0]: 4, VIA_108.seats[1]: 0}
    plan = plan_wave(parties, {p.ref: [VIA_108] for p in parties}, capacity, WEIGHTS)
    assert all(plan.placed(p.ref) is None for p in parties)


def test_the_digest_covers_the_held_seats_and_the_plan_is_the_same_whatever_the_order() -> None:
    parties = [party(f"G0{i}", holds=1) for i in range(3)] + [party("P9")]
    options = {p.ref: [VIA_108, LATER] for p in parties}
    capacity = {VIA_108.seats[0]: 4, VIA_108.seats[1]: 0, LATER.seats[0]: 5}
    plan = plan_wave(parties, options, capacity, WEIGHTS)
    again = plan_wave(list(reversed(parties)), options, capacity, WEIGHTS)
    assert plan.digest == again.digest
    assert plan.placements == again.placements
    unheld = [party(f"G0{i}") for i in range(3)] + [party("P9")]
    assert inputs_digest(unheld, options, capacity, WEIGHTS) != plan.digest


def test_a_linked_group_holds_what_its_members_hold() -> None:
    members = [party("A", holds=1), party("B", seats=2, holds=2)]
    merged, _ = merge_linked(members, {"A": "trip", "B": "trip"})
    (group,) = merged
    assert group.seats == 3
    assert group.needs(VIA_108.seats[1]) == 0
    assert group.needs(VIA_108.seats[0]) == 3
