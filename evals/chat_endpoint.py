"""An OpenAI-compatible chat endpoint over plain HTTP/1.1 on asyncio, for what answers it.

The evals' policy model (`evals.model_server`) and the tests' scripted model
(`tests/fakes/openai_server.py`) differ only in how they answer; the HTTP — one request
per connection (``Connection: close``), JSON both ways — and the shape of a completion
are here, once. Subclasses implement `answer()`.
"""

from __future__ import annotations

import asyncio
import json
from types import TracebackType
from typing import Any, Self

# A fixed `created` stamp: answers are reproducible.
CREATED = 1_772_341_200


class ChatEndpoint:
    """Serves `answer()` on ``http://host:port`` while entered; `url` says where."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.url = ""
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    async def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        """The status and JSON body for one request (headers' names in lower case)."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        host, port = self._server.sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):  # answers still waiting (e.g. a scripted delay)
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, path, _ = request_line.split(" ", 2)
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (line.partition(":") for line in header_lines if line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            status, answer = await self.answer(method, path, headers, body)
            writer.write(
                f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(answer)}\r\n"
                "Connection: close\r\n\r\n".encode()
                + answer
            )
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, asyncio.CancelledError):
                pass
            self._handlers.discard(task)


def completion(
    ident: str,
    model: str,
    message: dict[str, Any],
    usage: tuple[int, int],
) -> bytes:
    """A ``chat.completion`` body carrying `message`, with (prompt, completion) tokens."""
    prompt, completed = usage
    return json.dumps(
        {
            "id": ident,
            "object": "chat.completion",
            "created": CREATED,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completed,
                "total_tokens": prompt + completed,
            },
        }
    ).encode()


def error(message: str, kind: str = "invalid_request_error") -> bytes:
    """An OpenAI-style error body."""
    return json.dumps({"error": {"message": message, "type": kind}}).encode()
