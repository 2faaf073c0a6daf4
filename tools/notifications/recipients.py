"""Who hears about a change, and on which channel.

A passenger is reached on their preferred consented channel; their stated preferences
(customer memory) may move a consented channel first or change the language, never
override consent.
"""

from __future__ import annotations

from typing import Any

from airline.models import ContactChannel, Customer, Preferences


def with_preferences(customer: Customer, preferences: Preferences) -> Customer:
    """The customer as their stated preferences say to reach them.

    A preferred language replaces the profile's; a preferred channel goes first, but only
    among channels the customer consented to (a preference never overrides consent).
    """
    update: dict[str, Any] = {}
    if preferences.language:
        update["language"] = preferences.language
    if preferences.channel is not None and any(
        c.kind == preferences.channel and c.consent for c in customer.channels
    ):
        update["channels"] = [
            c.model_copy(update={"priority": -1}) if c.kind == preferences.channel else c
            for c in customer.channels
        ]
    return customer.model_copy(update=update) if update else customer


def choose_channel(customer: Customer) -> ContactChannel | None:
    """The passenger's preferred channel among those they consented to, if any."""
    allowed = [c for c in customer.channels if c.consent]
    return min(allowed, key=lambda c: c.priority) if allowed else None
