"""Compose a passenger message in their language and put it in the outbox.

The message is written to the outbox in the same transaction as the effect it reports,
with an idempotency key of one message per passenger per change; the relay delivers it
through a channel afterwards. Three more rules decide what reaches the passenger:

- **Language.** Jinja2 templates, ``templates/<language>/<kind>.txt.j2``, each with a
  ``subject`` and a ``body`` block, picked by the customer's language tag (``de-DE`` →
  ``de``); English when we lack the language, said so in the payload's ``meta``.
- **Quiet hours.** A message that can wait (`Urgency`) is not delivered between 22:00 and
  07:00 where the passenger is: the payload's ``not_before`` holds the end of the quiet
  hours (UTC), and `due` is the relay's filter for it.
- **Newest news only.** A newer change's message supersedes the passenger's still-pending
  older message on the same booking; an older change arriving late is superseded at birth.

Templates are short on purpose: they are read on a phone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from airline.models import ContactChannel, Customer, Preferences
from airline.reservations import effect_done, record_effect
from streams.events import TOPIC_NOTIFICATIONS
from tools.channels.fallback import RoutedMessage, routes_for
from tools.tables import OutboxRow
from travel_agent.errors import TravelAgentError

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).with_name("templates")
DEFAULT_LANGUAGE = "en"

QUIET_START = time(22, 0)
QUIET_END = time(7, 0)
"""Non-urgent messages wait out these local hours (the span crosses midnight)."""

URGENT_WITHIN = timedelta(hours=2)
"""A delay or gate change is urgent unless, held to the end of the quiet hours, it would
still arrive this long before departure."""

MAX_FIELD = 200
"""Longest a field's value is shown; a longer one is cut (it would not fit a text anyway)."""


class MessageKind(StrEnum):
    CANCELLED_REBOOKED = "cancelled_rebooked"
    CANCELLED_NO_ALTERNATIVE = "cancelled_no_alternative"
    DIVERTED_REBOOKED = "diverted_rebooked"
    DIVERTED_NO_ALTERNATIVE = "diverted_no_alternative"
    MISSED_CONNECTION_REBOOKED = "missed_connection_rebooked"
    MISSED_CONNECTION_NO_ALTERNATIVE = "missed_connection_no_alternative"
    DELAY = "delay"
    OFFER = "offer"
    """Alternatives await the passenger's choice."""
    REFUND = "refund"
    """A refund is confirmed."""
    GATE_CHANGE = "gate_change"
    CARE = "care"
    """Meal voucher and/or hotel the passenger is entitled to while they wait."""
    REMINDER = "reminder"
    """Before a rebooked passenger's new departure: it still leaves as planned."""
    COMPENSATION = "compensation"
    """After a late arrival: the compensation owed, paid without a claim."""


class Urgency(StrEnum):
    """Whether a kind of message may wait out the passenger's night."""

    ALWAYS = "always"
    """The passenger must know now (their trip changed, or they are waiting at the airport)."""
    NEAR_DEPARTURE = "near_departure"
    """Urgent when the departure is near, or unknown."""
    NEVER = "never"
    """Information that keeps until morning."""


@dataclass(frozen=True)
class KindSpec:
    """The fields a kind's templates use, and how urgent it is."""

    urgency: Urgency
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    """Shown when given and not blank; templates test them with ``{% if %}``."""
    lists: frozenset[str] = frozenset()
    """Fields that are a sequence of strings (each shown on its own line)."""
    one_of: tuple[str, ...] = ()
    """Optional fields of which at least one must be given."""


_TRIP = ("flight", "route", "date")
# What the passenger is owed, told in the same message (one message per change).
_OWED = ("compensation", "citation", "care_meals", "care_hotel")
_REBOOKED = KindSpec(Urgency.ALWAYS, (*_TRIP, "itinerary"), _OWED)
_NO_ALTERNATIVE = KindSpec(Urgency.ALWAYS, _TRIP, (*_OWED, "refund"))

