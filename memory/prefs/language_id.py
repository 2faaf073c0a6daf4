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
    *("ro", "hu", "sw", "tl"),
)
"""Languages told apart by langid; Chinese, Japanese, Korean, Greek, Arabic, Farsi, Hebrew,
Thai, Hindi (Devanagari), Russian and Ukrainian (Cyrillic) by their scripts (`SCRIPTS`);
Hindi in Latin letters by its function words (`romanised_hindi`)."""
SCRIPTS = (
    ("ko", re.compile(f"[{HANGUL}]")),
    ("el", re.compile("[\u0370-\u03ff\u1f00-\u1fff]")),
    ("he", re.compile("[\u0590-\u05ff]")),
    ("th", re.compile("[\u0e00-\u0e7f]")),
    ("ar", re.compile("[\u0600-\u06ff]")),
    ("hi", re.compile("[\u0900-\u097f]")),
    ("ru", re.compile("[\u0400-\u04ff]")),
)
# One script, two languages: Farsi writes letters Arabic does not (پ چ ژ گ, and its own
# kāf and yeh), Ukrainian letters Russian does not (і ї є ґ), and the other way round.
_OWN_LETTERS = {
    "ar": ("fa", re.compile("[\u067e\u0686\u0698\u06af\u06a9\u06cc]")),
    "ru": ("uk", re.compile("[іїєґІЇЄҐ]")),
}
_NOT_UKRAINIAN = re.compile("[ыэъёЫЭЪЁ]")

# Hindi written in Latin letters ("mujhe window seat chahiye"), which langid's model (trained
# on Devanagari) cannot tell: two of its commonest function words that no covered
# language shares say it.
_HINGLISH = frozenset(
    "nahi nahin chahiye mujhe dena bhejna bhejo karo kariye dijiye yaar bhai hai hain aur "
    "raat wali wala waali mera meri mere kabhi accha theek chalega kuch".split()
)


def _sibling(code: str, text: str) -> str:
    """The language of a script shared by two: its own letters say which."""
    if code in _OWN_LETTERS:
        sibling, letters = _OWN_LETTERS[code]
        if letters.search(text) and not (code == "ru" and _NOT_UKRAINIAN.search(text)):
            return sibling
    return code


def romanised_hindi(text: str) -> bool:
    """Is `text` Hindi in Latin letters?"""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return len(words & _HINGLISH) >= 2


_identifier: Any = None
_lock = threading.Lock()


def _load() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(COVERED))
    return identifier


def written_in(text: str) -> str | None:
    """The BCP 47 code of the language of `text`, or None when too unsure to say."""
    global _identifier
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
    with _lock:
        if _identifier is None:
            _identifier = _load()
        code, confidence = _identifier.classify(text)
    return str(code) if confidence >= 0.5 else None
