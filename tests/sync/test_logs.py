"""The desktop's log file after real syncs: what happened, why a sync failed, and never a secret."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gigbag.app.logging_setup import start_file_log, stop_file_log
from gigbag.sync.account import load_token, read_account
from gigbag.sync.errors import NetworkError
from tests.fixtures.server_process import running_server
from tests.sync.conftest import PASSWORD


@pytest.fixture
def log_path(tmp_path: Path) -> Iterator[Path]:
    path = start_file_log(tmp_path / "logs")
    yield path
    stop_file_log()


def test_a_sync_logs_its_counts_and_never_the_token_or_the_password(
    tmp_path: Path, email: str, make_device: Any, log_path: Path
) -> None:
    with running_server(tmp_path / "server") as server:
        a = make_device("a")
        a.login(server, email, create=True)
        a.ws.journal.create(
            {"title": "Set list", "content": [{"type": "text", "text": "secret lyrics of the new song"}]}
        )
        summary = a.sync()
        token = load_token(read_account(a.ws.engine))
    assert summary.pushed == 1  # the journal entry
    text = log_path.read_text("utf-8")
    assert f"sync with {server.url} started" in text
    assert f"{summary.pushed} sent, 0 received" in text and "sync with" in text and " done in " in text
    assert f"signed in to {server.url}" in text
    assert token and token not in text
    assert PASSWORD not in text
    assert "secret lyrics" not in text


def test_a_sync_with_the_server_stopped_leaves_its_cause_in_the_log(
    tmp_path: Path, email: str, make_device: Any, log_path: Path
) -> None:
    with running_server(tmp_path / "server") as server:
        a = make_device("a")
        a.login(server, email, create=True)
        a.sync()
    a.ws.journal.create({"title": "written while the server is down"})
    with pytest.raises(NetworkError):
        a.sync()
    text = log_path.read_text("utf-8")
    failure = [line for line in text.splitlines() if "failed: NetworkError" in line]
    assert failure, text
    assert f"sync with {server.url} failed: NetworkError: Could not reach the sync server" in failure[0]
    assert "WARNING" in failure[0]
