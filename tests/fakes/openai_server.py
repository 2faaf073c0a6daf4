"""A scripted OpenAI-compatible chat endpoint on 127.0.0.1, over real HTTP/1.1.

    async with FakeOpenAI([call("find_alternatives", {...}), say('{"actions": []...}')]) as api:
        chat = ChatOpenAI(base_url=api.url + "/v1", api_key="test-key", model="test-model")

``POST /v1/chat/completions`` (non-streaming) answers with the next `Reply` of the script:
tool calls, final content, an HTTP error, a delay first, or a body of its own. A script
step may also be a function of the request, to answer from what the client sent (e.g.
pick an itinerary out of a tool result). Every request is recorded in `requests`. Each
connection serves one request (``Connection: close``); closing the server cancels any
answer still waiting out its delay.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any


@dataclass
class Reply:
    """One scripted answer."""

    content: str | None = None
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    body: str | None = None
    """Sent as is instead of a completion."""
    usage: tuple[int, int] = (120, 30)
    """Prompt and completion tokens."""


Step = Reply | Callable[[dict[str, Any]], Reply]


def call(name: str, args: dict[str, Any], *more: tuple[str, dict[str, Any]]) -> Reply:
    """The assistant asks for one or more tools."""
    return Reply(tool_calls=[(name, args), *more])


def say(content: str | dict[str, Any]) -> Reply:
    """The assistant's final content (a dict is sent as JSON)."""
    return Reply(content=content if isinstance(content, str) else json.dumps(content))


class FakeOpenAI:
    def __init__(self, script: list[Step] | None = None) -> None:
        self.script: list[Step] = list(script or [])
        self.requests: list[dict[str, Any]] = []
        self.unexpected: list[str] = []
        self.url = ""
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._served = 0

    async def __aenter__(self) -> FakeOpenAI:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
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
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    # --- what the client sent ---------------------------------------------------------

    def tools_offered(self, index: int = 0) -> list[str]:
        return [t["function"]["name"] for t in self.requests[index].get("tools", [])]

    def messages(self, index: int, role: str) -> list[str]:
        return [
            m["content"] if isinstance(m["content"], str) else json.dumps(m["content"])
            for m in self.requests[index]["messages"]
            if m["role"] == role
        ]

    # --- HTTP -------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            status, body = await self._answer(reader)
            head = (
                f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n"
            )
            writer.write(head.encode() + body)
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

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, path, _ = request_line.split(" ", 2)
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (line.partition(":") for line in header_lines if line)
        }
        raw = await reader.readexactly(int(headers.get("content-length", "0")))
        if (method, path) != ("POST", "/v1/chat/completions"):
            self.unexpected.append(f"{method} {path}")
            return 404, _error("not found")
        if headers.get("authorization") != "Bearer test-key":
            self.unexpected.append("bad api key")
            return 401, _error("bad api key")
        request = json.loads(raw)
        self.requests.append(request)
        if self._served >= len(self.script):
            self.unexpected.append(f"request {len(self.requests)} beyond the script")
            return 500, _error("script exhausted")
        step = self.script[self._served]
        self._served += 1
        reply = step(request) if callable(step) else step
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.body is not None:
            return reply.status, reply.body.encode()
        if reply.status != 200:
            return reply.status, _error(f"scripted {reply.status}")
        return 200, json.dumps(self._completion(request, reply)).encode()

    def _completion(self, request: dict[str, Any], reply: Reply) -> dict[str, Any]:
        n = len(self.requests)
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{n}_{i}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)},
                }
                for i, (name, args) in enumerate(reply.tool_calls)
            ]
        prompt, completion = reply.usage
        return {
            "id": f"chatcmpl-{n}",
            "object": "chat.completion",
            "created": 1_772_341_200,
            "model": request.get("model", "test-model"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if reply.tool_calls else "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }


def _error(message: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": "server_error"}}).encode()
