"""The rules' answer is shared by passengers it fits, and only by them
(`tools.policy.rules_memo`): a memo's answer is always the one a fresh computation gives,
across EU261, UK261, US DOT and APPR."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tools.policy.rules_memo as rules_memo_module
from airline.airports import load_airports
from airline.models import Cabin, FareFamily, LoyaltyTier, ReasonCode
from tools.policy.config import PolicyConfig
from tools.policy.entitlements import (
    BookingFacts,
    Disruption,
    DisruptionKind,
    EntitlementKind,
    Entitlements,
    PassengerChoice,
    entitlements,
)
from tools.policy.rules_memo import RulesMemo

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)
# EU, UK, US and Canadian airports: every regime, alone and together.
AIRPORTS = {a.iata: a for a in load_airports(["FRA", "LHR", "JFK", "YYZ", "LIS", "ORD", "YVR"])}
CONFIG = PolicyConfig()


def cancelled(**changes: Any) -> Disruption:
    """FRA→JFK on XA, cancelled; re-routed 5 h later in the cabin booked."""
    fields: dict[str, Any] = {
        "kind": DisruptionKind.CANCELLED,
        "reason": ReasonCode.CREW,
        "carrier": "XA",
        "origin": "FRA",
        "destination": "JFK",
        "sched_dep": T0,
        "sched_arr": T0 + 8.5 * H,
        "actual_dep": T0 + 5 * H,
        "actual_arr": T0 + 13.5 * H,
        "cabin_booked": Cabin.BUSINESS,
    }
    return Disruption(**(fields | changes))


def ask(memo: RulesMemo, facts: BookingFacts, d: Disruption) -> Entitlements:
    return memo.entitlements(facts, d, airports=AIRPORTS, config=CONFIG)


def test_tickets_priced_apart_share_the_answer_when_the_price_plays_no_part() -> None:
    memo = RulesMemo()
    d = cancelled()
    first = ask(memo, BookingFacts(price_cents=120_000, tier=LoyaltyTier.GOLD), d)
    second = ask(memo, BookingFacts(price_cents=95_500, fare=FareFamily.FLEX), d)
    assert memo.computed == 1
    assert second is first
    assert second == entitlements(BookingFacts(price_cents=95_500), d, airports=AIRPORTS)


def test_a_downgrade_reads_the_price_so_each_ticket_gets_its_own_refund() -> None:
    memo = RulesMemo()
    d = cancelled(cabin_flown=Cabin.ECONOMY)  # Art 10(2): a share of the price back
    dear = ask(memo, BookingFacts(price_cents=120_000), d)
    cheap = ask(memo, BookingFacts(price_cents=60_000), d)
    assert memo.computed == 2
    dear_back, cheap_back = (
        o.of(kind=EntitlementKind.DOWNGRADE_REFUND)[0].amount_cents or 0 for o in (dear, cheap)
    )
    assert dear_back == 2 * cheap_back > 0
    # The same ticket again is found.
    assert ask(memo, BookingFacts(price_cents=60_000, tier=LoyaltyTier.GOLD), d) is cheap
    assert memo.computed == 2


def test_the_party_decides_the_count_owed() -> None:
    memo = RulesMemo()
    d = cancelled()
    one = ask(memo, BookingFacts(), d)
    family = ask(memo, BookingFacts(passengers=4, infants=1), d)
    assert (one.passengers, family.passengers, family.travellers) == (1, 3, 4)
    assert memo.computed == 2


def test_equal_instants_in_two_zones_are_two_questions() -> None:
    memo = RulesMemo()
    here = cancelled()
    there = cancelled(
        sched_dep=T0.astimezone(ZoneInfo("America/New_York")),
        actual_dep=(T0 + 5 * H).astimezone(ZoneInfo("America/New_York")),
    )
    assert here == there  # pydantic compares the instants only
    ask(memo, BookingFacts(), here)
    ask(memo, BookingFacts(), there)
    assert memo.computed == 2


def test_other_airports_or_readings_are_other_questions() -> None:
    memo = RulesMemo()
    d = cancelled()
    memo.entitlements(BookingFacts(), d, airports=AIRPORTS, config=CONFIG)
    memo.entitlements(BookingFacts(), d, airports=dict(AIRPORTS), config=CONFIG)
    memo.entitlements(BookingFacts(), d, airports=AIRPORTS, config=PolicyConfig())
    assert memo.computed == 3


def test_rules_that_touch_the_facts_another_way_make_every_fact_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A rule that dumps the facts (or reads them any way but a field or a method of
    `BookingFacts`) may depend on any of them: the key takes them all."""

    def dumping(facts: BookingFacts, d: Disruption, **kwargs: Any) -> Entitlements:
        facts.model_dump()
        return entitlements(facts, d, **kwargs)

    monkeypatch.setattr(rules_memo_module, "entitlements", dumping)
    memo = RulesMemo()
    ask(memo, BookingFacts(tier=LoyaltyTier.GOLD), cancelled())
    ask(memo, BookingFacts(tier=LoyaltyTier.SILVER), cancelled())
    assert memo.computed == 2


