"""The channels against real servers on 127.0.0.1: an SMTP server (aiosmtpd) and HTTP
receivers (a small HTTP/1.1 server on asyncio streams) — a webhook receiver that checks
signatures with `verify_signature`, and an SMS provider's API.

Nothing here sleeps on the wall clock: the HTTP channels get a `sleep` that records the
backoff it was asked for, and every assertion is on what the servers received.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import select

from agent.relay import MAX_ATTEMPTS, OutboxRelay
from airline.clock import SimulatedClock
from app.migrate import open_database
from streams.embedded import EmbeddedBroker, EmbeddedSink
from streams.events import TOPIC_NOTIFICATIONS
from tests.conftest import missing_service
from tools.channels.base import Channel, ChannelError, OutboundMessage
from tools.channels.fallback import (
    FallbackChannel,
    Route,
    RoutedMessage,
    deliver_with_fallback,
)
from tools.channels.http_post import RetryPolicy
from tools.channels.log import LogChannel
from tools.channels.sms import SmsChannel
from tools.channels.smtp import SmtpChannel, message_id
from tools.channels.webhook import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookChannel,
    verify_signature,
)
from tools.tables import OutboxRow

pytestmark = pytest.mark.integration

SECRET = "3f9c1e0b7a5d4c2e8f6a1b3c5d7e9f0a"
TOKEN = "sms-test-token-5d1c"
SENDER = "Example Air <noreply@example.com>"
RETRY = RetryPolicy(retries=3, backoff=0.5, max_backoff=8.0, max_retry_after=30.0)
TEXTS = {
    "en": ("Flight XA102: important change", "Your flight XA102 FRA→LHR is cancelled."),
    "de": ("Flug XA102: wichtige Änderung", "Ihr Flug XA102 FRA→LHR ist annulliert. Grüße"),
    "fr": ("Vol XA102 : changement important", "Votre vol XA102 a été dérouté. Très bien."),
    "es": ("Vuelo XA102: cambio importante", "Su vuelo XA102 está cancelado. ¿Señal?"),
    "zh": ("航班 XA102：重要变更", "您 2026-03-01 的航班 XA102（FRA→LHR）已取消。"),
}


def message(
    key: str = "notify:d1:C000001",
    *,
    channel: str = "email",
    address: str | None = "ada.lovelace1@example.org",
    language: str = "de",
    alternatives: list[Route] | None = None,
) -> RoutedMessage:
    subject, body = TEXTS[language]
    return RoutedMessage(
        idempotency_key=key,
        customer_id="C000001",
        pnr="ABC123",
        kind="cancelled_rebooked",
        channel=channel,
        address=address,
        language=language,
        subject=subject,
        body=body,
        alternatives=alternatives or [],
    )


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class Sleeps(list[float]):
    """An injectable `sleep` that records instead of waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


# --- a real SMTP server ---------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts.

    Args:
        refuse: recipients answered with 550 at RCPT.
        data_replies: answers to the first DATA commands (e.g. a 451), then 250.
    """

    def __init__(self, *, refuse: set[str] | None = None, data_replies: list[str] | None = None):
        self.refuse = refuse or set()
        self.data_replies = list(data_replies or [])
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.rcpt_calls = 0
        self.data_calls = 0
        self.sessions: set[int] = set()

    async def handle_RCPT(
        self, server: SmtpServer, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        self.rcpt_calls += 1
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SmtpServer, session: Session, envelope: Envelope) -> str:
        self.data_calls += 1
        self.sessions.add(id(session))
        if self.data_replies:
            return self.data_replies.pop(0)
        assert isinstance(envelope.content, bytes)
        parsed = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 2.0.0 Message accepted"

    def by_message_id(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]) for m in self.messages)


class FreePortController(Controller):
    """aiosmtpd's threaded controller, listening on a port the OS picks (no races)."""

    def _create_server(self) -> Any:
        async def create() -> asyncio.AbstractServer:
            server = await self.loop.create_server(
                self._factory_invoker, host=self.hostname, port=0, ssl=self.ssl_context
            )
            self.port = server.sockets[0].getsockname()[1]
            return server

        return create()


