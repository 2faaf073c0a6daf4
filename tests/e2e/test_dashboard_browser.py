"""The operator desk in a real headless Chromium, against a served desk and a working agent.

An approver logs in; a pending approval appears on the open queue without a reload; they
approve it in the browser; the agent resumes the case to done; the audit log names them.
A viewer cannot approve, a state change without the CSRF token is refused, and every page
sends a stranger to the login. The README's screenshots are taken here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from agent.tables import CaseRow
from airline.tables import LedgerRow
from app.settings import Settings
from dashboard.app import create_app
from dashboard.auth import Role
from dashboard.server import DeskServer
from dashboard.settings import DashboardSettings
from tests.conftest import REPO
from tests.fakes.desk import PASSWORDS, ROLES
from tests.fakes.desk_agent import DeskAgent
from travel_agent.db import copy_sqlite

pytestmark = pytest.mark.asyncio(loop_scope="module")
# The README's pictures are refreshed only when asked (UPDATE_SCREENSHOTS=1), so a test
# run leaves the tree clean; otherwise they are still taken, into a scratch directory.
SCREENSHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS")
    else Path(tempfile.mkdtemp(prefix="desk-screenshots-"))
)
PAGES = ["/", "/approvals", "/disruptions", "/board", "/audit", "/admin/operators"]
WAIT_MS = 20_000
expect.set_options(timeout=WAIT_MS)


@dataclass
class Served:
    url: str
    agent: DeskAgent


@pytest.fixture(scope="module")
def world(world_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("desk-e2e")
    copy_sqlite(world_template, data_dir / "airline.sqlite")
    return data_dir


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served(world: Path) -> AsyncIterator[Served]:
    """The desk on an ephemeral loopback port, and the agent working the same database."""
    settings = Settings(data_dir=world, agent={"approvals": {"all_rebookings": True}})
    async with DeskAgent.running(settings) as agent:
        desk = DashboardSettings(poll_seconds=0.3, metrics_url=agent.metrics_url)
        app = create_app(settings.model_copy(update={"dashboard": desk}))
        async with DeskServer(app, host="127.0.0.1", port=0) as server:
            for name, role in ROLES.items():
                await app.state.desk.operators.add(name, PASSWORDS[name], Role(role))
            yield Served(server.url, agent)


@pytest_asyncio.fixture(loop_scope="module")
async def context(browser: Browser, served: Served) -> AsyncIterator[BrowserContext]:
    opened = await browser.new_context(
        base_url=served.url, viewport={"width": 1440, "height": 900}, timezone_id="UTC"
    )
    try:
        yield opened
    finally:
        await opened.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


async def log_in(page: Page, name: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Operator").fill(name)
    await page.get_by_label("Password").fill(PASSWORDS[name])
    await page.get_by_role("button", name="Log in").click()
    await expect(page.locator(".who .op")).to_contain_text(name)


async def test_every_page_sends_a_stranger_to_the_login(page: Page, served: Served) -> None:
    for path in [*PAGES, "/customers/C000001"]:
        await page.goto(path)
        assert "/login?next=" in page.url, path
        await expect(page.get_by_role("button", name="Log in")).to_be_visible()


async def test_an_approval_appears_live_is_approved_and_the_case_completes(
    page: Page, served: Served
) -> None:
    await log_in(page, "abe")
    await page.goto("/approvals")
    await expect(page.locator("#queue")).to_be_visible()
    await page.evaluate("window.deskNotReloaded = true")

    approval_id = await served.agent.cause_approval()

    card = page.locator(f'article[data-approval="{approval_id}"]')
    await expect(card).to_be_visible()  # pushed by the live events, no reload
    assert await page.evaluate("window.deskNotReloaded === true")
    await expect(card.get_by_text("Entitlements")).to_be_visible()
    await expect(card.locator("cite").first).to_be_visible()
    await expect(card.get_by_role("button", name="Approve")).to_be_enabled()
    waiting = await served.agent.wait_until_parked()
    await expect(page.locator("#pending-count")).to_have_text(str(waiting))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "approvals.png"), full_page=False)

    await card.get_by_role("button", name="Approve").click()
    await expect(page.locator(f'article[data-approval="{approval_id}"].decided')).to_contain_text(
        "by abe"
    )

    case_id = await served.agent.wait_until_done(approval_id)
    async with served.agent.db.session() as session:
        case = await session.get(CaseRow, case_id)
        effects = (
            await session.scalars(select(LedgerRow.action).where(LedgerRow.case_id == case_id))
        ).all()
    assert case is not None and case.status == "done"
    assert "rebook" in effects

    await page.goto("/audit")
    row = page.locator(f'#audit tr[data-approval="{approval_id}"]')
    await expect(row.locator("[data-operator]")).to_have_text("abe")
    await expect(row.locator("td.followed")).to_have_attribute("data-case-status", "done")
    await expect(row.locator("td.followed")).to_contain_text("rebook")

    await page.goto("/")
    await expect(page.locator('[data-cases="done"]')).not_to_have_text("0")
    await expect(page.locator('[data-figure="dead-letters"]')).to_have_text("0")
    await page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=False)


async def test_a_viewer_cannot_approve(page: Page, served: Served) -> None:
    approval_id = await served.agent.cause_approval()
    await log_in(page, "vera")
    await page.goto("/approvals")
    card = page.locator(f'article[data-approval="{approval_id}"]')
    await expect(card).to_be_visible()
    await expect(card.get_by_text("View only")).to_be_visible()
    assert await card.get_by_role("button", name="Approve").count() == 0
    # Forcing it, with a valid session and CSRF token, is refused by the server.
    token = await page.evaluate(
        "JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']"
    )
    response = await page.request.post(
        f"/approvals/{approval_id}/decide",
        form={"verdict": "approve", "csrf_token": token},
        max_redirects=0,
    )
    assert response.status == 403
    assert (await served.agent.desk.get(approval_id)).status == "pending"


async def test_a_state_change_without_the_csrf_token_is_refused(page: Page, served: Served) -> None:
    approval_id = await served.agent.cause_approval()
    await log_in(page, "abe")
    response = await page.request.post(
        f"/approvals/{approval_id}/decide", form={"verdict": "approve"}, max_redirects=0
    )
    assert response.status == 403
    api = await page.request.post(
        f"/api/approvals/{approval_id}/decision", data={"verdict": "approve"}
    )
    assert api.status == 403
    assert (await served.agent.desk.get(approval_id)).status == "pending"
    # The same session with its token is accepted: the refusal was the token's absence.
    await page.goto("/approvals")
    card = page.locator(f'article[data-approval="{approval_id}"]')
    await card.get_by_label("reason for rejecting").fill("customer called the desk")
    await card.get_by_role("button", name="Reject").click()
    await expect(page.locator(f'article[data-approval="{approval_id}"].decided')).to_contain_text(
        "rejected"
    )
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(served.agent.wait_until_done(approval_id), 10)


async def test_board_changes_and_case_states_arrive_without_a_reload(
    context: BrowserContext, served: Served
) -> None:
    overview, board = await context.new_page(), await context.new_page()
    await log_in(overview, "vera")
    awaiting = int(await overview.locator('[data-cases="awaiting_approval"]').inner_text())
    await board.goto("/board")
    for page in (overview, board):
        await page.evaluate("window.deskNotReloaded = true")

    flight = await served.agent.cancel_a_flight()

    row = board.locator(f'tr[data-flight="{flight}"]')
    await expect(row.locator(".tag")).to_have_text("cancelled")
    counted = overview.locator('[data-cases="awaiting_approval"]')
    await expect(counted).not_to_have_text(str(awaiting))
    await served.agent.wait_until_parked()
    await expect(counted).to_have_text(str(len(await served.agent.desk.pending())))
    for page in (overview, board):
        assert await page.evaluate("window.deskNotReloaded === true")


async def test_an_edit_books_the_option_the_operator_chose(page: Page, served: Served) -> None:
    approval_id = await served.agent.cause_approval()
    approval = await served.agent.desk.get(approval_id)
    assert len(approval.options) >= 2
    await log_in(page, "abe")
    await page.goto("/approvals")
    card = page.locator(f'article[data-approval="{approval_id}"]')
    await card.get_by_label("option 2").check()
    await card.get_by_role("button", name="Edit: book the selected option").click()
    decided = page.locator(f'article[data-approval="{approval_id}"].decided')
    await expect(decided).to_contain_text("edited")
    await expect(decided).to_contain_text("option 2")
    case_id = await served.agent.wait_until_done(approval_id)
    async with served.agent.db.session() as session:
        rebooked = await session.scalar(
            select(LedgerRow.detail).where(
                LedgerRow.case_id == case_id, LedgerRow.action == "rebook"
            )
        )
    assert rebooked is not None
    assert approval.options[1]["flight_keys"][0] in str(rebooked)
