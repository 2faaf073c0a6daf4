"""passenger choices: offer id

An answer to an offer recorded for the passenger (at the desk or with the CLI's
``customers answer``) names its offer in a column of its own (`offer_id`), instead of in
`flight_key`, which such a row used to fill with the offer's id. Its `flight_key` is
NULL now (it answers an offer, not a flight); a refund recorded for a flight keeps its
`flight_key` and has no `offer_id`. Each kind stays recorded once: a refund per booking,
flight and choice (`uq_choice_once`, as before), an answer per offer and choice
(`uq_offer_answer_once`; NULLs are distinct on both databases, so neither constraint
reaches the other kind's rows).

Rows from before: a row whose `choice` starts with ``offer:`` was written by
`ChoiceDesk.record_offer_answer`, the only writer of that prefix, which always put the
offer's id in `flight_key`; its `flight_key` moves to `offer_id`. Every other row was
written by `ChoiceDesk.record_refund` with a flight of the booking and stays as it is.

Revision ID: 0012_passenger_choices_offer_id
Revises: 0011_waves_preferences_missing
Create Date: 2026-12-07 09:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_passenger_choices_offer_id"
down_revision: str | Sequence[str] | None = "0011_waves_preferences_missing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OFFER_ANSWER = "offer:"
"""The `choice` prefix `ChoiceDesk.record_offer_answer` has written (``offer:2``)."""

choices = sa.table(
    "passenger_choices",
    sa.column("flight_key", sa.String),
    sa.column("offer_id", sa.String),
    sa.column("choice", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("passenger_choices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offer_id", sa.String(length=40), nullable=True))
        batch_op.alter_column("flight_key", existing_type=sa.String(length=32), nullable=True)
        batch_op.create_unique_constraint("uq_offer_answer_once", ["offer_id", "choice"])
    op.execute(
        choices.update()
        .where(choices.c.choice.startswith(OFFER_ANSWER, autoescape=True))
        .values(offer_id=choices.c.flight_key, flight_key=None)
    )


def downgrade() -> None:
    op.execute(
        choices.update()
        .where(choices.c.offer_id.is_not(None))
        .values(flight_key=choices.c.offer_id)
    )
    with op.batch_alter_table("passenger_choices", schema=None) as batch_op:
        batch_op.drop_constraint("uq_offer_answer_once", type_="unique")
        batch_op.alter_column("flight_key", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_column("offer_id")
