"""The oracle judges a booking per journey (return, open jaw, multi-city), on hand-made
runs: each journey's own origin and destination decide the route, the search, distance
and delay (Bossen C-559/16 for connections within one journey), a re-routing must not
break the next journey, and a refund frees only the journeys it refunds."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from evals.oracle import judge
from evals.oracle.record import RunRecord
from tests.unit.oracle_worlds import (
    after,
    at,
    booking,
    event,
    flight,
    message,
    money,
    rebook,
    trips,
    world,
)

# A day return FRA→LHR→FRA: out at 07:00, home at 12:00 (LHR's minimum connection 60 min).
OUT = flight("XA1/2026-03-01", "FRA", "LHR", 120, 195)
HOME = flight("XA3/2026-03-01", "LHR", "FRA", 420, 495)
LATE_OUT = flight("XA5/2026-03-01", "FRA", "LHR", 480, 555)
"""The next seat to London: it lands after the return has left."""
EARLY_OUT = flight("XA4/2026-03-01", "FRA", "LHR", 200, 275)
LATE_HOME = flight("XA7/2026-03-01", "LHR", "FRA", 640, 715)
"""A later flight home: with XA5, a way out and straight back."""


def checks(record: RunRecord) -> dict[str, list[str]]:
    """Each check that found something, with its reasons."""
    found: dict[str, list[str]] = {}
    for finding in judge(record).findings:
        found.setdefault(finding.check, []).append(finding.reason)
    return found


def _day_return(*extra_flights, offer: int = 20000, **prices) -> RunRecord:  # type: ignore[no-untyped-def]
    booking = trips(
        "P1", ["XA1/2026-03-01"], ["XA3/2026-03-01"], journey_prices={1: 10000, 2: 10000}
    )
    return after(
        RunRecord(
            world=world([OUT, HOME, LATE_OUT, LATE_HOME, *extra_flights], [booking]),
            events=[event(0, OUT.key, "cancelled", OUT.sched_dep, OUT.sched_arr)],
            end=at(720),
            effects=[
                money(0, "P1", "refund_offer", amount_cents=offer, currency="EUR"),
                money(0, "P1", "compensate", regime="eu261", amount_cents=25000, currency="EUR"),
            ],
            messages=[message(0, "P1", "cancelled_no_alternative", OUT.key)],
        )
    )


def test_a_return_is_not_where_the_outbound_ends_nor_a_way_to_strand_it() -> None:
    """The booking ends back in Frankfurt, but the cancelled outbound's journey ends in
    London: flying out on XA5 and straight home on XA7 is no alternative, and XA5 lands
    after XA3 leaves, which would break the return. So nobody was stranded."""
    found = checks(_day_return())
    assert found == {}, found


def test_an_outbound_that_keeps_the_return_is_an_alternative() -> None:
    """XA4 lands at 09:35, in time for the 12:00 home: offering no alternative strands him."""
    found = checks(_day_return(EARLY_OUT))
    assert "XA4/2026-03-01" in " ".join(found["stranded"])


def test_a_delay_estimate_of_the_return_makes_no_later_outbound_an_alternative() -> None:
    """XA3 home is said to leave 4 h late when the outbound is cancelled: XA5 (lands
    09:15) would make that estimate, not the 12:00 the return may still keep (a delay
    may shrink before the flight leaves: found-stranded-s293-w11). So nobody was stranded."""
    record = _day_return()
    late = timedelta(hours=4)
    news = event(0, HOME.key, "delayed", HOME.sched_dep + late, HOME.sched_arr + late)
    record = replace(record, events=[*record.events, news])
    found = checks(record)
    assert "stranded" not in found, found


def test_a_refund_owes_the_unflown_journey_its_part_of_the_fare() -> None:
    """Art 8(1)(a) refunds "the part or parts of the journey not made": 100 EUR is the
    outbound's part (the whole 200 is not owed for it), 50 EUR is short of it."""
    assert "refund" not in checks(_day_return(offer=10000))
    assert "100.00 is owed" in " ".join(checks(_day_return(offer=5000))["refund"])


# An open jaw: FRA→JFK today, home LHR→FRA tomorrow (cancelled; XA10 lands 3 h late).
TO_NY = flight("XA8/2026-03-01", "FRA", "JFK", 60, 540)
FROM_LONDON = flight("XA9/2026-03-02", "LHR", "FRA", 1500, 1575)
LATER_FROM_LONDON = flight("XA10/2026-03-02", "LHR", "FRA", 1680, 1755)