SPECS: Mapping[MessageKind, KindSpec] = {
    MessageKind.CANCELLED_REBOOKED: _REBOOKED,
    MessageKind.CANCELLED_NO_ALTERNATIVE: _NO_ALTERNATIVE,
    MessageKind.DIVERTED_REBOOKED: _REBOOKED,
    MessageKind.DIVERTED_NO_ALTERNATIVE: _NO_ALTERNATIVE,
    MessageKind.MISSED_CONNECTION_REBOOKED: _REBOOKED,
    MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE: _NO_ALTERNATIVE,
    MessageKind.DELAY: KindSpec(Urgency.NEAR_DEPARTURE, (*_TRIP, "new_dep", "minutes"), _OWED),
    # Offered seats go to others if the passenger waits: never held overnight.
    MessageKind.OFFER: KindSpec(
        Urgency.ALWAYS, (*_TRIP, "options", "link"), ("until",), frozenset({"options"})
    ),
    MessageKind.REFUND: KindSpec(Urgency.NEVER, (*_TRIP, "amount", "days")),
    MessageKind.GATE_CHANGE: KindSpec(
        Urgency.NEAR_DEPARTURE, (*_TRIP, "gate", "new_dep"), ("old_gate",)
    ),
    MessageKind.COMPENSATION: KindSpec(
        Urgency.NEVER, (*_TRIP, "minutes", "compensation", "citation")
    ),
    MessageKind.REMINDER: KindSpec(Urgency.NEAR_DEPARTURE, (*_TRIP, "new_dep"), ("gate",)),
    # Care is for someone waiting at the airport now.
    MessageKind.CARE: KindSpec(
        Urgency.ALWAYS, (*_TRIP, "voucher"), ("meal", "hotel"), one_of=("meal", "hotel")
    ),
}
"""Per kind: its fields and urgency. ``new_dep`` is the departure, local time at its airport;
``itinerary`` and each of ``options`` describe flights as ``XA104 FRA 14:30 → LHR 15:45``."""

FieldValue = str | Sequence[str]


class MessageTemplateError(TravelAgentError):
    """A message cannot be composed: its template is missing or broken."""


class MessageFieldError(MessageTemplateError):
    """The fields do not fit the message: one is missing, blank or of the wrong shape."""


# --- composing --------------------------------------------------------------------------

# Control, zero-width and bidirectional-override characters: a field is one line of data.
# Unchecked, a newline would start a new header in an email subject, and a bidi override
# could make the text around it read as something else.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def as_data(value: object) -> str:
    """`value` as it may appear in a message: one line, no control characters, bounded.

    Every ``{{ ... }}`` output passes through here (the environment's ``finalize``). Jinja
    never evaluates what a value contains, so ``{{ 7*7 }}`` inside a field stays text.
    """
    text = " ".join(_UNSAFE.sub(" ", str(value)).split())
    return text if len(text) <= MAX_FIELD else text[: MAX_FIELD - 3] + "..."


def normalise_language(tag: str | None) -> str:
    """The primary language of a BCP 47 tag or POSIX locale: ``de-DE``, ``DE``, ``de_DE.UTF-8``
    → ``de``; ``""`` when there is none. ``zh-Hant`` gives ``zh`` (our Chinese is simplified)."""
    primary = re.split(r"[-_.@]", (tag or "").strip(), maxsplit=1)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else ""


@dataclass(frozen=True)
class Rendered:
    """A composed message."""

    subject: str
    body: str
    language: str
    """The language it is written in."""
    requested: str
    """The customer's language tag, as given."""

    @property
    def fell_back(self) -> bool:
        """Written in English because we lack the customer's language."""
        return self.language != normalise_language(self.requested)


class MessageTemplates:
    """The templates under `root`: ``<language>/<kind>.txt.j2``, a subject and a body block.

    Args:
        root: the template directory; one subdirectory per language.
    """

    def __init__(self, root: Path = TEMPLATES) -> None:
        self.root = root
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(root),
            # Plain text, not HTML: escaping would show "&amp;". Fields go through
            # `as_data` instead, and a missing one fails rather than rendering blank.
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            finalize=as_data,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )

    @cached_property
    def languages(self) -> frozenset[str]:
        """The languages with a template directory."""
        return frozenset(p.name for p in self.root.iterdir() if p.is_dir())

    def path(self, language: str, kind: MessageKind) -> str:
        return f"{language}/{kind.value}.txt.j2"

    def has(self, language: str, kind: MessageKind) -> bool:
        return language in self.languages and (self.root / self.path(language, kind)).is_file()

    def render(
        self, kind: MessageKind, language: str | None, fields: Mapping[str, FieldValue]
    ) -> Rendered:
        """The message of `kind` in `language` (English when we lack it) from `fields`.

        Raises:
            MessageFieldError: a field the kind needs is missing, blank or mis-shaped.
            MessageTemplateError: the template is missing or broken.
        """
        values = _values(kind, fields)
        wanted = normalise_language(language)
        lang = wanted if self.has(wanted, kind) else DEFAULT_LANGUAGE
        name = self.path(lang, kind)
        try:
            template = self._env.get_template(name)
            if not {"subject", "body"} <= template.blocks.keys():
                raise MessageTemplateError(f"{name} needs a subject and a body block")
            context = template.new_context(values)
            subject = "".join(template.blocks["subject"](context))
            body = "".join(template.blocks["body"](context))
        except jinja2.UndefinedError as exc:
            raise MessageFieldError(f"{name}: {exc.message}") from exc
        except jinja2.TemplateError as exc:
            raise MessageTemplateError(f"{name}: {exc}") from exc
        lines = (line.strip() for line in body.strip().splitlines())
        return Rendered(
            subject=" ".join(subject.split()),
            body="\n".join(line for line in lines if line),
            language=lang,
            requested=language or "",
        )


