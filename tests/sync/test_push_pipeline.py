"""The pipelined push: batch n+1 is read and stored while batch n is on the server, sent once n answers.

Against a real server process: a lost answer to the second batch (the third already stored, waiting)
is retried with its own key and replayed, and the third goes only after it; an answer holding a
conflict makes the batch read ahead be dropped unsent and read again, so nothing is lost or doubled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from gigbag.app.sync_service import SyncService
from gigbag.app.workspace import Workspace
from gigbag.local_db.database import read_session
from gigbag.local_db.sync_tables import SyncBatch
from gigbag.sync.client import RetryPolicy, SyncClient
from gigbag.sync.push import Pusher
from tests.e2e.test_lost_response import ResponseDroppingProxy

from .conftest import PASSWORD, server_entities


@pytest.fixture(autouse=True)
def _batches_of_500(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 500 (version 2's limit, which these counts were written for): the pipeline is the same at
    any size, and three batches of MAX_PUSH_CHANGES would need four times the rows."""
    monkeypatch.setattr("gigbag.sync.push.MAX_PUSH_CHANGES", 500)


def _push_keys(keys: list[str], proxy: ResponseDroppingProxy | None = None, arm_at: int = 0) -> Any:
    """A client factory recording each push attempt's key; arms ``proxy`` before the ``arm_at``-th distinct key."""

    def client(url: str, token: str | None = None, **kwargs: Any) -> SyncClient:
        def record(request: httpx.Request) -> None:
            if request.url.path != "/v1/sync/push":
                return
            key = request.headers["Idempotency-Key"]
            if proxy is not None and key not in keys and len(set(keys)) + 1 == arm_at:
                proxy.armed.set()
            keys.append(key)

        return SyncClient(
            url, token, retry=RetryPolicy(attempts=4, base_delay=0.05), event_hooks={"request": [record]}, **kwargs
        )

    return client


def _stored_batches(ws: Workspace) -> int:
    with read_session(ws.engine) as s:
        return len(list(s.scalars(select(SyncBatch))))


def test_a_lost_answer_to_the_second_batch_is_replayed_and_the_third_waits_for_it(
    server: Any, email: str, tmp_path: Path
) -> None:
    proxy = ResponseDroppingProxy(server.host, server.port)
    keys: list[str] = []
    try:
        with Workspace.open(tmp_path / "a") as ws:
            service = SyncService(ws, client_factory=_push_keys(keys, proxy, arm_at=2))
            service.sign_in(proxy.url, email, PASSWORD, create_account=True, display_name="A")
            for i in range(1200):  # three batches: 500, 500, 200
                ws.timeline.create({"date": "2025-06-01", "title": f"Entry {i}"})
            summary = service.sync()
            assert proxy.responses_dropped == 1
            # One request on the server at a time, in order: the second batch is retried with its own key
            # before the third (stored meanwhile) is sent.
            assert len(set(keys)) == 3 and keys[1] == keys[2] and len(keys) == 4
            assert summary.replayed_batches == 1 and summary.pushed == 1200 and summary.push_requests == 3
            assert service.pending_count() == 0 and _stored_batches(ws) == 0
    finally:
        proxy.close()
    held = server_entities(server, email)
    assert len(held["timeline_entries"]) == 1200
    with httpx.Client(base_url=server.url) as http:
        token = http.post("/v1/sessions", json={"email": email, "password": PASSWORD, "device_name": "x"}).json()[
            "token"
        ]
        status = http.get("/v1/sync/status", headers={"Authorization": f"Bearer {token}"}).json()
    assert status["cursor"] == 1200  # each entity applied exactly once


def test_a_conflict_in_the_first_batch_drops_the_batch_read_ahead_unsent_and_loses_nothing(
    server: Any, email: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys: list[str] = []
    dropped: list[str] = []
    real_drop = Pusher._drop

    def drop(self: Pusher, key: str) -> None:
        dropped.append(key)
        real_drop(self, key)

    monkeypatch.setattr(Pusher, "_drop", drop)
    with Workspace.open(tmp_path / "a") as a_ws, Workspace.open(tmp_path / "b") as b_ws:
        a = SyncService(a_ws, client_factory=_push_keys(keys))
        b = SyncService(b_ws)
        a.sign_in(server.url, email, PASSWORD, create_account=True, display_name="A")
        b.sign_in(server.url, email, PASSWORD, display_name="B")
        goal = a_ws.goals.create({"title": "Play 20 gigs", "goal_type": "gigs", "target_value": 20})
        a.sync(confirm_mass_delete=lambda _d: True)
        b.sync(confirm_mass_delete=lambda _d: True)
        b_ws.goals.update(goal.id, {"target_value": 30})
        b.sync(confirm_mass_delete=lambda _d: True)
        # On A: the goal edited too (another field), then 700 entries. Goals go first: the first batch
        # holds the goal (a conflict on the server) and 499 entries; the second was read ahead meanwhile.
        a_ws.goals.update(goal.id, {"title": "Play 30 gigs"})
        for i in range(700):
            a_ws.timeline.create({"date": "2025-06-01", "title": f"Entry {i}"})
        keys.clear()
        summary = a.sync(confirm_mass_delete=lambda _d: True)
        assert len(keys) == len(set(keys))  # no key sent twice
        assert len(dropped) == 1 and dropped[0] not in keys  # the batch read ahead, dropped unsent
        assert summary.open_conflicts == 0 and a.pending_count() == 0 and _stored_batches(a_ws) == 0
        assert a_ws.timeline.count() == 700
        b.sync(confirm_mass_delete=lambda _d: True)
        assert b_ws.timeline.count() == 700
        merged = b_ws.goals.get(goal.id)
        assert merged.title == "Play 30 gigs" and merged.target_value == 30
    held = server_entities(server, email)
    assert len(held["timeline_entries"]) == 700
