"""Replay of real operations: on-time CSV → flights, events and a world the agent acts on."""

from __future__ import annotations

import asyncio
import gzip
import zipfile
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agent.runtime import Daemon
from agent.tables import CaseRow, DisruptionRow
from airline.clock import EventTimeClock, SimulatedClock
from airline.models import Cabin, FlightStatus, ReasonCode
from airline.replay_world import build_replay_world
from airline.reservations import passengers_on
from airline.seed import write_world
from airline.tables import FlightRow, InventoryRow
from app.migrate import open_database
from app.settings import Settings
from app.wiring import open_agent
from streams.codec import decode
from streams.embedded import EmbeddedBroker, EmbeddedSink, EmbeddedSource
from streams.events import FlightStatusEvent, encode
from streams.replay import ReplayDay, read_ontime, replay_events
from streams.simulator import run_simulator
from travel_agent.errors import ConfigError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ontime"
NYC_FILE, NYC_DAY = FIXTURES / "nycflights13.csv", date(2013, 1, 1)
BTS_FILE, BTS_DAY = FIXTURES / "bts.csv", date(2024, 1, 15)

D, C, V = FlightStatus.DEPARTED, FlightStatus.CANCELLED, FlightStatus.DIVERTED
A, L = FlightStatus.ARRIVED, FlightStatus.DELAYED


def utc(month: int, day: int, hour: int, minute: int, year: int = 2013) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def bts(day: int, hour: int, minute: int) -> datetime:
    return utc(1, day, hour, minute, year=2024)


@pytest.fixture(scope="module")
def nyc() -> ReplayDay:
    return read_ontime(NYC_FILE, day=NYC_DAY)


@pytest.fixture(scope="module")
def bts_day() -> ReplayDay:
    return read_ontime(BTS_FILE, day=BTS_DAY)


def by_flight(events: list[FlightStatusEvent]) -> dict[str, list[FlightStatusEvent]]:
    grouped: dict[str, list[FlightStatusEvent]] = defaultdict(list)
    for event in events:
        grouped[event.flight_key].append(event)
    return grouped


def story(events: list[FlightStatusEvent]) -> list[tuple[FlightStatus, datetime]]:
    """Each event's status and the time it says: departure, arrival, or when it was sent."""
    told = []
    for e in events:
        at = {D: e.est_dep, A: e.est_arr, L: e.est_dep, V: e.est_arr}.get(e.status, e.emitted_at)
        told.append((e.status, at))
    return told


# --- reading -----------------------------------------------------------------------------


def test_nycflights13_rows_are_used_or_counted_with_their_reason(nyc: ReplayDay) -> None:
    assert nyc.layout == "nycflights13"
    assert nyc.rows == 29
    assert len(nyc.flights) == 21
    assert nyc.skipped == Counter(
        {
            "unknown_airport": 1,
            "other_date": 1,
            "malformed_time": 1,
            "missing_carrier": 1,
            "bad_carrier": 1,
            "bad_flight_number": 1,
            "duplicate_flight": 1,
            "malformed_number": 1,
        }
    )
    assert nyc.rows == len(nyc.flights) + nyc.skipped.total()
    assert nyc.examples["unknown_airport"] == [
        "line 14: ZZZ is not an IATA code in the airport data"
    ]
    assert nyc.examples["malformed_time"] == ["line 16: time '2575' is not a clock time"]
    assert nyc.examples["bad_carrier"] == ["line 18: carrier 'XYZ' is not a two-character code"]
    assert nyc.examples["malformed_number"] == ["line 22: dep_delay 'abc'"]
    assert nyc.examples["other_date"] == ["line 15: 2013-01-02 is not 2013-01-01"]


