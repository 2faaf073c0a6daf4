"""The chaos harness's channel figures: duplicates are the same message delivered more
than once (at least once, with a key), counted from the daemons' log lines."""

from __future__ import annotations

import logging
from collections import Counter

import pytest

from tests.integration.helpers import (
    PSEUDONYM_KEY,
    channel_deliveries,
    message_pseudonym,
    repeats,
)
from tools.channels.base import OutboundMessage
from tools.channels.log import LogChannel
from travel_agent import redact

LINE = (
    "12:00:0{n} DEBUG   tools.channels.log: to p:c{n} via email message {id} [en] cancelled (p:b)"
)


def test_a_message_delivered_again_is_one_duplicate_whatever_the_runs_sizes() -> None:
    # Two processes of one run: the first killed after delivering m1 and m2, before
    # marking them sent; the second delivers them again, and m3 (m3 three times in all).
    first = "\n".join(LINE.format(n=n, id=i) for n, i in enumerate(["m1", "m2", "m3"]))
    second = "\n".join(
        [
            "12:01:00 INFO    agent.relay: relay started",
            *(LINE.format(n=n, id=i) for n, i in enumerate(["m1", "m2", "m3", "m3", "m4"])),
        ]
    )
    delivered = channel_deliveries([first, second])
    assert delivered == Counter({"m1": 2, "m2": 2, "m3": 3, "m4": 1})
    assert repeats(delivered) == 4  # m1 once more, m2 once more, m3 twice more
    # Fewer deliveries than messages (superseded, retired, not logged) is no duplicate:
    # the figure never goes negative.
    assert repeats(channel_deliveries([LINE.format(n=1, id="m9")])) == 0
    assert repeats(Counter()) == 0


@pytest.mark.parametrize("show", [False, True])
async def test_the_counter_reads_what_the_log_channel_writes(
    show: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tools.channels.log")
    redact.configure(log_passenger_data=show, key=PSEUDONYM_KEY)
    message = OutboundMessage(
        idempotency_key="notify:XA1/2026-03-01@ev-1:C000042",
        customer_id="C000042",
        pnr="QX7K2P",
        kind="cancelled_rebooked",
        channel="email",
        address="ana@example.org",
        language="en",
        subject="Your flight",
        body="Dear Ana,\nyour flight ...",
    )
    try:
        channel = LogChannel(include_passenger_data=show)
        for _ in range(2):
            await channel.deliver(message)
        lines = "\n".join(f"x DEBUG   {r.name}: {r.getMessage()}" for r in caplog.records)
    finally:
        redact.configure(log_passenger_data=False)
    name = message.idempotency_key if show else message_pseudonym(message.idempotency_key)
    assert channel_deliveries([lines]) == Counter({name: 2})
    if not show:
        assert "C000042" not in lines  # the key holds the customer id: pseudonymized
