"""The log channel: writes each message to the log. The embedded default.

Passenger data (names, addresses, message bodies) is logged only when the operator turned
`log_passenger_data` on; otherwise the line says what, and whom only by pseudonym (a keyed
hash of the customer id and the booking: `travel_agent.redact`). Each line names the
message (its idempotency key, pseudonymized alike), so a reader of the log can
tell a message delivered twice (at least once, with a key) from two messages.
"""

from __future__ import annotations

import logging

from tools.channels.base import OutboundMessage
from travel_agent.redact import pseudonym

log = logging.getLogger(__name__)


class LogChannel:
    """Delivers by logging; never fails."""

    name = "log"

    def __init__(self, *, include_passenger_data: bool = False) -> None:
        self.include_passenger_data = include_passenger_data
        self.delivered = 0

    async def deliver(self, message: OutboundMessage) -> None:
        self.delivered += 1
        if self.include_passenger_data:
            log.debug(  # one line per passenger: DEBUG (`-v`); INFO tells the story
                "to %s via %s message %s <%s> [%s] %s | %s",
                message.customer_id,
                message.channel,
                message.idempotency_key,
                message.address,
                message.language,
                message.subject,
                message.body,
            )
        elif log.isEnabledFor(logging.DEBUG):  # the pseudonyms cost more than the rest
            log.debug(
                "to %s via %s message %s [%s] %s (%s)",
                pseudonym(message.customer_id),
                message.channel,
                pseudonym(message.idempotency_key),  # it holds the customer id
                message.language,
                message.kind,
                pseudonym(message.pnr),
            )
