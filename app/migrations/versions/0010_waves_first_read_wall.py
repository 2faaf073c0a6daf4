"""waves: first read wall time

A wave records the wall time (UTC) at which the daemon took its first material record
(`agent.tables.WaveRow.first_read_wall_at`): the start of its wall-clock time to notify,
triage and the wave's window included, which `planned_wall_at` minus `plan_seconds`
(the planning alone) left out. Waves from before have none (NULL).

Revision ID: 0010_waves_first_read_wall
Revises: 0009_seat_holds_kept
Create Date: 2026-12-07 02:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import travel_agent.db

revision: str = "0010_waves_first_read_wall"
down_revision: str | Sequence[str] | None = "0009_seat_holds_kept"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("waves", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "first_read_wall_at", travel_agent.db.UtcDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("waves", schema=None) as batch_op:
        batch_op.drop_column("first_read_wall_at")
