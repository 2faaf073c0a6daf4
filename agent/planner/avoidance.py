"""A party's hard preferences as the planner reads them: the airports it refuses to
connect at (those named, and each named city's, as `airline.metro.city_airports` means
it: "London" is its area, not London, Ontario) and the carriers it refuses to fly. The
planner's parties (`agent.planner.inputs.party_of`) carry them; the case's check of a
wave's assignment (`agent.nodes.context`) sends one that breaks them back to the planner.
"""

from __future__ import annotations

from collections.abc import Sequence

from airline.metro import city_airports
from airline.models import Preferences
from airline.schedule import Schedule


def avoided_airports(preferences: Preferences | None) -> frozenset[str]:
    """The airports a party's preferences refuse to connect at: those named, and each
    named city's (`airline.metro.city_airports`, as `tools.ranking.avoided_by` reads
    them: "London" is its area, not London, Ontario)."""
    if preferences is None:
        return frozenset()
    return frozenset(preferences.avoid_airports).union(
        *(city_airports(city) for city in preferences.avoid_cities)
    )


def breaks_avoidance(
    schedule: Schedule, flights: Sequence[str], preferences: Preferences | None
) -> bool:
    """Does an itinerary of these flights connect at an airport, or fly a carrier, that
    the preferences refuse (the objective's `breaks_preference`, from the schedule)?"""
    if preferences is None:
        return False
    legs = [schedule.flights[key] for key in flights if key in schedule.flights]
    via = {leg.destination for leg in legs[:-1]}
    carriers = {leg.carrier for leg in legs}
    return bool(via & avoided_airports(preferences)) or bool(
        carriers & set(preferences.avoid_carriers)
    )
