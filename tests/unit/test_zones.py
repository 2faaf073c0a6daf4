"""A time zone is read from disk once per process (`airline.zones`), not at every local
time a storm's messages and rankings write."""

from __future__ import annotations

import gc
import os.path
from datetime import UTC, datetime

import pytest

from airline.zones import zone

# More zones than `ZoneInfo` keeps by itself (its last eight, and those still referred to).
NAMES = [
    "Europe/Lisbon", "Europe/Madrid", "Europe/Paris", "Europe/Berlin", "Europe/Rome",
    "Europe/Vienna", "Europe/Prague", "Europe/Warsaw", "Europe/Athens", "Europe/Helsinki",
    "Europe/Oslo", "Europe/Stockholm", "Europe/Dublin", "Europe/London", "America/New_York",
    "America/Chicago",
]  # fmt: skip


def test_each_zone_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    noon = datetime(2026, 3, 1, 12, tzinfo=UTC)
    first = [noon.astimezone(zone(name)).strftime("%H:%M") for name in NAMES]
    gc.collect()  # nothing refers to the zones any more but the cache
    reads: list[str] = []
    isfile = os.path.isfile

    def counting(path: str) -> bool:  # how `zoneinfo` finds a zone's file
        if any(str(path).endswith(name) for name in NAMES):
            reads.append(str(path))
        return isfile(path)

    monkeypatch.setattr(os.path, "isfile", counting)
    again = [noon.astimezone(zone(name)).strftime("%H:%M") for name in NAMES]
    assert again == first
    assert reads == []
