"""A passenger's choice, recorded anywhere, taken once by the daemon.

    desk = ChoiceDesk(db, clock)
    await desk.record_refund("PNR123", "XA101/2026-03-01", chosen_by="maria", source="desk")

    await take_refund(deps, RefundChoice(...))      # the one place a refund choice is taken

Whoever hears the passenger — an operator at the desk or the CLI, or the passenger's own
answer to an offer (`agent.offers`, "decline") — records the choice (`ChoiceDesk`) or,
inside the daemon, calls `take_refund` directly. The daemon applies recorded choices within a second
(`apply_recorded_choices`), as it applies operators' decisions.

Taking a refund is a material change of the case: a pending approval of the booking can
no longer be approved; it goes stale (the desk and the CLI say why) and the case plans
again on the booking as it now is (refunded: nothing left to rebook).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agent.approvals import ApprovalStatus
from agent.deps import AgentDeps
from agent.tables import ApprovalRow, OfferRow, OfferStatus, PassengerChoiceRow
from airline.clock import Clock
from airline.models import Preferences
from tools.effects import ToolDeps, ToolResult, ToolStatus
from tools.notifications import stated_now
from tools.refunds import RefundChoice, refund_journey
from travel_agent.db import Database

log = logging.getLogger(__name__)

__all__ = [
    "OFFER_ANSWER",
    "ChoiceDesk",
    "OfferAnswer",
    "RefundChoice",
    "apply_recorded_choices",
    "take_refund",
]

OFFER_ANSWER = "offer:"
"""The `PassengerChoiceRow.choice` prefix of an answer to an offer recorded at the desk
(``offer:2``, ``offer:refund``), on a row that names its offer (`offer_id`) and no
flight. The offers desk carries these out (`agent.offers.apply_desk_answers`), not
`apply_recorded_choices`."""

OfferAnswer = int | Literal["refund"]


class ChoiceDesk:
    """Record passengers' choices from any process (desk, CLI, API)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def record_refund(
        self,
        pnr: str,
        flight_key: str,
        *,
        chosen_by: str,
        source: Literal["desk", "cli", "reply", "api"] = "desk",
    ) -> bool:
        """Record that the passenger takes the refund for `flight_key`'s journey; False if
        that was recorded already (the daemon carries it out once)."""
        try:
            async with self.db.transaction() as session:
                session.add(self._recorded(pnr, "refund", source, chosen_by, flight_key=flight_key))
        except IntegrityError:
            return False
        return True

    async def record_offer_answer(
        self, offer_id: str, pnr: str, answer: OfferAnswer, *, chosen_by: str
    ) -> bool:
        """Record the passenger's answer to their offer as heard by an operator (they wrote
        or called, in words the desk read): `answer` is an option's number (1 keeps the
        booked flights) or ``refund``. The daemon hands it to the offers desk
        (`agent.offers.apply_desk_answers`), which carries out an offer's first answer
        only. False if this answer, or another, was recorded for the offer already and
        not yet carried out: the desk answers an offer once."""
        try:
            async with self.db.transaction() as session:
                waiting = await session.scalar(
                    select(PassengerChoiceRow.id).where(
                        PassengerChoiceRow.pnr == pnr,
                        PassengerChoiceRow.offer_id == offer_id,
                        PassengerChoiceRow.status == "recorded",
                    )
                )
                if waiting is not None:
                    return False
                choice = f"{OFFER_ANSWER}{answer}"
                session.add(self._recorded(pnr, choice, "desk", chosen_by, offer_id=offer_id))
        except IntegrityError:
            return False
        return True

    def _recorded(
        self,
        pnr: str,
        choice: str,
        source: str,
        chosen_by: str,
        *,
        flight_key: str | None = None,
        offer_id: str | None = None,
    ) -> PassengerChoiceRow:
        """A choice row waiting for the daemon to carry it out: a refund names its flight,
        an answer its offer."""
        return PassengerChoiceRow(
            pnr=pnr,
            flight_key=flight_key,
            offer_id=offer_id,
            choice=choice,
            source=source,
            chosen_by=chosen_by,
            chosen_at=self.clock.now(),
            status="recorded",
        )

    async def of_booking(self, pnr: str) -> list[PassengerChoiceRow]:
        async with self.db.session() as session:
            query = select(PassengerChoiceRow).where(PassengerChoiceRow.pnr == pnr)
            return list((await session.scalars(query.order_by(PassengerChoiceRow.id))).all())


