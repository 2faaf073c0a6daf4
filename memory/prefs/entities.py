"""Places and airlines named in a text, resolved to codes: "Francfort" → the city of FRA.

Airports and cities come from airportsdata (`airline.airports.airport_names`), for the
airports of the schedule plus the world's large hubs (`places.MAJOR_AIRPORTS`) —
matching every one of its 7 800 towns would read "Split" and "Nice" into ordinary
sentences. An airport is found by its IATA code (in capitals), by its full name
("Istanbul Airport"), by the distinctive part of its name ("Heathrow", "Schiphol") and by
the names other languages give it (`places.AIRPORT_NAMES`: 成田, Roissy); a city by its
name and its exonyms (`places.CITY_NAMES`: Londres, Monaco di Baviera, 伦敦, ロンドン).
Airlines come from `places.CARRIERS`, plus the schedule's own carriers by code.

An airline is also found written apart or run together ("Ryan Air", "Easy Jet", "Wizzair")
and with one typing slip in a name of seven letters or more ("Luftansa", "Air Frnace"):
customers type brands as they hear them (`spelt`).

An airline described by its country and kind names it where that kind has one airline
there ("the Irish low-cost one": Ryanair; `described`).

Names of five letters or more may carry a short inflection ("Wizz Airem", "Londynu",
"Frankfurts"): Polish, German and others decline names; other scripts write theirs on
in their own ways (see `_pattern`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from airline.airports import airport_names, canonical_city
from airline.metro import METRO_AREAS, city_of
from memory.prefs.described import described_carriers, flown_nationalities
from memory.prefs.places import AIRPORT_NAMES, CARRIERS, CITY_NAMES, MAJOR_AIRPORTS
from memory.prefs.spelt import CarrierSpellings
from memory.prefs.text import HANGUL, fold, is_cjk, mask_cjk
from memory.prefs.transliterated import SoundIndex

EntityKind = Literal["airport", "city", "carrier"]

# Words of airport names that say nothing about which airport it is.
_GENERIC = re.compile(
    r"\b(?:international|intl|intcntl|intercontinental|airport|aeropuerto|a[ée]roport|"
    r"flughafen|regional|municipal|county|air ?base|field|the|of|de|del|da|di|al|city|"
    r"capital|general|metro|national|central|liberty|provence|brandenburg)\b|[()\-,./]",
    re.IGNORECASE,
)
# Cities whose names are also ordinary words: matched only as written, capitalised.
_WORDLIKE = frozenset(
    {
        "nice",
        "split",
        "male",
        "bath",
        "mobile",
        "orange",
        "hope",
        "rom",
        "palma",
        "porto",
        "lima",
        "bale",
    }
)
# IATA codes that are English words: not read in a text written in capitals ("PAX CAN'T").
_WORD_CODES = frozenset(
    "CAN SIN MAN DEN SEA LAS ADD LOS HAN BOG DEL MEL BOM SAN MIA CAI LIM MEX AMS BER IST "
    "CAN ARN".split()
)
_INFLECTABLE = 5
_HANGUL = re.compile(f"[{HANGUL}]")
_ARABIC = re.compile("[\u0600-\u06ff]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_HEBREW = re.compile("[\u0590-\u05ff]")
_THAI = re.compile("[\u0e00-\u0e7f\u1000-\u109f\u1780-\u17ff]")  # and Burmese, Khmer
_GREEK = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")
_ETHIOPIC = re.compile("[\u1200-\u137f]")
_INDIC = "\u0900-\u097f\u0980-\u09ff\u0a00-\u0a7f\u0b80-\u0bff\u0c00-\u0c7f\u0d80-\u0dff"
"""Devanagari, Bengali, Gurmukhi, Tamil, Telugu, Sinhala: endings written onto a name."""
_BENGALI_TAMIL = re.compile(f"[{_INDIC}]")
_VIRAMA = "\u094d\u09cd\u0a4d\u0bcd\u0c4d\u0dca"
_ARMENIAN = re.compile("[\u0531-\u058f]")
_GEORGIAN = re.compile("[\u10a0-\u10ff]")


@dataclass(frozen=True)
class Entity:
    """A place or airline named in a text."""

    kind: EntityKind
    code: str = ""
    """IATA code (airport, carrier) or the canonical city name (city)."""
    start: int = 0
    end: int = 0


def _pattern(name: str, *, case_sensitive: bool) -> re.Pattern[str]:
    if _THAI.search(name):  # the text is NFKC ("ำ" is "ํา") and Thai has no spaces
        return re.compile(re.escape(unicodedata.normalize("NFKC", name)))
    written = fold(name, lower=not case_sensitive)
    body = re.escape(written).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")
    if is_cjk(name):
        return re.compile(body)
    # Basque writes its cases onto the name too, some longer ("Frankfurtetik", through;
    # "Ryanairekin", with).
    inflection = (
        "(?:etik|ekin|arekin|[a-z]{1,3})?"
        if len(written) >= _INFLECTABLE and not case_sensitive
        else ""
    )
    head = ""
    if _HANGUL.search(name):
        inflection = r"\w{0,4}"  # Korean particles are written onto the name: "인천을"
    elif _CYRILLIC.search(name):
        # Cases are endings ("Франкфурте", "Аэрофлотом"; Ukrainian "Мюнхені", "Стамбулі").
        # Kazakh and Mongolian write theirs with their own letters ("Мәскеуден", "Сөүлээр"),
        # Mongolian with a "г" after a vowel ("Хитроугаар", through Heathrow).
        inflection = r"(?:г[аэоөү]{2}[рс]|[а-яёіїєґәғқңөұүһ]{0,3})"
        if len(name) >= 4 and name[-1] in "аяоеьйыі":
            # ... which replace a final vowel: "Москва" → "Москвы", "Победа" → "Победой".
            body = re.escape(written[:-1]).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")
            inflection = r"(?:[аэоө]г[аэоөү]{2}[рс]|[а-яёіїєґәғқңөұүһ]{1,3})"
    elif _HEBREW.search(name):
        # "the", "in", "to", "from", "and", "that" are letters written onto the name:
        # "לאיסטנבול", "מפרנקפורט", "ובאל על".
        head, inflection = "(?:[ובהכלמש]{1,3})?", ""
    elif _GREEK.search(name) and len(written) >= 4:
        # Greek cases change the last letters: "Κωνσταντινούπολη" → "Κωνσταντινούπολης",
        # "Λονδίνο" → "Λονδίνου" (folded text has no accents).
        if written[-1] in "αεηιουω":
            body = re.escape(written[:-1]).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")
            inflection = "[α-ω]{1,3}"
        else:
            inflection = "[α-ω]{0,2}"
    elif _ETHIOPIC.search(name):
        # Amharic prepositions are syllables written onto the name ("በፍራንክፈርት", through
        # Frankfurt; "ከዱባይ", from Dubai), the object ending after it ("ዱባይን").
        head, inflection = "(?:[በከለየ]|ወደ)?", r"\w?"
    elif _BENGALI_TAMIL.search(name):
        # Case endings are written onto the name, replacing its last virama: "লন্ডনে",
        # "துபாயில்" (in Dubai), Marathi "दुबईमार्गे" (via Dubai), Telugu "దుబాయ్‌లో".
        # Their vowel signs are no "\w": the name starts after none ("ரியாத்" is not
        # inside "தெரியாது").
        stem = written.rstrip(_VIRAMA)
        body = re.escape(stem).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")
        head, inflection = f"(?<![{_INDIC}])", f"(?:\u200c?[{_INDIC}]){{0,8}}"
    elif _ARMENIAN.search(name):
        # Armenian cases and the article are written onto the name: "Ֆրանկֆուրտով"
        # (through Frankfurt), "Մոսկվայից" (from Moscow).
        inflection = "[\u0561-\u0587]{0,5}"
    elif _GEORGIAN.search(name):
        # Georgian cases replace the nominative's last vowel: "ფრანკფურტი" →
        # "ფრანკფურტის", "ფრანკფურტში", "ვენა" → "ვენიდან".
        if len(written) >= 4 and written[-1] in "აეიოუ":
            body = re.escape(written[:-1]).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")
        inflection = "[\u10d0-\u10ff]{0,5}"
    elif _ARABIC.search(name):
        head, inflection = "(?:[وفبل]|ال){0,2}", r"\w{0,2}"  # "وبدبي", "دبي"
    elif len(written) >= _INFLECTABLE and not case_sensitive and not is_cjk(name):
        # Zulu writes its locative, instrumental and "with" prefixes onto a name:
        # "eFrankfurt", "nge-Dubai", "neRyanair".
        head = "(?:(?:nge|nga|kwa|ne|na|no|e)-?)?"
    if name == "United":
        inflection = r"(?!\s+(?:States|Kingdom|Nations|Arab))"
    # Read where CJK is masked (`text.mask_cjk`): "\w" ends a Latin name next to "转机" too.
    # A code is not the start of a contraction ("CAN'T"); a name may be possessive.
    tail = r"(?!\w|')" if case_sensitive else r"(?!\w)"
    return re.compile(rf"(?<!\w){head}{body}{inflection}{tail}")


def _distinctive(name: str, city: str) -> list[str]:
    """ "London Heathrow Airport" → ["Heathrow"]; nothing when the name is only the city's."""
    rest = name
    for word in re.split(r"[\s/-]+", city):
        if word:
            rest = re.sub(rf"\b{re.escape(word)}\b", " ", rest)
    words = _GENERIC.sub(" ", rest).split()
    alias = " ".join(words)
    return [alias] if len(alias.replace(" ", "")) >= 4 else []


