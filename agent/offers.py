"""Offers a passenger may answer, and what their answer does.

When a case rebooks a passenger it opens an *offer* in the same transaction
(`open_offer`): the flights booked for them are option 1, the other alternatives it
found are options 2..N, and the passenger has until the deadline to answer. An answer
(`streams.replies.PassengerReply`, from any inbound channel) is handled by `OfferDesk`:

- ``accept`` (or option 1): the rebooking stands; the offer is closed;
- ``option`` N > 1: the booking moves from the booked flights onto option N, through the
  offer-scoped rebooking (`tools.rebooking.rebook`, guarded as the act node's rebookings
  are: seats, connection, destination, in time for the booking's next journey);
- ``decline``: the refund is taken (`agent.choices.take_refund`), as far as a rule gives it;
- ``text``: words of their own go to the operator desk, as data; the offer stays open.

Whatever the answer, words of the passenger's own in it are also remembered in customer
memory, once per reply, as the passenger's (`agent.reply_memory`): the preference
extractor reads them as it reads every passenger's text, wishes counted, orders refused.

Each answer is recorded once (by `reply_id`) in the conversation (`replies`), with what
became of it; an answer to an offer already answered changes nothing and goes to the
desk. An offer can be kept or switched only while the booking holds the flights it was
made about: closed ``superseded`` at the source (the later change's transaction), refused
at the use (here); `agent.offer_replaced` says why both, and what the passenger is told.
A ``decline`` is carried out on a superseded offer too: the refund is about the
disrupted journey, not the offered flights. No answer by the deadline: the default the
regulations allow runs — the re-routing stands (EU261 Art 8(1)(b); the passenger keeps
the right to ask for a refund later) — and the offer closes as ``defaulted``
(`JobKind.REPLY_DEADLINE`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agent.choices import OFFER_ANSWER, RefundChoice, take_refund
from agent.offer_default import default_unanswered
from agent.offer_replaced import still_held, switch_closes, tell_offer_replaced
from agent.offer_terms import other_options, reply_deadline
from agent.reply_memory import remember_reply
from agent.scheduler import JobKind, schedule_job
from agent.switch_notice import confirm_switch, switch_key
from agent.tables import (
    OfferRow,
    OfferStatus,
    PassengerChoiceRow,
    ReplyDisposition,
    ReplyRow,
)
from airline.models import Cabin
from airline.reservations import load_booking
from memory.base import CustomerMemory
from streams.replies import PassengerReply
from tools.effects import ToolDeps, ToolStatus
from tools.flights import Itinerary
from tools.notifications import stated_now
from tools.rebooking import rebook
from travel_agent.db import Database, execute_write

log = logging.getLogger(__name__)


def offer_id(case_id: str) -> str:
    digest = hashlib.blake2b(case_id.encode(), digest_size=8).hexdigest().upper()
    return f"OF-{digest[:10]}"


def answer_case(offer: str) -> str:
    """The ledger's case for what a passenger's answer did: a decision of its own, the
    passenger's, not a second effect of the case that made the offer."""
    return f"reply:{offer}"


async def open_offer(
    session: AsyncSession,
    db: Database,
    *,
    case_id: str,
    pnr: str,
    disruption_flight: str,
    booked: Sequence[str],
    alternatives: Sequence[Itinerary],
    cabin: Cabin,
    departure: datetime,
    now: datetime,
) -> str:
    """Open the offer of a rebooking, in the rebooking's transaction; once per case.

    Only the alternatives leaving from where the booked one does are offered
    (`agent.offer_terms.other_options`): a switch replaces the booked flights
    (`_switch`), so it starts where they do. A missed connection's options from the late
    leg's origin and from the hub (`agent.planner.inputs.Restart`) replace different
    segments; one from the other start could not be booked."""
    options = [{"flights": list(booked)}] + [
        {"flights": it.flight_keys, "dep": it.dep.isoformat(), "arr": it.arr.isoformat()}
        for it in other_options(booked, alternatives)
    ]
    deadline = reply_deadline(now, departure)
    values = {
        "id": offer_id(case_id),
        "case_id": case_id,
        "pnr": pnr,
        "disruption_flight": disruption_flight,
        "booked": list(booked),
        "options": options,
        "cabin": cabin.value,
        "status": OfferStatus.OPEN.value,
        "deadline": deadline,
        "created_at": now,
        "answered_at": None,
        "outcome": None,
    }
    await execute_write(session, db.insert_new(OfferRow), values)
    await schedule_job(
        session,
        db,
        key=f"reply-deadline:{values['id']}",
        kind=JobKind.REPLY_DEADLINE,
        due_at=deadline,
        payload={"offer_id": values["id"]},
    )
    return str(values["id"])


Handled = tuple[ReplyDisposition, str, dict[str, Any] | None]
"""What an answer came to: its disposition, the result in words, the offer's new state
(None: the offer stays as it is)."""


def _desk(disposition: ReplyDisposition, why: str) -> Handled:
    """The answer goes to the operator desk; the offer stays as it is."""
    return disposition, f"to the operator desk: {why}", None


