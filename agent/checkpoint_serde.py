"""The checkpoint serializer: LangGraph's own msgpack format, byte for byte, written faster.

A case's checkpoint holds its whole state (booking, customer, flights, options, plan,
verdict): pydantic models that LangGraph's `JsonPlusSerializer` writes as an extension
holding `model_dump()`, whose every datetime and enum member then goes through
ormsgpack's `default` callback again, each down a chain of a dozen type tests to its own
small `packb` of (module, class, isoformat or value). On the storm of 50 that callback
ran ~55 times per settled case and was most of writing its final checkpoint
(`agent.runtime.finals`), ~8 % of the daemon's CPU.

`CheckpointSerializer` writes the same bytes (tests/unit/test_checkpoint_serde.py
compares them with `JsonPlusSerializer`'s on a storm's real final states, so a LangGraph
upgrade that changes its format fails there): a datetime or an enum member is encoded
once by LangGraph's own `_msgpack_default` and its extension reused for every equal
value after (a storm's states repeat the same departure times, cabins and reasons), and
a pydantic model's `model_dump()` is encoded with this same callback, so its fields get
the reuse too. Everything else is LangGraph's callback as it is. Reading is LangGraph's
own (`loads_typed`): nothing about the stored format changes, so a checkpoint written
before or after this reads the same, and a restart resumes from either.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import ormsgpack
from langgraph.checkpoint.serde.jsonplus import (
    EXT_PYDANTIC_V2,
    JsonPlusSerializer,
    _msgpack_default,
    _option,
)
from pydantic import BaseModel

__all__ = ["CheckpointSerializer"]

_REUSED_AT_MOST = 8192
"""Extensions kept for reuse; past this many distinct values the memo starts over (a
long run meets ever new event times: the memo must not grow with them)."""

_reused: dict[tuple[type, Any], str | ormsgpack.Ext] = {}


def _default(obj: Any) -> Any:
    """`JsonPlusSerializer`'s ormsgpack `default`, with the same results (module
    docstring): what ormsgpack does not write itself, as an extension."""
    kind = type(obj)
    if kind is datetime:
        # Its extension is its isoformat (`fromisoformat` revives it): equal isoformats,
        # equal bytes. Not the datetime itself as the key: equal instants in two zones
        # are equal datetimes with different isoformats.
        key: tuple[type, Any] = (kind, obj.isoformat())
    elif isinstance(obj, Enum):
        # Its class and value; keyed by class too (a StrEnum member equals its string,
        # and the member of another StrEnum with the same value).
        key = (kind, obj)
    elif isinstance(obj, BaseModel):
        # LangGraph's pydantic v2 extension, its fields encoded by this callback.
        cls = obj.__class__
        dumped = (cls.__module__, cls.__name__, obj.model_dump(), "model_validate_json")
        return ormsgpack.Ext(EXT_PYDANTIC_V2, _pack(dumped))
    else:
        return _msgpack_default(obj)
    ext = _reused.get(key)
    if ext is None:
        if len(_reused) >= _REUSED_AT_MOST:
            _reused.clear()
        ext = _reused[key] = _msgpack_default(obj)
    return ext


def _pack(obj: Any) -> bytes:
    return ormsgpack.packb(obj, default=_default, option=_option)


class CheckpointSerializer(JsonPlusSerializer):
    """`JsonPlusSerializer` (same settings, same reading) whose msgpack writing reuses
    what it encoded before (module docstring)."""

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        if obj is None or isinstance(obj, bytes | bytearray):
            return super().dumps_typed(obj)
        try:
            return "msgpack", _pack(obj)
        except ormsgpack.MsgpackEncodeError:
            # What it cannot write as msgpack, LangGraph's own way (pickle, if allowed).
            return super().dumps_typed(obj)
