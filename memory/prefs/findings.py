"""What a statement was understood to say: its findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Field = Literal[
    "language",
    "channel",
    "refused_channels",
    "accepted_channels",
    "seat",
    "avoid_overnight",
    "accessibility",
    "avoid_airports",
    "avoid_cities",
    "avoid_carriers",
]
FIELDS: tuple[Field, ...] = (
    "language",
    "channel",
    "refused_channels",
    "accepted_channels",
    "seat",
    "avoid_overnight",
    "accessibility",
    "avoid_airports",
    "avoid_cities",
    "avoid_carriers",
)
LIST_FIELDS = frozenset(
    {
        "refused_channels",
        "accepted_channels",
        "accessibility",
        "avoid_airports",
        "avoid_cities",
        "avoid_carriers",
    }
)
ACCEPTANCE: Field = "accepted_channels"
"""A channel the statement accepts without choosing it ("Email is fine.", "SMS is OK
now"): no field of `Preferences` — it chooses nothing — but it lifts an earlier refusal
of that channel when statements are folded (`memory.prefs.reader.fold_preferences`)."""
NEEDS = (
    "wheelchair",
    "reduced mobility",
    "unaccompanied minor",
    "visual impairment",
    "hearing impairment",
    "service animal",
    "oxygen",  # medical oxygen on board (IATA SSR OXYG; a portable concentrator, POC)
    "assistance",
)


@dataclass(frozen=True)
class Finding:
    """One preference a statement states: a field of `Preferences` and its value."""

    field: Field
    value: str | bool
    clause: str
    """The part of the statement it was read from."""


@dataclass(frozen=True)
class Understood:
    """All a statement was understood to say."""

    findings: tuple[Finding, ...] = ()
    injected: bool = False
    """Part of the text tries to instruct the agent: that part was quarantined and yields
    nothing (`memory.prefs.injection`); `findings` come from the rest, if any."""
    source: Literal["lexicon", "model", "none"] = "none"