def test_an_open_jaw_journey_is_judged_from_its_own_origin() -> None:
    """The homeward journey starts at LHR: UK261 by departure from the UK, 653 km, 3 h
    late, £220 — not EU261 from the booking's first airport, nor a route error for a
    booking whose journeys do not connect."""
    record = after(
        RunRecord(
            world=world(
                [TO_NY, FROM_LONDON, LATER_FROM_LONDON],
                [trips("P1", [TO_NY.key], [FROM_LONDON.key], price=110000)],
            ),
            events=[
                event(
                    600, FROM_LONDON.key, "cancelled", FROM_LONDON.sched_dep, FROM_LONDON.sched_arr
                )
            ],
            end=at(2000),
            effects=[
                rebook(600, "P1", [2], [LATER_FROM_LONDON.key]),
                money(600, "P1", "compensate", regime="uk261", amount_cents=22000, currency="GBP"),
                money(600, "P1", "care", regime="uk261", items=["meals"]),
            ],
            messages=[message(600, "P1", "cancelled_rebooked", FROM_LONDON.key)],
        )
    )
    found = checks(record)
    assert found == {}, found
    record.effects[1] = money(
        600, "P1", "compensate", regime="eu261", amount_cents=25000, currency="EUR"
    )
    assert "compensation" in checks(record)


# Multi-city: MUC→FRA (flown), FRA→JFK (cancelled), JFK→FRA tomorrow.
FIRST = flight("XA141/2026-03-01", "MUC", "FRA", 60, 120, sold=1)
SECOND = flight("XA122/2026-03-01", "FRA", "JFK", 600, 1080, sold=1)
THIRD = flight("XA125/2026-03-02", "JFK", "FRA", 2000, 2480, sold=1)


def _multi_city(compensation: int) -> RunRecord:
    record = RunRecord(
        world=world(
            [FIRST, SECOND, THIRD],
            [
                trips(
                    "P1",
                    [FIRST.key],
                    [SECOND.key],
                    [THIRD.key],
                    price=42000,
                    journey_prices={1: 12000, 2: 18000, 3: 12000},
                )
            ],
        ),
        events=[
            event(0, FIRST.key, "departed", FIRST.sched_dep, FIRST.sched_arr),
            event(480, SECOND.key, "cancelled", SECOND.sched_dep, SECOND.sched_arr),
        ],
        end=at(720),
        effects=[
            money(500, "P1", "refund", amount_cents=30000, currency="EUR", journeys=[2, 3]),
            money(
                500, "P1", "compensate", regime="eu261", amount_cents=compensation, currency="EUR"
            ),
        ],
        messages=[message(480, "P1", "cancelled_no_alternative", SECOND.key)],
    )
    after(record)
    record.sold_after = {
        (FIRST.key, "economy"): 1,
        (SECOND.key, "economy"): 0,
        (THIRD.key, "economy"): 0,
    }
    return record


def test_a_refund_of_later_journeys_keeps_the_one_flown() -> None:
    """Refunding journeys 2 and 3 gives back their seats, not the MUC→FRA leg flown; the
    cancelled journey is FRA→JFK (6,200 km, 600 EUR), not MUC→FRA by the booking's ends."""
    found = checks(_multi_city(60000))
    assert found == {}, found
    assert "compensation" in checks(_multi_city(25000))


def test_a_re_routing_offered_then_declined_for_a_refund_still_counts() -> None:
    """Art 5(1)(c)(iii): told under 7 days ahead and offered XA4 (arriving 1 h 20 later);
    that the passenger took their money back instead does not make compensation owed."""
    record = after(
        RunRecord(
            world=world([OUT, HOME, EARLY_OUT], [trips("P1", [OUT.key], [HOME.key])]),
            events=[event(0, OUT.key, "cancelled", OUT.sched_dep, OUT.sched_arr)],
            end=at(720),
            effects=[
                rebook(0, "P1", [1], [EARLY_OUT.key]),
                money(10, "P1", "refund", amount_cents=20000, currency="EUR"),
            ],
            messages=[message(0, "P1", "cancelled_rebooked", OUT.key)],
        )
    )
    found = checks(record)
    assert "compensation" not in found, found


