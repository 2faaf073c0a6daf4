"""Everything a disrupted passenger is owed, and why, across every regime whose scope applies.

    entitlements(booking_facts, disruption, airports=..., config=...) -> Entitlements

A journey can fall under several regimes at once. The rules for overlaps:

- EU261 and UK261: a journey can be in both only when one covers it by departure and the
  other by arrival (FRA→LHR on an EU carrier: EU261 departing the EU, UK261 arriving in the
  UK on an EU carrier; LHR→FRA the other way round). Each regulation's Art 3(1)(b) excludes
  arrivals whose passengers "received benefits or compensation and were given assistance"
  in the country of departure, so the departure regime applies and the arrival regime is
  recorded in the notes as set aside.
- EU261 or UK261 together with APPR (e.g. FRA→YYZ): both are assessed; compensation is
  claimed once, so each compensation item names the other regime in `alternative_to`
  (unless `PolicyConfig.cumulative_compensation`).
- US DOT adds duties (notification) and refunds but no compensation, so it stacks with any
  of the others; one refund satisfies every regime that offers one.
"""

from __future__ import annotations

from collections.abc import Mapping

from airline.models import Airport

from . import appr, reg261, us_dot
from .config import PolicyConfig
from .eu261 import EU261, Basis, scope
from .facts import BookingFacts, Disruption, DisruptionKind, PassengerChoice, Trip
from .results import CareItem, Entitlement, EntitlementKind, Entitlements, Findings, Note, Regime
from .uk261 import UK261

__all__ = [
    "BookingFacts",
    "CareItem",
    "Disruption",
    "DisruptionKind",
    "Entitlement",
    "EntitlementKind",
    "Entitlements",
    "Note",
    "PassengerChoice",
    "PolicyConfig",
    "Regime",
    "entitlements",
    "regimes_in_scope",
]


def regimes_in_scope(
    disruption: Disruption, trip: Trip, config: PolicyConfig
) -> tuple[dict[Regime, Basis | None], list[Note]]:
    """The regimes that cover the journey (with the Art 3(1) basis for EU261/UK261).

    Returns:
        The regimes that apply, and notes on any regime set aside by the overlap rule.
    """
    found: dict[Regime, Basis | None] = {}
    notes: list[Note] = []
    o, dest, carrier = trip.origin.country, trip.destination.country, disruption.carrier
    eu = scope(o, dest, carrier, territory=config.eu_countries, carriers=config.eu_carriers)
    uk = scope(
        o,
        dest,
        carrier,
        territory=config.uk_countries,
        carriers=config.uk_carriers | config.eu_carriers,
    )
    if eu is not None and uk is not None:
        # One covers the departure and the other the arrival; the arrival regime yields.
        arrival = Regime.EU261 if eu is Basis.ARRIVAL else Regime.UK261
        departure = Regime.UK261 if arrival is Regime.EU261 else Regime.EU261
        notes.append(
            Note(
                regime=arrival,
                citation=f"{arrival.name} Art 3(1)(b)",
                reason=f"set aside: the passenger receives benefits under {departure.name}, "
                "which covers the departure",
            )
        )
        eu, uk = (None, uk) if arrival is Regime.EU261 else (eu, None)
    if eu is not None:
        found[Regime.EU261] = eu
    if uk is not None:
        found[Regime.UK261] = uk
    countries = trip.countries()
    if countries & config.us_countries:
        found[Regime.US_DOT] = None
    if countries & config.ca_countries:
        found[Regime.APPR] = None
    return found, notes


def entitlements(
    booking_facts: BookingFacts,
    disruption: Disruption,
    *,
    airports: Mapping[str, Airport],
    config: PolicyConfig | None = None,
) -> Entitlements:
    """Everything the passenger is owed for this disruption, and why.

    Args:
        booking_facts: the passenger and ticket (fare, price, tier, special needs).
        disruption: what happened, with the scheduled and actual or offered times.
        airports: at least every airport the disruption names, by IATA code (the
            schedule's `airports`, or `airline.airports.load_airports`).
        config: the readings of uncertain rules; the defaults need no configuration.

    Raises:
        NotFoundError: an airport the disruption names is not in `airports`.
    """
    config = config or PolicyConfig()
    trip = Trip.resolve(disruption, airports)
    found, notes = regimes_in_scope(disruption, trip, config)
    results: list[Findings] = []
    for regime in found:
        if regime is Regime.EU261:
            results.append(
                reg261.assess(
                    EU261, booking_facts, disruption, trip, config, territory=config.eu_countries
                )
            )
        elif regime is Regime.UK261:
            results.append(
                reg261.assess(
                    UK261, booking_facts, disruption, trip, config, territory=config.uk_countries
                )
            )
        elif regime is Regime.US_DOT:
            results.append(us_dot.assess(booking_facts, disruption, trip, config))
        else:
            results.append(appr.assess(booking_facts, disruption, trip, config))
    items = [item for result in results for item in result.items]
    notes += [note for result in results for note in result.notes]
    if not config.cumulative_compensation:
        items = _one_compensation(items)
    return Entitlements(
        regimes=tuple(found),
        distance_km=trip.distance_km,
        passengers=booking_facts.compensated(infants=config.lap_infants_compensated),
        travellers=booking_facts.passengers,
        items=tuple(items),
        notes=tuple(notes),
    )


def _one_compensation(items: list[Entitlement]) -> list[Entitlement]:
    """Mark compensation from several regimes as alternatives: it is claimed once."""
    paying = [i.regime for i in items if i.kind is EntitlementKind.COMPENSATION]
    if len(paying) < 2:
        return items
    return [
        item.model_copy(update={"alternative_to": tuple(r for r in paying if r is not item.regime)})
        if item.kind is EntitlementKind.COMPENSATION
        else item
        for item in items
    ]
