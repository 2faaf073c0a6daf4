"""Time zones by name, each looked up once.

`ZoneInfo(name)` keeps only the last few zones it built (and the ones something still
refers to); a storm's messages, options and rankings name the local times of dozens of
airports, so most lookups found the file again on disk (`_tzpath.find_tzfile`) and
parsed it. Zones do not change while the process runs: one instance per name, kept.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo

__all__ = ["zone"]


@cache
def zone(name: str) -> ZoneInfo:
    """The time zone `name` (an IANA key, e.g. "Europe/Paris"), built once."""
    return ZoneInfo(name)
