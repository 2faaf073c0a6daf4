"""Money and care: compensation, care and refund offers equal to what the oracle's own
regulation tables owe (`owed`), each paid once, in the right currency."""

from __future__ import annotations

from evals.oracle.checks_outcomes import _ends_broken
from evals.oracle.context import Judged
from evals.oracle.journeys import unflown
from evals.oracle.owed import Owed, assess, facts
from evals.oracle.record import Effect
from evals.oracle.verdict import Finding


def _cents(detail: dict[str, object]) -> int | None:
    value = detail.get("amount_cents")
    if isinstance(value, int | float):
        return int(value)
    value = detail.get("amount")
    return round(float(value) * 100) if isinstance(value, int | float) else None


def check(j: Judged) -> list[Finding]:
    found: list[Finding] = []
    record = j.record
    by_pnr: dict[str, list[Effect]] = {}
    for e in record.effects:
        by_pnr.setdefault(e.pnr, []).append(e)
    for pnr, booking in record.world.bookings.items():
        effects = by_pnr.get(pnr, [])
        broken = bool(_ends_broken(j, pnr))
        f = facts(j, pnr, broken)
        paid = [e for e in effects if e.action == "compensate"]
        care = [e for e in effects if e.action == "care"]
        offers = [e for e in effects if e.action in ("refund_offer", "refund")]
        if f is None:
            found += [
                Finding(k, pnr, f"{e.action} although none of the booking's flights changed")
                for k, group in (("compensation", paid), ("care", care), ("refund", offers))
                for e in group
            ]
            continue
        owed = assess(f)
        found += _compensation(pnr, paid, owed)
        found += _care(pnr, care, owed)
        found += _refunds(j, pnr, offers, owed, booking.price_cents, booking.currency)
    return found


def _compensation(pnr: str, paid: list[Effect], owed: Owed) -> list[Finding]:
    found = []
    acceptable = sorted(owed.compensation)
    text = ", ".join(f"{r} {c / 100:g} {cur}".strip() for r, cur, c in acceptable) or "nothing"
    if len(paid) > 1:
        found.append(
            Finding("compensation", pnr, f"compensation paid {len(paid)} times for one journey")
        )
    for e in paid:
        regime = str(e.detail.get("regime", "")).lower()
        cents = _cents(e.detail)
        currency = str(e.detail.get("currency", "")).upper()
        if (regime, currency, cents) not in owed.compensation:
            why = f"; {'; '.join(owed.notes)}" if owed.notes else ""
            found.append(
                Finding(
                    "compensation",
                    pnr,
                    f"paid {regime} {(cents or 0) / 100:g} {currency}; the "
                    f"oracle accepts {text}{why}",
                )
            )
    if not paid and owed.compensation_required:
        due = [x for x in acceptable if x[2] > 0]
        found.append(
            Finding(
                "compensation",
                pnr,
                f"nothing paid; owed {', '.join(f'{r} {c / 100:g} {cur}' for r, cur, c in due)}",
            )
        )
    return found


def _care(pnr: str, care: list[Effect], owed: Owed) -> list[Finding]:
    found = []
    items = {str(i) for e in care for i in e.detail.get("items") or []}
    if owed.meals == "yes" and "meals" not in items:
        found.append(Finding("care", pnr, "meals owed (EU261/UK261 Art 6, 9(1)(a)) and not given"))
    if owed.hotel == "yes" and "hotel" not in items:
        found.append(
            Finding("care", pnr, "a hotel owed (overnight wait, Art 9(1)(b)) and not given")
        )
    meals = [e for e in care if "meals" in (e.detail.get("items") or [])]
    if owed.meals == "no" and any(owed.meals_at(e.at) == "no" for e in meals):
        found.append(
            Finding("care", pnr, "meals given, not owed: the wait is under Art 6's threshold")
        )
    if owed.hotel == "no" and "hotel" in items:
        found.append(Finding("care", pnr, "a hotel given, not owed: no overnight wait"))
    return found


def _refunds(
    j: Judged, pnr: str, offers: list[Effect], owed: Owed, price: int, currency: str
) -> list[Finding]:
    found = []
    journey = j.seats.journeys[pnr]
    legs = journey.planned
    # Art 8(1)(a): "the full cost of the ticket ... for the part or parts of the journey
    # not made": a journey not begun is owed its whole part of the fare (the whole fare for
    # a booking of one journey); where the fare is not itemised per journey, no floor.
    floor = None if journey.judged is None else journey.booking.price_of(journey.judged)
    for e in offers:
        cents = _cents(e.detail)
        cur = str(e.detail.get("currency", currency)).upper()
        if cents is None:
            found.append(Finding("refund", pnr, f"{e.action} without an amount"))
            continue
        if cents > price:
            found.append(
                Finding(
                    "refund",
                    pnr,
                    f"{e.action} of {cents / 100:.2f} {cur} exceeds the fare {price / 100:.2f}",
                )
            )
        nothing_flown = len(unflown(j.record, j.board, legs, e.at)) == len(legs)
        if nothing_flown and floor is not None and cents < floor:
            whole = "the whole fare" if floor == price else "the journey's part of the fare"
            found.append(
                Finding(
                    "refund",
                    pnr,
                    f"{e.action} of {cents / 100:.2f} {cur}; nothing was flown, "
                    f"{whole} {floor / 100:.2f} is owed",
                )
            )
        if cur != currency:
            found.append(
                Finding("refund", pnr, f"{e.action} in {cur}; the ticket was paid in {currency}")
            )
    if owed.refund_required and not offers:
        found.append(
            Finding(
                "no_refund_offer",
                pnr,
                "no alternative and no refund offered (EU261 Art 8(1)(a); 14 CFR Part 260)",
            )
        )
    return found