def tool_deps(deps: AgentDeps) -> ToolDeps:
    """The tools' view of the agent's dependencies."""
    return ToolDeps(
        db=deps.db,
        schedule=deps.schedule,
        board=deps.board,
        clock=deps.clock,
        policy=deps.settings.policy,
    )


async def take_refund(
    deps: ToolDeps,
    choice: RefundChoice,
    *,
    case_id: str | None = None,
    preferences: Preferences | None = None,
) -> ToolResult:
    """The one place a passenger's refund choice is taken, whoever heard it (the desk, the
    CLI, a declined offer: `agent.offers.OfferDesk`): the refund effect
    (`tools.refunds.refund_journey`: checked against the rules, seats back, ledger with the
    deadline, confirmation), and in its transaction every pending approval of the booking
    goes stale, so none can be approved over it and its case plans again.

    Args:
        deps: the tools' dependencies (`tool_deps` of the agent's).
        choice: who chose, for which disrupted flight, when.
        case_id: the ledger's case for the refund (default ``choice:<pnr>``).
        preferences: the customer's stated wishes now, for the confirmation's channel
            and language (`tools.notifications.stated_now`).
    """
    why = f"{choice.pnr} chose a refund"

    async def stale(session: AsyncSession) -> None:
        # In the refund's transaction: a kill after the refund cannot leave them pending.
        await stale_approvals_of(session, choice.pnr, why, choice.chosen_at)

    return await refund_journey(
        deps, choice, case_id=case_id, preferences=preferences, and_then=stale
    )


async def stale_approvals_of(session: AsyncSession, pnr: str, reason: str, at: datetime) -> int:
    """A material change of the booking itself (the passenger's own answer): its pending
    approvals go stale and their cases plan again; in the caller's transaction."""
    changed = await session.execute(
        update(ApprovalRow)
        .where(ApprovalRow.pnr == pnr, ApprovalRow.status == ApprovalStatus.PENDING.value)
        .values(
            status=ApprovalStatus.STALE.value,
            decided_by="agent",
            decided_at=at,
            decision={"verdict": "stale", "reason": reason},
        )
    )
    count = int(changed.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        log.info("%d approval(s) of %s went stale: %s", count, pnr, reason)
    return count


async def apply_recorded_choices(deps: AgentDeps) -> int:
    """Carry out the choices recorded since the last time, each once; returns how many."""
    async with deps.db.session() as session:
        rows = (
            await session.scalars(
                select(PassengerChoiceRow)
                .where(
                    PassengerChoiceRow.status == "recorded",
                    PassengerChoiceRow.offer_id.is_(None),  # answers: the offers desk's
                )
                .order_by(PassengerChoiceRow.id)
            )
        ).all()
    applied = 0
    for row in rows:
        assert row.flight_key is not None, "a refund names its flight (no offer_id)"
        choice = RefundChoice(
            pnr=row.pnr,
            flight_key=row.flight_key,
            chosen_at=row.chosen_at,
            chosen_by=row.chosen_by,
            source=row.source,
        )
        preferences = await stated_now(deps.memory, deps.db, row.pnr)
        result = await take_refund(tool_deps(deps), choice, preferences=preferences)
        async with deps.db.transaction() as session:
            await session.execute(
                update(PassengerChoiceRow)
                .where(PassengerChoiceRow.id == row.id, PassengerChoiceRow.status == "recorded")
                .values(
                    status="done" if result.status is ToolStatus.OK else "refused",
                    result={"message": result.message, "error": result.error},
                    applied_at=deps.clock.now(),
                )
            )
            if result.status is ToolStatus.OK:
                await _close_offers_refunded(session, choice, deps.clock.now())
        applied += 1
        log.info("choice %s of %s: %s", row.choice, row.pnr, result.message)
    return applied


async def _close_offers_refunded(
    session: AsyncSession,
    choice: RefundChoice,
    at: datetime,
) -> None:
    """The refund taken at the desk or the CLI answers the open offer of the same flights:
    declined, as if the passenger had replied REFUND. Left open, it would default at its
    deadline as though the re-routing stood, and a later "2" would try to move a journey
    already refunded."""
    offers = (
        await session.scalars(
            select(OfferRow).where(OfferRow.pnr == choice.pnr, OfferRow.status == OfferStatus.OPEN)
        )
    ).all()
    for offer in offers:
        if choice.flight_key == offer.disruption_flight or choice.flight_key in offer.booked:
            offer.status = OfferStatus.DECLINED.value
            offer.answered_at = at
            offer.outcome = {"choice": "decline", "via": choice.source, "by": choice.chosen_by}