class OfferDesk:
    """Handles passengers' answers to offers, and offers nobody answered.

    Args:
        deps: the tools' dependencies.
        memory: customer memory; a reply's own words are remembered there for the
            passenger's next messages and trips (`agent.reply_memory`). None: not.
    """

    def __init__(self, deps: ToolDeps, memory: CustomerMemory | None = None) -> None:
        self.deps = deps
        self.memory = memory

    async def answer(self, reply: PassengerReply) -> str:
        """Carry out `reply` once; returns what became of it (also recorded)."""
        async with self.deps.db.session() as session:
            seen = await session.get(ReplyRow, reply.reply_id)
            if seen is not None:
                return f"already handled: {seen.result}"
            offer = await self._offer(session, reply)
        await self._remember(reply)
        disposition, result, outcome = await self._carry_out(reply, offer)
        now = self.deps.clock.now()
        async with self.deps.db.transaction() as session:
            await session.execute(
                self.deps.db.insert(ReplyRow)
                .values(
                    reply_id=reply.reply_id,
                    pnr=reply.pnr,
                    offer_id=offer.id if offer else reply.offer_id,
                    channel=reply.channel,
                    sender=reply.sender,
                    choice=reply.choice,
                    option=reply.option,
                    text=reply.text,
                    received_at=reply.received_at,
                    handled_at=now,
                    result=result[:400],
                    disposition=disposition,
                )
                .on_conflict_do_nothing()
            )
            if offer is not None and outcome is not None:
                await session.execute(
                    update(OfferRow)
                    .where(OfferRow.id == offer.id, OfferRow.status == OfferStatus.OPEN)
                    .values(answered_at=now, **outcome)
                )
        log.info("reply %s on %s: %s", reply.reply_id, reply.pnr, result)
        return result

    async def _remember(self, reply: PassengerReply) -> None:
        """The reply's own words to memory, before its row says it was handled: a reply
        delivered again after a crash in between is remembered again under the same id.
        Memory is advice: if it cannot take them, the answer is still carried out and the
        words are on the desk."""
        if self.memory is None:
            return
        try:
            await remember_reply(self.memory, self.deps.db, reply)
        except Exception:
            log.exception("reply %s: its words could not be remembered", reply.reply_id)

    async def _offer(self, session: AsyncSession, reply: PassengerReply) -> OfferRow | None:
        if reply.offer_id is not None:
            row = await session.get(OfferRow, reply.offer_id)
            return row if row is not None and row.pnr == reply.pnr else None
        query = (
            select(OfferRow)
            .where(OfferRow.pnr == reply.pnr)
            .order_by(OfferRow.status != OfferStatus.OPEN, OfferRow.created_at.desc())
            .limit(1)
        )
        return (await session.scalars(query)).first()

    async def _carry_out(self, reply: PassengerReply, offer: OfferRow | None) -> Handled:
        """What the answer does: (what became of it, the result for the conversation in
        words, the offer's new state)."""
        if reply.choice == "text":
            return _desk(ReplyDisposition.WROTE, "the passenger wrote")
        if offer is None:
            return _desk(ReplyDisposition.NO_OFFER, "no offer for this booking")
        choice, option = reply.choice, reply.option
        if choice == "option" and option == 1:
            choice = "accept"
        superseded = offer.status == OfferStatus.SUPERSEDED
        if superseded and choice != "decline":
            return await self._replaced(offer)
        if offer.status != OfferStatus.OPEN and not superseded:
            return _desk(ReplyDisposition.OFFER_CLOSED, f"the offer was already {offer.status}")
        if reply.received_at > offer.deadline:
            return _desk(ReplyDisposition.LATE, "answered after the deadline")
        if choice != "decline" and not await still_held(self.deps.db, offer):
            return await self._replaced(offer)
        if choice == "accept":
            return (
                ReplyDisposition.KEPT,
                "kept the offered flights",
                {
                    "status": OfferStatus.ACCEPTED.value,
                    "outcome": {"choice": "accept", "flights": offer.booked},
                },
            )
        if choice == "decline":
            # The one place a refund choice is taken (checked against the rules, the
            # disrupted journey and those after it refunded, its deadline recorded).
            done = await take_refund(
                self.deps,
                RefundChoice(
                    pnr=offer.pnr,
                    flight_key=offer.disruption_flight,
                    chosen_at=reply.received_at,
                    # An operator who answered for them is named, as at the desk's form.
                    chosen_by=reply.sender if reply.channel == "desk" else "passenger",
                    source="desk" if reply.channel == "desk" else "reply",
                ),
                case_id=answer_case(offer.id),
                # What they said before, in this answer or an earlier one, counts now.
                preferences=await stated_now(self.memory, self.deps.db, offer.pnr),
            )
            if done.status != ToolStatus.OK:
                return _desk(ReplyDisposition.REFUND_FAILED, f"the refund failed ({done.message})")
            return (
                ReplyDisposition.REFUNDED,
                f"refunded: {done.message}",
                {
                    "status": OfferStatus.DECLINED.value,
                    "outcome": {"choice": "decline", "refund": done.detail},
                },
            )
        assert option is not None
        if option > len(offer.options):
            return _desk(ReplyDisposition.NO_SUCH_OPTION, f"there is no option {option}")
        return await self._switch(offer, option)

    async def _replaced(self, offer: OfferRow) -> Handled:
        """An answer to an offer a later change replaced: nothing is booked; the passenger
        hears what they hold now (`agent.offer_replaced`); the desk has it."""
        preferences = await stated_now(self.memory, self.deps.db, offer.pnr)
        told = await tell_offer_replaced(self.deps, offer, preferences, answer_case(offer.id))
        closed = {"choice": "superseded", "by": "a later change (found by an answer)"}
        return (
            ReplyDisposition.OFFER_REPLACED,
            f"to the operator desk: {told}",
            {"status": OfferStatus.SUPERSEDED.value, "outcome": closed},
        )

    async def _switch(self, offer: OfferRow, option: int) -> Handled:
        flights = list(offer.options[option - 1]["flights"])
        async with self.deps.db.session() as session:
            booking = await load_booking(session, offer.pnr)
        replace = [s.seq for s in booking.active_segments if s.flight_key in offer.booked]
        done = await rebook(
            self.deps,
            key=switch_key(offer.id),
            case_id=answer_case(offer.id),
            pnr=offer.pnr,
            replace_seqs=replace,
            flights=flights,
            cabin=Cabin(offer.cabin),
            and_then=switch_closes(offer, replace, answer_case(offer.id), self.deps.clock.now()),
        )
        if done.status != ToolStatus.OK:
            return _desk(
                ReplyDisposition.OPTION_UNAVAILABLE,
                f"option {option} cannot be booked ({done.message})",
            )
        # Told, so a switch that booked reads apart from one that went to the desk.
        await confirm_switch(
            self.deps, offer, flights, await stated_now(self.memory, self.deps.db, offer.pnr)
        )
        return (
            ReplyDisposition.CHANGED,
            f"moved to option {option}: {', '.join(flights)}",
            {
                "status": OfferStatus.CHANGED.value,
                "booked": flights,
                "outcome": {"choice": "option", "option": option, "flights": flights},
            },
        )

    async def deadline_passed(self, payload: dict[str, Any]) -> None:
        """Nobody answered: the re-routing stands (the default the regulations allow)."""
        async with self.deps.db.transaction() as session:
            await default_unanswered(session, payload["offer_id"], self.deps.clock.now())

    async def conversation(self, pnr: str) -> list[ReplyRow]:
        """Every answer about `pnr`, oldest first: what the desk shows."""
        async with self.deps.db.session() as session:
            query = select(ReplyRow).where(ReplyRow.pnr == pnr).order_by(ReplyRow.received_at)
            return list((await session.scalars(query)).all())


