"""What a statement does with what it names: wants it, refuses it, avoids it, or only
mentions it — decided from the cues of each clause, then for the whole statement.

Per clause (`memory.prefs.clauses`), before anything is taken from it:

- a question ("Do you still have window seats?"), a reported question ("asked whether
  SMS works"), a withdrawal ("remove WCHR from the profile") yields nothing;
- the past ("last time", "used to", 上次) yields nothing, unless the clause says now
  ("actually I want the window from now on") or a later clause takes it up again ("do
  the same again");
- another person's wish ("my wife prefers window") is not the customer's; their needs
  are (a companion's wheelchair on the booking is needed all the same);
- a conceding clause ("although I write in Spanish") asks for nothing.

Then, by family of target:

- seat, channel, language — refused when a negation stands close before it (or, as in
  German, Dutch, Italian, Chinese and Japanese, close after it) or when it follows
  "rather than"; wanted when the clause asks (please, prefer, only, 请, お願い; "text me"
  asks by itself), or is telegraphic ("Aisle", "PAX PREF: AISLE", "Finestrino");
  otherwise only mentioned ("the window was dirty"). Two values wanted in one clause
  ("window or aisle") is no choice at all; indifference (whatever, egal, 都行) in the
  clause is none either;
- night flights — avoided when refused or avoided (or named in words that refuse by
  themselves, "飞机上睡不着"), fine when accepted ("red-eyes are fine": False, which
  overrides an older True), avoided when day flights are asked for; a clock time on
  the night side ("after 10pm", "avant 6h") is a night flight;
- needs — stated unless negated ("no longer needs a wheelchair", "pas besoin de
  fauteuil"); a child (son, Tochter, 9 y/o) travelling alone is an unaccompanied minor;
  a wheelchair includes reduced mobility and assistance (it is that service);
- places and airlines — avoided when the clause refuses or avoids, unless it accepts
  ("I don't mind Frankfurt", "no problem", "nichts gegen").

A clause that names targets but carries no cue of stance continues the one before it in
its sentence ("Keep me away from JFK and Newark"; "Avoid the Gulf carriers: Emirates,
Qatar, Etihad"), and a refusal with nothing named refuses what the clause before named
("Not a fan of Schiphol - please avoid"). A wish carries over to any target, a refusal
only to targets of its own family ("No Ryanair, window" wants the window).

For the statement: a value wanted and refused is refused; of several values wanted, the
most plainly asked wins, then the last said. A refused language with none wanted means
the statement's own ("Ich spreche kein Englisch" wants German); a refused e-mail or SMS
with no channel wanted records nothing ("Don't text me": the customer named no way to be
reached), unless one other channel was named beside it.

Why it is long: the clause cues are tried in an order that is itself the rule (a
question before a withdrawal before the past before a refusal before a wish); split
across modules, that order would be spread over imports nobody reads together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from memory.prefs.clauses import STANCE, Clause
from memory.prefs.marks import PAIRED, Mark, Marks
from memory.prefs.needs import (
    children_alone,
    disclaimed_needs,
    someone_elses_trip,
    withdrawn_needs,
)
from memory.prefs.negation import accept_negated, avoid_negated, denied_troubles, negated
from memory.prefs.text import Span, fold, is_cjk, tokens_between

NEG_BEFORE = 5
"""A negation refuses a seat, channel or language at most this many tokens before it."""
NEG_AFTER = 4
"""... or this many after it ("E-Mails lese ich unterwegs nicht", "邮件我不常看")."""
NEED_NEG = 6
"""A negation this close to a need withdraws it ("Non mi serve più la sedia a rotelle")."""
TELEGRAPHIC = 2
"""A clause with at most this many words besides its targets and cues asks for them."""
TELEGRAPHIC_CJK = 3

PERSONAL_CHANNELS = ("sms", "email")
PHONE = "phone"
NUMBER = "number"
"""A phone number written out (`memory.prefs.contacts`): the phone as the address."""
OTHER = "other"
"""A channel named that the agent cannot use (WhatsApp, a phone call)."""


@dataclass
class _Carry:
    """What a clause passes to the next one of its sentence."""

    wish: bool = False
    refuse: bool = False
    families: frozenset[str] = frozenset()
    open_entities: list[Mark] = field(default_factory=list)
    open_nights: list[Mark] = field(default_factory=list)
    entities: list[Mark] = field(default_factory=list)
    """Every place and airline named so far in the sentence, however it was meant."""
    previous: list[Mark] = field(default_factory=list)
    """Those of the sentence before: "Flew Ryanair last year. Never again." """


@dataclass
class Reading:
    """What the clauses of one statement said, before the statement is folded."""

    wished: list[tuple[str, str, int, int, str]] = field(default_factory=list)
    """(family, value, strength, order, clause)."""
    refused: dict[tuple[str, str], str] = field(default_factory=dict)
    past_wished: list[tuple[str, str, str]] = field(default_factory=list)
    revive: bool = False
    needs: dict[str, str] = field(default_factory=dict)
    needs_refused: set[str] = field(default_factory=set)
    night: list[tuple[bool, str]] = field(default_factory=list)
    avoided: dict[tuple[str, str], str] = field(default_factory=dict)
    accepted: set[tuple[str, str]] = field(default_factory=set)
    native: str = ""
    about_language: set[str] = field(default_factory=set)  # clauses naming a language
    mentioned: dict[tuple[str, str], str] = field(default_factory=dict)
    """Seats, channels, languages named now by the customer, neither asked nor refused:
    "notices go to the webhook, not by SMS" names the webhook and refuses SMS."""
    other_channel: bool = False
    """A channel we do not have (WhatsApp, a call) was named as the customer's own."""
    accepted_channels: dict[str, str] = field(default_factory=dict)
    """Channels the customer said would do ("SMS is fine"): named, not asked for."""
    gamed: bool = False
    """A need the writer disclaims was asked for all the same (`needs.disclaimed_needs`):
    the statement tries to obtain a service, and is set aside as an instruction is."""


