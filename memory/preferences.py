"""Structured preferences derived from what customers and operators wrote, with the source.

Deterministic rules over the customer's PREFERENCE and NOTE memories, in English, German,
French, Spanish and Chinese wording: "only text me" → channel sms, "Ich lese nur Deutsch"
→ language de, "aisle seat" → seat aisle, "no red-eyes" → avoid overnight, "wheelchair"
→ an accessibility need. The newest statement about a field wins; accessibility needs
accumulate. Each field cites, in `Preferences.sources`, the memory text it came from.

Memory texts are data: a note reading "ignore previous instructions ..." is matched
against these patterns like any other text and yields nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from airline.models import ChannelKind, Preferences, SeatPreference
from memory.base import MemoryKind, MemoryRecord

# Kinds that carry what the customer wants; outcomes and our own messages do not.
STATED = frozenset({MemoryKind.PREFERENCE, MemoryKind.NOTE})

_F = re.IGNORECASE


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), _F)


# A negation within the three words before a match: "don't email me", "no SMS", "nicht
# auf Englisch", "pas de courriel", "stop sending me texts".
_NEGATION = re.compile(
    r"(?:\b(?:no|not|never|don'?t|do not|doesn'?t|does not|won'?t|stop|nicht|kein\w*|nie"
    r"|niemals|pas|jamais|nunca|sin|ni)\b|不要|别|不)\W*(?:[\w'-]+\W+){0,3}$",
    _F,
)


# A negation does not reach past the end of its clause: "Don't text me, email only".
_CLAUSE_END = re.compile(r"[,.;:!?，。；！？]|\s[-–—]\s")


def _negated(text: str, start: int) -> bool:
    before = _CLAUSE_END.split(text[max(0, start - 40) : start])[-1]
    return _NEGATION.search(before) is not None


def _found(pattern: re.Pattern[str], text: str) -> bool:
    """A match of `pattern` in `text` that no negation precedes."""
    return any(not _negated(text, m.start()) for m in pattern.finditer(text))


_SMS = _any(
    r"\btext(?:ing)? (?:me|him|her|them|us)\b",
    r"\b(?:by|via|per|par|por|through|over) (?:sms|texts?|text messages?)\b",
    r"\b(?:sms|texts?|text messages?) (?:only|bitte|please|preferred|por favor|uniquement)\b",
    r"\b(?:only|nur|solo|seulement|uniquement|just) (?:an? )?(?:sms|texts?|text messages?)\b",
    r"\bprefers? (?:an? )?(?:sms|texts?|text messages?)\b",
    r"\b(?:sms|texts?|text messages?) (?:is|are|works?) (?:best|better|preferred)\b",
    r"\b(?:send|sends|schick\w*|envo\w*|mand\w*) (?:me |mir |moi |me an |him |her )?"
    r"(?:an? |une? |eine? |un )?(?:sms|text)\b",
    r"短信",
)
_EMAIL = _any(
    r"\b(?:e-?mail|mail) (?:me|him|her|them|us)\b",
    r"\b(?:by|via|per|par|por|through|over) (?:e-?mail|courriel|correo(?: electr[oó]nico)?)\b",
    r"\b(?:e-?mails?) (?:only|bitte|please|preferred|por favor|uniquement)\b",
    r"\b(?:only|nur|solo|seulement|uniquement|just) (?:an? )?(?:e-?mails?|courriels?|correos?)\b",
    r"\bprefers? (?:an? )?(?:e-?mails?)\b",
    r"\be-?mails? (?:is|are|works?) (?:best|better|preferred)\b",
    r"\b(?:send|sends|schick\w*|envo\w*|mand\w*) (?:me |mir |moi |him |her )?"
    r"(?:an? |une? |eine? |un )?(?:e-?mail|courriel|correo)\b",
    r"邮件",
)

_LANGUAGES: dict[str, re.Pattern[str]] = {
    "de": _any(r"\bgerman\b", r"\bdeutsch\b", r"\ballemand\b", r"\balem[aá]n\b", r"德语"),
    "fr": _any(r"\bfrench\b", r"\bfranz[öo]sisch\b", r"\bfran[çc]ais\b", r"\bfranc[eé]s\b"),
    "es": _any(
        r"\bspanish\b", r"\bspanisch\b", r"\bespagnol\b", r"\bespa[ñn]ol\b", r"\bcastellano\b"
    ),
    "zh": _any(
        r"\bchinese\b", r"\bmandarin\b", r"\bchinesisch\b", r"\bchinois\b", r"中文", r"汉语"
    ),
    "en": _any(r"\benglish\b", r"\benglisch\b", r"\banglais\b", r"\bingl[eé]s\b", r"英语"),
}
# A language name counts only where the text is about communicating: "write in German",
# "Ich lese nur Deutsch", not "flew in from a German hub".
_ABOUT_LANGUAGE = _any(
    r"\b(?:writ\w*|speak\w*|spoke|read\w*|messages?|language|communicat\w*|correspond\w*"
    r"|prefers?|only|please|lese|liest|spreche|spricht|schreib\w*|nur|bitte|sprache"
    r"|parle\w*|[ée]cri\w*|lis|langue|hablo|habla|escrib\w*|idioma|mensajes?|por favor)\b",
    r"请|用",
)

_LANGUAGE_MARKER = re.compile(
    r"(?:\b(?:in|auf|en|em|only|nur|uniquement|seulement|solo|solamente)\s+$)|用$", _F
)

_AISLE = _any(
    r"\baisle\b", r"\bgangplatz\b", r"\bam gang\b", r"\bcouloir\b", r"\bpasillo\b", r"过道"
)
_WINDOW = _any(
    r"\bwindow (?:seat|side|please|only|always)\b",
    r"\b(?:prefers?|likes?|wants?|by|at) the window\b",
    r"\bfensterplatz\b",
    r"\bam fenster\b",
    r"\bhublot\b",
    r"\bventanilla\b",
    r"靠窗",
)

_OVERNIGHT = _any(
    r"\bred[- ]?eyes?\b",
    r"\bovernight (?:flights?|departures?|connections?|legs?|services?)\b",
    r"\bnever\b.{0,30}\bovernight\b",
    r"\bnight (?:flights?|departures?)\b",
    r"\blate[- ]night (?:flights?|departures?)\b",
    r"\bnachtfl[üu]g\w*",
    r"\bvols? de nuit\b",
    r"\bvuelos? (?:nocturnos?|de noche)\b",
    r"红眼|夜航|夜间航班",
)
# ... unless the statement says they are fine now: the newest statement wins.
_OVERNIGHT_FINE = _any(
    r"\b(?:fine|ok|okay|happy|no problem|don'?t mind|do not mind|doesn'?t mind|ok with)\b"
    r".{0,30}(?:red[- ]?eye|overnight|night flight)",
    r"(?:red[- ]?eyes?|overnight (?:flights?|departures?)|night flights?)"
    r"\W+(?:are|is)\W+(?:now\W+)?(?:fine|ok|okay|acceptable|no problem)\b",
)

_ACCESSIBILITY: dict[str, re.Pattern[str]] = {
    "wheelchair": _any(
        r"wheel-?chair",
        r"\bWCH[RSC]\b",
        r"\brollstuhl\w*",
        r"fauteuil roulant",
        r"silla de ruedas",
        r"轮椅",
    ),
    "reduced mobility": _any(
        r"\b(?:reduced|limited|restricted) mobility\b",
        r"\bmobility (?:issues?|impair\w*|aids?|problems?)\b",
        r"\bPRM\b",
        r"\bwalking (?:stick|frame|difficult\w*)\b",
        r"\b(?:cannot|can'?t) walk (?:long|far)\b",
        r"\beingeschr[äa]nkt\w* mobil\w*",
        r"\bgehbehindert\w*",
        r"\bmobilit[ée] r[ée]duite\b",
        r"\bmovilidad reducida\b",
        r"行动不便",
    ),
    "unaccompanied minor": _any(
        r"\bunaccompanied (?:minors?|child(?:ren)?)\b",
        r"\bUMNR\b",
        r"\bunbegleitet\w* (?:minderj[äa]hrig\w*|kind\w*)",
        r"\bmineurs? non accompagn[ée]s?\b",
        r"\bmenor(?:es)? no acompa[ñn]ad[oa]s?\b",
        r"无人陪伴",
    ),
    "visual impairment": _any(
        r"\bblind\b",
        r"\bvisually impaired\b",
        r"\bsehbehindert\w*",
        r"\bmalvoyant\w*",
        r"\bBLND\b",
    ),
    "hearing impairment": _any(
        r"\bdeaf\b",
        r"\bhard of hearing\b",
        r"\bhearing impaired\b",
        r"\bgeh[öo]rlos\w*",
        r"\bschwerh[öo]rig\w*",
        r"\bmalentendant\w*",
    ),
    "service animal": _any(
        r"\b(?:service|assistance|guide) (?:dog|animal)s?\b",
        r"\bblindenhund\w*",
        r"\bchien guide\b",
    ),
}


def channel_in(text: str) -> ChannelKind | None:
    """The channel a statement asks for, if exactly one is asked for and not refused."""
    wanted = {
        kind
        for kind, pattern in ((ChannelKind.SMS, _SMS), (ChannelKind.EMAIL, _EMAIL))
        if _found(pattern, text)
    }
    return wanted.pop() if len(wanted) == 1 else None


def language_in(text: str) -> str | None:
    """The language a statement asks to be written in; the last one not refused."""
    if not _ABOUT_LANGUAGE.search(text):
        return None
    found: list[tuple[bool, int, str]] = []
    for code, pattern in _LANGUAGES.items():
        for m in pattern.finditer(text):
            if not _negated(text, m.start()):
                marked = _LANGUAGE_MARKER.search(text[max(0, m.start() - 12) : m.start()])
                found.append((marked is not None, m.start(), code))
    # "in German", "nur Deutsch" beat a bare mention ("my English is not great"); then the last.
    return max(found)[2] if found else None


def seat_in(text: str) -> SeatPreference | None:
    aisle, window = _found(_AISLE, text), _found(_WINDOW, text)
    if aisle != window:
        return SeatPreference.AISLE if aisle else SeatPreference.WINDOW
    return None


def overnight_in(text: str) -> bool | None:
    """True: avoid overnight flights; False: they are fine; None: not mentioned."""
    if _OVERNIGHT_FINE.search(text):
        return False
    return True if _OVERNIGHT.search(text) else None


def accessibility_in(text: str) -> list[str]:
    return [need for need, pattern in _ACCESSIBILITY.items() if _found(pattern, text)]


@dataclass(frozen=True)
class _Field:
    name: str
    read: Callable[[str], object]


_FIELDS = (
    _Field("channel", channel_in),
    _Field("language", language_in),
    _Field("seat", seat_in),
    _Field("avoid_overnight", overnight_in),
)


def derive_preferences(records: Iterable[MemoryRecord]) -> Preferences:
    """The customer's preferences from their memories; the newest statement of each wins.

    Args:
        records: the customer's memories, in any order; only PREFERENCE and NOTE count.
    """
    stated = sorted((r for r in records if r.kind in STATED), key=lambda r: (r.at, r.id))
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    needs: dict[str, None] = {}
    cited: list[str] = []
    for record in stated:  # oldest first: a newer statement overwrites an older one
        for field in _FIELDS:
            value = field.read(record.text)
            if value is not None:
                values[field.name] = value
                sources[field.name] = record.text
        found = accessibility_in(record.text)
        for need in found:
            needs[need] = None
        if found and record.text not in cited:
            cited.append(record.text)
    if needs:
        values["accessibility"] = list(needs)
        sources["accessibility"] = " | ".join(reversed(cited))
    return Preferences.model_validate({**values, "sources": sources})
