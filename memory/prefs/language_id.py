"""Which language a statement is written in: "Ich spreche kein Englisch" says German.

py3langid (langid.py's model, shipped inside the package; no download) restricted to the
languages the lexicon covers, which makes it reliable on the short texts notes are.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from memory.prefs.text import HANGUL, has_kana, is_cjk

COVERED = (
    *("en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "tr", "vi", "id", "da", "no", "fi"),
    *("ro", "hu", "sw", "tl", "cs", "sk", "hr", "sr", "bs", "lt", "lv", "et", "eu"),
)
"""Languages told apart by langid; Chinese, Japanese, Korean, Greek, Arabic, Farsi, Hebrew,
Thai, Hindi (Devanagari), Bengali, Tamil, Amharic (Ethiopic) and the Cyrillic languages by
their scripts (`SCRIPTS`); Hindi and Greek in Latin letters by their function words
(`romanised_hindi`, `greeklish`)."""
CYRILLIC = ("ru", "uk", "bg", "sr")
"""The languages of the Cyrillic script; Russian unless letters say otherwise, or langid
finds Bulgarian or Serbian clearly likelier (`_cyrillic`)."""
CLEARLY = 2.0
"""How many times likelier than Russian a Bulgarian or Serbian reading must be."""
_SAME_LANGUAGE = {"bs": "hr"}
"""Bosnian is read (and answered) as the Croatian/Serbian it is written like."""
_CLOSE = (frozenset({"hr", "sr", "bs"}), frozenset({"cs", "sk"}))
"""Languages so alike that langid splits its belief between them: sure of the group, it
names the likeliest of it."""
SCRIPTS = (
    ("ko", re.compile(f"[{HANGUL}]")),
    ("el", re.compile("[\u0370-\u03ff\u1f00-\u1fff]")),
    ("he", re.compile("[\u0590-\u05ff]")),
    ("th", re.compile("[\u0e00-\u0e7f]")),
    ("ar", re.compile("[\u0600-\u06ff]")),
    ("hi", re.compile("[\u0900-\u097f]")),
    ("bn", re.compile("[\u0980-\u09ff]")),
    ("ta", re.compile("[\u0b80-\u0bff]")),
    ("am", re.compile("[\u1200-\u137f]")),
    ("hy", re.compile("[\u0531-\u058f\ufb13-\ufb17]")),
    ("ka", re.compile("[\u10a0-\u10ff\u1c90-\u1cbf]")),
    ("ru", re.compile("[\u0400-\u04ff]")),
)
# One script, two languages: Farsi writes letters Arabic does not (پ چ ژ گ, and its own
# kāf and yeh), Ukrainian letters Russian does not (і ї є ґ), and the other way round.
_OWN_LETTERS = {
    "ar": ("fa", re.compile("[\u067e\u0686\u0698\u06af\u06a9\u06cc]")),
    "ru": ("uk", re.compile("[іїєґІЇЄҐ]")),
}
_NOT_UKRAINIAN = re.compile("[ыэъёЫЭЪЁ]")
_RUSSIAN = re.compile("[ыэёЫЭЁ]")
# Common words of a wish that only one of the Cyrillic languages writes.
_CYRILLIC_WORDS = {
    "ru": frozenset(
        "прошу пожалуйста спасибо хочу хотел хотела нужно нужен нужна меня только через "
        "рейс рейсы рейсов окна окну прохода ночные ночных звоните самолет".split()
    ),
    "bg": frozenset(
        "моля искам благодаря място мястото съм сме пътеката прозореца полети полет нощни "
        "мерси няма през пречи притеснява искаме".split()
    ),
    "sr": frozenset(
        "молим хвала желим немојте поред седиште летове ноћне прозора енглески".split()
    ),
}
_SERBIAN = re.compile("[ђјљњћџЂЈЉЊЋЏ]")

# Hindi written in Latin letters ("mujhe window seat chahiye"), which langid's model (trained
# on Devanagari) cannot tell: two of its commonest function words that no covered
# language shares say it.
_HINGLISH = frozenset(
    "nahi nahin chahiye mujhe dena bhejna bhejo karo kariye dijiye yaar bhai hai hain aur "
    "raat wali wala waali mera meri mere kabhi accha theek chalega kuch".split()
)


# Greek in Latin letters ("thelo thesi sto parathyro"), told by words no other covered
# language writes.
_GREEKLISH = frozenset(
    "thelo theloume thelw parakalo parakalw efxaristo euxaristo eyxaristo den mou einai "
    "sto stin ston stis thesi thesh parathyro parathiro diadromo ptisi ptiseis ptisis "
    "nyxterines nixterines mporeite xreiazomai xriazome kai oxi pote milao milaw grapste "
    "grapsete sta ellinika agglika apofygete apofigete dwste doste steilte stilte gia poly "
    "polu ti tin to na".split()
)
_GREEKLISH_OWN = frozenset(
    "thelo theloume thelw parakalo parakalw efxaristo euxaristo eyxaristo thesi thesh "
    "parathyro parathiro diadromo ptisi ptiseis ptisis nyxterines nixterines mporeite "
    "xreiazomai xriazome milao milaw grapste grapsete ellinika agglika apofygete "
    "apofigete".split()
)


def _sibling(code: str, text: str) -> str:
    """The language of a script shared by several: its own letters say which, or langid."""
    if code == "ru":
        return _cyrillic(text)
    if code in _OWN_LETTERS:
        sibling, letters = _OWN_LETTERS[code]
        if letters.search(text):
            return sibling
    return code


def _cyrillic(text: str) -> str:
    """Russian, Ukrainian, Serbian or Bulgarian: letters of one alone, else langid."""
    if _SERBIAN.search(text):
        return "sr"
    steppe = _steppe(text)
    if steppe is not None:
        return steppe
    if _OWN_LETTERS["ru"][1].search(text) and not _NOT_UKRAINIAN.search(text):
        return "uk"
    if _RUSSIAN.search(text):
        return "ru"
    words = set(re.findall(r"[а-яёђјљњћџ]+", text.lower()))
    told = [code for code, own in _CYRILLIC_WORDS.items() if words & own]
    if len(told) == 1:
        return told[0]
    # Ukrainian without its letters is read as Russian (its lexicon still matches), as are
    # texts langid cannot tell: a short Russian sentence is often ranked Serbian.
    ranked = dict(_classifier().rank(text))
    best = max(("bg", "sr"), key=lambda code: ranked.get(code, 0.0))
    return best if ranked.get(best, 0.0) > CLEARLY * ranked.get("ru", 0.0) else "ru"


# Kazakh writes letters no other Cyrillic language we read does (ә ғ қ ң ұ һ); Mongolian
# writes ө and ү without them. Both also write ы and э, so they are told before Russian.
_KAZAKH = re.compile("[әғқңұһӘҒҚҢҰҺ]")
_MONGOLIAN = re.compile("[өүӨҮ]")
_STEPPE_WORDS = {
    "kk": frozenset("рахмет өтінемін маған керек емес жоқ арқылы түнгі терезе".split()),
    "mn": frozenset(
        "баярлалаа гуйя надад хэрэгтэй битгий цонхны цонхны суудал нислэг шөнийн англиар "
        "монголоор хүсч хүсэж байна хэлээр ойлгоно".split()
    ),
}


def _steppe(text: str) -> str | None:
    """Kazakh or Mongolian by their own letters, or by words only they write."""
    if _KAZAKH.search(text):
        return "kk"
    words = set(re.findall(r"[а-яёөүәғқңұһі]+", text.lower()))
    told = [code for code, own in _STEPPE_WORDS.items() if words & own]
    if len(told) == 1:
        return told[0]
    if _MONGOLIAN.search(text):
        return "kk" if "і" in text.lower() else "mn"
    return None


# Azerbaijani, Icelandic, Welsh and Irish, which langid (restricted to the languages we
# read) would hand to Turkish, Danish or English: a letter only one writes (ə; þ, ð), or
# words only it writes — two of them, or one that says it alone.
_OWN_LATIN_LETTERS = {"az": re.compile("[əƏ]"), "is": re.compile("[þðÞÐ]")}
_OWN_LATIN_WORDS = {
    # Not the words Turkish shares ("gece", "uçuş", "pencere", "gönderin").
    "az": frozenset(
        "xahiş xahis edirəm edirem istəmirəm istemirem mənə mene danışmıram danismiram "
        "zəng zeng pəncərə gecə uçuşları göndərin etməyin".split()
    ),
    # Not the words Norwegian or Swedish share ("eg", "vil", "mer", "tala", "takk").
    "is": frozenset(
        "ég ekki vinsamlegast gluggasæti gangsæti næturflug viljum mér hringja sendið "
        "íslensku ensku aldrei".split()
    ),
    # Not English, French or Spanish words ("dim", "yn", "mi", "nos", "le", "do", "go").
    "cy": frozenset(
        "gwelwch dda ddim ffenest ffenestr eil hedfan hediadau hediad eisiau isio hoffwn "
        "peidiwch diolch trwy drwy cymraeg saesneg dw rwy'n dwi sedd neges negeseuon "
        "ffonio byth cadair olwyn".split()
    ),
    "ga": frozenset(
        "thoil cuir chuir ní níl fuinneog fuinneoige pasáiste gaeilge béarla mhaith liom eitilt "
        "eitiltí oíche trí riamh raibh agat agam téacs ríomhphost glaoigh cathaoir rothaí "
        "suíochán taisteal aois fadhb labhraím".split()
    ),
}
_OWN_LATIN_ALONE = frozenset(
    "xahiş xahis istəmirəm istemirem danışmıram danismiram göndərin etməyin "
    "vinsamlegast gluggasæti gangsæti næturflug sendið íslensku "
    "gwelwch ddim ffenestr hediadau hoffwn peidiwch diolch cymraeg saesneg "
    "thoil fuinneog fuinneoige gaeilge béarla mhaith liom eitilt eitiltí oíche raibh "
    "ríomhphost suíochán".split()
)


def own_latin(text: str) -> str | None:
    """Azerbaijani, Icelandic, Welsh or Irish by a letter or words only it writes."""
    told = [code for code, letters in _OWN_LATIN_LETTERS.items() if letters.search(text)]
    if len(told) == 1:
        return told[0]
    words = set(re.findall(r"[\w']+", text.lower()))
    told = [
        code
        for code, own in _OWN_LATIN_WORDS.items()
        if len(words & own) >= 2 or words & own & _OWN_LATIN_ALONE
    ]
    return told[0] if len(told) == 1 else None


def greeklish(text: str) -> bool:
    """Is `text` Greek in Latin letters?"""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return len(words & _GREEKLISH) >= 2 and bool(words & _GREEKLISH_OWN)


# Bengali and Tamil in Latin letters, told the same way (no covered language writes these).
_ROMANISED = {
    "bn": frozenset(
        "ami amake amar chai lagbe dorkar diben deben korben pathaben raater rater janala "
        "janalar nei noy cholbe jekono bangla banglay hoye jete".split()
    ),
    "ta": frozenset(
        "enakku venum vennum vendum vendam vendaam venaam illa illai kodunga anuppunga "
        "theriyadhu theriyathu paravalla naan iravu jannal tamizh thamizh vazhiya".split()
    ),
}


# ... one of which says it alone.
_ROMANISED_ALONE = frozenset(
    "pathaben diben korben lagbe dorkar venum vendam vendaam theriyadhu anuppunga kodunga".split()
)


def romanised(text: str) -> str | None:
    """Bengali or Tamil in Latin letters: the one with two of its words, or one of the
    words that say it alone."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    told = [
        code
        for code, own in _ROMANISED.items()
        if len(words & own) >= 2 or words & own & _ROMANISED_ALONE
    ]
    return told[0] if len(told) == 1 else None


