"""An OpenAI-compatible chat endpoint (a Starlette app on uvicorn), for what answers it.

The evals' policy model (`evals.model_server`) and the tests' scripted model
(`tests/fakes/openai_server.py`) differ only in how they answer; the HTTP (uvicorn
parses it, `travel_agent.serving.AsgiServer` serves it in the caller's event loop) and
the shape of a completion are here, once. Subclasses implement `answer()`.

A request with ``"stream": true`` (the model reasoner always streams) gets the same
completion as server-sent ``chat.completion.chunk`` events: the role, the content in
pieces, the tool calls, the finish reason, and the usage when ``stream_options`` asks
for it, as OpenAI and llama.cpp send them. `before_chunk()` may pace them (a slow model).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from travel_agent.serving import AsgiServer

__all__ = ["CREATED", "ChatEndpoint", "completion", "error", "stream_chunks"]

# A fixed `created` stamp: answers are reproducible.
CREATED = 1_772_341_200
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# Characters of content per streamed chunk: several chunks for any real answer.
CHUNK_CHARS = 16


class ChatEndpoint(AsgiServer):
    """Serves `answer()` on ``http://host:port`` while entered; `url` says where."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        app = Starlette(routes=[Route("/{path:path}", self._respond, methods=METHODS)])
        # Scripted slow answers are cut short on exit rather than waited for.
        super().__init__(app, host=host, port=port, what="the chat endpoint", graceful_seconds=1)

    async def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        """The status and JSON body for one request (headers' names in lower case)."""
        raise NotImplementedError

    def chunks(self, whole: dict[str, Any], *, include_usage: bool) -> list[dict[str, Any]]:
        """The events that stream completion `whole` (see `stream_chunks`)."""
        return stream_chunks(whole, include_usage=include_usage)

    async def before_chunk(self, ident: str, index: int) -> None:
        """Called before the `index`-th streamed chunk of completion `ident` is sent."""

    async def _respond(self, request: Request) -> Response:
        headers = {name.lower(): value for name, value in request.headers.items()}
        body = await request.body()
        status, answer = await self.answer(request.method, request.url.path, headers, body)
        streamed = _streaming(body)
        if status != 200 or streamed is None:
            return Response(answer, status, media_type="application/json")
        try:
            whole = json.loads(answer)
        except json.JSONDecodeError:  # not a completion: sent as it is, as a server would
            return Response(answer, status, media_type="application/json")
        return StreamingResponse(self._events(whole, streamed), media_type="text/event-stream")

    async def _events(self, whole: dict[str, Any], include_usage: bool) -> AsyncIterator[bytes]:
        ident = str(whole.get("id", ""))
        for index, chunk in enumerate(self.chunks(whole, include_usage=include_usage)):
            await self.before_chunk(ident, index)
            yield b"data: " + json.dumps(chunk).encode() + b"\n\n"
        yield b"data: [DONE]\n\n"


def _streaming(body: bytes) -> bool | None:
    """None for a plain request, else whether the streamed answer ends with the usage."""
    try:
        request = json.loads(body)
    except json.JSONDecodeError:
        return None
    if not isinstance(request, dict) or not request.get("stream"):
        return None
    options = request.get("stream_options") or {}
    return bool(options.get("include_usage"))


def stream_chunks(whole: dict[str, Any], *, include_usage: bool) -> list[dict[str, Any]]:
    """A ``chat.completion`` body as the ``chat.completion.chunk`` events that stream it."""
    (choice,) = whole["choices"]
    message = choice["message"]
    head = {k: whole[k] for k in ("id", "created", "model")} | {"object": "chat.completion.chunk"}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return head | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    chunks = [chunk({"role": "assistant", "content": ""})]
    content = message.get("content") or ""
    chunks += [
        chunk({"content": content[i : i + CHUNK_CHARS]})
        for i in range(0, len(content), CHUNK_CHARS)
    ]
    for i, tool_call in enumerate(message.get("tool_calls") or []):
        chunks.append(chunk({"tool_calls": [{"index": i, **tool_call}]}))
    chunks.append(chunk({}, choice["finish_reason"]))
    if include_usage:  # OpenAI's last chunk: no choices, the usage of the whole answer
        chunks.append(head | {"choices": [], "usage": whole["usage"]})
    return chunks


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
