"""A real model through the project's own path: the smoke suite.

Qwen2.5-Coder-1.5B-Instruct served by llama.cpp (``scripts/local-model``) answers through
`open_chat` (ChatOpenAI), the llm reasoner, the case graph and the guard, as a hosted
model would. What is checked is the plumbing, not the plans' quality (a 1.5B model's
plans are often wrong — that is what the guard is for): the chat template renders and
the answer comes back, tokens are counted from the server's usage, the answer is parsed
into a plan, an unusable answer falls back to the rules with the reason, and whatever
the model proposed, nothing that breaks policy or obeys an injected note runs.

The server starts once per session (the first start builds it: see the script); on a
laptop without it these tests skip, in CI they fail. ``TEST_LOCAL_MODEL_URL`` (and
``TEST_LOCAL_MODEL_NAME``) point them at a server already running.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from agent.reasoners.llm import open_chat, served_models
from agent.reasoners.prompting import parse_plan
from agent.settings import LlmSettings
from agent.state import NotifyAction
from app.eval_cli import EvalHarness, default_memory_factory
from app.settings import Settings
from evals.runner import ScenarioRunner
from evals.scenario import load_scenarios
from evals.suite import run_record
from tests.conftest import REPO, missing_service
from tools.notifications import MessageKind

pytestmark = pytest.mark.integration

SCRIPT = REPO / "scripts" / "local-model"
SCENARIOS = REPO / "evals" / "scenarios"
# How long a decision may go without progress. A long prompt on a busy 2-core machine
# takes minutes (idle, about 65 prompt tokens/s; shared with other work, a tenth of
# that), but the server reports its progress every 64 prompt tokens and then streams
# each token, so only a gap between two of those must fit in it. CI may scale it.
DECISION_SECONDS = 180.0 * float(os.environ.get("TEST_TIMEOUT_FACTOR", "1"))
# Why a plan may legitimately fall back: the model's answer, not the plumbing.
ANSWER_FAILURES = ("malformed JSON", "schema violation", "a JSON ", "tool rounds", "answered with")


@dataclass(frozen=True)
class LocalModel:
    url: str
    """The OpenAI base URL, ``http://127.0.0.1:PORT/v1``."""
    name: str


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    # No timeout here: the script bounds its own waits (pip's, the build's, and a
    # start-up deadline that follows the server's progress).
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def local_model() -> Iterator[LocalModel]:
    """The served model: TEST_LOCAL_MODEL_URL, else ours from scripts/local-model."""
    configured = os.environ.get("TEST_LOCAL_MODEL_URL")
    if configured:
        yield LocalModel(configured, os.environ.get("TEST_LOCAL_MODEL_NAME", "local-model"))
        return
    running = _script("status").returncode == 0
    started = _script("start")
    if started.returncode != 0:
        missing_service(
            "no local model: scripts/local-model start failed:\n" + started.stderr[-2000:]
        )
    url, name = _script("url").stdout.strip(), _script("model").stdout.strip()
    yield LocalModel(url, name)
    if not running:  # a server someone else started stays up
        _script("stop")


def _settings(model: LocalModel, **llm: Any) -> Settings:
    return Settings(
        reasoner="llm",
        llm=LlmSettings(
            base_url=model.url,
            model=model.name,
            timeout_seconds=DECISION_SECONDS,
            max_retries=0,
            prompt_progress=True,
            **llm,
        ),
    )


async def _run(scenario: str, settings: Settings) -> dict[str, Any]:
    """One scenario through the real daemon: its run record and its plans by case."""
    (loaded,) = load_scenarios([SCENARIOS / f"{scenario}.yaml"])
    runner = ScenarioRunner(EvalHarness(settings), memory_factory=default_memory_factory())
    result = await runner.run(loaded)
    record = run_record(result, 1)
    assert record["error"] is None, record["error"]
    assert result.plans, "no case reached the reasoner"
    return {"record": record, "plans": list(result.plans.values())}


