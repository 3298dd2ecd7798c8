"""An OS advisory lock on one file, taken without waiting (standard library only).

:mod:`.sync_lock` builds the data folder's sync lock on it; ``gigbag sync``'s quick no-op path
(:mod:`.quick_sync`) takes the same lock through it without loading the services.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = "sync.lock"  # the sync lock, in the data folder


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
def held_lock(path: Path) -> Iterator[bool]:
    """Try to lock ``path`` (created if needed) for the block: yields whether the lock is held.
    The holder's pid is written into the file (unless it is there already); closing it (at the end of
    the block) releases the lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        held = _try_lock(fd)
        pid = str(os.getpid()).encode()
        if held and os.read(fd, 32) != pid:  # the same process syncing again writes nothing (a no-op stays write-free)
            os.lseek(fd, 0, os.SEEK_SET)
            os.truncate(fd, 0)
            os.write(fd, pid)
        yield held
    finally:
        os.close(fd)  # closing releases the lock
