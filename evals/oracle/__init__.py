"""An independent oracle for the agent's runs.

    verdict = judge(record)     # record: evals.oracle.record.RunRecord

It shares no code with what it judges: it imports nothing from agent/ or tools/ (a test
holds it to that), reads the database by table name (`evals.oracle.sql`), keeps its own
flight board, replays the action ledger over the world, searches for seats itself and
computes what is owed from its own regulation tables (`rules`). Each finding names its
check (`CHECKS`) and says why in a sentence.
"""

from __future__ import annotations

from evals.oracle import (
    checks_messages,
    checks_money,
    checks_outcomes,
    checks_seats,
    checks_timing,
    checks_trust,
)
from evals.oracle.context import judge_context
from evals.oracle.record import RunRecord
from evals.oracle.verdict import CHECKS, Finding, Verdict

__all__ = ["CHECKS", "Finding", "RunRecord", "Verdict", "judge"]


def judge(record: RunRecord) -> Verdict:
    """Every finding about the run, and its figures."""
    j = judge_context(record)
    findings: list[Finding] = []
    if record.error:
        findings.append(Finding("run_error", None, record.error))
    for module in (
        checks_seats,
        checks_outcomes,
        checks_messages,
        checks_timing,
        checks_money,
        checks_trust,
    ):
        findings += module.check(j)
    rebooked = [
        p for p in j.touched if any(e.action == "rebook" for e in j.seats.journeys[p].rebookings)
    ]
    figures = {
        "bookings": len(record.world.bookings),
        "affected": len(j.touched),
        "broken": len(j.broken_at),
        "rebooked": len(rebooked),
        "effects": len(record.effects),
        "messages_delivered": sum(m.delivered for m in record.messages),
    }
    return Verdict(findings=findings, figures=figures)
