"""The desk's JSON API: OpenAPI, bearer tokens and sessions, roles, and decisions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.desk_client import Desk, open_desk


@pytest.fixture
def desk(world_path: Path) -> Iterator[Desk]:
    with open_desk(world_path) as opened:
        yield opened


def bearer(desk: Desk, name: str) -> dict[str, str]:
    token = desk.call(desk.desk.operators.issue_token, name, "tests", by="ada")
    return {"Authorization": f"Bearer {token}"}


def test_openapi_describes_list_show_and_decide(desk: Desk) -> None:
    schema = desk.client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "get" in paths["/api/approvals"]
    assert "get" in paths["/api/approvals/{approval_id}"]
    decide = paths["/api/approvals/{approval_id}/decision"]["post"]
    assert {"401", "403", "404", "409", "422"} <= set(decide["responses"])
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    assert not any(path.startswith("/approvals") for path in paths)  # pages stay out


def test_an_approver_token_lists_shows_and_decides(desk: Desk) -> None:
    approval = desk.park()
    headers = bearer(desk, "abe")
    listed = desk.client.get("/api/approvals", headers=headers).json()
    assert [a["id"] for a in listed] == [approval.id]
    shown = desk.client.get(f"/api/approvals/{approval.id}", headers=headers).json()
    assert shown["entitlements"][0]["citation"] == "EU261 Art 7(1)(b)"
    assert len(shown["options"]) == 2 and shown["rationale"]
    decided = desk.client.post(
        f"/api/approvals/{approval.id}/decision",
        json={"verdict": "edit", "option": 1},
        headers=headers,
    )
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["status"] == "edited" and body["decided_by"] == "abe"
    again = desk.client.post(
        f"/api/approvals/{approval.id}/decision", json={"verdict": "approve"}, headers=headers
    )
    assert again.status_code == 409
    assert desk.client.get("/api/approvals", headers=headers).json() == []
    everything = desk.client.get("/api/approvals?status=edited", headers=headers).json()
    assert [a["id"] for a in everything] == [approval.id]


def test_bad_decisions_are_422_and_unknown_approvals_404(desk: Desk) -> None:
    approval = desk.park()
    headers = bearer(desk, "abe")
    url = f"/api/approvals/{approval.id}/decision"
    assert desk.client.post(url, json={"verdict": "reject"}, headers=headers).status_code == 422
    assert (
        desk.client.post(url, json={"verdict": "edit", "option": 9}, headers=headers).status_code
        == 422
    )
    assert desk.client.get("/api/approvals/AP-NOTHERE", headers=headers).status_code == 404


def test_a_viewer_token_reads_but_cannot_decide(desk: Desk) -> None:
    approval = desk.park()
    headers = bearer(desk, "vera")
    assert desk.client.get(f"/api/approvals/{approval.id}", headers=headers).status_code == 200
    refused = desk.client.post(
        f"/api/approvals/{approval.id}/decision", json={"verdict": "approve"}, headers=headers
    )
    assert refused.status_code == 403
    assert desk.call(desk.desk.approvals.get, approval.id).status == "pending"


def test_unknown_and_revoked_tokens_are_401(desk: Desk) -> None:
    assert (
        desk.client.get("/api/approvals", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    headers = bearer(desk, "abe")
    desk.call(desk.desk.operators.set_active, "abe", False, by="ada")
    assert desk.client.get("/api/approvals", headers=headers).status_code == 401


def test_a_session_needs_the_csrf_header_to_decide(desk: Desk) -> None:
    approval = desk.park()
    csrf = desk.login("abe")
    url = f"/api/approvals/{approval.id}/decision"
    assert desk.client.get("/api/approvals").status_code == 200
    assert desk.client.post(url, json={"verdict": "approve"}).status_code == 403
    done = desk.client.post(url, json={"verdict": "approve"}, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200 and done.json()["decided_by"] == "abe"