def test_bts_rows_are_used_or_counted_with_their_reason(bts_day: ReplayDay) -> None:
    assert bts_day.layout == "bts"
    assert (bts_day.rows, len(bts_day.flights)) == (30, 23)
    assert bts_day.skipped == Counter(
        {
            "duplicate_flight": 1,
            "unknown_airport": 1,
            "other_date": 1,
            "malformed_number": 1,
            "malformed_time": 1,
            "missing_carrier": 1,
            "bad_flight_number": 1,
        }
    )
    assert bts_day.examples["malformed_number"] == ["line 24: Cancelled 'x' is not 0 or 1"]
    assert bts_day.examples["unknown_airport"] == [
        "line 19: QQQ is not an IATA code in the airport data"
    ]
    summary = bts_day.summary()
    assert (summary["cancelled"], summary["diverted"], summary["delayed"]) == (5, 2, 5)


def test_flights_carry_real_airports_tails_and_cabins_sized_by_distance(
    nyc: ReplayDay, bts_day: ReplayDay
) -> None:
    flights = {f.flight.key: f.flight for f in [*nyc.flights, *bts_day.flights]}
    ua = flights["UA1545/2013-01-01"]
    assert (ua.origin, ua.destination, ua.tail) == ("EWR", "IAH", "N14228")
    assert ua.sched_dep == utc(1, 1, 10, 15)  # 05:15 in New York
    assert ua.sched_arr == utc(1, 1, 14, 19)  # 08:19 in Houston
    assert 2200 < ua.distance_km < 2300
    assert {c.cabin: c.capacity for c in ua.cabins} == {Cabin.BUSINESS: 12, Cabin.ECONOMY: 168}
    assert {c.cabin for c in flights["HA51/2013-01-01"].cabins} == set(Cabin)  # wide-body
    assert flights["AA1/2013-01-01"].tail == "UNKNOWN-AA1"  # tailnum NA
    assert flights["F91111/2024-01-15"].tail == "UNKNOWN-F91111"  # Tail_Number empty
    assert flights["WN1234/2024-01-15"].destination == "BWI"  # the first leg wins
    assert {a.iata for a in nyc.airports} == {
        code for f in nyc.flights for code in (f.flight.origin, f.flight.destination)
    }
    assert all(f.flight.sched_dep.tzinfo == UTC for f in nyc.flights)


# --- events ------------------------------------------------------------------------------


def test_nycflights13_flights_tell_their_day_in_order(nyc: ReplayDay) -> None:
    flights = by_flight(replay_events(nyc))
    assert story(flights["UA1545/2013-01-01"]) == [(D, utc(1, 1, 10, 17)), (A, utc(1, 1, 14, 30))]
    # 853 min late: it left the next morning, and the delay was announced the evening before.
    assert story(flights["MQ3944/2013-01-01"]) == [
        (L, utc(1, 2, 13, 48)),
        (D, utc(1, 2, 13, 48)),
        (A, utc(1, 2, 15, 1)),
    ]
    # Scheduled 23:59, arriving 04:25 the next day in Ponce.
    assert story(flights["B6739/2013-01-01"]) == [(D, utc(1, 2, 4, 53)), (A, utc(1, 2, 8, 25))]
    # Scheduled 22:50, left at 00:12 (dep_time 12).
    assert story(flights["B61503/2013-01-01"]) == [
        (L, utc(1, 2, 5, 12)),
        (D, utc(1, 2, 5, 12)),
        (A, utc(1, 2, 8, 2)),
    ]
    # dep_time 2400: midnight at the end of the day.
    assert story(flights["B61601/2013-01-01"]) == [(D, utc(1, 2, 5, 0)), (A, utc(1, 2, 7, 45))]
    # Departed, never arrived: taken as diverted, landing at its estimate.
    assert story(flights["EV4204/2013-01-01"]) == [
        (L, utc(1, 2, 1, 16)),
        (D, utc(1, 2, 1, 16)),
        (V, utc(1, 2, 5, 6)),
    ]
    # Arrived but with no arrival delay: diverted, then flown on to its destination.
    assert story(flights["MQ4525/2013-01-01"]) == [(D, utc(1, 1, 20, 25)), (V, utc(1, 2, 1, 34))]
    for key in ("EV4308/2013-01-01", "AA791/2013-01-01", "DL1000/2013-01-01"):
        [cancelled] = flights[key]
        assert (cancelled.status, cancelled.reason) == (C, None)  # the layout has no cause
        assert cancelled.est_dep == cancelled.sched_dep


