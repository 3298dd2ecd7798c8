"""A sync looks at the file store, and at the uploads' checks on the server, only when that may find something.

The wanted contents are counted by triggers (``local_db.blob_looks``); a sync whose last look found
everything, within the hour, with nothing changed since, stats no file; anything that changes what is
wanted, a content asked for and not found, an hour gone by or a clock put back makes the next one look.
Likewise the re-check of uploads (``blob_audit``) reads every file's check only until a complete one is
recorded, and again once its oldest check is old or what the store holds changed. Real server, real
files, real stores.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gigbag.local_db.blob_looks import BLOB_LOOK_TRIGGERS
from gigbag.local_db.blob_store import BlobMissingError, BlobStore
from gigbag.sync import blob_audit
from gigbag.sync.blob_sync import BlobSync

from .conftest import Device

OLD_STAMP = "2020-01-01T00:00:00.000000Z"
LATER_STAMP = "2999-01-01T00:00:00.000000Z"


def media(tmp_path: Path, name: str, size: int = 4096) -> Path:
    path = tmp_path / name
    path.write_bytes(b"ID3" + os.urandom(size))
    return path


def look(device: Device) -> tuple[int, int | None, str | None]:
    with sqlite3.connect(device.ws.paths.database) as conn:
        return conn.execute("SELECT generation, looked_generation, looked_at FROM blob_looks").fetchone()  # type: ignore[no-any-return]


def set_looked_at(device: Device, stamp: str) -> None:
    with sqlite3.connect(device.ws.paths.database) as conn:
        conn.execute("UPDATE blob_looks SET looked_at = ?", (stamp,))


@pytest.fixture
def looks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The contents each sync's look at the store asked for (``BlobStore.has`` from ``download_missing``)."""
    asked: list[str] = []
    real = BlobSync._download_all

    def counting(self: BlobSync, missing: list[str]) -> bool:
        asked.append("look")
        return real(self, missing)

    monkeypatch.setattr(BlobSync, "_download_all", counting)
    yield asked


