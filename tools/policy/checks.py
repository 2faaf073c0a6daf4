"""The policy checks: every plan, from any reasoner, is checked against live facts before
it runs (`tools.policy.validate` runs them all; the graph's ``guard`` node calls it — the
word "guard" names that node and nothing else).

A rebooking must go onto flights that exist, that the live board says can still be
boarded, that chain from the case's origin to its journey's destination with legal
connections, in the booked cabin, with a seat free now for every traveller of the party.
What fails is refused with a reason, never run; what can be repaired is (a "rebooked"
message whose rebooking was refused becomes a "no alternative" message) and the repair
is recorded. Each refusal is a `Violation`: its text for people, its typed `Refusal` for
the code that routes on it (the guard searches again only when every refusal is
`Refusal.NO_SEAT`), never a prefix of the text.

Money follows the rules exactly (`check_money`): compensation is what the regulation owes
for the option actually booked, care only what is owed, a refund offer only where a rule
offers one and never above the fare.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import pairwise

from airline.airports import minimum_connection_time
from airline.board import LiveBoard
from airline.models import Cabin
from airline.ports import Seats
from airline.schedule import Schedule
from tools.notifications import MessageKind
from tools.plan import CareAction, CompensateAction, ProposedAction, RefundOfferAction
from tools.policy.results import EntitlementKind, Entitlements, Regime


class Refusal(StrEnum):
    """Why part of a plan was refused: what the code routes on (the text is for people)."""

    NO_SEAT = "no_seat"
    """The seat went to another case meanwhile: the one refusal searching again can cure."""
    ITINERARY = "itinerary"
    """The rebooking's flights, route, connections, cabin, segments or timing break a rule."""
    MONEY = "money"
    """Compensation, care or a refund offer no rule owes."""
    STRANDS = "strands"
    """The plan leaves the passenger without a seat the planner found for them."""
    OUTCOME = "outcome"
    """The plan's message or effects disagree with what happens to the passenger (a
    "rebooked" message without a rebooking, no message, a rebooking announced as a delay)."""


@dataclass(frozen=True)
class Violation:
    """One refusal: its typed reason and its words."""

    reason: Refusal
    text: str

    def __str__(self) -> str:
        return self.text


def only_seats_gone(violations: Sequence[Violation] | Sequence[Refusal]) -> bool:
    """Every refusal is a seat taken meanwhile (and there is one): search again."""
    reasons = [v.reason if isinstance(v, Violation) else v for v in violations]
    return bool(reasons) and all(r is Refusal.NO_SEAT for r in reasons)


# Rebooked messages and the message to send instead when the rebooking cannot run.
_FALLBACK = {
    MessageKind.CANCELLED_REBOOKED: MessageKind.CANCELLED_NO_ALTERNATIVE,
    MessageKind.DIVERTED_REBOOKED: MessageKind.DIVERTED_NO_ALTERNATIVE,
    MessageKind.MISSED_CONNECTION_REBOOKED: MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE,
}


