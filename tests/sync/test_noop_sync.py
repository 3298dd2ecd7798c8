"""A sync where nothing changed writes nothing on either side, and "Last synced" stays right to the minute."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from gigbag.schema.entities import ENTITY_TYPES, blob_refs, data_fields
from gigbag.server.config import SQLITE_FILE_NAME
from gigbag.sync.account import load_token
from gigbag.sync.blob_audit import _REFERRING_TYPES
from gigbag.sync.client import SyncClient
from gigbag.sync.errors import NotSignedIn

from .conftest import Device


def server_db(server: Any) -> Path:
    path = Path(server.data_dir) / SQLITE_FILE_NAME
    assert path.exists(), path
    return path


def client_db(device: Device) -> Path:
    return Path(device.ws.engine.url.database or "")


def last_syncs(server: Any, device: Device) -> tuple[str | None, str | None]:
    """(the client's "Last synced", the server's record of this device's last sync)."""
    account = device.service.account()
    with sqlite3.connect(server_db(server)) as conn:
        row = conn.execute("SELECT last_sync_at FROM devices WHERE id = ?", (account.device_id,)).fetchone()
    return account.last_sync_at, row[0]


@pytest.fixture
def synced(server: Any, email: str, make_device: Any) -> Device:
    a = make_device("a")
    a.login(server, email, create=True)
    a.ws.timeline.create({"date": "2025-05-01", "title": "Gig", "entry_type": "gig"})
    a.sync()
    a.sync()  # the last sync and the token's use are recorded now: the next no-op has nothing to record
    return a


def test_a_noop_sync_writes_nothing_on_either_side(server: Any, synced: Device) -> None:
    watchers = [sqlite3.connect(server_db(server)), sqlite3.connect(client_db(synced))]
    try:
        before = [w.execute("PRAGMA data_version").fetchone()[0] for w in watchers]
        stamps = last_syncs(server, synced)
        synced.requests.clear()
        summary = synced.sync()
        after = [w.execute("PRAGMA data_version").fetchone()[0] for w in watchers]
    finally:
        for w in watchers:
            w.close()
    assert summary.complete and summary.pulled == summary.pushed == summary.pending == 0
    assert [method for method, _path in synced.requests] == ["GET"]  # one pull, nothing else
    assert after == before  # no other connection committed anything: neither database was written
    assert last_syncs(server, synced) == stamps


def test_last_sync_is_recorded_once_a_minute_by_a_noop_and_exactly_after_a_change(server: Any, synced: Device) -> None:
    device_id = synced.service.account().device_id
    old = "2026-01-01T00:00:00.000000Z"
    with synced.ws.engine.begin() as conn:
        conn.execute(text("UPDATE sync_account SET last_sync_at = :old WHERE id = 1"), {"old": old})
    with sqlite3.connect(server_db(server)) as conn:
        conn.execute("UPDATE devices SET last_sync_at = NULL WHERE id = ?", (device_id,))
    synced.sync()  # a no-op, but the records are older than a minute (or missing): both recorded now
    client_stamp, server_stamp = last_syncs(server, synced)
    assert client_stamp is not None and client_stamp > old and server_stamp is not None
    account = synced.service.account()
    with SyncClient(account.server_url or "", load_token(account)) as client:  # what `gigbag status` shows
        assert [d.last_sync_at is not None for d in client.status().devices if d.device_id == device_id] == [True]

    synced.ws.timeline.create({"date": "2025-05-02", "title": "Another gig", "entry_type": "gig"})
    summary = synced.sync()  # within the minute, but it sent something: recorded exactly
    assert summary.pushed == 1
    assert synced.service.account().last_sync_at > client_stamp  # type: ignore[operator]


def test_signing_out_and_in_again_drops_the_kept_token(server: Any, email: str, synced: Device) -> None:
    synced.service.sign_out()
    with pytest.raises(NotSignedIn):
        synced.sync()
    synced.login(server, email)
    summary = synced.sync()  # the new device's token, from the keyring
    assert summary.complete


def test_the_blob_check_reads_every_entity_type_that_can_refer_to_a_blob() -> None:
    sha = "a" * 64
    for entity_type in ENTITY_TYPES:
        data = {name: f"blob:{sha}" if name != "blob_sha256" else sha for name in data_fields(entity_type)}
        assert bool(blob_refs(entity_type, data)) == (entity_type in _REFERRING_TYPES), entity_type
