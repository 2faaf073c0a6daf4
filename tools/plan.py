"""A plan's actions: what a reasoner may propose and the guard checks before anything runs.

Each action is one effect on the airline or the passenger. They are tool-level nouns
(`tools.policy.checks.validate` checks them; the agent's graph runs them), so they live here
rather than in the agent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from airline.models import Cabin
from tools.notifications import MessageKind
from tools.policy.results import CareItem, Regime


class StartAgain(BaseModel):
    """A second start of a case's new itinerary, and the segments it then replaces: a
    missed connection whose late leg has not left yet is re-planned from the hub after the
    late leg (replacing the onward legs) or from the late leg's origin (replacing it too).
    A rebooking replacing these segments must leave from `origin`, no earlier than
    `earliest_dep` (`tools.policy.validate.CaseFacts.start_for`)."""

    model_config = ConfigDict(frozen=True)

    replace_seqs: list[int]
    origin: str
    earliest_dep: datetime


def replaced_from(
    origin: str | None, replace_seqs: Sequence[int], also_from: StartAgain | None
) -> list[int]:
    """The segments an itinerary leaving `origin` replaces: the second start's when it
    leaves from there, else the case's own `replace_seqs` (the two starts are different
    airports, the late leg's two ends, so an itinerary's first airport says which)."""
    if also_from is not None and origin == also_from.origin:
        return list(also_from.replace_seqs)
    return list(replace_seqs)


class RebookAction(BaseModel):
    """Move the booking off `replace_seqs` onto `flights`, in the same cabin."""

    kind: Literal["rebook"] = "rebook"
    replace_seqs: list[int]
    flights: list[str] = Field(min_length=1)
    cabin: Cabin


class NotifyAction(BaseModel):
    """Tell the passenger what happened and what we did."""

    kind: Literal["notify"] = "notify"
    message: MessageKind


class CompensateAction(BaseModel):
    """Pay the fixed compensation a regulation owes (EU261/UK261 Art 7, APPR s.19)."""

    kind: Literal["compensate"] = "compensate"
    regime: Regime
    amount_cents: int = Field(ge=0, description="paid to each of `passengers`")
    currency: str = Field(min_length=3, max_length=3)
    passengers: int = Field(default=1, ge=1, description="travellers of the booking paid")

    @property
    def total_cents(self) -> int:
        return self.amount_cents * self.passengers


class CareAction(BaseModel):
    """Issue care while the passengers wait: meal vouchers, hotel, calls."""

    kind: Literal["care"] = "care"
    regime: Regime
    items: list[CareItem] = Field(min_length=1)
    passengers: int = Field(default=1, ge=1, description="travellers of the booking cared for")


class RefundOfferAction(BaseModel):
    """Offer the passenger their money back instead of travelling on."""

    kind: Literal["refund_offer"] = "refund_offer"
    regime: Regime | None = Field(default=None, description="the rule that offers it, if any")
    amount_cents: int = Field(ge=0)
    currency: str = Field(min_length=3, max_length=3)


ProposedAction = Annotated[
    RebookAction | NotifyAction | CompensateAction | CareAction | RefundOfferAction,
    Field(discriminator="kind"),
]
