"""A sync's fixed reads go through the sqlite3 driver: one snapshot that waits for no writer, and a driver
error raised as SQLAlchemy raises it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from gigbag.app.workspace import Workspace
from gigbag.sync.driver_read import driver_read
from gigbag.sync.local_store import read_pending_counts, read_sync_state


def test_a_read_waits_for_no_writer_and_sees_the_last_commit(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "computer")
    try:
        ws.timeline.create({"date": "2025-05-01", "title": "Gig", "entry_type": "gig"})
        before = read_sync_state(ws.engine)
        writer = sqlite3.connect(ws.paths.database, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("DELETE FROM change_log")  # not committed yet
            assert read_sync_state(ws.engine) == before and before.max_change_id > 0
            assert read_pending_counts(ws.engine).pending == 1
            writer.execute("COMMIT")
        finally:
            writer.close()
        assert read_sync_state(ws.engine).max_change_id == 0
        assert read_pending_counts(ws.engine).pending == 0
    finally:
        ws.close()


def test_a_driver_error_is_sqlalchemys_and_the_connection_goes_back_usable(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "computer")
    try:
        with pytest.raises(OperationalError, match="no such table"), driver_read(ws.engine) as conn:
            conn.execute("SELECT * FROM no_such_table")
        with pytest.raises(RuntimeError), driver_read(ws.engine) as conn:
            conn.execute("SELECT 1")
            raise RuntimeError("the caller's own failure")
        for _ in range(3):  # every pooled connection is out of its transaction
            with driver_read(ws.engine) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
        assert read_pending_counts(ws.engine).pending == 0
    finally:
        ws.close()
