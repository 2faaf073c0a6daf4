"""The words a preference can be *about*, in the languages our customers write.

This is vocabulary, not phrasing: it names the things a statement may concern — a
language, a channel, a seat, a need — and glosses them in plain English so the English
embedding model (all-MiniLM-L6-v2) can compare a German or Chinese clause with the
catalogue. Whether the clause *wants* the thing ("write in German") or only mentions it
("he is learning German") is decided by embedding similarity (`memory.prefs.embedding`),
never by these tables.

Languages covered: English, German, French, Spanish, Italian, Portuguese, Dutch and
Chinese (simplified); language names also of Polish, Japanese, Turkish, Catalan and
Russian.

Why it is long: its word tables are data (one word a line), not logic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_F = re.IGNORECASE


def _words(*words: str) -> re.Pattern[str]:
    """Whole words (Latin script) or plain substrings (CJK, which has no spaces)."""
    parts = [w if _is_cjk(w) else rf"(?<!\w){w}(?!\w)" for w in words]
    return re.compile("|".join(f"(?:{p})" for p in parts), _F)


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


LANGUAGE_NAMES: dict[str, re.Pattern[str]] = {
    "en": _words(
        "english",
        "englisch",
        "anglais",
        "ingl[eé]s",
        "inglese",
        "ingl[eê]s",
        "engels",
        "英语",
        "英文",
    ),
    "de": _words(
        "german",
        "deutsch",
        "allemand",
        "alem[aá]n",
        "tedesco",
        "alem[aã]o",
        "duits",
        "德语",
        "德文",
    ),
    "fr": _words(
        "french",
        "franz[öo]sisch",
        "fran[çc]ais",
        "franc[eé]s",
        "francese",
        "franc[eê]s",
        "frans",
        "法语",
        "法文",
    ),
    "es": _words(
        "spanish",
        "spanisch",
        "espagnol",
        "espa[ñn]ol",
        "castellano",
        "spagnolo",
        "espanhol",
        "spaans",
        "西班牙语",
        "西班牙文",
    ),
    "it": _words(
        "italian",
        "italienisch",
        "italien",
        "italiano",
        "italiaans",
        "意大利语",
        "意大利文",
    ),
    "pt": _words(
        "portuguese",
        "portugiesisch",
        "portugais",
        "portugu[eé]s",
        "portoghese",
        "portugees",
        "葡萄牙语",
    ),
    "nl": _words(
        "dutch",
        "niederl[äa]ndisch",
        "n[ée]erlandais",
        "neerland[eé]s",
        "olandese",
        "nederlands",
        "holl[äa]ndisch",
        "荷兰语",
    ),
    "zh": _words(
        "chinese",
        "mandarin",
        "chinesisch",
        "chinois",
        "chino",
        "cinese",
        "chin[eê]s",
        "chinees",
        "中文",
        "汉语",
        "普通话",
        "华语",
    ),
    "pl": _words(
        "polish", "polnisch", "polonais", "polaco", "polacco", "pools", "polsku", "polski", "波兰语"
    ),
    "ja": _words(
        "japanese",
        "japanisch",
        "japonais",
        "japon[eé]s",
        "giapponese",
        "japans",
        "日语",
        "日文",
        "日本語",
    ),
    "tr": _words("turkish", "t[üu]rkisch", "turc", "turco", "turks", "土耳其语"),
    "ca": _words("catalan", "katalanisch", "catal[aá]n", "catal[àa]", "catalano", "加泰罗尼亚语"),
    "ru": _words("russian", "russisch", "russe", "ruso", "russo", "russisch", "俄语", "俄文"),
}
"""Language names → BCP 47 code, as written in each covered language."""

CHANNEL_WORDS: dict[str, re.Pattern[str]] = {
    "webhook": _words(
        "webhook",
        "app",
        "apps",
        "appli",
        "aplicaci[oó]n",
        "push",
        "push-?notifications?",
        "push-?benachrichtigung(?:en)?",
        "pushmelding(?:en)?",
        "notifications? in (?:the|your) app",
        "api",
        "endpoint",
        "推送",
        "应用",
        "アプリ",
    ),
    "sms": _words(
        "sms",
        "texts?",
        "texting",
        "text messages?",
        "textnachrichten?",
        "kurznachrichten?",
        "texto",
        "textos",
        "mensajes? de texto",
        "mensagens? de texto",
        "messaggi?o?",
        "sms-?je",
        "短信",
        "简讯",
    ),
    "email": _words(
        "e-?mails?",
        "mails?",
        "inbox",
        "posteingang",
        "courriels?",
        "correos?",
        "correos? electr[oó]nicos?",
        "posta elettronica",
        "e-?mail-?adres",
        "邮件",
        "电子邮件",
        "邮箱",
        "电邮",
    ),
}

SEAT_WORDS: dict[str, re.Pattern[str]] = {
    "window": _words(
        "window",
        "fenster",
        "fensterplatz",
        "hublot",
        "ventana",
        "ventanilla",
        "finestrino",
        "janela",
        "raam",
        "raamplaats",
        "靠窗",
        "窗边",
        "窗口",
    ),
    "aisle": _words(
        "aisle",
        "gang",
        "gangplatz",
        "couloir",
        "all[ée]e",
        "pasillo",
        "corridoio",
        "corredor",
        "gangpad",
        "过道",
        "走道",
        "靠走廊",
    ),
}

# Plain-English glosses appended before embedding (see `memory.glossary` for the idea).
# The first group names topics a wish can be about; the second only helps the model read
# the clause (negation, acceptance, verbs).
TOPIC_GLOSSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _words(
            "nachtfl[üu]ge?",
            "vols? de nuit",
            "vuelos? (?:nocturnos?|de noche)",
            "vuelos? de madrugada",
            "voli? notturn[oi]",
            "voos? noturnos?",
            "nachtvlucht(?:en)?",
            "über nacht",
            "红眼",
            "夜航",
            "夜间航班",
            "夜班飞机",
            "red[- ]?eyes?",
        ),
        "overnight night flight, red-eye",
    ),
    (
        _words(
            "rollstuhl\\w*",
            "fauteuil roulant",
            "silla de ruedas",
            "sedia a rotelle",
            "cadeira de rodas",
            "rolstoel",
            "轮椅",
            "WCH[RSC]",
        ),
        "wheelchair",
    ),
    (
        _words(
            "gehbehindert\\w*",
            "mobilit[ée] r[ée]duite",
            "movilidad reducida",
            "mobilit[àa] ridotta",
            "mobilidade reduzida",
            "行动不便",
            "腿脚不便",
            "marche difficilement",
            "camina con dificultad",
            "PRM",
        ),
        "reduced mobility, walks with difficulty",
    ),
    (
        _words(
            "schwerh[öo]rig\\w*",
            "geh[öo]rlos\\w*",
            "taub",
            "sourde?",
            "malentendant\\w*",
            "sord[oa]s?",
            "耳聋",
            "听力",
            "聋",
        ),
        "deaf, hearing impairment",
    ),
    (
        _words(
            "blind",
            "sehbehindert\\w*",
            "aveugle",
            "malvoyant\\w*",
            "ciego",
            "ciega",
            "cieco",
            "cieca",
            "ipovedente",
            "失明",
            "盲人",
            "视力",
        ),
        "blind, visual impairment",
    ),
    (
        _words(
            "blindenhund\\w*",
            "assistenzhund\\w*",
            "chien (?:guide|d'assistance)",
            "perro (?:gu[ií]a|de asistencia)",
            "cane guida",
            "导盲犬",
        ),
        "guide dog, service animal",
    ),
    (
        _words(
            "unbegleitet\\w*", "non accompagn[ée]e?s?", "no acompa[ñn]ad[oa]s?", "无人陪伴", "UMNR"
        ),
        "unaccompanied minor child",
    ),
)
_READING_GLOSSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_words("allein", "alleine", "seule?", "sol[oa]", "一个人", "独自"), "alone"),
    (
        _words(
            "umsteig\\w*",
            "escale",
            "correspondance",
            "escala",
            "scal[oi]",
            "transbordo",
            "overstap\\w*",
            "转机",
            "中转",
            "经停",
            "经过",
        ),
        "connection, layover, transfer",
    ),
    (
        _words("vermeiden", "meiden", "[ée]vite[rz]?", "evit(?:ar|en|ate|are)", "避开", "不要"),
        "avoid",
    ),
    (_words("nie wieder", "plus jamais", "nunca m[aá]s", "mai pi[uù]", "再也不"), "never again"),
    (_words("spreche", "parle", "hablo", "parlo", "falo", "说"), "speak"),
    (_words("schreiben", "[ée]cri\\w*", "escr[ií]b\\w*", "scriv\\w*", "写"), "write"),
)

ACCEPTANCE = _words(
    "fine",
    "ok",
    "okay",
    "happy to",
    "don'?t mind",
    "do not mind",
    "no problem",
    "nothing against",
    "(?:doesn'?t|don'?t|do not|does not) bother",
    "is alright",
    "stört mich nicht",
    "kein problem",
    "in ordnung",
    "nichts gegen",
    "egal",
    "ne me d[ée]range pas",
    "me convient",
    "(?:me )?vont (?:très )?bien",
    "pas de probl[èe]me",
    "no me importa",
    "me parece bien",
    "no hay problema",
    "no me molesta(?:n)?",
    "sin problema",
    "non mi disturba",
    "va(?:nno)? bene",
    "nessun problema",
    "tudo bem",
    "geen probleem",
    "没问题",
    "没关系",
    "也可以",
    "无所谓",
)
"""Words that accept ("Frankfurt is fine", "red-eyes don't bother me"): MiniLM reads "I
don't mind X" as close to "I mind X", so a clause's direction is read here."""

WITHDRAWN = _words(
    "no longer",
    "not any ?more",
    "nicht mehr",
    "plus besoin",
    "ya no",
    "non più",
    "不再",
    "no more need",
    "no (?:\\w+ ){0,2}needed",
)
"""A need that has gone ("no longer needs a wheelchair")."""


def gloss(text: str) -> str:
    """`text` with the plain English meaning of the words it uses appended."""
    found = [
        meaning for pattern, meaning in (*TOPIC_GLOSSES, *_READING_GLOSSES) if pattern.search(text)
    ]
    for code, pattern in LANGUAGE_NAMES.items():
        if pattern.search(text):
            found.append(f"{ENGLISH_NAMES[code]} language")
    for kind, pattern in CHANNEL_WORDS.items():
        if pattern.search(text):
            found.append(
                {"sms": "text message SMS", "email": "email", "webhook": "app push notification"}[
                    kind
                ]
            )
    for kind, pattern in SEAT_WORDS.items():
        if pattern.search(text):
            found.append(kind)
    if not found:
        return text
    return f"{text} ({'; '.join(dict.fromkeys(found))})"


ENGLISH_NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "zh": "Chinese",
    "ru": "Russian",
    "pl": "Polish",
    "ja": "Japanese",
    "tr": "Turkish",
    "ca": "Catalan",
}


@dataclass(frozen=True)
class Mention:
    """A word of the lexicon found in a clause: what it names and where."""

    value: str
    start: int
    end: int


# English topic words: they need no gloss, but they make a piece a clause of its own.
_ENGLISH_TOPICS = _words(
    "overnight",
    "night",
    "red[- ]?eyes?",
    "wheel-?chair",
    "mobility",
    "walk\\w*",
    "deaf",
    "hearing",
    "blind",
    "sighted",
    "guide dog",
    "service dog",
    "unaccompanied",
    "alone",
)


def names_a_topic(text: str) -> bool:
    """Does `text` name something a wish can be about (a language, channel, seat, need)?"""
    return any(
        pattern.search(text)
        for pattern in (
            *LANGUAGE_NAMES.values(),
            *CHANNEL_WORDS.values(),
            *SEAT_WORDS.values(),
            *(p for p, _ in TOPIC_GLOSSES),
            _ENGLISH_TOPICS,
        )
    )


def mentions(tables: dict[str, re.Pattern[str]], text: str) -> list[Mention]:
    """Every mention of a table's values in `text`, in order of appearance."""
    found = [
        Mention(value, m.start(), m.end())
        for value, pattern in tables.items()
        for m in pattern.finditer(text)
    ]
    return sorted(found, key=lambda m: m.start)


def distinct(found: Iterable[Mention]) -> list[str]:
    return list(dict.fromkeys(m.value for m in found))
