"""Prometheus metrics: confirmations received and replayed, refusals by reason, latency.

With several server processes, ``serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` and every
process writes its counters there; ``/metrics`` adds them up (prometheus_client's
multiprocess mode).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

RECEIVED = Counter("intake_confirmations_received", "Confirmations stored for the first time.")
REPLAYED = Counter("intake_confirmations_replayed", "Requests answered with a stored confirmation.")
REFUSED = Counter("intake_requests_refused", "Requests refused, by reason.", ["reason"])
LATENCY = Histogram(
    "intake_request_seconds",
    "Time to answer a POST of a confirmation.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0),
)


def exposition() -> tuple[bytes, str]:
    """The metrics text of this process, or of all processes in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
