"""Text as the extractor reads it: normalised once, folded for matching, cut into
sentences and clauses.

Everything downstream works on offsets into one normalised string (`normalise`), so a
clause quoted in a `Finding` is words the customer wrote. Matching runs on `fold`-ed
text: the same length, lower case, Latin letters without accents ("Évitez" and "evitez"
match one pattern; a customer who types without accents is still understood). Chinese
and Japanese are left as they are: they have no case, and folding kana would merge
different syllables.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
"""Kana and Han: scripts written without spaces, where each character is a token."""

INDIC_MARKS = (
    "\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963"
    "\u0981-\u0983\u09bc\u09be-\u09cd\u09d7\u09e2\u09e3"
    "\u0b82\u0bbe-\u0bcd\u0bd7"
    "\u0c00-\u0c04\u0c3c\u0c3e-\u0c56\u0c62\u0c63"
    "\u0d81-\u0d83\u0dca-\u0ddf\u0df2\u0df3"
    "\u0a01-\u0a03\u0a3c\u0a3e-\u0a4d\u0a51\u0a70\u0a71\u0a75"
)
"""Devanagari, Bengali, Tamil, Telugu, Sinhala and Gurmukhi vowel signs, nasalisation and virama:
parts of a word, though Python's ``\\w`` does not count them ("खिड़की" would be three
words)."""
THAI = "\u0e00-\u0e7f"
"""Thai: written without spaces between words (a space ends a phrase), and its vowel
signs and tone marks are not word characters to Python either."""
THAI_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
MYANMAR_KHMER = "\u1000-\u109f\u1780-\u17ff"
"""Burmese and Khmer: written without spaces between words too (a space ends a phrase)."""
MYANMAR_KHMER_MARKS = "\u102b-\u103e\u1056-\u1059\u105e-\u1060\u1062-\u108d\u17b4-\u17d3\u17dd"
COMBINING = "\u0300-\u036f"
"""Tone marks left as marks after NFKC (Yoruba "ọ̀", "ẹ́": no letter holds both): parts of
a word too."""
WORD_CHAR = rf"[\w{INDIC_MARKS}{THAI_MARKS}{MYANMAR_KHMER_MARKS}{COMBINING}]"
"""A character inside a word, in every script we read."""

TOKEN = re.compile(
    rf"[{CJK}]|(?:[^\W_{CJK}]|[{INDIC_MARKS}{THAI_MARKS}{MYANMAR_KHMER_MARKS}{COMBINING}])+"
)
"""A word, or one CJK character (a Thai phrase, unsegmented, is one token)."""

_QUOTES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "“": '"', "”": '"', "„": '"'})
# Arabic short vowels, tanween and the stretching tatweel are written or not at will
# ("مقعدًا" is "مقعدا"); they are not letters, so they would cut a word in two.
_ARABIC_MARKS = re.compile("[\u0640\u064b-\u065f\u0670]")
_FOLDED_SCRIPTS = re.compile("[\u0370-\u03ff\u0600-\u06ff]")
"""Greek and Arabic letters lose their accents and hamza seats too ("θέση" is "θεση",
"أ" is "ا"): customers type them either way."""
HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), one kind of apostrophe, no
    Arabic vowel marks."""
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text).translate(_QUOTES))


_THAI_CHAR = re.compile(f"[{THAI}{MYANMAR_KHMER}]")


def is_unspaced(text: str) -> bool:
    """Is `text` of a script written without spaces between words (CJK, Thai, Burmese,
    Khmer)? Its words
    are matched without word boundaries."""
    return is_cjk(text) or _THAI_CHAR.search(text) is not None


def is_cjk(text: str) -> bool:
    return any(_CJK_CHAR.match(ch) for ch in text)


_CJK_CHAR = re.compile(rf"[{CJK}]")
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")


def has_kana(text: str) -> bool:
    """Japanese writes kana; Chinese does not."""
    return _KANA.search(text) is not None


