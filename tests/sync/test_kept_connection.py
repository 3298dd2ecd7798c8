"""Syncs of one process share one kept connection to their server, and a connection the server closed
meanwhile costs nothing but a new one: no error, no back-off.

Against real server processes (each test its own, since one restarts it); connections are counted where
httpcore opens them (``socket.create_connection``).
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpcore
import pytest

from gigbag.app.sync_service import SyncService
from gigbag.app.workspace import Workspace
from gigbag.sync import client as sync_client
from gigbag.sync.errors import AuthenticationError
from gigbag.sync.progress import CancelToken
from tests.fixtures.server_process import ServerProcess, start_server

PASSWORD = "correct horse battery"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    holder = [start_server(tmp_path / "server")]
    yield holder[0]
    holder[0].stop()


@pytest.fixture
def service(tmp_path: Path, server: ServerProcess) -> Iterator[SyncService]:
    ws = Workspace.open(tmp_path / "computer")
    svc = SyncService(ws)  # the default client factory: the process's kept clients
    svc.sign_in(server.url, f"kept-{uuid.uuid4().hex[:10]}@example.org", PASSWORD, create_account=True)
    ws.timeline.create({"date": "2025-05-01", "title": "Gig", "entry_type": "gig"})
    svc.sync()
    svc.sync()
    yield svc
    sync_client.close_connections()
    ws.close()


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch, server: ServerProcess) -> list[tuple[str, int]]:
    """Every TCP connection opened to the server from now on."""
    opened: list[tuple[str, int]] = []
    real = socket.create_connection

    def counted(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if tuple(address)[1] == server.port:
            opened.append(tuple(address))
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", counted)
    return opened


@pytest.fixture
def back_offs(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every back-off a retry waited for."""
    waited: list[float] = []
    monkeypatch.setattr(CancelToken, "sleep", lambda _self, seconds: waited.append(seconds))
    return waited


def kept_for(server: ServerProcess) -> list[tuple[str, str | None]]:
    return [key for key in sync_client._kept_clients if key[0] == server.url]


def test_noop_syncs_reuse_one_connection(service: SyncService, connects: list[Any], back_offs: list[float]) -> None:
    for _ in range(3):
        summary = service.sync()
        assert summary.pulled == summary.pushed == 0 and summary.pull_requests == 1
    assert connects == []  # the connection of the set-up's syncs carried all three
    assert back_offs == []


def test_syncs_seconds_apart_share_the_connection(service: SyncService, connects: list[Any]) -> None:
    """Past uvicorn's and httpx's default keep-alive (5 s) neither side lets the idle connection go."""
    time.sleep(6.5)
    assert service.sync().pull_requests == 1
    assert connects == []


def test_a_restarted_server_costs_one_new_connection_and_no_back_off(
    server: ServerProcess, service: SyncService, connects: list[Any], back_offs: list[float]
) -> None:
    restarted = server.restart(same_port=True)
    connects.clear()  # the restart's own health check
    try:
        service.sync()
        service.sync()
    finally:
        server.process = restarted.process  # the fixture stops the running one
    assert len(connects) == 1 and back_offs == []


def test_a_closed_connection_that_still_looks_open_is_sent_again_at_once(
    monkeypatch: pytest.MonkeyPatch,
    server: ServerProcess,
    service: SyncService,
    connects: list[Any],
    back_offs: list[float],
) -> None:
    """The race of a keep-alive timeout: the server closes the connection just as a request goes out on it
    (here: the pool is told every connection is still good, and the server process restarted)."""
    monkeypatch.setattr(httpcore._sync.http11.HTTP11Connection, "has_expired", lambda _self: False)
    restarted = server.restart(same_port=True)
    connects.clear()
    try:
        summary = service.sync()
    finally:
        server.process = restarted.process
    assert summary.complete and summary.pull_requests == 1
    assert len(connects) == 1  # the request went out once more, on a new connection
    assert back_offs == []  # at once, not after a retry's back-off


def test_sign_out_closes_the_kept_connection(server: ServerProcess, service: SyncService) -> None:
    assert kept_for(server)
    service.sign_out()
    assert kept_for(server) == []


def test_a_revoked_token_is_noticed_on_a_kept_connection(server: ServerProcess, service: SyncService) -> None:
    [token] = [token for _url, token in kept_for(server) if token]
    with sync_client.SyncClient(server.url, token, timeout=sync_client.httpx.Timeout(10.0)) as other:
        other.delete_session()  # revoked on the server, by another client
    with pytest.raises(AuthenticationError):
        service.sync()
    assert kept_for(server) == []  # the next sign-in starts on a new connection