def _blank(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Sequence):
        return not any(isinstance(item, str) and item.strip() for item in value)
    return value is None


def _values(kind: MessageKind, fields: Mapping[str, FieldValue]) -> dict[str, Any]:
    """The fields `kind` uses, checked; optional ones default to ``""``."""
    spec = SPECS[kind]
    missing = [name for name in spec.required if _blank(fields.get(name))]
    if missing:
        raise MessageFieldError(f"the {kind.value} message needs {', '.join(missing)}")
    if spec.one_of and all(_blank(fields.get(name)) for name in spec.one_of):
        raise MessageFieldError(f"the {kind.value} message needs {' or '.join(spec.one_of)}")
    values: dict[str, Any] = {}
    for name in (*spec.required, *spec.optional):
        value = fields.get(name, "")
        if name in spec.lists:
            if isinstance(value, str) or not all(isinstance(v, str) and v.strip() for v in value):
                raise MessageFieldError(f"{name} is a list of non-empty strings")
            values[name] = list(value)
        elif isinstance(value, str):
            values[name] = value
        else:
            raise MessageFieldError(f"{name} is a string, not {type(value).__name__}")
    return values


@cache
def default_templates() -> MessageTemplates:
    """The templates shipped in ``tools/templates``, loaded once per process."""
    return MessageTemplates()


def render(kind: MessageKind, language: str | None, fields: Mapping[str, FieldValue]) -> Rendered:
    """`MessageTemplates.render` with the shipped templates."""
    return default_templates().render(kind, language, fields)


def compose(
    kind: MessageKind, language: str | None, fields: Mapping[str, FieldValue]
) -> tuple[str, str]:
    """Subject and body for `kind` in `language` (English when we lack the language)."""
    message = render(kind, language, fields)
    return message.subject, message.body


def with_preferences(customer: Customer, preferences: Preferences) -> Customer:
    """The customer as their stated preferences say to reach them.

    A preferred language replaces the profile's; a preferred channel goes first, but only
    among channels the customer consented to (a preference never overrides consent).
    """
    update: dict[str, Any] = {}
    if preferences.language:
        update["language"] = preferences.language
    if preferences.channel is not None and any(
        c.kind == preferences.channel and c.consent for c in customer.channels
    ):
        update["channels"] = [
            c.model_copy(update={"priority": -1}) if c.kind == preferences.channel else c
            for c in customer.channels
        ]
    return customer.model_copy(update=update) if update else customer


def choose_channel(customer: Customer) -> ContactChannel | None:
    """The passenger's preferred channel among those they consented to, if any."""
    allowed = [c for c in customer.channels if c.consent]
    return min(allowed, key=lambda c: c.priority) if allowed else None


# --- when -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """When a message may be delivered, and why."""

    not_before: datetime | None
    """UTC; None to deliver at once."""
    urgent: bool
    """It ignores quiet hours."""
    zone: str | None
    """The time zone the quiet hours were judged in."""
    reason: str


def _zone(name: str | tzinfo | None) -> tzinfo | None:
    if name is None or isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r ignored for quiet hours", name)
        return None


