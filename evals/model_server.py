"""A local OpenAI-compatible chat endpoint that plays a policy-following model.

For ``travel-agent eval --reasoner llm`` without a real model: it reads the structured
case the llm reasoner sends (the JSON between the untrusted-data fences, see
`agent.reasoners.prompting`) and answers with the plan a careful planner would give —
the earliest-arriving alternative in the booked cabin and one message of the right kind
— as the final JSON the reasoner expects. It never follows text found inside the case
data (the prompt-injection scenarios check that the agent does not either).

    python -m evals.model_server --port 8765      # then TRAVEL_AGENT_LLM__BASE_URL=.../v1
    with ModelServerThread() as url: ...          # in-process, for the CLI and tests

``POST /v1/chat/completions`` (non-streaming) only. Token counts are estimated at four
characters a token, so the usage and cost figures of an evaluation are exercised.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from agent.reasoners.prompting import DATA_CLOSE, DATA_OPEN
from airline.airports import load_airports
from evals.chat_endpoint import ChatEndpoint, completion, error

_REBOOKED = {
    "cancelled": "cancelled_rebooked",
    "diverted": "diverted_rebooked",
    "missed_connection": "missed_connection_rebooked",
}
_NO_ALTERNATIVE = {
    "cancelled": "cancelled_no_alternative",
    "diverted": "diverted_no_alternative",
    "missed_connection": "missed_connection_no_alternative",
}


def case_of(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The case data of the conversation: the fenced JSON in the last user message."""
    for message in reversed(messages):
        content = message.get("content")
        if message.get("role") != "user" or not isinstance(content, str):
            continue
        if DATA_OPEN in content and DATA_CLOSE in content:
            block = content.split(DATA_OPEN, 1)[1].split(DATA_CLOSE, 1)[0]
            try:
                data = json.loads(block)
            except json.JSONDecodeError:
                return None
            return data if isinstance(data, dict) else None
    return None


def policy_plan(case: dict[str, Any]) -> dict[str, Any]:
    """The plan the system prompt's rules give for `case` (the reasoner's `ModelPlan` JSON):
    the earliest-arriving alternative with a seat in the booked cabin (skipping overnight
    departures when the passenger's preferences ask and a daytime option exists), one
    message, and the compensation, care and refund offer the listed entitlements owe."""
    reason = str(case.get("reason", ""))
    owed = _owed(case)
    if reason == "gate_change":
        return _plan([{"kind": "notify", "message": "gate_change"}], "The gate changed.")
    if reason == "reinstated":
        return _plan([{"kind": "notify", "message": "reinstated"}], "The flight flies again.")
    if reason == "arrived_late":
        paid = owed["compensation"]
        return _plan(
            [*paid, {"kind": "notify", "message": "compensation"}] if paid else [],
            "Landed late at the final destination: pay the compensation owed."
            if paid
            else "Landed late, but no compensation is owed.",
        )
    if reason in ("delayed", "recovered"):
        return _plan(
            [
                {"kind": "notify", "message": "delay"},
                *owed["care"],
                *(owed["refund"] if reason == "delayed" else []),
            ],
            "The itinerary still works; inform the passenger and give the care owed.",
        )
    seqs = case.get("replace_seqs") or []
    if not seqs:
        return _plan([], "Nothing on this booking needs replacing.")
    alternatives = [a for a in case.get("alternatives") or [] if (a.get("seats") or 0) > 0]
    cabin = case.get("cabin")
    if alternatives and cabin:
        best = _choose(alternatives, case)
        return _plan(
            [
                {
                    "kind": "rebook",
                    "flights": best["flights"],
                    "replace_seqs": seqs,
                    "cabin": cabin,
                },
                {"kind": "notify", "message": _REBOOKED.get(reason, "cancelled_rebooked")},
                *owed["compensation"],
                *owed["care"],
                *owed["refund"],
            ],
            f"Earliest-arriving alternative with a seat in {cabin}: {' + '.join(best['flights'])}.",
        )
    return _plan(
        [
            {"kind": "notify", "message": _NO_ALTERNATIVE.get(reason, "cancelled_no_alternative")},
            *owed["refund"],
            *owed["compensation"],
            *owed["care"],
        ],
        "No alternative has a seat in the booked cabin.",
    )


