"""Alternatives search on the seeded world: live board, connection times, seats, ranking."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from airline.board import LiveBoard
from airline.models import Airport, Cabin, FlightStatus, Preferences, SeatPreference
from airline.schedule import Schedule
from airline.tables import InventoryRow
from tools.flights import Itinerary, Leg, SearchRequest, find_alternatives
from tools.ranking import SAME_ARRIVAL, is_red_eye, needs_mobility_help, rank
from travel_agent.db import Database

MORNING = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
OTHER_CARRIER_AFTER = timedelta(hours=4)


@pytest.fixture
async def db(world_path: Path) -> AsyncIterator[Database]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as database:
        yield database


@pytest.fixture
async def schedule(db: Database) -> Schedule:
    return await Schedule.load(db)


@pytest.fixture
async def board(db: Database) -> LiveBoard:
    live = LiveBoard()
    await live.load(db)
    return live


async def search(
    db: Database, schedule: Schedule, board: LiveBoard, **fields: Any
) -> list[Itinerary]:
    request = SearchRequest(
        **({"earliest_dep": MORNING, "cabin": Cabin.ECONOMY, "carrier": "XA"} | fields)
    )
    async with db.session() as session:
        return await find_alternatives(session, schedule, board, request, limit=50)


async def announce(db: Database, board: LiveBoard, flight_key: str, **changes: Any) -> None:
    """Put a newer state of `flight_key` on the board, as an event would."""
    current = board.get(flight_key)
    assert current is not None
    newer = current.model_copy(
        update={"event_id": f"test-{len(changes)}-{flight_key}", "emitted_at": MORNING} | changes
    )
    async with db.transaction() as session:
        assert await board.apply(session, newer) is not None


async def sell_out(db: Database, flight_key: str, cabin: Cabin) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(InventoryRow)
            .where(InventoryRow.flight_key == flight_key, InventoryRow.cabin == cabin.value)
            .values(sold=InventoryRow.capacity)
        )


def keys(itineraries: list[Itinerary]) -> list[list[str]]:
    return [it.flight_keys for it in itineraries]


async def test_found_itineraries_get_there_with_seats(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    found = await search(db, schedule, board, origin="BER", destination="LHR")
    assert found
    assert any(
        it.stops == 0 for it in await search(db, schedule, board, origin="FRA", destination="LHR")
    )
    for it in found:
        assert it.legs[0].origin == "BER" and it.legs[-1].destination == "LHR"
        assert it.dep >= MORNING
        assert it.seats >= 1
        for first, second in pairwise(it.legs):
            assert first.destination == second.origin
            assert second.dep >= first.arr


async def test_a_cancelled_flight_is_never_offered(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    before = await search(db, schedule, board, origin="FRA", destination="LHR")
    best = before[0]
    assert best.stops == 0

    await announce(db, board, best.flight_keys[0], status=FlightStatus.CANCELLED)

    after = await search(db, schedule, board, origin="FRA", destination="LHR")
    assert after
    assert all(best.flight_keys[0] not in it.flight_keys for it in after)
    # Cancelling one flight takes away only the options that used it.
    assert keys(after) == [k for k in keys(before) if best.flight_keys[0] not in k]


async def test_a_diverted_or_departed_flight_is_not_offered_either(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    first, second = (await search(db, schedule, board, origin="FRA", destination="LHR"))[:2]
    await announce(db, board, first.flight_keys[0], status=FlightStatus.DEPARTED)
    await announce(db, board, second.flight_keys[0], status=FlightStatus.DIVERTED)
    offered = {
        k
        for it in await search(db, schedule, board, origin="FRA", destination="LHR")
        for k in it.flight_keys
    }
    assert first.flight_keys[0] not in offered
    assert second.flight_keys[0] not in offered


async def test_a_late_first_leg_that_breaks_the_connection_drops_the_one_stop(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    before = await search(db, schedule, board, origin="BER", destination="LHR")
    one_stop = next(it for it in before if it.stops == 1)
    feeder, onward = one_stop.legs
    assert feeder.destination == "FRA"
    # Land the feeder 30 minutes before the onward flight: under FRA's 60 min (international).
    delay = (onward.dep - timedelta(minutes=30)) - feeder.arr
    assert delay > timedelta(0)
    await announce(
        db,
        board,
        feeder.flight_key,
        status=FlightStatus.DELAYED,
        est_dep=feeder.dep + delay,
        est_arr=feeder.arr + delay,
    )

    after = await search(db, schedule, board, origin="BER", destination="LHR")
    assert one_stop.flight_keys not in keys(after)
    # The late feeder is still offered onto a later onward flight, on its estimated times.
    later = [it for it in after if it.flight_keys[0] == feeder.flight_key]
    assert later
    for it in later:
        assert it.legs[0].dep == feeder.dep + delay
        assert it.legs[0].arr == feeder.arr + delay
        assert it.legs[1].dep - it.legs[0].arr >= timedelta(minutes=60)


async def test_a_delayed_flight_is_offered_on_its_estimated_times(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    best = (await search(db, schedule, board, origin="FRA", destination="LHR"))[0]
    leg = best.legs[0]
    delay = timedelta(minutes=50)
    await announce(
        db,
        board,
        leg.flight_key,
        status=FlightStatus.DELAYED,
        est_dep=leg.dep + delay,
        est_arr=leg.arr + delay,
    )
    again = next(
        it
        for it in await search(db, schedule, board, origin="FRA", destination="LHR")
        if it.flight_keys == best.flight_keys
    )
    assert (again.dep, again.arr) == (leg.dep + delay, leg.arr + delay)

    # Searching from after its scheduled departure still finds it: it has not left yet.
    found = await search(
        db, schedule, board, origin="FRA", destination="LHR", earliest_dep=leg.dep + delay / 2
    )
    assert best.flight_keys in keys(found)


async def test_a_sold_out_flight_disappears_only_in_its_cabin(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    best = (await search(db, schedule, board, origin="FRA", destination="LHR"))[0]
    flight = best.flight_keys[0]
    assert flight in {
        k
        for it in await search(
            db, schedule, board, origin="FRA", destination="LHR", cabin=Cabin.BUSINESS
        )
        for k in it.flight_keys
    }

    await sell_out(db, flight, Cabin.ECONOMY)

    economy = await search(db, schedule, board, origin="FRA", destination="LHR")
    assert all(flight not in it.flight_keys for it in economy)
    business = await search(
        db, schedule, board, origin="FRA", destination="LHR", cabin=Cabin.BUSINESS
    )
    assert any(flight in it.flight_keys for it in business)


async def test_a_party_needs_seats_for_everyone(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    found = await search(db, schedule, board, origin="FRA", destination="LHR")
    most = max(it.seats for it in found)
    big_party = await search(db, schedule, board, origin="FRA", destination="LHR", party=most)
    assert big_party
    assert all(it.seats >= most for it in big_party)
    assert not await search(db, schedule, board, origin="FRA", destination="LHR", party=most + 1)


async def test_without_a_carrier_preference_the_earliest_arrival_comes_first(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    found = await search(db, schedule, board, origin="FRA", destination="LHR", carrier=None)
    assert len(found) > 3
    # By arrival, each stop counting as arriving SAME_ARRIVAL later (fewer stops on ties).
    arrivals = [it.arr + it.stops * SAME_ARRIVAL for it in found]
    assert arrivals == sorted(arrivals)
    carriers = {leg.carrier for it in found for leg in it.legs}
    assert carriers == {"XA", "XB"}


async def test_own_carrier_first_unless_the_other_arrives_four_hours_sooner(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    found = await search(db, schedule, board, origin="FRA", destination="LHR", carrier="XA")

    def own(it: Itinerary) -> bool:
        return all(leg.carrier == "XA" for leg in it.legs)

    preferred = overtaken = 0
    for i, earlier in enumerate(found):
        for later in found[i + 1 :]:
            if own(earlier) == own(later):
                assert earlier.arr <= later.arr
            elif own(earlier):
                # Own metal ranks first unless the other carrier is at least 4 h sooner.
                assert later.arr > earlier.arr - OTHER_CARRIER_AFTER
                preferred += later.arr < earlier.arr
            else:
                assert earlier.arr <= later.arr - OTHER_CARRIER_AFTER
                overtaken += 1
    # The seeded world has both situations on FRA-LHR; without them this proves nothing.
    assert preferred > 0, "an earlier partner option should have ranked below own metal"
    assert overtaken > 0, "a much earlier partner option should have ranked above own metal"


# --- ranking by cabin, preferences and needs (table tests on hand-made itineraries) -------

DAY = datetime(2026, 3, 1, tzinfo=UTC)
AIRPORTS = [
    Airport(iata=iata, name=iata, city=iata, country=country, lat=0, lon=0, tz=tz)
    for iata, country, tz in (
        ("FRA", "DE", "Europe/Berlin"),
        ("AMS", "NL", "Europe/Amsterdam"),  # international MCT 50 min
        ("LHR", "GB", "Europe/London"),
    )
]
TINY = Schedule(AIRPORTS, [])


def at(hhmm: str) -> datetime:
    """A UTC time on the day (Berlin and Amsterdam are UTC+1 in March, London UTC+0)."""
    hours, minutes = map(int, hhmm.split(":"))
    return DAY + timedelta(hours=hours, minutes=minutes)


def option(
    name: str,
    *legs: tuple[str, str, str, str],
    cabin: Cabin = Cabin.ECONOMY,
    seats: int = 9,
    carrier: str = "XA",
) -> Itinerary:
    """An itinerary whose first leg's flight key is `name`; legs are (from, to, dep, arr)."""
    return Itinerary(
        legs=[
            Leg(
                flight_key=f"{name}/{i}",
                carrier=carrier,
                origin=origin,
                destination=destination,
                dep=at(dep),
                arr=at(arr),
            )
            for i, (origin, destination, dep, arr) in enumerate(legs)
        ],
        cabin=cabin,
        seats=seats,
    )


