"""The digest of a wave's inputs: what makes two plans the same plan.

The planner is deterministic (`agent.planner.solve`): the same inputs give the same
assignment, and this digest names those inputs, so a recorded plan can be checked to be
the one its inputs give. Everything the plan depends on is in it: each party's needs and
the seats it holds (credited to it alone), its options, the seats left, the weights.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from agent.planner.model import Option, Party, Seat
from agent.settings import PlannerSettings


def inputs_digest(
    parties: Sequence[Party],
    options: Mapping[str, Sequence[Option]],
    capacity: Mapping[Seat, int],
    weights: PlannerSettings,
) -> str:
    """SHA-256 over the canonical form of everything the plan depends on.

    The canonical form is one JSON document (keys sorted, no spaces); it is hashed a
    party at a time, never built whole: a storm wave's document (every option of every
    party) was larger than the planner's inputs themselves."""
    digest = hashlib.sha256()
    digest.update(b'{"capacity":')
    digest.update(_dumps(sorted([list(seat), n] for seat, n in capacity.items())).encode())
    digest.update(b',"parties":[')
    for n, party in enumerate(sorted(parties, key=lambda p: p.ref)):
        if n:
            digest.update(b",")
        digest.update(_dumps(_canonical(party, options)).encode())
    digest.update(b'],"weights":')
    digest.update(_dumps(weights.model_dump(mode="json")).encode())
    digest.update(b"}")
    return digest.hexdigest()


def _canonical(p: Party, options: Mapping[str, Sequence[Option]]) -> list[object]:
    return [
        p.ref,
        p.seats,
        p.origin,
        p.destination,
        p.earliest_dep.isoformat(),
        p.cabin,
        p.carrier,
        p.scheduled_arrival.isoformat(),
        p.arrive_by.isoformat() if p.arrive_by else None,
        p.weight,
        p.art11,
        p.tier_order,
        sorted(p.avoid_airports),
        sorted(p.avoid_carriers),
        p.no_overnight,
        sorted(p.exclude),
        p.lost_before,
        list(p.together),
        [list(h) for h in p.held],
        [
            [list(o.flights), o.cabin, o.dep.isoformat(), o.arr.isoformat(), o.risk]
            for o in options[p.ref]
        ]
        if p.ref in options
        else [],
    ]


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
