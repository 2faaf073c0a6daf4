"""The channel port: deliver one composed message to one passenger."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from travel_agent.errors import TravelAgentError


class OutboundMessage(BaseModel):
    """A message ready to deliver, as the outbox holds it."""

    idempotency_key: str = Field(description="one message per passenger per change")
    customer_id: str
    pnr: str
    kind: str = Field(description="message kind, e.g. cancelled_rebooked")
    channel: str = Field(description="email, sms, webhook, or log when no channel is allowed")
    address: str | None
    language: str
    subject: str
    body: str


class ChannelError(TravelAgentError):
    """A delivery failed; `retriable` says whether trying again may help."""

    def __init__(self, message: str, *, retriable: bool) -> None:
        super().__init__(message)
        self.retriable = retriable


class Channel(Protocol):
    """Delivers messages of one kind (email, SMS, ...)."""

    name: str

    async def deliver(self, message: OutboundMessage) -> None:
        """Deliver or raise `ChannelError`."""
        ...