def ranked(options: list[Itinerary], **request: Any) -> list[str]:
    fields = {
        "origin": "FRA",
        "destination": "LHR",
        "earliest_dep": DAY,
        "cabin": Cabin.ECONOMY,
        "carrier": "XA",
    }
    found = rank(options, SearchRequest(**(fields | request)), TINY)
    assert len(found) == len(options), "ranking never drops an option"
    return [it.legs[0].flight_key.split("/")[0] for it in found]


NIGHT = Preferences(avoid_overnight=True)
WHEELCHAIR = Preferences(accessibility=["wheelchair"])
DIRECT_0800 = option("direct-0800", ("FRA", "LHR", "07:00", "08:00"))
DIRECT_0920 = option("direct-0920", ("FRA", "LHR", "08:20", "09:20"))
DIRECT_0940 = option("direct-0940", ("FRA", "LHR", "08:40", "09:40"))
# FRA-AMS-LHR, arriving 09:00; its connection at AMS is 60 min (MCT 50 + 10).
TIGHT_0900 = option(
    "tight-0900", ("FRA", "AMS", "06:00", "07:00"), ("AMS", "LHR", "08:00", "09:00")
)
# Arriving 08:40: 20 min before DIRECT_0900, within the tolerance for a stop.
STOP_0840 = option("stop-0840", ("FRA", "AMS", "05:30", "06:30"), ("AMS", "LHR", "07:40", "08:40"))
DIRECT_0900 = option("direct-0900", ("FRA", "LHR", "08:00", "09:00"))
# Connection at AMS of 100 min (MCT 50 + 50): comfortable with assistance.
EASY_0930 = option("easy-0930", ("FRA", "AMS", "05:00", "06:00"), ("AMS", "LHR", "07:40", "09:30"))
DIRECT_1100 = option("direct-1100", ("FRA", "LHR", "10:00", "11:00"))
BUSINESS_0700 = option("business", ("FRA", "LHR", "06:00", "07:00"), cabin=Cabin.BUSINESS)
# 21:30 UTC is 22:30 in Amsterdam: the second leg of this connection leaves at night.
NIGHT_CONNECTION = option(
    "night-connection", ("FRA", "AMS", "16:00", "17:00"), ("AMS", "LHR", "21:30", "22:00")
)
# 21:10 UTC is 22:10 in Frankfurt: a red-eye, although before 22:00 UTC.
RED_EYE = option("red-eye", ("FRA", "LHR", "21:10", "22:10"))
LATE_DAY = option("late-day", ("FRA", "LHR", "20:55", "21:55"))  # 21:55 local: not one
# 05:00 UTC is 06:00 in Frankfurt: the first departure that is not a red-eye.
DAWN = option("dawn", ("FRA", "LHR", "05:00", "06:00"))
BEFORE_DAWN = option("before-dawn", ("FRA", "LHR", "04:59", "05:59"))


