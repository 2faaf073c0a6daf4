"""The oracle reads a booking's journeys from the database by table name: each segment's
`journey` and each journey's part of the fare, where the schema has them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from evals.oracle.record import Leg
from evals.oracle.sql import read_world
from tests.unit.oracle_worlds import T0

SCHEMA = """
CREATE TABLE airports (iata TEXT, country TEXT, lat REAL, lon REAL, tz TEXT);
CREATE TABLE flights (key TEXT, carrier TEXT, origin TEXT, destination TEXT,
                      sched_dep TEXT, sched_arr TEXT);
CREATE TABLE inventory (flight_key TEXT, cabin TEXT, capacity INT, sold INT);
CREATE TABLE customers (id TEXT, name TEXT, tier TEXT, language TEXT);
CREATE TABLE customer_channels (customer_id TEXT, kind TEXT, address TEXT, consent INT);
CREATE TABLE bookings (pnr TEXT, customer_id TEXT, fare TEXT, price_cents INT,
                       currency TEXT, ssr TEXT, status TEXT);
CREATE TABLE segments (pnr TEXT, seq INT, journey INT, flight_key TEXT, cabin TEXT,
                       status TEXT);
CREATE TABLE journeys (pnr TEXT, seq INT, origin TEXT, destination TEXT, price_cents INT);
INSERT INTO airports VALUES ('FRA', 'DE', 50.0, 8.5, 'Europe/Berlin'),
                            ('LHR', 'GB', 51.4, -0.4, 'Europe/London');
INSERT INTO flights VALUES
  ('XA1/2026-03-01', 'XA', 'FRA', 'LHR', '2026-03-01 07:00:00', '2026-03-01 08:15:00'),
  ('XA3/2026-03-01', 'XA', 'LHR', 'FRA', '2026-03-01 12:00:00', '2026-03-01 13:15:00');
INSERT INTO customers VALUES ('C1', 'Ann', 'none', 'en');
INSERT INTO bookings VALUES ('P1', 'C1', 'standard', 30000, 'EUR', '[]', 'active');
INSERT INTO segments VALUES ('P1', 1, 1, 'XA1/2026-03-01', 'economy', 'active'),
                            ('P1', 2, 2, 'XA3/2026-03-01', 'economy', 'active');
INSERT INTO journeys VALUES ('P1', 1, 'FRA', 'LHR', 14000), ('P1', 2, 'LHR', 'FRA', 16000);
"""


def test_segments_are_read_with_their_journey_and_its_price(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'airline.sqlite'}"

    async def build() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    await conn.execute(text(statement))
        await engine.dispose()

    asyncio.run(build())
    booking = asyncio.run(read_world(url, T0)).bookings["P1"]
    assert booking.legs == (
        Leg(1, "XA1/2026-03-01", "economy", 1),
        Leg(2, "XA3/2026-03-01", "economy", 2),
    )
    assert booking.journeys == (1, 2)
    assert (booking.price_of(1), booking.price_of(2)) == (14000, 16000)
