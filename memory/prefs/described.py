"""Airlines described instead of named: "the Irish low-cost one", "der irischen
Billigairline", "węgierskie tanie linie", "the German flag carrier" — and called by a
nationality that is also a language's name, where a flight governs it ("fly Turkish").

A description names an airline when a country's adjective stands beside a kind of airline
(a low-cost one, or the flag carrier) and that country has one well-known airline of that
kind: Ireland's low-cost airline is Ryanair, Hungary's Wizz Air, Germany's flag carrier
Lufthansa. A country with two well-known airlines of a kind (Britain's easyJet and Jet2,
Türkiye's Pegasus and AJet, the Emirates' flydubai and Air Arabia) or none is left out: a
description that fits two airlines names neither. At most one word stands between the
adjective and the kind, in either order (English and German put the adjective first,
French, Spanish and Arabic after: "la compagnie low-cost irlandaise").

The words are the country adjectives and airline kinds of the covered languages, written
as stems over folded text (no accents, lower case): "wegiersk" is "węgierskie", "węgierskich".
"""

from __future__ import annotations

import re
from functools import cache

from memory.prefs.text import fold

# Country → the stems of its adjective (and of its name where a language says "from
# Ireland") in English, German, French, Spanish, Italian, Portuguese, Dutch, Polish,
# Russian and Arabic, folded.
_COUNTRY: dict[str, str] = {
    "IE": r"iri(?:sh|sch)|irland|ierland|irsk|ирландск|ايرلند",
    "HU": r"hungar|ungar|hongro|ungheres|hongaar|wegiersk|венгерск|مجر",
    "ES": r"spanish|spanisch|espagnol|espanol|spagnol|spaans|hiszpansk|испанск|اسبان",
    "NL": (
        r"dutch|niederlandisch|hollandisch|neerlandais|holandes|olandes|nederlands"
        r"|holendersk|голландск|هولند"
    ),
    "DE": r"german|deutsch|allemand|aleman|tedesc|alema|duits|niemieck|немецк|الماني",
    "NO": r"norwegian|norwegisch|norvegien|norueg|norveges|noors|norwesk|норвежск|نرويج",
    "TR": r"turkish|turkisch|turc|turk|tureck|турецк|ترك",
    "GB": r"british|britisch|britannique|britanic|britannic|brits|brytyjsk|британск|بريطان",
    "FR": r"french|franzosisch|francais|frances|frances|francusk|frans|французск|فرنس",
    "IT": r"italian|italienisch|italien|italian|wlosk|итальянск|ايطال",
    "PL": r"polish|polnisch|polonais|polac|polacc|pools|polsk|польск|بولند",
    "PT": r"portugues|portugiesisch|portugais|portoghes|portugees|portugalsk|португальск|برتغال",
    "AT": r"austrian|osterreichisch|autrichien|austriac|oostenrijks|austriack|австрийск|نمسا",
    "CH": r"swiss|schweizer|suisse|suiz|svizzer|zwitsers|szwajcarsk|швейцарск|سويسر",
    "BE": r"belgian|belgisch|belge|belga|belgijsk|бельгийск|بلجيك",
    "FI": r"finnish|finnisch|finlandais|finlandes|finlandes|fins|finsk|финск|فنلند",
    "QA": r"qatari|katarisch|qatari|catari|katarsk|катарск|قطر",
    "SA": r"saudi|saudisch|saoudien|saudi|saudyjsk|саудовск|سعود",
    "EG": r"egyptian|agyptisch|egyptien|egipci|egiziano|egipsk|египетск|مصر",
    "JO": r"jordanian|jordanisch|jordanien|jordan|giordan|jordansk|иорданск|اردن",
    "MA": r"moroccan|marokkanisch|marocain|marroqu|marocchin|marokansk|марокканск|مغرب",
}
# Country → its one well-known airline of each kind.
_LOW_COST = {"IE": "FR", "HU": "W6", "ES": "VY", "NL": "HV", "DE": "EW", "NO": "DY"}
_FLAG = {
    "DE": "LH",
    "FR": "AF",
    "GB": "BA",
    "NL": "KL",
    "ES": "IB",
    "IT": "AZ",
    "PL": "LO",
    "TR": "TK",
    "IE": "EI",
    "AT": "OS",
    "CH": "LX",
    "BE": "SN",
    "PT": "TP",
    "FI": "AY",
    "QA": "QR",
    "SA": "SV",
    "EG": "MS",
    "JO": "RJ",
    "MA": "AT",
}
_KIND: dict[str, str] = {
    "low_cost": (
        r"low[\s-]?cost\w*|lowcost\w*|no[\s-]?frills|budget[\s-]?(?:airline|carrier|one)s?"
        r"|billig\w*|bas[\s-]?(?:cout|prix)|bajo[\s-]?coste|basso[\s-]?costo|baixo[\s-]?custo"
        r"|prijsvechter\w*|tani\w* (?:lini\w*|przewoznik\w*)|лоукост\w*|бюджетн\w*"
        # Arabic: "low in cost", "economy aviation" (not "الاقتصادية" alone: economy class).
        r"|منخفض\w* (?:ال)?تكلف\w*|(?:ال)?طيران (?:ال)?اقتصادي\w*"
    ),
    "flag": (
        r"flag[\s-]?carrier\w*|national (?:airline|carrier)s?|national\w* fluggesellschaft"
        r"|compagnie nationale|aerolinea (?:nacional|de bandera)|compagnia di bandiera"
        r"|companhia (?:nacional|de bandeira)|narodow\w* (?:przewoznik\w*|lini\w*)"
        r"|национальн\w* авиакомпани\w*|(?:ال)?ناقل (?:ال)?وطني"
    ),
}
_BETWEEN = r"(?:[\s,-]+\w+)?[\s,-]+"
"""At most one word between the adjective and the kind ("la aerolínea irlandesa de bajo
coste", "the Irish, low-cost one")."""


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for kind, table in (("low_cost", _LOW_COST), ("flag", _FLAG)):
        kind_word = rf"(?<!\w)(?:{_KIND[kind]})(?!\w)"
        for country, code in table.items():
            # Arabic writes the article onto the adjective: "الايرلندية".
            adjective = rf"(?<!\w)(?:ال)?(?:{_COUNTRY[country]})\w*"
            # Folded as the text is (Arabic "ي" reads as "ی").
            out.append((re.compile(fold(f"{adjective}{_BETWEEN}{kind_word}")), code))
            out.append((re.compile(fold(f"{kind_word}{_BETWEEN}{adjective}")), code))
    return out