@pytest.mark.parametrize(
    ("options", "request_fields", "expected"),
    [
        pytest.param(
            [DIRECT_0920, DIRECT_0800], {}, ["direct-0800", "direct-0920"], id="earliest-arrival"
        ),
        pytest.param(
            [BUSINESS_0700, DIRECT_1100],
            {},
            ["direct-1100", "business"],
            id="the-booked-cabin-before-an-earlier-other-cabin",
        ),
        pytest.param(
            [STOP_0840, DIRECT_0900],
            {},
            ["direct-0900", "stop-0840"],
            id="fewer-stops-first-when-arriving-within-30-min",
        ),
        pytest.param(
            [TIGHT_0900, DIRECT_0920, DIRECT_0940],
            {},
            ["direct-0920", "tight-0900", "direct-0940"],
            id="a-stop-that-saves-more-than-30-min-ranks-first",
        ),
        pytest.param(
            [RED_EYE, DIRECT_1100], {}, ["direct-1100", "red-eye"], id="no-preference-by-arrival"
        ),
        pytest.param(
            [option("red-eye-early", ("FRA", "LHR", "04:00", "05:00")), DIRECT_1100],
            {"preferences": NIGHT},
            ["direct-1100", "red-eye-early"],
            id="avoid-overnight-pushes-an-earlier-red-eye-after",
        ),
        pytest.param(
            [option("red-eye-early", ("FRA", "LHR", "04:00", "05:00")), DIRECT_1100],
            {"preferences": Preferences()},
            ["red-eye-early", "direct-1100"],
            id="without-avoid-overnight-the-red-eye-is-first",
        ),
        pytest.param(
            [BEFORE_DAWN, DAWN, RED_EYE, LATE_DAY],
            {"preferences": NIGHT},
            ["dawn", "late-day", "before-dawn", "red-eye"],
            id="night-is-22-00-to-05-59-local",
        ),
        pytest.param(
            [NIGHT_CONNECTION, LATE_DAY],
            {"preferences": NIGHT},
            ["late-day", "night-connection"],
            id="a-night-departure-on-any-leg-counts",
        ),
        pytest.param(
            [TIGHT_0900, EASY_0930],
            {},
            ["tight-0900", "easy-0930"],
            id="no-needs-by-arrival",
        ),
        pytest.param(
            [TIGHT_0900, EASY_0930],
            {"preferences": WHEELCHAIR},
            ["easy-0930", "tight-0900"],
            id="wheelchair-connection-needs-mct-plus-30",
        ),
        pytest.param(
            [EASY_0930, DIRECT_1100],
            {"preferences": Preferences(accessibility=["reduced mobility"])},
            ["direct-1100", "easy-0930"],
            id="reduced-mobility-prefers-a-direct-up-to-2h-later",
        ),
        pytest.param(
            [EASY_0930, option("direct-1215", ("FRA", "LHR", "11:15", "12:15"))],
            {"preferences": Preferences(accessibility=["WCHR"])},
            ["easy-0930", "direct-1215"],
            id="but-not-a-direct-much-later",
        ),
        pytest.param(
            [EASY_0930, DIRECT_1100],
            {"preferences": Preferences(accessibility=["unaccompanied minor"])},
            ["easy-0930", "direct-1100"],
            id="other-needs-do-not-change-the-order",
        ),
        pytest.param(
            [option("few-seats", ("FRA", "LHR", "07:00", "08:00"), seats=2), DIRECT_0800],
            {},
            ["direct-0800", "few-seats"],
            id="equal-times-more-seats-first",
        ),
        pytest.param(
            [option("partner", ("FRA", "LHR", "06:30", "07:30"), carrier="XB"), DIRECT_1100],
            {},
            ["direct-1100", "partner"],
            id="own-metal-first-unless-much-sooner",
        ),
        pytest.param(
            [option("partner", ("FRA", "LHR", "04:00", "05:00"), carrier="XB"), DIRECT_1100],
            {"preferences": NIGHT},
            ["direct-1100", "partner"],
            id="red-eye-partner-after-own-day-flight",
        ),
    ],
)
def test_alternatives_are_ranked_by_cabin_needs_arrival_and_stops(
    options: list[Itinerary], request_fields: dict[str, Any], expected: list[str]
) -> None:
    assert ranked(options, **request_fields) == expected


