"""`travel-agent dashboard` and `travel-agent operators ...`, registered by `app.cli`.

Entry point only, like `app.cli`: nothing imports this module but the CLI, and it
imports `dashboard` only inside the commands.
"""

from __future__ import annotations

import asyncio
import getpass
import secrets
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Annotated, Any, TypeVar

import typer

from app.cli_common import Typer
from app.migrate import open_database
from app.settings import Settings
from app.wiring import open_memory_for
from memory.base import CustomerMemory

T = TypeVar("T")
Runner = Callable[[Callable[[asyncio.Event], Awaitable[Any]]], Any]

operators_app = Typer(help="Operators of the desk: add them, issue API tokens.")

ROLE_HELP = "viewer (sees everything), approver (also decides), admin (also manages operators)"


def register(
    app: typer.Typer,
    *,
    run: Runner,
    settings: Callable[[], Settings],
    say: Callable[[str], None],
) -> None:
    """Add the desk's commands to the `travel-agent` app."""

    @app.command()
    def dashboard(
        host: Annotated[
            str | None, typer.Option(help="address to bind (default 127.0.0.1)")
        ] = None,
        port: Annotated[int | None, typer.Option(help="port (default 8000)")] = None,
    ) -> None:
        """Serve the operator desk on the configured database until Ctrl-C."""
        from dashboard.app import create_app
        from dashboard.server import DeskServer

        config = settings()
        config = with_desk_address(config, host, port)

        async def main(stop: asyncio.Event) -> None:
            # A memory directory is owned by the daemon's process; a Chroma server is
            # shared, so the customer page shows memory only in server mode.
            async with AsyncExitStack() as stack:
                memory = (
                    await stack.enter_async_context(open_memory_for(config))
                    if config.memory.url
                    else None
                )
                await _serve(config, memory, stop)

        async def _serve(
            config: Settings, memory: CustomerMemory | None, stop: asyncio.Event
        ) -> None:
            async with open_database(config.db_url) as db:
                app = create_app(config, db=db, memory=memory)
                async with DeskServer(
                    app,
                    host=config.dashboard.host,
                    port=config.dashboard.port,
                    tls_certfile=config.dashboard.tls_certfile,
                    tls_keyfile=config.dashboard.tls_keyfile,
                ) as server:
                    say(f"operator desk on {server.url}  (Ctrl-C stops)")
                    if not await _has_operators(app):
                        say("no operators yet: `travel-agent operators add NAME --role admin`")
                    await stop.wait()

        run(main)

    @operators_app.command("add")
    def add(
        name: Annotated[str, typer.Argument(help="login name: lower-case letters, digits, . _ -")],
        role: Annotated[str, typer.Option(help=ROLE_HELP)] = "viewer",
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="read the password from stdin", metavar="")
        ] = False,
    ) -> None:
        """Add an operator; asks for the password (twice) unless --password-stdin."""
        from dashboard.auth import Role

        try:
            chosen = Role(role)
        except ValueError:
            say(f"error: --role must be one of {', '.join(r.value for r in Role)}")
            raise typer.Exit(2) from None
        password = _read_password(name, from_stdin=password_stdin)
        _on_store(lambda store: store.add(name, password, chosen, by="cli"))
        say(f"operator {name} added ({chosen.value})")

    @operators_app.command("passwd")
    def passwd(
        name: Annotated[str, typer.Argument(help="the operator whose password to set")],
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="read the password from stdin", metavar="")
        ] = False,
    ) -> None:
        """Set an operator's password (a reset: the old one is not asked for); every
        session of theirs ends. Operators change their own on the desk (/account)."""
        password = _read_password(name, from_stdin=password_stdin)
        _on_store(lambda store: store.set_password(name, password, by="cli"))
        say(f"operator {name} has a new password; their sessions have ended")

    def _read_password(name: str, *, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\r\n")
        password = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != password:
            say("error: the passwords differ")
            raise typer.Exit(2)
        return password

    @operators_app.command("token")
    def token(
        name: Annotated[str, typer.Argument(help="the operator the token acts as")],
        label: Annotated[str, typer.Option(help="what the token is for")] = "api",
    ) -> None:
        """Issue a bearer token for the JSON API (printed once; only its hash is kept)."""
        typer.echo(_on_store(lambda store: store.issue_token(name, label, by="cli")))

    @operators_app.command("disable")
    def disable(name: Annotated[str, typer.Argument(help="the operator to lock out")]) -> None:
        """Lock an operator out: their sessions end and their API tokens are revoked."""
        _set_active(name, False)

    @operators_app.command("enable")
    def enable(name: Annotated[str, typer.Argument(help="the operator to let in again")]) -> None:
        """Let a disabled operator log in again (tokens stay revoked)."""
        _set_active(name, True)

    def _set_active(name: str, active: bool) -> None:
        _on_store(lambda store: store.set_active(name, active, by="cli"))
        say(f"operator {name} {'enabled' if active else 'disabled'}")

    def _on_store(work: Callable[[Any], Awaitable[T]]) -> T:
        """`work(store)` on the configured database's operator store, in its own loop."""
        config = settings()

        async def main(_stop: asyncio.Event) -> T:
            async with _store(config) as store:
                return await work(store)

        result: T = run(main)
        return result

    @operators_app.command("list")
    def list_operators() -> None:
        """The operators, their roles and whether they are active."""
        for operator, active, since in _on_store(lambda store: store.list()):
            state = "active" if active else "disabled"
            typer.echo(f"{operator.name}\t{operator.role.value}\t{state}\t{since:%Y-%m-%d}")

    app.add_typer(operators_app, name="operators")


def with_desk_address(config: Settings, host: str | None, port: int | None) -> Settings:
    desk = config.dashboard.model_copy(
        update={k: v for k, v in (("host", host), ("port", port)) if v is not None}
    )
    return config.model_copy(update={"dashboard": desk})


@asynccontextmanager
async def _store(config: Settings) -> AsyncIterator[Any]:
    from dashboard.auth import OperatorStore

    async with open_database(config.db_url) as db:
        yield OperatorStore(db)


async def _has_operators(app: Any) -> bool:
    return bool(await app.state.desk.operators.list())


def demo_desk(
    host: str | None, port: int | None, say: Callable[[str], None]
) -> Callable[[Settings, CustomerMemory | None], AbstractAsyncContextManager[object]]:
    """For `travel-agent demo`: serve the desk on the demo's database, with a demo operator."""

    @asynccontextmanager
    async def serve(
        run_settings: Settings, memory: CustomerMemory | None = None
    ) -> AsyncIterator[object]:
        from dashboard.app import create_app
        from dashboard.auth import Role
        from dashboard.server import DeskServer

        config = with_desk_address(run_settings, host, port)
        async with open_database(config.db_url) as db:
            app = create_app(config, db=db, memory=memory)
            async with DeskServer(
                app, host=config.dashboard.host, port=config.dashboard.port
            ) as server:
                password = secrets.token_urlsafe(12)
                await app.state.desk.operators.add("demo", password, Role.ADMIN, by="demo")
                say(f"operator desk on {server.url}  — log in as demo / {password}")
                yield server

    return serve
