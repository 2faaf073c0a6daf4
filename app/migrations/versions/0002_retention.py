"""Retention: the ledger's archive, the mark on pruned cases, and the indexes retention
reads by age (`agent.retention`).

Revision ID: 0002_retention
Revises: 0001_baseline
Create Date: 2026-12-05 19:23:11.503006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import travel_agent.db

revision: str = "0002_retention"
down_revision: str | Sequence[str] | None = "0001_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_ledger_archive",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("pnr", sa.String(length=6), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("archived_before", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("action_ledger_archive", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_ledger_archive_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_action_ledger_archive_pnr"), ["pnr"], unique=False)

    with op.batch_alter_table("action_ledger", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_ledger_created_at"), ["created_at"], unique=False
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "checkpoint_pruned_at", travel_agent.db.UtcDateTime(timezone=True), nullable=True
            )
        )
        batch_op.create_index("ix_cases_status_updated", ["status", "updated_at"], unique=False)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_status_created", ["status", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_created")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_status_updated")
        batch_op.drop_column("checkpoint_pruned_at")

    with op.batch_alter_table("action_ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_ledger_created_at"))

    with op.batch_alter_table("action_ledger_archive", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_ledger_archive_pnr"))
        batch_op.drop_index(batch_op.f("ix_action_ledger_archive_case_id"))

    op.drop_table("action_ledger_archive")
