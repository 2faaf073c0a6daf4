"""What an option costs a party: the planner's objective, term by term.

The weights and their meaning are documented in one place, `agent.settings.PlannerSettings`;
this module only applies them. Every term is in hours of arrival delay at the journey's
final destination, per seat. What the passenger suffers (the delay, stops, waits, the
risk of a second disruption, a broken preference) counts times the party's priority
weight, so a platinum family of three waiting two hours weighs what it should against a
lone traveller waiting five. What the airline pays (another carrier's seat) does not:
it costs the same whoever sits in it, so it can never decide which of two passengers
gets the earlier seat. Weighted, it made a gold passenger's own-metal preference count
more than a silver one's, and the plan kept the gold on its own later flight while the
silver took the partner's earlier one (found-priority-s67-w5); unweighted, the higher
priority gets any seat that is better for the passenger, and elites reach other
carriers sooner, as published airline policies give them (DOMAIN.md, re-accommodation).
"""

from __future__ import annotations

from agent.planner.model import Option, Party
from agent.settings import PlannerSettings
from airline.models import LoyaltyTier

HOUR = 3600.0


def delay_minutes(party: Party, option: Option) -> int:
    """Arrival delay at the final destination (arriving early counts as on time)."""
    return max(0, int((option.arr - party.scheduled_arrival).total_seconds() // 60))


def breaks_preference(party: Party, option: Option) -> bool:
    """Does the option break one of the party's hard preferences?"""
    return (
        (party.no_overnight and option.red_eye)
        or bool(party.avoid_airports.intersection(option.via))
        or bool(party.avoid_carriers.intersection(option.carriers))
        or (bool(party.together) and option.flights != party.together)
    )


def option_cost(party: Party, option: Option, weights: PlannerSettings) -> float:
    """The objective's cost of putting `party` on `option`: the passenger's hours times
    its priority weight, plus the airline's, per seat (module docstring)."""
    hours = max(0.0, (option.arr - party.scheduled_arrival).total_seconds() / HOUR)
    hours += weights.stop_hours * option.stops
    hours += weights.layover_weight * option.layover_minutes / 60
    hours += weights.risk_hours * option.risk * (1 + party.lost_before)
    # The expected further delay if the option goes too: the party then arrives no
    # earlier than on its safest option.
    hours += option.risk * option.fallback_minutes / 60
    if breaks_preference(party, option):
        hours += weights.preference_hours
    airline = 0.0
    if any(carrier != party.carrier for carrier in option.carriers):
        airline += weights.other_carrier_hours
    return party.seats * (party.weight * hours + airline)


def unplaced_cost(party: Party, weights: PlannerSettings) -> float:
    """The cost of leaving `party` without a seat (more than any option's)."""
    return party.seats * party.weight * weights.unplaced_hours


def priority_weight(
    weights: PlannerSettings,
    *,
    special_needs: bool,
    connection_at_risk: bool,
    tier: LoyaltyTier,
    fare: str,
) -> float:
    """1 plus the boosts the party's priority classes earn (never below 0.1)."""
    boost = weights.tier_boost.get(tier, 0.0) + weights.fare_boost.get(fare, 0.0)
    if special_needs:
        boost += weights.special_needs_boost
    if connection_at_risk:
        boost += weights.connection_boost
    return max(0.1, round(1.0 + boost, 4))
