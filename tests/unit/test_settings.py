"""Settings: embedded defaults need nothing; environment variables override, nested by __."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from airline.models import LoyaltyTier
from app.settings import Settings
from travel_agent.errors import ConfigError


def test_the_defaults_need_no_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TRAVEL_AGENT_"):
            monkeypatch.delenv(name)
    settings = Settings()
    assert settings.source == "embedded"
    assert settings.db_url.startswith("sqlite+aiosqlite:///")
    assert settings.kafka.group_id == "travel-agent"


def test_nested_sections_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAVEL_AGENT_KAFKA__BOOTSTRAP_SERVERS", "broker1:9092,broker2:9092")
    monkeypatch.setenv("TRAVEL_AGENT_DB__URL", "postgresql+asyncpg://ops@db/travel")
    monkeypatch.setenv("TRAVEL_AGENT_AGENT__OTHER_CARRIER_AFTER_HOURS", '{"gold": 1.5}')
    settings = Settings()
    assert settings.kafka.bootstrap_servers == "broker1:9092,broker2:9092"
    assert settings.db_url == "postgresql+asyncpg://ops@db/travel"
    assert settings.agent.other_carrier_after(LoyaltyTier.GOLD) == timedelta(hours=1.5)
    # A tier the operator did not mention keeps the standard threshold.
    assert settings.agent.other_carrier_after(LoyaltyTier.NONE) == timedelta(hours=4)


def test_elite_passengers_reach_another_carrier_sooner() -> None:
    agent = Settings().agent
    thresholds = [agent.other_carrier_after(tier) for tier in LoyaltyTier]
    assert thresholds == sorted(thresholds, reverse=True)
    assert thresholds[0] > thresholds[-1]


def test_a_placeholder_password_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAVEL_AGENT_DB__URL", "postgresql+asyncpg://ops:changeme@db/travel")
    with pytest.raises((ConfigError, ValueError), match="placeholder"):
        Settings()
