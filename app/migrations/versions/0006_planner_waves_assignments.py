"""planner: waves, assignments, emission and wall times

The wave planner's records (issue 13): the `waves` table (one row per disruption wave:
its records, the digest of the planner's inputs, the solver and its bound); on `cases`
the wave, the recorded assignment and the wall time of the decision; on `disruptions`
the event's emission time and the wave; on `outbox` the wall time of delivery. (The
`hold_expiry` job kind needs nothing: `jobs.kind` is a string.)

Every new column is nullable: rows written before this revision have no wave, no
assignment and no recorded emission or wall time, and nothing invents them.

Revision ID: 0006_planner_waves_assignments
Revises: 0005_desk_login_throttle
Create Date: 2026-12-05 21:54:01.305540
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import travel_agent.db

revision: str = "0006_planner_waves_assignments"
down_revision: str | Sequence[str] | None = "0005_desk_login_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "waves",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("first_record", sa.String(length=200), nullable=False),
        sa.Column("last_record", sa.String(length=200), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("solver", sa.String(length=16), nullable=False),
        sa.Column("objective", sa.Double(), nullable=False),
        sa.Column("lower_bound", sa.Double(), nullable=False),
        sa.Column("parties", sa.Integer(), nullable=False),
        sa.Column("placed", sa.Integer(), nullable=False),
        sa.Column("first_emitted_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("planned_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("planned_wall_at", travel_agent.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("plan_seconds", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wave_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("assignment", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("decided_wall_at", travel_agent.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_cases_wave_id"), ["wave_id"], unique=False)

    with op.batch_alter_table("disruptions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("emitted_at", travel_agent.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("wave_id", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_disruptions_wave_id"), ["wave_id"], unique=False)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sent_wall_at", travel_agent.db.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("sent_wall_at")

    with op.batch_alter_table("disruptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disruptions_wave_id"))
        batch_op.drop_column("wave_id")
        batch_op.drop_column("emitted_at")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_wave_id"))
        batch_op.drop_column("decided_wall_at")
        batch_op.drop_column("assignment")
        batch_op.drop_column("wave_id")

    op.drop_table("waves")
