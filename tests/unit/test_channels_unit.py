"""Channel rules that need no server: SMS segments and numbers, webhook signatures, email
composition and SMTP error mapping, retry timing, placeholder secrets, and the fallback
order over in-process channels.
"""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import aiosmtplib
import pytest

from airline.models import ChannelKind, ContactChannel, Customer
from tools.channels.base import ChannelError, OutboundMessage
from tools.channels.config import is_loopback, require_secret
from tools.channels.fallback import (
    FallbackChannel,
    Route,
    RoutedMessage,
    deliver_with_fallback,
    routes_for,
)
from tools.channels.http_post import RetryPolicy, redact, retry_after
from tools.channels.log import LogChannel
from tools.channels.sms import SmsChannel, e164, plain, segments
from tools.channels.smtp import SmtpChannel, message_id, translate
from tools.channels.webhook import WebhookChannel, encode, sign, verify_signature
from tools.notifications import MessageKind, choose_channel, compose
from travel_agent.errors import ConfigError

SECRET = "3f9c1e0b7a5d4c2e8f6a1b3c5d7e9f0a"


def message(**changes: object) -> RoutedMessage:
    fields: dict[str, object] = {
        "idempotency_key": "notify:d1:C000001",
        "customer_id": "C000001",
        "pnr": "ABC123",
        "kind": "cancelled_rebooked",
        "channel": "email",
        "address": "ada@example.org",
        "language": "fr",
        "subject": "Vol XA102 : changement important",
        "body": "Votre vol XA102 FRA→LHR du 2026-03-01 est annulé.",
    }
    fields.update(changes)
    return RoutedMessage.model_validate(fields)


# --- SMS ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "count"),
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # two septets each: exactly 160
        ("€" * 81, "GSM-7", 2),
        ("Grüße, Ñoño à Ørsted", "GSM-7", 1),
        ("中" * 70, "UCS-2", 1),
        ("中" * 71, "UCS-2", 2),
        ("中" * 134, "UCS-2", 2),
        ("中" * 135, "UCS-2", 3),
        ("a" * 69 + "ê", "UCS-2", 1),  # one non-GSM letter makes the whole text UCS-2
        ("😀" * 35, "UCS-2", 1),  # 70 UTF-16 units
        ("😀" * 36, "UCS-2", 2),
    ],
)
def test_segment_counts_follow_gsm7_and_ucs2(text: str, encoding: str, count: int) -> None:
    split = segments(text)
    assert (split.encoding, split.count) == (encoding, count)
    assert "".join(split.parts) == text


def test_a_part_never_splits_an_escape_or_a_surrogate_pair() -> None:
    gsm = segments("a" * 152 + "€" + "b" * 10)  # € would straddle the 153-septet line
    assert gsm.parts[0] == "a" * 152 and gsm.parts[1].startswith("€")
    ucs = segments("中" * 66 + "😀" + "中" * 5)  # 😀 would straddle the 67-unit line
    assert ucs.parts == ("中" * 66, "😀" + "中" * 5)


def test_typographic_arrows_are_spelt_plainly_only_when_that_makes_the_text_gsm7() -> None:
    assert plain("Ihr Flug FRA→LHR ist verspätet") == "Ihr Flug FRA->LHR ist verspätet"
    assert segments(plain("Your flight FRA→LHR is delayed.")).encoding == "GSM-7"
    # Chinese stays UCS-2 whatever we do, so its arrows stay as they are.
    assert plain("航班 FRA→LHR 延误") == "航班 FRA→LHR 延误"


