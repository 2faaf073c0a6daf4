"""The errors customer memory raises, under the house's `TravelAgentError` root.

TravelAgentError
├── ConfigError              (travel_agent.errors) a wrong memory setting: says what to set
└── MemoryStoreError         the store failed or answered something impossible
    ├── MemoryLockedError    another process owns the persistent directory
    └── MemoryUnavailableError  the Chroma server or the embeddings endpoint is down (retriable)
"""

from __future__ import annotations

from pathlib import Path

from travel_agent.errors import TravelAgentError


class MemoryStoreError(TravelAgentError):
    """Customer memory could not do what was asked."""


class MemoryLockedError(MemoryStoreError):
    """Another process holds the persistent memory directory.

    Chroma's persistent store is single-writer: two processes writing one directory
    corrupt its index. Point the second one at a Chroma server instead
    (``TRAVEL_AGENT_MEMORY__URL``) or at another directory.
    """

    def __init__(self, directory: Path, holder: int | None) -> None:
        who = f"process {holder}" if holder else "another process"
        super().__init__(
            f"customer memory at {directory} is in use by {who}: one process owns a persistent "
            "memory directory; stop it, use another TRAVEL_AGENT_MEMORY__PATH, or share memory "
            "through a Chroma server (TRAVEL_AGENT_MEMORY__URL=http://host:8000)"
        )
        self.directory = directory
        self.holder = holder


class MemoryUnavailableError(MemoryStoreError):
    """The Chroma server or the embeddings endpoint did not answer; worth retrying."""

    retriable = True
