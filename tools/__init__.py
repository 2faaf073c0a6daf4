"""What the agent may do: flight search, rebooking, notifications and policy, over airline/."""