# Latin letters with a stroke are letters of their own to Unicode (NFKD leaves them
# whole), but customers typing without them write the plain letter: Vietnamese "dung bay
# dem" is "đừng bay đêm", Polish "Lodz" is "Łódź", Turkish "kapi" is "kapı". One letter
# for one, so the length stays. Not "ø": Danish "før" (before) would read as "for".
_STROKED = {"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "ð": "d"}
# Farsi typed on an Arabic keyboard writes Arabic kāf and yeh (and a final alef maksura)
# for its own: "پنجره" stays, "ی" and "ک" arrive as "ي" and "ك". One letter for each, in
# every text and pattern alike, so Arabic reads as before.
_STROKED |= {"ي": "ی", "ك": "ک", "ى": "ی"}


def _fold_char(ch: str, lower: bool) -> str:
    if ord(ch) < 128:
        return ch.lower() if lower else ch
    if _CJK_CHAR.match(ch):
        return ch
    if ch in _STROKED:
        letter = _STROKED[ch]
        return letter.lower() if lower else letter
    base = unicodedata.normalize("NFKD", ch)[0]
    plain = base.isascii() or _FOLDED_SCRIPTS.match(base) is not None
    out = base if plain and base.isalpha() else ch
    if lower:
        low = out.lower()
        return low if len(low) == 1 else out
    return out


def fold(text: str, *, lower: bool = True) -> str:
    """`text` without accents on Latin letters (and in lower case): same length, so a
    match in the folded text is a match at the same place in the original."""
    return "".join(_fold_char(ch, lower) for ch in text)


def mask_cjk(text: str) -> str:
    """`text` with every CJK character replaced by a non-word character: there, a Latin
    word's ``\\w`` boundaries fall between "App" and "就行" as between "app" and " "."""
    return _CJK_RUN.sub(lambda m: "\x00" * len(m.group()), text)


_CJK_RUN = re.compile(rf"[{CJK}]+")


def tokens_between(folded: str, start: int, end: int) -> int:
    """How many tokens lie between two offsets (0 when adjacent)."""
    if end <= start:
        return 0
    return len(TOKEN.findall(folded[start:end]))


@dataclass(frozen=True)
class Span:
    """A stretch of the normalised text."""

    start: int
    end: int

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def text(self, source: str) -> str:
        return source[self.start : self.end]


# A sentence ends at . ! ? (and their CJK forms, the Devanagari danda, the Ethiopic,
# Armenian, Burmese and Khmer full stops) before a space, a line break or the end, unless
# the dot closes a one-letter abbreviation ("P.S.", "7 J.") or a number ("1.95").
_SENTENCE_END = re.compile(r"[.!?。！？؟]+(?=\s|$|[" + CJK + r"])|[。！？।॥።։။។៕]+|\n+")
# Markup and fake conversation turns start a new sentence: quarantine is per sentence,
# and an attack hidden behind "[[", "<!--" or "###" must not share one with a real wish.
_MARKUP = re.compile(
    r"\[\[|\]\]|<!--|-->|</?\s*[A-Za-z_][\w-]*\s*/?>|#{3,}|[{}]|```|-{3,}|={3,}|_{3,}|\*{3,}"
)
# A closing tag or fence also ends its sentence: "</system> I'd like French" is the
# customer's own sentence again.
_MARKUP_END = re.compile(r"</\s*[A-Za-z_][\w-]*\s*>|-->|\]\]|```\w*|\}|-{3,}|={3,}|_{3,}|\*{3,}")
# A capital ("P.S.", "7 J.") or a letter after a dot ("z.B.", "i.e.") is an abbreviation;
# a lone small letter is a word of chat ("i beg u. gatwick is fine" is two sentences).
_ONE_LETTER = re.compile(r"(?:(?:^|[\s(])[^\W\d_a-z]|\.[^\W\d_])\.$")


def sentences(text: str) -> list[Span]:
    """The sentences of `text` (its normalised form), in order."""
    cuts: set[int] = {0, len(text)}
    for m in _SENTENCE_END.finditer(text):
        if m.group().startswith(".") and _ONE_LETTER.search(text[max(0, m.start() - 3) : m.end()]):
            continue
        cuts.add(m.end())
    for m in _MARKUP.finditer(text):
        cuts.add(m.start())
    for m in _MARKUP_END.finditer(text):
        cuts.add(m.end())
    bounds = sorted(cuts)
    spans = []
    for start, end in itertools.pairwise(bounds):
        span = _trimmed(text, start, end)
        if span is not None:
            spans.append(span)
    return spans


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and not TOKEN.match(text[start]) and text[start] not in "<[{#":
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if TOKEN.search(text, start, end) else None


# Inside a sentence: semicolons, colons, dashes and slashes between spaces, brackets.
HARD_BREAK = re.compile(r"[;；:：؛፤]|\s[-–—]+\s|\s/\s|[()（）\[\]]|[-–—]{2,}")
# The Arabic comma too; and a space between Thai words, which is where Thai ends a phrase.
SOFT_BREAK = re.compile(
    rf",|，|、|،|፣|၊|(?<=[{THAI}])\s+(?=[{THAI}])|(?<=[{MYANMAR_KHMER}])\s+(?=[{MYANMAR_KHMER}])"
)


def words(folded: str, span: Span) -> list[str]:
    return TOKEN.findall(folded, span.start, span.end)


TYPO_LENGTH = 5
"""Only words of five letters or more are recognised with a typing slip."""


def one_slip(typed: str, word: str) -> bool:
    """Is `typed` one deletion, insertion, substitution or swap of neighbours from `word`
    (of at least five letters)?"""
    if len(word) < TYPO_LENGTH or abs(len(typed) - len(word)) > 1:
        return False
    if len(typed) == len(word):
        diff = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and typed[diff[0]] == word[diff[1]]
            and typed[diff[1]] == word[diff[0]]
        )
    short, long = (typed, word) if len(typed) < len(word) else (word, typed)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]
