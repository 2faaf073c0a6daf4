"""Put a composed passenger message in the outbox, in the transaction of its effect.

The message is written with an idempotency key of one message per passenger per change;
the relay delivers it through a channel afterwards. **Newest news only**: a newer
change's message supersedes the passenger's still-pending older message on the same
booking about the same flight; an older change arriving late is superseded at birth.
**News only**: a message that says word for word what the passenger's latest message
about the same flight said (a connection still broken, the same "no alternative yet"
after a further delay) is not written: it would tell them nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from airline.models import Booking, Customer
from airline.reservations import effect_done, record_effect
from streams.events import TOPIC_NOTIFICATIONS
from tools.channels.fallback import RoutedMessage, routes_for
from tools.notifications.kinds import FieldValue, MessageKind
from tools.notifications.recipients import booking_recipients
from tools.notifications.templates import MessageTemplates, default_templates
from tools.notifications.timing import LegalDeadline, delivery_time, iso_utc
from tools.tables import OutboxRow, OutboxStatus
from travel_agent.db import deferred_rows_where, deferring, insert_values

log = logging.getLogger(__name__)


@dataclass
class _LiveMessage:
    """A recipient's live (pending or sent) message, as superseding reads it."""

    id: int | None
    """Its row id; None while its row waits in a session that defers its writes."""
    key: str
    status: str
    created_at: datetime
    payload: dict[str, Any]
    customer_id: str | None
    held: dict[str, Any] | None = None
    """The row waiting to be written (`travel_agent.db.deferred_rows`), when it waits."""


_Live = list[_LiveMessage]
"""The recipient's live messages about one flight, oldest first."""

# `session.info` key: per booking read ahead (`read_outbox_ahead`), its live messages.
_AHEAD = "outbox_live_ahead"


async def read_outbox_ahead(session: AsyncSession, pnrs: Iterable[str]) -> None:
    """Read, in one query, the live messages of every booking of `pnrs`, for the messages
    enqueued later in this transaction to answer `_live_about` from (a batch of cases:
    a round trip per message saved). Only in a session that defers its writes
    (`travel_agent.db.defer_writes`): its messages written since are the held rows,
    which `_live_about` adds; elsewhere it reads nothing."""
    if not deferring(session):
        return
    ahead: dict[str, list[_LiveMessage]] = session.info.setdefault(_AHEAD, {})
    wanted = [pnr for pnr in dict.fromkeys(pnrs) if pnr not in ahead]
    if not wanted:
        return
    for pnr in wanted:
        ahead[pnr] = []
    rows = await session.execute(_LIVE_OF, {"pnrs": wanted})
    for row_id, pnr, customer_id, key, status, created, payload in rows:
        ahead[pnr].append(_LiveMessage(row_id, key, status, created, payload, customer_id))


async def _live_about(
    session: AsyncSession, *, pnr: str, customer_id: str, about: str | None
) -> _Live:
    """One read answers both questions asked before writing a message (`_says_nothing_new`
    and `_supersede`): a round trip per message saved. With the messages this
    transaction holds back (`travel_agent.db.defer_writes`), after those written."""
    if about is None:
        return []
    ahead: dict[str, list[_LiveMessage]] = session.info.get(_AHEAD, {})
    if pnr in ahead:
        live = [
            m
            for m in ahead[pnr]
            if m.customer_id == customer_id
            and (m.payload.get("meta") or {}).get("about") == about
            and m.status in _LIVE
        ]
    else:
        rows = await session.execute(
            _LIVE_ABOUT, {"pnr": pnr, "customer_id": customer_id, "about": about}
        )
        live = [
            _LiveMessage(row_id, key, status, created, payload, customer_id)
            for row_id, key, status, created, payload in rows
        ]
    held = [
        _LiveMessage(
            None, r["idempotency_key"], r["status"], r["created_at"], r["payload"], customer_id, r
        )
        # By booking (a held row's key is never changed), not a scan of every held row.
        for r in deferred_rows_where(session, OutboxRow, "key", pnr)
        if r["topic"] == TOPIC_NOTIFICATIONS
        and r["customer_id"] == customer_id
        and r["payload"]["meta"]["about"] == about
        and r["status"] in _LIVE
    ]
    if not held:
        return live  # in the order read
    # Oldest first; of the same time, in the order written (held rows get the last ids).
    return sorted(live + held, key=lambda m: (m.created_at, m.id is None, m.id or 0))


_LIVE = (OutboxStatus.PENDING, OutboxStatus.SENT)

