"""Time to notify is auditable from the database alone (issue 13).

A storm whose cases close one way or the other — settled in bulk (`agent.runtime.settle`),
or each through its graph — then the outbox relay delivers. Every delivered notification
must lead, by the database's own rows, to the event's emission time
(`disruptions.emitted_at`), the wall time its wave's first record was taken and the wave
was planned (`waves`), the wall time its case was decided (`cases.decided_wall_at`) and
the wall time it was delivered (`outbox.sent_wall_at`), in that order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from agent.relay import OutboxRelay
from agent.runtime import cases, settle
from agent.settings import AgentSettings
from agent.tables import CaseRow, DisruptionRow, WaveRow
from airline.tables import LedgerRow
from streams.embedded import EmbeddedBroker, EmbeddedSink
from streams.events import TOPIC_NOTIFICATIONS
from tests.unit.test_settle import copy_of, opened, storm
from tools.channels.log import LogChannel
from tools.tables import OutboxRow, OutboxStatus


@pytest.mark.parametrize(
    "agent_settings",
    [AgentSettings(settle_batch=7), AgentSettings(settle_news_in_bulk=False)],
    ids=["bulk", "graph"],
)
async def test_every_delivered_notification_is_timed_from_the_database(
    agent_settings: AgentSettings,
    world_template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bulk: set[str] = set()

    async def noting(*args: object) -> settle.Settled:
        done = await settle.settle(*args)  # type: ignore[arg-type]
        bulk.update(done.outcomes)
        return done

    monkeypatch.setattr(cases, "settle", noting)
    async with opened(copy_of(world_template, tmp_path, "audit"), agent_settings) as (
        agent,
        daemon,
    ):
        await storm(agent, daemon)
        relay = OutboxRelay(
            agent.deps.db,
            EmbeddedSink(EmbeddedBroker()),
            {},
            LogChannel(),
            agent.deps.clock,
        )
        assert await relay.drain() > 0
        async with agent.deps.db.session() as session:
            rows = (
                await session.execute(
                    select(
                        OutboxRow.id.label("message"),
                        CaseRow.id,
                        CaseRow.status,
                        DisruptionRow.emitted_at,
                        WaveRow.first_read_wall_at,
                        WaveRow.planned_wall_at,
                        WaveRow.plan_seconds,
                        CaseRow.decided_wall_at,
                        OutboxRow.sent_wall_at,
                    )
                    .join(LedgerRow, LedgerRow.idempotency_key == OutboxRow.idempotency_key)
                    .join(CaseRow, CaseRow.id == LedgerRow.case_id)
                    .join(DisruptionRow, DisruptionRow.id == CaseRow.disruption_id)
                    .outerjoin(WaveRow, WaveRow.id == CaseRow.wave_id)
                    .where(
                        OutboxRow.topic == TOPIC_NOTIFICATIONS,
                        OutboxRow.status == OutboxStatus.SENT,
                    )
                )
            ).all()
            sent = set(
                await session.scalars(
                    select(OutboxRow.id).where(
                        OutboxRow.topic == TOPIC_NOTIFICATIONS,
                        OutboxRow.status == OutboxStatus.SENT,
                    )
                )
            )
    assert sent, "the storm's messages were delivered"
    # Each delivered message leads to its case (by its ledger row), and only to one.
    assert sorted(row.message for row in rows) == sorted(sent)
    timed = {row.id for row in rows}
    # Closed by the path the settings name: settled in bulk, or each by its graph.
    assert (timed <= bulk) if agent_settings.settle_news_in_bulk else not (timed & bulk)
    untimed = [
        row.id
        for row in rows
        if row.emitted_at is None
        or row.first_read_wall_at is None
        or row.planned_wall_at is None
        or row.decided_wall_at is None
        or row.sent_wall_at is None
    ]
    assert not untimed, f"{len(untimed)} messages not timed from the database: {untimed[:5]}"
    for row in rows:
        # The wave's first record was taken, then it was planned, then the case decided,
        # then its message delivered.
        read = row.first_read_wall_at.timestamp()
        planning = row.planned_wall_at.timestamp() - row.plan_seconds
        decided, delivered = row.decided_wall_at.timestamp(), row.sent_wall_at.timestamp()
        assert read <= planning <= decided <= delivered, row
