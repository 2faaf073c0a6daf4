"""The daemon's Prometheus metrics, on a registry of its own.

Each `Metrics` owns its `CollectorRegistry` (never prometheus_client's global one), so
tests and several daemons in one process do not clash. The runtime calls the narrow
methods below; the ops server (`app.ops_server`) exposes `exposition()` on
``GET /metrics``. Every metric name carries the ``travel_agent_`` prefix.

Case effects are timed without touching the graph's nodes: `graph_callbacks()` returns
a LangChain callback handler that times the ``act`` node of each run it is passed to.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from itertools import accumulate
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from agent.state import Effect

NAMESPACE = "travel_agent"

# Handling a record that changes nothing material takes from tens of microseconds to a
# millisecond; one that opens a hundred cases, tens of seconds. Cases and effects sit
# in between.
_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
EVENT_BUCKETS = (0.0001, 0.00025, 0.0005, *_SECONDS, 30.0, 60.0, 120.0, 300.0)
_EVENT_LE = [floatToGoString(le) for le in EVENT_BUCKETS]  # type: ignore[no-untyped-call]
CASE_BUCKETS = (*_SECONDS[3:], 30.0, 60.0, 120.0, 300.0)
EFFECT_BUCKETS = _SECONDS

# The node whose duration is `effect_seconds`, and how its effects map to the label.
ACT_NODE = "act"
_EFFECT_ACTIONS: dict[Effect | None, str] = {
    Effect.REBOOK: "rebook",
    Effect.NOTIFY: "notify",
    Effect.COMPENSATE: "compensate",
    Effect.CARE: "care",
    Effect.REFUND_OFFER: "refund_offer",
    Effect.SEAT_RACE_LOST: "seat_race_lost",
}


@runtime_checkable
class LagReporter(Protocol):
    """A source that can say how far behind the end of each partition it is."""

    async def lag(self) -> dict[tuple[str, int], int]:
        """Records between the source's position and the end, by (topic, partition)."""
        ...


