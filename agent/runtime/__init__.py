"""The daemon: the stream pump (`pump`), disruption waves (`waves`) and the case
lifecycle (`cases`)."""

from agent.runtime.cases import CaseLifecycle, DaemonStats, OpenCase
from agent.runtime.pump import Daemon
from agent.runtime.waves import Wave

__all__ = ["CaseLifecycle", "Daemon", "DaemonStats", "OpenCase", "Wave"]