@contextlib.contextmanager
def smtp_server(handler: Mailbox, **smtp_options: Any) -> Iterator[FreePortController]:
    controller = FreePortController(handler, hostname="127.0.0.1", **smtp_options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def smtp_channel(server: FreePortController, **options: Any) -> SmtpChannel:
    options.setdefault("starttls", False)
    return SmtpChannel("127.0.0.1", server.port, from_address=SENDER, timeout=10, **options)


# --- real HTTP receivers --------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class HttpReceiver:
    """A minimal HTTP/1.1 server (keep-alive, Content-Length bodies) on 127.0.0.1.

    Args:
        respond: the answer to each request; every request is kept in `requests`.
    """

    def __init__(self, respond: Callable[[Request], Reply]) -> None:
        self.respond = respond
        self.requests: list[Request] = []
        self._handlers: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self.url = ""

    async def __aenter__(self) -> HttpReceiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        # Closing our end ends each handler's read loop (cancelling them would log errors).
        for writer in list(self._writers):
            writer.close()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self._writers.add(writer)
        try:
            while request := await self._read(reader):
                self.requests.append(request)
                reply = self.respond(request)
                reason = {200: "OK", 201: "Created"}.get(reply.status, "Status")
                head = [f"HTTP/1.1 {reply.status} {reason}", f"Content-Length: {len(reply.body)}"]
                head += [f"{k}: {v}" for k, v in reply.headers.items()]
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + reply.body)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._handlers.discard(task)
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    @staticmethod
    async def _read(reader: asyncio.StreamReader) -> Request | None:
        line = await reader.readline()
        if not line.strip():
            return None
        method, path, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return Request(method, path, headers, body)

    def keys(self) -> list[str]:
        return [r.headers.get(IDEMPOTENCY_HEADER.lower(), "") for r in self.requests]


class WebhookReceiver(HttpReceiver):
    """Verifies each request's signature; 401 when it fails, else `script`'s answer.

    Args:
        script: statuses for the n-th request of each idempotency key; the last repeats.
        secret: the shared secret it verifies with.
        extra: headers to add to every non-2xx answer (e.g. Retry-After).
    """

    def __init__(
        self,
        script: list[int] | None = None,
        *,
        secret: str = SECRET,
        extra: dict[str, str] | None = None,
    ) -> None:
        super().__init__(self._answer)
        self.script = script or [200]
        self.secret = secret
        self.extra = extra or {}
        self.verified: list[bool] = []
        self.accepted: Counter[str] = Counter()
        self._seen: Counter[str] = Counter()

    def _answer(self, request: Request) -> Reply:
        ok = verify_signature(
            self.secret,
            request.body,
            request.headers.get(SIGNATURE_HEADER.lower()),
            request.headers.get(TIMESTAMP_HEADER.lower()),
            tolerance=300,
        )
        self.verified.append(ok)
        if not ok:
            return Reply(401, b"bad signature")
        key = request.headers.get(IDEMPOTENCY_HEADER.lower(), "")
        status = self.script[min(self._seen[key], len(self.script) - 1)]
        self._seen[key] += 1
        if 200 <= status < 300:
            self.accepted[key] += 1
            return Reply(status)
        return Reply(status, b"not now", dict(self.extra))