@pytest.mark.parametrize("kind", list(MessageKind))
@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "zh"])
def test_every_message_with_a_three_leg_itinerary_fits_the_default_sms_limit(
    kind: MessageKind, language: str
) -> None:
    legs = (
        "XA104 FRA 14:30 → LHR 15:45 / XA2210 LHR 17:05 → JFK 20:10 / XA311 JFK 22:00 → BOS 23:15"
    )
    fields = {
        "flight": "XA102",
        "route": "FRA→LHR",
        "date": "2026-03-01",
        "new_dep": "10:05",
        "minutes": "105",
        "itinerary": legs,
        # What the kinds the agent does not send yet need (tools.notifications.SPECS).
        "options": [legs, legs],
        "link": "https://xa.example/c/ABC123",
        "amount": "EUR 249.00",
        "days": "7",
        "gate": "B12",
        "voucher": "V7K3Q9",
        "meal": "EUR 15",
        "hotel": "Hotel Mercure",
        "compensation": "EUR 600",
        "citation": "EU261 Art 7(1)(c)",
        "care_meals": "yes",
        "care_hotel": "yes",
        "refund": "EUR 1240.00",
        "status": "diverted",
    }
    _, body = compose(kind, language, fields)
    channel = SmsChannel("https://sms.example.com/v1/messages", "tok-123")
    _, text, split = channel.prepare(message(channel="sms", address="+447700900123", body=body))
    assert split.count <= channel.max_segments
    # An SMS is one line: an offer's options, one per line in the body, follow each other.
    assert text.replace("->", "→") == " ".join(body.split()).replace("->", "→")


def test_a_too_long_text_is_refused_with_its_segment_count() -> None:
    channel = SmsChannel("https://sms.example.com/v1/messages", "tok-123", max_segments=2)
    too_long = message(channel="sms", address="+447700900123", body="已取消" * 50)
    with pytest.raises(ChannelError, match=r"3 UCS-2 segments.*at most 2") as refused:
        channel.prepare(too_long)
    assert not refused.value.retriable


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("+447700900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("+1 (212) 555-0123", "+12125550123"),
        ("+49-30-23125-1234", "+4930231251234"),
    ],
)
def test_e164_numbers_are_accepted_with_their_usual_formatting(written: str, number: str) -> None:
    assert e164(written) == number


@pytest.mark.parametrize(
    "written", [None, "", "07700 900123", "+0123456789", "+12", "+1234567890123456", "+44 77a0"]
)
def test_anything_else_is_not_a_number_and_final(written: str | None) -> None:
    with pytest.raises(ChannelError, match=r"E\.164") as refused:
        e164(written)
    assert not refused.value.retriable


# --- webhook --------------------------------------------------------------------------


def test_a_signature_verifies_only_for_the_same_body_secret_and_fresh_timestamp() -> None:
    body = encode(message(channel="webhook", address="https://hooks.example.com/x"))
    header = sign(SECRET, body, 1_772_000_000)
    assert verify_signature(SECRET, body, header, "1772000000", now=1_772_000_100)
    assert not verify_signature(SECRET, body + b" ", header, "1772000000", now=1_772_000_100)
    assert not verify_signature(SECRET[::-1], body, header, "1772000000", now=1_772_000_100)
    assert not verify_signature(SECRET, body, header, "1772000001", now=1_772_000_100)
    assert not verify_signature(SECRET, body, header, "1772000000", now=1_772_000_301)
    assert not verify_signature(SECRET, body, header.upper(), "1772000000", now=1_772_000_100)
    for broken in (None, "", "sha1=" + header[7:], "sha256=", header[7:]):
        assert not verify_signature(SECRET, body, broken, "1772000000", now=1_772_000_100)
    assert not verify_signature(SECRET, body, header, "not-a-number", now=1_772_000_100)


def test_the_webhook_body_is_the_message_alone_in_utf8() -> None:
    routed = message(
        channel="webhook",
        address="https://hooks.example.com/x",
        alternatives=[Route(channel="sms", address="+447700900123")],
    )
    body = encode(routed)
    assert "annulé".encode() in body and b"\\u" not in body
    assert b"alternatives" not in body and b"+447700900123" not in body


@pytest.mark.parametrize(
    "secret", [None, "", "  ", "changeme", "CHANGEME", "<secret>", "${SECRET}"]
)
def test_a_placeholder_webhook_secret_stops_start_up(secret: str | None) -> None:
    with pytest.raises(ConfigError, match="TRAVEL_AGENT_WEBHOOK__SECRET"):
        WebhookChannel(secret)


def test_a_short_webhook_secret_is_refused_with_how_to_make_one() -> None:
    with pytest.raises(ConfigError, match="token_hex"):
        WebhookChannel("short")