def test_mobility_needs_are_read_from_the_customers_words() -> None:
    assert needs_mobility_help(Preferences(accessibility=["Wheelchair to the gate"]))
    assert needs_mobility_help(Preferences(accessibility=["reduced mobility"]))
    assert needs_mobility_help(Preferences(accessibility=["WCHC"]))
    assert not needs_mobility_help(Preferences(accessibility=["unaccompanied minor"]))
    assert not needs_mobility_help(Preferences())
    assert not needs_mobility_help(None)


async def test_a_flight_moved_into_the_night_ranks_last_for_who_avoids_red_eyes(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    early = MORNING - timedelta(hours=2)
    plain = await search(
        db, schedule, board, origin="FRA", destination="LHR", carrier=None, earliest_dep=early
    )
    first = plain[0]
    assert first.stops == 0
    # It now leaves at 05:30 in Frankfurt (04:30 UTC): the earliest arrival, and a red-eye.
    dawn = datetime(2026, 3, 1, 4, 30, tzinfo=UTC)
    await announce(
        db, board, first.flight_keys[0], est_dep=dawn, est_arr=dawn + (first.arr - first.dep)
    )
    by_arrival, sleeper = [
        await search(
            db,
            schedule,
            board,
            origin="FRA",
            destination="LHR",
            carrier=None,
            earliest_dep=early,
            preferences=preferences,
        )
        for preferences in (None, NIGHT)
    ]

    assert by_arrival[0].flight_keys == first.flight_keys
    assert sorted(keys(sleeper)) == sorted(keys(by_arrival)), "a red-eye is never dropped"
    assert sleeper[-1].flight_keys == first.flight_keys
    assert [is_red_eye(it, schedule) for it in sleeper] == [False] * (len(sleeper) - 1) + [True]


async def test_the_default_request_ranks_as_before_preferences_existed(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    found = await search(db, schedule, board, origin="AMS", destination="MAD", carrier=None)
    again = await search(
        db,
        schedule,
        board,
        origin="AMS",
        destination="MAD",
        carrier=None,
        preferences=Preferences(language="de", seat=SeatPreference.AISLE),
    )
    assert keys(found) == keys(again)  # preferences that do not bear on the order


async def test_an_avoided_hub_carrier_or_city_goes_after_everything_else(
    db: Database, schedule: Schedule, board: LiveBoard
) -> None:
    """ "Never route me through Frankfurt": a connection there is offered only last."""
    from tools.ranking import avoided_by

    plain = await search(db, schedule, board, origin="LHR", destination="MAD", carrier=None)
    via_fra = [it for it in plain if any(leg.destination == "FRA" for leg in it.legs[:-1])]
    assert via_fra and plain.index(via_fra[0]) < len(plain) - len(via_fra), "needs FRA first"

    for avoid in (
        Preferences(avoid_airports=["FRA"]),
        Preferences(avoid_cities=[schedule.airports["FRA"].city]),
    ):
        found = await search(
            db, schedule, board, origin="LHR", destination="MAD", carrier=None, preferences=avoid
        )
        touched = [bool(avoided_by(it, avoid, schedule)) for it in found]
        assert any(touched) and not all(touched)
        assert touched == sorted(touched), "every avoided itinerary after every other"

    no_xb = Preferences(avoid_carriers=["XB"])
    found = await search(
        db, schedule, board, origin="FRA", destination="LHR", carrier=None, preferences=no_xb
    )
    flies_xb = [any(leg.carrier == "XB" for leg in it.legs) for it in found]
    assert flies_xb == sorted(flies_xb) and not flies_xb[0]
