"""Places and airlines named in a text, resolved to codes: "Francfort" → the city of FRA.

Airports and cities come from airportsdata (`airline.airports.airport_names`), for the
airports of the schedule plus the world's large hubs (`MAJOR_AIRPORTS`) — matching every
one of its 7 800 towns would read "Split" and "Nice" into ordinary sentences. Each airport
is found by its IATA code (in capitals), the distinctive part of its name ("Heathrow",
"Schiphol") and the names other languages give it; each city by its name and exonyms
("Londres", "伦敦"). Airlines come from a table of well-known carriers with their names in
other languages, plus the schedule's own carriers by code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from airline.airports import airport_names, canonical_city

EntityKind = Literal["airport", "city", "carrier"]

MAJOR_AIRPORTS = frozenset(
    "FRA LHR LGW STN LTN LCY CDG ORY MUC BER HAM DUS CGN STR AMS MAD BCN PMI AGP FCO MXP LIN "
    "VCE NAP BLQ VIE ZRH GVA CPH WAW BRU ARN OSL HEL PRG BUD LIS OPO DUB ATH IST SAW NCE MAN "
    "EDI GLA BHX KEF RIX TLL VNO SOF OTP BEG ZAG JFK EWR LGA ORD BOS IAD ATL LAX SFO DFW DEN "
    "MIA SEA YYZ YUL YVR DXB DOH AUH HKG SIN NRT HND PEK PKX PVG CAN ICN BKK DEL BOM SYD MEL "
    "GRU EZE MEX JNB CAI TLV".split()
)
"""Large airports known without a schedule: customers name them whatever they fly today."""

# Other languages' names, keyed by the main airport of the city (the city is airportsdata's).
_CITY_NAMES: dict[str, tuple[str, ...]] = {
    "FRA": ("Frankfurt", "Francfort", "Fráncfort", "Francoforte", "法兰克福"),
    "LHR": ("Londres", "Londra", "Londen", "伦敦"),
    "CDG": ("Parigi", "Parijs", "巴黎"),
    "MUC": ("München", "Múnich", "Monaco di Baviera", "慕尼黑"),
    "BER": ("Berlino", "Berlín", "柏林"),
    "HAM": ("Hambourg", "Hamburgo", "Amburgo", "汉堡"),
    "AMS": ("Ámsterdam", "阿姆斯特丹"),
    "MAD": ("马德里",),
    "BCN": ("Barcelone", "Barcellona", "巴塞罗那"),
    "FCO": ("Rom", "Roma", "罗马"),
    "MXP": ("Mailand", "Milano", "Milán", "米兰"),
    "VIE": ("Wien", "Vienne", "Viena", "维也纳"),
    "ZRH": ("Zürich", "Zúrich", "Zurigo", "苏黎世"),
    "GVA": ("Genf", "Genève", "Ginebra", "Ginevra", "日内瓦"),
    "CPH": ("Kopenhagen", "Copenhague", "Copenaghen", "哥本哈根"),
    "WAW": ("Warschau", "Varsovie", "Varsovia", "Varsavia", "华沙"),
    "BRU": ("Brüssel", "Bruxelles", "Bruselas", "Bruxelas", "布鲁塞尔"),
    "ARN": ("Estocolmo", "Stoccolma", "斯德哥尔摩"),
    "OSL": ("奥斯陆",),
    "HEL": ("赫尔辛基",),
    "PRG": ("Prag", "Praga", "Praag", "布拉格"),
    "BUD": ("布达佩斯",),
    "LIS": ("Lissabon", "Lisbonne", "Lisboa", "Lisbona", "里斯本"),
    "DUB": ("Dublín", "Dublino", "都柏林"),
    "ATH": ("Athen", "Athènes", "Atenas", "Atene", "雅典"),
    "IST": ("İstanbul", "Estambul", "伊斯坦布尔"),
    "JFK": ("New York City", "NYC", "Nueva York", "Nova Iorque", "纽约"),
    "ORD": ("芝加哥",),
    "BOS": ("波士顿",),
    "MAN": ("曼彻斯特",),
    "EDI": ("Édimbourg", "Edimburgo", "爱丁堡"),
    "NCE": ("Nizza", "尼斯"),
    "DXB": ("迪拜",),
}
# Names of an airport beyond what its airportsdata name gives.
_AIRPORT_NAMES: dict[str, tuple[str, ...]] = {
    "LHR": ("希思罗",),
    "CDG": ("Roissy", "戴高乐"),
    "AMS": ("史基浦",),
    "JFK": ("Kennedy", "肯尼迪"),
    "ORD": ("O'Hare", "奥黑尔"),
    "BOS": ("Logan",),
    "FCO": ("Fiumicino",),
    "PRG": ("Václav Havel", "Vaclav Havel"),
    "ATH": ("Venizelos",),
    "BER": ("BER Brandenburg",),
}
# Words of airport names that say nothing about which airport it is.
_GENERIC = re.compile(
    r"\b(?:international|airport|aeropuerto|a[ée]roport|flughafen|intl|regional|municipal"
    r"|county|air ?base|field|the|of|de|del|da|di)\b|[()\-,.]",
    re.IGNORECASE,
)
# Cities whose names are also ordinary words: matched only when capitalised.
_WORDLIKE = frozenset({"nice", "split", "male", "bath", "mobile", "orange", "hope", "rom"})

CARRIERS: dict[str, tuple[str, ...]] = {
    "LH": ("Lufthansa", "汉莎航空", "汉莎"),
    "BA": ("British Airways", "英国航空", "英航"),
    "AF": ("Air France", "法国航空", "法航"),
    "KL": ("KLM", "荷兰皇家航空", "荷航"),
    "FR": ("Ryanair", "瑞安航空", "瑞安"),
    "U2": ("easyJet", "easy Jet", "易捷航空", "易捷"),
    "IB": ("Iberia", "西班牙国家航空", "伊比利亚航空"),
    "AZ": ("ITA Airways", "Alitalia", "意大利航空"),
    "LX": ("Swiss International Air Lines", "Swiss Air Lines", "SWISS", "瑞士国际航空", "瑞航"),
    "OS": ("Austrian Airlines", "奥地利航空"),
    "SK": ("SAS", "Scandinavian Airlines", "北欧航空"),
    "AY": ("Finnair", "芬兰航空"),
    "TP": ("TAP Air Portugal", "TAP", "葡萄牙航空"),
    "EI": ("Aer Lingus", "爱尔兰航空"),
    "LO": ("LOT Polish Airlines", "LOT", "波兰航空"),
    "EW": ("Eurowings",),
    "VY": ("Vueling", "伏林航空"),
    "W6": ("Wizz Air", "Wizzair", "威兹航空"),
    "DY": ("Norwegian Air", "Norwegian Air Shuttle", "挪威航空"),
    "DE": ("Condor",),
    "TK": ("Turkish Airlines", "土耳其航空"),
    "EK": ("Emirates", "阿联酋航空"),
    "QR": ("Qatar Airways", "卡塔尔航空"),
    "UA": ("United Airlines", "United", "联合航空", "美联航"),
    "AA": ("American Airlines", "美国航空", "美航"),
    "DL": ("Delta Air Lines", "Delta", "达美航空", "达美"),
    "B6": ("JetBlue", "捷蓝航空"),
    "WN": ("Southwest Airlines", "Southwest", "西南航空"),
    "AC": ("Air Canada", "加拿大航空"),
    "VS": ("Virgin Atlantic", "维珍航空"),
    "CA": ("Air China", "中国国际航空", "国航"),
    "MU": ("China Eastern", "东方航空", "东航"),
    "CZ": ("China Southern", "南方航空", "南航"),
    "CX": ("Cathay Pacific", "国泰航空"),
    "SQ": ("Singapore Airlines", "新加坡航空"),
}
"""Well-known airlines: IATA code → the names customers call them by."""
# Names written in capitals that are also ordinary words in lower case.
_CASE_SENSITIVE = frozenset({"SAS", "TAP", "LOT", "SWISS", "United", "Delta", "Southwest"})
_NOT_AFTER_UNITED = r"(?!\s+(?:States|Kingdom|Nations|Arab))"


@dataclass(frozen=True)
class Entity:
    """A place or airline named in a text."""

    kind: EntityKind
    code: str = ""
    """IATA code (airport, carrier) or the canonical city name (city)."""
    start: int = 0
    end: int = 0


def fold(text: str) -> str:
    """`text` without accents, letter for letter ("París" → "Paris"): same length, so a
    match in the folded text is a match at the same place in the original."""
    return "".join(unicodedata.normalize("NFKD", ch)[0] if ord(ch) > 127 else ch for ch in text)


def _pattern(name: str, *, case_sensitive: bool) -> re.Pattern[str]:
    body = re.escape(fold(name)).replace(r"\ ", r"[\s-]+")
    if any("\u3400" <= ch <= "\u9fff" for ch in name):
        return re.compile(body)
    suffix = _NOT_AFTER_UNITED if name == "United" else ""
    return re.compile(rf"(?<![\w]){body}(?![\w]){suffix}", 0 if case_sensitive else re.IGNORECASE)


def _distinctive(name: str, city: str) -> str:
    """ "London Heathrow Airport" → "Heathrow"; empty when the name is only the city's."""
    rest = name
    for word in city.split():
        rest = re.sub(rf"\b{re.escape(word)}\b", " ", rest)
    rest = _GENERIC.sub(" ", rest)
    words = rest.split()
    return " ".join(words) if len("".join(words)) >= 4 else ""


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
        known = sorted((MAJOR_AIRPORTS | set(airports)) & set(table))
        self._patterns: list[tuple[re.Pattern[str], Entity]] = []
        cities: set[str] = set()
        for code in known:
            name, city, _ = table[code]
            self._add(code, Entity("airport", code), case_sensitive=True)
            distinct = _distinctive(name, city)
            for alias in (distinct, *_AIRPORT_NAMES.get(code, ())):
                if alias:
                    self._add(alias, Entity("airport", code), case_sensitive=False)
            cities.add(city)
            for alias in _CITY_NAMES.get(code, ()):
                self._add(alias, Entity("city", city), case_sensitive=alias in {"Rom"})
        for city in cities:
            self._add(city, Entity("city", city), case_sensitive=city.lower() in _WORDLIKE)
        all_carriers: dict[str, tuple[str, ...]] = dict(CARRIERS)
        for code, names in (carriers or {}).items():
            all_carriers[code] = (*all_carriers.get(code, ()), *names)
            self._add(code, Entity("carrier", code), case_sensitive=True)
        for code, names in all_carriers.items():
            for alias in names:
                self._add(alias, Entity("carrier", code), case_sensitive=alias in _CASE_SENSITIVE)

    def _add(self, alias: str, entity: Entity, *, case_sensitive: bool) -> None:
        self._patterns.append((_pattern(alias, case_sensitive=case_sensitive), entity))

    def find(self, text: str) -> list[Entity]:
        """The places and airlines `text` names, longest match first where they overlap."""
        folded = fold(text)
        found = [
            Entity(entity.kind, entity.code, m.start(), m.end())
            for pattern, entity in self._patterns
            for m in pattern.finditer(folded)
        ]
        found.sort(key=lambda e: (e.start, -(e.end - e.start)))
        kept: list[Entity] = []
        for entity in found:
            if kept and entity.start < kept[-1].end:
                continue
            # "London Heathrow", "Amsterdam Schiphol": the airport, not the whole city.
            if (
                kept
                and kept[-1].kind == "city"
                and entity.kind == "airport"
                and entity.start - kept[-1].end <= 2
            ):
                kept.pop()
            kept.append(entity)
        return kept


@cache
def default_gazetteer() -> Gazetteer:
    """The large hubs and well-known airlines, for callers without a schedule."""
    return Gazetteer()


__all__ = ["CARRIERS", "MAJOR_AIRPORTS", "Entity", "Gazetteer", "canonical_city"]