def test_webhooks_go_over_https_except_to_this_machine() -> None:
    with pytest.raises(ConfigError, match="https"):
        WebhookChannel(SECRET, url="http://hooks.example.com/x")
    WebhookChannel(SECRET, url="http://127.0.0.1:8080/x")
    channel = WebhookChannel(SECRET, url="https://ops.example.com/feed")
    with pytest.raises(ChannelError, match="https") as refused:
        channel.target(message(channel="webhook", address="http://hooks.example.com/x"))
    assert not refused.value.retriable
    # Messages for other channels go to the configured endpoint.
    assert channel.target(message()) == "https://ops.example.com/feed"


def test_a_webhook_message_without_anywhere_to_go_is_final() -> None:
    with pytest.raises(ChannelError, match="no webhook address") as refused:
        WebhookChannel(SECRET).target(message(channel="webhook", address=None))
    assert not refused.value.retriable


# --- SMS and SMTP configuration -------------------------------------------------------


def test_sms_settings_are_checked_at_start_up() -> None:
    with pytest.raises(ConfigError, match="TRAVEL_AGENT_SMS__TOKEN"):
        SmsChannel("https://sms.example.com/v1/messages", "changeme")
    with pytest.raises(ConfigError, match="https"):
        SmsChannel("http://sms.example.com/v1/messages", "tok-123")
    with pytest.raises(ConfigError, match="MAX_SEGMENTS"):
        SmsChannel("https://sms.example.com/v1/messages", "tok-123", max_segments=0)


def test_smtp_settings_are_checked_at_start_up() -> None:
    sender = "Example Air <noreply@example.com>"
    with pytest.raises(ConfigError, match="PASSWORD"):
        SmtpChannel("smtp.example.com", from_address=sender, username="agent", password="changeme")
    with pytest.raises(ConfigError, match="both"):
        SmtpChannel("smtp.example.com", from_address=sender, username="agent")
    with pytest.raises(ConfigError, match="clear text"):
        SmtpChannel(
            "smtp.example.com",
            from_address=sender,
            username="agent",
            password="pw-0123",
            starttls=False,
        )
    with pytest.raises(ConfigError, match="not both"):
        SmtpChannel("smtp.example.com", from_address=sender, implicit_tls=True)
    with pytest.raises(ConfigError, match="FROM_ADDRESS"):
        SmtpChannel("smtp.example.com", from_address="Example Air")


@pytest.mark.parametrize("secret", ["changeme", "change-me", "your-token-here", "xxxx", "TODO"])
def test_placeholders_are_recognised(secret: str) -> None:
    with pytest.raises(ConfigError, match="placeholder"):
        require_secret(secret, setting="X")


