"""The agent's tools as LangChain tools, with pydantic arguments.

    build_tools(deps) -> [get_flight_status, find_alternatives, entitlements, lookup_policy]

Every tool only reads (`READ_ONLY_TOOLS`, ``metadata["read_only"]``): a model reasoner may
call them freely while it thinks. Nothing a model calls changes a booking, pays or writes
to a passenger: a reasoner proposes those as a plan (`tools.plan`'s actions), the guard
checks it, and the act node carries it out (`agent.nodes.act`). Five write tools,
keyed on case ids differently from the act node, were never reached in production and
would have paid twice had a model been given them; they are gone.

Every tool answers with a `tools.effects.ToolResult` as a dict: ``status`` is ``ok``,
``retriable`` (the planner can fix it: another option, other arguments) or ``final``.
Arguments that fail validation come back as the same shape, JSON-encoded (LangChain
hands validation errors over as text): ``error == "invalid_arguments"``, with every
problem named by its field. Use `parse_result` to read either form.
"""

from __future__ import annotations

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
from airline.reservations import available_seats
from tools.case_facts import passenger_entitlements
from tools.effects import ToolDeps, ToolResult, ToolStatus, failure
from tools.flights import Itinerary, SearchRequest, find_alternatives
from tools.policy.entitlements import DisruptionKind
from tools.policy.texts import Hit, lookup
from travel_agent.errors import NotFoundError, TravelAgentError

log = logging.getLogger(__name__)

READ_ONLY_TOOLS = frozenset(
    {"get_flight_status", "find_alternatives", "entitlements", "lookup_policy"}
)
"""Tools that change nothing: a reasoner may call them while it thinks."""

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
}


def build_tools(deps: ToolDeps) -> list[BaseTool]:
    """The four read-only tools over `deps`."""
    return [
        _tool(deps, "get_flight_status", FlightStatusArgs, _flight_status),
        _tool(deps, "find_alternatives", FindAlternativesArgs, _find_alternatives),
        _tool(deps, "entitlements", EntitlementsArgs, _entitlements),
        _tool(deps, "lookup_policy", LookupPolicyArgs, _lookup_policy),
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
