"""validate(plan): every violation of a plan's actions, what was repaired, what may run.

    checked = await validate(seats, schedule, board, actions, CaseFacts(...))
    checked.approved · checked.violations · checked.repairs · checked.owed

One check for every caller (the agent's guard node, tools, evaluations):

- a rebooking goes onto flights that exist and can be flown now, chained from where the
  passenger is to their destination with legal connections, with a seat free now
  (`checks.rebook_violations`); one itinerary per case;
- one message per passenger per change; a "rebooked" message without a rebooking that runs
  becomes the "no alternative" one (and, when the plan proposed no rebooking at all, is
  refused: `Refusal.OUTCOME`);
- money follows the rules exactly for the option actually booked (`checks.check_money`),
  and what the rules owe but the plan left out is added (`checks.complete_money`).

What fails is refused with a reason, never run; every repair is recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from airline.board import LiveBoard
from airline.models import Booking, Cabin, LoyaltyTier
from airline.ports import Seats
from airline.schedule import Schedule
from tools.case_facts import rerouted_entitlements
from tools.plan import (
    NotifyAction,
    ProposedAction,
    RebookAction,
    RefundOfferAction,
    StartAgain,
    replaced_from,
)
from tools.policy.checks import (
    Checked,
    Refusal,
    Violation,
    check_money,
    complete_money,
    fallback_message,
    rebook_violations,
)
from tools.policy.config import PolicyConfig
from tools.policy.owed_memo import OwedMemo
from tools.policy.refunds import refund_cents, refunded_journeys
from tools.policy.results import EntitlementKind, Entitlements
from travel_agent.errors import NotFoundError


@dataclass(frozen=True)
class CaseFacts:
    """What the checks compare a plan with: the booking and the disruption, as now."""

    booking: Booking
    tier: LoyaltyTier
    disrupted_flight: str
    now: datetime
    broken_seqs: Sequence[int]
    origin: str | None
    destination: str | None
    """The final destination of the journey the disruption is on."""
    booked_cabin: Cabin | None
    not_before: datetime | None
    allow_cabin_change: bool = True
    """Another cabin is allowed (an autonomy limit then asks a human)."""
    pay_compensation: bool = True
    """False while compensation cannot be judged yet (a delay: judged on arrival)."""
    give_care: bool = True
    held_flights: tuple[str, ...] = ()
    """Flights whose seats the planner holds for this case (the whole party), in the
    booked cabin."""
    offer_refund: bool = True
    """The passenger may still choose not to travel (False after landing, for a gate)."""
    policy: PolicyConfig | None = None
    """The readings of the regulations to apply (None: the defaults)."""
    arrive_by: datetime | None = None
    """The latest arrival that keeps the booking's next journey (None: none follows)."""
    also_from: StartAgain | None = None
    """A second start a rebooking may take, replacing other segments (None: none)."""

    def start_for(
        self, replace_seqs: Sequence[int]
    ) -> tuple[Sequence[int], str | None, datetime | None]:
        """The broken segments, origin and earliest departure a rebooking replacing
        `replace_seqs` is checked against: the second start's when it replaces exactly
        those, else the case's own (a mismatch is then refused as one)."""
        start = self.also_from
        if start is not None and sorted(replace_seqs) == sorted(start.replace_seqs):
            return start.replace_seqs, start.origin, start.earliest_dep
        return self.broken_seqs, self.origin, self.not_before

    def replaces(self, flights: Sequence[str] | None, schedule: Schedule) -> list[int]:
        """The segments a rebooking onto `flights` replaces (`tools.plan.replaced_from`)."""
        first = schedule.flights.get(flights[0]) if flights else None
        return replaced_from(first.origin if first else None, self.broken_seqs, self.also_from)

    @property
    def refund_cents(self) -> int:
        """What a refund of the disrupted journey returns: it and the journeys after it."""
        on_it = [s for s in self.booking.segments if s.flight_key == self.disrupted_flight]
        journeys = refunded_journeys(self.booking, on_it[0].journey if on_it else 1)
        return refund_cents(self.booking, journeys)


@dataclass
class Validated(Checked):
    owed: Entitlements | None = None
    """What the passenger is owed for the option the approved plan books."""