def desk_reply(row: PassengerChoiceRow) -> PassengerReply:
    """An answer to an offer recorded at the desk (`agent.choices.ChoiceDesk`), as the
    reply it is: from the ``desk`` channel, sent by the operator, once by the row's id."""
    answer = row.choice.removeprefix(OFFER_ANSWER)
    chosen: dict[str, Any] = (
        {"choice": "decline"} if answer == "refund" else {"choice": "option", "option": int(answer)}
    )
    return PassengerReply.model_validate(
        {
            "reply_id": f"desk:{row.id}",
            "pnr": row.pnr,
            "offer_id": row.offer_id,
            "channel": "desk",
            "sender": row.chosen_by,
            "text": "",
            "received_at": row.chosen_at,
            **chosen,
        }
    )


async def apply_desk_answers(desk: OfferDesk) -> int:
    """Carry out the answers operators recorded for passengers, each once; returns how
    many. Each goes through `OfferDesk.answer` as a passenger's own would (the offer's
    first answer wins; one that cannot be carried out goes back to the desk, saying why),
    and its row says what became of it."""
    async with desk.deps.db.session() as session:
        rows = (
            await session.scalars(
                select(PassengerChoiceRow)
                .where(
                    PassengerChoiceRow.status == "recorded",
                    PassengerChoiceRow.offer_id.is_not(None),
                )
                .order_by(PassengerChoiceRow.id)
            )
        ).all()
    for row in rows:
        reply = desk_reply(row)
        result = await desk.answer(reply)  # a crash before the row below: "already handled"
        async with desk.deps.db.session() as session:
            handled = await session.get(ReplyRow, reply.reply_id)
        carried = (
            handled is not None
            and handled.disposition is not None
            and not ReplyDisposition(handled.disposition).to_desk
        )
        async with desk.deps.db.transaction() as session:
            await session.execute(
                update(PassengerChoiceRow)
                .where(PassengerChoiceRow.id == row.id, PassengerChoiceRow.status == "recorded")
                .values(
                    status="done" if carried else "refused",
                    result={"message": handled.result if handled else result},
                    applied_at=desk.deps.clock.now(),
                )
            )
    return len(rows)
