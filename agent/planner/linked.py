"""Bookings linked as travelling together, planned as one party.

What links them (`link_key`: one customer's bookings on the same broken flights in the
same cabin, as a companion booked on a second PNR for the same trip is) and how their
parties merge (`merge_linked`), so the plan gives the group one itinerary or none,
exactly as it does a booking's own passengers.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace

from agent.planner.inputs import Broken
from agent.planner.model import Party


def _held_together(members: Sequence[Party]) -> tuple[tuple[str, str, int], ...]:
    """The seats a merged group holds: each member's, summed per (flight, cabin)."""
    held: dict[tuple[str, str], int] = {}
    for member in members:
        for flight, cabin, seats in member.held:
            held[(flight, cabin)] = held.get((flight, cabin), 0) + seats
    return tuple(sorted((f, c, n) for (f, c), n in held.items()))


def link_key(customer_id: str, broken: Broken) -> Hashable:
    """What makes bookings one travelling group: the same customer on the same broken
    flights in the same cabin (a companion's separate PNR for the same trip). The airline
    model has no explicit link between PNRs; this is the one place that says what it is."""
    return (
        customer_id,
        tuple((s.flight_key, s.cabin.value) for s in broken.replace),
        broken.origin,
        broken.destination,
    )


def merge_linked(
    parties: Sequence[Party], links: Mapping[str, Hashable]
) -> tuple[list[Party], dict[str, list[Party]]]:
    """Merge the parties whose bookings share a `link_key` into one party (a seat each on
    every leg, the group's highest priority and class, every member's hard preferences and
    exclusions, the latest start and the earliest deadline); returns the parties and, per
    party ref, the bookings' own parties it is made of. Parties without a link are
    unchanged (and made of themselves)."""
    by_link: dict[Hashable, list[Party]] = {}
    for party in parties:
        by_link.setdefault(links.get(party.ref, ("alone", party.ref)), []).append(party)
    merged: list[Party] = []
    members_of: dict[str, list[Party]] = {}
    for members in by_link.values():
        members = sorted(members, key=lambda p: p.ref)
        if len(members) == 1:
            merged.append(members[0])
            members_of[members[0].ref] = members
            continue
        deadlines = [p.arrive_by for p in members if p.arrive_by is not None]
        group = replace(
            members[0],
            ref="+".join(p.ref for p in members),
            seats=sum(p.seats for p in members),
            earliest_dep=max(p.earliest_dep for p in members),
            arrive_by=min(deadlines) if deadlines else None,
            weight=max(p.weight for p in members),
            art11=any(p.art11 for p in members),
            tier_order=min(p.tier_order for p in members),
            avoid_airports=frozenset().union(*(p.avoid_airports for p in members)),
            avoid_carriers=frozenset().union(*(p.avoid_carriers for p in members)),
            no_overnight=any(p.no_overnight for p in members),
            exclude=frozenset().union(*(p.exclude for p in members)),
            lost_before=max(p.lost_before for p in members),
            together=next((p.together for p in members if p.together), ()),
            held=_held_together(members),
        )
        merged.append(group)
        members_of[group.ref] = members
    return merged, members_of
