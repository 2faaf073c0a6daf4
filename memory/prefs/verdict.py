"""A statement's findings: the fold of what its clauses said (`stance.Reading`).

A value refused anywhere is not wanted; of several asked, the most plainly asked (then the
latest) wins; a refused language means the statement's own; a refused channel is recorded
as refused, and one other channel named beside it is the one to use; a channel accepted
("Email is fine") is recorded as accepted; a wheelchair covers
reduced mobility and assistance; a place or airline taken back is not avoided.
"""

from __future__ import annotations

from airline.models import ChannelKind
from memory.prefs.findings import ACCEPTANCE, Finding
from memory.prefs.negation import WISH_FAMILIES
from memory.prefs.stance import OTHER, PERSONAL_CHANNELS, Reading

_CHANNELS = frozenset(c.value for c in ChannelKind)
_ENTITY_FIELDS = {"airport": "avoid_airports", "city": "avoid_cities", "carrier": "avoid_carriers"}
_SUBSUMED = {
    "wheelchair": ("reduced mobility", "assistance"),
    "unaccompanied minor": ("assistance",),
}
"""A need whose service includes others: a wheelchair (WCHR/WCHC) is the airport's
assistance for reduced mobility; the escort a child travelling alone is given ("merci de
prévoir l'accompagnement", "оформите сопровождение") is the minor service."""


def findings(reading: Reading, own_language: str | None) -> list[Finding]:
    """The statement's findings: the fold of its clauses' readings."""
    out: list[Finding] = []
    wished = list(reading.wished)
    if reading.revive:
        wished += [(f, v, 2, -1, q) for f, v, q in reading.past_wished]
    for family in WISH_FAMILIES:
        candidates = [w for w in wished if w[0] == family and (family, w[1]) not in reading.refused]
        if candidates:
            best = max(candidates, key=lambda w: (w[2], w[3]))
            if best[1] != OTHER:  # "WhatsApp only": a wish, but not for a channel we have
                out.append(Finding(family, best[1], best[4]))  # type: ignore[arg-type]
            continue
        refused = {v: q for (f, v), q in reading.refused.items() if f == family}
        if family == "language" and (refused or reading.native):
            if own_language and own_language not in refused:
                quote = next(iter(refused.values()), reading.native)
                out.append(Finding("language", own_language, quote))
        if family == "channel":
            out.extend(_channel_refusals(reading, refused))
            out.extend(_acceptances(reading, refused))
    if reading.night:
        avoids = any(v for v, _ in reading.night)
        quote = next(q for v, q in reading.night if v == avoids)
        out.append(Finding("avoid_overnight", avoids, quote))
    needs = {k: q for k, q in reading.needs.items() if k not in reading.needs_refused}
    for need, subsumed in _SUBSUMED.items():
        if need in needs:
            for other in subsumed:
                needs.pop(other, None)
    out.extend(Finding("accessibility", need, quote) for need, quote in needs.items())
    for (kind, value), quote in reading.avoided.items():
        if (kind, value) not in reading.accepted:
            out.append(Finding(_ENTITY_FIELDS[kind], value, quote))  # type: ignore[arg-type]
    return out


def _channel_refusals(reading: Reading, refused: dict[str, str]) -> list[Finding]:
    """What refusing channels says: each refused channel is recorded (`refused_channels`),
    and one other channel named or accepted beside a refused personal one ("SMS is fine,
    I rarely check email"; "Notices go to the company webhook, not to the travellers by
    SMS") is the channel to use.

    A bare refusal ("Don't text me") names no channel to use, so none is inferred (the
    labelled sets' convention since blind 7): the recorded refusal is what keeps the
    agent off the refused channel (`tools.notifications.recipients.with_preferences`).
    """
    out: list[Finding] = []
    for value, quote in refused.items():
        if value not in _CHANNELS or quote in reading.about_language:
            continue  # "English e-mails are hard for me" refuses the language
        if value in reading.accepted_channels:
            continue  # "stop texting me, e-mail or SMS is both fine": no choice made
        out.append(Finding("refused_channels", value, quote))
    if len(refused) == 1 and set(refused) < set(PERSONAL_CHANNELS) and not reading.other_channel:
        (value, quote), *_ = refused.items()
        named = {v for (f, v) in reading.mentioned if f == "channel" and v != value}
        named |= {v for v in reading.accepted_channels if v != value}
        usable = quote not in reading.about_language and value not in reading.accepted_channels
        if len(named) == 1 and usable:
            out.append(Finding("channel", named.pop(), quote))
    return out


def _acceptances(reading: Reading, refused: dict[str, str]) -> list[Finding]:
    """Each channel the statement accepts ("Email is fine.", "SMS is OK now"), unless it
    also refuses it: an acceptance read as a finding of its own, so that a later "e-mail
    is fine" lifts an earlier "no e-mails" the way a later wish would — without choosing
    the channel (`memory.prefs.reader.fold_preferences`)."""
    return [
        Finding(ACCEPTANCE, value, quote)
        for value, quote in reading.accepted_channels.items()
        if value in _CHANNELS and value not in refused
    ]
