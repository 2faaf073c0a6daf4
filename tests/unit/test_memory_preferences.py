"""Preferences derived from memory: one table of wordings, newest wins, sources cited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airline.models import ChannelKind, Preferences, SeatPreference, SetAsideNote
from memory.base import MemoryKind, MemoryRecord
from memory.preferences import derive_preferences
from memory.records import make_record
from memory.seed import CHANGES_OF_MIND, INJECTIONS, NOTES, STATEMENTS

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _prefs(*texts: str, kind: MemoryKind = MemoryKind.PREFERENCE) -> Preferences:
    return derive_preferences(
        make_record("C1", kind, text, at=T0 + timedelta(days=i)) for i, text in enumerate(texts)
    )


def _fields(prefs: Preferences) -> dict[str, Any]:
    return prefs.model_dump(mode="json", exclude={"sources", "authors"}, exclude_defaults=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("only text me", {"channel": "sms"}),
        ("Please only text me, I never read email.", {"channel": "sms"}),
        ("Don't text me, email only.", {"channel": "email"}),
        ("Stop sending me SMS, send me an email instead.", {"channel": "email"}),
        ("Ich lese nur Deutsch", {"language": "de"}),
        ("please write in German", {"language": "de"}),
        ("Please write to me in German, my English is not great.", {"language": "de"}),
        ("Bitte nicht auf Englisch, nur Deutsch.", {"language": "de"}),
        ("Merci de m'écrire en français.", {"language": "fr"}),
        ("请用中文给我发消息。", {"language": "zh"}),
        ("Aisle seat please.", {"seat": "aisle"}),
        ("I'd like a window seat.", {"seat": "window"}),
        ("no red-eyes", {"avoid_overnight": True}),
        ("never an overnight flight", {"avoid_overnight": True}),
        ("Keine Nachtflüge bitte.", {"avoid_overnight": True}),
        ("Red-eyes are fine now.", {}),  # False is the default: present, not a refusal
        ("Needs a wheelchair to the gate.", {"accessibility": ["wheelchair"]}),
        ("Passenger with reduced mobility.", {"accessibility": ["reduced mobility"]}),
        (
            "travelling with an unaccompanied minor",
            {"accessibility": ["unaccompanied minor"]},
        ),
        (
            "WCHR booked, and she is hard of hearing.",
            {"accessibility": ["wheelchair", "hearing impairment"]},
        ),
        # Nothing to take from these.
        ("Customer is German and flew in from Munich.", {}),
        ("Was stranded overnight in FRA, hotel provided.", {}),
        ("Customer sent an email complaining about the delay.", {}),
        ("The window was dirty.", {}),
        ("No wheelchair needed any more.", {}),
    ],
)
def test_a_statement_yields_its_preference(text: str, expected: dict[str, Any]) -> None:
    prefs = _prefs(text)

    assert _fields(prefs) == expected
    assert set(prefs.sources) == set(expected) or expected == {}
    for field in expected:
        assert prefs.sources[field] == text


@pytest.mark.parametrize(
    "statement",
    [s for pool in STATEMENTS.values() for s in pool],
    ids=lambda s: s.text[:40],
)
def test_every_seeded_statement_derives_what_it_states(statement: Any) -> None:
    prefs = _prefs(statement.text)

    value = getattr(prefs, statement.field)
    if statement.field == "accessibility":
        assert value == [statement.value]
    else:
        assert value == statement.value
    assert prefs.sources[statement.field] == statement.text


@pytest.mark.parametrize(("older", "newer"), CHANGES_OF_MIND, ids=lambda s: s.field)
def test_the_newest_statement_wins(older: Any, newer: Any) -> None:
    prefs = _prefs(older.text, newer.text)
    reordered = derive_preferences(
        [
            make_record("C1", MemoryKind.PREFERENCE, newer.text, at=T0 + timedelta(days=9)),
            make_record("C1", MemoryKind.PREFERENCE, older.text, at=T0),
        ]
    )

    assert getattr(prefs, newer.field) == newer.value
    assert prefs.sources[newer.field] == newer.text
    assert reordered == prefs


def test_accessibility_needs_accumulate_and_cite_every_source() -> None:
    prefs = _prefs("Needs a wheelchair at the gate.", "Travels with a guide dog.")

    assert prefs.accessibility == ["wheelchair", "service animal"]
    assert prefs.sources["accessibility"] == (
        "Travels with a guide dog. | Needs a wheelchair at the gate."
    )


def test_notes_count_but_outcomes_and_our_messages_do_not() -> None:
    records: list[MemoryRecord] = [
        make_record("C1", MemoryKind.OUTCOME, "Rebooked onto a red-eye, aisle seat.", at=T0),
        make_record("C1", MemoryKind.MESSAGE, "We will text you the new gate.", at=T0),
        make_record("C1", MemoryKind.NOTE, "Ops: she needs a wheelchair.", at=T0),
    ]

    prefs = derive_preferences(records)

    assert _fields(prefs) == {"accessibility": ["wheelchair"]}


@pytest.mark.parametrize("text", INJECTIONS)
def test_injected_notes_set_nothing_and_are_set_aside(text: str) -> None:
    prefs = _prefs(text.format(hub="FRA", flight="LH400"), kind=MemoryKind.NOTE)

    assert prefs.set_aside == [SetAsideNote(author="unknown")]
    assert prefs.model_copy(update={"set_aside": []}) == Preferences()


@pytest.mark.parametrize("text", NOTES[:3])
def test_chatty_staff_notes_set_nothing(text: str) -> None:
    # As the seed writes them: by ops (a tier in a staff note is its record, no order).
    record = make_record(
        "C1",
        MemoryKind.NOTE,
        text.format(hub="FRA", flight="LH400"),
        at=T0,
        metadata={"author": "ops"},
    )

    assert derive_preferences([record]) == Preferences()


def test_no_memory_no_preferences() -> None:
    assert derive_preferences([]) == Preferences()


def test_channel_and_seat_are_typed() -> None:
    prefs = _prefs("only text me", "aisle please")

    assert prefs.channel is ChannelKind.SMS
    assert prefs.seat is SeatPreference.AISLE


def test_the_reasoners_context_quotes_memory_as_data() -> None:
    from memory.base import CustomerProfile
    from memory.context import DATA_NOT_INSTRUCTIONS, profile_for_reasoner

    records = [
        make_record("C1", MemoryKind.NOTE, INJECTIONS[0], at=T0 + timedelta(days=2)),
        make_record("C1", MemoryKind.PREFERENCE, "No red-eyes, please.", at=T0),
    ]
    profile = CustomerProfile(
        customer_id="C1", preferences=derive_preferences(records), history=records
    )

    context = profile_for_reasoner(profile, history=1)

    assert context["about"] == DATA_NOT_INSTRUCTIONS
    assert context["preferences"]["avoid_overnight"] is True
    assert context["preference_sources"] == {"avoid_overnight": "No red-eyes, please."}
    assert context["recent_history"] == [
        {"at": "2026-01-03", "kind": "note", "text": INJECTIONS[0]}
    ]
