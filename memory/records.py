"""A customer memory as a validated record, and as Chroma stores it (document, metadata).

Ids are derived from the content, so recording the same memory twice keeps one; times
are stored as integer microseconds since the epoch (exact, and comparable in a `where`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from memory.base import MemoryKind, MemoryRecord
from memory.errors import MemoryStoreError

RESERVED = frozenset({"customer_id", "kind", "at"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Scalar = str | int | float | bool


def epoch_us(at: datetime) -> int:
    """`at` as integer microseconds since the epoch: exact, and comparable in a `where`."""
    if at.tzinfo is None:
        raise ValueError(f"memory times must be timezone-aware, got {at!r}")
    return (at - _EPOCH) // timedelta(microseconds=1)


def from_epoch_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def memory_id(customer_id: str, kind: MemoryKind, text: str, at: datetime) -> str:
    """A stable id: recording the same memory twice keeps one."""
    key = f"{customer_id}\x1f{kind.value}\x1f{epoch_us(at)}\x1f{text}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def make_record(
    customer_id: str,
    kind: MemoryKind,
    text: str,
    *,
    at: datetime,
    metadata: Mapping[str, Any] | None = None,
    id: str | None = None,
) -> MemoryRecord:
    """A validated record, as `ChromaMemory.record` would store it.

    Raises:
        ValueError: an empty customer id or text, a naive `at`, or metadata that uses a
            reserved key (customer_id, kind, at).
    """
    if not customer_id.strip():
        raise ValueError("a memory needs a customer id")
    if not text.strip():
        raise ValueError("a memory needs a text")
    clash = RESERVED.intersection(metadata or {})
    if clash:
        raise ValueError(f"metadata keys {sorted(clash)} are reserved")
    clean: dict[str, Scalar] = {}
    for key, value in (metadata or {}).items():
        if value is None:
            continue
        clean[str(key)] = value if isinstance(value, str | int | float | bool) else str(value)
    kind = MemoryKind(kind)
    return MemoryRecord(
        id=id or memory_id(customer_id, kind, text, at),
        customer_id=customer_id,
        kind=kind,
        text=text.strip(),
        at=at.astimezone(UTC),
        metadata=clean,
    )


def chroma_metadata(record: MemoryRecord) -> dict[str, Scalar]:
    return {
        **record.metadata,
        "customer_id": record.customer_id,
        "kind": record.kind.value,
        "at": epoch_us(record.at),
    }


def from_chroma(id: str, document: str | None, metadata: Mapping[str, Any] | None) -> MemoryRecord:
    meta = dict(metadata or {})
    try:
        return MemoryRecord(
            id=id,
            customer_id=str(meta.pop("customer_id")),
            kind=MemoryKind(meta.pop("kind")),
            at=from_epoch_us(int(meta.pop("at"))),
            text=document or "",
            metadata={k: v for k, v in meta.items() if isinstance(v, str | int | float | bool)},
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise MemoryStoreError(f"memory {id} is not one of ours: {exc}") from exc
