"""Passengers who answer, in scenarios: the scripted answers and what is expected of them.

A scenario's ``passenger:`` timeline (`evals.scenario.ReplySpec`) delivers each answer at
its time, as the inbound adapters would (`streams.replies.PassengerReply`, through
`agent.offers.OfferDesk`, the daemon's own path); the run records every offer and every
answer with its result; the expectation kinds ``offer`` and ``reply`` score them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agent.offers import OfferDesk
from agent.tables import OfferRow, ReplyDisposition, ReplyRow
from streams.replies import PassengerReply

if TYPE_CHECKING:
    from evals.expectations import Score
    from evals.run_result import RunResult
    from evals.scenario import ReplySpec
    from memory.base import CustomerMemory
    from tools.effects import ToolDeps


@dataclass(frozen=True)
class OfferEntry:
    id: str
    pnr: str
    status: str
    options: list[list[str]]
    booked: list[str]
    deadline: datetime


@dataclass(frozen=True)
class ReplyEntry:
    reply_id: str
    pnr: str
    choice: str
    option: int | None
    result: str
    received_at: datetime
    disposition: ReplyDisposition | None


async def deliver(
    deps: ToolDeps,
    spec: ReplySpec,
    index: int,
    now: datetime,
    memory: CustomerMemory | None = None,
) -> str:
    """Deliver one scripted answer as the inbound adapters would (its own words to
    `memory`, as the daemon's desk does); returns its result."""
    reply = PassengerReply(
        reply_id=f"scenario:{index}",
        pnr=spec.booking,
        offer_id=None if spec.offer is None else await _nth_offer(deps, spec.booking, spec.offer),
        channel=spec.channel,
        sender=f"scripted-{spec.channel}",
        choice=spec.answer,
        option=spec.option,
        text=spec.text,
        received_at=now,
    )
    result = await OfferDesk(deps, memory).answer(reply)
    return f"{spec.at} {spec.answer}{' ' + str(spec.option) if spec.option else ''} " + (
        f"{spec.booking}: {result}"
    )


async def _nth_offer(deps: ToolDeps, pnr: str, nth: int) -> str:
    """The id of `pnr`'s `nth` offer (1-based, in the order made); one that was never made
    is named as such, and the desk finds no such offer."""
    async with deps.db.session() as session:
        ids = (
            await session.scalars(
                select(OfferRow.id).where(OfferRow.pnr == pnr).order_by(OfferRow.created_at)
            )
        ).all()
    return ids[nth - 1] if nth <= len(ids) else f"{pnr}:no-offer-{nth}"


async def collect(session: AsyncSession) -> tuple[list[OfferEntry], list[ReplyEntry]]:
    offers = [
        OfferEntry(
            r.id,
            r.pnr,
            r.status,
            [list(o["flights"]) for o in r.options],
            list(r.booked),
            r.deadline,
        )
        for r in (await session.scalars(select(OfferRow).order_by(OfferRow.created_at))).all()
    ]
    replies = [
        ReplyEntry(
            r.reply_id,
            r.pnr,
            r.choice,
            r.option,
            r.result,
            r.received_at,
            ReplyDisposition(r.disposition) if r.disposition else None,
        )
        for r in (await session.scalars(select(ReplyRow).order_by(ReplyRow.received_at))).all()
    ]
    return offers, replies


# --- expectations -----------------------------------------------------------------------


class OfferSpec(BaseModel):
    """``offer: {booking: X, status: changed}``: the booking's (newest) offer ended so."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    booking: str
    status: str = "open"
    options_at_least: int | None = None


class ReplyExpectation(BaseModel):
    """``reply: {booking: X, disposition: changed, option: 2}``: the booking's answers
    (the `nth`, 1-based; default the last) came to this `agent.tables.ReplyDisposition`
    (and, if given, were the passenger's choice of this option)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    booking: str
    disposition: ReplyDisposition
    option: int | None = None
    nth: int | None = None


def score_offer(spec: OfferSpec, result: RunResult) -> Score:
    from evals.expectations import Score

    offers = [o for o in result.offers if o.pnr == spec.booking]
    if not offers:
        return Score(False, f"no offer was made on {spec.booking}")
    offer = offers[-1]
    if spec.options_at_least is not None and len(offer.options) < spec.options_at_least:
        return Score(False, f"offer {offer.id} had {len(offer.options)} options")
    if offer.status != spec.status:
        return Score(False, f"offer {offer.id} is {offer.status}, not {spec.status}")
    return Score(True, f"offer {offer.id} {offer.status} ({len(offer.options)} options)")


def score_reply(spec: ReplyExpectation, result: RunResult) -> Score:
    from evals.expectations import Score

    replies = [r for r in result.replies if r.pnr == spec.booking]
    if not replies:
        return Score(False, f"no answer on {spec.booking} was handled")
    index = (spec.nth or len(replies)) - 1
    if not 0 <= index < len(replies):
        return Score(False, f"{len(replies)} answers on {spec.booking}, not {spec.nth}")
    got = replies[index]
    said = f"answer {index + 1} on {spec.booking}: {got.disposition} ({got.result!r})"
    if got.disposition != spec.disposition:
        return Score(False, f"{said}, not {spec.disposition}")
    if spec.option is not None and got.option != spec.option:
        return Score(False, f"{said}: option {got.option}, not {spec.option}")
    return Score(True, said)


def describe(entries: list[Any]) -> str:
    return "; ".join(str(e) for e in entries)
