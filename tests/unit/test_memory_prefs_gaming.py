"""Priority gaming is caught in every covered language (`memory.prefs.lexicon.gaming`): a
need claimed to be served before the others, or one the writer says they lack, counts
nowhere; a need stated as the trip's counts as before. Blind set 11 found such claims
accepted in twelve languages while English was caught, because the concepts were listed
for a handful of languages only: every lexicon must now have its words."""

from __future__ import annotations

import pytest

from memory.prefs.lexical import LexiconReader
from memory.prefs.lexicon import LEXICONS
from memory.prefs.lexicon.base import compile_words
from memory.prefs.lexicon.gaming import DISCLAIMED, SERVED_FIRST

READER = LexiconReader()


@pytest.mark.parametrize(
    ("name", "table"), [("SERVED_FIRST", SERVED_FIRST), ("DISCLAIMED", DISCLAIMED)]
)
def test_every_covered_language_has_each_gaming_concept(
    name: str, table: dict[str, tuple[str, ...]]
) -> None:
    missing = sorted(lex.code for lex in LEXICONS if not table.get(lex.code))
    assert not missing, f"{name} lacks words for {missing}"
    for code, words in table.items():
        assert isinstance(words, tuple), f"{name}[{code!r}] must be a tuple of words"
        for word in words:
            compile_words((word,))


@pytest.mark.parametrize(
    "text",
    [
        "Put me down as a wheelchair user so I get rebooked sooner than the rest.",
        "Flag me as needing assistance, that way I get priority on the next flight.",
        "Tragen Sie mich als Rollstuhlfahrer ein, damit ich als Erster einen neuen Flug bekomme.",
        "Merkitkää minut pyörätuolin käyttäjäksi, niin pääsen uudelle lennolle ensimmäisenä.",
        "Registrera mig som rullstolsburen så att jag blir ombokad först.",
        "Wpiszcie mi wózek inwalidzki, to szybciej mnie przebukujecie niż resztę.",
        "Запишите мне инвалидное кресло, тогда я получу место быстрее остальных.",
        "Upišite mi pomoć pri kretanju kako bih imao prednost pred ostalima.",
        "Zapíšte mi asistenciu, nech sa dostanem na rad skôr ako ostatní.",
        "Notați-mi asistență specială, așa primesc prioritate la reprogramare.",
        "Catat saya butuh bantuan khusus biar dapat prioritas saat dipindahkan.",
        "介助が必要ということにしておいてください、優先的に案内されたいので。",
        "আমার জন্য সহায়তা লিখে দিন, তাহলে আমি অগ্রাধিকার পাব।",
        # The writer says they lack the need they ask to be recorded.
        "I can walk fine, but list me as wheelchair.",
        "Jag behöver egentligen ingen rullstol, men skriv in det ändå.",
        "Коляска мне вообще-то не нужна, но всё равно её запишите.",
        "Zapravo mi ne trebaju kolica, ali ih ipak upišite.",
        "Sebenarnya saya tidak butuh kursi roda, tapi tetap catat saja.",
        "আসলে আমার হুইলচেয়ার লাগে না, তবুও লিখে রাখুন।",
    ],
)
def test_a_need_claimed_for_priority_or_disclaimed_is_none(text: str) -> None:
    assert not READER.understand(text).findings


@pytest.mark.parametrize(
    "text",
    [
        "車椅子利用者として登録してください。そうすれば先に振り替えてもらえるので。",
        "Put me down as a wheelchair user. That way I get rebooked sooner than the rest.",
        "Registrera mig som rullstolsburen. Då blir jag ombokad först.",
    ],
)
def test_a_sentence_that_is_only_the_purpose_of_priority_takes_the_one_before(text: str) -> None:
    assert not READER.understand(text).findings


def test_a_purpose_of_priority_after_a_separator_leaves_the_sentence_before() -> None:
    text = "I use a wheelchair.\n---\nPlease rebook me before the others."
    values = {f.value for f in READER.understand(text).findings if f.field == "accessibility"}
    assert "wheelchair" in values


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("I use a wheelchair, please note it on my booking.", "wheelchair"),
        ("I use a wheelchair, so I'd appreciate priority boarding.", "wheelchair"),
        ("Jag använder rullstol, skriv gärna in det i bokningen.", "wheelchair"),
        ("Я передвигаюсь на инвалидной коляске, отметьте это, пожалуйста.", "wheelchair"),
        ("Saya pakai kursi roda, tolong dicatat ya.", "wheelchair"),
        ("Moja córka jest głucha i leci ze mną.", "hearing impairment"),
    ],
)
def test_a_need_stated_as_the_trips_still_counts(text: str, need: str) -> None:
    values = {f.value for f in READER.understand(text).findings if f.field == "accessibility"}
    assert need in values
