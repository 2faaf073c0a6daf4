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
    """SHA-256 over the canonical form of everything the plan depends on."""
    canonical = {
        "parties": [
            [
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
            for p in sorted(parties, key=lambda p: p.ref)
        ],
        "capacity": sorted([list(seat), n] for seat, n in capacity.items()),
        "weights": weights.model_dump(mode="json"),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
