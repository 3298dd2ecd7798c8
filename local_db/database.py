"""Opening the local SQLite database: WAL, foreign keys, a busy timeout, and sessions.

Every connection gets the same pragmas, so constraints are enforced whichever code path writes.
Transactions begin with BEGIN IMMEDIATE so that a write never fails half-way on a lock upgrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlmodel import Session

BUSY_TIMEOUT_MS = 10_000


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _on_begin(conn: Any) -> None:
    # Writers take the lock up front; readers (begin="DEFERRED") never wait for a writer in WAL.
    conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('begin', 'IMMEDIATE')}")


def make_engine(path: Path) -> Engine:
    """An engine for the database file at ``path`` with Gigbag's pragmas on every connection."""
    engine = create_engine(sqlite_url(path), connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


@contextmanager
def transaction(engine: Engine | Connection) -> Iterator[Session]:
    """A session whose work commits as one transaction, or rolls back entirely on any error (on an engine,
    or on one connection that a longer piece of work holds)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading only: a deferred transaction that never blocks on the writer."""
    with Session(engine.execution_options(begin="DEFERRED"), expire_on_commit=False) as session:
        yield session
