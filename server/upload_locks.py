"""One writer at a time per tus upload, across every server process that shares the database.

On PostgreSQL the lock is a session advisory lock held on its own connection for the length of
the PATCH (``pg_try_advisory_lock``); on SQLite, whose processes share one machine, it is an
``flock`` on a lock file. Both vanish with the process that holds them, so a killed writer never
leaves an upload locked.
"""

from __future__ import annotations

import fcntl
import hashlib
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import Connection, Engine

# The first key of every upload's advisory lock ("gigb"), the second is taken from the upload id.
ADVISORY_NAMESPACE = 0x67696762


class UploadLocks(Protocol):
    def try_acquire(self, upload_id: str) -> Any | None:
        """The lock (to hand to :meth:`release`), or None when another writer holds it."""

    def release(self, held: Any) -> None: ...

    def forget(self, upload_id: str) -> None:
        """The upload is over: remove what its lock left behind."""


class FileUploadLocks:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, upload_id: str) -> Path:
        if not upload_id.isalnum():
            raise ValueError("bad upload id")
        return self.folder / f"{upload_id}.lock"

    def try_acquire(self, upload_id: str) -> IO[bytes] | None:
        f = open(self._path(upload_id), "a+b")  # noqa: SIM115 - closed by release
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            return None
        return f

    def release(self, held: IO[bytes]) -> None:
        try:
            fcntl.flock(held, fcntl.LOCK_UN)
        finally:
            held.close()

    def forget(self, upload_id: str) -> None:
        self._path(upload_id).unlink(missing_ok=True)


def _advisory_key(upload_id: str) -> int:
    value = int.from_bytes(hashlib.sha256(upload_id.encode()).digest()[:4], "big")
    return value - 2**31  # a signed int4


class PostgresUploadLocks:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def try_acquire(self, upload_id: str) -> tuple[Connection, int] | None:
        conn = self.engine.connect()
        key = _advisory_key(upload_id)
        try:
            got = conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({ADVISORY_NAMESPACE}, {key})").scalar_one()
            conn.commit()
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return None
        return conn, key

    def release(self, held: tuple[Connection, int]) -> None:
        conn, key = held
        try:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({ADVISORY_NAMESPACE}, {key})")
            conn.commit()
        except Exception:
            conn.invalidate()  # a connection that may still hold the lock never goes back to the pool
        finally:
            conn.close()

    def forget(self, upload_id: str) -> None:
        return None
