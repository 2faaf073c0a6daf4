"""Ways to reach a passenger. Each adapter implements `Channel` from `base`."""
