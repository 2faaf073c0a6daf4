"""The wave planner's program as HiGHS solves it: its LP, the dive, the branch-and-bound.

`agent.planner.solve` builds the program (groups of interchangeable parties, their
options and the seats) and reads its answer; this module holds what HiGHS does with it,
through `highspy`: the LP relaxation kept warm in one HiGHS instance, the dive that rounds
it (`dive`), and the instance for the branch-and-bound. Why a dive, and what it was
measured against, is in `agent.planner.solve`'s docstring.
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
from scipy.sparse import csc_array

INTEGRAL_TOLERANCE = 1e-6
"""How far from an integer an LP value may be and still count as one (HiGHS's default
primal feasibility tolerance is 1e-7)."""


@dataclass(frozen=True)
class Program:
    """The MILP of a list of groups, as HiGHS takes it: per column (a group's options,
    then its unplaced count) a cost and an upper bound (the group's size, lower bounds 0);
    the rows are one equality per group (its members all go somewhere), then one
    capacity row per (flight, cabin) seat."""

    costs: np.ndarray
    upper: np.ndarray
    matrix: csc_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    group_of: np.ndarray
    """Each column's group index (what the dive rounds at most once per round)."""


def _first_instance_speaks_to_stderr() -> None:
    """Make the process's first HiGHS instance with standard output pointed at standard
    error. HiGHS 1.16 prints its banner to standard output when the first instance of a
    process is made, before any option can silence it; a command whose standard output is
    read (a child that reports `PARKED ...`, `--json`, a pipe) would start with HiGHS's
    copyright. The banner stays visible, on stderr. Once per process: later instances
    print nothing until they solve, and `highs_of` silences that."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no standard output to protect
        highspy.Highs()  # type: ignore[no-untyped-call]
        return
    try:
        os.dup2(2, 1)
        highspy.Highs()  # type: ignore[no-untyped-call]
        ctypes.CDLL(None).fflush(None)  # the banner leaves C's buffer while fd 1 is stderr
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_first_instance_speaks_to_stderr()


def highs_of(program: Program, *, integral: bool) -> highspy.Highs:
    """A HiGHS instance holding `program` (its LP relaxation unless `integral`): one
    thread and a fixed seed, so the same program gives the same answer on any load."""
    highs = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy's stub lacks it
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    n = len(program.costs)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(program.row_lower)
    lp.col_cost_ = program.costs
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = program.upper
    lp.row_lower_ = program.row_lower
    lp.row_upper_ = program.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = program.matrix.indptr
    lp.a_matrix_.index_ = program.matrix.indices
    lp.a_matrix_.value_ = program.matrix.data
    if integral:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    highs.passModel(lp)
    return highs


def solved(highs: highspy.Highs) -> np.ndarray | None:
    """The primal solution HiGHS holds, or None when it has no feasible one."""
    if highs.getInfo().primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        return None
    x: np.ndarray = np.array(highs.getSolution().col_value, dtype=float)
    return x


@dataclass
class Relaxed:
    """A program, its LP relaxation's optimum, and the HiGHS instance holding it (the
    dive goes on from that optimum, warm)."""

    program: Program
    highs: highspy.Highs
    x: np.ndarray
    lower: float


DIVE_BATCH = 4
"""Columns the dive rounds up per LP re-solve (at most one per group). Measured on the
storm of 50's two big searches (`solve`'s docstring): 1 column per round, 0.7 s and a gap
of 5.5-7.4e-4; 4, 0.3-0.45 s and 6.8-8.3e-4; 16, more re-solves (most rounds infeasible)."""


def dive(relaxed: Relaxed) -> np.ndarray | None:
    """An integral answer near the LP's: round fractional columns up, a few at a time
    (the largest fractions first, at most one per group: `DIVE_BATCH`), and re-solve the
    LP from where it was (HiGHS's dual simplex, warm), so the other parties move around
    each family placed whole; a rounding that leaves no feasible LP is undone and the
    column rounded down instead. Each round fixes a bound for good, so it ends; None when
    even the rounding down is infeasible (then the branch-and-bound starts cold).

    Deterministic: the order is by fraction then column, and HiGHS's simplex on one
    thread gives the same answer to the same LP. It leaves `relaxed.highs` changed.
    """
    highs, program = relaxed.highs, relaxed.program
    lower = np.zeros(len(program.costs))
    upper = program.upper.copy()
    x = relaxed.x
    while True:
        part = x - np.floor(x + INTEGRAL_TOLERANCE)
        fractional = np.flatnonzero(part > INTEGRAL_TOLERANCE)
        if not len(fractional):
            rounded: np.ndarray = np.rint(x)
            return rounded
        picks: list[int] = []
        seen: set[int] = set()
        for j in sorted(fractional.tolist(), key=lambda j: (-part[j], j)):
            if program.group_of[j] not in seen:
                seen.add(int(program.group_of[j]))
                picks.append(j)
                if len(picks) == DIVE_BATCH:
                    break
        before = lower[picks].copy()
        lower[picks] = np.ceil(x[picks] - INTEGRAL_TOLERANCE)
        x_new = _bounded(highs, picks, lower, upper)
        if x_new is None:
            lower[picks] = before
            _bounded(highs, picks, lower, upper, solve=False)
            first = picks[:1]
            upper[first] = np.floor(x[first] + INTEGRAL_TOLERANCE)
            x_new = _bounded(highs, first, lower, upper)
            if x_new is None:
                return None
        x = x_new


def _bounded(
    highs: highspy.Highs,
    columns: list[int],
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    solve: bool = True,
) -> np.ndarray | None:
    """Set `columns`' bounds and re-solve the LP: its optimum, or None if infeasible."""
    index = np.array(columns, dtype=np.int32)
    highs.changeColsBounds(len(index), index, lower[index], upper[index])
    if not solve:
        return None
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return solved(highs)


def relax(program: Program) -> Relaxed | None:
    """`program`'s LP relaxation solved, warm for the dive (None if HiGHS fails)."""
    highs = highs_of(program, integral=False)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = solved(highs)
    if x is None:
        return None
    return Relaxed(program, highs, x, float(highs.getInfo().objective_function_value))


def search(
    program: Program, start: np.ndarray | None, *, node_limit: int, gap: float
) -> np.ndarray | None:
    """HiGHS's branch-and-bound on `program` from the incumbent `start` (if any), bounded
    by a node count and stopped at the relative `gap`: its best answer, or None."""
    highs = highs_of(program, integral=True)
    highs.setOptionValue("mip_max_nodes", node_limit)
    highs.setOptionValue("mip_rel_gap", gap)
    if start is not None:
        incumbent = highspy.HighsSolution()
        incumbent.col_value = list(start)
        incumbent.value_valid = True
        highs.setSolution(incumbent)
    highs.run()
    return solved(highs)