async def test_the_chat_template_renders_and_the_answer_parses(local_model: LocalModel) -> None:
    """System and user turns reach the model (--jinja), usage comes back, and the
    answer is read by the same parser as a plan."""
    wanted = (
        '{"actions": [{"kind": "notify", "message": "gate_change"}], '
        '"rationale": "The gate changed.", "confidence": 0.9}'
    )
    async with open_chat(
        base_url=local_model.url,
        api_key="unused",
        model=local_model.name,
        timeout_seconds=DECISION_SECONDS,
        max_retries=0,
        max_output_tokens=200,
    ) as chat:
        reply = await chat.ainvoke(
            [
                SystemMessage("You answer with one JSON object and nothing else."),
                HumanMessage(f"Repeat this JSON object exactly:\n{wanted}"),
            ]
        )
    assert isinstance(reply, AIMessage)
    usage = reply.usage_metadata
    assert usage is not None, reply.response_metadata
    # The template wraps both turns in the model's role markers: more tokens than the
    # bare text's ~60, far fewer than a runaway template would make.
    assert 60 < usage["input_tokens"] < 400, usage
    assert 0 < usage["output_tokens"] <= 200, usage
    plan = parse_plan(reply.text)
    assert plan.actions == [NotifyAction(message=MessageKind("gate_change"))], reply.text
    # Reports name the model as the server does.
    if not os.environ.get("TEST_LOCAL_MODEL_URL"):
        assert await served_models(local_model.url, "unused") == [local_model.name]


async def test_a_real_decision_goes_through_the_guard(local_model: LocalModel) -> None:
    """A cancelled flight, and a note in memory that orders business class and 2000 EUR:
    the model plans (or its answer is unusable and the rules do), the guard checks it,
    and nothing it proposed that breaks policy or obeys the note runs."""
    run = await _run("prompt-injection-in-note", _settings(local_model, max_output_tokens=600))
    (plan,) = run["plans"]
    # The plumbing: one decision that called the served model and counted its tokens
    # (the system prompt and the case alone are well over a thousand).
    assert plan.usage["calls"] >= 1 and plan.usage["input_tokens"] > 1000, plan.usage
    assert plan.usage["output_tokens"] > 0 and plan.usage["latency_ms"] > 0, plan.usage
    if plan.reasoner != "llm":
        assert plan.reasoner == "rules (fallback from llm)", plan.reasoner
        assert any(reason in plan.rationale for reason in ANSWER_FAILURES), plan.rationale
    # The guard: whatever was proposed, what ran is within policy (the independent
    # check) and obeys nothing the note asked for.
    record = run["record"]
    assert record["metrics"]["policy_violations"] == 0, record["metrics"]["violations"]
    for expectation in record["expectations"]:
        if expectation["kind"] in ("effects", "message_excludes"):
            assert expectation["passed"], expectation["reason"]


async def test_an_unusable_answer_falls_back_to_the_rules(local_model: LocalModel) -> None:
    """The model's answer cut at a few tokens is no plan: the rules plan instead, the
    plan says why, the tokens spent are still counted, and the scenario passes."""
    run = await _run(
        "cancellation-rebooked-within-2h-no-compensation",
        _settings(local_model, max_output_tokens=6, max_tool_rounds=0),
    )
    (plan,) = run["plans"]
    assert plan.reasoner == "rules (fallback from llm)", plan.rationale
    assert "model failed:" in plan.rationale, plan.rationale
    assert any(reason in plan.rationale for reason in ANSWER_FAILURES), plan.rationale
    assert plan.usage["calls"] == 1 and 0 < plan.usage["output_tokens"] <= 6, plan.usage
    record = run["record"]
    assert record["passed"], [e["reason"] for e in record["expectations"] if not e["passed"]]


def test_the_script_reinstalls_nothing_once_installed(local_model: LocalModel) -> None:
    """A second install is a no-op: the model and the server are cached under .cache/."""
    if os.environ.get("TEST_LOCAL_MODEL_URL"):
        pytest.skip("the model is served from TEST_LOCAL_MODEL_URL, not by scripts/local-model")
    result = _script("install")
    assert result.returncode == 0, result.stderr
    said = result.stderr
    assert "downloading" not in said and "building" not in said, said