def test_another_journey_of_the_booking_is_not_a_connection() -> None:
    """The homeward journey is re-accommodated before the outbound has flown: FRA→JFK and
    LHR→FRA are two journeys of an open jaw, not a connection that fails to connect."""
    record = after(
        RunRecord(
            world=world(
                [TO_NY, FROM_LONDON, LATER_FROM_LONDON],
                [trips("P1", [TO_NY.key], [FROM_LONDON.key], price=110000)],
            ),
            events=[
                event(0, FROM_LONDON.key, "cancelled", FROM_LONDON.sched_dep, FROM_LONDON.sched_arr)
            ],
            end=at(2000),
            effects=[
                rebook(0, "P1", [2], [LATER_FROM_LONDON.key]),
                money(0, "P1", "compensate", regime="uk261", amount_cents=22000, currency="GBP"),
            ],
            messages=[message(0, "P1", "cancelled_rebooked", FROM_LONDON.key)],
        )
    )
    found = checks(record)
    assert "wrong_route" not in found, found


def test_a_return_first_shown_late_as_it_left_is_the_journey_judged() -> None:
    """found-compensation-s314-w25-fam: FRA→MUC and back; the outbound hears nothing, and
    the stream's first word of the return is "departed 200 min late", then "arrived". The
    return is the journey news reached (as it flew: `context.flown_late`), so the
    compensation it landed late enough for (EU261 Art 7(1)(a), Sturgeon C-402/07) and the
    meals repaid are what it was owed, and none paid is what the oracle demands."""
    out = flight("XA1/2026-03-01", "FRA", "MUC", 120, 180)
    home = flight("XA3/2026-03-01", "MUC", "FRA", 420, 480)
    late = [
        event(620, home.key, "departed", at(620), at(680)),
        event(680, home.key, "arrived", at(620), at(680)),
    ]

    def paid(compensated: bool) -> RunRecord:
        effects = [money(620, "P1", "care", regime="eu261", items=["meals"])]
        messages = [message(620, "P1", "delay", home.key)]
        if compensated:
            effects.append(
                money(680, "P1", "compensate", regime="eu261", amount_cents=25000, currency="EUR")
            )
            messages.append(message(680, "P1", "compensation", home.key))
        booking = trips("P1", [out.key], [home.key])
        return after(
            RunRecord(
                world=world([out, home], [booking]),
                events=late,
                end=at(800),
                effects=effects,
                messages=messages,
            )
        )

    assert checks(paid(True)) == {}
    assert set(checks(paid(False))) == {"compensation"}


# A connection whose late inbound is first heard of as it lands: MUC→FRA lands 10:45
# (165 min late), after FRA→LHR left at 09:00 without the passenger.
INBOUND = flight("XA20/2026-03-01", "MUC", "FRA", 120, 180)
ONWARD = flight("XA21/2026-03-01", "FRA", "LHR", 240, 330)
NEXT_ONWARD = flight("XA23/2026-03-01", "FRA", "LHR", 600, 690)


def test_a_connection_that_left_before_the_inbound_landed_left_without_the_passenger() -> None:
    """found-compensation-s320-w14: the first word of the inbound was "arrived 165 min
    late", after the onward flight had left on time. The oracle read the onward leg as
    flown (its flight had left), so the passenger was at LHR, nothing had changed, and the
    agent's re-routing from FRA, its 250 EUR (EU261 Art 7(1)(a): 6 h late at LHR) and
    its meals were all wrong. A flight that left before the leg bringing the passenger
    to it landed left without them."""
    late = timedelta(minutes=165)
    record = after(
        RunRecord(
            world=world([INBOUND, ONWARD, NEXT_ONWARD], [booking("P1", INBOUND.key, ONWARD.key)]),
            events=[
                event(345, INBOUND.key, "arrived", INBOUND.sched_dep + late, at(345)),
            ],
            end=at(720),
            effects=[
                rebook(345, "P1", [2], [NEXT_ONWARD.key]),
                money(345, "P1", "compensate", regime="eu261", amount_cents=25000, currency="EUR"),
                money(345, "P1", "care", regime="eu261", items=["communication", "meals"]),
            ],
            messages=[message(345, "P1", "missed_connection_rebooked", INBOUND.key)],
        )
    )
    found = checks(record)
    assert found == {}, found
    more = money(345, "P1", "compensate", regime="eu261", amount_cents=40000, currency="EUR")
    overpaid = replace(record, effects=[record.effects[0], more])  # 250 EUR is what is owed
    assert "eu261 250 EUR" in " ".join(checks(overpaid)["compensation"])