# Built once (see `travel_agent.db.insert_row`): constructing and keying a statement
# for the compiled cache per call costs more CPU than running it.
_LIVE_ABOUT = (
    select(
        OutboxRow.id,
        OutboxRow.idempotency_key,
        OutboxRow.status,
        OutboxRow.created_at,
        OutboxRow.payload,
    )
    .where(
        OutboxRow.topic == TOPIC_NOTIFICATIONS,
        OutboxRow.key == bindparam("pnr"),
        OutboxRow.customer_id == bindparam("customer_id"),
        OutboxRow.payload["meta"]["about"].as_string() == bindparam("about"),
        OutboxRow.status.in_(_LIVE),
    )
    .order_by(OutboxRow.created_at, OutboxRow.id)
)
_LIVE_OF = (
    select(
        OutboxRow.id,
        OutboxRow.key,
        OutboxRow.customer_id,
        OutboxRow.idempotency_key,
        OutboxRow.status,
        OutboxRow.created_at,
        OutboxRow.payload,
    )
    .where(
        OutboxRow.topic == TOPIC_NOTIFICATIONS,
        OutboxRow.key.in_(bindparam("pnrs", expanding=True)),
        OutboxRow.status.in_(_LIVE),
    )
    .order_by(OutboxRow.created_at, OutboxRow.id)
)


async def _supersede(
    session: AsyncSession, live: _Live, *, key: str, at: datetime
) -> tuple[list[str], str | None]:
    """Retire this passenger's pending older messages on the booking about the same
    flight (`live`, from `_live_about`).

    Only news about the same flight is replaced: a pending "you are rebooked onto B"
    must survive a later gate change on B, or the passenger never learns the itinerary.
    Returns the keys superseded, and the key of a newer message (pending or sent) when
    there is one: then the message being written is old news itself.
    """
    newer = next((m.key for m in live if m.created_at > at), None)
    if newer is not None:
        return [], newer
    older = [m for m in live if m.status == OutboxStatus.PENDING]
    written = [m.id for m in older if m.id is not None]
    if written:
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(written))
            .values(status=OutboxStatus.SUPERSEDED)
        )
    for message in older:
        message.status = OutboxStatus.SUPERSEDED  # read ahead, or a held row: as written
        if message.held is not None:
            message.held["status"] = OutboxStatus.SUPERSEDED
    if older:
        log.info("message %s supersedes %d pending message(s)", key, len(older))
    return [m.key for m in older], None


def _says_nothing_new(live: _Live, *, kind: MessageKind, subject: str, body: str) -> bool:
    """The recipient's latest live message about the flight (the last of `live`) has
    this kind and these words."""
    if not live:
        return False
    latest = live[-1].payload
    return (latest.get("kind"), latest.get("subject"), latest.get("body")) == (
        kind.value,
        subject,
        body,
    )


