"""What a statement was understood to say: findings, and clauses to find them in."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Field = Literal[
    "language",
    "channel",
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
    "seat",
    "avoid_overnight",
    "accessibility",
    "avoid_airports",
    "avoid_cities",
    "avoid_carriers",
)
LIST_FIELDS = frozenset({"accessibility", "avoid_airports", "avoid_cities", "avoid_carriers"})
NEEDS = (
    "wheelchair",
    "reduced mobility",
    "unaccompanied minor",
    "visual impairment",
    "hearing impairment",
    "service animal",
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
    """The text tries to instruct the agent: quarantined, `findings` is empty."""
    source: Literal["embedding", "model", "none"] = "none"


# Sentence ends, semicolons, colons and dashes end a clause; so do "but" and its kin.
_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?;:。！？；：])\s*|\s[-–—]+\s|\s+(?:but|aber|mais|pero|ma|mas|maar)\s+|但是|不过",
    re.IGNORECASE,
)
# Commas and "and" end a clause only between two that each say something ("Don't text me,
# email only"), not inside one ("Our son, aged 9, is flying on his own").
_SOFT_BREAK = re.compile(r"(\s*[,，、]\s*|\s+(?:and|und|et|y|e|en|also)\s+)", re.IGNORECASE)


def clauses(text: str, standalone: Callable[[str], bool] = lambda _: False) -> list[str]:
    """`text` cut into the clauses a wish is stated in, in order.

    Args:
        text: the statement.
        standalone: whether a piece says something on its own ("Window, and no red-eyes":
            two wishes). Pieces that do not are joined to their neighbour.
    """
    parts: list[str] = []
    for part in (p.strip() for p in _SENTENCE_BREAK.split(text)):
        if not part:
            continue
        if parts and len(parts[-1].split()) == 1 and not standalone(parts[-1]):
            parts[-1] = f"{parts[-1]} {part}"  # "Frankfurt? Never again."
        else:
            parts.append(part)
    out: list[str] = []
    for part in parts:
        tokens = _SOFT_BREAK.split(part)  # piece, separator, piece, ...
        pieces = [tokens[0]]
        for separator, piece in zip(tokens[1::2], tokens[2::2], strict=True):
            if standalone(pieces[-1]) and standalone(piece):
                pieces.append(piece)
            else:
                pieces[-1] = pieces[-1] + separator + piece
        out.extend(p.strip(" ,，、") for p in pieces if p.strip(" ,，、.;:。；："))
    return out
