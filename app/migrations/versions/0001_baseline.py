"""Baseline: the schema of the release before migrations (main at bcda703).

Every table and index is created only if it is missing: that release created its tables
with `create_all` when a process opened the database, the desk's only when a desk ran
and the two claims tables on first use, so a database it left may hold any subset of
them. Upgrading one of its databases therefore adds what is missing and keeps the rest
(and their rows) as they are.

Why it is long: it is the whole schema of that release, table by table, as Alembic
wrote it; a baseline is read once and never edited.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-05 19:22:03.586016
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import travel_agent.db

revision: str = "0001_baseline"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("pnr", sa.String(length=6), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_action_ledger_case_id", "action_ledger", ["case_id"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_action_ledger_pnr", "action_ledger", ["pnr"], unique=False, if_not_exists=True
    )

    op.create_table(
        "airports",
        sa.Column("iata", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("iata"),
        if_not_exists=True,
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("pnr", sa.String(length=6), nullable=False),
        sa.Column("customer_id", sa.String(length=16), nullable=False),
        sa.Column("flight_key", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("why", sa.JSON(), nullable=False),
        sa.Column("proposal", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("entitlements", sa.JSON(), nullable=False),
        sa.Column("memory", sa.JSON(), nullable=False),
        sa.Column("rationale", sa.String(length=2000), nullable=False),
        sa.Column("cost_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deadline", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", travel_agent.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("applied_at", travel_agent.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "revision", name="uq_approvals_case_rev"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_approvals_case_id", "approvals", ["case_id"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_approvals_customer_id", "approvals", ["customer_id"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_approvals_deadline", "approvals", ["deadline"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_approvals_flight_key", "approvals", ["flight_key"], unique=False, if_not_exists=True
    )
    op.create_index("ix_approvals_pnr", "approvals", ["pnr"], unique=False, if_not_exists=True)
    op.create_index(
        "ix_approvals_status", "approvals", ["status"], unique=False, if_not_exists=True
    )

    op.create_table(
        "case_claims",
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
        if_not_exists=True,
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_table(
        "desk_api_tokens",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", travel_agent.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_desk_api_tokens_operator",
        "desk_api_tokens",
        ["operator"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "desk_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_desk_audit_at", "desk_audit", ["at"], unique=False, if_not_exists=True)

    op.create_table(
        "desk_login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name_key", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_desk_login_failures_address_at",
        "desk_login_failures",
        ["address", "at"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_desk_login_failures_name_at",
        "desk_login_failures",
        ["name_key", "at"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "desk_operators",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        if_not_exists=True,
    )
    op.create_table(
        "desk_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_desk_sessions_expires_at",
        "desk_sessions",
        ["expires_at"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_desk_sessions_operator", "desk_sessions", ["operator"], unique=False, if_not_exists=True
    )

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("due_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_until", travel_agent.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("done_at", travel_agent.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_jobs_status_due", "jobs", ["status", "due_at"], unique=False, if_not_exists=True
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=16), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", travel_agent.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_outbox_customer_id", "outbox", ["customer_id"], unique=False, if_not_exists=True
    )
    op.create_index("ix_outbox_status", "outbox", ["status"], unique=False, if_not_exists=True)

    op.create_table(
        "outbox_claims",
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("outbox_id"),
        if_not_exists=True,
    )
    op.create_table(
        "bookings",
        sa.Column("pnr", sa.String(length=6), nullable=False),
        sa.Column("customer_id", sa.String(length=16), nullable=False),
        sa.Column("fare", sa.String(length=16), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ssr", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.PrimaryKeyConstraint("pnr"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_bookings_customer_id", "bookings", ["customer_id"], unique=False, if_not_exists=True
    )

    op.create_table(
        "customer_channels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_customer_channels_customer_id",
        "customer_channels",
        ["customer_id"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "flights",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("carrier", sa.String(length=3), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("origin", sa.String(length=3), nullable=False),
        sa.Column("destination", sa.String(length=3), nullable=False),
        sa.Column("sched_dep", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sched_arr", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("tail", sa.String(length=16), nullable=False),
        sa.Column("distance_km", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["destination"],
            ["airports.iata"],
        ),
        sa.ForeignKeyConstraint(
            ["origin"],
            ["airports.iata"],
        ),
        sa.PrimaryKeyConstraint("key"),
        sa.UniqueConstraint("carrier", "number", "service_date"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_flights_origin_dep",
        "flights",
        ["origin", "sched_dep"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "board",
        sa.Column("flight_key", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("est_dep", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("est_arr", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("gate", sa.String(length=8), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("diverted_to", sa.String(length=3), nullable=True),
        sa.Column("last_event_id", sa.String(length=64), nullable=False),
        sa.Column("last_emitted_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flight_key"],
            ["flights.key"],
        ),
        sa.PrimaryKeyConstraint("flight_key"),
        if_not_exists=True,
    )
    op.create_table(
        "disruptions",
        sa.Column("id", sa.String(length=96), nullable=False),
        sa.Column("flight_key", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("detected_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flight_key"],
            ["flights.key"],
        ),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_disruptions_flight_key", "disruptions", ["flight_key"], unique=False, if_not_exists=True
    )

    op.create_table(
        "inventory",
        sa.Column("flight_key", sa.String(length=32), nullable=False),
        sa.Column("cabin", sa.String(length=16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("sold", sa.Integer(), nullable=False),
        sa.CheckConstraint("sold >= 0 AND sold <= capacity", name="ck_inventory_sold"),
        sa.ForeignKeyConstraint(
            ["flight_key"],
            ["flights.key"],
        ),
        sa.PrimaryKeyConstraint("flight_key", "cabin"),
        if_not_exists=True,
    )
    op.create_table(
        "seat_holds",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("pnr", sa.String(length=6), nullable=False),
        sa.Column("flights", sa.JSON(), nullable=False),
        sa.Column("cabin", sa.String(length=16), nullable=False),
        sa.Column("party", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", travel_agent.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("party >= 1", name="ck_seat_holds_party"),
        sa.ForeignKeyConstraint(
            ["pnr"],
            ["bookings.pnr"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_seat_holds_case_id", "seat_holds", ["case_id"], unique=False, if_not_exists=True
    )
    op.create_index("ix_seat_holds_pnr", "seat_holds", ["pnr"], unique=False, if_not_exists=True)
    op.create_index(
        "ix_seat_holds_status_expires",
        "seat_holds",
        ["status", "expires_at"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "segments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pnr", sa.String(length=6), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("flight_key", sa.String(length=32), nullable=False),
        sa.Column("cabin", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["flight_key"],
            ["flights.key"],
        ),
        sa.ForeignKeyConstraint(
            ["pnr"],
            ["bookings.pnr"],
        ),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_segments_flight_status",
        "segments",
        ["flight_key", "status"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index("ix_segments_pnr", "segments", ["pnr"], unique=False, if_not_exists=True)

    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("disruption_id", sa.String(length=96), nullable=False),
        sa.Column("pnr", sa.String(length=6), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("created_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["disruption_id"],
            ["disruptions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pnr"],
            ["bookings.pnr"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("disruption_id", "pnr"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_cases_disruption_id", "cases", ["disruption_id"], unique=False, if_not_exists=True
    )
    op.create_index("ix_cases_pnr", "cases", ["pnr"], unique=False, if_not_exists=True)
    op.create_index("ix_cases_status", "cases", ["status"], unique=False, if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_cases_status", table_name="cases")
    op.drop_index("ix_cases_pnr", table_name="cases")
    op.drop_index("ix_cases_disruption_id", table_name="cases")

    op.drop_table("cases")
    op.drop_index("ix_segments_pnr", table_name="segments")
    op.drop_index("ix_segments_flight_status", table_name="segments")

    op.drop_table("segments")
    op.drop_index("ix_seat_holds_status_expires", table_name="seat_holds")
    op.drop_index("ix_seat_holds_pnr", table_name="seat_holds")
    op.drop_index("ix_seat_holds_case_id", table_name="seat_holds")

    op.drop_table("seat_holds")
    op.drop_table("inventory")
    op.drop_index("ix_disruptions_flight_key", table_name="disruptions")

    op.drop_table("disruptions")
    op.drop_table("board")
    op.drop_index("ix_flights_origin_dep", table_name="flights")

    op.drop_table("flights")
    op.drop_index("ix_customer_channels_customer_id", table_name="customer_channels")

    op.drop_table("customer_channels")
    op.drop_index("ix_bookings_customer_id", table_name="bookings")

    op.drop_table("bookings")
    op.drop_table("outbox_claims")
    op.drop_index("ix_outbox_status", table_name="outbox")
    op.drop_index("ix_outbox_customer_id", table_name="outbox")

    op.drop_table("outbox")
    op.drop_index("ix_jobs_status_due", table_name="jobs")

    op.drop_table("jobs")
    op.drop_index("ix_desk_sessions_operator", table_name="desk_sessions")
    op.drop_index("ix_desk_sessions_expires_at", table_name="desk_sessions")

    op.drop_table("desk_sessions")
    op.drop_table("desk_operators")
    op.drop_index("ix_desk_login_failures_name_at", table_name="desk_login_failures")
    op.drop_index("ix_desk_login_failures_address_at", table_name="desk_login_failures")

    op.drop_table("desk_login_failures")
    op.drop_index("ix_desk_audit_at", table_name="desk_audit")

    op.drop_table("desk_audit")
    op.drop_index("ix_desk_api_tokens_operator", table_name="desk_api_tokens")

    op.drop_table("desk_api_tokens")
    op.drop_table("customers")
    op.drop_table("case_claims")
    op.drop_index("ix_approvals_status", table_name="approvals")
    op.drop_index("ix_approvals_pnr", table_name="approvals")
    op.drop_index("ix_approvals_flight_key", table_name="approvals")
    op.drop_index("ix_approvals_deadline", table_name="approvals")
    op.drop_index("ix_approvals_customer_id", table_name="approvals")
    op.drop_index("ix_approvals_case_id", table_name="approvals")

    op.drop_table("approvals")
    op.drop_table("airports")
    op.drop_index("ix_action_ledger_pnr", table_name="action_ledger")
    op.drop_index("ix_action_ledger_case_id", table_name="action_ledger")

    op.drop_table("action_ledger")
