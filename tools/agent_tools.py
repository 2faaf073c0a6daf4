"""The agent's tools as LangChain tools, with pydantic arguments.

    build_tools(deps) -> [get_flight_status, find_alternatives, entitlements, lookup_policy,
                          hold_seats, rebook, offer_refund, issue_compensation,
                          send_notification]

The first four only read (`READ_ONLY_TOOLS`, ``metadata["read_only"]``): a model reasoner
may call them freely while it thinks. The other five change the airline systems or write
to the passenger (`WRITE_TOOLS`): a reasoner returns them as a plan, which passes the
guard before anything runs. Write tools derive their idempotency keys from the case id
(``<case>:rebook:v1`` is the key `agent.nodes` uses too), so a replayed call does nothing
twice.

Every tool answers with a `tools.rebooking.ToolResult` as a dict: ``status`` is ``ok``,
``retriable`` (the planner can fix it: another option, other arguments) or ``final``.
Arguments that fail validation come back as the same shape, JSON-encoded (LangChain
hands validation errors over as text): ``error == "invalid_arguments"``, with every
problem named by its field. Use `parse_result` to read either form.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from pydantic.v1 import ValidationError as PydanticV1ValidationError

from airline.models import Cabin
from airline.reservations import HoldStatus, available_seats
from tools import rebooking
from tools.case_facts import passenger_entitlements
from tools.effects import ToolDeps, ToolResult, ToolStatus, failure
from tools.flights import Itinerary, SearchRequest, find_alternatives
from tools.notifications import MessageKind
from tools.policy.entitlements import DisruptionKind, Regime
from tools.policy.texts import Hit, lookup
from travel_agent.errors import NotFoundError, TravelAgentError

log = logging.getLogger(__name__)

READ_ONLY_TOOLS = frozenset(
    {"get_flight_status", "find_alternatives", "entitlements", "lookup_policy"}
)
"""Tools that change nothing: a reasoner may call them while it thinks."""
WRITE_TOOLS = frozenset(
    {"hold_seats", "rebook", "offer_refund", "issue_compensation", "send_notification"}
)
"""Tools with effects: a reasoner proposes them in a plan; they run after the guard."""

Pnr = Annotated[str, Field(pattern=r"^[A-Z0-9]{6}$", description="six-character record locator")]
FlightKey = Annotated[
    str,
    Field(
        # [0-9], not \d: older llama.cpp servers turn tool schemas into grammars that do
        # not know \d (a local model's tool calls then fail), and in Python \d would
        # also admit non-ASCII digits.
        pattern=r"^[A-Z0-9]{2}[0-9]{1,4}/[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description="carrier, number and service date, e.g. XA104/2026-03-01",
    ),
]
Iata = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="IATA airport code, e.g. FRA")]
CaseId = Annotated[
    str, Field(min_length=1, max_length=40, description="the case this action belongs to")
]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FlightStatusArgs(_Args):
    flight_key: FlightKey


class FindAlternativesArgs(_Args):
    origin: Iata = Field(description="where the passenger is")
    destination: Iata = Field(description="the booking's final destination")
    earliest_dep: AwareDatetime = Field(description="the earliest departure they can make")
    cabin: Cabin = Cabin.ECONOMY
    party: int = Field(default=1, ge=1, le=9, description="seats needed on every leg")
    carrier: str | None = Field(
        default=None, pattern=r"^[A-Z0-9]{2}$", description="the booking's own carrier"
    )
    horizon_hours: int = Field(default=36, ge=1, le=72, description="how far ahead to search")
    exclude: list[FlightKey] = Field(default_factory=list, description="flights not to offer")
    limit: int = Field(default=5, ge=1, le=20)


class EntitlementsArgs(_Args):
    pnr: Pnr
    flight_key: FlightKey = Field(description="the disrupted flight")
    kind: DisruptionKind | None = Field(
        default=None, description="default: read from the live board (cancelled, diverted, delayed)"
    )


class LookupPolicyArgs(_Args):
    query: str = Field(min_length=3, max_length=500, description="a question or keywords")
    k: int = Field(default=3, ge=1, le=10, description="passages to return")


class HoldSeatsArgs(_Args):
    case_id: CaseId
    pnr: Pnr
    flights: list[FlightKey] = Field(min_length=1, max_length=4, description="in order")
    cabin: Cabin
    party: int = Field(default=1, ge=1, le=9, description="seats on every flight")
    minutes: int = Field(default=15, ge=1, le=120, description="how long the hold lasts")
    attempt: int = Field(
        default=1, ge=1, le=20, description="raise by one to hold the same seats again after expiry"
    )


class RebookArgs(_Args):
    case_id: CaseId
    pnr: Pnr
    replace_seqs: list[Annotated[int, Field(ge=1)]] = Field(
        min_length=1, description="the broken segments to take off the booking"
    )
    flights: list[FlightKey] = Field(min_length=1, max_length=4, description="the new itinerary")
    cabin: Cabin = Field(description="the booked cabin")
    hold_id: str | None = Field(default=None, description="a hold on exactly these flights")


class RefundArgs(_Args):
    case_id: CaseId
    pnr: Pnr
    amount_cents: int | None = Field(
        default=None, ge=0, description="money back in minor units; default the whole ticket"
    )
    reason: str = Field(min_length=3, max_length=300, description="why, for the ledger")


class CompensationArgs(_Args):
    case_id: CaseId
    pnr: Pnr
    flight_key: FlightKey = Field(description="the disrupted flight")
    amount_cents: int = Field(gt=0, description="in minor units, e.g. 25000 for EUR 250")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    regime: Regime
    citation: str = Field(min_length=3, max_length=200, description="e.g. EU261 Art 7(1)(a)")
    kind: DisruptionKind | None = None
    approved_by: str | None = Field(
        default=None,
        max_length=100,
        description="the operator who approved an amount above the entitlement; never guess",
    )


class NotificationArgs(_Args):
    case_id: CaseId
    pnr: Pnr
    flight_key: FlightKey = Field(description="the disrupted flight the message is about")
    message: MessageKind
    fields: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="what the message needs beyond the flight, e.g. itinerary, amount, days",
    )


# --- read-only ------------------------------------------------------------------------


async def _flight_status(deps: ToolDeps, args: FlightStatusArgs) -> ToolResult:
    flight = deps.schedule.flights.get(args.flight_key)
    state = deps.board.get(args.flight_key)
    if flight is None or state is None:
        return failure("get_flight_status", NotFoundError(f"no flight {args.flight_key}"))
    async with deps.db.session() as session:
        seats = {
            cabin.value: (await available_seats(session, [flight.key], cabin)).get(flight.key, 0)
            for cabin in Cabin
            if flight.inventory(cabin) is not None
        }
    delay = int((state.est_dep - flight.sched_dep).total_seconds() // 60)
    return ToolResult(
        status=ToolStatus.OK,
        action="get_flight_status",
        message=f"{flight.key} {flight.origin}→{flight.destination} is {state.status.value}"
        + (f", {delay} min late" if delay > 0 else ""),
        detail={
            "flight_key": flight.key,
            "origin": flight.origin,
            "destination": flight.destination,
            "sched_dep": flight.sched_dep.isoformat(),
            "sched_arr": flight.sched_arr.isoformat(),
            "status": state.status.value,
            "est_dep": state.est_dep.isoformat(),
            "est_arr": state.est_arr.isoformat(),
            "delay_minutes": delay,
            "gate": state.gate,
            "reason": state.reason,
            "diverted_to": state.diverted_to,
            "seats_left": seats,
        },
    )


async def _find_alternatives(deps: ToolDeps, args: FindAlternativesArgs) -> ToolResult:
    request = SearchRequest(
        origin=args.origin,
        destination=args.destination,
        earliest_dep=args.earliest_dep,
        cabin=args.cabin,
        party=args.party,
        carrier=args.carrier,
        horizon=timedelta(hours=args.horizon_hours),
        exclude=frozenset(args.exclude),
    )
    async with deps.db.session() as session:
        found = await find_alternatives(
            session, deps.schedule, deps.board, request, limit=args.limit
        )
    return ToolResult(
        status=ToolStatus.OK,
        action="find_alternatives",
        message=f"{len(found)} itinerary(ies) {args.origin}→{args.destination} with seats",
        detail={"itineraries": [_itinerary(it) for it in found]},
    )


def _itinerary(it: Itinerary) -> dict[str, Any]:
    return {
        "flights": it.flight_keys,
        "dep": it.dep.isoformat(),
        "arr": it.arr.isoformat(),
        "stops": it.stops,
        "seats": it.seats,
        "cabin": it.cabin.value,
        "legs": [leg.model_dump(mode="json") for leg in it.legs],
    }


async def _entitlements(deps: ToolDeps, args: EntitlementsArgs) -> ToolResult:
    try:
        async with deps.db.session() as session:
            owed = await passenger_entitlements(
                session,
                deps.schedule,
                deps.board,
                pnr=args.pnr,
                flight_key=args.flight_key,
                now=deps.clock.now(),
                policy=deps.policy,
                kind=args.kind,
            )
    except NotFoundError as exc:
        return failure("entitlements", exc)
    return ToolResult(
        status=ToolStatus.OK,
        action="entitlements",
        message=f"{len(owed.items)} item(s) owed under "
        + (", ".join(r.value for r in owed.regimes) or "no regime"),
        detail=owed.model_dump(mode="json"),
    )


async def _lookup_policy(deps: ToolDeps, args: LookupPolicyArgs) -> ToolResult:
    hits: Sequence[Hit] = []
    if deps.policy_search is not None:
        try:
            hits = await deps.policy_search.search(args.query, args.k)
        except TravelAgentError as exc:  # the lexical index is always there: use it
            log.warning("policy search failed, falling back to BM25: %s", exc)
    if not hits:
        hits = lookup(args.query, args.k)
    return ToolResult(
        status=ToolStatus.OK,
        action="lookup_policy",
        message=f"{len(hits)} passage(s)" + (f"; best: {hits[0].passage.citation}" if hits else ""),
        detail={
            "passages": [
                {
                    "citation": h.passage.citation,
                    "title": h.passage.title,
                    "text": h.passage.text,
                    "score": round(h.score, 3),
                }
                for h in hits
            ]
        },
    )


# --- writes ---------------------------------------------------------------------------


async def _hold_seats(deps: ToolDeps, args: HoldSeatsArgs) -> ToolResult:
    option = hashlib.sha256(f"{args.flights}|{args.cabin}|{args.party}".encode()).hexdigest()
    result = await rebooking.hold(
        deps,
        key=f"{args.case_id}:hold:{option[:12]}:{args.attempt}",
        case_id=args.case_id,
        pnr=args.pnr,
        flights=args.flights,
        cabin=args.cabin,
        party=args.party,
        minutes=args.minutes,
    )
    status = result.detail.get("status")
    if result.replayed and status != HoldStatus.HELD.value:
        return result.model_copy(
            update={
                "status": ToolStatus.RETRIABLE,
                "error": "hold_expired",
                "message": f"this hold is {status}; hold again with attempt={args.attempt + 1}",
            }
        )
    return result


async def _rebook(deps: ToolDeps, args: RebookArgs) -> ToolResult:
    return await rebooking.rebook(
        deps,
        key=f"{args.case_id}:rebook:v1",
        case_id=args.case_id,
        pnr=args.pnr,
        replace_seqs=args.replace_seqs,
        flights=args.flights,
        cabin=args.cabin,
        hold_id=args.hold_id,
    )


async def _offer_refund(deps: ToolDeps, args: RefundArgs) -> ToolResult:
    return await rebooking.refund(
        deps,
        key=f"{args.case_id}:refund:v1",
        case_id=args.case_id,
        pnr=args.pnr,
        amount_cents=args.amount_cents,
        reason=args.reason,
    )


async def _issue_compensation(deps: ToolDeps, args: CompensationArgs) -> ToolResult:
    return await rebooking.compensate(
        deps,
        key=f"{args.case_id}:compensate:v1",
        case_id=args.case_id,
        pnr=args.pnr,
        flight_key=args.flight_key,
        amount_cents=args.amount_cents,
        currency=args.currency,
        regime=args.regime,
        citation=args.citation,
        approved_by=args.approved_by,
        kind=args.kind,
    )


async def _send_notification(deps: ToolDeps, args: NotificationArgs) -> ToolResult:
    return await rebooking.notify(
        deps,
        key=f"{args.case_id}:notify:v1",
        case_id=args.case_id,
        pnr=args.pnr,
        flight_key=args.flight_key,
        message=args.message,
        fields=args.fields,
    )


# --- assembly -------------------------------------------------------------------------

_A = TypeVar("_A", bound=_Args)

_DESCRIPTIONS = {
    "get_flight_status": "Read-only. The live status of one flight: scheduled and estimated "
    "times, delay, gate, reason, diversion, and seats left per cabin now.",
    "find_alternatives": "Read-only. Itineraries (direct or one stop) with seats now, on the "
    "live board, earliest arrival first, own carrier preferred.",
    "entitlements": "Read-only. What the passenger is owed for a disruption (compensation, "
    "care, refund, re-routing, notices), with the rule that says so, from live facts.",
    "lookup_policy": "Read-only. The passages of passenger-rights rules (EU261, UK261, US "
    "DOT, APPR) and fare practice that best answer a question, each with its citation.",
    "hold_seats": "Write. Hold seats on an itinerary for a while (default 15 minutes) so no "
    "one else gets them; confirm with rebook(hold_id=...).",
    "rebook": "Write. Move the booking off its broken segments onto a new itinerary, in the "
    "booked cabin. Checked against the live board; 'retriable' means pick another option.",
    "offer_refund": "Write. Refund the booking (default: the whole ticket) and give its "
    "seats back, when the passenger takes the refund instead of travelling.",
    "issue_compensation": "Write. Pay compensation under a regime; refused above what "
    "entitlements() says unless an operator approved it (approved_by).",
    "send_notification": "Write. Queue one message to the passenger on their channel, in "
    "their language; flight, route, date and times are filled in.",
}


def build_tools(deps: ToolDeps) -> list[BaseTool]:
    """The nine tools over `deps`, read-only ones first."""
    return [
        _tool(deps, "get_flight_status", FlightStatusArgs, _flight_status),
        _tool(deps, "find_alternatives", FindAlternativesArgs, _find_alternatives),
        _tool(deps, "entitlements", EntitlementsArgs, _entitlements),
        _tool(deps, "lookup_policy", LookupPolicyArgs, _lookup_policy),
        _tool(deps, "hold_seats", HoldSeatsArgs, _hold_seats),
        _tool(deps, "rebook", RebookArgs, _rebook),
        _tool(deps, "offer_refund", RefundArgs, _offer_refund),
        _tool(deps, "issue_compensation", CompensationArgs, _issue_compensation),
        _tool(deps, "send_notification", NotificationArgs, _send_notification),
    ]


def _tool(
    deps: ToolDeps,
    name: str,
    schema: type[_A],
    run: Callable[[ToolDeps, _A], Awaitable[ToolResult]],
) -> StructuredTool:
    read_only = name in READ_ONLY_TOOLS

    async def call(**kwargs: Any) -> dict[str, Any]:
        # LangChain validated already but passes only the fields given; validating again
        # fills the defaults from the one place they are written.
        result = await run(deps, schema.model_validate(kwargs))
        return result.model_dump(mode="json")

    def invalid(exc: PydanticValidationError | PydanticV1ValidationError) -> str:
        return invalid_arguments(name, exc).model_dump_json()

    return StructuredTool.from_function(
        coroutine=call,
        name=name,
        description=_DESCRIPTIONS[name],
        args_schema=schema,
        metadata={"read_only": read_only},
        tags=["read_only" if read_only else "write"],
        handle_validation_error=invalid,
    )


def invalid_arguments(
    name: str, exc: PydanticValidationError | PydanticV1ValidationError
) -> ToolResult:
    """A validation error as a result that names every bad field and what is wrong with it."""
    problems = [
        {
            "field": ".".join(str(part) for part in error["loc"]) or "(arguments)",
            "problem": error["msg"],
        }
        for error in exc.errors()
    ]
    return ToolResult(
        status=ToolStatus.RETRIABLE,
        action=name,
        error="invalid_arguments",
        message=f"invalid arguments for {name}: "
        + "; ".join(f"{p['field']}: {p['problem']}" for p in problems),
        detail={"errors": problems},
    )


def parse_result(output: object) -> ToolResult:
    """A tool's answer as a `ToolResult`, whether it came as a dict or as JSON text."""
    if isinstance(output, str):
        return ToolResult.model_validate(json.loads(output))
    return ToolResult.model_validate(output)
