"""The event streams: flight-status events in, agent actions and notifications out."""
