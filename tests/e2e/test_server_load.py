"""A short run of the load test of bench/server_load.py: 2 server processes on PostgreSQL and S3
(moto), 8 devices of 3 accounts syncing and uploading for 10 seconds, with all of its checks (no
5xx, each idempotency key applied once across processes, gap-free increasing sequences, devices
converged, files read back intact). Accounts are made by anonymous sign-up, open on this server.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.fixtures.s3 import S3Server

BENCH = Path(__file__).resolve().parents[2] / "bench" / "server_load.py"


def _load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gigbag_bench_server_load", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_two_workers_on_postgres_and_s3_keep_every_sync_invariant(
    tmp_path: Path, pg_database_url: str, s3_server: S3Server
) -> None:
    bench = _load_bench()
    report = bench.run_on(
        pg_database_url, s3_server, workers=2, accounts=3, devices=8, seconds=10, max_ops=5000, work_dir=tmp_path
    )
    print(bench.summary(report))
    assert report.failures == []
    assert not any(status >= 500 for status in report.statuses)
    assert report.pushes >= 8 and report.pulls >= 1 and len(report.uploads) >= 1
    assert report.replays >= 8  # each device's first push went twice at once, on two connections
