"""The graph's nodes, one module each: context · plan · guard · approve · act · remember.

Each node reads the live state it needs at the moment it runs (never a cached snapshot)
and returns only the keys it changes.
"""

from agent.nodes.acting import act, after_act
from agent.nodes.approving import approve
from agent.nodes.common import MAX_ATTEMPTS
from agent.nodes.context import gather_context
from agent.nodes.guard import after_guard, guard_plan
from agent.nodes.plan import make_plan
from agent.nodes.remembering import remember

__all__ = [
    "MAX_ATTEMPTS",
    "act",
    "after_act",
    "after_guard",
    "approve",
    "gather_context",
    "guard_plan",
    "make_plan",
    "remember",
]