class SmsProvider(HttpReceiver):
    """A generic SMS API: bearer token, JSON {to, body, reference}; 201 accepts.

    Args:
        script: statuses for the n-th request of each reference; the last repeats.
    """

    def __init__(self, script: list[int] | None = None) -> None:
        super().__init__(self._answer)
        self.script = script or [201]
        self.accepted: dict[str, dict[str, str]] = {}
        self._seen: Counter[str] = Counter()

    def _answer(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return Reply(401, b'{"error":"unauthorized"}')
        sms = json.loads(request.body)
        if set(sms) - {"from"} != {"to", "body", "reference"}:
            return Reply(422, b'{"error":"to, body and reference are required"}')
        status = self.script[min(self._seen[sms["reference"]], len(self.script) - 1)]
        self._seen[sms["reference"]] += 1
        if status == 201:
            assert sms["reference"] not in self.accepted, "the provider would send it twice"
            self.accepted[sms["reference"]] = sms
            return Reply(201, json.dumps({"id": f"sms-{len(self.accepted)}"}).encode())
        return Reply(status, b'{"error":"scripted"}')


@contextlib.asynccontextmanager
async def webhook_channel(sleeps: Sleeps, **options: Any) -> AsyncIterator[WebhookChannel]:
    async with WebhookChannel(SECRET, retry=RETRY, sleep=sleeps, **options) as channel:
        yield channel


@contextlib.asynccontextmanager
async def sms_channel(
    provider: SmsProvider, sleeps: Sleeps, **options: Any
) -> AsyncIterator[SmsChannel]:
    async with SmsChannel(
        provider.url, options.pop("token", TOKEN), retry=RETRY, sleep=sleeps, **options
    ) as channel:
        yield channel


# --- email ----------------------------------------------------------------------------


async def test_email_arrives_intact_in_every_language_over_one_connection() -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as server:
        async with smtp_channel(server) as channel:
            for n, language in enumerate(TEXTS):
                await channel.deliver(message(f"notify:d1:C00000{n}", language=language))
    assert len(mailbox.messages) == len(TEXTS)
    for n, (language, received) in enumerate(zip(TEXTS, mailbox.messages, strict=True)):
        subject, body = TEXTS[language]
        assert received["Subject"] == subject
        assert received.get_content().strip() == body
        assert received.get_content_charset() == "utf-8"
        assert received["Content-Language"] == language
        assert received["Message-ID"] == message_id(f"notify:d1:C00000{n}", "example.com")
        assert received["From"] == SENDER
        assert received["To"] == "ada.lovelace1@example.org"
    assert mailbox.envelopes[0] == ("noreply@example.com", ["ada.lovelace1@example.org"])
    assert len(mailbox.sessions) == 1, "the connection is reused between messages"


async def test_a_451_is_retriable_and_the_retry_is_the_same_message() -> None:
    mailbox = Mailbox(data_replies=["451 4.3.0 Try again later"])
    with smtp_server(mailbox) as server:
        async with smtp_channel(server) as channel:
            with pytest.raises(ChannelError, match="451") as failed:
                await channel.deliver(message("notify:d1:C000001"))
            assert failed.value.retriable
            await channel.deliver(message("notify:d1:C000001"))
    assert mailbox.data_calls == 2
    assert mailbox.by_message_id() == {message_id("notify:d1:C000001", "example.com"): 1}


async def test_a_550_is_final_and_tried_once() -> None:
    mailbox = Mailbox(refuse={"nobody@example.org"})
    with smtp_server(mailbox) as server:
        async with smtp_channel(server) as channel:
            with pytest.raises(ChannelError, match="550") as failed:
                await channel.deliver(message(address="nobody@example.org"))
            # The session survives a refusal: the next message goes on the same connection.
            await channel.deliver(message("notify:d1:C000002"))
    assert not failed.value.retriable
    assert mailbox.rcpt_calls == 2
    assert len(mailbox.messages) == 1


async def test_no_server_is_retriable() -> None:
    async with SmtpChannel(
        "127.0.0.1", closed_port(), from_address=SENDER, starttls=False, timeout=5
    ) as channel:
        with pytest.raises(ChannelError) as failed:
            await channel.deliver(message())
    assert failed.value.retriable


async def test_a_connection_the_server_closed_while_idle_is_replaced() -> None:
    mailbox = Mailbox()
    # aiosmtpd closes a connection idle for `timeout` seconds, as real servers do.
    with smtp_server(mailbox, timeout=0.3) as server:
        async with smtp_channel(server) as channel:
            await channel.deliver(message("notify:d1:C000001"))
            for _ in range(100):
                if not channel.connected:
                    break
                await asyncio.sleep(0.05)
            assert not channel.connected, "the server did not close the idle connection"
            await channel.deliver(message("notify:d1:C000002"))
    assert len(mailbox.messages) == 2
    assert len(mailbox.sessions) == 2


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl), as (cert, key)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", str(key), "-out", str(cert),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        missing_service(f"openssl could not make a test certificate: {exc}")
    return cert, key