def test_bts_causes_become_reasons_and_diversions_say_where(bts_day: ReplayDay) -> None:
    flights = by_flight(replay_events(bts_day))

    def only(key: str) -> FlightStatusEvent:
        [event] = flights[f"{key}/2024-01-15"]
        return event

    cancelled = {k: only(k).reason for k in ("DL1005", "DL2005", "DL2009", "DL2011", "UA2")}
    assert cancelled == {
        "DL1005": ReasonCode.WEATHER,  # B
        "DL2005": ReasonCode.TECHNICAL,  # A
        "DL2009": ReasonCode.ATC,  # C
        "DL2011": ReasonCode.SECURITY,  # D
        "UA2": ReasonCode.TECHNICAL,  # cancelled after it left the gate: still cancelled
    }
    assert all(only(k).status == C for k in cancelled)

    delays = {k: flights[f"{k}/2024-01-15"][0] for k in ("DL1003", "DL2003", "DL1009", "UA1")}
    assert {k: (e.status, e.reason) for k, e in delays.items()} == {
        "DL1003": (L, ReasonCode.TECHNICAL),  # CarrierDelay is the largest cause
        "DL2003": (L, ReasonCode.WEATHER),
        "DL1009": (L, ReasonCode.KNOCK_ON),  # LateAircraftDelay
        "UA1": (L, None),  # 15 min: announced; BTS gives causes from 15 min of arrival delay
    }
    assert story(flights["DL2007/2024-01-15"]) == [(D, bts(15, 17, 28)), (V, bts(15, 23, 3))]
    assert flights["DL2007/2024-01-15"][-1].diverted_to == "BOI"
    assert story(flights["DL2017/2024-01-15"]) == [(D, bts(15, 14, 5)), (V, bts(15, 21, 30))]
    assert flights["DL2017/2024-01-15"][-1].diverted_to == "DEN"
    # 2400 in Dallas is 06:00Z the next day; the red-eye lands the next morning.
    assert story(flights["AA2400/2024-01-15"]) == [(D, bts(16, 6, 0)), (A, bts(16, 8, 15))]
    assert story(flights["UA1/2024-01-15"]) == [
        (L, bts(16, 6, 45)),
        (D, bts(16, 6, 45)),
        (A, bts(16, 12, 0)),
    ]
    # No DepDelay: the clock time is read on the nearest plausible day.
    assert story(flights["AS300/2024-01-15"]) == [
        (L, bts(15, 15, 20)),
        (D, bts(15, 15, 20)),
        (A, bts(15, 19, 10)),
    ]


def test_announcements_come_before_departure_with_live_leads(
    nyc: ReplayDay, bts_day: ReplayDay
) -> None:
    for day in (nyc, bts_day):
        for events in by_flight(replay_events(day)).values():
            first = events[0]
            lead = first.sched_dep - first.emitted_at
            if first.status == C:
                assert timedelta(hours=1) <= lead <= timedelta(hours=3), first.flight_key
            elif first.status == L:
                assert timedelta(minutes=60) <= lead <= timedelta(minutes=120), first.flight_key
                assert first.delay >= timedelta(minutes=15)
            else:
                assert first.status == D and first.delay < timedelta(minutes=15)
            times = [e.emitted_at for e in events]
            assert times == sorted(times)
            if events[-1].status == V:
                assert events[-1].emitted_at < events[-1].est_arr


