"""Inbound replies: the endpoints passengers' answers arrive at, published to
`passenger.replies` for the daemon (`agent.replies`).

    POST /replies/webhook   JSON, signed like our outbound webhook (HMAC-SHA256 of
                            "<timestamp>.<body>" with the shared secret, headers
                            X-Travel-Agent-Signature and X-Travel-Agent-Timestamp) and an
                            Idempotency-Key; body {"pnr", "choice", "option"?, "text"?,
                            "offer_id"?}
    POST /replies/sms       the SMS provider's inbound hook, JSON {"from", "body",
                            "message_id"}; Authorization: Bearer <inbound token>
    POST /replies/email     the mail server's inbound hook: the raw RFC 5322 message;
                            Authorization: Bearer <inbound token>

Refused, and nothing published: a webhook whose signature does not verify or whose
timestamp is outside the tolerance (401), and one whose signature or idempotency key was
seen before — a replay (409); an SMS or e-mail hook without the token (401) or from an
address of no customer of ours with a booking (202, nothing to route: logged). An SMS or
e-mail goes to the customer's newest open offer, else to their newest offer, closed: a
late answer reaches the desk (`agent.offers`) instead of vanishing. A customer with no
offer at all ("is my flight still on?", "I need a wheelchair at the gate") writes about
their booking that flies next (`booking_of`): their words reach the desk and their
memory all the same. A request accepted is recorded (`reply_receipts`) in the same step
that checks it is new, so two copies arriving at once publish one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import case, delete, func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agent.tables import OfferRow, OfferStatus, ReplyReceiptRow
from airline.models import BookingStatus, SegmentStatus
from airline.tables import BookingRow, ChannelRow, FlightRow, SegmentRow
from streams.replies import TOPIC_PASSENGER_REPLIES, PassengerReply, encode_reply
from tools.channels.inbound import interpret, read_mail
from tools.channels.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from travel_agent.db import Database

log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_BODY = 64 * 1024

Publish = Callable[[str, str, bytes], Awaitable[None]]


class Receipts:
    """Inbound requests seen, in the database: `claim` is true once per key."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, *keys: str) -> bool:
        """Record `keys` as seen; False (and nothing recorded) when any was seen before."""
        now = datetime.now(UTC)
        async with self.db.transaction() as session:
            for key in keys:
                result = await session.execute(
                    self.db.insert(ReplyReceiptRow)
                    .values(key=key[:200], received_at=now)
                    .on_conflict_do_nothing()
                )
                if result.rowcount != 1:  # type: ignore[attr-defined]
                    await session.rollback()
                    return False
        return True

    async def release(self, *keys: str) -> None:
        """Forget `keys`: publishing failed, so the sender's retry must be let in."""
        async with self.db.transaction() as session:
            await session.execute(delete(ReplyReceiptRow).where(ReplyReceiptRow.key.in_(keys)))


async def offer_of(db: Database, kind: str, address: str) -> str | None:
    """The booking of the newest open offer of the customer reached at `address`, else of
    their newest offer: an answer that comes after the offer closed (too late, or after
    an earlier answer) still reaches the desk, which says why it cannot be carried out."""
    async with db.session() as session:
        query = (
            select(OfferRow.pnr)
            .join(BookingRow, BookingRow.pnr == OfferRow.pnr)
            .join(ChannelRow, ChannelRow.customer_id == BookingRow.customer_id)
            .where(ChannelRow.kind == kind, ChannelRow.address == address)
            .order_by(OfferRow.status != OfferStatus.OPEN, OfferRow.created_at.desc())
            .limit(1)
        )
        return (await session.scalars(query)).first()


async def booking_of(db: Database, kind: str, address: str, now: datetime) -> str | None:
    """The booking a message from `address` is about when its customer has no offer: the
    active one whose next flight leaves first (after `now`), else their active booking
    flown last, else any of theirs. A passenger writing unprompted writes about the trip
    ahead of them; the desk sees all their bookings on the customer page anyway."""
    async with db.session() as session:
        upcoming = func.min(case((FlightRow.sched_dep >= now, FlightRow.sched_dep)))
        query = (
            select(BookingRow.pnr)
            .join(ChannelRow, ChannelRow.customer_id == BookingRow.customer_id)
            .outerjoin(
                SegmentRow,
                (SegmentRow.pnr == BookingRow.pnr) & (SegmentRow.status == SegmentStatus.ACTIVE),
            )
            .outerjoin(FlightRow, FlightRow.key == SegmentRow.flight_key)
            .where(ChannelRow.kind == kind, ChannelRow.address == address)
            .group_by(BookingRow.pnr, BookingRow.status)
            .order_by(
                BookingRow.status != BookingStatus.ACTIVE,
                upcoming.is_(None),
                upcoming,
                func.max(FlightRow.sched_dep).desc(),
                BookingRow.pnr,
            )
            .limit(1)
        )
        return (await session.scalars(query)).first()


