"""A 1 GB file goes up and comes down with bounded client memory, and both transfers resume after
the client process is killed half-way (peak RSS of the client process measured with wait4, against a
no-op sync of the same device in the same run)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gigbag.app.workspace import Workspace

from .conftest import CLI_ENV, CliDevice, gigbag_command

pytestmark = pytest.mark.slow

SIZE = int(os.environ.get("GIGBAG_LARGE_FILE_BYTES", 1024**3))
# Peak RSS a transfer may add over a no-op sync of the same device, measured in the same run (the
# absolute figure depends on the machine and its load; what must not happen is growth with file size).
MAX_TRANSFER_GROWTH_KIB = 150 * 1024
CHUNK = 8 * 1024 * 1024


def write_big_file(path: Path, size: int) -> str:
    """Write ``size`` bytes of incompressible data quickly; return their SHA-256."""
    base = os.urandom(CHUNK)
    digest = hashlib.sha256()
    with path.open("wb") as fh:
        written = 0
        counter = 0
        while written < size:
            block = (counter.to_bytes(8, "big") + base[8:])[: size - written]
            fh.write(block)
            digest.update(block)
            written += len(block)
            counter += 1
    return digest.hexdigest()


def run_measured(
    device: CliDevice, *args: str, kill_when: Callable[[], bool] | None = None, timeout: float = 900
) -> tuple[int, int, str]:
    """Run a gigbag command; optionally SIGKILL it once ``kill_when()`` holds. Returns (exit status,
    peak RSS in KiB, stdout)."""
    out_path = device.data_dir.parent / f"{device.name}-out.json"
    with out_path.open("w") as out:
        proc = subprocess.Popen(
            gigbag_command(device.data_dir, *args), env=CLI_ENV, stdout=out, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        if kill_when is not None:
            while not kill_when():
                assert proc.poll() is None, "finished before it could be interrupted"
                assert time.monotonic() < deadline
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss, out_path.read_text()


def size_of(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.exists())


def test_a_1gb_file_round_trips_with_bounded_memory_and_resumes_both_ways(
    server: Any, email: str, device: Any, tmp_path: Path
) -> None:
    laptop, desktop = device("laptop"), device("desktop")
    laptop.login(server, email, create=True)
    desktop.login(server, email)
    source = tmp_path / "concert.mov"
    sha = write_big_file(source, SIZE)
    with Workspace.open(laptop.data_dir) as ws:
        file_id = ws.files.import_file(source).id
    source.unlink()

    uploads = server.data_dir / "blobs" / ".uploads"
    status, _, _ = run_measured(
        laptop, "sync", "--yes", "--json", kill_when=lambda: size_of(list(uploads.glob("*"))) >= SIZE * 0.3
    )
    assert status == -signal.SIGKILL
    conn = sqlite3.connect(laptop.data_dir / "gigbag.sqlite3")
    transfer = conn.execute(
        "SELECT upload_url FROM blob_transfers WHERE sha256 = ? AND direction = 'up'", (sha,)
    ).fetchone()
    conn.close()
    assert transfer is not None and transfer[0]
    status, rss, out = run_measured(laptop, "sync", "--yes", "--json")
    summary = json.loads(out)
    assert status == 0, out
    assert summary["files_up"] == 1
    assert summary["bytes_up"] <= SIZE * 0.75  # continued where it stopped
    upload_rss = rss

    partial = desktop.data_dir / "blobs" / "tmp" / f"download-{sha}.part"
    status, _, _ = run_measured(desktop, "sync", "--yes", "--json", kill_when=lambda: size_of([partial]) >= SIZE * 0.3)
    assert status == -signal.SIGKILL
    status, rss, out = run_measured(desktop, "sync", "--yes", "--json")
    summary = json.loads(out)
    assert status == 0, out
    assert summary["files_down"] == 1
    assert summary["bytes_down"] <= SIZE * 0.75
    download_rss = rss
    with Workspace.open(desktop.data_dir) as ws:
        file = ws.files.get(file_id)
        assert ws.files.is_available(file) and file.blob_sha256 == sha
        assert ws.blobs.size(sha) == SIZE and ws.blobs.verify(sha)
    assert not partial.exists()
    for name, dev, peak in (("upload", laptop, upload_rss), ("download", desktop, download_rss)):
        status, baseline, out = run_measured(dev, "sync", "--yes", "--json")  # nothing left to move
        assert status == 0 and json.loads(out)["files_up"] == json.loads(out)["files_down"] == 0
        assert peak - baseline < MAX_TRANSFER_GROWTH_KIB, f"{name} peak RSS {peak} KiB, no-op sync {baseline} KiB"
