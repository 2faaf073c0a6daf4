"""The model reasoner: a chat model over any OpenAI-compatible endpoint.

The only importer of ``langchain_openai`` and ``openai``; their errors stop here.

    plan(context)
      system prompt (rules of the road, answer schema) + the case as fenced untrusted data
      → up to `max_tool_rounds` rounds of read-only tool calls, run here, results fed back
      → a final JSON plan (`ModelPlan`) → `Plan`, which the guard checks like any other

Write tools are never bound and never run: a model that asks for ``rebook`` or
``send_notification`` anyway has the call turned into a proposed action (when it is the
whole answer and concerns this booking) or refused. On a timeout, an HTTP or connection
error, malformed JSON, a schema violation or too many rounds the fallback reasoner (the
rules) plans instead, and the plan says why.

The deadline follows progress, not the wall clock: every answer is streamed, and the
case gives up only when `timeout` seconds pass with nothing from the model (no token, no
prompt-progress event, no tool result). A small model on a busy CPU may take many
minutes over one plan and still be fine; a hung one is found after `timeout`. (A fixed
deadline for the whole conversation failed real decisions on a loaded CI machine.) The
answer's length is bounded by ``max_output_tokens`` and the rounds by `max_tool_rounds`,
so a model that keeps talking still ends. Tokens and an estimated cost are counted per
case and written into the rationale (and `Plan.usage`, where the plan has that field).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    BaseMessageChunk,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    message_chunk_to_message,
)
from langchain_core.messages.tool import ToolCall
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_openai import ChatOpenAI
from pydantic import SecretStr, ValidationError

from agent.reasoners.base import Reasoner
from agent.reasoners.prompting import (
    SYSTEM_PROMPT,
    ModelOutputError,
    ModelPlan,
    case_message,
    fence,
    parse_plan,
)
from agent.reasoners.rules import RulesReasoner
from agent.reasoners.usage import Pricing, Usage
from agent.state import (
    CaseContext,
    CompensateAction,
    NotifyAction,
    Plan,
    ProposedAction,
    RebookAction,
)
from tools.agent_tools import READ_ONLY_TOOLS

log = logging.getLogger(__name__)

# A tool result longer than this is cut before it goes back to the model.
MAX_TOOL_RESULT_CHARS = 8000


class ModelFailure(Exception):
    """The model gave no usable plan; the message says why, for the plan's rationale."""


class _Progress:
    """Moves a case's deadline on each time the model shows it is working."""

    def __init__(self, deadline: asyncio.Timeout, idle: float, total: list[int]) -> None:
        self._deadline = deadline
        self._idle = idle
        self._total = total
        self.chunks = 0

    def expired(self) -> bool:
        """Whether it was this deadline that ended the conversation."""
        return self._deadline.expired()

    def made(self) -> None:
        self.chunks += 1
        self._total[0] += 1
        self._deadline.reschedule(asyncio.get_running_loop().time() + self._idle)