def read(
    text: str,
    marks: Marks,
    clause_list: Sequence[Clause],
    questions: set[int],
    quarantined: set[int],
) -> Reading:
    """The reading of a statement's clauses (skipping quarantined sentences)."""
    reading = Reading()
    folded = fold(text)
    elsewhere = someone_elses_trip(marks, clause_list)
    carry = _Carry()
    sentence = -1
    for order, clause in enumerate(clause_list):
        if clause.sentence != sentence:
            sentence, carry = clause.sentence, _Carry(previous=carry.entities)
        if clause.sentence in quarantined:
            continue
        targets, cues = marks.within(clause.span.start, clause.span.end)
        targets = addresses(folded, targets, marks.targets)
        quote = clause.span.text(text)
        keys = {c.key for c in cues}
        if "withdraw" in keys and clause.sentence not in questions:
            # "Actually scratch WestJet", "Już nie muszę unikać LOT-u": taken back.
            reading.accepted |= {(t.key, t.value) for t in targets if t.family == "entity"}
        if clause.sentence in questions or "ask" in keys or "withdraw" in keys:
            carry = _Carry(entities=carry.entities)
            continue
        past = "past" in keys and not keys & {"now", "reaffirm"}
        if accept_negated(folded, cues):
            # "меня не устраивает", "is not ok", "n'est pas acceptable": a refusal.
            keys = (keys - {"accept"}) | {"avoid"}
            cues = [
                Mark(c.kind, "avoid", c.value, c.start, c.end) if c.key == "accept" else c
                for c in cues
            ]
        negated_avoids = avoid_negated(folded, cues)
        if negated_avoids:
            # "I don't want to avoid Frankfurt", "if you can't avoid Frankfurt": not
            # avoiding a place accepts it.
            spent = {id(m) for pair in negated_avoids for m in pair}
            cues = [c for c in cues if id(c) not in spent]
            keys = {c.key for c in cues} | {"accept"}
        if "disclaim" in keys:
            # "I wouldn't say I never want to go via Paris", "ce n'est pas que je refuse
            # Francfort": the refusal is denied, and what it named is accepted.
            cues = [c for c in cues if c.key not in ("neg", "avoid", "disclaim")]
            keys = (keys - {"neg", "avoid", "disclaim"}) | {"accept"}
        denied = denied_troubles(folded, cues, targets)
        if denied:
            # "I never had trouble at Heathrow": the "never" is the trouble's, and the
            # clause accepts what it names.
            keys |= {"accept"}
            cues = [c for c in cues if c not in denied]
            keys = (keys - {"neg"}) | ({"neg"} if any(c.key == "neg" for c in cues) else set())
        reading.revive |= "reaffirm" in keys
        other = _someone_else(targets, cues) and not WITH_ME.search(
            folded, clause.span.start, clause.span.end
        )
        own_stance = bool(keys & STANCE)
        if clause.sentence in elsewhere:
            targets = [t for t in targets if t.family != "need"]
        carry = _read_clause(
            reading, folded, quote, order, clause, targets, cues, keys, past, other, carry
        )
        if not own_stance and not targets:
            carry = _Carry(entities=carry.entities)
    children_alone(reading, text, marks, clause_list, questions, quarantined | elsewhere)
    withdrawn_needs(reading, marks, clause_list)
    disclaimed_needs(reading, text, marks, clause_list)
    return reading