ROUTES = [("FRA", "JFK"), ("LHR", "FRA"), ("JFK", "ORD"), ("YYZ", "LHR"), ("LIS", "YVR")]


@st.composite
def disruptions(draw: st.DrawFn) -> Disruption:
    """Disruptions over every regime: EU, UK, US and Canadian airports, carriers of each."""
    origin, destination = draw(st.sampled_from(ROUTES))
    delay = draw(st.sampled_from([None, 1, 3, 5, 26]))
    return Disruption(
        kind=draw(st.sampled_from(list(DisruptionKind))),
        reason=draw(st.sampled_from([ReasonCode.CREW, ReasonCode.WEATHER])),
        carrier=draw(st.sampled_from(["XA", "AC", "UA"])),
        origin=origin,
        destination=destination,
        sched_dep=T0,
        sched_arr=T0 + 8 * H,
        actual_dep=None if delay is None else T0 + delay * H,
        actual_arr=None if delay is None else T0 + (8 + delay) * H,
        notice_at=draw(st.sampled_from([None, T0 - 3 * 24 * H, T0 - 20 * 24 * H])),
        cabin_booked=draw(st.sampled_from(list(Cabin))),
        cabin_flown=draw(st.sampled_from([None, *Cabin])),
        alternative_offered=delay is not None,
        choice=draw(st.sampled_from(list(PassengerChoice))),
        less_accessible=draw(st.booleans()),
    )


@st.composite
def tickets(draw: st.DrawFn) -> BookingFacts:
    """Parties and tickets from a small space, so that some differ in one fact only."""
    passengers = draw(st.integers(1, 3))
    return BookingFacts(
        fare=draw(st.sampled_from(list(FareFamily))),
        price_cents=draw(st.sampled_from([None, 40_000, 90_000])),
        flight_price_cents=draw(st.sampled_from([None, 30_000])),
        currency=draw(st.sampled_from(["EUR", "CAD"])),
        tier=draw(st.sampled_from(list(LoyaltyTier))),
        passengers=passengers,
        infants=draw(st.integers(0, passengers - 1)),
        reduced_mobility=draw(st.booleans()),
        accompanies_reduced_mobility=draw(st.booleans()),
        unaccompanied_minor=draw(st.booleans()),
    )


DAY = 24 * H
# Other values of one field at a time, so questions differ in that field alone.
OTHER_DISRUPTION: dict[str, list[Any]] = {
    "kind": list(DisruptionKind),
    "carrier": ["XA", "AC", "UA"],
    "notice_at": [None, T0 - 3 * DAY, T0 - 10 * DAY, T0 - 20 * DAY],
    "carrier_aware_at": [None, T0 - H, T0 - 2 * DAY],
    "actual_dep": [None, T0 + 2 * H, T0 + 4 * H],
    "actual_arr": [None, T0 + 10 * H, T0 + 12.5 * H, T0 + 40 * H],
    "cabin_flown": [None, *Cabin],
    "connections_offered": [None, 0, 2],
    "choice": list(PassengerChoice),
    "overnight": [None, True, False],
    "less_accessible": [False, True],
    "alternative_offered": [False, True],
    "sched_dep": [T0, T0.astimezone(ZoneInfo("America/Toronto"))],
}
OTHER_FACTS: dict[str, list[Any]] = {
    "price_cents": [None, 40_000, 90_000],
    "flight_price_cents": [None, 30_000],
    "journey_price_cents": [None, 50_000],
    "currency": ["EUR", "CAD"],
    "passengers": [2, 3],
    "infants": [0, 1],
    "reduced_mobility": [False, True],
    "accompanies_reduced_mobility": [False, True],
    "unaccompanied_minor": [False, True],
    "tier": list(LoyaltyTier),
}


def tweaks(others: dict[str, list[Any]]) -> st.SearchStrategy[list[tuple[str, Any]]]:
    return st.lists(
        st.sampled_from(sorted(others)).flatmap(
            lambda name: st.tuples(st.just(name), st.sampled_from(others[name]))
        ),
        max_size=8,
    )


@settings(max_examples=200, deadline=None)
@given(disruptions(), tweaks(OTHER_DISRUPTION), tickets(), tweaks(OTHER_FACTS))
def test_the_memo_answers_as_a_fresh_computation_would(
    disruption: Disruption,
    other_disruptions: list[tuple[str, Any]],
    ticket: BookingFacts,
    other_tickets: list[tuple[str, Any]],
) -> None:
    """Every passenger of a wave asks about one of a few disruptions, and tickets differ:
    each answer is the one the rules give that passenger, whoever asked before."""
    asked = [disruption] + [disruption.model_copy(update={f: v}) for f, v in other_disruptions]
    facts = [ticket] + [ticket.model_copy(update={f: v}) for f, v in other_tickets]
    memo = RulesMemo()
    for d in asked:
        for one in facts + facts[::-1]:
            fresh = entitlements(one, d, airports=AIRPORTS, config=CONFIG)
            assert ask(memo, one, d) == fresh
    assert memo.computed <= len(asked) * len(facts)
