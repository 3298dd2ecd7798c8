"""Checking a database's health never drops this process's SQLite locks on it (sqlite.org/howtocorrupt.html, 2.2).

Closing any file descriptor of the database file releases every POSIX lock the process holds on it,
SQLite's included; another process then believes it is alone, and its last connection deletes the WAL
and shared-memory files under the open connections here. The check must read the file through SQLite.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from gigbag.local_db.integrity import database_problem


def test_a_health_check_keeps_the_open_connections_usable(tmp_path: Path) -> None:
    db = tmp_path / "gigbag.sqlite3"
    here = sqlite3.connect(db)
    here.execute("PRAGMA journal_mode=WAL")
    here.execute("CREATE TABLE t (x INTEGER)")
    here.execute("INSERT INTO t VALUES (1)")
    here.commit()
    assert here.execute("SELECT COUNT(*) FROM t").fetchone() == (1,)

    assert database_problem(db) is None

    other = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('INSERT INTO t VALUES (2)'); c.commit(); c.close()"
    subprocess.run([sys.executable, "-c", other, str(db)], check=True, timeout=60)
    assert Path(f"{db}-wal").exists()  # this process's connection is still open: the WAL must stay
    assert here.execute("SELECT COUNT(*) FROM t").fetchone() == (2,)
    here.close()
