"""Settling a wave's cases in bulk: the graph's own nodes, many cases per commit.

On a storm day most cases are news only (`agent.nodes.context.NEWS_ONLY`: a delay, a
gate change, a shrunk delay, a reinstatement, a late arrival): the itinerary still works,
nothing is placed, and the passenger is told and given what is owed. Run one LangGraph
run each, they cost the graph's loop, a checkpoint and a transaction apiece. Here they run
the very node functions the graph runs, in its order — `gather_context`, `make_plan`,
`guard_plan`, then `act` and `remember` — without the graph, and `act` runs for a whole
batch inside one transaction. Nothing is decided here: which actions run, their ledger
keys, amounts, messages and the case's outcome are the nodes' own.

**Which cases** (`settle`), under the rules reasoner only (a model asked here and again
in the graph would answer twice): a case the graph has not started (no checkpoint: a parked
or half-run graph finishes in the graph) — of a news-only reason, or, with
`settle_rebookings_in_bulk`, of any reason when no other case of the wave is about its
booking (a second case of a booking must gather its context after the first's rebooking
committed, as its graph run does) — whose guarded verdict

- needs no human (`Verdict.needs_human` empty; the autonomy limits, `agent.autonomy`,
  ask one e.g. for compensation above the limit after a late arrival, or for a model's
  low confidence) — the approve node would park it at `interrupt()`;
- rebooks nothing, or rebooks onto exactly the seats the wave planner held for the
  case (`act` confirms that hold: it takes no seat a neighbour in the batch could want,
  and the hold, the offer and the follow-ups it writes are `act`'s own); a news-only
  case rebooks nothing (the guard refuses a rebooking of an intact trip), and a
  rebooking onto other seats (an edited option) takes fresh ones: both run the graph;
- does not search again (`after_guard` routes it to approve, not back to context).

Every other case runs its graph, as before, and so does a whole batch whose transaction
fails (the graph retries and parks failures as it always has). A case of a batch that
finds its held seats gone at `act` (the hold expired, a held flight closed) fails its
batch too (`SeatRaceInBatch`): `act` would catch the loss and go on, but what it had
written is in the batch's transaction, so the batch rolls back whole and its cases run
their graphs, the loser back to the planner.

**Crash invariance.** A batch's effects and the closing of its cases commit together or
not at all (`agent.work.JoinedPersistence` hands `act` the batch's unit of work; `act`
closes each case in it). Killed before the commit, the batch's cases are still pending,
with no effect and no checkpoint: the restart (`CaseLifecycle.resume_pending`) settles
them again and writes the same rows. Killed after it, they are closed and never run again. Within a
transaction a second case meeting a key the first recorded finds it done (the ledger and
outbox keys), exactly as it would one transaction later.

**Statements per batch, not per case.** The batch's unit of work is
`Persistence.batch()`: the rows `act` writes (ledger, outbox, case closings, a
rebooking's new segments and the seats it gives back) wait in memory and go in one
executemany per table just before the commit, and what `act` reads of every case
(ledger keys, care given, seats held, live messages; for a confirmed hold its row, the
booking, the party, the board rows and the segments: `airline.confirms_ahead`) is read
ahead in one query each (`_read_ahead`); reads in the batch see its held writes (a take
of seats or a read of the seats left writes the held give-backs first). A batch costs
about twenty statements where each rebooked case cost twelve.

After the commit, `remember` runs for each settled case; once the wave's cases are all
durable, each settled case's final state is written to its thread as the graph's
`remember` would leave it (`agent.runtime.finals`), so its plan and verdict can be read
as any other case's (the evaluations, a later run of the same thread).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from langgraph.runtime import Runtime

from agent.deps import AgentDeps
from agent.graph import CaseGraph
from agent.metrics import effect_action
from agent.nodes.act import act
from agent.nodes.context import NEWS_ONLY, gather_context
from agent.nodes.effect_keys import ledger_keys, ledger_prefixes
from agent.nodes.guard import after_guard, guard_plan
from agent.nodes.plan import make_plan
from agent.nodes.remember import remember
from agent.read_ahead import ReadAhead
from agent.reasoners.rules import RulesReasoner
from agent.runtime.finals import Final, final_of, started_threads
from agent.seats_ahead import SeatsAhead
from agent.state import CaseState, Effect, NotifyAction, RebookAction
from agent.work import JoinedPersistence, UnitOfWork
from airline.models import Cabin

if TYPE_CHECKING:  # cases.py runs `settle`
    from agent.runtime.cases import OpenCase

log = logging.getLogger(__name__)

NEWS_REASONS = frozenset(reason.value for reason in NEWS_ONLY)


@dataclass
class Settled:
    """What `settle` did: each settled case's outcome, and the cases left to the graph."""

    outcomes: dict[str, str] = field(default_factory=dict)
    to_graph: list[OpenCase] = field(default_factory=list)
    acts: list[tuple[str, float]] = field(default_factory=list)
    """Each settled case's act: its `action` label and seconds (`Metrics.effect_done`,
    which the graph's act timer records for graph runs)."""
    finals: list[Final] = field(default_factory=list)
    """Each settled case's final checkpoint, serialized, for its thread: written once the
    wave is durable (`agent.runtime.finals`, which says why serialized)."""


