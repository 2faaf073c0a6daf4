"""The desk's HTML pages, their live fragments, the login and the decisions.

Every page has a fragment twin under `/fragments/...` that renders just its live part;
the page asks for it again when the server-sent events say its topic changed.

Why it is long: it is the desk's route table — each page beside its fragment twin and
its form handler, every one a few lines over `dashboard.reads` (the queries) and the
templates (the markup). Split by page, the routes and their shared guards would scatter
over a dozen modules of twenty lines each.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from agent.approvals import (
    ApprovalClosedError,
    ApprovalNotFoundError,
    Decision,
)
from agent.choices import ChoiceDesk, OfferAnswer
from agent.tables import OfferStatus
from dashboard import reads, timefmt
from dashboard.answers import answers_for_the_desk
from dashboard.auth import LoginThrottledError, OperatorError, Role, Session
from dashboard.cards import approval_cards
from dashboard.deps import (
    APPROVAL_ID,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Desk,
    desk_of,
    require,
)
from travel_agent.errors import TravelAgentError

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

QUEUE_SHOWN = 25  # the nearest deadlines; the rest wait their turn (the count says how many)
Viewer = Annotated[Session, require(Role.VIEWER)]
Approver = Annotated[Session, require(Role.APPROVER)]
Admin = Annotated[Session, require(Role.ADMIN)]


def render(
    request: Request,
    template: str,
    session: Session | None,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    desk = desk_of(request)
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request,
        template,
        {
            "session": session,
            "now": desk.clock.now(),
            "places": desk.places,
            "feed": desk.feed,
        }
        | context,
        status_code=status_code,
    )
    return response


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _set_session_cookie(desk: Desk, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        secure=desk.secure_cookies,
        samesite="strict",
    )


# --- login ----------------------------------------------------------------------------


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request, "login.html", None, {"next": _safe_next(next), "login_csrf": token, "error": None}
    )
    _set_login_cookie(request, response, token)
    return response


def _set_login_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/login",
        httponly=True,
        secure=desk_of(request).secure_cookies,
        samesite="strict",
    )


@router.post("/login")
async def login(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    desk = desk_of(request)
    try:
        token, session = await desk.operators.login(name, password, address=_client(request))
    except (LoginThrottledError, OperatorError) as exc:
        status = 429 if isinstance(exc, LoginThrottledError) else 401
        fresh = secrets.token_urlsafe(32)
        response = render(
            request,
            "login.html",
            None,
            {"next": _safe_next(next), "login_csrf": fresh, "error": str(exc)},
            status_code=status,
        )
        if isinstance(exc, LoginThrottledError):
            response.headers["Retry-After"] = str(exc.retry_after)
        _set_login_cookie(request, response, fresh)
        return response
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    _set_session_cookie(desk, redirect, token, int(desk.operators.session_length.total_seconds()))
    redirect.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    log.info("operator %s logged in", session.operator.name)
    return redirect


@router.post("/logout")
async def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await desk_of(request).operators.logout(token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _safe_next(target: str) -> str:
    """Only a path on this site (no //host or scheme): no open redirect after login."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# --- live events --------------------------------------------------------------------------


@router.get("/events", response_class=EventSourceResponse)
async def events(request: Request, _session: Viewer) -> AsyncIterator[ServerSentEvent]:
    """Topic names whenever they change; the pages refetch what they show."""
    feed = desk_of(request).feed
    async with feed.subscribe() as queue:
        yield ServerSentEvent(comment="connected", retry=2000)
        while True:
            topics = await queue.get()
            if topics is None:
                return
            for topic in sorted(topics):
                yield ServerSentEvent(event=topic, raw_data=topic)


@router.get("/fragments/clock")
async def clock_fragment(request: Request, _session: Viewer) -> Response:
    return HTMLResponse(str(timefmt.local(desk_of(request).clock.now(), "UTC")))


# --- overview -------------------------------------------------------------------------------


async def _overview(desk: Desk) -> dict[str, Any]:
    answered, answers = await answers_for_the_desk(desk.db)
    return {
        "overview": await reads.overview(desk.db),
        "decided": await reads.recently_decided(desk.db, limit=8),
        "answered": answered,
        "answers": answers,
    }


@router.get("/")
async def overview_page(request: Request, session: Viewer) -> Response:
    context = await _overview(desk_of(request))
    return render(request, "overview.html", session, context | {"nav": "overview"})


@router.get("/fragments/overview")
async def overview_fragment(request: Request, session: Viewer) -> Response:
    return render(request, "_overview.html", session, await _overview(desk_of(request)))


# --- approvals ------------------------------------------------------------------------------


async def _queue(desk: Desk) -> dict[str, Any]:
    pending = await desk.approvals.pending()
    return {
        "cards": await approval_cards(desk.db, pending[:QUEUE_SHOWN]),
        "waiting": len(pending),
        "decided": await reads.recently_decided(desk.db),
    }


@router.get("/approvals")
async def approvals_page(request: Request, session: Viewer) -> Response:
    context = await _queue(desk_of(request))
    return render(request, "approvals.html", session, context | {"nav": "approvals"})


@router.get("/fragments/approvals")
async def approvals_fragment(request: Request, session: Viewer) -> Response:
    return render(request, "_approvals.html", session, await _queue(desk_of(request)))


@router.post("/approvals/{approval_id}/decide")
async def decide(
    request: Request,
    approval_id: str,
    session: Approver,
    verdict: Annotated[str, Form()],
    option: Annotated[str | None, Form()] = None,
    reason: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    desk = desk_of(request)
    if not APPROVAL_ID.fullmatch(approval_id):  # it goes into a response header below
        raise _not_found(f"no approval {approval_id!r}")
    htmx = bool(request.headers.get("HX-Request"))
    error: str | None = None
    status_code = 200
    try:
        decision = Decision(
            verdict=verdict,  # validated by the model
            option=int(option) if verdict == "edit" and option not in (None, "") else None,
            reason=(reason or "").strip() or None,
        )
        decided = await desk.approvals.decide(approval_id, decision, operator=session.operator.name)
    except ApprovalNotFoundError as exc:
        error, status_code = str(exc), 404
    except ApprovalClosedError as exc:
        error, status_code = str(exc), 409
    except (ValidationError, ValueError) as exc:
        error, status_code = _first_error(exc), 422
    except TravelAgentError as exc:
        error, status_code = str(exc), 400
    if error is not None:
        if htmx:  # htmx swaps only 2xx answers: the message goes into the card's flash
            response = render(request, "_flash.html", session, {"error": error})
            response.headers["HX-Retarget"] = f"#flash-{approval_id}"
            response.headers["HX-Reswap"] = "innerHTML"
            return response
        return render(
            request,
            "error.html",
            session,
            {"title": "Decision not recorded", "message": error, "nav": "approvals"},
            status_code=status_code,
        )
    await desk.operators.record(
        session.operator.name,
        "decided",
        approval_id,
        {
            "verdict": decision.verdict,
            "option": decision.option,
            "flights": decided.decision.flights if decided.decision else None,
            "case_id": decided.case_id,
            "via": "desk",
        },
    )
    log.info("approval %s: %s by %s", approval_id, decision.verdict, session.operator.name)
    if htmx:
        return render(request, "_decided.html", session, {"approval": decided})
    return RedirectResponse("/approvals", status_code=303)


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return str(first.get("msg", exc)).removeprefix("Value error, ")
    return str(exc)


# --- disruptions ----------------------------------------------------------------------------


@router.get("/disruptions")
async def disruptions_page(request: Request, session: Viewer) -> Response:
    rows = await reads.disruptions(desk_of(request).db)
    return render(request, "disruptions.html", session, {"disruptions": rows, "nav": "disruptions"})


@router.get("/fragments/disruptions")
async def disruptions_fragment(request: Request, session: Viewer) -> Response:
    rows = await reads.disruptions(desk_of(request).db)
    return render(request, "_disruptions.html", session, {"disruptions": rows})


async def _disruption(request: Request, disruption_id: str) -> dict[str, Any]:
    found = await reads.disruption(desk_of(request).db, disruption_id)
    if found is None:
        raise _not_found("no such disruption")
    return {"d": found}


@router.get("/disruptions/{disruption_id:path}/live")
async def disruption_fragment(request: Request, disruption_id: str, session: Viewer) -> Response:
    return render(request, "_disruption.html", session, await _disruption(request, disruption_id))


@router.get("/disruptions/{disruption_id:path}")
async def disruption_page(request: Request, disruption_id: str, session: Viewer) -> Response:
    context = await _disruption(request, disruption_id)
    return render(request, "disruption.html", session, context | {"nav": "disruptions"})


# --- board ---------------------------------------------------------------------------------


async def _board(request: Request, airport: str | None) -> dict[str, Any]:
    db = desk_of(request).db
    airport = airport.upper() if airport else None
    return {
        "rows": await reads.board(db, airport=airport),
        "airport": airport,
        "airports": await reads.airports(db),
    }


@router.get("/board")
async def board_page(request: Request, session: Viewer, airport: str | None = None) -> Response:
    context = await _board(request, airport)
    return render(request, "board.html", session, context | {"nav": "board"})


@router.get("/fragments/board")
async def board_fragment(request: Request, session: Viewer, airport: str | None = None) -> Response:
    return render(request, "_board.html", session, await _board(request, airport))


# --- customer ------------------------------------------------------------------------------


@router.get("/customers/{customer_id}")
async def customer_page(request: Request, customer_id: str, session: Viewer) -> Response:
    desk = desk_of(request)
    found = await reads.customer(desk.db, customer_id)
    if found is None:
        raise _not_found("no such customer")
    memory = await desk.memory.profile(customer_id) if desk.memory else None
    return render(
        request, "customer.html", session, {"c": found, "memory": memory, "nav": "customers"}
    )


@router.post("/customers/{customer_id}/refund")
async def record_refund(
    request: Request,
    customer_id: str,
    session: Approver,
    pnr: Annotated[str, Form(max_length=6)],
    flight_key: Annotated[str, Form(max_length=32)],
) -> Response:
    """The passenger told the desk they decline the re-routing and take the refund: the
    choice is recorded and the daemon carries it out (`agent.choices.take_refund`)."""
    desk = desk_of(request)
    found = await reads.customer(desk.db, customer_id)
    flights = {
        s.flight_key
        for b in (found or {}).get("bookings", [])
        if b["booking"].pnr == pnr
        for s in b["segments"]
    }
    if found is None or flight_key not in flights:
        return render(
            request,
            "error.html",
            session,
            {
                "title": "Refund not recorded",
                "message": f"booking {pnr} of {customer_id} has no flight {flight_key}",
                "nav": "customers",
            },
            status_code=404,
        )
    recorded = await ChoiceDesk(desk.db, desk.clock).record_refund(
        pnr, flight_key, chosen_by=session.operator.name, source="desk"
    )
    await desk.operators.record(
        session.operator.name, "refund chosen", pnr, {"flight_key": flight_key, "new": recorded}
    )
    log.info("refund choice for %s recorded by %s", pnr, session.operator.name)
    return RedirectResponse(f"/customers/{customer_id}", status_code=303)


@router.post("/customers/{customer_id}/offers/{offer_id}/answer")
async def answer_offer(
    request: Request,
    customer_id: str,
    offer_id: str,
    session: Approver,
    answer: Annotated[str, Form(max_length=8)],
) -> Response:
    """The passenger answered their offer to the desk (in words an operator read, or on
    the phone): the operator records the option they chose, or the refund, and the
    daemon carries it out as the passenger's own answer (`agent.offers`), once."""
    desk = desk_of(request)
    found = await reads.customer(desk.db, customer_id)
    offer = next((o for o in (found or {}).get("offers", []) if o.id == offer_id), None)
    chosen: OfferAnswer | None = None
    if answer == "refund":
        chosen = "refund"
    elif answer.isdigit() and offer is not None and 1 <= int(answer) <= len(offer.options):
        chosen = int(answer)
    if offer is None or chosen is None or offer.status != OfferStatus.OPEN:
        why = (
            f"{customer_id} has no offer {offer_id}"
            if offer is None
            else f"offer {offer_id} is {offer.status}"
            if offer.status != OfferStatus.OPEN
            else f"offer {offer_id} has no option {answer}"
        )
        return render(
            request,
            "error.html",
            session,
            {"title": "Answer not recorded", "message": why, "nav": "customers"},
            status_code=404 if offer is None else 409,
        )
    recorded = await ChoiceDesk(desk.db, desk.clock).record_offer_answer(
        offer.id, offer.pnr, chosen, chosen_by=session.operator.name
    )
    await desk.operators.record(
        session.operator.name,
        "offer answered",
        offer.pnr,
        {"offer": offer.id, "answer": chosen, "new": recorded},
    )
    log.info("answer to %s recorded by %s", offer.id, session.operator.name)
    return RedirectResponse(f"/customers/{customer_id}#conversation", status_code=303)


# --- audit ---------------------------------------------------------------------------------


async def _audit(request: Request) -> dict[str, Any]:
    db = desk_of(request).db
    return {"decisions": await reads.decisions(db), "activity": await reads.desk_activity(db)}


@router.get("/audit")
async def audit_page(request: Request, session: Viewer) -> Response:
    context = await _audit(request)
    return render(request, "audit.html", session, context | {"nav": "audit"})


@router.get("/fragments/audit")
async def audit_fragment(request: Request, session: Viewer) -> Response:
    return render(request, "_audit.html", session, await _audit(request))


# --- the operator's own account ------------------------------------------------------------


@router.get("/account")
async def account_page(request: Request, session: Viewer, changed: bool = False) -> Response:
    return render(
        request, "account.html", session, {"nav": "account", "error": None, "changed": changed}
    )


@router.post("/account/password")
async def change_password(
    request: Request,
    session: Viewer,
    current: Annotated[str, Form(max_length=1024)],
    password: Annotated[str, Form(max_length=1024)],
    again: Annotated[str, Form(max_length=1024)],
) -> Response:
    """An operator's own new password; their other sessions end, this one stays."""
    name = session.operator.name
    try:
        if password != again:
            raise OperatorError("the new passwords differ")
        await desk_of(request).operators.set_password(
            name,
            password,
            by=name,
            current=current,
            keep_session=request.cookies.get(SESSION_COOKIE),
        )
    except OperatorError as exc:
        return render(
            request,
            "account.html",
            session,
            {"nav": "account", "error": str(exc), "changed": False},
            status_code=400,
        )
    return RedirectResponse("/account?changed=true", status_code=303)


# --- operators (admin) -----------------------------------------------------------------------


@router.get("/admin/operators")
async def operators_page(request: Request, session: Admin) -> Response:
    operators = await desk_of(request).operators.list()
    return render(
        request,
        "operators.html",
        session,
        {"operators": operators, "roles": list(Role), "nav": "operators", "error": None},
    )


@router.post("/admin/operators")
async def add_operator(
    request: Request,
    session: Admin,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[Role, Form()],
) -> Response:
    store = desk_of(request).operators
    try:
        await store.add(name.strip().lower(), password, role, by=session.operator.name)
    except OperatorError as exc:
        return render(
            request,
            "operators.html",
            session,
            {
                "operators": await store.list(),
                "roles": list(Role),
                "nav": "operators",
                "error": str(exc),
            },
            status_code=400,
        )
    return RedirectResponse("/admin/operators", status_code=303)


@router.post("/admin/operators/{name}/active")
async def set_operator_active(
    request: Request, name: str, session: Admin, active: Annotated[bool, Form()]
) -> Response:
    if name == session.operator.name and not active:
        raise HTTPException(400, "an admin cannot lock themselves out")
    try:
        await desk_of(request).operators.set_active(name, active, by=session.operator.name)
    except OperatorError as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse("/admin/operators", status_code=303)


def _not_found(message: str) -> HTTPException:
    return HTTPException(404, message)
