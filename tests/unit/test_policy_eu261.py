"""EU261: every expected figure comes from the Regulation or a CJEU judgment, cited in the id.

Distances are real great-circle distances from airportsdata (FRA–JFK 6188 km, LIS–ARN
2998 km, HEL–LPA 4696 km, FRA–TLV 2954 km, FRA–LHR 653 km, MAD–LIS 503 km).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airline.airports import EARTH_RADIUS_KM, load_airports
from airline.models import Airport, Booking, Cabin, LoyaltyTier, ReasonCode, Segment
from tools.policy.config import PolicyConfig
from tools.policy.entitlements import (
    BookingFacts,
    CareItem,
    Disruption,
    EntitlementKind,
    Entitlements,
    Regime,
    entitlements,
)
from tools.policy.eu261 import Band, KnockOn, band, cancellation_exempt
from travel_agent.errors import NotFoundError

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)
D = timedelta(days=1)
CODES = ["FRA", "JFK", "LHR", "LIS", "ARN", "HEL", "LPA", "TLV", "BER", "MAD", "YYZ"]


def _equator(iata: str, km: float, country: str) -> Airport:
    """A made-up airport on the equator `km` east of (0, 0), for exact band edges."""
    lon = math.degrees(km / EARTH_RADIUS_KM)
    return Airport(iata=iata, name=iata, city=iata, country=country, lat=0, lon=lon, tz="UTC")


AIRPORTS = {a.iata: a for a in load_airports(CODES)} | {
    a.iata: a
    for a in (
        _equator("ZZA", 0, "DE"),
        _equator("ZDE", 1500, "DE"),  # intra-EU, exactly 1500 km from ZZA
        _equator("ZDF", 1501, "DE"),
        _equator("ZUS", 3500, "US"),  # not intra-EU, exactly 3500 km from ZZA
        _equator("ZUT", 3501, "US"),
    )
}


def disruption(**changes: Any) -> Disruption:
    """FRA→JFK on XA (6188 km), scheduled 10:00Z → 18:30Z, cancelled for crew shortage."""
    fields: dict[str, Any] = {
        "kind": "cancelled",
        "reason": ReasonCode.CREW,
        "carrier": "XA",
        "origin": "FRA",
        "destination": "JFK",
        "sched_dep": T0,
        "sched_arr": T0 + 8.5 * H,
    }
    fields |= changes
    if "late" in fields:  # arrival this late, departing as late as it arrives
        late = fields.pop("late")
        fields.setdefault("actual_dep", fields["sched_dep"] + late)
        fields["actual_arr"] = fields["sched_arr"] + late
    return Disruption(**fields)


def owed(d: Disruption, config: PolicyConfig | None = None) -> Entitlements:
    return entitlements(BookingFacts(), d, airports=AIRPORTS, config=config)


def eur(amount: float) -> int:
    return round(amount * 100)


COMPENSATION = [
    # --- cancellations, Art 5(1)(c) and Art 7 ---
    pytest.param(
        {"notice_at": T0 - 2 * D, "late": 5 * H},
        eur(600),
        id="Art7(1)(c)+5(1)(c)(iii): FRA-JFK cancelled 2 days ahead, crew, 5h late -> 600",
    ),
    pytest.param(
        {"notice_at": T0 - 2 * D, "late": 5 * H, "reason": ReasonCode.WEATHER},
        None,
        id="Art5(3): the same cancellation for a storm -> no compensation",
    ),
    pytest.param(
        {"notice_at": T0 - 2 * D, "late": 4 * H},
        eur(300),
        id="Art7(2)(c): re-routed arrival exactly 4h late (does not exceed 4h) -> half, 300",
    ),
    pytest.param(
        {"notice_at": T0 - 2 * D, "late": 4 * H + M},
        eur(600),
        id="Art7(2)(c): re-routed arrival 4h01 late -> full 600",
    ),
    pytest.param(
        {"notice_at": T0 - 2 * D},
        eur(600),
        id="Art7(1)(c): cancelled, passenger took the refund (no re-routing) -> 600",
    ),
    pytest.param(
        {"notice_at": T0 - 14 * D},
        None,
        id="Art5(1)(c)(i): notified exactly 14 days ahead -> nothing",
    ),
    pytest.param(
        {"notice_at": T0 - 14 * D + M},
        eur(600),
        id="Art5(1)(c)(ii): 13d23h59 ahead, no re-routing -> 600",
    ),
    pytest.param(
        {
            "notice_at": T0 - 10 * D,
            "actual_dep": T0 - 2 * H,
            "actual_arr": T0 + 8.5 * H + 4 * H - M,
        },
        None,
        id="Art5(1)(c)(ii): 10 days ahead, re-routing 2h earlier, arrives 3h59 later -> nothing",
    ),
    pytest.param(
        {"notice_at": T0 - 10 * D, "actual_dep": T0 - 2 * H, "actual_arr": T0 + 12.5 * H},
        eur(300),
        id="Art5(1)(c)(ii)+7(2)(c): 10 days ahead, arrives exactly 4h later -> owed, halved 300",
    ),
    pytest.param(
        {"notice_at": T0 - 10 * D, "actual_dep": T0 - 2 * H - M, "actual_arr": T0 + 9.5 * H},
        eur(300),
        id="Art5(1)(c)(ii)+7(2)(c): 10 days ahead, departs 2h01 earlier -> owed, halved 300",
    ),
    pytest.param(
        {"notice_at": T0 - 7 * D, "actual_dep": T0 - 1.5 * H, "actual_arr": T0 + 11.5 * H},
        None,
        id="Art5(1)(c)(ii): exactly 7 days ahead is (ii): 1h30 earlier, 3h later -> nothing",
    ),
    pytest.param(
        {"notice_at": T0 - 7 * D + M, "actual_dep": T0 - 1.5 * H, "actual_arr": T0 + 11.5 * H},
        eur(300),
        id="Art5(1)(c)(iii): 6d23h59 ahead, 1h30 earlier -> owed, halved 300",
    ),
    pytest.param(
        {"notice_at": T0 - 6 * D, "actual_dep": T0 - H, "actual_arr": T0 + 8.5 * H + 2 * H - M},
        None,
        id="Art5(1)(c)(iii): 6 days ahead, 1h earlier, 1h59 later -> nothing",
    ),
    pytest.param(
        {"notice_at": T0 - 6 * D, "actual_dep": T0 - H, "actual_arr": T0 + 10.5 * H},
        eur(300),
        id="Art5(1)(c)(iii)+7(2)(c): 6 days ahead, arrives exactly 2h later -> owed, 300",
    ),
    # --- delays: Sturgeon C-402/07, Folkerts C-11/11, Bossen C-559/16 ---
    pytest.param(
        {"kind": "delayed", "late": 3 * H - M},
        None,
        id="Sturgeon C-402/07: FRA-JFK arrives 2h59 late -> nothing",
    ),
    pytest.param(
        {"kind": "delayed", "late": 3 * H},
        eur(300),
        id="Sturgeon C-402/07 (para 63)+Art7(2)(c): FRA-JFK exactly 3h late -> 300",
    ),
    pytest.param(
        {"kind": "delayed", "late": 4 * H + M},
        eur(600),
        id="Sturgeon C-402/07+Art7(1)(c): FRA-JFK 4h01 late -> 600",
    ),
    pytest.param(
        {"kind": "delayed", "destination": "LHR", "sched_arr": T0 + 1.5 * H, "late": 3 * H},
        eur(250),
        id="Sturgeon+Art7(1)(a): FRA-LHR 653 km exactly 3h late -> 250",
    ),
    pytest.param(
        {"kind": "delayed", "origin": "LIS", "destination": "ARN", "late": 3.5 * H},
        eur(400),
        id="Art7(1)(b): intra-EU LIS-ARN 2998 km 3h30 late -> 400",
    ),
    pytest.param(
        {"kind": "delayed", "origin": "HEL", "destination": "LPA", "late": 5 * H},
        eur(400),
        id="Art7(1)(b): intra-EU HEL-LPA 4696 km (over 3500) -> 400, not 600",
    ),
    pytest.param(
        {"kind": "delayed", "destination": "TLV", "late": 3 * H},
        eur(400),
        id="Art7(1)(b): FRA-TLV 2954 km, not intra-EU, 1500-3500 -> 400",
    ),
    pytest.param(
        {
            "kind": "delayed",
            "origin": "BER",
            "destination": "LIS",
            "flight_destination": "FRA",
            "actual_dep": T0 + 4 * H,
            "actual_arr": T0 + 8.5 * H + 2 * H + 50 * M,
        },
        None,
        id="Folkerts C-11/11: BER-FRA-LIS, first leg 4h late, final arrival 2h50 late -> nothing",
    ),
    pytest.param(
        {
            "kind": "delayed",
            "origin": "BER",
            "destination": "LIS",
            "flight_origin": "FRA",
            "actual_dep": T0 + 3 * H + 10 * M,
            "actual_arr": T0 + 8.5 * H + 3 * H + 10 * M,
        },
        eur(400),
        id="Folkerts C-11/11+Art7(1)(b): first leg on time, final arrival 3h10 late -> 400",
    ),
    pytest.param(
        {
            "kind": "missed_connection",
            "origin": "MAD",
            "destination": "LIS",
            "flight_origin": "FRA",
            "late": 3 * H,
        },
        eur(250),
        id="Bossen C-559/16: MAD-FRA-LIS counts MAD-LIS 503 km, not the legs' 3290 -> 250",
    ),
    # --- Art 5(3) extraordinary circumstances, by reason code ---
    *(
        pytest.param(
            {"kind": "delayed", "late": 5 * H, "reason": reason},
            None if extraordinary else eur(600),
            id=f"Art5(3): {reason.value} is {'' if extraordinary else 'not '}extraordinary",
        )
        for reason, extraordinary in [
            (ReasonCode.WEATHER, True),
            (ReasonCode.ATC, True),
            (ReasonCode.AIRPORT_CLOSURE, True),
            (ReasonCode.SECURITY, True),
            (ReasonCode.BIRD_STRIKE, True),
            (ReasonCode.THIRD_PARTY_STRIKE, True),
            (ReasonCode.TECHNICAL, False),  # Wallentin-Hermann C-549/07
            (ReasonCode.CREW, False),
            (ReasonCode.OWN_STAFF_STRIKE, False),
            (ReasonCode.SCHEDULING, False),
            (ReasonCode.OTHER, False),
        ]
    ),
    pytest.param(
        {
            "kind": "delayed",
            "late": 5 * H,
            "reason": ReasonCode.KNOCK_ON,
            "originating_reason": ReasonCode.WEATHER,
        },
        None,
        id="Art5(3)+TAP C-74/19: knock-on of a storm delay inherits 'extraordinary'",
    ),
    pytest.param(
        {
            "kind": "delayed",
            "late": 5 * H,
            "reason": ReasonCode.KNOCK_ON,
            "originating_reason": ReasonCode.TECHNICAL,
        },
        eur(600),
        id="Art5(3)+TAP C-74/19: knock-on of a technical delay -> owed",
    ),
    pytest.param(
        {"kind": "delayed", "late": 5 * H, "reason": ReasonCode.KNOCK_ON},
        eur(600),
        id="Art5(3): knock-on of unknown cause -> not extraordinary (carrier's burden)",
    ),
    # --- band edges, Art 7(1): "1500 km or less", "between 1500 and 3500 km" ---
    *(
        pytest.param(
            {"kind": "delayed", "origin": "ZZA", "destination": dest, "late": 5 * H},
            eur(amount),
            id=f"Art7(1): {label}",
        )
        for dest, amount, label in [
            ("ZDE", 250, "exactly 1500 km intra-EU is 'or less' -> 250"),
            ("ZDF", 400, "1501 km intra-EU -> 400"),
            ("ZUS", 400, "exactly 3500 km to a third country -> 400"),
            ("ZUT", 600, "3501 km to a third country -> 600"),
        ]
    ),
]


@pytest.mark.parametrize(("changes", "cents"), COMPENSATION)
def test_compensation(changes: dict[str, Any], cents: int | None) -> None:
    comp = owed(disruption(**changes)).compensation(Regime.EU261)
    assert (comp.amount_cents if comp else None) == cents
    if comp:
        assert comp.currency == "EUR"
        assert comp.citation.startswith("EU261 Art 7(1)(")


def test_storm_cancellation_owes_care_but_no_compensation() -> None:
    """Art 5(3) removes compensation only; Art 5(1)(b) care stays (McDonagh, C-12/11)."""
    result = owed(disruption(notice_at=T0 - 2 * D, late=5 * H, reason=ReasonCode.WEATHER))
    assert result.compensation(Regime.EU261) is None
    assert result.care(Regime.EU261) == {CareItem.MEALS, CareItem.COMMUNICATION}
    assert any(n.citation == "EU261 Art 5(3)" for n in result.notes)
    kinds = {i.kind for i in result.of(Regime.EU261)}
    assert {EntitlementKind.REFUND_OPTION, EntitlementKind.REROUTING} <= kinds


def test_knock_on_can_be_configured_extraordinary() -> None:
    config = PolicyConfig(knock_on=KnockOn.EXTRAORDINARY)
    d = disruption(kind="delayed", late=5 * H, reason=ReasonCode.KNOCK_ON)
    assert owed(d, config).compensation(Regime.EU261) is None


def test_art7_2_halving_can_be_switched_off() -> None:
    d = disruption(notice_at=T0 - 2 * D, late=3 * H)
    comp = owed(d, PolicyConfig(halve_rerouted=False)).compensation(Regime.EU261)
    assert comp is not None and comp.amount_cents == eur(600)


CARE = [
    pytest.param(
        {"kind": "delayed", "destination": "LHR", "late": 2 * H - M},
        set(),
        id="Art6(1)(a): FRA-LHR 653 km, 1h59 -> no care yet",
    ),
    pytest.param(
        {"kind": "delayed", "destination": "LHR", "late": 2 * H},
        {CareItem.MEALS, CareItem.COMMUNICATION},
        id="Art6(1)(a)+9(1)(a)+9(2): FRA-LHR exactly 2h -> meals, two calls",
    ),
    pytest.param(
        {"kind": "delayed", "origin": "LIS", "destination": "ARN", "late": 3 * H - M},
        set(),
        id="Art6(1)(b): LIS-ARN 2998 km, 2h59 -> no care yet",
    ),
    pytest.param(
        {"kind": "delayed", "origin": "LIS", "destination": "ARN", "late": 3 * H},
        {CareItem.MEALS, CareItem.COMMUNICATION},
        id="Art6(1)(b): LIS-ARN exactly 3h -> meals, two calls",
    ),
    pytest.param(
        {"kind": "delayed", "late": 4 * H - M},
        set(),
        id="Art6(1)(c): FRA-JFK 3h59 -> no care yet",
    ),
    pytest.param(
        {"kind": "delayed", "late": 4 * H, "reason": ReasonCode.WEATHER},
        {CareItem.MEALS, CareItem.COMMUNICATION},
        id="Art6(1)(c)+McDonagh C-12/11: FRA-JFK 4h, storm -> care all the same",
    ),
    pytest.param(
        {"kind": "delayed", "sched_dep": T0 + 8 * H, "late": 14 * H},
        {CareItem.MEALS, CareItem.COMMUNICATION, CareItem.HOTEL},
        id="Art6(1)(ii)+9(1)(b)(c): FRA 19:00 local delayed to 09:00 next day -> hotel",
    ),
    pytest.param(
        {"kind": "delayed", "origin": "BER", "flight_destination": "FRA", "late": 2 * H},
        {CareItem.MEALS, CareItem.COMMUNICATION},
        id="Art6(1)(a): BER-FRA leg of a BER-JFK trip, 2h -> care by the leg's 432 km",
    ),
    pytest.param(
        {"notice_at": T0 - 2 * D, "late": 5 * H},
        {CareItem.MEALS, CareItem.COMMUNICATION},
        id="Art5(1)(b)+9(1)(a)+9(2): cancellation -> meals, two calls",
    ),
    pytest.param(
        {"notice_at": T0, "actual_dep": T0 + D, "actual_arr": T0 + D + 8.5 * H},
        {CareItem.MEALS, CareItem.COMMUNICATION, CareItem.HOTEL},
        id="Art5(1)(b)+9(1)(b)(c): cancelled, re-routing leaves the next day -> hotel",
    ),
]


@pytest.mark.parametrize(("changes", "care"), CARE)
def test_care(changes: dict[str, Any], care: set[CareItem]) -> None:
    assert owed(disruption(**changes)).care(Regime.EU261) == care


REFUND_AND_NOTICE = [
    pytest.param(
        {"notice_at": T0 - 2 * D},
        {EntitlementKind.REFUND_OPTION, EntitlementKind.REROUTING, EntitlementKind.NOTICE},
        id="Art8(1)+14(2): cancelled, undecided -> refund or re-routing, written notice",
    ),
    pytest.param(
        {"notice_at": T0 - 2 * D, "choice": "refund"},
        {EntitlementKind.REFUND, EntitlementKind.NOTICE},
        id="Art8(1)(a): cancelled, passenger chose the refund -> refund within 7 days",
    ),
    pytest.param(
        {"kind": "delayed", "late": 5 * H - M},
        {EntitlementKind.NOTICE},
        id="Art6(1)(iii): delayed 4h59 -> no refund yet; Art14(2) notice (>= 2h)",
    ),
    pytest.param(
        {"kind": "delayed", "late": 5 * H},
        {EntitlementKind.REFUND_OPTION, EntitlementKind.NOTICE},
        id="Art6(1)(iii)+8(1)(a): delayed 5h -> refund option",
    ),
    pytest.param(
        {"kind": "delayed", "late": 2 * H - M},
        set(),
        id="Art14(2): delayed 1h59 -> no written notice",
    ),
    pytest.param(
        {"kind": "diverted", "late": H},
        {EntitlementKind.REROUTING},
        id="Art8(3)+C-826/19: diverted -> onward transfer at the carrier's cost",
    ),
    pytest.param(
        {"kind": "diverted", "alternative_offered": False},
        {EntitlementKind.REROUTING, EntitlementKind.REFUND_OPTION},
        id="Art6(1)(iii)+8(1)(a): diverted, nothing carries them on -> refund option too",
    ),
]


@pytest.mark.parametrize(("changes", "kinds"), REFUND_AND_NOTICE)
def test_refund_rerouting_and_notice(changes: dict[str, Any], kinds: set[EntitlementKind]) -> None:
    items = owed(disruption(**changes)).of(Regime.EU261)
    other = {EntitlementKind.COMPENSATION, EntitlementKind.CARE}
    assert {i.kind for i in items} - other == kinds


@pytest.mark.parametrize(
    ("destination", "percent"),
    [
        pytest.param("LHR", 30, id="Art10(2)(a): FRA-LHR 653 km -> 30 %"),
        pytest.param("TLV", 50, id="Art10(2)(b): FRA-TLV 2954 km -> 50 %"),
        pytest.param("JFK", 75, id="Art10(2)(c): FRA-JFK 6188 km -> 75 %"),
    ],
)
def test_downgrade_refund(destination: str, percent: int) -> None:
    d = disruption(
        kind="delayed", destination=destination, cabin_booked=Cabin.BUSINESS, cabin_flown="economy"
    )
    result = entitlements(BookingFacts(price_cents=eur(2000)), d, airports=AIRPORTS)
    (item,) = result.of(Regime.EU261, EntitlementKind.DOWNGRADE_REFUND)
    assert item.amount_cents == eur(2000) * percent // 100
    assert item.citation.startswith("EU261 Art 10(2)")


SCOPE = [
    pytest.param("FRA", "JFK", "XA", (Regime.EU261, Regime.US_DOT), id="Art3(1)(a): departs EU"),
    pytest.param("JFK", "FRA", "XA", (Regime.EU261, Regime.US_DOT), id="Art3(1)(b): EU carrier"),
    pytest.param("JFK", "FRA", "QQ", (Regime.US_DOT,), id="Art3(1)(b): non-EU carrier -> out"),
    pytest.param("FRA", "LHR", "XA", (Regime.EU261,), id="Art3(1)(b) UK261 yields to EU261"),
    pytest.param("LHR", "FRA", "XA", (Regime.UK261,), id="Art3(1)(b) EU261 yields to UK261"),
    pytest.param("FRA", "YYZ", "XA", (Regime.EU261, Regime.APPR), id="Art3(1)(a) + APPR"),
]


@pytest.mark.parametrize(("origin", "destination", "carrier", "regimes"), SCOPE)
def test_scope(origin: str, destination: str, carrier: str, regimes: tuple[Regime, ...]) -> None:
    d = disruption(kind="delayed", origin=origin, destination=destination, carrier=carrier)
    result = owed(d)
    assert result.regimes == regimes


def test_overlap_is_explained_in_the_notes() -> None:
    result = owed(disruption(kind="delayed", origin="LHR", destination="FRA", late=3 * H))
    assert [n.citation for n in result.notes if n.regime is Regime.EU261] == ["EU261 Art 3(1)(b)"]
    assert result.compensation(Regime.UK261) is not None
    assert result.compensation(Regime.EU261) is None


@pytest.mark.parametrize(
    ("km", "intra", "expected"),
    [
        pytest.param(1500, False, Band.SHORT, id="Art7(1)(a): 1500 km or less"),
        pytest.param(1501, False, Band.MEDIUM, id="Art7(1)(b): 1501 km"),
        pytest.param(3500, False, Band.MEDIUM, id="Art7(1)(b): between 1500 and 3500"),
        pytest.param(3501, False, Band.LONG, id="Art7(1)(c): 3501 km, third country"),
        pytest.param(9000, True, Band.MEDIUM, id="Art7(1)(b): intra-Community over 1500"),
    ],
)
def test_band(km: int, intra: bool, expected: Band) -> None:
    assert band(km, intra=intra) is expected


def test_cancellation_exempt_without_rerouting_only_at_14_days() -> None:
    """Art 5(1)(c): points (ii) and (iii) need an offered re-routing; (i) does not."""
    assert cancellation_exempt(14 * D, departs_earlier_by=None, arrives_later_by=None)
    assert not cancellation_exempt(13 * D, departs_earlier_by=None, arrives_later_by=None)


def test_booking_facts_from_a_one_flight_booking_price_the_downgrade() -> None:
    """Art 10(2)(c) on the price of the flight (Mennens, C-255/15): one segment, whole price."""
    booking = Booking(
        pnr="ABC123",
        customer_id="C1",
        price_cents=eur(2000),
        segments=[Segment(seq=1, flight_key="XA800/2026-03-01", cabin=Cabin.BUSINESS)],
    )
    facts = BookingFacts.from_booking(booking, tier=LoyaltyTier.GOLD)
    d = disruption(kind="delayed", cabin_booked=Cabin.BUSINESS, cabin_flown=Cabin.PREMIUM)
    result = entitlements(facts, d, airports=AIRPORTS)
    (item,) = result.of(Regime.EU261, EntitlementKind.DOWNGRADE_REFUND)
    assert (item.amount_cents, item.currency) == (eur(1500), "EUR")


def test_unknown_airport_is_named() -> None:
    with pytest.raises(NotFoundError, match="XXX"):
        owed(disruption(destination="XXX"))