def test_every_event_survives_the_codec_and_ids_are_stable(
    nyc: ReplayDay, bts_day: ReplayDay
) -> None:
    for day in (nyc, bts_day):
        events = replay_events(day)
        assert [decode(encode(e)) for e in events] == events
        assert len({e.event_id for e in events}) == len(events)
        assert [e.emitted_at for e in events] == sorted(e.emitted_at for e in events)
        again = replay_events(
            read_ontime(NYC_FILE if day is nyc else BTS_FILE, day=day.service_date)
        )
        assert [encode(e) for e in again] == [encode(e) for e in events]
    assert replay_events(nyc)[0].event_id == "replay-UA1545-20130101-0"


def test_the_schedule_can_be_announced_first(bts_day: ReplayDay) -> None:
    plain = replay_events(bts_day)
    announced = replay_events(bts_day, announce_schedule=True)
    assert len(announced) == len(plain) + len(bts_day.flights)
    for events in by_flight(announced).values():
        assert events[0].status == FlightStatus.SCHEDULED
        assert events[0].sched_dep - events[0].emitted_at == timedelta(hours=4)
        assert all(e.status != FlightStatus.SCHEDULED for e in events[1:])


# --- files -------------------------------------------------------------------------------


def test_compressed_files_read_the_same(tmp_path: Path, bts_day: ReplayDay) -> None:
    gz = tmp_path / "bts.csv.gz"
    gz.write_bytes(gzip.compress(BTS_FILE.read_bytes()))
    archive = tmp_path / "bts.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(BTS_FILE, "On_Time_2024_1.csv")
        z.writestr("readme.html", "<p>not data</p>")
    for path in (gz, archive):
        day = read_ontime(path, day=BTS_DAY)
        assert [f.flight for f in day.flights] == [f.flight for f in bts_day.flights]
        assert day.skipped == bts_day.skipped


def test_a_file_of_neither_layout_is_refused_with_what_is_missing(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("FlightDate,Origin,Dest\n2024-01-15,JFK,LAX\n")
    with pytest.raises(ConfigError, match="Reporting_Airline"):
        read_ontime(odd, day=BTS_DAY)
    with pytest.raises(ConfigError, match="no on-time file"):
        read_ontime(tmp_path / "absent.csv", day=BTS_DAY)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ConfigError, match="empty"):
        read_ontime(empty, day=BTS_DAY)


def test_progress_is_reported_on_a_large_file(tmp_path: Path) -> None:
    header = NYC_FILE.read_text().splitlines()[0]
    routes = (("EWR", "ORD"), ("JFK", "LAX"), ("LGA", "ATL"), ("JFK", "SFO"), ("EWR", "IAH"))
    lines = [header]
    for i in range(50_000):
        carrier = ("UA", "AA", "DL", "B6", "EV", "MQ")[i % 6]
        origin, dest = routes[i % 5]
        sched = 500 + (i % 18) * 100
        arr = (sched + 300) % 2400
        lines.append(
            f"2013,1,{1 + i % 2},{sched + 5},{sched},5,{arr},{arr},0,{carrier},{i // 6 + 1},"
            f"N{i},{origin},{dest},100,700,5,0,2013-01-01T10:00:00Z"
        )
    big = tmp_path / "flights.csv"
    big.write_text("\n".join(lines) + "\n")
    seen: list[tuple[int, int]] = []

    day = read_ontime(big, day=NYC_DAY, on_progress=lambda done, total: seen.append((done, total)))

    assert len(seen) > 10
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[0] < done[-1]
    assert {total for _, total in seen} == {50_000}
    assert seen[-1] == (50_000, 50_000)
    assert (len(day.flights), day.skipped) == (25_000, Counter({"other_date": 25_000}))


# --- the world ---------------------------------------------------------------------------


