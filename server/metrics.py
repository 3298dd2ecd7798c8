"""Prometheus metrics of the server (``GET /metrics``), correct across several worker processes.

Counters and histograms are prometheus_client's; with several workers the command line sets
``PROMETHEUS_MULTIPROC_DIR`` before this module is imported, each process writes its values
there, and a scrape of any worker adds them all up. Uploads in progress are counted in the
database at scrape time, so every process answers the same number.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from .database import Database
from .tables import uploads

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0)

REQUESTS = Counter(
    "gigbag_http_requests_total", "HTTP requests answered, by route template and status", ["method", "route", "status"]
)
LATENCY = Histogram(
    "gigbag_http_request_duration_seconds",
    "Time to answer an HTTP request (the whole body sent), by route template",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
PUSHES = Counter("gigbag_pushes_total", "Pushes applied (a replayed idempotency key is not counted again)")
CHANGES = Counter("gigbag_changes_total", "Pushed changes, by result", ["result"])
BLOB_BYTES_IN = Counter("gigbag_blob_bytes_in_total", "File bytes received (PUT /v1/blobs and tus PATCH)")
BLOB_BYTES_OUT = Counter("gigbag_blob_bytes_out_total", "File bytes sent (GET /v1/blobs)")
UPLOADS_WRITING = Gauge(
    "gigbag_upload_requests_writing", "tus PATCH requests receiving bytes right now", multiprocess_mode="livesum"
)


def record_push(results: Iterator[str]) -> None:
    PUSHES.inc()
    for result, count in collections.Counter(results).items():  # one labelled increment per status, not per change
        CHANGES.labels(result=result).inc(count)


class _UploadsInProgress(Collector):
    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = dt.datetime.now(dt.UTC)
        with self.db.read() as conn:
            count = conn.execute(
                select(func.count()).select_from(uploads).where(uploads.c.state == "active", uploads.c.expires_at > now)
            ).scalar_one()
        yield GaugeMetricFamily(
            "gigbag_uploads_in_progress", "tus uploads started and not yet complete (all processes)", value=count
        )


class MetricsPage:
    """What ``/metrics`` answers: this process's (or all workers') metrics plus the database's."""

    def __init__(self, db: Database) -> None:
        self.database = CollectorRegistry(auto_describe=True)
        self.database.register(_UploadsInProgress(db))

    def render(self) -> tuple[bytes, str]:
        if os.environ.get(MULTIPROCESS_ENV):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            own = generate_latest(registry)
        else:
            from prometheus_client import REGISTRY

            own = generate_latest(REGISTRY)
        return own + generate_latest(self.database), CONTENT_TYPE_LATEST
