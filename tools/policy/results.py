"""What the policy engine answers: entitlements, notes on what is not owed, and why.

`tools.policy.entitlements` re-exports these names; import them from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Regime(StrEnum):
    """A body of passenger-rights law the engine knows."""

    EU261 = "eu261"
    UK261 = "uk261"
    US_DOT = "us_dot"
    APPR = "appr"


class EntitlementKind(StrEnum):
    COMPENSATION = "compensation"
    """Fixed money for the inconvenience (EU261/UK261 Art 7, APPR s.19)."""
    CARE = "care"
    """Meals, communication, hotel while the passenger waits."""
    REFUND = "refund"
    """A refund that is owed now: the passenger declined the alternative or took the refund."""
    REFUND_OPTION = "refund_option"
    """A refund the passenger may choose instead of travelling on."""
    REROUTING = "rerouting"
    """Carriage to the final destination on another flight."""
    DOWNGRADE_REFUND = "downgrade_refund"
    """Part of the fare back for flying a lower cabin than booked (EU261/UK261 Art 10)."""
    NOTICE = "notice"
    """A written notice of the passenger's rights (EU261/UK261 Art 14)."""
    NOTIFICATION_DUTY = "notification_duty"
    """The carrier must tell the passenger about the change by a deadline (14 CFR 259.8)."""


class CareItem(StrEnum):
    MEALS = "meals"
    """Meals and refreshments in reasonable relation to the waiting time."""
    COMMUNICATION = "communication"
    """Two telephone calls, e-mails or messages."""
    HOTEL = "hotel"
    """Hotel accommodation and transport between the airport and the hotel."""


class Entitlement(BaseModel):
    """One thing the passenger is owed (or the carrier must do), with the rule that says so."""

    model_config = ConfigDict(frozen=True)

    regime: Regime
    kind: EntitlementKind
    citation: str = Field(description='the rule, e.g. "EU261 Art 7(1)(c)"')
    reason: str = Field(description="why, in a sentence a passenger could read")
    amount_cents: int | None = Field(default=None, description="money owed, in minor units")
    currency: str | None = None
    care: CareItem | None = None
    due_by: AwareDatetime | None = Field(default=None, description="deadline, where one applies")
    alternative_to: tuple[Regime, ...] = Field(
        default=(), description="regimes whose same kind of payment this one excludes"
    )


class Note(BaseModel):
    """Something the passenger is not owed, or a rule that did not apply, and why."""

    model_config = ConfigDict(frozen=True)

    regime: Regime | None
    citation: str
    reason: str


class Entitlements(BaseModel):
    """Everything a passenger is owed for one disruption, across every regime in scope."""

    model_config = ConfigDict(frozen=True)

    regimes: tuple[Regime, ...] = Field(description="regimes whose scope covers the journey")
    distance_km: int = Field(description="great circle, first origin to final destination")
    passengers: int = Field(
        default=1, ge=1, description="travellers each owed the compensation (amounts are each)"
    )
    travellers: int = Field(default=1, ge=1, description="travellers each owed care")
    items: tuple[Entitlement, ...] = ()
    notes: tuple[Note, ...] = ()

    def of(
        self, regime: Regime | None = None, kind: EntitlementKind | None = None
    ) -> list[Entitlement]:
        """The items of one regime and/or kind."""
        return [
            item
            for item in self.items
            if (regime is None or item.regime is regime) and (kind is None or item.kind is kind)
        ]

    def compensation(self, regime: Regime) -> Entitlement | None:
        """The regime's compensation, if any is owed."""
        found = self.of(regime, EntitlementKind.COMPENSATION)
        return found[0] if found else None

    def care(self, regime: Regime) -> set[CareItem]:
        """The kinds of care the regime owes."""
        return {
            item.care for item in self.of(regime, EntitlementKind.CARE) if item.care is not None
        }


@dataclass
class Findings:
    """What one regime's rules found: the items owed, and notes on what is not owed."""

    regime: Regime
    items: list[Entitlement] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def owe(self, kind: EntitlementKind, citation: str, reason: str, **fields: Any) -> None:
        self.items.append(
            Entitlement(regime=self.regime, kind=kind, citation=citation, reason=reason, **fields)
        )

    def note(self, citation: str, reason: str) -> None:
        self.notes.append(Note(regime=self.regime, citation=citation, reason=reason))
