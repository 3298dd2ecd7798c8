"""Is the database file whole? Checked at open, before any migration touches it.

A damaged file is never opened as if it were fine: a 0-byte file is not an empty workspace, a file
whose header is not SQLite's, one shorter than its header says (truncated) and one SQLite's
``quick_check`` finds damage in are each named in a sentence, and the file is moved aside (with its
WAL and shared-memory files) under a timestamped name — never deleted.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"


def _header_problem(path: Path, size: int) -> str | None:
    """What the first 100 bytes say is wrong (read only once SQLite has refused the file: see below)."""
    with path.open("rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        return "the database file does not start as a SQLite database does (its beginning is damaged)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return "the database file's header is damaged (an impossible page size)"
    return _size_problem(size, page_size, int.from_bytes(header[28:32], "big"))


def _size_problem(size: int, page_size: int, pages: int) -> str | None:
    if size % page_size or (pages and size < pages * page_size):
        return (
            f"the database file is cut short: it holds {size:,} bytes where its header counts "
            f"{pages * page_size:,} (it was truncated)"
        )
    return None


def database_problem(path: Path) -> str | None:
    """A sentence saying what is wrong with the database at ``path``, or None (also when it does not exist).

    A whole file is only ever read through SQLite: opening and closing the database file any other way
    drops every POSIX lock this process's SQLite connections hold on it (sqlite.org/howtocorrupt.html,
    2.2), and another process could then reset the WAL under them. The header is read directly only
    once SQLite has refused the file, to name what is wrong.
    """
    if not path.exists():
        return None
    try:
        size = path.stat().st_size
        if size == 0:
            return "the database file is empty (0 bytes): its content is gone"
        try:
            try:
                page_size, pages, rows = _checked(path, "ro")
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_READONLY:
                    raise
                # A process that ended mid-write left a hot journal (or a WAL to recover): SQLite puts it
                # right on the first read-write open (its own crash recovery); read-only, it refuses.
                page_size, pages, rows = _checked(path, "rw")
        except sqlite3.DatabaseError as exc:
            return _header_problem(path, size) or f"SQLite cannot read the database file ({exc})"
        if rows != ["ok"]:
            return _header_problem(path, size) or (
                f"SQLite found damage inside the database file ({'; '.join(str(r) for r in rows[:3])})"
            )
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size:  # SQLite counts the pages still in the WAL too
            pages = 0  # then only a partial page shows a cut; quick_check has read every page there is
        return _size_problem(size, page_size, pages)
    except OSError as exc:
        return f"the database file cannot be read ({exc.strerror or exc})"


def _checked(path: Path, mode: str) -> tuple[int, int, list[str]]:
    """Page size, page count and ``quick_check``'s first findings, through SQLite opened in ``mode``."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True)
    try:
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
    finally:
        conn.close()
    return page_size, pages, rows


def move_aside(path: Path, label: str = "damaged") -> Path:
    """Rename ``path`` (and its -wal, -shm and -journal files) to ``<name>.<label>-<UTC time>``; return the
    new path."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{n}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, Path(f"{target}{suffix}"))
    return target
