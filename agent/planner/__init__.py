"""The wave planner: one re-accommodation plan for every passenger a wave disrupts.

    parties (plain inputs)  ──►  options per party (Network, with risk)  ──►  plan_wave()
                                                                               │ MILP (HiGHS)
                                                                               │ or greedy
                                                                               ▼
                                                 WavePlan: a placement per party + digest

`agent.planner.inputs` is the one place that reads bookings into parties; the rest knows
nothing of bookings, cases or the database.
"""

from agent.planner.digest import inputs_digest
from agent.planner.model import Option, Party, Placement, Seat, Solver, WavePlan
from agent.planner.objective import option_cost, priority_weight, unplaced_cost
from agent.planner.options import Network
from agent.planner.risk import RiskMap
from agent.planner.solve import greedy, plan_wave

__all__ = [
    "Network",
    "Option",
    "Party",
    "Placement",
    "RiskMap",
    "Seat",
    "Solver",
    "WavePlan",
    "greedy",
    "inputs_digest",
    "option_cost",
    "plan_wave",
    "priority_weight",
    "unplaced_cost",
]
