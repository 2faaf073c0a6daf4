"""Scripted evaluation scenarios and their runner — arrive with the evals issue.

Nothing imports this package.
"""
