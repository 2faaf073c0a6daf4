"""The collector is tuned while a runtime is open and put back as it was after."""

from __future__ import annotations

import gc

from app.collector import OLDER_THRESHOLDS, YOUNG_THRESHOLD, long_lived_frozen


def test_the_world_is_frozen_and_young_objects_collected_less_often_until_exit() -> None:
    before = gc.get_threshold()
    world = [object() for _ in range(10)]  # alive when the runtime opens
    with long_lived_frozen():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
        assert gc.get_freeze_count() >= len(world)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0, "a closed runtime's world is collectable again"


def test_runtimes_open_at_once_share_the_tuning_until_the_last_closes() -> None:
    before = gc.get_threshold()
    first, second = long_lived_frozen(), long_lived_frozen()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # closed before the one opened after it
    assert gc.get_threshold() == (YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
    assert gc.get_freeze_count() > 0, "the runtime still open keeps its world frozen"
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before, "the thresholds from before any runtime opened"
    assert gc.get_freeze_count() == 0