def test_the_world_has_the_real_flights_and_realistic_loads(bts_day: ReplayDay) -> None:
    world = build_replay_world(bts_day.schedule, seed=7)
    again = build_replay_world(list(reversed(bts_day.schedule)), seed=7)
    assert world.fingerprint() == again.fingerprint()
    assert world.service_date == BTS_DAY
    assert [f.key for f in world.flights] == [f.key for f in bts_day.schedule]
    assert {f.carrier for f in world.flights} == {"DL", "AA", "UA", "WN", "AS", "F9"}
    summary = world.summary()
    assert 0.7 < summary.load_factor < 0.9
    assert summary.connecting_bookings > 0  # via Delta's busiest airport, Atlanta
    for booking in world.bookings:
        if len(booking.segments) == 2:
            first, second = (s.flight_key for s in booking.segments)
            assert first.startswith("DL") and second.startswith("DL")
    assert all(c.sold == 0 for f in bts_day.schedule for c in f.cabins)  # input untouched


def test_a_capped_world_keeps_seats_as_scarce_with_fewer_passenger_records(
    bts_day: ReplayDay,
) -> None:
    world = build_replay_world(bts_day.schedule, seed=7, max_passengers=300)
    summary = world.summary()
    assert 200 < summary.passengers < 400  # the cap is on travellers, in parties
    assert 0.7 < summary.load_factor < 0.95
    held: Counter[tuple[str, object]] = Counter()
    for b in world.bookings:
        held.update({(s.flight_key, s.cabin): b.seats_needed for s in b.segments})
    for flight in world.flights:
        for inv in flight.cabins:
            assert held[flight.key, inv.cabin] <= inv.sold <= inv.capacity
    with pytest.raises(ConfigError):
        build_replay_world(bts_day.schedule, seed=7, max_passengers=0)
    with pytest.raises(ConfigError):
        build_replay_world([], seed=7)


def test_background_flights_hold_sold_seats_and_no_passengers(bts_day: ReplayDay) -> None:
    """The days after a storm day are in its world for their seats: sold at the load
    factors, with nobody the evaluation follows on them, and the day's passengers the
    same as without them."""
    flights = sorted(bts_day.schedule, key=lambda f: (f.sched_dep, f.key))
    day, later = flights[: len(flights) // 2], flights[len(flights) // 2 :]
    alone = build_replay_world(day, seed=7, max_passengers=150)
    world = build_replay_world(day, seed=7, max_passengers=150, background=later)
    assert [f.key for f in world.flights] == [f.key for f in flights]
    assert [(b.pnr, b.segments) for b in world.bookings] == [
        (b.pnr, b.segments) for b in alone.bookings
    ]
    behind = {f.key for f in later}
    assert not {s.flight_key for b in world.bookings for s in b.segments} & behind
    loads = [c.sold / c.capacity for f in world.flights if f.key in behind for c in f.cabins]
    assert 0.6 < sum(loads) / len(loads) < 0.95
    assert all(c.sold == 0 for f in later for c in f.cabins)  # input untouched
    with pytest.raises(ConfigError, match="twice"):
        build_replay_world(day, seed=7, background=day[:1])


async def test_the_world_is_written_to_sqlite(tmp_path: Path, nyc: ReplayDay) -> None:
    world = build_replay_world(nyc.schedule, seed=3)
    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'airline.sqlite'}") as db:
        await write_world(db, world)
        async with db.session() as session:
            flights = await session.scalar(select(func.count()).select_from(FlightRow))
            sold = await session.scalar(select(func.sum(InventoryRow.sold)))
            on_cancelled = await passengers_on(session, "DL1000/2013-01-01")
    assert flights == 21
    assert sold == world.summary().seats_sold
    assert len(on_cancelled) > 60  # bookings: parties of one to a group