async def rebook_violations(
    seats: Seats,
    schedule: Schedule,
    board: LiveBoard,
    *,
    flights: Sequence[str],
    replace_seqs: Sequence[int],
    cabin: Cabin,
    broken_seqs: Sequence[int],
    origin: str | None,
    destination: str | None,
    booked_cabin: Cabin | None,
    not_before: datetime | None = None,
    allow_cabin_change: bool = False,
    held: Sequence[str] = (),
    party: int = 1,
    arrive_by: datetime | None = None,
) -> list[Violation]:
    """Every reason this rebooking must not run (empty when it may).

    Args:
        seats: the seats left, read live (in the caller's transaction).
        flights: the proposed itinerary, in order.
        replace_seqs: the segments the plan takes off the booking.
        cabin: the cabin the plan books.
        broken_seqs: the segments the case found broken.
        origin: where the passenger is (or will be) when the new itinerary starts.
        destination: the booking's final destination.
        booked_cabin: the cabin the passenger paid for.
        not_before: the earliest the passenger can make a departure (a model may propose
            a flight that the board has not yet marked as gone, but the clock has).
        allow_cabin_change: another cabin is allowed (a human approves it downstream).
        held: the flights whose seats are held for this case in `cabin` (the planner's
            assignment, a seat for each of the party): a full flight still has the
            party's own seats.
        party: seats the booking's passengers take: they travel together, on every flight.
        arrive_by: the latest arrival that keeps the booking's next journey (the return of a
            return trip), whoever proposes the itinerary — the planner searches within it,
            a model or an operator's edit must not break the trip either.
    """
    problems: list[Violation] = []

    def refuse(text: str) -> None:
        problems.append(Violation(Refusal.ITINERARY, text))

    if not broken_seqs:
        return [Violation(Refusal.ITINERARY, "the case has no broken segment to replace")]
    if sorted(replace_seqs) != sorted(broken_seqs):
        refuse(f"replaces segments {sorted(replace_seqs)}, but {sorted(broken_seqs)} broke")
    if booked_cabin is not None and cabin != booked_cabin and not allow_cabin_change:
        refuse(f"changes cabin from {booked_cabin} to {cabin}: needs a human")
    legs = [schedule.flights.get(key) for key in flights]
    unknown = [key for key, leg in zip(flights, legs, strict=True) if leg is None]
    if unknown:
        return [*problems, Violation(Refusal.ITINERARY, f"no such flight {', '.join(unknown)}")]
    known = [leg for leg in legs if leg is not None]
    for leg in known:
        state = board.get(leg.key)
        if state is None or not state.flyable:
            status = state.status.value if state else "unknown"
            refuse(f"{leg.key} is {status} on the live board")
        elif not_before is not None and leg is known[0] and state.est_dep < not_before:
            refuse(
                f"{leg.key} leaves at {state.est_dep:%H:%M}Z, before the passenger can make it "
                f"({not_before:%H:%M}Z)"
            )
    if known[0].origin != origin:
        refuse(f"starts at {known[0].origin}, the passenger is at {origin}")
    if known[-1].destination != destination:
        refuse(f"ends at {known[-1].destination}, not {destination}")
    for first, second in pairwise(known):
        if first.destination != second.origin:
            refuse(f"{first.key} and {second.key} do not connect")
            continue
        first_state, second_state = board.get(first.key), board.get(second.key)
        if first_state is None or second_state is None:
            continue
        mct = minimum_connection_time(
            schedule.airports[first.destination],
            international=schedule.is_international(
                first.destination, first.origin, second.destination
            ),
        )
        if second_state.est_dep - first_state.est_arr < mct:
            refuse(f"connection at {first.destination} is shorter than {mct}")
    last = board.get(known[-1].key)
    arrival = last.est_arr if last is not None else known[-1].sched_arr
    if arrive_by is not None and arrival > arrive_by:
        refuse(
            f"arrives at {arrival:%Y-%m-%d %H:%M}Z, after {arrive_by:%Y-%m-%d %H:%M}Z: "
            "the booking's next journey would be missed"
        )
    left = await seats.available_seats([leg.key for leg in known], cabin)
    for leg in known:
        if left.get(leg.key, 0) < party and leg.key not in held:
            needed = "" if party == 1 else f" for all {party} travellers"
            problems.append(
                Violation(Refusal.NO_SEAT, f"no seat left in {cabin} on {leg.key}{needed}")
            )
    return problems


def rebooked_message(kind: MessageKind) -> MessageKind:
    """The message that announces the rebooking a "no alternative" message denied."""
    return next((rebooked for rebooked, told in _FALLBACK.items() if told == kind), kind)


def fallback_message(kind: MessageKind) -> MessageKind:
    """The message to send when the rebooking it announces was refused."""
    return _FALLBACK.get(kind, kind)


@dataclass
class Checked:
    """What may run of a plan's money actions, what was refused and what was repaired."""

    approved: list[ProposedAction] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    compensation_corrected: bool = False
    """A compensation was proposed at another amount than the rules owe (and set to it):
    typed, so an autonomy limit reads it without parsing the repair's words."""


def owed_actions(
    owed: Entitlements, *, compensation: bool = True, care: bool = True
) -> list[CompensateAction | CareAction]:
    """What the rules owe as actions: compensation (once per journey, from the first regime
    that owes it) and the care of the first regime that owes any."""
    actions: list[CompensateAction | CareAction] = []
    if compensation:
        for item in owed.of(kind=EntitlementKind.COMPENSATION):
            if item.amount_cents and item.currency:
                actions.append(
                    CompensateAction(
                        regime=item.regime,
                        amount_cents=item.amount_cents,
                        currency=item.currency,
                        passengers=owed.passengers,
                    )
                )
                break
    for regime in owed.regimes if care else ():
        items = sorted(owed.care(regime))
        if items:
            actions.append(CareAction(regime=regime, items=items, passengers=owed.travellers))
            break
    return actions


