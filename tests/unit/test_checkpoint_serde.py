"""The checkpoint serializer writes LangGraph's own bytes (`agent.checkpoint_serde`).

Compared with `JsonPlusSerializer` on the final states a storm's settled cases leave
(and their checkpoints as `agent.runtime.finals` writes them), and on the values its
reuse could confuse: equal instants in two zones, a StrEnum member and its string,
members of two enums with one value. A LangGraph upgrade that changes its format fails
here rather than writing checkpoints its readers do not expect.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from enum import Enum, StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from agent.checkpoint_serde import CheckpointSerializer
from agent.graph import checkpoint_serializer
from agent.runtime.finals import final_checkpoint
from agent.state import CHECKPOINT_TYPES, CaseReason
from airline.models import Cabin
from tests.unit.test_finals import _settled_states


def _both() -> tuple[CheckpointSerializer, JsonPlusSerializer]:
    allowed = list(CHECKPOINT_TYPES)
    return (
        CheckpointSerializer(allowed_msgpack_modules=allowed),
        JsonPlusSerializer(allowed_msgpack_modules=allowed),
    )


async def test_a_storms_final_states_are_written_as_langgraph_writes_them(
    world_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    states = await _settled_states(world_template, tmp_path, monkeypatch)
    assert {"rebooked", "notified"} <= {s["outcome"] for s in states}
    ours, theirs = _both()
    saver_like = type("Saver", (), {"get_next_version": lambda self, *_: "1.0"})()
    for state in states:
        assert ours.dumps_typed(state) == theirs.dumps_typed(state), state["case_id"]
        checkpoint = final_checkpoint(saver_like, state, list(state))
        written = ours.dumps_typed(checkpoint)
        assert written == theirs.dumps_typed(checkpoint)
        assert ours.loads_typed(written)["channel_values"] == dict(state)
    assert isinstance(checkpoint_serializer(), CheckpointSerializer)


class _Other(StrEnum):
    ECONOMY = "economy"  # the value of Cabin.ECONOMY


class _Number(Enum):
    ONE = 1


def test_values_its_reuse_could_confuse_are_written_each_as_their_own() -> None:
    ours, theirs = _both()
    instant = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    values = [
        instant,
        instant.astimezone(ZoneInfo("Europe/Amsterdam")),  # equal, another isoformat
        instant.astimezone(timezone(timedelta(hours=-5))),
        instant.replace(tzinfo=None),
        instant + timedelta(microseconds=1),
        Cabin.ECONOMY,
        "economy",
        _Other.ECONOMY,
        CaseReason.CANCELLED,
        _Number.ONE,
        1,
    ]
    for _ in range(2):  # encoded once, then reused
        for value in values:
            assert ours.dumps_typed(value) == theirs.dumps_typed(value), repr(value)
            assert ours.dumps_typed([value, {"at": value}]) == theirs.dumps_typed(
                [value, {"at": value}]
            )
    revivable = [v for v in values if not isinstance(v, _Other | _Number)]  # not allowed
    revived = ours.loads_typed(ours.dumps_typed(revivable))
    assert revived == revivable
    assert [type(v) for v in revived] == [type(v) for v in revivable]
    offsets = [timedelta(0), timedelta(hours=1), timedelta(hours=-5)]
    assert [v.utcoffset() for v in revived[:3]] == offsets


def test_what_msgpack_cannot_write_goes_langgraphs_own_way() -> None:
    ours, theirs = _both()
    for value in (None, b"raw", bytearray(b"raw"), {1, 2}, {"nested": {"set": frozenset({3})}}):
        assert ours.dumps_typed(value) == theirs.dumps_typed(value)
    with pytest.raises(TypeError):
        ours.dumps_typed(object())
    with pytest.raises(TypeError):
        theirs.dumps_typed(object())
