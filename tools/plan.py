"""A plan's actions: what a reasoner may propose and the guard checks before anything runs.

Each action is one effect on the airline or the passenger. They are tool-level nouns
(`tools.policy.checks.validate` checks them; the agent's graph runs them), so they live here
rather than in the agent.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from airline.models import Cabin
from tools.notifications import MessageKind
from tools.policy.results import CareItem, Regime


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
