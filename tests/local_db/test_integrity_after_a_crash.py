"""A database left by a process that ended mid-write is not damaged: SQLite recovers it on the next open.

The health check opens the file read-only; over a hot rollback journal (or a WAL still to recover) SQLite
refuses that with SQLITE_READONLY, and the check once took it for damage and moved the database aside —
without the journal that would have put it right. Found when bench_start's first window ended its process
while the new database was being created.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gigbag.local_db.integrity import database_problem, move_aside

DIES_MID_WRITE = """
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA journal_mode=" + sys.argv[2])
c.execute("PRAGMA cache_size=1")  # pages go to the file before the commit
c.execute("BEGIN IMMEDIATE")
c.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 2000)
os._exit(0)  # as a killed process ends: no rollback, no close
"""


def _left_mid_write(tmp_path: Path, journal_mode: str) -> Path:
    db = tmp_path / "gigbag.sqlite3"
    c = sqlite3.connect(db)
    c.execute(f"PRAGMA journal_mode={journal_mode}")
    c.execute("CREATE TABLE t (x TEXT)")
    c.execute("INSERT INTO t VALUES ('kept')")
    c.commit()
    c.close()
    subprocess.run([sys.executable, "-c", DIES_MID_WRITE, str(db), journal_mode], check=True, timeout=60)
    return db


def test_a_hot_journal_is_recovered_not_called_damage(tmp_path: Path) -> None:
    db = _left_mid_write(tmp_path, "DELETE")
    assert Path(f"{db}-journal").exists()  # the hot journal the killed write left
    assert database_problem(db) is None
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT x FROM t").fetchall() == [("kept",)]  # rolled back: as before the write


def test_a_wal_left_by_a_killed_writer_is_not_called_damage(tmp_path: Path) -> None:
    db = _left_mid_write(tmp_path, "WAL")
    assert database_problem(db) is None
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT x FROM t").fetchall() == [("kept",)]


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_a_database_moved_aside_takes_its_journal_files_along(tmp_path: Path, suffix: str) -> None:
    db = tmp_path / "gigbag.sqlite3"
    db.write_bytes(b"not a database")
    Path(f"{db}{suffix}").write_bytes(b"side")
    moved = move_aside(db)
    assert not db.exists() and not Path(f"{db}{suffix}").exists()
    assert Path(f"{moved}{suffix}").read_bytes() == b"side"
