"""Scripted evaluation scenarios, their runner and scoring. The application hands the
runner its harness (`evals.harness.Harness`); only the application imports this package.
"""

__all__ = [
    "cli",
    "report",
    "runner",
    "scenario",
    "suite",
    "world",
]
"""The public modules; the others are the package's own."""
