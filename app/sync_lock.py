"""One sync at a time per data folder, across processes: the app and ``gigbag sync`` share this lock.

The lock is an OS advisory lock on ``<data folder>/sync.lock`` (``fcntl.flock``; ``msvcrt`` on
Windows), taken without waiting: a second sync is refused at once with a sentence. The OS releases
it when the process ends, so a crashed sync never leaves the folder locked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import GigbagError

LOCK_NAME = "sync.lock"


class SyncBusy(GigbagError):
    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            f"Another Gigbag is syncing this data folder ({data_dir}) right now; this sync did not start. "
            "Wait for it to finish (or close the other Gigbag), then sync again."
        )


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def sync_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data folder's sync lock for the block, or raise :class:`SyncBusy` at once."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_lock(fd):
            raise SyncBusy(data_dir)
        pid = str(os.getpid()).encode()
        if os.read(fd, 32) != pid:  # the same process syncing again writes nothing (a no-op stays write-free)
            os.lseek(fd, 0, os.SEEK_SET)
            os.truncate(fd, 0)
            os.write(fd, pid)
        yield
    finally:
        os.close(fd)  # closing releases the lock
