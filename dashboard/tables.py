"""The desk's own tables: operators, their sessions and API tokens, login attempts, audit.

They live in the airline database beside the tables the desk reads, so every copy of
the (stateless) dashboard shares them; the migrations create them (`app.migrate`).
Secrets are never stored: sessions and tokens by their SHA-256, passwords as argon2id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from travel_agent.db import Base


class OperatorRow(Base):
    """A person who may use the desk, with one role: viewer, approver or admin."""

    __tablename__ = "desk_operators"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class SessionRow(Base):
    """A logged-in browser. `id` is the SHA-256 of the cookie's token."""

    __tablename__ = "desk_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator: Mapped[str] = mapped_column(String(64), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ApiTokenRow(Base):
    """A bearer token for the JSON API, acting as its operator. `id`: SHA-256 of the token."""

    __tablename__ = "desk_api_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginAttemptRow(Base):
    """One failed login, by a hash of the name tried and the client address."""

    __tablename__ = "desk_login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name_key: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]

    __table_args__ = (
        Index("ix_desk_login_failures_name_at", "name_key", "at"),
        Index("ix_desk_login_failures_address_at", "address", "at"),
    )


class AuditRow(Base):
    """Who did what on the desk: logins, decisions, operators added, tokens issued."""

    __tablename__ = "desk_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    operator: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
