"""The Kafka section of the settings (``TRAVEL_AGENT_KAFKA__*``), owned by the streams."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["KafkaSettings"]


class KafkaSettings(BaseModel):
    bootstrap_servers: str = Field(default="localhost:9092", description="host:port[,host:port]")
    group_id: str = "travel-agent"
    topic_prefix: str = Field(default="", description="prepended to every topic name")
    client_id: str = "travel-agent"
