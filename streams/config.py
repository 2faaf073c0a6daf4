"""The Kafka section of the settings (``TRAVEL_AGENT_KAFKA__*``), owned by the streams.

Plain data: the clients' options are built from it by `streams.kafka` (the only importer
of aiokafka), so loading the settings does not load the Kafka client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, SecretStr

if TYPE_CHECKING:
    from streams.kafka import KafkaSecurity

__all__ = ["KafkaSettings", "SaslMechanism", "SecurityProtocol"]

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class KafkaSettings(BaseModel):
    bootstrap_servers: str = Field(default="localhost:9092", description="host:port[,host:port]")
    group_id: str = "travel-agent"
    topic_prefix: str = Field(default="", description="prepended to every topic name")
    client_id: str = "travel-agent"
    security_protocol: SecurityProtocol = Field(
        default="PLAINTEXT", description="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"
    )
    sasl_mechanism: SaslMechanism | None = Field(
        default=None, description="PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (with SASL_*)"
    )
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = Field(default=None, description="CA bundle for a private CA")
    ssl_certfile: str | None = Field(default=None, description="client certificate (mutual TLS)")
    ssl_keyfile: str | None = Field(default=None, description="its private key")
    ssl_check_hostname: bool = True

    def security(self) -> KafkaSecurity:
        """The clients' security settings (raises ConfigError when incomplete)."""
        from streams.kafka import KafkaSecurity  # the Kafka client, only when connecting

        return KafkaSecurity(
            protocol=self.security_protocol,
            sasl_mechanism=self.sasl_mechanism,
            sasl_username=self.sasl_username,
            sasl_password=self.sasl_password.get_secret_value() if self.sasl_password else None,
            ssl_cafile=self.ssl_cafile,
            ssl_certfile=self.ssl_certfile,
            ssl_keyfile=self.ssl_keyfile,
            ssl_check_hostname=self.ssl_check_hostname,
        )
