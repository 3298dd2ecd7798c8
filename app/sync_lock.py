"""One sync at a time per data folder, across processes: the app and ``gigbag sync`` share this lock.

The lock is an OS advisory lock on ``<data folder>/sync.lock`` (``fcntl.flock``; ``msvcrt`` on
Windows), taken without waiting: a second sync is refused at once with a sentence. The OS releases
it when the process ends, so a crashed sync never leaves the folder locked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import GigbagError
from .lock_file import LOCK_NAME, held_lock

__all__ = ["LOCK_NAME", "SyncBusy", "sync_lock"]


class SyncBusy(GigbagError):
    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            f"Another Gigbag is syncing this data folder ({data_dir}) right now; this sync did not start. "
            "Wait for it to finish (or close the other Gigbag), then sync again."
        )


@contextmanager
def sync_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data folder's sync lock for the block, or raise :class:`SyncBusy` at once."""
    with held_lock(data_dir / LOCK_NAME) as held:
        if not held:
            raise SyncBusy(data_dir)
        yield