def delivery_time(
    kind: MessageKind,
    at: datetime,
    *,
    tz: str | tzinfo | None = None,
    departure_tz: str | tzinfo | None = None,
    departure: datetime | None = None,
    urgent_within: timedelta = URGENT_WITHIN,
) -> Timing:
    """When a message of `kind` composed at `at` may reach the passenger.

    Urgent messages go at once. Others composed in the quiet hours (22:00–07:00 in the
    passenger's zone `tz`, else the departure airport's `departure_tz`) wait until 07:00.
    A delay or gate change waits only if it would still arrive `urgent_within` before
    `departure` (the time the passenger plans around: the scheduled one); with no known
    departure it is urgent, and with no known zone nothing waits.
    """
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    urgency = SPECS[kind].urgency
    if urgency is Urgency.ALWAYS:
        return Timing(None, True, None, f"{kind.value} is urgent")
    if urgency is Urgency.NEAR_DEPARTURE and departure is None:
        return Timing(None, True, None, "departure unknown")
    zone = _zone(tz) or _zone(departure_tz)
    if zone is None:
        return Timing(None, False, None, "time zone unknown")
    local = at.astimezone(zone)
    zone_name = str(zone)
    if QUIET_END <= local.time() < QUIET_START:
        return Timing(None, False, zone_name, "outside quiet hours")
    day = local.date() + timedelta(days=1 if local.time() >= QUIET_START else 0)
    end = datetime.combine(day, QUIET_END, tzinfo=zone).astimezone(UTC)
    if departure is not None and urgency is Urgency.NEAR_DEPARTURE:
        if end > departure - urgent_within:
            return Timing(None, True, zone_name, "departure too near to wait")
    return Timing(end, False, zone_name, "quiet hours")


def _iso(instant: datetime) -> str:
    # One fixed UTC form, so that the relay can compare these strings in SQL.
    return instant.astimezone(UTC).isoformat(timespec="seconds")


def due(now: datetime) -> ColumnElement[bool]:
    """SQL: outbox rows that may be delivered at `now` (no ``not_before``, or it has passed).

    For the relay: ``.where(OutboxRow.status == "pending", due(self.clock.now()))``.
    """
    held = OutboxRow.payload["not_before"].as_string()
    return or_(held.is_(None), held <= _iso(now))


def is_due(payload: Mapping[str, Any], now: datetime) -> bool:
    """`due` for one payload, in Python."""
    not_before = payload.get("not_before")
    return not_before is None or datetime.fromisoformat(not_before) <= now


# --- the outbox -------------------------------------------------------------------------


async def _supersede(
    session: AsyncSession,
    *,
    key: str,
    pnr: str,
    customer_id: str,
    at: datetime,
    about: str | None,
) -> tuple[list[str], str | None]:
    """Retire this passenger's pending older messages on `pnr` about the same flight.

    Only news about the same flight is replaced: a pending "you are rebooked onto B"
    must survive a later gate change on B, or the passenger never learns the itinerary.
    Returns the keys superseded, and the key of a newer message (pending or sent) when
    there is one: then the message being written is old news itself.
    """
    if about is None:
        return [], None
    mine = (
        OutboxRow.topic == TOPIC_NOTIFICATIONS,
        OutboxRow.key == pnr,
        OutboxRow.customer_id == customer_id,
        OutboxRow.payload["meta"]["about"].as_string() == about,
    )
    # One read for both questions (a round trip per message saved): is there newer news,
    # and which pending messages are older?
    live = (
        await session.execute(
            select(OutboxRow.id, OutboxRow.idempotency_key, OutboxRow.status, OutboxRow.created_at)
            .where(*mine, OutboxRow.status.in_(("pending", "sent")))
            .order_by(OutboxRow.created_at, OutboxRow.id)
        )
    ).all()
    newer = next((other for _, other, _, created in live if created > at), None)
    if newer is not None:
        return [], newer
    older = [(row_id, other) for row_id, other, status, _ in live if status == "pending"]
    if older:
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_([row_id for row_id, _ in older]))
            .values(status="superseded")
        )
        log.info("message %s supersedes %d pending message(s)", key, len(older))
    return [old_key for _, old_key in older], None


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
) -> bool:
    """Put the message in the outbox and the ledger; False if it was already there.

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

    Raises:
        MessageFieldError: `fields` lack what `kind` says; nothing is written.
    """
    if await effect_done(session, idempotency_key):
        return False
    rendered = (templates or default_templates()).render(kind, customer.language, fields)
    timing = delivery_time(kind, at, tz=tz, departure_tz=departure_tz, departure=departure)
    superseded, newer = await _supersede(
        session, key=idempotency_key, pnr=pnr, customer_id=customer.id, at=at, about=about
    )
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
    }
    not_before = _iso(timing.not_before) if timing.not_before else None
    session.add(
        OutboxRow(
            idempotency_key=idempotency_key,
            topic=TOPIC_NOTIFICATIONS,
            key=pnr,
            customer_id=customer.id,
            channel=message.channel,
            payload=message.model_dump() | {"not_before": not_before, "meta": meta},
            status="superseded" if newer else "pending",
            attempts=0,
            created_at=at,
        )
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
