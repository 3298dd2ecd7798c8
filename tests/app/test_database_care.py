"""A damaged database at open (real damaged files of each kind) and the automatic backups."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gigbag.app import database_care
from gigbag.app.database_care import DamagedDatabase, keep_daily_backup, restore_automatic_backup
from gigbag.app.paths import resolve_paths
from gigbag.app.workspace import Workspace
from gigbag.cli.main import main


def _make(data_dir: Path, title: str = "Before the damage") -> Path:
    with Workspace.open(data_dir) as ws:
        for i in range(300):  # enough pages that damage in the middle hits data
            ws.journal.create({"title": f"{title} {i}", "content": [{"type": "text", "text": "x" * 400}]})
    db = resolve_paths(data_dir).database
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db


def _truncate(db: Path) -> None:
    size = db.stat().st_size
    with db.open("r+b") as fh:
        fh.truncate(size // 2 + 100)


def _garbage_header(db: Path) -> None:
    with db.open("r+b") as fh:
        fh.write(os.urandom(100))


def _garbage_middle(db: Path) -> None:
    size = db.stat().st_size
    with db.open("r+b") as fh:
        # Every page of the middle third, from its start: b-tree page headers are destroyed.
        page = 4096
        for offset in range(size // 3 // page * page, 2 * size // 3, page):
            fh.seek(offset)
            fh.write(b"\xff" * 64)


def _empty(db: Path) -> None:
    db.write_bytes(b"")


DAMAGE = {
    "truncated": _truncate,
    "garbage header": _garbage_header,
    "garbage in the middle": _garbage_middle,
    "0 bytes": _empty,
}
WORDS = {
    "truncated": "truncated",
    "garbage header": "beginning is damaged",
    "garbage in the middle": "malformed",
    "0 bytes": "empty (0 bytes)",
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_database_is_named_moved_aside_and_never_becomes_an_empty_workspace(data_dir: Path, kind: str):
    db = _make(data_dir)
    DAMAGE[kind](db)
    damaged_bytes = db.read_bytes()
    with pytest.raises(DamagedDatabase) as caught:
        Workspace.open(data_dir)
    message = str(caught.value)
    assert "database is damaged" in message and WORDS[kind] in message
    assert "moved aside" in message and "start-empty" in message
    moved = caught.value.moved_to
    assert not db.exists() and moved.read_bytes() == damaged_bytes and ".damaged-" in moved.name
    # A second start says the same again: it does not silently make an empty workspace.
    with pytest.raises(DamagedDatabase):
        Workspace.open(data_dir)
    assert not db.exists()


def test_the_command_line_says_it_in_words_and_exits_non_zero(data_dir: Path) -> None:
    db = _make(data_dir)
    _garbage_header(db)
    done = subprocess.run(
        [sys.executable, "-m", "gigbag", "status", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "database is damaged" in done.stderr and "Traceback" not in done.stderr
    assert "no automatic backup" in done.stderr and "gigbag start-empty" in done.stderr


def test_restore_the_newest_automatic_backup_after_damage(data_dir: Path, capsys: pytest.CaptureFixture[str]):
    paths = resolve_paths(data_dir)
    _make(data_dir, "Old")
    assert keep_daily_backup(paths, datetime(2026, 11, 1, 9, 0, tzinfo=UTC)) is not None
    with Workspace.open(data_dir) as ws:
        ws.journal.create({"title": "Newest"})
    snap = keep_daily_backup(paths, datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    assert snap is not None
    _truncate(paths.database)
    with pytest.raises(DamagedDatabase) as caught:
        Workspace.open(data_dir)
    assert caught.value.newest_backup is not None and caught.value.newest_backup.name == snap.name
    assert "2026-11-02 09:00" in str(caught.value)
    assert main(["auto-backups", "--data-dir", str(data_dir)]) == 0
    listed = capsys.readouterr().out
    assert "2 automatic backup(s)" in listed and listed.index("2026-11-02") < listed.index("2026-11-01")
    assert main(["restore-auto-backup", "--data-dir", str(data_dir)]) == 0
    with Workspace.open(data_dir) as ws:
        titles = {e.title for e in ws.journal.list()}
    assert "Newest" in titles and len(titles) == 301
    assert list(data_dir.glob("gigbag.sqlite3.damaged-*"))  # the damaged file is still kept


def test_start_empty_after_damage(data_dir: Path) -> None:
    db = _make(data_dir)
    _empty(db)
    with pytest.raises(DamagedDatabase):
        Workspace.open(data_dir)
    assert main(["start-empty", "--data-dir", str(data_dir)]) == 0
    with Workspace.open(data_dir) as ws:
        assert ws.journal.count() == 0
    assert list(data_dir.glob("gigbag.sqlite3.damaged-*"))


def test_daily_backups_one_a_day_the_last_seven(data_dir: Path) -> None:
    paths = resolve_paths(data_dir)
    _make(data_dir)
    start = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    assert keep_daily_backup(paths, start) is not None
    assert keep_daily_backup(paths, start + timedelta(hours=5)) is None  # not twice a day
    for day in range(1, 10):
        assert keep_daily_backup(paths, start + timedelta(days=day)) is not None
    found = database_care.automatic_backups(paths)
    assert len(found) == database_care.KEEP == 7
    assert found[0].taken_at == start + timedelta(days=9) and found[-1].taken_at == start + timedelta(days=3)
    # Each is a whole database: restoring one while nothing is damaged moves the current one aside.
    restore_automatic_backup(paths, found[-1].name)
    with Workspace.open(data_dir) as ws:
        assert ws.journal.count() == 300
    assert list(data_dir.glob("gigbag.sqlite3.replaced-*"))
