"""A push writes through one connection whose WAL checkpoints wait for the push's end (writer_connection)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import Connection
from sqlmodel import Session

from gigbag.local_db.database import make_engine
from gigbag.sync.writer_connection import CACHE_KIB, HELD_PAGES, writer_connection

PAGE = 4096


def _checkpointed() -> None:
    for thread in threading.enumerate():
        if thread.name == "gigbag-checkpoint":
            thread.join(timeout=30)


def _raw(conn: Connection) -> sqlite3.Connection:
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def test_a_push_s_commits_leave_the_database_file_alone_until_one_checkpoint_after_its_end(tmp_path: Path) -> None:
    path = tmp_path / "local.sqlite3"
    engine = make_engine(path)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x BLOB)")
    with engine.connect() as conn:
        _raw(conn).execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with writer_connection(engine) as bind:
        assert isinstance(bind, Connection)
        assert _raw(bind).execute("PRAGMA wal_autocheckpoint").fetchone()[0] == HELD_PAGES
        assert _raw(bind).execute("PRAGMA cache_size").fetchone()[0] == -CACHE_KIB
        for _ in range(12):  # 12 commits of 1 MiB: three times the usual threshold of 1,000 pages
            with Session(bind) as s:
                s.connection().exec_driver_sql("INSERT INTO t VALUES (randomblob(?))", (256 * PAGE,))
                s.commit()
        assert path.stat().st_size == size  # all of it still in the WAL: no checkpoint in between
        raw = _raw(bind)
    _checkpointed()
    assert path.stat().st_size > size + 12 * 256 * PAGE  # the one checkpoint at the end wrote it
    assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000  # the pooled connection as it was
    assert raw.execute("PRAGMA cache_size").fetchone()[0] == -2000
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 12
    engine.dispose()


def test_the_checkpoint_threshold_and_the_cache_are_given_back_when_the_push_fails(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "local.sqlite3")
    try:
        with writer_connection(engine) as bind:
            assert isinstance(bind, Connection)
            raw = _raw(bind)
            raise RuntimeError("the push stopped")
    except RuntimeError:
        pass
    assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    assert raw.execute("PRAGMA cache_size").fetchone()[0] == -2000
    engine.dispose()
