"""A refused channel is recorded, survives or yields to later statements, and is used last."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airline.models import ChannelKind, ContactChannel, Customer, Preferences
from memory.base import MemoryKind
from memory.preferences import derive_preferences
from memory.records import make_record
from tools.notifications.recipients import choose_channel, with_preferences

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _prefs(*texts: str) -> Preferences:
    return derive_preferences(
        make_record("C1", MemoryKind.PREFERENCE, text, at=T0 + timedelta(days=i))
        for i, text in enumerate(texts)
    )


@pytest.mark.parametrize(
    "text",
    [
        "Don't text me.",
        "Schicken Sie mir keine SMS.",
        "Ne m'envoyez pas de SMS.",
        "No me manden SMS.",
        "不要给我发短信。",
    ],
)
def test_a_bare_refusal_is_recorded_and_no_other_channel_inferred(text: str) -> None:
    prefs = _prefs(text)

    assert prefs.refused_channels == [ChannelKind.SMS]
    assert prefs.channel is None
    assert prefs.sources["refused_channels"] == text


@pytest.mark.parametrize(
    "text",
    [
        "SMS is fine, I rarely check email.",
        "Les SMS me vont, je consulte rarement mes e-mails.",
        "Los SMS están bien, casi nunca miro el correo.",
        "短信可以，我很少看邮件。",
    ],
)
def test_a_channel_accepted_beside_a_refusal_is_the_one_to_use(text: str) -> None:
    assert _prefs(text).channel is ChannelKind.SMS


def test_whatsapp_beside_a_refusal_refuses_only_email() -> None:
    prefs = _prefs("WhatsApp is fine, I never check email.")

    assert (prefs.channel, prefs.refused_channels) == (None, [ChannelKind.EMAIL])


def test_a_language_complaint_refuses_no_channel() -> None:
    assert _prefs("English e-mails are hard for me.").refused_channels == []


def test_a_later_wish_lifts_an_earlier_refusal() -> None:
    prefs = _prefs("I never check my email.", "Please email me from now on.")

    assert (prefs.channel, prefs.refused_channels) == (ChannelKind.EMAIL, [])
    assert "refused_channels" not in prefs.sources


def test_a_later_refusal_overrides_an_earlier_wish() -> None:
    prefs = _prefs("Please email me.", "Don't email me, I never look at it.")

    assert (prefs.channel, prefs.refused_channels) == (None, [ChannelKind.EMAIL])
    assert "channel" not in prefs.sources


def _customer(*kinds: ChannelKind, consent: bool = True) -> Customer:
    return Customer(
        id="C1",
        name="Ada",
        language="en",
        channels=[
            ContactChannel(kind=k, address=f"{k.value}:ada", consent=consent, priority=i)
            for i, k in enumerate(kinds)
        ],
    )


def test_a_refused_channel_goes_after_every_other_consented_one() -> None:
    customer = _customer(ChannelKind.SMS, ChannelKind.EMAIL)
    refused = Preferences(refused_channels=[ChannelKind.SMS])

    chosen = choose_channel(with_preferences(customer, refused))

    assert chosen is not None and chosen.kind is ChannelKind.EMAIL


def test_the_only_consented_channel_is_used_even_if_refused() -> None:
    customer = _customer(ChannelKind.SMS)
    refused = Preferences(refused_channels=[ChannelKind.SMS])

    chosen = choose_channel(with_preferences(customer, refused))

    assert chosen is not None and chosen.kind is ChannelKind.SMS
