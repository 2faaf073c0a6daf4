"""offers: one index on (pnr, status)

A booking's open offers are read by `pnr` and `status` at every rebooking
(`agent.offer_replaced.supersede_offers`) and at every answer. With an index on each
column and no statistics, SQLite searched by `status`: every open offer of the day, for
each case, so a storm's rebookings cost time quadratic in their number (a tenth of the
CPU of a 50-cancellation storm's 1 611 rebookings). One index on both columns serves
those reads, and the reads by `pnr` alone; it replaces the index on `pnr`.

Revision ID: 0013_offers_pnr_status_index
Revises: 0012_passenger_choices_offer_id
Create Date: 2026-12-07 13:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013_offers_pnr_status_index"
down_revision: str | Sequence[str] | None = "0012_passenger_choices_offer_id"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index("ix_offers_pnr_status", ["pnr", "status"], unique=False)
        batch_op.drop_index(batch_op.f("ix_offers_pnr"))


def downgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offers_pnr"), ["pnr"], unique=False)
        batch_op.drop_index("ix_offers_pnr_status")
