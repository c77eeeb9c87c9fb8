"""Prometheus metrics: confirmations received and replayed, refusals by reason, latency,
and what the last verification of the ledger found.

With several server processes, ``serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` and every
process writes its counters there; ``/metrics`` adds them up (prometheus_client's
multiprocess mode). The ledger's gauges are read from the database at each scrape
(:class:`LedgerCollector`), where ``verify`` records its result: every process, and every
server on the same database, gives the same values.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from intake_server.api import verification

log = logging.getLogger("intake_server.api.metrics")

RECEIVED = Counter("intake_confirmations_received", "Confirmations stored for the first time.")
REPLAYED = Counter("intake_confirmations_replayed", "Requests answered with a stored confirmation.")
REFUSED = Counter("intake_requests_refused", "Requests refused, by reason.", ["reason"])
LATENCY = Histogram(
    "intake_request_seconds",
    "Time to answer a POST of a confirmation.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0),
)


class LedgerCollector(Collector):
    """The last recorded verification, read at each scrape. Before the first one, the
    gauges have no value (absent in Prometheus, so ``absent()`` can alert), rather than
    0 or NaN, which would read as "intact" or match no comparison. Thread-safe: each call
    reads the database on the calling thread's own connection."""

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return _families()

    def collect(self) -> Iterable[GaugeMetricFamily]:
        damaged, checked, full = families = _families()
        try:
            state = verification.state(first=0)
        except Exception as exc:  # the counters must still answer: never a 500 for this
            log.warning(
                "The ledger's verification state cannot be read: %s",
                str(exc).strip().partition("\n")[0] or type(exc).__name__,
            )
            return families
        if state.checked_at is not None:
            damaged.add_metric([], state.damaged)
            checked.add_metric([], state.checked_at.timestamp())
        if state.full_at is not None:
            full.add_metric([], state.full_at.timestamp())
        return families


def _families() -> list[GaugeMetricFamily]:
    """The ledger's gauges, without values."""
    return [
        GaugeMetricFamily(
            "intake_ledger_damaged_entries",
            "Ledger entries the last verifications found damaged, missing or inserted.",
        ),
        GaugeMetricFamily(
            "intake_ledger_verified_timestamp_seconds",
            "When the ledger was last verified (new entries or all), Unix time.",
        ),
        GaugeMetricFamily(
            "intake_ledger_full_verified_timestamp_seconds",
            "When the whole ledger was last verified, Unix time.",
        ),
    ]


LEDGER = LedgerCollector()
REGISTRY.register(LEDGER)


def exposition() -> tuple[bytes, str]:
    """The metrics text of this process, or of all processes in multiprocess mode; the
    ledger's gauges in both."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(LEDGER)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