async def test_a_replayed_cancellation_opens_a_case_per_booking(
    tmp_path: Path, bts_day: ReplayDay
) -> None:
    world = build_replay_world(bts_day.schedule, seed=7, max_passengers=150)
    settings = Settings(data_dir=tmp_path)
    async with open_database(settings.db_url) as db:
        await write_world(db, world)
        async with db.session() as session:
            first_cancelled = await passengers_on(session, "DL1005/2024-01-15")
    assert first_cancelled

    events = replay_events(bts_day)
    broker = EmbeddedBroker()
    # Everything is due at once: the stream holds the whole day before the daemon starts.
    published = SimulatedClock(events[-1].emitted_at, speed=0)
    assert await run_simulator(events, EmbeddedSink(broker), published) == len(events)

    clock = EventTimeClock(events[0].emitted_at - timedelta(minutes=1))
    async with open_agent(settings, clock) as agent:
        daemon = Daemon(agent.deps, agent.graph, EmbeddedSource(broker, follow=False))
        await asyncio.wait_for(daemon.run(asyncio.Event()), timeout=120)
        async with agent.deps.db.session() as session:
            disruptions = (await session.scalars(select(DisruptionRow))).all()
            cases = (await session.scalars(select(CaseRow))).all()

    assert daemon.stats.events == len(events)
    assert daemon.stats.dead_lettered == 0
    kinds = {d.flight_key: d.kind for d in disruptions}
    assert kinds["DL1005/2024-01-15"] == "cancellation"
    assert kinds["DL2007/2024-01-15"] == "diversion"
    [weather] = [d for d in disruptions if d.flight_key == "DL1005/2024-01-15"]
    assert weather.event_id == "replay-DL1005-20240115-0"
    assert weather.detail["reason"] == "weather"
    opened = sorted(c.pnr for c in cases if c.disruption_id.startswith("DL1005/"))
    assert opened == sorted(first_cancelled)


@pytest.mark.parametrize("speed", ["0", "-5", "inf", "nan", "1e12"])
def test_a_speed_that_is_not_one_is_a_one_line_error(speed: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from app.cli import app

    result = CliRunner().invoke(
        app,
        ["replay", str(FIXTURES / "bts.csv"), "--date", "2024-01-15", f"--speed={speed}"],
        env={"TRAVEL_AGENT_DATA_DIR": str(tmp_path)},
    )

    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: --speed {float(speed):g} is not a speed: expected simulated seconds per real "
        "second, above 0 and at most 1,000,000"
    ]


async def test_the_clock_never_runs_past_an_event_the_agent_has_not_processed() -> None:
    from app.demo_pacing import StreamLimit

    start = datetime(2024, 1, 15, 6, 0, tzinfo=UTC)
    clock = SimulatedClock(start, speed=1_000_000)  # a day in 0.09 s of real time
    backlog = 1  # records sent but not yet committed by the daemon

    async def not_committed() -> int:
        return backlog

    limit = StreamLimit(clock, not_committed)
    event = replay_events(read_ontime(FIXTURES / "bts.csv", day=date(2024, 1, 15)))[0]
    limit.sent(event)

    await asyncio.sleep(0.2)  # more than a whole day at this speed
    assert clock.now() == event.emitted_at  # held at the unprocessed event

    backlog = 0  # the daemon committed it
    await limit.follow()
    await asyncio.sleep(0.01)
    assert clock.now() > event.emitted_at


async def test_an_interrupted_replay_says_so_in_its_report(tmp_path: Path) -> None:
    from app.summary import replay_report, report_in_words

    async with open_database(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite'}") as db:
        report = await replay_report(
            db, events_total=46, events_done=12, interrupted=True, wall_seconds=3.0
        )

    assert report["complete"] is False and report["events_total"] == 46
    for key in (
        "passengers_affected",
        "rebooked",
        "no_alternative",
        "refunds_offered",
        "failures",
        "wall_seconds",
        "cases_per_second",
        "time_to_notify_p95_seconds",
    ):
        assert key in report  # fmt: skip
    assert report_in_words(report).startswith("replay INTERRUPTED after 12 of 46 events")