def test_loopback_hosts() -> None:
    assert all(map(is_loopback, ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"]))
    assert not any(map(is_loopback, ["example.com", "10.0.0.1", "localhost.example.com"]))


# --- email ----------------------------------------------------------------------------


def smtp() -> SmtpChannel:
    return SmtpChannel("smtp.example.com", from_address="Example Air <noreply@example.com>")


def test_an_email_is_utf8_with_a_message_id_from_its_key() -> None:
    composed = smtp().compose(message(subject="航班 XA102：\r\n重要变更", body="您的航班已取消。"))
    received = message_from_bytes(composed.as_bytes(), policy=default_policy)
    assert isinstance(received, EmailMessage)
    assert received["Subject"] == "航班 XA102： 重要变更"  # one line: no header injection
    assert received.get_content().strip() == "您的航班已取消。"
    assert received["Message-ID"] == message_id("notify:d1:C000001", "example.com")
    assert received["Content-Language"] == "fr"
    assert received["Auto-Submitted"] == "auto-generated"
    assert max(len(line) for line in composed.as_bytes().splitlines()) <= 78


def test_the_same_key_gives_the_same_message_id_and_another_key_another() -> None:
    first = smtp().compose(message())["Message-ID"]
    assert smtp().compose(message())["Message-ID"] == first
    assert smtp().compose(message(idempotency_key="notify:d2:C000001"))["Message-ID"] != first


@pytest.mark.parametrize("address", [None, "", "ada", "ada@", "@example.org", "a b@example.org"])
def test_an_address_that_is_not_email_is_final(address: str | None) -> None:
    with pytest.raises(ChannelError, match="not an email address") as refused:
        smtp().compose(message(address=address))
    assert not refused.value.retriable


@pytest.mark.parametrize(
    ("error", "retriable"),
    [
        (aiosmtplib.SMTPResponseException(421, "closing"), True),
        (aiosmtplib.SMTPDataError(451, "greylisted"), True),
        (aiosmtplib.SMTPDataError(452, "full"), True),
        (aiosmtplib.SMTPDataError(554, "rejected as spam"), False),
        (aiosmtplib.SMTPDataError(552, "too big"), False),
        (aiosmtplib.SMTPSenderRefused(552, "size exceeds", "noreply@example.com"), False),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(550, "no such user", "a@example.org")]
            ),
            False,
        ),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(450, "mailbox busy", "a@example.org")]
            ),
            True,
        ),
        (aiosmtplib.SMTPAuthenticationError(535, "bad credentials"), True),
        (aiosmtplib.SMTPSenderRefused(553, "not our domain", "noreply@example.com"), True),
        (aiosmtplib.SMTPConnectError("refused"), True),
        (aiosmtplib.SMTPServerDisconnected("gone"), True),
        (aiosmtplib.SMTPReadTimeoutError("slow"), True),
        (ConnectionRefusedError(111, "refused"), True),
        (socket.gaierror(-2, "no such host"), True),
        (aiosmtplib.SMTPNotSupported("SMTPUTF8 is not supported"), False),
        (ValueError("address cannot be sent safely"), False),
    ],
)
def test_smtp_errors_map_to_retriable_or_final(error: Exception, retriable: bool) -> None:
    assert translate(error).retriable is retriable


# --- HTTP retries ---------------------------------------------------------------------


