"""What a passenger is owed under Regulation 261 (EU261, or UK261 with its own scale).

One function per article group, each reading the tables in `tools.policy.eu261`:
compensation (Art 5(1)(c), 5(3), 7), care (Art 5(1)(b), 6, 9), refund and re-routing
(Art 5(1)(a), 6(1)(iii), 8), downgrade (Art 10) and the written notice (Art 14).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airline.models import Airport

from .eu261 import (
    ART7_LETTER,
    CARE_FROM,
    DELAY_COMPENSATION_FROM,
    HALVED_WITHIN,
    REFUND_FROM_DELAY,
    WRITTEN_NOTICE_FROM_DELAY,
    Band,
    Scale,
    band,
    cancellation_exempt,
    halved,
    is_extraordinary,
)
from .facts import (
    BookingFacts,
    Disruption,
    DisruptionKind,
    PassengerChoice,
    Trip,
    hours_text,
    overnight,
)
from .fares import downgrade_refund_cents, downgrade_refund_percent
from .results import CareItem, EntitlementKind, Findings

if TYPE_CHECKING:
    from datetime import timedelta

    from .config import PolicyConfig

_K = EntitlementKind


def assess(
    scale: Scale,
    booking: BookingFacts,
    d: Disruption,
    trip: Trip,
    config: PolicyConfig,
    *,
    territory: frozenset[str],
) -> Findings:
    """Everything Regulation 261 owes for this disruption, under `scale`'s amounts.

    Args:
        scale: EU261 or UK261.
        territory: the regime's countries; a journey with both ends inside is "intra" and
            never in the long band (Art 7(1)(b)).
    """
    out = Findings(scale.regime)
    journey = band(trip.distance_km, intra=_inside(territory, trip.origin, trip.destination))
    flight = band(
        trip.flight_distance_km,
        intra=_inside(territory, trip.flight_origin, trip.flight_destination),
    )
    _compensation(out, scale, d, journey, config)
    _care(out, scale, d, trip, flight)
    _refund_and_rerouting(out, scale, d)
    _downgrade(out, scale, booking, d, trip, flight)
    _written_notice(out, scale, d, config)
    return out


def _inside(territory: frozenset[str], *airports: Airport) -> bool:
    return all(a.country in territory for a in airports)


def _departs_earlier_by(d: Disruption) -> timedelta | None:
    """How much earlier than booked the offered re-routing makes the passenger leave: on
    the journey when the case says so (a connection re-routed from its first airport or
    kept up to the cancelled leg), else the re-routing against the cancelled flight."""
    if d.actual_dep is None:
        return None
    if d.journey_departs_earlier_by is not None:
        return d.journey_departs_earlier_by
    return d.sched_dep - d.actual_dep


def _compensation(
    out: Findings, scale: Scale, d: Disruption, band_: Band, config: PolicyConfig
) -> None:
    p = scale.prefix
    late = d.arrival_delay
    if d.kind is DisruptionKind.CANCELLED:
        exempt = cancellation_exempt(
            d.notice,
            departs_earlier_by=_departs_earlier_by(d),
            arrives_later_by=late,
        )
        if exempt is not None:
            out.note(
                f"{p} {exempt}",
                f"no compensation: the cancellation was notified {d.notice.days} days ahead"
                + ("" if exempt.endswith("(i)") else " with a re-routing close to the schedule"),
            )
            return
        basis = f"cancellation notified {d.notice.days} days ahead; " + (
            "no re-routing taken" if late is None else f"re-routed arrival {hours_text(late)} late"
        )
    elif late is None or late < DELAY_COMPENSATION_FROM:
        out.note(
            f"{p} Art 7(1); Sturgeon C-402/07; Folkerts C-11/11",
            "no compensation: the arrival at the final destination is "
            + ("unknown" if late is None else f"{hours_text(late)} late, under 3 h"),
        )
        return
    else:
        basis = f"arrival at the final destination {hours_text(late)} late (Sturgeon C-402/07)"
    if is_extraordinary(
        d.reason, d.originating_reason, extraordinary=config.extraordinary, knock_on=config.knock_on
    ):
        out.note(
            f"{p} Art 5(3)",
            f"no compensation: {d.reason.value} is an extraordinary circumstance; care and "
            "the choice of refund or re-routing remain owed",
        )
        return
    letter = ART7_LETTER[band_]
    cents = scale.amounts[band_] * 100
    citation = f"{p} Art 7(1)({letter})"
    if d.kind is DisruptionKind.CANCELLED:
        citation += ", Art 5(1)(c)"
    cut = late is not None and config.halve_rerouted and halved(band_, late)
    if d.kind is not DisruptionKind.CANCELLED:
        cut = cut and band_ in config.halve_delays_in
    if cut:
        cents //= 2
        citation += f", Art 7(2)({letter})"
    if scale.amounts_source:
        citation += f"; {scale.amounts_source}"
    reason = f"{basis}; band {band_.name.lower()}; in money, vouchers only if the passenger "
    reason += "agrees in writing (Art 7(3))"
    if cut:
        reason += f"; halved: no more than {hours_text(HALVED_WITHIN[band_])} late"
    out.owe(_K.COMPENSATION, citation, reason, amount_cents=cents, currency=scale.currency)


def _care(out: Findings, scale: Scale, d: Disruption, trip: Trip, band_: Band) -> None:
    p = scale.prefix
    if d.kind is DisruptionKind.CANCELLED:
        basis = f"{p} Art 5(1)(b)"
        why = "the flight was cancelled (in relation to the waiting time)"
    else:
        # A diverted passenger waits for onward carriage: judge the wait by the arrival.
        wait = d.arrival_delay if d.kind is DisruptionKind.DIVERTED else d.departure_delay
        threshold = CARE_FROM[band_]
        if wait is None or wait < threshold:
            out.note(
                f"{p} Art 6(1)({ART7_LETTER[band_]})",
                f"no care yet: the wait is under {hours_text(threshold)} for this flight's band",
            )
            return
        basis = f"{p} Art 6(1)({ART7_LETTER[band_]})"
        why = f"a wait of {hours_text(wait)}"
    out.owe(_K.CARE, f"{basis}, Art 9(1)(a)", f"meals and refreshments: {why}", care=CareItem.MEALS)
    out.owe(_K.CARE, f"{basis}, Art 9(2)", "two calls or messages", care=CareItem.COMMUNICATION)
    if overnight(d, trip):
        out.owe(
            _K.CARE,
            f"{basis}, Art 9(1)(b), Art 9(1)(c)",
            "hotel and transfers: the wait holds a night (4 h or more of 00:00-05:00 local)",
            care=CareItem.HOTEL,
        )


def _refund_and_rerouting(out: Findings, scale: Scale, d: Disruption) -> None:
    p = scale.prefix
    refund = "reimbursement within 7 days of the ticket for the unflown parts (and flown ones "
    refund += "if the trip no longer serves its purpose), with a flight back to the origin"
    if d.kind is DisruptionKind.CANCELLED:
        basis = f"{p} Art 5(1)(a), Art 8(1)"
    elif d.kind is DisruptionKind.DIVERTED:
        out.owe(
            _K.REROUTING,
            f"{p} Art 8(3); Austrian Airlines C-826/19",
            "transfer from the diversion airport to the booked destination at the carrier's cost",
        )
        if d.alternative_offered:
            return
        # Nothing carries the passenger on from the diversion airport: the arrival at the
        # destination is delayed without end (at least the 5 h of Art 6(1)(iii)), so the
        # Art 8(1) choice of a refund is theirs.
        basis = f"{p} Art 6(1)(iii), Art 8(1)"
    else:
        if d.kind is DisruptionKind.MISSED_CONNECTION:
            out.owe(
                _K.REROUTING,
                f"{p} Art 8(1)(b)",
                "carriage to the final destination at the earliest opportunity (one booking)",
            )
        wait = d.departure_delay
        if wait is None or wait < REFUND_FROM_DELAY:
            return
        basis = f"{p} Art 6(1)(iii), Art 8(1)"
    if d.choice is PassengerChoice.REFUND:
        out.owe(_K.REFUND, f"{basis}(a)", refund)
        return
    if d.choice is PassengerChoice.UNDECIDED:
        out.owe(_K.REFUND_OPTION, f"{basis}(a)", refund)
    if d.kind is DisruptionKind.CANCELLED:
        out.owe(
            _K.REROUTING,
            f"{basis}(b), Art 8(1)(c)",
            "re-routing to the final destination at the earliest opportunity, or later at the "
            "passenger's convenience",
        )


def _downgrade(
    out: Findings, scale: Scale, booking: BookingFacts, d: Disruption, trip: Trip, band_: Band
) -> None:
    if not d.downgraded:
        return
    percent = downgrade_refund_percent(band_)
    price = booking.flight_price_cents
    whole_trip = (trip.flight_origin, trip.flight_destination) == (trip.origin, trip.destination)
    if price is None and whole_trip:
        price = booking.price_cents
    fields: dict[str, object] = {}
    if price is not None:
        fields = {
            "amount_cents": downgrade_refund_cents(price, band_),
            "currency": booking.currency,
        }
    out.owe(
        _K.DOWNGRADE_REFUND,
        f"{scale.prefix} Art 10(2)({ART7_LETTER[band_]}); Mennens C-255/15",
        f"{percent} % of the price of the downgraded flight, within 7 days",
        **fields,
    )


def _written_notice(out: Findings, scale: Scale, d: Disruption, config: PolicyConfig) -> None:
    delays = [x for x in (d.departure_delay, d.arrival_delay) if x is not None]
    if d.kind is DisruptionKind.CANCELLED:
        why = "cancellation"
    elif delays and max(delays) >= WRITTEN_NOTICE_FROM_DELAY:
        why = f"delay of {hours_text(max(delays))}"
    else:
        return
    # Art 14(2) sets no hour; the notice is of use only in the passenger's hands by the
    # time they would present themselves for the flight: by its scheduled departure, or,
    # when the carrier learns of it only then (a diversion, a delay at the gate), soon
    # after (`PolicyConfig.written_notice_within`).
    due = d.sched_dep
    if d.carrier_aware_at is not None:
        due = max(due, d.carrier_aware_at + config.written_notice_within)
    out.owe(
        _K.NOTICE,
        f"{scale.prefix} Art 14(2)",
        f"written notice of the rules for compensation and assistance ({why}), by the "
        "scheduled departure",
        due_by=due,
    )