def complete_money(
    approved: Sequence[ProposedAction], owed: Entitlements, *, compensation: bool, care: bool
) -> tuple[list[ProposedAction], list[str]]:
    """Add what the rules owe and the plan left out; the passenger gets it either way."""
    kinds = {a.kind for a in approved}
    due = owed_actions(owed, compensation=compensation, care=care)
    added = [a for a in due if a.kind not in kinds]
    notes = [f"added the {a.kind} the rules owe ({a.regime.value})" for a in added]
    return [*approved, *added], notes


def check_money(
    actions: Sequence[ProposedAction],
    owed: Entitlements,
    *,
    price_cents: int,
    currency: str,
) -> Checked:
    """Compensation, care and refund offers against what the passenger is owed.

    Compensation is paid exactly as the rules say: a proposal above the entitlement is
    capped, below it raised (the passenger is owed the full sum), one without an
    entitlement refused; one payment per journey. Care items not owed are dropped. A
    refund offer needs a rule that offers a refund and never exceeds the fare. Other
    actions pass through untouched.
    """
    checked = Checked()
    paid: set[Regime] = set()
    for action in actions:
        if isinstance(action, CompensateAction):
            _check_compensation(action, owed, paid, checked)
        elif isinstance(action, CareAction):
            _check_care(action, owed, checked)
        elif isinstance(action, RefundOfferAction):
            _check_refund_offer(action, owed, price_cents, currency, checked)
        else:
            checked.approved.append(action)
    return checked


def _check_compensation(
    action: CompensateAction, owed: Entitlements, paid: set[Regime], checked: Checked
) -> None:
    item = owed.compensation(action.regime)
    if item is None or item.amount_cents is None:
        why = "; ".join(
            f"{n.citation}: {n.reason}" for n in owed.notes if n.regime is action.regime
        )
        checked.violations.append(
            Violation(
                Refusal.MONEY,
                f"no {action.regime.value} compensation is owed" + (f" ({why})" if why else ""),
            )
        )
        return
    if paid & {action.regime, *item.alternative_to}:
        checked.repairs.append(
            f"dropped a second compensation ({action.regime.value}): paid once per journey"
        )
        return
    if (action.amount_cents, action.currency) != (item.amount_cents, item.currency):
        checked.repairs.append(
            f"compensation {action.amount_cents / 100:.2f} {action.currency} set to the "
            f"{item.amount_cents / 100:.2f} {item.currency} that {item.citation} owes"
        )
        checked.compensation_corrected = True
        action = action.model_copy(
            update={"amount_cents": item.amount_cents, "currency": item.currency}
        )
    if action.passengers != owed.passengers:
        checked.repairs.append(
            f"compensation paid to {owed.passengers} traveller(s), not {action.passengers}: "
            "each is owed it"
        )
        action = action.model_copy(update={"passengers": owed.passengers})
    paid.add(action.regime)
    checked.approved.append(action)


def _check_care(action: CareAction, owed: Entitlements, checked: Checked) -> None:
    due = owed.care(action.regime)
    kept = [item for item in action.items if item in due]
    if not kept:
        checked.violations.append(
            Violation(
                Refusal.MONEY,
                f"no {action.regime.value} care is owed for {', '.join(action.items)}",
            )
        )
        return
    if len(kept) < len(action.items):
        dropped = sorted(set(action.items) - set(kept))
        checked.repairs.append(f"care not owed dropped: {', '.join(dropped)}")
        action = action.model_copy(update={"items": kept})
    if action.passengers != owed.travellers:
        action = action.model_copy(update={"passengers": owed.travellers})
    checked.approved.append(action)


def _check_refund_offer(
    action: RefundOfferAction,
    owed: Entitlements,
    price_cents: int,
    currency: str,
    checked: Checked,
) -> None:
    offered = owed.of(kind=EntitlementKind.REFUND_OPTION) + owed.of(kind=EntitlementKind.REFUND)
    if not offered:
        checked.violations.append(
            Violation(Refusal.MONEY, "no rule offers a refund for this disruption")
        )
        return
    if action.amount_cents > price_cents or action.currency != currency:
        checked.repairs.append(
            f"refund offer {action.amount_cents / 100:.2f} {action.currency} set to the fare "
            f"paid, {price_cents / 100:.2f} {currency}"
        )
        action = action.model_copy(update={"amount_cents": price_cents, "currency": currency})
    if action.regime is None:
        action = action.model_copy(update={"regime": offered[0].regime})
    checked.approved.append(action)
