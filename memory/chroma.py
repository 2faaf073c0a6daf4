"""Chroma clients: a persistent directory owned by one process, or a server over HTTP.

Chroma's persistent store is single-writer: two processes appending to one directory
corrupt its index. So the process that opens a directory takes an exclusive lock file in
it, and a second one gets `MemoryLockedError` naming the holder instead of a broken
index. Several processes share memory through a Chroma server (``chroma run``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings

from memory.config import MemorySettings
from memory.errors import MemoryLockedError, MemoryStoreError, MemoryUnavailableError
from travel_agent.db import private_dir
from travel_agent.redact import masked_url

LOCK_FILE = "travel-agent.lock"


class DirectoryLock:
    """An exclusive ``flock`` on ``<directory>/travel-agent.lock`` holding the owner's pid.

    The kernel drops the lock when the process dies, so a crashed owner never leaves the
    directory locked. Locks belong to an open file, so a second open in the same process
    is refused too.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock.

        Raises:
            MemoryLockedError: another process (or another open in this one) holds it.
        """
        private_dir(self.directory)  # what customers said and did: its owner's only
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_pid(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise MemoryLockedError(self.directory, holder) from None
            raise MemoryStoreError(f"cannot lock {self.path}: {exc}") from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        # The file stays: unlinking it would let a third process lock a fresh inode while
        # a second still waits on the old one.
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _chroma_settings() -> ChromaSettings:
    # No telemetry: nothing leaves the machine that the user did not configure.
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def persistent_client(directory: Path) -> ClientAPI:
    """A client on `directory`; the caller holds its `DirectoryLock`."""
    try:
        return chromadb.PersistentClient(path=str(directory), settings=_chroma_settings())
    except Exception as exc:  # chromadb raises bare Exceptions from its Rust bindings
        raise MemoryStoreError(f"cannot open customer memory at {directory}: {exc}") from exc


def http_client(settings: MemorySettings) -> ClientAPI:
    """A client of the Chroma server at ``settings.url``.

    Raises:
        MemoryUnavailableError: the server does not answer.
    """
    assert settings.url is not None
    parts = urlsplit(settings.url)
    ssl = parts.scheme == "https"
    headers: dict[str, str] = {}
    if settings.token is not None:
        headers["Authorization"] = f"Bearer {settings.token.get_secret_value()}"
    kwargs: dict[str, Any] = {
        "host": parts.hostname or "localhost",
        "port": parts.port or (443 if ssl else 8000),
        "ssl": ssl,
        "headers": headers,
        "settings": _chroma_settings(),
    }
    try:
        client = chromadb.HttpClient(**kwargs)
        client.heartbeat()
    except (httpx.HTTPError, ConnectionError) as exc:
        raise MemoryUnavailableError(
            f"the Chroma server at {masked_url(settings.url)} does not answer: {exc}"
        ) from exc
    except Exception as exc:
        # HttpClient checks the tenant on construction and wraps a refused connection.
        if _is_connection_failure(exc):
            raise MemoryUnavailableError(
                f"the Chroma server at {masked_url(settings.url)} does not answer: {exc}"
            ) from exc
        raise MemoryStoreError(
            f"the Chroma server at {masked_url(settings.url)} refused us: {exc}"
        ) from exc
    return client


def _is_connection_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (httpx.TransportError, ConnectionError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return "connect" in str(exc).lower()


def close_client(client: ClientAPI) -> None:
    """Release the client; for an HTTP client, also its connection pools.

    Chroma shares one "system" among the clients of one path or server and stops it with
    the last of them, but its HTTP adapter never closes its ``httpx.Client`` (nor the one
    of the admin client it checks the tenant with): we do, once no other client of that
    server is left, so no socket outlives the memory.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    identifier = getattr(client, "_identifier", None)
    sessions = [
        getattr(getattr(owner, "_server", None), "_session", None)
        for owner in (client, getattr(client, "_admin_client", None))
    ]
    client.close()  # type: ignore[attr-defined]
    if identifier in SharedSystemClient._identifier_to_system:
        return  # another client still uses it
    for session in sessions:
        if isinstance(session, httpx.Client):
            session.close()
