"""replies: disposition

A passenger's answer records what became of it as a typed `disposition`
(`agent.tables.ReplyDisposition`) beside the `result` in words, so code and evaluations
judge it without matching text. Answers recorded before are given theirs from the words
the previous release wrote (one per outcome, listed here); an answer whose words are not
among them keeps a NULL disposition, its result untouched.

Revision ID: 0008_replies_disposition
Revises: 0007_rights_passengers_journeys
Create Date: 2026-12-06 09:52:32.690550
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_replies_disposition"
down_revision: str | Sequence[str] | None = "0007_rights_passengers_journeys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DESK = "to the operator desk: "
FROM_WORDS = [
    ("kept the offered flights", "kept"),
    ("moved to option ", "changed"),
    ("refunded: ", "refunded"),
    (DESK + "the passenger wrote", "wrote"),
    (DESK + "no offer for this booking", "no_offer"),
    (DESK + "the offer was already ", "offer_closed"),
    (DESK + "answered after the deadline", "late"),
    (DESK + "there is no option ", "no_such_option"),
    (DESK + "option ", "option_unavailable"),
    (DESK + "the refund failed ", "refund_failed"),
]
"""How `agent.offers.OfferDesk` worded each outcome up to this revision (a prefix each)."""


def upgrade() -> None:
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disposition", sa.String(length=24), nullable=True))
    replies = sa.table(
        "replies", sa.column("result", sa.String), sa.column("disposition", sa.String)
    )
    for words, disposition in FROM_WORDS:
        op.execute(
            replies.update()
            .where(
                replies.c.disposition.is_(None),
                replies.c.result.startswith(words, autoescape=True),
            )
            .values(disposition=disposition)
        )


def downgrade() -> None:
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.drop_column("disposition")