def test_the_frozen_triggers_are_the_codes() -> None:
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0005_blob_looks.py"
    spec = importlib.util.spec_from_file_location("m0005", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.BLOB_LOOK_TRIGGERS == BLOB_LOOK_TRIGGERS


def test_what_the_store_should_hold_moves_the_generation_and_nothing_else_does(
    make_device: Any, tmp_path: Path
) -> None:
    a = make_device("a")
    start = look(a)[0]
    song = a.ws.files.import_file(media(tmp_path, "song.mp3"))
    after_import = look(a)[0]
    assert after_import > start
    a.ws.files.rename(song.id, "Song (master).mp3")
    a.ws.timeline.create({"date": "2026-05-01", "title": "Gig", "entry_type": "gig"})
    a.ws.profile.save({"stage_name": "La Orquesta"})
    after_profile = look(a)[0]
    a.ws.profile.save({"bio": "From Oslo"})  # not a picture
    assert look(a)[0] == after_profile
    assert after_profile == after_import + 1  # the profile's row was created: its pictures may be wanted
    with sqlite3.connect(a.ws.paths.database, isolation_level=None) as conn:  # each statement commits
        conn.execute("UPDATE artists SET avatar_url = 'blob:' || ?", ("a" * 64,))
        assert look(a)[0] == after_profile + 1
        conn.execute("INSERT INTO cloud_only_files (file_id, marked_at) VALUES (?, ?)", (song.id, OLD_STAMP))
        conn.execute("DELETE FROM cloud_only_files")
        conn.execute("UPDATE files SET blob_sha256 = ? WHERE id = ?", ("b" * 64, song.id))
    assert look(a)[0] == after_profile + 4
    a.ws.files.delete(song.id)
    assert look(a)[0] == after_profile + 5


def test_a_noop_sync_does_not_look_at_the_store_again(
    server: Any, email: str, make_device: Any, tmp_path: Path, looks: list[str]
) -> None:
    a = make_device("a")
    a.login(server, email, create=True)
    a.ws.files.import_file(media(tmp_path, "take.wav"))
    assert a.sync().files_up == 1
    generation, looked_generation, looked_at = look(a)
    assert (looked_generation, looks) == (generation, ["look"]) and looked_at
    looks.clear()
    for _ in range(3):
        assert a.sync().files_down == 0
    assert looks == []  # nothing changed: no stat of the store
    assert look(a) == (generation, looked_generation, looked_at)  # and nothing written


def test_a_file_from_another_computer_is_downloaded_at_once(
    server: Any, email: str, make_device: Any, tmp_path: Path, looks: list[str]
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    a.sync()
    b.sync()
    looks.clear()
    b.sync()
    assert looks == []
    a.ws.files.import_file(media(tmp_path, "stems.zip"))
    a.sync()
    assert b.sync().files_down == 1  # the pulled file moved the generation: the store was looked at


def test_a_content_gone_from_the_store_comes_back_once_the_look_is_an_hour_old(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    a = make_device("a")
    a.login(server, email, create=True)
    sha = a.ws.files.import_file(media(tmp_path, "photo.mp3")).blob_sha256
    a.sync()
    blob = BlobStore(a.ws.paths.blobs).path(sha)
    blob.unlink()  # a hand in the data folder: nothing the database sees
    assert a.sync().files_down == 0  # the last look holds for an hour
    set_looked_at(a, OLD_STAMP)
    assert a.sync().files_down == 1 and blob.is_file()
    blob.unlink()
    set_looked_at(a, LATER_STAMP)  # the clock was put back: a look "from the future" holds no longer
    assert a.sync().files_down == 1 and blob.is_file()


def test_a_content_the_artist_asked_for_and_was_missing_comes_with_the_next_sync(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    a = make_device("a")
    a.login(server, email, create=True)
    song = a.ws.files.import_file(media(tmp_path, "song.mp3"))
    a.sync()
    a.ws.blobs.path(song.blob_sha256).unlink()
    with pytest.raises(BlobMissingError):
        a.ws.files.content_path(song)  # "not on this computer yet; sync to bring it here"
    assert a.sync().files_down == 1
    assert a.ws.files.content_path(song).is_file()
    assert a.sync().files_down == 0


def test_a_look_that_left_something_missing_is_not_kept(
    server: Any, email: str, make_device: Any, tmp_path: Path, looks: list[str]
) -> None:
    a = make_device("a")
    a.login(server, email, create=True)
    a.sync()
    before = look(a)
    with sqlite3.connect(a.ws.paths.database) as conn:  # a file whose content no one ever uploaded
        conn.execute(
            "INSERT INTO files (id, created_at, updated_at, filename, file_size_bytes, mime_type, blob_sha256, "
            "category) VALUES ('f1', ?, ?, 'lost.wav', 10, 'audio/wav', ?, 'music')",
            (OLD_STAMP, OLD_STAMP, "c" * 64),
        )
    looks.clear()
    summary = a.sync()
    assert summary.files_down == 0 and not summary.complete
    assert look(a)[1] == before[1]  # the look did not find everything: not recorded
    a.sync()
    assert looks == ["look", "look"]  # so the next sync looks again


@pytest.fixture
def audits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Each scan of the uploads' checks (``blob_audit._checks_here``)."""
    scans: list[str] = []
    real = blob_audit._checks_here

    def counting(blob_sync: BlobSync) -> tuple[int | None, dict[str, str]]:
        scans.append("scan")
        return real(blob_sync)

    monkeypatch.setattr(blob_audit, "_checks_here", counting)
    yield scans


def test_a_noop_sync_does_not_read_the_uploads_checks_again(
    server: Any, email: str, make_device: Any, tmp_path: Path, audits: list[str]
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    a.ws.files.import_file(media(tmp_path, "take.wav"))
    a.sync()
    audits.clear()
    for _ in range(3):
        a.sync()
    assert audits == []
    with sqlite3.connect(a.ws.paths.database) as conn:  # a day later: the oldest check it recorded is old
        conn.execute("UPDATE blob_looks SET audit_oldest = ?", (OLD_STAMP,))
    a.sync()
    a.sync()
    assert audits == ["scan"]  # looked again once, and recorded
    (oldest,) = sqlite3.connect(a.ws.paths.database).execute("SELECT audit_oldest FROM blob_looks").fetchone()
    assert oldest > OLD_STAMP
    b.ws.files.import_file(media(tmp_path, "stems.zip"))
    b.sync()
    audits.clear()
    assert a.sync().files_down == 1  # a version referring to another content: what the store holds changed
    a.sync()
    a.sync()
    assert audits == ["scan"]
