"""The email channel: send over SMTP with aiosmtplib (the one module that imports it).

One connection is opened on the first message and reused; a server that dropped it while
idle gets a fresh one. The Message-ID is derived from the idempotency key, so a message
delivered twice (a retry after a lost reply) is recognisably the same message to the
mail system and to the passenger's client.

SMTP replies map to `ChannelError`:

- no connection, a timeout, a dropped connection, any 4xx → retriable;
- 5xx to the recipient or the content (550 no such mailbox, 552 too big, 554 after
  DATA) → final;
- 5xx to *us* (the greeting, HELO, STARTTLS, our credentials, our sender address) →
  retriable: the message is fine and goes once the operator fixes the setting;
  meanwhile the passenger's next channel is tried.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, parseaddr
from types import TracebackType

import aiosmtplib

from tools.channels.base import ChannelError, OutboundMessage
from tools.channels.config import is_loopback, require_secret
from travel_agent.errors import ConfigError

log = logging.getLogger(__name__)


def message_id(idempotency_key: str, domain: str) -> str:
    """The Message-ID for a message: the same key always gives the same id.

    128 bits of the key's hash: unique enough, and short enough that the header is not
    folded onto a second line (some receivers then read the id with a leading space).
    """
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def translate(exc: Exception) -> ChannelError:
    """`ChannelError` for an aiosmtplib (or socket) failure; see the module docstring."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        replies = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
        return ChannelError(
            f"email: recipient refused ({replies})",
            retriable=any(400 <= c < 500 for c in codes),
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        reply = f"{exc.code} {exc.message}"
        if 400 <= exc.code < 500:
            return ChannelError(f"email: the server answered {reply}", retriable=True)
        if isinstance(exc, aiosmtplib.SMTPDataError | aiosmtplib.SMTPRecipientRefused) or (
            exc.code == 552  # too big, also when announced with MAIL FROM SIZE=
        ):
            return ChannelError(f"email: the server refused the message ({reply})", retriable=False)
        return ChannelError(
            f"email: the server refused our {_stage(exc)} ({reply}); "
            "check the TRAVEL_AGENT_SMTP__* settings",
            retriable=True,
        )
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return ChannelError(f"email: {exc.message}", retriable=False)
    if isinstance(exc, aiosmtplib.SMTPException | OSError):
        # Connection errors, timeouts, dropped connections, TLS failures.
        return ChannelError(f"email: {type(exc).__name__}: {exc}", retriable=True)
    return ChannelError(f"email: {type(exc).__name__}: {exc}", retriable=False)


def _stage(exc: aiosmtplib.SMTPResponseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return "credentials"
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return "sender address"
    if isinstance(exc, aiosmtplib.SMTPHeloError):
        return "greeting"
    if isinstance(exc, aiosmtplib.SMTPConnectResponseError):
        return "connection"
    return "session"


class SmtpChannel:
    """Delivers by email over SMTP; an async context manager.

    Args:
        host: the SMTP server (TRAVEL_AGENT_SMTP__HOST).
        port: its port: 587 for STARTTLS, 465 for implicit TLS, 25 plain.
        from_address: the From header, e.g. ``Example Air <noreply@example.com>``.
        username: login, if the server wants one (with `password`).
        password: the password; placeholders refused.
        starttls: upgrade the connection with STARTTLS (required by the server's port 587).
        implicit_tls: connect with TLS from the start (port 465); excludes `starttls`.
        timeout: seconds for connecting and for each command.
        ca_file: a CA bundle to verify the server against, for a private CA.
        message_id_domain: the right-hand side of Message-IDs (default: the From domain).
    """

    name = "email"

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        from_address: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        implicit_tls: bool = False,
        timeout: float = 30.0,
        ca_file: str | None = None,
        message_id_domain: str | None = None,
    ) -> None:
        if starttls and implicit_tls:
            raise ConfigError(
                "set either TRAVEL_AGENT_SMTP__STARTTLS (port 587) or "
                "TRAVEL_AGENT_SMTP__IMPLICIT_TLS (port 465), not both"
            )
        _, sender = parseaddr(from_address)
        if "@" not in sender or not sender.rpartition("@")[2]:
            raise ConfigError(
                "TRAVEL_AGENT_SMTP__FROM_ADDRESS must hold an address, "
                "e.g. 'Example Air <noreply@example.com>'"
            )
        if (username is None) != (password is None):
            raise ConfigError(
                "set both TRAVEL_AGENT_SMTP__USERNAME and TRAVEL_AGENT_SMTP__PASSWORD, or neither"
            )
        if password is not None:
            password = require_secret(password, setting="TRAVEL_AGENT_SMTP__PASSWORD")
            if not (starttls or implicit_tls or is_loopback(host)):
                raise ConfigError(
                    "SMTP credentials would cross the network in clear text: set "
                    "TRAVEL_AGENT_SMTP__STARTTLS=true or TRAVEL_AGENT_SMTP__IMPLICIT_TLS=true"
                )
        self.host = host
        self.port = port
        self.from_address = from_address
        self.sender = sender
        self.domain = message_id_domain or sender.rpartition("@")[2]
        self._username = username
        self._password = password
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self.timeout = timeout
        self.ca_file = ca_file
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()
        self.sent = 0

    async def __aenter__(self) -> SmtpChannel:
        # The connection opens with the first message: a mail server that is down at
        # start-up delays email, it does not stop the agent.
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        async with self._lock:
            await self._disconnect(polite=True)

    @property
    def connected(self) -> bool:
        """Whether a connection to the server is open now."""
        return self._client is not None and self._client.is_connected

    def compose(self, message: OutboundMessage) -> EmailMessage:
        """The email for `message`; `ChannelError` (final) when it cannot be an email."""
        recipient = self.recipient(message)
        mail = EmailMessage(policy=SMTP_POLICY)
        try:
            mail["From"] = self.from_address
            mail["To"] = recipient
            mail["Subject"] = " ".join(message.subject.split())  # one line, no CR/LF
        except (ValueError, HeaderParseError) as exc:
            raise ChannelError(
                f"email: cannot compose the message: {exc}", retriable=False
            ) from exc
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = message_id(message.idempotency_key, self.domain)
        # RFC 3834: tells auto-responders (out-of-office) not to answer.
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(message.body, charset="utf-8")
        # After set_content, which replaces every Content-* header.
        mail["Content-Language"] = message.language or "en"
        return mail

    @staticmethod
    def recipient(message: OutboundMessage) -> str:
        """The message's address as an addr-spec; `ChannelError` (final) if it is not one."""
        address = (message.address or "").strip()
        try:
            parsed = Address(addr_spec=address)
        except (ValueError, IndexError, HeaderParseError) as exc:
            raise ChannelError(
                "email: the address is not an email address", retriable=False
            ) from exc
        if not parsed.username or not parsed.domain:
            raise ChannelError("email: the address is not an email address", retriable=False)
        return parsed.addr_spec

    async def deliver(self, message: OutboundMessage) -> None:
        """Send `message`; raises `ChannelError` (retriable or not) when it was not accepted."""
        mail = self.compose(message)
        recipient = self.recipient(message)
        async with self._lock:
            reused = self.connected
            try:
                await self._send(mail, recipient)
            except aiosmtplib.SMTPServerDisconnected as exc:
                # An idle connection the server closed before we noticed: once more, fresh.
                await self._disconnect(polite=False)
                if not reused:
                    raise translate(exc) from exc
                log.debug("email: connection dropped while idle; reconnecting")
                try:
                    await self._send(mail, recipient)
                except (aiosmtplib.SMTPException, OSError) as again:
                    raise self._failed(again) from again
            except (aiosmtplib.SMTPException, OSError, ValueError) as exc:
                raise self._failed(exc) from exc
        self.sent += 1

    async def _send(self, mail: EmailMessage, recipient: str) -> None:
        client = await self._connect()
        await client.send_message(mail, sender=self.sender, recipients=[recipient])

    def _failed(self, exc: Exception) -> ChannelError:
        # After a server's answer the session is still good (aiosmtplib sent RSET);
        # after anything else it is not.
        if not isinstance(exc, aiosmtplib.SMTPResponseException | aiosmtplib.SMTPRecipientsRefused):
            self._drop()
        return translate(exc)

    async def _connect(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        self._drop()
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self._username,
            password=self._password,
            use_tls=self.implicit_tls,
            start_tls=self.starttls,
            timeout=self.timeout,
            cert_bundle=self.ca_file,
        )
        self._client = client
        try:
            await client.connect()
        except BaseException:
            self._drop()
            raise
        return client

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    async def _disconnect(self, *, polite: bool) -> None:
        client = self._client
        if client is not None and client.is_connected and polite:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.quit(timeout=5)
        self._drop()
