"""A scripted OpenAI-compatible chat endpoint on 127.0.0.1, over real HTTP/1.1.

    async with FakeOpenAI([call("find_alternatives", {...}), say('{"actions": []...}')]) as api:
        chat = ChatOpenAI(base_url=api.url + "/v1", api_key="test-key", model="test-model")

``POST /v1/chat/completions`` answers with the next `Reply` of the script: tool calls,
final content, an HTTP error, a delay first, or a body of its own; streamed when asked
(`evals.chat_endpoint`), then optionally paced like a slow model, with llama.cpp's
prompt-progress events first, or stalling part-way. A script
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
from typing import Any

from evals.chat_endpoint import ChatEndpoint, completion, error, stream_chunks

# How long a stalled answer waits before its next chunk: longer than any test's deadline.
STALL_SECONDS = 3600.0


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
    pace: float = 0.0
    """Seconds before each streamed chunk (a slow model that keeps making progress)."""
    prompt_progress: int = 0
    """llama.cpp prompt-progress events streamed before the answer (a long prompt read)."""
    stall_after: int | None = None
    """Streamed chunks sent before the answer stops coming (a hung model)."""


Step = Reply | Callable[[dict[str, Any]], Reply]


def call(name: str, args: dict[str, Any], *more: tuple[str, dict[str, Any]]) -> Reply:
    """The assistant asks for one or more tools."""
    return Reply(tool_calls=[(name, args), *more])


def say(content: str | dict[str, Any]) -> Reply:
    """The assistant's final content (a dict is sent as JSON)."""
    return Reply(content=content if isinstance(content, str) else json.dumps(content))


class FakeOpenAI(ChatEndpoint):
    def __init__(self, script: list[Step] | None = None) -> None:
        super().__init__()
        self.script: list[Step] = list(script or [])
        self.requests: list[dict[str, Any]] = []
        self.unexpected: list[str] = []
        self._served = 0
        self._streamed: dict[str, Reply] = {}
        """The scripted reply of each completion id, for pacing its stream."""

    # --- what the client sent ---------------------------------------------------------

    def tools_offered(self, index: int = 0) -> list[str]:
        return [t["function"]["name"] for t in self.requests[index].get("tools", [])]

    def messages(self, index: int, role: str) -> list[str]:
        return [
            m["content"] if isinstance(m["content"], str) else json.dumps(m["content"])
            for m in self.requests[index]["messages"]
            if m["role"] == role
        ]

    # --- the scripted answers -----------------------------------------------------------

    async def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        if (method, path) != ("POST", "/v1/chat/completions"):
            self.unexpected.append(f"{method} {path}")
            return 404, error("not found", "server_error")
        if headers.get("authorization") != "Bearer test-key":
            self.unexpected.append("bad api key")
            return 401, error("bad api key", "server_error")
        request = json.loads(body)
        self.requests.append(request)
        if self._served >= len(self.script):
            self.unexpected.append(f"request {len(self.requests)} beyond the script")
            return 500, error("script exhausted", "server_error")
        step = self.script[self._served]
        self._served += 1
        reply = step(request) if callable(step) else step
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.body is not None:
            return reply.status, reply.body.encode()
        if reply.status != 200:
            return reply.status, error(f"scripted {reply.status}", "server_error")
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
        ident = f"chatcmpl-{n}"
        self._streamed[ident] = reply
        whole = completion(ident, request.get("model", "test-model"), message, reply.usage)
        if not request.get("stream"):  # unstreamed, a slow answer arrives when it is all made
            made = len(self.chunks(json.loads(whole), include_usage=False))
            stalls = reply.stall_after is not None and reply.stall_after < made
            await asyncio.sleep(STALL_SECONDS if stalls else reply.pace * made)
        return 200, whole

    # --- how a streamed answer comes ------------------------------------------------------

    def chunks(self, whole: dict[str, Any], *, include_usage: bool) -> list[dict[str, Any]]:
        answer = stream_chunks(whole, include_usage=include_usage)
        total = whole["usage"]["prompt_tokens"]
        steps = self._streamed[whole["id"]].prompt_progress
        progress = [
            {
                **answer[0],
                "prompt_progress": {
                    "total": total,
                    "cache": 0,
                    "processed": total * (i + 1) // steps,
                    "time_ms": i,
                },
            }
            for i in range(steps)
        ]
        return progress + answer

    async def before_chunk(self, ident: str, index: int) -> None:
        reply = self._streamed[ident]
        if reply.stall_after is not None and index >= reply.stall_after:
            await asyncio.sleep(STALL_SECONDS)
        await asyncio.sleep(reply.pace)
