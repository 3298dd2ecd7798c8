"""`gigbag sync` is not a success when it did not send everything: exit 3, every file not sent and why.

A real server process whose daily upload limit lets one of three files through, and the real
command line in a subprocess.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gigbag.app.workspace import Workspace
from tests.fixtures.server_process import ServerProcess, start_server

EXIT_INCOMPLETE = 3


@pytest.fixture
def limited_server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = start_server(tmp_path / "server", extra_args=["--daily-upload-limit", "100kB"])
    yield process
    process.stop()


def test_a_sync_stopped_by_the_daily_upload_limit_exits_3_and_lists_what_was_not_sent(
    limited_server: Any, email: str, device: Any, tmp_path: Path
) -> None:
    a = device("a")
    a.login(limited_server, email, create=True)
    with Workspace.open(a.data_dir) as ws:
        for name in ("intro.wav", "verse.wav", "chorus.wav"):
            source = tmp_path / name
            source.write_bytes(b"RIFF" + os.urandom(60_000))
            ws.files.import_file(source)
    done = a.run("sync", "--yes", expect=EXIT_INCOMPLETE)
    out = done.stdout
    assert out.startswith("Sync incomplete:")
    assert "Sync incomplete: 2 files not uploaded." in out
    line = next(x for x in out.splitlines() if x.strip().startswith("Not uploaded:"))
    assert sum(f"“{n}”" in line for n in ("intro.wav", "verse.wav", "chorus.wav")) == 2
    assert "upload limit" in line and "sync again tomorrow" in out
    status = a.json("status")
    assert status["last_sync_at"] is None  # only a complete sync counts as "Last synced"
    as_json = a.json("sync", "--yes", expect=EXIT_INCOMPLETE)
    assert as_json["complete"] is False and len(as_json["not_uploaded"]) == 2
