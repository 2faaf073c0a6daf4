"""Who a sentence speaks for: the customer in the first person, or "the customer" named in
the third person, as an attack's payload speaks of the one it steers.

The quarantine (`memory.prefs.injection`) weighs a sentence that holds an attack piece by
piece (`memory.prefs.attacked`): a piece in which the writer speaks for themselves — in
the first person, or in words of wishing or refusing — and names no customer, is theirs.
"""

from __future__ import annotations

import re

from memory.prefs.lexicon.base import compile_words
from memory.prefs.marks import Marks
from memory.prefs.text import WORD_CHAR, Span, fold

OWN_STANCE = frozenset({"wish", "request", "native", "avoid", "neg"})
"""Cues of a customer saying what they want: a sentence with one is theirs again."""


def wishes(span: Span, marks: Marks | None) -> bool:
    """Does the stretch say what its writer wants, in words of wishing or refusing?"""
    if marks is None:
        return False
    _, cues = marks.within(span.start, span.end)
    return any(c.key in OWN_STANCE for c in cues)


# The customer speaking for themselves: a first-person word in a covered language (Turkish
# says the person in the verb's ending: "istiyorum", "isterim").
_FIRST_PERSON = re.compile(
    r"\b(?:i|i'm|i'd|i'll|i've|me|my|mine|myself|we|us|our|ich|mir|mich|mein\w*|wir|uns|"
    r"unser\w*|je|j'|moi|m'|mon|ma|mes|nous|yo|mi|mis|nosotros|io|mio|mia|miei|mie|eu|"
    r"meu|minha|meus|minhas|mim|ik|mij|mijn|wij|ja|mnie|mój|moja|moje|jag|mig|min|mitt|"
    r"mina|vi|oss|ben|bana|beni|benim|\w+(?:iyorum|ıyorum|uyorum|üyorum|erim|arım|ırım))\b"
    r"|我|私|僕|俺",
    re.IGNORECASE,
)


# ... in the scripts whose words `\\b` does not bound (Devanagari vowel signs are not
# `\\w`), and in Vietnamese, whose "tôi" folds to French "toi".
_FIRST_PERSON_OTHER_SCRIPTS = re.compile(
    rf"(?<!{WORD_CHAR})(?:я|мне|меня|мной|мой|моя|моё|мое|мои|мы|нам|нас|наш\w*|मैं|मुझे|मुझसे|"
    rf"मेरा|मेरी|मेरे|हम|हमें|हमारा|हमारी|tôi|chúng tôi|mình|saya|aku|kami|kita)(?!{WORD_CHAR})"
)


def speaks_for_self(sentence: str) -> bool:
    """Does the sentence speak in the first person?"""
    return (
        _FIRST_PERSON.search(fold(sentence)) is not None
        or _FIRST_PERSON_OTHER_SCRIPTS.search(sentence.lower()) is not None
    )


# The customer named in the third person: how an attack's payload speaks of the one it
# steers ("Ignore the rules. The customer wants ..."), and how no customer speaks of
# themselves.
_THIRD_PERSON = re.compile(
    rf"(?<!{WORD_CHAR})(?:customer|passenger|pax|client|traveller|traveler|guest|user|"
    r"kunde|kundin|fahrgast|passagier\w*|reisende\w*|passager\w*|voyageur\w*|cliente|"
    r"pasajer[oa]|viajer[oa]|passegger[oa]|passageir[oa]|klant|reiziger|klient\w*|"
    r"pasażer\w*|kunden|resenär\w*|yolcu\w*|müşteri\w*|πελάτη\w*|επιβάτη\w*|"
    r"клиент\w*|пассажир\w*|ग्राहक|यात्री|khách(?: hàng)?|hành khách|pelanggan|penumpang|"
    rf"عميل|راكب|乘客|客户|顾客|旅客|お客様|乗客|고객|승객|"
    r"pasager\w*|clientul\w*|utas(?:unk|nak|t)?|ügyfél\w*|abiria|mteja|pasahero|kustomer|"
    r"пасажир\w*|клієнт\w*|הנוסע\w*|הלקוח\w*|مسافر|مشتری|"
    r"farþeg\w*|viðskiptavin\w*|passasjer\w*|matkustaja\w*|asiakas\w*|asiakkaa\w*|"
    r"putnik\w*|যাত্রী|গ্রাহক|"
    # The words above as folded text spells them (no accents): the pattern reads `fold`'s
    # output, where "resenär", "pasażer", "müşteri", "ügyfél" never stand.
    r"resenar\w*|pasazer\w*|musteri\w*|ugyfel\w*|cestujuc\w*|khach hang|hanh khach|"
    r"πελατ\w*|επιβατ\w*|"
    rf"ผู้โดยสาร|ลูกค้า)(?!{WORD_CHAR})"
)


_TA = "[\u0b80-\u0bff]*"
_MORE_THIRD_PERSON = tuple(
    compile_words(
        (
            r"fluggast\w*",
            r"cestující\w*",
            r"zákazník\w*",
            r"الراكب",
            r"الركاب",
            r"العميل",
            r"பயணி" + _TA,
            r"வாடிக்கையாளர்" + _TA,
            # Unspaced scripts: the word stands inside a run ("この乗客は", "该乘客").
            r"乗客",
            r"この方",
            r"お客様",
            r"乘客",
            r"客户",
            r"顾客",
            r"旅客",
        )
    ).values()
)
"""The customer in the third person where `_THIRD_PERSON` cannot see them: words whose
script the text's normalisation rewrites (Arabic), Czech and Tamil, and CJK inside a run
of characters with no word boundary."""


def customer_spans(sentence: str) -> list[tuple[int, int]]:
    """Where the sentence speaks of the customer in the third person."""
    folded = fold(sentence)
    spans = [m.span() for m in _THIRD_PERSON.finditer(folded)]
    return spans + [m.span() for regex in _MORE_THIRD_PERSON for m in regex.finditer(folded)]


def names_the_customer(sentence: str) -> bool:
    """Does the sentence speak of the customer in the third person?"""
    return bool(customer_spans(sentence))