class Metrics:
    """Counters, gauges and histograms of one daemon."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r, ns = self.registry, NAMESPACE
        self.dead_letters = Counter(
            "dead_letters",
            "Records parked on the dead letters.",
            ["reason"],
            namespace=ns,
            registry=r,
        )
        self.cases = Counter(
            "cases", "Cases that became durable, by outcome.", ["outcome"], namespace=ns, registry=r
        )
        self.disruptions = Counter(
            "disruptions", "Material changes that opened cases.", ["kind"], namespace=ns, registry=r
        )
        self.waves_without_preferences = Counter(
            "waves_without_preferences",
            "Waves planned without their customers' hard preferences: memory did not answer.",
            namespace=ns,
            registry=r,
        )
        self.consumer_lag = Gauge(
            "consumer_lag",
            "Records between the source's position and the partition end.",
            ["topic", "partition"],
            namespace=ns,
            registry=r,
        )
        self.cases_in_flight = Gauge(
            "cases_in_flight", "Cases opened and not yet durable.", namespace=ns, registry=r
        )
        self.case_seconds = Histogram(
            "case_seconds",
            "From a case being opened to it being durable.",
            namespace=ns,
            registry=r,
            buckets=CASE_BUCKETS,
        )
        self.effect_seconds = Histogram(
            "effect_seconds",
            "The act node (effects, ledger and outbox in one transaction), by actions taken.",
            ["action"],
            namespace=ns,
            registry=r,
            buckets=EFFECT_BUCKETS,
        )
        self.outbox_sent_total = Counter(
            "outbox_sent", "Outbox rows delivered and published.", namespace=ns, registry=r
        )
        self.outbox_failures = Counter(
            "outbox_failures",
            "Failed tries to deliver an outbox row, by kind: broker (our Kafka; always tried"
            " again), channel (tried again, then failed), final (the channel said never).",
            ["kind"],
            namespace=ns,
            registry=r,
        )
        # Counted here and read at each scrape (`_RecordCollector`): once per record,
        # prometheus_client's own Counter and Histogram (a lock and a few calls each)
        # cost a daemon on a fast stream a fifth of its rate.
        self._consumed: dict[str, int] = {}
        self._event_buckets = [0] * (len(EVENT_BUCKETS) + 1)  # the last one is +Inf
        self._event_sum = 0.0
        r.register(_RecordCollector(self))
        self._callbacks: list[BaseCallbackHandler] = [_ActTimer(self)]

    # --- what the runtime reports -------------------------------------------------

    def event_consumed(self, topic: str) -> None:
        consumed = self._consumed
        consumed[topic] = consumed.get(topic, 0) + 1

    def event_handled(self, seconds: float) -> None:
        self._event_buckets[bisect_left(EVENT_BUCKETS, seconds)] += 1
        self._event_sum += seconds

    def event_taken(self, topic: str, seconds: float) -> None:
        """`event_consumed` and `event_handled` at once, for a record handled without
        yielding to the event loop (so no scrape can tell the two moments apart)."""
        consumed = self._consumed
        consumed[topic] = consumed.get(topic, 0) + 1
        self._event_buckets[bisect_left(EVENT_BUCKETS, seconds)] += 1
        self._event_sum += seconds

    def dead_lettered(self, reason: str) -> None:
        self.dead_letters.labels(reason).inc()

    def disruption_opened(self, kind: str) -> None:
        self.disruptions.labels(kind).inc()

    def wave_without_preferences(self) -> None:
        self.waves_without_preferences.inc()

    def cases_opened(self, count: int) -> None:
        self.cases_in_flight.inc(count)

    def case_durable(self, outcome: str, seconds: float) -> None:
        """One case finished (or parked): its outcome and its open → durable time."""
        self.cases_in_flight.dec()
        self.cases.labels(outcome).inc()
        self.case_seconds.observe(seconds)

    def effect_done(self, action: str, seconds: float) -> None:
        self.effect_seconds.labels(action).observe(seconds)

    def outbox_sent(self, rows: int) -> None:
        self.outbox_sent_total.inc(rows)

    def outbox_failed(self, kind: str) -> None:
        self.outbox_failures.labels(kind).inc()

    def set_lag(self, lag: Mapping[tuple[str, int], int]) -> None:
        """Replace the lag gauges: partitions no longer assigned disappear."""
        self.consumer_lag.clear()
        for (topic, partition), behind in lag.items():
            self.consumer_lag.labels(topic, str(partition)).set(behind)

    def graph_callbacks(self) -> list[BaseCallbackHandler]:
        """Callbacks for a graph run's config (``config["callbacks"]``): times `act`."""
        return self._callbacks

    # --- what the ops server serves -----------------------------------------------

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format (version 0.0.4)."""
        return generate_latest(self.registry)


class _RecordCollector(Collector):
    """`events_consumed` and `event_seconds`, from the counts `Metrics` keeps per record.

    The event loop's thread is the only writer, and a scrape reads a few ints: no lock.
    """

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        m = self._metrics
        consumed = CounterMetricFamily(
            f"{NAMESPACE}_events_consumed", "Records taken from the source.", labels=["topic"]
        )
        for topic, count in sorted(m._consumed.items()):
            consumed.add_metric([topic], count)
        yield consumed
        counts = list(accumulate(m._event_buckets))
        yield HistogramMetricFamily(
            f"{NAMESPACE}_event_seconds",
            "Handling one record, from the source to its commit.",
            buckets=[
                *zip(_EVENT_LE, counts, strict=False),
                ("+Inf", counts[-1]),
            ],
            sum_value=m._event_sum,
        )


def effect_action(effects: Sequence[str]) -> str:
    """The `action` label of an act: the kinds of its effects, e.g. ``notify+rebook``."""
    kinds = {_EFFECT_ACTIONS.get(Effect.of(e), "other") for e in effects}
    return "+".join(sorted(kinds)) or "none"


class _ActTimer(BaseCallbackHandler):
    """Times each run of the graph's ``act`` node; its outputs name the effects."""

    # Called in the event loop's thread, not through an executor: it only reads a clock.
    run_inline = True

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self._started: dict[UUID, float] = {}

    def on_chain_start(
        self,
        serialized: dict[str, Any],
        inputs: dict[str, Any],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.get("name") == ACT_NODE:
            self._started[run_id] = time.perf_counter()

    def on_chain_end(
        self,
        outputs: dict[str, Any],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        started = self._started.pop(run_id, None)
        if started is not None:
            effects = outputs.get("effects", []) if isinstance(outputs, dict) else []
            self._metrics.effect_done(effect_action(effects), time.perf_counter() - started)

    def on_chain_error(
        self,
        error: BaseException,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        started = self._started.pop(run_id, None)
        if started is not None:
            self._metrics.effect_done("error", time.perf_counter() - started)
