"""The one connection a push's batches or a pull's pages are written through, with the WAL's checkpoints
held until its end.

A push commits once per batch (the answer applied and the next batch stored), a pull once per page or
group of pages. SQLite copies the WAL into the database file from whichever commit takes the WAL past
``wal_autocheckpoint`` pages (1,000: 4 MB), and that checkpoint writes and fsyncs the database: a long
push did it every two or three batches, inside the step that must be ready when the server answers, a
first download every few pages, and each wrote again the pages every batch touches (the bases, the
change log, the rows' indexes). Here those transactions go through one connection whose automatic
checkpoint waits for :data:`HELD_PAGES` pages, and one passive checkpoint after the last writes each page
once, on a thread of its own and its own connection: the sync goes on without waiting for the disk.
Nothing else changes: every transaction commits as before (durable in the WAL), a passive checkpoint
never blocks a reader or a writer, and if it does not run (the process ends first), the next commit past
the threshold does it, as SQLite always does.

The connection also reads through a page cache of up to :data:`CACHE_KIB` (2 MiB by default): each batch
reads the change log, the bases and the rows of its entities and writes all over those tables and their
indexes, which a small cache reads again from the file every batch. The cache is given back (the pages
dropped) when the work ends.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)

HELD_PAGES = 16_384  # 64 MiB of 4 KiB pages: a first push or download of tens of thousands of entities
CACHE_KIB = 65_536  # at most; only the pages the work reads are ever held


@contextmanager
def writer_connection(db: Engine) -> Iterator[Engine | Connection]:
    """What a push's or a pull's transactions bind to: a connection of ``db`` with checkpoints held (``db`` itself
    when it is not SQLite); the held checkpoint runs when the block ends, however it ends."""
    if db.dialect.name != "sqlite":
        yield db
        return
    with db.connect() as conn:
        raw = conn.connection.driver_connection
        before = cache = None
        if isinstance(raw, sqlite3.Connection):
            cache = int(raw.execute("PRAGMA cache_size").fetchone()[0])
            raw.execute(f"PRAGMA cache_size={-CACHE_KIB}")
            before = int(raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
            if before > 0:  # 0: this connection never checkpoints by itself anyway
                raw.execute(f"PRAGMA wal_autocheckpoint={max(HELD_PAGES, before)}")
        try:
            yield conn
        finally:
            if isinstance(raw, sqlite3.Connection) and cache is not None:
                raw.execute(f"PRAGMA cache_size={cache}")
            if isinstance(raw, sqlite3.Connection) and before is not None and before > 0:
                raw.execute(f"PRAGMA wal_autocheckpoint={before}")
                checkpoint_soon(db)


def checkpoint_soon(db: Engine) -> threading.Thread | None:
    """Copy the WAL of ``db``'s file into it, passively, on a thread of its own (None: no file)."""
    path = db.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    thread = threading.Thread(target=_checkpoint, args=(path,), name="gigbag-checkpoint", daemon=True)
    thread.start()
    return thread


def _checkpoint(path: str) -> None:
    try:
        conn = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()
    except sqlite3.Error as exc:  # busy, or the file went: the next commit past the threshold does it
        log.debug("checkpoint after the sync's writes left for later: %s", exc)
