"""Widening the MILP's shares: the options a party left unplaced may still claim.

The MILP (`agent.planner.solve`) sees each party's `max_options` cheapest options, its
share, to stay small. A party it leaves unplaced may still fly on an option beyond its
share whose seats the MILP gave to lower priorities (whose shares held them): the pass
after the MILP serves only the seats nobody took, in priority order, so it would find
them taken and leave the higher priority without a seat while a lower one sat where
it could. Those options (with those on seats nobody took: two parties of one priority
may want the one free seat while a lower priority sits on another) join the party's
share and the wave is solved again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from agent.planner.model import Option, Party, Seat


def contested(
    groups: Sequence[tuple[Sequence[Party], Sequence[Option]]],
    counts: Sequence[Sequence[int]],
    complete: Mapping[str, Sequence[Option]],
    options: Mapping[str, Sequence[Option]],
    capacity: Mapping[Seat, int],
) -> dict[str, list[Option]]:
    """Per party the MILP left unplaced, its options beyond its share that parties of its
    priority or higher leave seats on in the MILP's answer (parties with none are not
    named)."""
    taken_by: dict[Seat, list[tuple[float, int]]] = {}
    for (members, shared), taken in zip(groups, counts, strict=True):
        first = members[0]
        for option, n in zip(shared, taken, strict=False):
            for seat in option.seats if n else ():
                taken_by.setdefault(seat, []).append((first.weight, n * first.needs(seat)))
    more: dict[str, list[Option]] = {}
    for (members, _), taken in zip(groups, counts, strict=True):
        if not taken[-1]:
            continue
        for party in members:
            seen = set(options[party.ref])
            extra = [
                o
                for o in complete[party.ref]
                if o not in seen
                and all(
                    _left(capacity, taken_by, seat, party.weight) >= party.needs(seat)
                    for seat in o.seats
                )
            ]
            if extra:
                more[party.ref] = extra
    return more


def _left(
    capacity: Mapping[Seat, int],
    taken_by: Mapping[Seat, Sequence[tuple[float, int]]],
    seat: Seat,
    weight: float,
) -> int:
    """The seats left on `seat` but those taken by parties of `weight` or more."""
    return capacity.get(seat, 0) - sum(n for w, n in taken_by.get(seat, ()) if w >= weight)
