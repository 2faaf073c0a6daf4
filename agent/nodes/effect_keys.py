"""The ledger keys of a case's effects: what makes each effect happen once.

A rebooking is once per case; compensation and care once per booking and journey (a
later case about the same journey cannot repeat them, a disruption of the return still
pays for the return); a refund offer once per disruption of the flight; a message once
per booking per disruption (each booking's passengers must know, whoever holds it).
"""

from __future__ import annotations

from agent.nodes.approve import pending_notice_key
from agent.state import (
    CareAction,
    CaseContext,
    CaseState,
    CompensateAction,
    NotifyAction,
    ProposedAction,
    RebookAction,
    RefundOfferAction,
)
from tools.effects import compensation_key
from tools.notifications import booking_message_keys


def care_prefix(state: CaseState) -> str:
    """Care is given once per item per journey of the booking (a return's wait is its own)."""
    return f"{state['pnr']}:j{journey_of(state['context'])}:care:"


def rebook_key(case_id: str) -> str:
    return f"{case_id}:rebook:v1"


def money_key(state: CaseState, kind: str) -> str:
    # Compensation is paid once per journey (care: `care_prefix`): keyed by booking and
    # journey, not case, so a later case about the same journey cannot repeat it, and a
    # disruption of the return still pays for the return.
    context = state["context"]
    pnr, flight = state["pnr"], context.disrupted_flight
    if kind == "compensate":
        return compensation_key(pnr, journey_of(context))
    return {
        # Offered once per disruption of the flight, however often its news changes.
        "refund_offer": f"{pnr}:{flight}:refund_offer:v1",
    }.get(kind, f"{state['case_id']}:{kind}:v1")


def journey_of(context: CaseContext) -> int:
    """The journey of the booking the disrupted flight is on."""
    on_it = [s for s in context.booking.segments if s.flight_key == context.disrupted_flight]
    return on_it[0].journey if on_it else 1


def notify_key(state: CaseState) -> str:
    """One message per booking per disruption: a contact holding two bookings on the
    flight (their own, and one they made for someone else) hears about each, since each
    booking's passengers must know (keyed by contact alone, the second went untold)."""
    return f"notify:{state['disruption_id']}:{state['pnr']}:{state['context'].customer.id}"


def ledger_keys(state: CaseState, actions: list[ProposedAction]) -> list[str]:
    """The ledger keys `_apply` will ask about for `actions`."""
    keys = []
    for action in actions:
        if isinstance(action, RebookAction):
            keys.append(rebook_key(state["case_id"]))
        elif isinstance(action, CompensateAction | RefundOfferAction):
            keys.append(money_key(state, action.kind))  # care: `_record_care` reads its own
        elif isinstance(action, NotifyAction):
            context = state["context"]
            keys += booking_message_keys(notify_key(state), context.booking, context.customer)
            keys.append(pending_notice_key(state))
    return keys


def ledger_prefixes(state: CaseState, actions: list[ProposedAction]) -> list[str]:
    """The key prefixes `_apply` will ask the ledger's details under for `actions`."""
    return [care_prefix(state)] if any(isinstance(a, CareAction) for a in actions) else []
