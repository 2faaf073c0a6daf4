"""Compose a passenger message in their language and put it in the outbox.

The message is written to the outbox in the same transaction as the effect it reports,
with an idempotency key of one message per passenger per change; the relay delivers it
through a channel afterwards. Templates are short on purpose: they are read on a phone.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from airline.db import OutboxRow
from airline.models import ContactChannel, Customer
from airline.reservations import effect_done, record_effect
from streams.events import TOPIC_NOTIFICATIONS
from tools.channels.fallback import RoutedMessage, routes_for


class MessageKind(StrEnum):
    CANCELLED_REBOOKED = "cancelled_rebooked"
    CANCELLED_NO_ALTERNATIVE = "cancelled_no_alternative"
    DIVERTED_REBOOKED = "diverted_rebooked"
    DIVERTED_NO_ALTERNATIVE = "diverted_no_alternative"
    MISSED_CONNECTION_REBOOKED = "missed_connection_rebooked"
    MISSED_CONNECTION_NO_ALTERNATIVE = "missed_connection_no_alternative"
    DELAY = "delay"


# What happened, per language. {flight}, {route}, {date} are always available.
_HEADLINE = {
    "en": {
        "cancelled": "Your flight {flight} {route} on {date} is cancelled.",
        "diverted": "Your flight {flight} {route} on {date} has been diverted.",
        "missed_connection": "Your flight {flight} is late and you would miss your connection.",
        "delay": "Your flight {flight} {route} on {date} is delayed.",
    },
    "de": {
        "cancelled": "Ihr Flug {flight} {route} am {date} ist annulliert.",
        "diverted": "Ihr Flug {flight} {route} am {date} wurde umgeleitet.",
        "missed_connection": "Ihr Flug {flight} ist verspätet; Sie würden Ihren "
        "Anschluss verpassen.",
        "delay": "Ihr Flug {flight} {route} am {date} ist verspätet.",
    },
    "fr": {
        "cancelled": "Votre vol {flight} {route} du {date} est annulé.",
        "diverted": "Votre vol {flight} {route} du {date} a été dérouté.",
        "missed_connection": "Votre vol {flight} est en retard : vous manqueriez votre "
        "correspondance.",
        "delay": "Votre vol {flight} {route} du {date} est retardé.",
    },
    "es": {
        "cancelled": "Su vuelo {flight} {route} del {date} está cancelado.",
        "diverted": "Su vuelo {flight} {route} del {date} ha sido desviado.",
        "missed_connection": "Su vuelo {flight} va con retraso y perdería su conexión.",
        "delay": "Su vuelo {flight} {route} del {date} está retrasado.",
    },
    "zh": {
        "cancelled": "您 {date} 的航班 {flight}（{route}）已取消。",
        "diverted": "您 {date} 的航班 {flight}（{route}）已备降。",
        "missed_connection": "您的航班 {flight} 延误，您将错过转机航班。",
        "delay": "您 {date} 的航班 {flight}（{route}）延误。",
    },
}

# What we did about it. {itinerary}, {new_dep} and {minutes} as the outcome needs.
_OUTCOME = {
    "en": {
        "rebooked": "We have rebooked you: {itinerary}. No action is needed.",
        "no_alternative": "No seat is free on an alternative yet. You may ask for a refund; "
        "we will contact you with options.",
        "delay": "New departure: {new_dep} ({minutes} min late).",
    },
    "de": {
        "rebooked": "Wir haben Sie umgebucht: {itinerary}. Sie müssen nichts tun.",
        "no_alternative": "Auf keiner Alternative ist derzeit ein Platz frei. Sie können eine "
        "Erstattung verlangen; wir melden uns mit Optionen.",
        "delay": "Neuer Abflug: {new_dep} ({minutes} Min. später).",
    },
    "fr": {
        "rebooked": "Nous vous avons réservé sur : {itinerary}. Aucune action n'est requise.",
        "no_alternative": "Aucune place n'est libre sur un autre vol pour l'instant. Vous pouvez "
        "demander un remboursement ; nous vous contacterons avec des options.",
        "delay": "Nouveau départ : {new_dep} ({minutes} min de retard).",
    },
    "es": {
        "rebooked": "Le hemos cambiado a: {itinerary}. No tiene que hacer nada.",
        "no_alternative": "Aún no hay plazas libres en otro vuelo. Puede pedir el reembolso; "
        "le contactaremos con opciones.",
        "delay": "Nueva salida: {new_dep} ({minutes} min de retraso).",
    },
    "zh": {
        "rebooked": "我们已为您改签：{itinerary}。您无需任何操作。",
        "no_alternative": "目前其他航班暂无空位。您可以申请退款，我们会与您联系提供选择。",
        "delay": "新的起飞时间：{new_dep}（延误 {minutes} 分钟）。",
    },
}

_SUBJECT = {
    "en": "Flight {flight}: important change",
    "de": "Flug {flight}: wichtige Änderung",
    "fr": "Vol {flight} : changement important",
    "es": "Vuelo {flight}: cambio importante",
    "zh": "航班 {flight}：重要变更",
}


# Each kind is a headline (what happened) and an outcome (what we did about it).
_PARTS = {
    MessageKind.CANCELLED_REBOOKED: ("cancelled", "rebooked"),
    MessageKind.CANCELLED_NO_ALTERNATIVE: ("cancelled", "no_alternative"),
    MessageKind.DIVERTED_REBOOKED: ("diverted", "rebooked"),
    MessageKind.DIVERTED_NO_ALTERNATIVE: ("diverted", "no_alternative"),
    MessageKind.MISSED_CONNECTION_REBOOKED: ("missed_connection", "rebooked"),
    MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE: ("missed_connection", "no_alternative"),
    MessageKind.DELAY: ("delay", "delay"),
}


def compose(kind: MessageKind, language: str, fields: dict[str, str]) -> tuple[str, str]:
    """Subject and body for `kind` in `language` (English when we lack the language)."""
    lang = language if language in _HEADLINE else "en"
    headline, outcome = _PARTS[kind]
    body = f"{_HEADLINE[lang][headline]} {_OUTCOME[lang][outcome]}".format(**fields)
    return _SUBJECT[lang].format(**fields), body


def choose_channel(customer: Customer) -> ContactChannel | None:
    """The passenger's preferred channel among those they consented to, if any."""
    allowed = [c for c in customer.channels if c.consent]
    return min(allowed, key=lambda c: c.priority) if allowed else None


