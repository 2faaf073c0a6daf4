"""An OpenAI-compatible chat endpoint (a Starlette app on uvicorn), for what answers it.

The evals' policy model (`evals.model_server`) and the tests' scripted model
(`tests/fakes/openai_server.py`) differ only in how they answer; the HTTP (uvicorn
parses it, `travel_agent.serving.AsgiServer` serves it in the caller's event loop) and
the shape of a completion are here, once. Subclasses implement `answer()`.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from travel_agent.serving import AsgiServer

__all__ = ["CREATED", "ChatEndpoint", "completion", "error"]

# A fixed `created` stamp: answers are reproducible.
CREATED = 1_772_341_200
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


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

    async def _respond(self, request: Request) -> Response:
        headers = {name.lower(): value for name, value in request.headers.items()}
        status, answer = await self.answer(
            request.method, request.url.path, headers, await request.body()
        )
        return Response(answer, status, media_type="application/json")


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