class LlmReasoner:
    """Plans with a chat model and read-only tools; falls back to `fallback` on failure.

    Args:
        chat: a LangChain chat model that supports tool calling (ChatOpenAI or alike).
        tools: the agent's tools; only the read-only ones are offered and run.
        max_tool_rounds: model turns that may call tools before a plan is due.
        timeout: seconds the model may go without progress (no streamed chunk, no
            prompt-progress event) before the case gives up on it.
        fallback: plans when the model fails (default: the rules reasoner).
        pricing: for the cost estimate.
        log_model_data: log prompts and answers (they carry passenger data).
    """

    name = "llm"

    def __init__(
        self,
        chat: BaseChatModel,
        tools: Sequence[BaseTool],
        *,
        max_tool_rounds: int = 4,
        timeout: float = 30.0,
        fallback: Reasoner | None = None,
        pricing: Pricing | None = None,
        log_model_data: bool = False,
    ) -> None:
        self._tools = {t.name: t for t in tools if t.name in READ_ONLY_TOOLS}
        self._model: Runnable[Any, BaseMessage] = (
            chat.bind_tools(list(self._tools.values())) if self._tools else chat
        )
        self._max_rounds = max_tool_rounds
        self._timeout = timeout
        self._fallback: Reasoner = fallback or RulesReasoner()
        self._pricing = pricing or Pricing()
        self._log_data = log_model_data
        self._progress = [0]

    @property
    def progress(self) -> int:
        """Streamed chunks received so far, over all cases: grows while the model works,
        so a caller waiting for decisions can tell a slow model from a hung one."""
        return self._progress[0]

    async def plan(self, context: CaseContext) -> Plan:
        usage = Usage()
        started = time.perf_counter()
        progress: _Progress | None = None
        try:
            async with asyncio.timeout(self._timeout) as deadline:
                progress = _Progress(deadline, self._timeout, self._progress)
                try:
                    answer, refused = await self._converse(context, usage, progress)
                finally:
                    usage.latency_ms = round((time.perf_counter() - started) * 1000)
        except TimeoutError as exc:
            if progress is not None and progress.expired():
                reason = (
                    f"no progress from the model for {self._timeout:g} s "
                    f"({progress.chunks} sign(s) of progress before it stalled, "
                    f"{usage.latency_ms / 1000:.1f} s in all)"
                )
            else:  # not ours: say whose, so it is not mistaken for the model stalling
                reason = f"a timeout in the model's client ({type(exc).__name__})"
        except openai.APITimeoutError:
            reason = "timeout from the model endpoint's client"
        except openai.APIStatusError as exc:
            reason = f"HTTP {exc.status_code} from the model endpoint"
        except openai.APIConnectionError as exc:
            reason = f"model endpoint unreachable ({type(exc.__cause__ or exc).__name__})"
        except (json.JSONDecodeError, openai.APIResponseValidationError):
            reason = "the endpoint's answer is not a JSON completion"
        except (ModelFailure, ModelOutputError) as exc:
            reason = str(exc)
        except Exception as exc:  # any other failure of a model call must not fail the case
            log.exception("model reasoner failed unexpectedly")
            reason = f"unexpected {type(exc).__name__}"
        else:
            notes = f" Refused tool calls: {'; '.join(refused)}." if refused else ""
            return Plan.model_validate(
                {
                    "actions": answer.actions,
                    "rationale": f"model: {answer.rationale}{notes} {usage.summary(self._pricing)}",
                    "reasoner": self.name,
                    "confidence": answer.confidence,
                    "usage": usage.as_dict(self._pricing),
                }
            )
        log.warning("model failed (%s); %s plan used", reason, self._fallback.name)
        plan = await self._fallback.plan(context)
        return Plan.model_validate(
            {
                "actions": plan.actions,
                "rationale": f"model failed: {reason}; {self._fallback.name} plan used: "
                f"{plan.rationale} {usage.summary(self._pricing)}",
                "reasoner": f"{self._fallback.name} (fallback from {self.name})",
                "usage": usage.as_dict(self._pricing),
            }
        )

    async def _converse(
        self, context: CaseContext, usage: Usage, progress: _Progress
    ) -> tuple[ModelPlan, list[str]]:
        messages: list[BaseMessage] = [
            SystemMessage(SYSTEM_PROMPT),
            HumanMessage(case_message(context)),
        ]
        refused: list[str] = []
        for turn in range(self._max_rounds + 1):
            reply = await self._ask(messages, progress)
            usage.add(reply)
            if not isinstance(reply, AIMessage):
                raise ModelFailure(f"the model answered with a {type(reply).__name__}")
            if self._log_data:
                log.info("model turn %d: %s", turn, reply.model_dump_json())
            if not reply.tool_calls:
                return parse_plan(reply.text), refused
            if turn == self._max_rounds:
                raise ModelFailure(f"no plan after {self._max_rounds} tool rounds")
            if proposed := self._as_plan(reply, context):
                return proposed, refused
            messages.append(reply)
            for call in reply.tool_calls:
                if call["name"] in self._tools:
                    content = await self._run(call)
                else:
                    refused.append(f"{call['name']} (not run)")
                    content = (
                        f"refused: {call['name']} is not a tool you can run. Propose rebook and "
                        "notify actions in your final JSON plan; nothing else is yours to do."
                    )
                messages.append(ToolMessage(content, tool_call_id=call["id"] or call["name"]))
                progress.made()  # our own tools' time is not the model's stall
        raise AssertionError("unreachable: the last turn returns or raises")

    async def _ask(self, messages: list[BaseMessage], progress: _Progress) -> BaseMessage:
        """One model turn, streamed: each chunk (a token, a tool call's piece, llama.cpp's
        prompt progress, the usage) moves the deadline on."""
        whole: BaseMessageChunk | None = None
        try:
            async for chunk in self._model.astream(messages):
                progress.made()
                if not isinstance(chunk, BaseMessageChunk):
                    raise ModelFailure(f"the model streamed a {type(chunk).__name__}")
                whole = chunk if whole is None else whole + chunk
        except ValueError as exc:  # LangChain's word for a stream with no chunk in it
            raise ModelFailure("the endpoint's answer is not a chat completion stream") from exc
        if whole is None:
            raise ModelFailure("the endpoint's answer is not a chat completion stream")
        return message_chunk_to_message(whole)

    async def _run(self, call: ToolCall) -> str:
        try:
            result = await self._tools[call["name"]].ainvoke(call["args"])
        except Exception as exc:  # a tool's failure is something the model can react to
            log.warning("read-only tool %s failed: %s", call["name"], type(exc).__name__)
            result = {"status": "final", "error": type(exc).__name__, "message": str(exc)}
        data = result if not isinstance(result, str) else _maybe_json(result)
        text = fence(data)
        if len(text) > MAX_TOOL_RESULT_CHARS:
            text = fence({"truncated": True, "text": json.dumps(data, default=str)[:6000]})
        return text

    def _as_plan(self, reply: AIMessage, context: CaseContext) -> ModelPlan | None:
        """Write-tool calls that are the whole answer, as the plan they propose (or None)."""
        if any(call["name"] in self._tools for call in reply.tool_calls):
            return None
        actions: list[ProposedAction] = []
        for call in reply.tool_calls:
            args = call["args"]
            if args.get("pnr") not in (None, context.booking.pnr):
                return None  # another passenger's booking: refused in the conversation
            try:
                if call["name"] == "rebook":
                    actions.append(
                        RebookAction(
                            flights=args.get("flights"),
                            replace_seqs=args.get("replace_seqs"),
                            cabin=args.get("cabin"),
                        )
                    )
                elif call["name"] == "send_notification":
                    actions.append(NotifyAction(message=args.get("message")))
                elif call["name"] == "issue_compensation":
                    actions.append(
                        CompensateAction(
                            regime=args.get("regime"),
                            amount_cents=args.get("amount_cents"),
                            currency=args.get("currency"),
                        )
                    )
                else:  # refunds only through a final plan (see the system prompt)
                    return None
            except ValidationError:
                return None
        return ModelPlan(
            actions=actions, rationale=reply.text or "proposed as write-tool calls (not run)"
        )