async def enqueue_notification(
    session: AsyncSession,
    *,
    idempotency_key: str,
    case_id: str,
    pnr: str,
    customer: Customer,
    kind: MessageKind,
    fields: dict[str, str],
    at: datetime,
) -> bool:
    """Put the message in the outbox and the ledger; False if it was already there."""
    if await effect_done(session, idempotency_key):
        return False
    # The preferred consented channel first (`choose_channel`), the others as fallbacks.
    routes = routes_for(customer)
    subject, body = compose(kind, customer.language, fields)
    message = RoutedMessage(
        idempotency_key=idempotency_key,
        customer_id=customer.id,
        pnr=pnr,
        kind=kind.value,
        channel=routes[0].channel if routes else "log",
        address=routes[0].address if routes else None,
        language=customer.language,
        subject=subject,
        body=body,
        alternatives=routes[1:],
    )
    session.add(
        OutboxRow(
            idempotency_key=idempotency_key,
            topic=TOPIC_NOTIFICATIONS,
            key=pnr,
            customer_id=customer.id,
            channel=message.channel,
            payload=message.model_dump(),
            status="pending",
            attempts=0,
            created_at=at,
        )
    )
    await record_effect(
        session,
        idempotency_key=idempotency_key,
        case_id=case_id,
        action="notify",
        pnr=pnr,
        detail={"kind": kind.value, "channel": message.channel},
        at=at,
    )
    return True
