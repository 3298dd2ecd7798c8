"""A read transaction of the local database through the sqlite3 driver itself, for a sync's fixed reads.

A sync where nothing changed reads three small things (the state before it, the files it should hold,
the pending counts after it), each one statement. Through SQLAlchemy's Core each cost ~90 µs of Python
(the connection's events, the compiled-statement cache, the result's metadata) for ~8 µs of SQLite: most
of a no-op's local work. These go to the pooled connection's driver directly, in a deferred transaction
(one snapshot; in WAL mode it never waits for a writer), with the same statements.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError


@contextmanager
def driver_read(db: Engine) -> Iterator[sqlite3.Connection]:
    """A deferred read transaction on one of ``db``'s pooled connections (an SQLite file's engine); a
    driver error comes out as SQLAlchemy would raise it (``OperationalError``…)."""
    pooled = db.raw_connection()
    try:
        conn = pooled.driver_connection
        assert isinstance(conn, sqlite3.Connection)
        try:
            conn.execute("BEGIN DEFERRED")
            yield conn
            conn.execute("COMMIT")  # read only: nothing to keep
        except sqlite3.Error as exc:
            raise DBAPIError.instance(None, None, exc, sqlite3.Error) from exc
    finally:
        pooled.close()  # back to the pool, which rolls back whatever an error left open
