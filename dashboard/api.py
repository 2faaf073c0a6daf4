"""The JSON API for approvals (list, show, decide), described at /api/openapi.json.

Authenticated by `Authorization: Bearer <token>` (issued with `travel-agent operators
token NAME`; stored as its hash) or by a desk session cookie — then a state-changing
call also needs the session's `X-CSRF-Token` header, as the pages do.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from agent.approvals import (
    Approval,
    ApprovalClosedError,
    ApprovalNotFoundError,
    ApprovalStatus,
    Decision,
)
from dashboard.auth import Operator, Role
from dashboard.deps import (
    APPROVAL_ID,
    ForbiddenError,
    LoginRequiredError,
    bearer_request,
    desk_of,
    session_of,
)

log = logging.getLogger(__name__)
bearer = HTTPBearer(
    auto_error=False, description="an API token from `travel-agent operators token`"
)
router = APIRouter(prefix="/api", tags=["approvals"])


class Problem(BaseModel):
    detail: str


async def api_operator(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Operator:
    """The token's operator for a bearer call (its cookies ignored), else the session's.

    A call that says "Bearer" is that kind of call even when its token is empty or
    malformed: it is refused, never let fall back on a cookie (its CSRF check was
    skipped for being a bearer call: `dashboard.deps.bearer_request`).
    """
    if bearer_request(request):
        operators = desk_of(request).operators
        token = credentials.credentials if credentials is not None else ""
        operator = await operators.operator_for_token(token) if token else None
        if operator is None:
            raise LoginRequiredError
        return operator
    session = await session_of(request)
    if session is None:
        raise LoginRequiredError
    return session.operator


def _needs(role: Role) -> object:
    async def dependency(operator: Annotated[Operator, Depends(api_operator)]) -> Operator:
        if not operator.role.allows(role):
            raise ForbiddenError(role)
        return operator

    return Depends(dependency)


Viewer = Annotated[Operator, _needs(Role.VIEWER)]
Approver = Annotated[Operator, _needs(Role.APPROVER)]
ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem, "description": "not authenticated"},
    403: {"model": Problem, "description": "the operator's role does not allow this"},
}


@router.get("/approvals", responses=ERRORS)
async def list_approvals(
    request: Request, _operator: Viewer, status: ApprovalStatus | None = ApprovalStatus.PENDING
) -> list[Approval]:
    """Approvals, nearest deadline first; `status` pending by default (empty: all)."""
    return await desk_of(request).approvals.find(status=status)


@router.get("/approvals/{approval_id}", responses=ERRORS | {404: {"model": Problem}})
async def show_approval(request: Request, approval_id: str, _operator: Viewer) -> Approval:
    """One approval: the proposal, the options, entitlements, memory, rationale, decision."""
    if not APPROVAL_ID.fullmatch(approval_id):
        raise HTTPException(404, f"no approval {approval_id!r}")
    try:
        return await desk_of(request).approvals.get(approval_id)
    except ApprovalNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None


@router.post(
    "/approvals/{approval_id}/decision",
    responses=ERRORS
    | {
        404: {"model": Problem},
        409: {"model": Problem, "description": "no longer pending (decided, stale, expired)"},
        422: {"model": Problem, "description": "the decision does not fit the approval"},
    },
)
async def decide_approval(
    request: Request, approval_id: str, decision: Decision, operator: Approver
) -> Approval:
    """Approve, edit (`option`: its number, from 1, as shown; `flight` to check it) or reject.

    The decision is recorded; the daemon that owns the case resumes it.
    """
    desk = desk_of(request)
    if not APPROVAL_ID.fullmatch(approval_id):
        raise HTTPException(404, f"no approval {approval_id!r}")
    try:
        decided = await desk.approvals.decide(approval_id, decision, operator=operator.name)
    except ApprovalNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    except ApprovalClosedError as exc:
        raise HTTPException(409, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    await desk.operators.record(
        operator.name,
        "decided",
        approval_id,
        {
            "verdict": decision.verdict,
            "option": decision.option,
            "flights": decided.decision.flights if decided.decision else None,
            "via": "api",
        },
    )
    log.info("approval %s: %s by %s (api)", approval_id, decision.verdict, operator.name)
    return decided