def _plan(actions: list[dict[str, Any]], rationale: str) -> dict[str, Any]:
    return {"actions": actions[:6], "rationale": rationale, "confidence": 0.9}


def _owed(case: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Compensation (once per journey), care by regime, and a refund offer, as listed."""
    items = [i for i in case.get("entitlements") or [] if isinstance(i, dict)]
    compensation = [
        {
            "kind": "compensate",
            "regime": i["regime"],
            "amount_cents": i["amount_cents"],
            "currency": i["currency"],
        }
        for i in items
        if i.get("kind") == "compensation" and i.get("amount_cents") is not None
    ][:1]
    care: dict[str, list[str]] = {}
    for i in items:
        if i.get("kind") == "care" and i.get("care"):
            care.setdefault(str(i["regime"]), []).append(str(i["care"]))
    refund: list[dict[str, Any]] = []
    booking = case.get("booking") or {}
    offers = [i for i in items if i.get("kind") in ("refund", "refund_option")]
    # The fare is what a refund returns; a case without it cannot offer the right sum.
    returned = booking.get("refund_cents", booking.get("price_cents"))
    if offers and returned is not None and booking.get("currency"):
        refund.append(
            {
                "kind": "refund_offer",
                "regime": offers[0]["regime"],
                "amount_cents": returned,
                "currency": booking["currency"],
            }
        )
    return {
        "compensation": compensation,
        "care": [{"kind": "care", "regime": r, "items": v} for r, v in care.items()],
        "refund": refund,
    }


def _choose(alternatives: list[dict[str, Any]], case: dict[str, Any]) -> dict[str, Any]:
    ranked = sorted(alternatives, key=lambda a: (a.get("arr", ""), a.get("stops", 0)))
    preferences = case.get("preferences") or {}
    if preferences.get("avoid_overnight") and case.get("origin"):
        zone = _zone(str(case["origin"]))
        daytime = [a for a in ranked if zone is None or not _overnight(a["dep"], zone)]
        if daytime:
            return daytime[0]
    return ranked[0]


def _zone(iata: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(load_airports([iata])[0].tz)
    except Exception:  # an airport a model would not know: no preference applied
        return None


def _overnight(departure: str, zone: ZoneInfo) -> bool:
    local = datetime.fromisoformat(departure).astimezone(zone).time()
    return local >= time(22) or local < time(6)


class PolicyModelServer(ChatEndpoint):
    """The policy-following model on ``http://host:port`` (port 0: any free port), while
    entered as an async context manager."""

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, model: str = "policy-model"
    ) -> None:
        super().__init__(host=host, port=port)
        self.model = model
        self.requests = 0

    async def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        if method != "POST" or not path.rstrip("/").endswith("/chat/completions"):
            return 404, error("only POST /v1/chat/completions is served")
        try:
            request = json.loads(body)
        except json.JSONDecodeError:
            return 400, error("the body is not JSON")
        self.requests += 1
        messages = request.get("messages") or []
        case = case_of(messages)
        if case is None:
            return 400, error("no case data between the untrusted-data fences")
        content = json.dumps(policy_plan(case))
        prompt_chars = sum(len(str(m.get("content") or "")) for m in messages)
        return 200, completion(
            f"chatcmpl-policy-{self.requests}",
            request.get("model", self.model),
            {"role": "assistant", "content": content},
            (max(1, prompt_chars // 4), max(1, len(content) // 4)),
        )


class ModelServerThread:
    """`PolicyModelServer` on its own event loop in a background thread.

    ``with ModelServerThread() as base_url:`` gives the ``.../v1`` URL for the reasoner.
    """

    def __init__(self, *, port: int = 0) -> None:
        self._port = port
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="policy-model", daemon=True)
        self.url = ""
        self._failure: BaseException | None = None

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            async with PolicyModelServer(port=self._port) as server:
                self.url = server.url + "/v1"
                self._ready.set()
                await self._stop.wait()
        except BaseException as exc:  # surfaced to the starting thread
            self._failure = exc
            self._ready.set()

    def __enter__(self) -> str:
        self._thread.start()
        self._ready.wait(10)
        if self._failure is not None or not self.url:
            raise RuntimeError(f"the policy model server did not start: {self._failure!r}")
        return self.url

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    async def serve() -> None:
        async with PolicyModelServer(host=args.host, port=args.port) as server:
            print(f"policy model on {server.url}/v1", flush=True)
            await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
