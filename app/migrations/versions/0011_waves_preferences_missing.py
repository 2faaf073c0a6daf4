"""waves: preferences missing

A wave records whether customer memory failed to answer before its transaction, so
that it was planned without its customers' hard preferences
(`agent.tables.WaveRow.preferences_missing`): until now only the log and a metric said
so, both gone by the time someone audits a passenger's rebooking. Waves from before
read as not missing (the default), as nearly all were.

Revision ID: 0011_waves_preferences_missing
Revises: 0010_waves_first_read_wall
Create Date: 2026-12-07 06:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_waves_preferences_missing"
down_revision: str | Sequence[str] | None = "0010_waves_first_read_wall"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("waves", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "preferences_missing", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("waves", schema=None) as batch_op:
        batch_op.drop_column("preferences_missing")
