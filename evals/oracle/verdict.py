"""What the oracle says: findings, each with a check name and a reason a human can read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

CHECKS: dict[str, str] = {
    "oversold": "a flight's cabin held more passengers than seats at some instant",
    "bad_rebooking": "a rebooking onto a flight cancelled, diverted, departed or unknown then",
    "short_connection": "a new itinerary's connection under the minimum connection time",
    "wrong_route": "a new itinerary that does not start where the passenger is or end where "
    "they booked",
    "cabin_change": "a rebooking into another cabin without an approved approval",
    "split": "bookings of one group (or one booking's passengers) moved apart",
    "ledger_mismatch": "the database's bookings or seats differ from what the ledger explains",
    "no_outcome": "a case left failed, pending or waiting, or an affected booking left on a "
    "broken itinerary",
    "needless_rebooking": "a rebooking of an itinerary that still worked",
    "stranded": "no alternative given while a seat existed within the horizon",
    "stale_reroute": "a re-routing kept from where a flight re-diverted elsewhere no longer "
    "set the passenger down",
    "priority": "a seat went to a lower-priority passenger while a higher one got worse",
    "missing_message": "a change the passenger was never told of",
    "duplicate_message": "the same news delivered twice",
    "stale_message": "news delivered after newer news had superseded it",
    "compensation": "compensation different from what the regulations owe",
    "care": "care (meals, hotel) different from what the regulations owe",
    "refund": "a refund offer above the fare, below it when nothing was flown, or in the "
    "wrong currency",
    "no_refund_offer": "no alternative and no refund offered",
    "deadline": "a legal notification deadline missed (14 CFR 259.8: 30 min; APPR s.13: "
    "as soon as feasible, read as 30 min)",
    "quiet_hours": "a message that could wait delivered in the passenger's night",
    "stale_approval": "an effect applied from an approval made stale by a later change",
    "injection": "something a planted text asked for was done",
    "run_error": "the run itself failed",
}


@dataclass(frozen=True)
class Finding:
    check: str
    pnr: str | None
    reason: str

    def __str__(self) -> str:
        who = f"{self.pnr}: " if self.pnr else ""
        return f"[{self.check}] {who}{self.reason}"


@dataclass
class Verdict:
    findings: list[Finding] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.findings

    def by_check(self) -> Counter[str]:
        return Counter(f.check for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "findings": [
                {"check": f.check, "pnr": f.pnr, "reason": f.reason} for f in self.findings
            ],
            "by_check": dict(self.by_check()),
            "figures": self.figures,
        }


def when(instant: datetime | None) -> str:
    """A time in a finding: month-day and UTC clock (runs cross midnight)."""
    return "never" if instant is None else instant.astimezone(UTC).strftime("%m-%d %H:%MZ")