def _maybe_json(text: str) -> object:
    try:
        parsed: object = json.loads(text)
    except json.JSONDecodeError:
        return text
    return parsed


@asynccontextmanager
async def open_chat(
    *,
    base_url: str,
    api_key: str,
    model: str,
    timeout_seconds: float = 30.0,
    max_retries: int = 2,
    temperature: float = 0.0,
    max_output_tokens: int | None = None,
    prompt_progress: bool = False,
) -> AsyncIterator[BaseChatModel]:
    """A ChatOpenAI on `base_url` whose HTTP client is closed when the block ends.

    `max_output_tokens` caps each answer; a capped answer cut mid-plan is malformed JSON,
    which the reasoner treats like any other unusable answer (the fallback plans).
    Streamed answers end with their token usage (``stream_options.include_usage``, which
    ChatOpenAI leaves off for a custom `base_url` unless told). `prompt_progress` asks a
    llama.cpp server for progress events while it reads the prompt (``return_progress``),
    which on a busy CPU can take minutes before the first token; other endpoints may
    refuse the unknown field, so it is off unless configured. The HTTP client's timeout
    is per read, so it too is a deadline on progress, not on the whole answer.
    LangChain's own gap timer between streamed chunks (``stream_chunk_timeout``, 120 s
    by default) is off: the reasoner's deadline is the one, with a timeout of the
    caller's choosing (at 120 s it cut a real decision whose prompt was still being read
    on a loaded machine, 128 tokens every two minutes).
    """
    async with httpx.AsyncClient(timeout=timeout_seconds) as client:
        yield ChatOpenAI(
            base_url=base_url,
            api_key=SecretStr(api_key),
            model=model,
            timeout=timeout_seconds,
            max_retries=max_retries,
            temperature=temperature,
            max_tokens=max_output_tokens,
            stream_usage=True,
            stream_chunk_timeout=None,
            extra_body={"return_progress": True} if prompt_progress else None,
            http_async_client=client,
        )


async def served_models(base_url: str, api_key: str, *, timeout_seconds: float = 10.0) -> list[str]:
    """The model ids an OpenAI-compatible endpoint says it serves (``GET /models``).

    For reports that must say which model answered. An endpoint that does not list its
    models (or cannot be reached) gives ``[]``: the caller falls back to the configured
    name and says so.
    """
    client = openai.AsyncOpenAI(
        base_url=base_url, api_key=api_key, timeout=timeout_seconds, max_retries=0
    )
    try:
        page = await client.models.list()
        return [m.id for m in page.data]
    except openai.OpenAIError as exc:
        log.info("the endpoint lists no models (%s)", type(exc).__name__)
        return []
    finally:
        await client.close()