async def validate(
    seats: Seats,
    schedule: Schedule,
    board: LiveBoard,
    actions: Sequence[ProposedAction],
    facts: CaseFacts,
    *,
    complete: bool = True,
    memo: OwedMemo | None = None,
) -> Validated:
    """Check a plan's actions; `complete` adds what the rules owe and the plan left out.

    `memo` shares what is owed with the case's earlier questions over the same inputs
    (`tools.policy.owed_memo`): the money is checked against that value all the same."""
    approved: list[ProposedAction] = []
    violations: list[Violation] = []
    repairs: list[str] = []
    rebook_refused = False
    for action in actions:
        if isinstance(action, RebookAction):
            if any(isinstance(a, RebookAction) for a in approved):
                repairs.append("kept one rebooking of several: one itinerary per case")
                continue
            broken, origin, not_before = facts.start_for(action.replace_seqs)
            found = await rebook_violations(
                seats,
                schedule,
                board,
                flights=action.flights,
                replace_seqs=action.replace_seqs,
                cabin=action.cabin,
                broken_seqs=broken,
                origin=origin,
                destination=facts.destination,
                booked_cabin=facts.booked_cabin,
                not_before=not_before,
                allow_cabin_change=facts.allow_cabin_change,
                held=facts.held_flights if action.cabin == facts.booked_cabin else (),
                party=facts.booking.seats_needed,
                arrive_by=facts.arrive_by,
            )
            if found:
                violations.extend(found)
                rebook_refused = True
                continue
        approved.append(action)
    notifies = [a for a in approved if isinstance(a, NotifyAction)]
    if len(notifies) > 1:
        repairs.append(f"kept one of {len(notifies)} messages: one per passenger per change")
        approved = [a for a in approved if not isinstance(a, NotifyAction)] + notifies[:1]
    # A "rebooked" message needs a rebooking that runs: one refused, or one never
    # proposed (a small model's plans do that), would announce what did not happen.
    if not any(isinstance(a, RebookAction) for a in approved):
        why = "rebooking refused" if rebook_refused else "no rebooking proposed"
        for i, action in enumerate(approved):
            if isinstance(action, NotifyAction) and action.message != (
                fallback := fallback_message(action.message)
            ):
                approved[i] = NotifyAction(message=fallback)
                repairs.append(f"message {action.message} became {fallback}: {why}")
                if not rebook_refused:  # a refused rebooking has its own refusal already
                    violations.append(
                        Violation(
                            Refusal.OUTCOME,
                            f"{action.message} announces a rebooking the plan does not make",
                        )
                    )
    rebooking = next((a for a in approved if isinstance(a, RebookAction)), None)
    owed = owed_for(
        schedule,
        board,
        facts,
        rebooking.flights if rebooking else None,
        rebooking.cabin if rebooking else facts.booked_cabin,
        memo=memo,
    )
    money = check_money(
        approved,
        owed or Entitlements(regimes=(), distance_km=0),
        price_cents=facts.refund_cents,
        currency=facts.booking.currency,
    )
    violations.extend(money.violations)
    repairs.extend(money.repairs)
    if complete and actions and owed is not None:
        money.approved, added = complete_money(
            money.approved, owed, compensation=facts.pay_compensation, care=facts.give_care
        )
        repairs.extend(added)
        if facts.offer_refund:
            money.approved, added = _offer_refund(money.approved, owed, facts)
            repairs.extend(added)
    return Validated(
        approved=_effects_first(money.approved),
        violations=violations,
        repairs=repairs,
        compensation_corrected=money.compensation_corrected,
        owed=owed,
    )


def _effects_first(actions: list[ProposedAction]) -> list[ProposedAction]:
    """The rebooking before everything else: act runs actions in order, and a "rebooked"
    message needs the itinerary its rebooking makes (a plan may list the message first;
    money the message tells of is read from every action, whatever the order)."""
    return [
        *(a for a in actions if isinstance(a, RebookAction)),
        *(a for a in actions if not isinstance(a, RebookAction)),
    ]


def _offer_refund(
    approved: list[ProposedAction], owed: Entitlements, facts: CaseFacts
) -> tuple[list[ProposedAction], list[str]]:
    """The refund a rule gives the passenger instead of travelling (EU261 Art 8(1)(a), 14
    CFR Part 260, APPR s.17/s.18) is theirs to know of: offered in the message if the plan
    did not (for the disrupted journey and those after it)."""
    rights = owed.of(kind=EntitlementKind.REFUND_OPTION) + owed.of(kind=EntitlementKind.REFUND)
    told = any(isinstance(a, NotifyAction) for a in approved)
    if not rights or not told or any(isinstance(a, RefundOfferAction) for a in approved):
        return approved, []
    offer = RefundOfferAction(
        regime=rights[0].regime,
        amount_cents=facts.refund_cents,
        currency=facts.booking.currency,
    )
    return [*approved, offer], [f"added the refund offer {rights[0].citation} gives"]


def owed_for(
    schedule: Schedule,
    board: LiveBoard,
    facts: CaseFacts,
    flights: Sequence[str] | None,
    cabin: Cabin | None,
    *,
    memo: OwedMemo | None = None,
) -> Entitlements | None:
    """What the passenger is owed if rebooked onto `flights` (None: as things stand);
    with a `memo`, computed once per set of inputs (`tools.policy.owed_memo`)."""
    if memo is not None:
        return memo.owed(
            schedule,
            board,
            facts.booking,
            tier=facts.tier,
            flight_key=facts.disrupted_flight,
            now=facts.now,
            replace_seqs=facts.broken_seqs,
            flights=flights,
            cabin=cabin,
            policy=facts.policy,
            compute=lambda: owed_for(schedule, board, facts, flights, cabin),
        )
    try:
        return rerouted_entitlements(
            schedule,
            board,
            facts.booking,
            tier=facts.tier,
            flight_key=facts.disrupted_flight,
            now=facts.now,
            replace_seqs=facts.replaces(flights, schedule),
            new_flights=flights,
            cabin=cabin,
            policy=facts.policy,
        )
    except NotFoundError:  # the flight is no longer on the booking: nothing is owed for it
        return None
