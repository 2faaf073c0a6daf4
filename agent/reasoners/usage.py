"""What a model costs one case: calls, tokens, latency, and the endpoint's prices.

Kept apart from `agent.reasoners.llm` (the conversation) so the accounting reads on its own."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.messages import AIMessage, BaseMessage


@dataclass(frozen=True)
class Pricing:
    """What the endpoint charges, per 1 000 tokens, in the account's currency."""

    input_per_1k: float = 0.0
    output_per_1k: float = 0.0


@dataclass
class Usage:
    """Model calls, tokens and wall time spent on one case."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: int = 0
    """From the first request to the plan (or the fallback): the decision's latency."""

    def add(self, reply: BaseMessage) -> None:
        self.calls += 1
        meta = reply.usage_metadata if isinstance(reply, AIMessage) else None
        if meta:
            self.input_tokens += meta.get("input_tokens", 0)
            self.output_tokens += meta.get("output_tokens", 0)

    def cost(self, pricing: Pricing) -> float:
        return (
            self.input_tokens * pricing.input_per_1k + self.output_tokens * pricing.output_per_1k
        ) / 1000

    def as_dict(self, pricing: Pricing) -> dict[str, int]:
        """Integers only: the estimated cost in millionths of the currency unit."""
        return {
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.input_tokens + self.output_tokens,
            "cost_micros": round(self.cost(pricing) * 1_000_000),
            "latency_ms": self.latency_ms,
        }

    def summary(self, pricing: Pricing) -> str:
        return (
            f"[model usage: {self.calls} call(s), {self.input_tokens} in + "
            f"{self.output_tokens} out tokens, est. cost {self.cost(pricing):.6f}]"
        )