async def settle(deps: AgentDeps, graph: CaseGraph, cases: Sequence[OpenCase]) -> Settled:
    """Settle the news-only cases of `cases` that need no decision (module docstring),
    `deps.settings.settle_batch` per transaction; the rest are returned, in their order."""
    result = Settled()
    cpu = time.process_time()
    # Only the rules decide a case cheaply and the same way twice: a model's plan made
    # here for a case that then runs its graph (it needs a human, say) would be asked for
    # again there — twice the calls, and a second answer that may differ. So under any
    # other reasoner every case runs its graph, news-only ones too.
    if not isinstance(deps.reasoner, RulesReasoner):
        return Settled(to_graph=list(cases))
    news = _candidates(cases, rebookings=deps.settings.settle_rebookings_in_bulk)
    size = deps.settings.settle_batch
    # Their bookings and customers read ahead, a batch per query: a batch decides all
    # its cases before any acts (`agent.read_ahead` says why that is fresh enough). The
    # graph's cases read theirs after, in their own order.
    deps = replace(deps, reads=ReadAhead(deps.db, [c.pnr for c in news], chunk=size))
    others = {c.id for c in cases} - {c.id for c in news}
    slots = asyncio.Semaphore(deps.settings.concurrency)
    left: set[str] = set()
    for start in range(0, len(news), size):
        batch = news[start : start + size]
        # The seats left on the flights the batch's assignments name, one read for all
        # its cases' contexts and guards (`agent.seats_ahead`); read after the batch
        # before it acted, and only for the deciding: `act` reads under its own lock.
        seats = await SeatsAhead.read(deps.persistence, _assigned_seats(batch))
        deciding = replace(deps, seats=seats)
        # A case the graph has run before (parked, or stopped mid-way) finishes there:
        # which of the batch's, one look-up for all (`started_threads`).
        started = await started_threads(graph.checkpointer, [c.id for c in batch])
        # Decided `concurrency` at a time, as the graph's runs would be (a model, a
        # remote memory or PostgreSQL answer in parallel); acted in their order.
        found = await asyncio.gather(
            *(_decided(deciding, graph, c, slots) for c in batch if c.id not in started)
        )
        decided = [state for state in found if state is not None]
        left.update(c.id for c in batch)
        try:
            timings: list[tuple[str, float]] = []
            acted = await _act_together(deps, decided, timings)
        except SeatRaceInBatch as lost:
            # Rolled back whole: no case of the batch has any of its effects; each runs
            # its graph, which sends the loser back to the planner.
            log.info("case %s lost its held seats in a batch; the batch runs its graphs", lost)
            continue
        except Exception:
            log.exception(
                "settling %d news-only cases in one transaction failed; each runs its graph",
                len(decided),
            )
            continue
        left.difference_update(acted)
        result.acts += timings
        for state in acted.values():
            state.update(await remember(state, Runtime(context=deps)))
            if (final := final_of(graph, state)) is not None:
                result.finals.append(final)
            result.outcomes[state["case_id"]] = state["outcome"]
    result.to_graph = [c for c in cases if c.id in others or c.id in left]
    if news:
        log.info(
            "settled %d of %d cases in bulk (%.1f ms of CPU each); %d cases run their graph",
            len(result.outcomes),
            len(news),
            (time.process_time() - cpu) * 1000 / max(1, len(news)),
            len(result.to_graph),
        )
    return result


def _candidates(cases: Sequence[OpenCase], *, rebookings: bool) -> list[OpenCase]:
    """The cases `settle` decides (in their order): the news-only ones, and with
    `rebookings` every other case whose booking no other case of `cases` is about (two
    cases of one booking act on the same segments: the second must see the first's
    rebooking committed before it gathers its context, as its graph run does)."""
    if not rebookings:
        return [c for c in cases if c.reason in NEWS_REASONS]
    per_booking = Counter(c.pnr for c in cases)
    return [c for c in cases if c.reason in NEWS_REASONS or per_booking[c.pnr] == 1]


def _assigned_seats(cases: Sequence[OpenCase]) -> list[tuple[str, Cabin]]:
    """The (flight, cabin) pairs whose seats the cases' contexts will read: their
    assignments' flights and ranked options (`context._itineraries`)."""
    wanted: list[tuple[str, Cabin]] = []
    for case in cases:
        assignment = case.assignment
        if assignment is None:
            continue
        cabin = assignment.cabin or Cabin.ECONOMY
        wanted += [(key, cabin) for key in assignment.flights]
        wanted += [(key, cabin) for flights in assignment.ranked for key in flights]
    return wanted


