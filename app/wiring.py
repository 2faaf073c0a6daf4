"""Open the agent's parts together: database, schedule, board, checkpointer, graph.

Shared by the CLI commands (and, later, the dashboard and the evals) so that every entry
point builds the daemon the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from agent.deps import AgentDeps
from agent.graph import CaseGraph, build_graph, open_checkpointer
from agent.reasoners.base import Reasoner
from agent.reasoners.rules import RulesReasoner
from agent.sql_work import SqlPersistence
from airline.board import LiveBoard
from airline.clock import Clock
from airline.schedule import Schedule
from app.migrate import open_database
from app.settings import Settings
from memory.base import CustomerMemory
from memory.prefs.model import ModelEndpoint
from tools.channels.base import Channel
from tools.channels.http_post import RetryPolicy
from tools.channels.sms import SmsChannel
from tools.channels.smtp import SmtpChannel
from tools.channels.webhook import WebhookChannel
from tools.effects import ToolDeps
from tools.policy.texts import PolicySearch
from travel_agent.errors import ConfigError
from travel_agent.redact import masked_url


@dataclass(frozen=True)
class Agent:
    deps: AgentDeps
    graph: CaseGraph
    checkpointer: BaseCheckpointSaver[Any]


@asynccontextmanager
async def open_agent(
    settings: Settings,
    clock: Clock,
    *,
    reasoner: Reasoner | None = None,
    memory: CustomerMemory | None = None,
) -> AsyncIterator[Agent]:
    """The agent's parts, opened together. `memory` is the caller's (see `open_memory_for`):
    one process owns a memory directory, so whoever owns it hands it in."""
    async with AsyncExitStack() as stack:
        db = await stack.enter_async_context(open_database(settings.db_url))
        schedule = await Schedule.load(db)
        if not len(schedule):
            raise ConfigError(
                f"the database at {masked_url(settings.db_url)} holds no flights: "
                "run `travel-agent seed` first (or `travel-agent demo`, which seeds its own)"
            )
        board = LiveBoard()
        await board.load(db)
        checkpointer = await stack.enter_async_context(
            open_checkpointer(settings.checkpoints.url, settings.checkpoint_path)
        )
        if reasoner is None:
            policy_search = await _policy_search(memory)
            tool_deps = ToolDeps(
                db=db,
                schedule=schedule,
                board=board,
                clock=clock,
                policy=settings.agent.policy,
                policy_search=policy_search,
            )
            reasoner = await open_reasoner(settings, tool_deps, stack)
        deps = AgentDeps(
            db=db,
            schedule=schedule,
            board=board,
            clock=clock,
            reasoner=reasoner,
            settings=settings.agent,
            persistence=SqlPersistence(db),
            memory=memory,
        )
        yield Agent(deps=deps, graph=build_graph(checkpointer), checkpointer=checkpointer)


async def open_reasoner(settings: Settings, tools: ToolDeps, stack: AsyncExitStack) -> Reasoner:
    """The configured reasoner; a model's HTTP client is opened on `stack`."""
    rules = RulesReasoner()
    if settings.reasoner == "rules":
        return rules
    # Imported here so that openai and langchain-openai load only when a model is configured.
    from agent.reasoners.hybrid import HybridReasoner
    from agent.reasoners.llm import LlmReasoner, open_chat
    from agent.reasoners.usage import Pricing
    from tools.agent_tools import build_tools

    llm = settings.llm
    assert llm.base_url is not None  # Settings refuses a model reasoner without one
    chat = await stack.enter_async_context(
        open_chat(
            base_url=llm.base_url,
            # OpenAI-compatible local servers take any key; the client insists on one.
            api_key=llm.api_key.get_secret_value() if llm.api_key else "unused",
            model=llm.model,
            timeout_seconds=llm.timeout_seconds,
            max_retries=llm.max_retries,
            max_output_tokens=llm.max_output_tokens,
            prompt_progress=llm.prompt_progress,
        )
    )
    model = LlmReasoner(
        chat,
        build_tools(tools),
        max_tool_rounds=llm.max_tool_rounds,
        timeout=llm.timeout_seconds,
        fallback=rules,
        pricing=Pricing(llm.input_price_per_1k, llm.output_price_per_1k),
        log_model_data=settings.log_passenger_data,
    )
    return model if settings.reasoner == "llm" else HybridReasoner(rules, model)


async def open_channels(settings: Settings, stack: AsyncExitStack) -> dict[str, Channel]:
    """The configured delivery channels by name, opened on `stack`.

    None configured (the embedded default) gives ``{}``: the relay's log channel takes
    every message. A placeholder secret raises `ConfigError` here, at start-up.
    """
    channels: dict[str, Channel] = {}
    smtp = settings.smtp
    if smtp.host:
        channels["email"] = await stack.enter_async_context(
            SmtpChannel(
                smtp.host,
                smtp.port,
                from_address=smtp.from_address,
                username=smtp.username,
                password=smtp.password.get_secret_value() if smtp.password else None,
                starttls=smtp.starttls,
                implicit_tls=smtp.implicit_tls,
                timeout=smtp.timeout_seconds,
                ca_file=smtp.ca_file,
            )
        )
    sms = settings.sms
    if sms.url:
        channels["sms"] = await stack.enter_async_context(
            SmsChannel(
                sms.url,
                sms.token.get_secret_value() if sms.token else None,
                sender=sms.sender,
                max_segments=sms.max_segments,
                timeout=sms.timeout_seconds,
                retry=RetryPolicy(retries=sms.retries),
            )
        )
    hook = settings.webhook
    if hook.secret is not None or hook.url:
        channels["webhook"] = await stack.enter_async_context(
            WebhookChannel(
                hook.secret.get_secret_value() if hook.secret else None,
                url=hook.url,
                timeout=hook.timeout_seconds,
                retry=RetryPolicy(retries=hook.retries),
            )
        )
    return channels


@asynccontextmanager
async def open_memory_for(settings: Settings) -> AsyncIterator[CustomerMemory | None]:
    """Customer memory as configured, or None when `TRAVEL_AGENT_MEMORY__ENABLED=false`."""
    if not settings.memory.enabled:
        yield None
        return
    from memory import open_chroma_memory  # loads the embedding model: only when on
    from memory.batched import BatchedMemory

    async with (
        open_chroma_memory(
            settings.memory,
            data_dir=settings.data_dir,
            preference_model=_preference_model(settings),
        ) as store,
        BatchedMemory(store) as memory,  # outcomes are written in batches, off the cases' path
    ):
        yield memory


def _preference_model(settings: Settings) -> ModelEndpoint | None:
    """The configured chat model reads stated preferences, unless memory is told not to."""
    llm = settings.llm
    if llm.base_url is None or not settings.memory.preferences_by_model:
        return None
    key = llm.api_key.get_secret_value() if llm.api_key else None
    return ModelEndpoint(llm.base_url, llm.model, key, llm.timeout_seconds)


async def _policy_search(memory: CustomerMemory | None) -> PolicySearch | None:
    """Vector retrieval over the policy texts, where the memory store offers it."""
    index = getattr(memory, "policy_index", None)
    if index is None:
        return None
    search: PolicySearch = await index()
    return search