def _read_clause(
    reading: Reading,
    folded: str,
    quote: str,
    order: int,
    clause: Clause,
    targets: list[Mark],
    cues: list[Mark],
    keys: set[str],
    past: bool,
    other: bool,
    carry: _Carry,
) -> _Carry:
    negs = [c for c in cues if c.key == "neg"]
    contrasts = [c for c in cues if c.key == "contrast" and _compares(c, targets)]
    contrasts_before = [c for c in cues if c.key == "contrast_before"]
    excepts = [c for c in cues if c.key == "except"]
    # "Avoid every airport except FRA": what follows "except" is spared from a refusal
    # before it; with no refusal ("anything except Ryanair") it is what is refused.
    refusal_before_except = any(
        c.key in ("neg", "avoid") and excepts and c.end <= excepts[0].start for c in cues
    )
    refusing = bool(negs) or "avoid" in keys
    asks = bool(keys & {"wish", "native", "request", "proviso"}) or bool(
        contrasts or contrasts_before
    )
    own = bool(keys & STANCE)
    inherited_wish = not own and carry.wish
    families = frozenset(t.family for t in targets)
    inherited_refusal = (
        not own and carry.refuse and (not carry.families or bool(families & carry.families))
    )
    # "Not a fan of Schiphol - please avoid": a refusal with nothing named. "Never again"
    # also reaches back a sentence ("Last time I flew Ryanair they lost my bag. Never
    # again."): only an avoidance does, a bare "never" may be about anything, and only to
    # one kind of thing ("flew Wizz Air to Rome. Never again": the airline or the city?).
    if not targets and refusing and "accept" not in keys and not past and not other:
        previous = carry.previous if len({e.key for e in carry.previous}) == 1 else []
        reached = [*carry.open_entities, *(previous if "avoid" in keys else ())]
        for entity in reached:
            _avoid(reading, entity, quote)
        if carry.open_nights:
            reading.night.append((True, quote))
    # "Antigamente eu evitava Lisboa, mas agora tanto faz", "之前说不要国航，现在无所谓了":
    # not minding *now*, with nothing named, takes back what the sentence refused.
    # "Frankfurt isn't ideal but I can live with it", "mais ça me va": an acceptance set
    # against what came before ("but"), with nothing named, that points back at it ("it",
    # "there", "ça"), accepts what the sentence named — but not "No Ryanair, it's fine
    # otherwise" (no "but": the rest is fine) nor "Avoid Frankfurt, but anything else is
    # fine", whose acceptance is of everything other than what was refused.
    if (
        not targets
        and keys & {"accept", "indifferent"}
        and ("now" in keys or _points_back(folded, clause.span))
        and not keys & {"except", "fallback"}
        and not other
    ):
        reading.accepted |= {(e.key, e.value) for e in carry.entities}
    # "Avoid British Airways and Iberia if possible": a place or airline can only be
    # avoided, so a clause that only adds politeness to a refusal continues it.
    # But a wish said before what it names asks for that thing: "Evitem Guarulhos,
    # prefiro Congonhas" prefers Congonhas.
    first_named = min((t.start for t in targets), default=clause.span.end)
    polite_refusal = (
        carry.refuse
        and not refusing
        and bool(keys & {"wish", "request"})
        and not (keys & STANCE) - {"wish", "request"}
        and not any(c.key == "wish" and c.end <= first_named for c in cues)
        and _telegraphic(folded, clause.span, targets, cues, keys)
    )
    telegraphic = _telegraphic(folded, clause.span, targets, cues, keys)
    if any(t.family == "language" for t in targets):
        reading.about_language.add(quote)
    open_entities: list[Mark] = []
    open_nights: list[Mark] = []
    chosen = _chosen_over(folded, targets, cues)
    wished_here: dict[str, list[Mark]] = {}
    refusals_at = [c.end for c in cues if c.key in ("neg", "avoid")]
    pasts_at = [c.start for c in cues if c.key == "past"]
    clause_past = past
    for target in targets:
        family = target.family
        # "nada de TAP que da última vez perderam minha mala": the past after a refusal is
        # its reason, not the time of the refusal.
        past = clause_past and not (
            any(end <= target.start for end in refusals_at)
            and all(start >= target.end for start in pasts_at)
        )
        if family == "need":
            if past:
                continue
            if negated(folded, target, negs, NEED_NEG, NEED_NEG // 2):
                reading.needs_refused.add(target.value)
            else:
                reading.needs.setdefault(target.value, quote)
            continue
        if other or clause.concessive:
            continue
        if family == "entity":
            if target.key == "place":
                continue
            entity_key = (target.key, target.value)
            if past:
                continue
            if _after(target, excepts):
                # "Any airline except Ryanair" refuses Ryanair; "avoid every hub except
                # FRA" spares FRA.
                if not refusal_before_except:
                    _avoid(reading, target, quote)
                continue
            if keys & {"accept", "indifferent"}:
                reading.accepted.add(entity_key)
            elif target in chosen:
                continue
            elif refusing or inherited_refusal or polite_refusal or _after(target, contrasts):
                _avoid(reading, target, quote)
            else:
                open_entities.append(target)
            continue
        if family == "night":
            if past:
                continue
            if "accept" in keys:
                reading.night.append((False, quote))
            elif "indifferent" in keys:
                continue
            elif target.value == "day":
                if asks or telegraphic or inherited_wish:
                    reading.night.append((True, quote))
            elif refusing or inherited_refusal or target.asks or _after(target, contrasts):
                # target.asks: the words refuse by themselves ("飞机上睡不着").
                reading.night.append((True, quote))
            else:
                open_nights.append(target)
            continue
        # seat, channel, language
        if "indifferent" in keys:
            continue
        refused = (
            _after(target, contrasts)
            or _before(target, contrasts_before)
            or negated(folded, target, negs, NEG_BEFORE, NEG_AFTER, targets)
        )
        if refused:
            if not past:
                reading.refused.setdefault((family, target.value), quote)
            continue
        if "accept" in keys:
            if family == "channel" and not past and not other:
                if target.value == OTHER:
                    # "WhatsApp is fine, I never check email": a way we do not have.
                    reading.other_channel = True
                else:
                    # "SMS is fine, I rarely check e-mail": the channel accepted is named.
                    reading.accepted_channels.setdefault(target.value, quote)
            continue
        if family == "channel" and target.value == OTHER and not other:
            reading.other_channel = True
        strength = 2 if (target.asks or asks) else 1 if (telegraphic or inherited_wish) else 0
        if inherited_refusal and not strength:
            reading.refused.setdefault((family, target.value), quote)
            continue
        if not strength:
            if not past:
                reading.mentioned.setdefault((family, target.value), quote)
            continue
        if "fallback" in keys:
            strength = 0  # "Aisle if available, otherwise window": the window is second
        if past:
            reading.past_wished.append((family, target.value, quote))
            continue
        wished_here.setdefault(family, []).append(target)
    if "native" in keys and not any(t.family == "language" for t in targets) and not other:
        reading.native = quote
    for family, found in wished_here.items():
        values = {t.value for t in found}
        if len(values) > 1:
            continue  # "window or aisle", "por correo o por SMS": no choice made
        strength = 2 if (asks or any(t.asks for t in found)) else 1
        if "fallback" in keys:
            strength = 0
        reading.wished.append((family, found[0].value, strength, order, quote))
    return _Carry(
        wish=asks or (inherited_wish and bool(targets)),
        refuse=refusing or inherited_refusal,
        families=families - {"need"} if (refusing or inherited_refusal) else frozenset(),
        open_entities=open_entities,
        open_nights=open_nights,
        entities=[*carry.entities, *(t for t in targets if t.family == "entity")],
        previous=carry.previous,
    )


ADDRESS_GAP = 2
"""A phone named at most this many words after another channel is where that channel is
read ("não leio e-mail no celular", "call me on my mobile"), not a channel of its own."""


def addresses(folded: str, targets: list[Mark], around: Sequence[Mark] = ()) -> list[Mark]:
    """`targets` with the phone named as an address ("a message to my mobile", "reply to
    this number", "al celular") read as SMS, the one channel of ours a phone receives;
    a phone right after another channel only says where that one arrives, and is left
    out. A number written out looks back past its clause (`around`: every target of the
    text), since a comma sets it off ("Message me on WhatsApp, +254 712 000 111")."""
    out: list[Mark] = []
    for target in targets:
        if target.key != "channel" or target.value not in (PHONE, NUMBER):
            out.append(target)
            continue
        near = [*targets, *(around if target.value == NUMBER else ())]
        after_channel = any(
            other.key == "channel"
            and other.value not in (PHONE, NUMBER)
            and other.end <= target.start
            and tokens_between(folded, other.end, target.start) <= ADDRESS_GAP
            for other in near
        )
        if not after_channel:
            out.append(replace(target, value="sms"))
    return out


def _avoid(reading: Reading, entity: Mark, quote: str) -> None:
    if entity.key != "place":
        reading.avoided.setdefault((entity.key, entity.value), quote)


def _compares(contrast: Mark, targets: list[Mark]) -> bool:
    """Does the contrast set something against what follows it? "Rather than", "instead
    of" always do; the second half of a comparison ("prefer A to B", "préférer A à B",
    "lieber A als B") only when its A is named: in "je préférerais une correspondance à
    Zurich" the "à" is where the connection is, and Zurich is wanted, not refused."""
    if contrast.value != PAIRED:
        return True
    return any(t.end <= contrast.start for t in targets)


_CHOICE_REACH = 1
"""Words allowed on either side of the "not" in "X not Y" ("Vienna not via Munich")."""


def _chosen_over(folded: str, targets: list[Mark], cues: list[Mark]) -> list[Mark]:
    """ "ORY not CDG", "Lufthansa not Ryanair": a place or airline right before a "not"
    that refuses another of its kind right after is the one chosen, not refused with it.
    Only where nothing refuses before it ("no Ryanair not even Wizz" refuses both)."""
    negs = [c for c in cues if c.key == "neg"]
    refusals = [c for c in cues if c.key in ("neg", "avoid")]
    entities = [t for t in targets if t.family == "entity"]
    return [
        chosen
        for chosen in entities
        if not any(r.end <= chosen.start for r in refusals)
        and any(
            chosen.end <= neg.start
            and tokens_between(folded, chosen.end, neg.start) <= _CHOICE_REACH
            and any(
                other.key == chosen.key
                and neg.end <= other.start
                and tokens_between(folded, neg.end, other.start) <= _CHOICE_REACH
                for other in entities
            )
            for neg in negs
        )
    ]


def _after(target: Mark, contrasts: list[Mark]) -> bool:
    return any(c.end <= target.start for c in contrasts)


def _before(target: Mark, contrasts: list[Mark]) -> bool:
    return any(target.end <= c.start for c in contrasts)


WITH_ME = re.compile(
    r"\b(?:and i|and me|i and|we|us|both of us|und ich|ich und|wir|et moi|nous|y yo|nosotros|"
    r"e io|noi|en ik|wij|i ja|och jag|vi|og jeg|"
    r"cu mine|cu noi|velem|velunk|nami|nasi|pamoja|kasama ko|kasama namin|kasama kami|"
    r"зі мною|з нами|со мной|с нами|איתי|איתנו|با من|با ما)\b"
    r"|ด้วยกัน|กับฉัน|กับผม|กับดิฉัน"  # Thai: no word boundaries
)
"""The writer counted with the other person ("my wife and I both need aisle seats")."""


ANAPHOR = re.compile(
    r"\b(?:it|that|them|there|those|das|dort|damit|ca|cela|eso|ahi|alli|alla|questo|cio|"
    r"isso|isto|ali|dat|daar|het|tam|это|там|bu|orasi|orada)\b"
)
"""A word that points back at something named before ("I'm fine with it", "ça me va",
"mir ist das egal", "то мне всё равно"), in the folded text."""
ELSEWHERE = re.compile(
    r"\b(?:else|elsewhere|other|others|otherwise|anywhere|anything|rest|sonst|anderen?|"
    r"anders|ailleurs|autres?|reste|otros?|otras?|demas|resto|altri|altre|altro|altrove|"
    r"outros?|outras?|ander|andere|inne|inny|ine|iny|jine|jiny|другие|другое|остальн\w*|"
    r"baska)\b"
)
"""A word that sets what follows against what was named ("anything else is fine")."""


ADVERSATIVE = re.compile(
    r"(?:but|though|aber|doch|mais|pero|ma|pero|mas|porem|maar|ale|но|а|ama|fakat|ancak)\b"
)
"""A conjunction that sets its clause against the one before ("but", "aber", "а")."""


def _points_back(folded: str, span: Span) -> bool:
    """Does the clause, set against the one before, point back at what was named, and
    not away from it?"""
    return (
        ADVERSATIVE.match(folded, span.start) is not None
        and ANAPHOR.search(folded, span.start, span.end) is not None
        and ELSEWHERE.search(folded, span.start, span.end) is None
    )


def _someone_else(targets: list[Mark], cues: list[Mark]) -> bool:
    """Is the clause about another person ("My wife prefers window")? Only when they are
    named before what the clause is about, as its subject."""
    others = [c for c in cues if c.key == "other"]
    if not others:
        return False
    first = min((t.start for t in targets), default=None)
    return first is not None and any(o.end <= first for o in others)


def _telegraphic(
    folded: str,
    span: Span,
    targets: list[Mark],
    cues: list[Mark],
    keys: set[str],
) -> bool:
    """Does the clause consist of little more than what it names ("Aisle please")?"""
    if not targets or keys & {"state", "past", "other", "ask"}:
        return False
    covered = [*targets, *cues]
    latin = cjk = 0
    for token in _tokens(folded, span):
        start, end = token
        if any(m.start <= start and end <= m.end for m in covered):
            continue
        if is_cjk(folded[start:end]):
            cjk += 1
        elif not folded[start:end].isdigit():
            latin += 1
    return latin <= TELEGRAPHIC and cjk <= TELEGRAPHIC_CJK


def _tokens(folded: str, span: Span) -> list[tuple[int, int]]:
    from memory.prefs.text import TOKEN

    return [m.span() for m in TOKEN.finditer(folded, span.start, span.end)]
