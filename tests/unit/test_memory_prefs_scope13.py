"""Places and airlines named without a wish to avoid them, and wishes put indirectly:
the second half of a comparison ("prefer A to B") refuses B only when A is named.
Phrasings of our own, not of any benchmark set."""

from __future__ import annotations

import pytest

from memory.prefs.lexical import LexiconReader

READER = LexiconReader()
NOTHING: list[tuple[str, object]] = []


def found(text: str) -> list[tuple[str, object]]:
    return [(f.field, f.value) for f in READER.understand(text).findings]


@pytest.mark.parametrize(
    "text",
    [
        "Je préférerais une correspondance à Zurich.",
        "Je préfère une escale à Vienne, si possible.",
    ],
)
def test_a_comparison_with_nothing_set_against_refuses_nothing(text: str) -> None:
    assert found(text) == NOTHING


@pytest.mark.parametrize(
    ("text", "avoided"),
    [
        ("Je préfère Lyon à Paris pour la correspondance.", "Paris"),
        ("I'd rather connect in Lyon than in Paris.", "Paris"),
    ],
)
def test_a_comparison_with_both_halves_named_refuses_the_second(text: str, avoided: str) -> None:
    assert ("avoid_cities", avoided) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "I wouldn't say I never want to go via Paris, it just isn't my favourite.",
        "It's not that I don't want to fly Lufthansa, I just prefer Swiss.",
        "Ce n'est pas que je refuse Francfort, mais je préfère Munich.",
        "Nicht dass ich nie über Wien fliegen will.",
        "Не то чтобы я не хотел лететь через Стамбул.",
    ],
)
def test_a_refusal_denied_by_the_writer_avoids_nothing(text: str) -> None:
    assert found(text) == NOTHING


@pytest.mark.parametrize(
    ("text", "avoided"),
    [
        ("I can't say enough how much I hate Heathrow, avoid it.", ("avoid_airports", "LHR")),
        ("I really never want to go via Paris again.", ("avoid_cities", "Paris")),
    ],
)
def test_a_refusal_not_denied_still_avoids(text: str, avoided: tuple[str, str]) -> None:
    assert avoided in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "A friend said never to connect in Dubai, I don't agree.",
        "Someone told me to avoid Frankfurt, but it was fine for me.",
        "Жена не хочет лететь через Стамбул, а мне всё равно.",
        "Manželka nechce letieť cez Viedeň, mne je to jedno.",
        "Żona nie chce lecieć przez Frankfurt, mnie to nie przeszkadza.",
        "Manželka nechce letět přes Vídeň, mně je to jedno.",
    ],
)
def test_another_persons_refusal_reported_is_not_the_writers(text: str) -> None:
    assert found(text) == NOTHING


def test_the_writer_counted_with_the_other_person_still_avoids() -> None:
    assert ("avoid_airports", "LHR") in found("A friend of mine and I both want to avoid Heathrow.")


@pytest.mark.parametrize(
    ("text", "seat"),
    [
        ("I need to get up often during the flight, so put me at the end of the row.", "aisle"),
        ("Je dois me lever souvent, mettez-moi en bout de rangée.", "aisle"),
        ("Tengo que levantarme mucho, pónganme al final de la fila.", "aisle"),
        ("Devo alzarmi spesso, mettetemi in fondo alla fila.", "aisle"),
        ("I like to rest my head against the wall and sleep.", "window"),
    ],
)
def test_a_seat_named_by_what_it_is_for_is_asked_for(text: str, seat: str) -> None:
    assert found(text) == [("seat", seat)]


@pytest.mark.parametrize(
    "text",
    ["My husband needs to get up often.", "Last time I had to get up a lot."],
)
def test_a_seats_use_told_of_someone_else_or_the_past_asks_nothing(text: str) -> None:
    assert found(text) == NOTHING


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Is there anyone who can explain this to me in Turkish?", "tr"),
        ("I'm more comfortable reading things in German.", "de"),
        ("Kan iemand mij in het Duits te woord staan?", "de"),
        ("Alguém poderia falar comigo em espanhol?", "es"),
        ("Czy ktoś mógłby rozmawiać ze mną po polsku?", "pl"),
        ("Может ли кто-нибудь поговорить со мной по-русски?", "ru"),
    ],
)
def test_a_language_asked_of_someone_is_wanted(text: str, language: str) -> None:
    assert found(text) == [("language", language)]


