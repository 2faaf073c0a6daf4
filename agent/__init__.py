"""The decision-maker and its runtime."""
