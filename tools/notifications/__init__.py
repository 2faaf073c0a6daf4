"""Passenger messages: what each kind says, in their language, when it may be delivered,
to whom, and how it reaches the outbox.

    kinds       the kinds of message, their fields and urgency (`SPECS`)
    templates   composing a message from the Jinja2 templates, in the passenger's language
    timing      quiet hours, and the legal deadlines that no preference may delay
    recipients  who is told, on which channel
    outbox      writing the message in the transaction of the effect it reports

Import from here; the modules are the seams, this package is the interface.
"""

from tools.notifications.kinds import SPECS, FieldValue, KindSpec, MessageKind, Urgency
from tools.notifications.outbox import (
    booking_message_keys,
    enqueue_for_booking,
    enqueue_notification,
    read_outbox_ahead,
)
from tools.notifications.recipients import (
    booking_recipients,
    choose_channel,
    passenger_recipient_id,
    stated_now,
    with_preferences,
)
from tools.notifications.templates import (
    DEFAULT_LANGUAGE,
    MAX_FIELD,
    TEMPLATES,
    MessageFieldError,
    MessageTemplateError,
    MessageTemplates,
    Rendered,
    as_data,
    compose,
    default_templates,
    normalise_language,
    render,
)
from tools.notifications.timing import (
    QUIET_END,
    QUIET_START,
    STATUS_CHANGE_KINDS,
    URGENT_WITHIN,
    LegalDeadline,
    Timing,
    delivery_time,
    due,
    is_due,
    message_deadline,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "MAX_FIELD",
    "QUIET_END",
    "QUIET_START",
    "SPECS",
    "STATUS_CHANGE_KINDS",
    "TEMPLATES",
    "URGENT_WITHIN",
    "FieldValue",
    "KindSpec",
    "LegalDeadline",
    "MessageFieldError",
    "MessageKind",
    "MessageTemplateError",
    "MessageTemplates",
    "Rendered",
    "Timing",
    "Urgency",
    "as_data",
    "booking_message_keys",
    "booking_recipients",
    "choose_channel",
    "compose",
    "default_templates",
    "delivery_time",
    "due",
    "enqueue_for_booking",
    "enqueue_notification",
    "is_due",
    "message_deadline",
    "normalise_language",
    "passenger_recipient_id",
    "read_outbox_ahead",
    "render",
    "stated_now",
    "with_preferences",
]
