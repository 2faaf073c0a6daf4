"""Operators, passwords, sessions, API tokens and login rate limits — all in the database.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second
recommended profile). A session is a random token in an HttpOnly cookie; the database
keeps only its SHA-256, the operator, the session's CSRF token and its expiry, so any copy
of the desk can serve any request and a stolen database holds no usable session.
Security time (expiry, rate limits) is wall time, never the simulated clock of a demo.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import OperationalError

from dashboard.tables import ApiTokenRow, AuditRow, LoginThrottleRow, OperatorRow, SessionRow
from travel_agent.db import Database
from travel_agent.errors import TravelAgentError

log = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 10


class Role(StrEnum):
    VIEWER = "viewer"  # sees every page
    APPROVER = "approver"  # ... and decides approvals
    ADMIN = "admin"  # ... and manages operators and API tokens

    def allows(self, needed: Role) -> bool:
        order = [Role.VIEWER, Role.APPROVER, Role.ADMIN]
        return order.index(self) >= order.index(needed)


class OperatorError(TravelAgentError):
    """An operator cannot be added or changed as asked (name taken, weak password, ...)."""


class LoginThrottledError(TravelAgentError):
    """Too many failed logins for that name or from that address; try again later."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Operator:
    name: str
    role: Role


@dataclass(frozen=True)
class Session:
    operator: Operator
    csrf_token: str
    expires_at: datetime


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class OperatorStore:
    """Operators and their sessions, tokens, failed logins and audit trail."""

    def __init__(
        self,
        db: Database,
        *,
        session_hours: float = 12.0,
        max_failures: int = 5,
        window_minutes: float = 15.0,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.db = db
        self.session_length = timedelta(hours=session_hours)
        self.max_failures = max_failures
        self.window = timedelta(minutes=window_minutes)
        self.hasher = hasher or PasswordHasher()
        # Verified against when the name is unknown, so both paths cost the same time.
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))

    # --- operators ------------------------------------------------------------------

    async def add(self, name: str, password: str, role: Role, *, by: str | None = None) -> Operator:
        """Add an operator. Raises OperatorError for a bad or taken name or a weak password."""
        if not NAME_PATTERN.match(name):
            raise OperatorError(
                f"operator name {name!r}: 2-32 characters, lower-case letters, digits, . _ -, "
                "starting with a letter"
            )
        if len(password) < MIN_PASSWORD:
            raise OperatorError(f"the password needs at least {MIN_PASSWORD} characters")
        async with self.db.transaction() as session:
            if await session.get(OperatorRow, name) is not None:
                raise OperatorError(f"operator {name!r} exists already")
            session.add(
                OperatorRow(
                    name=name,
                    password_hash=self.hasher.hash(password),
                    role=role.value,
                    active=True,
                    created_at=_now(),
                )
            )
            session.add(_audit(by, "operator_added", name, {"role": role.value}))
        log.info("operator %s added with role %s", name, role.value)
        return Operator(name, role)

    async def active(self, name: str) -> Operator | None:
        """The operator called `name`, if there is one and they are not disabled."""
        async with self.db.session() as session:
            row = await session.get(OperatorRow, name.strip().lower())
        return Operator(row.name, Role(row.role)) if row is not None and row.active else None

    async def list(self) -> list[tuple[Operator, bool, datetime]]:
        async with self.db.session() as session:
            rows = (await session.scalars(select(OperatorRow).order_by(OperatorRow.name))).all()
        return [(Operator(r.name, Role(r.role)), r.active, r.created_at) for r in rows]

    async def set_active(self, name: str, active: bool, *, by: str | None) -> None:
        async with self.db.transaction() as session:
            result = await session.execute(
                update(OperatorRow).where(OperatorRow.name == name).values(active=active)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise OperatorError(f"no operator {name!r}")
            if not active:  # a disabled operator is logged out everywhere
                await session.execute(delete(SessionRow).where(SessionRow.operator == name))
                await session.execute(
                    update(ApiTokenRow)
                    .where(ApiTokenRow.operator == name, ApiTokenRow.revoked_at.is_(None))
                    .values(revoked_at=_now())
                )
            session.add(_audit(by, "operator_enabled" if active else "operator_disabled", name))

    async def set_password(
        self,
        name: str,
        password: str,
        *,
        by: str | None,
        current: str | None = None,
        keep_session: str | None = None,
    ) -> None:
        """Give operator `name` a new password and end their other sessions.

        With `current` (an operator changing their own) it must be the password now in
        force; without (an admin's reset, from the CLI) it is not asked for. The session
        whose cookie token is `keep_session` stays open; every other one ends, so a
        password someone else learned stops working everywhere at once.

        Raises:
            OperatorError: no such operator, a wrong current password, or a weak new one.
        """
        if len(password) < MIN_PASSWORD:
            raise OperatorError(f"the new password needs at least {MIN_PASSWORD} characters")
        async with self.db.session() as session:
            row = await session.get(OperatorRow, name)
        if row is None:
            raise OperatorError(f"no operator {name!r}")
        if current is not None:
            try:
                self.hasher.verify(row.password_hash, current)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                raise OperatorError("the current password is wrong") from None
        kept = _digest(keep_session) if keep_session else ""
        async with self.db.transaction() as session:
            await session.execute(
                update(OperatorRow)
                .where(OperatorRow.name == name)
                .values(password_hash=self.hasher.hash(password))
            )
            ended = await session.execute(
                delete(SessionRow).where(SessionRow.operator == name, SessionRow.id != kept)
            )
            session.add(
                _audit(
                    by,
                    "password_changed",
                    name,
                    {"sessions_ended": ended.rowcount},  # type: ignore[attr-defined]
                )
            )
        log.info("operator %s has a new password (set by %s)", name, by or "the cli")

    # --- logging in ------------------------------------------------------------------

    async def login(self, name: str, password: str, *, address: str) -> tuple[str, Session]:
        """Check the password and open a session: (cookie token, session).

        Raises LoginThrottledError while the name or the address must wait (checked and
        counted before the password, atomically: see `_reserve`), and OperatorError (one
        message for every wrong case) when the login fails.
        """
        name = name.strip().lower()
        name_key = "name:" + _digest(name)
        address_key = "address:" + address[:64]
        await self._reserve({name_key: self.max_failures, address_key: self.max_failures * 4})
        async with self.db.session() as session:
            row = await session.get(OperatorRow, name)
        ok = False
        try:
            ok = self.hasher.verify(row.password_hash if row else self._dummy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok or row is None or not row.active:
            async with self.db.transaction() as session:  # counted already, by `_reserve`
                session.add(_audit(None, "login_failed", None, {"address": address}))
            raise OperatorError("wrong name or password")
        now = _now()
        token = secrets.token_urlsafe(32)
        opened = Session(
            Operator(row.name, Role(row.role)), secrets.token_urlsafe(32), now + self.session_length
        )
        async with self.db.transaction() as session:
            if self.hasher.check_needs_rehash(row.password_hash):
                await session.execute(
                    update(OperatorRow)
                    .where(OperatorRow.name == row.name)
                    .values(password_hash=self.hasher.hash(password))
                )
            # The name's failures are forgiven; the address keeps its others (one good
            # account must not reset the count of guesses at the rest), less this one.
            await session.execute(delete(LoginThrottleRow).where(LoginThrottleRow.key == name_key))
            await session.execute(
                update(LoginThrottleRow)
                .where(LoginThrottleRow.key == address_key, LoginThrottleRow.failures > 0)
                .values(failures=LoginThrottleRow.failures - 1)
            )
            await session.execute(delete(SessionRow).where(SessionRow.expires_at < now))
            session.add(
                SessionRow(
                    id=_digest(token),
                    operator=row.name,
                    csrf_token=opened.csrf_token,
                    created_at=now,
                    expires_at=opened.expires_at,
                )
            )
            session.add(_audit(row.name, "login", None, {"address": address}))
        return token, opened

    def backoff(self, failures: int, allowance: int) -> timedelta:
        """How long after the `failures`-th attempt in a row the next may come: at once
        within the allowance, then 1 s, 2 s, 4 s, ... at most the window."""
        if failures < allowance:
            return timedelta()
        return min(self.window, timedelta(seconds=2.0 ** min(failures - allowance, 30)))

    async def _reserve(self, allowances: dict[str, int]) -> None:
        """Count this attempt against each key before its password is checked.

        Atomic: each key's count moves by compare-and-set on the value read (and, on
        SQLite, under the one writer), so of a burst of concurrent attempts only those
        the backoff lets through are checked — the rest are refused unchecked, the
        right password among them. An attempt counts as a failure until it succeeds.
        Failures older than the window are forgotten.

        Raises:
            LoginThrottledError: a key must wait; nothing was counted.
        """
        now = _now()
        try:
            async with self.db.transaction() as session:
                for key, allowance in allowances.items():
                    row = await session.get(LoginThrottleRow, key, populate_existing=True)
                    if row is None:
                        inserted = await session.execute(
                            _insert_ignore(self.db)
                            .values(
                                key=key,
                                failures=1,
                                last_at=now,
                                next_at=now + self.backoff(1, allowance),
                            )
                            .on_conflict_do_nothing(index_elements=["key"])
                        )
                        if inserted.rowcount != 1:  # type: ignore[attr-defined]
                            raise LoginThrottledError(1)  # a concurrent attempt got there first
                        continue
                    if row.next_at > now:
                        raise LoginThrottledError(_seconds_until(row.next_at, now))
                    fresh = row.last_at < now - self.window
                    failures = 1 if fresh else row.failures + 1
                    moved = await session.execute(
                        update(LoginThrottleRow)
                        .where(
                            LoginThrottleRow.key == key,
                            LoginThrottleRow.failures == row.failures,
                            LoginThrottleRow.last_at == row.last_at,
                        )
                        .values(
                            failures=failures,
                            last_at=now,
                            next_at=now + self.backoff(failures, allowance),
                        )
                    )
                    if moved.rowcount != 1:  # type: ignore[attr-defined]
                        raise LoginThrottledError(1)
        except OperationalError as exc:  # another desk process holds the row this instant
            raise LoginThrottledError(1) from exc

    async def session_for(self, token: str) -> Session | None:
        """The live session of a cookie token, or None (unknown, expired, operator disabled)."""
        async with self.db.session() as session:
            found = await session.execute(
                select(SessionRow, OperatorRow)
                .join(OperatorRow, OperatorRow.name == SessionRow.operator)
                .where(SessionRow.id == _digest(token))
            )
            row = found.first()
        if row is None:
            return None
        sess, operator = row
        if sess.expires_at <= _now() or not operator.active:
            return None
        return Session(
            Operator(operator.name, Role(operator.role)), sess.csrf_token, sess.expires_at
        )

    async def logout(self, token: str) -> None:
        async with self.db.transaction() as session:
            row = await session.get(SessionRow, _digest(token))
            if row is not None:
                await session.delete(row)
                session.add(_audit(row.operator, "logout", None))

    # --- API tokens ---------------------------------------------------------------------

    async def issue_token(self, name: str, label: str, *, by: str | None) -> str:
        """A new bearer token acting as operator `name`; shown once, stored as its hash."""
        token = "tad_" + secrets.token_urlsafe(32)
        async with self.db.transaction() as session:
            row = await session.get(OperatorRow, name)
            if row is None or not row.active:
                raise OperatorError(f"no active operator {name!r}")
            session.add(
                ApiTokenRow(id=_digest(token), operator=name, label=label, created_at=_now())
            )
            session.add(_audit(by, "token_issued", name, {"label": label}))
        return token

    async def operator_for_token(self, token: str) -> Operator | None:
        async with self.db.session() as session:
            found = await session.execute(
                select(OperatorRow)
                .join(ApiTokenRow, ApiTokenRow.operator == OperatorRow.name)
                .where(ApiTokenRow.id == _digest(token), ApiTokenRow.revoked_at.is_(None))
            )
            row = found.scalars().first()
        if row is None or not row.active:
            return None
        return Operator(row.name, Role(row.role))

    # --- audit --------------------------------------------------------------------------

    async def record(
        self, operator: str | None, action: str, target: str | None, detail: dict[str, Any]
    ) -> None:
        async with self.db.transaction() as session:
            session.add(_audit(operator, action, target, detail))


def _audit(
    operator: str | None, action: str, target: str | None, detail: dict[str, Any] | None = None
) -> AuditRow:
    return AuditRow(at=_now(), operator=operator, action=action, target=target, detail=detail or {})


def _insert_ignore(db: Database) -> Any:
    return db.insert(LoginThrottleRow)


def _seconds_until(instant: datetime, now: datetime) -> int:
    return max(1, math.ceil((instant - now).total_seconds()))


def tokens_match(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a CSRF token."""
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())
