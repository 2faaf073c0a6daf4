"""Times as an ops desk reads them: the airport's local time, with its zone.

The database holds UTC; an operator thinks in the time on the departure board. Every
time on the desk is shown as local time at the airport it concerns, with the zone's
abbreviation (CET, EST, ...), and the UTC instant in the element's title.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup, escape


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_label(local: datetime) -> str:
    """The zone's abbreviation, or UTC±hh:mm where the zone has only a numeric one."""
    abbreviation = local.tzname() or ""
    if abbreviation and abbreviation[0] in "+-":
        offset = local.utcoffset() or timedelta()
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return abbreviation


def local(instant: datetime | str | None, tz: str | None, *, with_date: bool = False) -> Markup:
    """`<time>` of `instant` in zone `tz` (UTC when unknown): "08:20 CET" (+ date)."""
    if instant is None:
        return Markup("–")
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
    try:
        zone: tzinfo = _zone(tz) if tz else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone, tz = UTC, None
    at = instant.astimezone(zone)
    shown = at.strftime("%a %d %b %H:%M" if with_date else "%H:%M")
    label = zone_label(at)
    title = f"{instant.astimezone(UTC):%Y-%m-%d %H:%MZ}" + (f" · {tz}" if tz else "")
    return Markup(
        f'<time datetime="{instant.astimezone(UTC).isoformat()}" title="{escape(title)}">'
        f'{escape(shown)} <span class="tz">{escape(label)}</span></time>'
    )


def until(deadline: datetime, now: datetime) -> str:
    """Time left, as "in 1 h 05 min" or "5 min ago"."""
    seconds = int((deadline - now).total_seconds())
    minutes = abs(seconds) // 60
    text = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    return f"in {text}" if seconds >= 0 else f"{text} ago"


def money(cents: int | None, currency: str | None) -> str:
    if cents is None:
        return "–"
    return f"{cents / 100:,.2f} {currency or ''}".strip()
