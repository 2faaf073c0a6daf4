"""A passenger who turns the re-routing down takes their money back: one function.

EU261 Art 8(1)(a) (and UK261 alike) gives the choice of a refund of the ticket within
seven days instead of re-routing; US 14 CFR Part 260 refunds a passenger who does not
accept the alternative offered for a cancelled or significantly changed flight. Whatever
the answer's channel, a decline reaches the refund through `refund_on_decline`, keyed
per booking and disruption: a decline received twice (a replayed reply, a second
channel) refunds once.
"""

from __future__ import annotations

from tools.effects import ToolDeps, ToolResult
from tools.rebooking import refund


def decline_refund_key(pnr: str, disruption_flight: str) -> str:
    """The ledger key of the refund a decline causes: one per booking and disruption."""
    return f"refund:{pnr}:{disruption_flight}"


async def refund_on_decline(
    deps: ToolDeps, *, case_id: str, pnr: str, disruption_flight: str
) -> ToolResult:
    """Refund the whole ticket of `pnr` because its passenger declined the re-routing
    after `disruption_flight`; the booking's seats go back to inventory.

    Idempotent: the ledger holds one `refund` effect per (booking, disruption); calling
    again reports it (`ToolResult.replayed`) and pays nothing more.
    """
    return await refund(
        deps,
        key=decline_refund_key(pnr, disruption_flight),
        case_id=case_id,
        pnr=pnr,
        amount_cents=None,
        reason=f"passenger declined the re-routing after {disruption_flight}",
    )