def test_backoff_doubles_up_to_its_cap() -> None:
    policy = RetryPolicy(retries=6, backoff=0.5, max_backoff=4.0)
    assert [policy.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = 1_772_000_000.0  # 2026-02-25 06:13:20 GMT
    assert retry_after("7", now=now) == 7.0
    assert retry_after("Wed, 25 Feb 2026 06:13:50 GMT", now=now) == 30.0
    assert retry_after("Wed, 25 Feb 2026 06:00:00 GMT", now=now) == 0.0
    for unusable in (None, "", "soon", "-3", "1.5"):
        assert retry_after(unusable, now=now) is None


def test_urls_in_errors_keep_no_credentials_or_query() -> None:
    assert redact("https://u:pw@hooks.example.com:8443/x?token=s3cret") == (
        "https://hooks.example.com:8443/x"
    )


# --- fallback -------------------------------------------------------------------------


class Recorder:
    """An in-process channel that fails as told and keeps what it delivered."""

    def __init__(self, name: str, error: ChannelError | None = None) -> None:
        self.name = name
        self.error = error
        self.delivered: list[OutboundMessage] = []
        self.calls = 0

    async def deliver(self, message: OutboundMessage) -> None:
        self.calls += 1
        if self.error is not None:
            raise self.error
        self.delivered.append(message)


TEMPORARY = ChannelError("try later", retriable=True)
FINAL = ChannelError("never", retriable=False)


def routed(*alternatives: tuple[str, str]) -> RoutedMessage:
    return message(
        channel="webhook",
        address="https://hooks.example.com/x",
        alternatives=[Route(channel=c, address=a) for c, a in alternatives],
    )


async def test_the_first_route_that_works_delivers_and_is_named() -> None:
    webhook, sms, email = Recorder("webhook", TEMPORARY), Recorder("sms", FINAL), Recorder("email")
    channels = {"webhook": webhook, "sms": sms, "email": email}
    delivery = await deliver_with_fallback(
        routed(("sms", "+447700900123"), ("email", "ada@example.org")), channels
    )
    assert delivery.route == Route(channel="email", address="ada@example.org")
    assert [(f.route.channel, f.retriable) for f in delivery.failures] == [
        ("webhook", True),
        ("sms", False),
    ]
    (sent,) = email.delivered
    assert type(sent) is OutboundMessage  # the channel sees no other addresses
    assert (sent.channel, sent.address) == ("email", "ada@example.org")


async def test_the_preferred_route_is_used_alone_when_it_works() -> None:
    webhook, email = Recorder("webhook"), Recorder("email")
    delivery = await deliver_with_fallback(
        routed(("email", "ada@example.org")), {"webhook": webhook, "email": email}
    )
    assert not delivery.fell_back and delivery.route.channel == "webhook"
    assert email.delivered == []


async def test_unconfigured_channels_are_skipped_and_the_log_takes_what_nothing_else_can() -> None:
    email, log = Recorder("email"), LogChannel()
    delivery = await deliver_with_fallback(
        routed(("sms", "+447700900123"), ("email", "ada@example.org")),
        {"email": email},
        default=log,
    )
    assert delivery.route.channel == "email" and log.delivered == 0
    delivery = await deliver_with_fallback(routed(("sms", "+447700900123")), {}, default=log)
    assert delivery.route.channel == "log" and log.delivered == 1


async def test_when_every_route_fails_the_log_does_not_pretend_to_deliver() -> None:
    log = LogChannel()
    channels = {"webhook": Recorder("webhook", FINAL), "email": Recorder("email", TEMPORARY)}
    with pytest.raises(ChannelError, match="webhook: never; email: try later") as failed:
        await deliver_with_fallback(routed(("email", "ada@example.org")), channels, default=log)
    assert failed.value.retriable  # one failure was temporary: the relay tries again later
    assert log.delivered == 0
    channels["email"] = Recorder("email", FINAL)
    with pytest.raises(ChannelError) as final:
        await deliver_with_fallback(routed(("email", "ada@example.org")), channels, default=log)
    assert not final.value.retriable


async def test_nothing_configured_and_no_default_is_a_final_error() -> None:
    with pytest.raises(ChannelError, match="no channel is configured") as failed:
        await deliver_with_fallback(routed(), {})
    assert not failed.value.retriable


async def test_a_route_listed_twice_is_tried_once() -> None:
    webhook = Recorder("webhook", TEMPORARY)
    duplicate = ("webhook", "https://hooks.example.com/x")
    with pytest.raises(ChannelError):
        await deliver_with_fallback(routed(duplicate, duplicate), {"webhook": webhook})
    assert webhook.calls == 1


async def test_the_fallback_channel_counts_who_delivered() -> None:
    channels = {"webhook": Recorder("webhook", TEMPORARY), "email": Recorder("email")}
    fallback = FallbackChannel(channels, default=LogChannel())
    await fallback.deliver(routed(("email", "ada@example.org")))
    await fallback.deliver(message(channel="log", address=None))
    assert fallback.delivered_by == {"email": 1, "log": 1}


def test_routes_follow_consent_and_priority_and_start_with_the_chosen_channel() -> None:
    customer = Customer(
        id="C000001",
        name="Ada",
        language="en",
        channels=[
            ContactChannel(
                kind=ChannelKind.EMAIL, address="ada@example.org", consent=True, priority=1
            ),
            ContactChannel(
                kind=ChannelKind.SMS, address="+447700900123", consent=False, priority=0
            ),
            ContactChannel(
                kind=ChannelKind.WEBHOOK, address="https://h.example.com", consent=True, priority=2
            ),
        ],
    )
    routes = routes_for(customer)
    assert routes == [
        Route(channel="email", address="ada@example.org"),
        Route(channel="webhook", address="https://h.example.com"),
    ]
    chosen = choose_channel(customer)
    assert chosen is not None and routes[0].channel == chosen.kind.value
    assert routes_for(customer.model_copy(update={"channels": []})) == []


def test_a_routed_message_survives_the_outbox_round_trip() -> None:
    original = routed(("email", "ada@example.org"))
    assert RoutedMessage.model_validate(original.model_dump(mode="json")) == original
    # The relay of today reads it as a plain message, alternatives ignored.
    plain_message = OutboundMessage.model_validate(original.model_dump(mode="json"))
    assert plain_message.channel == "webhook"
