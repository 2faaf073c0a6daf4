"""A failing channel falls back to the passenger's next allowed one.

The outbox row carries the passenger's consented channels in order of preference: the
first as the message's own `channel`/`address`, the rest as `alternatives` (a
`RoutedMessage`). `deliver_with_fallback` tries them in that order until one accepts the
message and says which one did. A route whose channel is not configured here (no SMS
provider, say) is skipped; when no route has a configured channel at all, the default
channel (the log) takes the message, as the relay always did.

When every configured route failed, the error is retriable if any failure was: the
relay's next pass starts again from the preferred channel.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from airline.models import Customer
from tools.channels.base import Channel, ChannelError, OutboundMessage

log = logging.getLogger(__name__)


class Route(BaseModel):
    """One way to reach a passenger."""

    model_config = ConfigDict(frozen=True)

    channel: str = Field(description="email, sms, webhook (a key of the channel registry)")
    address: str | None = Field(description="where, in that channel's terms")


class RoutedMessage(OutboundMessage):
    """An `OutboundMessage` that also knows the passenger's other consented channels."""

    alternatives: list[Route] = Field(
        default_factory=list,
        description="the passenger's other consented channels, most preferred first; "
        "tried in order when `channel` fails",
    )


def routes_for(customer: Customer) -> list[Route]:
    """The customer's consented channels, most preferred first (stable for equal priority).

    The first is the one `tools.notifications.choose_channel` picks.
    """
    allowed = sorted((c for c in customer.channels if c.consent), key=lambda c: c.priority)
    return [Route(channel=c.kind.value, address=c.address) for c in allowed]


def routes_of(message: OutboundMessage) -> list[Route]:
    """The message's own route, then its alternatives, each once."""
    routes = [Route(channel=message.channel, address=message.address)]
    if isinstance(message, RoutedMessage):
        routes += message.alternatives
    return list(dict.fromkeys(routes))


@dataclass(frozen=True)
class Failure:
    """A route that was tried and did not deliver."""

    route: Route
    error: str
    retriable: bool


@dataclass(frozen=True)
class Delivery:
    """Which route delivered a message, after which failures."""

    route: Route
    failures: tuple[Failure, ...] = ()

    @property
    def fell_back(self) -> bool:
        return bool(self.failures)


def _on(message: OutboundMessage, route: Route) -> OutboundMessage:
    """`message` as a plain `OutboundMessage` addressed to `route` (no alternatives)."""
    fields = message.model_dump(include=set(OutboundMessage.model_fields))
    fields.update(channel=route.channel, address=route.address)
    return OutboundMessage.model_validate(fields)


async def deliver_with_fallback(
    message: OutboundMessage,
    channels: Mapping[str, Channel],
    *,
    default: Channel | None = None,
    routes: Sequence[Route] | None = None,
) -> Delivery:
    """Deliver `message` on the first route that accepts it.

    Args:
        message: the message; a `RoutedMessage` brings its alternatives.
        channels: the configured channels by name (``email``, ``sms``, ``webhook``).
        default: takes the message when no route has a configured channel (the log).
        routes: the routes to try instead of the message's own.

    Raises:
        ChannelError: every configured route failed; retriable if any failure was.
    """
    tried = list(dict.fromkeys(routes)) if routes is not None else routes_of(message)
    failures: list[Failure] = []
    for route in tried:
        channel = channels.get(route.channel)
        if channel is None:
            continue
        try:
            await channel.deliver(_on(message, route))
        except ChannelError as exc:
            failures.append(Failure(route, str(exc), exc.retriable))
            log.info(
                "message %s not delivered via %s (%s): %s",
                message.idempotency_key,
                route.channel,
                "retriable" if exc.retriable else "final",
                exc,
            )
            continue
        if failures:
            log.info(
                "message %s delivered via %s after %s failed",
                message.idempotency_key,
                route.channel,
                ", ".join(f.route.channel for f in failures),
            )
        return Delivery(route, tuple(failures))
    if not failures and default is not None:
        await default.deliver(message)
        return Delivery(Route(channel=default.name, address=None))
    if not failures:
        raise ChannelError(
            f"no channel is configured for {', '.join(r.channel for r in tried) or 'nothing'} "
            "and there is no default",
            retriable=False,
        )
    raise ChannelError(
        "not delivered: " + "; ".join(f"{f.route.channel}: {f.error}" for f in failures),
        retriable=any(f.retriable for f in failures),
    )


class FallbackChannel:
    """A `Channel` that delivers through `deliver_with_fallback`.

    For callers that take one channel (the relay's `fallback` argument); counts which
    channel delivered what in `delivered_by`.

    Args:
        channels: the configured channels by name.
        default: takes messages no configured channel can; see `deliver_with_fallback`.
    """

    name = "fallback"

    def __init__(self, channels: Mapping[str, Channel], *, default: Channel | None = None) -> None:
        self.channels = channels
        self.default = default
        self.delivered_by: Counter[str] = Counter()

    async def route(self, message: OutboundMessage) -> Delivery:
        """Deliver `message` and say which route took it."""
        delivery = await deliver_with_fallback(message, self.channels, default=self.default)
        self.delivered_by[delivery.route.channel] += 1
        return delivery

    async def deliver(self, message: OutboundMessage) -> None:
        await self.route(message)
