"""The digest of a wave's inputs: the same canonical document, hashed without building it."""

from __future__ import annotations

import hashlib
import json
import tracemalloc
from datetime import UTC, datetime, timedelta

from agent.planner import Option, Party, inputs_digest
from agent.settings import PlannerSettings

T0 = datetime(2026, 7, 22, 12, 0, tzinfo=UTC)
WEIGHTS = PlannerSettings()


def _option(n: int) -> Option:
    return Option(
        flights=(f"XB{n:03d}/2026-07-22", "XB104/2026-07-22"),
        cabin="economy",
        dep=T0 + timedelta(minutes=n),
        arr=T0 + timedelta(hours=5, minutes=n),
        carriers=("XB", "XB"),
        via=("DUB",),
        risk=0.125,
        red_eye=False,
    )


def _party(ref: str) -> Party:
    return Party(
        ref=ref,
        seats=2,
        origin="MUC",
        destination="LHR",
        earliest_dep=T0,
        cabin="economy",
        carrier="XB",
        scheduled_arrival=T0 - timedelta(hours=2),
        arrive_by=T0 + timedelta(days=2),
        avoid_airports=frozenset({"CDG", "AMS"}),
        exclude=frozenset({"XB106/2026-07-22"}),
        together=("XB108/2026-07-22",),
        held=(("XB104/2026-07-22", "economy", 1),),
    )


def _document_digest(
    parties: list[Party], options: dict[str, list[Option]], capacity: dict[tuple[str, str], int]
) -> str:
    """The canonical document built whole, as the digest was computed before."""
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
            for p in sorted(parties, key=lambda p: p.ref)
        ],
        "capacity": sorted([list(seat), n] for seat, n in capacity.items()),
        "weights": WEIGHTS.model_dump(mode="json"),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_digest_is_the_one_of_the_canonical_document() -> None:
    """Plans recorded before keep their digest: the document hashed is the same."""
    parties = [_party("P2"), _party("P1"), _party("P3")]
    options = {"P1": [_option(1), _option(2)], "P2": [_option(3)]}  # P3: none
    capacity = {("XB104/2026-07-22", "economy"): 4, ("XB001/2026-07-22", "economy"): 0}
    assert inputs_digest(parties, options, capacity, WEIGHTS) == _document_digest(
        parties, options, capacity
    )
    assert inputs_digest([], {}, {}, WEIGHTS) == _document_digest([], {}, {})


def test_a_large_wave_is_digested_without_holding_its_document() -> None:
    """A wave of 2 000 parties with 50 options each: the document is megabytes; hashing
    it a party at a time holds one party's part."""
    shared = [_option(n) for n in range(50)]
    parties = [_party(f"P{n:05d}") for n in range(2000)]
    options = {p.ref: shared for p in parties}
    capacity = {seat: 9 for o in shared for seat in o.seats}
    tracemalloc.start()
    try:
        inputs_digest(parties, options, capacity, WEIGHTS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, f"{peak} bytes traced while digesting"
