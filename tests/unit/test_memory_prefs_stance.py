"""The lexicon reader's mechanisms, one at a time, in several languages: negation scope,
someone else's wish, indifference, acceptance, the past, questions, "except", ellipsis,
telegraphic wishes, typing slips, and the statement-level fold."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memory.prefs.findings import ACCEPTANCE
from memory.prefs.lexical import LexiconReader
from memory.prefs.text import normalise

READER = LexiconReader()


def found(text: str) -> set[tuple[str, object]]:
    """The statement's wishes; a channel accepted without being chosen is none
    (test_memory_prefs_acceptance)."""
    return {(f.field, f.value) for f in READER.understand(text).findings if f.field != ACCEPTANCE}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A negation refuses what it stands close to, in its own clause only.
        ("Text me, don't email.", {("channel", "sms")}),
        ("I never check my inbox when travelling, so texts please.", {("channel", "sms")}),
        ("Bitte nur per SMS, E-Mails lese ich unterwegs nicht.", {("channel", "sms")}),
        ("Mandatemi tutto via email, gli sms non li leggo.", {("channel", "email")}),
        ("请用短信通知我，邮件我不常看。", {("channel", "sms")}),
        (
            "I'm not flying Spirit, and an aisle seat please.",
            {("avoid_carriers", "NK"), ("seat", "aisle")},
        ),
        # A refusal of one seat does not choose the other: middle seats exist.
        ("Nicht am Fenster bitte.", set()),
        # "rather than" refuses what follows; ではなく what precedes.
        ("Could you email me rather than texting?", {("channel", "email")}),
        ("メールではなくショートメールで連絡してください。", {("channel", "sms")}),
        ("Ich lese lieber Spanisch als Deutsch.", {("language", "es")}),
    ],
)
def test_negation_and_contrast_scope(text: str, expected: set[tuple[str, object]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My wife prefers the window.", set()),
        ("Mon fils voulait le hublot, moi je m'en fiche.", set()),
        ("我老婆喜欢靠窗，我无所谓。", set()),
        ("My husband hates Ryanair.", set()),
        # Needs of a companion are the booking's needs all the same.
        ("My mother needs a wheelchair at the airport.", {("accessibility", "wheelchair")}),
        ("Mein Vater ist gehbehindert.", {("accessibility", "reduced mobility")}),
    ],
)
def test_someone_elses_wish_is_not_the_customers(
    text: str, expected: set[tuple[str, object]]
) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("window or aisle, whatever", set()),
        ("Me da igual si es por correo o por SMS.", set()),
        ("靠窗靠过道都行。", set()),
        ("窓側でも通路側でも構いません。", set()),
        ("Miejsce przy oknie albo przy przejściu - wszystko jedno.", set()),
        # Indifference about something else leaves the wish beside it alone.
        ("Ich hätte gern einen Fensterplatz, egal auf welcher Strecke.", {("seat", "window")}),
    ],
)
def test_indifference_chooses_nothing(text: str, expected: set[tuple[str, object]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I don't mind Frankfurt, connect me wherever.", set()),
        ("Happy to connect in Frankfurt, just not Munich.", {("avoid_cities", "Munich")}),
        ("Lufthansa ist für mich kein Problem.", set()),
        ("Je n'ai rien contre Ryanair.", set()),
        ("Ik heb niks tegen KLM.", set()),
        # Red-eyes accepted: False, which overrides an older refusal when folded.
        ("Nachtflüge machen mir nichts aus.", {("avoid_overnight", False)}),
        ("我不介意红眼航班。", {("avoid_overnight", False)}),
        ("Keine Nachtflüge bitte.", {("avoid_overnight", True)}),
        ("Daytime flights only.", {("avoid_overnight", True)}),
    ],
)
def test_acceptance_is_not_avoidance(text: str, expected: set[tuple[str, object]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Last time I asked for SMS but honestly email was fine too.", set()),
        (
            "I said aisle on my last booking but actually I want the window now.",
            {("seat", "window")},
        ),
        (
            "I asked for a window last time and loved it, do the same again please.",
            {("seat", "window")},
        ),
        ("I used to avoid United but they've been fine lately.", set()),
        ("Antes evitaba Barajas, pero ya sin problema.", set()),
        ("上次我要了轮椅，这次不用了。", set()),
        ("No longer needs a wheelchair, please remove WCHR from the profile.", set()),
        ("Non mi serve più la sedia a rotelle.", set()),
    ],
)
def test_the_past_and_withdrawals_state_nothing(
    text: str, expected: set[tuple[str, object]]
) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Do you still have window seats on this flight?", set()),
        ("Pax asked whether SMS works with a foreign number.", set()),
        ("Could you put me by the window?", {("seat", "window")}),
        ("Kann mich jemand am Flughafen zum Gate bringen?", {("accessibility", "assistance")}),
    ],
)
def test_questions_ask_and_requests_want(text: str, expected: set[tuple[str, object]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anything but LH pls", {("avoid_carriers", "LH")}),
        ("Any airline except Ryanair.", {("avoid_carriers", "FR")}),
        ("Avoid every hub except FRA.", set()),
        ("全日空以外でお願いします。", {("avoid_carriers", "NH")}),
        # A list after a refusal continues it; a refusal after a name refuses the name.
        (
            "Avoid the Gulf carriers: Emirates, Qatar, Etihad.",
            {
                ("avoid_carriers", "EK"),
                ("avoid_carriers", "QR"),
                ("avoid_carriers", "EY"),
            },
        ),
        ("Not a fan of Schiphol - please avoid.", {("avoid_airports", "AMS")}),
        ("Frankfurt? Never again.", {("avoid_cities", "Frankfurt am Main")}),
        # A refusal carries over to its own family only.
        ("No Ryanair, window.", {("avoid_carriers", "FR"), ("seat", "window")}),
    ],
)
def test_exceptions_and_ellipsis(text: str, expected: set[tuple[str, object]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Finestrino.", {("seat", "window")}),
        (
            "PAX PREF: AISLE / NO O/N FLTS / COMMS VIA EMAIL ONLY",
            {
                ("seat", "aisle"),
                ("avoid_overnight", True),
                ("channel", "email"),
            },
        ),
        ("Il finestrino era rotto.", set()),
        ("The aisle was blocked by a trolley.", set()),
        (
            "pls no redeye fligths, and windw seat if u can",
            {
                ("avoid_overnight", True),
                ("seat", "window"),
            },
        ),
        ("Aisle if available, otherwise window.", {("seat", "aisle")}),
    ],
)
def test_telegraphic_wishes_descriptions_and_slips(
    text: str, expected: set[tuple[str, object]]
) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ich spreche kein Englisch.", {("language", "de")}),
        ("Je ne parle pas anglais.", {("language", "fr")}),
        ("Pax spricht kaum Deutsch, Kommunikation bitte auf Türkisch.", {("language", "tr")}),
        ("日本語で対応していただけると助かります。", {("language", "ja")}),
        ("Mi idioma preferido es el inglés, aunque les escriba en español.", {("language", "en")}),
        ("He is learning German at evening school.", set()),
    ],
)
def test_languages(text: str, expected: set[tuple[str, object]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Notre fils de 8 ans voyage seul.", {("accessibility", "unaccompanied minor")}),
        ("我儿子十岁，一个人坐飞机。", {("accessibility", "unaccompanied minor")}),
        ("Meine Tochter fliegt nicht mehr als UM, sie darf jetzt allein reisen.", set()),
        ("Pax WCHC - cannot walk at all, needs aisle chair.", {("accessibility", "wheelchair")}),
        (
            "I walk with a cane - not a wheelchair - and need someone to meet me at the gate.",
            {("accessibility", "reduced mobility"), ("accessibility", "assistance")},
        ),
    ],
)
def test_needs(text: str, expected: set[tuple[str, object]]) -> None:
    assert found(text) == expected


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_text_is_read_and_every_finding_quotes_it(text: str) -> None:
    for finding in READER.understand(text).findings:
        assert finding.clause in normalise(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A way to be reached the agent does not have is a wish for no channel of ours ...
        ("WhatsApp only please.", set()),
        ("LINEで連絡してください。", set()),
        # ... and, wanted, it keeps a refused SMS from meaning e-mail.
        ("No SMS please, call me instead.", set()),
        ("Nicht per SMS, lieber telefonisch.", set()),
        ("No SMS please.", {("refused_channels", "sms")}),
        # Refused, it leaves the channel named beside it.
        ("Please don't call me, email is best.", {("channel", "email")}),
        ("Bitte keine Anrufe, schreiben Sie per E-Mail.", {("channel", "email")}),
        ("Prefiro e-mail, nada de ligações telefónicas.", {("channel", "email")}),
        # Ordinary words that are also the names of apps are not channels.
        ("There is no signal at my office, so email please.", {("channel", "email")}),
        ("I waited in line for two hours, aisle seat please.", {("seat", "aisle")}),
        # Portuguese "ligação" is also a connecting flight.
        ("Evitem ligações em Frankfurt.", {("avoid_cities", "Frankfurt am Main")}),
    ],
)
def test_channels_the_agent_does_not_have(text: str, expected: set[tuple[str, object]]) -> None:
    assert found(text) == expected


def test_someone_elses_wish_with_a_word_before_the_relation() -> None:
    assert found("My elderly mother prefers the window.") == set()