async def test_starttls_and_login_with_a_verified_certificate(
    certificate: tuple[Path, Path],
) -> None:
    import ssl

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(
        server: SmtpServer, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        ok = data.password == b"s3cret-Pa55"
        return AuthResult(success=ok, handled=False, auth_data=data)

    mailbox = Mailbox()
    with smtp_server(
        mailbox, tls_context=context, require_starttls=True, authenticator=authenticate
    ) as server:
        options = {"starttls": True, "ca_file": str(cert), "username": "agent"}
        async with smtp_channel(server, password="s3cret-Pa55", **options) as channel:
            await channel.deliver(message())
        async with smtp_channel(server, password="wrong-Pa55", **options) as channel:
            with pytest.raises(ChannelError, match="credentials") as failed:
                await channel.deliver(message("notify:d1:C000002"))
    assert failed.value.retriable, "bad credentials are ours to fix, not the message's"
    # aiosmtplib tries each mechanism the server offers before it gives up.
    assert logins[0] == (b"agent", b"s3cret-Pa55")
    assert set(logins[1:]) == {(b"agent", b"wrong-Pa55")}
    assert len(mailbox.messages) == 1


# --- webhook --------------------------------------------------------------------------


async def test_a_webhook_is_signed_and_its_utf8_json_arrives_intact() -> None:
    sleeps = Sleeps()
    async with WebhookReceiver() as receiver, webhook_channel(sleeps) as channel:
        sent = message(channel="webhook", address=receiver.url, language="zh")
        await channel.deliver(sent)
    (request,) = receiver.requests
    assert receiver.verified == [True]
    assert request.method == "POST" and request.path == "/hook"
    assert request.headers["content-type"].startswith("application/json")
    assert request.headers[IDEMPOTENCY_HEADER.lower()] == sent.idempotency_key
    payload = json.loads(request.body.decode("utf-8"))
    assert payload == sent.model_dump(include=set(OutboundMessage.model_fields))
    assert payload["body"] == TEXTS["zh"][1]
    assert "alternatives" not in payload, "the passenger's other addresses stay with us"
    # A tampered body, or a replay signed for another moment, does not verify.
    header = request.headers[SIGNATURE_HEADER.lower()]
    timestamp = request.headers[TIMESTAMP_HEADER.lower()]
    tampered = request.body.replace(b"ABC123", b"ABC124")
    assert verify_signature(SECRET, request.body, header, timestamp)
    assert not verify_signature(SECRET, tampered, header, timestamp)
    assert not verify_signature(SECRET, request.body, header, str(int(timestamp) + 1))
    assert not verify_signature("another-secret-0123456789", request.body, header, timestamp)
    assert sleeps == []


async def test_a_receiver_with_another_secret_refuses_and_is_not_retried() -> None:
    sleeps = Sleeps()
    async with (
        WebhookReceiver(secret="the-receivers-own-secret-42") as receiver,
        webhook_channel(sleeps, url=receiver.url) as channel,
    ):
        with pytest.raises(ChannelError, match="401") as failed:
            await channel.deliver(message())
    assert not failed.value.retriable
    assert receiver.verified == [False]
    assert sleeps == []


async def test_two_503s_then_success_backs_off_and_delivers_once() -> None:
    sleeps = Sleeps()
    async with WebhookReceiver([503, 503, 200]) as receiver, webhook_channel(sleeps) as channel:
        await channel.deliver(message(channel="webhook", address=receiver.url))
    assert len(receiver.requests) == 3
    assert all(receiver.verified)
    assert set(receiver.keys()) == {"notify:d1:C000001"}
    assert receiver.accepted == {"notify:d1:C000001": 1}
    assert sleeps == [0.5, 1.0]


async def test_always_500_gives_up_after_the_retries_and_stays_retriable() -> None:
    sleeps = Sleeps()
    async with WebhookReceiver([500]) as receiver, webhook_channel(sleeps) as channel:
        with pytest.raises(ChannelError, match="500") as failed:
            await channel.deliver(message(channel="webhook", address=receiver.url))
    assert failed.value.retriable
    assert len(receiver.requests) == RETRY.retries + 1
    assert sleeps == [0.5, 1.0, 2.0]


async def test_a_429_waits_as_long_as_retry_after_says() -> None:
    sleeps = Sleeps()
    async with (
        WebhookReceiver([429, 200], extra={"Retry-After": "2"}) as receiver,
        webhook_channel(sleeps) as channel,
    ):
        await channel.deliver(message(channel="webhook", address=receiver.url))
    assert len(receiver.requests) == 2
    assert sleeps == [2.0]


async def test_a_long_retry_after_ends_the_delivery_for_the_relay_to_retry() -> None:
    sleeps = Sleeps()
    async with (
        WebhookReceiver([503], extra={"Retry-After": "3600"}) as receiver,
        webhook_channel(sleeps) as channel,
    ):
        with pytest.raises(ChannelError, match="3600") as failed:
            await channel.deliver(message(channel="webhook", address=receiver.url))
    assert failed.value.retriable
    assert len(receiver.requests) == 1
    assert sleeps == []


async def test_a_400_is_final_and_sent_once() -> None:
    sleeps = Sleeps()
    async with WebhookReceiver([400]) as receiver, webhook_channel(sleeps) as channel:
        with pytest.raises(ChannelError, match="400") as failed:
            await channel.deliver(message(channel="webhook", address=receiver.url))
    assert not failed.value.retriable
    assert len(receiver.requests) == 1


async def test_an_unreachable_webhook_is_retried_then_retriable() -> None:
    sleeps = Sleeps()
    url = f"http://127.0.0.1:{closed_port()}/hook"
    async with webhook_channel(sleeps) as channel:
        with pytest.raises(ChannelError, match="unreachable") as failed:
            await channel.deliver(message(channel="webhook", address=url))
    assert failed.value.retriable
    assert sleeps == [0.5, 1.0, 2.0]


# --- SMS ------------------------------------------------------------------------------


async def test_an_sms_reaches_the_provider_with_token_reference_and_intact_text() -> None:
    sleeps = Sleeps()
    async with SmsProvider() as provider, sms_channel(provider, sleeps, sender="ExampleAir") as sms:
        await sms.deliver(message(channel="sms", address="+44 7700 900123", language="zh"))
    (request,) = provider.requests
    assert request.headers[IDEMPOTENCY_HEADER.lower()] == "notify:d1:C000001"
    assert provider.accepted == {
        "notify:d1:C000001": {
            "to": "+447700900123",
            "body": TEXTS["zh"][1],
            "reference": "notify:d1:C000001",
            "from": "ExampleAir",
        }
    }


async def test_an_sms_in_german_goes_as_gsm7_with_plain_arrows() -> None:
    sleeps = Sleeps()
    async with SmsProvider() as provider, sms_channel(provider, sleeps) as sms:
        await sms.deliver(message(channel="sms", address="+4930231251234", language="de"))
    assert provider.accepted["notify:d1:C000001"]["body"] == (
        "Ihr Flug XA102 FRA->LHR ist annulliert. Grüße"
    )


async def test_an_unusable_sms_is_refused_before_anything_is_sent() -> None:
    sleeps = Sleeps()
    long = message(channel="sms", address="+447700900123", language="zh")
    long = long.model_copy(update={"body": "航班已取消。" * 80})
    async with SmsProvider() as provider, sms_channel(provider, sleeps, max_segments=4) as sms:
        with pytest.raises(ChannelError, match="8 UCS-2 segments") as too_long:
            await sms.deliver(long)
        with pytest.raises(ChannelError, match=r"E\.164") as not_a_number:
            await sms.deliver(message(channel="sms", address="07700 900123"))
    assert not too_long.value.retriable and not not_a_number.value.retriable
    assert provider.requests == []


async def test_sms_provider_answers_map_like_the_webhook() -> None:
    sleeps = Sleeps()
    async with SmsProvider([503, 201]) as provider, sms_channel(provider, sleeps) as sms:
        await sms.deliver(message(channel="sms", address="+447700900123"))
    assert len(provider.requests) == 2 and sleeps == [0.5]
    async with SmsProvider([422]) as provider, sms_channel(provider, sleeps) as sms:
        with pytest.raises(ChannelError, match="422") as refused:
            await sms.deliver(message(channel="sms", address="+447700900123"))
    assert not refused.value.retriable and len(provider.requests) == 1
    async with (
        SmsProvider() as provider,
        sms_channel(provider, sleeps, token="a-revoked-token") as sms,
    ):
        with pytest.raises(ChannelError, match="401") as unauthorized:
            await sms.deliver(message(channel="sms", address="+447700900123"))
    assert not unauthorized.value.retriable and len(provider.requests) == 1


# --- fallback -------------------------------------------------------------------------


async def test_a_failing_webhook_falls_back_to_email_which_delivers_once() -> None:
    sleeps, mailbox = Sleeps(), Mailbox()
    with smtp_server(mailbox) as server:
        async with (
            WebhookReceiver([500]) as receiver,
            webhook_channel(sleeps) as webhook,
            smtp_channel(server) as email,
        ):
            routed = message(
                channel="webhook",
                address=receiver.url,
                alternatives=[
                    Route(channel="email", address="ada.lovelace1@example.org"),
                    Route(channel="sms", address="+447700900123"),
                ],
            )
            channels: dict[str, Channel] = {"webhook": webhook, "email": email}
            delivery = await deliver_with_fallback(routed, channels, default=LogChannel())
    assert delivery.route == Route(channel="email", address="ada.lovelace1@example.org")
    assert [(f.route.channel, f.retriable) for f in delivery.failures] == [("webhook", True)]
    assert len(receiver.requests) == RETRY.retries + 1
    assert mailbox.by_message_id() == {message_id("notify:d1:C000001", "example.com"): 1}


async def test_fallback_through_every_channel_ends_delivered_or_with_the_errors() -> None:
    sleeps, mailbox = Sleeps(), Mailbox(refuse={"gone@example.org"})
    with smtp_server(mailbox) as server:
        async with (
            WebhookReceiver([400]) as receiver,
            SmsProvider([503]) as provider,
            webhook_channel(sleeps) as webhook,
            sms_channel(provider, sleeps) as sms,
            smtp_channel(server) as email,
        ):
            fallback = FallbackChannel({"webhook": webhook, "sms": sms, "email": email})
            hopeless = message(
                channel="webhook",
                address=receiver.url,
                alternatives=[
                    Route(channel="sms", address="+447700900123"),
                    Route(channel="email", address="gone@example.org"),
                ],
            )
            with pytest.raises(ChannelError) as failed:
                await fallback.deliver(hopeless)
            # Only the SMS failure (503) was temporary: the relay will try again later.
            assert failed.value.retriable
            assert "webhook" in str(failed.value) and "550" in str(failed.value)
            hopeless_final = hopeless.model_copy(
                update={"alternatives": [Route(channel="email", address="gone@example.org")]}
            )
            with pytest.raises(ChannelError) as final:
                await fallback.deliver(hopeless_final)
            assert not final.value.retriable
    assert mailbox.messages == []
    assert receiver.accepted == {} and provider.accepted == {}


# --- nothing lost, through the real outbox relay ------------------------------------------


async def test_through_the_relay_every_message_ends_delivered_once_or_failed_with_its_error(
    tmp_path: Path,
) -> None:
    sleeps = Sleeps()
    mailbox = Mailbox(refuse={"gone@example.org"}, data_replies=["451 4.3.0 Greylisted"])
    broker = EmbeddedBroker()
    now = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    with smtp_server(mailbox) as server:
        async with (
            open_database(f"sqlite+aiosqlite:///{tmp_path / 'relay.sqlite'}") as db,
            WebhookReceiver([503, 503, 200]) as flaky,
            WebhookReceiver([500]) as broken,
            WebhookReceiver([410]) as gone,
            SmsProvider([503, 201]) as provider,
            webhook_channel(sleeps) as webhook,
            sms_channel(provider, sleeps) as sms,
            smtp_channel(server) as email,
        ):
            outbox = [
                message("n:email:1", language="en"),
                message("n:email:2", language="zh"),
                message("n:email:gone", address="gone@example.org"),
                message("n:hook:flaky", channel="webhook", address=flaky.url),
                message("n:hook:broken", channel="webhook", address=broken.url),
                message("n:hook:gone", channel="webhook", address=gone.url),
                message("n:sms:1", channel="sms", address="+4930231251234"),
                message("n:sms:bad-number", channel="sms", address="030 2312512"),
                message("n:log:1", channel="log", address=None),
            ]
            async with db.transaction() as session:
                for m in outbox:
                    session.add(
                        OutboxRow(
                            idempotency_key=m.idempotency_key,
                            topic=TOPIC_NOTIFICATIONS,
                            key=m.pnr,
                            customer_id=m.customer_id,
                            channel=m.channel,
                            payload=m.model_dump(mode="json"),
                            status="pending",
                            attempts=0,
                            created_at=now,
                        )
                    )
            channels: dict[str, Channel] = {"email": email, "sms": sms, "webhook": webhook}
            relay = OutboxRelay(
                db, EmbeddedSink(broker), channels, LogChannel(), SimulatedClock(now)
            )
            for _ in range(MAX_ATTEMPTS + 1):
                await relay.drain_once()
            async with db.session() as session:
                rows = {r.idempotency_key: r for r in await session.scalars(select(OutboxRow))}
    status = {key: row.status for key, row in rows.items()}
    assert status == {
        "n:email:1": "sent",
        "n:email:2": "sent",
        "n:email:gone": "failed",
        "n:hook:flaky": "sent",
        "n:hook:broken": "failed",
        "n:hook:gone": "failed",
        "n:sms:1": "sent",
        "n:sms:bad-number": "failed",
        "n:log:1": "sent",
    }
    assert all(row.last_error for row in rows.values() if row.status == "failed")
    # What was sent arrived exactly once; what failed never arrived.
    assert mailbox.by_message_id() == {
        message_id("n:email:1", "example.com"): 1,
        message_id("n:email:2", "example.com"): 1,
    }
    assert flaky.accepted == {"n:hook:flaky": 1}
    assert broken.accepted == {} and gone.accepted == {}
    assert set(provider.accepted) == {"n:sms:1"}
    published = [
        record.headers["idempotency_key"].decode() for record in broker.topics[TOPIC_NOTIFICATIONS]
    ]
    assert sorted(published) == sorted(k for k, s in status.items() if s == "sent")