@pytest.mark.parametrize(
    "text",
    [
        "Frankfurt isn't ideal but I can live with it.",
        "I don't love Frankfurt but it's fine.",
        "Frankfurt n'est pas idéal, mais ça me va.",
        "I grew up in Istanbul, connecting there is no hardship.",
        "I never said I wanted to avoid Frankfurt.",
    ],
)
def test_a_place_accepted_after_all_is_not_avoided(text: str) -> None:
    assert found(text) == NOTHING


@pytest.mark.parametrize(
    ("text", "avoided"),
    [
        ("No Ryanair, it's fine otherwise.", ("avoid_carriers", "FR")),
        ("Avoid Frankfurt, but anything else is fine.", ("avoid_cities", "Frankfurt am Main")),
        ("Keep me away from JFK and Newark.", ("avoid_airports", "EWR")),
    ],
)
def test_an_acceptance_of_the_rest_or_a_list_keeps_the_refusal(
    text: str, avoided: tuple[str, str]
) -> None:
    assert avoided in found(text)


def test_a_word_of_another_language_without_its_accent_names_no_need() -> None:
    # Croatian "štap" (a walking stick) folds to Dutch "stap" (to step).
    assert found("Ik stap het liefst over in Kopenhagen.") == NOTHING


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to avoid Frankfurt, it's where I live.",
        "I don't hate Frankfurt.",
        "Ich habe nie gesagt, dass ich Frankfurt meiden will.",
        "Ik heb nooit gezegd dat ik Frankfurt wil vermijden.",
        "Nikdy som nepovedal, že nechcem letieť cez Frankfurt.",
        "Ak musím prestupovať, tak Viedeň je v pohode.",
    ],
)
def test_an_avoidance_negated_or_never_said_accepts(text: str) -> None:
    assert found(text) == NOTHING


@pytest.mark.parametrize(
    ("text", "avoided"),
    [
        ("No, never again via Frankfurt.", ("avoid_cities", "Frankfurt am Main")),
        ("Please avoid Frankfurt, I can't stand it.", ("avoid_cities", "Frankfurt am Main")),
        ("Je ne veux plus jamais voler avec Ryanair.", ("avoid_carriers", "FR")),
        ("Saya tak mau lewat Jakarta.", ("avoid_cities", "Jakarta")),
        (
            "Když musím přestupovat, tak ať to není ve Frankfurtu.",
            ("avoid_cities", "Frankfurt am Main"),
        ),
        ("Radšej cez Mníchov ako cez Frankfurt.", ("avoid_cities", "Frankfurt am Main")),
    ],
)
def test_an_avoidance_not_negated_still_avoids(text: str, avoided: tuple[str, str]) -> None:
    assert avoided in found(text)


@pytest.mark.parametrize(
    ("text", "seat"),
    [
        ("I would like to lean on the wall and nap.", "window"),
        ("I'll be up and down with the baby, end of row works best.", "aisle"),
        ("Uma janelinha, por favor, adoro ver as nuvens.", "window"),
        ("Kursi jendela dong, saya suka lihat awan.", "window"),
    ],
)
def test_seats_asked_for_in_everyday_words(text: str, seat: str) -> None:
    assert ("seat", seat) in found(text)


def test_french_ne_que_restricts_and_does_not_refuse() -> None:
    assert found("S'il n'y a que Doha, ça me va.") == NOTHING
    assert found("Je ne veux que le hublot.") == [("seat", "window")]
    assert ("avoid_cities", "Frankfurt am Main") in found(
        "Je ne veux pas que vous passiez par Francfort."
    )