async def enqueue_notification(
    session: AsyncSession,
    *,
    idempotency_key: str,
    case_id: str,
    pnr: str,
    customer: Customer,
    kind: MessageKind,
    fields: Mapping[str, FieldValue],
    at: datetime,
    tz: str | tzinfo | None = None,
    departure: datetime | None = None,
    departure_tz: str | tzinfo | None = None,
    templates: MessageTemplates | None = None,
    about: str | None = None,
    deadline: LegalDeadline | None = None,
    departure_told: datetime | None = None,
) -> bool:
    """Put the message in the outbox and the ledger; False if it was already there, or
    says nothing the passenger's latest message about `about` did not.

    Args:
        session: the transaction of the effect the message reports.
        idempotency_key: one message per passenger per change.
        fields: what the message says (`SPECS` lists each kind's fields).
        at: when the change was decided; orders changes for superseding.
        tz: the passenger's time zone, when known, for quiet hours.
        departure: the affected flight's scheduled departure.
        departure_tz: its airport's time zone: the quiet hours' zone when `tz` is unknown.
        templates: the templates to use instead of the shipped ones.
        about: the flight key the news is about; a newer message about the same flight
            supersedes an undelivered older one (without it, nothing is superseded).
        deadline: the legal deadline to reach the passenger (`timing.message_deadline`);
            quiet hours never hold the message past it, and the payload records it.
        departure_told: the departure of `about` the message states (None: the flight
            is gone, or the message states none); triage compares a later estimate
            with it to know whether the passenger has news again (`triage.told_about`).

    Raises:
        MessageFieldError: `fields` lack what `kind` says; nothing is written.
    """
    if await effect_done(session, idempotency_key):
        return False
    rendered = (templates or default_templates()).render(kind, customer.language, fields)
    live = await _live_about(session, pnr=pnr, customer_id=customer.id, about=about)
    if _says_nothing_new(live, kind=kind, subject=rendered.subject, body=rendered.body):
        log.info("message %s repeats the latest about %s: not sent", idempotency_key, about)
        return False
    timing = delivery_time(
        kind, at, tz=tz, departure_tz=departure_tz, departure=departure, deadline=deadline
    )
    superseded, newer = await _supersede(session, live, key=idempotency_key, at=at)
    # The preferred consented channel first (`choose_channel`), the others as fallbacks.
    routes = routes_for(customer)
    message = RoutedMessage(
        idempotency_key=idempotency_key,
        customer_id=customer.id,
        pnr=pnr,
        kind=kind.value,
        channel=routes[0].channel if routes else "log",
        address=routes[0].address if routes else None,
        language=rendered.language,
        subject=rendered.subject,
        body=rendered.body,
        alternatives=routes[1:],
    )
    meta: dict[str, Any] = {
        "requested_language": rendered.requested,
        "language_fallback": rendered.fell_back,
        "urgent": timing.urgent,
        "timing": timing.reason,
        "time_zone": timing.zone,
        "supersedes": superseded,
        "superseded_by": newer,
        "about": about,
        "deadline": iso_utc(deadline.due) if deadline else None,
        "deadline_citation": deadline.citation if deadline else None,
        "departure_told": iso_utc(departure_told) if departure_told else None,
    }
    not_before = iso_utc(timing.not_before) if timing.not_before else None
    await insert_values(
        session,
        OutboxRow,
        {
            "idempotency_key": idempotency_key,
            "topic": TOPIC_NOTIFICATIONS,
            "key": pnr,
            "customer_id": customer.id,
            "channel": message.channel,
            "payload": message.model_dump() | {"not_before": not_before, "meta": meta},
            "status": OutboxStatus.SUPERSEDED if newer else OutboxStatus.PENDING,
            "attempts": 0,
            "created_at": at,
        },
    )
    detail: dict[str, Any] = {"kind": kind.value, "channel": message.channel}
    detail.update(
        (k, v)
        for k, v in (("not_before", not_before), ("supersedes", superseded), ("old_news", newer))
        if v
    )
    await record_effect(
        session,
        idempotency_key=idempotency_key,
        case_id=case_id,
        action="notify",
        pnr=pnr,
        detail=detail,
        at=at,
    )
    return True


async def enqueue_for_booking(
    session: AsyncSession,
    *,
    idempotency_key: str,
    case_id: str,
    booking: Booking,
    contact: Customer,
    kind: MessageKind,
    fields: Mapping[str, FieldValue],
    at: datetime,
    departure: datetime | None = None,
    departure_tz: str | tzinfo | None = None,
    about: str | None = None,
    deadline: LegalDeadline | None = None,
    departure_told: datetime | None = None,
) -> int:
    """`enqueue_notification` to every recipient of the booking (`booking_recipients`):
    one message to its contact under `idempotency_key`, one more to each passenger with
    a contact of their own under ``<key>:P<seq>``. Returns how many were written now."""
    written = 0
    for recipient, key in _keyed_recipients(idempotency_key, booking, contact):
        written += await enqueue_notification(
            session,
            idempotency_key=key,
            case_id=case_id,
            pnr=booking.pnr,
            customer=recipient,
            kind=kind,
            fields=fields,
            at=at,
            departure=departure,
            departure_tz=departure_tz,
            about=about,
            deadline=deadline,
            departure_told=departure_told,
        )
    return written


def booking_message_keys(idempotency_key: str, booking: Booking, contact: Customer) -> list[str]:
    """The idempotency keys `enqueue_for_booking` writes the booking's messages under
    (for reading the ledger ahead)."""
    return [key for _, key in _keyed_recipients(idempotency_key, booking, contact)]


def _keyed_recipients(
    idempotency_key: str, booking: Booking, contact: Customer
) -> list[tuple[Customer, str]]:
    """Each recipient of the booking's message, with its key: the contact's is
    `idempotency_key`, a passenger's own ``<key>:P<seq>``."""
    return [
        (r, idempotency_key if r is contact else f"{idempotency_key}:{r.id.rsplit('-', 1)[-1]}")
        for r in booking_recipients(booking, contact)
    ]
