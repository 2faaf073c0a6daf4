"""Notes that hide their words: encoded text decoded, and read as what it is.

A customer writes to an airline in words a person can read. Text that hides its words
from a reader — base64, ROT13, percent-escapes or HTML character references of letters,
characters no one sees (zero-width, Unicode tags), letters of another script that look
like Latin ones inside a word — is written for a machine that decodes it, or to slip past
a filter that reads words: it is attack-shaped whatever it says once decoded. So
`revealed` decodes each such part (which tells hidden words from noise: a booking code is
no base64 of text) and puts, in its place, a marked line (`HIDDEN`) that the quarantine
treats as an attack (`memory.prefs.injection`): the hidden words yield nothing, the note
is flagged injected, and what the writer says in plain words beside them still counts
("Window seat please. d2hlZWxjaGFpcg==" keeps the window) — unless it is the hidden
part's payload, as after any attack.

Encodings a mail or web form leaves by accident are undone and read as the text: a named
HTML entity or a character reference of punctuation ("I&#39;d like", "&amp;"), a soft
hyphen, a percent-escape inside a URL, a zero-width joiner or non-joiner inside a script
that writes them (Persian, the Indic scripts, emoji), a zero-width space between Thai
words. Only what turns letters into something else is hidden.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote

from memory.prefs.language_id import likeliest, written_in

HIDDEN = "[[hidden text]]"
"""What stands, on a line of its own, where a note hid words: markup the quarantine
treats as an attack (`memory.prefs.injection`)."""

_TAGS = re.compile("[\U000e0000-\U000e007f]+")
"""Unicode tag characters: invisible ASCII ("ASCII smuggling")."""

_INVISIBLE = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u034f"
_INSIDE_WORD = re.compile(rf"(?<=[^\W\d_])[{_INVISIBLE}]+(?=[^\W\d_])")
"""An invisible character between two letters."""
_SPLIT_BY_INVISIBLE = re.compile(
    rf"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff][{_INVISIBLE}]+"
    r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]"
)
"""An invisible character inside a Latin, Greek or Cyrillic word: these scripts never
need one (Persian's non-joiner, an Indic joiner, Thai's word break are their own)."""

_REFERENCE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));")
"""An HTML character reference: numeric, hexadecimal or named."""

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_ESCAPES = 2
"""Percent-escapes outside a URL hide words from this many on ("I%20need%20a%20..."):
"100%" or "50%AB" once is no encoding."""

_BASE64 = re.compile(r"(?<![\w+/=%&#-])[A-Za-z0-9+/]{8,}={0,2}(?![\w+/=-])")
_BASE64_URLSAFE = re.compile(r"(?<![\w=%&#/-])[A-Za-z0-9_-]{12,}={0,2}(?![\w=/])")
_TEXT_SHARE = 0.8
"""A base64 token hides text when its bytes are UTF-8 and this share of them letters or
spaces; a booking code or a random id decodes to bytes that are neither."""

_ROT13_NAMED = re.compile(r"\brot[- ]?13\s*[:：)\]=-]\s*", re.IGNORECASE)
_ROT13_WORDS = 3
"""ROT13 is guessed, without its name, in a segment of at least this many words that no
language is read in while its ROT13 is read in one."""
_UNSURE, _SURE = 0.5, 0.9
"""The classifier reads no language in a ROT13 segment (below the first) and one surely
in its decoding (the second): "V arrq n jurrypunve" is English at 0.99; a sentence in a
language it barely knows ("Na'urar ta ba ni tikitin kyauta") reads as noise both ways."""
_SEGMENT = re.compile(r"(?:[^.!?\n]|[.!?](?=\S))+[.!?]*")

# Cyrillic and Greek letters that look like Latin ones: the homoglyphs of a word whose
# letters are mixed to slip past a reader of words ("whееlсhаіr", Cyrillic е, с, а, і).
_LOOKALIKES = str.maketrans(
    "аеорсуххіјѕһԁԛԝвнкмтАВЕКМНОРСТХУІЈЅԜαοικνρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxxijshdqwbhkmtABEKMHOPCTXYIJSWaoiknptuxABEZHIKMNOPTYX",
)


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if ch.isalpha() else ""


_WORD = re.compile(r"[^\W\d_]+")


def _mixed(word: str) -> bool:
    """Does the word mix Latin letters with Cyrillic or Greek look-alikes the way a
    disguise does — the scripts alternating ("whееlсhаіr"), or one look-alike letter at an
    edge ("еmail")? A loan word with a native ending ("SMSку") is one switch of script."""
    scripts = [_script(ch) for ch in word]
    if "LATIN" not in scripts or not {"CYRILLIC", "GREEK"} & set(scripts):
        return False
    runs = [s for i, s in enumerate(scripts) if i == 0 or s != scripts[i - 1]]
    if len(runs) >= 3:
        return True
    foreign = [ch for ch, s in zip(word, scripts, strict=True) if s != "LATIN"]
    return len(foreign) == 1 and foreign[0].translate(_LOOKALIKES) != foreign[0]


def revealed(text: str) -> str:
    """`text` with what it hides decoded and replaced by `HIDDEN` on a line of its own,
    and the encodings a form leaves by accident undone (module docstring)."""
    hidden: list[str] = []

    def hide(decoded: str) -> str:
        hidden.append(decoded)
        return f"\n{HIDDEN}\n"

    text = _TAGS.sub(lambda m: hide("".join(chr(ord(c) - 0xE0000) for c in m.group())), text)
    text = _by_segment(text, _letters_hidden, hide)
    text = _references_undone(text)
    text = text.replace("\u00ad", "")  # a soft hyphen: a line break a browser may make
    text = _base64_hidden(text, hide)
    return _by_segment(text, _rot13, hide)


def hides_words(text: str) -> bool:
    """Does `text` hide words (`revealed`)?"""
    return HIDDEN in revealed(text) and HIDDEN not in text


def _by_segment(text: str, decode: Callable[[str], str | None], hide: Callable[[str], str]) -> str:
    """Each sentence-like segment of `text` that `decode` finds hidden words in, hidden."""
    out: list[str] = []
    position = 0
    for m in _SEGMENT.finditer(text):
        decoded = decode(m.group())
        if decoded is None:
            continue
        out.append(text[position : m.start()])
        out.append(hide(decoded))
        position = m.end()
    out.append(text[position:])
    return "".join(out)


def _letters_hidden(segment: str) -> str | None:
    """The segment decoded, if it spells letters so that no reader sees them: invisible
    characters inside a word, look-alike letters of another script, letters written as
    character references or percent-escapes."""
    changed = False
    if _SPLIT_BY_INVISIBLE.search(segment):
        segment, changed = _INSIDE_WORD.sub("", segment), True
    words = _WORD.findall(segment)
    if any(_mixed(w) for w in words):
        segment = _WORD.sub(lambda m: m.group().translate(_LOOKALIKES), segment)
        changed = True
    letters = [m for m in _REFERENCE.finditer(segment) if _numeric_letter(m)]
    if letters:
        segment, changed = _references_undone(segment), True
    outside = _URL.sub(" ", segment)
    if len(_ESCAPE.findall(outside)) >= _ESCAPES:
        form = " " not in segment  # a form's encoding writes a space as "+"
        segment, changed = unquote(segment.replace("+", " ") if form else segment), True
    return segment if changed else None


def _numeric_letter(m: re.Match[str]) -> bool:
    """Is this a numeric character reference of a letter or digit ("&#73;" is "I")?"""
    if m.group(3) is not None:
        return False
    code = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
    return code < 0x110000 and (chr(code).isalnum() or code == 0x20)


def _references_undone(text: str) -> str:
    """Character references decoded: what an HTML mail leaves ("I&#39;d", "&amp;")."""
    return _REFERENCE.sub(lambda m: html.unescape(m.group()), text)


def _base64_hidden(text: str, hide: Callable[[str], str]) -> str:
    def replace(m: re.Match[str]) -> str:
        decoded = _base64_text(m.group())
        return m.group() if decoded is None else hide(decoded)

    text = _BASE64.sub(replace, text)
    return _BASE64_URLSAFE.sub(replace, text)


def _base64_text(token: str) -> str | None:
    """What a base64 token says, if it is text: a word is no base64 (it has no digit, no
    "+", "/" or "=" and no capital inside), and bytes that are not mostly letters are no
    text."""
    body = token.rstrip("=")
    if len(body) % 4 == 1:
        return None
    if not re.search(r"[\d+/=_-]|[a-z][A-Z]", token):
        return None
    try:
        raw = base64.b64decode(
            body.replace("-", "+").replace("_", "/") + "=" * (-len(body) % 4), validate=True
        )
        decoded = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if len(decoded) < 4 or not all(ch.isprintable() or ch in "\n\t" for ch in decoded):
        return None
    readable = sum(ch.isalpha() or ch.isspace() for ch in decoded)
    if readable < _TEXT_SHARE * len(decoded) or not re.search(r"[^\W\d_]{3}", decoded):
        return None
    return decoded


def _rot13(segment: str) -> str | None:
    """The segment in ROT13 decoded: named so ("rot13: ..."), or a segment of Latin
    letters that no language is read in while its ROT13 is read in one."""
    named = _ROT13_NAMED.search(segment)
    if named is not None:
        rest = segment[named.end() :]
        return codecs.encode(rest, "rot13") if rest.strip() else None
    if not segment.isascii() or len(_WORD.findall(segment)) < _ROT13_WORDS:
        return None
    if any(ch.isdigit() for ch in segment) or written_in(segment) is not None:
        return None
    decoded = codecs.encode(segment, "rot13")
    if likeliest(segment) >= _UNSURE or likeliest(decoded) < _SURE:
        return None
    return decoded
