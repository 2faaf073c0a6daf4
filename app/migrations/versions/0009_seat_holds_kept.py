"""seat holds: kept

A hold records the flights on which it keeps the seats its booking has there already
(`airline.tables.SeatHoldRow.kept`): a party re-planned onto another inbound and the same
onward flight keeps its onward seat rather than needing a second one. Holds from before
have none (NULL).

Revision ID: 0009_seat_holds_kept
Revises: 0008_replies_disposition
Create Date: 2026-12-06 11:09:01.750449
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_seat_holds_kept"
down_revision: str | Sequence[str] | None = "0008_replies_disposition"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("seat_holds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kept", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("seat_holds", schema=None) as batch_op:
        batch_op.drop_column("kept")