async def _decided(
    deps: AgentDeps, graph: CaseGraph, case: OpenCase, slots: asyncio.Semaphore
) -> CaseState | None:
    """The case's guarded plan, by the graph's own nodes (None: it goes to its graph)."""
    async with slots:
        return await _decide(deps, graph, case)


async def _decide(deps: AgentDeps, graph: CaseGraph, case: OpenCase) -> CaseState | None:
    runtime = Runtime(context=deps)
    state = case.start()
    try:
        state.update(await gather_context(state, runtime))
        state.update(await make_plan(state, runtime))
        state.update(await guard_plan(state, runtime))
    except Exception:
        log.exception("case %s: deciding it outside the graph failed; it runs its graph", case.id)
        return None
    verdict = state["verdict"]
    if verdict.needs_human:
        return None
    rebooks = [a for a in verdict.approved if isinstance(a, RebookAction)]
    if rebooks and (case.reason in NEWS_REASONS or not _confirms_hold(state, rebooks)):
        return None
    if await after_guard(state) != "approve":  # it would search again
        return None
    return state


def _confirms_hold(state: CaseState, rebooks: list[RebookAction]) -> bool:
    """The rebooking takes the seats the planner held for the case (and nothing else):
    `act` confirms that hold, which takes no seat a batch neighbour could want. Any
    other rebooking (an edited option) takes fresh seats and may lose a race: its graph."""
    assignment = state["context"].assignment
    return (
        len(rebooks) == 1
        and assignment is not None
        and assignment.hold_id is not None
        and rebooks[0].flights == assignment.flights
        and rebooks[0].cabin == assignment.cabin
    )


async def _act_together(
    deps: AgentDeps, decided: list[CaseState], timings: list[tuple[str, float]]
) -> dict[str, CaseState]:
    """`act` for every decided case, in one transaction; their states after it.

    The batch's unit of work holds its writes back and writes them together at the end
    (`Persistence.batch`), and what the cases' `act` will read is read ahead for all of
    them: a few statements per batch where each case cost ten."""
    acted: dict[str, CaseState] = {}
    if not decided:
        return acted
    async with deps.persistence.batch() as work:
        await _read_ahead(work, decided)
        runtime = Runtime(context=replace(deps, persistence=JoinedPersistence(work)))
        for state in decided:
            began = time.perf_counter()
            update = await act(state, runtime)
            timings.append((effect_action(update.get("effects", [])), time.perf_counter() - began))
            state.update(update)
            if any(Effect.of(e) in _SEAT_RACE for e in state["effects"]):
                # `act` caught the lost seat and would go on, but what it wrote before
                # is in this shared transaction: roll the whole batch back instead.
                raise SeatRaceInBatch(state["case_id"])
            acted[state["case_id"]] = state
    return acted


_SEAT_RACE = frozenset({Effect.SEAT_RACE_LOST, Effect.SEAT_RACE_EXHAUSTED})


class SeatRaceInBatch(Exception):
    """A case of a batch could not take its held seats (expired, a flight closed)."""


async def _read_ahead(work: UnitOfWork, decided: list[CaseState]) -> None:
    """Read in one query each what `act` asks of every case of `decided`: the ledger
    keys and care given, the seats held, the holds confirmed, the messages live. Only a
    cache: `act` reads what it was not given, and sees its own batch's writes."""
    approved = [(state, state["verdict"].approved) for state in decided]
    await work.ledger.read_ahead(k for s, actions in approved for k in ledger_keys(s, actions))
    await work.ledger.read_ahead_under(
        p for s, actions in approved for p in ledger_prefixes(s, actions)
    )
    await work.reservations.read_holds_ahead(s["case_id"] for s in decided)
    # The holds the rebooked cases confirm (`_decide` keeps only those): their rows, the
    # bookings, parties, board rows and segments, one query each for the batch.
    await work.reservations.read_confirms_ahead(
        hold_id
        for s, actions in approved
        if any(isinstance(a, RebookAction) for a in actions)
        and (assignment := s["context"].assignment) is not None
        and (hold_id := assignment.hold_id) is not None
    )
    await work.outbox.read_ahead(
        s["pnr"] for s, actions in approved if any(isinstance(a, NotifyAction) for a in actions)
    )
    # A rebooking closes the other pending approvals of its booking
    # (`booking_changes.close_what_it_replaced`): which bookings have none, at once.
    rebooked = [
        s["pnr"] for s, actions in approved if any(isinstance(a, RebookAction) for a in actions)
    ]
    await work.cases.read_approvals_ahead(rebooked)
    # ... and its open offers about them (`offer_replaced.supersede_offers`): which have
    # none, at once (a query per rebooking, ~0.5 ms of CPU each on the storm of 50).
    await work.cases.read_offers_ahead(rebooked)
