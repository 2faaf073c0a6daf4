"""Reaching the broker: security settings, backoff, waiting until it answers, and a
patch that paces aiokafka's metadata refreshes while the broker is gone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass
from typing import Any, TypeVar

from aiokafka.conn import create_conn
from aiokafka.errors import KafkaConnectionError, KafkaError
from aiokafka.helpers import create_ssl_context

from streams.config import SaslMechanism, SecurityProtocol
from travel_agent.errors import ConfigError, StreamError

log = logging.getLogger(__name__)

T = TypeVar("T")

# The least time between two failed metadata refreshes of one client (see below).
METADATA_BACKOFF = 0.5


@dataclass(frozen=True)
class KafkaSecurity:
    """How a client authenticates and encrypts: handed to every aiokafka client as is.

    The defaults are a plain, unauthenticated connection (a local broker). SASL needs a
    mechanism, a username and a password; SSL (alone or under SASL) may name a private
    CA and, for mutual TLS, a client certificate and key.
    """

    protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_check_hostname: bool = True

    def __post_init__(self) -> None:
        if self.protocol.startswith("SASL_") and not (
            self.sasl_mechanism and self.sasl_username and self.sasl_password
        ):
            raise ConfigError(
                f"Kafka security protocol {self.protocol} needs a SASL mechanism, username and"
                " password: set TRAVEL_AGENT_KAFKA__SASL_MECHANISM, __SASL_USERNAME and"
                " __SASL_PASSWORD"
            )
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ConfigError(
                "a Kafka client certificate needs its key and the other way round: set both"
                " TRAVEL_AGENT_KAFKA__SSL_CERTFILE and __SSL_KEYFILE"
            )

    def __repr__(self) -> str:  # never the password, in logs or tracebacks
        return (
            f"KafkaSecurity(protocol={self.protocol!r}, sasl_mechanism={self.sasl_mechanism!r},"
            f" sasl_username={self.sasl_username!r})"
        )

    def client_options(self) -> dict[str, Any]:
        """The keyword arguments of an aiokafka client (producer, consumer or admin)."""
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.protocol in ("SSL", "SASL_SSL"):
            context = create_ssl_context(
                cafile=self.ssl_cafile, certfile=self.ssl_certfile, keyfile=self.ssl_keyfile
            )
            context.check_hostname = self.ssl_check_hostname
            options["ssl_context"] = context
        if self.protocol.startswith("SASL_"):
            options["sasl_mechanism"] = self.sasl_mechanism
            # aiokafka names them "plain" but uses them for SCRAM as well.
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = self.sasl_password
        return options


PLAINTEXT = KafkaSecurity()


async def refusal(bootstrap_servers: str, security: KafkaSecurity) -> BaseException | None:
    """Why a broker refuses us for good (authentication, a certificate), if it does.

    aiokafka, failing to bootstrap, logs each broker's error and raises a bare "unable
    to bootstrap", which reads as "not up yet": a wrong password would then be waited
    out forever. So after a failed start we connect once more ourselves, to see the
    error itself.
    """
    for server in bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            conn = await create_conn(host or server, int(port or 9092), **security.client_options())
        except ssl.SSLError as exc:  # a certificate (or a TLS setting) that will not change
            return exc
        except KafkaError as exc:
            if not exc.retriable and not isinstance(exc, KafkaConnectionError):
                refused: BaseException = exc  # SaslAuthenticationFailed, a mechanism, ...
                return refused
        except (OSError, TimeoutError, ValueError):
            continue  # unreachable: waiting may help
        else:
            conn.close()
    return None


class Backoff:
    """Exponential delays with jitter: `initial`, twice that, ... up to `cap` seconds."""

    def __init__(self, initial: float = 0.5, cap: float = 30.0) -> None:
        self.initial = initial
        self.cap = cap
        self.attempts = 0

    def next(self) -> float:
        delay = min(self.cap, self.initial * 2.0**self.attempts)
        self.attempts += 1
        return delay * random.uniform(0.8, 1.2)

    def reset(self) -> None:
        self.attempts = 0


async def enter_when_reachable(
    stack: AsyncExitStack,
    make: Callable[[], AbstractAsyncContextManager[T]],
    *,
    what: str,
    stop: asyncio.Event,
    backoff: Backoff | None = None,
) -> T | None:
    """Enter `make()` on `stack`, waiting with backoff while the broker is unreachable.

    Each failed attempt is logged with what was tried and when the next one comes. An
    error that will not heal by waiting is raised at once.

    Returns:
        The entered adapter, or None when `stop` was set before the broker answered.
    """
    backoff = backoff or Backoff(initial=1.0, cap=30.0)
    attempt = 0
    while not stop.is_set():
        attempt += 1
        try:
            return await stack.enter_async_context(make())
        except StreamError as exc:
            if not exc.retriable:
                raise
            delay = backoff.next()
            log.warning(
                "%s: not reachable yet (attempt %d: %s); trying again in %.1f s",
                what,
                attempt,
                exc,
                delay,
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
    return None


def pace_metadata_updates(client: Any, backoff: float = METADATA_BACKOFF) -> None:
    """Make a failed metadata refresh of `client` take at least `backoff` seconds.

    aiokafka's producer sender and consumer fetcher, when a partition has no known
    leader, loop on "refresh metadata, wait for it": with the broker gone the refresh
    fails at once, and they spin — measured here at 1,000-4,000 connection attempts (and
    two ERROR log lines each) a second for as long as the broker is down (compare
    aio-libs/aiokafka#1155). Pacing the refresh's failure breaks the spin. This reaches
    into the client (`force_metadata_update`), which is why it lives beside the adapters
    and checks that the attribute is there.
    """
    force = getattr(client, "force_metadata_update", None)
    if force is None:  # another aiokafka: nothing to pace
        return

    def paced() -> asyncio.Future[bool]:
        updated = force()

        async def no_sooner_on_failure() -> bool:
            ok = bool(await updated)
            if not ok:
                await asyncio.sleep(backoff)
            return ok

        return asyncio.ensure_future(no_sooner_on_failure())

    client.force_metadata_update = paced
