"""A sync where nothing changed writes nothing on either side, and "Last synced" stays right to the minute."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, select, text

from gigbag.local_db.sync_tables import BlobTransfer, SyncBase
from gigbag.schema.entities import ENTITY_TYPES, blob_refs, data_fields
from gigbag.schema.fields import utc_now
from gigbag.server.config import SQLITE_FILE_NAME
from gigbag.sync.account import load_token
from gigbag.sync.blob_audit import REVERIFY_AFTER, STAMP, check_cutoff, due_for_check, reverify_uploaded
from gigbag.sync.blob_sync import VERIFIED, BlobSync, wanted_blobs
from gigbag.sync.client import SyncClient
from gigbag.sync.errors import NotSignedIn
from gigbag.sync.local_store import read_sync_state
from gigbag.sync.noop_rules import REFERRING_TYPES
from gigbag.sync.progress import CancelToken, no_progress

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
        assert bool(blob_refs(entity_type, data)) == (entity_type in REFERRING_TYPES), entity_type


# What a no-op may run on this computer: the state before (one statement), the files it should hold
# and the pending counts after (one each); each in its own read transaction (BEGIN and COMMIT).
NOOP_STATEMENTS = 3


def test_a_noop_sends_one_request_and_runs_three_statements_here(synced: Device) -> None:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            statements.append(statement)

    event.listen(synced.ws.engine, "before_cursor_execute", count)
    try:
        synced.requests.clear()
        summary = synced.sync()
    finally:
        event.remove(synced.ws.engine, "before_cursor_execute", count)
    assert summary.complete and summary.pulled == summary.pushed == 0
    assert synced.requests == [("GET", "/v1/sync/pull")]
    assert len(statements) <= NOOP_STATEMENTS, statements
    assert all(s.lstrip().upper().startswith(("SELECT", "WITH")) for s in statements), statements


def _stored(device: Device, content: bytes) -> str:
    return device.ws.blobs.write_stream(io.BytesIO(content))


def _stamp(age: dt.timedelta) -> str:
    return (dt.datetime.now(dt.UTC) - age).strftime(STAMP)


BUMP = "UPDATE blob_looks SET generation = generation + 1"


def test_the_files_due_for_a_new_look_are_the_ones_blob_refs_names_oldest_first(synced: Device) -> None:
    old, fresh, never, elsewhere, text_only = (_stored(synced, f"content {i}".encode()) for i in range(5))
    not_here = "f" * 64
    bases = [
        ("files", "f-old", {"blob_sha256": old}),
        ("files", "f-not-here", {"blob_sha256": not_here}),
        ("files", "f-number", {"blob_sha256": 12}),
        ("artists", "me", {"avatar_url": f"blob:{fresh}", "banner_url": f"blob:{never}"}),
        ("artists", "link", {"avatar_url": "https://example.org/me.png", "banner_url": None}),
        ("timeline", "t", {"title": f"blob:{elsewhere}", "blob_sha256": elsewhere}),
        ("notes", "n", {"text": f"blob:{text_only}"}),
    ]
    table = SyncBase.__table__  # type: ignore[attr-defined]
    transfers = BlobTransfer.__table__  # type: ignore[attr-defined]
    with synced.ws.engine.begin() as conn:
        for entity_type, entity_id, data in bases:
            conn.execute(
                insert(table).values(entity_type=entity_type, entity_id=entity_id, checksum="x", data=data, seq=1)
            )
        for sha, age in ((old, REVERIFY_AFTER * 3), (fresh, dt.timedelta(minutes=5)), (not_here, REVERIFY_AFTER * 9)):
            conn.execute(insert(transfers).values(sha256=sha, direction=VERIFIED, bytes_done=1, updated_at=_stamp(age)))
        conn.execute(text(BUMP))  # as the rows of the files and the profile written with their bases would
        rows = conn.execute(select(table.c.entity_type, table.c.data)).all()
    blob_sync = BlobSync(
        synced.ws.engine, synced.ws.blobs, SyncClient("http://127.0.0.1:9"), no_progress, CancelToken()
    )
    # What blob_refs names, here, and not seen on the server since the cutoff: never checked first.
    referred = {sha for entity_type, data in rows for sha in blob_refs(entity_type, data)}
    assert referred == {old, not_here, fresh, never}
    assert due_for_check(blob_sync) == [never, old]
    assert due_for_check(blob_sync, budget=1) == [never]
    assert due_for_check(blob_sync, older_than=REVERIFY_AFTER * 4) == [never]
    assert read_sync_state(synced.ws.engine, check_cutoff()).blob_check_due
    assert read_sync_state(synced.ws.engine).blob_check_due  # no cutoff: counted due

    with synced.ws.engine.begin() as conn:
        for sha in (never, old):
            conn.execute(
                text(
                    "INSERT OR REPLACE INTO blob_transfers (sha256, direction, bytes_done, updated_at) VALUES (:sha, :d, 1, :now)"
                ),
                {"sha": sha, "d": VERIFIED, "now": utc_now()},
            )
    assert due_for_check(blob_sync) == []
    # No look since the bases came: the engine's state still counts one due. The look finds nothing to send
    # (the blob that is not here is not this computer's to check) and is recorded: then none is due, until
    # the oldest check of those here gets old, or what the store should hold changes.
    assert read_sync_state(synced.ws.engine, check_cutoff()).blob_check_due
    reverify_uploaded(blob_sync)
    assert not read_sync_state(synced.ws.engine, check_cutoff()).blob_check_due
    assert read_sync_state(synced.ws.engine, check_cutoff(dt.timedelta(minutes=1))).blob_check_due  # fresh's, 5 min
    with synced.ws.engine.begin() as conn:
        conn.execute(text(BUMP))
    assert read_sync_state(synced.ws.engine, check_cutoff()).blob_check_due


def test_the_files_wanted_here_are_the_files_not_cloud_only_and_the_profile_pictures(
    synced: Device, tmp_path: Path
) -> None:
    assert wanted_blobs(synced.ws.engine) == set()
    kept, away = (tmp_path / "kept.txt", tmp_path / "away.txt")
    kept.write_bytes(b"kept here")
    away.write_bytes(b"on the server only")
    kept_file, away_file = synced.ws.files.import_file(kept), synced.ws.files.import_file(away)
    picture = _stored(synced, b"a picture")
    synced.ws.profile.save({"stage_name": "Marisol", "avatar_url": f"blob:{picture}", "banner_url": "https://x.org/b"})
    with synced.ws.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO cloud_only_files (file_id, marked_at) VALUES (:id, :now)"),
            {"id": away_file.id, "now": utc_now()},
        )
    assert wanted_blobs(synced.ws.engine) == {kept_file.blob_sha256, picture}
