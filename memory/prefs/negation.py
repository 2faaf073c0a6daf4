"""Which thing a negation refuses: the one close before or after it, but not across
another thing named between them, nor one it stands right before another.

Why its own module: `stance` decides what each clause wants; this is the one question
of where a "not" lands, asked for seats, channels, languages and needs alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from memory.prefs.marks import Mark
from memory.prefs.text import is_cjk, tokens_between

WISH_FAMILIES = ("seat", "channel", "language")


def negated(
    folded: str,
    target: Mark,
    negs: list[Mark],
    before: int,
    after: int,
    targets: Sequence[Mark] = (),
) -> bool:
    for neg in negs:
        if neg.end <= target.start:
            gap = tokens_between(folded, neg.end, target.start)
            if gap <= (before * 2 if is_cjk(folded[neg.end : target.start]) else before):
                if not _nearer(folded, target, neg, targets):
                    return True
        elif target.end <= neg.start:
            gap = tokens_between(folded, target.end, neg.start)
            if gap <= (after * 2 if is_cjk(folded[target.end : neg.start]) else after):
                if not _nearer(folded, target, neg, targets) and not _owned(
                    folded, neg, targets, before
                ):
                    return True
    return False


def _owned(folded: str, neg: Mark, targets: Sequence[Mark], before: int) -> bool:
    """Does the negation stand right before another thing named, which it refuses instead
    of the one behind it ("text me dont email"; "mau kursi lorong terus jangan lewat
    Jakarta": the aisle is wanted, Jakarta refused)?"""
    return any(
        neg.end <= other.start and tokens_between(folded, neg.end, other.start) <= before
        for other in targets
    )


def _nearer(folded: str, target: Mark, neg: Mark, targets: Sequence[Mark]) -> bool:
    """Does another seat, channel or language stand between the negation and `target`,
    not merely listed beside it? A negation speaks of the nearest thing: "scrivetemi per
    email, che il telefono non lo guardo" refuses the phone, not the e-mail; "E-Mail oder
    SMS lese ich nicht" and "no SMS or email" refuse both (one word between is a list)."""
    low, high = (neg.end, target.start) if neg.end <= target.start else (target.end, neg.start)
    for other in targets:
        if other is target or other.family not in WISH_FAMILIES:
            continue
        if low <= other.start and other.end <= high:
            gap = (
                tokens_between(folded, other.end, target.start)
                if other.end <= target.start
                else tokens_between(folded, target.end, other.start)
            )
            if gap > 1:
                return True
    return False


def accept_negated(folded: str, cues: list[Mark]) -> bool:
    """Is every acceptance of the clause negated by the word just before it?"""
    accepts = [c for c in cues if c.key == "accept"]
    negs = [c for c in cues if c.key == "neg"]
    return bool(accepts) and all(
        any(n.end <= a.start and tokens_between(folded, n.end, a.start) <= 1 for n in negs)
        for a in accepts
    )


AVOID_NEG = 2
"""A negation at most this many words before a word of avoiding, with no punctuation
between, negates it ("I don't want to avoid Frankfurt", "if you can't avoid it")."""
_WORDS_ONLY = re.compile(r"[\w' ’-]*")
_AVOIDING_VERB = re.compile(
    r"(?:avoid|hate|loathe|skip|refus|exclud|boycott|can'?t stand|meid|vermeid|hass|evit|"
    r"odi|detest|vermijd|haat|unik|избег|ненавид|vyh|kacin|nefret)"
)
"""A word of avoiding that is a verb a negation can deny ("don't avoid", "nicht meiden"),
unlike one that is a negation itself (French "plus jamais" after "ne", "never again")."""


def avoid_negated(folded: str, cues: list[Mark]) -> list[tuple[Mark, Mark]]:
    """The (negation, avoidance) pairs in which the negation denies the avoiding: not
    avoiding a place accepts it. "No, never again" is no pair: a comma stands between."""
    pairs = []
    verbs = (c for c in cues if c.key == "avoid" and _AVOIDING_VERB.match(folded, c.start))
    for avoid in verbs:
        for neg in (c for c in cues if c.key == "neg"):
            if neg.end > avoid.start or tokens_between(folded, neg.end, avoid.start) > AVOID_NEG:
                continue
            if _WORDS_ONLY.fullmatch(folded, neg.end, avoid.start):
                pairs.append((neg, avoid))
                break
    return pairs


TROUBLE_NEG = 3
"""A negation at most this many tokens before a word of trouble denies it ("never had any
problems", "hatte ich nie Ärger", "Nigdy nie miałem problemów")."""


def denied_troubles(folded: str, cues: list[Mark], targets: Sequence[Mark]) -> list[Mark]:
    """The negations that deny a trouble ("I never had trouble at Heathrow", "Во Франкфурте
    у меня никогда не было проблем"): trouble denied is an experience that accepts, not a
    refusal of what it happened at. A negation speaks of the trouble only when nothing is
    named and nothing is wanted or avoided between them: "No Heathrow, problems every
    time" refuses Heathrow, "I don't want trouble in Frankfurt" is no acceptance."""
    between = [*targets, *(c for c in cues if c.key in ("wish", "avoid", "accept"))]
    denied: list[Mark] = []
    for trouble in (c for c in cues if c.key == "trouble"):
        for neg in (c for c in cues if c.key == "neg"):
            if neg.end > trouble.start:
                continue
            if tokens_between(folded, neg.end, trouble.start) > TROUBLE_NEG:
                continue
            if any(neg.end <= m.start and m.end <= trouble.start for m in between):
                continue
            denied.append(neg)
    return denied
