"""Offers a later change replaced: closed with the change, refused when answered, told.

An offer is about the flights booked when it was made (`agent.offer_replaced`): a later
case that takes them off the booking closes it ``superseded`` in its own transaction
(the act node), and an answer that would keep or switch on flights the booking no longer
holds is refused, whatever changed it, with the passenger told what they hold now."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from agent.approvals import ApprovalStatus, open_approval
from agent.offer_replaced import supersede_offers
from agent.offers import OfferDesk
from agent.sql_store import SqlCaseStore
from agent.tables import ApprovalRow, OfferRow, ReplyDisposition, ReplyRow
from airline.holds import HoldStatus, hold_seats
from airline.models import BookingStatus, Cabin
from airline.reservations import load_booking
from airline.tables import SeatHoldRow, SegmentRow
from app.eval_cli import EvalHarness
from app.settings import Settings
from evals.runner import ScenarioRunner
from evals.scenario import load_scenario
from streams.replies import PassengerReply
from tests.fakes.offers import Offered, flights_of, offered_booking, world_deps
from tools.effects import ToolDeps, ToolStatus
from tools.rebooking import rebook
from tools.tables import OutboxRow
from travel_agent.db import Database

EVALS = Path(__file__).resolve().parents[2] / "evals"


@pytest.fixture
async def deps(world_path: Path) -> AsyncIterator[ToolDeps]:
    async with Database(f"sqlite+aiosqlite:///{world_path}") as db:
        yield await world_deps(db)


@pytest.fixture
async def offered(deps: ToolDeps) -> Offered:
    return await offered_booking(deps)


def answer(offered: Offered, deps: ToolDeps, n: int, choice: str, **more: object) -> PassengerReply:
    return PassengerReply.model_validate(
        {
            "reply_id": f"r-{n}",
            "pnr": offered.pnr,
            "offer_id": offered.offer_id,
            "channel": "webhook",
            "choice": choice,
            "received_at": deps.clock.now(),
            **more,
        }
    )


async def status_of(deps: ToolDeps, offer_id: str) -> str:
    async with deps.db.session() as session:
        row = await session.get(OfferRow, offer_id)
    assert row is not None
    return row.status


async def moved_elsewhere(deps: ToolDeps, offered: Offered) -> list[str]:
    """A change the act node did not make (an edit straight on the booking): the offer
    is left open, about flights the booking no longer holds."""
    async with deps.db.session() as session:
        booking = await load_booking(session, offered.pnr)
    done = await rebook(
        deps,
        key="edit:elsewhere",
        case_id="edit",
        pnr=offered.pnr,
        replace_seqs=[s.seq for s in booking.active_segments],
        flights=offered.options[1],
        cabin=Cabin.ECONOMY,
    )
    assert done.status == ToolStatus.OK, done.message
    return offered.options[1]


async def test_keeping_or_switching_on_flights_no_longer_held_is_refused_and_told(
    deps: ToolDeps, offered: Offered
) -> None:
    """Accepting would say "kept the offered flights" of flights the booking no longer
    holds; option 3 would replace none of its segments and add a flight beside the ones
    it holds. Neither is carried out; the passenger hears what they hold now, once."""
    held = await moved_elsewhere(deps, offered)
    desk = OfferDesk(deps)

    kept = await desk.answer(answer(offered, deps, 1, "accept"))
    switched = await desk.answer(answer(offered, deps, 2, "option", option=3))

    assert "was replaced by a later change" in kept and held[0] in kept, kept
    assert "was replaced by a later change" in switched, switched
    assert await flights_of(deps, offered.pnr) == held
    assert await status_of(deps, offered.offer_id) == "superseded"
    async with deps.db.session() as session:
        handled = (await session.scalars(select(ReplyRow).order_by(ReplyRow.reply_id))).all()
        told = (
            await session.scalars(
                select(OutboxRow).where(
                    OutboxRow.idempotency_key.startswith(f"notify:{offered.offer_id}:replaced")
                )
            )
        ).all()
    assert [r.disposition for r in handled] == [ReplyDisposition.OFFER_REPLACED] * 2
    assert all(ReplyDisposition(r.disposition).to_desk for r in handled)
    assert len({row.customer_id for row in told}) == len(told) >= 1  # once per recipient
    message = told[0].payload
    assert message["kind"] == "offer_replaced"
    assert held[0].split("/")[0] in message["body"]


async def test_an_offer_is_superseded_by_the_flights_taken_off_not_by_the_booking(
    deps: ToolDeps, offered: Offered
) -> None:
    """An offer about another journey of the same booking keeps its flights: it stays
    open; one about the flights taken off is closed."""
    async with deps.db.transaction() as session:
        other = await supersede_offers(
            session,
            pnr=offered.pnr,
            replaced=["XX999/2026-03-01"],
            by_case="c2",
            at=deps.clock.now(),
        )
    assert other == [] and await status_of(deps, offered.offer_id) == "open"
    async with deps.db.transaction() as session:
        mine = await supersede_offers(
            session, pnr=offered.pnr, replaced=offered.options[0], by_case="c2", at=deps.clock.now()
        )
    assert mine == [offered.offer_id]
    assert await status_of(deps, offered.offer_id) == "superseded"


async def test_superseding_flushes_only_offer_rows(deps: ToolDeps, offered: Offered) -> None:
    """The offers read leaves the transaction's other changes (a rebooking's segments,
    just changed) for the commit's one flush instead of one flush per case, and still
    reads an offer changed in the same session before it."""
    async with deps.db.transaction() as session:
        segment = (
            await session.scalars(select(SegmentRow).where(SegmentRow.pnr == offered.pnr))
        ).first()
        assert segment is not None
        segment.cabin = segment.cabin  # a change of another table, pending
        session.add(segment)
        offer = await session.get(OfferRow, offered.offer_id)
        assert offer is not None
        offer.booked = ["XX999/2026-03-01"]  # a pending change of the offer itself
        other = await supersede_offers(
            session, pnr=offered.pnr, replaced=offered.options[0], by_case="c2", at=deps.clock.now()
        )
        assert other == []  # it read the offer as changed in this session
        segment.status = "replaced"
        await supersede_offers(
            session,
            pnr=offered.pnr,
            replaced=["XX998/2026-03-01"],
            by_case="c2",
            at=deps.clock.now(),
        )
        assert segment in session.dirty  # not flushed by the offers read
        await session.rollback()


async def test_bookings_read_ahead_without_an_open_offer_cost_no_query_and_hide_none(
    deps: ToolDeps, offered: Offered
) -> None:
    """A settled batch reads at once which of its rebooked bookings have an offer open
    (`SqlCaseStore.read_offers_ahead`): the others ask nothing when they rebook; a
    booking with one still has it superseded, and so does one whose offer was opened
    through the store after the read."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = deps.db.engine.sync_engine
    async with deps.db.transaction() as session:
        cases = SqlCaseStore(deps.db, session)
        await cases.read_offers_ahead([offered.pnr, "NOOFFR"])
        event.listen(engine, "before_cursor_execute", count)
        try:
            none = await cases.supersede_offers(
                pnr="NOOFFR", replaced=["XX999/2026-03-01"], by_case="x", at=deps.clock.now()
            )
            assert (none, statements) == ([], [])
            mine = await cases.supersede_offers(
                pnr=offered.pnr, replaced=offered.options[0], by_case="x", at=deps.clock.now()
            )
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert mine == [offered.offer_id] and statements
        await cases.read_offers_ahead([offered.pnr])  # none open now
        again = await cases.open_offer(
            case_id="c9",
            pnr=offered.pnr,
            disruption_flight=offered.disrupted,
            booked=offered.options[1],
            alternatives=[],
            cabin=Cabin.ECONOMY,
            departure=deps.clock.now() + timedelta(hours=5),
            now=deps.clock.now(),
        )
        assert await cases.supersede_offers(
            pnr=offered.pnr, replaced=offered.options[1], by_case="y", at=deps.clock.now()
        ) == [again]