def romanised_hindi(text: str) -> bool:
    """Is `text` Hindi in Latin letters?"""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return len(words & _HINGLISH) >= 2


_identifier: Any = None
_lock = threading.Lock()


def _load() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([*COVERED, *CYRILLIC])
    return identifier


def _classifier() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            _identifier = _load()
        return _identifier


def written_in(text: str) -> str | None:
    """The BCP 47 code of the language of `text`, or None when too unsure to say."""
    if has_kana(text):
        return "ja"
    if is_cjk(text):
        return "zh"
    for code, script in SCRIPTS:
        # A Latin text quoting one word of another script ("Ελλάδα") is still Latin.
        if len(script.findall(text)) * 2 >= sum(ch.isalpha() for ch in text):
            return _sibling(code, text)
    if romanised_hindi(text):
        return "hi"
    if greeklish(text):
        return "el"
    latin = romanised(text)
    if latin is not None:
        return latin
    own = own_latin(text)
    if own is not None:
        return own
    ranked = dict(_classifier().rank(text))
    code = max(COVERED, key=lambda c: ranked.get(c, 0.0))
    group = next((g for g in _CLOSE if code in g), frozenset({code}))
    if sum(ranked.get(c, 0.0) for c in group) < 0.5:
        return None
    return _SAME_LANGUAGE.get(code, code)
