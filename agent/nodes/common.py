"""What several nodes share: the attempt limit, local times for passenger text, and the
policy checks' view of a case."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from agent.state import CaseContext, CaseReason
from airline.schedule import Schedule
from tools.policy.config import PolicyConfig
from tools.policy.validate import CaseFacts

# Seat races (lost at the guard or in act) are searched again this often, then told.
MAX_ATTEMPTS = 3


def local_time(schedule: Schedule, airport: str, instant: datetime) -> str:
    return instant.astimezone(ZoneInfo(schedule.airports[airport].tz)).strftime("%H:%M")


# Compensation for a delay is judged on the actual arrival (its own case, ARRIVED_LATE).
JUDGED_LATER = frozenset(
    {CaseReason.DELAYED, CaseReason.RECOVERED, CaseReason.GATE_CHANGE, CaseReason.REINSTATED}
)
# The passenger may still decline to travel, and take the refund a rule gives.
STILL_TO_TRAVEL = frozenset(
    {
        CaseReason.CANCELLED,
        CaseReason.DIVERTED,
        CaseReason.MISSED_CONNECTION,
        CaseReason.DELAYED,
    }
)
# Care is for someone still waiting.
NO_CARE = frozenset({CaseReason.ARRIVED_LATE, CaseReason.GATE_CHANGE, CaseReason.REINSTATED})


def case_facts(context: CaseContext, policy: PolicyConfig | None = None) -> CaseFacts:
    return CaseFacts(
        booking=context.booking,
        tier=context.customer.tier,
        disrupted_flight=context.disrupted_flight,
        now=context.now,
        broken_seqs=context.replace_seqs,
        origin=context.origin,
        destination=context.destination,
        booked_cabin=context.cabin,
        not_before=context.earliest_dep,
        allow_cabin_change=True,  # allowed, but a human decides (the approve node)
        pay_compensation=context.reason not in JUDGED_LATER,
        give_care=context.reason not in NO_CARE,
        held_flights=tuple(context.assignment.flights)
        if context.assignment and context.assignment.hold_id
        else (),
        offer_refund=context.reason in STILL_TO_TRAVEL,
        policy=policy,
    )