def described_carriers(folded: str) -> list[tuple[int, int, str]]:
    """(start, end, carrier code) of each airline described in `folded` (folded text)."""
    return [
        (m.start(), m.end(), code)
        for pattern, code in _patterns()
        for m in pattern.finditer(folded)
    ]


# Airlines called by a nationality that is also a language's name ("fly Turkish", "with
# Norwegian"): an airline only where a flight or a booking governs it, written capitalised;
# elsewhere the word is the language ("in Turkish"). Nationalities that are no language
# ("Swiss", "Austrian") are plain names in `places.CARRIERS`.
_NATIONAL_NAMES = {
    "Turkish": "TK",
    "Norwegian": "DY",
    "Thai": "TG",
    "Korean": "KE",
    "Ethiopian": "ET",
    "Malaysian": "MH",
}
_FLOWN_NATIONAL_NAME = re.compile(
    r"(?<!\w)(?:[Ff]ly|[Ff]lying|[Ff]lies|[Ff]lew|[Ff]lown|with|on|mit|avec|con|met"
    r"|book(?:ed|ing)?(?: (?:me|us))?(?: (?:on|with))?|tak(?:e|ing)|took)\s+(?:the\s+)?"
    rf"(?P<name>{'|'.join(_NATIONAL_NAMES)})(?!\w)(?!\s+Air)"
)


def flown_nationalities(cased: str) -> list[tuple[int, int, str]]:
    """(start, end, carrier code) of each airline called by its nationality where a flight
    or a booking governs it, in `cased` (folded, case kept)."""
    return [
        (m.start("name"), m.end("name"), _NATIONAL_NAMES[m.group("name")])
        for m in _FLOWN_NATIONAL_NAME.finditer(cased)
    ]