async def test_a_bookings_open_offers_are_searched_by_pnr_and_status(deps: ToolDeps) -> None:
    """With an index on each column SQLite chose `status`: every open offer of the day,
    for each rebooking (time quadratic in a storm's rebookings)."""
    async with deps.db.session() as session:
        plan = (
            await session.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT id, booked FROM offers "
                    "WHERE pnr = :pnr AND status = :status"
                ),
                {"pnr": "ABC123", "status": "open"},
            )
        ).all()
    assert "ix_offers_pnr_status" in str(plan), plan


async def test_a_refund_is_still_taken_on_a_superseded_offer(
    deps: ToolDeps, offered: Offered
) -> None:
    """The refund is about the disrupted journey, not the offered flights: a journey
    given up has no newer offer, and its passenger's REFUND must still reach it."""
    async with deps.db.transaction() as session:
        await supersede_offers(
            session, pnr=offered.pnr, replaced=offered.options[0], by_case="c2", at=deps.clock.now()
        )
    result = await OfferDesk(deps).answer(answer(offered, deps, 1, "decline"))

    assert result.startswith("refunded"), result
    async with deps.db.session() as session:
        assert (await load_booking(session, offered.pnr)).status == BookingStatus.REFUNDED
    assert await status_of(deps, offered.offer_id) == "superseded"


