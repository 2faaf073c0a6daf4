"""A later bare acceptance of a channel ("Email is fine.") lifts an earlier refusal of it,
without choosing it; an acceptance that is not the writer's own, or not now, lifts nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airline.models import ChannelKind, Preferences
from memory.base import MemoryKind
from memory.preferences import derive_preferences
from memory.records import make_record

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _prefs(*texts: str) -> Preferences:
    return derive_preferences(
        make_record("C1", MemoryKind.PREFERENCE, text, at=T0 + timedelta(days=i))
        for i, text in enumerate(texts)
    )


@pytest.mark.parametrize(
    ("refusal", "acceptance", "channel"),
    [
        ("Please no e-mails.", "Email is fine.", ChannelKind.EMAIL),
        ("Don't text me.", "SMS is OK now.", ChannelKind.SMS),
        ("Schicken Sie mir keine SMS.", "SMS ist jetzt in Ordnung.", ChannelKind.SMS),
    ],
)
def test_a_later_acceptance_lifts_an_earlier_refusal(
    refusal: str, acceptance: str, channel: ChannelKind
) -> None:
    assert _prefs(refusal).refused_channels == [channel]

    prefs = _prefs(refusal, acceptance)

    assert prefs.refused_channels == []
    assert prefs.channel is None  # accepting is not choosing


def test_an_acceptance_before_the_refusal_lifts_nothing() -> None:
    prefs = _prefs("Email is fine.", "Please no e-mails.")

    assert prefs.refused_channels == [ChannelKind.EMAIL]


@pytest.mark.parametrize("acceptance", ["My wife says SMS is fine.", "Last year SMS was fine."])
def test_someone_elses_or_a_past_acceptance_lifts_nothing(acceptance: str) -> None:
    prefs = _prefs("Don't text me.", acceptance)

    assert prefs.refused_channels == [ChannelKind.SMS]


def test_an_acceptance_of_another_channel_keeps_the_refusal() -> None:
    prefs = _prefs("Don't text me.", "Email is fine.")

    assert prefs.refused_channels == [ChannelKind.SMS]