class Gazetteer:
    """Finds places and airlines in a text.

    Args:
        airports: IATA codes of the schedule's airports (the large hubs are always known).
        carriers: the schedule's carriers, code → names (names may be empty: then the code).
    """

    def __init__(
        self,
        airports: Iterable[str] = (),
        carriers: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        table = airport_names()
        main = (MAJOR_AIRPORTS | set(airports)) & set(table)
        # The other airports of a metropolitan area (Hongqiao beside Pudong) are known by
        # their code and names, but not by a short or city-like part of their name
        # ("Dallas Love Field" is not "love", "Paris Beauvais" is not Paris).
        # So are the other airports of a hub's own town (Warsaw Modlin beside Chopin,
        # Belfast City beside Belfast International).
        towns = {table[code][1] for code in main}
        area = (
            {c for codes in METRO_AREAS.values() for c in codes}
            | {c for c, (_, town, _) in table.items() if town in towns}
        ) & set(table) - main
        city_words = {fold(c) for _, c, _ in table.values()}
        self._patterns: list[tuple[re.Pattern[str], bool, Entity]] = []
        cities: dict[str, str] = {}
        self._hubs: dict[str, set[str]] = {}
        """City → its airports among the hubs and the schedule's (Dubai: DXB, not DWC)."""
        sounds: list[tuple[str, object]] = []
        for code in sorted(main | area):
            name, town, _ = table[code]
            # A city is named as travellers mean it: "New York" covers Newark too.
            city = city_of(code, town)
            self._add(f"={code}", Entity("airport", code))
            aliases = AIRPORT_NAMES.get(code) or tuple(_distinctive(name, town))
            if code in area and code not in AIRPORT_NAMES:
                aliases = tuple(
                    a for a in aliases if len(a) >= _INFLECTABLE and fold(a) not in city_words
                )
            for alias in (name, *aliases):
                self._add(alias, Entity("airport", code))
            sounds += [(a, Entity("airport", code)) for a in aliases if a.isascii()]
            cities.setdefault(city, code)
            if code in main:
                self._hubs.setdefault(city, set()).add(code)
            for alias in CITY_NAMES.get(code, ()):
                self._add(alias, Entity("city", city))
                if alias.isascii() and not alias.startswith("="):
                    sounds.append((alias, Entity("city", city)))
        for city in cities:
            plain = city.lower() in _WORDLIKE
            self._add(f"={city}" if plain else city, Entity("city", city))
            if not plain:
                sounds.append((city, Entity("city", city)))
        self._sounds = SoundIndex(sounds)
        all_carriers: dict[str, tuple[str, ...]] = dict(CARRIERS)
        for code, names in (carriers or {}).items():
            all_carriers[code] = (*all_carriers.get(code, ()), f"={code}", *names)
        for code, names in all_carriers.items():
            for alias in names:
                self._add(alias, Entity("carrier", code))
        self._spellings = CarrierSpellings(all_carriers)

    def _add(self, alias: str, entity: Entity) -> None:
        exact = alias.startswith("=") or alias.lower() in _WORDLIKE
        name = alias.removeprefix("=")
        self._patterns.append((_pattern(name, case_sensitive=exact), exact, entity))

    def find(self, text: str) -> list[Entity]:
        """The places and airlines `text` names, longest match first where they overlap."""
        folded, cased = fold(text), fold(text, lower=False)
        masked = {False: mask_cjk(folded), True: mask_cjk(cased)}
        shouting = _mostly_capitals(text)
        found = []
        for pattern, exact, entity in self._patterns:
            cjk = is_cjk(pattern.pattern)
            source = (cased if exact else folded) if cjk else masked[exact]
            for m in pattern.finditer(source):
                if shouting and entity.kind == "airport" and m.group() in _WORD_CODES:
                    continue
                found.append(Entity(entity.kind, entity.code, m.start(), m.end()))
        for start, end, heard in self._sounds.find(text):
            if isinstance(heard, Entity) and not any(
                e.start < end and start < e.end for e in found
            ):
                found.append(Entity(heard.kind, heard.code, start, end))
        found += [
            Entity("carrier", code, a, b)
            for a, b, code in self._spellings.find(folded, [(e.start, e.end) for e in found])
        ]
        found += [Entity("carrier", code, a, b) for a, b, code in described_carriers(folded)]
        found += [Entity("carrier", code, a, b) for a, b, code in flown_nationalities(cased)]
        found.sort(key=lambda e: (e.start, -(e.end - e.start)))
        kept: list[Entity] = []
        for entity in found:
            if kept and entity.start < kept[-1].end:
                continue
            # "London Heathrow", "Chicago O'Hare": the airport, not the whole city.
            if (
                kept
                and kept[-1].kind == "city"
                and entity.kind == "airport"
                and not text[kept[-1].end : entity.start].strip(" -")
            ):
                kept.pop()
            kept.append(entity)
        return [self._the_airport_of(e, folded) for e in kept]

    def _the_airport_of(self, entity: Entity, folded: str) -> Entity:
        """ "Dubai airport", "مطار دبي", "Flughafen Rom": a city beside the word for an
        airport names one airport, its only hub where it has one (DXB, not Jebel Ali too);
        a city of several hubs ("Paris airport") stays the city."""
        hubs = self._hubs.get(entity.code, set())
        if entity.kind != "city" or len(hubs) != 1:
            return entity
        if _AIRPORT_AFTER.match(folded, entity.end) or _AIRPORT_BEFORE.search(
            folded, 0, entity.start
        ):
            return Entity("airport", next(iter(hubs)), entity.start, entity.end)
        return entity


# The word for an airport in the covered languages, folded; a city beside it is one airport.
_AIRPORT_WORD = (
    r"(?:airport|aeroport\w*|aeropuerto|flughafen\w*|luchthaven|lotnisk\w*|lufthavn\w*"
    r"|flygplats\w*|lentoasem\w*|havaliman\w*|letist\w*|repuloter\w*|аэропорт\w*"
    r"|аеропорт\w*|αεροδρομι\w*|αερολιμεν\w*|\w?مطار|فرودگاه|נמל התעופה|空港|机场|機場|공항)"
)
_AIRPORT_AFTER = re.compile(rf"(?:'s)?\s*(?:international\s+|intl\.?\s+)?{_AIRPORT_WORD}(?!\w)")
_AIRPORT_BEFORE = re.compile(
    rf"(?<!\w){_AIRPORT_WORD}(?:\s+(?:de|di|do|da|du|of|von|in|w|we|в|internacional"
    rf"|international|internazionale))?\s*$"
)


def _mostly_capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha() and ch.isascii()]
    return len(letters) >= 12 and sum(ch.isupper() for ch in letters) > 0.7 * len(letters)


@cache
def default_gazetteer() -> Gazetteer:
    """The large hubs and well-known airlines, for callers without a schedule."""
    return Gazetteer()


__all__ = ["CARRIERS", "MAJOR_AIRPORTS", "Entity", "Gazetteer", "canonical_city"]
