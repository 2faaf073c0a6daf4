"""`travel-agent operators add | token | list | passwd` against the configured database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app


@pytest.fixture
def env(world_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAVEL_AGENT_DATA_DIR", str(world_path.parent))


def test_operators_are_added_listed_and_issued_tokens(env: None) -> None:
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["operators", "add", "maria", "--role", "approver", "--password-stdin"],
        input="a-long-password\n",
    )
    assert added.exit_code == 0, added.output
    assert "operator maria added (approver)" in added.output
    listed = runner.invoke(app, ["operators", "list"])
    assert "maria\tapprover\tactive" in listed.output
    token = runner.invoke(app, ["operators", "token", "maria"])
    assert token.exit_code == 0 and token.output.strip().startswith("tad_")


def test_bad_roles_names_and_passwords_are_refused(env: None) -> None:
    runner = CliRunner()
    role = runner.invoke(app, ["operators", "add", "maria", "--role", "boss", "--password-stdin"])
    assert role.exit_code == 2 and "--role must be one of" in role.output
    short = runner.invoke(app, ["operators", "add", "maria", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    name = runner.invoke(
        app, ["operators", "add", "Maria Smith", "--password-stdin"], input="a-long-password\n"
    )
    assert name.exit_code == 1 and "operator name" in name.output


def test_an_admin_resets_a_password_from_the_shell(env: None) -> None:
    runner = CliRunner()
    runner.invoke(app, ["operators", "add", "maria", "--password-stdin"], input="a-long-password\n")

    reset = runner.invoke(
        app, ["operators", "passwd", "maria", "--password-stdin"], input="another-long-one\n"
    )
    assert reset.exit_code == 0, reset.output
    assert "operator maria has a new password" in reset.output
    weak = runner.invoke(app, ["operators", "passwd", "maria", "--password-stdin"], input="x\n")
    assert weak.exit_code == 1 and "at least 10 characters" in weak.output
    nobody = runner.invoke(
        app, ["operators", "passwd", "nobody", "--password-stdin"], input="another-long-one\n"
    )
    assert nobody.exit_code == 1 and "no operator 'nobody'" in nobody.output


async def test_the_demo_serves_the_desk_with_a_demo_operator(world_path: Path) -> None:
    import httpx

    from app.dashboard_cli import demo_desk
    from app.settings import Settings

    said: list[str] = []
    serve = demo_desk("127.0.0.1", 0, said.append)
    async with serve(Settings(data_dir=world_path.parent)) as server:
        line = next(s for s in said if s.startswith("operator desk on "))
        url, password = line.split()[3], line.split()[-1]
        assert url == server.url  # type: ignore[attr-defined]
        async with httpx.AsyncClient(base_url=url) as client:
            page = await client.get("/login")
            token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            logged_in = await client.post(
                "/login", data={"name": "demo", "password": password, "csrf_token": token}
            )
            assert logged_in.status_code == 303
            assert (await client.get("/admin/operators")).status_code == 200
