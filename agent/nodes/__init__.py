"""The graph's nodes, one module each, named as the graph names the node:

    context · plan · guard · approve · act · remember

and each module's node function a verb (`gather_context`, `make_plan`, `guard_plan`,
`approve`, `act`, `remember`). Import a node from its module: this package re-exports
nothing, so a function never shadows the module of the same name (`agent.nodes.act`
stays the module).

Each node reads the live state it needs at the moment it runs (never a cached snapshot)
and returns only the keys it changes. The helpers beside them: `common` (what several
nodes share), `closing` (a case's outcome), `effect_keys` (the ledger keys of its
effects). Nodes read and write every table — the agent's cases, the airline's bookings,
holds and ledger, the tools' outbox — through one unit of work at a time
(`deps.persistence`, `agent.work`), never through a database session.
"""

__all__ = [
    "act",
    "approve",
    "closing",
    "common",
    "context",
    "effect_keys",
    "guard",
    "plan",
    "remember",
]
"""The package's modules."""