def create_replies_app(
    db: Database,
    publish: Publish,
    *,
    webhook_secret: str | None,
    inbound_token: str | None = None,
    tolerance: float = 300.0,
    clock: Callable[[], float] = time.time,
    now: Callable[[], datetime] | None = None,
    topic: str = TOPIC_PASSENGER_REPLIES,
) -> Starlette:
    """The inbound endpoints (module docstring).

    Args:
        db: where receipts are recorded and addresses resolved.
        publish: sends (topic, key, value) to `passenger.replies` (a `streams.base.Sink`).
        webhook_secret: the shared HMAC secret; None: the webhook endpoint refuses all.
        inbound_token: the bearer token the SMS and e-mail hooks send; None: refused.
        tolerance: seconds a webhook's timestamp may differ from now.
        clock: Unix seconds, for the timestamp check (wall time: the sender's clock).
        now: when a reply counts as received, on the agent's clock (simulated days,
            replays); default: `clock`.
        topic: the replies topic (with the configured prefix).
    """
    receipts = Receipts(db)

    def received() -> datetime:
        return now() if now is not None else datetime.fromtimestamp(clock(), UTC)

    async def send(reply: PassengerReply, keys: tuple[str, ...]) -> JSONResponse:
        try:
            await publish(topic, reply.pnr, encode_reply(reply))
        except Exception:
            log.exception("reply %s could not be published; the sender may retry", reply.reply_id)
            await receipts.release(*keys)
            return JSONResponse({"error": "not accepted now, try again"}, status_code=503)
        return JSONResponse({"accepted": reply.reply_id}, status_code=202)

    async def webhook(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, status_code=413)
        signature = request.headers.get(SIGNATURE_HEADER)
        if webhook_secret is None or not verify_signature(
            webhook_secret,
            body,
            signature,
            request.headers.get(TIMESTAMP_HEADER),
            tolerance=tolerance,
            now=clock(),
        ):
            return JSONResponse({"error": "signature missing, invalid or stale"}, status_code=401)
        assert signature is not None
        idempotency = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not idempotency:
            return JSONResponse({"error": f"{IDEMPOTENCY_HEADER} is required"}, status_code=400)
        try:
            data: Any = json.loads(body)
            reply = PassengerReply.model_validate(
                {
                    **(data if isinstance(data, dict) else {}),
                    "reply_id": f"webhook:{idempotency}",
                    "channel": "webhook",
                    "received_at": received(),
                }
            )
        except (ValueError, ValidationError) as exc:
            return JSONResponse({"error": f"not a reply: {str(exc)[:300]}"}, status_code=422)
        # The signature is unique to one timestamp and body: a replay with a fresh
        # Idempotency-Key header (which the MAC does not cover) is still the same MAC.
        mac = hashlib.sha256(signature.strip().lower().encode()).hexdigest()
        keys = (f"sig:{mac}", f"idem:{idempotency}")
        if not await receipts.claim(*keys):
            return JSONResponse({"error": "replayed: this request was seen"}, status_code=409)
        return await send(reply, keys)

    def authorised(request: Request) -> bool:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return inbound_token is not None and hmac.compare_digest(given, inbound_token)

    async def from_text(
        channel: Literal["sms", "email"], sender: str, text: str, message_id: str
    ) -> JSONResponse:
        # By the sender's address only: a booking reference in the text or subject could
        # name someone else's booking.
        at = received()
        pnr = await offer_of(db, channel, sender) or await booking_of(db, channel, sender, at)
        if pnr is None:
            log.info("a %s message from an address of no customer's booking: not routed", channel)
            return JSONResponse({"routed": False}, status_code=202)
        chosen = interpret(text)
        reply = PassengerReply(
            reply_id=f"{channel}:{message_id}",
            pnr=pnr,
            channel=channel,
            sender=sender,
            choice=chosen.choice,
            option=chosen.option,
            text=text[:4000],
            received_at=at,
        )
        keys = (f"{channel}:{message_id}",)
        if not await receipts.claim(*keys):
            return JSONResponse({"error": "replayed: this message was seen"}, status_code=409)
        return await send(reply, keys)

    async def sms(request: Request) -> JSONResponse:
        if not authorised(request):
            return JSONResponse({"error": "missing or wrong token"}, status_code=401)
        try:
            data = json.loads(await request.body())
            sender, text, message_id = str(data["from"]), str(data["body"]), str(data["message_id"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "expected {from, body, message_id}"}, status_code=422)
        return await from_text("sms", sender, text, message_id)

    async def mail(request: Request) -> JSONResponse:
        if not authorised(request):
            return JSONResponse({"error": "missing or wrong token"}, status_code=401)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "message too large"}, status_code=413)
        try:
            message = read_mail(body)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        message_id = message.message_id or hashlib.sha256(body).hexdigest()
        return await from_text("email", message.sender, message.answer, message_id)

    return Starlette(
        routes=[
            Route("/replies/webhook", webhook, methods=["POST"]),
            Route("/replies/sms", sms, methods=["POST"]),
            Route("/replies/email", mail, methods=["POST"]),
        ]
    )