@pytest.mark.parametrize(
    ("scenario", "pnr"),
    [
        ("scenarios/rediverted-after-reroute.yaml", "G02F38"),  # re-placed from BOS
        ("found/found-stale-reroute-s1-w159.yaml", "G02F38"),  # given up: released
    ],
)
async def test_the_case_that_replaces_a_re_routing_closes_its_offer_in_its_transaction(
    tmp_path: Path, scenario: str, pnr: str
) -> None:
    """Nobody answers: the JFK re-routing's offer is superseded by the re-diversion's
    case (not left open to default at its deadline as though the re-routing stood)."""
    runner = ScenarioRunner(EvalHarness(Settings(data_dir=tmp_path)), workdir=tmp_path)
    result = await runner.run(load_scenario(EVALS / scenario))
    assert result.error is None
    first, *later = [o for o in result.offers if o.pnr == pnr]
    assert first.status == "superseded", first
    assert all(o.status != "superseded" for o in later)


async def test_a_switch_makes_another_cases_approval_about_the_flights_it_leaves_stale(
    deps: ToolDeps, offered: Offered
) -> None:
    """While another case of the booking waits for an operator to approve moving it off
    the flight booked with the offer (that flight was delayed, say), holding a seat for
    it, the passenger switches to option 2: the approval can no longer run, so it goes
    stale in the switch's transaction and its held seat goes back."""
    booked = await flights_of(deps, offered.pnr)
    async with deps.db.session() as session:
        [segment] = (await load_booking(session, offered.pnr)).active_segments
    other, elsewhere = "case-delay-of-the-new-flight", offered.options[2]
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        await hold_seats(
            session,
            key=f"{other}:hold",
            case_id=other,
            pnr=offered.pnr,
            flights=elsewhere,
            cabin=Cabin.ECONOMY,
            expires_at=now + timedelta(hours=3),
            now=now,
        )
        await open_approval(session, deps.db, approval_values(other, offered, segment.seq), at=now)

    switched = await OfferDesk(deps).answer(answer(offered, deps, 1, "option", option=2))

    assert await flights_of(deps, offered.pnr) == offered.options[1] != booked, switched
    async with deps.db.session() as session:
        approval = await session.get(ApprovalRow, "AP-OTHER")
        hold = await session.scalar(select(SeatHoldRow.status).where(SeatHoldRow.case_id == other))
    assert approval is not None and approval.status == ApprovalStatus.STALE.value
    assert (approval.decision or {})["reason"].startswith("replaced: case ")
    assert hold == HoldStatus.RELEASED.value


def approval_values(case_id: str, offered: Offered, seq: int) -> dict[str, object]:
    """A pending approval of `case_id` that rebooks the offer's booked segment `seq`."""
    now = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    return {
        "id": "AP-OTHER",
        "case_id": case_id,
        "revision": 0,
        "pnr": offered.pnr,
        "customer_id": "C1",
        "flight_key": offered.options[0][0],
        "reason": "delayed",
        "why": ["every rebooking needs an operator (approvals.all_rebookings)"],
        "proposal": {
            "actions": [
                {
                    "kind": "rebook",
                    "replace_seqs": [seq],
                    "flights": offered.options[2],
                    "cabin": "economy",
                }
            ]
        },
        "options": [],
        "entitlements": [],
        "memory": [],
        "rationale": "option 1",
        "cost_cents": 0,
        "currency": "EUR",
        "status": ApprovalStatus.PENDING.value,
        "created_at": now,
        "deadline": now + timedelta(hours=1),
    }
