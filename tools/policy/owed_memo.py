"""OwedMemo: what a passenger is owed, computed once per set of inputs that decide it.

A case asks the rules what the passenger is owed several times over the same facts:
the context node for the option it puts first (the reasoner reads that value), the guard
for the option the plan books (`tools.policy.validate`), and again for each option a
refused plan falls back to. For the rules reasoner these are the same option, so the
same answer was computed two or three times per case.

The memo keeps the answer under everything `tools.case_facts.rerouted_entitlements`
reads, so a hit is the very value a fresh computation would give:

- the facts' own fields (the disrupted flight, the moment judged, the segments replaced,
  the tier, the readings of the regulations) and the option (flights, cabin) by value;
- the booking, the schedule and the live board's state of every flight the rules look
  at (the disrupted flight, the booking's segments, the option's flights) by identity.
  A booking read again, or a board state replaced by news (`FlightState` is frozen: the
  board holds a new object after every change, a restatement included), is a miss.

The guard still checks the plan's money against the value (`checks.check_money`); only
its computation is shared, never the reasoner's account of it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime

from airline.board import FlightState, LiveBoard
from airline.models import Booking, Cabin, LoyaltyTier
from airline.schedule import Schedule
from tools.policy.config import PolicyConfig
from tools.policy.results import Entitlements

MEMO_SIZE = 4096
"""Answers kept (the oldest go first): a wave's cases, a few apiece."""


@dataclass(frozen=True, slots=True)
class _Entry:
    booking: Booking
    schedule: Schedule
    policy: PolicyConfig | None
    states: tuple[FlightState | None, ...]
    owed: Entitlements | None


class OwedMemo:
    """What the rules owed, per inputs (see the module docstring); bounded, in memory."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.computed = 0
        """How many answers were computed (not found): what a test counts."""

    def owed(
        self,
        schedule: Schedule,
        board: LiveBoard,
        booking: Booking,
        *,
        tier: LoyaltyTier,
        flight_key: str,
        now: datetime,
        replace_seqs: Sequence[int],
        flights: Sequence[str] | None,
        cabin: Cabin | None,
        policy: PolicyConfig | None,
        compute: Callable[[], Entitlements | None],
    ) -> Entitlements | None:
        """The memo's answer for these inputs, else `compute()`'s (then kept)."""
        looked_at = (flight_key, *(s.flight_key for s in booking.segments), *(flights or ()))
        states = tuple(board.get(key) for key in looked_at)
        key = (
            booking.pnr,
            tier,
            flight_key,
            now,
            tuple(replace_seqs),
            None if flights is None else tuple(flights),
            cabin,
        )
        entry = self._entries.get(key)
        if (
            entry is not None
            and entry.booking is booking
            and entry.schedule is schedule
            and entry.policy is policy
            and len(entry.states) == len(states)
            and all(a is b for a, b in zip(entry.states, states, strict=True))
        ):
            return entry.owed
        found = compute()
        self.computed += 1
        self._entries[key] = _Entry(booking, schedule, policy, states, found)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return found
