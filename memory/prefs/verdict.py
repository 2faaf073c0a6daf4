"""A statement's findings: the fold of what its clauses said (`stance.Reading`).

A value refused anywhere is not wanted; of several asked, the most plainly asked (then the
latest) wins; a refused language means the statement's own; one refused personal channel
means the other, unless a channel we do not have was named; a wheelchair covers reduced
mobility and assistance; a place or airline taken back is not avoided.
"""

from __future__ import annotations

from memory.prefs.findings import Finding
from memory.prefs.negation import WISH_FAMILIES
from memory.prefs.stance import OTHER, PERSONAL_CHANNELS, Reading

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
        # A refused personal channel asks for the other ("Don't text me" is e-mail, "I
        # never check my email" SMS), unless a way we do not have is named ("WhatsApp
        # would be easiest, I never check email") or one other channel is named beside
        # it ("Notices go to the company webhook, not to the travellers by SMS"). The
        # labelled sets since blind 7 record nothing for a bare refusal, but recording
        # nothing would have the agent reach the customer on their first consented
        # channel: often the very one refused (`tools.notifications.recipients`).
        if (
            family == "channel"
            and len(refused) == 1
            and set(refused) < set(PERSONAL_CHANNELS)
            and not reading.other_channel
        ):
            (value, quote), *_ = refused.items()
            if quote in reading.about_language:
                continue  # "English e-mails are hard for me" refuses the language
            if value in reading.accepted_channels:
                continue  # "stop texting me, e-mail or SMS is both fine": no choice made
            named = {v for (f, v) in reading.mentioned if f == "channel" and v != value}
            named |= {v for v in reading.accepted_channels if v != value}
            other = (
                named.pop() if len(named) == 1 else next(c for c in PERSONAL_CHANNELS if c != value)
            )
            out.append(Finding("channel", other, quote))
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
